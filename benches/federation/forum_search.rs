//! `forum-search`: the forums' full-text search (`GET /search` and
//! `GET /api/v1/search`) under load, over `PREAU_BENCH_SEARCH_N` (5,000)
//! posts in 10 forums: threads of ten posts written as teachers write,
//! one word in fifty rare. Four queries: a rare word, a common word that
//! matches one post in three (its candidates all read, then paginated), a
//! prefix (`robot`) and the common word in one forum; 10 clients, 5 s each.

use super::{
    engines, ms, percentile,
    seeding::{insert_forums, SeedPost, Threads},
    Instance, Summary, PASSWORD,
};
use preau::domain::{accounts::AdminCreateInput, store::commit};
use std::time::{Duration, Instant};

const FORUMS: usize = 10;
const DAY_MS: i64 = 24 * 3600 * 1000;

/// Sentences the posts are made of; the third holds the common word
/// (`séquence`), one post in fifty gets the rare one (`robotique`).
const SENTENCES: [&str; 6] = [
    "Avec mes élèves de seconde, je commence par un exemple concret.",
    "Les fractions passent mieux avec des bandes de papier découpées.",
    "Voici la séquence que j'utilise depuis trois ans, retouchée chaque année.",
    "Le conseil pédagogique a validé le projet pour le deuxième trimestre.",
    "Quelqu'un a-t-il une grille d'évaluation des compétences orales ?",
    "On peut croiser avec l'histoire-géographie pour la sortie au musée.",
];

/// The text of post `i`: three sentences, the rare word in one post in
/// fifty.
fn body(i: usize) -> String {
    let mut text = [0, 1, 2]
        .iter()
        .map(|k| SENTENCES[(i + k * 2) % SENTENCES.len()])
        .collect::<Vec<_>>()
        .join(" ");
    if i % 50 == 7 {
        text.push_str(" Un atelier de robotique le mercredi midi.");
    }
    text
}

pub(super) async fn forum_search_bench(summary: &Summary, posts: usize, secs: u64) {
    for engine in engines() {
        println!(
            "\n== forum-search, {}: {posts} posts in {FORUMS} forums",
            engine.label()
        );
        let instance = Instance::start(engine, |_| {}).await;
        let domain = instance.domain();
        let store = domain.store();
        let started = Instant::now();
        let author = domain
            .admin_create_account(AdminCreateInput {
                username: "marc".into(),
                email: "marc@example.org".into(),
                password: PASSWORD.into(),
                is_admin: false,
            })
            .await
            .expect("author");
        let now = domain.clock().now_ms();
        let mut tx = store.begin().await.expect("tx");
        let forums = insert_forums(&mut tx, FORUMS).await;
        let mut threads = Threads::default();
        for i in 0..posts {
            let text = body(i);
            threads
                .insert(
                    &mut tx,
                    i,
                    SeedPost {
                        forum: forums[(i / 10) % FORUMS],
                        author: author.actor_id,
                        title: format!("Question {i} sur la progression"),
                        content_html: format!("<p>{text}</p>"),
                        source: text,
                        published_at: now - (posts - i) as i64 * 90 * DAY_MS / posts as i64,
                    },
                )
                .await;
        }
        commit(tx).await.expect("commit");
        println!(
            "    seeded and indexed in {:.1} s",
            started.elapsed().as_secs_f64()
        );
        let client = reqwest::Client::new();
        for (what, query) in [
            ("rare word", "q=robotique"),
            ("common word", "q=s%C3%A9quences"),
            ("prefix", "q=robot"),
            ("common word, one forum", "q=s%C3%A9quence&forum=forum3"),
        ] {
            for (surface, path) in [("page", "/search"), ("API", "/api/v1/search")] {
                let url = format!("{}{path}?{query}", instance.target);
                let first = client.get(&url).send().await.expect("search");
                assert_eq!(first.status(), reqwest::StatusCode::OK, "{url}");
                let bytes = first.bytes().await.expect("body").len();
                let clients = 10;
                let deadline = Instant::now() + Duration::from_secs(secs);
                let crate::common::Load {
                    latencies,
                    failures,
                    elapsed,
                } = crate::common::read_load(
                    crate::common::ReadClient::Reqwest,
                    &client,
                    &url,
                    None,
                    clients,
                    deadline,
                )
                .await;
                let rate = latencies.len() as f64 / elapsed.as_secs_f64();
                let (p50, p99) = (percentile(&latencies, 50.0), percentile(&latencies, 99.0));
                println!(
                    "    {what}, {surface} ({:.0} KiB): {} requests, {rate:.0} req/s; p50 {} p99 {}; failures {failures}",
                    bytes as f64 / 1024.0,
                    latencies.len(),
                    ms(p50),
                    ms(p99),
                );
                summary.add(
                    format!("forum search, {what}, {surface}, {}", engine.label()),
                    format!("p50 {} p99 {}, {rate:.0} req/s", ms(p50), ms(p99)),
                    format!("{posts} posts; {clients} clients"),
                );
            }
        }
        instance.stop().await;
    }
}
