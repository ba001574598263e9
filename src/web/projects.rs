//! Project pages: the list of projects, creating and editing one, and
//! finding a project or person by handle. A project's own page is in
//! [`super::project_page`]; what members do on it, the members CSV and
//! "Mes demandes" in [`super::project_members`].

use super::{
    session::{CsrfForm, Page},
    views::{LevelChoice, ProjectView},
};
use crate::extract::WebPath;
use crate::{
    app::AppState,
    apub::actors::{ApubError, DbActor},
    domain::{
        errors::Refusal,
        lookups::ActorLookup,
        projects::ProjectInput,
        rows::{ActorRow, ProjectRow},
    },
    error::AppError,
};
use activitypub_federation::{
    config::Data,
    fetch::{object_id::ObjectId, webfinger::webfinger_resolve_actor},
};
use axum::{extract::State, http::StatusCode, response::Response};
use serde::{Deserialize, Serialize};

/// `projects.html`: the projects one may see, and one's own.
#[derive(Serialize)]
struct ProjectsPage {
    projects: Vec<ProjectView>,
    my_projects: Vec<MyProject>,
    error: Option<String>,
}

/// A project one is a member of, with one's role.
#[derive(Serialize)]
struct MyProject {
    role: &'static str,
    #[serde(flatten)]
    project: ProjectView,
}

/// `project_form.html`: creating or editing a project.
#[derive(Serialize)]
struct ProjectFormPage<'a> {
    form: &'a ProjectForm,
    levels: Vec<LevelChoice>,
    /// The path of the project being edited.
    editing: Option<String>,
    error: Option<String>,
}

/// The page path of a project: `/projects/NAME` here, `/projects/NAME@HOST`
/// for one of another instance.
pub fn project_path(project: &ProjectRow) -> String {
    if project.actor.is_local() {
        format!("/projects/{}", project.actor.name)
    } else {
        format!("/projects/{}@{}", project.actor.name, project.actor.domain)
    }
}

pub(crate) fn project_handle(state: &AppState, project: &ProjectRow) -> String {
    let domain = if project.actor.is_local() {
        &state.domain.settings.instance.domain
    } else {
        &project.actor.domain
    };
    format!("{}@{}", project.actor.name, domain)
}

pub(super) fn refusal(state: &AppState, page: &Page, error: impl Into<AppError>) -> Response {
    state.error_page(page, error)
}

pub(super) fn login_redirect(path: &str) -> Response {
    let next: String = url::form_urlencoded::byte_serialize(path.as_bytes()).collect();
    crate::web::redirect::to(&format!("/login?next={next}"))
}

/// The project a page path names: `NAME` (local) or `NAME@HOST` (known
/// remote).
pub async fn project_by_path(state: &AppState, name: &str) -> Result<ProjectRow, AppError> {
    Ok(state.domain.project_by_path(name).await?)
}

/// Finds a person or project by `name` (local), `name@domain` or URL,
/// looking it up on its instance when unknown.
pub async fn resolve_actor(data: &Data<AppState>, input: &str) -> Result<ActorRow, AppError> {
    let failed = |error| crate::apub::lookup::lookup_failure(input, &error);
    match data.domain.find_actor(input).await? {
        ActorLookup::Known(actor) => Ok(actor),
        ActorLookup::FetchUrl(url) => {
            let id: ObjectId<DbActor> = url.into();
            id.dereference(data)
                .await
                .map(|actor| actor.row)
                .map_err(failed)
        }
        ActorLookup::WebFinger(handle) => {
            webfinger_resolve_actor::<AppState, DbActor>(&handle, data)
                .await
                .map(|actor| actor.row)
                .map_err(failed)
        }
    }
}

/// A person by `name` (local), `name@domain` or URL, looked up on their
/// instance when unknown here (WebFinger, then their actor document,
/// stored): `404 person_not_found` when it names no teacher here or names a
/// forum or a project; otherwise the refusals of every lookup
/// (`crate::apub::lookup`): `404 handle_unknown` when the instance knows
/// no such name, `502 host_unreachable` or `lookup_failed`.
pub async fn resolve_person(data: &Data<AppState>, input: &str) -> Result<ActorRow, AppError> {
    let not_found = || AppError::from(crate::domain::DomainError::from(Refusal::PersonNotFound));
    let unreachable = |error: ApubError| crate::apub::lookup::lookup_failure(input, &error);
    let found = match data.domain.find_actor(input).await {
        Ok(ActorLookup::Known(actor)) => actor,
        Ok(ActorLookup::FetchUrl(url)) => {
            let id: ObjectId<DbActor> = url.into();
            id.dereference(data)
                .await
                .map(|actor| actor.row)
                .map_err(unreachable)?
        }
        Ok(ActorLookup::WebFinger(handle)) => {
            webfinger_resolve_actor::<AppState, DbActor>(&handle, data)
                .await
                .map(|actor| actor.row)
                .map_err(unreachable)?
        }
        Err(crate::domain::DomainError::Refused(Refusal::NotFound)) => return Err(not_found()),
        Err(error) => return Err(error.into()),
    };
    if found.kind != crate::domain::rows::ActorKindRow::Person {
        return Err(not_found());
    }
    Ok(found)
}

/// `GET /projects`.
pub async fn show_projects(State(state): State<AppState>, page: Page) -> Response {
    projects_page(&state, &page, StatusCode::OK, None).await
}

pub(super) async fn projects_page(
    state: &AppState,
    page: &Page,
    status: StatusCode,
    error: Option<String>,
) -> Response {
    let labels = match state.domain.labeller().await {
        Ok(labels) => labels,
        Err(error) => return refusal(state, page, error),
    };
    let list = match state.domain.projects_for(page.user.as_ref()).await {
        Ok(list) => list,
        Err(error) => return refusal(state, page, error),
    };
    let projects = list
        .visible
        .iter()
        .map(|(p, _)| ProjectView::of(state, p, &labels))
        .collect();
    let my_projects = list
        .memberships
        .iter()
        .filter(|(_, m)| m.is_member())
        .map(|(p, m)| MyProject {
            role: m.role.as_str(),
            project: ProjectView::of(state, p, &labels),
        })
        .collect();
    state.render_status(
        status,
        page,
        "projects.html",
        &ProjectsPage {
            projects,
            my_projects,
            error,
        },
    )
}

/// The project form as submitted (creation and edit).
#[derive(Debug, Default, Deserialize, Serialize)]
pub struct ProjectForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    title: String,
    #[serde(default)]
    description: String,
    #[serde(default)]
    subjects: String,
    #[serde(default)]
    levels: Vec<String>,
    #[serde(default)]
    languages: String,
    #[serde(default)]
    academy: String,
    #[serde(default)]
    country: String,
    #[serde(default)]
    place: String,
    #[serde(default)]
    latitude: String,
    #[serde(default)]
    longitude: String,
    #[serde(default)]
    visibility: String,
    #[serde(default)]
    status: String,
    #[serde(default)]
    join_mode: String,
    #[serde(default)]
    min_member_level: String,
}

impl ProjectForm {
    fn input(&self) -> ProjectInput {
        ProjectInput {
            name: self.name.clone(),
            title: self.title.clone(),
            description: self.description.clone(),
            subjects: self.subjects.clone(),
            school_levels: self.levels.clone(),
            languages: self.languages.clone(),
            academy: self.academy.clone(),
            country: self.country.clone(),
            place: self.place.clone(),
            latitude: self.latitude.clone(),
            longitude: self.longitude.clone(),
            visibility: self.visibility.clone(),
            status: self.status.clone(),
            join_mode: self.join_mode.clone(),
            min_member_level: self.min_member_level.clone(),
        }
    }

    fn of(project: &ProjectRow) -> ProjectForm {
        ProjectForm {
            name: project.actor.name.clone(),
            title: project.title.clone(),
            description: project.description_source.clone(),
            subjects: project.subjects.join(", "),
            levels: project.school_levels.clone(),
            languages: project.languages.join(", "),
            academy: project.academy.clone(),
            country: project.country.clone(),
            place: project.place.clone(),
            latitude: project.latitude.map(|v| v.to_string()).unwrap_or_default(),
            longitude: project.longitude.map(|v| v.to_string()).unwrap_or_default(),
            visibility: project.visibility.as_str().to_string(),
            status: project.status.as_str().to_string(),
            join_mode: project.join_mode.as_str().to_string(),
            min_member_level: project.min_member_level.as_str().to_string(),
        }
    }
}

fn form_page(
    state: &AppState,
    page: &Page,
    status: StatusCode,
    form: &ProjectForm,
    editing: Option<&ProjectRow>,
    error: Option<String>,
) -> Response {
    state.render_status(
        status,
        page,
        "project_form.html",
        &ProjectFormPage {
            form,
            levels: LevelChoice::all(&form.levels),
            editing: editing.map(project_path),
            error,
        },
    )
}

/// `GET /projects/new`.
pub async fn show_new_project(State(state): State<AppState>, page: Page) -> Response {
    if page.user.is_none() {
        return login_redirect("/projects/new");
    }
    let form = ProjectForm {
        visibility: "public".into(),
        status: "looking".into(),
        join_mode: "request".into(),
        min_member_level: "informal".into(),
        ..ProjectForm::default()
    };
    form_page(&state, &page, StatusCode::OK, &form, None, None)
}

/// `POST /projects`.
pub async fn submit_new_project(
    State(state): State<AppState>,
    page: Page,
    CsrfForm(form): CsrfForm<ProjectForm>,
) -> Response {
    let Some(user) = &page.user else {
        return login_redirect("/projects/new");
    };
    match state.domain.create_project(user, &form.input()).await {
        Ok(project) => crate::web::notice::redirect(
            &project_path(&project),
            crate::web::notice::Notice::with("project-created", project.title.clone()),
        ),
        Err(error) => {
            let error = AppError::from(error);
            let message = state.error_message(page.lang, &error);
            form_page(&state, &page, error.status, &form, None, Some(message))
        }
    }
}

/// `GET /projects/{name}/edit`.
pub async fn show_edit_project(
    State(state): State<AppState>,
    page: Page,
    WebPath(name): WebPath<String>,
) -> Response {
    let Some(user) = &page.user else {
        return login_redirect(&format!("/projects/{name}/edit"));
    };
    let project = match project_by_path(&state, &name).await {
        Ok(project) => project,
        Err(error) => return refusal(&state, &page, error),
    };
    if let Err(error) = state.domain.check_project_editor(user, &project).await {
        return refusal(&state, &page, error);
    }
    form_page(
        &state,
        &page,
        StatusCode::OK,
        &ProjectForm::of(&project),
        Some(&project),
        None,
    )
}

/// `POST /projects/{name}/edit`.
pub async fn submit_edit_project(
    State(state): State<AppState>,
    page: Page,
    WebPath(name): WebPath<String>,
    CsrfForm(form): CsrfForm<ProjectForm>,
) -> Response {
    let Some(user) = &page.user else {
        return login_redirect(&format!("/projects/{name}/edit"));
    };
    let project = match project_by_path(&state, &name).await {
        Ok(project) => project,
        Err(error) => return refusal(&state, &page, error),
    };
    match state
        .domain
        .edit_project(user, &project, &form.input())
        .await
    {
        Ok(project) => crate::web::notice::redirect(
            &project_path(&project),
            crate::web::notice::Notice::new("project-saved"),
        ),
        Err(error) => {
            let error = AppError::from(error);
            let message = state.error_message(page.lang, &error);
            form_page(
                &state,
                &page,
                error.status,
                &form,
                Some(&project),
                Some(message),
            )
        }
    }
}
