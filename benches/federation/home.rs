//! `home`: a logged-in teacher's home (`GET /` with a session) under
//! load, for a realistic account: 20 followed forums, 5 projects, 2,000
//! posts of the last 14 days by others in them, a few events; each request
//! also reads the header's counts and records the visit.

use super::{
    engines, ms, percentile,
    seeding::{actor, insert_forums, SeedPost, Threads},
    Instance, Summary, PASSWORD,
};
use preau::domain::{
    accounts::AdminCreateInput,
    projects::{project_fields, ProjectInput},
    store::{
        actors::ActorKindRow,
        commit,
        forums::{upsert_follow, FollowState},
        project_content::{insert_post as insert_project_post, NewProjectPost},
        project_events::{insert_event, NewEvent},
    },
};
use std::time::{Duration, Instant};

const FORUMS: usize = 20;
const PROJECTS: usize = 5;
const POSTS: usize = 2000;
const DAY_MS: i64 = 24 * 3600 * 1000;

pub(super) async fn home_bench(summary: &Summary, secs: u64) {
    for engine in engines() {
        println!(
            "\n== home, {}: {FORUMS} followed forums, {PROJECTS} projects, {POSTS} recent posts",
            engine.label()
        );
        let instance = Instance::start(engine, |_| {}).await;
        let domain = instance.domain();
        let store = domain.store();
        let started = Instant::now();
        let create = |name: &str| AdminCreateInput {
            username: name.into(),
            email: format!("{name}@example.org"),
            password: PASSWORD.into(),
            is_admin: false,
        };
        let lea = domain
            .admin_create_account(create("lea"))
            .await
            .expect("lea");
        let other = domain
            .admin_create_account(create("marc"))
            .await
            .expect("marc");
        let now = domain.clock().now_ms();
        let mut tx = store.begin().await.expect("tx");
        let forums = insert_forums(&mut tx, FORUMS).await;
        for (i, &forum) in forums.iter().enumerate() {
            upsert_follow(
                &mut tx,
                lea.actor_id,
                forum,
                FollowState::Accepted,
                &format!("http://localhost/follow/{i}"),
            )
            .await
            .expect("follow");
        }
        commit(tx).await.expect("commit");
        let mut projects = Vec::new();
        for i in 0..PROJECTS {
            let fields = project_fields(&ProjectInput {
                title: format!("Projet {i}"),
                visibility: "members".into(),
                status: "running".into(),
                join_mode: "request".into(),
                ..ProjectInput::default()
            })
            .expect("fields");
            projects.push(
                store
                    .create_project(
                        &actor(ActorKindRow::Group, &format!("projet{i}")),
                        &fields,
                        Some(lea.id),
                        lea.actor_id,
                    )
                    .await
                    .expect("project"),
            );
        }
        // 2,000 posts over 14 days: a thread then nine replies, 80 % in
        // the forums and 20 % in the projects.
        let mut tx = store.begin().await.expect("tx");
        let mut forum_threads = Threads::default();
        let mut project_thread = 0;
        for i in 0..POSTS {
            let published_at = now - (POSTS - i) as i64 * 14 * DAY_MS / POSTS as i64;
            let opens = i % 10 == 0;
            if i % 5 == 4 {
                let id = insert_project_post(
                    &mut tx,
                    &NewProjectPost {
                        ap_id: format!("http://localhost/objects/{i}"),
                        project_id: projects[i % PROJECTS],
                        thread_id: (!opens && project_thread > 0).then_some(project_thread),
                        in_reply_to_id: (!opens && project_thread > 0).then_some(project_thread),
                        author_id: other.actor_id,
                        title: format!("Sujet de projet {i}"),
                        source: format!("Message de projet {i} : **compte rendu** de la séance."),
                        content_html: format!("<p>Message de projet {i}</p>"),
                        published_at,
                        local: true,
                    },
                )
                .await
                .expect("project post");
                if opens || project_thread == 0 {
                    project_thread = id;
                }
            } else {
                forum_threads
                    .insert(
                        &mut tx,
                        i,
                        SeedPost {
                            forum: forums[(i / 10) % FORUMS],
                            author: other.actor_id,
                            title: format!("Question {i}"),
                            source: format!(
                                "Réponse {i} : voici comment je fais avec mes élèves de seconde."
                            ),
                            content_html: format!("<p>Réponse {i}</p>"),
                            published_at,
                        },
                    )
                    .await;
            }
        }
        for i in 0..10 {
            insert_event(
                &mut tx,
                &NewEvent {
                    ap_id: format!("http://localhost/events/{i}"),
                    project_id: projects[i % PROJECTS],
                    author_id: other.actor_id,
                    title: format!("Réunion {i}"),
                    description_source: String::new(),
                    description_html: String::new(),
                    starts_at: now + (i as i64 + 1) * DAY_MS,
                    ends_at: now + (i as i64 + 1) * DAY_MS + 3_600_000,
                    location: "Salle 12".into(),
                    meeting_url: String::new(),
                    for_all: true,
                    attendees: Vec::new(),
                    created_at: now,
                    local: true,
                    time_zone: "Europe/Paris".into(),
                },
            )
            .await
            .expect("event");
        }
        commit(tx).await.expect("commit");
        println!("    seeded in {:.1} s", started.elapsed().as_secs_f64());
        let (_, token) = domain.log_in("lea", PASSWORD).await.expect("log-in");
        let client = reqwest::Client::new();
        let url = format!("{}/", instance.target);
        let cookie = format!("preau_session={token}");
        let first = client
            .get(&url)
            .header("cookie", &cookie)
            .send()
            .await
            .expect("home");
        assert_eq!(first.status(), reqwest::StatusCode::OK, "home answers");
        let body = first.text().await.expect("body");
        assert!(body.contains("feed-item"), "the home lists posts");
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
            Some(&cookie),
            clients,
            deadline,
        )
        .await;
        let rate = latencies.len() as f64 / elapsed.as_secs_f64();
        let (p50, p99) = (percentile(&latencies, 50.0), percentile(&latencies, 99.0));
        println!(
            "    GET / logged in ({:.0} KiB), {clients} clients, {:.1} s: {} requests, {rate:.0} req/s; p50 {} p99 {}; failures {failures}",
            body.len() as f64 / 1024.0,
            elapsed.as_secs_f64(),
            latencies.len(),
            ms(p50),
            ms(p99),
        );
        summary.add(
            format!("home, logged in, {}", engine.label()),
            format!("p50 {} p99 {}, {rate:.0} req/s", ms(p50), ms(p99)),
            "20 forums, 5 projects, 2,000 posts; 10 clients",
        );
        instance.stop().await;
    }
}
