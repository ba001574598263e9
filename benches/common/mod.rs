//! What the benches share: knobs read from the environment, percentiles
//! and their summary line, readings of a process from `/proc`, the
//! open-file limit, the database of a run (a fresh PostgreSQL database,
//! dropped afterwards), its teachers seeded, `preau serve` started as a
//! child, its event streams opened and read (each event block's lines
//! picked out), and a read load of concurrent clients; the heading and
//! runtime of a bench. Each bench includes it with `mod common;` and uses
//! part of it.

#![allow(dead_code)] // no bench uses all of it

use std::{
    path::Path,
    time::{Duration, Instant, SystemTime},
};
use tokio::{
    io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader},
    net::TcpStream,
};

/// The bench accounts' password.
pub const PASSWORD: &str = "une phrase de passe solide";

/// A number from environment variable `name`, else `default`.
pub fn env_usize(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// `d` in milliseconds, one decimal.
pub fn ms(d: Duration) -> String {
    format!("{:.1} ms", d.as_secs_f64() * 1000.0)
}

/// The `p`th percentile (nearest rank) of `sorted`; zero when empty.
pub fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

/// `label: n · p50 · p99 · max` of `times` (sorted here), with whether
/// p99 met `target` when there is one; printed, and returned for a
/// bench's summary.
pub fn summary(label: &str, mut times: Vec<Duration>, target: Option<Duration>) -> String {
    times.sort();
    let p99 = percentile(&times, 99.0);
    let line = format!(
        "{label}: n {} · p50 {} · p99 {} · max {}{}",
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
    println!("    {line}");
    line
}

/// `/proc/PID/FILE`, or `/proc/self/FILE` without a pid.
fn proc_file(pid: Option<u32>, file: &str) -> String {
    let path = match pid {
        Some(pid) => format!("/proc/{pid}/{file}"),
        None => format!("/proc/self/{file}"),
    };
    std::fs::read_to_string(path).unwrap_or_default()
}

/// A field of `/proc/PID/status` (`VmRSS:`, `VmHWM:`...), in KiB; 0 when
/// unreadable.
pub fn proc_status_kib(pid: Option<u32>, field: &str) -> u64 {
    proc_file(pid, "status")
        .lines()
        .find(|line| line.starts_with(field))
        .and_then(|line| line.split_whitespace().nth(1))
        .and_then(|kib| kib.parse().ok())
        .unwrap_or(0)
}

/// VmRSS of `pid` once it stops moving: up to `reads` more reads, 250 ms
/// apart, until two agree.
pub async fn settled_rss(pid: u32, reads: usize) -> u64 {
    let mut rss = proc_status_kib(Some(pid), "VmRSS:");
    for _ in 0..reads {
        tokio::time::sleep(Duration::from_millis(250)).await;
        let now = proc_status_kib(Some(pid), "VmRSS:");
        if now == rss {
            break;
        }
        rss = now;
    }
    rss
}

/// Raises this process's open-file limit (the child inherits it) to what
/// `streams` connections on both sides need, within the hard limit; says
/// what it did when `report`.
pub fn raise_open_files(streams: usize, report: bool) {
    use rustix::process::{getrlimit, setrlimit, Resource, Rlimit};
    let wanted = (streams as u64) * 2 + 1024;
    let limit = getrlimit(Resource::Nofile);
    let current = limit.current.unwrap_or(u64::MAX);
    if current >= wanted {
        if report {
            println!("open files: limit {current}, enough");
        }
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
    if report {
        println!("open files: limit raised from {current} to {raised}");
    }
    assert!(
        raised >= wanted,
        "the hard limit allows {raised} open files, {wanted} needed"
    );
}

/// The kernel's clock ticks per second (`USER_HZ`).
fn clock_ticks() -> f64 {
    std::process::Command::new("getconf")
        .arg("CLK_TCK")
        .output()
        .ok()
        .and_then(|out| String::from_utf8_lossy(&out.stdout).trim().parse().ok())
        .unwrap_or(100.0)
}

/// CPU time (user + system) of a process so far.
pub fn proc_cpu(pid: Option<u32>) -> Duration {
    let stat = proc_file(pid, "stat");
    // Fields after the command name (which may hold spaces), from field 3.
    let rest = stat.rsplit_once(')').map_or("", |(_, rest)| rest);
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let ticks = |i: usize| {
        fields
            .get(i)
            .and_then(|v| v.parse::<f64>().ok())
            .unwrap_or(0.0)
    };
    // utime and stime are fields 14 and 15, i.e. 11 and 12 here.
    Duration::from_secs_f64((ticks(11) + ticks(12)) / clock_ticks())
}

/// The load averages over 1, 5 and 15 minutes.
pub fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .unwrap_or_default()
        .split_whitespace()
        .take(3)
        .collect::<Vec<_>>()
        .join(" ")
}

/// This machine's CPU model, from `/proc/cpuinfo`; empty when unknown.
pub fn cpu_model() -> String {
    std::fs::read_to_string("/proc/cpuinfo")
        .unwrap_or_default()
        .lines()
        .find(|l| l.starts_with("model name"))
        .and_then(|l| l.split(':').nth(1))
        .map(|m| m.trim().to_string())
        .unwrap_or_default()
}

/// Prints the heading of the benchmark `title` (the machine's cores, CPU
/// model and load average) and builds the multi-thread runtime it runs on.
pub fn bench_runtime(title: &str) -> tokio::runtime::Runtime {
    println!(
        "Préau {title} — {} cores ({}); load average {}",
        std::thread::available_parallelism().map_or(1, |n| n.get()),
        cpu_model(),
        load_average()
    );
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime")
}

/// Whether the bench runs on PostgreSQL too (after SQLite): when
/// `PREAU_TEST_POSTGRES_URL` is set.
pub fn with_postgres() -> bool {
    std::env::var("PREAU_TEST_POSTGRES_URL").is_ok_and(|url| !url.is_empty())
}

/// The `preau` binary to serve: this build's, or another given by
/// `PREAU_BENCH_SERVER_BIN` (to compare two commits in the same
/// conditions; the seeding is always this build's).
pub fn server_binary() -> String {
    std::env::var("PREAU_BENCH_SERVER_BIN")
        .unwrap_or_else(|_| env!("CARGO_BIN_EXE_preau").to_string())
}

/// Teachers `t0`, `t1`… (`tN@example.org`, none an admin), `count` of
/// them created in `domain` a few at a time (a password hash and a key
/// pair each), each with a session: (name, token), in order.
pub async fn seed_teachers(domain: &preau::domain::Domain, count: usize) -> Vec<(String, String)> {
    use futures::StreamExt;
    let mut accounts: Vec<_> = futures::stream::iter(0..count)
        .map(|i| {
            let domain = domain.clone();
            let input = preau::domain::accounts::AdminCreateInput {
                username: format!("t{i}"),
                email: format!("t{i}@example.org"),
                password: PASSWORD.into(),
                is_admin: false,
            };
            async move {
                let account = domain.admin_create_account(input).await.expect("teacher");
                let token = domain.open_session(account.id).await.expect("session");
                (i, account.username, token)
            }
        })
        .buffer_unordered(8)
        .collect()
        .await;
    accounts.sort_by_key(|(i, _, _)| *i);
    accounts
        .into_iter()
        .map(|(_, name, token)| (name, token))
        .collect()
}

/// Opens the event stream at `url` as `token`; panics (naming `what`)
/// unless it answers 200.
pub async fn open_stream(
    client: &reqwest::Client,
    url: String,
    token: &str,
    what: &str,
) -> reqwest::Response {
    let response = client
        .get(url)
        .bearer_auth(token)
        .send()
        .await
        .expect("stream");
    assert_eq!(response.status(), 200, "{what}");
    response
}

/// Opens the event stream at `url` as `token` (see [`open_stream`]) and
/// reads it in a task of its own (see [`read_events`], with `parse`),
/// until the handle returned aborts the task.
pub async fn watch_stream<T: Send + 'static>(
    client: &reqwest::Client,
    url: String,
    token: &str,
    what: &str,
    seen: tokio::sync::mpsc::UnboundedSender<T>,
    parse: impl FnMut(&str, Instant) -> Option<T> + Send + 'static,
) -> tokio::task::AbortHandle {
    let response = open_stream(client, url, token, what).await;
    tokio::spawn(read_events(response, seen, parse)).abort_handle()
}

/// The lines of one event block a bench reads, as written: its `event:`
/// name, its `id:` and `data:` values, and whether it is the stream's
/// opening comment (`: ready`).
#[derive(Default)]
pub struct EventBlock<'a> {
    pub name: Option<&'a str>,
    pub id: Option<&'a str>,
    pub data: Option<&'a str>,
    pub ready: bool,
}

impl<'a> EventBlock<'a> {
    /// Picks the lines out of `text`; nothing parsed further (the client
    /// shares the cores with the servers).
    pub fn read(text: &'a str) -> EventBlock<'a> {
        let mut block = EventBlock::default();
        for line in text.lines() {
            if let Some(value) = line.strip_prefix("event:") {
                block.name = Some(value.trim());
            } else if let Some(value) = line.strip_prefix("id:") {
                block.id = Some(value.trim());
            } else if let Some(value) = line.strip_prefix("data:") {
                block.data = Some(value.trim());
            } else if line.starts_with(":ready") || line.starts_with(": ready") {
                block.ready = true;
            }
        }
        block
    }
}

/// Reads an event stream until it ends, a chunk at a time: each event
/// block (its text up to the blank line, and when its chunk arrived) goes
/// to `parse`, and what `parse` makes of it is sent on `seen`, until
/// nobody listens. The parse is the bench's, minimal on purpose (the
/// client shares the cores with the servers).
pub async fn read_events<T>(
    mut response: reqwest::Response,
    seen: tokio::sync::mpsc::UnboundedSender<T>,
    mut parse: impl FnMut(&str, Instant) -> Option<T>,
) {
    let mut buffer: Vec<u8> = Vec::new();
    while let Ok(Some(chunk)) = response.chunk().await {
        let at = Instant::now();
        buffer.extend_from_slice(&chunk);
        while let Some(end) = buffer.windows(2).position(|w| w == b"\n\n") {
            let block: Vec<u8> = buffer.drain(..end + 2).collect();
            if let Some(event) = parse(&String::from_utf8_lossy(&block), at) {
                if seen.send(event).is_err() {
                    return;
                }
            }
        }
    }
}

/// The next event of `seen` before `deadline`; `None` when the time is
/// up or every stream has ended.
pub async fn next_before<T>(
    seen: &mut tokio::sync::mpsc::UnboundedReceiver<T>,
    deadline: tokio::time::Instant,
) -> Option<T> {
    tokio::time::timeout_at(deadline, seen.recv())
        .await
        .ok()
        .flatten()
}

/// An HTTP client for loopback: no redirects, many idle connections kept.
pub fn http_client() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .pool_max_idle_per_host(512)
        .timeout(Duration::from_secs(120))
        .build()
        .expect("client")
}

/// The database of a run: SQLite in `dir`, or a fresh database on the
/// server of `PREAU_TEST_POSTGRES_URL` (drop it with
/// [`drop_postgres_database`]).
pub fn database_url(postgres: bool, dir: &Path) -> String {
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

/// Drops the PostgreSQL database of `url` (made by [`database_url`]).
pub async fn drop_postgres_database(url: &str) {
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

/// Forum `maths`, created by `admin`, and its thread "Fractions" by
/// `admin`: what the benches post into.
pub async fn maths_thread(
    domain: &preau::domain::Domain,
    admin: &preau::domain::rows::AccountRow,
) -> (preau::domain::rows::ForumRow, preau::domain::rows::PostRow) {
    let forum = domain
        .create_forum(
            Some(admin),
            &preau::domain::forums::ForumInput {
                name: "maths".into(),
                title: "Mathématiques".into(),
                description: String::new(),
                min_post_level: preau_federation::TrustLevel::Informal,
            },
        )
        .await
        .expect("forum");
    let thread = domain
        .post_thread(admin, &forum, "Fractions", "Comment les introduire ?")
        .await
        .expect("thread");
    (forum, thread)
}

/// A free loopback port.
pub fn free_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    listener.local_addr().expect("addr").port()
}

/// The settings of an instance on loopback `port` with its data in `dir`
/// and database `url`, and the same written to `dir/preau.toml` followed
/// by `extra` (more TOML sections) for a `preau serve` child. The bench
/// seeds the database with these settings before starting the child.
pub fn serve_config(
    dir: &Path,
    port: u16,
    url: &str,
    extra: &str,
) -> (preau::config::Settings, std::path::PathBuf) {
    let mut settings = preau::config::Settings::default();
    settings.server.listen = std::net::SocketAddr::from(([127, 0, 0, 1], port));
    settings.server.data_dir = dir.to_path_buf();
    settings.instance.domain = format!("localhost:{port}");
    settings.database.url = url.to_string();
    let config = dir.join("preau.toml");
    std::fs::write(
        &config,
        format!(
            "[server]\nlisten = \"127.0.0.1:{port}\"\ndata_dir = \"{dir}\"\n\n[instance]\ndomain = \"localhost:{port}\"\n\n[database]\nurl = \"{url}\"\n\n{extra}",
            dir = dir.display(),
        ),
    )
    .expect("config");
    (settings, config)
}

/// A `preau serve` child process.
pub struct Served {
    child: std::process::Child,
    /// Its process id (for `/proc`).
    pub pid: u32,
    /// Its base URL.
    pub target: String,
}

impl Served {
    /// Starts `binary --config CONFIG serve` (its output in `log`), the
    /// configuration listening on loopback `port`, and waits until it
    /// answers (30 s at most).
    pub async fn start(binary: &str, config: &Path, log: &Path, port: u16) -> Served {
        let log = std::fs::File::create(log).expect("log");
        let child = std::process::Command::new(binary)
            .arg("--config")
            .arg(config)
            .arg("serve")
            .stdout(log.try_clone().expect("log"))
            .stderr(log)
            .spawn()
            .expect("start preau serve");
        let served = Served {
            pid: child.id(),
            child,
            target: format!("http://127.0.0.1:{port}"),
        };
        let client = http_client();
        let started = Instant::now();
        loop {
            if let Ok(response) = client
                .get(format!("{}/.well-known/nodeinfo", served.target))
                .send()
                .await
            {
                if response.status().is_success() {
                    return served;
                }
            }
            assert!(
                started.elapsed() < Duration::from_secs(30),
                "preau serve did not start"
            );
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
    }

    /// Stops it (SIGTERM) and waits for it.
    pub fn stop(mut self) {
        let _ = std::process::Command::new("kill")
            .arg(self.pid.to_string())
            .status();
        let _ = self.child.wait();
    }
}

impl Drop for Served {
    /// A bench that panics still stops its servers (left running, they
    /// keep their database connections and ports).
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// What a read load measured.
pub struct Load {
    /// The time of each successful request, sorted.
    pub latencies: Vec<Duration>,
    /// Requests that failed or did not answer 200.
    pub failures: usize,
    /// How long the load ran.
    pub elapsed: Duration,
}

/// How the readers send their requests (`PREAU_BENCH_THREAD_CLIENT`).
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum ReadClient {
    /// [`PlainConnection`]: one keep-alive connection per reader, the
    /// answer's bytes read and not parsed (the default: the readers share
    /// the cores with the server, so the cheaper they are the more the
    /// figures measure the server).
    Plain,
    /// The bench's `reqwest` client, as before (`reqwest`).
    Reqwest,
}

impl ReadClient {
    pub fn from_env() -> ReadClient {
        match std::env::var("PREAU_BENCH_THREAD_CLIENT").as_deref() {
            Ok("reqwest") => ReadClient::Reqwest,
            _ => ReadClient::Plain,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            ReadClient::Plain => "plain HTTP/1.1 readers",
            ReadClient::Reqwest => "reqwest readers",
        }
    }
}

/// A keep-alive HTTP/1.1 connection that sends one fixed `GET` and reads
/// the status and the `Content-Length` bytes of each answer, nothing more.
pub struct PlainConnection {
    stream: BufReader<TcpStream>,
    request: Vec<u8>,
    line: String,
    body: Vec<u8>,
}

impl PlainConnection {
    async fn connect(url: &str, cookie: Option<&str>) -> std::io::Result<PlainConnection> {
        let rest = url.trim_start_matches("http://");
        let (host, path) = rest.split_at(rest.find('/').unwrap_or(rest.len()));
        let stream = TcpStream::connect(host).await?;
        stream.set_nodelay(true)?;
        Ok(PlainConnection {
            stream: BufReader::with_capacity(64 * 1024, stream),
            request: format!(
                "GET {path} HTTP/1.1\r\nHost: {host}\r\nAccept: */*\r\n{}\r\n",
                cookie
                    .map(|c| format!("Cookie: {c}\r\n"))
                    .unwrap_or_default()
            )
            .into_bytes(),
            line: String::new(),
            body: Vec::new(),
        })
    }

    /// Sends the request; the answer's status once its body is read.
    async fn get(&mut self) -> std::io::Result<u16> {
        let broken =
            |what: &str| std::io::Error::new(std::io::ErrorKind::InvalidData, what.to_string());
        self.stream.get_mut().write_all(&self.request).await?;
        self.line.clear();
        self.stream.read_line(&mut self.line).await?;
        let status = self
            .line
            .split_whitespace()
            .nth(1)
            .and_then(|code| code.parse().ok())
            .ok_or_else(|| broken("status line"))?;
        let mut length = None;
        loop {
            self.line.clear();
            if self.stream.read_line(&mut self.line).await? == 0 {
                return Err(broken("closed"));
            }
            let line = self.line.trim_end();
            if line.is_empty() {
                break;
            }
            if let Some((name, value)) = line.split_once(':') {
                if name.eq_ignore_ascii_case("content-length") {
                    length = value.trim().parse::<usize>().ok();
                }
            }
        }
        let length = length.ok_or_else(|| broken("no Content-Length"))?;
        self.body.resize(length, 0);
        self.stream.read_exact(&mut self.body).await?;
        Ok(status)
    }
}

/// `clients` clients reading `url` (with `cookie` if given) in a loop
/// until `deadline`, each through `reader`.
pub async fn read_load(
    reader: ReadClient,
    client: &reqwest::Client,
    url: &str,
    cookie: Option<&str>,
    clients: usize,
    deadline: Instant,
) -> Load {
    let start = Instant::now();
    let mut tasks = Vec::new();
    for _ in 0..clients {
        let (client, url) = (client.clone(), url.to_string());
        let cookie = cookie.map(str::to_string);
        tasks.push(tokio::spawn(async move {
            let mut latencies = Vec::new();
            let mut failures = 0usize;
            let mut connection = None;
            while Instant::now() < deadline {
                let sent = Instant::now();
                let ok = match reader {
                    ReadClient::Reqwest => {
                        let mut request = client.get(&url);
                        if let Some(cookie) = &cookie {
                            request = request.header("cookie", cookie);
                        }
                        match request.send().await {
                            Ok(response) if response.status() == reqwest::StatusCode::OK => {
                                let _ = response.bytes().await;
                                true
                            }
                            _ => false,
                        }
                    }
                    ReadClient::Plain => {
                        if connection.is_none() {
                            connection =
                                PlainConnection::connect(&url, cookie.as_deref()).await.ok();
                        }
                        match connection.as_mut() {
                            Some(open) => match open.get().await {
                                Ok(status) => status == 200,
                                Err(_) => {
                                    connection = None;
                                    false
                                }
                            },
                            None => false,
                        }
                    }
                };
                if ok {
                    latencies.push(sent.elapsed());
                } else {
                    failures += 1;
                }
            }
            (latencies, failures)
        }));
    }
    let mut latencies = Vec::new();
    let mut failures = 0;
    for task in tasks {
        let (mut l, f) = task.await.expect("client task");
        latencies.append(&mut l);
        failures += f;
    }
    latencies.sort();
    Load {
        latencies,
        failures,
        elapsed: start.elapsed(),
    }
}
