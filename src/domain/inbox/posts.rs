//! Threads and replies written elsewhere arriving in a forum (`Create`),
//! written by the group-commit writer with the activity's apply-once
//! record.

use super::{title_from, without_nul, Applied};
use crate::domain::Refusal;
use crate::{
    domain::store::{
        actors::ActorRow,
        forums::ForumRow,
        inbox::record_received,
        posts::{self, NewPost, PostKind, PostRow},
        Tx, WriteWork,
    },
    domain::{
        notifications::notify_new_post, provenance::Provenance, rendering, Domain, DomainError,
        DomainResult,
    },
    urls,
};
use preau_federation::objects::Post;
use serde_json::Value;
use std::sync::Arc;

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
            return Err(DomainError::from(Refusal::AuthorMismatch));
        };
        if written_by.as_str() != author.ap_id {
            return Err(DomainError::from(Refusal::AuthorMismatch));
        }
        self.check_authorship(written_by, &post.id, provenance)?;
        // The post answered and its thread, in one read.
        let parent = match &post.in_reply_to {
            Some(parent) => Some(
                self.store
                    .parent_ref(parent.as_str())
                    .await?
                    .ok_or_else(|| DomainError::from(Refusal::UnknownParent))?,
            ),
            None => None,
        };
        self.check_may_post(forum, &author.domain, author.email_domain.as_deref())
            .await?;
        self.check_actor_not_banned(forum, author).await?;
        if let Some(parent) = &parent {
            if parent.forum_id != forum.actor.id {
                return Err(DomainError::from(Refusal::ParentInOtherForum));
            }
            if parent.locked {
                return Err(DomainError::from(Refusal::ThreadLocked));
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
            .filter(|t| *t <= self.clock().now_ms())
            .unwrap_or_else(|| self.clock().now_ms());
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
        let mentioned = self.local_mentioned(post).await?;
        let job = Arc::new(PostJob {
            domain: self.clone(),
            activity_id: activity_id.to_string(),
            new,
            forum: forum.clone(),
            author: author.clone(),
            activity: activity.clone(),
            mentioned,
        });
        let work: WriteWork<Applied, DomainError> =
            Arc::new(move |tx| Box::pin(job.clone().write(tx)));
        let applied = self.store.write(work).await?;
        if applied == Applied::Applied {
            self.after_commit();
        }
        Ok(applied)
    }

    /// The local teachers among the people a received post's `Mention`
    /// tags name (by actor id; names are not trusted), at most
    /// [`crate::domain::mentions::MAX_MENTIONS`] of them.
    pub async fn local_mentioned(
        &self,
        post: &Post,
    ) -> DomainResult<Vec<crate::domain::store::actors::ActorId>> {
        self.local_mentioned_hrefs(&post.mentions()).await
    }

    /// The local teachers among the actors `hrefs` (the `href`s of
    /// received `Mention` tags) name, each once, at most
    /// [`crate::domain::mentions::MAX_MENTIONS`] of them.
    pub async fn local_mentioned_hrefs(
        &self,
        hrefs: &[url::Url],
    ) -> DomainResult<Vec<crate::domain::store::actors::ActorId>> {
        let mut local = Vec::new();
        let mut hrefs = hrefs.to_vec();
        hrefs.dedup();
        for href in hrefs
            .iter()
            .filter(|href| self.is_local_url(href))
            .take(crate::domain::mentions::MAX_MENTIONS)
        {
            if let Some(actor) = self.store.actor_by_ap_id(href.as_str()).await? {
                if actor.is_local()
                    && actor.kind == crate::domain::store::actors::ActorKindRow::Person
                    && !local.contains(&actor.id)
                {
                    local.push(actor.id);
                }
            }
        }
        Ok(local)
    }

    /// Whether a received post mentions a local teacher: reason enough to
    /// take it from a forum elsewhere that this instance knows, even
    /// unannounced.
    pub async fn mentions_local_person(&self, post: &Post) -> DomainResult<bool> {
        Ok(!self.local_mentioned(post).await?.is_empty())
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
    /// The local teachers the post's `Mention` tags name.
    mentioned: Vec<crate::domain::store::actors::ActorId>,
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
        notify_new_post(tx, post_id, &self.new, &self.mentioned).await?;
        crate::domain::store::mail_lists::queue_forum_post(
            tx,
            post_id,
            forum.actor.id,
            self.author.id,
        )
        .await?;
        crate::domain::live::reply_stored(tx, post_id, self.new.kind, self.new.thread_id).await?;
        Ok(Applied::Applied)
    }
}
