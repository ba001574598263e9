//! Direct messages between one person of another server and one teacher
//! here: Mastodon's "direct" `Note` (addressed only to the people it
//! mentions, never public, no followers collection) and Pleroma/Akkoma's
//! `ChatMessage` (a one-to-one chat line, `to` exactly one person).
//!
//! One struct, [`DirectMessage`], reads and writes both: a
//! [`crate::objects::Post`] whose type is `Note` or `ChatMessage` (a forum
//! post's type is strict: a `ChatMessage` is not one), with the author's
//! `actor`, `context` and `conversation` kept as written.

use crate::lenient;
use crate::objects::{Mention, Post};
use serde::{Deserialize, Serialize};
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

/// A direct message, as received and as Préau sends it: a [`Post`] of
/// type `Note` or `ChatMessage` (any other type is an error), with what a
/// forum post does not carry.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct DirectMessage {
    /// Its type, id, author, content, recipients, mentions (`tag`),
    /// `inReplyTo`, times… as a forum post has them. Its `context` is
    /// always empty: the message's own is [`DirectMessage::context`].
    #[serde(flatten)]
    pub post: Post<DirectMessageKind>,
    /// Pleroma's older chat messages name their author here.
    #[serde(
        default,
        deserialize_with = "lenient::optional_actor_id",
        skip_serializing_if = "Option::is_none"
    )]
    pub actor: Option<Url>,
    /// The thread or conversation, kept as written (a URL, or Pleroma's
    /// `tag:` ids, which a forum post drops), so that it can be echoed.
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
}

impl DirectMessage {
    /// A message of `kind` with only its id and author set.
    pub fn new(kind: DirectMessageKind, id: Url, author: Url) -> Self {
        DirectMessage {
            post: Post::new(kind, id, author),
            actor: None,
            context: None,
            conversation: None,
        }
    }

    /// Its author: `attributedTo`, else Pleroma's `actor`.
    pub fn author(&self) -> Option<&Url> {
        self.post.author().or(self.actor.as_ref())
    }

    /// Every address of `to` and `cc`.
    pub fn addresses(&self) -> impl Iterator<Item = &str> {
        self.post.to.iter().chain(&self.post.cc).map(String::as_str)
    }

    /// Names `mention` in a `Mention` tag (a `Note`'s way; a
    /// `ChatMessage` has none), without adding them to `cc` as a forum
    /// post does: a direct message's `cc` stays empty.
    pub fn add_mention(&mut self, mention: &Mention) {
        if let Ok(tag) = serde_json::to_value(mention) {
            self.post.tag.push(tag);
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
        assert_eq!(note.post.kind, DirectMessageKind::Note);
        assert!(!note.post.is_public());
        assert_eq!(note.post.to, ["https://ds9.lemmy.ml/u/nutomic"]);
        assert!(note.post.cc.is_empty());
        assert_eq!(
            note.post.mentions(),
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
        assert!(note.post.in_reply_to.is_some());

        let text = fixture("mastodon/mobilizon-test-fixtures/mastodon-post-activity-private.json");
        let create: Activity = serde_json::from_str(&text).unwrap();
        let note: DirectMessage = create.parse_object().unwrap();
        assert_eq!(note.post.kind, DirectMessageKind::Note);
        assert_eq!(note.post.summary.as_deref(), Some("cw"));
        assert!(note.post.in_reply_to.is_none());
        assert!(note
            .post
            .content
            .as_deref()
            .unwrap()
            .starts_with("<p><span class=\"h-card\">"));
    }

    #[test]
    fn pleroma_chat_messages_parse() {
        let text = fixture("pleroma/lemmy-apub-assets/objects/chat_message.json");
        let chat: DirectMessage = serde_json::from_str(&text).unwrap();
        assert_eq!(chat.post.kind, DirectMessageKind::ChatMessage);
        assert_eq!(chat.post.to, ["https://enterprise.lemmy.ml/u/picard"]);
        assert_eq!(chat.post.content.as_deref(), Some("Hi!"));
        assert!(chat.post.mentions().is_empty());
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
        assert!(note.post.is_public());
        assert!(is_followers_address(
            "https://m.example/users/ana/followers"
        ));
        assert!(!is_followers_address("https://m.example/users/ana"));
        assert!(!is_followers_address("not a url"));
        let page = serde_json::json!({"type": "Page", "id": "https://l.example/post/1"});
        assert!(serde_json::from_value::<DirectMessage>(page).is_err());
    }
}
