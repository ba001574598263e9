//! A relaying forum never speaks for another origin's author: content is
//! stored as written by a teacher only when its id is on that teacher's
//! origin and it was delivered by that origin or fetched from it, and a
//! local teacher's content is never taken from outside.

use super::forums::post_as_forum;
use super::support::{
    client::{Answer, Client},
    *,
};
use serde_json::{json, Value};

async fn code_of(response: Answer) -> (u16, String) {
    response.error()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_relaying_forum_cannot_put_words_in_other_teachers_mouths() {
    for engine in engines() {
        let mut instances = Vec::new();
        for _ in 0..3 {
            let (mut s, dir) = settings(engine, None);
            fast_delivery(&mut s);
            instances.push(start(engine, s, dir).await);
        }
        let third = instances.pop().unwrap();
        let reader = instances.pop().unwrap();
        let academy = instances.pop().unwrap();

        // A forum on the academy, followed from the reader and the third.
        let anne = Client::teacher(&academy, "anne", true).await;
        let response = anne
            .post(
                &academy.url("/api/v1/forums"),
                json!({"name": "maths", "title": "Maths"}),
            )
            .await;
        assert_eq!(response.status, 201);
        let bea = Client::teacher(&reader, "bea", false).await;
        let tom = Client::teacher(&third, "tom", false).await;
        for (instance, teacher) in [(&reader, &bea), (&third, &tom)] {
            let response = teacher
                .post(
                    &instance.url("/api/v1/forums/follow"),
                    json!({"handle": format!("maths@{}", academy.domain)}),
                )
                .await;
            assert_eq!(response.status, 202);
        }
        let forum_id = academy.url("/forums/maths");
        for instance in [&reader, &third] {
            let store = &instance.running.state.domain.store();
            after_delivery(
                &[&academy, &reader, &third],
                "the forum is known",
                || async { store.forum_by_ap_id(&forum_id).await.unwrap().is_some() },
            )
            .await;
            let accounts = store.list_accounts(None).await.unwrap();
            let forum = store.forum_by_ap_id(&forum_id).await.unwrap().unwrap();
            after_delivery(
                &[&academy, &reader, &third],
                "the follow is accepted",
                || async {
                    store
                        .follow(accounts[0].actor_id, forum.actor.id)
                        .await
                        .unwrap()
                        .is_some_and(|f| {
                            f.state == preau::domain::store::forums::FollowState::Accepted
                        })
                },
            )
            .await;
        }

        // Tom (third instance) starts a real thread; it reaches the reader.
        let thread: Value = tom
            .post(
                &third.url(&format!("/api/v1/forums/maths@{}/threads", academy.domain)),
                json!({"title": "Fractions", "body": "Vraie question de Tom"}),
            )
            .await
            .json;
        let tom_thread = thread["ap_id"].as_str().unwrap().to_string();
        let reader_store = &reader.running.state.domain.store();
        after_delivery(
            &[&academy, &reader, &third],
            "Tom's thread reaches the reader",
            || async {
                reader_store
                    .post_by_ap_id(&tom_thread)
                    .await
                    .unwrap()
                    .is_some()
            },
        )
        .await;

        // The forum, with its real key, relays forged content.
        let forum = academy.forum_here("maths").await;
        let bea_id = reader.url("/users/bea");
        let tom_id = third.url("/users/tom");
        let relay = |n: &str, inner: Value| {
            json!({
                "@context": "https://www.w3.org/ns/activitystreams",
                "id": academy.url(&format!("/activities/relay-{n}")),
                "type": "Announce",
                "actor": forum.actor.ap_id,
                "to": ["https://www.w3.org/ns/activitystreams#Public"],
                "cc": [format!("{}/followers", forum.actor.ap_id)],
                "object": inner,
            })
        };
        let page = |id: String, author: &str| {
            json!({
                "id": id,
                "type": "Page",
                "name": "Fil forgé",
                "content": "<p>Des mots que personne n'a écrits</p>",
                "attributedTo": author,
                "audience": forum.actor.ap_id,
                "to": ["https://www.w3.org/ns/activitystreams#Public"],
            })
        };
        let create = |id: String, actor: &str, object: Value| {
            json!({
                "id": id,
                "type": "Create",
                "actor": actor,
                "to": ["https://www.w3.org/ns/activitystreams#Public"],
                "object": object,
            })
        };
        let send = |body: Value| {
            let inbox = reader.url("/inbox");
            let forum = &forum;
            async move { post_as_forum(&inbox, forum, &body).await }
        };

        // 1. A post on the forum's host, said to be by a local teacher of
        //    the reader: never stored.
        let forged_local = academy.url("/posts/forged-local");
        let response = send(relay(
            "1",
            create(
                reader.url("/activities/forged-1"),
                &bea_id,
                page(forged_local.clone(), &bea_id),
            ),
        ))
        .await;
        assert!((200..300).contains(&response.status) || response.status == 403);
        // 2. A post on the forum's host, said to be by Tom of the third
        //    instance: refused.
        let forged_tom = academy.url("/posts/forged-tom");
        let response = send(relay(
            "2",
            create(
                third.url("/activities/forged-2"),
                &tom_id,
                page(forged_tom.clone(), &tom_id),
            ),
        ))
        .await;
        assert_eq!(
            code_of(response).await,
            (403, "author_mismatch".into()),
            "{engine:?}"
        );
        // 3. A post on Tom's host that Tom never wrote, embedded by the
        //    forum: read from Tom's instance, which does not have it.
        let forged_on_third = third.url("/posts/never-written");
        let response = send(relay(
            "3",
            create(
                third.url("/activities/forged-3"),
                &tom_id,
                page(forged_on_third.clone(), &tom_id),
            ),
        ))
        .await;
        assert_eq!(
            code_of(response).await,
            (400, "object_unavailable".into()),
            "{engine:?}"
        );
        // 4. Tom's real thread with forged words (an Update): the new
        //    version is read from Tom's instance, so the words stay his.
        let mut forged_edit = page(tom_thread.clone(), &tom_id);
        forged_edit["name"] = json!("Fractions");
        let response = send(relay(
            "4",
            json!({
                "id": third.url("/activities/forged-4"),
                "type": "Update",
                "actor": tom_id,
                "object": forged_edit,
            }),
        ))
        .await;
        assert!(response.status < 500, "{engine:?}");
        // 5. Tom "deletes" his thread, relayed by the forum while it is
        //    still on his instance: refused.
        let response = send(relay(
            "5",
            json!({
                "id": third.url("/activities/forged-5"),
                "type": "Delete",
                "actor": tom_id,
                "object": tom_thread,
            }),
        ))
        .await;
        assert_eq!(
            code_of(response).await,
            (403, "not_deleted_at_origin".into()),
            "{engine:?}"
        );
        // 6. Directly signed by the forum (not relayed), a post said to be
        //    by the reader's teacher: refused.
        let forged_direct = academy.url("/posts/forged-direct");
        let direct = create(
            academy.url("/activities/forged-6"),
            &forum.actor.ap_id,
            page(forged_direct.clone(), &bea_id),
        );
        let response = send(direct).await;
        assert!(response.status < 500, "{engine:?}");

        for id in [&forged_local, &forged_tom, &forged_on_third, &forged_direct] {
            assert!(
                reader_store.post_by_ap_id(id).await.unwrap().is_none(),
                "{engine:?}: {id} was stored"
            );
        }
        let stored = reader_store
            .post_by_ap_id(&tom_thread)
            .await
            .unwrap()
            .unwrap();
        assert!(stored.is_visible(), "{engine:?}");
        assert!(
            stored.content_html.contains("Vraie question de Tom"),
            "{engine:?}: {}",
            stored.content_html
        );

        // And the forum's own teacher's post, embedded by the forum on its
        // own host, is taken as relayed.
        let genuine = academy.url("/posts/genuine-by-anne");
        let anne_id = academy.url("/users/anne");
        let mut genuine_page = page(genuine.clone(), &anne_id);
        genuine_page["name"] = json!("Fil d'Anne");
        let response = send(relay(
            "7",
            create(academy.url("/activities/genuine-7"), &anne_id, genuine_page),
        ))
        .await;
        assert_eq!(response.status, 202, "{engine:?}");
        let post = reader_store.post_by_ap_id(&genuine).await.unwrap().unwrap();
        assert_eq!(
            reader_store
                .actor_by_id(post.author_id)
                .await
                .unwrap()
                .unwrap()
                .ap_id,
            anne_id
        );

        academy.stop().await;
        reader.stop().await;
        third.stop().await;
    }
}
