//! Thread pages as pages and the API show them, kept in memory per
//! (requested post, page) while nothing they show changed.
//!
//! A thread read by many while replies come in is the case this serves:
//! a new local reply does not make the pages of its thread stale, it
//! patches them (new counts, the reply appended when it lands on the
//! page) with four small reads, once per write, while the readers that
//! arrive after the write wait for the patch instead of reading the page's
//! rows again (see [`VersionedCache::record_write_and_patch`]). Any other
//! write (an edit, a deletion, a removal, a like, a trust label, a reply
//! received from another server) makes every entry stale as before.
//!
//! Several processes on one PostgreSQL database: another process's writes
//! are not counted in this one's content version. Its replies arrive as
//! live events (`LISTEN`), on which this process forgets the thread's
//! pages; anything else shows after the cache's age limit at the latest.

use super::{cache::VersionedCache, Domain, DomainResult};
use crate::domain::store::{
    forums::ForumRow,
    live::LiveEvent,
    posts::{PostId, PostView},
    Engine,
};
use std::{
    collections::HashSet,
    sync::{
        atomic::{AtomicU64, Ordering},
        Arc, Mutex,
    },
    time::Duration,
};

/// One page of a thread as read from the store.
#[derive(Debug)]
pub struct ThreadPage {
    /// The thread, with its author and counts.
    pub thread: PostView,
    /// The replies of this page, in order.
    pub replies: Vec<PostView>,
    /// Its forum.
    pub forum: ForumRow,
    /// All replies of the thread.
    pub total_replies: i64,
    /// The page number (from 1).
    pub page: i64,
    /// Replies per page it was read with; 0 when only the thread was read
    /// (a reply's id was asked for: the caller redirects).
    pub per_page: i64,
    /// Unique to this value in the process: what is made from it (the
    /// API's JSON, the rendered replies) can be kept while it is shown.
    pub generation: u64,
}

/// Source of [`ThreadPage::generation`].
static GENERATION: AtomicU64 = AtomicU64::new(1);

fn next_generation() -> u64 {
    GENERATION.fetch_add(1, Ordering::Relaxed)
}

/// Most reply ids remembered as this process's own (see
/// [`ThreadPages::own_replies`]) before they are all forgotten.
const OWN_REPLIES_MAX: usize = 10_000;

/// The thread pages of one instance.
pub struct ThreadPages {
    pages: VersionedCache<(i64, i64), ThreadPage>,
    /// On PostgreSQL, the replies this process wrote whose live event it
    /// has not received back yet: their pages were patched already, so
    /// the event must not drop them.
    own_replies: Mutex<HashSet<i64>>,
}

impl ThreadPages {
    /// An empty cache of `capacity` pages, each used for at most `max_age`.
    pub fn new(capacity: usize, max_age: Duration) -> Self {
        ThreadPages {
            pages: VersionedCache::new(capacity, max_age),
            own_replies: Mutex::default(),
        }
    }

    /// Drops the pages of `thread`, unless `reply` is this process's own.
    fn reply_seen(&self, thread: PostId, reply: PostId) {
        let own = {
            let mut own = self.own_replies.lock().unwrap_or_else(|p| p.into_inner());
            own.remove(&reply.0)
        };
        if !own {
            self.pages.forget(|_, page| page.thread.post.id == thread);
        }
    }
}

/// What a new reply changes on its thread's pages, read once after it was
/// recorded.
struct AfterReply {
    thread: PostView,
    forum: ForumRow,
    total_replies: i64,
    reply: PostView,
}

impl Domain {
    /// Page `page` (from 1, `per_page` replies each) of the thread that
    /// `id` belongs to, as pages and the API show it. Served from memory
    /// while nothing was written since it was read. When `id` is a reply,
    /// only the thread and its forum are filled in (the caller redirects).
    pub async fn thread_page(
        &self,
        id: PostId,
        page: i64,
        per_page: i64,
    ) -> DomainResult<Option<Arc<ThreadPage>>> {
        let page = page.max(1);
        // Many readers of one thread while replies come in: one of them
        // reads the store per write, the others wait for that read.
        self.thread_pages
            .pages
            .get_or_build((id.0, page), || self.read_thread_page(id, page, per_page))
            .await
    }

    /// One page of a thread, read from the store (see [`Self::thread_page`]).
    async fn read_thread_page(
        &self,
        id: PostId,
        page: i64,
        per_page: i64,
    ) -> DomainResult<Option<ThreadPage>> {
        let Some(requested) = self.store.post(id).await? else {
            return Ok(None);
        };
        let thread_id = requested.thread();
        let Some(thread) = self.store.post_view(thread_id).await? else {
            return Ok(None);
        };
        let Some(forum) = self.store.forum(thread.post.forum_id).await? else {
            return Ok(None);
        };
        if thread_id != id {
            return Ok(Some(ThreadPage {
                thread,
                replies: Vec::new(),
                forum,
                total_replies: 0,
                page,
                per_page: 0,
                generation: next_generation(),
            }));
        }
        let replies = self
            .store
            .thread_replies(thread_id, per_page, (page - 1) * per_page)
            .await?;
        let total_replies = self.store.count_thread_replies(thread_id).await?;
        Ok(Some(ThreadPage {
            thread,
            replies,
            forum,
            total_replies,
            page,
            per_page,
            generation: next_generation(),
        }))
    }

    /// Called before committing local reply `reply`: on
    /// PostgreSQL its live event will come back to this process, which
    /// must not drop the pages patched by [`Self::reply_committed`].
    pub(crate) fn reply_expected(&self, reply: PostId) {
        if self.store.engine() != Engine::Postgres {
            return;
        }
        let mut own = self
            .thread_pages
            .own_replies
            .lock()
            .unwrap_or_else(|p| p.into_inner());
        if own.len() >= OWN_REPLIES_MAX {
            own.clear();
        }
        own.insert(reply.0);
    }

    /// Records the commit of local reply `reply` of `thread` (in place of
    /// `store::commit`'s record): the thread's cached pages get the new
    /// counts and, on the page it lands on, the reply; other entries go
    /// stale as after any write. Done before the reply's author is
    /// answered, so the page the redirect opens shows the reply.
    pub(crate) async fn reply_committed(&self, thread: PostId, reply: PostId) {
        let after = tokio::sync::OnceCell::new();
        let read_after = || async {
            after
                .get_or_try_init(|| self.read_after_reply(thread, reply))
                .await
                .map(Option::as_ref)
        };
        self.thread_pages
            .pages
            .record_write_and_patch(
                |_, page| page.thread.post.id == thread,
                |old| async move {
                    // A reply's redirect entry: read again when asked.
                    if old.thread.post.id != thread || old.per_page <= 0 {
                        return Ok(None);
                    }
                    let Some(after) = read_after().await? else {
                        return Ok(None);
                    };
                    Ok::<_, crate::domain::DomainError>(patched(&old, after))
                },
            )
            .await;
    }

    /// The parts of a thread page a reply changes, read from the store.
    async fn read_after_reply(
        &self,
        thread: PostId,
        reply: PostId,
    ) -> DomainResult<Option<AfterReply>> {
        let Some(thread) = self.store.post_view(thread).await? else {
            return Ok(None);
        };
        let Some(forum) = self.store.forum(thread.post.forum_id).await? else {
            return Ok(None);
        };
        let Some(reply) = self.store.post_view(reply).await? else {
            return Ok(None);
        };
        let total_replies = self.store.count_thread_replies(thread.post.id).await?;
        Ok(Some(AfterReply {
            thread,
            forum,
            total_replies,
            reply,
        }))
    }

    /// On PostgreSQL, forgets the pages of threads that other processes
    /// reply to, as their live events arrive, until the instance stops.
    pub(crate) fn forget_pages_on_live_events(&self) {
        let pages = self.thread_pages.clone();
        let hub = self.store.live().clone();
        let mut events = hub.subscribe();
        let mut stopped = hub.stopped();
        tokio::spawn(async move {
            loop {
                tokio::select! {
                    event = events.recv() => match event {
                        Ok(published) => match published.event {
                            LiveEvent::Reply { id, thread } => pages.reply_seen(thread, id),
                            LiveEvent::Resync => pages.pages.forget(|_, _| true),
                            _ => {}
                        },
                        // Events were missed: any thread may have changed.
                        Err(tokio::sync::broadcast::error::RecvError::Lagged(_)) => {
                            pages.pages.forget(|_, _| true)
                        }
                        Err(tokio::sync::broadcast::error::RecvError::Closed) => break,
                    },
                    _ = stopped.changed() => break,
                }
            }
        });
    }
}

/// `old` with a new reply: fresh counts, thread and forum, and the reply
/// on the page it lands on. `None` when the page's rows shift (a reply
/// dated before the page's last, as a federated one may be) or the page
/// was empty past the first: it is read again.
fn patched(old: &ThreadPage, after: &AfterReply) -> Option<ThreadPage> {
    let mut replies = old.replies.clone();
    let reply = &after.reply;
    let order = |view: &PostView| (view.post.published_at, view.post.id.0);
    if let Some(same) = replies.iter_mut().find(|r| r.post.id == reply.post.id) {
        // Read after the commit already.
        *same = reply.clone();
    } else {
        match replies.last() {
            Some(last) if order(last) < order(reply) => {
                if (replies.len() as i64) < old.per_page {
                    replies.push(reply.clone());
                }
                // Otherwise it is on a later page: only the counts change.
            }
            None if old.page == 1 => replies.push(reply.clone()),
            _ => return None,
        }
    }
    Some(ThreadPage {
        thread: after.thread.clone(),
        replies,
        forum: after.forum.clone(),
        total_replies: after.total_replies,
        page: old.page,
        per_page: old.per_page,
        generation: next_generation(),
    })
}
