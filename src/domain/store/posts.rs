//! The `posts` table: threads and replies of forums, local and remote.
//! Their "helpful" marks are in [`super::likes`], reports in
//! [`super::reports`] (their write functions and types are re-exported
//! here).

use super::{
    actors::{ActorId, StoredTrust},
    IntBool, Store, StoreResult, Tx,
};
use preau_federation::TrustLevel;

pub use super::likes::{delete_like, insert_like};
pub use super::reports::{insert_report, NewReport, ReportRow};

/// The database id of a post.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, sqlx::Type)]
#[sqlx(transparent)]
pub struct PostId(pub i64);

/// A thread opens a discussion; a reply answers a thread or a reply.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PostKind {
    /// A `Page` with a title.
    Thread,
    /// A `Note` with `inReplyTo`.
    Reply,
}

impl PostKind {
    fn as_str(self) -> &'static str {
        match self {
            PostKind::Thread => "thread",
            PostKind::Reply => "reply",
        }
    }
}

impl From<String> for PostKind {
    fn from(text: String) -> Self {
        if text == "thread" {
            PostKind::Thread
        } else {
            PostKind::Reply
        }
    }
}

/// One post as stored (decoded from `POST_COLUMNS`).
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct PostRow {
    /// Database id.
    pub id: PostId,
    /// ActivityPub id.
    pub ap_id: String,
    /// Thread or reply.
    #[sqlx(try_from = "String")]
    pub kind: PostKind,
    /// The forum it belongs to.
    pub forum_id: ActorId,
    /// The thread of a reply.
    pub thread_id: Option<PostId>,
    /// The post a reply answers.
    pub in_reply_to_id: Option<PostId>,
    /// The author.
    pub author_id: ActorId,
    /// Title (threads).
    pub title: String,
    /// Markdown source (local posts; remote ones when shared).
    pub source: String,
    /// Sanitised HTML.
    pub content_html: String,
    /// FEP-7888 context (the thread's collection).
    pub context_url: Option<String>,
    /// Publication, unix ms.
    pub published_at: i64,
    /// Last edit, unix ms.
    pub updated_at: Option<i64>,
    /// Deleted by its author, unix ms (a Tombstone is served).
    pub deleted_at: Option<i64>,
    /// Removed by a moderator, unix ms.
    pub removed_at: Option<i64>,
    /// The moderator's reason.
    pub removed_reason: Option<String>,
    /// A local post its remote forum refused (a final 4xx), unix ms.
    pub refused_at: Option<i64>,
    /// The forum's reason, as it answered.
    pub refused_reason: Option<String>,
    /// Thread locked: no more replies.
    #[sqlx(try_from = "IntBool")]
    pub locked: bool,
    /// Thread pinned at the top of its forum.
    #[sqlx(try_from = "IntBool")]
    pub pinned: bool,
    /// Last reply (threads), unix ms.
    pub last_activity_at: i64,
    /// Whether it was written here.
    #[sqlx(try_from = "IntBool")]
    pub local: bool,
}

impl PostRow {
    /// Neither deleted nor removed.
    pub fn is_visible(&self) -> bool {
        self.deleted_at.is_none() && self.removed_at.is_none()
    }

    /// The thread this post belongs to (itself for a thread).
    pub fn thread(&self) -> PostId {
        self.thread_id.unwrap_or(self.id)
    }
}

/// The author of a post, for display (decoded from `VIEW_COLUMNS` and
/// the post's `author_id`).
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct AuthorRef {
    /// Actor id.
    #[sqlx(rename = "author_id")]
    pub id: ActorId,
    /// Account name.
    #[sqlx(rename = "author_name")]
    pub name: String,
    /// Empty for local authors.
    #[sqlx(rename = "author_domain")]
    pub domain: String,
    /// Display name.
    #[sqlx(rename = "author_display_name")]
    pub display_name: String,
    /// ActivityPub id.
    #[sqlx(rename = "author_ap_id")]
    pub ap_id: String,
    /// Level the author's instance declares (remote authors).
    #[sqlx(rename = "author_trust", try_from = "StoredTrust")]
    pub declared_trust: Option<TrustLevel>,
    /// The author's verified e-mail domain, if known.
    #[sqlx(rename = "author_email_domain")]
    pub email_domain: Option<String>,
}

/// A post with its author and counts.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct PostView {
    /// The post.
    #[sqlx(flatten)]
    pub post: PostRow,
    /// Its author.
    #[sqlx(flatten)]
    pub author: AuthorRef,
    /// Replies in the thread (threads only).
    pub reply_count: i64,
    /// "Helpful" marks.
    pub like_count: i64,
}

/// A post to insert.
#[derive(Debug, Clone)]
pub struct NewPost {
    /// ActivityPub id.
    pub ap_id: String,
    /// Thread or reply.
    pub kind: PostKind,
    /// Forum.
    pub forum_id: ActorId,
    /// Thread of a reply.
    pub thread_id: Option<PostId>,
    /// What a reply answers.
    pub in_reply_to_id: Option<PostId>,
    /// Author.
    pub author_id: ActorId,
    /// Title.
    pub title: String,
    /// Markdown source.
    pub source: String,
    /// Sanitised HTML.
    pub content_html: String,
    /// FEP-7888 context.
    pub context_url: Option<String>,
    /// Publication time, unix ms.
    pub published_at: i64,
    /// Written here.
    pub local: bool,
}

pub(super) const POST_COLUMNS: &str =
    "posts.id, posts.ap_id, posts.kind, posts.forum_id, posts.thread_id, \
     posts.in_reply_to_id, posts.author_id, posts.title, posts.source, posts.content_html, \
     posts.context_url, posts.published_at, posts.updated_at, posts.deleted_at, posts.removed_at, \
     posts.removed_reason, posts.refused_at, posts.refused_reason, posts.locked, posts.pinned, \
     posts.last_activity_at, posts.local";

pub(super) const VIEW_COLUMNS: &str = "author.name AS author_name, author.domain AS author_domain, \
     author.display_name AS author_display_name, author.ap_id AS author_ap_id, \
     author.declared_trust AS author_trust, author.email_domain AS author_email_domain, \
     (SELECT COUNT(*) FROM posts r WHERE r.thread_id = posts.id AND r.deleted_at IS NULL AND r.removed_at IS NULL) AS reply_count, \
     (SELECT COUNT(*) FROM likes l WHERE l.post_id = posts.id) AS like_count";

pub(super) fn view_select() -> String {
    format!("SELECT {POST_COLUMNS}, {VIEW_COLUMNS} FROM posts JOIN actors author ON author.id = posts.author_id")
}

/// Inserts a post; a reply also bumps its thread's and forum's activity.
pub async fn insert_post(tx: &mut Tx, post: &NewPost) -> StoreResult<PostId> {
    insert_post_if_new(tx, post)
        .await?
        .ok_or_else(|| super::StoreError::Corrupt(format!("post {} exists", post.ap_id)))
}

/// Inserts a post unless one with its ActivityPub id exists (then
/// `None`, and nothing changes).
pub async fn insert_post_if_new(tx: &mut Tx, post: &NewPost) -> StoreResult<Option<PostId>> {
    // A thread's replies take their ids in the order they commit (the
    // thread's live stream sends "what came after").
    if let Some(thread) = post.thread_id {
        tx.lock_row("posts", thread.0).await?;
    }
    let id: Option<i64> = sqlx::query_scalar(
        "INSERT INTO posts (ap_id, kind, forum_id, thread_id, in_reply_to_id, author_id, title, source, \
         content_html, context_url, published_at, last_activity_at, local) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $11, $12) \
         ON CONFLICT (ap_id) DO NOTHING RETURNING id",
    )
    .bind(&post.ap_id)
    .bind(post.kind.as_str())
    .bind(post.forum_id.0)
    .bind(post.thread_id.map(|t| t.0))
    .bind(post.in_reply_to_id.map(|t| t.0))
    .bind(post.author_id.0)
    .bind(&post.title)
    .bind(&post.source)
    .bind(&post.content_html)
    .bind(post.context_url.as_deref())
    .bind(post.published_at)
    .bind(i64::from(post.local))
    .fetch_optional(&mut **tx)
    .await?;
    // The thread's and forum's last activity are bumped by the
    // `posts_bump_activity` trigger (migration 0003).
    Ok(id.map(PostId))
}

/// Sets the context collection of a thread that came without one.
pub async fn set_context_url(tx: &mut Tx, id: PostId, context_url: &str) -> StoreResult<()> {
    sqlx::query("UPDATE posts SET context_url = $1 WHERE id = $2")
        .bind(context_url)
        .bind(id.0)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// What a reply needs to know of the post it answers and of its thread.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ParentRef {
    /// The post answered.
    #[sqlx(rename = "parent_id")]
    pub parent: PostId,
    /// Its thread.
    #[sqlx(rename = "thread_id")]
    pub thread: PostId,
    /// The thread's forum.
    pub forum_id: ActorId,
    /// Whether the thread is locked.
    #[sqlx(try_from = "IntBool")]
    pub locked: bool,
    /// The thread's context collection.
    pub context_url: Option<String>,
}

/// Replaces a post's title and content after an edit.
pub async fn update_post(
    tx: &mut Tx,
    id: PostId,
    title: &str,
    source: &str,
    content_html: &str,
    at: i64,
) -> StoreResult<()> {
    sqlx::query("UPDATE posts SET title = $1, source = $2, content_html = $3, updated_at = $4 WHERE id = $5")
        .bind(title)
        .bind(source)
        .bind(content_html)
        .bind(at)
        .bind(id.0)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// Marks a post deleted by its author (its content is kept for
/// moderation history but never shown; a Tombstone is served).
pub async fn mark_deleted(tx: &mut Tx, id: PostId, at: i64) -> StoreResult<()> {
    sqlx::query("UPDATE posts SET deleted_at = $1 WHERE id = $2 AND deleted_at IS NULL")
        .bind(at)
        .bind(id.0)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// Marks a post removed by a moderator, with the reason.
pub async fn mark_removed(tx: &mut Tx, id: PostId, reason: &str, at: i64) -> StoreResult<()> {
    sqlx::query("UPDATE posts SET removed_at = $1, removed_reason = $2 WHERE id = $3 AND removed_at IS NULL")
        .bind(at)
        .bind(reason)
        .bind(id.0)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// Marks a local post as refused by its remote forum, with the reason.
pub async fn mark_refused(tx: &mut Tx, id: PostId, reason: &str, at: i64) -> StoreResult<bool> {
    let changed = sqlx::query(
        "UPDATE posts SET refused_at = $1, refused_reason = $2 WHERE id = $3 AND refused_at IS NULL",
    )
    .bind(at)
    .bind(reason)
    .bind(id.0)
    .execute(&mut **tx)
    .await?
    .rows_affected();
    Ok(changed > 0)
}

/// Undoes a moderator's removal: the post shows again.
pub async fn mark_restored(tx: &mut Tx, id: PostId) -> StoreResult<()> {
    sqlx::query("UPDATE posts SET removed_at = NULL, removed_reason = NULL WHERE id = $1")
        .bind(id.0)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// Undoes an author's deletion (Lemmy's "restore").
pub async fn mark_undeleted(tx: &mut Tx, id: PostId) -> StoreResult<()> {
    sqlx::query("UPDATE posts SET deleted_at = NULL WHERE id = $1")
        .bind(id.0)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// Locks or unlocks a thread.
pub async fn set_locked(tx: &mut Tx, id: PostId, locked: bool) -> StoreResult<()> {
    sqlx::query("UPDATE posts SET locked = $1 WHERE id = $2")
        .bind(i64::from(locked))
        .bind(id.0)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// Pins or unpins a thread.
pub async fn set_pinned(tx: &mut Tx, id: PostId, pinned: bool) -> StoreResult<()> {
    sqlx::query("UPDATE posts SET pinned = $1 WHERE id = $2")
        .bind(i64::from(pinned))
        .bind(id.0)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

impl Store {
    /// The post with this ActivityPub id.
    pub async fn post_by_ap_id(&self, ap_id: &str) -> StoreResult<Option<PostRow>> {
        Ok(sqlx::query_as(&format!(
            "SELECT {POST_COLUMNS} FROM posts WHERE posts.ap_id = $1"
        ))
        .bind(ap_id)
        .fetch_optional(self.pool())
        .await?)
    }

    /// The post with this ActivityPub id and its thread, in one query.
    pub async fn parent_ref(&self, ap_id: &str) -> StoreResult<Option<ParentRef>> {
        Ok(sqlx::query_as(
            "SELECT p.id AS parent_id, t.id AS thread_id, t.forum_id, t.locked, t.context_url \
             FROM posts p JOIN posts t ON t.id = COALESCE(p.thread_id, p.id) WHERE p.ap_id = $1",
        )
        .bind(ap_id)
        .fetch_optional(self.pool())
        .await?)
    }

    /// The post with this id.
    pub async fn post(&self, id: PostId) -> StoreResult<Option<PostRow>> {
        Ok(sqlx::query_as(&format!(
            "SELECT {POST_COLUMNS} FROM posts WHERE posts.id = $1"
        ))
        .bind(id.0)
        .fetch_optional(self.pool())
        .await?)
    }

    /// Tests: replaces a post's rendered text without telling the page
    /// caches, to show whether a page is read again or kept.
    #[cfg(feature = "test-support")]
    pub async fn overwrite_content_unrecorded(&self, id: PostId, html: &str) -> StoreResult<()> {
        sqlx::query("UPDATE posts SET content_html = $1 WHERE id = $2")
            .bind(html)
            .bind(id.0)
            .execute(self.pool())
            .await?;
        Ok(())
    }

    /// A post with its author and counts.
    pub async fn post_view(&self, id: PostId) -> StoreResult<Option<PostView>> {
        Ok(
            sqlx::query_as(&format!("{} WHERE posts.id = $1", view_select()))
                .bind(id.0)
                .fetch_optional(self.pool())
                .await?,
        )
    }

    /// Visible threads of a forum: pinned first, then most recent
    /// activity first; `limit` and `offset` paginate.
    pub async fn forum_threads(
        &self,
        forum: ActorId,
        limit: i64,
        offset: i64,
    ) -> StoreResult<Vec<PostView>> {
        Ok(sqlx::query_as(&format!(
            "{} WHERE posts.forum_id = $1 AND posts.kind = 'thread' AND posts.deleted_at IS NULL \
             AND posts.removed_at IS NULL ORDER BY posts.pinned DESC, posts.last_activity_at DESC, posts.id DESC \
             LIMIT $2 OFFSET $3",
            view_select()
        ))
        .bind(forum.0)
        .bind(limit)
        .bind(offset)
        .fetch_all(self.pool())
        .await?)
    }

    /// Counts the visible threads of a forum.
    pub async fn count_forum_threads(&self, forum: ActorId) -> StoreResult<i64> {
        Ok(sqlx::query_scalar(
            "SELECT COUNT(*) FROM posts WHERE forum_id = $1 AND kind = 'thread' AND deleted_at IS NULL AND removed_at IS NULL",
        )
        .bind(forum.0)
        .fetch_one(self.pool())
        .await?)
    }

    /// A page of the replies of a thread in publication order, including
    /// deleted and removed ones (shown as such, so reply links keep
    /// working).
    pub async fn thread_replies(
        &self,
        thread: PostId,
        limit: i64,
        offset: i64,
    ) -> StoreResult<Vec<PostView>> {
        Ok(sqlx::query_as(&format!(
            "{} WHERE posts.thread_id = $1 ORDER BY posts.published_at, posts.id LIMIT $2 OFFSET $3",
            view_select()
        ))
        .bind(thread.0)
        .bind(limit)
        .bind(offset)
        .fetch_all(self.pool())
        .await?)
    }

    /// Counts the replies of a thread (all of them, as listed).
    pub async fn count_thread_replies(&self, thread: PostId) -> StoreResult<i64> {
        Ok(
            sqlx::query_scalar("SELECT COUNT(*) FROM posts WHERE thread_id = $1")
                .bind(thread.0)
                .fetch_one(self.pool())
                .await?,
        )
    }

    /// The latest shown posts of `author` in the forums known here, newest
    /// first: what a person's page lists.
    pub async fn recent_posts_by(&self, author: ActorId, limit: i64) -> StoreResult<Vec<PostRow>> {
        Ok(sqlx::query_as(&format!(
            "SELECT {POST_COLUMNS} FROM posts WHERE posts.author_id = $1 \
             AND posts.deleted_at IS NULL AND posts.removed_at IS NULL AND posts.refused_at IS NULL \
             AND posts.forum_id IN (SELECT actor_id FROM forums) \
             ORDER BY posts.published_at DESC, posts.id DESC LIMIT $2"
        ))
        .bind(author.0)
        .bind(limit)
        .fetch_all(self.pool())
        .await?)
    }

    /// How many replies of its thread come before `reply`, to find the
    /// page it is on.
    pub async fn replies_before(&self, reply: &PostRow) -> StoreResult<i64> {
        Ok(sqlx::query_scalar(
            "SELECT COUNT(*) FROM posts WHERE thread_id = $1 AND (published_at < $2 OR (published_at = $2 AND id < $3))",
        )
        .bind(reply.thread().0)
        .bind(reply.published_at)
        .bind(reply.id.0)
        .fetch_one(self.pool())
        .await?)
    }

    /// The ActivityPub ids of a thread and its replies, in order (the
    /// FEP-7888 context collection).
    pub async fn thread_ap_ids(&self, thread: PostId) -> StoreResult<Vec<String>> {
        Ok(sqlx::query_scalar(
            "SELECT ap_id FROM posts WHERE id = $1 OR thread_id = $1 ORDER BY published_at, id",
        )
        .bind(thread.0)
        .fetch_all(self.pool())
        .await?)
    }

    /// Pinned threads of a forum (its `featured` collection).
    pub async fn pinned_threads(&self, forum: ActorId) -> StoreResult<Vec<String>> {
        Ok(sqlx::query_scalar(
            "SELECT ap_id FROM posts WHERE forum_id = $1 AND kind = 'thread' AND pinned = 1 \
             AND deleted_at IS NULL AND removed_at IS NULL ORDER BY last_activity_at DESC",
        )
        .bind(forum.0)
        .fetch_all(self.pool())
        .await?)
    }
}
