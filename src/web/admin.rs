//! The admin console: approvals, refusals (with a reason, mailed to the
//! applicant), suspensions (after a confirmation step), CSV export of
//! accounts. After an action the admin is sent back to the list, which
//! says what was done (a notice, see [`super::notice`]).

use super::{
    notice::{self, Notice},
    session::{CsrfForm, Page},
    views::ConfirmView,
};
use crate::extract::WebPath;
use crate::{
    app::AppState,
    domain::rows::{AccountRow, AccountStatus},
    error::AppError,
};
use axum::{
    extract::State,
    http::{header, StatusCode},
    response::{IntoResponse, Response},
};
use serde::Serialize;

/// The admin check's refusal: a page for members, log-in (then back to
/// `next`, an encoded path) for strangers.
pub(super) fn refuse_non_admin_to(state: &AppState, page: &Page, next: &str) -> Option<Response> {
    match &page.user {
        Some(user) if user.is_admin => None,
        Some(_) => Some(state.error_page(page, AppError::new(StatusCode::FORBIDDEN, "forbidden"))),
        None => Some(crate::web::redirect::to(&format!("/login?next={next}"))),
    }
}

fn refuse_non_admin(state: &AppState, page: &Page) -> Option<Response> {
    refuse_non_admin_to(state, page, "%2Fadmin")
}

fn format_date(ms: i64) -> String {
    super::views::date(ms)
}

/// An account in the admin's lists.
#[derive(Serialize)]
struct AccountView<'a> {
    username: &'a str,
    email: &'a str,
    status: &'static str,
    is_admin: bool,
    created: String,
    refused: String,
    refusal_reason: &'a str,
    display_name: &'a str,
    /// What the applicant wrote (sign-ups for approval).
    school: &'a str,
    motivation: &'a str,
}

impl<'a> AccountView<'a> {
    fn of(account: &'a AccountRow) -> AccountView<'a> {
        AccountView {
            username: &account.username,
            email: &account.email,
            status: account.status.as_str(),
            is_admin: account.is_admin,
            created: format_date(account.created_at),
            refused: account.refused_at.map(format_date).unwrap_or_default(),
            refusal_reason: account.refusal_reason.as_deref().unwrap_or(""),
            display_name: &account.display_name,
            school: &account.application_school,
            motivation: &account.application_motivation,
        }
    }
}

/// `admin.html`: accounts waiting for approval, and every account.
#[derive(Serialize)]
struct AdminPage<'a> {
    pending: Vec<AccountView<'a>>,
    refused: Vec<AccountView<'a>>,
    accounts: Vec<AccountView<'a>>,
    error: Option<String>,
}

async fn admin_page(
    state: &AppState,
    page: &Page,
    status: StatusCode,
    error: Option<String>,
) -> Response {
    let Some(admin) = &page.user else {
        return state.error_page(page, AppError::new(StatusCode::FORBIDDEN, "forbidden"));
    };
    let accounts = match state.domain.accounts_for_admin(admin, None).await {
        Ok(accounts) => accounts,
        Err(error) => return state.error_page(page, error),
    };
    let pending = accounts
        .iter()
        .filter(|account| account.status == AccountStatus::PendingApproval)
        .map(AccountView::of)
        .collect();
    let refused = accounts
        .iter()
        .filter(|account| account.status == AccountStatus::Refused)
        .map(AccountView::of)
        .collect();
    let all = accounts.iter().map(AccountView::of).collect();
    state.render_status(
        status,
        page,
        "admin.html",
        &AdminPage {
            pending,
            refused,
            accounts: all,
            error,
        },
    )
}

/// `GET /admin`.
pub async fn show_admin(State(state): State<AppState>, page: Page) -> Response {
    if let Some(refusal) = refuse_non_admin(&state, &page) {
        return refusal;
    }
    admin_page(&state, &page, StatusCode::OK, None).await
}

/// `GET /admin/users/{name}/suspend`: the confirmation step of a
/// suspension.
pub async fn confirm_suspend(
    State(state): State<AppState>,
    page: Page,
    WebPath(name): WebPath<String>,
) -> Response {
    if let Some(refusal) = refuse_non_admin(&state, &page) {
        return refusal;
    }
    let path: String = url::form_urlencoded::byte_serialize(name.as_bytes()).collect();
    state.confirm_page(
        &page,
        ConfirmView::from_catalog(
            page.lang,
            "suspend-account",
            &name,
            format!("/admin/users/{path}/suspend"),
            "/admin".to_string(),
        ),
    )
}

/// The approve and suspend forms carry only their CSRF field.
#[derive(serde::Deserialize)]
pub struct ActionForm {}

/// The refusal form: the reason sent to the applicant.
#[derive(serde::Deserialize)]
pub struct RefuseForm {
    #[serde(default)]
    reason: String,
}

/// What an admin does to an account from the console.
enum AdminAction {
    Approve,
    Refuse(String),
    Suspend,
}

async fn admin_action(state: AppState, page: Page, name: String, action: AdminAction) -> Response {
    if let Some(refusal) = refuse_non_admin(&state, &page) {
        return refusal;
    }
    let (result, done) = match &action {
        AdminAction::Approve => (
            state.domain.approve_account(&name).await,
            "account-approved",
        ),
        AdminAction::Refuse(reason) => (
            state.domain.refuse_account(&name, reason).await,
            "account-refused",
        ),
        AdminAction::Suspend => (
            state.domain.suspend_account(&name).await,
            "account-suspended",
        ),
    };
    match result {
        Ok(account) => notice::redirect("/admin", Notice::with(done, account.username)),
        Err(error) => {
            let error = AppError::from(error);
            let message = state.error_message(page.lang, &error);
            admin_page(&state, &page, error.status, Some(message)).await
        }
    }
}

/// `POST /admin/users/{name}/approve` (also re-activates a suspended account).
pub async fn approve_user(
    State(state): State<AppState>,
    page: Page,
    WebPath(name): WebPath<String>,
    CsrfForm(_): CsrfForm<ActionForm>,
) -> Response {
    admin_action(state, page, name, AdminAction::Approve).await
}

/// `POST /admin/users/{name}/refuse` (field `reason`).
pub async fn refuse_user(
    State(state): State<AppState>,
    page: Page,
    WebPath(name): WebPath<String>,
    CsrfForm(form): CsrfForm<RefuseForm>,
) -> Response {
    admin_action(state, page, name, AdminAction::Refuse(form.reason)).await
}

/// `POST /admin/users/{name}/suspend`.
pub async fn suspend_user(
    State(state): State<AppState>,
    page: Page,
    WebPath(name): WebPath<String>,
    CsrfForm(_): CsrfForm<ActionForm>,
) -> Response {
    admin_action(state, page, name, AdminAction::Suspend).await
}

/// Writes accounts as CSV: username, e-mail, domain, status, admin,
/// created, verified, last log-in (RFC 3339).
pub fn accounts_csv(accounts: &[AccountRow]) -> Result<String, csv::Error> {
    let header = [
        "username",
        "email",
        "email_domain",
        "status",
        "is_admin",
        "created_at",
        "email_verified_at",
        "last_login_at",
    ]
    .map(str::to_string);
    let rfc3339 = |ms: Option<i64>| {
        ms.and_then(chrono::DateTime::from_timestamp_millis)
            .map(|time| time.to_rfc3339())
            .unwrap_or_default()
    };
    let rows = accounts.iter().map(|account| {
        [
            account.username.clone(),
            account.email.clone(),
            account.email_domain.clone(),
            account.status.as_str().to_string(),
            account.is_admin.to_string(),
            rfc3339(Some(account.created_at)),
            rfc3339(account.email_verified_at),
            rfc3339(account.last_login_at),
        ]
    });
    let bytes = super::csv_export::csv_file(std::iter::once(header).chain(rows))?;
    Ok(String::from_utf8_lossy(&bytes).into_owned())
}

/// `GET /admin/users.csv`.
pub async fn export_csv(State(state): State<AppState>, page: Page) -> Response {
    if let Some(refusal) = refuse_non_admin(&state, &page) {
        return refusal;
    }
    let Some(admin) = &page.user else {
        return crate::web::redirect::to("/login?next=%2Fadmin");
    };
    let accounts = match state.domain.accounts_for_admin(admin, None).await {
        Ok(accounts) => accounts,
        Err(error) => return state.error_page(&page, error),
    };
    match accounts_csv(&accounts) {
        Ok(text) => (
            [
                (header::CONTENT_TYPE, "text/csv; charset=utf-8"),
                (
                    header::CONTENT_DISPOSITION,
                    "attachment; filename=\"accounts.csv\"",
                ),
            ],
            text,
        )
            .into_response(),
        Err(error) => state.error_page(&page, AppError::internal(error)),
    }
}
