//! Small in-memory caches of page data, valid while the store's content
//! version is the one they were built at (see `store::content_version`).
//! A write anywhere makes every entry stale, so a cached page is never
//! older than the last committed change; the gain is on pages read far
//! more often than anything is written.
//!
//! [`VersionedCache::get_or_build`] also serves pages read while writes
//! keep coming (a thread read by many while replies are added): a reader
//! takes any entry built from data read after it arrived, and when there
//! is none, one reader builds while the others for the same key wait for
//! that build instead of all querying the store at once.

use crate::domain::store::{content_changed, content_version};
use std::{
    collections::HashMap,
    future::Future,
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
    /// One build at a time per key (see [`VersionedCache::get_or_build`]);
    /// a key's lock is dropped when its last user is done.
    builds: Mutex<HashMap<K, Arc<tokio::sync::Mutex<()>>>>,
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
            builds: Mutex::new(HashMap::new()),
            capacity: capacity.max(1),
            max_age,
        }
    }

    /// The entry for `key`, if it was built at the current version.
    pub fn get(&self, key: &K) -> Option<Arc<V>> {
        self.get_since(key, content_version())
    }

    /// The entry for `key`, if it was built from data read after the
    /// content version was `version` (so it shows every change committed
    /// before then).
    fn get_since(&self, key: &K, version: u64) -> Option<Arc<V>> {
        let entries = self.entries.lock().unwrap_or_else(|p| p.into_inner());
        entries
            .get(key)
            .filter(|(built_at, at, _)| *built_at >= version && at.elapsed() < self.max_age)
            .map(|(_, _, value)| value.clone())
    }

    /// The entry for `key` if one was built after this call started,
    /// otherwise what `build` returns (stored when `Some`). Concurrent
    /// callers for one key wait for the build under way and use its result
    /// when it was started after they arrived; so under a steady stream of
    /// writes a key is rebuilt at most once per write, not once per reader.
    pub async fn get_or_build<E, Fut>(
        &self,
        key: K,
        build: impl FnOnce() -> Fut,
    ) -> Result<Option<Arc<V>>, E>
    where
        K: Clone,
        Fut: Future<Output = Result<Option<V>, E>>,
    {
        let arrival = content_version();
        if let Some(hit) = self.get_since(&key, arrival) {
            return Ok(Some(hit));
        }
        let lock = self.build_lock(&key);
        let result = {
            let _turn = lock.lock().await;
            match self.get_since(&key, arrival) {
                Some(hit) => Ok(Some(hit)),
                None => {
                    // Taken before reading: a write during the build leaves
                    // the entry older than the readers arriving after it.
                    let version = content_version();
                    match build().await {
                        Ok(Some(value)) => {
                            let value = Arc::new(value);
                            self.insert(key.clone(), version, value.clone());
                            Ok(Some(value))
                        }
                        Ok(None) => Ok(None),
                        Err(error) => Err(error),
                    }
                }
            }
        };
        self.release_build_lock(&key, lock);
        result
    }

    /// The lock taken to build `key` (see [`Self::get_or_build`]).
    fn build_lock(&self, key: &K) -> Arc<tokio::sync::Mutex<()>>
    where
        K: Clone,
    {
        self.builds
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .entry(key.clone())
            .or_default()
            .clone()
    }

    /// Gives back a lock from [`Self::build_lock`], dropping it from the
    /// map when nobody else holds or waits for it.
    fn release_build_lock(&self, key: &K, lock: Arc<tokio::sync::Mutex<()>>) {
        let mut builds = self.builds.lock().unwrap_or_else(|p| p.into_inner());
        // The map's and this call's: nobody else waits on this key.
        if Arc::strong_count(&lock) <= 2 {
            builds.remove(key);
        }
    }

    /// Records a committed write (bumps the content version) and brings
    /// the entries it touches up to date instead of letting them go stale.
    ///
    /// The entries `touched` selects that are current when the write is
    /// recorded are locked as a build would lock them, so readers arriving
    /// after the bump wait for the patch (as they would for a build) rather
    /// than reading the store themselves. `patch` then gets each one's
    /// value and returns the new value, read after the bump (so it shows
    /// the write and all those recorded before it), or `None` to drop the
    /// entry (the next reader builds it). Entries `touched` does not select
    /// are stale after the bump, as after any write. Errors of `patch`
    /// drop the entry: the write is recorded whatever happens.
    pub async fn record_write_and_patch<E, Fut>(
        &self,
        touched: impl Fn(&K, &V) -> bool,
        patch: impl Fn(Arc<V>) -> Fut,
    ) where
        K: Clone + Ord,
        Fut: Future<Output = Result<Option<V>, E>>,
    {
        let current = content_version();
        let mut keys: Vec<K> = {
            let entries = self.entries.lock().unwrap_or_else(|p| p.into_inner());
            entries
                .iter()
                .filter(|(key, (built_at, at, value))| {
                    *built_at == current && at.elapsed() < self.max_age && touched(key, value)
                })
                .map(|(key, _)| key.clone())
                .collect()
        };
        // One order for all: builders hold one lock at a time, so taking
        // several in order cannot deadlock.
        keys.sort();
        let locks: Vec<_> = keys.iter().map(|key| self.build_lock(key)).collect();
        let mut guards = Vec::with_capacity(locks.len());
        for lock in &locks {
            guards.push(lock.lock().await);
        }
        let before = content_changed();
        for key in &keys {
            let old = {
                let entries = self.entries.lock().unwrap_or_else(|p| p.into_inner());
                entries
                    .get(key)
                    .filter(|(built_at, _, _)| *built_at == before)
                    .map(|(_, _, value)| value.clone())
            };
            let Some(old) = old else {
                // Rebuilt or made stale by another write meanwhile.
                continue;
            };
            match patch(old).await {
                Ok(Some(value)) => self.insert(key.clone(), before + 1, Arc::new(value)),
                Ok(None) | Err(_) => self.remove(key),
            }
        }
        drop(guards);
        for (key, lock) in keys.iter().zip(locks) {
            self.release_build_lock(key, lock);
        }
    }

    /// Drops every entry `which` selects (their data changed where this
    /// process's content version cannot see it, e.g. another process).
    pub fn forget(&self, which: impl Fn(&K, &V) -> bool) {
        let mut entries = self.entries.lock().unwrap_or_else(|p| p.into_inner());
        entries.retain(|key, (_, _, value)| !which(key, value));
    }

    /// Drops the entry for `key`.
    fn remove(&self, key: &K) {
        let mut entries = self.entries.lock().unwrap_or_else(|p| p.into_inner());
        entries.remove(key);
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

    #[tokio::test]
    async fn concurrent_misses_build_once() {
        let cache: Arc<VersionedCache<u32, u32>> =
            Arc::new(VersionedCache::new(4, Duration::from_secs(60)));
        let builds = Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let mut tasks = Vec::new();
        for _ in 0..20 {
            let (cache, builds) = (cache.clone(), builds.clone());
            tasks.push(tokio::spawn(async move {
                cache
                    .get_or_build(7, || async {
                        builds.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                        tokio::time::sleep(Duration::from_millis(20)).await;
                        Ok::<_, ()>(Some(42))
                    })
                    .await
            }));
        }
        for task in tasks {
            assert_eq!(task.await.unwrap().unwrap().as_deref(), Some(&42));
        }
        // Other tests may bump the version meanwhile (then a waiter
        // rebuilds): far fewer builds than readers all the same.
        assert!(builds.load(std::sync::atomic::Ordering::SeqCst) < 20);
        assert!(cache.builds.lock().unwrap().is_empty(), "locks dropped");
    }

    #[tokio::test]
    async fn an_entry_older_than_the_reader_is_rebuilt() {
        let cache: VersionedCache<u32, u32> = VersionedCache::new(4, Duration::from_secs(60));
        let first = cache
            .get_or_build(1, || async { Ok::<_, ()>(Some(1)) })
            .await
            .unwrap();
        assert_eq!(first.as_deref(), Some(&1));
        crate::domain::store::content_changed();
        let second = cache
            .get_or_build(1, || async { Ok::<_, ()>(Some(2)) })
            .await
            .unwrap();
        assert_eq!(second.as_deref(), Some(&2), "a write made the entry stale");
        let missing = cache
            .get_or_build(2, || async { Ok::<_, ()>(None) })
            .await
            .unwrap();
        assert!(missing.is_none());
    }

    #[tokio::test]
    async fn a_recorded_write_patches_the_entries_it_touches() {
        let cache: VersionedCache<u32, u32> = VersionedCache::new(4, Duration::from_secs(60));
        // Other tests may bump the version at any time: retry until one
        // round ran untouched (a bump between build and patch leaves the
        // entry stale, which is also right).
        for _ in 0..100 {
            let first = cache.get_or_build(1, || async { Ok::<_, ()>(Some(10)) });
            let other = cache.get_or_build(2, || async { Ok::<_, ()>(Some(20)) });
            let (first, other) = (first.await.unwrap(), other.await.unwrap());
            let version = content_version();
            if (first.as_deref(), other.as_deref()) != (Some(&10), Some(&20)) {
                continue;
            }
            cache
                .record_write_and_patch(
                    |key, _| *key == 1,
                    |old| async move { Ok::<_, ()>(Some(*old + 1)) },
                )
                .await;
            if content_version() != version + 1 {
                continue;
            }
            assert_eq!(cache.get(&1).as_deref(), Some(&11), "patched, current");
            assert!(cache.get(&2).is_none(), "untouched: stale after the write");
            let reader = cache
                .get_or_build(1, || async { Ok::<_, ()>(Some(99)) })
                .await
                .unwrap();
            assert_eq!(reader.as_deref(), Some(&11), "not read again");
            cache
                .record_write_and_patch(|_, _| true, |_| async { Ok::<_, ()>(None) })
                .await;
            assert!(cache.get(&1).is_none(), "a patch may drop an entry");
            assert!(cache.builds.lock().unwrap().is_empty(), "locks dropped");
            return;
        }
        panic!("never ran untouched");
    }

    #[test]
    fn forgotten_entries_are_read_again() {
        let cache: VersionedCache<u32, u32> = VersionedCache::new(4, Duration::from_secs(60));
        let version = content_version();
        cache.insert(1, version, Arc::new(1));
        cache.insert(2, version, Arc::new(2));
        cache.forget(|_, value| *value == 1);
        let entries = cache.entries.lock().unwrap();
        assert!(!entries.contains_key(&1) && entries.contains_key(&2));
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
