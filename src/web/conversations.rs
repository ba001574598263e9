//! "Messages": a teacher's conversations and invitations, starting one
//! with contacts, a conversation's page (its lines, the message form, its
//! participants, the invitation form) and its text export. The page's
//! actions are in `conversation_actions`, its lines as fragments for its
//! script in `conversation_lines`. JavaScript only adds the emoji picker,
//! live lines and sending without leaving the page.

use super::{
    notice::{redirect, Notice},
    projects::login_redirect,
    session::{CsrfForm, Page},
    views::PersonView,
};
use crate::extract::WebPath;
use crate::{
    app::AppState,
    dates,
    domain::{
        conversations::{ConversationPage, NewConversation},
        rows::{ActorId, ActorRow, ConversationId, LineRow, ParticipantState},
        trust::Labeller,
    },
    error::AppError,
    i18n::{Catalogs, Lang},
};
use activitypub_federation::config::Data;
use axum::{
    extract::State,
    http::{header, StatusCode},
    response::{IntoResponse, Response},
};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};

/// The emoji the picker offers (any other can be typed).
const SMILEYS: [&str; 16] = [
    "😀", "😄", "😉", "😊", "😍", "😎", "🤔", "😮", "😢", "😡", "👍", "👎", "👏", "🙏", "🎉", "❤️",
];

/// The name shown for a person: "Prénom NOM" as they wrote it.
pub(super) fn shown(person: &ActorRow) -> String {
    if person.display_name.is_empty() {
        person.name.clone()
    } else {
        person.display_name.clone()
    }
}

/// A conversation's page path.
pub(super) fn path_of(id: ConversationId) -> String {
    format!("/conversations/{}", id.0)
}

/// The text of an event line (`joined`, `left`, `removed`, `locked`,
/// `unlocked`), in `lang`, its time in `zone`. `None` for a message.
pub fn event_text(line: &LineRow, name: &str, lang: Lang, zone: Tz) -> Option<String> {
    let catalogs = Catalogs::get();
    let time = dates::clock_text(line.created_at, zone).unwrap_or_default();
    let key = match line.kind.as_str() {
        "locked" => return Some(catalogs.format(lang, "conversation-line-locked", &[])),
        "unlocked" => return Some(catalogs.format(lang, "conversation-line-unlocked", &[])),
        "joined" => "conversation-line-joined",
        // A removal reads as the seed has it: "… a quitté la conversation".
        "left" | "removed" => "conversation-line-left",
        _ => return None,
    };
    Some(catalogs.format(lang, key, &[("name", name), ("time", &time)]))
}

/// A conversation as text, for its participant to keep: a title line,
/// then one line per event and message, times in `zone`.
pub fn export_text(conversation: &ConversationPage, lang: Lang, zone: Tz, now: i64) -> String {
    let catalogs = Catalogs::get();
    let mut text = catalogs.format(
        lang,
        "conversation-export-title",
        &[
            ("title", &conversation.conversation.name),
            ("time", &dates::stamp_text(now, zone).unwrap_or_default()),
        ],
    );
    text.push_str("\n\n");
    for line in &conversation.lines {
        let name = conversation
            .person(line.actor_id)
            .map(shown)
            .unwrap_or_default();
        let stamp = dates::stamp_text(line.created_at, zone).unwrap_or_default();
        let said = catalogs.format(lang, "label-colon", &[("label", &name)]);
        match event_text(line, &name, lang, zone) {
            Some(event) => text.push_str(&format!("[{stamp}] {event}\n")),
            None if line.deleted_at.is_some() => text.push_str(&format!(
                "[{stamp}] {said} {}\n",
                catalogs.format(lang, "conversation-export-deleted", &[])
            )),
            None => text.push_str(&format!("[{stamp}] {said} {}\n", line.source)),
        }
    }
    text
}

/// One line of the conversation page.
#[derive(Serialize)]
pub(super) struct LineView {
    id: i64,
    /// Its place in the host's order (its id until placed).
    position: i64,
    kind: String,
    /// An event's text.
    event: Option<String>,
    author: Option<PersonView>,
    html: String,
    source: String,
    time: String,
    iso: String,
    edited: bool,
    deleted: bool,
    /// Why the conversation's host refused this message, if it did.
    refused: Option<String>,
    mine: bool,
    /// A received message's attachments, shown as links.
    attachments: Vec<crate::domain::rows::Attachment>,
}

/// A participant in the list.
#[derive(Serialize)]
struct ParticipantItem {
    #[serde(flatten)]
    person: PersonView,
    state: &'static str,
    creator: bool,
    me: bool,
    /// Shown only for the reader's accepted contacts.
    presence: Option<&'static str>,
}

#[derive(Serialize)]
struct ConversationView {
    id: i64,
    path: String,
    name: String,
    is_creator: bool,
    min_level: Option<String>,
    lines: Vec<LineView>,
    participants: Vec<ParticipantItem>,
    invitable: Vec<PersonView>,
    /// A direct conversation with someone of another server: two people,
    /// nobody to invite.
    direct: bool,
    smileys: &'static [&'static str],
    last_line: i64,
    body: String,
    error: Option<String>,
}

/// The view of one line for `me`.
pub(super) fn line_view(
    conversation: &ConversationPage,
    line: &LineRow,
    me: ActorId,
    labels: &Labeller<'_>,
    lang: Lang,
    zone: Tz,
) -> LineView {
    let person = conversation.person(line.actor_id);
    let name = person.map(shown).unwrap_or_default();
    LineView {
        id: line.id,
        position: line.position.unwrap_or(line.id),
        kind: line.kind.clone(),
        event: event_text(line, &name, lang, zone),
        author: person.map(|p| PersonView::of(p, labels)),
        html: line.html.clone(),
        source: line.source.clone(),
        time: dates::clock_text(line.created_at, zone).unwrap_or_default(),
        iso: dates::iso_utc(line.created_at).unwrap_or_default(),
        edited: line.edited_at.is_some(),
        deleted: line.deleted_at.is_some(),
        refused: line.refused_reason.clone(),
        mine: line.actor_id == me,
        attachments: line.attachments(),
    }
}

/// `GET /conversations/{id}`, or the same page with a refused message.
pub(super) async fn conversation_page(
    state: &AppState,
    page: &Page,
    id: i64,
    status: StatusCode,
    body: &str,
    error: Option<String>,
) -> Response {
    let Some(user) = &page.user else {
        return login_redirect(&path_of(ConversationId(id)));
    };
    let result = async {
        let conversation = state
            .domain
            .conversation_page(user, ConversationId(id))
            .await?;
        let labels = state.domain.labeller().await?;
        let contacts = state.domain.my_contacts(user).await?;
        let direct = conversation.conversation.is_direct();
        Ok::<_, AppError>((conversation, labels, contacts, direct))
    }
    .await;
    let (conversation, labels, contacts, direct) = match result {
        Ok(found) => found,
        Err(error) => return state.error_page(page, error),
    };
    let me = user.actor_id;
    let present = |person: ActorId| {
        conversation.participants.iter().any(|p| {
            p.person.id == person
                && matches!(
                    p.row.state,
                    ParticipantState::Joined | ParticipantState::Invited
                )
        })
    };
    let view = ConversationView {
        id,
        path: path_of(ConversationId(id)),
        name: conversation.conversation.name.clone(),
        is_creator: conversation.is_creator,
        min_level: conversation.conversation.min_level.clone(),
        lines: conversation
            .lines
            .iter()
            .map(|line| line_view(&conversation, line, me, &labels, page.lang, page.time_zone))
            .collect(),
        participants: conversation
            .participants
            .iter()
            .filter_map(|p| {
                let state = match p.row.state {
                    ParticipantState::Joined => "joined",
                    ParticipantState::Invited => "invited",
                    _ => return None,
                };
                Some(ParticipantItem {
                    person: PersonView::of(&p.person, &labels),
                    state,
                    creator: p.person.id == conversation.conversation.creator_id,
                    me: p.person.id == me,
                    presence: conversation.presence.get(&p.person.id).map(|s| s.as_str()),
                })
            })
            .collect(),
        invitable: contacts
            .iter()
            .filter(|c| !present(c.id))
            .map(|c| PersonView::of(c, &labels))
            .collect(),
        direct,
        smileys: &SMILEYS,
        last_line: conversation.last_line(),
        body: body.to_string(),
        error,
    };
    // What the teacher sees is read.
    if status == StatusCode::OK {
        if let Err(error) = state
            .domain
            .mark_conversation_read(user, ConversationId(id), view.last_line)
            .await
        {
            return state.error_page(page, error);
        }
    }
    #[derive(Serialize)]
    struct PageView {
        conversation: ConversationView,
    }
    state.render_status(
        status,
        page,
        "conversation.html",
        &PageView { conversation: view },
    )
}

/// `GET /conversations/{id}`.
///
/// With a signature or an ActivityPub `Accept`, `{id}` is the token of a
/// conversation hosted here and its document is served to the instances
/// of its participants ([`crate::apub::conversations`]).
pub async fn show_conversation(
    data: Data<AppState>,
    page: Page,
    method: axum::http::Method,
    uri: axum::http::Uri,
    headers: axum::http::HeaderMap,
    WebPath(id): WebPath<String>,
) -> Response {
    if crate::apub::conversations::is_federation_read(&headers) {
        return crate::apub::conversations::conversation_response(
            &data, &id, method, &uri, headers,
        )
        .await;
    }
    let state: &AppState = &data;
    match id.parse::<i64>() {
        Ok(id) => conversation_page(state, &page, id, StatusCode::OK, "", None).await,
        Err(_) => state.error_page(&page, AppError::not_found()),
    }
}

/// A conversation in the list.
#[derive(Serialize)]
struct ListItem {
    id: i64,
    path: String,
    name: String,
    unread: i64,
    updated: String,
    /// Who invited the teacher (invitations) or removed them.
    by: Option<String>,
}

#[derive(Serialize)]
struct ListView {
    /// "Demandes de message": direct messages from strangers elsewhere.
    requests: Vec<super::message_requests::RequestItem>,
    invitations: Vec<ListItem>,
    conversations: Vec<ListItem>,
    removed: Vec<ListItem>,
    contacts: Vec<PersonView>,
    form: NewForm,
    error: Option<String>,
}

/// The new conversation form.
#[derive(Debug, Default, Deserialize, Serialize)]
pub struct NewForm {
    #[serde(default)]
    name: String,
    /// The contacts invited, by actor id.
    #[serde(default)]
    participants: Vec<i64>,
    /// `informal` (any), `associative` or `institutional`.
    #[serde(default)]
    min_level: String,
}

async fn list_page(
    state: &AppState,
    page: &Page,
    status: StatusCode,
    form: NewForm,
    error: Option<String>,
) -> Response {
    let Some(user) = &page.user else {
        return login_redirect("/conversations");
    };
    let result = async {
        let summaries = state.domain.my_conversations(user).await?;
        let labels = state.domain.labeller().await?;
        let contacts = state.domain.my_contacts(user).await?;
        let requests = super::message_requests::request_items(state, user, page).await?;
        Ok::<_, AppError>((summaries, labels, contacts, requests))
    }
    .await;
    let (summaries, labels, contacts, requests) = match result {
        Ok(found) => found,
        Err(error) => return state.error_page(page, error),
    };
    let mut view = ListView {
        requests,
        invitations: Vec::new(),
        conversations: Vec::new(),
        removed: Vec::new(),
        contacts: contacts
            .iter()
            .map(|c| PersonView::of(c, &labels))
            .collect(),
        form,
        error,
    };
    for summary in summaries {
        let conversation = &summary.row.conversation;
        let item = ListItem {
            id: conversation.id.0,
            path: path_of(conversation.id),
            name: conversation.name.clone(),
            unread: summary.row.unread,
            updated: dates::date_time_text(conversation.updated_at, page.lang, page.time_zone)
                .unwrap_or_default(),
            by: summary
                .invited_by
                .as_ref()
                .or(summary.removed_by.as_ref())
                .map(shown),
        };
        match summary.row.my_state {
            ParticipantState::Invited => view.invitations.push(item),
            ParticipantState::Removed => view.removed.push(item),
            _ => view.conversations.push(item),
        }
    }
    state.render_status(status, page, "conversations.html", &view)
}

/// `GET /conversations`.
pub async fn show_conversations(State(state): State<AppState>, page: Page) -> Response {
    list_page(&state, &page, StatusCode::OK, NewForm::default(), None).await
}

/// `POST /conversations`: start one with some contacts.
pub async fn submit_conversation(
    State(state): State<AppState>,
    page: Page,
    CsrfForm(form): CsrfForm<NewForm>,
) -> Response {
    let Some(user) = &page.user else {
        return login_redirect("/conversations");
    };
    let result = async {
        let mut people = Vec::new();
        for id in &form.participants {
            people.push(state.domain.actor_by_id(ActorId(*id)).await?);
        }
        let min_level = match form.min_level.as_str() {
            "" | "informal" => None,
            level => Some(
                level
                    .parse::<preau_federation::TrustLevel>()
                    .map_err(|_| AppError::from(invalid_level()))?,
            ),
        };
        let id = state
            .domain
            .create_conversation(
                user,
                &NewConversation {
                    name: &form.name,
                    participants: &people,
                    min_level,
                },
            )
            .await?;
        Ok::<_, AppError>(id)
    }
    .await;
    match result {
        Ok(id) => redirect(
            &path_of(id),
            Notice::with("conversation-created", form.name.trim()),
        ),
        Err(error) => {
            let message = state.error_message(page.lang, &error);
            list_page(&state, &page, error.status, form, Some(message)).await
        }
    }
}

fn invalid_level() -> crate::domain::DomainError {
    crate::domain::Refusal::InvalidTrustLevel("min_level".into()).into()
}

/// The conversation as the page's teacher, a participant, reads it; or
/// the page to show instead (log-in, refusal).
pub(super) async fn as_participant(
    state: &AppState,
    page: &Page,
    id: i64,
) -> Result<ConversationPage, Response> {
    let Some(user) = &page.user else {
        return Err(login_redirect(&path_of(ConversationId(id))));
    };
    state
        .domain
        .conversation_page(user, ConversationId(id))
        .await
        .map_err(|error| state.error_page(page, error))
}

/// `GET /conversations/{id}/export`: the conversation as text.
pub async fn export_conversation(
    State(state): State<AppState>,
    page: Page,
    WebPath(id): WebPath<i64>,
) -> Response {
    match as_participant(&state, &page, id).await {
        Ok(conversation) => text_response(
            export_text(
                &conversation,
                page.lang,
                page.time_zone,
                state.domain.clock().now_ms(),
            ),
            id,
        ),
        Err(response) => response,
    }
}

/// A text export as a download.
pub fn text_response(text: String, id: i64) -> Response {
    (
        [
            (
                header::CONTENT_TYPE,
                "text/plain; charset=utf-8".to_string(),
            ),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"conversation-{id}.txt\""),
            ),
            (header::CACHE_CONTROL, "private, no-store".to_string()),
        ],
        text,
    )
        .into_response()
}
