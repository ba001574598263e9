//! "Demandes de message" over the API: direct messages from people of
//! other servers who are not the caller's contacts wait here until the
//! caller accepts them (the conversation becomes an ordinary one) or
//! ignores them (hidden, and so are that person's later messages).

use super::{
    conversations::act_on_conversation,
    schema::{rfc3339, ErrorBody, Person},
    ApiUser,
};
use crate::extract::ApiPath;
use crate::{app::AppState, error::AppError};
use axum::{extract::State, http::StatusCode, Json};
use serde::Serialize;
use utoipa::ToSchema;

/// One person asking to talk.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct MessageRequestItem {
    /// The direct conversation's local id (what `accept-request` and
    /// `ignore` take).
    pub conversation_id: i64,
    /// Who writes.
    pub person: Person,
    /// Their messages so far.
    pub messages: i64,
    /// Their latest message, sanitised HTML.
    pub last_html: String,
    /// When it came, RFC 3339.
    pub last_at: Option<String>,
}

/// The caller's message requests.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct MessageRequestList {
    /// One per person, latest first.
    pub requests: Vec<MessageRequestItem>,
}

/// `GET /api/v1/conversations/requests`.
#[utoipa::path(
    get,
    path = "/conversations/requests",
    tag = "conversations",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Direct messages waiting for an answer", body = MessageRequestList),
        (status = 401, description = "`unauthorized`", body = ErrorBody),
        (status = 403, description = "`messaging_off`, `messaging_not_allowed`", body = ErrorBody),
    ),
)]
pub async fn list_message_requests(
    State(state): State<AppState>,
    user: ApiUser,
) -> Result<Json<MessageRequestList>, AppError> {
    let rows = state.domain.message_requests(&user.account).await?;
    let labels = state.domain.labeller().await?;
    Ok(Json(MessageRequestList {
        requests: rows
            .iter()
            .map(|row| MessageRequestItem {
                conversation_id: row.conversation_id.0,
                person: Person::new(&row.person, &labels),
                messages: row.messages,
                last_html: row.last_html.clone(),
                last_at: rfc3339(row.last_at),
            })
            .collect(),
    }))
}

/// `POST /api/v1/conversations/{id}/accept-request`.
#[utoipa::path(
    post,
    path = "/conversations/{id}/accept-request",
    tag = "conversations",
    security(("bearer" = [])),
    params(("id" = i64, Path, description = "The direct conversation's local id")),
    responses(
        (status = 204, description = "Accepted: an ordinary conversation now"),
        (status = 401, description = "`unauthorized`", body = ErrorBody),
        (status = 403, description = "`messaging_off`, `messaging_not_allowed`", body = ErrorBody),
        (status = 409, description = "`no_message_request`", body = ErrorBody),
    ),
)]
pub async fn accept_message_request(
    State(state): State<AppState>,
    user: ApiUser,
    ApiPath(id): ApiPath<i64>,
) -> Result<StatusCode, AppError> {
    act_on_conversation(&state, &user, id, |domain, account, id| {
        Box::pin(domain.answer_message_request(account, id, true))
    })
    .await
}

/// `POST /api/v1/conversations/{id}/ignore`.
#[utoipa::path(
    post,
    path = "/conversations/{id}/ignore",
    tag = "conversations",
    security(("bearer" = [])),
    params(("id" = i64, Path, description = "The direct conversation's local id")),
    responses(
        (status = 204, description = "Ignored: hidden, later messages too"),
        (status = 401, description = "`unauthorized`", body = ErrorBody),
        (status = 403, description = "`messaging_off`, `messaging_not_allowed`", body = ErrorBody),
        (status = 409, description = "`no_message_request`", body = ErrorBody),
    ),
)]
pub async fn ignore_message_request(
    State(state): State<AppState>,
    user: ApiUser,
    ApiPath(id): ApiPath<i64>,
) -> Result<StatusCode, AppError> {
    act_on_conversation(&state, &user, id, |domain, account, id| {
        Box::pin(domain.answer_message_request(account, id, false))
    })
    .await
}

/// The OpenAPI description of these routes (gathered in [`super::openapi`]).
#[derive(utoipa::OpenApi)]
#[openapi(
    paths(list_message_requests, accept_message_request, ignore_message_request),
    components(schemas(MessageRequestItem, MessageRequestList))
)]
pub struct Doc;
