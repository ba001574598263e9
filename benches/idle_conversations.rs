//! Issue 14: 1,000 teachers connected and idle in conversations — the
//! resident memory of one release `preau serve` process (target ≤ 64 MiB).
//!
//! `cargo bench --bench idle_conversations` (see docs/performance.md,
//! "Idle teachers in conversations").
//!
//! The bench creates T teachers in this process (each with a session token
//! used as a bearer token), then starts the release binary (`preau
//! serve`) and, through the API, makes groups of G teachers: the first of
//! each group asks the others to be contacts, they accept, it starts a
//! conversation with them, they accept the invitation. That server stops;
//! a fresh one is started on the same database (the seeding's freed
//! memory would otherwise be counted), and its VmRSS is read. Then every
//! teacher opens the event stream of their group's conversation (`GET
//! /api/v1/stream?conversation=ID`, 64 being opened at a time, each until
//! its opening comment; the opening records the teacher's activity, as a
//! page would); once all are open (bounded), VmRSS is read again when it
//! stops moving, and once more after a quiet while (idle). Last, one
//! message per conversation checks that the streams are alive: every
//! stream gets its line.
//!
//! Knobs: `PREAU_BENCH_IDLE_TEACHERS` (1000), `PREAU_BENCH_IDLE_GROUP`
//! (10 teachers per conversation), `PREAU_BENCH_IDLE_SECONDS` (20: the
//! quiet while), `PREAU_BENCH_SERVER_BIN` (another `preau` binary to
//! serve). With `PREAU_TEST_POSTGRES_URL` set, PostgreSQL too (a fresh
//! database, dropped afterwards). Only loopback is contacted.

#![allow(clippy::unwrap_used, clippy::expect_used)] // benchmark code: a panic is a failure report

use futures::StreamExt;
use serde_json::{json, Value};
use std::time::{Duration, Instant};
use tokio::sync::mpsc;

mod common;
use common::{
    bench_runtime, database_url, drop_postgres_database, env_usize, free_port, load_average,
    next_before, proc_status_kib, raise_open_files, seed_teachers, serve_config, server_binary,
    settled_rss, watch_stream, with_postgres, EventBlock, Served,
};

/// The target for the whole process, KiB.
const TARGET_KIB: u64 = 64 * 1024;
/// How long opening every stream may take before the bench gives up.
const OPEN_LIMIT: Duration = Duration::from_secs(120);

/// What a stream received: its opening, or a conversation line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Seen {
    Ready,
    Line,
}

/// What a stream received in the event block `text`: its opening, or a
/// `conversation_line` event (a minimal parse: the client shares the
/// cores with the server).
fn seen_in(text: &str, _: Instant) -> Option<Seen> {
    let block = EventBlock::read(text);
    if block.name == Some("conversation_line") {
        Some(Seen::Line)
    } else if block.ready {
        Some(Seen::Ready)
    } else {
        None
    }
}

/// A request as `token`; the JSON answer, its status checked.
async fn call(
    client: &reqwest::Client,
    method: reqwest::Method,
    url: String,
    token: &str,
    body: Option<Value>,
    status: u16,
) -> Value {
    let mut request = client.request(method, &url).bearer_auth(token);
    if let Some(body) = body {
        request = request.json(&body);
    }
    let response = request.send().await.expect("request");
    let got = response.status().as_u16();
    let text = response.text().await.unwrap_or_default();
    assert_eq!(got, status, "{url}: {text}");
    serde_json::from_str(&text).unwrap_or(Value::Null)
}

/// Makes group `members` (names and tokens) contacts of its first member
/// and starts their conversation; its id.
async fn seed_group(
    client: &reqwest::Client,
    target: &str,
    members: &[(String, String)],
    number: usize,
) -> i64 {
    use reqwest::Method;
    let (_, creator) = &members[0];
    for (name, token) in &members[1..] {
        call(
            client,
            Method::POST,
            format!("{target}/api/v1/contacts"),
            creator,
            Some(json!({ "handle": name })),
            202,
        )
        .await;
        let requests = call(
            client,
            Method::GET,
            format!("{target}/api/v1/me/requests"),
            token,
            None,
            200,
        )
        .await;
        let asker = requests["contacts"]["received"][0]["person"]["id"]
            .as_i64()
            .expect("the request");
        call(
            client,
            Method::POST,
            format!("{target}/api/v1/contacts/{asker}/answer"),
            token,
            Some(json!({ "accept": true })),
            200,
        )
        .await;
    }
    let names: Vec<&str> = members[1..].iter().map(|(n, _)| n.as_str()).collect();
    let created = call(
        client,
        Method::POST,
        format!("{target}/api/v1/conversations"),
        creator,
        Some(json!({ "name": format!("Groupe {number}"), "participants": names })),
        201,
    )
    .await;
    let id = created["id"].as_i64().expect("conversation id");
    for (_, token) in &members[1..] {
        call(
            client,
            Method::POST,
            format!("{target}/api/v1/conversations/{id}/accept"),
            token,
            Some(json!({})),
            200,
        )
        .await;
    }
    id
}

/// How many more reads of VmRSS (250 ms apart, 5 s at most) until it
/// settles.
const SETTLE_READS: usize = 20;

fn mib(kib: u64) -> String {
    format!("{kib} KiB ({:.1} MiB)", kib as f64 / 1024.0)
}

async fn run(postgres: bool, teachers: usize, group: usize, idle: Duration) {
    let engine = if postgres { "PostgreSQL" } else { "SQLite" };
    let groups = teachers.div_ceil(group);
    println!("\n== {engine}: {teachers} teachers in {groups} conversations of up to {group}");
    let dir = tempfile::tempdir().expect("tempdir");
    let url = database_url(postgres, dir.path());
    let port = free_port();
    let (settings, config) = serve_config(dir.path(), port, &url, "");

    // Accounts, in this process (a password hash and a key pair each).
    let seeded = Instant::now();
    let domain = preau::app::build_domain(settings).await.expect("domain");
    let tokens = seed_teachers(&domain, teachers).await;
    domain.store().close().await;
    drop(domain);
    println!(
        "    {teachers} accounts in {:.1} s",
        seeded.elapsed().as_secs_f64()
    );

    // Contacts and conversations, through the API of a first server.
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(usize::MAX)
        .build()
        .expect("client");
    let seeding = Served::start(
        &server_binary(),
        &config,
        &dir.path().join("seed.log"),
        port,
    )
    .await;
    let started = Instant::now();
    let conversations: Vec<(usize, i64)> = futures::stream::iter(tokens.chunks(group).enumerate())
        .map(|(number, members)| {
            let (client, target) = (client.clone(), seeding.target.clone());
            async move {
                let id = if members.len() > 1 {
                    seed_group(&client, &target, members, number).await
                } else {
                    0
                };
                (number, id)
            }
        })
        .buffer_unordered(8)
        .collect()
        .await;
    let mut conversations = conversations;
    conversations.sort_by_key(|(number, _)| *number);
    println!(
        "    contacts and {groups} conversations in {:.1} s",
        started.elapsed().as_secs_f64()
    );
    seeding.stop();

    // A fresh server: its memory before and with the streams.
    let served = Served::start(
        &server_binary(),
        &config,
        &dir.path().join("serve.log"),
        port,
    )
    .await;
    let (pid, target) = (served.pid, served.target.clone());
    let rss_started = settled_rss(pid, SETTLE_READS).await;
    let (sender, mut seen) = mpsc::unbounded_channel();
    // Warm-up: one stream opens and goes (one-time allocations done).
    let warm = watch_stream(
        &client,
        format!("{target}/api/v1/stream?conversation={}", conversations[0].1),
        &tokens[0].1,
        "warm-up stream",
        sender.clone(),
        seen_in,
    )
    .await;
    assert_eq!(seen.recv().await, Some(Seen::Ready));
    warm.abort();
    let rss_before = settled_rss(pid, SETTLE_READS).await;
    let (anon_before, file_before) = (
        proc_status_kib(Some(pid), "RssAnon:"),
        proc_status_kib(Some(pid), "RssFile:"),
    );

    let opened = Instant::now();
    let streams: Vec<tokio::task::AbortHandle> = futures::stream::iter(0..teachers)
        .map(|i| {
            let (client, target, sender) = (client.clone(), target.clone(), sender.clone());
            let token = tokens[i].1.clone();
            let conversation = conversations[i / group].1;
            async move {
                let url = format!("{target}/api/v1/stream?conversation={conversation}");
                let what = format!("stream of t{i}");
                watch_stream(&client, url, &token, &what, sender, seen_in).await
            }
        })
        .buffer_unordered(64)
        .collect()
        .await;
    let deadline = tokio::time::Instant::now() + OPEN_LIMIT;
    let mut ready = 0;
    let mut lines = 0;
    while ready < teachers {
        match next_before(&mut seen, deadline).await {
            Some(Seen::Ready) => ready += 1,
            Some(Seen::Line) => lines += 1,
            _ => panic!("only {ready} of {teachers} streams opened"),
        }
    }
    let open_time = opened.elapsed();
    let rss_open = settled_rss(pid, SETTLE_READS).await;
    tokio::time::sleep(idle).await;
    let rss_idle = settled_rss(pid, SETTLE_READS).await;
    let hwm = proc_status_kib(Some(pid), "VmHWM:");
    println!(
        "    {teachers} streams open in {:.2} s; server VmRSS: started {}, before the streams {}, \
         all open {}, after {} s idle {} (peak {}); {:.1} KiB per idle stream",
        open_time.as_secs_f64(),
        mib(rss_started),
        mib(rss_before),
        mib(rss_open),
        idle.as_secs(),
        mib(rss_idle),
        mib(hwm),
        rss_idle.saturating_sub(rss_before) as f64 / teachers as f64,
    );
    // VmRSS = RssAnon (this process's own memory) + RssFile (pages of the
    // binary and libraries, shared with the page cache).
    println!(
        "    of which RssAnon / RssFile: before the streams {} / {}, idle {} / {}",
        mib(anon_before),
        mib(file_before),
        mib(proc_status_kib(Some(pid), "RssAnon:")),
        mib(proc_status_kib(Some(pid), "RssFile:")),
    );
    println!(
        "    target: process VmRSS ≤ 64 MiB with the streams idle: {}",
        if rss_idle <= TARGET_KIB {
            "met".to_string()
        } else {
            format!("MISSED by {}", mib(rss_idle.saturating_sub(TARGET_KIB)))
        }
    );

    // Alive: one message per conversation, by its creator; every stream
    // of it gets the line.
    let written = Instant::now();
    futures::stream::iter(conversations.iter().filter(|(_, id)| *id != 0))
        .map(|(number, id)| {
            let (client, target) = (client.clone(), target.clone());
            let token = tokens[number * group].1.clone();
            async move {
                call(
                    &client,
                    reqwest::Method::POST,
                    format!("{target}/api/v1/conversations/{id}/messages"),
                    &token,
                    Some(json!({ "body": "Bonjour à tous" })),
                    201,
                )
                .await
            }
        })
        .buffer_unordered(8)
        .collect::<Vec<_>>()
        .await;
    let expected: usize = conversations
        .iter()
        .filter(|(_, id)| *id != 0)
        .map(|(number, _)| tokens.chunks(group).nth(*number).map_or(0, <[_]>::len))
        .sum();
    let deadline = tokio::time::Instant::now() + OPEN_LIMIT;
    while lines < expected {
        match next_before(&mut seen, deadline).await {
            Some(Seen::Line) => lines += 1,
            Some(Seen::Ready) => {}
            _ => panic!("only {lines} of {expected} lines reached the streams"),
        }
    }
    println!(
        "    one message per conversation: all {expected} streams had their line in {:.2} s; \
         VmRSS then {}; load average {}",
        written.elapsed().as_secs_f64(),
        mib(proc_status_kib(Some(pid), "VmRSS:")),
        load_average()
    );
    for stream in streams {
        stream.abort();
    }
    drop(seen);
    served.stop();
    if postgres {
        drop_postgres_database(&url).await;
    }
}

fn main() {
    preau::install_crypto_provider();
    let teachers = env_usize("PREAU_BENCH_IDLE_TEACHERS", 1000).max(1);
    let group = env_usize("PREAU_BENCH_IDLE_GROUP", 10).clamp(2, 50);
    let idle = Duration::from_secs(env_usize("PREAU_BENCH_IDLE_SECONDS", 20) as u64);
    raise_open_files(teachers, false);
    let runtime = bench_runtime("idle-conversations benchmark");
    runtime.block_on(async {
        run(false, teachers, group, idle).await;
        if with_postgres() {
            run(true, teachers, group, idle).await;
        }
    });
}
