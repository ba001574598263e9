//! A project's past for a member's instance that arrives late: on the
//! host, what its content collection lists (to instances with a current
//! member only, bounded); on a member's instance, when that collection is
//! to be read (the first teacher of this instance became a member) and
//! how what it lists is stored (as it was: no notifications, no mails).
//!
//! The member's instance pulls rather than the host pushing: the host
//! already answers signed reads of members-only objects to member
//! instances, so the listing is one more such read, and the instance that
//! fetches sets its own bounds (a hostile host cannot make it fetch
//! without end), as forum backfill does.

use super::{
    inbox::Applied,
    project_content::ReceivedObject,
    project_reads::ProjectObject,
    rows::{ActorRow, ProjectRow},
    Domain, DomainResult,
};
use serde_json::Value;

/// Most threads a host lists (the most recently active).
pub const LISTED_THREADS: usize = 50;
/// Most posts (threads and replies) a host lists.
pub const LISTED_POSTS: usize = 500;
/// Most document versions a host lists (the most recently changed
/// documents first).
pub const LISTED_VERSIONS: usize = 200;
/// Most events a host lists.
pub const LISTED_EVENTS: usize = 200;

impl Domain {
    /// On the host: what a project's content collection lists for the
    /// server `host` (403 `not_a_member` unless it has a current member),
    /// parents before their replies and first versions before later ones:
    /// document versions, events `host` may see, then threads, each
    /// followed by its replies. Deleted items are left out.
    pub async fn project_content_for_host(
        &self,
        project: &ProjectRow,
        host: &str,
    ) -> DomainResult<Vec<ProjectObject>> {
        self.require_host_may_read_project(project, host).await?;
        let id = project.actor.id;
        let mut items = Vec::new();
        let mut versions = 0;
        for document in self.store.project_documents(id).await? {
            if versions >= LISTED_VERSIONS {
                break;
            }
            // Versions come newest first; the first one goes first.
            for (version, _) in document.versions.into_iter().rev() {
                if versions >= LISTED_VERSIONS {
                    break;
                }
                versions += 1;
                items.push(ProjectObject::Version(version));
            }
        }
        let mut events = 0;
        for view in self.store.project_events(id).await? {
            if events >= LISTED_EVENTS {
                break;
            }
            if self.host_may_see_event(&view.event, host).await? {
                events += 1;
                items.push(ProjectObject::Event(view.event));
            }
        }
        let mut threads: Vec<_> = self
            .store
            .project_threads(id)
            .await?
            .into_iter()
            .filter(|view| view.post.deleted_at.is_none())
            .take(LISTED_THREADS)
            .collect();
        threads.reverse();
        let mut posts = 0;
        for thread in threads {
            if posts >= LISTED_POSTS {
                break;
            }
            let thread_id = thread.post.id;
            posts += 1;
            items.push(ProjectObject::Post(thread.post));
            for reply in self.store.project_replies(thread_id).await? {
                if posts >= LISTED_POSTS {
                    break;
                }
                // A reply to a deleted reply would have no parent there.
                if reply.post.deleted_at.is_none() {
                    posts += 1;
                    items.push(ProjectObject::Post(reply.post));
                }
            }
        }
        Ok(items)
    }

    /// On a member's instance, after reading a remote project's members
    /// from its host: whether its earlier content is to be fetched now.
    /// It is when the host counts a teacher of this instance among its
    /// members and it was not fetched since this instance had none; when
    /// the host counts none, the mark is forgotten (a later first member
    /// fetches again what was missed meanwhile).
    pub async fn project_backfill_due(
        &self,
        project: &ProjectRow,
        host_counts_us: bool,
    ) -> DomainResult<bool> {
        if project.actor.is_local() {
            return Ok(false);
        }
        let done = self.store.content_backfilled_at(project.actor.id).await?;
        if !host_counts_us {
            if done.is_some() {
                self.store
                    .set_content_backfilled_at(project.actor.id, None)
                    .await?;
            }
            return Ok(false);
        }
        Ok(done.is_none())
    }

    /// Records that a remote project's earlier content was fetched.
    pub async fn mark_project_backfilled(&self, project: &ProjectRow) -> DomainResult<()> {
        Ok(self
            .store
            .set_content_backfilled_at(project.actor.id, Some(self.clock().now_ms()))
            .await?)
    }

    /// Whether a project object (post, document version or event) with
    /// this ActivityPub id is stored here.
    pub async fn is_known_project_object(&self, ap_id: &str) -> DomainResult<bool> {
        let store = &self.store;
        Ok(store.project_post_by_ap_id(ap_id).await?.is_some()
            || store.version_by_ap_id(ap_id).await?.is_some()
            || store.event_by_ap_id(ap_id).await?.is_some())
    }

    /// Stores an object of a remote project's past, already checked (its
    /// author is `author`, as the provenance rule allows): as it was, with
    /// no notification, mail or announce — unless it was written after
    /// this instance first heard of one of its members (invited or asking):
    /// then it is news that the
    /// project's own delivery may bring only after the backfill read it,
    /// and it is stored as delivered (its mentions and news notified), so
    /// that the later delivery, ignored as already known, loses nothing.
    /// A reply whose parent is unknown is refused (`parent_unknown`).
    pub(crate) async fn backfill_project_object(
        &self,
        project: &ProjectRow,
        author: &ActorRow,
        object: ReceivedObject,
    ) -> DomainResult<Applied> {
        if project.actor.is_local() {
            return Ok(Applied::Ignored);
        }
        let written_at = match &object {
            ReceivedObject::Post { post, .. } => post.published_at,
            ReceivedObject::Document { version, .. } => version.created_at,
            ReceivedObject::Event { event, .. } => event.created_at,
        };
        let joined = self
            .store
            .first_local_membership_at(project.actor.id)
            .await?;
        let news = joined.is_some_and(|at| written_at >= at);
        self.store_project_object(None, project, author, object, &Value::Null, news)
            .await
    }
}
