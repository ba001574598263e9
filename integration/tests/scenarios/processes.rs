//! Several processes on one database, as two `preau serve` of one site
//! behind a load balancer: every delivery of a fan-out is sent exactly
//! once, whichever process claims it, and two processes starting at once
//! on an empty database both come up with one instance actor.
// The sinks are plain axum servers standing for other instances, not
// Préau routes: axum's own extractors are right for them.
#![allow(clippy::disallowed_types)]

use crate::support::{
    drop_postgres_database, engines, fresh_database_url, settings, start, wait_until, Engine,
};
use axum::{body::Bytes, extract::Path, http::StatusCode, routing::post, Router};
use preau::domain::store::delivery::enqueue;
use serde_json::Value;
use std::{
    collections::HashMap,
    sync::{Arc, Mutex},
    time::Duration,
};

/// Receipts of the sinks: how many times each (activity id, inbox URL)
/// arrived.
type Receipts = Arc<Mutex<HashMap<(String, String), usize>>>;

/// A peer on loopback with many inboxes (`/inbox/{n}`), counting what
/// each receives by activity id.
async fn start_sink(receipts: Receipts) -> u16 {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let router = Router::new().route(
        "/inbox/{n}",
        post(move |Path(n): Path<String>, body: Bytes| {
            let receipts = receipts.clone();
            async move {
                let Ok(activity) = serde_json::from_slice::<Value>(&body) else {
                    return StatusCode::BAD_REQUEST;
                };
                let id = activity["id"].as_str().unwrap_or_default().to_string();
                let inbox = format!("http://localhost:{port}/inbox/{n}");
                *receipts.lock().unwrap().entry((id, inbox)).or_default() += 1;
                StatusCode::ACCEPTED
            }
        }),
    );
    tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
    port
}

const SINKS: usize = 4;
const INBOXES_PER_SINK: usize = 100;
const ACTIVITIES: usize = 6;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_processes_on_one_database_send_every_delivery_exactly_once() {
    for engine in engines() {
        let receipts: Receipts = Arc::default();
        let mut ports = Vec::new();
        for _ in 0..SINKS {
            ports.push(start_sink(receipts.clone()).await);
        }
        let (mut settings_a, dir) = settings(engine, None);
        // Each process claims in small batches, so both keep claiming
        // while the other works.
        settings_a.delivery.workers = 16;
        let first = start(engine, settings_a.clone(), dir).await;
        // The second process of the same site: same domain, same database.
        let mut settings_b = settings_a;
        settings_b.instance.domain = first.domain.clone();
        let second = preau::app::spawn(settings_b)
            .await
            .expect("the second process starts on the shared database");
        let store = &first.running.state.domain.store();
        let actor = store.instance_actor().await.unwrap().unwrap();
        assert_eq!(
            second
                .state
                .domain
                .store()
                .instance_actor()
                .await
                .unwrap()
                .unwrap()
                .id,
            actor.id,
            "{engine:?}: one instance actor for both processes"
        );

        // A fan-out: each activity to every inbox of every sink.
        let inboxes: Vec<String> = ports
            .iter()
            .flat_map(|port| {
                (0..INBOXES_PER_SINK).map(move |n| format!("http://localhost:{port}/inbox/{n}"))
            })
            .collect();
        let mut ids = Vec::new();
        let mut tx = store.begin().await.unwrap();
        for serial in 0..ACTIVITIES {
            let (id, body) = crate::support::self_update(
                &first.base_url,
                &actor.ap_id,
                &format!("fan-out-{serial}"),
            );
            enqueue(&mut tx, &id, actor.id, &body.to_string(), &inboxes)
                .await
                .unwrap();
            ids.push(id);
        }
        preau::domain::store::commit(tx).await.unwrap();
        first.running.state.domain.delivery_waker.wake();
        second.state.domain.delivery_waker.wake();

        // Settled: every delivery done and none claimed any more.
        let total = (ACTIVITIES * SINKS * INBOXES_PER_SINK) as i64;
        let settled = wait_until(Duration::from_secs(120), || async {
            let counts = store.delivery_counts(None).await.unwrap();
            let attempts = store.delivery_attempts().await.unwrap();
            (counts.done == total && attempts.leased == 0).then_some(attempts)
        })
        .await;
        assert!(
            settled.is_some(),
            "{engine:?}: deliveries not settled within 120 s: {:?} {:?}",
            store.delivery_counts(None).await.unwrap(),
            store.delivery_attempts().await.unwrap()
        );
        // Stopping the second process waits for its delivery loop, so a
        // late duplicate would have been recorded by now.
        second.stop().await.expect("the second process stops");
        let attempts = store.delivery_attempts().await.unwrap();
        assert_eq!(attempts.deliveries, total, "{engine:?}");
        assert_eq!(
            attempts.attempts, total,
            "{engine:?}: each delivery was attempted exactly once"
        );
        let receipts = receipts.lock().unwrap().clone();
        let duplicates: Vec<_> = receipts.iter().filter(|(_, n)| **n != 1).collect();
        assert!(
            duplicates.is_empty(),
            "{engine:?}: {} deliveries received more than once, such as {:?}",
            duplicates.len(),
            duplicates.iter().take(5).collect::<Vec<_>>()
        );
        assert_eq!(
            receipts.len() as i64,
            total,
            "{engine:?}: every inbox got every activity"
        );
        for id in &ids {
            let got = receipts
                .keys()
                .filter(|(activity, _)| activity == id)
                .count();
            assert_eq!(got, SINKS * INBOXES_PER_SINK, "{engine:?}: {id}");
        }
        first.stop().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_processes_starting_at_once_on_an_empty_database_share_one_instance_actor() {
    if !engines().contains(&Engine::Postgres) {
        eprintln!("notice: several processes share PostgreSQL only; skipped without it");
        return;
    }
    for round in 0..4 {
        let (mut settings_a, dir) = settings(Engine::Postgres, None);
        settings_a.database.url = fresh_database_url(Engine::Postgres, dir.path());
        // One site: both processes have the same public domain.
        settings_a.instance.domain = "localhost:8".to_string();
        let database_url = settings_a.database.url.clone();
        if round % 2 == 1 {
            // An existing empty database, as an administrator creates it;
            // in the other rounds neither process finds the database.
            preau::domain::store::Store::connect(&database_url, 1)
                .await
                .unwrap()
                .close()
                .await;
        }
        let settings_b = settings_a.clone();
        let (first, second) =
            tokio::join!(preau::app::spawn(settings_a), preau::app::spawn(settings_b));
        let first = first.unwrap_or_else(|error| panic!("round {round}: first: {error}"));
        let second = second.unwrap_or_else(|error| panic!("round {round}: second: {error}"));
        let client = crate::support::client::Client::stranger();
        let mut keys = Vec::new();
        for running in [&first, &second] {
            let actor = client
                .get_activity(&format!("http://{}/actor", running.address))
                .await
                .json;
            keys.push((
                actor["id"].clone(),
                actor["publicKey"]["publicKeyPem"].clone(),
            ));
        }
        assert_eq!(keys[0], keys[1], "round {round}: one instance actor");
        assert!(keys[0].1.is_string(), "round {round}: {keys:?}");
        first.stop().await.unwrap();
        second.stop().await.unwrap();
        drop_postgres_database(&database_url).await;
        drop(dir);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_second_process_shows_a_reply_written_by_the_first_on_its_thread_page() {
    if !engines().contains(&Engine::Postgres) {
        eprintln!("notice: several processes share PostgreSQL only; skipped without it");
        return;
    }
    let (settings_a, dir) = settings(Engine::Postgres, None);
    let first = start(Engine::Postgres, settings_a.clone(), dir).await;
    let mut settings_b = settings_a;
    settings_b.instance.domain = first.domain.clone();
    let second = preau::app::spawn(settings_b)
        .await
        .expect("the second process starts on the shared database");
    let anne = crate::support::client::Client::teacher(&first, "anne", true).await;
    anne.create_forum("maths", "Mathématiques").await;
    let thread = anne
        .post_thread("maths", "Les aires", "Avec des carreaux ?")
        .await;
    let id = thread["id"].as_i64().unwrap();
    let reader = crate::support::client::Client::stranger();
    let (html, api) = (
        format!("http://{}/threads/{id}", second.address),
        format!("http://{}/api/v1/threads/{id}", second.address),
    );
    // The second process keeps the page in memory...
    for _ in 0..2 {
        assert!(reader.get(&html).await.text.contains("Aucune réponse"));
        assert_eq!(reader.get(&api).await.json["total_replies"], 0);
    }
    // ...and learns of the first's reply from its live event, well before
    // its cache's age limit (5 s).
    anne.reply(id, "Un quadrillage au tableau").await;
    let shown = wait_until(Duration::from_secs(3), || async {
        let page = reader.get(&html).await.text;
        let json = reader.get(&api).await.json;
        (page.contains("Un quadrillage au tableau") && json["total_replies"] == 1).then_some(())
    })
    .await;
    assert!(shown.is_some(), "the second process shows the reply");
    second.stop().await.unwrap();
    first.stop().await;
}
