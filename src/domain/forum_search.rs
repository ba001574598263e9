//! Full-text search in forums (issue 13): threads and replies of one
//! forum or of all, local and known remote (the posts this instance
//! stores), with the directory's widening of words (prefixes, plurals,
//! abbreviations; [`super::search_words`]). Title hits come first, then
//! the most recent; each result has a snippet around its first match.
//!
//! Forums are public; members-only project spaces keep their posts in
//! another table, never searched here.

use super::{
    directory::query_words, lookups::THREADS_PER_PAGE, rows::ForumRow, search_words::Synonyms,
    validate, Domain, DomainResult,
};
use crate::domain::store::{
    directory::{html_text, words, SearchTerm},
    post_search::PostHit,
};
use std::collections::HashSet;

/// Candidates read from the index; beyond, the most recent are kept and
/// the results say so.
pub(super) const MAX_CANDIDATES: i64 = 2000;
/// Words of context before and after the first match of a snippet.
const SNIPPET_BEFORE: usize = 10;
const SNIPPET_AFTER: usize = 20;

/// A search as typed.
#[derive(Debug, Clone, Default)]
pub struct ForumSearchInput {
    /// The words.
    pub q: String,
    /// A forum's path (`NAME` or `NAME@HOST`); empty: all forums.
    pub forum: String,
    /// Page, from 1 (empty: 1).
    pub page: String,
}

/// A checked search.
#[derive(Debug, Clone)]
pub struct ForumSearch {
    /// Folded words, in order, without repeats.
    pub words: Vec<String>,
    /// The forum's path, if one.
    pub forum: Option<String>,
    /// Page, from 1.
    pub page: i64,
}

impl ForumSearchInput {
    /// Checks every field (an empty query is allowed: it finds nothing).
    pub fn validate(&self) -> DomainResult<ForumSearch> {
        let found = query_words(&self.q)?;
        let forum = validate::text(&self.forum, 200, "forum")?;
        let page = validate::page_number(Some(&self.page), 500)?;
        Ok(ForumSearch {
            words: found,
            forum: (!forum.is_empty()).then_some(forum),
            page,
        })
    }
}

/// The text around a post's first match.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Snippet {
    /// Words before the match ("…" first when cut).
    pub before: String,
    /// The matching word as written.
    pub matched: String,
    /// Words after ("…" last when cut).
    pub after: String,
}

/// A post found.
#[derive(Debug, Clone)]
pub struct FoundPost {
    /// The post, its author, thread and forum titles.
    pub hit: PostHit,
    /// Whether its thread's title holds every term (listed first).
    pub title_hit: bool,
    /// Its text around the first match.
    pub snippet: Snippet,
}

/// One page of results.
#[derive(Debug, Clone)]
pub struct ForumSearchResults {
    /// The forum searched, when one.
    pub forum: Option<ForumRow>,
    /// The posts of this page.
    pub posts: Vec<FoundPost>,
    /// How many posts match in all.
    pub total: usize,
    /// How many pages they fill.
    pub pages: i64,
    /// Whether candidates were cut at the limit (narrow the search).
    pub truncated: bool,
}

fn word_set(text: &str) -> HashSet<String> {
    words(text).into_iter().collect()
}

/// Whether a folded word is one a term asks for.
fn word_hits(word: &str, terms: &[SearchTerm]) -> bool {
    let single: HashSet<String> = std::iter::once(word.to_string()).collect();
    terms.iter().any(|term| {
        term.any_of.iter().flatten().any(|wanted| {
            SearchTerm {
                any_of: vec![vec![wanted.clone()]],
            }
            .matches(&single)
        })
    })
}

/// The words of `text` around the first one a term asks for (the start
/// of the text when none does, e.g. a title hit).
pub fn snippet(text: &str, terms: &[SearchTerm]) -> Snippet {
    let tokens: Vec<&str> = text.split_whitespace().collect();
    let at = tokens
        .iter()
        .position(|token| words(token).iter().any(|word| word_hits(word, terms)));
    let Some(at) = at else {
        let shown = tokens.len().min(SNIPPET_BEFORE + SNIPPET_AFTER);
        let mut before = tokens[..shown].join(" ");
        if shown < tokens.len() {
            before.push_str(" …");
        }
        return Snippet {
            before,
            ..Snippet::default()
        };
    };
    let start = at.saturating_sub(SNIPPET_BEFORE);
    let end = (at + 1 + SNIPPET_AFTER).min(tokens.len());
    let mut before = tokens[start..at].join(" ");
    if start > 0 {
        before.insert_str(0, "… ");
    }
    if !before.is_empty() {
        before.push(' ');
    }
    let mut after = tokens[at + 1..end].join(" ");
    if !after.is_empty() {
        after.insert(0, ' ');
    }
    if end < tokens.len() {
        after.push_str(" …");
    }
    Snippet {
        before,
        matched: tokens[at].to_string(),
        after,
    }
}

/// One page of matches, ranked.
pub(super) struct RankedPage<T> {
    /// This page's: the candidate, whether its thread's title holds
    /// every term, its snippet.
    pub found: Vec<(T, bool, Snippet)>,
    /// Matches in all.
    pub total: usize,
    /// Pages they fill.
    pub pages: i64,
}

/// Keeps the candidates of the index whose text (`texts`: own title,
/// HTML body, thread title) holds every term once the tags are gone,
/// title hits first, then in the store's order (most recent first), and
/// cuts page `page` of them. Shared by the forums' and the project
/// spaces' searches.
pub(super) fn rank_page<T>(
    candidates: Vec<T>,
    terms: &[SearchTerm],
    page: i64,
    texts: impl Fn(&T) -> (&str, &str, &str),
) -> RankedPage<T> {
    let mut found: Vec<(bool, T, String)> = Vec::new();
    for hit in candidates {
        let (own_title, html, thread_title) = texts(&hit);
        let text = html_text(html);
        let mut document = word_set(own_title);
        document.extend(word_set(&text));
        if !terms.iter().all(|term| term.matches(&document)) {
            continue;
        }
        let title = word_set(thread_title);
        let title_hit = terms.iter().all(|term| term.matches(&title));
        found.push((title_hit, hit, text));
    }
    // Stable: within each group, the store's order (most recent first).
    found.sort_by_key(|(title_hit, _, _)| !title_hit);
    let total = found.len();
    RankedPage {
        total,
        pages: ((total as i64 + THREADS_PER_PAGE - 1) / THREADS_PER_PAGE).max(1),
        found: found
            .into_iter()
            .skip(((page - 1) * THREADS_PER_PAGE) as usize)
            .take(THREADS_PER_PAGE as usize)
            .map(|(title_hit, hit, text)| (hit, title_hit, snippet(&text, terms)))
            .collect(),
    }
}

impl Domain {
    /// Searches the forums' threads and replies.
    pub async fn search_forums(&self, search: &ForumSearch) -> DomainResult<ForumSearchResults> {
        let forum = match &search.forum {
            Some(path) => Some(self.forum_by_path(path).await?),
            None => None,
        };
        let mut results = ForumSearchResults {
            forum,
            posts: Vec::new(),
            total: 0,
            pages: 1,
            truncated: false,
        };
        let terms = Synonyms::shipped().terms(&search.words);
        if terms.is_empty() {
            return Ok(results);
        }
        let candidates = self
            .store
            .search_posts(
                &terms,
                results.forum.as_ref().map(|forum| forum.actor.id),
                MAX_CANDIDATES,
            )
            .await?;
        results.truncated = candidates.len() as i64 >= MAX_CANDIDATES;
        let ranked = rank_page(candidates, &terms, search.page, |hit| {
            (
                hit.view.post.title.as_str(),
                hit.view.post.content_html.as_str(),
                hit.thread_title.as_str(),
            )
        });
        results.total = ranked.total;
        results.pages = ranked.pages;
        results.posts = ranked
            .found
            .into_iter()
            .map(|(hit, title_hit, snippet)| FoundPost {
                hit,
                title_hit,
                snippet,
            })
            .collect();
        Ok(results)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn snippets_show_the_first_match() {
        let terms = Synonyms::shipped().terms(&words("robot"));
        let text = "Un club de Robotique au collège, le mercredi.";
        assert_eq!(
            snippet(text, &terms),
            Snippet {
                before: "Un club de ".into(),
                matched: "Robotique".into(),
                after: " au collège, le mercredi.".into(),
            }
        );
        let long = format!("{} robots {}", "a ".repeat(30), "b ".repeat(30));
        let cut = snippet(&long, &terms);
        assert!(cut.before.starts_with("… ") && cut.after.ends_with(" …"));
        assert_eq!(cut.matched, "robots");
        assert!(snippet("rien ici", &terms).matched.is_empty());
    }

    #[test]
    fn searches_are_checked() {
        let search = ForumSearchInput {
            q: "Maths, maths ÉCO".into(),
            ..ForumSearchInput::default()
        }
        .validate()
        .unwrap();
        assert_eq!(search.words, ["maths", "eco"]);
        assert_eq!(search.page, 1);
        let refused = |input: ForumSearchInput| input.validate().unwrap_err().code();
        assert_eq!(
            refused(ForumSearchInput {
                q: "a b c d e f g h i j k l m".into(),
                ..ForumSearchInput::default()
            }),
            "too_many_items"
        );
        assert_eq!(
            refused(ForumSearchInput {
                page: "0".into(),
                ..ForumSearchInput::default()
            }),
            "invalid_page"
        );
    }
}
