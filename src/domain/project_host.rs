//! The project's host applies every membership change: an invitation,
//! an answer, a join request and its decision, a leave, a removal, a role
//! change, whether a local teacher made it or another instance sent it.
//! Each change is written with its log line and the activities it sends
//! in one transaction, and the project announces it to its members'
//! instances (FEP-1b12 style). What a member's instance does with what
//! the host tells it (its mirror) is in [`super::project_mirror`].

use super::{
    inbox::Applied,
    notify_events::notify_membership_change,
    outbox::{self, new_activity_id, project as outgoing, queue, to_json, Answered},
    Domain, DomainResult, Refusal,
};
use crate::{
    domain::store::{
        actors::{ActorId, ActorRow},
        projects::{
            self, count_owners, JoinMode, MemberRow, MemberState, NewLogEntry, NewMember,
            ProjectRow, Role,
        },
        Tx,
    },
    urls,
};
use preau_federation::activities::ActivityKind;
use preau_federation::projects::{Member, MemberRole};
use serde_json::Value;

/// A change to apply on the project's host: the membership row it writes,
/// the log line, what goes straight to someone, and the activity the
/// project announces to its members' instances.
pub(super) struct HostChange {
    member: Option<NewMember>,
    log: NewLogEntry,
    /// (activity id, signing local actor, body, inboxes)
    direct: Vec<(String, ActorId, Value, Vec<String>)>,
    /// The activity the project announces, as sent or received.
    announced: Value,
    /// Inboxes that get the announcement besides members' instances.
    also_to: Vec<String>,
}

pub(super) fn inbox_of(actor: &ActorRow) -> String {
    actor
        .shared_inbox
        .clone()
        .unwrap_or_else(|| actor.inbox.clone())
}

impl Domain {
    /// Applies a change on the project's host, in one transaction with the
    /// received activity's id (when it came from elsewhere) and everything
    /// it sends.
    pub(super) async fn commit_host_change(
        &self,
        project: &ProjectRow,
        received: Option<&str>,
        change: HostChange,
    ) -> DomainResult<Applied> {
        let Some(mut tx) = self.begin_applying(received).await? else {
            return Ok(Applied::Duplicate);
        };
        // Members' instances before and after the change: someone who
        // leaves or is removed hears of it too.
        let mut inboxes = projects::member_inboxes(&mut tx, project.actor.id).await?;
        if let Some(member) = &change.member {
            projects::upsert_member(&mut tx, project.actor.id, member).await?;
        }
        projects::insert_log(&mut tx, project.actor.id, &change.log).await?;
        let key = change.announced.get("id").and_then(Value::as_str);
        notify_membership_change(&mut tx, project, &change.log, key.or(received)).await?;
        for inbox in projects::member_inboxes(&mut tx, project.actor.id).await? {
            if !inboxes.contains(&inbox) {
                inboxes.push(inbox);
            }
        }
        for inbox in change.also_to {
            if !inboxes.contains(&inbox) {
                inboxes.push(inbox);
            }
        }
        for (id, signer, body, to) in &change.direct {
            queue(&mut tx, id, *signer, body, to).await?;
        }
        self.announce_in(&mut tx, project, &change.announced, &inboxes)
            .await?;
        crate::domain::store::commit(tx).await?;
        self.after_commit();
        Ok(Applied::Applied)
    }

    /// The project announces an activity to `inboxes` (FEP-1b12 style,
    /// addressed to its members collection).
    pub(crate) async fn announce_in(
        &self,
        tx: &mut Tx,
        project: &ProjectRow,
        inner: &Value,
        inboxes: &[String],
    ) -> DomainResult<()> {
        if inboxes.is_empty() || !project.actor.is_local() {
            return Ok(());
        }
        let id = new_activity_id(&self.settings.base_url());
        let announce = to_json(&outgoing::announce(&id, &project.actor.ap_id, inner)?)?;
        queue(tx, &id, project.actor.id, &announce, inboxes).await?;
        Ok(())
    }

    pub(super) fn new_log(
        &self,
        kind: &str,
        actor: Option<&ActorRow>,
        subject: Option<&ActorRow>,
    ) -> NewLogEntry {
        NewLogEntry {
            kind: kind.to_string(),
            actor_id: actor.map(|a| a.id),
            subject_id: subject.map(|a| a.id),
            detail: String::new(),
            at: self.clock().now_ms(),
        }
    }

    /// On the host: `inviter` (a member) invites `invitee`.
    pub(crate) async fn host_invite(
        &self,
        project: &ProjectRow,
        inviter: &ActorRow,
        invitee: &ActorRow,
        invite_id: &str,
        invite: &Value,
        received: Option<&str>,
    ) -> DomainResult<Applied> {
        let inviting = self.store.member(project.actor.id, inviter.id).await?;
        if !inviting.as_ref().is_some_and(MemberRow::is_member) {
            return Err(Refusal::NotProjectMember.into());
        }
        if let Some(current) = self.store.member(project.actor.id, invitee.id).await? {
            match current.state {
                MemberState::Member => return Err(Refusal::AlreadyMember.into()),
                MemberState::Invited => return Err(Refusal::AlreadyInvited.into()),
                _ => {}
            }
        }
        self.check_member_level(project, invitee).await?;
        let mut direct = Vec::new();
        let mut also_to = Vec::new();
        if !invitee.is_local() {
            if inviter.is_local() {
                // Mobilizon's way: the invitation goes from the inviter,
                // on the project's own server, to the invitee.
                direct.push((
                    invite_id.to_string(),
                    inviter.id,
                    invite.clone(),
                    vec![invitee.inbox.clone()],
                ));
            } else {
                // From elsewhere: the project vouches for it.
                also_to.push(invitee.inbox.clone());
            }
        }
        self.commit_host_change(
            project,
            received,
            HostChange {
                member: Some(NewMember {
                    actor_id: invitee.id,
                    role: Role::Member,
                    state: MemberState::Invited,
                    activity_id: Some(invite_id.to_string()),
                    invited_by: Some(inviter.id),
                    updated_at: self.clock().now_ms(),
                }),
                log: self.new_log("invited", Some(inviter), Some(invitee)),
                direct,
                announced: invite.clone(),
                also_to,
            },
        )
        .await
    }

    /// On the host: the invitee answered.
    pub(crate) async fn host_answer_invitation(
        &self,
        project: &ProjectRow,
        invitee: &ActorRow,
        row: &MemberRow,
        accept: bool,
        answer: &Value,
        received: Option<&str>,
    ) -> DomainResult<Applied> {
        if row.state != MemberState::Invited {
            return Err(Refusal::NoInvitation.into());
        }
        if accept {
            self.check_member_level(project, invitee).await?;
        }
        self.commit_host_change(
            project,
            received,
            HostChange {
                member: Some(NewMember {
                    actor_id: invitee.id,
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
                log: self.new_log(
                    if accept { "joined" } else { "refused" },
                    Some(invitee),
                    None,
                ),
                direct: Vec::new(),
                announced: answer.clone(),
                // The invitee's instance hears of it even when refusing.
                also_to: if invitee.is_local() {
                    Vec::new()
                } else {
                    vec![inbox_of(invitee)]
                },
            },
        )
        .await
    }

    /// The project's `Accept` or `Reject` of a `Join`, sent to the person.
    pub(super) fn join_answer(
        &self,
        project: &ProjectRow,
        person: &ActorRow,
        join_id: &str,
        accept: bool,
    ) -> DomainResult<(String, Value)> {
        let id = new_activity_id(&self.settings.base_url());
        let join = Answered {
            id: join_id.to_string(),
            kind: ActivityKind::Join,
            actor: Some(person.ap_id.clone()),
            object: project.actor.ap_id.clone(),
            target: None,
        };
        let answer = outbox::answer(accept, &id, &project.actor.ap_id, &join, &person.ap_id)?;
        Ok((id, to_json(&answer)?))
    }

    /// On the host: someone asks to join.
    pub(crate) async fn host_join(
        &self,
        project: &ProjectRow,
        person: &ActorRow,
        join_id: &str,
        join: &Value,
        received: Option<&str>,
    ) -> DomainResult<Applied> {
        if let Some(current) = self.store.member(project.actor.id, person.id).await? {
            if current.is_member() {
                return Err(Refusal::AlreadyMember.into());
            }
        }
        let level_ok = self.check_member_level(project, person).await;
        if project.join_mode == JoinMode::Invite || level_ok.is_err() {
            if person.is_local() {
                return Err(match level_ok {
                    Err(error) => error,
                    Ok(()) => Refusal::ProjectInviteOnly.into(),
                });
            }
            // Told so, and nothing recorded.
            let (id, reject) = self.join_answer(project, person, join_id, false)?;
            let Some(mut tx) = self.begin_applying(received).await? else {
                return Ok(Applied::Duplicate);
            };
            queue(
                &mut tx,
                &id,
                project.actor.id,
                &reject,
                std::slice::from_ref(&person.inbox),
            )
            .await?;
            crate::domain::store::commit(tx).await?;
            self.after_commit();
            return Ok(Applied::Applied);
        }
        let open = project.join_mode == JoinMode::Open;
        let mut direct = Vec::new();
        let announced = if open {
            let (id, accept) = self.join_answer(project, person, join_id, true)?;
            if !person.is_local() {
                direct.push((
                    id,
                    project.actor.id,
                    accept.clone(),
                    vec![person.inbox.clone()],
                ));
            }
            accept
        } else {
            join.clone()
        };
        self.commit_host_change(
            project,
            received,
            HostChange {
                member: Some(NewMember {
                    actor_id: person.id,
                    role: Role::Member,
                    state: if open {
                        MemberState::Member
                    } else {
                        MemberState::Requested
                    },
                    activity_id: Some(join_id.to_string()),
                    invited_by: None,
                    updated_at: self.clock().now_ms(),
                }),
                log: self.new_log(
                    if open { "joined" } else { "requested" },
                    Some(person),
                    None,
                ),
                direct,
                announced,
                also_to: Vec::new(),
            },
        )
        .await
    }

    /// On the host: a moderator decides on a join request.
    pub(crate) async fn host_decide_join(
        &self,
        project: &ProjectRow,
        moderator: &ActorRow,
        requester: &ActorRow,
        row: &MemberRow,
        accept: bool,
        received: Option<&str>,
    ) -> DomainResult<Applied> {
        let deciding = self.store.member(project.actor.id, moderator.id).await?;
        if !deciding.as_ref().is_some_and(MemberRow::is_moderator) {
            return Err(Refusal::NotProjectModerator.into());
        }
        if row.state != MemberState::Requested {
            return Err(Refusal::NoRequest.into());
        }
        if accept {
            self.check_member_level(project, requester).await?;
        }
        let join_id = row.activity_id.clone().unwrap_or_default();
        let (id, answer) = self.join_answer(project, requester, &join_id, accept)?;
        let direct = if requester.is_local() {
            Vec::new()
        } else {
            vec![(
                id,
                project.actor.id,
                answer.clone(),
                vec![requester.inbox.clone()],
            )]
        };
        self.commit_host_change(
            project,
            received,
            HostChange {
                member: Some(NewMember {
                    actor_id: requester.id,
                    role: Role::Member,
                    state: if accept {
                        MemberState::Member
                    } else {
                        MemberState::Rejected
                    },
                    activity_id: None,
                    invited_by: None,
                    updated_at: self.clock().now_ms(),
                }),
                log: self.new_log(
                    if accept { "accepted" } else { "rejected" },
                    Some(moderator),
                    Some(requester),
                ),
                direct,
                announced: answer,
                also_to: Vec::new(),
            },
        )
        .await
    }

    /// On the host: a member leaves.
    pub(crate) async fn host_leave(
        &self,
        project: &ProjectRow,
        person: &ActorRow,
        row: &MemberRow,
        leave: &Value,
        received: Option<&str>,
    ) -> DomainResult<Applied> {
        if !row.is_member() {
            return Err(Refusal::NotCurrentMember.into());
        }
        if row.is_owner() {
            let mut tx = self.store.begin().await?;
            let owners = count_owners(&mut tx, project.actor.id).await?;
            drop(tx);
            if owners <= 1 {
                return Err(Refusal::LastOwner.into());
            }
        }
        self.commit_host_change(
            project,
            received,
            HostChange {
                member: Some(NewMember {
                    actor_id: person.id,
                    role: row.role,
                    state: MemberState::Left,
                    activity_id: None,
                    invited_by: None,
                    updated_at: self.clock().now_ms(),
                }),
                log: self.new_log("left", Some(person), None),
                direct: Vec::new(),
                announced: leave.clone(),
                also_to: Vec::new(),
            },
        )
        .await
    }

    pub(super) async fn check_may_remove(
        &self,
        project: &ProjectRow,
        moderator: &ActorRow,
        target: &ActorRow,
    ) -> DomainResult<MemberRow> {
        let acting = self.store.member(project.actor.id, moderator.id).await?;
        let Some(acting) = acting.filter(MemberRow::is_moderator) else {
            return Err(Refusal::NotProjectModerator.into());
        };
        let Some(row) = self
            .store
            .member(project.actor.id, target.id)
            .await?
            .filter(MemberRow::is_member)
        else {
            return Err(Refusal::NotCurrentMember.into());
        };
        if moderator.id == target.id {
            return Err(Refusal::CannotRemoveSelf.into());
        }
        // A moderator removes members; only owners remove moderators and
        // owners.
        if row.role.rank() >= acting.role.rank() && !acting.is_owner() {
            return Err(Refusal::CannotRemoveMember.into());
        }
        Ok(row)
    }

    /// On the host: a moderator removes a member.
    pub(crate) async fn host_remove(
        &self,
        project: &ProjectRow,
        moderator: &ActorRow,
        target: &ActorRow,
        remove: &Value,
        received: Option<&str>,
    ) -> DomainResult<Applied> {
        let row = self.check_may_remove(project, moderator, target).await?;
        self.commit_host_change(
            project,
            received,
            HostChange {
                member: Some(NewMember {
                    actor_id: target.id,
                    role: row.role,
                    state: MemberState::Removed,
                    activity_id: None,
                    invited_by: None,
                    updated_at: self.clock().now_ms(),
                }),
                log: self.new_log("removed", Some(moderator), Some(target)),
                direct: Vec::new(),
                announced: remove.clone(),
                also_to: if target.is_local() {
                    Vec::new()
                } else {
                    vec![inbox_of(target)]
                },
            },
        )
        .await
    }

    pub(super) fn role_update(
        &self,
        project: &ProjectRow,
        owner: &ActorRow,
        target: &ActorRow,
        role: Role,
    ) -> DomainResult<Value> {
        let id = new_activity_id(&self.settings.base_url());
        let wire = match role {
            Role::Owner => MemberRole::Owner,
            Role::Moderator => MemberRole::Moderator,
            Role::Member => MemberRole::Member,
        };
        let member = url::Url::parse(&urls::project_member(&project.actor.ap_id, &target.ap_id))
            .ok()
            .zip(url::Url::parse(&target.ap_id).ok())
            .zip(url::Url::parse(&project.actor.ap_id).ok())
            .map(|((member_id, actor), group)| Member::new(member_id, actor, group, wire));
        let member = outbox::json_of(&member)?;
        to_json(&outgoing::update_member(
            &id,
            &owner.ap_id,
            &project.actor.ap_id,
            member,
        )?)
    }

    /// On the host: an owner changes a member's role by one step.
    pub(crate) async fn host_change_role(
        &self,
        project: &ProjectRow,
        owner: &ActorRow,
        target: &ActorRow,
        new_role: Role,
        update: &Value,
        received: Option<&str>,
    ) -> DomainResult<Applied> {
        let row = self.owner_and_member(project, owner.id, target.id).await?;
        if row.role.promoted() != Some(new_role) && row.role.demoted() != Some(new_role) {
            return Err(Refusal::OneStepAtATime.into());
        }
        if row.role == Role::Owner {
            let mut tx = self.store.begin().await?;
            let owners = count_owners(&mut tx, project.actor.id).await?;
            drop(tx);
            if owners <= 1 {
                return Err(Refusal::LastOwner.into());
            }
        }
        let mut log = self.new_log("role", Some(owner), Some(target));
        log.detail = new_role.as_str().to_string();
        self.commit_host_change(
            project,
            received,
            HostChange {
                member: Some(NewMember {
                    actor_id: target.id,
                    role: new_role,
                    state: MemberState::Member,
                    activity_id: None,
                    invited_by: None,
                    updated_at: self.clock().now_ms(),
                }),
                log,
                direct: Vec::new(),
                announced: update.clone(),
                also_to: Vec::new(),
            },
        )
        .await
    }
}

impl Domain {
    /// Checks that `owner` owns the project (403 `not_project_owner`) and
    /// returns `target`'s current membership (409 `not_project_member`).
    pub(super) async fn owner_and_member(
        &self,
        project: &ProjectRow,
        owner: crate::domain::store::actors::ActorId,
        target: crate::domain::store::actors::ActorId,
    ) -> DomainResult<MemberRow> {
        let acting = self.store.member(project.actor.id, owner).await?;
        if !acting.as_ref().is_some_and(MemberRow::is_owner) {
            return Err(Refusal::NotProjectOwner.into());
        }
        self.store
            .member(project.actor.id, target)
            .await?
            .filter(MemberRow::is_member)
            .ok_or_else(|| Refusal::NotCurrentMember.into())
    }
}
