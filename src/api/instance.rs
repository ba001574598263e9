//! `GET /api/v1/instance`: what this instance is.

use super::schema::Level;
use crate::{app::AppState, config::Registrations};
use axum::{extract::State, Json};
use serde::Serialize;
use utoipa::ToSchema;

/// What this instance is.
#[derive(Serialize, ToSchema)]
pub struct Instance {
    /// The instance's name.
    pub name: String,
    /// Its domain (with the port when not the default one).
    pub domain: String,
    /// Its description, plain text.
    pub description: String,
    /// The URL its pages and ids start with.
    pub base_url: String,
    /// The trust level it declares.
    pub trust_level: Level,
    /// The organisation running it, or `""`.
    pub organisation: String,
    /// `open`, `approval` or `closed`.
    pub registrations: String,
    /// When not empty, only addresses in these domains (or sub-domains) may sign up.
    pub allowed_email_domains: Vec<String>,
    /// The server software.
    pub software: Software,
}

/// The server software.
#[derive(Serialize, ToSchema)]
pub struct Software {
    /// Always `preau`.
    pub name: String,
    /// Its version.
    pub version: String,
}

/// Name, domain, declared trust level, registration mode and e-mail rule.
#[utoipa::path(
    get,
    path = "/instance",
    tag = "instance",
    responses((status = 200, description = "This instance", body = Instance)),
)]
pub async fn get_instance(State(state): State<AppState>) -> Json<Instance> {
    let instance = &state.domain.settings.instance;
    Json(Instance {
        name: instance.name.clone(),
        domain: instance.domain.clone(),
        description: instance.description.clone(),
        base_url: state.domain.settings.base_url(),
        trust_level: instance.trust_level.into(),
        organisation: instance.organisation.clone(),
        registrations: match instance.registrations {
            Registrations::Open => "open",
            Registrations::Approval => "approval",
            Registrations::Closed => "closed",
        }
        .to_string(),
        allowed_email_domains: instance.allowed_email_domains.clone(),
        software: Software {
            name: "preau".to_string(),
            version: env!("CARGO_PKG_VERSION").to_string(),
        },
    })
}

/// The OpenAPI description of these routes (gathered in [`super::openapi`]).
#[derive(utoipa::OpenApi)]
#[openapi(paths(get_instance), components(schemas(Instance, Software)))]
pub struct Doc;
