//! The caller's notifications over the API: a page of them with the unread
//! count, and marking some or all read. Each teacher only ever reads and
//! marks their own.

use super::{
    forums::PageQuery,
    schema::{rfc3339, ErrorBody, Person},
    ApiJson, ApiUser,
};
use crate::extract::ApiQuery;
use crate::{
    app::AppState,
    domain::{
        notifications::{self as notes, MarkRead, NOTIFICATIONS_PER_PAGE},
        trust::Labeller,
        validate,
    },
    error::AppError,
};
use axum::{extract::State, Json};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// The forum a notification's object is in.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct NotificationForum {
    /// `name@domain`.
    pub handle: String,
    /// Its title.
    pub title: String,
}

/// One notification: what happened, who did it, and where to read it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct NotificationItem {
    /// Its id, for `POST /notifications/read`.
    pub id: i64,
    /// `reply`: a reply to the caller's thread or post.
    pub kind: String,
    /// Who wrote the reply.
    pub actor: Person,
    /// The thread's local id (`GET /threads/{id}`).
    pub thread_id: i64,
    /// The thread's title.
    pub thread_title: String,
    /// The reply's local id (`GET /threads/{id}` with it opens its page).
    pub post_id: i64,
    /// The forum.
    pub forum: NotificationForum,
    /// The start of the reply, plain text.
    pub excerpt: String,
    /// When, RFC 3339.
    pub created_at: Option<String>,
    /// When the caller marked it read, RFC 3339; `null` while unread.
    pub read_at: Option<String>,
}

impl NotificationItem {
    fn new(note: &notes::Notification, labels: &Labeller<'_>) -> NotificationItem {
        let forum_domain = if note.forum_domain.is_empty() {
            labels.local_domain()
        } else {
            note.forum_domain.as_str()
        };
        NotificationItem {
            id: note.id,
            kind: note.kind.clone(),
            actor: Person::new(&note.actor, labels),
            thread_id: note.thread_id.0,
            thread_title: note.thread_title.clone(),
            post_id: note.post_id.0,
            forum: NotificationForum {
                handle: format!("{}@{}", note.forum_name, forum_domain),
                title: note.forum_title.clone(),
            },
            excerpt: note.excerpt.clone(),
            created_at: rfc3339(note.created_at),
            read_at: note.read_at.and_then(rfc3339),
        }
    }
}

/// A page of the caller's notifications.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct NotificationList {
    /// How many of the caller's notifications are unread, in all.
    pub unread: i64,
    /// 20 notifications, newest first, read ones included.
    pub items: Vec<NotificationItem>,
    /// This page, from 1.
    pub page: i64,
    /// Notifications per page.
    pub per_page: i64,
}

/// `GET /api/v1/notifications[?page=N]`: the caller's notifications,
/// newest first.
#[utoipa::path(
    get,
    path = "/notifications",
    tag = "notifications",
    security(("bearer" = [])),
    params(PageQuery),
    responses(
        (status = 200, description = "A page of notifications", body = NotificationList),
        (status = 401, description = "`unauthorized`", body = ErrorBody),
        (status = 422, description = "`invalid_page`", body = ErrorBody),
    ),
)]
pub async fn list_notifications(
    State(state): State<AppState>,
    user: ApiUser,
    ApiQuery(query): ApiQuery<PageQuery>,
) -> Result<Json<NotificationList>, AppError> {
    let page = validate::page_number(query.page.as_deref(), validate::MAX_PAGE)?;
    let found = state.domain.notifications_for(&user.account, page).await?;
    let labels = state.domain.labeller().await?;
    Ok(Json(NotificationList {
        unread: found.unread,
        items: found
            .items
            .iter()
            .map(|note| NotificationItem::new(note, &labels))
            .collect(),
        page,
        per_page: NOTIFICATIONS_PER_PAGE,
    }))
}

/// `POST /api/v1/notifications/read` body: `ids`, or `all`.
#[derive(Deserialize, ToSchema)]
pub struct MarkReadRequest {
    /// The notifications to mark read (at most 200).
    #[serde(default)]
    ids: Option<Vec<i64>>,
    /// `true`: mark all of them read.
    #[serde(default)]
    all: bool,
}

/// The unread count once marked.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct UnreadCount {
    /// How many of the caller's notifications are still unread.
    pub unread: i64,
}

/// `POST /api/v1/notifications/read`: marks some or all of the caller's
/// notifications read. Ids that are not the caller's change nothing.
#[utoipa::path(
    post,
    path = "/notifications/read",
    tag = "notifications",
    security(("bearer" = [])),
    request_body = MarkReadRequest,
    responses(
        (status = 200, description = "Marked", body = UnreadCount),
        (status = 400, description = "`invalid_json`", body = ErrorBody),
        (status = 401, description = "`unauthorized`", body = ErrorBody),
        (status = 422, description = "`field_required` (neither `ids` nor `all`), `too_many_items`", body = ErrorBody),
    ),
)]
pub async fn mark_notifications_read(
    State(state): State<AppState>,
    user: ApiUser,
    ApiJson(body): ApiJson<MarkReadRequest>,
) -> Result<Json<UnreadCount>, AppError> {
    let which = if body.all {
        MarkRead::All
    } else {
        MarkRead::Ids(body.ids.unwrap_or_default())
    };
    let unread = state
        .domain
        .mark_notifications_read(&user.account, &which)
        .await?;
    Ok(Json(UnreadCount { unread }))
}

/// The OpenAPI description of these routes (gathered in [`super::openapi`]).
#[derive(utoipa::OpenApi)]
#[openapi(
    paths(list_notifications, mark_notifications_read),
    components(schemas(
        NotificationForum,
        NotificationItem,
        NotificationList,
        MarkReadRequest,
        UnreadCount
    ))
)]
pub struct Doc;
