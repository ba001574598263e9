//! Opening an instance's database: the domain connects and migrates it
//! (creating the data folder for SQLite) and builds itself around it, so
//! that nothing outside the domain names the store.

use super::{clock::Clock, passwords::PasswordPool, rows::StoreError, Domain, DomainResult};
use crate::{
    config::Settings,
    domain::{store::Store, thread_pages::ThreadPages},
    mail::Mailer,
};
use std::{sync::Arc, time::Duration};

/// Counts of outgoing deliveries by state (see `preau admin deliveries`).
pub use crate::domain::store::delivery::DeliveryCounts;

/// Connects to the database of these settings and applies migrations.
async fn open_store(settings: &Settings) -> Result<Store, StoreError> {
    if settings.database_url().starts_with("sqlite:") {
        std::fs::create_dir_all(&settings.server.data_dir).map_err(StoreError::DataDir)?;
    }
    let store = Store::connect_with_cache(
        &settings.database_url(),
        settings.pool_size(),
        settings.database.sqlite_cache_kib,
    )
    .await?;
    store.migrate().await?;
    Ok(store)
}

/// Applies the pending migrations of the database of these settings.
pub async fn migrate_database(settings: &Settings) -> Result<(), StoreError> {
    open_store(settings).await?.close().await;
    Ok(())
}

/// The outbox's deliveries by state, read from the database of these
/// settings (for the CLI; no instance needs to run).
pub async fn delivery_counts(settings: &Settings) -> DomainResult<DeliveryCounts> {
    let store = open_store(settings).await?;
    let counts = store.delivery_counts(None).await;
    store.close().await;
    Ok(counts?)
}

impl Domain {
    /// Opens (and migrates) the database of `settings` and builds the
    /// domain of that instance around it, with its mailer, the
    /// attestations it serves and the clock it reads the time from.
    pub async fn open(
        settings: Settings,
        mailer: Mailer,
        own_attestations: Vec<serde_json::Value>,
        clock: Clock,
    ) -> Result<Domain, StoreError> {
        let store = open_store(&settings).await?.with_clock(clock);
        let passwords = Arc::new(PasswordPool::new(
            settings.accounts.effective_hashing_concurrency(),
            settings.accounts.hashing_queue as usize,
        ));
        Ok(Domain {
            settings: Arc::new(settings),
            store,
            mailer,
            delivery_waker: super::outbox::DeliverySignal::default(),
            // What another process sharing the database wrote shows within
            // five seconds; this process's own writes show at once. (Shorter
            // makes every reader of a busy page rebuild it at once more often.)
            thread_pages: Arc::new(ThreadPages::new(1024, Duration::from_secs(5))),
            trust_book: Arc::default(),
            own_attestations: Arc::new(own_attestations),
            passwords,
            presence_seen: Arc::default(),
        })
    }

    /// The clock this instance reads the time from (the system clock, or a
    /// test's): every time the domain, its store, the jobs and the pages
    /// read comes from it.
    pub fn clock(&self) -> &Clock {
        self.store.clock()
    }
}
