//! Contacts on "Mes demandes": asking a teacher (here or on another
//! instance) to be a contact, answering the requests received, and the
//! list of contacts.

use super::{
    person_target::{person, signed_in},
    projects::{login_redirect, refusal, resolve_actor},
    session::{CsrfForm, Page},
    views::{date, PersonView},
};
use crate::extract::WebPath;
use crate::{
    app::AppState,
    domain::{
        rows::{AccountRow, ContactView},
        trust::Labeller,
    },
    error::AppError,
};
use activitypub_federation::config::Data;
use axum::{extract::State, http::StatusCode, response::Response};
use serde::{Deserialize, Serialize};

/// The contact parts of "Mes demandes".
#[derive(Serialize)]
pub struct ContactSections {
    /// Requests received.
    received: Vec<ContactItem>,
    /// Requests sent.
    sent: Vec<ContactItem>,
    /// Contacts.
    contacts: Vec<ContactItem>,
}

/// A person in one of the contact lists, and since when.
#[derive(Serialize)]
struct ContactItem {
    since: String,
    #[serde(flatten)]
    person: PersonView,
}

fn listed(views: &[ContactView], labels: &Labeller<'_>) -> Vec<ContactItem> {
    views
        .iter()
        .map(|view| ContactItem {
            since: date(view.since),
            person: PersonView::of(&view.person, labels),
        })
        .collect()
}

/// The contact parts of "Mes demandes".
pub async fn contact_sections(
    state: &AppState,
    user: &AccountRow,
    labels: &Labeller<'_>,
) -> Result<ContactSections, AppError> {
    let lists = state.domain.contact_lists(user.actor_id).await?;
    Ok(ContactSections {
        received: listed(&lists.received, labels),
        sent: listed(&lists.sent, labels),
        contacts: listed(&lists.contacts, labels),
    })
}

/// The contact request form.
#[derive(Debug, Default, Deserialize)]
pub struct ContactForm {
    #[serde(default)]
    handle: String,
    #[serde(default)]
    action: String,
    /// Where to go back to: a local path.
    #[serde(default)]
    back: String,
    /// The category to put the person in (empty: "Autres contacts").
    #[serde(default)]
    category: String,
}

/// `POST /contacts`: ask the teacher `handle` to be a contact.
pub async fn submit_contact_request(
    data: Data<AppState>,
    page: Page,
    CsrfForm(form): CsrfForm<ContactForm>,
) -> Response {
    let Some(user) = &page.user else {
        return login_redirect("/requests");
    };
    let category = super::contact_categories::category_choice(&form.category);
    let result = match (resolve_actor(&data, &form.handle).await, category) {
        (Ok(target), Ok(category)) => data
            .domain
            .request_contact_in(user, &target, category)
            .await
            .map_err(AppError::from),
        (Err(error), _) | (_, Err(error)) => Err(error),
    };
    match result {
        Ok(()) => crate::web::notice::redirect(
            &crate::web::redirect::target_or(Some(&form.back), "/requests"),
            crate::web::notice::Notice::with("contact-requested", form.handle.trim()),
        ),
        // The form is on "Mes demandes": shown again there, filled in.
        Err(error) => {
            let message = data.error_message(page.lang, &error);
            let refused = super::project_members::RefusedRequest {
                handle: &form.handle,
                message,
            };
            super::project_members::requests_page(&data, &page, error.status, Some(refused)).await
        }
    }
}

/// `POST /contacts/{id}/answer`: `action` is `accept` or `refuse`.
pub async fn submit_contact_answer(
    State(state): State<AppState>,
    page: Page,
    WebPath(id): WebPath<i64>,
    CsrfForm(form): CsrfForm<ContactForm>,
) -> Result<Response, Response> {
    let user = signed_in(&page, "/requests")?;
    let accept = match form.action.as_str() {
        "accept" => true,
        "refuse" => false,
        _ => {
            return Err(refusal(
                &state,
                &page,
                AppError::new(StatusCode::BAD_REQUEST, "invalid_choice"),
            ))
        }
    };
    let requester = person(&state, &page, id).await?;
    Ok(
        match state.domain.answer_contact(user, &requester, accept).await {
            Ok(()) => crate::web::notice::redirect(
                "/requests",
                crate::web::notice::Notice::with(
                    if accept {
                        "contact-accepted"
                    } else {
                        "contact-refused"
                    },
                    requester.display_name.clone(),
                ),
            ),
            Err(error) => refusal(&state, &page, error),
        },
    )
}
