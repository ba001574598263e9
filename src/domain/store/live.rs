//! Live events: what a stream (`GET /api/v1/stream`) must learn, published
//! only once the transaction that wrote it has committed.
//!
//! A writer calls [`announce`] inside its transaction. On SQLite (one
//! process) the event waits in the [`Tx`] and reaches this process's
//! [`LiveHub`] after the commit; a rolled-back transaction drops it. On
//! PostgreSQL it is a `pg_notify` on [`CHANNEL`], which PostgreSQL delivers
//! only at commit, to every process's listener ([`listen`]), which feeds
//! that process's hub. Events carry ids only: streams read what they show
//! from the database, with their teacher's permissions.

use super::{
    accounts::AccountId,
    actors::ActorId,
    notifications::{JOINS, VISIBLE},
    posts::{PostId, PostView},
    project_content::ProjectPostView,
    Store, StoreResult, Tx,
};
use std::sync::Arc;
use tokio::sync::broadcast;

/// The PostgreSQL notification channel of live events.
pub const CHANNEL: &str = "preau_live";
/// Events a hub keeps for its slowest stream; beyond it the stream is told
/// it lagged and replays from the database.
const HUB_CAPACITY: usize = 1024;

/// Something a live stream may have to show.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LiveEvent {
    /// Notification `id` was written for account `recipient`.
    Notification {
        /// The notification.
        id: i64,
        /// Its recipient.
        recipient: AccountId,
    },
    /// Reply `id` was stored in thread `thread`.
    Reply {
        /// The reply.
        id: PostId,
        /// Its thread.
        thread: PostId,
    },
    /// Reply `id` was stored in thread `thread` of a project's forum
    /// (`project_posts` ids).
    ProjectReply {
        /// The reply.
        id: i64,
        /// Its thread.
        thread: i64,
    },
    /// Line `id` (a message or an event) was added to conversation
    /// `conversation` (`conversation_lines` ids).
    ConversationLine {
        /// The line.
        id: i64,
        /// Its conversation.
        conversation: i64,
    },
    /// Line `id` of conversation `conversation` (a message) was edited or
    /// deleted: the streams that have the conversation open show it anew.
    ConversationLineChanged {
        /// The line.
        id: i64,
        /// Its conversation.
        conversation: i64,
    },
    /// What is shown of person `person`'s presence changed: the streams
    /// of their contacts show it.
    Presence {
        /// The person.
        person: super::actors::ActorId,
    },
    /// Events may have been missed (the listener reconnected): every
    /// stream replays from the database.
    Resync,
}

impl LiveEvent {
    /// The text of a `pg_notify` payload.
    pub fn encode(&self) -> String {
        match self {
            LiveEvent::Notification { id, recipient } => format!("n:{id}:{}", recipient.0),
            LiveEvent::Reply { id, thread } => format!("p:{}:{}", id.0, thread.0),
            LiveEvent::ProjectReply { id, thread } => format!("q:{id}:{thread}"),
            LiveEvent::ConversationLine { id, conversation } => format!("c:{id}:{conversation}"),
            LiveEvent::ConversationLineChanged { id, conversation } => {
                format!("e:{id}:{conversation}")
            }
            LiveEvent::Presence { person } => format!("s:{}:0", person.0),
            LiveEvent::Resync => "r".to_string(),
        }
    }

    /// Reads a payload written by [`LiveEvent::encode`].
    pub fn decode(text: &str) -> Option<LiveEvent> {
        let mut parts = text.split(':');
        let kind = parts.next()?;
        if kind == "r" {
            return Some(LiveEvent::Resync);
        }
        let first: i64 = parts.next()?.parse().ok()?;
        let second: i64 = parts.next()?.parse().ok()?;
        if parts.next().is_some() {
            return None;
        }
        match kind {
            "n" => Some(LiveEvent::Notification {
                id: first,
                recipient: AccountId(second),
            }),
            "p" => Some(LiveEvent::Reply {
                id: PostId(first),
                thread: PostId(second),
            }),
            "q" => Some(LiveEvent::ProjectReply {
                id: first,
                thread: second,
            }),
            "c" => Some(LiveEvent::ConversationLine {
                id: first,
                conversation: second,
            }),
            "e" => Some(LiveEvent::ConversationLineChanged {
                id: first,
                conversation: second,
            }),
            "s" => Some(LiveEvent::Presence {
                person: super::actors::ActorId(first),
            }),
            _ => None,
        }
    }
}

/// An event as streams receive it, with what the first stream to need it
/// read from the database, shared by all (one read per event, not one
/// per stream).
#[derive(Debug)]
pub struct Published {
    /// The event.
    pub event: LiveEvent,
    /// The reply of a `Reply` event, once read (`None` when no longer
    /// visible).
    pub reply: tokio::sync::OnceCell<Option<Arc<PostView>>>,
    /// The reply of a `ProjectReply` event, once read (`None` when
    /// deleted); who may see it is checked per stream.
    pub project_reply: tokio::sync::OnceCell<Option<Arc<ProjectPostView>>>,
    /// The notification of a `Notification` event and its recipient's
    /// unread count, once read by the first of the recipient's streams
    /// (`None` when no longer visible). Only streams of that recipient
    /// read or fill it.
    pub notification: tokio::sync::OnceCell<Option<Arc<LiveNotification>>>,
    /// The event's text as the streams send it, once written (see
    /// [`SharedText`]).
    pub text: SharedText,
    /// The line of a `ConversationLine` or `ConversationLineChanged` event
    /// and who takes part in its conversation, once read (`None` when
    /// gone): every stream of the process checks whether its teacher's
    /// unread messages changed with one read for all.
    pub conversation_line: tokio::sync::OnceCell<Option<Arc<LiveConversationLine>>>,
}

/// A conversation's line as the streams of its participants count it.
#[derive(Debug, Clone)]
pub struct LiveConversationLine {
    /// Whether it is a message (events are not counted as unread).
    pub is_message: bool,
    /// Whether it is deleted.
    pub deleted: bool,
    /// Its author (their own messages are never unread to them).
    pub author: super::actors::ActorId,
    /// The people who have joined the conversation.
    pub joined: Vec<super::actors::ActorId>,
}

/// The text of an event that reads the same for every stream showing it
/// (a reply of a forum thread; a notification, for its recipient's
/// streams), written by the first stream to send it
/// and sent as is by the others: one serialisation per event and process,
/// not one per stream. `None` when it could not be written.
pub type SharedText = Arc<tokio::sync::OnceCell<Option<Arc<str>>>>;

/// The events of one process, for its streams. Publishing never waits: a
/// stream that falls more than [`HUB_CAPACITY`] events behind is told so
/// and replays from the database.
#[derive(Debug, Clone)]
pub struct LiveHub {
    sender: broadcast::Sender<Arc<Published>>,
    /// `true` once the instance stops: every stream ends (a server
    /// stopping gracefully waits for its connections).
    stopped: Arc<tokio::sync::watch::Sender<bool>>,
    /// The streams open in this process, by teacher: an open page counts
    /// as activity (presence), recorded by the idle check rather than by
    /// a timer in every stream.
    open: OpenStreams,
}

/// How many streams each teacher has open in this process.
type OpenStreams = Arc<std::sync::Mutex<std::collections::HashMap<ActorId, u32>>>;

/// One open stream of a teacher, counted while it lives.
#[derive(Debug)]
pub struct OpenStream {
    open: OpenStreams,
    actor: ActorId,
}

impl Drop for OpenStream {
    fn drop(&mut self) {
        if let Ok(mut open) = self.open.lock() {
            if let Some(count) = open.get_mut(&self.actor) {
                *count -= 1;
                if *count == 0 {
                    open.remove(&self.actor);
                }
            }
        }
    }
}

impl Default for LiveHub {
    fn default() -> Self {
        LiveHub {
            sender: broadcast::channel(HUB_CAPACITY).0,
            stopped: Arc::new(tokio::sync::watch::channel(false).0),
            open: OpenStreams::default(),
        }
    }
}

impl LiveHub {
    /// A receiver of every event published from now on.
    pub fn subscribe(&self) -> broadcast::Receiver<Arc<Published>> {
        self.sender.subscribe()
    }

    /// Counts a stream of `actor` as open until the value returned drops.
    pub fn stream_opened(&self, actor: ActorId) -> OpenStream {
        if let Ok(mut open) = self.open.lock() {
            *open.entry(actor).or_default() += 1;
        }
        OpenStream {
            open: self.open.clone(),
            actor,
        }
    }

    /// The teachers with a stream open in this process.
    pub fn with_open_streams(&self) -> Vec<ActorId> {
        self.open
            .lock()
            .map(|open| open.keys().copied().collect())
            .unwrap_or_default()
    }

    /// Ends every stream, now and to come.
    pub fn stop(&self) {
        self.stopped.send_replace(true);
    }

    /// Watches for [`LiveHub::stop`].
    pub fn stopped(&self) -> tokio::sync::watch::Receiver<bool> {
        self.stopped.subscribe()
    }

    /// Sends `event` to every stream of this process.
    pub fn publish(&self, event: LiveEvent) {
        // No receiver is not an error: nobody is watching.
        let _ = self.sender.send(Arc::new(Published {
            event,
            reply: tokio::sync::OnceCell::new(),
            project_reply: tokio::sync::OnceCell::new(),
            notification: tokio::sync::OnceCell::new(),
            text: SharedText::default(),
            conversation_line: tokio::sync::OnceCell::new(),
        }));
    }
}

/// Announces `event` once `tx` commits (never if it rolls back).
pub async fn announce(tx: &mut Tx, event: LiveEvent) -> StoreResult<()> {
    match &mut tx.live {
        // SQLite: this process is the only one; published after commit.
        Some(pending) => pending.push(event),
        None => {
            sqlx::query("SELECT pg_notify($1, $2)")
                .bind(CHANNEL)
                .bind(event.encode())
                .execute(&mut **tx)
                .await?;
        }
    }
    Ok(())
}

/// Listens on PostgreSQL database `url` and publishes every live event of
/// any process on `hub`. Returns once listening (so that nothing committed
/// after it returns is missed); the task runs until aborted. After a lost
/// connection it reconnects and tells streams to replay ([`LiveEvent::Resync`]).
pub async fn listen(url: &str, hub: LiveHub) -> StoreResult<tokio::task::JoinHandle<()>> {
    let mut listener = sqlx::postgres::PgListener::connect(url).await?;
    listener.listen(CHANNEL).await?;
    Ok(tokio::spawn(async move {
        loop {
            match listener.try_recv().await {
                Ok(Some(notification)) => {
                    if let Some(event) = LiveEvent::decode(notification.payload()) {
                        hub.publish(event);
                    }
                }
                // The connection was lost; the next call reconnects.
                Ok(None) => hub.publish(LiveEvent::Resync),
                Err(error) => {
                    tracing::warn!(%error, "live event listener failed; retrying");
                    tokio::time::sleep(std::time::Duration::from_secs(1)).await;
                    hub.publish(LiveEvent::Resync);
                }
            }
        }
    }))
}

/// A notification as a stream shows it.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct LiveNotificationRow {
    /// Its id.
    pub id: i64,
    /// Its kind.
    pub kind: String,
}

/// A new notification as its recipient's streams show it.
#[derive(Debug, Clone)]
pub struct LiveNotification {
    /// Its kind.
    pub kind: String,
    /// The recipient's unread notifications when it was read.
    pub unread: i64,
}

impl Store {
    /// This process's live events.
    pub fn live(&self) -> &LiveHub {
        &self.live
    }

    /// The highest notification id of `recipient` (0 without any).
    pub async fn last_notification_id(&self, recipient: AccountId) -> StoreResult<i64> {
        let last: Option<i64> =
            sqlx::query_scalar("SELECT MAX(id) FROM notifications WHERE recipient_id = $1")
                .bind(recipient.0)
                .fetch_one(self.pool())
                .await?;
        Ok(last.unwrap_or(0))
    }

    /// `recipient`'s visible notifications with an id above `after`,
    /// oldest first, at most `limit`.
    pub async fn notifications_after(
        &self,
        recipient: AccountId,
        after: i64,
        limit: i64,
    ) -> StoreResult<Vec<LiveNotificationRow>> {
        Ok(sqlx::query_as(&format!(
            "SELECT notifications.id, notifications.kind FROM notifications \
             {JOINS} \
             WHERE notifications.recipient_id = $1 AND notifications.id > $2 AND {VISIBLE} \
             ORDER BY notifications.id LIMIT $3"
        ))
        .bind(recipient.0)
        .bind(after)
        .bind(limit)
        .fetch_all(self.pool())
        .await?)
    }

    /// Whether notification `id` is `recipient`'s and still visible; its
    /// kind then.
    pub async fn live_notification(
        &self,
        recipient: AccountId,
        id: i64,
    ) -> StoreResult<Option<LiveNotificationRow>> {
        Ok(sqlx::query_as(&format!(
            "SELECT notifications.id, notifications.kind FROM notifications \
             {JOINS} \
             WHERE notifications.recipient_id = $1 AND notifications.id = $2 AND {VISIBLE}"
        ))
        .bind(recipient.0)
        .bind(id)
        .fetch_optional(self.pool())
        .await?)
    }

    /// Line `id` of a conversation as the streams count it, with the
    /// people who have joined the conversation; `None` when gone.
    pub async fn live_conversation_line(
        &self,
        id: i64,
    ) -> StoreResult<Option<LiveConversationLine>> {
        let line: Option<(String, i64, Option<i64>, i64)> = sqlx::query_as(
            "SELECT kind, actor_id, deleted_at, conversation_id FROM conversation_lines \
             WHERE id = $1",
        )
        .bind(id)
        .fetch_optional(self.pool())
        .await?;
        let Some((kind, author, deleted_at, conversation)) = line else {
            return Ok(None);
        };
        let joined: Vec<i64> = sqlx::query_scalar(
            "SELECT actor_id FROM conversation_participants \
             WHERE conversation_id = $1 AND state = 'joined'",
        )
        .bind(conversation)
        .fetch_all(self.pool())
        .await?;
        Ok(Some(LiveConversationLine {
            is_message: kind == "message",
            deleted: deleted_at.is_some(),
            author: super::actors::ActorId(author),
            joined: joined.into_iter().map(super::actors::ActorId).collect(),
        }))
    }

    /// What the header's "Messages" counts for `actor`: the messages of
    /// others unread in the conversations they joined, and the
    /// invitations to answer (as [`Store::header_counts`] does).
    pub async fn messages_waiting(&self, actor: super::actors::ActorId) -> StoreResult<i64> {
        Ok(sqlx::query_scalar(&format!(
            "SELECT (SELECT CAST(COALESCE(SUM({UNREAD}), 0) AS BIGINT) \
             FROM conversation_participants p WHERE p.actor_id = $1 AND p.state = 'joined') + \
             (SELECT COUNT(*) FROM conversation_participants WHERE actor_id = $1 \
             AND state = 'invited')",
            UNREAD = super::conversations::UNREAD,
        ))
        .bind(actor.0)
        .fetch_one(self.pool())
        .await?)
    }

    /// The highest post id of thread `thread` (its own id without replies).
    pub async fn last_reply_id(&self, thread: PostId) -> StoreResult<i64> {
        let last: Option<i64> =
            sqlx::query_scalar("SELECT MAX(id) FROM posts WHERE thread_id = $1")
                .bind(thread.0)
                .fetch_one(self.pool())
                .await?;
        Ok(last.unwrap_or(thread.0).max(thread.0))
    }

    /// The visible replies of `thread` with an id above `after`, oldest
    /// first, at most `limit`.
    pub async fn replies_after(
        &self,
        thread: PostId,
        after: i64,
        limit: i64,
    ) -> StoreResult<Vec<PostView>> {
        Ok(sqlx::query_as(&format!(
            "{} WHERE posts.thread_id = $1 AND posts.id > $2 \
             AND posts.deleted_at IS NULL AND posts.removed_at IS NULL \
             ORDER BY posts.id LIMIT $3",
            super::posts::view_select()
        ))
        .bind(thread.0)
        .bind(after)
        .bind(limit)
        .fetch_all(self.pool())
        .await?)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    use super::*;

    #[test]
    fn events_read_back_as_written() {
        for event in [
            LiveEvent::Notification {
                id: 7,
                recipient: AccountId(3),
            },
            LiveEvent::Reply {
                id: PostId(12),
                thread: PostId(4),
            },
            LiveEvent::ProjectReply { id: 9, thread: 2 },
            LiveEvent::ConversationLine {
                id: 5,
                conversation: 1,
            },
            LiveEvent::ConversationLineChanged {
                id: 5,
                conversation: 1,
            },
            LiveEvent::Presence {
                person: super::super::actors::ActorId(4),
            },
            LiveEvent::Resync,
        ] {
            assert_eq!(LiveEvent::decode(&event.encode()), Some(event));
        }
        for bad in ["", "n", "n:1", "x:1:2", "n:1:2:3", "p:a:2"] {
            assert_eq!(LiveEvent::decode(bad), None, "{bad}");
        }
    }
}
