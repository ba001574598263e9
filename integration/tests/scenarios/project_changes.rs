//! Editing and deleting what members shared in a project, across two
//! instances: authors edit and delete their posts, events and documents
//! from either side and the change reaches the other instance; someone
//! who is not the author gets `not_content_author`; the owner deletes a
//! member's post; the pages' edit form (with its preview) and the
//! confirmation step before a deletion; and forged or stale changes
//! signed by an instance that does not speak for the author are refused.

use super::forums::post_signed;
use super::support::{client::Client, *};
use reqwest::Method;
use serde_json::{json, Value};

/// The item of `list` (`threads`, `events`, `documents`) with `ap_id`.
async fn item(client: &Client<'_>, path: &str, list: &str, ap_id: &str) -> Option<Value> {
    let body = client.get_json(path).await;
    body[list]
        .as_array()?
        .iter()
        .find(|item| item["ap_id"] == ap_id)
        .cloned()
}

/// Waits until the item `ap_id` of `list` passes `check` (`None`: gone).
async fn wait_item(
    instances: &[&TestInstance],
    client: &Client<'_>,
    path: &str,
    list: &str,
    ap_id: &str,
    what: &str,
    check: impl Fn(Option<&Value>) -> bool,
) {
    after_delivery(instances, what, || async {
        check(item(client, path, list, ap_id).await.as_ref())
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn authors_edit_and_delete_what_they_shared_everywhere() {
    for engine in engines() {
        let (host, other) = start_pair(engine).await;
        let both = [&host, &other];
        let anne = Client::teacher(&host, "anne", false).await;
        let dora = Client::teacher(&host, "dora", false).await;
        let bea = Client::teacher(&other, "bea", false).await;
        let remote = format!("eco@{}", host.domain);

        anne.post(
            "/api/v1/projects",
            json!({"name": "eco", "title": "Éco-délégués"}),
        )
        .await
        .expect(201);
        for handle in [format!("bea@{}", other.domain), "dora".to_string()] {
            anne.post("/api/v1/projects/eco/invite", json!({ "handle": handle }))
                .await
                .expect(201);
        }
        dora.post("/api/v1/projects/eco/answer", json!({"accept": true}))
            .await
            .expect(200);
        after_delivery(&both, "the invitation reaches bea", || async {
            bea.get(&format!("/api/v1/projects/lookup?handle={remote}"))
                .await
                .json["me"]["state"]
                == "invited"
        })
        .await;
        bea.post(
            &format!("/api/v1/projects/{remote}/answer"),
            json!({"accept": true}),
        )
        .await
        .expect(200);
        after_delivery(&both, "the host counts bea in", || async {
            let view = anne.get_json("/api/v1/projects/eco").await;
            view["members"].as_array().is_some_and(|m| m.len() == 3)
        })
        .await;

        // Bea opens a thread from her instance; it reaches the host.
        let theirs = format!("/api/v1/projects/{remote}");
        let thread = bea
            .post(
                &format!("{theirs}/threads"),
                json!({"title": "Sortie", "body": "Le 12 mars ?"}),
            )
            .await
            .expect(201);
        let ap_id = thread["ap_id"].as_str().unwrap().to_string();
        let host_threads = "/api/v1/projects/eco/threads";
        wait_item(
            &both,
            &anne,
            host_threads,
            "threads",
            &ap_id,
            "the thread reaches the host",
            |t| t.is_some(),
        )
        .await;
        let on_host = item(&anne, host_threads, "threads", &ap_id).await.unwrap();
        let host_id = on_host["id"].as_i64().unwrap();

        // She edits it; the change reaches the host.
        let edited = bea
            .call(
                Method::PUT,
                &format!("{theirs}/posts/{}", thread["id"]),
                Some(json!({
                    "title": "Sortie au marais",
                    "body": format!("Le **19** mars, @anne@{} ?", host.domain)
                })),
            )
            .await
            .expect(200);
        assert_eq!(edited["title"], "Sortie au marais");
        // The edit keeps naming people as a new post does.
        let anne_link = format!(">@anne@{}</a>", host.domain);
        assert!(
            edited["content_html"]
                .as_str()
                .unwrap()
                .contains(&anne_link),
            "{edited}"
        );
        wait_item(
            &both,
            &anne,
            host_threads,
            "threads",
            &ap_id,
            "the edit reaches the host",
            |t| t.is_some_and(|t| t["title"] == "Sortie au marais"),
        )
        .await;
        let shown = anne
            .get_json(&format!("/api/v1/projects/eco/threads/{host_id}"))
            .await;
        let html = shown["thread"]["content_html"].as_str().unwrap();
        assert!(html.contains("<strong>19</strong>"), "{html}");
        assert!(
            html.contains(&format!("href=\"{}\"", host.url("/users/anne"))),
            "{html}"
        );

        // Nobody else edits it; a member who does not moderate does not
        // delete it.
        anne.call(
            Method::PUT,
            &format!("/api/v1/projects/eco/posts/{host_id}"),
            Some(json!({"title": "Non", "body": "Non"})),
        )
        .await
        .expect_error(403, "not_content_author");
        dora.call(
            Method::DELETE,
            &format!("/api/v1/projects/eco/posts/{host_id}"),
            None,
        )
        .await
        .expect_error(403, "not_content_author");
        anne.call(
            Method::PUT,
            "/api/v1/projects/eco/posts/999999",
            Some(json!({"title": "Non", "body": "Non"})),
        )
        .await
        .expect_error(404, "not_found");

        // A forged change signed by Bea's instance about Anne's thread is
        // refused: Bea's instance does not speak for Anne.
        let anne_thread = anne
            .post(
                "/api/v1/projects/eco/threads",
                json!({"title": "Ordre du jour", "body": "Points à voir"}),
            )
            .await
            .expect(201);
        let anne_ap = anne_thread["ap_id"].as_str().unwrap().to_string();
        forgeries_are_refused(&host, &other, &anne_ap).await;

        // The owner deletes Bea's thread; it is deleted on her instance.
        anne.call(
            Method::DELETE,
            &format!("/api/v1/projects/eco/posts/{host_id}"),
            None,
        )
        .await
        .expect(204);
        let their_threads = format!("{theirs}/threads");
        wait_item(
            &both,
            &bea,
            &their_threads,
            "threads",
            &ap_id,
            "the deletion reaches bea",
            |t| t.is_none_or(|t| t["deleted"] == true),
        )
        .await;

        events_change_from_the_member_instance(&host, &other, &anne, &bea, &theirs).await;
        documents_are_renamed_and_deleted(&host, &other, &anne, &bea, &theirs).await;
        pages_edit_with_a_preview_and_confirm_deletions(&host, &anne_thread).await;

        host.stop().await;
        other.stop().await;
    }
}

/// Bea's instance signs a `Delete` and an `Update` of Anne's thread and
/// sends them to the host: both refused, the thread unchanged.
async fn forgeries_are_refused(host: &TestInstance, other: &TestInstance, anne_ap: &str) {
    let bea = other
        .store()
        .local_actor_by_name("bea")
        .await
        .unwrap()
        .unwrap();
    let key = bea.private_key_pem.clone().unwrap();
    let project = host.url("/projects/eco");
    let members = format!("{project}/members");
    let sign = |body: Value| {
        let key = key.clone();
        let key_id = format!("{}#main-key", bea.ap_id);
        let inbox = host.url("/inbox");
        async move {
            post_signed(
                &inbox,
                &body,
                &key_id,
                &key,
                std::time::SystemTime::now(),
                |_, _| {},
            )
            .await
        }
    };
    let delete = json!({
        "@context": "https://www.w3.org/ns/activitystreams",
        "id": format!("{}/activities/forged-delete", bea.ap_id),
        "type": "Delete",
        "actor": bea.ap_id,
        "object": {"id": anne_ap, "type": "Tombstone"},
        "to": [members],
        "audience": project,
    });
    sign(delete).await.expect_error(403, "not_content_author");
    let update = json!({
        "@context": "https://www.w3.org/ns/activitystreams",
        "id": format!("{}/activities/forged-update", bea.ap_id),
        "type": "Update",
        "actor": bea.ap_id,
        "object": {
            "id": anne_ap,
            "type": "Page",
            "attributedTo": bea.ap_id,
            "name": "Piraté",
            "content": "Piraté",
            "audience": project,
            "to": [members],
        },
        "to": [members],
        "audience": project,
    });
    let answer = sign(update).await;
    assert_eq!(answer.status, 403, "{}", answer.text);
    let stored = host
        .store()
        .project_post_by_ap_id(anne_ap)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(stored.title, "Ordre du jour");
    assert!(stored.deleted_at.is_none());
}

/// Bea adds an event from her instance, edits it (a stale edit signed
/// later does not win) and deletes it: the host follows each step.
async fn events_change_from_the_member_instance(
    host: &TestInstance,
    other: &TestInstance,
    anne: &Client<'_>,
    bea: &Client<'_>,
    theirs: &str,
) {
    let both = [host, other];
    let event = bea
        .post(
            &format!("{theirs}/events"),
            json!({"title": "Visio", "starts": "2027-03-01T16:00"}),
        )
        .await
        .expect(201);
    let ap_id = event["ap_id"].as_str().unwrap().to_string();
    let host_events = "/api/v1/projects/eco/events";
    wait_item(
        &both,
        anne,
        host_events,
        "events",
        &ap_id,
        "the event reaches the host",
        |e| e.is_some(),
    )
    .await;
    let host_id = item(anne, host_events, "events", &ap_id).await.unwrap()["id"]
        .as_i64()
        .unwrap();
    anne.call(
        Method::DELETE,
        &format!("/api/v1/projects/eco/events/{host_id}"),
        None,
    )
    .await
    .expect(204);
    // The owner could delete it; Bea adds another to go on.
    let event = bea
        .post(
            &format!("{theirs}/events"),
            json!({"title": "Visio", "starts": "2027-03-01T16:00"}),
        )
        .await
        .expect(201);
    let ap_id = event["ap_id"].as_str().unwrap().to_string();
    wait_item(
        &both,
        anne,
        host_events,
        "events",
        &ap_id,
        "the second event reaches the host",
        |e| e.is_some(),
    )
    .await;
    let host_id = item(anne, host_events, "events", &ap_id).await.unwrap()["id"]
        .as_i64()
        .unwrap();
    anne.call(
        Method::PUT,
        &format!("/api/v1/projects/eco/events/{host_id}"),
        Some(json!({"title": "Non", "starts": "2027-03-01T16:00"})),
    )
    .await
    .expect_error(403, "not_content_author");
    bea.call(
        Method::PUT,
        &format!("{theirs}/events/{}", event["id"]),
        Some(json!({"title": "Visio de bilan", "starts": "2027-03-02T16:00", "location": "Salle 12"})),
    )
    .await
    .expect(200);
    wait_item(
        &both,
        anne,
        host_events,
        "events",
        &ap_id,
        "the edit reaches the host",
        |e| e.is_some_and(|e| e["title"] == "Visio de bilan" && e["location"] == "Salle 12"),
    )
    .await;

    // An older edit, signed by Bea's instance, arrives late: it loses.
    let bea_row = other
        .store()
        .local_actor_by_name("bea")
        .await
        .unwrap()
        .unwrap();
    let project = host.url("/projects/eco");
    let members = format!("{project}/members");
    let stale = json!({
        "@context": "https://www.w3.org/ns/activitystreams",
        "id": format!("{}/activities/stale-update", bea_row.ap_id),
        "type": "Update",
        "actor": bea_row.ap_id,
        "object": {
            "id": ap_id,
            "type": "Event",
            "attributedTo": bea_row.ap_id,
            "name": "Ancien titre",
            "startTime": "2027-03-01T16:00:00Z",
            "endTime": "2027-03-01T17:00:00Z",
            "audience": project,
            "to": [members],
            "updated": "2020-01-01T00:00:00Z",
        },
        "to": [members],
        "audience": project,
    });
    let answer = post_signed(
        &host.url("/inbox"),
        &stale,
        &format!("{}#main-key", bea_row.ap_id),
        bea_row.private_key_pem.as_deref().unwrap(),
        std::time::SystemTime::now(),
        |_, _| {},
    )
    .await;
    assert!(answer.status < 300, "{}", answer.text);
    let shown = item(anne, host_events, "events", &ap_id).await.unwrap();
    assert_eq!(shown["title"], "Visio de bilan");

    bea.call(
        Method::DELETE,
        &format!("{theirs}/events/{}", event["id"]),
        None,
    )
    .await
    .expect(204);
    wait_item(
        &both,
        anne,
        host_events,
        "events",
        &ap_id,
        "the deletion reaches the host",
        |e| e.is_none(),
    )
    .await;
}

/// Anne shares a document on the host, renames it and deletes it: Bea's
/// instance follows; Bea cannot rename it.
async fn documents_are_renamed_and_deleted(
    host: &TestInstance,
    other: &TestInstance,
    anne: &Client<'_>,
    bea: &Client<'_>,
    theirs: &str,
) {
    let both = [host, other];
    let pages = Client::log_in(host, "anne")
        .await
        .log_in_pages("anne")
        .await;
    let answer = pages
        .upload(
            "/projects/eco/documents",
            "/projects/eco/documents",
            "programme.pdf",
            b"%PDF-1.4 programme",
            None,
        )
        .await;
    assert_eq!(answer.status, 303, "{}", answer.text);
    let list = anne.get_json("/api/v1/projects/eco/documents").await;
    let document = list["documents"][0].clone();
    let ap_id = document["ap_id"].as_str().unwrap().to_string();
    let id = document["id"].as_i64().unwrap();
    let their_documents = format!("{theirs}/documents");
    wait_item(
        &both,
        bea,
        &their_documents,
        "documents",
        &ap_id,
        "the document reaches bea",
        |d| d.is_some(),
    )
    .await;
    let their_id = item(bea, &their_documents, "documents", &ap_id)
        .await
        .unwrap()["id"]
        .as_i64()
        .unwrap();
    bea.call(
        Method::PUT,
        &format!("{theirs}/documents/{their_id}"),
        Some(json!({"name": "Non"})),
    )
    .await
    .expect_error(403, "not_content_author");
    anne.call(
        Method::PUT,
        &format!("/api/v1/projects/eco/documents/{id}"),
        Some(json!({"name": "Programme de la sortie"})),
    )
    .await
    .expect(204);
    wait_item(
        &both,
        bea,
        &their_documents,
        "documents",
        &ap_id,
        "the new name reaches bea",
        |d| d.is_some_and(|d| d["name"] == "Programme de la sortie"),
    )
    .await;
    let version = document["versions"][0]["id"].as_i64().unwrap();
    let confirm = pages
        .get(&format!("/projects/eco/documents/{id}/delete"))
        .await;
    assert_eq!(confirm.status, 200);
    assert!(confirm.text.contains("class=\"danger\""));
    let answer = pages
        .submit(
            &format!("/projects/eco/documents/{id}/delete"),
            &format!("/projects/eco/documents/{id}/delete"),
            &[],
        )
        .await;
    assert_eq!(answer.status, 303, "{}", answer.text);
    assert_eq!(answer.location.as_deref(), Some("/projects/eco/documents"));
    assert_eq!(
        pages
            .get(&format!("/projects/eco/documents/{version}"))
            .await
            .status,
        404,
        "the file is gone"
    );
    wait_item(
        &both,
        bea,
        &their_documents,
        "documents",
        &ap_id,
        "the deletion reaches bea",
        |d| d.is_none(),
    )
    .await;
}

/// The pages: the edit form of a thread, its preview, the notice after
/// saving; the confirmation step before deleting.
async fn pages_edit_with_a_preview_and_confirm_deletions(host: &TestInstance, thread: &Value) {
    let pages = Client::log_in(host, "anne")
        .await
        .log_in_pages("anne")
        .await;
    let id = thread["id"].as_i64().unwrap();
    let edit = format!("/projects/eco/posts/{id}/edit");
    let page = pages.page(&edit).await;
    assert!(page.contains("Points à voir"), "{page}");
    let preview = pages
        .submit(
            &edit,
            &edit,
            &[
                ("title", "Ordre du jour"),
                ("body", "*Nouveau*"),
                ("preview", "1"),
            ],
        )
        .await;
    assert_eq!(preview.status, 200);
    assert!(preview.text.contains("<em>Nouveau</em>"));
    let saved = pages
        .submit(
            &edit,
            &edit,
            &[("title", "Ordre du jour v2"), ("body", "Nouveau")],
        )
        .await;
    assert_eq!(saved.status, 303, "{}", saved.text);
    let back = saved.location.clone().unwrap();
    assert_eq!(back, format!("/projects/eco/threads/{id}"));
    let shown = pages.page(&back).await;
    assert!(
        shown.contains("Ordre du jour v2") && shown.contains("Message modifié"),
        "{shown}"
    );
    let refused = pages
        .submit(&edit, &edit, &[("title", ""), ("body", "Nouveau")])
        .await;
    assert_eq!(refused.status, 422);
    assert!(
        refused.text.contains("aria-invalid=\"true\""),
        "{}",
        refused.text
    );
    let delete = format!("/projects/eco/posts/{id}/delete");
    let confirm = pages.get(&delete).await;
    assert_eq!(confirm.status, 200);
    assert!(confirm.text.contains("Ordre du jour v2"));
    let deleted = pages.submit(&delete, &delete, &[]).await;
    assert_eq!(deleted.status, 303);
    assert_eq!(deleted.location.as_deref(), Some("/projects/eco/forum"));
}
