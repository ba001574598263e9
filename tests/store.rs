//! Store tests on SQLite and, when `PREAU_TEST_POSTGRES_URL` is set, on
//! PostgreSQL: each test gets a fresh database.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a panic is a failure report

use preau::store::{
    accounts::{AccountStatus, NewAccount},
    actors::{ActorKindRow, NewActor},
    is_unique_violation, now_ms,
    profiles::{ProfileRow, ProfileUpdate},
    tokens::TokenPurpose,
    Store,
};

struct TestDb {
    store: Store,
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
        drop_url: None,
        _dir: dir,
    });
    match std::env::var("PREAU_TEST_POSTGRES_URL") {
        Ok(base) if !base.is_empty() => {
            let mut url = url::Url::parse(&base).unwrap();
            static COUNTER: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
            let serial = COUNTER.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            let name = format!("preau_store_{}_{}_{serial}", std::process::id(), now_ms());
            url.set_path(&format!("/{name}"));
            let store = Store::connect(url.as_str(), 4).await.unwrap();
            store.migrate().await.unwrap();
            out.push(TestDb { store, drop_url: Some((base, name)), _dir: tempfile::tempdir().unwrap() });
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
        let later = now_ms() + 60_000;
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
            .create_email_token("expired", id, TokenPurpose::ResetPassword, now_ms() - 1)
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
            .create_session("live", id, now_ms() + 60_000)
            .await
            .unwrap();
        store.create_session("old", id, now_ms() - 1).await.unwrap();
        assert_eq!(store.session_account("live").await.unwrap(), Some(id));
        assert_eq!(store.session_account("old").await.unwrap(), None);
        assert!(store.purge_expired().await.unwrap() >= 1);
        store.delete_account_sessions(id).await.unwrap();
        assert_eq!(store.session_account("live").await.unwrap(), None);
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
            .count_active_accounts([now_ms() - 1000, 0])
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
    use preau::store::{inbox::record_received, StoreError, WriteWork};
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
