//! Project spaces on the wire: the `Member` objects of a project's members
//! collection (Mobilizon's shape and role names), shared documents
//! (`Document`) and agenda events (`Event`).
//!
//! A project is a `Group` actor whose `groupKind` is `project`; its extra
//! fields live on [`crate::Actor`]. Its threads and replies are ordinary
//! [`crate::objects::Post`]s addressed to the members collection only.

use crate::lenient;
use serde::{Deserialize, Serialize};
use url::Url;

/// The `groupKind` of a project space's `Group` actor.
pub const PROJECT_GROUP_KIND: &str = "project";

/// Where someone stands in a project, with Mobilizon's role names on the
/// wire (`administrator` for an owner, `not_approved` for a pending join
/// request). `refused` (an invitation declined) is Préau's own.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum MemberRole {
    /// Runs the project; promotes and demotes.
    Owner,
    /// Accepts join requests, removes members.
    Moderator,
    /// Takes part.
    Member,
    /// Invited, has not answered.
    Invited,
    /// Asked to join, waits for a moderator.
    Requested,
    /// Declined an invitation.
    Refused,
    /// A moderator declined the join request.
    Rejected,
}

impl MemberRole {
    /// The role name written on the wire.
    pub fn as_wire(self) -> &'static str {
        match self {
            MemberRole::Owner => "administrator",
            MemberRole::Moderator => "moderator",
            MemberRole::Member => "member",
            MemberRole::Invited => "invited",
            MemberRole::Requested => "not_approved",
            MemberRole::Refused => "refused",
            MemberRole::Rejected => "rejected",
        }
    }

    /// Reads a wire role name (Mobilizon's `creator` counts as an owner);
    /// `None` for names Préau does not know.
    pub fn from_wire(name: &str) -> Option<MemberRole> {
        Some(match name {
            "administrator" | "creator" | "owner" => MemberRole::Owner,
            "moderator" => MemberRole::Moderator,
            "member" => MemberRole::Member,
            "invited" => MemberRole::Invited,
            "not_approved" | "requested" => MemberRole::Requested,
            "refused" => MemberRole::Refused,
            "rejected" => MemberRole::Rejected,
            _ => return None,
        })
    }

    /// Whether this is a current member (any role that may read content).
    pub fn is_member(self) -> bool {
        matches!(
            self,
            MemberRole::Owner | MemberRole::Moderator | MemberRole::Member
        )
    }
}

impl Serialize for MemberRole {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_wire())
    }
}

impl<'de> Deserialize<'de> for MemberRole {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let name = String::deserialize(deserializer)?;
        MemberRole::from_wire(&name)
            .ok_or_else(|| serde::de::Error::custom(format!("unknown member role {name}")))
    }
}

/// One entry of a project's members collection, or the object of a role
/// change (`Update`).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Member {
    /// The membership's id.
    pub id: Url,
    /// Always `Member`.
    #[serde(rename = "type")]
    pub kind: String,
    /// The person.
    #[serde(deserialize_with = "lenient::required_id")]
    pub actor: Url,
    /// The project (`Group`).
    #[serde(deserialize_with = "lenient::required_id")]
    pub object: Url,
    /// Their role or the state of their invitation or request.
    pub role: MemberRole,
    /// Préau: the `Invite` or `Join` this membership answers to.
    #[serde(
        default,
        deserialize_with = "lenient::optional_id",
        skip_serializing_if = "Option::is_none"
    )]
    pub activity: Option<Url>,
    /// Préau: who invited them.
    #[serde(
        default,
        deserialize_with = "lenient::optional_id",
        skip_serializing_if = "Option::is_none"
    )]
    pub invited_by: Option<Url>,
    /// Préau: when this membership last changed (RFC 3339).
    #[serde(
        default,
        deserialize_with = "lenient::optional",
        skip_serializing_if = "Option::is_none"
    )]
    pub updated: Option<String>,
}

impl Member {
    /// A `Member` entry.
    pub fn new(id: Url, actor: Url, project: Url, role: MemberRole) -> Member {
        Member {
            id,
            kind: "Member".to_string(),
            actor,
            object: project,
            role,
            activity: None,
            invited_by: None,
            updated: None,
        }
    }
}

/// A shared document (one version of it).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SharedDocument {
    /// Always `Document`.
    #[serde(rename = "type")]
    pub kind: String,
    /// This version's id.
    pub id: Url,
    /// Who shared this version.
    #[serde(deserialize_with = "lenient::required_id")]
    pub attributed_to: Url,
    /// The document's name (its file name by default).
    pub name: String,
    /// The file's media type.
    pub media_type: String,
    /// Where the bytes are (members only, signed fetch).
    pub url: Url,
    /// The project.
    #[serde(deserialize_with = "lenient::required_id")]
    pub audience: Url,
    /// Préau: the file's size in bytes.
    #[serde(default)]
    pub size: i64,
    /// Préau: the SHA-256 of the bytes, hex.
    #[serde(default)]
    pub digest: String,
    /// Préau: the first version's id, which names the document.
    #[serde(
        default,
        deserialize_with = "lenient::optional_id",
        skip_serializing_if = "Option::is_none"
    )]
    pub version_of: Option<Url>,
    /// Préau: the version number, from 1.
    #[serde(default = "first_version")]
    pub version: i64,
    /// Recipients: the members collection.
    #[serde(default, deserialize_with = "lenient::string_list")]
    pub to: Vec<String>,
    /// When shared (RFC 3339).
    #[serde(
        default,
        deserialize_with = "lenient::optional",
        skip_serializing_if = "Option::is_none"
    )]
    pub published: Option<String>,
    /// When last changed (RFC 3339), on an `Update`.
    #[serde(
        default,
        deserialize_with = "lenient::optional",
        skip_serializing_if = "Option::is_none"
    )]
    pub updated: Option<String>,
}

fn first_version() -> i64 {
    1
}

/// A place as Mobilizon and schema.org write it.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Place {
    /// Always `Place`.
    #[serde(rename = "type")]
    pub kind: String,
    /// Its name or address, as typed.
    pub name: String,
}

/// An agenda event.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ProjectEvent {
    /// Always `Event`.
    #[serde(rename = "type")]
    pub kind: String,
    /// The event's id.
    pub id: Url,
    /// Who added it.
    #[serde(deserialize_with = "lenient::required_id")]
    pub attributed_to: Url,
    /// Its title.
    pub name: String,
    /// Its description, HTML (sanitised by receivers).
    #[serde(
        default,
        deserialize_with = "lenient::optional",
        skip_serializing_if = "Option::is_none"
    )]
    pub content: Option<String>,
    /// Start (RFC 3339).
    pub start_time: String,
    /// End (RFC 3339).
    pub end_time: String,
    /// The IANA zone the times were entered in (`Europe/Paris`), as
    /// Mobilizon writes it (`mz:timezone`); the times themselves stay
    /// absolute.
    #[serde(
        default,
        deserialize_with = "lenient::optional",
        skip_serializing_if = "Option::is_none"
    )]
    pub timezone: Option<String>,
    /// Where.
    #[serde(
        default,
        deserialize_with = "lenient::optional",
        skip_serializing_if = "Option::is_none"
    )]
    pub location: Option<Place>,
    /// A meeting link (video-conference).
    #[serde(
        default,
        deserialize_with = "lenient::optional",
        skip_serializing_if = "Option::is_none"
    )]
    pub url: Option<Url>,
    /// The project.
    #[serde(deserialize_with = "lenient::required_id")]
    pub audience: Url,
    /// Recipients: the members collection, or the people it is for.
    #[serde(default, deserialize_with = "lenient::string_list")]
    pub to: Vec<String>,
    /// When added (RFC 3339).
    #[serde(
        default,
        deserialize_with = "lenient::optional",
        skip_serializing_if = "Option::is_none"
    )]
    pub published: Option<String>,
    /// When last changed (RFC 3339), on an `Update`.
    #[serde(
        default,
        deserialize_with = "lenient::optional",
        skip_serializing_if = "Option::is_none"
    )]
    pub updated: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_read_mobilizon_names_and_write_them_back() {
        for role in [
            MemberRole::Owner,
            MemberRole::Moderator,
            MemberRole::Member,
            MemberRole::Invited,
            MemberRole::Requested,
            MemberRole::Refused,
            MemberRole::Rejected,
        ] {
            assert_eq!(MemberRole::from_wire(role.as_wire()), Some(role));
        }
        assert_eq!(MemberRole::from_wire("creator"), Some(MemberRole::Owner));
        assert_eq!(MemberRole::from_wire("overlord"), None);
        assert!(MemberRole::Moderator.is_member());
        assert!(!MemberRole::Invited.is_member());
    }

    #[test]
    fn mobilizon_members_collection_entries_parse() {
        let text = include_str!(
            "../fixtures/mobilizon/mobilizon-test-fixtures/mobilizon-members-collection.json"
        );
        let value: serde_json::Value = serde_json::from_str(text).unwrap();
        let items = value["first"]["orderedItems"].as_array().unwrap();
        let members: Vec<Member> = items
            .iter()
            .map(|item| serde_json::from_value(item.clone()).unwrap())
            .collect();
        assert_eq!(members.len(), 2);
        assert_eq!(members[0].role, MemberRole::Owner);
        assert_eq!(members[1].role, MemberRole::Member);
        assert_eq!(members[1].actor.as_str(), "http://mobilizon2.com/@tcit");
    }

    #[test]
    fn an_event_round_trips() {
        let event = ProjectEvent {
            kind: "Event".into(),
            id: Url::parse("https://a.example/objects/e1").unwrap(),
            attributed_to: Url::parse("https://a.example/users/camille").unwrap(),
            name: "Réunion".into(),
            content: None,
            start_time: "2026-12-10T14:00:00Z".into(),
            end_time: "2026-12-10T15:00:00Z".into(),
            timezone: Some("Europe/Paris".into()),
            location: Some(Place {
                kind: "Place".into(),
                name: "Salle 12".into(),
            }),
            url: None,
            audience: Url::parse("https://a.example/projects/p").unwrap(),
            to: vec!["https://a.example/projects/p/members".into()],
            published: None,
            updated: None,
        };
        let json = serde_json::to_value(&event).unwrap();
        assert_eq!(json["startTime"], "2026-12-10T14:00:00Z");
        let back: ProjectEvent = serde_json::from_value(json).unwrap();
        assert_eq!(back.location.unwrap().name, "Salle 12");
        assert_eq!(back.timezone.as_deref(), Some("Europe/Paris"));
    }

    #[test]
    fn a_mobilizon_event_gives_its_time_zone() {
        // The fields of Mobilizon's `Event` (its `objects/event.json` as
        // Lemmy keeps it) a project event reads, with the project added.
        let event: ProjectEvent = serde_json::from_value(serde_json::json!({
            "type": "Event",
            "id": "https://rendezvous.nomagic.uk/events/b81c0531-a57c-497d-93ba-af0f8b255498",
            "attributedTo": "https://rendezvous.nomagic.uk/@devon_caledonian_society",
            "name": "Caledonian scottish dance class",
            "startTime": "2022-12-11T19:00:00+00:00",
            "endTime": "2022-12-11T21:00:00+00:00",
            "timezone": "Europe/London",
            "audience": "https://rendezvous.nomagic.uk/@devon_caledonian_society",
        }))
        .unwrap();
        assert_eq!(event.timezone.as_deref(), Some("Europe/London"));
    }
}
