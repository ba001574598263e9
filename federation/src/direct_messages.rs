//! Direct messages between one person of another server and one teacher
//! here: Mastodon's "direct" `Note` (addressed only to the people it
//! mentions, never public, no followers collection) and Pleroma/Akkoma's
//! `ChatMessage` (a one-to-one chat line, `to` exactly one person).
//!
//! One struct, [`DirectMessage`], reads and writes both: the fields are
//! the same, but a `ChatMessage` is not a [`crate::objects::Post`] (whose
//! type is strict), so it has its own type here.

use crate::lenient;
use crate::objects::{is_public_address, Mention};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use url::Url;

/// The ActivityStreams type of a [`DirectMessage`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum DirectMessageKind {
    /// Mastodon, Misskey, GoToSocial, Fedify…: a `Note` addressed to the
    /// people it mentions only.
    Note,
    /// Pleroma and Akkoma chats.
    ChatMessage,
}

/// A direct message, as received and as Préau sends it.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DirectMessage {
    /// `Note` or `ChatMessage`; any other type is an error.
    #[serde(rename = "type")]
    pub kind: DirectMessageKind,
    /// The message's id, on its author's server.
    pub id: Url,
    /// The author (Pleroma's `ChatMessage` also writes `actor`).
    #[serde(
        default,
        deserialize_with = "lenient::optional_actor_id",
        skip_serializing_if = "Option::is_none"
    )]
    pub attributed_to: Option<Url>,
    /// Pleroma's older chat messages name their author here.
    #[serde(
        default,
        deserialize_with = "lenient::optional_actor_id",
        skip_serializing_if = "Option::is_none"
    )]
    pub actor: Option<Url>,
    /// The text as HTML, unsanitised: the receiver sanitises.
    #[serde(
        default,
        deserialize_with = "lenient::optional",
        skip_serializing_if = "Option::is_none"
    )]
    pub content: Option<String>,
    /// The media type of `content`.
    #[serde(
        default,
        deserialize_with = "lenient::optional",
        skip_serializing_if = "Option::is_none"
    )]
    pub media_type: Option<String>,
    /// A content warning (Mastodon).
    #[serde(
        default,
        deserialize_with = "lenient::optional",
        skip_serializing_if = "Option::is_none"
    )]
    pub summary: Option<String>,
    /// The message this one answers.
    #[serde(
        default,
        deserialize_with = "lenient::optional_id",
        skip_serializing_if = "Option::is_none"
    )]
    pub in_reply_to: Option<Url>,
    /// A forum's post carries its forum here (FEP-1b12): never a direct
    /// message then.
    #[serde(
        default,
        deserialize_with = "lenient::optional_id",
        skip_serializing_if = "Option::is_none"
    )]
    pub audience: Option<Url>,
    /// The thread or conversation, kept as written (a URL, or Pleroma's
    /// `tag:` ids), so that it can be echoed.
    #[serde(
        default,
        deserialize_with = "lenient::optional",
        skip_serializing_if = "Option::is_none"
    )]
    pub context: Option<String>,
    /// Mastodon's OStatus conversation id (`tag:…:objectType=Conversation`),
    /// kept as written, echoed in replies.
    #[serde(
        default,
        deserialize_with = "lenient::optional",
        skip_serializing_if = "Option::is_none"
    )]
    pub conversation: Option<String>,
    /// Primary recipients.
    #[serde(default, deserialize_with = "lenient::string_list")]
    pub to: Vec<String>,
    /// Secondary recipients (always empty in what Préau sends).
    #[serde(default, deserialize_with = "lenient::string_list")]
    pub cc: Vec<String>,
    /// Mentions (and hashtags, emoji), kept raw.
    #[serde(
        default,
        deserialize_with = "lenient::value_list",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub tag: Vec<Value>,
    /// When it was written (RFC 3339).
    #[serde(
        default,
        deserialize_with = "lenient::optional",
        skip_serializing_if = "Option::is_none"
    )]
    pub published: Option<String>,
    /// When it was last edited (RFC 3339).
    #[serde(
        default,
        deserialize_with = "lenient::optional",
        skip_serializing_if = "Option::is_none"
    )]
    pub updated: Option<String>,
}

impl DirectMessage {
    /// A message of `kind` with only its id and author set.
    pub fn new(kind: DirectMessageKind, id: Url, author: Url) -> Self {
        DirectMessage {
            kind,
            id,
            attributed_to: Some(author),
            actor: None,
            content: None,
            media_type: None,
            summary: None,
            in_reply_to: None,
            audience: None,
            context: None,
            conversation: None,
            to: Vec::new(),
            cc: Vec::new(),
            tag: Vec::new(),
            published: None,
            updated: None,
        }
    }

    /// Its author: `attributedTo`, else Pleroma's `actor`.
    pub fn author(&self) -> Option<&Url> {
        self.attributed_to.as_ref().or(self.actor.as_ref())
    }

    /// Every address of `to` and `cc`.
    pub fn addresses(&self) -> impl Iterator<Item = &str> {
        self.to.iter().chain(&self.cc).map(String::as_str)
    }

    /// Whether it is addressed to the public collection.
    pub fn is_public(&self) -> bool {
        self.addresses().any(is_public_address)
    }

    /// The actors its `Mention` tags name.
    pub fn mentions(&self) -> Vec<Url> {
        self.tag
            .iter()
            .filter(|tag| tag.get("type").and_then(Value::as_str) == Some("Mention"))
            .filter_map(|tag| tag.get("href").and_then(Value::as_str))
            .filter_map(|href| href.parse().ok())
            .collect()
    }

    /// Names `mention` in a `Mention` tag (a `Note`'s way; a
    /// `ChatMessage` has none).
    pub fn add_mention(&mut self, mention: &Mention) {
        if let Ok(tag) = serde_json::to_value(mention) {
            self.tag.push(tag);
        }
    }
}

/// Whether an address looks like a followers collection (`…/followers`,
/// Mastodon, Pleroma, Lemmy, Préau): a post to followers is never a
/// direct message.
pub fn is_followers_address(address: &str) -> bool {
    Url::parse(address).is_ok_and(|url| url.path().trim_end_matches('/').ends_with("/followers"))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    use super::*;
    use crate::activities::Activity;

    fn fixture(relative: &str) -> String {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("fixtures")
            .join(relative);
        std::fs::read_to_string(&path).unwrap()
    }

    #[test]
    fn mastodon_direct_notes_parse_with_their_mention_and_conversation() {
        let text = fixture("mastodon/lemmy-apub-assets/activities/private_message.json");
        let note: DirectMessage = serde_json::from_str(&text).unwrap();
        assert_eq!(note.kind, DirectMessageKind::Note);
        assert!(!note.is_public());
        assert_eq!(note.to, ["https://ds9.lemmy.ml/u/nutomic"]);
        assert!(note.cc.is_empty());
        assert_eq!(
            note.mentions(),
            [Url::parse("https://ds9.lemmy.ml/u/nutomic").unwrap()]
        );
        assert_eq!(
            note.author().unwrap().as_str(),
            "https://mastodon.world/users/nutomic"
        );
        assert!(note
            .conversation
            .as_deref()
            .unwrap()
            .ends_with("objectType=Conversation"));
        assert!(note.in_reply_to.is_some());

        let text = fixture("mastodon/mobilizon-test-fixtures/mastodon-post-activity-private.json");
        let create: Activity = serde_json::from_str(&text).unwrap();
        let note: DirectMessage = create.parse_object().unwrap();
        assert_eq!(note.kind, DirectMessageKind::Note);
        assert_eq!(note.summary.as_deref(), Some("cw"));
        assert!(note.in_reply_to.is_none());
        assert!(note
            .content
            .as_deref()
            .unwrap()
            .starts_with("<p><span class=\"h-card\">"));
    }

    #[test]
    fn pleroma_chat_messages_parse() {
        let text = fixture("pleroma/lemmy-apub-assets/objects/chat_message.json");
        let chat: DirectMessage = serde_json::from_str(&text).unwrap();
        assert_eq!(chat.kind, DirectMessageKind::ChatMessage);
        assert_eq!(chat.to, ["https://enterprise.lemmy.ml/u/picard"]);
        assert_eq!(chat.content.as_deref(), Some("Hi!"));
        assert!(chat.mentions().is_empty());
        assert_eq!(
            chat.author().unwrap().as_str(),
            "https://queer.hacktivis.me/users/lanodan"
        );
    }

    #[test]
    fn public_posts_and_followers_are_told_apart() {
        let text = fixture("mastodon/mobilizon-test-fixtures/mastodon-post-activity.json");
        let create: Activity = serde_json::from_str(&text).unwrap();
        let note: DirectMessage = create.parse_object().unwrap();
        assert!(note.is_public());
        assert!(is_followers_address(
            "https://m.example/users/ana/followers"
        ));
        assert!(!is_followers_address("https://m.example/users/ana"));
        assert!(!is_followers_address("not a url"));
        let page = serde_json::json!({"type": "Page", "id": "https://l.example/post/1"});
        assert!(serde_json::from_value::<DirectMessage>(page).is_err());
    }
}
