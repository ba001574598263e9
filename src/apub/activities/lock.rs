//! `Lock` of a thread by a moderator (no more replies) and its `Undo`.

use super::{Content, InboxError};
use crate::{
    app::AppState,
    domain::{forums::ThreadAction, inbox::Applied},
};
use activitypub_federation::config::Data;

/// A thread moderation: lock, unlock, pin or unpin.
pub struct CheckedThreadAction<'a> {
    pub(super) content: &'a Content<'a>,
    pub(super) object: String,
    pub(super) action: ThreadAction,
}

/// A `Lock` of the thread its object names.
pub async fn verify<'a>(c: &'a Content<'a>) -> Result<Option<CheckedThreadAction<'a>>, InboxError> {
    Ok(Some(CheckedThreadAction {
        content: c,
        object: c.object()?,
        action: ThreadAction::Lock,
    }))
}

/// `Undo(Lock)` of the thread `object`.
pub async fn verify_undo<'a>(
    c: &'a Content<'a>,
    object: String,
) -> Result<Option<CheckedThreadAction<'a>>, InboxError> {
    Ok(Some(CheckedThreadAction {
        content: c,
        object,
        action: ThreadAction::Unlock,
    }))
}

/// Applies the moderation, if the actor moderates the thread's forum.
pub async fn receive(
    data: &Data<AppState>,
    c: CheckedThreadAction<'_>,
) -> Result<Applied, InboxError> {
    let content = c.content;
    Ok(data
        .domain
        .receive_thread_moderation(
            content.activity.id.as_str(),
            &content.actor.row,
            &c.object,
            c.action,
            content.raw,
            content.relay(),
        )
        .await?)
}
