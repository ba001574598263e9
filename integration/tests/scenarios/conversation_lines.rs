//! A conversation page's lines as fragments for its script: the message
//! form sent with the fragment `Accept` answers the line sent (or the
//! refusal in the page's error markup) instead of a redirect, while the
//! plain form still redirects; `GET /conversations/{id}/lines?after=ID`
//! answers the lines stored after `ID`, in the host's order, marked read,
//! with the header's count; refusals: `invalid_choice` (422) for a bad
//! `after`, `not_conversation_participant` (403) for an invited teacher
//! who has not joined, `not_found` (404) for an unknown conversation or
//! one never joined. On both engines.

use super::conversations::make_contacts;
use super::support::{client::Client, *};
use serde_json::json;

/// What the page's script sends in `Accept`.
const FRAGMENT: &str = "text/html; fragment=conversation-lines";

/// The fragment of the lines of `id` after `after`, as `client` reads it.
async fn lines_after(client: &Client<'_>, id: i64, after: &str) -> client::Answer {
    client
        .send(
            client
                .build(
                    reqwest::Method::GET,
                    &format!("/conversations/{id}/lines?after={after}"),
                )
                .header("Accept", FRAGMENT),
        )
        .await
}

/// Sends `body` with the message form of `id` as the page's script does.
async fn send_by_script(client: &Client<'_>, id: i64, body: &str) -> client::Answer {
    let path = format!("/conversations/{id}");
    let token = csrf_token(&client.page(&path).await);
    client
        .send(
            client
                .build(reqwest::Method::POST, &format!("{path}/messages"))
                .header("Accept", FRAGMENT)
                .form(&[("csrf_token", token.as_str()), ("body", body)]),
        )
        .await
}

/// The number in `attribute="N"` of `html`.
fn number_in(html: &str, attribute: &str) -> i64 {
    let marker = format!("{attribute}=\"");
    let start = html
        .find(&marker)
        .unwrap_or_else(|| panic!("no {attribute} in:\n{html}"))
        + marker.len();
    html[start..]
        .split('"')
        .next()
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("{attribute} is not a number in:\n{html}"))
}

/// The error code of an error page.
fn error_code(html: &str) -> String {
    let marker = "data-error-code=\"";
    let start = html
        .find(marker)
        .unwrap_or_else(|| panic!("no error code in:\n{html}"))
        + marker.len();
    html[start..].split('"').next().unwrap().to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_page_script_sends_and_reads_lines_as_fragments() {
    for engine in engines() {
        let instance = start_fast(engine, None, |_| {}).await;
        let teacher = |name: &'static str| {
            let instance = &instance;
            async move {
                Client::teacher(instance, name, false)
                    .await
                    .log_in_pages(name)
                    .await
            }
        };
        let anna = teacher("anna").await;
        let bea = teacher("bea").await;
        let carl = teacher("carl").await;
        let dora = teacher("dora").await;
        make_contacts(&anna, &bea, "bea").await;
        make_contacts(&anna, &carl, "carl").await;
        let created = anna
            .post(
                "/api/v1/conversations",
                json!({"name": "Sortie au musée", "participants": ["bea"]}),
            )
            .await
            .expect(201);
        let id = created["id"]
            .as_i64()
            .unwrap_or_else(|| panic!("{created}"));
        bea.post(&format!("/api/v1/conversations/{id}/accept"), json!({}))
            .await
            .expect(200);
        let path = format!("/conversations/{id}");
        let before = number_in(&bea.page(&path).await, "data-last-line");

        // Sent by script: the line sent, in the page's markup, with the
        // confirmation; no redirect, no page.
        let sent = send_by_script(&anna, id, "Rendez-vous *devant* le musée").await;
        assert_eq!(sent.status, 200, "{}", sent.text);
        assert!(
            sent.content_type.starts_with("text/html"),
            "{}",
            sent.content_type
        );
        assert!(!sent.text.contains("<html"), "{}", sent.text);
        assert!(sent.text.contains(r#"<ol id="new-lines""#), "{}", sent.text);
        assert!(
            sent.text.contains(r#"class="conversation-message mine""#),
            "{}",
            sent.text
        );
        assert!(sent.text.contains("<em>devant</em>"), "{}", sent.text);
        assert!(sent.text.contains("Message envoyé."), "{}", sent.text);
        assert_eq!(sent.text.matches("<li ").count(), 1, "{}", sent.text);
        let first = number_in(&sent.text, "data-last-line");
        assert!(sent.text.contains(&format!(r#"id="line-{first}""#)));
        assert!(sent
            .headers
            .get_all("vary")
            .iter()
            .any(|v| v.to_str().unwrap_or_default().contains("Accept")));

        // The plain form still redirects to the line.
        let plain = anna
            .submit(
                &path,
                &format!("{path}/messages"),
                &[("body", "Et sans script")],
            )
            .await;
        assert_eq!(plain.status, 303, "{}", plain.text);
        assert!(plain
            .location
            .as_deref()
            .unwrap_or_default()
            .contains("#line-"));

        // A refusal by script: its status and the server's message in the
        // page's error markup, to show beside the form.
        let empty = send_by_script(&anna, id, "   ").await;
        assert_eq!(empty.status, 422, "{}", empty.text);
        assert!(!empty.text.contains("<html"), "{}", empty.text);
        assert!(empty.text.contains(r#"role="alert""#), "{}", empty.text);
        assert!(empty.text.contains("id=\"form-error\""), "{}", empty.text);

        // Bea's page reads what came after its newest line: both
        // messages, in order, not the opening events again; read, and the
        // header's count says so.
        assert_eq!(bea.get_json("/api/v1/conversations").await["unread"], 2);
        let fresh = lines_after(&bea, id, &before.to_string()).await;
        assert_eq!(fresh.status, 200, "{}", fresh.text);
        let devant = fresh.text.find("<em>devant</em>").expect("first message");
        let plain_at = fresh.text.find("Et sans script").expect("second message");
        assert!(devant < plain_at, "{}", fresh.text);
        assert_eq!(fresh.text.matches("<li ").count(), 2, "{}", fresh.text);
        assert!(!fresh.text.contains("verrouillé"), "{}", fresh.text);
        assert!(!fresh.text.contains(" mine"), "{}", fresh.text);
        assert!(fresh.text.contains("data-position="), "{}", fresh.text);
        assert_eq!(number_in(&fresh.text, "data-messages"), 0, "{}", fresh.text);
        assert_eq!(bea.get_json("/api/v1/conversations").await["unread"], 0);
        let last = number_in(&fresh.text, "data-last-line");
        assert!(last > first, "{}", fresh.text);
        // Nothing newer: an empty list, the same newest line.
        let nothing = lines_after(&bea, id, &last.to_string()).await;
        assert_eq!(nothing.status, 200, "{}", nothing.text);
        assert_eq!(nothing.text.matches("<li ").count(), 0, "{}", nothing.text);
        assert_eq!(number_in(&nothing.text, "data-last-line"), last);
        // From the start: the opening events too, as the page has them.
        let all = lines_after(&bea, id, "0").await;
        assert_eq!(all.status, 200, "{}", all.text);
        assert!(
            all.text.contains("bea a rejoint la conversation"),
            "{}",
            all.text
        );

        // A bad `after`: 422 invalid_choice.
        for bad in ["abc", "-1", "1.5", ""] {
            let refused = lines_after(&bea, id, bad).await;
            assert_eq!(refused.status, 422, "after={bad}: {}", refused.text);
            assert_eq!(error_code(&refused.text), "invalid_choice");
        }
        let missing = bea.get(&format!("{path}/lines")).await;
        assert_eq!(missing.status, 422, "{}", missing.text);

        // Carl, invited but not joined: 403; Dora, never in it, and an
        // unknown conversation: 404 (it does not exist for them).
        anna.post(
            &format!("/api/v1/conversations/{id}/invite"),
            json!({"handle": "carl"}),
        )
        .await
        .expect(200);
        let invited = lines_after(&carl, id, "0").await;
        assert_eq!(invited.status, 403, "{}", invited.text);
        assert_eq!(error_code(&invited.text), "not_conversation_participant");
        let by_script = carl
            .send(
                carl.build(reqwest::Method::POST, &format!("{path}/messages"))
                    .header("Accept", FRAGMENT)
                    .form(&[
                        (
                            "csrf_token",
                            csrf_token(&carl.page("/conversations").await).as_str(),
                        ),
                        ("body", "trop tôt"),
                    ]),
            )
            .await;
        assert_eq!(by_script.status, 403, "{}", by_script.text);
        assert!(
            by_script.text.contains(r#"role="alert""#),
            "{}",
            by_script.text
        );
        let stranger = lines_after(&dora, id, "0").await;
        assert_eq!(stranger.status, 404, "{}", stranger.text);
        assert_eq!(error_code(&stranger.text), "not_found");
        let unknown = lines_after(&bea, id + 1000, "0").await;
        assert_eq!(unknown.status, 404, "{}", unknown.text);
        assert_eq!(error_code(&unknown.text), "not_found");
        // Nobody logged in: to the log-in page.
        let anonymous = Client::anonymous(&instance)
            .get(&format!("{path}/lines?after=0"))
            .await;
        assert_eq!(anonymous.status, 303, "{}", anonymous.text);

        // The messages of someone Bea blocked are not in her fragments.
        bea.post("/api/v1/blocks/anna", json!({})).await.expect(200);
        let hidden = send_by_script(&anna, id, "Bea ne le verra pas").await;
        assert_eq!(hidden.status, 200, "{}", hidden.text);
        let blocked = lines_after(&bea, id, &last.to_string()).await;
        assert_eq!(blocked.status, 200, "{}", blocked.text);
        assert!(
            !blocked.text.contains("Bea ne le verra pas"),
            "{}",
            blocked.text
        );
    }
}
