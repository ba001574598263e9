//! Lifetimes and backoff on the instance's clock: each test moves the
//! clock of its instance past a lifetime or a retry's due time
//! ([`TestInstance::advance_clock`]) instead of waiting for it, and checks
//! that what was valid just before is refused (or due) just after.

use crate::support::{
    client::{Client, PASSWORD},
    engines, link_in, settings, start, SmtpServer, TestInstance,
};
use axum::{http::StatusCode, routing::post, Router};
use preau::domain::{
    accounts::{RESET_LIFETIME_MS, SESSION_LIFETIME_MS, VERIFY_LIFETIME_MS},
    store::delivery::{enqueue, DeliveryCounts},
};
use reqwest::Method;
use serde_json::json;
use std::{
    sync::{
        atomic::{AtomicUsize, Ordering},
        Arc,
    },
    time::Duration,
};

/// A lifetime in milliseconds as a duration, less or more one minute.
fn just_before(lifetime_ms: i64) -> Duration {
    Duration::from_millis(lifetime_ms.unsigned_abs()) - Duration::from_secs(60)
}

/// Signs `name` up and returns the token of the verification link mailed.
async fn sign_up(instance: &TestInstance, smtp: &SmtpServer, name: &str) -> String {
    let email = format!("{name}@example.org");
    Client::cookieless(instance)
        .post(
            "/api/v1/accounts",
            json!({"username": name, "email": email, "password": PASSWORD, "accept_charter": true}),
        )
        .await
        .expect(201);
    let mail = smtp.wait_for_mail(&email, 1).await;
    let link = link_in(&mail, &instance.url("/verify?token="));
    link.split("token=").nth(1).unwrap().to_string()
}

async fn verify(instance: &TestInstance, token: &str) -> crate::support::client::Answer {
    Client::cookieless(instance)
        .post("/api/v1/accounts/verify", json!({"token": token}))
        .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_session_older_than_its_lifetime_is_refused() {
    for engine in engines() {
        let smtp = SmtpServer::start();
        let (config, dir) = settings(engine, Some(&smtp));
        let instance = start(engine, config, dir).await;
        let token = sign_up(&instance, &smtp, "yann").await;
        verify(&instance, &token).await.expect(200);
        let client = Client::cookieless(&instance);
        let session = client
            .post(
                "/api/v1/sessions",
                json!({"login": "yann", "password": PASSWORD}),
            )
            .await
            .expect(201);
        let bearer = session["token"].as_str().unwrap().to_string();
        let me = || client.send(client.build(Method::GET, "/api/v1/me").bearer_auth(&bearer));

        instance.advance_clock(just_before(SESSION_LIFETIME_MS));
        assert_eq!(
            me().await.status,
            200,
            "{engine:?}: still within its lifetime"
        );
        instance.advance_clock(Duration::from_secs(120));
        assert_eq!(me().await.status, 401, "{engine:?}: past its lifetime");
        instance.stop().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_verification_link_expires_after_its_lifetime() {
    for engine in engines() {
        let smtp = SmtpServer::start();
        let (config, dir) = settings(engine, Some(&smtp));
        let instance = start(engine, config, dir).await;
        let early = sign_up(&instance, &smtp, "lina").await;
        let late = sign_up(&instance, &smtp, "marc").await;

        instance.advance_clock(just_before(VERIFY_LIFETIME_MS));
        verify(&instance, &early).await.expect(200);
        instance.advance_clock(Duration::from_secs(120));
        verify(&instance, &late)
            .await
            .expect_error(400, "invalid_token");
        instance.stop().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_password_reset_link_expires_after_its_lifetime() {
    for engine in engines() {
        let smtp = SmtpServer::start();
        let (config, dir) = settings(engine, Some(&smtp));
        let instance = start(engine, config, dir).await;
        let token = sign_up(&instance, &smtp, "noor").await;
        verify(&instance, &token).await.expect(200);
        let client = Client::cookieless(&instance);
        let forgot = |count: usize| {
            let client = &client;
            let smtp = &smtp;
            let instance = &instance;
            async move {
                client
                    .post(
                        "/api/v1/password/forgot",
                        json!({"email": "noor@example.org"}),
                    )
                    .await
                    .expect(202);
                let mail = smtp.wait_for_mail("noor@example.org", count).await;
                let link = link_in(&mail, &instance.url("/password/reset?token="));
                link.split("token=").nth(1).unwrap().to_string()
            }
        };
        let reset = |token: String| {
            client.post(
                "/api/v1/password/reset",
                json!({"token": token, "password": "un tout nouveau mot de passe"}),
            )
        };
        // Mail 1 verified the address; each request sends one more.
        let early = forgot(2).await;
        instance.advance_clock(just_before(RESET_LIFETIME_MS));
        reset(early).await.expect(200);
        let late = forgot(3).await;
        instance.advance_clock(Duration::from_millis(RESET_LIFETIME_MS.unsigned_abs()));
        instance.advance_clock(Duration::from_secs(1));
        reset(late).await.expect_error(400, "invalid_token");
        instance.stop().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failed_delivery_is_retried_once_its_backoff_has_passed() {
    // A peer inbox that fails its first request and accepts the others.
    let hits = Arc::new(AtomicUsize::new(0));
    let counted = hits.clone();
    let peer = Router::new().route(
        "/inbox",
        post(move || {
            let hits = counted.clone();
            async move {
                if hits.fetch_add(1, Ordering::SeqCst) == 0 {
                    StatusCode::INTERNAL_SERVER_ERROR
                } else {
                    StatusCode::ACCEPTED
                }
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    tokio::spawn(async move { axum::serve(listener, peer).await.unwrap() });

    for engine in engines() {
        hits.store(0, Ordering::SeqCst);
        let (mut config, dir) = settings(engine, None);
        config.delivery.retry_base_ms = 60_000;
        let instance = start(engine, config, dir).await;
        let domain = &instance.running.state.domain;
        let actor = domain.store().instance_actor().await.unwrap().unwrap();
        let (id, body) = crate::support::self_update(&instance.base_url, &actor.ap_id, "retried");
        let inboxes = [format!("http://localhost:{port}/inbox")];
        let mut tx = domain.store().begin().await.unwrap();
        enqueue(&mut tx, &id, actor.id, &body.to_string(), &inboxes)
            .await
            .unwrap();
        preau::domain::store::commit(tx).await.unwrap();
        let counts = |pending, done| DeliveryCounts {
            pending,
            done,
            failed: 0,
            refused: 0,
        };

        instance.deliver().await;
        assert_eq!(hits.load(Ordering::SeqCst), 1, "{engine:?}: first attempt");
        // Before its backoff (one minute) has passed: not tried again.
        instance.advance_clock(Duration::from_secs(50));
        instance.deliver().await;
        assert_eq!(hits.load(Ordering::SeqCst), 1, "{engine:?}: not yet due");
        assert_eq!(
            domain.store().delivery_counts(Some(&id)).await.unwrap(),
            counts(1, 0),
            "{engine:?}"
        );
        // Once it has: tried again, and done.
        instance.advance_clock(Duration::from_secs(11));
        instance.deliver().await;
        assert_eq!(
            hits.load(Ordering::SeqCst),
            2,
            "{engine:?}: retried once due"
        );
        assert_eq!(
            domain.store().delivery_counts(Some(&id)).await.unwrap(),
            counts(0, 1),
            "{engine:?}"
        );
        instance.stop().await;
    }
}
