//! What members share inside a project space: the internal forum
//! (`project_posts`), shared documents and their versions
//! (`project_documents`, `project_document_versions`) and the agenda
//! (`project_events`, `project_event_attendees`).

use super::{
    actors::{qualified_actor_columns, ActorId, ActorRow},
    column,
    projects::touch_project,
    Store, StoreResult, Tx,
};
use sqlx::any::AnyRow;

/// A post of a project's internal forum: a thread or a reply.
#[derive(Debug, Clone)]
pub struct ProjectPostRow {
    /// Database id.
    pub id: i64,
    /// ActivityPub id.
    pub ap_id: String,
    /// The project.
    pub project_id: ActorId,
    /// The thread it belongs to (`None` for a thread).
    pub thread_id: Option<i64>,
    /// The post it answers.
    pub in_reply_to_id: Option<i64>,
    /// Its author.
    pub author_id: ActorId,
    /// A thread's title.
    pub title: String,
    /// Markdown source (local posts).
    pub source: String,
    /// Sanitised HTML.
    pub content_html: String,
    /// Published, unix ms.
    pub published_at: i64,
    /// Deleted, unix ms.
    pub deleted_at: Option<i64>,
    /// A local post the project's remote host refused, unix ms.
    pub refused_at: Option<i64>,
    /// The host's reason, as it answered.
    pub refused_reason: Option<String>,
    /// Last reply, unix ms.
    pub last_activity_at: i64,
    /// Written here.
    pub local: bool,
}

/// A post with its author.
#[derive(Debug, Clone)]
pub struct ProjectPostView {
    /// The post.
    pub post: ProjectPostRow,
    /// Its author.
    pub author: ActorRow,
    /// Replies (threads only).
    pub reply_count: i64,
}

/// A post as written.
#[derive(Debug, Clone)]
pub struct NewProjectPost {
    /// ActivityPub id.
    pub ap_id: String,
    /// Project.
    pub project_id: ActorId,
    /// Thread (replies).
    pub thread_id: Option<i64>,
    /// Parent (replies).
    pub in_reply_to_id: Option<i64>,
    /// Author.
    pub author_id: ActorId,
    /// Title (threads).
    pub title: String,
    /// Markdown source.
    pub source: String,
    /// Sanitised HTML.
    pub content_html: String,
    /// Published, unix ms.
    pub published_at: i64,
    /// Written here.
    pub local: bool,
}

/// A shared document (all its versions).
#[derive(Debug, Clone)]
pub struct DocumentRow {
    /// Database id.
    pub id: i64,
    /// The project.
    pub project_id: ActorId,
    /// The first version's ActivityPub id.
    pub ap_id: String,
    /// Its name.
    pub name: String,
    /// First shared, unix ms.
    pub created_at: i64,
    /// Last version, unix ms.
    pub updated_at: i64,
}

/// One version of a document.
#[derive(Debug, Clone)]
pub struct VersionRow {
    /// Database id.
    pub id: i64,
    /// ActivityPub id of this version.
    pub ap_id: String,
    /// The document.
    pub document_id: i64,
    /// From 1.
    pub version: i64,
    /// Who shared it.
    pub author_id: ActorId,
    /// The file's name.
    pub file_name: String,
    /// Its media type.
    pub media_type: String,
    /// Its size in bytes.
    pub size: i64,
    /// SHA-256 of the bytes, hex.
    pub sha256: String,
    /// Where its bytes are served (members only).
    pub content_url: String,
    /// Local uploads: the file's key under the data directory.
    pub storage_key: Option<String>,
    /// Shared, unix ms.
    pub created_at: i64,
    /// Uploaded here.
    pub local: bool,
}

/// A version as written.
#[derive(Debug, Clone)]
pub struct NewVersion {
    /// ActivityPub id.
    pub ap_id: String,
    /// Version number.
    pub version: i64,
    /// Who shared it.
    pub author_id: ActorId,
    /// File name.
    pub file_name: String,
    /// Media type.
    pub media_type: String,
    /// Size.
    pub size: i64,
    /// SHA-256, hex.
    pub sha256: String,
    /// Content URL.
    pub content_url: String,
    /// Local file key.
    pub storage_key: Option<String>,
    /// Shared, unix ms.
    pub created_at: i64,
    /// Uploaded here.
    pub local: bool,
}

/// A document with its versions (newest first) and their authors.
#[derive(Debug, Clone)]
pub struct DocumentView {
    /// The document.
    pub document: DocumentRow,
    /// Its versions, newest first, with who shared each.
    pub versions: Vec<(VersionRow, ActorRow)>,
}

/// An agenda event.
#[derive(Debug, Clone)]
pub struct EventRow {
    /// Database id.
    pub id: i64,
    /// ActivityPub id.
    pub ap_id: String,
    /// The project.
    pub project_id: ActorId,
    /// Who added it.
    pub author_id: ActorId,
    /// Title.
    pub title: String,
    /// Markdown source (local events).
    pub description_source: String,
    /// Sanitised HTML.
    pub description_html: String,
    /// Start, unix ms.
    pub starts_at: i64,
    /// End, unix ms.
    pub ends_at: i64,
    /// Place.
    pub location: String,
    /// Meeting link.
    pub meeting_url: String,
    /// For every member, or only the attendees listed.
    pub for_all: bool,
    /// Added, unix ms.
    pub created_at: i64,
    /// Deleted, unix ms.
    pub deleted_at: Option<i64>,
    /// Added here.
    pub local: bool,
}

/// An event as written.
#[derive(Debug, Clone)]
pub struct NewEvent {
    /// ActivityPub id.
    pub ap_id: String,
    /// Project.
    pub project_id: ActorId,
    /// Author.
    pub author_id: ActorId,
    /// Title.
    pub title: String,
    /// Markdown source.
    pub description_source: String,
    /// Sanitised HTML.
    pub description_html: String,
    /// Start, unix ms.
    pub starts_at: i64,
    /// End, unix ms.
    pub ends_at: i64,
    /// Place.
    pub location: String,
    /// Meeting link.
    pub meeting_url: String,
    /// For every member.
    pub for_all: bool,
    /// The people it is for when not for all.
    pub attendees: Vec<ActorId>,
    /// Added, unix ms.
    pub created_at: i64,
    /// Added here.
    pub local: bool,
}

/// An event with its project's title and path data.
#[derive(Debug, Clone)]
pub struct EventView {
    /// The event.
    pub event: EventRow,
    /// Who added it.
    pub author: ActorRow,
    /// Who it is for, when not for all.
    pub attendees: Vec<ActorRow>,
}

const POST_COLUMNS: &str = "project_posts.id AS post_id, project_posts.ap_id AS post_ap_id, \
     project_posts.project_id, project_posts.thread_id, project_posts.in_reply_to_id, \
     project_posts.author_id, project_posts.title, project_posts.source, project_posts.content_html, \
     project_posts.published_at, project_posts.deleted_at, project_posts.refused_at, \
     project_posts.refused_reason, project_posts.last_activity_at, project_posts.local AS post_local";

fn post_from_row(row: &AnyRow) -> StoreResult<ProjectPostRow> {
    Ok(ProjectPostRow {
        id: column(row, "post_id")?,
        ap_id: column(row, "post_ap_id")?,
        project_id: ActorId(column(row, "project_id")?),
        thread_id: column(row, "thread_id")?,
        in_reply_to_id: column(row, "in_reply_to_id")?,
        author_id: ActorId(column(row, "author_id")?),
        title: column(row, "title")?,
        source: column(row, "source")?,
        content_html: column(row, "content_html")?,
        published_at: column(row, "published_at")?,
        deleted_at: column(row, "deleted_at")?,
        refused_at: column(row, "refused_at")?,
        refused_reason: column(row, "refused_reason")?,
        last_activity_at: column(row, "last_activity_at")?,
        local: column::<i64>(row, "post_local")? != 0,
    })
}

/// Marks a local project post as refused by the project's host.
pub async fn mark_post_refused(tx: &mut Tx, id: i64, reason: &str, at: i64) -> StoreResult<bool> {
    let changed = sqlx::query(
        "UPDATE project_posts SET refused_at = $1, refused_reason = $2 \
         WHERE id = $3 AND refused_at IS NULL",
    )
    .bind(at)
    .bind(reason)
    .bind(id)
    .execute(&mut **tx)
    .await?
    .rows_affected();
    Ok(changed > 0)
}

const VERSION_COLUMNS: &str = "v.id AS version_id, v.ap_id AS version_ap_id, v.document_id, \
     v.version, v.author_id AS version_author_id, v.file_name, v.media_type, v.size, v.sha256, \
     v.content_url, v.storage_key, v.created_at AS version_created_at, v.local AS version_local";

fn version_from_row(row: &AnyRow) -> StoreResult<VersionRow> {
    Ok(VersionRow {
        id: column(row, "version_id")?,
        ap_id: column(row, "version_ap_id")?,
        document_id: column(row, "document_id")?,
        version: column(row, "version")?,
        author_id: ActorId(column(row, "version_author_id")?),
        file_name: column(row, "file_name")?,
        media_type: column(row, "media_type")?,
        size: column(row, "size")?,
        sha256: column(row, "sha256")?,
        content_url: column(row, "content_url")?,
        storage_key: column(row, "storage_key")?,
        created_at: column(row, "version_created_at")?,
        local: column::<i64>(row, "version_local")? != 0,
    })
}

const EVENT_COLUMNS: &str = "e.id AS event_id, e.ap_id AS event_ap_id, e.project_id, \
     e.author_id AS event_author_id, e.title, e.description_source, e.description_html, \
     e.starts_at, e.ends_at, e.location, e.meeting_url, e.for_all, e.created_at AS event_created_at, \
     e.deleted_at AS event_deleted_at, e.local AS event_local";

fn event_from_row(row: &AnyRow) -> StoreResult<EventRow> {
    Ok(EventRow {
        id: column(row, "event_id")?,
        ap_id: column(row, "event_ap_id")?,
        project_id: ActorId(column(row, "project_id")?),
        author_id: ActorId(column(row, "event_author_id")?),
        title: column(row, "title")?,
        description_source: column(row, "description_source")?,
        description_html: column(row, "description_html")?,
        starts_at: column(row, "starts_at")?,
        ends_at: column(row, "ends_at")?,
        location: column(row, "location")?,
        meeting_url: column(row, "meeting_url")?,
        for_all: column::<i64>(row, "for_all")? != 0,
        created_at: column(row, "event_created_at")?,
        deleted_at: column(row, "event_deleted_at")?,
        local: column::<i64>(row, "event_local")? != 0,
    })
}

/// Inserts a post; returns its id. Bumps the thread and the project.
pub async fn insert_post(tx: &mut Tx, post: &NewProjectPost) -> StoreResult<i64> {
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO project_posts (ap_id, project_id, thread_id, in_reply_to_id, author_id, \
         title, source, content_html, published_at, last_activity_at, local) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9, $10) RETURNING id",
    )
    .bind(&post.ap_id)
    .bind(post.project_id.0)
    .bind(post.thread_id)
    .bind(post.in_reply_to_id)
    .bind(post.author_id.0)
    .bind(&post.title)
    .bind(&post.source)
    .bind(&post.content_html)
    .bind(post.published_at)
    .bind(post.local as i64)
    .fetch_one(&mut **tx)
    .await?;
    if let Some(thread) = post.thread_id {
        sqlx::query(
            "UPDATE project_posts SET last_activity_at = $1 WHERE id = $2 AND last_activity_at < $1",
        )
        .bind(post.published_at)
        .bind(thread)
        .execute(&mut **tx)
        .await?;
    }
    touch_project(tx, post.project_id, post.published_at).await?;
    Ok(id)
}

/// Inserts a document and its first version; returns the document id.
pub async fn insert_document(
    tx: &mut Tx,
    project: ActorId,
    name: &str,
    first: &NewVersion,
) -> StoreResult<i64> {
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO project_documents (project_id, ap_id, name, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $4) RETURNING id",
    )
    .bind(project.0)
    .bind(&first.ap_id)
    .bind(name)
    .bind(first.created_at)
    .fetch_one(&mut **tx)
    .await?;
    insert_version(tx, project, id, first).await?;
    Ok(id)
}

/// Adds a version to a document.
pub async fn insert_version(
    tx: &mut Tx,
    project: ActorId,
    document: i64,
    version: &NewVersion,
) -> StoreResult<i64> {
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO project_document_versions (ap_id, document_id, version, author_id, file_name, \
         media_type, size, sha256, content_url, storage_key, created_at, local) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) RETURNING id",
    )
    .bind(&version.ap_id)
    .bind(document)
    .bind(version.version)
    .bind(version.author_id.0)
    .bind(&version.file_name)
    .bind(&version.media_type)
    .bind(version.size)
    .bind(&version.sha256)
    .bind(&version.content_url)
    .bind(version.storage_key.as_deref())
    .bind(version.created_at)
    .bind(version.local as i64)
    .fetch_one(&mut **tx)
    .await?;
    sqlx::query("UPDATE project_documents SET updated_at = $1 WHERE id = $2 AND updated_at < $1")
        .bind(version.created_at)
        .bind(document)
        .execute(&mut **tx)
        .await?;
    touch_project(tx, project, version.created_at).await?;
    Ok(id)
}

/// Inserts an event with its attendees; returns its id.
pub async fn insert_event(tx: &mut Tx, event: &NewEvent) -> StoreResult<i64> {
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO project_events (ap_id, project_id, author_id, title, description_source, \
         description_html, starts_at, ends_at, location, meeting_url, for_all, created_at, local) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) RETURNING id",
    )
    .bind(&event.ap_id)
    .bind(event.project_id.0)
    .bind(event.author_id.0)
    .bind(&event.title)
    .bind(&event.description_source)
    .bind(&event.description_html)
    .bind(event.starts_at)
    .bind(event.ends_at)
    .bind(&event.location)
    .bind(&event.meeting_url)
    .bind(event.for_all as i64)
    .bind(event.created_at)
    .bind(event.local as i64)
    .fetch_one(&mut **tx)
    .await?;
    for attendee in &event.attendees {
        sqlx::query(
            "INSERT INTO project_event_attendees (event_id, actor_id) VALUES ($1, $2) \
             ON CONFLICT DO NOTHING",
        )
        .bind(id)
        .bind(attendee.0)
        .execute(&mut **tx)
        .await?;
    }
    touch_project(tx, event.project_id, event.created_at).await?;
    Ok(id)
}

impl Store {
    /// A project post by id.
    pub async fn project_post(&self, id: i64) -> StoreResult<Option<ProjectPostRow>> {
        let row = sqlx::query(&format!(
            "SELECT {POST_COLUMNS} FROM project_posts WHERE project_posts.id = $1"
        ))
        .bind(id)
        .fetch_optional(self.pool())
        .await?;
        row.as_ref().map(post_from_row).transpose()
    }

    /// A project post by ActivityPub id.
    pub async fn project_post_by_ap_id(&self, ap_id: &str) -> StoreResult<Option<ProjectPostRow>> {
        let row = sqlx::query(&format!(
            "SELECT {POST_COLUMNS} FROM project_posts WHERE project_posts.ap_id = $1"
        ))
        .bind(ap_id)
        .fetch_optional(self.pool())
        .await?;
        row.as_ref().map(post_from_row).transpose()
    }

    async fn post_views(
        &self,
        sql_where: &str,
        id: i64,
        order: &str,
    ) -> StoreResult<Vec<ProjectPostView>> {
        let rows = sqlx::query(&format!(
            "SELECT {POST_COLUMNS}, {}, \
             (SELECT COUNT(*) FROM project_posts r WHERE r.thread_id = project_posts.id \
              AND r.deleted_at IS NULL) AS reply_count \
             FROM project_posts JOIN actors ON actors.id = project_posts.author_id \
             WHERE {sql_where} ORDER BY {order} LIMIT 500",
            qualified_actor_columns()
        ))
        .bind(id)
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|row| {
                Ok(ProjectPostView {
                    post: post_from_row(row)?,
                    author: super::decode::<ActorRow>(row)?,
                    reply_count: column(row, "reply_count")?,
                })
            })
            .collect()
    }

    /// The threads of a project's forum, most recently active first.
    pub async fn project_threads(&self, project: ActorId) -> StoreResult<Vec<ProjectPostView>> {
        self.post_views(
            "project_posts.project_id = $1 AND project_posts.thread_id IS NULL",
            project.0,
            "project_posts.last_activity_at DESC",
        )
        .await
    }

    /// A thread's replies, oldest first.
    pub async fn project_replies(&self, thread: i64) -> StoreResult<Vec<ProjectPostView>> {
        self.post_views(
            "project_posts.thread_id = $1",
            thread,
            "project_posts.published_at",
        )
        .await
    }

    /// A document by id.
    pub async fn document(&self, id: i64) -> StoreResult<Option<DocumentRow>> {
        let row = sqlx::query(
            "SELECT id, project_id, ap_id, name, created_at, updated_at FROM project_documents \
             WHERE id = $1 AND deleted_at IS NULL",
        )
        .bind(id)
        .fetch_optional(self.pool())
        .await?;
        row.as_ref()
            .map(|row| {
                Ok(DocumentRow {
                    id: column(row, "id")?,
                    project_id: ActorId(column(row, "project_id")?),
                    ap_id: column(row, "ap_id")?,
                    name: column(row, "name")?,
                    created_at: column(row, "created_at")?,
                    updated_at: column(row, "updated_at")?,
                })
            })
            .transpose()
    }

    /// The document named by its first version's ActivityPub id.
    pub async fn document_by_ap_id(&self, ap_id: &str) -> StoreResult<Option<DocumentRow>> {
        let id: Option<i64> =
            sqlx::query_scalar("SELECT id FROM project_documents WHERE ap_id = $1")
                .bind(ap_id)
                .fetch_optional(self.pool())
                .await?;
        match id {
            Some(id) => self.document(id).await,
            None => Ok(None),
        }
    }

    /// A version by its ActivityPub id.
    pub async fn version_by_ap_id(&self, ap_id: &str) -> StoreResult<Option<VersionRow>> {
        let row = sqlx::query(&format!(
            "SELECT {VERSION_COLUMNS} FROM project_document_versions v WHERE v.ap_id = $1"
        ))
        .bind(ap_id)
        .fetch_optional(self.pool())
        .await?;
        row.as_ref().map(version_from_row).transpose()
    }

    /// A version by id.
    pub async fn version(&self, id: i64) -> StoreResult<Option<VersionRow>> {
        let row = sqlx::query(&format!(
            "SELECT {VERSION_COLUMNS} FROM project_document_versions v WHERE v.id = $1"
        ))
        .bind(id)
        .fetch_optional(self.pool())
        .await?;
        row.as_ref().map(version_from_row).transpose()
    }

    /// A project's documents (newest change first) with their versions.
    pub async fn project_documents(&self, project: ActorId) -> StoreResult<Vec<DocumentView>> {
        let rows = sqlx::query(&format!(
            "SELECT d.id AS doc_id, d.project_id, d.ap_id AS doc_ap_id, d.name AS doc_name, \
             d.created_at AS doc_created_at, d.updated_at AS doc_updated_at, {VERSION_COLUMNS}, {} \
             FROM project_documents d JOIN project_document_versions v ON v.document_id = d.id \
             JOIN actors ON actors.id = v.author_id \
             WHERE d.project_id = $1 AND d.deleted_at IS NULL \
             ORDER BY d.updated_at DESC, d.id, v.version DESC",
            qualified_actor_columns()
        ))
        .bind(project.0)
        .fetch_all(self.pool())
        .await?;
        let mut views: Vec<DocumentView> = Vec::new();
        for row in &rows {
            let id: i64 = column(row, "doc_id")?;
            if views.last().is_none_or(|view| view.document.id != id) {
                views.push(DocumentView {
                    document: DocumentRow {
                        id,
                        project_id: ActorId(column(row, "project_id")?),
                        ap_id: column(row, "doc_ap_id")?,
                        name: column(row, "doc_name")?,
                        created_at: column(row, "doc_created_at")?,
                        updated_at: column(row, "doc_updated_at")?,
                    },
                    versions: Vec::new(),
                });
            }
            if let Some(view) = views.last_mut() {
                view.versions
                    .push((version_from_row(row)?, super::decode::<ActorRow>(row)?));
            }
        }
        Ok(views)
    }

    /// The next version number of a document.
    pub async fn next_version(&self, document: i64) -> StoreResult<i64> {
        let max: Option<i64> = sqlx::query_scalar(
            "SELECT MAX(version) FROM project_document_versions WHERE document_id = $1",
        )
        .bind(document)
        .fetch_one(self.pool())
        .await?;
        Ok(max.unwrap_or(0) + 1)
    }

    /// An event by ActivityPub id.
    pub async fn event_by_ap_id(&self, ap_id: &str) -> StoreResult<Option<EventRow>> {
        let row = sqlx::query(&format!(
            "SELECT {EVENT_COLUMNS} FROM project_events e WHERE e.ap_id = $1"
        ))
        .bind(ap_id)
        .fetch_optional(self.pool())
        .await?;
        row.as_ref().map(event_from_row).transpose()
    }

    async fn event_views(&self, sql: &str, id: i64) -> StoreResult<Vec<EventView>> {
        let rows = sqlx::query(&format!(
            "SELECT {EVENT_COLUMNS}, {} FROM project_events e \
             JOIN actors ON actors.id = e.author_id WHERE e.deleted_at IS NULL AND {sql} \
             ORDER BY e.starts_at LIMIT 1000",
            qualified_actor_columns()
        ))
        .bind(id)
        .fetch_all(self.pool())
        .await?;
        let mut views = Vec::with_capacity(rows.len());
        for row in &rows {
            let event = event_from_row(row)?;
            let attendees = if event.for_all {
                Vec::new()
            } else {
                self.event_attendees(event.id).await?
            };
            views.push(EventView {
                event,
                author: super::decode::<ActorRow>(row)?,
                attendees,
            });
        }
        Ok(views)
    }

    /// The people an event is for.
    pub async fn event_attendees(&self, event: i64) -> StoreResult<Vec<ActorRow>> {
        let rows = sqlx::query(&format!(
            "SELECT {} FROM project_event_attendees a JOIN actors ON actors.id = a.actor_id \
             WHERE a.event_id = $1 ORDER BY actors.display_name",
            qualified_actor_columns()
        ))
        .bind(event)
        .fetch_all(self.pool())
        .await?;
        rows.iter().map(super::decode::<ActorRow>).collect()
    }

    /// A project's events, earliest first.
    pub async fn project_events(&self, project: ActorId) -> StoreResult<Vec<EventView>> {
        self.event_views("e.project_id = $1", project.0).await
    }

    /// The events of every project a person is a member of that are for
    /// all members or for them: their personal agenda.
    pub async fn agenda_of(&self, person: ActorId) -> StoreResult<Vec<EventView>> {
        self.event_views(
            "e.project_id IN (SELECT project_id FROM project_members \
               WHERE actor_id = $1 AND state = 'member') \
             AND (e.for_all = 1 OR e.author_id = $1 OR EXISTS (SELECT 1 FROM project_event_attendees a \
               WHERE a.event_id = e.id AND a.actor_id = $1))",
            person.0,
        )
        .await
    }
}
