//! What Lemmy expects and sends, between two Préau instances: a forum's
//! outbox served as the group's `Announce`s, the instance actor at `/`,
//! the undo of a moderator's removal restoring the post, a ban (`Block`
//! with the forum as `target`) refusing the teacher's posts until its
//! `Undo`, and a post refused by its forum shown as refused to its author.

use super::forums::post_as_forum;
use super::support::{client::Client, *};
use serde_json::{json, Value};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn lemmy_shapes_outbox_restores_bans_and_refusals() {
    for engine in engines() {
        let academy = start_fast(engine, None, |settings| {
            settings.instance.trust_level = preau_federation::TrustLevel::Institutional;
        })
        .await;
        let reader = start_fast(engine, None, |_| {}).await;
        let client = Client::stranger();
        let anne = Client::teacher(&academy, "anne", true).await;
        for (name, level) in [("maths", "informal"), ("inst", "institutional")] {
            let response = anne
                .post(
                    &academy.url("/api/v1/forums"),
                    json!({"name": name, "title": name, "min_post_level": level}),
                )
                .await;
            assert_eq!(response.status, 201);
        }
        let bea = Client::teacher(&reader, "bea", false).await;
        let store = &reader.running.state.domain.store();
        let bea_actor = store.local_actor_by_name("bea").await.unwrap().unwrap();
        for name in ["maths", "inst"] {
            let response = bea
                .post(
                    &reader.url("/api/v1/forums/follow"),
                    json!({"handle": format!("{name}@{}", academy.domain)}),
                )
                .await;
            assert_eq!(response.status, 202);
            let forum_id = academy.url(&format!("/forums/{name}"));
            after_delivery(&[&academy, &reader], "the follow is accepted", || async {
                let Some(forum) = store.forum_by_ap_id(&forum_id).await.unwrap() else {
                    return false;
                };
                store
                    .follow(bea_actor.id, forum.actor.id)
                    .await
                    .unwrap()
                    .is_some_and(|f| f.state == preau::domain::store::forums::FollowState::Accepted)
            })
            .await;
        }

        // A thread on the academy: its outbox serves it as the forum's
        // Announce of the Create (what Lemmy reads).
        let cleo = Client::teacher(&academy, "cleo", false).await;
        let thread: Value = cleo
            .post(
                &academy.url("/api/v1/forums/maths/threads"),
                json!({"title": "Géométrie", "body": "Une question"}),
            )
            .await
            .json;
        let thread_ap_id = thread["ap_id"].as_str().unwrap().to_string();
        let outbox: Value = client
            .get_activity(&academy.url("/forums/maths/outbox"))
            .await
            .json;
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
        let root: Value = client.get_activity(&academy.url("/")).await.json;
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
        let forum = academy.forum_here("maths").await;
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
        assert_eq!(response.status, 202, "{engine:?}");
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
        assert_eq!(response.status, 202, "{engine:?}");
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
        assert_eq!(response.status, 202, "{engine:?}");
        let remote_path = format!("maths@{}", academy.domain);
        let response = bea
            .post(
                &reader.url(&format!("/api/v1/forums/{remote_path}/threads")),
                json!({"title": "Encore", "body": "Publicité"}),
            )
            .await;
        assert_eq!(response.status, 403, "{engine:?}");
        response.expect_error(403, "banned_from_forum");
        // Bea's session in the pages (the log-in form redirects).
        let browser = Client::anonymous(&reader)
            .speaking("fr")
            .log_in_pages("bea")
            .await;
        let html = browser
            .page(&reader.url(&format!("/forums/{remote_path}")))
            .await;
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
        assert_eq!(response.status, 202, "{engine:?}");
        let response = bea
            .post(
                &reader.url(&format!("/api/v1/forums/{remote_path}/threads")),
                json!({"title": "Pardon", "body": "Une vraie question"}),
            )
            .await;
        assert_eq!(response.status, 201, "{engine:?}");

        // The institutional-only forum refuses Bea's thread (her instance
        // is informal): her copy is marked refused with the forum's reason.
        let response = bea
            .post(
                &reader.url(&format!("/api/v1/forums/inst@{}/threads", academy.domain)),
                json!({"title": "Refusé ?", "body": "Je tente"}),
            )
            .await;
        assert_eq!(response.status, 201, "{engine:?}");
        let refused: Value = response.json;
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
        let reason = post.refused_reason.clone().unwrap_or_default();
        assert!(!reason.is_empty());
        // Bea is notified, with the forum's reason (issue 12).
        let list: Value = bea.get(&reader.url("/api/v1/notifications")).await.json;
        let note = list["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|item| item["kind"] == "post_refused")
            .cloned()
            .unwrap_or_else(|| panic!("no refusal notification: {list}"));
        assert_eq!(note["detail"], reason.as_str());
        assert_eq!(note["title"], "Refusé ?");
        assert!(note["actor"].is_null(), "{note}");
        assert_eq!(note["link"], format!("/threads/{}", post.id.0));
        let html = browser
            .page(&reader.url(&format!("/threads/{}", post.id.0)))
            .await;
        assert!(html.contains("Refusé par le forum"), "{html}");

        academy.stop().await;
        reader.stop().await;
    }
}
