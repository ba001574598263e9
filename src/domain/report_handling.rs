//! How moderators handle reports: the queue across every forum they
//! moderate (every forum for the instance's admins), and closing a report
//! either as resolved (optionally removing the post, whose author then
//! sees the reason) or as dismissed, each with a note for the team.

use super::{validate, Domain, DomainError, DomainResult, Refusal};
use crate::domain::store::{
    accounts::AccountRow,
    actors::ActorId,
    forums::ForumRow,
    posts::PostId,
    reports::{self, RemovedPostRow, ReportOutcome, ReportRow},
};

/// How many of one's removed posts a forum's page lists.
const REMOVED_SHOWN: i64 = 10;

/// Longest moderator's note on a report, in characters.
pub const MAX_NOTE: usize = 1000;

/// Longest removal reason, in characters (as [`Domain::remove_post`]).
pub const MAX_REMOVAL_REASON: usize = 500;

/// What a moderator decides about a report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReportDecision {
    /// Handled: `remove` carries the reason shown to the post's author when
    /// the post is to be removed as well.
    Resolve {
        /// The removal reason, when the post is removed.
        remove: Option<String>,
    },
    /// Classed without action.
    Dismiss,
}

impl Domain {
    /// The open reports `viewer` handles: those of the forums it moderates,
    /// every forum's for an admin; oldest first.
    pub async fn moderation_queue(&self, viewer: &AccountRow) -> DomainResult<Vec<ReportRow>> {
        Ok(self
            .store
            .open_reports_queue(viewer.actor_id, viewer.is_admin)
            .await?)
    }

    /// The local forums `viewer` moderates (every local forum for an
    /// admin): the queue page links to their bans pages.
    pub async fn moderated_forums(&self, viewer: &AccountRow) -> DomainResult<Vec<ForumRow>> {
        let mut moderated = Vec::new();
        for forum in self.store.listed_forums().await? {
            if forum.actor.is_local() && self.can_moderate(viewer, &forum).await? {
                moderated.push(forum);
            }
        }
        Ok(moderated)
    }

    /// The latest posts of `author` in `forum` that moderators removed,
    /// with the reason: shown to the author alone on the forum's page.
    pub async fn removed_posts_of(
        &self,
        forum: &ForumRow,
        author: &AccountRow,
    ) -> DomainResult<Vec<RemovedPostRow>> {
        Ok(self
            .store
            .removed_posts_of(forum.actor.id, author.actor_id, REMOVED_SHOWN)
            .await?)
    }

    /// One report, for someone who may handle it (its forum's moderators,
    /// the admins); others get `not_moderator`, an unknown id `not_found`.
    pub async fn report_for(&self, viewer: &AccountRow, id: i64) -> DomainResult<ReportRow> {
        let report = self.store.report(id).await?.ok_or(Refusal::NotFound)?;
        let allowed = match report.forum_id {
            Some(forum) => match self.store.forum(ActorId(forum)).await? {
                Some(forum) => self.can_read_reports(viewer, &forum).await?,
                None => viewer.is_admin,
            },
            None => viewer.is_admin,
        };
        if !allowed {
            return Err(Refusal::NotModerator.into());
        }
        Ok(report)
    }

    /// Closes an open report with `note`. Resolving with a removal removes
    /// the post as [`Domain::remove_post`] does (which resolves the post's
    /// other reports too); a post already removed is not removed again.
    pub async fn close_report(
        &self,
        moderator: &AccountRow,
        id: i64,
        decision: ReportDecision,
        note: &str,
    ) -> DomainResult<ReportRow> {
        let report = self.report_for(moderator, id).await?;
        let note = validate::text(note, MAX_NOTE, "note")?;
        let removal = match &decision {
            ReportDecision::Resolve {
                remove: Some(reason),
            } => {
                let reason = validate::text(reason, MAX_REMOVAL_REASON, "reason")?;
                if reason.is_empty() {
                    return Err(Refusal::FieldRequired("reason".into()).into());
                }
                Some(reason)
            }
            _ => None,
        };
        if !self.report_is_open(id).await? {
            return Err(Refusal::ReportClosed.into());
        }
        let post = match report.post_id {
            Some(post) if report.post_removed_at.is_none() => {
                Some(self.post_by_id(PostId(post.0)).await?)
            }
            _ => None,
        };
        match (removal, post) {
            (Some(reason), Some(post)) => {
                self.remove_post_closing(moderator, &post, &reason, Some((id, &note)))
                    .await?;
            }
            _ => {
                let outcome = match decision {
                    ReportDecision::Resolve { .. } => ReportOutcome::Resolved,
                    ReportDecision::Dismiss => ReportOutcome::Dismissed,
                };
                let mut tx = self.store.begin().await?;
                let closed =
                    reports::close_report(&mut tx, id, outcome, moderator.actor_id, &note).await?;
                crate::domain::store::commit(tx).await?;
                if !closed {
                    return Err(DomainError::from(Refusal::ReportClosed));
                }
            }
        }
        Ok(report)
    }

    async fn report_is_open(&self, id: i64) -> DomainResult<bool> {
        Ok(self.store.report_state(id).await?.as_deref() == Some("open"))
    }
}
