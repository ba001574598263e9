//! The caller's contacts in categories (seed 004): the list with each
//! contact's state and category, the categories (create, rename, delete),
//! moving a contact, and removing one on both sides.

use super::{
    schema::{rfc3339, ErrorBody, Person},
    ApiJson, ApiUser,
};
use crate::extract::ApiPath;
use crate::{
    app::AppState,
    domain::{
        contact_categories::ContactBook,
        rows::{ContactCategoryId, ContactCategoryRow},
    },
    error::AppError,
    web::projects::resolve_actor,
};
use activitypub_federation::config::Data;
use axum::{extract::State, http::StatusCode, Json};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// A category of the caller's contacts.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ContactCategory {
    /// Its id; `null` for the system category "Autres contacts" (contacts
    /// placed nowhere else: new ones, those of a deleted category).
    pub id: Option<i64>,
    /// The caller's name for it; `null` for "Autres contacts".
    pub name: Option<String>,
    /// How many contacts are in it (requests sent and refused included).
    pub count: usize,
}

impl ContactCategory {
    fn of(row: &ContactCategoryRow, count: usize) -> ContactCategory {
        ContactCategory {
            id: Some(row.id.0),
            name: Some(row.name.clone()),
            count,
        }
    }
}

/// One person of the caller's contact list.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct BookContact {
    /// The other person.
    pub person: Person,
    /// `accepted`, `pending` (asked by the caller, "Invitation en
    /// attente") or `refused` ("Invitation refusée").
    pub state: String,
    /// Its category; `null` for "Autres contacts".
    pub category_id: Option<i64>,
    /// When asked, accepted or refused, RFC 3339.
    pub since: Option<String>,
    /// The contact's presence (`available`, `away`, `busy`): for an
    /// accepted contact whose presence is known only, else `null`.
    pub presence: Option<String>,
}

/// The caller's contact list.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ContactBookBody {
    /// Named categories by name, then "Autres contacts" when it holds
    /// someone.
    pub categories: Vec<ContactCategory>,
    /// Everyone in the list, each once.
    pub contacts: Vec<BookContact>,
}

async fn book_of(state: &AppState, user: &ApiUser) -> Result<ContactBookBody, AppError> {
    let ContactBook {
        categories,
        entries,
    } = state.domain.contact_book(user.account.actor_id).await?;
    let labels = state.domain.labeller().await?;
    let people: Vec<_> = entries.iter().map(|e| e.person.clone()).collect();
    let presences = state
        .domain
        .contact_presences(user.account.actor_id, &people)
        .await?;
    Ok(ContactBookBody {
        categories: categories
            .iter()
            .map(|c| match &c.category {
                Some(row) => ContactCategory::of(row, c.count),
                None => ContactCategory {
                    id: None,
                    name: None,
                    count: c.count,
                },
            })
            .collect(),
        contacts: entries
            .iter()
            .map(|e| BookContact {
                person: Person::new(&e.person, &labels),
                state: e.standing.as_str().to_string(),
                category_id: e.category.map(|c| c.0),
                since: rfc3339(e.since),
                presence: presences.get(&e.person.id).map(|p| p.as_str().to_string()),
            })
            .collect(),
    })
}

/// `GET /api/v1/contacts`: the caller's contacts with their categories
/// and states.
#[utoipa::path(
    get,
    path = "/contacts",
    tag = "contacts",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The contact list", body = ContactBookBody),
        (status = 401, description = "`unauthorized`", body = ErrorBody),
    ),
)]
pub async fn list_contacts(
    State(state): State<AppState>,
    user: ApiUser,
) -> Result<Json<ContactBookBody>, AppError> {
    Ok(Json(book_of(&state, &user).await?))
}

/// A category's name.
#[derive(Deserialize, ToSchema)]
pub struct CategoryBody {
    /// One line, at most 80 characters, not used by another category of
    /// the caller's.
    name: String,
}

/// `POST /api/v1/contact-categories`: a new, empty category.
#[utoipa::path(
    post,
    path = "/contact-categories",
    tag = "contacts",
    security(("bearer" = [])),
    request_body = CategoryBody,
    responses(
        (status = 201, description = "Created", body = ContactCategory),
        (status = 400, description = "`invalid_json`", body = ErrorBody),
        (status = 401, description = "`unauthorized`", body = ErrorBody),
        (status = 422, description = "`field_required`, `field_too_long`, `name_taken` (field `name`)", body = ErrorBody),
    ),
)]
pub async fn create_contact_category(
    State(state): State<AppState>,
    user: ApiUser,
    ApiJson(body): ApiJson<CategoryBody>,
) -> Result<(StatusCode, Json<ContactCategory>), AppError> {
    let row = state
        .domain
        .create_contact_category(&user.account, &body.name)
        .await?;
    Ok((StatusCode::CREATED, Json(ContactCategory::of(&row, 0))))
}

/// `PUT /api/v1/contact-categories/{id}`: renames a category.
#[utoipa::path(
    put,
    path = "/contact-categories/{id}",
    tag = "contacts",
    security(("bearer" = [])),
    params(("id" = i64, Path, description = "The category's `id`")),
    request_body = CategoryBody,
    responses(
        (status = 200, description = "The contact list after the change", body = ContactBookBody),
        (status = 400, description = "`invalid_json`", body = ErrorBody),
        (status = 401, description = "`unauthorized`", body = ErrorBody),
        (status = 404, description = "`not_found` (no such category of the caller's)", body = ErrorBody),
        (status = 422, description = "`field_required`, `field_too_long`, `name_taken` (field `name`)", body = ErrorBody),
    ),
)]
pub async fn rename_contact_category(
    State(state): State<AppState>,
    user: ApiUser,
    ApiPath(id): ApiPath<i64>,
    ApiJson(body): ApiJson<CategoryBody>,
) -> Result<Json<ContactBookBody>, AppError> {
    state
        .domain
        .rename_contact_category(&user.account, ContactCategoryId(id), &body.name)
        .await?;
    Ok(Json(book_of(&state, &user).await?))
}

/// `DELETE /api/v1/contact-categories/{id}`: deletes a category; its
/// contacts move to "Autres contacts".
#[utoipa::path(
    delete,
    path = "/contact-categories/{id}",
    tag = "contacts",
    security(("bearer" = [])),
    params(("id" = i64, Path, description = "The category's `id`")),
    responses(
        (status = 200, description = "The contact list after the change", body = ContactBookBody),
        (status = 401, description = "`unauthorized`", body = ErrorBody),
        (status = 404, description = "`not_found` (no such category of the caller's)", body = ErrorBody),
    ),
)]
pub async fn delete_contact_category(
    State(state): State<AppState>,
    user: ApiUser,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<ContactBookBody>, AppError> {
    state
        .domain
        .delete_contact_category(&user.account, ContactCategoryId(id))
        .await?;
    Ok(Json(book_of(&state, &user).await?))
}

/// Where to put a contact.
#[derive(Deserialize, ToSchema)]
pub struct PlacementBody {
    /// A category `id` of the caller's; `null` for "Autres contacts".
    category_id: Option<i64>,
}

/// What a move or a removal changed besides.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ContactChange {
    /// The category this left empty, which was deleted; `null` if none.
    pub emptied_category: Option<String>,
    /// The contact list after the change.
    pub book: ContactBookBody,
}

/// `PUT /api/v1/contacts/{handle}/category`: moves a contact.
#[utoipa::path(
    put,
    path = "/contacts/{handle}/category",
    tag = "contacts",
    security(("bearer" = [])),
    params(("handle" = String, Path, description = "`name@domain` (or a local name)")),
    request_body = PlacementBody,
    responses(
        (status = 200, description = "Moved", body = ContactChange),
        (status = 400, description = "`invalid_json`, `invalid_handle`", body = ErrorBody),
        (status = 401, description = "`unauthorized`", body = ErrorBody),
        (status = 404, description = "`not_found` (no such category), `handle_unknown`", body = ErrorBody),
        (status = 409, description = "`not_a_contact`", body = ErrorBody),
        (status = 502, description = "`host_unreachable`, `lookup_failed`", body = ErrorBody),
    ),
)]
pub async fn move_contact(
    data: Data<AppState>,
    user: ApiUser,
    ApiPath(handle): ApiPath<String>,
    ApiJson(body): ApiJson<PlacementBody>,
) -> Result<Json<ContactChange>, AppError> {
    let person = resolve_actor(&data, &handle).await?;
    let emptied_category = data
        .domain
        .move_contact(
            &user.account,
            person.id,
            body.category_id.map(ContactCategoryId),
        )
        .await?;
    Ok(Json(ContactChange {
        emptied_category,
        book: book_of(&data, &user).await?,
    }))
}

/// `DELETE /api/v1/contacts/{handle}`: removes a contact (or a request
/// sent, or a refused one) on both sides; the other instance is told.
#[utoipa::path(
    delete,
    path = "/contacts/{handle}",
    tag = "contacts",
    security(("bearer" = [])),
    params(("handle" = String, Path, description = "`name@domain` (or a local name)")),
    responses(
        (status = 200, description = "Removed", body = ContactChange),
        (status = 400, description = "`invalid_handle`", body = ErrorBody),
        (status = 401, description = "`unauthorized`", body = ErrorBody),
        (status = 404, description = "`handle_unknown`", body = ErrorBody),
        (status = 409, description = "`not_a_contact`", body = ErrorBody),
        (status = 502, description = "`host_unreachable`, `lookup_failed`", body = ErrorBody),
    ),
)]
pub async fn remove_contact(
    data: Data<AppState>,
    user: ApiUser,
    ApiPath(handle): ApiPath<String>,
) -> Result<Json<ContactChange>, AppError> {
    let person = resolve_actor(&data, &handle).await?;
    let emptied_category = data.domain.remove_contact(&user.account, &person).await?;
    Ok(Json(ContactChange {
        emptied_category,
        book: book_of(&data, &user).await?,
    }))
}

/// The OpenAPI description of these routes (gathered in [`super::openapi`]).
#[derive(utoipa::OpenApi)]
#[openapi(
    paths(
        list_contacts,
        create_contact_category,
        rename_contact_category,
        delete_contact_category,
        move_contact,
        remove_contact
    ),
    components(schemas(
        ContactCategory,
        BookContact,
        ContactBookBody,
        CategoryBody,
        PlacementBody,
        ContactChange
    ))
)]
pub struct Doc;
