//! A server that is not Préau, on loopback, for the scenarios that need
//! one: WebFinger and an actor document for any name (the scenario says
//! what differs in each), and an inbox per person that keeps what it
//! receives. Not a Préau route, so axum's own extractors are fine here.

#![allow(clippy::disallowed_types)]

use axum::{
    extract::{Path, Query},
    http::{header, HeaderMap},
    response::IntoResponse,
    routing::{get, post},
    Router,
};
use serde_json::{json, Value};
use std::{
    collections::HashMap,
    sync::{Arc, Mutex},
};

/// What the fake server's inboxes received: (inbox owner, `Signature`
/// header, body).
pub type Received = Arc<Mutex<Vec<(String, String, Value)>>>;

/// Starts the server; its origin (`http://localhost:PORT`) and what its
/// inboxes receive. `/users/{name}` is a `Person` whose id, inbox and key
/// (`public_key_pem`) are the server's, with the fields `person(id, name)`
/// gives (`preferredUsername`, `name`, more links) added.
pub async fn fake_server(
    public_key_pem: String,
    person: impl Fn(&str, &str) -> Value + Clone + Send + Sync + 'static,
) -> (String, Received) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let origin = format!("http://localhost:{}", listener.local_addr().unwrap().port());
    let received: Received = Arc::default();
    let base = origin.clone();
    let webfinger = move |Query(query): Query<HashMap<String, String>>| {
        let base = base.clone();
        async move {
            let resource = query.get("resource").cloned().unwrap_or_default();
            let name = resource
                .trim_start_matches("acct:")
                .split('@')
                .next()
                .unwrap_or_default()
                .to_string();
            (
                [(header::CONTENT_TYPE, "application/jrd+json")],
                json!({
                    "subject": resource,
                    "links": [{"rel": "self", "type": "application/activity+json",
                               "href": format!("{base}/users/{name}")}]
                })
                .to_string(),
            )
                .into_response()
        }
    };
    let base = origin.clone();
    let actor = move |Path(name): Path<String>| {
        let base = base.clone();
        let pem = public_key_pem.clone();
        let person = person.clone();
        async move {
            let id = format!("{base}/users/{name}");
            let mut document = json!({
                "@context": ["https://www.w3.org/ns/activitystreams", "https://w3id.org/security/v1"],
                "id": id,
                "type": "Person",
                "inbox": format!("{id}/inbox"),
                "publicKey": {"id": format!("{id}#main-key"), "owner": id, "publicKeyPem": pem},
            });
            if let (Some(fields), Value::Object(more)) =
                (document.as_object_mut(), person(&id, &name))
            {
                fields.extend(more);
            }
            (
                [(header::CONTENT_TYPE, "application/activity+json")],
                document.to_string(),
            )
                .into_response()
        }
    };
    let kept = received.clone();
    let inbox = move |Path(name): Path<String>, headers: HeaderMap, body: String| {
        let kept = kept.clone();
        async move {
            let signature = headers
                .get("signature")
                .and_then(|v| v.to_str().ok())
                .unwrap_or_default()
                .to_string();
            let body: Value = serde_json::from_str(&body).unwrap_or(Value::Null);
            kept.lock().unwrap().push((name, signature, body));
            axum::http::StatusCode::ACCEPTED
        }
    };
    let app = Router::new()
        .route("/.well-known/webfinger", get(webfinger))
        .route("/users/{name}", get(actor))
        .route("/users/{name}/inbox", post(inbox));
    tokio::spawn(async move {
        axum::serve(listener, app).await.unwrap();
    });
    (origin, received)
}
