//! Notifications of replies (issue 12, first kind): a teacher learns of a
//! reply to their thread or post, written on their instance or received
//! from another, once, and only they see it; they mark it read.

use super::forums::fast_delivery;
use super::support::{client::Client, *};
use serde_json::{json, Value};

/// The caller's first page of notifications.
async fn notes(client: &Client<'_>) -> Value {
    client.get_json("/api/v1/notifications").await
}

async fn unread(client: &Client<'_>) -> i64 {
    notes(client).await["unread"].as_i64().unwrap()
}

/// The local id, on the instance `client` uses, of the reply of `thread`
/// written by `handle`.
async fn reply_by(client: &Client<'_>, thread: i64, handle: &str) -> Option<i64> {
    let page = client.get_json(&format!("/api/v1/threads/{thread}")).await;
    page["replies"]
        .as_array()?
        .iter()
        .filter(|reply| reply["author"]["handle"] == handle)
        .find_map(|reply| reply["id"].as_i64())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn replies_notify_the_local_authors_answered_once() {
    for engine in engines() {
        let (mut settings_a, dir_a) = settings(engine, None);
        fast_delivery(&mut settings_a);
        let a = start(engine, settings_a, dir_a).await;
        let (mut settings_b, dir_b) = settings(engine, None);
        fast_delivery(&mut settings_b);
        let b = start(engine, settings_b, dir_b).await;
        let admin = Client::teacher(&a, "ada", true).await;
        admin.create_forum("maths", "Mathématiques").await;
        let anne = Client::teacher(&a, "anne", false).await;
        let carl = Client::teacher(&a, "carl", false).await;
        let bob = Client::teacher(&b, "bob", false).await;
        let bob_handle = format!("bob@{}", b.domain);
        let remote_forum = format!("maths@{}", a.domain);

        // Bob, on B, follows the forum of A; Anne opens a thread there.
        bob.follow_forum(&format!("!{remote_forum}")).await;
        deliver_all(&[&a, &b]).await;
        let thread = anne
            .post_thread("maths", "Fractions en CM1", "Comment les introduire ?")
            .await;
        let thread_id = thread["id"].as_i64().unwrap();
        assert_eq!(
            unread(&anne).await,
            0,
            "no notification for one's own thread"
        );
        let mut thread_on_b = None;
        after_delivery(&[&a, &b], "B holds Anne's thread", || async {
            let forum = bob
                .get_json(&format!("/api/v1/forums/{remote_forum}"))
                .await;
            thread_on_b = forum["threads"][0]["id"].as_i64();
            thread_on_b.is_some()
        })
        .await;

        // Bob replies from B: Anne, on A, has exactly one unread
        // notification, linking to that reply.
        bob.reply(thread_on_b.unwrap(), "Avec des bandes de papier pliées.")
            .await;
        assert_eq!(unread(&bob).await, 0, "no notification for one's own reply");
        after_delivery(&[&a, &b], "Anne is notified of Bob's reply", || async {
            unread(&anne).await == 1
        })
        .await;
        let bob_reply = reply_by(&anne, thread_id, &bob_handle).await.unwrap();
        let list = notes(&anne).await;
        let items = list["items"].as_array().unwrap();
        assert_eq!(items.len(), 1, "{list}");
        let note = &items[0];
        assert_eq!(note["kind"], "reply");
        assert_eq!(note["thread_id"], thread_id);
        assert_eq!(note["post_id"], bob_reply);
        assert_eq!(note["thread_title"], "Fractions en CM1");
        assert_eq!(note["actor"]["handle"], bob_handle);
        assert_eq!(note["actor"]["local"], false);
        assert_eq!(note["forum"]["handle"], remote_forum);
        assert_eq!(note["forum"]["title"], "Mathématiques");
        assert_eq!(note["excerpt"], "Avec des bandes de papier pliées.");
        assert!(note["read_at"].is_null(), "{note}");
        // Delivery running again changes nothing.
        deliver_all(&[&a, &b]).await;
        assert_eq!(unread(&anne).await, 1);

        // Carl, on A, answers Bob's reply: the thread's author (Anne) is
        // notified here; Bob, remote here, only on his own instance.
        carl.post(
            &format!("/api/v1/threads/{thread_id}/replies"),
            json!({"body": "Et avec un **tableau**.", "in_reply_to": bob_reply}),
        )
        .await
        .expect(201);
        assert_eq!(unread(&anne).await, 2);
        assert_eq!(unread(&carl).await, 0);
        after_delivery(
            &[&a, &b],
            "Bob is notified on B of Carl's answer",
            || async {
                let list = notes(&bob).await;
                list["unread"] == 1
                    && list["items"][0]["actor"]["handle"] == format!("carl@{}", a.domain)
            },
        )
        .await;

        // Anne answers Carl: Carl is notified, Anne (her own thread) is not;
        // Anne replying to her own thread notifies nobody.
        let carl_reply = reply_by(&anne, thread_id, &format!("carl@{}", a.domain))
            .await
            .unwrap();
        let anne_reply = anne
            .post(
                &format!("/api/v1/threads/{thread_id}/replies"),
                json!({"body": "Merci !", "in_reply_to": carl_reply}),
            )
            .await
            .expect(201);
        anne.reply(thread_id, "Je résume : bandes, tableaux.").await;
        deliver_all(&[&a, &b]).await;
        assert_eq!(unread(&anne).await, 2);
        assert_eq!(unread(&carl).await, 1);
        assert_eq!(unread(&bob).await, 1);

        // Each teacher sees only their own; marking another's changes nothing.
        let anne_list = notes(&anne).await;
        let anne_ids: Vec<i64> = anne_list["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|item| item["id"].as_i64().unwrap())
            .collect();
        assert_eq!(anne_ids.len(), 2, "{anne_list}");
        let carl_list = notes(&carl).await;
        assert_eq!(
            carl_list["items"].as_array().unwrap().len(),
            1,
            "{carl_list}"
        );
        assert_eq!(carl_list["items"][0]["post_id"], anne_reply["id"]);
        assert!(!anne_ids.contains(&carl_list["items"][0]["id"].as_i64().unwrap()));
        let answer = carl
            .post("/api/v1/notifications/read", json!({"ids": anne_ids}))
            .await
            .expect(200);
        assert_eq!(answer["unread"], 1, "Carl's own count");
        assert_eq!(unread(&anne).await, 2);

        // Newest first; mark one read, then all.
        assert_eq!(
            anne_list["items"][0]["actor"]["handle"],
            format!("carl@{}", a.domain)
        );
        let answer = anne
            .post("/api/v1/notifications/read", json!({"ids": [anne_ids[0]]}))
            .await
            .expect(200);
        assert_eq!(answer["unread"], 1);
        let anne_list = notes(&anne).await;
        assert!(anne_list["items"][0]["read_at"].is_string(), "{anne_list}");
        assert!(anne_list["items"][1]["read_at"].is_null(), "{anne_list}");
        let answer = anne
            .post("/api/v1/notifications/read", json!({"all": true}))
            .await
            .expect(200);
        assert_eq!(answer["unread"], 0);
        assert_eq!(notes(&anne).await["items"].as_array().unwrap().len(), 2);

        // A deleted reply is no longer notified.
        anne.call(
            reqwest::Method::DELETE,
            &format!("/api/v1/posts/{}", anne_reply["id"]),
            None,
        )
        .await
        .expect(204);
        let carl_list = notes(&carl).await;
        assert_eq!(carl_list["unread"], 0, "{carl_list}");
        assert!(carl_list["items"].as_array().unwrap().is_empty());

        // Refusals.
        carl.post("/api/v1/notifications/read", json!({}))
            .await
            .expect_error(422, "field_required");
        carl.get("/api/v1/notifications?page=0")
            .await
            .expect_error(422, "invalid_page");
        Client::anonymous(&a)
            .get("/api/v1/notifications")
            .await
            .expect_error(401, "unauthorized");

        a.stop().await;
        b.stop().await;
    }
}
