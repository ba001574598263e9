//! Conversations on the wire: serving the conversation document (at its
//! id, on the host) and the messages written here, to instances with a
//! participant only, by signed fetch; reading a host's document and a
//! received message into what the domain stores.

use super::{
    activities::InboxError,
    activity_json,
    actors::DbActor,
    projects::{signed_reader_host, SignedRead},
};
use crate::{
    app::AppState,
    domain::{
        conversation_relay::{
            HostDocument, MirroredParticipant, ParticipantState, ReceivedMessage,
        },
        inbox::ActorRow,
        rendering,
    },
    error::AppError,
    extract::ApiPath,
};
use activitypub_federation::{config::Data, fetch::fetch_object_http};
use axum::{
    http::{HeaderMap, Method, StatusCode, Uri},
    response::Response,
};
use preau_federation::{conversations::Conversation, objects::Post, WithContext};
use serde_json::Value;
use url::Url;

/// `GET /conversations/{token}` with an ActivityPub `Accept` (or a
/// signature): the conversation's document, to instances with a
/// participant (invited or joined) only.
pub async fn conversation_response(
    data: &Data<AppState>,
    token: &str,
    method: Method,
    uri: &Uri,
    headers: HeaderMap,
) -> Response {
    let request = SignedRead::of(method, uri, headers);
    let reader = match signed_reader_host(data, &request).await {
        Ok(reader) => reader,
        Err(response) => return response,
    };
    match data.domain.conversation_document_for(token, &reader).await {
        Ok(document) => activity_json(&WithContext::preau(document)),
        Err(error) => AppError::from(error).into_response_json(),
    }
}

/// `GET /conversation-messages/{token}`: a message written here, to
/// instances with a joined participant only (`410` once deleted). A
/// browser is sent to its conversation's page, which checks who reads.
pub async fn get_conversation_message(
    data: Data<AppState>,
    ApiPath(token): ApiPath<String>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
) -> Response {
    let request = SignedRead::of(method, &uri, headers);
    let reader = match signed_reader_host(&data, &request).await {
        Ok(reader) => reader,
        Err(response) => return response,
    };
    match data.domain.conversation_message_for(&token, &reader).await {
        Ok(note) => activity_json(&WithContext::preau(note)),
        Err(error) => AppError::from(error).into_response_json(),
    }
}

fn unavailable(what: &str, error: impl std::fmt::Display) -> InboxError {
    tracing::info!(%error, what, "conversation: unavailable");
    InboxError::new(StatusCode::SERVICE_UNAVAILABLE, "object_unavailable")
}

/// The person at `url` (known, or fetched).
async fn person_at(data: &Data<AppState>, url: &Url) -> Result<ActorRow, InboxError> {
    Ok(super::activities::actor_at(data, url).await?.row)
}

/// The most participants read from a host's document.
const MAX_DOCUMENT_PARTICIPANTS: usize = 500;

/// Reads the host's document of the conversation `id` (a signed fetch by
/// this instance's actor), its people resolved. The document must come
/// from the conversation's own server, with its id.
pub async fn fetch_host_document(
    data: &Data<AppState>,
    id: &Url,
) -> Result<HostDocument, InboxError> {
    let fetched = fetch_object_http::<AppState, Value>(id, data)
        .await
        .map_err(|error| unavailable(id.as_str(), error))?
        .object;
    let document: Conversation =
        serde_json::from_value(fetched).map_err(|_| InboxError::invalid_object())?;
    if &document.id != id || !crate::domain::provenance::same_origin(&document.attributed_to, id) {
        return Err(InboxError::invalid_object());
    }
    let creator = person_at(data, &document.attributed_to).await?;
    // Each person is resolved with a request budget of their own (the
    // library allows 20 fetches per incoming request, and a conversation of
    // 50 people across instances needs about as many as it has people).
    // One after the other: a person fetched is stored in a write
    // transaction, and no other query of this task may run meanwhile (see
    // `Store::pool`).
    let mut participants = Vec::new();
    for participant in document.participants.iter().take(MAX_DOCUMENT_PARTICIPANTS) {
        let state = match participant.participant_state.as_str() {
            "invited" => ParticipantState::Invited,
            "joined" => ParticipantState::Joined,
            "declined" => ParticipantState::Declined,
            "removed" => ParticipantState::Removed,
            "left" => ParticipantState::Left,
            _ => continue,
        };
        let data = data.reset_request_count();
        let Ok(person) = person_at(&data, &participant.actor).await else {
            continue;
        };
        let invited_by = match &participant.invited_by {
            Some(url) => person_at(&data, url).await.ok().map(|p| p.id),
            None => None,
        };
        participants.push(MirroredParticipant {
            person,
            state,
            invited_by,
        });
    }
    let name = crate::domain::validate::name(
        &document.name,
        crate::domain::conversations::MAX_NAME,
        "name",
    )
    .unwrap_or_default();
    Ok(HostDocument {
        ap_id: document.id.to_string(),
        name: if name.is_empty() {
            "…".to_string()
        } else {
            name
        },
        creator,
        min_level: document
            .min_participant_level
            .filter(|l| l.parse::<preau_federation::TrustLevel>().is_ok()),
        participants,
    })
}

/// A message (`Note`) by `author`: its Markdown kept, its HTML made again
/// from it (or, without one, the sent HTML sanitised).
pub async fn read_message(object: &Value, author: &DbActor) -> Result<ReceivedMessage, InboxError> {
    let note: Post =
        serde_json::from_value(object.clone()).map_err(|_| InboxError::invalid_object())?;
    if note.author().map(Url::as_str) != Some(author.row.ap_id.as_str())
        || !crate::domain::provenance::same_origin(
            &note.id,
            &Url::parse(&author.row.ap_id).map_err(|_| InboxError::invalid_object())?,
        )
    {
        return Err(InboxError::new(StatusCode::FORBIDDEN, "author_mismatch"));
    }
    let source = note
        .source
        .as_ref()
        .filter(|s| s.media_type == "text/markdown")
        .map(|s| s.content.replace('\0', ""))
        .unwrap_or_default();
    let source: String = source
        .chars()
        .take(crate::domain::conversations::MAX_MESSAGE)
        .collect();
    let html = if source.trim().is_empty() {
        rendering::remote_html(note.content.clone().unwrap_or_default()).await
    } else {
        rendering::markdown(source.clone(), "body").await
    }
    .map_err(|error| {
        tracing::info!(%error, "conversation message unreadable");
        InboxError::invalid_object()
    })?;
    Ok(ReceivedMessage {
        ap_id: note.id.to_string(),
        author: author.row.clone(),
        source,
        html,
    })
}

/// Whether a request is a signed or ActivityPub read (not a browser).
pub fn is_federation_read(headers: &HeaderMap) -> bool {
    headers.contains_key("signature") || crate::web::profile::wants_activity_json(headers)
}
