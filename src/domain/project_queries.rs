//! What project pages and the API read about projects and their members,
//! with the permission each read needs checked inside: the projects a
//! visitor may see, a project's page (members for a public project or its
//! members, pending requests and the log for members only), "Mes
//! demandes", and the members list for owners.

use super::Refusal;
use super::{
    lookups::{LISTED_PROJECTS, LOG_LINES},
    rows::Visibility,
    rows::{AccountRow, ActorRow, LogEntry, MemberRow, MemberState, MemberView, ProjectRow},
    Domain, DomainError, DomainResult,
};

/// The projects a visitor sees.
#[derive(Debug, Default)]
pub struct ProjectList {
    /// Public projects and those the visitor belongs to, most recently
    /// active first, each with the visitor's membership row if any.
    pub visible: Vec<(ProjectRow, Option<MemberRow>)>,
    /// Every membership row of the visitor (any state), with its project.
    pub memberships: Vec<(ProjectRow, MemberRow)>,
}

/// What a visitor may see of a project's membership.
#[derive(Debug, Default)]
pub struct ProjectView {
    /// The visitor's own row, if any.
    pub me: Option<MemberRow>,
    /// Every membership row (any state): for a public project, or for
    /// members; empty otherwise.
    pub members: Vec<MemberView>,
    /// The latest lines of the activity log, for members only.
    pub log: Vec<LogEntry>,
}

impl ProjectView {
    /// Whether the visitor is a current member.
    pub fn is_member(&self) -> bool {
        self.me.as_ref().is_some_and(MemberRow::is_member)
    }
}

/// "Mes demandes": what waits for a teacher's answer or came of theirs.
#[derive(Debug, Default)]
pub struct ProjectRequests {
    /// Invitations to answer, with who invited.
    pub invitations: Vec<(ProjectRow, MemberRow, Option<ActorRow>)>,
    /// Join requests to decide on, in projects the teacher moderates.
    pub to_decide: Vec<(ProjectRow, MemberView)>,
    /// Invitations the teacher sent: pending, refused or accepted.
    pub sent: Vec<(ProjectRow, MemberView)>,
}

impl Domain {
    /// The projects `viewer` (or a stranger) may see.
    pub async fn projects_for(&self, viewer: Option<&AccountRow>) -> DomainResult<ProjectList> {
        let memberships = match viewer {
            Some(account) => self.store.memberships_of(account.actor_id).await?,
            None => Vec::new(),
        };
        let mut visible = Vec::new();
        for project in self.store.all_projects(LISTED_PROJECTS).await? {
            let row = memberships
                .iter()
                .find(|(p, _)| p.actor.id == project.actor.id)
                .map(|(_, row)| row.clone());
            let member = row.as_ref().is_some_and(MemberRow::is_member);
            if project.visibility == Visibility::Public || member {
                visible.push((project, row));
            }
        }
        Ok(ProjectList {
            visible,
            memberships,
        })
    }

    /// What `viewer` may see of a project's membership: everyone sees the
    /// members of a public project; members also see pending invitations
    /// and requests, former members and the activity log.
    pub async fn project_view(
        &self,
        viewer: Option<&AccountRow>,
        project: &ProjectRow,
    ) -> DomainResult<ProjectView> {
        let me = match viewer {
            Some(account) => {
                self.store
                    .member(project.actor.id, account.actor_id)
                    .await?
            }
            None => None,
        };
        let mut view = ProjectView {
            me,
            ..ProjectView::default()
        };
        let member = view.is_member();
        if member || project.visibility == Visibility::Public {
            view.members = self.store.project_members(project.actor.id).await?;
        }
        if member {
            view.log = self.store.project_log(project.actor.id, LOG_LINES).await?;
        }
        Ok(view)
    }

    /// The people a member may invite by handle (those known here); empty
    /// for anyone else.
    pub async fn people_to_invite(
        &self,
        viewer: &AccountRow,
        project: &ProjectRow,
    ) -> DomainResult<Vec<ActorRow>> {
        if self
            .may_read_project(Some(viewer), project)
            .await?
            .is_none()
        {
            return Ok(Vec::new());
        }
        Ok(self.store.known_people(500).await?)
    }

    /// Where `person` stands in `project`, with who invited them.
    pub async fn membership_of(
        &self,
        project: &ProjectRow,
        person: &ActorRow,
    ) -> DomainResult<Option<MemberView>> {
        let Some(member) = self.store.member(project.actor.id, person.id).await? else {
            return Ok(None);
        };
        let inviter = match member.invited_by {
            Some(id) => self.store.actor_by_id(id).await?,
            None => None,
        };
        Ok(Some(MemberView {
            member,
            actor: person.clone(),
            inviter,
        }))
    }

    /// Checks that `viewer` may edit a project: an owner, of a project of
    /// this instance.
    pub async fn check_project_editor(
        &self,
        viewer: &AccountRow,
        project: &ProjectRow,
    ) -> DomainResult<()> {
        let owner = self
            .store
            .member(project.actor.id, viewer.actor_id)
            .await?
            .is_some_and(|row| row.is_owner());
        match (owner, project.actor.is_local()) {
            (true, true) => Ok(()),
            (true, false) => Err(DomainError::from(Refusal::ProjectIsRemote)),
            (false, _) => Err(DomainError::from(Refusal::NotProjectOwner)),
        }
    }

    /// The current members of a project, for its owners (the members
    /// CSV); others get `not_project_owner`.
    pub async fn members_for_owner(
        &self,
        viewer: &AccountRow,
        project: &ProjectRow,
    ) -> DomainResult<Vec<MemberView>> {
        let me = self.store.member(project.actor.id, viewer.actor_id).await?;
        if !me.as_ref().is_some_and(MemberRow::is_owner) {
            return Err(DomainError::from(Refusal::NotProjectOwner));
        }
        let mut views = self.store.project_members(project.actor.id).await?;
        views.retain(|view| view.member.is_member());
        Ok(views)
    }

    /// "Mes demandes" of `viewer`: invitations to answer, join requests to
    /// decide on (as a moderator), and the invitations they sent.
    pub async fn project_requests(&self, viewer: &AccountRow) -> DomainResult<ProjectRequests> {
        let me = viewer.actor_id;
        let mut requests = ProjectRequests::default();
        for (project, row) in self.store.memberships_of(me).await? {
            if row.state == MemberState::Invited {
                let inviter = match row.invited_by {
                    Some(id) => self.store.actor_by_id(id).await?,
                    None => None,
                };
                requests
                    .invitations
                    .push((project.clone(), row.clone(), inviter));
            }
            if !row.is_member() {
                continue;
            }
            for view in self.store.project_members(project.actor.id).await? {
                if row.is_moderator() && view.member.state == MemberState::Requested {
                    requests.to_decide.push((project.clone(), view.clone()));
                }
                if view.member.invited_by == Some(me)
                    && matches!(
                        view.member.state,
                        MemberState::Invited | MemberState::Refused | MemberState::Member
                    )
                {
                    requests.sent.push((project.clone(), view));
                }
            }
        }
        Ok(requests)
    }

    /// The projects `viewer` owns or moderates that `invitee` is not in
    /// yet (neither member nor invited): what the invitation choice on a
    /// person's page lists.
    pub async fn projects_to_invite_into(
        &self,
        viewer: &AccountRow,
        invitee: &ActorRow,
    ) -> DomainResult<Vec<ProjectRow>> {
        let mut projects = Vec::new();
        if invitee.id == viewer.actor_id {
            return Ok(projects);
        }
        for (project, row) in self.store.memberships_of(viewer.actor_id).await? {
            if !row.is_moderator() {
                continue;
            }
            let current = self.store.member(project.actor.id, invitee.id).await?;
            if current.is_some_and(|current| {
                matches!(current.state, MemberState::Member | MemberState::Invited)
            }) {
                continue;
            }
            projects.push(project);
        }
        Ok(projects)
    }
}
