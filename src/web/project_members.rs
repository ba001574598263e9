//! What members do on a project's page, and "Mes demandes": invitations
//! by handle, answers, join requests and their decisions, leaving,
//! removals and role changes, looking a project up on another instance,
//! and the members CSV for owners.

use super::{
    contacts::ContactSections,
    notice::Notice,
    project_page::{ProjectFormText, ProjectSection, TypedProjectForm},
    projects::{
        login_redirect, project_by_path, project_path, projects_page, refusal, resolve_actor,
    },
    session::{CsrfForm, Page},
    views::{date, ConfirmView, PersonView, ProjectView},
};
use crate::extract::WebPath;
use crate::{
    app::AppState,
    domain::rows::{AccountRow, ActorId, ProjectRow},
    error::AppError,
};
use activitypub_federation::config::Data;
use axum::{
    extract::State,
    http::{header, StatusCode},
    response::{IntoResponse, Response},
};
use serde::{Deserialize, Serialize};

/// `requests.html`: "Mes demandes".
#[derive(Serialize)]
struct RequestsPage<'a> {
    /// Invitations to answer.
    invitations: Vec<InvitationItem>,
    /// Join requests to decide on.
    to_decide: Vec<RequestItem>,
    /// Invitations and requests this teacher sent.
    sent: Vec<RequestItem>,
    contacts: ContactSections,
    /// The handle typed in a refused contact request.
    contact_handle: Option<&'a str>,
    error: Option<String>,
    error_field: Option<&'static str>,
}

/// An invitation received.
#[derive(Serialize)]
struct InvitationItem {
    project: ProjectView,
    inviter: Option<PersonView>,
    since: String,
}

/// A join request to decide on, or an invitation or request sent.
#[derive(Serialize)]
struct RequestItem {
    project: ProjectView,
    person: PersonView,
    /// The membership state (sent ones only).
    #[serde(skip_serializing_if = "Option::is_none")]
    state: Option<&'static str>,
    since: String,
}

/// A form with nothing but its CSRF token, or a handle, or a choice.
#[derive(Debug, Default, Deserialize)]
pub struct ActionForm {
    #[serde(default)]
    handle: String,
    #[serde(default)]
    action: String,
    /// The section the form is on (`members`), to come back to.
    #[serde(default)]
    section: String,
}

/// Runs a member action on the project `name` and comes back to
/// `section` with the notice `run` gives; a refusal shows `section` again
/// with the message and, when given, what was typed (see
/// [`super::project_page::project_page_with`]).
async fn act(
    data: &Data<AppState>,
    page: &Page,
    name: &str,
    section: ProjectSection,
    typed: Option<TypedProjectForm>,
    run: impl AsyncFnOnce(&AccountRow, &ProjectRow) -> Result<Notice, AppError>,
) -> Response {
    let state: &AppState = data;
    let Some(user) = &page.user else {
        return login_redirect(&format!("/projects/{name}"));
    };
    let project = match project_by_path(state, name).await {
        Ok(project) => project,
        Err(error) => return refusal(state, page, error),
    };
    match run(user, &project).await {
        Ok(notice) => crate::web::notice::redirect(&section.path(&project), notice),
        Err(error) => {
            let message = state.error_message(page.lang, &error);
            super::project_page::project_page_with(
                state,
                page,
                error.status,
                &project,
                section,
                Some(message),
                typed,
            )
            .await
        }
    }
}

/// `POST /projects/{name}/invite`: invite a teacher by handle.
pub async fn submit_invite(
    data: Data<AppState>,
    page: Page,
    WebPath(name): WebPath<String>,
    CsrfForm(form): CsrfForm<ActionForm>,
) -> Response {
    let typed = TypedProjectForm {
        field: Some("handle".to_string()),
        preview_html: None,
        form: ProjectFormText::Invite {
            handle: form.handle.clone(),
        },
    };
    let section = ProjectSection::from_form(&form.section);
    act(
        &data,
        &page,
        &name,
        section,
        Some(typed),
        async |user, project| {
            let invitee = resolve_actor(&data, &form.handle).await?;
            data.domain
                .invite_to_project(user, project, &invitee)
                .await
                .map_err(AppError::from)?;
            Ok(Notice::with("invited", form.handle.trim()))
        },
    )
    .await
}

/// `POST /projects/{name}/join`: join an open project, or ask to.
pub async fn submit_join(
    data: Data<AppState>,
    page: Page,
    WebPath(name): WebPath<String>,
    CsrfForm(_): CsrfForm<ActionForm>,
) -> Response {
    act(
        &data,
        &page,
        &name,
        ProjectSection::About,
        None,
        async |user, project| {
            data.domain.join_project(user, project).await?;
            // An open project takes the teacher at once; others get a request.
            let key = if project.join_mode.as_str() == "open" {
                "project-joined"
            } else {
                "project-join-requested"
            };
            Ok(Notice::with(key, project.title.clone()))
        },
    )
    .await
}

/// `GET /projects/{name}/leave`: the confirmation step of leaving.
pub async fn confirm_leave(
    State(state): State<AppState>,
    page: Page,
    WebPath(name): WebPath<String>,
) -> Response {
    if page.user.is_none() {
        return login_redirect(&format!("/projects/{name}"));
    }
    let project = match project_by_path(&state, &name).await {
        Ok(project) => project,
        Err(error) => return refusal(&state, &page, error),
    };
    let path = project_path(&project);
    state.confirm_page(
        &page,
        ConfirmView::from_catalog(
            page.lang,
            "project-leave",
            &project.title,
            format!("{path}/leave"),
            path,
        ),
    )
}

/// `POST /projects/{name}/leave`.
pub async fn submit_leave(
    data: Data<AppState>,
    page: Page,
    WebPath(name): WebPath<String>,
    CsrfForm(_): CsrfForm<ActionForm>,
) -> Response {
    act(
        &data,
        &page,
        &name,
        ProjectSection::About,
        None,
        async |user, project| {
            data.domain.leave_project(user, project).await?;
            Ok(Notice::with("project-left", project.title.clone()))
        },
    )
    .await
}

/// `POST /projects/{name}/answer`: `action` is `accept` or `refuse`;
/// `handle` = `requests` comes back to "Mes demandes".
pub async fn submit_answer(
    data: Data<AppState>,
    page: Page,
    WebPath(name): WebPath<String>,
    CsrfForm(form): CsrfForm<ActionForm>,
) -> Response {
    let accept = match form.action.as_str() {
        "accept" => true,
        "refuse" => false,
        _ => {
            return refusal(
                &data,
                &page,
                AppError::new(StatusCode::BAD_REQUEST, "invalid_choice"),
            )
        }
    };
    let mut title = String::new();
    let response = act(
        &data,
        &page,
        &name,
        ProjectSection::About,
        None,
        async |user, project| {
            data.domain.answer_invitation(user, project, accept).await?;
            title = project.title.clone();
            let key = if accept {
                "invitation-accepted"
            } else {
                "invitation-refused"
            };
            Ok(Notice::with(key, project.title.clone()))
        },
    )
    .await;
    if form.handle == "requests" && response.status().is_redirection() {
        let key = if accept {
            "invitation-accepted"
        } else {
            "invitation-refused"
        };
        return crate::web::notice::redirect("/requests", Notice::with(key, title));
    }
    response
}

/// `GET /projects/{name}/members/{id}/remove`: the confirmation step of
/// removing a member.
pub async fn confirm_remove_member(
    State(state): State<AppState>,
    page: Page,
    WebPath((name, member)): WebPath<(String, i64)>,
) -> Response {
    if page.user.is_none() {
        return login_redirect(&format!("/projects/{name}/members"));
    }
    let project = match project_by_path(&state, &name).await {
        Ok(project) => project,
        Err(error) => return refusal(&state, &page, error),
    };
    let target = match state.domain.actor_by_id(ActorId(member)).await {
        Ok(target) => target,
        Err(error) => return refusal(&state, &page, error),
    };
    let path = project_path(&project);
    state.confirm_page(
        &page,
        ConfirmView::from_catalog(
            page.lang,
            "project-remove",
            &target.display_name,
            format!("{path}/members/{member}"),
            ProjectSection::Members.path(&project),
        )
        .field("action", "remove"),
    )
}

/// `POST /projects/{name}/members/{id}`: `action` is `accept`, `reject`
/// (a join request), `remove`, `promote` or `demote`.
pub async fn submit_member_action(
    data: Data<AppState>,
    page: Page,
    WebPath((name, member)): WebPath<(String, i64)>,
    CsrfForm(form): CsrfForm<ActionForm>,
) -> Response {
    act(
        &data,
        &page,
        &name,
        ProjectSection::Members,
        None,
        async |user, project| {
            let target = data.domain.actor_by_id(ActorId(member)).await?;
            let domain = &data.domain;
            let (result, key) = match form.action.as_str() {
                "accept" => (
                    domain.decide_join(user, project, &target, true).await,
                    "member-accepted",
                ),
                "reject" => (
                    domain.decide_join(user, project, &target, false).await,
                    "member-rejected",
                ),
                "remove" => (
                    domain.remove_from_project(user, project, &target).await,
                    "member-removed",
                ),
                "promote" => (
                    domain
                        .change_member_role(user, project, &target, true)
                        .await,
                    "member-promoted",
                ),
                "demote" => (
                    domain
                        .change_member_role(user, project, &target, false)
                        .await,
                    "member-demoted",
                ),
                _ => return Err(AppError::new(StatusCode::BAD_REQUEST, "invalid_choice")),
            };
            result?;
            Ok(Notice::with(key, target.display_name.clone()))
        },
    )
    .await
}

/// `POST /projects/lookup`: open a project of another instance by handle
/// or URL.
pub async fn submit_lookup(
    data: Data<AppState>,
    page: Page,
    CsrfForm(form): CsrfForm<ActionForm>,
) -> Response {
    if page.user.is_none() {
        return login_redirect("/projects");
    }
    let found = match resolve_actor(&data, &form.handle).await {
        Ok(actor) => data
            .domain
            .project_of_actor(&actor)
            .await
            .map_err(AppError::from),
        Err(error) => Err(error),
    };
    match found {
        Ok(Some(project)) => crate::web::redirect::to(&project_path(&project)),
        Ok(None) => {
            let error = AppError::new(StatusCode::NOT_FOUND, "not_a_project");
            let message = data.error_message(page.lang, &error);
            projects_page(&data, &page, error.status, Some(message)).await
        }
        Err(error) => {
            let message = data.error_message(page.lang, &error);
            projects_page(&data, &page, error.status, Some(message)).await
        }
    }
}

/// `GET /projects/{name}/members.csv`: for owners.
pub async fn export_members_csv(
    State(state): State<AppState>,
    page: Page,
    WebPath(name): WebPath<String>,
) -> Response {
    let Some(user) = &page.user else {
        return login_redirect(&format!("/projects/{name}"));
    };
    let project = match project_by_path(&state, &name).await {
        Ok(project) => project,
        Err(error) => return refusal(&state, &page, error),
    };
    let (views, labels) = match (
        state.domain.members_for_owner(user, &project).await,
        state.domain.labeller().await,
    ) {
        (Ok(views), Ok(labels)) => (views, labels),
        (Err(error), _) => return refusal(&state, &page, error),
        (_, Err(error)) => return refusal(&state, &page, error),
    };
    let mut rows = vec![vec![
        "handle".to_string(),
        "display_name".to_string(),
        "role".to_string(),
        "state".to_string(),
        "instance".to_string(),
        "trust_level".to_string(),
        "since".to_string(),
    ]];
    for view in &views {
        let domain = if view.actor.is_local() {
            state.domain.settings.instance.domain.clone()
        } else {
            view.actor.domain.clone()
        };
        rows.push(vec![
            format!("{}@{}", view.actor.name, domain),
            view.actor.display_name.clone(),
            view.member.role.as_str().to_string(),
            view.member.state.as_str().to_string(),
            domain,
            labels
                .person(&view.actor.domain, view.actor.email_domain.as_deref())
                .level
                .as_str()
                .to_string(),
            date(view.member.updated_at),
        ]);
    }
    match super::csv_export::csv_file(rows) {
        Ok(body) => (
            [
                (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_string()),
                (
                    header::CONTENT_DISPOSITION,
                    format!(
                        "attachment; filename=\"{}-members.csv\"",
                        project.actor.name
                    ),
                ),
            ],
            body,
        )
            .into_response(),
        Err(error) => refusal(&state, &page, AppError::internal(error.to_string())),
    }
}

/// `GET /requests`: "Mes demandes": invitations to answer, join requests
/// to decide on, and the invitations this teacher sent.
pub async fn show_requests(State(state): State<AppState>, page: Page) -> Response {
    requests_page(&state, &page, StatusCode::OK, None).await
}

/// A contact request that was refused: the handle typed and the message.
pub(super) struct RefusedRequest<'a> {
    /// The handle as typed.
    pub handle: &'a str,
    /// The message, shown at the field.
    pub message: String,
}

/// "Mes demandes"; with `refused`, the contact form shows the handle
/// typed again and the message at the field.
pub(super) async fn requests_page(
    state: &AppState,
    page: &Page,
    status: StatusCode,
    refused: Option<RefusedRequest<'_>>,
) -> Response {
    let Some(user) = &page.user else {
        return login_redirect("/requests");
    };
    let labels = match state.domain.labeller().await {
        Ok(labels) => labels,
        Err(error) => return refusal(state, page, error),
    };
    let requests = match state.domain.project_requests(user).await {
        Ok(requests) => requests,
        Err(error) => return refusal(state, page, error),
    };
    let invitations = requests
        .invitations
        .iter()
        .map(|(project, row, inviter)| InvitationItem {
            project: ProjectView::of(state, project, &labels),
            inviter: inviter.as_ref().map(|i| PersonView::of(i, &labels)),
            since: date(row.updated_at),
        })
        .collect();
    let to_decide = requests
        .to_decide
        .iter()
        .map(|(project, view)| RequestItem {
            project: ProjectView::of(state, project, &labels),
            person: PersonView::of(&view.actor, &labels),
            state: None,
            since: date(view.member.updated_at),
        })
        .collect();
    let sent = requests
        .sent
        .iter()
        .map(|(project, view)| RequestItem {
            project: ProjectView::of(state, project, &labels),
            person: PersonView::of(&view.actor, &labels),
            state: Some(view.member.state.as_str()),
            since: date(view.member.updated_at),
        })
        .collect();
    let contacts = match super::contacts::contact_sections(state, user, &labels).await {
        Ok(contacts) => contacts,
        Err(error) => return refusal(state, page, error),
    };
    let (handle, error) = match refused {
        Some(refused) => (Some(refused.handle), Some(refused.message)),
        None => (None, None),
    };
    state.render_status(
        status,
        page,
        "requests.html",
        &RequestsPage {
            invitations,
            to_decide,
            sent,
            contacts,
            contact_handle: handle,
            error,
            error_field: handle.map(|_| "contact_handle"),
        },
    )
}
