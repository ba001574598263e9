//! WebFinger (RFC 7033): `acct:name@domain` → actor document.
//!
//! People, the instance actor and, later, forums and project spaces share
//! one namespace of local names, so a handle is never ambiguous.

use crate::extract::ApiQuery;
use crate::{app::AppState, domain::actors::ActorKindRow, error::AppError, urls};
use axum::{
    extract::State,
    http::{header, StatusCode},
    response::{IntoResponse, Response},
};
use preau_federation::{Webfinger, WebfingerLink, ACTIVITY_JSON};
use serde::Deserialize;

/// Query of a WebFinger request.
#[derive(Deserialize)]
pub struct WebfingerQuery {
    #[serde(default)]
    resource: String,
}

/// Extracts the local name a resource designates: `acct:name@domain`
/// (with or without `acct:`) or the URL of a local actor. Returns `None`
/// when the resource is malformed or names another domain.
pub fn local_name_of(resource: &str, domain: &str, base_url: &str) -> Option<String> {
    let resource = resource.trim();
    if let Some(path) = resource.strip_prefix(&format!("{base_url}/users/")) {
        return (!path.is_empty() && !path.contains('/')).then(|| path.to_lowercase());
    }
    if resource == urls::instance_actor(base_url) {
        return Some(crate::apub::actors::INSTANCE_ACTOR_NAME.to_string());
    }
    let handle = resource.strip_prefix("acct:").unwrap_or(resource);
    let handle = handle.strip_prefix('@').unwrap_or(handle);
    let (name, host) = handle.rsplit_once('@')?;
    if name.is_empty() || !host.eq_ignore_ascii_case(domain) {
        return None;
    }
    Some(name.to_lowercase())
}

/// `GET /.well-known/webfinger?resource=…`.
pub async fn get_webfinger(
    State(state): State<AppState>,
    ApiQuery(query): ApiQuery<WebfingerQuery>,
) -> Response {
    let settings = &state.domain.settings;
    let base = settings.base_url();
    let domain = &settings.instance.domain;
    if query.resource.is_empty() {
        return AppError::new(StatusCode::BAD_REQUEST, "invalid_resource").into_response_json();
    }
    let Some(name) = local_name_of(&query.resource, domain, &base) else {
        return AppError::not_found()
            .with_detail("the resource is not an account of this instance")
            .into_response_json();
    };
    // Only active accounts are discoverable.
    let actor = match state.domain.discoverable_local_actor(&name).await {
        Ok(Some(actor)) => actor,
        Ok(None) => return AppError::not_found().into_response_json(),
        Err(error) => return AppError::from(error).into_response_json(),
    };
    let mut links = vec![WebfingerLink {
        rel: "self".to_string(),
        kind: Some(ACTIVITY_JSON.to_string()),
        href: Some(actor.ap_id.clone()),
        template: None,
    }];
    if actor.kind == ActorKindRow::Person {
        links.push(WebfingerLink {
            rel: "http://webfinger.net/rel/profile-page".to_string(),
            kind: Some("text/html".to_string()),
            href: Some(actor.ap_id.clone()),
            template: None,
        });
    }
    let document = Webfinger {
        subject: format!("acct:{}@{}", actor.name, domain),
        aliases: vec![actor.ap_id.clone()],
        links,
    };
    match serde_json::to_vec(&document) {
        Ok(body) => (
            [
                (header::CONTENT_TYPE, "application/jrd+json"),
                (header::ACCESS_CONTROL_ALLOW_ORIGIN, "*"),
            ],
            body,
        )
            .into_response(),
        Err(error) => AppError::internal(error).into_response_json(),
    }
}

/// `GET /.well-known/host-meta`: the XRD some older servers read first.
pub async fn get_host_meta(State(state): State<AppState>) -> Response {
    let base = state.domain.settings.base_url();
    let body = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<XRD xmlns=\"http://docs.oasis-open.org/ns/xri/xrd-1.0\">\n  <Link rel=\"lrdd\" template=\"{base}/.well-known/webfinger?resource={{uri}}\"/>\n</XRD>\n"
    );
    (
        [(header::CONTENT_TYPE, "application/xrd+xml; charset=utf-8")],
        body,
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    use super::local_name_of;

    #[test]
    fn resources_resolve_to_local_names_only() {
        let base = "https://preau.example";
        let domain = "preau.example";
        assert_eq!(
            local_name_of("acct:Camille@preau.example", domain, base).as_deref(),
            Some("camille")
        );
        assert_eq!(
            local_name_of("camille@PREAU.example", domain, base).as_deref(),
            Some("camille")
        );
        assert_eq!(
            local_name_of("https://preau.example/users/camille", domain, base).as_deref(),
            Some("camille")
        );
        assert_eq!(
            local_name_of("https://preau.example/actor", domain, base).as_deref(),
            Some("instance")
        );
        assert_eq!(
            local_name_of("acct:camille@other.example", domain, base),
            None
        );
        assert_eq!(local_name_of("acct:@preau.example", domain, base), None);
        assert_eq!(local_name_of("nonsense", domain, base), None);
    }
}
