//! `Accept` and `Reject`: of a local teacher's contact request (by the
//! person asked), of an invitation or join request (on the project's host,
//! or on a member's instance by the remote project), and of a local
//! teacher's follow of a remote forum (then the forum is backfilled).

use super::{InboxError, Received};
use crate::{
    app::AppState,
    apub::projects::spawn_refresh,
    domain::inbox::{ActorRow, Applied, ContactAnswer, ForumRow, MemberRow, ProjectRow},
};
use activitypub_federation::config::Data;
use preau_federation::activities::ActivityKind;
use serde_json::Value;
use url::Url;

/// An answer to a contact request or a membership.
pub struct CheckedAnswer<'a, T> {
    id: &'a str,
    accept: bool,
    signer: &'a ActorRow,
    raw: &'a Value,
    answered: T,
}

fn checked<'a, T>(r: &Received<'a>, answered: T) -> CheckedAnswer<'a, T> {
    CheckedAnswer {
        id: r.activity.id.as_str(),
        accept: r.activity.kind == ActivityKind::Accept,
        signer: &r.signer.row,
        raw: r.raw,
        answered,
    }
}

/// The routing found the request, answered by the person it asked.
pub async fn verify_contact<'a>(
    r: &Received<'a>,
    request: ContactAnswer,
) -> Result<Option<CheckedAnswer<'a, ContactAnswer>>, InboxError> {
    Ok(Some(checked(r, request)))
}

/// Records the answer.
pub async fn receive_contact(
    data: &Data<AppState>,
    c: CheckedAnswer<'_, ContactAnswer>,
) -> Result<Applied, InboxError> {
    Ok(data
        .domain
        .receive_contact_answer(c.id, &c.answered, c.accept)
        .await?)
}

/// The answered membership and its project; who may answer is the
/// domain's to decide.
pub async fn verify_membership<'a>(
    r: &Received<'a>,
    row: MemberRow,
    project: ProjectRow,
) -> Result<Option<CheckedAnswer<'a, (MemberRow, ProjectRow)>>, InboxError> {
    Ok(Some(checked(r, (row, project))))
}

/// On the host, the invitee's or a moderator's answer; on a member's
/// instance, the project's answer to a local teacher's join request (then
/// the mirror is read again).
pub async fn receive_membership(
    data: &Data<AppState>,
    c: CheckedAnswer<'_, (MemberRow, ProjectRow)>,
) -> Result<Applied, InboxError> {
    let (row, project) = c.answered;
    let domain = &data.domain;
    if project.actor.is_local() {
        let answer = (c.raw, c.id);
        return Ok(domain
            .host_receive_answer(&project, c.signer, &row, c.accept, answer)
            .await?);
    }
    let from_project = c.signer.ap_id == project.actor.ap_id;
    let applied = domain
        .mirror_receive_answer(c.id, (&project, c.signer), &row, c.accept)
        .await;
    if c.accept && from_project {
        spawn_refresh(data, project);
    }
    Ok(applied?)
}

/// A remote forum's acceptance of a local teacher's follow.
pub struct CheckedForumAccept<'a> {
    id: &'a str,
    forum: ForumRow,
    follower: ActorRow,
}

/// The accepted `Follow` (embedded, or only its id, then matched with the
/// follows this instance sent) must be a local teacher's, of the signing
/// forum.
pub async fn verify_forum_follow<'a>(
    data: &Data<AppState>,
    r: &Received<'a>,
) -> Result<Option<CheckedForumAccept<'a>>, InboxError> {
    let domain = &data.domain;
    let follower = match r.activity.inner_activity() {
        Some(inner) if inner.kind == ActivityKind::Follow => inner.actor,
        _ => {
            let follow_id = r
                .activity
                .object_id()
                .ok_or_else(InboxError::invalid_object)?;
            let follower = domain.follower_of(follow_id.as_str()).await?;
            match follower.and_then(|f| Url::parse(&f.ap_id).ok()) {
                Some(url) => url,
                None => return Ok(None),
            }
        }
    };
    let Some(forum) = domain.forum_at(&r.signer.row.ap_id).await? else {
        return Ok(None);
    };
    let follower = domain.local_actor_at(follower.as_str()).await?;
    Ok(follower.map(|follower| CheckedForumAccept {
        id: r.activity.id.as_str(),
        forum,
        follower,
    }))
}

/// Records the follow as accepted; the forum's recent threads are then
/// fetched in the background, bounded, so it is not empty here.
pub async fn receive_forum_follow(
    data: &Data<AppState>,
    c: CheckedForumAccept<'_>,
) -> Result<Applied, InboxError> {
    let applied = data
        .domain
        .receive_accept(c.id, &c.forum, &c.follower)
        .await?;
    if applied == Applied::Applied {
        let data = data.reset_request_count();
        let forum = c.forum;
        tokio::spawn(async move {
            match crate::apub::backfill::backfill_forum(&data, &forum).await {
                Ok(0) => {}
                Ok(stored) => {
                    tracing::info!(forum = %forum.actor.ap_id, stored, "forum backfilled")
                }
                Err(error) => {
                    tracing::info!(forum = %forum.actor.ap_id, %error, "forum backfill failed")
                }
            }
        });
    }
    Ok(applied)
}
