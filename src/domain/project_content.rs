//! What members share inside a project space, and who may see it: the
//! internal forum, shared documents (with versions) and the agenda.
//!
//! Everything is members-only. Written on the project's host, an object
//! is announced by the project to its members' instances; written by a
//! member of another instance, it is stored there and sent to the project,
//! which announces it in turn. Document bytes stay on the instance where
//! they were uploaded and are read by the others with signed fetches.
//!
//! This module holds the permissions, the internal forum, how objects are
//! distributed and what is stored from other instances; documents are in
//! [`super::project_documents`], events in [`super::project_events`]
//! (their public items are re-exported here).

use super::mentions;
use super::notify_events::{notify_project_news, notify_project_post, ProjectNews};
use super::{
    inbox::Applied,
    outbox::{self, new_activity_id, project as project_objects, queue, to_json},
    rendering, validate, Domain, DomainError, DomainResult, Refusal,
};
use crate::domain::store::notifications::NotificationKind;
use crate::domain::store::reply_mails::ReplyMailClaim;
use crate::{
    domain::store::{
        accounts::AccountRow,
        actors::{ActorId, ActorRow},
        project_content::{self, NewEvent, NewProjectPost, NewVersion, ProjectPostRow},
        projects::{self, MemberRow, ProjectRow},
        Tx,
    },
    urls,
};
use serde_json::Value;

pub use super::project_documents::{
    accepted_extensions, clean_file_name, media_type_of, sha256_hex, Upload, DOCUMENT_TYPES,
};
pub use super::project_events::{parse_time, EventInput};

/// Longest post body, in characters.
pub const MAX_POST_BODY: usize = 20_000;

impl Domain {
    /// The membership of a local account, required to be current.
    pub async fn require_member(
        &self,
        account: &AccountRow,
        project: &ProjectRow,
    ) -> DomainResult<(ActorRow, MemberRow)> {
        let actor = self.actor_of(account).await?;
        let row = self
            .store
            .member(project.actor.id, actor.id)
            .await?
            .filter(MemberRow::is_member)
            .ok_or(Refusal::NotProjectMember)?;
        Ok((actor, row))
    }

    /// A member who may write in a project now: a member whose label still
    /// reaches the project's minimum.
    pub async fn require_writer(
        &self,
        account: &AccountRow,
        project: &ProjectRow,
    ) -> DomainResult<ActorRow> {
        let (actor, _) = self.require_member(account, project).await?;
        self.check_member_level(project, &actor).await?;
        Ok(actor)
    }

    /// Writes an activity about a members-only object: on the host, the
    /// project announces it to its members' instances; elsewhere, it goes
    /// to the project.
    /// `for_some` lists the people an event for a sub-group is for: only
    /// their instances (and the author's) get it.
    pub(super) async fn distribute_in_project(
        &self,
        tx: &mut Tx,
        project: &ProjectRow,
        author: &ActorRow,
        activity_id: &str,
        activity: &Value,
        for_some: Option<&[ActorId]>,
    ) -> DomainResult<()> {
        if project.actor.is_local() {
            let inboxes = self.audience_inboxes(tx, project, author, for_some).await?;
            self.announce_in(tx, project, activity, &inboxes).await
        } else {
            queue(
                tx,
                activity_id,
                author.id,
                activity,
                std::slice::from_ref(&project.actor.inbox),
            )
            .await?;
            Ok(())
        }
    }

    /// The instances a project object goes to from its host: those of every
    /// member, or, for an event for some people, theirs and the author's.
    async fn audience_inboxes(
        &self,
        tx: &mut Tx,
        project: &ProjectRow,
        author: &ActorRow,
        for_some: Option<&[ActorId]>,
    ) -> DomainResult<Vec<String>> {
        let Some(people) = for_some else {
            return Ok(projects::member_inboxes(tx, project.actor.id).await?);
        };
        let mut wanted: Vec<ActorId> = people.to_vec();
        wanted.push(author.id);
        Ok(projects::inboxes_of(tx, &wanted).await?)
    }

    /// A member opens a thread in the project's forum.
    pub async fn post_project_thread(
        &self,
        account: &AccountRow,
        project: &ProjectRow,
        title: &str,
        body: &str,
    ) -> DomainResult<ProjectPostRow> {
        let title = validate::name(title, 200, "title")?;
        if title.is_empty() {
            return Err(Refusal::FieldRequired("title".into()).into());
        }
        self.publish_project_post(account, project, title, body, None, None)
            .await
    }

    /// A member replies in a thread of the project's forum.
    pub async fn reply_project_post(
        &self,
        account: &AccountRow,
        project: &ProjectRow,
        parent: &ProjectPostRow,
        body: &str,
    ) -> DomainResult<ProjectPostRow> {
        self.reply_project_post_claiming(account, project, parent, body, None)
            .await
    }

    /// [`Domain::reply_project_post`], recording `claim` (a reply by mail)
    /// in the reply's own transaction: `reply_already_posted` when it was
    /// recorded already, and nothing is posted.
    pub(crate) async fn reply_project_post_claiming(
        &self,
        account: &AccountRow,
        project: &ProjectRow,
        parent: &ProjectPostRow,
        body: &str,
        claim: Option<&ReplyMailClaim>,
    ) -> DomainResult<ProjectPostRow> {
        if parent.project_id != project.actor.id {
            return Err(Refusal::NotFound.into());
        }
        if parent.deleted_at.is_some() {
            return Err(Refusal::PostDeleted.into());
        }
        self.publish_project_post(account, project, String::new(), body, Some(parent), claim)
            .await
    }

    async fn publish_project_post(
        &self,
        account: &AccountRow,
        project: &ProjectRow,
        title: String,
        body: &str,
        parent: Option<&ProjectPostRow>,
        claim: Option<&ReplyMailClaim>,
    ) -> DomainResult<ProjectPostRow> {
        let body = validate::text(body, MAX_POST_BODY, "body")?;
        if body.is_empty() {
            return Err(Refusal::FieldRequired("body".into()).into());
        }
        let mentions = self.known_mentions(&body).await?;
        let author = self.require_writer(account, project).await?;
        let base = self.settings.base_url();
        let new = NewProjectPost {
            ap_id: urls::project_object(&base, &urls::random_token()),
            project_id: project.actor.id,
            thread_id: parent.map(|p| p.thread_id.unwrap_or(p.id)),
            in_reply_to_id: parent.map(|p| p.id),
            author_id: author.id,
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
        let mut tx = self.store.begin().await?;
        super::mail_replies::record_claim(&mut tx, claim).await?;
        let id = project_content::insert_post(&mut tx, &new).await?;
        notify_project_post(
            &mut tx,
            project,
            id,
            &new,
            &mentions::local_actors(&mentions),
        )
        .await?;
        super::live::project_reply_stored(&mut tx, id, new.thread_id).await?;
        let row = ProjectPostRow {
            id,
            ap_id: new.ap_id.clone(),
            project_id: new.project_id,
            thread_id: new.thread_id,
            in_reply_to_id: new.in_reply_to_id,
            author_id: new.author_id,
            title: new.title.clone(),
            source: new.source.clone(),
            content_html: new.content_html.clone(),
            published_at: new.published_at,
            deleted_at: None,
            refused_at: None,
            refused_reason: None,
            last_activity_at: new.published_at,
            local: true,
        };
        // Tags only: the post goes to the members' instances alone (never
        // to a mentioned person's inbox), and each notifies only the
        // members among the people named.
        let object = tagged_post_object(
            &row,
            &author.ap_id,
            &project.actor.ap_id,
            parent.map(|p| p.ap_id.as_str()),
            &mentions,
        )?;
        let object = outbox::json_of(&object)?;
        let activity_id = new_activity_id(&base);
        let activity = to_json(&project_objects::create(
            &activity_id,
            &author.ap_id,
            &project.actor.ap_id,
            object,
        )?)?;
        self.distribute_in_project(&mut tx, project, &author, &activity_id, &activity, None)
            .await?;
        crate::domain::store::mail_lists::queue_project_post(
            &mut tx,
            id,
            project.actor.id,
            author.id,
        )
        .await?;
        crate::domain::store::commit(tx).await?;
        self.after_commit();
        Ok(row)
    }

    /// The wire object of project post `post` as it is sent, served and
    /// listed: with the `Mention` tags of the people its text names (those
    /// known here), so that an instance reading it later (a member's
    /// instance fetching the project's past) notifies them as a delivery
    /// would have.
    pub async fn project_post_object(
        &self,
        post: &ProjectPostRow,
        author: &str,
        project: &str,
        in_reply_to: Option<&str>,
    ) -> DomainResult<preau_federation::objects::Post> {
        let mentions = match post.local {
            true => self.known_mentions(&post.source).await?,
            false => Vec::new(),
        };
        tagged_post_object(post, author, project, in_reply_to, &mentions)
    }

    /// Stores a members-only object received for `project` (already
    /// checked: its author is `author`, a member) in the transaction that
    /// records `received`; on the host, the project announces `activity`.
    pub(crate) async fn receive_project_object(
        &self,
        received: &str,
        project: &ProjectRow,
        author: &ActorRow,
        object: ReceivedObject,
        activity: &Value,
    ) -> DomainResult<Applied> {
        self.store_project_object(Some(received), project, author, object, activity, true)
            .await
    }

    /// Stores a members-only object; `live` is false for what a member's
    /// instance fetches of a project's past (see `project_backfill`): it is
    /// stored as it was, without notifications, mails or announces.
    pub(crate) async fn store_project_object(
        &self,
        received: Option<&str>,
        project: &ProjectRow,
        author: &ActorRow,
        object: ReceivedObject,
        activity: &Value,
        live: bool,
    ) -> DomainResult<Applied> {
        // An instance that lost the level the project requires cannot
        // write in it any more (nothing already there is deleted).
        self.check_member_level(project, author).await?;
        let mut for_some: Option<Vec<ActorId>> = None;
        // (kind, name, ActivityPub id) of an event or document, for news.
        let mut news: Option<(NotificationKind, String, String)> = None;
        // Each kind reads what it needs, then begins its transaction: on
        // SQLite a read on the pool while holding the write lock can wait
        // for a connection that waits for the lock (see `Store::pool`).
        let mut tx = match object {
            ReceivedObject::Post {
                mut post,
                in_reply_to,
                mentions,
            } => {
                let mentioned = self.local_mentioned_hrefs(&mentions).await?;
                if self
                    .store
                    .project_post_by_ap_id(&post.ap_id)
                    .await?
                    .is_some()
                {
                    return Ok(Applied::Ignored);
                }
                if let Some(parent) = in_reply_to {
                    let parent = self
                        .store
                        .project_post_by_ap_id(&parent)
                        .await?
                        .filter(|p| p.project_id == project.actor.id)
                        .ok_or(Refusal::ParentUnknown)?;
                    post.thread_id = Some(parent.thread_id.unwrap_or(parent.id));
                    post.in_reply_to_id = Some(parent.id);
                }
                post.author_id = author.id;
                post.project_id = project.actor.id;
                let Some(mut tx) = self.begin_applying(received).await? else {
                    return Ok(Applied::Duplicate);
                };
                let id = project_content::insert_post(&mut tx, &post).await?;
                if live {
                    notify_project_post(&mut tx, project, id, &post, &mentioned).await?;
                    crate::domain::store::mail_lists::queue_project_post(
                        &mut tx,
                        id,
                        project.actor.id,
                        author.id,
                    )
                    .await?;
                }
                super::live::project_reply_stored(&mut tx, id, post.thread_id).await?;
                tx
            }
            ReceivedObject::Document {
                mut version,
                name,
                version_of,
            } => {
                // This instance's own limits apply to what it relays and
                // lists, whatever the sender's are.
                let limits = &self.settings.projects;
                if !limits.document_types.contains(&version.media_type) {
                    return Err(Refusal::DocumentTypeRefused.into());
                }
                if version.size as u64 > limits.max_document_bytes {
                    return Err(Refusal::DocumentTooLarge.into());
                }
                if self.store.version_by_ap_id(&version.ap_id).await?.is_some() {
                    return Ok(Applied::Ignored);
                }
                version.author_id = author.id;
                news = Some((
                    NotificationKind::NewDocument,
                    name.clone(),
                    version.ap_id.clone(),
                ));
                let existing = match &version_of {
                    Some(first) => self
                        .store
                        .document_by_ap_id(first)
                        .await?
                        .filter(|d| d.project_id == project.actor.id),
                    None => None,
                };
                let Some(mut tx) = self.begin_applying(received).await? else {
                    return Ok(Applied::Duplicate);
                };
                match existing {
                    Some(document) => {
                        project_content::insert_version(
                            &mut tx,
                            project.actor.id,
                            document.id,
                            &version,
                        )
                        .await?;
                    }
                    None => {
                        project_content::insert_document(
                            &mut tx,
                            project.actor.id,
                            &name,
                            &version,
                        )
                        .await?;
                    }
                }
                tx
            }
            ReceivedObject::Event {
                mut event,
                attendees,
            } => {
                if self.store.event_by_ap_id(&event.ap_id).await?.is_some() {
                    return Ok(Applied::Ignored);
                }
                event.author_id = author.id;
                event.project_id = project.actor.id;
                // People this instance does not know are not matched, but
                // an event for some stays for some.
                event.for_all = attendees.is_empty();
                for ap_id in attendees {
                    if let Some(actor) = self.store.actor_by_ap_id(&ap_id).await? {
                        event.attendees.push(actor.id);
                    }
                }
                for_some = (!event.for_all).then(|| event.attendees.clone());
                news = Some((
                    NotificationKind::NewEvent,
                    event.title.clone(),
                    event.ap_id.clone(),
                ));
                let Some(mut tx) = self.begin_applying(received).await? else {
                    return Ok(Applied::Duplicate);
                };
                project_content::insert_event(&mut tx, &event).await?;
                tx
            }
        };
        if let Some((kind, name, key)) = news.as_ref().filter(|_| live) {
            let news = ProjectNews {
                kind: *kind,
                author: author.id,
                name,
                key,
                only: for_some.as_deref(),
            };
            notify_project_news(&mut tx, project, news).await?;
        }
        if live && project.actor.is_local() {
            let inboxes = self
                .audience_inboxes(&mut tx, project, author, for_some.as_deref())
                .await?;
            self.announce_in(&mut tx, project, activity, &inboxes)
                .await?;
        }
        crate::domain::store::commit(tx).await?;
        self.after_commit();
        Ok(Applied::Applied)
    }
}

/// A members-only object as received, ready to store (ids of the author
/// and project are filled in by [`Domain::receive_project_object`]).
#[derive(Debug, Clone)]
pub enum ReceivedObject {
    /// A thread or reply; `in_reply_to` is the parent's ActivityPub id.
    Post {
        /// The post.
        post: NewProjectPost,
        /// Its parent.
        in_reply_to: Option<String>,
        /// The actors its `Mention` tags name (the local members among
        /// them are notified).
        mentions: Vec<url::Url>,
    },
    /// A document version; `version_of` names the document.
    Document {
        /// The version.
        version: NewVersion,
        /// The document's name.
        name: String,
        /// The first version's id, for later versions.
        version_of: Option<String>,
    },
    /// An event; `attendees` are ActivityPub ids of the people it is for.
    Event {
        /// The event.
        event: NewEvent,
        /// Who it is for.
        attendees: Vec<String>,
    },
}

/// The wire object of a project post with the `Mention` tags of
/// `mentions` (the people its text names).
pub(super) fn tagged_post_object(
    post: &ProjectPostRow,
    author: &str,
    project: &str,
    in_reply_to: Option<&str>,
    mentions: &[mentions::Mention],
) -> DomainResult<preau_federation::objects::Post> {
    let mut object = project_objects::post_object(post, author, project, in_reply_to)
        .ok_or_else(|| DomainError::Internal("invalid post URL".into()))?;
    super::outbox::forum::add_mentions(&mut object, mentions);
    Ok(object)
}
