//! The outbox: `outgoing_activities`, `deliveries` and `peers`.
//!
//! An activity is written with one delivery row per destination inbox in
//! the transaction of the change that caused it. Workers claim due rows
//! with a lease (`claimed_until`), so a crash mid-send only delays a
//! delivery until the lease ends; receivers de-duplicate by activity id.
//! Claiming is the one engine-specific statement: PostgreSQL uses
//! `FOR UPDATE SKIP LOCKED` so several processes can share the work, and
//! a delivery is claimed by one process at a time (see
//! [`Store::claim_deliveries`]).

use super::{actors::ActorId, Engine, Store, StoreResult, Tx};
use std::sync::Arc;

/// An outgoing activity, as the deliveries claimed together share it.
#[derive(Debug, sqlx::FromRow)]
pub struct ClaimedActivity {
    /// The outgoing activity row id.
    #[sqlx(rename = "activity_row")]
    pub row: i64,
    /// The activity's ActivityPub id.
    pub ap_id: String,
    /// The local actor that signs it.
    pub actor_id: ActorId,
    /// The JSON to send.
    pub body: String,
    /// When the activity was queued, unix ms.
    pub created_at: i64,
}

/// A delivery claimed by a worker.
#[derive(Debug, Clone)]
pub struct DueDelivery {
    /// Delivery row id.
    pub id: i64,
    /// What to send.
    pub activity: Arc<ClaimedActivity>,
    /// Destination inbox.
    pub inbox: String,
    /// Destination host (with port), for per-peer limits and health.
    pub host: String,
    /// Attempts made so far.
    pub attempts: i64,
}

/// A delivery row as a claim returns it, before its activity is read.
#[derive(sqlx::FromRow)]
struct ClaimedRow {
    id: i64,
    activity_id: i64,
    inbox: String,
    host: String,
    attempts: i64,
}

/// The number of deliveries in one state.
#[derive(sqlx::FromRow)]
struct StateCount {
    state: String,
    n: i64,
}

/// Health of a peer host.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct PeerRow {
    /// Host with port.
    pub host: String,
    /// Consecutive failures.
    pub failures: i64,
    /// Since when it counts as unreachable.
    pub unreachable_since: Option<i64>,
    /// When to try it again.
    pub next_probe_at: Option<i64>,
}

/// Counts of deliveries by state, for tests, the admin and benchmarks.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct DeliveryCounts {
    /// Waiting or being retried.
    pub pending: i64,
    /// Delivered (or refused for good by the peer).
    pub done: i64,
    /// Given up after the retry window.
    pub failed: i64,
    /// Refused for good by the peer (a 4xx other than 408 and 429).
    pub refused: i64,
}

#[cfg(feature = "test-support")]
/// Attempts made and leases held over all deliveries, to check that no
/// delivery was sent twice (tests and benchmarks).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, sqlx::FromRow)]
pub struct DeliveryAttempts {
    /// Deliveries in any state.
    pub deliveries: i64,
    /// Attempts made, summed over every delivery.
    pub attempts: i64,
    /// Deliveries claimed by a worker and not yet settled.
    pub leased: i64,
}

/// Host (with port) of an inbox URL.
pub fn host_of_inbox(inbox: &str) -> String {
    url::Url::parse(inbox)
        .ok()
        .and_then(|url| {
            url.host_str().map(|host| match url.port() {
                Some(port) => format!("{host}:{port}"),
                None => host.to_string(),
            })
        })
        .unwrap_or_default()
}

/// Stores an activity and its deliveries in the caller's transaction.
/// Inboxes are de-duplicated. Returns the activity row id.
pub async fn enqueue(
    tx: &mut Tx,
    ap_id: &str,
    actor: ActorId,
    body: &str,
    inboxes: &[String],
) -> StoreResult<i64> {
    let now = tx.now_ms();
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO outgoing_activities (ap_id, actor_id, body, created_at) VALUES ($1, $2, $3, $4) RETURNING id",
    )
    .bind(ap_id)
    .bind(actor.0)
    .bind(body)
    .bind(now)
    .fetch_one(&mut **tx)
    .await?;
    #[cfg(not(feature = "test-support"))]
    let due = now;
    #[cfg(feature = "test-support")]
    let due = held::until(body).unwrap_or(now);
    let mut seen = std::collections::HashSet::new();
    for inbox in inboxes {
        if !seen.insert(inbox.as_str()) {
            continue;
        }
        sqlx::query(
            "INSERT INTO deliveries (activity_id, inbox, host, state, next_attempt_at, created_at) \
             VALUES ($1, $2, $3, 'pending', $4, $5)",
        )
        .bind(id)
        .bind(inbox)
        .bind(host_of_inbox(inbox))
        .bind(due)
        .bind(now)
        .execute(&mut **tx)
        .await?;
    }
    Ok(id)
}

/// Deliveries held back on purpose, for tests that need one activity to
/// arrive after others sent later (the delivery worker would otherwise
/// send it at once).
#[cfg(feature = "test-support")]
pub mod held {
    use std::sync::Mutex;

    /// (texts, until): an activity whose JSON contains every one of
    /// `texts` is first due at `until` (unix ms, the sender's clock).
    type Hold = (Vec<String>, i64);
    static HELD: Mutex<Vec<Hold>> = Mutex::new(Vec::new());

    /// From now on, activities whose JSON contains every one of `texts`
    /// are queued to be first sent at `until`. Every instance of the
    /// process obeys it: name something only one sender sends (URLs with
    /// their ports).
    pub fn hold_containing(texts: &[&str], until: i64) {
        let mut held = HELD.lock().unwrap_or_else(|e| e.into_inner());
        held.push((texts.iter().map(|t| t.to_string()).collect(), until));
    }

    /// When an activity with JSON `body` is first due, when held.
    pub(super) fn until(body: &str) -> Option<i64> {
        let held = HELD.lock().unwrap_or_else(|e| e.into_inner());
        held.iter()
            .filter(|(texts, _)| texts.iter().all(|text| body.contains(text.as_str())))
            .map(|(_, until)| *until)
            .max()
    }
}

impl Store {
    /// Claims up to `limit` due deliveries for `lease_ms`, at most
    /// `per_host` of them for one host and none for the hosts in `skip`
    /// (those already at their concurrency limit), so one big peer does
    /// not fill every worker. Each activity's body is read once.
    pub async fn claim_deliveries(
        &self,
        limit: i64,
        per_host: i64,
        skip: &[String],
        lease_ms: i64,
    ) -> StoreResult<Vec<DueDelivery>> {
        let now = self.now_ms();
        let lock = match self.engine() {
            Engine::Postgres => " FOR UPDATE SKIP LOCKED",
            Engine::Sqlite => "",
        };
        let skipped = if skip.is_empty() {
            String::new()
        } else {
            let list: Vec<String> = (0..skip.len()).map(|i| format!("${}", i + 5)).collect();
            format!(" AND host NOT IN ({})", list.join(", "))
        };
        // `due` picks the first `per_host` due rows of each host from this
        // statement's snapshot. On PostgreSQL another process may claim or
        // finish those rows between the snapshot and the lock: `FOR
        // UPDATE` then rereads the newest version of each row and keeps it
        // only if the conditions written beside it still hold, so the
        // claimable condition is repeated at the locking level for a row
        // to be claimed by one process only; the rows locked then stay as
        // they are until the update. SQLite's UPDATE takes the single
        // write lock before its first read, so there the snapshot is
        // already the newest state. Both steps are materialized so each
        // runs once whatever the planner estimates (inlined, the window
        // ran once per candidate row).
        let claimable = "state = 'pending' AND next_attempt_at <= $2 \
                         AND (claimed_until IS NULL OR claimed_until < $2)";
        let sql = format!(
            "WITH due AS MATERIALIZED (SELECT id FROM (SELECT id, next_attempt_at, \
             ROW_NUMBER() OVER (PARTITION BY host ORDER BY next_attempt_at, id) AS nth \
             FROM deliveries WHERE {claimable}{skipped}) ranked \
             WHERE nth <= $4 ORDER BY next_attempt_at, id LIMIT $3), \
             picked AS MATERIALIZED (SELECT id FROM deliveries WHERE id IN (SELECT id FROM due) \
             AND {claimable}{lock}) \
             UPDATE deliveries SET claimed_until = $1 WHERE id IN (SELECT id FROM picked) \
             RETURNING id, activity_id, inbox, host, attempts"
        );
        let mut query = sqlx::query_as::<_, ClaimedRow>(&sql)
            .bind(now + lease_ms)
            .bind(now)
            .bind(limit)
            .bind(per_host);
        for host in skip {
            query = query.bind(host);
        }
        // A lease lost with the database server only lets the rows be
        // claimed again: on PostgreSQL its commit does not wait for the
        // disk, which every message's first hop would otherwise wait for.
        let claimed = match self.begin_unflushed().await? {
            Some(mut tx) => {
                let claimed = query.fetch_all(&mut *tx).await?;
                tx.commit().await?;
                claimed
            }
            None => query.fetch_all(self.pool()).await?,
        };
        let mut activities: std::collections::HashMap<i64, Arc<ClaimedActivity>> =
            std::collections::HashMap::new();
        let mut out = Vec::with_capacity(claimed.len());
        for row in claimed {
            let activity = match activities.get(&row.activity_id) {
                Some(activity) => activity.clone(),
                None => {
                    let activity: Arc<ClaimedActivity> = Arc::new(
                        sqlx::query_as(
                            "SELECT id AS activity_row, ap_id, actor_id, body, created_at \
                             FROM outgoing_activities WHERE id = $1",
                        )
                        .bind(row.activity_id)
                        .fetch_one(self.pool())
                        .await?,
                    );
                    activities.insert(row.activity_id, activity.clone());
                    activity
                }
            };
            out.push(DueDelivery {
                id: row.id,
                activity,
                inbox: row.inbox,
                host: row.host,
                attempts: row.attempts,
            });
        }
        Ok(out)
    }

    /// The health of the peers among `hosts` that ever failed.
    pub async fn peers(&self, hosts: &[&str]) -> StoreResult<Vec<PeerRow>> {
        if hosts.is_empty() {
            return Ok(Vec::new());
        }
        let list: Vec<String> = (0..hosts.len()).map(|i| format!("${}", i + 1)).collect();
        let sql = format!(
            "SELECT host, failures, unreachable_since, next_probe_at FROM peers WHERE host IN ({})",
            list.join(", ")
        );
        let mut query = sqlx::query_as(&sql);
        for host in hosts {
            query = query.bind(*host);
        }
        Ok(query.fetch_all(self.pool()).await?)
    }

    /// Marks a delivery done, or refused for good by the peer when
    /// `refusal` says why.
    pub async fn finish_delivery(&self, id: i64, refusal: Option<&str>) -> StoreResult<()> {
        sqlx::query(
            "UPDATE deliveries SET state = $1, attempts = attempts + 1, finished_at = $2, \
             claimed_until = NULL, last_error = $3 WHERE id = $4",
        )
        .bind(if refusal.is_some() { "refused" } else { "done" })
        .bind(self.now_ms())
        .bind(refusal)
        .bind(id)
        .execute(self.pool())
        .await?;
        Ok(())
    }

    /// Schedules another attempt after a failure.
    pub async fn retry_delivery(
        &self,
        id: i64,
        next_attempt_at: i64,
        error: &str,
    ) -> StoreResult<()> {
        sqlx::query(
            "UPDATE deliveries SET attempts = attempts + 1, next_attempt_at = $1, claimed_until = NULL, \
             last_error = $2 WHERE id = $3",
        )
        .bind(next_attempt_at)
        .bind(error)
        .bind(id)
        .execute(self.pool())
        .await?;
        Ok(())
    }

    /// Postpones a delivery without counting an attempt (its peer is
    /// unreachable and not due for a probe).
    pub async fn postpone_delivery(&self, id: i64, next_attempt_at: i64) -> StoreResult<()> {
        sqlx::query(
            "UPDATE deliveries SET next_attempt_at = $1, claimed_until = NULL WHERE id = $2",
        )
        .bind(next_attempt_at)
        .bind(id)
        .execute(self.pool())
        .await?;
        Ok(())
    }

    /// Gives a delivery up after its retry window.
    pub async fn fail_delivery(&self, id: i64, error: &str) -> StoreResult<()> {
        sqlx::query(
            "UPDATE deliveries SET state = 'failed', attempts = attempts + 1, finished_at = $1, \
             claimed_until = NULL, last_error = $2 WHERE id = $3",
        )
        .bind(self.now_ms())
        .bind(error)
        .bind(id)
        .execute(self.pool())
        .await?;
        Ok(())
    }

    /// The health of a peer, if it ever failed.
    pub async fn peer(&self, host: &str) -> StoreResult<Option<PeerRow>> {
        let row = sqlx::query_as(
            "SELECT host, failures, unreachable_since, next_probe_at FROM peers WHERE host = $1",
        )
        .bind(host)
        .fetch_optional(self.pool())
        .await?;
        Ok(row)
    }

    /// Records a failed attempt on a peer. After `threshold` consecutive
    /// failures the peer is unreachable and probed at `next_probe_at`.
    /// Returns the peer's state after the update.
    pub async fn peer_failed(
        &self,
        host: &str,
        threshold: i64,
        next_probe_at: i64,
    ) -> StoreResult<PeerRow> {
        let now = self.now_ms();
        sqlx::query(
            "INSERT INTO peers (host, failures) VALUES ($1, 1) ON CONFLICT (host) DO UPDATE SET failures = peers.failures + 1",
        )
        .bind(host)
        .execute(self.pool())
        .await?;
        sqlx::query(
            "UPDATE peers SET unreachable_since = COALESCE(unreachable_since, $1), next_probe_at = $2 \
             WHERE host = $3 AND failures >= $4",
        )
        .bind(now)
        .bind(next_probe_at)
        .bind(host)
        .bind(threshold)
        .execute(self.pool())
        .await?;
        self.peer(host)
            .await?
            .ok_or_else(|| super::StoreError::Corrupt(format!("peer {host} vanished")))
    }

    /// Records a success: the peer is healthy again, and its postponed
    /// deliveries become due at once.
    /// Peers that never failed have no row and need no call.
    pub async fn peer_succeeded(&self, host: &str, was_unreachable: bool) -> StoreResult<()> {
        sqlx::query(
            "UPDATE peers SET failures = 0, unreachable_since = NULL, next_probe_at = NULL, last_success_at = $1 WHERE host = $2",
        )
        .bind(self.now_ms())
        .bind(host)
        .execute(self.pool())
        .await?;
        if was_unreachable {
            sqlx::query(
                "UPDATE deliveries SET next_attempt_at = $1 WHERE host = $2 AND state = 'pending'",
            )
            .bind(self.now_ms())
            .bind(host)
            .execute(self.pool())
            .await?;
        }
        Ok(())
    }

    /// Counts deliveries by state (all activities, or one).
    pub async fn delivery_counts(
        &self,
        activity_ap_id: Option<&str>,
    ) -> StoreResult<DeliveryCounts> {
        let rows: Vec<StateCount> = match activity_ap_id {
            Some(ap_id) => {
                sqlx::query_as(
                    "SELECT deliveries.state, COUNT(*) AS n FROM deliveries JOIN outgoing_activities \
                     ON outgoing_activities.id = deliveries.activity_id WHERE outgoing_activities.ap_id = $1 \
                     GROUP BY deliveries.state",
                )
                .bind(ap_id)
                .fetch_all(self.pool())
                .await?
            }
            None => {
                sqlx::query_as("SELECT state, COUNT(*) AS n FROM deliveries GROUP BY state")
                    .fetch_all(self.pool())
                    .await?
            }
        };
        let mut counts = DeliveryCounts::default();
        for StateCount { state, n } in rows {
            match state.as_str() {
                "pending" => counts.pending = n,
                "done" => counts.done = n,
                "refused" => counts.refused = n,
                _ => counts.failed += n,
            }
        }
        Ok(counts)
    }

    #[cfg(feature = "test-support")]
    /// Every delivery of an activity signed by `signer`, oldest first:
    /// (the activity as sent, the inbox it went to).
    pub async fn deliveries_signed_by(
        &self,
        signer: ActorId,
    ) -> StoreResult<Vec<(String, String)>> {
        Ok(sqlx::query_as(
            "SELECT outgoing_activities.body, deliveries.inbox FROM deliveries \
             JOIN outgoing_activities ON outgoing_activities.id = deliveries.activity_id \
             WHERE outgoing_activities.actor_id = $1 ORDER BY deliveries.id",
        )
        .bind(signer.0)
        .fetch_all(self.pool())
        .await?)
    }

    #[cfg(feature = "test-support")]
    /// Attempts made and leases held over all deliveries.
    pub async fn delivery_attempts(&self) -> StoreResult<DeliveryAttempts> {
        let attempts = sqlx::query_as(
            "SELECT COUNT(*) AS deliveries, CAST(COALESCE(SUM(attempts), 0) AS BIGINT) AS attempts, \
             COUNT(claimed_until) AS leased FROM deliveries",
        )
        .fetch_one(self.pool())
        .await?;
        Ok(attempts)
    }

    /// The earliest time a pending delivery becomes due, if any.
    pub async fn next_delivery_due(&self) -> StoreResult<Option<i64>> {
        let next: Option<i64> = sqlx::query_scalar(
            "SELECT MIN(next_attempt_at) FROM deliveries WHERE state = 'pending'",
        )
        .fetch_one(self.pool())
        .await?;
        Ok(next)
    }
}

impl Store {
    /// How many deliveries are due at `now` or being attempted: pending
    /// with their next attempt not in the future. Zero when the queue has
    /// nothing to do before a later retry.
    pub async fn deliveries_due(&self, now: i64) -> StoreResult<i64> {
        let due: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM deliveries WHERE state = 'pending' AND next_attempt_at <= $1",
        )
        .bind(now)
        .fetch_one(self.pool())
        .await?;
        Ok(due)
    }
}
