//! The response types of a project's members-only content (docs/api.md,
//! "Members-only content"): the post object of its forum, shared
//! documents with their versions, agenda events, and the lists that hold
//! them.

use crate::api::schema::{rfc3339, Person};
use crate::domain::{
    rows::{ActorRow, DocumentView, EventView, ProjectPostRow},
    trust::Labeller,
};
use serde::Serialize;
use utoipa::ToSchema;

/// A thread or a reply of a project's forum.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ProjectPost {
    /// The local id.
    pub id: i64,
    /// The ActivityPub id.
    pub ap_id: String,
    /// `thread` or `reply`.
    pub kind: String,
    /// The thread it belongs to (its own id for a thread).
    pub thread_id: i64,
    /// The post it answers (replies).
    pub in_reply_to_id: Option<i64>,
    /// A thread's title; `""` for replies.
    pub title: String,
    /// Sanitised HTML; `""` once deleted.
    pub content_html: String,
    /// The Markdown of local posts; `""` otherwise and once deleted.
    pub source: String,
    /// The author.
    pub author: Person,
    /// RFC 3339.
    pub published_at: Option<String>,
    /// The last reply, RFC 3339.
    pub last_activity_at: Option<String>,
    /// Deleted by its author or a moderator.
    pub deleted: bool,
    /// Threads only; `null` on replies.
    pub reply_count: Option<i64>,
}

impl ProjectPost {
    /// The view of `post` by `author`; `reply_count` for threads.
    pub fn new(
        post: &ProjectPostRow,
        author: &ActorRow,
        reply_count: Option<i64>,
        labels: &Labeller<'_>,
    ) -> ProjectPost {
        let deleted = post.deleted_at.is_some();
        ProjectPost {
            id: post.id,
            ap_id: post.ap_id.clone(),
            kind: if post.thread_id.is_none() {
                "thread"
            } else {
                "reply"
            }
            .to_string(),
            thread_id: post.thread_id.unwrap_or(post.id),
            in_reply_to_id: post.in_reply_to_id,
            title: post.title.clone(),
            content_html: if deleted {
                String::new()
            } else {
                post.content_html.clone()
            },
            source: if deleted || !post.local {
                String::new()
            } else {
                post.source.clone()
            },
            author: Person::new(author, labels),
            published_at: rfc3339(post.published_at),
            last_activity_at: rfc3339(post.last_activity_at),
            deleted,
            reply_count,
        }
    }
}

/// `GET /projects/{name}/threads`.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ProjectThreadList {
    /// Latest activity first.
    pub threads: Vec<ProjectPost>,
}

/// `GET /projects/{name}/threads/{id}`.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ProjectThread {
    /// The thread.
    pub thread: ProjectPost,
    /// All its replies, in publication order.
    pub replies: Vec<ProjectPost>,
}

/// One version of a shared document.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct DocumentVersion {
    /// The local id.
    pub id: i64,
    /// The ActivityPub id.
    pub ap_id: String,
    /// 1 for the first.
    pub version: i64,
    /// The file name.
    pub file_name: String,
    /// The media type.
    pub media_type: String,
    /// Bytes.
    pub size: i64,
    /// Hex SHA-256 of the bytes.
    pub sha256: String,
    /// Who shared it.
    pub author: Person,
    /// RFC 3339.
    pub shared_at: Option<String>,
    /// `false` for a version shared on another instance (its bytes stay
    /// there).
    pub local: bool,
}

/// A shared document with its versions, newest first.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Document {
    /// The local id.
    pub id: i64,
    /// The ActivityPub id.
    pub ap_id: String,
    /// Its name.
    pub name: String,
    /// RFC 3339.
    pub created_at: Option<String>,
    /// RFC 3339.
    pub updated_at: Option<String>,
    /// Newest first.
    pub versions: Vec<DocumentVersion>,
}

impl Document {
    /// The view of a document and its versions.
    pub fn new(view: &DocumentView, labels: &Labeller<'_>) -> Document {
        Document {
            id: view.document.id,
            ap_id: view.document.ap_id.clone(),
            name: view.document.name.clone(),
            created_at: rfc3339(view.document.created_at),
            updated_at: rfc3339(view.document.updated_at),
            versions: view
                .versions
                .iter()
                .map(|(version, author)| DocumentVersion {
                    id: version.id,
                    ap_id: version.ap_id.clone(),
                    version: version.version,
                    file_name: version.file_name.clone(),
                    media_type: version.media_type.clone(),
                    size: version.size,
                    sha256: version.sha256.clone(),
                    author: Person::new(author, labels),
                    shared_at: rfc3339(version.created_at),
                    local: version.local,
                })
                .collect(),
        }
    }
}

/// `GET /projects/{name}/documents`.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct DocumentList {
    /// Newest first.
    pub documents: Vec<Document>,
}

/// An event of a project's agenda.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Event {
    /// The local id.
    pub id: i64,
    /// The ActivityPub id.
    pub ap_id: String,
    /// Plain text.
    pub title: String,
    /// Sanitised HTML.
    pub description_html: String,
    /// RFC 3339.
    pub starts_at: Option<String>,
    /// RFC 3339.
    pub ends_at: Option<String>,
    /// A place.
    pub location: String,
    /// A meeting link.
    pub meeting_url: String,
    /// For every member, or only `attendees` (and its author).
    pub for_all: bool,
    /// Who it is for, when not for all.
    pub attendees: Vec<Person>,
    /// Who added it.
    pub author: Person,
    /// RFC 3339.
    pub created_at: Option<String>,
}

impl Event {
    /// The view of an event.
    pub fn new(view: &EventView, labels: &Labeller<'_>) -> Event {
        let event = &view.event;
        Event {
            id: event.id,
            ap_id: event.ap_id.clone(),
            title: event.title.clone(),
            description_html: event.description_html.clone(),
            starts_at: rfc3339(event.starts_at),
            ends_at: rfc3339(event.ends_at),
            location: event.location.clone(),
            meeting_url: event.meeting_url.clone(),
            for_all: event.for_all,
            attendees: view
                .attendees
                .iter()
                .map(|a| Person::new(a, labels))
                .collect(),
            author: Person::new(&view.author, labels),
            created_at: rfc3339(event.created_at),
        }
    }
}

/// `GET /projects/{name}/events`.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct EventList {
    /// By start time.
    pub events: Vec<Event>,
}
