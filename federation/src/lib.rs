//! Préau's ActivityPub wire vocabulary.
//!
//! This crate owns what travels between servers and nothing else: the JSON
//! shapes of actors, WebFinger and NodeInfo documents, the JSON-LD extension
//! context that names Préau's own fields, the trust levels instances
//! declare and the signed attestations that back them ([`attestation`]). It
//! has no database and no HTTP server, so its types can be tested against
//! JSON captured from other fediverse software (see `fixtures/`).

#![recursion_limit = "256"]

pub mod activities;
pub mod actor;
pub mod attestation;
pub mod collections;
pub mod context;
pub mod conversations;
pub mod direct_messages;
mod lenient;
pub mod nodeinfo;
pub mod objects;
pub mod presence;
pub mod projects;
pub mod signatures;
pub mod trust;
pub mod webfinger;

pub use actor::{Actor, ActorKind, Endpoints, Icon, PropertyValue, PublicKey, Source};
pub use context::{preau_context, WithContext};
pub use nodeinfo::{NodeInfo, NodeInfoLink, NodeInfoLinks};
pub use trust::TrustLevel;
pub use webfinger::{Webfinger, WebfingerLink};

/// The media type of ActivityStreams documents.
pub const ACTIVITY_JSON: &str = "application/activity+json";

/// The JSON-LD profile media type some servers ask for instead.
pub const LD_JSON_PROFILE: &str =
    "application/ld+json; profile=\"https://www.w3.org/ns/activitystreams\"";
