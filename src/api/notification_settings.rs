//! The caller's notification preferences over the API: how each kind of
//! notification reaches them (`site`, `mail`, `digest`, `off`) and how often
//! the digest comes (`daily`, `weekly`, `none`).

use super::{schema::ErrorBody, ApiJson, ApiUser};
use crate::{
    app::AppState,
    domain::notification_settings::{NotificationSettings, SettingsChange},
    error::AppError,
};
use axum::{extract::State, Json};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// How one kind of notification reaches the caller.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NotificationKindSetting {
    /// The kind: `reply`, `mention`, `invitation`, `contact_request`,
    /// `contact_answer`, `join_request`, `project_member`, `project_event`,
    /// `project_document`, `report`, `signup_pending`, `signup_decided`,
    /// `post_removed`, `post_refused`.
    pub kind: String,
    /// `site` (on the site only), `mail` (by e-mail at once), `digest` (in
    /// the digest) or `off` (no notification at all).
    pub delivery: String,
}

/// The caller's notification settings, every kind listed.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct NotificationSettingsView {
    /// Each kind with its delivery.
    pub kinds: Vec<NotificationKindSetting>,
    /// `daily`, `weekly` or `none`.
    pub digest: String,
}

impl From<NotificationSettings> for NotificationSettingsView {
    fn from(settings: NotificationSettings) -> Self {
        NotificationSettingsView {
            kinds: settings
                .kinds
                .iter()
                .map(|(kind, delivery)| NotificationKindSetting {
                    kind: (*kind).to_string(),
                    delivery: delivery.as_str().to_string(),
                })
                .collect(),
            digest: settings.digest.as_str().to_string(),
        }
    }
}

/// `PUT /api/v1/me/notification-settings` body: the kinds to change (the
/// others stay) and, optionally, the digest frequency.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NotificationSettingsChange {
    /// Kinds to change.
    #[serde(default)]
    pub kinds: Vec<NotificationKindSetting>,
    /// `daily`, `weekly` or `none`; absent: unchanged.
    #[serde(default)]
    pub digest: Option<String>,
}

/// `GET /api/v1/me/notification-settings`: how each kind of notification
/// reaches the caller, and the digest frequency.
#[utoipa::path(
    get,
    path = "/me/notification-settings",
    tag = "notifications",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The caller's settings", body = NotificationSettingsView),
        (status = 401, description = "`unauthorized`", body = ErrorBody),
    ),
)]
pub async fn get_notification_settings(
    State(state): State<AppState>,
    user: ApiUser,
) -> Result<Json<NotificationSettingsView>, AppError> {
    let settings = state.domain.notification_settings(&user.account).await?;
    Ok(Json(settings.into()))
}

/// `PUT /api/v1/me/notification-settings`: changes some kinds and/or the
/// digest frequency; all or nothing. Answers the settings now in force.
#[utoipa::path(
    put,
    path = "/me/notification-settings",
    tag = "notifications",
    security(("bearer" = [])),
    request_body = NotificationSettingsChange,
    responses(
        (status = 200, description = "The settings now in force", body = NotificationSettingsView),
        (status = 401, description = "`unauthorized`", body = ErrorBody),
        (status = 422, description = "`unknown_notification_kind`, `invalid_choice` (a delivery or digest frequency), `too_many_items`", body = ErrorBody),
    ),
)]
pub async fn put_notification_settings(
    State(state): State<AppState>,
    user: ApiUser,
    ApiJson(body): ApiJson<NotificationSettingsChange>,
) -> Result<Json<NotificationSettingsView>, AppError> {
    let change = SettingsChange {
        kinds: body
            .kinds
            .into_iter()
            .map(|setting| (setting.kind, setting.delivery))
            .collect(),
        digest: body.digest,
    };
    let settings = state
        .domain
        .set_notification_settings(&user.account, &change)
        .await?;
    Ok(Json(settings.into()))
}

/// The OpenAPI description of these routes (gathered in [`super::openapi`]).
#[derive(utoipa::OpenApi)]
#[openapi(
    paths(get_notification_settings, put_notification_settings),
    components(schemas(
        NotificationKindSetting,
        NotificationSettingsView,
        NotificationSettingsChange
    ))
)]
pub struct Doc;
