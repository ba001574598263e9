//! Changing what members shared in a project space: a post's text, an
//! event's details, a document's name, and deleting any of them (deleting
//! a document removes its files here).
//!
//! Authors change and delete their own items; the project's owners and
//! moderators may delete anyone's. Every change is sent like the item
//! itself (see [`super::project_content`]): an `Update` carrying the
//! changed object, or a `Delete` carrying a `Tombstone`, from the host
//! announced to every member's instance, from elsewhere sent to the
//! host. Edits carry their time in `updated`; an edit older than the one
//! stored never wins.

use super::{
    inbox::Applied,
    mentions,
    outbox::{self, new_activity_id, project as project_objects, to_json, url},
    project_content::{tagged_post_object, ReceivedObject, MAX_POST_BODY},
    project_events::{parse_time, EventInput},
    rendering, validate, Domain, DomainError, DomainResult, Refusal,
};
use crate::domain::store::{
    accounts::AccountRow,
    actors::{ActorId, ActorRow},
    project_changes::{self, EventChange, PostChange},
    project_content::{EventRow, ProjectPostRow},
    projects::ProjectRow,
    Tx,
};
use preau_federation::{
    activities::{Activity, ActivityKind},
    objects::Tombstone,
};
use serde_json::Value;

mod apply;
use apply::{apply_update, object_ap_id};

/// A change received from another instance (already parsed and checked
/// against the activity's actor).
#[derive(Debug, Clone)]
pub enum ReceivedChange {
    /// The changed object, and when it was changed (unix ms).
    Update(Box<ReceivedObject>, i64),
    /// A document's new name: the id of one of its versions, the name,
    /// when it was changed (unix ms).
    Rename(String, String, i64),
    /// The ActivityPub id of the object deleted.
    Delete(String),
}

/// One shared item of a project, as a change names it.
enum Item {
    Post(ProjectPostRow),
    Event(EventRow),
    Document(i64, ActorId),
}

fn rfc3339(ms: i64) -> String {
    chrono::DateTime::from_timestamp_millis(ms)
        .map(|time| time.to_rfc3339_opts(chrono::SecondsFormat::Millis, true))
        .unwrap_or_default()
}

impl Domain {
    /// The member's actor, allowed to change an item by `author`: its
    /// author only (`not_content_author`), or, when `deleting`, a
    /// moderator or owner of the project too.
    async fn require_changer(
        &self,
        account: &AccountRow,
        project: &ProjectRow,
        author: ActorId,
        deleting: bool,
    ) -> DomainResult<ActorRow> {
        let (actor, member) = self.require_member(account, project).await?;
        if actor.id == author || (deleting && member.is_moderator()) {
            Ok(actor)
        } else {
            Err(Refusal::NotContentAuthor.into())
        }
    }

    /// A post of `project` by id (`not_found` otherwise, or when deleted).
    pub async fn project_post_in(
        &self,
        project: &ProjectRow,
        id: i64,
    ) -> DomainResult<ProjectPostRow> {
        self.store
            .project_post(id)
            .await?
            .filter(|p| p.project_id == project.actor.id && p.deleted_at.is_none())
            .ok_or_else(|| Refusal::NotFound.into())
    }

    /// An event of `project` by id.
    pub async fn project_event_in(&self, project: &ProjectRow, id: i64) -> DomainResult<EventRow> {
        self.store
            .event(id)
            .await?
            .filter(|e| e.project_id == project.actor.id && e.deleted_at.is_none())
            .ok_or_else(|| Refusal::NotFound.into())
    }

    /// The author edits a post of the project's forum.
    pub async fn edit_project_post(
        &self,
        account: &AccountRow,
        project: &ProjectRow,
        id: i64,
        title: &str,
        body: &str,
    ) -> DomainResult<ProjectPostRow> {
        let post = self.project_post_in(project, id).await?;
        let author = self
            .require_changer(account, project, post.author_id, false)
            .await?;
        self.check_member_level(project, &author).await?;
        let title = if post.thread_id.is_none() {
            let title = validate::name(title, 200, "title")?;
            if title.is_empty() {
                return Err(Refusal::FieldRequired("title".into()).into());
            }
            title
        } else {
            String::new()
        };
        let body = validate::text(body, MAX_POST_BODY, "body")?;
        if body.is_empty() {
            return Err(Refusal::FieldRequired("body".into()).into());
        }
        let mentions = self.known_mentions(&body).await?;
        let html =
            rendering::markdown_with_mentions(body.clone(), "body", mentions::links(&mentions))
                .await?;
        let at = self.clock().now_ms();
        let mut row = post.clone();
        row.title = title;
        row.source = body;
        row.content_html = html;
        let parent = match post.in_reply_to_id {
            Some(parent) => self.store.project_post(parent).await?.map(|p| p.ap_id),
            None => None,
        };
        let mut object = tagged_post_object(
            &row,
            &author.ap_id,
            &project.actor.ap_id,
            parent.as_deref(),
            &mentions,
        )?;
        object.updated = Some(rfc3339(at));
        let mut tx = self.store.begin().await?;
        let change = PostChange {
            title: &row.title,
            source: &row.source,
            content_html: &row.content_html,
            at,
        };
        project_changes::change_post(&mut tx, row.id, &change).await?;
        self.send_update(&mut tx, project, &author, outbox::json_of(&object)?, None)
            .await?;
        crate::domain::store::commit(tx).await?;
        self.after_commit();
        Ok(row)
    }

    /// The author changes an event (who it is for stays).
    pub async fn edit_project_event(
        &self,
        account: &AccountRow,
        project: &ProjectRow,
        id: i64,
        input: &EventInput,
    ) -> DomainResult<EventRow> {
        let event = self.project_event_in(project, id).await?;
        let author = self
            .require_changer(account, project, event.author_id, false)
            .await?;
        self.check_member_level(project, &author).await?;
        let title = validate::name(&input.title, 200, "title")?;
        if title.is_empty() {
            return Err(Refusal::FieldRequired("title".into()).into());
        }
        let description = validate::text(&input.description, 5000, "description")?;
        let zone = match input.time_zone.as_deref().map(str::trim) {
            Some(name) => crate::dates::parse_zone(name)
                .ok_or_else(|| Refusal::UnknownTimeZone("time_zone".into()))?,
            None => chrono_tz::UTC,
        };
        let starts_at = parse_time(&input.starts, "starts", zone)?;
        let ends_at = if input.ends.trim().is_empty() {
            starts_at + 3_600_000
        } else {
            parse_time(&input.ends, "ends", zone)?
        };
        if ends_at < starts_at {
            return Err(Refusal::EndsBeforeStart("ends".into()).into());
        }
        let location = validate::name(&input.location, 200, "location")?;
        let meeting_url = validate::text(&input.meeting_url, 500, "meeting_url")?;
        if !meeting_url.is_empty()
            && !url::Url::parse(&meeting_url).is_ok_and(|u| matches!(u.scheme(), "http" | "https"))
        {
            return Err(Refusal::InvalidUrl("meeting_url".into()).into());
        }
        let mut row = event.clone();
        row.title = title;
        row.description_html = rendering::markdown(description.clone(), "description").await?;
        row.description_source = description;
        row.starts_at = starts_at;
        row.ends_at = ends_at;
        row.location = location;
        row.meeting_url = meeting_url;
        let at = self.clock().now_ms();
        let attendees = self.store.event_attendees(row.id).await?;
        let attendee_ids: Vec<String> = attendees.iter().map(|a| a.ap_id.clone()).collect();
        let mut object =
            project_objects::event_object(&row, &author.ap_id, &project.actor.ap_id, &attendee_ids)
                .ok_or_else(|| DomainError::Internal("invalid event URL".into()))?;
        object.updated = Some(rfc3339(at));
        let for_some: Option<Vec<ActorId>> =
            (!row.for_all).then(|| attendees.iter().map(|a| a.id).collect());
        let mut tx = self.store.begin().await?;
        let change = EventChange {
            title: &row.title,
            description_source: &row.description_source,
            description_html: &row.description_html,
            starts_at,
            ends_at,
            location: &row.location,
            meeting_url: &row.meeting_url,
            at,
        };
        project_changes::change_event(&mut tx, row.id, &change).await?;
        let object = outbox::json_of(&object)?;
        self.send_update(&mut tx, project, &author, object, for_some.as_deref())
            .await?;
        crate::domain::store::commit(tx).await?;
        self.after_commit();
        Ok(row)
    }

    /// The author renames a shared document (its latest version is sent
    /// with the new name).
    pub async fn rename_project_document(
        &self,
        account: &AccountRow,
        project: &ProjectRow,
        id: i64,
        name: &str,
    ) -> DomainResult<()> {
        let (document, author_id) = self.project_document_in(project, id).await?;
        let author = self
            .require_changer(account, project, author_id, false)
            .await?;
        self.check_member_level(project, &author).await?;
        let name = validate::name(name, 200, "name")?;
        if name.is_empty() {
            return Err(Refusal::FieldRequired("name".into()).into());
        }
        let latest = self
            .store
            .latest_version(document.id)
            .await?
            .ok_or(Refusal::NotFound)?;
        let first = (latest.ap_id != document.ap_id).then_some(document.ap_id.as_str());
        let mut object = project_objects::document_object(
            &latest,
            &name,
            first,
            &author.ap_id,
            &project.actor.ap_id,
        )
        .ok_or_else(|| DomainError::Internal("invalid document URL".into()))?;
        let at = self.clock().now_ms();
        object.updated = Some(rfc3339(at));
        let mut tx = self.store.begin().await?;
        project_changes::rename_document(&mut tx, document.id, &name, at).await?;
        self.send_update(&mut tx, project, &author, outbox::json_of(&object)?, None)
            .await?;
        crate::domain::store::commit(tx).await?;
        self.after_commit();
        Ok(())
    }

    /// A document of `project` by id, with its author.
    pub async fn project_document_in(
        &self,
        project: &ProjectRow,
        id: i64,
    ) -> DomainResult<(crate::domain::store::project_content::DocumentRow, ActorId)> {
        let document = self
            .store
            .document(id)
            .await?
            .filter(|d| d.project_id == project.actor.id)
            .ok_or(Refusal::NotFound)?;
        let author = self
            .store
            .document_author(document.id)
            .await?
            .ok_or(Refusal::NotFound)?;
        Ok((document, author))
    }

    /// Deletes a post (its author, or a moderator of the project).
    pub async fn delete_project_post(
        &self,
        account: &AccountRow,
        project: &ProjectRow,
        id: i64,
    ) -> DomainResult<ProjectPostRow> {
        let post = self.project_post_in(project, id).await?;
        let actor = self
            .require_changer(account, project, post.author_id, true)
            .await?;
        let kind = if post.thread_id.is_none() {
            "Page"
        } else {
            "Note"
        };
        self.delete_item(project, &actor, Item::Post(post.clone()), &post.ap_id, kind)
            .await?;
        Ok(post)
    }

    /// Deletes an event (its author, or a moderator of the project).
    pub async fn delete_project_event(
        &self,
        account: &AccountRow,
        project: &ProjectRow,
        id: i64,
    ) -> DomainResult<()> {
        let event = self.project_event_in(project, id).await?;
        let actor = self
            .require_changer(account, project, event.author_id, true)
            .await?;
        let ap_id = event.ap_id.clone();
        self.delete_item(project, &actor, Item::Event(event), &ap_id, "Event")
            .await
    }

    /// Deletes a document and its files here (its author, or a moderator
    /// of the project).
    pub async fn delete_project_document(
        &self,
        account: &AccountRow,
        project: &ProjectRow,
        id: i64,
    ) -> DomainResult<()> {
        let (document, author) = self.project_document_in(project, id).await?;
        let actor = self.require_changer(account, project, author, true).await?;
        let item = Item::Document(document.id, author);
        self.delete_item(project, &actor, item, &document.ap_id, "Document")
            .await
    }

    /// Deletes `item` here and sends the `Delete`.
    async fn delete_item(
        &self,
        project: &ProjectRow,
        actor: &ActorRow,
        item: Item,
        ap_id: &str,
        former_type: &str,
    ) -> DomainResult<()> {
        let at = self.clock().now_ms();
        let mut tombstone = Tombstone::new(url(ap_id)?, None, Some(rfc3339(at)));
        tombstone.former_type = Some(former_type.to_string());
        let for_some = match &item {
            Item::Event(event) if !event.for_all => Some(
                self.store
                    .event_attendees(event.id)
                    .await?
                    .iter()
                    .map(|a| a.id)
                    .collect::<Vec<_>>(),
            ),
            _ => None,
        };
        let mut tx = self.store.begin().await?;
        let files = self.delete_stored(&mut tx, &item, at).await?;
        let id = new_activity_id(&self.settings.base_url());
        let activity = to_json(&Activity::in_project(
            ActivityKind::Delete,
            url(&id)?,
            url(&actor.ap_id)?,
            outbox::json_of(&tombstone)?,
            [crate::urls::project_members_of(&project.actor.ap_id)],
            &url(&project.actor.ap_id)?,
        ))?;
        self.distribute_in_project(&mut tx, project, actor, &id, &activity, for_some.as_deref())
            .await?;
        crate::domain::store::commit(tx).await?;
        self.remove_files(&files).await;
        self.after_commit();
        Ok(())
    }

    /// Marks `item` deleted; the storage keys of files to remove.
    async fn delete_stored(&self, tx: &mut Tx, item: &Item, at: i64) -> DomainResult<Vec<String>> {
        Ok(match item {
            Item::Post(post) => {
                project_changes::delete_post(tx, post.id, at).await?;
                Vec::new()
            }
            Item::Event(event) => {
                project_changes::delete_event(tx, event.id, at).await?;
                Vec::new()
            }
            Item::Document(id, _) => project_changes::delete_document(tx, *id, at)
                .await?
                .unwrap_or_default(),
        })
    }

    /// Removes deleted documents' files (a file already gone is fine).
    async fn remove_files(&self, keys: &[String]) {
        let dir = self.files_dir();
        for key in keys {
            if let Err(error) = tokio::fs::remove_file(dir.join(key)).await {
                if error.kind() != std::io::ErrorKind::NotFound {
                    tracing::warn!(%error, key, "document file not removed");
                }
            }
        }
    }

    /// Sends an `Update` of `object` by its author.
    async fn send_update(
        &self,
        tx: &mut Tx,
        project: &ProjectRow,
        author: &ActorRow,
        object: Value,
        for_some: Option<&[ActorId]>,
    ) -> DomainResult<()> {
        let id = new_activity_id(&self.settings.base_url());
        let mut activity =
            project_objects::create(&id, &author.ap_id, &project.actor.ap_id, object)?;
        activity.kind = ActivityKind::Update;
        let activity = to_json(&activity)?;
        self.distribute_in_project(tx, project, author, &id, &activity, for_some)
            .await
    }

    /// Applies a change received for `project` from `actor` (already
    /// checked: the actor signed it, or the host relayed it): an update
    /// must be by the item's author; a deletion by its author, a
    /// moderator of the project, or the project itself. On the host, the
    /// project announces `activity` to its members.
    pub(crate) async fn receive_project_change(
        &self,
        received: &str,
        project: &ProjectRow,
        actor: &ActorRow,
        change: ReceivedChange,
        activity: &Value,
    ) -> DomainResult<Applied> {
        let ap_id = match &change {
            ReceivedChange::Update(object, _) => object_ap_id(object).to_string(),
            ReceivedChange::Rename(id, ..) | ReceivedChange::Delete(id) => id.clone(),
        };
        let Some(item) = self.item_by_ap_id(project, &ap_id).await? else {
            return Ok(Applied::Ignored);
        };
        let author = match &item {
            Item::Post(post) => post.author_id,
            Item::Event(event) => event.author_id,
            Item::Document(_, author) => *author,
        };
        let allowed = actor.id == author
            || match &change {
                ReceivedChange::Update(..) | ReceivedChange::Rename(..) => false,
                ReceivedChange::Delete(_) => {
                    actor.id == project.actor.id
                        || self
                            .store
                            .member(project.actor.id, actor.id)
                            .await?
                            .is_some_and(|m| m.is_moderator())
                }
            };
        if !allowed {
            return Err(Refusal::NotContentAuthor.into());
        }
        let Some(mut tx) = self.begin_applying(received).await? else {
            return Ok(Applied::Duplicate);
        };
        let mut files = Vec::new();
        let for_some = match &item {
            Item::Event(event) if !event.for_all => Some(
                self.store
                    .event_attendees(event.id)
                    .await?
                    .iter()
                    .map(|a| a.id)
                    .collect::<Vec<_>>(),
            ),
            _ => None,
        };
        let applied = match change {
            ReceivedChange::Delete(_) => {
                files = self
                    .delete_stored(&mut tx, &item, self.clock().now_ms())
                    .await?;
                true
            }
            ReceivedChange::Update(object, at) => apply_update(&mut tx, &item, *object, at).await?,
            ReceivedChange::Rename(_, name, at) => match &item {
                Item::Document(id, _) => {
                    project_changes::rename_document(&mut tx, *id, &name, at).await?
                }
                _ => return Err(Refusal::NotFound.into()),
            },
        };
        if applied && project.actor.is_local() {
            let inboxes = match &for_some {
                Some(people) => {
                    let mut wanted = people.clone();
                    wanted.push(author);
                    crate::domain::store::projects::inboxes_of(&mut tx, &wanted).await?
                }
                None => {
                    crate::domain::store::projects::member_inboxes(&mut tx, project.actor.id)
                        .await?
                }
            };
            self.announce_in(&mut tx, project, activity, &inboxes)
                .await?;
        }
        crate::domain::store::commit(tx).await?;
        self.remove_files(&files).await;
        self.after_commit();
        Ok(if applied {
            Applied::Applied
        } else {
            Applied::Ignored
        })
    }

    /// The item of `project` an ActivityPub id names: a post, an event, a
    /// document (its first version's id, or any version's).
    async fn item_by_ap_id(&self, project: &ProjectRow, ap_id: &str) -> DomainResult<Option<Item>> {
        let ours = project.actor.id;
        if let Some(post) = self.store.project_post_by_ap_id(ap_id).await? {
            return Ok(
                (post.project_id == ours && post.deleted_at.is_none()).then_some(Item::Post(post))
            );
        }
        if let Some(event) = self.store.event_by_ap_id(ap_id).await? {
            return Ok((event.project_id == ours && event.deleted_at.is_none())
                .then_some(Item::Event(event)));
        }
        let document = match self.store.document_by_ap_id(ap_id).await? {
            Some(document) => Some(document),
            None => match self.store.version_by_ap_id(ap_id).await? {
                Some(version) => self.store.document(version.document_id).await?,
                None => None,
            },
        };
        let Some(document) = document.filter(|d| d.project_id == ours) else {
            return Ok(None);
        };
        Ok(self
            .store
            .document_author(document.id)
            .await?
            .map(|author| Item::Document(document.id, author)))
    }
}
