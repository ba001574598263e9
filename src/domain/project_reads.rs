//! What the federation side reads about project spaces: a local project
//! by name, its members and activity for instances allowed to read them,
//! its members-only objects by token with what their documents name, and
//! who may read a sub-group event. Each read of members-only content
//! checks the reader inside.

use super::{Domain, DomainResult, Refusal};
pub use crate::domain::store::{
    actors::{ActorId, ActorRow},
    project_content::{
        DocumentRow, EventRow, NewEvent, NewProjectPost, NewVersion, ProjectPostRow, VersionRow,
    },
    projects::{
        JoinMode, LogEntry, MemberState, MemberView, NewLogEntry, NewMember, ProjectFields,
        ProjectRow, ProjectStatus, Visibility,
    },
};
use crate::urls;

/// How many entries of a project's log its activity collection lists.
pub const PROJECT_ACTIVITY_ENTRIES: i64 = 200;

/// A local members-only object, found by its id.
#[derive(Debug, Clone)]
pub enum ProjectObject {
    /// A thread or a reply.
    Post(ProjectPostRow),
    /// A version of a shared document.
    Version(VersionRow),
    /// An event.
    Event(EventRow),
}

impl ProjectObject {
    /// Whether it was deleted (versions never are, alone).
    pub fn deleted(&self) -> bool {
        match self {
            ProjectObject::Post(post) => post.deleted_at.is_some(),
            ProjectObject::Version(_) => false,
            ProjectObject::Event(event) => event.deleted_at.is_some(),
        }
    }
}

impl Domain {
    /// A project of this instance, by name.
    pub async fn project_by_name(&self, name: &str) -> DomainResult<Option<ProjectRow>> {
        Ok(self.store.local_project(name).await?)
    }

    /// Refuses (403 `not_a_member`) a server that may not read a project's
    /// members-only content.
    pub async fn require_host_may_read_project(
        &self,
        project: &ProjectRow,
        host: &str,
    ) -> DomainResult<()> {
        if self.host_may_read_project(project, host).await? {
            Ok(())
        } else {
            Err(Refusal::ServerNotAMember.into())
        }
    }

    /// A project's members, invitations and requests, for a server that
    /// may read them.
    pub async fn project_members_for_host(
        &self,
        project: &ProjectRow,
        host: &str,
    ) -> DomainResult<Vec<MemberView>> {
        self.require_host_may_read_project(project, host).await?;
        Ok(self.store.project_members(project.actor.id).await?)
    }

    /// A project's latest log entries, newest first, for a server that
    /// may read them.
    pub async fn project_log_for_host(
        &self,
        project: &ProjectRow,
        host: &str,
    ) -> DomainResult<Vec<LogEntry>> {
        self.require_host_may_read_project(project, host).await?;
        Ok(self
            .store
            .project_log(project.actor.id, PROJECT_ACTIVITY_ENTRIES)
            .await?)
    }

    /// Refuses (403 `not_project_member`) an actor who is not a current
    /// member of a project.
    pub async fn require_project_member_actor(
        &self,
        project: &ProjectRow,
        actor: ActorId,
    ) -> DomainResult<()> {
        let member = self.store.member(project.actor.id, actor).await?;
        if member.is_some_and(|m| m.is_member()) {
            Ok(())
        } else {
            Err(Refusal::NotProjectMember.into())
        }
    }

    /// A members-only object written here, by the token of its URL, with
    /// its project. Reading its content is checked by the caller against
    /// [`Domain::require_host_may_read_project`] or a local membership.
    pub async fn project_object_by_token(
        &self,
        token: &str,
    ) -> DomainResult<Option<(ProjectObject, ProjectRow)>> {
        let ap_id = urls::project_object(&self.settings.base_url(), token);
        let store = &self.store;
        let (object, project_id) = if let Some(post) = store.project_post_by_ap_id(&ap_id).await? {
            let project = post.project_id;
            (ProjectObject::Post(post), project)
        } else if let Some(version) = store.version_by_ap_id(&ap_id).await? {
            let Some(document) = store.document(version.document_id).await? else {
                return Ok(None);
            };
            (ProjectObject::Version(version), document.project_id)
        } else if let Some(event) = store.event_by_ap_id(&ap_id).await? {
            let project = event.project_id;
            (ProjectObject::Event(event), project)
        } else {
            return Ok(None);
        };
        Ok(store
            .project(project_id)
            .await?
            .map(|project| (object, project)))
    }

    /// A project post, by row id.
    pub async fn project_post_by_row_id(&self, id: i64) -> DomainResult<Option<ProjectPostRow>> {
        Ok(self.store.project_post(id).await?)
    }

    /// A shared document, by row id.
    pub async fn project_document_by_row_id(&self, id: i64) -> DomainResult<Option<DocumentRow>> {
        Ok(self.store.document(id).await?)
    }

    /// The ids of the people an event is for (empty when it is for all).
    pub async fn event_attendee_urls(&self, event: &EventRow) -> DomainResult<Vec<String>> {
        let attendees = self.store.event_attendees(event.id).await?;
        Ok(attendees.into_iter().map(|a| a.ap_id).collect())
    }

    /// Whether a server (by host) may read a sub-group event: it must host
    /// its author or one of the people it is for.
    pub async fn host_may_see_event(&self, event: &EventRow, host: &str) -> DomainResult<bool> {
        if event.for_all {
            return Ok(true);
        }
        let mut hosts: Vec<String> = self
            .store
            .event_attendees(event.id)
            .await?
            .into_iter()
            .map(|a| a.domain)
            .collect();
        if let Ok(Some(author)) = self.store.actor_by_id(event.author_id).await {
            hosts.push(author.domain);
        }
        Ok(hosts.iter().any(|h| h == host))
    }
}
