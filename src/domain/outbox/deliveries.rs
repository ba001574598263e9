//! The delivery queue as the delivery workers see it: claim due
//! deliveries, record each outcome, keep the health of peers, and the
//! other periodic upkeep the workers run. The workers (`src/jobs`) reach
//! the store only through here ([`crate::domain::upkeep`] holds the
//! other periodic work).

use crate::{
    domain::store::{actors::ActorRow, Store},
    domain::{Domain, DomainResult},
};

pub use crate::domain::store::delivery::{DueDelivery, PeerRow};

/// The delivery queue of one instance.
pub struct Deliveries<'a> {
    store: &'a Store,
}

impl Domain {
    /// The delivery queue, for the delivery workers.
    pub fn deliveries(&self) -> Deliveries<'_> {
        Deliveries { store: &self.store }
    }

    /// Runs delivery to completion: wakes the delivery workers and waits,
    /// at most `bound`, until no delivery is due or being attempted (each
    /// is done, refused, failed, or waiting for a later retry). Returns
    /// whether the queue got there in time.
    pub async fn deliver_queued(&self, bound: std::time::Duration) -> DomainResult<bool> {
        let deadline = tokio::time::Instant::now() + bound;
        loop {
            self.delivery_waker.wake();
            if self.store.deliveries_due(self.clock().now_ms()).await? == 0 {
                return Ok(true);
            }
            if tokio::time::Instant::now() >= deadline {
                return Ok(false);
            }
            tokio::time::sleep(std::time::Duration::from_millis(10)).await;
        }
    }
}

impl Deliveries<'_> {
    /// Claims up to `limit` due deliveries for `lease_ms`, at most
    /// `per_host` for one host and none for the hosts in `skip`.
    pub async fn claim(
        &self,
        limit: i64,
        per_host: i64,
        skip: &[String],
        lease_ms: i64,
    ) -> DomainResult<Vec<DueDelivery>> {
        Ok(self
            .store
            .claim_deliveries(limit, per_host, skip, lease_ms)
            .await?)
    }

    /// The local actor that signs a queued activity.
    pub async fn signer(
        &self,
        id: crate::domain::store::actors::ActorId,
    ) -> DomainResult<Option<ActorRow>> {
        Ok(self.store.actor_by_id(id).await?)
    }

    /// The recorded health of these peers (only peers that failed have a row).
    pub async fn peers(&self, hosts: &[&str]) -> DomainResult<Vec<PeerRow>> {
        Ok(self.store.peers(hosts).await?)
    }

    /// When the next delivery is due, if any is queued.
    pub async fn next_due(&self) -> DomainResult<Option<i64>> {
        Ok(self.store.next_delivery_due().await?)
    }

    /// A delivery is done (sent, or refused for good by the peer).
    pub async fn finish(&self, id: i64, refusal: Option<&str>) -> DomainResult<()> {
        Ok(self.store.finish_delivery(id, refusal).await?)
    }

    /// A delivery failed; the next attempt is at `next_attempt_at`.
    pub async fn retry(&self, id: i64, next_attempt_at: i64, error: &str) -> DomainResult<()> {
        Ok(self
            .store
            .retry_delivery(id, next_attempt_at, error)
            .await?)
    }

    /// A delivery waits for its peer's next probe.
    pub async fn postpone(&self, id: i64, next_attempt_at: i64) -> DomainResult<()> {
        Ok(self.store.postpone_delivery(id, next_attempt_at).await?)
    }

    /// A delivery is given up.
    pub async fn fail(&self, id: i64, error: &str) -> DomainResult<()> {
        Ok(self.store.fail_delivery(id, error).await?)
    }

    /// A peer failed; unreachable after `threshold` failures in a row,
    /// then probed at `next_probe_at`. Returns its state after the update.
    pub async fn peer_failed(
        &self,
        host: &str,
        threshold: i64,
        next_probe_at: i64,
    ) -> DomainResult<PeerRow> {
        Ok(self
            .store
            .peer_failed(host, threshold, next_probe_at)
            .await?)
    }

    /// A peer answered: it is healthy again.
    pub async fn peer_succeeded(&self, host: &str, was_unreachable: bool) -> DomainResult<()> {
        Ok(self.store.peer_succeeded(host, was_unreachable).await?)
    }
}
