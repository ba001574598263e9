//! Notification mails (issue 12): a reply from another instance mails its
//! recipient at once (HTML and text, in their language, with one-click
//! unsubscribe headers); the hourly cap sends the rest to the daily digest,
//! which arrives once the clock moved a day; the signed one-click link
//! unsubscribes and a forged one is refused; "off" writes no notification;
//! a suspended account gets no mail. Real loopback SMTP server.

use super::support::{client::Client, *};
use serde_json::{json, Value};
use std::time::Duration;

async fn unread(client: &Client<'_>) -> i64 {
    client.get_json("/api/v1/notifications").await["unread"]
        .as_i64()
        .unwrap()
}

/// The mail's text with quoted-printable soft breaks and `=3D` undone.
fn decoded(mail: &Mail) -> String {
    mail.data
        .replace("=\r\n", "")
        .replace("=\n", "")
        .replace("=3D", "=")
}

/// The link of the mail's `List-Unsubscribe` header.
fn unsubscribe_header(mail: &Mail) -> String {
    let start = mail
        .data
        .find("List-Unsubscribe: <")
        .unwrap_or_else(|| panic!("no List-Unsubscribe header:\n{}", mail.data))
        + "List-Unsubscribe: <".len();
    let end = mail.data[start..].find('>').expect("header end") + start;
    mail.data[start..end].to_string()
}

/// Runs the mail jobs of `instance` once (what the 30-second job does,
/// which may also run meanwhile: the tests count the mails that arrive).
async fn run_mail_jobs(instance: &TestInstance) {
    let domain = &instance.running.state.domain;
    domain.send_notification_mails().await.expect("mails");
    domain.send_due_digests().await.expect("digests");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn notification_mails_at_once_capped_digested_and_unsubscribed() {
    for engine in engines() {
        let smtp = SmtpServer::start();
        let a = start_fast(engine, Some(&smtp), |settings| {
            settings.mail.notifications_per_hour = 2;
        })
        .await;
        let b = start_fast(engine, None, |_| {}).await;
        let admin = Client::teacher(&a, "ada", true).await;
        admin.create_forum("maths", "Mathématiques").await;
        let anne = Client::teacher(&a, "anne", false).await;
        let bob = Client::teacher(&b, "bob", false).await;
        let remote_forum = format!("maths@{}", a.domain);
        let address = "anne@example.org";
        // Anne reads Préau in English.
        let domain = &a.running.state.domain;
        let row = domain
            .store()
            .account_by_username("anne")
            .await
            .unwrap()
            .unwrap();
        domain.set_account_language(&row, "en").await.unwrap();

        // Defaults: replies by mail at once, a daily digest.
        let defaults = anne.get_json("/api/v1/me/notification-settings").await;
        assert_eq!(defaults["digest"], "daily", "{defaults}");
        let kinds = defaults["kinds"].as_array().unwrap();
        assert_eq!(kinds.len(), 18, "{defaults}");
        assert!(kinds.contains(&json!({"kind": "reply", "delivery": "mail"})));
        anne.call(
            reqwest::Method::PUT,
            "/api/v1/me/notification-settings",
            Some(json!({"kinds": [{"kind": "lottery", "delivery": "mail"}]})),
        )
        .await
        .expect_error(422, "unknown_notification_kind");
        anne.call(
            reqwest::Method::PUT,
            "/api/v1/me/notification-settings",
            Some(json!({"kinds": [{"kind": "reply", "delivery": "pigeon"}]})),
        )
        .await
        .expect_error(422, "invalid_choice");

        // Bob, on B, replies to Anne's thread: one mail at once, both
        // parts, in English, with the one-click unsubscribe headers.
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
        after_delivery(&[&a, &b], "Anne is notified", || async {
            unread(&anne).await == 1
        })
        .await;
        run_mail_jobs(&a).await;
        let mail = smtp.wait_for_mail(address, 1).await;
        let text = decoded(&mail);
        assert!(text.contains("multipart/alternative"), "{text}");
        assert!(text.contains("text/plain"), "{text}");
        assert!(text.contains("text/html"), "{text}");
        assert!(
            text.contains("replied in"),
            "English, as Anne reads: {text}"
        );
        assert!(text.contains("Paper strips folded in halves."), "{text}");
        assert!(
            text.contains(&format!("/threads/{thread_id}#post-")),
            "{text}"
        );
        assert!(
            mail.data
                .contains("List-Unsubscribe-Post: List-Unsubscribe=One-Click"),
            "{}",
            mail.data
        );
        let unsubscribe = unsubscribe_header(&mail);
        assert!(
            unsubscribe.starts_with(&format!("{}/unsubscribe/", a.base_url)),
            "{unsubscribe}"
        );
        // Running the job again sends nothing more.
        run_mail_jobs(&a).await;
        assert_eq!(smtp.mails_to(address).len(), 1);

        // Two more replies within the hour: the cap (2) lets one more mail
        // through; the third reply waits for the digest.
        bob.reply(thread_on_b, "Second idea: pizzas.").await;
        bob.reply(thread_on_b, "Third idea: chocolate bars.").await;
        after_delivery(&[&a, &b], "Anne has three notifications", || async {
            unread(&anne).await == 3
        })
        .await;
        run_mail_jobs(&a).await;
        let second = decoded(&smtp.wait_for_mail(address, 2).await);
        run_mail_jobs(&a).await;
        assert_eq!(smtp.mails_to(address).len(), 2, "the cap holds");
        // The replies may arrive in either order: one was mailed, the
        // other waits for the digest.
        let (mailed, waiting) = if second.contains("Second idea") {
            ("Second idea", "Third idea")
        } else {
            ("Third idea", "Second idea")
        };
        assert!(second.contains(mailed), "{second}");
        // Not before a day: no digest yet.
        a.advance_clock(Duration::from_secs(3600 * 12));
        run_mail_jobs(&a).await;
        assert_eq!(smtp.mails_to(address).len(), 2);
        a.advance_clock(Duration::from_secs(3600 * 12 + 60));
        run_mail_jobs(&a).await;
        let digest = smtp.wait_for_mail(address, 3).await;
        let digest_text = decoded(&digest);
        assert!(digest_text.contains("Digest"), "{digest_text}");
        assert!(digest_text.contains(waiting), "{digest_text}");
        assert!(!digest_text.contains(mailed), "{digest_text}");
        let digest_link = unsubscribe_header(&digest);
        assert!(digest_link.contains("/digest/"), "{digest_link}");
        // Nothing left: no empty digest the next day.
        a.advance_clock(Duration::from_secs(3600 * 25));
        run_mail_jobs(&a).await;
        assert_eq!(smtp.mails_to(address).len(), 3);

        // The one-click link: a forged signature is refused with a clear
        // error; GET asks to confirm; POST (no session) unsubscribes.
        let stranger = Client::cookieless(&a);
        let forged = format!("{}0", &unsubscribe[..unsubscribe.len() - 1]);
        let forged = if forged == unsubscribe {
            format!("{}1", &unsubscribe[..unsubscribe.len() - 1])
        } else {
            forged
        };
        let refused = stranger.post_form(&forged, &[]).await;
        assert_eq!(refused.status, 403, "{}", refused.text);
        assert!(
            refused.text.contains("signature does not match")
                || refused.text.contains("signature ne correspond pas"),
            "{}",
            refused.text
        );
        let confirm = stranger.get(&unsubscribe).await;
        assert_eq!(confirm.status, 200, "{}", confirm.text);
        assert!(
            confirm.text.contains("<form method=\"post\""),
            "{}",
            confirm.text
        );
        let settings_now = anne.get_json("/api/v1/me/notification-settings").await;
        assert!(settings_now["kinds"]
            .as_array()
            .unwrap()
            .contains(&json!({"kind": "reply", "delivery": "mail"})));
        let done = stranger
            .post_form(&unsubscribe, &[("List-Unsubscribe", "One-Click")])
            .await;
        assert_eq!(done.status, 200, "{}", done.text);
        let settings_now = anne.get_json("/api/v1/me/notification-settings").await;
        assert!(
            settings_now["kinds"]
                .as_array()
                .unwrap()
                .contains(&json!({"kind": "reply", "delivery": "site"})),
            "{settings_now}"
        );
        // On the site only now: a reply notifies without a mail.
        bob.reply(thread_on_b, "Fourth: a ruler.").await;
        after_delivery(&[&a, &b], "Anne has four notifications", || async {
            unread(&anne).await == 4
        })
        .await;
        run_mail_jobs(&a).await;
        assert_eq!(smtp.mails_to(address).len(), 3);

        // "off": no notification written at all.
        let off: Value = anne
            .call(
                reqwest::Method::PUT,
                "/api/v1/me/notification-settings",
                Some(json!({"kinds": [{"kind": "reply", "delivery": "off"}]})),
            )
            .await
            .expect(200);
        assert!(off["kinds"]
            .as_array()
            .unwrap()
            .contains(&json!({"kind": "reply", "delivery": "off"})));
        bob.reply(thread_on_b, "Fifth: an orange.").await;
        deliver_all(&[&a, &b]).await;
        let thread_page = anne.get_json(&format!("/api/v1/threads/{thread_id}")).await;
        assert!(
            thread_page.to_string().contains("Fifth: an orange."),
            "the reply arrived"
        );
        assert_eq!(unread(&anne).await, 4, "no notification when off");

        // The settings page: radio groups, CSRF, a confirmation message.
        let pages = Client::anonymous(&a).log_in_pages("anne").await;
        let form = pages.page("/settings/notifications").await;
        assert!(
            form.contains("name=\"kind-reply\" type=\"radio\" value=\"off\" checked"),
            "{form}"
        );
        let saved = pages
            .submit(
                "/settings/notifications",
                "/settings/notifications",
                &[("kind-reply", "mail"), ("digest", "weekly")],
            )
            .await;
        assert_eq!(saved.status, 303, "{}", saved.text);
        let shown = pages.page("/settings/notifications").await;
        assert!(shown.contains("notification settings are saved"), "{shown}");
        let now = anne.get_json("/api/v1/me/notification-settings").await;
        assert_eq!(now["digest"], "weekly");

        // Suspended: the reply is notified, no mail goes.
        bob.reply(thread_on_b, "Sixth: a clock face.").await;
        after_delivery(&[&a, &b], "Anne has five notifications", || async {
            unread(&anne).await == 5
        })
        .await;
        admin
            .post("/api/v1/admin/accounts/anne/suspend", json!({}))
            .await
            .expect(200);
        a.advance_clock(Duration::from_secs(3600 * 2));
        run_mail_jobs(&a).await;
        assert_eq!(
            smtp.mails_to(address).len(),
            3,
            "no mail to a suspended account"
        );

        a.stop().await;
        b.stop().await;
    }
}
