//! A project as other instances see it: a member's instance records
//! what the host tells it about its teachers' memberships and keeps a
//! mirror of a remote project's members and log; and which instances may
//! read a local project's members-only objects.

use super::notify_events::{notify_invitation, notify_new_member};
use super::{inbox::Applied, Domain, DomainResult};
use crate::domain::store::projects::{self, MemberState, NewLogEntry, NewMember, ProjectRow};

impl Domain {
    /// A remote teacher's instance told us (directly) that they are
    /// invited into a remote project, or what became of their membership:
    /// the local row is written so "Mes demandes" and pages show it.
    pub(crate) async fn record_remote_membership(
        &self,
        received: &str,
        project: &ProjectRow,
        member: &NewMember,
    ) -> DomainResult<Applied> {
        let before = self.store.member(project.actor.id, member.actor_id).await?;
        let Some(mut tx) = self.begin_applying(received).await? else {
            return Ok(Applied::Duplicate);
        };
        projects::upsert_member(&mut tx, project.actor.id, member).await?;
        match member.state {
            MemberState::Invited => {
                notify_invitation(
                    &mut tx,
                    project,
                    member.invited_by,
                    member.actor_id,
                    received,
                )
                .await?;
            }
            MemberState::Member if !before.as_ref().is_some_and(|row| row.is_member()) => {
                notify_new_member(&mut tx, project, member.actor_id, None, received).await?;
            }
            _ => {}
        }
        crate::domain::store::commit(tx).await?;
        Ok(Applied::Applied)
    }

    /// Replaces the mirror of a remote project's members and activity with
    /// what its host served when asked at `as_of` (this instance's clock,
    /// read before the first request): memberships recorded since are
    /// newer than that copy and kept.
    pub async fn replace_project_mirror(
        &self,
        project: &ProjectRow,
        members: &[NewMember],
        log: Option<&[NewLogEntry]>,
        as_of: i64,
    ) -> DomainResult<()> {
        if project.actor.is_local() {
            return Ok(());
        }
        let mut tx = self.store.begin().await?;
        projects::replace_members(&mut tx, project.actor.id, members, as_of).await?;
        if let Some(log) = log {
            projects::replace_log(&mut tx, project.actor.id, log).await?;
        }
        crate::domain::store::commit(tx).await?;
        Ok(())
    }

    /// Whether another server (by host) may read a project's members-only
    /// objects: the project's host, or an instance with a current member.
    pub async fn host_may_read_project(
        &self,
        project: &ProjectRow,
        host: &str,
    ) -> DomainResult<bool> {
        if host.is_empty() {
            return Ok(false);
        }
        if !project.actor.is_local() && project.actor.domain == host {
            return Ok(true);
        }
        Ok(self.store.host_has_member(project.actor.id, host).await?)
    }
}
