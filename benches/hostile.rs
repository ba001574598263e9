//! Hostile-input benchmarks (issue 10, items 4 and 5).
//!
//! `CARGO_TARGET_DIR=/work/target cargo bench --bench hostile [-- PART…]`
//!
//! PART among `render`, `latency`, `logins` (default: all):
//!
//! - `render`: time to render 20,000 nested `>` (local Markdown) and
//!   20,000 nested `<blockquote>` (remote HTML), the unbounded way Préau
//!   did it before (pulldown-cmark then ammonia) and through
//!   `preau::domain::rendering` now;
//! - `latency`: an instance in this process (SQLite); the latency of a
//!   normal request (`GET /api/v1/forums/maths`) alone, while four clients
//!   keep posting hostile replies (20,000 `>`), and, for comparison, while
//!   four unbounded renders run on the async workers, as they did before;
//! - `logins`: the release `preau serve` binary alone (SQLite), 60
//!   concurrent log-ins; its peak memory (VmHWM from /proc) with hashing
//!   at 60 at once (what unbounded hashing did) and with the defaults.
//!
//! Only loopback (127.0.0.1) is contacted. Knobs: `PREAU_BENCH_LATENCY_N`
//! (200 normal requests per phase), `PREAU_BENCH_LOGINS` (60).

#![allow(clippy::unwrap_used, clippy::expect_used)]

use preau::{config::Settings, domain::rendering};
use serde_json::{json, Value};
use std::{
    sync::{
        atomic::{AtomicBool, AtomicUsize, Ordering},
        Arc,
    },
    time::{Duration, Instant},
};

mod common;
use common::{
    env_usize, free_port, http_client, ms, percentile, proc_status_kib, serve_config, Served,
    PASSWORD,
};

fn mib(kib: u64) -> String {
    format!("{:.1} MiB", kib as f64 / 1024.0)
}

/// How Préau rendered before the bounds: Markdown straight to the parser,
/// the HTML straight to the sanitiser.
fn unbounded_markdown(source: &str) -> String {
    let mut options = pulldown_cmark::Options::empty();
    options.insert(pulldown_cmark::Options::ENABLE_STRIKETHROUGH);
    options.insert(pulldown_cmark::Options::ENABLE_TABLES);
    let mut html = String::new();
    pulldown_cmark::html::push_html(&mut html, pulldown_cmark::Parser::new_ext(source, options));
    unbounded_html(&html)
}

fn unbounded_html(html: &str) -> String {
    ammonia::Builder::default()
        .rm_tags(["img"])
        .clean(html)
        .to_string()
}

fn timed<T>(work: impl FnOnce() -> T) -> Duration {
    let started = Instant::now();
    std::hint::black_box(work());
    started.elapsed()
}

fn render_bench() {
    let quotes = ">".repeat(20_000);
    let blockquotes = format!(
        "{}fond{}",
        "<blockquote>".repeat(20_000),
        "</blockquote>".repeat(20_000)
    );
    println!("\n== render (one thread)");
    let rows = [
        (
            "20,000 `>`, Markdown, before",
            timed(|| unbounded_markdown(&quotes)),
        ),
        (
            "20,000 `>`, Markdown, now (refused: markdown_too_deep)",
            timed(|| rendering::markdown_now(&quotes, "body").is_err()),
        ),
        (
            "20,000 <blockquote>, remote HTML, before",
            timed(|| unbounded_html(&blockquotes)),
        ),
        (
            "20,000 <blockquote>, remote HTML, now (flattened to 40 levels)",
            timed(|| rendering::remote_html_now(&blockquotes)),
        ),
    ];
    for (what, took) in rows {
        println!("    {what}: {}", ms(took));
    }
}

async fn latency_phase(
    client: &reqwest::Client,
    url: &str,
    n: usize,
) -> (Duration, Duration, Duration) {
    let mut times = Vec::with_capacity(n);
    for _ in 0..n {
        let started = Instant::now();
        let response = client.get(url).send().await.expect("normal request");
        assert_eq!(response.status(), 200);
        response.bytes().await.expect("body");
        times.push(started.elapsed());
    }
    times.sort();
    (
        percentile(&times, 50.0),
        percentile(&times, 99.0),
        *times.last().unwrap_or(&Duration::ZERO),
    )
}

async fn latency_bench() {
    let n = env_usize("PREAU_BENCH_LATENCY_N", 200);
    let dir = tempfile::tempdir().expect("tempdir");
    let mut settings = Settings::default();
    settings.server.listen = "127.0.0.1:0".parse().expect("addr");
    settings.server.data_dir = dir.path().to_path_buf();
    settings.instance.domain = "localhost:0".into();
    settings.database.url = format!("sqlite://{}", dir.path().join("preau.db").display());
    settings.limits.login_per_minute = 1000;
    let running = preau::app::spawn(settings).await.expect("instance");
    let target = format!("http://{}", running.address);
    let domain = running.state.domain.clone();
    domain
        .admin_create_account(preau::domain::accounts::AdminCreateInput {
            username: "anne".into(),
            email: "anne@example.org".into(),
            password: PASSWORD.into(),
            is_admin: true,
        })
        .await
        .expect("account");
    let client = http_client();
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
    let response = client
        .post(format!("{target}/api/v1/forums"))
        .bearer_auth(&token)
        .json(&json!({"name": "maths", "title": "Maths", "description": "Forum"}))
        .send()
        .await
        .expect("forum");
    assert_eq!(response.status(), 201);
    let thread: Value = client
        .post(format!("{target}/api/v1/forums/maths/threads"))
        .bearer_auth(&token)
        .json(&json!({"title": "Dés", "body": "Bonjour"}))
        .send()
        .await
        .expect("thread")
        .json()
        .await
        .expect("json");
    let thread_id = thread["id"].as_i64().expect("id");
    let normal = format!("{target}/api/v1/forums/maths");
    println!("\n== latency of GET /api/v1/forums/maths ({n} sequential requests per phase)");
    let (p50, p99, max) = latency_phase(&client, &normal, n).await;
    println!(
        "    alone: p50 {} / p99 {} / max {}",
        ms(p50),
        ms(p99),
        ms(max)
    );

    // Four clients posting 20,000 `>` replies in a loop.
    let stop = Arc::new(AtomicBool::new(false));
    let refused = Arc::new(AtomicUsize::new(0));
    let mut hostile = Vec::new();
    for _ in 0..4 {
        let (client, stop, refused) = (client.clone(), stop.clone(), refused.clone());
        let url = format!("{target}/api/v1/threads/{thread_id}/replies");
        let token = token.clone();
        hostile.push(tokio::spawn(async move {
            let body = json!({"body": ">".repeat(20_000)});
            while !stop.load(Ordering::SeqCst) {
                let response = client
                    .post(&url)
                    .bearer_auth(&token)
                    .json(&body)
                    .send()
                    .await
                    .expect("hostile");
                if response.status() == 422 {
                    refused.fetch_add(1, Ordering::SeqCst);
                }
            }
        }));
    }
    let (p50, p99, max) = latency_phase(&client, &normal, n).await;
    stop.store(true, Ordering::SeqCst);
    for task in hostile {
        let _ = task.await;
    }
    println!(
        "    with 4 hostile clients (now; {} hostile replies refused meanwhile): p50 {} / p99 {} / max {}",
        refused.load(Ordering::SeqCst),
        ms(p50),
        ms(p99),
        ms(max)
    );

    // Before: the same renders, unbounded, on the async workers.
    let stop = Arc::new(AtomicBool::new(false));
    let mut hostile = Vec::new();
    for _ in 0..4 {
        let stop = stop.clone();
        hostile.push(tokio::spawn(async move {
            let quotes = ">".repeat(20_000);
            while !stop.load(Ordering::SeqCst) {
                std::hint::black_box(unbounded_markdown(&quotes));
                tokio::task::yield_now().await;
            }
        }));
    }
    let (p50, p99, max) = latency_phase(&client, &normal, n.min(5)).await;
    stop.store(true, Ordering::SeqCst);
    for task in hostile {
        let _ = task.await;
    }
    println!(
        "    with 4 unbounded renders on the async workers (before; {} requests): p50 {} / p99 {} / max {}",
        n.min(5),
        ms(p50),
        ms(p99),
        ms(max)
    );
    running.stop().await.expect("stop");
}

/// 60 concurrent log-ins against the release binary; prints its VmHWM.
async fn logins_bench(label: &str, accounts_section: &str) {
    let logins = env_usize("PREAU_BENCH_LOGINS", 60);
    let binary = env!("CARGO_BIN_EXE_preau");
    let dir = tempfile::tempdir().expect("tempdir");
    let port = free_port();
    let url = format!("sqlite://{}", dir.path().join("preau.db").display());
    let (settings, config) = serve_config(
        dir.path(),
        port,
        &url,
        &format!("[limits]\nlogin_per_minute = 10000\n\n[accounts]\n{accounts_section}\n"),
    );
    let domain = preau::app::build_domain(settings).await.expect("domain");
    domain
        .admin_create_account(preau::domain::accounts::AdminCreateInput {
            username: "anne".into(),
            email: "anne@example.org".into(),
            password: PASSWORD.into(),
            is_admin: false,
        })
        .await
        .expect("account");
    domain.store().close().await;
    drop(domain);
    let served = Served::start(binary, &config, &dir.path().join("serve.log"), port).await;
    let (pid, target) = (served.pid, served.target.clone());
    let client = http_client();
    // One log-in first, so that the peak below is the concurrency's.
    let response = client
        .post(format!("{target}/api/v1/sessions"))
        .json(&json!({"login": "anne", "password": PASSWORD}))
        .send()
        .await
        .expect("log-in");
    assert_eq!(response.status(), 201);
    let hwm_before = proc_status_kib(Some(pid), "VmHWM:");
    let started = Instant::now();
    let mut tasks = Vec::new();
    for _ in 0..logins {
        let client = client.clone();
        let url = format!("{target}/api/v1/sessions");
        tasks.push(tokio::spawn(async move {
            let response = client
                .post(url)
                .json(&json!({"login": "anne", "password": PASSWORD}))
                .send()
                .await
                .expect("log-in");
            (
                response.status().as_u16(),
                response.headers().contains_key("retry-after"),
            )
        }));
    }
    let (mut ok, mut busy, mut other) = (0, 0, 0);
    for task in tasks {
        match task.await.expect("task") {
            (201, _) => ok += 1,
            (503, true) => busy += 1,
            _ => other += 1,
        }
    }
    let took = started.elapsed();
    let hwm_after = proc_status_kib(Some(pid), "VmHWM:");
    println!(
        "    {label}: {logins} concurrent log-ins in {}: {ok} × 201, {busy} × 503 with Retry-After, {other} other; VmHWM {} before, {} after",
        ms(took),
        mib(hwm_before),
        mib(hwm_after)
    );
    served.stop();
}

fn main() {
    preau::install_crypto_provider();
    let filters: Vec<String> = std::env::args()
        .skip(1)
        .filter(|arg| !arg.starts_with('-'))
        .collect();
    let wanted = |part: &str| filters.is_empty() || filters.iter().any(|f| f == part);
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    println!("Préau hostile-input benchmarks — {cores} cores");
    if wanted("render") {
        render_bench();
    }
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");
    runtime.block_on(async {
        if wanted("latency") {
            latency_bench().await;
        }
        if wanted("logins") {
            println!("\n== the release binary alone: `preau serve` (SQLite), log-ins");
            logins_bench(
                "hashing_concurrency = 60 (as unbounded)",
                "hashing_concurrency = 60\nhashing_queue = 0",
            )
            .await;
            logins_bench("defaults (cores, queue 32)", "").await;
        }
    });
}
