//! Contact requests between teachers, on this instance or across
//! instances: a request is a `Follow` of a person, answered `Accept` (they
//! are contacts) or `Reject`. Requests wait in "Mes demandes"; a follow
//! from any fediverse server (Mastodon's included) waits there too.

use super::notify_events::notify_contact;
use super::{
    inbox::Applied,
    outbox::{self, forum as outgoing, new_activity_id, queue, to_json, Answered},
    Domain, DomainResult, Refusal,
};
use crate::domain::contact_categories::forget_contact;
use crate::domain::store::contact_categories::{self as categories, ContactCategoryId};
use crate::domain::store::notifications::NotificationKind;
use crate::domain::store::{
    accounts::AccountRow,
    actors::{ActorKindRow, ActorRow},
    forums::{self, FollowRow, FollowState},
    Tx,
};
use preau_federation::activities::ActivityKind;

/// The kind of a contact request's answer.
fn answer_kind(accept: bool) -> NotificationKind {
    if accept {
        NotificationKind::ContactAccepted
    } else {
        NotificationKind::ContactRefused
    }
}
use serde_json::Value;

impl Domain {
    /// A local teacher asks `target` (here or elsewhere) to be a contact.
    pub async fn request_contact(
        &self,
        account: &AccountRow,
        target: &ActorRow,
    ) -> DomainResult<()> {
        self.request_contact_in(account, target, None).await
    }

    /// A local teacher asks `target` to be a contact, put at once in their
    /// category `category` (`None`: "Autres contacts"). Asking again after
    /// a refusal forgets the refusal.
    pub async fn request_contact_in(
        &self,
        account: &AccountRow,
        target: &ActorRow,
        category: Option<ContactCategoryId>,
    ) -> DomainResult<()> {
        let me = self.actor_of(account).await?;
        if let Some(id) = category {
            self.contact_category(account, id).await?;
        }
        if target.kind != ActorKindRow::Person {
            return Err(Refusal::NotAPerson.into());
        }
        if target.id == me.id {
            return Err(Refusal::ContactSelf.into());
        }
        if self.store.blocks(me.id, target.id).await? {
            return Err(Refusal::PersonBlocked.into());
        }
        if target.is_local() && self.store.blocks(target.id, me.id).await? {
            // Refused at once, never shown to the teacher who blocked:
            // "Invitation refusée" on the asker's side, as a remote
            // instance's `Reject` would show it.
            let mut tx = self.store.begin().await?;
            categories::insert_refusal(&mut tx, me.id, target.id).await?;
            categories::place_contact(&mut tx, me.id, target.id, category).await?;
            crate::domain::store::commit(tx).await?;
            return Ok(());
        }
        for (from, to) in [(&me, target), (target, &me)] {
            if let Some(follow) = self.store.follow(from.id, to.id).await? {
                return Err(if follow.state == FollowState::Accepted {
                    Refusal::AlreadyContact
                } else {
                    Refusal::ContactAlreadyRequested
                }
                .into());
            }
        }
        let id = new_activity_id(&self.settings.base_url());
        let follow = to_json(&outgoing::follow(&id, &me.ap_id, &target.ap_id)?)?;
        let mut tx = self.store.begin().await?;
        forums::upsert_follow(&mut tx, me.id, target.id, FollowState::Pending, &id).await?;
        categories::delete_refusal(&mut tx, me.id, target.id).await?;
        categories::place_contact(&mut tx, me.id, target.id, category).await?;
        notify_contact(
            &mut tx,
            NotificationKind::ContactRequest,
            &me,
            target.id,
            &id,
        )
        .await?;
        if !target.is_local() {
            queue(
                &mut tx,
                &id,
                me.id,
                &follow,
                std::slice::from_ref(&target.inbox),
            )
            .await?;
        }
        crate::domain::store::commit(tx).await?;
        self.after_commit();
        Ok(())
    }

    /// A local teacher answers a contact request from `requester`.
    pub async fn answer_contact(
        &self,
        account: &AccountRow,
        requester: &ActorRow,
        accept: bool,
    ) -> DomainResult<()> {
        let me = self.actor_of(account).await?;
        let follow = self
            .store
            .follow(requester.id, me.id)
            .await?
            .filter(|f| f.state == FollowState::Pending)
            .ok_or(Refusal::NoContactRequest)?;
        let mut tx = self.store.begin().await?;
        if accept {
            forums::upsert_follow(
                &mut tx,
                requester.id,
                me.id,
                FollowState::Accepted,
                &follow.activity_id,
            )
            .await?;
        } else {
            forums::delete_follow(&mut tx, requester.id, me.id).await?;
            if requester.is_local() {
                // Kept on the asker's side as "Invitation refusée".
                categories::insert_refusal(&mut tx, requester.id, me.id).await?;
            }
        }
        notify_contact(
            &mut tx,
            answer_kind(accept),
            &me,
            requester.id,
            &format!("answer:{}", follow.activity_id),
        )
        .await?;
        if !requester.is_local() {
            let base = self.settings.base_url();
            queue_follow_answer(&mut tx, &base, accept, &follow.activity_id, requester, &me)
                .await?;
        }
        crate::domain::store::commit(tx).await?;
        self.after_commit();
        Ok(())
    }

    /// Where `me` stands with `other`: `none`, `requested` (asked them),
    /// `asked_me` (they asked), or `contact`.
    pub async fn contact_state(
        &self,
        me: crate::domain::store::actors::ActorId,
        other: crate::domain::store::actors::ActorId,
    ) -> DomainResult<&'static str> {
        let mine = self.store.follow(me, other).await?;
        let theirs = self.store.follow(other, me).await?;
        let accepted =
            |f: &Option<FollowRow>| f.as_ref().is_some_and(|f| f.state == FollowState::Accepted);
        Ok(if accepted(&mine) || accepted(&theirs) {
            "contact"
        } else if mine.is_some() {
            "requested"
        } else if theirs.is_some() {
            "asked_me"
        } else {
            "none"
        })
    }

    /// A teacher of another server asks a local teacher to be a contact.
    pub(crate) async fn receive_contact_request(
        &self,
        activity_id: &str,
        follower: &ActorRow,
        target: &ActorRow,
    ) -> DomainResult<Applied> {
        if follower.kind != ActorKindRow::Person {
            return Ok(Applied::Ignored);
        }
        if self.store.blocks(target.id, follower.id).await? {
            // From a person the teacher blocked: answered `Reject` at
            // once, nothing stored or shown to the teacher.
            return self
                .answer_at_once(false, activity_id, follower, target)
                .await;
        }
        if let Some(existing) = self.store.follow(follower.id, target.id).await? {
            if existing.state == FollowState::Accepted {
                // Already contacts (their server lost track): the request
                // is accepted again.
                return self
                    .answer_at_once(true, activity_id, follower, target)
                    .await;
            }
        }
        let Some(mut tx) = self.begin_applying(activity_id).await? else {
            return Ok(Applied::Duplicate);
        };
        forums::upsert_follow(
            &mut tx,
            follower.id,
            target.id,
            FollowState::Pending,
            activity_id,
        )
        .await?;
        notify_contact(
            &mut tx,
            NotificationKind::ContactRequest,
            follower,
            target.id,
            activity_id,
        )
        .await?;
        crate::domain::store::commit(tx).await?;
        Ok(Applied::Applied)
    }

    /// Answers `follower`'s request `activity_id` for `target` at once,
    /// without asking the teacher: `Accept` (the contact stands) or
    /// `Reject` (nothing stored).
    async fn answer_at_once(
        &self,
        accept: bool,
        activity_id: &str,
        follower: &ActorRow,
        target: &ActorRow,
    ) -> DomainResult<Applied> {
        let Some(mut tx) = self.begin_applying(activity_id).await? else {
            return Ok(Applied::Duplicate);
        };
        if accept {
            forums::upsert_follow(
                &mut tx,
                follower.id,
                target.id,
                FollowState::Accepted,
                activity_id,
            )
            .await?;
        }
        let base = self.settings.base_url();
        queue_follow_answer(&mut tx, &base, accept, activity_id, follower, target).await?;
        crate::domain::store::commit(tx).await?;
        self.after_commit();
        Ok(Applied::Applied)
    }

    /// The teacher a local teacher asked answered (`Accept` or `Reject`).
    pub(crate) async fn receive_contact_answer(
        &self,
        activity_id: &str,
        follow: &FollowRow,
        accept: bool,
    ) -> DomainResult<Applied> {
        let answerer = self.store.actor_by_id(follow.followed_id).await?;
        let Some(mut tx) = self.begin_applying(activity_id).await? else {
            return Ok(Applied::Duplicate);
        };
        if accept {
            forums::upsert_follow(
                &mut tx,
                follow.follower_id,
                follow.followed_id,
                FollowState::Accepted,
                &follow.activity_id,
            )
            .await?;
        } else {
            forums::delete_follow(&mut tx, follow.follower_id, follow.followed_id).await?;
            // Kept on the asker's side as "Invitation refusée".
            categories::insert_refusal(&mut tx, follow.follower_id, follow.followed_id).await?;
        }
        if let Some(answerer) = &answerer {
            notify_contact(
                &mut tx,
                answer_kind(accept),
                answerer,
                follow.follower_id,
                &format!("answer:{}", follow.activity_id),
            )
            .await?;
        }
        crate::domain::store::commit(tx).await?;
        Ok(Applied::Applied)
    }

    /// A teacher of another server withdrew a request or ended a contact
    /// (`Undo` of their `Follow`).
    pub(crate) async fn receive_contact_undo(
        &self,
        activity_id: &str,
        follower: &ActorRow,
        target: &ActorRow,
    ) -> DomainResult<Applied> {
        let Some(mut tx) = self.begin_applying(activity_id).await? else {
            return Ok(Applied::Duplicate);
        };
        // Withdrawn or ended: nothing left between them on the teacher's
        // side either (the placement goes, an emptied category too).
        forget_contact(&mut tx, target.id, follower.id).await?;
        crate::domain::store::commit(tx).await?;
        Ok(Applied::Applied)
    }

    /// The person a local teacher asked ended their contact (`Reject` of
    /// the accepted request, as Mastodon removes a follower): gone on the
    /// teacher's side too, not shown as refused.
    pub(crate) async fn receive_contact_removal(
        &self,
        activity_id: &str,
        follow: &FollowRow,
    ) -> DomainResult<Applied> {
        let Some(mut tx) = self.begin_applying(activity_id).await? else {
            return Ok(Applied::Duplicate);
        };
        forget_contact(&mut tx, follow.follower_id, follow.followed_id).await?;
        crate::domain::store::commit(tx).await?;
        Ok(Applied::Applied)
    }
}

/// The `Follow` a contact activity names: its id, embedded or alone.
pub fn follow_id_of(object: &Value) -> Option<String> {
    match object {
        Value::String(id) => Some(id.clone()),
        Value::Object(map) => map.get("id").and_then(Value::as_str).map(str::to_string),
        _ => None,
    }
}

/// Queues `answerer`'s `Accept` (or `Reject`) of the `Follow`
/// `follow_id` that `requester` sent, to the requester's inbox, in the
/// change's transaction.
pub(crate) async fn queue_follow_answer(
    tx: &mut Tx,
    base: &str,
    accept: bool,
    follow_id: &str,
    requester: &ActorRow,
    answerer: &ActorRow,
) -> DomainResult<()> {
    let id = new_activity_id(base);
    let answered = Answered {
        id: follow_id.to_string(),
        kind: ActivityKind::Follow,
        actor: Some(requester.ap_id.clone()),
        object: answerer.ap_id.clone(),
        target: None,
    };
    let answer = outbox::answer(accept, &id, &answerer.ap_id, &answered, &requester.ap_id)?;
    queue(
        tx,
        &id,
        answerer.id,
        &to_json(&answer)?,
        std::slice::from_ref(&requester.inbox),
    )
    .await
}
