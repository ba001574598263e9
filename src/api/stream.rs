//! `GET /api/v1/stream`: live updates as Server-Sent Events — the caller's
//! new notifications, and the new replies of a thread a page has open.
//! Authenticated by a bearer token or, for pages, the session cookie (a
//! read only: it changes nothing, and without CORS no other site can read
//! it). See docs/api.md, "Live updates".

use super::{forums::Post, project_content::objects::ProjectPost, ApiUser};
use crate::{
    app::AppState,
    domain::{
        live::{LiveCursor, LiveItem, LiveThread, SharedText},
        rows::AccountRow,
        rows::PostId,
        trust_labels::Labeller,
        Refusal,
    },
    error::AppError,
    extract::ApiQuery,
    web::session::SESSION_COOKIE,
};
use axum::{
    extract::State,
    http::{HeaderMap, StatusCode},
    response::sse::{Event, KeepAlive, Sse},
};
use axum_extra::extract::CookieJar;
use futures::{stream, Stream, StreamExt};
use serde::{Deserialize, Serialize};
use std::{convert::Infallible, sync::Arc, time::Duration};
use utoipa::{IntoParams, ToSchema};

/// How long a client waits before reconnecting (the `retry:` hint).
pub const RETRY: Duration = Duration::from_secs(5);
/// How often a quiet stream sends a keep-alive comment.
pub const KEEP_ALIVE: Duration = Duration::from_secs(20);

/// `GET /stream` parameters.
#[derive(Deserialize, IntoParams)]
pub struct StreamQuery {
    /// A forum thread the page has open (its local id): its new replies
    /// are sent as `reply` events.
    pub thread: Option<String>,
    /// A thread of a project's forum the page has open (its local id;
    /// the caller must be a member of the project): its new replies are
    /// sent as `project_reply` events. Not with `thread`.
    pub project_thread: Option<String>,
    /// A conversation the page has open (its local id; the caller must
    /// have joined it): its new lines are sent as `conversation_line`
    /// events, and its messages edited or deleted as
    /// `conversation_line_changed` events. Not with `thread` nor
    /// `project_thread`.
    pub conversation: Option<String>,
}

/// The data of a `notification` event.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct StreamNotification {
    /// The notification's id (`GET /notifications` lists it).
    pub id: i64,
    /// Its kind (`reply`...).
    pub kind: String,
    /// The caller's unread notifications now.
    pub unread: i64,
}

/// The data of a `reply` event.
#[derive(Serialize, ToSchema)]
pub struct StreamReply {
    /// The thread's id.
    pub thread_id: i64,
    /// The reply, as `GET /threads/{id}` shows it.
    pub post: Box<Post>,
}

/// The data of a `project_reply` event.
#[derive(Serialize, ToSchema)]
pub struct StreamProjectReply {
    /// The project thread's id.
    pub thread_id: i64,
    /// The reply, as `GET /projects/{name}/threads/{id}` shows it.
    pub post: Box<ProjectPost>,
}

/// The data of a `conversation_line` event: a new line (message or event)
/// of the open conversation, to read with
/// `GET /conversations/{id}/messages` (pages read their lines after the
/// newest they show, as HTML, from `/conversations/{id}/lines`).
#[derive(Serialize, ToSchema)]
pub struct StreamConversationLine {
    /// The conversation.
    pub conversation_id: i64,
    /// The line.
    pub line_id: i64,
}

/// A `presence` event: what a contact's presence shows now (only the
/// caller's accepted contacts are ever sent).
#[derive(Serialize, ToSchema)]
pub struct StreamPresence {
    /// The contact.
    pub person: Box<super::schema::Person>,
    /// `available`, `away` or `busy`.
    pub status: String,
}

/// The data of a `messages` event: what the header's "Messages" counts
/// now.
#[derive(Serialize, ToSchema)]
pub struct StreamMessages {
    /// Messages of others unread in the caller's conversations, plus the
    /// invitations to conversations to answer.
    pub unread: i64,
}

/// The data of an event: a JSON object, by event type.
#[derive(Serialize, ToSchema)]
#[serde(untagged)]
pub enum StreamEventData {
    /// `event: notification`.
    Notification(StreamNotification),
    /// `event: reply`.
    Reply(StreamReply),
    /// `event: project_reply`.
    ProjectReply(StreamProjectReply),
    /// `event: conversation_line` and `event: conversation_line_changed`
    /// (a message edited or deleted: read it again).
    ConversationLine(StreamConversationLine),
    /// `event: presence`.
    Presence(StreamPresence),
    /// `event: messages`.
    Messages(StreamMessages),
}

/// The caller: a bearer token when given (a bad one is refused), else the
/// session cookie.
async fn stream_account(
    state: &AppState,
    user: Option<ApiUser>,
    headers: &HeaderMap,
) -> Result<AccountRow, AppError> {
    if let Some(user) = user {
        return Ok(user.account);
    }
    let token = CookieJar::from_headers(headers)
        .get(SESSION_COOKIE)
        .map(|cookie| cookie.value().to_string())
        .filter(|token| !token.is_empty())
        .ok_or_else(|| AppError::new(StatusCode::UNAUTHORIZED, "unauthorized"))?;
    state
        .domain
        .session_account(&token)
        .await?
        .ok_or_else(|| AppError::new(StatusCode::UNAUTHORIZED, "unauthorized"))
}

/// `GET /api/v1/stream[?thread=ID | ?project_thread=ID]`: the caller's
/// live events.
#[utoipa::path(
    get,
    path = "/stream",
    tag = "notifications",
    security(("bearer" = [])),
    params(StreamQuery),
    responses(
        (status = 200, description = "Server-Sent Events: `notification` and `reply` events, \
            each with an `id` to send back as `Last-Event-ID`, and keep-alive comments",
            content_type = "text/event-stream", body = StreamEventData),
        (status = 401, description = "`unauthorized`", body = super::schema::ErrorBody),
        (status = 422, description = "`invalid_choice` (detail `project_thread` or `conversation`): more than one of `thread`, `project_thread`, `conversation`", body = super::schema::ErrorBody),
        (status = 403, description = "`not_project_member`: the project thread is members-only; `not_conversation_participant`: invited to the conversation, not joined", body = super::schema::ErrorBody),
        (status = 404, description = "`not_found`: no such thread", body = super::schema::ErrorBody),
        (status = 410, description = "`post_deleted`: the thread is deleted or removed", body = super::schema::ErrorBody),
    ),
)]
pub async fn get_stream(
    State(state): State<AppState>,
    user: Option<ApiUser>,
    headers: HeaderMap,
    ApiQuery(query): ApiQuery<StreamQuery>,
) -> Result<Sse<impl Stream<Item = Result<Event, Infallible>>>, AppError> {
    let account = stream_account(&state, user, &headers).await?;
    let id_of = |text: &str| -> Result<i64, AppError> {
        text.trim()
            .parse()
            .map_err(|_| AppError::from(crate::domain::DomainError::from(Refusal::NotFound)))
    };
    let thread = match (
        query.thread.as_deref(),
        query.project_thread.as_deref(),
        query.conversation.as_deref(),
    ) {
        (None, None, None) => None,
        (Some(text), None, None) => Some(LiveThread::Forum(PostId(id_of(text)?))),
        (None, Some(text), None) => Some(LiveThread::Project(id_of(text)?)),
        (None, None, Some(text)) => Some(LiveThread::Conversation(id_of(text)?)),
        (_, _, conversation) => {
            let field = if conversation.is_some() {
                "conversation"
            } else {
                "project_thread"
            };
            return Err(
                crate::domain::DomainError::from(Refusal::InvalidChoice(field.into())).into(),
            );
        }
    };
    let last_event_id = headers
        .get("last-event-id")
        .and_then(|value| value.to_str().ok());
    let live = state
        .domain
        .open_live_stream(&account, thread, last_event_id)
        .await?;
    if let Err(error) = state.domain.note_activity(account.actor_id).await {
        tracing::warn!(%error, "recording an open stream failed");
    }
    // First the retry hint and where the stream stands (so a client
    // reconnecting at once resumes from here).
    let opening = Event::default()
        .retry(RETRY)
        .id(live.cursor().id())
        .comment("ready");
    let events = stream::unfold((live, state), |(mut live, state)| async move {
        loop {
            match live.next().await {
                Ok(Some((item, cursor))) => {
                    // Boxed: its futures (labeller, JSON) would otherwise
                    // take room in every idle stream.
                    if let Some(event) = Box::pin(event_of(&state, item, cursor)).await {
                        return Some((Ok(event), (live, state)));
                    }
                }
                Ok(None) => return None,
                Err(error) => {
                    tracing::warn!(%error, "live stream ended");
                    return None;
                }
            }
        }
    });
    Ok(Sse::new(stream::once(async { Ok(opening) }).chain(events))
        .keep_alive(KeepAlive::new().interval(KEEP_ALIVE)))
}

/// The event sent for `item`. A reply's text is written once for all the
/// streams that received the same event (it reads the same for every
/// teacher: labels are the author's, as this instance verifies them); a
/// notification's once for its recipient's streams.
async fn event_of(state: &AppState, item: LiveItem, cursor: LiveCursor) -> Option<Event> {
    let (name, data) = match item {
        LiveItem::Notification {
            id,
            kind,
            unread,
            text,
        } => (
            "notification",
            text.get_or_init(|| async {
                serde_json::to_string(&StreamEventData::Notification(StreamNotification {
                    id,
                    kind,
                    unread,
                }))
                .ok()
                .map(Arc::<str>::from)
            })
            .await
            .clone()?,
        ),
        LiveItem::ProjectReply { thread, post, text } => (
            "project_reply",
            written_once(state, &text, |labels| {
                StreamEventData::ProjectReply(StreamProjectReply {
                    thread_id: thread,
                    post: Box::new(ProjectPost::new(&post.post, &post.author, None, labels)),
                })
            })
            .await?,
        ),
        LiveItem::Presence { person, status } => {
            let labels = state.domain.labeller().await.ok()?;
            let data = StreamEventData::Presence(StreamPresence {
                person: Box::new(super::schema::Person::new(&person, &labels)),
                status: status.as_str().to_string(),
            });
            (
                "presence",
                Arc::<str>::from(serde_json::to_string(&data).ok()?),
            )
        }
        LiveItem::Messages { unread } => (
            "messages",
            Arc::<str>::from(
                serde_json::to_string(&StreamEventData::Messages(StreamMessages { unread }))
                    .ok()?,
            ),
        ),
        LiveItem::Reply { thread, post, text } => (
            "reply",
            written_once(state, &text, |labels| {
                StreamEventData::Reply(StreamReply {
                    thread_id: thread.0,
                    post: Box::new(Post::new(&post, labels)),
                })
            })
            .await?,
        ),
        LiveItem::ConversationLine { conversation, line } => (
            "conversation_line",
            conversation_line_text(conversation, line)?,
        ),
        LiveItem::ConversationLineChanged { conversation, line } => (
            "conversation_line_changed",
            conversation_line_text(conversation, line)?,
        ),
    };
    // JSON written by serde_json holds no line break: one `data:` line.
    Some(Event::default().event(name).id(cursor.id()).data(&*data))
}

/// The data of a `conversation_line` or `conversation_line_changed` event.
fn conversation_line_text(conversation: i64, line: i64) -> Option<Arc<str>> {
    Some(Arc::<str>::from(
        serde_json::to_string(&StreamEventData::ConversationLine(StreamConversationLine {
            conversation_id: conversation,
            line_id: line,
        }))
        .ok()?,
    ))
}

/// The text of an event that reads the same for every stream: written by
/// the first stream to send it, then shared.
async fn written_once(
    state: &AppState,
    text: &SharedText,
    data: impl FnOnce(&Labeller<'_>) -> StreamEventData,
) -> Option<Arc<str>> {
    text.get_or_init(|| async {
        let labels = state.domain.labeller().await.ok()?;
        serde_json::to_string(&data(&labels))
            .ok()
            .map(Arc::<str>::from)
    })
    .await
    .clone()
}

/// The stream route and its types, merged into the OpenAPI document.
#[derive(utoipa::OpenApi)]
#[openapi(
    paths(get_stream),
    components(schemas(
        StreamEventData,
        StreamNotification,
        StreamReply,
        StreamProjectReply,
        StreamConversationLine,
        StreamPresence,
        StreamMessages
    ))
)]
pub struct Doc;
