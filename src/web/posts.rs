//! Actions on posts from the thread page: edit and delete one's own,
//! mark as helpful, report, and the moderators' tools (remove, lock, pin)
//! (their reports queue is in `super::moderation`).

use super::{
    notice::{self, Notice},
    session::{CsrfForm, Page},
    views::ConfirmView,
};
use crate::extract::WebPath;
use crate::{
    app::AppState,
    apub::forums::forum_path,
    domain::{
        forums::ThreadAction,
        rows::{AccountRow, PostId, PostRow},
        DomainError,
    },
    error::AppError,
    urls,
};
use axum::{extract::State, http::StatusCode, response::Response};
use serde::{Deserialize, Serialize};

/// What was typed in one post's own form (edit, report, remove) when it
/// was refused: the thread page shows that form open, filled in, with the
/// message at `field`.
#[derive(Serialize)]
pub struct Attempt {
    post_id: i64,
    /// `edit`, `report` or `remove`.
    action: &'static str,
    field: Option<String>,
    #[serde(flatten)]
    typed: AttemptText,
}

/// The values typed, by field name.
#[derive(Serialize)]
#[serde(untagged)]
pub enum AttemptText {
    /// An edit.
    Edit {
        /// Title.
        title: String,
        /// Markdown body.
        body: String,
    },
    /// A report or a removal.
    Reason {
        /// Why.
        reason: String,
    },
}

async fn load(state: &AppState, page: &Page, id: i64) -> Result<PostRow, Response> {
    state
        .domain
        .post_by_id(PostId(id))
        .await
        .map_err(|error| state.error_page(page, error))
}

/// The logged-in account and the post it acts on; otherwise the log-in
/// page or an error page.
async fn acting_on(
    state: &AppState,
    page: &Page,
    id: i64,
) -> Result<(AccountRow, PostRow), Response> {
    let Some(user) = page.user.clone() else {
        return Err(crate::web::redirect::to("/login"));
    };
    let post = load(state, page, id).await?;
    Ok((user, post))
}

/// A refusal of what was typed in one of `post`'s forms (`action`: edit,
/// report or remove): the thread again, on the page of the post, with that
/// form open, filled in with `typed`, and the message at its field. Other
/// errors get the error page.
async fn post_form_again(
    state: &AppState,
    page: &Page,
    post: &PostRow,
    action: &'static str,
    typed: AttemptText,
    error: DomainError,
) -> Response {
    if !matches!(error, DomainError::Refused(_)) {
        return state.error_page(page, error);
    }
    let field = super::error_field(&error);
    let error = AppError::from(error);
    let message = state.error_message(page.lang, &error);
    let page_number = match state.domain.page_of_post(post).await {
        Ok(number) => number,
        Err(error) => return state.error_page(page, error),
    };
    let attempt = Attempt {
        post_id: post.id.0,
        action,
        field,
        typed,
    };
    super::forums::thread_page(
        None,
        state,
        page,
        post.thread(),
        page_number,
        error.status,
        None,
        Some(message),
        Some(attempt),
    )
    .await
}

/// The post on its thread page, with `notice`.
fn back_to(post: &PostRow, notice: Notice) -> Response {
    notice::redirect(&post_link(post), notice)
}

fn post_link(post: &PostRow) -> String {
    format!("{}#post-{}", urls::thread_page(post.thread().0), post.id.0)
}

/// A post's first words, to name it on a confirmation page.
fn excerpt(post: &PostRow) -> String {
    if !post.title.is_empty() {
        return post.title.clone();
    }
    // What the reader saw: the rendered text, not the Markdown marks.
    let text = crate::domain::rendering::html_text_now(&post.content_html);
    let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
    let words: String = text.chars().take(80).collect();
    if text.chars().count() > 80 {
        format!("{words}…")
    } else {
        words
    }
}

/// `GET /post/{id}/delete`: the confirmation step of deleting one's post
/// (a thread goes with its replies).
pub async fn confirm_delete(
    State(state): State<AppState>,
    page: Page,
    WebPath(id): WebPath<i64>,
) -> Response {
    let (_, post) = match acting_on(&state, &page, id).await {
        Ok(found) => found,
        Err(response) => return response,
    };
    let key = if post.thread_id.is_none() {
        "delete-thread"
    } else {
        "delete-reply"
    };
    state.confirm_page(
        &page,
        ConfirmView::from_catalog(
            page.lang,
            key,
            &excerpt(&post),
            format!("/post/{id}/delete"),
            post_link(&post),
        ),
    )
}

/// `GET /post/{id}/remove?reason=…`: the confirmation step of a
/// moderator's removal, with the reason typed on the thread page.
pub async fn confirm_remove(
    State(state): State<AppState>,
    page: Page,
    WebPath(id): WebPath<i64>,
    crate::extract::WebQuery(form): crate::extract::WebQuery<ReasonForm>,
) -> Response {
    let (_, post) = match acting_on(&state, &page, id).await {
        Ok(found) => found,
        Err(response) => return response,
    };
    let mut confirm = ConfirmView::from_catalog(
        page.lang,
        "remove-post",
        &excerpt(&post),
        format!("/post/{id}/remove"),
        post_link(&post),
    )
    .field("reason", &form.reason);
    if !form.reason.trim().is_empty() {
        confirm.detail = Some(crate::i18n::Catalogs::get().format(
            page.lang,
            "confirm-remove-post-reason",
            &[("reason", form.reason.trim())],
        ));
    }
    state.confirm_page(&page, confirm)
}

/// The edit form.
#[derive(Debug, Deserialize)]
pub struct EditForm {
    #[serde(default)]
    title: String,
    #[serde(default)]
    body: String,
}

/// `POST /post/{id}/edit`.
pub async fn submit_edit(
    State(state): State<AppState>,
    data: activitypub_federation::config::Data<AppState>,
    page: Page,
    WebPath(id): WebPath<i64>,
    CsrfForm(form): CsrfForm<EditForm>,
) -> Response {
    let (user, post) = match acting_on(&state, &page, id).await {
        Ok(found) => found,
        Err(response) => return response,
    };
    crate::apub::mentions::look_up(&data, &form.body).await;
    match state
        .domain
        .edit_post(&user, &post, &form.title, &form.body)
        .await
    {
        Ok(post) => back_to(&post, Notice::new("post-edited")),
        Err(error) => {
            let typed = AttemptText::Edit {
                title: form.title,
                body: form.body,
            };
            post_form_again(&state, &page, &post, "edit", typed, error).await
        }
    }
}

/// `POST /post/{id}/delete`.
pub async fn submit_delete(
    State(state): State<AppState>,
    page: Page,
    WebPath(id): WebPath<i64>,
    CsrfForm(_): CsrfForm<super::auth::EmptyForm>,
) -> Response {
    let (user, post) = match acting_on(&state, &page, id).await {
        Ok(found) => found,
        Err(response) => return response,
    };
    match state.domain.delete_post(&user, &post).await {
        Ok(()) if post.thread_id.is_none() => {
            let forum = state.domain.forum_of_post(&post).await.ok().flatten();
            notice::redirect(
                &forum
                    .map(|f| forum_path(&f))
                    .unwrap_or_else(|| "/forums".into()),
                Notice::with("thread-deleted", post.title.clone()),
            )
        }
        Ok(()) => back_to(&post, Notice::new("reply-deleted")),
        Err(error) => state.error_page(&page, error),
    }
}

/// The "helpful" toggle.
#[derive(Debug, Deserialize)]
pub struct LikeForm {
    #[serde(default)]
    helpful: String,
}

/// `POST /post/{id}/like`.
pub async fn submit_like(
    State(state): State<AppState>,
    page: Page,
    WebPath(id): WebPath<i64>,
    CsrfForm(form): CsrfForm<LikeForm>,
) -> Response {
    let (user, post) = match acting_on(&state, &page, id).await {
        Ok(found) => found,
        Err(response) => return response,
    };
    let helpful = form.helpful != "0";
    match state.domain.like_post(&user, &post, helpful).await {
        Ok(()) => back_to(
            &post,
            Notice::new(if helpful {
                "post-marked-helpful"
            } else {
                "post-unmarked-helpful"
            }),
        ),
        Err(error) => state.error_page(&page, error),
    }
}

/// A form with a reason.
#[derive(Debug, Deserialize)]
pub struct ReasonForm {
    #[serde(default)]
    reason: String,
}

/// `POST /post/{id}/report`.
pub async fn submit_report(
    State(state): State<AppState>,
    page: Page,
    WebPath(id): WebPath<i64>,
    CsrfForm(form): CsrfForm<ReasonForm>,
) -> Response {
    let (user, post) = match acting_on(&state, &page, id).await {
        Ok(found) => found,
        Err(response) => return response,
    };
    match state.domain.report_post(&user, &post, &form.reason).await {
        // Back on the thread, at the post, with the notice: reloading
        // the page never posts again nor lands on the form's address.
        Ok(()) => back_to(&post, Notice::new("report-sent")),
        Err(error) => {
            let typed = AttemptText::Reason {
                reason: form.reason,
            };
            post_form_again(&state, &page, &post, "report", typed, error).await
        }
    }
}

/// `POST /post/{id}/remove` (moderators).
pub async fn submit_remove(
    State(state): State<AppState>,
    page: Page,
    WebPath(id): WebPath<i64>,
    CsrfForm(form): CsrfForm<ReasonForm>,
) -> Response {
    let (user, post) = match acting_on(&state, &page, id).await {
        Ok(found) => found,
        Err(response) => return response,
    };
    match state.domain.remove_post(&user, &post, &form.reason).await {
        Ok(()) => back_to(&post, Notice::new("post-removed")),
        Err(error) => {
            let typed = AttemptText::Reason {
                reason: form.reason,
            };
            post_form_again(&state, &page, &post, "remove", typed, error).await
        }
    }
}

/// The moderation form of a thread.
#[derive(Debug, Deserialize)]
pub struct ModerateForm {
    #[serde(default)]
    action: String,
}

/// `POST /threads/{id}/moderate` (moderators): lock, unlock, pin, unpin.
pub async fn submit_moderate(
    State(state): State<AppState>,
    page: Page,
    WebPath(id): WebPath<i64>,
    CsrfForm(form): CsrfForm<ModerateForm>,
) -> Response {
    let (user, thread) = match acting_on(&state, &page, id).await {
        Ok(found) => found,
        Err(response) => return response,
    };
    let action = match form.action.as_str() {
        "lock" => ThreadAction::Lock,
        "unlock" => ThreadAction::Unlock,
        "pin" => ThreadAction::Pin,
        "unpin" => ThreadAction::Unpin,
        _ => {
            return state.error_page(
                &page,
                AppError::new(StatusCode::BAD_REQUEST, "invalid_form"),
            )
        }
    };
    let key = match action {
        ThreadAction::Lock => "thread-locked",
        ThreadAction::Unlock => "thread-unlocked",
        ThreadAction::Pin => "thread-pinned",
        ThreadAction::Unpin => "thread-unpinned",
    };
    match state.domain.moderate_thread(&user, &thread, action).await {
        Ok(()) => back_to(&thread, Notice::new(key)),
        Err(error) => state.error_page(&page, error),
    }
}
