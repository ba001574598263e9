//! Conversations for scenarios, through the API: a teacher's conversation
//! found by name (waited for across instances) or as listed, its lines as
//! they read them, an invitation accepted (and the host counting them in), who is
//! joined, and the times the pages show.

use super::{after_delivery, client::Client, TestInstance};
use serde_json::{json, Value};

/// `client`'s conversation named `name`, its entry as listed (id,
/// state, unread count...), if listed.
pub async fn listed_conversation(client: &Client<'_>, name: &str) -> Option<Value> {
    let list = client.get_json("/api/v1/conversations").await;
    list["conversations"]
        .as_array()
        .unwrap_or_else(|| panic!("{list}"))
        .iter()
        .find(|c| c["name"] == name)
        .cloned()
}

/// `client`'s conversation named `name`, as listed: (id, state).
pub async fn conversation_named(client: &Client<'_>, name: &str) -> Option<(i64, String)> {
    listed_conversation(client, name).await.map(|c| {
        (
            c["id"].as_i64().unwrap_or_default(),
            c["state"].as_str().unwrap_or_default().to_string(),
        )
    })
}

/// Waits (delivery running on `instances`) until `client` lists `name`
/// in `state`; its id.
pub async fn until_listed(
    instances: &[&TestInstance],
    client: &Client<'_>,
    name: &str,
    state: &str,
) -> i64 {
    let id = std::cell::Cell::new(None);
    after_delivery(instances, &format!("{name} listed {state}"), || async {
        id.set(
            conversation_named(client, name)
                .await
                .filter(|(_, s)| s == state)
                .map(|(id, _)| id),
        );
        id.get().is_some()
    })
    .await;
    id.get().unwrap_or_default()
}

/// `client` accepts their invitation to conversation `id`.
pub async fn accept_invitation(client: &Client<'_>, id: i64) {
    client
        .post(&format!("/api/v1/conversations/{id}/accept"), json!({}))
        .await
        .expect(200);
}

/// The handles of the people `client` sees joined in conversation `id`,
/// sorted.
pub async fn joined(client: &Client<'_>, id: i64) -> Vec<String> {
    let detail = client
        .get_json(&format!("/api/v1/conversations/{id}"))
        .await;
    let mut handles: Vec<String> = detail["participants"]
        .as_array()
        .unwrap_or_else(|| panic!("{detail}"))
        .iter()
        .filter(|p| p["state"] == "joined")
        .filter_map(|p| p["person"]["handle"].as_str().map(str::to_string))
        .collect();
    handles.sort();
    handles
}

/// `invitee` (`handle`) accepts their invitation to their conversation
/// `id`, then waits (delivery running on `instances`) until the host's
/// `creator` sees them joined in the host's conversation `host_id`.
pub async fn accept_until_joined(
    instances: &[&TestInstance],
    invitee: &Client<'_>,
    handle: &str,
    id: i64,
    creator: &Client<'_>,
    host_id: i64,
) {
    accept_invitation(invitee, id).await;
    after_delivery(
        instances,
        &format!("the host counts {handle} in"),
        || async { joined(creator, host_id).await.iter().any(|h| h == handle) },
    )
    .await;
}

/// The lines `client` reads in conversation `id`, each as the API lists
/// it.
pub async fn listed_lines(client: &Client<'_>, id: i64) -> Vec<Value> {
    let lines = client
        .get_json(&format!("/api/v1/conversations/{id}/messages"))
        .await;
    match lines["lines"].as_array() {
        Some(listed) => listed.clone(),
        None => panic!("{lines}"),
    }
}

/// The lines `client` reads in conversation `id`: (kind, handle of the
/// person, body).
pub async fn lines(client: &Client<'_>, id: i64) -> Vec<(String, String, String)> {
    listed_lines(client, id)
        .await
        .iter()
        .map(|l| {
            (
                l["kind"].as_str().unwrap_or_default().to_string(),
                l["person"]["handle"]
                    .as_str()
                    .unwrap_or_default()
                    .to_string(),
                l["body"].as_str().unwrap_or_default().to_string(),
            )
        })
        .collect()
}

/// The bodies of the messages `client` reads in conversation `id`, in
/// order.
pub async fn bodies(client: &Client<'_>, id: i64) -> Vec<String> {
    lines(client, id)
        .await
        .into_iter()
        .filter(|(kind, _, _)| kind == "message")
        .map(|(_, _, body)| body)
        .collect()
}

/// Whether `text` holds `prefix` followed by a time `HH:MM:SS`.
pub fn has_timed_line(text: &str, prefix: &str) -> bool {
    text.match_indices(prefix).any(|(at, _)| {
        let rest: Vec<char> = text[at + prefix.len()..].chars().take(8).collect();
        rest.len() == 8
            && rest.iter().enumerate().all(|(i, c)| {
                if i == 2 || i == 5 {
                    *c == ':'
                } else {
                    c.is_ascii_digit()
                }
            })
    })
}
