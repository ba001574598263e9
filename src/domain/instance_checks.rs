//! What checking a remote instance records: the outcome of a check of its
//! NodeInfo and attestations, refusals in its event log, when to try
//! again, and who to tell when it loses a verified level. The checking
//! itself (HTTP, signatures) is in `apub::trust`.

use super::{Domain, DomainResult};
pub use crate::domain::store::{
    accounts::{AccountRow, AccountStatus},
    trust::CheckOutcome,
};
use preau_federation::TrustLevel;

impl Domain {
    /// Records a check of `host`; returns the verified level it lost, if
    /// it lost one.
    pub async fn record_instance_check(
        &self,
        host: &str,
        outcome: &CheckOutcome,
    ) -> DomainResult<Option<TrustLevel>> {
        Ok(self.store.record_check(host, outcome).await?)
    }

    /// Adds a refusal or failure (by stable code) to `host`'s event log.
    pub async fn log_trust_event(&self, host: &str, code: &str, detail: &str) -> DomainResult<()> {
        Ok(self.store.log_trust_event(host, code, detail).await?)
    }

    /// Puts off the next check of `host` by `delay_ms` from now.
    pub async fn postpone_instance_check(&self, host: &str, delay_ms: i64) -> DomainResult<()> {
        Ok(self
            .store
            .postpone_instance_check(host, self.clock().now_ms() + delay_ms)
            .await?)
    }

    /// The active administrators of this instance, to be told about
    /// changes of trust.
    pub async fn active_admins(&self) -> DomainResult<Vec<AccountRow>> {
        let accounts = self
            .store
            .list_accounts(Some(AccountStatus::Active))
            .await?;
        Ok(accounts.into_iter().filter(|a| a.is_admin).collect())
    }

    /// Active accounts: all, those seen in the last 30 days and in the
    /// last 180 days (NodeInfo's usage).
    pub async fn active_account_counts(&self) -> DomainResult<[i64; 3]> {
        let day = 24 * 3600 * 1000;
        let now = self.clock().now_ms();
        Ok(self
            .store
            .count_active_accounts([now - 30 * day, now - 180 * day])
            .await?)
    }
}
