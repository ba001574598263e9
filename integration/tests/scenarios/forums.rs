//! Forums across instances: follow a remote forum, post, reply, and see
//! each effect on every instance; and an inbox that refuses forgeries.

use super::support::{
    client::{Answer, Client},
    *,
};
use serde_json::{json, Value};
use std::time::Duration;

/// A teacher account on `instance`, logged in to the API: its token.
pub(crate) async fn teacher(instance: &TestInstance, name: &str, admin: bool) -> String {
    Client::teacher(instance, name, admin)
        .await
        .token()
        .to_string()
}

async fn thread_count(instance: &TestInstance, forum_path: &str) -> i64 {
    let response = Client::stranger()
        .get(&instance.url(&format!("/api/v1/forums/{forum_path}")))
        .await;
    if response.status != 200 {
        return -1;
    }
    let body: Value = response.json;
    body["total_threads"].as_i64().unwrap_or(-1)
}

pub(crate) async fn wait_for<F, Fut>(what: &str, mut check: F)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let ok = wait_until(crate::support::PATIENCE, || {
        let fut = check();
        async move { fut.await.then_some(()) }
    })
    .await;
    assert!(ok.is_some(), "timed out waiting for: {what}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn teachers_on_three_instances_share_a_forum() {
    for engine in engines() {
        let (academy, association) = start_pair(engine).await;
        let informal = start_fast(engine, None, |_| {}).await;
        let client = Client::stranger();

        let anne = Client::teacher(&academy, "anne", true).await;
        let response = anne.post(&academy.url("/api/v1/forums"), json!({"name": "maths", "title": "Mathématiques au lycée", "description": "Échanges entre profs de **maths**"})).await;
        assert_eq!(response.status, 201, "{}", response.text);

        // The forum is a Group any server can discover.
        let finger = client
            .get(&academy.url(&format!(
                "/.well-known/webfinger?resource=acct:maths@{}",
                academy.domain
            )))
            .await
            .json;
        assert_eq!(finger["links"][0]["href"], academy.url("/forums/maths"));
        let group: Value = client
            .get_activity(&academy.url("/forums/maths"))
            .await
            .json;
        assert_eq!(group["type"], "Group");
        assert_eq!(
            group["attributedTo"],
            academy.url("/forums/maths/moderators")
        );
        assert_eq!(group["featured"], academy.url("/forums/maths/featured"));

        // Teachers on the two other instances follow it.
        let bea = Client::teacher(&association, "bea", false).await;
        let carl = Client::teacher(&informal, "carl", false).await;
        let handle = format!("!maths@{}", academy.domain);
        for (instance, token) in [(&association, &bea), (&informal, &carl)] {
            let response = token
                .post(
                    &instance.url("/api/v1/forums/follow"),
                    json!({"handle": handle}),
                )
                .await;
            assert_eq!(response.status, 202, "{}", response.text);
        }
        let remote_path = format!("maths@{}", academy.domain);
        for instance in [&association, &informal] {
            after_delivery(
                &[&academy, &association, &informal],
                "the follow is accepted",
                || async {
                    let store = &instance.running.state.domain.store();
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
                    follow.is_some_and(|f| {
                        f.state == preau::domain::store::forums::FollowState::Accepted
                    })
                },
            )
            .await;
        }
        assert_eq!(
            academy
                .running
                .state
                .domain
                .store()
                .count_followers(academy.forum_here("maths").await.actor.id)
                .await
                .unwrap(),
            2
        );

        // Bea opens a thread from her instance: it lands in the forum and
        // the forum announces it to the informal instance.
        let response = bea.post(&association.url(&format!("/api/v1/forums/{remote_path}/threads")), json!({"title": "Probabilités en seconde", "body": "Vos idées pour introduire les **probabilités** ?"})).await;
        assert_eq!(response.status, 201, "{}", response.text);
        after_delivery(
            &[&academy, &association, &informal],
            "the academy stores Bea's thread",
            || async { thread_count(&academy, "maths").await == 1 },
        )
        .await;
        after_delivery(
            &[&academy, &association, &informal],
            "the informal instance receives the announce",
            || async { thread_count(&informal, &remote_path).await == 1 },
        )
        .await;

        // Anne replies on the academy; Carl replies from the informal node.
        let forum: Value = client.get(&academy.url("/api/v1/forums/maths")).await.json;
        let thread_id = forum["threads"][0]["id"].as_i64().unwrap();
        assert_eq!(
            forum["threads"][0]["author"]["handle"],
            format!("bea@{}", association.domain)
        );
        assert!(forum["threads"][0]["content_html"]
            .as_str()
            .unwrap()
            .contains("<strong>probabilités</strong>"));
        let response = anne
            .post(
                &academy.url(&format!("/api/v1/threads/{thread_id}/replies")),
                json!({"body": "Avec des simulations de lancers de dés."}),
            )
            .await;
        assert_eq!(response.status, 201, "{}", response.text);
        let informal_forum: Value = client
            .get(&informal.url(&format!("/api/v1/forums/{remote_path}")))
            .await
            .json;
        let informal_thread = informal_forum["threads"][0]["id"].as_i64().unwrap();
        let replies = |instance: &TestInstance, thread: i64| {
            let url = instance.url(&format!("/api/v1/threads/{thread}"));
            async move {
                let thread: Value = Client::stranger().get(&url).await.json;
                thread["replies"].as_array().map(|r| r.len()).unwrap_or(0)
            }
        };
        after_delivery(
            &[&academy, &association, &informal],
            "Anne's reply reaches the informal instance",
            || async { replies(&informal, informal_thread).await == 1 },
        )
        .await;
        let response = carl
            .post(
                &informal.url(&format!("/api/v1/threads/{informal_thread}/replies")),
                json!({"body": "Et un tableur pour les fréquences."}),
            )
            .await;
        assert_eq!(response.status, 201, "{}", response.text);
        after_delivery(
            &[&academy, &association, &informal],
            "the academy stores Carl's reply",
            || async { replies(&academy, thread_id).await == 2 },
        )
        .await;
        let association_forum: Value = client
            .get(&association.url(&format!("/api/v1/forums/{remote_path}")))
            .await
            .json;
        let association_thread = association_forum["threads"][0]["id"].as_i64().unwrap();
        after_delivery(
            &[&academy, &association, &informal],
            "Bea's instance sees both replies",
            || async { replies(&association, association_thread).await == 2 },
        )
        .await;

        // The forum page shows the thread with author and origin.
        let html = Client::stranger()
            .get(&academy.url(&format!("/threads/{thread_id}")))
            .await
            .text;
        assert!(html.contains("Probabilités en seconde"));
        assert!(html.contains(&format!("bea@{}", association.domain)));
        assert!(html.contains(&format!("carl@{}", informal.domain)));

        // Edit, like, delete, remove, lock, pin and report, each seen on
        // every instance.
        let thread_of = |instance: &TestInstance, thread: i64| {
            let url = instance.url(&format!("/api/v1/threads/{thread}"));
            async move { Client::stranger().get(&url).await.json }
        };
        let association_view = thread_of(&association, association_thread).await;
        let bea_thread_local_id = association_view["thread"]["id"].as_i64().unwrap();
        let response = bea.send(bea.build(reqwest::Method::PUT, &association.url(&format!("/api/v1/posts/{bea_thread_local_id}"))).json(&json!({"title": "Probabilités en seconde (édité)", "body": "Vos idées pour les *probabilités* ?"}))).await;
        assert_eq!(response.status, 200, "{}", response.text);
        for (instance, thread) in [(&academy, thread_id), (&informal, informal_thread)] {
            after_delivery(
                &[&academy, &association, &informal],
                "the edit reaches every instance",
                || async {
                    thread_of(instance, thread).await["thread"]["title"]
                        == "Probabilités en seconde (édité)"
                },
            )
            .await;
        }
        // Nobody marks their own post helpful.
        let response = bea
            .send(bea.build(
                reqwest::Method::POST,
                &association.url(&format!("/api/v1/posts/{bea_thread_local_id}/like")),
            ))
            .await;
        assert_eq!(response.error(), (409, "own_post".into()));
        // Carl marks Anne's reply as helpful; the forum relays it.
        let informal_view = thread_of(&informal, informal_thread).await;
        let anne_reply_on_informal = informal_view["replies"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["author"]["handle"].as_str().unwrap().starts_with("anne@"))
            .unwrap()["id"]
            .as_i64()
            .unwrap();
        let response = carl
            .send(carl.build(
                reqwest::Method::POST,
                &informal.url(&format!("/api/v1/posts/{anne_reply_on_informal}/like")),
            ))
            .await;
        assert_eq!(response.status, 200);
        let liked = |instance: &TestInstance, thread: i64| {
            let view = thread_of(instance, thread);
            async move {
                let view = view.await;
                view["replies"].as_array().unwrap().iter().any(|r| {
                    r["author"]["handle"].as_str().unwrap().starts_with("anne@")
                        && r["like_count"] == 1
                })
            }
        };
        after_delivery(
            &[&academy, &association, &informal],
            "the academy counts Carl's mark",
            || liked(&academy, thread_id),
        )
        .await;
        after_delivery(
            &[&academy, &association, &informal],
            "Bea's instance counts Carl's mark",
            || liked(&association, association_thread),
        )
        .await;

        // Carl deletes his reply: a Tombstone everywhere.
        let carl_reply = informal_view["replies"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["author"]["handle"].as_str().unwrap().starts_with("carl@"))
            .unwrap()["id"]
            .as_i64()
            .unwrap();
        let response = carl
            .send(carl.build(
                reqwest::Method::DELETE,
                &informal.url(&format!("/api/v1/posts/{carl_reply}")),
            ))
            .await;
        assert_eq!(response.status, 204);
        let carl_deleted = |instance: &TestInstance, thread: i64| {
            let view = thread_of(instance, thread);
            async move {
                view.await["replies"].as_array().unwrap().iter().any(|r| {
                    r["author"]["handle"].as_str().unwrap().starts_with("carl@")
                        && r["deleted"] == true
                })
            }
        };
        after_delivery(
            &[&academy, &association, &informal],
            "the academy marks Carl's reply deleted",
            || carl_deleted(&academy, thread_id),
        )
        .await;
        after_delivery(
            &[&academy, &association, &informal],
            "Bea's instance marks it deleted",
            || carl_deleted(&association, association_thread),
        )
        .await;
        let carl_ap_id = thread_of(&academy, thread_id).await["replies"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["author"]["handle"].as_str().unwrap().starts_with("carl@"))
            .unwrap()["ap_id"]
            .as_str()
            .unwrap()
            .to_string();
        let tombstone = client.get_activity(&carl_ap_id).await;
        assert_eq!(tombstone.status, 410);
        let tombstone: Value = tombstone.json;
        assert_eq!(tombstone["type"], "Tombstone");
        assert!(tombstone["@context"].is_array(), "{tombstone}");

        // Bea replies; Anne, moderator, removes it with a reason.
        let response = bea
            .post(
                &association.url(&format!("/api/v1/threads/{association_thread}/replies")),
                json!({"body": "Hors sujet : vends voiture."}),
            )
            .await;
        assert_eq!(response.status, 201);
        let bea_reply_on_academy = |view: &Value| {
            view["replies"]
                .as_array()
                .unwrap()
                .iter()
                .find(|r| r["author"]["handle"].as_str().unwrap().starts_with("bea@"))
                .map(|r| r["id"].as_i64().unwrap())
        };
        after_delivery(
            &[&academy, &association, &informal],
            "the academy stores Bea's reply",
            || async { bea_reply_on_academy(&thread_of(&academy, thread_id).await).is_some() },
        )
        .await;
        let bea_reply = bea_reply_on_academy(&thread_of(&academy, thread_id).await).unwrap();
        let response = carl
            .post(
                &academy.url(&format!("/api/v1/posts/{bea_reply}/remove")),
                json!({"reason": "x"}),
            )
            .await;
        assert_eq!(response.status, 401, "Carl has no session on the academy");
        let response = anne
            .post(
                &academy.url(&format!("/api/v1/posts/{bea_reply}/remove")),
                json!({"reason": "Hors sujet"}),
            )
            .await;
        assert_eq!(response.status, 200, "{}", response.text);
        let bea_removed = |instance: &TestInstance, thread: i64| {
            let view = thread_of(instance, thread);
            async move {
                view.await["replies"].as_array().unwrap().iter().any(|r| {
                    r["author"]["handle"].as_str().unwrap().starts_with("bea@")
                        && r["removed"] == true
                })
            }
        };
        after_delivery(
            &[&academy, &association, &informal],
            "Bea's instance shows the removal",
            || bea_removed(&association, association_thread),
        )
        .await;
        after_delivery(
            &[&academy, &association, &informal],
            "the informal instance shows the removal",
            || bea_removed(&informal, informal_thread),
        )
        .await;

        // Lock and pin: replies are then refused, here and at the forum.
        for action in ["lock", "pin"] {
            let response = anne
                .send(anne.build(
                    reqwest::Method::POST,
                    &academy.url(&format!("/api/v1/threads/{thread_id}/{action}")),
                ))
                .await;
            assert_eq!(response.status, 200, "{}", response.text);
        }
        for (instance, thread) in [
            (&association, association_thread),
            (&informal, informal_thread),
        ] {
            after_delivery(
                &[&academy, &association, &informal],
                "the lock and pin reach every instance",
                || async {
                    let view = thread_of(instance, thread).await;
                    view["thread"]["locked"] == true && view["thread"]["pinned"] == true
                },
            )
            .await;
        }
        let response = carl
            .post(
                &informal.url(&format!("/api/v1/threads/{informal_thread}/replies")),
                json!({"body": "Encore un mot ?"}),
            )
            .await;
        assert_eq!(response.status, 409);
        let featured: Value = client
            .get_activity(&academy.url("/forums/maths/featured"))
            .await
            .json;
        assert_eq!(featured["orderedItems"].as_array().unwrap().len(), 1);

        // Carl reports Bea's thread from his instance: the academy's
        // moderators see it in their queue.
        let response = carl
            .post(
                &informal.url(&format!("/api/v1/posts/{informal_thread}/report")),
                json!({"reason": "Doublon d'un autre fil"}),
            )
            .await;
        assert_eq!(response.status, 202);
        after_delivery(
            &[&academy, &association, &informal],
            "the report reaches the forum's moderators",
            || async {
                let reports: Value = anne
                    .get(&academy.url("/api/v1/forums/maths/reports"))
                    .await
                    .json;
                reports["reports"]
                    .as_array()
                    .is_some_and(|r| r.iter().any(|r| r["reason"] == "Doublon d'un autre fil"))
            },
        )
        .await;
        let response = bea
            .get(&association.url(&format!("/api/v1/forums/{remote_path}/reports")))
            .await;
        assert_eq!(response.status, 403);

        // Nothing was applied twice: every delivery is done, none failed.
        for instance in [&academy, &association, &informal] {
            let counts = instance
                .running
                .state
                .domain
                .store()
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

/// Signs and POSTs `body` to `url` as `key_id`, letting `tamper` change
/// the request after signing.
pub(crate) async fn post_signed(
    url: &str,
    body: &Value,
    key_id: &str,
    private_key_pem: &str,
    now: std::time::SystemTime,
    tamper: impl FnOnce(&mut reqwest::header::HeaderMap, &mut Vec<u8>),
) -> Answer {
    let parsed = url::Url::parse(url).unwrap();
    let host = match parsed.port() {
        Some(port) => format!("{}:{port}", parsed.host_str().unwrap()),
        None => parsed.host_str().unwrap().to_string(),
    };
    let mut bytes = serde_json::to_vec(body).unwrap();
    let mut headers = http::HeaderMap::new();
    headers.insert("host", host.parse().unwrap());
    headers.insert("content-type", "application/activity+json".parse().unwrap());
    preau_federation::signatures::sign_request(
        &http::Method::POST,
        parsed.path(),
        &mut headers,
        Some(&bytes),
        key_id,
        private_key_pem,
        now,
    )
    .unwrap();
    let mut request_headers = reqwest::header::HeaderMap::new();
    for (name, value) in headers.iter() {
        if name != "host" {
            request_headers.insert(
                reqwest::header::HeaderName::from_bytes(name.as_str().as_bytes()).unwrap(),
                reqwest::header::HeaderValue::from_bytes(value.as_bytes()).unwrap(),
            );
        }
    }
    tamper(&mut request_headers, &mut bytes);
    let client = Client::stranger();
    let request = client
        .build(reqwest::Method::POST, url)
        .headers(request_headers)
        .body(bytes);
    client.send(request).await
}

/// POSTs `body` to `inbox`, signed now with `forum`'s real key (a forum
/// relaying, or forging, what it announces).
pub(crate) async fn post_as_forum(
    inbox: &str,
    forum: &preau::domain::store::forums::ForumRow,
    body: &Value,
) -> Answer {
    post_signed(
        inbox,
        body,
        &format!("{}#main-key", forum.actor.ap_id),
        forum.actor.private_key_pem.as_deref().unwrap(),
        std::time::SystemTime::now(),
        |_, _| {},
    )
    .await
}

async fn error_code(response: Answer) -> (u16, String) {
    response.error()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_inbox_refuses_every_forgery_and_applies_an_activity_once() {
    for engine in engines() {
        let (a, dir_a) = settings(engine, None);
        let academy = start(engine, a, dir_a).await;
        let (b, dir_b) = settings(engine, None);
        let other = start(engine, b, dir_b).await;
        let anne = Client::teacher(&academy, "anne", true).await;
        let response = anne
            .post(
                &academy.url("/api/v1/forums"),
                json!({"name": "maths", "title": "Maths"}),
            )
            .await;
        assert_eq!(response.status, 201);
        teacher(&other, "bea", false).await;
        teacher(&other, "carl", false).await;
        let store = &other.running.state.domain.store();
        let bea = store.local_actor_by_name("bea").await.unwrap().unwrap();
        let carl = store.local_actor_by_name("carl").await.unwrap().unwrap();
        let bea_key = bea.private_key_pem.clone().unwrap();
        let carl_key = carl.private_key_pem.clone().unwrap();
        let bea_key_id = format!("{}#main-key", bea.ap_id);
        let forum = academy.url("/forums/maths");
        let inbox = academy.url("/forums/maths/inbox");
        let create = |n: u32| {
            json!({
                "@context": "https://www.w3.org/ns/activitystreams",
                "id": format!("{}/activities/test-{n}", other.base_url),
                "type": "Create",
                "actor": bea.ap_id,
                "to": "https://www.w3.org/ns/activitystreams#Public",
                "cc": [forum],
                "object": {
                    "id": format!("{}/posts/test-{n}", other.base_url),
                    "type": "Page",
                    "attributedTo": bea.ap_id,
                    "name": format!("Fil {n}"),
                    "content": "<p>Bonjour <script>alert(1)</script><a href=\"javascript:alert(1)\" onclick=\"x()\" style=\"color:red\">lien</a></p>",
                    "audience": forum,
                    "to": ["https://www.w3.org/ns/activitystreams#Public"],
                    "cc": [forum],
                },
                // Extra fields Fedify adds must not make the activity fail.
                "signature": {"type": "RsaSignature2017", "creator": bea_key_id, "signatureValue": "AAAA"},
                "proof": {"type": "DataIntegrityProof", "cryptosuite": "eddsa-jcs-2022", "proofValue": "z58"},
            })
        };
        let now = std::time::SystemTime::now();
        let threads = || async { thread_count(&academy, "maths").await };

        // Unsigned: 401, and nothing stored.
        let response = Client::stranger().post(&inbox, create(1)).await;
        assert_eq!(response.error(), (401, "signature_missing".into()));
        // RFC 9421 only: 401 so that Fedify retries with draft-cavage.
        let response = Client::stranger()
            .send(
                Client::stranger()
                    .build(reqwest::Method::POST, &inbox)
                    .header("signature-input", "sig1=(\"@method\");created=1")
                    .json(&create(1)),
            )
            .await;
        assert_eq!(
            response.error(),
            (401, "signature_rfc9421_unsupported".into())
        );
        // Body changed after signing.
        let response = post_signed(&inbox, &create(1), &bea_key_id, &bea_key, now, |_, body| {
            body.extend_from_slice(b" ")
        })
        .await;
        assert_eq!(error_code(response).await, (401, "digest_mismatch".into()));
        // Two hours old, and two hours ahead.
        for offset in [-7200i64, 7200] {
            let when = if offset < 0 {
                now - Duration::from_secs(7200)
            } else {
                now + Duration::from_secs(7200)
            };
            let response =
                post_signed(&inbox, &create(1), &bea_key_id, &bea_key, when, |_, _| {}).await;
            assert_eq!(
                error_code(response).await,
                (401, "date_out_of_range".into())
            );
        }
        // Signed with another key under Bea's key id.
        let response =
            post_signed(&inbox, &create(1), &bea_key_id, &carl_key, now, |_, _| {}).await;
        assert_eq!(
            error_code(response).await,
            (401, "signature_invalid".into())
        );
        // Carl's valid key for Bea's activity.
        let response = post_signed(
            &inbox,
            &create(1),
            &format!("{}#main-key", carl.ap_id),
            &carl_key,
            now,
            |_, _| {},
        )
        .await;
        assert_eq!(
            error_code(response).await,
            (401, "key_owner_mismatch".into())
        );
        // An activity id on another host than its actor.
        let mut foreign = create(1);
        foreign["id"] = json!("https://elsewhere.example/activities/1");
        let response = post_signed(&inbox, &foreign, &bea_key_id, &bea_key, now, |_, _| {}).await;
        assert_eq!(
            error_code(response).await,
            (403, "activity_id_foreign".into())
        );
        // A post attributed to someone else than the signer.
        let mut borrowed = create(1);
        borrowed["object"]["attributedTo"] = json!(carl.ap_id);
        let response = post_signed(&inbox, &borrowed, &bea_key_id, &bea_key, now, |_, _| {}).await;
        assert_eq!(error_code(response).await, (403, "author_mismatch".into()));
        // Too large.
        let mut huge = create(1);
        huge["object"]["content"] = json!("x".repeat(300 * 1024));
        let response = post_signed(&inbox, &huge, &bea_key_id, &bea_key, now, |_, _| {}).await;
        assert_eq!(
            error_code(response).await,
            (413, "payload_too_large".into())
        );
        assert_eq!(threads().await, 0, "no forged request stored anything");

        // The genuine activity is accepted once; a replay is answered 202
        // and applied no second time.
        for _ in 0..2 {
            let response =
                post_signed(&inbox, &create(1), &bea_key_id, &bea_key, now, |_, _| {}).await;
            assert_eq!(response.status, 202, "{}", response.text);
        }
        assert_eq!(threads().await, 1);

        // A Mastodon-style post that only mentions the forum starts a
        // thread, titled with its first words.
        let mention = json!({
            "@context": "https://www.w3.org/ns/activitystreams",
            "id": format!("{}/activities/mention-1", other.base_url),
            "type": "Create",
            "actor": bea.ap_id,
            "to": ["https://www.w3.org/ns/activitystreams#Public"],
            "cc": [forum],
            "object": {
                "id": format!("{}/statuses/1", other.base_url),
                "type": "Note",
                "attributedTo": bea.ap_id,
                "content": "<p><span class=\"h-card\"><a href=\"#\">@maths</a></span> Quelqu'un a une progression pour la géométrie en troisième ?</p>",
                "to": ["https://www.w3.org/ns/activitystreams#Public"],
                "cc": [forum],
                "tag": [{"type": "Mention", "href": forum, "name": "@maths"}],
            },
        });
        let response = post_signed(&inbox, &mention, &bea_key_id, &bea_key, now, |_, _| {}).await;
        assert_eq!(response.status, 202);
        assert_eq!(threads().await, 2);
        let forum_view: Value = Client::stranger()
            .get(&academy.url("/api/v1/forums/maths"))
            .await
            .json;
        assert!(
            forum_view["threads"]
                .as_array()
                .unwrap()
                .iter()
                .any(|t| t["title"]
                    .as_str()
                    .unwrap()
                    .starts_with("@maths Quelqu'un a une progression")),
            "{forum_view}"
        );
        // It came without a `context`: the forum's instance serves one
        // for it, listing the post, and never points at a made-up URL on
        // the author's server.
        let mention_thread = forum_view["threads"]
            .as_array()
            .unwrap()
            .iter()
            .find(|t| t["ap_id"] == format!("{}/statuses/1", other.base_url))
            .unwrap_or_else(|| panic!("mention thread in {forum_view}"))
            .clone();
        let context_url = academy.url(&format!("/contexts/{}", mention_thread["id"]));
        let context: Value = Client::stranger()
            .send(
                Client::stranger()
                    .build(reqwest::Method::GET, &context_url)
                    .header("accept", "application/activity+json"),
            )
            .await
            .json;
        assert_eq!(context["id"], context_url, "{context}");
        assert!(
            context
                .to_string()
                .contains(&format!("{}/statuses/1", other.base_url)),
            "{context}"
        );
        let missing = Client::stranger()
            .get(&academy.url("/contexts/999999"))
            .await;
        assert_eq!(missing.status, 404);
        let forum_view: Value = Client::stranger()
            .get(&academy.url("/api/v1/forums/maths"))
            .await
            .json;
        let html = forum_view["threads"][0]["content_html"]
            .as_str()
            .unwrap()
            .to_string();
        for payload in ["<script", "javascript:", "onclick", "style="] {
            assert!(!html.contains(payload), "{payload} survived in {html}");
        }
        let thread_id = forum_view["threads"][0]["id"].as_i64().unwrap();
        // Long threads are paginated, 50 replies a page.
        let domain = &academy.running.state.domain;
        let anne_account = domain
            .store()
            .account_by_username("anne")
            .await
            .unwrap()
            .unwrap();
        let thread_row = domain
            .store()
            .post(preau::domain::store::posts::PostId(thread_id))
            .await
            .unwrap()
            .unwrap();
        for n in 0..55 {
            domain
                .post_reply(&anne_account, &thread_row, &format!("Réponse {n}"))
                .await
                .unwrap();
        }
        let second: Value = Client::stranger()
            .get(&academy.url(&format!("/api/v1/threads/{thread_id}?page=2")))
            .await
            .json;
        assert_eq!(second["total_replies"], 55);
        assert_eq!(second["replies"].as_array().unwrap().len(), 5);
        assert_eq!(second["replies"][4]["content_html"], "<p>Réponse 54</p>\n");
        let last_reply = second["replies"][4]["id"].as_i64().unwrap();
        let response = Client::stranger()
            .get(&academy.url(&format!("/threads/{last_reply}")))
            .await;
        assert_eq!(
            response.location.unwrap(),
            format!("/threads/{thread_id}?page=2#post-{last_reply}")
        );
        // A moderator sees the tools; a reader does not.
        let moderator = Client::anonymous(&academy).log_in_pages("anne").await;
        let tools = moderator
            .get(&academy.url(&format!("/threads/{thread_id}")))
            .await
            .text;
        assert!(
            tools.contains(&format!("/threads/{thread_id}/moderate")),
            "{tools}"
        );
        assert!(tools.contains("/remove\""));
        // The page forms work: pin the thread, then edit one's own reply.
        let token = csrf_token(&tools);
        let response = moderator
            .post_form(
                &academy.url(&format!("/threads/{thread_id}/moderate")),
                &[("csrf_token", token.as_str()), ("action", "pin")],
            )
            .await;
        assert_eq!(response.status, 303);
        let own_reply = second["replies"][0]["id"].as_i64().unwrap();
        let response = moderator
            .post_form(
                &academy.url(&format!("/post/{own_reply}/edit")),
                &[
                    ("csrf_token", token.as_str()),
                    ("body", "Réponse **corrigée**"),
                ],
            )
            .await;
        assert_eq!(response.status, 303);
        let view: Value = Client::stranger()
            .get(&academy.url(&format!("/api/v1/threads/{thread_id}?page=2")))
            .await
            .json;
        assert_eq!(view["thread"]["pinned"], true);
        assert_eq!(
            view["replies"][0]["content_html"],
            "<p>Réponse <strong>corrigée</strong></p>\n"
        );
        let response = moderator
            .post_form(
                &academy.url(&format!("/post/{own_reply}/like")),
                &[("csrf_token", token.as_str()), ("helpful", "1")],
            )
            .await;
        assert_eq!(response.status, 409, "no helpful mark on one's own post");
        let page = Client::stranger()
            .get(&academy.url(&format!("/threads/{thread_id}")))
            .await
            .text;
        assert!(!page.contains("<script>alert"));

        academy.stop().await;
        other.stop().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_late_follower_backfills_what_it_missed() {
    for engine in engines() {
        let (academy, late) = start_pair(engine).await;
        let anne = Client::teacher(&academy, "anne", true).await;
        let response = anne
            .post(
                &academy.url("/api/v1/forums"),
                json!({"name": "svt", "title": "SVT"}),
            )
            .await;
        assert_eq!(response.status, 201);
        // A thread with two replies, before anyone follows.
        let thread: Value = anne
            .post(
                &academy.url("/api/v1/forums/svt/threads"),
                json!({"title": "Sortie au marais", "body": "Qui a de l'expérience ?"}),
            )
            .await
            .json;
        let thread_id = thread["id"].as_i64().unwrap();
        let mut replies = Vec::new();
        for body in ["Premier retour", "Deuxième retour"] {
            let reply: Value = anne
                .post(
                    &academy.url(&format!("/api/v1/threads/{thread_id}/replies")),
                    json!({"body": body}),
                )
                .await
                .json;
            replies.push(reply["id"].as_i64().unwrap());
        }
        // Bea follows late.
        let bea = Client::teacher(&late, "bea", false).await;
        let response = bea
            .post(
                &late.url("/api/v1/forums/follow"),
                json!({"handle": format!("svt@{}", academy.domain)}),
            )
            .await;
        assert_eq!(response.status, 202);
        let store = &late.running.state.domain.store();
        after_delivery(
            &[&academy, &late],
            "the late follow is accepted",
            || async {
                let Some(forum) = store
                    .forum_by_ap_id(&academy.url("/forums/svt"))
                    .await
                    .unwrap()
                else {
                    return false;
                };
                let accounts = store.list_accounts(None).await.unwrap();
                store
                    .follow(accounts[0].actor_id, forum.actor.id)
                    .await
                    .unwrap()
                    .is_some_and(|f| f.state == preau::domain::store::forums::FollowState::Accepted)
            },
        )
        .await;
        // The accepted follow brings the forum's recent threads.
        let listed = || async {
            let forum: Value = Client::stranger()
                .get(&late.url(&format!("/api/v1/forums/svt@{}", academy.domain)))
                .await
                .json;
            forum["total_threads"].as_i64() == Some(1)
        };
        wait_for("the forum's thread is fetched from its outbox", listed).await;
        // A reply to the second reply arrives: its ancestors are fetched.
        let response = anne
            .post(
                &academy.url(&format!("/api/v1/threads/{thread_id}/replies")),
                json!({"body": "Réponse au deuxième", "in_reply_to": replies[1]}),
            )
            .await;
        assert_eq!(response.status, 201);
        let remote_path = format!("svt@{}", academy.domain);
        let late_thread = || async {
            let forum: Value = Client::stranger()
                .get(&late.url(&format!("/api/v1/forums/{remote_path}")))
                .await
                .json;
            forum["threads"][0]["id"].as_i64()
        };
        wait_for("the thread and its ancestors arrive", || async {
            late_thread().await.is_some()
        })
        .await;
        let id = late_thread().await.unwrap();
        let count = |id: i64| {
            let url = late.url(&format!("/api/v1/threads/{id}"));
            async move {
                let view: Value = Client::stranger().get(&url).await.json;
                view["total_replies"].as_i64().unwrap_or(0)
            }
        };
        // The thread itself may have come from the outbox already: wait
        // for the relayed reply, which brings its parent chain with it.
        wait_for("the parent chain is fetched", || async {
            count(id).await >= 2
        })
        .await;
        // Opening the thread fetches the reply nobody relayed.
        wait_for("the first reply is backfilled", || async {
            count(id).await == 3
        })
        .await;
        let view: Value = Client::stranger()
            .get(&late.url(&format!("/api/v1/threads/{id}")))
            .await
            .json;
        let bodies: Vec<&str> = view["replies"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["content_html"].as_str().unwrap())
            .collect();
        assert_eq!(
            bodies,
            [
                "<p>Premier retour</p>\n",
                "<p>Deuxième retour</p>\n",
                "<p>Réponse au deuxième</p>\n"
            ]
        );
        academy.stop().await;
        late.stop().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_forum_cannot_speak_for_another_forum() {
    let engine = Engine::Sqlite;
    let (academy, reader) = start_pair(engine).await;
    let anne = Client::teacher(&academy, "anne", true).await;
    for name in ["maths", "svt"] {
        let response = anne
            .post(
                &academy.url("/api/v1/forums"),
                json!({"name": name, "title": name}),
            )
            .await;
        assert_eq!(response.status, 201);
    }
    let bea = Client::teacher(&reader, "bea", false).await;
    for name in ["maths", "svt"] {
        let response = bea
            .post(
                &reader.url("/api/v1/forums/follow"),
                json!({"handle": format!("{name}@{}", academy.domain)}),
            )
            .await;
        assert_eq!(response.status, 202);
    }
    let store = &reader.running.state.domain.store();
    for name in ["maths", "svt"] {
        after_delivery(&[&academy, &reader], "the follows are accepted", || async {
            let Some(forum) = store
                .forum_by_ap_id(&academy.url(&format!("/forums/{name}")))
                .await
                .unwrap()
            else {
                return false;
            };
            let accounts = store.list_accounts(None).await.unwrap();
            store
                .follow(accounts[0].actor_id, forum.actor.id)
                .await
                .unwrap()
                .is_some_and(|f| f.state == preau::domain::store::forums::FollowState::Accepted)
        })
        .await;
    }
    let thread: Value = anne
        .post(
            &academy.url("/api/v1/forums/svt/threads"),
            json!({"title": "Fil SVT", "body": "Contenu"}),
        )
        .await
        .json;
    let thread_ap_id = thread["ap_id"].as_str().unwrap().to_string();
    after_delivery(
        &[&academy, &reader],
        "the svt thread reaches the reader",
        || async { store.post_by_ap_id(&thread_ap_id).await.unwrap().is_some() },
    )
    .await;

    // The maths forum (its real key) relays a moderator's Delete of a post
    // of the svt forum: refused, and the post stays.
    let maths = academy.forum_here("maths").await;
    let anne_actor = academy
        .running
        .state
        .domain
        .store()
        .local_actor_by_name("anne")
        .await
        .unwrap()
        .unwrap();
    let announce = json!({
        "@context": "https://www.w3.org/ns/activitystreams",
        "id": academy.url("/activities/forged-announce"),
        "type": "Announce",
        "actor": maths.actor.ap_id,
        "to": ["https://www.w3.org/ns/activitystreams#Public"],
        "object": {
            "id": academy.url("/activities/forged-delete"),
            "type": "Delete",
            "actor": anne_actor.ap_id,
            "object": thread_ap_id,
            "summary": "forged",
        },
    });
    let response = post_signed(
        &reader.url("/inbox"),
        &announce,
        &format!("{}#main-key", maths.actor.ap_id),
        maths.actor.private_key_pem.as_deref().unwrap(),
        std::time::SystemTime::now(),
        |_, _| {},
    )
    .await;
    assert_eq!(error_code(response).await, (403, "wrong_forum".into()));
    let post = store.post_by_ap_id(&thread_ap_id).await.unwrap().unwrap();
    assert!(post.is_visible());

    // An Accept that names the Follow only by its id is understood too.
    let remote_maths = store
        .forum_by_ap_id(&maths.actor.ap_id)
        .await
        .unwrap()
        .unwrap();
    let bea_actor = store.local_actor_by_name("bea").await.unwrap().unwrap();
    let follow = store
        .follow(bea_actor.id, remote_maths.actor.id)
        .await
        .unwrap()
        .unwrap();
    let mut tx = store.begin().await.unwrap();
    preau::domain::store::forums::upsert_follow(
        &mut tx,
        bea_actor.id,
        remote_maths.actor.id,
        preau::domain::store::forums::FollowState::Pending,
        &follow.activity_id,
    )
    .await
    .unwrap();
    preau::domain::store::commit(tx).await.unwrap();
    let accept = json!({
        "@context": "https://www.w3.org/ns/activitystreams",
        "id": academy.url("/activities/accept-by-id"),
        "type": "Accept",
        "actor": maths.actor.ap_id,
        "object": follow.activity_id,
    });
    let response = post_signed(
        &reader.url("/inbox"),
        &accept,
        &format!("{}#main-key", maths.actor.ap_id),
        maths.actor.private_key_pem.as_deref().unwrap(),
        std::time::SystemTime::now(),
        |_, _| {},
    )
    .await;
    assert_eq!(response.status, 202);
    let follow = store
        .follow(bea_actor.id, remote_maths.actor.id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        follow.state,
        preau::domain::store::forums::FollowState::Accepted
    );
    academy.stop().await;
    reader.stop().await;
}

/// Anne (an administrator), Bea, the forum `maths` Anne opens and her
/// thread there.
async fn maths_thread<'a>(
    instance: &'a TestInstance,
    title: &str,
    body: &str,
) -> (Client<'a>, Client<'a>, i64) {
    let anne = Client::teacher(instance, "anne", true).await;
    let bea = Client::teacher(instance, "bea", false).await;
    anne.create_forum("maths", "Mathématiques").await;
    let thread = anne.post_thread("maths", title, body).await;
    let id = thread["id"].as_i64().unwrap();
    (anne, bea, id)
}

/// Thread pages are served from memory to visitors not logged in (the
/// page's data, and its rendered replies): every change to what the page
/// shows is seen by the next read all the same, in HTML and in the API.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_visitor_sees_each_change_to_a_thread_page_at_once() {
    for engine in engines() {
        let (settings, dir) = settings(engine, None);
        let instance = start(engine, settings, dir).await;
        let (anne, bea, id) = maths_thread(&instance, "Les fractions", "Par où commencer ?").await;
        let (html, api) = (format!("/threads/{id}"), format!("/api/v1/threads/{id}"));
        let reader = Client::anonymous(&instance);
        let shown = |text: &'static str| {
            let (reader, html, api) = (&reader, html.clone(), api.clone());
            async move {
                let page = reader.page(&html).await;
                let json = reader.get_json(&api).await.to_string();
                (page.contains(text), json.contains(text))
            }
        };
        for _ in 0..2 {
            assert!(reader.page(&html).await.contains("Aucune réponse"));
        }
        let first = bea.reply(id, "Des bandes de papier pliées").await["id"]
            .as_i64()
            .unwrap();
        for _ in 0..3 {
            assert_eq!(shown("bandes de papier pliées").await, (true, true));
        }
        assert!(!reader.page(&html).await.contains("Aucune réponse"));
        let second = bea.reply(id, "La droite graduée ensuite").await["id"]
            .as_i64()
            .unwrap();
        assert_eq!(shown("La droite graduée ensuite").await, (true, true));
        assert_eq!(shown("bandes de papier pliées").await, (true, true));

        let response = bea
            .send(
                bea.build(reqwest::Method::PUT, &format!("/api/v1/posts/{first}"))
                    .json(&json!({"body": "Des bandes de papier, puis des gâteaux"})),
            )
            .await;
        assert_eq!(response.status, 200, "{}", response.text);
        assert_eq!(shown("puis des gâteaux").await, (true, true));
        assert_eq!(
            shown("pliées").await,
            (false, false),
            "the edit replaced it"
        );

        let response = anne
            .post(
                &format!("/api/v1/posts/{second}/remove"),
                json!({"reason": "Hors sujet"}),
            )
            .await;
        assert_eq!(response.status, 200, "{}", response.text);
        assert_eq!(shown("La droite graduée").await, (false, false));
        assert!(reader
            .page(&html)
            .await
            .contains("Message retiré par la modération."));

        let response = bea
            .send(bea.build(reqwest::Method::DELETE, &format!("/api/v1/posts/{first}")))
            .await;
        assert_eq!(response.status, 204, "{}", response.text);
        assert_eq!(shown("gâteaux").await, (false, false));
        assert!(reader
            .page(&html)
            .await
            .contains("Message supprimé par son auteur."));
        instance.stop().await;
    }
}

/// The text of a page without Fluent's isolation marks around values.
fn plain(page: &str) -> String {
    page.replace(['\u{2068}', '\u{2069}'], "")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reply_on_a_later_page_keeps_the_first_page_and_updates_its_counts() {
    for engine in engines() {
        let (settings, dir) = settings(engine, None);
        let instance = start(engine, settings, dir).await;
        let (_anne, bea, id) = maths_thread(&instance, "Le calcul mental", "Vos rituels ?").await;
        let mut replies = Vec::new();
        for n in 0..50 {
            replies.push(
                bea.reply(id, &format!("Rituel numéro {n} du matin")).await["id"]
                    .as_i64()
                    .unwrap(),
            );
        }
        let (html, api) = (format!("/threads/{id}"), format!("/api/v1/threads/{id}"));
        let reader = Client::anonymous(&instance);
        // The pages are cached at the version read here; one write later
        // (the reply below) they are patched, unless another test of this
        // process wrote meanwhile (one version for the process).
        let before = preau::domain::store::content_version();
        let page = plain(&reader.page(&html).await);
        assert!(page.contains("50 réponses"), "{engine:?}");
        assert!(page.contains("Rituel numéro 0 du matin"));
        assert_eq!(reader.get_json(&api).await["total_replies"], 50);

        // Read again, page 1 would show this; kept, it does not.
        let store = instance.running.state.domain.store();
        let first = preau::domain::store::posts::PostId(replies[0]);
        store
            .overwrite_content_unrecorded(first, "<p>Relu dans la base</p>")
            .await
            .unwrap();
        let later = bea.reply(id, "Sur la deuxième page").await["id"]
            .as_i64()
            .unwrap();
        let page = plain(&reader.page(&html).await);
        let json = reader.get_json(&api).await;
        let untouched = preau::domain::store::content_version() == before + 1;
        assert!(page.contains("51 réponses"), "{engine:?}: counts updated");
        assert!(page.contains("Page 1 sur 2"), "{engine:?}: pages updated");
        assert_eq!(json["total_replies"], 51);
        assert_eq!(json["thread"]["reply_count"], 51, "{json}");
        assert_eq!(json["replies"].as_array().unwrap().len(), 50);
        assert!(!page.contains("Sur la deuxième page"));
        // Other tests of this process may write meanwhile (one version for
        // the process): then page 1 is read again, rightly.
        if untouched {
            assert!(
                page.contains("Rituel numéro 0 du matin") && !page.contains("Relu dans la base"),
                "{engine:?}: page 1's rows were kept"
            );
            assert!(!json.to_string().contains("Relu dans la base"));
        } else {
            eprintln!("notice: another test wrote meanwhile; page 1's kept rows not checked");
        }
        let second_page = reader.page(&format!("{html}?page=2")).await;
        assert!(second_page.contains("Sur la deuxième page"));
        assert_eq!(
            reader.get_json(&format!("{api}?page=2")).await["replies"][0]["id"],
            later
        );

        // An edit on page 1 shows at once (and page 1 is read again).
        let response = bea
            .send(
                bea.build(
                    reqwest::Method::PUT,
                    &format!("/api/v1/posts/{}", replies[1]),
                )
                .json(&json!({"body": "Rituel corrigé"})),
            )
            .await;
        assert_eq!(response.status, 200, "{}", response.text);
        let page = reader.page(&html).await;
        assert!(page.contains("Rituel corrigé"), "{engine:?}");
        assert!(page.contains("Relu dans la base"), "{engine:?}: read again");
        assert!(reader
            .get_json(&api)
            .await
            .to_string()
            .contains("Rituel corrigé"));
        instance.stop().await;
    }
}
