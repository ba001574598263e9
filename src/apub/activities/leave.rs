//! `Leave` and `Remove` of a project member: on the host, a member of
//! another instance leaves, or a moderator there removes someone; on a
//! member's instance, a remote project removed a local teacher.

use super::{objects, InboxError, Received};
use crate::{
    app::AppState,
    domain::inbox::{ActorRow, Applied, ProjectRow},
};
use activitypub_federation::config::Data;
use preau_federation::activities::Activity;
use serde_json::Value;

/// A member leaving a project hosted here.
pub struct CheckedLeave<'a> {
    id: &'a str,
    raw: &'a Value,
    person: &'a ActorRow,
    project: ProjectRow,
}

/// The routing found the project; whether the signer is a member is the
/// domain's to say.
pub async fn verify_host<'a>(
    r: &Received<'a>,
    project: ProjectRow,
) -> Result<Option<CheckedLeave<'a>>, InboxError> {
    Ok(Some(CheckedLeave {
        id: r.activity.id.as_str(),
        raw: r.raw,
        person: &r.signer.row,
        project,
    }))
}

/// Ends the membership.
pub async fn receive_host(
    data: &Data<AppState>,
    c: CheckedLeave<'_>,
) -> Result<Applied, InboxError> {
    Ok(data
        .domain
        .host_receive_leave(&c.project, c.person, c.raw, c.id)
        .await?)
}

/// A removal from a project hosted here.
pub struct CheckedHostRemoval<'a> {
    id: &'a str,
    raw: &'a Value,
    moderator: &'a ActorRow,
    target: ActorRow,
    project: ProjectRow,
}

/// The removed person (`object`) is read, or fetched.
pub async fn verify_host_removal<'a>(
    data: &Data<AppState>,
    r: &Received<'a>,
    project: ProjectRow,
) -> Result<Option<CheckedHostRemoval<'a>>, InboxError> {
    let target = r
        .activity
        .object_id()
        .ok_or_else(InboxError::invalid_object)?;
    let target = objects::actor_at(data, &target).await?.row;
    Ok(Some(CheckedHostRemoval {
        id: r.activity.id.as_str(),
        raw: r.raw,
        moderator: &r.signer.row,
        target,
        project,
    }))
}

/// Removes the member, if the signer may.
pub async fn receive_host_removal(
    data: &Data<AppState>,
    c: CheckedHostRemoval<'_>,
) -> Result<Applied, InboxError> {
    Ok(data
        .domain
        .host_remove(&c.project, c.moderator, &c.target, c.raw, Some(c.id))
        .await?)
}

/// A local teacher removed from a remote project.
pub struct CheckedRemovedHere<'a> {
    received: &'a str,
    project: &'a ProjectRow,
    person: ActorRow,
}

/// A `Remove` sent directly: only the project's server speaks of
/// removals from it (inside the project's `Announce`, the project vouches
/// for whoever removed).
pub async fn verify_removed_directly<'a>(
    data: &Data<AppState>,
    r: &Received<'a>,
    project: &'a ProjectRow,
) -> Result<Option<CheckedRemovedHere<'a>>, InboxError> {
    if crate::apub::actors::host_of(&r.activity.actor) != project.actor.domain {
        return Ok(None);
    }
    verify_removed_here(data, r.activity, project, r.activity.id.as_str()).await
}

/// The removed person must be a local teacher. `received` is the id
/// recorded as applied (the project's `Announce`, when the removal came
/// inside one).
pub async fn verify_removed_here<'a>(
    data: &Data<AppState>,
    remove: &Activity,
    project: &'a ProjectRow,
    received: &'a str,
) -> Result<Option<CheckedRemovedHere<'a>>, InboxError> {
    let Some(target) = remove.object_id() else {
        return Ok(None);
    };
    let person = data.domain.local_actor_at(target.as_str()).await?;
    Ok(person.map(|person| CheckedRemovedHere {
        received,
        project,
        person,
    }))
}

/// Records the removal on the mirror.
pub async fn receive_removed_here(
    data: &Data<AppState>,
    c: CheckedRemovedHere<'_>,
) -> Result<Applied, InboxError> {
    Ok(data
        .domain
        .mirror_receive_removal(c.received, c.project, &c.person)
        .await?)
}
