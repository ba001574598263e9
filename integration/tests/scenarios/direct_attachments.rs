//! The attachments of a direct message from another server (Mastodon's
//! `Document`/`Image`, shaped as in the fixture
//! `mastodon/mobilizon-test-fixtures/mastodon-status-2.json`): the API
//! gives them with the message, the page shows them as links to their
//! server (no image loaded from it), and a link that is not http(s)
//! (`javascript:`, `data:`) is dropped. On both engines.

use super::direct_messages::{fediverse_beside, Remote};
use super::support::conversations::listed_conversation;
use super::support::{client::Client, *};
use serde_json::json;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn attachments_of_a_direct_message_are_shown_as_links() {
    for engine in engines() {
        let here = start_fast(engine, None, |_| {}).await;
        let ana = Client::teacher(&here, "ana", false)
            .await
            .log_in_pages("ana")
            .await;
        let (origin, _received, pem) = fediverse_beside(&here).await;
        let inbox = here.url("/inbox");
        let ana_id = here.url("/users/ana");
        let bob = Remote {
            origin: &origin,
            name: "bob",
            pem: &pem,
        };
        bob.become_contact_of(&ana, &inbox, &ana_id).await;
        let image = "https://files.example/media_attachments/files/003/337/144/original/39d457fd9e0f0171.jpg";
        let mut note = bob.create(
            "1",
            json!({
                "id": format!("{}/statuses/1", bob.id()),
                "type": "Note",
                "attributedTo": bob.id(),
                "to": [ana_id],
                "cc": [],
                "content": "<p>Voici les documents</p>",
                "tag": [{"type": "Mention", "href": ana_id, "name": format!("@ana@{}", here.domain)}],
            }),
        );
        note["object"]["attachment"] = json!([
            {"type": "Document", "mediaType": "image/jpeg", "url": image, "name": null,
             "blurhash": "UIF=jrpIM|~q~VT0%2t6Ne9a?G-;9ZRP%2Rk"},
            {"type": "Document", "mediaType": "application/pdf",
             "url": "https://files.example/s%C3%A9quence.pdf", "name": "Séquence <b>5e</b>"},
            {"type": "Document", "url": "javascript:alert(1)", "name": "piège"},
            {"type": "Image", "mediaType": "image/png", "url": "data:image/png;base64,AAAA", "name": "pixel"},
        ]);
        assert_eq!(bob.send(&inbox, &note).await.status, 202);
        let id = listed_conversation(&ana, "Bob")
            .await
            .expect("a conversation")["id"]
            .as_i64()
            .unwrap();

        // The API: the two http(s) links, named, the others dropped.
        let lines = ana
            .get_json(&format!("/api/v1/conversations/{id}/messages"))
            .await;
        let message = lines["lines"]
            .as_array()
            .unwrap()
            .iter()
            .find(|l| l["kind"] == "message")
            .unwrap_or_else(|| panic!("{lines}"));
        assert_eq!(
            message["attachments"],
            json!([
                {"url": image, "media_type": "image/jpeg", "name": "39d457fd9e0f0171.jpg"},
                {"url": "https://files.example/s%C3%A9quence.pdf", "media_type": "application/pdf",
                 "name": "Séquence <b>5e</b>"},
            ]),
            "{message}"
        );

        // The page: links, escaped, no image loaded, nothing else.
        // (The templates escape `/` as `&#x2f;`, which browsers read as `/`.)
        let page = ana
            .page(&format!("/conversations/{id}"))
            .await
            .replace("&#x2f;", "/");
        assert!(
            page.contains(&format!(
                "<a href=\"{image}\" rel=\"nofollow noopener noreferrer\" referrerpolicy=\"no-referrer\">39d457fd9e0f0171.jpg</a>"
            )),
            "{page}"
        );
        assert!(page.contains("Séquence &lt;b&gt;5e&lt;/b&gt;"), "{page}");
        assert!(page.contains("Pièces jointes"), "{page}");
        assert!(!page.contains("<img src=\"https://files.example"), "{page}");
        for dropped in ["javascript:", "data:image", "piège", "pixel"] {
            assert!(!page.contains(dropped), "{dropped} in {page}");
        }
        here.stop().await;
    }
}
