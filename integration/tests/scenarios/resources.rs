//! Hostile input that aims at the server's CPU or memory rather than its
//! data: deeply nested Markdown (refused with `markdown_too_deep` on every
//! route, pages and API, while other requests are served) and log-ins in
//! numbers (password hashing is bounded; a full queue answers 503
//! `busy_try_later` with `Retry-After`).

use super::support::client::{Client, PASSWORD};
use super::support::*;
use reqwest::Method;
use serde_json::json;
use std::time::Duration;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn deeply_nested_markdown_is_refused_everywhere_and_others_are_served() {
    for engine in engines() {
        let (settings, dir) = settings(engine, None);
        let instance = start(engine, settings, dir).await;
        let client = Client::anonymous(&instance);
        let anne = Client::teacher(&instance, "anne", true).await;
        anne.post(
            "/api/v1/forums",
            json!({"name": "maths", "title": "Maths", "description": "> une citation"}),
        )
        .await
        .expect(201);
        let response = anne
            .post(
                "/api/v1/forums/maths/threads",
                json!({"title": "Dés", "body": "> cité\n>\n> > et re-cité\n\n- a\n  - b"}),
            )
            .await;
        assert_eq!(response.status, 201, "ordinary nesting is kept");
        let thread_id = response.json["id"].as_i64().unwrap();

        // Four hostile replies at once (20,000 `>`, 20,000 `<div>`), and a
        // normal request meanwhile: the hostile ones are refused, the
        // normal one is served.
        let hostile = [
            ">".repeat(20_000),
            "> ".repeat(9_000),
            "<div>".repeat(3_900),
            "1. ".repeat(6_000),
        ];
        let mut tasks = Vec::new();
        for body in hostile {
            let request = anne
                .build(
                    Method::POST,
                    &format!("/api/v1/threads/{thread_id}/replies"),
                )
                .json(&json!({ "body": body }));
            tasks.push(tokio::spawn(async move {
                Client::dispatch(request).await.error()
            }));
        }
        let normal =
            tokio::time::timeout(Duration::from_secs(30), client.get("/api/v1/forums/maths"))
                .await
                .expect("a normal request is served while hostile ones run");
        assert_eq!(normal.status, 200);
        for task in tasks {
            assert_eq!(task.await.unwrap(), (422, "markdown_too_deep".into()));
        }

        // Every other Markdown field: bio, forum and project descriptions.
        let deep = ">".repeat(4_000);
        let response = anne
            .call(
                Method::PUT,
                "/api/v1/me/profile",
                Some(json!({"display_name": "Anne", "bio": deep})),
            )
            .await;
        assert_eq!(response.error(), (422, "markdown_too_deep".into()));
        let response = anne
            .post(
                "/api/v1/forums",
                json!({"name": "svt", "title": "SVT", "description": deep}),
            )
            .await;
        assert_eq!(response.error(), (422, "markdown_too_deep".into()));
        let response = anne
            .post(
                "/api/v1/projects",
                json!({"name": "jumelage", "title": "Jumelage", "description": deep,
                "visibility": "public", "status": "looking", "join_mode": "request"}),
            )
            .await;
        assert_eq!(response.error(), (422, "markdown_too_deep".into()));
        let stored = client.get_json("/api/v1/forums/maths").await;
        assert_eq!(stored["total_threads"], 1, "nothing hostile was stored");

        // Pages: the preview and the form say why, with the text kept.
        let browser = Client::anonymous(&instance).log_in_pages("anne").await;
        let answer = browser
            .submit(
                "/forums/maths",
                "/forums/maths/threads",
                &[("title", "Profond"), ("body", &deep), ("preview", "1")],
            )
            .await;
        assert_eq!(answer.status, 422);
        assert!(
            answer.text.contains("trop imbriqué"),
            "the French message is shown"
        );
        instance.stop().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn log_ins_beyond_the_hashing_queue_get_503_with_retry_after() {
    for engine in engines() {
        let (mut settings, dir) = settings(engine, None);
        settings.accounts.hashing_concurrency = 1;
        settings.accounts.hashing_queue = 1;
        settings.limits.login_per_minute = 100;
        let instance = start(engine, settings, dir).await;
        Client::teacher(&instance, "anne", false).await;
        let pool = instance.running.state.domain.passwords.clone();

        // The only hashing slot is taken until `release` is sent.
        let (release, released) = std::sync::mpsc::channel::<()>();
        let holder = {
            let pool = pool.clone();
            tokio::spawn(async move { pool.run(move || released.recv().is_ok()).await })
        };
        let held = wait_until(crate::support::PATIENCE, || {
            let pool = pool.clone();
            async move { (pool.admitted() == 1).then_some(()) }
        })
        .await;
        assert!(held.is_some(), "the slot is held");

        // Four log-ins at once: one waits in the queue, three are refused
        // at once.
        let mut logins = Vec::new();
        for _ in 0..4 {
            let request = Client::anonymous(&instance)
                .build(Method::POST, "/api/v1/sessions")
                .json(&json!({"login": "anne", "password": PASSWORD}));
            logins.push(tokio::spawn(Client::dispatch(request)));
        }
        let refused_all = wait_until(crate::support::PATIENCE, || {
            let finished = logins.iter().filter(|login| login.is_finished()).count();
            let admitted = pool.admitted();
            async move { (finished == 3 && admitted == 2).then_some(()) }
        })
        .await;
        assert!(refused_all.is_some(), "three refused, one queued");
        let mut waiting = Vec::new();
        let mut refused = 0;
        for login in logins {
            if !login.is_finished() {
                waiting.push(login);
                continue;
            }
            let response = login.await.unwrap();
            assert_eq!(response.status, 503);
            assert!(response.headers.contains_key("retry-after"));
            assert_eq!(response.code(), "busy_try_later");
            refused += 1;
        }
        assert_eq!(refused, 3);

        // The log-in page says the same, in French, with Retry-After.
        let response = Client::anonymous(&instance)
            .submit(
                "/login",
                "/login",
                &[("login", "anne"), ("password", PASSWORD)],
            )
            .await;
        assert_eq!(response.status, 503);
        assert!(response.headers.contains_key("retry-after"));
        assert!(response.text.contains("Réessayez"));

        // Freed, the queued log-in and the next ones succeed.
        release.send(()).unwrap();
        assert!(holder.await.unwrap().unwrap());
        for login in waiting {
            assert_eq!(login.await.unwrap().status, 201);
        }
        let response = Client::anonymous(&instance)
            .post(
                "/api/v1/sessions",
                json!({"login": "anne", "password": PASSWORD}),
            )
            .await;
        assert_eq!(response.status, 201);
        assert_eq!(pool.admitted(), 0);
        instance.stop().await;
    }
}
