//! Outgoing requests pass one address filter, and an inbox request makes
//! no request before its signature verifies: with `allow_loopback` off, a
//! listener on a loopback port is never contacted, whatever names it (an
//! unverified knock from a level-too-low instance, a NodeInfo check, a
//! handle lookup, a forum follow).

use super::forums::post_signed;
use super::support::{client::Client, *};
use serde_json::json;
use std::sync::{
    atomic::{AtomicUsize, Ordering},
    Arc,
};

/// A TCP listener on a loopback port that counts connections and answers
/// nothing useful.
async fn counting_listener() -> (u16, Arc<AtomicUsize>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let count = Arc::new(AtomicUsize::new(0));
    let seen = count.clone();
    tokio::spawn(async move {
        while let Ok((mut socket, _)) = listener.accept().await {
            seen.fetch_add(1, Ordering::SeqCst);
            use tokio::io::AsyncWriteExt;
            let _ = socket
                .write_all(b"HTTP/1.1 404 Not Found\r\ncontent-length: 0\r\n\r\n")
                .await;
        }
    });
    (port, count)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn nothing_is_fetched_from_private_addresses_or_for_unverified_requests() {
    for engine in engines() {
        let (listener_port, connections) = counting_listener().await;
        let (mut s, dir) = settings(engine, None);
        s.federation.allow_loopback = false;
        s.federation.min_level = preau_federation::TrustLevel::Associative;
        let instance = start(engine, s, dir).await;
        let origin = format!("http://127.0.0.1:{listener_port}");
        let host = format!("127.0.0.1:{listener_port}");

        // An unverified knock naming an actor on the listener: refused for
        // its level, nothing fetched, nothing remembered.
        let (_, private_pem) = preau::domain::keys::generate_key_pair().await.unwrap();
        let activity = json!({
            "@context": "https://www.w3.org/ns/activitystreams",
            "id": format!("{origin}/activities/1"),
            "type": "Create",
            "actor": format!("{origin}/users/x"),
            "object": {"id": format!("{origin}/notes/1"), "type": "Note", "content": "x"},
        });
        let response = post_signed(
            &instance.url("/inbox"),
            &activity,
            &format!("{origin}/users/x#main-key"),
            &private_pem,
            std::time::SystemTime::now(),
            |_, _| {},
        )
        .await;
        assert_eq!(response.status, 403, "{engine:?}");
        let store = &instance.running.state.domain.store();
        assert!(
            store.instance(&host).await.unwrap().is_none(),
            "{engine:?}: an unverified knock was remembered"
        );

        // The NodeInfo check itself refuses the address before connecting.
        preau::apub::trust::check_and_store(&instance.running.state, &host, &origin).await;

        // A teacher's lookups and follows naming the listener fail too.
        let lea = Client::teacher(&instance, "lea", false).await;
        let request = lea
            .build(reqwest::Method::GET, "/api/v1/lookup")
            .query(&[("handle", format!("x@{host}"))]);
        let response = lea.send(request).await;
        let status = response.status;
        assert!(
            (400..500).contains(&status) || status == 502,
            "{engine:?}: {status} {}",
            response.text
        );
        let response = lea
            .post(
                "/api/v1/forums/follow",
                json!({"handle": format!("{origin}/forums/maths")}),
            )
            .await;
        let status = response.status;
        assert!(
            (400..500).contains(&status) || status == 502,
            "{engine:?}: {status} {}",
            response.text
        );
        for literal in ["[::ffff:127.0.0.1]", "2130706433", "[::1]"] {
            let response = lea
                .post(
                    "/api/v1/forums/follow",
                    json!({"handle": format!("http://{literal}:{listener_port}/forums/maths")}),
                )
                .await;
            let status = response.status;
            assert!(
                (400..500).contains(&status) || status == 502,
                "{engine:?} {literal}: {status}"
            );
        }

        assert_eq!(
            connections.load(Ordering::SeqCst),
            0,
            "{engine:?}: the private address was contacted"
        );
        instance.stop().await;
    }
}
