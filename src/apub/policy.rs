//! The federation policy (`[federation]` mode, lists and minimum level)
//! applied everywhere another server touches this one: the library's
//! fetches and deliveries (a `UrlVerifier`), the inbox, and reads of this
//! instance's ActivityPub objects. A refused instance gets nothing and
//! gives nothing.

use super::{actors::DbActor, inbox::Signer};
use crate::{app::AppState, domain::Domain, error::AppError};
use activitypub_federation::{config::Data, fetch::object_id::ObjectId};
use axum::{
    extract::Request,
    http::{Method, StatusCode},
    middleware::Next,
    response::Response,
};
use preau_federation::signatures::{self, RequestParts};
use std::time::SystemTime;
use url::Url;

/// The host (with `:port`) of a URL, as policies and labels name it.
pub fn host_of(url: &Url) -> String {
    super::actors::host_of(url)
}

/// activitypub_federation asks this before every fetch and delivery.
#[derive(Clone)]
pub struct PolicyVerifier {
    /// The instance whose policy applies.
    pub domain: Domain,
}

#[async_trait::async_trait]
impl activitypub_federation::config::UrlVerifier for PolicyVerifier {
    async fn verify(&self, url: &Url) -> Result<(), activitypub_federation::error::Error> {
        match self.domain.federation_refusal(&host_of(url)).await {
            Ok(None) => Ok(()),
            Ok(Some(refusal)) => {
                tracing::debug!(%url, code = refusal.code(), "federation policy: not contacted");
                Err(activitypub_federation::error::Error::UrlVerificationError(
                    "refused by the federation policy",
                ))
            }
            Err(error) => {
                tracing::warn!(%error, "federation policy unavailable");
                Err(activitypub_federation::error::Error::UrlVerificationError(
                    "federation policy unavailable",
                ))
            }
        }
    }
}

/// Why the inbox `inbox` is never delivered to, or `None` to deliver.
///
/// The checks activitypub_federation made before each delivery when it
/// sent them (a local inbox; `https` only, `http` with `allow_loopback`; a
/// host name, not an IP literal, of letters, digits, dots and dashes; no
/// explicit port unless `allow_loopback`), then the federation policy for
/// the inbox's host, as [`PolicyVerifier`] applies it to fetches. Private
/// addresses behind a name are refused by the client's resolver.
pub async fn delivery_refusal(
    domain: &Domain,
    inbox: &Url,
) -> Result<Option<&'static str>, crate::domain::DomainError> {
    let settings = &domain.settings;
    let allow_loopback = settings.federation.allow_loopback;
    if host_of(inbox).eq_ignore_ascii_case(&settings.instance.domain) {
        return Ok(Some("a local inbox"));
    }
    match inbox.scheme() {
        "https" => {}
        "http" if allow_loopback => {}
        _ => return Ok(Some("scheme not allowed")),
    }
    let Some(name) = inbox.domain() else {
        return Ok(Some("no host name"));
    };
    if !name
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '-')
    {
        return Ok(Some("invalid host name"));
    }
    if !allow_loopback && inbox.port().is_some() {
        return Ok(Some("explicit port"));
    }
    // `example.org.` is `example.org`: the trailing dot must not slip past
    // a block list.
    let mut host = host_of(inbox);
    if let Some(stripped) = name.strip_suffix('.') {
        host = match inbox.port() {
            Some(port) => format!("{stripped}:{port}"),
            None => stripped.to_owned(),
        };
    }
    Ok(domain
        .federation_refusal(&host)
        .await?
        .map(|_| "refused by the federation policy"))
}

fn refuse(status: StatusCode, code: &'static str) -> Response {
    AppError::new(status, code).into_response_json()
}

/// Paths that stay open to anyone: discovery, and the instance actor
/// whose key verifies this instance's own signed fetches.
fn always_open(path: &str) -> bool {
    path == "/actor" || path.starts_with("/.well-known/") || path.starts_with("/nodeinfo/")
}

/// Routes that only ever answer ActivityStreams JSON, whatever the
/// `Accept` header: collections and contexts.
fn json_only(path: &str) -> bool {
    path.starts_with("/contexts/")
        || [
            "/outbox",
            "/followers",
            "/following",
            "/moderators",
            "/featured",
            "/context",
            "/members",
            "/activity",
        ]
        .iter()
        .any(|suffix| path.ends_with(suffix))
}

/// Middleware on every route: an ActivityPub read (GET or HEAD asking for
/// ActivityStreams JSON) signed by a refused instance is refused; in
/// allowlist mode every such read must be signed by an allowed instance
/// (signed fetch), and the signature is verified.
pub async fn gate_reads(data: Data<AppState>, request: Request, next: Next) -> Response {
    let is_read = matches!(*request.method(), Method::GET | Method::HEAD);
    let path = request.uri().path();
    if !is_read
        || always_open(path)
        || !(crate::web::profile::wants_activity_json(request.headers()) || json_only(path))
    {
        return next.run(request).await;
    }
    let allowlist =
        data.domain.settings.federation.mode == crate::config::FederationMode::Allowlist;
    let header = request
        .headers()
        .get("signature")
        .and_then(|v| v.to_str().ok())
        .map(signatures::parse_signature_header);
    let header = match header {
        None if allowlist => return refuse(StatusCode::UNAUTHORIZED, "signature_required"),
        None => return next.run(request).await,
        Some(Err(error)) => return refuse(StatusCode::UNAUTHORIZED, error.code()),
        Some(Ok(header)) => header,
    };
    let Ok(key_url) = Url::parse(&header.key_id) else {
        return refuse(StatusCode::UNAUTHORIZED, "signature_invalid");
    };
    match data.domain.federation_refusal(&host_of(&key_url)).await {
        Ok(None) => {}
        Ok(Some(refusal)) => return refuse(StatusCode::FORBIDDEN, refusal.code()),
        Err(error) => return AppError::from(error).into_response_json(),
    }
    if allowlist {
        // The signer must prove it is who it says: its key, then the
        // signature over this request.
        let path = request
            .uri()
            .path_and_query()
            .map(|pq| pq.as_str().to_string())
            .unwrap_or_else(|| "/".to_string());
        let (method, headers) = (request.method().clone(), request.headers().clone());
        if let Err(response) = verify_signed_read(&data, &method, &path, &headers).await {
            return response;
        }
    }
    next.run(request).await
}

/// Verifies the HTTP signature of a read (signed fetch) and returns its
/// signer, or the refusal to send: 401 when unsigned, malformed, stale or
/// not verifying.
pub async fn verify_signed_read(
    data: &Data<AppState>,
    method: &Method,
    path: &str,
    headers: &axum::http::HeaderMap,
) -> Result<std::sync::Arc<Signer>, Response> {
    let header = match headers
        .get("signature")
        .and_then(|v| v.to_str().ok())
        .map(signatures::parse_signature_header)
    {
        None => return Err(refuse(StatusCode::UNAUTHORIZED, "signature_required")),
        Some(Err(error)) => return Err(refuse(StatusCode::UNAUTHORIZED, error.code())),
        Some(Ok(header)) => header,
    };
    let Ok(key_url) = Url::parse(&header.key_id) else {
        return Err(refuse(StatusCode::UNAUTHORIZED, "signature_invalid"));
    };
    let parts = RequestParts {
        method,
        path_and_query: path,
        headers,
        body: None,
    };
    let checked = match signatures::check_request(
        &parts,
        SystemTime::now(),
        &signatures::Policy::default(),
    ) {
        Ok(checked) => checked,
        Err(error) => return Err(refuse(StatusCode::UNAUTHORIZED, error.code())),
    };
    let mut actor_url = key_url.clone();
    actor_url.set_fragment(None);
    let signer = match data.inbox_memory.signer(actor_url.as_str()) {
        Some(signer) => signer,
        None => {
            let id: ObjectId<DbActor> = actor_url.into();
            match id.dereference(data).await.map(Signer::new) {
                Ok(Ok(signer)) => data.inbox_memory.remember_signer(signer),
                _ => return Err(refuse(StatusCode::UNAUTHORIZED, "signer_unavailable")),
            }
        }
    };
    if signatures::verify_checked_with_key(&parts, checked, signer.key()).is_err() {
        return Err(refuse(StatusCode::UNAUTHORIZED, "signature_invalid"));
    }
    Ok(signer)
}
