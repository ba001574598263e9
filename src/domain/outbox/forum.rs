//! What Préau sends about forums and posts, built from stored rows with
//! the wire crate's types (FEP-1b12 group federation, FEP-7888 threads as
//! context). Pure functions: the domain queues their output in the outbox
//! in the same transaction as the change they announce.

use super::{new_activity_id, to_json, url};
use crate::{
    domain::store::{forums::ForumRow, posts::PostRow},
    domain::DomainResult,
    urls,
};
use preau_federation::{
    activities::{Activity, ActivityKind},
    objects::{Mention, Post, PostKind, Tombstone, PUBLIC},
    Source,
};
use serde_json::Value;
use url::Url;

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
        crate::domain::store::posts::PostKind::Thread => PostKind::Page,
        crate::domain::store::posts::PostKind::Reply => PostKind::Note,
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
    object.stickied =
        (post.kind == crate::domain::store::posts::PostKind::Thread).then_some(post.pinned);
    object.comments_enabled =
        (post.kind == crate::domain::store::posts::PostKind::Thread).then_some(!post.locked);
    Some(object)
}

/// Adds the people `mentions` names to a post: a `Mention` tag each
/// (`href` the actor, `name` `@name@domain`, as Mastodon writes it) and
/// their id in `cc`, so that their instances know the post concerns them.
pub fn add_mentions(object: &mut Post, mentions: &[crate::domain::mentions::Mention]) {
    for mention in mentions {
        if let Ok(href) = Url::parse(&mention.actor.ap_id) {
            object.add_mention(Mention::new(href, mention.name.clone()));
        }
    }
}

/// The `Tombstone` a deleted post's URL serves.
pub fn tombstone(post: &PostRow) -> Option<Tombstone> {
    let former = match post.kind {
        crate::domain::store::posts::PostKind::Thread => PostKind::Page,
        crate::domain::store::posts::PostKind::Reply => PostKind::Note,
    };
    Some(Tombstone::new(
        Url::parse(&post.ap_id).ok()?,
        Some(former),
        post.deleted_at.or(post.removed_at).and_then(rfc3339),
    ))
}

/// An activity of `actor` about a post of `forum` (`Create`, `Update`,
/// `Delete`, `Like`, `Lock`, `Add`/`Remove`): public, the forum in `cc`
/// and `audience` (FEP-1b12). The people an embedded post mentions (its
/// other `cc` entries) are in the activity's `cc` too, as Mastodon does.
pub fn in_forum(
    kind: ActivityKind,
    id: &str,
    actor: &str,
    forum: &str,
    object: Value,
) -> DomainResult<Activity> {
    let mentioned: Vec<String> = object
        .get("cc")
        .and_then(Value::as_array)
        .map(|cc| {
            cc.iter()
                .filter_map(Value::as_str)
                .filter(|address| *address != forum)
                .map(str::to_string)
                .collect()
        })
        .unwrap_or_default();
    let mut activity = Activity::in_forum(kind, url(id)?, url(actor)?, object, &url(forum)?);
    for address in mentioned {
        if !activity.cc.contains(&address) {
            activity.cc.push(address);
        }
    }
    Ok(activity)
}

/// The JSON of [`in_forum`] (for the forum's outbox collection); `Null`
/// if a stored id is not a URL.
pub fn activity(kind: &str, id: &str, actor: &str, forum: &ForumRow, object: Value) -> Value {
    in_forum(
        ActivityKind::from_name(kind),
        id,
        actor,
        &forum.actor.ap_id,
        object,
    )
    .and_then(|activity| to_json(&activity))
    .unwrap_or(Value::Null)
}

/// The forum's `Announce` of an activity it accepted, sent unchanged to
/// its followers.
pub fn announce(base: &str, forum: &str, inner: &Value) -> DomainResult<(String, Value)> {
    let id = new_activity_id(base);
    let announce = forum_announce(&id, forum, inner)?;
    Ok((id, to_json(&announce)?))
}

/// The forum's `Announce` of `inner` with a given id (the outbox gives
/// each thread's announce a stable one); `Null` if a stored id is not a
/// URL.
pub fn announce_with_id(id: &str, forum: &ForumRow, inner: &Value) -> (String, Value) {
    let body = forum_announce(id, &forum.actor.ap_id, inner)
        .and_then(|announce| to_json(&announce))
        .unwrap_or(Value::Null);
    (id.to_string(), body)
}

fn forum_announce(id: &str, forum: &str, inner: &Value) -> DomainResult<Activity> {
    // Relayed exactly as received, `@context`, Linked Data signature and
    // FEP-8b32 proof included, so followers can check it themselves.
    Ok(Activity::announce(
        url(id)?,
        &url(forum)?,
        &url(&urls::forum_followers_of(forum))?,
        inner.clone(),
    ))
}

/// `Follow` of a forum (or a person) by a local person.
pub fn follow(id: &str, follower: &str, followed: &str) -> DomainResult<Activity> {
    Ok(Activity::follow(url(id)?, url(follower)?, &url(followed)?))
}

/// `Undo` of an earlier activity (embedded), addressed exactly like the
/// activity it undoes (`to`, `cc`, `audience`): Lemmy refuses an undo whose
/// addressing differs from the original's (an `Undo(Lock)` addressed only
/// to the forum is answered 400).
pub fn undo(id: &str, undone: &Activity) -> DomainResult<Activity> {
    Activity::undo(url(id)?, undone)
        .map_err(|error| crate::domain::DomainError::Internal(error.to_string()))
}

/// `Accept` of a `Follow` by the followed forum, embedding the follow as
/// received (without its `@context`).
pub fn accept(id: &str, forum: &str, follow: &Value, follower: &str) -> DomainResult<Activity> {
    let mut follow = follow.clone();
    if let Some(object) = follow.as_object_mut() {
        object.remove("@context");
    }
    Ok(Activity::answer_follow(
        ActivityKind::Accept,
        url(id)?,
        url(forum)?,
        follow,
        &url(follower)?,
    ))
}

/// A report (`Flag`) about `object`, with the reason in `content`
/// (Mastodon) and `summary` (Lemmy).
pub fn flag(id: &str, actor: &str, to: &str, object: &str, reason: &str) -> DomainResult<Activity> {
    Ok(Activity::report(
        url(id)?,
        url(actor)?,
        &url(to)?,
        &url(object)?,
        reason,
    ))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    use super::*;

    /// Lemmy answers 400 to an `Undo` addressed otherwise than what it
    /// undoes; ours carry the inner activity's `to`, `cc` and `audience`,
    /// as Lemmy's own `Undo(Lock)` does.
    #[test]
    fn an_undo_is_addressed_like_what_it_undoes() {
        let lemmy: Value = serde_json::from_str(include_str!(
            "../../../federation/fixtures/lemmy/lemmy-apub-assets/activities/community/undo_lock_page.json"
        ))
        .unwrap();
        let lock: Activity = serde_json::from_value(lemmy["object"].clone()).unwrap();
        let undone = to_json(&undo("https://a.example/activities/1", &lock).unwrap()).unwrap();
        for field in ["to", "cc", "audience"] {
            assert_eq!(undone[field], lemmy[field], "{field}");
            assert_eq!(undone[field], lemmy["object"][field], "{field}");
        }
        // A follow's undo goes to the followed forum, like the follow.
        let follow = follow(
            "https://a.example/f/1",
            "https://a.example/users/anne",
            "https://b.example/forums/x",
        )
        .unwrap();
        let undone = to_json(&undo("https://a.example/activities/2", &follow).unwrap()).unwrap();
        assert_eq!(
            undone["to"],
            serde_json::json!(["https://b.example/forums/x"])
        );
    }
}
