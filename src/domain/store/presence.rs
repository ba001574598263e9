//! The `presence` table: each person's status (available, away, busy), as
//! a local teacher chose it (and whether they are shown away for being
//! idle), or as a remote person's instance last sent it. Who may see it is
//! the domain's rule, not the store's.

use super::{actors::ActorId, IntBool, Store, StoreResult, Tx};

/// A person's presence row.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct PresenceRow {
    /// The person.
    pub actor_id: ActorId,
    /// `available`, `away` or `busy`: what they chose (or sent).
    pub chosen: String,
    /// A local teacher idle longer than the instance's idle time: shown
    /// away whatever they chose.
    #[sqlx(try_from = "IntBool")]
    pub idle: bool,
}

const COLUMNS: &str = "actor_id, chosen, idle";

impl Store {
    /// The presence row of `person`, if any.
    pub async fn presence(&self, person: ActorId) -> StoreResult<Option<PresenceRow>> {
        Ok(sqlx::query_as(&format!(
            "SELECT {COLUMNS} FROM presence WHERE actor_id = $1"
        ))
        .bind(person.0)
        .fetch_optional(self.pool())
        .await?)
    }

    /// The presence rows of `people` (those that have one).
    pub async fn presences(&self, people: &[ActorId]) -> StoreResult<Vec<PresenceRow>> {
        let mut rows = Vec::new();
        // Bounded chunks: one placeholder per person.
        for chunk in people.chunks(200) {
            let placeholders: Vec<String> = (1..=chunk.len()).map(|i| format!("${i}")).collect();
            let sql = format!(
                "SELECT {COLUMNS} FROM presence WHERE actor_id IN ({})",
                placeholders.join(", ")
            );
            let mut query = sqlx::query_as::<_, PresenceRow>(&sql);
            for person in chunk {
                query = query.bind(person.0);
            }
            rows.extend(query.fetch_all(self.pool()).await?);
        }
        Ok(rows)
    }
}

/// Records a request or an open stream of local teacher `person` at the
/// transaction's time. A teacher seen for the first time starts idle, so
/// that [`end_idle`] shows them as they chose. Returns whether they were
/// idle (then shown away) before this.
pub async fn touch(tx: &mut Tx, person: ActorId) -> StoreResult<bool> {
    let now = tx.now_ms();
    let idle: i64 = sqlx::query_scalar(
        "INSERT INTO presence (actor_id, chosen, idle, active_at, changed_at) \
         VALUES ($1, 'available', 1, $2, $2) \
         ON CONFLICT (actor_id) DO UPDATE SET active_at = excluded.active_at \
         RETURNING idle",
    )
    .bind(person.0)
    .bind(now)
    .fetch_one(&mut **tx)
    .await?;
    Ok(idle != 0)
}

/// Records that `people` (local teachers with a live stream open) are
/// active at the transaction's time.
pub async fn keep_active(tx: &mut Tx, people: &[ActorId]) -> StoreResult<()> {
    let now = tx.now_ms();
    // Bounded chunks: one placeholder per person.
    for chunk in people.chunks(200) {
        let placeholders: Vec<String> = (2..chunk.len() + 2).map(|i| format!("${i}")).collect();
        let sql = format!(
            "UPDATE presence SET active_at = $1 WHERE actor_id IN ({})",
            placeholders.join(", ")
        );
        let mut query = sqlx::query(&sql).bind(now);
        for person in chunk {
            query = query.bind(person.0);
        }
        query.execute(&mut **tx).await?;
    }
    Ok(())
}

/// A local teacher is no longer idle; returns what they chose.
pub async fn end_idle(tx: &mut Tx, person: ActorId) -> StoreResult<Option<String>> {
    Ok(sqlx::query_scalar(
        "UPDATE presence SET idle = 0, changed_at = $2 WHERE actor_id = $1 AND idle = 1 \
         RETURNING chosen",
    )
    .bind(person.0)
    .bind(tx.now_ms())
    .fetch_optional(&mut **tx)
    .await?)
}

/// Local teachers with no activity since `before` are idle from now;
/// returns them with what they chose. Only the rows of local teachers
/// are ever touched, so only they can turn idle.
pub async fn mark_idle(tx: &mut Tx, before: i64) -> StoreResult<Vec<(ActorId, String)>> {
    let rows: Vec<(i64, String)> = sqlx::query_as(
        "UPDATE presence SET idle = 1, changed_at = $2 \
         WHERE idle = 0 AND active_at < $1 \
         AND actor_id IN (SELECT actor_id FROM accounts) \
         RETURNING actor_id, chosen",
    )
    .bind(before)
    .bind(tx.now_ms())
    .fetch_all(&mut **tx)
    .await?;
    Ok(rows
        .into_iter()
        .map(|(person, chosen)| (ActorId(person), chosen))
        .collect())
}

/// A local teacher's choice; returns the row before (if any).
pub async fn choose(
    tx: &mut Tx,
    person: ActorId,
    chosen: &str,
) -> StoreResult<Option<PresenceRow>> {
    let before: Option<PresenceRow> = sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM presence WHERE actor_id = $1"
    ))
    .bind(person.0)
    .fetch_optional(&mut **tx)
    .await?;
    let now = tx.now_ms();
    sqlx::query(
        "INSERT INTO presence (actor_id, chosen, idle, active_at, changed_at) \
         VALUES ($1, $2, 0, $3, $3) \
         ON CONFLICT (actor_id) DO UPDATE SET chosen = excluded.chosen, idle = 0, \
         active_at = excluded.active_at, changed_at = excluded.changed_at",
    )
    .bind(person.0)
    .bind(chosen)
    .bind(now)
    .execute(&mut **tx)
    .await?;
    Ok(before)
}

/// A remote person's status as their instance sent it, updated at
/// `updated` (unix ms); `false` (nothing written) when what is stored is
/// as recent or more.
pub async fn store_remote(
    tx: &mut Tx,
    person: ActorId,
    status: &str,
    updated: i64,
) -> StoreResult<bool> {
    let written = sqlx::query(
        "INSERT INTO presence (actor_id, chosen, idle, active_at, changed_at) \
         VALUES ($1, $2, 0, $3, $3) \
         ON CONFLICT (actor_id) DO UPDATE SET chosen = excluded.chosen, \
         changed_at = excluded.changed_at, active_at = excluded.active_at \
         WHERE presence.changed_at < excluded.changed_at",
    )
    .bind(person.0)
    .bind(status)
    .bind(updated)
    .execute(&mut **tx)
    .await?
    .rows_affected();
    Ok(written > 0)
}
