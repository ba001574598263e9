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
//! announcement. This module holds what a local teacher asks for: creating
//! and editing a project, and who may read it; membership requests
//! (invitations, answers, joining, leaving, removal, roles) are in
//! [`super::project_membership`].

use super::{
    keys::generate_key_pair,
    outbox::{new_activity_id, project as outgoing, queue, to_json},
    rendering, validate, Domain, DomainError, DomainResult, Refusal,
};
use crate::{
    domain::store::{
        accounts::AccountRow,
        actors::{ActorKindRow, ActorRow, NewActor},
        projects::{
            self, JoinMode, MemberRow, MemberState, ProjectFields, ProjectRow, ProjectStatus, Role,
            Visibility,
        },
    },
    urls,
};
use preau_federation::{projects::MemberRole, TrustLevel};

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
