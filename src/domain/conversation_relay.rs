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
//! show lines by it.

use super::{
    inbox::Applied,
    outbox::{self, new_activity_id, queue, to_json, url},
    project_host::inbox_of,
    Domain, DomainResult, Refusal,
};
pub use crate::domain::store::conversations::{
    ConversationId, ConversationRow, LineRow, ParticipantState, ParticipantView,
};
use crate::domain::store::{
    actors::{ActorId, ActorRow},
    conversation_relay::{self as relay_store, participant_inboxes},
    conversations::{self, LinePlace, NewLine},
    notifications::NotificationKind,
    Tx,
};
use preau_federation::{
    activities::{Activity, ActivityKind, Answered},
    actor::Source,
    conversations::{Conversation, ConversationParticipant, CONVERSATION_TYPE, POSITION_PROPERTY},
    objects::{Post, PostKind},
};
use serde_json::Value;

/// Whether changes to `conversation` travel between instances this way
/// (the host relaying to its participants' instances). The one place that
/// decides it: one-to-one conversations with other fediverse servers
/// will not be relayed.
pub fn relays_to_instances(_conversation: &ConversationRow) -> bool {
    true
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
    async fn host_inbox(&self, conversation: &ConversationRow) -> DomainResult<String> {
        Ok(inbox_of(&self.actor_by_id(conversation.creator_id).await?))
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
        let Some(instance) = self.instance_actor().await? else {
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
        let inbox = self.host_inbox(conversation).await?;
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

    // ----- The host receives -----

    /// A conversation by its ActivityPub id.
    pub async fn conversation_at(&self, ap_id: &str) -> DomainResult<Option<ConversationRow>> {
        Ok(self.store.conversation_by_ap_id(ap_id).await?)
    }

    /// On the host: a participant of another instance sent a message.
    pub async fn host_conversation_message(
        &self,
        conversation: &ConversationRow,
        message: ReceivedMessage,
        create: &Value,
        received: &str,
    ) -> DomainResult<Applied> {
        let joined = self
            .store
            .participant(conversation.id, message.author.id)
            .await?
            .is_some_and(|p| p.state == ParticipantState::Joined);
        if !joined {
            return Err(Refusal::NotConversationParticipant.into());
        }
        self.check_conversation_level(conversation.min_level.as_deref(), &message.author)
            .await?;
        if self.store.line_by_ap_id(&message.ap_id).await?.is_some() {
            return Ok(Applied::Duplicate);
        }
        let Some(mut tx) = self.begin_applying(received).await? else {
            return Ok(Applied::Duplicate);
        };
        let line = super::conversations::add_line(
            &mut tx,
            &NewLine {
                conversation: conversation.id,
                kind: "message",
                actor: message.author.id,
                ap_id: Some(&message.ap_id),
                source: &message.source,
                html: &message.html,
                place: LinePlace::Host,
            },
        )
        .await?;
        self.relay_conversation_change(&mut tx, conversation, create, Some(line), &[])
            .await?;
        crate::domain::store::commit(tx).await?;
        self.after_commit();
        Ok(Applied::Applied)
    }

    /// On the host: the invitee (of another instance) answered.
    pub async fn host_conversation_answer(
        &self,
        conversation: &ConversationRow,
        invitee: &ActorRow,
        accept: bool,
        answer: &Value,
        received: &str,
    ) -> DomainResult<Applied> {
        let invited = self
            .store
            .participant(conversation.id, invitee.id)
            .await?
            .is_some_and(|p| p.state == ParticipantState::Invited);
        if !invited {
            return Err(Refusal::NoConversationInvitation.into());
        }
        if accept {
            self.check_conversation_level(conversation.min_level.as_deref(), invitee)
                .await?;
        }
        let Some(mut tx) = self.begin_applying(received).await? else {
            return Ok(Applied::Duplicate);
        };
        let line = if accept {
            let last = conversations::last_line(&mut tx, conversation.id).await?;
            if !conversations::join_participant(&mut tx, conversation.id, invitee.id, last).await? {
                return Err(Refusal::NoConversationInvitation.into());
            }
            Some(
                super::conversations::add_line(
                    &mut tx,
                    &super::conversations::event_line(conversation.id, "joined", invitee.id),
                )
                .await?,
            )
        } else {
            let change = (ParticipantState::Invited, ParticipantState::Declined);
            if !conversations::end_participation(&mut tx, conversation.id, invitee.id, change, None)
                .await?
            {
                return Err(Refusal::NoConversationInvitation.into());
            }
            None
        };
        // The invitee's instance hears of it even when declining.
        let also_to = [inbox_of(invitee)];
        self.relay_conversation_change(&mut tx, conversation, answer, line, &also_to)
            .await?;
        crate::domain::store::commit(tx).await?;
        self.after_commit();
        Ok(Applied::Applied)
    }

    /// Who the `Invite` `invite_id` of a conversation invited.
    pub async fn conversation_invitee(
        &self,
        conversation: &ConversationRow,
        invite_id: &str,
    ) -> DomainResult<Option<ActorId>> {
        Ok(self
            .store
            .participant_by_invite(invite_id)
            .await?
            .filter(|p| p.conversation_id == conversation.id)
            .map(|p| p.actor_id))
    }

    /// Where `person` stands in a conversation, if anywhere.
    pub async fn conversation_participant_state(
        &self,
        conversation: &ConversationRow,
        person: ActorId,
    ) -> DomainResult<Option<ParticipantState>> {
        Ok(self
            .store
            .participant(conversation.id, person)
            .await?
            .map(|p| p.state))
    }

    /// A message line by its id (written here or relayed).
    pub async fn conversation_line_at(&self, ap_id: &str) -> DomainResult<Option<LineRow>> {
        Ok(self.store.line_by_ap_id(ap_id).await?)
    }

    /// On the host: a participant of another instance invites someone
    /// (their instance checked that it is their contact).
    pub async fn host_conversation_invite(
        &self,
        conversation: &ConversationRow,
        inviter: &ActorRow,
        invitee: &ActorRow,
        invite: &Value,
        received: &str,
    ) -> DomainResult<Applied> {
        let joined = self
            .conversation_participant_state(conversation, inviter.id)
            .await?
            == Some(ParticipantState::Joined);
        if !joined {
            return Err(Refusal::NotConversationParticipant.into());
        }
        if invitee.kind != crate::domain::store::actors::ActorKindRow::Person {
            return Err(Refusal::NotAPerson.into());
        }
        match self
            .conversation_participant_state(conversation, invitee.id)
            .await?
        {
            Some(ParticipantState::Joined) => return Err(Refusal::AlreadyParticipant.into()),
            Some(ParticipantState::Invited) => return Err(Refusal::AlreadyInvited.into()),
            _ => {}
        }
        self.check_conversation_level(conversation.min_level.as_deref(), inviter)
            .await?;
        self.check_conversation_level(conversation.min_level.as_deref(), invitee)
            .await?;
        if invitee.is_local() && !self.receives_messages(&invitee.name).await? {
            return Err(Refusal::InviteeWithoutMessaging.into());
        }
        let Some(mut tx) = self.begin_applying(received).await? else {
            return Ok(Applied::Duplicate);
        };
        conversations::invite_participant(
            &mut tx,
            conversation.id,
            invitee.id,
            Some(inviter.id),
            Some(received),
        )
        .await?;
        let also_to: Vec<String> = if invitee.is_local() {
            super::conversations::notify_conversation(
                &mut tx,
                NotificationKind::ConversationInvitation,
                inviter,
                vec![invitee.id],
                (conversation.id, &conversation.name),
            )
            .await?;
            Vec::new()
        } else {
            vec![inbox_of(invitee)]
        };
        self.relay_conversation_change(&mut tx, conversation, invite, None, &also_to)
            .await?;
        crate::domain::store::commit(tx).await?;
        self.after_commit();
        Ok(Applied::Applied)
    }

    /// On the host: a participant of another instance leaves.
    pub async fn host_conversation_leave(
        &self,
        conversation: &ConversationRow,
        person: &ActorRow,
        leave: &Value,
        received: &str,
    ) -> DomainResult<Applied> {
        let Some(mut tx) = self.begin_applying(received).await? else {
            return Ok(Applied::Duplicate);
        };
        let change = (ParticipantState::Joined, ParticipantState::Left);
        if !conversations::end_participation(&mut tx, conversation.id, person.id, change, None)
            .await?
        {
            return Err(Refusal::NotCurrentParticipant.into());
        }
        let line = super::conversations::add_line(
            &mut tx,
            &super::conversations::event_line(conversation.id, "left", person.id),
        )
        .await?;
        let also_to = [inbox_of(person)];
        self.relay_conversation_change(&mut tx, conversation, leave, Some(line), &also_to)
            .await?;
        crate::domain::store::commit(tx).await?;
        self.after_commit();
        Ok(Applied::Applied)
    }

    /// On the host: the author (of another instance) changed a message.
    pub async fn host_conversation_edit(
        &self,
        conversation: &ConversationRow,
        message: ReceivedMessage,
        update: &Value,
        received: &str,
    ) -> DomainResult<Applied> {
        let Some(line) = self.store.line_by_ap_id(&message.ap_id).await? else {
            return Ok(Applied::Ignored);
        };
        if line.conversation_id != conversation.id || line.actor_id != message.author.id {
            return Err(Refusal::NotContentAuthor.into());
        }
        if line.deleted_at.is_some() {
            return Ok(Applied::Ignored);
        }
        let Some(mut tx) = self.begin_applying(received).await? else {
            return Ok(Applied::Duplicate);
        };
        conversations::edit_line(&mut tx, line.id, &message.source, &message.html).await?;
        super::live::conversation_line_stored(&mut tx, line.id, conversation.id.0).await?;
        self.relay_conversation_change(&mut tx, conversation, update, None, &[])
            .await?;
        crate::domain::store::commit(tx).await?;
        self.after_commit();
        Ok(Applied::Applied)
    }

    /// On the host: the author (of another instance) deleted a message.
    pub async fn host_conversation_delete(
        &self,
        conversation: &ConversationRow,
        author: &ActorRow,
        object: &str,
        delete: &Value,
        received: &str,
    ) -> DomainResult<Applied> {
        let Some(line) = self.store.line_by_ap_id(object).await? else {
            return Ok(Applied::Ignored);
        };
        if line.conversation_id != conversation.id || line.actor_id != author.id {
            return Err(Refusal::NotContentAuthor.into());
        }
        if line.deleted_at.is_some() {
            return Ok(Applied::Ignored);
        }
        let Some(mut tx) = self.begin_applying(received).await? else {
            return Ok(Applied::Duplicate);
        };
        conversations::delete_line(&mut tx, line.id).await?;
        super::live::conversation_line_stored(&mut tx, line.id, conversation.id.0).await?;
        self.relay_conversation_change(&mut tx, conversation, delete, None, &[])
            .await?;
        crate::domain::store::commit(tx).await?;
        self.after_commit();
        Ok(Applied::Applied)
    }

    // ----- A participant's instance receives -----

    /// An invitation of local teacher `invitee` to a conversation hosted
    /// elsewhere, by `inviter`: refused (a `Reject` sent to the host)
    /// unless the inviter is the invitee's accepted contact and the
    /// invitee may use messages; otherwise the conversation is mirrored
    /// here and the invitee notified.
    pub async fn receive_conversation_invite(
        &self,
        invite_id: &str,
        inviter: &ActorRow,
        invitee: &ActorRow,
        document: &HostDocument,
        received: &str,
    ) -> DomainResult<Applied> {
        let welcome = self.contact_state(invitee.id, inviter.id).await? == "contact"
            && self.receives_messages(&invitee.name).await?;
        let Some(mut tx) = self.begin_applying(received).await? else {
            return Ok(Applied::Duplicate);
        };
        if !welcome {
            // Declined on the invitee's behalf, without asking them, and
            // without keeping a copy of the conversation.
            let conversation = match self.store.conversation_by_ap_id(&document.ap_id).await? {
                Some(conversation) => conversation,
                None => ConversationRow {
                    id: ConversationId(0),
                    ap_id: document.ap_id.clone(),
                    name: document.name.clone(),
                    creator_id: document.creator.id,
                    min_level: document.min_level.clone(),
                    created_at: tx.now_ms(),
                    updated_at: tx.now_ms(),
                },
            };
            let reject = self.conversation_answer(false, &conversation, invitee, invite_id)?;
            self.send_to_conversation_host(&mut tx, &conversation, invitee, &reject)
                .await?;
            crate::domain::store::commit(tx).await?;
            self.after_commit();
            return Ok(Applied::Applied);
        }
        let conversation = self.mirror_conversation_in(&mut tx, document).await?;
        let already = self
            .store
            .participant(conversation.id, invitee.id)
            .await?
            .is_some_and(|p| matches!(p.state, ParticipantState::Joined));
        if !already {
            conversations::invite_participant(
                &mut tx,
                conversation.id,
                invitee.id,
                Some(inviter.id),
                Some(invite_id),
            )
            .await?;
            super::conversations::notify_conversation(
                &mut tx,
                NotificationKind::ConversationInvitation,
                inviter,
                vec![invitee.id],
                (conversation.id, &conversation.name),
            )
            .await?;
        }
        crate::domain::store::commit(tx).await?;
        self.after_commit();
        Ok(Applied::Applied)
    }

    /// Stores (or brings up to date) the mirror of a conversation hosted
    /// elsewhere from its host's document: name and participants.
    async fn mirror_conversation_in(
        &self,
        tx: &mut Tx,
        document: &HostDocument,
    ) -> DomainResult<ConversationRow> {
        let conversation = match self.store.conversation_by_ap_id(&document.ap_id).await? {
            Some(conversation) => conversation,
            None => {
                let id = conversations::insert_conversation(
                    tx,
                    &document.ap_id,
                    &document.name,
                    document.creator.id,
                    document.min_level.as_deref(),
                )
                .await?;
                for kind in ["locked", "unlocked"] {
                    let mut line = super::conversations::event_line(id, kind, document.creator.id);
                    line.place = LinePlace::Relayed(0);
                    conversations::insert_line(tx, &line).await?;
                }
                ConversationRow {
                    id,
                    ap_id: document.ap_id.clone(),
                    name: document.name.clone(),
                    creator_id: document.creator.id,
                    min_level: document.min_level.clone(),
                    created_at: tx.now_ms(),
                    updated_at: tx.now_ms(),
                }
            }
        };
        let last = conversations::last_line(tx, conversation.id).await?;
        for participant in &document.participants {
            relay_store::mirror_participant(
                tx,
                conversation.id,
                participant.person.id,
                participant.state,
                participant.invited_by,
                last,
            )
            .await?;
        }
        Ok(conversation)
    }

    /// A mirror applies what the host relayed (`announce`, applied once),
    /// with the host's document read again when who is in changed.
    pub async fn mirror_receive_change(
        &self,
        conversation: &ConversationRow,
        announce: &str,
        change: RelayedChange,
        document: Option<&HostDocument>,
    ) -> DomainResult<Applied> {
        let Some(mut tx) = self.begin_applying(announce).await? else {
            return Ok(Applied::Duplicate);
        };
        if let Some(document) = document {
            self.mirror_conversation_in(&mut tx, document).await?;
        }
        let id = conversation.id;
        let event = |kind, actor: &ActorRow, position: Option<i64>| {
            let mut line = super::conversations::event_line(id, kind, actor.id);
            line.place = position.map_or(LinePlace::AfterLast, LinePlace::Relayed);
            line
        };
        match change {
            RelayedChange::Message(message, position) => {
                match self.store.line_by_ap_id(&message.ap_id).await? {
                    // Written here (or already relayed): placed where the
                    // host put it.
                    Some(line) => {
                        if let Some(position) = position {
                            relay_store::set_line_position(&mut tx, line.id, position).await?;
                        }
                    }
                    None => {
                        let line = NewLine {
                            conversation: id,
                            kind: "message",
                            actor: message.author.id,
                            ap_id: Some(&message.ap_id),
                            source: &message.source,
                            html: &message.html,
                            place: position.map_or(LinePlace::AfterLast, LinePlace::Relayed),
                        };
                        super::conversations::add_line(&mut tx, &line).await?;
                    }
                }
            }
            RelayedChange::Joined(person, position) => {
                let last = conversations::last_line(&mut tx, id).await?;
                let state = ParticipantState::Joined;
                relay_store::mirror_participant(&mut tx, id, person.id, state, None, last).await?;
                super::conversations::add_line(&mut tx, &event("joined", &person, position))
                    .await?;
            }
            RelayedChange::Left(person, position) => {
                let state = ParticipantState::Left;
                relay_store::mirror_participant(&mut tx, id, person.id, state, None, 0).await?;
                super::conversations::add_line(&mut tx, &event("left", &person, position)).await?;
            }
            RelayedChange::Removed {
                person,
                by,
                position,
            } => {
                relay_store::mark_removed(&mut tx, id, person.id, by.id).await?;
                if position.is_some() {
                    super::conversations::add_line(&mut tx, &event("removed", &person, position))
                        .await?;
                }
                if person.is_local() {
                    super::conversations::notify_conversation(
                        &mut tx,
                        NotificationKind::ConversationRemoved,
                        &by,
                        vec![person.id],
                        (id, &conversation.name),
                    )
                    .await?;
                }
            }
            RelayedChange::Declined(person) => {
                let state = ParticipantState::Declined;
                relay_store::mirror_participant(&mut tx, id, person.id, state, None, 0).await?;
            }
            RelayedChange::Invited => {}
            RelayedChange::Edited(message) => {
                if let Some(line) = self.store.line_by_ap_id(&message.ap_id).await? {
                    if line.actor_id == message.author.id && line.deleted_at.is_none() {
                        conversations::edit_line(&mut tx, line.id, &message.source, &message.html)
                            .await?;
                        super::live::conversation_line_stored(&mut tx, line.id, id.0).await?;
                    }
                }
            }
            RelayedChange::Deleted { ap_id, by } => {
                if let Some(line) = self.store.line_by_ap_id(&ap_id).await? {
                    if line.actor_id == by.id {
                        conversations::delete_line(&mut tx, line.id).await?;
                        super::live::conversation_line_stored(&mut tx, line.id, id.0).await?;
                    }
                }
            }
        }
        crate::domain::store::commit(tx).await?;
        self.after_commit();
        Ok(Applied::Applied)
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
    pub async fn conversation_message_for(&self, token: &str, reader: &str) -> DomainResult<Post> {
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
        let author = self.actor_by_id(line.actor_id).await?;
        message_note(&line, &author.ap_id, &conversation.ap_id)
    }

    /// Whether `ap_id` names a conversation: known here, or (an
    /// invitation from elsewhere) shaped like one.
    pub fn is_conversation_id(&self, ap_id: &str) -> bool {
        url::Url::parse(ap_id)
            .map(|u| u.path().starts_with("/conversations/"))
            .unwrap_or(false)
    }
}
