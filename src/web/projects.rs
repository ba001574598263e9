//! Project pages: the list of projects, creating and editing one, a
//! project's page (about, members, activity, and the actions a visitor,
//! member, moderator or owner may take), the members CSV, and "Mes
//! demandes" (invitations and join requests waiting for an answer).

use super::session::{CsrfForm, Page};
use crate::extract::WebPath;
use crate::{
    app::AppState,
    apub::{actors::DbActor, projects::project_actor_response},
    domain::{
        lookups::ActorLookup,
        profile::SCHOOL_LEVELS,
        projects::ProjectInput,
        rows::{ActorRow, MemberState, ProjectRow, Visibility},
        trust::Labeller,
    },
    error::AppError,
};
use activitypub_federation::{
    config::Data,
    fetch::{object_id::ObjectId, webfinger::webfinger_resolve_actor},
};
use axum::{
    extract::State,
    http::{HeaderMap, StatusCode},
    response::Response,
};
use minijinja::{context, Value};
use serde::{Deserialize, Serialize};

pub(super) fn date(ms: i64) -> String {
    chrono::DateTime::from_timestamp_millis(ms)
        .map(|t| t.format("%Y-%m-%d %H:%M UTC").to_string())
        .unwrap_or_default()
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

fn project_handle(state: &AppState, project: &ProjectRow) -> String {
    let domain = if project.actor.is_local() {
        &state.domain.settings.instance.domain
    } else {
        &project.actor.domain
    };
    format!("{}@{}", project.actor.name, domain)
}

pub(super) fn person_context(actor: &ActorRow, labels: &Labeller<'_>) -> Value {
    let local = actor.is_local();
    context! {
        id => actor.id.0,
        name => actor.name,
        display_name => if actor.display_name.is_empty() { actor.name.clone() } else { actor.display_name.clone() },
        domain => if local { labels.local_domain().to_string() } else { actor.domain.clone() },
        local => local,
        url => if local { format!("/users/{}", actor.name) } else { actor.ap_id.clone() },
        trust => labels.person(&actor.domain, actor.email_domain.as_deref()).to_context(),
    }
}

pub(super) fn project_context(
    state: &AppState,
    project: &ProjectRow,
    labels: &Labeller<'_>,
) -> Value {
    context! {
        name => project.actor.name,
        title => project.title,
        description_html => project.description_html,
        handle => project_handle(state, project),
        path => project_path(project),
        local => project.actor.is_local(),
        domain => project.actor.domain,
        subjects => project.subjects,
        levels => project.school_levels,
        languages => project.languages,
        academy => project.academy,
        country => project.country,
        place => project.place,
        latitude => project.latitude,
        longitude => project.longitude,
        visibility => project.visibility.as_str(),
        status => project.status.as_str(),
        join_mode => project.join_mode.as_str(),
        min_member_level => project.min_member_level.as_str(),
        last_activity => date(project.last_activity_at),
        trust => labels.instance(&project.actor.domain).to_context(),
    }
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
    let lookup_failed = |error: String| {
        tracing::info!(%error, input, "lookup failed");
        AppError::new(StatusCode::BAD_GATEWAY, "lookup_failed")
    };
    match data.domain.find_actor(input).await? {
        ActorLookup::Known(actor) => Ok(actor),
        ActorLookup::FetchUrl(url) => {
            let id: ObjectId<DbActor> = url.into();
            id.dereference(data)
                .await
                .map(|actor| actor.row)
                .map_err(|e| lookup_failed(e.to_string()))
        }
        ActorLookup::WebFinger(handle) => {
            webfinger_resolve_actor::<AppState, DbActor>(&handle, data)
                .await
                .map(|actor| actor.row)
                .map_err(|e| lookup_failed(e.to_string()))
        }
    }
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
    let listed: Vec<Value> = list
        .visible
        .iter()
        .map(|(p, _)| project_context(state, p, &labels))
        .collect();
    let my_projects: Vec<Value> = list
        .memberships
        .iter()
        .filter(|(_, m)| m.is_member())
        .map(|(p, m)| context! { role => m.role.as_str(), ..project_context(state, p, &labels) })
        .collect();
    state.render_status(
        status,
        page,
        "projects.html",
        context! { projects => listed, my_projects => my_projects, error => error },
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
    let levels: Vec<Value> = SCHOOL_LEVELS
        .iter()
        .map(|code| context! { code => code, checked => form.levels.iter().any(|l| l == code) })
        .collect();
    state.render_status(
        status,
        page,
        "project_form.html",
        context! {
            form => Value::from_serialize(form),
            levels => levels,
            editing => editing.map(project_path),
            error => error,
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
        Ok(project) => crate::web::redirect::to(&project_path(&project)),
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
        Ok(project) => crate::web::redirect::to(&project_path(&project)),
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
    project_page(state, &page, StatusCode::OK, &project, None).await
}

/// The project page, with an error message when a form was refused.
pub(crate) async fn project_page(
    state: &AppState,
    page: &Page,
    status: StatusCode,
    project: &ProjectRow,
    error: Option<String>,
) -> Response {
    project_page_with(state, page, status, project, error, None).await
}

/// The project page with what was typed in one of its forms when it was
/// refused: `typed` has `form` (`thread`, `event` or `invite`), the values
/// by field name, and `field`, the one the message is about. That form
/// shows the values again and the message at its field.
pub(crate) async fn project_page_with(
    state: &AppState,
    page: &Page,
    status: StatusCode,
    project: &ProjectRow,
    error: Option<String>,
    typed: Option<Value>,
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
    let mut members = Vec::new();
    let mut pending = Vec::new();
    let mut former = Vec::new();
    for member in &view.members {
        let entry = context! {
            role => member.member.role.as_str(),
            state => member.member.state.as_str(),
            since => date(member.member.updated_at),
            inviter => member.inviter.as_ref().map(|i| person_context(i, &labels)),
            ..person_context(&member.actor, &labels)
        };
        match member.member.state {
            MemberState::Member => members.push(entry),
            MemberState::Left | MemberState::Removed => former.push(entry),
            _ => pending.push(entry),
        }
    }
    let log: Vec<Value> = view
        .log
        .iter()
        .map(|entry| {
            context! {
                kind => entry.kind,
                actor => entry.actor.as_ref().map(|a| person_context(a, &labels)),
                subject => entry.subject.as_ref().map(|a| person_context(a, &labels)),
                detail => entry.detail,
                at => date(entry.at),
            }
        })
        .collect();
    let me_context = view.me.as_ref().map(|row| {
        context! {
            actor_id => row.actor_id.0,
            role => row.role.as_str(),
            state => row.state.as_str(),
            member => row.is_member(),
            moderator => row.is_moderator(),
            owner => row.is_owner(),
        }
    });
    let known_people: Vec<Value> = match &page.user {
        Some(user) if is_member => match state.domain.people_to_invite(user, project).await {
            Ok(people) => people
                .iter()
                .map(|p| {
                    let domain = if p.is_local() { &state.domain.settings.instance.domain } else { &p.domain };
                    context! { handle => format!("{}@{}", p.name, domain), display_name => p.display_name }
                })
                .collect(),
            Err(error) => return refusal(state, page, error),
        },
        _ => Vec::new(),
    };
    let sections = match (&page.user, is_member) {
        (Some(user), true) => {
            match super::project_content::member_sections(state, user, project, &labels).await {
                Ok(sections) => Some(sections),
                Err(error) => return refusal(state, page, error),
            }
        }
        _ => None,
    };
    state.render_status(
        status,
        page,
        "project.html",
        context! {
            sections => sections,
            known_people => known_people,
            project => project_context(state, project, &labels),
            me => me_context,
            open_page => open_page,
            members => members,
            pending => if is_member { pending } else { Vec::new() },
            former => if is_member { former } else { Vec::new() },
            log => log,
            error => error,
            typed => typed,
        },
    )
}
