//! Shared lookups of the edges: a forum or project by the path of its page
//! (`NAME` here, `NAME@HOST` elsewhere), a person or project by handle or
//! URL (as far as this instance knows it), rows by id, and the paging
//! constants pages and the API agree on.

use super::Refusal;
use super::{
    rows::{ActorId, ActorRow, ForumRow, PostId, PostRow, PostView, ProjectRow},
    Domain, DomainError, DomainResult,
};

/// Threads per forum page, on pages and in the API.
pub const THREADS_PER_PAGE: i64 = 20;
/// Replies per page of a thread, on pages and in the API.
pub const REPLIES_PER_PAGE: i64 = 50;
/// How many projects the list of projects shows at most.
pub const LISTED_PROJECTS: i64 = 200;
/// How many lines of a project's activity log its members see.
pub const LOG_LINES: i64 = 50;

fn not_found() -> DomainError {
    DomainError::from(Refusal::NotFound)
}

/// What a handle or URL names, as far as this instance knows: a known
/// actor, or where to look it up (the edge fetches, then stores it).
#[derive(Debug)]
pub enum ActorLookup {
    /// Already known here.
    Known(ActorRow),
    /// Unknown URL: fetch the actor document there.
    FetchUrl(url::Url),
    /// Unknown `name@domain`: ask its instance by WebFinger.
    WebFinger(String),
}

impl Domain {
    /// Whether `host` is this instance's own domain.
    pub(crate) fn is_own_host(&self, host: &str) -> bool {
        host.eq_ignore_ascii_case(&self.settings.instance.domain)
    }

    /// The forum a page path names: `NAME` (local) or `NAME@HOST`.
    pub async fn forum_by_path(&self, name: &str) -> DomainResult<ForumRow> {
        let found = match name.split_once('@') {
            Some((name, host)) if !self.is_own_host(host) => {
                match self.store.remote_actor_by_handle(name, host).await? {
                    Some(actor) => self.store.forum(actor.id).await?,
                    None => None,
                }
            }
            Some((name, _)) => self.store.local_forum(&name.to_lowercase()).await?,
            None => self.store.local_forum(&name.to_lowercase()).await?,
        };
        found.ok_or_else(not_found)
    }

    /// The project a page path names: `NAME` (local) or `NAME@HOST`
    /// (known remote).
    pub async fn project_by_path(&self, name: &str) -> DomainResult<ProjectRow> {
        let found = match name.split_once('@') {
            None => self.store.local_project(name).await?,
            Some((name, host)) if host == self.settings.instance.domain => {
                self.store.local_project(name).await?
            }
            Some((name, host)) => match self.store.remote_actor_by_handle(name, host).await? {
                Some(actor) => self.store.project(actor.id).await?,
                None => None,
            },
        };
        found.ok_or_else(not_found)
    }

    /// A person or project by `name` (local), `name@domain` or URL: the
    /// known actor, or where to look it up. A local name that is unknown
    /// is `not_found`; a malformed handle `invalid_handle`.
    pub async fn find_actor(&self, input: &str) -> DomainResult<ActorLookup> {
        let input = input.trim().trim_start_matches(['@', '!']);
        let invalid = || DomainError::from(Refusal::InvalidHandle);
        if input.starts_with("https://") || input.starts_with("http://") {
            let url = url::Url::parse(input).map_err(|_| invalid())?;
            return Ok(match self.store.actor_by_ap_id(url.as_str()).await? {
                Some(actor) => ActorLookup::Known(actor),
                None => ActorLookup::FetchUrl(url),
            });
        }
        let (name, domain) = match input.split_once('@') {
            Some((name, domain)) if !name.is_empty() && !domain.is_empty() => (name, Some(domain)),
            None if !input.is_empty() => (input, None),
            _ => return Err(invalid()),
        };
        match domain {
            Some(domain) if !self.is_own_host(domain) => Ok(
                match self.store.remote_actor_by_handle(name, domain).await? {
                    Some(known) => ActorLookup::Known(known),
                    None => ActorLookup::WebFinger(input.to_string()),
                },
            ),
            _ => self
                .store
                .local_actor_by_name(&name.to_lowercase())
                .await?
                .map(ActorLookup::Known)
                .ok_or_else(not_found),
        }
    }

    /// An actor by id, `not_found` when unknown.
    pub async fn actor_by_id(&self, id: ActorId) -> DomainResult<ActorRow> {
        self.store.actor_by_id(id).await?.ok_or_else(not_found)
    }

    /// The project an actor is, if it is one.
    pub async fn project_of_actor(&self, actor: &ActorRow) -> DomainResult<Option<ProjectRow>> {
        Ok(self.store.project(actor.id).await?)
    }

    /// A forum post by id, `not_found` when unknown.
    pub async fn post_by_id(&self, id: PostId) -> DomainResult<PostRow> {
        self.store.post(id).await?.ok_or_else(not_found)
    }

    /// A forum post with its author and counts, `not_found` when unknown.
    pub async fn post_view(&self, id: PostId) -> DomainResult<PostView> {
        self.store.post_view(id).await?.ok_or_else(not_found)
    }

    /// The post a reply form answers in thread `thread`: `parent` (the
    /// thread itself when absent), `not_found` when it is not in it.
    pub async fn reply_parent(&self, thread: PostId, parent: Option<i64>) -> DomainResult<PostRow> {
        let parent = self.post_by_id(parent.map_or(thread, PostId)).await?;
        if parent.thread() != thread {
            return Err(not_found());
        }
        Ok(parent)
    }

    /// The forum of a post, if still known.
    pub async fn forum_of_post(&self, post: &PostRow) -> DomainResult<Option<ForumRow>> {
        Ok(self.store.forum(post.forum_id).await?)
    }

    /// The page (from 1) of its thread a post is on.
    pub async fn page_of_post(&self, post: &PostRow) -> DomainResult<i64> {
        if post.thread_id.is_none() {
            return Ok(1);
        }
        Ok(self.store.replies_before(post).await? / REPLIES_PER_PAGE + 1)
    }
}
