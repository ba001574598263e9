//! The forums' full-text index (`post_search`, migrations
//! `0020_forum_search.sql`): the candidates of a search over threads and
//! replies, local and received from other instances.
//!
//! The migration's triggers keep one document per visible post (deleted,
//! removed and refused posts leave it), so no writer knows about it. As
//! for the directory, the index only narrows: the domain checks every
//! candidate again in Rust without the markup.

use super::{
    actors::ActorId,
    directory::SearchTerm,
    posts::{PostView, POST_COLUMNS, VIEW_COLUMNS},
    Engine, Store, StoreResult,
};

/// A post found by the index, with where it stands.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct PostHit {
    /// The post, its author and counts.
    #[sqlx(flatten)]
    pub view: PostView,
    /// The title of its thread (its own for a thread).
    pub thread_title: String,
    /// The title of its forum.
    pub forum_title: String,
}

impl Store {
    /// Visible posts of forums (one forum, or all) whose text holds every
    /// term, most recent first, at most `limit`. Threads whose opening
    /// post was deleted or removed hide their replies too.
    pub async fn search_posts(
        &self,
        terms: &[SearchTerm],
        forum: Option<ActorId>,
        limit: i64,
    ) -> StoreResult<Vec<PostHit>> {
        let matching = match self.engine() {
            Engine::Sqlite => {
                "posts.id IN (SELECT rowid FROM post_search WHERE post_search MATCH $1)"
            }
            Engine::Postgres => {
                "posts.id IN (SELECT post_id FROM post_search \
                 WHERE document @@ to_tsquery('simple', $1))"
            }
        };
        let query_text = match self.engine() {
            Engine::Sqlite => terms
                .iter()
                .map(SearchTerm::fts5)
                .collect::<Vec<_>>()
                .join(" AND "),
            Engine::Postgres => terms
                .iter()
                .map(SearchTerm::tsquery)
                .collect::<Vec<_>>()
                .join(" & "),
        };
        let sql = format!(
            "SELECT {POST_COLUMNS}, {VIEW_COLUMNS}, COALESCE(thread.title, posts.title) AS thread_title, \
             forums.title AS forum_title \
             FROM posts JOIN actors author ON author.id = posts.author_id \
             JOIN forums ON forums.actor_id = posts.forum_id \
             LEFT JOIN posts thread ON thread.id = posts.thread_id \
             WHERE {matching} AND posts.deleted_at IS NULL AND posts.removed_at IS NULL \
             AND posts.refused_at IS NULL \
             AND (thread.id IS NULL OR (thread.deleted_at IS NULL AND thread.removed_at IS NULL \
             AND thread.refused_at IS NULL)) \
             AND ($2 < 0 OR posts.forum_id = $2) \
             ORDER BY posts.published_at DESC, posts.id DESC LIMIT $3"
        );
        Ok(sqlx::query_as(&sql)
            .bind(query_text)
            .bind(forum.map_or(-1, |id| id.0))
            .bind(limit)
            .fetch_all(self.pool())
            .await?)
    }

    #[cfg(feature = "test-support")]
    /// How many documents the forums' index holds (for tests).
    pub async fn post_search_size(&self) -> StoreResult<i64> {
        Ok(sqlx::query_scalar("SELECT COUNT(*) FROM post_search")
            .fetch_one(self.pool())
            .await?)
    }
}
