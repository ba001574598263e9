//! Replies by e-mail: a teacher answers a mail about a thread (its
//! `Reply-To` is their reply address for that thread, see
//! [`super::reply_address`]) and the answer is posted as their reply,
//! through the same paths as a reply written on the site
//! ([`Domain::post_reply`], [`Domain::reply_project_post`]), so it is
//! federated, notified and shown live like any other.
//!
//! [`Domain::receive_reply_mail`] takes one raw message with its envelope
//! (from the SMTP listener or `preau mail receive`). It keeps what the
//! teacher wrote: the plain-text part (or the HTML one turned into text),
//! without the quoted mail, the attribution line and what follows it, the
//! forwarded-headers block of Outlook, or the signature. The message is
//! recorded (`reply_mails`, by teacher and Message-ID) in the transaction
//! that stores the reply, so a message delivered again after a crash is
//! posted once, and one refused leaves no record.
//!
//! A bounce never goes to a sender who may be forged. Over SMTP a refused
//! message is refused in the session (5xx with the reason): the sending
//! server tells its own user, and no mail is sent. Without a session (the
//! MTA's pipe), a bounce, in French and English, is mailed only to the
//! address of the account the reply address belongs to, and only when the
//! message comes from that address; anything else is dropped (logged).
//! Never for an automatic message.

use super::{reply_address::ReplyThread, Domain, DomainError, DomainResult, Refusal};
use crate::{
    domain::store::{
        accounts::AccountStatus,
        posts::PostId,
        reply_mails::{self, ReplyMailClaim},
        Tx,
    },
    i18n::{Catalogs, Lang},
    mail::Message,
};
use mail_parser::MessageParser;
use sha2::{Digest, Sha256};

/// The largest message taken, in bytes (headers and attachments included).
pub const MAX_MESSAGE_BYTES: usize = 1024 * 1024;

/// How a message reached the instance, which decides how a refusal is
/// told.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReplyChannel {
    /// An SMTP session (the listener): a refusal is answered in it, and no
    /// bounce is mailed.
    Session,
    /// No session to answer in (`preau mail receive`, run by the MTA): a
    /// bounce is mailed to the reply address's owner when the message comes
    /// from their address.
    Pipe,
}

/// What became of a received message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReplyMailOutcome {
    /// Posted as a reply in this thread.
    Posted(ReplyThread),
    /// This message (same teacher, same Message-ID) was posted already.
    Duplicate,
    /// Not posted, for this reason; `bounce` says whether the sender was told.
    Refused {
        /// Why.
        refusal: Refusal,
        /// The refusal of the posting path behind `refusal`, if any (why a
        /// thread no longer takes the teacher's replies).
        cause: Option<Refusal>,
        /// What became of the bounce.
        bounce: Bounce,
    },
    /// An automatic message (an auto-reply, a bounce): neither posted nor
    /// answered.
    Automatic,
    /// No recipient is an address of this instance's reply domain.
    NotForUs,
}

/// The bounce of a refused message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Bounce {
    /// Mailed to the address of the reply address's owner.
    Sent,
    /// Not mailed: the refusal is answered in the SMTP session, or the
    /// sender is not the owner (it may be forged), or there is no sender
    /// (empty, MAILER-DAEMON).
    NotSent,
    /// The mail server did not take it (worth trying again later).
    Failed,
}

/// A refusal before or while posting, with the owner's address when the
/// message comes from it (then a bounce may be mailed there).
struct Refused {
    refusal: Refusal,
    cause: Option<Refusal>,
    owner: Option<String>,
}

impl Refused {
    fn new(refusal: Refusal) -> Refused {
        Refused {
            refusal,
            cause: None,
            owner: None,
        }
    }
}

/// Records `claim`, if any, in `tx` (the transaction storing its reply):
/// `reply_already_posted` when it was recorded already.
pub(super) async fn record_claim(tx: &mut Tx, claim: Option<&ReplyMailClaim>) -> DomainResult<()> {
    if let Some(claim) = claim {
        if !reply_mails::claim_reply_mail(tx, claim).await? {
            return Err(Refusal::ReplyAlreadyPosted.into());
        }
    }
    Ok(())
}

/// Whether `refusal` means the thread no longer takes this teacher's
/// replies (rather than something wrong with the message itself).
fn closes_thread(refusal: &Refusal) -> bool {
    matches!(
        refusal,
        Refusal::ThreadLocked
            | Refusal::PostDeleted
            | Refusal::BannedFromForum
            | Refusal::ForumLevelTooLow
            | Refusal::MemberLevelTooLow
            | Refusal::NotProjectMember
            | Refusal::Forbidden
            | Refusal::NotFound
            | Refusal::AccountSuspended
    )
}

/// The text a teacher wrote in `raw`: the plain-text body, else the HTML
/// one as text, without quotes and signature. `None` when the message
/// cannot be read at all.
pub fn reply_body(raw: &[u8]) -> Option<String> {
    let message = MessageParser::default().parse(raw)?;
    let text = if let Some(part) = message
        .text_body
        .iter()
        .filter_map(|id| message.part(*id))
        .find(|part| part.is_text() && !part.is_text_html())
    {
        part.text_contents().unwrap_or_default().to_string()
    } else if let Some(part) = message
        .html_body
        .iter()
        .filter_map(|id| message.part(*id))
        .find(|part| part.is_text_html())
    {
        html_to_text(part.text_contents().unwrap_or_default())
    } else {
        String::new()
    };
    Some(strip_quoted(&text))
}

/// An HTML body as text, its quoted parts (`<blockquote>`) left out.
pub fn html_to_text(html: &str) -> String {
    // Only the tags that shape lines are kept; quotes, styles and scripts
    // go with their content.
    let without_quotes = ammonia::Builder::empty()
        .tag_attributes(std::collections::HashMap::new())
        .add_tags([
            "p", "div", "br", "span", "a", "b", "i", "strong", "em", "u", "ul", "ol", "li", "h1",
            "h2", "h3", "h4", "h5", "h6", "pre", "code", "table", "tbody", "thead", "tr", "td",
            "th", "hr",
        ])
        .add_clean_content_tags(["blockquote", "style", "script", "head", "title"])
        .clean(html)
        .to_string();
    mail_parser::decoders::html::html_to_text(&without_quotes)
}

/// Whether `line` opens the quoted mail as mail programs write it:
/// "Le 3 déc. 2026 à 10:00, Anne <anne@…> a écrit :", "On … wrote:"
/// (`next` is the following line: long attributions wrap).
fn is_attribution(line: &str, next: Option<&str>) -> bool {
    let line = line.trim();
    let lower = line.to_lowercase();
    if !(lower.starts_with("le ") || lower.starts_with("on ")) {
        return false;
    }
    let ends = |text: &str| {
        let text = text.trim_end().trim_end_matches(':').trim_end();
        text.ends_with("a écrit") || text.ends_with("wrote") || text.ends_with("a ecrit")
    };
    ends(&lower)
        || next.is_some_and(|next| {
            let next = next.trim().to_lowercase();
            next.len() < 120 && ends(&next)
        })
}

/// Whether `line` is a header line of the quoted mail Outlook writes
/// ("De : …", "From: …" followed by "Envoyé : …", "Sent: …", "Date: …").
fn header_name(line: &str) -> Option<&'static str> {
    let line = line.trim_start_matches(['*', ' ']).to_lowercase();
    let (name, _) = line.split_once(':')?;
    let name = name.trim_end_matches(['*', ' ', '\u{a0}']);
    [
        "de", "from", "envoyé", "sent", "date", "à", "to", "objet", "subject", "cc",
    ]
    .into_iter()
    .find(|known| *known == name)
}

/// Whether the lines from `at` start an Outlook header block: "De"/"From"
/// then at least one more header line.
fn is_header_block(lines: &[&str], at: usize) -> bool {
    if !matches!(header_name(lines[at]), Some("de" | "from")) {
        return false;
    }
    lines
        .get(at + 1..(at + 4).min(lines.len()))
        .unwrap_or_default()
        .iter()
        .any(|line| matches!(header_name(line), Some(name) if name != "de" && name != "from"))
}

/// Removes from a reply what the teacher did not write: lines quoted with
/// `>`, everything from an attribution line ("Le … a écrit :", "On …
/// wrote:"), an "-----Original Message-----" line, an Outlook header block
/// or a signature separator (`-- `) on, and trailing spaces and blank lines.
pub fn strip_quoted(text: &str) -> String {
    let normalized = text.replace("\r\n", "\n").replace('\r', "\n");
    let lines: Vec<&str> = normalized.lines().collect();
    let mut kept: Vec<&str> = Vec::new();
    for (at, line) in lines.iter().enumerate() {
        let trimmed = line.trim();
        let lower = trimmed.to_lowercase();
        let separator = trimmed.len() >= 10
            && (trimmed.chars().all(|c| c == '_') || trimmed.chars().all(|c| c == '-'));
        if *line == "-- "
            || trimmed == "--"
            || (lower.starts_with("-----") && lower.ends_with("-----") && trimmed.len() > 10)
            || (separator
                && lines
                    .get(at + 1)
                    .is_some_and(|next| header_name(next).is_some()))
            || is_attribution(line, lines.get(at + 1).copied())
            || is_header_block(&lines, at)
        {
            break;
        }
        if trimmed.starts_with('>') {
            continue;
        }
        kept.push(line.trim_end());
    }
    while kept.last().is_some_and(|line| line.is_empty()) {
        kept.pop();
    }
    let start = kept
        .iter()
        .position(|line| !line.is_empty())
        .unwrap_or(kept.len());
    kept[start..].join("\n")
}

/// The address of the `Return-Path` header an MTA adds on delivery (the
/// envelope sender), for a message handed over without its envelope.
pub fn return_path(raw: &[u8]) -> Option<String> {
    let message = MessageParser::default().parse_headers(raw)?;
    let value = message.header_raw("Return-Path")?;
    Some(
        value
            .trim()
            .trim_start_matches('<')
            .trim_end_matches('>')
            .trim()
            .to_string(),
    )
}

/// The bare address of a `From` header.
fn from_address(message: &mail_parser::Message<'_>) -> Option<String> {
    message
        .from()
        .and_then(|from| from.first())
        .and_then(|addr| addr.address())
        .map(|address| address.trim().to_string())
}

/// Whether the message says it was sent by a program (RFC 3834
/// `Auto-Submitted` other than `no`, or a bulk `Precedence`).
fn is_automatic(message: &mail_parser::Message<'_>) -> bool {
    let header = |name: &str| {
        message
            .header_raw(name)
            .map(|value| value.trim().to_ascii_lowercase())
    };
    let auto = header("Auto-Submitted").is_some_and(|value| !value.starts_with("no"));
    let bulk = header("Precedence")
        .is_some_and(|value| matches!(value.as_str(), "bulk" | "junk" | "list"));
    auto || bulk
}

/// Whether a bounce may go to `sender`: not empty, not a mailer daemon.
fn bounce_address(sender: &str) -> Option<String> {
    let sender = sender.trim().trim_start_matches('<').trim_end_matches('>');
    let local = sender.split('@').next().unwrap_or_default();
    if sender.is_empty()
        || local.eq_ignore_ascii_case("mailer-daemon")
        || local.eq_ignore_ascii_case("postmaster")
        || crate::mail::recipient(sender).is_err()
    {
        return None;
    }
    Some(sender.to_string())
}

impl Domain {
    /// Receives one mail answering a reply address: posts it as the
    /// teacher's reply, or says why not (see [`ReplyChannel`] for who is
    /// told). `envelope_rcpts` are the SMTP recipients (when empty, the `To`
    /// and `Cc` headers are read instead); `envelope_from` the envelope
    /// sender (no bounce when it is empty or a mailer daemon). An error is
    /// a failure worth trying again later (the database): nothing was
    /// posted nor recorded.
    pub async fn receive_reply_mail(
        &self,
        raw: &[u8],
        envelope_from: &str,
        envelope_rcpts: &[String],
        channel: ReplyChannel,
    ) -> DomainResult<ReplyMailOutcome> {
        let parsed = MessageParser::default().parse(raw);
        let mut recipients: Vec<String> = envelope_rcpts.to_vec();
        if recipients.is_empty() {
            if let Some(message) = &parsed {
                for list in [message.to(), message.cc()].into_iter().flatten() {
                    recipients.extend(list.iter().filter_map(|a| a.address().map(str::to_string)));
                }
            }
        }
        let reply_domain = self.reply_domain();
        let Some(recipient) = recipients.into_iter().find(|address| {
            address
                .trim()
                .trim_end_matches('>')
                .rsplit_once('@')
                .is_some_and(|(_, domain)| domain.eq_ignore_ascii_case(&reply_domain))
        }) else {
            return Ok(ReplyMailOutcome::NotForUs);
        };
        if parsed.as_ref().is_some_and(is_automatic) {
            tracing::info!(%recipient, "automatic message to a reply address ignored");
            return Ok(ReplyMailOutcome::Automatic);
        }
        let result = match parsed {
            _ if raw.len() > MAX_MESSAGE_BYTES => Err(Refused::new(Refusal::ReplyTooLarge)),
            None => Err(Refused::new(Refusal::EmptyReply)),
            Some(message) => self.post_reply_mail(raw, &message, &recipient).await?,
        };
        let refused = match result {
            Ok(outcome) => return Ok(outcome),
            Err(refused) => refused,
        };
        let bounce = match (&refused.owner, channel) {
            (Some(owner), ReplyChannel::Pipe) if bounce_address(envelope_from).is_some() => {
                self.send_reply_bounce(owner, &refused.refusal, refused.cause.as_ref())
                    .await
            }
            _ => Bounce::NotSent,
        };
        tracing::info!(
            %recipient,
            code = refused.refusal.code(),
            cause = ?refused.cause,
            ?bounce,
            "reply by mail refused"
        );
        Ok(ReplyMailOutcome::Refused {
            refusal: refused.refusal,
            cause: refused.cause,
            bounce,
        })
    }

    /// Checks and posts a parsed message; `Err` inside is a refusal.
    async fn post_reply_mail(
        &self,
        raw: &[u8],
        message: &mail_parser::Message<'_>,
        recipient: &str,
    ) -> DomainResult<Result<ReplyMailOutcome, Refused>> {
        let refused = |refusal: Refusal| Ok(Err(Refused::new(refusal)));
        let Some(target) = self.read_reply_address(recipient).await? else {
            return refused(Refusal::InvalidReplyAddress);
        };
        let Some(account) = self.store.account_by_id(target.account).await? else {
            return refused(Refusal::InvalidReplyAddress);
        };
        if account.status != AccountStatus::Active || account.email_verified_at.is_none() {
            return refused(Refusal::InvalidReplyAddress);
        }
        let sender_matches = from_address(message)
            .is_some_and(|from| from.eq_ignore_ascii_case(account.email.trim()));
        if !sender_matches {
            return refused(Refusal::ReplySenderMismatch);
        }
        // From here on the message comes from the owner's address: a
        // bounce may be mailed there (never elsewhere).
        let owner_refused = |refusal: Refusal, cause: Option<Refusal>| Refused {
            refusal,
            cause,
            owner: Some(account.email.trim().to_string()),
        };
        let message_id = message.message_id().map_or_else(
            || {
                let digest = Sha256::digest(raw);
                digest.iter().map(|byte| format!("{byte:02x}")).collect()
            },
            |id| id.trim().to_string(),
        );
        let claim = ReplyMailClaim {
            account: account.id,
            message_id,
        };
        // Already posted: said before anything else (the thread may have
        // been locked since).
        if self.store.reply_mail_claimed(&claim).await? {
            return Ok(Ok(ReplyMailOutcome::Duplicate));
        }
        let Some(body) = reply_body(raw).filter(|body| !body.trim().is_empty()) else {
            return Ok(Err(owner_refused(Refusal::EmptyReply, None)));
        };
        let posted = match target.thread {
            ReplyThread::Forum(thread) => {
                self.reply_by_mail_in_forum(&account, thread, &body, &claim)
                    .await
            }
            ReplyThread::Project(thread) => {
                self.reply_by_mail_in_project(&account, thread, &body, &claim)
                    .await
            }
        };
        match posted {
            Ok(()) => Ok(Ok(ReplyMailOutcome::Posted(target.thread))),
            Err(DomainError::Refused(Refusal::ReplyAlreadyPosted)) => {
                Ok(Ok(ReplyMailOutcome::Duplicate))
            }
            Err(DomainError::Refused(cause)) if closes_thread(&cause) => {
                Ok(Err(owner_refused(Refusal::ReplyThreadClosed, Some(cause))))
            }
            Err(DomainError::Refused(cause)) => Ok(Err(owner_refused(cause, None))),
            Err(other) => Err(other),
        }
    }

    async fn reply_by_mail_in_forum(
        &self,
        account: &crate::domain::rows::AccountRow,
        thread: PostId,
        body: &str,
        claim: &ReplyMailClaim,
    ) -> DomainResult<()> {
        let root = self
            .store
            .post(thread)
            .await?
            .filter(|post| post.thread_id.is_none())
            .ok_or(Refusal::NotFound)?;
        self.post_reply_claiming(account, &root, body, Some(claim))
            .await?;
        Ok(())
    }

    async fn reply_by_mail_in_project(
        &self,
        account: &crate::domain::rows::AccountRow,
        thread: i64,
        body: &str,
        claim: &ReplyMailClaim,
    ) -> DomainResult<()> {
        let root = self
            .store
            .project_post(thread)
            .await?
            .filter(|post| post.thread_id.is_none())
            .ok_or(Refusal::NotFound)?;
        let project = self
            .store
            .project(root.project_id)
            .await?
            .ok_or(Refusal::NotFound)?;
        self.reply_project_post_claiming(account, &project, &root, body, Some(claim))
            .await?;
        Ok(())
    }

    /// Tells the reply address's owner, at `owner` (their account's
    /// address), why their reply was not posted, in French then English.
    async fn send_reply_bounce(
        &self,
        owner: &str,
        refusal: &Refusal,
        cause: Option<&Refusal>,
    ) -> Bounce {
        let message = self.reply_bounce_message(refusal, cause);
        match self.mailer.send_auto_reply(owner, message).await {
            Ok(()) => Bounce::Sent,
            Err(error) => {
                tracing::warn!(%error, "bounce of a reply by mail not sent");
                Bounce::Failed
            }
        }
    }

    fn reply_bounce_message(&self, refusal: &Refusal, cause: Option<&Refusal>) -> Message {
        let catalogs = Catalogs::get();
        let instance = self.settings.instance.name.as_str();
        let reason = |lang: Lang| {
            let mut text = catalogs.format(lang, &format!("error-{}", refusal.code()), &[]);
            if let Some(cause) = cause {
                text.push(' ');
                text.push_str(&catalogs.format(lang, &format!("error-{}", cause.code()), &[]));
            }
            text
        };
        let part = |lang: Lang| {
            catalogs.format(
                lang,
                "mail-reply-bounce-body",
                &[
                    ("instance", instance),
                    ("reason", &reason(lang)),
                    ("code", refusal.code()),
                ],
            )
        };
        Message {
            subject: format!(
                "{} / {}",
                catalogs.format(
                    Lang::Fr,
                    "mail-reply-bounce-subject",
                    &[("instance", instance)]
                ),
                catalogs.format(
                    Lang::En,
                    "mail-reply-bounce-subject",
                    &[("instance", instance)]
                )
            ),
            body: format!("{}\n\n----\n\n{}\n", part(Lang::Fr), part(Lang::En)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gmail_french_attribution_and_quote_are_cut() {
        let text = "Merci, je prends la séance de jeudi.\r\n\r\n\
                    Le jeu. 3 déc. 2026 à 10:02, Anne Martin <anne@ecole.fr> a écrit :\r\n\
                    > Qui peut prendre jeudi ?\r\n> \r\n";
        assert_eq!(strip_quoted(text), "Merci, je prends la séance de jeudi.");
    }

    #[test]
    fn wrapped_attribution_lines_are_cut() {
        let text = "D'accord.\n\nLe jeu. 3 déc. 2026 à 10:02, Anne Martin via Préau <\nreply+f1.2.abc@preau.test> a écrit :\n\n> texte\n";
        assert_eq!(strip_quoted(text), "D'accord.");
        let english =
            "Sure.\n\nOn Thu, Dec 3, 2026 at 10:02 AM Anne <anne@x.org>\nwrote:\n> text\n";
        assert_eq!(strip_quoted(english), "Sure.");
    }

    #[test]
    fn thunderbird_quote_and_signature_are_cut() {
        let text = "Le 03/12/2026 à 10:02, Anne a écrit :\n> Question ?\n";
        assert_eq!(strip_quoted(text), "", "only a quote: nothing left");
        let text =
            "Voici ma réponse,\nsur deux lignes.   \n\n-- \nBob Dupont\nCollège Jean Moulin\n";
        assert_eq!(strip_quoted(text), "Voici ma réponse,\nsur deux lignes.");
    }

    #[test]
    fn interleaved_quotes_keep_the_answers() {
        let text = "> Première question ?\nOui.\n> Seconde ?\nNon.\n";
        assert_eq!(strip_quoted(text), "Oui.\nNon.");
    }

    #[test]
    fn outlook_header_blocks_are_cut() {
        let text = "Je serai là.\n\n________________________________\nDe : Anne Martin <anne@ecole.fr>\nEnvoyé : jeudi 3 décembre 2026 10:02\nÀ : Bob\nObjet : Sortie\n\nTexte cité\n";
        assert_eq!(strip_quoted(text), "Je serai là.");
        let text = "Je serai là.\n\nDe : Anne Martin <anne@ecole.fr>\nEnvoyé : jeudi 3 décembre 2026 10:02\n";
        assert_eq!(strip_quoted(text), "Je serai là.");
        let text = "OK\n\n-----Original Message-----\nFrom: Anne\nSent: Thursday\n";
        assert_eq!(strip_quoted(text), "OK");
        let text = "OK\n-----Message d'origine-----\nDe : Anne\n";
        assert_eq!(strip_quoted(text), "OK");
        let text = "De : nous, une remarque.\nLa suite.";
        assert_eq!(strip_quoted(text), text, "a lone « De : » line stays");
    }

    #[test]
    fn plain_messages_read_their_text_part() {
        let raw = "From: Bob <bob@ecole.fr>\r\nTo: reply+f1.2.x@preau.test\r\nSubject: Re: Sortie\r\n\
                   Message-ID: <1@ecole.fr>\r\nContent-Type: multipart/alternative; boundary=\"b\"\r\n\r\n\
                   --b\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n\
                   Je viens =C3=A0 la sortie.\r\n\r\nLe jeu. 3 d=C3=A9c. 2026, Anne a =C3=A9crit :\r\n> Qui vient ?\r\n\
                   --b\r\nContent-Type: text/html; charset=utf-8\r\n\r\n<p>HTML part</p>\r\n--b--\r\n";
        assert_eq!(
            reply_body(raw.as_bytes()).as_deref(),
            Some("Je viens à la sortie.")
        );
    }

    #[test]
    fn html_only_messages_are_read_as_text_without_quotes() {
        let raw = "From: Bob <bob@ecole.fr>\r\nTo: reply+f1.2.x@preau.test\r\nSubject: Re: Sortie\r\n\
                   Content-Type: text/html; charset=utf-8\r\n\r\n\
                   <div dir=\"ltr\">Je viens <b>aussi</b>.<br>Bob</div><br>\
                   <div class=\"gmail_quote\"><div class=\"gmail_attr\">Le jeu. 3 déc. 2026, Anne &lt;anne@ecole.fr&gt; a écrit :<br></div>\
                   <blockquote class=\"gmail_quote\">Qui vient ?</blockquote></div>\r\n";
        let body = reply_body(raw.as_bytes()).expect("parsed");
        assert!(body.starts_with("Je viens aussi."), "{body:?}");
        assert!(body.contains("Bob"), "{body:?}");
        assert!(!body.contains("Qui vient"), "{body:?}");
        assert!(!body.contains("a écrit"), "{body:?}");
    }

    #[test]
    fn automatic_messages_and_daemons_are_never_answered() {
        let parse = |headers: &str| {
            let raw = format!("{headers}From: a@b.fr\r\nSubject: x\r\n\r\nbody\r\n");
            let message = MessageParser::default()
                .parse(raw.as_bytes())
                .map(|message| is_automatic(&message));
            message.expect("parsed")
        };
        assert!(parse("Auto-Submitted: auto-replied\r\n"));
        assert!(!parse("Auto-Submitted: no\r\n"));
        assert!(parse("Precedence: bulk\r\n"));
        assert!(!parse(""));
        assert_eq!(bounce_address(""), None);
        assert_eq!(bounce_address("<>"), None);
        assert_eq!(bounce_address("MAILER-DAEMON@mx.example.org"), None);
        assert_eq!(
            bounce_address("<bob@ecole.fr>").as_deref(),
            Some("bob@ecole.fr")
        );
    }
}
