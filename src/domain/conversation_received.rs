//! What the instances of a conversation receive from each other: on the
//! host, what participants of other instances send (answers, messages,
//! edits, deletions, leaves, invitations), applied and relayed in one
//! transaction; on a participant's instance, an invitation of one of its
//! teachers (declined for them when the inviter is not their contact or
//! messages are closed to them) and the host's relays. Sending and
//! serving are in [`super::conversation_relay`].

use super::{
    conversation_relay::{HostDocument, MirroredParticipant, ReceivedMessage, RelayedChange},
    conversations::{change_line, LineChange},
    inbox::Applied,
    project_host::inbox_of,
    Domain, DomainResult, Refusal,
};
use crate::domain::store::{
    actors::{ActorId, ActorRow},
    conversation_relay as relay_store,
    conversations::{
        self, ConversationId, ConversationRow, LinePlace, LineRow, NewLine, ParticipantState,
    },
    notifications::NotificationKind,
    Tx,
};
use serde_json::Value;

impl Domain {
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
        let state = self
            .store
            .participant(conversation.id, message.author.id)
            .await?
            .map(|p| p.state);
        check_joined(state)?;
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
        self.forget_unattended_lines(&mut tx, conversation).await?;
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
        check_joined(
            self.conversation_participant_state(conversation, inviter.id)
                .await?,
        )?;
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
        self.forget_unattended_lines(&mut tx, conversation).await?;
        crate::domain::store::commit(tx).await?;
        self.after_commit();
        Ok(Applied::Applied)
    }

    /// On the host: the author (of another instance) changed or deleted
    /// their message `ap_id`, by `activity` (an `Update` or a `Delete`).
    pub async fn host_conversation_line_change(
        &self,
        conversation: &ConversationRow,
        author: &ActorRow,
        ap_id: &str,
        change: LineChange<'_>,
        activity: &Value,
        received: &str,
    ) -> DomainResult<Applied> {
        let Some(line) = self.store.line_by_ap_id(ap_id).await? else {
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
        change_line(&mut tx, line.id, conversation.id, change).await?;
        self.relay_conversation_change(&mut tx, conversation, activity, None, &[])
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
            let conversation =
                match relay_store::conversation_by_ap_id_in(&mut tx, &document.ap_id).await? {
                    Some(conversation) => conversation,
                    None => document.row(ConversationId(0), tx.now_ms()),
                };
            let reject = self.conversation_answer(false, &conversation, invitee, invite_id)?;
            self.send_to_conversation_host(&mut tx, &conversation, invitee, &reject)
                .await?;
            crate::domain::store::commit(tx).await?;
            self.after_commit();
            return Ok(Applied::Applied);
        }
        let conversation = self.mirror_conversation_in(&mut tx, document).await?;
        // Already in, or this very invitation received a second time
        // (sent directly, and announced by the host): nothing new.
        let already = conversations::participant_in(&mut tx, conversation.id, invitee.id)
            .await?
            .is_some_and(|p| match p.state {
                ParticipantState::Joined => true,
                ParticipantState::Invited => p.invite_ap_id.as_deref() == Some(invite_id),
                _ => false,
            });
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
        let known = relay_store::conversation_by_ap_id_in(tx, &document.ap_id).await?;
        let conversation = match known {
            Some(conversation) => conversation,
            None => {
                // Two invitations to one conversation received at once
                // both find no mirror; on PostgreSQL the second waits for
                // the first's commit and then takes its row.
                let stored = conversations::insert_mirrored_conversation(
                    tx,
                    &document.ap_id,
                    &document.name,
                    document.creator.id,
                    document.min_level.as_deref(),
                )
                .await?;
                match stored {
                    Some(id) => {
                        for kind in ["locked", "unlocked"] {
                            let mut line =
                                super::conversations::event_line(id, kind, document.creator.id);
                            line.place = LinePlace::Relayed(0);
                            conversations::insert_line(tx, &line).await?;
                        }
                        document.row(id, tx.now_ms())
                    }
                    None => relay_store::conversation_by_ap_id_in(tx, &document.ap_id)
                        .await?
                        .ok_or(Refusal::NotFound)?,
                }
            }
        };
        let last = conversations::last_line(tx, conversation.id).await?;
        // A teacher of here is invited by their own `Invite` only (its id
        // is what they answer, and it notifies them): a document listing
        // them as invited first, or still, while they have answered here,
        // is older news than what this instance holds.
        let told = |p: &&MirroredParticipant| {
            !(p.person.is_local() && p.state == ParticipantState::Invited)
        };
        for participant in document.participants.iter().filter(told) {
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
            // Nobody here to read it: not kept (see `forget_unattended_lines`).
            RelayedChange::Message(..)
                if conversations::present_participants(&mut tx, id, true).await? == 0 => {}
            RelayedChange::Message(message, position) => {
                match relay_store::line_by_ap_id_in(&mut tx, &message.ap_id).await? {
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
                if let Some(line) = relay_store::line_by_ap_id_in(&mut tx, &message.ap_id).await? {
                    if line.actor_id == message.author.id && line.deleted_at.is_none() {
                        let change = LineChange::Edit {
                            source: &message.source,
                            html: &message.html,
                        };
                        change_line(&mut tx, line.id, id, change).await?;
                    }
                }
            }
            RelayedChange::Deleted { ap_id, by } => {
                if let Some(line) = relay_store::line_by_ap_id_in(&mut tx, &ap_id).await? {
                    if line.actor_id == by.id {
                        change_line(&mut tx, line.id, id, LineChange::Delete).await?;
                    }
                }
            }
        }
        self.forget_unattended_lines(&mut tx, conversation).await?;
        crate::domain::store::commit(tx).await?;
        self.after_commit();
        Ok(Applied::Applied)
    }
}

/// On the host, what a participant of another instance sends needs them
/// joined. One still invited may have accepted already: their instance
/// sends the `Accept` and what follows at once, and they can arrive in
/// the other order, so that is "try again later" (503, retried by the
/// sender) rather than a refusal.
fn check_joined(state: Option<ParticipantState>) -> DomainResult<()> {
    match state {
        Some(ParticipantState::Joined) => Ok(()),
        Some(ParticipantState::Invited) => Err(Refusal::ParticipationPending.into()),
        _ => Err(Refusal::NotConversationParticipant.into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_participant_still_invited_is_asked_to_try_again_later() {
        assert!(check_joined(Some(ParticipantState::Joined)).is_ok());
        let status = |state| {
            check_joined(state)
                .err()
                .map(|error| (error.status(), error.code()))
        };
        assert_eq!(
            status(Some(ParticipantState::Invited)),
            Some((503, "participation_pending"))
        );
        for gone in [
            None,
            Some(ParticipantState::Left),
            Some(ParticipantState::Removed),
            Some(ParticipantState::Declined),
        ] {
            assert_eq!(status(gone), Some((403, "not_conversation_participant")));
        }
    }
}
