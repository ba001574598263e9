//! Mailing-list mode: who follows a forum or a project's forum by e-mail
//! (`mail_subscriptions`), and the queue of list mails (`list_mails`),
//! filled in the transaction that stores a post and emptied by the mail
//! job (`domain::mail_lists`).
//!
//! A queue of its own rather than `notification_mails`: those rows point
//! to a notification (`notification_id NOT NULL`) and follow the
//! recipient's per-kind choices, rate cap and digest; a list mail is a
//! copy of a post that a teacher asked for, with none of those.

use super::{
    accounts::AccountId,
    actors::ActorId,
    mail_queue::{claimable, CLAIM_LEASE_MS},
    posts::PostId,
    Store, StoreResult, Tx,
};

/// What a subscription follows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ListKind {
    /// A forum (local or remote).
    Forum,
    /// A project's members-only forum.
    Project,
}

impl ListKind {
    /// Its stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            ListKind::Forum => "forum",
            ListKind::Project => "project",
        }
    }

    fn parse(name: &str) -> Option<ListKind> {
        match name {
            "forum" => Some(ListKind::Forum),
            "project" => Some(ListKind::Project),
            _ => None,
        }
    }
}

impl TryFrom<String> for ListKind {
    type Error = String;

    fn try_from(name: String) -> Result<Self, Self::Error> {
        ListKind::parse(&name).ok_or(name)
    }
}

/// One of a teacher's subscriptions, with what it follows.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct SubscriptionRow {
    /// The forum's or project's Group actor.
    pub group_id: ActorId,
    /// Forum or project.
    #[sqlx(try_from = "String")]
    pub kind: ListKind,
    /// Its title.
    pub title: String,
    /// Its local name (`NAME` of `!NAME@domain`).
    pub name: String,
    /// Its host, empty when local.
    pub domain: String,
    /// When the teacher subscribed, unix ms.
    pub created_at: i64,
}

/// A list mail waiting in the queue, with its recipient and its post.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct QueuedListMail {
    /// The queue row.
    pub mail_id: i64,
    /// The recipient.
    pub account_id: AccountId,
    /// Their address.
    pub email: String,
    /// Their language code.
    pub locale: String,
    /// Their account status.
    pub status: String,
    /// When they verified their address.
    pub email_verified_at: Option<i64>,
    /// Forum or project.
    #[sqlx(try_from = "String")]
    pub kind: ListKind,
    /// The Group actor.
    pub group_id: ActorId,
    /// The forum's or project's title.
    pub group_title: String,
    /// Its local name.
    pub group_name: String,
    /// Its host, empty when local.
    pub group_domain: String,
    /// The post (`posts.id` or `project_posts.id`).
    pub post_id: i64,
    /// Its thread's first post (itself for a thread).
    pub thread_id: i64,
    /// The post it answers, if any.
    pub in_reply_to_id: Option<i64>,
    /// The thread's title.
    pub thread_title: String,
    /// The post's Markdown source (empty for some received posts).
    pub source: String,
    /// Its sanitised HTML.
    pub content_html: String,
    /// Its author's name, display name, host (empty when local) and
    /// verified e-mail domain (local teachers), for the label.
    pub author_name: String,
    /// The author's display name.
    pub author_display_name: String,
    /// The author's host.
    pub author_domain: String,
    /// The author's e-mail domain.
    pub author_email_domain: Option<String>,
    /// 1 while it may be mailed: post and thread neither deleted, removed
    /// nor refused; for a project, the recipient still a member.
    pub visible: i64,
}

/// The columns of [`QueuedListMail`] common to both kinds, from
/// `list_mails m`, `accounts a`, `actors g`, `actors au`.
const COMMON: &str = "m.id AS mail_id, a.id AS account_id, a.email, a.locale, a.status, \
     a.email_verified_at, g.id AS group_id, g.name AS group_name, g.domain AS group_domain, \
     au.name AS author_name, COALESCE(au.display_name, '') AS author_display_name, \
     au.domain AS author_domain, au.email_domain AS author_email_domain";

/// Queues a list mail of forum post `post` (in forum `forum`, written by
/// `author`) for every subscriber of the forum who may get mail (active,
/// address verified), but its author. A subscriber whose notification mail
/// "at once" about the same post (a reply to them, a mention) is waiting
/// gets the list mail only: the notification stays on the site, its mail
/// is dropped. Called in the transaction that stores the post, after its
/// notifications.
pub async fn queue_forum_post(
    tx: &mut Tx,
    post: PostId,
    forum: ActorId,
    author: ActorId,
) -> StoreResult<u64> {
    let now = tx.now_ms();
    let queued = sqlx::query(
        "INSERT INTO list_mails (account_id, group_id, post_id, state, created_at) \
         SELECT s.account_id, s.group_id, $1, 'pending', $2 FROM mail_subscriptions s \
         JOIN accounts a ON a.id = s.account_id \
         WHERE s.group_id = $3 AND s.kind = 'forum' AND a.status = 'active' \
         AND a.email_verified_at IS NOT NULL AND a.actor_id <> $4",
    )
    .bind(post.0)
    .bind(now)
    .bind(forum.0)
    .bind(author.0)
    .execute(&mut **tx)
    .await?
    .rows_affected();
    if queued > 0 {
        drop_notification_mails(tx, "post_id", post.0, now).await?;
    }
    Ok(queued)
}

/// Drops the notification mails "at once" waiting about post `post` (a
/// forum post when `column` is `post_id`, a project post when it is
/// `project_post_id`) for the teachers who get its list mail: one mail
/// about one post.
async fn drop_notification_mails(
    tx: &mut Tx,
    column: &str,
    post: i64,
    now: i64,
) -> StoreResult<()> {
    sqlx::query(&format!(
        "UPDATE notification_mails SET state = 'dropped', done_at = $1 \
         WHERE state = 'pending' AND mode = 'now' \
         AND notification_id IN (SELECT id FROM notifications WHERE {column} = $2) \
         AND account_id IN (SELECT account_id FROM list_mails WHERE {column} = $2)"
    ))
    .bind(now)
    .bind(post)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Queues a list mail of project post `post` (in project `project`, by
/// `author`) for every subscriber of the project's forum who is still a
/// member and may get mail, but its author. Subscriptions of teachers who
/// are no longer members end here. As for a forum post, a subscriber's
/// notification mail "at once" about the same post is dropped (called after
/// the post's notifications, in its transaction).
pub async fn queue_project_post(
    tx: &mut Tx,
    post: i64,
    project: ActorId,
    author: ActorId,
) -> StoreResult<u64> {
    sqlx::query(
        "DELETE FROM mail_subscriptions WHERE group_id = $1 AND kind = 'project' \
         AND NOT EXISTS (SELECT 1 FROM accounts a JOIN project_members pm ON pm.actor_id = a.actor_id \
         WHERE a.id = mail_subscriptions.account_id AND pm.project_id = $1 AND pm.state = 'member')",
    )
    .bind(project.0)
    .execute(&mut **tx)
    .await?;
    let now = tx.now_ms();
    let queued = sqlx::query(
        "INSERT INTO list_mails (account_id, group_id, project_post_id, state, created_at) \
         SELECT s.account_id, s.group_id, $1, 'pending', $2 FROM mail_subscriptions s \
         JOIN accounts a ON a.id = s.account_id \
         WHERE s.group_id = $3 AND s.kind = 'project' AND a.status = 'active' \
         AND a.email_verified_at IS NOT NULL AND a.actor_id <> $4",
    )
    .bind(post)
    .bind(now)
    .bind(project.0)
    .bind(author.0)
    .execute(&mut **tx)
    .await?
    .rows_affected();
    if queued > 0 {
        drop_notification_mails(tx, "project_post_id", post, now).await?;
    }
    Ok(queued)
}

impl Store {
    /// Subscribes `account` to the forum or project `group` (again: no
    /// change).
    pub async fn add_mail_subscription(
        &self,
        account: AccountId,
        group: ActorId,
        kind: ListKind,
    ) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO mail_subscriptions (account_id, group_id, kind, created_at) \
             VALUES ($1, $2, $3, $4) ON CONFLICT (account_id, group_id) DO NOTHING",
        )
        .bind(account.0)
        .bind(group.0)
        .bind(kind.as_str())
        .bind(self.now_ms())
        .execute(self.pool())
        .await?;
        Ok(())
    }

    /// Ends `account`'s subscription to `group`; answers whether there
    /// was one.
    pub async fn remove_mail_subscription(
        &self,
        account: AccountId,
        group: ActorId,
    ) -> StoreResult<bool> {
        let mut tx = self.begin().await?;
        let removed =
            sqlx::query("DELETE FROM mail_subscriptions WHERE account_id = $1 AND group_id = $2")
                .bind(account.0)
                .bind(group.0)
                .execute(&mut *tx)
                .await?
                .rows_affected();
        // What was queued and not sent yet is not sent any more (nor
        // retried, if a process died while sending it).
        sqlx::query(
            "UPDATE list_mails SET state = 'dropped', done_at = $1 \
             WHERE account_id = $2 AND group_id = $3 AND state IN ('pending', 'sending')",
        )
        .bind(self.now_ms())
        .bind(account.0)
        .bind(group.0)
        .execute(&mut *tx)
        .await?;
        super::commit(tx).await?;
        Ok(removed > 0)
    }

    /// Whether `account` follows `group` by e-mail (a project's only while
    /// a member).
    pub async fn has_mail_subscription(
        &self,
        account: AccountId,
        group: ActorId,
    ) -> StoreResult<bool> {
        let found: Option<i64> = sqlx::query_scalar(
            "SELECT 1 FROM mail_subscriptions s JOIN accounts a ON a.id = s.account_id \
             WHERE s.account_id = $1 AND s.group_id = $2 AND (s.kind = 'forum' OR EXISTS ( \
             SELECT 1 FROM project_members pm WHERE pm.project_id = s.group_id \
             AND pm.actor_id = a.actor_id AND pm.state = 'member'))",
        )
        .bind(account.0)
        .bind(group.0)
        .fetch_optional(self.pool())
        .await?;
        Ok(found.is_some())
    }

    /// `account`'s subscriptions, forums then projects, by title (a
    /// project's only while a member).
    pub async fn mail_subscriptions_of(
        &self,
        account: AccountId,
    ) -> StoreResult<Vec<SubscriptionRow>> {
        Ok(sqlx::query_as(
            "SELECT s.group_id, s.kind, COALESCE(f.title, p.title, g.name) AS title, g.name, \
             g.domain, s.created_at FROM mail_subscriptions s \
             JOIN accounts a ON a.id = s.account_id \
             JOIN actors g ON g.id = s.group_id \
             LEFT JOIN forums f ON f.actor_id = s.group_id AND s.kind = 'forum' \
             LEFT JOIN projects p ON p.actor_id = s.group_id AND s.kind = 'project' \
             WHERE s.account_id = $1 AND (s.kind = 'forum' OR EXISTS ( \
             SELECT 1 FROM project_members pm WHERE pm.project_id = s.group_id \
             AND pm.actor_id = a.actor_id AND pm.state = 'member')) \
             ORDER BY s.kind, title, s.group_id",
        )
        .bind(account.0)
        .fetch_all(self.pool())
        .await?)
    }

    /// Up to `limit` list mails to send, oldest first: pending ones, and
    /// those claimed by a process that died (see [`super::mail_queue`]).
    pub async fn pending_list_mails(&self, limit: i64) -> StoreResult<Vec<QueuedListMail>> {
        let claimable = claimable("m", "$2");
        let lapsed = self.now_ms() - CLAIM_LEASE_MS;
        let mut rows: Vec<QueuedListMail> = sqlx::query_as(&format!(
            "SELECT {COMMON}, 'forum' AS kind, f.title AS group_title, p.id AS post_id, \
             COALESCE(p.thread_id, p.id) AS thread_id, p.in_reply_to_id, \
             COALESCE(t.title, p.title) AS thread_title, p.source, p.content_html, \
             CASE WHEN p.deleted_at IS NULL AND p.removed_at IS NULL AND p.refused_at IS NULL \
             AND (t.id IS NULL OR (t.deleted_at IS NULL AND t.removed_at IS NULL)) \
             THEN 1 ELSE 0 END AS visible \
             FROM list_mails m JOIN accounts a ON a.id = m.account_id \
             JOIN posts p ON p.id = m.post_id \
             LEFT JOIN posts t ON t.id = p.thread_id \
             JOIN actors g ON g.id = m.group_id JOIN forums f ON f.actor_id = m.group_id \
             JOIN actors au ON au.id = p.author_id \
             WHERE {claimable} ORDER BY m.id LIMIT $1"
        ))
        .bind(limit)
        .bind(lapsed)
        .fetch_all(self.pool())
        .await?;
        let projects: Vec<QueuedListMail> = sqlx::query_as(&format!(
            "SELECT {COMMON}, 'project' AS kind, pr.title AS group_title, p.id AS post_id, \
             COALESCE(p.thread_id, p.id) AS thread_id, p.in_reply_to_id, \
             COALESCE(t.title, p.title) AS thread_title, p.source, p.content_html, \
             CASE WHEN p.deleted_at IS NULL AND p.refused_at IS NULL \
             AND (t.id IS NULL OR t.deleted_at IS NULL) AND EXISTS ( \
             SELECT 1 FROM project_members pm WHERE pm.project_id = m.group_id \
             AND pm.actor_id = a.actor_id AND pm.state = 'member') \
             THEN 1 ELSE 0 END AS visible \
             FROM list_mails m JOIN accounts a ON a.id = m.account_id \
             JOIN project_posts p ON p.id = m.project_post_id \
             LEFT JOIN project_posts t ON t.id = p.thread_id \
             JOIN actors g ON g.id = m.group_id JOIN projects pr ON pr.actor_id = m.group_id \
             JOIN actors au ON au.id = p.author_id \
             WHERE {claimable} ORDER BY m.id LIMIT $1"
        ))
        .bind(limit)
        .bind(lapsed)
        .fetch_all(self.pool())
        .await?;
        rows.extend(projects);
        rows.sort_by_key(|row| row.mail_id);
        rows.truncate(usize::try_from(limit).unwrap_or(0));
        Ok(rows)
    }
}
