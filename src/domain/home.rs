//! A logged-in teacher's home (issue 12) and the counts in the header of
//! every page: what is new in the forums they follow and their projects
//! since their previous visit, their agenda's next days, what waits for
//! their answer, and colleagues and projects they might like.

use super::{
    directory::{DirectoryInput, DirectoryKind},
    project_queries::ProjectRequests,
    validate, Domain, DomainResult, Refusal,
};
use crate::domain::store::{
    accounts::AccountRow,
    actors::ActorRow,
    home::{FeedItemRow, HeaderCountsRow, UpcomingEventRow},
    projects::{MemberState, ProjectRow},
};
use std::collections::HashSet;

/// Posts per page of the home.
pub const FEED_PER_PAGE: i64 = 20;
/// How far back the home looks, ms (30 days).
pub const FEED_WINDOW_MS: i64 = 30 * 24 * 3600 * 1000;
/// How far ahead the agenda of the home looks, ms (14 days).
pub const AGENDA_AHEAD_MS: i64 = 14 * 24 * 3600 * 1000;
/// Most events the home lists (the rest is on the agenda page).
pub const AGENDA_SHOWN: i64 = 10;
/// Most suggestions of each kind.
pub const SUGGESTIONS_SHOWN: usize = 5;
/// Opening the home this long after the last time starts a new visit, ms
/// (half an hour): what was new stays marked new while one reads.
pub const VISIT_GAP_MS: i64 = 30 * 60 * 1000;

/// The counts in the header.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct HeaderCounts {
    /// Unread notifications.
    pub unread: i64,
    /// Requests waiting for the teacher: invitations to answer, join
    /// requests to decide, contact requests to answer ("Mes demandes").
    pub pending_requests: i64,
    /// Reports waiting in the moderators' queue, `None` for a teacher who
    /// moderates no forum and is no admin (no "Modération" link then).
    pub open_reports: Option<i64>,
    /// Unread messages and invitations to conversations ("Messages"),
    /// `None` for a teacher who may not use messages here (no link then).
    pub messages: Option<i64>,
}

impl From<HeaderCountsRow> for HeaderCounts {
    fn from(row: HeaderCountsRow) -> HeaderCounts {
        HeaderCounts {
            unread: row.unread,
            pending_requests: row.invitations + row.to_decide + row.contact_requests,
            open_reports: (row.moderates != 0).then_some(row.open_reports),
            messages: Some(row.unread_messages + row.conversation_invitations),
        }
    }
}

/// Where a post of the home was written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FeedPlace {
    /// A forum (local or followed).
    Forum,
    /// A project space.
    Project,
}

/// A post of the home.
#[derive(Debug, Clone)]
pub struct FeedItem {
    /// Forum or project.
    pub place: FeedPlace,
    /// The post's id.
    pub id: i64,
    /// Its thread's id (its own for a thread).
    pub thread_id: i64,
    /// Whether it opens its thread.
    pub is_thread: bool,
    /// The thread's title.
    pub thread_title: String,
    /// The start of the post, as plain text.
    pub excerpt: String,
    /// When, unix ms.
    pub published_at: i64,
    /// Whether it was published since the previous visit.
    pub is_new: bool,
    /// The forum's or project's name.
    pub place_name: String,
    /// Its host, empty when local.
    pub place_domain: String,
    /// Its title.
    pub place_title: String,
    /// Who wrote it.
    pub author: ActorRow,
}

/// An event of the next days.
pub type UpcomingEvent = UpcomingEventRow;

/// Colleagues and projects a teacher might like.
#[derive(Debug, Clone, Default)]
pub struct Suggestions {
    /// What they were chosen by: `subject`, `academy` or `level`
    /// (`None`: the profile says nothing to choose by).
    pub by: Option<&'static str>,
    /// The value (a subject, an academy, a level code).
    pub value: String,
    /// Teachers (never the teacher).
    pub people: Vec<ActorRow>,
    /// Projects the teacher is not in.
    pub projects: Vec<ProjectRow>,
    /// The teacher has said nothing about themselves yet (no display name,
    /// subjects, academy or bio): the home invites them to.
    pub profile_empty: bool,
}

/// A logged-in teacher's home.
#[derive(Debug)]
pub struct Home {
    /// This page of posts, newest first.
    pub feed: Vec<FeedItem>,
    /// The page number.
    pub page: i64,
    /// Whether another page follows.
    pub has_more: bool,
    /// Posts published since the previous visit, in all.
    pub new_count: i64,
    /// The previous visit, unix ms (0: none).
    pub previous_visit: i64,
    /// The agenda's next 14 days.
    pub events: Vec<UpcomingEvent>,
    /// Project requests waiting (invitations, join requests).
    pub requests: ProjectRequests,
    /// Colleagues and projects.
    pub suggestions: Suggestions,
}

impl Domain {
    /// The counts in the header of every page, in one query.
    pub async fn header_counts(&self, account: &AccountRow) -> DomainResult<HeaderCounts> {
        let mut counts: HeaderCounts = self
            .store
            .header_counts(account.id, account.actor_id, account.is_admin)
            .await?
            .into();
        if !self.may_message(account) {
            counts.messages = None;
        }
        Ok(counts)
    }

    /// Page `page` (from 1) of `account`'s home. Page 1 records the visit.
    pub async fn home_for(&self, account: &AccountRow, page: i64) -> DomainResult<Home> {
        if !(1..=validate::MAX_PAGE).contains(&page) {
            return Err(Refusal::InvalidPage("page".into()).into());
        }
        let now = self.clock().now_ms();
        let previous_visit = if page == 1 {
            self.store
                .record_home_visit(account.id, now, VISIT_GAP_MS)
                .await?
                .previous_at
        } else {
            self.store
                .record_home_visit(account.id, now, i64::MAX)
                .await?
                .previous_at
        };
        let window = now - FEED_WINDOW_MS;
        let me = account.actor_id;
        let mut rows = self
            .store
            .home_feed(me, window, FEED_PER_PAGE + 1, (page - 1) * FEED_PER_PAGE)
            .await?;
        let has_more = rows.len() as i64 > FEED_PER_PAGE;
        rows.truncate(FEED_PER_PAGE as usize);
        let new_count = if previous_visit > 0 {
            self.store
                .count_home_feed(me, previous_visit.max(window))
                .await?
        } else {
            0
        };
        let feed = rows
            .into_iter()
            .map(|row| feed_item(row, previous_visit))
            .collect();
        let events = self
            .store
            .upcoming_events(me, now, now + AGENDA_AHEAD_MS, AGENDA_SHOWN)
            .await?;
        let requests = self.project_requests(account).await?;
        let suggestions = self.suggestions_for(account).await?;
        Ok(Home {
            feed,
            page,
            has_more,
            new_count,
            previous_visit,
            events,
            requests,
            suggestions,
        })
    }

    /// Colleagues and projects sharing the teacher's first subject, else
    /// their academy, else their first level, from the directory.
    pub async fn suggestions_for(&self, account: &AccountRow) -> DomainResult<Suggestions> {
        let profile = self
            .store
            .profile(account.actor_id)
            .await?
            .unwrap_or_default();
        let profile_empty = {
            let name = account.display_name.trim();
            (name.is_empty() || name == account.username)
                && profile.subjects.is_empty()
                && profile.academy.trim().is_empty()
                && profile.bio_source.trim().is_empty()
        };
        let nothing = Suggestions {
            profile_empty,
            ..Suggestions::default()
        };
        let mut input = DirectoryInput {
            kind: DirectoryKind::All.as_str().into(),
            ..DirectoryInput::default()
        };
        let (by, value) = if let Some(subject) = profile.subjects.first() {
            input.subject = subject.clone();
            ("subject", subject.clone())
        } else if !profile.academy.trim().is_empty() {
            input.academy = profile.academy.clone();
            ("academy", profile.academy.clone())
        } else if let Some(level) = profile.school_levels.first() {
            input.level = level.clone();
            ("level", level.clone())
        } else {
            return Ok(nothing);
        };
        // A profile value the directory refuses (too long) suggests nothing.
        let Ok(search) = input.validate() else {
            return Ok(nothing);
        };
        let found = self.search_directory(Some(account), &search).await?;
        let mine: HashSet<_> = self
            .store
            .memberships_of(account.actor_id)
            .await?
            .into_iter()
            .filter(|(_, row)| row.is_member() || row.state == MemberState::Invited)
            .map(|(project, _)| project.actor.id)
            .collect();
        Ok(Suggestions {
            by: Some(by),
            value,
            people: found
                .people
                .into_iter()
                .map(|person| person.actor)
                .filter(|actor| actor.id != account.actor_id)
                .take(SUGGESTIONS_SHOWN)
                .collect(),
            projects: found
                .projects
                .into_iter()
                .map(|found| found.project)
                .filter(|project| !mine.contains(&project.actor.id))
                .take(SUGGESTIONS_SHOWN)
                .collect(),
            profile_empty,
        })
    }
}

fn feed_item(row: FeedItemRow, previous_visit: i64) -> FeedItem {
    FeedItem {
        place: if row.place_kind == "project" {
            FeedPlace::Project
        } else {
            FeedPlace::Forum
        },
        excerpt: super::notifications::excerpt(&row.body_source, &row.body_html),
        id: row.item_id,
        thread_id: row.thread_ref,
        is_thread: row.is_thread != 0,
        thread_title: row.thread_title,
        published_at: row.published,
        is_new: previous_visit > 0 && row.published > previous_visit,
        place_name: row.place_name,
        place_domain: row.place_domain,
        place_title: row.place_title,
        author: row.author,
    }
}
