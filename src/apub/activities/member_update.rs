//! `Update` of a `Member`: the owner of a project hosted here, on another
//! instance, changes a member's role.

use super::{objects, InboxError, Received};
use crate::{
    app::AppState,
    domain::{
        inbox::{ActorRow, Applied, MemberState, ProjectRow, Role},
        projects::row_role,
    },
};
use activitypub_federation::config::Data;
use axum::http::StatusCode;
use preau_federation::projects::Member;
use serde_json::Value;

/// A role change in a project hosted here.
pub struct CheckedRoleChange<'a> {
    id: &'a str,
    raw: &'a Value,
    owner: &'a ActorRow,
    target: ActorRow,
    role: Role,
    project: ProjectRow,
}

/// The `Member` must parse and name a role of a member (not an
/// invitation or request); the member is read, or fetched.
pub async fn verify<'a>(
    data: &Data<AppState>,
    r: &Received<'a>,
    project: ProjectRow,
) -> Result<Option<CheckedRoleChange<'a>>, InboxError> {
    let member: Member = r
        .activity
        .parse_object()
        .map_err(|_| InboxError::invalid_object())?;
    let target = objects::actor_at(data, &member.actor).await?.row;
    let (role, state) = row_role(member.role);
    if state != MemberState::Member {
        return Err(InboxError::new(StatusCode::BAD_REQUEST, "invalid_role"));
    }
    Ok(Some(CheckedRoleChange {
        id: r.activity.id.as_str(),
        raw: r.raw,
        owner: &r.signer.row,
        target,
        role,
        project,
    }))
}

/// Changes the role, if the signer owns the project.
pub async fn receive(
    data: &Data<AppState>,
    c: CheckedRoleChange<'_>,
) -> Result<Applied, InboxError> {
    Ok(data
        .domain
        .host_change_role(&c.project, c.owner, &c.target, c.role, c.raw, Some(c.id))
        .await?)
}
