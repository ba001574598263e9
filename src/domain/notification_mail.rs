//! Mails about notifications: one at once for the kinds a teacher set to
//! "mail" (at most `mail.notifications_per_hour` an hour; beyond, they
//! wait for the digest), and the daily or weekly digest of the others.
//! Each carries a signed one-click unsubscribe link (RFC 8058).
//!
//! The queue (`notification_mails`) is filled in the transaction that
//! writes a notification (`store::notification_mail::queue_notification_mail`);
//! [`Domain::send_notification_mails`] and [`Domain::send_due_digests`],
//! run by a background job, empty it. Neither ever mails an account that is
//! not active with a verified address.

use super::{
    mail_queue::{Built, MailKeys, QueuedMailKind},
    notification_settings::{default_delivery, Delivery, SettingsChange, KINDS},
    reply_address::ReplyThread,
    Domain, DomainError, DomainResult, Refusal,
};
use crate::{
    domain::store::{
        accounts::AccountId, mail_queue::MailQueue, notification_mail::QueuedMail, posts::PostId,
    },
    i18n::{Catalogs, Lang},
    mail::RichMessage,
};
use hmac::{Hmac, Mac};
use sha2::Sha256;

/// Teachers whose digest is built at a time.
const DIGEST_BATCH: i64 = 500;
/// Longest excerpt in a mail, in characters.
const EXCERPT_CHARS: usize = 300;
/// The unsubscribe "kind" of the digest itself.
pub const DIGEST: &str = "digest";

/// What an unsubscribe link stops.
#[derive(Debug, Clone)]
pub struct UnsubscribeTarget {
    /// The account's username.
    pub username: String,
    /// The notification kind, [`DIGEST`], or `list-<id>` (a mailing list).
    pub kind: String,
    /// For a mailing list, the title of the forum or project it follows.
    pub list: Option<String>,
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// The post's text in at most [`EXCERPT_CHARS`], on one line: its source
/// (Markdown, which reads well as plain text), or with `rendered` (for an
/// HTML part) the text of its HTML, so no `*` or `**` shows.
fn excerpt(row: &QueuedMail, rendered: bool) -> String {
    let text = if row.post_source.trim().is_empty() || (rendered && !row.post_html.is_empty()) {
        super::rendering::html_text_now(&row.post_html)
    } else {
        row.post_source.clone()
    };
    let words = text.split_whitespace().collect::<Vec<_>>().join(" ");
    let mut cut: String = words.chars().take(EXCERPT_CHARS).collect();
    if cut.len() < words.len() {
        cut.push('…');
    }
    cut
}

/// Inline styles of a mail's HTML (mail programs drop `<style>` sheets),
/// in the site's colours.
const BODY_STYLE: &str = "margin:0;padding:16px;background:#ffffff;color:#1b1f24;\
    font-family:system-ui,-apple-system,'Segoe UI',Roboto,Helvetica,Arial,sans-serif;\
    font-size:16px;line-height:1.5";
const QUOTE_STYLE: &str =
    "margin:1em 0;padding:0.25em 0 0.25em 1em;border-left:4px solid #c9cdd2;color:#1b1f24";
const BUTTON_STYLE: &str = "display:inline-block;padding:0.5em 1em;background:#0b5394;\
    color:#ffffff;border-radius:4px;font-weight:bold;text-decoration:none";
const FOOTER_STYLE: &str = "color:#4a525c;font-size:14px;border-top:1px solid #c9cdd2;\
    margin-top:1.5em;padding-top:0.75em";

/// A mail's HTML document: in `lang`, titled `title` (its subject), its
/// `body` in a column that stays readable on a wide screen and fits a phone.
pub(super) fn mail_document(lang: Lang, title: &str, body: &str) -> String {
    format!(
        "<!DOCTYPE html><html lang=\"{code}\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>{title}</title></head><body style=\"{BODY_STYLE}\">\
         <div style=\"max-width:36em;margin:0 auto\">{body}</div></body></html>",
        code = lang.code(),
        title = escape(title),
    )
}

/// The footer of a mail's HTML: `content`, small and grey, under a rule.
pub(super) fn mail_footer(content: &str) -> String {
    format!("<p style=\"{FOOTER_STYLE}\">{content}</p>")
}

/// A link shown as a button (the mail's main action).
fn mail_button(href: &str, label: &str) -> String {
    format!(
        "<p><a href=\"{}\" style=\"{BUTTON_STYLE}\">{}</a></p>",
        escape(href),
        escape(label)
    )
}

/// Whether an account may receive mail: active, address verified.
fn mailable(row: &QueuedMail) -> bool {
    row.status == "active" && row.email_verified_at.is_some()
}

impl Domain {
    /// The key unsubscribe links are signed with: derived from the
    /// instance actor's private key, the secret this instance already keeps.
    pub(super) async fn unsubscribe_key(&self) -> DomainResult<Vec<u8>> {
        self.instance_derived_key(b"preau unsubscribe links\0")
            .await
    }

    fn sign(key: &[u8], account: AccountId, kind: &str) -> DomainResult<String> {
        let mut mac = Hmac::<Sha256>::new_from_slice(key)
            .map_err(|error| DomainError::Internal(error.to_string()))?;
        mac.update(format!("{}:{kind}", account.0).as_bytes());
        Ok(hex(&mac.finalize().into_bytes()))
    }

    /// The signed one-click unsubscribe link for `account` and `kind` (a
    /// notification kind or [`DIGEST`]).
    pub async fn unsubscribe_link(&self, account: AccountId, kind: &str) -> DomainResult<String> {
        let key = self.unsubscribe_key().await?;
        self.unsubscribe_link_with(&key, account, kind)
    }

    pub(super) fn unsubscribe_link_with(
        &self,
        key: &[u8],
        account: AccountId,
        kind: &str,
    ) -> DomainResult<String> {
        Ok(format!(
            "{}{}",
            self.settings.base_url(),
            crate::urls::unsubscribe(account.0, kind, &Self::sign(key, account, kind)?)
        ))
    }

    /// Checks an unsubscribe link: a known kind, an existing account and
    /// the right signature, else `invalid_unsubscribe_link`.
    pub async fn check_unsubscribe(
        &self,
        account: i64,
        kind: &str,
        signature: &str,
    ) -> DomainResult<UnsubscribeTarget> {
        let list = super::mail_lists::list_group(kind);
        let known = kind == DIGEST || list.is_some() || KINDS.iter().any(|(name, _)| *name == kind);
        let key = self.unsubscribe_key().await?;
        let expected = Self::sign(&key, AccountId(account), kind)?;
        let matches = known
            && bool::from(subtle::ConstantTimeEq::ct_eq(
                expected.as_bytes(),
                signature.as_bytes(),
            ));
        if !matches {
            return Err(Refusal::InvalidUnsubscribeLink.into());
        }
        let account = self
            .store
            .account_by_id(AccountId(account))
            .await?
            .ok_or(Refusal::InvalidUnsubscribeLink)?;
        if let Some(group) = list {
            let title = self.list_title(group).await?;
            return Ok(super::mail_lists::list_target(
                account.username,
                kind,
                title,
            ));
        }
        Ok(UnsubscribeTarget {
            username: account.username,
            kind: kind.to_string(),
            list: None,
        })
    }

    /// Follows a one-click unsubscribe link: the kind's mails stop (it
    /// stays on the site), or for [`DIGEST`], the digest stops.
    pub async fn unsubscribe(
        &self,
        account: i64,
        kind: &str,
        signature: &str,
    ) -> DomainResult<UnsubscribeTarget> {
        let target = self.check_unsubscribe(account, kind, signature).await?;
        if let Some(group) = super::mail_lists::list_group(kind) {
            self.unsubscribe_list(AccountId(account), group).await?;
            return Ok(target);
        }
        let row = self
            .store
            .account_by_id(AccountId(account))
            .await?
            .ok_or(Refusal::InvalidUnsubscribeLink)?;
        let change = if kind == DIGEST {
            SettingsChange {
                kinds: Vec::new(),
                digest: Some("none".into()),
            }
        } else {
            let current = self.notification_settings(&row).await?;
            let now = current
                .kinds
                .iter()
                .find(|(name, _)| *name == kind)
                .map_or(default_delivery(kind), |(_, delivery)| *delivery);
            if now == Delivery::Off || now == Delivery::Site {
                return Ok(target);
            }
            SettingsChange {
                kinds: vec![(kind.to_string(), Delivery::Site.as_str().to_string())],
                digest: None,
            }
        };
        self.set_notification_settings(&row, &change).await?;
        Ok(target)
    }

    /// The one line saying what a notification is, in `lang`.
    fn notification_line(lang: Lang, row: &QueuedMail, local_domain: &str) -> String {
        let actor = if row.actor_display_name.is_empty() {
            row.actor_name.clone()
        } else {
            row.actor_display_name.clone()
        };
        let handle = format!(
            "{}@{}",
            row.actor_name,
            if row.actor_domain.is_empty() {
                local_domain
            } else {
                &row.actor_domain
            }
        );
        let key = format!("mail-notification-{}", row.kind.replace('_', "-"));
        let catalogs = Catalogs::get();
        if catalogs.has(lang, &key) {
            return catalogs.format(
                lang,
                &key,
                &[
                    ("actor", &actor),
                    ("handle", &handle),
                    ("title", &row.thread_title),
                ],
            );
        }
        // No sentence of its own for mails: the kind's own, as the site
        // shows it (asked first, so no "missing message" is logged).
        let detail = catalogs.reason(lang, row.detail.as_deref().unwrap_or(""));
        catalogs.format(
            lang,
            &format!("notification-{}", row.kind),
            &[
                ("actor", &actor),
                ("title", &row.thread_title),
                ("detail", &detail),
            ],
        )
    }

    fn notification_link(&self, row: &QueuedMail) -> String {
        format!("{}{}", self.settings.base_url(), row.link)
    }

    /// The footer lines: where to change settings, how to unsubscribe.
    fn footer(&self, lang: Lang, unsubscribe: &str) -> (String, String) {
        let catalogs = Catalogs::get();
        let settings = format!("{}/settings/notifications", self.settings.base_url());
        let text = catalogs.format(
            lang,
            "mail-notification-footer",
            &[("settings", &settings), ("unsubscribe", unsubscribe)],
        );
        let html = mail_footer(&format!(
            "<a href=\"{}\" style=\"color:#0b5394\">{}</a> · <a href=\"{}\" style=\"color:#0b5394\">{}</a>",
            escape(&settings),
            escape(&catalogs.format(lang, "mail-notification-settings", &[])),
            escape(unsubscribe),
            escape(&catalogs.format(lang, "mail-notification-unsubscribe", &[])),
        ));
        (text, html)
    }

    /// The `Reply-To` of a mail about `row`: the recipient's reply address
    /// for its thread (of a forum, or of a project's forum), when it is
    /// about a thread one answers (not for the moderation kinds, whose
    /// answer would go public).
    fn notification_reply_to(&self, key: &[u8], row: &QueuedMail) -> DomainResult<Option<String>> {
        const MODERATION: [&str; 3] = ["report", "post_removed", "post_refused"];
        if MODERATION.contains(&row.kind.as_str()) {
            return Ok(None);
        }
        let thread = match (row.thread_id, row.project_thread_id) {
            (Some(thread), _) => ReplyThread::Forum(PostId(thread)),
            (None, Some(thread)) => ReplyThread::Project(thread),
            (None, None) => return Ok(None),
        };
        Ok(Some(self.reply_address_with(
            key,
            row.account_id,
            thread,
        )?))
    }

    fn instant_message(
        &self,
        row: &QueuedMail,
        unsubscribe: String,
        reply_to: Option<String>,
    ) -> RichMessage {
        let lang = Lang::from_code(&row.locale);
        let catalogs = Catalogs::get();
        let local = self.settings.instance.domain.clone();
        let line = Self::notification_line(lang, row, &local);
        let link = self.notification_link(row);
        let open = catalogs.format(lang, "mail-notification-open", &[]);
        let (footer_text, footer_html) = self.footer(lang, &unsubscribe);
        let hint = reply_to
            .as_ref()
            .map(|_| catalogs.format(lang, "mail-notification-reply-hint", &[]));
        let subject = format!("[{}] {line}", self.settings.instance.name);
        // A notification about no text (a sign-up, an invitation) quotes
        // nothing rather than an empty « ».
        let quoted = excerpt(row, true);
        let quote_html = if quoted.is_empty() {
            String::new()
        } else {
            format!(
                "<blockquote style=\"{QUOTE_STYLE}\">{}</blockquote>",
                escape(&quoted)
            )
        };
        let quoted_text = excerpt(row, false);
        let quote_text = if quoted_text.is_empty() {
            String::new()
        } else {
            let quoted = catalogs.format(lang, "quoted", &[("text", &quoted_text)]);
            format!("{quoted}\n\n")
        };
        let body = format!(
            "<p>{}</p>{quote_html}{}{}{footer_html}",
            escape(&line),
            mail_button(&link, &open),
            hint.as_ref()
                .map_or_else(String::new, |hint| format!("<p>{}</p>", escape(hint))),
        );
        RichMessage {
            text: format!(
                "{line}\n\n{quote_text}{} {link}\n{}\n-- \n{footer_text}\n",
                catalogs.format(lang, "label-colon", &[("label", &open)]),
                hint.as_ref()
                    .map_or_else(String::new, |hint| format!("\n{hint}\n"))
            ),
            html: mail_document(lang, &subject, &body),
            subject,
            unsubscribe,
            reply_to,
        }
    }

    fn digest_message(&self, items: &[&QueuedMail], unsubscribe: String) -> RichMessage {
        let lang = Lang::from_code(&items[0].locale);
        let catalogs = Catalogs::get();
        let local = self.settings.instance.domain.clone();
        let count = items.len().to_string();
        let subject = catalogs.format(
            lang,
            "mail-digest-subject",
            &[
                ("instance", &self.settings.instance.name),
                ("count", &count),
            ],
        );
        let intro = catalogs.format(lang, "mail-digest-intro", &[("count", &count)]);
        let mut text = format!("{intro}\n\n");
        let mut html = format!(
            "<p>{}</p><ul style=\"padding-left:1.25em\">",
            escape(&intro)
        );
        for row in items {
            let line = Self::notification_line(lang, row, &local);
            let link = self.notification_link(row);
            text.push_str(&format!(
                "* {line}\n  {}\n  {link}\n\n",
                catalogs.format(lang, "quoted", &[("text", &excerpt(row, false))])
            ));
            html.push_str(&format!(
                "<li style=\"margin-bottom:0.75em\"><a href=\"{}\" style=\"color:#0b5394\">{}</a><br><q>{}</q></li>",
                escape(&link),
                escape(&line),
                escape(&excerpt(row, true))
            ));
        }
        let (footer_text, footer_html) = self.footer(lang, &unsubscribe);
        text.push_str(&format!("-- \n{footer_text}\n"));
        html.push_str(&format!("</ul>{footer_html}"));
        RichMessage {
            html: mail_document(lang, &subject, &html),
            subject,
            text,
            unsubscribe,
            reply_to: None,
        }
    }

    /// Removes from the mail queue what no job will send any more: rows
    /// sent or dropped more than 30 days ago, and digest rows of teachers
    /// who chose no digest. Answers how many rows went.
    pub async fn purge_mail_queue(&self) -> DomainResult<u64> {
        Ok(self
            .store
            .purge_notification_mails(self.clock().now_ms())
            .await?)
    }

    /// Sends the mails queued "at once": to active, verified accounts
    /// only, each teacher at most `mail.notifications_per_hour` an hour (the
    /// rest goes to the next digest). Answers how many mails were sent.
    /// A mail the server refuses stays queued for the next run.
    pub async fn send_notification_mails(&self) -> DomainResult<usize> {
        self.send_queued_mails::<InstantMails>().await
    }

    /// Sends the digests due now (daily or weekly as each teacher chose):
    /// one mail listing their unread notifications queued for the digest;
    /// never an empty mail. Answers how many digests were sent.
    pub async fn send_due_digests(&self) -> DomainResult<usize> {
        let mut sent = 0;
        let key = self.unsubscribe_key().await?;
        loop {
            let now = self.clock().now_ms();
            let due = self.store.due_digests(now, DIGEST_BATCH).await?;
            if due.is_empty() {
                return Ok(sent);
            }
            let ids: Vec<i64> = due
                .iter()
                .flat_map(|digest| digest.items.iter().map(|row| row.mail_id))
                .collect();
            let claimed: std::collections::HashSet<i64> = self
                .store
                .claim_queued_mails(MailQueue::Notifications, &ids)
                .await?
                .into_iter()
                .collect();
            let mut done_accounts = Vec::with_capacity(due.len());
            let mut sent_rows = Vec::new();
            let mut dropped_rows = Vec::new();
            let mut failed_rows = Vec::new();
            for digest in &due {
                let (unread, read): (Vec<&QueuedMail>, Vec<&QueuedMail>) = digest
                    .items
                    .iter()
                    .filter(|row| claimed.contains(&row.mail_id))
                    .partition(|row| row.read_at.is_none() && row.visible == 1);
                dropped_rows.extend(read.iter().map(|row| row.mail_id));
                let first = &digest.items[0];
                if unread.is_empty() || !mailable(first) {
                    dropped_rows.extend(unread.iter().map(|row| row.mail_id));
                    done_accounts.push(digest.account_id);
                    continue;
                }
                let unsubscribe = self.unsubscribe_link_with(&key, digest.account_id, DIGEST)?;
                let message = self.digest_message(&unread, unsubscribe);
                match self.mailer.send_rich(&first.email, message).await {
                    Ok(()) => {
                        sent_rows.extend(unread.iter().map(|row| row.mail_id));
                        done_accounts.push(digest.account_id);
                        sent += 1;
                    }
                    Err(cause) => {
                        tracing::warn!(%cause, "digest not sent; kept for later");
                        failed_rows.extend(unread.iter().map(|row| row.mail_id));
                    }
                }
            }
            self.store
                .finish_queued_mails(MailQueue::Notifications, &failed_rows, "pending")
                .await?;
            self.store
                .finish_queued_mails(MailQueue::Notifications, &sent_rows, "sent")
                .await?;
            self.store
                .finish_queued_mails(MailQueue::Notifications, &dropped_rows, "dropped")
                .await?;
            self.store.digests_done(&done_accounts, now).await?;
            if done_accounts.is_empty() {
                return Ok(sent);
            }
        }
    }
}

/// The mails "at once"' part of the shared send loop.
struct InstantMails;

/// What the mails "at once" of a batch share.
struct InstantBatch {
    keys: MailKeys,
    /// `mail.notifications_per_hour`.
    cap: i64,
}

impl QueuedMailKind for InstantMails {
    type Row = QueuedMail;
    type Message = RichMessage;
    type Batch = InstantBatch;
    const QUEUE: MailQueue = MailQueue::Notifications;

    fn mail_id(row: &QueuedMail) -> i64 {
        row.mail_id
    }

    async fn pending(domain: &Domain, limit: i64) -> DomainResult<Vec<QueuedMail>> {
        Ok(domain.store.pending_instant_mails(limit).await?)
    }

    async fn batch(domain: &Domain, keys: MailKeys) -> DomainResult<InstantBatch> {
        Ok(InstantBatch {
            keys,
            cap: i64::from(domain.settings.mail.notifications_per_hour),
        })
    }

    async fn build(
        domain: &Domain,
        batch: &InstantBatch,
        row: &QueuedMail,
    ) -> DomainResult<Built<RichMessage>> {
        if !mailable(row) || row.read_at.is_some() || row.visible == 0 {
            return Ok(Built::Drop);
        }
        let since = domain.clock().now_ms() - 3_600_000;
        if domain.store.mails_sent_since(row.account_id, since).await? >= batch.cap {
            domain.store.defer_to_digest(row.mail_id).await?;
            return Ok(Built::Settled);
        }
        let unsubscribe =
            domain.unsubscribe_link_with(&batch.keys.unsubscribe, row.account_id, &row.kind)?;
        let reply_to = domain.notification_reply_to(&batch.keys.reply, row)?;
        Ok(Built::Send(domain.instant_message(
            row,
            unsubscribe,
            reply_to,
        )))
    }

    async fn send(domain: &Domain, row: &QueuedMail, message: RichMessage) -> Result<(), String> {
        domain.mailer.send_rich(&row.email, message).await
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|byte| format!("{byte:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn queued(status: &str, verified: Option<i64>) -> QueuedMail {
        QueuedMail {
            mail_id: 1,
            account_id: AccountId(1),
            email: "anne@example.org".into(),
            locale: "fr".into(),
            status: status.into(),
            email_verified_at: verified,
            kind: "reply".into(),
            actor_display_name: String::new(),
            actor_name: "bob".into(),
            actor_domain: String::new(),
            thread_title: "Fractions".into(),
            link: "/threads/1#post-2".into(),
            detail: None,
            post_source: "Bonjour".into(),
            post_html: String::new(),
            read_at: None,
            visible: 1,
            thread_id: Some(1),
            project_thread_id: None,
        }
    }

    #[test]
    fn only_active_verified_accounts_get_mail() {
        assert!(mailable(&queued("active", Some(1))));
        assert!(!mailable(&queued("active", None)), "unverified");
        assert!(!mailable(&queued("suspended", Some(1))), "suspended");
        assert!(!mailable(&queued("pending_verification", None)));
        assert!(!mailable(&queued("pending_approval", Some(1))));
    }

    #[test]
    fn signatures_depend_on_account_kind_and_key() {
        let one = Domain::sign(b"key", AccountId(1), "reply").unwrap_or_default();
        assert_eq!(one.len(), 64);
        assert_ne!(
            one,
            Domain::sign(b"key", AccountId(2), "reply").unwrap_or_default()
        );
        assert_ne!(
            one,
            Domain::sign(b"key", AccountId(1), "mention").unwrap_or_default()
        );
        assert_ne!(
            one,
            Domain::sign(b"other", AccountId(1), "reply").unwrap_or_default()
        );
        assert_eq!(
            escape("<a href=\"x\">&</a>"),
            "&lt;a href=&quot;x&quot;&gt;&amp;&lt;/a&gt;"
        );
    }

    #[test]
    fn the_html_excerpt_is_the_rendered_text_without_markdown() {
        let mut row = queued("active", Some(1));
        row.post_source = "Ils *voient* les **fractions**.".into();
        row.post_html = "<p>Ils <em>voient</em> les <strong>fractions</strong>.</p>".into();
        assert_eq!(excerpt(&row, true), "Ils voient les fractions.");
        assert_eq!(excerpt(&row, false), "Ils *voient* les **fractions**.");
        row.post_html = String::new();
        assert_eq!(excerpt(&row, true), "Ils *voient* les **fractions**.");
    }

    #[test]
    fn a_mail_document_has_a_title_a_language_and_a_viewport() {
        let html = mail_document(
            Lang::Fr,
            "[Préau] Anne a répondu dans « <Fractions> »",
            "<p>x</p>",
        );
        assert!(
            html.starts_with("<!DOCTYPE html><html lang=\"fr\"><head><meta charset=\"utf-8\">"),
            "{html}"
        );
        assert!(
            html.contains("<title>[Préau] Anne a répondu dans « &lt;Fractions&gt; »</title>"),
            "{html}"
        );
        assert!(html.contains("name=\"viewport\""), "{html}");
        assert!(html.contains("max-width:36em"), "{html}");
        assert!(html.ends_with("<p>x</p></div></body></html>"), "{html}");
    }
}
