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
    notification_settings::{default_delivery, Delivery, SettingsChange, KINDS},
    reply_address::ReplyThread,
    Domain, DomainError, DomainResult, Refusal,
};
use crate::{
    domain::store::{accounts::AccountId, notification_mail::QueuedMail, posts::PostId},
    i18n::{Catalogs, Lang},
    mail::RichMessage,
};
use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};

/// Mails read from the queue at a time.
const BATCH: i64 = 200;
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

fn excerpt(row: &QueuedMail) -> String {
    let text = if row.post_source.trim().is_empty() {
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

/// Whether an account may receive mail: active, address verified.
fn mailable(row: &QueuedMail) -> bool {
    row.status == "active" && row.email_verified_at.is_some()
}

impl Domain {
    /// The key unsubscribe links are signed with: derived from the
    /// instance actor's private key, the secret this instance already keeps.
    pub(super) async fn unsubscribe_key(&self) -> DomainResult<Vec<u8>> {
        let actor = self.ensure_instance_actor().await?;
        let secret = actor
            .private_key_pem
            .ok_or_else(|| DomainError::Internal("instance actor without a key".into()))?;
        let mut hasher = Sha256::new();
        hasher.update(b"preau unsubscribe links\0");
        hasher.update(secret.as_bytes());
        Ok(hasher.finalize().to_vec())
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
        let line = catalogs.format(
            lang,
            &key,
            &[
                ("actor", &actor),
                ("handle", &handle),
                ("title", &row.thread_title),
            ],
        );
        if line == key {
            // The kind's own sentence, as the site shows it.
            catalogs.format(
                lang,
                &format!("notification-{}", row.kind),
                &[
                    ("actor", &actor),
                    ("title", &row.thread_title),
                    ("detail", row.detail.as_deref().unwrap_or("")),
                ],
            )
        } else {
            line
        }
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
        let html = format!(
            "<p style=\"color:#555;font-size:small\"><a href=\"{}\">{}</a> · <a href=\"{}\">{}</a></p>",
            escape(&settings),
            escape(&catalogs.format(lang, "mail-notification-settings", &[])),
            escape(unsubscribe),
            escape(&catalogs.format(lang, "mail-notification-unsubscribe", &[])),
        );
        (text, html)
    }

    /// The `Reply-To` of a mail about `row`: the recipient's reply address
    /// for its thread (of a forum, or of a project's forum), when it is
    /// about a thread one answers (not for the moderation kinds, whose
    /// answer would go public).
    async fn notification_reply_to(&self, row: &QueuedMail) -> DomainResult<Option<String>> {
        const MODERATION: [&str; 3] = ["report", "post_removed", "post_refused"];
        if MODERATION.contains(&row.kind.as_str()) {
            return Ok(None);
        }
        let thread = match (row.thread_id, row.project_thread_id) {
            (Some(thread), _) => ReplyThread::Forum(PostId(thread)),
            (None, Some(thread)) => ReplyThread::Project(thread),
            (None, None) => return Ok(None),
        };
        Ok(Some(self.reply_address(row.account_id, thread).await?))
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
        let excerpt = excerpt(row);
        let link = self.notification_link(row);
        let open = catalogs.format(lang, "mail-notification-open", &[]);
        let (footer_text, footer_html) = self.footer(lang, &unsubscribe);
        let hint = reply_to
            .as_ref()
            .map(|_| catalogs.format(lang, "mail-notification-reply-hint", &[]));
        RichMessage {
            subject: format!("[{}] {line}", self.settings.instance.name),
            text: format!(
                "{line}\n\n« {excerpt} »\n\n{open} : {link}\n{}\n-- \n{footer_text}\n",
                hint.as_ref()
                    .map_or_else(String::new, |hint| format!("\n{hint}\n"))
            ),
            html: format!(
                "<!DOCTYPE html><html lang=\"{code}\"><body><p>{}</p><blockquote>{}</blockquote>\
                 <p><a href=\"{}\">{}</a></p>{}<hr>{footer_html}</body></html>",
                escape(&line),
                escape(&excerpt),
                escape(&link),
                escape(&open),
                hint.as_ref()
                    .map_or_else(String::new, |hint| format!("<p>{}</p>", escape(hint))),
                code = lang.code(),
            ),
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
            "<!DOCTYPE html><html lang=\"{}\"><body><p>{}</p><ul>",
            lang.code(),
            escape(&intro)
        );
        for row in items {
            let line = Self::notification_line(lang, row, &local);
            let excerpt = excerpt(row);
            let link = self.notification_link(row);
            text.push_str(&format!("* {line}\n  « {excerpt} »\n  {link}\n\n"));
            html.push_str(&format!(
                "<li><a href=\"{}\">{}</a><br><q>{}</q></li>",
                escape(&link),
                escape(&line),
                escape(&excerpt)
            ));
        }
        let (footer_text, footer_html) = self.footer(lang, &unsubscribe);
        text.push_str(&format!("-- \n{footer_text}\n"));
        html.push_str(&format!("</ul><hr>{footer_html}</body></html>"));
        RichMessage {
            subject,
            text,
            html,
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
        let cap = i64::from(self.settings.mail.notifications_per_hour);
        let mut sent = 0;
        let mut key = None;
        loop {
            let rows = self.store.pending_instant_mails(BATCH).await?;
            if rows.is_empty() {
                return Ok(sent);
            }
            let key = match &key {
                Some(key) => key,
                None => key.insert(self.unsubscribe_key().await?),
            };
            let ids: Vec<i64> = rows.iter().map(|row| row.mail_id).collect();
            let claimed: std::collections::HashSet<i64> =
                self.store.claim_mails(&ids).await?.into_iter().collect();
            let mut progressed = !claimed.is_empty();
            let mut failed = Vec::new();
            for row in rows
                .into_iter()
                .filter(|row| claimed.contains(&row.mail_id))
            {
                if !mailable(&row) || row.read_at.is_some() || row.visible == 0 {
                    self.store.finish_mails(&[row.mail_id], "dropped").await?;
                    progressed = true;
                    continue;
                }
                let since = self.clock().now_ms() - 3_600_000;
                if self.store.mails_sent_since(row.account_id, since).await? >= cap {
                    self.store.defer_to_digest(row.mail_id).await?;
                    progressed = true;
                    continue;
                }
                let unsubscribe = self.unsubscribe_link_with(key, row.account_id, &row.kind)?;
                let reply_to = self.notification_reply_to(&row).await?;
                let message = self.instant_message(&row, unsubscribe, reply_to);
                match self.mailer.send_rich(&row.email, message).await {
                    Ok(()) => {
                        self.store.finish_mails(&[row.mail_id], "sent").await?;
                        sent += 1;
                        progressed = true;
                    }
                    Err(cause) => {
                        tracing::warn!(%cause, "notification mail not sent; kept for later");
                        failed.push(row.mail_id);
                    }
                }
            }
            self.store.finish_mails(&failed, "pending").await?;
            if !progressed || !failed.is_empty() {
                return Ok(sent);
            }
        }
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
            let claimed: std::collections::HashSet<i64> =
                self.store.claim_mails(&ids).await?.into_iter().collect();
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
            self.store.finish_mails(&failed_rows, "pending").await?;
            self.store.finish_mails(&sent_rows, "sent").await?;
            self.store.finish_mails(&dropped_rows, "dropped").await?;
            self.store.digests_done(&done_accounts, now).await?;
            if done_accounts.is_empty() {
                return Ok(sent);
            }
        }
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
}
