//! The actions of a conversation's page, each a form with a CSRF token
//! that redirects with its confirmation ("Message envoyé."; the message
//! form sent by script is answered with fragments instead): sending,
//! editing and deleting one's messages, inviting a contact, answering an
//! invitation, leaving, and the creator's removal of a participant; the
//! destructive ones behind a confirmation step.

use super::{
    conversation_lines,
    conversations::{as_participant, conversation_page, path_of, shown},
    notice::{redirect, Notice},
    projects::login_redirect,
    session::{CsrfForm, Page},
    views::ConfirmView,
};
use crate::extract::WebPath;
use crate::{
    app::AppState,
    domain::rows::{AccountRow, ActorId, ConversationId},
    error::AppError,
    i18n::Catalogs,
};
use axum::{
    extract::State,
    http::{HeaderMap, StatusCode},
    response::Response,
};
use serde::Deserialize;

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

/// `POST /conversations/{id}/messages`: send a message. Sent by the
/// page's script (`Accept` naming
/// [`conversation_lines::LINES_FRAGMENT`]), the answer is the line sent
/// (and any stored after it), or the refusal, as fragments; otherwise the
/// page again.
pub async fn submit_message(
    State(state): State<AppState>,
    page: Page,
    WebPath(id): WebPath<i64>,
    headers: HeaderMap,
    CsrfForm(form): CsrfForm<ActionForm>,
) -> Response {
    let Some(user) = &page.user else {
        return login_redirect(&path_of(ConversationId(id)));
    };
    let by_script = conversation_lines::wants_lines_fragment(&headers);
    match state
        .domain
        .post_conversation_message(user, ConversationId(id), &form.body)
        .await
    {
        Ok(line) if by_script => {
            let sent = Catalogs::get().format(page.lang, "notice-conversation-sent", &[]);
            conversation_lines::lines_fragment(&state, &page, user, id, line - 1, Some(sent)).await
        }
        Err(error) if by_script => {
            conversation_lines::error_fragment(&state, &page, &AppError::from(error))
        }
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
