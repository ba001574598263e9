//! A person's presence (Préau extension, issue 14): `available`, `away`
//! or `busy`, sent by their instance in an `Update` addressed only to
//! their accepted contacts, when it changes. The object names its person
//! in `attributedTo` and lives under the person's id, so a receiver can
//! check that the person sent it.

use serde::{Deserialize, Serialize};
use url::Url;

/// A presence status.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum PresenceStatus {
    /// Disponible.
    Available,
    /// Absent (chosen, or idle).
    Away,
    /// Ne pas déranger.
    Busy,
}

impl PresenceStatus {
    /// The status's stable name.
    pub fn as_str(self) -> &'static str {
        match self {
            PresenceStatus::Available => "available",
            PresenceStatus::Away => "away",
            PresenceStatus::Busy => "busy",
        }
    }

    /// Reads a stable name.
    pub fn from_name(name: &str) -> Option<PresenceStatus> {
        match name {
            "available" => Some(PresenceStatus::Available),
            "away" => Some(PresenceStatus::Away),
            "busy" => Some(PresenceStatus::Busy),
            _ => None,
        }
    }
}

/// The `type` of a presence object.
pub const PRESENCE_TYPE: &str = "Presence";

/// A person's presence, as the object of an `Update`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Presence {
    /// `PERSON_ID#presence`: under the person's id.
    pub id: Url,
    /// Always [`PRESENCE_TYPE`].
    #[serde(rename = "type")]
    pub kind: String,
    /// The person.
    pub attributed_to: Url,
    /// Their status.
    pub presence_status: PresenceStatus,
    /// When it took effect (RFC 3339): a receiver ignores a status older
    /// than the one it has.
    pub updated: String,
}

impl Presence {
    /// The presence of `person`.
    pub fn new(person: &Url, status: PresenceStatus, updated: String) -> Presence {
        let mut id = person.clone();
        id.set_fragment(Some("presence"));
        Presence {
            id,
            kind: PRESENCE_TYPE.to_string(),
            attributed_to: person.clone(),
            presence_status: status,
            updated,
        }
    }

    /// Whether the object is the presence of `actor` (the activity's
    /// verified actor): attributed to them, its id theirs.
    pub fn is_of(&self, actor: &Url) -> bool {
        let mut own = actor.clone();
        own.set_fragment(Some("presence"));
        self.kind == PRESENCE_TYPE && &self.attributed_to == actor && self.id == own
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    #[test]
    fn a_presence_belongs_to_its_person_only() {
        let ana = Url::parse("https://a.example/users/ana").unwrap();
        let bob = Url::parse("https://b.example/users/bob").unwrap();
        let presence = Presence::new(&ana, PresenceStatus::Busy, "2026-12-04T17:00:00Z".into());
        assert!(presence.is_of(&ana));
        assert!(!presence.is_of(&bob));
        let json = serde_json::to_value(&presence).unwrap();
        assert_eq!(json["presenceStatus"], "busy");
        assert_eq!(json["id"], "https://a.example/users/ana#presence");
        let mut forged = presence.clone();
        forged.attributed_to = bob.clone();
        assert!(!forged.is_of(&bob));
        for name in ["available", "away", "busy"] {
            assert_eq!(PresenceStatus::from_name(name).unwrap().as_str(), name);
        }
        assert_eq!(PresenceStatus::from_name("offline"), None);
    }
}
