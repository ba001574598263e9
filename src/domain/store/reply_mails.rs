//! The messages already turned into a reply by e-mail (`reply_mails`), so
//! that one message posts once (`domain::mail_replies`). A message is
//! recorded in the transaction that stores its reply: both are written, or
//! neither (a crash or a refusal leaves no record, and the message may be
//! delivered again).

use super::{accounts::AccountId, Store, StoreResult, Tx};

/// A received message to record, by teacher and Message-ID.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReplyMailClaim {
    /// The teacher the reply address belongs to.
    pub account: AccountId,
    /// The Message-ID header, or a hash of the message when it has none.
    pub message_id: String,
}

/// Records `claim` in `tx`: true when this is the first time, false when
/// it was recorded already (then the caller posts nothing). A concurrent
/// transaction recording the same message waits for this one to end.
pub async fn claim_reply_mail(tx: &mut Tx, claim: &ReplyMailClaim) -> StoreResult<bool> {
    let now = tx.now_ms();
    let done = sqlx::query(
        "INSERT INTO reply_mails (account_id, message_id, received_at) VALUES ($1, $2, $3) \
         ON CONFLICT (account_id, message_id) DO NOTHING",
    )
    .bind(claim.account.0)
    .bind(&claim.message_id)
    .bind(now)
    .execute(&mut **tx)
    .await?;
    Ok(done.rows_affected() == 1)
}

impl Store {
    /// Whether `claim` was recorded already (its reply was posted).
    pub async fn reply_mail_claimed(&self, claim: &ReplyMailClaim) -> StoreResult<bool> {
        let found: Option<i64> = sqlx::query_scalar(
            "SELECT 1 FROM reply_mails WHERE account_id = $1 AND message_id = $2",
        )
        .bind(claim.account.0)
        .bind(&claim.message_id)
        .fetch_optional(self.pool())
        .await?;
        Ok(found.is_some())
    }
}
