//! Outgoing e-mail.
//!
//! With `mail.smtp_url` set, messages go through that SMTP server (lettre).
//! Without it, each message is written as an `.eml` file under
//! `DATA_DIR/outbox/` and its path logged, so the embedded default works
//! with no mail server and an admin can still read verification links.

use crate::{config::Settings, i18n::Lang};
use lettre::{
    message::{
        header::{ContentType, Header, HeaderName, HeaderValue},
        Mailbox, MultiPart,
    },
    AsyncFileTransport, AsyncSmtpTransport, AsyncTransport, Tokio1Executor,
};
use std::path::PathBuf;

/// A message ready to send: subject and plain-text body.
#[derive(Debug, Clone)]
pub struct Message {
    /// Subject line.
    pub subject: String,
    /// Plain-text body.
    pub body: String,
}

impl Message {
    /// The e-mail verification message, greeting `name` (the display
    /// name, or the user name when there is none).
    pub fn verification(lang: Lang, settings: &Settings, name: &str, link: &str) -> Message {
        let catalogs = crate::i18n::Catalogs::get();
        let instance = settings.instance.name.as_str();
        Message {
            subject: catalogs.format(lang, "mail-verify-subject", &[("instance", instance)]),
            body: catalogs.format(
                lang,
                "mail-verify-body",
                &[("instance", instance), ("name", name), ("link", link)],
            ),
        }
    }

    /// Tells an admin that a remote instance lost the trust level this
    /// instance had verified.
    pub fn level_lost(
        lang: Lang,
        settings: &Settings,
        host: &str,
        level: &str,
        link: &str,
    ) -> Message {
        let catalogs = crate::i18n::Catalogs::get();
        let instance = settings.instance.name.as_str();
        let level = catalogs.format(lang, &format!("trust-{level}"), &[]);
        Message {
            subject: catalogs.format(
                lang,
                "mail-level-lost-subject",
                &[("instance", instance), ("host", host)],
            ),
            body: catalogs.format(
                lang,
                "mail-level-lost-body",
                &[
                    ("instance", instance),
                    ("host", host),
                    ("level", &level),
                    ("link", link),
                ],
            ),
        }
    }

    /// Tells the owner of an address that someone tried to sign up with
    /// it (the sign-up answered as for a new address, so as not to tell
    /// who has an account).
    pub fn signup_attempt(lang: Lang, settings: &Settings, username: &str, link: &str) -> Message {
        let catalogs = crate::i18n::Catalogs::get();
        let instance = settings.instance.name.as_str();
        Message {
            subject: catalogs.format(lang, "mail-signup-taken-subject", &[("instance", instance)]),
            body: catalogs.format(
                lang,
                "mail-signup-taken-body",
                &[
                    ("instance", instance),
                    ("username", username),
                    ("link", link),
                ],
            ),
        }
    }

    /// The password reset message.
    /// The mail telling an applicant their sign-up was refused, and why.
    pub fn signup_refused(
        lang: Lang,
        settings: &Settings,
        username: &str,
        reason: &str,
    ) -> Message {
        let catalogs = crate::i18n::Catalogs::get();
        let instance = settings.instance.name.as_str();
        Message {
            subject: catalogs.format(
                lang,
                "mail-signup-refused-subject",
                &[("instance", instance)],
            ),
            body: catalogs.format(
                lang,
                "mail-signup-refused-body",
                &[
                    ("instance", instance),
                    ("username", username),
                    ("reason", reason),
                ],
            ),
        }
    }

    /// The password reset mail.
    pub fn password_reset(lang: Lang, settings: &Settings, username: &str, link: &str) -> Message {
        let catalogs = crate::i18n::Catalogs::get();
        let instance = settings.instance.name.as_str();
        Message {
            subject: catalogs.format(lang, "mail-reset-subject", &[("instance", instance)]),
            body: catalogs.format(
                lang,
                "mail-reset-body",
                &[
                    ("instance", instance),
                    ("username", username),
                    ("link", link),
                ],
            ),
        }
    }
}

/// A mail about notifications: a plain-text and an HTML part, and the
/// one-click unsubscribe link (RFC 8058) its headers carry.
#[derive(Debug, Clone)]
pub struct RichMessage {
    /// Subject line.
    pub subject: String,
    /// Plain-text part.
    pub text: String,
    /// HTML part.
    pub html: String,
    /// The signed one-click unsubscribe link (`List-Unsubscribe`).
    pub unsubscribe: String,
    /// Where answers go (`Reply-To`): the teacher's reply address for the
    /// thread the mail is about, when it is about one.
    pub reply_to: Option<String>,
}

/// The `Auto-Submitted: auto-replied` header (RFC 3834) of the mails
/// Préau sends in answer to a mail, so that no program answers them back.
#[derive(Debug, Clone)]
struct AutoReplied;

impl Header for AutoReplied {
    fn name() -> HeaderName {
        HeaderName::new_from_ascii_str("Auto-Submitted")
    }

    fn parse(_: &str) -> Result<Self, Box<dyn std::error::Error + Send + Sync>> {
        Ok(AutoReplied)
    }

    fn display(&self) -> HeaderValue {
        HeaderValue::new(Self::name(), "auto-replied".to_string())
    }
}

/// A copy of a forum post for a teacher who follows the forum by e-mail
/// (mailing-list mode): a [`RichMessage`] with the list headers and the
/// ids mail clients thread by.
#[derive(Debug, Clone)]
pub struct ListMessage {
    /// Subject, both parts, the one-click unsubscribe link and `Reply-To`
    /// (the teacher's reply address for the thread).
    pub rich: RichMessage,
    /// `List-Id`: `Title <name.list.host>`.
    pub list_id: String,
    /// `Message-ID` of this post, with its angle brackets.
    pub message_id: String,
    /// `In-Reply-To`: the post it answers, if any.
    pub in_reply_to: Option<String>,
    /// `References`: the thread's first post, then the one answered.
    pub references: Vec<String>,
}

/// The `List-Id` header (RFC 2919).
#[derive(Debug, Clone)]
struct ListId(String);

impl Header for ListId {
    fn name() -> HeaderName {
        HeaderName::new_from_ascii_str("List-Id")
    }

    fn parse(value: &str) -> Result<Self, Box<dyn std::error::Error + Send + Sync>> {
        Ok(ListId(value.trim().to_string()))
    }

    fn display(&self) -> HeaderValue {
        HeaderValue::new(Self::name(), self.0.clone())
    }
}

/// The `List-Unsubscribe` header: `<https link>`.
#[derive(Debug, Clone)]
struct ListUnsubscribe(String);

impl Header for ListUnsubscribe {
    fn name() -> HeaderName {
        HeaderName::new_from_ascii_str("List-Unsubscribe")
    }

    fn parse(value: &str) -> Result<Self, Box<dyn std::error::Error + Send + Sync>> {
        Ok(ListUnsubscribe(
            value
                .trim()
                .trim_start_matches('<')
                .trim_end_matches('>')
                .to_string(),
        ))
    }

    fn display(&self) -> HeaderValue {
        HeaderValue::new(Self::name(), format!("<{}>", self.0))
    }
}

/// The `List-Unsubscribe-Post: List-Unsubscribe=One-Click` header.
#[derive(Debug, Clone)]
struct ListUnsubscribePost;

impl Header for ListUnsubscribePost {
    fn name() -> HeaderName {
        HeaderName::new_from_ascii_str("List-Unsubscribe-Post")
    }

    fn parse(_: &str) -> Result<Self, Box<dyn std::error::Error + Send + Sync>> {
        Ok(ListUnsubscribePost)
    }

    fn display(&self) -> HeaderValue {
        HeaderValue::new(Self::name(), "List-Unsubscribe=One-Click".to_string())
    }
}

/// The mailbox the mailer sends to for `address`, read by lettre's own
/// parser exactly as [`Mailer::send`] reads it. Only a bare address is
/// accepted (no display name, nothing the parser would drop or rewrite), so
/// an address that passes is one the mailer will take. Every address that
/// enters Préau goes through this, by way of `domain::validate::email`.
pub fn recipient(address: &str) -> Result<Mailbox, String> {
    let mailbox: Mailbox = address
        .parse()
        .map_err(|error: lettre::address::AddressError| error.to_string())?;
    let bare: lettre::Address = address
        .parse()
        .map_err(|error: lettre::address::AddressError| error.to_string())?;
    if mailbox.name.is_some() || mailbox.email != bare || bare.to_string() != address {
        return Err("not a bare address".to_string());
    }
    Ok(mailbox)
}

#[derive(Clone)]
enum Transport {
    Smtp(AsyncSmtpTransport<Tokio1Executor>),
    Outbox {
        transport: AsyncFileTransport<Tokio1Executor>,
        dir: PathBuf,
    },
}

/// Sends messages for one instance.
#[derive(Clone)]
pub struct Mailer {
    transport: Transport,
    from: Mailbox,
}

/// Why the mailer could not be set up.
#[derive(Debug, thiserror::Error)]
pub enum MailSetupError {
    /// The SMTP URL is malformed.
    #[error("invalid mail.smtp_url: {0}")]
    SmtpUrl(String),
    /// The sender address is malformed.
    #[error("invalid mail.from: {0}")]
    From(String),
    /// The outbox folder could not be created.
    #[error("cannot create the mail outbox folder: {0}")]
    Outbox(#[from] std::io::Error),
}

impl Mailer {
    /// Builds the mailer the settings ask for.
    pub fn from_settings(settings: &Settings) -> Result<Mailer, MailSetupError> {
        let from = if settings.mail.from.is_empty() {
            let host = settings
                .instance
                .domain
                .split(':')
                .next()
                .unwrap_or("localhost");
            format!("{} <noreply@{host}>", settings.instance.name)
                .parse::<Mailbox>()
                .or_else(|_| format!("{} <noreply@localhost>", settings.instance.name).parse())
                .map_err(|error: lettre::address::AddressError| {
                    MailSetupError::From(error.to_string())
                })?
        } else {
            settings
                .mail
                .from
                .parse()
                .map_err(|error: lettre::address::AddressError| {
                    MailSetupError::From(error.to_string())
                })?
        };
        let transport = if settings.mail.smtp_url.is_empty() {
            let dir = settings.server.data_dir.join("outbox");
            std::fs::create_dir_all(&dir)?;
            Transport::Outbox {
                transport: AsyncFileTransport::new(&dir),
                dir,
            }
        } else {
            let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(&settings.mail.smtp_url)
                .map_err(|error| MailSetupError::SmtpUrl(error.to_string()))?
                .timeout(Some(std::time::Duration::from_secs(20)))
                .build();
            Transport::Smtp(transport)
        };
        Ok(Mailer { transport, from })
    }

    /// Sends `message` to `to`. The error is a human-readable cause for
    /// the log; callers show a generic "mail unavailable".
    pub async fn send(&self, to: &str, message: Message) -> Result<(), String> {
        let recipient = recipient(to).map_err(|error| format!("recipient: {error}"))?;
        let email = lettre::Message::builder()
            .from(self.from.clone())
            .to(recipient)
            .subject(message.subject)
            .header(ContentType::TEXT_PLAIN)
            .body(message.body)
            .map_err(|error| format!("building message: {error}"))?;
        self.deliver(to, email).await
    }

    /// Sends `message` in answer to a mail received (a bounce of a reply
    /// by mail), marked `Auto-Submitted: auto-replied`.
    pub async fn send_auto_reply(&self, to: &str, message: Message) -> Result<(), String> {
        let recipient = recipient(to).map_err(|error| format!("recipient: {error}"))?;
        let email = lettre::Message::builder()
            .from(self.from.clone())
            .to(recipient)
            .subject(message.subject)
            .header(AutoReplied)
            .header(ContentType::TEXT_PLAIN)
            .body(message.body)
            .map_err(|error| format!("building message: {error}"))?;
        self.deliver(to, email).await
    }

    /// The headers a notification mail and a list mail share: sender,
    /// recipient, subject, the one-click unsubscribe pair and, when the mail
    /// is about a thread, the reply address as `Reply-To`.
    fn rich_builder(
        &self,
        to: &str,
        message: &RichMessage,
    ) -> Result<lettre::message::MessageBuilder, String> {
        let recipient = recipient(to).map_err(|error| format!("recipient: {error}"))?;
        let mut builder = lettre::Message::builder()
            .from(self.from.clone())
            .to(recipient)
            .subject(message.subject.clone())
            .header(ListUnsubscribe(message.unsubscribe.clone()))
            .header(ListUnsubscribePost);
        if let Some(reply_to) = &message.reply_to {
            let mailbox = reply_to
                .parse::<Mailbox>()
                .map_err(|error| format!("reply-to: {error}"))?;
            builder = builder.reply_to(mailbox);
        }
        Ok(builder)
    }

    /// Sends the notification mail `message` to `to`: plain text and HTML
    /// alternatives, with the headers of [`Mailer::rich_builder`].
    pub async fn send_rich(&self, to: &str, message: RichMessage) -> Result<(), String> {
        let email = self
            .rich_builder(to, &message)?
            .multipart(MultiPart::alternative_plain_html(
                message.text,
                message.html,
            ))
            .map_err(|error| format!("building message: {error}"))?;
        self.deliver(to, email).await
    }

    /// Sends the list mail `message` to `to`: a notification mail's
    /// headers, the list's and the threading ids.
    pub async fn send_list(&self, to: &str, message: ListMessage) -> Result<(), String> {
        let mut builder = self
            .rich_builder(to, &message.rich)?
            .message_id(Some(message.message_id))
            .header(ListId(message.list_id));
        if let Some(parent) = message.in_reply_to {
            builder = builder.in_reply_to(parent);
        }
        if !message.references.is_empty() {
            builder = builder.references(message.references.join(" "));
        }
        let email = builder
            .multipart(MultiPart::alternative_plain_html(
                message.rich.text,
                message.rich.html,
            ))
            .map_err(|error| format!("building message: {error}"))?;
        self.deliver(to, email).await
    }

    async fn deliver(&self, to: &str, email: lettre::Message) -> Result<(), String> {
        match &self.transport {
            Transport::Smtp(transport) => {
                transport
                    .send(email)
                    .await
                    .map_err(|error| format!("smtp: {error}"))?;
                tracing::info!(%to, "mail sent over SMTP");
            }
            Transport::Outbox { transport, dir } => {
                let id = transport
                    .send(email)
                    .await
                    .map_err(|error| format!("outbox: {error}"))?;
                tracing::info!(%to, file = %dir.join(format!("{id}.eml")).display(), "mail written to the outbox folder (no mail.smtp_url set)");
            }
        }
        Ok(())
    }
}
