//! NodeInfo 2.1: software, usage, open registrations, and the declared
//! trust level in `metadata`.

use crate::{app::AppState, config::Registrations, error::AppError};
use axum::{
    extract::State,
    http::header,
    response::{IntoResponse, Response},
};
use preau_federation::{
    nodeinfo::{Services, Software, Usage, UserUsage, NODEINFO_2_1_REL},
    NodeInfo, NodeInfoLink, NodeInfoLinks,
};
use serde_json::json;

/// FEP-2677: the rel of the instance actor link in the NodeInfo links.
const APPLICATION_REL: &str = "https://www.w3.org/ns/activitystreams#Application";

/// `GET /.well-known/nodeinfo`.
pub async fn get_nodeinfo_links(State(state): State<AppState>) -> Response {
    let base = state.domain.settings.base_url();
    let links = NodeInfoLinks {
        links: vec![
            NodeInfoLink {
                rel: NODEINFO_2_1_REL.to_string(),
                href: format!("{base}/nodeinfo/2.1"),
            },
            NodeInfoLink {
                rel: APPLICATION_REL.to_string(),
                href: crate::urls::instance_actor(&base),
            },
        ],
    };
    (
        [(header::ACCESS_CONTROL_ALLOW_ORIGIN, "*")],
        axum::Json(links),
    )
        .into_response()
}

/// `GET /nodeinfo/2.1`.
pub async fn get_nodeinfo(State(state): State<AppState>) -> Response {
    let settings = &state.domain.settings;
    let counts = match state.domain.active_account_counts().await {
        Ok(counts) => counts,
        Err(error) => return AppError::from(error).into_response_json(),
    };
    let instance = &settings.instance;
    let document = NodeInfo {
        version: "2.1".to_string(),
        software: Software {
            name: "preau".to_string(),
            version: env!("CARGO_PKG_VERSION").to_string(),
            repository: Some(env!("CARGO_PKG_REPOSITORY").to_string()).filter(|r| !r.is_empty()),
            homepage: None,
        },
        protocols: vec!["activitypub".to_string()],
        services: Services::default(),
        open_registrations: instance.registrations != Registrations::Closed,
        usage: Usage {
            users: UserUsage {
                total: Some(counts[0]),
                active_month: Some(counts[1]),
                active_halfyear: Some(counts[2]),
            },
            local_posts: None,
        },
        metadata: json!({
            "nodeName": instance.name,
            "nodeDescription": instance.description,
            "registrations": match instance.registrations {
                Registrations::Open => "open",
                Registrations::Approval => "approval",
                Registrations::Closed => "closed",
            },
            "trust": {
                "declared": instance.trust_level,
                "organisation": instance.organisation,
                "allowedEmailDomains": instance.allowed_email_domains,
                "attestations": *state.domain.own_attestations,
            },
        }),
    };
    (
        [
            (
                header::CONTENT_TYPE,
                "application/json; profile=\"http://nodeinfo.diaspora.software/ns/schema/2.1#\"",
            ),
            (header::ACCESS_CONTROL_ALLOW_ORIGIN, "*"),
        ],
        axum::Json(document),
    )
        .into_response()
}
