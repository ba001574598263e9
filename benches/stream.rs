//! Live streams (issue 12): 2,000 `GET /api/v1/stream?thread=ID`
//! connections to one release `preau serve` process, on SQLite and, with
//! `PREAU_TEST_POSTGRES_URL`, PostgreSQL.
//!
//! `cargo bench --bench stream` (see docs/performance.md, "Live streams").
//!
//! The bench creates one author and T teachers (each with a session token
//! used as a bearer token), a forum and a thread, in this process; then
//! starts the release binary (`preau serve`, so that the resident memory
//! read from `/proc/PID/status` is the server's alone) and opens S streams
//! on the thread, S / T per teacher. It reads the server's VmRSS before
//! (after a warm-up stream has come and gone) and with the S streams idle:
//! the difference over S is the memory of an idle stream. Then the author
//! posts replies one at a time through the API; for each, the time from
//! the start of the POST until every stream has received its `reply`
//! event (checked to carry that reply's id). Then replies that mention
//! 20 teachers (the most a post may): the time until each of their
//! streams has its `notification` event, and every stream its `reply`.
//!
//! Knobs: `PREAU_BENCH_STREAMS` (2000), `PREAU_BENCH_STREAM_TEACHERS`
//! (200), `PREAU_BENCH_STREAM_REPLIES` (50), `PREAU_BENCH_STREAM_MENTIONS`
//! (20 replies with mentions). Only loopback is contacted.

#![allow(clippy::unwrap_used, clippy::expect_used)] // benchmark code: a panic is a failure report

use futures::StreamExt;
use preau::{
    config::Settings,
    domain::{accounts::AdminCreateInput, forums::ForumInput},
};
use serde_json::{json, Value};
use std::{
    net::SocketAddr,
    path::Path,
    time::{Duration, Instant, SystemTime},
};
use tokio::sync::mpsc;

const PASSWORD: &str = "une phrase de passe solide";
/// Mentions per reply in the notification case (`MAX_MENTIONS`).
const MENTIONED: usize = preau::domain::mentions::MAX_MENTIONS;
/// How long a round may take before the bench gives up.
const ROUND_LIMIT: Duration = Duration::from_secs(60);

fn env_usize(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn ms(d: Duration) -> String {
    format!("{:.1} ms", d.as_secs_f64() * 1000.0)
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

/// A field of /proc/PID/status, in KiB.
fn proc_status_kib(pid: u32, field: &str) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .unwrap_or_default()
        .lines()
        .find(|line| line.starts_with(field))
        .and_then(|line| line.split_whitespace().nth(1))
        .and_then(|kib| kib.parse().ok())
        .unwrap_or(0)
}

/// CPU time (user + system) of process `pid` so far.
fn proc_cpu(pid: u32) -> Duration {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    // Fields after the command name (which may hold spaces), from field 3.
    let rest = stat.rsplit_once(')').map_or("", |(_, rest)| rest);
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let ticks = |i: usize| {
        fields
            .get(i)
            .and_then(|v| v.parse::<u64>().ok())
            .unwrap_or(0)
    };
    // utime and stime are fields 14 and 15, i.e. 11 and 12 here; the
    // kernel counts them in USER_HZ (100 per second on Linux).
    Duration::from_millis((ticks(11) + ticks(12)) * 10)
}

fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .unwrap_or_default()
        .split_whitespace()
        .take(3)
        .collect::<Vec<_>>()
        .join(" ")
}

/// Raises this process's open-file limit (the child inherits it) to what
/// `streams` connections on both sides need, within the hard limit.
fn raise_open_files(streams: usize) {
    use rustix::process::{getrlimit, setrlimit, Resource, Rlimit};
    let wanted = (streams as u64) * 2 + 1024;
    let limit = getrlimit(Resource::Nofile);
    let current = limit.current.unwrap_or(u64::MAX);
    if current >= wanted {
        println!("open files: limit {current}, enough");
        return;
    }
    let raised = limit.maximum.map_or(wanted, |max| wanted.min(max));
    setrlimit(
        Resource::Nofile,
        Rlimit {
            current: Some(raised),
            maximum: limit.maximum,
        },
    )
    .expect("setrlimit");
    println!("open files: limit raised from {current} to {raised}");
    assert!(
        raised >= wanted,
        "the hard limit allows {raised} open files, {wanted} needed"
    );
}

fn database_url(postgres: bool, dir: &Path) -> String {
    if !postgres {
        return format!("sqlite://{}", dir.join("preau.db").display());
    }
    let base = std::env::var("PREAU_TEST_POSTGRES_URL").expect("PREAU_TEST_POSTGRES_URL");
    let mut url = url::Url::parse(&base).expect("valid PREAU_TEST_POSTGRES_URL");
    let nanos = SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    url.set_path(&format!("/preau_bench_{nanos:x}"));
    url.to_string()
}

async fn drop_postgres_database(url: &str) {
    let mut admin = url::Url::parse(url).expect("url");
    let name = admin.path().trim_start_matches('/').to_string();
    admin.set_path("/postgres");
    sqlx::any::install_default_drivers();
    if let Ok(pool) = sqlx::AnyPool::connect(admin.as_str()).await {
        let _ = sqlx::query(&format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"))
            .execute(&pool)
            .await;
        pool.close().await;
    }
}

/// What a stream received.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// The opening comment.
    Ready,
    Reply,
    Notification,
}

/// One event seen by stream `stream`: its kind, the id it carries (the
/// reply's, from the event id `N.R`; or the notification's) and when.
#[derive(Debug, Clone, Copy)]
struct Seen {
    stream: usize,
    kind: Kind,
    id: i64,
    at: Instant,
}

/// Reads one stream until it ends, reporting what it receives. The parse
/// is minimal on purpose (the client shares the cores with the server):
/// the event name and the `id:` line, no JSON.
async fn watch(mut response: reqwest::Response, stream: usize, seen: mpsc::UnboundedSender<Seen>) {
    let mut buffer: Vec<u8> = Vec::new();
    while let Ok(Some(chunk)) = response.chunk().await {
        let at = Instant::now();
        buffer.extend_from_slice(&chunk);
        while let Some(end) = buffer.windows(2).position(|w| w == b"\n\n") {
            let block: Vec<u8> = buffer.drain(..end + 2).collect();
            let text = String::from_utf8_lossy(&block);
            let mut name = None;
            let mut cursor = None;
            let mut ready = false;
            for line in text.lines() {
                if let Some(value) = line.strip_prefix("event:") {
                    name = Some(value.trim().to_string());
                } else if let Some(value) = line.strip_prefix("id:") {
                    cursor = value.trim().split_once('.').map(|(n, r)| {
                        (n.parse::<i64>().unwrap_or(0), r.parse::<i64>().unwrap_or(0))
                    });
                } else if line.starts_with(":ready") || line.starts_with(": ready") {
                    ready = true;
                }
            }
            let (notification, reply) = cursor.unwrap_or((0, 0));
            let event = match name.as_deref() {
                Some("reply") => Some((Kind::Reply, reply)),
                Some("notification") => Some((Kind::Notification, notification)),
                _ if ready => Some((Kind::Ready, 0)),
                _ => None,
            };
            if let Some((kind, id)) = event {
                if seen
                    .send(Seen {
                        stream,
                        kind,
                        id,
                        at,
                    })
                    .is_err()
                {
                    return;
                }
            }
        }
    }
}

/// The `preau serve` child and what the bench needs to talk to it.
struct Server {
    child: std::process::Child,
    pid: u32,
    target: String,
}

impl Server {
    fn stop(mut self) {
        let _ = std::process::Command::new("kill")
            .arg(self.pid.to_string())
            .status();
        let _ = self.child.wait();
    }
}

/// Seeds the instance in this process and starts `preau serve` on it.
/// Returns the server, the author's token, the teachers' tokens and the
/// thread's id.
async fn start(
    postgres: bool,
    dir: &Path,
    url: &str,
    teachers: usize,
) -> (Server, String, Vec<(String, String)>, i64) {
    let port = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
        listener.local_addr().expect("addr").port()
    };
    let mut settings = Settings::default();
    settings.server.listen = SocketAddr::from(([127, 0, 0, 1], port));
    settings.server.data_dir = dir.to_path_buf();
    settings.instance.domain = format!("localhost:{port}");
    settings.database.url = url.to_string();
    let config = dir.join("preau.toml");
    std::fs::write(
        &config,
        format!(
            "[server]\nlisten = \"127.0.0.1:{port}\"\ndata_dir = \"{dir}\"\n\n[instance]\ndomain = \"localhost:{port}\"\n\n[database]\nurl = \"{url}\"\n",
            dir = dir.display(),
        ),
    )
    .expect("config");
    let seeded = Instant::now();
    let domain = preau::app::build_domain(settings).await.expect("domain");
    let create = |name: String, is_admin: bool| AdminCreateInput {
        email: format!("{name}@example.org"),
        username: name,
        password: PASSWORD.into(),
        is_admin,
    };
    let author = domain
        .admin_create_account(create("anne".into(), true))
        .await
        .expect("author");
    let author_token = domain.open_session(author.id).await.expect("session");
    let forum = domain
        .create_forum(
            Some(&author),
            &ForumInput {
                name: "maths".into(),
                title: "Mathématiques".into(),
                description: String::new(),
                min_post_level: preau_federation::TrustLevel::Informal,
            },
        )
        .await
        .expect("forum");
    let thread = domain
        .post_thread(&author, &forum, "Fractions", "Comment les introduire ?")
        .await
        .expect("thread");
    // Accounts are created a few at a time (password hash and key pair
    // each).
    let accounts: Vec<_> = futures::stream::iter(0..teachers)
        .map(|i| {
            let domain = domain.clone();
            let input = create(format!("t{i}"), false);
            async move {
                let account = domain.admin_create_account(input).await.expect("teacher");
                let token = domain.open_session(account.id).await.expect("session");
                (i, account.username, token)
            }
        })
        .buffer_unordered(8)
        .collect()
        .await;
    let mut accounts = accounts;
    accounts.sort_by_key(|(i, _, _)| *i);
    let tokens: Vec<(String, String)> = accounts
        .into_iter()
        .map(|(_, name, token)| (name, token))
        .collect();
    println!(
        "    seeded {teachers} teachers, a forum and a thread in {:.1} s ({})",
        seeded.elapsed().as_secs_f64(),
        if postgres { "PostgreSQL" } else { "SQLite" }
    );
    domain.store().close().await;
    drop(domain);

    let log = std::fs::File::create(dir.join("serve.log")).expect("log");
    let child = std::process::Command::new(env!("CARGO_BIN_EXE_preau"))
        .arg("--config")
        .arg(&config)
        .arg("serve")
        .stdout(log.try_clone().expect("log"))
        .stderr(log)
        .spawn()
        .expect("start preau serve");
    let pid = child.id();
    let target = format!("http://127.0.0.1:{port}");
    let client = reqwest::Client::new();
    let started = Instant::now();
    loop {
        if let Ok(response) = client
            .get(format!("{target}/.well-known/nodeinfo"))
            .send()
            .await
        {
            if response.status().is_success() {
                break;
            }
        }
        assert!(started.elapsed() < Duration::from_secs(30), "no start");
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    (
        Server { child, pid, target },
        author_token,
        tokens,
        thread.id.0,
    )
}

/// Opens a stream on `thread` for `token`; its events go to `seen`
/// until the handle returned aborts the reading task.
async fn open(
    client: &reqwest::Client,
    target: &str,
    thread: i64,
    token: &str,
    stream: usize,
    seen: mpsc::UnboundedSender<Seen>,
) -> tokio::task::AbortHandle {
    let response = client
        .get(format!("{target}/api/v1/stream?thread={thread}"))
        .bearer_auth(token)
        .send()
        .await
        .expect("stream");
    assert_eq!(response.status(), 200, "stream {stream}");
    tokio::spawn(watch(response, stream, seen)).abort_handle()
}

/// Posts a reply as the author; its id.
async fn post_reply(
    client: &reqwest::Client,
    target: &str,
    thread: i64,
    token: &str,
    body: String,
) -> i64 {
    let response = client
        .post(format!("{target}/api/v1/threads/{thread}/replies"))
        .bearer_auth(token)
        .json(&json!({ "body": body }))
        .send()
        .await
        .expect("reply");
    assert_eq!(response.status(), 201, "reply");
    let post: Value = response.json().await.expect("json");
    post["id"].as_i64().expect("id")
}

/// Waits for `count` events of `kind`, with the other kind's events kept
/// aside; the time of the last one. `count` 0 returns `None` at once.
async fn wait_for(
    seen: &mut mpsc::UnboundedReceiver<Seen>,
    aside: &mut Vec<Seen>,
    kind: Kind,
    count: usize,
    check: impl Fn(&Seen) -> bool,
) -> Option<Instant> {
    let mut got = 0;
    let mut last = None;
    let mut kept = Vec::new();
    for event in aside.drain(..) {
        if event.kind == kind && got < count {
            assert!(check(&event), "unexpected {event:?}");
            got += 1;
            last = last.max(Some(event.at));
        } else {
            kept.push(event);
        }
    }
    *aside = kept;
    let deadline = tokio::time::Instant::now() + ROUND_LIMIT;
    while got < count {
        let event = tokio::time::timeout_at(deadline, seen.recv())
            .await
            .unwrap_or_else(|_| panic!("only {got} of {count} {kind:?} events"))
            .expect("streams alive");
        if event.kind == kind {
            assert!(check(&event), "unexpected {event:?}");
            got += 1;
            last = last.max(Some(event.at));
        } else {
            aside.push(event);
        }
    }
    last
}

fn summary(label: &str, mut times: Vec<Duration>, target: Option<Duration>) {
    times.sort();
    let p99 = percentile(&times, 99.0);
    println!(
        "    {label}: n {} · p50 {} · p99 {} · max {}{}",
        times.len(),
        ms(percentile(&times, 50.0)),
        ms(p99),
        ms(times.last().copied().unwrap_or_default()),
        match target {
            Some(target) if p99 <= target => format!(" (target p99 ≤ {}: met)", ms(target)),
            Some(target) => format!(" (target p99 ≤ {}: MISSED)", ms(target)),
            None => String::new(),
        }
    );
}

async fn run(postgres: bool, streams: usize, teachers: usize, replies: usize, mentions: usize) {
    let engine = if postgres { "PostgreSQL" } else { "SQLite" };
    println!(
        "\n== {engine}: {streams} streams, {teachers} teachers × {} streams each",
        streams / teachers
    );
    let dir = tempfile::tempdir().expect("tempdir");
    let url = database_url(postgres, dir.path());
    let (server, author, tokens, thread) = start(postgres, dir.path(), &url, teachers).await;
    let target = server.target.clone();
    let pid = server.pid;
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(usize::MAX)
        .build()
        .expect("client");

    // Warm-up: one stream receives one reply, then goes; the server's
    // one-time allocations (templates, pools, the listener) are done.
    let (sender, mut seen) = mpsc::unbounded_channel();
    let mut aside = Vec::new();
    let warm = open(
        &client,
        &target,
        thread,
        &tokens[0].1,
        usize::MAX,
        sender.clone(),
    )
    .await;
    wait_for(&mut seen, &mut aside, Kind::Ready, 1, |_| true).await;
    let id = post_reply(&client, &target, thread, &author, "Échauffement.".into()).await;
    wait_for(&mut seen, &mut aside, Kind::Reply, 1, |e| e.id == id).await;
    warm.abort();
    tokio::time::sleep(Duration::from_millis(500)).await;
    let rss_before = proc_status_kib(pid, "VmRSS:");

    // Open the streams, 64 at a time, each until its opening comment.
    let opened = Instant::now();
    let tasks: Vec<_> = futures::stream::iter(0..streams)
        .map(|i| {
            let (client, target, sender) = (client.clone(), target.clone(), sender.clone());
            let token = tokens[i % teachers].1.clone();
            async move { open(&client, &target, thread, &token, i, sender).await }
        })
        .buffer_unordered(64)
        .collect()
        .await;
    wait_for(&mut seen, &mut aside, Kind::Ready, streams, |_| true).await;
    let open_time = opened.elapsed();
    // Idle memory: read until it stops moving (a few reads 250 ms apart).
    let mut rss_idle = proc_status_kib(pid, "VmRSS:");
    for _ in 0..8 {
        tokio::time::sleep(Duration::from_millis(250)).await;
        let now = proc_status_kib(pid, "VmRSS:");
        if now == rss_idle {
            break;
        }
        rss_idle = now;
    }
    let per_stream = (rss_idle.saturating_sub(rss_before)) as f64 / streams as f64;
    println!(
        "    {streams} streams open in {:.2} s; server VmRSS {} KiB before, {} KiB with them idle: {:.1} KiB per idle stream (target ≤ 20 KiB: {})",
        open_time.as_secs_f64(),
        rss_before,
        rss_idle,
        per_stream,
        if per_stream <= 20.0 { "met" } else { "MISSED" }
    );

    // Replies one at a time: until every stream has each.
    let cpu_before = proc_cpu(pid);
    let mut times = Vec::new();
    let mut posts = Vec::new();
    for k in 0..replies {
        let started = Instant::now();
        let id = post_reply(&client, &target, thread, &author, format!("Réponse {k}.")).await;
        posts.push(started.elapsed());
        let last = wait_for(&mut seen, &mut aside, Kind::Reply, streams, |e| e.id == id)
            .await
            .expect("events");
        times.push(last - started);
    }
    let cpu = proc_cpu(pid) - cpu_before;
    summary("POST of a reply (201 received)", posts, None);
    summary(
        &format!("reply → all {streams} streams have it"),
        times,
        Some(Duration::from_millis(100)),
    );
    println!(
        "    server CPU: {} per reply ({} in all)",
        ms(cpu / replies.max(1) as u32),
        ms(cpu)
    );

    // Replies mentioning 20 teachers: their streams get a notification.
    if mentions > 0 {
        let notified = MENTIONED.min(teachers);
        let per_teacher: Vec<usize> = (0..teachers)
            .map(|t| (0..streams).filter(|i| i % teachers == t).count())
            .collect();
        let mut note_times = Vec::new();
        let mut reply_times = Vec::new();
        let cpu_before = proc_cpu(pid);
        for k in 0..mentions {
            // A different set of teachers each round.
            let first = (k * notified) % teachers;
            let chosen: Vec<usize> = (0..notified).map(|j| (first + j) % teachers).collect();
            let body = chosen
                .iter()
                .map(|&t| format!("@{}", tokens[t].0))
                .collect::<Vec<_>>()
                .join(" ");
            let expected: usize = chosen.iter().map(|&t| per_teacher[t]).sum();
            let started = Instant::now();
            let id = post_reply(
                &client,
                &target,
                thread,
                &author,
                format!("Réponse {k} pour {body}."),
            )
            .await;
            let last = wait_for(&mut seen, &mut aside, Kind::Notification, expected, |e| {
                chosen.contains(&(e.stream % teachers))
            })
            .await;
            if let Some(last) = last {
                note_times.push(last - started);
            }
            let last = wait_for(&mut seen, &mut aside, Kind::Reply, streams, |e| e.id == id)
                .await
                .expect("events");
            reply_times.push(last - started);
        }
        let cpu = proc_cpu(pid) - cpu_before;
        let expected: usize = (0..notified).map(|t| per_teacher[t]).sum();
        summary(
            &format!("reply mentioning {notified} teachers → their ~{expected} streams have the notification"),
            note_times,
            Some(Duration::from_millis(100)),
        );
        summary(
            &format!("same replies → all {streams} streams have the reply"),
            reply_times,
            Some(Duration::from_millis(100)),
        );
        println!(
            "    server CPU: {} per reply with mentions",
            ms(cpu / mentions as u32)
        );
    }
    assert!(
        aside.iter().all(|e| e.kind != Kind::Reply),
        "extra reply events"
    );
    println!(
        "    server VmRSS at the end {} KiB; load average now {}",
        proc_status_kib(pid, "VmRSS:"),
        load_average()
    );
    for task in tasks {
        task.abort();
    }
    drop(seen);
    server.stop();
    if postgres {
        drop_postgres_database(&url).await;
    }
}

fn main() {
    preau::install_crypto_provider();
    let streams = env_usize("PREAU_BENCH_STREAMS", 2000);
    let teachers = env_usize("PREAU_BENCH_STREAM_TEACHERS", 200).clamp(1, streams.max(1));
    let replies = env_usize("PREAU_BENCH_STREAM_REPLIES", 50);
    let mentions = env_usize("PREAU_BENCH_STREAM_MENTIONS", 20);
    raise_open_files(streams);
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .unwrap_or_default()
        .lines()
        .find(|l| l.starts_with("model name"))
        .and_then(|l| l.split(':').nth(1))
        .map(|m| m.trim().to_string())
        .unwrap_or_default();
    println!(
        "Préau live-stream benchmark — {} cores ({cpu}); load average {}",
        std::thread::available_parallelism().map_or(1, |n| n.get()),
        load_average()
    );
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");
    runtime.block_on(async {
        run(false, streams, teachers, replies, mentions).await;
        if std::env::var("PREAU_TEST_POSTGRES_URL").is_ok_and(|url| !url.is_empty()) {
            run(true, streams, teachers, replies, mentions).await;
        }
    });
}
