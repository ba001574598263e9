//! `Update`: an author's edit of a post, and a remote project's change of
//! its own description (its mirror is read again).

use super::{objects, Content, InboxError};
use crate::{
    app::AppState,
    apub::projects::refresh_project_actor,
    domain::inbox::{Applied, ProjectRow},
};
use activitypub_federation::config::Data;
use preau_federation::objects::Post;
use url::Url;

/// The new version of a post, and who vouches for it.
pub struct CheckedEdit<'a> {
    content: &'a Content<'a>,
    post: Post,
    fetched: bool,
    sender: Url,
}

/// Sent directly, the signer vouches for its own post; relayed by a forum,
/// the new version is fetched from its origin unless it lives on the
/// forum's own server. An update of anything but a post is ignored.
pub async fn verify_post<'a>(
    data: &Data<AppState>,
    c: &'a Content<'a>,
) -> Result<Option<CheckedEdit<'a>>, InboxError> {
    if c.activity.parse_object::<Post>().is_err() {
        return Ok(None);
    }
    let sender = c.sender()?;
    let (post, fetched) = objects::post_of(data, &c.activity.object, &sender).await?;
    Ok(Some(CheckedEdit {
        content: c,
        post,
        fetched,
        sender,
    }))
}

/// Applies the edit.
pub async fn receive_post(
    data: &Data<AppState>,
    c: CheckedEdit<'_>,
) -> Result<Applied, InboxError> {
    let provenance = objects::provenance(&c.post, c.fetched, &c.sender);
    let content = c.content;
    Ok(data
        .domain
        .receive_update(
            content.activity.id.as_str(),
            &content.actor.row,
            &c.post,
            content.raw,
            content.relay(),
            provenance,
        )
        .await?)
}

/// The routing found the project (the signer, mirrored here).
pub async fn verify_project(project: ProjectRow) -> Result<Option<ProjectRow>, InboxError> {
    Ok(Some(project))
}

/// Reads the project's description again from its host.
pub async fn receive_project(
    data: &Data<AppState>,
    project: ProjectRow,
) -> Result<Applied, InboxError> {
    refresh_project_actor(data, &project).await;
    Ok(Applied::Applied)
}
