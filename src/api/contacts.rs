//! Contacts over the API: ask a teacher (here or elsewhere) to be a
//! contact, answer a request, and the caller's contact lists (also part
//! of `GET /api/v1/me/requests`).

use super::{
    schema::{rfc3339, ErrorBody, Person},
    ApiJson, ApiUser,
};
use crate::extract::ApiPath;
use crate::{
    app::AppState,
    domain::{
        rows::{ActorId, ContactView},
        trust::Labeller,
    },
    error::AppError,
    web::projects::resolve_actor,
};
use activitypub_federation::config::Data;
use axum::{extract::State, http::StatusCode, Json};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// A contact request or a contact: the other person, and since when.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ContactEntry {
    /// The other person.
    pub person: Person,
    /// When it was asked, RFC 3339.
    pub since: Option<String>,
}

/// The caller's contact requests received and sent, and contacts.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ContactLists {
    /// Requests waiting for the caller's answer.
    pub received: Vec<ContactEntry>,
    /// The caller's requests waiting for an answer.
    pub sent: Vec<ContactEntry>,
    /// Accepted contacts.
    pub contacts: Vec<ContactEntry>,
}

/// The entries of a list (the domain lists each person once).
fn listed(views: &[ContactView], labels: &Labeller<'_>) -> Vec<ContactEntry> {
    views
        .iter()
        .map(|view| ContactEntry {
            person: Person::new(&view.person, labels),
            since: rfc3339(view.since),
        })
        .collect()
}

impl ContactLists {
    /// The lists of the person `me`.
    pub async fn of(
        state: &AppState,
        me: ActorId,
        labels: &Labeller<'_>,
    ) -> Result<ContactLists, AppError> {
        let lists = state.domain.contact_lists(me).await?;
        Ok(ContactLists {
            received: listed(&lists.received, labels),
            sent: listed(&lists.sent, labels),
            contacts: listed(&lists.contacts, labels),
        })
    }
}

/// The answer to a contact request sent.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ContactRequested {
    /// The person asked.
    pub person: Person,
    /// Always `requested`.
    pub state: String,
}

/// `POST /api/v1/contacts` body.
#[derive(Deserialize, ToSchema)]
pub struct ContactRequest {
    /// A local name, `name@domain` or an actor URL.
    handle: String,
}

/// `POST /api/v1/contacts`: ask the teacher `handle` to be a contact.
#[utoipa::path(
    post,
    path = "/contacts",
    tag = "contacts",
    security(("bearer" = [])),
    request_body = ContactRequest,
    responses(
        (status = 202, description = "Asked", body = ContactRequested),
        (status = 400, description = "`invalid_json`, `invalid_handle`", body = ErrorBody),
        (status = 401, description = "`unauthorized`", body = ErrorBody),
        (status = 404, description = "`not_found`, `handle_unknown`", body = ErrorBody),
        (status = 409, description = "`already_contact`, `contact_already_requested`", body = ErrorBody),
        (status = 422, description = "`not_a_person`, `contact_self`", body = ErrorBody),
        (status = 502, description = "`host_unreachable`, `lookup_failed`", body = ErrorBody),
    ),
)]
pub async fn request_contact(
    data: Data<AppState>,
    user: ApiUser,
    ApiJson(body): ApiJson<ContactRequest>,
) -> Result<(StatusCode, Json<ContactRequested>), AppError> {
    let target = resolve_actor(&data, &body.handle).await?;
    data.domain.request_contact(&user.account, &target).await?;
    let labels = data.domain.labeller().await?;
    Ok((
        StatusCode::ACCEPTED,
        Json(ContactRequested {
            person: Person::new(&target, &labels),
            state: "requested".to_string(),
        }),
    ))
}

/// `POST /api/v1/contacts/{id}/answer` body.
#[derive(Deserialize, ToSchema)]
pub struct ContactAnswer {
    /// Accept or decline.
    accept: bool,
}

/// `POST /api/v1/contacts/{id}/answer`: accept or decline the request of
/// the person `id` (as listed in `received`).
#[utoipa::path(
    post,
    path = "/contacts/{id}/answer",
    tag = "contacts",
    security(("bearer" = [])),
    params(("id" = i64, Path, description = "The requester's local `id`")),
    request_body = ContactAnswer,
    responses(
        (status = 200, description = "The caller's contact lists", body = ContactLists),
        (status = 400, description = "`invalid_json`", body = ErrorBody),
        (status = 401, description = "`unauthorized`", body = ErrorBody),
        (status = 404, description = "`not_found`", body = ErrorBody),
        (status = 409, description = "`no_contact_request`", body = ErrorBody),
    ),
)]
pub async fn answer_contact(
    State(state): State<AppState>,
    user: ApiUser,
    ApiPath(id): ApiPath<i64>,
    ApiJson(body): ApiJson<ContactAnswer>,
) -> Result<Json<ContactLists>, AppError> {
    let requester = state.domain.actor_by_id(ActorId(id)).await?;
    state
        .domain
        .answer_contact(&user.account, &requester, body.accept)
        .await?;
    let labels = state.domain.labeller().await?;
    Ok(Json(
        ContactLists::of(&state, user.account.actor_id, &labels).await?,
    ))
}

/// The OpenAPI description of these routes (gathered in [`super::openapi`]).
#[derive(utoipa::OpenApi)]
#[openapi(
    paths(request_contact, answer_contact),
    components(schemas(
        ContactEntry,
        ContactLists,
        ContactRequested,
        ContactRequest,
        ContactAnswer
    ))
)]
pub struct Doc;
