//! Forum pages: the list of forums, a forum with its threads, and the
//! forms to create a forum, follow one on another instance and open a
//! thread (with a Markdown preview). A thread with its replies and the
//! reply form are in [`super::threads`] (re-exported here).

use super::session::{CsrfForm, Page};
use crate::extract::{WebPath, WebQuery};
use crate::{
    app::AppState,
    apub::forums::{forum_handle, forum_path, resolve_forum},
    domain::{
        forums::ForumInput,
        rendering,
        rows::{FollowState, ForumRow, PostView},
        trust::Labeller,
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
use minijinja::{context, Value};
use serde::Deserialize;

pub(super) use super::threads::thread_page;
pub use super::threads::{show_thread, spawn_backfill, submit_reply, ReplyForm};

fn date(ms: i64) -> String {
    chrono::DateTime::from_timestamp_millis(ms)
        .map(|t| t.format("%Y-%m-%d %H:%M UTC").to_string())
        .unwrap_or_default()
}

pub(super) fn forum_context(state: &AppState, forum: &ForumRow) -> Value {
    context! {
        name => forum.actor.name,
        title => forum.title,
        description_html => forum.description_html,
        handle => forum_handle(state, forum),
        path => forum_path(forum),
        local => forum.actor.is_local(),
        domain => forum.actor.domain,
        last_activity => date(forum.last_activity_at),
    }
}

pub(super) fn post_context(view: &PostView, labels: &Labeller<'_>) -> Value {
    let local_domain = labels.local_domain();
    let post = &view.post;
    let trust = labels.person(&view.author.domain, view.author.email_domain.as_deref());
    let visible = post.is_visible();
    context! {
        id => post.id.0,
        author_id => view.author.id.0,
        source => if visible && post.local { post.source.clone() } else { String::new() },
        ap_id => post.ap_id,
        title => post.title,
        content_html => if visible { post.content_html.clone() } else { String::new() },
        deleted => post.deleted_at.is_some(),
        removed => post.removed_at.is_some(),
        refused => post.refused_at.map(|_| post.refused_reason.clone().unwrap_or_default()),
        locked => post.locked,
        pinned => post.pinned,
        published => date(post.published_at),
        edited => post.updated_at.map(date),
        in_reply_to => post.in_reply_to_id.map(|p| p.0),
        reply_count => view.reply_count,
        like_count => view.like_count,
        author => context! {
            name => view.author.name,
            display_name => if view.author.display_name.is_empty() { view.author.name.clone() } else { view.author.display_name.clone() },
            domain => if view.author.domain.is_empty() { local_domain.to_string() } else { view.author.domain.clone() },
            local => view.author.domain.is_empty(),
            url => if view.author.domain.is_empty() { format!("/users/{}", view.author.name) } else { view.author.ap_id.clone() },
        },
        local => post.local,
        trust => trust.to_context(),
    }
}

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
    let items: Vec<Value> = forums
        .iter()
        .map(|forum| {
            context! {
                trust => labels.instance(&forum.actor.domain).to_context(),
                ..forum_context(state, forum)
            }
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
        context! {
            forums => items,
            can_create => can_create,
            error => error,
            error_field => follow_handle.map(|_| "handle"),
            follow_handle => follow_handle,
            form => form.map(Value::from_serialize),
        },
    )
}

/// The forum creation form.
#[derive(Debug, Default, Deserialize, serde::Serialize)]
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
        Ok(forum) => crate::web::redirect::to(&forum_path(&forum)),
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
    }
    crate::web::redirect::to(&forum_path(&forum))
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
    crate::web::redirect::to(&forum_path(&forum))
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
#[derive(Debug, Default, Deserialize, serde::Serialize)]
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
    let items: Vec<Value> = list
        .threads
        .iter()
        .map(|view| post_context(view, &labels))
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
    let ban = match &page.user {
        Some(user) => match state.domain.ban_of(forum, user).await {
            Ok(ban) => ban.map(|ban| {
                context! {
                    reason => ban.reason,
                    until => ban.expires_at.map(date),
                }
            }),
            Err(error) => return refusal(state, page, error),
        },
        None => None,
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
        context! {
            forum => forum_context(state, forum),
            forum_trust => labels.instance(&forum.actor.domain).to_context(),
            min_post_level => forum.min_post_level.as_str(),
            threads => items,
            page_number => page_number,
            pages => pages,
            total => list.total,
            follow_state => follow_state,
            ban => ban,
            form => form.map(Value::from_serialize),
            preview_html => preview,
            error => error,
        },
    )
}

/// `POST /forums/{name}/threads`: opens a thread (or shows a preview).
pub async fn submit_thread(
    State(state): State<AppState>,
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
    match state
        .domain
        .post_thread(&user, &forum, &form.title, &form.body)
        .await
    {
        Ok(post) => crate::web::redirect::to(&crate::urls::thread_page(post.id.0)),
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
