//! A conversation page's lines as HTML fragments for its script
//! (`static/live.js`), so that a message sent or received shows without
//! reading the whole page again: `GET /conversations/{id}/lines?after=ID`
//! answers the lines stored after line `ID`, and the message form's `POST`
//! sent with [`LINES_FRAGMENT`] in `Accept` answers the line sent instead
//! of redirecting (or the refusal, in the page's error markup). Both
//! render `conversation_line.html`, the page's own markup (catalog texts,
//! the teacher's time zone), and mark what they show read, as the page
//! does. Without a script the page and its plain form are unchanged.

use super::{
    conversations::{line_view, path_of},
    projects::login_redirect,
    session::Page,
};
use crate::extract::{WebPath, WebQuery};
use crate::{
    app::AppState,
    domain::{
        rows::{AccountRow, ConversationId},
        Refusal,
    },
    error::AppError,
};
use axum::{
    extract::State,
    http::{header, HeaderMap, HeaderValue, StatusCode},
    response::{Html, IntoResponse, Response},
};
use serde::{Deserialize, Serialize};

/// The media type a script asks for (in `Accept`) to have the message
/// form answered with the line sent rather than a redirect.
pub const LINES_FRAGMENT: &str = "text/html; fragment=conversation-lines";

/// Whether `Accept` asks for [`LINES_FRAGMENT`] (its media type with that
/// `fragment` parameter, among any others).
pub fn wants_lines_fragment(headers: &HeaderMap) -> bool {
    headers
        .get_all(header::ACCEPT)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(','))
        .any(|range| {
            let mut parts = range.split(';').map(str::trim);
            parts
                .next()
                .is_some_and(|essence| essence.eq_ignore_ascii_case("text/html"))
                && parts.any(|parameter| {
                    parameter.split_once('=').is_some_and(|(name, value)| {
                        name.trim().eq_ignore_ascii_case("fragment")
                            && value.trim().trim_matches('"') == "conversation-lines"
                    })
                })
        })
}

/// The query of `GET /conversations/{id}/lines`.
#[derive(Debug, Deserialize)]
pub struct LinesQuery {
    /// The newest line id the page shows (`0`: none); read here rather
    /// than by the extractor so that a bad one is `invalid_choice`.
    #[serde(default)]
    after: Option<String>,
}

/// `GET /conversations/{id}/lines?after=ID`: the lines stored after line
/// `ID`, as the page shows them.
pub async fn show_lines(
    State(state): State<AppState>,
    page: Page,
    WebPath(id): WebPath<i64>,
    WebQuery(query): WebQuery<LinesQuery>,
) -> Response {
    let Some(user) = &page.user else {
        return login_redirect(&path_of(ConversationId(id)));
    };
    let after = query
        .after
        .as_deref()
        .and_then(|after| after.parse::<i64>().ok())
        .filter(|after| *after >= 0);
    let Some(after) = after else {
        let refusal = crate::domain::DomainError::from(Refusal::InvalidChoice("after".into()));
        return state.error_page(&page, refusal);
    };
    lines_fragment(&state, &page, user, id, after, None).await
}

/// The lines of conversation `id` after line `after` as a fragment
/// (`conversation_lines.html`), marked read, with the header's count of
/// messages to read; `notice` is the confirmation
/// to say, for a message just sent. A refusal is the error page.
pub(super) async fn lines_fragment(
    state: &AppState,
    page: &Page,
    user: &AccountRow,
    id: i64,
    after: i64,
    notice: Option<String>,
) -> Response {
    let conversation_id = ConversationId(id);
    let result = async {
        let conversation = state
            .domain
            .conversation_lines_after(user, conversation_id, after)
            .await?;
        let labels = state.domain.labeller().await?;
        Ok::<_, AppError>((conversation, labels))
    }
    .await;
    let (conversation, labels) = match result {
        Ok(found) => found,
        Err(error) => return state.error_page(page, error),
    };
    let shown = conversation.last_line();
    // What the teacher sees is read (the domain marked it), and the
    // header counts it so: read now, since a fragment's request has no
    // header of its own (see `session::Page`).
    let messages = match state.domain.header_counts(user).await {
        Ok(counts) => counts.messages,
        Err(error) => {
            tracing::warn!(%error, "header counts unavailable");
            None
        }
    };
    #[derive(Serialize)]
    struct Lines {
        path: String,
        lines: Vec<super::conversations::LineView>,
    }
    #[derive(Serialize)]
    struct LinesView {
        conversation: Lines,
        last_line: i64,
        messages: Option<i64>,
        notice: Option<String>,
    }
    let view = LinesView {
        conversation: Lines {
            path: path_of(conversation_id),
            lines: conversation
                .lines
                .iter()
                .map(|line| {
                    line_view(
                        &conversation,
                        line,
                        user.actor_id,
                        &labels,
                        page.lang,
                        page.time_zone,
                    )
                })
                .collect(),
        },
        last_line: shown.max(after),
        messages,
        notice,
    };
    fragment(
        state,
        page,
        StatusCode::OK,
        "conversation_lines.html",
        &view,
    )
}

/// A refusal of the message form sent by script: its status and the
/// message in the page's error markup (`errors.html`, `role="alert"`).
pub(super) fn error_fragment(state: &AppState, page: &Page, error: &AppError) -> Response {
    #[derive(Serialize)]
    struct ErrorView {
        error: String,
    }
    let view = ErrorView {
        error: state.error_message(page.lang, error),
    };
    fragment(state, page, error.status, "errors.html", &view)
}

/// Template `name` rendered alone, with `status`; never cached.
fn fragment(
    state: &AppState,
    page: &Page,
    status: StatusCode,
    name: &str,
    view: &impl Serialize,
) -> Response {
    let Some(html) = state.render_part(page, name, view) else {
        return state.error_page(page, AppError::internal("fragment rendering failed"));
    };
    let mut response = (status, Html(html)).into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("private, no-store"),
    );
    headers.insert(
        header::VARY,
        HeaderValue::from_static("Accept, Accept-Language, Cookie"),
    );
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    fn accepting(value: &str) -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert(header::ACCEPT, HeaderValue::from_str(value).unwrap());
        headers
    }

    #[test]
    fn the_fragment_is_asked_for_by_its_parameter() {
        assert!(wants_lines_fragment(&accepting(LINES_FRAGMENT)));
        assert!(wants_lines_fragment(&accepting(
            "text/html;fragment=\"conversation-lines\", */*;q=0.1"
        )));
        assert!(wants_lines_fragment(&accepting(
            "application/json, TEXT/HTML; q=0.9; Fragment=conversation-lines"
        )));
        // A browser's navigation, or another fragment: the page.
        assert!(!wants_lines_fragment(&accepting(
            "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
        )));
        assert!(!wants_lines_fragment(&accepting(
            "text/html; fragment=replies"
        )));
        assert!(!wants_lines_fragment(&accepting(
            "application/json; fragment=conversation-lines"
        )));
        assert!(!wants_lines_fragment(&HeaderMap::new()));
    }
}
