//! What Lemmy expects and sends, between two Préau instances: a forum's
//! outbox served as the group's `Announce`s, the instance actor at `/`,
//! the undo of a moderator's removal restoring the post, a ban (`Block`
//! with the forum as `target`) refusing the teacher's posts until its
//! `Undo`, and a post refused by its forum shown as refused to its author.

use super::forums::{fast_delivery, post_as_forum, teacher};
use super::support::*;
use serde_json::{json, Value};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn lemmy_shapes_outbox_restores_bans_and_refusals() {
    for engine in engines() {
        let (mut a, dir_a) = settings(engine, None);
        fast_delivery(&mut a);
        a.instance.trust_level = preau_federation::TrustLevel::Institutional;
        let academy = start(engine, a, dir_a).await;
        let (mut b, dir_b) = settings(engine, None);
        fast_delivery(&mut b);
        let reader = start(engine, b, dir_b).await;
        let client = api_client();
        let anne = teacher(&academy, "anne", true).await;
        for (name, level) in [("maths", "informal"), ("inst", "institutional")] {
            let response = client
                .post(academy.url("/api/v1/forums"))
                .bearer_auth(&anne)
                .json(&json!({"name": name, "title": name, "min_post_level": level}))
                .send()
                .await
                .unwrap();
            assert_eq!(response.status(), 201);
        }
        let bea = teacher(&reader, "bea", false).await;
        let store = &reader.running.state.domain.store;
        let bea_actor = store.local_actor_by_name("bea").await.unwrap().unwrap();
        for name in ["maths", "inst"] {
            let response = client
                .post(reader.url("/api/v1/forums/follow"))
                .bearer_auth(&bea)
                .json(&json!({"handle": format!("{name}@{}", academy.domain)}))
                .send()
                .await
                .unwrap();
            assert_eq!(response.status(), 202);
            let forum_id = academy.url(&format!("/forums/{name}"));
            after_delivery(&[&academy, &reader], "the follow is accepted", || async {
                let Some(forum) = store.forum_by_ap_id(&forum_id).await.unwrap() else {
                    return false;
                };
                store
                    .follow(bea_actor.id, forum.actor.id)
                    .await
                    .unwrap()
                    .is_some_and(|f| f.state == preau::store::forums::FollowState::Accepted)
            })
            .await;
        }

        // A thread on the academy: its outbox serves it as the forum's
        // Announce of the Create (what Lemmy reads).
        let cleo = teacher(&academy, "cleo", false).await;
        let thread: Value = client
            .post(academy.url("/api/v1/forums/maths/threads"))
            .bearer_auth(&cleo)
            .json(&json!({"title": "Géométrie", "body": "Une question"}))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let thread_ap_id = thread["ap_id"].as_str().unwrap().to_string();
        let outbox: Value = client
            .get(academy.url("/forums/maths/outbox"))
            .header("Accept", "application/activity+json")
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let item = &outbox["orderedItems"][0];
        assert_eq!(item["type"], "Announce", "{outbox}");
        assert_eq!(item["actor"], academy.url("/forums/maths"));
        assert_eq!(item["object"]["type"], "Create");
        assert_eq!(item["object"]["object"]["id"], thread_ap_id.as_str());
        let parsed: preau_federation::activities::Activity =
            serde_json::from_value(item.clone()).unwrap();
        assert_eq!(
            parsed.inner_activity().unwrap().kind,
            preau_federation::activities::ActivityKind::Create
        );

        // The server's root, asked for ActivityPub, is the instance actor.
        let root: Value = client
            .get(academy.url("/"))
            .header("Accept", "application/activity+json")
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(root["type"], "Application", "{root}");
        assert_eq!(root["id"], academy.url("/actor"));

        // Removed by a moderator, then the removal undone: restored on the
        // reader (Lemmy's "restore").
        after_delivery(
            &[&academy, &reader],
            "the thread reaches the reader",
            || async { store.post_by_ap_id(&thread_ap_id).await.unwrap().is_some() },
        )
        .await;
        let forum = academy
            .running
            .state
            .domain
            .store
            .local_forum("maths")
            .await
            .unwrap()
            .unwrap();
        let anne_id = academy.url("/users/anne");
        let send = |n: &str, inner: Value| {
            let body = json!({
                "@context": "https://www.w3.org/ns/activitystreams",
                "id": academy.url(&format!("/activities/announce-{n}")),
                "type": "Announce",
                "actor": forum.actor.ap_id,
                "to": ["https://www.w3.org/ns/activitystreams#Public"],
                "cc": [format!("{}/followers", forum.actor.ap_id)],
                "object": inner,
            });
            let inbox = reader.url("/inbox");
            let forum = &forum;
            async move { post_as_forum(&inbox, forum, &body).await }
        };
        let removal = json!({
            "id": academy.url("/activities/remove-1"),
            "type": "Delete",
            "actor": anne_id,
            "to": ["https://www.w3.org/ns/activitystreams#Public"],
            "cc": [forum.actor.ap_id],
            "audience": forum.actor.ap_id,
            "object": thread_ap_id,
            "summary": "Hors sujet",
        });
        let response = send("remove", removal.clone()).await;
        assert_eq!(response.status(), 202, "{engine:?}");
        let post = store.post_by_ap_id(&thread_ap_id).await.unwrap().unwrap();
        assert!(post.removed_at.is_some(), "{engine:?}");
        let restore = json!({
            "id": academy.url("/activities/undo-remove-1"),
            "type": "Undo",
            "actor": anne_id,
            "to": ["https://www.w3.org/ns/activitystreams#Public"],
            "cc": [forum.actor.ap_id],
            "audience": forum.actor.ap_id,
            "object": removal,
        });
        let response = send("restore", restore).await;
        assert_eq!(response.status(), 202, "{engine:?}");
        let post = store.post_by_ap_id(&thread_ap_id).await.unwrap().unwrap();
        assert!(post.is_visible(), "{engine:?}: the removal was not undone");

        // A ban of Bea by the forum, with a reason and an end: her posts
        // are refused at once, and the forum page tells her why.
        let bea_id = reader.url("/users/bea");
        let block = json!({
            "id": academy.url("/activities/block-1"),
            "type": "Block",
            "actor": anne_id,
            "to": ["https://www.w3.org/ns/activitystreams#Public"],
            "cc": [forum.actor.ap_id],
            "object": bea_id,
            "target": forum.actor.ap_id,
            "summary": "Messages publicitaires",
            "endTime": "2099-01-01T00:00:00Z",
            "removeData": false,
        });
        let response = send("block", block.clone()).await;
        assert_eq!(response.status(), 202, "{engine:?}");
        let remote_path = format!("maths@{}", academy.domain);
        let response = client
            .post(reader.url(&format!("/api/v1/forums/{remote_path}/threads")))
            .bearer_auth(&bea)
            .json(&json!({"title": "Encore", "body": "Publicité"}))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 403, "{engine:?}");
        let body: Value = response.json().await.unwrap();
        assert_eq!(body["error"]["code"], "banned_from_forum");
        let browser = browser();
        let token = page_token(&browser, &reader.url("/login")).await;
        let response = browser
            .post(reader.url("/login"))
            .form(&[
                ("csrf_token", token.as_str()),
                ("login", "bea"),
                ("password", super::forums::PASSWORD),
            ])
            .send()
            .await
            .unwrap();
        assert!(response.status().is_redirection(), "{engine:?}");
        let html = browser
            .get(reader.url(&format!("/forums/{remote_path}")))
            .header("Accept-Language", "fr")
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(html.contains("Messages publicitaires"), "{html}");
        assert!(html.contains("2099-01-01"), "{html}");
        // Lifted by its Undo: she may post again.
        let response = send(
            "unblock",
            json!({
                "id": academy.url("/activities/undo-block-1"),
                "type": "Undo",
                "actor": anne_id,
                "to": ["https://www.w3.org/ns/activitystreams#Public"],
                "cc": [forum.actor.ap_id],
                "object": block,
            }),
        )
        .await;
        assert_eq!(response.status(), 202, "{engine:?}");
        let response = client
            .post(reader.url(&format!("/api/v1/forums/{remote_path}/threads")))
            .bearer_auth(&bea)
            .json(&json!({"title": "Pardon", "body": "Une vraie question"}))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 201, "{engine:?}");

        // The institutional-only forum refuses Bea's thread (her instance
        // is informal): her copy is marked refused with the forum's reason.
        let response = client
            .post(reader.url(&format!("/api/v1/forums/inst@{}/threads", academy.domain)))
            .bearer_auth(&bea)
            .json(&json!({"title": "Refusé ?", "body": "Je tente"}))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 201, "{engine:?}");
        let refused: Value = response.json().await.unwrap();
        let refused_ap_id = refused["ap_id"].as_str().unwrap().to_string();
        after_delivery(&[&academy, &reader], "the refusal is recorded", || async {
            store
                .post_by_ap_id(&refused_ap_id)
                .await
                .unwrap()
                .is_some_and(|p| p.refused_at.is_some())
        })
        .await;
        let post = store.post_by_ap_id(&refused_ap_id).await.unwrap().unwrap();
        assert!(!post.refused_reason.unwrap_or_default().is_empty());
        let html = browser
            .get(reader.url(&format!("/threads/{}", post.id.0)))
            .header("Accept-Language", "fr")
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(html.contains("Refusé par le forum"), "{html}");

        academy.stop().await;
        reader.stop().await;
    }
}
