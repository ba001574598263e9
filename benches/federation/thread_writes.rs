//! `thread-writes`: the thread page read by 50 clients while replies are
//! written into that same thread at a steady rate (issue 12).
//!
//! A thread of 500 replies; for the HTML page and the API JSON, three runs
//! of `PREAU_BENCH_THREAD_SECS` each: read-only (the baseline), while a
//! writer adds `PREAU_BENCH_WRITE_RATE` (100) local replies per second
//! through `POST /api/v1/threads/{id}/replies` (bearer token: the real
//! local write path: Markdown, the reply transaction with its outbox and
//! notification rows), and while a remote peer sends as many signed
//! `Create(Note)` replies to the forum's inbox (signature check, policy,
//! receive). The writer is paced (one request started every 1/rate s,
//! whatever the previous ones are doing) and its achieved rate is
//! reported. Client and server share this process and its cores; the
//! readers are plain keep-alive HTTP/1.1 connections that read each
//! answer's bytes without parsing them (`PREAU_BENCH_THREAD_CLIENT=reqwest`
//! for the `reqwest` client the figures before 2026-12-03 16:00 used).

use super::{
    engines, http_client, ms, percentile, presign, reply_activity, seed, start_remote,
    thread_with_replies, Instance, Remote, Signed, Summary, ACTORS, PASSWORD,
};
use crate::common::ReadClient;
use reqwest::StatusCode;
use rsa::RsaPrivateKey;
use serde_json::{json, Value};
use std::{
    sync::{
        atomic::{AtomicUsize, Ordering},
        Arc, Mutex,
    },
    time::{Duration, Instant},
};

const READERS: usize = 50;

/// How replies are written during a run.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Writer {
    None,
    /// Local replies through the JSON API.
    Api,
    /// Signed replies from a remote peer through the forum's inbox.
    Inbox,
}

impl Writer {
    fn label(self, rate: f64) -> String {
        match self {
            Writer::None => "read-only".into(),
            Writer::Api => format!("+ {rate:.0} local replies/s (API)"),
            Writer::Inbox => format!("+ {rate:.0} signed replies/s (inbox)"),
        }
    }
}

/// What the writer did during one run.
#[derive(Default)]
struct Writes {
    latencies: Vec<Duration>,
    failures: usize,
    elapsed: Duration,
}

/// Starts one write every `1 / rate` seconds until `deadline`, each in its
/// own task (a slow write does not delay the next one).
async fn paced_writes(
    rate: f64,
    deadline: Instant,
    mut next: impl FnMut(usize) -> Option<reqwest::RequestBuilder>,
    expected: StatusCode,
) -> Writes {
    let mut interval = tokio::time::interval(Duration::from_secs_f64(1.0 / rate));
    interval.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Burst);
    let latencies = Arc::new(Mutex::new(Vec::new()));
    let failures = Arc::new(AtomicUsize::new(0));
    let start = Instant::now();
    let mut tasks = Vec::new();
    let mut i = 0;
    loop {
        interval.tick().await;
        if Instant::now() >= deadline {
            break;
        }
        let Some(request) = next(i) else { break };
        i += 1;
        let (latencies, failures) = (latencies.clone(), failures.clone());
        tasks.push(tokio::spawn(async move {
            let sent = Instant::now();
            match request.send().await {
                Ok(response) if response.status() == expected => {
                    let _ = response.bytes().await;
                    latencies.lock().unwrap().push(sent.elapsed());
                }
                Ok(response) => {
                    let status = response.status();
                    let text = response.text().await.unwrap_or_default();
                    if failures.fetch_add(1, Ordering::Relaxed) < 3 {
                        eprintln!(
                            "    write refused: {status} {}",
                            text.chars().take(200).collect::<String>()
                        );
                    }
                }
                Err(error) => {
                    if failures.fetch_add(1, Ordering::Relaxed) < 3 {
                        eprintln!("    write failed: {error}");
                    }
                }
            }
        }));
    }
    let elapsed = start.elapsed();
    for task in tasks {
        let _ = task.await;
    }
    let mut latencies = std::mem::take(&mut *latencies.lock().unwrap());
    latencies.sort();
    Writes {
        latencies,
        failures: failures.load(Ordering::Relaxed),
        elapsed,
    }
}

/// Signed replies to the thread, `count` of them, from the remote's actors.
#[allow(clippy::too_many_arguments)]
fn signed_replies(
    remote: &Remote,
    host: &str,
    path: &str,
    thread_ap: &str,
    forum_ap: &str,
    tag: &str,
    count: usize,
    key: &RsaPrivateKey,
) -> Vec<Signed> {
    let activities = (0..count)
        .map(|i| {
            let actor = format!("prof{}", i % ACTORS);
            let key_id = format!("{}#main-key", remote.actor_id(&actor));
            (
                key_id,
                reply_activity(remote, &actor, &format!("{tag}-{i}"), thread_ap, forum_ap),
            )
        })
        .collect();
    presign(host, path, activities, key)
}

pub(super) async fn thread_writes_bench(
    key: &RsaPrivateKey,
    public_pem: &str,
    summary: &Summary,
    secs: u64,
) {
    let rate = super::env_usize("PREAU_BENCH_WRITE_RATE", 100).max(1) as f64;
    let reader = ReadClient::from_env();
    let load = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
    println!(
        "\n== thread-writes: load average before: {}",
        load.split_whitespace()
            .take(3)
            .collect::<Vec<_>>()
            .join(" ")
    );
    for engine in engines() {
        let instance = Instance::start(engine, |_| {}).await;
        let domain = instance.domain();
        let seeded = seed(domain, "maths").await;
        let thread = thread_with_replies(domain, &seeded, 500).await;
        println!(
            "\n== thread page with 500 replies under writes, {} (in process: readers, writer and server share the cores; {}; max_connections {})",
            engine.label(),
            reader.label(),
            domain.settings.pool_size()
        );
        let client = http_client();
        let target = instance.target.clone();
        let token: Value = client
            .post(format!("{target}/api/v1/sessions"))
            .json(&json!({"login": "anne", "password": PASSWORD}))
            .send()
            .await
            .expect("log-in")
            .json()
            .await
            .expect("json");
        let token = token["token"].as_str().expect("token").to_string();
        let (remote, remote_task) = start_remote(public_pem.to_string()).await;
        let host = target.trim_start_matches("http://").to_string();
        let inbox_path = "/forums/maths/inbox".to_string();
        let inbox_url = format!("{target}{inbox_path}");
        // First contact: every remote actor fetched once, before timing.
        let warm = signed_replies(
            &remote,
            &host,
            &inbox_path,
            &thread.ap_id,
            &seeded.forum.actor.ap_id,
            &format!("{}-warm", engine.label()),
            ACTORS,
            key,
        );
        for signed in warm {
            let response = client
                .post(&inbox_url)
                .headers(signed.headers)
                .body(signed.body)
                .send()
                .await
                .expect("warm-up");
            assert_eq!(response.status(), StatusCode::ACCEPTED, "warm-up reply");
        }
        let per_run = (rate * secs as f64).ceil() as usize + 10;
        for (kind, path) in [
            ("HTML", format!("/threads/{}", thread.id.0)),
            ("API", format!("/api/v1/threads/{}", thread.id.0)),
        ] {
            let url = format!("{target}{path}");
            let probe = client.get(&url).send().await.expect("probe");
            let size = probe.bytes().await.map(|b| b.len()).unwrap_or(0);
            for writer in [Writer::None, Writer::Api, Writer::Inbox] {
                let mut signed = if writer == Writer::Inbox {
                    signed_replies(
                        &remote,
                        &host,
                        &inbox_path,
                        &thread.ap_id,
                        &seeded.forum.actor.ap_id,
                        &format!("{}-{kind}", engine.label()),
                        per_run,
                        key,
                    )
                    .into_iter()
                } else {
                    Vec::new().into_iter()
                };
                let deadline = Instant::now() + Duration::from_secs(secs);
                let reads =
                    crate::common::read_load(reader, &client, &url, None, READERS, deadline);
                let writes = async {
                    match writer {
                        Writer::None => Writes::default(),
                        Writer::Api => {
                            let api_url =
                                format!("{target}/api/v1/threads/{}/replies", thread.id.0);
                            paced_writes(
                                rate,
                                deadline,
                                |i| {
                                    Some(client.post(&api_url).bearer_auth(&token).json(&json!({
                                        "body": format!("Réponse écrite pendant la lecture n° {i} : *cinq minutes* de calcul mental, puis une **correction** collective.")
                                    })))
                                },
                                StatusCode::CREATED,
                            )
                            .await
                        }
                        Writer::Inbox => {
                            paced_writes(
                                rate,
                                deadline,
                                |_| {
                                    signed.next().map(|s| {
                                        client.post(&inbox_url).headers(s.headers).body(s.body)
                                    })
                                },
                                StatusCode::ACCEPTED,
                            )
                            .await
                        }
                    }
                };
                let (
                    crate::common::Load {
                        latencies,
                        failures,
                        elapsed,
                    },
                    writes,
                ) = tokio::join!(reads, writes);
                let read_rate = latencies.len() as f64 / elapsed.as_secs_f64();
                let (p50, p99) = (percentile(&latencies, 50.0), percentile(&latencies, 99.0));
                let write_note = if writer == Writer::None {
                    String::new()
                } else {
                    let achieved = writes.latencies.len() as f64 / writes.elapsed.as_secs_f64();
                    format!(
                        "; writes: {} stored, {achieved:.0}/s achieved, {} failed, latency p50 {} p99 {} max {}",
                        writes.latencies.len(),
                        writes.failures,
                        ms(percentile(&writes.latencies, 50.0)),
                        ms(percentile(&writes.latencies, 99.0)),
                        ms(percentile(&writes.latencies, 100.0)),
                    )
                };
                println!(
                    "    {kind} GET {path} ({:.0} KiB), {READERS} clients, {}, {:.1} s: {} reads, {read_rate:.0}/s; p50 {} p90 {} p99 {} max {}; failures {failures}{write_note}",
                    size as f64 / 1024.0,
                    writer.label(rate),
                    elapsed.as_secs_f64(),
                    latencies.len(),
                    ms(p50),
                    ms(percentile(&latencies, 90.0)),
                    ms(p99),
                    ms(percentile(&latencies, 100.0)),
                );
                summary.add(
                    format!(
                        "thread {kind} {}, {}, {}",
                        writer.label(rate),
                        engine.label(),
                        reader.label()
                    ),
                    format!(
                        "p50 {} p99 {}, {read_rate:.0} req/s{}",
                        ms(p50),
                        ms(p99),
                        if writer == Writer::None {
                            String::new()
                        } else {
                            format!(
                                "; writes {:.0}/s p99 {}",
                                writes.latencies.len() as f64 / writes.elapsed.as_secs_f64(),
                                ms(percentile(&writes.latencies, 99.0))
                            )
                        }
                    ),
                    "target p99 ≤ 20 ms at 100 replies/s",
                );
            }
        }
        let total = domain
            .store()
            .count_thread_replies(thread.id)
            .await
            .expect("count");
        println!("    replies in the thread at the end: {total}");
        remote_task.abort();
        instance.stop().await;
    }
}
