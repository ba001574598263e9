//! The forums' full-text index (`post_search`, migrations
//! `0020_forum_search.sql`): the candidates of a search over threads and
//! replies, local and received from other instances; and the project
//! spaces' (`project_post_search`, `0027_project_forum_search.sql`), over
//! one project's internal forum.
//!
//! The migration's triggers keep one document per visible post (deleted,
//! removed and refused posts leave it), so no writer knows about it. As
//! for the directory, the index only narrows: the domain checks every
//! candidate again in Rust without the markup. A search therefore reads
//! in two steps: the candidates with only what that check needs
//! ([`SearchCandidate`]), then, once the domain has ranked them and cut a
//! page, that page's posts whole (their authors and counts).

use super::{
    actors::{qualified_actor_columns, ActorId, ActorRow},
    directory::SearchTerm,
    mail_queue::id_lists,
    posts::PostId,
    posts::{PostView, POST_COLUMNS, VIEW_COLUMNS},
    project_content::{ProjectPostRow, POST_COLUMNS as PROJECT_POST_COLUMNS},
    Engine, Store, StoreResult,
};

/// A post the index found, with the texts the domain checks again: its
/// own title, its HTML body and its thread's title. Only these are read
/// for every candidate; the posts of the page shown are read whole after.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct SearchCandidate {
    /// The post's id (in `posts` or `project_posts`).
    pub id: i64,
    /// Its own title (a thread's; empty for a reply).
    pub title: String,
    /// Its sanitised HTML.
    pub content_html: String,
    /// The title of its thread (its own for a thread).
    pub thread_title: String,
}

/// The forums' posts a search may show: joined with their author, forum
/// and thread, neither deleted, removed nor refused, nor in a thread that
/// is.
const FORUM_POSTS: &str = "FROM posts JOIN actors author ON author.id = posts.author_id \
     JOIN forums ON forums.actor_id = posts.forum_id \
     LEFT JOIN posts thread ON thread.id = posts.thread_id \
     WHERE posts.deleted_at IS NULL AND posts.removed_at IS NULL \
     AND posts.refused_at IS NULL \
     AND (thread.id IS NULL OR (thread.deleted_at IS NULL AND thread.removed_at IS NULL \
     AND thread.refused_at IS NULL))";

/// The same for a project's forum (whose posts are never removed, only
/// deleted or refused).
const PROJECT_POSTS: &str =
    "FROM project_posts JOIN actors ON actors.id = project_posts.author_id \
     LEFT JOIN project_posts thread ON thread.id = project_posts.thread_id \
     WHERE project_posts.deleted_at IS NULL AND project_posts.refused_at IS NULL \
     AND (thread.id IS NULL OR (thread.deleted_at IS NULL AND thread.refused_at IS NULL))";

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
    /// Visible posts of forums (one forum, or all) whose document holds
    /// every term, most recent first (then the highest id), at most
    /// `limit`, with only the texts the domain checks again. Threads
    /// whose opening post was deleted or removed hide their replies too.
    pub async fn search_post_candidates(
        &self,
        terms: &[SearchTerm],
        forum: Option<ActorId>,
        limit: i64,
    ) -> StoreResult<Vec<SearchCandidate>> {
        let (matching, query_text) = index_match(self.engine(), "post_search", "posts", terms);
        let sql = format!(
            "SELECT posts.id, posts.title, posts.content_html, \
             COALESCE(thread.title, posts.title) AS thread_title \
             {FORUM_POSTS} AND {matching} AND ($2 < 0 OR posts.forum_id = $2) \
             ORDER BY posts.published_at DESC, posts.id DESC LIMIT $3"
        );
        Ok(sqlx::query_as(&sql)
            .bind(query_text)
            .bind(forum.map_or(-1, |id| id.0))
            .bind(limit)
            .fetch_all(self.pool())
            .await?)
    }

    /// The forums' posts `ids` (a page of results), in no particular
    /// order, with their authors, counts, threads' and forums' titles; a
    /// post no longer visible is left out.
    pub async fn post_hits(&self, ids: &[PostId]) -> StoreResult<Vec<PostHit>> {
        let ids: Vec<i64> = ids.iter().map(|id| id.0).collect();
        let mut hits = Vec::with_capacity(ids.len());
        for list in id_lists(&ids) {
            let sql = format!(
                "SELECT {POST_COLUMNS}, {VIEW_COLUMNS}, \
                 COALESCE(thread.title, posts.title) AS thread_title, \
                 forums.title AS forum_title \
                 {FORUM_POSTS} AND posts.id IN ({list})"
            );
            hits.extend(
                sqlx::query_as::<_, PostHit>(&sql)
                    .fetch_all(self.pool())
                    .await?,
            );
        }
        Ok(hits)
    }

    /// Visible posts of `project`'s forum whose document holds every
    /// term, most recent first (then the highest id), at most `limit`,
    /// with only the texts the domain checks again; replies of a deleted
    /// thread stay hidden, as on its page.
    pub async fn search_project_post_candidates(
        &self,
        terms: &[SearchTerm],
        project: ActorId,
        limit: i64,
    ) -> StoreResult<Vec<SearchCandidate>> {
        let (matching, query_text) =
            index_match(self.engine(), "project_post_search", "project_posts", terms);
        let sql = format!(
            "SELECT project_posts.id, project_posts.title, project_posts.content_html, \
             COALESCE(thread.title, project_posts.title) AS thread_title \
             {PROJECT_POSTS} AND {matching} AND project_posts.project_id = $2 \
             ORDER BY project_posts.published_at DESC, project_posts.id DESC LIMIT $3"
        );
        Ok(sqlx::query_as(&sql)
            .bind(query_text)
            .bind(project.0)
            .bind(limit)
            .fetch_all(self.pool())
            .await?)
    }

    /// The posts `ids` of `project`'s forum (a page of results), in no
    /// particular order, with their authors and threads' titles; a post
    /// no longer visible is left out.
    pub async fn project_post_hits(
        &self,
        project: ActorId,
        ids: &[i64],
    ) -> StoreResult<Vec<ProjectPostHit>> {
        let mut hits = Vec::with_capacity(ids.len());
        for list in id_lists(ids) {
            let sql = format!(
                "SELECT {PROJECT_POST_COLUMNS}, {}, \
                 COALESCE(thread.title, project_posts.title) AS thread_title \
                 {PROJECT_POSTS} AND project_posts.project_id = $1 \
                 AND project_posts.id IN ({list})",
                qualified_actor_columns()
            );
            hits.extend(
                sqlx::query_as::<_, ProjectPostHit>(&sql)
                    .bind(project.0)
                    .fetch_all(self.pool())
                    .await?,
            );
        }
        Ok(hits)
    }

    #[cfg(feature = "test-support")]
    /// How many documents the forums' index holds (for tests).
    pub async fn post_search_size(&self) -> StoreResult<i64> {
        Ok(sqlx::query_scalar("SELECT COUNT(*) FROM post_search")
            .fetch_one(self.pool())
            .await?)
    }
}
