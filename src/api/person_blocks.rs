//! Blocking people and choosing one's presence over the API: the caller's
//! blocked people, blocking and unblocking a person (here or elsewhere),
//! and `PUT /me/presence`.

use super::{
    schema::{rfc3339, ErrorBody, Person},
    ApiJson, ApiUser,
};
use crate::extract::ApiPath;
use crate::{app::AppState, error::AppError, web::projects::resolve_actor};
use activitypub_federation::config::Data;
use axum::{extract::State, Json};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// A person the caller blocked.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct BlockedPerson {
    /// The person.
    pub person: Person,
    /// When blocked, RFC 3339.
    pub since: Option<String>,
}

/// The people the caller blocked, last blocked first.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct BlockList {
    /// Everyone blocked.
    pub blocked: Vec<BlockedPerson>,
}

async fn blocks_of(state: &AppState, user: &ApiUser) -> Result<BlockList, AppError> {
    let people = state.domain.blocked_people(user.account.actor_id).await?;
    let labels = state.domain.labeller().await?;
    Ok(BlockList {
        blocked: people
            .iter()
            .map(|view| BlockedPerson {
                person: Person::new(&view.person, &labels),
                since: rfc3339(view.since),
            })
            .collect(),
    })
}

/// `GET /api/v1/blocks`: the people the caller blocked.
#[utoipa::path(
    get,
    path = "/blocks",
    tag = "contacts",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The people blocked", body = BlockList),
        (status = 401, description = "`unauthorized`", body = ErrorBody),
    ),
)]
pub async fn list_blocks(
    State(state): State<AppState>,
    user: ApiUser,
) -> Result<Json<BlockList>, AppError> {
    Ok(Json(blocks_of(&state, &user).await?))
}

/// `POST /api/v1/blocks/{handle}`: blocks a person; a contact or request
/// between them ends on both sides.
#[utoipa::path(
    post,
    path = "/blocks/{handle}",
    tag = "contacts",
    security(("bearer" = [])),
    params(("handle" = String, Path, description = "`name@domain` (or a local name)")),
    responses(
        (status = 200, description = "Blocked: the people blocked now", body = BlockList),
        (status = 400, description = "`invalid_handle`", body = ErrorBody),
        (status = 401, description = "`unauthorized`", body = ErrorBody),
        (status = 404, description = "`handle_unknown`", body = ErrorBody),
        (status = 409, description = "`already_blocked`", body = ErrorBody),
        (status = 422, description = "`not_a_person`, `block_self`", body = ErrorBody),
        (status = 502, description = "`host_unreachable`, `lookup_failed`", body = ErrorBody),
    ),
)]
pub async fn block_person(
    data: Data<AppState>,
    user: ApiUser,
    ApiPath(handle): ApiPath<String>,
) -> Result<Json<BlockList>, AppError> {
    let person = resolve_actor(&data, &handle).await?;
    data.domain.block_person(&user.account, &person).await?;
    Ok(Json(blocks_of(&data, &user).await?))
}

/// `DELETE /api/v1/blocks/{handle}`: lifts a block.
#[utoipa::path(
    delete,
    path = "/blocks/{handle}",
    tag = "contacts",
    security(("bearer" = [])),
    params(("handle" = String, Path, description = "`name@domain` (or a local name)")),
    responses(
        (status = 200, description = "Unblocked: the people blocked now", body = BlockList),
        (status = 400, description = "`invalid_handle`", body = ErrorBody),
        (status = 401, description = "`unauthorized`", body = ErrorBody),
        (status = 404, description = "`handle_unknown`", body = ErrorBody),
        (status = 409, description = "`not_blocked`", body = ErrorBody),
        (status = 502, description = "`host_unreachable`, `lookup_failed`", body = ErrorBody),
    ),
)]
pub async fn unblock_person(
    data: Data<AppState>,
    user: ApiUser,
    ApiPath(handle): ApiPath<String>,
) -> Result<Json<BlockList>, AppError> {
    let person = resolve_actor(&data, &handle).await?;
    data.domain.unblock_person(&user.account, &person).await?;
    Ok(Json(blocks_of(&data, &user).await?))
}

/// `PUT /api/v1/me/presence` body.
#[derive(Deserialize, ToSchema)]
pub struct PresenceBody {
    /// `available` (Disponible), `away` (Absent) or `busy` (Ne pas
    /// déranger).
    status: String,
}

/// The caller's presence.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct OwnPresence {
    /// What the caller chose: `available`, `away` or `busy`.
    pub status: String,
}

/// `PUT /api/v1/me/presence`: chooses the caller's status, shown to their
/// accepted contacts only.
#[utoipa::path(
    put,
    path = "/me/presence",
    tag = "contacts",
    security(("bearer" = [])),
    request_body = PresenceBody,
    responses(
        (status = 200, description = "Chosen", body = OwnPresence),
        (status = 400, description = "`invalid_json`", body = ErrorBody),
        (status = 401, description = "`unauthorized`", body = ErrorBody),
        (status = 422, description = "`invalid_choice` (field `status`)", body = ErrorBody),
    ),
)]
pub async fn put_presence(
    State(state): State<AppState>,
    user: ApiUser,
    ApiJson(body): ApiJson<PresenceBody>,
) -> Result<Json<OwnPresence>, AppError> {
    let status = state
        .domain
        .set_presence(user.account.actor_id, &body.status)
        .await?;
    Ok(Json(OwnPresence {
        status: status.as_str().to_string(),
    }))
}

/// The OpenAPI description of these routes (gathered in [`super::openapi`]).
#[derive(utoipa::OpenApi)]
#[openapi(
    paths(list_blocks, block_person, unblock_person, put_presence),
    components(schemas(BlockedPerson, BlockList, PresenceBody, OwnPresence))
)]
pub struct Doc;
