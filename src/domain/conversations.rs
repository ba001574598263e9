//! Conversations between teachers (the chat of the ENT): started with a
//! contact and named at creation; each invited teacher accepts before
//! joining; any participant invites their own contacts; only the creator
//! removes someone; a participant sees the messages from their arrival on.
//!
//! Private: every read checks that the reader takes part (joined), and
//! nothing here gives an instance admin more than any other teacher.

use super::{notifications::notify, rendering, validate, Domain, DomainResult, Refusal};
use crate::domain::store::{
    accounts::AccountRow,
    actors::{ActorId, ActorKindRow, ActorRow},
    conversations::{
        self, ConversationId, ConversationListRow, ConversationRow, LinePlace, LineRow, NewLine,
        ParticipantRow, ParticipantState, ParticipantView,
    },
    notifications::{NewNotification, NotificationKind, Recipients},
    Tx,
};
use preau_federation::{activities::ActivityKind, TrustLevel};
use serde_json::Value;

/// Longest conversation name, in characters.
pub const MAX_NAME: usize = 100;
/// Longest message, in characters.
pub const MAX_MESSAGE: usize = 5_000;
/// Most people invited at once.
pub const MAX_INVITED: usize = 50;
/// Most lines a page shows (the latest).
pub const MAX_LINES: i64 = 500;

/// A conversation as one of its participants reads it.
#[derive(Debug, Clone)]
pub struct ConversationPage {
    /// The conversation.
    pub conversation: ConversationRow,
    /// The reader's participation.
    pub me: ParticipantRow,
    /// Whether the reader started it (and so may remove participants).
    pub is_creator: bool,
    /// Everyone invited or taking part, and those gone.
    pub participants: Vec<ParticipantView>,
    /// What the reader may see, in order (without the messages of
    /// people the reader blocked).
    pub lines: Vec<LineRow>,
    /// The presence of the participants who are the reader's accepted
    /// contacts (nobody else's is shown).
    pub presence: std::collections::HashMap<ActorId, super::presence::PresenceStatus>,
}

impl ConversationPage {
    /// The person of a line (a participant, current or gone).
    pub fn person(&self, actor: ActorId) -> Option<&ActorRow> {
        self.participants
            .iter()
            .find(|p| p.person.id == actor)
            .map(|p| &p.person)
    }

    /// The participants taking part now.
    pub fn joined(&self) -> impl Iterator<Item = &ParticipantView> {
        self.participants
            .iter()
            .filter(|p| p.row.state == ParticipantState::Joined)
    }

    /// The newest line shown (0 when none): the highest id, since lines
    /// are shown in the host's order, not always the order they arrived.
    pub fn last_line(&self) -> i64 {
        self.lines.iter().map(|l| l.id).max().unwrap_or(0)
    }
}

/// A conversation in a teacher's list.
#[derive(Debug, Clone)]
pub struct ConversationSummary {
    /// The conversation and the teacher's place in it.
    pub row: ConversationListRow,
    /// Who invited them (pending invitations).
    pub invited_by: Option<ActorRow>,
    /// Who removed them.
    pub removed_by: Option<ActorRow>,
}

/// What a teacher asks to start a conversation.
pub struct NewConversation<'a> {
    /// Its name.
    pub name: &'a str,
    /// The contacts invited.
    pub participants: &'a [ActorRow],
    /// The lowest trust level of participants, if any.
    pub min_level: Option<TrustLevel>,
}

impl Domain {
    /// A conversation, or `not_found`.
    async fn conversation_row(&self, id: ConversationId) -> DomainResult<ConversationRow> {
        self.store
            .conversation(id)
            .await?
            .ok_or_else(|| Refusal::NotFound.into())
    }

    /// The caller's participation, refused unless they take part: a
    /// conversation one never belonged to does not exist for them.
    async fn joined_participation(
        &self,
        conversation: ConversationId,
        me: ActorId,
    ) -> DomainResult<(ConversationRow, ParticipantRow)> {
        let row = self.store.participant(conversation, me).await?;
        match row {
            Some(row) if row.state == ParticipantState::Joined => {
                Ok((self.conversation_row(conversation).await?, row))
            }
            Some(row) if row.state == ParticipantState::Invited => {
                Err(Refusal::NotConversationParticipant.into())
            }
            _ => Err(Refusal::NotFound.into()),
        }
    }

    /// Refuses someone who cannot be invited by `inviter`: not a person,
    /// not their contact, without messages (a local teacher: a remote
    /// one's instance decides), or below the conversation's trust level.
    pub(super) async fn check_invitee(
        &self,
        inviter: &ActorRow,
        invitee: &ActorRow,
        min_level: Option<&str>,
    ) -> DomainResult<()> {
        if invitee.kind != ActorKindRow::Person {
            return Err(Refusal::NotAPerson.into());
        }
        if invitee.id == inviter.id {
            return Err(Refusal::AlreadyParticipant.into());
        }
        if self.contact_state(inviter.id, invitee.id).await? != "contact" {
            return Err(Refusal::InviteeNotAContact.into());
        }
        if invitee.is_local() && !self.receives_messages(&invitee.name).await? {
            return Err(Refusal::InviteeWithoutMessaging.into());
        }
        self.check_conversation_level(min_level, invitee).await
    }

    /// Refuses a person whose label is below the conversation's minimum.
    pub(super) async fn check_conversation_level(
        &self,
        min_level: Option<&str>,
        person: &ActorRow,
    ) -> DomainResult<()> {
        let Some(min) = min_level.and_then(|level| level.parse::<TrustLevel>().ok()) else {
            return Ok(());
        };
        if self.person_level(person).await? < min {
            return Err(Refusal::ConversationLevelTooLow.into());
        }
        Ok(())
    }

    /// A local teacher starts a conversation with some of their contacts,
    /// who are invited; it opens with its two lines (locked while being
    /// set up, then unlocked).
    pub async fn create_conversation(
        &self,
        account: &AccountRow,
        new: &NewConversation<'_>,
    ) -> DomainResult<ConversationId> {
        self.check_messaging(account)?;
        let me = self.actor_of(account).await?;
        let name = validate::name(new.name, MAX_NAME, "name")?;
        if name.is_empty() {
            return Err(Refusal::FieldRequired("name".into()).into());
        }
        if new.participants.is_empty() {
            return Err(Refusal::FieldRequired("participants".into()).into());
        }
        if new.participants.len() > MAX_INVITED {
            return Err(Refusal::TooManyItems("participants".into()).into());
        }
        let min_level = new.min_level.filter(|l| *l != TrustLevel::Informal);
        let min_level = min_level.map(|l| l.as_str());
        self.check_conversation_level(min_level, &me).await?;
        for invitee in new.participants {
            self.check_invitee(&me, invitee, min_level).await?;
        }
        let ap_id = format!(
            "{}/conversations/{}",
            self.settings.base_url(),
            crate::urls::random_token()
        );
        let mut tx = self.store.begin().await?;
        let id =
            conversations::insert_conversation(&mut tx, &ap_id, &name, me.id, min_level).await?;
        conversations::invite_participant(&mut tx, id, me.id, None, None).await?;
        // Invited just above in this transaction: joins.
        conversations::join_participant(&mut tx, id, me.id, 0).await?;
        for kind in ["locked", "unlocked"] {
            add_line(&mut tx, &event_line(id, kind, me.id)).await?;
        }
        let mut invited: Vec<ActorId> = Vec::new();
        let conversation = ConversationRow {
            id,
            ap_id: ap_id.clone(),
            name: name.clone(),
            creator_id: me.id,
            min_level: min_level.map(str::to_string),
            created_at: tx.now_ms(),
            updated_at: tx.now_ms(),
            kind: "group".into(),
        };
        for invitee in new.participants {
            if !invited.contains(&invitee.id) {
                self.invite_in(&mut tx, &conversation, &me, invitee).await?;
                invited.push(invitee.id);
            }
        }
        notify_conversation(
            &mut tx,
            NotificationKind::ConversationInvitation,
            &me,
            invited,
            (id, &name),
        )
        .await?;
        crate::domain::store::commit(tx).await?;
        self.after_commit();
        Ok(id)
    }

    /// On the host: records `invitee` invited by `inviter`, sends the
    /// `Invite` to a remote invitee's inbox and relays it to the
    /// participants' instances.
    async fn invite_in(
        &self,
        tx: &mut Tx,
        conversation: &ConversationRow,
        inviter: &ActorRow,
        invitee: &ActorRow,
    ) -> DomainResult<()> {
        let invite_id = self.conversation_activity_id();
        conversations::invite_participant(
            tx,
            conversation.id,
            invitee.id,
            Some(inviter.id),
            Some(&invite_id),
        )
        .await?;
        let invite = self.conversation_invite(&invite_id, conversation, inviter, invitee)?;
        let invite = crate::domain::outbox::to_json(&invite)?;
        if !invitee.is_local() && super::conversation_relay::relays_to_instances(conversation) {
            crate::domain::outbox::queue(
                tx,
                &invite_id,
                inviter.id,
                &invite,
                std::slice::from_ref(&invitee.inbox),
            )
            .await?;
        }
        self.relay_conversation_change(tx, conversation, &invite, None, &[])
            .await
    }

    /// A participant invites one of their contacts.
    pub async fn invite_to_conversation(
        &self,
        account: &AccountRow,
        id: ConversationId,
        invitee: &ActorRow,
    ) -> DomainResult<()> {
        self.check_messaging(account)?;
        let me = self.actor_of(account).await?;
        let (conversation, _) = self.joined_participation(id, me.id).await?;
        self.refuse_if_direct(id).await?;
        self.check_conversation_level(conversation.min_level.as_deref(), &me)
            .await?;
        match self.store.participant(id, invitee.id).await? {
            Some(row) if row.state == ParticipantState::Joined => {
                return Err(Refusal::AlreadyParticipant.into())
            }
            Some(row) if row.state == ParticipantState::Invited => {
                return Err(Refusal::AlreadyInvited.into())
            }
            _ => {}
        }
        self.check_invitee(&me, invitee, conversation.min_level.as_deref())
            .await?;
        let mut tx = self.store.begin().await?;
        if !self.hosts_conversation(&conversation) {
            // The host decides: it records the invitation and tells the
            // invitee.
            let invite_id = self.conversation_activity_id();
            let invite = self.conversation_invite(&invite_id, &conversation, &me, invitee)?;
            self.send_to_conversation_host(&mut tx, &conversation, &me, &invite)
                .await?;
            crate::domain::store::commit(tx).await?;
            self.after_commit();
            return Ok(());
        }
        self.invite_in(&mut tx, &conversation, &me, invitee).await?;
        notify_conversation(
            &mut tx,
            NotificationKind::ConversationInvitation,
            &me,
            vec![invitee.id],
            (id, &conversation.name),
        )
        .await?;
        crate::domain::store::commit(tx).await?;
        self.after_commit();
        Ok(())
    }

    /// An invited teacher accepts (joins, and sees what is said from now
    /// on) or declines.
    pub async fn answer_conversation(
        &self,
        account: &AccountRow,
        id: ConversationId,
        accept: bool,
    ) -> DomainResult<()> {
        self.check_messaging(account)?;
        let me = self.actor_of(account).await?;
        let participation = self
            .store
            .participant(id, me.id)
            .await?
            .filter(|row| row.state == ParticipantState::Invited)
            .ok_or(Refusal::NoConversationInvitation)?;
        // The answer names the invitation it answers: without its id
        // (never received), there is nothing to answer yet.
        let invite_id = participation
            .invite_ap_id
            .clone()
            .ok_or(Refusal::NoConversationInvitation)?;
        let conversation = self.conversation_row(id).await?;
        if accept {
            self.check_conversation_level(conversation.min_level.as_deref(), &me)
                .await?;
        }
        let hosted = self.hosts_conversation(&conversation);
        let mut tx = self.store.begin().await?;
        let mut line = None;
        if accept {
            let last = conversations::last_line(&mut tx, id).await?;
            if !conversations::join_participant(&mut tx, id, me.id, last).await? {
                return Err(Refusal::NoConversationInvitation.into());
            }
            // On a mirror, the line comes with the host's word.
            if hosted {
                line = Some(add_line(&mut tx, &event_line(id, "joined", me.id)).await?);
            }
        } else {
            let change = (ParticipantState::Invited, ParticipantState::Declined);
            if !conversations::end_participation(&mut tx, id, me.id, change, None).await? {
                return Err(Refusal::NoConversationInvitation.into());
            }
        }
        let answer = self.conversation_answer(accept, &conversation, &me, &invite_id)?;
        self.share_conversation_change(&mut tx, &conversation, &me, &answer, line, &[])
            .await?;
        self.forget_unattended_lines(&mut tx, &conversation).await?;
        crate::domain::store::commit(tx).await?;
        self.after_commit();
        Ok(())
    }

    /// A participant leaves.
    pub async fn leave_conversation(
        &self,
        account: &AccountRow,
        id: ConversationId,
    ) -> DomainResult<()> {
        self.check_messaging(account)?;
        let me = self.actor_of(account).await?;
        let (conversation, _) = self.joined_participation(id, me.id).await?;
        let hosted = self.hosts_conversation(&conversation);
        let mut tx = self.store.begin().await?;
        let change = (ParticipantState::Joined, ParticipantState::Left);
        if !conversations::end_participation(&mut tx, id, me.id, change, None).await? {
            return Err(Refusal::NotFound.into());
        }
        let line = if hosted {
            Some(add_line(&mut tx, &event_line(id, "left", me.id)).await?)
        } else {
            None
        };
        let object = Value::String(conversation.ap_id.clone());
        let leave = self.conversation_activity(ActivityKind::Leave, &conversation, &me, object)?;
        self.share_conversation_change(&mut tx, &conversation, &me, &leave, line, &[])
            .await?;
        self.forget_unattended_lines(&mut tx, &conversation).await?;
        crate::domain::store::commit(tx).await?;
        self.after_commit();
        Ok(())
    }

    /// The creator removes a participant (or withdraws an invitation).
    pub async fn remove_from_conversation(
        &self,
        account: &AccountRow,
        id: ConversationId,
        person: ActorId,
    ) -> DomainResult<()> {
        self.check_messaging(account)?;
        let me = self.actor_of(account).await?;
        let (conversation, _) = self.joined_participation(id, me.id).await?;
        self.refuse_if_direct(id).await?;
        if conversation.creator_id != me.id {
            return Err(Refusal::NotConversationCreator.into());
        }
        if person == me.id {
            return Err(Refusal::CannotRemoveSelf.into());
        }
        let state = match self
            .store
            .participant(id, person)
            .await?
            .map(|row| row.state)
        {
            Some(state @ (ParticipantState::Joined | ParticipantState::Invited)) => state,
            _ => return Err(Refusal::NotCurrentParticipant.into()),
        };
        let removed = self.actor_by_id(person).await?;
        let mut tx = self.store.begin().await?;
        let change = (state, ParticipantState::Removed);
        if !conversations::end_participation(&mut tx, id, person, change, Some(me.id)).await? {
            return Err(Refusal::NotCurrentParticipant.into());
        }
        let line = if state == ParticipantState::Joined {
            Some(add_line(&mut tx, &event_line(id, "removed", person)).await?)
        } else {
            None
        };
        let remove = self
            .conversation_activity(
                ActivityKind::Remove,
                &conversation,
                &me,
                Value::String(removed.ap_id.clone()),
            )?
            .target(&crate::domain::outbox::url(&conversation.ap_id)?)
            .origin(&crate::domain::outbox::url(&conversation.ap_id)?);
        // The removed teacher's instance hears of it too.
        let also_to: Vec<String> = if removed.is_local() {
            Vec::new()
        } else {
            vec![super::project_host::inbox_of(&removed)]
        };
        self.share_conversation_change(&mut tx, &conversation, &me, &remove, line, &also_to)
            .await?;
        // "[Prénom NOM] vous a retiré de la conversation [nom]".
        notify_conversation(
            &mut tx,
            NotificationKind::ConversationRemoved,
            &me,
            vec![person],
            (id, &conversation.name),
        )
        .await?;
        self.forget_unattended_lines(&mut tx, &conversation).await?;
        crate::domain::store::commit(tx).await?;
        self.after_commit();
        Ok(())
    }

    /// A participant writes a message (Markdown: emphasis, links; emoji
    /// are text), returning its line id.
    pub async fn post_conversation_message(
        &self,
        account: &AccountRow,
        id: ConversationId,
        body: &str,
    ) -> DomainResult<i64> {
        self.check_messaging(account)?;
        let me = self.actor_of(account).await?;
        let (conversation, _) = self.joined_participation(id, me.id).await?;
        self.check_conversation_level(conversation.min_level.as_deref(), &me)
            .await?;
        let source = message_source(body)?;
        let html = rendering::markdown(source.clone(), "body").await?;
        let ap_id = format!(
            "{}/conversation-messages/{}",
            self.settings.base_url(),
            crate::urls::random_token()
        );
        let mut tx = self.store.begin().await?;
        let line = add_line(
            &mut tx,
            &NewLine {
                conversation: id,
                kind: "message",
                actor: me.id,
                ap_id: Some(&ap_id),
                source: &source,
                html: &html,
                place: if self.hosts_conversation(&conversation) {
                    LinePlace::Host
                } else {
                    LinePlace::AfterLast
                },
            },
        )
        .await?;
        if let Some(row) = conversations::line_in(&mut tx, line).await? {
            let create = self.message_activity(ActivityKind::Create, &conversation, &me, &row)?;
            self.share_conversation_change(&mut tx, &conversation, &me, &create, Some(line), &[])
                .await?;
        }
        let change = super::direct_messages::DirectChange::Create(&html);
        self.send_direct_message(&mut tx, id, me.id, &ap_id, change)
            .await?;
        // One's own message is read, as it is written.
        conversations::mark_read_in(&mut tx, id, me.id, line).await?;
        crate::domain::store::commit(tx).await?;
        self.after_commit();
        Ok(line)
    }

    /// The author's message `line` of conversation `id`, for a change.
    async fn own_message(
        &self,
        me: ActorId,
        id: ConversationId,
        line: i64,
    ) -> DomainResult<(ConversationRow, LineRow)> {
        let (conversation, _) = self.joined_participation(id, me).await?;
        let row = self
            .store
            .line(line)
            .await?
            .filter(|row| row.conversation_id == id && row.kind == "message")
            .ok_or(Refusal::NotFound)?;
        if row.actor_id != me {
            return Err(Refusal::NotContentAuthor.into());
        }
        if row.deleted_at.is_some() {
            return Err(Refusal::PostDeleted.into());
        }
        Ok((conversation, row))
    }

    /// The author changes their message.
    pub async fn edit_conversation_message(
        &self,
        account: &AccountRow,
        id: ConversationId,
        line: i64,
        body: &str,
    ) -> DomainResult<()> {
        self.check_messaging(account)?;
        let (conversation, row) = self.own_message(account.actor_id, id, line).await?;
        let me = self.actor_of(account).await?;
        let source = message_source(body)?;
        let html = rendering::markdown(source.clone(), "body").await?;
        let mut tx = self.store.begin().await?;
        let change = LineChange::Edit {
            source: &source,
            html: &html,
        };
        change_line(&mut tx, row.id, id, change).await?;
        if let Some(row) = conversations::line_in(&mut tx, row.id).await? {
            let update = self.message_activity(ActivityKind::Update, &conversation, &me, &row)?;
            self.share_conversation_change(&mut tx, &conversation, &me, &update, None, &[])
                .await?;
        }
        let change = super::direct_messages::DirectChange::Update(&html);
        let ap_id = row.ap_id.as_deref().unwrap_or_default();
        self.send_direct_message(&mut tx, id, row.actor_id, ap_id, change)
            .await?;
        crate::domain::store::commit(tx).await?;
        self.after_commit();
        Ok(())
    }

    /// The author deletes their message.
    pub async fn delete_conversation_message(
        &self,
        account: &AccountRow,
        id: ConversationId,
        line: i64,
    ) -> DomainResult<()> {
        self.check_messaging(account)?;
        let (conversation, row) = self.own_message(account.actor_id, id, line).await?;
        let me = self.actor_of(account).await?;
        let mut tx = self.store.begin().await?;
        change_line(&mut tx, row.id, id, LineChange::Delete).await?;
        if let Some(row) = conversations::line_in(&mut tx, row.id).await? {
            let delete = self.message_activity(ActivityKind::Delete, &conversation, &me, &row)?;
            self.share_conversation_change(&mut tx, &conversation, &me, &delete, None, &[])
                .await?;
        }
        let change = super::direct_messages::DirectChange::Delete;
        let ap_id = row.ap_id.as_deref().unwrap_or_default();
        self.send_direct_message(&mut tx, id, row.actor_id, ap_id, change)
            .await?;
        crate::domain::store::commit(tx).await?;
        self.after_commit();
        Ok(())
    }

    /// What nobody here may read any more is not kept: once no teacher
    /// of here is in `conversation` (joined or invited), the copies of
    /// messages written elsewhere and the lines of who joined, left or was
    /// removed are deleted, in the transaction of the change. On the host
    /// of a conversation between instances that waits until nobody at all
    /// is in it, as the others' edits and deletions pass through it. A
    /// teacher invited again sees what is said from their new arrival on,
    /// as anyone arriving does.
    pub(super) async fn forget_unattended_lines(
        &self,
        tx: &mut Tx,
        conversation: &ConversationRow,
    ) -> DomainResult<()> {
        let local_only = !self.hosts_conversation(conversation) || conversation.is_direct();
        if conversations::present_participants(tx, conversation.id, local_only).await? == 0 {
            let gone = conversations::forget_copied_lines(tx, conversation.id).await?;
            tracing::debug!(
                conversation = conversation.id.0,
                gone,
                "unattended lines forgotten"
            );
        }
        Ok(())
    }

    /// A conversation as the caller, a participant, reads it.
    pub async fn conversation_page(
        &self,
        account: &AccountRow,
        id: ConversationId,
    ) -> DomainResult<ConversationPage> {
        self.read_conversation(account, id, None).await
    }

    /// The lines of conversation `id` stored after line `after` (a line
    /// id: ids grow as lines arrive here, whatever their place in the
    /// host's order), as the caller, a participant, may see them; the
    /// rest of the page as [`Domain::conversation_page`] has it, without
    /// the presence (a page showing new lines keeps its own). Lines
    /// arrived since a page was read, for its script: what they show is
    /// read (as [`Domain::mark_conversation_read`] up to the newest),
    /// without checking the participation a second time.
    pub async fn conversation_lines_after(
        &self,
        account: &AccountRow,
        id: ConversationId,
        after: i64,
    ) -> DomainResult<ConversationPage> {
        let page = self.read_conversation(account, id, Some(after)).await?;
        let shown = page.last_line();
        if shown > 0 {
            self.store
                .mark_conversation_read(id, account.actor_id, shown)
                .await?;
        }
        Ok(page)
    }

    /// The page, or with `after` only the lines after it.
    async fn read_conversation(
        &self,
        account: &AccountRow,
        id: ConversationId,
        after: Option<i64>,
    ) -> DomainResult<ConversationPage> {
        self.check_messaging(account)?;
        // The participants carry the caller's own row: refused as by
        // `joined_participation`, without reading it apart.
        let mut participants = self.store.participants(id).await?;
        let me = match participants
            .iter()
            .find(|participant| participant.row.actor_id == account.actor_id)
        {
            Some(mine) if mine.row.state == ParticipantState::Joined => mine.row.clone(),
            Some(mine) if mine.row.state == ParticipantState::Invited => {
                return Err(Refusal::NotConversationParticipant.into())
            }
            _ => return Err(Refusal::NotFound.into()),
        };
        let conversation = self.conversation_row(id).await?;
        order_participants(&mut participants, conversation.creator_id);
        let from = me.first_line.max(after.unwrap_or(0));
        let mut lines = self.store.lines(id, from, MAX_LINES).await?;
        if let Some(after) = after {
            // The events of opening come with every page, not again.
            lines.retain(|line| line.id > after);
        }
        // Blocking a person stops their messages: the blocker reads the
        // conversation without them (the arrivals and departures stay).
        // One query for all of them, however many they are.
        let blocked = self
            .store
            .blocked_in_conversation(account.actor_id, id)
            .await?;
        lines.retain(|line| line.kind != "message" || !blocked.contains(&line.actor_id));
        let presence = match after {
            Some(_) => Default::default(),
            None => {
                let people: Vec<ActorRow> = participants.iter().map(|p| p.person.clone()).collect();
                self.contact_presences(account.actor_id, &people).await?
            }
        };
        Ok(ConversationPage {
            is_creator: conversation.creator_id == account.actor_id,
            conversation,
            me,
            participants,
            lines,
            presence,
        })
    }

    /// The caller has read the conversation up to `line`.
    pub async fn mark_conversation_read(
        &self,
        account: &AccountRow,
        id: ConversationId,
        line: i64,
    ) -> DomainResult<()> {
        self.check_messaging(account)?;
        self.joined_participation(id, account.actor_id).await?;
        self.store
            .mark_conversation_read(id, account.actor_id, line)
            .await?;
        Ok(())
    }

    /// The caller's conversations and invitations, and those they were
    /// removed from (with who removed them).
    pub async fn my_conversations(
        &self,
        account: &AccountRow,
    ) -> DomainResult<Vec<ConversationSummary>> {
        self.check_messaging(account)?;
        let rows = self.store.conversations_of(account.actor_id).await?;
        let mut summaries = Vec::with_capacity(rows.len());
        for row in rows {
            let person = match row.my_state {
                ParticipantState::Invited => row.my_invited_by,
                ParticipantState::Removed => row.my_removed_by,
                _ => None,
            };
            let person = match person {
                Some(id) => self.store.actor_by_id(id).await?,
                None => None,
            };
            let (invited_by, removed_by) = match row.my_state {
                ParticipantState::Removed => (None, person),
                _ => (person, None),
            };
            summaries.push(ConversationSummary {
                row,
                invited_by,
                removed_by,
            });
        }
        Ok(summaries)
    }

    /// The name of a conversation the caller was ever invited to (for the
    /// confirmation of an answer or of leaving); `not_found` otherwise.
    pub async fn conversation_name(
        &self,
        account: &AccountRow,
        id: ConversationId,
    ) -> DomainResult<String> {
        self.check_messaging(account)?;
        if self
            .store
            .participant(id, account.actor_id)
            .await?
            .is_none()
        {
            return Err(Refusal::NotFound.into());
        }
        Ok(self.conversation_row(id).await?.name)
    }

    /// The caller's accepted contacts, each once (whom they may invite):
    /// of this instance when they may use messages; of other instances
    /// always (their instance decides, and declines for them).
    pub async fn my_contacts(&self, account: &AccountRow) -> DomainResult<Vec<ActorRow>> {
        self.check_messaging(account)?;
        let mut people: Vec<ActorRow> = Vec::new();
        for view in self.store.contacts_of(account.actor_id).await? {
            if !people.iter().any(|p| p.id == view.person.id)
                && (!view.person.is_local() || self.receives_messages(&view.person.name).await?)
            {
                people.push(view.person);
            }
        }
        Ok(people)
    }

    /// The caller's unread messages, all conversations together.
    pub async fn unread_messages(&self, account: &AccountRow) -> DomainResult<i64> {
        self.check_messaging(account)?;
        Ok(self.store.unread_messages(account.actor_id).await?)
    }
}

/// Adds a line and announces it to the streams that have the
/// conversation open.
pub(super) async fn add_line(tx: &mut Tx, line: &NewLine<'_>) -> DomainResult<i64> {
    let id = conversations::insert_line(tx, line).await?;
    super::live::conversation_line_stored(tx, id, line.conversation.0).await?;
    Ok(id)
}

/// What becomes of a message line: new text, or deleted (its place stays).
#[derive(Debug, Clone, Copy)]
pub enum LineChange<'a> {
    /// The author's new text: Markdown (or plain text) and HTML.
    Edit {
        /// Its source.
        source: &'a str,
        /// Its HTML.
        html: &'a str,
    },
    /// The author deleted it.
    Delete,
}

/// Edits or deletes message `line` of `conversation` and announces it to
/// the streams that have the conversation open.
pub(super) async fn change_line(
    tx: &mut Tx,
    line: i64,
    conversation: ConversationId,
    change: LineChange<'_>,
) -> DomainResult<()> {
    match change {
        LineChange::Edit { source, html } => {
            conversations::edit_line(tx, line, source, html).await?;
        }
        LineChange::Delete => conversations::delete_line(tx, line).await?,
    }
    super::live::conversation_line_changed(tx, line, conversation.0).await?;
    Ok(())
}

/// Tells `to` (their local accounts) of an invitation or a removal by
/// `from`, in the transaction of the change; the notification opens
/// "Messages", where the invitation is answered or the removal shown.
pub(super) async fn notify_conversation(
    tx: &mut Tx,
    kind: NotificationKind,
    from: &ActorRow,
    to: Vec<ActorId>,
    (id, name): (ConversationId, &str),
) -> DomainResult<()> {
    let mut note = NewNotification::new(kind, format!("conversation:{}:{}", id.0, tx.now_ms()));
    note.actor = Some(from.id);
    note.title = name.to_string();
    note.link = "/conversations".into();
    notify(tx, Recipients::Actors(to), note).await?;
    Ok(())
}

/// An event line about `actor`.
pub(super) fn event_line(conversation: ConversationId, kind: &str, actor: ActorId) -> NewLine<'_> {
    NewLine {
        conversation,
        kind,
        actor,
        ap_id: None,
        source: "",
        html: "",
        place: LinePlace::Host,
    }
}

/// A message's text, trimmed, not empty, not too long.
fn message_source(body: &str) -> DomainResult<String> {
    let source = validate::text(body, MAX_MESSAGE, "body")?;
    if source.is_empty() {
        return Err(Refusal::FieldRequired("body".into()).into());
    }
    Ok(source)
}

/// The order participants are shown in, the same on every instance: the
/// creator, then those who joined, then those invited, each by name (case
/// and accents aside).
fn order_participants(participants: &mut [ParticipantView], creator: ActorId) {
    participants.sort_by_cached_key(|p| {
        let person = &p.person;
        let shown = if person.display_name.trim().is_empty() {
            &person.name
        } else {
            &person.display_name
        };
        (
            person.id != creator,
            p.row.state != ParticipantState::Joined,
            crate::domain::store::directory::fold(shown),
            person.name.clone(),
            person.domain.clone(),
        )
    });
}
