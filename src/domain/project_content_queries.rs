//! What members read of a project's space, each read checking that the
//! reader is a current member (`not_project_member` otherwise): the
//! internal forum's threads and a thread with its replies, the shared
//! documents and one version, the events they may see, and a teacher's
//! own agenda across every space they belong to.

use super::Refusal;
use super::{
    rows::{
        AccountRow, ActorRow, DocumentView, EventRow, EventView, ProjectPostRow, ProjectPostView,
        ProjectRow, VersionRow,
    },
    Domain, DomainError, DomainResult,
};

/// A thread of a project's forum with its replies, in publication order.
#[derive(Debug)]
pub struct ProjectThread {
    /// The thread's first post.
    pub thread: ProjectPostRow,
    /// Its author.
    pub author: ActorRow,
    /// The replies with their authors.
    pub replies: Vec<ProjectPostView>,
}

fn not_found() -> DomainError {
    DomainError::from(Refusal::NotFound)
}

impl Domain {
    /// Refuses anyone but a current member of `project`.
    async fn check_reader(&self, viewer: &AccountRow, project: &ProjectRow) -> DomainResult<()> {
        self.may_read_project(Some(viewer), project)
            .await?
            .map(|_| ())
            .ok_or_else(|| DomainError::from(Refusal::NotProjectMember))
    }

    /// The threads of a project's forum, latest activity first.
    pub async fn project_threads_for(
        &self,
        viewer: &AccountRow,
        project: &ProjectRow,
    ) -> DomainResult<Vec<ProjectPostView>> {
        self.check_reader(viewer, project).await?;
        Ok(self.store.project_threads(project.actor.id).await?)
    }

    /// A thread of a project's forum (by id) with its replies.
    pub async fn project_thread_for(
        &self,
        viewer: &AccountRow,
        project: &ProjectRow,
        id: i64,
    ) -> DomainResult<ProjectThread> {
        self.check_reader(viewer, project).await?;
        let thread = self
            .store
            .project_post(id)
            .await?
            .filter(|post| post.project_id == project.actor.id && post.thread_id.is_none())
            .ok_or_else(not_found)?;
        let author = self
            .store
            .actor_by_id(thread.author_id)
            .await?
            .ok_or_else(not_found)?;
        let replies = self.store.project_replies(thread.id).await?;
        Ok(ProjectThread {
            thread,
            author,
            replies,
        })
    }

    /// The post a reply answers in thread `thread` of `project`: `parent`,
    /// or the thread itself when absent; `not_found` elsewhere.
    pub async fn project_reply_parent(
        &self,
        project: &ProjectRow,
        thread: i64,
        parent: Option<i64>,
    ) -> DomainResult<ProjectPostRow> {
        self.store
            .project_post(parent.unwrap_or(thread))
            .await?
            .filter(|parent| {
                parent.project_id == project.actor.id
                    && parent.thread_id.unwrap_or(parent.id) == thread
            })
            .ok_or_else(not_found)
    }

    /// Who wrote a post of a project's forum.
    pub async fn project_post_author(&self, post: &ProjectPostRow) -> DomainResult<ActorRow> {
        self.store
            .actor_by_id(post.author_id)
            .await?
            .ok_or_else(|| DomainError::Internal("post without author".into()))
    }

    /// The shared documents of a project, each with its versions.
    pub async fn project_documents_for(
        &self,
        viewer: &AccountRow,
        project: &ProjectRow,
    ) -> DomainResult<Vec<DocumentView>> {
        self.check_reader(viewer, project).await?;
        Ok(self.store.project_documents(project.actor.id).await?)
    }

    /// A version of one of a project's documents, `not_found` when it is
    /// not one of this project's.
    pub async fn project_version_for(
        &self,
        viewer: &AccountRow,
        project: &ProjectRow,
        version: i64,
    ) -> DomainResult<VersionRow> {
        self.check_reader(viewer, project).await?;
        let version = self.store.version(version).await?.ok_or_else(not_found)?;
        match self.store.document(version.document_id).await? {
            Some(document) if document.project_id == project.actor.id => Ok(version),
            _ => Err(not_found()),
        }
    }

    /// The events of a project that `viewer` may see (see
    /// [`Domain::may_see_event`]).
    pub async fn project_events_for(
        &self,
        viewer: &AccountRow,
        project: &ProjectRow,
    ) -> DomainResult<Vec<EventView>> {
        self.check_reader(viewer, project).await?;
        let mut events = Vec::new();
        for view in self.store.project_events(project.actor.id).await? {
            if self.may_see_event(viewer, &view.event).await? {
                events.push(view);
            }
        }
        Ok(events)
    }

    /// The current members of a project, for a member choosing an
    /// event's audience.
    pub async fn project_member_actors(
        &self,
        viewer: &AccountRow,
        project: &ProjectRow,
    ) -> DomainResult<Vec<ActorRow>> {
        self.check_reader(viewer, project).await?;
        Ok(self
            .store
            .project_members(project.actor.id)
            .await?
            .into_iter()
            .filter(|m| m.member.is_member())
            .map(|m| m.actor)
            .collect())
    }

    /// An event with its author and the people it is for.
    pub async fn event_view(&self, event: EventRow) -> DomainResult<EventView> {
        let author = self
            .store
            .actor_by_id(event.author_id)
            .await?
            .ok_or_else(|| DomainError::Internal("event without author".into()))?;
        let attendees = self.store.event_attendees(event.id).await?;
        Ok(EventView {
            event,
            author,
            attendees,
        })
    }

    /// Every event of every space a teacher belongs to, with its project.
    pub async fn personal_agenda(
        &self,
        viewer: &AccountRow,
    ) -> DomainResult<Vec<(EventView, ProjectRow)>> {
        let mut out = Vec::new();
        for view in self.store.agenda_of(viewer.actor_id).await? {
            if let Some(project) = self.store.project(view.event.project_id).await? {
                out.push((view, project));
            }
        }
        Ok(out)
    }
}
