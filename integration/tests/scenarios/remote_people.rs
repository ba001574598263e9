//! A teacher of another instance opens here: the directory links to the
//! local page `/@name@host`, which shows their name and label, and from
//! which a contact request and a project invitation reach their instance.
//! Unknown or malformed handles end on an error page with a stable code.

use super::forums::wait_for;
use super::projects::submit;
use super::support::{client::Client, *};
use preau::domain::store::{forums::FollowState, projects::MemberState};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_remote_teacher_opens_on_ones_own_instance() {
    for engine in engines() {
        let (a, b) = start_pair(engine).await;
        Client::teacher(&a, "bea", false).await;
        Client::teacher(&b, "carl", false).await;
        let bea = Client::anonymous(&a).log_in_pages("bea").await;
        let carl = Client::anonymous(&b).log_in_pages("carl").await;
        let (status, body) = submit(
            &carl,
            "/settings/profile",
            "/settings/profile",
            &[
                ("display_name", "Carl Durand"),
                ("bio", "Professeur de *physique*."),
                ("subjects", "Physique-chimie"),
            ],
        )
        .await;
        assert_eq!(status, 303, "{body}");

        // Bea opens Carl by his handle from the directory.
        let handle = format!("carl@{}", b.domain);
        let local_page = format!("/@{handle}");
        let answer = bea
            .submit("/directory", "/directory/lookup", &[("handle", &handle)])
            .await;
        assert_eq!(answer.status, 303, "{}", answer.text);
        assert_eq!(answer.location.as_deref(), Some(local_page.as_str()));
        let directory = bea.page(&a.url("/directory?kind=people&q=carl")).await;
        assert!(
            directory.contains(&format!("href=\"&#x2f;@{handle}\"")),
            "{directory}"
        );
        assert!(!directory.contains(&b.url("/users/carl\"")), "{directory}");
        let page = bea.page(&a.url(&local_page)).await;
        assert!(page.contains("Carl Durand"), "{page}");
        assert!(page.contains("Physique-chimie"), "{page}");
        assert!(page.contains("<em>physique</em>"), "{page}");
        assert!(page.contains("class=\"trust"), "{page}");
        assert!(page.contains("Voir sur son instance"), "{page}");
        assert!(page.contains("Demander en contact"), "{page}");

        // A contact request from there reaches Carl's instance.
        let (status, body) = submit(
            &bea,
            &local_page,
            "/contacts",
            &[("handle", &handle), ("back", &local_page)],
        )
        .await;
        assert_eq!(status, 303, "{body}");
        let bea_id = a.url("/users/bea");
        let carl_id = b.url("/users/carl");
        after_delivery(&[&a, &b], "the contact request reaches B", || async {
            let store = b.store();
            let Some(from) = store.actor_by_ap_id(&bea_id).await.unwrap() else {
                return false;
            };
            let to = store.actor_by_ap_id(&carl_id).await.unwrap().unwrap();
            store.follow(from.id, to.id).await.unwrap().map(|f| f.state)
                == Some(FollowState::Pending)
        })
        .await;
        assert!(bea.page(&a.url(&local_page)).await.contains("en attente"));

        // An invitation into one of Bea's projects, chosen on the page.
        let (status, body) = submit(
            &bea,
            "/projects/new",
            "/projects",
            &[
                ("name", "meteo"),
                ("title", "Station météo"),
                ("description", "Mesures partagées"),
                ("visibility", "public"),
                ("status", "running"),
                ("join_mode", "invite"),
            ],
        )
        .await;
        assert_eq!(status, 303, "{body}");
        let project = a.store().local_project("meteo").await.unwrap().unwrap();
        let page = bea.page(&a.url(&local_page)).await;
        assert!(page.contains("Station météo"), "{page}");
        let id = project.actor.id.0.to_string();
        let (status, body) = submit(
            &bea,
            &local_page,
            &format!("{local_page}/invite"),
            &[("project", &id)],
        )
        .await;
        assert_eq!(status, 303, "{body}");
        let project_id = a.url("/projects/meteo");
        wait_for("the invitation reaches B", || async {
            deliver_all(&[&a, &b]).await;
            let store = b.store();
            let Some(project) = store.project_by_ap_id(&project_id).await.unwrap() else {
                return false;
            };
            let carl = store.actor_by_ap_id(&carl_id).await.unwrap().unwrap();
            store
                .member(project.actor.id, carl.id)
                .await
                .unwrap()
                .map(|m| m.state)
                == Some(MemberState::Invited)
        })
        .await;
        assert!(carl
            .page(&b.url("/requests"))
            .await
            .contains("Station météo"));
        // Once invited, the project is no longer offered.
        let page = bea.page(&a.url(&local_page)).await;
        assert!(!page.contains("Station météo"), "{page}");
        // The project page counts its members.
        let project_page = bea.page(&a.url("/projects/meteo")).await;
        assert!(project_page.contains("1 membre"), "{project_page}");

        // Unknown and malformed handles: an error page with its code.
        let answer = bea.get(&a.url(&format!("/@nobody@{}", b.domain))).await;
        assert_eq!(answer.status, 404, "{}", answer.text);
        assert!(answer.text.contains("data-error-code=\"handle_unknown\""));
        let answer = bea.get(&a.url("/@bad@")).await;
        assert_eq!(answer.status, 400, "{}", answer.text);
        assert!(answer.text.contains("data-error-code=\"invalid_handle\""));
        let answer = bea
            .submit("/directory", "/directory/lookup", &[("handle", "garbage")])
            .await;
        assert_eq!(answer.status, 400, "{}", answer.text);
        assert!(answer.text.contains("data-error-code=\"invalid_handle\""));
        // A visitor sees known people, and makes no lookup.
        let visitor = Client::anonymous(&a);
        let page = visitor.get(&a.url(&local_page)).await;
        assert_eq!(page.status, 200);
        assert!(page.text.contains("Connectez-vous"), "{}", page.text);
        let answer = visitor.get(&a.url(&format!("/@dora@{}", b.domain))).await;
        assert_eq!(answer.status, 404);
    }
}
