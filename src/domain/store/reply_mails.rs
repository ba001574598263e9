//! The messages already turned into a reply by e-mail (`reply_mails`), so
//! that one message posts once (`domain::mail_replies`).

use super::{accounts::AccountId, Store, StoreResult};

impl Store {
    /// Claims `message_id` for `account`: true when this is the first time
    /// (the caller goes on and posts), false when it was already claimed.
    pub async fn claim_reply_mail(
        &self,
        account: AccountId,
        message_id: &str,
    ) -> StoreResult<bool> {
        let done = sqlx::query(
            "INSERT INTO reply_mails (account_id, message_id, received_at) VALUES ($1, $2, $3) \
             ON CONFLICT (account_id, message_id) DO NOTHING",
        )
        .bind(account.0)
        .bind(message_id)
        .bind(self.now_ms())
        .execute(self.pool())
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Gives a claim back (the reply could not be posted this time).
    pub async fn release_reply_mail(
        &self,
        account: AccountId,
        message_id: &str,
    ) -> StoreResult<()> {
        sqlx::query("DELETE FROM reply_mails WHERE account_id = $1 AND message_id = $2")
            .bind(account.0)
            .bind(message_id)
            .execute(self.pool())
            .await?;
        Ok(())
    }
}
