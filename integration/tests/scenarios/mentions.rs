//! Mentions (issue 12): `@name@domain` in a post written on one instance
//! becomes a link and a `Mention` tag, reaches the instance of the person
//! named even when nobody there follows the forum any more, and notifies
//! them once; a local `@name` notifies a local teacher; code and e-mail
//! addresses are not mentions; an unknown name stays text; more than 20
//! mentions are refused.

use super::support::{client::Client, *};
use serde_json::{json, Value};

async fn notes(client: &Client<'_>) -> Value {
    client.get_json("/api/v1/notifications").await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mentions_notify_the_people_named_across_instances() {
    for engine in engines() {
        let (a, b) = start_pair(engine).await;
        let admin = Client::teacher(&a, "ada", true).await;
        admin.create_forum("maths", "Mathématiques").await;
        let anne = Client::teacher(&a, "anne", false).await;
        let carl = Client::teacher(&a, "carl", false).await;
        let bob = Client::teacher(&b, "bob", false).await;
        let dora = Client::teacher(&b, "dora", false).await;
        let remote_forum = format!("maths@{}", a.domain);

        // Dora makes the forum known on B, then leaves it: nothing is
        // announced to B any more.
        dora.follow_forum(&format!("!{remote_forum}")).await;
        deliver_all(&[&a, &b]).await;
        dora.call(
            reqwest::Method::DELETE,
            &format!("/api/v1/forums/{remote_forum}/follow"),
            None,
        )
        .await
        .expect(204);
        deliver_all(&[&a, &b]).await;

        // Anne names Bob (on B), Carl (here), herself, and, not as
        // mentions, Dora in code and an e-mail address, and someone B
        // does not know.
        let body = format!(
            "Bonjour @bob@{b} et @carl, moi @anne. `@dora@{b}` ; écrire à dora@ecole.example ; \
             @personne@{b}.",
            b = b.domain
        );
        let thread = anne.post_thread("maths", "Fractions", &body).await;
        let html = thread["content_html"].as_str().unwrap();
        assert!(
            html.contains(&format!(">@bob@{}</a>", b.domain)),
            "Bob's mention is a link: {html}"
        );
        assert!(html.contains(">@carl</a>"), "{html}");
        assert!(
            html.contains(&format!("@personne@{}.", b.domain)),
            "an unknown name stays text: {html}"
        );
        assert!(
            html.contains(&format!("<code>@dora@{}</code>", b.domain)),
            "{html}"
        );

        // On the thread's page, Bob's mention opens his page here; Carl's
        // his own profile (the federated HTML keeps the remote URL).
        let shown = Client::anonymous(&a)
            .page(&a.url(&format!("/threads/{}", thread["id"])))
            .await;
        assert!(
            shown.contains(&format!("href=\"/@bob@{}\"", b.domain)),
            "{shown}"
        );
        assert!(shown.contains("href=\"/users/carl\""), "{shown}");
        assert!(!shown.contains(&b.url("/users/bob")), "{shown}");
        assert!(html.contains(&b.url("/users/bob")), "{html}");

        // The Page carries a Mention tag per person, and their ids in cc.
        let page = Client::anonymous(&a)
            .get_activity(thread["ap_id"].as_str().unwrap())
            .await
            .expect(200);
        let tags = page["tag"].as_array().expect("tags");
        let names: Vec<&str> = tags.iter().map(|t| t["name"].as_str().unwrap()).collect();
        assert_eq!(
            names,
            [
                format!("@bob@{}", b.domain),
                format!("@carl@{}", a.domain),
                format!("@anne@{}", a.domain)
            ],
            "{page}"
        );
        for tag in tags {
            assert_eq!(tag["type"], "Mention");
            let href = tag["href"].as_str().unwrap();
            assert!(
                page["cc"].as_array().unwrap().iter().any(|cc| cc == href),
                "{page}"
            );
        }
        assert!(tags[0]["href"].as_str().unwrap().starts_with(&b.url("/")));

        // Carl is notified here, Anne (her own post) is not.
        let carl_notes = notes(&carl).await;
        assert_eq!(carl_notes["unread"], 1, "{carl_notes}");
        assert_eq!(carl_notes["items"][0]["kind"], "mention");
        assert_eq!(carl_notes["items"][0]["thread_title"], "Fractions");
        assert_eq!(notes(&anne).await["unread"], 0);

        // Bob is notified on B, once, by the Create sent to B directly.
        after_delivery(&[&a, &b], "Bob is notified of Anne's mention", || async {
            notes(&bob).await["unread"] == 1
        })
        .await;
        let bob_notes = notes(&bob).await;
        assert_eq!(bob_notes["items"][0]["kind"], "mention", "{bob_notes}");
        assert_eq!(
            bob_notes["items"][0]["actor"]["handle"],
            format!("anne@{}", a.domain)
        );
        assert_eq!(bob_notes["items"][0]["forum"]["handle"], remote_forum);
        assert_eq!(notes(&dora).await["unread"], 0, "code is not a mention");
        deliver_all(&[&a, &b]).await;
        assert_eq!(notes(&bob).await["unread"], 1, "once");

        // Carl answers Anne and names her: one notification, a mention.
        let thread_id = thread["id"].as_i64().unwrap();
        carl.reply(thread_id, "D'accord avec @anne, et merci.")
            .await;
        let anne_notes = notes(&anne).await;
        assert_eq!(anne_notes["unread"], 1, "{anne_notes}");
        assert_eq!(anne_notes["items"][0]["kind"], "mention");

        // An edit that adds a mention notifies the person now named.
        let edited = anne
            .call(
                reqwest::Method::PUT,
                &format!("/api/v1/posts/{thread_id}"),
                Some(json!({"title": "Fractions", "body": format!("{body} Et @ada.")})),
            )
            .await
            .expect(200);
        assert!(edited["content_html"]
            .as_str()
            .unwrap()
            .contains(">@ada</a>"));
        assert_eq!(notes(&admin).await["unread"], 1);
        assert_eq!(notes(&carl).await["unread"], 1, "not twice");

        // More than 20 people: refused, nothing posted.
        let crowd: Vec<String> = (0..21).map(|i| format!("@t{i}")).collect();
        anne.post(
            "/api/v1/forums/maths/threads",
            json!({"title": "Tous", "body": crowd.join(" ")}),
        )
        .await
        .expect_error(422, "too_many_mentions");

        a.stop().await;
        b.stop().await;
    }
}
