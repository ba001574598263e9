//! Test support: real instances on loopback ports with fresh databases
//! (SQLite, and PostgreSQL when `PREAU_TEST_POSTGRES_URL` is set), a real
//! SMTP server on loopback, and bounded waits.

#![allow(dead_code)]

use preau::{app::RunningInstance, config::Settings};
pub mod client;
pub mod contacts;
pub mod conversations;
pub mod fake_server;

use std::{
    future::Future,
    net::TcpListener,
    sync::{Arc, Mutex, Once},
    time::{Duration, Instant},
};

/// Which database engine an instance uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Engine {
    Sqlite,
    Postgres,
}

/// The engines to run every test on: SQLite always, PostgreSQL when
/// `PREAU_TEST_POSTGRES_URL` is set (CI always sets it).
pub fn engines() -> Vec<Engine> {
    static NOTICE: Once = Once::new();
    match std::env::var("PREAU_TEST_POSTGRES_URL") {
        Ok(url) if !url.is_empty() => vec![Engine::Sqlite, Engine::Postgres],
        _ => {
            NOTICE.call_once(|| {
                eprintln!("notice: PREAU_TEST_POSTGRES_URL is not set: the PostgreSQL half of the integration tests is skipped");
            });
            vec![Engine::Sqlite]
        }
    }
}

fn random_suffix() -> String {
    use std::time::SystemTime;
    let nanos = SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or(0);
    static COUNTER: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
    let serial = COUNTER.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    format!("{:x}{:x}_{serial}", nanos, std::process::id())
}

/// A fresh database URL for one instance.
pub fn fresh_database_url(engine: Engine, dir: &std::path::Path) -> String {
    match engine {
        Engine::Sqlite => format!("sqlite://{}", dir.join("preau.db").display()),
        Engine::Postgres => {
            let base = std::env::var("PREAU_TEST_POSTGRES_URL").expect("PREAU_TEST_POSTGRES_URL");
            let mut url = url::Url::parse(&base).expect("valid PREAU_TEST_POSTGRES_URL");
            url.set_path(&format!("/preau_test_{}", random_suffix()));
            url.to_string()
        }
    }
}

/// One received e-mail.
#[derive(Debug, Clone)]
pub struct Mail {
    pub to: Vec<String>,
    pub data: String,
}

#[derive(Clone)]
struct MailHandler {
    mails: Arc<Mutex<Vec<Mail>>>,
    to: Vec<String>,
    data: Vec<u8>,
}

impl mailin_embedded::Handler for MailHandler {
    fn data_start(
        &mut self,
        _domain: &str,
        _from: &str,
        _is8bit: bool,
        to: &[String],
    ) -> mailin_embedded::Response {
        self.to = to.to_vec();
        self.data.clear();
        mailin_embedded::response::OK
    }

    fn data(&mut self, buf: &[u8]) -> std::io::Result<()> {
        self.data.extend_from_slice(buf);
        Ok(())
    }

    fn data_end(&mut self) -> mailin_embedded::Response {
        let mail = Mail {
            to: std::mem::take(&mut self.to),
            data: String::from_utf8_lossy(&self.data).into_owned(),
        };
        self.mails.lock().expect("mail lock").push(mail);
        mailin_embedded::response::OK
    }
}

/// A real SMTP server (mailin) on a loopback port, keeping what it gets.
#[derive(Clone)]
pub struct SmtpServer {
    pub port: u16,
    mails: Arc<Mutex<Vec<Mail>>>,
}

impl SmtpServer {
    pub fn start() -> SmtpServer {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind smtp");
        let port = listener.local_addr().expect("smtp addr").port();
        let mails = Arc::new(Mutex::new(Vec::new()));
        let handler = MailHandler {
            mails: mails.clone(),
            to: Vec::new(),
            data: Vec::new(),
        };
        let mut server = mailin_embedded::Server::new(handler);
        server
            .with_name("mail.test")
            .with_ssl(mailin_embedded::SslConfig::None)
            .expect("no ssl")
            .with_num_threads(2)
            .with_tcp_listener(listener);
        std::thread::spawn(move || {
            let _ = server.serve();
        });
        SmtpServer { port, mails }
    }

    pub fn mails_to(&self, address: &str) -> Vec<Mail> {
        self.mails
            .lock()
            .expect("mail lock")
            .iter()
            .filter(|mail| mail.to.iter().any(|to| to.contains(address)))
            .cloned()
            .collect()
    }

    /// Waits for the `count`-th mail to `address` and returns it.
    pub async fn wait_for_mail(&self, address: &str, count: usize) -> Mail {
        wait_until(Duration::from_secs(15), || async {
            let mails = self.mails_to(address);
            (mails.len() >= count).then(|| mails[count - 1].clone())
        })
        .await
        .unwrap_or_else(|| panic!("no mail number {count} to {address} within 15 s"))
    }
}

/// Extracts the first link starting with `prefix` from a mail, undoing
/// quoted-printable soft line breaks.
pub fn link_in(mail: &Mail, prefix: &str) -> String {
    let text = mail
        .data
        .replace("=\r\n", "")
        .replace("=\n", "")
        .replace("=3D", "=");
    let start = text
        .find(prefix)
        .unwrap_or_else(|| panic!("no {prefix} link in mail:\n{text}"));
    text[start..]
        .split(|c: char| c.is_whitespace())
        .next()
        .expect("link")
        .to_string()
}

/// How long a scenario waits for something that happens in the background
/// (a delivery, a fetch) before it fails: long enough for a machine busy
/// with other builds, never waited out when things work.
pub const PATIENCE: Duration = Duration::from_secs(60);

/// Polls `check` until it returns `Some`, for at most `timeout`.
pub async fn wait_until<T, F, Fut>(timeout: Duration, mut check: F) -> Option<T>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Option<T>>,
{
    let deadline = Instant::now() + timeout;
    loop {
        if let Some(value) = check().await {
            return Some(value);
        }
        if Instant::now() >= deadline {
            return None;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Runs delivery to completion on these instances: each delivers what is
/// due, and again while deliveries queue more elsewhere (an `Accept`
/// answering a `Follow`), until a round finds every queue with nothing due
/// (done, refused, failed, or waiting for a later retry). Panics after
/// [`PATIENCE`].
pub async fn deliver_all(instances: &[&TestInstance]) {
    let deadline = Instant::now() + PATIENCE;
    loop {
        let mut idle = true;
        for instance in instances {
            let store = &instance.running.state.domain.store();
            if store.deliveries_due(store.now_ms()).await.expect("queue") > 0 {
                idle = false;
            }
            let left = deadline.saturating_duration_since(Instant::now());
            let settled = instance.running.deliver_queued(left).await.expect("queue");
            assert!(
                settled,
                "deliveries of {} still due after {PATIENCE:?}",
                instance.domain
            );
        }
        if idle {
            return;
        }
    }
}

/// Runs delivery to completion on `instances`, then checks `what`: for what
/// arrives by delivery, instead of polling until it does. A delivery the
/// receiver asked to have again later (a `503` while it fetched what it
/// needed from a busy peer) is retried: delivery runs again until `what`
/// holds, for at most [`PATIENCE`].
pub async fn after_delivery<F, Fut>(instances: &[&TestInstance], what: &str, mut check: F)
where
    F: FnMut() -> Fut,
    Fut: Future<Output = bool>,
{
    let deadline = Instant::now() + PATIENCE;
    loop {
        deliver_all(instances).await;
        if check().await {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "not so once delivery ran: {what}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Runs delivery to completion on `instances`, then reads forum `handle`
/// (`name@host`, another instance's) as `reader` sees it: panics unless it
/// lists at least `count` threads; answers them, newest first.
pub async fn remote_threads(
    instances: &[&TestInstance],
    reader: &client::Client<'_>,
    handle: &str,
    count: usize,
) -> Vec<serde_json::Value> {
    deliver_all(instances).await;
    let forum = reader.get_json(&format!("/api/v1/forums/{handle}")).await;
    let threads = forum["threads"].as_array().cloned().unwrap_or_default();
    assert!(
        threads.len() >= count,
        "{count} threads of {handle} expected once delivery ran: {forum}"
    );
    threads
}

/// A running instance with its own data directory and database.
pub struct TestInstance {
    pub running: RunningInstance,
    pub base_url: String,
    pub domain: String,
    pub engine: Engine,
    database_url: String,
    _dir: tempfile::TempDir,
}

/// Settings for a test instance; adjust them before [`start`].
pub fn settings(engine: Engine, smtp: Option<&SmtpServer>) -> (Settings, tempfile::TempDir) {
    preau::install_crypto_provider();
    let dir = tempfile::tempdir().expect("tempdir");
    let mut settings = Settings::default();
    settings.server.listen = "127.0.0.1:0".parse().expect("addr");
    settings.server.data_dir = dir.path().to_path_buf();
    settings.instance.domain = "localhost:0".to_string();
    settings.database.url = fresh_database_url(engine, dir.path());
    settings.database.max_connections = 4;
    settings.federation.allow_loopback = true;
    settings.limits.login_per_minute = 1000;
    settings.limits.signup_per_hour = 1000;
    if let Some(smtp) = smtp {
        settings.mail.smtp_url = format!("smtp://127.0.0.1:{}", smtp.port);
    }
    (settings, dir)
}

/// Makes delivery fast: a failed delivery is retried after 200 ms, the
/// queue read every 100 ms and a peer that failed five times in a row
/// (a machine too busy to answer in time) probed again every second, so
/// scenarios across instances run quickly.
pub fn fast_delivery(settings: &mut Settings) {
    settings.delivery.retry_base_ms = 200;
    settings.delivery.poll_ms = 100;
    settings.delivery.probe_interval_ms = 1_000;
}

/// Starts an instance of `engine` with fast delivery ([`fast_delivery`]),
/// its mail sent to `smtp` when given; `adjust` changes its settings
/// before it starts.
pub async fn start_fast(
    engine: Engine,
    smtp: Option<&SmtpServer>,
    adjust: impl FnOnce(&mut Settings),
) -> TestInstance {
    let (mut settings, dir) = settings(engine, smtp);
    fast_delivery(&mut settings);
    adjust(&mut settings);
    start(engine, settings, dir).await
}

/// Starts two instances of `engine` with fast delivery and no mail server:
/// the usual pair of a scenario across instances.
pub async fn start_pair(engine: Engine) -> (TestInstance, TestInstance) {
    let a = start_fast(engine, None, |_| {}).await;
    let b = start_fast(engine, None, |_| {}).await;
    (a, b)
}

/// Starts an instance with these settings, on a loopback port bound first,
/// with a clock the test can move ([`TestInstance::advance_clock`]).
pub async fn start(engine: Engine, settings: Settings, dir: tempfile::TempDir) -> TestInstance {
    start_on(engine, bind_loopback().await, settings, dir).await
}

/// A listener on a free loopback port, bound now: its port is the
/// instance's, with no window for another process to take it.
pub async fn bind_loopback() -> tokio::net::TcpListener {
    tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind a loopback port")
}

/// Starts an instance on a listener bound beforehand (when its port must be
/// known before it starts, e.g. to name its origin in an attestation).
pub async fn start_on(
    engine: Engine,
    listener: tokio::net::TcpListener,
    settings: Settings,
    dir: tempfile::TempDir,
) -> TestInstance {
    let database_url = settings.database.url.clone();
    let clock = preau::domain::clock::Clock::adjustable();
    let running = preau::app::spawn_on(listener, settings, clock)
        .await
        .expect("instance starts");
    let base_url = running.base_url.clone();
    let domain = base_url.trim_start_matches("http://").to_string();
    TestInstance {
        running,
        base_url,
        domain,
        engine,
        database_url,
        _dir: dir,
    }
}

impl TestInstance {
    /// Moves this instance's clock forward: what expires or falls due in
    /// `by` does so now.
    pub fn advance_clock(&self, by: Duration) {
        assert!(
            self.running.state.domain.clock().advance(by),
            "test instances have an adjustable clock"
        );
    }

    /// Runs this instance's delivery to completion ([`deliver_all`]).
    pub async fn deliver(&self) {
        deliver_all(&[self]).await;
    }

    /// This instance's store, to inspect what it holds.
    /// Its database's URL (for a connection of the test's own).
    pub fn database_url(&self) -> &str {
        &self.database_url
    }

    pub fn store(&self) -> &preau::domain::store::Store {
        self.running.state.domain.store()
    }

    /// The actor `ap_id` as this instance knows it (panics when unknown).
    pub async fn known_actor(&self, ap_id: &str) -> preau::domain::store::actors::ActorRow {
        self.store()
            .actor_by_ap_id(ap_id)
            .await
            .expect("read actor")
            .unwrap_or_else(|| panic!("{} does not know {ap_id}", self.domain))
    }

    /// The local forum `name` of this instance (panics when missing).
    pub async fn forum_here(&self, name: &str) -> preau::domain::store::forums::ForumRow {
        self.store()
            .local_forum(name)
            .await
            .expect("read forum")
            .unwrap_or_else(|| panic!("no forum {name} on {}", self.domain))
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base_url, path)
    }

    /// Stops the instance and drops its PostgreSQL database.
    pub async fn stop(self) {
        self.running.stop().await.expect("instance stops cleanly");
        if self.engine == Engine::Postgres {
            drop_postgres_database(&self.database_url).await;
        }
    }
}

/// Drops the PostgreSQL database of `database_url`, if it exists.
pub async fn drop_postgres_database(database_url: &str) {
    let mut admin = url::Url::parse(database_url).expect("url");
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

/// A browser-like HTTP client: keeps cookies, does not follow redirects.
pub fn browser() -> reqwest::Client {
    reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client")
}

/// An API client (no cookies).
pub fn api_client() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client")
}

/// `text` with the no-break spaces of French typography (U+00A0 before `:`,
/// U+202F before `;` `?` `!` `»` and after `«`) turned into plain ones, so a
/// test compares French text as a teacher would type it: `« Semis » ?`.
pub fn plain_spaces(text: &str) -> String {
    text.replace(['\u{a0}', '\u{202f}'], " ")
}

/// The CSRF token of the first form in a page.
pub fn csrf_token(html: &str) -> String {
    let marker = "name=\"csrf_token\" value=\"";
    let start = html
        .find(marker)
        .unwrap_or_else(|| panic!("no csrf_token in page:\n{html}"))
        + marker.len();
    html[start..].split('"').next().expect("token").to_string()
}

/// A harmless activity for tests of the delivery queue: the instance
/// actor (`actor`, its ActivityPub id) updating itself, with the id
/// `{base_url}/activities/{name}`. Returns the id and the activity.
pub fn self_update(base_url: &str, actor: &str, name: &str) -> (String, serde_json::Value) {
    let id = format!("{base_url}/activities/{name}");
    let body = serde_json::json!({
        "@context": "https://www.w3.org/ns/activitystreams",
        "id": id,
        "type": "Update",
        "actor": actor,
        "object": actor,
    });
    (id, body)
}
