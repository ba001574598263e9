//! Conversations over the API: the caller's conversations and
//! invitations, starting one with contacts, reading and writing messages,
//! inviting, removing, leaving, answering an invitation, marking read and
//! exporting. Only participants read a conversation (404 for anyone else,
//! 403 `not_conversation_participant` for one invited who has not joined).

use super::{
    schema::{rfc3339, ErrorBody, Person},
    ApiJson, ApiUser,
};
use crate::extract::ApiPath;
use crate::{
    app::AppState,
    domain::{
        conversations::{ConversationPage, ConversationSummary, NewConversation},
        rows::{ConversationId, LineRow, ParticipantState},
        trust::Labeller,
    },
    error::AppError,
    i18n::Lang,
    web::projects::resolve_actor,
};
use activitypub_federation::config::Data;
use axum::{extract::State, http::StatusCode, response::Response, Json};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// A conversation in the caller's list.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ConversationItem {
    /// Its local id.
    pub id: i64,
    /// Its name.
    pub name: String,
    /// The caller's place: `invited`, `joined` or `removed`.
    pub state: String,
    /// Messages of others the caller has not read.
    pub unread: i64,
    /// Last change, RFC 3339.
    pub updated_at: Option<String>,
    /// Who invited the caller (`invited`).
    pub invited_by: Option<Person>,
    /// Who removed the caller (`removed`).
    pub removed_by: Option<Person>,
}

impl ConversationItem {
    fn new(summary: &ConversationSummary, labels: &Labeller<'_>) -> ConversationItem {
        let conversation = &summary.row.conversation;
        ConversationItem {
            id: conversation.id.0,
            name: conversation.name.clone(),
            state: summary.row.my_state.as_str().to_string(),
            unread: summary.row.unread,
            updated_at: rfc3339(conversation.updated_at),
            invited_by: summary.invited_by.as_ref().map(|p| Person::new(p, labels)),
            removed_by: summary.removed_by.as_ref().map(|p| Person::new(p, labels)),
        }
    }
}

/// The caller's conversations.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ConversationList {
    /// Latest first: invitations, conversations taken part in, and those
    /// the caller was removed from.
    pub conversations: Vec<ConversationItem>,
    /// Unread messages, all conversations together.
    pub unread: i64,
}

/// A participant.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Participant {
    /// The person.
    pub person: Person,
    /// `invited` or `joined`.
    pub state: String,
    /// When they joined, RFC 3339.
    pub joined_at: Option<String>,
}

/// A conversation as a participant reads it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ConversationDetail {
    /// Its local id.
    pub id: i64,
    /// Its name.
    pub name: String,
    /// Who started it (the only one who may remove participants).
    pub creator_id: i64,
    /// The lowest trust level of participants, if any.
    pub min_level: Option<String>,
    /// Those taking part or invited.
    pub participants: Vec<Participant>,
}

/// A line: a message or an event (`locked`, `unlocked`, `joined`,
/// `left`, `removed`).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ConversationLine {
    /// Its id (lines are in its order).
    pub id: i64,
    /// `message` or the event.
    pub kind: String,
    /// The author of a message, or whom the event is about.
    pub person: Option<Person>,
    /// A message's Markdown (empty once deleted).
    pub body: String,
    /// A message's sanitised HTML.
    pub html: String,
    /// When, RFC 3339.
    pub created_at: Option<String>,
    /// When a message was last edited.
    pub edited_at: Option<String>,
    /// Whether a message was deleted.
    pub deleted: bool,
}

/// A conversation's lines the caller may see.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ConversationLines {
    /// In order, from the caller's arrival on.
    pub lines: Vec<ConversationLine>,
}

fn detail(page: &ConversationPage, labels: &Labeller<'_>) -> ConversationDetail {
    ConversationDetail {
        id: page.conversation.id.0,
        name: page.conversation.name.clone(),
        creator_id: page.conversation.creator_id.0,
        min_level: page.conversation.min_level.clone(),
        participants: page
            .participants
            .iter()
            .filter(|p| {
                matches!(
                    p.row.state,
                    ParticipantState::Joined | ParticipantState::Invited
                )
            })
            .map(|p| Participant {
                person: Person::new(&p.person, labels),
                state: p.row.state.as_str().to_string(),
                joined_at: p.row.joined_at.and_then(rfc3339),
            })
            .collect(),
    }
}

/// The conversation `id` as the caller now reads it.
async fn detail_of(
    state: &AppState,
    user: &ApiUser,
    id: ConversationId,
) -> Result<Json<ConversationDetail>, AppError> {
    let page = state.domain.conversation_page(&user.account, id).await?;
    let labels = state.domain.labeller().await?;
    Ok(Json(detail(&page, &labels)))
}

fn line(page: &ConversationPage, line: &LineRow, labels: &Labeller<'_>) -> ConversationLine {
    ConversationLine {
        id: line.id,
        kind: line.kind.clone(),
        person: page.person(line.actor_id).map(|p| Person::new(p, labels)),
        body: line.source.clone(),
        html: line.html.clone(),
        created_at: rfc3339(line.created_at),
        edited_at: line.edited_at.and_then(rfc3339),
        deleted: line.deleted_at.is_some(),
    }
}

/// `GET /api/v1/conversations`.
#[utoipa::path(
    get,
    path = "/conversations",
    tag = "conversations",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The caller's conversations", body = ConversationList),
        (status = 401, description = "`unauthorized`", body = ErrorBody),
    ),
)]
pub async fn list_conversations(
    State(state): State<AppState>,
    user: ApiUser,
) -> Result<Json<ConversationList>, AppError> {
    let summaries = state.domain.my_conversations(&user.account).await?;
    let labels = state.domain.labeller().await?;
    Ok(Json(ConversationList {
        conversations: summaries
            .iter()
            .map(|s| ConversationItem::new(s, &labels))
            .collect(),
        unread: state.domain.unread_messages(&user.account).await?,
    }))
}

/// `POST /api/v1/conversations` body.
#[derive(Deserialize, ToSchema)]
pub struct CreateConversation {
    /// Its name (required).
    name: String,
    /// The contacts invited: local names or `name@domain`.
    participants: Vec<String>,
    /// `informal` (default), `associative` or `institutional`.
    #[serde(default)]
    min_level: Option<String>,
}

/// `POST /api/v1/conversations`: start a conversation with contacts, who
/// are invited.
#[utoipa::path(
    post,
    path = "/conversations",
    tag = "conversations",
    security(("bearer" = [])),
    request_body = CreateConversation,
    responses(
        (status = 201, description = "Created", body = ConversationDetail),
        (status = 400, description = "`invalid_json`", body = ErrorBody),
        (status = 401, description = "`unauthorized`", body = ErrorBody),
        (status = 403, description = "`not_a_contact`, `conversation_level_too_low`", body = ErrorBody),
        (status = 404, description = "`not_found`, `handle_unknown`", body = ErrorBody),
        (status = 409, description = "`already_participant`", body = ErrorBody),
        (status = 422, description = "`field_required`, `field_too_long`, `too_many_items`, `not_a_person`, `invalid_trust_level`, `remote_participant`", body = ErrorBody),
        (status = 502, description = "`host_unreachable`, `lookup_failed`", body = ErrorBody),
    ),
)]
pub async fn create_conversation(
    data: Data<AppState>,
    user: ApiUser,
    ApiJson(body): ApiJson<CreateConversation>,
) -> Result<(StatusCode, Json<ConversationDetail>), AppError> {
    if body.participants.len() > crate::domain::conversations::MAX_INVITED {
        return Err(
            crate::domain::DomainError::from(crate::domain::Refusal::TooManyItems(
                "participants".into(),
            ))
            .into(),
        );
    }
    let mut people = Vec::with_capacity(body.participants.len());
    for handle in &body.participants {
        people.push(resolve_actor(&data, handle).await?);
    }
    let min_level = match body.min_level.as_deref() {
        None | Some("") | Some("informal") => None,
        Some(level) => Some(level.parse::<preau_federation::TrustLevel>().map_err(|_| {
            AppError::from(crate::domain::DomainError::from(
                crate::domain::Refusal::InvalidTrustLevel("min_level".into()),
            ))
        })?),
    };
    let id = data
        .domain
        .create_conversation(
            &user.account,
            &NewConversation {
                name: &body.name,
                participants: &people,
                min_level,
            },
        )
        .await?;
    Ok((StatusCode::CREATED, detail_of(&data, &user, id).await?))
}

/// `GET /api/v1/conversations/{id}`.
#[utoipa::path(
    get,
    path = "/conversations/{id}",
    tag = "conversations",
    security(("bearer" = [])),
    params(("id" = i64, Path, description = "The conversation's local id")),
    responses(
        (status = 200, description = "The conversation", body = ConversationDetail),
        (status = 401, description = "`unauthorized`", body = ErrorBody),
        (status = 403, description = "`not_conversation_participant` (invited, not joined)", body = ErrorBody),
        (status = 404, description = "`not_found` (also for a non-participant)", body = ErrorBody),
    ),
)]
pub async fn get_conversation(
    State(state): State<AppState>,
    user: ApiUser,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<ConversationDetail>, AppError> {
    detail_of(&state, &user, ConversationId(id)).await
}

/// `GET /api/v1/conversations/{id}/messages`: the lines the caller may
/// see (from their arrival on); reading them does not mark them read.
#[utoipa::path(
    get,
    path = "/conversations/{id}/messages",
    tag = "conversations",
    security(("bearer" = [])),
    params(("id" = i64, Path, description = "The conversation's local id")),
    responses(
        (status = 200, description = "The lines", body = ConversationLines),
        (status = 401, description = "`unauthorized`", body = ErrorBody),
        (status = 403, description = "`not_conversation_participant`", body = ErrorBody),
        (status = 404, description = "`not_found`", body = ErrorBody),
    ),
)]
pub async fn list_messages(
    State(state): State<AppState>,
    user: ApiUser,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<ConversationLines>, AppError> {
    let page = state
        .domain
        .conversation_page(&user.account, ConversationId(id))
        .await?;
    let labels = state.domain.labeller().await?;
    Ok(Json(ConversationLines {
        lines: page.lines.iter().map(|l| line(&page, l, &labels)).collect(),
    }))
}

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
    state
        .domain
        .delete_conversation_message(&user.account, ConversationId(id), line_id)
        .await?;
    Ok(StatusCode::NO_CONTENT)
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
        (status = 422, description = "`not_a_person`, `remote_participant`", body = ErrorBody),
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
    state
        .domain
        .leave_conversation(&user.account, ConversationId(id))
        .await?;
    Ok(StatusCode::NO_CONTENT)
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
    state
        .domain
        .answer_conversation(&user.account, ConversationId(id), false)
        .await?;
    Ok(StatusCode::NO_CONTENT)
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
    state
        .domain
        .mark_conversation_read(&user.account, ConversationId(id), line)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// `GET /api/v1/conversations/{id}/export`: the conversation as text
/// (`text/plain`), in the caller's language and time zone.
#[utoipa::path(
    get,
    path = "/conversations/{id}/export",
    tag = "conversations",
    security(("bearer" = [])),
    params(("id" = i64, Path, description = "The conversation's local id")),
    responses(
        (status = 200, description = "The text", body = String, content_type = "text/plain"),
        (status = 401, description = "`unauthorized`", body = ErrorBody),
        (status = 403, description = "`not_conversation_participant`", body = ErrorBody),
        (status = 404, description = "`not_found`", body = ErrorBody),
    ),
)]
pub async fn export_conversation(
    State(state): State<AppState>,
    user: ApiUser,
    ApiPath(id): ApiPath<i64>,
) -> Result<Response, AppError> {
    let page = state
        .domain
        .conversation_page(&user.account, ConversationId(id))
        .await?;
    let zone = crate::dates::zone_or(
        &user.account.time_zone,
        state.domain.settings.instance.time_zone(),
    );
    let text = crate::web::conversations::export_text(
        &page,
        Lang::from_code(&user.account.locale),
        zone,
        state.domain.clock().now_ms(),
    );
    Ok(crate::web::conversations::text_response(text, id))
}

/// The OpenAPI description of these routes (gathered in [`super::openapi`]).
#[derive(utoipa::OpenApi)]
#[openapi(
    paths(
        list_conversations,
        create_conversation,
        get_conversation,
        list_messages,
        post_message,
        edit_message,
        delete_message,
        invite,
        remove,
        leave,
        accept,
        decline,
        mark_read,
        export_conversation
    ),
    components(schemas(
        ConversationItem,
        ConversationList,
        Participant,
        ConversationDetail,
        ConversationLine,
        ConversationLines,
        CreateConversation,
        MessageBody,
        PersonHandle,
        ReadUpTo
    ))
)]
pub struct Doc;
