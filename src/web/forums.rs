//! Forum pages: the list of forums, a forum with its threads, and the
//! forms to create a forum, follow one on another instance and open a
//! thread (with a Markdown preview). A thread with its replies and the
//! reply form are in [`super::threads`] (re-exported here).

use super::{
    session::{CsrfForm, Page},
    views::{date, ForumPostView, ForumView, LabelView},
};
use crate::extract::{WebPath, WebQuery};
use crate::{
    app::AppState,
    apub::forums::{forum_path, resolve_forum},
    domain::{
        forums::ForumInput,
        rendering,
        rows::{FollowState, ForumRow},
        validate,
    },
    error::AppError,
};
use activitypub_federation::config::Data;
use axum::{
    extract::State,
    http::{HeaderMap, StatusCode},
    response::Response,
};
use serde::{Deserialize, Serialize};

/// `forums.html`: the forums, and the forms to create or follow one.
#[derive(Serialize)]
struct ForumsPage<'a> {
    forums: Vec<ListedForum>,
    can_create: bool,
    error: Option<String>,
    error_field: Option<&'static str>,
    /// The handle typed in a refused follow form.
    follow_handle: Option<&'a str>,
    /// A refused creation form.
    form: Option<&'a CreateForumForm>,
}

/// A forum in the list, with its instance's label.
#[derive(Serialize)]
struct ListedForum {
    trust: LabelView,
    #[serde(flatten)]
    forum: ForumView,
}

/// `forum.html`: a forum, a page of its threads, and the compose form.
#[derive(Serialize)]
struct ForumPage<'a> {
    forum: ForumView,
    forum_trust: LabelView,
    min_post_level: &'static str,
    threads: Vec<ForumPostView>,
    page_number: i64,
    pages: i64,
    total: i64,
    /// `none`, `pending` or `accepted` for a remote forum.
    follow_state: Option<&'static str>,
    /// Whether the visitor follows the forum by e-mail (logged in only).
    mail_subscribed: Option<bool>,
    ban: Option<BanView>,
    /// The visitor's own posts here that moderators removed, with why.
    removed: Vec<RemovedView>,
    form: Option<&'a ThreadForm>,
    preview_html: Option<String>,
    error: Option<String>,
}

/// One of the visitor's posts removed by the moderators.
#[derive(Serialize)]
struct RemovedView {
    title: String,
    reason: String,
    date: String,
}

/// The visitor's ban from a forum.
#[derive(Serialize)]
struct BanView {
    reason: String,
    until: Option<String>,
}

pub(super) use super::threads::thread_page;
pub use super::threads::{show_thread, spawn_backfill, submit_reply, ReplyForm};

pub(super) fn refusal(state: &AppState, page: &Page, error: impl Into<AppError>) -> Response {
    state.error_page(page, error)
}

/// `GET /forums`.
pub async fn show_forums(State(state): State<AppState>, page: Page) -> Response {
    forums_page(&state, &page, StatusCode::OK, None, None, None).await
}

async fn forums_page(
    state: &AppState,
    page: &Page,
    status: StatusCode,
    error: Option<String>,
    form: Option<&CreateForumForm>,
    follow_handle: Option<&str>,
) -> Response {
    let forums = match state.domain.listed_forums().await {
        Ok(forums) => forums,
        Err(error) => return refusal(state, page, error),
    };
    let labels = match state.domain.labeller().await {
        Ok(labels) => labels,
        Err(error) => return refusal(state, page, error),
    };
    let items = forums
        .iter()
        .map(|forum| ListedForum {
            trust: labels.instance(&forum.actor.domain).into(),
            forum: ForumView::of(state, forum),
        })
        .collect();
    let can_create = page
        .user
        .as_ref()
        .is_some_and(|user| user.is_admin || state.domain.settings.forums.members_can_create);
    state.render_status(
        status,
        page,
        "forums.html",
        &ForumsPage {
            forums: items,
            can_create,
            error,
            error_field: follow_handle.map(|_| "handle"),
            follow_handle,
            form,
        },
    )
}

/// The forum creation form.
#[derive(Debug, Default, Deserialize, Serialize)]
pub struct CreateForumForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    title: String,
    #[serde(default)]
    description: String,
    #[serde(default)]
    min_post_level: String,
}

/// `POST /forums`: creates a local forum.
pub async fn submit_create_forum(
    State(state): State<AppState>,
    page: Page,
    CsrfForm(form): CsrfForm<CreateForumForm>,
) -> Response {
    let Some(user) = &page.user else {
        return crate::web::redirect::to("/login?next=%2Fforums");
    };
    let level = if form.min_post_level.is_empty() {
        "informal"
    } else {
        form.min_post_level.as_str()
    };
    let Ok(min_post_level) = level.parse() else {
        let error = AppError::new(StatusCode::UNPROCESSABLE_ENTITY, "invalid_trust_level");
        let message = state.error_message(page.lang, &error);
        return forums_page(
            &state,
            &page,
            error.status,
            Some(message),
            Some(&form),
            None,
        )
        .await;
    };
    let input = ForumInput {
        name: form.name.clone(),
        title: form.title.clone(),
        description: form.description.clone(),
        min_post_level,
    };
    match state.domain.create_forum(Some(user), &input).await {
        Ok(forum) => crate::web::notice::redirect(
            &forum_path(&forum),
            crate::web::notice::Notice::with("forum-created", forum.title.clone()),
        ),
        Err(error) => {
            let error = AppError::from(error);
            let message = state.error_message(page.lang, &error);
            forums_page(
                &state,
                &page,
                error.status,
                Some(message),
                Some(&form),
                None,
            )
            .await
        }
    }
}

/// The "follow a forum on another instance" form.
#[derive(Debug, Deserialize)]
pub struct FollowForm {
    #[serde(default)]
    handle: String,
}

/// `POST /forums/follow`.
pub async fn submit_follow(
    data: Data<AppState>,
    page: Page,
    CsrfForm(form): CsrfForm<FollowForm>,
) -> Response {
    let state: &AppState = &data;
    let Some(user) = &page.user else {
        return crate::web::redirect::to("/login?next=%2Fforums");
    };
    let forum = match resolve_forum(&data, &form.handle).await {
        Ok(forum) => forum,
        Err(error) => {
            let message = state.error_message(page.lang, &error);
            let typed = Some(form.handle.as_str());
            return forums_page(state, &page, error.status, Some(message), None, typed).await;
        }
    };
    if !forum.actor.is_local() {
        if let Err(error) = state.domain.follow_forum(user, &forum).await {
            return refusal(state, &page, error);
        }
        return crate::web::notice::redirect(
            &forum_path(&forum),
            crate::web::notice::Notice::with("forum-followed", forum.title.clone()),
        );
    }
    crate::web::redirect::to(&forum_path(&forum))
}

/// `GET /forums/{name}/unfollow`: the confirmation step of unfollowing.
pub async fn confirm_unfollow(
    State(state): State<AppState>,
    page: Page,
    WebPath(name): WebPath<String>,
) -> Response {
    if page.user.is_none() {
        return crate::web::redirect::to_login(&format!("/forums/{name}"));
    }
    let forum = match state.domain.forum_by_path(&name).await {
        Ok(forum) => forum,
        Err(error) => return refusal(&state, &page, error),
    };
    let path = forum_path(&forum);
    state.confirm_page(
        &page,
        super::views::ConfirmView::from_catalog(
            page.lang,
            "forum-unfollow",
            &forum.title,
            format!("{path}/unfollow"),
            path,
        ),
    )
}

/// `POST /forums/{name}/unfollow`.
pub async fn submit_unfollow(
    State(state): State<AppState>,
    page: Page,
    WebPath(name): WebPath<String>,
    CsrfForm(_): CsrfForm<super::auth::EmptyForm>,
) -> Response {
    let Some(user) = &page.user else {
        return crate::web::redirect::to("/login");
    };
    let forum = match state.domain.forum_by_path(&name).await {
        Ok(forum) => forum,
        Err(error) => return refusal(&state, &page, error),
    };
    if let Err(error) = state.domain.unfollow_forum(user, &forum).await {
        return refusal(&state, &page, error);
    }
    crate::web::notice::redirect(
        &forum_path(&forum),
        crate::web::notice::Notice::with("forum-unfollowed", forum.title.clone()),
    )
}

/// Pagination query.
#[derive(Debug, Deserialize)]
pub struct PageQuery {
    /// Read by [`crate::domain::validate::page_number`].
    pub(super) page: Option<String>,
}

/// `GET /forums/{name}`: the forum page, or its `Group` actor for
/// ActivityPub clients.
pub async fn show_forum(
    State(state): State<AppState>,
    page: Page,
    headers: HeaderMap,
    WebPath(name): WebPath<String>,
    WebQuery(query): WebQuery<PageQuery>,
) -> Response {
    if super::profile::wants_activity_json(&headers) {
        return crate::apub::forums::forum_document(&state, &name).await;
    }
    let number = match validate::page_number(query.page.as_deref(), validate::MAX_PAGE) {
        Ok(number) => number,
        Err(error) => return refusal(&state, &page, error),
    };
    let forum = match state.domain.forum_by_path(&name).await {
        Ok(forum) => forum,
        Err(error) => return refusal(&state, &page, error),
    };
    forum_page(&state, &page, &forum, number, StatusCode::OK, None, None).await
}

/// The compose form of a thread.
#[derive(Debug, Default, Deserialize, Serialize)]
pub struct ThreadForm {
    #[serde(default)]
    title: String,
    #[serde(default)]
    body: String,
    #[serde(default, skip_serializing)]
    preview: Option<String>,
}

async fn forum_page(
    state: &AppState,
    page: &Page,
    forum: &ForumRow,
    page_number: i64,
    status: StatusCode,
    form: Option<&ThreadForm>,
    error: Option<String>,
) -> Response {
    let page_number = page_number.max(1);
    let list = match state.domain.forum_threads_page(forum, page_number).await {
        Ok(list) => list,
        Err(error) => return refusal(state, page, error),
    };
    let labels = match state.domain.labeller().await {
        Ok(labels) => labels,
        Err(error) => return refusal(state, page, error),
    };
    let threads = list
        .threads
        .iter()
        .map(|view| ForumPostView::of(view, &labels))
        .collect();
    let pages = list.pages();
    let follow_state = match &page.user {
        Some(user) if !forum.actor.is_local() => {
            match state.domain.follow_state(user, forum).await {
                Ok(Some(follow)) => Some(if follow == FollowState::Accepted {
                    "accepted"
                } else {
                    "pending"
                }),
                Ok(None) => Some("none"),
                Err(error) => return refusal(state, page, error),
            }
        }
        _ => None,
    };
    let mail_subscribed = match &page.user {
        Some(user) => match state.domain.follows_by_mail(user, forum.actor.id).await {
            Ok(subscribed) => Some(subscribed),
            Err(error) => return refusal(state, page, error),
        },
        None => None,
    };
    let ban = match &page.user {
        Some(user) => match state.domain.ban_of(forum, user).await {
            Ok(ban) => ban.map(|ban| BanView {
                reason: ban.reason,
                until: ban.expires_at.map(date),
            }),
            Err(error) => return refusal(state, page, error),
        },
        None => None,
    };
    let removed = match &page.user {
        Some(user) => match state.domain.removed_posts_of(forum, user).await {
            Ok(rows) => rows
                .into_iter()
                .map(|row| RemovedView {
                    title: row.thread_title,
                    reason: row.reason,
                    date: date(row.removed_at),
                })
                .collect(),
            Err(error) => return refusal(state, page, error),
        },
        None => Vec::new(),
    };
    let (preview, status, error) = match form.filter(|f| f.preview.is_some()) {
        Some(f) => match rendering::markdown(f.body.clone(), "body").await {
            Ok(html) => (Some(html), status, error),
            Err(refused) => {
                let refused = AppError::from(refused);
                let message = state.error_message(page.lang, &refused);
                (None, refused.status, Some(message))
            }
        },
        None => (None, status, error),
    };
    state.render_status(
        status,
        page,
        "forum.html",
        &ForumPage {
            forum: ForumView::of(state, forum),
            forum_trust: labels.instance(&forum.actor.domain).into(),
            min_post_level: forum.min_post_level.as_str(),
            threads,
            page_number,
            pages,
            total: list.total,
            follow_state,
            mail_subscribed,
            ban,
            removed,
            form,
            preview_html: preview,
            error,
        },
    )
}

/// `POST /forums/{name}/threads`: opens a thread (or shows a preview).
pub async fn submit_thread(
    State(state): State<AppState>,
    data: activitypub_federation::config::Data<AppState>,
    page: Page,
    WebPath(name): WebPath<String>,
    CsrfForm(form): CsrfForm<ThreadForm>,
) -> Response {
    let Some(user) = page.user.clone() else {
        return crate::web::redirect::to("/login");
    };
    let forum = match state.domain.forum_by_path(&name).await {
        Ok(forum) => forum,
        Err(error) => return refusal(&state, &page, error),
    };
    if form.preview.is_some() {
        return forum_page(&state, &page, &forum, 1, StatusCode::OK, Some(&form), None).await;
    }
    crate::apub::mentions::look_up(&data, &form.body).await;
    match state
        .domain
        .post_thread(&user, &forum, &form.title, &form.body)
        .await
    {
        Ok(post) => crate::web::notice::redirect(
            &crate::urls::thread_page(post.id.0),
            crate::web::notice::Notice::with("thread-opened", post.title.clone()),
        ),
        Err(error) => {
            let error = AppError::from(error);
            let message = state.error_message(page.lang, &error);
            forum_page(
                &state,
                &page,
                &forum,
                1,
                error.status,
                Some(&form),
                Some(message),
            )
            .await
        }
    }
}
