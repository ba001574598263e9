//! The ENT chat manual (seed 004), line by line, with its teachers on
//! three instances: Camille on A (the conversation's host), Bruno on B,
//! Dora and Éric on C. Categories and their counts, a request shown
//! "Invitation en attente", a refusal seen as "Invitation refusée", an
//! acceptance, presence seen by contacts only, a conversation named at
//! creation with its two opening lines, invitations answered on the
//! invitee's own instance, an invitation by a participant who is not the
//! creator, removal by the creator only, the join and leave lines with
//! their times, the removed teacher's warning, and the removal of a
//! contact on both sides. On both engines.

use super::support::{
    client::Client,
    contacts::{answer_once_arrived, ask, contact},
    conversations::{accept_invitation, conversation_named, has_timed_line, lines, until_listed},
    *,
};
use serde_json::{json, Value};

/// The count of `client`'s category `name` (`None`: "Autres contacts").
async fn category_count(client: &Client<'_>, name: Option<&str>) -> Option<i64> {
    let book = client.get_json("/api/v1/contacts").await;
    book["categories"]
        .as_array()?
        .iter()
        .find(|c| c["name"].as_str() == name)
        .and_then(|c| c["count"].as_i64())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_chat_manual_across_three_instances() {
    for engine in engines() {
        let a = start_fast(engine, None, |_| {}).await;
        let b = start_fast(engine, None, |_| {}).await;
        let c = start_fast(engine, None, |_| {}).await;
        let all = [&a, &b, &c];
        let camille = Client::teacher(&a, "camille", false)
            .await
            .log_in_pages("camille")
            .await;
        let bruno = Client::teacher(&b, "bruno", false)
            .await
            .log_in_pages("bruno")
            .await;
        let dora = Client::teacher(&c, "dora", false)
            .await
            .log_in_pages("dora")
            .await;
        let eric = Client::teacher(&c, "eric", false).await;
        let camille_h = format!("camille@{}", a.domain);
        let bruno_h = format!("bruno@{}", b.domain);
        let dora_h = format!("dora@{}", c.domain);
        let eric_h = format!("eric@{}", c.domain);

        // "Créer une catégorie": it shows with its count, 0 at first.
        let category = camille
            .post(
                "/api/v1/contact-categories",
                json!({"name": "Sortie de fin d'année"}),
            )
            .await
            .expect(201);
        assert_eq!(category["count"], 0, "{category}");
        let category_id = category["id"].as_i64().unwrap();

        // "Ajouter contacts": a request to each, "Invitation en attente"
        // (pending) until answered; placed in the category, its count
        // follows.
        for handle in [&bruno_h, &dora_h, &eric_h] {
            ask(&camille, handle).await;
            let entry = contact(&camille, handle).await.unwrap();
            assert_eq!(entry["state"], "pending", "{entry}");
            assert_eq!(entry["presence"], Value::Null, "{entry}");
            camille
                .call(
                    reqwest::Method::PUT,
                    &format!("/api/v1/contacts/{handle}/category"),
                    Some(json!({ "category_id": category_id })),
                )
                .await
                .expect(200);
        }
        assert_eq!(
            category_count(&camille, Some("Sortie de fin d'année")).await,
            Some(3)
        );
        let requests = camille.page(&a.url("/contacts")).await;
        assert!(requests.contains("Invitation en attente"), "{requests}");

        // "Accepter" on B and C; "Refuser" on C: the refusal stays on the
        // asker's side as "Invitation refusée".
        answer_once_arrived(&all, &bruno, &camille_h, true).await;
        answer_once_arrived(&all, &dora, &camille_h, true).await;
        answer_once_arrived(&all, &eric, &camille_h, false).await;
        after_delivery(&all, "the answers reached A", || async {
            contact(&camille, &bruno_h).await.unwrap()["state"] == "accepted"
                && contact(&camille, &dora_h).await.unwrap()["state"] == "accepted"
                && contact(&camille, &eric_h).await.unwrap()["state"] == "refused"
        })
        .await;
        let page = camille.page(&a.url("/contacts")).await;
        assert!(page.contains("Invitation refusée"), "{page}");
        // The refused request is gone from Éric's requests.
        let requests = eric.get_json("/api/v1/me/requests").await;
        assert_eq!(
            requests["contacts"]["received"].as_array().map(Vec::len),
            Some(0),
            "{requests}"
        );

        // Presence: Bruno is "Ne pas déranger"; Camille, his contact, sees
        // it on A; Éric (C), not his contact, sees nothing of it.
        bruno
            .call(
                reqwest::Method::PUT,
                "/api/v1/me/presence",
                Some(json!({"status": "busy"})),
            )
            .await
            .expect(200);
        after_delivery(&all, "Bruno's presence reached A", || async {
            contact(&camille, &bruno_h).await.unwrap()["presence"] == "busy"
        })
        .await;
        assert_eq!(contact(&eric, &bruno_h).await, None);
        let seen_by_eric = eric
            .get_json(&format!("/api/v1/lookup?handle={bruno_h}"))
            .await;
        assert!(!seen_by_eric.to_string().contains("busy"), "{seen_by_eric}");

        // Bruno (B) and Dora (C) are contacts too: Bruno will invite her.
        ask(&bruno, &dora_h).await;
        answer_once_arrived(&all, &dora, &bruno_h, true).await;
        after_delivery(&all, "Dora accepted Bruno", || async {
            contact(&bruno, &dora_h).await.unwrap()["state"] == "accepted"
        })
        .await;

        // "Commencer conversation" with Bruno, named at creation; it
        // opens with the two lines of the manual.
        let name = "Sortie au musée";
        let created = camille
            .post(
                "/api/v1/conversations",
                json!({"name": name, "participants": [bruno_h]}),
            )
            .await
            .expect(201);
        let on_a = created["id"].as_i64().unwrap();
        let kinds: Vec<String> = lines(&camille, on_a)
            .await
            .into_iter()
            .map(|l| l.0)
            .collect();
        assert_eq!(kinds, ["locked", "unlocked"]);
        let page = camille
            .page(&a.url(&format!("/conversations/{on_a}")))
            .await;
        assert!(
            page.contains("Le salon de discussion est verrouillé, entrée impossible jusqu’à ce que la configuration soit déverrouillée")
                || page.contains("Le salon de discussion est verrouillé"),
            "{page}"
        );
        assert!(
            page.contains("Le salon de discussion est maintenant déverrouillé"),
            "{page}"
        );

        // The invitation reaches Bruno on B; he may not chat before
        // accepting; he accepts: "a rejoint la conversation | HH:MM:SS".
        let on_b = until_listed(&all, &bruno, name, "invited").await;
        bruno
            .post(
                &format!("/api/v1/conversations/{on_b}/messages"),
                json!({"body": "Trop tôt"}),
            )
            .await
            .expect_error(403, "not_conversation_participant");
        accept_invitation(&bruno, on_b).await;
        after_delivery(&all, "Bruno's arrival on A", || async {
            lines(&camille, on_a)
                .await
                .iter()
                .any(|l| l.0 == "joined" && l.1 == bruno_h)
        })
        .await;
        let page = camille
            .page(&a.url(&format!("/conversations/{on_a}")))
            .await;
        assert!(
            has_timed_line(&page, "a rejoint la conversation | "),
            "{page}"
        );

        // "Inviter contact" is not the creator's alone: Bruno invites his
        // contact Dora (C), who accepts on C.
        bruno
            .post(
                &format!("/api/v1/conversations/{on_b}/invite"),
                json!({"handle": dora_h}),
            )
            .await
            .expect(200);
        let on_c = until_listed(&all, &dora, name, "invited").await;
        accept_invitation(&dora, on_c).await;
        after_delivery(&all, "Dora's arrival on A and B", || async {
            let joined = |lines: Vec<(String, String, String)>| {
                lines.iter().any(|l| l.0 == "joined" && l.1 == dora_h)
            };
            joined(lines(&camille, on_a).await) && joined(lines(&bruno, on_b).await)
        })
        .await;

        // Messages, from each instance: everyone reads all of them once,
        // in the same order; a newcomer (Dora) reads from her arrival.
        for (client, id, text) in [
            (&camille, on_a, "Rendez-vous *devant* le musée 😀"),
            (&bruno, on_b, "Parfait, à demain !"),
            (&dora, on_c, "J'apporte les billets."),
        ] {
            client
                .post(
                    &format!("/api/v1/conversations/{id}/messages"),
                    json!({"body": text}),
                )
                .await
                .expect(201);
            // One at a time, so that the order is the writing order.
            after_delivery(&all, "the message reached everyone", || async {
                let has = |lines: Vec<(String, String, String)>| {
                    lines.iter().any(|l| l.0 == "message" && l.2 == text)
                };
                has(lines(&camille, on_a).await)
                    && has(lines(&bruno, on_b).await)
                    && has(lines(&dora, on_c).await)
            })
            .await;
        }
        let messages = |lines: Vec<(String, String, String)>| -> Vec<String> {
            lines
                .into_iter()
                .filter(|l| l.0 == "message")
                .map(|l| l.2)
                .collect()
        };
        let expected = [
            "Rendez-vous *devant* le musée 😀",
            "Parfait, à demain !",
            "J'apporte les billets.",
        ];
        assert_eq!(messages(lines(&camille, on_a).await), expected);
        assert_eq!(messages(lines(&bruno, on_b).await), expected);
        assert_eq!(messages(lines(&dora, on_c).await), expected);

        // "Seul le créateur de la conversation peut renvoyer des
        // participants": Bruno may not; Camille may.
        bruno
            .post(
                &format!("/api/v1/conversations/{on_b}/remove"),
                json!({"handle": dora_h}),
            )
            .await
            .expect_error(403, "not_conversation_creator");
        camille
            .post(
                &format!("/api/v1/conversations/{on_a}/remove"),
                json!({"handle": dora_h}),
            )
            .await
            .expect(200);
        // "[NOM Prénom] a quitté la conversation : [HH:MM:SS]" on A and B;
        // "[NOM Prénom] vous a retiré de la conversation [nom]" for Dora on C.
        after_delivery(&all, "Dora's removal everywhere", || async {
            let removed = |lines: Vec<(String, String, String)>| {
                lines.iter().any(|l| l.0 == "removed" && l.1 == dora_h)
            };
            removed(lines(&camille, on_a).await)
                && removed(lines(&bruno, on_b).await)
                && conversation_named(&dora, name)
                    .await
                    .is_some_and(|(_, s)| s == "removed")
        })
        .await;
        let page = bruno.page(&b.url(&format!("/conversations/{on_b}"))).await;
        assert!(
            has_timed_line(&page, "a quitté la conversation : "),
            "{page}"
        );
        let page = dora.page(&c.url("/conversations")).await;
        assert!(
            page.contains(&format!("vous a retiré de la conversation {name}")),
            "{page}"
        );
        // Dora reads nothing of it any more.
        dora.get(&format!("/api/v1/conversations/{on_c}/messages"))
            .await
            .expect_error(404, "not_found");

        // Bruno leaves: the line shows on A.
        bruno
            .post(&format!("/api/v1/conversations/{on_b}/leave"), json!({}))
            .await
            .expect(204);
        after_delivery(&all, "Bruno's departure on A", || async {
            lines(&camille, on_a)
                .await
                .iter()
                .any(|l| l.0 == "left" && l.1 == bruno_h)
        })
        .await;

        // "Supprimer contact": on both sides; the category keeps Dora and
        // Éric's refused request; removing them empties it, and it goes
        // with a message.
        let removed = camille
            .call(
                reqwest::Method::DELETE,
                &format!("/api/v1/contacts/{bruno_h}"),
                None,
            )
            .await
            .expect(200);
        assert_eq!(removed["emptied_category"], Value::Null, "{removed}");
        after_delivery(&all, "Bruno no longer has Camille", || async {
            contact(&bruno, &camille_h).await.is_none()
        })
        .await;
        for handle in [&dora_h, &eric_h] {
            let removed = camille
                .call(
                    reqwest::Method::DELETE,
                    &format!("/api/v1/contacts/{handle}"),
                    None,
                )
                .await
                .expect(200);
            if handle == &eric_h {
                assert_eq!(
                    removed["emptied_category"], "Sortie de fin d'année",
                    "{removed}"
                );
            }
        }
        assert_eq!(
            category_count(&camille, Some("Sortie de fin d'année")).await,
            None
        );
        after_delivery(&all, "Dora no longer has Camille", || async {
            contact(&dora, &camille_h).await.is_none()
        })
        .await;

        for instance in [a, b, c] {
            instance.stop().await;
        }
    }
}
