//! Activities: what arrives in an inbox and what Préau sends.
//!
//! [`Activity`] is deliberately tolerant. Its `type` is an open set (an
//! unknown type such as Lemmy's `Resolve` or Pleroma's `EmojiReact` parses
//! as [`ActivityKind::Other`] so the inbox can answer "not supported"
//! instead of "malformed"), and its `object` stays raw JSON because peers
//! send an id, an embedded object, an embedded activity (FEP-1b12
//! `Announce`, `Undo`) or, for `Flag`, a list. Typed views of the object are
//! taken on demand with [`Activity::parse_object`] and friends.
//!
//! When a forum relays an activity "unchanged" (FEP-1b12), relay the JSON
//! as received, not a re-serialised [`Activity`]: this struct drops fields
//! it does not know (signatures, proofs, other servers' extensions).

use crate::{
    lenient,
    objects::{is_public_address, PUBLIC},
};
use serde::{de::DeserializeOwned, Deserialize, Deserializer, Serialize, Serializer};
use serde_json::Value;
use url::Url;

/// The ActivityStreams type of an activity. Types Préau acts on have their
/// own variant; any other is kept as [`ActivityKind::Other`].
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum ActivityKind {
    /// A new post or reply.
    Create,
    /// An edit of a post, or a changed actor.
    Update,
    /// A deletion by the author, or by a moderator (with a `summary`).
    Delete,
    /// An upvote; on Préau, "this reply helped".
    Like,
    /// A downvote (Lemmy, Mbin, Friendica).
    Dislike,
    /// A forum relaying an activity (FEP-1b12), or a boost.
    Announce,
    /// A follow request, of a person or of a forum.
    Follow,
    /// Approval of a `Follow`, `Join` or `Invite`.
    Accept,
    /// Refusal of a `Follow`, `Join` or `Invite`.
    Reject,
    /// Reverses the embedded activity.
    Undo,
    /// A report to moderators.
    Flag,
    /// Removal from a collection: a moderator, a pinned post (`target`),
    /// or (Lemmy, older) a post removed by a moderator.
    Remove,
    /// Addition to a collection: a moderator, a pinned post.
    Add,
    /// A moderator locks a thread (Lemmy, Mbin): no more replies.
    Lock,
    /// A ban from a forum (with `target`) or a user block.
    Block,
    /// A request to join a group or event (Mobilizon).
    Join,
    /// Leaving a group or event.
    Leave,
    /// An invitation into a group (Mobilizon).
    Invite,
    /// Any other type, as written on the wire.
    Other(String),
}

impl ActivityKind {
    /// The type name as written on the wire.
    pub fn as_str(&self) -> &str {
        match self {
            ActivityKind::Create => "Create",
            ActivityKind::Update => "Update",
            ActivityKind::Delete => "Delete",
            ActivityKind::Like => "Like",
            ActivityKind::Dislike => "Dislike",
            ActivityKind::Announce => "Announce",
            ActivityKind::Follow => "Follow",
            ActivityKind::Accept => "Accept",
            ActivityKind::Reject => "Reject",
            ActivityKind::Undo => "Undo",
            ActivityKind::Flag => "Flag",
            ActivityKind::Remove => "Remove",
            ActivityKind::Add => "Add",
            ActivityKind::Lock => "Lock",
            ActivityKind::Block => "Block",
            ActivityKind::Join => "Join",
            ActivityKind::Leave => "Leave",
            ActivityKind::Invite => "Invite",
            ActivityKind::Other(name) => name,
        }
    }

    /// The kind a wire type name stands for; never fails.
    pub fn from_name(name: &str) -> Self {
        match name {
            "Create" => ActivityKind::Create,
            "Update" => ActivityKind::Update,
            "Delete" => ActivityKind::Delete,
            "Like" => ActivityKind::Like,
            "Dislike" => ActivityKind::Dislike,
            "Announce" => ActivityKind::Announce,
            "Follow" => ActivityKind::Follow,
            "Accept" => ActivityKind::Accept,
            "Reject" => ActivityKind::Reject,
            "Undo" => ActivityKind::Undo,
            "Flag" => ActivityKind::Flag,
            "Remove" => ActivityKind::Remove,
            "Add" => ActivityKind::Add,
            "Lock" => ActivityKind::Lock,
            "Block" => ActivityKind::Block,
            "Join" => ActivityKind::Join,
            "Leave" => ActivityKind::Leave,
            "Invite" => ActivityKind::Invite,
            other => ActivityKind::Other(other.to_string()),
        }
    }
}

impl std::fmt::Display for ActivityKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for ActivityKind {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for ActivityKind {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let name = String::deserialize(deserializer)?;
        Ok(ActivityKind::from_name(&name))
    }
}

/// An activity, as received from peers and as Préau sends it.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Activity {
    /// The activity's id; the inbox uses it to apply an activity once.
    pub id: Url,
    /// `Create`, `Announce`, `Flag`…
    #[serde(rename = "type")]
    pub kind: ActivityKind,
    /// Who did it. Prismo writes an array of objects; the first id is kept.
    /// The inbox must check it is the actor whose key signed the request.
    #[serde(deserialize_with = "lenient::required_id")]
    pub actor: Url,
    /// What it acts on, raw: an id, an embedded object or activity, or (for
    /// Mastodon's `Flag`) a list of ids. See [`Activity::object_id`],
    /// [`Activity::objects`], [`Activity::embedded_object`],
    /// [`Activity::inner_activity`] and [`Activity::parse_object`].
    pub object: Value,
    /// The collection of `Add`/`Remove` (moderators, featured), the forum a
    /// `Block` bans from, the group of an `Invite`; raw. See
    /// [`Activity::target_id`].
    #[serde(
        default,
        deserialize_with = "lenient::non_null",
        skip_serializing_if = "Option::is_none"
    )]
    pub target: Option<Value>,
    /// Where something moved from (`Move`, some `Remove`s); raw.
    #[serde(
        default,
        deserialize_with = "lenient::non_null",
        skip_serializing_if = "Option::is_none"
    )]
    pub origin: Option<Value>,
    /// Primary recipients; a single string (Fedify) is read as a list.
    /// Always serialised, even empty, because Lemmy requires the field.
    #[serde(default, deserialize_with = "lenient::string_list")]
    pub to: Vec<String>,
    /// Secondary recipients; always serialised, like `to`.
    #[serde(default, deserialize_with = "lenient::string_list")]
    pub cc: Vec<String>,
    /// The forum concerned (FEP-1b12); Lemmy and Mbin set it on everything
    /// they send about a community.
    #[serde(
        default,
        deserialize_with = "lenient::optional_id",
        skip_serializing_if = "Option::is_none"
    )]
    pub audience: Option<Url>,
    /// The reason of a moderation action or of a report (Lemmy, Mbin).
    #[serde(
        default,
        deserialize_with = "lenient::optional",
        skip_serializing_if = "Option::is_none"
    )]
    pub summary: Option<String>,
    /// The reason of a report (Mastodon), or a Misskey reaction's emoji.
    #[serde(
        default,
        deserialize_with = "lenient::optional",
        skip_serializing_if = "Option::is_none"
    )]
    pub content: Option<String>,
    /// When the activity happened (RFC 3339).
    #[serde(
        default,
        deserialize_with = "lenient::optional",
        skip_serializing_if = "Option::is_none"
    )]
    pub published: Option<String>,
    /// When a `Block` (ban) ends, as Lemmy writes it (RFC 3339).
    #[serde(
        default,
        deserialize_with = "lenient::optional",
        skip_serializing_if = "Option::is_none"
    )]
    pub end_time: Option<String>,
    /// When a `Block` (ban) ends, as Mbin writes it (RFC 3339).
    #[serde(
        default,
        deserialize_with = "lenient::optional",
        skip_serializing_if = "Option::is_none"
    )]
    pub expires: Option<String>,
    /// Whether a `Block` (ban) also removes the banned person's posts
    /// (Lemmy's `removeData`); Préau sends false.
    #[serde(
        default,
        deserialize_with = "lenient::optional",
        skip_serializing_if = "Option::is_none"
    )]
    pub remove_data: Option<bool>,
}

/// An earlier activity as an answer (`Accept`, `Reject`) embeds it: its
/// id and type, and the fields the receiver matches it by. Ids stay text:
/// an answer quotes them as they were received.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Answered {
    /// The answered activity's id.
    pub id: String,
    /// `Follow`, `Join`, `Invite`.
    #[serde(rename = "type")]
    pub kind: ActivityKind,
    /// Who sent it; left out of an `Invite` answered by the invitee, as
    /// Mobilizon writes it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub actor: Option<String>,
    /// What it was about: the followed actor, the group.
    pub object: String,
    /// The invited person of an `Invite`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target: Option<String>,
}

/// Why an activity's object cannot be read as the type asked for.
#[derive(Debug, thiserror::Error)]
pub enum ActivityError {
    /// The object is only an id: fetch it before reading it.
    #[error("the activity's object is not embedded")]
    ObjectNotEmbedded,
    /// The embedded object does not have the expected shape or type.
    #[error("the activity's object is malformed: {0}")]
    MalformedObject(#[from] serde_json::Error),
}

impl Activity {
    /// An activity with no recipients yet; add them with [`Activity::to`]
    /// and [`Activity::cc`], or use one of the FEP-1b12 constructors below.
    pub fn new(kind: ActivityKind, id: Url, actor: Url, object: Value) -> Self {
        Activity {
            id,
            kind,
            actor,
            object,
            target: None,
            origin: None,
            to: Vec::new(),
            cc: Vec::new(),
            audience: None,
            summary: None,
            content: None,
            published: None,
            end_time: None,
            expires: None,
            remove_data: None,
        }
    }

    /// What a member sends to a forum about a post (`Create`, `Update`,
    /// `Delete`, `Like`, `Lock`, `Remove`…): public, addressed to the forum
    /// in `to` (so Mbin, Mastodon and Fedify deliver and file it there) and
    /// in `audience` (so Lemmy does).
    pub fn to_forum(kind: ActivityKind, id: Url, actor: Url, object: Value, forum: &Url) -> Self {
        Activity::new(kind, id, actor, object)
            .to([PUBLIC, forum.as_str()])
            .audience(forum.clone())
    }

    /// What Préau sends about a forum's post (`Create`, `Update`, `Delete`,
    /// `Like`, `Lock`, `Add`/`Remove` to `featured`): public in `to`, the
    /// forum in `cc` and `audience`, as Lemmy addresses its own.
    pub fn in_forum(kind: ActivityKind, id: Url, actor: Url, object: Value, forum: &Url) -> Self {
        Activity::new(kind, id, actor, object)
            .to([PUBLIC])
            .cc([forum.as_str()])
            .audience(forum.clone())
    }

    /// What a member sends to a project space (`Create` of a members-only
    /// object): to `to` (the members collection, or the people an event is
    /// for), with the project in `cc` and `audience`.
    pub fn in_project<S: ToString>(
        kind: ActivityKind,
        id: Url,
        actor: Url,
        object: Value,
        to: impl IntoIterator<Item = S>,
        project: &Url,
    ) -> Self {
        Activity::new(kind, id, actor, object)
            .to(to)
            .cc([project.as_str()])
            .audience(project.clone())
    }

    /// A project relaying an activity it accepted to its members,
    /// unchanged: to the members collection, never public.
    pub fn announce_to_members(id: Url, project: &Url, members: &Url, relayed: Value) -> Self {
        Activity::new(ActivityKind::Announce, id, project.clone(), relayed)
            .to([members.as_str()])
            .audience(project.clone())
    }

    /// A person asks to join a group (Mobilizon's `Join`), or (`Leave`)
    /// leaves it; addressed to the group.
    pub fn membership(kind: ActivityKind, id: Url, person: Url, group: &Url) -> Self {
        Activity::new(kind, id, person, Value::String(group.to_string())).to([group.as_str()])
    }

    /// A member invites `invitee` into `group` (Mobilizon's `Invite`: the
    /// group as `object`, the person as `target`), with the group in `cc`.
    pub fn invite(id: Url, inviter: Url, group: &Url, invitee: &Url) -> Self {
        Activity::new(
            ActivityKind::Invite,
            id,
            inviter,
            Value::String(group.to_string()),
        )
        .target(invitee)
        .to([invitee.as_str()])
        .cc([group.as_str()])
    }

    /// The answer (`Accept` or `Reject`) of `actor` to an earlier activity
    /// (a `Join`, an `Invite`, a `Follow`), embedding what it answers.
    pub fn answer(kind: ActivityKind, id: Url, actor: Url, answered: &Answered, to: &Url) -> Self {
        let answered = serde_json::to_value(answered).unwrap_or(Value::Null);
        Activity::new(kind, id, actor, answered).to([to.as_str()])
    }

    /// A forum relaying an activity it accepted to its followers, unchanged
    /// (FEP-1b12): `to` public, `cc` the followers collection, as Lemmy and
    /// Mbin do. `relayed` is the activity's JSON as received.
    pub fn announce(id: Url, forum: &Url, forum_followers: &Url, relayed: Value) -> Self {
        Activity::new(ActivityKind::Announce, id, forum.clone(), relayed)
            .to([PUBLIC])
            .cc([forum_followers.as_str()])
            .audience(forum.clone())
    }

    /// A follow request, addressed to the followed actor (Lemmy refuses a
    /// `Follow` whose `to` is missing).
    pub fn follow(id: Url, follower: Url, followed: &Url) -> Self {
        Activity::new(
            ActivityKind::Follow,
            id,
            follower,
            Value::String(followed.to_string()),
        )
        .to([followed.as_str()])
    }

    /// The answer (`Accept` or `Reject`) of `actor` to a `Follow`, embedding
    /// the follow as received so the follower recognises it even when it
    /// cannot dereference the id.
    pub fn answer_follow(
        kind: ActivityKind,
        id: Url,
        actor: Url,
        follow: Value,
        follower: &Url,
    ) -> Self {
        Activity::new(kind, id, actor, follow).to([follower.as_str()])
    }

    /// Reverses `undone` (a `Follow`, `Like`, `Lock`, `Block`…), by the same
    /// actor and to the same recipients, embedding it.
    pub fn undo(id: Url, undone: &Activity) -> Result<Self, serde_json::Error> {
        let mut undo = Activity::new(
            ActivityKind::Undo,
            id,
            undone.actor.clone(),
            serde_json::to_value(undone)?,
        );
        undo.to.clone_from(&undone.to);
        undo.cc.clone_from(&undone.cc);
        undo.audience.clone_from(&undone.audience);
        Ok(undo)
    }

    /// A report of `reported` to the forum (or instance actor) `to`. The
    /// reason goes in `summary` (read by Lemmy and Mbin) and in `content`
    /// (read by Mastodon). `object` stays a single id because Lemmy refuses
    /// a list.
    pub fn report(id: Url, reporter: Url, to: &Url, reported: &Url, reason: &str) -> Self {
        let mut report = Activity::new(
            ActivityKind::Flag,
            id,
            reporter,
            Value::String(reported.to_string()),
        )
        .to([to.as_str()])
        .summary(reason);
        report.content = Some(reason.to_string());
        report
    }

    /// Replaces the primary recipients.
    pub fn to<S: ToString>(mut self, recipients: impl IntoIterator<Item = S>) -> Self {
        self.to = recipients.into_iter().map(|r| r.to_string()).collect();
        self
    }

    /// Replaces the secondary recipients.
    pub fn cc<S: ToString>(mut self, recipients: impl IntoIterator<Item = S>) -> Self {
        self.cc = recipients.into_iter().map(|r| r.to_string()).collect();
        self
    }

    /// Sets the forum concerned (FEP-1b12 `audience`).
    pub fn audience(mut self, forum: Url) -> Self {
        self.audience = Some(forum);
        self
    }

    /// Sets the reason (moderation, report).
    pub fn summary(mut self, reason: impl Into<String>) -> Self {
        self.summary = Some(reason.into());
        self
    }

    /// Sets the collection or group acted on (`Add`, `Remove`, `Block`).
    pub fn target(mut self, target: &Url) -> Self {
        self.target = Some(Value::String(target.to_string()));
        self
    }

    /// Sets where something moved from (a member removed from a group).
    pub fn origin(mut self, origin: &Url) -> Self {
        self.origin = Some(Value::String(origin.to_string()));
        self
    }

    /// Sets the publication time (RFC 3339).
    pub fn published(mut self, at: impl Into<String>) -> Self {
        self.published = Some(at.into());
        self
    }

    /// The id of the object: the string itself, an embedded object's `id`,
    /// or the first id of a list.
    pub fn object_id(&self) -> Option<Url> {
        lenient::id_of(&self.object)
    }

    /// Every id the object names; for `Flag`, Mastodon lists the reported
    /// account and its posts.
    pub fn objects(&self) -> Vec<Url> {
        match &self.object {
            Value::Array(many) => many.iter().filter_map(lenient::id_of).collect(),
            one => lenient::id_of(one).into_iter().collect(),
        }
    }

    /// The embedded object, when the object is not a bare id.
    pub fn embedded_object(&self) -> Option<&Value> {
        self.object.is_object().then_some(&self.object)
    }

    /// The `type` of the embedded object (`Page`, `Create`, `Tombstone`…).
    pub fn object_kind(&self) -> Option<&str> {
        self.embedded_object()?.get("type")?.as_str()
    }

    /// The embedded activity of an `Announce` or `Undo` (or of an `Accept`
    /// of a `Follow`); `None` when the object is an id or not an activity.
    pub fn inner_activity(&self) -> Option<Activity> {
        let embedded = self.embedded_object()?;
        serde_json::from_value(embedded.clone()).ok()
    }

    /// Reads the embedded object as `T` (a [`crate::objects::Post`], a
    /// [`crate::objects::Tombstone`], an [`crate::Actor`]…).
    pub fn parse_object<T: DeserializeOwned>(&self) -> Result<T, ActivityError> {
        let embedded = self
            .embedded_object()
            .ok_or(ActivityError::ObjectNotEmbedded)?;
        Ok(serde_json::from_value(embedded.clone())?)
    }

    /// The id of the `target`, when it names one.
    pub fn target_id(&self) -> Option<Url> {
        self.target.as_ref().and_then(lenient::id_of)
    }

    /// Whether the activity is addressed to the public collection.
    pub fn is_public(&self) -> bool {
        self.to
            .iter()
            .chain(&self.cc)
            .any(|address| is_public_address(address))
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    use super::*;
    use crate::objects::{Post, PostKind};
    use serde_json::json;

    fn url(text: &str) -> Url {
        text.parse().unwrap()
    }

    #[test]
    fn unknown_types_parse_and_round_trip() {
        let activity: Activity = serde_json::from_value(json!({
            "id": "https://l.example/activities/resolve/1",
            "type": "Resolve",
            "actor": "https://l.example/u/mod",
            "object": "https://l.example/activities/flag/1",
        }))
        .unwrap();
        assert_eq!(activity.kind, ActivityKind::Other("Resolve".to_string()));
        assert_eq!(serde_json::to_value(&activity).unwrap()["type"], "Resolve");
        assert_eq!(ActivityKind::from_name("Lock"), ActivityKind::Lock);
    }

    #[test]
    fn a_forum_announces_a_member_post() {
        let forum = url("https://p.example/f/sciences");
        let page = Post::new(
            PostKind::Page,
            url("https://p.example/t/1"),
            url("https://p.example/u/ana"),
        );
        let create = Activity::to_forum(
            ActivityKind::Create,
            url("https://p.example/a/1"),
            url("https://p.example/u/ana"),
            serde_json::to_value(&page).unwrap(),
            &forum,
        );
        assert!(create.is_public());
        assert_eq!(create.to, [PUBLIC, forum.as_str()]);
        let announce = Activity::announce(
            url("https://p.example/a/2"),
            &forum,
            &url("https://p.example/f/sciences/followers"),
            serde_json::to_value(&create).unwrap(),
        );
        let json = serde_json::to_value(&announce).unwrap();
        assert_eq!(
            json["cc"],
            json!(["https://p.example/f/sciences/followers"])
        );
        assert_eq!(json["object"]["object"]["type"], "Page");
        let back: Activity = serde_json::from_value(json).unwrap();
        let inner = back.inner_activity().unwrap();
        assert_eq!(inner.kind, ActivityKind::Create);
        assert_eq!(inner.object_id(), Some(page.id.clone()));
        let post: Post = inner.parse_object().unwrap();
        assert_eq!(post.author(), page.author());
    }

    #[test]
    fn undo_and_follow_answers_embed_what_they_answer() {
        let follow = Activity::follow(
            url("https://m.example/follows/1"),
            url("https://m.example/users/bob"),
            &url("https://p.example/f/sciences"),
        );
        assert_eq!(follow.to, ["https://p.example/f/sciences"]);
        let accept = Activity::answer_follow(
            ActivityKind::Accept,
            url("https://p.example/a/3"),
            url("https://p.example/f/sciences"),
            serde_json::to_value(&follow).unwrap(),
            &follow.actor,
        );
        assert_eq!(accept.object_kind(), Some("Follow"));
        assert_eq!(accept.object_id(), Some(follow.id.clone()));
        let undo = Activity::undo(url("https://m.example/follows/1/undo"), &follow).unwrap();
        assert_eq!(undo.actor, follow.actor);
        assert_eq!(undo.inner_activity().unwrap().kind, ActivityKind::Follow);
        assert!(matches!(
            follow.parse_object::<Post>(),
            Err(ActivityError::ObjectNotEmbedded)
        ));
    }

    #[test]
    fn a_report_carries_its_reason_for_lemmy_and_mastodon() {
        let report = Activity::report(
            url("https://p.example/a/4"),
            url("https://p.example/u/ana"),
            &url("https://l.example/c/maths"),
            &url("https://l.example/post/7"),
            "spam",
        );
        let json = serde_json::to_value(&report).unwrap();
        assert_eq!(json["summary"], "spam");
        assert_eq!(json["content"], "spam");
        assert_eq!(json["object"], "https://l.example/post/7");
        assert_eq!(report.objects(), [url("https://l.example/post/7")]);
    }
}
