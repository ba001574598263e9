//! Shared documents in a project space: the accepted file types, file
//! names and digests, and a member sharing a document or a new version of
//! one (the bytes stay on the uploader's instance).

use super::notify_events::{notify_project_news, ProjectNews};
use super::{
    outbox::{self, new_activity_id, project as project_objects, to_json},
    validate, Domain, DomainError, DomainResult, Refusal,
};
use crate::domain::store::notifications::NotificationKind;
use crate::{
    domain::store::{
        accounts::AccountRow,
        project_content::{self, NewVersion, VersionRow},
        projects::ProjectRow,
    },
    urls,
};
use sha2::{Digest, Sha256};

/// A document as uploaded.
#[derive(Debug, Clone)]
pub struct Upload {
    /// The file's name as sent by the browser.
    pub file_name: String,
    /// Its bytes.
    pub bytes: Vec<u8>,
    /// A new version of this document, or a new document.
    pub version_of: Option<i64>,
}

/// The file types a shared document may have, by extension; an instance
/// accepts the subset its `[projects] document_types` lists.
pub const DOCUMENT_TYPES: [(&str, &str); 15] = [
    ("pdf", "application/pdf"),
    ("odt", "application/vnd.oasis.opendocument.text"),
    ("ods", "application/vnd.oasis.opendocument.spreadsheet"),
    ("odp", "application/vnd.oasis.opendocument.presentation"),
    (
        "docx",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ),
    (
        "xlsx",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ),
    (
        "pptx",
        "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    ),
    ("txt", "text/plain"),
    ("md", "text/markdown"),
    ("csv", "text/csv"),
    ("png", "image/png"),
    ("jpg", "image/jpeg"),
    ("jpeg", "image/jpeg"),
    ("svg", "image/svg+xml"),
    ("zip", "application/zip"),
];

/// The media type of a file name's extension.
pub fn media_type_of(file_name: &str) -> Option<&'static str> {
    let extension = file_name.rsplit_once('.')?.1.to_ascii_lowercase();
    DOCUMENT_TYPES
        .iter()
        .find(|(ext, _)| *ext == extension)
        .map(|(_, media_type)| *media_type)
}

/// The extensions this instance accepts, for the upload form's help.
pub fn accepted_extensions(document_types: &[String]) -> Vec<&'static str> {
    DOCUMENT_TYPES
        .iter()
        .filter(|(_, t)| document_types.iter().any(|allowed| allowed == t))
        .map(|(ext, _)| *ext)
        .collect()
}

/// A file name safe to show and to send back in `Content-Disposition`:
/// no directories, quotes, control or format characters
/// ([`validate::single_line`]).
pub fn clean_file_name(raw: &str) -> String {
    let base = raw.rsplit(['/', '\\']).next().unwrap_or(raw);
    let cleaned: String = base
        .chars()
        .filter(|c| !matches!(c, '"' | '\\' | '/'))
        .take(120)
        .collect();
    validate::single_line(&cleaned)
}

/// Hex SHA-256 of bytes.
pub fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

impl Domain {
    /// Where uploaded files are kept.
    pub fn files_dir(&self) -> std::path::PathBuf {
        self.settings.server.data_dir.join("files")
    }

    /// A member shares a document, or a new version of one.
    pub async fn share_document(
        &self,
        account: &AccountRow,
        project: &ProjectRow,
        upload: Upload,
    ) -> DomainResult<VersionRow> {
        let author = self.require_writer(account, project).await?;
        let file_name = clean_file_name(&upload.file_name);
        if file_name.is_empty() || upload.bytes.is_empty() {
            return Err(Refusal::FieldRequired("file".into()).into());
        }
        let limits = &self.settings.projects;
        if upload.bytes.len() as u64 > limits.max_document_bytes {
            return Err(Refusal::DocumentTooLarge.into());
        }
        let media_type = media_type_of(&file_name)
            .filter(|t| limits.document_types.iter().any(|allowed| allowed == t))
            .ok_or(Refusal::DocumentTypeRefused)?;
        let document = match upload.version_of {
            Some(id) => Some(
                self.store
                    .document(id)
                    .await?
                    .filter(|d| d.project_id == project.actor.id)
                    .ok_or(Refusal::NotFound)?,
            ),
            None => None,
        };
        let base = self.settings.base_url();
        let token = urls::random_token();
        let ap_id = urls::project_object(&base, &token);
        let dir = self.files_dir();
        tokio::fs::create_dir_all(&dir)
            .await
            .map_err(|e| DomainError::Internal(format!("files directory: {e}")))?;
        // Written before the transaction: a crash between the two leaves
        // an unreferenced file, never a document without its bytes.
        tokio::fs::write(dir.join(&token), &upload.bytes)
            .await
            .map_err(|e| DomainError::Internal(format!("writing a document: {e}")))?;
        let version = NewVersion {
            content_url: format!("{ap_id}/content"),
            ap_id,
            version: match &document {
                Some(document) => self.store.next_version(document.id).await?,
                None => 1,
            },
            author_id: author.id,
            file_name: file_name.clone(),
            media_type: media_type.to_string(),
            size: upload.bytes.len() as i64,
            sha256: sha256_hex(&upload.bytes),
            storage_key: Some(token),
            created_at: self.clock().now_ms(),
            local: true,
        };
        let mut tx = self.store.begin().await?;
        let (document_id, name, first) = match &document {
            Some(document) => (
                document.id,
                document.name.clone(),
                Some(document.ap_id.clone()),
            ),
            None => {
                let id = project_content::insert_document(
                    &mut tx,
                    project.actor.id,
                    &file_name,
                    &version,
                )
                .await?;
                (id, file_name.clone(), None)
            }
        };
        let news = ProjectNews {
            kind: NotificationKind::NewDocument,
            author: author.id,
            name: &name,
            key: &version.ap_id,
            only: None,
        };
        notify_project_news(&mut tx, project, news).await?;
        let version_id = if document.is_some() {
            project_content::insert_version(&mut tx, project.actor.id, document_id, &version)
                .await?
        } else {
            0
        };
        let stored = VersionRow {
            id: version_id,
            ap_id: version.ap_id.clone(),
            document_id,
            version: version.version,
            author_id: author.id,
            file_name: version.file_name.clone(),
            media_type: version.media_type.clone(),
            size: version.size,
            sha256: version.sha256.clone(),
            content_url: version.content_url.clone(),
            storage_key: version.storage_key.clone(),
            created_at: version.created_at,
            local: true,
        };
        let object = project_objects::document_object(
            &stored,
            &name,
            first.as_deref(),
            &author.ap_id,
            &project.actor.ap_id,
        )
        .ok_or_else(|| DomainError::Internal("invalid document URL".into()))?;
        let object = outbox::json_of(&object)?;
        let activity_id = new_activity_id(&base);
        let activity = to_json(&project_objects::create(
            &activity_id,
            &author.ap_id,
            &project.actor.ap_id,
            object,
        )?)?;
        self.distribute_in_project(&mut tx, project, &author, &activity_id, &activity, None)
            .await?;
        crate::domain::store::commit(tx).await?;
        self.after_commit();
        self.store
            .version_by_ap_id(&stored.ap_id)
            .await?
            .ok_or_else(|| DomainError::Internal("version vanished".into()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_names_and_types_are_checked() {
        assert_eq!(media_type_of("Plan.PDF"), Some("application/pdf"));
        assert_eq!(media_type_of("script.exe"), None);
        assert_eq!(media_type_of("noextension"), None);
        assert_eq!(clean_file_name("../../etc/pass\"wd.txt"), "passwd.txt");
        assert_eq!(clean_file_name("C:\\Users\\x\\notes.md"), "notes.md");
        // Document names lose bidi overrides and zero-width characters.
        assert_eq!(clean_file_name("rapport\u{202E}fdp.exe"), "rapportfdp.exe");
        assert_eq!(
            clean_file_name("\u{FEFF}notes\u{200B}\u{2066}.md"),
            "notes.md"
        );
    }

    #[test]
    fn digests_are_hex_sha256() {
        assert_eq!(
            sha256_hex(b"abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }
}
