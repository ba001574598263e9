//! The OpenAPI 3.1 document of the JSON API, generated from the response
//! and request types and the handlers' `#[utoipa::path]` annotations, and
//! served at `GET /api/v1/openapi.json`. Each resource module describes its
//! own routes in a `Doc` of its own; this module gathers them. A test
//! (`openapi_and_api_md_agree` below) keeps it and docs/api.md in
//! agreement.

use super::schema::{ErrorBody, Trust};
use axum::{
    http::{header, HeaderValue},
    response::{IntoResponse, Response},
};
use std::sync::OnceLock;
use utoipa::{
    openapi::security::{Http, HttpAuthScheme, SecurityScheme},
    Modify, OpenApi,
};

/// The top of the document: what the API is, how to authenticate, and the
/// shared components.
#[derive(OpenApi)]
#[openapi(
    info(
        title = "Préau JSON API",
        description = "The JSON API of a Préau instance, under /api/v1. The reference with examples is docs/api.md.",
        license(name = "AGPL-3.0-or-later", identifier = "AGPL-3.0-or-later"),
    ),
    servers((url = "/api/v1")),
    paths(get_openapi),
    components(schemas(ErrorBody, Trust)),
    modifiers(&BearerAuth),
)]
struct ApiDoc;

/// Adds the `bearer` security scheme (tokens from `POST /sessions`).
struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(Http::new(HttpAuthScheme::Bearer)),
        );
    }
}

/// The whole document: the top and every resource's routes.
pub fn document() -> utoipa::openapi::OpenApi {
    let mut document = ApiDoc::openapi();
    for part in [
        super::instance::Doc::openapi(),
        super::accounts::Doc::openapi(),
        super::sessions::Doc::openapi(),
        super::profiles::Doc::openapi(),
        super::directory::Doc::openapi(),
        super::search::Doc::openapi(),
        super::forums::Doc::openapi(),
        super::forum_bans::Doc::openapi(),
        super::posts::Doc::openapi(),
        super::projects::Doc::openapi(),
        super::project_content::Doc::openapi(),
        super::contacts::Doc::openapi(),
        super::conversations::Doc::openapi(),
        super::message_requests::Doc::openapi(),
        super::contact_categories::Doc::openapi(),
        super::person_blocks::Doc::openapi(),
        super::notifications::Doc::openapi(),
        super::notification_settings::Doc::openapi(),
        super::mail_lists::Doc::openapi(),
        super::stream::Doc::openapi(),
        super::admin::Doc::openapi(),
    ] {
        document.merge(part);
    }
    document
}

/// `GET /api/v1/openapi.json`: the document, built once.
#[utoipa::path(
    get,
    path = "/openapi.json",
    tag = "instance",
    responses((status = 200, description = "This document", content_type = "application/json", body = Object)),
)]
pub async fn get_openapi() -> Response {
    static JSON: OnceLock<String> = OnceLock::new();
    let body = JSON.get_or_init(|| {
        document()
            .to_pretty_json()
            .unwrap_or_else(|error| format!("{{\"error\":\"{error}\"}}"))
    });
    (
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        )],
        body.clone(),
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    /// The document is OpenAPI 3.1 and carries the shared components.
    #[test]
    fn document_is_openapi_3_1() {
        let document = serde_json::to_value(super::document()).unwrap();
        assert_eq!(document["openapi"], "3.1.0");
        assert!(document["components"]["schemas"]["Trust"].is_object());
        assert_eq!(
            document["components"]["securitySchemes"]["bearer"]["scheme"],
            "bearer"
        );
    }
}
