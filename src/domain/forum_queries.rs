//! What forum pages and the API read: the listed forums, a page of a
//! forum's threads, where an account's follow of a forum stands, and the
//! open reports of a forum for those who may read them.

use super::Refusal;
use super::{
    lookups::THREADS_PER_PAGE,
    rows::{AccountRow, FollowState, ForumRow, PostId, PostView, ReportRow},
    Domain, DomainError, DomainResult,
};

/// One page of a forum's threads.
#[derive(Debug)]
pub struct ThreadList {
    /// The threads of the page, latest activity first.
    pub threads: Vec<PostView>,
    /// How many threads the forum has in all.
    pub total: i64,
}

impl ThreadList {
    /// How many pages the forum's threads fill (at least one).
    pub fn pages(&self) -> i64 {
        ((self.total + THREADS_PER_PAGE - 1) / THREADS_PER_PAGE).max(1)
    }
}

impl Domain {
    /// The forums listed on this instance.
    pub async fn listed_forums(&self) -> DomainResult<Vec<ForumRow>> {
        Ok(self.store.listed_forums().await?)
    }

    /// Page `page` (from 1) of a forum's threads.
    pub async fn forum_threads_page(
        &self,
        forum: &ForumRow,
        page: i64,
    ) -> DomainResult<ThreadList> {
        let page = page.max(1);
        let total = self.store.count_forum_threads(forum.actor.id).await?;
        let threads = self
            .store
            .forum_threads(
                forum.actor.id,
                THREADS_PER_PAGE,
                (page - 1) * THREADS_PER_PAGE,
            )
            .await?;
        Ok(ThreadList { threads, total })
    }

    /// Where an account's follow of a forum stands, if it asked.
    pub async fn follow_state(
        &self,
        account: &AccountRow,
        forum: &ForumRow,
    ) -> DomainResult<Option<FollowState>> {
        Ok(self
            .store
            .follow(account.actor_id, forum.actor.id)
            .await?
            .map(|follow| follow.state))
    }

    /// The ids of the posts of a thread that an account marked helpful.
    pub async fn liked_in_thread(
        &self,
        account: &AccountRow,
        thread: PostId,
    ) -> DomainResult<Vec<i64>> {
        Ok(self.store.liked_in_thread(thread, account.actor_id).await?)
    }

    /// The open reports of a forum, for its moderators and the admins
    /// (see [`Domain::can_read_reports`]); others get `not_moderator`.
    pub async fn reports_for(
        &self,
        viewer: &AccountRow,
        forum: &ForumRow,
    ) -> DomainResult<Vec<ReportRow>> {
        if !self.can_read_reports(viewer, forum).await? {
            return Err(DomainError::from(Refusal::NotModerator));
        }
        Ok(self.store.open_reports(forum.actor.id).await?)
    }
}
