//! The directory over the API: `GET /api/v1/directory`, the search of the
//! `/directory` page with the same parameters (docs/api.md).

use super::{
    projects::objects::Project,
    schema::{ErrorBody, Profile},
    ApiUser,
};
use crate::{
    app::AppState,
    domain::{
        directory::{FoundProject, PAGE_SIZE},
        trust::Labeller,
    },
    error::AppError,
    web::{directory::DirectoryParams, projects::project_path},
};
use axum::{
    extract::{RawQuery, State},
    Json,
};
use serde::Serialize;
use utoipa::ToSchema;

/// A project space found in the directory: the project object, with its
/// instance, its page here and its distance from the searched place.
#[derive(Serialize, ToSchema)]
pub struct DirectoryProject {
    /// The project, as `GET /projects/{name}` shows it.
    #[serde(flatten)]
    pub project: Project,
    /// Its instance.
    pub domain: String,
    /// Its page on this instance (a mirror for a remote project).
    pub url: String,
    /// Distance from the searched place, km, one decimal; `null` outside a
    /// search by place.
    pub distance_km: Option<f64>,
}

impl DirectoryProject {
    fn new(state: &AppState, found: &FoundProject, labels: &Labeller<'_>) -> DirectoryProject {
        let project = &found.project;
        let actor = &project.actor;
        DirectoryProject {
            project: Project::new(project, labels),
            domain: if actor.is_local() {
                labels.local_domain()
            } else {
                actor.domain.as_str()
            }
            .to_string(),
            url: format!(
                "{}{}",
                state.domain.settings.base_url(),
                project_path(project)
            ),
            distance_km: found.distance_km.map(|km| (km * 10.0).round() / 10.0),
        }
    }
}

/// A teacher found in the directory: the profile and its page.
#[derive(Serialize, ToSchema)]
pub struct DirectoryPerson {
    /// The public profile.
    #[serde(flatten)]
    pub profile: Profile,
    /// The teacher's page: here for local teachers, the actor id otherwise.
    pub url: String,
}

/// The projects of a page of results.
#[derive(Serialize, ToSchema)]
pub struct DirectoryProjects {
    /// Every match.
    pub total: usize,
    /// This page's.
    pub items: Vec<DirectoryProject>,
}

/// The teachers of a page of results.
#[derive(Serialize, ToSchema)]
pub struct DirectoryPeople {
    /// Every match.
    pub total: usize,
    /// This page's.
    pub items: Vec<DirectoryPerson>,
}

/// The place searched around.
#[derive(Serialize, ToSchema)]
pub struct DirectoryNear {
    /// How the place reads: `Rennes (35)`, `48.1, -1.68`.
    pub place: String,
    /// Latitude, degrees.
    pub latitude: f64,
    /// Longitude, degrees.
    pub longitude: f64,
    /// The radius, km.
    pub radius_km: f64,
}

/// A page of directory results.
#[derive(Serialize, ToSchema)]
pub struct DirectoryPage {
    /// `all`, `projects` or `people`.
    pub kind: String,
    /// The place searched around, if any.
    pub near: Option<DirectoryNear>,
    /// This page, from 1.
    pub page: usize,
    /// Results of each kind per page.
    pub page_size: usize,
    /// The next page, or `null`.
    pub next_page: Option<usize>,
    /// More than 5,000 candidates of a kind matched: narrow the search.
    pub truncated: bool,
    /// The projects, `null` when the search lists none.
    pub projects: Option<DirectoryProjects>,
    /// The teachers, `null` when the search lists none.
    pub people: Option<DirectoryPeople>,
}

/// `GET /api/v1/directory`: projects and teachers matching the query.
/// Anyone may search; with a bearer token, the caller's members-only
/// projects are listed too (a token sent but not valid is refused).
#[utoipa::path(
    get,
    path = "/directory",
    tag = "directory",
    params(
        ("q" = Option<String>, Query, description = "Words, all of which must appear"),
        ("kind" = Option<String>, Query, description = "`all` (default), `projects` or `people`"),
        ("subject" = Option<String>, Query, description = "The words of a subject"),
        ("level" = Option<String>, Query, description = "A school level code"),
        ("language" = Option<String>, Query, description = "A language code"),
        ("academy" = Option<String>, Query, description = "The words of an academy"),
        ("status" = Option<String>, Query, description = "`looking`, `running` or `finished`"),
        ("place" = Option<String>, Query, description = "A commune, an INSEE or postal code, or coordinates"),
        ("radius" = Option<String>, Query, description = "km around `place`, 1 to 1000, default 50"),
        ("page" = Option<String>, Query, description = "1 to 500, default 1"),
    ),
    responses(
        (status = 200, description = "A page of results", body = DirectoryPage),
        (status = 400, description = "`invalid_query`", body = ErrorBody),
        (status = 401, description = "`unauthorized`: a token sent but not valid", body = ErrorBody),
        (status = 422, description = "A parameter breaks its rule", body = ErrorBody),
    ),
    security((), ("bearer" = [])),
)]
pub async fn search_directory(
    State(state): State<AppState>,
    user: Option<ApiUser>,
    RawQuery(raw): RawQuery,
) -> Result<Json<DirectoryPage>, AppError> {
    let reader = user.map(|user| user.account);
    let params = DirectoryParams::parse(raw.as_deref())?;
    let search = params.input().validate()?;
    let results = state
        .domain
        .search_directory(reader.as_ref(), &search)
        .await?;
    let labels = state.domain.labeller().await?;
    let base_url = state.domain.settings.base_url();
    let projects = search.lists_projects().then(|| DirectoryProjects {
        total: results.projects_total,
        items: results
            .projects
            .iter()
            .map(|found| DirectoryProject::new(&state, found, &labels))
            .collect(),
    });
    let people = search.lists_people().then(|| DirectoryPeople {
        total: results.people_total,
        items: results
            .people
            .iter()
            .map(|found| DirectoryPerson {
                profile: Profile::new(&found.actor, &found.profile, &labels),
                url: if found.actor.is_local() {
                    format!("{base_url}/users/{}", found.actor.name)
                } else {
                    found.actor.ap_id.clone()
                },
            })
            .collect(),
    });
    Ok(Json(DirectoryPage {
        kind: search.kind.as_str().to_string(),
        near: search.near.as_ref().map(|near| DirectoryNear {
            place: near.label.clone(),
            latitude: near.latitude,
            longitude: near.longitude,
            radius_km: near.radius_km,
        }),
        page: search.page,
        page_size: PAGE_SIZE,
        next_page: results
            .has_next_page(search.page)
            .then_some(search.page + 1),
        truncated: results.truncated,
        projects,
        people,
    }))
}

/// The OpenAPI description of these routes (gathered in [`super::openapi`]).
#[derive(utoipa::OpenApi)]
#[openapi(
    paths(search_directory),
    components(schemas(
        DirectoryPage,
        DirectoryNear,
        DirectoryProjects,
        DirectoryProject,
        DirectoryPeople,
        DirectoryPerson
    ))
)]
pub struct Doc;
