//! "Messages": a teacher's conversations and invitations, starting one
//! with contacts, and a conversation's page (its lines, the message form,
//! its participants, inviting, removing, leaving, exporting). Every action
//! is a form with a CSRF token; JavaScript only adds the emoji picker and
//! live lines.

use super::{
    notice::{redirect, Notice},
    projects::login_redirect,
    session::{CsrfForm, Page},
    views::{ConfirmView, PersonView},
};
use crate::extract::WebPath;
use crate::{
    app::AppState,
    dates,
    domain::{
        conversations::{ConversationPage, NewConversation},
        rows::{AccountRow, ActorId, ActorRow, ConversationId, LineRow, ParticipantState},
        trust::Labeller,
    },
    error::AppError,
    i18n::{Catalogs, Lang},
};
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
fn shown(person: &ActorRow) -> String {
    if person.display_name.is_empty() {
        person.name.clone()
    } else {
        person.display_name.clone()
    }
}

/// A conversation's page path.
fn path_of(id: ConversationId) -> String {
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
        match event_text(line, &name, lang, zone) {
            Some(event) => text.push_str(&format!("[{stamp}] {event}\n")),
            None if line.deleted_at.is_some() => text.push_str(&format!(
                "[{stamp}] {name} : {}\n",
                catalogs.format(lang, "conversation-export-deleted", &[])
            )),
            None => text.push_str(&format!("[{stamp}] {name} : {}\n", line.source)),
        }
    }
    text
}

/// One line of the conversation page.
#[derive(Serialize)]
struct LineView {
    id: i64,
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
    mine: bool,
}

/// A participant in the list.
#[derive(Serialize)]
struct ParticipantItem {
    #[serde(flatten)]
    person: PersonView,
    state: &'static str,
    creator: bool,
    me: bool,
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
    smileys: &'static [&'static str],
    last_line: i64,
    body: String,
    error: Option<String>,
}

/// The view of one line for `me`.
fn line_view(
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
        kind: line.kind.clone(),
        event: event_text(line, &name, lang, zone),
        author: person.map(|p| PersonView::of(p, labels)),
        html: line.html.clone(),
        source: line.source.clone(),
        time: dates::clock_text(line.created_at, zone).unwrap_or_default(),
        iso: dates::iso_utc(line.created_at).unwrap_or_default(),
        edited: line.edited_at.is_some(),
        deleted: line.deleted_at.is_some(),
        mine: line.actor_id == me,
    }
}

/// `GET /conversations/{id}`, or the same page with a refused message.
async fn conversation_page(
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
        Ok::<_, AppError>((conversation, labels, contacts))
    }
    .await;
    let (conversation, labels, contacts) = match result {
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
                })
            })
            .collect(),
        invitable: contacts
            .iter()
            .filter(|c| !present(c.id))
            .map(|c| PersonView::of(c, &labels))
            .collect(),
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
pub async fn show_conversation(
    State(state): State<AppState>,
    page: Page,
    WebPath(id): WebPath<i64>,
) -> Response {
    conversation_page(&state, &page, id, StatusCode::OK, "", None).await
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
        Ok::<_, AppError>((summaries, labels, contacts))
    }
    .await;
    let (summaries, labels, contacts) = match result {
        Ok(found) => found,
        Err(error) => return state.error_page(page, error),
    };
    let mut view = ListView {
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

/// A form of a conversation's page.
#[derive(Debug, Default, Deserialize)]
pub struct ActionForm {
    #[serde(default)]
    body: String,
    #[serde(default)]
    person: i64,
    #[serde(default)]
    action: String,
}

/// `POST /conversations/{id}/messages`: send a message.
pub async fn submit_message(
    State(state): State<AppState>,
    page: Page,
    WebPath(id): WebPath<i64>,
    CsrfForm(form): CsrfForm<ActionForm>,
) -> Response {
    let Some(user) = &page.user else {
        return login_redirect(&path_of(ConversationId(id)));
    };
    match state
        .domain
        .post_conversation_message(user, ConversationId(id), &form.body)
        .await
    {
        Ok(line) => redirect(
            &format!("{}#line-{line}", path_of(ConversationId(id))),
            Notice::new("conversation-sent"),
        ),
        Err(error) => {
            let error = AppError::from(error);
            let message = state.error_message(page.lang, &error);
            conversation_page(&state, &page, id, error.status, &form.body, Some(message)).await
        }
    }
}

/// Runs an action of a conversation's page, then goes back to `back`
/// with `notice`, or shows the refusal.
async fn act(
    state: &AppState,
    page: &Page,
    id: i64,
    action: impl AsyncFnOnce(&AccountRow) -> Result<(String, Notice), AppError>,
) -> Response {
    let Some(user) = &page.user else {
        return login_redirect(&path_of(ConversationId(id)));
    };
    match action(user).await {
        Ok((back, notice)) => redirect(&back, notice),
        Err(error) => state.error_page(page, error),
    }
}

/// `POST /conversations/{id}/messages/{line}/edit`.
pub async fn submit_edit(
    State(state): State<AppState>,
    page: Page,
    WebPath((id, line)): WebPath<(i64, i64)>,
    CsrfForm(form): CsrfForm<ActionForm>,
) -> Response {
    act(&state, &page, id, async |user| {
        state
            .domain
            .edit_conversation_message(user, ConversationId(id), line, &form.body)
            .await?;
        Ok((
            format!("{}#line-{line}", path_of(ConversationId(id))),
            Notice::new("conversation-edited"),
        ))
    })
    .await
}

/// A confirmation step of a conversation's page: the catalog messages
/// `KEY-title`, `KEY-question` and the button `button`, given `args`.
fn confirmation(
    page: &Page,
    key: &str,
    button: &str,
    args: &[(&str, &str)],
    id: i64,
    action: &str,
) -> ConfirmView {
    let catalogs = Catalogs::get();
    let text = |key: &str| catalogs.format(page.lang, key, args);
    ConfirmView {
        title: text(&format!("{key}-title")),
        question: text(&format!("{key}-question")),
        detail: None,
        action: format!("{}/{action}", path_of(ConversationId(id))),
        fields: Vec::new(),
        button: text(button),
        cancel: path_of(ConversationId(id)),
    }
}

/// `GET /conversations/{id}/messages/{line}/delete`: the confirmation.
pub async fn confirm_delete(
    State(state): State<AppState>,
    page: Page,
    WebPath((id, line)): WebPath<(i64, i64)>,
) -> Response {
    let view = confirmation(
        &page,
        "conversation-delete",
        "conversation-delete",
        &[],
        id,
        &format!("messages/{line}/delete"),
    );
    state.confirm_page(&page, view)
}

/// `POST /conversations/{id}/messages/{line}/delete`.
pub async fn submit_delete(
    State(state): State<AppState>,
    page: Page,
    WebPath((id, line)): WebPath<(i64, i64)>,
    CsrfForm(_): CsrfForm<ActionForm>,
) -> Response {
    act(&state, &page, id, async |user| {
        state
            .domain
            .delete_conversation_message(user, ConversationId(id), line)
            .await?;
        Ok((
            path_of(ConversationId(id)),
            Notice::new("conversation-deleted"),
        ))
    })
    .await
}

/// `POST /conversations/{id}/invite`: invite a contact (`person`).
pub async fn submit_invite(
    State(state): State<AppState>,
    page: Page,
    WebPath(id): WebPath<i64>,
    CsrfForm(form): CsrfForm<ActionForm>,
) -> Response {
    act(&state, &page, id, async |user| {
        let person = state.domain.actor_by_id(ActorId(form.person)).await?;
        state
            .domain
            .invite_to_conversation(user, ConversationId(id), &person)
            .await?;
        Ok((
            path_of(ConversationId(id)),
            Notice::with("conversation-invited", shown(&person)),
        ))
    })
    .await
}

/// `POST /conversations/{id}/answer`: `action` is `accept` or `refuse`.
pub async fn submit_answer(
    State(state): State<AppState>,
    page: Page,
    WebPath(id): WebPath<i64>,
    CsrfForm(form): CsrfForm<ActionForm>,
) -> Response {
    act(&state, &page, id, async |user| {
        let accept = match form.action.as_str() {
            "accept" => true,
            "refuse" => false,
            _ => return Err(AppError::new(StatusCode::BAD_REQUEST, "invalid_choice")),
        };
        let name = state
            .domain
            .conversation_name(user, ConversationId(id))
            .await?;
        state
            .domain
            .answer_conversation(user, ConversationId(id), accept)
            .await?;
        Ok(if accept {
            (
                path_of(ConversationId(id)),
                Notice::with("conversation-accepted", name),
            )
        } else {
            (
                "/conversations".to_string(),
                Notice::with("conversation-declined", name),
            )
        })
    })
    .await
}

/// The conversation as the page's teacher, a participant, reads it; or
/// the page to show instead (log-in, refusal).
async fn as_participant(
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

/// `GET /conversations/{id}/leave`: the confirmation.
pub async fn confirm_leave(
    State(state): State<AppState>,
    page: Page,
    WebPath(id): WebPath<i64>,
) -> Response {
    let conversation = match as_participant(&state, &page, id).await {
        Ok(conversation) => conversation,
        Err(response) => return response,
    };
    let view = confirmation(
        &page,
        "conversation-leave",
        "conversation-leave-button",
        &[("title", &conversation.conversation.name)],
        id,
        "leave",
    );
    state.confirm_page(&page, view)
}

/// `POST /conversations/{id}/leave`.
pub async fn submit_leave(
    State(state): State<AppState>,
    page: Page,
    WebPath(id): WebPath<i64>,
    CsrfForm(_): CsrfForm<ActionForm>,
) -> Response {
    act(&state, &page, id, async |user| {
        let name = state
            .domain
            .conversation_name(user, ConversationId(id))
            .await?;
        state
            .domain
            .leave_conversation(user, ConversationId(id))
            .await?;
        Ok((
            "/conversations".to_string(),
            Notice::with("conversation-left", name),
        ))
    })
    .await
}

/// `GET /conversations/{id}/remove/{person}`: the confirmation ("Renvoyer
/// ce participant de la conversation ?").
pub async fn confirm_remove(
    State(state): State<AppState>,
    page: Page,
    WebPath((id, person)): WebPath<(i64, i64)>,
) -> Response {
    let conversation = match as_participant(&state, &page, id).await {
        Ok(conversation) => conversation,
        Err(response) => return response,
    };
    if !conversation.is_creator {
        return state.error_page(
            &page,
            crate::domain::DomainError::from(crate::domain::Refusal::NotConversationCreator),
        );
    }
    let Some(removed) = conversation.person(ActorId(person)) else {
        return state.error_page(&page, AppError::not_found());
    };
    let view = confirmation(
        &page,
        "conversation-remove",
        "conversation-remove-button",
        &[
            ("name", &shown(removed)),
            ("title", &conversation.conversation.name),
        ],
        id,
        &format!("remove/{person}"),
    );
    state.confirm_page(&page, view)
}

/// `POST /conversations/{id}/remove/{person}`: the creator removes them.
pub async fn submit_remove(
    State(state): State<AppState>,
    page: Page,
    WebPath((id, person)): WebPath<(i64, i64)>,
    CsrfForm(_): CsrfForm<ActionForm>,
) -> Response {
    act(&state, &page, id, async |user| {
        let removed = state.domain.actor_by_id(ActorId(person)).await?;
        state
            .domain
            .remove_from_conversation(user, ConversationId(id), removed.id)
            .await?;
        Ok((
            path_of(ConversationId(id)),
            Notice::with("conversation-removed", shown(&removed)),
        ))
    })
    .await
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
