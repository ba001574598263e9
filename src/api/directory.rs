//! The directory over the API: `GET /api/v1/directory`, the search of the
//! `/directory` page with the same parameters (docs/api.md).

use super::{profiles::profile_json, ApiUser};
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
use serde_json::{json, Value};

fn iso(ms: i64) -> Option<String> {
    chrono::DateTime::from_timestamp_millis(ms).map(|t| t.to_rfc3339())
}

fn project_json(state: &AppState, found: &FoundProject, labels: &Labeller<'_>) -> Value {
    let project = &found.project;
    let actor = &project.actor;
    let domain = if actor.is_local() {
        labels.local_domain()
    } else {
        actor.domain.as_str()
    };
    json!({
        "handle": format!("{}@{domain}", actor.name),
        "name": actor.name,
        "domain": domain,
        "local": actor.is_local(),
        "actor_id": actor.ap_id,
        // Its page on this instance (a mirror for a remote project).
        "url": format!("{}{}", state.domain.settings.base_url(), project_path(project)),
        "title": project.title,
        "description_html": project.description_html,
        "subjects": project.subjects,
        "school_levels": project.school_levels,
        "languages": project.languages,
        "academy": project.academy,
        "country": project.country,
        "place": project.place,
        "latitude": project.latitude,
        "longitude": project.longitude,
        "visibility": project.visibility.as_str(),
        "status": project.status.as_str(),
        "join_mode": project.join_mode.as_str(),
        "last_activity_at": iso(project.last_activity_at),
        "distance_km": found.distance_km.map(|km| (km * 10.0).round() / 10.0),
        // The label of the project's instance, as this instance verifies it.
        "trust": labels.instance(&actor.domain).to_json(),
    })
}

/// `GET /api/v1/directory`: projects and teachers matching the query.
/// Anyone may search; with a bearer token, the caller's members-only
/// projects are listed too (a token sent but not valid is refused).
pub async fn search_directory(
    State(state): State<AppState>,
    user: Option<ApiUser>,
    RawQuery(raw): RawQuery,
) -> Result<Json<Value>, AppError> {
    let reader = user.map(|user| user.account);
    let params = DirectoryParams::parse(raw.as_deref())?;
    let search = params.input().validate()?;
    let results = state
        .domain
        .search_directory(reader.as_ref(), &search)
        .await?;
    let labels = state.domain.labeller().await?;
    let base_url = state.domain.settings.base_url();
    let projects = search.lists_projects().then(|| {
        json!({
            "total": results.projects_total,
            "items": results.projects.iter().map(|found| project_json(&state, found, &labels)).collect::<Vec<_>>(),
        })
    });
    let people = search.lists_people().then(|| {
        let items: Vec<Value> = results
            .people
            .iter()
            .map(|found| {
                let mut item = profile_json(&found.actor, &found.profile, &labels);
                item["url"] = json!(if found.actor.is_local() {
                    format!("{base_url}/users/{}", found.actor.name)
                } else {
                    found.actor.ap_id.clone()
                });
                item
            })
            .collect();
        json!({ "total": results.people_total, "items": items })
    });
    Ok(Json(json!({
        "kind": search.kind.as_str(),
        "near": search.near.as_ref().map(|near| json!({
            "place": near.label,
            "latitude": near.latitude,
            "longitude": near.longitude,
            "radius_km": near.radius_km,
        })),
        "page": search.page,
        "page_size": PAGE_SIZE,
        "next_page": results.has_next_page(search.page).then_some(search.page + 1),
        "truncated": results.truncated,
        "projects": projects,
        "people": people,
    })))
}

/// The OpenAPI description of these routes (gathered in [`super::openapi`]).
#[derive(utoipa::OpenApi)]
#[openapi()]
pub struct Doc;
