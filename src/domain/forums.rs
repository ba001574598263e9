//! Forums: creating them, opening threads, replying, following forums on
//! other instances, and what a forum does with what it receives.
//!
//! Every change that other servers must learn about is written with its
//! outgoing activities in one transaction (see `store::delivery`): a local
//! forum `Announce`s what it accepts to its followers (FEP-1b12); a local
//! teacher's post in a remote forum is sent to that forum, which announces
//! it in turn.

use super::{
    keys::generate_key_pair, profile::render_markdown, validate, Domain, DomainError, DomainResult,
};
use crate::{
    apub::outgoing,
    store::{
        accounts::AccountRow,
        actors::{ActorKindRow, ActorRow, NewActor},
        delivery::enqueue,
        forums::{self, FollowState, ForumRow, NewForum},
        now_ms,
        posts::{self, NewPost, PostId, PostKind, PostRow},
        Tx,
    },
    urls,
};
use serde_json::Value;

/// A new forum as asked for.
#[derive(Debug, Clone)]
pub struct ForumInput {
    /// Its name: the `NAME` of `!NAME@domain`, unique among local names.
    pub name: String,
    /// Title.
    pub title: String,
    /// Markdown description.
    pub description: String,
}

/// Longest thread title, in characters.
pub const MAX_TITLE: usize = 200;
/// Longest post body, in characters.
pub const MAX_BODY: usize = 20_000;

impl Domain {
    /// Creates a local forum. Admins always may; members only where
    /// `forums.members_can_create` is set; `creator` is `None` for the
    /// admin CLI. The creator becomes its first moderator.
    pub async fn create_forum(
        &self,
        creator: Option<&AccountRow>,
        input: &ForumInput,
    ) -> DomainResult<ForumRow> {
        if let Some(account) = creator {
            if !account.is_admin && !self.settings.forums.members_can_create {
                return Err(DomainError::rule(403, "forbidden"));
            }
        }
        let name = validate::username(&input.name)
            .map_err(|_| DomainError::invalid("invalid_forum_name", "name"))?;
        let title = validate::text(&input.title, 120, "title")?;
        if title.is_empty() {
            return Err(DomainError::invalid("field_required", "title"));
        }
        let description = validate::text(&input.description, 5000, "description")?;
        if self.store.local_actor_by_name(&name).await?.is_some() {
            return Err(DomainError::invalid("name_taken", "name"));
        }
        let (public_key_pem, private_key_pem) = generate_key_pair().await?;
        let base = self.settings.base_url();
        let ap_id = urls::forum(&base, &name);
        let description_html = render_markdown(&description);
        let forum = NewForum {
            actor: NewActor {
                kind: ActorKindRow::Group,
                name: name.clone(),
                domain: String::new(),
                inbox: format!("{ap_id}/inbox"),
                shared_inbox: Some(urls::shared_inbox(&base)),
                display_name: title.clone(),
                summary_html: description_html.clone(),
                public_key_pem,
                private_key_pem: Some(private_key_pem),
                declared_trust: None,
                ap_id,
            },
            title,
            description_source: description,
            description_html,
            moderators_url: None,
            featured_url: None,
            created_by: creator.map(|account| account.id),
        };
        let moderator = creator.map(|account| account.actor_id);
        let id = match self.store.create_forum(&forum, moderator).await {
            Ok(id) => id,
            Err(error) if crate::store::is_unique_violation(&error) => {
                return Err(DomainError::invalid("name_taken", "name"))
            }
            Err(error) => return Err(error.into()),
        };
        self.store
            .forum(id)
            .await?
            .ok_or_else(|| DomainError::Internal("forum vanished".into()))
    }

    async fn author_actor(&self, author: &AccountRow) -> DomainResult<ActorRow> {
        self.store
            .actor_by_id(author.actor_id)
            .await?
            .ok_or_else(|| DomainError::Internal("account without actor".into()))
    }

    /// Writes `activity` (by `actor`, about a post of `forum`) to the
    /// outbox inside `tx`: a local forum announces it to its followers; a
    /// remote forum receives it from its local author.
    pub(crate) async fn distribute(
        &self,
        tx: &mut Tx,
        forum: &ForumRow,
        actor: &ActorRow,
        activity_id: &str,
        activity: &Value,
    ) -> DomainResult<()> {
        if forum.actor.is_local() {
            let inboxes = self.store.follower_inboxes(forum.actor.id).await?;
            if inboxes.is_empty() {
                return Ok(());
            }
            let (announce_id, announce) =
                outgoing::announce(&self.settings.base_url(), forum, activity);
            enqueue(
                tx,
                &announce_id,
                forum.actor.id,
                &announce.to_string(),
                &inboxes,
            )
            .await?;
        } else if actor.is_local() {
            enqueue(
                tx,
                activity_id,
                actor.id,
                &activity.to_string(),
                std::slice::from_ref(&forum.actor.inbox),
            )
            .await?;
        }
        Ok(())
    }

    fn check_body(&self, body: &str) -> DomainResult<String> {
        let body = validate::text(body, MAX_BODY, "body")?;
        if body.is_empty() {
            return Err(DomainError::invalid("field_required", "body"));
        }
        Ok(body)
    }

    /// Opens a thread in a forum (local or remote) as a local teacher.
    pub async fn post_thread(
        &self,
        author: &AccountRow,
        forum: &ForumRow,
        title: &str,
        body: &str,
    ) -> DomainResult<PostRow> {
        let title = validate::text(title, MAX_TITLE, "title")?;
        if title.is_empty() {
            return Err(DomainError::invalid("field_required", "title"));
        }
        let body = self.check_body(body)?;
        let actor = self.author_actor(author).await?;
        let base = self.settings.base_url();
        let ap_id = urls::post(&base, &urls::random_token());
        let new = NewPost {
            context_url: Some(urls::thread_context_of(&ap_id)),
            ap_id,
            kind: PostKind::Thread,
            forum_id: forum.actor.id,
            thread_id: None,
            in_reply_to_id: None,
            author_id: actor.id,
            title,
            content_html: render_markdown(&body),
            source: body,
            published_at: now_ms(),
            local: true,
        };
        self.publish_new_post(forum, &actor, new, None).await
    }

    /// Replies to a thread or a reply as a local teacher.
    pub async fn post_reply(
        &self,
        author: &AccountRow,
        parent: &PostRow,
        body: &str,
    ) -> DomainResult<PostRow> {
        let body = self.check_body(body)?;
        if !parent.is_visible() {
            return Err(DomainError::rule(410, "post_deleted"));
        }
        let thread = self
            .store
            .post(parent.thread())
            .await?
            .ok_or_else(|| DomainError::rule(404, "not_found"))?;
        if thread.locked {
            return Err(DomainError::rule(409, "thread_locked"));
        }
        let forum = self
            .store
            .forum(parent.forum_id)
            .await?
            .ok_or_else(|| DomainError::rule(404, "not_found"))?;
        let actor = self.author_actor(author).await?;
        let base = self.settings.base_url();
        let new = NewPost {
            ap_id: urls::post(&base, &urls::random_token()),
            kind: PostKind::Reply,
            forum_id: forum.actor.id,
            thread_id: Some(thread.id),
            in_reply_to_id: Some(parent.id),
            author_id: actor.id,
            title: String::new(),
            content_html: render_markdown(&body),
            source: body,
            context_url: thread.context_url.clone(),
            published_at: now_ms(),
            local: true,
        };
        self.publish_new_post(&forum, &actor, new, Some(&parent.ap_id))
            .await
    }

    async fn publish_new_post(
        &self,
        forum: &ForumRow,
        actor: &ActorRow,
        new: NewPost,
        in_reply_to: Option<&str>,
    ) -> DomainResult<PostRow> {
        let mut tx = self.store.begin().await?;
        let id = posts::insert_post(&mut tx, &new).await?;
        let stored = PostRow {
            id,
            ap_id: new.ap_id.clone(),
            kind: new.kind,
            forum_id: new.forum_id,
            thread_id: new.thread_id,
            in_reply_to_id: new.in_reply_to_id,
            author_id: new.author_id,
            title: new.title.clone(),
            source: new.source.clone(),
            content_html: new.content_html.clone(),
            context_url: new.context_url.clone(),
            published_at: new.published_at,
            updated_at: None,
            deleted_at: None,
            removed_at: None,
            removed_reason: None,
            locked: false,
            pinned: false,
            last_activity_at: new.published_at,
            local: true,
        };
        let object = outgoing::post_object(&stored, &actor.ap_id, &forum.actor.ap_id, in_reply_to)
            .ok_or_else(|| DomainError::Internal("invalid post URL".into()))?;
        let object =
            serde_json::to_value(object).map_err(|e| DomainError::Internal(e.to_string()))?;
        let activity_id = outgoing::new_activity_id(&self.settings.base_url());
        let activity = outgoing::activity("Create", &activity_id, &actor.ap_id, forum, object);
        self.distribute(&mut tx, forum, actor, &activity_id, &activity)
            .await?;
        crate::store::commit(tx).await?;
        self.after_commit();
        self.store
            .post(id)
            .await?
            .ok_or_else(|| DomainError::Internal("post vanished".into()))
    }

    /// Wakes the delivery workers after a commit that queued activities.
    pub(crate) fn after_commit(&self) {
        self.delivery_waker.wake();
    }

    /// A local teacher follows a remote forum: the follow stays pending
    /// until the forum's `Accept` arrives.
    pub async fn follow_forum(&self, person: &AccountRow, forum: &ForumRow) -> DomainResult<()> {
        if forum.actor.is_local() {
            return Err(DomainError::rule(409, "forum_is_local"));
        }
        let actor = self.author_actor(person).await?;
        if let Some(existing) = self.store.follow(actor.id, forum.actor.id).await? {
            if existing.state == FollowState::Accepted {
                return Ok(());
            }
        }
        let id = outgoing::new_activity_id(&self.settings.base_url());
        let follow = outgoing::follow(&id, &actor.ap_id, &forum.actor.ap_id);
        let mut tx = self.store.begin().await?;
        forums::upsert_follow(&mut tx, actor.id, forum.actor.id, FollowState::Pending, &id).await?;
        enqueue(
            &mut tx,
            &id,
            actor.id,
            &follow.to_string(),
            std::slice::from_ref(&forum.actor.inbox),
        )
        .await?;
        crate::store::commit(tx).await?;
        self.after_commit();
        Ok(())
    }

    /// A local teacher stops following a remote forum (`Undo(Follow)`).
    pub async fn unfollow_forum(&self, person: &AccountRow, forum: &ForumRow) -> DomainResult<()> {
        let actor = self.author_actor(person).await?;
        let Some(existing) = self.store.follow(actor.id, forum.actor.id).await? else {
            return Ok(());
        };
        let base = self.settings.base_url();
        let follow = outgoing::follow(&existing.activity_id, &actor.ap_id, &forum.actor.ap_id);
        let id = outgoing::new_activity_id(&base);
        let undo = outgoing::undo(&id, &actor.ap_id, follow, &forum.actor.ap_id);
        let mut tx = self.store.begin().await?;
        forums::delete_follow(&mut tx, actor.id, forum.actor.id).await?;
        if !forum.actor.is_local() {
            enqueue(
                &mut tx,
                &id,
                actor.id,
                &undo.to_string(),
                std::slice::from_ref(&forum.actor.inbox),
            )
            .await?;
        }
        crate::store::commit(tx).await?;
        self.after_commit();
        Ok(())
    }

    /// The thread of a post id, for pages.
    pub async fn thread_of(&self, id: PostId) -> DomainResult<Option<PostRow>> {
        let Some(post) = self.store.post(id).await? else {
            return Ok(None);
        };
        Ok(self.store.post(post.thread()).await?)
    }
}
