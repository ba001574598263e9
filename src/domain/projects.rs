//! Project spaces: creating and editing them, and membership (invitations,
//! join requests, leaving, removal, roles), on this instance and across
//! instances.
//!
//! The project's host instance decides (see `project_host`): every change
//! to a project is applied there, written to its log, and announced by the
//! project's `Group` to the instances of its members (and to the person
//! concerned), in the transaction of the change. A teacher of another
//! instance acts by sending the activity to the project; their instance
//! keeps a mirror of the membership, refreshed from the host after each
//! announcement. This module holds what a local teacher asks for.

use super::{
    keys::generate_key_pair,
    outbox::{self, new_activity_id, project as outgoing, queue, to_json, Answered},
    rendering, validate, Domain, DomainError, DomainResult, Refusal,
};
use crate::{
    domain::store::{
        accounts::AccountRow,
        actors::{ActorKindRow, ActorRow, NewActor},
        now_ms,
        projects::{
            self, JoinMode, MemberRow, MemberState, NewMember, ProjectFields, ProjectRow,
            ProjectStatus, Role, Visibility,
        },
    },
    urls,
};
use preau_federation::activities::ActivityKind;
use preau_federation::{projects::MemberRole, TrustLevel};
use serde_json::Value;

/// A project as asked for in the create and edit forms.
#[derive(Debug, Clone, Default)]
pub struct ProjectInput {
    /// Its name: the `NAME` of `NAME@domain` (creation only).
    pub name: String,
    /// Title.
    pub title: String,
    /// Markdown description.
    pub description: String,
    /// Comma-separated subjects.
    pub subjects: String,
    /// Level codes.
    pub school_levels: Vec<String>,
    /// Comma-separated languages.
    pub languages: String,
    /// Academy.
    pub academy: String,
    /// Country.
    pub country: String,
    /// Commune or place.
    pub place: String,
    /// Latitude as typed (empty for none).
    pub latitude: String,
    /// Longitude as typed.
    pub longitude: String,
    /// `public` or `members`.
    pub visibility: String,
    /// `looking`, `running` or `finished`.
    pub status: String,
    /// `invite`, `request` or `open`.
    pub join_mode: String,
    /// Lowest member label: `informal`, `associative`, `institutional`.
    pub min_member_level: String,
}

fn coordinate(raw: &str, limit: f64, field: &str) -> DomainResult<Option<f64>> {
    let raw = raw.trim().replace(',', ".");
    if raw.is_empty() {
        return Ok(None);
    }
    match raw.parse::<f64>() {
        Ok(value) if value.is_finite() && value.abs() <= limit => Ok(Some(value)),
        _ => Err(Refusal::InvalidCoordinates(field.into()).into()),
    }
}

/// Checks and normalises the fields of a project form.
pub fn project_fields(input: &ProjectInput) -> DomainResult<ProjectFields> {
    let title = validate::name(&input.title, 120, "title")?;
    if title.is_empty() {
        return Err(Refusal::FieldRequired("title".into()).into());
    }
    let description = validate::text(&input.description, 10_000, "description")?;
    let mut school_levels = Vec::new();
    for level in &input.school_levels {
        let level = level.trim();
        if level.is_empty() {
            continue;
        }
        if !super::profile::SCHOOL_LEVELS.contains(&level) {
            return Err(Refusal::InvalidLevel("school_levels".into()).into());
        }
        if !school_levels.iter().any(|seen| seen == level) {
            school_levels.push(level.to_string());
        }
    }
    let latitude = coordinate(&input.latitude, 90.0, "latitude")?;
    let longitude = coordinate(&input.longitude, 180.0, "longitude")?;
    if latitude.is_some() != longitude.is_some() {
        return Err(Refusal::InvalidCoordinates("longitude".into()).into());
    }
    // A place without coordinates gets its commune's, when it names one.
    let (latitude, longitude) = match (latitude, longitude) {
        (None, None) => super::places::commune_position(&input.place, &input.country)
            .map_or((None, None), |(lat, lon)| (Some(lat), Some(lon))),
        given => given,
    };
    let choice = |raw: &str, field: &str| -> DomainResult<String> {
        let raw = raw.trim();
        if raw.is_empty() {
            return Err(Refusal::FieldRequired(field.into()).into());
        }
        Ok(raw.to_string())
    };
    let visibility = Visibility::parse(&choice(&input.visibility, "visibility")?)
        .ok_or_else(|| Refusal::InvalidChoice("visibility".into()))?;
    let status = ProjectStatus::parse(&choice(&input.status, "status")?)
        .ok_or_else(|| Refusal::InvalidChoice("status".into()))?;
    let join_mode = JoinMode::parse(&choice(&input.join_mode, "join_mode")?)
        .ok_or_else(|| Refusal::InvalidChoice("join_mode".into()))?;
    let min_member_level = if input.min_member_level.trim().is_empty() {
        TrustLevel::Informal
    } else {
        input
            .min_member_level
            .trim()
            .parse::<TrustLevel>()
            .map_err(|_| Refusal::InvalidChoice("min_member_level".into()))?
    };
    Ok(ProjectFields {
        title,
        // Rendered by the async callers, off the async workers.
        description_html: String::new(),
        description_source: description,
        subjects: validate::list(&input.subjects, 20, 80, "subjects")?,
        school_levels,
        languages: validate::list(&input.languages, 10, 20, "languages")?,
        academy: validate::name(&input.academy, 80, "academy")?,
        country: validate::name(&input.country, 80, "country")?,
        place: validate::name(&input.place, 120, "place")?,
        latitude,
        longitude,
        visibility,
        status,
        join_mode,
        min_member_level,
        members_url: None,
        activity_url: None,
    })
}

/// The wire role of a membership row.
pub fn wire_role(member: &MemberRow) -> Option<MemberRole> {
    Some(match member.state {
        MemberState::Member => match member.role {
            Role::Owner => MemberRole::Owner,
            Role::Moderator => MemberRole::Moderator,
            Role::Member => MemberRole::Member,
        },
        MemberState::Invited => MemberRole::Invited,
        MemberState::Requested => MemberRole::Requested,
        MemberState::Refused => MemberRole::Refused,
        MemberState::Rejected => MemberRole::Rejected,
        MemberState::Left | MemberState::Removed => return None,
    })
}

/// The stored role and state of a wire role.
pub fn row_role(role: MemberRole) -> (Role, MemberState) {
    match role {
        MemberRole::Owner => (Role::Owner, MemberState::Member),
        MemberRole::Moderator => (Role::Moderator, MemberState::Member),
        MemberRole::Member => (Role::Member, MemberState::Member),
        MemberRole::Invited => (Role::Member, MemberState::Invited),
        MemberRole::Requested => (Role::Member, MemberState::Requested),
        MemberRole::Refused => (Role::Member, MemberState::Refused),
        MemberRole::Rejected => (Role::Member, MemberState::Rejected),
    }
}

impl Domain {
    /// [`project_fields`] with the description rendered from Markdown.
    async fn rendered_project_fields(&self, input: &ProjectInput) -> DomainResult<ProjectFields> {
        let mut fields = project_fields(input)?;
        fields.description_html =
            rendering::markdown(fields.description_source.clone(), "description").await?;
        Ok(fields)
    }

    /// The actor of a local account.
    pub(crate) async fn actor_of(&self, account: &AccountRow) -> DomainResult<ActorRow> {
        self.store
            .actor_by_id(account.actor_id)
            .await?
            .ok_or_else(|| DomainError::Internal("account without actor".into()))
    }

    /// Creates a local project; its creator is its first owner.
    pub async fn create_project(
        &self,
        creator: &AccountRow,
        input: &ProjectInput,
    ) -> DomainResult<ProjectRow> {
        let name = validate::username(&input.name)
            .map_err(|_| Refusal::InvalidProjectName("name".into()))?;
        let fields = self.rendered_project_fields(input).await?;
        if self.store.local_actor_by_name(&name).await?.is_some() {
            return Err(Refusal::NameTaken("name".into()).into());
        }
        let owner = self.actor_of(creator).await?;
        let (public_key_pem, private_key_pem) = generate_key_pair().await?;
        let base = self.settings.base_url();
        let ap_id = urls::project(&base, &name);
        let actor = NewActor {
            kind: ActorKindRow::Group,
            name,
            domain: String::new(),
            inbox: format!("{ap_id}/inbox"),
            shared_inbox: Some(urls::shared_inbox(&base)),
            display_name: fields.title.clone(),
            summary_html: fields.description_html.clone(),
            public_key_pem,
            private_key_pem: Some(private_key_pem),
            declared_trust: None,
            ap_id,
        };
        let id = match self
            .store
            .create_project(&actor, &fields, Some(creator.id), owner.id)
            .await
        {
            Ok(id) => id,
            Err(error) if crate::domain::store::is_unique_violation(&error) => {
                return Err(Refusal::NameTaken("name".into()).into())
            }
            Err(error) => return Err(error.into()),
        };
        self.store
            .project(id)
            .await?
            .ok_or_else(|| DomainError::Internal("project vanished".into()))
    }

    /// An owner edits a local project; members' instances get an `Update`
    /// of the `Group`.
    pub async fn edit_project(
        &self,
        editor: &AccountRow,
        project: &ProjectRow,
        input: &ProjectInput,
    ) -> DomainResult<ProjectRow> {
        if !project.actor.is_local() {
            return Err(Refusal::ProjectIsRemote.into());
        }
        let me = self.actor_of(editor).await?;
        let member = self.store.member(project.actor.id, me.id).await?;
        if !member.as_ref().is_some_and(MemberRow::is_owner) {
            return Err(Refusal::NotProjectOwner.into());
        }
        let fields = self.rendered_project_fields(input).await?;
        let mut tx = self.store.begin().await?;
        projects::update_project_fields(&mut tx, project.actor.id, &fields).await?;
        let inboxes = projects::member_inboxes(&mut tx, project.actor.id).await?;
        if !inboxes.is_empty() {
            let id = new_activity_id(&self.settings.base_url());
            let update = to_json(&outgoing::update_project(&id, &project.actor.ap_id)?)?;
            queue(&mut tx, &id, project.actor.id, &update, &inboxes).await?;
        }
        crate::domain::store::commit(tx).await?;
        self.after_commit();
        self.store
            .project(project.actor.id)
            .await?
            .ok_or_else(|| DomainError::Internal("project vanished".into()))
    }

    /// The label level of a person, as this instance verifies it now.
    async fn person_level(&self, person: &ActorRow) -> DomainResult<TrustLevel> {
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
                    updated_at: now_ms(),
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
                    updated_at: now_ms(),
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
                    updated_at: now_ms(),
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
                updated_at: now_ms(),
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
        let mine = self.store.member(project.actor.id, me.id).await?;
        if !mine.as_ref().is_some_and(MemberRow::is_owner) {
            return Err(Refusal::NotProjectOwner.into());
        }
        let Some(row) = self
            .store
            .member(project.actor.id, target.id)
            .await?
            .filter(MemberRow::is_member)
        else {
            return Err(Refusal::NotCurrentMember.into());
        };
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

    /// Whether a local account may read a project's members-only content.
    pub async fn may_read_project(
        &self,
        account: Option<&AccountRow>,
        project: &ProjectRow,
    ) -> DomainResult<Option<MemberRow>> {
        let Some(account) = account else {
            return Ok(None);
        };
        Ok(self
            .store
            .member(project.actor.id, account.actor_id)
            .await?
            .filter(MemberRow::is_member))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input() -> ProjectInput {
        ProjectInput {
            name: "eco".into(),
            title: "Éco-délégués".into(),
            visibility: "public".into(),
            status: "looking".into(),
            join_mode: "request".into(),
            ..ProjectInput::default()
        }
    }

    #[test]
    fn project_forms_are_checked() {
        let fields = project_fields(&input()).unwrap();
        assert_eq!(fields.visibility, Visibility::Public);
        assert_eq!(fields.min_member_level, TrustLevel::Informal);
        let mut bad = input();
        bad.latitude = "48.11".into();
        assert_eq!(
            project_fields(&bad).unwrap_err().code(),
            "invalid_coordinates"
        );
        bad.longitude = "-1,68".into();
        let fields = project_fields(&bad).unwrap();
        assert_eq!(fields.longitude, Some(-1.68));
        bad.latitude = "98".into();
        assert_eq!(
            project_fields(&bad).unwrap_err().code(),
            "invalid_coordinates"
        );
        let mut bad = input();
        bad.join_mode = "anyhow".into();
        assert_eq!(project_fields(&bad).unwrap_err().code(), "invalid_choice");
        let mut bad = input();
        bad.title = " ".into();
        assert_eq!(project_fields(&bad).unwrap_err().code(), "field_required");
        let mut bad = input();
        bad.school_levels = vec!["fac".into()];
        assert_eq!(project_fields(&bad).unwrap_err().code(), "invalid_level");
    }

    #[test]
    fn roles_and_wire_roles_match() {
        for role in [
            MemberRole::Owner,
            MemberRole::Moderator,
            MemberRole::Member,
            MemberRole::Invited,
            MemberRole::Requested,
            MemberRole::Refused,
            MemberRole::Rejected,
        ] {
            let (role_row, state) = row_role(role);
            let row = MemberRow {
                project_id: crate::domain::store::actors::ActorId(1),
                actor_id: crate::domain::store::actors::ActorId(2),
                role: role_row,
                state,
                activity_id: None,
                invited_by: None,
                created_at: 0,
                updated_at: 0,
            };
            assert_eq!(wire_role(&row), Some(role));
        }
        assert_eq!(Role::Member.promoted(), Some(Role::Moderator));
        assert_eq!(Role::Owner.promoted(), None);
        assert_eq!(Role::Member.demoted(), None);
    }
}
