//! Replies by e-mail (issue 12): Bob, on B, replies to Anne's thread on A;
//! Anne's notification mail carries her reply address as `Reply-To`; her
//! answer, sent over SMTP to A's receiver with a quote and a signature, is
//! posted without them and reaches B's copy of the thread. The same
//! Message-ID sent again posts nothing; a forged address, a forged sender,
//! a message with only a quote and a signature and a locked thread are
//! each refused in the SMTP session (550 with the reason) and mail nothing;
//! a recipient outside the reply domain is refused at RCPT, one beyond
//! 1 MiB at DATA. Through the pipe, the owner gets a bounce in both
//! languages, a forged sender none. In a project's forum, a member's
//! answer to the mail about a reply is posted and reaches a member on the
//! other instance; a non-member and a removed member are refused. Real loopback
//! SMTP servers both ways.

use super::mail_lists::run_list_mails;
use super::support::{client::Client, *};
use preau::domain::{
    mail_replies::{Bounce, ReplyChannel, ReplyMailOutcome},
    reply_address::ReplyThread,
};
use serde_json::{json, Value};
use std::time::Duration;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};

/// Sends one message over SMTP to `port`; answers the code of the last
/// command that got one (the end of DATA, or the first refusal).
async fn smtp_send(port: u16, from: &str, to: &str, message: &str) -> u16 {
    smtp_answer(port, from, to, message).await.0
}

/// Sends one message over SMTP to `port` and checks it is refused at the
/// end of DATA with 550 naming the refusal `code`; answers the line.
async fn smtp_refused(port: u16, from: &str, to: &str, message: &str, code: &str) -> String {
    let (status, line) = smtp_answer(port, from, to, message).await;
    assert_eq!(status, 550, "{line}");
    assert!(
        line.starts_with("550 5.7.1 Reply not posted (") && line.contains(code),
        "{code}: {line}"
    );
    line
}

/// [`smtp_send`], with the text of the last answer.
async fn smtp_answer(port: u16, from: &str, to: &str, message: &str) -> (u16, String) {
    let stream = tokio::net::TcpStream::connect(("127.0.0.1", port))
        .await
        .expect("connect to the receiver");
    let (read, mut write) = stream.into_split();
    let mut lines = BufReader::new(read);
    async fn code(lines: &mut BufReader<tokio::net::tcp::OwnedReadHalf>) -> (u16, String) {
        loop {
            let mut line = String::new();
            lines.read_line(&mut line).await.expect("read answer");
            assert!(!line.is_empty(), "connection closed");
            if line.as_bytes().get(3) != Some(&b'-') {
                return (line[..3].parse().expect("code"), line);
            }
        }
    }
    assert_eq!(code(&mut lines).await.0, 220);
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
        if answer.0 != expected {
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

/// The mail with its quoted-printable encoding undone, and plain spaces.
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
    plain_spaces(&String::from_utf8_lossy(&out))
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

/// A, with a loopback SMTP server and its reply listener (reply domain
/// `reply.a.test`; answers its port), and B.
async fn two_instances(engine: Engine) -> (SmtpServer, TestInstance, TestInstance, u16) {
    let smtp = SmtpServer::start();
    let a = start_fast(engine, Some(&smtp), |settings| {
        settings.mail.reply_domain = "reply.a.test".to_string();
        settings.mail.receive_listen = "127.0.0.1:0".to_string();
    })
    .await;
    let b = start_fast(engine, None, |_| {}).await;
    let port = a.running.mail_address.expect("A receives mail").port();
    (smtp, a, b, port)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_teacher_replies_by_mail_and_bad_mails_are_refused() {
    for engine in engines() {
        let (smtp, a, b, port) = two_instances(engine).await;
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

        // A forged address: refused in the session, nothing mailed.
        let (head, signature) = reply_address
            .split_once('@')
            .unwrap()
            .0
            .rsplit_once('.')
            .unwrap();
        let flipped = if signature.starts_with('0') { "1" } else { "0" };
        let forged = format!("{head}.{flipped}{}@reply.a.test", &signature[1..]);
        let message = answer(address, &forged, "answer-2@example.org", "Forged.");
        smtp_refused(port, address, &forged, &message, "invalid_reply_address").await;

        // A forged sender: refused in the session with the reason; no
        // bounce goes to that sender (nor to Anne).
        let mallory = "mallory@example.net";
        let message = answer(mallory, &reply_address, "answer-3@example.net", "Not Anne.");
        smtp_refused(
            port,
            mallory,
            &reply_address,
            &message,
            "reply_sender_mismatch",
        )
        .await;

        // Only a quote and a signature: refused as empty.
        let message = answer(address, &reply_address, "answer-5@example.org", "");
        smtp_refused(port, address, &reply_address, &message, "empty_reply").await;

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

        // A locked thread: refused with the precise reason, nothing posted.
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
        let line = smtp_refused(
            port,
            address,
            &reply_address,
            &message,
            "reply_thread_closed",
        )
        .await;
        assert!(line.contains("locked"), "the precise reason: {line}");
        // The listener never mails: the refusals above told nobody by mail.
        assert!(smtp.mails_to(mallory).is_empty(), "no backscatter");
        assert!(
            bounces(&smtp, address, "").is_empty(),
            "no bounce mailed from an SMTP session"
        );

        // Without a session (the MTA's pipe), the same message gets a
        // bounce, in both languages, mailed to Anne's own address; one from
        // a forged sender gets none.
        let domain = &a.running.state.domain;
        let rcpts = [reply_address.clone()];
        let pipe = |raw: String, sender: &'static str| {
            let rcpts = &rcpts;
            async move {
                domain
                    .receive_reply_mail(raw.as_bytes(), sender, rcpts, ReplyChannel::Pipe)
                    .await
                    .expect("received")
            }
        };
        let outcome = pipe(message.clone(), address).await;
        assert!(
            matches!(
                outcome,
                ReplyMailOutcome::Refused {
                    bounce: Bounce::Sent,
                    ..
                }
            ),
            "{outcome:?}"
        );
        let bounce = wait_until(Duration::from_secs(15), || async {
            bounces(&smtp, address, "reply_thread_closed").pop()
        })
        .await
        .expect("a bounce for the locked thread");
        assert!(bounce_has_both_languages(&bounce), "{bounce}");
        let forged_sender = answer(mallory, &reply_address, "answer-7@example.net", "Hi.");
        let outcome = pipe(forged_sender, mallory).await;
        assert!(
            matches!(
                outcome,
                ReplyMailOutcome::Refused {
                    bounce: Bounce::NotSent,
                    ..
                }
            ),
            "{outcome:?}"
        );
        assert!(smtp.mails_to(mallory).is_empty(), "no backscatter");

        assert_eq!(replies(&a, thread_id).await.len(), 2, "nothing else posted");
        a.stop().await;
        b.stop().await;
    }
}

/// The replies of project thread `thread` on `instance`, as `client` (a
/// member) reads them.
async fn project_replies(client: &Client<'_>, project: &str, thread: i64) -> Vec<Value> {
    let view = client
        .get_json(&format!("/api/v1/projects/{project}/threads/{thread}"))
        .await;
    view["replies"].as_array().cloned().unwrap_or_default()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn project_members_reply_by_mail_and_others_are_refused() {
    for engine in engines() {
        let (smtp, a, b, port) = two_instances(engine).await;
        let anne = Client::teacher(&a, "anne", false).await;
        let carl = Client::teacher(&a, "carl", false).await;
        Client::teacher(&a, "dora", false).await;
        let bea = Client::teacher(&b, "bea", false).await;
        let address = "anne@example.org";

        // Anne's project on A: Carl (A) and Bea (B) are members.
        anne.post(
            "/api/v1/projects",
            json!({"name": "jardin", "title": "Jardin partagé", "join_mode": "open"}),
        )
        .await
        .expect(201);
        let joined = carl
            .post("/api/v1/projects/jardin/join", json!({}))
            .await
            .expect(201);
        let carl_id = joined["membership"]["person"]["id"].as_i64().unwrap();
        let remote = format!("jardin@{}", a.domain);
        let found = bea
            .get(&format!("/api/v1/projects/lookup?handle={remote}"))
            .await;
        assert_eq!(found.status, 200, "{}", found.text);
        let asked = bea
            .post(&format!("/api/v1/projects/{remote}/join"), json!({}))
            .await;
        assert!(asked.status < 300, "{}", asked.text);
        after_delivery(&[&a, &b], "Bea is a member", || async {
            let found = bea
                .get_json(&format!("/api/v1/projects/lookup?handle={remote}"))
                .await;
            found["me"]["state"] == "member"
        })
        .await;

        // Anne opens a thread; Carl answers: her mail about his reply
        // carries her reply address for the project thread.
        let thread = anne
            .post(
                "/api/v1/projects/jardin/threads",
                json!({"title": "Semis", "body": "On sème mardi."}),
            )
            .await
            .expect(201);
        let thread_id = thread["id"].as_i64().unwrap();
        let thread_ap_id = thread["ap_id"].as_str().unwrap().to_string();
        carl.post(
            &format!("/api/v1/projects/jardin/threads/{thread_id}/replies"),
            json!({"body": "Je peux arroser jeudi."}),
        )
        .await
        .expect(201);
        // B holds the thread before any reply to it arrives.
        deliver_all(&[&a, &b]).await;
        a.running
            .state
            .domain
            .send_notification_mails()
            .await
            .expect("mails");
        let mail = smtp.wait_for_mail(address, 1).await;
        assert!(
            decoded(&mail).contains("a répondu dans « Semis »"),
            "{}",
            decoded(&mail)
        );
        let reply_address = reply_to(&mail);
        assert!(
            reply_address.starts_with(&format!("reply+p{thread_id}.")),
            "{reply_address}"
        );
        assert!(reply_address.ends_with("@reply.a.test"), "{reply_address}");
        assert!(
            decoded(&mail).contains("Répondez à ce courriel pour répondre"),
            "the mail says how to answer: {}",
            decoded(&mail)
        );

        // Anne answers: posted in the project thread, and Bea reads it on B.
        let sent = answer(
            address,
            &reply_address,
            "projet-1@example.org",
            "Merci Carl, je prends vendredi.",
        );
        let (code, line) = smtp_answer(port, address, &reply_address, &sent).await;
        assert_eq!(code, 250, "{line}");
        let posted = project_replies(&anne, "jardin", thread_id).await;
        assert_eq!(posted.len(), 2, "{posted:?}");
        let text = posted[1].to_string();
        assert!(text.contains("je prends vendredi"), "{text}");
        assert!(!text.contains("a écrit"), "{text}");
        assert!(text.contains("anne"), "posted as Anne: {text}");
        // The same message again (an MTA retry): accepted, posted once.
        assert_eq!(smtp_send(port, address, &reply_address, &sent).await, 250);
        assert_eq!(project_replies(&anne, "jardin", thread_id).await.len(), 2);
        after_delivery(&[&a, &b], "the reply by mail reaches Bea on B", || async {
            let threads = bea
                .get_json(&format!("/api/v1/projects/{remote}/threads"))
                .await;
            let Some(on_b) = threads["threads"].as_array().and_then(|threads| {
                threads
                    .iter()
                    .find(|t| t["ap_id"] == thread_ap_id.as_str())
                    .and_then(|t| t["id"].as_i64())
            }) else {
                return false;
            };
            project_replies(&bea, &remote, on_b)
                .await
                .iter()
                .any(|reply| reply.to_string().contains("je prends vendredi"))
        })
        .await;

        // Anne follows the project's forum by mail: about Carl's next reply
        // she gets its list mail only (with the same reply address), not
        // also the notification mail.
        anne.call(
            reqwest::Method::PUT,
            "/api/v1/projects/jardin/mail-subscription",
            None,
        )
        .await
        .expect(200);
        carl.post(
            &format!("/api/v1/projects/jardin/threads/{thread_id}/replies"),
            json!({"body": "Et samedi aussi."}),
        )
        .await
        .expect(201);
        run_list_mails(&a).await;
        a.running
            .state
            .domain
            .send_notification_mails()
            .await
            .expect("mails");
        let list_mail = smtp.wait_for_mail(address, 2).await;
        assert!(list_mail.data.contains("List-Id: "), "{}", list_mail.data);
        assert_eq!(reply_to(&list_mail), reply_address);
        assert_eq!(smtp.mails_to(address).len(), 2, "one mail about one post");

        // Dora (never a member) and Carl (once removed) answering with
        // their own reply addresses for the thread: refused in the session,
        // nothing posted, nothing mailed to them.
        let domain = &a.running.state.domain;
        anne.post(
            &format!("/api/v1/projects/jardin/members/{carl_id}"),
            json!({"action": "remove"}),
        )
        .await
        .expect(200);
        for name in ["dora", "carl"] {
            let account = domain
                .store()
                .account_by_username(name)
                .await
                .unwrap()
                .unwrap();
            let own = domain
                .reply_address(account.id, ReplyThread::Project(thread_id))
                .await
                .unwrap();
            let from = format!("{name}@example.org");
            let message = answer(&from, &own, &format!("{name}-1@example.org"), "Moi aussi.");
            let line = smtp_refused(port, &from, &own, &message, "reply_thread_closed").await;
            assert!(line.contains("member"), "{name}: {line}");
            assert!(smtp.mails_to(&from).is_empty(), "{name}: no mail");
        }
        assert_eq!(
            project_replies(&anne, "jardin", thread_id).await.len(),
            3,
            "nothing else posted"
        );
        a.stop().await;
        b.stop().await;
    }
}
