//! Changes to forum posts that exist: the author's edits and deletions,
//! likes, moderation (removing posts, locking and pinning threads) and
//! reports. Each change is sent to the forum, which announces it.

use super::notifications::notify;
use super::notify_events::{about_own_post, notify_report};
use super::{
    forums::MAX_TITLE,
    mentions,
    outbox::{self, forum as outgoing, new_activity_id, queue, to_json},
    rendering, validate, Domain, DomainError, DomainResult, Refusal,
};
use crate::domain::store::notifications::NotificationKind::PostRemoved;
use crate::{
    domain::store::{
        accounts::AccountRow,
        actors::ActorRow,
        forums::ForumRow,
        posts::{self, PostKind, PostRow},
        reports::{self, ReportOutcome},
        Tx,
    },
    urls,
};
use preau_federation::activities::ActivityKind;
use serde_json::Value;
/// What a moderator can do to a thread.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ThreadAction {
    /// No more replies.
    Lock,
    /// Replies again.
    Unlock,
    /// Shown first in the forum (its `featured` collection).
    Pin,
    /// Back among the others.
    Unpin,
}

impl Domain {
    async fn forum_of(&self, post: &PostRow) -> DomainResult<ForumRow> {
        self.store
            .forum(post.forum_id)
            .await?
            .ok_or_else(|| Refusal::NotFound.into())
    }

    /// Whether a local account may read a forum's reports here: its
    /// moderators, and the instance's admins for any forum (reports by
    /// members about remote forums are kept here too).
    pub async fn can_read_reports(
        &self,
        account: &AccountRow,
        forum: &ForumRow,
    ) -> DomainResult<bool> {
        Ok(account.is_admin || self.can_moderate(account, forum).await?)
    }

    /// Whether a local account may moderate a forum: its listed moderators,
    /// and the instance's admins for local forums.
    pub async fn can_moderate(&self, account: &AccountRow, forum: &ForumRow) -> DomainResult<bool> {
        if forum.actor.is_local() && account.is_admin {
            return Ok(true);
        }
        Ok(self
            .store
            .is_moderator(forum.actor.id, account.actor_id)
            .await?)
    }

    async fn announce_change(
        &self,
        forum: &ForumRow,
        actor: &ActorRow,
        kind: ActivityKind,
        object: Value,
        change: impl FnOnce(
            &mut Tx,
        ) -> futures::future::BoxFuture<
            '_,
            Result<(), crate::domain::store::StoreError>,
        >,
    ) -> DomainResult<()> {
        self.announce_change_to(forum, actor, kind, object, &[], change)
            .await
    }

    /// [`Self::announce_change`], also sent to the inboxes of the people
    /// the changed post mentions.
    async fn announce_change_to(
        &self,
        forum: &ForumRow,
        actor: &ActorRow,
        kind: ActivityKind,
        object: Value,
        mentioned: &[String],
        change: impl FnOnce(
            &mut Tx,
        ) -> futures::future::BoxFuture<
            '_,
            Result<(), crate::domain::store::StoreError>,
        >,
    ) -> DomainResult<()> {
        let id = new_activity_id(&self.settings.base_url());
        let activity = to_json(&outgoing::in_forum(
            kind,
            &id,
            &actor.ap_id,
            &forum.actor.ap_id,
            object,
        )?)?;
        let mut tx = self.store.begin().await?;
        change(&mut tx).await?;
        self.distribute_to(&mut tx, forum, actor, &id, &activity, mentioned)
            .await?;
        crate::domain::store::commit(tx).await?;
        self.after_commit();
        Ok(())
    }

    /// The author edits a post (`Update`).
    pub async fn edit_post(
        &self,
        account: &AccountRow,
        post: &PostRow,
        title: &str,
        body: &str,
    ) -> DomainResult<PostRow> {
        if post.author_id != account.actor_id {
            return Err(Refusal::Forbidden.into());
        }
        if !post.is_visible() {
            return Err(Refusal::PostDeleted.into());
        }
        let body = self.check_body(body)?;
        let title = if post.kind == PostKind::Thread {
            let title = validate::name(title, MAX_TITLE, "title")?;
            if title.is_empty() {
                return Err(Refusal::FieldRequired("title".into()).into());
            }
            title
        } else {
            String::new()
        };
        let mentions = self.known_mentions(&body).await?;
        let forum = self.forum_of(post).await?;
        let actor = self.author_actor(account).await?;
        let html =
            rendering::markdown_with_mentions(body.clone(), "body", mentions::links(&mentions))
                .await?;
        let now = self.clock().now_ms();
        let mut edited = post.clone();
        edited.title = title.clone();
        edited.source = body.clone();
        edited.content_html = html.clone();
        edited.updated_at = Some(now);
        let parent = match post.in_reply_to_id {
            Some(parent) => self.store.post(parent).await?.map(|p| p.ap_id),
            None => None,
        };
        let mut object = outgoing::post_object(
            &edited,
            &actor.ap_id,
            &forum.actor.ap_id,
            parent.as_deref(),
            self.settings.instance.trust_level,
        )
        .ok_or_else(|| DomainError::Internal("invalid post URL".into()))?;
        outgoing::add_mentions(&mut object, &mentions);
        let object = outbox::json_of(&object)?;
        let id = post.id;
        let thread = post.thread();
        let author = actor.id;
        // People newly mentioned are notified; the others were already.
        let local = mentions::local_actors(&mentions);
        self.announce_change_to(
            &forum,
            &actor,
            ActivityKind::Update,
            object,
            &mentions::inboxes(&mentions),
            move |tx| {
                Box::pin(async move {
                    posts::update_post(tx, id, &title, &body, &html, now).await?;
                    crate::domain::notifications::notify_mentions(tx, id, thread, author, &local)
                        .await?;
                    Ok(())
                })
            },
        )
        .await?;
        self.store
            .post(post.id)
            .await?
            .ok_or_else(|| Refusal::NotFound.into())
    }

    /// The author deletes a post (`Delete`; a `Tombstone` stays).
    pub async fn delete_post(&self, account: &AccountRow, post: &PostRow) -> DomainResult<()> {
        if post.author_id != account.actor_id {
            return Err(Refusal::Forbidden.into());
        }
        if post.deleted_at.is_some() {
            return Ok(());
        }
        let forum = self.forum_of(post).await?;
        let actor = self.author_actor(account).await?;
        let id = post.id;
        self.announce_change(
            &forum,
            &actor,
            ActivityKind::Delete,
            Value::String(post.ap_id.clone()),
            move |tx| {
                Box::pin(async move {
                    let now = tx.now_ms();
                    posts::mark_deleted(tx, id, now).await
                })
            },
        )
        .await
    }

    /// A teacher marks a post as helpful (`Like`), or takes it back
    /// (`Undo(Like)`).
    pub async fn like_post(
        &self,
        account: &AccountRow,
        post: &PostRow,
        helpful: bool,
    ) -> DomainResult<()> {
        if !post.is_visible() {
            return Err(Refusal::PostDeleted.into());
        }
        if post.author_id == account.actor_id {
            return Err(Refusal::OwnPost.into());
        }
        let forum = self.forum_of(post).await?;
        if helpful {
            self.check_not_banned(&forum, account).await?;
        }
        let actor = self.author_actor(account).await?;
        let already = self.store.has_liked(post.id, actor.id).await?;
        if already == helpful {
            return Ok(());
        }
        let base = self.settings.base_url();
        // A new mark gets a new id on this instance; its withdrawal embeds
        // the original `Like`, with its id, so receivers matching by id
        // find it.
        let like_id = match self.store.like_activity_id(post.id, actor.id).await? {
            Some(existing) if !helpful => existing,
            _ => format!("{}/likes/{}", actor.ap_id, urls::random_token()),
        };
        let like = outgoing::in_forum(
            ActivityKind::Like,
            &like_id,
            &actor.ap_id,
            &forum.actor.ap_id,
            Value::String(post.ap_id.clone()),
        )?;
        let (id, activity) = if helpful {
            (like_id.clone(), to_json(&like)?)
        } else {
            let id = new_activity_id(&base);
            let undo = to_json(&outgoing::undo(&id, &like)?)?;
            (id, undo)
        };
        let mut tx = self.store.begin().await?;
        if helpful {
            posts::insert_like(&mut tx, post.id, actor.id, &like_id).await?;
        } else {
            posts::delete_like(&mut tx, post.id, actor.id).await?;
        }
        self.distribute(&mut tx, &forum, &actor, &id, &activity)
            .await?;
        crate::domain::store::commit(tx).await?;
        self.after_commit();
        Ok(())
    }

    /// A moderator removes a post from a local forum, with a reason: a
    /// `Delete` by the moderator with `summary`, announced by the forum.
    /// The post's open reports are resolved with the reason as their note.
    pub async fn remove_post(
        &self,
        moderator: &AccountRow,
        post: &PostRow,
        reason: &str,
    ) -> DomainResult<()> {
        self.remove_post_closing(moderator, post, reason, None)
            .await
    }

    /// [`Domain::remove_post`], closing first the report `handled` (its
    /// id and the moderator's note) in the same transaction.
    pub(super) async fn remove_post_closing(
        &self,
        moderator: &AccountRow,
        post: &PostRow,
        reason: &str,
        handled: Option<(i64, &str)>,
    ) -> DomainResult<()> {
        let forum = self.forum_of(post).await?;
        if !forum.actor.is_local() {
            return Err(Refusal::ForumIsRemote.into());
        }
        if !self.can_moderate(moderator, &forum).await? {
            return Err(Refusal::NotModerator.into());
        }
        let reason = validate::text(reason, 500, "reason")?;
        let actor = self.author_actor(moderator).await?;
        let id = new_activity_id(&self.settings.base_url());
        let activity = to_json(
            &outgoing::in_forum(
                ActivityKind::Delete,
                &id,
                &actor.ap_id,
                &forum.actor.ap_id,
                Value::String(post.ap_id.clone()),
            )?
            .summary(reason.clone()),
        )?;
        let title = self.thread_title_of(post).await?;
        let (to, note) = about_own_post(PostRemoved, post, &title, Some(actor.id), &reason, &id);
        let mut tx = self.store.begin().await?;
        posts::mark_removed(&mut tx, post.id, &reason, self.clock().now_ms()).await?;
        if let Some((report, report_note)) = handled {
            reports::close_report(
                &mut tx,
                report,
                ReportOutcome::Resolved,
                actor.id,
                report_note,
            )
            .await?;
        }
        reports::resolve_reports_of_post(&mut tx, post.id, actor.id, &reason).await?;
        notify(&mut tx, to, note).await?;
        self.distribute(&mut tx, &forum, &actor, &id, &activity)
            .await?;
        crate::domain::store::commit(tx).await?;
        self.after_commit();
        Ok(())
    }

    /// A moderator locks, unlocks, pins or unpins a thread of a local
    /// forum: `Lock`/`Undo(Lock)`, `Add`/`Remove` to `featured`, announced.
    pub async fn moderate_thread(
        &self,
        moderator: &AccountRow,
        thread: &PostRow,
        action: ThreadAction,
    ) -> DomainResult<()> {
        if thread.kind != PostKind::Thread {
            return Err(Refusal::NotAThread.into());
        }
        let forum = self.forum_of(thread).await?;
        if !forum.actor.is_local() {
            return Err(Refusal::ForumIsRemote.into());
        }
        if !self.can_moderate(moderator, &forum).await? {
            return Err(Refusal::NotModerator.into());
        }
        let actor = self.author_actor(moderator).await?;
        let base = self.settings.base_url();
        let id = new_activity_id(&base);
        let featured = outbox::url(&format!("{}/featured", forum.actor.ap_id))?;
        let object = Value::String(thread.ap_id.clone());
        let activity = match action {
            ThreadAction::Lock => outgoing::in_forum(
                ActivityKind::Lock,
                &id,
                &actor.ap_id,
                &forum.actor.ap_id,
                object,
            )?,
            ThreadAction::Unlock => {
                let lock_id = new_activity_id(&base);
                let lock = outgoing::in_forum(
                    ActivityKind::Lock,
                    &lock_id,
                    &actor.ap_id,
                    &forum.actor.ap_id,
                    object,
                )?;
                outgoing::undo(&id, &lock)?
            }
            ThreadAction::Pin | ThreadAction::Unpin => {
                let kind = if action == ThreadAction::Pin {
                    ActivityKind::Add
                } else {
                    ActivityKind::Remove
                };
                outgoing::in_forum(kind, &id, &actor.ap_id, &forum.actor.ap_id, object)?
                    .target(&featured)
            }
        };
        let activity = to_json(&activity)?;
        let mut tx = self.store.begin().await?;
        match action {
            ThreadAction::Lock => posts::set_locked(&mut tx, thread.id, true).await?,
            ThreadAction::Unlock => posts::set_locked(&mut tx, thread.id, false).await?,
            ThreadAction::Pin => posts::set_pinned(&mut tx, thread.id, true).await?,
            ThreadAction::Unpin => posts::set_pinned(&mut tx, thread.id, false).await?,
        }
        self.distribute(&mut tx, &forum, &actor, &id, &activity)
            .await?;
        crate::domain::store::commit(tx).await?;
        self.after_commit();
        Ok(())
    }

    /// A teacher reports a post. On a local forum it lands in the
    /// moderators' queue; a remote forum receives a `Flag`; and a post by a
    /// remote author is also reported to the author's instance.
    pub async fn report_post(
        &self,
        reporter: &AccountRow,
        post: &PostRow,
        reason: &str,
    ) -> DomainResult<()> {
        let reason = validate::text(reason, 1000, "reason")?;
        if reason.is_empty() {
            return Err(Refusal::FieldRequired("reason".into()).into());
        }
        let forum = self.forum_of(post).await?;
        let actor = self.author_actor(reporter).await?;
        let author = self
            .store
            .actor_by_id(post.author_id)
            .await?
            .ok_or(Refusal::NotFound)?;
        let base = self.settings.base_url();
        let id = new_activity_id(&base);
        let instance = self.store.instance_actor().await?;
        let mut tx = self.store.begin().await?;
        posts::insert_report(
            &mut tx,
            &posts::NewReport {
                activity_id: id.clone(),
                reporter_id: actor.id,
                forum_id: Some(forum.actor.id),
                post_id: Some(post.id),
                object_ap_id: post.ap_id.clone(),
                reason: reason.clone(),
            },
        )
        .await?;
        notify_report(&mut tx, &forum, actor.id, post, &reason, &id).await?;
        if !forum.actor.is_local() {
            let flag = outgoing::flag(&id, &actor.ap_id, &forum.actor.ap_id, &post.ap_id, &reason)?;
            queue(
                &mut tx,
                &id,
                actor.id,
                &to_json(&flag)?,
                std::slice::from_ref(&forum.actor.inbox),
            )
            .await?;
        }
        if !author.is_local() && author.domain != forum.actor.domain {
            // Forwarded from the instance actor, so the author's instance
            // learns of the report without learning who made it.
            if let Some(instance) = instance {
                let forward_id = new_activity_id(&base);
                let flag = to_json(&outgoing::flag(
                    &forward_id,
                    &instance.ap_id,
                    &author.ap_id,
                    &post.ap_id,
                    &reason,
                )?)?;
                let inbox = author
                    .shared_inbox
                    .clone()
                    .unwrap_or_else(|| author.inbox.clone());
                queue(&mut tx, &forward_id, instance.id, &flag, &[inbox]).await?;
            }
        }
        crate::domain::store::commit(tx).await?;
        self.after_commit();
        Ok(())
    }
}
