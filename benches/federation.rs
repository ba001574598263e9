//! Forum and federation benchmarks (issue 3, "Benchmarks").
//!
//! `CARGO_TARGET_DIR=/work/target cargo bench --bench federation [-- FILTER…]`
//!
//! FILTER picks parts: `crypto`, `inbox`, `fanout`, `thread`,
//! `thread-writes`, `directory`, `home`, `forum-search`, `child` (default: all). Every figure is printed next to the limit measured in the
//! same run (RSA-2048 verifications and signatures per second with the
//! `rsa` crate, the crypto the server uses), and a summary table closes the
//! run. PostgreSQL runs too when `PREAU_TEST_POSTGRES_URL` is set (a fresh
//! database is created and dropped). Knobs, all optional:
//!
//! - `PREAU_BENCH_INBOX_N` (3000): signed activities per inbox run;
//! - `PREAU_BENCH_INBOX_CONCURRENCY` (64): requests in flight;
//! - `PREAU_BENCH_THREAD_SECS` (10): duration of each thread page run;
//! - `PREAU_BENCH_WRITE_RATE` (100): replies written per second into the
//!   thread during the `thread-writes` runs;
//! - `PREAU_BENCH_HOME_SECS` (5): duration of the logged-in home run and
//!   of each forum search run;
//! - `PREAU_BENCH_SEARCH_N` (5000): posts in the `forum-search` run;
//! - `PREAU_BENCH_DIRECTORY_N` (2000): projects, and teachers, in the
//!   directory run;
//! - `PREAU_BENCH_FANOUT_WORKERS` / `PREAU_BENCH_FANOUT_PER_PEER` (256 / 10):
//!   the tuned delivery settings (the defaults, 128 / 8, and the former
//!   defaults, 32 / 4, are measured too);
//! - `PREAU_BENCH_MAX_CONNECTIONS` (the default): `[database]
//!   max_connections` of the instances started in process.
//!
//! Only loopback (127.0.0.1) is ever contacted. The instance, the remote
//! actors and the sinks run in this process unless stated ("child" starts
//! the release `preau serve` binary alone, to measure its own memory).

#![allow(clippy::unwrap_used, clippy::expect_used)]
// The stand-in remote servers are not Préau routes: axum's own extractors are
// fine there (clippy.toml forbids them in the server).
#![allow(clippy::disallowed_types)]

use axum::{
    extract::{Path, State},
    http::{HeaderMap, HeaderValue, Method, StatusCode},
    response::{IntoResponse, Response},
    routing::{get, post},
    Router,
};
use futures::StreamExt;
use preau::{
    app::RunningInstance,
    config::Settings,
    domain::store::{
        accounts::AccountRow,
        actors::{ActorKindRow, NewActor},
        forums::{FollowState, ForumRow},
        posts::PostRow,
    },
    domain::{accounts::AdminCreateInput, forums::ForumInput},
};
use preau_federation::signatures::{self, RequestParts};
use rsa::{RsaPrivateKey, RsaPublicKey};
use serde_json::{json, Value};
use std::{
    collections::BTreeMap,
    sync::{
        atomic::{AtomicUsize, Ordering},
        Arc, Mutex,
    },
    time::{Duration, Instant, SystemTime},
};
use tokio::net::TcpListener;

mod common;
use common::{
    database_url, drop_postgres_database, env_usize, free_port, http_client, ms, percentile,
    proc_cpu, proc_status_kib, read_load, serve_config, ReadClient, Served, PASSWORD,
};
use seeding::actor;

// ---------------------------------------------------------------- helpers

fn mib(kib: u64) -> String {
    format!("{:.1} MiB ({kib} KiB)", kib as f64 / 1024.0)
}

/// Binds a free loopback port and returns the listener.
async fn loopback_listener() -> TcpListener {
    TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind loopback")
}

/// One row of the final table.
struct Row {
    what: String,
    figure: String,
    against: String,
}

#[derive(Default)]
struct Summary(Mutex<Vec<Row>>);

impl Summary {
    fn add(&self, what: impl Into<String>, figure: impl Into<String>, against: impl Into<String>) {
        self.0.lock().unwrap().push(Row {
            what: what.into(),
            figure: figure.into(),
            against: against.into(),
        });
    }
}

// ----------------------------------------------------------------- crypto

/// RSA-2048 throughput of the crypto the server uses, on one core and on
/// all cores.
#[derive(Clone, Copy, Default)]
struct Crypto {
    cores: usize,
    verify_one: f64,
    verify_all: f64,
    sign_one: f64,
    sign_all: f64,
}

fn ops_per_sec(threads: usize, run_for: Duration, op: impl Fn() + Sync) -> f64 {
    let start = Instant::now();
    let total = AtomicUsize::new(0);
    std::thread::scope(|scope| {
        for _ in 0..threads {
            scope.spawn(|| {
                let mut n = 0;
                while start.elapsed() < run_for {
                    op();
                    n += 1;
                }
                total.fetch_add(n, Ordering::Relaxed);
            });
        }
    });
    total.load(Ordering::Relaxed) as f64 / start.elapsed().as_secs_f64()
}

fn measure_crypto(key: &RsaPrivateKey) -> Crypto {
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let body = br#"{"type":"Create","id":"http://127.0.0.1:1/activities/1"}"#.to_vec();
    let mut headers = HeaderMap::new();
    headers.insert("host", HeaderValue::from_static("127.0.0.1:1"));
    let key_id = "http://127.0.0.1:1/users/a#main-key";
    let sign = || {
        let mut headers = headers.clone();
        signatures::sign_request_with_key(
            &Method::POST,
            "/inbox",
            &mut headers,
            Some(&body),
            key_id,
            key,
            SystemTime::now(),
        )
        .expect("sign");
        headers
    };
    let signed = sign();
    let parts = RequestParts {
        method: &Method::POST,
        path_and_query: "/inbox",
        headers: &signed,
        body: Some(&body),
    };
    let header = signatures::check_request(&parts, SystemTime::now(), &Default::default())
        .expect("own signature passes the checks");
    let signing_string = signatures::signing_string(&parts, &header).expect("signing string");
    let public = RsaPublicKey::from(key);
    let verify = || {
        signatures::verify_signature_with_key(&header, &signing_string, &public).expect("verifies")
    };
    let run = Duration::from_millis(1500);
    Crypto {
        cores,
        verify_one: ops_per_sec(1, run, verify),
        verify_all: ops_per_sec(cores, run, verify),
        sign_one: ops_per_sec(1, run, || {
            sign();
        }),
        sign_all: ops_per_sec(cores, run, || {
            sign();
        }),
    }
}

// ------------------------------------------------------------- instances

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Engine {
    Sqlite,
    Postgres,
}

impl Engine {
    fn label(self) -> &'static str {
        match self {
            Engine::Sqlite => "SQLite",
            Engine::Postgres => "PostgreSQL",
        }
    }
}

fn engines() -> Vec<Engine> {
    match std::env::var("PREAU_TEST_POSTGRES_URL") {
        Ok(url) if !url.is_empty() => vec![Engine::Sqlite, Engine::Postgres],
        _ => vec![Engine::Sqlite],
    }
}

fn bench_settings(engine: Engine, dir: &std::path::Path) -> Settings {
    let mut settings = Settings::default();
    settings.server.listen = "127.0.0.1:0".parse().expect("addr");
    settings.server.data_dir = dir.to_path_buf();
    settings.instance.domain = "localhost:0".to_string();
    settings.database.url = database_url(engine == Engine::Postgres, dir);
    settings.federation.allow_loopback = true;
    settings.delivery.retry_base_ms = 1_000;
    settings.delivery.poll_ms = 100;
    if let Some(pool) = std::env::var("PREAU_BENCH_MAX_CONNECTIONS")
        .ok()
        .and_then(|v| v.parse().ok())
    {
        settings.database.max_connections = pool;
    }
    settings
}

struct Instance {
    running: RunningInstance,
    engine: Engine,
    database_url: String,
    /// `http://127.0.0.1:PORT`: where requests go (the public base URL is
    /// `http://localhost:PORT`).
    target: String,
    _dir: tempfile::TempDir,
}

impl Instance {
    async fn start(engine: Engine, tune: impl FnOnce(&mut Settings)) -> Instance {
        let dir = tempfile::tempdir().expect("tempdir");
        let mut settings = bench_settings(engine, dir.path());
        tune(&mut settings);
        let database_url = settings.database.url.clone();
        let running = preau::app::spawn(settings).await.expect("instance starts");
        let target = format!("http://{}", running.address);
        Instance {
            running,
            engine,
            database_url,
            target,
            _dir: dir,
        }
    }

    fn domain(&self) -> &preau::domain::Domain {
        &self.running.state.domain
    }

    async fn stop(self) {
        self.running.stop().await.expect("instance stops");
        if self.engine == Engine::Postgres {
            drop_postgres_database(&self.database_url).await;
        }
    }
}

/// An admin, a forum and a first thread in it.
struct Seed {
    admin: AccountRow,
    forum: ForumRow,
    thread: PostRow,
}

async fn seed(domain: &preau::domain::Domain, forum_name: &str) -> Seed {
    let admin = match domain
        .store()
        .account_by_username("anne")
        .await
        .expect("store")
    {
        Some(admin) => admin,
        None => domain
            .admin_create_account(AdminCreateInput {
                username: "anne".into(),
                email: "anne@example.org".into(),
                password: PASSWORD.into(),
                is_admin: true,
            })
            .await
            .expect("admin"),
    };
    let forum = domain
        .create_forum(
            Some(&admin),
            &ForumInput {
                name: forum_name.into(),
                title: format!("Forum {forum_name}"),
                description: "Échanges de pratiques.".into(),
                min_post_level: preau_federation::TrustLevel::Informal,
            },
        )
        .await
        .expect("forum");
    let thread = domain
        .post_thread(
            &admin,
            &forum,
            "Enseigner les fractions au cycle 3",
            "Comment introduisez-vous les **fractions** ? Partagez vos séquences.",
        )
        .await
        .expect("thread");
    Seed {
        admin,
        forum,
        thread,
    }
}

// ------------------------------------------------------ remote actors

/// A tiny remote server: actor documents (with the public key) and an
/// inbox answering 202.
#[derive(Clone)]
struct Remote {
    base: String,
    public_key_pem: Arc<String>,
    actor_fetches: Arc<AtomicUsize>,
    inbox_posts: Arc<AtomicUsize>,
}

impl Remote {
    fn actor_id(&self, name: &str) -> String {
        format!("{}/users/{name}", self.base)
    }
}

async fn remote_actor(State(remote): State<Remote>, Path(name): Path<String>) -> Response {
    remote.actor_fetches.fetch_add(1, Ordering::Relaxed);
    let id = remote.actor_id(&name);
    let document = json!({
        "@context": ["https://www.w3.org/ns/activitystreams", "https://w3id.org/security/v1"],
        "id": id,
        "type": "Person",
        "preferredUsername": name,
        "name": format!("Professeur {name}"),
        "summary": "<p>Professeur des écoles, cycle 3.</p>",
        "inbox": format!("{id}/inbox"),
        "outbox": format!("{id}/outbox"),
        "followers": format!("{id}/followers"),
        "endpoints": {"sharedInbox": format!("{}/inbox", remote.base)},
        "publicKey": {"id": format!("{id}#main-key"), "owner": id, "publicKeyPem": *remote.public_key_pem},
    });
    (
        [(
            axum::http::header::CONTENT_TYPE,
            "application/activity+json",
        )],
        document.to_string(),
    )
        .into_response()
}

async fn remote_inbox(State(remote): State<Remote>) -> StatusCode {
    remote.inbox_posts.fetch_add(1, Ordering::Relaxed);
    StatusCode::ACCEPTED
}

async fn start_remote(public_key_pem: String) -> (Remote, tokio::task::JoinHandle<()>) {
    let listener = loopback_listener().await;
    let address = listener.local_addr().expect("addr");
    let remote = Remote {
        // activitypub_federation refuses URLs without a domain name (IP
        // literals), so peers are `localhost:PORT` as in the integration
        // tests; the listener is on 127.0.0.1.
        base: format!("http://localhost:{}", address.port()),
        public_key_pem: Arc::new(public_key_pem),
        actor_fetches: Arc::default(),
        inbox_posts: Arc::default(),
    };
    let router = Router::new()
        .route("/users/{name}", get(remote_actor))
        .route("/users/{name}/inbox", post(remote_inbox))
        .route("/inbox", post(remote_inbox))
        .with_state(remote.clone());
    let task = tokio::spawn(async move {
        let _ = axum::serve(listener, router).await;
    });
    (remote, task)
}

// ------------------------------------------------------ signed requests

struct Signed {
    headers: HeaderMap,
    body: Vec<u8>,
}

fn reply_activity(
    remote: &Remote,
    actor: &str,
    tag: &str,
    thread_ap: &str,
    forum_ap: &str,
) -> Value {
    let actor_id = remote.actor_id(actor);
    let base = &remote.base;
    let published = chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    json!({
        "@context": "https://www.w3.org/ns/activitystreams",
        "id": format!("{base}/activities/{tag}"),
        "type": "Create",
        "actor": actor_id,
        "to": ["https://www.w3.org/ns/activitystreams#Public"],
        "cc": [forum_ap],
        "object": {
            "id": format!("{base}/notes/{tag}"),
            "type": "Note",
            "attributedTo": actor_id,
            "inReplyTo": thread_ap,
            "audience": forum_ap,
            "content": format!("<p>Réponse {tag} : pour les <strong>fractions</strong>, je commence par des bandes de papier pliées, puis la droite graduée. Ma <a href=\"https://example.org/fiches/{tag}\">fiche</a> est en ligne.</p>"),
            "published": published,
            "to": ["https://www.w3.org/ns/activitystreams#Public"],
            "cc": [forum_ap],
        },
    })
}

/// Signs every activity for `POST target_host path`, on all cores.
fn presign(
    target_host: &str,
    path: &str,
    activities: Vec<(String, Value)>,
    key: &RsaPrivateKey,
) -> Vec<Signed> {
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let chunk = activities.len().div_ceil(cores).max(1);
    let mut out: Vec<Signed> = Vec::with_capacity(activities.len());
    std::thread::scope(|scope| {
        let handles: Vec<_> = activities
            .chunks(chunk)
            .map(|part| {
                scope.spawn(move || {
                    part.iter()
                        .map(|(key_id, activity)| {
                            let body = serde_json::to_vec(activity).expect("json");
                            let mut headers = HeaderMap::new();
                            headers
                                .insert("host", HeaderValue::from_str(target_host).expect("host"));
                            headers.insert(
                                "content-type",
                                HeaderValue::from_static("application/activity+json"),
                            );
                            signatures::sign_request_with_key(
                                &Method::POST,
                                path,
                                &mut headers,
                                Some(&body),
                                key_id,
                                key,
                                SystemTime::now(),
                            )
                            .expect("sign");
                            headers.remove("host");
                            Signed { headers, body }
                        })
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        for handle in handles {
            out.extend(handle.join().expect("signer thread"));
        }
    });
    out
}

struct Blast {
    elapsed: Duration,
    statuses: BTreeMap<u16, usize>,
    errors: BTreeMap<String, usize>,
    latencies: Vec<Duration>,
}

impl Blast {
    fn accepted(&self) -> usize {
        self.statuses.get(&202).copied().unwrap_or(0)
    }

    fn describe(&self) -> String {
        let statuses: Vec<String> = self
            .statuses
            .iter()
            .map(|(status, n)| format!("{status}×{n}"))
            .collect();
        let mut text = statuses.join(" ");
        for (error, n) in &self.errors {
            text.push_str(&format!(" [{n}× {error}]"));
        }
        text
    }
}

async fn blast(
    client: &reqwest::Client,
    url: &str,
    requests: Vec<Signed>,
    concurrency: usize,
) -> Blast {
    let statuses = Mutex::new(BTreeMap::new());
    let errors = Mutex::new(BTreeMap::new());
    let latencies = Mutex::new(Vec::with_capacity(requests.len()));
    let start = Instant::now();
    futures::stream::iter(requests)
        .map(|signed| {
            let client = client.clone();
            let url = url.to_string();
            let (statuses, errors, latencies) = (&statuses, &errors, &latencies);
            async move {
                let sent = Instant::now();
                match client
                    .post(&url)
                    .headers(signed.headers)
                    .body(signed.body)
                    .send()
                    .await
                {
                    Ok(response) => {
                        let status = response.status().as_u16();
                        let text = response.text().await.unwrap_or_default();
                        latencies.lock().unwrap().push(sent.elapsed());
                        *statuses.lock().unwrap().entry(status).or_insert(0) += 1;
                        if status != 202 {
                            let code: String = text.chars().take(160).collect();
                            *errors.lock().unwrap().entry(code).or_insert(0) += 1;
                        }
                    }
                    Err(error) => {
                        *errors.lock().unwrap().entry(error.to_string()).or_insert(0) += 1;
                    }
                }
            }
        })
        .buffer_unordered(concurrency.max(1))
        .collect::<()>()
        .await;
    let mut latencies = latencies.into_inner().unwrap();
    latencies.sort();
    Blast {
        elapsed: start.elapsed(),
        statuses: statuses.into_inner().unwrap(),
        errors: errors.into_inner().unwrap(),
        latencies,
    }
}

// ------------------------------------------------------------ inbox bench

/// What the inbox runs need from the target instance.
struct InboxTarget {
    /// `http://127.0.0.1:PORT`
    target: String,
    forum_name: String,
    forum_ap: String,
    thread_ap: String,
}

struct InboxResult {
    concurrency: usize,
    warmup: Blast,
    serial: Blast,
    main: Blast,
    actor_fetches: usize,
    cpu_secs: f64,
}

const ACTORS: usize = 8;

/// Warm-up (first contact: 8 actors, 8 activities each at once, so each
/// actor is fetched while its other activities wait or race), a serial
/// pass of 100 (latency of one request alone), then `n` at `concurrency`.
async fn run_inbox(
    target: &InboxTarget,
    remote: &Remote,
    key: &RsaPrivateKey,
    tag: &str,
    n: usize,
    concurrency: usize,
    cpu_pid: Option<u32>,
) -> InboxResult {
    let client = http_client();
    let host = target.target.trim_start_matches("http://").to_string();
    let path = format!("/forums/{}/inbox", target.forum_name);
    let url = format!("{}{path}", target.target);
    let make = |prefix: &str, count: usize| -> Vec<(String, Value)> {
        (0..count)
            .map(|i| {
                let actor = format!("prof{}", i % ACTORS);
                let key_id = format!("{}#main-key", remote.actor_id(&actor));
                let activity = reply_activity(
                    remote,
                    &actor,
                    &format!("{tag}-{prefix}-{i}"),
                    &target.thread_ap,
                    &target.forum_ap,
                );
                (key_id, activity)
            })
            .collect()
    };
    let warm = presign(&host, &path, make("warm", ACTORS * 8), key);
    let warmup = blast(&client, &url, warm, ACTORS * 8).await;
    let serial_requests = presign(&host, &path, make("serial", 100), key);
    let serial = blast(&client, &url, serial_requests, 1).await;
    let signing = Instant::now();
    let requests = presign(&host, &path, make("main", n), key);
    println!(
        "    pre-signed {n} requests in {:.1} s (not timed)",
        signing.elapsed().as_secs_f64()
    );
    let cpu_before = proc_cpu(cpu_pid).as_secs_f64();
    let main = blast(&client, &url, requests, concurrency).await;
    let cpu = proc_cpu(cpu_pid).as_secs_f64() - cpu_before;
    InboxResult {
        concurrency,
        warmup,
        serial,
        main,
        actor_fetches: remote.actor_fetches.load(Ordering::Relaxed),
        cpu_secs: cpu,
    }
}

fn report_inbox(
    label: &str,
    result: &InboxResult,
    stored: usize,
    expected: usize,
    crypto: &Crypto,
    summary: &Summary,
    cpu_note: &str,
) -> f64 {
    let n = result.main.latencies.len().max(1);
    let rate = result.main.accepted() as f64 / result.main.elapsed.as_secs_f64();
    let mean_serial = result.serial.latencies.iter().sum::<Duration>()
        / result.serial.latencies.len().max(1) as u32;
    let cpu_per = result.cpu_secs * 1000.0 / n as f64;
    let verify_ms = 1000.0 / crypto.verify_one;
    println!("  {label}");
    println!(
        "    warm-up (first contact, {} at once): {}; actor documents fetched: {}",
        ACTORS * 8,
        result.warmup.describe(),
        result.actor_fetches
    );
    println!(
        "    serial (1 in flight, 100): mean {} p99 {}",
        ms(mean_serial),
        ms(percentile(&result.serial.latencies, 99.0))
    );
    println!(
        "    {n} at {} in flight: {:.2} s → {rate:.0} accepted and stored/s; {}; latency p50 {} p99 {} max {}",
        result.concurrency,
        result.main.elapsed.as_secs_f64(),
        result.main.describe(),
        ms(percentile(&result.main.latencies, 50.0)),
        ms(percentile(&result.main.latencies, 99.0)),
        ms(percentile(&result.main.latencies, 100.0)),
    );
    println!(
        "    replies stored in the thread: {stored} (expected {expected}){}",
        if stored == expected {
            ""
        } else {
            "  <-- MISMATCH"
        }
    );
    println!(
        "    CPU {cpu_note}: {:.2} s over {:.2} s wall = {:.0}% of one core; {cpu_per:.2} ms CPU per activity vs {verify_ms:.3} ms per RSA verification",
        result.cpu_secs,
        result.main.elapsed.as_secs_f64(),
        100.0 * result.cpu_secs / result.main.elapsed.as_secs_f64(),
    );
    println!(
        "    limit: RSA-2048 verify {:.0}/s on one core, {:.0}/s on {} cores (target ≥ 1,500/s on SQLite)",
        crypto.verify_one, crypto.verify_all, crypto.cores
    );
    summary.add(
        format!("inbox, {label}"),
        format!(
            "{rate:.0}/s ({} of {n} stored{})",
            result.main.accepted(),
            if stored == expected {
                ", count checked"
            } else {
                ", COUNT MISMATCH"
            }
        ),
        format!(
            "RSA verify {:.0}/s (1 core) / {:.0}/s ({} cores); target ≥ 1500/s",
            crypto.verify_one, crypto.verify_all, crypto.cores
        ),
    );
    rate
}

async fn inbox_in_process(
    engine: Engine,
    key: &RsaPrivateKey,
    public_pem: &str,
    crypto: &Crypto,
    summary: &Summary,
    thread_secs: u64,
    run_thread: bool,
) {
    let n = env_usize("PREAU_BENCH_INBOX_N", 3000);
    let concurrency = env_usize("PREAU_BENCH_INBOX_CONCURRENCY", 64);
    let instance = Instance::start(engine, |_| {}).await;
    let seeded = seed(instance.domain(), "maths").await;
    tokio::time::sleep(Duration::from_secs(2)).await;
    let rss_idle = proc_status_kib(None, "VmRSS:");
    let (remote, remote_task) = start_remote(public_pem.to_string()).await;
    let target = InboxTarget {
        target: instance.target.clone(),
        forum_name: "maths".into(),
        forum_ap: seeded.forum.actor.ap_id.clone(),
        thread_ap: seeded.thread.ap_id.clone(),
    };
    println!(
        "\n== inbox, {} (in process; max_connections {}), {n} signed Create(Note) replies, {concurrency} in flight",
        engine.label(),
        instance.domain().settings.pool_size()
    );
    let result = run_inbox(&target, &remote, key, engine.label(), n, concurrency, None).await;
    let stored = instance
        .domain()
        .store()
        .count_thread_replies(seeded.thread.id)
        .await
        .expect("replies") as usize;
    let expected = result.warmup.accepted() + result.serial.accepted() + result.main.accepted();
    report_inbox(
        &format!("{} (in process)", engine.label()),
        &result,
        stored,
        expected,
        crypto,
        summary,
        "of the bench process (server + client)",
    );
    let rss_after = proc_status_kib(None, "VmRSS:");
    println!(
        "    bench process VmRSS (server + client + signed requests): idle after start {}, after the inbox run {}",
        mib(rss_idle),
        mib(rss_after)
    );
    summary.add(
        format!(
            "VmRSS bench process, {}{}",
            engine.label(),
            if engine == Engine::Sqlite {
                ""
            } else {
                " (cumulative, after SQLite runs)"
            }
        ),
        format!("idle {} / after inbox {}", mib(rss_idle), mib(rss_after)),
        "target ≤ 40 MB idle (includes client side)",
    );
    if run_thread {
        let domain = instance.domain();
        let thread = thread_with_replies(domain, &seeded, 500).await;
        println!(
            "\n== thread page with 500 replies, {} (in process: client and server share the cores)",
            engine.label()
        );
        thread_page_bench(
            &instance.target,
            thread.id.0,
            thread_secs,
            &format!("{} (in process)", engine.label()),
            summary,
        )
        .await;
    }
    remote_task.abort();
    instance.stop().await;
}

// --------------------------------------------------------- thread page

async fn thread_with_replies(
    domain: &preau::domain::Domain,
    seeded: &Seed,
    replies: usize,
) -> PostRow {
    let mut authors = vec![seeded.admin.clone()];
    for name in ["bruno", "chloe", "driss", "elsa"] {
        let account = match domain
            .store()
            .account_by_username(name)
            .await
            .expect("store")
        {
            Some(account) => account,
            None => domain
                .admin_create_account(AdminCreateInput {
                    username: name.into(),
                    email: format!("{name}@example.org"),
                    password: PASSWORD.into(),
                    is_admin: false,
                })
                .await
                .expect("account"),
        };
        authors.push(account);
    }
    let thread = domain
        .post_thread(
            &seeded.admin,
            &seeded.forum,
            "Rituels de calcul mental",
            "Quels **rituels** de calcul mental utilisez-vous en début de séance ?\n\n- durée\n- supports\n- différenciation",
        )
        .await
        .expect("thread");
    let started = Instant::now();
    for i in 0..replies {
        let body = format!(
            "Réponse {i}. Chez nous, *cinq minutes* chaque matin :\n\n1. une question flash au tableau ;\n2. les ardoises ;\n3. une correction collective.\n\nVoir aussi [la fiche](https://example.org/fiche-{i}) et l'article sur la **différenciation**."
        );
        domain
            .post_reply(&authors[i % authors.len()], &thread, &body)
            .await
            .expect("reply");
    }
    println!(
        "    seeded {replies} local replies in {:.1} s",
        started.elapsed().as_secs_f64()
    );
    // Where the time of a page goes: the replies query alone.
    let timer = Instant::now();
    for _ in 0..20 {
        domain
            .store()
            .thread_replies(thread.id, 10_000, 0)
            .await
            .expect("replies");
    }
    println!(
        "    store.thread_replies() alone ({replies} rows): {} per call (mean of 20, one at a time)",
        ms(timer.elapsed() / 20)
    );
    thread
}

async fn thread_page_bench(
    target: &str,
    thread_id: i64,
    secs: u64,
    label: &str,
    summary: &Summary,
) {
    for (kind, path) in [
        ("HTML", format!("/threads/{thread_id}")),
        ("API", format!("/api/v1/threads/{thread_id}")),
    ] {
        let url = format!("{target}{path}");
        let client = http_client();
        let probe = client.get(&url).send().await.expect("probe");
        let status = probe.status().as_u16();
        let size = probe.bytes().await.map(|b| b.len()).unwrap_or(0);
        let clients = 50;
        let deadline = Instant::now() + Duration::from_secs(secs);
        let common::Load {
            latencies,
            failures,
            elapsed,
        } = read_load(ReadClient::Reqwest, &client, &url, None, clients, deadline).await;
        let rate = latencies.len() as f64 / elapsed.as_secs_f64();
        let (p50, p99, max) = (
            percentile(&latencies, 50.0),
            percentile(&latencies, 99.0),
            percentile(&latencies, 100.0),
        );
        println!(
            "    {kind} GET {path} ({status}, {:.0} KiB), {clients} clients, {:.1} s: {} requests, {rate:.0}/s; p50 {} p90 {} p99 {} max {}; failures {failures}",
            size as f64 / 1024.0,
            elapsed.as_secs_f64(),
            latencies.len(),
            ms(p50),
            ms(percentile(&latencies, 90.0)),
            ms(p99),
            ms(max),
        );
        summary.add(
            format!("thread 500 replies {kind}, {label}"),
            format!(
                "p50 {} p99 {} max {}, {rate:.0} req/s",
                ms(p50),
                ms(p99),
                ms(max)
            ),
            "target p99 ≤ 50 ms at 50 clients",
        );
    }
}

// ------------------------------------------------------------- fan-out

struct Sink {
    received: AtomicUsize,
    last: Mutex<Option<Instant>>,
}

async fn sink_inbox(
    State(sink): State<Arc<Sink>>,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> StatusCode {
    tokio::time::sleep(Duration::from_millis(100)).await;
    let signed = headers.contains_key("signature");
    let announce = std::str::from_utf8(&body).is_ok_and(|text| text.contains("\"Announce\""));
    if signed && announce {
        sink.received.fetch_add(1, Ordering::Relaxed);
        *sink.last.lock().unwrap() = Some(Instant::now());
    }
    StatusCode::ACCEPTED
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum DownMode {
    /// The port is closed: connections are refused at once.
    Closed,
    /// The port accepts connections and never answers.
    Hang,
}

struct FanoutResult {
    live_done: Option<Duration>,
    first: Option<Duration>,
    median_host: Option<Duration>,
    received: usize,
    expected: usize,
}

async fn run_fanout(
    shared: bool,
    down_mode: DownMode,
    workers: u32,
    per_peer: u32,
    public_pem: &str,
) -> FanoutResult {
    const HOSTS: usize = 200;
    const DOWN: usize = 10;
    const PER_HOST: usize = 10;
    let instance = Instance::start(Engine::Sqlite, |s| {
        s.delivery.workers = workers;
        s.delivery.per_peer = per_peer;
    })
    .await;
    let domain = instance.domain();
    let seeded = seed(domain, "annonces").await;
    let mut sinks: Vec<Arc<Sink>> = Vec::new();
    let mut ports = Vec::new();
    let mut tasks = Vec::new();
    for host in 0..HOSTS {
        let listener = loopback_listener().await;
        let port = listener.local_addr().expect("addr").port();
        ports.push(port);
        if host < HOSTS - DOWN {
            let sink = Arc::new(Sink {
                received: AtomicUsize::new(0),
                last: Mutex::new(None),
            });
            sinks.push(sink.clone());
            let router = Router::new()
                .route("/inbox", post(sink_inbox))
                .route("/users/{name}/inbox", post(sink_inbox))
                .with_state(sink);
            tasks.push(tokio::spawn(async move {
                let _ = axum::serve(listener, router).await;
            }));
        } else if down_mode == DownMode::Hang {
            tasks.push(tokio::spawn(async move {
                let mut held = Vec::new();
                while let Ok((stream, _)) = listener.accept().await {
                    held.push(stream);
                }
            }));
        } else {
            drop(listener);
        }
    }
    // 2,000 followers, 10 per host.
    let store = &domain.store();
    let mut follower_ids = Vec::new();
    for (host, port) in ports.iter().enumerate() {
        for j in 0..PER_HOST {
            let base = format!("http://localhost:{port}");
            let name = format!("f{host}x{j}");
            let ap_id = format!("{base}/users/{name}");
            let id = store
                .upsert_remote_actor(&NewActor {
                    kind: ActorKindRow::Person,
                    name: name.clone(),
                    domain: format!("localhost:{port}"),
                    inbox: format!("{ap_id}/inbox"),
                    shared_inbox: shared.then(|| format!("{base}/inbox")),
                    ap_id,
                    display_name: name,
                    summary_html: String::new(),
                    public_key_pem: public_pem.to_string(),
                    private_key_pem: None,
                    declared_trust: None,
                })
                .await
                .expect("follower");
            follower_ids.push(id);
        }
    }
    let mut tx = store.begin().await.expect("tx");
    for (n, id) in follower_ids.iter().enumerate() {
        preau::domain::store::forums::upsert_follow(
            &mut tx,
            *id,
            seeded.forum.actor.id,
            FollowState::Accepted,
            &format!("http://127.0.0.1:1/follows/{n}"),
        )
        .await
        .expect("follow");
    }
    preau::domain::store::commit(tx).await.expect("commit");
    let before = store.delivery_counts(None).await.expect("counts");
    let expected_per_sink = if shared { 1 } else { PER_HOST };
    let expected = sinks.len() * expected_per_sink;
    let t0 = Instant::now();
    domain
        .post_thread(
            &seeded.admin,
            &seeded.forum,
            "Réunion de rentrée",
            "La réunion du forum a lieu **jeudi**.",
        )
        .await
        .expect("post");
    let deadline = t0 + Duration::from_secs(60);
    let mut received;
    loop {
        received = sinks
            .iter()
            .map(|s| s.received.load(Ordering::Relaxed))
            .sum::<usize>();
        if received >= expected || Instant::now() > deadline {
            break;
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    let mut per_host: Vec<Duration> = sinks
        .iter()
        .filter(|s| s.received.load(Ordering::Relaxed) >= expected_per_sink)
        .filter_map(|s| s.last.lock().unwrap().map(|t| t - t0))
        .collect();
    per_host.sort();
    let live_done = (received >= expected)
        .then(|| per_host.last().copied())
        .flatten();
    let counts = store.delivery_counts(None).await.expect("counts");
    println!(
        "    deliveries: {} queued; when the live sinks were served: {} done, {} pending (down hosts retrying), {} failed",
        counts.pending + counts.done + counts.failed - (before.pending + before.done + before.failed),
        counts.done - before.done,
        counts.pending - before.pending,
        counts.failed - before.failed
    );
    let result = FanoutResult {
        live_done,
        first: per_host.first().copied(),
        median_host: (!per_host.is_empty()).then(|| percentile(&per_host, 50.0)),
        received,
        expected,
    };
    for task in tasks {
        task.abort();
    }
    instance.stop().await;
    result
}

async fn fanout_bench(public_pem: &str, crypto: &Crypto, summary: &Summary) {
    let tuned_workers = env_usize("PREAU_BENCH_FANOUT_WORKERS", 256) as u32;
    let tuned_per_peer = env_usize("PREAU_BENCH_FANOUT_PER_PEER", 10) as u32;
    let defaults = preau::config::DeliverySettings::default();
    let variants = [
        (
            "shared inboxes (190 live deliveries)",
            true,
            DownMode::Closed,
            defaults.workers,
            defaults.per_peer,
        ),
        (
            "shared inboxes (190 live deliveries)",
            true,
            DownMode::Closed,
            tuned_workers,
            tuned_per_peer,
        ),
        (
            "2,000 distinct inboxes (1,900 live)",
            false,
            DownMode::Closed,
            defaults.workers,
            defaults.per_peer,
        ),
        (
            "2,000 distinct inboxes (1,900 live)",
            false,
            DownMode::Closed,
            tuned_workers,
            tuned_per_peer,
        ),
        (
            "2,000 distinct inboxes (1,900 live), former defaults",
            false,
            DownMode::Closed,
            32,
            4,
        ),
        (
            "2,000 distinct inboxes, down hosts hang",
            false,
            DownMode::Hang,
            tuned_workers,
            tuned_per_peer,
        ),
        (
            "shared inboxes, down hosts hang",
            true,
            DownMode::Hang,
            defaults.workers,
            defaults.per_peer,
        ),
    ];
    println!(
        "\n== fan-out: one local post, 2,000 followers on 200 sink hosts (100 ms each, 10 down), SQLite"
    );
    for (label, shared, down, workers, per_peer) in variants {
        let down_text = match down {
            DownMode::Closed => "down = port closed",
            DownMode::Hang => "down = accepts, never answers",
        };
        println!("  {label}; {down_text}; delivery.workers {workers}, per_peer {per_peer}");
        let result = run_fanout(shared, down, workers, per_peer, public_pem).await;
        let deliveries = if shared { 200 } else { 2000 };
        let sign_floor = deliveries as f64 / crypto.sign_all;
        match result.live_done {
            Some(done) => println!(
                "    all {} live deliveries served in {} (first host {}, median host {}); limit: {deliveries} RSA signatures = {:.2} s at {:.0}/s ({} cores), {:.2} s on one core",
                result.expected,
                ms(done),
                result.first.map(ms).unwrap_or_default(),
                result.median_host.map(ms).unwrap_or_default(),
                sign_floor,
                crypto.sign_all,
                crypto.cores,
                deliveries as f64 / crypto.sign_one,
            ),
            None => println!(
                "    NOT DONE within 60 s: {} of {} live deliveries",
                result.received, result.expected
            ),
        }
        summary.add(
            format!("fan-out, {label}, {down_text}, W{workers}/P{per_peer}"),
            match result.live_done {
                Some(done) => format!("all live served in {}", ms(done)),
                None => format!("NOT DONE in 60 s ({}/{})", result.received, result.expected),
            },
            format!(
                "{deliveries} sigs = {sign_floor:.2} s at {:.0} sig/s; target ≤ 10 s",
                crypto.sign_all
            ),
        );
    }
}

// --------------------------------------------------------- child process

async fn child_bench(
    key: &RsaPrivateKey,
    public_pem: &str,
    crypto: &Crypto,
    summary: &Summary,
    thread_secs: u64,
) {
    let binary = env!("CARGO_BIN_EXE_preau");
    let dir = tempfile::tempdir().expect("tempdir");
    let port = free_port();
    let url = database_url(false, dir.path());
    let (mut settings, config) = serve_config(
        dir.path(),
        port,
        &url,
        "[federation]\nallow_loopback = true\n",
    );
    settings.federation.allow_loopback = true;
    // Seed the database with the library, then let the child serve it.
    let domain = preau::app::build_domain(settings.clone())
        .await
        .expect("domain");
    let seeded = seed(&domain, "maths").await;
    let page_thread = thread_with_replies(&domain, &seeded, 500).await;
    domain.store().close().await;
    drop(domain);
    let started = Instant::now();
    let served = Served::start(binary, &config, &dir.path().join("serve.log"), port).await;
    let (pid, target) = (served.pid, served.target.clone());
    let client = http_client();
    println!(
        "\n== the release binary alone: `preau serve` (pid {pid}, SQLite), ready in {}",
        ms(started.elapsed())
    );
    tokio::time::sleep(Duration::from_secs(5)).await;
    let rss_idle = proc_status_kib(Some(pid), "VmRSS:");
    println!("    VmRSS idle (5 s after ready): {}", mib(rss_idle));
    let n = env_usize("PREAU_BENCH_INBOX_N", 3000);
    let concurrency = env_usize("PREAU_BENCH_INBOX_CONCURRENCY", 64);
    let (remote, remote_task) = start_remote(public_pem.to_string()).await;
    let inbox_target = InboxTarget {
        target: target.clone(),
        forum_name: "maths".into(),
        forum_ap: seeded.forum.actor.ap_id.clone(),
        thread_ap: seeded.thread.ap_id.clone(),
    };
    let result = run_inbox(
        &inbox_target,
        &remote,
        key,
        "child",
        n,
        concurrency,
        Some(pid),
    )
    .await;
    let api: Value = client
        .get(format!("{target}/api/v1/threads/{}", seeded.thread.id.0))
        .send()
        .await
        .expect("api")
        .json()
        .await
        .expect("json");
    // Replies are paginated: the total is counted by the server.
    let stored = api["total_replies"].as_u64().unwrap_or(0) as usize;
    let expected = result.warmup.accepted() + result.serial.accepted() + result.main.accepted();
    report_inbox(
        "SQLite, release `preau serve` child",
        &result,
        stored,
        expected,
        crypto,
        summary,
        "of the server process alone",
    );
    let rss_after_inbox = proc_status_kib(Some(pid), "VmRSS:");
    println!("    VmRSS after the inbox run: {}", mib(rss_after_inbox));
    println!("\n== thread page with 500 replies, release `preau serve` child");
    thread_page_bench(
        &target,
        page_thread.id.0,
        thread_secs,
        "`preau serve` child",
        summary,
    )
    .await;
    let rss_after_pages = proc_status_kib(Some(pid), "VmRSS:");
    println!(
        "    VmRSS after the thread page runs: {}",
        mib(rss_after_pages)
    );
    summary.add(
        "VmRSS `preau serve` alone (SQLite)",
        format!(
            "idle {} / after inbox {} / after pages {}",
            mib(rss_idle),
            mib(rss_after_inbox),
            mib(rss_after_pages)
        ),
        "target ≤ 40 MB idle",
    );
    remote_task.abort();
    served.stop();
}

// -------------------------------------------------------------- directory

/// The directory (issue 5): `PREAU_BENCH_DIRECTORY_N` projects (placed on
/// communes of the gazetteer, one in ten members-only) and as many
/// teacher profiles, then each kind of search timed through the domain
/// (index, filters, checks, distances, one page of rows; no HTTP).
async fn directory_bench(summary: &Summary) {
    use preau::{
        domain::store::{
            accounts::{AccountStatus, NewAccount},
            profiles::{ProfileRow, ProfileUpdate},
        },
        domain::{
            directory::DirectoryInput,
            gazetteer::Gazetteer,
            projects::{project_fields, ProjectInput},
        },
    };
    const SUBJECTS: [&str; 6] = [
        "Mathématiques",
        "SVT",
        "Histoire-géographie",
        "Allemand",
        "Éducation musicale",
        "NSI",
    ];
    const THEMES: [&str; 5] = ["robotique", "jardin", "théâtre", "correspondance", "climat"];
    const LEVELS: [&str; 4] = ["primaire", "college", "lycee", "lycee_pro"];
    let count = env_usize("PREAU_BENCH_DIRECTORY_N", 2000);
    let runs = 50;
    let communes = Gazetteer::get().communes();
    for engine in engines() {
        println!(
            "\n== directory, {}: {count} projects and {count} teachers",
            engine.label()
        );
        let instance = Instance::start(engine, |_| {}).await;
        let domain = instance.domain();
        let store = &domain.store();
        let started = Instant::now();
        let reader = seed(domain, "annuaire").await.admin;
        for i in 0..count {
            let commune = &communes[(i * 7919) % communes.len()];
            let fields = project_fields(&ProjectInput {
                title: format!("{} n° {i}", THEMES[i % THEMES.len()]),
                description: format!(
                    "Un projet de **{}** avec des classes de {}.",
                    THEMES[(i / 5) % THEMES.len()],
                    commune.name
                ),
                subjects: SUBJECTS[i % SUBJECTS.len()].into(),
                school_levels: vec![LEVELS[(i / 6) % LEVELS.len()].into()],
                languages: if i % 4 == 0 { "fr, de" } else { "fr" }.into(),
                academy: "Rennes".into(),
                place: commune.name.to_string(),
                latitude: commune.latitude.to_string(),
                longitude: commune.longitude.to_string(),
                visibility: if i % 10 == 0 { "members" } else { "public" }.into(),
                status: ["looking", "running", "finished"][i % 3].into(),
                join_mode: "request".into(),
                ..ProjectInput::default()
            })
            .expect("fields");
            store
                .create_project(
                    &actor(ActorKindRow::Group, &format!("projet{i}")),
                    &fields,
                    None,
                    reader.actor_id,
                )
                .await
                .expect("project");
        }
        for i in 0..count {
            let name = format!("prof{i}");
            let id = store
                .create_account(&NewAccount {
                    actor: actor(ActorKindRow::Person, &name),
                    email: format!("{name}@ac-rennes.fr"),
                    email_domain: "ac-rennes.fr".into(),
                    password_hash: "hash".into(),
                    is_admin: false,
                    status: AccountStatus::Active,
                    email_verified: true,
                    locale: "fr".into(),
                })
                .await
                .expect("account");
            let account = store
                .account_by_id(id)
                .await
                .expect("store")
                .expect("account");
            store
                .save_profile(
                    account.actor_id,
                    &ProfileUpdate {
                        display_name: format!("Prof {i}"),
                        bio_html: format!("<p>Club de {}</p>", THEMES[i % THEMES.len()]),
                        profile: ProfileRow {
                            subjects: vec![SUBJECTS[i % SUBJECTS.len()].into()],
                            school_levels: vec![LEVELS[(i / 6) % LEVELS.len()].into()],
                            languages: vec!["fr".into()],
                            academy: "Rennes".into(),
                            ..ProfileRow::default()
                        },
                    },
                )
                .await
                .expect("profile");
        }
        println!("    seeded in {:.1} s", started.elapsed().as_secs_f64());
        let cases: [(&str, DirectoryInput); 5] = [
            ("no criterion", DirectoryInput::default()),
            (
                "one word",
                DirectoryInput {
                    words: "Robotique".into(),
                    ..DirectoryInput::default()
                },
            ),
            (
                "subject + level + language",
                DirectoryInput {
                    subject: "svt".into(),
                    level: "lycee".into(),
                    language: "fr".into(),
                    ..DirectoryInput::default()
                },
            ),
            (
                "near Rennes, 50 km",
                DirectoryInput {
                    place: "Rennes".into(),
                    ..DirectoryInput::default()
                },
            ),
            (
                "near Paris, 300 km + word",
                DirectoryInput {
                    words: "jardin".into(),
                    place: "Paris".into(),
                    radius: "300".into(),
                    ..DirectoryInput::default()
                },
            ),
        ];
        for (what, input) in cases {
            let search = input.validate().expect("valid search");
            let results = domain
                .search_directory(Some(&reader), &search)
                .await
                .expect("search");
            let mut times = Vec::with_capacity(runs);
            for _ in 0..runs {
                let started = Instant::now();
                domain
                    .search_directory(Some(&reader), &search)
                    .await
                    .expect("search");
                times.push(started.elapsed());
            }
            times.sort();
            let (p50, p99) = (percentile(&times, 50.0), percentile(&times, 99.0));
            println!(
                "    {what}: {} projects, {} teachers found; p50 {}, p99 {}",
                results.projects_total,
                results.people_total,
                ms(p50),
                ms(p99)
            );
            summary.add(
                format!("directory, {what} ({}, {count}+{count})", engine.label()),
                format!("p50 {} / p99 {}", ms(p50), ms(p99)),
                "one page (20 + 20), in process",
            );
        }
        instance.stop().await;
    }
}

// ------------------------------------------------------------------ main

#[path = "federation/forum_search.rs"]
mod forum_search;
#[path = "federation/home.rs"]
mod home;
#[path = "federation/seeding.rs"]
mod seeding;
#[path = "federation/thread_writes.rs"]
mod thread_writes;

fn main() {
    preau::install_crypto_provider();
    if let Ok(filter) = std::env::var("PREAU_LOG") {
        tracing_subscriber::fmt()
            .with_env_filter(tracing_subscriber::EnvFilter::new(filter))
            .with_writer(std::io::stderr)
            .init();
    }
    let filters: Vec<String> = std::env::args()
        .skip(1)
        .filter(|arg| !arg.starts_with('-'))
        .collect();
    let wanted = |part: &str| filters.is_empty() || filters.iter().any(|f| f == part);
    let rss_at_start = proc_status_kib(None, "VmRSS:");
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let summary = Summary::default();
    let thread_secs = env_usize("PREAU_BENCH_THREAD_SECS", 10) as u64;
    let cpu_model = std::fs::read_to_string("/proc/cpuinfo")
        .unwrap_or_default()
        .lines()
        .find(|l| l.starts_with("model name"))
        .and_then(|l| l.split(':').nth(1))
        .map(|m| m.trim().to_string())
        .unwrap_or_default();
    println!(
        "Préau federation benchmarks — {} cores ({cpu_model}), engines: {:?}",
        std::thread::available_parallelism().map_or(1, |n| n.get()),
        engines().iter().map(|e| e.label()).collect::<Vec<_>>()
    );
    println!("bench process VmRSS at start: {}", mib(rss_at_start));
    let pair = activitypub_federation::http_signatures::generate_actor_keypair().expect("key pair");
    let key = signatures::parse_private_key_pem(&pair.private_key).expect("key");
    let crypto = measure_crypto(&key);
    println!(
        "\n== RSA-2048 (rsa crate, PKCS#1 v1.5 / SHA-256), as used by the inbox and the delivery workers\n    verify: {:.0}/s on one core, {:.0}/s on {} cores\n    sign:   {:.0}/s on one core, {:.0}/s on {} cores",
        crypto.verify_one, crypto.verify_all, crypto.cores, crypto.sign_one, crypto.sign_all, crypto.cores
    );
    summary.add(
        "RSA-2048 verify (rsa crate)",
        format!(
            "{:.0}/s 1 core, {:.0}/s {} cores",
            crypto.verify_one, crypto.verify_all, crypto.cores
        ),
        "limit for the inbox",
    );
    summary.add(
        "RSA-2048 sign (rsa crate)",
        format!(
            "{:.0}/s 1 core, {:.0}/s {} cores",
            crypto.sign_one, crypto.sign_all, crypto.cores
        ),
        "limit for fan-out",
    );
    runtime.block_on(async {
        if wanted("inbox") || wanted("thread") {
            for engine in engines() {
                inbox_in_process(
                    engine,
                    &key,
                    &pair.public_key,
                    &crypto,
                    &summary,
                    thread_secs,
                    wanted("thread"),
                )
                .await;
            }
        }
        if wanted("thread-writes") {
            thread_writes::thread_writes_bench(&key, &pair.public_key, &summary, thread_secs).await;
        }
        if wanted("fanout") {
            fanout_bench(&pair.public_key, &crypto, &summary).await;
        }
        if wanted("directory") {
            directory_bench(&summary).await;
        }
        if wanted("home") {
            home::home_bench(&summary, env_usize("PREAU_BENCH_HOME_SECS", 5) as u64).await;
        }
        if wanted("forum-search") {
            forum_search::forum_search_bench(
                &summary,
                env_usize("PREAU_BENCH_SEARCH_N", 5000),
                env_usize("PREAU_BENCH_HOME_SECS", 5) as u64,
            )
            .await;
        }
        if wanted("child") {
            child_bench(&key, &pair.public_key, &crypto, &summary, thread_secs).await;
        }
    });
    let rows = summary.0.into_inner().unwrap();
    let width = rows
        .iter()
        .map(|r| r.what.chars().count())
        .max()
        .unwrap_or(10);
    let fig_width = rows
        .iter()
        .map(|r| r.figure.chars().count())
        .max()
        .unwrap_or(10);
    println!("\n== summary");
    for row in rows {
        println!(
            "  {:<width$}  {:<fig_width$}  | {}",
            row.what, row.figure, row.against
        );
    }
}
