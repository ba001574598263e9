//! The members-only content of project spaces over the API: the internal
//! forum (threads and replies), shared documents with their versions, and
//! the agenda. Every route is for current members of the project (as this
//! instance records them), local or remote projects alike. The response
//! types are in [`objects`].

pub mod changes;
pub mod objects;

use super::{schema::ErrorBody, ApiJson, ApiUser};
use crate::extract::ApiPath;
use crate::{
    app::AppState,
    domain::{
        project_content::EventInput,
        rows::{ActorRow, ProjectPostRow, ProjectRow},
    },
    error::AppError,
};
use axum::{extract::State, http::StatusCode, Json};
use objects::{
    Document, DocumentList, Event, EventList, ProjectPost, ProjectThread, ProjectThreadList,
};
use serde::Deserialize;
use utoipa::ToSchema;

/// The project named in the path, if the caller is a current member.
async fn project_for_member(
    state: &AppState,
    user: &ApiUser,
    name: &str,
) -> Result<ProjectRow, AppError> {
    let project = state.domain.project_by_path(name).await?;
    state
        .domain
        .may_read_project(Some(&user.account), &project)
        .await?
        .ok_or_else(|| AppError::new(StatusCode::FORBIDDEN, "not_project_member"))?;
    Ok(project)
}

async fn author_of(state: &AppState, post: &ProjectPostRow) -> Result<ActorRow, AppError> {
    Ok(state.domain.project_post_author(post).await?)
}

/// `GET /api/v1/projects/{name}/threads`: the forum's threads, latest
/// activity first.
#[utoipa::path(
    get,
    path = "/projects/{name}/threads",
    tag = "project content",
    security(("bearer" = [])),
    params(("name" = String, Path, description = "The project")),
    responses(
        (status = 200, description = "The threads", body = ProjectThreadList),
        (status = 401, description = "`unauthorized`", body = ErrorBody),
        (status = 403, description = "`not_project_member`", body = ErrorBody),
        (status = 404, description = "`not_found`", body = ErrorBody),
    ),
)]
pub async fn list_project_threads(
    State(state): State<AppState>,
    user: ApiUser,
    ApiPath(name): ApiPath<String>,
) -> Result<Json<ProjectThreadList>, AppError> {
    let project = project_for_member(&state, &user, &name).await?;
    let labels = state.domain.labeller().await?;
    let threads = state
        .domain
        .project_threads_for(&user.account, &project)
        .await?
        .iter()
        .map(|view| ProjectPost::new(&view.post, &view.author, Some(view.reply_count), &labels))
        .collect();
    Ok(Json(ProjectThreadList { threads }))
}

/// `POST /api/v1/projects/{name}/threads` body.
#[derive(Deserialize, ToSchema)]
pub struct ProjectThreadInput {
    /// 1–200 characters.
    title: String,
    /// Markdown, 1–20,000 characters.
    body: String,
}

/// `POST /api/v1/projects/{name}/threads`: a member opens a thread.
#[utoipa::path(
    post,
    path = "/projects/{name}/threads",
    tag = "project content",
    security(("bearer" = [])),
    params(("name" = String, Path, description = "The project")),
    request_body = ProjectThreadInput,
    responses(
        (status = 201, description = "The thread", body = ProjectPost),
        (status = 400, description = "`invalid_json`", body = ErrorBody),
        (status = 401, description = "`unauthorized`", body = ErrorBody),
        (status = 403, description = "`not_project_member`, `member_level_too_low`", body = ErrorBody),
        (status = 404, description = "`not_found`", body = ErrorBody),
        (status = 422, description = "`field_required`, `field_too_long`, `too_many_mentions`", body = ErrorBody),
    ),
)]
pub async fn create_project_thread(
    State(state): State<AppState>,
    data: activitypub_federation::config::Data<AppState>,
    user: ApiUser,
    ApiPath(name): ApiPath<String>,
    ApiJson(body): ApiJson<ProjectThreadInput>,
) -> Result<(StatusCode, Json<ProjectPost>), AppError> {
    let project = state.domain.project_by_path(&name).await?;
    crate::apub::mentions::look_up(&data, &body.body).await;
    let post = state
        .domain
        .post_project_thread(&user.account, &project, &body.title, &body.body)
        .await?;
    let author = author_of(&state, &post).await?;
    let labels = state.domain.labeller().await?;
    Ok((
        StatusCode::CREATED,
        Json(ProjectPost::new(&post, &author, Some(0), &labels)),
    ))
}

/// `GET /api/v1/projects/{name}/threads/{id}`: a thread and all its
/// replies, in publication order.
#[utoipa::path(
    get,
    path = "/projects/{name}/threads/{id}",
    tag = "project content",
    security(("bearer" = [])),
    params(
        ("name" = String, Path, description = "The project"),
        ("id" = i64, Path, description = "The thread's local id"),
    ),
    responses(
        (status = 200, description = "The thread and its replies", body = ProjectThread),
        (status = 401, description = "`unauthorized`", body = ErrorBody),
        (status = 403, description = "`not_project_member`", body = ErrorBody),
        (status = 404, description = "`not_found` (also a reply's id, or a thread of another project)", body = ErrorBody),
    ),
)]
pub async fn get_project_thread(
    State(state): State<AppState>,
    user: ApiUser,
    ApiPath((name, id)): ApiPath<(String, i64)>,
) -> Result<Json<ProjectThread>, AppError> {
    let project = project_for_member(&state, &user, &name).await?;
    let found = state
        .domain
        .project_thread_for(&user.account, &project, id)
        .await?;
    let labels = state.domain.labeller().await?;
    let replies: Vec<ProjectPost> = found
        .replies
        .iter()
        .map(|view| ProjectPost::new(&view.post, &view.author, None, &labels))
        .collect();
    let count = Some(replies.len() as i64);
    Ok(Json(ProjectThread {
        thread: ProjectPost::new(&found.thread, &found.author, count, &labels),
        replies,
    }))
}

/// `POST /api/v1/projects/{name}/threads/{id}/replies` body.
#[derive(Deserialize, ToSchema)]
pub struct ProjectReplyInput {
    /// Markdown, 1–20,000 characters.
    body: String,
    /// The post answered, in this thread: the thread when absent.
    #[serde(default)]
    in_reply_to: Option<i64>,
}

/// `POST /api/v1/projects/{name}/threads/{id}/replies`.
#[utoipa::path(
    post,
    path = "/projects/{name}/threads/{id}/replies",
    tag = "project content",
    security(("bearer" = [])),
    params(
        ("name" = String, Path, description = "The project"),
        ("id" = i64, Path, description = "The thread's local id"),
    ),
    request_body = ProjectReplyInput,
    responses(
        (status = 201, description = "The reply", body = ProjectPost),
        (status = 400, description = "`invalid_json`", body = ErrorBody),
        (status = 401, description = "`unauthorized`", body = ErrorBody),
        (status = 403, description = "`not_project_member`, `member_level_too_low`", body = ErrorBody),
        (status = 404, description = "`not_found` (unknown thread, or `in_reply_to` not in it)", body = ErrorBody),
        (status = 410, description = "`post_deleted`", body = ErrorBody),
        (status = 422, description = "`field_required`, `field_too_long`, `too_many_mentions`", body = ErrorBody),
    ),
)]
pub async fn create_project_reply(
    State(state): State<AppState>,
    data: activitypub_federation::config::Data<AppState>,
    user: ApiUser,
    ApiPath((name, id)): ApiPath<(String, i64)>,
    ApiJson(body): ApiJson<ProjectReplyInput>,
) -> Result<(StatusCode, Json<ProjectPost>), AppError> {
    let project = project_for_member(&state, &user, &name).await?;
    let parent = state
        .domain
        .project_reply_parent(&project, id, body.in_reply_to)
        .await?;
    crate::apub::mentions::look_up(&data, &body.body).await;
    let reply = state
        .domain
        .reply_project_post(&user.account, &project, &parent, &body.body)
        .await?;
    let author = author_of(&state, &reply).await?;
    let labels = state.domain.labeller().await?;
    Ok((
        StatusCode::CREATED,
        Json(ProjectPost::new(&reply, &author, None, &labels)),
    ))
}

/// `GET /api/v1/projects/{name}/documents`: shared documents, each with
/// its versions (newest first).
#[utoipa::path(
    get,
    path = "/projects/{name}/documents",
    tag = "project content",
    security(("bearer" = [])),
    params(("name" = String, Path, description = "The project")),
    responses(
        (status = 200, description = "The documents", body = DocumentList),
        (status = 401, description = "`unauthorized`", body = ErrorBody),
        (status = 403, description = "`not_project_member`", body = ErrorBody),
        (status = 404, description = "`not_found`", body = ErrorBody),
    ),
)]
pub async fn list_project_documents(
    State(state): State<AppState>,
    user: ApiUser,
    ApiPath(name): ApiPath<String>,
) -> Result<Json<DocumentList>, AppError> {
    let project = project_for_member(&state, &user, &name).await?;
    let labels = state.domain.labeller().await?;
    let documents = state
        .domain
        .project_documents_for(&user.account, &project)
        .await?
        .iter()
        .map(|view| Document::new(view, &labels))
        .collect();
    Ok(Json(DocumentList { documents }))
}

/// `GET /api/v1/projects/{name}/events`: the events the caller may see
/// (for every member, theirs, or listing them).
#[utoipa::path(
    get,
    path = "/projects/{name}/events",
    tag = "project content",
    security(("bearer" = [])),
    params(("name" = String, Path, description = "The project")),
    responses(
        (status = 200, description = "The events, by start time", body = EventList),
        (status = 401, description = "`unauthorized`", body = ErrorBody),
        (status = 403, description = "`not_project_member`", body = ErrorBody),
        (status = 404, description = "`not_found`", body = ErrorBody),
    ),
)]
pub async fn list_project_events(
    State(state): State<AppState>,
    user: ApiUser,
    ApiPath(name): ApiPath<String>,
) -> Result<Json<EventList>, AppError> {
    let project = project_for_member(&state, &user, &name).await?;
    let labels = state.domain.labeller().await?;
    let events = state
        .domain
        .project_events_for(&user.account, &project)
        .await?
        .iter()
        .map(|view| Event::new(view, &labels))
        .collect();
    Ok(Json(EventList { events }))
}

/// `POST /api/v1/projects/{name}/events` body.
#[derive(Deserialize, ToSchema)]
pub struct EventCreate {
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
    /// Person ids (as in member objects); empty for every member.
    #[serde(default)]
    attendees: Vec<i64>,
}

/// `POST /api/v1/projects/{name}/events`: a member adds an event.
#[utoipa::path(
    post,
    path = "/projects/{name}/events",
    tag = "project content",
    security(("bearer" = [])),
    params(("name" = String, Path, description = "The project")),
    request_body = EventCreate,
    responses(
        (status = 201, description = "The event", body = Event),
        (status = 400, description = "`invalid_json`", body = ErrorBody),
        (status = 401, description = "`unauthorized`", body = ErrorBody),
        (status = 403, description = "`not_project_member`, `member_level_too_low`", body = ErrorBody),
        (status = 404, description = "`not_found`", body = ErrorBody),
        (status = 422, description = "`field_required`, `field_too_long`, `invalid_date` (detail `starts` or `ends`), `ends_before_start`, `invalid_url`, `attendee_not_member`", body = ErrorBody),
    ),
)]
pub async fn create_project_event(
    State(state): State<AppState>,
    user: ApiUser,
    ApiPath(name): ApiPath<String>,
    ApiJson(body): ApiJson<EventCreate>,
) -> Result<(StatusCode, Json<Event>), AppError> {
    let project = state.domain.project_by_path(&name).await?;
    let input = EventInput {
        title: body.title,
        description: body.description,
        starts: body.starts,
        ends: body.ends,
        location: body.location,
        meeting_url: body.meeting_url,
        attendees: body.attendees,
        time_zone: None,
    };
    let event = state
        .domain
        .add_project_event(&user.account, &project, &input)
        .await?;
    let view = state.domain.event_view(event).await?;
    let labels = state.domain.labeller().await?;
    Ok((StatusCode::CREATED, Json(Event::new(&view, &labels))))
}

/// The OpenAPI description of these routes (gathered in [`super::openapi`]).
#[derive(utoipa::OpenApi)]
#[openapi(
    paths(
        list_project_threads,
        create_project_thread,
        get_project_thread,
        create_project_reply,
        list_project_documents,
        list_project_events,
        create_project_event,
        changes::edit_project_post,
        changes::delete_project_post,
        changes::edit_project_event,
        changes::delete_project_event,
        changes::rename_project_document,
        changes::delete_project_document,
    ),
    components(schemas(
        changes::ProjectPostChange,
        changes::EventChange,
        changes::DocumentChange,
        ProjectPost,
        ProjectThreadList,
        ProjectThread,
        objects::DocumentVersion,
        Document,
        DocumentList,
        Event,
        EventList,
        ProjectThreadInput,
        ProjectReplyInput,
        EventCreate,
    ))
)]
pub struct Doc;
