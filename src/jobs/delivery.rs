//! Delivery workers: sign and send queued activities, retry with
//! exponential backoff over days, skip dead peers without blocking others.
//!
//! The loop claims due rows from the store with a lease, sends each with
//! activitypub_federation's `SendActivityTask` (whose own queue is memory
//! only and would lose work on restart), and records the outcome. Global
//! and per-peer concurrency are bounded by semaphores.

use crate::{
    app::AppState,
    apub::actors::DbActor,
    config::DeliverySettings,
    store::{delivery::DueDelivery, now_ms},
};
use activitypub_federation::{
    activity_sending::SendActivityTask,
    config::{Data, FederationConfig},
    traits::Activity,
};
use serde::Serialize;
use std::{
    collections::HashMap,
    sync::{Arc, Mutex},
    time::Duration,
};
use tokio::sync::{Notify, Semaphore};
use url::Url;

/// A stored activity as activitypub_federation wants it: the exact JSON
/// that was written to the outbox, with its id and actor.
#[derive(Debug)]
pub struct StoredActivity {
    id: Url,
    actor: Url,
    body: serde_json::Value,
}

impl Serialize for StoredActivity {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.body.serialize(serializer)
    }
}

#[async_trait::async_trait]
impl Activity for StoredActivity {
    type DataType = AppState;
    type Error = activitypub_federation::error::Error;

    fn id(&self) -> &Url {
        &self.id
    }

    fn actor(&self) -> &Url {
        &self.actor
    }

    async fn verify(&self, _data: &Data<AppState>) -> Result<(), Self::Error> {
        // Only ever sent, never received through the library.
        Err(activitypub_federation::error::Error::Other(
            "outgoing only".into(),
        ))
    }

    async fn receive(self, _data: &Data<AppState>) -> Result<(), Self::Error> {
        Err(activitypub_federation::error::Error::Other(
            "outgoing only".into(),
        ))
    }
}

/// Wakes the workers when something is queued, so deliveries start at
/// once instead of at the next poll.
#[derive(Clone, Default)]
pub struct DeliveryWaker(Arc<Notify>);

impl DeliveryWaker {
    /// Signals new work.
    pub fn wake(&self) {
        self.0.notify_one();
    }
}

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
        loop {
            let available = limits.global.available_permits() as i64;
            let claimed = if available > 0 {
                match config
                    .domain
                    .store
                    .claim_deliveries(available, settings.lease_ms as i64)
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
            for delivery in claimed {
                let Ok(global) = limits.global.clone().acquire_owned().await else {
                    return;
                };
                let peer = limits.peer(&delivery.host);
                let data = config.to_request_data();
                let settings = settings.clone();
                let done = waker.clone();
                tokio::spawn(async move {
                    {
                        let _global = global;
                        let Ok(_peer) = peer.acquire_owned().await else {
                            return;
                        };
                        if let Err(error) = deliver(&data, &settings, delivery).await {
                            tracing::warn!(%error, "delivery bookkeeping failed");
                        }
                    }
                    // A worker is free: look at the queue again at once.
                    done.wake();
                });
            }
            if idle {
                let wait = match config.domain.store.next_delivery_due().await {
                    Ok(Some(at)) => (at - now_ms()).clamp(10, settings.poll_ms as i64),
                    _ => settings.poll_ms as i64,
                };
                let _ =
                    tokio::time::timeout(Duration::from_millis(wait as u64), waker.0.notified())
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
    delivery: DueDelivery,
) -> Result<(), crate::store::StoreError> {
    let store = &data.domain.store;
    let now = now_ms();
    if now - delivery.created_at > settings.give_up_after_hours as i64 * 3_600_000 {
        return store.fail_delivery(delivery.id, "retry window over").await;
    }
    // A peer marked unreachable is only tried when its probe is due.
    if let Some(peer) = store.peer(&delivery.host).await? {
        if let (Some(_), Some(probe_at)) = (peer.unreachable_since, peer.next_probe_at) {
            if probe_at > now {
                return store.postpone_delivery(delivery.id, probe_at).await;
            }
        }
    }
    let outcome = send(data, &delivery).await;
    match outcome {
        Ok(()) => {
            store.peer_succeeded(&delivery.host).await?;
            store.finish_delivery(delivery.id, None).await
        }
        Err(SendError::Refused) => {
            tracing::warn!(inbox = %delivery.inbox, "inbox URL refused by the federation policy; delivery given up");
            store
                .fail_delivery(delivery.id, "inbox URL refused by the federation policy")
                .await
        }
        Err(SendError::Failed(error)) => {
            let message: String = error.chars().take(500).collect();
            let probe_delay = backoff(
                0,
                settings.probe_interval_ms as i64,
                settings.probe_interval_ms as i64,
            );
            let peer = store
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
            store.retry_delivery(delivery.id, next, &message).await
        }
    }
}

/// Why a delivery did not go through.
enum SendError {
    /// Our own policy refused the inbox URL: final.
    Refused,
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

/// Signs and sends one delivery. `Ok` covers success and the peer's final
/// refusals (4xx other than 408/429), as activitypub_federation decides.
async fn send(data: &Data<AppState>, delivery: &DueDelivery) -> Result<(), SendError> {
    let body: serde_json::Value =
        serde_json::from_str(&delivery.body).map_err(|e| e.to_string())?;
    let inbox = Url::parse(&delivery.inbox).map_err(|e| e.to_string())?;
    let row = data
        .domain
        .store
        .actor_by_id(delivery.actor_id)
        .await
        .map_err(|e| e.to_string())?
        .ok_or("signing actor vanished")?;
    let actor = DbActor::new(row, None).map_err(|e| e.to_string())?;
    let activity = StoredActivity {
        id: Url::parse(&delivery.activity_ap_id).map_err(|e| e.to_string())?,
        actor: actor.id.clone(),
        body,
    };
    let tasks = SendActivityTask::prepare(&activity, &actor, vec![inbox], data)
        .await
        .map_err(|e| e.to_string())?;
    if tasks.is_empty() {
        // The library refused the inbox URL (a local URL, an IP literal,
        // a private address…): retrying would not help.
        return Err(SendError::Refused);
    }
    for task in tasks {
        task.sign_and_send(data).await.map_err(|e| e.to_string())?;
    }
    Ok(())
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
