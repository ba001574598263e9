//! `GET /api/v1/instance`: what this instance is.

use crate::{app::AppState, config::Registrations};
use axum::{extract::State, Json};
use serde_json::{json, Value};

/// Name, domain, declared trust level, registration mode and e-mail rule.
pub async fn get_instance(State(state): State<AppState>) -> Json<Value> {
    let instance = &state.domain.settings.instance;
    Json(json!({
        "name": instance.name,
        "domain": instance.domain,
        "description": instance.description,
        "base_url": state.domain.settings.base_url(),
        "trust_level": instance.trust_level,
        "organisation": instance.organisation,
        "registrations": match instance.registrations {
            Registrations::Open => "open",
            Registrations::Approval => "approval",
            Registrations::Closed => "closed",
        },
        "allowed_email_domains": instance.allowed_email_domains,
        "software": { "name": "preau", "version": env!("CARGO_PKG_VERSION") },
    }))
}

/// The OpenAPI description of these routes (gathered in [`super::openapi`]).
#[derive(utoipa::OpenApi)]
#[openapi()]
pub struct Doc;
