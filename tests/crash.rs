//! Delivery survives a crash: a publishing instance runs as a child
//! process, is killed with SIGKILL in the middle of a fan-out, restarted,
//! and every follower instance ends up with every thread exactly once.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a panic is a failure report

use preau::{config::Settings, domain::accounts::AdminCreateInput};
use serde_json::{json, Value};
use std::{
    io::Write,
    process::{Child, Command, Stdio},
    time::{Duration, Instant},
};

const PASSWORD: &str = "une phrase de passe solide";
const THREADS: usize = 30;
const FOLLOWERS: usize = 3;

/// A listening socket on a free loopback port, held by the test for its
/// whole length and handed to each `preau serve` it starts
/// (`--listen-stdin`): no other process can take the port between two
/// starts.
fn bound_listener() -> std::net::TcpListener {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap()
}

fn database_urls() -> Vec<Option<String>> {
    let mut urls = vec![None];
    match std::env::var("PREAU_TEST_POSTGRES_URL") {
        Ok(base) if !base.is_empty() => {
            let mut url = url::Url::parse(&base).unwrap();
            url.set_path(&format!("/preau_crash_{}_{}", std::process::id(), preau::domain::clock::Clock::system().now_ms()));
            urls.push(Some(url.to_string()));
        }
        _ => eprintln!("notice: PREAU_TEST_POSTGRES_URL is not set: the PostgreSQL half of the crash test is skipped"),
    }
    urls
}

struct Publisher {
    listener: std::net::TcpListener,
    port: u16,
    dir: std::path::PathBuf,
    database: Option<String>,
}

impl Publisher {
    fn command(&self, args: &[&str]) -> Command {
        let mut command = Command::new(env!("CARGO_BIN_EXE_preau"));
        command
            .args(args)
            .env_remove("PREAU_CONFIG")
            .env("PREAU_SERVER_LISTEN", format!("127.0.0.1:{}", self.port))
            .env("PREAU_INSTANCE_DOMAIN", format!("localhost:{}", self.port))
            .env("PREAU_SERVER_DATA_DIR", &self.dir)
            .env("PREAU_FEDERATION_ALLOW_LOOPBACK", "true")
            // One delivery at a time, so the fan-out lasts long enough to
            // be interrupted; a short lease so the restart resumes quickly.
            .env("PREAU_DELIVERY_WORKERS", "1")
            .env("PREAU_DELIVERY_PER_PEER", "1")
            .env("PREAU_DELIVERY_LEASE_MS", "1500")
            .env("PREAU_DELIVERY_POLL_MS", "100")
            .env("PREAU_DELIVERY_RETRY_BASE_MS", "200")
            .env("PREAU_DELIVERY_PROBE_INTERVAL_MS", "1000")
            .env("PREAU_LIMITS_LOGIN_PER_MINUTE", "1000");
        if let Some(url) = &self.database {
            command.env("PREAU_DATABASE_URL", url);
        }
        command
    }

    fn admin(&self, args: &[&str], stdin: &str) {
        let mut child = self
            .command(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        child
            .stdin
            .take()
            .unwrap()
            .write_all(stdin.as_bytes())
            .unwrap();
        let output = child.wait_with_output().unwrap();
        assert!(
            output.status.success(),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
    }

    /// `preau admin deliveries` on the publisher's database.
    fn delivery_counts(&self) -> Value {
        let output = self.command(&["admin", "deliveries"]).output().unwrap();
        assert!(
            output.status.success(),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
        serde_json::from_slice(&output.stdout).unwrap()
    }

    async fn serve(&self) -> Child {
        let log_path = std::env::var("PREAU_CRASH_LOG")
            .map(std::path::PathBuf::from)
            .unwrap_or_else(|_| self.dir.join("serve.log"));
        let log = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(log_path)
            .unwrap();
        let socket = std::os::fd::OwnedFd::from(self.listener.try_clone().unwrap());
        let mut child = self
            .command(&["serve", "--listen-stdin"])
            .stdin(Stdio::from(socket))
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .unwrap();
        let url = format!("http://127.0.0.1:{}/.well-known/nodeinfo", self.port);
        // The socket is the test's: a connection made before the server
        // accepts waits in its backlog, so each check has a bound.
        let client = reqwest::Client::builder()
            .timeout(Duration::from_secs(2))
            .build()
            .unwrap();
        let deadline = Instant::now() + Duration::from_secs(30);
        while Instant::now() < deadline {
            if let Ok(Some(status)) = child.try_wait() {
                panic!("the publisher exited: {status}");
            }
            if client
                .get(&url)
                .send()
                .await
                .is_ok_and(|r| r.status().is_success())
            {
                return child;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        let _ = child.kill();
        let _ = child.wait();
        panic!("the publisher did not start");
    }
}

async fn threads_on(instance: &preau::app::RunningInstance, forum_path: &str) -> i64 {
    let response = reqwest::get(format!("{}/api/v1/forums/{forum_path}", instance.base_url))
        .await
        .unwrap();
    if !response.status().is_success() {
        return 0;
    }
    response.json::<Value>().await.unwrap()["total_threads"]
        .as_i64()
        .unwrap_or(0)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_activity_is_lost_or_doubled_across_a_crash() {
    preau::install_crypto_provider();
    for database in database_urls() {
        let dir = tempfile::tempdir().unwrap();
        let listener = bound_listener();
        let publisher = Publisher {
            port: listener.local_addr().unwrap().port(),
            listener,
            dir: dir.path().to_path_buf(),
            database: database.clone(),
        };
        publisher.admin(
            &[
                "admin",
                "create-user",
                "anne",
                "--email",
                "anne@example.org",
                "--admin",
            ],
            &format!("{PASSWORD}\n"),
        );
        publisher.admin(&["admin", "create-forum", "maths", "--title", "Maths"], "");
        let started = Instant::now();
        let mut child = publisher.serve().await;
        let publisher_domain = format!("localhost:{}", publisher.port);
        let client = reqwest::Client::new();

        // Follower instances, in this process, each with a teacher
        // following the forum.
        let mut followers = Vec::new();
        let mut dirs = Vec::new();
        for index in 0..FOLLOWERS {
            let follower_dir = tempfile::tempdir().unwrap();
            let mut settings = Settings::default();
            settings.server.listen = "127.0.0.1:0".parse().unwrap();
            settings.server.data_dir = follower_dir.path().to_path_buf();
            settings.instance.domain = "localhost:0".into();
            settings.federation.allow_loopback = true;
            settings.delivery.poll_ms = 100;
            settings.delivery.retry_base_ms = 200;
            let instance = preau::app::spawn(settings).await.unwrap();
            let name = format!("teacher{index}");
            instance
                .state
                .domain
                .admin_create_account(AdminCreateInput {
                    username: name.clone(),
                    email: format!("{name}@example.org"),
                    password: PASSWORD.into(),
                    is_admin: false,
                })
                .await
                .unwrap();
            let session: Value = client
                .post(format!("{}/api/v1/sessions", instance.base_url))
                .json(&json!({"login": name, "password": PASSWORD}))
                .send()
                .await
                .unwrap()
                .json()
                .await
                .unwrap();
            let response = client
                .post(format!("{}/api/v1/forums/follow", instance.base_url))
                .bearer_auth(session["token"].as_str().unwrap())
                .json(&json!({"handle": format!("!maths@{publisher_domain}")}))
                .send()
                .await
                .unwrap();
            assert_eq!(response.status(), 202, "{}", response.text().await.unwrap());
            followers.push(instance);
            dirs.push(follower_dir);
        }
        // Wait until the forum has every follower.
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let group: Value = client
                .get(format!("http://{publisher_domain}/forums/maths/followers"))
                .header("Accept", "application/activity+json")
                .send()
                .await
                .unwrap()
                .json()
                .await
                .unwrap();
            if group["totalItems"].as_u64() == Some(FOLLOWERS as u64) {
                break;
            }
            assert!(Instant::now() < deadline, "followers not accepted: {group}");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }

        eprintln!("followers ready after {:?}", started.elapsed());
        // Anne posts the threads; the fan-out starts at once.
        let session: Value = client
            .post(format!("http://{publisher_domain}/api/v1/sessions"))
            .json(&json!({"login": "anne", "password": PASSWORD}))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let token = session["token"].as_str().unwrap().to_string();
        // Posted all at once, so the single delivery worker has a long
        // queue to work through when the process dies.
        let posts = (0..THREADS).map(|n| {
            client
                .post(format!(
                    "http://{publisher_domain}/api/v1/forums/maths/threads"
                ))
                .bearer_auth(&token)
                .json(&json!({"title": format!("Fil {n}"), "body": format!("Message {n}")}))
                .send()
        });
        for response in futures::future::join_all(posts).await {
            let status = response.unwrap().status();
            if status != 201 {
                let log =
                    std::fs::read_to_string(publisher.dir.join("serve.log")).unwrap_or_default();
                panic!("posting a thread answered {status}; server log:\n{log}");
            }
        }
        let forum_path = format!("maths@{publisher_domain}");
        let total_expected = (THREADS * FOLLOWERS) as i64;
        // Kill -9 once some, but not all, deliveries are done.
        let deadline = Instant::now() + Duration::from_secs(60);
        let delivered_before_kill = loop {
            let mut delivered = 0;
            for follower in &followers {
                delivered += threads_on(follower, &forum_path).await;
            }
            if delivered >= 3 {
                break delivered;
            }
            assert!(Instant::now() < deadline, "the fan-out never started");
            tokio::time::sleep(Duration::from_millis(10)).await;
        };
        eprintln!(
            "killing after {:?} with {delivered_before_kill} delivered",
            started.elapsed()
        );
        child.kill().unwrap();
        child.wait().unwrap();
        assert!(delivered_before_kill < total_expected, "the fan-out ended before the kill ({delivered_before_kill} of {total_expected}): not a mid-fan-out crash");

        let mut child = publisher.serve().await;
        let deadline = Instant::now() + Duration::from_secs(90);
        loop {
            let mut counts = Vec::new();
            for follower in &followers {
                counts.push(threads_on(follower, &forum_path).await);
            }
            if counts.iter().all(|count| *count == THREADS as i64) {
                break;
            }
            assert!(
                counts.iter().all(|count| *count <= THREADS as i64),
                "a thread arrived twice: {counts:?}"
            );
            assert!(
                Instant::now() < deadline,
                "deliveries lost after the crash: {counts:?} of {THREADS}"
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        eprintln!("all delivered after {:?}", started.elapsed());
        // Exactly once: each follower holds each thread once, and nothing
        // more arrives later: once the publisher has no delivery pending
        // (those in flight at the kill were sent again when their lease
        // ended), nothing is left to arrive.
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            let counts = publisher.delivery_counts();
            if counts["pending"] == 0 {
                assert_eq!(counts["failed"], 0, "{counts}");
                break;
            }
            assert!(
                Instant::now() < deadline,
                "the publisher's outbox did not drain: {counts}"
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        for follower in &followers {
            assert_eq!(threads_on(follower, &forum_path).await, THREADS as i64);
        }
        child.kill().unwrap();
        child.wait().unwrap();
        for follower in followers {
            follower.stop().await.unwrap();
        }
        if let (Some(url), Ok(base)) = (database, std::env::var("PREAU_TEST_POSTGRES_URL")) {
            let name = url::Url::parse(&url)
                .unwrap()
                .path()
                .trim_start_matches('/')
                .to_string();
            sqlx::any::install_default_drivers();
            let pool = sqlx::AnyPool::connect(&base).await.unwrap();
            sqlx::query(&format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"))
                .execute(&pool)
                .await
                .unwrap();
            pool.close().await;
        }
    }
}
