//! Forums over the API: list, create, follow a remote forum, a forum's
//! threads, new threads and the reports queue. Threads and posts by id are
//! in [`super::posts`].

use super::{
    schema::{rfc3339, ErrorBody, Level, Trust},
    ApiJson, ApiUser,
};
use crate::extract::{ApiPath, ApiQuery};
use crate::{
    app::AppState,
    apub::forums::{forum_handle, resolve_forum},
    domain::{
        forums::ForumInput,
        rows::{FollowState, ForumRow, PostKind, PostView},
        trust::Labeller,
        validate,
    },
    error::AppError,
};
use activitypub_federation::config::Data;
use axum::{extract::State, http::StatusCode, Json};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

/// A forum, local or remote (docs/api.md, "The forum object").
#[derive(Serialize, ToSchema)]
pub struct Forum {
    /// `name@domain`.
    pub handle: String,
    /// The name on its instance.
    pub name: String,
    /// Whether it is hosted here.
    pub local: bool,
    /// The ActivityPub id.
    pub actor_id: String,
    /// The title, plain text.
    pub title: String,
    /// The description, sanitised HTML.
    pub description_html: String,
    /// The time of the latest post (RFC 3339).
    pub last_activity_at: Option<String>,
    /// Who may post in a local forum (always `informal` for a remote one).
    pub min_post_level: Level,
    /// The label of the forum's instance, as this instance verifies it.
    pub trust: Trust,
}

impl Forum {
    /// The view of `forum`, labelled by `labels`.
    pub fn new(state: &AppState, forum: &ForumRow, labels: &Labeller<'_>) -> Forum {
        Forum {
            handle: forum_handle(state, forum),
            name: forum.actor.name.clone(),
            local: forum.actor.is_local(),
            actor_id: forum.actor.ap_id.clone(),
            title: forum.title.clone(),
            description_html: forum.description_html.clone(),
            last_activity_at: rfc3339(forum.last_activity_at),
            min_post_level: forum.min_post_level.into(),
            trust: labels.instance(&forum.actor.domain).into(),
        }
    }
}

/// The author of a post.
#[derive(Serialize, ToSchema)]
pub struct PostAuthor {
    /// `name@domain`.
    pub handle: String,
    /// The display name, plain text.
    pub display_name: String,
    /// The ActivityPub id.
    pub actor_id: String,
    /// Whether the author has an account on this instance.
    pub local: bool,
}

/// `thread` or `reply`.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum PostKindView {
    /// A thread's first post.
    Thread,
    /// An answer in a thread.
    Reply,
}

/// A thread or a reply (docs/api.md, "The post object").
#[derive(Serialize, ToSchema)]
pub struct Post {
    /// The local id.
    pub id: i64,
    /// The ActivityPub id, the same everywhere.
    pub ap_id: String,
    /// Thread or reply.
    pub kind: PostKindView,
    /// The thread's id (its own for a thread).
    pub thread_id: i64,
    /// The post answered; `null` for a thread.
    pub in_reply_to_id: Option<i64>,
    /// The thread's title, plain text; `""` for replies.
    pub title: String,
    /// Sanitised HTML; `""` once deleted or removed.
    pub content_html: String,
    /// The Markdown as written, for local posts only.
    pub source: String,
    /// The author.
    pub author: PostAuthor,
    /// The author's label, as this instance verifies it now.
    pub trust: Trust,
    /// Publication (RFC 3339).
    pub published_at: Option<String>,
    /// The latest edit (RFC 3339).
    pub updated_at: Option<String>,
    /// Deleted by its author.
    pub deleted: bool,
    /// Removed by a moderator.
    pub removed: bool,
    /// A locked thread refuses replies.
    pub locked: bool,
    /// Pinned threads come first.
    pub pinned: bool,
    /// On threads: visible replies.
    pub reply_count: i64,
    /// "Helpful" marks.
    pub like_count: i64,
}

impl Post {
    /// The view of a post, labelled by `labels`.
    pub fn new(view: &PostView, labels: &Labeller<'_>) -> Post {
        let post = &view.post;
        let visible = post.is_visible();
        let domain = if view.author.domain.is_empty() {
            labels.local_domain()
        } else {
            view.author.domain.as_str()
        };
        Post {
            id: post.id.0,
            ap_id: post.ap_id.clone(),
            kind: match post.kind {
                PostKind::Thread => PostKindView::Thread,
                PostKind::Reply => PostKindView::Reply,
            },
            thread_id: post.thread().0,
            in_reply_to_id: post.in_reply_to_id.map(|p| p.0),
            title: post.title.clone(),
            content_html: if visible {
                post.content_html.clone()
            } else {
                String::new()
            },
            source: if visible && post.local {
                post.source.clone()
            } else {
                String::new()
            },
            author: PostAuthor {
                handle: format!("{}@{}", view.author.name, domain),
                display_name: view.author.display_name.clone(),
                actor_id: view.author.ap_id.clone(),
                local: view.author.domain.is_empty(),
            },
            trust: labels
                .person(&view.author.domain, view.author.email_domain.as_deref())
                .into(),
            published_at: rfc3339(post.published_at),
            updated_at: post.updated_at.and_then(rfc3339),
            deleted: post.deleted_at.is_some(),
            removed: post.removed_at.is_some(),
            locked: post.locked,
            pinned: post.pinned,
            reply_count: view.reply_count,
            like_count: view.like_count,
        }
    }
}

/// The forums listed here.
#[derive(Serialize, ToSchema)]
pub struct ForumList {
    /// Local forums and remote ones a member follows, latest activity first.
    pub forums: Vec<Forum>,
}

/// `GET /api/v1/forums`.
#[utoipa::path(
    get,
    path = "/forums",
    tag = "forums",
    responses((status = 200, description = "The forums", body = ForumList)),
)]
pub async fn list_forums(State(state): State<AppState>) -> Result<Json<ForumList>, AppError> {
    let forums = state.domain.listed_forums().await?;
    let labels = state.domain.labeller().await?;
    Ok(Json(ForumList {
        forums: forums
            .iter()
            .map(|forum| Forum::new(&state, forum, &labels))
            .collect(),
    }))
}

/// `POST /api/v1/forums` body.
#[derive(Deserialize, ToSchema)]
pub struct CreateForum {
    /// 2–30 characters among `a-z 0-9 _`, starting with a letter.
    name: String,
    /// 1–120 characters.
    title: String,
    /// Markdown, at most 5,000 characters.
    #[serde(default)]
    description: String,
    /// Who may post: `informal` (anyone, the default), `associative` or
    /// `institutional`, by the author's label.
    #[serde(default)]
    #[schema(value_type = Option<Level>)]
    min_post_level: preau_federation::TrustLevel,
}

/// `POST /api/v1/forums`.
#[utoipa::path(
    post,
    path = "/forums",
    tag = "forums",
    request_body = CreateForum,
    responses(
        (status = 201, description = "Created", body = Forum),
        (status = 400, description = "`invalid_json`: an unknown `min_post_level`", body = ErrorBody),
        (status = 401, description = "`unauthorized`", body = ErrorBody),
        (status = 403, description = "`forbidden`: members may not create forums", body = ErrorBody),
        (status = 422, description = "`invalid_forum_name`, `name_taken`, `field_required`, `field_too_long`", body = ErrorBody),
    ),
    security(("bearer" = [])),
)]
pub async fn create_forum(
    State(state): State<AppState>,
    user: ApiUser,
    ApiJson(body): ApiJson<CreateForum>,
) -> Result<(StatusCode, Json<Forum>), AppError> {
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
        Json(Forum::new(&state, &forum, &state.domain.labeller().await?)),
    ))
}

/// Pagination.
#[derive(Deserialize, IntoParams)]
pub struct PageQuery {
    /// The page, from 1. Read by [`crate::domain::validate::page_number`].
    pub page: Option<String>,
}

/// A forum and a page of its threads.
#[derive(Serialize, ToSchema)]
pub struct ForumPage {
    /// The forum.
    pub forum: Forum,
    /// 20 threads, pinned first, then by latest activity.
    pub threads: Vec<Post>,
    /// This page, from 1.
    pub page: i64,
    /// How many threads the forum has.
    pub total_threads: i64,
}

/// `GET /api/v1/forums/{name}`: the forum and a page of threads.
#[utoipa::path(
    get,
    path = "/forums/{name}",
    tag = "forums",
    params(("name" = String, Path, description = "`maths`, or `maths@domain` for a remote forum known here"), PageQuery),
    responses(
        (status = 200, description = "The forum and a page of threads", body = ForumPage),
        (status = 404, description = "`not_found`", body = ErrorBody),
        (status = 422, description = "`invalid_page`", body = ErrorBody),
    ),
)]
pub async fn get_forum(
    State(state): State<AppState>,
    ApiPath(name): ApiPath<String>,
    ApiQuery(query): ApiQuery<PageQuery>,
) -> Result<Json<ForumPage>, AppError> {
    let forum = state.domain.forum_by_path(&name).await?;
    let page = validate::page_number(query.page.as_deref(), validate::MAX_PAGE)?;
    let list = state.domain.forum_threads_page(&forum, page).await?;
    let labels = state.domain.labeller().await?;
    Ok(Json(ForumPage {
        forum: Forum::new(&state, &forum, &labels),
        threads: list.threads.iter().map(|t| Post::new(t, &labels)).collect(),
        page,
        total_threads: list.total,
    }))
}

/// `POST /api/v1/forums/follow` body.
#[derive(Deserialize, ToSchema)]
pub struct FollowBody {
    /// `!name@domain`, `name@domain`, `@name@domain` or the forum's URL.
    handle: String,
}

/// Where a follow stands.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ForumFollowState {
    /// The forum accepted.
    Accepted,
    /// Waiting for the forum's `Accept`.
    Pending,
    /// No follow.
    None,
}

/// A forum and the state of the caller's follow.
#[derive(Serialize, ToSchema)]
pub struct FollowedForum {
    /// The forum.
    #[serde(flatten)]
    pub forum: Forum,
    /// The follow's state.
    pub follow: ForumFollowState,
}

/// `POST /api/v1/forums/follow`: follows a forum of another instance by
/// `!name@domain`, `name@domain` or URL.
#[utoipa::path(
    post,
    path = "/forums/follow",
    tag = "forums",
    request_body = FollowBody,
    responses(
        (status = 202, description = "Follow sent", body = FollowedForum),
        (status = 400, description = "`invalid_handle`", body = ErrorBody),
        (status = 401, description = "`unauthorized`", body = ErrorBody),
        (status = 404, description = "`not_found`, `handle_unknown`", body = ErrorBody),
        (status = 409, description = "`forum_is_local`", body = ErrorBody),
        (status = 422, description = "`not_a_forum`", body = ErrorBody),
        (status = 502, description = "`host_unreachable`, `lookup_failed`", body = ErrorBody),
    ),
    security(("bearer" = [])),
)]
pub async fn follow_forum(
    data: Data<AppState>,
    user: ApiUser,
    ApiJson(body): ApiJson<FollowBody>,
) -> Result<(StatusCode, Json<FollowedForum>), AppError> {
    let forum = resolve_forum(&data, &body.handle).await?;
    data.domain.follow_forum(&user.account, &forum).await?;
    let state = data.domain.follow_state(&user.account, &forum).await?;
    Ok((
        StatusCode::ACCEPTED,
        Json(FollowedForum {
            forum: Forum::new(&data, &forum, &data.domain.labeller().await?),
            follow: match state {
                Some(FollowState::Accepted) => ForumFollowState::Accepted,
                Some(FollowState::Pending) => ForumFollowState::Pending,
                None => ForumFollowState::None,
            },
        }),
    ))
}

/// `DELETE /api/v1/forums/{name}/follow`.
#[utoipa::path(
    delete,
    path = "/forums/{name}/follow",
    tag = "forums",
    params(("name" = String, Path, description = "`maths@domain`")),
    responses(
        (status = 204, description = "No longer followed, empty body"),
        (status = 401, description = "`unauthorized`", body = ErrorBody),
        (status = 404, description = "`not_found`", body = ErrorBody),
    ),
    security(("bearer" = [])),
)]
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
#[derive(Deserialize, ToSchema)]
pub struct ThreadBody {
    /// 1–200 characters.
    title: String,
    /// Markdown, 1–20,000 characters.
    body: String,
}

/// `POST /api/v1/forums/{name}/threads`.
#[utoipa::path(
    post,
    path = "/forums/{name}/threads",
    tag = "forums",
    params(("name" = String, Path, description = "The forum")),
    request_body = ThreadBody,
    responses(
        (status = 201, description = "The new thread", body = Post),
        (status = 401, description = "`unauthorized`", body = ErrorBody),
        (status = 403, description = "`forum_level_too_low`", body = ErrorBody),
        (status = 404, description = "`not_found`", body = ErrorBody),
        (status = 422, description = "`field_required`, `field_too_long`, `too_many_mentions`", body = ErrorBody),
    ),
    security(("bearer" = [])),
)]
pub async fn create_thread(
    State(state): State<AppState>,
    data: activitypub_federation::config::Data<AppState>,
    user: ApiUser,
    ApiPath(name): ApiPath<String>,
    ApiJson(body): ApiJson<ThreadBody>,
) -> Result<(StatusCode, Json<Post>), AppError> {
    let forum = state.domain.forum_by_path(&name).await?;
    crate::apub::mentions::look_up(&data, &body.body).await;
    let post = state
        .domain
        .post_thread(&user.account, &forum, &body.title, &body.body)
        .await?;
    let view = state.domain.post_view(post.id).await?;
    Ok((
        StatusCode::CREATED,
        Json(Post::new(&view, &state.domain.labeller().await?)),
    ))
}

/// An open report.
#[derive(Serialize, ToSchema)]
pub struct Report {
    /// The report's id.
    pub id: i64,
    /// Who reported, `name@domain`.
    pub reporter: String,
    /// The reported post's local id.
    pub post_id: Option<i64>,
    /// The reported object's ActivityPub id.
    pub object: String,
    /// Why.
    pub reason: String,
    /// When (RFC 3339).
    pub created_at: Option<String>,
}

/// A forum's open reports.
#[derive(Serialize, ToSchema)]
pub struct ReportList {
    /// Oldest first.
    pub reports: Vec<Report>,
}

/// `GET /api/v1/forums/{name}/reports` (moderators).
#[utoipa::path(
    get,
    path = "/forums/{name}/reports",
    tag = "forums",
    params(("name" = String, Path, description = "The forum")),
    responses(
        (status = 200, description = "The open reports", body = ReportList),
        (status = 401, description = "`unauthorized`", body = ErrorBody),
        (status = 403, description = "`not_moderator`", body = ErrorBody),
        (status = 404, description = "`not_found`", body = ErrorBody),
    ),
    security(("bearer" = [])),
)]
pub async fn list_reports(
    State(state): State<AppState>,
    user: ApiUser,
    ApiPath(name): ApiPath<String>,
) -> Result<Json<ReportList>, AppError> {
    let forum = state.domain.forum_by_path(&name).await?;
    let reports = state.domain.reports_for(&user.account, &forum).await?;
    let local_domain = &state.domain.settings.instance.domain;
    Ok(Json(ReportList {
        reports: reports
            .iter()
            .map(|r| Report {
                id: r.id,
                reporter: format!(
                    "{}@{}",
                    r.reporter_name,
                    if r.reporter_domain.is_empty() {
                        local_domain.as_str()
                    } else {
                        r.reporter_domain.as_str()
                    }
                ),
                post_id: r.post_id.map(|p| p.0),
                object: r.object_ap_id.clone(),
                reason: r.reason.clone(),
                created_at: rfc3339(r.created_at),
            })
            .collect(),
    }))
}

/// The OpenAPI description of these routes (gathered in [`super::openapi`]).
#[derive(utoipa::OpenApi)]
#[openapi(
    paths(
        list_forums,
        create_forum,
        follow_forum,
        get_forum,
        unfollow_forum,
        create_thread,
        list_reports
    ),
    components(schemas(
        Forum,
        ForumList,
        ForumPage,
        FollowedForum,
        ForumFollowState,
        Post,
        PostAuthor,
        PostKindView,
        Report,
        ReportList,
        CreateForum,
        FollowBody,
        ThreadBody
    ))
)]
pub struct Doc;
