//! Moderation across instances (issue 13): the moderators' queue across
//! forums, resolving a report by removing the post (its author reads the
//! reason, never who reported it; the post's other reports, here and on a
//! following instance, are closed with it) and dismissing one.

use super::support::{client::Client, *};
use preau::domain::store::actors::ActorId;
use serde_json::json;

/// The open reports `instance` holds about `post` (`ap_id`), every forum's.
async fn open_reports_about(instance: &TestInstance, post: &str) -> usize {
    instance
        .store()
        .open_reports_queue(ActorId(0), true)
        .await
        .unwrap()
        .iter()
        .filter(|report| report.object_ap_id == post)
        .count()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn moderators_resolve_and_dismiss_reports_and_the_author_reads_why() {
    for engine in engines() {
        let (academy, association) = start_pair(engine).await;
        let anne = Client::teacher(&academy, "anne", true)
            .await
            .log_in_pages("anne")
            .await;
        anne.create_forum("maths", "Mathématiques").await;
        // A teacher of the other instance follows the forum (and reports
        // from there below).
        let bea = Client::teacher(&association, "bea", false).await;
        bea.follow_forum(&format!("!maths@{}", academy.domain))
            .await;
        deliver_all(&[&academy, &association]).await;
        let dora = Client::teacher(&academy, "dora", false)
            .await
            .log_in_pages("dora")
            .await;
        let eli = Client::teacher(&academy, "eli", false)
            .await
            .log_in_pages("eli")
            .await;
        let spam = dora
            .post_thread("maths", "Achetez mes fiches", "Promo !")
            .await;
        let spam_id = spam["id"].as_i64().unwrap();
        let fine = dora
            .post_thread("maths", "Fractions en 6e", "Vos idées ?")
            .await;
        let fine_id = fine["id"].as_i64().unwrap();
        for (id, reason) in [(spam_id, "Publicité"), (fine_id, "Hors sujet ?")] {
            eli.post(
                &format!("/api/v1/posts/{id}/report"),
                json!({"reason": reason}),
            )
            .await
            .expect(202);
        }

        let handle = format!("maths@{}", academy.domain);
        let threads = remote_threads(&[&academy, &association], &bea, &handle, 2).await;
        let remote_spam = threads
            .iter()
            .find(|t| t["title"] == "Achetez mes fiches")
            .expect("the thread reached the follower");
        let remote_spam_id = remote_spam["id"].as_i64().unwrap();
        bea.post(
            &format!("/api/v1/posts/{remote_spam_id}/report"),
            json!({"reason": "Spam"}),
        )
        .await
        .expect(202);
        let spam_ap_id = academy
            .store()
            .post(preau::domain::store::posts::PostId(spam_id))
            .await
            .unwrap()
            .unwrap()
            .ap_id;
        after_delivery(
            &[&academy, &association],
            "both reports of the thread wait here, one on the follower",
            || async {
                open_reports_about(&academy, &spam_ap_id).await == 2
                    && open_reports_about(&association, &spam_ap_id).await == 1
            },
        )
        .await;

        // The admin's header links the queue with its count; the queue
        // lists the three reports with the forum; a teacher who moderates
        // nothing has no link and an empty queue.
        let home = anne.page("/forums").await;
        assert!(home.contains("href=\"/moderation/reports\""), "{home}");
        let queue = anne.page("/moderation/reports").await;
        assert_eq!(queue.matches("class=\"report\"").count(), 3, "{queue}");
        assert!(queue.contains("Publicité") && queue.contains("Spam"));
        assert!(queue.contains("Mathématiques"), "the forum is named");
        assert!(!eli.page("/forums").await.contains("/moderation/reports"));
        let empty = eli.page("/moderation/reports").await;
        assert_eq!(empty.matches("class=\"report\"").count(), 0);
        let answer = eli.get("/forums/maths/reports").await;
        assert_eq!(answer.status, 403);

        let reports = academy
            .store()
            .open_reports_queue(ActorId(0), true)
            .await
            .unwrap();
        let spam_report = reports.iter().find(|r| r.reason == "Publicité").unwrap().id;
        let fine_report = reports
            .iter()
            .find(|r| r.reason == "Hors sujet ?")
            .unwrap()
            .id;
        let resolve = format!("/moderation/reports/{spam_report}/resolve");

        // Removing without a reason is refused, the note kept.
        let refused = anne
            .submit(
                "/moderation/reports",
                &resolve,
                &[("note", "Déjà vu"), ("remove", "on"), ("confirmed", "1")],
            )
            .await;
        assert_eq!(refused.status, 422, "{}", refused.text);
        assert!(refused.text.contains("Déjà vu"));
        assert_eq!(open_reports_about(&academy, &spam_ap_id).await, 2);

        // With a reason, a confirmation first, naming what the author reads.
        let fields = [
            ("note", "Déjà vu"),
            ("remove", "on"),
            ("reason", "Publicité commerciale"),
            ("back", "/moderation/reports"),
        ];
        let confirm = anne.submit("/moderation/reports", &resolve, &fields).await;
        assert_eq!(confirm.status, 200);
        assert!(confirm.text.contains("class=\"danger\""));
        assert!(confirm.text.contains("Publicité commerciale"));
        assert_eq!(open_reports_about(&academy, &spam_ap_id).await, 2);
        let mut confirmed = fields.to_vec();
        confirmed.push(("confirmed", "1"));
        let done = anne
            .submit("/moderation/reports", &resolve, &confirmed)
            .await;
        assert_eq!(done.status, 303, "{}", done.text);
        assert_eq!(done.location.as_deref(), Some("/moderation/reports"));
        let queue = anne.page("/moderation/reports").await;
        assert!(queue.contains("Achetez mes fiches"), "the notice names it");
        assert_eq!(queue.matches("class=\"report\"").count(), 1, "{queue}");
        assert_eq!(open_reports_about(&academy, &spam_ap_id).await, 0);

        // Its author reads the reason, on the thread and the forum, and
        // never who reported it; others read only that it was removed.
        let gone = dora.get(&format!("/threads/{spam_id}")).await;
        assert_eq!(gone.status, 410);
        assert!(gone.text.contains("Publicité commerciale"), "{}", gone.text);
        assert!(!gone.text.contains("eli@"));
        let forum = dora.page("/forums/maths").await;
        assert!(forum.contains("Publicité commerciale"), "{forum}");
        let other = eli.get(&format!("/threads/{spam_id}")).await;
        assert_eq!(other.status, 410);
        assert!(!other.text.contains("Publicité commerciale"));
        assert!(!eli
            .page("/forums/maths")
            .await
            .contains("Publicité commerciale"));

        // The follower's own report is closed by the forum's removal.
        after_delivery(
            &[&academy, &association],
            "the removal closes the follower's report",
            || async { open_reports_about(&association, &spam_ap_id).await == 0 },
        )
        .await;

        // "Classer": dismissed with a note, the thread stays; twice is 409.
        let dismiss = format!("/moderation/reports/{fine_report}/dismiss");
        let back = [("note", "Dans le sujet"), ("back", "/forums/maths/reports")];
        let done = anne.submit("/forums/maths/reports", &dismiss, &back).await;
        assert_eq!(done.status, 303, "{}", done.text);
        assert_eq!(done.location.as_deref(), Some("/forums/maths/reports"));
        assert_eq!(dora.get(&format!("/threads/{fine_id}")).await.status, 200);
        let again = anne.submit("/forums/maths/reports", &dismiss, &back).await;
        assert_eq!(again.status, 409);
        assert!(again.text.contains("report_closed") || again.text.contains("déjà traité"));
        let queue = anne.page("/moderation/reports").await;
        assert_eq!(queue.matches("class=\"report\"").count(), 0, "{queue}");

        academy.stop().await;
        association.stop().await;
    }
}
