//! `Create`: a thread or reply in a forum (sent directly to a local forum,
//! or relayed by a remote one), and a members-only object created in a
//! project hosted here.

use super::{objects, Content, InboxError, Received};
use crate::{
    app::AppState,
    apub::{
        backfill,
        project_received::{embedded_object_id, parse_object},
    },
    domain::{
        inbox::{Applied, ForumRow, ProjectRow},
        project_content::ReceivedObject,
        provenance::Provenance,
    },
};
use activitypub_federation::config::Data;
use preau_federation::objects::Post;
use url::Url;

/// A post, its forum and who vouches for its text.
pub struct CheckedPost<'a> {
    content: &'a Content<'a>,
    post: Post,
    fetched: bool,
    sender: Url,
    forum: ForumRow,
}

/// Content from the sender's (or relaying forum's) own server is taken as
/// delivered; anything else is fetched from its origin. Sent directly,
/// the post must be for a local forum, or for a forum elsewhere that this
/// instance knows when the post mentions a local teacher (Mastodon sends
/// a post to the people it mentions).
pub async fn verify_post<'a>(
    data: &Data<AppState>,
    c: &'a Content<'a>,
) -> Result<Option<CheckedPost<'a>>, InboxError> {
    let sender = c.sender()?;
    let (post, fetched) = objects::post_of(data, &c.activity.object, &sender).await?;
    let forum = match c.relaying_forum {
        Some(forum) => forum.clone(),
        None => match data.domain.forum_for_post(&post).await? {
            Some(forum) if forum.actor.is_local() => forum,
            Some(forum) if data.domain.mentions_local_person(&post).await? => forum,
            _ => return Ok(None),
        },
    };
    Ok(Some(CheckedPost {
        content: c,
        post,
        fetched,
        sender,
        forum,
    }))
}

/// Stores the post. A relayed reply to something this instance never saw
/// (it followed the forum late) has its missing ancestors fetched first.
pub async fn receive_post(
    data: &Data<AppState>,
    c: CheckedPost<'_>,
) -> Result<Applied, InboxError> {
    if c.content.relaying_forum.is_some() {
        if let Err(error) = backfill::ensure_ancestors(data, &c.forum, &c.post).await {
            tracing::info!(%error, id = %c.post.id, "inbox: ancestors unavailable");
        }
    }
    let provenance = objects::provenance(&c.post, c.fetched, &c.sender);
    let activity = c.content.activity;
    Ok(data
        .domain
        .receive_post(
            activity.id.as_str(),
            &c.forum,
            &c.content.actor.row,
            &c.post,
            c.content.raw,
            provenance,
        )
        .await?)
}

/// An object created in a project hosted here, by a member, read from
/// the activity.
pub struct CheckedProjectObject<'a> {
    received: &'a Received<'a>,
    project: ProjectRow,
    object: ReceivedObject,
}

/// The routing found the project (the `Create`'s audience, hosted here).
/// Its sender must be a member (403 `not_project_member`), the author of
/// the object, delivered from the object's own server.
pub async fn verify_project<'a>(
    data: &Data<AppState>,
    r: &'a Received<'a>,
    project: ProjectRow,
) -> Result<Option<CheckedProjectObject<'a>>, InboxError> {
    data.domain
        .require_project_member_actor(&project, r.signer.row.id)
        .await?;
    let activity = r.activity;
    let (object, object_id) = embedded_object_id(activity)?;
    data.domain.check_authorship(
        &activity.actor,
        &object_id,
        Provenance::DeliveredBy(&activity.actor),
    )?;
    let object = parse_object(
        object,
        &activity.actor,
        &project,
        data.domain.clock().now_ms(),
    )
    .await?;
    Ok(Some(CheckedProjectObject {
        received: r,
        project,
        object,
    }))
}

/// Stores the object in the project.
pub async fn receive_project(
    data: &Data<AppState>,
    c: CheckedProjectObject<'_>,
) -> Result<Applied, InboxError> {
    let r = c.received;
    Ok(data
        .domain
        .receive_project_object(
            r.activity.id.as_str(),
            &c.project,
            &r.signer.row,
            c.object,
            r.raw,
        )
        .await?)
}
