//! Edits and deletions of members-only project objects (posts, events,
//! documents): conditional writes, so an edit older than the one stored
//! never wins, whichever order they arrive in.

use super::{
    actors::ActorId,
    project_documents::{VersionRow, VERSION_COLUMNS},
    Store, StoreResult, Tx,
};

/// A post's new text (its title stays empty for replies).
#[derive(Debug, Clone)]
pub struct PostChange<'a> {
    /// The thread's title.
    pub title: &'a str,
    /// The Markdown typed (empty for remote posts).
    pub source: &'a str,
    /// The HTML shown.
    pub content_html: &'a str,
    /// When the change was made (unix ms), the ordering key.
    pub at: i64,
}

/// Replaces a post's text unless a newer change is stored; whether it did.
pub async fn change_post(tx: &mut Tx, id: i64, change: &PostChange<'_>) -> StoreResult<bool> {
    let changed = sqlx::query(
        "UPDATE project_posts SET title = $1, source = $2, content_html = $3, updated_at = $4 \
         WHERE id = $5 AND deleted_at IS NULL AND (updated_at IS NULL OR updated_at < $4)",
    )
    .bind(change.title)
    .bind(change.source)
    .bind(change.content_html)
    .bind(change.at)
    .bind(id)
    .execute(&mut **tx)
    .await?
    .rows_affected();
    Ok(changed > 0)
}

/// Marks a post deleted; whether it was not already.
pub async fn delete_post(tx: &mut Tx, id: i64, at: i64) -> StoreResult<bool> {
    let changed = sqlx::query(
        "UPDATE project_posts SET deleted_at = $1 WHERE id = $2 AND deleted_at IS NULL",
    )
    .bind(at)
    .bind(id)
    .execute(&mut **tx)
    .await?
    .rows_affected();
    Ok(changed > 0)
}

/// An event's new details (who it is for does not change).
#[derive(Debug, Clone)]
pub struct EventChange<'a> {
    /// Title.
    pub title: &'a str,
    /// Markdown typed (empty for remote events).
    pub description_source: &'a str,
    /// HTML shown.
    pub description_html: &'a str,
    /// Start (unix ms).
    pub starts_at: i64,
    /// End (unix ms).
    pub ends_at: i64,
    /// Place.
    pub location: &'a str,
    /// Meeting link.
    pub meeting_url: &'a str,
    /// When the change was made (unix ms), the ordering key.
    pub at: i64,
}

/// Replaces an event's details unless a newer change is stored.
pub async fn change_event(tx: &mut Tx, id: i64, change: &EventChange<'_>) -> StoreResult<bool> {
    let changed = sqlx::query(
        "UPDATE project_events SET title = $1, description_source = $2, description_html = $3, \
         starts_at = $4, ends_at = $5, location = $6, meeting_url = $7, updated_at = $8 \
         WHERE id = $9 AND deleted_at IS NULL AND (updated_at IS NULL OR updated_at < $8)",
    )
    .bind(change.title)
    .bind(change.description_source)
    .bind(change.description_html)
    .bind(change.starts_at)
    .bind(change.ends_at)
    .bind(change.location)
    .bind(change.meeting_url)
    .bind(change.at)
    .bind(id)
    .execute(&mut **tx)
    .await?
    .rows_affected();
    Ok(changed > 0)
}

/// Marks an event deleted; whether it was not already.
pub async fn delete_event(tx: &mut Tx, id: i64, at: i64) -> StoreResult<bool> {
    let changed = sqlx::query(
        "UPDATE project_events SET deleted_at = $1 WHERE id = $2 AND deleted_at IS NULL",
    )
    .bind(at)
    .bind(id)
    .execute(&mut **tx)
    .await?
    .rows_affected();
    Ok(changed > 0)
}

/// Renames a document unless a newer name is stored.
pub async fn rename_document(tx: &mut Tx, id: i64, name: &str, at: i64) -> StoreResult<bool> {
    let changed = sqlx::query(
        "UPDATE project_documents SET name = $1, renamed_at = $2 \
         WHERE id = $3 AND deleted_at IS NULL AND (renamed_at IS NULL OR renamed_at < $2)",
    )
    .bind(name)
    .bind(at)
    .bind(id)
    .execute(&mut **tx)
    .await?
    .rows_affected();
    Ok(changed > 0)
}

/// Marks a document deleted and forgets where its local files are;
/// returns their storage keys (the caller removes the files once
/// committed), or `None` when it was deleted already.
pub async fn delete_document(tx: &mut Tx, id: i64, at: i64) -> StoreResult<Option<Vec<String>>> {
    let changed = sqlx::query(
        "UPDATE project_documents SET deleted_at = $1 WHERE id = $2 AND deleted_at IS NULL",
    )
    .bind(at)
    .bind(id)
    .execute(&mut **tx)
    .await?
    .rows_affected();
    if changed == 0 {
        return Ok(None);
    }
    let keys: Vec<Option<String>> = sqlx::query_scalar(
        "SELECT storage_key FROM project_document_versions WHERE document_id = $1",
    )
    .bind(id)
    .fetch_all(&mut **tx)
    .await?;
    sqlx::query("UPDATE project_document_versions SET storage_key = NULL WHERE document_id = $1")
        .bind(id)
        .execute(&mut **tx)
        .await?;
    Ok(Some(keys.into_iter().flatten().collect()))
}

impl Store {
    /// The latest version of a document.
    pub async fn latest_version(&self, document: i64) -> StoreResult<Option<VersionRow>> {
        Ok(sqlx::query_as(&format!(
            "SELECT {VERSION_COLUMNS} FROM project_document_versions v \
             WHERE v.document_id = $1 ORDER BY v.version DESC LIMIT 1"
        ))
        .bind(document)
        .fetch_optional(self.pool())
        .await?)
    }

    /// Who shared a document's first version: its author.
    pub async fn document_author(&self, id: i64) -> StoreResult<Option<ActorId>> {
        let author: Option<i64> = sqlx::query_scalar(
            "SELECT author_id FROM project_document_versions WHERE document_id = $1 \
             ORDER BY version LIMIT 1",
        )
        .bind(id)
        .fetch_optional(self.pool())
        .await?;
        Ok(author.map(ActorId))
    }
}
