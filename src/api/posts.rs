//! Threads and posts by id over the API: read a thread, reply, edit,
//! delete, like, report, and the moderators' actions (lock, pin, remove).
//! A forum's own routes are in [`super::forums`].

use super::{
    forums::{Forum, PageQuery, Post},
    schema::ErrorBody,
    ApiJson, ApiUser,
};
use crate::extract::{ApiPath, ApiQuery};
use crate::{
    app::AppState,
    domain::{
        lookups::REPLIES_PER_PAGE,
        rows::{PostId, PostRow},
        validate,
    },
    error::AppError,
};
use activitypub_federation::config::Data;
use axum::{
    body::Bytes,
    extract::State,
    http::{header, StatusCode},
    response::{IntoResponse, Response},
    Json,
};
use serde::{Deserialize, Serialize};
use std::{collections::HashMap, sync::Mutex};
use utoipa::ToSchema;

/// A thread, its forum and a page of its replies.
#[derive(Serialize, ToSchema)]
pub struct ThreadPage {
    /// The forum.
    pub forum: Forum,
    /// The thread's first post.
    pub thread: Post,
    /// 50 replies in publication order, deleted and removed ones included.
    pub replies: Vec<Post>,
    /// This page, from 1.
    pub page: i64,
    /// How many replies the thread has.
    pub total_replies: i64,
    /// Replies per page.
    pub replies_per_page: i64,
}

/// `GET /api/v1/threads/{id}[?page=N]`: a thread and a page of its
/// replies.
#[utoipa::path(
    get,
    path = "/threads/{id}",
    tag = "posts",
    params(("id" = i64, Path, description = "The local id of any post of the thread"), PageQuery),
    responses(
        (status = 200, description = "The thread and a page of replies", body = ThreadPage),
        (status = 404, description = "`not_found`", body = ErrorBody),
        (status = 410, description = "`post_deleted`", body = ErrorBody),
        (status = 422, description = "`invalid_page`", body = ErrorBody),
    ),
)]
pub async fn get_thread(
    data: Data<AppState>,
    ApiPath(id): ApiPath<i64>,
    ApiQuery(query): ApiQuery<PageQuery>,
) -> Result<Response, AppError> {
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
    let key = (thread.id.0, page);
    let body = match state.thread_json.get(key, snapshot.generation) {
        Some(body) => body,
        None => {
            let labels = state.domain.labeller().await?;
            let view = ThreadPage {
                forum: Forum::new(state, &snapshot.forum, &labels),
                thread: Post::new(&snapshot.thread, &labels),
                replies: snapshot
                    .replies
                    .iter()
                    .map(|r| Post::new(r, &labels))
                    .collect(),
                page,
                total_replies: snapshot.total_replies,
                replies_per_page: REPLIES_PER_PAGE,
            };
            let body = Bytes::from(
                serde_json::to_vec(&view).map_err(|e| AppError::internal(e.to_string()))?,
            );
            state
                .thread_json
                .insert(key, snapshot.generation, body.clone());
            body
        }
    };
    Ok(([(header::CONTENT_TYPE, "application/json")], body).into_response())
}

/// Thread pages as the API sends them, serialised once per page value of
/// the domain (`ThreadPage::generation`): while the domain serves one
/// value, no write it misses was recorded, so neither does its JSON. The
/// trust labels in it were computed at most the page cache's age earlier.
#[derive(Default)]
pub struct ThreadJson {
    entries: Mutex<HashMap<(i64, i64), (u64, Bytes)>>,
}

/// At most this many pages are kept; when full, all go.
const THREAD_JSON_CAPACITY: usize = 256;

impl ThreadJson {
    /// The JSON of page `page` of `thread` made from value `generation`.
    fn get(&self, key: (i64, i64), generation: u64) -> Option<Bytes> {
        let entries = self.entries.lock().unwrap_or_else(|p| p.into_inner());
        entries
            .get(&key)
            .filter(|(made_from, _)| *made_from == generation)
            .map(|(_, body)| body.clone())
    }

    /// Keeps the JSON made from value `generation`.
    fn insert(&self, key: (i64, i64), generation: u64, body: Bytes) {
        let mut entries = self.entries.lock().unwrap_or_else(|p| p.into_inner());
        if entries.len() >= THREAD_JSON_CAPACITY && !entries.contains_key(&key) {
            entries.clear();
        }
        entries.insert(key, (generation, body));
    }
}

/// `POST /api/v1/threads/{id}/replies` body.
#[derive(Deserialize, ToSchema)]
pub struct ReplyBody {
    /// Markdown, 1–20,000 characters.
    body: String,
    /// The post answered: the thread when absent.
    #[serde(default)]
    in_reply_to: Option<i64>,
}

/// `POST /api/v1/threads/{id}/replies`.
#[utoipa::path(
    post,
    path = "/threads/{id}/replies",
    tag = "posts",
    params(("id" = i64, Path, description = "The thread's local id")),
    request_body = ReplyBody,
    responses(
        (status = 201, description = "The new reply", body = Post),
        (status = 401, description = "`unauthorized`", body = ErrorBody),
        (status = 403, description = "`forum_level_too_low`", body = ErrorBody),
        (status = 404, description = "`not_found`", body = ErrorBody),
        (status = 409, description = "`thread_locked`", body = ErrorBody),
        (status = 410, description = "`post_deleted`", body = ErrorBody),
        (status = 422, description = "`field_required`, `field_too_long`, `too_many_mentions`", body = ErrorBody),
    ),
    security(("bearer" = [])),
)]
pub async fn create_reply(
    State(state): State<AppState>,
    data: activitypub_federation::config::Data<AppState>,
    user: ApiUser,
    ApiPath(id): ApiPath<i64>,
    ApiJson(body): ApiJson<ReplyBody>,
) -> Result<(StatusCode, Json<Post>), AppError> {
    let parent = state
        .domain
        .reply_parent(PostId(id), body.in_reply_to)
        .await?;
    crate::apub::mentions::look_up(&data, &body.body).await;
    let reply = state
        .domain
        .post_reply(&user.account, &parent, &body.body)
        .await?;
    let view = state.domain.post_view(reply.id).await?;
    Ok((
        StatusCode::CREATED,
        Json(Post::new(&view, &state.domain.labeller().await?)),
    ))
}

async fn post_by_id(state: &AppState, id: i64) -> Result<PostRow, AppError> {
    Ok(state.domain.post_by_id(PostId(id)).await?)
}

async fn post_response(state: &AppState, id: PostId) -> Result<Json<Post>, AppError> {
    let view = state.domain.post_view(id).await?;
    Ok(Json(Post::new(&view, &state.domain.labeller().await?)))
}

/// `PUT /api/v1/posts/{id}` body.
#[derive(Deserialize, ToSchema)]
pub struct EditBody {
    /// Required for threads, ignored for replies.
    #[serde(default)]
    title: String,
    /// Markdown, 1–20,000 characters.
    body: String,
}

/// `PUT /api/v1/posts/{id}`: the author edits a post.
#[utoipa::path(
    put,
    path = "/posts/{id}",
    tag = "posts",
    params(("id" = i64, Path, description = "The post's local id")),
    request_body = EditBody,
    responses(
        (status = 200, description = "The edited post", body = Post),
        (status = 401, description = "`unauthorized`", body = ErrorBody),
        (status = 403, description = "`forbidden`: not the author", body = ErrorBody),
        (status = 404, description = "`not_found`", body = ErrorBody),
        (status = 410, description = "`post_deleted`", body = ErrorBody),
        (status = 422, description = "`field_required`, `field_too_long`, `too_many_mentions`", body = ErrorBody),
    ),
    security(("bearer" = [])),
)]
pub async fn edit_post(
    State(state): State<AppState>,
    data: activitypub_federation::config::Data<AppState>,
    user: ApiUser,
    ApiPath(id): ApiPath<i64>,
    ApiJson(body): ApiJson<EditBody>,
) -> Result<Json<Post>, AppError> {
    let post = post_by_id(&state, id).await?;
    crate::apub::mentions::look_up(&data, &body.body).await;
    let post = state
        .domain
        .edit_post(&user.account, &post, &body.title, &body.body)
        .await?;
    post_response(&state, post.id).await
}

/// `DELETE /api/v1/posts/{id}`: the author deletes a post.
#[utoipa::path(
    delete,
    path = "/posts/{id}",
    tag = "posts",
    params(("id" = i64, Path, description = "The post's local id")),
    responses(
        (status = 204, description = "Deleted, empty body"),
        (status = 401, description = "`unauthorized`", body = ErrorBody),
        (status = 403, description = "`forbidden`: not the author", body = ErrorBody),
        (status = 404, description = "`not_found`", body = ErrorBody),
    ),
    security(("bearer" = [])),
)]
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
#[utoipa::path(
    post,
    path = "/posts/{id}/like",
    tag = "posts",
    params(("id" = i64, Path, description = "The post's local id")),
    responses(
        (status = 200, description = "The post", body = Post),
        (status = 401, description = "`unauthorized`", body = ErrorBody),
        (status = 404, description = "`not_found`", body = ErrorBody),
        (status = 410, description = "`post_deleted`", body = ErrorBody),
    ),
    security(("bearer" = [])),
)]
pub async fn like_post(
    State(state): State<AppState>,
    user: ApiUser,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<Post>, AppError> {
    let post = post_by_id(&state, id).await?;
    state.domain.like_post(&user.account, &post, true).await?;
    post_response(&state, post.id).await
}

/// `DELETE /api/v1/posts/{id}/like`.
#[utoipa::path(
    delete,
    path = "/posts/{id}/like",
    tag = "posts",
    params(("id" = i64, Path, description = "The post's local id")),
    responses(
        (status = 200, description = "The post", body = Post),
        (status = 401, description = "`unauthorized`", body = ErrorBody),
        (status = 404, description = "`not_found`", body = ErrorBody),
        (status = 410, description = "`post_deleted`", body = ErrorBody),
    ),
    security(("bearer" = [])),
)]
pub async fn unlike_post(
    State(state): State<AppState>,
    user: ApiUser,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<Post>, AppError> {
    let post = post_by_id(&state, id).await?;
    state.domain.like_post(&user.account, &post, false).await?;
    post_response(&state, post.id).await
}

/// A body with a reason.
#[derive(Deserialize, ToSchema)]
pub struct ReasonBody {
    /// Why.
    #[serde(default)]
    reason: String,
}

/// `POST /api/v1/posts/{id}/report`.
#[utoipa::path(
    post,
    path = "/posts/{id}/report",
    tag = "posts",
    params(("id" = i64, Path, description = "The post's local id")),
    request_body = ReasonBody,
    responses(
        (status = 202, description = "Reported, empty body"),
        (status = 401, description = "`unauthorized`", body = ErrorBody),
        (status = 404, description = "`not_found`", body = ErrorBody),
        (status = 422, description = "`field_required`, `field_too_long`", body = ErrorBody),
    ),
    security(("bearer" = [])),
)]
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
#[utoipa::path(
    post,
    path = "/posts/{id}/remove",
    tag = "posts",
    params(("id" = i64, Path, description = "The post's local id")),
    request_body = ReasonBody,
    responses(
        (status = 200, description = "The removed post", body = Post),
        (status = 401, description = "`unauthorized`", body = ErrorBody),
        (status = 403, description = "`not_moderator`", body = ErrorBody),
        (status = 404, description = "`not_found`", body = ErrorBody),
        (status = 409, description = "`forum_is_remote`", body = ErrorBody),
        (status = 422, description = "`field_too_long`", body = ErrorBody),
    ),
    security(("bearer" = [])),
)]
pub async fn remove_post(
    State(state): State<AppState>,
    user: ApiUser,
    ApiPath(id): ApiPath<i64>,
    ApiJson(body): ApiJson<ReasonBody>,
) -> Result<Json<Post>, AppError> {
    let post = post_by_id(&state, id).await?;
    state
        .domain
        .remove_post(&user.account, &post, &body.reason)
        .await?;
    post_response(&state, post.id).await
}

/// `POST /api/v1/threads/{id}/{lock|unlock|pin|unpin}` (moderators).
#[utoipa::path(
    post,
    path = "/threads/{id}/{action}",
    tag = "posts",
    params(
        ("id" = i64, Path, description = "The thread's local id"),
        ("action" = String, Path, description = "`lock`, `unlock`, `pin` or `unpin`"),
    ),
    responses(
        (status = 200, description = "The thread", body = Post),
        (status = 401, description = "`unauthorized`", body = ErrorBody),
        (status = 403, description = "`not_moderator`", body = ErrorBody),
        (status = 404, description = "`not_found`, also for another action", body = ErrorBody),
        (status = 409, description = "`forum_is_remote`", body = ErrorBody),
        (status = 422, description = "`not_a_thread`", body = ErrorBody),
    ),
    security(("bearer" = [])),
)]
pub async fn moderate_thread(
    State(state): State<AppState>,
    user: ApiUser,
    ApiPath((id, action)): ApiPath<(i64, String)>,
) -> Result<Json<Post>, AppError> {
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

/// The OpenAPI description of these routes (gathered in [`super::openapi`]).
#[derive(utoipa::OpenApi)]
#[openapi(
    paths(
        get_thread,
        create_reply,
        moderate_thread,
        edit_post,
        delete_post,
        like_post,
        unlike_post,
        report_post,
        remove_post
    ),
    components(schemas(ThreadPage, ReplyBody, EditBody, ReasonBody))
)]
pub struct Doc;
