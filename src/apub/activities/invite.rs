//! `Invite` into a project: on the host, a member of another instance
//! invites someone; on a member's instance, a local teacher is invited
//! into a remote project (directly by an inviter on the project's server,
//! or announced by the project).

use super::{objects, InboxError, Received};
use crate::{
    app::AppState,
    domain::inbox::{ActorRow, Applied, ProjectRow},
};
use activitypub_federation::config::Data;
use axum::http::StatusCode;
use preau_federation::activities::Activity;
use serde_json::Value;

fn invalid_target() -> InboxError {
    InboxError::new(StatusCode::BAD_REQUEST, "invalid_target")
}

/// An invitation into a project hosted here.
pub struct CheckedHostInvite<'a> {
    id: &'a str,
    raw: &'a Value,
    inviter: &'a ActorRow,
    invitee: ActorRow,
    project: ProjectRow,
}

/// The invitee (`target`) is read, or fetched.
pub async fn verify_host<'a>(
    data: &Data<AppState>,
    r: &Received<'a>,
    project: ProjectRow,
) -> Result<Option<CheckedHostInvite<'a>>, InboxError> {
    let target = r.activity.target_id().ok_or_else(invalid_target)?;
    let invitee = objects::actor_at(data, &target).await?;
    Ok(Some(CheckedHostInvite {
        id: r.activity.id.as_str(),
        raw: r.raw,
        inviter: &r.signer.row,
        invitee: invitee.row,
        project,
    }))
}

/// Records the invitation, if the inviter may invite.
pub async fn receive_host(
    data: &Data<AppState>,
    c: CheckedHostInvite<'_>,
) -> Result<Applied, InboxError> {
    Ok(data
        .domain
        .host_invite(&c.project, c.inviter, &c.invitee, c.id, c.raw, Some(c.id))
        .await?)
}

/// An invitation of a local teacher into a remote project.
pub struct CheckedMirrorInvite<'a> {
    received: &'a str,
    invite_id: &'a str,
    project: &'a ProjectRow,
    invitee: ActorRow,
    inviter: ActorRow,
}

/// Only the project's server vouches for an invitation into it; the
/// invitee must be a local teacher, the inviter is read or fetched.
/// `received` is the id recorded as applied (the project's `Announce`,
/// when the invitation came inside one).
pub async fn verify_mirror<'a>(
    data: &Data<AppState>,
    invite: &'a Activity,
    sender: &ActorRow,
    project: &'a ProjectRow,
    received: Option<&'a str>,
) -> Result<Option<CheckedMirrorInvite<'a>>, InboxError> {
    data.domain.check_invitation_sender(sender, project)?;
    let target = invite.target_id().ok_or_else(invalid_target)?;
    let Some(invitee) = data.domain.local_actor_at(target.as_str()).await? else {
        return Ok(None);
    };
    let inviter = objects::actor_at(data, &invite.actor).await?.row;
    Ok(Some(CheckedMirrorInvite {
        received: received.unwrap_or(invite.id.as_str()),
        invite_id: invite.id.as_str(),
        project,
        invitee,
        inviter,
    }))
}

/// Records the invitation on the mirror.
pub async fn receive_mirror(
    data: &Data<AppState>,
    c: CheckedMirrorInvite<'_>,
) -> Result<Applied, InboxError> {
    Ok(data
        .domain
        .mirror_receive_invitation(c.received, c.project, (&c.invitee, &c.inviter), c.invite_id)
        .await?)
}
