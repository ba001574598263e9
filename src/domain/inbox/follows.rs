//! Follows of local forums by remote actors, their `Undo`, and the
//! `Accept` of a local teacher's follow of a remote forum.

use super::Applied;
use crate::{
    domain::store::{
        actors::ActorRow,
        forums::{self, FollowState, ForumRow},
    },
    domain::{
        outbox::{forum as outgoing, new_activity_id, queue, to_json},
        Domain, DomainResult,
    },
};
use serde_json::Value;

impl Domain {
    /// A remote actor follows a local forum: public forums accept at once,
    /// and the `Accept` goes back to the follower.
    pub async fn receive_follow(
        &self,
        activity_id: &str,
        forum: &ForumRow,
        follower: &ActorRow,
        follow: &Value,
    ) -> DomainResult<Applied> {
        if !forum.actor.is_local() {
            return Ok(Applied::Ignored);
        }
        let Some(mut tx) = self.begin_applying(activity_id).await? else {
            return Ok(Applied::Duplicate);
        };
        forums::upsert_follow(
            &mut tx,
            follower.id,
            forum.actor.id,
            FollowState::Accepted,
            activity_id,
        )
        .await?;
        let accept_id = new_activity_id(&self.settings.base_url());
        let accept = to_json(&outgoing::accept(
            &accept_id,
            &forum.actor.ap_id,
            follow,
            &follower.ap_id,
        )?)?;
        queue(
            &mut tx,
            &accept_id,
            forum.actor.id,
            &accept,
            std::slice::from_ref(&follower.inbox),
        )
        .await?;
        crate::domain::store::commit(tx).await?;
        self.after_commit();
        Ok(Applied::Applied)
    }

    /// `Undo(Follow)`: the follower stops receiving the forum's posts.
    pub async fn receive_unfollow(
        &self,
        activity_id: &str,
        forum: &ForumRow,
        follower: &ActorRow,
    ) -> DomainResult<Applied> {
        let Some(mut tx) = self.begin_applying(activity_id).await? else {
            return Ok(Applied::Duplicate);
        };
        let removed = forums::delete_follow(&mut tx, follower.id, forum.actor.id).await?;
        crate::domain::store::commit(tx).await?;
        Ok(if removed {
            Applied::Applied
        } else {
            Applied::Ignored
        })
    }

    /// A remote forum accepted a local teacher's follow.
    pub async fn receive_accept(
        &self,
        activity_id: &str,
        forum: &ForumRow,
        follower: &ActorRow,
    ) -> DomainResult<Applied> {
        let Some(follow) = self.store.follow(follower.id, forum.actor.id).await? else {
            return Ok(Applied::Ignored);
        };
        let Some(mut tx) = self.begin_applying(activity_id).await? else {
            return Ok(Applied::Duplicate);
        };
        forums::upsert_follow(
            &mut tx,
            follower.id,
            forum.actor.id,
            FollowState::Accepted,
            &follow.activity_id,
        )
        .await?;
        crate::domain::store::commit(tx).await?;
        Ok(Applied::Applied)
    }
}
