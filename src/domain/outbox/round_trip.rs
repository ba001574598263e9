//! The round trip of everything Préau sends: each activity is built with
//! the builders the domain uses, read back with Préau's own wire types,
//! and compared with its example in docs/FEDERATION.md (the JSON block
//! after a `<!-- sent: NAME -->` marker). Ids are compared by which are
//! equal to which (each distinct URL becomes `<url N>` in reading order),
//! dates are normalised, and a documented object holding a `"…"` key is
//! compared on the keys it shows.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use super::{answer, forum, project, to_json, Answered};
use crate::domain::store::{
    actors::ActorId,
    posts::{PostId, PostKind, PostRow},
    project_content::ProjectPostRow,
};
use preau_federation::{
    activities::{Activity, ActivityKind},
    objects::{Post, PUBLIC},
    projects::{Member, MemberRole},
    TrustLevel,
};
use serde_json::{Map, Value};

const FEDERATION_MD: &str = include_str!("../../../docs/FEDERATION.md");

/// The JSON example after `<!-- sent: NAME -->`.
fn example(name: &str) -> Value {
    let marker = format!("<!-- sent: {name} -->");
    let start = FEDERATION_MD
        .find(&marker)
        .unwrap_or_else(|| panic!("docs/FEDERATION.md has no example {name}"))
        + marker.len();
    let rest = &FEDERATION_MD[start..];
    let open = rest
        .find("```json")
        .expect("a JSON block follows the marker")
        + "```json".len();
    let close = rest[open..].find("```").expect("the JSON block ends");
    serde_json::from_str(&rest[open..open + close])
        .unwrap_or_else(|error| panic!("example {name} is not JSON: {error}"))
}

/// `built` restricted to the keys `documented` shows where it abridges
/// an object with a `"…"` key.
fn restrict(built: &Value, documented: &Value) -> (Value, Value) {
    match (built, documented) {
        (Value::Object(built), Value::Object(documented)) => {
            let abridged = documented.contains_key("…");
            let mut left = Map::new();
            let mut right = Map::new();
            for (key, value) in built {
                if key == "@context" || (abridged && !documented.contains_key(key)) {
                    continue;
                }
                let (l, r) = match documented.get(key) {
                    Some(doc) => restrict(value, doc),
                    None => (value.clone(), Value::Null),
                };
                left.insert(key.clone(), l);
                if documented.contains_key(key) {
                    right.insert(key.clone(), r);
                }
            }
            for (key, value) in documented {
                if key != "…" && key != "@context" && !built.contains_key(key) {
                    right.insert(key.clone(), value.clone());
                }
            }
            (Value::Object(left), Value::Object(right))
        }
        (Value::Array(built), Value::Array(documented)) if built.len() == documented.len() => {
            let (left, right) = built
                .iter()
                .zip(documented)
                .map(|(b, d)| restrict(b, d))
                .unzip();
            (Value::Array(left), Value::Array(right))
        }
        _ => (built.clone(), documented.clone()),
    }
}

/// Ids replaced by `<url N>` (N: order of first appearance, keys sorted),
/// dates by `<date>`.
fn normalise(value: &Value, urls: &mut Vec<String>) -> Value {
    match value {
        Value::String(text) if text != PUBLIC && text.starts_with("http") => {
            let n = match urls.iter().position(|seen| seen == text) {
                Some(n) => n,
                None => {
                    urls.push(text.clone());
                    urls.len() - 1
                }
            };
            Value::String(format!("<url {n}>"))
        }
        Value::String(text) if chrono::DateTime::parse_from_rfc3339(text).is_ok() => {
            Value::String("<date>".into())
        }
        Value::Array(items) => Value::Array(items.iter().map(|v| normalise(v, urls)).collect()),
        Value::Object(map) => {
            let mut keys: Vec<&String> = map.keys().collect();
            keys.sort();
            let mut out = Map::new();
            for key in keys {
                out.insert(key.clone(), normalise(&map[key], urls));
            }
            Value::Object(out)
        }
        other => other.clone(),
    }
}

/// Reads `built` back as an [`Activity`] of `kind`, and compares it with
/// the example `name`.
fn check(name: &str, kind: ActivityKind, built: &Activity) -> Activity {
    check_against(name, &example(name), kind, built)
}

/// The example `name` with another `type`, for the activities the
/// documentation describes as "the same shape" as another.
fn same_shape_as(name: &str, kind: &ActivityKind) -> Value {
    let mut example = example(name);
    example["type"] = Value::String(kind.as_str().to_string());
    example
}

/// Reads `built` back as an [`Activity`] of `kind`, and compares it with
/// `documented` (the example `name`).
fn check_against(name: &str, documented: &Value, kind: ActivityKind, built: &Activity) -> Activity {
    let json = to_json(built).unwrap();
    let back: Activity = serde_json::from_value(json.clone())
        .unwrap_or_else(|error| panic!("{name} does not parse as an Activity: {error}"));
    assert_eq!(back.kind, kind, "{name}");
    let (sent, documented) = restrict(&json, documented);
    let sent = normalise(&sent, &mut Vec::new());
    let documented = normalise(&documented, &mut Vec::new());
    assert_eq!(
        sent,
        documented,
        "{name}: sent\n{}\ndocumented\n{}",
        serde_json::to_string_pretty(&sent).unwrap(),
        serde_json::to_string_pretty(&documented).unwrap()
    );
    back
}

const MATHS: &str = "http://localhost:18201/forums/maths";
const BOB: &str = "http://localhost:18202/users/bob";
const ECO: &str = "http://localhost:18301/projects/eco";

fn reply() -> PostRow {
    PostRow {
        id: PostId(2),
        ap_id: "http://localhost:18202/posts/d4118a6cabaf250e40a66020".into(),
        kind: PostKind::Reply,
        forum_id: ActorId(1),
        thread_id: Some(PostId(1)),
        in_reply_to_id: Some(PostId(1)),
        author_id: ActorId(2),
        title: String::new(),
        source: "Je commence par les *tableaux de valeurs*.".into(),
        content_html: "<p>Je commence par les <em>tableaux de valeurs</em>.</p>\n".into(),
        context_url: Some("http://localhost:18201/posts/e78c95434ef930342d246f7c/context".into()),
        published_at: 1_795_336_062_000,
        updated_at: None,
        deleted_at: None,
        removed_at: None,
        removed_reason: None,
        refused_at: None,
        refused_reason: None,
        locked: false,
        pinned: false,
        last_activity_at: 1_795_336_062_000,
        local: true,
    }
}

fn forum_post(kind: ActivityKind, post: &PostRow) -> Activity {
    let object = forum::post_object(
        post,
        BOB,
        MATHS,
        Some("http://localhost:18201/posts/e78c95434ef930342d246f7c"),
        TrustLevel::Informal,
    )
    .unwrap();
    let object = serde_json::to_value(object).unwrap();
    forum::in_forum(
        kind,
        "http://localhost:18202/activities/1",
        BOB,
        MATHS,
        object,
    )
    .unwrap()
}

#[test]
fn what_a_forum_member_sends_round_trips_and_matches_the_documentation() {
    let follow = forum::follow("http://localhost:18202/activities/1", BOB, MATHS).unwrap();
    check("follow", ActivityKind::Follow, &follow);
    let undo = forum::undo("http://localhost:18202/activities/2", &follow).unwrap();
    let back = check("undo-follow", ActivityKind::Undo, &undo);
    assert_eq!(back.inner_activity().unwrap().kind, ActivityKind::Follow);

    let create = check(
        "create",
        ActivityKind::Create,
        &forum_post(ActivityKind::Create, &reply()),
    );
    let note: Post = create.parse_object().unwrap();
    assert_eq!(
        note.in_reply_to.unwrap().as_str(),
        "http://localhost:18201/posts/e78c95434ef930342d246f7c"
    );
    let mut edited = reply();
    edited.updated_at = Some(1_795_336_068_000);
    // "The same envelope with `"type": "Update"`", the object with `updated`.
    let mut documented = same_shape_as("create", &ActivityKind::Update);
    documented["object"]["updated"] = Value::String("2026-11-22T08:27:48Z".into());
    let update = check_against(
        "update",
        &documented,
        ActivityKind::Update,
        &forum_post(ActivityKind::Update, &edited),
    );
    assert!(update.parse_object::<Post>().unwrap().updated.is_some());

    let post = Value::String("http://localhost:18203/posts/03eb5ce3111e52134ffa0629".into());
    let carol = "http://localhost:18203/users/carol";
    let delete = forum::in_forum(
        ActivityKind::Delete,
        "http://localhost:18203/activities/1",
        carol,
        MATHS,
        post.clone(),
    )
    .unwrap();
    check("delete", ActivityKind::Delete, &delete);
    let like = forum::in_forum(
        ActivityKind::Like,
        "http://localhost:18202/users/bob/likes/1",
        BOB,
        MATHS,
        post.clone(),
    )
    .unwrap();
    check("like", ActivityKind::Like, &like);
    let undo = forum::undo("http://localhost:18202/activities/3", &like).unwrap();
    check("undo-like", ActivityKind::Undo, &undo);

    let reported = post.as_str().unwrap();
    let flag = forum::flag(
        "http://localhost:18202/activities/4",
        BOB,
        MATHS,
        reported,
        "Hors sujet",
    )
    .unwrap();
    check("flag", ActivityKind::Flag, &flag);
    let forwarded = forum::flag(
        "http://localhost:18202/activities/5",
        "http://localhost:18202/actor",
        carol,
        reported,
        "Hors sujet",
    )
    .unwrap();
    check("flag-forwarded", ActivityKind::Flag, &forwarded);
}

#[test]
fn what_a_local_forum_sends_round_trips_and_matches_the_documentation() {
    let received_follow = serde_json::json!({
        "@context": "https://www.w3.org/ns/activitystreams",
        "id": "http://localhost:18202/activities/4f7582df1fb8aa52d34d9588",
        "type": "Follow",
        "actor": BOB,
        "object": MATHS,
        "to": [MATHS],
    });
    let accept = forum::accept(
        "http://localhost:18201/activities/1",
        MATHS,
        &received_follow,
        BOB,
    )
    .unwrap();
    let back = check("accept-follow", ActivityKind::Accept, &accept);
    assert_eq!(back.object.get("@context"), None);

    let create = to_json(&forum_post(ActivityKind::Create, &reply())).unwrap();
    let (_, announce) = forum::announce("http://localhost:18201", MATHS, &create).unwrap();
    let announce: Activity = serde_json::from_value(announce).unwrap();
    let back = check("announce", ActivityKind::Announce, &announce);
    // Relayed unchanged, `@context` included.
    assert_eq!(back.object, create);

    let alice = "http://localhost:18201/users/alice";
    let thread = Value::String("http://localhost:18201/posts/e78c95434ef930342d246f7c".into());
    let removal = forum::in_forum(
        ActivityKind::Delete,
        "http://localhost:18201/activities/1",
        alice,
        MATHS,
        Value::String("http://localhost:18201/posts/1c4395bd3c8abb83e304dc36".into()),
    )
    .unwrap()
    .summary("Publicité");
    check("delete-by-moderator", ActivityKind::Delete, &removal);
    let lock = forum::in_forum(
        ActivityKind::Lock,
        "http://localhost:18201/activities/2",
        alice,
        MATHS,
        thread.clone(),
    )
    .unwrap();
    check("lock", ActivityKind::Lock, &lock);
    let unlock = forum::undo("http://localhost:18201/activities/3", &lock).unwrap();
    check("undo-lock", ActivityKind::Undo, &unlock);
    let featured = super::url(&format!("{MATHS}/featured")).unwrap();
    for kind in [ActivityKind::Add, ActivityKind::Remove] {
        let pin = forum::in_forum(
            kind.clone(),
            "http://localhost:18201/activities/4",
            alice,
            MATHS,
            thread.clone(),
        )
        .unwrap()
        .target(&featured);
        // `Remove` has "the same shape".
        let documented = same_shape_as("add-featured", &kind);
        check_against("pin", &documented, kind, &pin);
    }
}

#[test]
fn what_contacts_send_round_trips_and_matches_the_documentation() {
    let alice = "http://localhost:18201/users/alice";
    let follow = Answered {
        id: "http://localhost:18202/activities/4f7582df1fb8aa52d34d9588".into(),
        kind: ActivityKind::Follow,
        actor: Some(BOB.into()),
        object: alice.into(),
        target: None,
    };
    for accept in [true, false] {
        let kind = if accept {
            ActivityKind::Accept
        } else {
            ActivityKind::Reject
        };
        let built = answer(
            accept,
            "http://localhost:18201/activities/1",
            alice,
            &follow,
            BOB,
        )
        .unwrap();
        let documented = same_shape_as("contact-accept", &kind);
        let back = check_against("contact answer", &documented, kind, &built);
        assert_eq!(back.inner_activity().unwrap().kind, ActivityKind::Follow);
        assert_eq!(back.object_id().unwrap().as_str(), follow.id);
    }
}

#[test]
fn a_presence_update_matches_its_example() {
    let built = super::presence_update(
        "http://localhost:18201/activities/9c41e0b2d7a35f18e6b04c27",
        "http://localhost:18201/users/alice",
        preau_federation::presence::PresenceStatus::Away,
        "2026-12-04T17:05:12.345Z".into(),
        &[BOB, "http://localhost:18202/users/bea"],
    )
    .unwrap();
    let back = check("presence-update", ActivityKind::Update, &built);
    assert!(!back.is_public(), "a presence is never public");
    let presence: preau_federation::presence::Presence = back.parse_object().unwrap();
    assert!(presence.is_of(&back.actor));
}

fn project_thread() -> ProjectPostRow {
    ProjectPostRow {
        id: 1,
        ap_id: "http://localhost:18302/objects/d298197986e04a53693864e2".into(),
        project_id: ActorId(1),
        thread_id: None,
        in_reply_to_id: None,
        author_id: ActorId(2),
        title: "Calendrier des rencontres".into(),
        source: "Proposition : **mardi** après-midi.".into(),
        content_html: "<p>Proposition : <strong>mardi</strong> après-midi.</p>\n".into(),
        published_at: 1_796_104_692_484,
        deleted_at: None,
        refused_at: None,
        refused_reason: None,
        last_activity_at: 1_796_104_692_484,
        local: true,
    }
}

#[test]
fn what_project_members_send_round_trips_and_matches_the_documentation() {
    let camille = "http://localhost:18301/users/camille";
    let dora = "http://localhost:18303/users/dora";
    let invite_id = "http://localhost:18301/memberships/b2aec415df24b2aad2f2f04f";
    let invite = project::invite(invite_id, camille, ECO, BOB).unwrap();
    check("invite", ActivityKind::Invite, &invite);
    let invitation = Answered {
        id: invite_id.into(),
        kind: ActivityKind::Invite,
        actor: None,
        object: ECO.into(),
        target: Some(BOB.into()),
    };
    let accepted = answer(
        true,
        "http://localhost:18302/activities/1",
        BOB,
        &invitation,
        ECO,
    )
    .unwrap();
    check("accept-invite", ActivityKind::Accept, &accepted);
    let relayed = to_json(&accepted).unwrap();
    let announce = project::announce("http://localhost:18301/activities/2", ECO, &relayed).unwrap();
    check("project-announce", ActivityKind::Announce, &announce);

    let join_id = "http://localhost:18303/memberships/3166ba79960e599086ed3b93";
    let join = project::membership(ActivityKind::Join, join_id, dora, ECO).unwrap();
    check("join", ActivityKind::Join, &join);
    let request = Answered {
        id: join_id.into(),
        kind: ActivityKind::Join,
        actor: Some(dora.into()),
        object: ECO.into(),
        target: None,
    };
    for accept in [true, false] {
        let kind = if accept {
            ActivityKind::Accept
        } else {
            ActivityKind::Reject
        };
        let decision = answer(
            accept,
            "http://localhost:18301/activities/3",
            ECO,
            &request,
            dora,
        )
        .unwrap();
        // "A declined request gives the same with `"type": "Reject"`".
        let documented = same_shape_as("accept-join", &kind);
        check_against("join answer", &documented, kind, &decision);
    }
    let leave = project::membership(
        ActivityKind::Leave,
        "http://localhost:18302/activities/4",
        BOB,
        ECO,
    )
    .unwrap();
    check("leave", ActivityKind::Leave, &leave);
    let remove =
        project::remove_member("http://localhost:18301/activities/5", camille, ECO, dora).unwrap();
    check("remove-member", ActivityKind::Remove, &remove);

    let member = Member::new(
        super::url(&crate::urls::project_member(ECO, BOB)).unwrap(),
        super::url(BOB).unwrap(),
        super::url(ECO).unwrap(),
        MemberRole::Moderator,
    );
    let update = project::update_member(
        "http://localhost:18301/activities/6",
        camille,
        ECO,
        serde_json::to_value(&member).unwrap(),
    )
    .unwrap();
    let back = check("update-member", ActivityKind::Update, &update);
    assert_eq!(
        back.parse_object::<Member>().unwrap().role,
        MemberRole::Moderator
    );
    let update = project::update_project("http://localhost:18301/activities/7", ECO).unwrap();
    check("update-project", ActivityKind::Update, &update);
}

#[test]
fn what_project_members_share_round_trips_and_matches_the_documentation() {
    let page = project::post_object(&project_thread(), BOB, ECO, None).unwrap();
    let create = project::create(
        "http://localhost:18302/activities/8",
        BOB,
        ECO,
        serde_json::to_value(page).unwrap(),
    )
    .unwrap();
    let create_json = to_json(&create).unwrap();
    let announce =
        project::announce("http://localhost:18301/activities/9", ECO, &create_json).unwrap();
    let back = check("project-announce-create", ActivityKind::Announce, &announce);
    let inner = back.inner_activity().unwrap();
    assert_eq!(inner.kind, ActivityKind::Create);
    assert_eq!(
        inner.parse_object::<Post>().unwrap().name.as_deref(),
        Some("Calendrier des rencontres")
    );
}

/// A reply naming two people: a `Mention` tag each, their ids in the
/// object's and the activity's `cc`.
#[test]
fn a_post_with_mentions_round_trips_and_matches_the_documentation() {
    let mut post = reply();
    post.source = "Merci @anne@localhost:18201 et @carol@localhost:18203 !".into();
    post.content_html = "<p>Merci <a href=\"http://localhost:18201/users/anne\" rel=\"nofollow noopener noreferrer\">@anne@localhost:18201</a> et <a href=\"http://localhost:18203/users/carol\" rel=\"nofollow noopener noreferrer\">@carol@localhost:18203</a> !</p>\n".into();
    let mut object = forum::post_object(
        &post,
        BOB,
        MATHS,
        Some("http://localhost:18201/posts/e78c95434ef930342d246f7c"),
        TrustLevel::Informal,
    )
    .unwrap();
    for (href, name) in [
        ("http://localhost:18201/users/anne", "@anne@localhost:18201"),
        (
            "http://localhost:18203/users/carol",
            "@carol@localhost:18203",
        ),
    ] {
        object.add_mention(preau_federation::objects::Mention::new(
            href.parse().unwrap(),
            name.into(),
        ));
    }
    let create = forum::in_forum(
        ActivityKind::Create,
        "http://localhost:18202/activities/1",
        BOB,
        MATHS,
        serde_json::to_value(object).unwrap(),
    )
    .unwrap();
    let back = check("create-mention", ActivityKind::Create, &create);
    let note: Post = back.parse_object().unwrap();
    let names: Vec<_> = note
        .mention_tags()
        .into_iter()
        .filter_map(|m| m.name)
        .collect();
    assert_eq!(names, ["@anne@localhost:18201", "@carol@localhost:18203"]);
    assert!(back
        .cc
        .contains(&"http://localhost:18203/users/carol".to_string()));
}

#[test]
fn what_conversations_send_round_trips_and_matches_the_documentation() {
    use crate::domain::conversation_relay::{
        activity_of, answer_activity, invite_activity, message_note,
    };
    use crate::domain::store::conversations::{ConversationId, LineRow};
    let conversation = "http://localhost:18401/conversations/39c1a229ddc988d2fb0d2898";
    let alice = "http://localhost:18401/users/alice";
    let bob = "http://localhost:18402/users/bob";
    let carol = "http://localhost:18403/users/carol";
    let invite_id = "http://localhost:18401/activities/ad90bfe4e3ee6c0737aa41ea";
    let invite = invite_activity(invite_id, conversation, alice, bob).unwrap();
    let back = check("conversation-invite", ActivityKind::Invite, &invite);
    assert!(!back.is_public());
    for accept in [true, false] {
        let kind = if accept {
            ActivityKind::Accept
        } else {
            ActivityKind::Reject
        };
        let built = answer_activity(
            accept,
            "http://localhost:18402/activities/3f465a7f6ba73373088701bc",
            conversation,
            bob,
            invite_id,
        )
        .unwrap();
        let documented = same_shape_as("conversation-accept", &kind);
        let back = check_against("conversation answer", &documented, kind, &built);
        assert_eq!(back.object_id().unwrap().as_str(), invite_id);
    }
    let line = LineRow {
        id: 6,
        conversation_id: ConversationId(1),
        kind: "message".into(),
        actor_id: ActorId(2),
        ap_id: Some("http://localhost:18402/conversation-messages/e6d7458876a668806ae15555".into()),
        source: "Premier jet".into(),
        html: "<p>Premier jet</p>\n".into(),
        created_at: 1_796_418_165_753,
        edited_at: None,
        deleted_at: None,
        position: Some(6),
        refused_reason: None,
        attachments: "[]".into(),
    };
    let note = message_note(&line, bob, conversation).unwrap();
    let create = activity_of(
        ActivityKind::Create,
        "http://localhost:18402/activities/3b5fcb2ce561d083396ca922",
        conversation,
        bob,
        crate::domain::outbox::json_of(&note).unwrap(),
    )
    .unwrap();
    let back = check("conversation-create", ActivityKind::Create, &create);
    let sent: Post = back.parse_object().unwrap();
    assert!(!sent.is_public(), "a message is never public");
    assert_eq!(
        sent.context.as_ref().map(|c| c.as_str()),
        Some(conversation)
    );
    let leave = activity_of(
        ActivityKind::Leave,
        "http://localhost:18403/activities/1e0f8c67054536ea744be469",
        conversation,
        carol,
        Value::String(conversation.into()),
    )
    .unwrap();
    check("conversation-leave", ActivityKind::Leave, &leave);
}
