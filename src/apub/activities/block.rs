//! `Block` with a forum as `target`: a remote forum bans a person known
//! here or a whole instance (its origin URL as `object`, Préau's own
//! shape), for a time or for good, and its `Undo` lifts the ban. A user
//! block, or a ban of someone unknown here, is ignored.

use super::{Content, InboxError};
use crate::{
    app::AppState,
    domain::{
        forum_bans::Banned,
        inbox::{Applied, ForumRow},
    },
};
use activitypub_federation::config::Data;
use preau_federation::activities::Activity;

/// A ban (or its end) by a forum.
pub struct CheckedBan<'a> {
    content: &'a Content<'a>,
    forum: ForumRow,
    banned: Banned,
    reason: String,
    expires_at: Option<i64>,
}

/// The forum and the person or instance the ban names (see
/// [`crate::domain::Domain::ban_parties`]).
async fn parties(
    data: &Data<AppState>,
    block: &Activity,
) -> Result<Option<(ForumRow, Banned)>, InboxError> {
    let (Some(target), Some(object)) = (block.target_id(), block.object_id()) else {
        return Ok(None);
    };
    Ok(data
        .domain
        .ban_parties(target.as_str(), object.as_str())
        .await?)
}

/// The ban's parties, reason and end (`endTime`, or `expires`).
pub async fn verify<'a>(
    data: &Data<AppState>,
    c: &'a Content<'a>,
) -> Result<Option<CheckedBan<'a>>, InboxError> {
    let Some((forum, banned)) = parties(data, c.activity).await? else {
        return Ok(None);
    };
    let expires_at = c
        .raw
        .get("endTime")
        .or_else(|| c.raw.get("expires"))
        .and_then(serde_json::Value::as_str)
        .and_then(|t| chrono::DateTime::parse_from_rfc3339(t).ok())
        .map(|t| t.timestamp_millis());
    Ok(Some(CheckedBan {
        content: c,
        forum,
        banned,
        reason: c.activity.summary.clone().unwrap_or_default(),
        expires_at,
    }))
}

/// Records the ban, if the actor moderates the forum.
pub async fn receive(data: &Data<AppState>, c: CheckedBan<'_>) -> Result<Applied, InboxError> {
    let content = c.content;
    Ok(data
        .domain
        .receive_ban(
            content.activity.id.as_str(),
            &content.actor.row,
            &c.forum,
            &c.banned,
            &c.reason,
            c.expires_at,
            content.relay(),
        )
        .await?)
}

/// `Undo(Block)`: the parties of the undone ban.
pub async fn verify_undo<'a>(
    data: &Data<AppState>,
    c: &'a Content<'a>,
    block: &Activity,
) -> Result<Option<CheckedBan<'a>>, InboxError> {
    let Some((forum, banned)) = parties(data, block).await? else {
        return Ok(None);
    };
    Ok(Some(CheckedBan {
        content: c,
        forum,
        banned,
        reason: String::new(),
        expires_at: None,
    }))
}

/// Lifts the ban, if the actor moderates the forum.
pub async fn receive_undo(data: &Data<AppState>, c: CheckedBan<'_>) -> Result<Applied, InboxError> {
    let content = c.content;
    Ok(data
        .domain
        .receive_unban(
            content.activity.id.as_str(),
            &content.actor.row,
            &c.forum,
            &c.banned,
            content.relay(),
        )
        .await?)
}
