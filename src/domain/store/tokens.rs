//! The `email_tokens` table: one-time links sent by e-mail.

use super::{accounts::AccountId, Store, StoreResult};

/// What an e-mailed token is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenPurpose {
    /// Proves the address belongs to the account holder.
    VerifyEmail,
    /// Lets the holder choose a new password.
    ResetPassword,
}

impl TokenPurpose {
    fn as_str(self) -> &'static str {
        match self {
            TokenPurpose::VerifyEmail => "verify_email",
            TokenPurpose::ResetPassword => "reset_password",
        }
    }
}

impl Store {
    /// Stores a token, replacing unused tokens of the same purpose so only
    /// the latest link works.
    pub async fn create_email_token(
        &self,
        token_hash: &str,
        account: AccountId,
        purpose: TokenPurpose,
        expires_at: i64,
    ) -> StoreResult<()> {
        let mut tx = self.begin().await?;
        sqlx::query(
            "DELETE FROM email_tokens WHERE account_id = $1 AND purpose = $2 AND used_at IS NULL",
        )
        .bind(account.0)
        .bind(purpose.as_str())
        .execute(&mut *tx)
        .await?;
        sqlx::query(
            "INSERT INTO email_tokens (token_hash, account_id, purpose, created_at, expires_at) \
             VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(token_hash)
        .bind(account.0)
        .bind(purpose.as_str())
        .bind(self.now_ms())
        .bind(expires_at)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Marks an unused, unexpired token as used and returns its account.
    /// A token can be consumed once: a second call returns `None`.
    pub async fn consume_email_token(
        &self,
        token_hash: &str,
        purpose: TokenPurpose,
    ) -> StoreResult<Option<AccountId>> {
        let now = self.now_ms();
        let id: Option<i64> = sqlx::query_scalar(
            "UPDATE email_tokens SET used_at = $1 WHERE token_hash = $2 AND purpose = $3 \
             AND used_at IS NULL AND expires_at > $1 RETURNING account_id",
        )
        .bind(now)
        .bind(token_hash)
        .bind(purpose.as_str())
        .fetch_optional(self.pool())
        .await?;
        Ok(id.map(AccountId))
    }
}
