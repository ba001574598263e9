//! Background work: delivery of outgoing activities ([`delivery`]) and
//! hourly removal of expired sessions and e-mail tokens.

pub mod delivery;

use crate::store::Store;
use std::time::Duration;

/// Starts the maintenance loop; abort the handle to stop it.
pub fn spawn_maintenance(store: Store) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut interval = tokio::time::interval(Duration::from_secs(3600));
        loop {
            interval.tick().await;
            match store.purge_expired().await {
                Ok(0) => {}
                Ok(removed) => tracing::info!(removed, "expired sessions and tokens removed"),
                Err(error) => tracing::warn!(%error, "purging expired sessions failed"),
            }
        }
    })
}
