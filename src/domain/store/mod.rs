//! All SQL lives here.
//!
//! One [`Store`] wraps a sqlx `AnyPool` so the same queries run on SQLite
//! (the embedded default) and PostgreSQL. Queries use `$1` placeholders,
//! times are unix milliseconds in `BIGINT`/`INTEGER` columns and ids are
//! integers, because `AnyPool` cannot bind chrono or uuid values. The few
//! statements that differ between engines sit behind one function each.
//! The store never decides permissions: the domain layer does.

pub mod accounts;
pub mod actors;
pub mod avatars;
pub mod contact_categories;
pub mod contacts;
pub mod conversation_relay;
pub mod conversations;
pub mod delivery;
pub mod direct_messages;
pub mod directory;
pub mod forum_bans;
pub mod forums;
pub mod home;
pub mod inbox;
pub mod likes;
pub mod live;
pub mod mail_lists;
pub mod mail_queue;
pub mod notification_mail;
pub mod notifications;
pub mod person_audience;
pub mod person_blocks;
pub mod post_search;
pub mod posts;
pub mod presence;
pub mod profiles;
pub mod project_changes;
pub mod project_content;
pub mod project_documents;
pub mod project_events;
pub mod project_log;
pub mod project_members;
pub mod projects;
pub mod reply_mails;
pub mod reports;
pub mod sessions;
pub mod tokens;
pub mod trust;
mod writer;

pub use writer::WriteWork;

use crate::domain::clock::Clock;
use sqlx::{
    any::{AnyPoolOptions, AnyRow},
    migrate::{MigrateDatabase, Migrator},
    Any, AnyPool,
};
use std::{path::Path, sync::Arc, time::Duration};

static SQLITE_MIGRATIONS: Migrator = sqlx::migrate!("./migrations/sqlite");
static POSTGRES_MIGRATIONS: Migrator = sqlx::migrate!("./migrations/postgres");

/// Which database engine a store talks to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Engine {
    /// The embedded default.
    Sqlite,
    /// For several processes or bigger instances.
    Postgres,
}

/// A failed database operation.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The driver reported an error.
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
    /// Migrations failed to apply.
    #[error("migration error: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    /// The database URL names no supported engine.
    #[error("unsupported database URL (expected sqlite: or postgres://)")]
    UnsupportedUrl,
    /// A stored value could not be read back (corrupt JSON list…).
    #[error("stored value is invalid: {0}")]
    Corrupt(String),
    /// The data directory could not be created.
    #[error("cannot create the data directory: {0}")]
    DataDir(#[from] std::io::Error),
    /// No turn to write came within 10 s.
    #[error("the database is busy")]
    Busy,
    /// A grouped write could not be committed (see [`Store::write`]).
    #[error("write failed: {0}")]
    Write(String),
}

/// A write transaction's turn on SQLite: the process's writer lock, and
/// which task holds it (see [`Store::pool`]).
struct WriterTurn {
    _guard: tokio::sync::OwnedMutexGuard<()>,
    holder: Arc<std::sync::Mutex<Option<tokio::task::Id>>>,
    /// Where the transaction began, and when.
    at: &'static std::panic::Location<'static>,
    since: std::time::Instant,
}

/// A write transaction holding SQLite's lock longer than this is logged:
/// every other write of the process waits meanwhile.
const SLOW_WRITE_TURN: Duration = Duration::from_secs(1);

impl Drop for WriterTurn {
    fn drop(&mut self) {
        if let Ok(mut holder) = self.holder.lock() {
            *holder = None;
        }
        let held = self.since.elapsed();
        if held > SLOW_WRITE_TURN {
            tracing::warn!(
                at = %self.at,
                held_ms = held.as_millis() as u64,
                "a write transaction held SQLite's write lock long"
            );
        }
    }
}

/// Result of store operations.
pub type StoreResult<T> = Result<T, StoreError>;

/// A database transaction. A change and the activities it causes are
/// written in one, so nothing is announced that did not happen and nothing
/// that happened goes unannounced.
pub struct Tx {
    inner: sqlx::Transaction<'static, Any>,
    /// On SQLite, this process's turn to write (see [`Store::begin`]).
    _writer: Option<WriterTurn>,
    /// The store's clock, so that times written in the transaction are the
    /// instance's (tests move it).
    clock: Clock,
    /// On SQLite, live events announced in the transaction, published
    /// on `hub` after the commit (`None` on PostgreSQL, where they are
    /// `pg_notify`s; see `store::live`).
    live: Option<Vec<live::LiveEvent>>,
    hub: live::LiveHub,
}

impl Tx {
    /// Milliseconds since the Unix epoch on the instance's clock.
    pub fn now_ms(&self) -> i64 {
        self.clock.now_ms()
    }

    /// Locks row `id` of `table` until the end of the transaction, on
    /// PostgreSQL (`FOR UPDATE`); on SQLite the transaction holds the one
    /// write lock already. Taken before inserting a child row (a reply
    /// under its thread), it makes the children's ids grow in the order
    /// their transactions commit, which "what came after id N" relies on.
    pub async fn lock_row(&mut self, table: &'static str, id: i64) -> StoreResult<()> {
        if self.live.is_none() {
            sqlx::query(&format!("SELECT id FROM {table} WHERE id = $1 FOR UPDATE"))
                .bind(id)
                .fetch_optional(&mut *self.inner)
                .await?;
        }
        Ok(())
    }

    /// Commits the transaction (prefer [`commit`], which also tells the
    /// page caches).
    pub async fn commit(self) -> StoreResult<()> {
        let Tx {
            inner, live, hub, ..
        } = self;
        inner.commit().await?;
        for event in live.unwrap_or_default() {
            hub.publish(event);
        }
        Ok(())
    }
}

impl std::ops::Deref for Tx {
    type Target = sqlx::AnyConnection;

    fn deref(&self) -> &Self::Target {
        &self.inner
    }
}

impl std::ops::DerefMut for Tx {
    fn deref_mut(&mut self) -> &mut Self::Target {
        &mut self.inner
    }
}

/// The database of one instance.
#[derive(Clone, Debug)]
pub struct Store {
    pool: AnyPool,
    engine: Engine,
    /// SQLite has one writer: write transactions of this process take
    /// turns here instead of polling SQLite's busy handler, which sleeps
    /// up to 100 ms at a time when several wait.
    writer: Arc<tokio::sync::Mutex<()>>,
    /// The task whose write transaction holds `writer`, if any.
    writing: Arc<std::sync::Mutex<Option<tokio::task::Id>>>,
    /// The group-commit queue, started on first use.
    queue: Arc<std::sync::OnceLock<writer::Writer>>,
    /// The time every stored time is read from: the system clock, or a
    /// test's (see [`Store::with_clock`]).
    clock: Clock,
    /// This process's live events (`store::live`).
    live: live::LiveHub,
}

impl Store {
    /// Connects to `url`, creating the database (or SQLite file and its
    /// directory) when missing. Does not migrate: call [`Store::migrate`].
    /// SQLite connections get the default page cache of the settings
    /// ([`crate::config::DEFAULT_SQLITE_CACHE_KIB`]).
    #[cfg(feature = "test-support")]
    pub async fn connect(url: &str, max_connections: u32) -> StoreResult<Store> {
        Store::connect_with_cache(
            url,
            max_connections,
            crate::config::DEFAULT_SQLITE_CACHE_KIB,
        )
        .await
    }

    /// [`Store::connect`], each SQLite connection of the pool keeping at
    /// most `sqlite_cache_kib` KiB of database pages in memory (`PRAGMA
    /// cache_size`; PostgreSQL's cache is the database server's).
    pub async fn connect_with_cache(
        url: &str,
        max_connections: u32,
        sqlite_cache_kib: u32,
    ) -> StoreResult<Store> {
        sqlx::any::install_default_drivers();
        let engine = if url.starts_with("sqlite:") {
            Engine::Sqlite
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Engine::Postgres
        } else {
            return Err(StoreError::UnsupportedUrl);
        };
        let url = match engine {
            Engine::Sqlite => {
                let path = url
                    .trim_start_matches("sqlite://")
                    .trim_start_matches("sqlite:");
                let path = path.split('?').next().unwrap_or(path);
                if let Some(parent) = Path::new(path).parent() {
                    if !parent.as_os_str().is_empty() {
                        std::fs::create_dir_all(parent)?;
                    }
                }
                url.to_string()
            }
            Engine::Postgres => url.to_string(),
        };
        if !Any::database_exists(&url).await? {
            if let Err(error) = Any::create_database(&url).await {
                // Another process starting at the same time may have
                // created it between the check and the creation.
                if !Any::database_exists(&url).await? {
                    return Err(error.into());
                }
            }
        }
        let pool = AnyPoolOptions::new()
            .max_connections(match engine {
                // SQLite allows one writer (write transactions queue on
                // BEGIN IMMEDIATE); readers run alongside in WAL mode.
                Engine::Sqlite => max_connections.min(8),
                Engine::Postgres => max_connections,
            })
            .acquire_timeout(Duration::from_secs(10))
            .after_connect(move |connection, _meta| {
                Box::pin(async move {
                    if engine == Engine::Sqlite {
                        use sqlx::Executor;
                        // A negative cache_size is in KiB. SQLite's own
                        // default (2,000 KiB) per pooled connection, each
                        // filled by whatever it last read, is most of an
                        // idle server's memory (docs/performance.md).
                        connection
                            .execute(
                                format!(
                                    "PRAGMA journal_mode = WAL; PRAGMA foreign_keys = ON; \
                                     PRAGMA busy_timeout = 5000; PRAGMA synchronous = NORMAL; \
                                     PRAGMA cache_size = -{};",
                                    sqlite_cache_kib.max(1)
                                )
                                .as_str(),
                            )
                            .await?;
                    }
                    Ok(())
                })
            })
            .connect(&url)
            .await?;
        Ok(Store {
            pool,
            engine,
            writer: Arc::default(),
            writing: Arc::default(),
            queue: Arc::default(),
            clock: Clock::system(),
            live: live::LiveHub::default(),
        })
    }

    /// This store reading the time from `clock` instead of the system
    /// clock (tests start instances with one they can move).
    pub fn with_clock(self, clock: Clock) -> Store {
        Store { clock, ..self }
    }

    /// The clock this store reads the time from.
    pub fn clock(&self) -> &Clock {
        &self.clock
    }

    /// Milliseconds since the Unix epoch on this store's clock, the unit of
    /// every stored time.
    pub fn now_ms(&self) -> i64 {
        self.clock.now_ms()
    }

    /// Applies pending migrations of this engine. On PostgreSQL sqlx's
    /// migrator holds an advisory lock (`pg_advisory_lock`) while it reads
    /// and applies them, so processes starting at once on one database
    /// take turns and the later ones find nothing left to do.
    pub async fn migrate(&self) -> StoreResult<()> {
        match self.engine {
            Engine::Sqlite => SQLITE_MIGRATIONS.run(&self.pool).await?,
            Engine::Postgres => POSTGRES_MIGRATIONS.run(&self.pool).await?,
        }
        Ok(())
    }

    /// Starts a transaction.
    #[track_caller]
    pub fn begin(&self) -> impl std::future::Future<Output = StoreResult<Tx>> + Send + '_ {
        let at = std::panic::Location::caller();
        self.begin_at(at)
    }

    async fn begin_at(&self, at: &'static std::panic::Location<'static>) -> StoreResult<Tx> {
        Ok(match self.engine {
            // A deferred SQLite transaction that reads, then writes, fails
            // at once with SQLITE_BUSY when another writer got in between;
            // taking the write lock up front makes it wait its turn, and
            // taking this process's turn first keeps the waiting out of
            // SQLite. Never begin a second transaction while holding one.
            Engine::Sqlite => {
                let writer =
                    tokio::time::timeout(Duration::from_secs(10), self.writer.clone().lock_owned())
                        .await
                        .map_err(|_| StoreError::Busy)?;
                let inner = self.pool.begin_with("BEGIN IMMEDIATE").await?;
                if let Ok(mut holder) = self.writing.lock() {
                    *holder = tokio::task::try_id();
                }
                Tx {
                    inner,
                    _writer: Some(WriterTurn {
                        _guard: writer,
                        holder: self.writing.clone(),
                        at,
                        since: std::time::Instant::now(),
                    }),
                    clock: self.clock.clone(),
                    live: Some(Vec::new()),
                    hub: self.live.clone(),
                }
            }
            Engine::Postgres => Tx {
                inner: self.pool.begin().await?,
                _writer: None,
                clock: self.clock.clone(),
                live: None,
                hub: self.live.clone(),
            },
        })
    }

    /// On PostgreSQL, a transaction whose commit does not wait for its
    /// record to be flushed to disk (`SET LOCAL synchronous_commit = off`,
    /// for it alone): visible to every other transaction at once like any
    /// commit, lost only if the database server itself stops within a
    /// fraction of a second after it. Only for writes that are safe to
    /// lose so (a delivery's lease, a read marker), never for what is
    /// answered as stored. `None` on SQLite, whose commits do not wait for
    /// the disk either (`synchronous = NORMAL` in WAL mode): write there as
    /// before.
    pub(crate) async fn begin_unflushed(&self) -> StoreResult<Option<Tx>> {
        if self.engine != Engine::Postgres {
            return Ok(None);
        }
        let mut tx = self.begin().await?;
        sqlx::query("SET LOCAL synchronous_commit = off")
            .execute(&mut *tx)
            .await?;
        Ok(Some(tx))
    }

    fn writer(&self) -> &writer::Writer {
        self.queue.get_or_init(|| {
            // The task's copy has no queue of its own, so dropping the
            // last store ends it.
            writer::Writer::start(Store {
                queue: Arc::default(),
                ..self.clone()
            })
        })
    }

    /// The engine behind this store.
    pub fn engine(&self) -> Engine {
        self.engine
    }

    /// The connection pool, for the store's own modules.
    ///
    /// On SQLite, a query on the pool from the task that holds a write
    /// transaction is a defect: it needs a second connection while the
    /// transaction keeps the write lock, and when every other connection
    /// is waiting for that lock (writes outside a transaction wait in
    /// SQLite's busy handler, up to 5 s) nobody moves until they fail with
    /// "database is locked". Such a query is logged, once per place, with
    /// where it came from; with the `test-support` feature (every test)
    /// it panics, so that the tests find any new one.
    #[track_caller]
    pub(crate) fn pool(&self) -> &AnyPool {
        if self.engine == Engine::Sqlite {
            self.check_not_writing();
        }
        &self.pool
    }

    #[track_caller]
    fn check_not_writing(&self) {
        let Some(task) = tokio::task::try_id() else {
            return;
        };
        let holding = self
            .writing
            .lock()
            .map(|holder| *holder == Some(task))
            .unwrap_or(false);
        if !holding {
            return;
        }
        // Once per place: the trace is costly, and one report says it.
        static REPORTED: std::sync::Mutex<Vec<&'static std::panic::Location<'static>>> =
            std::sync::Mutex::new(Vec::new());
        let at = std::panic::Location::caller();
        let first = REPORTED
            .lock()
            .map(|mut reported| {
                let first = !reported.contains(&at);
                if first {
                    reported.push(at);
                }
                first
            })
            .unwrap_or(false);
        if first {
            let trace = std::backtrace::Backtrace::force_capture();
            tracing::error!(%at, %trace, "a query on the pool inside this task's own write transaction");
        }
        #[cfg(feature = "test-support")]
        panic!("a query on the pool at {at} inside this task's own write transaction");
    }

    /// Closes every connection (used at shutdown and by tests).
    pub async fn close(&self) {
        self.pool.close().await;
    }
}

/// Commits a transaction started with [`Store::begin`].
pub async fn commit(tx: Tx) -> StoreResult<()> {
    tx.commit().await?;
    content_changed();
    Ok(())
}

/// Bumped after every committed transaction and every direct write to
/// what pages show (actors, forums, accounts). Caches of page data keep
/// the number they were built at and are only used while it holds. One
/// counter for the whole process: an instance's write may needlessly
/// invalidate another's cache in tests running several, never the reverse.
static CONTENT_VERSION: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);

/// Bumped after every change to trust evidence (`store::trust`), so the
/// in-memory view of it is read again.
static TRUST_VERSION: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);

/// The current trust evidence version.
pub fn trust_version() -> u64 {
    TRUST_VERSION.load(std::sync::atomic::Ordering::Acquire)
}

/// Records that trust evidence changed; labels shown change with it.
pub(crate) fn trust_changed() {
    TRUST_VERSION.fetch_add(1, std::sync::atomic::Ordering::AcqRel);
    content_changed();
}

/// The current content version (see [`commit`]).
pub fn content_version() -> u64 {
    CONTENT_VERSION.load(std::sync::atomic::Ordering::Acquire)
}

/// Records that stored content changed; returns the version before.
pub(crate) fn content_changed() -> u64 {
    CONTENT_VERSION.fetch_add(1, std::sync::atomic::Ordering::AcqRel)
}

/// Reads a JSON list of strings stored in a text column.
pub(crate) fn decode_list(text: &str) -> StoreResult<Vec<String>> {
    serde_json::from_str(text).map_err(|error| StoreError::Corrupt(error.to_string()))
}

/// Writes a list of strings for a text column.
pub(crate) fn encode_list(list: &[String]) -> String {
    serde_json::Value::from(list.to_vec()).to_string()
}

/// An `INTEGER` 0/1 column, read as a `bool` by the derived row decoders
/// (`#[sqlx(try_from = "IntBool")]`): booleans are stored as integers on
/// both engines.
#[derive(Debug, Clone, Copy, sqlx::Type)]
#[sqlx(transparent)]
pub struct IntBool(i64);

impl From<IntBool> for bool {
    fn from(value: IntBool) -> bool {
        value.0 != 0
    }
}

/// A text column holding a JSON list of strings, read as a `Vec<String>`
/// by the derived row decoders (`#[sqlx(try_from = "StoredList")]`).
#[derive(Debug, Clone, sqlx::Type)]
#[sqlx(transparent)]
pub struct StoredList(String);

impl TryFrom<StoredList> for Vec<String> {
    type Error = StoreError;

    fn try_from(value: StoredList) -> StoreResult<Vec<String>> {
        decode_list(&value.0)
    }
}

/// A trust level stored by name, read as a `TrustLevel` by the derived row
/// decoders (`#[sqlx(try_from = "StoredLevel")]`); an unknown name reads as
/// the default level.
#[derive(Debug, Clone, sqlx::Type)]
#[sqlx(transparent)]
pub struct StoredLevel(String);

impl From<StoredLevel> for preau_federation::TrustLevel {
    fn from(stored: StoredLevel) -> Self {
        stored.0.parse().unwrap_or_default()
    }
}

/// Decodes a row with the derived `sqlx::FromRow` of `T`, the one decoding
/// path of the store (also for rows joining several structs' columns).
pub(crate) fn decode<T>(row: &AnyRow) -> StoreResult<T>
where
    T: for<'r> sqlx::FromRow<'r, AnyRow>,
{
    Ok(T::from_row(row)?)
}

/// Whether an error is a unique-constraint violation (a name or address
/// already taken), on either engine.
pub fn is_unique_violation(error: &StoreError) -> bool {
    match error {
        StoreError::Database(sqlx::Error::Database(db)) => {
            db.is_unique_violation()
                || db.message().contains("UNIQUE constraint failed")
                || db.code().as_deref() == Some("23505")
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a panic is a failure report

    use super::Store;

    #[tokio::test]
    async fn every_sqlite_connection_keeps_the_page_cache_it_was_given() {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}", dir.path().join("cache.db").display());
        let store = Store::connect_with_cache(&url, 2, 300).await.unwrap();
        // Two connections at once: the pool opens both.
        let mut first = store.pool().acquire().await.unwrap();
        let mut second = store.pool().acquire().await.unwrap();
        for connection in [&mut first, &mut second] {
            let kib: i64 = sqlx::query_scalar("PRAGMA cache_size")
                .fetch_one(&mut **connection)
                .await
                .unwrap();
            assert_eq!(kib, -300, "a negative cache_size is in KiB");
        }
        drop((first, second));
        store.close().await;
    }
}
