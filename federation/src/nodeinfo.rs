//! NodeInfo 2.1 (<https://nodeinfo.diaspora.software/>): what software a
//! server runs, its usage, and, in `metadata`, Préau's declared trust level.

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// The schema IRI of NodeInfo 2.1, used as the `rel` of the well-known link.
pub const NODEINFO_2_1_REL: &str = "http://nodeinfo.diaspora.software/ns/schema/2.1";

/// The document at `/.well-known/nodeinfo`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct NodeInfoLinks {
    /// One link per NodeInfo schema version the server offers.
    pub links: Vec<NodeInfoLink>,
}

/// One entry of [`NodeInfoLinks`].
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct NodeInfoLink {
    /// The schema IRI.
    pub rel: String,
    /// Where the document is.
    pub href: String,
}

/// A NodeInfo document (2.0 and 2.1 share this shape).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct NodeInfo {
    /// `2.1` for Préau.
    pub version: String,
    /// The software the server runs.
    pub software: Software,
    /// Federation protocols, `activitypub` for every server Préau talks to.
    pub protocols: Vec<String>,
    /// Third-party services (none for Préau).
    #[serde(default)]
    pub services: Services,
    /// Whether anyone can sign up.
    pub open_registrations: bool,
    /// Usage statistics.
    pub usage: Usage,
    /// Free-form metadata; Préau puts its instance name, declared trust
    /// level and organisation here.
    #[serde(default)]
    pub metadata: Value,
}

/// The `software` object of NodeInfo.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Software {
    /// Lowercase software name.
    pub name: String,
    /// Software version.
    pub version: String,
    /// Source repository (2.1 only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub repository: Option<String>,
    /// Project home page (2.1 only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub homepage: Option<String>,
}

/// The `services` object of NodeInfo.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Services {
    /// Services the server can read from.
    #[serde(default)]
    pub inbound: Vec<String>,
    /// Services the server can publish to.
    #[serde(default)]
    pub outbound: Vec<String>,
}

/// The `usage` object of NodeInfo.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Usage {
    /// User counts.
    #[serde(default)]
    pub users: UserUsage,
    /// Number of local posts, when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub local_posts: Option<i64>,
}

/// User counts of NodeInfo.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UserUsage {
    /// Every active local account.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub total: Option<i64>,
    /// Accounts active in the last 30 days.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub active_month: Option<i64>,
    /// Accounts active in the last 180 days.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub active_halfyear: Option<i64>,
}
