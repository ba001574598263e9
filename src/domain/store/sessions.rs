//! The `sessions` table: browser sessions and API tokens.

use super::{accounts::AccountId, Store, StoreResult};

impl Store {
    /// Stores a session whose token hashes to `token_hash`.
    pub async fn create_session(
        &self,
        token_hash: &str,
        account: AccountId,
        expires_at: i64,
    ) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO sessions (token_hash, account_id, created_at, expires_at) VALUES ($1, $2, $3, $4)",
        )
        .bind(token_hash)
        .bind(account.0)
        .bind(self.now_ms())
        .bind(expires_at)
        .execute(self.pool())
        .await?;
        Ok(())
    }

    /// Ends one session.
    pub async fn delete_session(&self, token_hash: &str) -> StoreResult<()> {
        sqlx::query("DELETE FROM sessions WHERE token_hash = $1")
            .bind(token_hash)
            .execute(self.pool())
            .await?;
        Ok(())
    }

    /// Ends every session of an account (password reset, suspension).
    pub async fn delete_account_sessions(&self, account: AccountId) -> StoreResult<()> {
        sqlx::query("DELETE FROM sessions WHERE account_id = $1")
            .bind(account.0)
            .execute(self.pool())
            .await?;
        Ok(())
    }

    /// Removes expired sessions and e-mail tokens.
    pub async fn purge_expired(&self) -> StoreResult<u64> {
        let now = self.now_ms();
        let sessions = sqlx::query("DELETE FROM sessions WHERE expires_at <= $1")
            .bind(now)
            .execute(self.pool())
            .await?
            .rows_affected();
        let tokens = sqlx::query("DELETE FROM email_tokens WHERE expires_at <= $1")
            .bind(now)
            .execute(self.pool())
            .await?
            .rows_affected();
        Ok(sessions + tokens)
    }
}
