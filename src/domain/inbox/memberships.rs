//! Project memberships received from other instances: on the host, the
//! answer to an invitation or join request and a member's departure (who
//! may answer, who may leave); on a member's instance, what the host of a
//! remote project says of local teachers (invited, answered, removed).

use super::Applied;
use crate::domain::Refusal;
use crate::{
    domain::store::{
        actors::ActorRow,
        projects::{MemberRow, MemberState, NewMember, ProjectRow, Role},
    },
    domain::{Domain, DomainError, DomainResult},
};
use serde_json::Value;

impl Domain {
    /// On the host: an `Accept`/`Reject` of the membership `row` of a
    /// local project by `signer`. The invitee answers an invitation; a
    /// moderator (anyone but the requester) a join request.
    pub(crate) async fn host_receive_answer(
        &self,
        project: &ProjectRow,
        signer: &ActorRow,
        row: &MemberRow,
        accept: bool,
        (answer, received): (&Value, &str),
    ) -> DomainResult<Applied> {
        let Some(person) = self.store.actor_by_id(row.actor_id).await? else {
            return Ok(Applied::Ignored);
        };
        match row.state {
            MemberState::Invited if person.id == signer.id => {
                self.host_answer_invitation(project, &person, row, accept, answer, Some(received))
                    .await
            }
            MemberState::Requested if person.id != signer.id => {
                self.host_decide_join(project, signer, &person, row, accept, Some(received))
                    .await
            }
            _ => Err(DomainError::from(Refusal::NothingToAnswer)),
        }
    }

    /// On the host: `signer` leaves a local project.
    pub(crate) async fn host_receive_leave(
        &self,
        project: &ProjectRow,
        signer: &ActorRow,
        leave: &Value,
        received: &str,
    ) -> DomainResult<Applied> {
        match self.store.member(project.actor.id, signer.id).await? {
            Some(row) => {
                self.host_leave(project, signer, &row, leave, Some(received))
                    .await
            }
            None => Err(DomainError::from(Refusal::NotCurrentMember)),
        }
    }

    /// On a member's instance: the remote `project` itself answered the
    /// join request `row` of a local teacher. Only the project speaks for
    /// itself; anyone else's answer is ignored.
    pub(crate) async fn mirror_receive_answer(
        &self,
        received: &str,
        (project, signer): (&ProjectRow, &ActorRow),
        row: &MemberRow,
        accept: bool,
    ) -> DomainResult<Applied> {
        if signer.ap_id != project.actor.ap_id {
            return Ok(Applied::Ignored);
        }
        let member = NewMember {
            actor_id: row.actor_id,
            role: Role::Member,
            state: if accept {
                MemberState::Member
            } else {
                MemberState::Rejected
            },
            activity_id: None,
            invited_by: None,
            updated_at: self.clock().now_ms(),
        };
        self.record_remote_membership(received, project, &member)
            .await
    }

    /// Only the project's server vouches for an invitation into it: the
    /// `Invite` of a remote project must come from there (directly, or
    /// announced by the project).
    pub fn check_invitation_sender(
        &self,
        sender: &ActorRow,
        project: &ProjectRow,
    ) -> DomainResult<()> {
        if sender.domain != project.actor.domain {
            return Err(DomainError::from(Refusal::InviteNotFromProject));
        }
        Ok(())
    }

    /// On a member's instance: a local teacher is invited into a remote
    /// project by `inviter` with the `Invite` `invite_id`.
    pub(crate) async fn mirror_receive_invitation(
        &self,
        received: &str,
        project: &ProjectRow,
        (invitee, inviter): (&ActorRow, &ActorRow),
        invite_id: &str,
    ) -> DomainResult<Applied> {
        let member = NewMember {
            actor_id: invitee.id,
            role: Role::Member,
            state: MemberState::Invited,
            activity_id: Some(invite_id.to_string()),
            invited_by: Some(inviter.id),
            updated_at: self.clock().now_ms(),
        };
        self.record_remote_membership(received, project, &member)
            .await
    }

    /// On a member's instance: a remote project removed a local teacher
    /// (their role is kept on the row, as the host had it).
    pub(crate) async fn mirror_receive_removal(
        &self,
        received: &str,
        project: &ProjectRow,
        person: &ActorRow,
    ) -> DomainResult<Applied> {
        let role = self
            .store
            .member(project.actor.id, person.id)
            .await?
            .map(|row| row.role)
            .unwrap_or(Role::Member);
        let member = NewMember {
            actor_id: person.id,
            role,
            state: MemberState::Removed,
            activity_id: None,
            invited_by: None,
            updated_at: self.clock().now_ms(),
        };
        self.record_remote_membership(received, project, &member)
            .await
    }
}
