//! `Create` of a direct message from a person of another server: a
//! Mastodon-like `Note` addressed only to local teachers and people it
//! mentions (never public, no followers collection, a `Mention` of each
//! teacher), or a
//! Pleroma/Akkoma `ChatMessage` to one local teacher. Stored in a
//! one-to-one conversation, or, to several people, in the conversation of
//! its thread (see `domain::direct_messages`). Also the
//! sender's `Update` or `Delete` of such a message.
//!
//! What is not a direct message falls through to the usual routing,
//! unchanged: a public post or a post to followers (mentions in forums),
//! a reply to a forum post known here, a message of a Préau group
//! conversation (its `context` is a conversation known here). A `Note` to
//! several people (teachers here, people elsewhere, each mentioned) is
//! one conversation per thread, shared by the teachers here.

use super::{objects, InboxError, Received};
use crate::{
    app::AppState,
    domain::{
        direct_messages::ReceivedDirect,
        inbox::{ActorRow, Applied},
        provenance::Provenance,
        rows::ActorKindRow,
    },
};
use activitypub_federation::config::Data;
use preau_federation::{
    activities::{Activity, ActivityKind},
    direct_messages::{is_followers_address, DirectMessage, DirectMessageKind},
    objects::is_public_address,
};
use serde_json::Value;
use url::Url;

/// Whether `activity` has the shape of a direct message: a `Create` of an
/// embedded `Note` or `ChatMessage`, not public, to no followers
/// collection, for no forum (`audience`). A pure check: [`verify`] decides.
pub fn is_direct_message(activity: &Activity) -> bool {
    if activity.kind != ActivityKind::Create || activity.audience.is_some() {
        return false;
    }
    let Some(object) = activity.embedded_object() else {
        return false;
    };
    if !matches!(
        object.get("type").and_then(Value::as_str),
        Some("Note" | "ChatMessage")
    ) || object.get("audience").is_some_and(|a| !a.is_null())
    {
        return false;
    }
    let object_addresses = ["to", "cc"]
        .into_iter()
        .filter_map(|field| object.get(field))
        .flat_map(|value| match value {
            Value::String(one) => vec![one.as_str()],
            Value::Array(many) => many.iter().filter_map(Value::as_str).collect(),
            _ => Vec::new(),
        });
    let mut addresses = activity
        .to
        .iter()
        .chain(&activity.cc)
        .map(String::as_str)
        .chain(object_addresses);
    !addresses.any(|address| is_public_address(address) || is_followers_address(address))
}

/// A direct message checked: who sent it, to which local teachers.
pub struct CheckedDirect<'a> {
    received: &'a Received<'a>,
    message: DirectMessage,
    recipients: Vec<ActorRow>,
    others: Vec<ActorRow>,
}

/// Checks a direct message: written by its signer, on the signer's server
/// (403 `author_mismatch`, `author_is_local`), addressed only to local
/// teachers (each named in a `Mention` of a `Note`; a `ChatMessage` is
/// for exactly one). `None` when it is not a direct message after all
/// (see the module's documentation): the usual routing takes it.
pub async fn verify<'a>(
    data: &Data<AppState>,
    r: &'a Received<'a>,
) -> Result<Option<CheckedDirect<'a>>, InboxError> {
    let Ok(message) = r.activity.parse_object::<DirectMessage>() else {
        return Ok(None);
    };
    let domain = &data.domain;
    if let Some(context) = message.context.as_deref() {
        if domain.is_group_conversation(context).await? {
            return Ok(None);
        }
    }
    if let Some(parent) = &message.post.in_reply_to {
        if domain.is_known_post(parent.as_str()).await? {
            return Ok(None);
        }
    }
    let addresses: Vec<&str> = message
        .addresses()
        .chain(
            r.activity
                .to
                .iter()
                .chain(&r.activity.cc)
                .map(String::as_str),
        )
        .collect();
    let note = message.post.kind == DirectMessageKind::Note;
    let mentioned = message.post.mentions();
    let mut recipients: Vec<ActorRow> = Vec::new();
    let mut elsewhere: Vec<Url> = Vec::new();
    for address in addresses {
        let Ok(address) = Url::parse(address) else {
            return Ok(None);
        };
        if address == r.activity.actor {
            continue;
        }
        if !objects::is_local(data, &address) {
            // Someone elsewhere too: a `Note` to several people, each
            // named in a `Mention` (else a collection: not a direct
            // message).
            if !note || !mentioned.contains(&address) {
                return Ok(None);
            }
            if !elsewhere.contains(&address) {
                elsewhere.push(address);
            }
            continue;
        }
        let Some(person) = domain.local_person_at(address.as_str()).await? else {
            return Ok(None);
        };
        if !recipients.iter().any(|p| p.id == person.id) {
            recipients.push(person);
        }
    }
    match message.post.kind {
        DirectMessageKind::Note => {
            recipients.retain(|p| mentioned.iter().any(|m| m.as_str() == p.ap_id));
        }
        DirectMessageKind::ChatMessage if recipients.len() != 1 => return Ok(None),
        DirectMessageKind::ChatMessage => {}
    }
    if recipients.is_empty() || recipients.len() + elsewhere.len() > MAX_ADDRESSED {
        return Ok(None);
    }
    let author = message
        .author()
        .cloned()
        .unwrap_or_else(|| r.activity.actor.clone());
    if author != r.activity.actor {
        return Err(InboxError::new(
            axum::http::StatusCode::FORBIDDEN,
            "author_mismatch",
        ));
    }
    domain.check_authorship(
        &author,
        &message.post.id,
        Provenance::DeliveredBy(&r.activity.actor),
    )?;
    // The people elsewhere, known or fetched (up to MAX_ADDRESSED
    // fetches): a reply is addressed and delivered to them. One who cannot
    // be found, or is not a person, is left out (the teachers still get the
    // message). One after the other: a person fetched is stored in a write
    // transaction, and no other query of this task may run meanwhile (see
    // `Store::pool`).
    let mut others = Vec::new();
    for address in &elsewhere {
        match objects::actor_at(data, address).await {
            Ok(actor) if actor.row.kind == ActorKindRow::Person => others.push(actor.row),
            _ => tracing::info!(%address, "direct message: an addressee left out"),
        }
    }
    Ok(Some(CheckedDirect {
        received: r,
        message,
        recipients,
        others,
    }))
}

/// The most people a direct message here may be addressed to (besides its
/// sender): more is no conversation but a mailing, not taken.
pub const MAX_ADDRESSED: usize = 20;

/// Stores the message for its recipients.
pub async fn receive(data: &Data<AppState>, c: CheckedDirect<'_>) -> Result<Applied, InboxError> {
    let r = c.received;
    Ok(data
        .domain
        .receive_direct_message(ReceivedDirect {
            activity_id: r.activity.id.as_str(),
            sender: &r.signer.row,
            message: &c.message,
            recipients: &c.recipients,
            others: &c.others,
        })
        .await?)
}

/// An `Update` or `Delete` by a remote person of a direct message they
/// sent here.
pub struct CheckedChange<'a> {
    received: &'a Received<'a>,
    message_id: String,
    content: Option<String>,
}

/// An `Update` of an embedded `Note`/`ChatMessage`, or a `Delete`, whose
/// object is a direct message stored here written by the signer; `None`
/// for anything else (the usual routing takes it).
pub async fn verify_change<'a>(
    data: &Data<AppState>,
    r: &'a Received<'a>,
) -> Result<Option<CheckedChange<'a>>, InboxError> {
    let activity = r.activity;
    let (message_id, content) = match activity.kind {
        ActivityKind::Delete => match activity.object_id() {
            Some(id) => (id, None),
            None => return Ok(None),
        },
        ActivityKind::Update => match activity.parse_object::<DirectMessage>() {
            Ok(message) if !message.post.is_public() => {
                if message.author() != Some(&activity.actor) {
                    return Ok(None);
                }
                let content = message.post.content.clone().unwrap_or_default();
                (message.post.id, Some(content))
            }
            _ => return Ok(None),
        },
        _ => return Ok(None),
    };
    if !data
        .domain
        .is_direct_message_of(message_id.as_str(), r.signer.row.id)
        .await?
    {
        return Ok(None);
    }
    Ok(Some(CheckedChange {
        received: r,
        message_id: message_id.to_string(),
        content,
    }))
}

/// Applies the change.
pub async fn receive_change(
    data: &Data<AppState>,
    c: CheckedChange<'_>,
) -> Result<Applied, InboxError> {
    let r = c.received;
    Ok(data
        .domain
        .receive_direct_change(
            r.activity.id.as_str(),
            &r.signer.row,
            &c.message_id,
            c.content.as_deref(),
        )
        .await?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn create(to: Value, cc: Value, object: Value) -> Activity {
        serde_json::from_value(json!({
            "id": "https://m.example/users/bob/statuses/1/activity",
            "type": "Create",
            "actor": "https://m.example/users/bob",
            "to": to,
            "cc": cc,
            "object": object,
        }))
        .unwrap()
    }

    fn note(to: Value, cc: Value) -> Value {
        json!({
            "id": "https://m.example/users/bob/statuses/1",
            "type": "Note",
            "attributedTo": "https://m.example/users/bob",
            "to": to,
            "cc": cc,
            "content": "<p>hi</p>",
        })
    }

    #[test]
    fn only_private_notes_and_chats_have_the_shape() {
        let ana = json!(["https://p.example/users/ana"]);
        let dm = create(ana.clone(), json!([]), note(ana.clone(), json!([])));
        assert!(is_direct_message(&dm));
        let public = json!(["https://www.w3.org/ns/activitystreams#Public"]);
        let mention = create(public.clone(), ana.clone(), note(public, ana.clone()));
        assert!(!is_direct_message(&mention));
        let followers = json!(["https://m.example/users/bob/followers"]);
        let private = create(followers.clone(), ana.clone(), note(followers, ana.clone()));
        assert!(!is_direct_message(&private));
        let mut in_forum = note(ana.clone(), json!([]));
        in_forum["audience"] = json!("https://p.example/forums/maths");
        assert!(!is_direct_message(&create(
            ana.clone(),
            json!([]),
            in_forum
        )));
        let mut chat = note(ana.clone(), json!([]));
        chat["type"] = json!("ChatMessage");
        assert!(is_direct_message(&create(ana.clone(), json!([]), chat)));
        let mut page = note(ana.clone(), json!([]));
        page["type"] = json!("Page");
        assert!(!is_direct_message(&create(ana, json!([]), page)));
    }
}
