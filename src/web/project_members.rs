//! What members do on a project's page, and "Mes demandes": invitations
//! by handle, answers, join requests and their decisions, leaving,
//! removals and role changes, looking a project up on another instance,
//! and the members CSV for owners.

use super::{
    contacts::ContactSections,
    notice::Notice,
    project_page::{ProjectFormText, TypedProjectForm},
    projects::{
        login_redirect, project_by_path, project_path, projects_page, refusal, resolve_actor,
    },
    session::{CsrfForm, Page},
    views::{date, PersonView, ProjectView},
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
}

async fn act(
    data: &Data<AppState>,
    page: &Page,
    name: &str,
    run: impl AsyncFnOnce(&AccountRow, &ProjectRow) -> Result<(), AppError>,
) -> Response {
    act_typed(data, page, name, None, None, run).await
}

/// [`act`] for a form with typed text: a refusal shows it again (see
/// [`super::project_page::project_page_with`]).
async fn act_typed(
    data: &Data<AppState>,
    page: &Page,
    name: &str,
    typed: Option<TypedProjectForm>,
    notice: Option<Notice>,
    run: impl AsyncFnOnce(&AccountRow, &ProjectRow) -> Result<(), AppError>,
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
        Ok(()) => match notice {
            Some(notice) => crate::web::notice::redirect(&project_path(&project), notice),
            None => crate::web::redirect::to(&project_path(&project)),
        },
        Err(error) => {
            let message = state.error_message(page.lang, &error);
            super::project_page::project_page_with(
                state,
                page,
                error.status,
                &project,
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
        form: ProjectFormText::Invite {
            handle: form.handle.clone(),
        },
    };
    let notice = Notice::with("invited", form.handle.trim());
    act_typed(
        &data,
        &page,
        &name,
        Some(typed),
        Some(notice),
        async |user, project| {
            let invitee = resolve_actor(&data, &form.handle).await?;
            data.domain
                .invite_to_project(user, project, &invitee)
                .await
                .map_err(AppError::from)
        },
    )
    .await
}

/// `POST /projects/{name}/join`.
pub async fn submit_join(
    data: Data<AppState>,
    page: Page,
    WebPath(name): WebPath<String>,
    CsrfForm(_): CsrfForm<ActionForm>,
) -> Response {
    act(&data, &page, &name, async |user, project| {
        data.domain
            .join_project(user, project)
            .await
            .map_err(AppError::from)
    })
    .await
}

/// `POST /projects/{name}/leave`.
pub async fn submit_leave(
    data: Data<AppState>,
    page: Page,
    WebPath(name): WebPath<String>,
    CsrfForm(_): CsrfForm<ActionForm>,
) -> Response {
    act(&data, &page, &name, async |user, project| {
        data.domain
            .leave_project(user, project)
            .await
            .map_err(AppError::from)
    })
    .await
}

/// `POST /projects/{name}/answer`: `action` is `accept` or `refuse`.
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
    let back_to_requests = form.handle == "requests";
    let response = act(&data, &page, &name, async |user, project| {
        data.domain
            .answer_invitation(user, project, accept)
            .await
            .map_err(AppError::from)
    })
    .await;
    if back_to_requests && response.status().is_redirection() {
        return crate::web::redirect::to("/requests");
    }
    response
}

/// `POST /projects/{name}/members/{id}`: `action` is `accept`, `reject`
/// (a join request), `remove`, `promote` or `demote`.
pub async fn submit_member_action(
    data: Data<AppState>,
    page: Page,
    WebPath((name, member)): WebPath<(String, i64)>,
    CsrfForm(form): CsrfForm<ActionForm>,
) -> Response {
    act(&data, &page, &name, async |user, project| {
        let target = data.domain.actor_by_id(ActorId(member)).await?;
        let domain = &data.domain;
        let result = match form.action.as_str() {
            "accept" => domain.decide_join(user, project, &target, true).await,
            "reject" => domain.decide_join(user, project, &target, false).await,
            "remove" => domain.remove_from_project(user, project, &target).await,
            "promote" => {
                domain
                    .change_member_role(user, project, &target, true)
                    .await
            }
            "demote" => {
                domain
                    .change_member_role(user, project, &target, false)
                    .await
            }
            _ => return Err(AppError::new(StatusCode::BAD_REQUEST, "invalid_choice")),
        };
        result.map_err(AppError::from)
    })
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
