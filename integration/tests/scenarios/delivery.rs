//! Delivery outcomes against a real HTTP peer on loopback: a final
//! refusal ends a delivery as `refused`, a server error is retried, a
//! success is `done`.

use crate::support::{engines, settings, start};
use axum::{http::StatusCode, routing::post, Router};
use preau::domain::store::delivery::{enqueue, DeliveryCounts};
use std::sync::{
    atomic::{AtomicUsize, Ordering},
    Arc,
};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_final_refusal_ends_a_delivery_and_a_server_error_is_retried() {
    // A peer with three inboxes: one refuses for good, one fails, one
    // accepts. Each counts what it receives.
    let hits: Arc<[AtomicUsize; 3]> = Arc::new(Default::default());
    let answer = |slot: usize, status: StatusCode| {
        let hits = hits.clone();
        post(move || {
            let hits = hits.clone();
            async move {
                hits[slot].fetch_add(1, Ordering::SeqCst);
                status
            }
        })
    };
    let peer = Router::new()
        .route("/refuses", answer(0, StatusCode::FORBIDDEN))
        .route("/fails", answer(1, StatusCode::INTERNAL_SERVER_ERROR))
        .route("/accepts", answer(2, StatusCode::ACCEPTED));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    tokio::spawn(async move { axum::serve(listener, peer).await.unwrap() });

    for engine in engines() {
        let before: Vec<usize> = hits.iter().map(|h| h.load(Ordering::SeqCst)).collect();
        let (mut config, dir) = settings(engine, None);
        // The failed delivery is retried in a minute: after the test.
        config.delivery.retry_base_ms = 60_000;
        let instance = start(engine, config, dir).await;
        let domain = &instance.running.state.domain;
        let actor = domain.store().instance_actor().await.unwrap().unwrap();
        let (id, body) =
            crate::support::self_update(&instance.base_url, &actor.ap_id, "delivery-outcomes");
        let inboxes: Vec<String> = ["refuses", "fails", "accepts"]
            .iter()
            .map(|path| format!("http://localhost:{port}/{path}"))
            .collect();
        let mut tx = domain.store().begin().await.unwrap();
        enqueue(&mut tx, &id, actor.id, &body.to_string(), &inboxes)
            .await
            .unwrap();
        preau::domain::store::commit(tx).await.unwrap();
        domain.delivery_waker.wake();

        let expected = DeliveryCounts {
            pending: 1,
            done: 1,
            failed: 0,
            refused: 1,
        };
        instance.deliver().await;
        assert_eq!(
            domain.store().delivery_counts(Some(&id)).await.unwrap(),
            expected,
            "{engine:?}"
        );
        let after: Vec<usize> = hits.iter().map(|h| h.load(Ordering::SeqCst)).collect();
        for (slot, (a, b)) in after.iter().zip(&before).enumerate() {
            assert_eq!(a - b, 1, "{engine:?}: inbox {slot} got one attempt");
        }
        instance.stop().await;
    }
}
