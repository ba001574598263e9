//! The JSON API under `/api/v1`, documented in docs/api.md.
//!
//! Clients authenticate with `Authorization: Bearer TOKEN` (from
//! `POST /api/v1/sessions`); cookies are ignored here, so API requests
//! need no CSRF token. Errors are `{"error": {"code", "message"}}` with a
//! stable snake_case code.

pub mod accounts;
pub mod admin;
pub mod contacts;
pub mod directory;
pub mod forums;
pub mod instance;
pub mod openapi;
pub mod profiles;
pub mod project_content;
pub mod projects;
pub mod schema;
pub mod sessions;

pub use crate::extract::{ApiPath, ApiQuery};

use crate::{app::AppState, domain::rows::AccountRow, error::AppError};
use axum::{
    extract::{
        rejection::JsonRejection, FromRequest, FromRequestParts, OptionalFromRequestParts, Request,
    },
    http::{header, request::Parts, StatusCode},
    routing::{delete, get, post},
    Router,
};
use serde::de::DeserializeOwned;

/// A JSON body; malformed bodies get a stable error code, and text holding
/// U+0000 is refused with `400 invalid_text` before the handler runs.
pub struct ApiJson<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for ApiJson<T> {
    type Rejection = AppError;

    async fn from_request(request: Request, state: &S) -> Result<Self, Self::Rejection> {
        // Read into a document first so that every string, at any depth and
        // whatever `T` keeps of it, is checked.
        match axum::Json::<serde_json::Value>::from_request(request, state).await {
            Ok(axum::Json(document)) => {
                if crate::extract::json_has_nul(&document) {
                    return Err(crate::extract::invalid_text("body"));
                }
                serde_json::from_value(document)
                    .map(ApiJson)
                    .map_err(|error| {
                        AppError::new(StatusCode::BAD_REQUEST, "invalid_json")
                            .with_detail(error.to_string())
                    })
            }
            Err(JsonRejection::MissingJsonContentType(_)) => Err(AppError::new(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "invalid_json",
            )
            .with_detail("Content-Type must be application/json")),
            Err(JsonRejection::BytesRejection(_)) => Err(AppError::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                "payload_too_large",
            )),
            Err(rejection) => Err(AppError::new(StatusCode::BAD_REQUEST, "invalid_json")
                .with_detail(rejection.body_text())),
        }
    }
}

/// The account behind a bearer token.
pub struct ApiUser {
    /// The active account.
    pub account: AccountRow,
    /// The token, to end the session.
    pub token: String,
}

impl FromRequestParts<AppState> for ApiUser {
    type Rejection = AppError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let token = parts
            .headers
            .get(header::AUTHORIZATION)
            .and_then(|value| value.to_str().ok())
            .and_then(|value| value.strip_prefix("Bearer "))
            .map(str::trim)
            .filter(|token| !token.is_empty())
            .ok_or_else(|| AppError::new(StatusCode::UNAUTHORIZED, "unauthorized"))?;
        let account = state
            .domain
            .session_account(token)
            .await?
            .ok_or_else(|| AppError::new(StatusCode::UNAUTHORIZED, "unauthorized"))?;
        Ok(ApiUser {
            account,
            token: token.to_string(),
        })
    }
}

/// An optional bearer token: `None` without an `Authorization` header; a
/// header with a bad token is still refused with `401 unauthorized`.
impl OptionalFromRequestParts<AppState> for ApiUser {
    type Rejection = AppError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Option<Self>, Self::Rejection> {
        if !parts.headers.contains_key(header::AUTHORIZATION) {
            return Ok(None);
        }
        <ApiUser as FromRequestParts<AppState>>::from_request_parts(parts, state)
            .await
            .map(Some)
    }
}

/// An admin behind a bearer token.
pub struct ApiAdmin(pub AccountRow);

impl FromRequestParts<AppState> for ApiAdmin {
    type Rejection = AppError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let user =
            <ApiUser as FromRequestParts<AppState>>::from_request_parts(parts, state).await?;
        if !user.account.is_admin {
            return Err(AppError::new(StatusCode::FORBIDDEN, "forbidden"));
        }
        Ok(ApiAdmin(user.account))
    }
}

/// The API routes, nested under `/api/v1`.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/openapi.json", get(openapi::get_openapi))
        .route("/instance", get(instance::get_instance))
        .route("/accounts", post(accounts::create_account))
        .route("/accounts/verify", post(accounts::verify_account))
        .route(
            "/accounts/resend-verification",
            post(accounts::resend_verification),
        )
        .route("/password/forgot", post(accounts::forgot_password))
        .route("/password/reset", post(accounts::reset_password))
        .route("/sessions", post(sessions::create_session))
        .route("/sessions/current", delete(sessions::delete_session))
        .route("/me", get(profiles::get_me))
        .route(
            "/me/profile",
            axum::routing::put(profiles::update_my_profile),
        )
        .route("/profiles/{name}", get(profiles::get_profile))
        .route("/lookup", get(profiles::lookup_handle))
        .route("/directory", get(directory::search_directory))
        .route(
            "/forums",
            get(forums::list_forums).post(forums::create_forum),
        )
        .route("/forums/follow", post(forums::follow_forum))
        .route("/forums/{name}", get(forums::get_forum))
        .route("/forums/{name}/follow", delete(forums::unfollow_forum))
        .route("/forums/{name}/threads", post(forums::create_thread))
        .route("/threads/{id}", get(forums::get_thread))
        .route("/threads/{id}/replies", post(forums::create_reply))
        .route("/threads/{id}/{action}", post(forums::moderate_thread))
        .route("/forums/{name}/reports", get(forums::list_reports))
        .route(
            "/posts/{id}",
            axum::routing::put(forums::edit_post).delete(forums::delete_post),
        )
        .route(
            "/posts/{id}/like",
            post(forums::like_post).delete(forums::unlike_post),
        )
        .route("/posts/{id}/report", post(forums::report_post))
        .route("/posts/{id}/remove", post(forums::remove_post))
        .route(
            "/projects",
            get(projects::list_projects).post(projects::create_project),
        )
        .route("/projects/lookup", get(projects::lookup_project))
        .route("/projects/{name}", get(projects::get_project))
        .route("/projects/{name}/invite", post(projects::invite_member))
        .route("/projects/{name}/answer", post(projects::answer_invitation))
        .route("/projects/{name}/join", post(projects::join_project))
        .route("/projects/{name}/leave", post(projects::leave_project))
        .route(
            "/projects/{name}/members/{id}",
            post(projects::act_on_member),
        )
        .route(
            "/projects/{name}/threads",
            get(project_content::list_project_threads).post(project_content::create_project_thread),
        )
        .route(
            "/projects/{name}/threads/{id}",
            get(project_content::get_project_thread),
        )
        .route(
            "/projects/{name}/threads/{id}/replies",
            post(project_content::create_project_reply),
        )
        .route(
            "/projects/{name}/documents",
            get(project_content::list_project_documents),
        )
        .route(
            "/projects/{name}/events",
            get(project_content::list_project_events).post(project_content::create_project_event),
        )
        .route("/me/requests", get(projects::list_my_requests))
        .route("/contacts", post(contacts::request_contact))
        .route("/contacts/{id}/answer", post(contacts::answer_contact))
        .route("/admin/accounts", get(admin::list_accounts))
        .route(
            "/admin/accounts/{name}/approve",
            post(admin::approve_account),
        )
        .route(
            "/admin/accounts/{name}/suspend",
            post(admin::suspend_account),
        )
        .fallback(|| async { AppError::not_found() })
}
