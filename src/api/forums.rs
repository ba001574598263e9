//! Forums over the API: list, create, follow a remote forum, threads and
//! replies.

use super::{ApiJson, ApiUser};
use crate::extract::{ApiPath, ApiQuery};
use crate::{
    app::AppState,
    apub::forums::{forum_handle, resolve_forum},
    domain::{
        forums::ForumInput,
        lookups::REPLIES_PER_PAGE,
        rows::{FollowState, ForumRow, PostId, PostKind, PostRow, PostView},
        trust::Labeller,
        validate,
    },
    error::AppError,
};
use activitypub_federation::config::Data;
use axum::{extract::State, http::StatusCode, Json};
use serde::Deserialize;
use serde_json::{json, Value};

fn iso(ms: i64) -> Option<String> {
    chrono::DateTime::from_timestamp_millis(ms).map(|t| t.to_rfc3339())
}

/// The JSON view of a forum.
pub fn forum_json(state: &AppState, forum: &ForumRow, labels: &Labeller<'_>) -> Value {
    json!({
        "handle": forum_handle(state, forum),
        "name": forum.actor.name,
        "local": forum.actor.is_local(),
        "actor_id": forum.actor.ap_id,
        "title": forum.title,
        "description_html": forum.description_html,
        "last_activity_at": iso(forum.last_activity_at),
        "min_post_level": forum.min_post_level,
        // The label of the forum's instance, as this instance verifies it.
        "trust": labels.instance(&forum.actor.domain).to_json(),
    })
}

/// The JSON view of a post.
pub fn post_json(view: &PostView, labels: &Labeller<'_>) -> Value {
    let post = &view.post;
    let visible = post.is_visible();
    let trust = labels.person(&view.author.domain, view.author.email_domain.as_deref());
    let domain = if view.author.domain.is_empty() {
        labels.local_domain()
    } else {
        view.author.domain.as_str()
    };
    json!({
        "id": post.id.0,
        "ap_id": post.ap_id,
        "kind": match post.kind { PostKind::Thread => "thread", PostKind::Reply => "reply" },
        "thread_id": post.thread().0,
        "in_reply_to_id": post.in_reply_to_id.map(|p| p.0),
        "title": post.title,
        "content_html": if visible { post.content_html.as_str() } else { "" },
        "source": if visible && post.local { post.source.as_str() } else { "" },
        "author": {
            "handle": format!("{}@{}", view.author.name, domain),
            "display_name": view.author.display_name,
            "actor_id": view.author.ap_id,
            "local": view.author.domain.is_empty(),
        },
        // The author's label, as this instance verifies it now.
        "trust": trust.to_json(),
        "published_at": iso(post.published_at),
        "updated_at": post.updated_at.and_then(iso),
        "deleted": post.deleted_at.is_some(),
        "removed": post.removed_at.is_some(),
        "locked": post.locked,
        "pinned": post.pinned,
        "reply_count": view.reply_count,
        "like_count": view.like_count,
    })
}

/// `GET /api/v1/forums`.
pub async fn list_forums(State(state): State<AppState>) -> Result<Json<Value>, AppError> {
    let forums = state.domain.listed_forums().await?;
    let labels = state.domain.labeller().await?;
    let items: Vec<Value> = forums
        .iter()
        .map(|forum| forum_json(&state, forum, &labels))
        .collect();
    Ok(Json(json!({ "forums": items })))
}

/// `POST /api/v1/forums` body.
#[derive(Deserialize)]
pub struct CreateForum {
    name: String,
    title: String,
    #[serde(default)]
    description: String,
    /// Who may post: `informal` (anyone, the default), `associative` or
    /// `institutional`, by the author's label.
    #[serde(default)]
    min_post_level: preau_federation::TrustLevel,
}

/// `POST /api/v1/forums`.
pub async fn create_forum(
    State(state): State<AppState>,
    user: ApiUser,
    ApiJson(body): ApiJson<CreateForum>,
) -> Result<(StatusCode, Json<Value>), AppError> {
    let forum = state
        .domain
        .create_forum(
            Some(&user.account),
            &ForumInput {
                name: body.name,
                title: body.title,
                description: body.description,
                min_post_level: body.min_post_level,
            },
        )
        .await?;
    Ok((
        StatusCode::CREATED,
        Json(forum_json(&state, &forum, &state.domain.labeller().await?)),
    ))
}

/// Pagination.
#[derive(Deserialize)]
pub struct PageQuery {
    /// Read by [`crate::domain::validate::page_number`].
    page: Option<String>,
}

/// `GET /api/v1/forums/{name}`: the forum and a page of threads.
pub async fn get_forum(
    State(state): State<AppState>,
    ApiPath(name): ApiPath<String>,
    ApiQuery(query): ApiQuery<PageQuery>,
) -> Result<Json<Value>, AppError> {
    let forum = state.domain.forum_by_path(&name).await?;
    let page = validate::page_number(query.page.as_deref(), validate::MAX_PAGE)?;
    let list = state.domain.forum_threads_page(&forum, page).await?;
    let labels = state.domain.labeller().await?;
    Ok(Json(json!({
        "forum": forum_json(&state, &forum, &labels),
        "threads": list.threads.iter().map(|t| post_json(t, &labels)).collect::<Vec<_>>(),
        "page": page,
        "total_threads": list.total,
    })))
}

/// `POST /api/v1/forums/follow` body.
#[derive(Deserialize)]
pub struct FollowBody {
    handle: String,
}

/// `POST /api/v1/forums/follow`: follows a forum of another instance by
/// `!name@domain`, `name@domain` or URL.
pub async fn follow_forum(
    data: Data<AppState>,
    user: ApiUser,
    ApiJson(body): ApiJson<FollowBody>,
) -> Result<(StatusCode, Json<Value>), AppError> {
    let forum = resolve_forum(&data, &body.handle).await?;
    data.domain.follow_forum(&user.account, &forum).await?;
    let state = data.domain.follow_state(&user.account, &forum).await?;
    let mut value = forum_json(&data, &forum, &data.domain.labeller().await?);
    value["follow"] = json!(match state {
        Some(FollowState::Accepted) => "accepted",
        Some(FollowState::Pending) => "pending",
        None => "none",
    });
    Ok((StatusCode::ACCEPTED, Json(value)))
}

/// `DELETE /api/v1/forums/{name}/follow`.
pub async fn unfollow_forum(
    State(state): State<AppState>,
    user: ApiUser,
    ApiPath(name): ApiPath<String>,
) -> Result<StatusCode, AppError> {
    let forum = state.domain.forum_by_path(&name).await?;
    state.domain.unfollow_forum(&user.account, &forum).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// `POST /api/v1/forums/{name}/threads` body.
#[derive(Deserialize)]
pub struct ThreadBody {
    title: String,
    body: String,
}

/// `POST /api/v1/forums/{name}/threads`.
pub async fn create_thread(
    State(state): State<AppState>,
    user: ApiUser,
    ApiPath(name): ApiPath<String>,
    ApiJson(body): ApiJson<ThreadBody>,
) -> Result<(StatusCode, Json<Value>), AppError> {
    let forum = state.domain.forum_by_path(&name).await?;
    let post = state
        .domain
        .post_thread(&user.account, &forum, &body.title, &body.body)
        .await?;
    let view = state.domain.post_view(post.id).await?;
    Ok((
        StatusCode::CREATED,
        Json(post_json(&view, &state.domain.labeller().await?)),
    ))
}

/// `GET /api/v1/threads/{id}[?page=N]`: a thread and a page of its
/// replies.
pub async fn get_thread(
    data: Data<AppState>,
    ApiPath(id): ApiPath<i64>,
    ApiQuery(query): ApiQuery<PageQuery>,
) -> Result<Json<Value>, AppError> {
    let state: &AppState = &data;
    let page = validate::page_number(query.page.as_deref(), validate::MAX_PAGE)?;
    let mut snapshot = state
        .domain
        .thread_page(PostId(id), page, REPLIES_PER_PAGE)
        .await?
        .ok_or_else(AppError::not_found)?;
    if snapshot.thread.post.id != PostId(id) {
        // A reply's id: its thread.
        snapshot = state
            .domain
            .thread_page(snapshot.thread.post.id, page, REPLIES_PER_PAGE)
            .await?
            .ok_or_else(AppError::not_found)?;
    }
    let thread = &snapshot.thread.post;
    crate::web::forums::spawn_backfill(&data, thread);
    if !thread.is_visible() {
        return Err(AppError::new(StatusCode::GONE, "post_deleted"));
    }
    let labels = state.domain.labeller().await?;
    let replies: Vec<Value> = snapshot
        .replies
        .iter()
        .map(|r| post_json(r, &labels))
        .collect();
    Ok(Json(json!({
        "forum": forum_json(state, &snapshot.forum, &labels),
        "thread": post_json(&snapshot.thread, &labels),
        "replies": replies,
        "page": page,
        "total_replies": snapshot.total_replies,
        "replies_per_page": REPLIES_PER_PAGE,
    })))
}

/// `POST /api/v1/threads/{id}/replies` body.
#[derive(Deserialize)]
pub struct ReplyBody {
    body: String,
    /// The post answered: the thread when absent.
    #[serde(default)]
    in_reply_to: Option<i64>,
}

/// `POST /api/v1/threads/{id}/replies`.
pub async fn create_reply(
    State(state): State<AppState>,
    user: ApiUser,
    ApiPath(id): ApiPath<i64>,
    ApiJson(body): ApiJson<ReplyBody>,
) -> Result<(StatusCode, Json<Value>), AppError> {
    let parent = state
        .domain
        .reply_parent(PostId(id), body.in_reply_to)
        .await?;
    let reply = state
        .domain
        .post_reply(&user.account, &parent, &body.body)
        .await?;
    let view = state.domain.post_view(reply.id).await?;
    Ok((
        StatusCode::CREATED,
        Json(post_json(&view, &state.domain.labeller().await?)),
    ))
}

async fn post_by_id(state: &AppState, id: i64) -> Result<PostRow, AppError> {
    Ok(state.domain.post_by_id(PostId(id)).await?)
}

async fn post_response(state: &AppState, id: PostId) -> Result<Json<Value>, AppError> {
    let view = state.domain.post_view(id).await?;
    Ok(Json(post_json(&view, &state.domain.labeller().await?)))
}

/// `PUT /api/v1/posts/{id}` body.
#[derive(Deserialize)]
pub struct EditBody {
    #[serde(default)]
    title: String,
    body: String,
}

/// `PUT /api/v1/posts/{id}`: the author edits a post.
pub async fn edit_post(
    State(state): State<AppState>,
    user: ApiUser,
    ApiPath(id): ApiPath<i64>,
    ApiJson(body): ApiJson<EditBody>,
) -> Result<Json<Value>, AppError> {
    let post = post_by_id(&state, id).await?;
    let post = state
        .domain
        .edit_post(&user.account, &post, &body.title, &body.body)
        .await?;
    post_response(&state, post.id).await
}

/// `DELETE /api/v1/posts/{id}`: the author deletes a post.
pub async fn delete_post(
    State(state): State<AppState>,
    user: ApiUser,
    ApiPath(id): ApiPath<i64>,
) -> Result<StatusCode, AppError> {
    let post = post_by_id(&state, id).await?;
    state.domain.delete_post(&user.account, &post).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// `POST /api/v1/posts/{id}/like`: marks a post as helpful.
pub async fn like_post(
    State(state): State<AppState>,
    user: ApiUser,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<Value>, AppError> {
    let post = post_by_id(&state, id).await?;
    state.domain.like_post(&user.account, &post, true).await?;
    post_response(&state, post.id).await
}

/// `DELETE /api/v1/posts/{id}/like`.
pub async fn unlike_post(
    State(state): State<AppState>,
    user: ApiUser,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<Value>, AppError> {
    let post = post_by_id(&state, id).await?;
    state.domain.like_post(&user.account, &post, false).await?;
    post_response(&state, post.id).await
}

/// A body with a reason.
#[derive(Deserialize)]
pub struct ReasonBody {
    #[serde(default)]
    reason: String,
}

/// `POST /api/v1/posts/{id}/report`.
pub async fn report_post(
    State(state): State<AppState>,
    user: ApiUser,
    ApiPath(id): ApiPath<i64>,
    ApiJson(body): ApiJson<ReasonBody>,
) -> Result<StatusCode, AppError> {
    let post = post_by_id(&state, id).await?;
    state
        .domain
        .report_post(&user.account, &post, &body.reason)
        .await?;
    Ok(StatusCode::ACCEPTED)
}

/// `POST /api/v1/posts/{id}/remove` (moderators).
pub async fn remove_post(
    State(state): State<AppState>,
    user: ApiUser,
    ApiPath(id): ApiPath<i64>,
    ApiJson(body): ApiJson<ReasonBody>,
) -> Result<Json<Value>, AppError> {
    let post = post_by_id(&state, id).await?;
    state
        .domain
        .remove_post(&user.account, &post, &body.reason)
        .await?;
    post_response(&state, post.id).await
}

/// `POST /api/v1/threads/{id}/{lock|unlock|pin|unpin}` (moderators).
pub async fn moderate_thread(
    State(state): State<AppState>,
    user: ApiUser,
    ApiPath((id, action)): ApiPath<(i64, String)>,
) -> Result<Json<Value>, AppError> {
    use crate::domain::forums::ThreadAction;
    let action = match action.as_str() {
        "lock" => ThreadAction::Lock,
        "unlock" => ThreadAction::Unlock,
        "pin" => ThreadAction::Pin,
        "unpin" => ThreadAction::Unpin,
        _ => return Err(AppError::not_found()),
    };
    let thread = post_by_id(&state, id).await?;
    state
        .domain
        .moderate_thread(&user.account, &thread, action)
        .await?;
    post_response(&state, thread.id).await
}

/// `GET /api/v1/forums/{name}/reports` (moderators).
pub async fn list_reports(
    State(state): State<AppState>,
    user: ApiUser,
    ApiPath(name): ApiPath<String>,
) -> Result<Json<Value>, AppError> {
    let forum = state.domain.forum_by_path(&name).await?;
    let reports = state.domain.reports_for(&user.account, &forum).await?;
    let local_domain = &state.domain.settings.instance.domain;
    let items: Vec<Value> = reports
        .iter()
        .map(|r| {
            json!({
                "id": r.id,
                "reporter": format!("{}@{}", r.reporter_name, if r.reporter_domain.is_empty() { local_domain.as_str() } else { r.reporter_domain.as_str() }),
                "post_id": r.post_id.map(|p| p.0),
                "object": r.object_ap_id,
                "reason": r.reason,
                "created_at": iso(r.created_at),
            })
        })
        .collect();
    Ok(Json(json!({ "reports": items })))
}

/// The OpenAPI description of these routes (gathered in [`super::openapi`]).
#[derive(utoipa::OpenApi)]
#[openapi()]
pub struct Doc;
