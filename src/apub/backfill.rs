//! Thread backfill: fetching the parts of a remote thread this instance
//! missed (it followed the forum late, or a reply arrived before its
//! parent). Bounded in depth and count so a hostile server cannot make us
//! fetch without end.

use super::actors::DbActor;
use crate::{app::AppState, store::forums::ForumRow, store::posts::PostRow};
use activitypub_federation::{
    config::Data,
    fetch::{fetch_object_http, object_id::ObjectId},
};
use preau_federation::{collections::Collection, objects::Post};
use serde_json::Value;
use url::Url;

/// Longest chain of unknown parents fetched for one reply.
pub const MAX_DEPTH: usize = 10;
/// Most posts fetched for one thread at a time.
pub const MAX_POSTS: usize = 200;
/// Most collection pages followed.
const MAX_PAGES: usize = 10;

/// Stores a post fetched from its origin into `forum`.
async fn store_fetched(data: &Data<AppState>, forum: &ForumRow, post: &Post) -> Result<(), String> {
    let author_id = post.author().cloned().ok_or("post without author")?;
    if author_id.host_str() != post.id.host_str() {
        return Err("post and author on different hosts".into());
    }
    let author: DbActor = ObjectId::<DbActor>::from(author_id)
        .dereference(data)
        .await
        .map_err(|e| e.to_string())?;
    data.domain
        .receive_post(
            &format!("{}#fetched", post.id),
            forum,
            &author.row,
            post,
            &Value::Null,
        )
        .await
        .map(|_| ())
        .map_err(|e| e.to_string())
}

async fn fetch_post(data: &Data<AppState>, id: &Url) -> Result<Post, String> {
    fetch_object_http::<AppState, Post>(id, data)
        .await
        .map(|response| response.object)
        .map_err(|e| e.to_string())
}

/// Fetches and stores the unknown ancestors of `post` (its parent, the
/// parent's parent…), oldest first, so the reply can then be stored.
pub async fn ensure_ancestors(
    data: &Data<AppState>,
    forum: &ForumRow,
    post: &Post,
) -> Result<(), String> {
    let mut chain = Vec::new();
    let mut next = post.in_reply_to.clone();
    while let Some(id) = next {
        if chain.len() >= MAX_DEPTH {
            return Err("reply chain too deep".into());
        }
        if data
            .domain
            .store
            .post_by_ap_id(id.as_str())
            .await
            .map_err(|e| e.to_string())?
            .is_some()
        {
            break;
        }
        let parent = fetch_post(data, &id).await?;
        if parent.id != id {
            return Err("fetched post has another id".into());
        }
        next = parent.in_reply_to.clone();
        chain.push(parent);
    }
    for parent in chain.iter().rev() {
        store_fetched(data, forum, parent).await?;
    }
    Ok(())
}

/// The ids a thread's FEP-7888 `context` collection lists (following its
/// pages), or else its `replies` collection; bounded by [`MAX_POSTS`].
async fn thread_item_ids(data: &Data<AppState>, thread: &PostRow) -> Result<Vec<Url>, String> {
    let start = match &thread.context_url {
        Some(context) => Url::parse(context).map_err(|e| e.to_string())?,
        None => {
            let object =
                fetch_post(data, &Url::parse(&thread.ap_id).map_err(|e| e.to_string())?).await?;
            match object.replies.as_ref() {
                Some(Value::String(url)) => Url::parse(url).map_err(|e| e.to_string())?,
                Some(replies) => match replies.get("id").and_then(Value::as_str) {
                    Some(url) => Url::parse(url).map_err(|e| e.to_string())?,
                    None => return Ok(Vec::new()),
                },
                None => return Ok(Vec::new()),
            }
        }
    };
    let mut ids = Vec::new();
    let mut next = Some(start);
    let mut pages = 0;
    while let Some(url) = next.take() {
        pages += 1;
        let collection = fetch_object_http::<AppState, Collection>(&url, data)
            .await
            .map_err(|e| e.to_string())?
            .object;
        ids.extend(collection.item_ids());
        if ids.len() >= MAX_POSTS || pages >= MAX_PAGES {
            break;
        }
        next = collection.next_url().or_else(|| {
            if pages == 1 {
                collection.first_url()
            } else {
                None
            }
        });
    }
    ids.truncate(MAX_POSTS);
    Ok(ids)
}

/// Fetches the replies of a remote thread that are missing here. Returns
/// how many were stored.
pub async fn backfill_thread(data: &Data<AppState>, thread: &PostRow) -> Result<usize, String> {
    if thread.local {
        return Ok(0);
    }
    let forum = data
        .domain
        .store
        .forum(thread.forum_id)
        .await
        .map_err(|e| e.to_string())?
        .ok_or("thread without forum")?;
    if forum.actor.is_local() {
        return Ok(0);
    }
    let mut stored = 0;
    let mut pending: Vec<Post> = Vec::new();
    for id in thread_item_ids(data, thread).await? {
        if id.as_str() == thread.ap_id
            || data
                .domain
                .store
                .post_by_ap_id(id.as_str())
                .await
                .map_err(|e| e.to_string())?
                .is_some()
        {
            continue;
        }
        match fetch_post(data, &id).await {
            Ok(post) if post.id == id => pending.push(post),
            Ok(_) => tracing::info!(%id, "backfill: fetched post has another id"),
            Err(error) => tracing::info!(%id, %error, "backfill: post unavailable"),
        }
    }
    // Parents before children: a few passes over what is left.
    for _ in 0..MAX_DEPTH {
        let mut left = Vec::new();
        for post in pending {
            let parent_known = match &post.in_reply_to {
                Some(parent) => data
                    .domain
                    .store
                    .post_by_ap_id(parent.as_str())
                    .await
                    .map_err(|e| e.to_string())?
                    .is_some(),
                None => false,
            };
            if parent_known {
                match store_fetched(data, &forum, &post).await {
                    Ok(()) => stored += 1,
                    Err(error) => tracing::info!(id = %post.id, %error, "backfill: post refused"),
                }
            } else {
                left.push(post);
            }
        }
        if left.is_empty() {
            break;
        }
        pending = left;
    }
    Ok(stored)
}
