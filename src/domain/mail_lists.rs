//! Mailing-list mode ("listes de diffusion"): a teacher follows a forum,
//! or the forum of a project they belong to, by e-mail. Every new thread
//! and reply stored there, written here or received from another instance,
//! is queued in the transaction that stores it (one row per subscriber,
//! never its author, only active accounts with a verified address:
//! `store::mail_lists::queue_forum_post` / `queue_project_post`), then
//! mailed by [`Domain::send_list_mails`], run by the 30-second mail job.
//!
//! A list mail reads like a mailing-list message: subject
//! `[forum] thread title`, `List-Id`, `List-Unsubscribe` with a signed
//! one-click link that ends this subscription, `Reply-To` the teacher's
//! reply address for the thread, and `Message-ID` / `In-Reply-To` /
//! `References` built from the posts so mail clients show threads.
//!
//! One mail per post and teacher: a subscriber who would also get a
//! notification mail "at once" about the same post (a reply to their post,
//! a mention) gets the list mail only, because it carries the whole post,
//! the reply address and the threading headers; the notification itself
//! stays on the site (and in its digest, if the teacher chose the digest).
//!
//! Project forums are members-only: subscribing needs membership, a mail
//! is queued and sent only while the recipient is a member, and the
//! subscriptions of former members end when the next post is queued.

use super::{
    mail_queue::{Built, MailKeys, QueuedMailKind},
    notification_mail::{self, UnsubscribeTarget},
    trust_labels::TrustBook,
    Domain, DomainResult,
};
use crate::{
    domain::{
        reply_address::ReplyThread,
        store::{
            accounts::{AccountId, AccountRow},
            actors::ActorId,
            forums::ForumRow,
            mail_lists::{ListKind, QueuedListMail},
            mail_queue::MailQueue,
            posts::PostId,
            projects::ProjectRow,
        },
    },
    i18n::{Catalogs, Lang},
    mail::{ListMessage, RichMessage},
};

pub use crate::domain::store::mail_lists::ListKind as MailListKind;
use std::sync::Arc;

/// The prefix of the unsubscribe "kind" of a list: `list-<group id>`.
pub const LIST_PREFIX: &str = "list-";

/// One of a teacher's subscriptions.
#[derive(Debug, Clone)]
pub struct MailSubscription {
    /// The forum's or project's Group actor id.
    pub group_id: ActorId,
    /// Forum or project.
    pub kind: ListKind,
    /// Its title.
    pub title: String,
    /// Its handle (`name` or `name@host`), as its page's path uses it.
    pub handle: String,
    /// The path of its page here.
    pub link: String,
    /// When the teacher subscribed, unix ms.
    pub created_at: i64,
}

/// The group a `list-<id>` unsubscribe kind names.
pub fn list_group(kind: &str) -> Option<ActorId> {
    let id = kind.strip_prefix(LIST_PREFIX)?;
    (!id.is_empty() && id.bytes().all(|byte| byte.is_ascii_digit()))
        .then(|| id.parse().ok().map(ActorId))
        .flatten()
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// A host without its port.
fn host_of(domain: &str) -> &str {
    domain.rsplit_once(':').map_or(domain, |(host, _)| host)
}

/// Letters, digits and `-` only (for `List-Id` and `Message-ID`).
fn atom(text: &str) -> String {
    text.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' {
                c.to_ascii_lowercase()
            } else {
                '-'
            }
        })
        .collect()
}

impl Domain {
    /// A teacher follows a forum (local or remote) by e-mail. For a remote
    /// forum this instance must receive its posts: the teacher follows the
    /// forum too, when not already.
    pub async fn subscribe_forum_by_mail(
        &self,
        account: &AccountRow,
        forum: &ForumRow,
    ) -> DomainResult<()> {
        if !forum.actor.is_local() {
            let follow = self.store.follow(account.actor_id, forum.actor.id).await?;
            if follow.is_none() {
                self.follow_forum(account, forum).await?;
            }
        }
        self.store
            .add_mail_subscription(account.id, forum.actor.id, ListKind::Forum)
            .await?;
        Ok(())
    }

    /// A member follows the forum of a project by e-mail; anyone else gets
    /// `not_project_member`.
    pub async fn subscribe_project_by_mail(
        &self,
        account: &AccountRow,
        project: &ProjectRow,
    ) -> DomainResult<()> {
        self.require_member(account, project).await?;
        self.store
            .add_mail_subscription(account.id, project.actor.id, ListKind::Project)
            .await?;
        Ok(())
    }

    /// Ends a teacher's subscription to a forum or project (none: no
    /// change); mails queued and not sent are not sent.
    pub async fn unsubscribe_by_mail(
        &self,
        account: &AccountRow,
        group: ActorId,
    ) -> DomainResult<bool> {
        Ok(self
            .store
            .remove_mail_subscription(account.id, group)
            .await?)
    }

    /// Whether a teacher follows a forum or project by e-mail.
    pub async fn follows_by_mail(
        &self,
        account: &AccountRow,
        group: ActorId,
    ) -> DomainResult<bool> {
        Ok(self.store.has_mail_subscription(account.id, group).await?)
    }

    /// A teacher's subscriptions: forums, then projects they still belong
    /// to, by title.
    pub async fn mail_subscriptions(
        &self,
        account: &AccountRow,
    ) -> DomainResult<Vec<MailSubscription>> {
        let rows = self.store.mail_subscriptions_of(account.id).await?;
        Ok(rows
            .into_iter()
            .map(|row| {
                let handle = if row.domain.is_empty() {
                    row.name.clone()
                } else {
                    format!("{}@{}", row.name, row.domain)
                };
                let link = match row.kind {
                    ListKind::Forum => format!("/forums/{handle}"),
                    ListKind::Project => format!("/projects/{handle}"),
                };
                MailSubscription {
                    group_id: row.group_id,
                    kind: row.kind,
                    title: row.title,
                    handle,
                    link,
                    created_at: row.created_at,
                }
            })
            .collect())
    }

    /// The title of the forum or project a `list-<id>` unsubscribe link
    /// names, if it exists.
    pub(super) async fn list_title(&self, group: ActorId) -> DomainResult<Option<String>> {
        if let Some(forum) = self.store.forum(group).await? {
            return Ok(Some(forum.title));
        }
        Ok(self
            .store
            .project(group)
            .await?
            .map(|project| project.title))
    }

    /// Follows a list's one-click unsubscribe link (already checked).
    pub(super) async fn unsubscribe_list(
        &self,
        account: AccountId,
        group: ActorId,
    ) -> DomainResult<()> {
        self.store.remove_mail_subscription(account, group).await?;
        Ok(())
    }

    /// The text of an author's trust label, in `lang`.
    fn label_text(lang: Lang, label: &super::trust::Label) -> String {
        let catalogs = Catalogs::get();
        let mut text = catalogs.format(lang, &format!("trust-{}", label.level.as_str()), &[]);
        if !label.organisation.is_empty() {
            text.push_str(" · ");
            text.push_str(&label.organisation);
        }
        text
    }

    fn list_message(
        &self,
        row: &QueuedListMail,
        label: &str,
        reply_to: String,
        unsubscribe: String,
    ) -> ListMessage {
        let lang = Lang::from_code(&row.locale);
        let catalogs = Catalogs::get();
        let local_host = host_of(&self.settings.instance.domain).to_string();
        let group_host = if row.group_domain.is_empty() {
            local_host.clone()
        } else {
            host_of(&row.group_domain).to_string()
        };
        let (tag, link) = match row.kind {
            ListKind::Forum => (
                "post",
                super::notifications::post_link(PostId(row.thread_id), PostId(row.post_id)),
            ),
            ListKind::Project => {
                let handle = if row.group_domain.is_empty() {
                    row.group_name.clone()
                } else {
                    format!("{}@{}", row.group_name, row.group_domain)
                };
                let mut link = format!("/projects/{handle}/threads/{}", row.thread_id);
                if row.thread_id != row.post_id {
                    link.push_str(&format!("#post-{}", row.post_id));
                }
                ("project-post", link)
            }
        };
        let link = format!("{}{link}", self.settings.base_url());
        let id_of = |post: i64| format!("<preau.{tag}.{post}@{local_host}>");
        let author = if row.author_display_name.trim().is_empty() {
            row.author_name.clone()
        } else {
            row.author_display_name.clone()
        };
        let handle = format!(
            "{}@{}",
            row.author_name,
            if row.author_domain.is_empty() {
                &self.settings.instance.domain
            } else {
                &row.author_domain
            }
        );
        let byline = catalogs.format(
            lang,
            "mail-list-byline",
            &[("author", &author), ("handle", &handle), ("label", label)],
        );
        let text_body = if row.source.trim().is_empty() {
            super::rendering::html_text_now(&row.content_html)
        } else {
            row.source.clone()
        };
        let open = catalogs.format(lang, "mail-notification-open", &[]);
        let why = catalogs.format(lang, "mail-list-why", &[("list", &row.group_title)]);
        let reply_hint = catalogs.format(lang, "mail-list-reply", &[]);
        let stop = catalogs.format(lang, "mail-list-stop", &[]);
        let settings = format!("{}/settings/notifications", self.settings.base_url());
        let manage = catalogs.format(lang, "mail-notification-settings", &[]);
        let colon = |label: &str| catalogs.format(lang, "label-colon", &[("label", label)]);
        let text = format!(
            "{byline}\n\n{text_body}\n\n{} {link}\n\n-- \n{why} {reply_hint}\n{} {unsubscribe}\n{} {settings}\n",
            colon(&open),
            colon(&stop),
            colon(&manage),
        );
        let body = format!(
            "<p><strong>{}</strong></p><div>{}</div><p><a href=\"{}\" style=\"color:#0b5394\">{}</a></p>{}",
            escape(&byline),
            row.content_html,
            escape(&link),
            escape(&open),
            notification_mail::mail_footer(&format!(
                "{} {}<br><a href=\"{}\" style=\"color:#0b5394\">{}</a> · <a href=\"{}\" style=\"color:#0b5394\">{}</a>",
                escape(&why),
                escape(&reply_hint),
                escape(&unsubscribe),
                escape(&stop),
                escape(&settings),
                escape(&manage),
            )),
        );
        let subject = format!("[{}] {}", row.group_title, row.thread_title);
        let html = notification_mail::mail_document(lang, &subject, &body);
        let mut references = Vec::new();
        if row.thread_id != row.post_id {
            references.push(id_of(row.thread_id));
        }
        let in_reply_to = row.in_reply_to_id.map(id_of);
        if let Some(parent) = row.in_reply_to_id {
            if parent != row.thread_id {
                references.push(id_of(parent));
            }
        }
        let kind = match row.kind {
            ListKind::Forum => "forum",
            ListKind::Project => "project",
        };
        ListMessage {
            rich: RichMessage {
                subject,
                text,
                html,
                unsubscribe,
                reply_to: Some(reply_to),
            },
            list_id: format!(
                "\"{}\" <{}.{kind}.{}>",
                row.group_title.replace(['"', '\\', '\r', '\n'], " "),
                atom(&row.group_name),
                group_host
            ),
            message_id: id_of(row.post_id),
            in_reply_to,
            references,
        }
    }

    /// Sends the queued list mails: only to active accounts with a
    /// verified address, only of posts still visible (for a project, only
    /// to members). Answers how many were sent. A mail the server refuses
    /// stays queued for the next run. Rows are claimed first, so two
    /// processes never send the same mail (`mail_queue`).
    pub async fn send_list_mails(&self) -> DomainResult<usize> {
        self.send_queued_mails::<ListMails>().await
    }
}

/// The list mails' part of the shared send loop.
struct ListMails;

/// What the list mails of a batch share.
struct ListBatch {
    keys: MailKeys,
    /// The evidence the authors' trust labels come from, and the time
    /// they are computed at.
    trust: Arc<TrustBook>,
    now: i64,
}

impl QueuedMailKind for ListMails {
    type Row = QueuedListMail;
    type Message = ListMessage;
    type Batch = ListBatch;
    const QUEUE: MailQueue = MailQueue::Lists;

    fn mail_id(row: &QueuedListMail) -> i64 {
        row.mail_id
    }

    async fn pending(domain: &Domain, limit: i64) -> DomainResult<Vec<QueuedListMail>> {
        Ok(domain.store.pending_list_mails(limit).await?)
    }

    async fn batch(domain: &Domain, keys: MailKeys) -> DomainResult<ListBatch> {
        Ok(ListBatch {
            keys,
            trust: domain.trust_book().await?,
            now: domain.clock().now_ms(),
        })
    }

    async fn build(
        domain: &Domain,
        batch: &ListBatch,
        row: &QueuedListMail,
    ) -> DomainResult<Built<ListMessage>> {
        let mailable = row.status == "active" && row.email_verified_at.is_some();
        if !mailable || row.visible == 0 {
            return Ok(Built::Drop);
        }
        let label = Domain::label_text(
            Lang::from_code(&row.locale),
            &domain.person_label(
                &batch.trust,
                &row.author_domain,
                row.author_email_domain.as_deref(),
                batch.now,
            ),
        );
        let thread = match row.kind {
            ListKind::Forum => ReplyThread::Forum(PostId(row.thread_id)),
            ListKind::Project => ReplyThread::Project(row.thread_id),
        };
        let reply_to = domain.reply_address_with(&batch.keys.reply, row.account_id, thread)?;
        let unsubscribe = domain.unsubscribe_link_with(
            &batch.keys.unsubscribe,
            row.account_id,
            &format!("{LIST_PREFIX}{}", row.group_id.0),
        )?;
        Ok(Built::Send(domain.list_message(
            row,
            &label,
            reply_to,
            unsubscribe,
        )))
    }

    async fn send(
        domain: &Domain,
        row: &QueuedListMail,
        message: ListMessage,
    ) -> Result<(), String> {
        domain.mailer.send_list(&row.email, message).await
    }
}

/// What an unsubscribe link of a list stops, for its confirmation page.
pub(super) fn list_target(
    username: String,
    kind: &str,
    title: Option<String>,
) -> UnsubscribeTarget {
    UnsubscribeTarget {
        username,
        kind: kind.to_string(),
        list: Some(title.unwrap_or_default()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn list_kinds_name_a_group_id_only() {
        assert_eq!(list_group("list-12"), Some(ActorId(12)));
        assert_eq!(list_group("list-"), None);
        assert_eq!(list_group("list--1"), None);
        assert_eq!(list_group("list-1a"), None);
        assert_eq!(list_group("reply"), None);
        assert_eq!(list_group("list-99999999999999999999"), None);
    }

    #[test]
    fn list_ids_are_atoms_and_hosts_lose_their_port() {
        assert_eq!(atom("Maths 6e"), "maths-6e");
        assert_eq!(host_of("localhost:8080"), "localhost");
        assert_eq!(host_of("preau.example"), "preau.example");
    }
}
