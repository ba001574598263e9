//! `Announce`: a remote forum someone here follows relays an activity
//! (FEP-1b12), applied as content the forum vouches for; a remote project
//! announces what happened in it (invitations and removals of local
//! teachers are recorded at once, then the mirror is read again).

use super::{invite, leave, objects, route_content, Content, InboxError, Received};
use crate::{
    app::AppState,
    apub::{
        actors::DbActor,
        policy,
        project_content::mirror_receive_create,
        projects::{refresh_project_actor, spawn_refresh},
    },
    domain::inbox::{Applied, ForumRow, ProjectRow},
};
use activitypub_federation::config::Data;
use axum::http::StatusCode;
use preau_federation::activities::{Activity, ActivityKind};
use serde_json::Value;

/// An activity relayed by a remote forum, with its verified actor.
pub struct CheckedRelay {
    forum: ForumRow,
    inner: Activity,
    actor: DbActor,
    inner_raw: Value,
}

/// Only forums someone here follows are listened to; a relay never
/// speaks for a local teacher, nor lets in a refused instance's activity.
pub async fn verify_forum(
    data: &Data<AppState>,
    r: &Received<'_>,
) -> Result<Option<CheckedRelay>, InboxError> {
    let Some(forum) = data.domain.listened_forum_at(&r.signer.row.ap_id).await? else {
        return Ok(None);
    };
    let Some(inner) = r.activity.inner_activity() else {
        return Ok(None);
    };
    if objects::is_local(data, &inner.actor) {
        // What a local teacher did is already applied here.
        return Ok(None);
    }
    if objects::host_and_port(&inner.id) != objects::host_and_port(&inner.actor) {
        return Err(InboxError::new(
            StatusCode::FORBIDDEN,
            "activity_id_foreign",
        ));
    }
    let refusal = data
        .domain
        .federation_refusal(&policy::host_of(&inner.actor))
        .await?;
    if refusal.is_some() {
        return Ok(None);
    }
    let actor = if inner.actor.as_str() == forum.actor.ap_id {
        r.signer.clone()
    } else {
        objects::actor_at(data, &inner.actor).await?
    };
    let inner_raw = r
        .activity
        .embedded_object()
        .cloned()
        .unwrap_or_else(|| serde_json::to_value(&inner).unwrap_or_default());
    Ok(Some(CheckedRelay {
        forum,
        inner,
        actor,
        inner_raw,
    }))
}

/// Applies the relayed activity as content of the forum.
pub async fn receive_forum(data: &Data<AppState>, c: CheckedRelay) -> Result<Applied, InboxError> {
    let content = Content {
        activity: &c.inner,
        actor: &c.actor,
        raw: &c.inner_raw,
        relaying_forum: Some(&c.forum),
    };
    Box::pin(route_content(data, &content)).await
}

/// What a remote project announced.
pub struct CheckedProjectAnnounce<'a> {
    announce: &'a Activity,
    project: ProjectRow,
}

/// The routing found the announcing project (the signer, a mirror here).
pub async fn verify_project<'a>(
    r: &Received<'a>,
    project: ProjectRow,
) -> Result<Option<CheckedProjectAnnounce<'a>>, InboxError> {
    Ok(Some(CheckedProjectAnnounce {
        announce: r.activity,
        project,
    }))
}

/// Applies what concerns this instance, then reads the mirror again from
/// the host if it counts this instance in.
pub async fn receive_project(
    data: &Data<AppState>,
    c: CheckedProjectAnnounce<'_>,
) -> Result<Applied, InboxError> {
    let received = c.announce.id.as_str();
    let project = &c.project;
    let applied = match c.announce.inner_activity() {
        Some(inner) if inner.kind == ActivityKind::Invite => {
            let verified =
                invite::verify_mirror(data, &inner, &project.actor, project, Some(received));
            match verified.await? {
                Some(checked) => invite::receive_mirror(data, checked).await?,
                None => Applied::Ignored,
            }
        }
        Some(inner) if inner.kind == ActivityKind::Remove => {
            match leave::verify_removed_here(data, &inner, project, received).await? {
                Some(checked) => leave::receive_removed_here(data, checked).await?,
                None => Applied::Ignored,
            }
        }
        Some(inner) if inner.kind == ActivityKind::Create => {
            return mirror_receive_create(data, received, &inner, project).await;
        }
        Some(inner) if super::project_change::is_content_change(&inner) => {
            return super::project_change::mirror_receive(data, received, &inner, project).await;
        }
        Some(inner)
            if inner.kind == ActivityKind::Update
                && inner
                    .object_id()
                    .is_some_and(|o| o.as_str() == project.actor.ap_id) =>
        {
            refresh_project_actor(data, project).await;
            Applied::Applied
        }
        _ => Applied::Applied,
    };
    // Who is in, and what happened, as the host says.
    if data.domain.mirror_involves_us(project).await {
        spawn_refresh(data, project.clone());
    }
    Ok(applied)
}
