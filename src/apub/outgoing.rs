//! The activities Préau sends, built from stored rows (FEP-1b12 group
//! federation, FEP-7888 threads as context). Pure functions: the domain
//! layer stores their output in the outbox in the same transaction as the
//! change they announce.

use crate::{
    store::{forums::ForumRow, posts::PostRow},
    urls,
};
use preau_federation::{
    context::preau_context,
    objects::{Post, PostKind, Tombstone, PUBLIC},
    Source,
};
use serde_json::{json, Value};
use url::Url;

/// A fresh activity id on this instance.
pub fn new_activity_id(base: &str) -> String {
    format!("{base}/activities/{}", urls::random_token())
}

fn rfc3339(ms: i64) -> Option<String> {
    chrono::DateTime::from_timestamp_millis(ms)
        .map(|time| time.to_rfc3339_opts(chrono::SecondsFormat::Millis, true))
}

/// The wire object of a stored post: a `Page` for a thread, a `Note` for a
/// reply, with `audience` = forum and `context` = the thread's collection.
pub fn post_object(
    post: &PostRow,
    author_ap_id: &str,
    forum_ap_id: &str,
    in_reply_to: Option<&str>,
    declared: preau_federation::TrustLevel,
) -> Option<Post> {
    let id = Url::parse(&post.ap_id).ok()?;
    let author = Url::parse(author_ap_id).ok()?;
    let kind = match post.kind {
        crate::store::posts::PostKind::Thread => PostKind::Page,
        crate::store::posts::PostKind::Reply => PostKind::Note,
    };
    let mut object = Post::new(kind, id, author);
    if !post.title.is_empty() {
        object.name = Some(post.title.clone());
    }
    object.content = Some(post.content_html.clone());
    object.media_type = Some("text/html".to_string());
    if !post.source.is_empty() {
        object.source = Some(Source {
            content: post.source.clone(),
            media_type: "text/markdown".to_string(),
        });
    }
    object.audience = Url::parse(forum_ap_id).ok();
    object.context = post.context_url.as_deref().and_then(|c| Url::parse(c).ok());
    object.in_reply_to = in_reply_to.and_then(|r| Url::parse(r).ok());
    object.to = vec![PUBLIC.to_string()];
    object.cc = vec![forum_ap_id.to_string()];
    // Only for posts written here: this instance speaks for its own.
    object.trust_level = post.local.then_some(declared);
    object.published = rfc3339(post.published_at);
    object.updated = post.updated_at.and_then(rfc3339);
    object.url = Url::parse(&post.ap_id).ok();
    object.stickied = (post.kind == crate::store::posts::PostKind::Thread).then_some(post.pinned);
    object.comments_enabled =
        (post.kind == crate::store::posts::PostKind::Thread).then_some(!post.locked);
    Some(object)
}

/// The `Tombstone` a deleted post's URL serves.
pub fn tombstone(post: &PostRow) -> Option<Tombstone> {
    let former = match post.kind {
        crate::store::posts::PostKind::Thread => PostKind::Page,
        crate::store::posts::PostKind::Reply => PostKind::Note,
    };
    Some(Tombstone::new(
        Url::parse(&post.ap_id).ok()?,
        Some(former),
        post.deleted_at.or(post.removed_at).and_then(rfc3339),
    ))
}

/// An activity addressed to the public and the forum, FEP-1b12 style.
pub fn activity(kind: &str, id: &str, actor: &str, forum: &ForumRow, object: Value) -> Value {
    json!({
        "@context": preau_context(),
        "id": id,
        "type": kind,
        "actor": actor,
        "to": [PUBLIC],
        "cc": [forum.actor.ap_id],
        "audience": forum.actor.ap_id,
        "object": object,
    })
}

/// The forum's `Announce` of an activity it accepted, sent unchanged to
/// its followers.
pub fn announce(base: &str, forum: &ForumRow, inner: &Value) -> (String, Value) {
    let id = new_activity_id(base);
    // Relayed exactly as received, `@context`, Linked Data signature and
    // FEP-8b32 proof included, so followers can check it themselves.
    let inner = inner.clone();
    let body = json!({
        "@context": preau_context(),
        "id": id,
        "type": "Announce",
        "actor": forum.actor.ap_id,
        "to": [PUBLIC],
        "cc": [urls::forum_followers_of(&forum.actor.ap_id)],
        "audience": forum.actor.ap_id,
        "object": inner,
    });
    (id, body)
}

/// `Follow` of a forum by a local person.
pub fn follow(id: &str, follower: &str, forum: &str) -> Value {
    json!({
        "@context": preau_context(),
        "id": id,
        "type": "Follow",
        "actor": follower,
        "object": forum,
        "to": [forum],
    })
}

/// `Undo` of an earlier activity (embedded).
pub fn undo(id: &str, actor: &str, inner: Value, to: &str) -> Value {
    let mut inner = inner;
    if let Some(object) = inner.as_object_mut() {
        object.remove("@context");
    }
    json!({
        "@context": preau_context(),
        "id": id,
        "type": "Undo",
        "actor": actor,
        "object": inner,
        "to": [to],
    })
}

/// `Accept` of a `Follow`, by the followed forum.
pub fn accept(id: &str, forum: &str, follow: Value, follower: &str) -> Value {
    let mut follow = follow;
    if let Some(object) = follow.as_object_mut() {
        object.remove("@context");
    }
    json!({
        "@context": preau_context(),
        "id": id,
        "type": "Accept",
        "actor": forum,
        "object": follow,
        "to": [follower],
    })
}

/// A report (`Flag`) about `object`, with the reason in `content`
/// (Mastodon) and `summary` (Lemmy).
pub fn flag(id: &str, actor: &str, to: &str, object: &str, reason: &str) -> Value {
    json!({
        "@context": preau_context(),
        "id": id,
        "type": "Flag",
        "actor": actor,
        "to": [to],
        "object": object,
        "content": reason,
        "summary": reason,
    })
}
