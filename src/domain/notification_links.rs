//! Where a notification leads, and opening it from the notifications
//! page: the link is followed and the notification marked read in one
//! step (`GET /notifications/{id}/open`).

use super::{
    notifications::{MarkRead, Notification},
    Domain, DomainResult, Refusal,
};
use crate::domain::store::accounts::AccountRow;

/// The path of a reply in its thread's page: the reply's anchor.
fn reply_link(thread: i64, post: i64) -> String {
    format!("{}#post-{post}", crate::urls::thread_page(thread))
}

impl Notification {
    /// The path on this instance that shows the notification's object.
    pub fn link(&self) -> String {
        reply_link(self.thread_id.0, self.post_id.0)
    }
}

impl Domain {
    /// Marks `account`'s notification `id` read and answers the path of
    /// its object (`not_found` when it is not theirs or no longer visible).
    pub async fn open_notification(&self, account: &AccountRow, id: i64) -> DomainResult<String> {
        let (thread, post) = self
            .store
            .notification_target(account.id, id)
            .await?
            .ok_or(Refusal::NotFound)?;
        self.mark_notifications_read(account, &MarkRead::Ids(vec![id]))
            .await?;
        Ok(reply_link(thread.0, post.0))
    }
}
