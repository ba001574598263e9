//! The forums' full-text index (`post_search`, migrations
//! `0020_forum_search.sql`): the candidates of a search over threads and
//! replies, local and received from other instances; and the project
//! spaces' (`project_post_search`, `0027_project_forum_search.sql`), over
//! one project's internal forum.
//!
//! The migration's triggers keep one document per visible post (deleted,
//! removed and refused posts leave it), so no writer knows about it. As
//! for the directory, the index only narrows: the domain checks every
//! candidate again in Rust without the markup.

use super::{
    actors::{qualified_actor_columns, ActorId, ActorRow},
    directory::SearchTerm,
    posts::{PostView, POST_COLUMNS, VIEW_COLUMNS},
    project_content::{ProjectPostRow, POST_COLUMNS as PROJECT_POST_COLUMNS},
    Engine, Store, StoreResult,
};

/// A post of a project's forum found by the index.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ProjectPostHit {
    /// The post.
    #[sqlx(flatten)]
    pub post: ProjectPostRow,
    /// Its author.
    #[sqlx(flatten)]
    pub author: ActorRow,
    /// The title of its thread (its own for a thread).
    pub thread_title: String,
}

/// The index's condition on `{table}.id` and the text of its query for
/// `terms` (every term), in the engine's own syntax; `index` is the
/// index table, `table` the posts' table.
fn index_match(engine: Engine, index: &str, table: &str, terms: &[SearchTerm]) -> (String, String) {
    match engine {
        Engine::Sqlite => (
            format!("{table}.id IN (SELECT rowid FROM {index} WHERE {index} MATCH $1)"),
            terms
                .iter()
                .map(SearchTerm::fts5)
                .collect::<Vec<_>>()
                .join(" AND "),
        ),
        // `= ANY(ARRAY(…))`: the index is read once (an init plan), where
        // `IN (SELECT …)` let the planner probe it again for each post
        // read in date order (200 ms for 100 matches among 5,000 posts).
        Engine::Postgres => (
            format!(
                "{table}.id = ANY(ARRAY(SELECT post_id FROM {index} \
                 WHERE document @@ to_tsquery('simple', $1)))"
            ),
            terms
                .iter()
                .map(SearchTerm::tsquery)
                .collect::<Vec<_>>()
                .join(" & "),
        ),
    }
}

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
        let (matching, query_text) = index_match(self.engine(), "post_search", "posts", terms);
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

    /// Visible posts of `project`'s forum whose text holds every term,
    /// most recent first, at most `limit`; replies of a deleted thread
    /// stay hidden, as on its page.
    pub async fn search_project_posts(
        &self,
        terms: &[SearchTerm],
        project: ActorId,
        limit: i64,
    ) -> StoreResult<Vec<ProjectPostHit>> {
        let (matching, query_text) =
            index_match(self.engine(), "project_post_search", "project_posts", terms);
        let sql = format!(
            "SELECT {PROJECT_POST_COLUMNS}, {}, \
             COALESCE(thread.title, project_posts.title) AS thread_title \
             FROM project_posts JOIN actors ON actors.id = project_posts.author_id \
             LEFT JOIN project_posts thread ON thread.id = project_posts.thread_id \
             WHERE {matching} AND project_posts.project_id = $2 \
             AND project_posts.deleted_at IS NULL AND project_posts.refused_at IS NULL \
             AND (thread.id IS NULL OR (thread.deleted_at IS NULL AND thread.refused_at IS NULL)) \
             ORDER BY project_posts.published_at DESC, project_posts.id DESC LIMIT $3",
            qualified_actor_columns()
        );
        Ok(sqlx::query_as(&sql)
            .bind(query_text)
            .bind(project.0)
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
