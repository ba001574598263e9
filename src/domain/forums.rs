//! Forums: creating them, opening threads, replying, following forums on
//! other instances, reading threads. Changes to posts that exist (edits,
//! deletions, likes, moderation, reports) are in [`super::forum_changes`].
//!
//! Every change that other servers must learn about is written with its
//! outgoing activities in one transaction (see `store::delivery`): a local
//! forum `Announce`s what it accepts to its followers (FEP-1b12); a local
//! teacher's post in a remote forum is sent to that forum, which announces
//! it in turn.

use super::{
    keys::generate_key_pair,
    mentions::{self, Mention},
    outbox::{self, forum as outgoing, new_activity_id, queue, to_json},
    rendering, validate, Domain, DomainError, DomainResult, Refusal,
};
use crate::{
    domain::store::{
        accounts::AccountRow,
        actors::{ActorKindRow, ActorRow, NewActor},
        forums::{self, FollowState, ForumRow, NewForum},
        posts::{self, NewPost, PostId, PostKind, PostRow},
        reply_mails::ReplyMailClaim,
        Tx,
    },
    urls,
};
use preau_federation::activities::ActivityKind;
use serde_json::Value;

pub use super::forum_changes::ThreadAction;

/// A new forum as asked for.
#[derive(Debug, Clone)]
pub struct ForumInput {
    /// Its name: the `NAME` of `!NAME@domain`, unique among local names.
    pub name: String,
    /// Title.
    pub title: String,
    /// Markdown description.
    pub description: String,
    /// Who may post: the lowest author label accepted.
    pub min_post_level: preau_federation::TrustLevel,
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
                return Err(Refusal::Forbidden.into());
            }
        }
        let name = validate::username(&input.name)
            .map_err(|_| Refusal::InvalidForumName("name".into()))?;
        let title = validate::name(&input.title, 120, "title")?;
        if title.is_empty() {
            return Err(Refusal::FieldRequired("title".into()).into());
        }
        let description = validate::text(&input.description, 5000, "description")?;
        if self.store.local_actor_by_name(&name).await?.is_some() {
            return Err(Refusal::NameTaken("name".into()).into());
        }
        // Before the key pair, which costs far more than a refusal.
        let description_html = rendering::markdown(description.clone(), "description").await?;
        let (public_key_pem, private_key_pem) = generate_key_pair().await?;
        let base = self.settings.base_url();
        let ap_id = urls::forum(&base, &name);
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
            min_post_level: input.min_post_level,
        };
        let moderator = creator.map(|account| account.actor_id);
        let id = match self.store.create_forum(&forum, moderator).await {
            Ok(id) => id,
            Err(error) if crate::domain::store::is_unique_violation(&error) => {
                return Err(Refusal::NameTaken("name".into()).into())
            }
            Err(error) => return Err(error.into()),
        };
        self.store
            .forum(id)
            .await?
            .ok_or_else(|| DomainError::Internal("forum vanished".into()))
    }

    pub(super) async fn author_actor(&self, author: &AccountRow) -> DomainResult<ActorRow> {
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
        self.distribute_to(tx, forum, actor, activity_id, activity, &[])
            .await
    }

    /// [`Self::distribute`], and a local author's activity also sent
    /// directly to the inboxes of the people it mentions (`mentioned`), as
    /// Mastodon does, whether or not they follow the forum.
    pub(crate) async fn distribute_to(
        &self,
        tx: &mut Tx,
        forum: &ForumRow,
        actor: &ActorRow,
        activity_id: &str,
        activity: &Value,
        mentioned: &[String],
    ) -> DomainResult<()> {
        if forum.actor.is_local() {
            let inboxes = forums::follower_inboxes(tx, forum.actor.id).await?;
            if !inboxes.is_empty() {
                let (announce_id, announce) =
                    outgoing::announce(&self.settings.base_url(), &forum.actor.ap_id, activity)?;
                queue(tx, &announce_id, forum.actor.id, &announce, &inboxes).await?;
            }
            if actor.is_local() && !mentioned.is_empty() {
                queue(tx, activity_id, actor.id, activity, mentioned).await?;
            }
        } else if actor.is_local() {
            let mut inboxes = vec![forum.actor.inbox.clone()];
            inboxes.extend(mentioned.iter().cloned());
            queue(tx, activity_id, actor.id, activity, &inboxes).await?;
        }
        Ok(())
    }

    /// Refuses a post in a local forum whose minimum level the author's
    /// label (as this instance verifies it now) does not reach.
    pub(crate) async fn check_may_post(
        &self,
        forum: &ForumRow,
        author_host: &str,
        email_domain: Option<&str>,
    ) -> DomainResult<()> {
        if !forum.actor.is_local() || forum.min_post_level == preau_federation::TrustLevel::Informal
        {
            return Ok(());
        }
        let label = self.labeller().await?.person(author_host, email_domain);
        if label.level < forum.min_post_level {
            return Err(Refusal::ForumLevelTooLow.into());
        }
        Ok(())
    }

    pub(super) fn check_body(&self, body: &str) -> DomainResult<String> {
        let body = validate::text(body, MAX_BODY, "body")?;
        if body.is_empty() {
            return Err(Refusal::FieldRequired("body".into()).into());
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
        let title = validate::name(title, MAX_TITLE, "title")?;
        if title.is_empty() {
            return Err(Refusal::FieldRequired("title".into()).into());
        }
        let body = self.check_body(body)?;
        let mentions = self.known_mentions(&body).await?;
        self.check_may_post(forum, "", Some(&author.email_domain))
            .await?;
        self.check_not_banned(forum, author).await?;
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
            content_html: rendering::markdown_with_mentions(
                body.clone(),
                "body",
                mentions::links(&mentions),
            )
            .await?,
            source: body,
            published_at: self.clock().now_ms(),
            local: true,
        };
        self.publish_new_post(forum, &actor, new, None, &mentions, None)
            .await
    }

    /// Replies to a thread or a reply as a local teacher.
    pub async fn post_reply(
        &self,
        author: &AccountRow,
        parent: &PostRow,
        body: &str,
    ) -> DomainResult<PostRow> {
        self.post_reply_claiming(author, parent, body, None).await
    }

    /// [`Domain::post_reply`], recording `claim` (a reply by mail) in the
    /// reply's own transaction: `reply_already_posted` when it was
    /// recorded already, and nothing is posted.
    pub(crate) async fn post_reply_claiming(
        &self,
        author: &AccountRow,
        parent: &PostRow,
        body: &str,
        claim: Option<&ReplyMailClaim>,
    ) -> DomainResult<PostRow> {
        let body = self.check_body(body)?;
        let mentions = self.known_mentions(&body).await?;
        if !parent.is_visible() {
            return Err(Refusal::PostDeleted.into());
        }
        let thread = self
            .store
            .post(parent.thread())
            .await?
            .ok_or(Refusal::NotFound)?;
        if thread.locked {
            return Err(Refusal::ThreadLocked.into());
        }
        let forum = self
            .store
            .forum(parent.forum_id)
            .await?
            .ok_or(Refusal::NotFound)?;
        self.check_may_post(&forum, "", Some(&author.email_domain))
            .await?;
        self.check_not_banned(&forum, author).await?;
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
            content_html: rendering::markdown_with_mentions(
                body.clone(),
                "body",
                mentions::links(&mentions),
            )
            .await?,
            source: body,
            context_url: thread.context_url.clone(),
            published_at: self.clock().now_ms(),
            local: true,
        };
        self.publish_new_post(&forum, &actor, new, Some(&parent.ap_id), &mentions, claim)
            .await
    }

    async fn publish_new_post(
        &self,
        forum: &ForumRow,
        actor: &ActorRow,
        new: NewPost,
        in_reply_to: Option<&str>,
        mentions: &[Mention],
        claim: Option<&ReplyMailClaim>,
    ) -> DomainResult<PostRow> {
        let mut tx = self.store.begin().await?;
        super::mail_replies::record_claim(&mut tx, claim).await?;
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
            refused_at: None,
            refused_reason: None,
            locked: false,
            pinned: false,
            last_activity_at: new.published_at,
            local: true,
        };
        let mut object = outgoing::post_object(
            &stored,
            &actor.ap_id,
            &forum.actor.ap_id,
            in_reply_to,
            self.settings.instance.trust_level,
        )
        .ok_or_else(|| DomainError::Internal("invalid post URL".into()))?;
        outgoing::add_mentions(&mut object, mentions);
        let object = outbox::json_of(&object)?;
        let activity_id = new_activity_id(&self.settings.base_url());
        let activity = to_json(&outgoing::in_forum(
            ActivityKind::Create,
            &activity_id,
            &actor.ap_id,
            &forum.actor.ap_id,
            object,
        )?)?;
        self.distribute_to(
            &mut tx,
            forum,
            actor,
            &activity_id,
            &activity,
            &mentions::inboxes(mentions),
        )
        .await?;
        super::notifications::notify_new_post(&mut tx, id, &new, &mentions::local_actors(mentions))
            .await?;
        crate::domain::store::mail_lists::queue_forum_post(&mut tx, id, forum.actor.id, actor.id)
            .await?;
        super::live::reply_stored(&mut tx, id, new.kind, new.thread_id).await?;
        match new.thread_id {
            Some(thread) if new.kind == PostKind::Reply => {
                // The thread's pages are patched, not read again.
                self.reply_expected(id);
                tx.commit().await?;
                self.reply_committed(thread, id).await;
            }
            _ => crate::domain::store::commit(tx).await?,
        }
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
            return Err(Refusal::ForumIsLocal.into());
        }
        let actor = self.author_actor(person).await?;
        if let Some(existing) = self.store.follow(actor.id, forum.actor.id).await? {
            if existing.state == FollowState::Accepted {
                return Ok(());
            }
        }
        let id = new_activity_id(&self.settings.base_url());
        let follow = to_json(&outgoing::follow(&id, &actor.ap_id, &forum.actor.ap_id)?)?;
        let mut tx = self.store.begin().await?;
        forums::upsert_follow(&mut tx, actor.id, forum.actor.id, FollowState::Pending, &id).await?;
        queue(
            &mut tx,
            &id,
            actor.id,
            &follow,
            std::slice::from_ref(&forum.actor.inbox),
        )
        .await?;
        crate::domain::store::commit(tx).await?;
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
        let follow = outgoing::follow(&existing.activity_id, &actor.ap_id, &forum.actor.ap_id)?;
        let id = new_activity_id(&base);
        let undo = to_json(&outgoing::undo(&id, &follow)?)?;
        let mut tx = self.store.begin().await?;
        forums::delete_follow(&mut tx, actor.id, forum.actor.id).await?;
        if !forum.actor.is_local() {
            queue(
                &mut tx,
                &id,
                actor.id,
                &undo,
                std::slice::from_ref(&forum.actor.inbox),
            )
            .await?;
        }
        crate::domain::store::commit(tx).await?;
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
