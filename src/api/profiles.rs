//! Profiles over the API: one's own account and profile, public profiles,
//! and lookup of a teacher on another instance by handle.

use super::{accounts::account_json, ApiJson, ApiUser};
use crate::extract::{ApiPath, ApiQuery};
use crate::{
    app::AppState,
    apub::actors::DbActor,
    domain::{
        profile::ProfileInput,
        rows::{ActorRow, ProfileRow},
        trust::Labeller,
    },
    error::AppError,
};
use activitypub_federation::{config::Data, fetch::webfinger::webfinger_resolve_actor};
use axum::{extract::State, http::StatusCode, Json};
use serde::Deserialize;
use serde_json::{json, Value};

/// The public view of a teacher, local or remote.
pub fn profile_json(actor: &ActorRow, profile: &ProfileRow, labels: &Labeller<'_>) -> Value {
    let trust = labels.person(&actor.domain, actor.email_domain.as_deref());
    let domain = if actor.domain.is_empty() {
        labels.local_domain()
    } else {
        actor.domain.as_str()
    };
    json!({
        "handle": format!("{}@{}", actor.name, domain),
        "username": actor.name,
        "domain": domain,
        "local": actor.domain.is_empty(),
        "actor_id": actor.ap_id,
        "display_name": actor.display_name,
        "bio_html": actor.summary_html,
        "subjects": profile.subjects,
        "school_levels": profile.school_levels,
        "languages": profile.languages,
        "academy": profile.academy,
        "school": profile.school,
        "interests": profile.interests,
        // The person's label, as this instance verifies it now.
        "trust": trust.to_json(),
    })
}

/// `GET /api/v1/me`: the caller's account and profile (with the
/// biography's Markdown source).
pub async fn get_me(State(state): State<AppState>, user: ApiUser) -> Result<Json<Value>, AppError> {
    let (actor, profile) = state.domain.own_person(&user.account).await?;
    let mut profile_value = profile_json(&actor, &profile, &state.domain.labeller().await?);
    profile_value["bio"] = json!(profile.bio_source);
    Ok(Json(json!({
        "account": account_json(&user.account, &state.domain.settings.base_url()),
        "profile": profile_value,
    })))
}

/// `PUT /api/v1/me/profile` body: the whole profile.
#[derive(Deserialize)]
pub struct ProfileBody {
    display_name: String,
    #[serde(default)]
    bio: String,
    #[serde(default)]
    subjects: Vec<String>,
    #[serde(default)]
    school_levels: Vec<String>,
    #[serde(default)]
    languages: Vec<String>,
    #[serde(default)]
    academy: String,
    #[serde(default)]
    school: String,
    #[serde(default)]
    interests: Vec<String>,
}

fn joined(items: &[String], field: &str) -> Result<String, AppError> {
    if items.iter().any(|item| item.contains(',')) {
        return Err(
            AppError::new(StatusCode::UNPROCESSABLE_ENTITY, "invalid_json")
                .with_detail(format!("{field}: items cannot contain commas")),
        );
    }
    Ok(items.join(","))
}

/// `PUT /api/v1/me/profile`: replaces the caller's profile.
pub async fn update_my_profile(
    State(state): State<AppState>,
    user: ApiUser,
    ApiJson(body): ApiJson<ProfileBody>,
) -> Result<Json<Value>, AppError> {
    let input = ProfileInput {
        display_name: body.display_name,
        bio: body.bio,
        subjects: joined(&body.subjects, "subjects")?,
        levels: body.school_levels,
        languages: joined(&body.languages, "languages")?,
        academy: body.academy,
        school: body.school,
        interests: joined(&body.interests, "interests")?,
    };
    state
        .domain
        .update_profile(user.account.actor_id, &input)
        .await?;
    get_me(State(state), user).await
}

/// `GET /api/v1/profiles/{name}`: a local teacher's public profile.
pub async fn get_profile(
    State(state): State<AppState>,
    ApiPath(name): ApiPath<String>,
) -> Result<Json<Value>, AppError> {
    let person = state
        .domain
        .public_person(&name)
        .await?
        .ok_or_else(AppError::not_found)?;
    Ok(Json(profile_json(
        &person.actor,
        &person.profile,
        &state.domain.labeller().await?,
    )))
}

/// Query of a lookup.
#[derive(Deserialize)]
pub struct LookupQuery {
    #[serde(default)]
    handle: String,
}

/// `GET /api/v1/lookup?handle=name@domain`: finds a teacher on any
/// instance through WebFinger, fetches and stores their actor, and returns
/// their public profile. Members only, so strangers cannot make the server
/// fetch for them.
pub async fn lookup_handle(
    data: Data<AppState>,
    _user: ApiUser,
    ApiQuery(query): ApiQuery<LookupQuery>,
) -> Result<Json<Value>, AppError> {
    let handle = query.handle.trim().trim_start_matches('@');
    let valid = handle.split_once('@').is_some_and(|(name, domain)| {
        !name.is_empty() && !domain.is_empty() && !domain.contains(['/', '@', '?', '#'])
    });
    if !valid {
        return Err(AppError::new(StatusCode::BAD_REQUEST, "invalid_handle"));
    }
    let local_domain = data.domain.settings.instance.domain.clone();
    if let Some((name, domain)) = handle.split_once('@') {
        if domain.eq_ignore_ascii_case(&local_domain) {
            let person = data
                .domain
                .public_person(name)
                .await?
                .ok_or_else(AppError::not_found)?;
            return Ok(Json(profile_json(
                &person.actor,
                &person.profile,
                &data.domain.labeller().await?,
            )));
        }
    }
    let actor: DbActor = webfinger_resolve_actor(handle, &data)
        .await
        .map_err(|error| {
            tracing::info!(%error, handle, "lookup failed");
            AppError::new(StatusCode::BAD_GATEWAY, "lookup_failed")
        })?;
    let profile = match actor.profile.clone() {
        Some(profile) => profile,
        None => data.domain.profile_of(actor.row.id).await?,
    };
    Ok(Json(profile_json(
        &actor.row,
        &profile,
        &data.domain.labeller().await?,
    )))
}

/// The OpenAPI description of these routes (gathered in [`super::openapi`]).
#[derive(utoipa::OpenApi)]
#[openapi()]
pub struct Doc;
