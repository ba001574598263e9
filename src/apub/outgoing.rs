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
    announce_with_id(&new_activity_id(base), forum, inner)
}

/// The forum's `Announce` of `inner` with a given id (the outbox gives
/// each thread's announce a stable one).
pub fn announce_with_id(id: &str, forum: &ForumRow, inner: &Value) -> (String, Value) {
    let id = id.to_string();
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

/// `Undo` of an earlier activity (embedded), addressed exactly like the
/// activity it undoes (`to`, `cc`, `audience`): Lemmy refuses an undo whose
/// addressing differs from the original's (an `Undo(Lock)` addressed only
/// to the forum is answered 400). `to` is used when the inner activity has
/// no addressing of its own.
pub fn undo(id: &str, actor: &str, inner: Value, to: &str) -> Value {
    let mut inner = inner;
    if let Some(object) = inner.as_object_mut() {
        object.remove("@context");
    }
    let mut undo = json!({
        "@context": preau_context(),
        "id": id,
        "type": "Undo",
        "actor": actor,
        "object": inner,
        "to": [to],
    });
    for field in ["to", "cc", "audience"] {
        if let Some(value) = inner.get(field) {
            undo[field] = value.clone();
        }
    }
    undo
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

#[cfg(test)]
mod tests {
    use super::*;

    /// Lemmy answers 400 to an `Undo` addressed otherwise than what it
    /// undoes; ours carry the inner activity's `to`, `cc` and `audience`,
    /// as Lemmy's own `Undo(Lock)` does.
    #[test]
    fn an_undo_is_addressed_like_what_it_undoes() {
        let lemmy: Value = serde_json::from_str(include_str!(
            "../../federation/fixtures/lemmy/lemmy-apub-assets/activities/community/undo_lock_page.json"
        ))
        .unwrap();
        let lock = lemmy["object"].clone();
        let undone = undo(
            "https://a.example/activities/1",
            "https://a.example/users/anne",
            lock.clone(),
            "https://a.example/c/main",
        );
        for field in ["to", "cc", "audience"] {
            assert_eq!(undone[field], lemmy[field], "{field}");
            assert_eq!(undone[field], lock[field], "{field}");
        }
        // Without addressing of its own (a Follow), the given recipient.
        let follow = json!({"type": "Follow", "id": "https://a.example/f/1"});
        let undone = undo(
            "https://a.example/activities/2",
            "https://a.example/users/anne",
            follow,
            "https://b.example/forums/x",
        );
        assert_eq!(undone["to"], json!(["https://b.example/forums/x"]));
    }
}
