//! The clock an instance reads the time from.
//!
//! Production reads the system clock ([`Clock::system`]). Tests start an
//! instance with [`Clock::adjustable`] and move it forward
//! ([`Clock::advance`]) to reach an attestation's expiry or a retry's due
//! time without waiting for it. What the clock governs: trust labels and
//! the attestation checks (expiry, re-check), delivery backoff and peer
//! health, and the lifetimes given to sessions and tokens.

use std::sync::{
    atomic::{AtomicI64, Ordering},
    Arc,
};

/// Wall-clock time for one instance. Cheap to clone; clones share the time.
#[derive(Clone, Debug, Default)]
pub struct Clock {
    /// How far this clock is ahead of the system clock, in milliseconds;
    /// `None` for the system clock, which cannot be moved.
    offset_ms: Option<Arc<AtomicI64>>,
}

impl Clock {
    /// The system clock.
    pub fn system() -> Clock {
        Clock { offset_ms: None }
    }

    /// A clock that starts at the system time and can be moved forward
    /// (tests).
    pub fn adjustable() -> Clock {
        Clock {
            offset_ms: Some(Arc::new(AtomicI64::new(0))),
        }
    }

    /// Whether [`Clock::advance`] moves this clock.
    pub fn is_adjustable(&self) -> bool {
        self.offset_ms.is_some()
    }

    /// Moves an adjustable clock forward by `by`; returns whether it moved
    /// (the system clock never does).
    pub fn advance(&self, by: std::time::Duration) -> bool {
        match &self.offset_ms {
            Some(offset) => {
                let by = i64::try_from(by.as_millis()).unwrap_or(i64::MAX);
                offset.fetch_add(by, Ordering::SeqCst);
                true
            }
            None => false,
        }
    }

    fn offset(&self) -> i64 {
        self.offset_ms
            .as_ref()
            .map_or(0, |offset| offset.load(Ordering::SeqCst))
    }

    /// Milliseconds since the Unix epoch.
    pub fn now_ms(&self) -> i64 {
        system_ms().saturating_add(self.offset())
    }

    /// The current time as a date.
    pub fn now(&self) -> chrono::DateTime<chrono::Utc> {
        chrono::Utc::now() + chrono::TimeDelta::milliseconds(self.offset())
    }
}

/// Milliseconds since the Unix epoch on the system clock: the one place
/// that reads it (everything else asks an instance's [`Clock`]).
fn system_ms() -> i64 {
    chrono::Utc::now().timestamp_millis()
}

#[cfg(test)]
mod tests {
    use super::Clock;
    use std::time::Duration;

    #[test]
    fn the_system_clock_does_not_move_and_an_adjustable_one_does() {
        let system = Clock::system();
        assert!(!system.advance(Duration::from_secs(3600)));
        assert!((system.now_ms() - super::system_ms()).abs() < 1_000);
        let clock = Clock::adjustable();
        let shared = clock.clone();
        assert!(clock.advance(Duration::from_secs(3600)));
        let ahead = shared.now_ms() - super::system_ms();
        assert!((3_599_000..3_601_000).contains(&ahead), "{ahead}");
        let ahead = (shared.now() - chrono::Utc::now()).num_seconds();
        assert!((3_599..=3_600).contains(&ahead), "{ahead}");
    }
}
