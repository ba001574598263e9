//! `Add` and `Remove` of a thread in a forum's `featured` collection: a
//! moderator pins or unpins it. Other collections are ignored.

use super::{lock::CheckedThreadAction, Content, InboxError};
use crate::{
    app::AppState,
    domain::{forums::ThreadAction, inbox::Applied},
};
use activitypub_federation::config::Data;
use preau_federation::activities::ActivityKind;

/// The target must be a `featured` collection.
pub async fn verify<'a>(c: &'a Content<'a>) -> Result<Option<CheckedThreadAction<'a>>, InboxError> {
    let is_featured = c
        .activity
        .target_id()
        .is_some_and(|t| t.path().trim_end_matches('/').ends_with("featured"));
    if !is_featured {
        return Ok(None);
    }
    let action = if c.activity.kind == ActivityKind::Add {
        ThreadAction::Pin
    } else {
        ThreadAction::Unpin
    };
    Ok(Some(CheckedThreadAction {
        content: c,
        object: c.object()?,
        action,
    }))
}

/// Pins or unpins the thread, if the actor moderates its forum.
pub async fn receive(
    data: &Data<AppState>,
    c: CheckedThreadAction<'_>,
) -> Result<Applied, InboxError> {
    super::lock::receive(data, c).await
}
