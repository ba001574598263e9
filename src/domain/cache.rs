//! Small in-memory caches of page data, valid while the store's content
//! version is the one they were built at (see `store::content_version`).
//! A write anywhere makes every entry stale, so a cached page is never
//! older than the last committed change; the gain is on pages read far
//! more often than anything is written.

use crate::domain::store::content_version;
use std::{
    collections::HashMap,
    hash::Hash,
    sync::{Arc, Mutex},
    time::{Duration, Instant},
};

/// Entries keyed by `K`, each tagged with the content version it was built
/// at and used for at most `max_age` (several processes may share one
/// PostgreSQL database: a write by another process is not counted in this
/// one's version, so it shows after `max_age` at the latest); at most
/// `capacity` are kept.
pub struct VersionedCache<K, V> {
    entries: Mutex<HashMap<K, Entry<V>>>,
    capacity: usize,
    max_age: Duration,
}

/// An entry: the content version it was built at, when, and the value.
type Entry<V> = (u64, Instant, Arc<V>);

impl<K: Eq + Hash, V> VersionedCache<K, V> {
    /// An empty cache holding at most `capacity` entries, each used for
    /// at most `max_age`.
    pub fn new(capacity: usize, max_age: Duration) -> Self {
        VersionedCache {
            entries: Mutex::new(HashMap::new()),
            capacity: capacity.max(1),
            max_age,
        }
    }

    /// The entry for `key`, if it was built at the current version.
    pub fn get(&self, key: &K) -> Option<Arc<V>> {
        let version = content_version();
        let entries = self.entries.lock().unwrap_or_else(|p| p.into_inner());
        entries
            .get(key)
            .filter(|(built_at, at, _)| *built_at == version && at.elapsed() < self.max_age)
            .map(|(_, _, value)| value.clone())
    }

    /// Stores `value`, built from data read after `version` was taken.
    /// When full, stale entries go first, then everything.
    pub fn insert(&self, key: K, version: u64, value: Arc<V>) {
        let mut entries = self.entries.lock().unwrap_or_else(|p| p.into_inner());
        if entries.len() >= self.capacity {
            let current = content_version();
            let max_age = self.max_age;
            entries.retain(|_, (built_at, at, _)| *built_at == current && at.elapsed() < max_age);
            if entries.len() >= self.capacity {
                entries.clear();
            }
        }
        entries.insert(key, (version, Instant::now(), value));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_entry_is_served_until_content_changes() {
        let cache: VersionedCache<u32, &str> = VersionedCache::new(4, Duration::from_secs(60));
        let version = content_version();
        cache.insert(1, version, Arc::new("page"));
        // Other tests may write concurrently: only check when untouched.
        if content_version() == version {
            assert_eq!(cache.get(&1).as_deref(), Some(&"page"));
        }
        crate::domain::store::content_changed();
        assert!(cache.get(&1).is_none(), "stale after a write");
    }

    #[test]
    fn a_full_cache_makes_room() {
        let cache: VersionedCache<u32, u32> = VersionedCache::new(2, Duration::from_secs(60));
        let version = content_version();
        for key in 0..5 {
            cache.insert(key, version, Arc::new(key));
        }
        let entries = cache.entries.lock().unwrap();
        assert!(entries.len() <= 2);
        assert!(entries.contains_key(&4));
    }

    #[test]
    fn an_entry_is_not_used_after_its_age() {
        let cache: VersionedCache<u32, u32> = VersionedCache::new(2, Duration::from_millis(20));
        cache.insert(1, content_version(), Arc::new(1));
        std::thread::sleep(Duration::from_millis(30));
        assert!(cache.get(&1).is_none());
    }
}
