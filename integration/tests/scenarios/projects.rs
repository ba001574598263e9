//! Project spaces across three instances: a teacher on the institutional
//! node creates a project and invites teachers of the associative and
//! informal nodes; one accepts, one refuses; every instance shows each
//! state; members-only documents stay private; a removal and a leave
//! propagate. Driven through the pages, as a browser would.

use super::forums::{teacher, wait_for};
use super::support::{client::Client, *};
use preau::domain::store::projects::MemberState;
use preau_federation::TrustLevel;

async fn state_of(
    instance: &TestInstance,
    project_ap_id: &str,
    person_ap_id: &str,
) -> Option<MemberState> {
    let store = &instance.running.state.domain.store();
    let project = store.project_by_ap_id(project_ap_id).await.unwrap()?;
    let person = store.actor_by_ap_id(person_ap_id).await.unwrap()?;
    store
        .member(project.actor.id, person.id)
        .await
        .unwrap()
        .map(|m| m.state)
}

/// Submits a form of `page` as `client` (its CSRF token taken from the
/// page) and returns the answer's status and body.
pub(crate) async fn submit(
    client: &Client<'_>,
    page: &str,
    action: &str,
    fields: &[(&str, &str)],
) -> (u16, String) {
    let answer = client.submit(page, action, fields).await;
    (answer.status, answer.text)
}

/// Uploads a file through a page's multipart form as `client`; returns the
/// answer's status and body.
async fn upload_as(
    client: &Client<'_>,
    page: &str,
    action: &str,
    file_name: &str,
    bytes: &[u8],
) -> (u16, String) {
    let answer = client.upload(page, action, file_name, bytes, None).await;
    (answer.status, answer.text)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_project_spans_three_instances() {
    for engine in engines() {
        let academy = start_fast(engine, None, |settings| {
            settings.instance.trust_level = TrustLevel::Institutional;
        })
        .await;
        let association = start_fast(engine, None, |settings| {
            settings.instance.trust_level = TrustLevel::Associative;
        })
        .await;
        let informal = start_fast(engine, None, |_| {}).await;

        teacher(&academy, "anne", false).await;
        teacher(&association, "bea", false).await;
        teacher(&informal, "carl", false).await;
        teacher(&informal, "dora", false).await;
        let anne = Client::anonymous(&academy).log_in_pages("anne").await;
        let bea = Client::anonymous(&association).log_in_pages("bea").await;
        let carl = Client::anonymous(&informal).log_in_pages("carl").await;
        let dora = Client::anonymous(&informal).log_in_pages("dora").await;

        // Anne creates a project; a bad form is refused with its message
        // and creates nothing.
        let (status, body) = submit(
            &anne,
            "/projects/new",
            "/projects",
            &[
                ("name", "eco"),
                ("title", ""),
                ("visibility", "public"),
                ("status", "looking"),
                ("join_mode", "request"),
            ],
        )
        .await;
        assert_eq!(status, 422);
        assert!(
            body.contains("obligatoire") || body.contains("required"),
            "{body}"
        );
        assert!(academy
            .running
            .state
            .domain
            .store()
            .local_project("eco")
            .await
            .unwrap()
            .is_none());
        let (status, _) = submit(
            &anne,
            "/projects/new",
            "/projects",
            &[
                ("name", "eco"),
                ("title", "Éco-délégués en réseau"),
                ("description", "Un projet **inter-académique**"),
                ("subjects", "SVT, Géographie"),
                ("levels", "college"),
                ("languages", "fr, en"),
                ("place", "Rennes"),
                ("latitude", "48.11"),
                ("longitude", "-1.68"),
                ("visibility", "public"),
                ("status", "looking"),
                ("join_mode", "request"),
            ],
        )
        .await;
        assert_eq!(status, 303);
        let project_id = academy.url("/projects/eco");
        let group = Client::stranger().get_activity(&project_id).await.json;
        assert_eq!(group["type"], "Group");
        assert_eq!(group["groupKind"], "project");
        assert_eq!(group["members"], academy.url("/projects/eco/members"));
        assert_eq!(group["joinMode"], "request");
        assert_eq!(group["latitude"], 48.11);

        // An institutional-only project refuses a teacher whose instance
        // this one cannot verify as institutional.
        let (status, _) = submit(
            &anne,
            "/projects/new",
            "/projects",
            &[
                ("name", "inst"),
                ("title", "Réservé"),
                ("description", "Plan confidentiel"),
                ("visibility", "members"),
                ("status", "running"),
                ("join_mode", "invite"),
                ("min_member_level", "institutional"),
            ],
        )
        .await;
        assert_eq!(status, 303);
        let group = Client::stranger()
            .get_activity(&academy.url("/projects/inst"))
            .await
            .text;
        assert!(
            group.contains("Réservé") && !group.contains("confidentiel"),
            "{group}"
        );
        let handle = format!("bea@{}", association.domain);
        let (status, body) = submit(
            &anne,
            "/projects/inst",
            "/projects/inst/invite",
            &[("handle", handle.as_str())],
        )
        .await;
        assert_eq!(status, 403, "{body}");
        assert!(body.contains("niveau de confiance"), "{body}");
        // Members-only: another teacher sees only its title.
        let (status, _) = submit(
            &bea,
            "/projects",
            "/projects/lookup",
            &[("handle", &format!("inst@{}", academy.domain))],
        )
        .await;
        assert_eq!(
            status, 303,
            "a project page can be looked up from another instance"
        );
        let page = bea
            .page(&association.url(&format!("/projects/inst@{}", academy.domain)))
            .await;
        assert!(
            page.contains("Réservé") && page.contains("Ce projet est réservé à ses membres."),
            "{page}"
        );
        assert!(!page.contains("confidentiel"), "{page}");
        assert!(
            !page.contains("anne@"),
            "no member list for non-members: {page}"
        );

        // Anne invites Bea and Carl by handle.
        for handle in [
            format!("bea@{}", association.domain),
            format!("carl@{}", informal.domain),
        ] {
            let (status, body) = submit(
                &anne,
                "/projects/eco",
                "/projects/eco/invite",
                &[("handle", handle.as_str())],
            )
            .await;
            assert_eq!(status, 303, "{body}");
        }
        let bea_id = association.url("/users/bea");
        let carl_id = informal.url("/users/carl");
        // Inviting twice is refused.
        let handle = format!("bea@{}", association.domain);
        let (status, body) = submit(
            &anne,
            "/projects/eco",
            "/projects/eco/invite",
            &[("handle", handle.as_str())],
        )
        .await;
        assert_eq!(status, 409, "{body}");
        for (instance, client, person) in
            [(&association, &bea, &bea_id), (&informal, &carl, &carl_id)]
        {
            wait_for("the invitation arrives", || async {
                state_of(instance, &project_id, person).await == Some(MemberState::Invited)
            })
            .await;
            let requests = client.page(&instance.url("/requests")).await;
            assert!(requests.contains("Éco-délégués en réseau"), "{requests}");
            assert!(requests.contains("Accepter"));
        }
        let pending = anne.page(&academy.url("/requests")).await;
        assert_eq!(
            pending.matches("Invitation en attente").count(),
            2,
            "{pending}"
        );

        // Bea accepts from "Mes demandes"; Carl refuses.
        let remote_path = format!("/projects/eco@{}", academy.domain);
        let (status, _) = submit(
            &bea,
            "/requests",
            &format!("{remote_path}/answer"),
            &[("action", "accept"), ("handle", "requests")],
        )
        .await;
        assert_eq!(status, 303);
        let (status, _) = submit(
            &carl,
            "/requests",
            &format!("{remote_path}/answer"),
            &[("action", "refuse"), ("handle", "requests")],
        )
        .await;
        assert_eq!(status, 303);
        wait_for("the host records both answers", || async {
            state_of(&academy, &project_id, &bea_id).await == Some(MemberState::Member)
                && state_of(&academy, &project_id, &carl_id).await == Some(MemberState::Refused)
        })
        .await;
        wait_for("Anne sees each state", || async {
            let page = anne.page(&academy.url("/requests")).await;
            page.contains("Invitation refusée") && page.contains("Invitation acceptée")
        })
        .await;
        // Bea's instance mirrors the members: Anne is the owner.
        let anne_id = academy.url("/users/anne");
        wait_for("the association mirrors the membership", || async {
            state_of(&association, &project_id, &anne_id).await == Some(MemberState::Member)
        })
        .await;
        let page = bea
            .page(&association.url(&format!("{remote_path}/members")))
            .await;
        assert!(page.contains("Propriétaire"), "{page}");
        // A declaration alone is not evidence: the label says so.
        assert!(page.contains("se déclare institutionnel"), "{page}");

        // Members-only collections: an unsigned fetch gets 401, a fetch
        // signed by an instance without members gets 403.
        let response = Client::stranger()
            .get_activity(&academy.url("/projects/eco/members"))
            .await;
        assert_eq!(response.status, 401);
        let informal_data = informal.running.state.clone();
        let fetched = informal_fetch(&informal, &academy.url("/projects/eco/members")).await;
        assert_eq!(fetched, 403, "an instance without members is refused");
        drop(informal_data);

        // Anne promotes Bea one step: moderator, everywhere.
        let bea_row = academy.known_actor(&bea_id).await;
        let (status, _) = submit(
            &anne,
            "/projects/eco",
            &format!("/projects/eco/members/{}", bea_row.id.0),
            &[("action", "promote")],
        )
        .await;
        assert_eq!(status, 303);
        wait_for("Bea is a moderator on her instance", || async {
            let store = &association.running.state.domain.store();
            let Some(project) = store.project_by_ap_id(&project_id).await.unwrap() else {
                return false;
            };
            let Some(me) = store.actor_by_ap_id(&bea_id).await.unwrap() else {
                return false;
            };
            store
                .member(project.actor.id, me.id)
                .await
                .unwrap()
                .is_some_and(|m| m.is_moderator())
        })
        .await;
        // Bea, a moderator, cannot remove the owner.
        let anne_on_b = association.known_actor(&anne_id).await;
        let (status, body) = submit(
            &bea,
            &remote_path,
            &format!("{remote_path}/members/{}", anne_on_b.id.0),
            &[("action", "remove")],
        )
        .await;
        assert_eq!(status, 403, "{body}");

        // The members CSV is for owners.
        let csv = anne.page(&academy.url("/projects/eco/members.csv")).await;
        assert!(
            csv.starts_with("handle,display_name,role,state,instance,trust_level,since"),
            "{csv}"
        );
        assert!(
            csv.contains(&format!(
                "bea@{},bea,moderator,member,{}",
                association.domain, association.domain
            )),
            "{csv}"
        );
        let response = bea
            .get(&association.url(&format!("{remote_path}/members.csv")))
            .await;
        assert_eq!(response.status, 403);

        // Dora (informal) asks to join; Bea, a moderator on another
        // instance, accepts from her requests.
        let (status, _) = submit(
            &dora,
            "/projects",
            "/projects/lookup",
            &[("handle", &format!("eco@{}", academy.domain))],
        )
        .await;
        assert_eq!(status, 303);
        let (status, body) = submit(&dora, &remote_path, &format!("{remote_path}/join"), &[]).await;
        assert_eq!(status, 303, "{body}");
        let dora_id = informal.url("/users/dora");
        wait_for("the request reaches the host", || async {
            state_of(&academy, &project_id, &dora_id).await == Some(MemberState::Requested)
        })
        .await;
        let dora_row = academy.known_actor(&dora_id).await;
        let dora_on_b = wait_until(crate::support::PATIENCE, || async {
            let page = bea.page(&association.url("/requests")).await;
            if !page.contains("Demandes d’adhésion à traiter") {
                return None;
            }
            association
                .running
                .state
                .domain
                .store()
                .actor_by_ap_id(&dora_id)
                .await
                .unwrap()
        })
        .await
        .expect("Bea sees Dora's request");
        let (status, body) = submit(
            &bea,
            "/requests",
            &format!("{remote_path}/members/{}", dora_on_b.id.0),
            &[("action", "accept")],
        )
        .await;
        assert_eq!(status, 303, "{body}");
        wait_for("Dora is a member on her instance", || async {
            state_of(&informal, &project_id, &dora_id).await == Some(MemberState::Member)
        })
        .await;
        // The directory of another instance finds the project it looked
        // up, by words and near a commune, with its trust label; a
        // members-only project stays out of a non-member's results.
        let found = dora
            .page(&informal.url("/directory?q=d%C3%A9l%C3%A9gu%C3%A9s&place=Rennes&radius=30"))
            .await;
        assert!(found.contains("Éco-délégués en réseau"), "{found}");
        let far = dora
            .page(&informal.url("/directory?q=d%C3%A9l%C3%A9gu%C3%A9s&place=Brest&radius=30"))
            .await;
        assert!(
            !far.contains("Éco-délégués en réseau"),
            "Brest is 200 km from Rennes: {far}"
        );
        let listed = bea.page(&association.url("/directory?kind=projects")).await;
        assert!(listed.contains("Éco-délégués en réseau"), "{listed}");
        assert!(
            !listed.contains(&format!("inst@{}", academy.domain)),
            "{listed}"
        );

        // Now the informal instance hosts a member and may read.
        wait_for("the informal instance may read the members", || async {
            informal_fetch(&informal, &academy.url("/projects/eco/members")).await == 200
        })
        .await;

        content_stays_among_members(&academy, &association, &informal, &anne, &bea, &dora, &carl)
            .await;

        // Anne edits the project; members' instances follow. Nobody else
        // may open the form.
        let (status, body) = submit(
            &anne,
            "/projects/eco/edit",
            "/projects/eco/edit",
            &[
                ("title", "Éco-délégués : saison 2"),
                ("description", "Un projet **inter-académique**"),
                ("visibility", "public"),
                ("status", "running"),
                ("join_mode", "request"),
            ],
        )
        .await;
        assert_eq!(status, 303, "{body}");
        wait_for("the new title reaches Bea's instance", || async {
            bea.page(&association.url(&remote_path))
                .await
                .contains("saison 2")
        })
        .await;
        let response = bea
            .get(&association.url(&format!("{remote_path}/edit")))
            .await;
        assert_eq!(response.status, 403, "only owners edit");
        let response = carl.get(&academy.url("/projects/eco/edit")).await;
        assert_ne!(response.status, 200);

        // Anne removes Dora; Bea leaves. Both propagate.
        let (status, _) = submit(
            &anne,
            "/projects/eco",
            &format!("/projects/eco/members/{}", dora_row.id.0),
            &[("action", "remove")],
        )
        .await;
        assert_eq!(status, 303);
        wait_for("the removal reaches Dora's instance", || async {
            state_of(&informal, &project_id, &dora_id).await == Some(MemberState::Removed)
        })
        .await;
        let (status, _) = submit(&bea, &remote_path, &format!("{remote_path}/leave"), &[]).await;
        assert_eq!(status, 303);
        wait_for("the leave reaches the host", || async {
            state_of(&academy, &project_id, &bea_id).await == Some(MemberState::Left)
        })
        .await;
        let page = anne.page(&academy.url("/projects/eco/activity")).await;
        assert!(page.contains("a quitté le projet"), "{page}");
        assert!(page.contains("a retiré"), "{page}");
        // The last owner cannot leave.
        let (status, body) = submit(&anne, "/projects/eco", "/projects/eco/leave", &[]).await;
        assert_eq!(status, 409, "{body}");
        assert!(body.contains("dernier propriétaire"), "{body}");

        academy.stop().await;
        association.stop().await;
        informal.stop().await;
    }
}

/// GETs `url` signed by `instance`'s instance actor (a signed fetch) and
/// returns the status.
pub(crate) async fn informal_fetch(instance: &TestInstance, url: &str) -> u16 {
    preau::apub::projects::signed_get_status(&instance.running.state, url).await
}

/// The forum, documents and agenda of the project reach every member's
/// instance and nobody else: Bea (association) writes, Anne (host)
/// answers, Dora (informal) reads; Carl (informal, declined), Eve
/// (academy, never invited), unsigned and outsider fetches see nothing.
async fn content_stays_among_members(
    academy: &TestInstance,
    association: &TestInstance,
    informal: &TestInstance,
    anne: &Client<'_>,
    bea: &Client<'_>,
    dora: &Client<'_>,
    carl: &Client<'_>,
) {
    let remote_path = format!("/projects/eco@{}", academy.domain);
    let project_id = academy.url("/projects/eco");
    // Bea opens a thread from her instance.
    let (status, body) = submit(
        bea,
        &remote_path,
        &format!("{remote_path}/threads"),
        &[
            ("title", "Calendrier des rencontres"),
            ("body", "Proposition : **mardi** après-midi."),
        ],
    )
    .await;
    assert_eq!(status, 303, "{body}");
    let thread_ap_id = {
        let store = &association.running.state.domain.store();
        let project = store.project_by_ap_id(&project_id).await.unwrap().unwrap();
        store.project_threads(project.actor.id).await.unwrap()[0]
            .post
            .ap_id
            .clone()
    };
    assert!(
        thread_ap_id.starts_with(&association.base_url),
        "the thread lives on Bea's instance"
    );
    for instance in [academy, informal] {
        wait_for("the thread reaches every member instance", || async {
            instance
                .running
                .state
                .domain
                .store()
                .project_post_by_ap_id(&thread_ap_id)
                .await
                .unwrap()
                .is_some()
        })
        .await;
    }
    // Anne answers on the host; the reply reaches both others.
    let thread_on_academy = academy
        .running
        .state
        .domain
        .store()
        .project_post_by_ap_id(&thread_ap_id)
        .await
        .unwrap()
        .unwrap();
    let (status, _) = submit(
        anne,
        "/projects/eco",
        &format!("/projects/eco/threads/{}/replies", thread_on_academy.id),
        &[("body", "Mardi me va très bien.")],
    )
    .await;
    assert_eq!(status, 303);
    let thread_on_informal = informal
        .running
        .state
        .domain
        .store()
        .project_post_by_ap_id(&thread_ap_id)
        .await
        .unwrap()
        .unwrap();
    wait_for("Dora sees the thread and Anne's reply", || async {
        let page = dora
            .page(&informal.url(&format!("{remote_path}/threads/{}", thread_on_informal.id)))
            .await;
        page.contains("Calendrier des rencontres") && page.contains("Mardi me va très bien.")
    })
    .await;

    // Bea shares a document; Dora downloads it through her own instance.
    let pdf = b"%PDF-1.4 projet eco-delegues\n".repeat(200);
    let (status, body) = upload_as(
        bea,
        &remote_path,
        &format!("{remote_path}/documents"),
        "programme.pdf",
        &pdf,
    )
    .await;
    assert_eq!(status, 303, "{body}");
    let (status, body) = upload_as(
        bea,
        &remote_path,
        &format!("{remote_path}/documents"),
        "virus.exe",
        b"MZ",
    )
    .await;
    assert_eq!(status, 415, "{body}");
    let version_id = wait_until(crate::support::PATIENCE, || async {
        let store = &informal.running.state.domain.store();
        let project = store.project_by_ap_id(&project_id).await.unwrap()?;
        let documents = store.project_documents(project.actor.id).await.unwrap();
        documents.first().map(|d| d.versions[0].0.id)
    })
    .await
    .expect("the document reaches the informal instance");
    let response = dora
        .get(&informal.url(&format!("{remote_path}/documents/{version_id}")))
        .await;
    assert_eq!(response.status, 200);
    assert!(response.headers["content-disposition"]
        .to_str()
        .unwrap()
        .contains("programme.pdf"));
    assert_eq!(response.text.as_bytes(), pdf.as_slice());
    let page = dora
        .page(&informal.url(&format!("{remote_path}/documents")))
        .await;
    assert!(
        page.contains("<h3>programme.pdf</h3>"),
        "the document is listed by its name: {page}"
    );
    // Carl declined: his instance holds the document but not for him.
    let response = carl
        .get(&informal.url(&format!("{remote_path}/documents/{version_id}")))
        .await;
    assert_eq!(response.status, 403);

    // Anne adds an event for all, and one for Bea only.
    let (status, body) = submit(
        anne,
        "/projects/eco",
        "/projects/eco/events",
        &[
            ("title", "Réunion de lancement"),
            // Anne reads dates in her instance's zone, Europe/Paris.
            ("starts", "2027-01-12T18:00"),
            ("ends", "2027-01-12T19:30"),
            ("meeting_url", "https://visio.example/eco"),
        ],
    )
    .await;
    assert_eq!(status, 303, "{body}");
    let bea_on_academy = academy
        .running
        .state
        .domain
        .store()
        .actor_by_ap_id(&association.url("/users/bea"))
        .await
        .unwrap()
        .unwrap();
    let bea_id = bea_on_academy.id.0.to_string();
    let (status, body) = submit(
        anne,
        "/projects/eco",
        "/projects/eco/events",
        &[
            ("title", "Point avec Bea"),
            ("starts", "2027-01-13T09:00"),
            ("attendees", bea_id.as_str()),
        ],
    )
    .await;
    assert_eq!(status, 303, "{body}");
    let (status, _) = submit(
        anne,
        "/projects/eco",
        "/projects/eco/events",
        &[("title", "Sans date"), ("starts", "demain")],
    )
    .await;
    assert_eq!(status, 422);
    wait_for("Bea's agenda shows both events", || async {
        let page = bea.page(&association.url("/agenda")).await;
        page.contains("Réunion de lancement") && page.contains("Point avec Bea")
    })
    .await;
    wait_for("Dora's agenda shows the event for all", || async {
        dora.page(&informal.url("/agenda"))
            .await
            .contains("Réunion de lancement")
    })
    .await;
    assert!(
        !dora
            .page(&informal.url("/agenda"))
            .await
            .contains("Point avec Bea"),
        "an event for Bea only"
    );
    // Entered at 18 h in Paris: 18 h for Bea in Paris, 13 h for Dora
    // once she reads dates in Martinique, with the event's zone named.
    let bea_agenda = bea.page(&association.url("/agenda")).await;
    assert!(
        bea_agenda
            .contains("<time datetime=\"2027-01-12T17:00:00Z\">mar. 12 janv. 2027</time>, de <time datetime=\"2027-01-12T17:00:00Z\">18 h</time>"),
        "{bea_agenda}"
    );
    assert!(!bea_agenda.contains("heure de Paris"), "{bea_agenda}");
    let profile = [
        ("display_name", "Dora"),
        ("time_zone", "America/Martinique"),
    ];
    let (status, body) = submit(dora, "/settings/profile", "/settings/profile", &profile).await;
    assert_eq!(status, 303, "{body}");
    let dora_agenda = dora.page(&informal.url("/agenda")).await;
    assert!(
        dora_agenda.contains(
            "mar. 12 janv. 2027</time>, de <time datetime=\"2027-01-12T17:00:00Z\">13 h</time>"
        ) && dora_agenda.contains("à <time datetime=\"2027-01-12T18:30:00Z\">14 h 30</time>")
            && dora_agenda.contains("18 h</time>, heure de Paris)"),
        "{dora_agenda}"
    );
    let (status, body) = submit(
        dora,
        "/settings/profile",
        "/settings/profile",
        &[("display_name", "Dora"), ("time_zone", "Mars/Olympus_Mons")],
    )
    .await;
    assert_eq!(status, 422, "{body}");
    assert!(body.contains("Ce fuseau horaire n’existe pas"), "{body}");
    assert!(dora
        .page(&informal.url("/agenda"))
        .await
        .contains("\">13 h</time>"));
    // The export keeps the zone the event was entered in, defined by a
    // VTIMEZONE, with CRLF line ends.
    let ics = dora.page(&informal.url("/agenda.ics")).await;
    assert!(
        ics.contains("BEGIN:VCALENDAR") && ics.contains("SUMMARY:Réunion de lancement"),
        "{ics}"
    );
    assert!(
        ics.contains("DTSTART;TZID=Europe/Paris:20270112T180000\r\n")
            && ics.contains("DTEND;TZID=Europe/Paris:20270112T193000\r\n"),
        "{ics}"
    );
    assert!(
        ics.contains("BEGIN:VTIMEZONE\r\nTZID:Europe/Paris\r\n")
            && ics.contains("TZOFFSETTO:+0100\r\n")
            && ics.contains("BEGIN:DAYLIGHT\r\n"),
        "{ics}"
    );
    assert_eq!(ics.matches("BEGIN:VTIMEZONE").count(), 1, "{ics}");
    assert!(
        ics.match_indices('\n')
            .all(|(at, _)| ics[..at].ends_with('\r')),
        "every line ends in CRLF"
    );

    // Non-members see none of it, on any instance.
    teacher(academy, "eve", false).await;
    let eve = Client::anonymous(academy).log_in_pages("eve").await;
    for (client, instance, path) in [
        (&eve, academy, "/projects/eco".to_string()),
        (carl, informal, remote_path.clone()),
    ] {
        let page = client.page(&instance.url(&path)).await;
        assert!(!page.contains("Calendrier des rencontres"), "{page}");
        assert!(!page.contains("programme.pdf"));
        assert!(!page.contains("Réunion de lancement"));
        let store = &instance.running.state.domain.store();
        let project = store.project_by_ap_id(&project_id).await.unwrap().unwrap();
        let thread = store
            .project_post_by_ap_id(&thread_ap_id)
            .await
            .unwrap()
            .unwrap();
        let response = client
            .get(&instance.url(&format!("{path}/threads/{}", thread.id)))
            .await;
        assert_eq!(response.status, 403);
        assert!(!client
            .page(&instance.url("/agenda"))
            .await
            .contains("Réunion"));
        let ics = client
            .page(&instance.url(&format!("{path}/agenda.ics")))
            .await;
        assert!(!ics.contains("Réunion"));
        drop(project);
    }
    let eve_page = eve.page(&thread_ap_id).await;
    assert!(
        !eve_page.contains("Calendrier"),
        "a browser opening the object URL"
    );
    // Unsigned fetches of every members-only URL get 401; a fetch signed
    // by an instance without members gets 403.
    let version_ap_id = {
        let store = &association.running.state.domain.store();
        let project = store.project_by_ap_id(&project_id).await.unwrap().unwrap();
        store.project_documents(project.actor.id).await.unwrap()[0].versions[0]
            .0
            .clone()
    };
    let event_ap_id = {
        let store = &academy.running.state.domain.store();
        let project = store.local_project("eco").await.unwrap().unwrap();
        store.project_events(project.actor.id).await.unwrap()[0]
            .event
            .ap_id
            .clone()
    };
    let (lone_settings, lone_dir) = settings(academy.engine, None);
    let outsider = start(academy.engine, lone_settings, lone_dir).await;
    for url in [
        thread_ap_id.clone(),
        version_ap_id.ap_id.clone(),
        version_ap_id.content_url.clone(),
        event_ap_id.clone(),
        academy.url("/projects/eco/members"),
        academy.url("/projects/eco/activity"),
    ] {
        let response = Client::stranger().get_activity(&url).await;
        assert_eq!(response.status, 401, "unsigned {url}");
        assert_eq!(informal_fetch(&outsider, &url).await, 403, "outsider {url}");
    }
    // A member instance may read them.
    assert_eq!(informal_fetch(informal, &thread_ap_id).await, 200);
    assert_eq!(
        informal_fetch(informal, &version_ap_id.content_url).await,
        200
    );
    outsider.stop().await;
}
