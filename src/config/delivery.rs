//! The `[delivery]` section: workers, retries, giving up, leases, and
//! its checks.

use super::{ConfigError, Settings};
use serde::Deserialize;

/// `[delivery]`
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct DeliverySettings {
    /// Deliveries in flight at once, all peers together.
    pub workers: u32,
    /// Deliveries in flight at once to one peer host.
    pub per_peer: u32,
    /// Delay before the first retry; doubled after each failure.
    pub retry_base_ms: u64,
    /// Longest delay between two attempts.
    pub retry_cap_ms: u64,
    /// A delivery still failing this long after it was queued is given up.
    pub give_up_after_hours: u64,
    /// Consecutive failures after which a peer counts as unreachable.
    pub unreachable_after: u32,
    /// How often an unreachable peer is probed.
    pub probe_interval_ms: u64,
    /// Longest wait between two looks at the queue when idle.
    pub poll_ms: u64,
    /// How long a claimed delivery stays reserved for its worker; after a
    /// crash, unfinished deliveries are taken up again once it has passed.
    pub lease_ms: u64,
}

impl Default for DeliverySettings {
    fn default() -> Self {
        DeliverySettings {
            workers: 128,
            per_peer: 8,
            retry_base_ms: 60_000,
            retry_cap_ms: 12 * 3_600_000,
            give_up_after_hours: 72,
            unreachable_after: 5,
            probe_interval_ms: 600_000,
            poll_ms: 1_000,
            lease_ms: 60_000,
        }
    }
}

impl Settings {
    /// Checks `[delivery]`: at least one worker, positive delays, peers
    /// given two days.
    pub(super) fn check_delivery(&self) -> Result<(), ConfigError> {
        let delivery = &self.delivery;
        if delivery.workers == 0
            || delivery.per_peer == 0
            || delivery.retry_base_ms == 0
            || delivery.poll_ms == 0
            || delivery.lease_ms < 1_000
        {
            return Err(ConfigError::Inconsistent(
                "delivery.workers, per_peer, retry_base_ms and poll_ms must be at least 1, lease_ms at least 1000"
                    .to_string(),
            ));
        }
        if delivery.give_up_after_hours < 48 {
            return Err(ConfigError::Inconsistent(
                "delivery.give_up_after_hours must be at least 48: peers get two days to come back"
                    .to_string(),
            ));
        }
        Ok(())
    }
}
