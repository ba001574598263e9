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
use utoipa::{IntoResponses, ToSchema};

/// The refusals every change of a project's item may answer, beside its
/// own `422` codes.
#[derive(IntoResponses)]
pub enum ChangeRefused {
    /// The body is not the JSON the route reads.
    #[response(status = 400, description = "`invalid_json`")]
    InvalidJson(ErrorBody),
    /// No signed-in person.
    #[response(status = 401, description = "`unauthorized`")]
    Unauthorized(ErrorBody),
    /// Not a member, not the author, or no longer allowed to write.
    #[response(
        status = 403,
        description = "`not_project_member`, `not_content_author`, `member_level_too_low`"
    )]
    Forbidden(ErrorBody),
    /// No such project or item in it.
    #[response(status = 404, description = "`not_found`")]
    NotFound(ErrorBody),
}

/// What a `DELETE` of a project's item answers.
#[derive(IntoResponses)]
pub enum Deleted {
    /// Done.
    #[response(status = 204, description = "Deleted, empty body")]
    Deleted,
    /// No signed-in person.
    #[response(status = 401, description = "`unauthorized`")]
    Unauthorized(ErrorBody),
    /// Not a member, or neither the author nor a moderator.
    #[response(
        status = 403,
        description = "`not_project_member`, `not_content_author`"
    )]
    Forbidden(ErrorBody),
    /// No such project or item in it.
    #[response(status = 404, description = "`not_found`")]
    NotFound(ErrorBody),
}

/// An item of a project that a `DELETE` names, by its id.
enum Item {
    Post(i64),
    Event(i64),
    Document(i64),
}

/// Deletes `item` of the project `name` as `user` (the domain checks
/// who may): `204` once done.
async fn delete_item(
    state: &AppState,
    user: &ApiUser,
    name: &str,
    item: Item,
) -> Result<StatusCode, AppError> {
    let project = state.domain.project_by_path(name).await?;
    let (domain, account) = (&state.domain, &user.account);
    match item {
        Item::Post(id) => {
            domain.delete_project_post(account, &project, id).await?;
        }
        Item::Event(id) => domain.delete_project_event(account, &project, id).await?,
        Item::Document(id) => {
            domain
                .delete_project_document(account, &project, id)
                .await?
        }
    }
    Ok(StatusCode::NO_CONTENT)
}

/// The `DELETE` route of one kind of project item, with its OpenAPI
/// description: posts, events and documents share the answers
/// ([`Deleted`]) and the steps ([`delete_item`]); only the path, the id's
/// description and the kind differ.
macro_rules! delete_route {
    ($(#[doc = $doc:tt])* $handler:ident, $path:tt, $id:tt, $kind:ident) => {
        $(#[doc = $doc])*
        #[utoipa::path(
            delete,
            path = $path,
            tag = "project content",
            security(("bearer" = [])),
            params(
                ("name" = String, Path, description = "The project"),
                ("id" = i64, Path, description = $id),
            ),
            responses(Deleted),
        )]
        pub async fn $handler(
            State(state): State<AppState>,
            user: ApiUser,
            ApiPath((name, id)): ApiPath<(String, i64)>,
        ) -> Result<StatusCode, AppError> {
            delete_item(&state, &user, &name, Item::$kind(id)).await
        }
    };
}

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
        ChangeRefused,
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

delete_route!(
    /// `DELETE /api/v1/projects/{name}/posts/{id}`.
    delete_project_post,
    "/projects/{name}/posts/{id}",
    "The post's local id",
    Post
);

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
        ChangeRefused,
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

delete_route!(
    /// `DELETE /api/v1/projects/{name}/events/{id}`.
    delete_project_event,
    "/projects/{name}/events/{id}",
    "The event's id",
    Event
);

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
        ChangeRefused,
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

delete_route!(
    /// `DELETE /api/v1/projects/{name}/documents/{id}`: deletes a document,
    /// all its versions and their files here.
    delete_project_document,
    "/projects/{name}/documents/{id}",
    "The document's id (not a version's)",
    Document
);
