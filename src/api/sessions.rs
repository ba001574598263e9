//! Log-in and log-out over the API.

use super::{
    schema::{Account, ErrorBody},
    ApiJson, ApiUser,
};
use crate::{app::AppState, error::AppError};
use axum::{
    extract::{ConnectInfo, State},
    http::StatusCode,
    Json,
};
use serde::{Deserialize, Serialize};
use std::net::SocketAddr;
use utoipa::ToSchema;

/// `POST /api/v1/sessions` body.
#[derive(Deserialize, ToSchema)]
pub struct LoginBody {
    /// Username or e-mail address.
    login: String,
    /// The password.
    password: String,
}

/// A new session: the bearer token and its account.
#[derive(Serialize, ToSchema)]
pub struct Session {
    /// The token to send as `Authorization: Bearer TOKEN`.
    pub token: String,
    /// Always `Bearer`.
    pub token_type: String,
    /// The account logged in.
    pub account: Account,
}

/// `POST /api/v1/sessions`: 201 with `{token, account}`.
#[utoipa::path(
    post,
    path = "/sessions",
    tag = "sessions",
    request_body = LoginBody,
    responses(
        (status = 201, description = "Logged in", body = Session),
        (status = 401, description = "`invalid_credentials`", body = ErrorBody),
        (status = 403, description = "`email_not_verified`, `account_pending_approval`, `account_suspended`", body = ErrorBody),
        (status = 429, description = "`rate_limited`", body = ErrorBody),
    ),
)]
pub async fn create_session(
    State(state): State<AppState>,
    connect: ConnectInfo<SocketAddr>,
    ApiJson(body): ApiJson<LoginBody>,
) -> Result<(StatusCode, Json<Session>), AppError> {
    if !state.limits.allow_login(connect.0.ip()) {
        return Err(AppError::new(StatusCode::TOO_MANY_REQUESTS, "rate_limited"));
    }
    let (account, token) = state.domain.log_in(&body.login, &body.password).await?;
    Ok((
        StatusCode::CREATED,
        Json(Session {
            token,
            token_type: "Bearer".to_string(),
            account: Account::new(&account, &state.domain.settings.base_url()),
        }),
    ))
}

/// `DELETE /api/v1/sessions/current`: ends the session of the token used.
#[utoipa::path(
    delete,
    path = "/sessions/current",
    tag = "sessions",
    responses(
        (status = 204, description = "Logged out, empty body"),
        (status = 401, description = "`unauthorized`", body = ErrorBody),
    ),
    security(("bearer" = [])),
)]
pub async fn delete_session(
    State(state): State<AppState>,
    user: ApiUser,
) -> Result<StatusCode, AppError> {
    state.domain.log_out(&user.token).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The OpenAPI description of these routes (gathered in [`super::openapi`]).
#[derive(utoipa::OpenApi)]
#[openapi(
    paths(create_session, delete_session),
    components(schemas(Session, LoginBody))
)]
pub struct Doc;
