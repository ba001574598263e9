//! The inbox: activities POSTed by other servers.
//!
//! activitypub_federation's own verification has gaps, so every request
//! goes through `preau_federation::signatures` first: a `Signature` header
//! is required (an unsigned POST gets 401 and triggers no fetch), the
//! signed `Date`/`(created)` must be within an hour, the digest must be
//! signed and match, the key must belong to the activity's `actor`, and a
//! failed check refetches the key once (rotation). Bodies over
//! [`MAX_INBOX_BYTES`] are refused, each activity id is applied once, and
//! every failure is a 4xx with a stable code.

use super::{
    activities::{self, InboxError, Received},
    actors::DbActor,
};
use crate::{app::AppState, domain::inbox::Applied};
use activitypub_federation::{config::Data, fetch::object_id::ObjectId};
use axum::{
    body::{Body, Bytes},
    extract::Request,
    http::{request::Parts, StatusCode},
    response::{IntoResponse, Response},
};
use preau_federation::{
    activities::Activity,
    signatures::{self, RequestParts, SignatureError, SignatureHeader},
};
use std::{
    collections::{HashMap, HashSet, VecDeque},
    sync::Arc,
    time::SystemTime,
};
use url::Url;

/// Largest activity accepted, in bytes (documented in docs/FEDERATION.md).
pub const MAX_INBOX_BYTES: usize = 256 * 1024;

fn refuse(status: StatusCode, code: &'static str) -> InboxError {
    InboxError::new(status, code)
}

fn signature_refusal(error: &SignatureError) -> InboxError {
    tracing::info!(%error, "inbox: signature refused");
    refuse(StatusCode::UNAUTHORIZED, error.code())
}

/// `POST /inbox`, `/users/{name}/inbox`, `/forums/{name}/inbox`,
/// `/projects/{name}/inbox`.
pub async fn post_inbox(data: Data<AppState>, request: Request) -> Response {
    match receive(&data, request).await {
        Ok(()) => StatusCode::ACCEPTED.into_response(),
        Err(error) => error.into_response(),
    }
}

/// Checks the request, then hands the activity and its signer to the
/// routing table.
async fn receive(data: &Data<AppState>, request: Request) -> Result<(), InboxError> {
    let (parts, body) = read_request(request).await?;
    let path_and_query = parts
        .uri
        .path_and_query()
        .map(|pq| pq.as_str())
        .unwrap_or("/");
    let request = RequestParts {
        method: &parts.method,
        path_and_query,
        headers: &parts.headers,
        body: Some(&body),
    };
    let header =
        signatures::check_request(&request, SystemTime::now(), &signatures::Policy::default())
            .map_err(|error| signature_refusal(&error))?;
    let (raw, activity) = parse_activity(&body)?;
    check_sender(data, &activity, &request, &header).await?;
    // Replays of recent activities stop here; older ones are caught by
    // the received-activity record written with each change.
    if data.inbox_memory.was_applied(activity.id.as_str()) {
        return Ok(());
    }
    let signer = verified_signer(data, &activity, &request, &header).await?;
    let received = Received {
        activity: &activity,
        raw: &raw,
        signer: &signer.actor,
    };
    let applied = activities::route(data, &received).await?;
    if matches!(applied, Applied::Applied | Applied::Duplicate) {
        data.inbox_memory.applied(activity.id.as_str());
    }
    tracing::debug!(id = %activity.id, kind = activity.kind.as_str(), ?applied, "inbox: activity handled");
    Ok(())
}

/// The request's head and body, refused before any signature work when it
/// is not an ActivityPub document, too large, holds U+0000 or is unsigned.
async fn read_request(request: Request) -> Result<(Parts, Bytes), InboxError> {
    // Only ActivityPub documents, before any signature work (docs/security.md).
    if !crate::extract::is_activity_content_type(request.headers()) {
        return Err(refuse(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_media_type",
        ));
    }
    let (parts, body) = request.into_parts();
    let body = axum::body::to_bytes(Body::new(body), MAX_INBOX_BYTES)
        .await
        .map_err(|_| refuse(StatusCode::PAYLOAD_TOO_LARGE, "payload_too_large"))?;
    // PostgreSQL text cannot hold U+0000: refused before anything is read.
    if crate::extract::json_bytes_have_nul(&body) {
        return Err(refuse(StatusCode::BAD_REQUEST, "invalid_text"));
    }
    if signatures::is_rfc9421(&parts.headers) {
        // Fedify signs with RFC 9421 first and retries with draft-cavage
        // after a 401.
        return Err(refuse(
            StatusCode::UNAUTHORIZED,
            "signature_rfc9421_unsupported",
        ));
    }
    if !parts.headers.contains_key("signature") && !parts.headers.contains_key("authorization") {
        return Err(refuse(StatusCode::UNAUTHORIZED, "signature_missing"));
    }
    Ok((parts, body))
}

/// The activity as received (relayed unchanged, its proofs and signatures
/// included, when a local forum announces it) and parsed tolerantly.
fn parse_activity(body: &[u8]) -> Result<(serde_json::Value, Activity), InboxError> {
    let raw: serde_json::Value = serde_json::from_slice(body)
        .map_err(|_| refuse(StatusCode::BAD_REQUEST, "invalid_activity"))?;
    let activity: Activity = serde_json::from_value(raw.clone()).map_err(|error| {
        tracing::info!(%error, "inbox: unparsable activity");
        refuse(StatusCode::BAD_REQUEST, "invalid_activity")
    })?;
    Ok((raw, activity))
}

/// The key must be the actor's, the activity id on the actor's server, the
/// actor remote, and its instance allowed by the federation policy (before
/// anything is fetched from it).
async fn check_sender(
    data: &Data<AppState>,
    activity: &Activity,
    request: &RequestParts<'_>,
    header: &SignatureHeader,
) -> Result<(), InboxError> {
    if !signatures::key_owner_matches(&header.key_id, &activity.actor) {
        return Err(refuse(StatusCode::UNAUTHORIZED, "key_owner_mismatch"));
    }
    if activities::host_and_port(&activity.id) != activities::host_and_port(&activity.actor) {
        return Err(refuse(StatusCode::FORBIDDEN, "activity_id_foreign"));
    }
    if activities::is_local(data, &activity.actor) {
        return Err(refuse(StatusCode::FORBIDDEN, "activity_from_local_actor"));
    }
    let sender = super::policy::host_of(&activity.actor);
    let Some(refusal) = data.domain.federation_refusal(&sender).await? else {
        return Ok(());
    };
    if refusal == crate::domain::trust::Refusal::LevelTooLow {
        // Perhaps only not checked yet: once the knock's signature
        // verifies, the instance is noted and checked, so it can come in
        // once its evidence verifies (senders retry).
        note_verified_knock(data, request, header, &activity.actor).await;
    }
    Err(refuse(StatusCode::FORBIDDEN, refusal.code()))
}

/// The signer, from memory, the database or its server, then the
/// signature; a failure refetches the key once in case it was rotated.
async fn verified_signer(
    data: &Data<AppState>,
    activity: &Activity,
    request: &RequestParts<'_>,
    header: &SignatureHeader,
) -> Result<Arc<Signer>, InboxError> {
    let signer_id: ObjectId<DbActor> = activity.actor.clone().into();
    let signer = match data.inbox_memory.signer(activity.actor.as_str()) {
        Some(signer) => signer,
        None => match signer_id.dereference(data).await.map(Signer::new) {
            Ok(Ok(signer)) => data.inbox_memory.remember_signer(signer),
            Ok(Err(error)) => return Err(signature_refusal(&error)),
            Err(error) => {
                tracing::info!(%error, actor = %activity.actor, "inbox: signer unavailable");
                return Err(refuse(StatusCode::UNAUTHORIZED, "signer_unavailable"));
            }
        },
    };
    if signatures::verify_checked_with_key(request, header.clone(), &signer.key).is_ok() {
        return Ok(signer);
    }
    match signer_id.dereference_forced(data).await.map(Signer::new) {
        Ok(Ok(refetched))
            if signatures::verify_checked_with_key(request, header.clone(), &refetched.key)
                .is_ok() =>
        {
            Ok(data.inbox_memory.remember_signer(refetched))
        }
        _ => Err(signature_refusal(&SignatureError::SignatureInvalid)),
    }
}

/// Largest actor document read to check a knock, in bytes.
const MAX_KNOCK_ACTOR_BYTES: usize = 64 * 1024;

/// An instance below the minimum level knocked: its actor's key is read
/// (through the address filter, not stored, since the policy keeps its
/// actors out) and, only if the request's signature verifies with it, the
/// instance is noted and its evidence checked in the background. An
/// unsigned or forged knock makes no further request and leaves no trace.
async fn note_verified_knock(
    data: &Data<AppState>,
    request: &RequestParts<'_>,
    header: &SignatureHeader,
    actor: &Url,
) {
    let Ok(key) = knock_key(data, actor).await else {
        return;
    };
    if signatures::verify_checked_with_key(request, header.clone(), &key).is_err() {
        tracing::info!(%actor, "inbox: knock with a signature that does not verify");
        return;
    }
    let host = super::policy::host_of(actor);
    let origin = format!("{}://{}", actor.scheme(), host);
    if let Ok(true) = data.domain.note_knocking_instance(&host, &origin).await {
        let state: AppState = (**data).clone();
        tokio::spawn(async move {
            super::trust::check_and_store(&state, &host, &origin).await;
        });
    }
}

/// The public key of `actor`, read from its document.
async fn knock_key(data: &Data<AppState>, actor: &Url) -> Result<rsa::RsaPublicKey, String> {
    let mut response = data
        .http
        .get(actor.as_str())
        .header("Accept", "application/activity+json")
        .send()
        .await
        .map_err(|e| e.to_string())?;
    if !response.status().is_success() {
        return Err(response.status().to_string());
    }
    let mut body = Vec::new();
    while let Some(chunk) = response.chunk().await.map_err(|e| e.to_string())? {
        body.extend_from_slice(&chunk);
        if body.len() > MAX_KNOCK_ACTOR_BYTES {
            return Err("actor document too large".into());
        }
    }
    let document: preau_federation::Actor =
        serde_json::from_slice(&body).map_err(|e| e.to_string())?;
    if &document.id != actor {
        return Err("actor document with another id".into());
    }
    document.check_consistency().map_err(|e| e.to_string())?;
    signatures::parse_public_key_pem(&document.public_key.public_key_pem).map_err(|e| e.to_string())
}

/// A verified signer: its actor and parsed public key.
pub struct Signer {
    actor: DbActor,
    key: rsa::RsaPublicKey,
}

impl Signer {
    /// Parses the actor's key.
    pub fn new(actor: DbActor) -> Result<Signer, SignatureError> {
        let key = signatures::parse_public_key_pem(&actor.row.public_key_pem)?;
        Ok(Signer { actor, key })
    }

    /// The parsed public key.
    pub fn key(&self) -> &rsa::RsaPublicKey {
        &self.key
    }

    /// The signer's actor.
    pub fn actor(&self) -> &DbActor {
        &self.actor
    }
}

/// How long a signer's key is used from memory before it is read again
/// (a key that fails to verify is refetched at once anyway).
const SIGNER_TTL: std::time::Duration = std::time::Duration::from_secs(60);
/// Signers kept in memory.
const SIGNERS_KEPT: usize = 4096;
/// Applied activity ids kept in memory.
const RECENT_KEPT: usize = 8192;

/// What the inbox keeps between requests: signers' actors with their
/// parsed keys (so a busy peer costs no database read or key parsing per
/// activity) and the ids of recently applied activities (so a replay is
/// answered without touching the database). Both are bounded.
#[derive(Default)]
pub struct InboxMemory {
    signers: std::sync::Mutex<HashMap<String, (std::time::Instant, Arc<Signer>)>>,
    recent: std::sync::Mutex<(HashSet<String>, VecDeque<String>)>,
}

impl InboxMemory {
    /// A signer read less than a minute ago.
    pub fn signer(&self, actor: &str) -> Option<Arc<Signer>> {
        let signers = self.signers.lock().unwrap_or_else(|p| p.into_inner());
        signers
            .get(actor)
            .filter(|(at, _)| at.elapsed() < SIGNER_TTL)
            .map(|(_, signer)| signer.clone())
    }

    /// Keeps a signer for a minute.
    pub fn remember_signer(&self, signer: Signer) -> Arc<Signer> {
        let signer = Arc::new(signer);
        let mut signers = self.signers.lock().unwrap_or_else(|p| p.into_inner());
        if signers.len() >= SIGNERS_KEPT {
            signers.retain(|_, (at, _)| at.elapsed() < SIGNER_TTL);
            if signers.len() >= SIGNERS_KEPT {
                signers.clear();
            }
        }
        signers.insert(
            signer.actor.row.ap_id.clone(),
            (std::time::Instant::now(), signer.clone()),
        );
        signer
    }

    /// Forgets a signer whose actor changed (its next activity reads the
    /// stored row again).
    pub fn forget_signer(&self, actor: &str) {
        let mut signers = self.signers.lock().unwrap_or_else(|p| p.into_inner());
        signers.remove(actor);
    }

    fn was_applied(&self, id: &str) -> bool {
        let recent = self.recent.lock().unwrap_or_else(|p| p.into_inner());
        recent.0.contains(id)
    }

    fn applied(&self, id: &str) {
        let mut recent = self.recent.lock().unwrap_or_else(|p| p.into_inner());
        let (set, order) = &mut *recent;
        if set.insert(id.to_string()) {
            order.push_back(id.to_string());
            if order.len() > RECENT_KEPT {
                if let Some(oldest) = order.pop_front() {
                    set.remove(&oldest);
                }
            }
        }
    }
}
