//! Conversations between teachers of one instance, as the ENT chat manual
//! describes them: named at creation with a contact, invitations to
//! accept, invitations by a non-creator, removal by the creator only,
//! join and leave lines, the removed teacher's warning, a newcomer sees
//! from their arrival on, unread counts, editing and deleting one's own
//! messages, export, and privacy (a non-participant, an admin, an
//! anonymous caller all refused). On both engines.

use super::support::{
    client::Client,
    conversations::{bodies, has_timed_line, listed_lines, until_listed},
    *,
};
use serde_json::{json, Value};

/// Makes `a` and `b` (teachers of one instance) contacts through the API.
pub(crate) use super::support::contacts::make_local_contacts as make_contacts;

/// The local actor id of `name`.
async fn actor_id(instance: &TestInstance, name: &str) -> i64 {
    instance
        .store()
        .local_actor_by_name(name)
        .await
        .unwrap()
        .unwrap()
        .id
        .0
}

/// The kinds of `client`'s notifications.
async fn notification_kinds(client: &Client<'_>) -> Vec<String> {
    let list = client.get_json("/api/v1/notifications").await;
    list["items"]
        .as_array()
        .unwrap_or_else(|| panic!("{list}"))
        .iter()
        .map(|n| n["kind"].as_str().unwrap().to_string())
        .collect()
}

/// The kinds of the lines `client` sees.
async fn line_kinds(client: &Client<'_>, id: i64) -> Vec<String> {
    listed_lines(client, id)
        .await
        .iter()
        .map(|l| l["kind"].as_str().unwrap().to_string())
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn teachers_chat_in_a_named_conversation() {
    for engine in engines() {
        let instance = start_fast(engine, None, |_| {}).await;
        let anna = Client::teacher(&instance, "anna", false)
            .await
            .log_in_pages("anna")
            .await;
        let bea = Client::teacher(&instance, "bea", false)
            .await
            .log_in_pages("bea")
            .await;
        let carl = Client::teacher(&instance, "carl", false)
            .await
            .log_in_pages("carl")
            .await;
        let dora = Client::teacher(&instance, "dora", false)
            .await
            .log_in_pages("dora")
            .await;
        let root = Client::teacher(&instance, "lucie", true)
            .await
            .log_in_pages("lucie")
            .await;
        make_contacts(&anna, &bea, "bea").await;
        make_contacts(&bea, &carl, "carl").await;
        make_contacts(&anna, &carl, "carl").await;
        let bea_id = actor_id(&instance, "bea").await;
        let carl_id = actor_id(&instance, "carl").await;
        let dora_id = actor_id(&instance, "dora").await;

        // Only contacts can be invited; a name is required.
        anna.post(
            "/api/v1/conversations",
            json!({"name": "Sortie", "participants": ["dora"]}),
        )
        .await
        .expect_error(403, "invitee_not_a_contact");
        anna.post(
            "/api/v1/conversations",
            json!({"name": "  ", "participants": ["bea"]}),
        )
        .await
        .expect_error(422, "field_required");
        anna.post(
            "/api/v1/conversations",
            json!({"name": "Sortie", "participants": []}),
        )
        .await
        .expect_error(422, "field_required");
        // An informal instance's teacher cannot open an institutional one.
        anna.post(
            "/api/v1/conversations",
            json!({"name": "Sortie", "participants": ["bea"], "min_level": "institutional"}),
        )
        .await
        .expect_error(403, "conversation_level_too_low");
        // The form refuses the same, with the message in the page.
        let refused = anna
            .submit(
                "/conversations",
                "/conversations",
                &[("name", "Sortie"), ("participants", &dora_id.to_string())],
            )
            .await;
        assert_eq!(refused.status, 403, "{}", refused.text);
        assert!(
            refused.text.contains("Seuls vos contacts"),
            "{}",
            refused.text
        );

        // Anna starts "Sortie au musée" with Bea, from the form.
        let created = anna
            .submit(
                "/conversations",
                "/conversations",
                &[
                    ("name", "Sortie au musée"),
                    ("participants", &bea_id.to_string()),
                ],
            )
            .await;
        assert_eq!(created.status, 303, "{}", created.text);
        let path = created.location.clone().unwrap();
        let id: i64 = path.rsplit('/').next().unwrap().parse().unwrap();
        let page = anna.page(&path).await;
        assert!(
            page.contains("Conversation « Sortie au musée » créée"),
            "{page}"
        );
        assert!(
            page.contains("Le salon de discussion est verrouillé"),
            "{page}"
        );
        assert!(
            page.contains("Le salon de discussion est maintenant déverrouillé"),
            "{page}"
        );
        assert_eq!(line_kinds(&anna, id).await, ["locked", "unlocked"]);

        // Bea is invited: she must accept before reading anything.
        let list = bea.page("/conversations").await;
        assert!(
            list.contains("anna vous invite à la conversation « Sortie au musée »"),
            "{list}"
        );
        assert!(
            list.contains("Accepter") && list.contains("Refuser"),
            "{list}"
        );
        assert!(
            notification_kinds(&bea)
                .await
                .contains(&"conversation_invitation".to_string()),
            "Bea is notified of the invitation"
        );
        bea.get(&format!("/api/v1/conversations/{id}/messages"))
            .await
            .expect_error(403, "not_conversation_participant");
        bea.post(
            &format!("/api/v1/conversations/{id}/messages"),
            json!({"body": "trop tôt"}),
        )
        .await
        .expect_error(403, "not_conversation_participant");
        // Said before Bea arrives: she will not see it.
        anna.post(
            &format!("/api/v1/conversations/{id}/messages"),
            json!({"body": "Avant l'arrivée de Bea"}),
        )
        .await
        .expect(201);
        let accepted = bea
            .submit(
                "/conversations",
                &format!("/conversations/{id}/answer"),
                &[("action", "accept")],
            )
            .await;
        assert_eq!(accepted.status, 303, "{}", accepted.text);
        let page = bea.page(&path).await;
        assert!(
            has_timed_line(&page, "bea a rejoint la conversation | "),
            "{page}"
        );
        assert!(!page.contains("Avant l&#x27;arrivée") && !page.contains("Avant l'arrivée"));
        assert!(bodies(&bea, id).await.is_empty());
        bea.post(&format!("/api/v1/conversations/{id}/accept"), json!({}))
            .await
            .expect_error(409, "no_conversation_invitation");

        // Messages: Markdown emphasis and links, emoji as text; unread
        // counts until read.
        let sent = anna
            .submit(
                &path,
                &format!("/conversations/{id}/messages"),
                &[(
                    "body",
                    "Rendez-vous *devant* le musée 😀 https://example.org",
                )],
            )
            .await;
        assert_eq!(sent.status, 303, "{}", sent.text);
        let listed = bea.get_json("/api/v1/conversations").await;
        assert_eq!(listed["unread"], 1, "{listed}");
        assert_eq!(listed["conversations"][0]["unread"], 1, "{listed}");
        let list = bea.page("/conversations").await;
        assert!(list.contains("1 message non lu"), "{list}");
        assert!(
            list.contains(r#"id="messages-count" aria-hidden="true">1<"#),
            "{list}"
        );
        let page = bea.page(&path).await;
        assert!(page.contains("<em>devant</em>"), "{page}");
        assert!(page.contains("😀"), "{page}");
        assert_eq!(bea.get_json("/api/v1/conversations").await["unread"], 0);

        // Bea, not the creator, invites her contact Carl; Carl accepts.
        bea.post(
            &format!("/api/v1/conversations/{id}/invite"),
            json!({"handle": "dora"}),
        )
        .await
        .expect_error(403, "invitee_not_a_contact");
        let invited = bea
            .submit(
                &path,
                &format!("/conversations/{id}/invite"),
                &[("person", &carl_id.to_string())],
            )
            .await;
        assert_eq!(invited.status, 303, "{}", invited.text);
        bea.post(
            &format!("/api/v1/conversations/{id}/invite"),
            json!({"handle": "carl"}),
        )
        .await
        .expect_error(409, "already_invited");
        carl.post(&format!("/api/v1/conversations/{id}/accept"), json!({}))
            .await
            .expect(200);
        let own = carl
            .post(
                &format!("/api/v1/conversations/{id}/messages"),
                json!({"body": "Bonjour, c'est Carl"}),
            )
            .await
            .expect(201);
        let carl_line = own["id"].as_i64().unwrap();
        assert_eq!(bodies(&carl, id).await, ["Bonjour, c'est Carl"]);

        // Edit and delete: one's own messages only.
        anna.call(
            reqwest::Method::PUT,
            &format!("/api/v1/conversations/{id}/messages/{carl_line}"),
            Some(json!({"body": "faux"})),
        )
        .await
        .expect_error(403, "not_content_author");
        let edited = carl
            .call(
                reqwest::Method::PUT,
                &format!("/api/v1/conversations/{id}/messages/{carl_line}"),
                Some(json!({"body": "Bonjour à **tous**"})),
            )
            .await
            .expect(200);
        assert!(
            edited["html"]
                .as_str()
                .unwrap()
                .contains("Bonjour à <strong>tous</strong>"),
            "{edited}"
        );
        assert!(edited["edited_at"].is_string());
        anna.call(
            reqwest::Method::DELETE,
            &format!("/api/v1/conversations/{id}/messages/{carl_line}"),
            None,
        )
        .await
        .expect_error(403, "not_content_author");
        let deleted = carl
            .submit(
                &format!("/conversations/{id}/messages/{carl_line}/delete"),
                &format!("/conversations/{id}/messages/{carl_line}/delete"),
                &[],
            )
            .await;
        assert_eq!(deleted.status, 303, "{}", deleted.text);
        assert!(anna.page(&path).await.contains("Message supprimé."));
        carl.call(
            reqwest::Method::DELETE,
            &format!("/api/v1/conversations/{id}/messages/{carl_line}"),
            None,
        )
        .await
        .expect_error(410, "post_deleted");

        // Only the creator removes: Bea is refused with a stable code.
        bea.post(
            &format!("/api/v1/conversations/{id}/remove"),
            json!({"handle": "carl"}),
        )
        .await
        .expect_error(403, "not_conversation_creator");
        assert_eq!(
            bea.get(&format!("/conversations/{id}/remove/{carl_id}"))
                .await
                .status,
            403
        );
        anna.post(
            &format!("/api/v1/conversations/{id}/remove"),
            json!({"handle": "anna"}),
        )
        .await
        .expect_error(409, "cannot_remove_self");
        // Anna confirms, then removes Carl.
        let confirm = anna
            .page(&format!("/conversations/{id}/remove/{carl_id}"))
            .await;
        assert!(
            confirm.contains("Renvoyer ce participant de la conversation ?"),
            "{confirm}"
        );
        let removed = anna
            .submit(
                &format!("/conversations/{id}/remove/{carl_id}"),
                &format!("/conversations/{id}/remove/{carl_id}"),
                &[],
            )
            .await;
        assert_eq!(removed.status, 303, "{}", removed.text);
        let page = anna.page(&path).await;
        assert!(
            page.contains("carl a été retiré de la conversation"),
            "{page}"
        );
        assert!(
            has_timed_line(&page, "carl a quitté la conversation : "),
            "{page}"
        );
        assert!(
            notification_kinds(&carl)
                .await
                .contains(&"conversation_removed".to_string()),
            "Carl is notified of his removal"
        );
        let notifications = carl.page("/notifications").await;
        assert!(
            notifications.contains("anna vous a retiré de la conversation Sortie au musée."),
            "{notifications}"
        );
        let warned = carl.page("/conversations").await;
        assert!(
            warned.contains("anna vous a retiré de la conversation Sortie au musée."),
            "{warned}"
        );
        carl.get(&format!("/api/v1/conversations/{id}/messages"))
            .await
            .expect_error(404, "not_found");
        anna.post(
            &format!("/api/v1/conversations/{id}/remove"),
            json!({"handle": "carl"}),
        )
        .await
        .expect_error(409, "not_current_participant");

        // Private: a non-participant, the admin, an anonymous caller.
        for outsider in [&dora, &root] {
            for route in ["", "/messages", "/export"] {
                outsider
                    .get(&format!("/api/v1/conversations/{id}{route}"))
                    .await
                    .expect_error(404, "not_found");
            }
            assert_eq!(outsider.get(&path).await.status, 404);
            assert_eq!(outsider.get(&format!("{path}/export")).await.status, 404);
            outsider
                .post(
                    &format!("/api/v1/conversations/{id}/messages"),
                    json!({"body": "intrus"}),
                )
                .await
                .expect_error(404, "not_found");
            let theirs: Value = outsider.get_json("/api/v1/conversations").await;
            assert_eq!(theirs["conversations"], json!([]), "{theirs}");
        }
        let anonymous = Client::anonymous(&instance);
        anonymous
            .get(&format!("/api/v1/conversations/{id}/messages"))
            .await
            .expect_error(401, "unauthorized");
        assert_eq!(anonymous.get(&path).await.status, 303);
        let admin_page = root.page("/admin").await;
        assert!(!admin_page.contains("Rendez-vous"), "{admin_page}");

        // Export, for a participant.
        let export = anna.get(&format!("{path}/export")).await;
        assert_eq!(export.status, 200);
        assert!(export.content_type.starts_with("text/plain"));
        assert!(export.text.contains("Sortie au musée"), "{}", export.text);
        assert!(
            export
                .text
                .contains("anna : Rendez-vous *devant* le musée 😀"),
            "{}",
            export.text
        );
        assert!(
            export.text.contains("(message supprimé)"),
            "{}",
            export.text
        );
        let api_export = bea.get(&format!("/api/v1/conversations/{id}/export")).await;
        assert_eq!(api_export.status, 200, "{}", api_export.text);
        assert!(!api_export.text.contains("Avant l'arrivée"));

        // Bea leaves, after confirming; Anna sees the line.
        let confirm = bea.page(&format!("{path}/leave")).await;
        assert!(
            confirm.contains("Quitter cette conversation ?"),
            "{confirm}"
        );
        let left = bea
            .submit(&format!("{path}/leave"), &format!("{path}/leave"), &[])
            .await;
        assert_eq!(left.status, 303, "{}", left.text);
        let page = anna.page(&path).await;
        assert!(
            has_timed_line(&page, "bea a quitté la conversation : "),
            "{page}"
        );
        assert_eq!(bea.get(&path).await.status, 404);

        // Declining an invitation.
        let other = anna
            .post(
                "/api/v1/conversations",
                json!({"name": "Conseil", "participants": ["bea@".to_string() + &instance.domain]}),
            )
            .await
            .expect(201);
        let other_id = other["id"].as_i64().unwrap();
        assert_eq!(other["participants"][1]["state"], "invited", "{other}");
        bea.post(
            &format!("/api/v1/conversations/{other_id}/decline"),
            json!({}),
        )
        .await
        .expect(204);
        bea.get(&format!("/api/v1/conversations/{other_id}"))
            .await
            .expect_error(404, "not_found");

        instance.stop().await;
    }
}

/// A teacher of another instance who is an accepted contact is offered
/// and invited; their instance shows the invitation (the rest across
/// instances: `conversation_federation`).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_remote_contact_is_offered_and_invited() {
    for engine in engines() {
        let (here, there) = start_pair(engine).await;
        let anna = Client::teacher(&here, "anna", false)
            .await
            .log_in_pages("anna")
            .await;
        let zoe = Client::teacher(&there, "zoe", false).await;
        let zoe_handle = format!("zoe@{}", there.domain);
        anna.post("/api/v1/contacts", json!({"handle": zoe_handle}))
            .await
            .expect(202);
        let asker = wait_until(std::time::Duration::from_secs(20), || async {
            zoe.get_json("/api/v1/me/requests").await["contacts"]["received"][0]["person"]["id"]
                .as_i64()
        })
        .await
        .expect("Zoe's instance holds the request");
        zoe.post(
            &format!("/api/v1/contacts/{asker}/answer"),
            json!({"accept": true}),
        )
        .await
        .expect(200);
        let anna_id = here.url("/users/anna");
        let zoe_id = there.url("/users/zoe");
        after_delivery(
            &[&here, &there],
            "Anna's instance learns the answer",
            || async {
                let store = here.store();
                let from = store.actor_by_ap_id(&anna_id).await.unwrap().unwrap();
                let to = store.actor_by_ap_id(&zoe_id).await.unwrap().unwrap();
                store.follow(from.id, to.id).await.unwrap().map(|f| f.state)
                    == Some(preau::domain::store::forums::FollowState::Accepted)
            },
        )
        .await;
        // The form offers her.
        let form = anna.page("/conversations").await;
        assert!(form.contains(&zoe_handle), "{form}");
        anna.post(
            "/api/v1/conversations",
            json!({"name": "Entre académies", "participants": [zoe_handle]}),
        )
        .await
        .expect(201);
        until_listed(&[&here, &there], &zoe, "Entre académies", "invited").await;
        here.stop().await;
        there.stop().await;
    }
}

/// A conversation may require a lowest trust level of its participants:
/// on an associative instance, an associative conversation opens and
/// takes its teachers' messages; an institutional one is refused.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_lowest_trust_level_is_checked() {
    for engine in engines() {
        let instance = start_fast(engine, None, |settings| {
            settings.instance.trust_level = preau_federation::TrustLevel::Associative;
        })
        .await;
        let anna = Client::teacher(&instance, "anna", false).await;
        let bea = Client::teacher(&instance, "bea", false).await;
        make_contacts(&anna, &bea, "bea").await;
        anna.post(
            "/api/v1/conversations",
            json!({"name": "Réservée", "participants": ["bea"], "min_level": "institutional"}),
        )
        .await
        .expect_error(403, "conversation_level_too_low");
        anna.post(
            "/api/v1/conversations",
            json!({"name": "Réservée", "participants": ["bea"], "min_level": "ministerial"}),
        )
        .await
        .expect_error(422, "invalid_trust_level");
        let created = anna
            .post(
                "/api/v1/conversations",
                json!({"name": "Associative", "participants": ["bea"], "min_level": "associative"}),
            )
            .await
            .expect(201);
        assert_eq!(created["min_level"], "associative", "{created}");
        let id = created["id"].as_i64().unwrap();
        bea.post(&format!("/api/v1/conversations/{id}/accept"), json!({}))
            .await
            .expect(200);
        bea.post(
            &format!("/api/v1/conversations/{id}/messages"),
            json!({"body": "Bonjour"}),
        )
        .await
        .expect(201);
        instance.stop().await;
    }
}

/// Messaging is the instance's choice (`[messaging]`): restricted to some
/// accounts, the others get `messaging_not_allowed` on every route, no
/// "Messages" link, and cannot be invited; turned off, everyone gets
/// `messaging_off`, pages as the API.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_instance_turns_messaging_off_or_opens_it_to_some_accounts() {
    for engine in engines() {
        let instance = start_fast(engine, None, |settings| {
            settings.messaging.who = preau::config::MessagingAudience::Listed;
            settings.messaging.accounts = vec!["Anna".to_string()];
        })
        .await;
        let anna = Client::teacher(&instance, "anna", false)
            .await
            .log_in_pages("anna")
            .await;
        let bea = Client::teacher(&instance, "bea", false)
            .await
            .log_in_pages("bea")
            .await;
        make_contacts(&anna, &bea, "bea").await;
        for path in [
            "/api/v1/conversations",
            "/api/v1/conversations/1",
            "/api/v1/conversations/1/messages",
        ] {
            bea.call(reqwest::Method::GET, path, None)
                .await
                .expect_error(403, "messaging_not_allowed");
        }
        bea.post(
            "/api/v1/conversations",
            json!({"name": "Essai", "participants": ["anna"]}),
        )
        .await
        .expect_error(403, "messaging_not_allowed");
        anna.post(
            "/api/v1/conversations",
            json!({"name": "Essai", "participants": ["bea"]}),
        )
        .await
        .expect_error(422, "invitee_without_messaging");
        assert!(anna.page("/").await.contains(r#"id="nav-messages""#));
        let home = bea.page("/").await;
        assert!(!home.contains(r#"id="nav-messages""#), "{home}");
        let refused = bea.get("/conversations").await;
        assert_eq!(refused.status, 403, "{}", refused.text);
        assert!(refused
            .text
            .contains(r#"data-error-code="messaging_not_allowed""#));
        instance.stop().await;

        let off = start_fast(engine, None, |settings| {
            settings.messaging.enabled = false;
        })
        .await;
        let anna = Client::teacher(&off, "anna", false)
            .await
            .log_in_pages("anna")
            .await;
        anna.call(reqwest::Method::GET, "/api/v1/conversations", None)
            .await
            .expect_error(403, "messaging_off");
        assert!(!anna.page("/").await.contains(r#"id="nav-messages""#));
        off.stop().await;
    }
}
