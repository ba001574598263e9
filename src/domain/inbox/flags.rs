//! Reports (`Flag`) from other servers about posts known here.

use super::Applied;
use crate::{
    domain::store::{actors::ActorRow, posts},
    domain::{notify_events::notify_report, Domain, DomainResult},
};

impl Domain {
    /// A report (`Flag`) from any server about posts known here: each lands
    /// in the queue of the moderators of the post's forum.
    pub async fn receive_flag(
        &self,
        activity_id: &str,
        reporter: &ActorRow,
        objects: &[String],
        reason: &str,
    ) -> DomainResult<Applied> {
        // Read before the transaction: on SQLite a read on the pool while
        // holding the write lock can wait for a connection that waits for
        // the lock (see `Store::pool`).
        let mut reported = Vec::new();
        for object in objects {
            if let Some(post) = self.store.post_by_ap_id(object).await? {
                let forum = self.store.forum(post.forum_id).await?;
                reported.push((post, forum));
            }
        }
        let Some(mut tx) = self.begin_applying(activity_id).await? else {
            return Ok(Applied::Duplicate);
        };
        let mut applied = Applied::Ignored;
        for (post, forum) in reported {
            {
                if let Some(forum) = forum {
                    let key = format!("{activity_id}#{}", post.id.0);
                    notify_report(&mut tx, &forum, reporter.id, &post, reason, &key).await?;
                }
                posts::insert_report(
                    &mut tx,
                    &posts::NewReport {
                        activity_id: format!("{activity_id}#{}", post.id.0),
                        reporter_id: reporter.id,
                        forum_id: Some(post.forum_id),
                        post_id: Some(post.id),
                        object_ap_id: post.ap_id.clone(),
                        reason: reason.chars().take(1000).collect(),
                    },
                )
                .await?;
                applied = Applied::Applied;
            }
        }
        crate::domain::store::commit(tx).await?;
        Ok(applied)
    }
}
