//! Contacts over the API: ask a teacher (here or elsewhere) to be a
//! contact, answer a request, and the caller's contact lists (also part
//! of `GET /api/v1/me/requests`).

use super::{projects::person_json, ApiJson, ApiUser};
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
use serde::Deserialize;
use serde_json::{json, Value};

fn listed(views: &[ContactView], labels: &Labeller<'_>) -> Vec<Value> {
    let mut seen: Vec<ActorId> = Vec::new();
    views
        .iter()
        .filter(|view| {
            let new = !seen.contains(&view.person.id);
            seen.push(view.person.id);
            new
        })
        .map(|view| {
            json!({ "person": person_json(&view.person, labels), "since": super::projects::iso(view.since) })
        })
        .collect()
}

/// The caller's contact requests received and sent, and contacts.
pub async fn contact_lists(
    state: &AppState,
    me: ActorId,
    labels: &Labeller<'_>,
) -> Result<Value, AppError> {
    let lists = state.domain.contact_lists(me).await?;
    Ok(json!({
        "received": listed(&lists.received, labels),
        "sent": listed(&lists.sent, labels),
        "contacts": listed(&lists.contacts, labels),
    }))
}

/// `POST /api/v1/contacts` body.
#[derive(Deserialize)]
pub struct ContactBody {
    handle: String,
}

/// `POST /api/v1/contacts`: ask the teacher `handle` to be a contact.
pub async fn request_contact(
    data: Data<AppState>,
    user: ApiUser,
    ApiJson(body): ApiJson<ContactBody>,
) -> Result<(StatusCode, Json<Value>), AppError> {
    let target = resolve_actor(&data, &body.handle).await?;
    data.domain.request_contact(&user.account, &target).await?;
    let labels = data.domain.labeller().await?;
    Ok((
        StatusCode::ACCEPTED,
        Json(json!({ "person": person_json(&target, &labels), "state": "requested" })),
    ))
}

/// `POST /api/v1/contacts/{actor_id}/answer` body.
#[derive(Deserialize)]
pub struct ContactAnswer {
    accept: bool,
}

/// `POST /api/v1/contacts/{actor_id}/answer`: accept or decline the
/// request of the person `actor_id` (as listed in `received`).
pub async fn answer_contact(
    State(state): State<AppState>,
    user: ApiUser,
    ApiPath(id): ApiPath<i64>,
    ApiJson(body): ApiJson<ContactAnswer>,
) -> Result<Json<Value>, AppError> {
    let requester = state.domain.actor_by_id(ActorId(id)).await?;
    state
        .domain
        .answer_contact(&user.account, &requester, body.accept)
        .await?;
    let labels = state.domain.labeller().await?;
    Ok(Json(
        contact_lists(&state, user.account.actor_id, &labels).await?,
    ))
}

/// The OpenAPI description of these routes (gathered in [`super::openapi`]).
#[derive(utoipa::OpenApi)]
#[openapi()]
pub struct Doc;
