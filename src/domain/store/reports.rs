//! The `reports` table: reports of forum posts (local or received as
//! `Flag`), for the forum's moderators.

use super::{actors::ActorId, posts::PostId, Store, StoreResult, Tx};

/// A report to insert.
#[derive(Debug, Clone)]
pub struct NewReport {
    /// The Flag's id.
    pub activity_id: String,
    /// Who reports.
    pub reporter_id: ActorId,
    /// The forum whose moderators handle it.
    pub forum_id: Option<ActorId>,
    /// The reported post, when known here.
    pub post_id: Option<PostId>,
    /// The reported object's id.
    pub object_ap_id: String,
    /// Why.
    pub reason: String,
}

/// A report waiting for moderators, with what the queue shows of its
/// forum and post.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ReportRow {
    /// Database id.
    pub id: i64,
    /// Who reported (display name and handle parts).
    #[sqlx(rename = "name")]
    pub reporter_name: String,
    /// Empty when local.
    #[sqlx(rename = "domain")]
    pub reporter_domain: String,
    /// The forum whose moderators handle it.
    pub forum_id: Option<i64>,
    /// The forum's name (its actor's), empty when unknown.
    pub forum_name: String,
    /// The forum's domain, empty when local.
    pub forum_domain: String,
    /// The forum's title, empty when unknown.
    pub forum_title: String,
    /// The reported post.
    pub post_id: Option<PostId>,
    /// The thread the post is in (itself for a thread).
    pub thread_id: Option<i64>,
    /// The thread's title.
    pub thread_title: String,
    /// The reported post's author, `NAME` and domain (empty when local).
    pub author_name: String,
    /// See `author_name`.
    pub author_domain: String,
    /// When the post was removed by moderation, if it was.
    pub post_removed_at: Option<i64>,
    /// The reported object's id.
    pub object_ap_id: String,
    /// Why.
    pub reason: String,
    /// When, unix ms.
    pub created_at: i64,
}

/// A post of one author that moderators removed, as its author sees it.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct RemovedPostRow {
    /// The post.
    pub id: i64,
    /// Its thread's title.
    pub thread_title: String,
    /// Why it was removed.
    pub reason: String,
    /// When, unix ms.
    pub removed_at: i64,
}

/// How a report is closed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReportOutcome {
    /// A moderator acted on it (removed the post or otherwise handled it).
    Resolved,
    /// Classed without action.
    Dismissed,
}

impl ReportOutcome {
    fn as_str(self) -> &'static str {
        match self {
            ReportOutcome::Resolved => "resolved",
            ReportOutcome::Dismissed => "dismissed",
        }
    }
}

/// The columns and joins of [`ReportRow`]; callers add `WHERE`.
const REPORT_SELECT: &str = "SELECT reports.id, reporter.name, reporter.domain, reports.forum_id, \
     COALESCE(forum_actor.name, '') AS forum_name, COALESCE(forum_actor.domain, '') AS forum_domain, \
     COALESCE(forums.title, '') AS forum_title, reports.post_id, \
     COALESCE(posts.thread_id, posts.id) AS thread_id, COALESCE(thread.title, posts.title, '') AS thread_title, \
     COALESCE(author.name, '') AS author_name, COALESCE(author.domain, '') AS author_domain, \
     posts.removed_at AS post_removed_at, reports.object_ap_id, reports.reason, reports.created_at \
     FROM reports JOIN actors reporter ON reporter.id = reports.reporter_id \
     LEFT JOIN actors forum_actor ON forum_actor.id = reports.forum_id \
     LEFT JOIN forums ON forums.actor_id = reports.forum_id \
     LEFT JOIN posts ON posts.id = reports.post_id \
     LEFT JOIN posts thread ON thread.id = posts.thread_id \
     LEFT JOIN actors author ON author.id = posts.author_id ";

/// Records a report (idempotent per Flag id).
pub async fn insert_report(tx: &mut Tx, report: &NewReport) -> StoreResult<()> {
    sqlx::query(
        "INSERT INTO reports (activity_id, reporter_id, forum_id, post_id, object_ap_id, reason, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (activity_id) DO NOTHING",
    )
    .bind(&report.activity_id)
    .bind(report.reporter_id.0)
    .bind(report.forum_id.map(|f| f.0))
    .bind(report.post_id.map(|p| p.0))
    .bind(&report.object_ap_id)
    .bind(&report.reason)
    .bind(tx.now_ms())
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Closes one open report; answers whether it was open.
pub async fn close_report(
    tx: &mut Tx,
    id: i64,
    outcome: ReportOutcome,
    by: ActorId,
    note: &str,
) -> StoreResult<bool> {
    let changed = sqlx::query(
        "UPDATE reports SET state = $1, resolved_by = $2, resolution_note = $3, resolved_at = $4 \
         WHERE id = $5 AND state = 'open'",
    )
    .bind(outcome.as_str())
    .bind(by.0)
    .bind(note)
    .bind(tx.now_ms())
    .bind(id)
    .execute(&mut **tx)
    .await?
    .rows_affected();
    Ok(changed > 0)
}

/// Resolves every open report of a post its moderators removed.
pub async fn resolve_reports_of_post(
    tx: &mut Tx,
    post: PostId,
    by: ActorId,
    note: &str,
) -> StoreResult<()> {
    sqlx::query(
        "UPDATE reports SET state = 'resolved', resolved_by = $1, resolution_note = $2, resolved_at = $3 \
         WHERE post_id = $4 AND state = 'open'",
    )
    .bind(by.0)
    .bind(note)
    .bind(tx.now_ms())
    .bind(post.0)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

impl Store {
    /// Open reports of a forum, oldest first.
    pub async fn open_reports(&self, forum: ActorId) -> StoreResult<Vec<ReportRow>> {
        Ok(sqlx::query_as(&format!(
            "{REPORT_SELECT} WHERE reports.forum_id = $1 AND reports.state = 'open' ORDER BY reports.created_at, reports.id"
        ))
        .bind(forum.0)
        .fetch_all(self.pool())
        .await?)
    }

    /// The moderators' queue: open reports of every forum `moderator`
    /// moderates, or of every forum when `all` (admins), oldest first.
    pub async fn open_reports_queue(
        &self,
        moderator: ActorId,
        all: bool,
    ) -> StoreResult<Vec<ReportRow>> {
        Ok(sqlx::query_as(&format!(
            "{REPORT_SELECT} WHERE reports.state = 'open' AND ($2 OR reports.forum_id IN \
             (SELECT forum_id FROM forum_moderators WHERE actor_id = $1)) \
             ORDER BY reports.created_at, reports.id"
        ))
        .bind(moderator.0)
        .bind(all)
        .fetch_all(self.pool())
        .await?)
    }

    /// The latest posts of `author` in `forum` that moderators removed.
    pub async fn removed_posts_of(
        &self,
        forum: ActorId,
        author: ActorId,
        limit: i64,
    ) -> StoreResult<Vec<RemovedPostRow>> {
        Ok(sqlx::query_as(
            "SELECT posts.id, COALESCE(thread.title, posts.title) AS thread_title, \
             COALESCE(posts.removed_reason, '') AS reason, posts.removed_at \
             FROM posts LEFT JOIN posts thread ON thread.id = posts.thread_id \
             WHERE posts.forum_id = $1 AND posts.author_id = $2 AND posts.removed_at IS NOT NULL \
             AND posts.deleted_at IS NULL ORDER BY posts.removed_at DESC, posts.id DESC LIMIT $3",
        )
        .bind(forum.0)
        .bind(author.0)
        .bind(limit)
        .fetch_all(self.pool())
        .await?)
    }

    /// One report, open or not.
    pub async fn report(&self, id: i64) -> StoreResult<Option<ReportRow>> {
        Ok(
            sqlx::query_as(&format!("{REPORT_SELECT} WHERE reports.id = $1"))
                .bind(id)
                .fetch_optional(self.pool())
                .await?,
        )
    }

    /// A report's state (`open`, `resolved`, `dismissed`), `None` when unknown.
    pub async fn report_state(&self, id: i64) -> StoreResult<Option<String>> {
        Ok(
            sqlx::query_scalar("SELECT state FROM reports WHERE id = $1")
                .bind(id)
                .fetch_optional(self.pool())
                .await?,
        )
    }
}
