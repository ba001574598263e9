//! Store tests on SQLite and, when `PREAU_TEST_POSTGRES_URL` is set, on
//! PostgreSQL: each test gets a fresh database.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a panic is a failure report

use preau::domain::store::{
    accounts::{AccountRow, AccountStatus, NewAccount},
    actors::{ActorId, ActorKindRow, NewActor},
    forums::{insert_forum, NewForum},
    is_unique_violation,
    posts::{NewPost, PostId, PostKind},
    profiles::{ProfileRow, ProfileUpdate},
    tokens::TokenPurpose,
    Store, Tx,
};

struct TestDb {
    store: Store,
    /// Its URL, for a second connection (a whole domain layer).
    url: String,
    drop_url: Option<(String, String)>,
    _dir: tempfile::TempDir,
}

async fn databases() -> Vec<TestDb> {
    let mut out = Vec::new();
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("store.db").display());
    let store = Store::connect(&url, 4).await.unwrap();
    store.migrate().await.unwrap();
    out.push(TestDb {
        store,
        url,
        drop_url: None,
        _dir: dir,
    });
    match std::env::var("PREAU_TEST_POSTGRES_URL") {
        Ok(base) if !base.is_empty() => {
            let mut url = url::Url::parse(&base).unwrap();
            static COUNTER: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
            let serial = COUNTER.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            let name = format!("preau_store_{}_{}_{serial}", std::process::id(), preau::domain::clock::Clock::system().now_ms());
            url.set_path(&format!("/{name}"));
            let store = Store::connect(url.as_str(), 4).await.unwrap();
            store.migrate().await.unwrap();
            out.push(TestDb { store, url: url.to_string(), drop_url: Some((base, name)), _dir: tempfile::tempdir().unwrap() });
        }
        _ => eprintln!("notice: PREAU_TEST_POSTGRES_URL is not set: the PostgreSQL half of the store tests is skipped"),
    }
    out
}

impl TestDb {
    async fn finish(self) {
        self.store.close().await;
        if let Some((base, name)) = self.drop_url {
            sqlx::any::install_default_drivers();
            let pool = sqlx::AnyPool::connect(&base).await.unwrap();
            sqlx::query(&format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"))
                .execute(&pool)
                .await
                .unwrap();
            pool.close().await;
        }
    }
}

fn person(name: &str, email: &str) -> NewAccount {
    NewAccount {
        actor: NewActor {
            kind: ActorKindRow::Person,
            name: name.to_string(),
            domain: String::new(),
            ap_id: format!("https://preau.test/users/{name}"),
            inbox: format!("https://preau.test/users/{name}/inbox"),
            shared_inbox: Some("https://preau.test/inbox".to_string()),
            display_name: name.to_string(),
            summary_html: String::new(),
            public_key_pem: "PEM".to_string(),
            private_key_pem: Some("PRIVATE".to_string()),
            declared_trust: None,
        },
        email: email.to_string(),
        email_domain: email.rsplit('@').next().unwrap().to_string(),
        password_hash: "hash".to_string(),
        is_admin: false,
        status: AccountStatus::PendingVerification,
        email_verified: false,
        locale: "fr".to_string(),
    }
}

/// Creates the local teacher `name` (`name@example.org`) with `status`,
/// their address verified or not, and reads their row back.
async fn teacher_with(
    store: &Store,
    name: &str,
    status: AccountStatus,
    verified: bool,
) -> AccountRow {
    let id = store
        .create_account(&NewAccount {
            status,
            email_verified: verified,
            ..person(name, &format!("{name}@example.org"))
        })
        .await
        .unwrap();
    store.account_by_id(id).await.unwrap().unwrap()
}

/// Records the remote teacher zoe@elsewhere.example.
async fn remote_zoe(store: &Store) -> ActorId {
    let mut remote = person("zoe", "zoe@example.net").actor;
    remote.domain = "elsewhere.example".into();
    remote.ap_id = "https://elsewhere.example/users/zoe".into();
    remote.private_key_pem = None;
    store.upsert_remote_actor(&remote).await.unwrap()
}

/// A local Group actor (a forum's or a project's) at `path` on preau.test.
fn group_actor(name: &str, path: &str) -> NewActor {
    let mut actor = person(name, "unused@example.org").actor;
    actor.kind = ActorKindRow::Group;
    actor.ap_id = format!("https://preau.test/{path}");
    actor
}

/// Records a local forum of `actor` titled `title`, without description,
/// where every label may post.
async fn insert_open_forum(tx: &mut Tx, actor: NewActor, title: &str) -> ActorId {
    insert_forum(
        tx,
        &NewForum {
            actor,
            title: title.into(),
            description_source: String::new(),
            description_html: String::new(),
            moderators_url: None,
            featured_url: None,
            created_by: None,
            min_post_level: preau_federation::TrustLevel::Informal,
        },
    )
    .await
    .unwrap()
}

/// Records the local forum "Maths" (`!maths`) in a transaction of its own.
async fn maths_forum(store: &Store) -> ActorId {
    let mut tx = store.begin().await.unwrap();
    let forum = insert_open_forum(&mut tx, group_actor("maths", "forums/maths"), "Maths").await;
    preau::domain::store::commit(tx).await.unwrap();
    forum
}

/// Local post `n` of `forum` by `author`: a thread when `thread` is
/// `None`, else a reply in it to `parent`; untitled, published at 1.
fn forum_post(
    forum: ActorId,
    n: u32,
    author: ActorId,
    thread: Option<PostId>,
    parent: Option<PostId>,
) -> NewPost {
    NewPost {
        ap_id: format!("https://preau.test/posts/{n}"),
        kind: if thread.is_some() {
            PostKind::Reply
        } else {
            PostKind::Thread
        },
        forum_id: forum,
        thread_id: thread,
        in_reply_to_id: parent,
        author_id: author,
        title: String::new(),
        source: format!("post {n}"),
        content_html: String::new(),
        context_url: None,
        published_at: 1,
        local: true,
    }
}

#[tokio::test]
async fn a_taken_name_or_address_fails_whole_and_keeps_what_was_stored() {
    for db in databases().await {
        let store = &db.store;
        let id = store
            .create_account(&person("camille", "camille@ac-rennes.fr"))
            .await
            .unwrap();
        for duplicate in [
            person("camille", "other@ac-rennes.fr"),
            person("other", "camille@ac-rennes.fr"),
        ] {
            let error = store.create_account(&duplicate).await.unwrap_err();
            assert!(is_unique_violation(&error), "{error}");
        }
        let all = store.list_accounts(None).await.unwrap();
        assert_eq!(all.len(), 1, "no half-created account or actor");
        assert!(store.local_actor_by_name("other").await.unwrap().is_none());
        let account = store.account_by_id(id).await.unwrap().unwrap();
        assert_eq!(account.username, "camille");
        assert_eq!(account.status, AccountStatus::PendingVerification);
        assert!(account.email_verified_at.is_none());
        db.finish().await;
    }
}

#[tokio::test]
async fn email_tokens_work_once_and_only_the_latest_counts() {
    for db in databases().await {
        let store = &db.store;
        let id = store
            .create_account(&person("yann", "yann@example.org"))
            .await
            .unwrap();
        let later = store.now_ms() + 60_000;
        store
            .create_email_token("first", id, TokenPurpose::VerifyEmail, later)
            .await
            .unwrap();
        store
            .create_email_token("second", id, TokenPurpose::VerifyEmail, later)
            .await
            .unwrap();
        assert_eq!(
            store
                .consume_email_token("first", TokenPurpose::VerifyEmail)
                .await
                .unwrap(),
            None,
            "replaced"
        );
        assert_eq!(
            store
                .consume_email_token("second", TokenPurpose::ResetPassword)
                .await
                .unwrap(),
            None,
            "wrong purpose"
        );
        assert_eq!(
            store
                .consume_email_token("second", TokenPurpose::VerifyEmail)
                .await
                .unwrap(),
            Some(id)
        );
        assert_eq!(
            store
                .consume_email_token("second", TokenPurpose::VerifyEmail)
                .await
                .unwrap(),
            None,
            "used"
        );
        store
            .create_email_token(
                "expired",
                id,
                TokenPurpose::ResetPassword,
                store.now_ms() - 1,
            )
            .await
            .unwrap();
        assert_eq!(
            store
                .consume_email_token("expired", TokenPurpose::ResetPassword)
                .await
                .unwrap(),
            None
        );
        db.finish().await;
    }
}

#[tokio::test]
async fn sessions_expire_and_end() {
    for db in databases().await {
        let store = &db.store;
        let id = store
            .create_account(&person("amina", "amina@example.org"))
            .await
            .unwrap();
        store
            .create_session("live", id, store.now_ms() + 60_000)
            .await
            .unwrap();
        store
            .create_session("old", id, store.now_ms() - 1)
            .await
            .unwrap();
        assert_eq!(
            store
                .account_by_session("live")
                .await
                .unwrap()
                .map(|a| a.id),
            Some(id)
        );
        assert!(store.account_by_session("old").await.unwrap().is_none());
        assert!(store.purge_expired().await.unwrap() >= 1);
        store.delete_account_sessions(id).await.unwrap();
        assert!(store.account_by_session("live").await.unwrap().is_none());
        db.finish().await;
    }
}

#[tokio::test]
async fn profiles_and_remote_actors_round_trip() {
    for db in databases().await {
        let store = &db.store;
        let id = store
            .create_account(&person("lucas", "lucas@example.net"))
            .await
            .unwrap();
        let account = store.account_by_id(id).await.unwrap().unwrap();
        let update = ProfileUpdate {
            display_name: "Lucas Martin".into(),
            bio_html: "<p>CM2</p>".into(),
            profile: ProfileRow {
                bio_source: "CM2".into(),
                subjects: vec!["Français".into(), "Maths, \"géométrie\"".into()],
                school_levels: vec!["primaire".into()],
                languages: vec!["fr".into()],
                academy: "Lyon".into(),
                school: String::new(),
                interests: vec![],
            },
        };
        store.save_profile(account.actor_id, &update).await.unwrap();
        assert_eq!(
            store.profile(account.actor_id).await.unwrap().unwrap(),
            update.profile
        );
        assert_eq!(
            store
                .actor_by_id(account.actor_id)
                .await
                .unwrap()
                .unwrap()
                .display_name,
            "Lucas Martin"
        );

        let remote = NewActor {
            kind: ActorKindRow::Person,
            name: "camille".into(),
            domain: "academie.test".into(),
            ap_id: "https://academie.test/users/camille".into(),
            inbox: "https://academie.test/users/camille/inbox".into(),
            shared_inbox: None,
            display_name: "Camille".into(),
            summary_html: String::new(),
            public_key_pem: "PEM1".into(),
            private_key_pem: None,
            declared_trust: Some(preau_federation::TrustLevel::Institutional),
        };
        let first = store.upsert_remote_actor(&remote).await.unwrap();
        let second = store
            .upsert_remote_actor(&NewActor {
                public_key_pem: "PEM2".into(),
                ..remote.clone()
            })
            .await
            .unwrap();
        assert_eq!(first, second, "an upsert keeps the row");
        let row = store
            .remote_actor_by_handle("camille", "academie.test")
            .await
            .unwrap()
            .unwrap();
        assert_eq!(row.public_key_pem, "PEM2");
        assert!(!row.is_local());
        assert!(
            store
                .local_actor_by_name("camille")
                .await
                .unwrap()
                .is_none(),
            "remote names do not take local ones"
        );
        // A remote document can never overwrite a local actor.
        let claim = NewActor {
            ap_id: "https://preau.test/users/lucas".into(),
            ..remote.clone()
        };
        assert!(store.upsert_remote_actor(&claim).await.is_err());
        let local = store.local_actor_by_name("lucas").await.unwrap().unwrap();
        assert_eq!(local.public_key_pem, "PEM");
        db.finish().await;
    }
}

#[tokio::test]
async fn counts_follow_status_and_activity() {
    for db in databases().await {
        let store = &db.store;
        let a = store
            .create_account(&person("a_one", "a@example.org"))
            .await
            .unwrap();
        let b = store
            .create_account(&person("b_two", "b@example.org"))
            .await
            .unwrap();
        store
            .set_account_status(a, AccountStatus::Active)
            .await
            .unwrap();
        store
            .set_account_status(b, AccountStatus::Active)
            .await
            .unwrap();
        store.touch_login(a).await.unwrap();
        let counts = store
            .count_active_accounts([store.now_ms() - 1000, 0])
            .await
            .unwrap();
        assert_eq!(counts, [2, 1, 1]);
        store
            .set_account_status(b, AccountStatus::Suspended)
            .await
            .unwrap();
        assert_eq!(store.count_active_accounts([0, 0]).await.unwrap()[0], 1);
        let pending = store
            .list_accounts(Some(AccountStatus::Suspended))
            .await
            .unwrap();
        assert_eq!(pending.len(), 1);
        db.finish().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn grouped_writes_commit_together_and_a_failing_one_costs_the_others_nothing() {
    use preau::domain::store::{inbox::record_received, StoreError, WriteWork};
    use std::sync::Arc;
    for db in databases().await {
        let store = &db.store;
        let job = |id: &'static str, fail: bool| -> WriteWork<bool, StoreError> {
            Arc::new(move |tx| {
                Box::pin(async move {
                    let fresh = record_received(tx, id).await?;
                    if fail {
                        return Err(StoreError::Corrupt("this job fails".into()));
                    }
                    Ok(fresh)
                })
            })
        };
        // Many at once, so they are taken in batches; one of them fails.
        let mut handles = Vec::new();
        for n in 0..40 {
            let store = store.clone();
            let id: &'static str = Box::leak(format!("https://x.example/a/{n}").into_boxed_str());
            let work = job(id, n == 17);
            handles.push(tokio::spawn(async move { store.write(work).await }));
        }
        for (n, handle) in handles.into_iter().enumerate() {
            let result = handle.await.unwrap();
            if n == 17 {
                assert!(result.is_err(), "the failing job reports its error");
            } else {
                assert!(result.unwrap(), "job {n} wrote");
            }
        }
        for n in 0..40 {
            let id = format!("https://x.example/a/{n}");
            assert_eq!(store.was_received(&id).await.unwrap(), n != 17, "{id}");
        }
        // A second write of the same id is seen as a duplicate.
        let again = store
            .write(job("https://x.example/a/3", false))
            .await
            .unwrap();
        assert!(!again);
        db.finish().await;
    }
}

mod directory {
    //! The directory (issue 5) on both engines: the index kept current by
    //! the migration's triggers, the store's queries, and the domain's
    //! search on top of them.

    use super::*;
    use preau::{
        domain::store::{
            accounts::AccountRow,
            actors::ActorId,
            directory::DirectoryQuery,
            profiles::ProfileUpdate,
            projects::{ProjectFields, ProjectStatus},
        },
        domain::{
            directory::DirectoryInput,
            projects::{project_fields, ProjectInput},
            Domain,
        },
    };

    fn project_input(title: &str, place: &str) -> ProjectInput {
        ProjectInput {
            title: title.into(),
            place: place.into(),
            visibility: "public".into(),
            status: "looking".into(),
            join_mode: "request".into(),
            ..ProjectInput::default()
        }
    }

    fn group(name: &str, domain: &str) -> NewActor {
        let host = if domain.is_empty() {
            "preau.test"
        } else {
            domain
        };
        NewActor {
            kind: ActorKindRow::Group,
            name: name.into(),
            domain: domain.into(),
            ap_id: format!("https://{host}/projects/{name}"),
            inbox: format!("https://{host}/projects/{name}/inbox"),
            shared_inbox: None,
            display_name: name.into(),
            summary_html: String::new(),
            public_key_pem: "PEM".into(),
            private_key_pem: domain.is_empty().then(|| "PRIVATE".into()),
            declared_trust: None,
        }
    }

    async fn teacher(
        store: &Store,
        name: &str,
        status: AccountStatus,
        profile: ProfileUpdate,
    ) -> AccountRow {
        let id = store
            .create_account(&NewAccount {
                status,
                ..person(name, &format!("{name}@ac-rennes.fr"))
            })
            .await
            .unwrap();
        let account = store.account_by_id(id).await.unwrap().unwrap();
        store
            .save_profile(account.actor_id, &profile)
            .await
            .unwrap();
        account
    }

    fn profile(display_name: &str, subjects: &[&str], academy: &str) -> ProfileUpdate {
        ProfileUpdate {
            display_name: display_name.into(),
            bio_html: "<p>Club de <em>robotique</em></p>".into(),
            profile: ProfileRow {
                subjects: subjects.iter().map(|s| s.to_string()).collect(),
                school_levels: vec!["lycee".into()],
                languages: vec!["fr".into(), "en".into()],
                academy: academy.into(),
                ..ProfileRow::default()
            },
        }
    }

    async fn search(
        domain: &Domain,
        reader: Option<&AccountRow>,
        input: DirectoryInput,
    ) -> (Vec<String>, Vec<String>) {
        let search = input.validate().unwrap();
        let results = domain.search_directory(reader, &search).await.unwrap();
        (
            results
                .projects
                .iter()
                .map(|found| found.project.actor.name.clone())
                .collect(),
            results
                .people
                .iter()
                .map(|found| found.actor.name.clone())
                .collect(),
        )
    }

    fn words(text: &str) -> DirectoryInput {
        DirectoryInput {
            words: text.into(),
            ..DirectoryInput::default()
        }
    }

    async fn remote_project(
        store: &Store,
        id: ActorId,
        title: &str,
        subjects: &str,
    ) -> ProjectFields {
        let mut fields = project_fields(&ProjectInput {
            subjects: subjects.into(),
            languages: "br".into(),
            ..project_input(title, "Quimper")
        })
        .unwrap();
        fields.status = ProjectStatus::Running;
        store.upsert_remote_project(id, &fields).await.unwrap();
        fields
    }

    #[tokio::test]
    async fn the_directory_finds_projects_and_teachers() {
        for db in databases().await {
            let store = &db.store;
            let camille = teacher(
                store,
                "camille",
                AccountStatus::Active,
                profile("Camille Le Goff", &["Mathématiques", "NSI"], "Rennes"),
            )
            .await;
            let yann = teacher(
                store,
                "yann",
                AccountStatus::Active,
                profile(
                    "Yann Kervella",
                    &["Histoire-géographie"],
                    "Académie de Rennes",
                ),
            )
            .await;
            // Not verified: shown to no one.
            teacher(
                store,
                "pending",
                AccountStatus::PendingVerification,
                profile("Pending", &["Mathématiques"], "Rennes"),
            )
            .await;
            let remote_person = store
                .upsert_remote_actor(&NewActor {
                    kind: ActorKindRow::Person,
                    name: "nolwenn".into(),
                    domain: "autre.test".into(),
                    ap_id: "https://autre.test/users/nolwenn".into(),
                    inbox: "https://autre.test/users/nolwenn/inbox".into(),
                    shared_inbox: None,
                    display_name: "Nolwenn".into(),
                    summary_html: String::new(),
                    public_key_pem: "PEM".into(),
                    private_key_pem: None,
                    declared_trust: None,
                })
                .await
                .unwrap();
            store
                .save_profile(remote_person, &{
                    let mut update = profile("Nolwenn", &["Breton"], "Académie de Créteil");
                    update.profile.languages = vec!["br".into()];
                    update.profile.school_levels = vec!["college".into()];
                    update
                })
                .await
                .unwrap();

            // Local projects: Rennes (its position from the gazetteer),
            // Brest, and a members-only one of Camille's in Rennes.
            let eco = project_fields(&ProjectInput {
                description: "Un *jardin* partagé, du **compost**.".into(),
                subjects: "SVT, Éducation au développement durable".into(),
                school_levels: vec!["lycee".into()],
                languages: "fr".into(),
                academy: "Rennes".into(),
                ..project_input("Éco-délégués du lycée", "Rennes")
            })
            .unwrap();
            // The domain's callers render the description off the async
            // workers; the store indexes the rendered HTML.
            let mut eco = eco;
            eco.description_html =
                preau::domain::rendering::markdown(eco.description_source.clone(), "description")
                    .await
                    .unwrap();
            assert!(eco.latitude.is_some(), "Rennes placed by the gazetteer");
            store
                .create_project(&group("eco", ""), &eco, Some(camille.id), camille.actor_id)
                .await
                .unwrap();
            let mut jumelage = project_fields(&ProjectInput {
                subjects: "Allemand".into(),
                languages: "fr-FR, de".into(),
                ..project_input("Jumelage franco-allemand", "Brest")
            })
            .unwrap();
            jumelage.status = ProjectStatus::Running;
            store
                .create_project(&group("jumelage", ""), &jumelage, None, yann.actor_id)
                .await
                .unwrap();
            let secret = project_fields(&ProjectInput {
                visibility: "members".into(),
                subjects: "SVT".into(),
                ..project_input("Conseil pédagogique", "35238")
            })
            .unwrap();
            let secret_id = store
                .create_project(&group("secret", ""), &secret, None, camille.actor_id)
                .await
                .unwrap();
            // A remote project, mirrored from its host.
            let theatre = store
                .upsert_remote_actor(&group("theatre", "autre.test"))
                .await
                .unwrap();
            remote_project(store, theatre, "Théâtre en breton", "Breton, Théâtre").await;

            // One document per project and per profile (four people).
            assert_eq!(store.directory_index_size().await.unwrap(), 8);

            // The store: members-only projects only for their members.
            let query = DirectoryQuery {
                words: vec!["svt".into()],
                limit: 100,
                ..DirectoryQuery::default()
            };
            let names = |listings: Vec<preau::domain::store::directory::ProjectListing>| {
                let mut names: Vec<String> = listings.into_iter().map(|l| l.actor.name).collect();
                names.sort();
                names
            };
            assert_eq!(
                names(store.directory_projects(&query, 0).await.unwrap()),
                ["eco"]
            );
            let as_member = DirectoryQuery {
                member: Some(camille.actor_id),
                ..query.clone()
            };
            assert_eq!(
                names(store.directory_projects(&as_member, 0).await.unwrap()),
                ["eco", "secret"]
            );
            let as_stranger = DirectoryQuery {
                member: Some(yann.actor_id),
                ..query.clone()
            };
            assert_eq!(
                names(store.directory_projects(&as_stranger, 0).await.unwrap()),
                ["eco"]
            );
            assert!(store
                .member(secret_id, yann.actor_id)
                .await
                .unwrap()
                .is_none());
            assert_eq!(store.count_directory_projects(&as_member).await.unwrap(), 2);
            assert_eq!(
                store.count_directory_projects(&as_stranger).await.unwrap(),
                1
            );
            let one_by_one = DirectoryQuery {
                limit: 1,
                ..as_member.clone()
            };
            let first = store.directory_projects(&one_by_one, 0).await.unwrap();
            let second = store.directory_projects(&one_by_one, 1).await.unwrap();
            assert_eq!(first.len() + second.len(), 2);
            assert_ne!(
                first[0].actor.id, second[0].actor.id,
                "pages do not overlap"
            );
            assert_eq!(
                store
                    .count_directory_people(&DirectoryQuery::default())
                    .await
                    .unwrap(),
                3,
                "not the unverified account"
            );

            // The domain on top, through a second connection.
            let dir = tempfile::tempdir().unwrap();
            let mut settings = preau::config::Settings::default();
            settings.server.data_dir = dir.path().to_path_buf();
            settings.database.url = db.url.clone();
            let domain = preau::app::build_domain(settings).await.unwrap();

            // Words: case, accents and hyphens do not matter; descriptions
            // count, their markup does not.
            for query in ["eco delegues", "ÉCO-DÉLÉGUÉS", "jardin", "compost lycee"] {
                assert_eq!(
                    search(&domain, None, words(query)).await.0,
                    ["eco"],
                    "{query}"
                );
            }
            assert_eq!(
                search(&domain, None, words("strong em p")).await,
                (vec![], vec![])
            );
            assert_eq!(
                search(&domain, None, words("robotique")).await.1,
                ["yann", "camille", "nolwenn"],
                "local teachers first, then the most recently updated; never an unverified account"
            );
            assert_eq!(search(&domain, None, words("le goff")).await.1, ["camille"]);
            // Subject, level, language, academy, status.
            let subject = |subject: &str| DirectoryInput {
                subject: subject.into(),
                ..DirectoryInput::default()
            };
            assert_eq!(search(&domain, None, subject("svt")).await.0, ["eco"]);
            assert_eq!(
                search(&domain, None, subject("mathematiques")).await,
                (vec![], vec!["camille".to_string()])
            );
            assert_eq!(
                search(&domain, None, subject("histoire")).await.1,
                ["yann"],
                "a word of a subject"
            );
            let (projects, people) = search(
                &domain,
                None,
                DirectoryInput {
                    level: "lycee".into(),
                    ..DirectoryInput::default()
                },
            )
            .await;
            assert_eq!(projects, ["eco"]);
            assert_eq!(people, ["yann", "camille"]);
            let (projects, people) = search(
                &domain,
                None,
                DirectoryInput {
                    language: "br".into(),
                    ..DirectoryInput::default()
                },
            )
            .await;
            assert_eq!(
                (projects, people),
                (vec!["theatre".to_string()], vec!["nolwenn".to_string()])
            );
            assert_eq!(
                search(
                    &domain,
                    None,
                    DirectoryInput {
                        language: "fr".into(),
                        kind: "projects".into(),
                        ..DirectoryInput::default()
                    }
                )
                .await
                .0
                .len(),
                2,
                "fr and fr-FR"
            );
            assert_eq!(
                search(
                    &domain,
                    None,
                    DirectoryInput {
                        academy: "rennes".into(),
                        kind: "people".into(),
                        ..DirectoryInput::default()
                    }
                )
                .await
                .1,
                ["yann", "camille"]
            );

            // Issue 13: prefixes, abbreviations, plurals, academies and
            // regions, answered by the index on both engines.
            let people = |input: DirectoryInput| DirectoryInput {
                kind: "people".into(),
                ..input
            };
            let projects = |input: DirectoryInput| DirectoryInput {
                kind: "projects".into(),
                ..input
            };
            for (query, expected) in [
                ("maths", vec!["camille"]),
                ("math", vec!["camille"]),
                ("robot", vec!["yann", "camille", "nolwenn"]),
                ("Rennes", vec!["yann", "camille"]),
                ("Bretagne", vec!["yann", "camille"]),
                ("Île-de-France", vec!["nolwenn"]),
                ("histoire geo", vec!["yann"]),
                ("nsi", vec!["camille"]),
                ("numérique et sciences informatiques", vec!["camille"]),
                ("Grand Est", vec![]),
            ] {
                assert_eq!(
                    search(&domain, None, people(words(query))).await.1,
                    expected,
                    "{query}"
                );
            }
            for (query, expected) in [
                ("jardins", vec!["eco"]),
                ("délégué", vec!["eco"]),
                ("composts partagés", vec!["eco"]),
                ("sciences de la vie et de la Terre", vec!["eco"]),
                ("edd", vec!["eco"]),
                ("jumel", vec!["jumelage"]),
                ("lycées", vec!["eco"]),
            ] {
                assert_eq!(
                    search(&domain, None, projects(words(query))).await.0,
                    expected,
                    "{query}"
                );
            }
            assert_eq!(search(&domain, None, subject("math")).await.1, ["camille"]);
            assert_eq!(search(&domain, None, subject("maths")).await.1, ["camille"]);
            assert_eq!(
                search(
                    &domain,
                    None,
                    people(DirectoryInput {
                        academy: "Académie de Rennes".into(),
                        ..DirectoryInput::default()
                    })
                )
                .await
                .1,
                ["yann", "camille"],
                "the list's label and older free text match each other"
            );
            // The store alone: a prefix from the index.
            assert_eq!(
                store
                    .count_directory_people(&DirectoryQuery {
                        words: vec!["robot".into()],
                        ..DirectoryQuery::default()
                    })
                    .await
                    .unwrap(),
                3
            );
            assert_eq!(
                store
                    .count_directory_people(&DirectoryQuery {
                        words: vec!["robotiques".into()],
                        ..DirectoryQuery::default()
                    })
                    .await
                    .unwrap(),
                0,
                "the store takes terms as given; widening is the domain's"
            );
            assert_eq!(
                search(
                    &domain,
                    None,
                    DirectoryInput {
                        status: "running".into(),
                        ..DirectoryInput::default()
                    }
                )
                .await,
                (vec!["theatre".to_string(), "jumelage".to_string()], vec![],),
                "most recently active first; a project state lists no teacher"
            );

            // Near a place: the bounding box, then the distance, nearest
            // first; members-only projects for their members only.
            let near = |place: &str, radius: &str| DirectoryInput {
                place: place.into(),
                radius: radius.into(),
                ..DirectoryInput::default()
            };
            assert_eq!(search(&domain, None, near("Rennes", "")).await.0, ["eco"]);
            assert_eq!(
                search(&domain, Some(&camille), near("Rennes", "")).await.0,
                ["secret", "eco"],
                "both in Rennes: by title"
            );
            assert_eq!(
                search(&domain, Some(&yann), near("35000", "")).await.0,
                ["eco"]
            );
            assert_eq!(
                search(&domain, None, near("Rennes", "250")).await.0,
                ["eco", "theatre", "jumelage"]
            );
            assert_eq!(
                search(&domain, None, near("48.39, -4.49", "20")).await.0,
                ["jumelage"]
            );
            let search_near = DirectoryInput {
                place: "Brest".into(),
                ..DirectoryInput::default()
            }
            .validate()
            .unwrap();
            let results = domain.search_directory(None, &search_near).await.unwrap();
            assert!(results.projects[0].distance_km.unwrap() < 1.0);
            assert_eq!(results.people_total, 0, "teachers have no position");

            // Refreshes of remote projects and profiles, and a new display
            // name, reach the index.
            remote_project(store, theatre, "Théâtre en gallo", "Gallo").await;
            assert_eq!(search(&domain, None, words("gallo")).await.0, ["theatre"]);
            assert!(search(&domain, None, words("breton")).await.0.is_empty());
            assert_eq!(
                search(&domain, None, subject("theatre")).await.0,
                Vec::<String>::new()
            );
            store
                .save_profile(remote_person, &profile("Nolwenn", &["Breton"], "Nantes"))
                .await
                .unwrap();
            assert_eq!(search(&domain, None, words("nantes")).await.1, ["nolwenn"]);
            assert!(search(&domain, None, words("creteil")).await.1.is_empty());
            store
                .update_actor_presentation(yann.actor_id, "Yann Kervella-Morvan", "")
                .await
                .unwrap();
            assert_eq!(search(&domain, None, words("morvan")).await.1, ["yann"]);
            assert!(search(&domain, None, words("robotique")).await.1.len() == 2);
            assert_eq!(store.directory_index_size().await.unwrap(), 8);

            domain.store().close().await;
            db.finish().await;
        }
    }
}

/// A reply notifies the local authors of the post answered and of its
/// thread: each once (also when they are the same teacher, also when the
/// reply is written twice), never its own author, never a remote author.
#[tokio::test]
async fn a_reply_notifies_local_authors_once() {
    use preau::domain::store::{
        commit,
        notifications::{
            insert_notification, local_authors, NewNotification, NotificationKind, Recipients,
        },
        posts::insert_post,
    };
    // What the domain writes for a reply: its post's and thread's local
    // authors, keyed by the reply.
    async fn notify_reply(
        tx: &mut Tx,
        reply: PostId,
        author: ActorId,
        parent: PostId,
        thread: PostId,
    ) -> usize {
        let authors = local_authors(tx, &[parent, thread]).await.unwrap();
        let mut note = NewNotification::new(NotificationKind::Reply, format!("post:{}", reply.0));
        note.actor = Some(author);
        note.post = Some(reply);
        note.thread = Some(thread);
        note.title = "Fractions".into();
        note.link = format!("/threads/{}", thread.0);
        insert_notification(tx, &Recipients::Actors(authors), &note)
            .await
            .unwrap()
            .len()
    }
    for db in databases().await {
        let store = &db.store;
        let anne = &teacher_with(store, "anne", AccountStatus::Active, false).await;
        let carl = &teacher_with(store, "carl", AccountStatus::Active, false).await;
        let zoe = remote_zoe(store).await;
        let mut tx = store.begin().await.unwrap();
        let forum = insert_open_forum(&mut tx, group_actor("maths", "forums/maths"), "Maths").await;
        let post = |n, author, thread, parent| forum_post(forum, n, author, thread, parent);
        let thread = insert_post(&mut tx, &post(1, anne.actor_id, None, None))
            .await
            .unwrap();
        // Anne answering her own thread: nobody.
        let own = insert_post(&mut tx, &post(2, anne.actor_id, Some(thread), Some(thread)))
            .await
            .unwrap();
        assert_eq!(
            notify_reply(&mut tx, own, anne.actor_id, thread, thread).await,
            0
        );
        // Zoe (remote) answers Anne's reply: Anne once (thread and parent
        // are both hers), and once only when written again.
        let by_zoe = insert_post(&mut tx, &post(3, zoe, Some(thread), Some(own)))
            .await
            .unwrap();
        for expected in [1, 0] {
            assert_eq!(
                notify_reply(&mut tx, by_zoe, zoe, own, thread).await,
                expected
            );
        }
        // Carl answers Zoe: Anne (the thread), not Zoe (remote), not Carl.
        let by_carl = insert_post(&mut tx, &post(4, carl.actor_id, Some(thread), Some(by_zoe)))
            .await
            .unwrap();
        assert_eq!(
            notify_reply(&mut tx, by_carl, carl.actor_id, by_zoe, thread).await,
            1
        );
        commit(tx).await.unwrap();
        assert_eq!(store.unread_notifications(anne.id).await.unwrap(), 2);
        assert_eq!(store.unread_notifications(carl.id).await.unwrap(), 0);
        let listed = store.notifications_of(anne.id, 20, 0).await.unwrap();
        assert_eq!(listed.len(), 2);
        assert_eq!(listed[0].post_id, Some(by_carl), "newest first");
        assert_eq!(listed[1].actor_id, Some(zoe));
        assert_eq!(listed[0].thread_id, Some(thread));
        assert_eq!(listed[0].kind, NotificationKind::Reply);
        assert_eq!(listed[0].title, "Fractions");
        // Carl marking Anne's changes nothing; Anne marking one, then all.
        store
            .mark_notifications_read(carl.id, Some(&[listed[0].id]))
            .await
            .unwrap();
        assert_eq!(store.unread_notifications(anne.id).await.unwrap(), 2);
        store
            .mark_notifications_read(anne.id, Some(&[listed[0].id]))
            .await
            .unwrap();
        assert_eq!(store.unread_notifications(anne.id).await.unwrap(), 1);
        store.mark_notifications_read(anne.id, None).await.unwrap();
        assert_eq!(store.unread_notifications(anne.id).await.unwrap(), 0);
        db.finish().await;
    }
}

/// Who a notification reaches, for every family of recipients: only
/// active local accounts (never one waiting for verification or approval,
/// nor a suspended one, nor a remote actor), never the actor; project
/// news only members, and it stops being listed when they leave; the same
/// event twice is written once.
#[tokio::test]
async fn notifications_reach_active_local_recipients_only() {
    use preau::domain::{
        projects::{project_fields, ProjectInput},
        store::{
            commit,
            forums::add_moderator,
            notifications::{insert_notification, NewNotification, NotificationKind, Recipients},
            projects::{insert_project, upsert_member, MemberState, NewMember, Role},
        },
    };
    for db in databases().await {
        let store = &db.store;
        let mut people = Vec::new();
        for (name, status, admin) in [
            ("ada", AccountStatus::Active, true),
            ("anne", AccountStatus::Active, false),
            ("carl", AccountStatus::Active, false),
            ("pat", AccountStatus::PendingApproval, false),
            ("sam", AccountStatus::Suspended, true),
            ("val", AccountStatus::PendingVerification, false),
        ] {
            let id = store
                .create_account(&NewAccount {
                    status,
                    is_admin: admin,
                    ..person(name, &format!("{name}@example.org"))
                })
                .await
                .unwrap();
            people.push(store.account_by_id(id).await.unwrap().unwrap());
        }
        let [ada, anne, carl, pat, sam, val] = &people[..] else {
            unreachable!()
        };
        let zoe = remote_zoe(store).await;

        let mut tx = store.begin().await.unwrap();
        let group = group_actor("eco", "projects/eco");
        let fields = project_fields(&ProjectInput {
            title: "Éco".into(),
            visibility: "members".into(),
            status: "looking".into(),
            join_mode: "request".into(),
            ..ProjectInput::default()
        })
        .unwrap();
        let project = insert_project(&mut tx, &group, &fields, Some(anne.id))
            .await
            .unwrap();
        let member = |actor_id: ActorId, role: Role| NewMember {
            actor_id,
            role,
            state: MemberState::Member,
            activity_id: None,
            invited_by: None,
            updated_at: 1,
        };
        upsert_member(&mut tx, project, &member(anne.actor_id, Role::Owner))
            .await
            .unwrap();
        for id in [carl.actor_id, pat.actor_id, sam.actor_id, val.actor_id, zoe] {
            upsert_member(&mut tx, project, &member(id, Role::Member))
                .await
                .unwrap();
        }
        let forum = insert_open_forum(&mut tx, group_actor("maths", "forums/maths"), "Maths").await;
        for id in [carl.actor_id, sam.actor_id] {
            add_moderator(&mut tx, forum, id).await.unwrap();
        }

        let note = |kind, key: &str, actor: Option<ActorId>| {
            let mut note = NewNotification::new(kind, key.to_string());
            note.actor = actor;
            note.project = Some(project);
            note.title = "Éco".into();
            note.detail = Some("Réunion".into());
            note.link = "/projects/eco".into();
            note
        };
        async fn written(tx: &mut Tx, recipients: Recipients, note: NewNotification) -> usize {
            insert_notification(tx, &recipients, &note)
                .await
                .unwrap()
                .len()
        }
        // A new event by Anne: Carl only (not Anne, not the inactive, not
        // Zoe); written again, nothing.
        for expected in [1, 0] {
            let event = note(NotificationKind::NewEvent, "event:1", Some(anne.actor_id));
            assert_eq!(
                written(&mut tx, Recipients::ProjectMembers(project), event).await,
                expected
            );
        }
        // Zoe asks to join: the deciders (Anne).
        let asked = note(NotificationKind::JoinRequest, "join:1", Some(zoe));
        assert_eq!(
            written(&mut tx, Recipients::ProjectDeciders(project), asked).await,
            1
        );
        // An event for Carl and Ada: Ada is no member.
        let some = note(NotificationKind::NewEvent, "event:2", Some(anne.actor_id));
        let among = Recipients::MembersAmong(project, vec![carl.actor_id, ada.actor_id]);
        assert_eq!(written(&mut tx, among, some).await, 1);
        // Zoe let in by Anne: members but Anne and Zoe (Carl).
        let joined = note(NotificationKind::NewMember, "joined:1", Some(zoe));
        let but = Recipients::ProjectMembersBut(project, anne.actor_id);
        assert_eq!(written(&mut tx, but, joined).await, 1);
        // A report: the active local moderator (Carl, not Sam).
        let report = note(NotificationKind::Report, "flag:1", Some(zoe));
        assert_eq!(
            written(&mut tx, Recipients::ForumModerators(forum), report).await,
            1
        );
        // Pat signs up: the active admins (Ada, not Sam).
        let signup = note(
            NotificationKind::SignupPending,
            "account:1",
            Some(pat.actor_id),
        );
        assert_eq!(written(&mut tx, Recipients::Admins, signup).await, 1);
        // Nothing for inactive accounts, nor for remote actors.
        for account in [pat.id, sam.id, val.id] {
            let approved = note(NotificationKind::SignupApproved, "account:2", None);
            assert_eq!(
                written(&mut tx, Recipients::Account(account), approved).await,
                0
            );
        }
        let invited = note(
            NotificationKind::Invitation,
            "invite:1",
            Some(anne.actor_id),
        );
        let actors = Recipients::Actors(vec![zoe, val.actor_id, anne.actor_id, carl.actor_id]);
        assert_eq!(written(&mut tx, actors, invited).await, 1, "Carl only");
        commit(tx).await.unwrap();

        assert_eq!(store.unread_notifications(ada.id).await.unwrap(), 1);
        assert_eq!(store.unread_notifications(anne.id).await.unwrap(), 1);
        assert_eq!(store.unread_notifications(carl.id).await.unwrap(), 5);
        for account in [pat.id, sam.id, val.id] {
            assert_eq!(store.unread_notifications(account).await.unwrap(), 0);
        }
        let listed = store.notifications_of(carl.id, 20, 0).await.unwrap();
        let kinds: Vec<_> = listed.iter().map(|row| row.kind.as_str()).collect();
        assert_eq!(
            kinds,
            [
                "invitation",
                "report",
                "new_member",
                "new_event",
                "new_event"
            ]
        );
        assert_eq!(listed[3].title, "Éco");
        assert_eq!(listed[3].detail.as_deref(), Some("Réunion"));
        assert_eq!(listed[3].link, "/projects/eco");
        assert_eq!(listed[3].project_id, Some(project));
        assert_eq!(listed[3].actor_id, Some(anne.actor_id));

        // Carl leaves: the project's news are no longer his to read.
        let mut tx = store.begin().await.unwrap();
        let mut left = member(carl.actor_id, Role::Member);
        left.state = MemberState::Left;
        upsert_member(&mut tx, project, &left).await.unwrap();
        commit(tx).await.unwrap();
        let listed = store.notifications_of(carl.id, 20, 0).await.unwrap();
        let kinds: Vec<_> = listed.iter().map(|row| row.kind.as_str()).collect();
        assert_eq!(kinds, ["invitation", "report"]);
        assert_eq!(store.unread_notifications(carl.id).await.unwrap(), 2);
        db.finish().await;
    }
}

/// A teacher's home (issue 12) through the domain: posts by others in the
/// forums they follow and their projects only, newest first, what came
/// since the previous visit marked new; their agenda's next 14 days; the
/// header's counts; colleagues sharing their subject.
#[tokio::test]
async fn the_home_shows_what_is_new_where_the_teacher_follows() {
    use preau::domain::{
        home::FeedPlace,
        projects::{project_fields, ProjectInput},
        store::{
            commit,
            forums::{upsert_follow, FollowState},
            posts::insert_post,
            project_content::{insert_post as insert_project_post, NewProjectPost},
            project_events::{insert_event, NewEvent},
        },
    };
    const DAY: i64 = 24 * 3600 * 1000;
    for db in databases().await {
        let dir = tempfile::tempdir().unwrap();
        let mut settings = preau::config::Settings::default();
        settings.server.data_dir = dir.path().to_path_buf();
        settings.database.url = db.url.clone();
        let clock = preau::domain::clock::Clock::adjustable();
        let domain = preau::app::build_domain_with_clock(settings, clock.clone())
            .await
            .unwrap();
        let store = domain.store();
        let mut accounts = Vec::new();
        for name in ["lea", "marc"] {
            let id = store
                .create_account(&NewAccount {
                    status: AccountStatus::Active,
                    email_verified: true,
                    ..person(name, &format!("{name}@ac-rennes.fr"))
                })
                .await
                .unwrap();
            let account = store.account_by_id(id).await.unwrap().unwrap();
            store
                .save_profile(
                    account.actor_id,
                    &ProfileUpdate {
                        display_name: name.to_uppercase(),
                        bio_html: String::new(),
                        profile: ProfileRow {
                            subjects: vec!["SVT".into()],
                            ..ProfileRow::default()
                        },
                    },
                )
                .await
                .unwrap();
            accounts.push(account);
        }
        let (lea, marc) = (&accounts[0], &accounts[1]);
        let group = |name: &str| group_actor(name, &format!("x/{name}"));
        let mut tx = store.begin().await.unwrap();
        let mut forums = Vec::new();
        for name in ["followed", "other"] {
            forums.push(insert_open_forum(&mut tx, group(name), &format!("Forum {name}")).await);
        }
        upsert_follow(
            &mut tx,
            lea.actor_id,
            forums[0],
            FollowState::Accepted,
            "f1",
        )
        .await
        .unwrap();
        // Marc asks Lea to be a contact: a pending request.
        upsert_follow(
            &mut tx,
            marc.actor_id,
            lea.actor_id,
            FollowState::Pending,
            "f2",
        )
        .await
        .unwrap();
        commit(tx).await.unwrap();
        let fields = project_fields(&ProjectInput {
            title: "Jardin".into(),
            visibility: "members".into(),
            status: "running".into(),
            join_mode: "request".into(),
            ..ProjectInput::default()
        })
        .unwrap();
        let mine = store
            .create_project(&group("jardin"), &fields, Some(lea.id), lea.actor_id)
            .await
            .unwrap();
        let theirs = store
            .create_project(&group("theatre"), &fields, Some(marc.id), marc.actor_id)
            .await
            .unwrap();
        let now = domain.clock().now_ms();
        let post = |n: u32, forum, author, thread: Option<PostId>, at: i64| NewPost {
            title: format!("Sujet {n}"),
            source: format!("Message {n}"),
            published_at: at,
            ..forum_post(forum, n, author, thread, thread)
        };
        let project_post = |n: u32, project, at: i64| NewProjectPost {
            ap_id: format!("https://preau.test/objects/{n}"),
            project_id: project,
            thread_id: None,
            in_reply_to_id: None,
            author_id: marc.actor_id,
            title: format!("Projet {n}"),
            source: format!("Message de projet {n}"),
            content_html: String::new(),
            published_at: at,
            local: true,
        };
        let event = |n: u32, project, starts_at: i64| NewEvent {
            ap_id: format!("https://preau.test/events/{n}"),
            project_id: project,
            author_id: marc.actor_id,
            title: format!("Réunion {n}"),
            description_source: String::new(),
            description_html: String::new(),
            starts_at,
            ends_at: starts_at + 3_600_000,
            location: String::new(),
            meeting_url: String::new(),
            for_all: true,
            attendees: Vec::new(),
            created_at: now,
            local: true,
            time_zone: "Europe/Paris".into(),
        };
        let mut tx = store.begin().await.unwrap();
        let thread = insert_post(
            &mut tx,
            &post(1, forums[0], marc.actor_id, None, now - 2 * DAY),
        )
        .await
        .unwrap();
        // Not shown: Lea's own reply, a forum she does not follow, a post
        // older than the window, a project she is not in.
        insert_post(
            &mut tx,
            &post(2, forums[0], lea.actor_id, Some(thread), now - DAY),
        )
        .await
        .unwrap();
        insert_post(&mut tx, &post(3, forums[1], marc.actor_id, None, now - DAY))
            .await
            .unwrap();
        insert_post(
            &mut tx,
            &post(4, forums[0], marc.actor_id, Some(thread), now - 40 * DAY),
        )
        .await
        .unwrap();
        insert_project_post(&mut tx, &project_post(5, theirs, now - DAY))
            .await
            .unwrap();
        let in_project = insert_project_post(&mut tx, &project_post(6, mine, now - 3 * DAY))
            .await
            .unwrap();
        // Events: tomorrow (shown), in 20 days and in another project (not).
        insert_event(&mut tx, &event(1, mine, now + DAY))
            .await
            .unwrap();
        insert_event(&mut tx, &event(2, mine, now + 20 * DAY))
            .await
            .unwrap();
        insert_event(&mut tx, &event(3, theirs, now + DAY))
            .await
            .unwrap();
        commit(tx).await.unwrap();

        let counts = domain.header_counts(lea).await.unwrap();
        assert_eq!((counts.unread, counts.pending_requests), (0, 1));

        let home = domain.home_for(lea, 1).await.unwrap();
        assert_eq!(home.previous_visit, 0, "a first visit");
        let shown: Vec<_> = home.feed.iter().map(|i| (i.place, i.id)).collect();
        assert_eq!(
            shown,
            [
                (FeedPlace::Forum, thread.0),
                (FeedPlace::Project, in_project)
            ],
            "newest first, where Lea follows or belongs, by others, in the window"
        );
        assert!(
            home.feed.iter().all(|i| !i.is_new),
            "nothing is new on a first visit"
        );
        assert!(home.feed[0].is_thread && home.feed[0].thread_title == "Sujet 1");
        assert_eq!(home.feed[0].author.id, marc.actor_id);
        assert!(!home.has_more);
        let events: Vec<_> = home.events.iter().map(|e| e.event.title.as_str()).collect();
        assert_eq!(events, ["Réunion 1"]);
        assert_eq!(home.events[0].project_title, "Jardin");
        let people: Vec<_> = home
            .suggestions
            .people
            .iter()
            .map(|p| p.name.as_str())
            .collect();
        assert_eq!(
            people,
            ["marc"],
            "a colleague of the same subject, never Lea"
        );
        assert_eq!(home.suggestions.by, Some("subject"));
        let projects: Vec<_> = home
            .suggestions
            .projects
            .iter()
            .map(|p| p.actor.name.as_str())
            .collect();
        assert!(
            !projects.contains(&"jardin"),
            "never a project Lea is in: {projects:?}"
        );

        // An hour later, Marc replies; Lea's next visit shows it first, new.
        assert!(clock.advance(std::time::Duration::from_secs(3600)));
        let later = domain.clock().now_ms();
        let mut tx = store.begin().await.unwrap();
        let reply = insert_post(
            &mut tx,
            &post(7, forums[0], marc.actor_id, Some(thread), later),
        )
        .await
        .unwrap();
        commit(tx).await.unwrap();
        let home = domain.home_for(lea, 1).await.unwrap();
        let first_visit = home.previous_visit;
        assert!(
            (now..later).contains(&first_visit),
            "the previous visit: {first_visit}"
        );
        assert_eq!(home.new_count, 1);
        assert_eq!((home.feed[0].id, home.feed[0].is_new), (reply.0, true));
        assert_eq!(home.feed[0].thread_id, thread.0);
        assert!(!home.feed[0].is_thread && !home.feed[1].is_new);
        // Reopened a minute later: the same visit, the reply still new.
        assert!(clock.advance(std::time::Duration::from_secs(60)));
        let home = domain.home_for(lea, 1).await.unwrap();
        assert_eq!((home.previous_visit, home.new_count), (first_visit, 1));
        // Pages: an empty second page; page 0 refused.
        assert!(domain.home_for(lea, 2).await.unwrap().feed.is_empty());
        assert_eq!(
            domain.home_for(lea, 0).await.unwrap_err().code(),
            "invalid_page"
        );
        drop(domain);
        db.finish().await;
    }
}

/// Mailing-list mode: a new post is queued for every subscriber of its
/// forum who may get mail (active, verified), never its author; a
/// subscriber's pending notification mail about the same post is dropped
/// (one mail, not two); a row is claimed by one caller only; stopping drops
/// what was queued.
#[tokio::test]
async fn list_mails_reach_mailable_subscribers_once_and_are_claimed_once() {
    use preau::domain::store::{
        commit,
        mail_lists::{queue_forum_post, ListKind},
        mail_queue::MailQueue,
        notifications::{insert_notification, NewNotification, NotificationKind, Recipients},
        posts::insert_post,
    };
    for db in databases().await {
        let store = &db.store;
        let anne = &teacher_with(store, "anne", AccountStatus::Active, true).await;
        let carl = &teacher_with(store, "carl", AccountStatus::Active, true).await;
        let dora = &teacher_with(store, "dora", AccountStatus::Active, false).await;
        let forum = maths_forum(store).await;
        for account in [anne, carl, dora] {
            store
                .add_mail_subscription(account.id, forum, ListKind::Forum)
                .await
                .unwrap();
        }
        // Twice: no second row.
        store
            .add_mail_subscription(carl.id, forum, ListKind::Forum)
            .await
            .unwrap();
        assert!(store.has_mail_subscription(carl.id, forum).await.unwrap());
        assert_eq!(store.mail_subscriptions_of(carl.id).await.unwrap().len(), 1);

        let post = |n: u32, author, thread: Option<PostId>| NewPost {
            title: if thread.is_some() {
                String::new()
            } else {
                "Fractions".into()
            },
            ..forum_post(forum, n, author, thread, thread)
        };
        // Carl's thread: Anne only (Carl wrote it, Dora is not verified).
        let mut tx = store.begin().await.unwrap();
        let thread = insert_post(&mut tx, &post(1, carl.actor_id, None))
            .await
            .unwrap();
        assert_eq!(
            queue_forum_post(&mut tx, thread, forum, carl.actor_id)
                .await
                .unwrap(),
            1
        );
        // Anne replies: Carl is notified (a mail at once) and gets the
        // list mail; the notification mail is dropped.
        let reply = insert_post(&mut tx, &post(2, anne.actor_id, Some(thread)))
            .await
            .unwrap();
        let mut note = NewNotification::new(NotificationKind::Reply, format!("post:{}", reply.0));
        note.actor = Some(anne.actor_id);
        note.post = Some(reply);
        note.thread = Some(thread);
        note.title = "Fractions".into();
        note.link = format!("/threads/{}", thread.0);
        let written = insert_notification(&mut tx, &Recipients::Account(carl.id), &note)
            .await
            .unwrap();
        assert_eq!(written.len(), 1);
        assert_eq!(
            queue_forum_post(&mut tx, reply, forum, anne.actor_id)
                .await
                .unwrap(),
            1
        );
        commit(tx).await.unwrap();
        assert!(
            store.pending_instant_mails(10).await.unwrap().is_empty(),
            "the list mail replaces the notification mail"
        );

        let pending = store.pending_list_mails(10).await.unwrap();
        assert_eq!(pending.len(), 2);
        assert_eq!(pending[0].account_id, anne.id);
        assert_eq!(pending[0].post_id, thread.0);
        assert_eq!(pending[0].thread_title, "Fractions");
        assert_eq!(pending[1].account_id, carl.id);
        assert_eq!(pending[1].thread_id, thread.0);
        assert_eq!(pending[1].in_reply_to_id, Some(thread.0));
        assert_eq!(pending[1].thread_title, "Fractions");
        assert!(pending.iter().all(|row| row.visible == 1));
        let ids: Vec<i64> = pending.iter().map(|row| row.mail_id).collect();
        assert_eq!(
            store
                .claim_queued_mails(MailQueue::Lists, &ids)
                .await
                .unwrap()
                .len(),
            2
        );
        assert!(
            store
                .claim_queued_mails(MailQueue::Lists, &ids)
                .await
                .unwrap()
                .is_empty(),
            "a claimed row is claimed once"
        );
        store
            .finish_queued_mails(MailQueue::Lists, &ids, "sent")
            .await
            .unwrap();

        // Anne stops: what was queued for her is dropped.
        let mut tx = store.begin().await.unwrap();
        let third = insert_post(&mut tx, &post(3, carl.actor_id, Some(thread)))
            .await
            .unwrap();
        queue_forum_post(&mut tx, third, forum, carl.actor_id)
            .await
            .unwrap();
        commit(tx).await.unwrap();
        assert!(store
            .remove_mail_subscription(anne.id, forum)
            .await
            .unwrap());
        assert!(!store
            .remove_mail_subscription(anne.id, forum)
            .await
            .unwrap());
        assert!(store.pending_list_mails(10).await.unwrap().is_empty());
        assert!(store
            .mail_subscriptions_of(anne.id)
            .await
            .unwrap()
            .is_empty());
        db.finish().await;
    }
}

/// Writes a `reply` notification for `recipient` (keyed `key`) through the
/// one insert, which queues its mail as the recipient chose.
async fn notify_reply(
    store: &Store,
    recipient: preau::domain::store::accounts::AccountId,
    key: &str,
) {
    use preau::domain::store::notifications::{
        insert_notification, NewNotification, NotificationKind, Recipients,
    };
    let mut tx = store.begin().await.unwrap();
    let note = NewNotification::new(NotificationKind::Reply, key.to_string());
    let written = insert_notification(&mut tx, &Recipients::Account(recipient), &note)
        .await
        .unwrap();
    assert_eq!(written.len(), 1);
    preau::domain::store::commit(tx).await.unwrap();
}

/// The ids of the rows of `queue` a sender is offered now.
async fn offered(store: &Store, queue: preau::domain::store::mail_queue::MailQueue) -> Vec<i64> {
    use preau::domain::store::mail_queue::MailQueue;
    match queue {
        MailQueue::Notifications => store
            .pending_instant_mails(10)
            .await
            .unwrap()
            .iter()
            .map(|row| row.mail_id)
            .collect(),
        MailQueue::Lists => store
            .pending_list_mails(10)
            .await
            .unwrap()
            .iter()
            .map(|row| row.mail_id)
            .collect(),
    }
}

/// The claim lease on the one row waiting in `queue`: a process claims
/// it, then dies before sending; while its claim lasts, the row is neither
/// offered nor claimed by another; once it lapsed, it is offered and
/// claimed again, once (the new claim holds). Answers the row's id.
async fn claimed_until_the_lease_lapses(
    store: &Store,
    clock: &preau::domain::clock::Clock,
    queue: preau::domain::store::mail_queue::MailQueue,
) -> Vec<i64> {
    use preau::domain::store::mail_queue::CLAIM_LEASE_MS;
    let ms = |ms: i64| std::time::Duration::from_millis(ms as u64);
    let ids = offered(store, queue).await;
    assert_eq!(ids.len(), 1);
    assert_eq!(store.claim_queued_mails(queue, &ids).await.unwrap(), ids);
    for wait in [0, CLAIM_LEASE_MS - 60_000] {
        clock.advance(ms(wait));
        assert!(offered(store, queue).await.is_empty(), "{queue:?}");
        assert!(store
            .claim_queued_mails(queue, &ids)
            .await
            .unwrap()
            .is_empty());
    }
    clock.advance(ms(120_000));
    assert_eq!(offered(store, queue).await, ids, "{queue:?}");
    assert_eq!(store.claim_queued_mails(queue, &ids).await.unwrap(), ids);
    assert!(
        store
            .claim_queued_mails(queue, &ids)
            .await
            .unwrap()
            .is_empty(),
        "the new claim holds"
    );
    ids
}

#[tokio::test]
async fn mail_claims_lapse_after_a_crash_and_the_queue_is_purged() {
    use preau::domain::store::{
        mail_queue::MailQueue,
        notification_mail::{DAY_MS, KEPT_MS},
    };
    use std::time::Duration;
    let ms = |ms: i64| Duration::from_millis(ms as u64);
    for db in databases().await {
        let clock = preau::domain::clock::Clock::adjustable();
        let store = db.store.clone().with_clock(clock.clone());
        let anne = teacher_with(&store, "anne", AccountStatus::Active, true)
            .await
            .id;

        // A reply is mailed at once (the default): one process claims the
        // row, then dies before sending.
        notify_reply(&store, anne, "post:1").await;
        let ids = claimed_until_the_lease_lapses(&store, &clock, MailQueue::Notifications).await;
        store
            .finish_queued_mails(MailQueue::Notifications, &ids, "sent")
            .await
            .unwrap();
        assert!(store.pending_instant_mails(10).await.unwrap().is_empty());

        // Replies to the digest: queued while a digest is chosen...
        store
            .set_notification_settings(anne, &[("reply", "digest")], None)
            .await
            .unwrap();
        notify_reply(&store, anne, "post:2").await;
        let later = store.now_ms() + 2 * DAY_MS;
        let due = store.due_digests(later, 10).await.unwrap();
        assert_eq!(due.len(), 1);
        assert_eq!(due[0].items.len(), 1);
        // ...dropped when the teacher chooses none, and no longer queued.
        store
            .set_notification_settings(anne, &[], Some("none"))
            .await
            .unwrap();
        notify_reply(&store, anne, "post:3").await;
        store
            .set_notification_settings(anne, &[], Some("daily"))
            .await
            .unwrap();
        assert!(
            store.due_digests(later, 10).await.unwrap().is_empty(),
            "nothing waits for a digest nobody gets"
        );

        // The sent row stays 30 days (the hourly cap reads recent ones),
        // then goes.
        assert_eq!(
            store
                .purge_notification_mails(store.now_ms())
                .await
                .unwrap(),
            0
        );
        clock.advance(ms(KEPT_MS + DAY_MS));
        assert_eq!(
            store
                .purge_notification_mails(store.now_ms())
                .await
                .unwrap(),
            1
        );
        db.finish().await;
    }
}

/// A list mail left `sending` by a process that died is offered and
/// claimed again once its claim lapsed, while a fresh claim is never taken
/// by a second claimer; unsubscribing drops it too.
#[tokio::test]
async fn a_list_mail_claim_lapses_after_a_crash() {
    use preau::domain::store::{
        commit,
        mail_lists::{queue_forum_post, ListKind},
        mail_queue::{MailQueue, CLAIM_LEASE_MS},
        posts::insert_post,
    };
    use std::time::Duration;
    let ms = |ms: i64| Duration::from_millis(ms as u64);
    for db in databases().await {
        let clock = preau::domain::clock::Clock::adjustable();
        let store = db.store.clone().with_clock(clock.clone());
        let anne = teacher_with(&store, "anne", AccountStatus::Active, true).await;
        let carl = teacher_with(&store, "carl", AccountStatus::Active, true).await;
        let forum = maths_forum(&store).await;
        store
            .add_mail_subscription(anne.id, forum, ListKind::Forum)
            .await
            .unwrap();
        let mut tx = store.begin().await.unwrap();
        let thread = insert_post(&mut tx, &forum_post(forum, 1, carl.actor_id, None, None))
            .await
            .unwrap();
        queue_forum_post(&mut tx, thread, forum, carl.actor_id)
            .await
            .unwrap();
        commit(tx).await.unwrap();

        // One process claims Anne's list mail, then dies before sending.
        let ids = claimed_until_the_lease_lapses(&store, &clock, MailQueue::Lists).await;
        // Anne stops while it is claimed: its sender failing does not
        // bring it back, and once the claim lapses, it is not retried.
        assert!(store
            .remove_mail_subscription(anne.id, forum)
            .await
            .unwrap());
        store
            .finish_queued_mails(MailQueue::Lists, &ids, "pending")
            .await
            .unwrap();
        assert!(store.pending_list_mails(10).await.unwrap().is_empty());
        clock.advance(ms(CLAIM_LEASE_MS + 60_000));
        assert!(store.pending_list_mails(10).await.unwrap().is_empty());
        assert!(store
            .claim_queued_mails(MailQueue::Lists, &ids)
            .await
            .unwrap()
            .is_empty());

        db.finish().await;
    }
}

#[tokio::test]
async fn a_reply_by_mail_is_recorded_with_its_post_or_not_at_all() {
    use preau::domain::store::{
        commit,
        posts::{insert_post, NewPost, PostKind},
        reply_mails::{claim_reply_mail, ReplyMailClaim},
    };
    for db in databases().await {
        let store = &db.store;
        let anne = store
            .create_account(&person("anne", "anne@example.org"))
            .await
            .unwrap();
        let anne = store.account_by_id(anne).await.unwrap().unwrap();
        let mut tx = store.begin().await.unwrap();
        let forum = insert_open_forum(&mut tx, group_actor("maths", "forums/maths"), "Maths").await;
        commit(tx).await.unwrap();
        let post = |n: u32| NewPost {
            ap_id: format!("https://preau.test/posts/{n}"),
            kind: PostKind::Thread,
            forum_id: forum,
            thread_id: None,
            in_reply_to_id: None,
            author_id: anne.actor_id,
            title: "Par courriel".into(),
            source: format!("post {n}"),
            content_html: String::new(),
            context_url: None,
            published_at: 1,
            local: true,
        };
        let claim = ReplyMailClaim {
            account: anne.id,
            message_id: "<1@example.org>".into(),
        };

        // A failure (or a crash) after the record and the post, before the
        // commit: neither is left, so the message may come again.
        let mut tx = store.begin().await.unwrap();
        assert!(claim_reply_mail(&mut tx, &claim).await.unwrap());
        let lost = insert_post(&mut tx, &post(1)).await.unwrap();
        drop(tx);
        assert!(!store.reply_mail_claimed(&claim).await.unwrap());
        assert!(store.post(lost).await.unwrap().is_none());

        // Delivered again: recorded and posted together.
        let mut tx = store.begin().await.unwrap();
        assert!(claim_reply_mail(&mut tx, &claim).await.unwrap());
        let posted = insert_post(&mut tx, &post(2)).await.unwrap();
        commit(tx).await.unwrap();
        assert!(store.reply_mail_claimed(&claim).await.unwrap());
        assert!(store.post(posted).await.unwrap().is_some());

        // A third delivery finds the record in its own transaction: the
        // caller posts nothing. Another Message-ID, or another teacher's
        // same Message-ID, is new.
        let mut tx = store.begin().await.unwrap();
        assert!(!claim_reply_mail(&mut tx, &claim).await.unwrap());
        let other = ReplyMailClaim {
            message_id: "<2@example.org>".into(),
            ..claim.clone()
        };
        assert!(claim_reply_mail(&mut tx, &other).await.unwrap());
        drop(tx);
        db.finish().await;
    }
}

#[tokio::test]
async fn a_mirror_stored_twice_at_once_is_stored_once_without_an_error() {
    use preau::domain::store::conversations::insert_mirrored_conversation;
    for db in databases().await {
        let store = &db.store;
        let zoe = remote_zoe(store).await;
        let ap_id = "https://elsewhere.example/conversations/7";
        let mut first = store.begin().await.unwrap();
        let stored = insert_mirrored_conversation(&mut first, ap_id, "Sortie", zoe, None)
            .await
            .unwrap();
        assert!(stored.is_some());
        // A second invitation received meanwhile: it waits for the first
        // transaction (the unique id on PostgreSQL, the write lock on
        // SQLite) and then finds the mirror stored.
        let second = {
            let store = store.clone();
            tokio::spawn(async move {
                let mut tx = store.begin().await.unwrap();
                let stored = insert_mirrored_conversation(&mut tx, ap_id, "Sortie", zoe, None)
                    .await
                    .unwrap();
                preau::domain::store::commit(tx).await.unwrap();
                stored
            })
        };
        preau::domain::store::commit(first).await.unwrap();
        let again = tokio::time::timeout(std::time::Duration::from_secs(30), second)
            .await
            .expect("the second transaction ends")
            .unwrap();
        assert_eq!(again, None, "the second finds it stored");
        let mirror = store.conversation_by_ap_id(ap_id).await.unwrap().unwrap();
        assert_eq!(mirror.name, "Sortie");
        assert_eq!(Some(mirror.id), stored);
        db.finish().await;
    }
}
