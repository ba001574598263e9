//! ActivityPub and discovery: actor documents, WebFinger, NodeInfo.
//!
//! Routes here speak JSON to other servers. Local rows become wire types
//! from `preau-federation` only through [`actors::DbActor`]'s `into_json`,
//! and remote documents become rows only through `from_json`, after
//! `verify` (which never writes).

pub mod activities;
pub mod actors;
pub mod address_filter;
pub mod avatars;
pub mod backfill;
pub mod collections;
pub mod conversations;
pub mod forums;
pub mod inbox;
pub mod lookup;
pub mod mentions;
pub mod nodeinfo;
pub mod person_updates;
pub mod policy;
pub mod project_backfill;
pub mod project_content;
pub mod project_received;
pub mod projects;
pub mod signing;
pub mod trust;
pub mod webfinger;

use crate::{app::AppState, error::AppError};
use axum::{
    http::header,
    response::{IntoResponse, Response},
    routing::{get, post},
    Router,
};
use serde::Serialize;

/// A JSON response with the ActivityStreams media type.
pub fn activity_json<T: Serialize>(document: &T) -> Response {
    match serde_json::to_vec(document) {
        Ok(body) => (
            [
                (header::CONTENT_TYPE, preau_federation::ACTIVITY_JSON),
                (header::VARY, "Accept"),
            ],
            body,
        )
            .into_response(),
        Err(error) => AppError::internal(error).into_response(),
    }
}

/// The ActivityPub and discovery routes.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/.well-known/webfinger", get(webfinger::get_webfinger))
        .route("/.well-known/host-meta", get(webfinger::get_host_meta))
        .route("/.well-known/nodeinfo", get(nodeinfo::get_nodeinfo_links))
        .route("/nodeinfo/2.1", get(nodeinfo::get_nodeinfo))
        .route("/actor", get(actors::get_instance_actor))
        .route("/users/{name}/outbox", get(collections::get_outbox))
        .route("/users/{name}/followers", get(collections::get_followers))
        .route("/users/{name}/following", get(collections::get_following))
        .route("/inbox", post(inbox::post_inbox))
        .route("/users/{name}/inbox", post(inbox::post_inbox))
        .route("/forums/{name}/inbox", post(inbox::post_inbox))
        .route("/forums/{name}/followers", get(forums::get_forum_followers))
        .route(
            "/forums/{name}/moderators",
            get(forums::get_forum_moderators),
        )
        .route("/forums/{name}/featured", get(forums::get_forum_featured))
        .route("/forums/{name}/outbox", get(forums::get_forum_outbox))
        .route("/posts/{token}", get(forums::get_post))
        .route(
            "/conversation-messages/{token}",
            get(conversations::get_conversation_message),
        )
        .route("/posts/{token}/context", get(forums::get_post_context))
        .route("/contexts/{id}", get(forums::get_hosted_context))
        .route("/projects/{name}/inbox", post(inbox::post_inbox))
        .route(
            "/projects/{name}/content",
            get(project_backfill::get_project_content),
        )
        .route("/objects/{token}", get(project_content::get_object))
        .route(
            "/objects/{token}/content",
            get(project_content::get_object_content),
        )
    // `/projects/{name}/members` and `/projects/{name}/activity` are
    // routed by the pages (`web::project_page`), which hand ActivityPub
    // readers to `projects::get_project_members` and
    // `projects::get_project_activity`.
}
