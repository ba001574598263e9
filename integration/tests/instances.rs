//! Real instances on loopback ports, driven over HTTP as a browser, an API
//! client or another server would. Every scenario runs on SQLite and, when
//! `PREAU_TEST_POSTGRES_URL` is set, on PostgreSQL.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a panic is a failure report

mod support;

#[path = "scenarios/avatars.rs"]
mod avatars;
#[path = "scenarios/chat_seed.rs"]
mod chat_seed;
#[path = "scenarios/clock.rs"]
mod clock;
#[path = "scenarios/contact_categories.rs"]
mod contact_categories;
#[path = "scenarios/contact_presence.rs"]
mod contact_presence;
#[path = "scenarios/contacts.rs"]
mod contacts;
#[path = "scenarios/conversation_federation.rs"]
mod conversation_federation;
#[path = "scenarios/conversation_invitations.rs"]
mod conversation_invitations;
#[path = "scenarios/conversation_lines.rs"]
mod conversation_lines;
#[path = "scenarios/conversations.rs"]
mod conversations;
#[path = "scenarios/delivery.rs"]
mod delivery;
#[path = "scenarios/direct_attachments.rs"]
mod direct_attachments;
#[path = "scenarios/direct_group_messages.rs"]
mod direct_group_messages;
#[path = "scenarios/direct_messages.rs"]
mod direct_messages;
#[path = "scenarios/forms.rs"]
mod forms;
#[path = "scenarios/forum_bans.rs"]
mod forum_bans;
#[path = "scenarios/forum_search.rs"]
mod forum_search;
#[path = "scenarios/forums.rs"]
mod forums;
#[path = "scenarios/hostile.rs"]
mod hostile;
#[path = "scenarios/impersonation.rs"]
mod impersonation;
#[path = "scenarios/lemmy_shapes.rs"]
mod lemmy_shapes;
#[path = "scenarios/live.rs"]
mod live;
#[path = "scenarios/mail_lists.rs"]
mod mail_lists;
#[path = "scenarios/mail_replies.rs"]
mod mail_replies;
#[path = "scenarios/mentions.rs"]
mod mentions;
#[path = "scenarios/moderation.rs"]
mod moderation;
#[path = "scenarios/notification_mail.rs"]
mod notification_mail;
#[path = "scenarios/notifications.rs"]
mod notifications;
#[path = "scenarios/outbound.rs"]
mod outbound;
#[path = "scenarios/people_updates.rs"]
mod people_updates;
#[path = "scenarios/processes.rs"]
mod processes;
#[path = "scenarios/project_api.rs"]
mod project_api;
#[path = "scenarios/project_backfill.rs"]
mod project_backfill;
#[path = "scenarios/project_changes.rs"]
mod project_changes;
#[path = "scenarios/projects.rs"]
mod projects;
#[path = "scenarios/remote_people.rs"]
mod remote_people;
#[path = "scenarios/resources.rs"]
mod resources;
#[path = "scenarios/trust.rs"]
mod trust;

use preau::config::Registrations;
use preau_federation::TrustLevel;
use reqwest::Method;
use serde_json::{json, Value};
use support::client::{Answer, Client, PASSWORD};
use support::*;

fn institutional(settings: &mut preau::config::Settings) {
    settings.instance.trust_level = TrustLevel::Institutional;
    settings.instance.organisation = "Académie de Rennes".to_string();
    settings.instance.allowed_email_domains =
        vec!["ac-rennes.fr".to_string(), "education.gouv.fr".to_string()];
}

async fn count_accounts(instance: &TestInstance) -> usize {
    instance
        .running
        .state
        .domain
        .store()
        .list_accounts(None)
        .await
        .expect("list")
        .len()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_teacher_signs_up_verifies_logs_in_and_edits_their_profile_in_pages() {
    for engine in engines() {
        let smtp = SmtpServer::start();
        let (mut settings, dir) = settings(engine, Some(&smtp));
        institutional(&mut settings);
        let instance = start(engine, settings, dir).await;
        let client = Client::anonymous(&instance);

        // A non-academic address is refused with a clear message, and
        // nothing is stored or sent.
        let token = csrf_token(&client.page("/signup").await);
        let request = client
            .build(Method::POST, "/signup")
            .header("Accept-Language", "fr-FR")
            .form(&[
                ("csrf_token", token.as_str()),
                ("username", "camille"),
                ("email", "camille@gmail.com"),
                ("password", PASSWORD),
                ("display_name", "Camille Le Goff"),
                ("accept_charter", "yes"),
            ]);
        let response = client.send(request).await;
        assert_eq!(response.status, 422, "{engine:?}");
        let html = response.text;
        assert!(html.contains("role=\"alert\""), "{html}");
        assert!(html.contains("adresses académiques"), "{html}");
        assert!(
            html.contains("value=\"camille@gmail.com\""),
            "the form keeps what was typed"
        );
        assert_eq!(count_accounts(&instance).await, 0);
        assert!(smtp.mails_to("camille@gmail.com").is_empty());

        // Without the charter: refused too.
        let response = client
            .post_form(
                "/signup",
                &[
                    ("csrf_token", token.as_str()),
                    ("username", "camille"),
                    ("email", "camille.legoff@ac-rennes.fr"),
                    ("password", PASSWORD),
                ],
            )
            .await;
        assert_eq!(response.status, 422);
        assert_eq!(count_accounts(&instance).await, 0);

        // An academic address works; the link arrives by SMTP.
        let response = client
            .post_form(
                "/signup",
                &[
                    ("csrf_token", token.as_str()),
                    ("username", "camille"),
                    ("email", "Camille.LeGoff@ac-rennes.fr"),
                    ("password", PASSWORD),
                    ("display_name", "Camille Le Goff"),
                    ("accept_charter", "yes"),
                ],
            )
            .await;
        assert_eq!(response.status, 201);
        let mail = smtp.wait_for_mail("camille.legoff@ac-rennes.fr", 1).await;
        let link = link_in(&mail, &instance.url("/verify?token="));

        // Before verification, log-in is refused with its own code.
        let token = csrf_token(&client.page("/login").await);
        let response = client
            .post_form(
                "/login",
                &[
                    ("csrf_token", token.as_str()),
                    ("login", "camille"),
                    ("password", PASSWORD),
                ],
            )
            .await;
        assert_eq!(response.status, 403);

        let response = client.get(&link).await;
        assert_eq!(response.status, 200);
        // The link works once.
        assert_eq!(client.get(&link).await.status, 400);

        let response = client
            .post_form(
                "/login",
                &[
                    ("csrf_token", token.as_str()),
                    ("login", "camille"),
                    ("password", "wrong password!"),
                ],
            )
            .await;
        assert_eq!(response.status, 401);
        let response = client
            .post_form(
                "/login",
                &[
                    ("csrf_token", token.as_str()),
                    ("login", "camille.legoff@ac-rennes.fr"),
                    ("password", PASSWORD),
                ],
            )
            .await;
        assert_eq!(response.status, 303);
        // A first log-in leads home, with a welcome (and the profile prompt).
        assert_eq!(response.headers["location"], "/?welcome=1");
        let cookie = response
            .headers
            .get_all("set-cookie")
            .iter()
            .map(|v| v.to_str().unwrap().to_string())
            .collect::<Vec<_>>()
            .join("\n");
        assert!(
            cookie.contains("preau_session=")
                && cookie.contains("HttpOnly")
                && cookie.contains("SameSite=Lax"),
            "{cookie}"
        );

        let token = csrf_token(&client.page("/settings/profile").await);
        let request = client
            .build(Method::POST, "/settings/profile")
            .body(
                [
                    ("csrf_token", token.as_str()),
                    ("display_name", "Camille Le Goff"),
                    (
                        "bio",
                        "Prof de **maths** <script>alert(1)</script> [x](javascript:alert(1))",
                    ),
                    ("subjects", "Mathématiques, Physique-chimie"),
                    ("levels", "lycee"),
                    ("levels", "college"),
                    ("languages", "fr, en"),
                    ("academy", "Rennes"),
                    ("school", "Lycée Chateaubriand"),
                    ("interests", "robotique, eTwinning"),
                ]
                .iter()
                .map(|(k, v)| {
                    format!(
                        "{k}={}",
                        url::form_urlencoded::byte_serialize(v.as_bytes()).collect::<String>()
                    )
                })
                .collect::<Vec<_>>()
                .join("&"),
            )
            .header("content-type", "application/x-www-form-urlencoded");
        let response = client.send(request).await;
        assert_eq!(response.status, 303, "{}", response.text);
        let form = client.page("/settings/profile").await;
        assert!(form.contains("Profil enregistré."), "{form}");
        let again = client.page("/settings/profile").await;
        assert!(!again.contains("Profil enregistré."), "a notice shows once");

        let html = client.get("/users/camille").await.text;
        assert!(html.contains("<strong>maths</strong>"), "{html}");
        assert!(!html.contains("<script>alert"), "{html}");
        assert!(!html.contains("javascript:alert"), "{html}");
        assert!(html.contains("Mathématiques, Physique-chimie"));
        assert!(html.contains("Lycée Chateaubriand"));

        // The same URL as ActivityPub.
        let actor = Client::cookieless(&instance)
            .get_activity("/users/camille")
            .await
            .json;
        assert_eq!(actor["type"], "Person");
        assert_eq!(actor["id"], instance.url("/users/camille"));
        assert_eq!(
            actor["subjects"],
            json!(["Mathématiques", "Physique-chimie"])
        );
        assert_eq!(actor["schoolLevels"], json!(["lycee", "college"]));
        assert_eq!(actor["languages"], json!(["fr", "en"]));
        assert_eq!(actor["academy"], "Rennes");
        assert_eq!(actor["trustLevel"], "institutional");
        assert_eq!(actor["publicKey"]["owner"], actor["id"]);
        assert!(actor["publicKey"]["publicKeyPem"]
            .as_str()
            .unwrap()
            .starts_with("-----BEGIN PUBLIC KEY-----"));
        assert!(actor["attachment"]
            .as_array()
            .unwrap()
            .iter()
            .any(|field| field["value"] == "Mathématiques, Physique-chimie"));

        // Log-out ends the session.
        let token = csrf_token(&client.page("/settings/profile").await);
        let response = client
            .post_form("/logout", &[("csrf_token", token.as_str())])
            .await;
        assert_eq!(response.status, 303);
        let response = client.get("/settings/profile").await;
        assert_eq!(response.status, 303, "logged out users are sent to log in");
        instance.stop().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn forms_without_the_csrf_token_are_refused_and_change_nothing() {
    for engine in engines() {
        let smtp = SmtpServer::start();
        let (settings, dir) = settings(engine, Some(&smtp));
        let instance = start(engine, settings, dir).await;
        let client = Client::anonymous(&instance);
        let _ = csrf_token(&client.page("/signup").await);
        for token in ["", "forged-token-forged-token-forged-token"] {
            let response = client
                .post_form(
                    "/signup",
                    &[
                        ("csrf_token", token),
                        ("username", "mallory"),
                        ("email", "mallory@example.org"),
                        ("password", PASSWORD),
                        ("accept_charter", "yes"),
                    ],
                )
                .await;
            assert_eq!(response.status, 403);
            assert!(response.text.contains("csrf_failed"));
        }
        // A client that never got the cookie is refused as well.
        let response = Client::cookieless(&instance)
            .post_form(
                "/signup",
                &[
                    ("csrf_token", "x"),
                    ("username", "mallory"),
                    ("email", "m@example.org"),
                    ("password", PASSWORD),
                    ("accept_charter", "yes"),
                ],
            )
            .await;
        assert_eq!(response.status, 403);
        assert_eq!(count_accounts(&instance).await, 0);
        instance.stop().await;
    }
}

async fn api_signup(instance: &TestInstance, smtp: &SmtpServer, name: &str, email: &str) -> Value {
    let client = Client::cookieless(instance);
    client
        .post(
            "/api/v1/accounts",
            json!({
                "username": name, "email": email, "password": PASSWORD, "display_name": name,
                "accept_charter": true, "school": format!("Collège de {name}"),
                "motivation": "Échanger avec les collègues de l'association",
            }),
        )
        .await
        .expect(201);
    let mail = smtp.wait_for_mail(email, 1).await;
    let link = link_in(&mail, &instance.url("/verify?token="));
    let token = link.split("token=").nth(1).unwrap();
    client
        .post("/api/v1/accounts/verify", json!({"token": token}))
        .await
        .expect(200)
}

async fn api_login(instance: &TestInstance, login: &str) -> Answer {
    Client::cookieless(instance)
        .post(
            "/api/v1/sessions",
            json!({"login": login, "password": PASSWORD}),
        )
        .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_json_api_covers_accounts_and_profiles_with_stable_errors() {
    for engine in engines() {
        let smtp = SmtpServer::start();
        let (settings, dir) = settings(engine, Some(&smtp));
        let instance = start(engine, settings, dir).await;
        let client = Client::cookieless(&instance);

        let verified = api_signup(&instance, &smtp, "amina", "amina@example.org").await;
        assert_eq!(verified["account"]["status"], "active");

        // Bad inputs: each a status and a stable code; nothing changes.
        let cases = [
            (
                json!({"username": "amina", "email": "other@example.org", "password": PASSWORD, "accept_charter": true}),
                422,
                "username_taken",
            ),
            (
                json!({"username": "x", "email": "x@example.org", "password": PASSWORD, "accept_charter": true}),
                422,
                "invalid_username",
            ),
            (
                json!({"username": "admin", "email": "x@example.org", "password": PASSWORD, "accept_charter": true}),
                422,
                "username_reserved",
            ),
            (
                json!({"username": "zoe", "email": "not-an-address", "password": PASSWORD, "accept_charter": true}),
                422,
                "invalid_email",
            ),
            (
                json!({"username": "zoe", "email": "zoe@example.org", "password": "short", "accept_charter": true}),
                422,
                "password_too_short",
            ),
            (
                json!({"username": "zoe", "email": "zoe@example.org", "password": PASSWORD, "accept_charter": false}),
                422,
                "charter_not_accepted",
            ),
            (json!({"username": "zoe"}), 400, "invalid_json"),
        ];
        for (body, status, code) in cases {
            let response = client
                .send(
                    client
                        .build(Method::POST, &instance.url("/api/v1/accounts"))
                        .json(&body),
                )
                .await;
            assert_eq!(response.status, status, "{body}");
            let error = response.json;
            assert_eq!(error["error"]["code"], code, "{body}");
            assert!(!error["error"]["message"].as_str().unwrap().is_empty());
        }
        let response = client
            .send(
                client
                    .build(Method::POST, &instance.url("/api/v1/accounts"))
                    .body("{not json")
                    .header("content-type", "application/json"),
            )
            .await;
        assert_eq!(response.status, 400);
        assert_eq!(count_accounts(&instance).await, 1);

        let response = api_login(&instance, "amina").await;
        assert_eq!(response.status, 201);
        let session = response.json;
        let token = session["token"].as_str().unwrap().to_string();

        let response = client.get("/api/v1/me").await;
        assert_eq!(response.status, 401);
        let response = client
            .send(
                client
                    .build(Method::GET, &instance.url("/api/v1/me"))
                    .bearer_auth("nonsense"),
            )
            .await;
        assert_eq!(response.status, 401);

        let profile = json!({
            "display_name": "Amina Diallo",
            "bio": "SVT et *jardins* pédagogiques",
            "subjects": ["SVT"],
            "school_levels": ["college", "lycee"],
            "languages": ["fr", "wo"],
            "academy": "Créteil",
            "interests": ["jardin", "climat"]
        });
        let response = client
            .send(
                client
                    .build(Method::PUT, &instance.url("/api/v1/me/profile"))
                    .bearer_auth(&token)
                    .json(&profile),
            )
            .await;
        assert_eq!(response.status, 200);
        let me = response.json;
        assert_eq!(me["profile"]["bio"], "SVT et *jardins* pédagogiques");
        assert!(me["profile"]["bio_html"]
            .as_str()
            .unwrap()
            .contains("<em>jardins</em>"));

        // A bad profile edit keeps the stored profile.
        let mut bad = profile.clone();
        bad["school_levels"] = json!(["cp"]);
        let response = client
            .send(
                client
                    .build(Method::PUT, &instance.url("/api/v1/me/profile"))
                    .bearer_auth(&token)
                    .json(&bad),
            )
            .await;
        assert_eq!(response.status, 422);
        assert_eq!(response.json["error"]["code"], "invalid_school_level");
        let public: Value = client.get("/api/v1/profiles/amina").await.json;
        assert_eq!(public["school_levels"], json!(["college", "lycee"]));
        assert_eq!(public["handle"], format!("amina@{}", instance.domain));
        assert!(
            public.get("email").is_none(),
            "public profiles never show the address"
        );

        let response = client.get("/api/v1/profiles/nobody").await;
        assert_eq!(response.status, 404);
        assert_eq!(response.json["error"]["code"], "not_found");

        // Non-admins cannot use admin routes.
        let response = client
            .send(
                client
                    .build(Method::GET, &instance.url("/api/v1/admin/accounts"))
                    .bearer_auth(&token),
            )
            .await;
        assert_eq!(response.status, 403);

        let response = client
            .send(
                client
                    .build(Method::DELETE, &instance.url("/api/v1/sessions/current"))
                    .bearer_auth(&token),
            )
            .await;
        assert_eq!(response.status, 204);
        let response = client
            .send(
                client
                    .build(Method::GET, &instance.url("/api/v1/me"))
                    .bearer_auth(&token),
            )
            .await;
        assert_eq!(response.status, 401);
        instance.stop().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn associative_sign_ups_wait_for_an_admin() {
    for engine in engines() {
        let smtp = SmtpServer::start();
        let (mut settings, dir) = settings(engine, Some(&smtp));
        settings.instance.trust_level = TrustLevel::Associative;
        settings.instance.registrations = Registrations::Approval;
        let instance = start(engine, settings, dir).await;
        let domain = &instance.running.state.domain;
        domain
            .admin_create_account(preau::domain::accounts::AdminCreateInput {
                username: "president".into(),
                email: "president@asso.example".into(),
                password: PASSWORD.into(),
                is_admin: true,
            })
            .await
            .unwrap();
        // The applicant says who they are and why they join: each is
        // required here, and bounded.
        let applicant = Client::cookieless(&instance);
        let mut application = json!({
            "username": "lucas", "email": "lucas@example.net", "password": PASSWORD,
            "display_name": "Lucas", "accept_charter": true, "school": "Collège Jean Macé",
        });
        applicant
            .post("/api/v1/accounts", application.clone())
            .await
            .expect_error(422, "field_required");
        application["motivation"] = json!("x".repeat(1001));
        applicant
            .post("/api/v1/accounts", application.clone())
            .await
            .expect_error(422, "field_too_long");
        assert_eq!(
            count_accounts(&instance).await,
            1,
            "nothing made of a refused application"
        );
        let verified = api_signup(&instance, &smtp, "lucas", "lucas@example.net").await;
        assert_eq!(verified["account"]["status"], "pending_approval");
        let response = api_login(&instance, "lucas").await;
        assert_eq!(response.status, 403);
        assert_eq!(response.json["error"]["code"], "account_pending_approval");
        assert_eq!(
            Client::cookieless(&instance)
                .get("/users/lucas")
                .await
                .status,
            404,
            "unapproved profiles are hidden"
        );
        // The admins learn that a sign-up waits (issue 12).
        let president = Client::log_in(&instance, "president").await;
        let list = president.get_json("/api/v1/notifications").await;
        assert_eq!(list["unread"], 1, "{list}");
        assert_eq!(list["items"][0]["kind"], "signup_pending");
        assert_eq!(list["items"][0]["title"], "lucas");
        assert_eq!(list["items"][0]["link"], "/admin");

        // The admin approves in the console.
        let admin = Client::anonymous(&instance);
        let token = csrf_token(&admin.page("/login").await);
        let response = admin
            .send(admin.build(Method::POST, &instance.url("/login")).form(&[
                ("csrf_token", token.as_str()),
                ("login", "president"),
                ("password", PASSWORD),
            ]))
            .await;
        assert_eq!(response.status, 303);
        let html = admin.get("/admin").await.text;
        assert!(html.contains("/admin/users/lucas/approve"), "{html}");
        assert!(html.contains("/admin/users/lucas/refuse"), "{html}");
        assert!(
            html.contains("Collège de lucas"),
            "the school is listed: {html}"
        );
        assert!(
            html.contains("Échanger avec les collègues de l&#x27;association")
                || html.contains("Échanger avec les collègues de l'association"),
            "the motivation is listed: {html}"
        );
        let token = csrf_token(&html);
        let response = admin
            .send(
                admin
                    .build(Method::POST, &instance.url("/admin/users/lucas/approve"))
                    .form(&[("csrf_token", token.as_str())]),
            )
            .await;
        assert_eq!(response.status, 303, "back to the list");
        assert_eq!(response.headers["location"], "/admin");
        let listed = admin.get("/admin").await.text;
        assert!(listed.contains("Le compte lucas est actif."), "{listed}");
        // The approval is mailed by the notification mail job (run now
        // rather than waiting for its 30 s tick).
        domain.send_notification_mails().await.unwrap();
        let welcome = smtp.wait_for_mail("lucas@example.net", 2).await;
        assert!(
            !welcome.data.contains("/verify?token="),
            "the approval, mailed"
        );
        assert_eq!(api_login(&instance, "lucas").await.status, 201);

        // Two more sign-ups wait; the admin refuses Marc in the console
        // and Nina (who reads English) through the API, each with a reason
        // mailed to them; neither may log in; the refusals stay listed.
        api_signup(&instance, &smtp, "marc", "marc@example.net").await;
        api_signup(&instance, &smtp, "nina", "nina@example.net").await;
        let nina_row = domain
            .store()
            .account_by_username("nina")
            .await
            .unwrap()
            .unwrap();
        domain.set_account_language(&nina_row, "en").await.unwrap();
        let html = admin.get("/admin").await.text;
        let token = csrf_token(&html);
        let refuse = |reason: &'static str| {
            admin
                .build(Method::POST, &instance.url("/admin/users/marc/refuse"))
                .form(&[("csrf_token", token.as_str()), ("reason", reason)])
        };
        let empty = admin.send(refuse("  ")).await;
        assert_eq!(empty.status, 422, "a reason is required: {}", empty.text);
        let response = admin.send(refuse("Adresse hors association")).await;
        assert_eq!(response.status, 303, "{}", response.text);
        assert_eq!(response.headers["location"], "/admin");
        let listed = admin.get("/admin").await.text;
        assert!(
            listed.contains("L’inscription de marc est refusée"),
            "{listed}"
        );
        assert!(listed.contains("Inscriptions refusées"), "{listed}");
        assert!(listed.contains("Adresse hors association"), "{listed}");
        let marc_mail = smtp.wait_for_mail("marc@example.net", 2).await;
        assert!(
            !marc_mail.data.contains("/verify?token="),
            "the refusal, not the verification"
        );
        let marc = api_login(&instance, "marc").await;
        assert_eq!(marc.status, 403);
        assert_eq!(marc.json["error"]["code"], "account_refused");

        let president_api = Client::log_in(&instance, "president").await;
        president_api
            .post("/api/v1/admin/accounts/nina/refuse", json!({}))
            .await
            .expect_error(400, "invalid_json");
        president_api
            .post("/api/v1/admin/accounts/nina/refuse", json!({"reason": ""}))
            .await
            .expect_error(422, "field_required");
        let refused = president_api
            .post(
                "/api/v1/admin/accounts/nina/refuse",
                json!({"reason": "Not a member of the association"}),
            )
            .await
            .expect(200);
        assert_eq!(refused["account"]["status"], "refused", "{refused}");
        assert_eq!(
            refused["account"]["refusal_reason"],
            "Not a member of the association"
        );
        president_api
            .post(
                "/api/v1/admin/accounts/nina/refuse",
                json!({"reason": "Again"}),
            )
            .await
            .expect_error(409, "account_already_refused");
        president_api
            .post(
                "/api/v1/admin/accounts/lucas/refuse",
                json!({"reason": "Too late"}),
            )
            .await
            .expect_error(409, "account_already_active");
        let nina_mail = smtp.wait_for_mail("nina@example.net", 2).await;
        assert!(
            nina_mail.data.contains("refused your sign-up"),
            "in her language: {}",
            nina_mail.data
        );
        assert!(nina_mail.data.contains("Not a member of the association"));
        let list = president_api
            .get_json("/api/v1/admin/accounts?status=refused")
            .await;
        let names: Vec<&str> = list["accounts"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| a["username"].as_str().unwrap())
            .collect();
        assert_eq!(names, ["marc", "nina"], "{list}");
        // No site notification for a refused applicant: the kind is gone.
        assert!(president_api
            .get_json("/api/v1/me/notification-settings")
            .await
            .to_string()
            .find("signup_refused")
            .is_none());
        let lucas = Client::log_in(&instance, "lucas").await;
        let list = lucas.get_json("/api/v1/notifications").await;
        assert_eq!(list["unread"], 1, "{list}");
        assert_eq!(list["items"][0]["kind"], "signup_approved");

        let csv = admin.get("/admin/users.csv").await.text;
        assert!(
            csv.starts_with("username,email,email_domain,status"),
            "{csv}"
        );
        assert!(
            csv.contains("lucas,lucas@example.net,example.net,active,false"),
            "{csv}"
        );

        // A member cannot open the console.
        let member = Client::anonymous(&instance);
        let token = csrf_token(&member.page("/login").await);
        member
            .send(member.build(Method::POST, &instance.url("/login")).form(&[
                ("csrf_token", token.as_str()),
                ("login", "lucas"),
                ("password", PASSWORD),
            ]))
            .await;
        assert_eq!(member.get("/admin").await.status, 403);
        assert_eq!(member.get("/admin/users.csv").await.status, 403);

        // Suspension: no log-in, no profile, no WebFinger; the last admin stays.
        let response = admin.get("/admin").await.text;
        let token = csrf_token(&response);
        let response = admin
            .send(
                admin
                    .build(Method::POST, &instance.url("/admin/users/lucas/suspend"))
                    .form(&[("csrf_token", token.as_str())]),
            )
            .await;
        assert_eq!(response.status, 303);
        assert_eq!(api_login(&instance, "lucas").await.status, 403);
        assert_eq!(
            member.get("/settings/profile").await.status,
            303,
            "sessions end at suspension"
        );
        let webfinger = Client::cookieless(&instance)
            .get(&format!(
                "/.well-known/webfinger?resource=acct:lucas@{}",
                instance.domain
            ))
            .await;
        assert_eq!(webfinger.status, 404);
        let error = domain.suspend_account("president").await.unwrap_err();
        assert_eq!(error.code(), "last_admin");
        let reactivated = domain.approve_account("lucas").await.unwrap();
        assert_eq!(reactivated.status.as_str(), "active");

        // Re-activating never skips the proof of the address.
        let response = Client::cookieless(&instance)
            .post(
                "/api/v1/accounts",
                json!({
                    "username": "zoe", "email": "zoe@example.org", "password": PASSWORD,
                    "accept_charter": true, "display_name": "Zoé", "school": "Lycée Victor Hugo",
                    "motivation": "Partager des séquences",
                }),
            )
            .await;
        assert_eq!(response.status, 201);
        domain.suspend_account("zoe").await.unwrap();
        let back = domain.approve_account("zoe").await.unwrap();
        assert_eq!(back.status.as_str(), "pending_verification");
        assert_eq!(api_login(&instance, "zoe").await.status, 403);
        instance.stop().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_forgotten_password_is_reset_by_mail() {
    for engine in engines() {
        let smtp = SmtpServer::start();
        let (settings, dir) = settings(engine, Some(&smtp));
        let instance = start(engine, settings, dir).await;
        let client = Client::cookieless(&instance);
        api_signup(&instance, &smtp, "yann", "yann@example.org").await;
        let old_session = api_login(&instance, "yann").await.json;

        // Unknown addresses get the same answer.
        for email in ["yann@example.org", "nobody@example.org"] {
            let response = client
                .post("/api/v1/password/forgot", json!({"email": email}))
                .await;
            assert_eq!(response.status, 202);
        }
        let mail = smtp.wait_for_mail("yann@example.org", 2).await;
        assert!(smtp.mails_to("nobody@example.org").is_empty());
        let link = link_in(&mail, &instance.url("/password/reset?token="));
        let token = link.split("token=").nth(1).unwrap();

        let reset = |password: &'static str| {
            client.post(
                "/api/v1/password/reset",
                json!({"token": token, "password": password}),
            )
        };
        assert_eq!(reset("short").await.status, 422);
        assert_eq!(reset("un tout nouveau mot de passe").await.status, 200);
        let response = reset("encore un autre mot de passe").await;
        assert_eq!(response.status, 400);
        assert_eq!(response.json["error"]["code"], "invalid_token");

        let request = client
            .build(Method::GET, "/api/v1/me")
            .bearer_auth(old_session["token"].as_str().unwrap());
        let response = client.send(request).await;
        assert_eq!(response.status, 401, "a reset ends every session");
        assert_eq!(api_login(&instance, "yann").await.status, 401);
        let response = client
            .post(
                "/api/v1/sessions",
                json!({"login": "yann", "password": "un tout nouveau mot de passe"}),
            )
            .await;
        assert_eq!(response.status, 201);
        instance.stop().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn log_in_attempts_are_rate_limited() {
    let engine = Engine::Sqlite;
    let (mut settings, dir) = settings(engine, None);
    settings.limits.login_per_minute = 3;
    let instance = start(engine, settings, dir).await;
    let mut statuses = Vec::new();
    for _ in 0..5 {
        statuses.push(api_login(&instance, "nobody").await.status);
    }
    assert_eq!(statuses, [401, 401, 401, 429, 429]);
    instance.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn other_instances_discover_a_teacher_by_handle() {
    for engine in engines() {
        let (mut settings_a, dir_a) = settings(engine, None);
        institutional(&mut settings_a);
        let academy = start(engine, settings_a, dir_a).await;
        let (settings_b, dir_b) = settings(engine, None);
        let informal = start(engine, settings_b, dir_b).await;

        let domain = &academy.running.state.domain;
        let account = domain
            .admin_create_account(preau::domain::accounts::AdminCreateInput {
                username: "camille".into(),
                email: "camille@ac-rennes.fr".into(),
                password: PASSWORD.into(),
                is_admin: false,
            })
            .await
            .unwrap();
        domain
            .update_profile(
                account.actor_id,
                &preau::domain::profile::ProfileInput {
                    display_name: "Camille Le Goff".into(),
                    bio: "Maths et **robotique**".into(),
                    subjects: "Mathématiques".into(),
                    levels: vec!["lycee".into()],
                    languages: "fr, en".into(),
                    academy: "Rennes".into(),
                    ..Default::default()
                },
                &preau::apub::person_updates::PersonUpdates,
            )
            .await
            .unwrap();

        // WebFinger and NodeInfo as any fediverse server reads them.
        let client = Client::stranger();
        let finger: Value = client
            .get(&academy.url(&format!(
                "/.well-known/webfinger?resource=acct:camille@{}",
                academy.domain
            )))
            .await
            .json;
        assert_eq!(
            finger["subject"],
            format!("acct:camille@{}", academy.domain)
        );
        assert_eq!(finger["links"][0]["href"], academy.url("/users/camille"));
        let response = client
            .get(&academy.url("/.well-known/webfinger?resource=acct:camille@elsewhere.example"))
            .await;
        assert_eq!(response.status, 404);
        let response = client.get(&academy.url("/.well-known/webfinger")).await;
        assert_eq!(response.status, 400);

        let links: Value = client.get(&academy.url("/.well-known/nodeinfo")).await.json;
        let href = links["links"][0]["href"].as_str().unwrap();
        let info: Value = client.get(href).await.json;
        assert_eq!(info["software"]["name"], "preau");
        assert_eq!(info["protocols"], json!(["activitypub"]));
        assert_eq!(info["usage"]["users"]["total"], 1);
        assert_eq!(info["metadata"]["trust"]["declared"], "institutional");
        let instance_actor: Value = client
            .get(links["links"][1]["href"].as_str().unwrap())
            .await
            .json;
        assert_eq!(instance_actor["type"], "Application");

        // A member of the informal instance looks the teacher up; her
        // instance stores the actor. Strangers may not make it fetch.
        let handle = format!("camille@{}", academy.domain);
        let response = client
            .send(
                client
                    .build(Method::GET, &informal.url("/api/v1/lookup"))
                    .query(&[("handle", handle.as_str())]),
            )
            .await;
        assert_eq!(response.status, 401);
        informal
            .running
            .state
            .domain
            .admin_create_account(preau::domain::accounts::AdminCreateInput {
                username: "lucas".into(),
                email: "lucas@example.net".into(),
                password: PASSWORD.into(),
                is_admin: false,
            })
            .await
            .unwrap();
        let session = api_login(&informal, "lucas").await.json;
        let token = session["token"].as_str().unwrap().to_string();
        let found: Value = client
            .send(
                client
                    .build(Method::GET, &informal.url("/api/v1/lookup"))
                    .bearer_auth(&token)
                    .query(&[("handle", handle.as_str())]),
            )
            .await
            .json;
        assert_eq!(found["handle"], handle);
        assert_eq!(found["local"], false);
        assert_eq!(found["subjects"], json!(["Mathématiques"]));
        assert_eq!(found["academy"], "Rennes");
        assert!(found["bio_html"]
            .as_str()
            .unwrap()
            .contains("<strong>robotique</strong>"));
        let stored = informal
            .running
            .state
            .domain
            .store()
            .actor_by_ap_id(&academy.url("/users/camille"))
            .await
            .unwrap()
            .unwrap();
        assert_eq!(stored.domain, academy.domain);
        assert_eq!(stored.declared_trust, Some(TrustLevel::Institutional));
        assert!(stored.private_key_pem.is_none());

        let response = client
            .send(
                client
                    .build(Method::GET, &informal.url("/api/v1/lookup"))
                    .bearer_auth(&token)
                    .query(&[("handle", format!("nobody@{}", academy.domain))]),
            )
            .await;
        assert_eq!(response.status, 404);
        assert_eq!(response.json["error"]["code"], "handle_unknown");
        let response = client
            .send(
                client
                    .build(Method::GET, &informal.url("/api/v1/lookup"))
                    .bearer_auth(&token)
                    .query(&[("handle", "not a handle")]),
            )
            .await;
        assert_eq!(response.status, 400);
        academy.stop().await;
        informal.stop().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pages_follow_the_reader_language_and_404s_are_clear() {
    let engine = Engine::Sqlite;
    let (settings, dir) = settings(engine, None);
    let instance = start(engine, settings, dir).await;
    let client = Client::anonymous(&instance);
    let fr = client.page_in("fr-FR,fr;q=0.9", "/").await;
    assert!(fr.contains("<html lang=\"fr\">") && fr.contains("Créer un compte"));
    let en = client.page_in("en-GB,en;q=0.9", "/").await;
    assert!(en.contains("<html lang=\"en\">") && en.contains("Sign up"));
    let response = client.get("/lang/en?next=/signup").await;
    assert_eq!(response.status, 303);
    assert_eq!(response.headers["location"], "/signup");
    let page = client.page_in("fr", "/signup").await;
    assert!(
        page.contains("<html lang=\"en\">"),
        "the chosen language wins over the header"
    );
    let response = client.get("/lang/en?next=https://evil.example").await;
    assert_eq!(response.headers["location"], "/");
    let response = client.get("/no/such/page").await;
    assert_eq!(response.status, 404);
    assert_eq!(response.json["error"]["code"], "not_found");
    let response = client.get("/users/nobody").await;
    assert_eq!(response.status, 404);
    instance.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_demo_starts_three_federating_instances() {
    preau::install_crypto_provider();
    let dir = tempfile::tempdir().unwrap();
    let (instances, summary) = preau::demo::start(dir.path(), 0).await.unwrap();
    assert_eq!(instances.len(), 3);
    assert!(summary.contains(preau::demo::DEMO_PASSWORD));
    let client = Client::stranger();
    let mut levels = Vec::new();
    for instance in &instances {
        let info = client
            .get(&format!("{}/api/v1/instance", instance.base_url))
            .await
            .json;
        levels.push(info["trust_level"].as_str().unwrap().to_string());
    }
    assert_eq!(levels, ["institutional", "associative", "informal"]);
    // A teacher of the informal node finds the academy's teacher by handle.
    let session = client
        .post(
            &format!("{}/api/v1/sessions", instances[2].base_url),
            json!({"login": "lucas", "password": preau::demo::DEMO_PASSWORD}),
        )
        .await
        .json;
    let handle = format!(
        "camille@{}",
        instances[0].base_url.trim_start_matches("http://")
    );
    let request = client
        .build(
            Method::GET,
            &format!("{}/api/v1/lookup", instances[2].base_url),
        )
        .bearer_auth(session["token"].as_str().unwrap())
        .query(&[("handle", handle.as_str())]);
    let found = client.send(request).await.json;
    assert_eq!(found["display_name"], "Camille Le Goff");
    let login = client
        .post(
            &format!("{}/api/v1/sessions", instances[1].base_url),
            json!({"login": "amina", "password": preau::demo::DEMO_PASSWORD}),
        )
        .await;
    assert_eq!(login.status, 201);

    // The summary names the admins and what to open first.
    for expected in [
        "admin: camille",
        "admin: amina",
        "admin: lucas",
        "open first",
    ] {
        assert!(
            summary.contains(expected),
            "{expected:?} missing:\n{summary}"
        );
    }
    // The academy's forum, read on the association's instance: its posts
    // carry the institutional label the demo authority's attestation
    // earns, once the association checked the academy.
    let host = |i: usize| {
        instances[i]
            .base_url
            .trim_start_matches("http://")
            .to_string()
    };
    let forum_api = format!(
        "{}/api/v1/forums/maths_lycee@{}",
        instances[1].base_url,
        host(0)
    );
    let attested = wait_until(std::time::Duration::from_secs(30), || async {
        let page = client.get(&forum_api).await.json;
        let thread = page["threads"]
            .as_array()?
            .iter()
            .find(|t| t["author"]["handle"] == format!("camille@{}", host(0)))?
            .clone();
        (thread["trust"]["level"] == "institutional").then_some(thread)
    })
    .await
    .expect("an institutional academy thread on the association within 30 s");
    assert_eq!(
        attested["trust"]["verified_by"],
        preau::demo::DEMO_AUTHORITY
    );
    assert_eq!(attested["trust"]["evidence"]["kind"], "attestation");
    assert_eq!(attested["trust"]["organisation"], "Académie de Rennes");
    let thread_id = attested["id"].as_i64().unwrap();
    let thread: Value = client
        .get(&format!(
            "{}/api/v1/threads/{thread_id}",
            instances[1].base_url
        ))
        .await
        .json;
    assert!(
        thread["replies"].as_array().is_some_and(|r| r.len() == 2),
        "the academy's replies reached the association: {thread}"
    );
    let page = client
        .page_in(
            "fr",
            &format!("{}/threads/{thread_id}", instances[1].base_url),
        )
        .await;
    for expected in [
        "Institutionnel",
        "· Académie de Rennes",
        &format!("· vérifié par {}", preau::demo::DEMO_AUTHORITY),
        "se présente comme un nœud institutionnel",
    ] {
        assert!(
            page.contains(expected),
            "{expected:?} missing from the thread page"
        );
    }
    // Forums with threads on the academy and the association, the
    // association teacher's thread in the academy's forum, the project
    // with its members and its event.
    for (index, forum, at_least) in [
        (0, "maths_lycee", 2),
        (0, "histoire_geo", 1),
        (1, "sorties_terrain", 1),
    ] {
        let page = client
            .get(&format!(
                "{}/api/v1/forums/{forum}",
                instances[index].base_url
            ))
            .await
            .json;
        assert!(
            page["total_threads"].as_i64().unwrap_or(0) >= at_least,
            "{forum}: {page}"
        );
    }
    let project = client
        .get(&format!(
            "{}/api/v1/projects/robotique",
            instances[0].base_url
        ))
        .await
        .json;
    let text = project.to_string();
    assert!(
        text.contains("camille") && text.contains("yann"),
        "members: {project}"
    );
    let project_page = client
        .page_in(
            "fr",
            &format!("{}/projects/robotique/members", instances[0].base_url),
        )
        .await;
    assert!(
        project_page.contains("Yann Kerbrat"),
        "the project page lists its members"
    );
    let academy = &instances[0].state.domain;
    let camille = academy
        .account_by_username("camille")
        .await
        .unwrap()
        .unwrap();
    let robotique = academy.project_by_path("robotique").await.unwrap();
    let events = academy
        .project_events_for(&camille, &robotique)
        .await
        .unwrap();
    assert_eq!(events.len(), 1, "the project has its first meeting");
    let threads = academy
        .project_threads_for(&camille, &robotique)
        .await
        .unwrap();
    assert_eq!(threads.len(), 1, "the project's forum has a thread");
    assert_eq!(threads[0].reply_count, 1, "and its reply");
    let documents = academy
        .project_documents_for(&camille, &robotique)
        .await
        .unwrap();
    assert_eq!(documents.len(), 1, "the project shares a document");
    for instance in instances {
        instance.stop().await.unwrap();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_sign_up_survives_a_mail_server_outage_and_a_new_link_can_be_asked_for() {
    for engine in engines() {
        // Nothing listens on this port: the SMTP connection is refused.
        let closed_port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let (mut settings, dir) = settings(engine, None);
        settings.mail.smtp_url = format!("smtp://127.0.0.1:{closed_port}");
        let instance = start(engine, settings, dir).await;
        let client = Client::cookieless(&instance);
        let response = client
            .post(
                "/api/v1/accounts",
                json!({"username": "ines", "email": "ines@example.org", "password": PASSWORD, "accept_charter": true}),
            )
            .await;
        assert_eq!(response.status, 201);
        let body = response.json;
        assert_eq!(body["verification_mail_sent"], false);
        assert_eq!(count_accounts(&instance).await, 1);
        // Asking again answers like for an unknown address.
        for email in ["ines@example.org", "unknown@example.org"] {
            let response = client
                .post(
                    "/api/v1/accounts/resend-verification",
                    json!({"email": email}),
                )
                .await;
            assert_eq!(response.status, 202);
        }
        instance.stop().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wrong_methods_get_a_json_error() {
    let engine = Engine::Sqlite;
    let (settings, dir) = settings(engine, None);
    let instance = start(engine, settings, dir).await;
    let response = Client::cookieless(&instance)
        .call(Method::DELETE, "/api/v1/instance", None)
        .await;
    assert_eq!(response.status, 405);
    assert_eq!(response.json["error"]["code"], "method_not_allowed");
    instance.stop().await;
}
