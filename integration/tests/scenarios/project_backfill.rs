//! A project found and joined from another instance gets what was shared
//! before: Anne (A) opens a thread with a reply, adds an event and shares
//! a document; Bea (B) finds the project from her directory by its
//! handle, asks to join, is accepted, and B's pages then show the thread,
//! the reply, the event and the document (its bytes fetched from A).
//! Carl's instance (C), without members, cannot read any of it, until
//! Carl is invited and accepts: then C gets the past too. Lookups that
//! fail say why with a stable code.

use super::forums::{teacher, wait_for};
use super::projects::submit;
use super::support::{client::Client, *};
use preau::domain::store::projects::MemberState;

async fn signed_status(instance: &TestInstance, url: &str) -> u16 {
    preau::apub::projects::signed_get_status(&instance.running.state, url).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_late_member_instance_gets_the_projects_past() {
    for engine in engines() {
        let a = start_fast(engine, None, |_| {}).await;
        let b = start_fast(engine, None, |_| {}).await;
        let c = start_fast(engine, None, |_| {}).await;
        teacher(&a, "anne", false).await;
        teacher(&b, "bea", false).await;
        teacher(&c, "carl", false).await;
        let anne = Client::anonymous(&a).log_in_pages("anne").await;
        let bea = Client::anonymous(&b).log_in_pages("bea").await;

        // Anne's project, with a past.
        let (status, body) = submit(
            &anne,
            "/projects/new",
            "/projects",
            &[
                ("name", "atelier"),
                ("title", "Atelier robotique"),
                ("description", "Des robots en classe"),
                ("visibility", "public"),
                ("status", "running"),
                ("join_mode", "request"),
            ],
        )
        .await;
        assert_eq!(status, 303, "{body}");
        let (status, body) = submit(
            &anne,
            "/projects/atelier/forum",
            "/projects/atelier/threads",
            &[
                ("title", "Choix des cartes"),
                ("body", "Arduino ou **micro:bit** ?"),
            ],
        )
        .await;
        assert_eq!(status, 303, "{body}");
        let store_a = a.store();
        let project_a = store_a.local_project("atelier").await.unwrap().unwrap();
        let thread = store_a.project_threads(project_a.actor.id).await.unwrap()[0]
            .post
            .clone();
        let (status, body) = submit(
            &anne,
            "/projects/atelier/forum",
            &format!("/projects/atelier/threads/{}/replies", thread.id),
            &[("body", "Plutôt micro:bit, moins cher.")],
        )
        .await;
        assert_eq!(status, 303, "{body}");
        let (status, body) = submit(
            &anne,
            "/projects/atelier/agenda",
            "/projects/atelier/events",
            &[
                ("title", "Atelier de montage"),
                ("starts", "2027-03-10T14:00"),
                ("ends", "2027-03-10T16:00"),
            ],
        )
        .await;
        assert_eq!(status, 303, "{body}");
        let pdf = b"%PDF-1.4 fiche de montage\n".repeat(50);
        let answer = anne
            .upload(
                "/projects/atelier/documents",
                "/projects/atelier/documents",
                "fiche-montage.pdf",
                &pdf,
                None,
            )
            .await;
        assert_eq!(answer.status, 303, "{}", answer.text);

        // Bea finds the project from her directory, by its handle and by
        // its address; it opens on her instance.
        let handle = format!("atelier@{}", a.domain);
        let remote_path = format!("/projects/{handle}");
        let answer = bea
            .submit("/directory", "/directory/lookup", &[("handle", &handle)])
            .await;
        assert_eq!(answer.status, 303, "{}", answer.text);
        assert_eq!(answer.location.as_deref(), Some(remote_path.as_str()));
        let answer = bea
            .submit(
                "/directory",
                "/directory/lookup",
                &[("handle", &a.url("/projects/atelier"))],
            )
            .await;
        assert_eq!(answer.status, 303, "{}", answer.text);
        assert_eq!(answer.location.as_deref(), Some(remote_path.as_str()));
        let page = bea.page(&b.url(&remote_path)).await;
        assert!(page.contains("Atelier robotique"), "{page}");
        assert!(
            page.contains("/join\"") && page.contains("Demander à rejoindre"),
            "the join action is offered: {page}"
        );
        // Known now, it is listed in B's directory with its instance.
        let listed = bea
            .page(&b.url("/directory?kind=projects&q=robotique"))
            .await;
        assert!(listed.contains("Atelier robotique"), "{listed}");
        assert!(listed.contains(&handle), "{listed}");

        // Lookups that fail say why.
        let answer = bea
            .submit(
                "/directory",
                "/directory/lookup",
                &[("handle", &format!("personne@{}", a.domain))],
            )
            .await;
        assert_eq!(answer.status, 404, "{}", answer.text);
        assert!(answer.text.contains("data-error-code=\"handle_unknown\""));
        let closed = bind_loopback().await;
        let closed_host = format!("localhost:{}", closed.local_addr().unwrap().port());
        drop(closed);
        let answer = bea
            .submit(
                "/directory",
                "/directory/lookup",
                &[("handle", &format!("atelier@{closed_host}"))],
            )
            .await;
        assert_eq!(answer.status, 502, "{}", answer.text);
        assert!(
            answer.text.contains("data-error-code=\"host_unreachable\""),
            "{}",
            answer.text
        );
        let (status, body) = submit(
            &bea,
            "/projects",
            "/projects/lookup",
            &[("handle", &format!("anne@{}", a.domain))],
        )
        .await;
        assert_eq!(status, 404, "{body}");
        assert!(body.contains("projet"), "{body}");

        // Before joining, B holds none of the project's content, and
        // neither B nor C may read it.
        let content_url = a.url("/projects/atelier/content");
        assert_eq!(signed_status(&b, &content_url).await, 403);
        assert_eq!(signed_status(&c, &content_url).await, 403);
        assert_eq!(signed_status(&c, &thread.ap_id).await, 403);
        assert_eq!(
            Client::stranger().get_activity(&content_url).await.status,
            401
        );

        // Bea asks to join from her instance; Anne accepts.
        let (status, body) = submit(&bea, &remote_path, &format!("{remote_path}/join"), &[]).await;
        assert_eq!(status, 303, "{body}");
        let bea_id = b.url("/users/bea");
        let bea_on_a = wait_until(crate::support::PATIENCE, || async {
            deliver_all(&[&a, &b]).await;
            let bea = store_a.actor_by_ap_id(&bea_id).await.unwrap()?;
            let member = store_a.member(project_a.actor.id, bea.id).await.unwrap()?;
            (member.state == MemberState::Requested).then_some(bea)
        })
        .await
        .expect("the request reaches A");
        let (status, body) = submit(
            &anne,
            "/requests",
            &format!("/projects/atelier/members/{}", bea_on_a.id.0),
            &[("action", "accept")],
        )
        .await;
        assert_eq!(status, 303, "{body}");

        // B's pages show what was shared before.
        let project_id = a.url("/projects/atelier");
        wait_for("B shows the earlier thread", || async {
            deliver_all(&[&a, &b]).await;
            bea.page(&b.url(&format!("{remote_path}/forum")))
                .await
                .contains("Choix des cartes")
        })
        .await;
        let store_b = b.store();
        let project_b = store_b
            .project_by_ap_id(&project_id)
            .await
            .unwrap()
            .unwrap();
        let thread_b = store_b
            .project_post_by_ap_id(&thread.ap_id)
            .await
            .unwrap()
            .unwrap();
        let anne_b = store_b
            .actor_by_ap_id(&a.url("/users/anne"))
            .await
            .unwrap()
            .unwrap();
        assert_eq!(thread_b.author_id, anne_b.id, "stored as Anne's");
        assert_eq!(thread_b.published_at, thread.published_at);
        wait_for("B shows the earlier reply", || async {
            bea.page(&b.url(&format!("{remote_path}/threads/{}", thread_b.id)))
                .await
                .contains("Plutôt micro:bit, moins cher.")
        })
        .await;
        wait_for("B shows the earlier event", || async {
            bea.page(&b.url(&format!("{remote_path}/agenda")))
                .await
                .contains("Atelier de montage")
        })
        .await;
        let version_id = wait_until(crate::support::PATIENCE, || async {
            let documents = store_b.project_documents(project_b.actor.id).await.unwrap();
            documents.first().map(|d| d.versions[0].0.id)
        })
        .await
        .expect("B lists the earlier document");
        let page = bea.page(&b.url(&format!("{remote_path}/documents"))).await;
        assert!(page.contains("fiche-montage.pdf"), "{page}");
        let response = bea
            .get(&b.url(&format!("{remote_path}/documents/{version_id}")))
            .await;
        assert_eq!(response.status, 200);
        assert_eq!(response.text.as_bytes(), pdf.as_slice());
        // The past arrives as it was, without a notification for each item.
        let notifications = bea.page(&b.url("/notifications")).await;
        assert!(
            !notifications.contains("Choix des cartes"),
            "{notifications}"
        );
        assert!(
            store_b
                .content_backfilled_at(project_b.actor.id)
                .await
                .unwrap()
                .is_some(),
            "the backfill is recorded"
        );

        // C, without members, still cannot read it.
        assert_eq!(signed_status(&b, &content_url).await, 200);
        assert_eq!(signed_status(&c, &content_url).await, 403);
        assert_eq!(signed_status(&c, &thread.ap_id).await, 403);
        let state_on_b = store_b
            .member(
                project_b.actor.id,
                store_b.actor_by_ap_id(&bea_id).await.unwrap().unwrap().id,
            )
            .await
            .unwrap()
            .map(|m| m.state);
        assert_eq!(state_on_b, Some(MemberState::Member));

        // Carl is invited and accepts: C, whose first member he is, gets
        // the past too, Bea's instance serving nothing of it.
        let (status, body) = submit(
            &anne,
            "/projects/atelier",
            "/projects/atelier/invite",
            &[("handle", &format!("carl@{}", c.domain))],
        )
        .await;
        assert_eq!(status, 303, "{body}");
        let carl = Client::anonymous(&c).log_in_pages("carl").await;
        wait_for("the invitation reaches C", || async {
            deliver_all(&[&a, &c]).await;
            carl.page(&c.url("/requests"))
                .await
                .contains("Atelier robotique")
        })
        .await;
        // While he is invited, Anne opens a thread naming him: C has no
        // member yet, so only its reading of the past brings it, and it is
        // news there (written after C heard of him): Carl is notified.
        let (status, body) = submit(
            &anne,
            "/projects/atelier/forum",
            "/projects/atelier/threads",
            &[
                ("title", "Les piles"),
                ("body", &format!("Qui les apporte, @carl@{} ?", c.domain)),
            ],
        )
        .await;
        assert_eq!(status, 303, "{body}");
        let (status, body) = submit(
            &carl,
            "/requests",
            &format!("{remote_path}/answer"),
            &[("action", "accept"), ("handle", "requests")],
        )
        .await;
        assert_eq!(status, 303, "{body}");
        wait_for("C shows the earlier thread and event", || async {
            deliver_all(&[&a, &b, &c]).await;
            carl.page(&c.url(&format!("{remote_path}/forum")))
                .await
                .contains("Choix des cartes")
                && carl
                    .page(&c.url(&format!("{remote_path}/agenda")))
                    .await
                    .contains("Atelier de montage")
        })
        .await;
        assert_eq!(signed_status(&c, &content_url).await, 200);
        wait_for("C shows the thread naming Carl", || async {
            deliver_all(&[&a, &b, &c]).await;
            carl.page(&c.url(&format!("{remote_path}/forum")))
                .await
                .contains("Les piles")
        })
        .await;
        let notifications = carl.page(&c.url("/notifications")).await;
        assert_eq!(
            notifications
                .matches("vous a mentionné·e dans « Les piles »")
                .count(),
            1,
            "Carl is notified once of the thread naming him: {notifications}"
        );
        assert!(
            !notifications.contains("Choix des cartes"),
            "{notifications}"
        );

        a.stop().await;
        b.stop().await;
        c.stop().await;
    }
}

/// A fake project host whose content collection never ends: pages of 50
/// items, each page linking to the next, each item an object that does not
/// exist. Returns its origin and the counts of pages and objects served.
/// Not a Préau route, so axum's own extractors are fine here.
#[allow(clippy::disallowed_types)]
async fn endless_project_host(
    pem: String,
) -> (
    String,
    std::sync::Arc<std::sync::atomic::AtomicUsize>,
    std::sync::Arc<std::sync::atomic::AtomicUsize>,
) {
    use axum::{
        extract::{Path, Query},
        http::{header, StatusCode},
        response::IntoResponse,
        routing::get,
        Router,
    };
    use serde_json::json;
    use std::{
        collections::HashMap,
        sync::{atomic::Ordering, Arc},
    };
    let listener = bind_loopback().await;
    let origin = format!("http://localhost:{}", listener.local_addr().unwrap().port());
    let pages = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let objects = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let activity = |value: serde_json::Value| {
        (
            [(header::CONTENT_TYPE, "application/activity+json")],
            value.to_string(),
        )
            .into_response()
    };
    let base = origin.clone();
    let group = move || {
        let id = format!("{base}/projects/p");
        async move {
            activity(json!({
                "@context": ["https://www.w3.org/ns/activitystreams", "https://w3id.org/security/v1"],
                "id": id,
                "type": "Group",
                "preferredUsername": "p",
                "name": "Sans fin",
                "inbox": format!("{id}/inbox"),
                "groupKind": "project",
                "projectContent": format!("{id}/content"),
                "publicKey": {"id": format!("{id}#main-key"), "owner": id, "publicKeyPem": pem},
            }))
        }
    };
    let base = origin.clone();
    let served = pages.clone();
    let content = move |Query(query): Query<HashMap<String, String>>| {
        let base = base.clone();
        let served = served.clone();
        async move {
            let asked = query.get("page").and_then(|p| p.parse::<usize>().ok());
            let page = asked.unwrap_or(0);
            let id = match asked {
                Some(page) => format!("{base}/projects/p/content?page={page}"),
                None => format!("{base}/projects/p/content"),
            };
            served.fetch_add(1, Ordering::SeqCst);
            let items: Vec<String> = (0..50)
                .map(|i| format!("{base}/objects/{page}-{i}"))
                .collect();
            activity(json!({
                "id": id,
                "type": "OrderedCollectionPage",
                "orderedItems": items,
                "next": format!("{base}/projects/p/content?page={}", page + 1),
            }))
        }
    };
    let fetched = objects.clone();
    let object = move |Path(_): Path<String>| {
        let fetched = fetched.clone();
        async move {
            fetched.fetch_add(1, Ordering::SeqCst);
            StatusCode::NOT_FOUND.into_response()
        }
    };
    let app = Router::new()
        .route("/projects/p", get(group))
        .route("/projects/p/content", get(content))
        .route("/objects/{id}", get(object));
    tokio::spawn(async move {
        axum::serve(listener, app).await.unwrap();
    });
    (origin, pages, objects)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_hostile_host_cannot_make_a_member_instance_fetch_without_end() {
    use preau::apub::project_backfill::{MAX_FETCHES, MAX_PAGES};
    use std::sync::atomic::Ordering;
    for engine in engines() {
        let b = start_fast(engine, None, |_| {}).await;
        teacher(&b, "bea", false).await;
        let document = Client::stranger()
            .get_activity(&b.url("/users/bea"))
            .await
            .json;
        let pem = document["publicKey"]["publicKeyPem"]
            .as_str()
            .unwrap()
            .to_string();
        let (origin, pages, objects) = endless_project_host(pem).await;
        let data = b.running.federation.to_request_data();
        let actor = preau::web::projects::resolve_actor(&data, &format!("{origin}/projects/p"))
            .await
            .unwrap();
        let project = data.domain.project_of_actor(&actor).await.unwrap().unwrap();
        let stored = preau::apub::project_backfill::backfill_project(&data, &project)
            .await
            .unwrap();
        assert_eq!(stored, 0);
        let pages = pages.load(Ordering::SeqCst);
        let objects = objects.load(Ordering::SeqCst);
        assert_eq!(pages, MAX_PAGES, "pages read");
        assert_eq!(objects, MAX_FETCHES, "objects fetched");
        b.stop().await;
    }
}
