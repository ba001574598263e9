//! A person's outbox, followers and following collections.
//!
//! Préau records no follows or public activities of people yet (forums and
//! follows come with the federation of forums), so these collections are
//! truthfully empty; they exist because peers such as Mastodon dereference
//! them when they display a profile.

use super::activity_json;
use crate::extract::ApiPath;
use crate::{app::AppState, error::AppError};
use axum::{extract::State, response::Response};
use serde_json::json;

async fn empty_collection(state: &AppState, name: &str, which: &str) -> Response {
    match state.domain.public_person(name).await {
        Ok(Some(person)) => activity_json(&json!({
            "@context": "https://www.w3.org/ns/activitystreams",
            "id": format!("{}/{which}", person.actor.ap_id),
            "type": "OrderedCollection",
            "totalItems": 0,
            "orderedItems": [],
        })),
        Ok(None) => AppError::not_found().into_response_json(),
        Err(error) => AppError::from(error).into_response_json(),
    }
}

/// `GET /users/{name}/outbox`.
pub async fn get_outbox(State(state): State<AppState>, ApiPath(name): ApiPath<String>) -> Response {
    empty_collection(&state, &name, "outbox").await
}

/// `GET /users/{name}/followers`.
pub async fn get_followers(
    State(state): State<AppState>,
    ApiPath(name): ApiPath<String>,
) -> Response {
    empty_collection(&state, &name, "followers").await
}

/// `GET /users/{name}/following`.
pub async fn get_following(
    State(state): State<AppState>,
    ApiPath(name): ApiPath<String>,
) -> Response {
    empty_collection(&state, &name, "following").await
}
