//! Mailing-list mode (issue 12): a teacher of A follows a forum hosted on B
//! by e-mail; a thread and a reply written on B arrive by mail at A's
//! teacher with the list headers (`List-Id`, `List-Unsubscribe`,
//! `Reply-To` her reply address, `Message-ID` / `In-Reply-To` /
//! `References` threading the two); her own reply is not mailed to her;
//! the one-click link ends the subscription. On a project's forum, a
//! non-member cannot subscribe (`not_project_member`), and a subscriber
//! removed from the project gets no more mails while a member still does.
//! Real loopback SMTP server.

use super::support::{client::Client, *};
use preau::domain::{reply_address::ReplyThread, rows::PostId};
use reqwest::Method;
use serde_json::json;
use std::time::Duration;

/// The mail's text with quoted-printable soft breaks and `=3D` undone.
fn decoded(mail: &Mail) -> String {
    mail.data
        .replace("=\r\n", "")
        .replace("=\n", "")
        .replace("=3D", "=")
}

/// The value of header `name` (unfolded), or panics.
fn header(mail: &Mail, name: &str) -> String {
    let data = mail.data.replace("\r\n", "\n");
    let marker = format!("\n{name}: ");
    let start = data
        .find(&marker)
        .unwrap_or_else(|| panic!("no {name} header:\n{}", mail.data))
        + marker.len();
    let mut value = String::new();
    for (i, line) in data[start..].split('\n').enumerate() {
        if i > 0 && !line.starts_with([' ', '\t']) {
            break;
        }
        value.push_str(line.trim_start_matches([' ', '\t']));
        if i > 0 {
            value.push(' ');
        }
    }
    value.trim().to_string()
}

/// Runs the list mail job of `instance` once (the 30-second job may also
/// run meanwhile).
pub(crate) async fn run_list_mails(instance: &TestInstance) {
    instance
        .running
        .state
        .domain
        .send_list_mails()
        .await
        .expect("list mails");
}

/// The post id in a `Message-ID` `<preau.post.ID@host>`.
fn post_id_of(message_id: &str) -> i64 {
    message_id
        .trim_start_matches("<preau.post.")
        .split('@')
        .next()
        .and_then(|id| id.parse().ok())
        .unwrap_or_else(|| panic!("not a post Message-ID: {message_id}"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn forum_and_project_posts_reach_subscribers_by_mail() {
    for engine in engines() {
        let smtp = SmtpServer::start();
        let a = start_fast(engine, Some(&smtp), |_| {}).await;
        let b = start_fast(engine, None, |_| {}).await;
        let ada = Client::teacher(&b, "ada", true).await;
        ada.create_forum("maths", "Maths au cycle 3").await;
        let bob = Client::teacher(&b, "bob", false).await;
        let anne = Client::teacher(&a, "anne", false).await;
        let address = "anne@example.org";
        let remote = format!("maths@{}", b.domain);

        // Anne, on A, follows B's forum by e-mail.
        anne.follow_forum(&format!("!{remote}")).await;
        deliver_all(&[&a, &b]).await;
        let state = anne
            .call(
                Method::PUT,
                &format!("/api/v1/forums/{remote}/mail-subscription"),
                None,
            )
            .await
            .expect(200);
        assert_eq!(state["subscribed"], true, "{state}");
        let list = anne.get_json("/api/v1/me/mail-subscriptions").await;
        assert_eq!(list["subscriptions"][0]["handle"], remote, "{list}");
        assert_eq!(list["subscriptions"][0]["kind"], "forum", "{list}");
        anne.call(
            Method::PUT,
            "/api/v1/forums/nowhere@example.invalid/mail-subscription",
            None,
        )
        .await
        .expect_error(404, "not_found");

        // Bob, on B, opens a thread and replies in it.
        let thread = bob
            .post_thread("maths", "Fractions", "Comment commencer ?")
            .await;
        bob.reply(thread["id"].as_i64().unwrap(), "Avec des bandes de papier.")
            .await;
        let both = wait_until(Duration::from_secs(30), || async {
            deliver_all(&[&a, &b]).await;
            run_list_mails(&a).await;
            (smtp.mails_to(address).len() >= 2).then_some(())
        })
        .await;
        assert!(
            both.is_some(),
            "Anne got {} mails",
            smtp.mails_to(address).len()
        );
        let mails = smtp.mails_to(address);
        assert_eq!(mails.len(), 2, "one mail per post");
        let thread_mail = mails
            .iter()
            .find(|mail| decoded(mail).contains("Comment commencer"))
            .expect("the thread's mail");
        let reply_mail = mails
            .iter()
            .find(|mail| decoded(mail).contains("Avec des bandes de papier."))
            .expect("the reply's mail");
        for mail in [thread_mail, reply_mail] {
            assert_eq!(header(mail, "Subject"), "[Maths au cycle 3] Fractions");
            let list_id = header(mail, "List-Id");
            assert!(list_id.contains("<maths.forum.localhost>"), "{list_id}");
            assert!(
                mail.data
                    .contains("List-Unsubscribe-Post: List-Unsubscribe=One-Click"),
                "{}",
                mail.data
            );
            let text = decoded(mail);
            assert!(
                text.contains("text/plain") && text.contains("text/html"),
                "{text}"
            );
            assert!(text.contains(&format!("bob@{}", b.domain)), "{text}");
            assert!(text.contains("Informel"), "the author's label: {text}");
            assert!(text.contains(&format!("{}/threads/", a.base_url)), "{text}");
        }
        // Threading: the reply answers the thread's Message-ID.
        let thread_id = header(thread_mail, "Message-ID");
        assert!(thread_id.starts_with("<preau.post."), "{thread_id}");
        assert_eq!(header(reply_mail, "In-Reply-To"), thread_id);
        assert!(header(reply_mail, "References").contains(&thread_id));
        assert_ne!(header(reply_mail, "Message-ID"), thread_id);
        // Reply-To: Anne's own reply address for this thread, on A.
        let local_thread = post_id_of(&thread_id);
        let domain = &a.running.state.domain;
        let anne_row = domain
            .store()
            .account_by_username("anne")
            .await
            .unwrap()
            .unwrap();
        for mail in [thread_mail, reply_mail] {
            let reply_to = header(mail, "Reply-To");
            let target = domain
                .read_reply_address(&reply_to)
                .await
                .unwrap()
                .unwrap_or_else(|| panic!("not a reply address of A: {reply_to}"));
            assert_eq!(target.account, anne_row.id);
            assert_eq!(target.thread, ReplyThread::Forum(PostId(local_thread)));
        }

        // Anne's own reply is not mailed to her.
        anne.reply(local_thread, "Merci !").await;
        run_list_mails(&a).await;
        assert_eq!(smtp.mails_to(address).len(), 2, "never to the author");

        // The one-click link ends the subscription: B's next thread, once
        // on A, is not mailed.
        let unsubscribe = header(thread_mail, "List-Unsubscribe");
        let unsubscribe = unsubscribe.trim_start_matches('<').trim_end_matches('>');
        assert!(
            unsubscribe.starts_with(&format!("{}/unsubscribe/", a.base_url)),
            "{unsubscribe}"
        );
        let stranger = Client::cookieless(&a);
        let confirm = stranger.get(unsubscribe).await;
        assert_eq!(confirm.status, 200, "{}", confirm.text);
        assert!(
            confirm.text.contains("Maths au cycle 3"),
            "{}",
            confirm.text
        );
        let done = stranger
            .post_form(unsubscribe, &[("List-Unsubscribe", "One-Click")])
            .await;
        assert_eq!(done.status, 200, "{}", done.text);
        let list = anne.get_json("/api/v1/me/mail-subscriptions").await;
        assert_eq!(list["subscriptions"], json!([]), "{list}");
        // A link moved to another list does not match its signature.
        let forged = stranger
            .post_form(
                &unsubscribe.replace("/list-", "/list-9"),
                &[("List-Unsubscribe", "One-Click")],
            )
            .await;
        assert_eq!(forged.status, 403, "{}", forged.text);
        bob.post_thread("maths", "Decimales", "Et les nombres decimaux ?")
            .await;
        after_delivery(&[&a, &b], "A holds B's second thread", || async {
            let forum = anne.get_json(&format!("/api/v1/forums/{remote}")).await;
            forum["threads"].as_array().is_some_and(|t| t.len() == 2)
        })
        .await;
        run_list_mails(&a).await;
        assert_eq!(smtp.mails_to(address).len(), 2, "unsubscribed");

        // A project's forum, on A: members only.
        let carl = Client::teacher(&a, "carl", false).await;
        let eve = Client::teacher(&a, "eve", false).await;
        let dora = Client::teacher(&a, "dora", false).await;
        anne.post(
            "/api/v1/projects",
            json!({"name": "jardin", "title": "Jardin partage", "join_mode": "open"}),
        )
        .await
        .expect(201);
        let joined = carl
            .post("/api/v1/projects/jardin/join", json!({}))
            .await
            .expect(201);
        assert_eq!(joined["membership"]["state"], "member", "{joined}");
        let carl_id = joined["membership"]["person"]["id"].as_i64().unwrap();
        eve.post("/api/v1/projects/jardin/join", json!({}))
            .await
            .expect(201);
        let subscription = "/api/v1/projects/jardin/mail-subscription";
        dora.call(Method::PUT, subscription, None)
            .await
            .expect_error(403, "not_project_member");
        carl.call(Method::PUT, subscription, None).await.expect(200);
        // Eve uses the project page's button (a plain form).
        let eve_pages = Client::anonymous(&a).log_in_pages("eve").await;
        let page = eve_pages.page("/projects/jardin/forum").await;
        assert!(page.contains("Suivre par e-mail"), "{page}");
        let answer = eve_pages
            .submit(
                "/projects/jardin",
                "/projects/jardin/mail-subscription",
                &[("action", "subscribe")],
            )
            .await;
        assert!(answer.status < 400, "{}", answer.text);
        let page = eve_pages.page("/projects/jardin/forum").await;
        assert!(page.contains("Ne plus suivre par e-mail"), "{page}");
        let list = eve.get_json("/api/v1/me/mail-subscriptions").await;
        assert_eq!(list["subscriptions"][0]["handle"], "jardin", "{list}");
        let list = carl.get_json("/api/v1/me/mail-subscriptions").await;
        assert_eq!(list["subscriptions"][0]["kind"], "project", "{list}");

        anne.post(
            "/api/v1/projects/jardin/threads",
            json!({"title": "Semis", "body": "On seme mardi."}),
        )
        .await
        .expect(201);
        run_list_mails(&a).await;
        let carl_mail = smtp.wait_for_mail("carl@example.org", 1).await;
        smtp.wait_for_mail("eve@example.org", 1).await;
        assert_eq!(header(&carl_mail, "Subject"), "[Jardin partage] Semis");
        assert!(header(&carl_mail, "List-Id").contains("<jardin.project.localhost>"));
        assert!(header(&carl_mail, "Reply-To").starts_with("reply+p"));
        assert!(decoded(&carl_mail).contains("On seme mardi."));
        assert!(smtp.mails_to(address).len() == 2, "not to the author");

        // Carl is removed: no more mails, no subscription listed, none
        // possible; Eve still gets them.
        anne.post(
            &format!("/api/v1/projects/jardin/members/{carl_id}"),
            json!({"action": "remove"}),
        )
        .await
        .expect(200);
        let list = carl.get_json("/api/v1/me/mail-subscriptions").await;
        assert_eq!(list["subscriptions"], json!([]), "{list}");
        carl.call(Method::PUT, subscription, None)
            .await
            .expect_error(403, "not_project_member");
        anne.post(
            "/api/v1/projects/jardin/threads",
            json!({"title": "Arrosage", "body": "Qui arrose pendant les vacances ?"}),
        )
        .await
        .expect(201);
        run_list_mails(&a).await;
        let eve_second = smtp.wait_for_mail("eve@example.org", 2).await;
        assert!(decoded(&eve_second).contains("Qui arrose"));
        assert_eq!(
            smtp.mails_to("carl@example.org").len(),
            1,
            "a removed member gets no more mails"
        );

        // Eve stops from her settings page: a link to a confirmation page,
        // then the form; a group she does not follow is not found.
        let settings = eve_pages.page("/settings/notifications").await;
        let start = settings
            .find("/settings/mail-subscriptions/stop?group=")
            .expect("a stop link on the settings page");
        let link: String = settings[start..]
            .chars()
            .take_while(|c| *c != '"')
            .collect();
        let group = link.rsplit('=').next().unwrap().to_string();
        let confirm = eve_pages.get(&link).await;
        assert_eq!(confirm.status, 200, "{}", confirm.text);
        assert!(confirm.text.contains("Jardin partage"), "{}", confirm.text);
        let unknown = eve_pages
            .get("/settings/mail-subscriptions/stop?group=999999")
            .await;
        assert_eq!(unknown.status, 404, "{}", unknown.text);
        let answer = eve_pages
            .submit(
                &link,
                "/settings/mail-subscriptions/stop",
                &[("group", group.as_str())],
            )
            .await;
        assert!(answer.status < 400, "{}", answer.text);
        let list = eve.get_json("/api/v1/me/mail-subscriptions").await;
        assert_eq!(list["subscriptions"], json!([]), "{list}");
        a.stop().await;
        b.stop().await;
    }
}
