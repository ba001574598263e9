//! Admin actions over the API.

use super::{accounts::account_json, ApiAdmin};
use crate::extract::{ApiPath, ApiQuery};
use crate::{app::AppState, domain::rows::AccountStatus, error::AppError};
use axum::{extract::State, http::StatusCode, Json};
use serde::Deserialize;
use serde_json::{json, Value};

/// Filter of the account list.
#[derive(Deserialize)]
pub struct ListQuery {
    status: Option<String>,
}

/// `GET /api/v1/admin/accounts[?status=pending_approval]`.
pub async fn list_accounts(
    State(state): State<AppState>,
    ApiAdmin(admin): ApiAdmin,
    ApiQuery(query): ApiQuery<ListQuery>,
) -> Result<Json<Value>, AppError> {
    let status = match query.status.as_deref() {
        None | Some("") => None,
        Some("pending_verification") => Some(AccountStatus::PendingVerification),
        Some("pending_approval") => Some(AccountStatus::PendingApproval),
        Some("active") => Some(AccountStatus::Active),
        Some("suspended") => Some(AccountStatus::Suspended),
        Some(other) => {
            return Err(AppError::new(StatusCode::BAD_REQUEST, "invalid_status")
                .with_detail(other.to_string()))
        }
    };
    let base = state.domain.settings.base_url();
    let accounts = state.domain.accounts_for_admin(&admin, status).await?;
    let items: Vec<Value> = accounts
        .iter()
        .map(|account| account_json(account, &base))
        .collect();
    Ok(Json(json!({ "accounts": items })))
}

/// `POST /api/v1/admin/accounts/{name}/approve`.
pub async fn approve_account(
    State(state): State<AppState>,
    _admin: ApiAdmin,
    ApiPath(name): ApiPath<String>,
) -> Result<Json<Value>, AppError> {
    let account = state.domain.approve_account(&name).await?;
    Ok(Json(
        json!({ "account": account_json(&account, &state.domain.settings.base_url()) }),
    ))
}

/// `POST /api/v1/admin/accounts/{name}/suspend`.
pub async fn suspend_account(
    State(state): State<AppState>,
    _admin: ApiAdmin,
    ApiPath(name): ApiPath<String>,
) -> Result<Json<Value>, AppError> {
    let account = state.domain.suspend_account(&name).await?;
    Ok(Json(
        json!({ "account": account_json(&account, &state.domain.settings.base_url()) }),
    ))
}

/// The OpenAPI description of these routes (gathered in [`super::openapi`]).
#[derive(utoipa::OpenApi)]
#[openapi()]
pub struct Doc;
