//! Hostile input that aims at the server's CPU or memory rather than its
//! data: deeply nested Markdown (refused with `markdown_too_deep` on every
//! route, pages and API, while other requests are served) and log-ins in
//! numbers (password hashing is bounded; a full queue answers 503
//! `busy_try_later` with `Retry-After`).

use super::forums::{teacher, PASSWORD};
use super::projects::{logged_in, submit};
use super::support::*;
use serde_json::{json, Value};
use std::time::Duration;

async fn error_code(response: reqwest::Response) -> (u16, String) {
    let status = response.status().as_u16();
    let body: Value = response.json().await.unwrap_or_default();
    (status, body["error"]["code"].as_str().unwrap_or("").into())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn deeply_nested_markdown_is_refused_everywhere_and_others_are_served() {
    for engine in engines() {
        let (settings, dir) = settings(engine, None);
        let instance = start(engine, settings, dir).await;
        let client = api_client();
        let anne = teacher(&instance, "anne", true).await;
        let response = client
            .post(instance.url("/api/v1/forums"))
            .bearer_auth(&anne)
            .json(&json!({"name": "maths", "title": "Maths", "description": "> une citation"}))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 201);
        let response = client
            .post(instance.url("/api/v1/forums/maths/threads"))
            .bearer_auth(&anne)
            .json(&json!({"title": "Dés", "body": "> cité\n>\n> > et re-cité\n\n- a\n  - b"}))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 201, "ordinary nesting is kept");
        let thread: Value = response.json().await.unwrap();
        let thread_id = thread["id"].as_i64().unwrap();

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
            let url = instance.url(&format!("/api/v1/threads/{thread_id}/replies"));
            let token = anne.clone();
            tasks.push(tokio::spawn(async move {
                let response = api_client()
                    .post(url)
                    .bearer_auth(token)
                    .json(&json!({ "body": body }))
                    .send()
                    .await
                    .unwrap();
                error_code(response).await
            }));
        }
        let normal = tokio::time::timeout(
            Duration::from_secs(30),
            client.get(instance.url("/api/v1/forums/maths")).send(),
        )
        .await
        .expect("a normal request is served while hostile ones run")
        .unwrap();
        assert_eq!(normal.status(), 200);
        for task in tasks {
            assert_eq!(task.await.unwrap(), (422, "markdown_too_deep".into()));
        }

        // Every other Markdown field: bio, forum and project descriptions.
        let deep = ">".repeat(4_000);
        let response = client
            .put(instance.url("/api/v1/me/profile"))
            .bearer_auth(&anne)
            .json(&json!({"display_name": "Anne", "bio": deep}))
            .send()
            .await
            .unwrap();
        assert_eq!(
            error_code(response).await,
            (422, "markdown_too_deep".into())
        );
        let response = client
            .post(instance.url("/api/v1/forums"))
            .bearer_auth(&anne)
            .json(&json!({"name": "svt", "title": "SVT", "description": deep}))
            .send()
            .await
            .unwrap();
        assert_eq!(
            error_code(response).await,
            (422, "markdown_too_deep".into())
        );
        let response = client
            .post(instance.url("/api/v1/projects"))
            .bearer_auth(&anne)
            .json(
                &json!({"name": "jumelage", "title": "Jumelage", "description": deep,
                "visibility": "public", "status": "looking", "join_mode": "request"}),
            )
            .send()
            .await
            .unwrap();
        assert_eq!(
            error_code(response).await,
            (422, "markdown_too_deep".into())
        );
        let stored: Value = client
            .get(instance.url("/api/v1/forums/maths"))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(stored["total_threads"], 1, "nothing hostile was stored");

        // Pages: the preview and the form say why, with the text kept.
        let browser = logged_in(&instance, "anne").await;
        let (status, body) = submit(
            &browser,
            &instance,
            "/forums/maths",
            "/forums/maths/threads",
            &[("title", "Profond"), ("body", &deep), ("preview", "1")],
        )
        .await;
        assert_eq!(status, 422);
        assert!(
            body.contains("trop imbriqué"),
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
        teacher(&instance, "anne", false).await;
        let pool = instance.running.state.domain.passwords.clone();

        // The only hashing slot is taken until `release` is sent.
        let (release, released) = std::sync::mpsc::channel::<()>();
        let holder = {
            let pool = pool.clone();
            tokio::spawn(async move { pool.run(move || released.recv().is_ok()).await })
        };
        let held = wait_until(Duration::from_secs(20), || {
            let pool = pool.clone();
            async move { (pool.admitted() == 1).then_some(()) }
        })
        .await;
        assert!(held.is_some(), "the slot is held");

        // Four log-ins at once: one waits in the queue, three are refused
        // at once.
        let mut logins = Vec::new();
        for _ in 0..4 {
            let url = instance.url("/api/v1/sessions");
            logins.push(tokio::spawn(async move {
                api_client()
                    .post(url)
                    .json(&json!({"login": "anne", "password": PASSWORD}))
                    .send()
                    .await
                    .unwrap()
            }));
        }
        let refused_all = wait_until(Duration::from_secs(20), || {
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
            assert_eq!(response.status(), 503);
            assert!(response.headers().contains_key("retry-after"));
            assert_eq!(error_code(response).await.1, "busy_try_later");
            refused += 1;
        }
        assert_eq!(refused, 3);

        // The log-in page says the same, in French, with Retry-After.
        let browser = browser();
        let token = page_token(&browser, &instance.url("/login")).await;
        let response = browser
            .post(instance.url("/login"))
            .form(&[
                ("csrf_token", token.as_str()),
                ("login", "anne"),
                ("password", PASSWORD),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 503);
        assert!(response.headers().contains_key("retry-after"));
        assert!(response.text().await.unwrap().contains("Réessayez"));

        // Freed, the queued log-in and the next ones succeed.
        release.send(()).unwrap();
        assert!(holder.await.unwrap().unwrap());
        for login in waiting {
            assert_eq!(login.await.unwrap().status(), 201);
        }
        let response = api_client()
            .post(instance.url("/api/v1/sessions"))
            .json(&json!({"login": "anne", "password": PASSWORD}))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 201);
        assert_eq!(pool.admitted(), 0);
        instance.stop().await;
    }
}
