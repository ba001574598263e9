//! What a logged-in teacher's home and header read: the counts in the
//! header (`header_counts`, one query), the visits of the home
//! (`home_visits`), the new posts in the places a teacher follows (one
//! query over forum and project posts), and the agenda's next days.

use super::{
    accounts::AccountId,
    actors::{qualified_actor_columns, ActorId, ActorRow},
    project_events::EventRow,
    Store, StoreResult,
};

/// The counts shown in the header of every page.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, sqlx::FromRow)]
pub struct HeaderCountsRow {
    /// Unread notifications (of posts still visible).
    pub unread: i64,
    /// Project invitations to answer.
    pub invitations: i64,
    /// Join requests to decide, in projects the teacher moderates.
    pub to_decide: i64,
    /// Contact requests to answer.
    pub contact_requests: i64,
    /// Non-zero when the teacher moderates a forum or is an admin.
    pub moderates: i64,
    /// Open reports of the forums the teacher moderates (every forum's
    /// for an admin).
    pub open_reports: i64,
    /// Messages of others unread, in the conversations the teacher takes
    /// part in.
    pub unread_messages: i64,
    /// Invitations to conversations to answer, and message requests
    /// (direct messages from people of other servers, one per person).
    pub conversation_invitations: i64,
}

/// A teacher's visits of the home.
#[derive(Debug, Clone, Copy, PartialEq, Eq, sqlx::FromRow)]
pub struct HomeVisitRow {
    /// The start of the previous visit: later items are new.
    pub previous_at: i64,
    /// The last time the home was opened.
    pub last_at: i64,
}

/// A post of a forum or project the teacher follows or belongs to.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct FeedItemRow {
    /// `forum` or `project`.
    pub place_kind: String,
    /// The post's id (in `posts` or `project_posts`).
    pub item_id: i64,
    /// The thread's id (the post's own for a thread).
    pub thread_ref: i64,
    /// Whether the post opens its thread.
    pub is_thread: i64,
    /// The thread's title.
    pub thread_title: String,
    /// The post's Markdown source (empty for some remote posts).
    pub body_source: String,
    /// Its sanitised HTML.
    pub body_html: String,
    /// When, unix ms.
    pub published: i64,
    /// The forum's or project's local name.
    pub place_name: String,
    /// Its host, empty when local.
    pub place_domain: String,
    /// Its title.
    pub place_title: String,
    /// The author.
    #[sqlx(flatten)]
    pub author: ActorRow,
}

/// An event of the agenda with its project's name and title.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct UpcomingEventRow {
    /// The event.
    #[sqlx(flatten)]
    pub event: EventRow,
    /// The project's local name.
    pub project_name: String,
    /// Its host, empty when local.
    pub project_domain: String,
    /// Its title.
    pub project_title: String,
}

/// The projects a person is a member of: `$1` is their actor id.
const MEMBER_PROJECTS: &str =
    "SELECT project_id FROM project_members WHERE actor_id = $1 AND state = 'member'";

impl Store {
    /// The header's counts for `account` (its person `actor`), in one query.
    pub async fn header_counts(
        &self,
        account: AccountId,
        actor: ActorId,
        admin: bool,
    ) -> StoreResult<HeaderCountsRow> {
        Ok(sqlx::query_as(&format!(
            "SELECT \
             (SELECT COUNT(*) FROM notifications {JOINS} \
               WHERE notifications.recipient_id = $1 AND notifications.read_at IS NULL \
               AND {VISIBLE}) AS unread, \
             (SELECT COUNT(*) FROM project_members WHERE actor_id = $2 AND state = 'invited') AS invitations, \
             (SELECT COUNT(*) FROM project_members mine \
               JOIN project_members asking ON asking.project_id = mine.project_id \
               WHERE mine.actor_id = $2 AND mine.state = 'member' \
               AND mine.role IN ('owner', 'moderator') AND asking.state = 'requested') AS to_decide, \
             (SELECT COUNT(*) FROM follows JOIN actors ON actors.id = follows.follower_id \
               WHERE follows.followed_id = $2 AND follows.state = 'pending' \
               AND actors.kind = 'person') AS contact_requests, \
             (SELECT COUNT(*) FROM forum_moderators WHERE actor_id = $2) + \
               (CASE WHEN $3 THEN 1 ELSE 0 END) AS moderates, \
             (SELECT COUNT(*) FROM reports WHERE state = 'open' AND ($3 OR forum_id IN \
               (SELECT forum_id FROM forum_moderators WHERE actor_id = $2))) AS open_reports, \
             (SELECT CAST(COALESCE(SUM({UNREAD}), 0) AS BIGINT) FROM conversation_participants p \
               WHERE p.actor_id = $2 AND p.state = 'joined') AS unread_messages, \
             (SELECT COUNT(*) FROM conversation_participants WHERE actor_id = $2 \
               AND state IN ('invited', 'requested')) AS conversation_invitations",
            UNREAD = super::conversations::UNREAD,
            JOINS = super::notifications::JOINS,
            VISIBLE = super::notifications::VISIBLE,
        ))
        .bind(account.0)
        .bind(actor.0)
        .bind(admin)
        .fetch_one(self.pool())
        .await?)
    }

    /// Records that `account` opens its home at `now`: a visit more than
    /// `gap` ms after the last one starts a new visit. Answers the visits
    /// as they stand after this one (a first visit has `previous_at` 0).
    pub async fn record_home_visit(
        &self,
        account: AccountId,
        now: i64,
        gap: i64,
    ) -> StoreResult<HomeVisitRow> {
        Ok(sqlx::query_as(
            "INSERT INTO home_visits (account_id, previous_at, last_at) VALUES ($1, 0, $2) \
             ON CONFLICT (account_id) DO UPDATE SET \
             previous_at = CASE WHEN $2 - home_visits.last_at > $3 THEN home_visits.last_at \
               ELSE home_visits.previous_at END, \
             last_at = $2 \
             RETURNING previous_at, last_at",
        )
        .bind(account.0)
        .bind(now)
        .bind(gap)
        .fetch_one(self.pool())
        .await?)
    }

    /// Posts by others published after `since` in the forums `person`
    /// follows and the projects they belong to, newest first, `limit`
    /// from `offset`.
    pub async fn home_feed(
        &self,
        person: ActorId,
        since: i64,
        limit: i64,
        offset: i64,
    ) -> StoreResult<Vec<FeedItemRow>> {
        Ok(sqlx::query_as(&format!(
            "SELECT feed.*, {} FROM ({FEED}) feed JOIN actors ON actors.id = feed.author_ref \
             ORDER BY feed.published DESC, feed.item_id DESC LIMIT $3 OFFSET $4",
            qualified_actor_columns()
        ))
        .bind(person.0)
        .bind(since)
        .bind(limit)
        .bind(offset)
        .fetch_all(self.pool())
        .await?)
    }

    /// How many posts of [`Store::home_feed`] were published after `since`.
    pub async fn count_home_feed(&self, person: ActorId, since: i64) -> StoreResult<i64> {
        Ok(
            sqlx::query_scalar(&format!("SELECT COUNT(*) FROM ({FEED}) feed"))
                .bind(person.0)
                .bind(since)
                .fetch_one(self.pool())
                .await?,
        )
    }

    /// Events of `person`'s agenda (as [`Store::agenda_of`]) that end after
    /// `from` and start before `until`, earliest first, at most `limit`.
    pub async fn upcoming_events(
        &self,
        person: ActorId,
        from: i64,
        until: i64,
        limit: i64,
    ) -> StoreResult<Vec<UpcomingEventRow>> {
        Ok(sqlx::query_as(&format!(
            "SELECT {}, pa.name AS project_name, pa.domain AS project_domain, \
             pr.title AS project_title FROM project_events e \
             JOIN actors pa ON pa.id = e.project_id JOIN projects pr ON pr.actor_id = e.project_id \
             WHERE e.deleted_at IS NULL AND e.project_id IN ({MEMBER_PROJECTS}) \
             AND e.ends_at >= $2 AND e.starts_at < $3 \
             AND (e.for_all = 1 OR e.author_id = $1 OR EXISTS (SELECT 1 FROM project_event_attendees a \
               WHERE a.event_id = e.id AND a.actor_id = $1)) \
             ORDER BY e.starts_at, e.id LIMIT $4",
            super::project_events::EVENT_COLUMNS
        ))
        .bind(person.0)
        .bind(from)
        .bind(until)
        .bind(limit)
        .fetch_all(self.pool())
        .await?)
    }
}

/// The home's posts: by others, published after `$2`, in the forums the
/// person `$1` follows (accepted), moderates or has written in, and in the
/// projects they are a member of; none deleted or removed, nor in a thread
/// deleted or removed.
const FEED: &str = "SELECT 'forum' AS place_kind, p.id AS item_id, COALESCE(p.thread_id, p.id) AS thread_ref, \
       CAST(CASE WHEN p.thread_id IS NULL THEN 1 ELSE 0 END AS BIGINT) AS is_thread, \
       COALESCE(t.title, p.title) AS thread_title, p.source AS body_source, \
       p.content_html AS body_html, p.published_at AS published, p.author_id AS author_ref, \
       fa.name AS place_name, fa.domain AS place_domain, f.title AS place_title \
     FROM posts p LEFT JOIN posts t ON t.id = p.thread_id \
     JOIN forums f ON f.actor_id = p.forum_id JOIN actors fa ON fa.id = p.forum_id \
     WHERE p.forum_id IN (SELECT followed_id FROM follows WHERE follower_id = $1 AND state = 'accepted' \
         UNION SELECT forum_id FROM forum_moderators WHERE actor_id = $1 \
         UNION SELECT forum_id FROM posts WHERE author_id = $1) \
       AND p.published_at > $2 AND p.author_id <> $1 \
       AND p.deleted_at IS NULL AND p.removed_at IS NULL \
       AND (t.id IS NULL OR (t.deleted_at IS NULL AND t.removed_at IS NULL)) \
     UNION ALL \
     SELECT 'project', pp.id, COALESCE(pp.thread_id, pp.id), \
       CAST(CASE WHEN pp.thread_id IS NULL THEN 1 ELSE 0 END AS BIGINT), \
       COALESCE(pt.title, pp.title), pp.source, pp.content_html, pp.published_at, pp.author_id, \
       pa.name, pa.domain, pr.title \
     FROM project_posts pp LEFT JOIN project_posts pt ON pt.id = pp.thread_id \
     JOIN projects pr ON pr.actor_id = pp.project_id JOIN actors pa ON pa.id = pp.project_id \
     WHERE pp.project_id IN (SELECT project_id FROM project_members WHERE actor_id = $1 AND state = 'member') \
       AND pp.published_at > $2 AND pp.author_id <> $1 AND pp.deleted_at IS NULL \
       AND (pt.id IS NULL OR pt.deleted_at IS NULL)";
