//! Notifications of local teachers: written in the transaction of the
//! event that causes them (for now, a reply to a teacher's thread or post,
//! local or received), read a page at a time and marked read by their
//! recipient only.

use super::{validate, Domain, DomainResult, Refusal};
use crate::domain::store::{
    accounts::AccountRow,
    actors::ActorRow,
    notifications,
    posts::{PostId, PostKind},
    Tx,
};

/// Notifications per page.
pub const NOTIFICATIONS_PER_PAGE: i64 = 20;
/// Most notification ids one request may mark read.
pub const MAX_MARKED: usize = 200;
/// Longest excerpt of the object, in characters.
const EXCERPT_CHARS: usize = 200;

/// One notification as its recipient reads it.
#[derive(Debug, Clone)]
pub struct Notification {
    /// Its id (what `mark_read` takes).
    pub id: i64,
    /// `reply`.
    pub kind: String,
    /// Who caused it.
    pub actor: ActorRow,
    /// The reply.
    pub post_id: PostId,
    /// Its thread.
    pub thread_id: PostId,
    /// The thread's title.
    pub thread_title: String,
    /// The forum's local name and host (empty when local).
    pub forum_name: String,
    /// The forum's host, empty when local.
    pub forum_domain: String,
    /// The forum's title.
    pub forum_title: String,
    /// The start of the reply, as plain text.
    pub excerpt: String,
    /// When, unix ms.
    pub created_at: i64,
    /// When it was read, unix ms.
    pub read_at: Option<i64>,
}

/// A page of a teacher's notifications, with the count of unread ones.
#[derive(Debug, Clone)]
pub struct NotificationPage {
    /// Unread notifications in all.
    pub unread: i64,
    /// This page, newest first.
    pub items: Vec<Notification>,
}

/// Which notifications to mark read.
#[derive(Debug, Clone)]
pub enum MarkRead {
    /// These (the caller's only; others are ignored).
    Ids(Vec<i64>),
    /// All of the caller's.
    All,
}

/// The first characters of a post, as plain text on one line.
pub(crate) fn excerpt(source: &str, html: &str) -> String {
    let text = if source.trim().is_empty() {
        super::rendering::html_text_now(html)
    } else {
        source.to_string()
    };
    let words = text.split_whitespace().collect::<Vec<_>>().join(" ");
    let mut cut: String = words.chars().take(EXCERPT_CHARS).collect();
    if cut.len() < words.len() {
        cut.push('…');
    }
    cut
}

/// Notifies the local authors of the post answered and of its thread of a
/// reply just stored in `tx` (nothing for a thread, nor for one's own
/// reply). Forum posts are public: whoever wrote the post answered may read
/// the reply.
pub(crate) async fn notify_new_post(
    tx: &mut Tx,
    post: PostId,
    kind: PostKind,
    author: crate::domain::store::actors::ActorId,
    parent: Option<PostId>,
    thread: Option<PostId>,
) -> DomainResult<()> {
    if kind != PostKind::Reply {
        return Ok(());
    }
    if let (Some(parent), Some(thread)) = (parent, thread) {
        notifications::notify_reply(tx, post, author, parent, thread).await?;
    }
    Ok(())
}

impl Domain {
    /// Page `page` (from 1) of `account`'s notifications, newest first,
    /// and how many are unread.
    pub async fn notifications_for(
        &self,
        account: &AccountRow,
        page: i64,
    ) -> DomainResult<NotificationPage> {
        if !(1..=validate::MAX_PAGE).contains(&page) {
            return Err(Refusal::InvalidPage("page".into()).into());
        }
        let rows = self
            .store
            .notifications_of(
                account.id,
                NOTIFICATIONS_PER_PAGE,
                (page - 1) * NOTIFICATIONS_PER_PAGE,
            )
            .await?;
        let items = rows
            .into_iter()
            .map(|row| Notification {
                excerpt: excerpt(&row.post_source, &row.post_html),
                id: row.id,
                kind: row.kind,
                actor: row.actor,
                post_id: row.post_id,
                thread_id: row.thread_id,
                thread_title: row.thread_title,
                forum_name: row.forum_name,
                forum_domain: row.forum_domain,
                forum_title: row.forum_title,
                created_at: row.created_at,
                read_at: row.read_at,
            })
            .collect();
        Ok(NotificationPage {
            unread: self.store.unread_notifications(account.id).await?,
            items,
        })
    }

    /// Marks some or all of `account`'s notifications read; answers the
    /// unread count left. Ids of other teachers' notifications change
    /// nothing.
    pub async fn mark_notifications_read(
        &self,
        account: &AccountRow,
        which: &MarkRead,
    ) -> DomainResult<i64> {
        match which {
            MarkRead::All => self.store.mark_notifications_read(account.id, None).await?,
            MarkRead::Ids(ids) if ids.is_empty() => {
                return Err(Refusal::FieldRequired("ids".into()).into())
            }
            MarkRead::Ids(ids) if ids.len() > MAX_MARKED => {
                return Err(Refusal::TooManyItems("ids".into()).into())
            }
            MarkRead::Ids(ids) => {
                self.store
                    .mark_notifications_read(account.id, Some(ids))
                    .await?
            }
        }
        Ok(self.store.unread_notifications(account.id).await?)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    use super::*;

    #[test]
    fn excerpt_is_plain_text_on_one_line_and_cut() {
        assert_eq!(excerpt("Bonjour\n\n  à tous", ""), "Bonjour à tous");
        assert_eq!(excerpt("", "<p>Texte <b>distant</b></p>"), "Texte distant");
        let long = "é".repeat(300);
        let cut = excerpt(&long, "");
        assert_eq!(cut.chars().count(), EXCERPT_CHARS + 1);
        assert!(cut.ends_with('…'));
    }
}
