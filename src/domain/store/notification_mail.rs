//! Notification preferences (per teacher and kind), the digest frequency,
//! and the queue of mails about notifications (`notification_mails`),
//! filled in the transaction that writes a notification and emptied by the
//! mail jobs (`domain::notification_mail`).

use super::{
    accounts::AccountId,
    mail_queue::{claimable, id_lists, CLAIM_LEASE_MS},
    Store, StoreResult, Tx,
};
use crate::domain::notification_settings::{default_delivery, Delivery};

/// A mail waiting in the queue, with its recipient and what it is about.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct QueuedMail {
    /// The queue row.
    pub mail_id: i64,
    /// Its recipient.
    pub account_id: AccountId,
    /// Their address.
    pub email: String,
    /// Their language code.
    pub locale: String,
    /// Their account status (`active`, `suspended`...).
    pub status: String,
    /// When they verified their address.
    pub email_verified_at: Option<i64>,
    /// The notification's kind.
    pub kind: String,
    /// Who caused it: display name, name and host (empty when local).
    pub actor_display_name: String,
    /// The actor's name.
    pub actor_name: String,
    /// The actor's host, empty when local.
    pub actor_domain: String,
    /// What the object is called (the thread's title...).
    pub thread_title: String,
    /// The path on this instance that opens the object.
    pub link: String,
    /// A reason or an answer.
    pub detail: Option<String>,
    /// The object's Markdown source.
    pub post_source: String,
    /// The object's sanitised HTML.
    pub post_html: String,
    /// When it was read.
    pub read_at: Option<i64>,
    /// 1 while the recipient may still see it (else nothing is mailed
    /// about it).
    pub visible: i64,
    /// The forum thread it is about, if any (its first post).
    pub thread_id: Option<i64>,
    /// The thread of a project's forum it is about, if any (its first post).
    pub project_thread_id: Option<i64>,
}

/// The columns of [`QueuedMail`], from `notification_mails m`,
/// `notifications n`, `accounts a`, `actors`, `posts reply`, `posts thread`.
const QUEUED_COLUMNS: &str = "m.id AS mail_id, a.id AS account_id, \
     a.email, a.locale, a.status, a.email_verified_at, notifications.kind, \
     COALESCE(actors.display_name, '') AS actor_display_name, \
     COALESCE(actors.name, '') AS actor_name, COALESCE(actors.domain, '') AS actor_domain, \
     notifications.title AS thread_title, notifications.link, notifications.detail, \
     COALESCE(reply.source, notifications.excerpt) AS post_source, \
     COALESCE(reply.content_html, '') AS post_html, notifications.read_at, \
     notifications.thread_id, \
     COALESCE(project_post.thread_id, project_post.id) AS project_thread_id";

/// Whether the notification may still be mailed: the same rule as for
/// showing it (see `notifications::VISIBLE`).
const QUEUED_VISIBLE: &str = super::notifications::VISIBLE;

const QUEUED_FROM: &str = "FROM notification_mails m \
     JOIN notifications ON notifications.id = m.notification_id \
     JOIN accounts a ON a.id = m.account_id \
     LEFT JOIN actors ON actors.id = notifications.actor_id \
     LEFT JOIN posts reply ON reply.id = notifications.post_id \
     LEFT JOIN posts thread ON thread.id = notifications.thread_id \
     LEFT JOIN project_posts project_post ON project_post.id = notifications.project_post_id";

/// How `recipient` gets notifications of `kind` (read in `tx`).
pub async fn delivery_in(tx: &mut Tx, recipient: AccountId, kind: &str) -> StoreResult<Delivery> {
    let stored: Option<String> = sqlx::query_scalar(
        "SELECT delivery FROM notification_settings WHERE account_id = $1 AND kind = $2",
    )
    .bind(recipient.0)
    .bind(kind)
    .fetch_optional(&mut **tx)
    .await?;
    Ok(stored
        .as_deref()
        .and_then(Delivery::parse)
        .unwrap_or_else(|| default_delivery(kind)))
}

/// `recipient`'s digest frequency (`daily` when never chosen).
async fn digest_frequency_in(tx: &mut Tx, recipient: AccountId) -> StoreResult<String> {
    let stored: Option<String> =
        sqlx::query_scalar("SELECT frequency FROM notification_digests WHERE account_id = $1")
            .bind(recipient.0)
            .fetch_optional(&mut **tx)
            .await?;
    Ok(stored.unwrap_or_else(|| "daily".to_string()))
}

/// Called once for every notification written, in its transaction: queues
/// a mail at once or a digest entry as the recipient chose for its kind
/// (`delivery`, read by [`delivery_in`]).
pub async fn queue_notification_mail(
    tx: &mut Tx,
    notification_id: i64,
    recipient: AccountId,
    delivery: Delivery,
) -> StoreResult<()> {
    let mode = match delivery {
        Delivery::Mail => "now",
        // No digest is ever sent to a teacher who chose none: nothing to
        // queue for it.
        Delivery::Digest if digest_frequency_in(tx, recipient).await? == "none" => return Ok(()),
        Delivery::Digest => "digest",
        Delivery::Site | Delivery::Off => return Ok(()),
    };
    let now = tx.now_ms();
    sqlx::query(
        "INSERT INTO notification_mails (notification_id, account_id, mode, state, created_at) \
         VALUES ($1, $2, $3, 'pending', $4)",
    )
    .bind(notification_id)
    .bind(recipient.0)
    .bind(mode)
    .bind(now)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// One teacher's digest due now: its queue rows.
#[derive(Debug, Clone)]
pub struct DueDigest {
    /// The teacher.
    pub account_id: AccountId,
    /// Their pending digest rows (read notifications included: the caller
    /// drops those).
    pub items: Vec<QueuedMail>,
}

/// Milliseconds in a day.
pub const DAY_MS: i64 = 86_400_000;
/// How long sent and dropped rows are kept (the hourly cap reads the last
/// hour of them; the rest is history nobody reads).
pub const KEPT_MS: i64 = 30 * DAY_MS;

impl Store {
    /// `account`'s stored preferences (kinds at their default have none)
    /// and digest frequency (`None`: the default).
    pub async fn notification_settings(
        &self,
        account: AccountId,
    ) -> StoreResult<(Vec<(String, String)>, Option<String>)> {
        let kinds = sqlx::query_as(
            "SELECT kind, delivery FROM notification_settings WHERE account_id = $1 ORDER BY kind",
        )
        .bind(account.0)
        .fetch_all(self.pool())
        .await?;
        let frequency =
            sqlx::query_scalar("SELECT frequency FROM notification_digests WHERE account_id = $1")
                .bind(account.0)
                .fetch_optional(self.pool())
                .await?;
        Ok((kinds, frequency))
    }

    /// Replaces `account`'s preferences for `kinds` and, when given, its
    /// digest frequency, in one transaction.
    pub async fn set_notification_settings(
        &self,
        account: AccountId,
        kinds: &[(&str, &str)],
        frequency: Option<&str>,
    ) -> StoreResult<()> {
        let mut tx = self.begin().await?;
        for (kind, delivery) in kinds {
            sqlx::query(
                "INSERT INTO notification_settings (account_id, kind, delivery) VALUES ($1, $2, $3) \
                 ON CONFLICT (account_id, kind) DO UPDATE SET delivery = excluded.delivery",
            )
            .bind(account.0)
            .bind(*kind)
            .bind(*delivery)
            .execute(&mut *tx)
            .await?;
        }
        if let Some(frequency) = frequency {
            sqlx::query(
                "INSERT INTO notification_digests (account_id, frequency) VALUES ($1, $2) \
                 ON CONFLICT (account_id) DO UPDATE SET frequency = excluded.frequency",
            )
            .bind(account.0)
            .bind(frequency)
            .execute(&mut *tx)
            .await?;
            if frequency == "none" {
                // No digest will take them: they would wait for ever.
                sqlx::query(
                    "DELETE FROM notification_mails \
                     WHERE account_id = $1 AND mode = 'digest' AND state = 'pending'",
                )
                .bind(account.0)
                .execute(&mut *tx)
                .await?;
            }
        }
        super::commit(tx).await
    }

    /// Empties the queue of what no job will ever send: sent and dropped
    /// rows done more than [`KEPT_MS`] before `now`, and pending digest
    /// rows of teachers who chose no digest (queued before they did).
    /// Answers how many rows were removed.
    pub async fn purge_notification_mails(&self, now: i64) -> StoreResult<u64> {
        let old = sqlx::query(
            "DELETE FROM notification_mails \
             WHERE state IN ('sent', 'dropped') AND done_at < $1",
        )
        .bind(now - KEPT_MS)
        .execute(self.pool())
        .await?
        .rows_affected();
        let undigested = sqlx::query(
            "DELETE FROM notification_mails WHERE mode = 'digest' AND state = 'pending' \
             AND account_id IN (SELECT account_id FROM notification_digests WHERE frequency = 'none')",
        )
        .execute(self.pool())
        .await?
        .rows_affected();
        Ok(old + undigested)
    }

    /// Up to `limit` mails to send at once, oldest first.
    /// (pending, or claimed by a process that died: see [`super::mail_queue`]).
    pub async fn pending_instant_mails(&self, limit: i64) -> StoreResult<Vec<QueuedMail>> {
        Ok(sqlx::query_as(&format!(
            "SELECT {QUEUED_COLUMNS}, CASE WHEN {QUEUED_VISIBLE} THEN 1 ELSE 0 END AS visible {QUEUED_FROM} \
             WHERE {} AND m.mode = 'now' ORDER BY m.id LIMIT $1",
            claimable("m", "$2")
        ))
        .bind(limit)
        .bind(self.now_ms() - CLAIM_LEASE_MS)
        .fetch_all(self.pool())
        .await?)
    }

    /// How many mails at once `account` was sent since `since`.
    pub async fn mails_sent_since(&self, account: AccountId, since: i64) -> StoreResult<i64> {
        Ok(sqlx::query_scalar(
            "SELECT COUNT(*) FROM notification_mails \
             WHERE account_id = $1 AND mode = 'now' AND state = 'sent' AND done_at >= $2",
        )
        .bind(account.0)
        .bind(since)
        .fetch_one(self.pool())
        .await?)
    }

    /// Moves queue row `id` to the next digest (the rate cap was reached).
    pub async fn defer_to_digest(&self, id: i64) -> StoreResult<()> {
        sqlx::query(
            "UPDATE notification_mails SET mode = 'digest', state = 'pending' WHERE id = $1",
        )
        .bind(id)
        .execute(self.pool())
        .await?;
        Ok(())
    }

    /// The digests due at `now`, for up to `limit` teachers: a teacher's
    /// digest is due once a period (a day, a week) has passed since the
    /// last one, or since the oldest item waiting when there was none.
    /// Teachers who chose no digest are left out (their items wait).
    pub async fn due_digests(&self, now: i64, limit: i64) -> StoreResult<Vec<DueDigest>> {
        let due: Vec<(i64,)> = sqlx::query_as(&format!(
            "SELECT m.account_id FROM notification_mails m \
             LEFT JOIN notification_digests d ON d.account_id = m.account_id \
             WHERE {claimable} AND m.mode = 'digest' \
             AND COALESCE(d.frequency, 'daily') <> 'none' \
             GROUP BY m.account_id, d.frequency, d.last_sent_at \
             HAVING COALESCE(d.last_sent_at, MIN(m.created_at)) + \
             (CASE WHEN d.frequency = 'weekly' THEN {week} ELSE {DAY_MS} END) <= $1 \
             ORDER BY m.account_id LIMIT $2",
            week = 7 * DAY_MS,
            claimable = claimable("m", "$3")
        ))
        .bind(now)
        .bind(limit)
        .bind(now - CLAIM_LEASE_MS)
        .fetch_all(self.pool())
        .await?;
        let Some(last) = due.last().map(|row| row.0) else {
            return Ok(Vec::new());
        };
        let first = due[0].0;
        // Every pending digest item of the accounts in that range, in one
        // query; rows of accounts in the range but not due are skipped.
        let rows: Vec<QueuedMail> = sqlx::query_as(&format!(
            "SELECT {QUEUED_COLUMNS}, CASE WHEN {QUEUED_VISIBLE} THEN 1 ELSE 0 END AS visible {QUEUED_FROM} \
             WHERE {} AND m.mode = 'digest' \
             AND m.account_id >= $1 AND m.account_id <= $2 ORDER BY m.account_id, m.id",
            claimable("m", "$3")
        ))
        .bind(first)
        .bind(last)
        .bind(now - CLAIM_LEASE_MS)
        .fetch_all(self.pool())
        .await?;
        let wanted: std::collections::HashSet<i64> = due.iter().map(|row| row.0).collect();
        let mut digests: Vec<DueDigest> = Vec::with_capacity(due.len());
        for row in rows {
            if !wanted.contains(&row.account_id.0) {
                continue;
            }
            match digests.last_mut() {
                Some(digest) if digest.account_id == row.account_id => digest.items.push(row),
                _ => digests.push(DueDigest {
                    account_id: row.account_id,
                    items: vec![row],
                }),
            }
        }
        Ok(digests)
    }

    /// Records that digests were sent (or found empty) at `now` for
    /// `accounts`.
    pub async fn digests_done(&self, accounts: &[AccountId], now: i64) -> StoreResult<()> {
        let ids: Vec<i64> = accounts.iter().map(|id| id.0).collect();
        for list in id_lists(&ids) {
            let mut tx = self.begin().await?;
            sqlx::query(&format!(
                "UPDATE notification_digests SET last_sent_at = $1 WHERE account_id IN ({list})"
            ))
            .bind(now)
            .execute(&mut *tx)
            .await?;
            sqlx::query(&format!(
                "INSERT INTO notification_digests (account_id, frequency, last_sent_at) \
                 SELECT id, 'daily', $1 FROM accounts WHERE id IN ({list}) \
                 AND NOT EXISTS (SELECT 1 FROM notification_digests d WHERE d.account_id = accounts.id)"
            ))
            .bind(now)
            .execute(&mut *tx)
            .await?;
            super::commit(tx).await?;
        }
        Ok(())
    }

    /// Benchmark set-up: `count` active, verified teachers, each with one
    /// unread notification of `reply` (by `actor`) queued for the digest at
    /// `at`.
    #[cfg(feature = "test-support")]
    pub async fn seed_digest_bench(
        &self,
        actor: super::actors::ActorId,
        reply: super::posts::PostId,
        thread: super::posts::PostId,
        count: usize,
        at: i64,
    ) -> StoreResult<()> {
        for start in (0..count).step_by(1000) {
            let mut tx = self.begin().await?;
            for i in start..(start + 1000).min(count) {
                let actor_id: i64 = sqlx::query_scalar(
                    "INSERT INTO actors (kind, name, domain, ap_id, inbox, public_key_pem, created_at, updated_at) \
                     VALUES ('person', $1, '', $2, $3, '', $4, $4) RETURNING id",
                )
                .bind(format!("digest{i}"))
                .bind(format!("http://localhost/users/digest{i}"))
                .bind(format!("http://localhost/users/digest{i}/inbox"))
                .bind(at)
                .fetch_one(&mut *tx)
                .await?;
                let account: i64 = sqlx::query_scalar(
                    "INSERT INTO accounts (actor_id, username, email, email_domain, password_hash, status, \
                     email_verified_at, charter_accepted_at, created_at) \
                     VALUES ($1, $2, $3, 'example.org', 'x', 'active', $4, $4, $4) RETURNING id",
                )
                .bind(actor_id)
                .bind(format!("digest{i}"))
                .bind(format!("digest{i}@example.org"))
                .bind(at)
                .fetch_one(&mut *tx)
                .await?;
                let note: i64 = sqlx::query_scalar(
                    "INSERT INTO notifications (recipient_id, kind, actor_id, post_id, thread_id, \
                     title, link, event_key, created_at) \
                     VALUES ($1, 'reply', $2, $3, $4, 'Digest', '/threads/1', 'post:' || CAST($3 AS TEXT), $5) RETURNING id",
                )
                .bind(account)
                .bind(actor.0)
                .bind(reply.0)
                .bind(thread.0)
                .bind(at)
                .fetch_one(&mut *tx)
                .await?;
                sqlx::query(
                    "INSERT INTO notification_mails (notification_id, account_id, mode, state, created_at) \
                     VALUES ($1, $2, 'digest', 'pending', $3)",
                )
                .bind(note)
                .bind(account)
                .bind(at)
                .execute(&mut *tx)
                .await?;
            }
            super::commit(tx).await?;
        }
        Ok(())
    }
}
