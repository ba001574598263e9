//! What a local teacher asks for about memberships of a project space:
//! invitations and their answers, join requests and decisions, leaving,
//! removal and role changes; the trust-level rule for members. On the
//! host these are applied at once (see `project_host`); for a remote
//! project they are sent to its inbox.

use super::{
    outbox::{self, new_activity_id, project as outgoing, queue, to_json, Answered},
    Domain, DomainResult, Refusal,
};
use crate::{
    domain::store::{
        accounts::AccountRow,
        actors::{ActorKindRow, ActorRow},
        projects::{self, JoinMode, MemberRow, MemberState, NewMember, ProjectRow, Role},
    },
    urls,
};
use preau_federation::activities::ActivityKind;
use preau_federation::TrustLevel;
use serde_json::Value;

impl Domain {
    /// The label level of a person, as this instance verifies it now.
    pub(crate) async fn person_level(&self, person: &ActorRow) -> DomainResult<TrustLevel> {
        Ok(self
            .labeller()
            .await?
            .person(&person.domain, person.email_domain.as_deref())
            .level)
    }

    /// Refuses a person whose label is below the project's minimum (an
    /// instance that lost its level cannot post in a project that requires
    /// it any more).
    pub(crate) async fn check_member_level(
        &self,
        project: &ProjectRow,
        person: &ActorRow,
    ) -> DomainResult<()> {
        if project.min_member_level != TrustLevel::Informal
            && self.person_level(person).await? < project.min_member_level
        {
            return Err(Refusal::MemberLevelTooLow.into());
        }
        Ok(())
    }

    /// Sends an activity of a local teacher to a remote project's inbox.
    async fn send_to_project(
        &self,
        project: &ProjectRow,
        actor: &ActorRow,
        id: &str,
        activity: &Value,
        local_row: Option<NewMember>,
    ) -> DomainResult<()> {
        let mut tx = self.store.begin().await?;
        if let Some(member) = local_row {
            projects::upsert_member(&mut tx, project.actor.id, &member).await?;
        }
        queue(
            &mut tx,
            id,
            actor.id,
            activity,
            std::slice::from_ref(&project.actor.inbox),
        )
        .await?;
        crate::domain::store::commit(tx).await?;
        self.after_commit();
        Ok(())
    }

    /// A local teacher invites someone (local or remote) into a project.
    pub async fn invite_to_project(
        &self,
        inviter: &AccountRow,
        project: &ProjectRow,
        invitee: &ActorRow,
    ) -> DomainResult<()> {
        let me = self.actor_of(inviter).await?;
        let mine = self.store.member(project.actor.id, me.id).await?;
        if !mine.as_ref().is_some_and(MemberRow::is_member) {
            return Err(Refusal::NotProjectMember.into());
        }
        if invitee.kind != ActorKindRow::Person {
            return Err(Refusal::NotAPerson.into());
        }
        let id = urls::project_membership(&self.settings.base_url());
        let invite = to_json(&outgoing::invite(
            &id,
            &me.ap_id,
            &project.actor.ap_id,
            &invitee.ap_id,
        )?)?;
        if project.actor.is_local() {
            self.host_invite(project, &me, invitee, &id, &invite, None)
                .await?;
            Ok(())
        } else {
            let current = self.store.member(project.actor.id, invitee.id).await?;
            if let Some(current) = current {
                if matches!(current.state, MemberState::Member | MemberState::Invited) {
                    return Err(Refusal::AlreadyInvited.into());
                }
            }
            self.send_to_project(
                project,
                &me,
                &id,
                &invite,
                Some(NewMember {
                    actor_id: invitee.id,
                    role: Role::Member,
                    state: MemberState::Invited,
                    activity_id: Some(id.clone()),
                    invited_by: Some(me.id),
                    updated_at: self.clock().now_ms(),
                }),
            )
            .await
        }
    }

    /// A local teacher answers an invitation: `Accept` or `Reject`.
    pub async fn answer_invitation(
        &self,
        invitee: &AccountRow,
        project: &ProjectRow,
        accept: bool,
    ) -> DomainResult<()> {
        let me = self.actor_of(invitee).await?;
        let Some(row) = self.store.member(project.actor.id, me.id).await? else {
            return Err(Refusal::NoInvitation.into());
        };
        if row.state != MemberState::Invited {
            return Err(Refusal::NoInvitation.into());
        }
        let invite_id = row.activity_id.clone().unwrap_or_default();
        let id = new_activity_id(&self.settings.base_url());
        let invite = Answered {
            id: invite_id,
            kind: ActivityKind::Invite,
            actor: None,
            object: project.actor.ap_id.clone(),
            target: Some(me.ap_id.clone()),
        };
        let answer = to_json(&outbox::answer(
            accept,
            &id,
            &me.ap_id,
            &invite,
            &project.actor.ap_id,
        )?)?;
        if project.actor.is_local() {
            self.host_answer_invitation(project, &me, &row, accept, &answer, None)
                .await?;
            Ok(())
        } else {
            self.send_to_project(
                project,
                &me,
                &id,
                &answer,
                Some(NewMember {
                    actor_id: me.id,
                    role: Role::Member,
                    state: if accept {
                        MemberState::Member
                    } else {
                        MemberState::Refused
                    },
                    activity_id: None,
                    invited_by: None,
                    updated_at: self.clock().now_ms(),
                }),
            )
            .await
        }
    }

    /// A local teacher asks to join (or joins, when the project is open).
    pub async fn join_project(
        &self,
        person: &AccountRow,
        project: &ProjectRow,
    ) -> DomainResult<()> {
        let me = self.actor_of(person).await?;
        if let Some(current) = self.store.member(project.actor.id, me.id).await? {
            match current.state {
                MemberState::Member => return Err(Refusal::AlreadyMember.into()),
                MemberState::Requested => return Err(Refusal::AlreadyRequested.into()),
                MemberState::Invited => return Err(Refusal::AlreadyInvited.into()),
                _ => {}
            }
        }
        if project.join_mode == JoinMode::Invite {
            return Err(Refusal::ProjectInviteOnly.into());
        }
        let id = urls::project_membership(&self.settings.base_url());
        let join = to_json(&outgoing::membership(
            ActivityKind::Join,
            &id,
            &me.ap_id,
            &project.actor.ap_id,
        )?)?;
        if project.actor.is_local() {
            self.host_join(project, &me, &id, &join, None).await?;
            Ok(())
        } else {
            self.send_to_project(
                project,
                &me,
                &id,
                &join,
                Some(NewMember {
                    actor_id: me.id,
                    role: Role::Member,
                    state: MemberState::Requested,
                    activity_id: Some(id.clone()),
                    invited_by: None,
                    updated_at: self.clock().now_ms(),
                }),
            )
            .await
        }
    }

    /// A local moderator accepts or declines a join request.
    pub async fn decide_join(
        &self,
        moderator: &AccountRow,
        project: &ProjectRow,
        requester: &ActorRow,
        accept: bool,
    ) -> DomainResult<()> {
        let me = self.actor_of(moderator).await?;
        let mine = self.store.member(project.actor.id, me.id).await?;
        if !mine.as_ref().is_some_and(MemberRow::is_moderator) {
            return Err(Refusal::NotProjectModerator.into());
        }
        let Some(row) = self.store.member(project.actor.id, requester.id).await? else {
            return Err(Refusal::NoRequest.into());
        };
        if project.actor.is_local() {
            self.host_decide_join(project, &me, requester, &row, accept, None)
                .await?;
            return Ok(());
        }
        let mine = self.store.member(project.actor.id, me.id).await?;
        if !mine.as_ref().is_some_and(MemberRow::is_moderator) {
            return Err(Refusal::NotProjectModerator.into());
        }
        if row.state != MemberState::Requested {
            return Err(Refusal::NoRequest.into());
        }
        let id = new_activity_id(&self.settings.base_url());
        let join = Answered {
            id: row.activity_id.clone().unwrap_or_default(),
            kind: ActivityKind::Join,
            actor: Some(requester.ap_id.clone()),
            object: project.actor.ap_id.clone(),
            target: None,
        };
        let decision = to_json(&outbox::answer(
            accept,
            &id,
            &me.ap_id,
            &join,
            &project.actor.ap_id,
        )?)?;
        self.send_to_project(project, &me, &id, &decision, None)
            .await
    }

    /// A local teacher leaves a project (not its last owner).
    pub async fn leave_project(
        &self,
        person: &AccountRow,
        project: &ProjectRow,
    ) -> DomainResult<()> {
        let me = self.actor_of(person).await?;
        let Some(row) = self.store.member(project.actor.id, me.id).await? else {
            return Err(Refusal::NotCurrentMember.into());
        };
        let id = new_activity_id(&self.settings.base_url());
        let leave = to_json(&outgoing::membership(
            ActivityKind::Leave,
            &id,
            &me.ap_id,
            &project.actor.ap_id,
        )?)?;
        if project.actor.is_local() {
            self.host_leave(project, &me, &row, &leave, None).await?;
            return Ok(());
        }
        if !row.is_member() {
            return Err(Refusal::NotCurrentMember.into());
        }
        if row.is_owner() {
            let owners = self
                .store
                .project_members(project.actor.id)
                .await?
                .iter()
                .filter(|m| m.member.is_owner())
                .count();
            if owners <= 1 {
                return Err(Refusal::LastOwner.into());
            }
        }
        self.send_to_project(
            project,
            &me,
            &id,
            &leave,
            Some(NewMember {
                actor_id: me.id,
                role: row.role,
                state: MemberState::Left,
                activity_id: None,
                invited_by: None,
                updated_at: self.clock().now_ms(),
            }),
        )
        .await
    }

    /// A local moderator removes a member.
    pub async fn remove_from_project(
        &self,
        moderator: &AccountRow,
        project: &ProjectRow,
        target: &ActorRow,
    ) -> DomainResult<()> {
        let me = self.actor_of(moderator).await?;
        let id = new_activity_id(&self.settings.base_url());
        let remove = to_json(&outgoing::remove_member(
            &id,
            &me.ap_id,
            &project.actor.ap_id,
            &target.ap_id,
        )?)?;
        if project.actor.is_local() {
            self.host_remove(project, &me, target, &remove, None)
                .await?;
            return Ok(());
        }
        self.check_may_remove(project, &me, target).await?;
        self.send_to_project(project, &me, &id, &remove, None).await
    }

    /// A local owner promotes or demotes a member one step.
    pub async fn change_member_role(
        &self,
        owner: &AccountRow,
        project: &ProjectRow,
        target: &ActorRow,
        promote: bool,
    ) -> DomainResult<()> {
        let me = self.actor_of(owner).await?;
        let row = self.owner_and_member(project, me.id, target.id).await?;
        let new_role = if promote {
            row.role.promoted()
        } else {
            row.role.demoted()
        }
        .ok_or(Refusal::RoleUnchanged)?;
        let update = self.role_update(project, &me, target, new_role)?;
        if project.actor.is_local() {
            self.host_change_role(project, &me, target, new_role, &update, None)
                .await?;
            return Ok(());
        }
        let mine = self.store.member(project.actor.id, me.id).await?;
        if !mine.as_ref().is_some_and(MemberRow::is_owner) {
            return Err(Refusal::NotProjectOwner.into());
        }
        let id = update["id"].as_str().unwrap_or_default().to_string();
        self.send_to_project(project, &me, &id, &update, None).await
    }
}
