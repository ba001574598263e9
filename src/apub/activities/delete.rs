//! `Delete` of a post (by its author, or a moderator's removal with a
//! reason) and its `Undo` (restored, or the removal lifted).

use super::{Content, InboxError};
use crate::{app::AppState, domain::inbox::Applied};
use activitypub_federation::{config::Data, fetch::fetch_object_http};
use axum::http::StatusCode;
use preau_federation::objects::Post;
use url::Url;

/// A deletion (or its undo) of the post `object`.
pub struct CheckedDelete<'a> {
    content: &'a Content<'a>,
    object: String,
    reason: Option<String>,
}

/// A forum relaying an author's deletion from another server is believed
/// only once the post is gone there.
pub async fn verify<'a>(
    data: &Data<AppState>,
    c: &'a Content<'a>,
) -> Result<Option<CheckedDelete<'a>>, InboxError> {
    let object = c.object()?;
    if c.relaying_forum.is_some()
        && !crate::domain::provenance::same_origin(&c.activity.actor, &c.sender()?)
    {
        confirm_deleted_at_origin(data, &object, c).await?;
    }
    let reason = c
        .activity
        .summary
        .clone()
        .or_else(|| c.activity.content.clone());
    Ok(Some(CheckedDelete {
        content: c,
        object,
        reason,
    }))
}

/// A relayed `Delete` by the author of a post of another server than the
/// relay: the relay does not speak for that author, so the post must be
/// gone at its origin (moderators' removals are the forum's own word and
/// pass).
async fn confirm_deleted_at_origin(
    data: &Data<AppState>,
    object: &str,
    c: &Content<'_>,
) -> Result<(), InboxError> {
    let stored = data.domain.known_post(object).await?;
    if !stored.is_some_and(|post| post.author_id == c.actor.row.id) {
        return Ok(());
    }
    let url = Url::parse(object).map_err(|_| InboxError::invalid_object())?;
    match fetch_object_http::<AppState, Post>(&url, data).await {
        Ok(_) => Err(InboxError::new(
            StatusCode::FORBIDDEN,
            "not_deleted_at_origin",
        )),
        Err(_) => Ok(()),
    }
}

/// Deletes or removes the post.
pub async fn receive(data: &Data<AppState>, c: CheckedDelete<'_>) -> Result<Applied, InboxError> {
    let content = c.content;
    Ok(data
        .domain
        .receive_delete(
            content.activity.id.as_str(),
            &content.actor.row,
            &c.object,
            c.reason.as_deref(),
            content.raw,
            content.relay(),
        )
        .await?)
}

/// `Undo(Delete)` of the post `object`.
pub async fn verify_undo<'a>(
    c: &'a Content<'a>,
    object: String,
) -> Result<Option<CheckedDelete<'a>>, InboxError> {
    Ok(Some(CheckedDelete {
        content: c,
        object,
        reason: None,
    }))
}

/// Restores the post, or lifts its removal.
pub async fn receive_undo(
    data: &Data<AppState>,
    c: CheckedDelete<'_>,
) -> Result<Applied, InboxError> {
    let content = c.content;
    Ok(data
        .domain
        .receive_undelete(
            content.activity.id.as_str(),
            &content.actor.row,
            &c.object,
            content.raw,
            content.relay(),
        )
        .await?)
}
