//! The `notifications` table: what happened that concerns a local teacher
//! (for now, replies to their threads and posts), written in the
//! transaction of the event, read and marked read by its recipient.

use super::{
    accounts::AccountId,
    actors::{qualified_actor_columns, ActorId, ActorRow},
    live::LiveEvent,
    posts::PostId,
    Store, StoreResult, Tx,
};

/// The kind of a reply to the recipient's thread or post.
pub const KIND_REPLY: &str = "reply";

/// One notification with what a reader needs to link to its object.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct NotificationRow {
    /// Database id.
    #[sqlx(rename = "notification_id")]
    pub id: i64,
    /// `reply`.
    #[sqlx(rename = "notification_kind")]
    pub kind: String,
    /// Who caused it.
    #[sqlx(flatten)]
    pub actor: ActorRow,
    /// The object (the reply).
    pub post_id: PostId,
    /// Its thread.
    pub thread_id: PostId,
    /// The thread's title.
    pub thread_title: String,
    /// The reply's Markdown source (empty for some remote posts).
    pub post_source: String,
    /// The reply's sanitised HTML.
    pub post_html: String,
    /// The forum's local name (the `NAME` of `!NAME@domain`).
    pub forum_name: String,
    /// The forum's host, empty when local.
    pub forum_domain: String,
    /// The forum's title.
    pub forum_title: String,
    /// When, unix ms.
    #[sqlx(rename = "notified_at")]
    pub created_at: i64,
    /// When it was read, unix ms.
    pub read_at: Option<i64>,
}

/// Notifies the local authors of `parent` and of `thread` of the reply
/// `reply` written by `author` (never the author itself; each recipient
/// once, and once only per reply).
pub async fn notify_reply(
    tx: &mut Tx,
    reply: PostId,
    author: ActorId,
    parent: PostId,
    thread: PostId,
) -> StoreResult<u64> {
    let now = tx.now_ms();
    let written: Vec<(i64, i64)> = sqlx::query_as(
        "INSERT INTO notifications (recipient_id, kind, actor_id, post_id, thread_id, created_at) \
         SELECT DISTINCT accounts.id, $1, $2, $3, $4, $5 FROM posts \
         JOIN accounts ON accounts.actor_id = posts.author_id \
         WHERE posts.id IN ($6, $4) AND posts.author_id <> $2 \
         ON CONFLICT (recipient_id, kind, post_id) DO NOTHING RETURNING id, recipient_id",
    )
    .bind(KIND_REPLY)
    .bind(author.0)
    .bind(reply.0)
    .bind(thread.0)
    .bind(now)
    .bind(parent.0)
    .fetch_all(&mut **tx)
    .await?;
    for (id, recipient) in &written {
        super::live::announce(
            tx,
            LiveEvent::Notification {
                id: *id,
                recipient: AccountId(*recipient),
            },
        )
        .await?;
    }
    Ok(written.len() as u64)
}

/// What a recipient may still see: the reply and its thread neither
/// deleted nor removed.
const VISIBLE: &str = "reply.deleted_at IS NULL AND reply.removed_at IS NULL \
     AND thread.deleted_at IS NULL AND thread.removed_at IS NULL";

impl Store {
    /// `recipient`'s notifications, newest first, `limit` from `offset`.
    pub async fn notifications_of(
        &self,
        recipient: AccountId,
        limit: i64,
        offset: i64,
    ) -> StoreResult<Vec<NotificationRow>> {
        Ok(sqlx::query_as(&format!(
            "SELECT notifications.id AS notification_id, notifications.kind AS notification_kind, {}, \
             notifications.post_id, notifications.thread_id, thread.title AS thread_title, \
             reply.source AS post_source, reply.content_html AS post_html, \
             forum_actor.name AS forum_name, forum_actor.domain AS forum_domain, \
             forums.title AS forum_title, notifications.created_at AS notified_at, notifications.read_at \
             FROM notifications \
             JOIN actors ON actors.id = notifications.actor_id \
             JOIN posts reply ON reply.id = notifications.post_id \
             JOIN posts thread ON thread.id = notifications.thread_id \
             JOIN forums ON forums.actor_id = reply.forum_id \
             JOIN actors forum_actor ON forum_actor.id = reply.forum_id \
             WHERE notifications.recipient_id = $1 AND {VISIBLE} \
             ORDER BY notifications.created_at DESC, notifications.id DESC LIMIT $2 OFFSET $3",
            qualified_actor_columns()
        ))
        .bind(recipient.0)
        .bind(limit)
        .bind(offset)
        .fetch_all(self.pool())
        .await?)
    }

    /// How many of `recipient`'s notifications are unread.
    pub async fn unread_notifications(&self, recipient: AccountId) -> StoreResult<i64> {
        Ok(sqlx::query_scalar(&format!(
            "SELECT COUNT(*) FROM notifications \
             JOIN posts reply ON reply.id = notifications.post_id \
             JOIN posts thread ON thread.id = notifications.thread_id \
             WHERE notifications.recipient_id = $1 AND notifications.read_at IS NULL AND {VISIBLE}"
        ))
        .bind(recipient.0)
        .fetch_one(self.pool())
        .await?)
    }

    /// Marks `recipient`'s notifications `ids` (all of them when `None`)
    /// read; others' ids are left alone.
    pub async fn mark_notifications_read(
        &self,
        recipient: AccountId,
        ids: Option<&[i64]>,
    ) -> StoreResult<()> {
        let now = self.now_ms();
        // One transaction: all of them or none.
        let mut tx = self.begin().await?;
        match ids {
            None => {
                sqlx::query(
                    "UPDATE notifications SET read_at = $1 \
                     WHERE recipient_id = $2 AND read_at IS NULL",
                )
                .bind(now)
                .bind(recipient.0)
                .execute(&mut *tx)
                .await?;
            }
            Some(ids) => {
                for id in ids {
                    sqlx::query(
                        "UPDATE notifications SET read_at = $1 \
                         WHERE recipient_id = $2 AND id = $3 AND read_at IS NULL",
                    )
                    .bind(now)
                    .bind(recipient.0)
                    .bind(id)
                    .execute(&mut *tx)
                    .await?;
                }
            }
        }
        super::commit(tx).await?;
        Ok(())
    }
}
