//! A forum thread page: the thread with a page of its replies (and the
//! background fetch of replies a remote thread's page may have missed),
//! and the reply form.

use super::{
    forums::{refusal, PageQuery},
    posts::Attempt,
    session::{CsrfForm, Page},
    views::{ForumPostView, ForumView},
};
use crate::extract::{WebPath, WebQuery};
use crate::{
    app::AppState,
    domain::{
        lookups::REPLIES_PER_PAGE,
        rendering,
        rows::{PostId, PostRow},
        validate, DomainError,
    },
    error::AppError,
};
use activitypub_federation::config::Data;
use axum::{extract::State, http::StatusCode, response::Response};
use serde::{Deserialize, Serialize};

/// `thread.html`: a thread with a page of its replies and the reply form.
#[derive(Serialize)]
struct ThreadPage<'a> {
    /// The visitor's actor id.
    me: Option<i64>,
    /// The posts of the thread the visitor marked helpful.
    liked: Vec<i64>,
    can_moderate: bool,
    page_number: i64,
    pages: i64,
    total_replies: i64,
    forum: ForumView,
    thread: ForumPostView,
    replies: Vec<ForumPostView>,
    /// The replies already rendered (visitors not logged in: see
    /// `web::fragments`); `replies` is then empty.
    #[serde(serialize_with = "shared_text")]
    replies_html: Option<std::sync::Arc<str>>,
    form: Option<&'a ReplyForm>,
    preview_html: Option<String>,
    error: Option<String>,
    attempt: Option<Attempt>,
}

/// Serialises a shared text as the text.
fn shared_text<S: serde::Serializer>(
    text: &Option<std::sync::Arc<str>>,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    text.as_deref().serialize(serializer)
}

/// Opening a remote thread fetches, in the background, the replies this
/// instance missed (at most once every ten minutes per thread).
pub fn spawn_backfill(data: &Data<AppState>, thread: &PostRow) {
    if thread.local {
        return;
    }
    {
        let mut recent = data.backfills.lock().unwrap_or_else(|p| p.into_inner());
        let now = std::time::Instant::now();
        recent.retain(|_, at| now.duration_since(*at) < std::time::Duration::from_secs(600));
        if recent.contains_key(&thread.id.0) {
            return;
        }
        recent.insert(thread.id.0, now);
    }
    let data = data.reset_request_count();
    let thread = thread.clone();
    tokio::spawn(async move {
        match crate::apub::backfill::backfill_thread(&data, &thread).await {
            Ok(0) => {}
            Ok(stored) => tracing::info!(thread = %thread.ap_id, stored, "thread backfilled"),
            Err(error) => tracing::info!(thread = %thread.ap_id, %error, "thread backfill failed"),
        }
    });
}

/// The reply form.
#[derive(Debug, Default, Deserialize, Serialize)]
pub struct ReplyForm {
    #[serde(default)]
    body: String,
    #[serde(default)]
    in_reply_to: Option<i64>,
    #[serde(default, skip_serializing)]
    preview: Option<String>,
}

/// `GET /threads/{id}[?page=N]`.
pub async fn show_thread(
    data: Data<AppState>,
    page: Page,
    WebPath(id): WebPath<i64>,
    WebQuery(query): WebQuery<PageQuery>,
) -> Response {
    let state: AppState = (*data).clone();
    let number = match validate::page_number(query.page.as_deref(), validate::MAX_PAGE) {
        Ok(number) => number,
        Err(error) => return refusal(&state, &page, error),
    };
    thread_page(
        Some(&data),
        &state,
        &page,
        PostId(id),
        number,
        StatusCode::OK,
        None,
        None,
        None,
    )
    .await
}

/// The thread page. `attempt` is what was typed in one post's own form
/// (edit, report, remove) when it was refused: that form is shown open,
/// filled in, with the message at its field.
#[allow(clippy::too_many_arguments)]
pub(super) async fn thread_page(
    data: Option<&Data<AppState>>,
    state: &AppState,
    page: &Page,
    id: PostId,
    page_number: i64,
    status: StatusCode,
    form: Option<&ReplyForm>,
    error: Option<String>,
    attempt: Option<Attempt>,
) -> Response {
    let per_page = REPLIES_PER_PAGE;
    let page_number = page_number.max(1);
    let snapshot = match state.domain.thread_page(id, page_number, per_page).await {
        Ok(Some(snapshot)) => snapshot,
        Ok(None) => return refusal(state, page, AppError::not_found()),
        Err(error) => return refusal(state, page, error),
    };
    let thread = &snapshot.thread.post;
    if let Some(data) = data {
        spawn_backfill(data, thread);
    }
    if thread.id != id {
        // A reply's own link: the page of its thread it is on.
        let on_page = match state.domain.post_by_id(id).await {
            Ok(reply) => state.domain.page_of_post(&reply).await.unwrap_or(1),
            Err(_) => 1,
        };
        return crate::web::redirect::to(&format!(
            "{}?page={on_page}#post-{}",
            crate::urls::thread_page(thread.id.0),
            id.0
        ));
    }
    let (view, forum) = (&snapshot.thread, &snapshot.forum);
    if !view.post.is_visible() {
        return removed_or_gone(state, page, &view.post, forum);
    }
    let labels = match state.domain.labeller().await {
        Ok(labels) => labels,
        Err(error) => return refusal(state, page, error),
    };
    let fragment_key = (thread.id.0, page_number, page.lang);
    // Visitors not logged in: the list rendered for this very page value,
    // without making its views again.
    let replies_html = match page.user {
        None => state.reply_fragments.get(fragment_key, snapshot.generation),
        Some(_) => None,
    };
    let replies = match replies_html {
        Some(_) => Vec::new(),
        None => snapshot
            .replies
            .iter()
            .map(|reply| ForumPostView::of(reply, &labels))
            .collect(),
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
    let can_moderate = match &page.user {
        Some(user) if forum.actor.is_local() => {
            match state.domain.can_moderate(user, forum).await {
                Ok(can) => can,
                Err(error) => return refusal(state, page, error),
            }
        }
        _ => false,
    };
    let total = snapshot.total_replies;
    let pages = ((total + per_page - 1) / per_page).max(1);
    let liked = match &page.user {
        Some(user) => match state.domain.liked_in_thread(user, thread.id).await {
            Ok(liked) => liked,
            Err(error) => return refusal(state, page, error),
        },
        None => Vec::new(),
    };
    let mut view = ThreadPage {
        me: page.user.as_ref().map(|u| u.actor_id.0),
        liked,
        can_moderate,
        page_number,
        pages,
        total_replies: total,
        forum: ForumView::of(state, forum),
        thread: ForumPostView::of(view, &labels),
        replies,
        replies_html,
        form,
        preview_html: preview,
        error,
        attempt,
    };
    if page.user.is_none() && view.replies_html.is_none() {
        // The same for every visitor not logged in: rendered once per
        // change of what it shows.
        view.replies_html = state.reply_fragments.get_or_render(
            fragment_key,
            snapshot.generation,
            &view.replies,
            || state.render_part(page, "thread_replies.html", &view),
        );
        if view.replies_html.is_some() {
            view.replies = Vec::new();
        }
    }
    state.render_status(status, page, "thread.html", &view)
}

/// `POST /threads/{id}/replies`.
pub async fn submit_reply(
    State(state): State<AppState>,
    data: activitypub_federation::config::Data<AppState>,
    page: Page,
    WebPath(id): WebPath<i64>,
    CsrfForm(form): CsrfForm<ReplyForm>,
) -> Response {
    let Some(user) = page.user.clone() else {
        return crate::web::redirect::to("/login");
    };
    if form.preview.is_some() {
        return thread_page(
            None,
            &state,
            &page,
            PostId(id),
            1,
            StatusCode::OK,
            Some(&form),
            None,
            None,
        )
        .await;
    }
    let parent = match state
        .domain
        .reply_parent(PostId(id), form.in_reply_to)
        .await
    {
        Ok(parent) => parent,
        Err(error) => return refusal(&state, &page, error),
    };
    crate::apub::mentions::look_up(&data, &form.body).await;
    match state.domain.post_reply(&user, &parent, &form.body).await {
        Ok(reply) => crate::web::notice::redirect(
            &format!("{}#post-{}", crate::urls::thread_page(id), reply.id.0),
            crate::web::notice::Notice::new("reply-posted"),
        ),
        Err(error @ DomainError::Refused(_)) => {
            let error = AppError::from(error);
            let message = state.error_message(page.lang, &error);
            thread_page(
                None,
                &state,
                &page,
                PostId(id),
                1,
                error.status,
                Some(&form),
                Some(message),
                None,
            )
            .await
        }
        Err(error) => refusal(&state, &page, error),
    }
}

/// A thread no longer shown: its author, when moderators removed it, reads
/// why (never who reported it); everyone else reads that it was removed
/// or deleted (`410`), with the way back to the forum.
fn removed_or_gone(
    state: &AppState,
    page: &Page,
    thread: &crate::domain::rows::PostRow,
    forum: &crate::domain::rows::ForumRow,
) -> Response {
    let own = page
        .user
        .as_ref()
        .is_some_and(|user| user.actor_id == thread.author_id);
    match (&thread.removed_at, own) {
        (Some(_), true) => {
            let catalogs = crate::i18n::Catalogs::get();
            let reason = thread.removed_reason.clone().unwrap_or_default();
            let mut paragraphs = vec![catalogs.format(
                page.lang,
                "post-removed-own",
                &[("title", thread.title.as_str())],
            )];
            if !reason.is_empty() {
                paragraphs.push(catalogs.format(
                    page.lang,
                    "post-removed-reason",
                    &[("reason", reason.as_str())],
                ));
            }
            state.render_status(
                StatusCode::GONE,
                page,
                "message.html",
                &crate::web::views::MessagePage {
                    heading: catalogs.format(page.lang, "post-removed", &[]),
                    paragraphs,
                    link: Some(crate::web::views::LinkView {
                        href: crate::apub::forums::forum_path(forum),
                        label: catalogs.format(
                            page.lang,
                            "thread-back",
                            &[("forum", forum.title.as_str())],
                        ),
                    }),
                    resend: None,
                },
            )
        }
        // Everyone else: what happened, in plain words, and the way back
        // to the forum (not the form-error advice of an error page).
        (removed, _) => {
            let catalogs = crate::i18n::Catalogs::get();
            state.render_status(
                StatusCode::GONE,
                page,
                "message.html",
                &crate::web::views::MessagePage {
                    heading: catalogs.format(
                        page.lang,
                        if removed.is_some() {
                            "thread-gone-removed"
                        } else {
                            "thread-gone-deleted"
                        },
                        &[],
                    ),
                    paragraphs: Vec::new(),
                    link: Some(crate::web::views::LinkView {
                        href: crate::apub::forums::forum_path(forum),
                        label: catalogs.format(
                            page.lang,
                            "thread-back",
                            &[("forum", forum.title.as_str())],
                        ),
                    }),
                    resend: None,
                },
            )
        }
    }
}
