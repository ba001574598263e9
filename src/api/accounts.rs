//! Sign-up, verification and password reset over the API.

use super::ApiJson;
use crate::{
    app::AppState,
    domain::{
        accounts::{SignupInput, SignupReceipt},
        rows::{AccountRow, AccountStatus},
    },
    error::AppError,
    i18n::Lang,
};
use axum::{
    extract::{ConnectInfo, State},
    http::StatusCode,
    Json,
};
use serde::Deserialize;
use serde_json::{json, Value};
use std::net::SocketAddr;

/// The private view of an account, for its owner and admins.
pub fn account_json(account: &AccountRow, base_url: &str) -> Value {
    let iso = |ms: Option<i64>| {
        ms.and_then(chrono::DateTime::from_timestamp_millis)
            .map(|t| t.to_rfc3339())
    };
    json!({
        "username": account.username,
        "display_name": account.display_name,
        "email": account.email,
        "email_domain": account.email_domain,
        "status": account.status.as_str(),
        "is_admin": account.is_admin,
        "locale": account.locale,
        "actor_id": crate::urls::person(base_url, &account.username),
        "created_at": iso(Some(account.created_at)),
        "email_verified_at": iso(account.email_verified_at),
        "last_login_at": iso(account.last_login_at),
    })
}

/// The account a sign-up asked for, in the shape of [`account_json`]: the
/// same whether the address was new or already had an account.
fn receipt_json(receipt: &SignupReceipt, base_url: &str) -> Value {
    json!({
        "username": receipt.username,
        "display_name": receipt.display_name,
        "email": receipt.email,
        "email_domain": receipt.email_domain,
        "status": AccountStatus::PendingVerification.as_str(),
        "is_admin": false,
        "locale": receipt.locale,
        "actor_id": crate::urls::person(base_url, &receipt.username),
        "created_at": chrono::DateTime::from_timestamp_millis(receipt.created_at).map(|t| t.to_rfc3339()),
        "email_verified_at": null,
        "last_login_at": null,
    })
}

/// `POST /api/v1/accounts` body.
#[derive(Deserialize)]
pub struct CreateAccount {
    username: String,
    email: String,
    password: String,
    #[serde(default)]
    display_name: String,
    #[serde(default)]
    accept_charter: bool,
    #[serde(default)]
    locale: Option<String>,
}

/// `POST /api/v1/accounts`: signs up; 201 with the account (pending
/// verification). A verification mail is sent. An address that already
/// has an account gets the same answer; its owner is told by mail.
pub async fn create_account(
    State(state): State<AppState>,
    connect: ConnectInfo<SocketAddr>,
    ApiJson(body): ApiJson<CreateAccount>,
) -> Result<(StatusCode, Json<Value>), AppError> {
    if !state.limits.allow_signup(connect.0.ip()) {
        return Err(AppError::new(StatusCode::TOO_MANY_REQUESTS, "rate_limited"));
    }
    let lang = body
        .locale
        .as_deref()
        .and_then(Lang::parse)
        .unwrap_or_else(|| Lang::from_code(&state.domain.settings.instance.default_language));
    let outcome = state
        .domain
        .sign_up(SignupInput {
            username: body.username,
            email: body.email,
            password: body.password,
            display_name: body.display_name,
            accept_charter: body.accept_charter,
            lang,
        })
        .await?;
    Ok((
        StatusCode::CREATED,
        Json(json!({
            "account": receipt_json(&outcome.receipt, &state.domain.settings.base_url()),
            "verification_mail_sent": outcome.verification_sent,
        })),
    ))
}

/// A body with a token.
#[derive(Deserialize)]
pub struct TokenBody {
    token: String,
}

/// `POST /api/v1/accounts/verify`: consumes the e-mailed token.
pub async fn verify_account(
    State(state): State<AppState>,
    ApiJson(body): ApiJson<TokenBody>,
) -> Result<Json<Value>, AppError> {
    let account = state.domain.verify_email(&body.token).await?;
    Ok(Json(
        json!({ "account": account_json(&account, &state.domain.settings.base_url()) }),
    ))
}

/// A body with an e-mail address.
#[derive(Deserialize)]
pub struct EmailBody {
    email: String,
}

/// `POST /api/v1/accounts/resend-verification`: 202 whether or not the
/// address is known.
pub async fn resend_verification(
    State(state): State<AppState>,
    connect: ConnectInfo<SocketAddr>,
    ApiJson(body): ApiJson<EmailBody>,
) -> Result<StatusCode, AppError> {
    if !state.limits.allow_signup(connect.0.ip()) {
        return Err(AppError::new(StatusCode::TOO_MANY_REQUESTS, "rate_limited"));
    }
    state.domain.resend_verification(&body.email).await?;
    Ok(StatusCode::ACCEPTED)
}

/// `POST /api/v1/password/forgot`: 202 whether or not the address is known.
pub async fn forgot_password(
    State(state): State<AppState>,
    connect: ConnectInfo<SocketAddr>,
    ApiJson(body): ApiJson<EmailBody>,
) -> Result<StatusCode, AppError> {
    if !state.limits.allow_signup(connect.0.ip()) {
        return Err(AppError::new(StatusCode::TOO_MANY_REQUESTS, "rate_limited"));
    }
    state.domain.request_password_reset(&body.email).await?;
    Ok(StatusCode::ACCEPTED)
}

/// `POST /api/v1/password/reset` body.
#[derive(Deserialize)]
pub struct ResetBody {
    token: String,
    password: String,
}

/// `POST /api/v1/password/reset`: sets the password, ends all sessions.
pub async fn reset_password(
    State(state): State<AppState>,
    ApiJson(body): ApiJson<ResetBody>,
) -> Result<Json<Value>, AppError> {
    let account = state
        .domain
        .reset_password(&body.token, &body.password)
        .await?;
    Ok(Json(
        json!({ "account": account_json(&account, &state.domain.settings.base_url()) }),
    ))
}

/// The OpenAPI description of these routes (gathered in [`super::openapi`]).
#[derive(utoipa::OpenApi)]
#[openapi()]
pub struct Doc;
