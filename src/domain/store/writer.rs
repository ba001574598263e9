//! Group commit: small write jobs from many requests run together in one
//! transaction by one task, so a busy inbox pays for one `BEGIN`/`COMMIT`
//! and one turn of SQLite's single writer per batch instead of per
//! activity. A caller gets its result only after the batch committed. If
//! any job of a batch fails, the batch is rolled back and each job is run
//! again alone, so one bad job never costs the others their write.

use super::{Store, StoreError, Tx};
use futures::future::BoxFuture;
use std::sync::Arc;
use tokio::sync::{mpsc, oneshot};

/// Jobs taken together at most.
const BATCH: usize = 64;
/// Jobs waiting at most; callers wait for room beyond it.
const QUEUE: usize = 1024;

/// A unit of work for [`Store::write`]: it may run twice (alone after a
/// failed batch), so it clones what it needs on each run.
pub type WriteWork<T, E> =
    Arc<dyn for<'a> Fn(&'a mut Tx) -> BoxFuture<'a, Result<T, E>> + Send + Sync>;

trait Job: Send {
    /// Runs the work; `false` when it failed.
    fn run<'a>(&'a mut self, tx: &'a mut Tx) -> BoxFuture<'a, bool>;
    /// Answers the caller once the outcome is committed (or not).
    fn finish(self: Box<Self>, committed: Result<(), String>);
}

struct TypedJob<T, E> {
    work: WriteWork<T, E>,
    outcome: Option<Result<T, E>>,
    reply: oneshot::Sender<Result<T, E>>,
}

impl<T, E> Job for TypedJob<T, E>
where
    T: Send + 'static,
    E: From<StoreError> + Send + 'static,
{
    fn run<'a>(&'a mut self, tx: &'a mut Tx) -> BoxFuture<'a, bool> {
        Box::pin(async move {
            let outcome = (self.work)(tx).await;
            let ok = outcome.is_ok();
            self.outcome = Some(outcome);
            ok
        })
    }

    fn finish(self: Box<Self>, committed: Result<(), String>) {
        let result = match (committed, self.outcome) {
            (Ok(()), Some(outcome)) => outcome,
            (Err(error), _) => Err(E::from(StoreError::Write(error))),
            (Ok(()), None) => Err(E::from(StoreError::Write("job never ran".into()))),
        };
        let _ = self.reply.send(result);
    }
}

/// The queue of one store.
pub(super) struct Writer {
    queue: mpsc::Sender<Box<dyn Job>>,
}

impl std::fmt::Debug for Writer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Writer")
    }
}

impl Writer {
    /// Starts the writing task of `store`. It ends when the store (and
    /// with it the sending side) is dropped.
    pub(super) fn start(store: Store) -> Writer {
        let (queue, jobs) = mpsc::channel(QUEUE);
        tokio::spawn(run(store, jobs));
        Writer { queue }
    }
}

async fn run(store: Store, mut jobs: mpsc::Receiver<Box<dyn Job>>) {
    let mut batch: Vec<Box<dyn Job>> = Vec::with_capacity(BATCH);
    while let Some(first) = jobs.recv().await {
        batch.push(first);
        while batch.len() < BATCH {
            match jobs.try_recv() {
                Ok(job) => batch.push(job),
                Err(_) => break,
            }
        }
        let together = run_together(&store, &mut batch).await;
        match together {
            Ok(()) => {
                for job in batch.drain(..) {
                    job.finish(Ok(()));
                }
            }
            Err(_) => {
                // One at a time, each in its own transaction.
                for mut job in batch.drain(..) {
                    let committed = run_alone(&store, job.as_mut()).await;
                    job.finish(committed);
                }
            }
        }
    }
}

async fn run_together(store: &Store, batch: &mut [Box<dyn Job>]) -> Result<(), String> {
    let mut tx = store.begin().await.map_err(|e| e.to_string())?;
    for job in batch.iter_mut() {
        if !job.run(&mut tx).await {
            // Dropping the transaction rolls it back.
            return Err("a job failed".into());
        }
    }
    super::commit(tx).await.map_err(|e| e.to_string())
}

async fn run_alone(store: &Store, job: &mut dyn Job) -> Result<(), String> {
    let mut tx = store.begin().await.map_err(|e| e.to_string())?;
    if job.run(&mut tx).await {
        super::commit(tx).await.map_err(|e| e.to_string())
    } else {
        // The job's own error is its answer; nothing of it is kept.
        drop(tx);
        Ok(())
    }
}

impl Store {
    /// Runs `work` in a write transaction shared with other callers' work
    /// (group commit) and returns its result once committed. For short
    /// writes on hot paths (the inbox); never call it from inside a
    /// transaction or from a job.
    pub async fn write<T, E>(&self, work: WriteWork<T, E>) -> Result<T, E>
    where
        T: Send + 'static,
        E: From<StoreError> + Send + 'static,
    {
        let (reply, answer) = oneshot::channel();
        let job = Box::new(TypedJob {
            work,
            outcome: None,
            reply,
        });
        let writer = self.writer();
        writer
            .queue
            .send(job)
            .await
            .map_err(|_| E::from(StoreError::Write("the writer stopped".into())))?;
        answer
            .await
            .map_err(|_| E::from(StoreError::Write("the writer stopped".into())))?
    }
}
