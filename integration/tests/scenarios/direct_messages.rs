//! Direct messages from the rest of the fediverse: a server that is not
//! Préau (Mastodon- and Pleroma-shaped, served here on loopback: actor
//! documents, WebFinger, and inboxes that keep what they receive) sends
//! signed `Create`s to a teacher. From a contact: a conversation at once;
//! from a stranger: "Demandes de message", accepted or ignored; a blocked
//! person and a teacher without messages receive nothing; a public
//! mention or a post to followers is no request. The teacher's answers
//! arrive at the person's inbox as Mastodon (or Pleroma) expects them.
//! On both engines.

use super::forums::post_signed;
use super::support::{
    client::{Answer, Client},
    conversations::{listed_conversation, listed_lines},
    fake_server::{fake_server, Received},
    *,
};
use serde_json::{json, Value};

/// A server that is not Préau (see [`fake_server`]): `/users/{name}`
/// for any name, its display name capitalised, with an outbox and
/// followers.
async fn fake_fediverse(public_key_pem: String) -> (String, Received) {
    fake_server(public_key_pem, |id, name| {
        let mut display = name.to_string();
        display[..1].make_ascii_uppercase();
        json!({
            "preferredUsername": name,
            "name": display,
            "outbox": format!("{id}/outbox"),
            "followers": format!("{id}/followers"),
        })
    })
    .await
}

/// A fake server beside `here` ([`fake_fediverse`]): its origin, what its
/// inboxes receive, and the private key its people sign with, that of a
/// teacher `keys` created here (any RSA pair does; this one is at hand).
pub(crate) async fn fediverse_beside(here: &TestInstance) -> (String, Received, String) {
    Client::teacher(here, "keys", false).await;
    let keys = here
        .store()
        .local_actor_by_name("keys")
        .await
        .unwrap()
        .unwrap();
    let pem = keys.private_key_pem.clone().unwrap();
    let (origin, received) = fake_fediverse(keys.public_key_pem.clone()).await;
    (origin, received, pem)
}

/// One person of the fake server, signing with the shared key.
pub(crate) struct Remote<'a> {
    pub(crate) origin: &'a str,
    pub(crate) name: &'a str,
    pub(crate) pem: &'a str,
}

impl Remote<'_> {
    pub(crate) fn id(&self) -> String {
        format!("{}/users/{}", self.origin, self.name)
    }

    /// POSTs `activity` to `inbox`, signed by this person.
    pub(crate) async fn send(&self, inbox: &str, activity: &Value) -> Answer {
        post_signed(
            inbox,
            activity,
            &format!("{}#main-key", self.id()),
            self.pem,
            std::time::SystemTime::now(),
            |_, _| {},
        )
        .await
    }

    /// A `Create` of `object` (its `id` ending in `n`), addressed like it.
    pub(crate) fn create(&self, n: &str, object: Value) -> Value {
        json!({
            "@context": ["https://www.w3.org/ns/activitystreams"],
            "id": format!("{}/statuses/{n}/activity", self.id()),
            "type": "Create",
            "actor": self.id(),
            "published": "2026-12-04T20:00:00Z",
            "to": object["to"].clone(),
            "cc": object["cc"].clone(),
            "object": object,
        })
    }

    /// Mastodon's direct message to `teacher` (`handle` `@ana@host`):
    /// `to` the teacher only, a `Mention`, the mention link first.
    fn direct_note(&self, n: &str, teacher: &str, handle: &str, text: &str) -> Value {
        let name = handle.trim_start_matches('@').split('@').next().unwrap();
        self.create(
            n,
            json!({
                "id": format!("{}/statuses/{n}", self.id()),
                "type": "Note",
                "summary": null,
                "inReplyTo": null,
                "published": "2026-12-04T20:00:00Z",
                "url": format!("{}/@{}/{n}", self.origin, self.name),
                "attributedTo": self.id(),
                "to": [teacher],
                "cc": [],
                "sensitive": false,
                "conversation": format!("tag:localhost,2026-12-04:objectId={n}:objectType=Conversation"),
                "content": format!(
                    "<p><span class=\"h-card\" translate=\"no\"><a href=\"{teacher}\" class=\"u-url mention\">@<span>{name}</span></a></span> {text}</p>"
                ),
                "tag": [{"type": "Mention", "href": teacher, "name": handle}],
                "attachment": [],
            }),
        )
    }

    /// Pleroma's chat message to `teacher`.
    fn chat_message(&self, n: &str, teacher: &str, text: &str) -> Value {
        self.create(
            n,
            json!({
                "id": format!("{}/objects/{n}", self.id()),
                "type": "ChatMessage",
                "attributedTo": self.id(),
                "to": [teacher],
                "content": text,
                "published": "2026-12-04T20:00:00Z",
            }),
        )
    }
}

impl Remote<'_> {
    /// Asks `teacher` (id `teacher_id`) for contact (a `Follow`), and the
    /// teacher accepts.
    pub(crate) async fn become_contact_of(
        &self,
        teacher: &Client<'_>,
        inbox: &str,
        teacher_id: &str,
    ) {
        let follow = json!({
            "@context": "https://www.w3.org/ns/activitystreams",
            "id": format!("{}/follows/{}", self.id(), teacher_id.rsplit('/').next().unwrap_or_default()),
            "type": "Follow",
            "actor": self.id(),
            "object": teacher_id,
        });
        assert_eq!(self.send(inbox, &follow).await.status, 202);
        let host = self.origin.trim_start_matches("http://");
        super::support::contacts::answer(teacher, &format!("{}@{host}", self.name), true).await;
    }
}

/// `client`'s message requests.
pub(crate) async fn requests(client: &Client<'_>) -> Vec<Value> {
    client.get_json("/api/v1/conversations/requests").await["requests"]
        .as_array()
        .cloned()
        .unwrap_or_default()
}

/// The message bodies (HTML) of conversation `id` as `client` reads it.
pub(crate) async fn messages(client: &Client<'_>, id: i64) -> Vec<String> {
    listed_lines(client, id)
        .await
        .iter()
        .filter(|l| l["kind"] == "message" && l["deleted"] == false)
        .map(|l| l["html"].as_str().unwrap().to_string())
        .collect()
}

/// What the fake inbox of `name` received, once delivery ran.
pub(crate) async fn delivered(
    instance: &TestInstance,
    received: &Received,
    name: &str,
) -> Vec<(String, Value)> {
    deliver_all(&[instance]).await;
    received
        .lock()
        .unwrap()
        .iter()
        .filter(|(owner, _, _)| owner == name)
        .map(|(_, signature, body)| (signature.clone(), body.clone()))
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn direct_messages_from_other_servers_become_conversations_or_requests() {
    for engine in engines() {
        let here = start_fast(engine, None, |settings| {
            settings.messaging.who = preau::config::MessagingAudience::Listed;
            settings.messaging.accounts = vec!["ana".to_string(), "keys".to_string()];
        })
        .await;
        let ana = Client::teacher(&here, "ana", false)
            .await
            .log_in_pages("ana")
            .await;
        let cleo = Client::teacher(&here, "cleo", false).await;
        let (origin, received, pem) = fediverse_beside(&here).await;
        let host = origin.trim_start_matches("http://").to_string();
        let inbox = here.url("/inbox");
        let ana_id = here.url("/users/ana");
        let ana_handle = format!("@ana@{}", here.domain);
        let person = |name| Remote {
            origin: &origin,
            name,
            pem: &pem,
        };
        let (bob, carol, dave, eve, frank) = (
            person("bob"),
            person("carol"),
            person("dave"),
            person("eve"),
            person("frank"),
        );

        // Carol asks Ana for contact (a Follow) and Ana accepts.
        carol.become_contact_of(&ana, &inbox, &ana_id).await;

        // From a contact: a conversation at once, named after her, the
        // leading mention of Ana taken out; a replay changes nothing.
        let hello = carol.direct_note("1", &ana_id, &ana_handle, "Bonjour Ana");
        assert_eq!(carol.send(&inbox, &hello).await.status, 202);
        assert_eq!(carol.send(&inbox, &hello).await.status, 202);
        let with_carol = listed_conversation(&ana, "Carol")
            .await
            .expect("a conversation with Carol");
        assert_eq!(with_carol["state"], "joined", "{with_carol}");
        assert_eq!(with_carol["unread"], 1, "{with_carol}");
        let carol_conversation = with_carol["id"].as_i64().unwrap();
        assert_eq!(
            messages(&ana, carol_conversation).await,
            ["<p>Bonjour Ana</p>"]
        );
        assert!(requests(&ana).await.is_empty());

        // From a stranger: a request, one per person however many
        // messages; nothing in the conversations yet.
        let first = bob.direct_note("10", &ana_id, &ana_handle, "Bonjour, une question");
        assert_eq!(bob.send(&inbox, &first).await.status, 202);
        let second = bob.direct_note("11", &ana_id, &ana_handle, "sur votre séquence");
        assert_eq!(bob.send(&inbox, &second).await.status, 202);
        let waiting = requests(&ana).await;
        assert_eq!(waiting.len(), 1, "{waiting:?}");
        assert_eq!(waiting[0]["person"]["handle"], format!("bob@{host}"));
        assert_eq!(waiting[0]["messages"], 2);
        assert!(waiting[0]["last_html"]
            .as_str()
            .unwrap()
            .contains("sur votre séquence"));
        assert!(listed_conversation(&ana, "Bob").await.is_none());
        let bob_conversation = waiting[0]["conversation_id"].as_i64().unwrap();
        // The Messages page lists it with its buttons; the header counts it.
        let page = ana.page("/conversations").await;
        assert!(page.contains("Demandes de message"), "{page}");
        assert!(page.contains("Bob"), "{page}");
        assert!(
            page.contains(&format!(
                "class=\"message-request\" data-conversation=\"{bob_conversation}\""
            )),
            "{page}"
        );
        let home = ana.page("/").await;
        assert!(home.contains(r#"id="messages-count""#), "{home}");

        // Ana accepts (the plain form): an ordinary conversation, both
        // messages shown; a second answer is refused.
        let accepted = ana
            .submit(
                "/conversations",
                &format!("/conversations/{bob_conversation}/request"),
                &[("action", "accept")],
            )
            .await;
        assert_eq!(accepted.status, 303, "{}", accepted.text);
        assert!(requests(&ana).await.is_empty());
        let with_bob = listed_conversation(&ana, "Bob").await.expect("accepted");
        assert_eq!(with_bob["state"], "joined");
        assert_eq!(messages(&ana, bob_conversation).await.len(), 2);
        ana.post(
            &format!("/api/v1/conversations/{bob_conversation}/accept-request"),
            json!({}),
        )
        .await
        .expect_error(409, "no_message_request");
        // Its page: named after Bob, his messages, nothing to invite.
        let page = ana
            .page(&format!("/conversations/{bob_conversation}"))
            .await;
        assert!(page.contains("sur votre séquence"), "{page}");
        assert!(page.contains("Conversation directe"), "{page}");
        assert!(!page.contains("/invite\""), "{page}");
        // Two people only: nobody is invited or removed.
        ana.post(
            &format!("/api/v1/conversations/{bob_conversation}/invite"),
            json!({"handle": "cleo"}),
        )
        .await
        .expect_error(409, "direct_conversation");

        // Ana answers: Bob's inbox gets a Create of a Note as Mastodon
        // shows a direct message, signed by Ana.
        ana.post(
            &format!("/api/v1/conversations/{bob_conversation}/messages"),
            json!({"body": "Avec plaisir, *Bob*"}),
        )
        .await
        .expect(201);
        let got = delivered(&here, &received, "bob").await;
        assert_eq!(got.len(), 1, "{got:?}");
        let (signature, create) = &got[0];
        assert!(
            signature.contains(&format!("keyId=\"{ana_id}#main-key\"")),
            "{signature}"
        );
        assert_eq!(create["type"], "Create", "{create}");
        assert_eq!(create["actor"], ana_id);
        assert_eq!(create["to"], json!([bob.id()]), "{create}");
        assert_eq!(create["cc"], json!([]), "{create}");
        let note = &create["object"];
        assert_eq!(note["type"], "Note", "{note}");
        assert_eq!(note["attributedTo"], ana_id);
        assert_eq!(note["to"], json!([bob.id()]));
        assert_eq!(note["cc"], json!([]));
        assert_eq!(
            note["tag"],
            json!([{"type": "Mention", "href": bob.id(), "name": format!("@bob@{host}")}])
        );
        let content = note["content"].as_str().unwrap();
        assert!(
            content.starts_with(&format!(
                "<p><span class=\"h-card\"><a href=\"{}\" class=\"u-url mention\">@<span>bob</span></a></span> Avec plaisir, <em>Bob</em>",
                bob.id()
            )),
            "{content}"
        );
        assert_eq!(note["inReplyTo"], format!("{}/statuses/11", bob.id()));
        assert_eq!(
            note["conversation"],
            "tag:localhost,2026-12-04:objectId=11:objectType=Conversation"
        );
        let note_id = note["id"].as_str().unwrap().to_string();
        println!("captured direct reply: {create:#}");

        // Edited: an Update; deleted: a Delete of a Tombstone.
        let lines = listed_lines(&ana, bob_conversation).await;
        let mine = lines
            .iter()
            .find(|l| {
                l["kind"] == "message" && l["person"]["handle"] == format!("ana@{}", here.domain)
            })
            .unwrap_or_else(|| panic!("{lines:?}"))["id"]
            .as_i64()
            .unwrap();
        ana.call(
            reqwest::Method::PUT,
            &format!("/api/v1/conversations/{bob_conversation}/messages/{mine}"),
            Some(json!({"body": "Avec grand plaisir"})),
        )
        .await;
        ana.call(
            reqwest::Method::DELETE,
            &format!("/api/v1/conversations/{bob_conversation}/messages/{mine}"),
            None,
        )
        .await;
        let got = delivered(&here, &received, "bob").await;
        assert_eq!(got.len(), 3, "{got:?}");
        // Delivered in any order: each is found by its type.
        let of_type = |kind: &str| {
            got.iter()
                .map(|(_, body)| body)
                .find(|body| body["type"] == kind)
                .unwrap_or_else(|| panic!("no {kind} in {got:?}"))
        };
        let update = of_type("Update");
        assert_eq!(update["type"], "Update", "{update}");
        assert_eq!(update["object"]["id"], note_id.as_str());
        assert!(update["object"]["content"]
            .as_str()
            .unwrap()
            .contains("Avec grand plaisir"));
        let delete = of_type("Delete");
        assert_eq!(delete["type"], "Delete", "{delete}");
        assert_eq!(delete["to"], json!([bob.id()]));
        assert_eq!(delete["object"]["type"], "Tombstone", "{delete}");
        assert_eq!(delete["object"]["id"], note_id.as_str());

        // Ignored: hidden, and Dave's later messages too, unnotified.
        let note = dave.direct_note("20", &ana_id, &ana_handle, "Coucou");
        assert_eq!(dave.send(&inbox, &note).await.status, 202);
        let dave_conversation = requests(&ana).await[0]["conversation_id"].as_i64().unwrap();
        let notifications_before = ana.get_json("/api/v1/notifications").await["items"]
            .as_array()
            .map(Vec::len);
        ana.post(
            &format!("/api/v1/conversations/{dave_conversation}/ignore"),
            json!({}),
        )
        .await
        .expect(204);
        let again = dave.direct_note("21", &ana_id, &ana_handle, "Vous êtes là ?");
        assert_eq!(dave.send(&inbox, &again).await.status, 202);
        assert!(requests(&ana).await.is_empty());
        assert!(listed_conversation(&ana, "Dave").await.is_none());
        let notifications_after = ana.get_json("/api/v1/notifications").await["items"]
            .as_array()
            .map(Vec::len);
        assert_eq!(notifications_before, notifications_after);
        ana.post(
            &format!("/api/v1/conversations/{dave_conversation}/ignore"),
            json!({}),
        )
        .await
        .expect_error(409, "no_message_request");

        // Blocked: Eve's message is dropped.
        ana.post(&format!("/api/v1/blocks/eve@{host}"), json!({}))
            .await
            .expect(200);
        let note = eve.direct_note("30", &ana_id, &ana_handle, "Bonjour");
        assert_eq!(eve.send(&inbox, &note).await.status, 202);
        assert!(requests(&ana).await.is_empty());
        assert!(listed_conversation(&ana, "Eve").await.is_none());
        let eve_row = here.known_actor(&eve.id()).await;
        let ana_row = here
            .store()
            .local_actor_by_name("ana")
            .await
            .unwrap()
            .unwrap();
        assert!(here
            .store()
            .message_requests(ana_row.id)
            .await
            .unwrap()
            .iter()
            .all(|r| r.person.id != eve_row.id));

        // Cleo may not use messages here: accepted and dropped.
        let cleo_id = here.url("/users/cleo");
        let note = bob.direct_note("40", &cleo_id, &format!("@cleo@{}", here.domain), "Bonjour");
        assert_eq!(bob.send(&inbox, &note).await.status, 202);
        let cleo_row = here
            .store()
            .local_actor_by_name("cleo")
            .await
            .unwrap()
            .unwrap();
        assert!(here
            .store()
            .conversations_of(cleo_row.id)
            .await
            .unwrap()
            .is_empty());
        assert_eq!(
            here.store()
                .message_request_count(cleo_row.id)
                .await
                .unwrap(),
            0
        );
        cleo.get("/api/v1/conversations/requests")
            .await
            .expect_error(403, "messaging_not_allowed");

        // A public mention, or a post to followers, is no direct message.
        let mut public = bob.direct_note("50", &ana_id, &ana_handle, "En public");
        public["to"] = json!(["https://www.w3.org/ns/activitystreams#Public"]);
        public["cc"] = json!([ana_id]);
        public["object"]["to"] = public["to"].clone();
        public["object"]["cc"] = public["cc"].clone();
        let mut followers = bob.direct_note("51", &ana_id, &ana_handle, "Abonnés");
        followers["to"] = json!([format!("{}/followers", bob.id())]);
        followers["cc"] = json!([ana_id]);
        followers["object"]["to"] = followers["to"].clone();
        followers["object"]["cc"] = followers["cc"].clone();
        for activity in [public, followers] {
            assert_eq!(bob.send(&inbox, &activity).await.status, 202);
        }
        assert_eq!(messages(&ana, bob_conversation).await.len(), 2);
        assert!(requests(&ana).await.is_empty());

        // Pleroma's chat: a request too; the answer is a ChatMessage.
        let chat = frank.chat_message("60", &ana_id, "Salut !");
        assert_eq!(frank.send(&inbox, &chat).await.status, 202);
        let waiting = requests(&ana).await;
        assert_eq!(waiting.len(), 1, "{waiting:?}");
        let frank_conversation = waiting[0]["conversation_id"].as_i64().unwrap();
        ana.post(
            &format!("/api/v1/conversations/{frank_conversation}/accept-request"),
            json!({}),
        )
        .await
        .expect(204);
        ana.post(
            &format!("/api/v1/conversations/{frank_conversation}/messages"),
            json!({"body": "Bonjour Frank"}),
        )
        .await
        .expect(201);
        let got = delivered(&here, &received, "frank").await;
        assert_eq!(got.len(), 1, "{got:?}");
        let chat = &got[0].1;
        assert_eq!(chat["type"], "Create");
        assert_eq!(chat["to"], json!([frank.id()]));
        assert_eq!(chat["object"]["type"], "ChatMessage", "{chat}");
        assert_eq!(chat["object"]["to"], json!([frank.id()]));
        assert!(chat["object"]["content"]
            .as_str()
            .unwrap()
            .starts_with("<p>Bonjour Frank</p>"));
        assert!(chat["object"].get("tag").is_none(), "{chat}");
        println!("captured chat reply: {chat:#}");

        // Carol's conversation answered too (a contact's): to her only.
        ana.post(
            &format!("/api/v1/conversations/{carol_conversation}/messages"),
            json!({"body": "Bonjour Carol"}),
        )
        .await
        .expect(201);
        let got = delivered(&here, &received, "carol").await;
        let creates: Vec<&Value> = got
            .iter()
            .map(|(_, body)| body)
            .filter(|b| b["type"] == "Create")
            .collect();
        assert_eq!(creates.len(), 1, "{got:?}");
        assert_eq!(
            creates[0]["object"]["inReplyTo"],
            format!("{}/statuses/1", carol.id())
        );

        // Bob edits his first message and deletes his second: Ana reads
        // the new text, and no more the deleted one. Carol cannot delete
        // Bob's message.
        let mut edit = bob.direct_note(
            "10",
            &ana_id,
            &ana_handle,
            "Bonjour, une question (corrigée)",
        );
        edit["type"] = json!("Update");
        edit["id"] = json!(format!("{}/statuses/10#updates/1", bob.id()));
        assert_eq!(bob.send(&inbox, &edit).await.status, 202);
        let forged = json!({
            "@context": "https://www.w3.org/ns/activitystreams",
            "id": format!("{}/statuses/11#delete", carol.id()),
            "type": "Delete",
            "actor": carol.id(),
            "to": [ana_id],
            "object": format!("{}/statuses/11", bob.id()),
        });
        assert_eq!(carol.send(&inbox, &forged).await.status, 202);
        assert_eq!(messages(&ana, bob_conversation).await.len(), 2);
        let delete = json!({
            "@context": "https://www.w3.org/ns/activitystreams",
            "id": format!("{}/statuses/11#delete", bob.id()),
            "type": "Delete",
            "actor": bob.id(),
            "to": [ana_id],
            "object": {"id": format!("{}/statuses/11", bob.id()), "type": "Tombstone"},
        });
        assert_eq!(bob.send(&inbox, &delete).await.status, 202);
        assert_eq!(
            messages(&ana, bob_conversation).await,
            ["<p>Bonjour, une question (corrigée)</p>"]
        );
        here.stop().await;
    }
}
