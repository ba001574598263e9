//! What a form about a person acts on (`/contacts/{id}/…`: answering a
//! contact request, moving, removing, blocking, unblocking), or the answer
//! given instead: the log-in page for a visitor, the error page for a
//! person unknown here. Handlers return `Result<Response, Response>` so
//! that either answer is one `?` away. Also the confirmation step of
//! removing and blocking a person.

use super::{
    projects::{login_redirect, refusal},
    session::Page,
    views::ConfirmView,
};
use crate::{
    app::AppState,
    domain::rows::{AccountRow, ActorId, ActorRow},
};
use axum::response::Response;

/// The signed-in teacher; otherwise the log-in page, coming back to
/// `back`.
#[allow(clippy::result_large_err)] // the handler's answer, returned at once
pub(super) fn signed_in<'p>(page: &'p Page, back: &str) -> Result<&'p AccountRow, Response> {
    page.user.as_ref().ok_or_else(|| login_redirect(back))
}

/// The person `id` of the path; otherwise the error page (`not_found`).
pub(super) async fn person(state: &AppState, page: &Page, id: i64) -> Result<ActorRow, Response> {
    state
        .domain
        .actor_by_id(ActorId(id))
        .await
        .map_err(|error| refusal(state, page, error))
}

/// The signed-in teacher and the person `id` they act on; otherwise the
/// log-in page (coming back to `back`) or the error page.
pub(super) async fn teacher_and_person<'p>(
    state: &AppState,
    page: &'p Page,
    id: i64,
    back: &str,
) -> Result<(&'p AccountRow, ActorRow), Response> {
    let user = signed_in(page, back)?;
    Ok((user, person(state, page, id).await?))
}

/// The confirmation step of `action` (`remove`, `block`) on the person
/// `id`: the catalog's `confirm-<key>-…` texts naming them, a form posting
/// to `/contacts/{id}/{action}` (with `back` as a hidden field when
/// given), and "Annuler" leading to `back`, else to the contacts page.
pub(super) async fn confirm_person_action(
    state: &AppState,
    page: &Page,
    id: i64,
    (key, action): (&str, &str),
    back: Option<String>,
) -> Result<Response, Response> {
    let (_, person) = teacher_and_person(state, page, id, "/contacts").await?;
    let cancel = back.clone().unwrap_or_else(|| "/contacts".into());
    let action = format!("/contacts/{id}/{action}");
    let mut confirm =
        ConfirmView::from_catalog(page.lang, key, &person.display_name, action, cancel);
    if let Some(back) = &back {
        confirm = confirm.field("back", back);
    }
    Ok(state.confirm_page(page, confirm))
}
