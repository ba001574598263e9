//! Forum search over the API: `GET /api/v1/search`, the search of the
//! `/search` page with the same parameters (docs/api.md): threads and
//! replies of one forum or of all, local and known remote, title hits
//! first, then the most recent, each with a snippet; and
//! `GET /api/v1/projects/{name}/search`, a project space's forum searched
//! by one of its members.

use super::{
    forums::{Forum, Post},
    project_content::objects::ProjectPost,
    schema::ErrorBody,
    ApiUser,
};
use crate::{
    app::AppState,
    domain::{
        directory::query_words,
        forum_search::{ForumSearchInput, Snippet},
        lookups::THREADS_PER_PAGE,
        validate,
    },
    error::AppError,
    extract::{ApiPath, ApiQuery},
    web::project_page::ProjectSection,
};
use axum::{extract::State, Json};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

/// The query string.
#[derive(Debug, Default, Deserialize, IntoParams)]
pub struct SearchQuery {
    /// The words; each must appear (as a prefix, a plural or a known
    /// abbreviation). An empty query finds nothing.
    #[serde(default)]
    q: String,
    /// A forum: `maths`, or `maths@domain` for a remote forum known here;
    /// empty: every forum.
    #[serde(default)]
    forum: String,
    /// The page, from 1 (default 1, at most 500).
    #[serde(default)]
    page: String,
}

/// The words around a post's first match, as plain text.
#[derive(Serialize, ToSchema)]
pub struct SearchSnippet {
    /// Words before the match ("…" first when cut).
    pub before: String,
    /// The matching word as written.
    pub matched: String,
    /// Words after ("…" last when cut).
    pub after: String,
}

impl From<&Snippet> for SearchSnippet {
    fn from(snippet: &Snippet) -> SearchSnippet {
        SearchSnippet {
            before: snippet.before.clone(),
            matched: snippet.matched.clone(),
            after: snippet.after.clone(),
        }
    }
}

/// A thread or reply found.
#[derive(Serialize, ToSchema)]
pub struct SearchResult {
    /// The post, as `GET /threads/{id}` shows it.
    pub post: Post,
    /// The title of its thread.
    pub thread_title: String,
    /// The title of its forum.
    pub forum_title: String,
    /// Whether the thread's title holds every word (such results come
    /// first).
    pub title_hit: bool,
    /// The text around the first match.
    pub snippet: SearchSnippet,
    /// The post in its thread, on this instance.
    pub url: String,
}

/// A page of results.
#[derive(Serialize, ToSchema)]
pub struct SearchPage {
    /// The forum searched, `null` for every forum.
    pub forum: Option<Forum>,
    /// This page, from 1.
    pub page: i64,
    /// Results per page.
    pub page_size: i64,
    /// How many pages the results fill.
    pub pages: i64,
    /// Every match.
    pub total: usize,
    /// More than 2,000 posts matched before the last checks: narrow the
    /// search.
    pub truncated: bool,
    /// This page's results.
    pub results: Vec<SearchResult>,
}

/// `GET /api/v1/search`: threads and replies of the forums matching the
/// words. Forums are public: anyone may search.
#[utoipa::path(
    get,
    path = "/search",
    tag = "forums",
    params(SearchQuery),
    responses(
        (status = 200, description = "A page of results", body = SearchPage),
        (status = 404, description = "`not_found`: no such forum here", body = ErrorBody),
        (status = 422, description = "`invalid_query`, `invalid_page`, `field_too_long` or `invalid_text`", body = ErrorBody),
    ),
)]
pub async fn search_forums(
    State(state): State<AppState>,
    ApiQuery(query): ApiQuery<SearchQuery>,
) -> Result<Json<SearchPage>, AppError> {
    let search = ForumSearchInput {
        q: query.q,
        forum: query.forum,
        page: query.page,
    }
    .validate()?;
    let results = state.domain.search_forums(&search).await?;
    let labels = state.domain.labeller().await?;
    let base_url = state.domain.settings.base_url();
    Ok(Json(SearchPage {
        forum: results
            .forum
            .as_ref()
            .map(|forum| Forum::new(&state, forum, &labels)),
        page: search.page,
        page_size: THREADS_PER_PAGE,
        pages: results.pages,
        total: results.total,
        truncated: results.truncated,
        results: results
            .posts
            .iter()
            .map(|found| {
                let post = &found.hit.view.post;
                SearchResult {
                    post: Post::new(&found.hit.view, &labels),
                    thread_title: found.hit.thread_title.clone(),
                    forum_title: found.hit.forum_title.clone(),
                    title_hit: found.title_hit,
                    snippet: (&found.snippet).into(),
                    url: format!("{base_url}/threads/{}#post-{}", post.thread().0, post.id.0),
                }
            })
            .collect(),
    }))
}

/// The query string of a project space's search.
#[derive(Debug, Default, Deserialize, IntoParams)]
pub struct ProjectSearchQuery {
    /// The words, as for `GET /search`.
    #[serde(default)]
    q: String,
    /// The page, from 1 (default 1).
    #[serde(default)]
    page: String,
}

/// A post of a project space's forum found.
#[derive(Serialize, ToSchema)]
pub struct ProjectSearchResult {
    /// The post, as the project's threads list it.
    pub post: ProjectPost,
    /// The title of its thread.
    pub thread_title: String,
    /// Whether the thread's title holds every word (such results come
    /// first).
    pub title_hit: bool,
    /// The text around the first match.
    pub snippet: SearchSnippet,
    /// The post in its thread, on this instance.
    pub url: String,
}

/// A page of a project space's results.
#[derive(Serialize, ToSchema)]
pub struct ProjectSearchPage {
    /// This page, from 1.
    pub page: i64,
    /// Results per page.
    pub page_size: i64,
    /// How many pages the results fill.
    pub pages: i64,
    /// Every match.
    pub total: usize,
    /// More than 2,000 posts matched before the last checks.
    pub truncated: bool,
    /// This page's results.
    pub results: Vec<ProjectSearchResult>,
}

/// `GET /api/v1/projects/{name}/search`: the threads and replies of a
/// project space's forum matching the words, for its members.
#[utoipa::path(
    get,
    path = "/projects/{name}/search",
    tag = "project content",
    security(("bearer" = [])),
    params(("name" = String, Path, description = "The project"), ProjectSearchQuery),
    responses(
        (status = 200, description = "A page of results", body = ProjectSearchPage),
        (status = 401, description = "`unauthorized`", body = ErrorBody),
        (status = 403, description = "`not_project_member`", body = ErrorBody),
        (status = 404, description = "`not_found`", body = ErrorBody),
        (status = 422, description = "`invalid_page`, `field_too_long` or `too_many_items`", body = ErrorBody),
    ),
)]
pub async fn search_project_forum(
    State(state): State<AppState>,
    user: ApiUser,
    ApiPath(name): ApiPath<String>,
    ApiQuery(query): ApiQuery<ProjectSearchQuery>,
) -> Result<Json<ProjectSearchPage>, AppError> {
    let words = query_words(&query.q)?;
    let page = validate::page_number(Some(&query.page), validate::MAX_PAGE)?;
    let project = state.domain.project_by_path(&name).await?;
    let results = state
        .domain
        .search_project_forum(&user.account, &project, &words, page)
        .await?;
    let labels = state.domain.labeller().await?;
    let base_url = state.domain.settings.base_url();
    let project_path = ProjectSection::About.path(&project);
    Ok(Json(ProjectSearchPage {
        page,
        page_size: THREADS_PER_PAGE,
        pages: results.pages,
        total: results.total,
        truncated: results.truncated,
        results: results
            .posts
            .iter()
            .map(|found| {
                let post = &found.hit.post;
                ProjectSearchResult {
                    post: ProjectPost::new(post, &found.hit.author, None, &labels),
                    thread_title: found.hit.thread_title.clone(),
                    title_hit: found.title_hit,
                    snippet: (&found.snippet).into(),
                    url: format!(
                        "{base_url}{project_path}/threads/{}#post-{}",
                        post.thread_id.unwrap_or(post.id),
                        post.id
                    ),
                }
            })
            .collect(),
    }))
}

/// The OpenAPI description of these routes (gathered in
/// [`super::openapi`]).
#[derive(utoipa::OpenApi)]
#[openapi(
    paths(search_forums, search_project_forum),
    components(schemas(
        SearchPage,
        SearchResult,
        SearchSnippet,
        ProjectSearchPage,
        ProjectSearchResult
    ))
)]
pub struct Doc;
