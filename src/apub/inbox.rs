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

use super::actors::DbActor;
use crate::domain::provenance::{same_origin, Provenance};
use crate::{
    app::AppState,
    domain::{inbox::Applied, DomainError},
    error::AppError,
};
use activitypub_federation::{
    config::Data,
    fetch::{fetch_object_http, object_id::ObjectId},
};
use axum::{
    body::Body,
    extract::Request,
    http::StatusCode,
    response::{IntoResponse, Response},
};
use preau_federation::{
    activities::{Activity, ActivityKind},
    objects::Post,
    signatures::{self, RequestParts, SignatureError},
};
use std::{
    collections::{HashMap, HashSet, VecDeque},
    sync::Arc,
    time::SystemTime,
};
use url::Url;

/// Largest activity accepted, in bytes (documented in docs/FEDERATION.md).
pub const MAX_INBOX_BYTES: usize = 256 * 1024;

fn refuse(status: StatusCode, code: &'static str) -> Response {
    AppError::new(status, code).into_response_json()
}

fn signature_refusal(error: &SignatureError) -> Response {
    tracing::info!(%error, "inbox: signature refused");
    refuse(StatusCode::UNAUTHORIZED, error.code())
}

fn domain_refusal(error: DomainError) -> Response {
    match error {
        DomainError::Refused(refusal) => refuse(crate::error::status_of(&refusal), refusal.code()),
        other => AppError::from(other).into_response_json(),
    }
}

fn host_of(url: &Url) -> Option<(String, Option<u16>)> {
    url.host_str()
        .map(|host| (host.to_ascii_lowercase(), url.port_or_known_default()))
}

/// `POST /inbox`, `/users/{name}/inbox`, `/forums/{name}/inbox`,
/// `/projects/{name}/inbox`.
pub async fn post_inbox(data: Data<AppState>, request: Request) -> Response {
    // Only ActivityPub documents, before any signature work (docs/security.md).
    if !crate::extract::is_activity_content_type(request.headers()) {
        return refuse(StatusCode::UNSUPPORTED_MEDIA_TYPE, "unsupported_media_type");
    }
    let (parts, body) = request.into_parts();
    let body = match axum::body::to_bytes(Body::new(body), MAX_INBOX_BYTES).await {
        Ok(body) => body,
        Err(_) => return refuse(StatusCode::PAYLOAD_TOO_LARGE, "payload_too_large"),
    };
    // PostgreSQL text cannot hold U+0000: refused before anything is read.
    if crate::extract::json_bytes_have_nul(&body) {
        return refuse(StatusCode::BAD_REQUEST, "invalid_text");
    }
    if signatures::is_rfc9421(&parts.headers) {
        // Fedify signs with RFC 9421 first and retries with draft-cavage
        // after a 401.
        return refuse(StatusCode::UNAUTHORIZED, "signature_rfc9421_unsupported");
    }
    if !parts.headers.contains_key("signature") && !parts.headers.contains_key("authorization") {
        return refuse(StatusCode::UNAUTHORIZED, "signature_missing");
    }
    let path_and_query = parts
        .uri
        .path_and_query()
        .map(|pq| pq.as_str())
        .unwrap_or("/");
    let request_parts = RequestParts {
        method: &parts.method,
        path_and_query,
        headers: &parts.headers,
        body: Some(&body),
    };
    let header = match signatures::check_request(
        &request_parts,
        SystemTime::now(),
        &signatures::Policy::default(),
    ) {
        Ok(header) => header,
        Err(error) => return signature_refusal(&error),
    };
    // The activity as received, relayed unchanged (its proofs and
    // signatures included) when a local forum announces it.
    let raw: serde_json::Value = match serde_json::from_slice(&body) {
        Ok(raw) => raw,
        Err(_) => return refuse(StatusCode::BAD_REQUEST, "invalid_activity"),
    };
    let activity: Activity = match serde_json::from_value(raw.clone()) {
        Ok(activity) => activity,
        Err(error) => {
            tracing::info!(%error, "inbox: unparsable activity");
            return refuse(StatusCode::BAD_REQUEST, "invalid_activity");
        }
    };
    if !signatures::key_owner_matches(&header.key_id, &activity.actor) {
        return refuse(StatusCode::UNAUTHORIZED, "key_owner_mismatch");
    }
    if host_of(&activity.id) != host_of(&activity.actor) {
        return refuse(StatusCode::FORBIDDEN, "activity_id_foreign");
    }
    if data.config_is_local(&activity.actor) {
        return refuse(StatusCode::FORBIDDEN, "activity_from_local_actor");
    }
    // The federation policy, before anything is fetched from the sender.
    let sender = super::policy::host_of(&activity.actor);
    match data.domain.federation_refusal(&sender).await {
        Ok(None) => {}
        Ok(Some(refusal)) => {
            if refusal == crate::domain::trust::Refusal::LevelTooLow {
                // Perhaps only not checked yet: once the knock's signature
                // verifies, the instance is noted and checked, so it can
                // come in once its evidence verifies (senders retry).
                note_verified_knock(&data, &request_parts, &header, &activity.actor).await;
            }
            return refuse(StatusCode::FORBIDDEN, refusal.code());
        }
        Err(error) => return domain_refusal(error),
    }
    // Replays of recent activities stop here; older ones are caught by
    // the received-activity record written with each change.
    if data.inbox_memory.was_applied(activity.id.as_str()) {
        return StatusCode::ACCEPTED.into_response();
    }
    // The signer, from memory, the database or its server, then the
    // signature; a failure refetches the key once in case it was rotated.
    let signer_id: ObjectId<DbActor> = activity.actor.clone().into();
    let signer = match data.inbox_memory.signer(activity.actor.as_str()) {
        Some(signer) => signer,
        None => match signer_id.dereference(&data).await.map(Signer::new) {
            Ok(Ok(signer)) => data.inbox_memory.remember_signer(signer),
            Ok(Err(error)) => return signature_refusal(&error),
            Err(error) => {
                tracing::info!(%error, actor = %activity.actor, "inbox: signer unavailable");
                return refuse(StatusCode::UNAUTHORIZED, "signer_unavailable");
            }
        },
    };
    let verified = signatures::verify_checked_with_key(&request_parts, header.clone(), &signer.key);
    let signer = if verified.is_ok() {
        signer
    } else {
        match signer_id.dereference_forced(&data).await.map(Signer::new) {
            Ok(Ok(refetched))
                if signatures::verify_checked_with_key(
                    &request_parts,
                    header.clone(),
                    &refetched.key,
                )
                .is_ok() =>
            {
                data.inbox_memory.remember_signer(refetched)
            }
            _ => return signature_refusal(&SignatureError::SignatureInvalid),
        }
    };
    match dispatch(&data, &activity, &raw, &signer.actor).await {
        Ok(applied) => {
            if matches!(applied, Applied::Applied | Applied::Duplicate) {
                data.inbox_memory.applied(activity.id.as_str());
            }
            tracing::debug!(id = %activity.id, kind = activity.kind.as_str(), ?applied, "inbox: activity handled");
            StatusCode::ACCEPTED.into_response()
        }
        Err(response) => response,
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
    header: &signatures::SignatureHeader,
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
    if let Ok(true) = data.domain.store.note_instance(&host, &origin).await {
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

trait LocalCheck {
    fn config_is_local(&self, url: &Url) -> bool;
}

impl LocalCheck for Data<AppState> {
    fn config_is_local(&self, url: &Url) -> bool {
        let domain = &self.domain.settings.instance.domain;
        match (url.host_str(), url.port()) {
            (Some(host), Some(port)) => format!("{host}:{port}") == *domain,
            (Some(host), None) => host == domain,
            _ => false,
        }
    }
}

/// The post an activity carries, and whether it was fetched: embedded when
/// its id is on `sender`'s origin (the sender vouches only for its own
/// server's content), otherwise fetched from its id.
async fn post_of(
    data: &Data<AppState>,
    object: &serde_json::Value,
    sender: &Url,
) -> Result<(Post, bool), Response> {
    let embedded: Option<Post> = if object.is_object() {
        serde_json::from_value(object.clone()).ok()
    } else {
        None
    };
    if let Some(post) = &embedded {
        if same_origin(&post.id, sender) {
            return Ok((post.clone(), false));
        }
    }
    let id = embedded
        .map(|post| post.id)
        .or_else(|| object.as_str().and_then(|s| Url::parse(s).ok()))
        .or_else(|| {
            object
                .get("id")
                .and_then(|v| v.as_str())
                .and_then(|s| Url::parse(s).ok())
        })
        .ok_or_else(|| refuse(StatusCode::BAD_REQUEST, "invalid_object"))?;
    if data.domain.is_local_url(&id) {
        return Err(refuse(StatusCode::FORBIDDEN, "author_is_local"));
    }
    match fetch_object_http::<AppState, Post>(&id, data).await {
        Ok(response) => Ok((response.object, true)),
        Err(error) => {
            tracing::info!(%error, %id, "inbox: object unavailable");
            Err(refuse(StatusCode::BAD_REQUEST, "object_unavailable"))
        }
    }
}

/// The provenance of a post returned by [`post_of`].
fn provenance<'a>(post: &'a Post, fetched: bool, sender: &'a Url) -> Provenance<'a> {
    if fetched {
        Provenance::FetchedFrom(&post.id)
    } else {
        Provenance::DeliveredBy(sender)
    }
}

async fn actor_row(data: &Data<AppState>, id: &Url) -> Result<DbActor, Response> {
    let object_id: ObjectId<DbActor> = id.clone().into();
    object_id.dereference(data).await.map_err(|error| {
        tracing::info!(%error, %id, "inbox: actor unavailable");
        refuse(StatusCode::BAD_REQUEST, "actor_unavailable")
    })
}

/// Applies an activity whose signature verified, as sent by `signer`.
async fn dispatch(
    data: &Data<AppState>,
    activity: &Activity,
    raw: &serde_json::Value,
    signer: &DbActor,
) -> Result<Applied, Response> {
    let domain = &data.domain;
    if let Some(result) = super::contacts::dispatch(data, activity, signer).await {
        return result;
    }
    if let Some(result) = super::project_inbox::dispatch(data, activity, raw, signer).await {
        return result;
    }
    match &activity.kind {
        ActivityKind::Follow => {
            let Some(target) = activity.object_id() else {
                return Err(refuse(StatusCode::BAD_REQUEST, "invalid_object"));
            };
            match domain.store.forum_by_ap_id(target.as_str()).await {
                Ok(Some(forum)) if forum.actor.is_local() => domain
                    .receive_follow(activity.id.as_str(), &forum, &signer.row, raw)
                    .await
                    .map_err(domain_refusal),
                Ok(_) => Ok(Applied::Ignored),
                Err(error) => Err(AppError::from(error).into_response_json()),
            }
        }
        ActivityKind::Accept => {
            // The accepted Follow: embedded, or only its id (then matched
            // with the follows this instance sent).
            let follower = match activity.inner_activity() {
                Some(inner) if inner.kind == ActivityKind::Follow => inner.actor,
                _ => match activity.object_id() {
                    Some(follow_id) => {
                        match domain.store.follow_by_activity(follow_id.as_str()).await {
                            Ok(Some(follow)) => {
                                match domain.store.actor_by_id(follow.follower_id).await {
                                    Ok(Some(follower)) => match Url::parse(&follower.ap_id) {
                                        Ok(url) => url,
                                        Err(_) => return Ok(Applied::Ignored),
                                    },
                                    Ok(None) => return Ok(Applied::Ignored),
                                    Err(error) => {
                                        return Err(AppError::from(error).into_response_json())
                                    }
                                }
                            }
                            Ok(None) => return Ok(Applied::Ignored),
                            Err(error) => return Err(AppError::from(error).into_response_json()),
                        }
                    }
                    None => return Err(refuse(StatusCode::BAD_REQUEST, "invalid_object")),
                },
            };
            let forum = match domain.store.forum_by_ap_id(signer.row.ap_id.as_str()).await {
                Ok(Some(forum)) => forum,
                Ok(None) => return Ok(Applied::Ignored),
                Err(error) => return Err(AppError::from(error).into_response_json()),
            };
            match domain.store.actor_by_ap_id(follower.as_str()).await {
                Ok(Some(local)) if local.is_local() => {
                    let applied = domain
                        .receive_accept(activity.id.as_str(), &forum, &local)
                        .await
                        .map_err(domain_refusal)?;
                    if applied == Applied::Applied {
                        // The forum's recent threads, so it is not empty
                        // here; in the background, bounded.
                        let data = data.reset_request_count();
                        tokio::spawn(async move {
                            match super::backfill::backfill_forum(&data, &forum).await {
                                Ok(0) => {}
                                Ok(stored) => {
                                    tracing::info!(forum = %forum.actor.ap_id, stored, "forum backfilled")
                                }
                                Err(error) => {
                                    tracing::info!(forum = %forum.actor.ap_id, %error, "forum backfill failed")
                                }
                            }
                        });
                    }
                    Ok(applied)
                }
                Ok(_) => Ok(Applied::Ignored),
                Err(error) => Err(AppError::from(error).into_response_json()),
            }
        }
        ActivityKind::Announce => {
            // A remote forum relays an activity (FEP-1b12); only forums
            // someone here follows are listened to.
            let forum = match domain.store.forum_by_ap_id(signer.row.ap_id.as_str()).await {
                Ok(Some(forum)) if !forum.actor.is_local() => forum,
                Ok(_) => return Ok(Applied::Ignored),
                Err(error) => return Err(AppError::from(error).into_response_json()),
            };
            match domain.store.has_local_follower(forum.actor.id).await {
                Ok(true) => {}
                Ok(false) => return Ok(Applied::Ignored),
                Err(error) => return Err(AppError::from(error).into_response_json()),
            }
            let Some(inner) = activity.inner_activity() else {
                return Ok(Applied::Ignored);
            };
            if data.config_is_local(&inner.actor) {
                // What a local teacher did is already applied here; a relay
                // never speaks for a local teacher.
                return Ok(Applied::Ignored);
            }
            if host_of(&inner.id) != host_of(&inner.actor) {
                return Err(refuse(StatusCode::FORBIDDEN, "activity_id_foreign"));
            }
            // A refused instance's activity does not get in relayed either.
            match domain
                .federation_refusal(&super::policy::host_of(&inner.actor))
                .await
            {
                Ok(None) => {}
                Ok(Some(_)) => return Ok(Applied::Ignored),
                Err(error) => return Err(domain_refusal(error)),
            }
            let actor = if inner.actor.as_str() == forum.actor.ap_id {
                signer.clone()
            } else {
                actor_row(data, &inner.actor).await?
            };
            let inner_raw = activity
                .embedded_object()
                .cloned()
                .unwrap_or_else(|| serde_json::to_value(&inner).unwrap_or_default());
            apply(data, &inner, &actor, &inner_raw, Some(&forum)).await
        }
        _ => apply(data, activity, signer, raw, None).await,
    }
}

/// A relayed `Delete` by the author of a post of another server than the
/// relay: the relay does not speak for that author, so the post must be
/// gone at its origin (moderators' removals are the forum's own word and
/// pass).
async fn confirm_deleted_at_origin(
    data: &Data<AppState>,
    object: &str,
    actor: &DbActor,
) -> Result<(), Response> {
    let stored = data
        .domain
        .known_post(object)
        .await
        .map_err(|error| AppError::from(error).into_response_json())?;
    if !stored.is_some_and(|post| post.author_id == actor.row.id) {
        return Ok(());
    }
    let Ok(url) = Url::parse(object) else {
        return Err(refuse(StatusCode::BAD_REQUEST, "invalid_object"));
    };
    match fetch_object_http::<AppState, Post>(&url, data).await {
        Ok(_) => Err(refuse(StatusCode::FORBIDDEN, "not_deleted_at_origin")),
        Err(_) => Ok(()),
    }
}

/// The remote forum and the local teacher a ban names (see
/// [`crate::domain::Domain::ban_parties`]).
async fn ban_parties(
    data: &Data<AppState>,
    block: &Activity,
) -> Result<
    Option<(
        crate::store::forums::ForumRow,
        crate::store::actors::ActorRow,
    )>,
    Response,
> {
    let (Some(target), Some(object)) = (block.target_id(), block.object_id()) else {
        return Ok(None);
    };
    data.domain
        .ban_parties(target.as_str(), object.as_str())
        .await
        .map_err(domain_refusal)
}

/// Applies a change to forum content, sent directly by `actor` or relayed
/// by `relaying_forum` (the post's remote forum, which vouches for it).
async fn apply(
    data: &Data<AppState>,
    activity: &Activity,
    actor: &DbActor,
    raw: &serde_json::Value,
    relaying_forum: Option<&crate::store::forums::ForumRow>,
) -> Result<Applied, Response> {
    use crate::domain::{forums::ThreadAction, inbox::Relay};
    let domain = &data.domain;
    let relay = match relaying_forum {
        Some(forum) => Relay::Forum(forum.actor.id),
        None => Relay::Direct,
    };
    // Who delivered the content: the relaying forum, or the actor itself.
    let sender = match relaying_forum {
        Some(forum) => Url::parse(&forum.actor.ap_id)
            .map_err(|_| refuse(StatusCode::BAD_REQUEST, "invalid_object"))?,
        None => activity.actor.clone(),
    };
    let object_id = || activity.object_id().map(|id| id.to_string());
    let invalid_object = || refuse(StatusCode::BAD_REQUEST, "invalid_object");
    let id = activity.id.as_str();
    if matches!(activity.kind, ActivityKind::Create | ActivityKind::Update)
        && activity
            .object_id()
            .is_some_and(|object| data.config_is_local(&object))
    {
        // Our own post relayed back by a remote forum: already stored.
        return Ok(Applied::Ignored);
    }
    let result = match &activity.kind {
        ActivityKind::Create => {
            // Content from the sender's (or relaying forum's) own server
            // is taken as delivered; anything else is fetched from its
            // origin.
            let (post, fetched) = post_of(data, &activity.object, &sender).await?;
            let forum = match relaying_forum {
                Some(forum) => forum.clone(),
                None => match domain.forum_for_post(&post).await {
                    Ok(Some(forum)) if forum.actor.is_local() => forum,
                    Ok(_) => return Ok(Applied::Ignored),
                    Err(error) => return Err(domain_refusal(error)),
                },
            };
            if relaying_forum.is_some() {
                // A reply to something this instance never saw (it followed
                // the forum late): fetch the missing ancestors first.
                if let Err(error) = super::backfill::ensure_ancestors(data, &forum, &post).await {
                    tracing::info!(%error, id = %post.id, "inbox: ancestors unavailable");
                }
            }
            domain
                .receive_post(
                    id,
                    &forum,
                    &actor.row,
                    &post,
                    raw,
                    provenance(&post, fetched, &sender),
                )
                .await
        }
        ActivityKind::Update => {
            if activity.parse_object::<Post>().is_err() {
                return Ok(Applied::Ignored);
            }
            // Sent directly, the signer vouches for its own post; relayed
            // by a forum, the new version is fetched from its origin unless
            // it lives on the forum's own server.
            let (post, fetched) = post_of(data, &activity.object, &sender).await?;
            domain
                .receive_update(
                    id,
                    &actor.row,
                    &post,
                    raw,
                    relay,
                    provenance(&post, fetched, &sender),
                )
                .await
        }
        ActivityKind::Delete => {
            let object = object_id().ok_or_else(invalid_object)?;
            if relaying_forum.is_some() && !same_origin(&activity.actor, &sender) {
                // A forum relays an author's deletion from another
                // server: believed only once the post is gone there.
                confirm_deleted_at_origin(data, &object, actor).await?;
            }
            let reason = activity
                .summary
                .clone()
                .or_else(|| activity.content.clone());
            domain
                .receive_delete(id, &actor.row, &object, reason.as_deref(), raw, relay)
                .await
        }
        ActivityKind::Like => {
            let object = object_id().ok_or_else(invalid_object)?;
            domain
                .receive_like(id, &actor.row, (&object, id, true), raw, relay)
                .await
        }
        ActivityKind::Lock => {
            let object = object_id().ok_or_else(invalid_object)?;
            domain
                .receive_thread_moderation(id, &actor.row, &object, ThreadAction::Lock, raw, relay)
                .await
        }
        ActivityKind::Add | ActivityKind::Remove => {
            let is_featured = activity
                .target_id()
                .is_some_and(|t| t.path().trim_end_matches('/').ends_with("featured"));
            if !is_featured {
                return Ok(Applied::Ignored);
            }
            let object = object_id().ok_or_else(invalid_object)?;
            let action = if activity.kind == ActivityKind::Add {
                ThreadAction::Pin
            } else {
                ThreadAction::Unpin
            };
            domain
                .receive_thread_moderation(id, &actor.row, &object, action, raw, relay)
                .await
        }
        ActivityKind::Undo => {
            let Some(inner) = activity.inner_activity() else {
                return Ok(Applied::Ignored);
            };
            if inner.actor != activity.actor {
                return Err(refuse(StatusCode::FORBIDDEN, "actor_mismatch"));
            }
            let Some(object) = inner.object_id().map(|o| o.to_string()) else {
                return Ok(Applied::Ignored);
            };
            match inner.kind {
                ActivityKind::Like => {
                    domain
                        .receive_like(
                            id,
                            &actor.row,
                            (&object, inner.id.as_str(), false),
                            raw,
                            relay,
                        )
                        .await
                }
                ActivityKind::Lock => {
                    domain
                        .receive_thread_moderation(
                            id,
                            &actor.row,
                            &object,
                            ThreadAction::Unlock,
                            raw,
                            relay,
                        )
                        .await
                }
                ActivityKind::Delete => {
                    domain
                        .receive_undelete(id, &actor.row, &object, raw, relay)
                        .await
                }
                ActivityKind::Block => {
                    let Some((forum, banned)) = ban_parties(data, &inner).await? else {
                        return Ok(Applied::Ignored);
                    };
                    domain
                        .receive_unban(id, &actor.row, &forum, &banned, relay)
                        .await
                }
                ActivityKind::Follow => {
                    let forum = match domain.store.forum_by_ap_id(&object).await {
                        Ok(Some(forum)) => forum,
                        Ok(None) => return Ok(Applied::Ignored),
                        Err(error) => return Err(AppError::from(error).into_response_json()),
                    };
                    domain.receive_unfollow(id, &forum, &actor.row).await
                }
                _ => return Ok(Applied::Ignored),
            }
        }
        ActivityKind::Block => {
            let Some((forum, banned)) = ban_parties(data, activity).await? else {
                return Ok(Applied::Ignored);
            };
            let reason = activity.summary.clone().unwrap_or_default();
            let expires_at = raw
                .get("endTime")
                .or_else(|| raw.get("expires"))
                .and_then(serde_json::Value::as_str)
                .and_then(|t| chrono::DateTime::parse_from_rfc3339(t).ok())
                .map(|t| t.timestamp_millis());
            domain
                .receive_ban(id, &actor.row, &forum, &banned, &reason, expires_at, relay)
                .await
        }
        ActivityKind::Flag => {
            let objects: Vec<String> = activity
                .objects()
                .into_iter()
                .map(|o| o.to_string())
                .collect();
            let reason = activity
                .content
                .clone()
                .or_else(|| activity.summary.clone())
                .unwrap_or_default();
            domain.receive_flag(id, &actor.row, &objects, &reason).await
        }
        _ => return Ok(Applied::Ignored),
    };
    result.map_err(domain_refusal)
}
