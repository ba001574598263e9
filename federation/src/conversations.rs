//! Conversations across instances (Préau extension, issue 14): the
//! document the host serves, to instances with a participant only, at the
//! conversation's id. Messages are ordinary `Note`s
//! ([`crate::objects::Post`]) whose `context` is the conversation; the
//! host's relay of each change (`Announce`) carries the line's place in
//! the host's order as [`POSITION_PROPERTY`].

use serde::{Deserialize, Serialize};
use url::Url;

/// The `type` of a conversation document.
pub const CONVERSATION_TYPE: &str = "Conversation";

/// The property of the host's `Announce` that gives the relayed line's
/// place in the host's order (an integer, increasing).
pub const POSITION_PROPERTY: &str = "conversationPosition";

/// One person invited to or taking part in a conversation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ConversationParticipant {
    /// The person.
    pub actor: Url,
    /// `invited`, `joined`, `declined`, `left` or `removed`.
    pub participant_state: String,
    /// Who invited them (absent for the creator).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub invited_by: Option<Url>,
}

/// A conversation as its host serves it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Conversation {
    /// `{host}/conversations/{token}`.
    pub id: Url,
    /// Always [`CONVERSATION_TYPE`].
    #[serde(rename = "type")]
    pub kind: String,
    /// The name given at creation.
    pub name: String,
    /// Who started it (on the host).
    pub attributed_to: Url,
    /// The lowest trust label of participants, as the host verifies it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_participant_level: Option<String>,
    /// Everyone the host knows in it, in the order invited.
    #[serde(default)]
    pub participants: Vec<ConversationParticipant>,
    /// Creation (RFC 3339).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub published: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_conversation_document_reads_back() {
        let value = json!({
            "id": "https://a.example/conversations/x",
            "type": "Conversation",
            "name": "Sortie",
            "attributedTo": "https://a.example/users/ana",
            "minParticipantLevel": "institutional",
            "participants": [
                {"actor": "https://a.example/users/ana", "participantState": "joined"},
                {"actor": "https://b.example/users/bob", "participantState": "invited",
                 "invitedBy": "https://a.example/users/ana"}
            ],
            "published": "2026-12-04T20:00:00.000Z"
        });
        let read: Conversation = serde_json::from_value(value.clone()).unwrap();
        assert_eq!(read.participants.len(), 2);
        assert_eq!(serde_json::to_value(&read).unwrap(), value);
    }
}
