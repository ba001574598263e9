//! Log-in and log-out over the API.

use super::{accounts::account_json, ApiJson, ApiUser};
use crate::{app::AppState, error::AppError};
use axum::{
    extract::{ConnectInfo, State},
    http::StatusCode,
    Json,
};
use serde::Deserialize;
use serde_json::{json, Value};
use std::net::SocketAddr;

/// `POST /api/v1/sessions` body.
#[derive(Deserialize)]
pub struct LoginBody {
    /// Username or e-mail address.
    login: String,
    password: String,
}

/// `POST /api/v1/sessions`: 201 with `{token, account}`.
pub async fn create_session(
    State(state): State<AppState>,
    connect: ConnectInfo<SocketAddr>,
    ApiJson(body): ApiJson<LoginBody>,
) -> Result<(StatusCode, Json<Value>), AppError> {
    if !state.limits.allow_login(connect.0.ip()) {
        return Err(AppError::new(StatusCode::TOO_MANY_REQUESTS, "rate_limited"));
    }
    let (account, token) = state.domain.log_in(&body.login, &body.password).await?;
    Ok((
        StatusCode::CREATED,
        Json(json!({
            "token": token,
            "token_type": "Bearer",
            "account": account_json(&account, &state.domain.settings.base_url()),
        })),
    ))
}

/// `DELETE /api/v1/sessions/current`: ends the session of the token used.
pub async fn delete_session(
    State(state): State<AppState>,
    user: ApiUser,
) -> Result<StatusCode, AppError> {
    state.domain.log_out(&user.token).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The OpenAPI description of these routes (gathered in [`super::openapi`]).
#[derive(utoipa::OpenApi)]
#[openapi()]
pub struct Doc;
