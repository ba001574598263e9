//! The one signing path of the server: every outgoing request that speaks
//! for a local actor — deliveries, signed fetches of Préau and of
//! activitypub_federation — is signed here, with a key parsed once.
//!
//! - [`SignerCache`] keeps each local actor's private key parsed (a
//!   [`RequestSigner`]), keyed by the actor's id; a changed PEM is parsed
//!   again.
//! - [`sign_off_thread`] signs on tokio's blocking pool, as the RSA
//!   private-key operation takes about a millisecond.
//! - [`SignFetches`] is the HTTP client middleware that signs every GET
//!   with the instance actor's key (authorized fetch), so no caller signs a
//!   GET by hand and activitypub_federation's own signer is never used.
//!
//! The signature itself is `preau_federation::signatures::sign_request_with_key`:
//! draft-cavage, `(request-target) host date [digest]`, RSASSA-PKCS1-v1_5 /
//! SHA-256 with RSA blinding (RUSTSEC-2023-0071, see docs/security.md).

use axum::http::{header, HeaderMap, HeaderValue, Method};
use preau_federation::signatures::{RequestSigner, SignatureError};
use sha2::{Digest, Sha256};
use std::{
    collections::HashMap,
    sync::{Arc, Mutex},
    time::SystemTime,
};
use url::Url;

/// How many parsed keys are kept; past that the cache starts over (a
/// parsed key costs a few KiB, and parsing one again a fraction of a
/// millisecond).
const MAX_SIGNERS: usize = 10_000;

/// Why a request could not be signed.
#[derive(Debug, thiserror::Error)]
pub enum SigningError {
    /// The actor's key does not parse, or a header value is not text.
    #[error(transparent)]
    Signature(#[from] SignatureError),
    /// The URL has no host to put in the signed `Host` header.
    #[error("the URL {0} has no host")]
    NoHost(String),
    /// The blocking task signing the request was cancelled.
    #[error("the signing task was cancelled")]
    Cancelled,
}

struct CachedSigner {
    /// SHA-256 of the PEM the signer was parsed from, so a changed key is
    /// noticed without keeping a second copy of it.
    pem_digest: [u8; 32],
    signer: Arc<RequestSigner>,
}

/// Local actors' private keys, parsed once and shared by every worker.
#[derive(Default)]
pub struct SignerCache {
    signers: Mutex<HashMap<String, CachedSigner>>,
}

impl SignerCache {
    /// The signer of the local actor `actor_id`, whose private key is
    /// `private_key_pem`: the cached one, or the key parsed now and kept.
    pub fn signer_for(
        &self,
        actor_id: &str,
        private_key_pem: &str,
    ) -> Result<Arc<RequestSigner>, SignatureError> {
        let pem_digest: [u8; 32] = Sha256::digest(private_key_pem.as_bytes()).into();
        if let Some(cached) = self.lock().get(actor_id) {
            if cached.pem_digest == pem_digest {
                return Ok(cached.signer.clone());
            }
        }
        // Parsed outside the lock: other actors' signers stay available.
        let signer = Arc::new(RequestSigner::from_pem(
            crate::urls::key_id(actor_id),
            private_key_pem,
        )?);
        let mut signers = self.lock();
        if signers.len() >= MAX_SIGNERS && !signers.contains_key(actor_id) {
            signers.clear();
        }
        signers.insert(
            actor_id.to_owned(),
            CachedSigner {
                pem_digest,
                signer: signer.clone(),
            },
        );
        Ok(signer)
    }

    /// How many parsed keys are kept (tests and diagnostics).
    pub fn len(&self) -> usize {
        self.lock().len()
    }

    /// Whether no key has been parsed yet.
    pub fn is_empty(&self) -> bool {
        self.lock().is_empty()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, CachedSigner>> {
        self.signers
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

/// The `Host` header value of `url`: the host, and the port when it is not
/// the scheme's default (what HTTP clients send).
pub fn host_header(url: &Url) -> Result<HeaderValue, SigningError> {
    let host = crate::apub::actors::host_of(url);
    if host.is_empty() {
        return Err(SigningError::NoHost(url.to_string()));
    }
    HeaderValue::from_str(&host).map_err(|_| SigningError::NoHost(url.to_string()))
}

/// The path and query of `url`, as `(request-target)` signs them.
pub fn path_and_query(url: &Url) -> String {
    match url.query() {
        Some(query) => format!("{}?{query}", url.path()),
        None => url.path().to_owned(),
    }
}

/// Signs a request to `url` with `signer` on tokio's blocking pool: sets
/// `Host`, `Date`, `Digest` (with a body) and `Signature` in `headers`.
/// The body is handed back so it is not copied.
pub async fn sign_off_thread(
    signer: Arc<RequestSigner>,
    method: Method,
    url: &Url,
    mut headers: HeaderMap,
    body: Option<Vec<u8>>,
) -> Result<(HeaderMap, Option<Vec<u8>>), SigningError> {
    headers.insert(header::HOST, host_header(url)?);
    let target = path_and_query(url);
    tokio::task::spawn_blocking(move || {
        signer.sign(
            &method,
            &target,
            &mut headers,
            body.as_deref(),
            SystemTime::now(),
        )?;
        Ok((headers, body))
    })
    .await
    .map_err(|_| SigningError::Cancelled)?
}

/// HTTP client middleware signing every GET that carries no signature yet
/// with the instance actor's key: activitypub_federation's fetches
/// (actors, objects, collections), Préau's signed fetches (members-only
/// content, documents) and discovery alike. Servers in authorized-fetch
/// mode (Mastodon's secure mode, GoToSocial) then answer, and a server
/// that needs no signature ignores it.
pub struct SignFetches {
    signer: Arc<RequestSigner>,
}

impl SignFetches {
    /// Signs GETs with `signer`, the instance actor's.
    pub fn new(signer: Arc<RequestSigner>) -> SignFetches {
        SignFetches { signer }
    }
}

#[async_trait::async_trait]
impl reqwest_middleware::Middleware for SignFetches {
    async fn handle(
        &self,
        mut request: reqwest::Request,
        extensions: &mut axum::http::Extensions,
        next: reqwest_middleware::Next<'_>,
    ) -> reqwest_middleware::Result<reqwest::Response> {
        if request.method() == Method::GET && !request.headers().contains_key("signature") {
            let headers = std::mem::take(request.headers_mut());
            let (headers, _) = sign_off_thread(
                self.signer.clone(),
                Method::GET,
                request.url(),
                headers,
                None,
            )
            .await
            .map_err(reqwest_middleware::Error::middleware)?;
            *request.headers_mut() = headers;
        }
        next.run(request, extensions).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use preau_federation::signatures::{verify_request, Policy, RequestParts};
    use rsa::{
        pkcs8::{EncodePrivateKey, EncodePublicKey, LineEnding},
        RsaPrivateKey, RsaPublicKey,
    };

    fn key_pair() -> (String, String) {
        let key = RsaPrivateKey::new(&mut rand::thread_rng(), 2048).unwrap();
        let public = RsaPublicKey::from(&key)
            .to_public_key_pem(LineEnding::LF)
            .unwrap();
        (
            key.to_pkcs8_pem(LineEnding::LF).unwrap().to_string(),
            public,
        )
    }

    #[tokio::test]
    async fn a_signer_parsed_once_signs_many_requests_that_verify() {
        let (private_pem, public_pem) = key_pair();
        let cache = SignerCache::default();
        let actor = "https://preau.example/users/anne";
        let signer = cache.signer_for(actor, &private_pem).unwrap();
        assert_eq!(signer.key_id(), "https://preau.example/users/anne#main-key");
        for n in 0..5 {
            // The same parsed key comes back: no PEM parsed per request.
            let again = cache.signer_for(actor, &private_pem).unwrap();
            assert!(Arc::ptr_eq(&signer, &again));
            let url = Url::parse(&format!("https://remote.example:8443/inbox?n={n}")).unwrap();
            let body = format!(r#"{{"type":"Create","n":{n}}}"#).into_bytes();
            let (headers, body) =
                sign_off_thread(again, Method::POST, &url, HeaderMap::new(), Some(body))
                    .await
                    .unwrap();
            assert_eq!(headers[header::HOST], "remote.example:8443");
            let parts = RequestParts {
                method: &Method::POST,
                path_and_query: &format!("/inbox?n={n}"),
                headers: &headers,
                body: body.as_deref(),
            };
            let strict = Policy {
                require_host: true,
                ..Policy::default()
            };
            let verified = verify_request(&parts, &public_pem, SystemTime::now(), &strict).unwrap();
            // What Mastodon and GoToSocial sign, and check, on a POST.
            assert_eq!(
                verified.signed_headers,
                ["(request-target)", "host", "date", "digest"]
            );
            assert_eq!(verified.algorithm, "rsa-sha256");
        }
        assert_eq!(cache.len(), 1);
    }

    /// A GET through a client with [`SignFetches`] arrives signed by the
    /// instance actor, and verifies with the strict GET policy (host signed).
    #[tokio::test]
    async fn gets_through_the_client_arrive_signed() {
        use axum::{extract::Request, routing::get, Router};
        crate::install_crypto_provider();
        let (private_pem, public_pem) = key_pair();
        let cache = SignerCache::default();
        let signer = cache
            .signer_for("https://preau.example/actor", &private_pem)
            .unwrap();
        let seen: Arc<Mutex<Vec<(String, HeaderMap)>>> = Arc::default();
        let record = seen.clone();
        let app = Router::new().route(
            "/objects/{id}",
            get(move |request: Request| {
                let record = record.clone();
                async move {
                    let target = request.uri().path_and_query().unwrap().to_string();
                    record
                        .lock()
                        .unwrap()
                        .push((target, request.headers().clone()));
                    "{}"
                }
            }),
        );
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let address = listener.local_addr().unwrap();
        let server = tokio::spawn(async move { axum::serve(listener, app).await });
        let client = reqwest_middleware::ClientBuilder::new(reqwest::Client::new())
            .with(SignFetches::new(signer))
            .build();
        let url = format!("http://{address}/objects/7?page=2");
        let response = client
            .get(&url)
            .header("accept", "application/activity+json")
            .send()
            .await
            .unwrap();
        assert!(response.status().is_success());
        // A POST is left alone: deliveries sign their own body.
        client.post(&url).send().await.unwrap();
        server.abort();

        let seen = seen.lock().unwrap();
        let (target, headers) = &seen[0];
        assert_eq!(target, "/objects/7?page=2");
        assert_eq!(headers[header::HOST].to_str().unwrap(), address.to_string());
        let parts = RequestParts {
            method: &Method::GET,
            path_and_query: target,
            headers,
            body: None,
        };
        let strict = Policy {
            require_host: true,
            ..Policy::default()
        };
        let verified = verify_request(&parts, &public_pem, SystemTime::now(), &strict).unwrap();
        assert_eq!(verified.key_id, "https://preau.example/actor#main-key");
        assert_eq!(
            verified.signed_headers,
            ["(request-target)", "host", "date"]
        );
    }

    #[test]
    fn a_changed_key_is_parsed_again_and_a_bad_one_refused() {
        let (first, _) = key_pair();
        let (second, _) = key_pair();
        let cache = SignerCache::default();
        let actor = "https://preau.example/actor";
        let a = cache.signer_for(actor, &first).unwrap();
        let b = cache.signer_for(actor, &second).unwrap();
        assert!(!Arc::ptr_eq(&a, &b));
        assert_eq!(cache.len(), 1);
        let refused = cache.signer_for("https://preau.example/users/x", "not a key");
        assert_eq!(refused.unwrap_err().code(), "key_invalid");
        assert_eq!(cache.len(), 1);
    }

    #[test]
    fn host_header_keeps_only_explicit_ports() {
        let url = |s: &str| Url::parse(s).unwrap();
        assert_eq!(
            host_header(&url("https://a.example/x")).unwrap(),
            "a.example"
        );
        assert_eq!(
            host_header(&url("https://a.example:443/x")).unwrap(),
            "a.example"
        );
        assert_eq!(
            host_header(&url("http://localhost:8080/x")).unwrap(),
            "localhost:8080"
        );
        assert_eq!(path_and_query(&url("https://a.example/x?y=1")), "/x?y=1");
    }
}
