//! Password hashing and checking (argon2id), with a bound on how many run
//! at once.
//!
//! Each argon2id run holds 19 MiB for its duration, so unbounded, 60 log-ins
//! at once from 60 addresses (which the per-address rate limit does not
//! stop) take the process past 1 GiB. Every hash and check of the instance
//! goes through one [`PasswordPool`]: at most `concurrency` run at once, on
//! blocking threads, and at most `queue` more wait for a slot. Beyond that
//! the request is refused at once with 503 `busy_try_later` (the HTTP edge
//! adds `Retry-After`), so the memory ceiling is `concurrency × 19 MiB`
//! whatever arrives.

use super::{DomainError, DomainResult};
use argon2::{
    password_hash::{rand_core::OsRng, PasswordHash, PasswordHasher, PasswordVerifier, SaltString},
    Argon2,
};
use std::sync::{
    atomic::{AtomicUsize, Ordering},
    Arc,
};
use tokio::sync::Semaphore;

/// Memory one argon2id run holds with the default parameters, in KiB.
pub const ARGON2_MEMORY_KIB: u32 = argon2::Params::DEFAULT_M_COST;

/// The bounded pool every password hash and check runs in. Cheap to share
/// through an `Arc`.
#[derive(Debug)]
pub struct PasswordPool {
    /// One permit per run allowed at once.
    slots: Arc<Semaphore>,
    /// Requests admitted: running or waiting for a slot.
    admitted: AtomicUsize,
    /// Most requests admitted at once: slots plus queue.
    capacity: usize,
}

/// Counts a request as admitted until dropped (also when the request is
/// abandoned while it waits).
struct Admission<'a>(&'a AtomicUsize);

impl Drop for Admission<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}

/// The refusal when every slot and the queue are taken.
pub fn busy() -> DomainError {
    DomainError::rule(503, "busy_try_later")
}

impl PasswordPool {
    /// A pool running at most `concurrency` (at least 1) hashes at once,
    /// with at most `queue` more waiting.
    pub fn new(concurrency: usize, queue: usize) -> PasswordPool {
        let concurrency = concurrency.max(1);
        PasswordPool {
            slots: Arc::new(Semaphore::new(concurrency)),
            admitted: AtomicUsize::new(0),
            capacity: concurrency + queue,
        }
    }

    /// Requests running or waiting now.
    pub fn admitted(&self) -> usize {
        self.admitted.load(Ordering::SeqCst)
    }

    /// Runs `work` on a blocking thread once a slot is free, or refuses
    /// with `busy_try_later` when the queue is full.
    pub async fn run<T, F>(&self, work: F) -> DomainResult<T>
    where
        T: Send + 'static,
        F: FnOnce() -> T + Send + 'static,
    {
        let previously = self.admitted.fetch_add(1, Ordering::SeqCst);
        let _admission = Admission(&self.admitted);
        if previously >= self.capacity {
            return Err(busy());
        }
        let slot = self
            .slots
            .clone()
            .acquire_owned()
            .await
            .map_err(|error| DomainError::Internal(error.to_string()))?;
        // The slot moves into the blocking task: it is released when the
        // hash is done, even if the request was abandoned meanwhile.
        tokio::task::spawn_blocking(move || {
            let _slot = slot;
            work()
        })
        .await
        .map_err(|error| DomainError::Internal(error.to_string()))
    }

    /// Hashes a password (argon2id, default parameters, random salt) into
    /// its PHC string.
    pub async fn hash(&self, password: String) -> DomainResult<String> {
        self.run(move || {
            let salt = SaltString::generate(&mut OsRng);
            Argon2::default()
                .hash_password(password.as_bytes(), &salt)
                .map(|hash| hash.to_string())
                .map_err(|error| DomainError::Internal(error.to_string()))
        })
        .await?
    }

    /// Whether `password` matches the PHC string `hash`.
    pub async fn verify(&self, password: String, hash: String) -> DomainResult<bool> {
        self.run(move || {
            let parsed = PasswordHash::new(&hash)
                .map_err(|error| DomainError::Internal(error.to_string()))?;
            Ok(Argon2::default()
                .verify_password(password.as_bytes(), &parsed)
                .is_ok())
        })
        .await?
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[tokio::test]
    async fn a_full_pool_refuses_and_frees_its_slots() {
        let pool = Arc::new(PasswordPool::new(1, 1));
        let (release, released) = std::sync::mpsc::channel::<()>();
        let holder = {
            let pool = pool.clone();
            tokio::spawn(async move { pool.run(move || released.recv().is_ok()).await })
        };
        let queued = {
            let pool = pool.clone();
            tokio::spawn(async move { pool.hash("une phrase de passe".into()).await })
        };
        // Wait (bounded) until both are admitted: one running, one queued.
        for _ in 0..500 {
            if pool.admitted() == 2 {
                break;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        assert_eq!(pool.admitted(), 2);
        let refused = pool.verify("x".into(), "y".into()).await.unwrap_err();
        assert_eq!(refused.code(), "busy_try_later");
        release.send(()).unwrap();
        assert!(holder.await.unwrap().unwrap());
        let hash = queued.await.unwrap().unwrap();
        assert!(pool
            .verify("une phrase de passe".into(), hash)
            .await
            .unwrap());
        assert_eq!(pool.admitted(), 0);
    }
}
