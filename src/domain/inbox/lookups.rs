//! What the inbox routes by: the local teacher, forum, project or
//! membership an activity is about. Reads only; the inbox decides from
//! these which handler an activity goes to, the handlers' domain calls
//! decide what may happen.

use crate::{
    domain::store::{
        actors::{ActorKindRow, ActorRow},
        forums::{FollowRow, ForumRow},
        projects::{MemberRow, ProjectRow},
    },
    domain::{Domain, DomainResult},
};

/// A contact request sent from here, answered by the person it asked.
pub type ContactAnswer = FollowRow;

impl Domain {
    /// Any known actor by its ActivityPub id.
    pub async fn actor_at(&self, ap_id: &str) -> DomainResult<Option<ActorRow>> {
        Ok(self.store.actor_by_ap_id(ap_id).await?)
    }

    /// A local actor (teacher, forum, project) by its ActivityPub id.
    pub async fn local_actor_at(&self, ap_id: &str) -> DomainResult<Option<ActorRow>> {
        Ok(self.actor_at(ap_id).await?.filter(ActorRow::is_local))
    }

    /// A local teacher by their ActivityPub id.
    pub async fn local_person_at(&self, ap_id: &str) -> DomainResult<Option<ActorRow>> {
        Ok(self
            .local_actor_at(ap_id)
            .await?
            .filter(|actor| actor.kind == ActorKindRow::Person))
    }

    /// A known forum, local or remote, by its ActivityPub id.
    pub async fn forum_at(&self, ap_id: &str) -> DomainResult<Option<ForumRow>> {
        Ok(self.store.forum_by_ap_id(ap_id).await?)
    }

    /// A remote forum someone here follows: only those are listened to
    /// when they relay (`Announce`).
    pub async fn listened_forum_at(&self, ap_id: &str) -> DomainResult<Option<ForumRow>> {
        let Some(forum) = self.forum_at(ap_id).await? else {
            return Ok(None);
        };
        if forum.actor.is_local() || !self.store.has_local_follower(forum.actor.id).await? {
            return Ok(None);
        }
        Ok(Some(forum))
    }

    /// Who sent the `Follow` whose id is `follow_id`, if this instance
    /// knows it.
    pub async fn follower_of(&self, follow_id: &str) -> DomainResult<Option<ActorRow>> {
        let Some(follow) = self.store.follow_by_activity(follow_id).await? else {
            return Ok(None);
        };
        Ok(self.store.actor_by_id(follow.follower_id).await?)
    }

    /// The contact request `follow_id` of a local teacher, when `signer`
    /// is the person it asked (only they answer it).
    pub async fn contact_request_to(
        &self,
        follow_id: &str,
        signer: &ActorRow,
    ) -> DomainResult<Option<ContactAnswer>> {
        let follow = match self.store.follow_by_activity(follow_id).await? {
            Some(follow) if follow.followed_id == signer.id => follow,
            _ => return Ok(None),
        };
        match self.store.actor_by_id(follow.follower_id).await? {
            Some(follower) if follower.is_local() => Ok(Some(follow)),
            _ => Ok(None),
        }
    }

    /// A known project, hosted here or mirrored, by its ActivityPub id.
    pub async fn project_at(&self, ap_id: &str) -> DomainResult<Option<ProjectRow>> {
        Ok(self.store.project_by_ap_id(ap_id).await?)
    }

    /// The invitation or join request an `Accept`/`Reject` answers (by the
    /// id of the `Invite` or `Join`), with its project.
    pub async fn answered_membership(
        &self,
        activity_id: &str,
    ) -> DomainResult<Option<(MemberRow, ProjectRow)>> {
        let Some(row) = self.store.member_by_activity(activity_id).await? else {
            return Ok(None);
        };
        Ok(self
            .store
            .project(row.project_id)
            .await?
            .map(|project| (row, project)))
    }

    /// Whether the host of the remote `project` counts this instance in
    /// (a member or an invitation here): then its mirror is read again.
    pub async fn mirror_involves_us(&self, project: &ProjectRow) -> bool {
        self.store
            .host_is_involved(project.actor.id, "")
            .await
            .unwrap_or(false)
    }

    /// Notes an instance below the minimum level whose signed knock
    /// verified; `true` when it was not known yet (then its evidence is
    /// checked).
    pub async fn note_knocking_instance(&self, host: &str, origin: &str) -> DomainResult<bool> {
        Ok(self.store.note_instance(host, origin).await?)
    }
}
