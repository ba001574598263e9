//! A project's activity (the `project_log` table): lines added as things
//! happen, replaced wholesale for a mirrored remote project, read newest
//! first.

use super::{
    actors::ActorId,
    projects::{touch_project, LogEntry, NewLogEntry},
    Store, StoreResult, Tx,
};

/// Adds a line to a project's activity.
pub async fn insert_log(tx: &mut Tx, project: ActorId, entry: &NewLogEntry) -> StoreResult<()> {
    sqlx::query(
        "INSERT INTO project_log (project_id, kind, actor_id, subject_id, detail, at) \
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(project.0)
    .bind(&entry.kind)
    .bind(entry.actor_id.map(|a| a.0))
    .bind(entry.subject_id.map(|a| a.0))
    .bind(&entry.detail)
    .bind(entry.at)
    .execute(&mut **tx)
    .await?;
    touch_project(tx, project, entry.at).await
}

/// Replaces the activity of a mirrored remote project.
pub async fn replace_log(
    tx: &mut Tx,
    project: ActorId,
    entries: &[NewLogEntry],
) -> StoreResult<()> {
    sqlx::query("DELETE FROM project_log WHERE project_id = $1")
        .bind(project.0)
        .execute(&mut **tx)
        .await?;
    for entry in entries {
        insert_log(tx, project, entry).await?;
    }
    Ok(())
}

/// A `project_log` line as stored; [`LogEntry`] carries the actors its
/// ids name, read apart.
#[derive(sqlx::FromRow)]
struct LogLine {
    kind: String,
    actor_id: Option<ActorId>,
    subject_id: Option<ActorId>,
    detail: String,
    at: i64,
}

impl Store {
    /// A project's activity, newest first.
    pub async fn project_log(&self, project: ActorId, limit: i64) -> StoreResult<Vec<LogEntry>> {
        let lines: Vec<LogLine> = sqlx::query_as(
            "SELECT kind, actor_id, subject_id, detail, at FROM project_log \
             WHERE project_id = $1 ORDER BY at DESC, id DESC LIMIT $2",
        )
        .bind(project.0)
        .bind(limit)
        .fetch_all(self.pool())
        .await?;
        let mut entries = Vec::with_capacity(lines.len());
        for line in lines {
            let actor = match line.actor_id {
                Some(id) => self.actor_by_id(id).await?,
                None => None,
            };
            let subject = match line.subject_id {
                Some(id) => self.actor_by_id(id).await?,
                None => None,
            };
            entries.push(LogEntry {
                kind: line.kind,
                actor,
                subject,
                detail: line.detail,
                at: line.at,
            });
        }
        Ok(entries)
    }
}
