//! A person of another instance as this one knows them, for their page
//! here (`/@name@host`): their actor and profile fields as last fetched,
//! and their latest posts in the forums known here.

use super::{
    rows::{ActorRow, ForumRow, PostRow, ProfileRow},
    store::actors::ActorKindRow,
    Domain, DomainResult, Refusal,
};

/// How many posts a person's page lists.
const RECENT_POSTS: i64 = 10;

/// What this instance knows of a remote person.
#[derive(Debug)]
pub struct RemotePerson {
    /// Their Person actor.
    pub actor: ActorRow,
    /// Their profile fields (the biography is the actor's sanitised
    /// summary).
    pub profile: ProfileRow,
    /// Their latest posts known here, each with its thread (the post
    /// itself for a thread) and its forum.
    pub recent_posts: Vec<RecentPost>,
}

/// One post of a person's page.
#[derive(Debug)]
pub struct RecentPost {
    /// The post.
    pub post: PostRow,
    /// Its thread (the post itself when it opens one).
    pub thread: PostRow,
    /// Its forum.
    pub forum: ForumRow,
}

impl Domain {
    /// What this instance knows of `actor`, a person of another instance;
    /// `not_a_person` for anything else, `not_found` for a local one (their
    /// page is `/users/NAME`).
    pub async fn remote_person(&self, actor: ActorRow) -> DomainResult<RemotePerson> {
        if actor.kind != ActorKindRow::Person {
            return Err(Refusal::NotAPerson.into());
        }
        if actor.is_local() {
            return Err(Refusal::NotFound.into());
        }
        let profile = self.store.profile(actor.id).await?.unwrap_or_default();
        let mut recent_posts = Vec::new();
        for post in self.store.recent_posts_by(actor.id, RECENT_POSTS).await? {
            let thread = match post.thread_id {
                Some(thread) => match self.store.post(thread).await? {
                    Some(thread) => thread,
                    None => continue,
                },
                None => post.clone(),
            };
            let Some(forum) = self.store.forum(post.forum_id).await? else {
                continue;
            };
            recent_posts.push(RecentPost {
                post,
                thread,
                forum,
            });
        }
        Ok(RemotePerson {
            actor,
            profile,
            recent_posts,
        })
    }
}
