//! Sign-up, verification and password reset over the API.

use super::{
    schema::{Account, AccountResponse, ErrorBody},
    ApiJson,
};
use crate::{app::AppState, domain::accounts::SignupInput, error::AppError, i18n::Lang};
use axum::{
    extract::{ConnectInfo, State},
    http::StatusCode,
    Json,
};
use serde::{Deserialize, Serialize};
use std::net::SocketAddr;
use utoipa::ToSchema;

/// `POST /api/v1/accounts` body.
#[derive(Deserialize, ToSchema)]
pub struct CreateAccount {
    /// 2–30 characters among `a-z 0-9 _`, starting with a letter.
    username: String,
    /// The e-mail address, in an allowed domain when the instance restricts them.
    email: String,
    /// 10 to 256 characters.
    password: String,
    /// At most 80 characters; the username when empty.
    #[serde(default)]
    display_name: String,
    /// Must be `true`: the charter at `/about/charter`.
    #[serde(default)]
    accept_charter: bool,
    /// School or organisation: required (at most 120 characters) where
    /// sign-ups wait for an admin's approval, ignored elsewhere.
    #[serde(default)]
    school: String,
    /// Why you join: required (at most 1000 characters) where sign-ups
    /// wait for an admin's approval, ignored elsewhere.
    #[serde(default)]
    motivation: String,
    /// `fr` or `en`: the language of the verification e-mail.
    #[serde(default)]
    locale: Option<String>,
}

/// The answer to a sign-up.
#[derive(Serialize, ToSchema)]
pub struct Signup {
    /// The account, in status `pending_verification`.
    pub account: Account,
    /// Whether the mail (verification, or notice to the address's owner) went out.
    pub verification_mail_sent: bool,
}

/// `POST /api/v1/accounts`: signs up; 201 with the account (pending
/// verification). A verification mail is sent. An address that already
/// has an account gets the same answer; its owner is told by mail.
#[utoipa::path(
    post,
    path = "/accounts",
    tag = "accounts",
    request_body = CreateAccount,
    responses(
        (status = 201, description = "Signed up, pending verification", body = Signup),
        (status = 403, description = "`registrations_closed`", body = ErrorBody),
        (status = 422, description = "A field breaks its rule", body = ErrorBody),
        (status = 429, description = "`rate_limited`", body = ErrorBody),
    ),
)]
pub async fn create_account(
    State(state): State<AppState>,
    connect: ConnectInfo<SocketAddr>,
    ApiJson(body): ApiJson<CreateAccount>,
) -> Result<(StatusCode, Json<Signup>), AppError> {
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
            school: body.school,
            motivation: body.motivation,
            lang,
        })
        .await?;
    Ok((
        StatusCode::CREATED,
        Json(Signup {
            account: Account::from_receipt(&outcome.receipt, &state.domain.settings.base_url()),
            verification_mail_sent: outcome.verification_sent,
        }),
    ))
}

/// A body with a token.
#[derive(Deserialize, ToSchema)]
pub struct TokenBody {
    /// The token of the e-mailed link.
    token: String,
}

/// `POST /api/v1/accounts/verify`: consumes the e-mailed token.
#[utoipa::path(
    post,
    path = "/accounts/verify",
    tag = "accounts",
    request_body = TokenBody,
    responses(
        (status = 200, description = "Verified", body = AccountResponse),
        (status = 400, description = "`invalid_token`", body = ErrorBody),
    ),
)]
pub async fn verify_account(
    State(state): State<AppState>,
    ApiJson(body): ApiJson<TokenBody>,
) -> Result<Json<AccountResponse>, AppError> {
    let account = state.domain.verify_email(&body.token).await?;
    Ok(Json(AccountResponse {
        account: Account::new(&account, &state.domain.settings.base_url()),
    }))
}

/// A body with an e-mail address.
#[derive(Deserialize, ToSchema)]
pub struct EmailBody {
    /// The e-mail address.
    email: String,
}

/// `POST /api/v1/accounts/resend-verification`: 202 whether or not the
/// address is known.
#[utoipa::path(
    post,
    path = "/accounts/resend-verification",
    tag = "accounts",
    request_body = EmailBody,
    responses(
        (status = 202, description = "Accepted, empty body"),
        (status = 422, description = "`invalid_email`", body = ErrorBody),
        (status = 429, description = "`rate_limited`", body = ErrorBody),
    ),
)]
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
#[utoipa::path(
    post,
    path = "/password/forgot",
    tag = "accounts",
    request_body = EmailBody,
    responses(
        (status = 202, description = "Accepted, empty body"),
        (status = 422, description = "`invalid_email`", body = ErrorBody),
        (status = 429, description = "`rate_limited`", body = ErrorBody),
    ),
)]
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
#[derive(Deserialize, ToSchema)]
pub struct ResetBody {
    /// The token of the e-mailed link.
    token: String,
    /// The new password, 10 to 256 characters.
    password: String,
}

/// `POST /api/v1/password/reset`: sets the password, ends all sessions.
#[utoipa::path(
    post,
    path = "/password/reset",
    tag = "accounts",
    request_body = ResetBody,
    responses(
        (status = 200, description = "Password set, every session ended", body = AccountResponse),
        (status = 400, description = "`invalid_token`", body = ErrorBody),
        (status = 422, description = "`password_too_short`, `password_too_long`", body = ErrorBody),
    ),
)]
pub async fn reset_password(
    State(state): State<AppState>,
    ApiJson(body): ApiJson<ResetBody>,
) -> Result<Json<AccountResponse>, AppError> {
    let account = state
        .domain
        .reset_password(&body.token, &body.password)
        .await?;
    Ok(Json(AccountResponse {
        account: Account::new(&account, &state.domain.settings.base_url()),
    }))
}

/// The OpenAPI description of these routes (gathered in [`super::openapi`]).
#[derive(utoipa::OpenApi)]
#[openapi(
    paths(
        create_account,
        verify_account,
        resend_verification,
        forgot_password,
        reset_password
    ),
    components(schemas(
        Account,
        AccountResponse,
        Signup,
        CreateAccount,
        TokenBody,
        EmailBody,
        ResetBody
    ))
)]
pub struct Doc;
