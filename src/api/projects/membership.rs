//! Membership of project spaces over the API: invite, answer an
//! invitation, join, leave, and a moderator's or owner's decisions on
//! someone's membership (accept, reject, remove, promote, demote). Each
//! answers with where the person now stands, as this instance records it.

use super::objects::{MemberEntry, Project, ProjectMembership};
use crate::api::{schema::ErrorBody, ApiJson, ApiUser};
use crate::extract::ApiPath;
use crate::{
    app::AppState,
    domain::rows::{AccountRow, ActorId, ActorRow, ProjectRow},
    error::AppError,
    web::projects::resolve_actor,
};
use activitypub_federation::config::Data;
use axum::{extract::State, http::StatusCode, Json};
use serde::Deserialize;
use utoipa::ToSchema;

/// Where `person` now stands in `project`, as this instance records it.
async fn membership_response(
    state: &AppState,
    project: &ProjectRow,
    person: &ActorRow,
) -> Result<Json<ProjectMembership>, AppError> {
    let labels = state.domain.labeller().await?;
    let membership = state
        .domain
        .membership_of(project, person)
        .await?
        .map(|view| MemberEntry::new(&view, &labels));
    Ok(Json(ProjectMembership {
        project: Project::new(project, &labels),
        membership,
    }))
}

async fn actor_of(state: &AppState, account: &AccountRow) -> Result<ActorRow, AppError> {
    Ok(state.domain.actor_of(account).await?)
}

/// `POST /api/v1/projects/{name}/invite` body.
#[derive(Deserialize, ToSchema)]
pub struct ProjectInvite {
    /// A local name, `name@domain` or an actor URL.
    handle: String,
}

/// `POST /api/v1/projects/{name}/invite`: a member invites a teacher by
/// handle or URL.
#[utoipa::path(
    post,
    path = "/projects/{name}/invite",
    tag = "projects",
    security(("bearer" = [])),
    params(("name" = String, Path, description = "The project")),
    request_body = ProjectInvite,
    responses(
        (status = 201, description = "The invitee's membership as recorded here (`invited`)", body = ProjectMembership),
        (status = 400, description = "`invalid_json`, `invalid_handle`", body = ErrorBody),
        (status = 401, description = "`unauthorized`", body = ErrorBody),
        (status = 403, description = "`not_project_member`, `member_level_too_low`", body = ErrorBody),
        (status = 404, description = "`not_found`, `handle_unknown`", body = ErrorBody),
        (status = 409, description = "`already_member`, `already_invited`", body = ErrorBody),
        (status = 422, description = "`not_a_person`", body = ErrorBody),
        (status = 502, description = "`host_unreachable`, `lookup_failed`", body = ErrorBody),
    ),
)]
pub async fn invite_member(
    data: Data<AppState>,
    user: ApiUser,
    ApiPath(name): ApiPath<String>,
    ApiJson(body): ApiJson<ProjectInvite>,
) -> Result<(StatusCode, Json<ProjectMembership>), AppError> {
    let project = data.domain.project_by_path(&name).await?;
    let invitee = resolve_actor(&data, &body.handle).await?;
    data.domain
        .invite_to_project(&user.account, &project, &invitee)
        .await?;
    let response = membership_response(&data, &project, &invitee).await?;
    Ok((StatusCode::CREATED, response))
}

/// `POST /api/v1/projects/{name}/answer` body.
#[derive(Deserialize, ToSchema)]
pub struct ProjectAnswer {
    /// Accept or decline the invitation.
    accept: bool,
}

/// `POST /api/v1/projects/{name}/answer`: the invitee accepts or declines.
#[utoipa::path(
    post,
    path = "/projects/{name}/answer",
    tag = "projects",
    security(("bearer" = [])),
    params(("name" = String, Path, description = "The project")),
    request_body = ProjectAnswer,
    responses(
        (status = 200, description = "The caller's membership (`member` or `refused`)", body = ProjectMembership),
        (status = 400, description = "`invalid_json`", body = ErrorBody),
        (status = 401, description = "`unauthorized`", body = ErrorBody),
        (status = 403, description = "`member_level_too_low`", body = ErrorBody),
        (status = 404, description = "`not_found`", body = ErrorBody),
        (status = 409, description = "`no_invitation`", body = ErrorBody),
    ),
)]
pub async fn answer_invitation(
    State(state): State<AppState>,
    user: ApiUser,
    ApiPath(name): ApiPath<String>,
    ApiJson(body): ApiJson<ProjectAnswer>,
) -> Result<Json<ProjectMembership>, AppError> {
    let project = state.domain.project_by_path(&name).await?;
    state
        .domain
        .answer_invitation(&user.account, &project, body.accept)
        .await?;
    membership_response(&state, &project, &actor_of(&state, &user.account).await?).await
}

/// `POST /api/v1/projects/{name}/join`: asks to join (joins an open
/// project).
#[utoipa::path(
    post,
    path = "/projects/{name}/join",
    tag = "projects",
    security(("bearer" = [])),
    params(("name" = String, Path, description = "The project")),
    responses(
        (status = 201, description = "The caller's membership (`requested`, or `member` for an open local project)", body = ProjectMembership),
        (status = 401, description = "`unauthorized`", body = ErrorBody),
        (status = 403, description = "`project_invite_only`, `member_level_too_low`", body = ErrorBody),
        (status = 404, description = "`not_found`", body = ErrorBody),
        (status = 409, description = "`already_member`, `already_requested`, `already_invited`", body = ErrorBody),
    ),
)]
pub async fn join_project(
    State(state): State<AppState>,
    user: ApiUser,
    ApiPath(name): ApiPath<String>,
) -> Result<(StatusCode, Json<ProjectMembership>), AppError> {
    let project = state.domain.project_by_path(&name).await?;
    state.domain.join_project(&user.account, &project).await?;
    let response =
        membership_response(&state, &project, &actor_of(&state, &user.account).await?).await?;
    Ok((StatusCode::CREATED, response))
}

/// `POST /api/v1/projects/{name}/leave`.
#[utoipa::path(
    post,
    path = "/projects/{name}/leave",
    tag = "projects",
    security(("bearer" = [])),
    params(("name" = String, Path, description = "The project")),
    responses(
        (status = 200, description = "The caller's membership (`left`)", body = ProjectMembership),
        (status = 401, description = "`unauthorized`", body = ErrorBody),
        (status = 404, description = "`not_found`", body = ErrorBody),
        (status = 409, description = "`not_project_member`, `last_owner`", body = ErrorBody),
    ),
)]
pub async fn leave_project(
    State(state): State<AppState>,
    user: ApiUser,
    ApiPath(name): ApiPath<String>,
) -> Result<Json<ProjectMembership>, AppError> {
    let project = state.domain.project_by_path(&name).await?;
    state.domain.leave_project(&user.account, &project).await?;
    membership_response(&state, &project, &actor_of(&state, &user.account).await?).await
}

/// `POST /api/v1/projects/{name}/members/{id}` body.
#[derive(Deserialize, ToSchema)]
pub struct MemberAction {
    /// `accept` or `reject` (a join request), `remove`, `promote`, `demote`.
    action: String,
}

/// `POST /api/v1/projects/{name}/members/{id}`: a moderator or owner acts
/// on someone's membership; `id` is the person's `id` in member objects.
#[utoipa::path(
    post,
    path = "/projects/{name}/members/{id}",
    tag = "projects",
    security(("bearer" = [])),
    params(
        ("name" = String, Path, description = "The project"),
        ("id" = i64, Path, description = "The person's local `id`"),
    ),
    request_body = MemberAction,
    responses(
        (status = 200, description = "The person's membership as recorded here", body = ProjectMembership),
        (status = 400, description = "`invalid_json`, `invalid_choice` (detail `action`)", body = ErrorBody),
        (status = 401, description = "`unauthorized`", body = ErrorBody),
        (status = 403, description = "`not_project_moderator`, `not_project_owner`, `cannot_remove_member`, `member_level_too_low`", body = ErrorBody),
        (status = 404, description = "`not_found`", body = ErrorBody),
        (status = 409, description = "`no_request`, `not_project_member`, `cannot_remove_self`, `role_unchanged`, `last_owner`", body = ErrorBody),
    ),
)]
pub async fn act_on_member(
    State(state): State<AppState>,
    user: ApiUser,
    ApiPath((name, id)): ApiPath<(String, i64)>,
    ApiJson(body): ApiJson<MemberAction>,
) -> Result<Json<ProjectMembership>, AppError> {
    let project = state.domain.project_by_path(&name).await?;
    let target = state.domain.actor_by_id(ActorId(id)).await?;
    let domain = &state.domain;
    let account = &user.account;
    match body.action.as_str() {
        "accept" => domain.decide_join(account, &project, &target, true).await?,
        "reject" => {
            domain
                .decide_join(account, &project, &target, false)
                .await?
        }
        "remove" => {
            domain
                .remove_from_project(account, &project, &target)
                .await?
        }
        "promote" => {
            domain
                .change_member_role(account, &project, &target, true)
                .await?
        }
        "demote" => {
            domain
                .change_member_role(account, &project, &target, false)
                .await?
        }
        _ => {
            return Err(
                AppError::new(StatusCode::BAD_REQUEST, "invalid_choice").with_detail("action")
            )
        }
    }
    membership_response(&state, &project, &target).await
}
