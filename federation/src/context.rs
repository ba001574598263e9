//! The JSON-LD context of every document Préau serves.
//!
//! Préau's own fields (subjects taught, school levels, academy…) live in the
//! `preau:` namespace so that JSON-LD processors such as Fedify expand them
//! to stable IRIs instead of dropping them. The context is embedded in each
//! document rather than referenced by URL, so no receiver has to fetch it.

use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

/// The IRI prefix of Préau's extension terms.
pub const PREAU_NAMESPACE: &str = "https://w3id.org/preau/ns#";

/// The IRI prefix of Lemmy's extension terms (`postingRestrictedToMods`,
/// `stickied`), which Préau's forums use with Lemmy's meaning.
pub const LEMMY_NAMESPACE: &str = "https://join-lemmy.org/ns#";

/// The IRI prefix of PeerTube's terms; Lemmy and Mbin map `commentsEnabled`
/// (a thread is not locked) into it, so Préau does the same.
pub const PEERTUBE_NAMESPACE: &str = "https://joinpeertube.org/ns#";

/// The `@context` value Préau puts on its documents: ActivityStreams, the
/// security vocabulary (for `publicKey`), and an inline object defining the
/// extension terms Préau uses: Mastodon's (`featured`, `discoverable`),
/// Lemmy's forum terms (same IRIs as Lemmy's own context, so Lemmy and Mbin
/// read them as theirs) and Préau's own.
pub fn preau_context() -> Value {
    json!([
        "https://www.w3.org/ns/activitystreams",
        "https://w3id.org/security/v1",
        {
            "preau": PREAU_NAMESPACE,
            "toot": "http://joinmastodon.org/ns#",
            "schema": "http://schema.org#",
            "lemmy": LEMMY_NAMESPACE,
            "pt": PEERTUBE_NAMESPACE,
            "manuallyApprovesFollowers": "as:manuallyApprovesFollowers",
            "sensitive": "as:sensitive",
            "Hashtag": "as:Hashtag",
            "discoverable": "toot:discoverable",
            "featured": { "@id": "toot:featured", "@type": "@id" },
            "postingRestrictedToMods": "lemmy:postingRestrictedToMods",
            "stickied": "lemmy:stickied",
            "commentsEnabled": "pt:commentsEnabled",
            "PropertyValue": "schema:PropertyValue",
            "value": "schema:value",
            "subjects": { "@id": "preau:subjects", "@container": "@set" },
            "schoolLevels": { "@id": "preau:schoolLevels", "@container": "@set" },
            "languages": { "@id": "preau:languages", "@container": "@set" },
            "interests": { "@id": "preau:interests", "@container": "@set" },
            "academy": "preau:academy",
            "school": "preau:school",
            "trustLevel": "preau:trustLevel",
            "organisation": "preau:organisation",
            "emailDomain": "preau:emailDomain",
            "attestations": { "@id": "preau:attestations", "@container": "@set" },
            "mz": "https://joinmobilizon.org/ns#",
            "sc": "http://schema.org#",
            "ical": "http://www.w3.org/2002/12/cal/ical#",
            "members": { "@id": "mz:members", "@type": "@id" },
            "Member": "mz:Member",
            "role": "mz:role",
            "joinMode": "mz:joinMode",
            "timezone": { "@id": "mz:timezone", "@type": "sc:Text" },
            "groupKind": "preau:groupKind",
            "projectActivity": { "@id": "preau:projectActivity", "@type": "@id" },
            "projectContent": { "@id": "preau:projectContent", "@type": "@id" },
            "projectStatus": "preau:projectStatus",
            "visibility": "preau:visibility",
            "minMemberLevel": "preau:minMemberLevel",
            "minPostLevel": "preau:minPostLevel",
            "country": "sc:addressCountry",
            "place": "preau:place",
            "latitude": "sc:latitude",
            "longitude": "sc:longitude",
            "invitedBy": { "@id": "preau:invitedBy", "@type": "@id" },
            "activity": { "@id": "preau:activity", "@type": "@id" },
            "versionOf": { "@id": "preau:versionOf", "@type": "@id" },
            "version": "preau:version",
            "size": "preau:size",
            "digest": "preau:digest",
            "Presence": "preau:Presence",
            "presenceStatus": "preau:presenceStatus",
            "Conversation": "preau:Conversation",
            "participants": { "@id": "preau:participants", "@container": "@list" },
            "participantState": "preau:participantState",
            "minParticipantLevel": "preau:minParticipantLevel",
            "conversationPosition": "preau:conversationPosition"
        }
    ])
}

/// A document with its `@context`, serialised as one JSON object.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct WithContext<T> {
    /// The JSON-LD context; kept as raw JSON because peers write it in many
    /// shapes (a string, an array, nested objects).
    #[serde(rename = "@context", default)]
    pub context: Value,
    /// The document itself.
    #[serde(flatten)]
    pub inner: T,
}

impl<T> WithContext<T> {
    /// Wraps `inner` with Préau's context.
    pub fn preau(inner: T) -> Self {
        WithContext {
            context: preau_context(),
            inner,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_extension_term_maps_into_the_preau_namespace() {
        let context = preau_context();
        let terms = &context[2];
        for term in ["subjects", "schoolLevels", "languages", "interests"] {
            assert_eq!(terms[term]["@id"], format!("preau:{term}"));
        }
        for term in ["academy", "school", "trustLevel", "organisation"] {
            assert_eq!(terms[term], format!("preau:{term}"));
        }
        assert_eq!(terms["preau"], PREAU_NAMESPACE);
    }

    #[test]
    fn forum_terms_use_the_iris_lemmy_and_mastodon_use() {
        let context = preau_context();
        let terms = &context[2];
        assert_eq!(terms["lemmy"], LEMMY_NAMESPACE);
        assert_eq!(
            terms["postingRestrictedToMods"],
            "lemmy:postingRestrictedToMods"
        );
        assert_eq!(terms["stickied"], "lemmy:stickied");
        assert_eq!(terms["commentsEnabled"], "pt:commentsEnabled");
        assert_eq!(terms["sensitive"], "as:sensitive");
        assert_eq!(terms["featured"]["@id"], "toot:featured");
        assert_eq!(terms["featured"]["@type"], "@id");
    }
}
