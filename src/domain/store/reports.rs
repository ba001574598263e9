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

/// A report waiting for moderators.
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
    /// The reported post.
    pub post_id: Option<PostId>,
    /// The reported object's id.
    pub object_ap_id: String,
    /// Why.
    pub reason: String,
    /// When, unix ms.
    pub created_at: i64,
}

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

impl Store {
    /// Open reports of a forum, oldest first.
    pub async fn open_reports(&self, forum: ActorId) -> StoreResult<Vec<ReportRow>> {
        Ok(sqlx::query_as(
            "SELECT reports.id, actors.name, actors.domain, reports.post_id, reports.object_ap_id, \
             reports.reason, reports.created_at FROM reports JOIN actors ON actors.id = reports.reporter_id \
             WHERE reports.forum_id = $1 AND reports.resolved_at IS NULL ORDER BY reports.created_at",
        )
        .bind(forum.0)
        .fetch_all(self.pool())
        .await?)
    }
}
