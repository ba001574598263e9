//! Admin actions over the API.

use super::{
    schema::{Account, AccountResponse, ErrorBody},
    ApiAdmin,
};
use crate::extract::{ApiPath, ApiQuery};
use crate::{app::AppState, domain::rows::AccountStatus, error::AppError};
use axum::{extract::State, http::StatusCode, Json};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

/// Filter of the account list.
#[derive(Deserialize, IntoParams)]
pub struct ListQuery {
    /// `pending_verification`, `pending_approval`, `active`, `suspended`
    /// or `refused`.
    status: Option<String>,
}

/// Every account, in creation order.
#[derive(Serialize, ToSchema)]
pub struct AccountList {
    /// The accounts.
    pub accounts: Vec<Account>,
}

/// `GET /api/v1/admin/accounts[?status=pending_approval]`.
#[utoipa::path(
    get,
    path = "/admin/accounts",
    tag = "admin",
    params(ListQuery),
    responses(
        (status = 200, description = "The accounts", body = AccountList),
        (status = 400, description = "`invalid_status`", body = ErrorBody),
        (status = 401, description = "`unauthorized`", body = ErrorBody),
        (status = 403, description = "`forbidden`: not an admin", body = ErrorBody),
    ),
    security(("bearer" = [])),
)]
pub async fn list_accounts(
    State(state): State<AppState>,
    ApiAdmin(admin): ApiAdmin,
    ApiQuery(query): ApiQuery<ListQuery>,
) -> Result<Json<AccountList>, AppError> {
    let status = match query.status.as_deref() {
        None | Some("") => None,
        Some("pending_verification") => Some(AccountStatus::PendingVerification),
        Some("pending_approval") => Some(AccountStatus::PendingApproval),
        Some("active") => Some(AccountStatus::Active),
        Some("suspended") => Some(AccountStatus::Suspended),
        Some("refused") => Some(AccountStatus::Refused),
        Some(other) => {
            return Err(AppError::new(StatusCode::BAD_REQUEST, "invalid_status")
                .with_detail(other.to_string()))
        }
    };
    let base = state.domain.settings.base_url();
    let accounts = state.domain.accounts_for_admin(&admin, status).await?;
    Ok(Json(AccountList {
        accounts: accounts
            .iter()
            .map(|account| Account::new(account, &base))
            .collect(),
    }))
}

/// `POST /api/v1/admin/accounts/{name}/approve`.
#[utoipa::path(
    post,
    path = "/admin/accounts/{name}/approve",
    tag = "admin",
    params(("name" = String, Path, description = "The username")),
    responses(
        (status = 200, description = "Approved or reactivated", body = AccountResponse),
        (status = 401, description = "`unauthorized`", body = ErrorBody),
        (status = 403, description = "`forbidden`: not an admin", body = ErrorBody),
        (status = 404, description = "`account_not_found`", body = ErrorBody),
        (status = 409, description = "`account_already_active`, `email_not_verified`", body = ErrorBody),
    ),
    security(("bearer" = [])),
)]
pub async fn approve_account(
    State(state): State<AppState>,
    _admin: ApiAdmin,
    ApiPath(name): ApiPath<String>,
) -> Result<Json<AccountResponse>, AppError> {
    let account = state.domain.approve_account(&name).await?;
    Ok(Json(AccountResponse {
        account: Account::new(&account, &state.domain.settings.base_url()),
    }))
}

/// `POST /admin/accounts/{name}/refuse` body.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RefuseSignupInput {
    /// Why (required, at most 2000 characters): sent to the applicant by
    /// mail and kept for the admins.
    pub reason: String,
}

/// `POST /api/v1/admin/accounts/{name}/refuse`: refuses a sign-up waiting
/// for approval; the applicant gets the reason by mail, in their language.
#[utoipa::path(
    post,
    path = "/admin/accounts/{name}/refuse",
    tag = "admin",
    params(("name" = String, Path, description = "The username")),
    request_body = RefuseSignupInput,
    responses(
        (status = 200, description = "Refused; the mail is sent", body = AccountResponse),
        (status = 400, description = "`invalid_json`", body = ErrorBody),
        (status = 401, description = "`unauthorized`", body = ErrorBody),
        (status = 403, description = "`forbidden`: not an admin", body = ErrorBody),
        (status = 404, description = "`account_not_found`", body = ErrorBody),
        (status = 409, description = "`account_already_refused`, `account_already_active`, `account_already_suspended`, `email_not_verified`", body = ErrorBody),
        (status = 422, description = "`field_required`, `field_too_long` (detail `reason`)", body = ErrorBody),
    ),
    security(("bearer" = [])),
)]
pub async fn refuse_account(
    State(state): State<AppState>,
    _admin: ApiAdmin,
    ApiPath(name): ApiPath<String>,
    super::ApiJson(body): super::ApiJson<RefuseSignupInput>,
) -> Result<Json<AccountResponse>, AppError> {
    let account = state.domain.refuse_account(&name, &body.reason).await?;
    Ok(Json(AccountResponse {
        account: Account::new(&account, &state.domain.settings.base_url()),
    }))
}

/// `POST /api/v1/admin/accounts/{name}/suspend`.
#[utoipa::path(
    post,
    path = "/admin/accounts/{name}/suspend",
    tag = "admin",
    params(("name" = String, Path, description = "The username")),
    responses(
        (status = 200, description = "Suspended, every session ended", body = AccountResponse),
        (status = 401, description = "`unauthorized`", body = ErrorBody),
        (status = 403, description = "`forbidden`: not an admin", body = ErrorBody),
        (status = 404, description = "`account_not_found`", body = ErrorBody),
        (status = 409, description = "`account_already_suspended`, `last_admin`", body = ErrorBody),
    ),
    security(("bearer" = [])),
)]
pub async fn suspend_account(
    State(state): State<AppState>,
    _admin: ApiAdmin,
    ApiPath(name): ApiPath<String>,
) -> Result<Json<AccountResponse>, AppError> {
    let account = state.domain.suspend_account(&name).await?;
    Ok(Json(AccountResponse {
        account: Account::new(&account, &state.domain.settings.base_url()),
    }))
}

/// The OpenAPI description of these routes (gathered in [`super::openapi`]).
#[derive(utoipa::OpenApi)]
#[openapi(
    paths(list_accounts, approve_account, refuse_account, suspend_account),
    components(schemas(AccountList, RefuseSignupInput))
)]
pub struct Doc;
