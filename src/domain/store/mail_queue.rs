//! What the two outgoing mail queues share: `notification_mails` (mails
//! about notifications, `notification_mail.rs`) and `list_mails` (copies
//! of posts for mailing-list subscribers, `mail_lists.rs`). A row is
//! `pending`, `sending` (claimed by one process, stamped `claimed_at`),
//! `sent` or `dropped`; a claim lasts [`CLAIM_LEASE_MS`], so a row left
//! `sending` by a process that died is claimed again after it.

use super::{Store, StoreResult};

/// How long a claim on a queued mail lasts: a row still `sending` this
/// long after it was claimed (its process died mid-send) is claimable
/// again. Far longer than one send takes (the SMTP client's timeouts are
/// a minute at most), so a live process never loses its claim.
pub const CLAIM_LEASE_MS: i64 = 10 * 60_000;

/// Ids per `UPDATE … WHERE id IN (…)`: well under both engines' limits on
/// a statement's size.
const CHUNK: usize = 500;

/// One of the outgoing mail queues.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MailQueue {
    /// `notification_mails`: mails at once and digest items.
    Notifications,
    /// `list_mails`: mailing-list copies of posts.
    Lists,
}

impl MailQueue {
    fn table(self) -> &'static str {
        match self {
            MailQueue::Notifications => "notification_mails",
            MailQueue::Lists => "list_mails",
        }
    }
}

/// The condition on rows of `row` (a table or its alias) a sender may
/// take: pending ones, and those whose claim lapsed (`lapsed`: the
/// parameter holding "claimed before it").
pub(super) fn claimable(row: &str, lapsed: &str) -> String {
    format!(
        "({row}.state = 'pending' OR ({row}.state = 'sending' \
         AND ({row}.claimed_at IS NULL OR {row}.claimed_at < {lapsed})))"
    )
}

/// `ids` as comma-separated lists of at most [`CHUNK`] ids, for
/// `WHERE id IN (…)` (ids are numbers: nothing to escape).
pub(super) fn id_lists(ids: &[i64]) -> impl Iterator<Item = String> + '_ {
    ids.chunks(CHUNK).map(|chunk| {
        chunk
            .iter()
            .map(i64::to_string)
            .collect::<Vec<_>>()
            .join(",")
    })
}

impl Store {
    /// Claims the rows `ids` of `queue` for sending (`sending`, stamped
    /// now): pending rows, and rows whose claim lapsed (the process that
    /// took them died mid-send). Answers those this call claimed, so that
    /// two processes sharing a database never send the same mail twice.
    pub async fn claim_queued_mails(&self, queue: MailQueue, ids: &[i64]) -> StoreResult<Vec<i64>> {
        let now = self.now_ms();
        let table = queue.table();
        let mut claimed = Vec::with_capacity(ids.len());
        for list in id_lists(ids) {
            let rows: Vec<(i64,)> = sqlx::query_as(&format!(
                "UPDATE {table} SET state = 'sending', claimed_at = $1 \
                 WHERE id IN ({list}) AND {} RETURNING id",
                claimable(table, "$2")
            ))
            .bind(now)
            .bind(now - CLAIM_LEASE_MS)
            .fetch_all(self.pool())
            .await?;
            claimed.extend(rows.into_iter().map(|row| row.0));
        }
        Ok(claimed)
    }

    /// Marks the claimed rows `ids` of `queue` `state` (`sent`, `dropped`,
    /// or back to `pending` after a failure), done now. A row no longer
    /// `sending` is left alone (dropped meanwhile: the teacher stopped the
    /// list), so a failed send does not bring it back.
    pub async fn finish_queued_mails(
        &self,
        queue: MailQueue,
        ids: &[i64],
        state: &str,
    ) -> StoreResult<()> {
        let now = self.now_ms();
        let table = queue.table();
        for list in id_lists(ids) {
            sqlx::query(&format!(
                "UPDATE {table} SET state = $1, done_at = $2 \
                 WHERE id IN ({list}) AND state = 'sending'"
            ))
            .bind(state)
            .bind(now)
            .execute(self.pool())
            .await?;
        }
        Ok(())
    }
}
