//! Forums across instances: follow a remote forum, post, reply, and see
//! each effect on every instance; and an inbox that refuses forgeries.

use super::support::*;
use serde_json::{json, Value};
use std::time::Duration;

const PASSWORD: &str = "une phrase de passe solide";

async fn teacher(instance: &TestInstance, name: &str, admin: bool) -> String {
    instance
        .running
        .state
        .domain
        .admin_create_account(preau::domain::accounts::AdminCreateInput {
            username: name.into(),
            email: format!("{name}@example.org"),
            password: PASSWORD.into(),
            is_admin: admin,
        })
        .await
        .unwrap();
    let session: Value = api_client()
        .post(instance.url("/api/v1/sessions"))
        .json(&json!({"login": name, "password": PASSWORD}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    session["token"].as_str().unwrap().to_string()
}

async fn thread_count(instance: &TestInstance, forum_path: &str) -> i64 {
    let response = api_client()
        .get(instance.url(&format!("/api/v1/forums/{forum_path}")))
        .send()
        .await
        .unwrap();
    if response.status() != 200 {
        return -1;
    }
    let body: Value = response.json().await.unwrap();
    body["total_threads"].as_i64().unwrap_or(-1)
}

async fn wait_for<F, Fut>(what: &str, mut check: F)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let ok = wait_until(Duration::from_secs(20), || {
        let fut = check();
        async move { fut.await.then_some(()) }
    })
    .await;
    assert!(ok.is_some(), "timed out waiting for: {what}");
}

fn fast_delivery(settings: &mut preau::config::Settings) {
    settings.delivery.retry_base_ms = 200;
    settings.delivery.poll_ms = 100;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn teachers_on_three_instances_share_a_forum() {
    for engine in engines() {
        let (mut a, dir_a) = settings(engine, None);
        fast_delivery(&mut a);
        let academy = start(engine, a, dir_a).await;
        let (mut b, dir_b) = settings(engine, None);
        fast_delivery(&mut b);
        let association = start(engine, b, dir_b).await;
        let (mut c, dir_c) = settings(engine, None);
        fast_delivery(&mut c);
        let informal = start(engine, c, dir_c).await;
        let client = api_client();

        let anne = teacher(&academy, "anne", true).await;
        let response = client
            .post(academy.url("/api/v1/forums"))
            .bearer_auth(&anne)
            .json(&json!({"name": "maths", "title": "Mathématiques au lycée", "description": "Échanges entre profs de **maths**"}))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 201, "{}", response.text().await.unwrap());

        // The forum is a Group any server can discover.
        let finger: Value = client
            .get(academy.url(&format!(
                "/.well-known/webfinger?resource=acct:maths@{}",
                academy.domain
            )))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(finger["links"][0]["href"], academy.url("/forums/maths"));
        let group: Value = client
            .get(academy.url("/forums/maths"))
            .header("Accept", "application/activity+json")
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(group["type"], "Group");
        assert_eq!(
            group["attributedTo"],
            academy.url("/forums/maths/moderators")
        );
        assert_eq!(group["featured"], academy.url("/forums/maths/featured"));

        // Teachers on the two other instances follow it.
        let bea = teacher(&association, "bea", false).await;
        let carl = teacher(&informal, "carl", false).await;
        let handle = format!("!maths@{}", academy.domain);
        for (instance, token) in [(&association, &bea), (&informal, &carl)] {
            let response = client
                .post(instance.url("/api/v1/forums/follow"))
                .bearer_auth(token)
                .json(&json!({"handle": handle}))
                .send()
                .await
                .unwrap();
            assert_eq!(response.status(), 202, "{}", response.text().await.unwrap());
        }
        let remote_path = format!("maths@{}", academy.domain);
        for instance in [&association, &informal] {
            wait_for("the follow is accepted", || async {
                let store = &instance.running.state.domain.store;
                let Some(forum) = store
                    .forum_by_ap_id(&academy.url("/forums/maths"))
                    .await
                    .unwrap()
                else {
                    return false;
                };
                let accounts = store.list_accounts(None).await.unwrap();
                let follow = store
                    .follow(accounts[0].actor_id, forum.actor.id)
                    .await
                    .unwrap();
                follow.is_some_and(|f| f.state == preau::store::forums::FollowState::Accepted)
            })
            .await;
        }
        assert_eq!(
            academy
                .running
                .state
                .domain
                .store
                .count_followers(
                    academy
                        .running
                        .state
                        .domain
                        .store
                        .local_forum("maths")
                        .await
                        .unwrap()
                        .unwrap()
                        .actor
                        .id
                )
                .await
                .unwrap(),
            2
        );

        // Bea opens a thread from her instance: it lands in the forum and
        // the forum announces it to the informal instance.
        let response = client
            .post(association.url(&format!("/api/v1/forums/{remote_path}/threads")))
            .bearer_auth(&bea)
            .json(&json!({"title": "Probabilités en seconde", "body": "Vos idées pour introduire les **probabilités** ?"}))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 201, "{}", response.text().await.unwrap());
        wait_for("the academy stores Bea's thread", || async {
            thread_count(&academy, "maths").await == 1
        })
        .await;
        wait_for("the informal instance receives the announce", || async {
            thread_count(&informal, &remote_path).await == 1
        })
        .await;

        // Anne replies on the academy; Carl replies from the informal node.
        let forum: Value = client
            .get(academy.url("/api/v1/forums/maths"))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let thread_id = forum["threads"][0]["id"].as_i64().unwrap();
        assert_eq!(
            forum["threads"][0]["author"]["handle"],
            format!("bea@{}", association.domain)
        );
        assert!(forum["threads"][0]["content_html"]
            .as_str()
            .unwrap()
            .contains("<strong>probabilités</strong>"));
        let response = client
            .post(academy.url(&format!("/api/v1/threads/{thread_id}/replies")))
            .bearer_auth(&anne)
            .json(&json!({"body": "Avec des simulations de lancers de dés."}))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 201, "{}", response.text().await.unwrap());
        let informal_forum: Value = client
            .get(informal.url(&format!("/api/v1/forums/{remote_path}")))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let informal_thread = informal_forum["threads"][0]["id"].as_i64().unwrap();
        let replies = |instance: &TestInstance, thread: i64| {
            let url = instance.url(&format!("/api/v1/threads/{thread}"));
            async move {
                let thread: Value = api_client()
                    .get(url)
                    .send()
                    .await
                    .unwrap()
                    .json()
                    .await
                    .unwrap();
                thread["replies"].as_array().map(|r| r.len()).unwrap_or(0)
            }
        };
        wait_for("Anne's reply reaches the informal instance", || async {
            replies(&informal, informal_thread).await == 1
        })
        .await;
        let response = client
            .post(informal.url(&format!("/api/v1/threads/{informal_thread}/replies")))
            .bearer_auth(&carl)
            .json(&json!({"body": "Et un tableur pour les fréquences."}))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 201, "{}", response.text().await.unwrap());
        wait_for("the academy stores Carl's reply", || async {
            replies(&academy, thread_id).await == 2
        })
        .await;
        let association_forum: Value = client
            .get(association.url(&format!("/api/v1/forums/{remote_path}")))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let association_thread = association_forum["threads"][0]["id"].as_i64().unwrap();
        wait_for("Bea's instance sees both replies", || async {
            replies(&association, association_thread).await == 2
        })
        .await;

        // The forum page shows the thread with author and origin.
        let html = browser()
            .get(academy.url(&format!("/threads/{thread_id}")))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(html.contains("Probabilités en seconde"));
        assert!(html.contains(&format!("bea@{}", association.domain)));
        assert!(html.contains(&format!("carl@{}", informal.domain)));

        // Nothing was applied twice: every delivery is done, none failed.
        for instance in [&academy, &association, &informal] {
            let counts = instance
                .running
                .state
                .domain
                .store
                .delivery_counts(None)
                .await
                .unwrap();
            assert_eq!(counts.failed, 0);
        }
        academy.stop().await;
        association.stop().await;
        informal.stop().await;
    }
}
