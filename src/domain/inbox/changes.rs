//! Changes to posts known here: an author's edit, deletion and its undo,
//! "helpful" marks, and moderators' locks and pins; each applied with its
//! apply-once record and, in a local forum, relayed to the followers.

use super::{title_from, without_nul, Applied, Relay};
use crate::domain::notify_events::about_own_post;
use crate::domain::store::notifications::{insert_notification, NotificationKind::PostRemoved};
use crate::domain::Refusal;
use crate::{
    domain::store::{
        actors::ActorRow,
        forums::ForumRow,
        posts::{self, PostKind, PostRow},
    },
    domain::{provenance::Provenance, rendering, Domain, DomainError, DomainResult},
};
use preau_federation::objects::Post;
use serde_json::Value;

impl Domain {
    /// The post `ap_id` and its forum; a relaying forum may only speak
    /// for its own posts.
    async fn post_and_forum(
        &self,
        ap_id: &str,
        relay: Relay,
    ) -> DomainResult<Option<(PostRow, ForumRow)>> {
        let Some(post) = self.store.post_by_ap_id(ap_id).await? else {
            return Ok(None);
        };
        let Some(forum) = self.store.forum(post.forum_id).await? else {
            return Ok(None);
        };
        if let Relay::Forum(relaying) = relay {
            if relaying != forum.actor.id {
                return Err(DomainError::from(Refusal::WrongForum));
            }
        }
        Ok(Some((post, forum)))
    }

    /// Whether `actor` may moderate `forum`, as seen from here: a listed
    /// moderator of a local forum, or anything a remote forum announces.
    async fn moderates(
        &self,
        forum: &ForumRow,
        actor: &ActorRow,
        relay: Relay,
    ) -> DomainResult<bool> {
        if forum.actor.is_local() {
            Ok(self.store.is_moderator(forum.actor.id, actor.id).await?)
        } else {
            Ok(relay == Relay::Forum(forum.actor.id))
        }
    }

    async fn apply_and_relay(
        &self,
        activity_id: &str,
        forum: &ForumRow,
        actor: &ActorRow,
        activity: &Value,
        change: impl FnOnce(
            &mut crate::domain::store::Tx,
        ) -> futures::future::BoxFuture<
            '_,
            Result<(), crate::domain::store::StoreError>,
        >,
    ) -> DomainResult<Applied> {
        let Some(mut tx) = self.begin_applying(activity_id).await? else {
            return Ok(Applied::Duplicate);
        };
        change(&mut tx).await?;
        if forum.actor.is_local() {
            self.distribute(&mut tx, forum, actor, activity_id, activity)
                .await?;
        }
        crate::domain::store::commit(tx).await?;
        self.after_commit();
        Ok(Applied::Applied)
    }

    /// An author's edit (`Update` of a post).
    pub async fn receive_update(
        &self,
        activity_id: &str,
        signer: &ActorRow,
        post: &Post,
        activity: &Value,
        relay: Relay,
        provenance: Provenance<'_>,
    ) -> DomainResult<Applied> {
        let Some(written_by) = post.author() else {
            return Err(DomainError::from(Refusal::AuthorMismatch));
        };
        self.check_authorship(written_by, &post.id, provenance)?;
        let Some((stored, forum)) = self.post_and_forum(post.id.as_str(), relay).await? else {
            return Ok(Applied::Ignored);
        };
        if stored.author_id != signer.id
            || post.author().map(|a| a.as_str()) != Some(signer.ap_id.as_str())
        {
            return Err(DomainError::from(Refusal::AuthorMismatch));
        }
        let title = if stored.kind == PostKind::Thread {
            title_from(post).await?
        } else {
            String::new()
        };
        let html = rendering::remote_html(post.content.clone().unwrap_or_default()).await?;
        let source = post
            .source
            .as_ref()
            .filter(|s| s.media_type.starts_with("text/markdown"))
            .map(|s| without_nul(&s.content))
            .unwrap_or_default();
        let id = stored.id;
        let thread = stored.thread();
        let author = signer.id;
        // An edit that adds a mention notifies the person now named (the
        // others were notified when it first arrived).
        let mentioned = self.local_mentioned(post).await?;
        self.apply_and_relay(activity_id, &forum, signer, activity, move |tx| {
            Box::pin(async move {
                let now = tx.now_ms();
                posts::update_post(tx, id, &title, &source, &html, now).await?;
                crate::domain::notifications::notify_mentions(tx, id, thread, author, &mentioned)
                    .await?;
                Ok(())
            })
        })
        .await
    }

    /// A `Delete` of a post: by its author (deleted), or by a moderator
    /// (removed, with the `summary` as reason).
    pub async fn receive_delete(
        &self,
        activity_id: &str,
        signer: &ActorRow,
        object: &str,
        reason: Option<&str>,
        activity: &Value,
        relay: Relay,
    ) -> DomainResult<Applied> {
        let Some((stored, forum)) = self.post_and_forum(object, relay).await? else {
            return Ok(Applied::Ignored);
        };
        let id = stored.id;
        if stored.author_id == signer.id {
            return self
                .apply_and_relay(activity_id, &forum, signer, activity, move |tx| {
                    Box::pin(async move {
                        let now = tx.now_ms();
                        posts::mark_deleted(tx, id, now).await
                    })
                })
                .await;
        }
        if !self.moderates(&forum, signer, relay).await? {
            return Err(DomainError::from(Refusal::NotModerator));
        }
        let reason = reason
            .unwrap_or_default()
            .chars()
            .take(500)
            .collect::<String>();
        let title = self.thread_title_of(&stored).await?;
        let (to, note) = about_own_post(
            PostRemoved,
            &stored,
            &title,
            Some(signer.id),
            &reason,
            activity_id,
        );
        let moderator = signer.id;
        self.apply_and_relay(activity_id, &forum, signer, activity, move |tx| {
            Box::pin(async move {
                let now = tx.now_ms();
                posts::mark_removed(tx, id, &reason, now).await?;
                // The reports made here about it are handled there.
                crate::domain::store::reports::resolve_reports_of_post(tx, id, moderator, &reason)
                    .await?;
                insert_notification(tx, &to, &note).await.map(|_| ())
            })
        })
        .await
    }

    /// The undo of a `Delete` (`Undo(Delete)`): by the post's author, the
    /// post is restored; by a moderator, the removal is lifted. Every
    /// moderation action applied from another server is undone the same
    /// way it was applied.
    pub async fn receive_undelete(
        &self,
        activity_id: &str,
        signer: &ActorRow,
        object: &str,
        activity: &Value,
        relay: Relay,
    ) -> DomainResult<Applied> {
        let Some((stored, forum)) = self.post_and_forum(object, relay).await? else {
            return Ok(Applied::Ignored);
        };
        let id = stored.id;
        if stored.author_id == signer.id && stored.deleted_at.is_some() {
            return self
                .apply_and_relay(activity_id, &forum, signer, activity, move |tx| {
                    Box::pin(async move { posts::mark_undeleted(tx, id).await })
                })
                .await;
        }
        if !self.moderates(&forum, signer, relay).await? {
            return Err(DomainError::from(Refusal::NotModerator));
        }
        self.apply_and_relay(activity_id, &forum, signer, activity, move |tx| {
            Box::pin(async move { posts::mark_restored(tx, id).await })
        })
        .await
    }

    /// A "helpful" mark (`Like`, `helpful` true) or its withdrawal
    /// (`Undo(Like)`), of the post `object`.
    pub async fn receive_like(
        &self,
        activity_id: &str,
        signer: &ActorRow,
        (object, like_id, helpful): (&str, &str, bool),
        activity: &Value,
        relay: Relay,
    ) -> DomainResult<Applied> {
        let Some((stored, forum)) = self.post_and_forum(object, relay).await? else {
            return Ok(Applied::Ignored);
        };
        if helpful {
            self.check_actor_not_banned(&forum, signer).await?;
        }
        let (id, actor) = (stored.id, signer.id);
        let like_id = like_id.to_string();
        self.apply_and_relay(activity_id, &forum, signer, activity, move |tx| {
            Box::pin(async move {
                if helpful {
                    posts::insert_like(tx, id, actor, &like_id)
                        .await
                        .map(|_| ())
                } else {
                    posts::delete_like(tx, id, actor).await.map(|_| ())
                }
            })
        })
        .await
    }

    /// A moderator locks or unlocks, pins or unpins a thread.
    pub async fn receive_thread_moderation(
        &self,
        activity_id: &str,
        signer: &ActorRow,
        object: &str,
        action: crate::domain::forums::ThreadAction,
        activity: &Value,
        relay: Relay,
    ) -> DomainResult<Applied> {
        use crate::domain::forums::ThreadAction;
        let Some((stored, forum)) = self.post_and_forum(object, relay).await? else {
            return Ok(Applied::Ignored);
        };
        if stored.kind != PostKind::Thread {
            return Ok(Applied::Ignored);
        }
        if !self.moderates(&forum, signer, relay).await? {
            return Err(DomainError::from(Refusal::NotModerator));
        }
        let id = stored.id;
        self.apply_and_relay(activity_id, &forum, signer, activity, move |tx| {
            Box::pin(async move {
                match action {
                    ThreadAction::Lock => posts::set_locked(tx, id, true).await,
                    ThreadAction::Unlock => posts::set_locked(tx, id, false).await,
                    ThreadAction::Pin => posts::set_pinned(tx, id, true).await,
                    ThreadAction::Unpin => posts::set_pinned(tx, id, false).await,
                }
            })
        })
        .await
    }
}
