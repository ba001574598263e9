//! Digests for 10,000 teachers: the time `Domain::send_due_digests` takes
//! and the SQL statements it runs (counted from sqlx's `sqlx::query`
//! events), on SQLite and, with `PREAU_TEST_POSTGRES_URL`, PostgreSQL.
//! Mail goes to the outbox folder (no `mail.smtp_url`), one `.eml` file
//! per digest. `cargo bench --bench digests` (see docs/performance.md).
//! `PREAU_BENCH_DIGESTS` sets the number of teachers.

#![allow(clippy::unwrap_used, clippy::expect_used)] // benchmark code: a panic is a failure report

use preau::{
    config::Settings,
    domain::{accounts::AdminCreateInput, clock::Clock},
};
use std::{
    sync::atomic::{AtomicUsize, Ordering},
    time::{Duration, Instant},
};
use tracing_subscriber::{layer::SubscriberExt, Layer};

mod common;
use common::{database_url, drop_postgres_database, env_usize};

/// Statements run, counted from sqlx's query events.
static QUERIES: AtomicUsize = AtomicUsize::new(0);

struct CountQueries;

impl<S: tracing::Subscriber> Layer<S> for CountQueries {
    fn on_event(&self, event: &tracing::Event<'_>, _: tracing_subscriber::layer::Context<'_, S>) {
        if event.metadata().target() == "sqlx::query" {
            QUERIES.fetch_add(1, Ordering::Relaxed);
        }
    }
}

async fn run(postgres: bool, teachers: usize) {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut settings = Settings::default();
    settings.server.data_dir = dir.path().to_path_buf();
    settings.instance.domain = "localhost:8080".to_string();
    settings.database.url = database_url(postgres, dir.path());
    let url = settings.database.url.clone();
    let clock = Clock::adjustable();
    let domain = preau::app::build_domain_with_clock(settings, clock.clone())
        .await
        .expect("domain");
    let admin = domain
        .admin_create_account(AdminCreateInput {
            username: "anne".into(),
            email: "anne@example.org".into(),
            password: "correct horse battery".into(),
            is_admin: true,
        })
        .await
        .expect("admin");
    let (_, thread) = common::maths_thread(&domain, &admin).await;
    let reply = domain
        .post_reply(&admin, &thread, "Avec des bandes de papier pliées.")
        .await
        .expect("reply");
    let seeded = Instant::now();
    domain
        .store()
        .seed_digest_bench(
            admin.actor_id,
            reply.id,
            thread.id,
            teachers,
            clock.now_ms(),
        )
        .await
        .expect("seed");
    let seed_time = seeded.elapsed();
    clock.advance(Duration::from_secs(86_400 + 60));
    let before = QUERIES.load(Ordering::Relaxed);
    let started = Instant::now();
    let sent = domain.send_due_digests().await.expect("digests");
    let elapsed = started.elapsed();
    let queries = QUERIES.load(Ordering::Relaxed) - before;
    assert_eq!(sent, teachers, "one digest per teacher");
    let again = domain.send_due_digests().await.expect("digests");
    assert_eq!(again, 0, "nothing left");
    println!(
        "{}: {teachers} digests in {:.2} s ({:.2} ms each), {queries} SQL statements ({:.3} per digest); seeding took {:.1} s",
        if postgres { "PostgreSQL" } else { "SQLite" },
        elapsed.as_secs_f64(),
        elapsed.as_secs_f64() * 1000.0 / teachers as f64,
        queries as f64 / teachers as f64,
        seed_time.as_secs_f64(),
    );
    drop(domain);
    if postgres {
        drop_postgres_database(&url).await;
    }
}

fn main() {
    preau::install_crypto_provider();
    tracing::subscriber::set_global_default(tracing_subscriber::registry().with(CountQueries))
        .expect("subscriber");
    let teachers = env_usize("PREAU_BENCH_DIGESTS", 10_000);
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .unwrap_or_default()
        .lines()
        .find(|l| l.starts_with("model name"))
        .and_then(|l| l.split(':').nth(1))
        .map(|m| m.trim().to_string())
        .unwrap_or_default();
    println!(
        "Préau digest benchmark — {} cores ({cpu}); mail to the outbox folder",
        std::thread::available_parallelism().map_or(1, |n| n.get())
    );
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");
    runtime.block_on(async {
        run(false, teachers).await;
        if std::env::var("PREAU_TEST_POSTGRES_URL").is_ok_and(|url| !url.is_empty()) {
            run(true, teachers).await;
        }
    });
}
