//! What Préau does with activities other servers send, once the inbox has
//! checked their signature: follows of local forums, accepted follows of
//! remote forums, and posts (threads and replies) in forums.
//!
//! Each function applies one activity in one transaction that also records
//! its id, so the same activity is applied at most once.

use super::{
    outbox::{forum as outgoing, new_activity_id, queue, to_json},
    provenance::Provenance,
    rendering, Domain, DomainError, DomainResult, Refusal,
};
use crate::{
    store::{
        actors::ActorRow,
        forums::{self, FollowState, ForumRow},
        inbox::record_received,
        now_ms,
        posts::{self, NewPost, PostKind, PostRow},
        Tx, WriteWork,
    },
    urls,
};
use preau_federation::objects::Post;
use serde_json::Value;
use std::sync::Arc;

/// What became of a received activity.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Applied {
    /// Applied now.
    Applied,
    /// Already applied earlier: nothing done.
    Duplicate,
    /// Understood but nothing to do here (not for us, already known…).
    Ignored,
}

/// Remote text kept as sent (a post's Markdown source) without U+0000,
/// which PostgreSQL text cannot hold; pushed activities holding it are
/// refused at the inbox, fetched ones are cleaned here.
fn without_nul(text: &str) -> String {
    text.replace('\0', "")
}

/// A title for a thread that has none (a Mastodon post mentioning the
/// forum): its first words.
async fn title_from(post: &Post) -> DomainResult<String> {
    if let Some(name) = post.name.as_deref().filter(|n| !n.trim().is_empty()) {
        return Ok(
            super::validate::single_line(&rendering::html_text(name.to_string()).await?)
                .chars()
                .take(super::forums::MAX_TITLE)
                .collect(),
        );
    }
    let text = super::validate::single_line(
        &rendering::html_text(post.content.clone().unwrap_or_default()).await?,
    );
    let mut title: String = text.chars().take(80).collect();
    if text.chars().count() > 80 {
        title.push('…');
    }
    if title.is_empty() {
        title = "—".to_string();
    }
    Ok(title)
}

impl Domain {
    /// The local forum a post from elsewhere is meant for: its `audience`,
    /// a forum in `to`/`cc` or among its mentions, or the forum of the post
    /// it replies to.
    pub async fn forum_for_post(&self, post: &Post) -> DomainResult<Option<ForumRow>> {
        let mut candidates: Vec<String> = Vec::new();
        if let Some(audience) = &post.audience {
            candidates.push(audience.to_string());
        }
        candidates.extend(post.to.iter().chain(&post.cc).cloned());
        candidates.extend(post.mentions().iter().map(|url| url.to_string()));
        for candidate in candidates {
            if let Some(forum) = self.store.forum_by_ap_id(&candidate).await? {
                return Ok(Some(forum));
            }
        }
        if let Some(parent) = &post.in_reply_to {
            if let Some(parent) = self.store.post_by_ap_id(parent.as_str()).await? {
                return Ok(self.store.forum(parent.forum_id).await?);
            }
        }
        Ok(None)
    }

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
        let mut tx = self.store.begin().await?;
        if !record_received(&mut tx, activity_id).await? {
            return Ok(Applied::Duplicate);
        }
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
        crate::store::commit(tx).await?;
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
        let mut tx = self.store.begin().await?;
        if !record_received(&mut tx, activity_id).await? {
            return Ok(Applied::Duplicate);
        }
        let removed = forums::delete_follow(&mut tx, follower.id, forum.actor.id).await?;
        crate::store::commit(tx).await?;
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
        let mut tx = self.store.begin().await?;
        if !record_received(&mut tx, activity_id).await? {
            return Ok(Applied::Duplicate);
        }
        forums::upsert_follow(
            &mut tx,
            follower.id,
            forum.actor.id,
            FollowState::Accepted,
            &follow.activity_id,
        )
        .await?;
        crate::store::commit(tx).await?;
        Ok(Applied::Applied)
    }

    /// A thread or reply written elsewhere arrives in `forum`: directly
    /// (a local forum; then it is announced to the followers, unchanged),
    /// or inside the `Announce` of a remote forum someone here follows.
    /// `author` is the verified actor of the `Create`.
    pub async fn receive_post(
        &self,
        activity_id: &str,
        forum: &ForumRow,
        author: &ActorRow,
        post: &Post,
        activity: &Value,
        provenance: Provenance<'_>,
    ) -> DomainResult<Applied> {
        let Some(written_by) = post.author() else {
            return Err(Refusal::AuthorMismatch.into());
        };
        if written_by.as_str() != author.ap_id {
            return Err(Refusal::AuthorMismatch.into());
        }
        self.check_authorship(written_by, &post.id, provenance)?;
        // The post answered and its thread, in one read.
        let parent = match &post.in_reply_to {
            Some(parent) => Some(
                self.store
                    .parent_ref(parent.as_str())
                    .await?
                    .ok_or(Refusal::UnknownParent)?,
            ),
            None => None,
        };
        self.check_may_post(forum, &author.domain, author.email_domain.as_deref())
            .await?;
        if let Some(parent) = &parent {
            if parent.forum_id != forum.actor.id {
                return Err(Refusal::ParentInOtherForum.into());
            }
            if parent.locked {
                return Err(Refusal::ThreadLocked.into());
            }
        }
        let kind = if parent.is_some() {
            PostKind::Reply
        } else {
            PostKind::Thread
        };
        let content_html = rendering::remote_html(post.content.clone().unwrap_or_default()).await?;
        let source = post
            .source
            .as_ref()
            .filter(|source| source.media_type.starts_with("text/markdown"))
            .map(|source| without_nul(&source.content))
            .unwrap_or_default();
        let published_at = post
            .published
            .as_deref()
            .and_then(|p| chrono::DateTime::parse_from_rfc3339(p).ok())
            .map(|t| t.timestamp_millis())
            .filter(|t| *t <= now_ms())
            .unwrap_or_else(now_ms);
        let new = NewPost {
            ap_id: post.id.to_string(),
            kind,
            forum_id: forum.actor.id,
            thread_id: parent.as_ref().map(|p| p.thread),
            in_reply_to_id: parent.as_ref().map(|p| p.parent),
            author_id: author.id,
            title: if kind == PostKind::Thread {
                title_from(post).await?
            } else {
                String::new()
            },
            source,
            content_html,
            context_url: match &parent {
                Some(parent) => parent.context_url.clone(),
                // Never invented for a remote post: a thread without one
                // in a local forum gets this instance's (below); elsewhere
                // backfill reads `replies` instead.
                None => post.context.as_ref().map(|c| c.to_string()),
            },
            published_at,
            local: false,
        };
        // Written with other activities arriving at the same time (group
        // commit); answered once committed.
        let job = Arc::new(PostJob {
            domain: self.clone(),
            activity_id: activity_id.to_string(),
            new,
            forum: forum.clone(),
            author: author.clone(),
            activity: activity.clone(),
        });
        let work: WriteWork<Applied, DomainError> =
            Arc::new(move |tx| Box::pin(job.clone().write(tx)));
        let applied = self.store.write(work).await?;
        if applied == Applied::Applied {
            self.after_commit();
        }
        Ok(applied)
    }

    /// A post of a thread, by its ActivityPub id.
    pub async fn known_post(&self, ap_id: &str) -> DomainResult<Option<PostRow>> {
        Ok(self.store.post_by_ap_id(ap_id).await?)
    }
}

/// A received post, as written by the group-commit writer.
struct PostJob {
    domain: Domain,
    activity_id: String,
    new: NewPost,
    forum: ForumRow,
    author: ActorRow,
    activity: Value,
}

impl PostJob {
    async fn write(self: Arc<Self>, tx: &mut Tx) -> DomainResult<Applied> {
        if !record_received(tx, &self.activity_id).await? {
            return Ok(Applied::Duplicate);
        }
        let Some(post_id) = posts::insert_post_if_new(tx, &self.new).await? else {
            // Already known (our own post coming back in an Announce, or a
            // second copy under another activity id).
            return Ok(Applied::Ignored);
        };
        let forum = &self.forum;
        if self.new.kind == PostKind::Thread
            && self.new.context_url.is_none()
            && forum.actor.is_local()
        {
            let context = urls::hosted_thread_context(&self.domain.settings.base_url(), post_id.0);
            posts::set_context_url(tx, post_id, &context).await?;
        }
        if forum.actor.is_local() {
            self.domain
                .distribute(tx, forum, &self.author, &self.activity_id, &self.activity)
                .await?;
        }
        Ok(Applied::Applied)
    }
}

/// Who vouches for a received change to a post.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Relay {
    /// The signer sent it directly.
    Direct,
    /// A remote forum announced it: the forum vouches for what happens to
    /// its own posts, and only to them.
    Forum(crate::store::actors::ActorId),
}

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
                return Err(Refusal::WrongForum.into());
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
            &mut crate::store::Tx,
        )
            -> futures::future::BoxFuture<'_, Result<(), crate::store::StoreError>>,
    ) -> DomainResult<Applied> {
        let mut tx = self.store.begin().await?;
        if !record_received(&mut tx, activity_id).await? {
            return Ok(Applied::Duplicate);
        }
        change(&mut tx).await?;
        if forum.actor.is_local() {
            self.distribute(&mut tx, forum, actor, activity_id, activity)
                .await?;
        }
        crate::store::commit(tx).await?;
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
            return Err(Refusal::AuthorMismatch.into());
        };
        self.check_authorship(written_by, &post.id, provenance)?;
        let Some((stored, forum)) = self.post_and_forum(post.id.as_str(), relay).await? else {
            return Ok(Applied::Ignored);
        };
        if stored.author_id != signer.id
            || post.author().map(|a| a.as_str()) != Some(signer.ap_id.as_str())
        {
            return Err(Refusal::AuthorMismatch.into());
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
        self.apply_and_relay(activity_id, &forum, signer, activity, move |tx| {
            Box::pin(
                async move { posts::update_post(tx, id, &title, &source, &html, now_ms()).await },
            )
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
                    Box::pin(async move { posts::mark_deleted(tx, id, now_ms()).await })
                })
                .await;
        }
        if !self.moderates(&forum, signer, relay).await? {
            return Err(Refusal::NotModerator.into());
        }
        let reason = reason
            .unwrap_or_default()
            .chars()
            .take(500)
            .collect::<String>();
        self.apply_and_relay(activity_id, &forum, signer, activity, move |tx| {
            Box::pin(async move { posts::mark_removed(tx, id, &reason, now_ms()).await })
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
            return Err(Refusal::NotModerator.into());
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
        action: super::forums::ThreadAction,
        activity: &Value,
        relay: Relay,
    ) -> DomainResult<Applied> {
        use super::forums::ThreadAction;
        let Some((stored, forum)) = self.post_and_forum(object, relay).await? else {
            return Ok(Applied::Ignored);
        };
        if stored.kind != PostKind::Thread {
            return Ok(Applied::Ignored);
        }
        if !self.moderates(&forum, signer, relay).await? {
            return Err(Refusal::NotModerator.into());
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

    /// A report (`Flag`) from any server about posts known here: each lands
    /// in the queue of the moderators of the post's forum.
    pub async fn receive_flag(
        &self,
        activity_id: &str,
        reporter: &ActorRow,
        objects: &[String],
        reason: &str,
    ) -> DomainResult<Applied> {
        let mut tx = self.store.begin().await?;
        if !record_received(&mut tx, activity_id).await? {
            return Ok(Applied::Duplicate);
        }
        let mut applied = Applied::Ignored;
        for object in objects {
            if let Some(post) = self.store.post_by_ap_id(object).await? {
                posts::insert_report(
                    &mut tx,
                    &posts::NewReport {
                        activity_id: format!("{activity_id}#{}", post.id.0),
                        reporter_id: reporter.id,
                        forum_id: Some(post.forum_id),
                        post_id: Some(post.id),
                        object_ap_id: post.ap_id.clone(),
                        reason: reason.chars().take(1000).collect(),
                    },
                )
                .await?;
                applied = Applied::Applied;
            }
        }
        crate::store::commit(tx).await?;
        Ok(applied)
    }
}
