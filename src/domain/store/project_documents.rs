//! Shared documents of a project space and their versions
//! (`project_documents`, `project_document_versions`).

use super::{
    actors::{qualified_actor_columns, ActorId, ActorRow},
    projects::touch_project,
    IntBool, Store, StoreResult, Tx,
};

/// A shared document (all its versions), decoded from `DOCUMENT_COLUMNS`.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct DocumentRow {
    /// Database id.
    #[sqlx(rename = "doc_id")]
    pub id: i64,
    /// The project.
    pub project_id: ActorId,
    /// The first version's ActivityPub id.
    #[sqlx(rename = "doc_ap_id")]
    pub ap_id: String,
    /// Its name.
    #[sqlx(rename = "doc_name")]
    pub name: String,
    /// First shared, unix ms.
    #[sqlx(rename = "doc_created_at")]
    pub created_at: i64,
    /// Last version, unix ms.
    #[sqlx(rename = "doc_updated_at")]
    pub updated_at: i64,
}

/// One version of a document (decoded from `VERSION_COLUMNS`).
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct VersionRow {
    /// Database id.
    #[sqlx(rename = "version_id")]
    pub id: i64,
    /// ActivityPub id of this version.
    #[sqlx(rename = "version_ap_id")]
    pub ap_id: String,
    /// The document.
    pub document_id: i64,
    /// From 1.
    pub version: i64,
    /// Who shared it.
    #[sqlx(rename = "version_author_id")]
    pub author_id: ActorId,
    /// The file's name.
    pub file_name: String,
    /// Its media type.
    pub media_type: String,
    /// Its size in bytes.
    pub size: i64,
    /// SHA-256 of the bytes, hex.
    pub sha256: String,
    /// Where its bytes are served (members only).
    pub content_url: String,
    /// Local uploads: the file's key under the data directory.
    pub storage_key: Option<String>,
    /// Shared, unix ms.
    #[sqlx(rename = "version_created_at")]
    pub created_at: i64,
    /// Uploaded here.
    #[sqlx(rename = "version_local", try_from = "IntBool")]
    pub local: bool,
}

/// A version as written.
#[derive(Debug, Clone)]
pub struct NewVersion {
    /// ActivityPub id.
    pub ap_id: String,
    /// Version number.
    pub version: i64,
    /// Who shared it.
    pub author_id: ActorId,
    /// File name.
    pub file_name: String,
    /// Media type.
    pub media_type: String,
    /// Size.
    pub size: i64,
    /// SHA-256, hex.
    pub sha256: String,
    /// Content URL.
    pub content_url: String,
    /// Local file key.
    pub storage_key: Option<String>,
    /// Shared, unix ms.
    pub created_at: i64,
    /// Uploaded here.
    pub local: bool,
}

/// A document with its versions (newest first) and their authors.
#[derive(Debug, Clone)]
pub struct DocumentView {
    /// The document.
    pub document: DocumentRow,
    /// Its versions, newest first, with who shared each.
    pub versions: Vec<(VersionRow, ActorRow)>,
}

const DOCUMENT_COLUMNS: &str = "d.id AS doc_id, d.project_id, d.ap_id AS doc_ap_id, \
     d.name AS doc_name, d.created_at AS doc_created_at, d.updated_at AS doc_updated_at";

pub(super) const VERSION_COLUMNS: &str =
    "v.id AS version_id, v.ap_id AS version_ap_id, v.document_id, \
     v.version, v.author_id AS version_author_id, v.file_name, v.media_type, v.size, v.sha256, \
     v.content_url, v.storage_key, v.created_at AS version_created_at, v.local AS version_local";

/// One line of [`Store::project_documents`]: a version, its document
/// and who shared it.
#[derive(sqlx::FromRow)]
struct DocumentVersion {
    #[sqlx(flatten)]
    document: DocumentRow,
    #[sqlx(flatten)]
    version: VersionRow,
    #[sqlx(flatten)]
    author: ActorRow,
}

/// Inserts a document and its first version; returns the document id.
pub async fn insert_document(
    tx: &mut Tx,
    project: ActorId,
    name: &str,
    first: &NewVersion,
) -> StoreResult<i64> {
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO project_documents (project_id, ap_id, name, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $4) RETURNING id",
    )
    .bind(project.0)
    .bind(&first.ap_id)
    .bind(name)
    .bind(first.created_at)
    .fetch_one(&mut **tx)
    .await?;
    insert_version(tx, project, id, first).await?;
    Ok(id)
}

/// Adds a version to a document.
pub async fn insert_version(
    tx: &mut Tx,
    project: ActorId,
    document: i64,
    version: &NewVersion,
) -> StoreResult<i64> {
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO project_document_versions (ap_id, document_id, version, author_id, file_name, \
         media_type, size, sha256, content_url, storage_key, created_at, local) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) RETURNING id",
    )
    .bind(&version.ap_id)
    .bind(document)
    .bind(version.version)
    .bind(version.author_id.0)
    .bind(&version.file_name)
    .bind(&version.media_type)
    .bind(version.size)
    .bind(&version.sha256)
    .bind(&version.content_url)
    .bind(version.storage_key.as_deref())
    .bind(version.created_at)
    .bind(version.local as i64)
    .fetch_one(&mut **tx)
    .await?;
    sqlx::query("UPDATE project_documents SET updated_at = $1 WHERE id = $2 AND updated_at < $1")
        .bind(version.created_at)
        .bind(document)
        .execute(&mut **tx)
        .await?;
    touch_project(tx, project, version.created_at).await?;
    Ok(id)
}

impl Store {
    /// A document by id.
    pub async fn document(&self, id: i64) -> StoreResult<Option<DocumentRow>> {
        Ok(sqlx::query_as(&format!(
            "SELECT {DOCUMENT_COLUMNS} FROM project_documents d \
             WHERE d.id = $1 AND d.deleted_at IS NULL"
        ))
        .bind(id)
        .fetch_optional(self.pool())
        .await?)
    }

    /// The document named by its first version's ActivityPub id.
    pub async fn document_by_ap_id(&self, ap_id: &str) -> StoreResult<Option<DocumentRow>> {
        let id: Option<i64> =
            sqlx::query_scalar("SELECT id FROM project_documents WHERE ap_id = $1")
                .bind(ap_id)
                .fetch_optional(self.pool())
                .await?;
        match id {
            Some(id) => self.document(id).await,
            None => Ok(None),
        }
    }

    /// A version by its ActivityPub id.
    pub async fn version_by_ap_id(&self, ap_id: &str) -> StoreResult<Option<VersionRow>> {
        Ok(sqlx::query_as(&format!(
            "SELECT {VERSION_COLUMNS} FROM project_document_versions v WHERE v.ap_id = $1"
        ))
        .bind(ap_id)
        .fetch_optional(self.pool())
        .await?)
    }

    /// A version by id.
    pub async fn version(&self, id: i64) -> StoreResult<Option<VersionRow>> {
        Ok(sqlx::query_as(&format!(
            "SELECT {VERSION_COLUMNS} FROM project_document_versions v \
             JOIN project_documents d ON d.id = v.document_id \
             WHERE v.id = $1 AND d.deleted_at IS NULL"
        ))
        .bind(id)
        .fetch_optional(self.pool())
        .await?)
    }

    /// A project's documents (newest change first) with their versions.
    pub async fn project_documents(&self, project: ActorId) -> StoreResult<Vec<DocumentView>> {
        let lines: Vec<DocumentVersion> = sqlx::query_as(&format!(
            "SELECT {DOCUMENT_COLUMNS}, {VERSION_COLUMNS}, {} \
             FROM project_documents d JOIN project_document_versions v ON v.document_id = d.id \
             JOIN actors ON actors.id = v.author_id \
             WHERE d.project_id = $1 AND d.deleted_at IS NULL \
             ORDER BY d.updated_at DESC, d.id, v.version DESC",
            qualified_actor_columns()
        ))
        .bind(project.0)
        .fetch_all(self.pool())
        .await?;
        let mut views: Vec<DocumentView> = Vec::new();
        for line in lines {
            if views
                .last()
                .is_none_or(|view| view.document.id != line.document.id)
            {
                views.push(DocumentView {
                    document: line.document,
                    versions: Vec::new(),
                });
            }
            if let Some(view) = views.last_mut() {
                view.versions.push((line.version, line.author));
            }
        }
        Ok(views)
    }

    /// The next version number of a document.
    pub async fn next_version(&self, document: i64) -> StoreResult<i64> {
        let max: Option<i64> = sqlx::query_scalar(
            "SELECT MAX(version) FROM project_document_versions WHERE document_id = $1",
        )
        .bind(document)
        .fetch_one(self.pool())
        .await?;
        Ok(max.unwrap_or(0) + 1)
    }
}
