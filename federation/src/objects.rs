//! The objects forums carry: threads (`Page`, or `Article`/`Note` from
//! NodeBB, WordPress and microblogs), replies (`Note`), polls (`Question`),
//! and the `Tombstone` a deleted post leaves behind.
//!
//! One struct, [`Post`], reads all of them because Lemmy, Mbin, NodeBB and
//! Mastodon give them the same shape (FEP-1b12 `audience`, FEP-7888
//! `context`). Fields Préau only displays are parsed leniently: an odd
//! `url` or `source` must not lose a reply. The `type` is strict, so an
//! `Event` or a `Video` is refused instead of being mis-read as a post.

use crate::{actor::Source, lenient};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use url::Url;

/// The public collection, as written in `to`/`cc` of public content.
pub const PUBLIC: &str = "https://www.w3.org/ns/activitystreams#Public";

/// Whether an address in `to`/`cc` means "public". Besides the full IRI,
/// JSON-LD compaction lets servers write `as:Public` or `Public`.
pub fn is_public_address(address: &str) -> bool {
    matches!(address, PUBLIC | "as:Public" | "Public")
}

/// The ActivityStreams type of a [`Post`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum PostKind {
    /// A thread: Lemmy's and Mbin's posts, Préau's threads.
    Page,
    /// A reply, a microblog post (Mastodon), or Mbin's microblog entries.
    Note,
    /// A long text: NodeBB topics, WordPress posts, Friendica posts with a
    /// title.
    Article,
    /// A poll (Mastodon-compatible `oneOf`/`anyOf`).
    Question,
}

impl PostKind {
    /// The type name as written on the wire.
    pub fn as_str(self) -> &'static str {
        match self {
            PostKind::Page => "Page",
            PostKind::Note => "Note",
            PostKind::Article => "Article",
            PostKind::Question => "Question",
        }
    }
}

/// A thread, reply or poll, as Préau serves it and as read from peers.
///
/// `K` is the set of types it may have: [`PostKind`] for forums; a direct
/// message ([`crate::direct_messages::DirectMessage`]) is built on a
/// `Post` whose types are its own (`Note`, `ChatMessage`).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Post<K = PostKind> {
    /// `Page`, `Note`, `Article` or `Question` (with [`PostKind`]); any
    /// other type is an error.
    #[serde(rename = "type")]
    pub kind: K,
    /// The post's canonical URL.
    pub id: Url,
    /// The author. Peers write a string, an object, or (Prismo, PeerTube)
    /// an array of objects; the first string or `Person` is kept. Serialised
    /// as a plain URL. Use [`Post::author`].
    #[serde(
        default,
        deserialize_with = "lenient::optional_actor_id",
        skip_serializing_if = "Option::is_none"
    )]
    pub attributed_to: Option<Url>,
    /// The thread title (`Page`), or the chosen option of a poll vote.
    #[serde(
        default,
        deserialize_with = "lenient::optional",
        skip_serializing_if = "Option::is_none"
    )]
    pub name: Option<String>,
    /// The body as HTML, unsanitised: the receiver sanitises before display.
    /// Lemmy link posts have none.
    #[serde(
        default,
        deserialize_with = "lenient::optional",
        skip_serializing_if = "Option::is_none"
    )]
    pub content: Option<String>,
    /// The media type of `content`, `text/html` when given.
    #[serde(
        default,
        deserialize_with = "lenient::optional",
        skip_serializing_if = "Option::is_none"
    )]
    pub media_type: Option<String>,
    /// The text as the author wrote it (Markdown on Lemmy, Mbin, Préau).
    /// Misskey's plain-string `source` is read as absent.
    #[serde(
        default,
        deserialize_with = "lenient::optional",
        skip_serializing_if = "Option::is_none"
    )]
    pub source: Option<Source>,
    /// A content warning (Mastodon) or a plain summary (Mbin, NodeBB).
    #[serde(
        default,
        deserialize_with = "lenient::optional",
        skip_serializing_if = "Option::is_none"
    )]
    pub summary: Option<String>,
    /// The thread or reply this one answers; absent for a thread.
    #[serde(
        default,
        deserialize_with = "lenient::optional_id",
        skip_serializing_if = "Option::is_none"
    )]
    pub in_reply_to: Option<Url>,
    /// The forum (`Group`) the post belongs to (FEP-1b12).
    #[serde(
        default,
        deserialize_with = "lenient::optional_id",
        skip_serializing_if = "Option::is_none"
    )]
    pub audience: Option<Url>,
    /// The thread's collection (FEP-7888). Some servers write an object;
    /// a value that is not a URL (Pleroma's `tag:` ids) is read as absent.
    #[serde(
        default,
        deserialize_with = "lenient::optional_id",
        skip_serializing_if = "Option::is_none"
    )]
    pub context: Option<Url>,
    /// Primary recipients. Fedify writes a single string; it is read as a
    /// one-entry list. Always serialised, because Lemmy requires it.
    #[serde(default, deserialize_with = "lenient::string_list")]
    pub to: Vec<String>,
    /// Secondary recipients; always serialised, like `to`.
    #[serde(default, deserialize_with = "lenient::string_list")]
    pub cc: Vec<String>,
    /// When the post was published (RFC 3339).
    #[serde(
        default,
        deserialize_with = "lenient::optional",
        skip_serializing_if = "Option::is_none"
    )]
    pub published: Option<String>,
    /// When the post was last edited (RFC 3339).
    #[serde(
        default,
        deserialize_with = "lenient::optional",
        skip_serializing_if = "Option::is_none"
    )]
    pub updated: Option<String>,
    /// The HTML page of the post, or (Lemmy link posts) the linked page.
    /// A `Link` object is read as its `href`.
    #[serde(
        default,
        deserialize_with = "lenient::optional_id",
        skip_serializing_if = "Option::is_none"
    )]
    pub url: Option<Url>,
    /// Mentions, hashtags, emoji, Lemmy's community tags, kept raw; see
    /// [`Post::mentions`].
    #[serde(
        default,
        deserialize_with = "lenient::value_list",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub tag: Vec<Value>,
    /// Attached images, documents and links, kept raw.
    #[serde(
        default,
        deserialize_with = "lenient::value_list",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub attachment: Vec<Value>,
    /// Whether the content is behind a warning.
    #[serde(
        default,
        deserialize_with = "lenient::optional",
        skip_serializing_if = "Option::is_none"
    )]
    pub sensitive: Option<bool>,
    /// The replies collection (a URL or an embedded `Collection`), kept raw
    /// for thread backfill; see [`crate::collections::Collection`].
    #[serde(
        default,
        deserialize_with = "lenient::non_null",
        skip_serializing_if = "Option::is_none"
    )]
    pub replies: Option<Value>,
    /// Lemmy: `false` when the thread is locked.
    #[serde(
        default,
        deserialize_with = "lenient::optional",
        skip_serializing_if = "Option::is_none"
    )]
    pub comments_enabled: Option<bool>,
    /// Lemmy: whether the thread is pinned in its community.
    #[serde(
        default,
        deserialize_with = "lenient::optional",
        skip_serializing_if = "Option::is_none"
    )]
    pub stickied: Option<bool>,
    /// Polls: the options of a single-choice poll, each a `Note` with a
    /// `name` (and `replies.totalItems` as its vote count on Mastodon).
    #[serde(
        default,
        deserialize_with = "lenient::value_list",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub one_of: Vec<Value>,
    /// Polls: the options of a multiple-choice poll.
    #[serde(
        default,
        deserialize_with = "lenient::value_list",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub any_of: Vec<Value>,
    /// Polls: when voting closes (RFC 3339). Misskey writes `null` for
    /// polls that never close.
    #[serde(
        default,
        deserialize_with = "lenient::optional",
        skip_serializing_if = "Option::is_none"
    )]
    pub end_time: Option<String>,
    /// Préau: the trust level the author's instance declares.
    /// Informational only: a receiver computes its own label and never
    /// copies this claim.
    #[serde(
        default,
        deserialize_with = "lenient::optional",
        skip_serializing_if = "Option::is_none"
    )]
    pub trust_level: Option<crate::TrustLevel>,
}

impl<K> Post<K> {
    /// A post with only its kind, id and author set; fill in the rest with
    /// struct update syntax or by assigning fields.
    pub fn new(kind: K, id: Url, author: Url) -> Self {
        Post {
            kind,
            id,
            attributed_to: Some(author),
            name: None,
            content: None,
            media_type: None,
            source: None,
            summary: None,
            in_reply_to: None,
            audience: None,
            context: None,
            to: Vec::new(),
            cc: Vec::new(),
            published: None,
            updated: None,
            url: None,
            tag: Vec::new(),
            attachment: Vec::new(),
            sensitive: None,
            replies: None,
            comments_enabled: None,
            stickied: None,
            one_of: Vec::new(),
            any_of: Vec::new(),
            end_time: None,
            trust_level: None,
        }
    }

    /// The author's actor URL, when the post names one.
    pub fn author(&self) -> Option<&Url> {
        self.attributed_to.as_ref()
    }

    /// The actors the post mentions: `href` of its `Mention` tags. Tags of
    /// other types and mentions without a valid URL are skipped.
    pub fn mentions(&self) -> Vec<Url> {
        self.tag
            .iter()
            .filter(|tag| tag.get("type").and_then(Value::as_str) == Some("Mention"))
            .filter_map(|tag| tag.get("href").and_then(Value::as_str))
            .filter_map(|href| href.parse().ok())
            .collect()
    }

    /// The post's `Mention` tags, typed; tags of other types, or
    /// mentions without a valid `href`, are skipped.
    pub fn mention_tags(&self) -> Vec<Mention> {
        self.tag
            .iter()
            .filter_map(|tag| serde_json::from_value(tag.clone()).ok())
            .collect()
    }

    /// Names a person (Mastodon's way): a `Mention` tag, and their id in
    /// `cc` so that their instance knows the post concerns them. A person already named is not added again.
    pub fn add_mention(&mut self, mention: Mention) {
        let id = mention.href.to_string();
        if self.mentions().contains(&mention.href) {
            return;
        }
        if let Ok(tag) = serde_json::to_value(&mention) {
            self.tag.push(tag);
        }
        if !self.cc.contains(&id) {
            self.cc.push(id);
        }
    }

    /// Whether the post is addressed to the public collection.
    pub fn is_public(&self) -> bool {
        self.to
            .iter()
            .chain(&self.cc)
            .any(|address| is_public_address(address))
    }
}

/// The type marker of a [`Mention`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum MentionKind {
    /// The only value.
    Mention,
}

/// A `Mention` tag: a person the post names, as Mastodon writes it
/// (`href` the actor id, `name` `@user@domain`). Lemmy writes `name`
/// `@user@domain` too; Misskey and Pleroma the same shape.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Mention {
    /// Always `Mention`.
    #[serde(rename = "type")]
    pub kind: MentionKind,
    /// The actor named.
    pub href: Url,
    /// `@user@domain` (some servers omit it, or write `@user`).
    #[serde(
        default,
        deserialize_with = "lenient::optional",
        skip_serializing_if = "Option::is_none"
    )]
    pub name: Option<String>,
}

impl Mention {
    /// A mention of `href`, written `name` (`@user@domain`).
    pub fn new(href: Url, name: String) -> Self {
        Mention {
            kind: MentionKind::Mention,
            href,
            name: Some(name),
        }
    }
}

/// The type marker of a [`Tombstone`]; anything else is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum TombstoneKind {
    /// The only value.
    Tombstone,
}

/// What a deleted post's URL serves afterwards, and what `Delete` carries.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Tombstone {
    /// The deleted object's URL.
    pub id: Url,
    /// Always `Tombstone`.
    #[serde(rename = "type")]
    pub kind: TombstoneKind,
    /// The type the object had (`Page`, `Note`…).
    #[serde(
        default,
        deserialize_with = "lenient::optional",
        skip_serializing_if = "Option::is_none"
    )]
    pub former_type: Option<String>,
    /// When it was deleted (RFC 3339).
    #[serde(
        default,
        deserialize_with = "lenient::optional",
        skip_serializing_if = "Option::is_none"
    )]
    pub deleted: Option<String>,
}

impl Tombstone {
    /// The tombstone of `id`, which was a `former_type`, deleted at
    /// `deleted` (RFC 3339).
    pub fn new(id: Url, former_type: Option<PostKind>, deleted: Option<String>) -> Self {
        Tombstone {
            id,
            kind: TombstoneKind::Tombstone,
            former_type: former_type.map(|kind| kind.as_str().to_string()),
            deleted,
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    use super::*;
    use serde_json::json;

    fn url(text: &str) -> Url {
        text.parse().unwrap()
    }

    #[test]
    fn an_event_is_not_read_as_a_post() {
        let error = serde_json::from_value::<Post>(json!({
            "type": "Event", "id": "https://m.example/events/1"
        }))
        .unwrap_err();
        assert!(
            error.to_string().contains("unknown variant `Event`"),
            "{error}"
        );
    }

    #[test]
    fn a_new_thread_serialises_as_compact_activitystreams() {
        let mut page = Post::new(
            PostKind::Page,
            url("https://p.example/t/1"),
            url("https://p.example/u/ana"),
        );
        page.name = Some("Projet Erasmus".to_string());
        page.audience = Some(url("https://p.example/f/langues"));
        page.to = vec![PUBLIC.to_string()];
        let json = serde_json::to_value(&page).unwrap();
        assert_eq!(
            json,
            json!({
                "type": "Page",
                "id": "https://p.example/t/1",
                "attributedTo": "https://p.example/u/ana",
                "name": "Projet Erasmus",
                "audience": "https://p.example/f/langues",
                "to": [PUBLIC],
                "cc": [],
            })
        );
        let again: Post = serde_json::from_value(json).unwrap();
        assert!(again.is_public());
        assert_eq!(again.author(), page.author());
    }

    #[test]
    fn compacted_public_addresses_count_as_public() {
        for address in ["as:Public", "Public", PUBLIC] {
            let note: Post = serde_json::from_value(json!({
                "type": "Note", "id": "https://a.example/n/1", "cc": address
            }))
            .unwrap();
            assert!(note.is_public(), "{address}");
        }
        let private: Post = serde_json::from_value(json!({
            "type": "Note", "id": "https://a.example/n/1", "to": "https://a.example/u/b"
        }))
        .unwrap();
        assert!(!private.is_public());
    }

    #[test]
    fn a_mention_adds_a_tag_and_a_cc_once() {
        let mut note = Post::new(
            PostKind::Note,
            url("https://p.example/posts/1"),
            url("https://p.example/users/ana"),
        );
        note.cc = vec!["https://p.example/forums/maths".to_string()];
        let bob = Mention::new(url("https://m.example/users/bob"), "@bob@m.example".into());
        note.add_mention(bob.clone());
        note.add_mention(Mention::new(
            url("https://m.example/users/bob"),
            "@bob@m.example".into(),
        ));
        let json = serde_json::to_value(&note).unwrap();
        assert_eq!(
            json["tag"][0],
            json!({"type": "Mention", "href": "https://m.example/users/bob", "name": "@bob@m.example"})
        );
        assert_eq!(
            json["cc"],
            json!([
                "https://p.example/forums/maths",
                "https://m.example/users/bob"
            ])
        );
        let again: Post = serde_json::from_value(json).unwrap();
        assert_eq!(again.mention_tags()[0], bob);
        assert_eq!(again.mentions(), [url("https://m.example/users/bob")]);
    }

    #[test]
    fn odd_tags_are_skipped_not_fatal() {
        let note: Post = serde_json::from_value(json!({
            "type": "Note", "id": "https://a.example/n/1",
            "tag": [
                {"type": "Hashtag", "href": "https://a.example/tags/x", "name": "#x"},
                {"type": "Mention", "href": "not a url", "name": "@x"},
                {"type": "Mention", "href": "https://a.example/u/y"},
                "https://a.example/u/z"
            ]
        }))
        .unwrap();
        let mentions = note.mention_tags();
        assert_eq!(mentions.len(), 1);
        assert_eq!(mentions[0].href, url("https://a.example/u/y"));
        assert!(mentions[0].name.is_none());
    }

    #[test]
    fn a_tombstone_remembers_what_it_was() {
        let tombstone = Tombstone::new(
            url("https://p.example/t/1"),
            Some(PostKind::Page),
            Some("2024-05-01T10:00:00Z".to_string()),
        );
        assert_eq!(
            serde_json::to_value(&tombstone).unwrap(),
            json!({
                "id": "https://p.example/t/1",
                "type": "Tombstone",
                "formerType": "Page",
                "deleted": "2024-05-01T10:00:00Z",
            })
        );
    }
}
