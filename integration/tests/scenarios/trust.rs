//! Trust labels across instances: an attested institutional reader, an
//! associative instance with a short-lived attestation, an instance that
//! lies about its level, and NodeInfo documents that replay, forge or sign
//! with an unknown key. Labels are checked in the API and the pages.

use super::forums::wait_for;
use super::support::{
    client::{Answer, Client},
    *,
};
use axum::{routing::get, Json, Router};
use chrono::{Duration as TimeDelta, Utc};
use preau::config::AuthoritySettings;
use preau_federation::{
    attestation::{self, AttestationFields, AuthorityKey, Origin},
    TrustLevel,
};
use serde_json::{json, Value};
use std::time::Duration;

const AUTHORITY: &str = "Ministère (test)";

fn attest(key: &AuthorityKey, origin: &str, level: TrustLevel, valid_for: TimeDelta) -> Value {
    let now = Utc::now();
    let signed = attestation::sign(
        &AttestationFields {
            id: None,
            origin: Origin::parse(origin).unwrap(),
            trust_level: level,
            organisation: "Organisation de test".into(),
            email_domains: vec!["example.org".into()],
            valid_from: now - TimeDelta::minutes(1),
            valid_until: now + valid_for,
        },
        key,
    )
    .unwrap();
    serde_json::from_str(&signed.to_json_pretty().unwrap()).unwrap()
}

/// Settings on a port bound in advance, so an attestation can name the
/// origin before the instance starts: start it with [`start_on`] and the
/// listener.
async fn on_port(
    engine: Engine,
) -> (
    preau::config::Settings,
    tempfile::TempDir,
    tokio::net::TcpListener,
    u16,
) {
    let (mut config, dir) = settings(engine, None);
    fast_delivery(&mut config);
    let listener = bind_loopback().await;
    let port = listener.local_addr().unwrap().port();
    config.instance.domain = format!("localhost:{port}");
    (config, dir, listener, port)
}

fn serve_attestation(dir: &tempfile::TempDir, attestation: &Value) -> std::path::PathBuf {
    let path = dir.path().join("attestation.json");
    std::fs::write(&path, serde_json::to_string_pretty(attestation).unwrap()).unwrap();
    path
}

/// A server that only serves a NodeInfo declaring `institutional` with the
/// given attestations: what a lying instance would publish.
async fn fake_nodeinfo(attestations: impl Fn(&str) -> Vec<Value>) -> (String, String) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let origin = format!("http://localhost:{port}");
    let links = json!({"links": [{
        "rel": "http://nodeinfo.diaspora.software/ns/schema/2.1",
        "href": format!("{origin}/nodeinfo/2.1"),
    }]});
    let document = json!({
        "version": "2.1",
        "software": {"name": "preau", "version": "0"},
        "protocols": ["activitypub"],
        "metadata": {"trust": {
            "declared": "institutional",
            "organisation": "Ministère (prétendu)",
            "attestations": attestations(&origin),
        }},
    });
    let app = Router::new()
        .route(
            "/.well-known/nodeinfo",
            get(move || async move { Json(links) }),
        )
        .route("/nodeinfo/2.1", get(move || async move { Json(document) }));
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (format!("localhost:{port}"), origin)
}

/// A page's text as a reader sees it: tags removed, `&#x2f;` decoded,
/// white space collapsed.
fn plain_text(html: &str) -> String {
    let mut text = String::new();
    let mut in_tag = false;
    for c in html.chars() {
        match c {
            '<' => in_tag = true,
            '>' => {
                in_tag = false;
                text.push(' ');
            }
            c if !in_tag => text.push(c),
            _ => {}
        }
    }
    text.replace("&#x2f;", "/")
        .replace("&#x27;", "’")
        .replace("&amp;", "&")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

fn author_trust<'a>(thread: &'a Value, handle: &str) -> &'a Value {
    std::iter::once(&thread["thread"])
        .chain(thread["replies"].as_array().unwrap())
        .find(|post| post["author"]["handle"] == handle)
        .map(|post| &post["trust"])
        .unwrap_or_else(|| panic!("no post by {handle} in {thread}"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn labels_show_only_what_the_reader_can_verify() {
    let authority = std::sync::Arc::new(attestation::generate_key());
    let stranger = std::sync::Arc::new(attestation::generate_key());
    for engine in engines() {
        // The reader: an academy's node, attested, trusting the authority.
        let (mut r, dir_r, listener_r, port_r) = on_port(engine).await;
        r.instance.trust_level = TrustLevel::Institutional;
        r.instance.organisation = "Académie de Test".into();
        r.instance.allowed_email_domains = vec!["example.org".into()];
        r.trust.authorities = vec![AuthoritySettings {
            name: AUTHORITY.into(),
            key: authority.public_multikey().to_string(),
        }];
        let own = attest(
            &authority,
            &format!("http://localhost:{port_r}"),
            TrustLevel::Institutional,
            TimeDelta::days(30),
        );
        r.trust.attestations = vec![serve_attestation(&dir_r, &own)];
        let reader = start_on(engine, listener_r, r, dir_r).await;

        // An association, attested for 40 s only.
        let (mut a, dir_a, listener_a, port_a) = on_port(engine).await;
        a.instance.trust_level = TrustLevel::Associative;
        let short = attest(
            &authority,
            &format!("http://localhost:{port_a}"),
            TrustLevel::Associative,
            TimeDelta::seconds(40),
        );
        let short_until = Utc::now() + TimeDelta::seconds(40);
        a.trust.attestations = vec![serve_attestation(&dir_a, &short)];
        let association = start_on(engine, listener_a, a, dir_a).await;

        // An instance that declares itself institutional, with nothing to
        // show for it.
        let (mut l, dir_l, listener_l, _) = on_port(engine).await;
        l.instance.trust_level = TrustLevel::Institutional;
        l.instance.allowed_email_domains = vec!["example.org".into()];
        let liar = start_on(engine, listener_l, l, dir_l).await;

        // What each publishes.
        let nodeinfo: Value = Client::anonymous(&reader)
            .get(&reader.url("/nodeinfo/2.1"))
            .await
            .json;
        assert_eq!(nodeinfo["metadata"]["trust"]["declared"], "institutional");
        assert_eq!(nodeinfo["metadata"]["trust"]["attestations"][0], own);
        let actor: Value = Client::anonymous(&reader)
            .get_activity(&reader.url("/actor"))
            .await
            .json;
        assert_eq!(actor["attestations"][0], own, "{actor}");

        // A forum on the reader; teachers of the two others post in it.
        let client = Client::anonymous(&reader);
        let anne = Client::teacher(&reader, "anne", true).await;
        let response = anne
            .post(
                &reader.url("/api/v1/forums"),
                json!({"name": "maths", "title": "Mathématiques"}),
            )
            .await;
        assert_eq!(response.status, 201);
        let thread: Value = anne
            .post(
                &reader.url("/api/v1/forums/maths/threads"),
                json!({"title": "Progression en géométrie", "body": "Vos idées ?"}),
            )
            .await
            .json;
        let thread_id = thread["id"].as_i64().unwrap();
        let thread_ap = thread["ap_id"].as_str().unwrap().to_string();
        let bea = Client::teacher(&association, "bea", false).await;
        let liam = Client::teacher(&liar, "liam", false).await;
        let handle = format!("!maths@{}", reader.domain);
        for (instance, teacher, text) in [
            (&association, &bea, "Une progression spiralée."),
            (&liar, &liam, "Je suis officiel, croyez-moi."),
        ] {
            let response = teacher
                .post(
                    &instance.url("/api/v1/forums/follow"),
                    json!({"handle": handle}),
                )
                .await;
            assert_eq!(response.status, 202);
            let store = &instance.running.state.domain.store();
            let local_thread = wait_until(crate::support::PATIENCE, || async {
                store.post_by_ap_id(&thread_ap).await.unwrap()
            })
            .await
            .expect("the thread reaches the follower");
            let response = teacher
                .post(
                    &instance.url(&format!("/api/v1/threads/{}/replies", local_thread.id.0)),
                    json!({"body": text}),
                )
                .await;
            assert_eq!(response.status, 201, "{}", response.text);
        }
        let thread_api = reader.url(&format!("/api/v1/threads/{thread_id}"));
        let read_thread = || async { client.get(&thread_api).await.json };
        after_delivery(
            &[&reader, &association, &liar],
            "both replies reach the reader",
            || async { read_thread().await["total_replies"] == 2 },
        )
        .await;
        let store = &reader.running.state.domain.store();
        for instance in [&association, &liar] {
            wait_for("the reader checked the instance", || async {
                store
                    .instance(&instance.domain)
                    .await
                    .unwrap()
                    .is_some_and(|row| row.evidence.checked_at.is_some())
            })
            .await;
        }

        // Objects published here carry the declared level, for information.
        let object: Value = client.get_activity(&thread_ap).await.json;
        assert_eq!(object["trustLevel"], "institutional", "{object}");

        // Labels as the reader verifies them.
        let view = read_thread().await;
        let own_label = author_trust(&view, &format!("anne@{}", reader.domain));
        assert_eq!(own_label["level"], "institutional", "{own_label}");
        assert_eq!(own_label["evidence"]["kind"], "own");
        let attested = author_trust(&view, &format!("bea@{}", association.domain));
        assert_eq!(attested["level"], "associative", "{attested}");
        assert_eq!(attested["verified_by"], AUTHORITY);
        assert_eq!(attested["evidence"]["kind"], "attestation");
        let claimed = author_trust(&view, &format!("liam@{}", liar.domain));
        assert_eq!(claimed["level"], "informal", "{claimed}");
        assert_eq!(claimed["declared"], "institutional");
        assert_eq!(claimed["verified"], false);
        let page = plain_text(
            &client
                .page_in("fr", &reader.url(&format!("/threads/{thread_id}")))
                .await,
        );
        for expected in [
            "Institutionnel · Académie de Test",
            "Associatif · Organisation de test · vérifié par Ministère (test)",
            "se déclare institutionnel (non vérifié)",
            "pourquoi ?",
            "se présente comme un nœud institutionnel",
            "n’a pas pu le vérifier",
        ] {
            assert!(
                page.contains(expected),
                "{expected:?} missing from the thread page"
            );
        }

        // Forums carry their instance's label.
        let forum: Value = client.get(&reader.url("/api/v1/forums/maths")).await.json;
        assert_eq!(forum["forum"]["trust"]["level"], "institutional", "{forum}");

        // Profiles carry the person's label too, local and remote.
        let profile: Value = client.get(&reader.url("/api/v1/profiles/anne")).await.json;
        assert_eq!(profile["trust"]["level"], "institutional", "{profile}");
        let looked_up: Value = anne
            .get(&reader.url(&format!("/api/v1/lookup?handle=bea@{}", association.domain)))
            .await
            .json;
        assert_eq!(looked_up["trust"]["level"], "associative", "{looked_up}");
        let profile_page = plain_text(&client.page_in("fr", &reader.url("/users/anne")).await);
        assert!(profile_page.contains("Institutionnel · Académie de Test"));

        // Forgeries served by lying NodeInfo documents are refused, each
        // with its code, and leave the instance informal.
        let bea_attestation = short.clone();
        let forged_key = authority.clone();
        let stranger_key = stranger.clone();
        let cases: Vec<(&str, (String, String))> = vec![
            (
                "origin_mismatch",
                fake_nodeinfo(move |_| vec![bea_attestation.clone()]).await,
            ),
            (
                "signature_invalid",
                fake_nodeinfo(move |origin| {
                    let mut forged = attest(
                        &forged_key,
                        origin,
                        TrustLevel::Associative,
                        TimeDelta::days(1),
                    );
                    forged["trustLevel"] = json!("institutional");
                    vec![forged]
                })
                .await,
            ),
            (
                "unknown_authority",
                fake_nodeinfo(move |origin| {
                    vec![attest(
                        &stranger_key,
                        origin,
                        TrustLevel::Institutional,
                        TimeDelta::days(1),
                    )]
                })
                .await,
            ),
        ];
        for (code, (host, origin)) in &cases {
            store.note_instance(host, origin).await.unwrap();
            preau::apub::trust::check_and_store(&reader.running.state, host, origin).await;
            let row = store.instance(host).await.unwrap().unwrap();
            assert_eq!(
                row.evidence.attestation_error.as_deref(),
                Some(*code),
                "{host}"
            );
            assert!(row.evidence.attestation.is_none());
            let label = reader
                .running
                .state
                .domain
                .labeller()
                .await
                .unwrap()
                .instance(host);
            assert_eq!(label.level, TrustLevel::Informal, "{code}");
            assert!(label.unverified_claim());
            let events = store.trust_events(50).await.unwrap();
            assert!(
                events.iter().any(|e| &e.host == host && e.code == *code),
                "{code} logged"
            );
        }

        // A genuine attestation for the origin that serves it makes that
        // instance institutional.
        let genuine_key = authority.clone();
        let (host, origin) = fake_nodeinfo(move |origin| {
            vec![attest(
                &genuine_key,
                origin,
                TrustLevel::Institutional,
                TimeDelta::days(1),
            )]
        })
        .await;
        store.note_instance(&host, &origin).await.unwrap();
        preau::apub::trust::check_and_store(&reader.running.state, &host, &origin).await;
        let label = reader
            .running
            .state
            .domain
            .labeller()
            .await
            .unwrap()
            .instance(&host);
        assert_eq!(label.level, TrustLevel::Institutional);
        assert_eq!(label.verified_by.as_deref(), Some(AUTHORITY));
        assert!(!label.unverified_claim());

        // The admin page lists every instance with its evidence; a manual
        // entry raises the lying instance to what the admin vouches for
        // (never above what it declares), and clearing it undoes that.
        let admin = Client::anonymous(&reader)
            .speaking("fr")
            .log_in_pages("anne")
            .await;
        let html = admin.page("/admin/instances").await;
        for expected in [
            association.domain.as_str(),
            liar.domain.as_str(),
            "Associatif, signé par Ministère (test)",
            "refusée : origin_mismatch",
            "Revérifier maintenant",
        ] {
            assert!(
                html.contains(expected),
                "{expected:?} missing from /admin/instances"
            );
        }
        let token = csrf_token(&html);
        let manual = reader.url(&format!("/admin/instances/{}/manual", liar.domain));
        let response = admin
            .post_form(
                &manual,
                &[
                    ("csrf_token", token.as_str()),
                    ("level", "associative"),
                    ("note", ""),
                ],
            )
            .await;
        assert_eq!(response.status, 422, "a decision needs a reason");
        let response = admin
            .post_form(
                &manual,
                &[
                    ("csrf_token", token.as_str()),
                    ("level", "associative"),
                    ("note", "Convention signée avec l'association"),
                ],
            )
            .await;
        assert_eq!(response.status, 303, "back to the list");
        let listed = admin.page("/admin/instances").await;
        assert!(
            listed.contains(&format!("Décision enregistrée pour {}", liar.domain)),
            "the list says what was done"
        );
        assert!(
            !admin
                .page("/admin/instances")
                .await
                .contains("Décision enregistrée"),
            "once only"
        );
        let vouched = read_thread().await;
        let vouched = author_trust(&vouched, &format!("liam@{}", liar.domain));
        assert_eq!(vouched["level"], "associative", "{vouched}");
        assert_eq!(vouched["evidence"]["kind"], "manual");
        // The administrators decided: no admin account is named.
        assert_eq!(vouched["verified_by"], Value::Null, "{vouched}");
        assert!(vouched["evidence"].get("by").is_none(), "{vouched}");
        assert!(vouched["evidence"]["decided_at"].is_string(), "{vouched}");
        let response = admin
            .post_form(
                &manual,
                &[
                    ("csrf_token", token.as_str()),
                    ("level", "none"),
                    ("note", ""),
                ],
            )
            .await;
        assert_eq!(response.status, 303);
        let cleared = read_thread().await;
        assert_eq!(
            author_trust(&cleared, &format!("liam@{}", liar.domain))["level"],
            "informal"
        );
        let response = admin
            .send(
                admin
                    .build(
                        reqwest::Method::POST,
                        &reader.url(&format!("/admin/instances/{}/recheck", association.domain)),
                    )
                    .form(&[("csrf_token", token.as_str())]),
            )
            .await;
        assert_eq!(response.status, 303);
        let stranger_page = Client::anonymous(&reader)
            .get(&reader.url("/admin/instances"))
            .await;
        assert_eq!(stranger_page.status, 303, "strangers are sent to log in");

        // The association's attestation expires: its content stays, and
        // shows that its label was removed, on the next view. Attestations
        // carry wall-clock dates: the reader's clock moves past this one's.
        let remaining = (short_until - Utc::now()).to_std().unwrap_or_default();
        reader.advance_clock(remaining + Duration::from_secs(1));
        let view = read_thread().await;
        let label = author_trust(&view, &format!("bea@{}", association.domain));
        assert!(
            label["removed_on"].is_string(),
            "the expired attestation's label was not removed: {label}"
        );
        assert_eq!(view["total_replies"], 2, "nothing deleted");
        let expired = author_trust(&view, &format!("bea@{}", association.domain));
        assert_eq!(expired["level"], "informal", "{expired}");
        assert!(expired["removed_on"].is_string(), "{expired}");
        let page = client
            .page_in("fr", &reader.url(&format!("/threads/{thread_id}")))
            .await;
        assert!(page.contains("label retiré le"), "the removal is shown");
        assert!(page.contains("Une progression spiralée."), "the post stays");

        // The re-check that follows the expiry refuses the expired
        // attestation, keeps the lost level (so the removal stays shown)
        // and tells the admins.
        preau::apub::trust::check_and_store(
            &reader.running.state,
            &association.domain,
            &association.base_url,
        )
        .await;
        let row = store.instance(&association.domain).await.unwrap().unwrap();
        assert_eq!(row.evidence.attestation_error.as_deref(), Some("expired"));
        let view = read_thread().await;
        let rechecked = author_trust(&view, &format!("bea@{}", association.domain));
        assert!(rechecked["removed_on"].is_string(), "{rechecked}");
        let outbox = reader
            .running
            .state
            .domain
            .settings
            .server
            .data_dir
            .join("outbox");
        let mut mails = String::new();
        for entry in std::fs::read_dir(&outbox).unwrap() {
            mails.push_str(&std::fs::read_to_string(entry.unwrap().path()).unwrap());
        }
        assert!(
            mails.contains(&association.domain) && mails.contains("anne@example.org"),
            "the admin is told: {mails}"
        );

        reader.stop().await;
        association.stop().await;
        liar.stop().await;
    }
}

/// A GET signed by `key_id` (draft-cavage, as Mastodon signs fetches).
async fn get_signed(url: &str, key_id: &str, private_key_pem: &str) -> Answer {
    let parsed = url::Url::parse(url).unwrap();
    let host = format!("{}:{}", parsed.host_str().unwrap(), parsed.port().unwrap());
    let mut headers = http::HeaderMap::new();
    headers.insert("host", host.parse().unwrap());
    preau_federation::signatures::sign_request(
        &http::Method::GET,
        parsed.path(),
        &mut headers,
        None,
        key_id,
        private_key_pem,
        std::time::SystemTime::now(),
    )
    .unwrap();
    let client = Client::stranger();
    let mut request = client
        .build(reqwest::Method::GET, url)
        .header("Accept", "application/activity+json");
    for (name, value) in headers.iter() {
        if name != "host" {
            request = request.header(name.as_str(), value.as_bytes());
        }
    }
    client.send(request).await
}

async fn instance_key(instance: &TestInstance) -> (String, String) {
    let actor = instance
        .running
        .state
        .domain
        .store()
        .instance_actor()
        .await
        .unwrap()
        .unwrap();
    (
        format!("{}#main-key", actor.ap_id),
        actor.private_key_pem.unwrap(),
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_federation_policy_refuses_both_ways_and_forums_keep_their_level() {
    use preau::config::FederationMode;
    for engine in engines() {
        let (a, dir_a, listener_a, _) = on_port(engine).await;
        let association = start_on(engine, listener_a, a, dir_a).await;
        let (u, dir_u, listener_u, _) = on_port(engine).await;
        let outsider = start_on(engine, listener_u, u, dir_u).await;
        // Limited federation: only the association is allowed.
        let (mut p, dir_p, listener_p, _) = on_port(engine).await;
        p.federation.mode = FederationMode::Allowlist;
        p.federation.allowed = vec![association.domain.clone()];
        p.instance.trust_level = TrustLevel::Institutional;
        p.instance.allowed_email_domains = vec!["example.org".into()];
        let limited = start_on(engine, listener_p, p, dir_p).await;
        let client = Client::anonymous(&limited);

        // An institutional-only forum on the limited instance.
        let paula = Client::teacher(&limited, "paula", true).await;
        let response = paula.post(&limited.url("/api/v1/forums"), json!({"name": "officiel", "title": "Forum officiel", "min_post_level": "institutional"})).await;
        assert_eq!(response.status, 201, "{}", response.text);
        let forum_url = limited.url("/forums/officiel");

        // Reads: unsigned ActivityPub reads are refused, pages and the
        // instance actor stay open; a signed read is judged by its signer.
        let unsigned = client.get_activity(&forum_url).await;
        assert_eq!(unsigned.status, 401);
        assert!(unsigned.text.contains("signature_required"));
        let outbox = client.get(&format!("{forum_url}/outbox")).await;
        assert_eq!(
            outbox.status, 401,
            "collections are ActivityPub reads whatever the Accept"
        );
        let page = client
            .send(
                client
                    .build(reqwest::Method::GET, &forum_url)
                    .header("Accept-Language", "fr"),
            )
            .await;
        assert_eq!(page.status, 200);
        assert!(page
            .text
            .contains("Qui peut publier : Instances institutionnelles seulement"));
        let actor = client.get_activity(&limited.url("/actor")).await;
        assert_eq!(actor.status, 200);
        let (outsider_key, outsider_pem) = instance_key(&outsider).await;
        let refused = get_signed(&forum_url, &outsider_key, &outsider_pem).await;
        assert_eq!(refused.status, 403);
        assert!(refused.text.contains("instance_not_allowed"));
        let (association_key, association_pem) = instance_key(&association).await;
        let allowed = get_signed(&forum_url, &association_key, &association_pem).await;
        assert_eq!(allowed.status, 200, "{}", allowed.text);
        // A signature that does not verify is refused even from an allowed
        // instance's key.
        let forged = get_signed(&forum_url, &association_key, &outsider_pem).await;
        assert_eq!(forged.status, 401);

        // Writes: the outsider cannot follow, and its inbox deliveries are
        // refused before anything is fetched.
        let olga = Client::teacher(&outsider, "olga", false).await;
        let follow = olga
            .post(
                &outsider.url("/api/v1/forums/follow"),
                json!({"handle": format!("!officiel@{}", limited.domain)}),
            )
            .await;
        assert_ne!(follow.status, 202, "an unlisted instance cannot follow");
        let create = json!({
            "@context": "https://www.w3.org/ns/activitystreams",
            "id": format!("{}/activities/intrus", outsider.base_url),
            "type": "Follow",
            "actor": outsider.url("/actor"),
            "object": forum_url,
        });
        let response = super::forums::post_signed(
            &limited.url("/inbox"),
            &create,
            &outsider_key,
            &outsider_pem,
            std::time::SystemTime::now(),
            |_, _| {},
        )
        .await;
        assert_eq!(response.status, 403);
        assert!(response.text.contains("instance_not_allowed"));

        // And the limited instance never contacts the outsider: a delivery
        // to it is given up at once, the outsider's inbox never hit.
        let domain = &limited.running.state.domain;
        assert_eq!(
            domain.federation_refusal(&outsider.domain).await.unwrap(),
            Some(preau::domain::trust::Refusal::NotAllowed)
        );
        let own = domain.store().instance_actor().await.unwrap().unwrap();
        let id = format!("{}/activities/to-outsider", limited.base_url);
        let mut tx = domain.store().begin().await.unwrap();
        preau::domain::store::delivery::enqueue(
            &mut tx,
            &id,
            own.id,
            &json!({"id": id, "type": "Update", "actor": own.ap_id, "object": own.ap_id})
                .to_string(),
            &[outsider.url("/inbox")],
        )
        .await
        .unwrap();
        preau::domain::store::commit(tx).await.unwrap();
        domain.delivery_waker.wake();
        after_delivery(
            &[&limited],
            "the delivery to the outsider is given up",
            || async {
                domain
                    .store()
                    .delivery_counts(Some(&id))
                    .await
                    .unwrap()
                    .failed
                    == 1
            },
        )
        .await;

        // The allowed association follows; its teacher is informal for the
        // limited instance (no evidence), so the institutional-only forum
        // refuses her reply, while the forum's own member posts.
        let bea = Client::teacher(&association, "bea", false).await;
        let response = bea
            .post(
                &association.url("/api/v1/forums/follow"),
                json!({"handle": format!("!officiel@{}", limited.domain)}),
            )
            .await;
        assert_eq!(response.status, 202, "{}", response.text);
        let thread: Value = paula
            .post(
                &limited.url("/api/v1/forums/officiel/threads"),
                json!({"title": "Circulaire de rentrée", "body": "Lisez-la."}),
            )
            .await
            .json;
        let thread_ap = thread["ap_id"].as_str().unwrap().to_string();
        let store = &association.running.state.domain.store();
        let remote_thread = wait_until(crate::support::PATIENCE, || async {
            store.post_by_ap_id(&thread_ap).await.unwrap()
        })
        .await
        .expect("the thread reaches the association");
        let reply: Value = bea
            .post(
                &association.url(&format!("/api/v1/threads/{}/replies", remote_thread.id.0)),
                json!({"body": "Je voudrais répondre."}),
            )
            .await
            .json;
        let reply_ap = reply["ap_id"].as_str().unwrap().to_string();
        after_delivery(
            &[&limited, &association],
            "the limited instance refuses the reply for good",
            || async {
                let counts = store.delivery_counts(None).await.unwrap();
                counts.refused >= 1
            },
        )
        .await;
        assert!(
            limited
                .running
                .state
                .domain
                .store()
                .post_by_ap_id(&reply_ap)
                .await
                .unwrap()
                .is_none(),
            "the reply was not stored"
        );
        let own_reply = paula
            .post(
                &limited.url(&format!("/api/v1/threads/{}/replies", thread["id"])),
                json!({"body": "Merci."}),
            )
            .await;
        assert_eq!(own_reply.status, 201);

        limited.stop().await;
        association.stop().await;
        outsider.stop().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_minimum_level_refuses_instances_below_it_and_notes_them_for_a_check() {
    for engine in engines() {
        let (i, dir_i, listener_i, _) = on_port(engine).await;
        let informal = start_on(engine, listener_i, i, dir_i).await;
        let (mut m, dir_m, listener_m, _) = on_port(engine).await;
        m.federation.min_level = TrustLevel::Associative;
        let strict = start_on(engine, listener_m, m, dir_m).await;
        let (key_id, pem) = instance_key(&informal).await;
        let follow = json!({
            "@context": "https://www.w3.org/ns/activitystreams",
            "id": format!("{}/activities/bonjour", informal.base_url),
            "type": "Follow",
            "actor": informal.url("/actor"),
            "object": strict.url("/actor"),
        });
        let response = super::forums::post_signed(
            &strict.url("/inbox"),
            &follow,
            &key_id,
            &pem,
            std::time::SystemTime::now(),
            |_, _| {},
        )
        .await;
        assert_eq!(response.status, 403);
        assert!(response.text.contains("instance_level_too_low"));
        // Noted and checked, so it can come in once evidence verifies.
        let store = &strict.running.state.domain.store();
        wait_for("the refused instance is checked", || async {
            store
                .instance(&informal.domain)
                .await
                .unwrap()
                .is_some_and(|row| row.evidence.checked_at.is_some())
        })
        .await;
        // Nor does the strict instance fetch from it.
        assert_eq!(
            strict
                .running
                .state
                .domain
                .federation_refusal(&informal.domain)
                .await
                .unwrap(),
            Some(preau::domain::trust::Refusal::LevelTooLow)
        );
        strict.stop().await;
        informal.stop().await;
    }
}
