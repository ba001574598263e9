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
        rows::{AccountRow, ConversationId, LineRow, ParticipantState},
        trust::Labeller,
        Domain, DomainResult,
    },
    error::AppError,
    i18n::Lang,
    web::projects::resolve_actor,
};
use activitypub_federation::config::Data;
use axum::{extract::State, http::StatusCode, response::Response, Json};
use futures::future::BoxFuture;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

mod actions;
pub use actions::{
    accept, decline, delete_message, edit_message, invite, leave, mark_read, post_message, remove,
    MessageBody, PersonHandle, ReadUpTo,
};

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
    /// Why the conversation's host (another instance) refused this
    /// message of a teacher of here, if it did: the others never saw it.
    pub refused: Option<String>,
    /// The attachments of a message received from another server
    /// (http(s) links only; none once deleted).
    pub attachments: Vec<MessageAttachment>,
}

/// An attachment of a message received from another server.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct MessageAttachment {
    /// Where it is (http or https).
    pub url: String,
    /// Its media type, when given (`image/jpeg`).
    pub media_type: Option<String>,
    /// Its name (description), else its file name.
    pub name: String,
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
pub(super) async fn detail_of(
    state: &AppState,
    user: &ApiUser,
    id: ConversationId,
) -> Result<Json<ConversationDetail>, AppError> {
    let page = state.domain.conversation_page(&user.account, id).await?;
    let labels = state.domain.labeller().await?;
    Ok(Json(detail(&page, &labels)))
}

/// A change by the caller to conversation `id` that answers nothing but
/// `204 No Content`: `act` is the one domain call, which checks that the
/// caller may use messages and may do it.
pub(crate) async fn act_on_conversation(
    state: &AppState,
    user: &ApiUser,
    id: i64,
    act: impl for<'a> FnOnce(
        &'a Domain,
        &'a AccountRow,
        ConversationId,
    ) -> BoxFuture<'a, DomainResult<()>>,
) -> Result<StatusCode, AppError> {
    act(&state.domain, &user.account, ConversationId(id)).await?;
    Ok(StatusCode::NO_CONTENT)
}

pub(super) fn line(
    page: &ConversationPage,
    line: &LineRow,
    labels: &Labeller<'_>,
) -> ConversationLine {
    ConversationLine {
        id: line.id,
        kind: line.kind.clone(),
        person: page.person(line.actor_id).map(|p| Person::new(p, labels)),
        body: line.source.clone(),
        html: line.html.clone(),
        created_at: rfc3339(line.created_at),
        edited_at: line.edited_at.and_then(rfc3339),
        deleted: line.deleted_at.is_some(),
        refused: line.refused_reason.clone(),
        attachments: line
            .attachments()
            .into_iter()
            .map(|a| MessageAttachment {
                url: a.url,
                media_type: a.media_type,
                name: a.name,
            })
            .collect(),
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
        (status = 422, description = "`field_required`, `field_too_long`, `too_many_items`, `not_a_person`, `invalid_trust_level`", body = ErrorBody),
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
        actions::post_message,
        actions::edit_message,
        actions::delete_message,
        actions::invite,
        actions::remove,
        actions::leave,
        actions::accept,
        actions::decline,
        actions::mark_read,
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
