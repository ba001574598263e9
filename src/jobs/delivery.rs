//! Delivery workers: sign and send queued activities, retry with
//! exponential backoff over days, skip dead peers without blocking others.
//!
//! The loop claims due rows from the store with a lease, signs and sends
//! each itself (activitypub_federation's queue is memory only and would lose
//! work on restart; its signer is unblinded and parses keys apart from
//! ours), and records the outcome. Global and per-peer concurrency are
//! bounded by semaphores.

use crate::{
    app::AppState,
    apub::actors::DbActor,
    config::DeliverySettings,
    domain::{
        outbox::deliveries::{Deliveries, DueDelivery, PeerRow},
        DomainError,
    },
};
use activitypub_federation::config::{Data, FederationConfig};
use std::{
    collections::HashMap,
    sync::{Arc, Mutex},
    time::Duration,
};
use tokio::sync::Semaphore;
use url::Url;

/// Wakes the workers when something is queued, so deliveries start at
/// once instead of at the next poll; the domain signals it after commits.
pub use crate::domain::outbox::DeliverySignal as DeliveryWaker;

/// The delay before attempt `attempts + 1`: one `base` doubled per
/// failure, at most `cap`.
pub fn backoff(attempts: i64, base_ms: i64, cap_ms: i64) -> i64 {
    let shift = attempts.clamp(0, 30) as u32;
    base_ms.saturating_mul(1_i64 << shift).min(cap_ms)
}

struct Limits {
    global: Arc<Semaphore>,
    per_peer: Mutex<HashMap<String, Arc<Semaphore>>>,
    per_peer_count: usize,
}

impl Limits {
    fn peer(&self, host: &str) -> Arc<Semaphore> {
        let mut map = self
            .per_peer
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        map.entry(host.to_string())
            .or_insert_with(|| Arc::new(Semaphore::new(self.per_peer_count)))
            .clone()
    }

    /// Hosts with every permit taken: claiming more for them would only
    /// make workers wait.
    fn saturated(&self) -> Vec<String> {
        let mut map = self
            .per_peer
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        // Forget idle hosts so the map stays small.
        map.retain(|_, semaphore| {
            Arc::strong_count(semaphore) > 1 || semaphore.available_permits() < self.per_peer_count
        });
        map.iter()
            .filter(|(_, semaphore)| semaphore.available_permits() == 0)
            .map(|(host, _)| host.clone())
            .collect()
    }
}

/// What the deliveries of one claim share: the signing actors, the parsed
/// bodies and the health of their peers, each read once.
#[derive(Default)]
struct Batch {
    actors: HashMap<i64, Option<Arc<DbActor>>>,
    bodies: HashMap<i64, Option<Arc<serde_json::Value>>>,
    peers: HashMap<String, PeerRow>,
}

impl Batch {
    async fn load(queue: &Deliveries<'_>, claimed: &[DueDelivery]) -> Result<Batch, DomainError> {
        let mut batch = Batch::default();
        for delivery in claimed {
            let activity = &delivery.activity;
            if let std::collections::hash_map::Entry::Vacant(entry) =
                batch.actors.entry(activity.actor_id.0)
            {
                let actor = queue
                    .signer(activity.actor_id)
                    .await?
                    .and_then(|row| DbActor::new(row, None).ok())
                    .map(Arc::new);
                entry.insert(actor);
            }
            batch
                .bodies
                .entry(activity.row)
                .or_insert_with(|| serde_json::from_str(&activity.body).ok().map(Arc::new));
        }
        let mut hosts: Vec<&str> = claimed.iter().map(|d| d.host.as_str()).collect();
        hosts.sort_unstable();
        hosts.dedup();
        for chunk in hosts.chunks(200) {
            for peer in queue.peers(chunk).await? {
                batch.peers.insert(peer.host.clone(), peer);
            }
        }
        Ok(batch)
    }
}

/// One claimed delivery with what it needs.
struct Job {
    delivery: DueDelivery,
    actor: Option<Arc<DbActor>>,
    body: Option<Arc<serde_json::Value>>,
    peer: Option<PeerRow>,
}

/// Runs the delivery loop until the task is aborted.
pub fn spawn_delivery_workers(
    config: FederationConfig<AppState>,
    waker: DeliveryWaker,
) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let settings = config.domain.settings.delivery.clone();
        let limits = Arc::new(Limits {
            global: Arc::new(Semaphore::new(settings.workers.max(1) as usize)),
            per_peer: Mutex::new(HashMap::new()),
            per_peer_count: settings.per_peer.max(1) as usize,
        });
        let domain = config.domain.clone();
        let queue = domain.deliveries();
        loop {
            let available = limits.global.available_permits() as i64;
            let claimed = if available > 0 {
                let skip = limits.saturated();
                match queue
                    .claim(
                        available,
                        limits.per_peer_count as i64,
                        &skip,
                        settings.lease_ms as i64,
                    )
                    .await
                {
                    Ok(claimed) => claimed,
                    Err(error) => {
                        tracing::warn!(%error, "claiming deliveries failed");
                        Vec::new()
                    }
                }
            } else {
                Vec::new()
            };
            let idle = claimed.is_empty();
            let mut batch = match Batch::load(&queue, &claimed).await {
                Ok(batch) => batch,
                Err(error) => {
                    // The leases run out and the rows are claimed again.
                    tracing::warn!(%error, "reading claimed deliveries failed");
                    continue;
                }
            };
            for delivery in claimed {
                let Ok(global) = limits.global.clone().acquire_owned().await else {
                    return;
                };
                let peer = limits.peer(&delivery.host);
                let job = Job {
                    actor: batch
                        .actors
                        .get(&delivery.activity.actor_id.0)
                        .cloned()
                        .flatten(),
                    body: batch.bodies.get(&delivery.activity.row).cloned().flatten(),
                    peer: batch.peers.remove(&delivery.host),
                    delivery,
                };
                let data = config.to_request_data();
                let settings = settings.clone();
                let done = waker.clone();
                tokio::spawn(async move {
                    {
                        let _global = global;
                        let Ok(_peer) = peer.acquire_owned().await else {
                            return;
                        };
                        if let Err(error) = deliver(&data, &settings, job).await {
                            tracing::warn!(%error, "delivery bookkeeping failed");
                        }
                    }
                    // A worker is free: look at the queue again at once.
                    done.wake();
                });
            }
            if idle {
                let wait = match queue.next_due().await {
                    Ok(Some(at)) => {
                        (at - domain.clock().now_ms()).clamp(10, settings.poll_ms as i64)
                    }
                    _ => settings.poll_ms as i64,
                };
                let _ = tokio::time::timeout(Duration::from_millis(wait as u64), waker.notified())
                    .await;
            } else {
                tokio::task::yield_now().await;
            }
        }
    })
}

async fn deliver(
    data: &Data<AppState>,
    settings: &DeliverySettings,
    job: Job,
) -> Result<(), DomainError> {
    let queue = &data.domain.deliveries();
    let delivery = &job.delivery;
    // The instance's clock, which tests move: what is overdue (the retry
    // window, a probe) and when the next attempt falls due.
    let now = data.domain.clock().now_ms();
    if now - delivery.activity.created_at > settings.give_up_after_hours as i64 * 3_600_000 {
        return queue.fail(delivery.id, "retry window over").await;
    }
    // A peer marked unreachable is only tried when its probe is due. The
    // state was read when the delivery was claimed; only a peer that
    // failed before has a row.
    if let Some(peer) = &job.peer {
        if let (Some(_), Some(probe_at)) = (peer.unreachable_since, peer.next_probe_at) {
            if probe_at > now {
                return queue.postpone(delivery.id, probe_at).await;
            }
        }
    }
    let outcome = send(data, &job).await;
    match outcome {
        Ok(()) => {
            recovered(queue, &job).await?;
            queue.finish(delivery.id, None).await
        }
        Err(SendError::PeerRefused(status, answer)) => {
            // The peer answered, so it is up; it will never take this one.
            tracing::info!(inbox = %delivery.inbox, status, "delivery refused by the peer, not retried");
            recovered(queue, &job).await?;
            // A post refused by its forum's or project's host shows as
            // refused to its author.
            if let Err(error) = data
                .domain
                .delivery_refused(&delivery.activity.body, &delivery.host, status, &answer)
                .await
            {
                tracing::warn!(%error, "could not record a refused post");
            }
            queue
                .finish(
                    delivery.id,
                    Some(&format!("refused by the peer: HTTP {status}")),
                )
                .await
        }
        Err(SendError::Refused) => {
            tracing::warn!(inbox = %delivery.inbox, "inbox URL refused by the federation policy; delivery given up");
            queue
                .fail(delivery.id, "inbox URL refused by the federation policy")
                .await
        }
        Err(SendError::Failed(error)) => {
            let message: String = error.chars().take(500).collect();
            let probe_delay = backoff(
                0,
                settings.probe_interval_ms as i64,
                settings.probe_interval_ms as i64,
            );
            let peer = queue
                .peer_failed(
                    &delivery.host,
                    settings.unreachable_after as i64,
                    now + probe_delay,
                )
                .await?;
            let mut next = now
                + backoff(
                    delivery.attempts,
                    settings.retry_base_ms as i64,
                    settings.retry_cap_ms as i64,
                );
            if let (Some(_), Some(probe_at)) = (peer.unreachable_since, peer.next_probe_at) {
                next = next.max(probe_at);
            }
            tracing::info!(inbox = %delivery.inbox, attempts = delivery.attempts + 1, error = %message, "delivery failed, will retry");
            queue.retry(delivery.id, next, &message).await
        }
    }
}

/// The peer answered: if it had failed before, it is healthy again.
async fn recovered(queue: &Deliveries<'_>, job: &Job) -> Result<(), DomainError> {
    match &job.peer {
        Some(peer) => {
            queue
                .peer_succeeded(&job.delivery.host, peer.unreachable_since.is_some())
                .await
        }
        None => Ok(()),
    }
}

/// Why a delivery did not go through.
enum SendError {
    /// Our own policy refused the inbox URL: final.
    Refused,
    /// The peer answered with a final refusal (4xx other than 408, 429),
    /// with the start of its answer (its reason).
    PeerRefused(u16, String),
    /// The attempt failed (network, 5xx, 408, 429…): retried.
    Failed(String),
}

impl From<String> for SendError {
    fn from(error: String) -> Self {
        SendError::Failed(error)
    }
}

impl From<&str> for SendError {
    fn from(error: &str) -> Self {
        SendError::Failed(error.to_string())
    }
}

/// Signs and sends one delivery: the stored activity JSON, POSTed to the
/// inbox with the signing actor's draft-cavage signature (the one signing
/// path, [`crate::apub::signing`]: key parsed once, blinded RSA), through the
/// instance's HTTP client.
///
/// The outcome is the one Mastodon gives a delivery: 2xx is done; a 4xx
/// other than 408 and 429 is a final refusal by the peer; anything else
/// (network, 5xx, 408, 429) is retried. An inbox that the federation policy
/// or the URL checks refuse is never contacted.
async fn send(data: &Data<AppState>, job: &Job) -> Result<(), SendError> {
    let delivery = &job.delivery;
    if job.body.is_none() {
        return Err("stored activity is not JSON".into());
    }
    let actor = job.actor.clone().ok_or("signing actor vanished")?;
    let inbox = Url::parse(&delivery.inbox).map_err(|e| e.to_string())?;
    match crate::apub::policy::delivery_refusal(&data.domain, &inbox).await {
        Ok(None) => {}
        Ok(Some(reason)) => {
            tracing::debug!(inbox = %inbox, reason, "inbox not contacted");
            return Err(SendError::Refused);
        }
        // The policy could not be read (database): try again later.
        Err(error) => return Err(format!("federation policy unavailable: {error}").into()),
    }
    let private_key = actor
        .row
        .private_key_pem
        .as_deref()
        .ok_or("the signing actor has no private key")?;
    let signer = data
        .signers
        .signer_for(actor.id.as_str(), private_key)
        .map_err(|e| e.to_string())?;
    let mut headers = axum::http::HeaderMap::new();
    headers.insert(
        axum::http::header::CONTENT_TYPE,
        axum::http::HeaderValue::from_static(preau_federation::ACTIVITY_JSON),
    );
    let body = delivery.activity.body.clone().into_bytes();
    let (headers, body) = crate::apub::signing::sign_off_thread(
        signer,
        axum::http::Method::POST,
        &inbox,
        headers,
        Some(body),
    )
    .await
    .map_err(|e| e.to_string())?;
    let mut response = data
        .http
        .post(inbox.as_str())
        .headers(headers)
        .body(body.unwrap_or_default())
        .send()
        .await
        .map_err(|e| e.to_string())?;
    let status = response.status();
    if status.is_success() {
        return Ok(());
    }
    // The start of the peer's answer says why; the rest is not read.
    let mut excerpt = Vec::new();
    while excerpt.len() < 1024 {
        match response.chunk().await {
            Ok(Some(chunk)) => excerpt.extend_from_slice(&chunk),
            _ => break,
        }
    }
    excerpt.truncate(1024);
    if status.is_client_error()
        && status != reqwest::StatusCode::REQUEST_TIMEOUT
        && status != reqwest::StatusCode::TOO_MANY_REQUESTS
    {
        return Err(SendError::PeerRefused(
            status.as_u16(),
            String::from_utf8_lossy(&excerpt).into_owned(),
        ));
    }
    Err(format!(
        "Activity {} to {inbox} failure with status {status}: {}",
        delivery.activity.ap_id,
        String::from_utf8_lossy(&excerpt)
    )
    .into())
}

#[cfg(test)]
mod tests {
    use super::backoff;

    #[test]
    fn backoff_doubles_and_is_capped_and_spans_two_days() {
        let base = 60_000;
        let cap = 12 * 3_600_000;
        assert_eq!(backoff(0, base, cap), 60_000);
        assert_eq!(backoff(1, base, cap), 120_000);
        assert_eq!(backoff(40, base, cap), cap);
        let total: i64 = (0..14).map(|n| backoff(n, base, cap)).sum();
        assert!(total >= 2 * 24 * 3_600_000, "14 attempts span {total} ms");
    }
}
