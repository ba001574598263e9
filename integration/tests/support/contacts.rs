//! Contacts for scenarios, through the API: a teacher's contact list and
//! the requests they received, a request asked and answered, two
//! teachers made contacts (asked, delivered, accepted, delivered), and a
//! presence chosen.

use super::{
    after_delivery,
    client::{Answer, Client},
    deliver_all, TestInstance,
};
use serde_json::{json, Value};

/// The contact list of `client` (`GET /api/v1/contacts`).
pub async fn book(client: &Client<'_>) -> Value {
    client.get_json("/api/v1/contacts").await
}

/// The entry of `handle` in a contact list, if there.
pub fn entry<'v>(book: &'v Value, handle: &str) -> Option<&'v Value> {
    book["contacts"]
        .as_array()?
        .iter()
        .find(|c| c["person"]["handle"] == handle)
}

/// The local id of `asker` (a handle) among the contact requests `client`
/// received, if there.
pub async fn request_from(client: &Client<'_>, asker: &str) -> Option<i64> {
    let requests = client.get_json("/api/v1/me/requests").await;
    requests["contacts"]["received"]
        .as_array()?
        .iter()
        .find(|p| p["person"]["handle"] == asker)
        .and_then(|p| p["person"]["id"].as_i64())
}

/// The entry of `handle` in `client`'s contact list, if there.
pub async fn contact(client: &Client<'_>, handle: &str) -> Option<Value> {
    entry(&book(client).await, handle).cloned()
}

/// `client` asks `handle` to be a contact.
pub async fn ask(client: &Client<'_>, handle: &str) {
    client
        .post("/api/v1/contacts", json!({"handle": handle}))
        .await
        .expect(202);
}

/// `client` answers the contact request of `asker` (a handle), which has
/// arrived.
pub async fn answer(client: &Client<'_>, asker: &str, accept: bool) {
    let id = request_from(client, asker)
        .await
        .unwrap_or_else(|| panic!("a request from {asker}"));
    client
        .post(
            &format!("/api/v1/contacts/{id}/answer"),
            json!({"accept": accept}),
        )
        .await
        .expect(200);
}

/// `client` answers the contact request of `asker` (a handle) once it
/// has arrived (delivery running on `instances`).
pub async fn answer_once_arrived(
    instances: &[&TestInstance],
    client: &Client<'_>,
    asker: &str,
    accept: bool,
) {
    after_delivery(
        instances,
        &format!("the request of {asker} arrived"),
        || async { request_from(client, asker).await.is_some() },
    )
    .await;
    answer(client, asker, accept).await;
}

/// Makes two teachers contacts: `asker` (whose handle is `asker_handle`)
/// asks `handle`, delivery runs on `instances`, `answerer` (the teacher
/// `handle`) accepts, and delivery runs again.
pub async fn make_contacts(
    instances: &[&TestInstance],
    asker: &Client<'_>,
    asker_handle: &str,
    answerer: &Client<'_>,
    handle: &str,
) {
    ask(asker, handle).await;
    deliver_all(instances).await;
    answer(answerer, asker_handle, true).await;
    deliver_all(instances).await;
}

/// `client` chooses the presence `status` (`PUT /api/v1/me/presence`).
pub async fn choose_presence(client: &Client<'_>, status: &str) -> Answer {
    client
        .call(
            reqwest::Method::PUT,
            "/api/v1/me/presence",
            Some(json!({"status": status})),
        )
        .await
}

/// Makes `a` and `b` (teachers of one instance) contacts through the API.
pub async fn make_local_contacts(a: &Client<'_>, b: &Client<'_>, b_name: &str) {
    a.post("/api/v1/contacts", json!({"handle": b_name}))
        .await
        .expect(202);
    let requests = b.get_json("/api/v1/me/requests").await;
    let asker = requests["contacts"]["received"][0]["person"]["id"]
        .as_i64()
        .expect("a request received");
    b.post(
        &format!("/api/v1/contacts/{asker}/answer"),
        json!({"accept": true}),
    )
    .await
    .expect(200);
}
