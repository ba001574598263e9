//! Conversations across instances (issue 14, "Benchmarks"): real
//! release `preau serve` processes on loopback, on SQLite and, with
//! `PREAU_TEST_POSTGRES_URL`, PostgreSQL.
//!
//! `cargo bench --bench chat_federation [-- latency] [-- fanout]`
//! (see docs/performance.md, "Conversations across instances").
//!
//! - `latency`: two instances; `t0` on the first hosts a conversation
//!   with `t0` on the second. One at a time, the second's teacher posts a
//!   message through the API, and the time runs from the start of the
//!   POST until the host's teacher's event stream
//!   (`/api/v1/stream?conversation=ID`) carries its line; then the other
//!   way round. The path measured is the one a browser sees: the API
//!   write, the delivery to the host (and the origin check there), the
//!   host's stream. Target: p99 ≤ 150 ms.
//! - `fanout`: 50 participants spread over three instances (17, 17, 16),
//!   the conversation hosted on the first; every participant has a
//!   stream open. Authors on every instance take turns, with
//!   `PREAU_BENCH_CHAT_IN_FLIGHT` posts in flight at once, until
//!   `PREAU_BENCH_CHAT_MESSAGES` messages are written; the figure is the
//!   messages per second until the last participant's stream has carried
//!   the last one. Then every participant's message list is read through
//!   the API and compared with the host's: every message once, in the
//!   host's order (the run fails otherwise).
//!
//! Set-up goes through the API as a teacher would: contact requests
//! across instances, accepted; the conversation created with every
//! contact; each invitation accepted on the invitee's own instance.
//!
//! Knobs: `PREAU_BENCH_CHAT_LATENCY_N` (200 messages each way),
//! `PREAU_BENCH_CHAT_PARTICIPANTS` (50), `PREAU_BENCH_CHAT_MESSAGES`
//! (500), `PREAU_BENCH_CHAT_IN_FLIGHT` (8). Only loopback is contacted.

#![allow(clippy::unwrap_used, clippy::expect_used)] // benchmark code: a panic is a failure report

use futures::StreamExt;
use serde_json::{json, Value};
use std::{
    collections::HashMap,
    sync::Arc,
    time::{Duration, Instant},
};
use tokio::sync::mpsc;

mod common;
use common::{
    bench_runtime, database_url, drop_postgres_database, env_usize, free_port, next_before,
    seed_teachers, serve_config, summary, watch_stream, with_postgres, EventBlock, Served,
};

/// How long one wait of the set-up or of a round may take.
const LIMIT: Duration = Duration::from_secs(120);

/// What every instance of the bench is configured with: loopback
/// federation, nothing to slow teachers down, and a delivery refused
/// for a while (a `503` while the receiver fetched what it needed from a
/// busy peer) tried again after a second rather than a minute, so that a
/// busy machine's hiccup during the set-up is not waited out.
const EXTRA: &str = "[federation]\nallow_loopback = true\n\n[limits]\nlogin_per_minute = 100000\nsignup_per_hour = 100000\n\n[delivery]\nretry_base_ms = 1000\n";

/// One running instance and its teachers' bearer tokens (`t0`, `t1`…).
struct Instance {
    served: Served,
    /// `localhost:PORT`, its domain.
    domain: String,
    tokens: Vec<String>,
    url: String,
    /// Its `preau serve` output.
    log: std::path::PathBuf,
    _dir: tempfile::TempDir,
}

impl Instance {
    fn target(&self) -> &str {
        &self.served.target
    }

    fn handle(&self, teacher: usize) -> String {
        format!("t{teacher}@{}", self.domain)
    }
}

/// Seeds an instance with `teachers` teachers in this process, then
/// starts `preau serve` on it.
async fn start_instance(postgres: bool, teachers: usize) -> Instance {
    let mut dir = tempfile::tempdir().expect("tempdir");
    // PREAU_BENCH_KEEP_DIRS=1 keeps each instance's directory (its
    // database and serve.log) for a look after the run.
    if std::env::var_os("PREAU_BENCH_KEEP_DIRS").is_some() {
        dir.disable_cleanup(true);
        eprintln!("    keeping {}", dir.path().display());
    }
    let url = database_url(postgres, dir.path());
    let port = free_port();
    let (settings, config) = serve_config(dir.path(), port, &url, EXTRA);
    let domain = preau::app::build_domain(settings).await.expect("domain");
    let accounts = seed_teachers(&domain, teachers).await;
    domain.store().close().await;
    drop(domain);
    let served = Served::start(
        env!("CARGO_BIN_EXE_preau"),
        &config,
        &dir.path().join("serve.log"),
        port,
    )
    .await;
    Instance {
        served,
        domain: format!("localhost:{port}"),
        tokens: accounts.into_iter().map(|(_, token)| token).collect(),
        url,
        log: dir.path().join("serve.log"),
        _dir: dir,
    }
}

async fn stop(instance: Instance, postgres: bool) {
    instance.served.stop();
    if postgres {
        drop_postgres_database(&instance.url).await;
    }
}

/// Sends `request` with `token`; the JSON answer, checked to have `status`.
async fn call(request: reqwest::RequestBuilder, token: &str, status: u16) -> Value {
    let response = request.bearer_auth(token).send().await.expect("request");
    let got = response.status().as_u16();
    let body: Value = response.json().await.unwrap_or(Value::Null);
    assert_eq!(got, status, "unexpected answer {body}");
    body
}

/// Polls `check` every 20 ms until it gives a value, for [`LIMIT`] at most.
async fn until<T, F, Fut>(what: &str, mut check: F) -> T
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Option<T>>,
{
    let started = Instant::now();
    loop {
        if let Some(value) = check().await {
            return value;
        }
        assert!(started.elapsed() < LIMIT, "gave up waiting for {what}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// Makes `(host, 0)` and every person of `others` contacts: requests
/// from the host's teacher, each accepted on the invitee's instance.
async fn make_contacts(client: &reqwest::Client, host: &Instance, others: &[(&Instance, usize)]) {
    for (instance, teacher) in others {
        call(
            client
                .post(format!("{}/api/v1/contacts", host.target()))
                .json(&json!({ "handle": instance.handle(*teacher) })),
            &host.tokens[0],
            202,
        )
        .await;
    }
    let asker = host.handle(0);
    for (instance, teacher) in others {
        let token = &instance.tokens[*teacher];
        let id = until("a contact request", || async {
            let requests = call(
                client.get(format!("{}/api/v1/me/requests", instance.target())),
                token,
                200,
            )
            .await;
            requests["contacts"]["received"]
                .as_array()?
                .iter()
                .find(|entry| entry["person"]["handle"] == asker.as_str())
                .and_then(|entry| entry["person"]["id"].as_i64())
        })
        .await;
        call(
            client
                .post(format!("{}/api/v1/contacts/{id}/answer", instance.target()))
                .json(&json!({ "accept": true })),
            token,
            200,
        )
        .await;
    }
    let wanted = others.len();
    until("every contact accepted", || async {
        let contacts = call(
            client.get(format!("{}/api/v1/me/requests", host.target())),
            &host.tokens[0],
            200,
        )
        .await;
        (contacts["contacts"]["contacts"].as_array()?.len() >= wanted).then_some(())
    })
    .await;
}

/// The host's teacher starts a conversation with `others`, each of whom
/// accepts on their own instance. The conversation's local id on the
/// host, and on each participant's instance (in `others`' order).
async fn converse(
    client: &reqwest::Client,
    host: &Instance,
    others: &[(&Instance, usize)],
) -> (i64, Vec<i64>) {
    let participants: Vec<String> = others.iter().map(|(i, t)| i.handle(*t)).collect();
    let created = call(
        client
            .post(format!("{}/api/v1/conversations", host.target()))
            .json(&json!({ "name": "Banc d'essai", "participants": participants })),
        &host.tokens[0],
        201,
    )
    .await;
    let host_id = created["id"].as_i64().expect("conversation id");
    let mut ids = Vec::new();
    for (instance, teacher) in others {
        let token = &instance.tokens[*teacher];
        let id = if std::ptr::eq(*instance, host) {
            host_id
        } else {
            until("an invitation", || async {
                let list = call(
                    client.get(format!("{}/api/v1/conversations", instance.target())),
                    token,
                    200,
                )
                .await;
                list["conversations"]
                    .as_array()?
                    .iter()
                    .find(|c| c["name"] == "Banc d'essai" && c["state"] == "invited")
                    .and_then(|c| c["id"].as_i64())
            })
            .await
        };
        call(
            client.post(format!(
                "{}/api/v1/conversations/{id}/accept",
                instance.target()
            )),
            token,
            200,
        )
        .await;
        ids.push(id);
    }
    let wanted = others.len() + 1;
    until("every participant joined", || async {
        let conversation = call(
            client.get(format!("{}/api/v1/conversations/{host_id}", host.target())),
            &host.tokens[0],
            200,
        )
        .await;
        let joined = conversation["participants"]
            .as_array()?
            .iter()
            .filter(|p| p["state"] == "joined")
            .count();
        (joined == wanted).then_some(())
    })
    .await;
    (host_id, ids)
}

/// One `conversation_line` event (or the opening comment, `line` 0) seen
/// by stream `stream`, and when.
struct Seen {
    stream: usize,
    line: i64,
    at: Instant,
}

/// What stream `stream` received in the event block `text`; a minimal
/// parse (the client shares the cores with three servers): the event
/// name and its line id.
fn seen_in(stream: usize, text: &str, at: Instant) -> Option<Seen> {
    let block = EventBlock::read(text);
    let is_line = block.name == Some("conversation_line");
    let line = block
        .data
        .and_then(|data| serde_json::from_str::<Value>(data).ok())
        .and_then(|data| data["line_id"].as_i64());
    match (is_line, block.ready) {
        (true, _) => line.map(|line| Seen { stream, line, at }),
        (false, true) => Some(Seen {
            stream,
            line: 0,
            at,
        }),
        _ => None,
    }
}

/// Opens the conversation stream of `token` on `instance`; its events go
/// to `seen` until the handle returned aborts the reading task.
async fn open(
    client: &reqwest::Client,
    instance: &Instance,
    conversation: i64,
    token: &str,
    stream: usize,
    seen: mpsc::UnboundedSender<Seen>,
) -> tokio::task::AbortHandle {
    let url = format!(
        "{}/api/v1/stream?conversation={conversation}",
        instance.target()
    );
    let what = format!("stream {stream}");
    watch_stream(client, url, token, &what, seen, move |text, at| {
        seen_in(stream, text, at)
    })
    .await
}

/// The next event, within [`LIMIT`].
async fn next(seen: &mut mpsc::UnboundedReceiver<Seen>) -> Seen {
    next_before(seen, tokio::time::Instant::now() + LIMIT)
        .await
        .expect("an event in time, streams alive")
}

async fn post(
    client: &reqwest::Client,
    instance: &Instance,
    conversation: i64,
    token: &str,
    body: &str,
) {
    call(
        client
            .post(format!(
                "{}/api/v1/conversations/{conversation}/messages",
                instance.target()
            ))
            .json(&json!({ "body": body })),
        token,
        201,
    )
    .await;
}

/// Two instances, one message at a time each way.
async fn latency(postgres: bool, n: usize, client: &reqwest::Client) -> Vec<String> {
    let a = start_instance(postgres, 1).await;
    let b = start_instance(postgres, 1).await;
    make_contacts(client, &a, &[(&b, 0)]).await;
    let (on_a, on_b) = converse(client, &a, &[(&b, 0)]).await;
    let on_b = on_b[0];
    let (sender, mut seen) = mpsc::unbounded_channel();
    let stream_a = open(client, &a, on_a, &a.tokens[0], 0, sender.clone()).await;
    let stream_b = open(client, &b, on_b, &b.tokens[0], 1, sender.clone()).await;
    let mut ready = 0;
    while ready < 2 {
        if next(&mut seen).await.line == 0 {
            ready += 1;
        }
    }
    let mut lines = Vec::new();
    for (label, from, from_id, from_token, to_stream) in [
        ("second instance → host", &b, on_b, &b.tokens[0], 0usize),
        ("host → second instance", &a, on_a, &a.tokens[0], 1usize),
    ] {
        // The first messages warm up connections, keys and caches on
        // both sides; each message is awaited on both streams (the
        // author's own, and the other's) before the next is written.
        let mut times = Vec::with_capacity(n);
        for i in 0..n + 5 {
            let started = Instant::now();
            post(client, from, from_id, from_token, &format!("Message {i}")).await;
            let (mut own, mut arrived) = (false, None);
            while !own || arrived.is_none() {
                let event = next(&mut seen).await;
                if event.line == 0 {
                    continue;
                }
                if event.stream == to_stream {
                    arrived = Some(event.at);
                } else {
                    own = true;
                }
            }
            if i >= 5 {
                times.push(arrived.expect("arrived") - started);
            }
        }
        lines.push(summary(label, times, Some(Duration::from_millis(150))));
    }
    stream_a.abort();
    stream_b.abort();
    stop(a, postgres).await;
    stop(b, postgres).await;
    lines
}

/// The bodies of the messages `token` reads in its conversation `id`.
async fn messages(
    client: &reqwest::Client,
    instance: &Instance,
    id: i64,
    token: &str,
) -> Vec<String> {
    let list = call(
        client.get(format!(
            "{}/api/v1/conversations/{id}/messages",
            instance.target()
        )),
        token,
        200,
    )
    .await;
    list["lines"]
        .as_array()
        .expect("lines")
        .iter()
        .filter(|line| line["kind"] == "message")
        .map(|line| line["body"].as_str().unwrap_or_default().to_string())
        .collect()
}

/// The warnings and errors each server logged, for a failed run.
fn print_server_errors(logs: &[std::path::PathBuf]) {
    for log in logs {
        let text = std::fs::read_to_string(log).unwrap_or_default();
        eprintln!("--- {}", log.display());
        for line in text
            .lines()
            .filter(|l| l.contains("ERROR") || l.contains("WARN"))
            .take(40)
        {
            eprintln!("{line}");
        }
    }
}

/// 50 participants over three instances, messages from all of them.
async fn fanout(
    postgres: bool,
    participants: usize,
    total: usize,
    in_flight: usize,
    client: &reqwest::Client,
) -> Vec<String> {
    let per = participants.div_ceil(3);
    let counts = [per, per, participants - 2 * per];
    let mut instances = Vec::new();
    for count in counts {
        instances.push(start_instance(postgres, count).await);
    }
    let host = &instances[0];
    // Everyone but the host's t0, in instance order.
    let others: Vec<(&Instance, usize)> = instances
        .iter()
        .enumerate()
        .flat_map(|(n, instance)| {
            let first = usize::from(n == 0);
            (first..counts[n]).map(move |t| (instance, t))
        })
        .collect();
    let started = Instant::now();
    make_contacts(client, host, &others).await;
    let (host_id, ids) = converse(client, host, &others).await;
    println!(
        "    set-up: {participants} participants on 3 instances ({} + {} + {}), contacts and conversation in {:.1} s",
        counts[0],
        counts[1],
        counts[2],
        started.elapsed().as_secs_f64()
    );
    // Every participant: (instance, token, conversation id there).
    let mut everyone: Vec<(&Instance, &str, i64)> = vec![(host, host.tokens[0].as_str(), host_id)];
    everyone.extend(
        others
            .iter()
            .zip(&ids)
            .map(|((instance, t), id)| (*instance, instance.tokens[*t].as_str(), *id)),
    );
    let (sender, mut seen) = mpsc::unbounded_channel();
    let mut streams = Vec::new();
    for (n, (instance, token, id)) in everyone.iter().enumerate() {
        streams.push(open(client, instance, *id, token, n, sender.clone()).await);
    }
    let mut ready = 0;
    while ready < everyone.len() {
        if next(&mut seen).await.line == 0 {
            ready += 1;
        }
    }
    // The arrivals of the last participants may still be on their way:
    // let the streams fall quiet (no event for a second) before timing.
    while tokio::time::timeout(Duration::from_secs(1), seen.recv())
        .await
        .is_ok()
    {}

    let everyone = Arc::new(
        everyone
            .iter()
            .map(|(instance, token, id)| (instance.target().to_string(), token.to_string(), *id))
            .collect::<Vec<_>>(),
    );
    let logs: Arc<Vec<std::path::PathBuf>> =
        Arc::new(instances.iter().map(|i| i.log.clone()).collect());
    let begun = Instant::now();
    let writers = futures::stream::iter(0..total)
        .map(|i| {
            let (client, everyone, logs) = (client.clone(), everyone.clone(), logs.clone());
            async move {
                let (target, token, id) = &everyone[i % everyone.len()];
                let response = client
                    .post(format!("{target}/api/v1/conversations/{id}/messages"))
                    .bearer_auth(token)
                    .json(&json!({ "body": format!("Message {i}") }))
                    .send()
                    .await
                    .expect("post");
                let status = response.status();
                if status != 201 {
                    let body = response.text().await.unwrap_or_default();
                    print_server_errors(&logs);
                    panic!("post {i} on {target}: {status} {body}");
                }
            }
        })
        .buffer_unordered(in_flight)
        .collect::<Vec<_>>();
    // Each stream's events: the participant's own messages come through
    // their stream too (a line stored on their instance).
    let counting = async {
        let mut per_stream: HashMap<usize, usize> = HashMap::new();
        let mut last = begun;
        let wanted = everyone.len() * total;
        let mut got = 0;
        while got < wanted {
            let Some(event) = next_before(&mut seen, tokio::time::Instant::now() + LIMIT).await
            else {
                // Who is short, and on which instance, for the report.
                for (stream, (target, _, _)) in everyone.iter().enumerate() {
                    let had = per_stream.get(&stream).copied().unwrap_or(0);
                    if had < total {
                        eprintln!("    stream {stream} on {target}: {had} of {total} lines");
                    }
                }
                print_server_errors(&logs);
                panic!(
                    "no stream event for {} s: {got} of {wanted} lines",
                    LIMIT.as_secs()
                );
            };
            if event.line > 0 {
                *per_stream.entry(event.stream).or_default() += 1;
                got += 1;
                last = last.max(event.at);
            }
        }
        last
    };
    let ((), last) = tokio::join!(
        async {
            writers.await;
        },
        counting
    );
    let elapsed = last - begun;
    let rate = total as f64 / elapsed.as_secs_f64();
    for stream in streams {
        stream.abort();
    }

    // Once each, in the host's order, for everyone.
    let reference = messages(client, host, host_id, &host.tokens[0]).await;
    assert_eq!(reference.len(), total, "the host has every message once");
    let mut distinct = reference.clone();
    distinct.sort();
    distinct.dedup();
    assert_eq!(distinct.len(), total, "no message twice on the host");
    for (target, token, id) in everyone.iter() {
        let instance = instances
            .iter()
            .find(|i| i.target() == target)
            .expect("instance");
        let seen = messages(client, instance, *id, token).await;
        assert_eq!(
            seen, reference,
            "a participant on {target} reads the host's messages in the host's order"
        );
    }
    let line = format!(
        "{participants} participants on 3 instances, {total} messages ({in_flight} in flight): {:.1} s until every participant had every message: {rate:.0} messages/s, {:.0} deliveries to streams/s; every participant read all {total} once, in the host's order",
        elapsed.as_secs_f64(),
        rate * everyone.len() as f64
    );
    println!("    {line}");
    for instance in instances {
        stop(instance, postgres).await;
    }
    vec![line]
}

async fn run(postgres: bool, parts: &[String]) -> Vec<String> {
    let engine = if postgres { "PostgreSQL" } else { "SQLite" };
    println!("\n== {engine}");
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(usize::MAX)
        .timeout(LIMIT)
        .build()
        .expect("client");
    let wants = |part: &str| parts.is_empty() || parts.iter().any(|p| p == part);
    let mut lines = Vec::new();
    if wants("latency") {
        let n = env_usize("PREAU_BENCH_CHAT_LATENCY_N", 200);
        println!("  latency, {n} messages each way:");
        for line in latency(postgres, n, &client).await {
            lines.push(format!("{engine} · latency · {line}"));
        }
    }
    if wants("fanout") {
        let participants = env_usize("PREAU_BENCH_CHAT_PARTICIPANTS", 50).max(3);
        let total = env_usize("PREAU_BENCH_CHAT_MESSAGES", 500);
        let in_flight = env_usize("PREAU_BENCH_CHAT_IN_FLIGHT", 8).max(1);
        println!("  fan-out:");
        for line in fanout(postgres, participants, total, in_flight, &client).await {
            lines.push(format!("{engine} · fan-out · {line}"));
        }
    }
    lines
}

fn main() {
    preau::install_crypto_provider();
    let parts: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with('-'))
        .collect();
    let runtime = bench_runtime("conversations-across-instances benchmark");
    runtime.block_on(async {
        let mut lines = run(false, &parts).await;
        if with_postgres() {
            lines.extend(run(true, &parts).await);
        }
        println!("\nSummary");
        for line in lines {
            println!("  {line}");
        }
    });
}
