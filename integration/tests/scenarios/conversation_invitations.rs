//! Several teachers of one instance invited into a conversation hosted
//! elsewhere, the host's document read again in between: a teacher is
//! shown an invitation only once her own `Invite` arrived (the id her
//! answer names comes with it, and it notifies her), and every one of
//! them, accepting at the same moment, joins. On both engines.

use super::support::{client::Client, contacts::make_contacts, *};
use serde_json::json;
use std::time::Duration;

/// `client`'s conversation named `name`: (id, state).
async fn listed(client: &Client<'_>, name: &str) -> Option<(i64, String)> {
    let list = client.get_json("/api/v1/conversations").await;
    list["conversations"]
        .as_array()?
        .iter()
        .find(|c| c["name"] == name)
        .map(|c| {
            let state = c["state"].as_str().unwrap_or_default().to_string();
            (c["id"].as_i64().unwrap_or_default(), state)
        })
}

/// The handles of the people `client` sees joined in conversation `id`.
async fn joined(client: &Client<'_>, id: i64) -> Vec<String> {
    let detail = client
        .get_json(&format!("/api/v1/conversations/{id}"))
        .await;
    let mut handles: Vec<String> = detail["participants"]
        .as_array()
        .unwrap_or_else(|| panic!("{detail}"))
        .iter()
        .filter(|p| p["state"] == "joined")
        .filter_map(|p| p["person"]["handle"].as_str().map(str::to_string))
        .collect();
    handles.sort();
    handles
}

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
        after_delivery(&both, "bob is invited", || async {
            listed(&bob, "Conseil de classe").await.is_some()
        })
        .await;
        let (b_id, _) = listed(&bob, "Conseil de classe").await.unwrap();
        bob.post(&format!("/api/v1/conversations/{b_id}/accept"), json!({}))
            .await
            .expect(200);
        after_delivery(&both, "the host counts bob in", || async {
            joined(&alice, a_id).await.contains(&handle("bob"))
        })
        .await;

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
        after_delivery(&both, "bea is invited", || async {
            listed(&bea, "Conseil de classe")
                .await
                .is_some_and(|(_, state)| state == "invited")
        })
        .await;
        assert_eq!(
            listed(&dan, "Conseil de classe").await,
            None,
            "Dan is not shown an invitation he has not received"
        );
        assert_eq!(invitations(&dan).await, 0);

        // His invitation arrives: he is invited once, and both accept at
        // the same moment.
        a.advance_clock(Duration::from_secs(7_200));
        after_delivery(&both, "dan is invited", || async {
            listed(&dan, "Conseil de classe")
                .await
                .is_some_and(|(_, state)| state == "invited")
        })
        .await;
        assert_eq!(invitations(&dan).await, 1);
        let (bea_id, _) = listed(&bea, "Conseil de classe").await.unwrap();
        let (dan_id, _) = listed(&dan, "Conseil de classe").await.unwrap();
        let bea_accept = format!("/api/v1/conversations/{bea_id}/accept");
        let dan_accept = format!("/api/v1/conversations/{dan_id}/accept");
        let (bea_answer, dan_answer) = tokio::join!(
            bea.post(&bea_accept, json!({})),
            dan.post(&dan_accept, json!({})),
        );
        bea_answer.expect(200);
        dan_answer.expect(200);
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
