//! The "Contacts" page (seed 004, "Gérer ses contacts"): the teacher's
//! categories with their counts, each contact with its state, and the
//! forms to create, rename and delete a category, move a contact and
//! remove one. Plain forms, no JavaScript; deleting a category and
//! removing a contact go through a confirmation page first.

use super::{
    notice::{redirect, Notice},
    person_target::{confirm_person_action, person, signed_in, teacher_and_person},
    projects::{login_redirect, refusal},
    session::{CsrfForm, Page},
    views::{date, ConfirmView, PersonView},
};
use crate::extract::WebPath;
use crate::{
    app::AppState,
    domain::{
        contact_categories::ContactBook,
        rows::{ActorId, ContactCategoryId},
    },
    error::AppError,
};
use axum::{extract::State, http::StatusCode, response::Response};
use serde::{Deserialize, Serialize};

/// A contact on the page.
#[derive(Serialize)]
struct BookItem {
    #[serde(flatten)]
    person: PersonView,
    /// `accepted`, `pending` or `refused`.
    state: &'static str,
    since: String,
    /// `available`, `away` or `busy`, for an accepted contact whose
    /// presence is known.
    presence: Option<&'static str>,
}

/// A person the teacher blocked.
#[derive(Serialize)]
struct BlockedItem {
    #[serde(flatten)]
    person: PersonView,
    since: String,
}

/// A category on the page, with its contacts.
#[derive(Serialize)]
struct CategoryItem {
    /// `None` for "Autres contacts".
    id: Option<i64>,
    /// The teacher's name for it; empty for "Autres contacts" (the
    /// catalog names it).
    name: String,
    count: usize,
    contacts: Vec<BookItem>,
}

/// A choice of the "move to" lists.
#[derive(Serialize)]
struct CategoryChoice {
    id: i64,
    name: String,
}

/// A refused form: which form (`new` or a category id) and the message.
pub(super) struct FormRefusal {
    form: String,
    name: String,
    message: String,
}

#[derive(Serialize)]
struct ContactsPage {
    categories: Vec<CategoryItem>,
    choices: Vec<CategoryChoice>,
    total: usize,
    error_form: Option<String>,
    error_name: Option<String>,
    error: Option<String>,
    error_field: &'static str,
    blocked: Vec<BlockedItem>,
}

/// `GET /contacts`.
pub async fn show_contacts(State(state): State<AppState>, page: Page) -> Response {
    contacts_page(&state, &page, StatusCode::OK, None).await
}

async fn contacts_page(
    state: &AppState,
    page: &Page,
    status: StatusCode,
    refused: Option<FormRefusal>,
) -> Response {
    let Some(user) = &page.user else {
        return login_redirect("/contacts");
    };
    let (book, labels, blocked) = match (
        state.domain.contact_book(user.actor_id).await,
        state.domain.labeller().await,
        state.domain.blocked_people(user.actor_id).await,
    ) {
        (Ok(book), Ok(labels), Ok(blocked)) => (book, labels, blocked),
        (Err(error), _, _) | (_, Err(error), _) | (_, _, Err(error)) => {
            return refusal(state, page, error)
        }
    };
    let people: Vec<_> = book.entries.iter().map(|e| e.person.clone()).collect();
    let presences = match state.domain.contact_presences(user.actor_id, &people).await {
        Ok(presences) => presences,
        Err(error) => return refusal(state, page, error),
    };
    let ContactBook {
        categories,
        entries,
    } = book;
    let choices = categories
        .iter()
        .filter_map(|c| c.category.as_ref())
        .map(|c| CategoryChoice {
            id: c.id.0,
            name: c.name.clone(),
        })
        .collect();
    let total = entries.len();
    let categories = categories
        .into_iter()
        .map(|count| {
            let id = count.category.as_ref().map(|c| c.id);
            CategoryItem {
                id: id.map(|id| id.0),
                name: count.category.map(|c| c.name).unwrap_or_default(),
                count: count.count,
                contacts: entries
                    .iter()
                    .filter(|e| e.category == id)
                    .map(|e| BookItem {
                        person: PersonView::of(&e.person, &labels),
                        state: e.standing.as_str(),
                        since: date(e.since),
                        presence: presences.get(&e.person.id).map(|p| p.as_str()),
                    })
                    .collect(),
            }
        })
        .collect();
    let (error_form, error_name, error) = match refused {
        Some(r) => (Some(r.form), Some(r.name), Some(r.message)),
        None => (None, None, None),
    };
    state.render_status(
        status,
        page,
        "contacts.html",
        &ContactsPage {
            categories,
            choices,
            total,
            error_form,
            error_name,
            error,
            error_field: "category_name",
            blocked: blocked
                .iter()
                .map(|view| BlockedItem {
                    person: PersonView::of(&view.person, &labels),
                    since: date(view.since),
                })
                .collect(),
        },
    )
}

/// A category's name, as typed.
#[derive(Debug, Default, Deserialize)]
pub struct CategoryForm {
    #[serde(default)]
    name: String,
}

/// Shows the page again with the message at the form, or the error page.
async fn refused_form(
    state: &AppState,
    page: &Page,
    form: String,
    name: String,
    error: AppError,
) -> Response {
    if error.code == "not_found" {
        return refusal(state, page, error);
    }
    let message = state.error_message(page.lang, &error);
    let refused = FormRefusal {
        form,
        name,
        message,
    };
    contacts_page(state, page, error.status, Some(refused)).await
}

/// `POST /contacts/categories`: a new category.
pub async fn submit_create_category(
    State(state): State<AppState>,
    page: Page,
    CsrfForm(form): CsrfForm<CategoryForm>,
) -> Response {
    let Some(user) = &page.user else {
        return login_redirect("/contacts");
    };
    match state.domain.create_contact_category(user, &form.name).await {
        Ok(category) => redirect(
            "/contacts",
            Notice::with("contact-category-created", category.name),
        ),
        Err(error) => refused_form(&state, &page, "new".into(), form.name, error.into()).await,
    }
}

/// `POST /contacts/categories/{id}/rename`.
pub async fn submit_rename_category(
    State(state): State<AppState>,
    page: Page,
    WebPath(id): WebPath<i64>,
    CsrfForm(form): CsrfForm<CategoryForm>,
) -> Response {
    let Some(user) = &page.user else {
        return login_redirect("/contacts");
    };
    let id = ContactCategoryId(id);
    match state
        .domain
        .rename_contact_category(user, id, &form.name)
        .await
    {
        Ok(category) => redirect(
            "/contacts",
            Notice::with("contact-category-renamed", category.name),
        ),
        Err(error) => refused_form(&state, &page, id.0.to_string(), form.name, error.into()).await,
    }
}

/// `GET /contacts/categories/{id}/delete`: the confirmation step.
pub async fn confirm_delete_category(
    State(state): State<AppState>,
    page: Page,
    WebPath(id): WebPath<i64>,
) -> Response {
    let Some(user) = &page.user else {
        return login_redirect("/contacts");
    };
    match state
        .domain
        .contact_category(user, ContactCategoryId(id))
        .await
    {
        Ok(category) => state.confirm_page(
            &page,
            ConfirmView::from_catalog(
                page.lang,
                "delete-contact-category",
                &category.name,
                format!("/contacts/categories/{id}/delete"),
                "/contacts".into(),
            ),
        ),
        Err(error) => refusal(&state, &page, error),
    }
}

/// `POST /contacts/categories/{id}/delete`: its contacts go to "Autres
/// contacts".
pub async fn submit_delete_category(
    State(state): State<AppState>,
    page: Page,
    WebPath(id): WebPath<i64>,
    CsrfForm(_form): CsrfForm<CategoryForm>,
) -> Response {
    let Some(user) = &page.user else {
        return login_redirect("/contacts");
    };
    match state
        .domain
        .delete_contact_category(user, ContactCategoryId(id))
        .await
    {
        Ok(category) => redirect(
            "/contacts",
            Notice::with("contact-category-deleted", category.name),
        ),
        Err(error) => refusal(&state, &page, error),
    }
}

/// Where to move a contact: a category id, or empty for "Autres contacts".
#[derive(Debug, Default, Deserialize)]
pub struct MoveForm {
    #[serde(default)]
    category: String,
}

/// The category named by a form's `category` field: empty is "Autres
/// contacts".
pub(super) fn category_choice(raw: &str) -> Result<Option<ContactCategoryId>, AppError> {
    let raw = raw.trim();
    if raw.is_empty() {
        return Ok(None);
    }
    raw.parse::<i64>()
        .map(|id| Some(ContactCategoryId(id)))
        .map_err(|_| AppError::new(StatusCode::BAD_REQUEST, "invalid_choice"))
}

/// The notice after a change that may have left a category empty.
fn emptied_or(emptied: Option<String>, key: &'static str, name: String) -> Notice {
    match emptied {
        Some(category) => Notice::with("contact-category-emptied", category),
        None => Notice::with(key, name),
    }
}

/// `POST /contacts/{id}/move`.
pub async fn submit_move_contact(
    State(state): State<AppState>,
    page: Page,
    WebPath(id): WebPath<i64>,
    CsrfForm(form): CsrfForm<MoveForm>,
) -> Result<Response, Response> {
    let user = signed_in(&page, "/contacts")?;
    let refused = |error: AppError| refusal(&state, &page, error);
    let category = category_choice(&form.category).map_err(refused)?;
    let emptied = state
        .domain
        .move_contact(user, ActorId(id), category)
        .await
        .map_err(|error| refused(error.into()))?;
    let person = person(&state, &page, id).await?;
    Ok(redirect(
        "/contacts",
        emptied_or(emptied, "contact-moved", person.display_name),
    ))
}

/// `GET /contacts/{id}/remove`: the confirmation step.
pub async fn confirm_remove_contact(
    State(state): State<AppState>,
    page: Page,
    WebPath(id): WebPath<i64>,
) -> Result<Response, Response> {
    confirm_person_action(&state, &page, id, ("remove-contact", "remove"), None).await
}

/// `POST /contacts/{id}/remove`: removed on both sides.
pub async fn submit_remove_contact(
    State(state): State<AppState>,
    page: Page,
    WebPath(id): WebPath<i64>,
    CsrfForm(_form): CsrfForm<MoveForm>,
) -> Result<Response, Response> {
    let (user, person) = teacher_and_person(&state, &page, id, "/contacts").await?;
    Ok(match state.domain.remove_contact(user, &person).await {
        Ok(emptied) => redirect(
            "/contacts",
            emptied_or(emptied, "contact-removed", person.display_name),
        ),
        Err(error) => refusal(&state, &page, error),
    })
}
