//! Live updates (issue 12): `GET /api/v1/stream` sends a teacher their
//! new notifications and the new replies of a thread they have open,
//! nothing of others', resumes after `Last-Event-ID`, and carries events
//! written by another process of the instance (PostgreSQL).

use super::support::contacts::{choose_presence, make_contacts};
use super::support::conversations::accept_invitation;
use super::support::{client::Client, *};
use serde_json::Value;
use std::time::Duration;

/// One Server-Sent Event.
#[derive(Debug, Clone)]
struct SseEvent {
    event: String,
    id: String,
    data: Value,
}

/// An open stream, read a chunk at a time.
struct Stream {
    response: reqwest::Response,
    buffer: String,
    /// The `id:` of the opening (where the stream stood).
    opened_at: String,
}

impl Stream {
    /// Opens the stream of `client` with `query`, resuming after
    /// `last_event_id` if given; panics unless it opens.
    async fn open(client: &Client<'_>, query: &str, last_event_id: Option<&str>) -> Stream {
        let mut request = client.build(reqwest::Method::GET, &format!("/api/v1/stream{query}"));
        if let Some(id) = last_event_id {
            request = request.header("Last-Event-ID", id);
        }
        let response = request.send().await.expect("stream request sent");
        assert_eq!(response.status(), 200, "stream {query}");
        assert_eq!(
            response.headers()["content-type"].to_str().unwrap(),
            "text/event-stream"
        );
        let mut stream = Stream {
            response,
            buffer: String::new(),
            opened_at: String::new(),
        };
        let opening = stream.block().await.expect("the opening block");
        assert!(opening.contains("retry: 5000"), "{opening}");
        stream.opened_at = field(&opening, "id").expect("an id when opened");
        stream
    }

    /// The next block (up to a blank line), waiting at most 20 s.
    async fn block(&mut self) -> Option<String> {
        tokio::time::timeout(Duration::from_secs(20), async {
            loop {
                if let Some(end) = self.buffer.find("\n\n") {
                    let block = self.buffer[..end].to_string();
                    self.buffer.drain(..end + 2);
                    return Some(block);
                }
                let chunk = self.response.chunk().await.ok()??;
                self.buffer.push_str(&String::from_utf8_lossy(&chunk));
            }
        })
        .await
        .ok()?
    }

    /// The next event, which must be a `kind` event; panics after 20 s.
    async fn next_of(&mut self, kind: &str) -> SseEvent {
        let event = self.next().await;
        assert_eq!(event.event, kind, "{event:?}");
        event
    }

    /// The next event that is not a `messages` count (sent to a
    /// participant's streams with every message of others), which must be
    /// a `kind` event.
    async fn next_of_past_counts(&mut self, kind: &str) -> SseEvent {
        loop {
            let event = self.next().await;
            if event.event != "messages" {
                assert_eq!(event.event, kind, "{event:?}");
                return event;
            }
        }
    }

    /// The next event (keep-alive comments skipped); panics after 20 s.
    async fn next(&mut self) -> SseEvent {
        loop {
            let block = self.block().await.expect("an event within 20 s");
            if let Some(event) = field(&block, "event") {
                return SseEvent {
                    event,
                    id: field(&block, "id").expect("every event has an id"),
                    data: serde_json::from_str(&field(&block, "data").expect("data"))
                        .expect("JSON data"),
                };
            }
        }
    }
}

/// The value of `name:` in an event block.
fn field(block: &str, name: &str) -> Option<String> {
    block.lines().find_map(|line| {
        line.strip_prefix(name)
            .and_then(|rest| rest.strip_prefix(':'))
            .map(|value| value.trim_start().to_string())
    })
}

/// The next `notification` and `reply` events of `stream`, in either order.
async fn notification_and_reply(stream: &mut Stream) -> (SseEvent, SseEvent) {
    let first = stream.next().await;
    let second = stream.next().await;
    if first.event == "notification" {
        assert_eq!(second.event, "reply", "{second:?}");
        (first, second)
    } else {
        assert_eq!(first.event, "reply", "{first:?}");
        assert_eq!(second.event, "notification", "{second:?}");
        (second, first)
    }
}

/// The teachers `names` of instance `a` (none an admin), each pair of
/// `contacts` (asker, answerer: two of `names`) made contacts there: the
/// set-up of the stream scenarios of one instance.
async fn teachers_in_contact<'a, const N: usize>(
    a: &'a TestInstance,
    names: [&str; N],
    contacts: &[(&str, &str)],
) -> [Client<'a>; N] {
    let mut clients = Vec::with_capacity(N);
    for name in names {
        clients.push(Client::teacher(a, name, false).await);
    }
    let named = |name: &str| {
        let at = names.iter().position(|n| *n == name);
        &clients[at.unwrap_or_else(|| panic!("{name} is none of {names:?}"))]
    };
    for (asker, answerer) in contacts {
        super::conversations::make_contacts(named(asker), named(answerer), answerer).await;
    }
    let Ok(clients) = clients.try_into() else {
        unreachable!("one client per name")
    };
    clients
}

/// On each engine, one instance (delivery fast, its settings `adjust`ed)
/// and its teachers in contact (see [`teachers_in_contact`]), then
/// `scenario` with them: what it opened (its streams) is closed when it
/// returns, and the instance stopped. The frame of the stream scenarios
/// of one instance.
async fn with_teachers<const N: usize>(
    adjust: impl Fn(&mut preau::config::Settings),
    names: [&str; N],
    contacts: &[(&str, &str)],
    scenario: impl AsyncFn(&TestInstance, [Client<'_>; N]),
) {
    for engine in engines() {
        let a = start_fast(engine, None, &adjust).await;
        scenario(&a, teachers_in_contact(&a, names, contacts).await).await;
        a.stop().await;
    }
}

/// `author` writes `body` in conversation `id`; the line as created.
async fn post_message(author: &Client<'_>, id: i64, body: &str) -> serde_json::Value {
    let path = format!("/api/v1/conversations/{id}/messages");
    author
        .post(&path, serde_json::json!({ "body": body }))
        .await
        .expect(201)
}

/// `author` edits (`Some(body)`) or deletes (`None`) their line `line`
/// of conversation `id`.
async fn change_line(author: &Client<'_>, id: i64, line: i64, body: Option<&str>) {
    let (method, body, status) = match body {
        Some(body) => (
            reqwest::Method::PUT,
            Some(serde_json::json!({ "body": body })),
            200,
        ),
        None => (reqwest::Method::DELETE, None, 204),
    };
    let path = format!("/api/v1/conversations/{id}/messages/{line}");
    author.call(method, &path, body).await.expect(status);
}

/// `creator` starts the conversation `name` with `invitee`, a contact of
/// the same instance; its id.
async fn conversation_with(creator: &Client<'_>, name: &str, invitee: &str) -> i64 {
    let created = creator
        .post(
            "/api/v1/conversations",
            serde_json::json!({"name": name, "participants": [invitee]}),
        )
        .await
        .expect(201);
    created["id"].as_i64().unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stream_carries_its_teachers_events_only_and_resumes() {
    for engine in engines() {
        let (a, b) = start_pair(engine).await;
        let admin = Client::teacher(&a, "ada", true).await;
        admin.create_forum("maths", "Mathématiques").await;
        let anne = Client::teacher(&a, "anne", false).await;
        // Carl's stream is a page's: the session cookie, no token.
        let carl_api = Client::teacher(&a, "carl", false).await;
        let carl_pages = Client::anonymous(&a).log_in_pages("carl").await;
        let bob = Client::teacher(&b, "bob", false).await;
        let remote_forum = format!("maths@{}", a.domain);
        bob.follow_forum(&format!("!{remote_forum}")).await;
        deliver_all(&[&a, &b]).await;
        let thread = anne.post_thread("maths", "Fractions", "Comment ?").await;
        let thread_id = thread["id"].as_i64().unwrap();
        let carl_thread = carl_api.post_thread("maths", "Géométrie", "Quoi ?").await;
        let carl_thread_id = carl_thread["id"].as_i64().unwrap();
        let on_b = remote_threads(&[&a, &b], &bob, &remote_forum, 2).await;
        assert_eq!(on_b.len(), 2, "B holds both threads");
        let on_b_id = |title: &str| {
            on_b.iter()
                .find(|t| t["title"] == title)
                .and_then(|t| t["id"].as_i64())
                .unwrap()
        };
        let (anne_thread_on_b, carl_thread_on_b) = (on_b_id("Fractions"), on_b_id("Géométrie"));

        // Refusals, each with its code.
        Client::anonymous(&a)
            .get("/api/v1/stream")
            .await
            .expect_error(401, "unauthorized");
        let forged = Client::anonymous(&a);
        forged
            .send(
                forged
                    .build(reqwest::Method::GET, "/api/v1/stream")
                    .bearer_auth("forged"),
            )
            .await
            .expect_error(401, "unauthorized");
        anne.get("/api/v1/stream?thread=999999")
            .await
            .expect_error(404, "not_found");
        anne.get("/api/v1/stream?thread=abc")
            .await
            .expect_error(404, "not_found");

        let mut anne_stream = Stream::open(&anne, &format!("?thread={thread_id}"), None).await;
        let mut carl_stream = Stream::open(&carl_pages, "", None).await;

        // Bob, on B, answers Anne: her stream gets the notification and
        // the reply, once delivered.
        bob.reply(anne_thread_on_b, "Avec des bandes de papier.")
            .await;
        deliver_all(&[&a, &b]).await;
        let (note, reply) = notification_and_reply(&mut anne_stream).await;
        assert_eq!(note.data["kind"], "reply", "{note:?}");
        assert_eq!(note.data["unread"], 1, "{note:?}");
        let listed = anne.get_json("/api/v1/notifications").await;
        assert_eq!(note.data["id"], listed["items"][0]["id"], "{listed}");
        assert_eq!(reply.data["thread_id"], thread_id);
        assert_eq!(
            reply.data["post"]["author"]["handle"],
            format!("bob@{}", b.domain)
        );
        assert!(reply.data["post"]["content_html"]
            .as_str()
            .unwrap()
            .contains("bandes de papier"));
        // A reply's id is no thread to follow.
        let reply_id = reply.data["post"]["id"].as_i64().unwrap();
        anne.get(&format!("/api/v1/stream?thread={reply_id}"))
            .await
            .expect_error(404, "not_found");

        // Bob answers Carl: Carl's stream's first event is his own
        // notification, not Anne's; Anne's stream gets nothing of it (its
        // next event is the one of the next reply to her).
        bob.reply(carl_thread_on_b, "Avec un compas.").await;
        deliver_all(&[&a, &b]).await;
        let carl_note = carl_stream.next_of("notification").await;
        assert_eq!(carl_note.data["unread"], 1, "{carl_note:?}");
        assert_ne!(carl_note.data["id"], note.data["id"]);
        let carl_listed = carl_api.get_json("/api/v1/notifications").await;
        assert_eq!(carl_note.data["id"], carl_listed["items"][0]["id"]);
        let last_seen = reply.id.clone();
        drop(anne_stream);

        // While Anne's page is away, Bob answers her twice; reconnecting
        // with the last id she saw replays both, then goes on live. The two
        // replies are delivered to A together, so they may be stored in
        // either order.
        bob.reply(anne_thread_on_b, "Et des réglettes.").await;
        bob.reply(anne_thread_on_b, "Et des jetons.").await;
        deliver_all(&[&a, &b]).await;
        let mut resumed =
            Stream::open(&anne, &format!("?thread={thread_id}"), Some(&last_seen)).await;
        let mut notes = Vec::new();
        let mut replies = Vec::new();
        for _ in 0..4 {
            let event = resumed.next().await;
            match event.event.as_str() {
                "notification" => notes.push(event),
                "reply" => replies.push(event),
                other => panic!("unexpected event {other}"),
            }
        }
        assert_eq!(notes.len(), 2, "{notes:?}");
        assert_eq!(notes[1].data["unread"], 3, "{notes:?}");
        let texts: Vec<String> = replies
            .iter()
            .map(|r| r.data["post"]["content_html"].as_str().unwrap().to_string())
            .collect();
        assert!(
            texts.iter().any(|t| t.contains("réglettes"))
                && texts.iter().any(|t| t.contains("jetons")),
            "{texts:?}"
        );
        // A stream opened without Last-Event-ID replays nothing: it stands
        // where the database stands.
        let fresh = Stream::open(&anne, &format!("?thread={thread_id}"), None).await;
        assert_eq!(fresh.opened_at, replies[1].id);

        // A deleted thread cannot be followed.
        let deleted = anne
            .call(
                reqwest::Method::DELETE,
                &format!("/api/v1/posts/{thread_id}"),
                None,
            )
            .await;
        assert_eq!(deleted.status, 204, "{}", deleted.text);
        anne.get(&format!("/api/v1/stream?thread={thread_id}"))
            .await
            .expect_error(410, "post_deleted");
        let _ = carl_thread_id;
        a.stop().await;
        b.stop().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reply_written_by_one_process_reaches_a_stream_of_another() {
    // Several processes share a database on PostgreSQL only.
    if !engines().contains(&Engine::Postgres) {
        return;
    }
    let engine = Engine::Postgres;
    let (settings_a, dir) = settings(engine, None);
    let first = start(engine, settings_a.clone(), dir).await;
    let mut settings_b = settings_a;
    settings_b.instance.domain = first.domain.clone();
    let second = preau::app::spawn(settings_b)
        .await
        .expect("the second process starts on the shared database");
    let admin = Client::teacher(&first, "ada", true).await;
    admin.create_forum("maths", "Mathématiques").await;
    let anne = Client::teacher(&first, "anne", false).await;
    let carl = Client::teacher(&first, "carl", false).await;
    let thread = anne.post_thread("maths", "Fractions", "Comment ?").await;
    let thread_id = thread["id"].as_i64().unwrap();

    // Anne's page is served by the second process; Carl writes through
    // the first.
    let url = format!("{}/api/v1/stream?thread={thread_id}", second.base_url);
    let response = api_client()
        .get(&url)
        .bearer_auth(anne.token())
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let mut stream = Stream {
        response,
        buffer: String::new(),
        opened_at: String::new(),
    };
    stream.block().await.expect("the opening block");
    carl.reply(thread_id, "Avec des bandes de papier.").await;
    let (note, reply) = notification_and_reply(&mut stream).await;
    assert_eq!(note.data["unread"], 1, "{note:?}");
    assert_eq!(
        reply.data["post"]["author"]["handle"],
        format!("carl@{}", first.domain)
    );
    drop(stream);
    second.stop().await.expect("the second process stops");
    first.stop().await;
}

/// Anne, on `host`, creates project `eco` and invites `handle` (of
/// `other`), who accepts there through `member`'s token.
async fn project_with_member(
    host: &TestInstance,
    other: &TestInstance,
    anne: &Client<'_>,
    member: &Client<'_>,
    handle: &str,
) -> String {
    anne.post(
        "/api/v1/projects",
        serde_json::json!({"name": "eco", "title": "Éco-délégués"}),
    )
    .await
    .expect(201);
    anne.post(
        "/api/v1/projects/eco/invite",
        serde_json::json!({ "handle": handle }),
    )
    .await
    .expect(201);
    let remote = format!("eco@{}", host.domain);
    after_delivery(
        &[host, other],
        "the invitation reaches the member",
        || async {
            let requests = member.get_json("/api/v1/me/requests").await;
            requests["invitations"]
                .as_array()
                .is_some_and(|i| i.iter().any(|i| i["project"]["handle"] == remote))
        },
    )
    .await;
    member
        .post(
            &format!("/api/v1/projects/{remote}/answer"),
            serde_json::json!({"accept": true}),
        )
        .await
        .expect(200);
    after_delivery(&[host, other], "the host knows the new member", || async {
        let view = anne.get_json("/api/v1/projects/eco").await;
        view["members"]
            .as_array()
            .is_some_and(|m| m.iter().any(|m| m["person"]["handle"] == handle))
    })
    .await;
    remote
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn project_forums_notify_members_named_and_stream_replies_to_members_only() {
    for engine in engines() {
        let (a, b) = start_pair(engine).await;
        let anne = Client::teacher(&a, "anne", false).await;
        let dora = Client::teacher(&a, "dora", false).await;
        let bea = Client::teacher(&b, "bea", false).await;
        let carl = Client::teacher(&b, "carl", false).await;
        let bea_handle = format!("bea@{}", b.domain);
        let remote = project_with_member(&a, &b, &anne, &bea, &bea_handle).await;

        // Anne names Bea (a member elsewhere), Dora (here, no member) and
        // Carl (on B, no member, unknown here until looked up).
        let body = format!("Bonjour @{bea_handle}, @dora et @carl@{} !", b.domain);
        let thread = anne
            .post(
                "/api/v1/projects/eco/threads",
                serde_json::json!({"title": "Calendrier", "body": body}),
            )
            .await
            .expect(201);
        let html = thread["content_html"].as_str().unwrap();
        assert!(html.contains(&format!(">@{bea_handle}</a>")), "{html}");
        assert!(html.contains(">@dora</a>"), "{html}");
        let thread_id = thread["id"].as_i64().unwrap();

        // Bea learns it on B, from the Mention tag of what the project
        // announced; nobody who is not a member does.
        let mentions_of = |notes: Value| -> Vec<Value> {
            notes["items"]
                .as_array()
                .unwrap()
                .iter()
                .filter(|n| n["kind"] == "mention")
                .cloned()
                .collect()
        };
        after_delivery(&[&a, &b], "Bea is notified of the mention", || async {
            !mentions_of(bea.get_json("/api/v1/notifications").await).is_empty()
        })
        .await;
        let bea_notes = bea.get_json("/api/v1/notifications").await;
        let note = &mentions_of(bea_notes.clone())[0];
        assert_eq!(note["kind"], "mention", "{bea_notes}");
        assert_eq!(note["title"], "Calendrier", "{bea_notes}");
        assert_eq!(note["actor"]["handle"], format!("anne@{}", a.domain));
        assert!(
            note["link"]
                .as_str()
                .unwrap()
                .starts_with(&format!("/projects/{remote}/threads/")),
            "{bea_notes}"
        );
        deliver_all(&[&a, &b]).await;
        assert_eq!(
            mentions_of(bea.get_json("/api/v1/notifications").await).len(),
            1,
            "once"
        );
        assert_eq!(dora.get_json("/api/v1/notifications").await["unread"], 0);
        assert_eq!(carl.get_json("/api/v1/notifications").await["unread"], 0);

        // The thread on B: the project thread stream is for members only.
        let threads = bea
            .get_json(&format!("/api/v1/projects/{remote}/threads"))
            .await;
        let thread_on_b = threads["threads"][0]["id"].as_i64().unwrap();
        dora.get(&format!("/api/v1/stream?project_thread={thread_id}"))
            .await
            .expect_error(403, "not_project_member");
        anne.get("/api/v1/stream?project_thread=999999")
            .await
            .expect_error(404, "not_found");
        anne.get(&format!(
            "/api/v1/stream?thread={thread_id}&project_thread={thread_id}"
        ))
        .await
        .expect_error(422, "invalid_choice");
        let mut anne_stream =
            Stream::open(&anne, &format!("?project_thread={thread_id}"), None).await;
        let mut dora_stream = Stream::open(&dora, "", None).await;

        // Bea answers from B and names Anne and Dora: Anne's page gets the
        // reply and her notification; Dora, no member, gets nothing.
        let reply = bea
            .post(
                &format!("/api/v1/projects/{remote}/threads/{thread_on_b}/replies"),
                serde_json::json!({"body": format!("Mardi, @anne@{} et @dora@{} ?", a.domain, a.domain)}),
            )
            .await
            .expect(201);
        assert_eq!(reply["kind"], "reply", "{reply}");
        deliver_all(&[&a, &b]).await;
        let mut seen = Vec::new();
        for _ in 0..2 {
            seen.push(anne_stream.next().await);
        }
        let project_reply = seen
            .iter()
            .find(|e| e.event == "project_reply")
            .unwrap_or_else(|| panic!("a project_reply event: {seen:?}"));
        assert_eq!(project_reply.data["thread_id"], thread_id);
        assert!(project_reply.data["post"]["content_html"]
            .as_str()
            .unwrap()
            .contains("Mardi"));
        let mention = seen
            .iter()
            .find(|e| e.event == "notification")
            .unwrap_or_else(|| panic!("a notification event: {seen:?}"));
        assert_eq!(mention.data["kind"], "mention", "{seen:?}");
        assert_eq!(dora.get_json("/api/v1/notifications").await["unread"], 0);

        // A reply from here reaches the open page too.
        anne.post(
            &format!("/api/v1/projects/eco/threads/{thread_id}/replies"),
            serde_json::json!({"body": "Mardi, oui."}),
        )
        .await
        .expect(201);
        anne_stream.next_of("project_reply").await;
        drop(anne_stream);
        // Resuming after the first reply replays what came after it.
        let mut resumed = Stream::open(
            &anne,
            &format!("?project_thread={thread_id}"),
            Some(&project_reply.id),
        )
        .await;
        let replayed = loop {
            let event = resumed.next().await;
            if event.event == "project_reply" {
                break event;
            }
        };
        assert!(replayed.data["post"]["content_html"]
            .as_str()
            .unwrap()
            .contains("Mardi, oui"));

        // Dora's stream saw nothing of the project: its first event is her
        // own, later, contact request.
        anne.post(
            "/api/v1/contacts",
            serde_json::json!({"handle": format!("dora@{}", a.domain)}),
        )
        .await
        .expect(202);
        let first = dora_stream.next_of("notification").await;
        assert_eq!(first.data["kind"], "contact_request", "{first:?}");
        a.stop().await;
        b.stop().await;
    }
}

/// A notification is read and written once for all its teacher's streams
/// (issue 12): each of them gets it, the same; a teacher with the thread
/// open but not named gets the reply only; two teachers named in one
/// reply each get their own notification and count, never the other's.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_teachers_streams_share_their_notification_and_no_other_stream_gets_it() {
    for engine in engines() {
        let (settings, dir) = settings(engine, None);
        let a = start(engine, settings, dir).await;
        let ada = Client::teacher(&a, "ada", true).await;
        ada.create_forum("maths", "Mathématiques").await;
        let anne = Client::teacher(&a, "anne", false).await;
        let carl = Client::teacher(&a, "carl", false).await;
        let thread = ada.post_thread("maths", "Fractions", "Comment ?").await;
        let thread_id = thread["id"].as_i64().unwrap();
        let on_thread = format!("?thread={thread_id}");
        let mut anne_on_thread = [
            Stream::open(&anne, &on_thread, None).await,
            Stream::open(&anne, &on_thread, None).await,
        ];
        let mut anne_elsewhere = Stream::open(&anne, "", None).await;
        let mut carl_on_thread = Stream::open(&carl, &on_thread, None).await;

        // Anne is named: her three streams get the same notification.
        ada.reply(thread_id, "@anne, une idée ?").await;
        let mut anne_notes = Vec::new();
        for stream in &mut anne_on_thread {
            let (note, reply) = notification_and_reply(stream).await;
            assert!(reply.data["post"]["content_html"]
                .as_str()
                .unwrap()
                .contains("une idée"));
            anne_notes.push(note);
        }
        anne_notes.push(anne_elsewhere.next().await);
        let anne_listed = anne.get_json("/api/v1/notifications").await;
        for note in &anne_notes {
            assert_eq!(note.event, "notification", "{note:?}");
            assert_eq!(note.data["kind"], "mention", "{note:?}");
            assert_eq!(note.data["unread"], 1, "{note:?}");
            assert_eq!(note.data["id"], anne_listed["items"][0]["id"], "{note:?}");
        }
        // Carl, not named, gets the reply only.
        carl_on_thread.next_of("reply").await;

        // Both named: each gets their own notification and count (Carl's
        // next events are his, not Anne's earlier one).
        ada.reply(thread_id, "@anne et @carl, des réglettes ?")
            .await;
        let (carl_note, _) = notification_and_reply(&mut carl_on_thread).await;
        let carl_listed = carl.get_json("/api/v1/notifications").await;
        assert_eq!(carl_note.data["id"], carl_listed["items"][0]["id"]);
        assert_eq!(carl_note.data["unread"], 1, "{carl_note:?}");
        let anne_listed = anne.get_json("/api/v1/notifications").await;
        assert_ne!(carl_note.data["id"], anne_listed["items"][0]["id"]);
        for stream in &mut anne_on_thread {
            let (note, _) = notification_and_reply(stream).await;
            assert_eq!(note.data["id"], anne_listed["items"][0]["id"], "{note:?}");
            assert_eq!(note.data["unread"], 2, "{note:?}");
        }
        let note = anne_elsewhere.next().await;
        assert_eq!(note.data["id"], anne_listed["items"][0]["id"], "{note:?}");
        assert_eq!(note.data["unread"], 2, "{note:?}");
        a.stop().await;
    }
}

/// A conversation's stream: its participants only, each new line once,
/// and it ends for a teacher removed.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_conversation_stream_carries_its_lines_to_participants_only() {
    with_teachers(
        |_| {},
        ["anna", "bea", "dora"],
        &[("anna", "bea")],
        async |_, [anna, bea, dora]| {
            let id = conversation_with(&anna, "Sortie", "bea").await;
            let query = format!("?conversation={id}");
            bea.get(&format!("/api/v1/stream{query}"))
                .await
                .expect_error(403, "not_conversation_participant");
            dora.get(&format!("/api/v1/stream{query}"))
                .await
                .expect_error(404, "not_found");
            let mut annas = Stream::open(&anna, &query, None).await;
            accept_invitation(&bea, id).await;
            let joined = annas.next_of("conversation_line").await;
            assert_eq!(joined.data["conversation_id"], id);
            let mut beas = Stream::open(&bea, &query, None).await;
            let message = post_message(&bea, id, "Bonjour").await;
            for stream in [&mut annas, &mut beas] {
                let line = stream.next_of("conversation_line").await;
                assert_eq!(line.data["line_id"], message["id"], "{line:?}");
            }
            // Anna's header counts Bea's message (Bea's own is not counted).
            let count = annas.next_of("messages").await;
            assert_eq!(count.data["unread"], 1, "{count:?}");
            // Removed, Bea hears no more: her stream ends; Anna's goes on.
            anna.post(
                &format!("/api/v1/conversations/{id}/remove"),
                serde_json::json!({"handle": "bea"}),
            )
            .await
            .expect(200);
            let removed = annas.next_of("conversation_line").await;
            assert!(
                removed.data["line_id"].as_i64() > message["id"].as_i64(),
                "{removed:?}"
            );
            let ended = tokio::time::timeout(Duration::from_secs(15), async {
                while let Ok(Some(chunk)) = beas.response.chunk().await {
                    let text = String::from_utf8_lossy(&chunk);
                    assert!(!text.contains("event:"), "nothing more for Bea: {text}");
                }
            })
            .await;
            assert!(ended.is_ok(), "Bea's stream ends");
        },
    )
    .await;
}

/// Ana's contact here (Dan) and on another instance (Bob) see her new
/// presence on their open streams; Odile, who is no contact, gets nothing
/// of it: the next event of her stream is her own later notification.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_presence_reaches_the_streams_of_contacts_only() {
    for engine in engines() {
        let (a, b) = start_pair(engine).await;
        let ana = Client::teacher(&a, "ana", false).await;
        let dan = Client::teacher(&a, "dan", false).await;
        let odile = Client::teacher(&a, "odile", false).await;
        let bob = Client::teacher(&b, "bob", false).await;
        let ana_handle = format!("ana@{}", a.domain);
        for (handle, answerer) in [
            (format!("dan@{}", a.domain), &dan),
            (format!("bob@{}", b.domain), &bob),
        ] {
            make_contacts(&[&a, &b], &ana, &ana_handle, answerer, &handle).await;
        }
        let mut dan_stream = Stream::open(&dan, "", None).await;
        let mut odile_stream = Stream::open(&odile, "", None).await;
        let mut bob_stream = Stream::open(&bob, "", None).await;

        choose_presence(&ana, "busy").await.expect(200);
        let seen = dan_stream.next_of("presence").await;
        assert_eq!(seen.data["person"]["handle"], ana_handle.as_str());
        assert_eq!(seen.data["status"], "busy");
        deliver_all(&[&a, &b]).await;
        let seen = bob_stream.next_of("presence").await;
        assert_eq!(seen.data["person"]["handle"], ana_handle.as_str());
        assert_eq!(seen.data["status"], "busy");

        // Something for Odile after it: her stream's next event.
        dan.post("/api/v1/contacts", serde_json::json!({"handle": "odile"}))
            .await
            .expect(202);
        odile_stream.next_of("notification").await;
        drop((dan_stream, odile_stream, bob_stream));
        a.stop().await;
        b.stop().await;
    }
}

/// A message edited, then deleted, by its author: both participants'
/// open conversation streams are told (`conversation_line_changed`, the
/// cursor unchanged), and what they read again shows it; a stream of
/// another conversation hears nothing of it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_conversation_stream_shows_edits_and_deletions() {
    with_teachers(
        |_| {},
        ["anna", "bea", "carl"],
        &[("anna", "bea"), ("anna", "carl")],
        async |_, [anna, bea, carl]| {
            let mut ids = Vec::new();
            for (name, invitee, client) in [("Sortie", "bea", &bea), ("Autre", "carl", &carl)] {
                let id = conversation_with(&anna, name, invitee).await;
                accept_invitation(client, id).await;
                ids.push(id);
            }
            let (id, other) = (ids[0], ids[1]);
            let message = post_message(&bea, id, "Rendez-vous à 9 h").await;
            let line = message["id"].as_i64().unwrap();
            let query = format!("?conversation={id}");
            let mut annas = Stream::open(&anna, &query, None).await;
            let mut beas = Stream::open(&bea, &query, None).await;
            let mut carls = Stream::open(&carl, &format!("?conversation={other}"), None).await;

            change_line(&bea, id, line, Some("Rendez-vous à 10 h")).await;
            for stream in [&mut annas, &mut beas] {
                let changed = stream
                    .next_of_past_counts("conversation_line_changed")
                    .await;
                assert_eq!(changed.data["conversation_id"], id, "{changed:?}");
                assert_eq!(changed.data["line_id"], line, "{changed:?}");
                assert_eq!(changed.id, stream.opened_at, "the cursor stays");
            }
            let read = anna
                .get_json(&format!("/api/v1/conversations/{id}/messages"))
                .await;
            assert!(read.to_string().contains("10 h"), "{read}");

            change_line(&bea, id, line, None).await;
            for stream in [&mut annas, &mut beas] {
                let changed = stream
                    .next_of_past_counts("conversation_line_changed")
                    .await;
                assert_eq!(changed.data["line_id"], line, "{changed:?}");
            }
            let read = anna
                .get_json(&format!("/api/v1/conversations/{id}/messages"))
                .await;
            assert!(!read.to_string().contains("10 h"), "{read}");

            // Carl's stream (another conversation) hears of neither: its next
            // event is a line of his own conversation.
            let posted = post_message(&anna, other, "Bonjour Carl").await;
            let next = carls.next_of_past_counts("conversation_line").await;
            assert_eq!(next.data["line_id"], posted["id"], "{next:?}");
        },
    )
    .await;
}

/// The header's "Messages" count is live on every page: a message of
/// someone else in one of the teacher's conversations, its deletion, an
/// invitation each send the count as it stands to the teacher's streams
/// (not only those of the conversation); the author's own message, an
/// edit, and the conversations of others send nothing.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_messages_count_reaches_every_stream_of_the_teacher() {
    with_teachers(
        |_| {},
        ["anna", "bea", "carl", "dora"],
        &[("anna", "bea"), ("carl", "anna")],
        async |_, [anna, bea, carl, dora]| {
            let id = conversation_with(&anna, "Sortie", "bea").await;
            accept_invitation(&bea, id).await;
            // Anna on any page (no conversation open), Bea and Dora too.
            let mut annas = Stream::open(&anna, "", None).await;
            let mut beas = Stream::open(&bea, "", None).await;
            let mut doras = Stream::open(&dora, "", None).await;

            let message = post_message(&bea, id, "Bonjour").await;
            let line = message["id"].as_i64().unwrap();
            let count = annas.next_of("messages").await;
            assert_eq!(count.data["unread"], 1, "{count:?}");
            // An edit changes no count; the deletion does.
            change_line(&bea, id, line, Some("Bonjour à tous")).await;
            change_line(&bea, id, line, None).await;
            let count = annas.next_of("messages").await;
            assert_eq!(count.data["unread"], 0, "{count:?}");

            // Carl invites Anna: her notification, then the count with the
            // invitation.
            carl.post(
                "/api/v1/conversations",
                serde_json::json!({"name": "Conseil", "participants": ["anna"]}),
            )
            .await
            .expect(201);
            let note = annas.next_of("notification").await;
            assert_eq!(note.data["kind"], "conversation_invitation", "{note:?}");
            let count = annas.next_of("messages").await;
            assert_eq!(count.data["unread"], 1, "{count:?}");

            // Bea (the author) and Dora (no participant) got none of it: their
            // next events are a later notification of their own.
            for (stream, asker, name) in [(&mut beas, &carl, "bea"), (&mut doras, &anna, "dora")] {
                asker
                    .post("/api/v1/contacts", serde_json::json!({"handle": name}))
                    .await
                    .expect(202);
                let next = stream.next().await;
                assert_eq!(next.event, "notification", "{name}: {next:?}");
            }
        },
    )
    .await;
}

/// A stream that reconnects (`Last-Event-ID`) first gets the present
/// presence of each of its teacher's contacts, so that a page shows what
/// changed while it was cut off; a teacher who is no contact gets none of
/// it, and a fresh stream (no `Last-Event-ID`, the page just read) none.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reconnected_stream_gets_the_present_presence_of_contacts() {
    with_teachers(
        |_| {},
        ["ana", "dan", "odile"],
        &[("ana", "dan")],
        async |a, [ana, dan, odile]| {
            let dans = Stream::open(&dan, "", None).await;
            let odiles = Stream::open(&odile, "", None).await;
            let (dan_at, odile_at) = (dans.opened_at.clone(), odiles.opened_at.clone());
            // Cut off; meanwhile Ana chooses "Ne pas déranger".
            drop((dans, odiles));
            choose_presence(&ana, "busy").await.expect(200);

            let mut dans = Stream::open(&dan, "", Some(&dan_at)).await;
            let seen = dans.next_of("presence").await;
            assert_eq!(
                seen.data["person"]["handle"],
                format!("ana@{}", a.domain).as_str(),
                "{seen:?}"
            );
            assert_eq!(seen.data["status"], "busy", "{seen:?}");

            // Odile, no contact, and Dan on a fresh stream: their next event
            // is a later notification, no presence.
            let mut odiles = Stream::open(&odile, "", Some(&odile_at)).await;
            let mut fresh = Stream::open(&dan, "", None).await;
            ana.post("/api/v1/contacts", serde_json::json!({"handle": "odile"}))
                .await
                .expect(202);
            odiles.next_of("notification").await;
            choose_presence(&ana, "available").await.expect(200);
            let next = fresh.next_of("presence").await;
            assert_eq!(next.data["status"], "available", "{next:?}");
        },
    )
    .await;
}

/// An open page is activity: a teacher whose stream stays open past
/// `accounts.presence_idle_minutes` (clock moved, no request) is not shown
/// "Absent"; once the stream is closed and the idle time passes, they
/// are, with no request of theirs, and a contact's open stream is told.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_open_stream_keeps_its_teacher_present_and_idle_reaches_contacts() {
    with_teachers(
        |s| s.accounts.presence_idle_minutes = 10,
        ["ana", "dan"],
        &[("ana", "dan")],
        async |a, [ana, dan]| {
            let ana_handle = format!("ana@{}", a.domain);
            let seen_by_dan = || async {
                let contacts = dan.get_json("/api/v1/contacts").await;
                contacts["contacts"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .find(|c| c["person"]["handle"] == ana_handle.as_str())
                    .and_then(|c| c["presence"].as_str())
                    .map(str::to_string)
            };
            assert_eq!(seen_by_dan().await.as_deref(), Some("available"));
            let anas = Stream::open(&ana, "", None).await;
            let mut dans = Stream::open(&dan, "", None).await;

            // Eleven minutes without a request, her page open: still there.
            a.advance_clock(Duration::from_secs(11 * 60));
            a.running.state.domain.mark_idle_teachers().await.unwrap();
            assert_eq!(seen_by_dan().await.as_deref(), Some("available"));

            // Her page closed, eleven more minutes: "Absent", and Dan's open
            // page is told without any request of hers.
            drop(anas);
            let away = wait_until(Duration::from_secs(20), || async {
                a.advance_clock(Duration::from_secs(11 * 60));
                a.running.state.domain.mark_idle_teachers().await.unwrap();
                (seen_by_dan().await.as_deref() == Some("away")).then_some(())
            })
            .await;
            assert!(away.is_some(), "Ana never shown away once her page closed");
            let told = dans.next_of("presence").await;
            assert_eq!(told.data["person"]["handle"], ana_handle.as_str());
            assert_eq!(told.data["status"], "away", "{told:?}");
        },
    )
    .await;
}

/// On PostgreSQL two transactions can commit in the other order than the
/// one their rows took their ids in: every notification and line still
/// reaches the stream. A teacher's notifications are written by
/// transactions that run at once (the stream sends any not sent yet); a
/// conversation's lines take their ids one transaction after the other
/// (the conversation's row is locked first), so their ids follow their
/// commits. On SQLite one transaction writes at a time: nothing to test.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rows_committed_out_of_their_id_order_all_reach_the_stream() {
    use preau::domain::store::{
        actors::ActorId,
        commit,
        conversations::{insert_line, ConversationId, LinePlace, NewLine},
        live::{announce, LiveEvent},
        notifications::{insert_notification, NewNotification, NotificationKind, Recipients},
    };
    if !engines().contains(&Engine::Postgres) {
        return;
    }
    let a = start_fast(Engine::Postgres, None, |_| {}).await;
    let [anna, _bea] = teachers_in_contact(&a, ["anna", "bea"], &[("anna", "bea")]).await;
    let id = conversation_with(&anna, "Sortie", "bea").await;
    let store = a.store();
    let anna_actor = store.local_actor_by_name("anna").await.unwrap().unwrap().id;
    let mut stream = Stream::open(&anna, &format!("?conversation={id}"), None).await;

    // Two notifications: the later id commits first.
    let note = |key: &str| {
        let mut note = NewNotification::new(NotificationKind::Invitation, key.to_string());
        note.title = key.to_string();
        note.link = "/".into();
        note
    };
    let recipients = Recipients::Actors(vec![anna_actor]);
    let mut first = store.begin().await.unwrap();
    let early = insert_notification(&mut first, &recipients, &note("early"))
        .await
        .unwrap();
    let mut second = store.begin().await.unwrap();
    let late = insert_notification(&mut second, &recipients, &note("late"))
        .await
        .unwrap();
    assert!(late[0] > early[0], "{early:?} {late:?}");
    commit(second).await.unwrap();
    commit(first).await.unwrap();
    let mut got: Vec<i64> = Vec::new();
    for _ in 0..2 {
        let event = stream.next_of_past_counts("notification").await;
        got.push(event.data["id"].as_i64().unwrap_or_default());
    }
    got.sort_unstable();
    assert_eq!(got, [early[0], late[0]]);

    // Two lines: the second transaction waits for the first's.
    // A message of Anna's, announced.
    async fn add_line(tx: &mut preau::domain::store::Tx, id: i64, actor: ActorId) -> i64 {
        let line = NewLine {
            conversation: ConversationId(id),
            kind: "message",
            actor,
            ap_id: None,
            source: "ligne",
            html: "<p>ligne</p>",
            place: LinePlace::Host,
        };
        let stored = insert_line(tx, &line).await.unwrap();
        announce(
            tx,
            LiveEvent::ConversationLine {
                id: stored,
                conversation: id,
            },
        )
        .await
        .unwrap();
        stored
    }
    let mut first = store.begin().await.unwrap();
    let early = add_line(&mut first, id, anna_actor).await;
    let later = {
        let store = store.clone();
        tokio::spawn(async move {
            let mut second = store.begin().await.unwrap();
            let late = add_line(&mut second, id, anna_actor).await;
            commit(second).await.unwrap();
            late
        })
    };
    // The second is waiting for the conversation's lock (without it, it
    // would commit first, with the later id).
    sqlx::any::install_default_drivers();
    let watcher = sqlx::AnyPool::connect(a.database_url()).await.unwrap();
    let waiting = wait_until(Duration::from_secs(30), || async {
        let waiting: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM pg_stat_activity WHERE datname = current_database() \
             AND wait_event_type = 'Lock'",
        )
        .fetch_one(&watcher)
        .await
        .unwrap();
        (waiting > 0).then_some(())
    })
    .await;
    assert!(
        waiting.is_some(),
        "the second line waits for the first's lock"
    );
    watcher.close().await;
    // The first transaction adds one more line meanwhile: the waiting one
    // has no id yet, so it gets one after both (before the lock came
    // first, it had taken its id already and was sent after a later id,
    // and so never).
    let more = add_line(&mut first, id, anna_actor).await;
    commit(first).await.unwrap();
    let late = tokio::time::timeout(Duration::from_secs(30), later)
        .await
        .expect("the second line is stored")
        .unwrap();
    assert!(late > more && more > early, "{early} {more} {late}");
    for expected in [early, more, late] {
        let event = stream.next_of_past_counts("conversation_line").await;
        assert_eq!(event.data["line_id"], expected, "{event:?}");
    }
    a.stop().await;
}
