//! `Like` of a post ("this reply helped") and its `Undo`. Dislikes are
//! understood and ignored (see the routing table).

use super::{Content, InboxError};
use crate::{app::AppState, domain::inbox::Applied};
use activitypub_federation::config::Data;
use preau_federation::activities::Activity;

/// A mark given or withdrawn.
pub struct CheckedLike<'a> {
    content: &'a Content<'a>,
    object: String,
    like_id: String,
    helpful: bool,
}

/// A `Like` of the post its object names.
pub async fn verify<'a>(c: &'a Content<'a>) -> Result<Option<CheckedLike<'a>>, InboxError> {
    Ok(Some(CheckedLike {
        content: c,
        object: c.object()?,
        like_id: c.activity.id.to_string(),
        helpful: true,
    }))
}

/// `Undo(Like)` of the post `object`.
pub async fn verify_undo<'a>(
    c: &'a Content<'a>,
    like: &Activity,
    object: String,
) -> Result<Option<CheckedLike<'a>>, InboxError> {
    Ok(Some(CheckedLike {
        content: c,
        object,
        like_id: like.id.to_string(),
        helpful: false,
    }))
}

/// Gives or withdraws the mark.
pub async fn receive(data: &Data<AppState>, c: CheckedLike<'_>) -> Result<Applied, InboxError> {
    let content = c.content;
    Ok(data
        .domain
        .receive_like(
            content.activity.id.as_str(),
            &content.actor.row,
            (&c.object, &c.like_id, c.helpful),
            content.raw,
            content.relay(),
        )
        .await?)
}
