//! The actions on a conversation over the API: messages written, edited
//! and deleted by their author; invitations, answers, leaving, removal by
//! the creator; the read marker.

use super::{act_on_conversation, detail_of, line, ConversationDetail, ConversationLine};
use crate::extract::ApiPath;
use crate::{
    api::{schema::ErrorBody, ApiJson, ApiUser},
    app::AppState,
    domain::rows::ConversationId,
    error::AppError,
    web::projects::resolve_actor,
};
use activitypub_federation::config::Data;
use axum::{extract::State, http::StatusCode, Json};
use serde::Deserialize;
use utoipa::ToSchema;

/// A message's body.
#[derive(Deserialize, ToSchema)]
pub struct MessageBody {
    /// Markdown (emphasis, links; emoji as text), 5,000 characters at most.
    body: String,
}

/// The line `line_id` as the caller now reads it.
async fn line_of(
    state: &AppState,
    user: &ApiUser,
    id: ConversationId,
    line_id: i64,
) -> Result<ConversationLine, AppError> {
    let page = state.domain.conversation_page(&user.account, id).await?;
    let labels = state.domain.labeller().await?;
    page.lines
        .iter()
        .find(|l| l.id == line_id)
        .map(|l| line(&page, l, &labels))
        .ok_or_else(AppError::not_found)
}

/// `POST /api/v1/conversations/{id}/messages`.
#[utoipa::path(
    post,
    path = "/conversations/{id}/messages",
    tag = "conversations",
    security(("bearer" = [])),
    params(("id" = i64, Path, description = "The conversation's local id")),
    request_body = MessageBody,
    responses(
        (status = 201, description = "Sent", body = ConversationLine),
        (status = 400, description = "`invalid_json`", body = ErrorBody),
        (status = 401, description = "`unauthorized`", body = ErrorBody),
        (status = 403, description = "`not_conversation_participant`, `conversation_level_too_low`", body = ErrorBody),
        (status = 404, description = "`not_found`", body = ErrorBody),
        (status = 422, description = "`field_required`, `field_too_long`, `markdown_too_deep`", body = ErrorBody),
    ),
)]
pub async fn post_message(
    State(state): State<AppState>,
    user: ApiUser,
    ApiPath(id): ApiPath<i64>,
    ApiJson(body): ApiJson<MessageBody>,
) -> Result<(StatusCode, Json<ConversationLine>), AppError> {
    let line_id = state
        .domain
        .post_conversation_message(&user.account, ConversationId(id), &body.body)
        .await?;
    Ok((
        StatusCode::CREATED,
        Json(line_of(&state, &user, ConversationId(id), line_id).await?),
    ))
}

/// `PUT /api/v1/conversations/{id}/messages/{line}`: the author edits.
#[utoipa::path(
    put,
    path = "/conversations/{id}/messages/{line}",
    tag = "conversations",
    security(("bearer" = [])),
    params(
        ("id" = i64, Path, description = "The conversation's local id"),
        ("line" = i64, Path, description = "The message's line id"),
    ),
    request_body = MessageBody,
    responses(
        (status = 200, description = "Edited", body = ConversationLine),
        (status = 400, description = "`invalid_json`", body = ErrorBody),
        (status = 401, description = "`unauthorized`", body = ErrorBody),
        (status = 403, description = "`not_content_author`, `not_conversation_participant`", body = ErrorBody),
        (status = 404, description = "`not_found`", body = ErrorBody),
        (status = 410, description = "`post_deleted`", body = ErrorBody),
        (status = 422, description = "`field_required`, `field_too_long`", body = ErrorBody),
    ),
)]
pub async fn edit_message(
    State(state): State<AppState>,
    user: ApiUser,
    ApiPath((id, line_id)): ApiPath<(i64, i64)>,
    ApiJson(body): ApiJson<MessageBody>,
) -> Result<Json<ConversationLine>, AppError> {
    state
        .domain
        .edit_conversation_message(&user.account, ConversationId(id), line_id, &body.body)
        .await?;
    Ok(Json(
        line_of(&state, &user, ConversationId(id), line_id).await?,
    ))
}

/// `DELETE /api/v1/conversations/{id}/messages/{line}`: the author deletes.
#[utoipa::path(
    delete,
    path = "/conversations/{id}/messages/{line}",
    tag = "conversations",
    security(("bearer" = [])),
    params(
        ("id" = i64, Path, description = "The conversation's local id"),
        ("line" = i64, Path, description = "The message's line id"),
    ),
    responses(
        (status = 204, description = "Deleted"),
        (status = 401, description = "`unauthorized`", body = ErrorBody),
        (status = 403, description = "`not_content_author`, `not_conversation_participant`", body = ErrorBody),
        (status = 404, description = "`not_found`", body = ErrorBody),
        (status = 410, description = "`post_deleted`", body = ErrorBody),
    ),
)]
pub async fn delete_message(
    State(state): State<AppState>,
    user: ApiUser,
    ApiPath((id, line_id)): ApiPath<(i64, i64)>,
) -> Result<StatusCode, AppError> {
    act_on_conversation(&state, &user, id, |domain, account, id| {
        Box::pin(domain.delete_conversation_message(account, id, line_id))
    })
    .await
}

/// A person named by handle.
#[derive(Deserialize, ToSchema)]
pub struct PersonHandle {
    /// A local name or `name@domain`.
    handle: String,
}

/// `POST /api/v1/conversations/{id}/invite`: invite one of one's contacts.
#[utoipa::path(
    post,
    path = "/conversations/{id}/invite",
    tag = "conversations",
    security(("bearer" = [])),
    params(("id" = i64, Path, description = "The conversation's local id")),
    request_body = PersonHandle,
    responses(
        (status = 200, description = "Invited", body = ConversationDetail),
        (status = 400, description = "`invalid_json`", body = ErrorBody),
        (status = 401, description = "`unauthorized`", body = ErrorBody),
        (status = 403, description = "`not_conversation_participant`, `not_a_contact`, `conversation_level_too_low`", body = ErrorBody),
        (status = 404, description = "`not_found`, `handle_unknown`", body = ErrorBody),
        (status = 409, description = "`already_participant`, `already_invited`", body = ErrorBody),
        (status = 422, description = "`not_a_person`", body = ErrorBody),
    ),
)]
pub async fn invite(
    data: Data<AppState>,
    user: ApiUser,
    ApiPath(id): ApiPath<i64>,
    ApiJson(body): ApiJson<PersonHandle>,
) -> Result<Json<ConversationDetail>, AppError> {
    let person = resolve_actor(&data, &body.handle).await?;
    data.domain
        .invite_to_conversation(&user.account, ConversationId(id), &person)
        .await?;
    detail_of(&data, &user, ConversationId(id)).await
}

/// `POST /api/v1/conversations/{id}/remove`: the creator removes a
/// participant (or withdraws an invitation).
#[utoipa::path(
    post,
    path = "/conversations/{id}/remove",
    tag = "conversations",
    security(("bearer" = [])),
    params(("id" = i64, Path, description = "The conversation's local id")),
    request_body = PersonHandle,
    responses(
        (status = 200, description = "Removed", body = ConversationDetail),
        (status = 400, description = "`invalid_json`", body = ErrorBody),
        (status = 401, description = "`unauthorized`", body = ErrorBody),
        (status = 403, description = "`not_conversation_creator`, `not_conversation_participant`", body = ErrorBody),
        (status = 404, description = "`not_found`, `handle_unknown`", body = ErrorBody),
        (status = 409, description = "`cannot_remove_self`, `not_current_participant`", body = ErrorBody),
    ),
)]
pub async fn remove(
    data: Data<AppState>,
    user: ApiUser,
    ApiPath(id): ApiPath<i64>,
    ApiJson(body): ApiJson<PersonHandle>,
) -> Result<Json<ConversationDetail>, AppError> {
    let person = resolve_actor(&data, &body.handle).await?;
    data.domain
        .remove_from_conversation(&user.account, ConversationId(id), person.id)
        .await?;
    detail_of(&data, &user, ConversationId(id)).await
}

/// `POST /api/v1/conversations/{id}/leave`.
#[utoipa::path(
    post,
    path = "/conversations/{id}/leave",
    tag = "conversations",
    security(("bearer" = [])),
    params(("id" = i64, Path, description = "The conversation's local id")),
    responses(
        (status = 204, description = "Left"),
        (status = 401, description = "`unauthorized`", body = ErrorBody),
        (status = 403, description = "`not_conversation_participant`", body = ErrorBody),
        (status = 404, description = "`not_found`", body = ErrorBody),
    ),
)]
pub async fn leave(
    State(state): State<AppState>,
    user: ApiUser,
    ApiPath(id): ApiPath<i64>,
) -> Result<StatusCode, AppError> {
    act_on_conversation(&state, &user, id, |domain, account, id| {
        Box::pin(domain.leave_conversation(account, id))
    })
    .await
}

/// `POST /api/v1/conversations/{id}/accept`: join, invited.
#[utoipa::path(
    post,
    path = "/conversations/{id}/accept",
    tag = "conversations",
    security(("bearer" = [])),
    params(("id" = i64, Path, description = "The conversation's local id")),
    responses(
        (status = 200, description = "Joined", body = ConversationDetail),
        (status = 401, description = "`unauthorized`", body = ErrorBody),
        (status = 403, description = "`conversation_level_too_low`", body = ErrorBody),
        (status = 409, description = "`no_conversation_invitation`", body = ErrorBody),
    ),
)]
pub async fn accept(
    State(state): State<AppState>,
    user: ApiUser,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<ConversationDetail>, AppError> {
    state
        .domain
        .answer_conversation(&user.account, ConversationId(id), true)
        .await?;
    detail_of(&state, &user, ConversationId(id)).await
}

/// `POST /api/v1/conversations/{id}/decline`.
#[utoipa::path(
    post,
    path = "/conversations/{id}/decline",
    tag = "conversations",
    security(("bearer" = [])),
    params(("id" = i64, Path, description = "The conversation's local id")),
    responses(
        (status = 204, description = "Declined"),
        (status = 401, description = "`unauthorized`", body = ErrorBody),
        (status = 409, description = "`no_conversation_invitation`", body = ErrorBody),
    ),
)]
pub async fn decline(
    State(state): State<AppState>,
    user: ApiUser,
    ApiPath(id): ApiPath<i64>,
) -> Result<StatusCode, AppError> {
    act_on_conversation(&state, &user, id, |domain, account, id| {
        Box::pin(domain.answer_conversation(account, id, false))
    })
    .await
}

/// `POST /api/v1/conversations/{id}/read` body.
#[derive(Deserialize, ToSchema, Default)]
pub struct ReadUpTo {
    /// The last line read; all lines when absent.
    #[serde(default)]
    line: Option<i64>,
}

/// `POST /api/v1/conversations/{id}/read`: mark read up to a line.
#[utoipa::path(
    post,
    path = "/conversations/{id}/read",
    tag = "conversations",
    security(("bearer" = [])),
    params(("id" = i64, Path, description = "The conversation's local id")),
    request_body = ReadUpTo,
    responses(
        (status = 204, description = "Marked"),
        (status = 400, description = "`invalid_json`", body = ErrorBody),
        (status = 401, description = "`unauthorized`", body = ErrorBody),
        (status = 403, description = "`not_conversation_participant`", body = ErrorBody),
        (status = 404, description = "`not_found`", body = ErrorBody),
    ),
)]
pub async fn mark_read(
    State(state): State<AppState>,
    user: ApiUser,
    ApiPath(id): ApiPath<i64>,
    ApiJson(body): ApiJson<ReadUpTo>,
) -> Result<StatusCode, AppError> {
    let line = match body.line {
        Some(line) => line,
        None => state
            .domain
            .conversation_page(&user.account, ConversationId(id))
            .await?
            .last_line(),
    };
    act_on_conversation(&state, &user, id, |domain, account, id| {
        Box::pin(domain.mark_conversation_read(account, id, line))
    })
    .await
}
