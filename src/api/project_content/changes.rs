//! Changing and deleting what was shared in a project over the API:
//! `PUT` and `DELETE` of a post, an event or a document. Authors change
//! their own items (`not_content_author` otherwise); the project's owners
//! and moderators may delete anyone's. Changes are federated like the
//! items themselves.

use super::{
    author_of,
    objects::{Event, ProjectPost},
    ErrorBody,
};
use crate::extract::ApiPath;
use crate::{
    api::{ApiJson, ApiUser},
    app::AppState,
    domain::project_content::EventInput,
    error::AppError,
};
use axum::{extract::State, http::StatusCode, Json};
use serde::Deserialize;
use utoipa::ToSchema;

/// `PUT /api/v1/projects/{name}/posts/{id}` body.
#[derive(Deserialize, ToSchema)]
pub struct ProjectPostChange {
    /// A thread's new title (1–200 characters); ignored for replies.
    #[serde(default)]
    title: String,
    /// Markdown, 1–20,000 characters.
    body: String,
}

/// `PUT /api/v1/projects/{name}/posts/{id}`: the author edits a post.
#[utoipa::path(
    put,
    path = "/projects/{name}/posts/{id}",
    tag = "project content",
    security(("bearer" = [])),
    params(
        ("name" = String, Path, description = "The project"),
        ("id" = i64, Path, description = "The post's local id"),
    ),
    request_body = ProjectPostChange,
    responses(
        (status = 200, description = "The post as changed", body = ProjectPost),
        (status = 400, description = "`invalid_json`", body = ErrorBody),
        (status = 401, description = "`unauthorized`", body = ErrorBody),
        (status = 403, description = "`not_project_member`, `not_content_author`, `member_level_too_low`", body = ErrorBody),
        (status = 404, description = "`not_found`", body = ErrorBody),
        (status = 422, description = "`field_required`, `field_too_long`", body = ErrorBody),
    ),
)]
pub async fn edit_project_post(
    State(state): State<AppState>,
    user: ApiUser,
    ApiPath((name, id)): ApiPath<(String, i64)>,
    ApiJson(body): ApiJson<ProjectPostChange>,
) -> Result<Json<ProjectPost>, AppError> {
    let project = state.domain.project_by_path(&name).await?;
    let post = state
        .domain
        .edit_project_post(&user.account, &project, id, &body.title, &body.body)
        .await?;
    let author = author_of(&state, &post).await?;
    let labels = state.domain.labeller().await?;
    Ok(Json(ProjectPost::new(&post, &author, None, &labels)))
}

/// `DELETE /api/v1/projects/{name}/posts/{id}`.
#[utoipa::path(
    delete,
    path = "/projects/{name}/posts/{id}",
    tag = "project content",
    security(("bearer" = [])),
    params(
        ("name" = String, Path, description = "The project"),
        ("id" = i64, Path, description = "The post's local id"),
    ),
    responses(
        (status = 204, description = "Deleted, empty body"),
        (status = 401, description = "`unauthorized`", body = ErrorBody),
        (status = 403, description = "`not_project_member`, `not_content_author`", body = ErrorBody),
        (status = 404, description = "`not_found`", body = ErrorBody),
    ),
)]
pub async fn delete_project_post(
    State(state): State<AppState>,
    user: ApiUser,
    ApiPath((name, id)): ApiPath<(String, i64)>,
) -> Result<StatusCode, AppError> {
    let project = state.domain.project_by_path(&name).await?;
    state
        .domain
        .delete_project_post(&user.account, &project, id)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// `PUT /api/v1/projects/{name}/events/{id}` body (who it is for does
/// not change).
#[derive(Deserialize, ToSchema)]
pub struct EventChange {
    /// 1–200 characters.
    title: String,
    /// RFC 3339, or `YYYY-MM-DDTHH:MM` taken as UTC.
    starts: String,
    /// Same formats; an hour after `starts` when absent.
    #[serde(default)]
    ends: String,
    /// Markdown, at most 5,000 characters.
    #[serde(default)]
    description: String,
    #[serde(default)]
    location: String,
    /// An http or https URL.
    #[serde(default)]
    meeting_url: String,
}

/// `PUT /api/v1/projects/{name}/events/{id}`: the author changes an event.
#[utoipa::path(
    put,
    path = "/projects/{name}/events/{id}",
    tag = "project content",
    security(("bearer" = [])),
    params(
        ("name" = String, Path, description = "The project"),
        ("id" = i64, Path, description = "The event's id"),
    ),
    request_body = EventChange,
    responses(
        (status = 200, description = "The event as changed", body = Event),
        (status = 400, description = "`invalid_json`", body = ErrorBody),
        (status = 401, description = "`unauthorized`", body = ErrorBody),
        (status = 403, description = "`not_project_member`, `not_content_author`, `member_level_too_low`", body = ErrorBody),
        (status = 404, description = "`not_found`", body = ErrorBody),
        (status = 422, description = "`field_required`, `field_too_long`, `invalid_date`, `ends_before_start`, `invalid_url`", body = ErrorBody),
    ),
)]
pub async fn edit_project_event(
    State(state): State<AppState>,
    user: ApiUser,
    ApiPath((name, id)): ApiPath<(String, i64)>,
    ApiJson(body): ApiJson<EventChange>,
) -> Result<Json<Event>, AppError> {
    let project = state.domain.project_by_path(&name).await?;
    let input = EventInput {
        title: body.title,
        description: body.description,
        starts: body.starts,
        ends: body.ends,
        location: body.location,
        meeting_url: body.meeting_url,
        attendees: Vec::new(),
        time_zone: None,
    };
    let event = state
        .domain
        .edit_project_event(&user.account, &project, id, &input)
        .await?;
    let view = state.domain.event_view(event).await?;
    let labels = state.domain.labeller().await?;
    Ok(Json(Event::new(&view, &labels)))
}

/// `DELETE /api/v1/projects/{name}/events/{id}`.
#[utoipa::path(
    delete,
    path = "/projects/{name}/events/{id}",
    tag = "project content",
    security(("bearer" = [])),
    params(
        ("name" = String, Path, description = "The project"),
        ("id" = i64, Path, description = "The event's id"),
    ),
    responses(
        (status = 204, description = "Deleted, empty body"),
        (status = 401, description = "`unauthorized`", body = ErrorBody),
        (status = 403, description = "`not_project_member`, `not_content_author`", body = ErrorBody),
        (status = 404, description = "`not_found`", body = ErrorBody),
    ),
)]
pub async fn delete_project_event(
    State(state): State<AppState>,
    user: ApiUser,
    ApiPath((name, id)): ApiPath<(String, i64)>,
) -> Result<StatusCode, AppError> {
    let project = state.domain.project_by_path(&name).await?;
    state
        .domain
        .delete_project_event(&user.account, &project, id)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// `PUT /api/v1/projects/{name}/documents/{id}` body.
#[derive(Deserialize, ToSchema)]
pub struct DocumentChange {
    /// The document's new name, 1–200 characters.
    name: String,
}

/// `PUT /api/v1/projects/{name}/documents/{id}`: the author renames a
/// document.
#[utoipa::path(
    put,
    path = "/projects/{name}/documents/{id}",
    tag = "project content",
    security(("bearer" = [])),
    params(
        ("name" = String, Path, description = "The project"),
        ("id" = i64, Path, description = "The document's id (not a version's)"),
    ),
    request_body = DocumentChange,
    responses(
        (status = 204, description = "Renamed, empty body"),
        (status = 400, description = "`invalid_json`", body = ErrorBody),
        (status = 401, description = "`unauthorized`", body = ErrorBody),
        (status = 403, description = "`not_project_member`, `not_content_author`, `member_level_too_low`", body = ErrorBody),
        (status = 404, description = "`not_found`", body = ErrorBody),
        (status = 422, description = "`field_required`, `field_too_long`", body = ErrorBody),
    ),
)]
pub async fn rename_project_document(
    State(state): State<AppState>,
    user: ApiUser,
    ApiPath((name, id)): ApiPath<(String, i64)>,
    ApiJson(body): ApiJson<DocumentChange>,
) -> Result<StatusCode, AppError> {
    let project = state.domain.project_by_path(&name).await?;
    state
        .domain
        .rename_project_document(&user.account, &project, id, &body.name)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// `DELETE /api/v1/projects/{name}/documents/{id}`: deletes a document,
/// all its versions and their files here.
#[utoipa::path(
    delete,
    path = "/projects/{name}/documents/{id}",
    tag = "project content",
    security(("bearer" = [])),
    params(
        ("name" = String, Path, description = "The project"),
        ("id" = i64, Path, description = "The document's id (not a version's)"),
    ),
    responses(
        (status = 204, description = "Deleted, empty body"),
        (status = 401, description = "`unauthorized`", body = ErrorBody),
        (status = 403, description = "`not_project_member`, `not_content_author`", body = ErrorBody),
        (status = 404, description = "`not_found`", body = ErrorBody),
    ),
)]
pub async fn delete_project_document(
    State(state): State<AppState>,
    user: ApiUser,
    ApiPath((name, id)): ApiPath<(String, i64)>,
) -> Result<StatusCode, AppError> {
    let project = state.domain.project_by_path(&name).await?;
    state
        .domain
        .delete_project_document(&user.account, &project, id)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}
