//! Searching the forums (issue 13): a reply received from another
//! instance is found, an edit changes what is found, a removed post is
//! not, one forum or all, on both engines.

use super::support::{client::Client, *};
use serde_json::json;
use std::time::Duration;

/// The search page of `instance` for `query` (and `forum`, if any).
async fn search_page(instance: &TestInstance, query: &str, forum: Option<&str>) -> String {
    let mut url = instance.url(&format!("/search?q={}", urlencode(query)));
    if let Some(forum) = forum {
        url.push_str(&format!("&forum={}", urlencode(forum)));
    }
    let answer = Client::stranger().get(&url).await;
    assert_eq!(answer.status, 200, "{}", answer.text);
    answer.text
}

fn urlencode(text: &str) -> String {
    text.bytes()
        .map(|byte| match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' => {
                (byte as char).to_string()
            }
            _ => format!("%{byte:02X}"),
        })
        .collect()
}

/// The links of the results of a search page.
fn result_links(page: &str) -> Vec<String> {
    let Some(list) = page.split("<ol class=\"search-results\">").nth(1) else {
        return Vec::new();
    };
    let list = list.split("</ol>").next().unwrap_or_default();
    list.split("<a href=\"")
        .skip(1)
        .filter_map(|rest| rest.split('"').next())
        .map(|link| link.replace("&#x2f;", "/").replace("&#35;", "#"))
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn forum_search_finds_local_and_received_posts_but_not_removed_ones() {
    for engine in engines() {
        let (academy, association) = start_pair(engine).await;
        let anne = Client::teacher(&academy, "anne", true).await;
        anne.create_forum("maths", "Mathématiques").await;
        anne.create_forum("langues", "Langues vivantes").await;
        let bea = Client::teacher(&association, "bea", false).await;
        bea.follow_forum(&format!("!maths@{}", academy.domain))
            .await;
        deliver_all(&[&academy, &association]).await;

        let thread = anne
            .post_thread(
                "maths",
                "Robotique au collège",
                "Un club de **robotique** le mercredi : vos idées ?",
            )
            .await;
        let thread_id = thread["id"].as_i64().unwrap();
        anne.post_thread("langues", "Jumelage", "Un échange avec des robots anglais.")
            .await;
        let local_reply = anne.reply(thread_id, "Vends voiture, hors sujet.").await["id"]
            .as_i64()
            .unwrap();

        // Bea replies from her instance; the academy stores her reply.
        let remote_path = format!("maths@{}", academy.domain);
        let threads = remote_threads(&[&academy, &association], &bea, &remote_path, 1).await;
        let bea_thread = threads[0]["id"].as_i64().unwrap();
        bea.reply(
            bea_thread,
            "Nous utilisons des cartes micro:bit avec les élèves de 4e.",
        )
        .await;
        after_delivery(
            &[&academy, &association],
            "the academy's search finds Bea's reply",
            || async { result_links(&search_page(&academy, "micro:bit", None).await).len() == 1 },
        )
        .await;
        let found = search_page(&academy, "cartes", None).await;
        assert!(found.contains("<mark>cartes</mark>"), "{found}");
        assert!(
            found.contains("Robotique au coll"),
            "the thread's title: {found}"
        );

        // A prefix, title hits first, in all forums or in one.
        let all = result_links(&search_page(&academy, "robot", None).await);
        assert_eq!(all.len(), 2, "{all:?}");
        assert_eq!(
            all[0],
            format!("/threads/{thread_id}#post-{thread_id}"),
            "the title hit first"
        );
        assert_eq!(
            result_links(&search_page(&academy, "robot", Some("maths")).await).len(),
            1
        );
        // The association finds the thread it received from the academy.
        assert_eq!(
            result_links(&search_page(&association, "robotique", Some(&remote_path)).await).len(),
            1
        );

        // An edit changes what is found.
        assert_eq!(
            result_links(&search_page(&academy, "voiture", None).await).len(),
            1
        );
        let response = anne
            .send(
                anne.build(
                    reqwest::Method::PUT,
                    &format!("/api/v1/posts/{local_reply}"),
                )
                .json(&json!({"body": "Une vente de gâteaux pour financer le club."})),
            )
            .await;
        assert_eq!(response.status, 200, "{}", response.text);
        assert!(result_links(&search_page(&academy, "voiture", None).await).is_empty());
        assert_eq!(
            result_links(&search_page(&academy, "gâteau", None).await).len(),
            1
        );

        // A removed post is no longer found.
        let response = anne
            .post(
                &format!("/api/v1/posts/{local_reply}/remove"),
                json!({"reason": "Hors sujet"}),
            )
            .await;
        assert_eq!(response.status, 200, "{}", response.text);
        let page = search_page(&academy, "gâteaux", None).await;
        assert!(result_links(&page).is_empty(), "{page}");

        // Bad input: a clear refusal, an unknown forum a 404.
        let answer = Client::stranger()
            .get(&academy.url("/search?q=robot&page=0"))
            .await;
        assert_eq!(answer.status, 422, "invalid_page");
        let answer = Client::stranger()
            .get(&academy.url("/search?q=robot&forum=nowhere"))
            .await;
        assert_eq!(answer.status, 404);

        // The same search over the API: the post object, its snippet and
        // a link here; the same refusals with their codes.
        let found = Client::stranger()
            .get_json(&academy.url("/api/v1/search?q=robotique&forum=maths"))
            .await;
        assert_eq!(found["total"], 1, "{found}");
        assert_eq!(
            found["forum"]["handle"],
            format!("maths@{}", academy.domain),
            "{found}"
        );
        let first = &found["results"][0];
        assert_eq!(first["thread_title"], "Robotique au collège", "{found}");
        assert_eq!(first["title_hit"], true, "{found}");
        assert_eq!(first["post"]["kind"], "thread", "{found}");
        assert!(
            first["url"]
                .as_str()
                .is_some_and(|url| url.starts_with(&academy.url("/threads/"))),
            "{found}"
        );
        assert!(first["snippet"]["after"].is_string(), "{found}");
        let all = Client::stranger()
            .get_json(&association.url("/api/v1/search?q=robot"))
            .await;
        assert!(all["total"].as_u64().unwrap_or(0) >= 1, "{all}");
        assert_eq!(all["forum"], serde_json::Value::Null, "{all}");
        let none = Client::stranger()
            .get_json(&academy.url("/api/v1/search?q="))
            .await;
        assert_eq!(none["total"], 0, "{none}");
        Client::stranger()
            .get(&academy.url("/api/v1/search?q=robot&page=0"))
            .await
            .expect_error(422, "invalid_page");
        Client::stranger()
            .get(&academy.url("/api/v1/search?q=robot&forum=nowhere"))
            .await
            .expect_error(404, "not_found");

        academy.stop().await;
        association.stop().await;
    }
}

/// A project space's forum: its members find its posts (on the host and
/// on a member's instance, in its mirror); nobody else may search it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_project_forum_is_searched_by_its_members_only() {
    for engine in engines() {
        let (academy, association) = start_pair(engine).await;
        let anne = Client::teacher(&academy, "anne", false).await;
        let carl = Client::teacher(&academy, "carl", false).await;
        let bea = Client::teacher(&association, "bea", false).await;
        anne.post(
            "/api/v1/projects",
            json!({"name": "club", "title": "Club de sciences", "visibility": "members", "join_mode": "invite"}),
        )
        .await
        .expect(201);
        anne.post(
            "/api/v1/projects/club/invite",
            json!({"handle": format!("bea@{}", association.domain)}),
        )
        .await
        .expect(201);
        let remote = format!("club@{}", academy.domain);
        let invited = wait_until(Duration::from_secs(30), || async {
            deliver_all(&[&academy, &association]).await;
            let requests = bea.get_json("/api/v1/me/requests").await;
            requests["invitations"]
                .as_array()
                .is_some_and(|list| list.iter().any(|i| i["project"]["handle"] == remote))
                .then_some(())
        })
        .await;
        assert!(invited.is_some(), "the invitation reaches Bea");
        bea.post(
            &format!("/api/v1/projects/{remote}/answer"),
            json!({"accept": true}),
        )
        .await
        .expect(200);
        deliver_all(&[&academy, &association]).await;
        let thread = anne
            .post(
                "/api/v1/projects/club/threads",
                json!({"title": "Fractions en cycle 3", "body": "Les **bandes de papier** marchent bien."}),
            )
            .await
            .expect(201);
        anne.post(
            &format!("/api/v1/projects/club/threads/{}/replies", thread["id"]),
            json!({"body": "Et les gâteaux partagés pour les moitiés."}),
        )
        .await
        .expect(201);

        // On the host: the thread by a word of its body, the reply by a
        // plural it does not write; the title hit first.
        let found = anne.get_json("/api/v1/projects/club/search?q=bandes").await;
        assert_eq!(found["total"], 1, "{found}");
        assert_eq!(found["results"][0]["thread_title"], "Fractions en cycle 3");
        assert_eq!(
            found["results"][0]["snippet"]["matched"], "bandes",
            "{found}"
        );
        let found = anne.get_json("/api/v1/projects/club/search?q=gateau").await;
        assert_eq!(found["total"], 1, "{found}");
        assert_eq!(found["results"][0]["post"]["kind"], "reply", "{found}");
        let found = anne
            .get_json("/api/v1/projects/club/search?q=fraction")
            .await;
        assert_eq!(found["total"], 1, "{found}");
        assert_eq!(found["results"][0]["title_hit"], true, "{found}");

        // On the member's instance, in its mirror of the forum.
        let mirrored = wait_until(Duration::from_secs(30), || async {
            deliver_all(&[&academy, &association]).await;
            let found = bea
                .get_json(&format!("/api/v1/projects/{remote}/search?q=papier"))
                .await;
            (found["total"] == 1).then_some(found)
        })
        .await;
        assert!(mirrored.is_some(), "Bea finds the thread on her instance");

        // Nobody else; bad input refused with its code.
        carl.get("/api/v1/projects/club/search?q=bandes")
            .await
            .expect_error(403, "not_project_member");
        Client::stranger()
            .get(&academy.url("/api/v1/projects/club/search?q=bandes"))
            .await
            .expect_error(401, "unauthorized");
        anne.get("/api/v1/projects/club/search?q=bandes&page=0")
            .await
            .expect_error(422, "invalid_page");
        anne.get("/api/v1/projects/nowhere/search?q=bandes")
            .await
            .expect_error(404, "not_found");

        // The page: a search box on the forum section, results linking
        // into the project's threads; a non-member gets the refusal.
        let pages = Client::anonymous(&academy).log_in_pages("anne").await;
        let forum = pages
            .page("/projects/club/forum")
            .await
            .replace("&#x2f;", "/");
        assert!(
            forum.contains("action=\"/projects/club/search\""),
            "{forum}"
        );
        let page = pages
            .page("/projects/club/search?q=papier")
            .await
            .replace("&#x2f;", "/")
            .replace("&#35;", "#");
        assert!(
            page.contains(&format!("/projects/club/threads/{}#post-", thread["id"])),
            "{page}"
        );
        assert!(page.contains("<mark>papier</mark>"), "{page}");
        let carl_pages = Client::anonymous(&academy).log_in_pages("carl").await;
        let refused = carl_pages.get("/projects/club/search?q=papier").await;
        assert_eq!(refused.status, 403, "{}", refused.text);

        academy.stop().await;
        association.stop().await;
    }
}
