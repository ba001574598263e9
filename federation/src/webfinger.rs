//! WebFinger (RFC 7033) documents, as Préau serves and reads them.

use serde::{Deserialize, Serialize};

/// A JSON Resource Descriptor answering `acct:name@domain`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Webfinger {
    /// The `acct:` URI asked about.
    pub subject: String,
    /// Other URIs for the same account (its actor id, its profile page).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub aliases: Vec<String>,
    /// Links: `self` to the actor document, the profile page, etc.
    #[serde(default)]
    pub links: Vec<WebfingerLink>,
}

/// One link of a [`Webfinger`] document.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct WebfingerLink {
    /// The relation, e.g. `self`.
    pub rel: String,
    /// The media type of the target.
    #[serde(rename = "type", default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    /// The target URL.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub href: Option<String>,
    /// A URL template (OStatus subscribe links).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub template: Option<String>,
}

impl Webfinger {
    /// The actor document's URL: the `self` link typed as ActivityStreams.
    pub fn actor_url(&self) -> Option<&str> {
        self.links
            .iter()
            .find(|link| {
                link.rel == "self"
                    && link.kind.as_deref().is_some_and(|kind| {
                        kind == crate::ACTIVITY_JSON || kind.starts_with("application/ld+json")
                    })
            })
            .and_then(|link| link.href.as_deref())
    }
}
