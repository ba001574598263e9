//! Presence and blocking across three instances (issue 14, seed 004):
//! "Disponible / Absent / Ne pas déranger" seen only by accepted
//! contacts (local and remote), never by anyone else (pages, API, actor
//! document); a change sent once per instance of the contacts, addressed
//! to them only; "Absent" after the idle time and back on the next
//! request; and a blocked person's requests refused without the blocker
//! seeing them, an existing contact ended on both sides.

use super::forums::post_signed;
use super::support::contacts::{book, choose_presence, entry, make_contacts, request_from};
use super::support::{client::Client, *};
use serde_json::{json, Value};

/// The presence `client` sees of `handle` in their contact list.
async fn presence_seen(client: &Client<'_>, handle: &str) -> Option<String> {
    entry(&book(client).await, handle)
        .and_then(|e| e["presence"].as_str())
        .map(str::to_string)
}

/// Asserts that each of `contacts` sees `handle` in `status`.
async fn all_see(contacts: &[&Client<'_>], handle: &str, status: &str) {
    for (index, client) in contacts.iter().enumerate() {
        assert_eq!(
            presence_seen(client, handle).await.as_deref(),
            Some(status),
            "contact number {index} sees {handle}"
        );
    }
}

/// The `Update(Presence)` deliveries signed by `person` on `instance`:
/// (activity, inbox).
async fn presence_deliveries(instance: &TestInstance, person: &str) -> Vec<(Value, String)> {
    let actor = instance
        .known_actor(&instance.url(&format!("/users/{person}")))
        .await;
    instance
        .store()
        .deliveries_signed_by(actor.id)
        .await
        .expect("deliveries")
        .into_iter()
        .map(|(body, inbox)| (serde_json::from_str::<Value>(&body).expect("json"), inbox))
        .filter(|(activity, _)| activity["object"]["type"] == "Presence")
        .collect()
}

/// Runs delivery on `instances` until `client`'s list shows `handle` in
/// `state` (a delivery retried after a failure included), bounded.
async fn settles_to(instances: &[&TestInstance], client: &Client<'_>, handle: &str, state: &str) {
    let seen = wait_until(std::time::Duration::from_secs(20), || async {
        deliver_all(instances).await;
        let book = book(client).await;
        (entry(&book, handle).and_then(|e| e["state"].as_str()) == Some(state)).then_some(())
    })
    .await;
    assert!(
        seen.is_some(),
        "{handle} never {state}: {}",
        book(client).await
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn presence_only_for_contacts_and_blocking_across_three_instances() {
    for engine in engines() {
        let idle = |s: &mut preau::config::Settings| s.accounts.presence_idle_minutes = 10;
        let a = start_fast(engine, None, idle).await;
        let b = start_fast(engine, None, idle).await;
        let c = start_fast(engine, None, idle).await;
        let all = [&a, &b, &c];
        let ana_api = Client::teacher(&a, "ana", false).await;
        let dan_api = Client::teacher(&a, "dan", false).await;
        let odile_api = Client::teacher(&a, "odile", false).await;
        let bob_api = Client::teacher(&b, "bob", false).await;
        let bea_api = Client::teacher(&b, "bea", false).await;
        let cleo_api = Client::teacher(&c, "cleo", false).await;
        let eli_api = Client::teacher(&c, "eli", false).await;
        let ana_handle = format!("ana@{}", a.domain);
        let odile_handle = format!("odile@{}", a.domain);
        let cleo_handle = format!("cleo@{}", c.domain);
        let eli_handle = format!("eli@{}", c.domain);

        // Ana asks Dan (here), Bob and Bea (B) and Cléo (C); each accepts.
        for (handle, answerer) in [
            (format!("dan@{}", a.domain), &dan_api),
            (format!("bob@{}", b.domain), &bob_api),
            (format!("bea@{}", b.domain), &bea_api),
            (cleo_handle.clone(), &cleo_api),
        ] {
            make_contacts(&all, &ana_api, &ana_handle, answerer, &handle).await;
        }
        let ana_book = book(&ana_api).await;
        let accepted = ana_book["contacts"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|e| e["state"] == "accepted")
            .count();
        assert_eq!(accepted, 4, "{ana_book}");

        // Ana chooses "Ne pas déranger".
        let before = presence_deliveries(&a, "ana").await.len();
        let chosen = choose_presence(&ana_api, "busy").await.expect(200);
        assert_eq!(chosen["status"], "busy");
        deliver_all(&all).await;
        // Seen by her contacts: here, on B, on C.
        all_see(
            &[&dan_api, &bob_api, &bea_api, &cleo_api],
            &ana_handle,
            "busy",
        )
        .await;
        // Sent once per instance (B once for Bob and Bea), to them only.
        let sent = presence_deliveries(&a, "ana").await;
        let new: Vec<&(Value, String)> = sent[before..].iter().collect();
        assert_eq!(new.len(), 2, "one delivery per instance: {new:?}");
        let to_b = new
            .iter()
            .find(|(_, inbox)| inbox.starts_with(&b.base_url))
            .expect("a delivery to B");
        let mut recipients: Vec<&str> = to_b.0["to"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(Value::as_str)
            .collect();
        recipients.sort_unstable();
        assert_eq!(
            recipients,
            vec![b.url("/users/bea").as_str(), b.url("/users/bob").as_str()]
        );
        for (activity, _) in &new {
            let text = activity.to_string();
            assert!(
                !text.contains("#Public") && !text.contains("as:Public"),
                "{text}"
            );
            assert_eq!(activity["object"]["presenceStatus"], "busy");
        }
        assert!(new.iter().any(|(_, inbox)| inbox.starts_with(&c.base_url)));
        // The same status again changes nothing: nothing sent.
        choose_presence(&ana_api, "busy").await.expect(200);
        assert_eq!(presence_deliveries(&a, "ana").await.len(), sent.len());

        // Nobody else sees it: a teacher here who is no contact, a teacher
        // of C (which stores it, for Cléo) who is no contact, anonymous
        // readers of the profile and the actor document.
        assert!(entry(&book(&odile_api).await, &ana_handle).is_none());
        let odile = Client::anonymous(&a).log_in_pages("odile").await;
        let page = odile.page("/users/ana").await;
        // (Her own header offers the three statuses; the profile shows
        // none of Ana's.)
        assert!(!page.contains("data-presence-of"), "{page}");
        assert!(!page.contains("class=\"presence presence-"), "{page}");
        let dan = Client::anonymous(&a).log_in_pages("dan").await;
        let page = dan.page("/users/ana").await;
        assert!(page.contains("class=\"presence presence-busy\""), "{page}");
        let eli = Client::anonymous(&c).log_in_pages("eli").await;
        let answer = eli.get(&format!("/@{ana_handle}")).await;
        assert_eq!(answer.status, 200, "{}", answer.text);
        // Logged in, Eli is offered to ask Ana (so the page did look at
        // where they stand), and sees no presence.
        assert!(
            answer.text.contains("Demander en contact"),
            "{}",
            answer.text
        );
        assert!(!answer.text.contains("data-presence-of"), "{}", answer.text);
        let cleo = Client::anonymous(&c).log_in_pages("cleo").await;
        let page = cleo.page(&format!("/@{ana_handle}")).await;
        assert!(page.contains("presence-busy"), "{page}");
        assert!(entry(&book(&eli_api).await, &ana_handle).is_none());
        let document = Client::anonymous(&a).get_activity("/users/ana").await;
        assert_eq!(document.status, 200);
        // Only the context names the terms; the document has no status.
        let mut person = document.json.clone();
        person.as_object_mut().unwrap().remove("@context");
        let person = person.to_string();
        assert!(!person.contains("busy"), "{person}");
        assert!(!person.to_lowercase().contains("presence"), "{person}");
        // A bad status is refused.
        choose_presence(&ana_api, "offline")
            .await
            .expect_error(422, "invalid_choice");

        // Only a person speaks for their own presence: Eli (C) claiming
        // Cléo's is refused; his own, while no teacher of A has him as a
        // contact, is not kept.
        let eli_row = c.known_actor(&c.url("/users/eli")).await;
        let eli_key = eli_row.private_key_pem.clone().unwrap();
        let cleo_id = c.url("/users/cleo");
        let presence_of = |person: &str, id: &str| {
            json!({
                "@context": "https://www.w3.org/ns/activitystreams",
                "id": c.url(id),
                "type": "Update",
                "actor": eli_row.ap_id,
                "to": [a.url("/users/ana")],
                "object": {
                    "id": format!("{person}#presence"),
                    "type": "Presence",
                    "attributedTo": person,
                    "presenceStatus": "busy",
                    "updated": "2030-01-01T00:00:00.000Z"
                }
            })
        };
        let key_id = format!("{}#main-key", eli_row.ap_id);
        let forged = post_signed(
            &a.url("/inbox"),
            &presence_of(&cleo_id, "/activities/forged-presence"),
            &key_id,
            &eli_key,
            std::time::SystemTime::now(),
            |_, _| {},
        )
        .await;
        forged.expect_error(403, "not_own_actor");
        let own = post_signed(
            &a.url("/inbox"),
            &presence_of(&eli_row.ap_id, "/activities/own-presence"),
            &key_id,
            &eli_key,
            std::time::SystemTime::now(),
            |_, _| {},
        )
        .await;
        assert_eq!(own.status, 202, "{}", own.text);
        let eli_on_a = a.known_actor(&eli_row.ap_id).await;
        assert!(a.store().presence(eli_on_a.id).await.unwrap().is_none());
        assert_eq!(presence_seen(&ana_api, &cleo_handle).await, None);

        // Idle past the instance's 10 minutes: shown "Absent", told once
        // per instance; back on her next request, as she chose.
        a.advance_clock(std::time::Duration::from_secs(11 * 60));
        let turned = a.running.state.domain.mark_idle_teachers().await.unwrap();
        assert!(turned >= 1, "Ana turned idle");
        assert_eq!(
            a.running.state.domain.mark_idle_teachers().await.unwrap(),
            0
        );
        deliver_all(&all).await;
        let sent_idle = presence_deliveries(&a, "ana").await;
        assert_eq!(sent_idle.len(), sent.len() + 2, "one per instance");
        assert!(sent_idle[sent.len()..]
            .iter()
            .all(|(activity, _)| activity["object"]["presenceStatus"] == "away"));
        all_see(&[&bob_api, &cleo_api, &dan_api], &ana_handle, "away").await;
        // Her choice is kept: back with any request, "Ne pas déranger".
        ana_api.get("/api/v1/contacts").await.expect(200);
        deliver_all(&all).await;
        all_see(&[&bob_api, &dan_api], &ana_handle, "busy").await;
        assert_eq!(presence_deliveries(&a, "ana").await.len(), sent.len() + 4);

        // Blocking. Refusals first.
        ana_api
            .post(&format!("/api/v1/blocks/{ana_handle}"), json!({}))
            .await
            .expect_error(422, "block_self");
        ana_api
            .call(reqwest::Method::DELETE, "/api/v1/blocks/odile", None)
            .await
            .expect_error(409, "not_blocked");

        // Ana blocks Eli (C, no contact): Eli's request is refused, and
        // Ana never sees it.
        let blocked = ana_api
            .post(&format!("/api/v1/blocks/{eli_handle}"), json!({}))
            .await
            .expect(200);
        assert_eq!(
            blocked["blocked"][0]["person"]["handle"],
            eli_handle.as_str()
        );
        ana_api
            .post(&format!("/api/v1/blocks/{eli_handle}"), json!({}))
            .await
            .expect_error(409, "already_blocked");
        eli_api
            .post("/api/v1/contacts", json!({"handle": ana_handle}))
            .await
            .expect(202);
        settles_to(&all, &eli_api, &ana_handle, "refused").await;
        assert_eq!(request_from(&ana_api, &eli_handle).await, None);
        // The directory offers "Ajouter aux contacts" for colleagues one
        // has nothing with (Cléo, for Eli), not for oneself.
        let found = eli.page("/directory?kind=people&q=cleo").await;
        assert!(
            found.contains(&format!("name=\"handle\" value=\"{cleo_handle}\"")),
            "{found}"
        );
        assert!(found.contains("Ajouter aux contacts"), "{found}");
        let found = eli.page("/directory?kind=people&q=eli").await;
        assert!(found.contains(&eli_handle), "{found}");
        assert!(!found.contains("Ajouter aux contacts"), "{found}");
        let notifications = ana_api.get_json("/api/v1/notifications").await.to_string();
        assert!(!notifications.contains(&eli_handle), "{notifications}");
        ana_api
            .post("/api/v1/contacts", json!({"handle": eli_handle}))
            .await
            .expect_error(409, "person_blocked");

        // Ana blocks Cléo, a contact: gone on both sides, then Cléo's new
        // request is refused too; presence no longer goes to C.
        ana_api
            .post(&format!("/api/v1/blocks/{cleo_handle}"), json!({}))
            .await
            .expect(200);
        deliver_all(&all).await;
        assert!(entry(&book(&ana_api).await, &cleo_handle).is_none());
        assert!(entry(&book(&cleo_api).await, &ana_handle).is_none());
        cleo_api
            .post("/api/v1/contacts", json!({"handle": ana_handle}))
            .await
            .expect(202);
        settles_to(&all, &cleo_api, &ana_handle, "refused").await;
        assert_eq!(request_from(&ana_api, &cleo_handle).await, None);
        let count_before = presence_deliveries(&a, "ana").await.len();
        choose_presence(&ana_api, "available").await.expect(200);
        deliver_all(&all).await;
        let after_block = presence_deliveries(&a, "ana").await;
        assert_eq!(after_block.len(), count_before + 1, "only B now");
        assert!(after_block[count_before].1.starts_with(&b.base_url));
        assert_eq!(presence_seen(&cleo_api, &ana_handle).await, None);

        // Here: Ana blocks Odile; Odile's request shows refused on her
        // side and never reaches Ana; the one predicate says so.
        ana_api
            .post("/api/v1/blocks/odile", json!({}))
            .await
            .expect(200);
        odile_api
            .post("/api/v1/contacts", json!({"handle": "ana"}))
            .await
            .expect(202);
        assert_eq!(
            entry(&book(&odile_api).await, &ana_handle).map(|e| e["state"].clone()),
            Some(json!("refused"))
        );
        assert_eq!(request_from(&ana_api, &odile_handle).await, None);
        let ana_id = a.known_actor(&a.url("/users/ana")).await.id;
        let odile_id = a.known_actor(&a.url("/users/odile")).await.id;
        let domain = &a.running.state.domain;
        assert!(domain.blocks(ana_id, odile_id).await.unwrap());
        assert!(!domain.blocks(odile_id, ana_id).await.unwrap());
        assert!(domain.blocked_between(odile_id, ana_id).await.unwrap());
        // The contacts page lists the people blocked, with "Débloquer".
        let ana = Client::anonymous(&a).log_in_pages("ana").await;
        let page = ana.page("/contacts").await;
        assert!(page.contains("Personnes bloquées"), "{page}");
        assert!(
            page.contains(&format!("data-person=\"{odile_handle}\"")),
            "{page}"
        );
        assert!(page.contains("Débloquer"), "{page}");
        // Unblocked, Odile may ask again.
        let listed = ana_api
            .call(reqwest::Method::DELETE, "/api/v1/blocks/odile", None)
            .await
            .expect(200);
        assert_eq!(listed["blocked"].as_array().unwrap().len(), 2);
        assert!(!domain.blocks(ana_id, odile_id).await.unwrap());

        a.stop().await;
        b.stop().await;
        c.stop().await;
    }
}
