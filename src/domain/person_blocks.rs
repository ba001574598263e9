//! Blocking a person (issue 14: "blocking a person stops their requests
//! and messages"): a teacher blocks a person of this instance or another;
//! a contact between them ends on both sides (the federated removal of
//! `contact_categories`), a request of theirs is refused, and whatever
//! they send later is refused without the teacher seeing it.
//!
//! A block is private to the blocker and never federated: everything the
//! blocked person sends the teacher arrives at this instance, which refuses
//! it, so telling their instance would only tell them. [`Domain::blocks`]
//! is the one predicate other features (conversations, invitations) ask.

use super::{Domain, DomainResult, Refusal};
use crate::domain::store::{
    accounts::AccountRow,
    actors::{ActorId, ActorKindRow, ActorRow},
    contact_categories as categories,
    contacts::ContactView,
    forums::FollowState,
    person_blocks,
};

impl Domain {
    /// Whether `blocker` blocked `other`: then nothing `other` sends
    /// `blocker` (contact request, message, invitation to a conversation)
    /// reaches them.
    pub async fn blocks(&self, blocker: ActorId, other: ActorId) -> DomainResult<bool> {
        Ok(self.store.blocks(blocker, other).await?)
    }

    /// Whether either of two people blocked the other (no conversation
    /// between them).
    pub async fn blocked_between(&self, one: ActorId, other: ActorId) -> DomainResult<bool> {
        Ok(self.store.blocks(one, other).await? || self.store.blocks(other, one).await?)
    }

    /// The people `me` blocked, last blocked first.
    pub async fn blocked_people(&self, me: ActorId) -> DomainResult<Vec<ContactView>> {
        Ok(self.store.blocked_by(me).await?)
    }

    /// A local teacher blocks `other` (here or elsewhere): a contact or
    /// request between them ends on both sides (their instance is told
    /// as for a removal: `Undo` of the teacher's request, `Reject` of
    /// theirs, so a request of theirs shows refused there), and their
    /// requests from now on are refused. Returns the name of the
    /// teacher's category this left empty.
    pub async fn block_person(
        &self,
        account: &AccountRow,
        other: &ActorRow,
    ) -> DomainResult<Option<String>> {
        let me = self.actor_of(account).await?;
        if other.kind != ActorKindRow::Person {
            return Err(Refusal::NotAPerson.into());
        }
        if other.id == me.id {
            return Err(Refusal::BlockSelf.into());
        }
        if self.store.blocks(me.id, other.id).await? {
            return Err(Refusal::AlreadyBlocked.into());
        }
        let mine = self.store.follow(me.id, other.id).await?;
        let theirs = self.store.follow(other.id, me.id).await?;
        let mut tx = self.store.begin().await?;
        person_blocks::insert_block(&mut tx, me.id, other.id).await?;
        let emptied = self
            .end_contact(&mut tx, &me, other, mine.as_ref(), theirs.as_ref())
            .await?;
        if other.is_local() && theirs.is_some_and(|f| f.state == FollowState::Pending) {
            // Their request waiting here: refused on their side.
            categories::insert_refusal(&mut tx, other.id, me.id).await?;
        }
        crate::domain::store::commit(tx).await?;
        self.after_commit();
        Ok(emptied)
    }

    /// A local teacher lifts their block of `other`. Nothing of before
    /// comes back: they may ask each other again.
    pub async fn unblock_person(&self, account: &AccountRow, other: &ActorRow) -> DomainResult<()> {
        let mut tx = self.store.begin().await?;
        let lifted = person_blocks::delete_block(&mut tx, account.actor_id, other.id).await?;
        if !lifted {
            return Err(Refusal::NotBlocked.into());
        }
        crate::domain::store::commit(tx).await?;
        Ok(())
    }
}

/// Where a teacher stands with a person, as the person's profile shows it.
#[derive(Debug, Clone, Copy, Default, serde::Serialize)]
pub struct Relation {
    /// `none`, `requested`, `asked_me` or `contact` (see
    /// [`Domain::contact_state`]).
    pub contact: &'static str,
    /// Whether the teacher blocked them.
    pub blocked: bool,
    /// Their presence, for an accepted contact only.
    pub presence: Option<&'static str>,
}

impl Domain {
    /// Where `me` stands with `person`: contact state, block, and the
    /// presence a contact sees.
    pub async fn relation_with(&self, me: ActorId, person: &ActorRow) -> DomainResult<Relation> {
        Ok(Relation {
            contact: self.contact_state(me, person.id).await?,
            blocked: self.store.blocks(me, person.id).await?,
            presence: self
                .presence_for(me, person)
                .await?
                .map(|status| status.as_str()),
        })
    }
}

impl Domain {
    /// The people `me` has anything with (themselves, contacts, requests
    /// either way, refusals, blocks): lists of people (directory, project
    /// members) offer "add to contacts" for everyone else.
    pub async fn people_known_to(&self, me: ActorId) -> DomainResult<Vec<ActorId>> {
        let mut known = vec![me];
        known.extend(
            self.contact_book(me)
                .await?
                .entries
                .iter()
                .map(|e| e.person.id),
        );
        known.extend(
            self.store
                .contact_requests_to(me)
                .await?
                .iter()
                .map(|v| v.person.id),
        );
        known.extend(self.store.blocked_by(me).await?.iter().map(|v| v.person.id));
        known.sort_by_key(|id| id.0);
        known.dedup();
        Ok(known)
    }
}
