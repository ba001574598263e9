//! Bans of local teachers by remote forums (Lemmy's `Block` with the
//! forum as `target`, and its `Undo`): recorded when the forum or its
//! server says so, shown to the teacher with the reason and end date, and
//! enforced here so a banned teacher's post is refused at once instead of
//! looking published while the forum refuses it.

use super::{inbox::Relay, Domain, DomainResult, Refusal};
use crate::domain::inbox::Applied;
use crate::domain::store::{
    accounts::AccountRow,
    actors::{ActorKindRow, ActorRow},
    forum_bans::{self, ForumBan},
    forums::ForumRow,
};

impl Domain {
    /// Whether `signer` may speak for `forum` about its bans: the forum
    /// itself, an actor of its server, or anyone it relays.
    fn speaks_for_forum(forum: &ForumRow, signer: &ActorRow, relay: Relay) -> bool {
        relay == Relay::Forum(forum.actor.id)
            || signer.id == forum.actor.id
            || signer.domain.eq_ignore_ascii_case(&forum.actor.domain)
    }

    /// Whether a ban (or its undo) concerns this instance: a remote forum
    /// (local teachers see their ban; other people's bans are enforced
    /// when this instance relays the forum); refused when `signer` may not
    /// speak for it.
    fn ban_concerns_us(forum: &ForumRow, signer: &ActorRow, relay: Relay) -> DomainResult<bool> {
        if forum.actor.is_local() {
            return Ok(false);
        }
        if !Self::speaks_for_forum(forum, signer, relay) {
            return Err(Refusal::NotModerator.into());
        }
        Ok(true)
    }

    /// A remote forum bans a local teacher, with the moderators' reason and
    /// an optional end (unix ms).
    #[allow(clippy::too_many_arguments)]
    pub async fn receive_ban(
        &self,
        activity_id: &str,
        signer: &ActorRow,
        forum: &ForumRow,
        banned: &ActorRow,
        reason: &str,
        expires_at: Option<i64>,
        relay: Relay,
    ) -> DomainResult<Applied> {
        if !Self::ban_concerns_us(forum, signer, relay)? {
            return Ok(Applied::Ignored);
        }
        let reason: String = reason
            .chars()
            .filter(|c| !c.is_control())
            .take(500)
            .collect();
        let ban = ForumBan {
            forum_id: forum.actor.id,
            actor_id: banned.id,
            reason,
            expires_at,
            created_at: self.clock().now_ms(),
        };
        let Some(mut tx) = self.begin_applying(activity_id).await? else {
            return Ok(Applied::Duplicate);
        };
        forum_bans::upsert_ban(&mut tx, &ban, activity_id).await?;
        crate::domain::store::commit(tx).await?;
        Ok(Applied::Applied)
    }

    /// A remote forum lifts its ban of a local teacher (`Undo(Block)`).
    pub async fn receive_unban(
        &self,
        activity_id: &str,
        signer: &ActorRow,
        forum: &ForumRow,
        banned: &ActorRow,
        relay: Relay,
    ) -> DomainResult<Applied> {
        if !Self::ban_concerns_us(forum, signer, relay)? {
            return Ok(Applied::Ignored);
        }
        let Some(mut tx) = self.begin_applying(activity_id).await? else {
            return Ok(Applied::Duplicate);
        };
        forum_bans::delete_ban(&mut tx, forum.actor.id, banned.id).await?;
        crate::domain::store::commit(tx).await?;
        Ok(Applied::Applied)
    }

    /// The remote forum (`target`) and the person (`object`) a ban names;
    /// `None` when either is not one this instance knows (a user block, a
    /// ban elsewhere).
    pub async fn ban_parties(
        &self,
        target: &str,
        object: &str,
    ) -> DomainResult<Option<(ForumRow, ActorRow)>> {
        let Some(forum) = self.store.forum_by_ap_id(target).await? else {
            return Ok(None);
        };
        let banned = self.store.actor_by_ap_id(object).await?;
        Ok(banned
            .filter(|actor| actor.kind == ActorKindRow::Person)
            .map(|actor| (forum, actor)))
    }

    /// The ban in force of `account` by `forum` (local or remote), to show
    /// on its pages.
    pub async fn ban_of(
        &self,
        forum: &ForumRow,
        account: &AccountRow,
    ) -> DomainResult<Option<ForumBan>> {
        Ok(self
            .store
            .active_ban(forum.actor.id, account.actor_id, self.clock().now_ms())
            .await?)
    }

    /// Refuses a post or a vote by a teacher banned from the forum, local
    /// or remote (403 `banned_from_forum`).
    pub(crate) async fn check_not_banned(
        &self,
        forum: &ForumRow,
        account: &AccountRow,
    ) -> DomainResult<()> {
        let now = self.clock().now_ms();
        if self
            .store
            .is_banned(forum.actor.id, account.actor_id, "", now)
            .await?
        {
            return Err(Refusal::BannedFromForum.into());
        }
        Ok(())
    }
}
