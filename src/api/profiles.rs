//! Profiles over the API: one's own account and profile, public profiles,
//! and lookup of a teacher on another instance by handle.

use super::{
    schema::{Account, ErrorBody, Profile},
    ApiJson, ApiUser,
};
use crate::extract::{ApiPath, ApiQuery};
use crate::{app::AppState, apub::actors::DbActor, domain::profile::ProfileInput, error::AppError};
use activitypub_federation::{config::Data, fetch::webfinger::webfinger_resolve_actor};
use axum::{extract::State, http::StatusCode, Json};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

/// The caller's own profile: the public one and the biography's source.
#[derive(Serialize, ToSchema)]
pub struct OwnProfile {
    /// The public profile.
    #[serde(flatten)]
    pub profile: Profile,
    /// The biography's Markdown source.
    pub bio: String,
}

/// The caller's account and profile.
#[derive(Serialize, ToSchema)]
pub struct Me {
    /// The private view of the account.
    pub account: Account,
    /// The profile, with the biography's source.
    pub profile: OwnProfile,
}

/// `GET /api/v1/me`: the caller's account and profile (with the
/// biography's Markdown source).
#[utoipa::path(
    get,
    path = "/me",
    tag = "profiles",
    responses(
        (status = 200, description = "The caller's account and profile", body = Me),
        (status = 401, description = "`unauthorized`", body = ErrorBody),
    ),
    security(("bearer" = [])),
)]
pub async fn get_me(State(state): State<AppState>, user: ApiUser) -> Result<Json<Me>, AppError> {
    let (actor, profile) = state.domain.own_person(&user.account).await?;
    let public = Profile::new(&actor, &profile, &state.domain.labeller().await?);
    Ok(Json(Me {
        account: Account::new(&user.account, &state.domain.settings.base_url()),
        profile: OwnProfile {
            profile: public,
            bio: profile.bio_source,
        },
    }))
}

/// `PUT /api/v1/me/profile` body: the whole profile.
#[derive(Deserialize, ToSchema)]
pub struct ProfileBody {
    /// 1–80 characters after trimming.
    display_name: String,
    /// Markdown, at most 5,000 characters.
    #[serde(default)]
    bio: String,
    /// At most 15 items of 60 characters.
    #[serde(default)]
    subjects: Vec<String>,
    /// School level codes.
    #[serde(default)]
    school_levels: Vec<String>,
    /// At most 10 language tags.
    #[serde(default)]
    languages: Vec<String>,
    /// At most 80 characters.
    #[serde(default)]
    academy: String,
    /// At most 120 characters.
    #[serde(default)]
    school: String,
    /// At most 20 items of 60 characters.
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
#[utoipa::path(
    put,
    path = "/me/profile",
    tag = "profiles",
    request_body = ProfileBody,
    responses(
        (status = 200, description = "The caller's account and new profile", body = Me),
        (status = 401, description = "`unauthorized`", body = ErrorBody),
        (status = 422, description = "A field breaks its rule", body = ErrorBody),
    ),
    security(("bearer" = [])),
)]
pub async fn update_my_profile(
    State(state): State<AppState>,
    user: ApiUser,
    ApiJson(body): ApiJson<ProfileBody>,
) -> Result<Json<Me>, AppError> {
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
        .update_profile(
            user.account.actor_id,
            &input,
            &crate::apub::person_updates::PersonUpdates,
        )
        .await?;
    get_me(State(state), user).await
}

/// `GET /api/v1/profiles/{name}`: a local teacher's public profile.
#[utoipa::path(
    get,
    path = "/profiles/{name}",
    tag = "profiles",
    params(("name" = String, Path, description = "The teacher's username")),
    responses(
        (status = 200, description = "The public profile", body = Profile),
        (status = 404, description = "`not_found`", body = ErrorBody),
    ),
)]
pub async fn get_profile(
    State(state): State<AppState>,
    ApiPath(name): ApiPath<String>,
) -> Result<Json<Profile>, AppError> {
    let person = state
        .domain
        .public_person(&name)
        .await?
        .ok_or_else(AppError::not_found)?;
    Ok(Json(Profile::new(
        &person.actor,
        &person.profile,
        &state.domain.labeller().await?,
    )))
}

/// Query of a lookup.
#[derive(Deserialize, IntoParams)]
pub struct LookupQuery {
    /// `name@domain`, with or without a leading `@`.
    #[serde(default)]
    handle: String,
}

/// `GET /api/v1/lookup?handle=name@domain`: finds a teacher on any
/// instance through WebFinger, fetches and stores their actor, and returns
/// their public profile. Members only, so strangers cannot make the server
/// fetch for them.
#[utoipa::path(
    get,
    path = "/lookup",
    tag = "profiles",
    params(LookupQuery),
    responses(
        (status = 200, description = "The teacher's public profile", body = Profile),
        (status = 400, description = "`invalid_handle`", body = ErrorBody),
        (status = 401, description = "`unauthorized`", body = ErrorBody),
        (status = 404, description = "`not_found`: unknown or inactive local name; `handle_unknown`: its instance knows no one by that name", body = ErrorBody),
        (status = 502, description = "`host_unreachable`, `lookup_failed`", body = ErrorBody),
    ),
    security(("bearer" = [])),
)]
pub async fn lookup_handle(
    data: Data<AppState>,
    _user: ApiUser,
    ApiQuery(query): ApiQuery<LookupQuery>,
) -> Result<Json<Profile>, AppError> {
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
            return Ok(Json(Profile::new(
                &person.actor,
                &person.profile,
                &data.domain.labeller().await?,
            )));
        }
    }
    let actor: DbActor = webfinger_resolve_actor(handle, &data)
        .await
        .map_err(|error| crate::apub::lookup::lookup_failure(handle, &error))?;
    let profile = match actor.profile.clone() {
        Some(profile) => profile,
        None => data.domain.profile_of(actor.row.id).await?,
    };
    Ok(Json(Profile::new(
        &actor.row,
        &profile,
        &data.domain.labeller().await?,
    )))
}

/// The OpenAPI description of these routes (gathered in [`super::openapi`]).
#[derive(utoipa::OpenApi)]
#[openapi(
    paths(get_me, update_my_profile, get_profile, lookup_handle),
    components(schemas(Profile, OwnProfile, Me, ProfileBody))
)]
pub struct Doc;
