//! Contacts in categories, line by line of the seed's "Gérer ses contacts"
//! and "Gérer les demandes" (004): a category created with its count, a
//! contact added in it shown "Invitation en attente", a refusal seen by the
//! asker as "Invitation refusée", an acceptance, a category left empty
//! disappearing with a message, a deleted category's contacts moved to
//! "Autres contacts", and a removal by either side gone on both
//! instances.

use super::projects::submit;
use super::support::contacts::{book, entry, request_from};
use super::support::{client::Client, *};
use serde_json::{json, Value};
use std::time::Duration;

/// The count shown for the category named `name` (`None`: "Autres
/// contacts"), if listed.
fn count(book: &Value, name: Option<&str>) -> Option<i64> {
    book["categories"]
        .as_array()?
        .iter()
        .find(|c| c["name"].as_str() == name)
        .and_then(|c| c["count"].as_i64())
}

/// Waits (bounded) until `client`'s list shows `handle` in `state`
/// (`None`: not listed any more).
async fn wait_for_state(client: &Client<'_>, handle: &str, state: Option<&str>) {
    let seen = wait_until(Duration::from_secs(20), || async {
        let book = book(client).await;
        let now = entry(&book, handle).map(|e| e["state"].as_str().unwrap_or("").to_string());
        (now.as_deref() == state).then_some(())
    })
    .await;
    assert!(seen.is_some(), "{handle} never reached {state:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn contacts_sorted_in_categories_across_instances() {
    for engine in engines() {
        let (association, informal) = start_pair(engine).await;
        let bea_api = Client::teacher(&association, "bea", false).await;
        let eve_api = Client::teacher(&association, "eve", false).await;
        let carl_api = Client::teacher(&informal, "carl", false).await;
        let dora_api = Client::teacher(&informal, "dora", false).await;
        let bea = Client::anonymous(&association).log_in_pages("bea").await;
        let carl = Client::anonymous(&informal).log_in_pages("carl").await;
        let dora = Client::anonymous(&informal).log_in_pages("dora").await;
        let carl_handle = format!("carl@{}", informal.domain);
        let dora_handle = format!("dora@{}", informal.domain);
        let bea_handle = format!("bea@{}", association.domain);
        let eve_handle = format!("eve@{}", association.domain);

        // "Créer une catégorie": it appears with its count in parentheses.
        let (status, body) = submit(
            &bea,
            "/contacts",
            "/contacts/categories",
            &[("name", "Collègues de maths")],
        )
        .await;
        assert_eq!(status, 303, "{body}");
        let page = bea.page("/contacts").await;
        assert!(
            page.contains("Catégorie « Collègues de maths » créée"),
            "{page}"
        );
        assert!(
            page.contains("Collègues de maths <span class=\"category-count\">(0)</span>"),
            "{page}"
        );
        // A name taken, or none: refused at the field.
        let (status, body) = submit(
            &bea,
            "/contacts",
            "/contacts/categories",
            &[("name", "Collègues de maths")],
        )
        .await;
        assert_eq!(status, 422, "{body}");
        assert!(body.contains("aria-invalid=\"true\""), "{body}");
        let answer = bea_api
            .post("/api/v1/contact-categories", json!({"name": "  "}))
            .await;
        assert_eq!(answer.status, 422);
        assert_eq!(
            answer.json["error"]["code"], "field_required",
            "{}",
            answer.json
        );
        let maths = count(&book(&bea_api).await, Some("Collègues de maths"));
        assert_eq!(maths, Some(0));
        let maths_id = book(&bea_api).await["categories"][0]["id"]
            .as_i64()
            .unwrap();

        // "Ajouter contacts" in that category: the request is sent, the
        // name shows "Invitation en attente".
        let (status, body) = submit(
            &bea,
            "/contacts",
            "/contacts",
            &[
                ("handle", carl_handle.as_str()),
                ("category", &maths_id.to_string()),
                ("back", "/contacts"),
            ],
        )
        .await;
        assert_eq!(status, 303, "{body}");
        let page = bea.page("/contacts").await;
        assert!(page.contains("Invitation en attente"), "{page}");
        assert!(
            page.contains("Collègues de maths <span class=\"category-count\">(1)</span>"),
            "{page}"
        );
        // Dora is asked too, placed in no category: "Autres contacts".
        let answer = bea_api
            .post("/api/v1/contacts", json!({"handle": dora_handle}))
            .await;
        assert_eq!(answer.status, 202);
        let listed = book(&bea_api).await;
        assert_eq!(entry(&listed, &dora_handle).unwrap()["state"], "pending");
        assert_eq!(count(&listed, None), Some(1), "{listed}");

        // Dora refuses: Bea keeps her, as "Invitation refusée".
        let bea_on_informal = wait_until(Duration::from_secs(20), || {
            request_from(&dora_api, &bea_handle)
        })
        .await
        .expect("Dora's requests list Bea");
        let (status, _) = submit(
            &dora,
            "/requests",
            &format!("/contacts/{bea_on_informal}/answer"),
            &[("action", "refuse")],
        )
        .await;
        assert_eq!(status, 303);
        wait_for_state(&bea_api, &dora_handle, Some("refused")).await;
        let page = bea.page("/contacts").await;
        assert!(page.contains("Invitation refusée"), "{page}");
        assert!(entry(&book(&dora_api).await, &bea_handle).is_none());

        // Carl accepts: a contact on both sides (Carl's in his "Autres
        // contacts"). Bea's request to him may arrive after Dora's.
        let bea_for_carl = wait_until(Duration::from_secs(20), || {
            request_from(&carl_api, &bea_handle)
        })
        .await
        .expect("Carl's requests list Bea");
        let answer = carl_api
            .post(
                &format!("/api/v1/contacts/{bea_for_carl}/answer"),
                json!({"accept": true}),
            )
            .await;
        assert_eq!(answer.status, 200, "{}", answer.text);
        wait_for_state(&bea_api, &carl_handle, Some("accepted")).await;
        let carls = book(&carl_api).await;
        assert_eq!(entry(&carls, &bea_handle).unwrap()["state"], "accepted");
        assert_eq!(count(&carls, None), Some(1));

        // Moving Carl out of "Collègues de maths" leaves it empty: it
        // disappears, with a message saying so.
        let projet = bea_api
            .post(
                "/api/v1/contact-categories",
                json!({"name": "Projet eTwinning"}),
            )
            .await
            .expect(201);
        let projet_id = projet["id"].as_i64().unwrap();
        let (status, _) = submit(
            &bea,
            "/contacts",
            &format!(
                "/contacts/{}/move",
                association
                    .known_actor(&informal.url("/users/carl"))
                    .await
                    .id
                    .0
            ),
            &[("category", &projet_id.to_string())],
        )
        .await;
        assert_eq!(status, 303);
        let page = bea.page("/contacts").await;
        assert!(
            page.contains("La catégorie « Collègues de maths » ne contient plus de contacts"),
            "{page}"
        );
        let listed = book(&bea_api).await;
        assert_eq!(count(&listed, Some("Collègues de maths")), None, "{listed}");
        assert_eq!(count(&listed, Some("Projet eTwinning")), Some(1));

        // Renamed, then deleted after a confirmation step, Carl still in
        // it: he moves to "Autres contacts".
        let renamed = bea_api
            .call(
                reqwest::Method::PUT,
                &format!("/api/v1/contact-categories/{projet_id}"),
                Some(json!({"name": "eTwinning"})),
            )
            .await
            .expect(200);
        assert_eq!(count(&renamed, Some("eTwinning")), Some(1), "{renamed}");
        let confirm = bea
            .page(&format!("/contacts/categories/{projet_id}/delete"))
            .await;
        assert!(confirm.contains("Oui, supprimer la catégorie"), "{confirm}");
        let (status, _) = submit(
            &bea,
            &format!("/contacts/categories/{projet_id}/delete"),
            &format!("/contacts/categories/{projet_id}/delete"),
            &[],
        )
        .await;
        assert_eq!(status, 303);
        let listed = book(&bea_api).await;
        assert_eq!(count(&listed, Some("eTwinning")), None);
        assert_eq!(count(&listed, None), Some(2), "{listed}");
        assert!(entry(&listed, &carl_handle).unwrap()["category_id"].is_null());
        let page = bea.page("/contacts").await;
        assert!(page.contains("Autres contacts"), "{page}");
        let answer = bea_api
            .call(
                reqwest::Method::DELETE,
                &format!("/api/v1/contact-categories/{projet_id}"),
                None,
            )
            .await;
        assert_eq!(answer.status, 404);

        // Carl (who was asked) removes Bea, after confirming: gone on both
        // instances (a `Reject` of the accepted request).
        let bea_on_c = informal.known_actor(&association.url("/users/bea")).await;
        let confirm = carl
            .page(&format!("/contacts/{}/remove", bea_on_c.id.0))
            .await;
        assert!(confirm.contains("Oui, supprimer le contact"), "{confirm}");
        let (status, _) = submit(
            &carl,
            &format!("/contacts/{}/remove", bea_on_c.id.0),
            &format!("/contacts/{}/remove", bea_on_c.id.0),
            &[],
        )
        .await;
        assert_eq!(status, 303);
        assert!(entry(&book(&carl_api).await, &bea_handle).is_none());
        wait_for_state(&bea_api, &carl_handle, None).await;
        let answer = carl_api
            .call(
                reqwest::Method::DELETE,
                &format!("/api/v1/contacts/{bea_handle}"),
                None,
            )
            .await;
        assert_eq!(answer.status, 409);
        assert_eq!(answer.json["error"]["code"], "not_a_contact");

        // Asking again forgets the refusal; accepted, then removed by the
        // asker through the API (an `Undo(Follow)`): gone on both sides.
        let answer = bea_api
            .post("/api/v1/contacts", json!({"handle": dora_handle}))
            .await;
        assert_eq!(answer.status, 202);
        wait_for_state(&bea_api, &dora_handle, Some("pending")).await;
        let answered = wait_until(Duration::from_secs(20), || async {
            let answer = dora_api
                .post(
                    &format!("/api/v1/contacts/{bea_on_informal}/answer"),
                    json!({"accept": true}),
                )
                .await;
            (answer.status == 200).then_some(())
        })
        .await;
        assert!(answered.is_some(), "Dora never saw the second request");
        wait_for_state(&bea_api, &dora_handle, Some("accepted")).await;
        let removed = bea_api
            .call(
                reqwest::Method::DELETE,
                &format!("/api/v1/contacts/{dora_handle}"),
                None,
            )
            .await
            .expect(200);
        assert!(entry(&removed["book"], &dora_handle).is_none(), "{removed}");
        wait_for_state(&dora_api, &bea_handle, None).await;

        // On one instance: Eve accepts Bea, then removes her; Bea no
        // longer has Eve.
        let answer = bea_api
            .post("/api/v1/contacts", json!({"handle": "eve"}))
            .await;
        assert_eq!(answer.status, 202);
        let bea_here = association
            .known_actor(&association.url("/users/bea"))
            .await;
        eve_api
            .post(
                &format!("/api/v1/contacts/{}/answer", bea_here.id.0),
                json!({"accept": true}),
            )
            .await
            .expect(200);
        assert_eq!(
            entry(&book(&bea_api).await, &eve_handle).unwrap()["state"],
            "accepted"
        );
        eve_api
            .call(
                reqwest::Method::DELETE,
                &format!("/api/v1/contacts/{bea_handle}"),
                None,
            )
            .await
            .expect(200);
        assert!(entry(&book(&bea_api).await, &eve_handle).is_none());

        // A forum followed is no contact: removing it as one is refused
        // and the follow stays.
        let admin = Client::teacher(&association, "ana", true).await;
        admin.create_forum("sciences", "Sciences").await;
        let forum = format!("sciences@{}", association.domain);
        carl_api.follow_forum(&format!("!{forum}")).await;
        let forum_id = association.url("/forums/sciences");
        let carl_id = informal.url("/users/carl");
        let followed = || async {
            let store = informal.store();
            let carl = store.actor_by_ap_id(&carl_id).await.unwrap()?;
            let forum = store.actor_by_ap_id(&forum_id).await.unwrap()?;
            store.follow(carl.id, forum.id).await.unwrap()
        };
        after_delivery(
            &[&association, &informal],
            "Carl follows the forum",
            || async { followed().await.is_some() },
        )
        .await;
        let answer = carl_api
            .call(
                reqwest::Method::DELETE,
                &format!("/api/v1/contacts/{forum}"),
                None,
            )
            .await;
        assert_eq!(answer.status, 409, "{}", answer.text);
        assert_eq!(answer.json["error"]["code"], "not_a_contact");
        assert!(followed().await.is_some(), "the forum follow stays");

        association.stop().await;
        informal.stop().await;
    }
}
