//! The members-only content of project spaces over the API: the internal
//! forum (threads and replies), shared documents with their versions, and
//! the agenda. Every route is for current members of the project (as this
//! instance records them), local or remote projects alike.

use super::{
    projects::{iso, person_json},
    ApiJson, ApiUser,
};
use crate::extract::ApiPath;
use crate::{
    app::AppState,
    domain::{
        project_content::EventInput,
        rows::{ActorRow, DocumentView, EventView, ProjectPostRow, ProjectRow},
        trust::Labeller,
    },
    error::AppError,
};
use axum::{extract::State, http::StatusCode, Json};
use serde::Deserialize;
use serde_json::{json, Value};

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

/// The JSON view of a post of a project's forum; `reply_count` for
/// threads.
fn post_json(
    post: &ProjectPostRow,
    author: &ActorRow,
    reply_count: Option<i64>,
    labels: &Labeller<'_>,
) -> Value {
    let deleted = post.deleted_at.is_some();
    json!({
        "id": post.id,
        "ap_id": post.ap_id,
        "kind": if post.thread_id.is_none() { "thread" } else { "reply" },
        "thread_id": post.thread_id.unwrap_or(post.id),
        "in_reply_to_id": post.in_reply_to_id,
        "title": post.title,
        "content_html": if deleted { "" } else { post.content_html.as_str() },
        "source": if deleted || !post.local { "" } else { post.source.as_str() },
        "author": person_json(author, labels),
        "published_at": iso(post.published_at),
        "last_activity_at": iso(post.last_activity_at),
        "deleted": deleted,
        "reply_count": reply_count,
    })
}

fn document_json(view: &DocumentView, labels: &Labeller<'_>) -> Value {
    let versions: Vec<Value> = view
        .versions
        .iter()
        .map(|(version, author)| {
            json!({
                "id": version.id,
                "ap_id": version.ap_id,
                "version": version.version,
                "file_name": version.file_name,
                "media_type": version.media_type,
                "size": version.size,
                "sha256": version.sha256,
                "author": person_json(author, labels),
                "shared_at": iso(version.created_at),
                "local": version.local,
            })
        })
        .collect();
    json!({
        "id": view.document.id,
        "ap_id": view.document.ap_id,
        "name": view.document.name,
        "created_at": iso(view.document.created_at),
        "updated_at": iso(view.document.updated_at),
        "versions": versions,
    })
}

fn event_json(view: &EventView, labels: &Labeller<'_>) -> Value {
    let event = &view.event;
    json!({
        "id": event.id,
        "ap_id": event.ap_id,
        "title": event.title,
        "description_html": event.description_html,
        "starts_at": iso(event.starts_at),
        "ends_at": iso(event.ends_at),
        "location": event.location,
        "meeting_url": event.meeting_url,
        "for_all": event.for_all,
        "attendees": view.attendees.iter().map(|a| person_json(a, labels)).collect::<Vec<_>>(),
        "author": person_json(&view.author, labels),
        "created_at": iso(event.created_at),
    })
}

async fn author_of(state: &AppState, post: &ProjectPostRow) -> Result<ActorRow, AppError> {
    Ok(state.domain.project_post_author(post).await?)
}

/// `GET /api/v1/projects/{name}/threads`: the forum's threads, latest
/// activity first.
pub async fn list_project_threads(
    State(state): State<AppState>,
    user: ApiUser,
    ApiPath(name): ApiPath<String>,
) -> Result<Json<Value>, AppError> {
    let project = project_for_member(&state, &user, &name).await?;
    let labels = state.domain.labeller().await?;
    let threads: Vec<Value> = state
        .domain
        .project_threads_for(&user.account, &project)
        .await?
        .iter()
        .map(|view| post_json(&view.post, &view.author, Some(view.reply_count), &labels))
        .collect();
    Ok(Json(json!({ "threads": threads })))
}

/// `POST /api/v1/projects/{name}/threads` body.
#[derive(Deserialize)]
pub struct ThreadBody {
    title: String,
    body: String,
}

/// `POST /api/v1/projects/{name}/threads`: a member opens a thread.
pub async fn create_project_thread(
    State(state): State<AppState>,
    user: ApiUser,
    ApiPath(name): ApiPath<String>,
    ApiJson(body): ApiJson<ThreadBody>,
) -> Result<(StatusCode, Json<Value>), AppError> {
    let project = state.domain.project_by_path(&name).await?;
    let post = state
        .domain
        .post_project_thread(&user.account, &project, &body.title, &body.body)
        .await?;
    let author = author_of(&state, &post).await?;
    let labels = state.domain.labeller().await?;
    Ok((
        StatusCode::CREATED,
        Json(post_json(&post, &author, Some(0), &labels)),
    ))
}

/// `GET /api/v1/projects/{name}/threads/{id}`: a thread and all its
/// replies, in publication order.
pub async fn get_project_thread(
    State(state): State<AppState>,
    user: ApiUser,
    ApiPath((name, id)): ApiPath<(String, i64)>,
) -> Result<Json<Value>, AppError> {
    let project = project_for_member(&state, &user, &name).await?;
    let found = state
        .domain
        .project_thread_for(&user.account, &project, id)
        .await?;
    let (thread, author, replies) = (found.thread, found.author, found.replies);
    let labels = state.domain.labeller().await?;
    let replies: Vec<Value> = replies
        .iter()
        .map(|view| post_json(&view.post, &view.author, None, &labels))
        .collect();
    Ok(Json(json!({
        "thread": post_json(&thread, &author, Some(replies.len() as i64), &labels),
        "replies": replies,
    })))
}

/// `POST /api/v1/projects/{name}/threads/{id}/replies` body.
#[derive(Deserialize)]
pub struct ReplyBody {
    body: String,
    /// The post answered, in this thread: the thread when absent.
    #[serde(default)]
    in_reply_to: Option<i64>,
}

/// `POST /api/v1/projects/{name}/threads/{id}/replies`.
pub async fn create_project_reply(
    State(state): State<AppState>,
    user: ApiUser,
    ApiPath((name, id)): ApiPath<(String, i64)>,
    ApiJson(body): ApiJson<ReplyBody>,
) -> Result<(StatusCode, Json<Value>), AppError> {
    let project = project_for_member(&state, &user, &name).await?;
    let parent = state
        .domain
        .project_reply_parent(&project, id, body.in_reply_to)
        .await?;
    let reply = state
        .domain
        .reply_project_post(&user.account, &project, &parent, &body.body)
        .await?;
    let author = author_of(&state, &reply).await?;
    let labels = state.domain.labeller().await?;
    Ok((
        StatusCode::CREATED,
        Json(post_json(&reply, &author, None, &labels)),
    ))
}

/// `GET /api/v1/projects/{name}/documents`: shared documents, each with
/// its versions (newest first).
pub async fn list_project_documents(
    State(state): State<AppState>,
    user: ApiUser,
    ApiPath(name): ApiPath<String>,
) -> Result<Json<Value>, AppError> {
    let project = project_for_member(&state, &user, &name).await?;
    let labels = state.domain.labeller().await?;
    let documents: Vec<Value> = state
        .domain
        .project_documents_for(&user.account, &project)
        .await?
        .iter()
        .map(|view| document_json(view, &labels))
        .collect();
    Ok(Json(json!({ "documents": documents })))
}

/// `GET /api/v1/projects/{name}/events`: the events the caller may see
/// (for every member, theirs, or listing them).
pub async fn list_project_events(
    State(state): State<AppState>,
    user: ApiUser,
    ApiPath(name): ApiPath<String>,
) -> Result<Json<Value>, AppError> {
    let project = project_for_member(&state, &user, &name).await?;
    let labels = state.domain.labeller().await?;
    let events: Vec<Value> = state
        .domain
        .project_events_for(&user.account, &project)
        .await?
        .iter()
        .map(|view| event_json(view, &labels))
        .collect();
    Ok(Json(json!({ "events": events })))
}

/// `POST /api/v1/projects/{name}/events` body.
#[derive(Deserialize)]
pub struct EventBody {
    title: String,
    starts: String,
    #[serde(default)]
    ends: String,
    #[serde(default)]
    description: String,
    #[serde(default)]
    location: String,
    #[serde(default)]
    meeting_url: String,
    /// Person ids (as in member objects); empty for every member.
    #[serde(default)]
    attendees: Vec<i64>,
}

/// `POST /api/v1/projects/{name}/events`: a member adds an event.
pub async fn create_project_event(
    State(state): State<AppState>,
    user: ApiUser,
    ApiPath(name): ApiPath<String>,
    ApiJson(body): ApiJson<EventBody>,
) -> Result<(StatusCode, Json<Value>), AppError> {
    let project = state.domain.project_by_path(&name).await?;
    let input = EventInput {
        title: body.title,
        description: body.description,
        starts: body.starts,
        ends: body.ends,
        location: body.location,
        meeting_url: body.meeting_url,
        attendees: body.attendees,
    };
    let event = state
        .domain
        .add_project_event(&user.account, &project, &input)
        .await?;
    let view = state.domain.event_view(event).await?;
    let labels = state.domain.labeller().await?;
    Ok((StatusCode::CREATED, Json(event_json(&view, &labels))))
}

/// The OpenAPI description of these routes (gathered in [`super::openapi`]).
#[derive(utoipa::OpenApi)]
#[openapi()]
pub struct Doc;
