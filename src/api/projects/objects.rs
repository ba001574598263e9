//! The response types of project spaces (docs/api.md, "Projects"): the
//! project object, a person's membership, the caller's own flags, the
//! activity log, and the bodies of the project routes built from them.
//! Each is built from domain rows at the edge and described in the
//! OpenAPI document.

use crate::api::schema::{rfc3339, Person, Trust};
use crate::domain::{
    project_queries::{ProjectRequests, ProjectView},
    rows::{LogEntry, MemberRow, MemberState, MemberView, ProjectRow},
    trust::Labeller,
};
use serde::Serialize;
use utoipa::ToSchema;

/// A project space, local or remote: what its `Group` document publishes.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Project {
    /// `name@domain`.
    pub handle: String,
    /// The name, unique among the local names of its instance.
    pub name: String,
    /// Whether this instance hosts it.
    pub local: bool,
    /// The ActivityPub id of its `Group`.
    pub actor_id: String,
    /// Plain text.
    pub title: String,
    /// Sanitised HTML.
    pub description_html: String,
    /// Subjects taught.
    pub subjects: Vec<String>,
    /// School level codes.
    pub school_levels: Vec<String>,
    /// Languages (BCP 47).
    pub languages: Vec<String>,
    /// Academy.
    pub academy: String,
    /// Country.
    pub country: String,
    /// Commune or place, as typed.
    pub place: String,
    /// Latitude, degrees.
    pub latitude: Option<f64>,
    /// Longitude, degrees.
    pub longitude: Option<f64>,
    /// `public` or `members`.
    pub visibility: String,
    /// `looking`, `running` or `finished`.
    pub status: String,
    /// `invite`, `request` or `open`.
    pub join_mode: String,
    /// The lowest trust level a member must have.
    pub min_member_level: String,
    /// Created (or first seen here), RFC 3339.
    pub created_at: Option<String>,
    /// Last change of any kind, RFC 3339.
    pub last_activity_at: Option<String>,
    /// The label of the project's instance, as this instance verifies it.
    pub trust: Trust,
}

impl Project {
    /// The view of `project`, its instance labelled by `labels`.
    pub fn new(project: &ProjectRow, labels: &Labeller<'_>) -> Project {
        let actor = &project.actor;
        let domain = if actor.is_local() {
            labels.local_domain()
        } else {
            actor.domain.as_str()
        };
        Project {
            handle: format!("{}@{}", actor.name, domain),
            name: actor.name.clone(),
            local: actor.is_local(),
            actor_id: actor.ap_id.clone(),
            title: project.title.clone(),
            description_html: project.description_html.clone(),
            subjects: project.subjects.clone(),
            school_levels: project.school_levels.clone(),
            languages: project.languages.clone(),
            academy: project.academy.clone(),
            country: project.country.clone(),
            place: project.place.clone(),
            latitude: project.latitude,
            longitude: project.longitude,
            visibility: project.visibility.as_str().to_string(),
            status: project.status.as_str().to_string(),
            join_mode: project.join_mode.as_str().to_string(),
            min_member_level: project.min_member_level.as_str().to_string(),
            created_at: rfc3339(project.created_at),
            last_activity_at: rfc3339(project.last_activity_at),
            trust: labels.instance(&actor.domain).into(),
        }
    }
}

/// The caller's own row in a project, as the flags a client needs to
/// offer actions.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct MemberFlags {
    /// `owner`, `moderator` or `member`.
    pub role: String,
    /// `invited`, `requested`, `member`, `refused`, `rejected`, `left` or
    /// `removed`.
    pub state: String,
    /// A current member.
    pub member: bool,
    /// May decide on requests and remove members.
    pub moderator: bool,
    /// An owner.
    pub owner: bool,
}

impl From<&MemberRow> for MemberFlags {
    fn from(row: &MemberRow) -> MemberFlags {
        MemberFlags {
            role: row.role.as_str().to_string(),
            state: row.state.as_str().to_string(),
            member: row.is_member(),
            moderator: row.is_moderator(),
            owner: row.is_owner(),
        }
    }
}

/// A project in a list, with the caller's row (`null` without a token or
/// a row).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ProjectListed {
    /// The project.
    #[serde(flatten)]
    pub project: Project,
    /// The caller's row.
    pub me: Option<MemberFlags>,
}

/// `GET /projects`.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ProjectList {
    /// Most recently active first.
    pub projects: Vec<ProjectListed>,
}

/// A person's membership of a project.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct MemberEntry {
    /// The person.
    pub person: Person,
    /// `owner`, `moderator` or `member` (meaningful for members).
    pub role: String,
    /// `invited`, `requested`, `member`, `refused`, `rejected`, `left` or
    /// `removed`.
    pub state: String,
    /// The last change, RFC 3339.
    pub since: Option<String>,
    /// Who invited them; `null` unless invited.
    pub invited_by: Option<Person>,
}

impl MemberEntry {
    /// The view of one membership.
    pub fn new(view: &MemberView, labels: &Labeller<'_>) -> MemberEntry {
        MemberEntry {
            person: Person::new(&view.actor, labels),
            role: view.member.role.as_str().to_string(),
            state: view.member.state.as_str().to_string(),
            since: rfc3339(view.member.updated_at),
            invited_by: view.inviter.as_ref().map(|i| Person::new(i, labels)),
        }
    }
}

/// One line of a project's activity log.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ProjectLogEntry {
    /// `created`, `invited`, `joined`, `accepted`, `refused`, `requested`,
    /// `rejected`, `left`, `removed` or `role`.
    pub kind: String,
    /// Who did it.
    pub actor: Option<Person>,
    /// Whom it concerns.
    pub subject: Option<Person>,
    /// More: the new role for `role`.
    pub detail: String,
    /// When, RFC 3339.
    pub at: Option<String>,
}

impl ProjectLogEntry {
    /// The view of one log line.
    pub fn new(entry: &LogEntry, labels: &Labeller<'_>) -> ProjectLogEntry {
        ProjectLogEntry {
            kind: entry.kind.clone(),
            actor: entry.actor.as_ref().map(|a| Person::new(a, labels)),
            subject: entry.subject.as_ref().map(|a| Person::new(a, labels)),
            detail: entry.detail.clone(),
            at: rfc3339(entry.at),
        }
    }
}

/// A project with what the caller may see of its membership
/// (`GET /projects/{name}`): `pending`, `former` and `log` for members
/// only (absent for others).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ProjectPage {
    /// The project.
    pub project: Project,
    /// The caller's row, or `null`.
    pub me: Option<MemberFlags>,
    /// Current members, owners first.
    pub members: Vec<MemberEntry>,
    /// Invitations and requests waiting or declined: members only.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pending: Option<Vec<MemberEntry>>,
    /// People who left or were removed: members only.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub former: Option<Vec<MemberEntry>>,
    /// The last changes, newest first: members only.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub log: Option<Vec<ProjectLogEntry>>,
}

impl ProjectPage {
    /// The page of `project` as `view` lets the caller see it.
    pub fn new(project: &ProjectRow, view: &ProjectView, labels: &Labeller<'_>) -> ProjectPage {
        let mut members = Vec::new();
        let mut pending = Vec::new();
        let mut former = Vec::new();
        for member in &view.members {
            let entry = MemberEntry::new(member, labels);
            match member.member.state {
                MemberState::Member => members.push(entry),
                MemberState::Left | MemberState::Removed => former.push(entry),
                _ => pending.push(entry),
            }
        }
        let for_members = view.is_member();
        ProjectPage {
            project: Project::new(project, labels),
            me: view.me.as_ref().map(MemberFlags::from),
            members,
            pending: for_members.then_some(pending),
            former: for_members.then_some(former),
            log: for_members.then(|| {
                view.log
                    .iter()
                    .map(|entry| ProjectLogEntry::new(entry, labels))
                    .collect()
            }),
        }
    }
}

/// Where a person now stands in a project, as this instance records it:
/// the answer of the membership actions.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ProjectMembership {
    /// The project.
    pub project: Project,
    /// The person's membership, or `null` if they have no row.
    pub membership: Option<MemberEntry>,
}

/// An invitation waiting for the caller's answer.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RequestInvitation {
    /// The project.
    pub project: Project,
    /// Who invited, if known.
    pub invited_by: Option<Person>,
    /// When, RFC 3339.
    pub since: Option<String>,
}

/// A join request waiting for the caller's decision (as a moderator).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RequestToDecide {
    /// The project.
    pub project: Project,
    /// Who asks.
    pub person: Person,
    /// When, RFC 3339.
    pub since: Option<String>,
}

/// An invitation the caller sent, with what became of it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RequestSent {
    /// The project.
    pub project: Project,
    /// The invitee.
    pub person: Person,
    /// `invited`, `refused`, `member`…
    pub state: String,
    /// The last change, RFC 3339.
    pub since: Option<String>,
}

/// `GET /me/requests` ("Mes demandes").
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RequestLists {
    /// Invitations to answer.
    pub invitations: Vec<RequestInvitation>,
    /// Join requests in the projects the caller moderates.
    pub to_decide: Vec<RequestToDecide>,
    /// Invitations the caller sent.
    pub sent: Vec<RequestSent>,
    /// The caller's contact requests and contacts.
    pub contacts: crate::api::contacts::ContactLists,
}

impl RequestLists {
    /// The project half of "Mes demandes", with the caller's `contacts`.
    pub fn new(
        requests: &ProjectRequests,
        contacts: crate::api::contacts::ContactLists,
        labels: &Labeller<'_>,
    ) -> RequestLists {
        RequestLists {
            invitations: requests
                .invitations
                .iter()
                .map(|(project, row, inviter)| RequestInvitation {
                    project: Project::new(project, labels),
                    invited_by: inviter.as_ref().map(|i| Person::new(i, labels)),
                    since: rfc3339(row.updated_at),
                })
                .collect(),
            to_decide: requests
                .to_decide
                .iter()
                .map(|(project, view)| RequestToDecide {
                    project: Project::new(project, labels),
                    person: Person::new(&view.actor, labels),
                    since: rfc3339(view.member.updated_at),
                })
                .collect(),
            sent: requests
                .sent
                .iter()
                .map(|(project, view)| RequestSent {
                    project: Project::new(project, labels),
                    person: Person::new(&view.actor, labels),
                    state: view.member.state.as_str().to_string(),
                    since: rfc3339(view.member.updated_at),
                })
                .collect(),
            contacts,
        }
    }
}
