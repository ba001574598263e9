//! Conversations across instances: a conversation is hosted by its
//! creator's instance, which decides who is in and relays every change
//! (`Announce`, signed by its instance actor) to the instances of its
//! participants, in the transaction of the change. Messages live on their
//! author's instance (ids `{base}/conversation-messages/{token}`); a
//! mirror takes a relayed message as the host's word only when its id is
//! on the host, and otherwise reads it from its origin (see
//! `apub::conversations`), so a host never writes in someone's name.
//!
//! Deliveries to one inbox may arrive out of order (several workers,
//! retries): the host's relay carries each line's place in its order
//! ([`preau_federation::conversations::POSITION_PROPERTY`]) and mirrors
//! show lines by it. What the instances receive from each other is in
//! [`super::conversation_received`].

use super::{
    outbox::{self, new_activity_id, queue, to_json, url},
    project_host::inbox_of,
    Domain, DomainResult, Refusal,
};
pub use crate::domain::store::conversations::{
    ConversationId, ConversationRow, LineRow, ParticipantState, ParticipantView,
};
use crate::domain::store::{
    actors::{self, ActorId, ActorRow},
    conversation_relay::participant_inboxes,
    Tx,
};
use preau_federation::{
    activities::{Activity, ActivityKind, Answered},
    actor::Source,
    conversations::{Conversation, ConversationParticipant, CONVERSATION_TYPE, POSITION_PROPERTY},
    objects::{Post, PostKind},
};
use serde_json::Value;

/// A message written here, as served to another instance by signed fetch.
#[derive(Debug, Clone, serde::Serialize)]
#[serde(untagged)]
pub enum ServedMessage {
    /// A message of a conversation between Préau teachers.
    Conversation(Box<Post>),
    /// An answer in a direct conversation, in the form it was sent
    /// (to the person only, with its `Mention`; or a `ChatMessage`).
    Direct(Box<preau_federation::direct_messages::DirectMessage>),
}

/// Whether changes to `conversation` travel between instances this way
/// (the host relaying to its participants' instances). The one place that
/// decides it: one-to-one conversations with other fediverse servers are
/// answered as direct messages (`direct_messages.rs`), never relayed.
pub fn relays_to_instances(conversation: &ConversationRow) -> bool {
    !conversation.is_direct()
}

/// A participant as the host's document names them, resolved here.
#[derive(Debug, Clone)]
pub struct MirroredParticipant {
    /// The person.
    pub person: ActorRow,
    /// Where they stand, as the host says.
    pub state: ParticipantState,
    /// Who invited them, when known here.
    pub invited_by: Option<ActorId>,
}

/// The host's document of a conversation, its people resolved here.
#[derive(Debug, Clone)]
pub struct HostDocument {
    /// The conversation's id (on the host).
    pub ap_id: String,
    /// Its name.
    pub name: String,
    /// Its creator.
    pub creator: ActorRow,
    /// The lowest trust level of participants, if any.
    pub min_level: Option<String>,
    /// Everyone in it.
    pub participants: Vec<MirroredParticipant>,
}

impl HostDocument {
    /// The conversation as stored here under `id`, created at `now`.
    pub fn row(&self, id: ConversationId, now: i64) -> ConversationRow {
        ConversationRow {
            id,
            ap_id: self.ap_id.clone(),
            name: self.name.clone(),
            creator_id: self.creator.id,
            min_level: self.min_level.clone(),
            created_at: now,
            updated_at: now,
            kind: "group".into(),
        }
    }
}

/// A message read from the wire (its HTML sanitised).
#[derive(Debug, Clone)]
pub struct ReceivedMessage {
    /// Its id, on its author's instance.
    pub ap_id: String,
    /// Its author.
    pub author: ActorRow,
    /// Markdown, when given.
    pub source: String,
    /// Sanitised HTML.
    pub html: String,
}

/// What the host relayed, as a mirror applies it.
#[derive(Debug, Clone)]
pub enum RelayedChange {
    /// A new message, at the host's position.
    Message(ReceivedMessage, Option<i64>),
    /// Someone joined (their line at the host's position).
    Joined(ActorRow, Option<i64>),
    /// Someone declined.
    Declined(ActorRow),
    /// Someone left.
    Left(ActorRow, Option<i64>),
    /// The creator removed someone.
    Removed {
        /// Who was removed.
        person: Box<ActorRow>,
        /// The creator.
        by: Box<ActorRow>,
        /// The line's position.
        position: Option<i64>,
    },
    /// Someone was invited (the mirror's document tells who).
    Invited,
    /// A message changed.
    Edited(ReceivedMessage),
    /// A message was deleted by its author.
    Deleted {
        /// The message's id.
        ap_id: String,
        /// Who deleted it.
        by: ActorRow,
    },
}

fn rfc3339(ms: i64) -> String {
    chrono::DateTime::from_timestamp_millis(ms)
        .map(|time| time.to_rfc3339_opts(chrono::SecondsFormat::Millis, true))
        .unwrap_or_default()
}

/// The `Note` of a message line.
pub fn message_note(line: &LineRow, author: &str, conversation: &str) -> DomainResult<Post> {
    let mut note = Post::new(
        PostKind::Note,
        url(line.ap_id.as_deref().unwrap_or_default())?,
        url(author)?,
    );
    note.content = Some(line.html.clone());
    note.media_type = Some("text/html".to_string());
    note.source = Some(Source {
        content: line.source.clone(),
        media_type: "text/markdown".to_string(),
    });
    note.context = Some(url(conversation)?);
    note.to = vec![conversation.to_string()];
    note.published = Some(rfc3339(line.created_at));
    note.updated = line.edited_at.map(rfc3339);
    Ok(note)
}

/// The `Invite` of `invitee` into `conversation` by `inviter` (ids).
pub fn invite_activity(
    id: &str,
    conversation: &str,
    inviter: &str,
    invitee: &str,
) -> DomainResult<Activity> {
    Ok(Activity::invite(
        url(id)?,
        url(inviter)?,
        &url(conversation)?,
        &url(invitee)?,
    ))
}

/// The invitee's `Accept` or `Reject` of the `Invite` `invite_id`,
/// addressed to the conversation.
pub fn answer_activity(
    accept: bool,
    id: &str,
    conversation: &str,
    invitee: &str,
    invite_id: &str,
) -> DomainResult<Activity> {
    let answered = Answered {
        id: invite_id.to_string(),
        kind: ActivityKind::Invite,
        actor: None,
        object: conversation.to_string(),
        target: Some(invitee.to_string()),
    };
    outbox::answer(accept, id, invitee, &answered, conversation)
}

/// An activity of `actor` about a conversation (`Leave`, `Remove`, a
/// message's `Create`, `Update`, `Delete`), addressed to it only.
pub fn activity_of(
    kind: ActivityKind,
    id: &str,
    conversation: &str,
    actor: &str,
    object: Value,
) -> DomainResult<Activity> {
    Ok(Activity::new(kind, url(id)?, url(actor)?, object).to([conversation]))
}

impl Domain {
    /// Whether this instance hosts `conversation`.
    pub fn hosts_conversation(&self, conversation: &ConversationRow) -> bool {
        conversation
            .ap_id
            .starts_with(&format!("{}/", self.settings.base_url()))
    }

    /// The inbox where the host of a mirrored conversation hears of
    /// changes: its creator's server's.
    async fn host_inbox(
        &self,
        tx: &mut Tx,
        conversation: &ConversationRow,
    ) -> DomainResult<String> {
        let creator = actors::actor_by_id_in(tx, conversation.creator_id)
            .await?
            .ok_or(Refusal::NotFound)?;
        Ok(inbox_of(&creator))
    }

    /// A new activity id on this instance.
    pub(super) fn conversation_activity_id(&self) -> String {
        new_activity_id(&self.settings.base_url())
    }

    /// The host relays `inner` (an activity it applied) to the instances
    /// of the joined participants, and `also_to`, once per server, in the
    /// change's transaction; `position` is the line's place in its order.
    pub(super) async fn relay_conversation_change(
        &self,
        tx: &mut Tx,
        conversation: &ConversationRow,
        inner: &Value,
        position: Option<i64>,
        also_to: &[String],
    ) -> DomainResult<()> {
        if !relays_to_instances(conversation) || !self.hosts_conversation(conversation) {
            return Ok(());
        }
        let mut inboxes =
            participant_inboxes(tx, conversation.id, ParticipantState::Joined).await?;
        for inbox in also_to {
            if !inboxes.contains(inbox) {
                inboxes.push(inbox.clone());
            }
        }
        if inboxes.is_empty() {
            return Ok(());
        }
        let Some(instance) = actors::instance_actor_in(tx).await? else {
            return Err(super::DomainError::Internal("no instance actor".into()));
        };
        let id = self.conversation_activity_id();
        let mut inner = inner.clone();
        if let Some(map) = inner.as_object_mut() {
            // Embedded: the outer activity carries the context.
            map.remove("@context");
        }
        let announce = Activity::new(
            ActivityKind::Announce,
            url(&id)?,
            url(&instance.ap_id)?,
            inner,
        )
        .to([conversation.ap_id.as_str()]);
        let mut announce = to_json(&announce)?;
        if let (Some(map), Some(position)) = (announce.as_object_mut(), position) {
            map.insert(POSITION_PROPERTY.to_string(), Value::from(position));
        }
        queue(tx, &id, instance.id, &announce, &inboxes).await
    }

    /// Sends `activity`, signed by `signer`, to the host of a mirrored
    /// conversation.
    pub(super) async fn send_to_conversation_host(
        &self,
        tx: &mut Tx,
        conversation: &ConversationRow,
        signer: &ActorRow,
        activity: &Activity,
    ) -> DomainResult<()> {
        if !relays_to_instances(conversation) {
            return Ok(());
        }
        let inbox = self.host_inbox(tx, conversation).await?;
        let body = to_json(activity)?;
        queue(tx, activity.id.as_str(), signer.id, &body, &[inbox]).await
    }

    /// The `Invite` of `invitee` by `inviter`.
    pub(super) fn conversation_invite(
        &self,
        id: &str,
        conversation: &ConversationRow,
        inviter: &ActorRow,
        invitee: &ActorRow,
    ) -> DomainResult<Activity> {
        invite_activity(id, &conversation.ap_id, &inviter.ap_id, &invitee.ap_id)
    }

    /// The invitee's `Accept` or `Reject` of the `Invite` `invite_id`,
    /// addressed to the conversation.
    pub(super) fn conversation_answer(
        &self,
        accept: bool,
        conversation: &ConversationRow,
        invitee: &ActorRow,
        invite_id: &str,
    ) -> DomainResult<Activity> {
        answer_activity(
            accept,
            &self.conversation_activity_id(),
            &conversation.ap_id,
            &invitee.ap_id,
            invite_id,
        )
    }

    /// An activity of `actor` about the conversation (`Leave`, …).
    pub(super) fn conversation_activity(
        &self,
        kind: ActivityKind,
        conversation: &ConversationRow,
        actor: &ActorRow,
        object: Value,
    ) -> DomainResult<Activity> {
        activity_of(
            kind,
            &self.conversation_activity_id(),
            &conversation.ap_id,
            &actor.ap_id,
            object,
        )
    }

    /// `Create`, `Update` (with the `Note`) or `Delete` (a `Tombstone`)
    /// of a message by its author.
    pub(super) fn message_activity(
        &self,
        kind: ActivityKind,
        conversation: &ConversationRow,
        author: &ActorRow,
        line: &LineRow,
    ) -> DomainResult<Activity> {
        let object = if kind == ActivityKind::Delete {
            serde_json::json!({
                "id": line.ap_id,
                "type": "Tombstone",
                "formerType": "Note",
                "deleted": rfc3339(line.deleted_at.unwrap_or(line.created_at)),
            })
        } else {
            outbox::json_of(&message_note(line, &author.ap_id, &conversation.ap_id)?)?
        };
        self.conversation_activity(kind, conversation, author, object)
    }

    /// Tells the other instances of a change a local teacher made: on the
    /// host, relayed to participants' instances (`line`: the line it
    /// added); on a mirror, sent to the host.
    pub(super) async fn share_conversation_change(
        &self,
        tx: &mut Tx,
        conversation: &ConversationRow,
        actor: &ActorRow,
        activity: &Activity,
        line: Option<i64>,
        also_to: &[String],
    ) -> DomainResult<()> {
        if self.hosts_conversation(conversation) {
            let body = to_json(activity)?;
            self.relay_conversation_change(tx, conversation, &body, line, also_to)
                .await
        } else {
            self.send_to_conversation_host(tx, conversation, actor, activity)
                .await
        }
    }

    // ----- Serving to other instances -----

    /// The conversation hosted here at `/conversations/{token}`, for a
    /// signed read by instance `reader`: it must have a participant
    /// (invited or joined, as this instance knows).
    pub async fn conversation_document_for(
        &self,
        token: &str,
        reader: &str,
    ) -> DomainResult<Conversation> {
        let ap_id = format!("{}/conversations/{token}", self.settings.base_url());
        let conversation = self
            .store
            .conversation_by_ap_id(&ap_id)
            .await?
            .ok_or(Refusal::NotFound)?;
        let states = [ParticipantState::Invited, ParticipantState::Joined];
        if !self
            .store
            .conversation_has_participant_at(conversation.id, reader, &states)
            .await?
        {
            return Err(Refusal::NotAParticipant.into());
        }
        let creator = self.actor_by_id(conversation.creator_id).await?;
        let mut participants = Vec::new();
        for view in self.store.participants(conversation.id).await? {
            let invited_by = match view.row.invited_by {
                Some(id) => Some(url(&self.actor_by_id(id).await?.ap_id)?),
                None => None,
            };
            participants.push(ConversationParticipant {
                actor: url(&view.person.ap_id)?,
                participant_state: view.row.state.as_str().to_string(),
                invited_by,
            });
        }
        Ok(Conversation {
            id: url(&conversation.ap_id)?,
            kind: CONVERSATION_TYPE.to_string(),
            name: conversation.name.clone(),
            attributed_to: url(&creator.ap_id)?,
            min_participant_level: conversation.min_level.clone(),
            participants,
            published: Some(rfc3339(conversation.created_at)),
        })
    }

    /// The message written here at `/conversation-messages/{token}`, for
    /// a signed read by instance `reader`: it must have a joined
    /// participant (as this instance knows); a deleted one is gone.
    pub async fn conversation_message_for(
        &self,
        token: &str,
        reader: &str,
    ) -> DomainResult<ServedMessage> {
        let ap_id = format!("{}/conversation-messages/{token}", self.settings.base_url());
        let line = self
            .store
            .line_by_ap_id(&ap_id)
            .await?
            .ok_or(Refusal::NotFound)?;
        let conversation = self
            .store
            .conversation(line.conversation_id)
            .await?
            .ok_or(Refusal::NotFound)?;
        let allowed = if self.settings.instance.domain == reader {
            false
        } else {
            self.store
                .conversation_has_participant_at(
                    conversation.id,
                    reader,
                    &[ParticipantState::Joined],
                )
                .await?
        };
        if !allowed {
            return Err(Refusal::NotAParticipant.into());
        }
        if line.deleted_at.is_some() {
            return Err(Refusal::PostDeleted.into());
        }
        if conversation.is_direct() {
            let message = self.direct_message_served(&conversation, &line).await?;
            return Ok(ServedMessage::Direct(Box::new(message)));
        }
        let author = self.actor_by_id(line.actor_id).await?;
        message_note(&line, &author.ap_id, &conversation.ap_id)
            .map(|note| ServedMessage::Conversation(Box::new(note)))
    }

    /// Whether `ap_id` names a conversation: known here, or (an
    /// invitation from elsewhere) shaped like one.
    pub fn is_conversation_id(&self, ap_id: &str) -> bool {
        url::Url::parse(ap_id)
            .map(|u| u.path().starts_with("/conversations/"))
            .unwrap_or(false)
    }
}
