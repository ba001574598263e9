//! What members share inside a project space: the internal forum
//! (`project_posts`) here; shared documents and their versions in
//! [`super::project_documents`], the agenda in [`super::project_events`]
//! (their items are re-exported here).

use super::{
    actors::{qualified_actor_columns, ActorId, ActorRow},
    projects::touch_project,
    IntBool, Store, StoreResult, Tx,
};

pub use super::project_documents::{
    insert_document, insert_version, DocumentRow, DocumentView, NewVersion, VersionRow,
};
pub use super::project_events::{insert_event, EventRow, EventView, NewEvent};

/// A post of a project's internal forum: a thread or a reply (decoded
/// from `POST_COLUMNS`).
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ProjectPostRow {
    /// Database id.
    #[sqlx(rename = "post_id")]
    pub id: i64,
    /// ActivityPub id.
    #[sqlx(rename = "post_ap_id")]
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
    #[sqlx(rename = "post_local", try_from = "IntBool")]
    pub local: bool,
}

/// A post with its author.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ProjectPostView {
    /// The post.
    #[sqlx(flatten)]
    pub post: ProjectPostRow,
    /// Its author.
    #[sqlx(flatten)]
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

pub(super) const POST_COLUMNS: &str = "project_posts.id AS post_id, project_posts.ap_id AS post_ap_id, \
     project_posts.project_id, project_posts.thread_id, project_posts.in_reply_to_id, \
     project_posts.author_id, project_posts.title, project_posts.source, project_posts.content_html, \
     project_posts.published_at, project_posts.deleted_at, project_posts.refused_at, \
     project_posts.refused_reason, project_posts.last_activity_at, project_posts.local AS post_local";

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

/// Inserts a post; returns its id. Bumps the thread and the project.
pub async fn insert_post(tx: &mut Tx, post: &NewProjectPost) -> StoreResult<i64> {
    // A thread's replies take their ids in the order they commit (the
    // thread's live stream sends "what came after").
    if let Some(thread) = post.thread_id {
        tx.lock_row("project_posts", thread).await?;
    }
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

/// The title of project post `id` (a thread's), empty when unknown.
pub async fn post_title(tx: &mut Tx, id: i64) -> StoreResult<String> {
    let title: Option<String> = sqlx::query_scalar("SELECT title FROM project_posts WHERE id = $1")
        .bind(id)
        .fetch_optional(&mut **tx)
        .await?;
    Ok(title.unwrap_or_default())
}

impl Store {
    /// The highest post id of project thread `thread` (its own id without
    /// replies).
    pub async fn last_project_reply_id(&self, thread: i64) -> StoreResult<i64> {
        let last: Option<i64> =
            sqlx::query_scalar("SELECT MAX(id) FROM project_posts WHERE thread_id = $1")
                .bind(thread)
                .fetch_one(self.pool())
                .await?;
        Ok(last.unwrap_or(thread).max(thread))
    }

    /// The replies of project thread `thread` with an id above `after`,
    /// not deleted, oldest first, at most `limit`.
    pub async fn project_replies_after(
        &self,
        thread: i64,
        after: i64,
        limit: i64,
    ) -> StoreResult<Vec<ProjectPostView>> {
        Ok(sqlx::query_as(&format!(
            "SELECT {POST_COLUMNS}, {}, CAST(0 AS BIGINT) AS reply_count \
             FROM project_posts JOIN actors ON actors.id = project_posts.author_id \
             WHERE project_posts.thread_id = $1 AND project_posts.id > $2 \
             AND project_posts.deleted_at IS NULL ORDER BY project_posts.id LIMIT $3",
            qualified_actor_columns()
        ))
        .bind(thread)
        .bind(after)
        .bind(limit)
        .fetch_all(self.pool())
        .await?)
    }

    /// Project post `id` with its author, if not deleted.
    pub async fn project_post_view(&self, id: i64) -> StoreResult<Option<ProjectPostView>> {
        Ok(self
            .post_views(
                "project_posts.id = $1 AND project_posts.deleted_at IS NULL",
                id,
                "project_posts.id",
            )
            .await?
            .into_iter()
            .next())
    }

    /// A project post by id.
    pub async fn project_post(&self, id: i64) -> StoreResult<Option<ProjectPostRow>> {
        Ok(sqlx::query_as(&format!(
            "SELECT {POST_COLUMNS} FROM project_posts WHERE project_posts.id = $1"
        ))
        .bind(id)
        .fetch_optional(self.pool())
        .await?)
    }

    /// A project post by ActivityPub id.
    pub async fn project_post_by_ap_id(&self, ap_id: &str) -> StoreResult<Option<ProjectPostRow>> {
        Ok(sqlx::query_as(&format!(
            "SELECT {POST_COLUMNS} FROM project_posts WHERE project_posts.ap_id = $1"
        ))
        .bind(ap_id)
        .fetch_optional(self.pool())
        .await?)
    }

    async fn post_views(
        &self,
        sql_where: &str,
        id: i64,
        order: &str,
    ) -> StoreResult<Vec<ProjectPostView>> {
        Ok(sqlx::query_as(&format!(
            "SELECT {POST_COLUMNS}, {}, \
             (SELECT COUNT(*) FROM project_posts r WHERE r.thread_id = project_posts.id \
              AND r.deleted_at IS NULL) AS reply_count \
             FROM project_posts JOIN actors ON actors.id = project_posts.author_id \
             WHERE {sql_where} ORDER BY {order} LIMIT 500",
            qualified_actor_columns()
        ))
        .bind(id)
        .fetch_all(self.pool())
        .await?)
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
}
