//! Periodic upkeep the background jobs run: removal of expired sessions
//! and tokens, and the list of remote instances due for a trust check.

use super::{Domain, DomainResult};
use crate::domain::store::trust::InstanceRow;

impl Domain {
    /// Removes expired sessions and e-mail tokens; returns how many.
    pub async fn purge_expired(&self) -> DomainResult<u64> {
        Ok(self.store.purge_expired().await?)
    }

    /// Up to `limit` remote instances whose trust evidence is due for a
    /// check.
    pub async fn instances_due_for_check(&self, limit: i64) -> DomainResult<Vec<InstanceRow>> {
        Ok(self.store.instances_due(limit).await?)
    }
}
