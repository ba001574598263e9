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
//! (20 replies with mentions), `PREAU_BENCH_SERVER_BIN` (another `preau`
//! binary to serve, e.g. an older commit's; default this build's). Only
//! loopback is contacted.

#![allow(clippy::unwrap_used, clippy::expect_used)] // benchmark code: a panic is a failure report

use futures::StreamExt;
use preau::domain::accounts::AdminCreateInput;
use serde_json::{json, Value};
use std::{
    path::Path,
    time::{Duration, Instant},
};
use tokio::sync::mpsc;

mod common;
use common::{
    bench_runtime, database_url, drop_postgres_database, env_usize, free_port, load_average, ms,
    next_before, proc_cpu, proc_status_kib, raise_open_files, seed_teachers, serve_config,
    server_binary, settled_rss, summary, watch_stream, with_postgres, EventBlock, Served, PASSWORD,
};

/// Mentions per reply in the notification case (`MAX_MENTIONS`).
const MENTIONED: usize = preau::domain::mentions::MAX_MENTIONS;
/// How long a round may take before the bench gives up.
const ROUND_LIMIT: Duration = Duration::from_secs(60);

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

/// What stream `stream` received in the event block `text`: the event
/// name and the `id:` line, no JSON.
fn seen_in(stream: usize, text: &str, at: Instant) -> Option<Seen> {
    let block = EventBlock::read(text);
    let cursor = block
        .id
        .and_then(|id| id.split_once('.'))
        .map(|(n, r)| (n.parse::<i64>().unwrap_or(0), r.parse::<i64>().unwrap_or(0)));
    let (notification, reply) = cursor.unwrap_or((0, 0));
    let (kind, id) = match block.name {
        Some("reply") => (Kind::Reply, reply),
        Some("notification") => (Kind::Notification, notification),
        _ if block.ready => (Kind::Ready, 0),
        _ => return None,
    };
    Some(Seen {
        stream,
        kind,
        id,
        at,
    })
}

/// Opens `count` plain HTTP/1.1 keep-alive connections to `address`
/// (`host:port`), each once one `GET /.well-known/nodeinfo` is answered
/// in full, and keeps them open: what the server holds per connection
/// without a stream.
async fn keep_alive_connections(address: &str, count: usize) -> Vec<tokio::net::TcpStream> {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    futures::stream::iter(0..count)
        .map(|_| async move {
            let mut socket = tokio::net::TcpStream::connect(address)
                .await
                .expect("connect");
            socket
                .write_all(
                    format!("GET /.well-known/nodeinfo HTTP/1.1\r\nhost: {address}\r\n\r\n")
                        .as_bytes(),
                )
                .await
                .expect("request");
            let mut answer = Vec::new();
            let mut chunk = [0u8; 4096];
            loop {
                let read = socket.read(&mut chunk).await.expect("read");
                assert!(read > 0, "connection closed before the answer");
                answer.extend_from_slice(&chunk[..read]);
                let Some(end) = answer.windows(4).position(|w| w == b"\r\n\r\n") else {
                    continue;
                };
                let head = String::from_utf8_lossy(&answer[..end]).to_lowercase();
                let length = head
                    .lines()
                    .find_map(|line| line.strip_prefix("content-length:"))
                    .and_then(|value| value.trim().parse::<usize>().ok())
                    .expect("a content-length");
                if answer.len() >= end + 4 + length {
                    return socket;
                }
            }
        })
        .buffer_unordered(64)
        .collect()
        .await
}

/// How many more reads of VmRSS (250 ms apart) until it settles.
const SETTLE_READS: usize = 8;

/// Seeds the instance in this process and starts `preau serve` on it.
/// Returns the server, the author's token, the teachers' tokens and the
/// thread's id.
async fn start(
    postgres: bool,
    dir: &Path,
    url: &str,
    teachers: usize,
) -> (Served, String, Vec<(String, String)>, i64) {
    let port = free_port();
    let (settings, config) = serve_config(dir, port, url, "");
    let seeded = Instant::now();
    let domain = preau::app::build_domain(settings).await.expect("domain");
    let author = domain
        .admin_create_account(AdminCreateInput {
            email: "anne@example.org".into(),
            username: "anne".into(),
            password: PASSWORD.into(),
            is_admin: true,
        })
        .await
        .expect("author");
    let author_token = domain.open_session(author.id).await.expect("session");
    let (_, thread) = common::maths_thread(&domain, &author).await;
    let tokens = seed_teachers(&domain, teachers).await;
    println!(
        "    seeded {teachers} teachers, a forum and a thread in {:.1} s ({})",
        seeded.elapsed().as_secs_f64(),
        if postgres { "PostgreSQL" } else { "SQLite" }
    );
    domain.store().close().await;
    drop(domain);

    let served = Served::start(&server_binary(), &config, &dir.join("serve.log"), port).await;
    (served, author_token, tokens, thread.id.0)
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
    let url = format!("{target}/api/v1/stream?thread={thread}");
    let what = format!("stream {stream}");
    watch_stream(client, url, token, &what, seen, move |text, at| {
        seen_in(stream, text, at)
    })
    .await
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
        let event = next_before(seen, deadline)
            .await
            .unwrap_or_else(|| panic!("only {got} of {count} {kind:?} events"));
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
    let rss_before = proc_status_kib(Some(pid), "VmRSS:");

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
    let rss_idle = settled_rss(pid, SETTLE_READS).await;
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
    let cpu_before = proc_cpu(Some(pid));
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
    let cpu = proc_cpu(Some(pid)) - cpu_before;
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
        let cpu_before = proc_cpu(Some(pid));
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
        let cpu = proc_cpu(Some(pid)) - cpu_before;
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
        proc_status_kib(Some(pid), "VmRSS:"),
        load_average()
    );
    for task in tasks {
        task.abort();
    }
    drop(seen);
    server.stop();

    // For comparison, on a fresh server (memory freed by the streams would
    // be reused): as many plain keep-alive connections, each idle after
    // one small request: hyper's share of an idle stream.
    let port = target.rsplit(':').next().expect("port");
    let server = Served::start(
        &server_binary(),
        &dir.path().join("preau.toml"),
        &dir.path().join("serve-plain.log"),
        port.parse().expect("port"),
    )
    .await;
    let address = format!("127.0.0.1:{port}");
    drop(keep_alive_connections(&address, 1).await);
    tokio::time::sleep(Duration::from_millis(500)).await;
    let plain_before = proc_status_kib(Some(server.pid), "VmRSS:");
    let plain = keep_alive_connections(&address, streams).await;
    let plain_idle = settled_rss(server.pid, SETTLE_READS).await;
    println!(
        "    {streams} plain keep-alive connections (fresh server, one GET each, then idle): VmRSS {plain_before} → {plain_idle} KiB, {:.1} KiB per connection",
        plain_idle.saturating_sub(plain_before) as f64 / streams as f64
    );
    drop(plain);
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
    raise_open_files(streams, true);
    let runtime = bench_runtime("live-stream benchmark");
    runtime.block_on(async {
        run(false, streams, teachers, replies, mentions).await;
        if with_postgres() {
            run(true, streams, teachers, replies, mentions).await;
        }
    });
}
