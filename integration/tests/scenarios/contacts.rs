//! Contact requests between teachers, across instances and on one: asked
//! from "Mes demandes" or a profile, answered there, shown on both sides.

use super::forums::teacher;
use super::projects::submit;
use super::support::contacts::request_from;
use super::support::{client::Client, *};
use preau::domain::store::forums::FollowState;

async fn follow_state(instance: &TestInstance, from: &str, to: &str) -> Option<FollowState> {
    let store = &instance.running.state.domain.store();
    let from = store.actor_by_ap_id(from).await.unwrap()?;
    let to = store.actor_by_ap_id(to).await.unwrap()?;
    store.follow(from.id, to.id).await.unwrap().map(|f| f.state)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn teachers_become_contacts_across_instances() {
    for engine in engines() {
        let (association, informal) = start_pair(engine).await;
        let bea_api = Client::teacher(&association, "bea", false).await;
        teacher(&informal, "carl", false).await;
        let dora_api = Client::teacher(&informal, "dora", false).await;
        let bea = Client::anonymous(&association).log_in_pages("bea").await;
        let carl = Client::anonymous(&informal).log_in_pages("carl").await;
        let dora = Client::anonymous(&informal).log_in_pages("dora").await;
        let bea_id = association.url("/users/bea");
        let carl_id = informal.url("/users/carl");

        // Bea asks Carl, on another instance, from "Mes demandes".
        let handle = format!("carl@{}", informal.domain);
        let (status, body) = submit(
            &bea,
            "/requests",
            "/contacts",
            &[("handle", handle.as_str())],
        )
        .await;
        assert_eq!(status, 303, "{body}");
        let sent = bea.page(&association.url("/requests")).await;
        assert!(
            sent.contains("Demande en attente") && sent.contains(&handle),
            "{sent}"
        );
        // Twice, or herself: refused with a reason.
        let (status, body) = submit(
            &bea,
            "/requests",
            "/contacts",
            &[("handle", handle.as_str())],
        )
        .await;
        assert_eq!(status, 409, "{body}");
        assert!(body.contains("déjà en attente"), "{body}");
        let (status, _) = submit(&bea, "/requests", "/contacts", &[("handle", "bea")]).await;
        assert_eq!(status, 422);
        after_delivery(
            &[&association, &informal],
            "Carl's instance holds the request",
            || async {
                follow_state(&informal, &bea_id, &carl_id).await == Some(FollowState::Pending)
            },
        )
        .await;
        let received = carl.page(&informal.url("/requests")).await;
        assert!(
            received.contains(&format!("bea@{}", association.domain)),
            "{received}"
        );
        let bea_on_c = informal.known_actor(&bea_id).await;
        let (status, _) = submit(
            &carl,
            "/requests",
            &format!("/contacts/{}/answer", bea_on_c.id.0),
            &[("action", "accept")],
        )
        .await;
        assert_eq!(status, 303);
        after_delivery(
            &[&association, &informal],
            "Bea's instance learns the answer",
            || async {
                follow_state(&association, &bea_id, &carl_id).await == Some(FollowState::Accepted)
            },
        )
        .await;
        let mine = bea.page(&association.url("/requests")).await;
        assert!(
            mine.contains("class=\"contact\"") && mine.contains(&handle),
            "{mine}"
        );
        let theirs = carl.page(&informal.url("/requests")).await;
        assert!(
            theirs.contains(&format!("data-person=\"bea@{}\"", association.domain)),
            "{theirs}"
        );
        // Answering a request that is not there.
        let (status, _) = submit(
            &carl,
            "/requests",
            &format!("/contacts/{}/answer", bea_on_c.id.0),
            &[("action", "accept")],
        )
        .await;
        assert_eq!(status, 409);

        // Dora asks Carl from his profile, on their own instance; Carl
        // declines.
        let profile = dora.page(&informal.url("/users/carl")).await;
        assert!(profile.contains("Demander en contact"), "{profile}");
        let (status, _) = submit(
            &dora,
            "/users/carl",
            "/contacts",
            &[("handle", "carl"), ("back", "/users/carl")],
        )
        .await;
        assert_eq!(status, 303);
        assert!(dora
            .page(&informal.url("/users/carl"))
            .await
            .contains("Demande de contact envoyée"));
        let dora_row = informal
            .running
            .state
            .domain
            .store()
            .local_actor_by_name("dora")
            .await
            .unwrap()
            .unwrap();
        let (status, _) = submit(
            &carl,
            "/requests",
            &format!("/contacts/{}/answer", dora_row.id.0),
            &[("action", "refuse")],
        )
        .await;
        assert_eq!(status, 303);
        assert_eq!(
            follow_state(&informal, &informal.url("/users/dora"), &carl_id).await,
            None
        );
        assert!(dora
            .page(&informal.url("/users/carl"))
            .await
            .contains("Demander en contact"));

        // The same through the API: Dora asks Bea, Bea accepts.
        let response = dora_api
            .post(
                &informal.url("/api/v1/contacts"),
                serde_json::json!({"handle": format!("bea@{}", association.domain)}),
            )
            .await;
        assert_eq!(response.status, 202);
        let response = dora_api
            .post(
                &informal.url("/api/v1/contacts"),
                serde_json::json!({"nickname": "bea"}),
            )
            .await;
        assert_eq!(response.status, 400, "a body without its handle");
        let dora_id = informal.url("/users/dora");
        let dora_handle = format!("dora@{}", informal.domain);
        let dora_on_b = wait_until(crate::support::PATIENCE, || {
            request_from(&bea_api, &dora_handle)
        })
        .await
        .expect("Bea's requests list Dora");
        let lists: serde_json::Value = bea_api
            .post(
                &association.url(&format!("/api/v1/contacts/{dora_on_b}/answer")),
                serde_json::json!({"accept": true}),
            )
            .await
            .json;
        assert_eq!(
            lists["contacts"].as_array().map(Vec::len),
            Some(2),
            "{lists}"
        );
        after_delivery(
            &[&association, &informal],
            "Dora's instance learns the answer",
            || async {
                follow_state(&informal, &dora_id, &bea_id).await == Some(FollowState::Accepted)
            },
        )
        .await;

        association.stop().await;
        informal.stop().await;
    }
}
