//! A direct message to several people (Mastodon's "mentioned people
//! only"): to two teachers here and a person of another server. It is one
//! conversation of its thread, shared by the two teachers, whose
//! participants are the people addressed; the sender's contact takes part
//! at once, the other teacher finds it in "Demandes de message". A
//! teacher's answer goes to every other participant elsewhere, addressed
//! to all with a `Mention` of each; the sender's `Update` and `Delete`
//! reach what both teachers read; replays change nothing; a later message
//! of the thread to one teacher only is not read by the other. On both
//! engines.

use super::direct_messages::{delivered, fediverse_beside, messages, requests, Remote};
use super::support::conversations::joined;
use super::support::{client::Client, *};
use serde_json::{json, Value};

impl Remote<'_> {
    /// Mastodon's direct `Note` `n` to `people` (id, `@user@host`): `to`
    /// them all, a `Mention` and a leading mention link of each, in the
    /// Mastodon conversation `thread`, answering `in_reply_to`.
    pub(crate) fn note_to(
        &self,
        n: &str,
        people: &[(&str, &str)],
        text: &str,
        thread: &str,
        in_reply_to: Option<&str>,
    ) -> Value {
        let links: Vec<String> = people
            .iter()
            .map(|(id, handle)| {
                let name = handle.trim_start_matches('@').split('@').next().unwrap();
                format!(
                    "<span class=\"h-card\" translate=\"no\"><a href=\"{id}\" class=\"u-url mention\">@<span>{name}</span></a></span>"
                )
            })
            .collect();
        let to: Vec<&str> = people.iter().map(|(id, _)| *id).collect();
        let tags: Vec<Value> = people
            .iter()
            .map(|(id, handle)| json!({"type": "Mention", "href": id, "name": handle}))
            .collect();
        self.create(
            n,
            json!({
                "id": format!("{}/statuses/{n}", self.id()),
                "type": "Note",
                "inReplyTo": in_reply_to,
                "published": "2026-12-04T20:00:00Z",
                "attributedTo": self.id(),
                "to": to,
                "cc": [],
                "conversation": thread,
                "content": format!("<p>{} {text}</p>", links.join(" ")),
                "tag": tags,
                "attachment": [],
            }),
        )
    }
}

/// The ids of `client`'s conversations (any state) whose name starts
/// with `start`, in the list's order.
async fn conversations_named(client: &Client<'_>, start: &str) -> Vec<i64> {
    let list = client.get_json("/api/v1/conversations").await;
    list["conversations"]
        .as_array()
        .unwrap_or_else(|| panic!("{list}"))
        .iter()
        .filter(|c| c["name"].as_str().unwrap_or_default().starts_with(start))
        .map(|c| c["id"].as_i64().unwrap())
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_direct_message_to_several_people_is_one_conversation_of_its_thread() {
    for engine in engines() {
        let here = start_fast(engine, None, |_| {}).await;
        let ana = Client::teacher(&here, "ana", false).await;
        let bea = Client::teacher(&here, "bea", false).await;
        let cleo = Client::teacher(&here, "cleo", false).await;
        let (origin, received, pem) = fediverse_beside(&here).await;
        let host = origin.trim_start_matches("http://").to_string();
        let inbox = here.url("/inbox");
        let person = |name| Remote {
            origin: &origin,
            name,
            pem: &pem,
        };
        let (bob, carl) = (person("bob"), person("carl"));
        let (ana_id, bea_id) = (here.url("/users/ana"), here.url("/users/bea"));
        let ana_to = (ana_id.as_str(), format!("@ana@{}", here.domain));
        let bea_to = (bea_id.as_str(), format!("@bea@{}", here.domain));
        let (bob_id, carl_id) = (bob.id(), carl.id());
        let bob_to = (bob_id.as_str(), format!("@bob@{host}"));
        let carl_to = (carl_id.as_str(), format!("@carl@{host}"));
        let to = |people: &[&(&str, String)]| -> Vec<(String, String)> {
            people
                .iter()
                .map(|(id, handle)| (id.to_string(), handle.clone()))
                .collect()
        };
        let thread = "tag:localhost,2026-12-05:objectId=100:objectType=Conversation";
        let note = |from: &Remote<'_>, n: &str, people: &[(String, String)], text, reply| {
            let people: Vec<(&str, &str)> = people
                .iter()
                .map(|(id, handle)| (id.as_str(), handle.as_str()))
                .collect();
            from.note_to(n, &people, text, thread, reply)
        };
        // Bob is Bea's contact, not Ana's.
        bob.become_contact_of(&bea, &inbox, &bea_id).await;

        // Bob writes to Ana, Bea and Carl; the replay changes nothing.
        let all = to(&[&ana_to, &bea_to, &carl_to]);
        let first = note(&bob, "100", &all, "Bonjour à tous", None);
        assert_eq!(bob.send(&inbox, &first).await.status, 202);
        assert_eq!(bob.send(&inbox, &first).await.status, 202);

        // Bea takes part at once; Ana is asked, in the same conversation.
        let list = bea.get_json("/api/v1/conversations").await;
        let shared = list["conversations"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["name"].as_str().unwrap_or_default().starts_with("Bob, "))
            .unwrap_or_else(|| panic!("{list}"));
        assert_eq!(shared["state"], "joined", "{shared}");
        let id = shared["id"].as_i64().unwrap();
        assert!(
            ["ana", "bea", "Carl"]
                .iter()
                .all(|n| shared["name"].as_str().unwrap().contains(n)),
            "{shared}"
        );
        assert_eq!(messages(&bea, id).await, ["<p>Bonjour à tous</p>"]);
        let everyone = vec![
            format!("ana@{}", here.domain),
            format!("bea@{}", here.domain),
            format!("bob@{host}"),
            format!("carl@{host}"),
        ];
        // Ana, asked, is listed once she has accepted.
        assert_eq!(joined(&bea, id).await, everyone[1..]);
        let waiting = requests(&ana).await;
        assert_eq!(waiting.len(), 1, "{waiting:?}");
        assert_eq!(waiting[0]["conversation_id"], id);
        assert_eq!(waiting[0]["person"]["handle"], format!("bob@{host}"));
        assert_eq!(waiting[0]["messages"], 1);
        // Cleo, not addressed, reads nothing of it.
        cleo.get(&format!("/api/v1/conversations/{id}/messages"))
            .await
            .expect_error(404, "not_found");

        // Ana accepts and answers: Bob and Carl each receive it once,
        // addressed to the three others with a Mention of each, in reply
        // to Bob's note, in his conversation; Bea reads it here.
        ana.post(
            &format!("/api/v1/conversations/{id}/accept-request"),
            json!({}),
        )
        .await
        .expect(204);
        for teacher in [&ana, &bea] {
            assert_eq!(joined(teacher, id).await, everyone);
        }
        ana.post(
            &format!("/api/v1/conversations/{id}/messages"),
            json!({"body": "Merci Bob"}),
        )
        .await
        .expect(201);
        let creates = |got: Vec<(String, Value)>| -> Vec<(String, Value)> {
            got.into_iter()
                .filter(|(_, b)| b["type"] == "Create")
                .collect()
        };
        let to_bob = creates(delivered(&here, &received, "bob").await);
        let to_carl = creates(delivered(&here, &received, "carl").await);
        assert_eq!(to_bob.len(), 1, "{to_bob:?}");
        assert_eq!(to_carl.len(), 1, "{to_carl:?}");
        let (signature, create) = &to_bob[0];
        assert!(
            signature.contains(&format!("keyId=\"{ana_id}#main-key\"")),
            "{signature}"
        );
        assert_eq!(&to_carl[0].1, create);
        let sorted = |value: &Value| {
            let mut items: Vec<String> = value
                .as_array()
                .unwrap_or_else(|| panic!("{value}"))
                .iter()
                .map(|v| v.as_str().map_or_else(|| v.to_string(), str::to_string))
                .collect();
            items.sort();
            items
        };
        let mut others = vec![bea_id.clone(), bob.id(), carl.id()];
        others.sort();
        assert_eq!(sorted(&create["to"]), others, "{create}");
        assert_eq!(create["cc"], json!([]), "{create}");
        let reply = &create["object"];
        assert_eq!(reply["type"], "Note", "{reply}");
        assert_eq!(sorted(&reply["to"]), others, "{reply}");
        assert_eq!(reply["cc"], json!([]), "{reply}");
        let mut mentions: Vec<(String, String)> = reply["tag"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| {
                assert_eq!(t["type"], "Mention", "{t}");
                (
                    t["href"].as_str().unwrap().to_string(),
                    t["name"].as_str().unwrap().to_string(),
                )
            })
            .collect();
        mentions.sort();
        let mut expected = to(&[&bea_to, &bob_to, &carl_to]);
        expected.sort();
        assert_eq!(mentions, expected);
        let content = reply["content"].as_str().unwrap();
        for (person, name) in [(&bea_id, "bea"), (&bob_id, "bob"), (&carl_id, "carl")] {
            assert!(
                content.contains(&format!(
                    "<a href=\"{person}\" class=\"u-url mention\">@<span>{name}</span></a>"
                )),
                "{content}"
            );
        }
        assert!(content.contains("Merci Bob"), "{content}");
        assert_eq!(reply["inReplyTo"], format!("{bob_id}/statuses/100"));
        assert_eq!(reply["conversation"], thread);
        let reply_id = reply["id"].as_str().unwrap().to_string();
        assert_eq!(messages(&bea, id).await.len(), 2);
        println!("captured group reply: {create:#}");

        // Carl answers Ana's reply, to everyone: the same conversation.
        let carl_all = to(&[&ana_to, &bea_to, &bob_to]);
        let answer = note(&carl, "7", &carl_all, "Moi aussi", Some(&reply_id));
        assert_eq!(carl.send(&inbox, &answer).await.status, 202);
        for teacher in [&ana, &bea] {
            let read = messages(teacher, id).await;
            assert_eq!(read.len(), 3, "{read:?}");
            assert_eq!(read[2], "<p>Moi aussi</p>");
        }

        // Bob edits his note: both teachers read the new text. He deletes
        // it: gone for both; the replay changes nothing.
        let mut edit = note(&bob, "100", &all, "Bonjour à toutes et tous", None);
        edit["type"] = json!("Update");
        edit["id"] = json!(format!("{bob_id}/statuses/100#updates/1"));
        assert_eq!(bob.send(&inbox, &edit).await.status, 202);
        for teacher in [&ana, &bea] {
            assert_eq!(
                messages(teacher, id).await[0],
                "<p>Bonjour à toutes et tous</p>"
            );
        }
        let delete = json!({
            "@context": "https://www.w3.org/ns/activitystreams",
            "id": format!("{bob_id}/statuses/100#delete"),
            "type": "Delete",
            "actor": bob_id,
            "to": [ana_id, bea_id, carl_id],
            "object": {"id": format!("{bob_id}/statuses/100"), "type": "Tombstone"},
        });
        assert_eq!(bob.send(&inbox, &delete).await.status, 202);
        assert_eq!(bob.send(&inbox, &delete).await.status, 202);
        for teacher in [&ana, &bea] {
            let read = messages(teacher, id).await;
            assert_eq!(read.len(), 2, "{read:?}");
            assert!(read.iter().all(|m| !m.contains("Bonjour")), "{read:?}");
        }

        // Bob writes in the thread to Ana alone: not in the shared
        // conversation (Bea never reads what was not for her), but in
        // Ana's own with Bob, where she is asked.
        let ana_only = to(&[&ana_to]);
        let aside = note(&bob, "101", &ana_only, "Rien que pour vous", None);
        assert_eq!(bob.send(&inbox, &aside).await.status, 202);
        assert_eq!(messages(&bea, id).await.len(), 2);
        let waiting = requests(&ana).await;
        assert_eq!(waiting.len(), 1, "{waiting:?}");
        assert_ne!(waiting[0]["conversation_id"], id);
        assert_eq!(waiting[0]["last_html"], "<p>Rien que pour vous</p>");

        // A message of the same thread to Bea and Carl only (not Ana):
        // a conversation of its own, which Ana never reads.
        let bea_carl = to(&[&bea_to, &carl_to]);
        let side = note(&bob, "102", &bea_carl, "Entre nous", None);
        assert_eq!(bob.send(&inbox, &side).await.status, 202);
        let of_bea = conversations_named(&bea, "Bob, ").await;
        assert_eq!(of_bea.len(), 2, "{of_bea:?}");
        let side_conversation = of_bea.iter().find(|c| **c != id).unwrap();
        assert_eq!(
            messages(&bea, *side_conversation).await,
            ["<p>Entre nous</p>"]
        );
        assert_eq!(conversations_named(&ana, "Bob, ").await, [id]);
        assert_eq!(messages(&ana, id).await.len(), 2);
        here.stop().await;
    }
}
