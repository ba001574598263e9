//! What members share inside a project space, and who may see it: the
//! internal forum, shared documents (with versions) and the agenda.
//!
//! Everything is members-only. Written on the project's host, an object
//! is announced by the project to its members' instances; written by a
//! member of another instance, it is stored there and sent to the project,
//! which announces it in turn. Document bytes stay on the instance where
//! they were uploaded and are read by the others with signed fetches.

use super::{
    inbox::Applied,
    outbox::{self, new_activity_id, project as project_objects, queue, to_json},
    rendering, validate, Domain, DomainError, DomainResult, Refusal,
};
use crate::{
    domain::store::{
        accounts::AccountRow,
        actors::{ActorId, ActorRow},
        inbox::record_received,
        now_ms,
        project_content::{
            self, EventRow, NewEvent, NewProjectPost, NewVersion, ProjectPostRow, VersionRow,
        },
        projects::{self, MemberRow, ProjectRow},
        Tx,
    },
    urls,
};
use serde_json::Value;
use sha2::{Digest, Sha256};

/// Longest post body, in characters.
pub const MAX_POST_BODY: usize = 20_000;

/// An event as asked for in the form.
#[derive(Debug, Clone, Default)]
pub struct EventInput {
    /// Title.
    pub title: String,
    /// Markdown description.
    pub description: String,
    /// Start, `YYYY-MM-DDTHH:MM` (UTC) or RFC 3339.
    pub starts: String,
    /// End, same formats.
    pub ends: String,
    /// Place.
    pub location: String,
    /// Meeting link (http or https).
    pub meeting_url: String,
    /// The members it is for (actor ids); empty for every member.
    pub attendees: Vec<i64>,
}

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

/// Parses a date-time from a form (`YYYY-MM-DDTHH:MM`, taken as UTC) or
/// RFC 3339, to unix ms.
pub fn parse_time(raw: &str, field: &str) -> DomainResult<i64> {
    let raw = raw.trim();
    if let Ok(time) = chrono::DateTime::parse_from_rfc3339(raw) {
        return Ok(time.timestamp_millis());
    }
    for format in ["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M"] {
        if let Ok(time) = chrono::NaiveDateTime::parse_from_str(raw, format) {
            return Ok(time.and_utc().timestamp_millis());
        }
    }
    Err(Refusal::InvalidDate(field.into()).into())
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
    /// The membership of a local account, required to be current.
    pub async fn require_member(
        &self,
        account: &AccountRow,
        project: &ProjectRow,
    ) -> DomainResult<(ActorRow, MemberRow)> {
        let actor = self.actor_of(account).await?;
        let row = self
            .store
            .member(project.actor.id, actor.id)
            .await?
            .filter(MemberRow::is_member)
            .ok_or(Refusal::NotProjectMember)?;
        Ok((actor, row))
    }

    /// A member who may write in a project now: a member whose label still
    /// reaches the project's minimum.
    pub async fn require_writer(
        &self,
        account: &AccountRow,
        project: &ProjectRow,
    ) -> DomainResult<ActorRow> {
        let (actor, _) = self.require_member(account, project).await?;
        self.check_member_level(project, &actor).await?;
        Ok(actor)
    }

    /// Where uploaded files are kept.
    pub fn files_dir(&self) -> std::path::PathBuf {
        self.settings.server.data_dir.join("files")
    }

    /// Writes an activity about a members-only object: on the host, the
    /// project announces it to its members' instances; elsewhere, it goes
    /// to the project.
    /// `for_some` lists the people an event for a sub-group is for: only
    /// their instances (and the author's) get it.
    async fn distribute_in_project(
        &self,
        tx: &mut Tx,
        project: &ProjectRow,
        author: &ActorRow,
        activity_id: &str,
        activity: &Value,
        for_some: Option<&[ActorId]>,
    ) -> DomainResult<()> {
        if project.actor.is_local() {
            let inboxes = self.audience_inboxes(tx, project, author, for_some).await?;
            self.announce_in(tx, project, activity, &inboxes).await
        } else {
            queue(
                tx,
                activity_id,
                author.id,
                activity,
                std::slice::from_ref(&project.actor.inbox),
            )
            .await?;
            Ok(())
        }
    }

    /// The instances a project object goes to from its host: those of every
    /// member, or, for an event for some people, theirs and the author's.
    async fn audience_inboxes(
        &self,
        tx: &mut Tx,
        project: &ProjectRow,
        author: &ActorRow,
        for_some: Option<&[ActorId]>,
    ) -> DomainResult<Vec<String>> {
        let Some(people) = for_some else {
            return Ok(projects::member_inboxes(tx, project.actor.id).await?);
        };
        let mut wanted: Vec<ActorId> = people.to_vec();
        wanted.push(author.id);
        Ok(projects::inboxes_of(tx, &wanted).await?)
    }

    /// A member opens a thread in the project's forum.
    pub async fn post_project_thread(
        &self,
        account: &AccountRow,
        project: &ProjectRow,
        title: &str,
        body: &str,
    ) -> DomainResult<ProjectPostRow> {
        let title = validate::name(title, 200, "title")?;
        if title.is_empty() {
            return Err(Refusal::FieldRequired("title".into()).into());
        }
        self.publish_project_post(account, project, title, body, None)
            .await
    }

    /// A member replies in a thread of the project's forum.
    pub async fn reply_project_post(
        &self,
        account: &AccountRow,
        project: &ProjectRow,
        parent: &ProjectPostRow,
        body: &str,
    ) -> DomainResult<ProjectPostRow> {
        if parent.project_id != project.actor.id {
            return Err(Refusal::NotFound.into());
        }
        if parent.deleted_at.is_some() {
            return Err(Refusal::PostDeleted.into());
        }
        self.publish_project_post(account, project, String::new(), body, Some(parent))
            .await
    }

    async fn publish_project_post(
        &self,
        account: &AccountRow,
        project: &ProjectRow,
        title: String,
        body: &str,
        parent: Option<&ProjectPostRow>,
    ) -> DomainResult<ProjectPostRow> {
        let body = validate::text(body, MAX_POST_BODY, "body")?;
        if body.is_empty() {
            return Err(Refusal::FieldRequired("body".into()).into());
        }
        let author = self.require_writer(account, project).await?;
        let base = self.settings.base_url();
        let new = NewProjectPost {
            ap_id: urls::project_object(&base, &urls::random_token()),
            project_id: project.actor.id,
            thread_id: parent.map(|p| p.thread_id.unwrap_or(p.id)),
            in_reply_to_id: parent.map(|p| p.id),
            author_id: author.id,
            title,
            content_html: rendering::markdown(body.clone(), "body").await?,
            source: body,
            published_at: now_ms(),
            local: true,
        };
        let mut tx = self.store.begin().await?;
        let id = project_content::insert_post(&mut tx, &new).await?;
        let row = ProjectPostRow {
            id,
            ap_id: new.ap_id.clone(),
            project_id: new.project_id,
            thread_id: new.thread_id,
            in_reply_to_id: new.in_reply_to_id,
            author_id: new.author_id,
            title: new.title.clone(),
            source: new.source.clone(),
            content_html: new.content_html.clone(),
            published_at: new.published_at,
            deleted_at: None,
            refused_at: None,
            refused_reason: None,
            last_activity_at: new.published_at,
            local: true,
        };
        let object = project_objects::post_object(
            &row,
            &author.ap_id,
            &project.actor.ap_id,
            parent.map(|p| p.ap_id.as_str()),
        )
        .ok_or_else(|| DomainError::Internal("invalid post URL".into()))?;
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
        Ok(row)
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
            created_at: now_ms(),
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

    /// A member adds an event to the project's agenda, for every member
    /// or for some of them.
    pub async fn add_project_event(
        &self,
        account: &AccountRow,
        project: &ProjectRow,
        input: &EventInput,
    ) -> DomainResult<EventRow> {
        let author = self.require_writer(account, project).await?;
        let title = validate::name(&input.title, 200, "title")?;
        if title.is_empty() {
            return Err(Refusal::FieldRequired("title".into()).into());
        }
        let description = validate::text(&input.description, 5000, "description")?;
        let starts_at = parse_time(&input.starts, "starts")?;
        let ends_at = if input.ends.trim().is_empty() {
            starts_at + 3_600_000
        } else {
            parse_time(&input.ends, "ends")?
        };
        if ends_at < starts_at {
            return Err(Refusal::EndsBeforeStart("ends".into()).into());
        }
        let location = validate::name(&input.location, 200, "location")?;
        let meeting_url = validate::text(&input.meeting_url, 500, "meeting_url")?;
        if !meeting_url.is_empty()
            && !url::Url::parse(&meeting_url).is_ok_and(|u| matches!(u.scheme(), "http" | "https"))
        {
            return Err(Refusal::InvalidUrl("meeting_url".into()).into());
        }
        let mut attendees: Vec<ActorRow> = Vec::new();
        for id in &input.attendees {
            let row = self
                .store
                .member(project.actor.id, ActorId(*id))
                .await?
                .filter(MemberRow::is_member)
                .ok_or_else(|| Refusal::AttendeeNotMember("attendees".into()))?;
            if let Some(actor) = self.store.actor_by_id(row.actor_id).await? {
                if !attendees.iter().any(|a| a.id == actor.id) {
                    attendees.push(actor);
                }
            }
        }
        let base = self.settings.base_url();
        let new = NewEvent {
            ap_id: urls::project_object(&base, &urls::random_token()),
            project_id: project.actor.id,
            author_id: author.id,
            title,
            description_html: rendering::markdown(description.clone(), "description").await?,
            description_source: description,
            starts_at,
            ends_at,
            location,
            meeting_url,
            for_all: attendees.is_empty(),
            attendees: attendees.iter().map(|a| a.id).collect(),
            created_at: now_ms(),
            local: true,
        };
        let mut tx = self.store.begin().await?;
        let id = project_content::insert_event(&mut tx, &new).await?;
        let row = EventRow {
            id,
            ap_id: new.ap_id.clone(),
            project_id: new.project_id,
            author_id: new.author_id,
            title: new.title.clone(),
            description_source: new.description_source.clone(),
            description_html: new.description_html.clone(),
            starts_at,
            ends_at,
            location: new.location.clone(),
            meeting_url: new.meeting_url.clone(),
            for_all: new.for_all,
            created_at: new.created_at,
            deleted_at: None,
            local: true,
        };
        let attendee_ids: Vec<String> = attendees.iter().map(|a| a.ap_id.clone()).collect();
        let object =
            project_objects::event_object(&row, &author.ap_id, &project.actor.ap_id, &attendee_ids)
                .ok_or_else(|| DomainError::Internal("invalid event URL".into()))?;
        let object = outbox::json_of(&object)?;
        let activity_id = new_activity_id(&base);
        let activity = to_json(&project_objects::create(
            &activity_id,
            &author.ap_id,
            &project.actor.ap_id,
            object,
        )?)?;
        let for_some: Vec<ActorId> = attendees.iter().map(|a| a.id).collect();
        self.distribute_in_project(
            &mut tx,
            project,
            &author,
            &activity_id,
            &activity,
            (!for_some.is_empty()).then_some(for_some.as_slice()),
        )
        .await?;
        crate::domain::store::commit(tx).await?;
        self.after_commit();
        Ok(row)
    }

    /// Whether a local account may see an event: a member, and the event
    /// is for all, theirs, or lists them.
    pub async fn may_see_event(
        &self,
        account: &AccountRow,
        event: &EventRow,
    ) -> DomainResult<bool> {
        let Some(row) = self
            .store
            .member(event.project_id, account.actor_id)
            .await?
        else {
            return Ok(false);
        };
        if !row.is_member() {
            return Ok(false);
        }
        if event.for_all || event.author_id == account.actor_id {
            return Ok(true);
        }
        Ok(self
            .store
            .event_attendees(event.id)
            .await?
            .iter()
            .any(|a| a.id == account.actor_id))
    }

    /// Stores a members-only object received for `project` (already
    /// checked: its author is `author`, a member) in the transaction that
    /// records `received`; on the host, the project announces `activity`.
    pub(crate) async fn receive_project_object(
        &self,
        received: &str,
        project: &ProjectRow,
        author: &ActorRow,
        object: ReceivedObject,
        activity: &Value,
    ) -> DomainResult<Applied> {
        // An instance that lost the level the project requires cannot
        // write in it any more (nothing already there is deleted).
        self.check_member_level(project, author).await?;
        let mut tx = self.store.begin().await?;
        if !record_received(&mut tx, received).await? {
            return Ok(Applied::Duplicate);
        }
        let mut for_some: Option<Vec<ActorId>> = None;
        match object {
            ReceivedObject::Post {
                mut post,
                in_reply_to,
            } => {
                if self
                    .store
                    .project_post_by_ap_id(&post.ap_id)
                    .await?
                    .is_some()
                {
                    return Ok(Applied::Ignored);
                }
                if let Some(parent) = in_reply_to {
                    let parent = self
                        .store
                        .project_post_by_ap_id(&parent)
                        .await?
                        .filter(|p| p.project_id == project.actor.id)
                        .ok_or(Refusal::ParentUnknown)?;
                    post.thread_id = Some(parent.thread_id.unwrap_or(parent.id));
                    post.in_reply_to_id = Some(parent.id);
                }
                post.author_id = author.id;
                post.project_id = project.actor.id;
                project_content::insert_post(&mut tx, &post).await?;
            }
            ReceivedObject::Document {
                mut version,
                name,
                version_of,
            } => {
                // This instance's own limits apply to what it relays and
                // lists, whatever the sender's are.
                let limits = &self.settings.projects;
                if !limits.document_types.contains(&version.media_type) {
                    return Err(Refusal::DocumentTypeRefused.into());
                }
                if version.size as u64 > limits.max_document_bytes {
                    return Err(Refusal::DocumentTooLarge.into());
                }
                if self.store.version_by_ap_id(&version.ap_id).await?.is_some() {
                    return Ok(Applied::Ignored);
                }
                version.author_id = author.id;
                let existing = match &version_of {
                    Some(first) => self
                        .store
                        .document_by_ap_id(first)
                        .await?
                        .filter(|d| d.project_id == project.actor.id),
                    None => None,
                };
                match existing {
                    Some(document) => {
                        project_content::insert_version(
                            &mut tx,
                            project.actor.id,
                            document.id,
                            &version,
                        )
                        .await?;
                    }
                    None => {
                        project_content::insert_document(
                            &mut tx,
                            project.actor.id,
                            &name,
                            &version,
                        )
                        .await?;
                    }
                }
            }
            ReceivedObject::Event {
                mut event,
                attendees,
            } => {
                if self.store.event_by_ap_id(&event.ap_id).await?.is_some() {
                    return Ok(Applied::Ignored);
                }
                event.author_id = author.id;
                event.project_id = project.actor.id;
                // People this instance does not know are not matched, but
                // an event for some stays for some.
                event.for_all = attendees.is_empty();
                for ap_id in attendees {
                    if let Some(actor) = self.store.actor_by_ap_id(&ap_id).await? {
                        event.attendees.push(actor.id);
                    }
                }
                for_some = (!event.for_all).then(|| event.attendees.clone());
                project_content::insert_event(&mut tx, &event).await?;
            }
        }
        if project.actor.is_local() {
            let inboxes = self
                .audience_inboxes(&mut tx, project, author, for_some.as_deref())
                .await?;
            self.announce_in(&mut tx, project, activity, &inboxes)
                .await?;
        }
        crate::domain::store::commit(tx).await?;
        self.after_commit();
        Ok(Applied::Applied)
    }
}

/// A members-only object as received, ready to store (ids of the author
/// and project are filled in by [`Domain::receive_project_object`]).
#[derive(Debug, Clone)]
pub enum ReceivedObject {
    /// A thread or reply; `in_reply_to` is the parent's ActivityPub id.
    Post {
        /// The post.
        post: NewProjectPost,
        /// Its parent.
        in_reply_to: Option<String>,
    },
    /// A document version; `version_of` names the document.
    Document {
        /// The version.
        version: NewVersion,
        /// The document's name.
        name: String,
        /// The first version's id, for later versions.
        version_of: Option<String>,
    },
    /// An event; `attendees` are ActivityPub ids of the people it is for.
    Event {
        /// The event.
        event: NewEvent,
        /// Who it is for.
        attendees: Vec<String>,
    },
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn form_times_are_read_as_utc() {
        assert_eq!(
            parse_time("2026-12-10T14:00", "starts").unwrap(),
            chrono::DateTime::parse_from_rfc3339("2026-12-10T14:00:00Z")
                .unwrap()
                .timestamp_millis()
        );
        assert!(parse_time("2026-12-10T14:00:00+01:00", "starts").is_ok());
        assert_eq!(
            parse_time("demain", "starts").unwrap_err().code(),
            "invalid_date"
        );
    }

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
