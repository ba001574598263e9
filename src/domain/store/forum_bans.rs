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

/// A ban as the forum's moderators list it: a person (`handle` and
/// `actor_id`) or a whole instance (`handle` its domain, no `actor_id`).
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct BanListing {
    /// The banned person's actor; `None` for an instance ban.
    pub actor_id: Option<i64>,
    /// The banned person's name (empty for an instance ban).
    pub name: String,
    /// The banned person's domain (empty when local), or the banned domain.
    pub domain: String,
    /// The banned person's display name (empty for an instance ban).
    pub display_name: String,
    /// The moderators' reason.
    pub reason: String,
    /// When the ban ends, unix ms; `None` for good.
    pub expires_at: Option<i64>,
    /// When it was decided, unix ms.
    pub created_at: i64,
    /// The name and domain of the moderator who banned, if known.
    pub by_name: Option<String>,
    /// The domain of the moderator who banned (empty when local).
    pub by_domain: Option<String>,
}

/// Records who banned a person (a local forum's moderator).
pub async fn set_banned_by(
    tx: &mut Tx,
    forum: ActorId,
    actor: ActorId,
    by: ActorId,
) -> StoreResult<()> {
    sqlx::query("UPDATE forum_bans SET banned_by = $3 WHERE forum_id = $1 AND actor_id = $2")
        .bind(forum.0)
        .bind(actor.0)
        .bind(by.0)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// A ban of a whole instance (`domain`) by a forum.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InstanceBan {
    /// The forum's actor.
    pub forum_id: ActorId,
    /// The banned domain, lower case.
    pub domain: String,
    /// The moderators' reason.
    pub reason: String,
    /// When the ban ends, unix ms; `None` for good.
    pub expires_at: Option<i64>,
    /// The moderator who banned.
    pub banned_by: ActorId,
    /// When it was decided, unix ms.
    pub created_at: i64,
}

/// Records an instance ban, replacing an earlier one of the same domain.
pub async fn upsert_instance_ban(tx: &mut Tx, ban: &InstanceBan) -> StoreResult<()> {
    delete_instance_ban(tx, ban.forum_id, &ban.domain).await?;
    sqlx::query(
        "INSERT INTO forum_instance_bans \
         (forum_id, domain, reason, expires_at, banned_by, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(ban.forum_id.0)
    .bind(&ban.domain)
    .bind(&ban.reason)
    .bind(ban.expires_at)
    .bind(ban.banned_by.0)
    .bind(ban.created_at)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Lifts an instance ban; true when there was one.
pub async fn delete_instance_ban(tx: &mut Tx, forum: ActorId, domain: &str) -> StoreResult<bool> {
    let removed =
        sqlx::query("DELETE FROM forum_instance_bans WHERE forum_id = $1 AND domain = $2")
            .bind(forum.0)
            .bind(domain)
            .execute(&mut **tx)
            .await?
            .rows_affected();
    Ok(removed > 0)
}

impl Store {
    /// Whether `actor` (of `domain`, empty when local) is banned from
    /// `forum` at `now`, in person or with its whole instance.
    pub async fn is_banned(
        &self,
        forum: ActorId,
        actor: ActorId,
        domain: &str,
        now: i64,
    ) -> StoreResult<bool> {
        let found: Option<i64> = sqlx::query_scalar(
            "SELECT CAST(1 AS BIGINT) FROM forum_bans \
             WHERE forum_id = $1 AND actor_id = $2 AND (expires_at IS NULL OR expires_at > $4) \
             UNION ALL SELECT CAST(1 AS BIGINT) FROM forum_instance_bans \
             WHERE forum_id = $1 AND domain = $3 AND domain <> '' \
             AND (expires_at IS NULL OR expires_at > $4) LIMIT 1",
        )
        .bind(forum.0)
        .bind(actor.0)
        .bind(domain.to_lowercase())
        .bind(now)
        .fetch_optional(self.pool())
        .await?;
        Ok(found.is_some())
    }

    /// The bans of `forum` in force at `now`: people first, then
    /// instances, newest first.
    pub async fn forum_ban_list(&self, forum: ActorId, now: i64) -> StoreResult<Vec<BanListing>> {
        let people: Vec<BanListing> = sqlx::query_as(
            "SELECT forum_bans.actor_id AS actor_id, a.name AS name, a.domain AS domain, \
             a.display_name AS display_name, forum_bans.reason AS reason, \
             forum_bans.expires_at AS expires_at, forum_bans.created_at AS created_at, \
             b.name AS by_name, b.domain AS by_domain \
             FROM forum_bans JOIN actors a ON a.id = forum_bans.actor_id \
             LEFT JOIN actors b ON b.id = forum_bans.banned_by \
             WHERE forum_bans.forum_id = $1 \
             AND (forum_bans.expires_at IS NULL OR forum_bans.expires_at > $2) \
             ORDER BY forum_bans.created_at DESC",
        )
        .bind(forum.0)
        .bind(now)
        .fetch_all(self.pool())
        .await?;
        let instances: Vec<BanListing> = sqlx::query_as(
            "SELECT CAST(NULL AS BIGINT) AS actor_id, '' AS name, i.domain AS domain, \
             '' AS display_name, i.reason AS reason, i.expires_at AS expires_at, \
             i.created_at AS created_at, b.name AS by_name, b.domain AS by_domain \
             FROM forum_instance_bans i LEFT JOIN actors b ON b.id = i.banned_by \
             WHERE i.forum_id = $1 AND (i.expires_at IS NULL OR i.expires_at > $2) \
             ORDER BY i.created_at DESC",
        )
        .bind(forum.0)
        .bind(now)
        .fetch_all(self.pool())
        .await?;
        Ok(people.into_iter().chain(instances).collect())
    }
}
