//! `Join`: a teacher of another instance asks to join a project hosted
//! here (or joins it, if it is open).

use super::{InboxError, Received};
use crate::{
    app::AppState,
    domain::inbox::{ActorRow, Applied, ProjectRow},
};
use activitypub_federation::config::Data;
use serde_json::Value;

/// A join request to a project hosted here.
pub struct CheckedJoin<'a> {
    id: &'a str,
    raw: &'a Value,
    person: &'a ActorRow,
    project: ProjectRow,
}

/// The routing found the project; the domain decides the rest.
pub async fn verify_host<'a>(
    r: &Received<'a>,
    project: ProjectRow,
) -> Result<Option<CheckedJoin<'a>>, InboxError> {
    Ok(Some(CheckedJoin {
        id: r.activity.id.as_str(),
        raw: r.raw,
        person: &r.signer.row,
        project,
    }))
}

/// Records the request (or the membership).
pub async fn receive_host(
    data: &Data<AppState>,
    c: CheckedJoin<'_>,
) -> Result<Applied, InboxError> {
    Ok(data
        .domain
        .host_join(&c.project, c.person, c.id, c.raw, Some(c.id))
        .await?)
}
