//! Bans from a forum across three instances (issue 13): the academy hosts
//! the forum, a teacher of the association gets banned (for a week, then
//! for good, then the ban is lifted), a third instance relays the forum
//! and enforces the bans it hears of, a person the academy never met is
//! looked up and banned, and a whole instance is banned: the association,
//! which relays the forum, then refuses that instance's replies sent
//! straight to its teachers.

use super::forums::post_signed;
use super::support::{client::Client, *};
use preau::domain::store::forums::ForumRow;
use serde_json::{json, Value};
use std::time::Duration;

/// A reply by `author` (whose key is `key`) to `thread` in `forum`,
/// mentioning `mentioned` and sent straight to `inbox`, as Mastodon and
/// Préau send a reply to the people it mentions, never through the forum.
async fn reply_sent_directly(
    inbox: &str,
    (author, key): (&str, &str),
    (forum, thread): (&str, &str),
    mentioned: &str,
    id: &str,
) -> client::Answer {
    let public = "https://www.w3.org/ns/activitystreams#Public";
    let note: Value = json!({
        "id": id,
        "type": "Note",
        "attributedTo": author,
        "content": "<p>@bea regarde ça</p>",
        "inReplyTo": thread,
        "audience": forum,
        "to": [public],
        "cc": [forum, mentioned],
        "tag": [{"type": "Mention", "href": mentioned, "name": "@bea"}],
    });
    let create = json!({
        "@context": "https://www.w3.org/ns/activitystreams",
        "id": format!("{id}/create"),
        "type": "Create",
        "actor": author,
        "to": [public],
        "cc": [forum, mentioned],
        "object": note,
    });
    post_signed(
        inbox,
        &create,
        &format!("{author}#main-key"),
        key,
        std::time::SystemTime::now(),
        |_, _| {},
    )
    .await
}

/// Whether `person` (`name@domain`) is banned from the forum `forum` as
/// `instance` knows it now.
async fn banned_on(instance: &TestInstance, forum: &ForumRow, name: &str, domain: &str) -> bool {
    let store = instance.store();
    let Some(person) = store.remote_actor_by_handle(name, domain).await.unwrap() else {
        return false;
    };
    store
        .is_banned(forum.actor.id, person.id, &person.domain, store.now_ms())
        .await
        .unwrap()
}

/// Whether `person` (a local account of `instance`) is banned from the
/// remote forum `forum`.
async fn local_banned_on(instance: &TestInstance, forum: &ForumRow, name: &str) -> bool {
    let store = instance.store();
    let person = store.local_actor_by_name(name).await.unwrap().unwrap();
    store
        .is_banned(forum.actor.id, person.id, "", store.now_ms())
        .await
        .unwrap()
}

/// The forum `name@host` as `instance` knows it.
async fn remote_forum(instance: &TestInstance, name: &str, host: &str) -> ForumRow {
    let store = instance.store();
    let actor = store
        .remote_actor_by_handle(name, host)
        .await
        .unwrap()
        .expect("forum known");
    store.forum(actor.id).await.unwrap().expect("a forum")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn moderators_ban_people_and_instances_and_every_relaying_instance_enforces() {
    for engine in engines() {
        let (academy, association) = start_pair(engine).await;
        let third = start_fast(engine, None, |_| {}).await;
        let all = [&academy, &association, &third];
        let anne = Client::teacher(&academy, "anne", true)
            .await
            .log_in_pages("anne")
            .await;
        anne.create_forum("maths", "Mathématiques").await;
        let eli = Client::teacher(&academy, "eli", false)
            .await
            .log_in_pages("eli")
            .await;
        let bea = Client::teacher(&association, "bea", false).await;
        let carl = Client::teacher(&third, "carl", false).await;
        let forum_handle = format!("maths@{}", academy.domain);
        bea.follow_forum(&format!("!{forum_handle}")).await;
        carl.follow_forum(&format!("!{forum_handle}")).await;
        deliver_all(&all).await;
        let bonjour = bea
            .post_thread(&forum_handle, "Bonjour", "Premier message")
            .await;
        deliver_all(&all).await;
        let here = academy.forum_here("maths").await;
        let on_association = remote_forum(&association, "maths", &academy.domain).await;
        let on_third = remote_forum(&third, "maths", &academy.domain).await;

        // Only moderators see the bans; a moderator or the own instance
        // cannot be banned.
        assert_eq!(eli.get("/forums/maths/bans").await.status, 403);
        eli.get("/api/v1/forums/maths/bans")
            .await
            .expect_error(403, "not_moderator");
        anne.post(
            "/api/v1/forums/maths/bans",
            json!({"who": "anne", "reason": "test"}),
        )
        .await
        .expect_error(409, "cannot_ban_moderator");
        anne.post(
            "/api/v1/forums/maths/bans",
            json!({"who": academy.domain, "reason": "test"}),
        )
        .await
        .expect_error(409, "cannot_ban_own_instance");
        anne.post(
            "/api/v1/forums/maths/bans",
            json!({"who": "eli", "reason": "x", "length": "2d"}),
        )
        .await
        .expect_error(422, "invalid_choice");

        // Someone the academy never met is looked up on their instance
        // (WebFinger, then their document) and banned; a handle nobody
        // has, or an instance that does not answer, is a clear error.
        Client::teacher(&association, "dora", false).await;
        let dora_handle = format!("dora@{}", association.domain);
        assert!(academy
            .store()
            .remote_actor_by_handle("dora", &association.domain)
            .await
            .unwrap()
            .is_none());
        anne.post(
            "/api/v1/forums/maths/bans",
            json!({"who": dora_handle, "reason": "Spam annoncé"}),
        )
        .await
        .expect(204);
        assert!(banned_on(&academy, &here, "dora", &association.domain).await);
        let nobody = format!("personne@{}", association.domain);
        anne.post(
            "/api/v1/forums/maths/bans",
            json!({"who": nobody, "reason": "test"}),
        )
        .await
        .expect_error(404, "handle_unknown");
        let refused = anne
            .submit(
                "/forums/maths/bans",
                "/forums/maths/bans",
                &[("who", nobody.as_str()), ("reason", "test")],
            )
            .await;
        assert_eq!(refused.status, 404, "{}", refused.text);
        assert!(
            refused.text.contains("ne connaît ni enseignant"),
            "{}",
            refused.text
        );
        anne.post(
            "/api/v1/forums/maths/bans",
            json!({"who": "x@localhost:1", "reason": "test"}),
        )
        .await
        .expect_error(502, "host_unreachable");
        anne.call(
            reqwest::Method::DELETE,
            &format!("/api/v1/forums/maths/bans/{dora_handle}"),
            None,
        )
        .await
        .expect(204);

        // The "Bannir" link by the author's name leads to the prefilled form.
        let bea_handle = format!("bea@{}", association.domain);
        let forum_page = anne.page("/forums/maths").await;
        let thread_link = forum_page
            .split("href=\"/threads/")
            .nth(1)
            .and_then(|rest| rest.split('"').next())
            .expect("a thread link")
            .to_string();
        let thread_page = anne.page(&format!("/threads/{thread_link}")).await;
        let ban_link = format!("/forums/maths/bans?who={bea_handle}");
        let escaped = format!("&#x2f;forums&#x2f;maths/bans?who={bea_handle}");
        assert!(thread_page.contains(&escaped), "{thread_page}");
        let form = anne.page(&ban_link).await;
        assert!(form.contains(&format!("value=\"{bea_handle}\"")), "{form}");

        // A week's ban through the form: listed, federated, enforced.
        let banned = anne
            .submit(
                &ban_link,
                "/forums/maths/bans",
                &[
                    ("who", bea_handle.as_str()),
                    ("reason", "Publicité répétée"),
                    ("length", "1w"),
                ],
            )
            .await;
        assert_eq!(banned.status, 303, "{}", banned.text);
        let list = anne.page("/forums/maths/bans").await;
        assert!(list.contains("Publicité répétée") && list.contains(&bea_handle));
        assert!(
            list.contains(&format!("anne@{}", academy.domain)),
            "by whom"
        );
        assert!(banned_on(&academy, &here, "bea", &association.domain).await);
        after_delivery(
            &all,
            "the association and the third instance know the ban",
            || async {
                local_banned_on(&association, &on_association, "bea").await
                    && banned_on(&third, &on_third, "bea", &association.domain).await
            },
        )
        .await;
        bea.post(
            &format!("/api/v1/forums/{forum_handle}/threads"),
            json!({"title": "Encore", "body": "Promo"}),
        )
        .await
        .expect_error(403, "banned_from_forum");
        let listed = anne.get_json("/api/v1/forums/maths/bans").await;
        assert_eq!(listed["bans"][0]["who"], bea_handle.as_str(), "{listed}");
        assert!(listed["bans"][0]["expires_at"].is_string(), "{listed}");

        // Eight days later the ban no longer applies, on every instance.
        for instance in all {
            instance.advance_clock(Duration::from_secs(8 * 24 * 3600));
        }
        assert!(!banned_on(&academy, &here, "bea", &association.domain).await);
        assert!(!banned_on(&third, &on_third, "bea", &association.domain).await);
        bea.post_thread(&forum_handle, "De retour", "Sans publicité")
            .await;
        after_delivery(&all, "the forum accepts bea's thread again", || async {
            let page = anne.get_json("/api/v1/forums/maths").await;
            page["threads"]
                .as_array()
                .is_some_and(|t| t.iter().any(|t| t["title"] == "De retour"))
        })
        .await;

        // For good, then lifted through the API.
        anne.post(
            "/api/v1/forums/maths/bans",
            json!({"who": bea_handle, "reason": "Récidive", "length": "forever"}),
        )
        .await
        .expect(204);
        after_delivery(&all, "the ban for good reached the others", || async {
            local_banned_on(&association, &on_association, "bea").await
                && banned_on(&third, &on_third, "bea", &association.domain).await
        })
        .await;
        let listed = anne.get_json("/api/v1/forums/maths/bans").await;
        assert!(listed["bans"][0]["expires_at"].is_null(), "{listed}");
        anne.call(
            reqwest::Method::DELETE,
            &format!("/api/v1/forums/maths/bans/{bea_handle}"),
            None,
        )
        .await
        .expect(204);
        after_delivery(&all, "the lift reached the others", || async {
            !local_banned_on(&association, &on_association, "bea").await
                && !banned_on(&third, &on_third, "bea", &association.domain).await
        })
        .await;
        anne.call(
            reqwest::Method::DELETE,
            &format!("/api/v1/forums/maths/bans/{bea_handle}"),
            None,
        )
        .await
        .expect_error(404, "not_found");

        // The path a forum's own refusal does not close: a reply sent
        // straight to the association's teacher it mentions, never through
        // the forum. Before any ban the association takes it.
        let carl_id = third.url("/users/carl");
        let carl_key = third.known_actor(&carl_id).await.private_key_pem.unwrap();
        let forum_id = academy.url("/forums/maths");
        let thread_id = bonjour["ap_id"].as_str().unwrap().to_string();
        let bea_id = association.url("/users/bea");
        let inbox = association.url("/inbox");
        let direct = third.url("/posts/direct-1");
        let answer = reply_sent_directly(
            &inbox,
            (&carl_id, &carl_key),
            (&forum_id, &thread_id),
            &bea_id,
            &direct,
        )
        .await;
        assert!(answer.status < 300, "{} {}", answer.status, answer.text);
        assert!(association
            .store()
            .post_by_ap_id(&direct)
            .await
            .unwrap()
            .is_some());

        // A whole instance: its teachers' posts are refused by the forum.
        let banned = anne
            .submit(
                "/forums/maths/bans",
                "/forums/maths/bans",
                &[
                    ("who", third.domain.as_str()),
                    ("reason", "Spam de toute l’instance"),
                    ("length", "forever"),
                ],
            )
            .await;
        assert_eq!(banned.status, 303, "{}", banned.text);
        assert!(banned_on(&academy, &here, "carl", &third.domain).await);
        // The ban is announced; the association, relaying the forum,
        // now refuses what comes straight from that instance too.
        after_delivery(&all, "the association knows the instance ban", || async {
            banned_on(&association, &on_association, "carl", &third.domain).await
        })
        .await;
        let direct = third.url("/posts/direct-2");
        let answer = reply_sent_directly(
            &inbox,
            (&carl_id, &carl_key),
            (&forum_id, &thread_id),
            &bea_id,
            &direct,
        )
        .await;
        assert_eq!(
            answer.error(),
            (403, "banned_from_forum".to_string()),
            "{}",
            answer.text
        );
        assert!(association
            .store()
            .post_by_ap_id(&direct)
            .await
            .unwrap()
            .is_none());
        carl.post_thread(&forum_handle, "Spam", "Depuis l’instance bannie")
            .await;
        deliver_all(&all).await;
        let page = anne.get_json("/api/v1/forums/maths").await;
        assert!(
            !page["threads"]
                .as_array()
                .unwrap()
                .iter()
                .any(|t| t["title"] == "Spam"),
            "{page}"
        );

        // Lifting goes through a confirmation page.
        let lift = format!("/forums/maths/bans/lift?who={}", third.domain);
        let list = anne.page("/forums/maths/bans").await;
        let encoded = format!("lift?who={}", third.domain.replace(':', "%3A"));
        assert!(list.contains(&encoded), "{list}");
        let confirm = anne.page(&lift).await;
        assert!(confirm.contains("class=\"danger\""), "{confirm}");
        let lifted = anne
            .submit(
                &lift,
                "/forums/maths/bans/lift",
                &[("who", third.domain.as_str())],
            )
            .await;
        assert_eq!(lifted.status, 303, "{}", lifted.text);
        assert!(!banned_on(&academy, &here, "carl", &third.domain).await);
        after_delivery(&all, "the lift reached the association", || async {
            !banned_on(&association, &on_association, "carl", &third.domain).await
        })
        .await;
        let list = anne.page("/forums/maths/bans").await;
        assert!(!list.contains("Spam de toute"), "{list}");

        for instance in [academy, association, third] {
            instance.stop().await;
        }
    }
}
