//! Password hashing and checking (argon2id), with a bound on how many run
//! at once.
//!
//! Each argon2id run holds 19 MiB for its duration, so unbounded, 60 log-ins
//! at once from 60 addresses (which the per-address rate limit does not
//! stop) take the process past 1 GiB. Every hash and check of the instance
//! goes through one [`PasswordPool`]: `concurrency` dedicated threads run
//! them, and at most `queue` more wait for a thread. Beyond that the
//! request is refused at once with 503 `busy_try_later` (the HTTP edge adds
//! `Retry-After`). Dedicated threads rather than tokio's blocking pool:
//! the allocator keeps a freed 19 MiB block in the arena of the thread that
//! used it, so hashes spread over many blocking threads left up to one
//! block per arena in the process (255 MiB measured on 2 cores); with
//! `concurrency` threads the ceiling is `concurrency × 19 MiB`.

use super::{DomainError, DomainResult, Refusal};
use argon2::{
    password_hash::{rand_core::OsRng, PasswordHash, PasswordHasher, PasswordVerifier, SaltString},
    Argon2,
};
use std::sync::{
    atomic::{AtomicUsize, Ordering},
    mpsc, Arc, Mutex,
};

/// Work for a hashing thread.
type Job = Box<dyn FnOnce() + Send>;

/// Memory one argon2id run holds with the default parameters, in KiB.
pub const ARGON2_MEMORY_KIB: u32 = argon2::Params::DEFAULT_M_COST;

/// The bounded pool every password hash and check runs in. Cheap to share
/// through an `Arc`.
#[derive(Debug)]
pub struct PasswordPool {
    /// To the hashing threads; they stop when the pool is dropped.
    jobs: mpsc::Sender<Job>,
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
    Refusal::BusyTryLater.into()
}

impl PasswordPool {
    /// A pool running at most `concurrency` (at least 1) hashes at once,
    /// with at most `queue` more waiting.
    pub fn new(concurrency: usize, queue: usize) -> PasswordPool {
        let concurrency = concurrency.max(1);
        let (jobs, waiting) = mpsc::channel::<Job>();
        let waiting = Arc::new(Mutex::new(waiting));
        for _ in 0..concurrency {
            let waiting = waiting.clone();
            let spawned = std::thread::Builder::new()
                .name("preau-passwords".into())
                .spawn(move || loop {
                    let next = match waiting.lock() {
                        Ok(receiver) => receiver.recv(),
                        Err(_) => return,
                    };
                    match next {
                        // A panicking job must not take the thread with it.
                        Ok(job) => {
                            let _ = std::panic::catch_unwind(std::panic::AssertUnwindSafe(job));
                        }
                        Err(_) => return,
                    }
                });
            if let Err(error) = spawned {
                tracing::error!(%error, "cannot start a password hashing thread");
            }
        }
        PasswordPool {
            jobs,
            admitted: AtomicUsize::new(0),
            capacity: concurrency + queue,
        }
    }

    /// Requests running or waiting now.
    pub fn admitted(&self) -> usize {
        self.admitted.load(Ordering::SeqCst)
    }

    /// Runs `work` on a hashing thread once one is free, or refuses with
    /// `busy_try_later` when the queue is full.
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
        let (done, result) = tokio::sync::oneshot::channel();
        let job: Job = Box::new(move || {
            // Abandoned while it waited (the client went away): skipped.
            if !done.is_closed() {
                let _ = done.send(work());
            }
        });
        self.jobs
            .send(job)
            .map_err(|_| DomainError::Internal("password hashing threads stopped".into()))?;
        result
            .await
            .map_err(|_| DomainError::Internal("password hashing thread failed".into()))
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
