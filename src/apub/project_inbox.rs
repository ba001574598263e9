//! What the inbox does with project activities: `Invite`, `Join`,
//! `Leave`, `Accept`/`Reject` of an invitation or a join request,
//! `Remove`, role `Update`s and `Create`s of members-only objects on the
//! project's host; invitations, answers, removals and the project's
//! `Announce`s on a member's instance, which then reads its mirror again.

use super::{
    actors::{host_of, DbActor},
    projects::{refresh_project_actor, spawn_refresh},
};
use crate::{
    app::AppState,
    domain::{inbox::Applied, projects::row_role, DomainError},
    error::AppError,
    store::{
        now_ms,
        projects::{MemberState, NewMember, ProjectRow, Role},
    },
};
use activitypub_federation::{config::Data, fetch::object_id::ObjectId};
use axum::{http::StatusCode, response::Response};
use preau_federation::{
    activities::{Activity, ActivityKind},
    projects::Member,
};
use serde_json::Value;
use url::Url;

fn refuse(status: StatusCode, code: &'static str) -> Response {
    AppError::new(status, code).into_response_json()
}

fn domain_refusal(error: DomainError) -> Response {
    match error {
        DomainError::Refused(refusal) => refuse(crate::error::status_of(&refusal), refusal.code()),
        other => AppError::from(other).into_response_json(),
    }
}

/// The project a URL names: known already, or fetched (a remote `Group`
/// of the project kind).
async fn project_at(data: &Data<AppState>, url: &Url) -> Result<Option<ProjectRow>, Response> {
    match data.domain.store.project_by_ap_id(url.as_str()).await {
        Ok(Some(project)) => return Ok(Some(project)),
        Ok(None) => {}
        Err(error) => return Err(AppError::from(error).into_response_json()),
    }
    if host_of(url) == data.domain.settings.instance.domain {
        return Ok(None);
    }
    let id: ObjectId<DbActor> = url.clone().into();
    if let Err(error) = id.dereference(data).await {
        tracing::info!(%error, %url, "project unavailable");
        return Ok(None);
    }
    data.domain
        .store
        .project_by_ap_id(url.as_str())
        .await
        .map_err(|error| AppError::from(error).into_response_json())
}

async fn actor_at(data: &Data<AppState>, url: &Url) -> Result<DbActor, Response> {
    let id: ObjectId<DbActor> = url.clone().into();
    id.dereference(data).await.map_err(|error| {
        tracing::info!(%error, %url, "inbox: actor unavailable");
        refuse(StatusCode::BAD_REQUEST, "actor_unavailable")
    })
}

/// Handles the project activities of the inbox; `None` when the activity
/// is not about a project (forums handle it then).
pub async fn dispatch(
    data: &Data<AppState>,
    activity: &Activity,
    raw: &Value,
    signer: &DbActor,
) -> Option<Result<Applied, Response>> {
    let domain = &data.domain;
    let id = activity.id.as_str();
    // Nothing of a project is public, and a forum's follow is not a
    // membership: forum traffic (the inbox's hot path) leaves at once,
    // without a query.
    if activity.is_public() {
        return None;
    }
    if matches!(
        activity.kind,
        ActivityKind::Accept | ActivityKind::Reject | ActivityKind::Undo
    ) && activity
        .embedded_object()
        .and_then(|o| o.get("type"))
        .and_then(Value::as_str)
        .is_some_and(|kind| kind == "Follow")
    {
        return None;
    }
    let result = match &activity.kind {
        ActivityKind::Invite | ActivityKind::Join | ActivityKind::Leave => {
            let project_url = activity.object_id()?;
            let project = match project_at(data, &project_url).await {
                Ok(Some(project)) => project,
                Ok(None) => return None,
                Err(response) => return Some(Err(response)),
            };
            if project.actor.is_local() {
                host_receive(data, activity, raw, signer, &project).await
            } else if activity.kind == ActivityKind::Invite {
                invited_here(data, activity, signer, &project, None).await
            } else {
                Ok(Applied::Ignored)
            }
        }
        ActivityKind::Accept | ActivityKind::Reject => {
            let accept = activity.kind == ActivityKind::Accept;
            let object = activity.object_id()?;
            let row = match domain.store.member_by_activity(object.as_str()).await {
                Ok(row) => row?,
                Err(error) => return Some(Err(AppError::from(error).into_response_json())),
            };
            let project = match domain.store.project(row.project_id).await {
                Ok(project) => project?,
                Err(error) => return Some(Err(AppError::from(error).into_response_json())),
            };
            if project.actor.is_local() {
                let person = match domain.store.actor_by_id(row.actor_id).await {
                    Ok(Some(person)) => person,
                    Ok(None) => return Some(Ok(Applied::Ignored)),
                    Err(error) => return Some(Err(AppError::from(error).into_response_json())),
                };
                let result = match row.state {
                    MemberState::Invited if person.id == signer.row.id => {
                        domain
                            .host_answer_invitation(&project, &person, &row, accept, raw, Some(id))
                            .await
                    }
                    MemberState::Requested if person.id != signer.row.id => {
                        domain
                            .host_decide_join(
                                &project,
                                &signer.row,
                                &person,
                                &row,
                                accept,
                                Some(id),
                            )
                            .await
                    }
                    _ => Err(crate::domain::Refusal::NothingToAnswer.into()),
                };
                result.map_err(domain_refusal)
            } else if signer.row.ap_id == project.actor.ap_id {
                // The project answers a local teacher's join request.
                let member = NewMember {
                    actor_id: row.actor_id,
                    role: Role::Member,
                    state: if accept {
                        MemberState::Member
                    } else {
                        MemberState::Rejected
                    },
                    activity_id: None,
                    invited_by: None,
                    updated_at: now_ms(),
                };
                let applied = domain
                    .record_remote_membership(id, &project, &member)
                    .await
                    .map_err(domain_refusal);
                if accept {
                    spawn_refresh(data, project);
                }
                applied
            } else {
                Ok(Applied::Ignored)
            }
        }
        ActivityKind::Remove => {
            let group = activity.target_id().or_else(|| {
                activity.origin.as_ref().and_then(|o| {
                    o.as_str().and_then(|s| Url::parse(s).ok()).or_else(|| {
                        o.get("id")
                            .and_then(Value::as_str)
                            .and_then(|s| Url::parse(s).ok())
                    })
                })
            })?;
            let project = match domain.store.project_by_ap_id(group.as_str()).await {
                Ok(project) => project?,
                Err(error) => return Some(Err(AppError::from(error).into_response_json())),
            };
            if project.actor.is_local() {
                host_receive(data, activity, raw, signer, &project).await
            } else if host_of(&activity.actor) == project.actor.domain {
                removed_here(data, activity, &project, id).await
            } else {
                Ok(Applied::Ignored)
            }
        }
        ActivityKind::Update
            if activity
                .object_id()
                .is_some_and(|o| o.as_str() == signer.row.ap_id) =>
        {
            // A project changed its own description: read it again.
            match domain.store.project_by_ap_id(&signer.row.ap_id).await {
                Ok(Some(project)) if !project.actor.is_local() => {
                    refresh_project_actor(data, &project).await;
                    Ok(Applied::Applied)
                }
                Ok(_) => return None,
                Err(error) => return Some(Err(AppError::from(error).into_response_json())),
            }
        }
        ActivityKind::Update => {
            let object = activity.embedded_object()?;
            if object.get("type").and_then(Value::as_str) == Some("Member") {
                let member: Member = match serde_json::from_value(object.clone()) {
                    Ok(member) => member,
                    Err(_) => return Some(Err(refuse(StatusCode::BAD_REQUEST, "invalid_object"))),
                };
                let project = match domain.store.project_by_ap_id(member.object.as_str()).await {
                    Ok(project) => project?,
                    Err(error) => return Some(Err(AppError::from(error).into_response_json())),
                };
                if !project.actor.is_local() {
                    return Some(Ok(Applied::Ignored));
                }
                host_receive(data, activity, raw, signer, &project).await
            } else {
                return None;
            }
        }
        ActivityKind::Create => {
            let audience = super::project_content::audience_of(activity)?;
            let project = match domain.store.project_by_ap_id(audience.as_str()).await {
                Ok(project) => project?,
                Err(error) => return Some(Err(AppError::from(error).into_response_json())),
            };
            if project.actor.is_local() {
                super::project_content::host_receive_create(data, activity, raw, signer, &project)
                    .await
            } else {
                Ok(Applied::Ignored)
            }
        }
        ActivityKind::Announce => {
            let project = match domain.store.project_by_ap_id(&signer.row.ap_id).await {
                Ok(project) => project?,
                Err(error) => return Some(Err(AppError::from(error).into_response_json())),
            };
            if project.actor.is_local() {
                return Some(Ok(Applied::Ignored));
            }
            announced_here(data, activity, &project).await
        }
        _ => return None,
    };
    Some(result)
}

/// On the host: a membership activity from another instance.
async fn host_receive(
    data: &Data<AppState>,
    activity: &Activity,
    raw: &Value,
    signer: &DbActor,
    project: &ProjectRow,
) -> Result<Applied, Response> {
    let domain = &data.domain;
    let id = activity.id.as_str();
    let result = match &activity.kind {
        ActivityKind::Invite => {
            let Some(target) = activity.target_id() else {
                return Err(refuse(StatusCode::BAD_REQUEST, "invalid_target"));
            };
            let invitee = actor_at(data, &target).await?;
            domain
                .host_invite(project, &signer.row, &invitee.row, id, raw, Some(id))
                .await
        }
        ActivityKind::Join => {
            domain
                .host_join(project, &signer.row, id, raw, Some(id))
                .await
        }
        ActivityKind::Leave => match domain.store.member(project.actor.id, signer.row.id).await {
            Ok(Some(row)) => {
                domain
                    .host_leave(project, &signer.row, &row, raw, Some(id))
                    .await
            }
            Ok(None) => Err(crate::domain::Refusal::NotCurrentMember.into()),
            Err(error) => Err(error.into()),
        },
        ActivityKind::Remove => {
            let Some(target) = activity.object_id() else {
                return Err(refuse(StatusCode::BAD_REQUEST, "invalid_object"));
            };
            let target = actor_at(data, &target).await?;
            domain
                .host_remove(project, &signer.row, &target.row, raw, Some(id))
                .await
        }
        ActivityKind::Update => {
            let member: Member = activity
                .parse_object()
                .map_err(|_| refuse(StatusCode::BAD_REQUEST, "invalid_object"))?;
            let target = actor_at(data, &member.actor).await?;
            let (role, state) = row_role(member.role);
            if state != MemberState::Member {
                return Err(refuse(StatusCode::BAD_REQUEST, "invalid_role"));
            }
            domain
                .host_change_role(project, &signer.row, &target.row, role, raw, Some(id))
                .await
        }
        _ => Ok(Applied::Ignored),
    };
    result.map_err(domain_refusal)
}

/// A local teacher is invited into a remote project: directly by an
/// inviter on the project's own server, or announced by the project.
async fn invited_here(
    data: &Data<AppState>,
    invite: &Activity,
    sender: &DbActor,
    project: &ProjectRow,
    received: Option<&str>,
) -> Result<Applied, Response> {
    // Only the project's server vouches for an invitation into it.
    if sender.row.domain != project.actor.domain {
        return Err(refuse(StatusCode::FORBIDDEN, "invite_not_from_project"));
    }
    let Some(target) = invite.target_id() else {
        return Err(refuse(StatusCode::BAD_REQUEST, "invalid_target"));
    };
    let invitee = match data.domain.store.actor_by_ap_id(target.as_str()).await {
        Ok(Some(actor)) if actor.is_local() => actor,
        Ok(_) => return Ok(Applied::Ignored),
        Err(error) => return Err(AppError::from(error).into_response_json()),
    };
    let inviter = actor_at(data, &invite.actor).await?;
    let member = NewMember {
        actor_id: invitee.id,
        role: Role::Member,
        state: MemberState::Invited,
        activity_id: Some(invite.id.to_string()),
        invited_by: Some(inviter.row.id),
        updated_at: now_ms(),
    };
    data.domain
        .record_remote_membership(received.unwrap_or(invite.id.as_str()), project, &member)
        .await
        .map_err(domain_refusal)
}

/// A remote project removed a local teacher.
async fn removed_here(
    data: &Data<AppState>,
    remove: &Activity,
    project: &ProjectRow,
    received: &str,
) -> Result<Applied, Response> {
    let Some(target) = remove.object_id() else {
        return Ok(Applied::Ignored);
    };
    let person = match data.domain.store.actor_by_ap_id(target.as_str()).await {
        Ok(Some(person)) if person.is_local() => person,
        Ok(_) => return Ok(Applied::Ignored),
        Err(error) => return Err(AppError::from(error).into_response_json()),
    };
    let role = match data.domain.store.member(project.actor.id, person.id).await {
        Ok(row) => row.map(|r| r.role).unwrap_or(Role::Member),
        Err(error) => return Err(AppError::from(error).into_response_json()),
    };
    let member = NewMember {
        actor_id: person.id,
        role,
        state: MemberState::Removed,
        activity_id: None,
        invited_by: None,
        updated_at: now_ms(),
    };
    data.domain
        .record_remote_membership(received, project, &member)
        .await
        .map_err(domain_refusal)
}

/// What a remote project announces: invitations of local teachers are
/// recorded at once; then the mirror is read again from the host.
async fn announced_here(
    data: &Data<AppState>,
    announce: &Activity,
    project: &ProjectRow,
) -> Result<Applied, Response> {
    let received = announce.id.as_str();
    let inner = announce.inner_activity();
    let applied = match &inner {
        Some(inner) if inner.kind == ActivityKind::Invite => {
            let project_actor = match DbActor::new(project.actor.clone(), None) {
                Ok(actor) => actor,
                Err(error) => return Err(AppError::internal(error).into_response_json()),
            };
            invited_here(data, inner, &project_actor, project, Some(received)).await?
        }
        Some(inner) if inner.kind == ActivityKind::Remove => {
            removed_here(data, inner, project, received).await?
        }
        Some(inner) if inner.kind == ActivityKind::Create => {
            return super::project_content::mirror_receive_create(data, received, inner, project)
                .await;
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
    let involved = data
        .domain
        .store
        .host_is_involved(project.actor.id, "")
        .await
        .unwrap_or(false);
    if involved {
        spawn_refresh(data, project.clone());
    }
    Ok(applied)
}
