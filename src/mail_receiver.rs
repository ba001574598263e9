//! The SMTP listener of replies by e-mail (`mail.receive_listen`): takes
//! messages for the reply domain's addresses from the instance's mail
//! server (or straight from the Internet) and hands each to
//! [`Domain::receive_reply_mail`].
//!
//! The protocol is the `mailin` state machine driven over tokio here, so
//! the listener lives in the server's runtime and calls the async domain
//! directly, answering the end of DATA only once the message is posted or
//! refused (a database failure answers 451, so the sending server tries
//! again). `mailin-embedded`, its thread-based server, would need a runtime
//! handle and a blocking bridge for every message.
//!
//! Only recipients of the reply domain are taken (550 for others), and a
//! message is at most [`MAX_MESSAGE_BYTES`] (552 beyond). A message that
//! cannot be posted is refused at the end of DATA, 550 with its refusal
//! code and reason: the sending server tells its own user, and the
//! listener never mails a bounce (the envelope sender may be forged). No TLS, no
//! authentication: the listener is meant for the loopback interface or a
//! private network, behind the instance's mail server.

use crate::{
    domain::{
        mail_replies::{ReplyChannel, ReplyMailOutcome, MAX_MESSAGE_BYTES},
        Domain,
    },
    i18n::Catalogs,
};
use mailin::{Action, Response, SessionBuilder};
use std::{
    net::IpAddr,
    sync::{Arc, Mutex},
    time::Duration,
};
use tokio::{
    io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader},
    net::{TcpListener, TcpStream},
};

/// Connections served at once; more wait for their turn.
const CONNECTIONS: usize = 16;
/// The longest line read (RFC 5321 allows 1000 bytes).
const MAX_LINE: u64 = 16 * 1024;
/// How long a client may stay silent.
const IDLE: Duration = Duration::from_secs(300);

/// One message received, with its envelope.
#[derive(Default)]
struct Received {
    from: String,
    recipients: Vec<String>,
    data: Vec<u8>,
    too_large: bool,
    complete: Option<(String, Vec<String>, Vec<u8>)>,
}

struct Handler {
    reply_domain: String,
    received: Arc<Mutex<Received>>,
}

impl Handler {
    fn with<T>(&self, act: impl FnOnce(&mut Received) -> T) -> T {
        let mut guard = self
            .received
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        act(&mut guard)
    }
}

impl mailin::Handler for Handler {
    fn mail(&mut self, _ip: IpAddr, _domain: &str, from: &str) -> Response {
        self.with(|received| {
            *received = Received {
                from: from.to_string(),
                ..Received::default()
            }
        });
        mailin::response::OK
    }

    fn rcpt(&mut self, to: &str) -> Response {
        let ours = to
            .trim()
            .trim_start_matches('<')
            .trim_end_matches('>')
            .rsplit_once('@')
            .is_some_and(|(_, domain)| domain.eq_ignore_ascii_case(&self.reply_domain));
        if ours {
            mailin::response::OK
        } else {
            Response::custom(550, "5.1.1 Not a reply address of this instance".into())
        }
    }

    fn data_start(&mut self, _domain: &str, from: &str, _is8bit: bool, to: &[String]) -> Response {
        self.with(|received| {
            received.from = from.to_string();
            received.recipients = to.to_vec();
            received.data.clear();
            received.too_large = false;
        });
        mailin::response::OK
    }

    fn data(&mut self, buf: &[u8]) -> std::io::Result<()> {
        self.with(|received| {
            if received.data.len() + buf.len() > MAX_MESSAGE_BYTES {
                received.too_large = true;
                received.data.clear();
            } else if !received.too_large {
                received.data.extend_from_slice(buf);
            }
        });
        Ok(())
    }

    fn data_end(&mut self) -> Response {
        self.with(|received| {
            if received.too_large {
                return Response::custom(552, "5.3.4 Message too large".into());
            }
            received.complete = Some((
                std::mem::take(&mut received.from),
                std::mem::take(&mut received.recipients),
                std::mem::take(&mut received.data),
            ));
            mailin::response::OK
        })
    }
}

/// The SMTP answer to what became of a message.
fn answer(outcome: Result<ReplyMailOutcome, String>) -> Response {
    match outcome {
        Ok(ReplyMailOutcome::Posted(_)) => Response::custom(250, "2.0.0 Reply posted".into()),
        Ok(ReplyMailOutcome::Duplicate) => Response::custom(250, "2.0.0 Already posted".into()),
        Ok(ReplyMailOutcome::Automatic) => {
            Response::custom(250, "2.0.0 Automatic message ignored".into())
        }
        Ok(ReplyMailOutcome::Refused { refusal, cause, .. }) => {
            let mut reason = Catalogs::english_error(refusal.code());
            if let Some(cause) = cause {
                reason.push(' ');
                reason.push_str(&Catalogs::english_error(cause.code()));
            }
            let (code, status) = match refusal {
                crate::domain::Refusal::ReplyTooLarge => (552, "5.3.4"),
                _ => (550, "5.7.1"),
            };
            // One line of ASCII, as SMTP replies are.
            let reason = reason
                .split_whitespace()
                .collect::<Vec<_>>()
                .join(" ")
                .replace(['’', '‘'], "'")
                .replace(|c: char| !c.is_ascii(), "");
            Response::custom(
                code,
                format!("{status} Reply not posted ({}): {reason}", refusal.code()),
            )
        }
        Ok(ReplyMailOutcome::NotForUs) => {
            Response::custom(550, "5.1.1 Not a reply address of this instance".into())
        }
        Err(cause) => {
            tracing::warn!(%cause, "reply by mail not processed; the sender will retry");
            Response::custom(451, "4.3.0 Temporary failure, try again later".into())
        }
    }
}

/// Binds `mail.receive_listen`, if set.
pub async fn bind(domain: &Domain) -> std::io::Result<Option<TcpListener>> {
    let address = domain.settings.mail.receive_listen.trim();
    if address.is_empty() {
        return Ok(None);
    }
    let listener = TcpListener::bind(address).await.map_err(|error| {
        std::io::Error::new(
            error.kind(),
            format!("cannot listen for mail on {address}: {error}"),
        )
    })?;
    Ok(Some(listener))
}

/// Serves SMTP on `listener` until the task is aborted.
pub fn spawn(listener: TcpListener, domain: Domain) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let slots = Arc::new(tokio::sync::Semaphore::new(CONNECTIONS));
        loop {
            let Ok(permit) = slots.clone().acquire_owned().await else {
                return;
            };
            let (stream, peer) = match listener.accept().await {
                Ok(accepted) => accepted,
                Err(error) => {
                    tracing::warn!(%error, "accepting a mail connection failed");
                    continue;
                }
            };
            let domain = domain.clone();
            tokio::spawn(async move {
                if let Err(error) = session(stream, peer.ip(), &domain).await {
                    tracing::debug!(%error, "mail connection ended");
                }
                drop(permit);
            });
        }
    })
}

async fn session(stream: TcpStream, peer: IpAddr, domain: &Domain) -> std::io::Result<()> {
    let (read, mut write) = stream.into_split();
    let mut reader = BufReader::new(read);
    let received = Arc::new(Mutex::new(Received::default()));
    let handler = Handler {
        reply_domain: domain.reply_domain(),
        received: received.clone(),
    };
    let mut session = SessionBuilder::new(domain.reply_domain()).build(peer, handler);
    write.write_all(&session.greeting().buffer()?).await?;
    let mut line = Vec::new();
    loop {
        line.clear();
        let read = tokio::time::timeout(
            IDLE,
            (&mut reader).take(MAX_LINE).read_until(b'\n', &mut line),
        )
        .await
        .map_err(|_| std::io::Error::new(std::io::ErrorKind::TimedOut, "idle client"))??;
        if read == 0 {
            return Ok(());
        }
        let mut response = session.process(&line);
        let complete = received
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .complete
            .take();
        if let Some((from, recipients, data)) = complete {
            let outcome = domain
                .receive_reply_mail(&data, &from, &recipients, ReplyChannel::Session)
                .await
                .map_err(|error| error.to_string());
            response = answer(outcome);
        }
        match response.action {
            Action::NoReply => {}
            Action::Close => {
                write.write_all(&response.buffer()?).await?;
                return Ok(());
            }
            Action::Reply | Action::UpgradeTls => {
                write.write_all(&response.buffer()?).await?;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{errors::Refusal, mail_replies::Bounce};

    #[test]
    fn outcomes_answer_with_smtp_codes() {
        let code = |outcome| answer(outcome).code;
        assert_eq!(
            code(Ok(ReplyMailOutcome::Posted(
                crate::domain::reply_address::ReplyThread::Project(1)
            ))),
            250
        );
        assert_eq!(code(Ok(ReplyMailOutcome::Duplicate)), 250);
        let refused = answer(Ok(ReplyMailOutcome::Refused {
            refusal: Refusal::ReplyThreadClosed,
            cause: Some(Refusal::ThreadLocked),
            bounce: Bounce::NotSent,
        }));
        assert_eq!(refused.code, 550);
        let line = String::from_utf8(refused.buffer().unwrap_or_default()).unwrap_or_default();
        assert!(
            line.starts_with("550 5.7.1 Reply not posted (reply_thread_closed): ")
                && line.contains("locked")
                && line.is_ascii(),
            "{line}"
        );
        assert_eq!(
            code(Ok(ReplyMailOutcome::Refused {
                refusal: Refusal::ReplyTooLarge,
                cause: None,
                bounce: Bounce::NotSent
            })),
            552
        );
        assert_eq!(code(Ok(ReplyMailOutcome::NotForUs)), 550);
        assert_eq!(code(Err("database".into())), 451);
    }
}
