//! `Flag`: a report from any server about posts known here.

use super::{Content, InboxError};
use crate::{app::AppState, domain::inbox::Applied};
use activitypub_federation::config::Data;

/// The reported objects and the reason.
pub struct CheckedFlag<'a> {
    content: &'a Content<'a>,
    objects: Vec<String>,
    reason: String,
}

/// Reads the objects and the reason (`content`, else `summary`).
pub async fn verify<'a>(c: &'a Content<'a>) -> Result<Option<CheckedFlag<'a>>, InboxError> {
    let objects = c
        .activity
        .objects()
        .into_iter()
        .map(|o| o.to_string())
        .collect();
    let reason = c
        .activity
        .content
        .clone()
        .or_else(|| c.activity.summary.clone())
        .unwrap_or_default();
    Ok(Some(CheckedFlag {
        content: c,
        objects,
        reason,
    }))
}

/// Each report lands in the queue of the moderators of the post's forum.
pub async fn receive(data: &Data<AppState>, c: CheckedFlag<'_>) -> Result<Applied, InboxError> {
    let content = c.content;
    Ok(data
        .domain
        .receive_flag(
            content.activity.id.as_str(),
            &content.actor.row,
            &c.objects,
            &c.reason,
        )
        .await?)
}
