//! The `forums`, `forum_moderators` and `follows` tables.

use super::{
    accounts::AccountId,
    actors::{insert_actor, ActorId, ActorRow, NewActor},
    Store, StoreResult, StoredLevel, Tx,
};

/// A forum: its Group actor and what it is about.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ForumRow {
    /// The Group actor.
    #[sqlx(flatten)]
    pub actor: ActorRow,
    /// Title shown in lists.
    pub title: String,
    /// Markdown description (local forums).
    pub description_source: String,
    /// Sanitised HTML description.
    pub description_html: String,
    /// A remote forum's moderators collection.
    pub moderators_url: Option<String>,
    /// A remote forum's featured (pinned) collection.
    pub featured_url: Option<String>,
    /// When created (or first seen), unix ms.
    #[sqlx(rename = "forum_created_at")]
    pub created_at: i64,
    /// Last thread or reply, unix ms; orders forum lists.
    pub last_activity_at: i64,
    /// Who may post (local forums): the lowest author label accepted.
    #[sqlx(try_from = "StoredLevel")]
    pub min_post_level: preau_federation::TrustLevel,
}

/// What is needed to create or record a forum.
#[derive(Debug, Clone)]
pub struct NewForum {
    /// Its Group actor.
    pub actor: NewActor,
    /// Title.
    pub title: String,
    /// Markdown description.
    pub description_source: String,
    /// Sanitised HTML description.
    pub description_html: String,
    /// Remote: moderators collection.
    pub moderators_url: Option<String>,
    /// Remote: featured collection.
    pub featured_url: Option<String>,
    /// The local account that created it.
    pub created_by: Option<AccountId>,
    /// Who may post.
    pub min_post_level: preau_federation::TrustLevel,
}

/// Where a follow stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FollowState {
    /// Sent, not yet accepted.
    Pending,
    /// Accepted: the follower receives what the followed actor announces.
    Accepted,
}

impl FollowState {
    fn as_str(self) -> &'static str {
        match self {
            FollowState::Pending => "pending",
            FollowState::Accepted => "accepted",
        }
    }

    fn parse(text: &str) -> Self {
        if text == "accepted" {
            FollowState::Accepted
        } else {
            FollowState::Pending
        }
    }
}

impl From<String> for FollowState {
    fn from(text: String) -> Self {
        FollowState::parse(&text)
    }
}

/// One follow.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct FollowRow {
    /// Who follows.
    pub follower_id: ActorId,
    /// Who is followed.
    pub followed_id: ActorId,
    /// Pending or accepted.
    #[sqlx(try_from = "String")]
    pub state: FollowState,
    /// The Follow activity's id.
    pub activity_id: String,
}

const FORUM_COLUMNS: &str = "forums.title, forums.description_source, forums.description_html, \
     forums.moderators_url, forums.featured_url, forums.created_at AS forum_created_at, \
     forums.last_activity_at, forums.min_post_level";

fn forum_select() -> String {
    format!(
        "SELECT {}, {FORUM_COLUMNS} FROM forums JOIN actors ON actors.id = forums.actor_id",
        super::actors::qualified_actor_columns()
    )
}

/// Inserts a forum with its actor; returns the actor id.
pub async fn insert_forum(tx: &mut Tx, forum: &NewForum) -> StoreResult<ActorId> {
    let now = tx.now_ms();
    let id = insert_actor(&mut **tx, &forum.actor, now).await?;
    sqlx::query(
        "INSERT INTO forums (actor_id, title, description_source, description_html, moderators_url, \
         featured_url, created_by, created_at, last_activity_at, min_post_level) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8, $9)",
    )
    .bind(id.0)
    .bind(&forum.title)
    .bind(&forum.description_source)
    .bind(&forum.description_html)
    .bind(forum.moderators_url.as_deref())
    .bind(forum.featured_url.as_deref())
    .bind(forum.created_by.map(|a| a.0))
    .bind(now)
    .bind(forum.min_post_level.as_str())
    .execute(&mut **tx)
    .await?;
    Ok(id)
}

/// Adds a moderator to a forum (idempotent).
pub async fn add_moderator(tx: &mut Tx, forum: ActorId, actor: ActorId) -> StoreResult<()> {
    sqlx::query(
        "INSERT INTO forum_moderators (forum_id, actor_id, added_at) VALUES ($1, $2, $3) \
         ON CONFLICT (forum_id, actor_id) DO NOTHING",
    )
    .bind(forum.0)
    .bind(actor.0)
    .bind(tx.now_ms())
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Records a follow, or updates its state and activity id.
pub async fn upsert_follow(
    tx: &mut Tx,
    follower: ActorId,
    followed: ActorId,
    state: FollowState,
    activity_id: &str,
) -> StoreResult<()> {
    sqlx::query(
        "INSERT INTO follows (follower_id, followed_id, state, activity_id, created_at) \
         VALUES ($1, $2, $3, $4, $5) ON CONFLICT (follower_id, followed_id) DO UPDATE SET \
         state = excluded.state, activity_id = excluded.activity_id",
    )
    .bind(follower.0)
    .bind(followed.0)
    .bind(state.as_str())
    .bind(activity_id)
    .bind(tx.now_ms())
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Removes a follow; returns whether there was one.
pub async fn delete_follow(tx: &mut Tx, follower: ActorId, followed: ActorId) -> StoreResult<bool> {
    let removed = sqlx::query("DELETE FROM follows WHERE follower_id = $1 AND followed_id = $2")
        .bind(follower.0)
        .bind(followed.0)
        .execute(&mut **tx)
        .await?
        .rows_affected();
    Ok(removed > 0)
}

/// The inboxes to deliver to for the accepted remote followers of
/// `followed`, read inside the caller's transaction (each server's shared
/// inbox once, else each inbox). Reading through the pool instead while a
/// SQLite write transaction is open could wait on a connection that waits
/// on this transaction's lock.
pub async fn follower_inboxes(tx: &mut Tx, followed: ActorId) -> StoreResult<Vec<String>> {
    let inboxes: Vec<String> = sqlx::query_scalar(
        "SELECT DISTINCT COALESCE(actors.shared_inbox, actors.inbox) FROM follows \
         JOIN actors ON actors.id = follows.follower_id \
         WHERE follows.followed_id = $1 AND follows.state = 'accepted' AND actors.domain <> ''",
    )
    .bind(followed.0)
    .fetch_all(&mut **tx)
    .await?;
    Ok(inboxes)
}

impl Store {
    /// The forum whose Group actor is `actor`.
    pub async fn forum(&self, actor: ActorId) -> StoreResult<Option<ForumRow>> {
        let row = sqlx::query_as(&format!("{} WHERE forums.actor_id = $1", forum_select()))
            .bind(actor.0)
            .fetch_optional(self.pool())
            .await?;
        Ok(row)
    }

    /// The local forum called `name`.
    pub async fn local_forum(&self, name: &str) -> StoreResult<Option<ForumRow>> {
        let row = sqlx::query_as(&format!(
            "{} WHERE actors.name = $1 AND actors.domain = ''",
            forum_select()
        ))
        .bind(name)
        .fetch_optional(self.pool())
        .await?;
        Ok(row)
    }

    /// The forum with this ActivityPub id, local or remote.
    pub async fn forum_by_ap_id(&self, ap_id: &str) -> StoreResult<Option<ForumRow>> {
        let row = sqlx::query_as(&format!("{} WHERE actors.ap_id = $1", forum_select()))
            .bind(ap_id)
            .fetch_optional(self.pool())
            .await?;
        Ok(row)
    }

    /// Local forums and the remote forums someone here follows, most
    /// recently active first.
    pub async fn listed_forums(&self) -> StoreResult<Vec<ForumRow>> {
        let rows = sqlx::query_as(&format!(
            "{} WHERE actors.domain = '' OR EXISTS (SELECT 1 FROM follows JOIN actors f ON \
             f.id = follows.follower_id WHERE follows.followed_id = forums.actor_id AND f.domain = '') \
             ORDER BY forums.last_activity_at DESC, forums.actor_id",
            forum_select()
        ))
        .fetch_all(self.pool())
        .await?;
        Ok(rows)
    }

    /// Inserts a forum (local, or a remote one seen for the first time).
    pub async fn create_forum(
        &self,
        forum: &NewForum,
        moderator: Option<ActorId>,
    ) -> StoreResult<ActorId> {
        let mut tx = self.begin().await?;
        let id = insert_forum(&mut tx, forum).await?;
        if let Some(moderator) = moderator {
            add_moderator(&mut tx, id, moderator).await?;
        }
        tx.commit().await?;
        super::content_changed();
        Ok(id)
    }

    /// Records the forum row of a remote Group actor seen for the first
    /// time.
    pub async fn record_remote_forum(
        &self,
        actor: ActorId,
        title: &str,
        description_html: &str,
        moderators_url: Option<&str>,
        featured_url: Option<&str>,
    ) -> StoreResult<()> {
        let now = self.now_ms();
        sqlx::query(
            "INSERT INTO forums (actor_id, title, description_html, moderators_url, featured_url, created_at, \
             last_activity_at) VALUES ($1, $2, $3, $4, $5, $6, $6) ON CONFLICT (actor_id) DO NOTHING",
        )
        .bind(actor.0)
        .bind(title)
        .bind(description_html)
        .bind(moderators_url)
        .bind(featured_url)
        .bind(now)
        .execute(self.pool())
        .await?;
        super::content_changed();
        Ok(())
    }

    /// Records who may post in a remote forum, as it publishes it.
    pub async fn set_forum_min_post_level(
        &self,
        actor: ActorId,
        level: preau_federation::TrustLevel,
    ) -> StoreResult<()> {
        sqlx::query("UPDATE forums SET min_post_level = $1 WHERE actor_id = $2")
            .bind(level.as_str())
            .bind(actor.0)
            .execute(self.pool())
            .await?;
        Ok(())
    }

    /// Updates what a remote forum says of itself.
    pub async fn update_remote_forum(
        &self,
        actor: ActorId,
        title: &str,
        description_html: &str,
        moderators_url: Option<&str>,
        featured_url: Option<&str>,
    ) -> StoreResult<()> {
        sqlx::query(
            "UPDATE forums SET title = $1, description_html = $2, moderators_url = $3, featured_url = $4 \
             WHERE actor_id = $5",
        )
        .bind(title)
        .bind(description_html)
        .bind(moderators_url)
        .bind(featured_url)
        .bind(actor.0)
        .execute(self.pool())
        .await?;
        super::content_changed();
        Ok(())
    }

    /// The moderators of a forum.
    pub async fn forum_moderators(&self, forum: ActorId) -> StoreResult<Vec<ActorRow>> {
        let rows = sqlx::query(&format!(
            "SELECT {} FROM forum_moderators JOIN actors ON actors.id = forum_moderators.actor_id \
             WHERE forum_moderators.forum_id = $1 ORDER BY forum_moderators.added_at",
            super::actors::qualified_actor_columns()
        ))
        .bind(forum.0)
        .fetch_all(self.pool())
        .await?;
        rows.iter().map(super::decode::<ActorRow>).collect()
    }

    /// Whether `actor` moderates `forum`.
    pub async fn is_moderator(&self, forum: ActorId, actor: ActorId) -> StoreResult<bool> {
        let found: Option<i64> = sqlx::query_scalar(
            "SELECT CAST(1 AS BIGINT) FROM forum_moderators WHERE forum_id = $1 AND actor_id = $2",
        )
        .bind(forum.0)
        .bind(actor.0)
        .fetch_optional(self.pool())
        .await?;
        Ok(found.is_some())
    }

    /// The follow whose `Follow` activity had this id.
    pub async fn follow_by_activity(&self, activity_id: &str) -> StoreResult<Option<FollowRow>> {
        let row = sqlx::query_as(
            "SELECT follower_id, followed_id, state, activity_id FROM follows WHERE activity_id = $1",
        )
        .bind(activity_id)
        .fetch_optional(self.pool())
        .await?;
        Ok(row)
    }

    /// The follow of `follower` on `followed`, if any.
    pub async fn follow(
        &self,
        follower: ActorId,
        followed: ActorId,
    ) -> StoreResult<Option<FollowRow>> {
        let row = sqlx::query_as(
            "SELECT follower_id, followed_id, state, activity_id FROM follows \
             WHERE follower_id = $1 AND followed_id = $2",
        )
        .bind(follower.0)
        .bind(followed.0)
        .fetch_optional(self.pool())
        .await?;
        Ok(row)
    }

    /// Counts accepted followers of an actor.
    pub async fn count_followers(&self, followed: ActorId) -> StoreResult<i64> {
        let count: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM follows WHERE followed_id = $1 AND state = 'accepted'",
        )
        .bind(followed.0)
        .fetch_one(self.pool())
        .await?;
        Ok(count)
    }

    /// Whether any local actor follows (or asked to follow) `followed`.
    pub async fn has_local_follower(&self, followed: ActorId) -> StoreResult<bool> {
        let found: Option<i64> = sqlx::query_scalar(
            "SELECT CAST(1 AS BIGINT) FROM follows JOIN actors ON actors.id = follows.follower_id \
             WHERE follows.followed_id = $1 AND actors.domain = '' LIMIT 1",
        )
        .bind(followed.0)
        .fetch_optional(self.pool())
        .await?;
        Ok(found.is_some())
    }
}
