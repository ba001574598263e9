//! The send loop both outgoing mail queues share (mails about
//! notifications, `notification_mail`; mailing-list copies of posts,
//! `mail_lists`): read a batch of rows to send, claim them
//! (`store::mail_queue`: one process per row, a lease that lapses if the
//! process dies), build each mail with the queue's own builder, send it,
//! and record what became of it. A mail the server refuses goes back to
//! `pending` and the run stops: the next run retries it.

use super::{Domain, DomainResult};
use crate::domain::store::mail_queue::MailQueue;
use std::collections::HashSet;

/// Rows read from a queue at a time.
const BATCH: i64 = 200;

/// The keys the mails of a batch are signed with, derived once per batch
/// (each derivation reads the instance actor).
pub(super) struct MailKeys {
    /// Signs one-click unsubscribe links.
    pub unsubscribe: Vec<u8>,
    /// Signs reply addresses.
    pub reply: Vec<u8>,
}

/// What becomes of one claimed row.
pub(super) enum Built<M> {
    /// Send this mail.
    Send(M),
    /// Never send it (the recipient may not get mail, the object is gone
    /// or was read): the row is dropped.
    Drop,
    /// The builder settled the row itself (moved it to the digest).
    Settled,
}

/// One queue's part of the loop: how its rows are read, built and sent.
pub(super) trait QueuedMailKind {
    /// A row as the store reads it, with what its mail needs.
    type Row;
    /// The mail built from a row.
    type Message;
    /// What every mail of a batch shares (the keys, the trust labels).
    type Batch;
    /// Its table.
    const QUEUE: MailQueue;
    /// A row's id in the queue.
    fn mail_id(row: &Self::Row) -> i64;
    /// Up to `limit` rows to send, oldest first (pending, or claimed by a
    /// process that died).
    async fn pending(domain: &Domain, limit: i64) -> DomainResult<Vec<Self::Row>>;
    /// What the mails of one batch share.
    async fn batch(domain: &Domain, keys: MailKeys) -> DomainResult<Self::Batch>;
    /// The mail of one claimed row, or why none goes.
    async fn build(
        domain: &Domain,
        batch: &Self::Batch,
        row: &Self::Row,
    ) -> DomainResult<Built<Self::Message>>;
    /// Hands the mail to the mail server.
    async fn send(domain: &Domain, row: &Self::Row, message: Self::Message) -> Result<(), String>;
}

impl Domain {
    /// Sends what queue `K` holds, batch after batch, until it is empty,
    /// another process holds what is left, or the mail server refused a
    /// mail. Answers how many mails were sent.
    pub(super) async fn send_queued_mails<K: QueuedMailKind>(&self) -> DomainResult<usize> {
        let mut sent = 0;
        loop {
            let rows = K::pending(self, BATCH).await?;
            if rows.is_empty() {
                return Ok(sent);
            }
            let keys = MailKeys {
                unsubscribe: self.unsubscribe_key().await?,
                reply: self.reply_address_key().await?,
            };
            let batch = K::batch(self, keys).await?;
            let ids: Vec<i64> = rows.iter().map(K::mail_id).collect();
            let claimed: HashSet<i64> = self
                .store
                .claim_queued_mails(K::QUEUE, &ids)
                .await?
                .into_iter()
                .collect();
            let mut progressed = !claimed.is_empty();
            let mut failed = Vec::new();
            for row in rows.iter().filter(|row| claimed.contains(&K::mail_id(row))) {
                let id = K::mail_id(row);
                let message = match K::build(self, &batch, row).await? {
                    Built::Send(message) => message,
                    Built::Drop => {
                        self.store
                            .finish_queued_mails(K::QUEUE, &[id], "dropped")
                            .await?;
                        progressed = true;
                        continue;
                    }
                    Built::Settled => {
                        progressed = true;
                        continue;
                    }
                };
                match K::send(self, row, message).await {
                    Ok(()) => {
                        self.store
                            .finish_queued_mails(K::QUEUE, &[id], "sent")
                            .await?;
                        sent += 1;
                        progressed = true;
                    }
                    Err(cause) => {
                        tracing::warn!(%cause, queue = ?K::QUEUE, "mail not sent; kept for later");
                        failed.push(id);
                    }
                }
            }
            self.store
                .finish_queued_mails(K::QUEUE, &failed, "pending")
                .await?;
            if !progressed || !failed.is_empty() {
                return Ok(sent);
            }
        }
    }
}
