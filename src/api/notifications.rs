//! The caller's notifications over the API: a page of them with the unread
//! count, and marking some or all read. Each teacher only ever reads and
//! marks their own.

use super::{
    forums::PageQuery,
    schema::{rfc3339, ErrorBody, Person},
    ApiJson, ApiUser,
};
use crate::extract::ApiQuery;
use crate::i18n::Lang;
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
/// Every kind has `kind`, `text`, `title`, `link`; the other fields are
/// `null` when the kind has no such object.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct NotificationItem {
    /// Its id, for `POST /notifications/read`.
    pub id: i64,
    /// `reply`, `mention`, `invitation`, `contact_request`,
    /// `contact_accepted`, `contact_refused`, `join_request`, `new_member`,
    /// `new_event`, `new_document`, `report`, `signup_pending`,
    /// `signup_approved`, `post_removed`, `post_refused`.
    pub kind: String,
    /// What happened, in the caller's language.
    pub text: String,
    /// Who caused it; `null` when nobody did (a refusal by a remote host).
    pub actor: Option<Person>,
    /// What the object is called: thread title, project name, forum
    /// title, name of the person signing up.
    pub title: String,
    /// The path on this instance that opens the object.
    pub link: String,
    /// A reason or an answer (a moderator's or a host's reason).
    pub detail: Option<String>,
    /// The thread's local id (`GET /threads/{id}`), for kinds about a post.
    pub thread_id: Option<i64>,
    /// The thread's title, for kinds about a post.
    pub thread_title: Option<String>,
    /// The post's local id, for kinds about a post.
    pub post_id: Option<i64>,
    /// The forum, for kinds about a post or a forum.
    pub forum: Option<NotificationForum>,
    /// The project's local actor id, for kinds about a project.
    pub project_id: Option<i64>,
    /// The start of the object, plain text (may be empty).
    pub excerpt: String,
    /// When, RFC 3339.
    pub created_at: Option<String>,
    /// When the caller marked it read, RFC 3339; `null` while unread.
    pub read_at: Option<String>,
}

impl NotificationItem {
    fn new(note: &notes::Notification, labels: &Labeller<'_>, lang: Lang) -> NotificationItem {
        let about_post = note.post_id.is_some();
        NotificationItem {
            id: note.id,
            kind: note.kind.as_str().to_string(),
            text: note.text(lang),
            actor: note.actor.as_ref().map(|actor| Person::new(actor, labels)),
            title: note.title.clone(),
            link: note.link.clone(),
            detail: note.detail.clone(),
            thread_id: note.thread_id.map(|id| id.0),
            thread_title: about_post.then(|| note.title.clone()),
            post_id: note.post_id.map(|id| id.0),
            forum: note.forum.as_ref().map(|forum| NotificationForum {
                handle: format!(
                    "{}@{}",
                    forum.name,
                    if forum.domain.is_empty() {
                        labels.local_domain()
                    } else {
                        forum.domain.as_str()
                    }
                ),
                title: forum.title.clone(),
            }),
            project_id: note.project_id.map(|id| id.0),
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
    let lang = Lang::from_code(&user.account.locale);
    Ok(Json(NotificationList {
        unread: found.unread,
        items: found
            .items
            .iter()
            .map(|note| NotificationItem::new(note, &labels, lang))
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
