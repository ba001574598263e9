//! Where a notification leads, and opening it from the notifications
//! page: the link is followed and the notification marked read in one
//! step (`GET /notifications/{id}/open`).

use super::{notifications::MarkRead, Domain, DomainResult, Refusal};
use crate::domain::store::accounts::AccountRow;

impl Domain {
    /// Marks `account`'s notification `id` read and answers the path of
    /// its object (`not_found` when it is not theirs or no longer visible).
    pub async fn open_notification(&self, account: &AccountRow, id: i64) -> DomainResult<String> {
        let link = self
            .store
            .notification_target(account.id, id)
            .await?
            .ok_or(Refusal::NotFound)?;
        self.mark_notifications_read(account, &MarkRead::Ids(vec![id]))
            .await?;
        Ok(link)
    }
}
