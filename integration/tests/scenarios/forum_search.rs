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

/// What the search for "séquence" must do with a post of the ranking
/// scenario.
#[derive(Clone, Copy, PartialEq)]
enum Expect {
    /// Deleted or removed (a thread's replies are hidden with it).
    Hidden,
    /// Not found: the word is not in its own text.
    Missed,
    /// Found, its thread's title without the word.
    Found,
    /// Found, its thread's title holds the word (listed first).
    TitleHit,
}

/// A post of the ranking scenario: forum (0 or 1), the thread a reply is
/// in (by its place in [`RANKED`]), title, HTML, minutes ago (equal
/// values are ties, broken by the id), and what the search does with it.
type Ranked = (
    usize,
    Option<usize>,
    &'static str,
    &'static str,
    i64,
    Expect,
);

#[rustfmt::skip]
const RANKED: [Ranked; 11] = [
    (0, None, "Séquences de fractions", "<p>Bandes.</p>", 90, Expect::TitleHit),
    (0, Some(0), "", "<p>Merci !</p>", 30, Expect::Missed),
    (0, Some(0), "", "<p>Ma SÉQUENCE est prête.</p>", 30, Expect::TitleHit),
    (0, Some(0), "", "<p>Une sequence sans accent.</p>", 30, Expect::TitleHit),
    (0, None, "Évaluation orale", "<p>La séquence d&#39;oral.</p>", 80, Expect::Found),
    // The word only in a link's address: the index of SQLite has it.
    (0, Some(4), "", "<p><a href=\"/sequence\">Lien</a>.</p>", 30, Expect::Missed),
    (0, Some(4), "", "<p>Séquencer&nbsp;: une œuvre.</p>", 30, Expect::Found),
    (0, Some(4), "", "<p>Une séquence retirée.</p>", 20, Expect::Hidden),
    (0, None, "Séquence supprimée", "<p>Séquence.</p>", 70, Expect::Hidden),
    (0, Some(8), "", "<p>Une séquence cachée.</p>", 10, Expect::Missed),
    (1, None, "Jumelage", "<p>La <b>séquence</b> en anglais.</p>", 30, Expect::Found),
];

/// The order of the results never depends on how the posts are read:
/// over a set with accents, ligatures, ties in time, markup that holds
/// the word only in a link, hidden posts and two pages, every page of
/// `GET /api/v1/search` gives exactly the posts expected (title hits
/// first, then the most recent, then the highest id), on both engines.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn search_results_keep_their_order_over_ties_and_accents() {
    use preau::domain::store::{
        commit,
        posts::{insert_post, mark_deleted, mark_removed, NewPost, PostId, PostKind},
    };
    let mut seeded = RANKED.to_vec();
    // Two pages: replies in threads 0 and 4, three at each minute.
    for i in 0..30 {
        let (html, expect) = match (i % 5, i % 2) {
            (0, _) => ("<p>Pas le mot ici.</p>", Expect::Missed),
            (_, 0) => ("<p>Encore une séquence, testée.</p>", Expect::TitleHit),
            _ => ("<p>Encore une séquence, testée.</p>", Expect::Found),
        };
        let thread = if i % 2 == 0 { 0 } else { 4 };
        seeded.push((0, Some(thread), "", html, 60 - (i / 3) as i64, expect));
    }
    for engine in engines() {
        let instance = start_fast(engine, None, |_| {}).await;
        let anne = Client::teacher(&instance, "anne", true).await;
        anne.create_forum("maths", "Mathématiques").await;
        anne.create_forum("langues", "Langues vivantes").await;
        let forums = [
            instance.forum_here("maths").await.actor.id,
            instance.forum_here("langues").await.actor.id,
        ];
        let author = instance
            .store()
            .account_by_username("anne")
            .await
            .expect("read account")
            .expect("anne")
            .actor_id;
        let now = instance.running.state.domain.clock().now_ms();
        let mut tx = instance.store().begin().await.expect("begin");
        let mut ids: Vec<PostId> = Vec::new();
        for (i, &(forum, in_thread, title, html, minutes_ago, expect)) in seeded.iter().enumerate()
        {
            let thread = in_thread.map(|at| ids[at]);
            let id = insert_post(
                &mut tx,
                &NewPost {
                    ap_id: format!("{}/posts/ranking-{i}", instance.base_url),
                    kind: if thread.is_some() {
                        PostKind::Reply
                    } else {
                        PostKind::Thread
                    },
                    forum_id: forums[forum],
                    thread_id: thread,
                    in_reply_to_id: thread,
                    author_id: author,
                    title: title.into(),
                    source: String::new(),
                    content_html: html.into(),
                    context_url: None,
                    published_at: now - minutes_ago * 60_000,
                    local: true,
                },
            )
            .await
            .expect("insert post");
            if expect == Expect::Hidden {
                if thread.is_some() {
                    mark_removed(&mut tx, id, "Hors sujet", now)
                        .await
                        .expect("remove");
                } else {
                    mark_deleted(&mut tx, id, now).await.expect("delete");
                }
            }
            ids.push(id);
        }
        commit(tx).await.expect("commit");

        // The expected ranking, from the set itself.
        let mut expected: Vec<(bool, i64, i64)> = seeded
            .iter()
            .zip(&ids)
            .filter(|(post, _)| matches!(post.5, Expect::Found | Expect::TitleHit))
            .map(|(post, id)| (post.5 == Expect::TitleHit, post.4, id.0))
            .collect();
        expected.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)).then(b.2.cmp(&a.2)));
        let mut shown: Vec<(bool, i64)> = Vec::new();
        let mut page = 1;
        loop {
            let found = Client::stranger()
                .get_json(&instance.url(&format!("/api/v1/search?q=s%C3%A9quences&page={page}")))
                .await;
            assert_eq!(found["total"], expected.len(), "{found}");
            assert_eq!(found["pages"], 2, "{found}");
            for result in found["results"].as_array().expect("results") {
                shown.push((
                    result["title_hit"].as_bool().expect("title_hit"),
                    result["post"]["id"].as_i64().expect("id"),
                ));
                let matched = result["snippet"]["matched"].as_str().unwrap_or_default();
                assert!(
                    matched.is_empty() || matched.to_lowercase().contains("qu"),
                    "{result}"
                );
            }
            if page == 2 {
                break;
            }
            page += 1;
        }
        let wanted: Vec<(bool, i64)> = expected.iter().map(|(hit, _, id)| (*hit, *id)).collect();
        assert_eq!(shown, wanted, "{engine:?}");
        // The accented capitals are the snippet's match as written.
        let one = Client::stranger()
            .get_json(&instance.url("/api/v1/search?q=SEQUENCE&forum=langues"))
            .await;
        assert_eq!(one["total"], 1, "{one}");
        assert_eq!(one["results"][0]["post"]["id"], ids[10].0, "{one}");
        assert_eq!(one["results"][0]["snippet"]["matched"], "séquence", "{one}");

        instance.stop().await;
    }
}
