//! Actors: people (`Person`), the instance itself (`Application`, FEP-2677)
//! and, later, forums and project spaces (`Group`).
//!
//! One struct serves every kind because they share their shape on the wire;
//! Préau's extension fields are empty for actors from other software.

use crate::{lenient, TrustLevel};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use url::Url;

/// The ActivityStreams type of an actor.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum ActorKind {
    /// A human account: a teacher on Préau.
    Person,
    /// A server's own actor (Préau's instance actor, FEP-2677).
    Application,
    /// A bot or automated account (some servers use it for instance actors).
    Service,
    /// A forum, community or project space.
    Group,
    /// An organisation account.
    Organization,
}

/// An actor's avatar (`icon`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Icon {
    /// `Image`.
    #[serde(rename = "type", default = "image_kind")]
    pub kind: String,
    /// `image/png` for Préau's.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub media_type: Option<String>,
    /// Where the image is.
    pub url: Url,
}

fn image_kind() -> String {
    "Image".to_string()
}

/// A server's actor document, as served by Préau and as read from peers.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Actor {
    /// The actor's id, its canonical URL.
    pub id: Url,
    /// `Person`, `Application`, `Group`…
    #[serde(rename = "type")]
    pub kind: ActorKind,
    /// The account name, the `NAME` of `acct:NAME@domain`.
    pub preferred_username: String,
    /// The display name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// The biography as HTML (sanitised by the receiver before display).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub summary: Option<String>,
    /// The biography's source text, when the server shares it (Markdown).
    #[serde(
        default,
        deserialize_with = "lenient::optional",
        skip_serializing_if = "Option::is_none"
    )]
    pub source: Option<Source>,
    /// The HTML profile page. Some servers send an object or a list here,
    /// which is read as absent.
    #[serde(
        default,
        deserialize_with = "lenient::optional",
        skip_serializing_if = "Option::is_none"
    )]
    pub url: Option<Url>,
    /// The avatar: an `Image` with its `url` (Mastodon and Préau send one
    /// object; any other shape is read as absent).
    #[serde(
        default,
        deserialize_with = "lenient::optional",
        skip_serializing_if = "Option::is_none"
    )]
    pub icon: Option<Icon>,
    /// Where activities for this actor are delivered.
    pub inbox: Url,
    /// The actor's outbox collection.
    #[serde(
        default,
        deserialize_with = "lenient::optional",
        skip_serializing_if = "Option::is_none"
    )]
    pub outbox: Option<Url>,
    /// Followers collection; Lemmy's people have none.
    #[serde(
        default,
        deserialize_with = "lenient::optional",
        skip_serializing_if = "Option::is_none"
    )]
    pub followers: Option<Url>,
    /// Following collection.
    #[serde(
        default,
        deserialize_with = "lenient::optional",
        skip_serializing_if = "Option::is_none"
    )]
    pub following: Option<Url>,
    /// Server-wide endpoints, chiefly the shared inbox.
    #[serde(
        default,
        deserialize_with = "lenient::optional",
        skip_serializing_if = "Option::is_none"
    )]
    pub endpoints: Option<Endpoints>,
    /// The key that verifies this actor's HTTP signatures.
    pub public_key: PublicKey,
    /// When the actor was created (RFC 3339).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub published: Option<String>,
    /// When the actor last changed (RFC 3339).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub updated: Option<String>,
    /// Whether follows need approval.
    #[serde(
        default,
        deserialize_with = "lenient::optional",
        skip_serializing_if = "Option::is_none"
    )]
    pub manually_approves_followers: Option<bool>,
    /// Whether the actor may be listed in directories (Mastodon's term).
    #[serde(
        default,
        deserialize_with = "lenient::optional",
        skip_serializing_if = "Option::is_none"
    )]
    pub discoverable: Option<bool>,
    /// Profile fields; Préau publishes its teacher fields here too as
    /// `PropertyValue`s so that Mastodon shows them on the profile.
    #[serde(
        default,
        deserialize_with = "lenient::value_list",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub attachment: Vec<Value>,
    /// Groups: who runs the group. Lemmy and Mbin point to the moderators
    /// collection; PeerTube channels name the owning account; Préau forums
    /// point to their moderators collection. A list is read as its first
    /// usable entry.
    #[serde(
        default,
        deserialize_with = "lenient::optional_id",
        skip_serializing_if = "Option::is_none"
    )]
    pub attributed_to: Option<Url>,
    /// The collection of pinned posts (Mastodon's and Lemmy's `featured`).
    #[serde(
        default,
        deserialize_with = "lenient::optional_id",
        skip_serializing_if = "Option::is_none"
    )]
    pub featured: Option<Url>,
    /// Groups: only moderators may start threads (Lemmy's term).
    #[serde(
        default,
        deserialize_with = "lenient::optional",
        skip_serializing_if = "Option::is_none"
    )]
    pub posting_restricted_to_mods: Option<bool>,
    /// The actor's content is marked sensitive (Lemmy's NSFW communities).
    #[serde(
        default,
        deserialize_with = "lenient::optional",
        skip_serializing_if = "Option::is_none"
    )]
    pub sensitive: Option<bool>,
    /// Préau: subjects taught.
    #[serde(
        default,
        deserialize_with = "lenient::string_list",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub subjects: Vec<String>,
    /// Préau: school levels taught (`primaire`, `college`, `lycee`…).
    #[serde(
        default,
        deserialize_with = "lenient::string_list",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub school_levels: Vec<String>,
    /// Préau: languages spoken, as BCP 47 codes.
    #[serde(
        default,
        deserialize_with = "lenient::string_list",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub languages: Vec<String>,
    /// Préau: the academy (French education region) the teacher works in.
    #[serde(
        default,
        deserialize_with = "lenient::optional",
        skip_serializing_if = "Option::is_none"
    )]
    pub academy: Option<String>,
    /// Préau: the teacher's school, when they chose to show it.
    #[serde(
        default,
        deserialize_with = "lenient::optional",
        skip_serializing_if = "Option::is_none"
    )]
    pub school: Option<String>,
    /// Préau: interests and project themes.
    #[serde(
        default,
        deserialize_with = "lenient::string_list",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub interests: Vec<String>,
    /// Préau: the trust level the author's instance declares. Informational
    /// only: a receiver computes its own label and never copies this claim.
    #[serde(
        default,
        deserialize_with = "lenient::optional",
        skip_serializing_if = "Option::is_none"
    )]
    pub trust_level: Option<TrustLevel>,
    /// Préau: for the instance actor, the organisation running it.
    #[serde(
        default,
        deserialize_with = "lenient::optional",
        skip_serializing_if = "Option::is_none"
    )]
    pub organisation: Option<String>,
    /// Préau: the verified e-mail domain of a person on an institutional
    /// instance (never the address), for receivers' labels.
    #[serde(
        default,
        deserialize_with = "lenient::optional",
        skip_serializing_if = "Option::is_none"
    )]
    pub email_domain: Option<String>,
    /// Préau: for the instance actor, the attestations it serves (the same
    /// as in its NodeInfo); receivers verify them, never copy them.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub attestations: Vec<serde_json::Value>,
    /// Préau: what kind of group this is; `project` for a project space
    /// (see [`crate::projects`]), absent for forums.
    #[serde(
        default,
        deserialize_with = "lenient::optional",
        skip_serializing_if = "Option::is_none"
    )]
    pub group_kind: Option<String>,
    /// Groups: the members collection (Mobilizon's term).
    #[serde(
        default,
        deserialize_with = "lenient::optional_id",
        skip_serializing_if = "Option::is_none"
    )]
    pub members: Option<Url>,
    /// Préau projects: the collection of what happened (joins, leaves…).
    #[serde(
        default,
        deserialize_with = "lenient::optional_id",
        skip_serializing_if = "Option::is_none"
    )]
    pub project_activity: Option<Url>,
    /// Préau projects: the members-only collection of what was shared
    /// (threads, replies, documents, events), read by a member's instance
    /// when its first teacher joins.
    #[serde(
        default,
        deserialize_with = "lenient::optional_id",
        skip_serializing_if = "Option::is_none"
    )]
    pub project_content: Option<Url>,
    /// Préau projects: `looking`, `running` or `finished`.
    #[serde(
        default,
        deserialize_with = "lenient::optional",
        skip_serializing_if = "Option::is_none"
    )]
    pub project_status: Option<String>,
    /// Préau projects: `public` or `members`.
    #[serde(
        default,
        deserialize_with = "lenient::optional",
        skip_serializing_if = "Option::is_none"
    )]
    pub visibility: Option<String>,
    /// Groups: how one joins: Mobilizon's `invite`, `open` or Préau's
    /// `request` (Mobilizon says `restricted`).
    #[serde(
        default,
        deserialize_with = "lenient::optional",
        skip_serializing_if = "Option::is_none"
    )]
    pub join_mode: Option<String>,
    /// Préau projects: the lowest member label accepted.
    #[serde(
        default,
        deserialize_with = "lenient::optional",
        skip_serializing_if = "Option::is_none"
    )]
    pub min_member_level: Option<TrustLevel>,
    /// Préau forums: the lowest author label the forum accepts posts from,
    /// so other instances can say so before their teachers write.
    #[serde(
        default,
        deserialize_with = "lenient::optional",
        skip_serializing_if = "Option::is_none"
    )]
    pub min_post_level: Option<TrustLevel>,
    /// Préau projects: the country (ISO 3166 code or name).
    #[serde(
        default,
        deserialize_with = "lenient::optional",
        skip_serializing_if = "Option::is_none"
    )]
    pub country: Option<String>,
    /// Préau projects: the commune or place, as typed.
    #[serde(
        default,
        deserialize_with = "lenient::optional",
        skip_serializing_if = "Option::is_none"
    )]
    pub place: Option<String>,
    /// Préau projects: latitude of the place, WGS 84 degrees.
    #[serde(
        default,
        deserialize_with = "lenient::optional",
        skip_serializing_if = "Option::is_none"
    )]
    pub latitude: Option<f64>,
    /// Préau projects: longitude of the place, WGS 84 degrees.
    #[serde(
        default,
        deserialize_with = "lenient::optional",
        skip_serializing_if = "Option::is_none"
    )]
    pub longitude: Option<f64>,
}

/// A source text with its media type.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Source {
    /// The text as the author wrote it.
    pub content: String,
    /// Usually `text/markdown`.
    pub media_type: String,
}

/// Server-wide endpoints of an actor.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Endpoints {
    /// One inbox for the whole server, so an activity addressed to many of
    /// its actors is delivered once.
    #[serde(
        default,
        deserialize_with = "lenient::optional",
        skip_serializing_if = "Option::is_none"
    )]
    pub shared_inbox: Option<Url>,
}

/// The public half of an actor's RSA key pair.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PublicKey {
    /// The key id, usually `ACTOR#main-key`; kept as text because a few
    /// servers use ids that are not absolute URLs.
    pub id: String,
    /// The actor owning the key: must equal the actor's id.
    pub owner: Url,
    /// The SubjectPublicKeyInfo PEM.
    pub public_key_pem: String,
}

/// A profile field as Mastodon shows it (`schema:PropertyValue`).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PropertyValue {
    /// Always `PropertyValue`.
    #[serde(rename = "type")]
    pub kind: String,
    /// The field's label.
    pub name: String,
    /// The field's value as HTML.
    pub value: String,
}

impl PropertyValue {
    /// A field with the given label and HTML value.
    pub fn new(name: impl Into<String>, value: impl Into<String>) -> Self {
        PropertyValue {
            kind: "PropertyValue".to_string(),
            name: name.into(),
            value: value.into(),
        }
    }
}

impl Actor {
    /// Where to deliver to this actor: its server's shared inbox when it
    /// offers one, else its own inbox.
    pub fn shared_inbox_or_inbox(&self) -> &Url {
        self.endpoints
            .as_ref()
            .and_then(|endpoints| endpoints.shared_inbox.as_ref())
            .unwrap_or(&self.inbox)
    }

    /// Checks what a receiver must check before trusting the document: the
    /// key belongs to this actor, and the inbox is on the actor's host.
    pub fn check_consistency(&self) -> Result<(), ActorError> {
        if self.public_key.owner != self.id {
            return Err(ActorError::KeyOwnerMismatch);
        }
        if self.inbox.host_str() != self.id.host_str() {
            return Err(ActorError::InboxOnOtherHost);
        }
        if self.preferred_username.trim().is_empty() {
            return Err(ActorError::EmptyUsername);
        }
        Ok(())
    }
}

/// Why an actor document cannot be trusted.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum ActorError {
    /// `publicKey.owner` is another actor: the key could be borrowed.
    #[error("the public key's owner is not the actor")]
    KeyOwnerMismatch,
    /// The inbox is on another host than the actor's id.
    #[error("the actor's inbox is on another host")]
    InboxOnOtherHost,
    /// No `preferredUsername`.
    #[error("the actor has an empty preferredUsername")]
    EmptyUsername,
}
