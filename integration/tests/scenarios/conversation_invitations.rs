//! Several teachers of one instance invited into a conversation hosted
//! elsewhere, the host's document read again in between: a teacher is
//! shown an invitation only once her own `Invite` arrived (the id her
//! answer names comes with it, and it notifies her), and every one of
//! them, accepting at the same moment, joins. What the host refuses is
//! shown on the teacher's instance. On both engines.

use super::support::{
    client::Client,
    contacts::make_contacts,
    conversations::{
        accept_invitation, accept_until_joined, conversation_named, joined, listed_lines,
        until_listed,
    },
    *,
};
use serde_json::json;
use std::time::Duration;

/// How many invitations to a conversation `client` was notified of.
async fn invitations(client: &Client<'_>) -> usize {
    let notes = client.get_json("/api/v1/notifications").await;
    notes["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|n| n["kind"] == "conversation_invitation")
        .count()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn invitees_of_one_instance_are_invited_by_their_own_invite_and_all_join() {
    for engine in engines() {
        let a = start_fast(engine, None, |_| {}).await;
        let b = start_fast(engine, None, |_| {}).await;
        let both = [&a, &b];
        let alice = Client::teacher(&a, "alice", false).await;
        let alice_handle = format!("alice@{}", a.domain);
        let bob = Client::teacher(&b, "bob", false).await;
        let bea = Client::teacher(&b, "bea", false).await;
        let dan = Client::teacher(&b, "dan", false).await;
        let handle = |name: &str| format!("{name}@{}", b.domain);
        for (client, name) in [(&bob, "bob"), (&bea, "bea"), (&dan, "dan")] {
            make_contacts(&both, &alice, &alice_handle, client, &handle(name)).await;
        }

        // Bob joins first: B has a participant, the host relays to it.
        let created = alice
            .post(
                "/api/v1/conversations",
                json!({"name": "Conseil de classe", "participants": [handle("bob")]}),
            )
            .await
            .expect(201);
        let a_id = created["id"].as_i64().unwrap();
        let b_id = until_listed(&both, &bob, "Conseil de classe", "invited").await;
        accept_until_joined(&both, &bob, &handle("bob"), b_id, &alice, a_id).await;

        // Alice invites Dan, then Bea; what invites Dan is held back, so B
        // reads the host's document (listing Dan as invited) before his
        // own invitation arrives.
        let later = a.store().now_ms() + 3_600_000;
        preau::domain::store::delivery::held::hold_containing(
            &[
                &format!("\"actor\":\"{}\"", a.url("/users/alice")),
                &format!("\"target\":\"{}\"", b.url("/users/dan")),
            ],
            later,
        );
        for name in ["dan", "bea"] {
            alice
                .post(
                    &format!("/api/v1/conversations/{a_id}/invite"),
                    json!({"handle": handle(name)}),
                )
                .await
                .expect(200);
        }
        let bea_id = until_listed(&both, &bea, "Conseil de classe", "invited").await;
        assert_eq!(
            conversation_named(&dan, "Conseil de classe").await,
            None,
            "Dan is not shown an invitation he has not received"
        );
        assert_eq!(invitations(&dan).await, 0);

        // His invitation arrives: he is invited once, and both accept at
        // the same moment.
        a.advance_clock(Duration::from_secs(7_200));
        let dan_id = until_listed(&both, &dan, "Conseil de classe", "invited").await;
        assert_eq!(invitations(&dan).await, 1);
        tokio::join!(
            accept_invitation(&bea, bea_id),
            accept_invitation(&dan, dan_id),
        );
        let everyone = {
            let mut all = vec![
                alice_handle.clone(),
                handle("bea"),
                handle("bob"),
                handle("dan"),
            ];
            all.sort();
            all
        };
        after_delivery(&both, "the host and B count all four in", || async {
            joined(&alice, a_id).await == everyone && joined(&bob, b_id).await == everyone
        })
        .await;
        a.stop().await;
        b.stop().await;
    }
}

/// The kinds of `client`'s notifications.
async fn notification_kinds(client: &Client<'_>) -> Vec<String> {
    let notes = client.get_json("/api/v1/notifications").await;
    notes["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|n| n["kind"].as_str().map(str::to_string))
        .collect()
}

/// What the host of a conversation refuses is shown where the teacher
/// acted: a message is marked refused with the host's reason (the others
/// never saw it), an accepted invitation is undone (they are not in), and
/// each teacher is told why.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn what_the_host_refuses_is_shown_on_the_teachers_instance() {
    for engine in engines() {
        let associative = |s: &mut preau::config::Settings| {
            s.instance.trust_level = preau_federation::TrustLevel::Associative;
        };
        let a = start_fast(engine, None, associative).await;
        let b = start_fast(engine, None, associative).await;
        let both = [&a, &b];
        let alice = Client::teacher(&a, "alice", false).await;
        let alice_handle = format!("alice@{}", a.domain);
        Client::teacher(&a, "lucie", true).await;
        let admin = a
            .store()
            .account_by_username("lucie")
            .await
            .unwrap()
            .unwrap();
        let bob = Client::teacher(&b, "bob", false).await;
        let bea = Client::teacher(&b, "bea", false).await;
        let handle = |name: &str| format!("{name}@{}", b.domain);
        for (client, name) in [(&bob, "bob"), (&bea, "bea")] {
            make_contacts(&both, &alice, &alice_handle, client, &handle(name)).await;
        }
        // A's admin vouches for B (which declares associative).
        let domain = &a.running.state.domain;
        a.store()
            .note_instance(&b.domain, &b.base_url)
            .await
            .unwrap();
        preau::apub::trust::check_and_store(&a.running.state, &b.domain, &b.base_url).await;
        domain
            .set_manual_trust(&admin, &b.domain, "associative", "Convention signée")
            .await
            .unwrap();

        let created = alice
            .post(
                "/api/v1/conversations",
                json!({"name": "Réservée", "participants": [handle("bob"), handle("bea")],
                       "min_level": "associative"}),
            )
            .await
            .expect(201);
        let a_id = created["id"].as_i64().unwrap();
        let b_id = until_listed(&both, &bob, "Réservée", "invited").await;
        let bea_id = until_listed(&both, &bea, "Réservée", "invited").await;
        accept_until_joined(&both, &bob, &handle("bob"), b_id, &alice, a_id).await;

        // The admin withdraws the entry: B is informal again for A.
        domain
            .set_manual_trust(&admin, &b.domain, "none", "")
            .await
            .unwrap();

        // Bob's next message is refused by the host: marked so on B, with
        // the host's reason, and Bob is told.
        let sent = bob
            .post(
                &format!("/api/v1/conversations/{b_id}/messages"),
                json!({"body": "Refusé par l'hôte"}),
            )
            .await
            .expect(201);
        let line_id = sent["id"].as_i64().unwrap();
        let refusal = || async {
            listed_lines(&bob, b_id)
                .await
                .iter()
                .find(|l| l["id"] == line_id)
                .and_then(|l| l["refused"].as_str().map(str::to_string))
        };
        after_delivery(&both, "B marks bob's message refused", || async {
            refusal().await.is_some()
        })
        .await;
        assert!(
            !refusal().await.unwrap().is_empty(),
            "the host's reason is kept"
        );
        assert!(notification_kinds(&bob)
            .await
            .contains(&"post_refused".to_string()));
        let page = Client::anonymous(&b).log_in_pages("bob").await;
        let html = page.page(&b.url(&format!("/conversations/{b_id}"))).await;
        assert!(
            html.contains("Refusé par l’instance qui accueille la conversation"),
            "{html}"
        );
        // The host answered with its (English) error message; Bob reads it
        // in his page's language, on the conversation and in his
        // notifications.
        let french = "Cette conversation n’accepte pas de participants de ce niveau de confiance";
        assert!(html.contains(french), "{html}");
        assert!(!html.contains("does not accept participants"), "{html}");
        let notifications = page.page(&b.url("/notifications")).await;
        assert!(notifications.contains(french), "{notifications}");

        // Bea accepts now: B lets her (it still sees her level), the host
        // refuses, and B undoes her joining and tells her why.
        accept_invitation(&bea, bea_id).await;
        after_delivery(&both, "B undoes bea's joining", || async {
            notification_kinds(&bea)
                .await
                .contains(&"conversation_refused".to_string())
        })
        .await;
        assert_ne!(
            conversation_named(&bea, "Réservée")
                .await
                .map(|(_, state)| state),
            Some("joined".to_string())
        );
        assert!(!joined(&alice, a_id).await.contains(&handle("bea")));
        a.stop().await;
        b.stop().await;
    }
}
