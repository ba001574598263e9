//! What the federation side reads about forums and posts: a local forum
//! and its public collections (followers count, moderators, featured,
//! outbox), local posts by token with what their documents need, thread
//! contexts, and the shared forum lookups by path, handle or URL.
//!
//! Everything here is public on the wire; reads that need a permission
//! check live with their rules (`projects`, `project_reads`).

use super::{Domain, DomainResult};
pub use crate::domain::store::{
    actors::ActorRow,
    forums::ForumRow,
    posts::{PostId, PostRow, PostView},
};
use crate::urls;

/// How many threads a forum's outbox lists (its latest).
pub const FORUM_OUTBOX_THREADS: i64 = 20;

/// What a local post's document names besides the post.
#[derive(Debug, Clone)]
pub struct PostDocumentParts {
    /// Its author.
    pub author: ActorRow,
    /// The forum it is in.
    pub forum: ForumRow,
    /// The id of the post it answers, when known.
    pub parent_ap_id: Option<String>,
}

impl Domain {
    /// A forum of this instance, by name.
    pub async fn forum_by_name(&self, name: &str) -> DomainResult<Option<ForumRow>> {
        Ok(self.store.local_forum(name).await?)
    }

    /// A forum known here (local or remote), by its actor's id.
    pub async fn forum_by_url(&self, ap_id: &str) -> DomainResult<Option<ForumRow>> {
        Ok(self.store.forum_by_ap_id(ap_id).await?)
    }

    /// A forum known here, by its actor's row id.
    pub async fn forum_by_row_id(
        &self,
        id: crate::domain::store::actors::ActorId,
    ) -> DomainResult<Option<ForumRow>> {
        Ok(self.store.forum(id).await?)
    }

    /// The forum an actor is, if it is one.
    pub async fn forum_of_actor(&self, actor: &ActorRow) -> DomainResult<Option<ForumRow>> {
        Ok(self.store.forum(actor.id).await?)
    }

    /// A remote forum already known here, by `name` and `domain`.
    pub async fn known_remote_forum(
        &self,
        name: &str,
        domain: &str,
    ) -> DomainResult<Option<ForumRow>> {
        match self.store.remote_actor_by_handle(name, domain).await? {
            Some(actor) => Ok(self.store.forum(actor.id).await?),
            None => Ok(None),
        }
    }

    /// How many accept a forum's announces (who they are is not published).
    pub async fn forum_follower_count(&self, forum: &ForumRow) -> DomainResult<i64> {
        Ok(self.store.count_followers(forum.actor.id).await?)
    }

    /// The ids of the actors who moderate a forum.
    pub async fn forum_moderator_urls(&self, forum: &ForumRow) -> DomainResult<Vec<String>> {
        let moderators = self.store.forum_moderators(forum.actor.id).await?;
        Ok(moderators.into_iter().map(|m| m.ap_id).collect())
    }

    /// The ids of a forum's pinned threads.
    pub async fn forum_featured_urls(&self, forum: &ForumRow) -> DomainResult<Vec<String>> {
        Ok(self.store.pinned_threads(forum.actor.id).await?)
    }

    /// The latest threads of a forum, as its outbox lists them.
    pub async fn forum_outbox_threads(&self, forum: &ForumRow) -> DomainResult<Vec<PostView>> {
        Ok(self
            .store
            .forum_threads(forum.actor.id, FORUM_OUTBOX_THREADS, 0)
            .await?)
    }

    /// A post written here, by the token of its URL.
    pub async fn local_post_by_token(&self, token: &str) -> DomainResult<Option<PostRow>> {
        let ap_id = urls::post(&self.settings.base_url(), token);
        Ok(self
            .store
            .post_by_ap_id(&ap_id)
            .await?
            .filter(|post| post.local))
    }

    /// A post known here, by its id.
    pub async fn post_by_row_id(&self, id: PostId) -> DomainResult<Option<PostRow>> {
        Ok(self.store.post(id).await?)
    }

    /// Whether a post is known here, by its ActivityPub id.
    pub async fn is_known_post(&self, ap_id: &str) -> DomainResult<bool> {
        Ok(self.store.post_by_ap_id(ap_id).await?.is_some())
    }

    /// The author, forum and parent a post's document names; `None` when
    /// the author or the forum is missing. The parent is left out when it
    /// cannot be read.
    pub async fn post_document_parts(
        &self,
        post: &PostRow,
    ) -> DomainResult<Option<PostDocumentParts>> {
        let (Some(author), Some(forum)) = (
            self.store.actor_by_id(post.author_id).await?,
            self.store.forum(post.forum_id).await?,
        ) else {
            return Ok(None);
        };
        let parent_ap_id = match post.in_reply_to_id {
            Some(parent) => self
                .store
                .post(parent)
                .await
                .ok()
                .flatten()
                .map(|p| p.ap_id),
            None => None,
        };
        Ok(Some(PostDocumentParts {
            author,
            forum,
            parent_ap_id,
        }))
    }

    /// The ids of a thread and its replies, in order (its FEP-7888
    /// context collection).
    pub async fn thread_item_urls(&self, thread: &PostRow) -> DomainResult<Vec<String>> {
        Ok(self.store.thread_ap_ids(thread.id).await?)
    }
}
