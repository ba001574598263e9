//! Live updates of one teacher's pages (`GET /api/v1/stream`): their new
//! notifications and the new replies of a thread they have open (a forum
//! thread, public, or a project thread, for the project's members only:
//! checked when the stream opens and again for every reply).
//!
//! Writers announce events in their transaction (`store::live`); a
//! [`LiveStream`] receives the events of its process, keeps those its
//! teacher may see, reads what they show from the database, and replays
//! what it missed (a reconnection with `Last-Event-ID`, a lag behind the
//! hub, a lost PostgreSQL listener) from the database, bounded.

use super::{Domain, DomainResult, Refusal};
/// An event's text shared by the streams that send it.
pub use crate::domain::store::live::SharedText;
use crate::domain::store::{
    accounts::{AccountId, AccountRow},
    actors::ActorId,
    conversations::{ConversationId, ParticipantState},
    live::{self, LiveEvent, LiveNotification, Published},
    posts::{PostId, PostKind, PostView},
    project_content::ProjectPostView,
    Store, Tx,
};
use std::{collections::VecDeque, sync::Arc};
use tokio::sync::broadcast::{error::RecvError, Receiver};

/// Most notifications, and most replies, replayed at once.
pub const REPLAY_LIMIT: i64 = 100;

/// What a stream has shown: the last notification and the last reply.
/// Its text (`N.R`) is the id of every event sent, so that a client
/// reconnecting with `Last-Event-ID` gets what came after.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct LiveCursor {
    /// The last notification id shown.
    pub notification: i64,
    /// The last reply id shown (of the open thread).
    pub reply: i64,
}

impl LiveCursor {
    /// Reads an event id written by [`LiveCursor::id`].
    pub fn parse(text: &str) -> Option<LiveCursor> {
        let (notification, reply) = text.trim().split_once('.')?;
        let cursor = LiveCursor {
            notification: notification.parse().ok()?,
            reply: reply.parse().ok()?,
        };
        (cursor.notification >= 0 && cursor.reply >= 0).then_some(cursor)
    }

    /// The event id.
    pub fn id(&self) -> String {
        format!("{}.{}", self.notification, self.reply)
    }
}

/// The thread a stream follows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LiveThread {
    /// A forum thread (public).
    Forum(PostId),
    /// A thread of a project's forum (members only), by its local id.
    Project(i64),
    /// A conversation (its participants only), by its local id.
    Conversation(i64),
}

/// One thing a stream shows.
#[derive(Debug, Clone)]
pub enum LiveItem {
    /// A new notification of the stream's teacher.
    Notification {
        /// Its id.
        id: i64,
        /// Its kind (`reply`...).
        kind: String,
        /// The teacher's unread notifications now.
        unread: i64,
        /// The event's text, shared by the teacher's streams that
        /// received the same event: the edge writes it once.
        text: SharedText,
    },
    /// A new reply in the thread the stream follows.
    Reply {
        /// The thread.
        thread: PostId,
        /// The reply.
        post: Arc<PostView>,
        /// The event's text, shared by every stream of the process that
        /// received the same event (a reply reads the same for every
        /// teacher): the edge writes it once.
        text: SharedText,
    },
    /// A new reply in the project thread the stream follows.
    ProjectReply {
        /// The thread.
        thread: i64,
        /// The reply.
        post: Arc<ProjectPostView>,
        /// The event's text, shared as a forum reply's is (membership is
        /// checked per stream before it is sent).
        text: SharedText,
    },
    /// A new line (message or event) in the conversation the stream
    /// follows: the page reads it anew, in its teacher's language and
    /// time zone (participation is checked per stream before it is sent).
    ConversationLine {
        /// The conversation.
        conversation: i64,
        /// The line.
        line: i64,
    },
    /// A message of the conversation the stream follows was edited or
    /// deleted: the page reads it anew (participation is checked per
    /// stream, as for a new line). Not replayed: a page reconnecting
    /// reads the conversation again.
    ConversationLineChanged {
        /// The conversation.
        conversation: i64,
        /// The line.
        line: i64,
    },
    /// The presence of one of the stream's teacher's contacts changed
    /// (checked per stream: only contacts see it).
    Presence {
        /// The contact.
        person: Arc<crate::domain::store::actors::ActorRow>,
        /// What is shown of them now.
        status: super::presence::PresenceStatus,
    },
    /// What the header's "Messages" counts for the stream's teacher now
    /// (unread messages of others and invitations): sent when a message
    /// of one of their conversations is written or deleted, and with an
    /// invitation or a removal.
    Messages {
        /// The count.
        unread: i64,
    },
}

/// A teacher's subscription to live events.
pub struct LiveStream {
    /// The store only, not a `Domain` clone: 2,000 idle streams each hold
    /// one (a `Domain` also holds the mailer, with its own allocations).
    store: Store,
    account: AccountId,
    /// The account's actor (project membership is by actor).
    actor: ActorId,
    thread: Option<LiveThread>,
    receiver: Receiver<Arc<Published>>,
    stopped: tokio::sync::watch::Receiver<bool>,
    cursor: LiveCursor,
    /// The last notification id when the stream opened, and the latest
    /// ones sent: a teacher's notifications are written by transactions
    /// that run at once (a reply here, a mention there), and on
    /// PostgreSQL one may commit after another that took a later id, so a
    /// notification not sent yet is sent whatever its place.
    opened_notification: i64,
    sent_notifications: VecDeque<i64>,
    ready: VecDeque<(LiveItem, LiveCursor)>,
    replay: bool,
    /// Counts the teacher as active while the stream is open (presence:
    /// see [`Domain::mark_idle_teachers`]).
    _open: live::OpenStream,
}

/// Announces reply `id` of project thread `thread` (none for a thread),
/// stored in `tx`, to the streams that have the thread open.
pub(crate) async fn project_reply_stored(
    tx: &mut Tx,
    id: i64,
    thread: Option<i64>,
) -> DomainResult<()> {
    if let Some(thread) = thread {
        live::announce(tx, LiveEvent::ProjectReply { id, thread }).await?;
    }
    Ok(())
}

/// Announces reply `id` of `thread`, stored in `tx`, to the streams that
/// have the thread open (nothing for a thread).
pub(crate) async fn reply_stored(
    tx: &mut Tx,
    id: PostId,
    kind: PostKind,
    thread: Option<PostId>,
) -> DomainResult<()> {
    if let (PostKind::Reply, Some(thread)) = (kind, thread) {
        live::announce(tx, LiveEvent::Reply { id, thread }).await?;
    }
    Ok(())
}

/// Announces line `id` of `conversation`, stored in `tx`, to the streams
/// that have the conversation open.
pub(crate) async fn conversation_line_stored(
    tx: &mut Tx,
    id: i64,
    conversation: i64,
) -> DomainResult<()> {
    live::announce(tx, LiveEvent::ConversationLine { id, conversation }).await?;
    Ok(())
}

/// Announces that message `id` of `conversation` was edited or deleted in
/// `tx`, to the streams that have the conversation open.
pub(crate) async fn conversation_line_changed(
    tx: &mut Tx,
    id: i64,
    conversation: i64,
) -> DomainResult<()> {
    live::announce(tx, LiveEvent::ConversationLineChanged { id, conversation }).await?;
    Ok(())
}

impl Domain {
    /// On PostgreSQL, starts this process's listener of live events (one
    /// connection), returning once it listens; nothing to do on SQLite.
    pub async fn listen_live(&self) -> DomainResult<Option<tokio::task::JoinHandle<()>>> {
        if self.store.engine() != crate::domain::store::Engine::Postgres {
            return Ok(None);
        }
        let hub = self.store.live().clone();
        let listener = live::listen(&self.settings.database.url, hub).await?;
        // Other processes' replies reach this one's thread pages too.
        self.forget_pages_on_live_events();
        Ok(Some(listener))
    }

    /// Ends every live stream (the instance is stopping).
    pub fn stop_live(&self) {
        self.store.live().stop();
    }

    /// Opens `account`'s stream, following thread `thread` if given (it
    /// must exist, be a thread and be readable). With `last_event_id`
    /// (an id the stream sent) what came after it is replayed first.
    pub async fn open_live_stream(
        &self,
        account: &AccountRow,
        thread: Option<LiveThread>,
        last_event_id: Option<&str>,
    ) -> DomainResult<LiveStream> {
        match thread {
            Some(LiveThread::Forum(thread)) => check_live_thread(&self.store, thread).await?,
            Some(LiveThread::Project(thread)) => {
                check_live_project_thread(&self.store, account.actor_id, thread).await?
            }
            Some(LiveThread::Conversation(id)) => {
                self.check_messaging(account)?;
                check_live_conversation(&self.store, account.actor_id, id).await?
            }
            None => {}
        }
        // Subscribed before reading where things stand: nothing written
        // in between is missed.
        let receiver = self.store.live().subscribe();
        let stopped = self.store.live().stopped();
        let (cursor, replay) = match last_event_id.and_then(LiveCursor::parse) {
            Some(cursor) => (cursor, true),
            None => (
                LiveCursor {
                    notification: self.store.last_notification_id(account.id).await?,
                    reply: match thread {
                        Some(LiveThread::Forum(thread)) => self.store.last_reply_id(thread).await?,
                        Some(LiveThread::Project(thread)) => {
                            self.store.last_project_reply_id(thread).await?
                        }
                        Some(LiveThread::Conversation(id)) => {
                            self.store
                                .last_conversation_line(ConversationId(id))
                                .await?
                        }
                        None => 0,
                    },
                },
                false,
            ),
        };
        Ok(LiveStream {
            _open: self.store.live().stream_opened(account.actor_id),
            store: self.store.clone(),
            account: account.id,
            actor: account.actor_id,
            thread,
            receiver,
            stopped,
            opened_notification: cursor.notification,
            sent_notifications: VecDeque::new(),
            cursor,
            ready: VecDeque::new(),
            replay,
        })
    }
}

/// Refuses a thread that does not exist (or is a reply: `not_found`) or is
/// no longer visible (`post_deleted`). Forum threads are public: every
/// teacher may read a visible one.
async fn check_live_thread(store: &Store, thread: PostId) -> DomainResult<()> {
    match store.post(thread).await? {
        Some(post) if post.kind == PostKind::Thread => {
            if post.is_visible() {
                Ok(())
            } else {
                Err(Refusal::PostDeleted.into())
            }
        }
        _ => Err(Refusal::NotFound.into()),
    }
}

/// Refuses a project thread that does not exist (or is a reply:
/// `not_found`), is deleted (`post_deleted`), or whose project `actor` is
/// not a member of (`not_project_member`): project forums are
/// members-only.
async fn check_live_project_thread(store: &Store, actor: ActorId, thread: i64) -> DomainResult<()> {
    let post = match store.project_post(thread).await? {
        Some(post) if post.thread_id.is_none() => post,
        _ => return Err(Refusal::NotFound.into()),
    };
    let member = store
        .member(post.project_id, actor)
        .await?
        .is_some_and(|row| row.is_member());
    if !member {
        return Err(Refusal::NotProjectMember.into());
    }
    if post.deleted_at.is_some() {
        return Err(Refusal::PostDeleted.into());
    }
    Ok(())
}

/// Refuses a conversation `actor` does not take part in (never invited,
/// gone: `not_found`; invited, not joined: `not_conversation_participant`).
async fn check_live_conversation(store: &Store, actor: ActorId, id: i64) -> DomainResult<()> {
    match store.participant(ConversationId(id), actor).await? {
        Some(row) if row.state == ParticipantState::Joined => Ok(()),
        Some(row) if row.state == ParticipantState::Invited => {
            Err(Refusal::NotConversationParticipant.into())
        }
        _ => Err(Refusal::NotFound.into()),
    }
}

/// How many of the latest notification ids a stream remembers having
/// sent (see [`LiveStream::notification_is_new`]).
const SENT_NOTIFICATIONS: usize = 32;

/// Notes notification `id` as sent by a stream at `cursor` that remembers
/// `sent`.
fn note_sent(cursor: &mut LiveCursor, sent: &mut VecDeque<i64>, id: i64) {
    cursor.notification = cursor.notification.max(id);
    if sent.len() == SENT_NOTIFICATIONS {
        sent.pop_front();
    }
    sent.push_back(id);
}

impl LiveStream {
    /// Whether notification `id` is still to send: newer than any sent,
    /// or older but neither there when the stream opened nor among the
    /// latest sent (committed after a later one).
    fn notification_is_new(&self, id: i64) -> bool {
        id > self.cursor.notification
            || (id > self.opened_notification && !self.sent_notifications.contains(&id))
    }

    /// The teacher whose stream it is.
    pub fn actor(&self) -> ActorId {
        self.actor
    }

    /// Where the stream stands.
    pub fn cursor(&self) -> LiveCursor {
        self.cursor
    }

    /// The next item and the event id to send with it, waiting for one;
    /// `None` once the instance stops, or the followed thread is gone.
    pub async fn next(&mut self) -> DomainResult<Option<(LiveItem, LiveCursor)>> {
        loop {
            if let Some(ready) = self.ready.pop_front() {
                return Ok(Some(ready));
            }
            if self.replay {
                self.replay = false;
                if !Box::pin(self.replay_from_database()).await? {
                    return Ok(None);
                }
                continue;
            }
            if *self.stopped.borrow() {
                return Ok(None);
            }
            let received = tokio::select! {
                received = self.receiver.recv() => received,
                _ = self.stopped.changed() => return Ok(None),
            };
            match received {
                Ok(published) => {
                    // Boxed, like the replay: what reading an event holds
                    // (store queries) would otherwise be part of this
                    // future, and so of every idle stream's memory.
                    if !Box::pin(self.take(&published)).await? {
                        return Ok(None);
                    }
                }
                Err(RecvError::Lagged(_)) => self.replay = true,
                Err(RecvError::Closed) => return Ok(None),
            }
        }
    }

    /// Keeps what this stream's teacher may see of one event; `false`
    /// when the followed thread is no longer readable.
    async fn take(&mut self, published: &Published) -> DomainResult<bool> {
        match published.event {
            LiveEvent::Notification { id, recipient }
                if recipient == self.account && self.notification_is_new(id) =>
            {
                // Read once for all the recipient's streams of the
                // process (only they get here: the event names them).
                let store = &self.store;
                let shown = published
                    .notification
                    .get_or_try_init(|| async {
                        let Some(row) = store.live_notification(recipient, id).await? else {
                            return Ok::<_, crate::domain::DomainError>(None);
                        };
                        let unread = store.unread_notifications(recipient).await?;
                        Ok(Some(Arc::new(LiveNotification {
                            kind: row.kind,
                            unread,
                        })))
                    })
                    .await?
                    .clone();
                if let Some(shown) = shown {
                    note_sent(&mut self.cursor, &mut self.sent_notifications, id);
                    self.ready.push_back((
                        LiveItem::Notification {
                            id,
                            kind: shown.kind.clone(),
                            unread: shown.unread,
                            text: published.text.clone(),
                        },
                        self.cursor,
                    ));
                    // An invitation to a conversation, or a removal from
                    // one, changes what "Messages" counts.
                    if shown.kind.starts_with("conversation_") {
                        self.push_messages_count().await?;
                    }
                }
            }
            LiveEvent::ProjectReply { id, thread }
                if Some(LiveThread::Project(thread)) == self.thread && id > self.cursor.reply =>
            {
                // Checked per stream: membership is each teacher's own.
                if check_live_project_thread(&self.store, self.actor, thread)
                    .await
                    .is_err()
                {
                    return Ok(false);
                }
                let store = &self.store;
                let shown = published
                    .project_reply
                    .get_or_try_init(|| async {
                        Ok::<_, crate::domain::DomainError>(
                            store
                                .project_post_view(id)
                                .await?
                                .filter(|view| view.post.thread_id == Some(thread))
                                .map(Arc::new),
                        )
                    })
                    .await?
                    .clone();
                if let Some(post) = shown {
                    self.cursor.reply = id;
                    self.ready.push_back((
                        LiveItem::ProjectReply {
                            thread,
                            post,
                            text: published.text.clone(),
                        },
                        self.cursor,
                    ));
                }
            }
            LiveEvent::Reply { id, thread }
                if Some(LiveThread::Forum(thread)) == self.thread && id.0 > self.cursor.reply =>
            {
                // Read once for every stream of the process: forum threads
                // read the same for every teacher.
                let store = &self.store;
                let shown = published
                    .reply
                    .get_or_try_init(|| async {
                        if check_live_thread(store, thread).await.is_err() {
                            return Ok::<_, crate::domain::DomainError>(None);
                        }
                        Ok(store
                            .post_view(id)
                            .await?
                            .filter(|view| view.post.is_visible())
                            .map(Arc::new))
                    })
                    .await?
                    .clone();
                match shown {
                    Some(post) => {
                        self.cursor.reply = id.0;
                        self.ready.push_back((
                            LiveItem::Reply {
                                thread,
                                post,
                                text: published.text.clone(),
                            },
                            self.cursor,
                        ));
                    }
                    None => {
                        if check_live_thread(&self.store, thread).await.is_err() {
                            return Ok(false);
                        }
                    }
                }
            }
            LiveEvent::ConversationLine { id, conversation }
                if Some(LiveThread::Conversation(conversation)) == self.thread
                    && id > self.cursor.reply =>
            {
                // Checked per stream: a teacher removed or gone hears no
                // more of it, and their stream ends.
                if check_live_conversation(&self.store, self.actor, conversation)
                    .await
                    .is_err()
                {
                    return Ok(false);
                }
                self.cursor.reply = id;
                self.ready.push_back((
                    LiveItem::ConversationLine {
                        conversation,
                        line: id,
                    },
                    self.cursor,
                ));
            }
            LiveEvent::ConversationLineChanged { id, conversation }
                if Some(LiveThread::Conversation(conversation)) == self.thread =>
            {
                if check_live_conversation(&self.store, self.actor, conversation)
                    .await
                    .is_err()
                {
                    return Ok(false);
                }
                // The cursor stays: the line is not new.
                self.ready.push_back((
                    LiveItem::ConversationLineChanged {
                        conversation,
                        line: id,
                    },
                    self.cursor,
                ));
            }
            LiveEvent::Presence { person } => {
                // Checked per stream: only the person's contacts see it.
                if let Some(row) = self.store.actor_by_id(person).await? {
                    if let Some(status) =
                        super::presence::shown_to(&self.store, self.actor, &row).await?
                    {
                        self.ready.push_back((
                            LiveItem::Presence {
                                person: Arc::new(row),
                                status,
                            },
                            self.cursor,
                        ));
                    }
                }
            }
            LiveEvent::Resync => self.replay = true,
            _ => {}
        }
        if let LiveEvent::ConversationLine { id, .. }
        | LiveEvent::ConversationLineChanged { id, .. } = published.event
        {
            Box::pin(self.count_conversation_line(published, id)).await?;
        }
        Ok(true)
    }

    /// Sends the teacher's "Messages" count again when line `id` changes
    /// it: a message of someone else, new or deleted, in a conversation
    /// they joined. The line and the participants are read once for all
    /// the streams of the process.
    async fn count_conversation_line(
        &mut self,
        published: &Published,
        id: i64,
    ) -> DomainResult<()> {
        let store = &self.store;
        let line = published
            .conversation_line
            .get_or_try_init(|| async {
                Ok::<_, crate::domain::DomainError>(
                    store.live_conversation_line(id).await?.map(Arc::new),
                )
            })
            .await?
            .clone();
        let Some(line) = line else {
            return Ok(());
        };
        let deleted = matches!(published.event, LiveEvent::ConversationLineChanged { .. });
        if line.is_message
            && line.deleted == deleted
            && line.author != self.actor
            && line.joined.contains(&self.actor)
        {
            self.push_messages_count().await?;
        }
        Ok(())
    }

    /// Queues the teacher's "Messages" count as it stands.
    async fn push_messages_count(&mut self) -> DomainResult<()> {
        let unread = self.store.messages_waiting(self.actor).await?;
        self.ready
            .push_back((LiveItem::Messages { unread }, self.cursor));
        Ok(())
    }

    /// Queues what came after the cursor, from the database, and the
    /// present presence of the teacher's contacts (a change missed while
    /// disconnected or behind is not replayable as such); `false` when
    /// the followed thread is no longer readable.
    async fn replay_from_database(&mut self) -> DomainResult<bool> {
        for (person, status) in super::presence::contacts_shown(&self.store, self.actor).await? {
            self.ready.push_back((
                LiveItem::Presence {
                    person: Arc::new(person),
                    status,
                },
                self.cursor,
            ));
        }
        let store = &self.store;
        let missed = store
            .notifications_after(self.account, self.cursor.notification, REPLAY_LIMIT)
            .await?;
        if !missed.is_empty() {
            let unread = store.unread_notifications(self.account).await?;
            for row in missed {
                note_sent(&mut self.cursor, &mut self.sent_notifications, row.id);
                self.ready.push_back((
                    LiveItem::Notification {
                        id: row.id,
                        kind: row.kind,
                        unread,
                        text: SharedText::default(),
                    },
                    self.cursor,
                ));
            }
        }
        if let Some(LiveThread::Project(thread)) = self.thread {
            if check_live_project_thread(&self.store, self.actor, thread)
                .await
                .is_err()
            {
                return Ok(false);
            }
            for post in store
                .project_replies_after(thread, self.cursor.reply, REPLAY_LIMIT)
                .await?
            {
                self.cursor.reply = post.post.id;
                self.ready.push_back((
                    LiveItem::ProjectReply {
                        thread,
                        post: Arc::new(post),
                        text: SharedText::default(),
                    },
                    self.cursor,
                ));
            }
        }
        if let Some(LiveThread::Conversation(conversation)) = self.thread {
            if check_live_conversation(&self.store, self.actor, conversation)
                .await
                .is_err()
            {
                return Ok(false);
            }
            let after = self.cursor.reply;
            for line in store
                .lines(ConversationId(conversation), after, REPLAY_LIMIT)
                .await?
                .into_iter()
                .filter(|line| line.id > after)
            {
                self.cursor.reply = line.id;
                self.ready.push_back((
                    LiveItem::ConversationLine {
                        conversation,
                        line: line.id,
                    },
                    self.cursor,
                ));
            }
        }
        if let Some(LiveThread::Forum(thread)) = self.thread {
            if check_live_thread(&self.store, thread).await.is_err() {
                return Ok(false);
            }
            for post in store
                .replies_after(thread, self.cursor.reply, REPLAY_LIMIT)
                .await?
            {
                self.cursor.reply = post.post.id.0;
                self.ready.push_back((
                    LiveItem::Reply {
                        thread,
                        post: Arc::new(post),
                        text: SharedText::default(),
                    },
                    self.cursor,
                ));
            }
        }
        Ok(true)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    use super::*;

    #[test]
    fn cursors_read_back_and_refuse_garbage() {
        let cursor = LiveCursor {
            notification: 12,
            reply: 345,
        };
        assert_eq!(LiveCursor::parse(&cursor.id()), Some(cursor));
        for bad in ["", "12", "a.b", "-1.2", "1.2.3", "1.-4"] {
            assert_eq!(LiveCursor::parse(bad), None, "{bad}");
        }
    }
}
