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
    directory::{fold, html_text, word_matches, words, SearchTerm},
    post_search::{PostHit, SearchCandidate},
    posts::PostId,
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

/// The terms of a search checked against texts in one pass over their
/// words, without building a set of them: the rule of
/// [`SearchTerm::matches`] (every word of one alternative somewhere in
/// the texts, whole when short, as a prefix otherwise), cheap enough for
/// the 2,000 candidates of a common word.
struct TermCheck<'t> {
    terms: &'t [SearchTerm],
    /// Every word the terms ask for, once.
    wanted: Vec<&'t str>,
}

impl<'t> TermCheck<'t> {
    fn new(terms: &'t [SearchTerm]) -> Self {
        let mut wanted: Vec<&str> = Vec::new();
        for word in terms.iter().flat_map(|term| term.any_of.iter().flatten()) {
            if !wanted.contains(&word.as_str()) {
                wanted.push(word);
            }
        }
        TermCheck { terms, wanted }
    }

    /// Whether `texts` together hold every term.
    fn holds_all(&self, texts: &[&str]) -> bool {
        let mut seen = vec![false; self.wanted.len()];
        for text in texts {
            let folded = fold(text);
            for word in folded
                .split(|c: char| !c.is_alphanumeric())
                .filter(|word| !word.is_empty())
            {
                for (wanted, seen) in self.wanted.iter().zip(seen.iter_mut()) {
                    *seen = *seen || word_matches(word, wanted);
                }
            }
        }
        let found = |word: &String| {
            self.wanted
                .iter()
                .position(|wanted| *wanted == word.as_str())
                .is_some_and(|at| seen[at])
        };
        self.terms.iter().all(|term| {
            term.any_of
                .iter()
                .any(|alternative| !alternative.is_empty() && alternative.iter().all(found))
        })
    }
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
pub(super) struct RankedPage {
    /// This page's: the candidate, whether its thread's title holds
    /// every term, its snippet.
    pub found: Vec<(SearchCandidate, bool, Snippet)>,
    /// Matches in all.
    pub total: usize,
    /// Pages they fill.
    pub pages: i64,
}

/// Keeps the candidates of the index whose text (own title, HTML body,
/// thread title) holds every term once the tags are gone,
/// title hits first, then in the store's order (most recent first), and
/// cuts page `page` of them. Shared by the forums' and the project
/// spaces' searches; the candidates carry only these texts, the page's
/// posts are read whole after ([`page_of`]).
pub(super) fn rank_page(
    candidates: Vec<SearchCandidate>,
    terms: &[SearchTerm],
    page: i64,
) -> RankedPage {
    let check = TermCheck::new(terms);
    let mut found: Vec<(bool, SearchCandidate, String)> = Vec::new();
    for hit in candidates {
        let text = html_text(&hit.content_html);
        if !check.holds_all(&[&hit.title, &text]) {
            continue;
        }
        let title_hit = check.holds_all(&[&hit.thread_title]);
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

/// The ranked page's posts read whole (`hits`, whose id is `id`), in the
/// page's order with their title hit and snippet; a post gone since its
/// candidate was read is left out.
pub(super) fn page_of<T>(
    found: Vec<(SearchCandidate, bool, Snippet)>,
    hits: Vec<T>,
    id: impl Fn(&T) -> i64,
) -> impl Iterator<Item = (T, bool, Snippet)> {
    let mut by_id: std::collections::HashMap<i64, T> =
        hits.into_iter().map(|hit| (id(&hit), hit)).collect();
    found
        .into_iter()
        .filter_map(move |(candidate, title_hit, snippet)| {
            by_id
                .remove(&candidate.id)
                .map(|hit| (hit, title_hit, snippet))
        })
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
            .search_post_candidates(
                &terms,
                results.forum.as_ref().map(|forum| forum.actor.id),
                MAX_CANDIDATES,
            )
            .await?;
        results.truncated = candidates.len() as i64 >= MAX_CANDIDATES;
        let ranked = rank_page(candidates, &terms, search.page);
        results.total = ranked.total;
        results.pages = ranked.pages;
        let ids: Vec<PostId> = ranked
            .found
            .iter()
            .map(|(hit, ..)| PostId(hit.id))
            .collect();
        let hits = self.store.post_hits(&ids).await?;
        results.posts = page_of(ranked.found, hits, |hit| hit.view.post.id.0)
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

    /// The one-pass check finds what the word sets found, on the same
    /// texts: accents, ligatures, capitals, prefixes, short words,
    /// abbreviations both ways, several terms.
    #[test]
    fn the_one_pass_check_agrees_with_word_sets() {
        let texts = [
            "",
            "Séquence de maths",
            "SÉQUENCES en Mathématiques",
            "la séquençage, un cœur",
            "Cœur d’Éco : l'œuvre",
            "Sciences de la vie et de la Terre au lycée",
            "SVT, EPS et techno",
            "lac robotique",
            "robot la",
            "Les journaux du collège, un journal",
            "Académie de Rennes",
            "ce1 ce2 ab",
        ];
        let queries = [
            "séquence",
            "sequences",
            "maths",
            "mathématiques",
            "coeur oeuvre",
            "svt",
            "sciences de la vie et de la terre",
            "eps techno",
            "la",
            "robot",
            "robotique lac",
            "journaux",
            "bretagne",
            "ce1",
            "ab",
            "séquence maths",
        ];
        for query in queries {
            let terms = Synonyms::shipped().terms(&words(query));
            let check = TermCheck::new(&terms);
            for first in texts {
                for second in texts {
                    let mut document: HashSet<String> = words(first).into_iter().collect();
                    document.extend(words(second));
                    assert_eq!(
                        check.holds_all(&[first, second]),
                        terms.iter().all(|term| term.matches(&document)),
                        "{query:?} in {first:?} + {second:?}"
                    );
                }
            }
        }
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
