//! Full-text search in a project space's forum (issue 13, "finding
//! things"): its threads and replies, for its members only, hosted here
//! or mirrored from the project's host, with the forums' widening of
//! words and their ranking (title hits first, then the most recent) and
//! snippets ([`super::forum_search`]).

use super::{
    forum_search::{page_of, rank_page, Snippet, MAX_CANDIDATES},
    rows::{AccountRow, ProjectRow},
    search_words::Synonyms,
    Domain, DomainResult, Refusal,
};
use crate::domain::store::post_search::ProjectPostHit;

/// A post of the project's forum found.
#[derive(Debug, Clone)]
pub struct FoundProjectPost {
    /// The post, its author and its thread's title.
    pub hit: ProjectPostHit,
    /// Whether its thread's title holds every term (listed first).
    pub title_hit: bool,
    /// The text around the first match.
    pub snippet: Snippet,
}

/// One page of results.
#[derive(Debug, Clone, Default)]
pub struct ProjectSearchResults {
    /// The posts of this page.
    pub posts: Vec<FoundProjectPost>,
    /// How many posts match in all.
    pub total: usize,
    /// How many pages they fill.
    pub pages: i64,
    /// Whether candidates were cut at the limit (narrow the search).
    pub truncated: bool,
}

impl Domain {
    /// Searches `project`'s forum for `words` (folded, as
    /// [`super::directory::query_words`] gives them); page `page` from 1.
    /// Only a current member may: `not_project_member` otherwise, before
    /// anything is read.
    pub async fn search_project_forum(
        &self,
        viewer: &AccountRow,
        project: &ProjectRow,
        words: &[String],
        page: i64,
    ) -> DomainResult<ProjectSearchResults> {
        if self
            .may_read_project(Some(viewer), project)
            .await?
            .is_none()
        {
            return Err(Refusal::NotProjectMember.into());
        }
        let terms = Synonyms::shipped().terms(words);
        if terms.is_empty() {
            return Ok(ProjectSearchResults {
                pages: 1,
                ..ProjectSearchResults::default()
            });
        }
        let candidates = self
            .store
            .search_project_post_candidates(&terms, project.actor.id, MAX_CANDIDATES)
            .await?;
        let truncated = candidates.len() as i64 >= MAX_CANDIDATES;
        let ranked = rank_page(candidates, &terms, page);
        let ids: Vec<i64> = ranked.found.iter().map(|(hit, ..)| hit.id).collect();
        let hits = self.store.project_post_hits(project.actor.id, &ids).await?;
        Ok(ProjectSearchResults {
            total: ranked.total,
            pages: ranked.pages,
            truncated,
            posts: page_of(ranked.found, hits, |hit| hit.post.id)
                .map(|(hit, title_hit, snippet)| FoundProjectPost {
                    hit,
                    title_hit,
                    snippet,
                })
                .collect(),
        })
    }
}
