//! `Follow` and its `Undo`: a contact request to a local teacher (it waits
//! in their "Mes demandes"), a follow of a local forum (accepted at once),
//! and their withdrawal.

use super::{Content, InboxError, Received};
use crate::{
    app::AppState,
    domain::inbox::{ActorRow, Applied, ForumRow},
};
use activitypub_federation::config::Data;
use serde_json::Value;

/// A contact request (or its withdrawal) to a local teacher.
pub struct CheckedContact<'a> {
    id: &'a str,
    sender: &'a ActorRow,
    person: ActorRow,
}

/// A `Follow` of a local teacher: nothing more to check here.
pub async fn verify_contact<'a>(
    r: &Received<'a>,
    person: ActorRow,
) -> Result<Option<CheckedContact<'a>>, InboxError> {
    Ok(Some(CheckedContact {
        id: r.activity.id.as_str(),
        sender: &r.signer.row,
        person,
    }))
}

/// Records the request.
pub async fn receive_contact(
    data: &Data<AppState>,
    c: CheckedContact<'_>,
) -> Result<Applied, InboxError> {
    Ok(data
        .domain
        .receive_contact_request(c.id, c.sender, &c.person)
        .await?)
}

/// An `Undo(Follow)` of a local teacher (the target checks the undone
/// follow is the sender's).
pub async fn verify_contact_undo<'a>(
    r: &Received<'a>,
    person: ActorRow,
) -> Result<Option<CheckedContact<'a>>, InboxError> {
    verify_contact(r, person).await
}

/// Withdraws the request or ends the contact.
pub async fn receive_contact_undo(
    data: &Data<AppState>,
    c: CheckedContact<'_>,
) -> Result<Applied, InboxError> {
    Ok(data
        .domain
        .receive_contact_undo(c.id, c.sender, &c.person)
        .await?)
}

/// A follow of a local forum.
pub struct CheckedForumFollow<'a> {
    id: &'a str,
    follower: &'a ActorRow,
    forum: ForumRow,
    follow: &'a Value,
}

/// The followed forum must be a local one.
pub async fn verify_forum<'a>(
    data: &Data<AppState>,
    r: &Received<'a>,
) -> Result<Option<CheckedForumFollow<'a>>, InboxError> {
    let target = r
        .activity
        .object_id()
        .ok_or_else(InboxError::invalid_object)?;
    let forum = data.domain.forum_at(target.as_str()).await?;
    Ok(forum
        .filter(|forum| forum.actor.is_local())
        .map(|forum| CheckedForumFollow {
            id: r.activity.id.as_str(),
            follower: &r.signer.row,
            forum,
            follow: r.raw,
        }))
}

/// Accepts the follow (the `Accept` goes back to the follower).
pub async fn receive_forum(
    data: &Data<AppState>,
    c: CheckedForumFollow<'_>,
) -> Result<Applied, InboxError> {
    Ok(data
        .domain
        .receive_follow(c.id, &c.forum, c.follower, c.follow)
        .await?)
}

/// An `Undo(Follow)` of a forum.
pub struct CheckedForumUnfollow<'a> {
    id: &'a str,
    follower: &'a ActorRow,
    forum: ForumRow,
}

/// The forum `object` must be known.
pub async fn verify_forum_undo<'a>(
    data: &Data<AppState>,
    c: &Content<'a>,
    object: String,
) -> Result<Option<CheckedForumUnfollow<'a>>, InboxError> {
    let forum = data.domain.forum_at(&object).await?;
    Ok(forum.map(|forum| CheckedForumUnfollow {
        id: c.activity.id.as_str(),
        follower: &c.actor.row,
        forum,
    }))
}

/// The follower stops receiving the forum's posts.
pub async fn receive_forum_undo(
    data: &Data<AppState>,
    c: CheckedForumUnfollow<'_>,
) -> Result<Applied, InboxError> {
    Ok(data
        .domain
        .receive_unfollow(c.id, &c.forum, c.follower)
        .await?)
}
