//! A project's pages, one per section ([`ProjectSection`]): about (with
//! the actions a visitor, member or owner may take), forum, documents,
//! agenda (the member sections, see [`super::project_content`]), members
//! and activity, with a tab bar between them; a section is shown again
//! with what was typed when one of its forms is refused
//! ([`TypedProjectForm`]).

use super::{
    project_content::MemberSections,
    projects::{login_redirect, project_by_path, project_path, refusal},
    session::Page,
    views::{date, PersonView, ProjectView},
};
use crate::extract::{ApiPath, WebPath};
use crate::{
    app::AppState,
    apub::projects::project_actor_response,
    domain::rows::{MemberState, ProjectRow, Visibility},
    error::AppError,
};
use activitypub_federation::config::Data;
use axum::{
    http::{HeaderMap, StatusCode},
    response::Response,
};
use serde::Serialize;

/// A section of a project's pages, each at its own path.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ProjectSection {
    /// `/projects/{name}`: description, state, and the visitor's actions.
    About,
    /// `/projects/{name}/forum`: the members' threads.
    Forum,
    /// `/projects/{name}/documents`: shared documents.
    Documents,
    /// `/projects/{name}/agenda`: the project's events.
    Agenda,
    /// `/projects/{name}/members`: members, invitations and requests.
    Members,
    /// `/projects/{name}/activity`: the project's log.
    Activity,
}

impl ProjectSection {
    /// Every section, in the order of the tab bar.
    const ALL: [ProjectSection; 6] = [
        ProjectSection::About,
        ProjectSection::Forum,
        ProjectSection::Documents,
        ProjectSection::Agenda,
        ProjectSection::Members,
        ProjectSection::Activity,
    ];

    /// The key of the section in the catalogs (`project-tab-<key>`).
    fn key(self) -> &'static str {
        match self {
            ProjectSection::About => "about",
            ProjectSection::Forum => "forum",
            ProjectSection::Documents => "documents",
            ProjectSection::Agenda => "agenda",
            ProjectSection::Members => "members",
            ProjectSection::Activity => "activity",
        }
    }

    /// The page path of this section of `project`.
    pub fn path(self, project: &ProjectRow) -> String {
        match self {
            ProjectSection::About => project_path(project),
            section => format!("{}/{}", project_path(project), section.key()),
        }
    }

    /// Whether only members see the section.
    fn members_only(self) -> bool {
        matches!(
            self,
            ProjectSection::Forum | ProjectSection::Documents | ProjectSection::Agenda
        )
    }

    /// The section a form's hidden `section` field names (`members`), the
    /// about section otherwise.
    pub fn from_form(value: &str) -> ProjectSection {
        match value {
            "members" => ProjectSection::Members,
            _ => ProjectSection::About,
        }
    }
}

/// A tab of the project's tab bar.
#[derive(Serialize)]
struct TabView {
    key: &'static str,
    path: String,
    current: bool,
}

/// What was typed in one of the project page's forms when it was refused,
/// and `field`, the one the message is about.
#[derive(Serialize)]
pub struct TypedProjectForm {
    /// The field the message is shown at.
    pub field: Option<String>,
    /// The Markdown preview asked for (a new thread), as sanitised HTML.
    pub preview_html: Option<String>,
    /// The form and its values.
    #[serde(flatten)]
    pub form: ProjectFormText,
}

/// The values of one of the project page's forms, by field name; `form`
/// names which.
#[derive(Serialize)]
#[serde(tag = "form", rename_all = "snake_case")]
pub enum ProjectFormText {
    /// A new thread.
    Thread {
        /// Title.
        title: String,
        /// Markdown body.
        body: String,
    },
    /// A new event.
    Event {
        /// Title.
        title: String,
        /// Description.
        description: String,
        /// Start, as typed.
        starts: String,
        /// End, as typed.
        ends: String,
        /// Location.
        location: String,
        /// Video meeting link.
        meeting_url: String,
        /// The members it is for.
        attendees: Vec<i64>,
    },
    /// An invitation by handle.
    Invite {
        /// The handle as typed.
        handle: String,
    },
    /// A shared file or a new version of one (a browser cannot give the
    /// file back: the reason is shown at the field it was chosen in).
    Document {
        /// The document it was a new version of.
        version_of: Option<i64>,
    },
}

/// `project.html`.
#[derive(Serialize)]
struct ProjectPage {
    /// The section shown.
    section: ProjectSection,
    /// The tab bar: the sections the visitor may open.
    tabs: Vec<TabView>,
    /// Threads, documents, events: for members.
    sections: Option<MemberSections>,
    /// People a member may invite.
    known_people: Vec<KnownPerson>,
    project: ProjectView,
    /// The visitor's membership.
    me: Option<MeView>,
    /// Whether the visitor may read the page's content.
    open_page: bool,
    members: Vec<MemberView>,
    /// How many members, when the visitor may see them.
    member_count: Option<usize>,
    /// Invitations and join requests (for members).
    pending: Vec<MemberView>,
    /// People who left or were removed (for members).
    former: Vec<MemberView>,
    log: Vec<LogView>,
    error: Option<String>,
    typed: Option<TypedProjectForm>,
    /// People the visitor already has something with (no "add to
    /// contacts" for them).
    known: Vec<i64>,
}

/// A person one may invite.
#[derive(Serialize)]
struct KnownPerson {
    handle: String,
    display_name: String,
}

/// The visitor's membership.
#[derive(Serialize)]
struct MeView {
    actor_id: i64,
    role: &'static str,
    state: &'static str,
    member: bool,
    moderator: bool,
    owner: bool,
}

/// A member (or invited, requesting, former member).
#[derive(Serialize)]
struct MemberView {
    role: &'static str,
    state: &'static str,
    since: String,
    inviter: Option<PersonView>,
    #[serde(flatten)]
    person: PersonView,
}

/// An entry of the project's activity.
#[derive(Serialize)]
struct LogView {
    kind: String,
    actor: Option<PersonView>,
    subject: Option<PersonView>,
    detail: String,
    at: String,
}

/// `GET /projects/{name}`: the page, or the `Group` for ActivityPub
/// clients.
pub async fn show_project(
    data: Data<AppState>,
    page: Page,
    method: axum::http::Method,
    uri: axum::http::Uri,
    headers: HeaderMap,
    WebPath(name): WebPath<String>,
) -> Response {
    let state: &AppState = &data;
    if super::profile::wants_activity_json(&headers) {
        let request = crate::apub::projects::SignedRead::of(method, &uri, headers);
        return project_actor_response(&data, &name, &request).await;
    }
    let project = match project_by_path(state, &name).await {
        Ok(project) => project,
        Err(error) => return refusal(state, &page, error),
    };
    project_page(
        state,
        &page,
        StatusCode::OK,
        &project,
        ProjectSection::About,
    )
    .await
}

/// `GET /projects/{name}/forum`.
pub async fn show_forum(data: Data<AppState>, page: Page, name: WebPath<String>) -> Response {
    show_section(&data, &page, name, ProjectSection::Forum).await
}

/// `GET /projects/{name}/documents`.
pub async fn show_documents(data: Data<AppState>, page: Page, name: WebPath<String>) -> Response {
    show_section(&data, &page, name, ProjectSection::Documents).await
}

/// `GET /projects/{name}/agenda`.
pub async fn show_agenda(data: Data<AppState>, page: Page, name: WebPath<String>) -> Response {
    show_section(&data, &page, name, ProjectSection::Agenda).await
}

/// `GET /projects/{name}/members`: the section, or the members collection
/// for ActivityPub readers.
pub async fn show_members(
    data: Data<AppState>,
    page: Page,
    method: axum::http::Method,
    uri: axum::http::Uri,
    headers: HeaderMap,
    WebPath(name): WebPath<String>,
) -> Response {
    if super::profile::wants_activity_json(&headers) {
        return crate::apub::projects::get_project_members(
            data,
            ApiPath(name),
            method,
            uri,
            headers,
        )
        .await;
    }
    show_section(&data, &page, WebPath(name), ProjectSection::Members).await
}

/// `GET /projects/{name}/activity`: the section, or the project's log
/// collection for ActivityPub readers.
pub async fn show_activity(
    data: Data<AppState>,
    page: Page,
    method: axum::http::Method,
    uri: axum::http::Uri,
    headers: HeaderMap,
    WebPath(name): WebPath<String>,
) -> Response {
    if super::profile::wants_activity_json(&headers) {
        return crate::apub::projects::get_project_activity(
            data,
            ApiPath(name),
            method,
            uri,
            headers,
        )
        .await;
    }
    show_section(&data, &page, WebPath(name), ProjectSection::Activity).await
}

async fn show_section(
    state: &AppState,
    page: &Page,
    WebPath(name): WebPath<String>,
    section: ProjectSection,
) -> Response {
    if section.members_only() && page.user.is_none() {
        return login_redirect(&format!("/projects/{name}/{}", section.key()));
    }
    let project = match project_by_path(state, &name).await {
        Ok(project) => project,
        Err(error) => return refusal(state, page, error),
    };
    project_page(state, page, StatusCode::OK, &project, section).await
}

/// A section of the project's pages.
pub(crate) async fn project_page(
    state: &AppState,
    page: &Page,
    status: StatusCode,
    project: &ProjectRow,
    section: ProjectSection,
) -> Response {
    project_page_with(state, page, status, project, section, None, None).await
}

/// A section of the project's pages, with an error message and what was
/// typed in one of its forms when it was refused: `typed` has `form` (`thread`, `event` or `invite`), the values
/// by field name, and `field`, the one the message is about. That form
/// shows the values again and the message at its field.
pub(crate) async fn project_page_with(
    state: &AppState,
    page: &Page,
    status: StatusCode,
    project: &ProjectRow,
    section: ProjectSection,
    error: Option<String>,
    typed: Option<TypedProjectForm>,
) -> Response {
    let labels = match state.domain.labeller().await {
        Ok(labels) => labels,
        Err(error) => return refusal(state, page, error),
    };
    let view = match state.domain.project_view(page.user.as_ref(), project).await {
        Ok(view) => view,
        Err(error) => return refusal(state, page, error),
    };
    let is_member = view.is_member();
    let open_page = is_member || project.visibility == Visibility::Public;
    let may_see = |section: ProjectSection| match section {
        ProjectSection::About => true,
        section if section.members_only() => is_member,
        _ => open_page,
    };
    if !may_see(section) {
        return refusal(
            state,
            page,
            AppError::new(StatusCode::FORBIDDEN, "not_project_member"),
        );
    }
    let tabs = ProjectSection::ALL
        .into_iter()
        .filter(|tab| may_see(*tab))
        .map(|tab| TabView {
            key: tab.key(),
            path: tab.path(project),
            current: tab == section,
        })
        .collect();
    let mut members = Vec::new();
    let mut pending = Vec::new();
    let mut former = Vec::new();
    for member in &view.members {
        let entry = MemberView {
            role: member.member.role.as_str(),
            state: member.member.state.as_str(),
            since: date(member.member.updated_at),
            inviter: member.inviter.as_ref().map(|i| PersonView::of(i, &labels)),
            person: PersonView::of(&member.actor, &labels),
        };
        match member.member.state {
            MemberState::Member => members.push(entry),
            MemberState::Left | MemberState::Removed => former.push(entry),
            _ => pending.push(entry),
        }
    }
    let log = view
        .log
        .iter()
        .map(|entry| LogView {
            kind: entry.kind.clone(),
            actor: entry.actor.as_ref().map(|a| PersonView::of(a, &labels)),
            subject: entry.subject.as_ref().map(|a| PersonView::of(a, &labels)),
            detail: entry.detail.clone(),
            at: date(entry.at),
        })
        .collect();
    let me = view.me.as_ref().map(|row| MeView {
        actor_id: row.actor_id.0,
        role: row.role.as_str(),
        state: row.state.as_str(),
        member: row.is_member(),
        moderator: row.is_moderator(),
        owner: row.is_owner(),
    });
    let known_people = match &page.user {
        Some(user)
            if is_member && matches!(section, ProjectSection::About | ProjectSection::Members) =>
        {
            match state.domain.people_to_invite(user, project).await {
                Ok(people) => people
                    .iter()
                    .map(|p| {
                        let domain = if p.is_local() {
                            &state.domain.settings.instance.domain
                        } else {
                            &p.domain
                        };
                        KnownPerson {
                            handle: format!("{}@{}", p.name, domain),
                            display_name: p.display_name.clone(),
                        }
                    })
                    .collect(),
                Err(error) => return refusal(state, page, error),
            }
        }
        _ => Vec::new(),
    };
    let sections = match (&page.user, section.members_only()) {
        (Some(user), true) => {
            match super::project_content::member_sections(state, user, project, &labels).await {
                Ok(sections) => Some(sections),
                Err(error) => return refusal(state, page, error),
            }
        }
        _ => None,
    };
    let known = match (&page.user, section) {
        (Some(user), ProjectSection::Members) => {
            match state.domain.people_known_to(user.actor_id).await {
                Ok(known) => known.into_iter().map(|id| id.0).collect(),
                Err(error) => return refusal(state, page, error),
            }
        }
        _ => Vec::new(),
    };
    state.render_status(
        status,
        page,
        "project.html",
        &ProjectPage {
            known,
            section,
            tabs,
            sections,
            known_people,
            project: ProjectView::of(state, project, &labels),
            me,
            open_page,
            member_count: (!members.is_empty()).then_some(members.len()),
            members,
            pending: if is_member { pending } else { Vec::new() },
            former: if is_member { former } else { Vec::new() },
            log,
            error,
            typed,
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use minijinja::Value;

    #[test]
    fn a_typed_form_names_its_form_beside_its_values() {
        let typed = Value::from_serialize(TypedProjectForm {
            field: Some("handle".into()),
            preview_html: None,
            form: ProjectFormText::Invite {
                handle: "amina@svt.example".into(),
            },
        });
        assert_eq!(typed.get_attr("form").unwrap().to_string(), "invite");
        assert_eq!(typed.get_attr("field").unwrap().to_string(), "handle");
        assert_eq!(
            typed.get_attr("handle").unwrap().to_string(),
            "amina@svt.example"
        );
        let typed = Value::from_serialize(TypedProjectForm {
            field: None,
            preview_html: None,
            form: ProjectFormText::Event {
                title: "Visio".into(),
                description: String::new(),
                starts: "demain".into(),
                ends: String::new(),
                location: String::new(),
                meeting_url: String::new(),
                attendees: vec![3, 4],
            },
        });
        assert_eq!(typed.get_attr("form").unwrap().to_string(), "event");
        assert!(typed.get_attr("field").unwrap().is_none());
        assert_eq!(typed.get_attr("starts").unwrap().to_string(), "demain");
        assert_eq!(typed.get_attr("attendees").unwrap().len(), Some(2));
        assert!(typed.get_attr("handle").unwrap().is_undefined());
    }
}
