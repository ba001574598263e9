//! Thread backfill: fetching the parts of a remote thread this instance
//! missed (it followed the forum late, or a reply arrived before its
//! parent). Bounded in depth and count so a hostile server cannot make us
//! fetch without end.

use super::actors::DbActor;
use crate::domain::provenance::{same_origin, Provenance};
use crate::{
    app::AppState,
    domain::federation_reads::{ForumRow, PostRow},
};
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

/// Stores a post read from another server into `forum`; the domain checks
/// that `provenance` lets it speak for its author.
async fn store_fetched(
    data: &Data<AppState>,
    forum: &ForumRow,
    post: &Post,
    provenance: Provenance<'_>,
) -> Result<(), String> {
    let author_id = post.author().cloned().ok_or("post without author")?;
    data.domain
        .check_authorship(&author_id, &post.id, provenance)
        .map_err(|e| e.to_string())?;
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
            provenance,
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
            .is_known_post(id.as_str())
            .await
            .map_err(|e| e.to_string())?
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
        store_fetched(data, forum, parent, Provenance::FetchedFrom(&parent.id)).await?;
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
        .forum_by_row_id(thread.forum_id)
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
                .is_known_post(id.as_str())
                .await
                .map_err(|e| e.to_string())?
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
                    .is_known_post(parent.as_str())
                    .await
                    .map_err(|e| e.to_string())?,
                None => false,
            };
            if parent_known {
                match store_fetched(data, &forum, &post, Provenance::FetchedFrom(&post.id)).await {
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

/// Most threads fetched from a forum's outbox when a local follow is
/// accepted.
pub const MAX_OUTBOX_THREADS: usize = 20;

/// The post an outbox item carries: a post, a `Create` of one, or an
/// `Announce` of either (Lemmy wraps its outbox items so).
fn post_in(item: &Value, depth: usize) -> Option<Value> {
    if depth > 2 {
        return None;
    }
    match item.get("type").and_then(Value::as_str) {
        Some("Page" | "Note" | "Article" | "Question") => Some(item.clone()),
        Some("Create" | "Announce") => post_in(item.get("object")?, depth + 1),
        _ => None,
    }
}

/// After a local follow of a remote forum is accepted, fetches its recent
/// threads from its outbox so the forum is not empty here. Bounded by
/// [`MAX_OUTBOX_THREADS`]; posts from another server than the forum's are
/// fetched from their origin.
pub async fn backfill_forum(data: &Data<AppState>, forum: &ForumRow) -> Result<usize, String> {
    let forum_url = Url::parse(&forum.actor.ap_id).map_err(|e| e.to_string())?;
    let actor = fetch_object_http::<AppState, preau_federation::Actor>(&forum_url, data)
        .await
        .map_err(|e| e.to_string())?
        .object;
    let Some(outbox) = actor.outbox else {
        return Ok(0);
    };
    let mut collection = fetch_object_http::<AppState, Collection>(&outbox, data)
        .await
        .map_err(|e| e.to_string())?
        .object;
    if collection.all_items().next().is_none() {
        if let Some(first) = collection.first_page() {
            collection = first;
        } else if let Some(first) = collection.first_url() {
            collection = fetch_object_http::<AppState, Collection>(&first, data)
                .await
                .map_err(|e| e.to_string())?
                .object;
        }
    }
    let mut stored = 0;
    let items: Vec<Value> = collection
        .all_items()
        .take(MAX_OUTBOX_THREADS)
        .cloned()
        .collect();
    for item in &items {
        let Some(embedded) = post_in(item, 0) else {
            continue;
        };
        let Ok(mut post) = serde_json::from_value::<Post>(embedded) else {
            continue;
        };
        if post.in_reply_to.is_some() {
            continue;
        }
        if data
            .domain
            .is_known_post(post.id.as_str())
            .await
            .map_err(|e| e.to_string())?
        {
            continue;
        }
        // The forum's server speaks only for its own posts: others are
        // read from their origin.
        let fetched = !same_origin(&post.id, &forum_url);
        if fetched {
            match fetch_post(data, &post.id.clone()).await {
                Ok(found) => post = found,
                Err(error) => {
                    tracing::info!(id = %post.id, %error, "forum backfill: post unavailable");
                    continue;
                }
            }
        }
        let provenance = if fetched {
            Provenance::FetchedFrom(&post.id)
        } else {
            Provenance::DeliveredBy(&forum_url)
        };
        match store_fetched(data, forum, &post, provenance).await {
            Ok(()) => stored += 1,
            Err(error) => tracing::info!(id = %post.id, %error, "forum backfill: post refused"),
        }
    }
    Ok(stored)
}
