//! `Reject` of an accepted contact request: the person a local teacher
//! asked ends the contact (Mastodon sends the same when one removes a
//! follower). The contact goes on the teacher's side too; unlike the
//! `Reject` of a pending request, it is not kept as refused. The other
//! way round (the asker ends it) is the `Undo(Follow)` of `follow.rs`.

use super::{InboxError, Received};
use crate::{
    app::AppState,
    domain::inbox::{Applied, ContactAnswer},
};
use activitypub_federation::config::Data;

/// An accepted request, ended by the person it asked.
pub struct CheckedRemoval<'a> {
    id: &'a str,
    request: ContactAnswer,
}

/// The routing found the request answered by the signer (only the person
/// asked may end it this way); it must be accepted.
pub async fn verify<'a>(
    r: &Received<'a>,
    request: ContactAnswer,
) -> Result<Option<CheckedRemoval<'a>>, InboxError> {
    if request.followed_id != r.signer.row.id {
        return Ok(None);
    }
    Ok(Some(CheckedRemoval {
        id: r.activity.id.as_str(),
        request,
    }))
}

/// Forgets the contact on the teacher's side.
pub async fn receive(data: &Data<AppState>, c: CheckedRemoval<'_>) -> Result<Applied, InboxError> {
    Ok(data
        .domain
        .receive_contact_removal(c.id, &c.request)
        .await?)
}
