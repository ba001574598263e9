//! The messages already turned into a reply by e-mail (`reply_mails`), so
//! that one message posts once (`domain::mail_replies`).
//!
//! A row is a claim taken before posting, then marked posted
//! (`posted_at`). A claim whose process died before posting lapses after
//! [`CLAIM_LEASE_MS`], as a queued mail's does: the message, delivered
//! again by the sender's server, is then posted instead of being taken for
//! a duplicate and lost.

use super::{accounts::AccountId, mail_queue::CLAIM_LEASE_MS, Store, StoreResult};

/// What a claim on a received message found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReplyMailClaim {
    /// Claimed by this call: the caller posts it.
    Claimed,
    /// Posted already: never again.
    Posted,
    /// Claimed by another delivery of it, whose claim has not lapsed: it
    /// may be being posted, or its process may have died (then it can be
    /// claimed once the claim lapses).
    Held,
}

impl Store {
    /// Claims `message_id` for `account`: [`ReplyMailClaim::Claimed`] when
    /// no process posted it nor holds a live claim on it (the caller goes
    /// on and posts).
    pub async fn claim_reply_mail(
        &self,
        account: AccountId,
        message_id: &str,
    ) -> StoreResult<ReplyMailClaim> {
        let now = self.now_ms();
        let done = sqlx::query(
            "INSERT INTO reply_mails (account_id, message_id, received_at) VALUES ($1, $2, $3) \
             ON CONFLICT (account_id, message_id) DO UPDATE SET received_at = excluded.received_at \
             WHERE reply_mails.posted_at IS NULL AND reply_mails.received_at < $4",
        )
        .bind(account.0)
        .bind(message_id)
        .bind(now)
        .bind(now - CLAIM_LEASE_MS)
        .execute(self.pool())
        .await?;
        if done.rows_affected() == 1 {
            return Ok(ReplyMailClaim::Claimed);
        }
        let posted: Option<Option<i64>> = sqlx::query_scalar(
            "SELECT posted_at FROM reply_mails WHERE account_id = $1 AND message_id = $2",
        )
        .bind(account.0)
        .bind(message_id)
        .fetch_optional(self.pool())
        .await?;
        Ok(match posted {
            Some(Some(_)) => ReplyMailClaim::Posted,
            // Released between the two statements: taken for held, so
            // the sender tries again.
            Some(None) | None => ReplyMailClaim::Held,
        })
    }

    /// Records that the claimed `message_id` was posted: it never posts
    /// again.
    pub async fn reply_mail_posted(&self, account: AccountId, message_id: &str) -> StoreResult<()> {
        sqlx::query(
            "UPDATE reply_mails SET posted_at = $1 WHERE account_id = $2 AND message_id = $3",
        )
        .bind(self.now_ms())
        .bind(account.0)
        .bind(message_id)
        .execute(self.pool())
        .await?;
        Ok(())
    }

    /// Gives a claim back (the reply could not be posted this time).
    pub async fn release_reply_mail(
        &self,
        account: AccountId,
        message_id: &str,
    ) -> StoreResult<()> {
        sqlx::query(
            "DELETE FROM reply_mails WHERE account_id = $1 AND message_id = $2 \
             AND posted_at IS NULL",
        )
        .bind(account.0)
        .bind(message_id)
        .execute(self.pool())
        .await?;
        Ok(())
    }
}
