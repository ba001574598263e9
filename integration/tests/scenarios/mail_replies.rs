//! Replies by e-mail (issue 12): Bob, on B, replies to Anne's thread on A;
//! Anne's notification mail carries her reply address as `Reply-To`; her
//! answer, sent over SMTP to A's receiver with a quote and a signature, is
//! posted without them and reaches B's copy of the thread. The same
//! Message-ID sent again posts nothing; a forged address, a wrong sender
//! and a locked thread each get a bounce and post nothing; a recipient
//! outside the reply domain is refused at RCPT, one beyond 1 MiB at DATA;
//! a message with only a quote and a signature bounces as empty. Real
//! loopback SMTP servers both ways.

use super::support::{client::Client, *};
use serde_json::Value;
use std::time::Duration;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};

/// Sends one message over SMTP to `port`; answers the code of the last
/// command that got one (the end of DATA, or the first refusal).
async fn smtp_send(port: u16, from: &str, to: &str, message: &str) -> u16 {
    let stream = tokio::net::TcpStream::connect(("127.0.0.1", port))
        .await
        .expect("connect to the receiver");
    let (read, mut write) = stream.into_split();
    let mut lines = BufReader::new(read);
    async fn code(lines: &mut BufReader<tokio::net::tcp::OwnedReadHalf>) -> u16 {
        loop {
            let mut line = String::new();
            lines.read_line(&mut line).await.expect("read answer");
            assert!(!line.is_empty(), "connection closed");
            if line.as_bytes().get(3) != Some(&b'-') {
                return line[..3].parse().expect("code");
            }
        }
    }
    assert_eq!(code(&mut lines).await, 220);
    for (command, expected) in [
        ("EHLO client.test".to_string(), 250),
        (format!("MAIL FROM:<{from}>"), 250),
        (format!("RCPT TO:<{to}>"), 250),
        ("DATA".to_string(), 354),
    ] {
        write
            .write_all(format!("{command}\r\n").as_bytes())
            .await
            .unwrap();
        let answer = code(&mut lines).await;
        if answer != expected {
            return answer;
        }
    }
    let mut data = String::new();
    for line in message.replace("\r\n", "\n").lines() {
        if line.starts_with('.') {
            data.push('.');
        }
        data.push_str(line);
        data.push_str("\r\n");
    }
    data.push_str(".\r\n");
    write.write_all(data.as_bytes()).await.unwrap();
    let answer = code(&mut lines).await;
    write.write_all(b"QUIT\r\n").await.unwrap();
    answer
}

/// The address of the mail's `Reply-To` header.
fn reply_to(mail: &Mail) -> String {
    let start = mail
        .data
        .find("Reply-To: ")
        .unwrap_or_else(|| panic!("no Reply-To header:\n{}", mail.data))
        + "Reply-To: ".len();
    let end = mail.data[start..].find("\r\n").expect("header end") + start;
    mail.data[start..end]
        .trim()
        .trim_start_matches('<')
        .trim_end_matches('>')
        .to_string()
}

/// An answer as a mail program writes it: a quote and a signature.
fn answer(from: &str, to: &str, message_id: &str, text: &str) -> String {
    format!(
        "From: Someone <{from}>\r\nTo: {to}\r\nSubject: Re: Fractions\r\n\
         Message-ID: <{message_id}>\r\nMIME-Version: 1.0\r\n\
         Content-Type: text/plain; charset=utf-8\r\n\r\n\
         {text}\r\n\r\nLe jeu. 3 déc. 2026 à 10:02, Préau <noreply@a.test> a écrit :\r\n\
         > Bob a répondu dans « Fractions »\r\n> Paper strips folded in halves.\r\n\r\n\
         -- \r\nAnne, collège Jean Moulin\r\n"
    )
}

/// The replies of `thread` on `instance`, as seen by anyone.
async fn replies(instance: &TestInstance, thread: i64) -> Vec<Value> {
    let view: Value = Client::stranger()
        .get(&instance.url(&format!("/api/v1/threads/{thread}")))
        .await
        .json;
    view["replies"].as_array().cloned().unwrap_or_default()
}

/// The mail with its quoted-printable encoding undone.
fn decoded(mail: &Mail) -> String {
    let text = mail.data.replace("=\r\n", "").replace("=\n", "");
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut at = 0;
    while at < bytes.len() {
        let hex = bytes
            .get(at + 1..at + 3)
            .and_then(|pair| std::str::from_utf8(pair).ok())
            .and_then(|pair| u8::from_str_radix(pair, 16).ok());
        match (bytes[at], hex) {
            (b'=', Some(byte)) => {
                out.push(byte);
                at += 3;
            }
            (byte, _) => {
                out.push(byte);
                at += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// The bounces that reached `address`, with the refusal `code`.
fn bounces(smtp: &SmtpServer, address: &str, code: &str) -> Vec<String> {
    smtp.mails_to(address)
        .iter()
        .filter(|mail| mail.data.contains("Auto-Submitted: auto-replied"))
        .map(decoded)
        .filter(|text| text.contains(code))
        .collect()
}

fn bounce_has_both_languages(bounce: &str) -> bool {
    bounce.contains("Raison : ")
        && bounce.contains("Reason: ")
        && bounce.contains("n’accepte plus vos réponses")
        && bounce.contains("verrouillé")
        && bounce.contains("no longer takes your replies")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_teacher_replies_by_mail_and_bad_mails_bounce() {
    for engine in engines() {
        let smtp = SmtpServer::start();
        let a = start_fast(engine, Some(&smtp), |settings| {
            settings.mail.reply_domain = "reply.a.test".to_string();
            settings.mail.receive_listen = "127.0.0.1:0".to_string();
        })
        .await;
        let b = start_fast(engine, None, |_| {}).await;
        let port = a.running.mail_address.expect("A receives mail").port();
        let admin = Client::teacher(&a, "ada", true).await;
        admin.create_forum("maths", "Mathématiques").await;
        let anne = Client::teacher(&a, "anne", false).await;
        let bob = Client::teacher(&b, "bob", false).await;
        let remote_forum = format!("maths@{}", a.domain);
        let address = "anne@example.org";

        // Bob, on B, replies to Anne's thread: Anne's mail has a Reply-To.
        bob.follow_forum(&format!("!{remote_forum}")).await;
        deliver_all(&[&a, &b]).await;
        let thread = anne
            .post_thread("maths", "Fractions", "How to start?")
            .await;
        let thread_id = thread["id"].as_i64().unwrap();
        // B holds Anne's thread.
        let thread_on_b = remote_threads(&[&a, &b], &bob, &remote_forum, 1).await[0]["id"]
            .as_i64()
            .unwrap();
        bob.reply(thread_on_b, "Paper strips folded in halves.")
            .await;
        after_delivery(&[&a, &b], "Anne's reply reaches A", || async {
            replies(&a, thread_id).await.len() == 1
        })
        .await;
        a.running
            .state
            .domain
            .send_notification_mails()
            .await
            .expect("mails");
        let mail = smtp.wait_for_mail(address, 1).await;
        let reply_address = reply_to(&mail);
        assert!(
            reply_address.starts_with(&format!("reply+f{thread_id}.")),
            "{reply_address}"
        );
        assert!(reply_address.ends_with("@reply.a.test"), "{reply_address}");
        let text = decoded(&mail);
        assert!(
            text.contains("Répondez à ce courriel pour répondre"),
            "the mail says how to answer: {text}"
        );

        // Anne answers: posted without quote and signature, on A and B.
        let sent = answer(
            address,
            &reply_address,
            "answer-1@example.org",
            "Merci Bob, je teste demain.",
        );
        assert_eq!(smtp_send(port, address, &reply_address, &sent).await, 250);
        let posted = replies(&a, thread_id).await;
        assert_eq!(posted.len(), 2, "{posted:?}");
        let text = posted[1].to_string();
        assert!(text.contains("Merci Bob, je teste demain."), "{text}");
        assert!(!text.contains("a écrit"), "{text}");
        assert!(!text.contains("Paper strips"), "{text}");
        assert!(!text.contains("Jean Moulin"), "{text}");
        assert!(text.contains("anne"), "posted as Anne: {text}");
        after_delivery(&[&a, &b], "the reply by mail reaches B", || async {
            replies(&b, thread_on_b)
                .await
                .iter()
                .any(|reply| reply.to_string().contains("je teste demain"))
        })
        .await;

        // The same message again: accepted, nothing posted.
        assert_eq!(smtp_send(port, address, &reply_address, &sent).await, 250);
        assert_eq!(replies(&a, thread_id).await.len(), 2);

        // A forged address: bounced to the sender, nothing posted.
        let (head, signature) = reply_address
            .split_once('@')
            .unwrap()
            .0
            .rsplit_once('.')
            .unwrap();
        let flipped = if signature.starts_with('0') { "1" } else { "0" };
        let forged = format!("{head}.{flipped}{}@reply.a.test", &signature[1..]);
        let message = answer(address, &forged, "answer-2@example.org", "Forged.");
        assert_eq!(smtp_send(port, address, &forged, &message).await, 250);
        wait_until(Duration::from_secs(15), || async {
            (bounces(&smtp, address, "invalid_reply_address").len() == 1).then_some(())
        })
        .await
        .expect("a bounce for the forged address");

        // A wrong sender: bounced to that sender, nothing posted.
        let mallory = "mallory@example.net";
        let message = answer(mallory, &reply_address, "answer-3@example.net", "Not Anne.");
        assert_eq!(
            smtp_send(port, mallory, &reply_address, &message).await,
            250
        );
        wait_until(Duration::from_secs(15), || async {
            (bounces(&smtp, mallory, "reply_sender_mismatch").len() == 1).then_some(())
        })
        .await
        .expect("a bounce for the wrong sender");
        assert!(bounces(&smtp, address, "reply_sender_mismatch").is_empty());

        // Only a quote and a signature: bounced as empty.
        let message = answer(address, &reply_address, "answer-5@example.org", "");
        assert_eq!(
            smtp_send(port, address, &reply_address, &message).await,
            250
        );
        wait_until(Duration::from_secs(15), || async {
            (bounces(&smtp, address, "empty_reply").len() == 1).then_some(())
        })
        .await
        .expect("a bounce for the empty reply");

        // Beyond 1 MiB: refused at the end of DATA.
        let huge = answer(
            address,
            &reply_address,
            "answer-6@example.org",
            &"Bla bla bla.\n".repeat(90_000),
        );
        assert_eq!(smtp_send(port, address, &reply_address, &huge).await, 552);

        // Not a reply address of A: refused at RCPT.
        assert_eq!(
            smtp_send(port, address, "anne@elsewhere.test", &message).await,
            550
        );

        // A locked thread: bounced, nothing posted.
        let locked = admin
            .send(admin.build(
                reqwest::Method::POST,
                &a.url(&format!("/api/v1/threads/{thread_id}/lock")),
            ))
            .await;
        assert_eq!(locked.status, 200, "{}", locked.text);
        let message = answer(
            address,
            &reply_address,
            "answer-4@example.org",
            "Trop tard ?",
        );
        assert_eq!(
            smtp_send(port, address, &reply_address, &message).await,
            250
        );
        let bounce = wait_until(Duration::from_secs(15), || async {
            bounces(&smtp, address, "reply_thread_closed").pop()
        })
        .await
        .expect("a bounce for the locked thread");
        assert!(bounce_has_both_languages(&bounce), "{bounce}");

        assert_eq!(replies(&a, thread_id).await.len(), 2, "nothing else posted");
        a.stop().await;
        b.stop().await;
    }
}
