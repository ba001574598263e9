//! The pages' forms under hostile or mistaken input: return-to targets that
//! try to leave the site, CSRF tokens carried to another session, sign-ups
//! that would tell who has an account or store an address the mailer
//! refuses, and invalid input in every form (never a 500, never an empty
//! form).

use super::forums::teacher;
use super::projects::submit;
use super::support::client::{Answer, Client, PASSWORD};
use super::support::*;
use reqwest::Method;
use serde_json::{json, Value};

/// Return-to targets that must never send the browser off the site, as
/// they appear in a URL's query (percent-encoded where a browser would).
const HOSTILE_TARGETS: [&str; 16] = [
    "//evil.example",
    "%2F%2Fevil.example",
    "/%5Cevil.example",
    "%2F%5Cevil.example",
    "https://evil.example",
    "https%3A%2F%2Fevil.example",
    "javascript:alert(1)",
    "/%09/evil.example/x",
    "%09//evil.example",
    "/%0a/evil.example/x",
    "/%0d%0aSet-Cookie:x=1",
    "/%250d%250aSet-Cookie:x=1",
    "/%2509/evil.example/x",
    "%20//evil.example",
    "/%E2%80%AE/x%5C",
    "/x%0d%0a",
];

fn set_cookies(response: &Answer) -> Vec<String> {
    response
        .headers
        .get_all("set-cookie")
        .iter()
        .map(|value| value.to_str().unwrap().to_string())
        .collect()
}

fn location(response: &Answer) -> String {
    response.location.clone().unwrap_or_default()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn return_to_targets_never_leave_the_site() {
    for engine in engines() {
        let (settings, dir) = settings(engine, None);
        let instance = start(engine, settings, dir).await;
        teacher(&instance, "anne", false).await;
        let client = Client::anonymous(&instance);

        // Targets on the site are followed.
        let response = client
            .get(&instance.url("/lang/en?next=%2Fforums%3Fpage%3D2"))
            .await;
        assert_eq!(response.status, 303);
        assert_eq!(location(&response), "/forums?page=2");

        for (index, target) in HOSTILE_TARGETS.iter().enumerate() {
            for lang in ["fr", "en"] {
                let response = client
                    .get(&instance.url(&format!("/lang/{lang}?next={target}")))
                    .await;
                assert_eq!(response.status, 303, "{engine:?} /lang {target}");
                assert_eq!(location(&response), "/", "/lang/{lang} {target}");
                assert!(
                    set_cookies(&response)
                        .iter()
                        .all(|cookie| cookie.starts_with("preau_lang=")
                            || cookie.starts_with("preau_csrf=")),
                    "{target}"
                );
            }

            // The log-in page keeps the target in its form, escaped, and
            // the log-in goes home instead of following it.
            let login = Client::anonymous(&instance);
            let response = login
                .get(&instance.url(&format!("/login?next={target}")))
                .await;
            assert_eq!(response.status, 200, "{target}");
            let token = csrf_token(&response.text);
            let body = format!(
                "csrf_token={token}&login=anne&password={}&next={target}",
                url::form_urlencoded::byte_serialize(PASSWORD.as_bytes()).collect::<String>()
            );
            let response = login
                .send(
                    login
                        .build(Method::POST, "/login")
                        .header("content-type", "application/x-www-form-urlencoded")
                        .body(body),
                )
                .await;
            assert_eq!(response.status, 303, "{engine:?} /login {target}");
            assert_eq!(location(&response), "/", "/login {target}");
            let cookies = set_cookies(&response);
            assert!(
                cookies
                    .iter()
                    .all(|cookie| cookie.starts_with("preau_session=")
                        || cookie.starts_with("preau_csrf=")),
                "{cookies:?}"
            );

            // The contact form's `back` falls back to "Mes demandes".
            let colleague = format!("prof{index}");
            teacher(&instance, &colleague, false).await;
            let token = csrf_token(&login.page("/requests").await);
            let body = format!("csrf_token={token}&handle={colleague}&back={target}");
            let response = login
                .send(
                    login
                        .build(Method::POST, "/contacts")
                        .header("content-type", "application/x-www-form-urlencoded")
                        .body(body),
                )
                .await;
            assert!(
                (300..400).contains(&response.status),
                "{engine:?} /contacts {target}: {}",
                response.status
            );
            assert_eq!(location(&response), "/requests", "/contacts {target}");
        }

        // A handle with CR/LF in the short link is no 500 either.
        let response = client.get(&instance.url("/@x%0d%0aSet-Cookie:x=1")).await;
        assert!((300..400).contains(&response.status), "{}", response.status);
        assert_eq!(location(&response), "/");
        assert!(set_cookies(&response)
            .iter()
            .all(|cookie| !cookie.starts_with("x=")));
        instance.stop().await;
    }
}

/// The cookies a log-in gives: the session token and the new pre-session
/// secret.
async fn log_in_raw(instance: &TestInstance, name: &str) -> (String, String) {
    let client = Client::cookieless(instance);
    let response = client.get("/login").await;
    let secret = cookie_value(&set_cookies(&response), "preau_csrf").unwrap();
    let token = csrf_token(&response.text);
    let request = client
        .build(Method::POST, "/login")
        .header("cookie", format!("preau_csrf={secret}"))
        .form(&[
            ("csrf_token", token.as_str()),
            ("login", name),
            ("password", PASSWORD),
        ]);
    let response = client.send(request).await;
    assert_eq!(response.status, 303, "log-in of {name}");
    let cookies = set_cookies(&response);
    let session = cookie_value(&cookies, "preau_session").unwrap();
    let rotated = cookie_value(&cookies, "preau_csrf").expect("log-in rotates the secret");
    assert_ne!(rotated, secret);
    (session, rotated)
}

fn cookie_value(cookies: &[String], name: &str) -> Option<String> {
    cookies.iter().find_map(|cookie| {
        cookie
            .strip_prefix(&format!("{name}="))
            .map(|rest| rest.split(';').next().unwrap_or_default().to_string())
    })
}

async fn profile_form_token(instance: &TestInstance, cookie: &str) -> String {
    let client = Client::cookieless(instance);
    let request = client
        .build(Method::GET, "/settings/profile")
        .header("cookie", cookie);
    csrf_token(&client.send(request).await.text)
}

async fn save_display_name(
    instance: &TestInstance,
    cookie: &str,
    token: &str,
    display_name: &str,
) -> (u16, String) {
    let client = Client::cookieless(instance);
    let request = client
        .build(Method::POST, "/settings/profile")
        .header("cookie", cookie)
        .form(&[("csrf_token", token), ("display_name", display_name)]);
    let response = client.send(request).await;
    (response.status, response.text)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn csrf_tokens_are_bound_to_the_session() {
    for engine in engines() {
        let (settings, dir) = settings(engine, None);
        let instance = start(engine, settings, dir).await;
        teacher(&instance, "anne", false).await;
        teacher(&instance, "bruno", false).await;
        let (anne_session, anne_secret) = log_in_raw(&instance, "anne").await;
        let (bruno_session, bruno_secret) = log_in_raw(&instance, "bruno").await;
        let anne_cookie = format!("preau_session={anne_session}; preau_csrf={anne_secret}");
        let bruno_cookie = format!("preau_session={bruno_session}; preau_csrf={bruno_secret}");
        let anne_token = profile_form_token(&instance, &anne_cookie).await;
        let bruno_token = profile_form_token(&instance, &bruno_cookie).await;
        assert_ne!(anne_token, bruno_token);

        // Anne's token (or her pre-session secret, the old double-submit
        // value) with Bruno's session is refused, even when Anne plants
        // her own `preau_csrf` cookie in Bruno's browser.
        let planted = format!("preau_session={bruno_session}; preau_csrf={anne_secret}");
        for (cookie, token) in [
            (&bruno_cookie, &anne_token),
            (&planted, &anne_token),
            (&planted, &anne_secret),
            (&bruno_cookie, &bruno_secret),
        ] {
            let (status, html) = save_display_name(&instance, cookie, token, "Piégé").await;
            assert_eq!(status, 403, "{engine:?}");
            assert!(html.contains("csrf_failed"), "{html}");
        }
        let bruno = instance
            .running
            .state
            .domain
            .store()
            .account_by_username("bruno")
            .await
            .unwrap()
            .unwrap();
        assert_eq!(bruno.display_name, "bruno", "nothing changed");

        // Each session's own token works.
        let (status, _) =
            save_display_name(&instance, &bruno_cookie, &bruno_token, "Bruno Le Gall").await;
        assert_eq!(status, 303, "saved, then back to the form with a notice");

        // A token from before the log-in is dead after it.
        let response = Client::cookieless(&instance).get("/login").await;
        let secret = cookie_value(&set_cookies(&response), "preau_csrf").unwrap();
        let anonymous_token = csrf_token(&response.text);
        let (status, _) = save_display_name(
            &instance,
            &format!("preau_session={anne_session}; preau_csrf={secret}"),
            &anonymous_token,
            "Piégée",
        )
        .await;
        assert_eq!(status, 403);

        // Anonymous forms keep working in an ordinary browser.
        let browser = Client::anonymous(&instance);
        let (status, _) = submit(
            &browser,
            "/password/forgot",
            "/password/forgot",
            &[("email", "anne@example.org")],
        )
        .await;
        assert_eq!(status, 200);
        instance.stop().await;
    }
}

/// Addresses lettre (the mailer) refuses that the former check accepted.
const MAILER_REFUSES: [&str; 6] = [
    "a..b@example.org",
    ".camille@example.org",
    "camille.@example.org",
    "camille(x)@example.org",
    "camille@-example.org",
    "camille\u{200b}@example.org",
];

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sign_up_neither_tells_who_has_an_account_nor_stores_unmailable_addresses() {
    for engine in engines() {
        let smtp = SmtpServer::start();
        let (settings, dir) = settings(engine, Some(&smtp));
        let instance = start(engine, settings, dir).await;
        let api = Client::cookieless(&instance);
        let sign_up = |name: &str, email: &str| {
            api.post(
                "/api/v1/accounts",
                json!({
                    "username": name, "email": email, "password": PASSWORD,
                    "display_name": name, "accept_charter": true, "locale": "fr"
                }),
            )
        };

        // A new address and a taken one get the same answer.
        let response = sign_up("amina", "amina@example.org").await;
        assert_eq!(response.status, 201);
        let first = response.json;
        smtp.wait_for_mail("amina@example.org", 1).await;
        let response = sign_up("amina2", "AMINA@example.org").await;
        assert_eq!(response.status, 201, "{engine:?}");
        let second = response.json;
        let keys = |value: &Value| {
            value["account"]
                .as_object()
                .unwrap()
                .keys()
                .cloned()
                .collect::<Vec<_>>()
        };
        assert_eq!(keys(&first), keys(&second));
        assert_eq!(second["account"]["status"], "pending_verification");
        assert_eq!(second["account"]["email"], "amina@example.org");
        assert_eq!(
            first["verification_mail_sent"],
            second["verification_mail_sent"]
        );
        // Nothing was created; the owner was told, in her language.
        let accounts = instance
            .running
            .state
            .domain
            .store()
            .list_accounts(None)
            .await
            .unwrap();
        assert_eq!(accounts.len(), 1);
        let notice = smtp.wait_for_mail("amina@example.org", 2).await;
        let text = notice.data.replace("=\r\n", "").replace("=\n", "");
        assert!(text.contains("/password/forgot"), "{text}");
        assert!(text.contains("amina"), "{text}");

        // The same on the pages: the answer for a taken address is the
        // answer for a new one, the address aside.
        let client = Client::anonymous(&instance);
        let mut pages = Vec::new();
        for (name, email) in [("zoe", "zoe@example.org"), ("amina3", "amina@example.org")] {
            let (status, html) = submit(
                &client,
                "/signup",
                "/signup",
                &[
                    ("username", name),
                    ("email", email),
                    ("password", PASSWORD),
                    ("display_name", "Quelqu’un"),
                    ("accept_charter", "yes"),
                ],
            )
            .await;
            assert_eq!(status, 201, "{engine:?} {email}: {html}");
            let html = html.replace(email, "ADDRESS");
            let html = html.replace(&csrf_token(&html), "TOKEN");
            pages.push(html);
        }
        assert_eq!(pages[0], pages[1]);
        smtp.wait_for_mail("amina@example.org", 3).await;
        smtp.wait_for_mail("zoe@example.org", 1).await;

        // Addresses the mailer would refuse are refused at the door, on
        // the API, the pages and the admin's account creation.
        for address in MAILER_REFUSES {
            let response = sign_up("camille", address).await;
            assert_eq!(response.status, 422, "{address:?}");
            assert_eq!(response.code(), "invalid_email", "{address:?}");
            let (status, html) = submit(
                &client,
                "/signup",
                "/signup",
                &[
                    ("username", "camille"),
                    ("email", address),
                    ("password", PASSWORD),
                    ("accept_charter", "yes"),
                ],
            )
            .await;
            assert_eq!(status, 422, "{address:?}");
            assert!(html.contains("class=\"field-error\" id=\"email-error\""));
            let created = instance
                .running
                .state
                .domain
                .admin_create_account(preau::domain::accounts::AdminCreateInput {
                    username: "camille".into(),
                    email: address.into(),
                    password: PASSWORD.into(),
                    is_admin: false,
                })
                .await;
            assert_eq!(
                created.map(|_| ()).map_err(|error| error.code()),
                Err("invalid_email")
            );
        }
        assert_eq!(
            instance
                .running
                .state
                .domain
                .store()
                .list_accounts(None)
                .await
                .unwrap()
                .len(),
            2
        );
        instance.stop().await;
    }
}

fn escaped(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#x27;")
        .replace('/', "&#x2f;")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_invalid_profile_comes_back_filled_in_with_the_message_at_the_field() {
    for engine in engines() {
        let (settings, dir) = settings(engine, None);
        let instance = start(engine, settings, dir).await;
        teacher(&instance, "anne", false).await;
        let client = Client::anonymous(&instance).log_in_pages("anne").await;
        let sixteen: Vec<String> = (1..=16).map(|n| format!("Matière {n}")).collect();
        let sixteen = sixteen.join(", ");
        let cases = [
            (
                "languages",
                "français, anglais",
                "Anne Le Bris",
                "invalid_language",
            ),
            ("display_name", "fr", "", "field_required"),
            ("subjects", "fr, en", "Anne Le Bris", "too_many_items"),
        ];
        for (field, languages, display_name, code) in cases {
            let subjects = if field == "subjects" {
                sixteen.as_str()
            } else {
                "Histoire, Géographie"
            };
            let (status, html) = submit(
                &client,
                "/settings/profile",
                "/settings/profile",
                &[
                    ("display_name", display_name),
                    ("bio", "Prof d’histoire à Brest"),
                    ("subjects", subjects),
                    ("levels", "lycee"),
                    ("languages", languages),
                    ("academy", "Rennes"),
                    ("school", "Lycée de l’Harteloire"),
                    ("interests", "archives, théâtre"),
                ],
            )
            .await;
            assert_eq!(status, 422, "{engine:?} {field}: {html}");
            for kept in [
                display_name,
                subjects,
                languages,
                "Rennes",
                "Lycée de l’Harteloire",
                "archives, théâtre",
            ] {
                assert!(
                    html.contains(&format!("value=\"{}\"", escaped(kept))),
                    "{field}: {kept} is kept\n{html}"
                );
            }
            assert!(html.contains("Prof d’histoire à Brest"));
            assert!(html.contains("value=\"lycee\" checked"));
            assert!(
                html.contains(&format!("class=\"field-error\" id=\"{field}-error\"")),
                "{field}: the message is at the field\n{html}"
            );
            let message = plain_spaces(&preau::i18n::Catalogs::get().format(
                preau::i18n::Lang::Fr,
                &format!("error-{code}"),
                &[],
            ));
            assert!(html.contains(&escaped(&message)), "{code}\n{html}");
        }
        // Nothing was stored.
        let profile = client.page(&instance.url("/users/anne")).await;
        assert!(!profile.contains("Harteloire"));
        instance.stop().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_page_form_answers_invalid_input_without_a_500() {
    for engine in engines() {
        let smtp = SmtpServer::start();
        let (settings, dir) = settings(engine, Some(&smtp));
        let instance = start(engine, settings, dir).await;
        teacher(&instance, "anne", true).await;
        let client = Client::anonymous(&instance).log_in_pages("anne").await;

        // Something to act on: a forum with a thread, a project.
        let (status, _) = submit(
            &client,
            "/forums",
            "/forums",
            &[
                ("name", "histoire"),
                ("title", "Histoire"),
                ("description", "Pour les profs d’histoire"),
                ("min_post_level", "informal"),
            ],
        )
        .await;
        assert_eq!(status, 303);
        let (status, _) = submit(
            &client,
            "/forums/histoire",
            "/forums/histoire/threads",
            &[("title", "Un sujet"), ("body", "Un message")],
        )
        .await;
        assert_eq!(status, 303);
        // A reply by someone else (post 2), to report and remove.
        teacher(&instance, "bruno", false).await;
        let bruno = Client::anonymous(&instance).log_in_pages("bruno").await;
        let (status, _) = submit(
            &bruno,
            "/threads/1",
            "/threads/1/replies",
            &[("body", "Une réponse")],
        )
        .await;
        assert_eq!(status, 303);
        let (status, _) = submit(
            &client,
            "/projects/new",
            "/projects",
            &[
                ("name", "jardin"),
                ("title", "Jardin partagé"),
                ("description", "Un jardin"),
                ("subjects", "SVT"),
                ("levels", "college"),
                ("languages", "fr"),
                ("place", "Rennes"),
                ("latitude", "48.11"),
                ("longitude", "-1.68"),
                ("visibility", "public"),
                ("status", "looking"),
                ("join_mode", "request"),
            ],
        )
        .await;
        assert_eq!(status, 303, "the project is created");

        // A project thread, to reply to.
        let response = client
            .submit(
                "/projects/jardin",
                "/projects/jardin/threads",
                &[("title", "Semis"), ("body", "Quand semer ?")],
            )
            .await;
        assert_eq!(response.status, 303);
        let project_thread = location(&response);
        let project_reply = format!("{project_thread}/replies");

        let long = "x".repeat(100_000);
        let too_long = "y".repeat(25_000);
        let hostile: [&str; 7] = [
            "",
            " ",
            "-1",
            "abc",
            "<script>alert(1)</script>",
            &too_long,
            &long,
        ];
        let forms: [(&str, &str, &[&str]); 28] = [
            (&project_thread, &project_reply, &["body", "in_reply_to"]),
            (
                "/signup",
                "/signup",
                &[
                    "username",
                    "email",
                    "password",
                    "display_name",
                    "accept_charter",
                ],
            ),
            ("/login", "/login", &["login", "password", "next"]),
            ("/verify/resend", "/verify/resend", &["email"]),
            ("/password/forgot", "/password/forgot", &["email"]),
            ("/password/reset", "/password/reset", &["token", "password"]),
            (
                "/settings/profile",
                "/settings/profile",
                &[
                    "display_name",
                    "bio",
                    "subjects",
                    "levels",
                    "languages",
                    "academy",
                    "school",
                    "interests",
                ],
            ),
            (
                "/forums",
                "/forums",
                &["name", "title", "description", "min_post_level"],
            ),
            ("/forums", "/forums/follow", &["handle"]),
            (
                "/forums/histoire",
                "/forums/histoire/threads",
                &["title", "body"],
            ),
            (
                "/forums/histoire",
                "/forums/histoire/threads",
                &["title", "body", "preview"],
            ),
            ("/threads/1", "/threads/1/replies", &["body", "in_reply_to"]),
            ("/threads/1", "/threads/1/moderate", &["action"]),
            ("/threads/1", "/post/1/edit", &["title", "body"]),
            ("/threads/1", "/post/1/like", &["helpful"]),
            ("/threads/1", "/post/2/report", &["reason"]),
            ("/threads/1", "/post/2/remove", &["reason"]),
            (
                "/projects/new",
                "/projects",
                &[
                    "name",
                    "title",
                    "description",
                    "subjects",
                    "levels",
                    "languages",
                    "academy",
                    "country",
                    "place",
                    "latitude",
                    "longitude",
                    "visibility",
                    "status",
                    "join_mode",
                    "min_member_level",
                ],
            ),
            ("/projects", "/projects/lookup", &["handle"]),
            (
                "/projects/jardin/edit",
                "/projects/jardin/edit",
                &[
                    "title",
                    "description",
                    "subjects",
                    "levels",
                    "languages",
                    "latitude",
                    "longitude",
                    "visibility",
                    "status",
                    "join_mode",
                    "min_member_level",
                ],
            ),
            ("/projects/jardin", "/projects/jardin/invite", &["handle"]),
            (
                "/projects/jardin",
                "/projects/jardin/answer",
                &["action", "handle"],
            ),
            (
                "/projects/jardin",
                "/projects/jardin/members/1",
                &["action"],
            ),
            (
                "/projects/jardin",
                "/projects/jardin/threads",
                &["title", "body", "in_reply_to"],
            ),
            (
                "/projects/jardin",
                "/projects/jardin/events",
                &[
                    "title",
                    "description",
                    "starts",
                    "ends",
                    "location",
                    "meeting_url",
                    "attendees",
                ],
            ),
            ("/requests", "/contacts", &["handle", "action", "back"]),
            ("/requests", "/contacts/1/answer", &["action"]),
            (
                "/admin/instances",
                "/admin/instances/nowhere.example/manual",
                &["level", "note"],
            ),
        ];
        for (page, action, fields) in forms {
            for value in hostile {
                let values: Vec<(&str, &str)> =
                    fields.iter().map(|field| (*field, value)).collect();
                let (status, html) = submit(&client, page, action, &values).await;
                assert!(
                    status < 500 && status != 0,
                    "{engine:?} {action} with {:.40}: {status}\n{html:.2000}",
                    value
                );
                assert!(
                    status.to_string().starts_with('3') || !html.is_empty(),
                    "{action}: an empty answer"
                );
                // A form shown again keeps what was typed.
                let shown_again = html
                    .replace("&#x2f;", "/")
                    .contains(&format!("action=\"{action}\""));
                let action: &str = action;
                // A refusal of what was typed (422) shows the form again;
                // only a removal already done has no form left to show.
                let by_handle = ["/contacts", "/forums/follow", "/projects/jardin/invite"];
                if (status == 422 && action != "/post/2/remove")
                    || (by_handle.contains(&action)
                        && (400..500).contains(&status)
                        && status != 413)
                {
                    assert!(
                        shown_again,
                        "{action} with {value:.40}: no form\n{html:.3000}"
                    );
                }
                if status == 422
                    && shown_again
                    && value.len() <= too_long.len()
                    && !value.trim().is_empty()
                {
                    assert!(
                        html.contains(&escaped(value)),
                        "{action}: {value:?} is kept\n{html:.3000}"
                    );
                }
            }
        }
        // Still alive, still serving.
        assert_eq!(Client::anonymous(&instance).get("/").await.status, 200);
        instance.stop().await;
    }
}
