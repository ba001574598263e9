//! "Demandes de message" on the Messages page: direct messages from
//! people of other servers who are not the teacher's contacts, one entry
//! per person (per thread for a message to several people), each with
//! Accepter and Ignorer (plain forms: no JavaScript needed).

use super::{
    conversations::{path_of, shown},
    notice::{redirect, Notice},
    projects::login_redirect,
    session::{CsrfForm, Page},
};
use crate::extract::WebPath;
use crate::{
    app::AppState,
    dates,
    domain::rows::{AccountRow, ConversationId},
    error::AppError,
};
use axum::{extract::State, http::StatusCode, response::Response};
use serde::{Deserialize, Serialize};

/// One person asking, as the Messages page shows it.
#[derive(Debug, Serialize)]
pub struct RequestItem {
    id: i64,
    path: String,
    name: String,
    handle: String,
    /// Their latest message, sanitised HTML.
    last_html: String,
    messages: i64,
    updated: String,
}

/// The message requests of `user` for the Messages page.
pub async fn request_items(
    state: &AppState,
    user: &AccountRow,
    page: &Page,
) -> Result<Vec<RequestItem>, AppError> {
    if !state.domain.may_message(user) {
        return Ok(Vec::new());
    }
    let rows = state.domain.message_requests(user).await?;
    Ok(rows
        .iter()
        .map(|row| RequestItem {
            id: row.conversation_id.0,
            path: path_of(row.conversation_id),
            name: shown(&row.person),
            handle: format!("{}@{}", row.person.name, row.person.domain),
            last_html: row.last_html.clone(),
            messages: row.messages,
            updated: dates::date_time_text(row.last_at, page.lang, page.time_zone)
                .unwrap_or_default(),
        })
        .collect())
}

/// The answer form: `action` is `accept` or `ignore`.
#[derive(Debug, Default, Deserialize)]
pub struct RequestForm {
    #[serde(default)]
    action: String,
}

/// `POST /conversations/{id}/request`: Accepter (to the conversation) or
/// Ignorer (back to Messages).
pub async fn submit_request_answer(
    State(state): State<AppState>,
    page: Page,
    WebPath(id): WebPath<i64>,
    CsrfForm(form): CsrfForm<RequestForm>,
) -> Response {
    let Some(user) = &page.user else {
        return login_redirect("/conversations");
    };
    let result = async {
        let accept = match form.action.as_str() {
            "accept" => true,
            "ignore" => false,
            _ => return Err(AppError::new(StatusCode::BAD_REQUEST, "invalid_choice")),
        };
        let id = ConversationId(id);
        let name = state.domain.conversation_name(user, id).await?;
        state
            .domain
            .answer_message_request(user, id, accept)
            .await?;
        Ok(if accept {
            (path_of(id), Notice::with("message-request-accepted", name))
        } else {
            (
                "/conversations".to_string(),
                Notice::with("message-request-ignored", name),
            )
        })
    }
    .await;
    match result {
        Ok((back, notice)) => redirect(&back, notice),
        Err(error) => state.error_page(&page, error),
    }
}
