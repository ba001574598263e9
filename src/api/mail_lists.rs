//! Mailing-list mode over the API: the forums and project forums the
//! caller follows by e-mail, and following or stopping one
//! (see `domain::mail_lists`).

use super::{schema::ErrorBody, ApiPath, ApiUser};
use crate::{app::AppState, domain::mail_lists::MailSubscription, error::AppError};
use axum::{extract::State, http::StatusCode, Json};
use serde::Serialize;
use utoipa::ToSchema;

/// One forum or project forum the caller follows by e-mail.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct MailSubscriptionView {
    /// `forum` or `project`.
    pub kind: String,
    /// The forum's or project's handle (`name`, or `name@host` when
    /// remote), as its routes take it.
    pub handle: String,
    /// Its title.
    pub title: String,
    /// When the caller subscribed (RFC 3339).
    pub created_at: String,
}

impl From<MailSubscription> for MailSubscriptionView {
    fn from(subscription: MailSubscription) -> Self {
        MailSubscriptionView {
            kind: subscription.kind.as_str().to_string(),
            handle: subscription.handle,
            title: subscription.title,
            created_at: super::schema::rfc3339(subscription.created_at).unwrap_or_default(),
        }
    }
}

/// The caller's subscriptions.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct MailSubscriptionList {
    /// Forums first, then project forums, by title.
    pub subscriptions: Vec<MailSubscriptionView>,
}

/// The subscription of the caller to one forum or project forum.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct MailSubscriptionState {
    /// `forum` or `project`.
    pub kind: String,
    /// The forum's or project's handle.
    pub handle: String,
    /// Always `true` after a `PUT`.
    pub subscribed: bool,
}

/// `GET /api/v1/me/mail-subscriptions`.
#[utoipa::path(
    get,
    path = "/me/mail-subscriptions",
    tag = "notifications",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "What the caller follows by e-mail", body = MailSubscriptionList),
        (status = 401, description = "`unauthorized`", body = ErrorBody),
    ),
)]
pub async fn list_mail_subscriptions(
    State(state): State<AppState>,
    user: ApiUser,
) -> Result<Json<MailSubscriptionList>, AppError> {
    let subscriptions = state.domain.mail_subscriptions(&user.account).await?;
    Ok(Json(MailSubscriptionList {
        subscriptions: subscriptions.into_iter().map(Into::into).collect(),
    }))
}

/// `PUT /api/v1/forums/{name}/mail-subscription`: follows a forum (local
/// or remote; a remote one is followed too) by e-mail.
#[utoipa::path(
    put,
    path = "/forums/{name}/mail-subscription",
    tag = "notifications",
    params(("name" = String, Path, description = "The forum: `maths` or `maths@domain`")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Followed by e-mail", body = MailSubscriptionState),
        (status = 401, description = "`unauthorized`", body = ErrorBody),
        (status = 404, description = "`not_found`", body = ErrorBody),
    ),
)]
pub async fn put_forum_mail_subscription(
    State(state): State<AppState>,
    user: ApiUser,
    ApiPath(name): ApiPath<String>,
) -> Result<Json<MailSubscriptionState>, AppError> {
    let forum = state.domain.forum_by_path(&name).await?;
    state
        .domain
        .subscribe_forum_by_mail(&user.account, &forum)
        .await?;
    Ok(Json(MailSubscriptionState {
        kind: "forum".into(),
        handle: name,
        subscribed: true,
    }))
}

/// `DELETE /api/v1/forums/{name}/mail-subscription`.
#[utoipa::path(
    delete,
    path = "/forums/{name}/mail-subscription",
    tag = "notifications",
    params(("name" = String, Path, description = "The forum")),
    security(("bearer" = [])),
    responses(
        (status = 204, description = "No longer followed by e-mail (or never was), empty body"),
        (status = 401, description = "`unauthorized`", body = ErrorBody),
        (status = 404, description = "`not_found`", body = ErrorBody),
    ),
)]
pub async fn delete_forum_mail_subscription(
    State(state): State<AppState>,
    user: ApiUser,
    ApiPath(name): ApiPath<String>,
) -> Result<StatusCode, AppError> {
    let forum = state.domain.forum_by_path(&name).await?;
    state
        .domain
        .unsubscribe_by_mail(&user.account, forum.actor.id)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// `PUT /api/v1/projects/{name}/mail-subscription`: a member follows the
/// project's forum by e-mail.
#[utoipa::path(
    put,
    path = "/projects/{name}/mail-subscription",
    tag = "notifications",
    params(("name" = String, Path, description = "The project: `name` or `name@domain`")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Followed by e-mail", body = MailSubscriptionState),
        (status = 401, description = "`unauthorized`", body = ErrorBody),
        (status = 403, description = "`not_project_member`", body = ErrorBody),
        (status = 404, description = "`not_found`", body = ErrorBody),
    ),
)]
pub async fn put_project_mail_subscription(
    State(state): State<AppState>,
    user: ApiUser,
    ApiPath(name): ApiPath<String>,
) -> Result<Json<MailSubscriptionState>, AppError> {
    let project = state.domain.project_by_path(&name).await?;
    state
        .domain
        .subscribe_project_by_mail(&user.account, &project)
        .await?;
    Ok(Json(MailSubscriptionState {
        kind: "project".into(),
        handle: name,
        subscribed: true,
    }))
}

/// `DELETE /api/v1/projects/{name}/mail-subscription`.
#[utoipa::path(
    delete,
    path = "/projects/{name}/mail-subscription",
    tag = "notifications",
    params(("name" = String, Path, description = "The project")),
    security(("bearer" = [])),
    responses(
        (status = 204, description = "No longer followed by e-mail (or never was), empty body"),
        (status = 401, description = "`unauthorized`", body = ErrorBody),
        (status = 404, description = "`not_found`", body = ErrorBody),
    ),
)]
pub async fn delete_project_mail_subscription(
    State(state): State<AppState>,
    user: ApiUser,
    ApiPath(name): ApiPath<String>,
) -> Result<StatusCode, AppError> {
    let project = state.domain.project_by_path(&name).await?;
    state
        .domain
        .unsubscribe_by_mail(&user.account, project.actor.id)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The OpenAPI description of these routes (gathered in [`super::openapi`]).
#[derive(utoipa::OpenApi)]
#[openapi(
    paths(
        list_mail_subscriptions,
        put_forum_mail_subscription,
        delete_forum_mail_subscription,
        put_project_mail_subscription,
        delete_project_mail_subscription
    ),
    components(schemas(MailSubscriptionView, MailSubscriptionList, MailSubscriptionState))
)]
pub struct Doc;
