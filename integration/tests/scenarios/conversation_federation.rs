//! Conversations across instances: A hosts, teachers of B and C take
//! part. Invitations cross instances and are answered; every message
//! reaches every participant's instance once, in the host's order; a
//! message of another instance is always read from its origin (a host
//! that forges one is refused); the conversation and its messages are
//! served to participant instances only; the host enforces the minimum
//! trust level. On both engines.

use super::forums::post_signed;
use super::support::{
    client::Client,
    contacts::make_contacts,
    conversations::{
        accept_invitation, bodies, conversation_named, has_timed_line, lines, until_listed,
    },
    *,
};
use serde_json::json;

/// The participants `client` sees, with their states.
async fn participants(client: &Client<'_>, id: i64) -> Vec<(String, String)> {
    let detail = client
        .get_json(&format!("/api/v1/conversations/{id}"))
        .await;
    detail["participants"]
        .as_array()
        .unwrap_or_else(|| panic!("{detail}"))
        .iter()
        .map(|p| {
            (
                p["person"]["handle"]
                    .as_str()
                    .unwrap_or_default()
                    .to_string(),
                p["state"].as_str().unwrap_or_default().to_string(),
            )
        })
        .collect()
}

/// The ActivityPub id of conversation `id` of `instance`.
async fn conversation_ap_id(instance: &TestInstance, id: i64) -> String {
    instance
        .store()
        .conversation(preau::domain::store::conversations::ConversationId(id))
        .await
        .unwrap()
        .unwrap()
        .ap_id
}

/// The ActivityPub id of the message with `body` in conversation `id`
/// of `instance`.
/// Every line `instance` stores of its conversation `id`.
async fn stored_lines(
    instance: &TestInstance,
    id: i64,
) -> Vec<preau::domain::store::conversations::LineRow> {
    instance
        .store()
        .lines(
            preau::domain::store::conversations::ConversationId(id),
            0,
            500,
        )
        .await
        .unwrap()
}

async fn message_ap_id(instance: &TestInstance, id: i64, body: &str) -> String {
    stored_lines(instance, id)
        .await
        .into_iter()
        .find(|l| l.source == body)
        .and_then(|l| l.ap_id)
        .unwrap_or_else(|| panic!("{body:?} on {}", instance.domain))
}

/// The lines `instance` keeps of its conversation `id`: each one's kind,
/// and for a message whether it was written there.
async fn kept_lines(instance: &TestInstance, id: i64) -> Vec<(String, bool)> {
    let here = format!("{}/", instance.base_url);
    stored_lines(instance, id)
        .await
        .into_iter()
        .map(|l| {
            let written_here = l.ap_id.is_some_and(|id| id.starts_with(&here));
            (l.kind, written_here)
        })
        .collect()
}

/// Whether `kept` holds only what its instance may keep once none of its
/// teachers is in the conversation: the opening lines and its own
/// teachers' messages.
fn only_own_words(kept: &[(String, bool)]) -> bool {
    kept.iter().all(|(kind, written_here)| {
        matches!(kind.as_str(), "locked" | "unlocked") || (kind == "message" && *written_here)
    })
}

/// A signed GET of `url` by `instance`'s actor: its status.
async fn signed_status(instance: &TestInstance, url: &str) -> u16 {
    preau::apub::projects::signed_get_status(&instance.running.state, url).await
}

/// An unsigned ActivityPub GET of `url`: (status, code).
async fn unsigned(url: &str) -> (u16, String) {
    let client = Client::stranger();
    let answer = client
        .send(
            client
                .build(reqwest::Method::GET, url)
                .header("accept", "application/activity+json"),
        )
        .await;
    (answer.status, answer.code())
}

/// Alice on `a`, Bob on `b` and Carol on `c` (their pages logged in too
/// when `pages`), Alice a contact of the two others: their clients and
/// handles.
async fn alice_bob_and_carol<'i>(
    [a, b, c]: [&'i TestInstance; 3],
    pages: bool,
) -> ([Client<'i>; 3], [String; 3]) {
    let mut clients = Vec::new();
    let mut handles = Vec::new();
    for (instance, name) in [(a, "alice"), (b, "bob"), (c, "carol")] {
        let client = Client::teacher(instance, name, false).await;
        clients.push(if pages {
            client.log_in_pages(name).await
        } else {
            client
        });
        handles.push(format!("{name}@{}", instance.domain));
    }
    let all = [a, b, c];
    for other in 1..3 {
        make_contacts(
            &all,
            &clients[0],
            &handles[0],
            &clients[other],
            &handles[other],
        )
        .await;
    }
    let Ok(clients) = <[Client<'i>; 3]>::try_from(clients) else {
        unreachable!("three teachers")
    };
    let Ok(handles) = <[String; 3]>::try_from(handles) else {
        unreachable!("three handles")
    };
    (clients, handles)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn teachers_of_three_instances_chat_in_one_conversation() {
    for engine in engines() {
        let a = start_fast(engine, None, |_| {}).await;
        let b = start_fast(engine, None, |_| {}).await;
        let c = start_fast(engine, None, |_| {}).await;
        let all = [&a, &b, &c];
        let ([alice, bob, carol], [_, bob_handle, carol_handle]) =
            alice_bob_and_carol(all, false).await;

        // Remote contacts are offered and invitable.
        let created = alice
            .post(
                "/api/v1/conversations",
                json!({"name": "Sortie au musée", "participants": [bob_handle, carol_handle]}),
            )
            .await
            .expect(201);
        let a_id = created["id"].as_i64().unwrap();
        let conversation = conversation_ap_id(&a, a_id).await;
        // Bob and Carol are invited on their instances.
        let b_id = until_listed(&all, &bob, "Sortie au musée", "invited").await;
        let c_id = until_listed(&all, &carol, "Sortie au musée", "invited").await;
        let notes = bob.get_json("/api/v1/notifications").await;
        assert!(
            notes["items"]
                .as_array()
                .unwrap()
                .iter()
                .any(|n| n["kind"] == "conversation_invitation"),
            "{notes}"
        );

        // Bob accepts, then Carol: each instance shows who joined.
        accept_invitation(&bob, b_id).await;
        after_delivery(&all, "the host counts bob in", || async {
            participants(&alice, a_id)
                .await
                .contains(&(bob_handle.clone(), "joined".to_string()))
        })
        .await;
        accept_invitation(&carol, c_id).await;
        after_delivery(&all, "B and C know carol and bob joined", || async {
            let at_b = participants(&bob, b_id).await;
            let at_c = participants(&carol, c_id).await;
            at_b.contains(&(carol_handle.clone(), "joined".to_string()))
                && at_c.contains(&(bob_handle.clone(), "joined".to_string()))
                && lines(&bob, b_id)
                    .await
                    .iter()
                    .any(|(k, who, _)| k == "joined" && *who == carol_handle)
        })
        .await;
        // Every instance lists them in one order: the creator, then by name.
        let at_a = participants(&alice, a_id).await;
        let people: Vec<&str> = at_a.iter().map(|(handle, _)| handle.as_str()).collect();
        assert_eq!(
            people[1..],
            [bob_handle.as_str(), carol_handle.as_str()],
            "{at_a:?}"
        );
        assert!(people[0].starts_with("alice@"), "{at_a:?}");
        assert_eq!(participants(&bob, b_id).await, at_a);
        assert_eq!(participants(&carol, c_id).await, at_a);

        // Messages from A, C and B reach every instance once, in order.
        alice
            .post(
                &format!("/api/v1/conversations/{a_id}/messages"),
                json!({"body": "Bonjour à *tous*"}),
            )
            .await
            .expect(201);
        deliver_all(&all).await;
        for body in ["Carol 1", "Carol 2", "Carol 3"] {
            carol
                .post(
                    &format!("/api/v1/conversations/{c_id}/messages"),
                    json!({"body": body}),
                )
                .await
                .expect(201);
        }
        after_delivery(&all, "carol's messages reach A and B", || async {
            bodies(&bob, b_id).await.len() == 4
        })
        .await;
        bob.post(
            &format!("/api/v1/conversations/{b_id}/messages"),
            json!({"body": "Bob répond"}),
        )
        .await
        .expect(201);
        let expected = [
            "Bonjour à *tous*",
            "Carol 1",
            "Carol 2",
            "Carol 3",
            "Bob répond",
        ];
        after_delivery(&all, "everyone reads the five messages", || async {
            bodies(&alice, a_id).await.len() == 5
                && bodies(&bob, b_id).await.len() == 5
                && bodies(&carol, c_id).await.len() == 5
        })
        .await;
        // Deliveries to one inbox may overtake each other: the host's
        // order is the order it received them in, and every instance
        // shows that order (Carol's own instance too).
        let host_order = bodies(&alice, a_id).await;
        let mut sorted = host_order.clone();
        sorted.sort();
        let mut wanted: Vec<String> = expected.iter().map(|s| s.to_string()).collect();
        wanted.sort();
        assert_eq!(sorted, wanted, "each message once at the host");
        assert_eq!(
            bodies(&bob, b_id).await,
            host_order,
            "B in the host's order"
        );
        assert_eq!(
            bodies(&carol, c_id).await,
            host_order,
            "C in the host's order"
        );
        let at_b = lines(&bob, b_id).await;
        let carol_1 = at_b.iter().find(|l| l.2 == "Carol 1").unwrap();
        assert_eq!(carol_1.1, carol_handle, "attributed to carol at B");
        let page = bob
            .get_json(&format!("/api/v1/conversations/{b_id}/messages"))
            .await;
        assert!(
            page.to_string().contains("<em>tous</em>"),
            "Markdown rendered at B: {page}"
        );

        // Serving: the conversation to participant instances only.
        let (status, code) = unsigned(&conversation).await;
        assert_eq!((status, code.as_str()), (401, "signature_required"));
        assert_eq!(signed_status(&b, &conversation).await, 200);
        let carol_message = message_ap_id(&c, c_id, "Carol 2").await;
        assert_eq!(signed_status(&b, &carol_message).await, 200);
        let (status, code) = unsigned(&carol_message).await;
        assert_eq!((status, code.as_str()), (401, "signature_required"));

        // A second conversation, with Bob only: C is no participant.
        let private = alice
            .post(
                "/api/v1/conversations",
                json!({"name": "Entre nous", "participants": [bob_handle]}),
            )
            .await
            .expect(201);
        let private_id = private["id"].as_i64().unwrap();
        let private_ap = conversation_ap_id(&a, private_id).await;
        let bp = until_listed(&all, &bob, "Entre nous", "invited").await;
        accept_invitation(&bob, bp).await;
        deliver_all(&all).await;
        bob.post(
            &format!("/api/v1/conversations/{bp}/messages"),
            json!({"body": "Rien que pour Alice"}),
        )
        .await
        .expect(201);
        after_delivery(&all, "alice reads bob's private message", || async {
            bodies(&alice, private_id).await == ["Rien que pour Alice"]
        })
        .await;
        let secret = message_ap_id(&b, bp, "Rien que pour Alice").await;
        assert_eq!(signed_status(&c, &private_ap).await, 403);
        assert_eq!(signed_status(&c, &secret).await, 403);
        assert_eq!(signed_status(&a, &secret).await, 200);
        let (status, _) = unsigned(&secret).await;
        assert_eq!(status, 401);

        // A forged relay: the host claims a message of Bob that B never
        // wrote. C reads it from B, which does not have it: refused, and
        // nothing is shown.
        let instance_actor = a.store().instance_actor().await.unwrap().unwrap();
        let bob_ap = format!("{}/users/bob", b.base_url);
        let forged = json!({
            "@context": ["https://www.w3.org/ns/activitystreams"],
            "id": format!("{}/activities/forged-announce", a.base_url),
            "type": "Announce",
            "actor": instance_actor.ap_id,
            "to": [conversation],
            "conversationPosition": 999_999,
            "object": {
                "id": format!("{}/activities/forged-create", b.base_url),
                "type": "Create",
                "actor": bob_ap,
                "to": [conversation],
                "object": {
                    "id": format!("{}/conversation-messages/forged", b.base_url),
                    "type": "Note",
                    "attributedTo": bob_ap,
                    "content": "<p>Message inventé</p>",
                    "context": conversation,
                    "to": [conversation]
                }
            }
        });
        let answer = post_signed(
            &c.url("/inbox"),
            &forged,
            &format!("{}#main-key", instance_actor.ap_id),
            instance_actor.private_key_pem.as_deref().unwrap(),
            std::time::SystemTime::now(),
            |_, _| {},
        )
        .await;
        assert_eq!(answer.status, 503, "{}", answer.text);
        assert_eq!(answer.code(), "object_unavailable");
        assert!(!bodies(&carol, c_id)
            .await
            .iter()
            .any(|b| b.contains("inventé")));

        // Only the host speaks for the conversation: the same relay
        // signed by C's instance actor is refused at B.
        let c_actor = c.store().instance_actor().await.unwrap().unwrap();
        let mut not_host = forged.clone();
        not_host["id"] = json!(format!("{}/activities/not-the-host", c.base_url));
        not_host["actor"] = json!(c_actor.ap_id);
        let answer = post_signed(
            &b.url("/inbox"),
            &not_host,
            &format!("{}#main-key", c_actor.ap_id),
            c_actor.private_key_pem.as_deref().unwrap(),
            std::time::SystemTime::now(),
            |_, _| {},
        )
        .await;
        assert_eq!(answer.status, 403, "{}", answer.text);
        assert_eq!(answer.code(), "not_conversation_host");

        // Nothing delivered twice, nothing failed.
        for instance in all {
            let counts = instance.store().delivery_counts(None).await.unwrap();
            assert_eq!(counts.failed, 0, "{}", instance.domain);
        }
        a.stop().await;
        b.stop().await;
        c.stop().await;
    }
}

/// Alice (A) starts `name` with Bob (B) and Carol (C), who both accept;
/// answers the ids at A, B and C once every instance knows both joined.
async fn conversation_with_bob_and_carol(
    all: &[&TestInstance],
    (alice, bob, carol): (&Client<'_>, &Client<'_>, &Client<'_>),
    (bob_handle, carol_handle): (&str, &str),
    name: &str,
) -> (i64, i64, i64) {
    let created = alice
        .post(
            "/api/v1/conversations",
            json!({"name": name, "participants": [bob_handle, carol_handle]}),
        )
        .await
        .expect(201);
    let a_id = created["id"].as_i64().unwrap();
    let b_id = until_listed(all, bob, name, "invited").await;
    let c_id = until_listed(all, carol, name, "invited").await;
    accept_invitation(bob, b_id).await;
    after_delivery(all, "bob joined at the host", || async {
        participants(alice, a_id)
            .await
            .contains(&(bob_handle.to_string(), "joined".to_string()))
    })
    .await;
    accept_invitation(carol, c_id).await;
    after_delivery(all, "everyone knows both joined", || async {
        let joined = |h: &str| (h.to_string(), "joined".to_string());
        participants(bob, b_id)
            .await
            .contains(&joined(carol_handle))
            && participants(carol, c_id)
                .await
                .contains(&joined(bob_handle))
    })
    .await;
    (a_id, b_id, c_id)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn invitations_leaving_removal_and_edits_travel_between_instances() {
    for engine in engines() {
        let a = start_fast(engine, None, |_| {}).await;
        let b = start_fast(engine, None, |_| {}).await;
        let c = start_fast(engine, None, |_| {}).await;
        let all = [&a, &b, &c];
        let ([alice, bob, carol], [_, bob_handle, carol_handle]) =
            alice_bob_and_carol(all, true).await;
        let dora = Client::teacher(&c, "dora", false)
            .await
            .log_in_pages("dora")
            .await;
        let dora_handle = format!("dora@{}", c.domain);
        make_contacts(&all, &bob, &bob_handle, &dora, &dora_handle).await;
        let (a_id, b_id, c_id) = conversation_with_bob_and_carol(
            &all,
            (&alice, &bob, &carol),
            (&bob_handle, &carol_handle),
            "Projet commun",
        )
        .await;
        // The join lines, in each reader's page, on every instance.
        for (client, id) in [(&alice, a_id), (&bob, b_id), (&carol, c_id)] {
            let page = client.page(&format!("/conversations/{id}")).await;
            assert!(
                has_timed_line(&page, "carol a rejoint la conversation | "),
                "{page}"
            );
        }

        // Bob (not the creator, on B) invites his contact Dora (on C):
        // the host records it and tells C, which notifies Dora.
        bob.post(
            &format!("/api/v1/conversations/{b_id}/invite"),
            json!({"handle": dora_handle}),
        )
        .await
        .expect(200);
        after_delivery(&all, "dora is invited at C and at the host", || async {
            conversation_named(&dora, "Projet commun")
                .await
                .is_some_and(|(_, state)| state == "invited")
                && participants(&alice, a_id)
                    .await
                    .contains(&(dora_handle.clone(), "invited".to_string()))
        })
        .await;
        let d_id = conversation_named(&dora, "Projet commun").await.unwrap().0;
        let list = dora.page("/conversations").await;
        assert!(list.contains("bob vous invite"), "{list}");
        accept_invitation(&dora, d_id).await;
        after_delivery(&all, "everyone knows dora joined", || async {
            participants(&bob, b_id)
                .await
                .contains(&(dora_handle.clone(), "joined".to_string()))
        })
        .await;

        // Bob writes twice, edits one and deletes the other.
        for body in ["Premier jet", "À effacer"] {
            bob.post(
                &format!("/api/v1/conversations/{b_id}/messages"),
                json!({"body": body}),
            )
            .await
            .expect(201);
        }
        after_delivery(&all, "bob's messages reach C", || async {
            bodies(&dora, d_id).await.len() == 2
        })
        .await;
        let at_b = bob
            .get_json(&format!("/api/v1/conversations/{b_id}/messages"))
            .await;
        let line_of = |body: &str| {
            at_b["lines"]
                .as_array()
                .unwrap()
                .iter()
                .find(|l| l["body"] == body)
                .and_then(|l| l["id"].as_i64())
                .unwrap()
        };
        let (first, second) = (line_of("Premier jet"), line_of("À effacer"));
        let erased = message_ap_id(&b, b_id, "À effacer").await;
        bob.call(
            reqwest::Method::PUT,
            &format!("/api/v1/conversations/{b_id}/messages/{first}"),
            Some(json!({"body": "Version **finale**"})),
        )
        .await
        .expect(200);
        bob.call(
            reqwest::Method::DELETE,
            &format!("/api/v1/conversations/{b_id}/messages/{second}"),
            None,
        )
        .await
        .expect(204);
        after_delivery(&all, "the edit and the deletion reach A and C", || async {
            let seen = |v: Vec<String>| v == ["Version **finale**"];
            seen(
                bodies(&alice, a_id)
                    .await
                    .into_iter()
                    .filter(|b| !b.is_empty())
                    .collect(),
            ) && seen(
                bodies(&carol, c_id)
                    .await
                    .into_iter()
                    .filter(|b| !b.is_empty())
                    .collect(),
            ) && seen(
                bodies(&dora, d_id)
                    .await
                    .into_iter()
                    .filter(|b| !b.is_empty())
                    .collect(),
            )
        })
        .await;
        assert_eq!(
            signed_status(&a, &erased).await,
            410,
            "a deleted message is gone"
        );

        // Carol leaves: every instance shows it.
        carol
            .post(&format!("/api/v1/conversations/{c_id}/leave"), json!({}))
            .await
            .expect(204);
        after_delivery(&all, "carol's leaving reaches A, B and C", || async {
            let left = |l: &Vec<(String, String, String)>| {
                l.iter()
                    .any(|(k, who, _)| k == "left" && *who == carol_handle)
            };
            left(&lines(&alice, a_id).await)
                && left(&lines(&bob, b_id).await)
                && left(&lines(&dora, d_id).await)
        })
        .await;
        for (client, id) in [(&alice, a_id), (&bob, b_id), (&dora, d_id)] {
            let page = client.page(&format!("/conversations/{id}")).await;
            assert!(
                has_timed_line(&page, "carol a quitté la conversation : "),
                "{page}"
            );
        }

        // The creator removes Dora: she is warned on her instance.
        alice
            .post(
                &format!("/api/v1/conversations/{a_id}/remove"),
                json!({"handle": dora_handle}),
            )
            .await
            .expect(200);
        after_delivery(&all, "dora is removed on C, and B knows", || async {
            conversation_named(&dora, "Projet commun")
                .await
                .is_some_and(|(_, state)| state == "removed")
                && lines(&bob, b_id)
                    .await
                    .iter()
                    .any(|(k, who, _)| k == "removed" && *who == dora_handle)
                && !participants(&bob, b_id)
                    .await
                    .iter()
                    .any(|(who, _)| *who == dora_handle)
        })
        .await;
        let list = dora.page("/conversations").await;
        assert!(
            list.contains("alice vous a retiré de la conversation"),
            "{list}"
        );
        let notes = dora.get_json("/api/v1/notifications").await;
        assert!(
            notes["items"]
                .as_array()
                .unwrap()
                .iter()
                .any(|n| n["kind"] == "conversation_removed"),
            "{notes}"
        );

        // C has nobody in it any more: it keeps no copy of what was said
        // (Bob's message was there while Dora took part), B still does.
        let kept_at_c = kept_lines(&c, c_id).await;
        assert!(only_own_words(&kept_at_c), "{kept_at_c:?}");
        assert!(
            kept_lines(&b, b_id)
                .await
                .iter()
                .any(|(kind, _)| kind == "joined"),
            "B keeps its copy"
        );
        // Bob leaves, then Alice, the creator: B keeps Bob's own words
        // only; the host, nobody left anywhere, its own only (none).
        bob.post(&format!("/api/v1/conversations/{b_id}/leave"), json!({}))
            .await
            .expect(204);
        after_delivery(&all, "bob's leaving reaches A", || async {
            lines(&alice, a_id)
                .await
                .iter()
                .any(|(k, who, _)| k == "left" && *who == bob_handle)
        })
        .await;
        let kept_at_b = kept_lines(&b, b_id).await;
        assert!(only_own_words(&kept_at_b), "{kept_at_b:?}");
        assert!(
            kept_at_b.contains(&("message".to_string(), true)),
            "Bob's own message stays on B: {kept_at_b:?}"
        );
        assert!(
            kept_lines(&a, a_id)
                .await
                .contains(&("message".to_string(), false)),
            "A, still in it, keeps Bob's message"
        );
        alice
            .post(&format!("/api/v1/conversations/{a_id}/leave"), json!({}))
            .await
            .expect(204);
        let kept_at_a = kept_lines(&a, a_id).await;
        assert!(only_own_words(&kept_at_a), "{kept_at_a:?}");

        // The same relay twice changes nothing.
        for instance in all {
            let counts = instance.store().delivery_counts(None).await.unwrap();
            assert_eq!(counts.failed, 0, "{}", instance.domain);
        }
        a.stop().await;
        b.stop().await;
        c.stop().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_host_enforces_the_lowest_trust_level_at_invitation_and_message() {
    for engine in engines() {
        let associative = |s: &mut preau::config::Settings| {
            s.instance.trust_level = preau_federation::TrustLevel::Associative;
        };
        let a = start_fast(engine, None, associative).await;
        let b = start_fast(engine, None, associative).await;
        let c = start_fast(engine, None, |_| {}).await;
        let all = [&a, &b, &c];
        let ([alice, bob, _carol], [_, bob_handle, carol_handle]) =
            alice_bob_and_carol(all, false).await;
        let admin = Client::teacher(&a, "lucie", true)
            .await
            .log_in_pages("lucie")
            .await;
        // A's admin vouches for B (which declares associative).
        a.store()
            .note_instance(&b.domain, &b.base_url)
            .await
            .unwrap();
        preau::apub::trust::check_and_store(&a.running.state, &b.domain, &b.base_url).await;
        let manual = |level: &'static str| {
            let admin = &admin;
            let url = format!("/admin/instances/{}/manual", b.domain);
            async move {
                let html = admin.page("/admin/instances").await;
                let token = csrf_token(&html);
                let answer = admin
                    .post_form(
                        &url,
                        &[
                            ("csrf_token", token.as_str()),
                            ("level", level),
                            ("note", "Convention signée"),
                        ],
                    )
                    .await;
                assert_eq!(answer.status, 303, "{}", answer.text);
            }
        };
        manual("associative").await;

        // Carol's instance is informal: the host refuses her.
        alice
            .post(
                "/api/v1/conversations",
                json!({"name": "Réservée", "participants": [carol_handle],
                       "min_level": "associative"}),
            )
            .await
            .expect_error(403, "conversation_level_too_low");
        let created = alice
            .post(
                "/api/v1/conversations",
                json!({"name": "Réservée", "participants": [bob_handle],
                       "min_level": "associative"}),
            )
            .await
            .expect(201);
        let a_id = created["id"].as_i64().unwrap();
        let b_id = until_listed(&all, &bob, "Réservée", "invited").await;
        accept_invitation(&bob, b_id).await;
        bob.post(
            &format!("/api/v1/conversations/{b_id}/messages"),
            json!({"body": "Bien reçu"}),
        )
        .await
        .expect(201);
        after_delivery(&all, "bob's message reaches the host", || async {
            bodies(&alice, a_id).await == ["Bien reçu"]
        })
        .await;

        // The admin withdraws the entry: B is informal again for A, and
        // the host refuses Bob's next message.
        manual("none").await;
        bob.post(
            &format!("/api/v1/conversations/{b_id}/messages"),
            json!({"body": "Refusé par l'hôte"}),
        )
        .await
        .expect(201);
        after_delivery(&all, "the host refused bob's message", || async {
            b.store().delivery_counts(None).await.unwrap().refused >= 1
        })
        .await;
        assert_eq!(bodies(&alice, a_id).await, ["Bien reçu"]);
        a.stop().await;
        b.stop().await;
        c.stop().await;
    }
}

/// The invitee's instance decides: a teacher who may not use messages
/// there is declined on their behalf (a `Reject` to the host), and is
/// neither disturbed nor given a copy of the conversation.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_instance_declines_for_a_teacher_without_messages() {
    for engine in engines() {
        let a = start_fast(engine, None, |_| {}).await;
        let d = start_fast(engine, None, |s| {
            s.messaging.who = preau::config::MessagingAudience::Listed;
            s.messaging.accounts = vec!["someone".to_string()];
        })
        .await;
        let all = [&a, &d];
        let alice = Client::teacher(&a, "alice", false).await;
        let eve = Client::teacher(&d, "eve", false).await;
        let alice_handle = format!("alice@{}", a.domain);
        let eve_handle = format!("eve@{}", d.domain);
        make_contacts(&all, &alice, &alice_handle, &eve, &eve_handle).await;
        // Alice's instance cannot know: Eve is offered and invited.
        let created = alice
            .post(
                "/api/v1/conversations",
                json!({"name": "Sans messages", "participants": [eve_handle]}),
            )
            .await
            .expect(201);
        let a_id = created["id"].as_i64().unwrap();
        let conversation = preau::domain::store::conversations::ConversationId(a_id);
        let eve_at_a = a.known_actor(&d.url("/users/eve")).await;
        after_delivery(&all, "eve's instance declined for her", || async {
            a.store()
                .participant(conversation, eve_at_a.id)
                .await
                .unwrap()
                .is_some_and(|p| {
                    p.state == preau::domain::store::conversations::ParticipantState::Declined
                })
        })
        .await;
        let ap_id = conversation_ap_id(&a, a_id).await;
        assert!(
            d.store()
                .conversation_by_ap_id(&ap_id)
                .await
                .unwrap()
                .is_none(),
            "no copy kept"
        );
        let notes = eve.get_json("/api/v1/notifications").await;
        assert!(
            !notes.to_string().contains("conversation_invitation"),
            "{notes}"
        );
        a.stop().await;
        d.stop().await;
    }
}
