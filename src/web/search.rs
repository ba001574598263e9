//! The forums' search page, `GET /search?q=…&forum=…&page=…`: threads
//! and replies of one forum or of all (local and known remote), title
//! hits first, then the most recent, each with a snippet around its first
//! match (`domain::forum_search`); and a project space's forum for its
//! members, `GET /projects/{name}/search?q=…&page=…`
//! (`domain::project_search`), on the same page.

use super::{
    project_page::ProjectSection,
    projects::project_by_path,
    session::Page,
    views::{date, ForumView, LabelView},
};
use crate::{
    app::AppState,
    domain::{
        directory::query_words,
        forum_search::{ForumSearchInput, ForumSearchResults, Snippet},
        rows::{ActorRow, AuthorRef},
        trust::Labeller,
        validate,
    },
    extract::{WebPath, WebQuery},
};
use axum::{extract::State, response::Response};
use serde::{Deserialize, Serialize};

/// The query string.
#[derive(Debug, Default, Deserialize)]
pub struct SearchQuery {
    #[serde(default)]
    q: String,
    #[serde(default)]
    forum: String,
    #[serde(default)]
    page: String,
}

/// One result.
#[derive(Serialize)]
struct ResultView {
    /// Link to the post in its thread.
    url: String,
    thread_title: String,
    forum_title: String,
    is_reply: bool,
    title_hit: bool,
    author: String,
    published: String,
    trust: LabelView,
    before: String,
    matched: String,
    after: String,
}

/// Who wrote a post found, whichever row names them.
struct Author<'a> {
    name: &'a str,
    display_name: &'a str,
    domain: &'a str,
    email_domain: Option<&'a str>,
}

impl<'a> From<&'a ActorRow> for Author<'a> {
    fn from(actor: &'a ActorRow) -> Author<'a> {
        Author {
            name: &actor.name,
            display_name: &actor.display_name,
            domain: &actor.domain,
            email_domain: actor.email_domain.as_deref(),
        }
    }
}

impl<'a> From<&'a AuthorRef> for Author<'a> {
    fn from(author: &'a AuthorRef) -> Author<'a> {
        Author {
            name: &author.name,
            display_name: &author.display_name,
            domain: &author.domain,
            email_domain: author.email_domain.as_deref(),
        }
    }
}

impl ResultView {
    /// The view of a post found: its link, its thread's and forum's (or
    /// project's) titles, whether it is a reply and a title hit.
    fn new(
        url: String,
        (thread_title, forum_title): (&str, &str),
        (is_reply, title_hit): (bool, bool),
        author: Author<'_>,
        published_at: i64,
        snippet: &Snippet,
        labels: &Labeller<'_>,
    ) -> ResultView {
        ResultView {
            url,
            thread_title: thread_title.to_string(),
            forum_title: forum_title.to_string(),
            is_reply,
            title_hit,
            author: if author.display_name.is_empty() {
                author.name
            } else {
                author.display_name
            }
            .to_string(),
            published: date(published_at),
            trust: labels.person(author.domain, author.email_domain).into(),
            before: snippet.before.clone(),
            matched: snippet.matched.clone(),
            after: snippet.after.clone(),
        }
    }
}

/// `search.html`.
#[derive(Serialize)]
struct SearchPage {
    /// Where the form and the pages' links go: `/search`, or a project
    /// space's `/projects/NAME/search`.
    action: String,
    /// The project space searched, by title (its forum only).
    project_title: Option<String>,
    q: String,
    /// The forum searched: its path parameter and view.
    forum_param: String,
    forum: Option<ForumView>,
    searched: bool,
    results: Vec<ResultView>,
    total: usize,
    page_number: i64,
    pages: i64,
    truncated: bool,
    error: Option<String>,
}

/// The `forum` parameter naming a forum: its path without `/forums/`.
pub(super) fn forum_param(view: &ForumView) -> String {
    view.path.trim_start_matches("/forums/").to_string()
}

/// `GET /search`.
pub async fn show_search(
    State(state): State<AppState>,
    page: Page,
    WebQuery(query): WebQuery<SearchQuery>,
) -> Response {
    let input = ForumSearchInput {
        q: query.q.clone(),
        forum: query.forum.clone(),
        page: query.page.clone(),
    };
    let found = match input.validate() {
        Ok(search) => state
            .domain
            .search_forums(&search)
            .await
            .map(|results| (search, results)),
        Err(error) => Err(error),
    };
    let (search, results): (_, ForumSearchResults) = match found {
        Ok(found) => found,
        Err(error) => return state.error_page(&page, error),
    };
    let labels = match state.domain.labeller().await {
        Ok(labels) => labels,
        Err(error) => return state.error_page(&page, error),
    };
    let forum = results
        .forum
        .as_ref()
        .map(|forum| ForumView::of(&state, forum));
    let views = results
        .posts
        .iter()
        .map(|found| {
            let post = &found.hit.view.post;
            ResultView::new(
                format!("/threads/{}#post-{}", post.thread().0, post.id.0),
                (&found.hit.thread_title, &found.hit.forum_title),
                (post.thread_id.is_some(), found.title_hit),
                (&found.hit.view.author).into(),
                post.published_at,
                &found.snippet,
                &labels,
            )
        })
        .collect();
    state.render(
        &page,
        "search.html",
        &SearchPage {
            action: "/search".to_string(),
            project_title: None,
            q: query.q.trim().to_string(),
            forum_param: forum.as_ref().map(forum_param).unwrap_or_default(),
            forum,
            searched: !search.words.is_empty(),
            results: views,
            total: results.total,
            page_number: search.page,
            pages: results.pages,
            truncated: results.truncated,
            error: None,
        },
    )
}

/// `GET /projects/{name}/search`: a project space's forum searched by one
/// of its members (others get `not_project_member`).
pub async fn show_project_search(
    State(state): State<AppState>,
    page: Page,
    WebPath(name): WebPath<String>,
    WebQuery(query): WebQuery<SearchQuery>,
) -> Response {
    let Some(user) = &page.user else {
        let next: String =
            url::form_urlencoded::byte_serialize(format!("/projects/{name}/forum").as_bytes())
                .collect();
        return super::redirect::to(&format!("/login?next={next}"));
    };
    let project = match project_by_path(&state, &name).await {
        Ok(project) => project,
        Err(error) => return state.error_page(&page, error),
    };
    let checked = query_words(&query.q).and_then(|words| {
        validate::page_number(Some(&query.page), validate::MAX_PAGE).map(|page| (words, page))
    });
    let (words, page_number) = match checked {
        Ok(checked) => checked,
        Err(error) => return state.error_page(&page, error),
    };
    let results = match state
        .domain
        .search_project_forum(user, &project, &words, page_number)
        .await
    {
        Ok(results) => results,
        Err(error) => return state.error_page(&page, error),
    };
    let labels = match state.domain.labeller().await {
        Ok(labels) => labels,
        Err(error) => return state.error_page(&page, error),
    };
    let forum_path = ProjectSection::Forum.path(&project);
    let project_path = forum_path.trim_end_matches("/forum").to_string();
    let views = results
        .posts
        .iter()
        .map(|found| {
            let post = &found.hit.post;
            ResultView::new(
                format!(
                    "{project_path}/threads/{}#post-{}",
                    post.thread_id.unwrap_or(post.id),
                    post.id
                ),
                (&found.hit.thread_title, &project.title),
                (post.thread_id.is_some(), found.title_hit),
                (&found.hit.author).into(),
                post.published_at,
                &found.snippet,
                &labels,
            )
        })
        .collect();
    state.render(
        &page,
        "search.html",
        &SearchPage {
            action: format!("{project_path}/search"),
            project_title: Some(project.title.clone()),
            q: query.q.trim().to_string(),
            forum_param: String::new(),
            forum: None,
            searched: !words.is_empty(),
            results: views,
            total: results.total,
            page_number,
            pages: results.pages,
            truncated: results.truncated,
            error: None,
        },
    )
}
