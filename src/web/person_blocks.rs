//! Blocking a person from their profile or the contacts page (after a
//! confirmation page), unblocking, and choosing one's presence from the
//! header. Plain forms, no JavaScript.

use super::{
    notice::{redirect, Notice},
    person_target::{confirm_person_action, teacher_and_person},
    projects::{login_redirect, refusal},
    session::{CsrfForm, Page},
};
use crate::extract::WebPath;
use crate::{app::AppState, error::AppError};
use axum::{extract::State, response::Response};
use serde::Deserialize;

/// A block form: where to come back to (a local path).
#[derive(Debug, Default, Deserialize)]
pub struct BlockForm {
    #[serde(default)]
    back: String,
}

/// `GET /contacts/{id}/block`: the confirmation step.
pub async fn confirm_block(
    State(state): State<AppState>,
    page: Page,
    WebPath(id): WebPath<i64>,
    crate::extract::WebQuery(form): crate::extract::WebQuery<BlockForm>,
) -> Result<Response, Response> {
    let back = super::redirect::target_or(Some(&form.back), "/contacts");
    confirm_person_action(&state, &page, id, ("block-person", "block"), Some(back)).await
}

/// `POST /contacts/{id}/block`.
pub async fn submit_block(
    State(state): State<AppState>,
    page: Page,
    WebPath(id): WebPath<i64>,
    CsrfForm(form): CsrfForm<BlockForm>,
) -> Result<Response, Response> {
    let (user, person) = teacher_and_person(&state, &page, id, "/contacts").await?;
    Ok(match state.domain.block_person(user, &person).await {
        Ok(_) => back_to(&form, "person-blocked", person.display_name),
        Err(error) => refusal(&state, &page, error),
    })
}

/// `POST /contacts/{id}/unblock`.
pub async fn submit_unblock(
    State(state): State<AppState>,
    page: Page,
    WebPath(id): WebPath<i64>,
    CsrfForm(form): CsrfForm<BlockForm>,
) -> Result<Response, Response> {
    let (user, person) = teacher_and_person(&state, &page, id, "/contacts").await?;
    Ok(match state.domain.unblock_person(user, &person).await {
        Ok(()) => back_to(&form, "person-unblocked", person.display_name),
        Err(error) => refusal(&state, &page, error),
    })
}

/// Back where a block form says (the contacts page by default), with the
/// notice `key` naming `name`.
fn back_to(form: &BlockForm, key: &'static str, name: String) -> Response {
    redirect(
        &super::redirect::target_or(Some(&form.back), "/contacts"),
        Notice::with(key, name),
    )
}

/// The presence form of the header.
#[derive(Debug, Default, Deserialize)]
pub struct PresenceForm {
    #[serde(default)]
    status: String,
    #[serde(default)]
    back: String,
}

/// `POST /settings/presence`: the status chosen from one's name.
pub async fn submit_presence(
    State(state): State<AppState>,
    page: Page,
    CsrfForm(form): CsrfForm<PresenceForm>,
) -> Response {
    let Some(user) = &page.user else {
        return login_redirect("/");
    };
    match state.domain.set_presence(user.actor_id, &form.status).await {
        Ok(status) => redirect(
            &super::redirect::target_or(Some(&form.back), "/"),
            Notice::new(match status.as_str() {
                "away" => "presence-away",
                "busy" => "presence-busy",
                _ => "presence-available",
            }),
        ),
        Err(error) => refusal(&state, &page, AppError::from(error)),
    }
}
