//! Project spaces over the API: list, create, read and look up projects,
//! and the caller's requests ("Mes demandes"). Membership actions are in
//! [`membership`], the response types in [`objects`]; the members-only
//! content (forum, documents, agenda) is in `project_content`.

pub mod membership;
pub mod objects;

pub use membership::{
    act_on_member, answer_invitation, invite_member, join_project, leave_project,
};

#[cfg(test)]
mod api_md_tests;

use super::{schema::ErrorBody, ApiJson, ApiUser};
use crate::extract::{ApiPath, ApiQuery};
use crate::{
    app::AppState,
    domain::{projects::ProjectInput, rows::AccountRow, rows::ProjectRow},
    error::AppError,
    web::projects::resolve_actor,
};
use activitypub_federation::config::Data;
use axum::{extract::State, http::StatusCode, Json};
use objects::{ProjectList, ProjectListed, ProjectPage, RequestLists};
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};

/// `GET /api/v1/projects`: public projects, and those the caller belongs
/// to (with a token), most recently active first.
#[utoipa::path(
    get,
    path = "/projects",
    tag = "projects",
    security((), ("bearer" = [])),
    responses(
        (status = 200, description = "The projects the caller may see", body = ProjectList),
        (status = 401, description = "`unauthorized`: a token sent but not valid", body = ErrorBody),
    ),
)]
pub async fn list_projects(
    State(state): State<AppState>,
    user: Option<ApiUser>,
) -> Result<Json<ProjectList>, AppError> {
    let list = state
        .domain
        .projects_for(user.as_ref().map(|user| &user.account))
        .await?;
    let labels = state.domain.labeller().await?;
    let projects = list
        .visible
        .iter()
        .map(|(project, row)| ProjectListed {
            project: objects::Project::new(project, &labels),
            me: row.as_ref().map(objects::MemberFlags::from),
        })
        .collect();
    Ok(Json(ProjectList { projects }))
}

/// `POST /api/v1/projects` body. Lists are JSON arrays; the choices
/// default as on the creation page.
#[derive(Deserialize, ToSchema)]
pub struct ProjectCreate {
    /// The local name: 2–30 characters among `a-z 0-9 _`.
    name: String,
    /// 1–120 characters.
    title: String,
    /// Markdown.
    #[serde(default)]
    description: String,
    #[serde(default)]
    subjects: Vec<String>,
    /// School level codes.
    #[serde(default)]
    school_levels: Vec<String>,
    #[serde(default)]
    languages: Vec<String>,
    #[serde(default)]
    academy: String,
    #[serde(default)]
    country: String,
    #[serde(default)]
    place: String,
    /// Both or neither.
    #[serde(default)]
    latitude: Option<f64>,
    #[serde(default)]
    longitude: Option<f64>,
    /// `public` (default) or `members`.
    #[serde(default = "default_visibility")]
    visibility: String,
    /// `looking` (default), `running` or `finished`.
    #[serde(default = "default_status")]
    status: String,
    /// `request` (default), `invite` or `open`.
    #[serde(default = "default_join_mode")]
    join_mode: String,
    /// `informal` (default), `associative` or `institutional`.
    #[serde(default)]
    min_member_level: String,
}

fn default_visibility() -> String {
    "public".into()
}

fn default_status() -> String {
    "looking".into()
}

fn default_join_mode() -> String {
    "request".into()
}

/// A JSON list as the comma-separated text the project form sends; an
/// item with a comma would silently become two, so it is refused.
fn comma_list(items: &[String], field: &str) -> Result<String, AppError> {
    if items.iter().any(|item| item.contains(',')) {
        return Err(
            AppError::new(StatusCode::UNPROCESSABLE_ENTITY, "invalid_list_item")
                .with_detail(field.to_string()),
        );
    }
    Ok(items.join(","))
}

/// `POST /api/v1/projects`: the caller becomes the first owner.
#[utoipa::path(
    post,
    path = "/projects",
    tag = "projects",
    security(("bearer" = [])),
    request_body = ProjectCreate,
    responses(
        (status = 201, description = "Created; the caller's view as its first owner", body = ProjectPage),
        (status = 400, description = "`invalid_json`", body = ErrorBody),
        (status = 401, description = "`unauthorized`", body = ErrorBody),
        (status = 415, description = "`invalid_json`: not `application/json`", body = ErrorBody),
        (status = 422, description = "`invalid_project_name`, `name_taken`, `field_required`, `field_too_long`, `too_many_items`, `invalid_list_item`, `invalid_level`, `invalid_coordinates`, `invalid_choice` (detail: the field)", body = ErrorBody),
    ),
)]
pub async fn create_project(
    State(state): State<AppState>,
    user: ApiUser,
    ApiJson(body): ApiJson<ProjectCreate>,
) -> Result<(StatusCode, Json<ProjectPage>), AppError> {
    let coordinate = |value: Option<f64>| value.map(|v| v.to_string()).unwrap_or_default();
    let input = ProjectInput {
        name: body.name,
        title: body.title,
        description: body.description,
        subjects: comma_list(&body.subjects, "subjects")?,
        school_levels: body.school_levels,
        languages: comma_list(&body.languages, "languages")?,
        academy: body.academy,
        country: body.country,
        place: body.place,
        latitude: coordinate(body.latitude),
        longitude: coordinate(body.longitude),
        visibility: body.visibility,
        status: body.status,
        join_mode: body.join_mode,
        min_member_level: body.min_member_level,
    };
    let project = state.domain.create_project(&user.account, &input).await?;
    let page = project_page(&state, &project, Some(&user.account)).await?;
    Ok((StatusCode::CREATED, Json(page)))
}

/// The project with what the caller may see of its membership: everyone
/// sees the members of a public project; members also see pending
/// invitations and requests, former members and the activity log.
async fn project_page(
    state: &AppState,
    project: &ProjectRow,
    account: Option<&AccountRow>,
) -> Result<ProjectPage, AppError> {
    let labels = state.domain.labeller().await?;
    let view = state.domain.project_view(account, project).await?;
    Ok(ProjectPage::new(project, &view, &labels))
}

/// `GET /api/v1/projects/{name}`: `name` here, `name@domain` for a
/// project of another instance already known here.
#[utoipa::path(
    get,
    path = "/projects/{name}",
    tag = "projects",
    security((), ("bearer" = [])),
    params(("name" = String, Path, description = "`eco` here, `eco@domain` for a remote project known here")),
    responses(
        (status = 200, description = "The project and what the caller may see of its membership", body = ProjectPage),
        (status = 401, description = "`unauthorized`: a token sent but not valid", body = ErrorBody),
        (status = 404, description = "`not_found`", body = ErrorBody),
    ),
)]
pub async fn get_project(
    State(state): State<AppState>,
    user: Option<ApiUser>,
    ApiPath(name): ApiPath<String>,
) -> Result<Json<ProjectPage>, AppError> {
    let project = state.domain.project_by_path(&name).await?;
    let page = project_page(&state, &project, user.as_ref().map(|u| &u.account)).await?;
    Ok(Json(page))
}

/// `?handle=` of a lookup.
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ProjectLookupQuery {
    /// `name@domain`, `!name@domain` or a URL.
    #[serde(default)]
    handle: String,
}

/// `GET /api/v1/projects/lookup?handle=name@domain`: finds a project here
/// or on another instance (by WebFinger or URL) and records it.
#[utoipa::path(
    get,
    path = "/projects/lookup",
    tag = "projects",
    security(("bearer" = [])),
    params(ProjectLookupQuery),
    responses(
        (status = 200, description = "The project, as `GET /projects/{name}`", body = ProjectPage),
        (status = 400, description = "`invalid_handle`", body = ErrorBody),
        (status = 401, description = "`unauthorized`", body = ErrorBody),
        (status = 404, description = "`not_found`, `not_a_project`, `handle_unknown`", body = ErrorBody),
        (status = 502, description = "`host_unreachable`, `lookup_failed`", body = ErrorBody),
    ),
)]
pub async fn lookup_project(
    data: Data<AppState>,
    user: ApiUser,
    ApiQuery(query): ApiQuery<ProjectLookupQuery>,
) -> Result<Json<ProjectPage>, AppError> {
    let actor = resolve_actor(&data, &query.handle).await?;
    let project = data
        .domain
        .project_of_actor(&actor)
        .await?
        .ok_or_else(|| AppError::new(StatusCode::NOT_FOUND, "not_a_project"))?;
    let page = project_page(&data, &project, Some(&user.account)).await?;
    Ok(Json(page))
}

/// `GET /api/v1/me/requests`: "Mes demandes": invitations to answer, join
/// requests to decide on (as a moderator), and the invitations the caller
/// sent, with what became of them.
#[utoipa::path(
    get,
    path = "/me/requests",
    tag = "projects",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "What waits for the caller", body = RequestLists),
        (status = 401, description = "`unauthorized`", body = ErrorBody),
    ),
)]
pub async fn list_my_requests(
    State(state): State<AppState>,
    user: ApiUser,
) -> Result<Json<RequestLists>, AppError> {
    let labels = state.domain.labeller().await?;
    let requests = state.domain.project_requests(&user.account).await?;
    let contacts =
        super::contacts::ContactLists::of(&state, user.account.actor_id, &labels).await?;
    Ok(Json(RequestLists::new(&requests, contacts, &labels)))
}

/// The OpenAPI description of these routes (gathered in [`super::openapi`]).
#[derive(utoipa::OpenApi)]
#[openapi(
    paths(
        list_projects,
        create_project,
        get_project,
        lookup_project,
        list_my_requests,
        membership::invite_member,
        membership::answer_invitation,
        membership::join_project,
        membership::leave_project,
        membership::act_on_member,
    ),
    components(schemas(
        ProjectCreate,
        objects::Project,
        objects::MemberFlags,
        objects::ProjectListed,
        objects::ProjectList,
        objects::MemberEntry,
        objects::ProjectLogEntry,
        objects::ProjectPage,
        objects::ProjectMembership,
        objects::RequestInvitation,
        objects::RequestToDecide,
        objects::RequestSent,
        objects::RequestLists,
        membership::ProjectInvite,
        membership::ProjectAnswer,
        membership::MemberAction,
    ))
)]
pub struct Doc;
