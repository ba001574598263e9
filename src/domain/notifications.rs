//! Notifications of local teachers: written in the transaction of the
//! event that causes them (for now, a reply to a teacher's thread or post,
//! local or received), read a page at a time and marked read by their
//! recipient only.

use super::{validate, Domain, DomainResult, Refusal};
use crate::domain::store::{
    accounts::AccountRow,
    actors::{ActorId, ActorRow},
    notifications::{self, local_authors, NewNotification, Recipients},
    posts::{NewPost, PostId, PostKind},
    Tx,
};

pub use crate::domain::store::notifications::NotificationKind;

/// Notifications per page.
pub const NOTIFICATIONS_PER_PAGE: i64 = 20;
/// Most notification ids one request may mark read.
pub const MAX_MARKED: usize = 200;
/// Longest excerpt of the object, in characters.
const EXCERPT_CHARS: usize = 200;

/// The forum a notification's post is in.
#[derive(Debug, Clone)]
pub struct NotifiedForum {
    /// Its local name (the `NAME` of `!NAME@domain`).
    pub name: String,
    /// Its host, empty when local.
    pub domain: String,
    /// Its title.
    pub title: String,
}

/// One notification as its recipient reads it. Its text is the catalog
/// message `notification-<kind>` with `$actor`, `$title` and `$detail`
/// (see [`Notification::text_args`]).
#[derive(Debug, Clone)]
pub struct Notification {
    /// Its id (what `mark_read` takes).
    pub id: i64,
    /// What it is about.
    pub kind: NotificationKind,
    /// Who caused it, if someone did.
    pub actor: Option<ActorRow>,
    /// What the object is called: thread title, project name, forum
    /// title, the name of a person signing up...
    pub title: String,
    /// The start of the object, plain text, one line (may be empty).
    pub excerpt: String,
    /// A reason or an answer.
    pub detail: Option<String>,
    /// The path on this instance that opens the object.
    pub link: String,
    /// The post concerned (replies, mentions, removals, refusals).
    pub post_id: Option<PostId>,
    /// Its thread.
    pub thread_id: Option<PostId>,
    /// The forum of that post, or the forum concerned (reports).
    pub forum: Option<NotifiedForum>,
    /// The project concerned, if any.
    pub project_id: Option<ActorId>,
    /// When, unix ms.
    pub created_at: i64,
    /// When it was read, unix ms.
    pub read_at: Option<i64>,
}

impl Notification {
    /// The arguments of its catalog message `notification-<kind>`: the
    /// actor's display name (else their name), the title, the detail
    /// (empty when none).
    pub fn text_args(&self) -> [(&'static str, String); 3] {
        let actor = self
            .actor
            .as_ref()
            .map(|actor| {
                if actor.display_name.trim().is_empty() {
                    actor.name.clone()
                } else {
                    actor.display_name.clone()
                }
            })
            .unwrap_or_default();
        [
            ("actor", actor),
            ("title", self.title.clone()),
            ("detail", self.detail.clone().unwrap_or_default()),
        ]
    }

    /// Its text in `lang`, from the catalog (a refusal's reason too, when
    /// it is one of Préau's error messages: [`Catalogs::reason`]).
    ///
    /// [`Catalogs::reason`]: crate::i18n::Catalogs::reason
    pub fn text(&self, lang: crate::i18n::Lang) -> String {
        let catalogs = crate::i18n::Catalogs::get();
        let mut args = self.text_args();
        args[2].1 = catalogs.reason(lang, &args[2].1);
        let args: Vec<(&str, &str)> = args
            .iter()
            .map(|(name, value)| (*name, value.as_str()))
            .collect();
        catalogs.format(lang, &format!("notification-{}", self.kind.as_str()), &args)
    }
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

/// The first characters of a text as a reader sees it (the rendered
/// HTML's text, else the Markdown source), as plain text on one line:
/// never `**bold**` marks.
pub(crate) fn excerpt(source: &str, html: &str) -> String {
    let text = if html.trim().is_empty() {
        source.to_string()
    } else {
        super::rendering::html_text_now(html)
    };
    let words = text.split_whitespace().collect::<Vec<_>>().join(" ");
    let mut cut: String = words.chars().take(EXCERPT_CHARS).collect();
    if cut.len() < words.len() {
        cut.push('…');
    }
    cut
}

/// The path of a forum post on this instance.
pub(crate) fn post_link(thread: PostId, post: PostId) -> String {
    if thread == post {
        format!("/threads/{}", thread.0)
    } else {
        format!("/threads/{}#post-{}", thread.0, post.0)
    }
}

/// Writes `note` for `recipients` in `tx`: the one way the domain
/// notifies (only active local accounts, never the actor; the same event
/// twice is a no-op). Answers the ids written.
pub(crate) async fn notify(
    tx: &mut Tx,
    recipients: Recipients,
    note: NewNotification,
) -> DomainResult<Vec<i64>> {
    Ok(notifications::insert_notification(tx, &recipients, &note).await?)
}

/// Notifies the local teachers a post just stored in `tx` mentions
/// (`mentioned`: local actors), then the local authors of the post
/// answered and of its thread of a reply (never one's own post). Forum
/// posts are public: whoever is mentioned or answered may read them. A
/// teacher both answered and mentioned gets one notification, of kind
/// `mention`.
pub(crate) async fn notify_new_post(
    tx: &mut Tx,
    post: PostId,
    new: &NewPost,
    mentioned: &[ActorId],
) -> DomainResult<()> {
    notify_mentions(
        tx,
        post,
        new.thread_id.unwrap_or(post),
        new.author_id,
        mentioned,
    )
    .await?;
    if new.kind != PostKind::Reply {
        return Ok(());
    }
    if let (Some(parent), Some(thread)) = (new.in_reply_to_id, new.thread_id) {
        let authors: Vec<ActorId> = local_authors(tx, &[parent, thread])
            .await?
            .into_iter()
            .filter(|author| !mentioned.contains(author))
            .collect();
        if authors.is_empty() {
            return Ok(());
        }
        let mut note = NewNotification::new(NotificationKind::Reply, format!("post:{}", post.0));
        note.actor = Some(new.author_id);
        note.post = Some(post);
        note.thread = Some(thread);
        note.forum = Some(new.forum_id);
        note.title = notifications::post_title(tx, thread).await?;
        note.excerpt = excerpt(&new.source, &new.content_html);
        note.link = post_link(thread, post);
        notify(tx, Recipients::Actors(authors), note).await?;
    }
    Ok(())
}

/// Notifies the local teachers `mentioned` of the forum post `post` (of
/// thread `thread`) written by `author`, as stored in `tx` (a new post or
/// an edit): once per post and teacher, never the author.
pub(crate) async fn notify_mentions(
    tx: &mut Tx,
    post: PostId,
    thread: PostId,
    author: ActorId,
    mentioned: &[ActorId],
) -> crate::domain::store::StoreResult<()> {
    if mentioned.is_empty() {
        return Ok(());
    }
    let Some((source, html, forum)) = notifications::post_text(tx, post).await? else {
        return Ok(());
    };
    let mut note = NewNotification::new(NotificationKind::Mention, format!("post:{}", post.0));
    note.actor = Some(author);
    note.post = Some(post);
    note.thread = Some(thread);
    note.forum = Some(forum);
    note.title = notifications::post_title(tx, thread).await?;
    note.excerpt = excerpt(&source, &html);
    note.link = post_link(thread, post);
    notifications::insert_notification(tx, &Recipients::Actors(mentioned.to_vec()), &note).await?;
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
        let actor_ids: Vec<ActorId> = rows.iter().filter_map(|row| row.actor_id).collect();
        let actors = self.store.notification_actors(&actor_ids).await?;
        let items = rows
            .into_iter()
            .map(|row| {
                let excerpt_text = if row.excerpt.is_empty() {
                    excerpt(
                        row.post_source.as_deref().unwrap_or(""),
                        row.post_html.as_deref().unwrap_or(""),
                    )
                } else {
                    row.excerpt
                };
                let forum = row.forum_name.map(|name| NotifiedForum {
                    name,
                    domain: row.forum_domain.unwrap_or_default(),
                    title: row.forum_title.unwrap_or_default(),
                });
                Notification {
                    id: row.id,
                    kind: row.kind,
                    actor: row
                        .actor_id
                        .and_then(|id| actors.iter().find(|actor| actor.id == id).cloned()),
                    title: row.title,
                    excerpt: excerpt_text,
                    detail: row.detail,
                    link: row.link,
                    post_id: row.post_id,
                    thread_id: row.thread_id,
                    forum,
                    project_id: row.project_id,
                    created_at: row.created_at,
                    read_at: row.read_at,
                }
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
        assert_eq!(
            excerpt(
                "Des **statistiques** ?",
                "<p>Des <strong>statistiques</strong> ?</p>"
            ),
            "Des statistiques ?"
        );
        let long = "é".repeat(300);
        let cut = excerpt(&long, "");
        assert_eq!(cut.chars().count(), EXCERPT_CHARS + 1);
        assert!(cut.ends_with('…'));
    }

    #[test]
    fn every_kind_has_a_name_and_a_text_in_both_catalogs() {
        use crate::i18n::{Catalogs, Lang};
        for kind in NotificationKind::ALL {
            assert_eq!(NotificationKind::parse(kind.as_str()), Some(kind));
            for lang in [Lang::Fr, Lang::En] {
                let key = format!("notification-{}", kind.as_str());
                assert!(Catalogs::get().has(lang, &key), "{key} in {lang:?}");
            }
        }
        assert_eq!(NotificationKind::parse("nothing"), None);
    }
}
