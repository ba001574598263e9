//! The bans of a local forum over the API, for its moderators and the
//! instance's admins: list, ban a person or an instance, lift.

use super::{
    schema::{rfc3339, ErrorBody},
    ApiJson, ApiUser,
};
use crate::extract::ApiPath;
use crate::{
    app::AppState,
    domain::forum_banning::{ban_end, BanRequest, BanTarget},
    error::AppError,
    web::forum_bans::look_up_banned_person,
};
use activitypub_federation::config::Data;
use axum::{extract::State, http::StatusCode, Json};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// A ban in force.
#[derive(Serialize, ToSchema)]
pub struct Ban {
    /// `name@domain` of the banned person, or the banned domain.
    pub who: String,
    /// Whether a whole instance is banned.
    pub instance: bool,
    /// The moderators' reason.
    pub reason: String,
    /// `name@domain` of the moderator who banned, when known.
    pub banned_by: Option<String>,
    /// When it was decided (RFC 3339).
    pub created_at: Option<String>,
    /// When it ends (RFC 3339); absent for good.
    pub expires_at: Option<String>,
}

/// A forum's bans in force.
#[derive(Serialize, ToSchema)]
pub struct BanList {
    /// People first, then instances, newest first.
    pub bans: Vec<Ban>,
}

/// A ban to decide.
#[derive(Deserialize, ToSchema)]
pub struct BanBody {
    /// `name` (local), `name@domain`, a person's URL, or a domain for a
    /// whole instance.
    pub who: String,
    /// Why (up to 500 characters).
    #[serde(default)]
    pub reason: String,
    /// `1d`, `1w`, `1m`, `date` (with `until`) or `forever` (default).
    #[serde(default)]
    pub length: String,
    /// The end date (`YYYY-MM-DD`, UTC) when `length` is `date`.
    #[serde(default)]
    pub until: String,
}

fn handle(name: &str, domain: &str, local: &str) -> String {
    format!("{name}@{}", if domain.is_empty() { local } else { domain })
}

/// `GET /api/v1/forums/{name}/bans`.
#[utoipa::path(
    get,
    path = "/forums/{name}/bans",
    tag = "forums",
    params(("name" = String, Path, description = "A local forum")),
    responses(
        (status = 200, description = "The bans in force", body = BanList),
        (status = 401, description = "`unauthorized`", body = ErrorBody),
        (status = 403, description = "`not_moderator`", body = ErrorBody),
        (status = 404, description = "`not_found`", body = ErrorBody),
        (status = 409, description = "`forum_is_remote`", body = ErrorBody),
    ),
    security(("bearer" = [])),
)]
pub async fn list_bans(
    State(state): State<AppState>,
    user: ApiUser,
    ApiPath(name): ApiPath<String>,
) -> Result<Json<BanList>, AppError> {
    let forum = state.domain.forum_by_path(&name).await?;
    let bans = state.domain.forum_bans(&user.account, &forum).await?;
    let local = state.domain.settings.instance.domain.clone();
    Ok(Json(BanList {
        bans: bans
            .iter()
            .map(|ban| Ban {
                who: if ban.actor_id.is_some() {
                    handle(&ban.name, &ban.domain, &local)
                } else {
                    ban.domain.clone()
                },
                instance: ban.actor_id.is_none(),
                reason: ban.reason.clone(),
                banned_by: ban
                    .by_name
                    .as_deref()
                    .map(|name| handle(name, ban.by_domain.as_deref().unwrap_or(""), &local)),
                created_at: rfc3339(ban.created_at),
                expires_at: ban.expires_at.and_then(rfc3339),
            })
            .collect(),
    }))
}

/// `POST /api/v1/forums/{name}/bans`.
#[utoipa::path(
    post,
    path = "/forums/{name}/bans",
    tag = "forums",
    params(("name" = String, Path, description = "A local forum")),
    request_body = BanBody,
    responses(
        (status = 204, description = "Banned (federated for a person), empty body"),
        (status = 400, description = "`invalid_handle`", body = ErrorBody),
        (status = 422, description = "`field_required`, `field_too_long`, `invalid_choice`, `invalid_date`", body = ErrorBody),
        (status = 401, description = "`unauthorized`", body = ErrorBody),
        (status = 403, description = "`not_moderator`", body = ErrorBody),
        (status = 404, description = "`not_found` (the forum), `person_not_found` (no teacher by this name here, or it names a forum), `handle_unknown` (its instance knows no such name)", body = ErrorBody),
        (status = 502, description = "`host_unreachable` (the person's instance cannot be reached), `lookup_failed`", body = ErrorBody),
        (status = 409, description = "`cannot_ban_moderator`, `cannot_ban_own_instance`, `forum_is_remote`", body = ErrorBody),
    ),
    security(("bearer" = [])),
)]
pub async fn create_ban(
    data: Data<AppState>,
    user: ApiUser,
    ApiPath(name): ApiPath<String>,
    ApiJson(body): ApiJson<BanBody>,
) -> Result<StatusCode, AppError> {
    let state: &AppState = &data;
    let forum = state.domain.forum_by_path(&name).await?;
    let now = state.domain.clock().now_ms();
    let request = BanRequest {
        target: BanTarget::parse(&body.who)?,
        reason: body.reason,
        expires_at: ban_end(&body.length, &body.until, now)?,
    };
    look_up_banned_person(&data, &user.account, &forum, &request.target).await?;
    state
        .domain
        .ban_from_forum(&user.account, &forum, &request)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// `DELETE /api/v1/forums/{name}/bans/{who}`.
#[utoipa::path(
    delete,
    path = "/forums/{name}/bans/{who}",
    tag = "forums",
    params(
        ("name" = String, Path, description = "A local forum"),
        ("who" = String, Path, description = "`name@domain` or a banned domain"),
    ),
    responses(
        (status = 204, description = "Lifted (federated for a person), empty body"),
        (status = 401, description = "`unauthorized`", body = ErrorBody),
        (status = 403, description = "`not_moderator`", body = ErrorBody),
        (status = 404, description = "`not_found` (no such ban)", body = ErrorBody),
    ),
    security(("bearer" = [])),
)]
pub async fn delete_ban(
    State(state): State<AppState>,
    user: ApiUser,
    ApiPath((name, who)): ApiPath<(String, String)>,
) -> Result<StatusCode, AppError> {
    let forum = state.domain.forum_by_path(&name).await?;
    state
        .domain
        .lift_forum_ban(&user.account, &forum, &who)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The OpenAPI description of these routes (gathered in [`super::openapi`]).
#[derive(utoipa::OpenApi)]
#[openapi(
    paths(list_bans, create_ban, delete_ban),
    components(schemas(Ban, BanList, BanBody))
)]
pub struct Doc;
