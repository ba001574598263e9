//! Notifications (issue 12): a teacher learns of a reply to their thread
//! or post, written on their instance or received from another, once, and
//! only they see it; they mark it read. The other kinds (projects,
//! contacts, moderation) reach those concerned across instances, and
//! members-only news only members.

use super::forums::wait_for;
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
        let (a, b) = start_pair(engine).await;
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
        // B holds Anne's thread.
        let thread_on_b = remote_threads(&[&a, &b], &bob, &remote_forum, 1).await[0]["id"]
            .as_i64()
            .unwrap();

        // Bob replies from B: Anne, on A, has exactly one unread
        // notification, linking to that reply.
        bob.reply(thread_on_b, "Avec des bandes de papier pliées.")
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

/// The kinds of the caller's notifications, newest first.
async fn kinds(client: &Client<'_>) -> Vec<String> {
    notes(client).await["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|item| item["kind"].as_str().unwrap().to_string())
        .collect()
}

/// The caller's newest notification of `kind`.
async fn newest(client: &Client<'_>, kind: &str) -> Value {
    let list = notes(client).await;
    list["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|item| item["kind"] == kind)
        .cloned()
        .unwrap_or_else(|| panic!("no {kind} notification in {list}"))
}

/// Every other kind (issue 12) across two instances: invitations, join
/// requests, new members, events (members only), contact requests and
/// answers, reports and removals; each reaches the teachers concerned, on
/// their own instance, and nobody else.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn projects_contacts_and_moderation_notify_those_concerned() {
    for engine in engines() {
        let (a, b) = start_pair(engine).await;
        let anne = Client::teacher(&a, "anne", false).await;
        let dora = Client::teacher(&a, "dora", false).await;
        let eve = Client::teacher(&a, "eve", false).await;
        let bea = Client::teacher(&b, "bea", false).await;
        let remote = format!("eco@{}", a.domain);

        // Anne's members-only project; she invites Bea (on B).
        anne.post(
            "/api/v1/projects",
            json!({"name": "eco", "title": "Éco-délégués", "visibility": "members"}),
        )
        .await
        .expect(201);
        anne.post(
            "/api/v1/projects/eco/invite",
            json!({"handle": format!("bea@{}", b.domain)}),
        )
        .await
        .expect(201);
        deliver_all(&[&a, &b]).await;
        let invitation = newest(&bea, "invitation").await;
        assert_eq!(invitation["title"], "Éco-délégués");
        assert_eq!(invitation["actor"]["handle"], format!("anne@{}", a.domain));
        assert_eq!(invitation["link"], "/requests");
        let text = invitation["text"].as_str().unwrap();
        assert!(
            text.ends_with("vous invite dans le projet « Éco-délégués »."),
            "in the teacher's language: {text}"
        );
        assert!(
            kinds(&anne).await.is_empty(),
            "nothing for one's own invitation"
        );
        deliver_all(&[&a, &b]).await;
        assert_eq!(kinds(&bea).await, ["invitation"], "once");

        // Bea accepts: Anne learns of a new member.
        bea.post(
            &format!("/api/v1/projects/{remote}/answer"),
            json!({"accept": true}),
        )
        .await
        .expect(200);
        deliver_all(&[&a, &b]).await;
        let joined = newest(&anne, "new_member").await;
        assert_eq!(joined["actor"]["handle"], format!("bea@{}", b.domain));
        assert_eq!(joined["link"], "/projects/eco");

        // Dora asks to join: Anne (owner) decides; Bea (member) is not asked.
        dora.post("/api/v1/projects/eco/join", json!({}))
            .await
            .expect(201);
        let asked = newest(&anne, "join_request").await;
        let dora_id = asked["actor"]["id"].as_i64().unwrap();
        anne.post(
            &format!("/api/v1/projects/eco/members/{dora_id}"),
            json!({"action": "accept"}),
        )
        .await
        .expect(200);
        deliver_all(&[&a, &b]).await;
        assert_eq!(
            kinds(&anne).await,
            ["join_request", "new_member"],
            "not of her own decision"
        );
        assert!(kinds(&dora).await.is_empty(), "nothing about herself");
        assert!(!kinds(&bea).await.contains(&"join_request".to_string()));

        // An event: members here and on B learn it; Eve (not a member) not.
        anne.post(
            "/api/v1/projects/eco/events",
            json!({"title": "Réunion de lancement", "starts": "2027-01-12T14:00"}),
        )
        .await
        .expect(201);
        deliver_all(&[&a, &b]).await;
        assert_eq!(
            newest(&dora, "new_event").await["detail"],
            "Réunion de lancement"
        );
        wait_for("Bea learns of the event on B", || async {
            kinds(&bea).await.contains(&"new_event".to_string())
        })
        .await;
        assert!(
            kinds(&eve).await.is_empty(),
            "members-only news for members only"
        );
        assert!(!kinds(&anne).await.contains(&"new_event".to_string()));

        // Contacts: Eve asks Bea; Bea accepts from B.
        eve.post(
            "/api/v1/contacts",
            json!({"handle": format!("bea@{}", b.domain)}),
        )
        .await
        .expect(202);
        deliver_all(&[&a, &b]).await;
        let request = newest(&bea, "contact_request").await;
        assert_eq!(request["actor"]["handle"], format!("eve@{}", a.domain));
        let eve_on_b = request["actor"]["id"].as_i64().unwrap();
        bea.post(
            &format!("/api/v1/contacts/{eve_on_b}/answer"),
            json!({"accept": true}),
        )
        .await
        .expect(200);
        deliver_all(&[&a, &b]).await;
        let answer = newest(&eve, "contact_accepted").await;
        assert_eq!(answer["actor"]["handle"], format!("bea@{}", b.domain));
        assert_eq!(kinds(&eve).await, ["contact_accepted"]);

        // A report reaches the forum's moderator; a removal its author,
        // with the reason.
        let ada = Client::teacher(&a, "ada", true).await;
        ada.create_forum("maths", "Mathématiques").await;
        let thread = dora.post_thread("maths", "Fractions", "Bonjour").await;
        let thread_id = thread["id"].as_i64().unwrap();
        eve.post(
            &format!("/api/v1/posts/{thread_id}/report"),
            json!({"reason": "Hors sujet"}),
        )
        .await
        .expect(202);
        let report = newest(&ada, "report").await;
        assert_eq!(report["detail"], "Hors sujet");
        assert_eq!(report["title"], "Mathématiques");
        assert_eq!(report["link"], "/forums/maths/reports");
        assert!(!kinds(&dora).await.contains(&"report".to_string()));
        ada.post(
            &format!("/api/v1/posts/{thread_id}/remove"),
            json!({"reason": "Doublon"}),
        )
        .await
        .expect(200);
        let removed = newest(&dora, "post_removed").await;
        assert_eq!(removed["detail"], "Doublon");
        assert_eq!(removed["title"], "Fractions");
        assert_eq!(removed["link"], format!("/threads/{thread_id}"));
        assert!(kinds(&ada).await.iter().all(|kind| kind != "post_removed"));

        a.stop().await;
        b.stop().await;
    }
}
