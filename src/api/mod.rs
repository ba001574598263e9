//! The JSON API under `/api/v1`, documented in docs/api.md.
//!
//! Clients authenticate with `Authorization: Bearer TOKEN` (from
//! `POST /api/v1/sessions`); cookies are ignored here, so API requests
//! need no CSRF token. Errors are `{"error": {"code", "message"}}` with a
//! stable snake_case code.

pub mod accounts;
pub mod admin;
pub mod contact_categories;
pub mod contacts;
pub mod conversations;
pub mod directory;
pub mod forum_bans;
pub mod forums;
pub mod instance;
pub mod mail_lists;
pub mod message_requests;
pub mod notification_settings;
pub mod notifications;
pub mod openapi;
#[cfg(test)]
mod openapi_tests;
pub mod person_blocks;
pub mod posts;
pub mod profiles;
pub mod project_content;
pub mod projects;
pub mod schema;
pub mod search;
pub mod sessions;
pub mod stream;

pub use crate::extract::{ApiPath, ApiQuery};

use crate::{app::AppState, domain::rows::AccountRow, error::AppError};
use axum::{
    extract::{
        rejection::JsonRejection, FromRequest, FromRequestParts, OptionalFromRequestParts, Request,
    },
    handler::Handler,
    http::{header, request::Parts, StatusCode},
    routing::MethodRouter,
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
        // A request is activity (presence); a failure costs nothing else.
        if let Err(error) = state.domain.note_activity(account.actor_id).await {
            tracing::warn!(%error, "recording activity failed");
        }
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
    route_builder()
        .router
        .fallback(|| async { AppError::not_found() })
}

/// Every `(method, path)` that [`routes`] registers, paths relative to
/// `/api/v1`: what the OpenAPI document must describe.
pub fn route_table() -> Vec<(&'static str, &'static str)> {
    route_builder().table
}

/// A router that records each route it is given.
struct RouteBuilder {
    router: Router<AppState>,
    table: Vec<(&'static str, &'static str)>,
}

impl RouteBuilder {
    fn add(
        mut self,
        method: &'static str,
        path: &'static str,
        route: MethodRouter<AppState>,
    ) -> Self {
        self.table.push((method, path));
        // Axum merges the method routers of one path.
        self.router = self.router.route(path, route);
        self
    }

    fn get<H: Handler<T, AppState>, T: 'static>(self, path: &'static str, handler: H) -> Self {
        self.add("GET", path, axum::routing::get(handler))
    }

    fn post<H: Handler<T, AppState>, T: 'static>(self, path: &'static str, handler: H) -> Self {
        self.add("POST", path, axum::routing::post(handler))
    }

    fn put<H: Handler<T, AppState>, T: 'static>(self, path: &'static str, handler: H) -> Self {
        self.add("PUT", path, axum::routing::put(handler))
    }

    fn delete<H: Handler<T, AppState>, T: 'static>(self, path: &'static str, handler: H) -> Self {
        self.add("DELETE", path, axum::routing::delete(handler))
    }
}

fn route_builder() -> RouteBuilder {
    RouteBuilder {
        router: Router::new(),
        table: Vec::new(),
    }
    .get("/openapi.json", openapi::get_openapi)
    .get("/instance", instance::get_instance)
    .post("/accounts", accounts::create_account)
    .post("/accounts/verify", accounts::verify_account)
    .post(
        "/accounts/resend-verification",
        accounts::resend_verification,
    )
    .post("/password/forgot", accounts::forgot_password)
    .post("/password/reset", accounts::reset_password)
    .post("/sessions", sessions::create_session)
    .delete("/sessions/current", sessions::delete_session)
    .get("/me", profiles::get_me)
    .put("/me/profile", profiles::update_my_profile)
    .get("/profiles/{name}", profiles::get_profile)
    .get("/lookup", profiles::lookup_handle)
    .get("/directory", directory::search_directory)
    .get("/search", search::search_forums)
    .get("/forums", forums::list_forums)
    .post("/forums", forums::create_forum)
    .post("/forums/follow", forums::follow_forum)
    .get("/forums/{name}", forums::get_forum)
    .delete("/forums/{name}/follow", forums::unfollow_forum)
    .put(
        "/forums/{name}/mail-subscription",
        mail_lists::put_forum_mail_subscription,
    )
    .delete(
        "/forums/{name}/mail-subscription",
        mail_lists::delete_forum_mail_subscription,
    )
    .post("/forums/{name}/threads", forums::create_thread)
    .get("/forums/{name}/reports", forums::list_reports)
    .get("/forums/{name}/bans", forum_bans::list_bans)
    .post("/forums/{name}/bans", forum_bans::create_ban)
    .delete("/forums/{name}/bans/{who}", forum_bans::delete_ban)
    .get("/threads/{id}", posts::get_thread)
    .post("/threads/{id}/replies", posts::create_reply)
    .post("/threads/{id}/{action}", posts::moderate_thread)
    .put("/posts/{id}", posts::edit_post)
    .delete("/posts/{id}", posts::delete_post)
    .post("/posts/{id}/like", posts::like_post)
    .delete("/posts/{id}/like", posts::unlike_post)
    .post("/posts/{id}/report", posts::report_post)
    .post("/posts/{id}/remove", posts::remove_post)
    .get("/projects", projects::list_projects)
    .post("/projects", projects::create_project)
    .get("/projects/lookup", projects::lookup_project)
    .get("/projects/{name}", projects::get_project)
    .post("/projects/{name}/invite", projects::invite_member)
    .post("/projects/{name}/answer", projects::answer_invitation)
    .post("/projects/{name}/join", projects::join_project)
    .post("/projects/{name}/leave", projects::leave_project)
    .post("/projects/{name}/members/{id}", projects::act_on_member)
    .put(
        "/projects/{name}/mail-subscription",
        mail_lists::put_project_mail_subscription,
    )
    .delete(
        "/projects/{name}/mail-subscription",
        mail_lists::delete_project_mail_subscription,
    )
    .get("/projects/{name}/search", search::search_project_forum)
    .get(
        "/projects/{name}/threads",
        project_content::list_project_threads,
    )
    .post(
        "/projects/{name}/threads",
        project_content::create_project_thread,
    )
    .get(
        "/projects/{name}/threads/{id}",
        project_content::get_project_thread,
    )
    .post(
        "/projects/{name}/threads/{id}/replies",
        project_content::create_project_reply,
    )
    .get(
        "/projects/{name}/documents",
        project_content::list_project_documents,
    )
    .get(
        "/projects/{name}/events",
        project_content::list_project_events,
    )
    .post(
        "/projects/{name}/events",
        project_content::create_project_event,
    )
    .put(
        "/projects/{name}/posts/{id}",
        project_content::changes::edit_project_post,
    )
    .delete(
        "/projects/{name}/posts/{id}",
        project_content::changes::delete_project_post,
    )
    .put(
        "/projects/{name}/events/{id}",
        project_content::changes::edit_project_event,
    )
    .delete(
        "/projects/{name}/events/{id}",
        project_content::changes::delete_project_event,
    )
    .put(
        "/projects/{name}/documents/{id}",
        project_content::changes::rename_project_document,
    )
    .delete(
        "/projects/{name}/documents/{id}",
        project_content::changes::delete_project_document,
    )
    .get("/me/requests", projects::list_my_requests)
    .post("/contacts", contacts::request_contact)
    .post("/contacts/{id}/answer", contacts::answer_contact)
    .get("/conversations", conversations::list_conversations)
    .post("/conversations", conversations::create_conversation)
    .get(
        "/conversations/requests",
        message_requests::list_message_requests,
    )
    .post(
        "/conversations/{id}/accept-request",
        message_requests::accept_message_request,
    )
    .post(
        "/conversations/{id}/ignore",
        message_requests::ignore_message_request,
    )
    .get("/conversations/{id}", conversations::get_conversation)
    .get("/conversations/{id}/messages", conversations::list_messages)
    .post("/conversations/{id}/messages", conversations::post_message)
    .put(
        "/conversations/{id}/messages/{line}",
        conversations::edit_message,
    )
    .delete(
        "/conversations/{id}/messages/{line}",
        conversations::delete_message,
    )
    .post("/conversations/{id}/invite", conversations::invite)
    .post("/conversations/{id}/remove", conversations::remove)
    .post("/conversations/{id}/leave", conversations::leave)
    .post("/conversations/{id}/accept", conversations::accept)
    .post("/conversations/{id}/decline", conversations::decline)
    .post("/conversations/{id}/read", conversations::mark_read)
    .get(
        "/conversations/{id}/export",
        conversations::export_conversation,
    )
    .get("/contacts", contact_categories::list_contacts)
    .delete("/contacts/{handle}", contact_categories::remove_contact)
    .put(
        "/contacts/{handle}/category",
        contact_categories::move_contact,
    )
    .post(
        "/contact-categories",
        contact_categories::create_contact_category,
    )
    .put(
        "/contact-categories/{id}",
        contact_categories::rename_contact_category,
    )
    .delete(
        "/contact-categories/{id}",
        contact_categories::delete_contact_category,
    )
    .get("/blocks", person_blocks::list_blocks)
    .post("/blocks/{handle}", person_blocks::block_person)
    .delete("/blocks/{handle}", person_blocks::unblock_person)
    .put("/me/presence", person_blocks::put_presence)
    .get("/notifications", notifications::list_notifications)
    .post(
        "/notifications/read",
        notifications::mark_notifications_read,
    )
    .get(
        "/me/notification-settings",
        notification_settings::get_notification_settings,
    )
    .put(
        "/me/notification-settings",
        notification_settings::put_notification_settings,
    )
    .get(
        "/me/mail-subscriptions",
        mail_lists::list_mail_subscriptions,
    )
    .get("/stream", stream::get_stream)
    .get("/admin/accounts", admin::list_accounts)
    .post("/admin/accounts/{name}/approve", admin::approve_account)
    .post("/admin/accounts/{name}/refuse", admin::refuse_account)
    .post("/admin/accounts/{name}/suspend", admin::suspend_account)
}
