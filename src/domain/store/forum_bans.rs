//! The `forum_bans` table: local teachers banned by remote forums they
//! follow (Lemmy's `Block` with the forum as `target`).

use super::{actors::ActorId, Store, StoreResult, Tx};

/// A ban of a local teacher by a remote forum.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct ForumBan {
    /// The forum's actor.
    pub forum_id: ActorId,
    /// The banned teacher's actor.
    pub actor_id: ActorId,
    /// The moderators' reason, as they wrote it (plain text).
    pub reason: String,
    /// When the ban ends, unix ms; `None` for no end.
    pub expires_at: Option<i64>,
    /// When it was received, unix ms.
    pub created_at: i64,
}

/// Records a ban, replacing an earlier one of the same teacher.
pub async fn upsert_ban(tx: &mut Tx, ban: &ForumBan, activity_id: &str) -> StoreResult<()> {
    sqlx::query("DELETE FROM forum_bans WHERE forum_id = $1 AND actor_id = $2")
        .bind(ban.forum_id.0)
        .bind(ban.actor_id.0)
        .execute(&mut **tx)
        .await?;
    sqlx::query(
        "INSERT INTO forum_bans (forum_id, actor_id, reason, expires_at, activity_id, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(ban.forum_id.0)
    .bind(ban.actor_id.0)
    .bind(&ban.reason)
    .bind(ban.expires_at)
    .bind(activity_id)
    .bind(ban.created_at)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Lifts a ban; true when there was one.
pub async fn delete_ban(tx: &mut Tx, forum: ActorId, actor: ActorId) -> StoreResult<bool> {
    let removed = sqlx::query("DELETE FROM forum_bans WHERE forum_id = $1 AND actor_id = $2")
        .bind(forum.0)
        .bind(actor.0)
        .execute(&mut **tx)
        .await?
        .rows_affected();
    Ok(removed > 0)
}

impl Store {
    /// The ban of `actor` by `forum` in force at `now` (unix ms), if any.
    pub async fn active_ban(
        &self,
        forum: ActorId,
        actor: ActorId,
        now: i64,
    ) -> StoreResult<Option<ForumBan>> {
        let row = sqlx::query_as(
            "SELECT forum_id, actor_id, reason, expires_at, created_at FROM forum_bans \
             WHERE forum_id = $1 AND actor_id = $2 AND (expires_at IS NULL OR expires_at > $3)",
        )
        .bind(forum.0)
        .bind(actor.0)
        .bind(now)
        .fetch_optional(self.pool())
        .await?;
        Ok(row)
    }
}
