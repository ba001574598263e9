//! The `notifications` table: what happened that concerns a local teacher,
//! written in the transaction of the event through one function,
//! [`insert_notification`], read and marked read by its recipient.

use super::{
    accounts::AccountId,
    actors::{ActorId, ActorRow},
    live::LiveEvent,
    posts::PostId,
    Store, StoreResult, Tx,
};
use crate::domain::notification_settings::Delivery;

/// What a notification is about. Its text is the catalog message
/// `notification-<as_str()>` (arguments `$actor`, `$title`, `$detail`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum NotificationKind {
    /// A reply to the recipient's thread or post.
    Reply,
    /// The recipient is mentioned in a post.
    Mention,
    /// The recipient is invited to a project.
    Invitation,
    /// Someone asks to be the recipient's contact.
    ContactRequest,
    /// A contact request of the recipient was accepted.
    ContactAccepted,
    /// A contact request of the recipient was refused.
    ContactRefused,
    /// Someone asks to join a project the recipient decides for.
    JoinRequest,
    /// A new member in one of the recipient's projects.
    NewMember,
    /// A new event in one of the recipient's projects.
    NewEvent,
    /// A new document in one of the recipient's projects.
    NewDocument,
    /// A report in a forum the recipient moderates.
    Report,
    /// A sign-up waits for an admin's approval.
    SignupPending,
    /// The recipient's sign-up was approved.
    SignupApproved,
    /// A moderator removed the recipient's post.
    PostRemoved,
    /// A remote forum or project host refused the recipient's post.
    PostRefused,
    /// The recipient is invited to a conversation.
    ConversationInvitation,
    /// The creator of a conversation removed the recipient from it.
    ConversationRemoved,
    /// The host of a conversation (elsewhere) refused the recipient's
    /// answer to its invitation.
    ConversationRefused,
}

impl NotificationKind {
    /// Every kind, in a stable order.
    pub const ALL: [NotificationKind; 18] = [
        NotificationKind::Reply,
        NotificationKind::Mention,
        NotificationKind::Invitation,
        NotificationKind::ContactRequest,
        NotificationKind::ContactAccepted,
        NotificationKind::ContactRefused,
        NotificationKind::JoinRequest,
        NotificationKind::NewMember,
        NotificationKind::NewEvent,
        NotificationKind::NewDocument,
        NotificationKind::Report,
        NotificationKind::SignupPending,
        NotificationKind::SignupApproved,
        NotificationKind::PostRemoved,
        NotificationKind::PostRefused,
        NotificationKind::ConversationInvitation,
        NotificationKind::ConversationRemoved,
        NotificationKind::ConversationRefused,
    ];

    /// Its stored and API name.
    pub fn as_str(self) -> &'static str {
        match self {
            NotificationKind::Reply => "reply",
            NotificationKind::Mention => "mention",
            NotificationKind::Invitation => "invitation",
            NotificationKind::ContactRequest => "contact_request",
            NotificationKind::ContactAccepted => "contact_accepted",
            NotificationKind::ContactRefused => "contact_refused",
            NotificationKind::JoinRequest => "join_request",
            NotificationKind::NewMember => "new_member",
            NotificationKind::NewEvent => "new_event",
            NotificationKind::NewDocument => "new_document",
            NotificationKind::Report => "report",
            NotificationKind::SignupPending => "signup_pending",
            NotificationKind::SignupApproved => "signup_approved",
            NotificationKind::PostRemoved => "post_removed",
            NotificationKind::PostRefused => "post_refused",
            NotificationKind::ConversationInvitation => "conversation_invitation",
            NotificationKind::ConversationRemoved => "conversation_removed",
            NotificationKind::ConversationRefused => "conversation_refused",
        }
    }

    /// The kind stored as `name`.
    pub fn parse(name: &str) -> Option<NotificationKind> {
        NotificationKind::ALL
            .into_iter()
            .find(|kind| kind.as_str() == name)
    }
}

impl TryFrom<String> for NotificationKind {
    type Error = String;

    fn try_from(name: String) -> Result<Self, Self::Error> {
        NotificationKind::parse(&name).ok_or(name)
    }
}

/// Who receives a notification. Only active local accounts ever do
/// (never one waiting for verification or approval, nor a suspended one),
/// and never the actor who caused it.
#[derive(Debug, Clone)]
pub enum Recipients {
    /// This local account.
    Account(AccountId),
    /// The local accounts of these actors (remote actors receive nothing).
    Actors(Vec<ActorId>),
    /// The local members of a project.
    ProjectMembers(ActorId),
    /// The local members of a project but one (who made the change).
    ProjectMembersBut(ActorId, ActorId),
    /// The local owners and moderators of a project.
    ProjectDeciders(ActorId),
    /// Those of these actors who are local members of a project.
    MembersAmong(ActorId, Vec<ActorId>),
    /// The local moderators of a forum.
    ForumModerators(ActorId),
    /// The instance's admins.
    Admins,
}

/// A notification to write: what the recipient reads and what it points to.
#[derive(Debug, Clone)]
pub struct NewNotification {
    /// What it is about.
    pub kind: NotificationKind,
    /// Who caused it, if someone did; they are never notified of it.
    pub actor: Option<ActorId>,
    /// The post concerned, if any.
    pub post: Option<PostId>,
    /// That post's thread.
    pub thread: Option<PostId>,
    /// The project concerned, if any.
    pub project: Option<ActorId>,
    /// The post of the project's forum concerned, if any (its mails carry
    /// a reply address for its thread).
    pub project_post: Option<i64>,
    /// The forum concerned, if any.
    pub forum: Option<ActorId>,
    /// The local account concerned (a sign-up waiting for approval).
    pub subject_account: Option<AccountId>,
    /// What the object is called (thread title, project name...).
    pub title: String,
    /// The start of the object, plain text, one line.
    pub excerpt: String,
    /// A reason or an answer.
    pub detail: Option<String>,
    /// The path on this instance that opens the object.
    pub link: String,
    /// Names the event: the same key twice for a recipient and kind is a
    /// no-op (`post:12`, the id of the activity received...).
    pub event_key: String,
}

impl NewNotification {
    /// A notification of `kind` keyed by `event_key`, pointing to nothing
    /// yet (set the fields that apply).
    pub fn new(kind: NotificationKind, event_key: String) -> NewNotification {
        NewNotification {
            kind,
            actor: None,
            post: None,
            thread: None,
            project: None,
            project_post: None,
            forum: None,
            subject_account: None,
            title: String::new(),
            excerpt: String::new(),
            detail: None,
            link: String::new(),
            event_key,
        }
    }
}

/// `actors` as an SQL list of literals (ids are integers); `None` when
/// empty.
fn id_list(actors: &[ActorId]) -> Option<String> {
    (!actors.is_empty()).then(|| {
        actors
            .iter()
            .map(|actor| actor.0.to_string())
            .collect::<Vec<_>>()
            .join(",")
    })
}

/// The accounts of `rows` (account, actor) in the order `actors` names
/// them, each once.
fn in_named_order(actors: &[ActorId], rows: Vec<(i64, i64)>) -> Vec<i64> {
    let mut found = Vec::new();
    for actor in actors {
        for (account, _) in rows.iter().filter(|(_, of)| *of == actor.0) {
            if !found.contains(account) {
                found.push(*account);
            }
        }
    }
    found
}

/// The active local accounts `recipients` names, but `actor`'s own.
async fn resolve(
    tx: &mut Tx,
    recipients: &Recipients,
    actor: Option<ActorId>,
) -> StoreResult<Vec<AccountId>> {
    const ACTIVE: &str = "SELECT DISTINCT accounts.id FROM accounts";
    let not_actor = actor.map(|id| id.0).unwrap_or(-1);
    let ids: Vec<i64> = match recipients {
        Recipients::Account(account) => {
            sqlx::query_scalar(&format!(
                "{ACTIVE} WHERE accounts.id = $1 AND accounts.status = 'active' \
                 AND accounts.actor_id <> $2"
            ))
            .bind(account.0)
            .bind(not_actor)
            .fetch_all(&mut **tx)
            .await?
        }
        Recipients::Actors(actors) => {
            // One query for all (a post may mention 20 teachers), answered
            // in the order named.
            let Some(list) = id_list(actors) else {
                return Ok(Vec::new());
            };
            let rows: Vec<(i64, i64)> = sqlx::query_as(&format!(
                "SELECT accounts.id, accounts.actor_id FROM accounts \
                 WHERE accounts.actor_id IN ({list}) AND accounts.status = 'active' \
                 AND accounts.actor_id <> $1"
            ))
            .bind(not_actor)
            .fetch_all(&mut **tx)
            .await?;
            in_named_order(actors, rows)
        }
        Recipients::ProjectMembers(project)
        | Recipients::ProjectDeciders(project)
        | Recipients::ProjectMembersBut(project, _) => {
            let roles = match recipients {
                Recipients::ProjectDeciders(_) => {
                    "AND project_members.role IN ('owner', 'moderator')".to_string()
                }
                Recipients::ProjectMembersBut(_, but) => {
                    format!("AND accounts.actor_id <> {}", but.0)
                }
                _ => String::new(),
            };
            sqlx::query_scalar(&format!(
                "{ACTIVE} JOIN project_members ON project_members.actor_id = accounts.actor_id \
                 WHERE project_members.project_id = $1 AND project_members.state = 'member' {roles} \
                 AND accounts.status = 'active' AND accounts.actor_id <> $2 ORDER BY accounts.id"
            ))
            .bind(project.0)
            .bind(not_actor)
            .fetch_all(&mut **tx)
            .await?
        }
        Recipients::MembersAmong(project, actors) => {
            let Some(list) = id_list(actors) else {
                return Ok(Vec::new());
            };
            let rows: Vec<(i64, i64)> = sqlx::query_as(&format!(
                "SELECT DISTINCT accounts.id, accounts.actor_id FROM accounts \
                 JOIN project_members ON project_members.actor_id = accounts.actor_id \
                 WHERE project_members.project_id = $1 AND project_members.state = 'member' \
                 AND accounts.actor_id IN ({list}) AND accounts.status = 'active' \
                 AND accounts.actor_id <> $2"
            ))
            .bind(project.0)
            .bind(not_actor)
            .fetch_all(&mut **tx)
            .await?;
            in_named_order(actors, rows)
        }
        Recipients::ForumModerators(forum) => {
            sqlx::query_scalar(&format!(
                "{ACTIVE} JOIN forum_moderators ON forum_moderators.actor_id = accounts.actor_id \
                 WHERE forum_moderators.forum_id = $1 \
                 AND accounts.status = 'active' AND accounts.actor_id <> $2 ORDER BY accounts.id"
            ))
            .bind(forum.0)
            .bind(not_actor)
            .fetch_all(&mut **tx)
            .await?
        }
        Recipients::Admins => {
            sqlx::query_scalar(&format!(
                "{ACTIVE} WHERE accounts.is_admin <> 0 \
                 AND accounts.status = 'active' AND accounts.actor_id <> $1 ORDER BY accounts.id"
            ))
            .bind(not_actor)
            .fetch_all(&mut **tx)
            .await?
        }
    };
    Ok(ids.into_iter().map(AccountId).collect())
}

/// Writes `note` for each of `recipients` (only active local accounts,
/// never its actor) in `tx`; the same event again for a recipient is a
/// no-op. Answers the ids of the rows written. Every notification of the
/// instance goes through here.
pub async fn insert_notification(
    tx: &mut Tx,
    recipients: &Recipients,
    note: &NewNotification,
) -> StoreResult<Vec<i64>> {
    let now = tx.now_ms();
    let mut written = Vec::new();
    for recipient in resolve(tx, recipients, note.actor).await? {
        let delivery =
            super::notification_mail::delivery_in(tx, recipient, note.kind.as_str()).await?;
        if delivery == Delivery::Off {
            continue;
        }
        let id: Option<i64> = sqlx::query_scalar(
            "INSERT INTO notifications (recipient_id, kind, actor_id, post_id, thread_id, \
             project_id, forum_id, subject_account_id, title, excerpt, detail, link, event_key, \
             created_at, project_post_id) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15) \
             ON CONFLICT (recipient_id, kind, event_key) DO NOTHING RETURNING id",
        )
        .bind(recipient.0)
        .bind(note.kind.as_str())
        .bind(note.actor.map(|id| id.0))
        .bind(note.post.map(|id| id.0))
        .bind(note.thread.map(|id| id.0))
        .bind(note.project.map(|id| id.0))
        .bind(note.forum.map(|id| id.0))
        .bind(note.subject_account.map(|id| id.0))
        .bind(&note.title)
        .bind(&note.excerpt)
        .bind(note.detail.as_deref())
        .bind(&note.link)
        .bind(&note.event_key)
        .bind(now)
        .bind(note.project_post)
        .fetch_optional(&mut **tx)
        .await?;
        if let Some(id) = id {
            super::notification_mail::queue_notification_mail(tx, id, recipient, delivery).await?;
            super::live::announce(tx, LiveEvent::Notification { id, recipient }).await?;
            written.push(id);
        }
    }
    Ok(written)
}

/// The local authors (actors) of `posts`.
pub async fn local_authors(tx: &mut Tx, posts: &[PostId]) -> StoreResult<Vec<ActorId>> {
    let ids: Vec<i64> = posts.iter().map(|post| post.0).collect();
    local_authors_in(tx, "posts", &ids).await
}

/// The local authors (actors) of the project posts `posts`.
pub async fn local_project_authors(tx: &mut Tx, posts: &[i64]) -> StoreResult<Vec<ActorId>> {
    local_authors_in(tx, "project_posts", posts).await
}

/// The local authors of rows `ids` of `table` (`posts` or `project_posts`),
/// each once.
async fn local_authors_in(tx: &mut Tx, table: &str, ids: &[i64]) -> StoreResult<Vec<ActorId>> {
    let mut authors = Vec::new();
    for id in ids {
        let author: Option<i64> = sqlx::query_scalar(&format!(
            "SELECT {table}.author_id FROM {table} \
             JOIN accounts ON accounts.actor_id = {table}.author_id WHERE {table}.id = $1"
        ))
        .bind(id)
        .fetch_optional(&mut **tx)
        .await?;
        if let Some(author) = author.map(ActorId) {
            if !authors.contains(&author) {
                authors.push(author);
            }
        }
    }
    Ok(authors)
}

/// The Markdown source, HTML and forum of post `post`, if it exists.
pub async fn post_text(
    tx: &mut Tx,
    post: PostId,
) -> StoreResult<Option<(String, String, ActorId)>> {
    let row: Option<(String, String, i64)> =
        sqlx::query_as("SELECT source, content_html, forum_id FROM posts WHERE id = $1")
            .bind(post.0)
            .fetch_optional(&mut **tx)
            .await?;
    Ok(row.map(|(source, html, forum)| (source, html, ActorId(forum))))
}

/// The title of post `post` (a thread's), empty when unknown.
pub async fn post_title(tx: &mut Tx, post: PostId) -> StoreResult<String> {
    let title: Option<String> = sqlx::query_scalar("SELECT title FROM posts WHERE id = $1")
        .bind(post.0)
        .fetch_optional(&mut **tx)
        .await?;
    Ok(title.unwrap_or_default())
}

/// One notification as stored, with the forum of its post (if any).
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct NotificationRow {
    /// Database id.
    pub id: i64,
    /// What it is about.
    #[sqlx(try_from = "String")]
    pub kind: NotificationKind,
    /// Who caused it, if someone did.
    pub actor_id: Option<ActorId>,
    /// The post concerned.
    pub post_id: Option<PostId>,
    /// Its thread.
    pub thread_id: Option<PostId>,
    /// The project concerned.
    pub project_id: Option<ActorId>,
    /// What the object is called.
    pub title: String,
    /// The start of the object, plain text.
    pub excerpt: String,
    /// A reason or an answer.
    pub detail: Option<String>,
    /// The path that opens the object.
    pub link: String,
    /// The post's Markdown source (rows written before excerpts were
    /// stored take their excerpt from it).
    pub post_source: Option<String>,
    /// The post's sanitised HTML.
    pub post_html: Option<String>,
    /// The forum's local name (the `NAME` of `!NAME@domain`).
    pub forum_name: Option<String>,
    /// The forum's host, empty when local.
    pub forum_domain: Option<String>,
    /// The forum's title.
    pub forum_title: Option<String>,
    /// When, unix ms.
    pub created_at: i64,
    /// When it was read, unix ms.
    pub read_at: Option<i64>,
}

/// What a recipient may still see: a reply or mention in a forum whose
/// post and thread are neither deleted nor removed; a reply or mention in
/// a project's forum (no forum post, a project) and news of a project they
/// still belong to.
pub(super) const VISIBLE: &str = "(notifications.kind NOT IN ('reply', 'mention') \
     OR (notifications.post_id IS NULL AND notifications.project_id IS NOT NULL) OR ( \
     reply.id IS NOT NULL AND reply.deleted_at IS NULL AND reply.removed_at IS NULL \
     AND (thread.id IS NULL OR (thread.deleted_at IS NULL AND thread.removed_at IS NULL)))) \
     AND (notifications.kind NOT IN ('new_member', 'new_event', 'new_document', 'mention', 'reply') \
     OR notifications.project_id IS NULL OR EXISTS ( \
     SELECT 1 FROM project_members JOIN accounts member ON member.actor_id = project_members.actor_id \
     WHERE member.id = notifications.recipient_id \
     AND project_members.project_id = notifications.project_id \
     AND project_members.state = 'member'))";

pub(super) const JOINS: &str = "LEFT JOIN posts reply ON reply.id = notifications.post_id \
     LEFT JOIN posts thread ON thread.id = notifications.thread_id";

impl Store {
    /// `recipient`'s notifications, newest first, `limit` from `offset`.
    pub async fn notifications_of(
        &self,
        recipient: AccountId,
        limit: i64,
        offset: i64,
    ) -> StoreResult<Vec<NotificationRow>> {
        Ok(sqlx::query_as(&format!(
            "SELECT notifications.id, notifications.kind, notifications.actor_id, \
             notifications.post_id, notifications.thread_id, notifications.project_id, \
             notifications.forum_id, notifications.title, notifications.excerpt, \
             notifications.detail, notifications.link, \
             reply.source AS post_source, reply.content_html AS post_html, \
             forum_actor.name AS forum_name, forum_actor.domain AS forum_domain, \
             forums.title AS forum_title, notifications.created_at, notifications.read_at \
             FROM notifications {JOINS} \
             LEFT JOIN forums ON forums.actor_id = notifications.forum_id \
             LEFT JOIN actors forum_actor ON forum_actor.id = notifications.forum_id \
             WHERE notifications.recipient_id = $1 AND {VISIBLE} \
             ORDER BY notifications.created_at DESC, notifications.id DESC LIMIT $2 OFFSET $3"
        ))
        .bind(recipient.0)
        .bind(limit)
        .bind(offset)
        .fetch_all(self.pool())
        .await?)
    }

    /// The actors of a page of notifications.
    pub async fn notification_actors(&self, ids: &[ActorId]) -> StoreResult<Vec<ActorRow>> {
        let mut actors: Vec<ActorRow> = Vec::new();
        for id in ids {
            if actors.iter().any(|actor| actor.id == *id) {
                continue;
            }
            actors.extend(self.actor_by_id(*id).await?);
        }
        Ok(actors)
    }

    /// How many of `recipient`'s notifications are unread.
    pub async fn unread_notifications(&self, recipient: AccountId) -> StoreResult<i64> {
        Ok(sqlx::query_scalar(&format!(
            "SELECT COUNT(*) FROM notifications {JOINS} \
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

impl Store {
    /// The thread and post of `recipient`'s notification `id`, for the
    /// link that opens it (`None`: not theirs, or no longer visible).
    pub async fn notification_target(
        &self,
        recipient: AccountId,
        id: i64,
    ) -> StoreResult<Option<String>> {
        Ok(sqlx::query_scalar(&format!(
            "SELECT notifications.link FROM notifications {JOINS} \
             WHERE notifications.recipient_id = $1 AND notifications.id = $2 AND {VISIBLE}"
        ))
        .bind(recipient.0)
        .bind(id)
        .fetch_optional(self.pool())
        .await?)
    }
}
