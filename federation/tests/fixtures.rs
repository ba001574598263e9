//! Parses JSON captured from other fediverse servers (see
//! `fixtures/SOURCES.md`) with Préau's wire types.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a panic is a failure report

use preau_federation::{
    activities::{Activity, ActivityKind},
    actor::ActorError,
    collections::{Collection, CollectionKind},
    direct_messages::DirectMessage,
    objects::{Post, PostKind, Tombstone},
    Actor, ActorKind, NodeInfo, NodeInfoLinks, Webfinger,
};
use serde_json::Value;
use std::path::{Path, PathBuf};

fn fixture_files(predicate: impl Fn(&Path) -> bool) -> Vec<PathBuf> {
    let mut found = Vec::new();
    let mut pending = vec![Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures")];
    while let Some(dir) = pending.pop() {
        let entries = std::fs::read_dir(&dir).unwrap_or_else(|e| panic!("{dir:?}: {e}"));
        for entry in entries {
            let path = entry.unwrap_or_else(|e| panic!("{e}")).path();
            if path.is_dir() {
                pending.push(path);
            } else if path.extension().is_some_and(|ext| ext == "json") && predicate(&path) {
                found.push(path);
            }
        }
    }
    found.sort();
    found
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{path:?}: {e}"))
}

fn fixture(relative: &str) -> String {
    read(
        &Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("fixtures")
            .join(relative),
    )
}

/// The `type` of a document's top-level object, or an empty string.
fn top_level_type(text: &str) -> String {
    serde_json::from_str::<Value>(text)
        .ok()
        .and_then(|doc| doc.get("type")?.as_str().map(str::to_string))
        .unwrap_or_default()
}

const ACTOR_TYPES: [&str; 5] = ["Person", "Group", "Service", "Application", "Organization"];
const POST_TYPES: [&str; 4] = ["Page", "Note", "Article", "Question"];
const COLLECTION_TYPES: [&str; 4] = [
    "Collection",
    "OrderedCollection",
    "CollectionPage",
    "OrderedCollectionPage",
];
const ACTIVITY_TYPES: [&str; 21] = [
    "Create",
    "Update",
    "Delete",
    "Like",
    "Dislike",
    "Announce",
    "Follow",
    "Accept",
    "Reject",
    "Undo",
    "Flag",
    "Remove",
    "Add",
    "Lock",
    "Block",
    "Join",
    "Leave",
    "Invite",
    "Resolve",
    "Warn",
    "EmojiReact",
];

#[test]
fn actors_from_other_servers_parse_and_are_consistent() {
    // Actor documents, not activities that embed one (`Update(Group)`).
    let files = fixture_files(|path| ACTOR_TYPES.contains(&top_level_type(&read(path)).as_str()));
    assert!(
        files.len() >= 15,
        "expected actor fixtures, found {files:?}"
    );
    for path in &files {
        let actor: Actor =
            serde_json::from_str(&read(path)).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        if path.ends_with("gnusocial/lemmy-apub-assets/objects/group.json") {
            // GNU social groups publish a key owned by another actor (the
            // group's admin, `actor/2`): the check must refuse it, or a
            // group could speak with a borrowed key.
            assert_eq!(actor.check_consistency(), Err(ActorError::KeyOwnerMismatch));
            continue;
        }
        actor
            .check_consistency()
            .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        assert!(!actor.public_key.public_key_pem.is_empty());
        assert!(
            actor.subjects.is_empty(),
            "foreign actors have no Préau fields"
        );
    }
}

#[test]
fn mastodon_actor_keeps_its_profile_fields_and_shared_inbox() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures/mastodon/mobilizon-test-fixtures/mastodon-tcit-tcit.json");
    let actor: Actor = serde_json::from_str(&read(&path)).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(actor.kind, ActorKind::Person);
    assert!(!actor.attachment.is_empty());
    assert_ne!(actor.shared_inbox_or_inbox(), &actor.inbox);
    let icon = actor.icon.unwrap_or_else(|| panic!("Mastodon's avatar"));
    assert_eq!(icon.media_type.as_deref(), Some("image/jpeg"));
    assert!(icon.url.as_str().ends_with("a28c50ce5f2b13fd.jpg"));
}

#[test]
fn an_icon_of_another_shape_reads_as_absent() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures/lemmy/lemmy-apub-assets/objects/person.json");
    let mut document: Value = serde_json::from_str(&read(&path)).unwrap_or_else(|e| panic!("{e}"));
    let actor: Actor = serde_json::from_value(document.clone()).unwrap_or_else(|e| panic!("{e}"));
    // Lemmy's icon has no mediaType.
    assert!(actor.icon.is_some_and(|icon| icon.media_type.is_none()));
    for odd in [
        serde_json::json!("https://enterprise.lemmy.ml/pictrs/image/ed9ej7.jpg"),
        serde_json::json!([{"type": "Image", "url": "https://a.example/1.png"}]),
        serde_json::json!({"type": "Image"}),
    ] {
        document["icon"] = odd;
        let actor: Actor =
            serde_json::from_value(document.clone()).unwrap_or_else(|e| panic!("{e}"));
        assert!(actor.icon.is_none());
    }
}

#[test]
fn lemmy_person_without_followers_or_context_parses() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures/lemmy/lemmy-apub-assets/objects/person.json");
    let actor: Actor = serde_json::from_str(&read(&path)).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(actor.preferred_username, "picard");
    assert!(actor.followers.is_none());
    assert_eq!(
        actor.source.map(|s| s.media_type).as_deref(),
        Some("text/markdown")
    );
}

#[test]
fn a_borrowed_key_is_detected() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures/lemmy/lemmy-apub-assets/objects/person.json");
    let mut actor: Actor = serde_json::from_str(&read(&path)).unwrap_or_else(|e| panic!("{e}"));
    actor.public_key.owner = "https://evil.example/u/mallory"
        .parse()
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(actor.check_consistency().is_err());
}

#[test]
fn webfinger_documents_from_other_servers_give_the_actor_url() {
    let files = fixture_files(|path| path.to_string_lossy().contains("webfinger"));
    assert!(files.len() >= 4);
    for path in &files {
        let doc: Webfinger =
            serde_json::from_str(&read(path)).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        assert!(doc.subject.starts_with("acct:"), "{}", path.display());
        let url = doc
            .actor_url()
            .unwrap_or_else(|| panic!("{}: no self link", path.display()));
        assert!(url.starts_with("http"), "{}", path.display());
    }
}

#[test]
fn nodeinfo_documents_from_other_servers_parse() {
    let files = fixture_files(|path| path.to_string_lossy().contains("nodeinfo"));
    let mut documents = 0;
    for path in &files {
        let text = read(path);
        if text.contains("\"software\"") {
            let info: NodeInfo =
                serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            assert!(info.protocols.iter().any(|p| p == "activitypub"));
            documents += 1;
        } else if text.contains("\"links\"") {
            let links: NodeInfoLinks =
                serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            assert!(!links.links.is_empty());
        }
    }
    assert!(documents >= 1);
}

/// Mbin's JSON snapshots replace every id with `SCRUBBED_ID`, which is not a
/// URL. Their structure is still worth testing, so each placeholder is
/// replaced by a distinct URL before parsing.
fn unscrub_mbin_ids(text: &str) -> String {
    let mut parts = text.split("\"SCRUBBED_ID\"");
    let mut out = parts.next().unwrap_or_default().to_string();
    for (n, rest) in parts.enumerate() {
        out.push_str(&format!("\"https://kbin.test/scrubbed/{n}\""));
        out.push_str(rest);
    }
    out
}

/// Files that are not fully read, each with the reason. The test below
/// fails if one of them starts to parse (the list would be stale) or if a
/// file is neither parsed nor listed.
const REFUSED: &[(&str, &str)] = &[
    (
        "mbin/mbin-json-snapshots/AnnounceTest__testAnnounceUpdateMagazine__1.json",
        "Mbin scrubbed the embedded Group's publicKey to the string SCRUBBED_KEY; \
         the Announce and its Update parse, the Group cannot",
    ),
    (
        "mbin/mbin-json-snapshots/UpdateTest__testUpdateMagazine__1.json",
        "Mbin scrubbed the embedded Group's publicKey to the string SCRUBBED_KEY; \
         the Update parses, the Group cannot",
    ),
    (
        "mbin/mbin-json-snapshots/UpdateTest__testUpdateUser__1.json",
        "Mbin scrubbed the embedded Person's publicKey to the string SCRUBBED_KEY; \
         the Update parses, the Person cannot",
    ),
];

/// Parses a document by its top-level type, and what it embeds: the inner
/// activity of an `Announce`/`Undo`, the `Post`/`Tombstone` of a
/// `Create`/`Update`/`Delete`, the actor of an `Update`, the embedded items
/// of a collection; a Pleroma `ChatMessage` as a direct message. Embedded
/// objects Préau has no type for yet (`Event`, `Video`) must be refused by `Post`, not mis-read.
fn parse_by_type(value: &Value) -> Result<String, String> {
    let kind = value
        .get("type")
        .and_then(Value::as_str)
        .unwrap_or_default();
    let error = |e: serde_json::Error| format!("{kind}: {e}");
    if ACTIVITY_TYPES.contains(&kind) {
        let activity: Activity = serde_json::from_value(value.clone()).map_err(error)?;
        let object_kind = activity.object_kind().unwrap_or_default();
        if let Some(embedded) = activity.embedded_object() {
            if ACTIVITY_TYPES.contains(&object_kind) {
                activity
                    .inner_activity()
                    .ok_or_else(|| format!("{kind}: inner activity not read"))?;
                parse_by_type(embedded)?;
            } else if ACTOR_TYPES.contains(&object_kind) {
                // A `Delete` of an account embeds only its id and type.
                if activity.kind == ActivityKind::Update {
                    parse_by_type(embedded)?;
                }
            } else if POST_TYPES.contains(&object_kind)
                || object_kind == "Tombstone"
                || COLLECTION_TYPES.contains(&object_kind)
            {
                parse_by_type(embedded)?;
            } else if activity.parse_object::<Post>().is_ok() {
                return Err(format!("{kind}: a `{object_kind}` was read as a Post"));
            }
        }
        activity
            .object_id()
            .ok_or_else(|| format!("{kind}: no object id"))?;
        Ok(format!("{kind} activity"))
    } else if POST_TYPES.contains(&kind) {
        let post: Post = serde_json::from_value(value.clone()).map_err(error)?;
        post.author().ok_or_else(|| format!("{kind}: no author"))?;
        Ok(format!("{kind} post"))
    } else if kind == "ChatMessage" {
        let chat: DirectMessage = serde_json::from_value(value.clone()).map_err(error)?;
        chat.author().ok_or_else(|| format!("{kind}: no author"))?;
        Ok("chat message".to_string())
    } else if kind == "Tombstone" {
        serde_json::from_value::<Tombstone>(value.clone()).map_err(error)?;
        Ok("tombstone".to_string())
    } else if ACTOR_TYPES.contains(&kind) {
        serde_json::from_value::<Actor>(value.clone()).map_err(error)?;
        Ok(format!("{kind} actor"))
    } else if COLLECTION_TYPES.contains(&kind) {
        let collection: Collection = serde_json::from_value(value.clone()).map_err(error)?;
        for item in collection.all_items().filter(|item| item.is_object()) {
            parse_by_type(item)?;
        }
        Ok(format!("{kind} collection"))
    } else {
        Err(format!("no wire type for `{kind}`"))
    }
}

#[test]
fn every_fixture_parses_or_is_listed_as_refused() {
    let files = fixture_files(|path| {
        let path = path.to_string_lossy();
        !path.contains("webfinger") && !path.contains("nodeinfo")
    });
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures");
    let mut parsed = 0;
    let mut failures = Vec::new();
    for path in &files {
        let relative = path
            .strip_prefix(&root)
            .unwrap()
            .to_string_lossy()
            .to_string();
        let text = unscrub_mbin_ids(&read(path));
        let value: Value = serde_json::from_str(&text).unwrap();
        let listed = REFUSED.iter().find(|(file, _)| *file == relative);
        match (parse_by_type(&value), listed) {
            (Ok(_), None) => parsed += 1,
            (Err(_), Some(_)) => {
                // Refused for what it embeds; the activity itself must parse.
                if let Err(e) = serde_json::from_value::<Activity>(value) {
                    failures.push(format!("{relative}: {e}"));
                }
            }
            (Ok(what), Some((_, reason))) => failures.push(format!(
                "{relative}: listed as refused ({reason}) but parses as {what}"
            )),
            (Err(e), None) => failures.push(format!("{relative}: {e}")),
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert_eq!(parsed + REFUSED.len(), files.len());
    assert!(parsed >= 200, "only {parsed} fixtures parsed");
}

fn url(text: &str) -> url::Url {
    text.parse().unwrap()
}

fn activity(relative: &str) -> Activity {
    serde_json::from_str(&fixture(relative)).unwrap_or_else(|e| panic!("{relative}: {e}"))
}

fn post(relative: &str) -> Post {
    serde_json::from_str(&fixture(relative)).unwrap_or_else(|e| panic!("{relative}: {e}"))
}

#[test]
fn lemmy_announce_of_a_created_page_gives_the_page() {
    let announce =
        activity("lemmy/lemmy-apub-assets/activities/community/announce_create_page.json");
    assert_eq!(announce.kind, ActivityKind::Announce);
    assert_eq!(announce.actor, url("http://enterprise.lemmy.ml/c/main"));
    assert_eq!(announce.cc, ["http://enterprise.lemmy.ml/c/main/followers"]);
    assert_eq!(announce.object_kind(), Some("Create"));
    let create = announce.inner_activity().unwrap();
    assert_eq!(create.kind, ActivityKind::Create);
    assert_eq!(create.actor, url("http://enterprise.lemmy.ml/u/lemmy_beta"));
    let page: Post = create.parse_object().unwrap();
    assert_eq!(page.kind, PostKind::Page);
    assert_eq!(page.name.as_deref(), Some("post 4"));
    assert_eq!(page.author(), Some(&create.actor));
    // Lemmy's own sample points `audience` at `/u/main` although the
    // community is `/c/main`: receivers must not trust it blindly.
    assert_eq!(
        page.audience,
        Some(url("http://enterprise.lemmy.ml/u/main"))
    );
    assert_eq!(page.comments_enabled, Some(true));
    assert_eq!(page.stickied, Some(false));
    assert!(page.is_public());
    assert!(page.content.is_none(), "a Lemmy link post may have no body");
}

#[test]
fn mbin_announce_of_a_created_entry_reads_like_lemmy() {
    let text = unscrub_mbin_ids(&fixture(
        "mbin/mbin-json-snapshots/AnnounceTest__testAnnounceCreateEntry__1.json",
    ));
    let announce: Activity = serde_json::from_str(&text).unwrap();
    assert_eq!(announce.audience, Some(url("https://kbin.test/m/test")));
    let page: Post = announce.inner_activity().unwrap().parse_object().unwrap();
    assert_eq!(page.kind, PostKind::Page);
    assert_eq!(page.audience, Some(url("https://kbin.test/m/test")));
    assert_eq!(page.name.as_deref(), Some("test"));
    assert!(
        page.content.is_none() && page.source.is_none(),
        "null reads as absent"
    );
    assert_eq!(page.tag.len(), 1);
    assert!(page.mentions().is_empty(), "a Hashtag is not a mention");
}

#[test]
fn lemmy_comment_is_a_reply_in_a_community_thread() {
    let note = post("lemmy/lemmy-apub-assets/objects/comment.json");
    assert_eq!(note.kind, PostKind::Note);
    assert_eq!(
        note.in_reply_to,
        Some(url("https://enterprise.lemmy.ml/post/55143"))
    );
    assert_eq!(
        note.audience,
        Some(url("https://enterprise.lemmy.ml/c/tenforward"))
    );
    assert_eq!(
        note.context,
        Some(url("https://enterprise.lemmy.ml/comment/38741/context"))
    );
    assert_eq!(note.source.as_ref().unwrap().content, "first comment!");
    assert_eq!(
        note.mentions(),
        [
            url("https://enterprise.lemmy.ml/u/picard"),
            url("https://enterprise.lemmy.ml/c/tenforward")
        ]
    );
}

#[test]
fn nodebb_topic_is_an_article_with_audience_and_context() {
    let topic = post("nodebb/lemmy-apub-assets/objects/page.json");
    assert_eq!(topic.kind, PostKind::Article);
    assert_eq!(topic.name.as_deref(), Some("Welcome to your NodeBB!"));
    assert_eq!(
        topic.audience,
        Some(url("https://bb.devnull.land/category/2"))
    );
    assert_eq!(topic.context, Some(url("https://bb.devnull.land/topic/1")));
    assert!(topic.in_reply_to.is_none() && topic.updated.is_none());
}

#[test]
fn mastodon_note_mentioning_a_community_has_a_mention_tag() {
    let note = post("mastodon/lemmy-apub-assets/objects/page.json");
    assert_eq!(note.kind, PostKind::Note);
    assert_eq!(
        note.mentions(),
        [url("https://enterprise.lemmy.ml/c/tenforward")]
    );
    assert!(note
        .cc
        .iter()
        .any(|a| a == "https://enterprise.lemmy.ml/c/tenforward"));
    assert!(note.audience.is_none(), "Mastodon knows no audience");
    assert!(note.is_public());
    // Mastodon embeds the first page of replies; backfill reads it.
    let replies: Collection = serde_json::from_value(note.replies.clone().unwrap()).unwrap();
    assert_eq!(replies.kind, CollectionKind::Collection);
    assert_eq!(
        replies.first_page().unwrap().kind,
        CollectionKind::CollectionPage
    );
    assert!(replies.item_ids().is_empty());
}

#[test]
fn lemmy_moderation_activities_parse_with_their_objects() {
    let lock = activity("lemmy/lemmy-apub-assets/activities/community/lock_page.json");
    assert_eq!(lock.kind, ActivityKind::Lock);
    assert_eq!(
        lock.object_id(),
        Some(url("http://lemmy-alpha:8541/post/2"))
    );
    assert_eq!(lock.summary.as_deref(), Some("A reason for the lock"));
    assert_eq!(lock.audience, Some(url("http://lemmy-alpha:8541/c/main")));

    let unlock = activity("lemmy/lemmy-apub-assets/activities/community/undo_lock_note.json");
    assert_eq!(unlock.kind, ActivityKind::Undo);
    let inner = unlock.inner_activity().unwrap();
    assert_eq!(inner.kind, ActivityKind::Lock);
    assert_eq!(
        inner.object_id(),
        Some(url("https://lemmy-alpha/comment/1"))
    );

    let remove_mod = activity("lemmy/lemmy-apub-assets/activities/community/remove_mod.json");
    assert_eq!(remove_mod.kind, ActivityKind::Remove);
    assert_eq!(
        remove_mod.object_id(),
        Some(url("http://ds9.lemmy.ml/u/lemmy_alpha"))
    );
    assert_eq!(
        remove_mod.target_id(),
        Some(url("http://enterprise.lemmy.ml/c/main/moderators"))
    );

    let removal = activity("lemmy/lemmy-apub-assets/activities/deletion/remove_note.json");
    assert_eq!(removal.kind, ActivityKind::Delete);
    assert_eq!(removal.summary.as_deref(), Some("bad comment"));

    let report = activity("lemmy/lemmy-apub-assets/activities/community/report_page.json");
    assert_eq!(report.kind, ActivityKind::Flag);
    assert_eq!(report.objects(), [url("http://enterprise.lemmy.ml/post/7")]);
    assert_eq!(report.summary.as_deref(), Some("report this post"));
    assert_eq!(report.to, ["http://enterprise.lemmy.ml/c/main"]);

    let pin = activity("lemmy/lemmy-apub-assets/activities/community/add_featured_post.json");
    assert_eq!(pin.kind, ActivityKind::Add);
    assert!(pin.target_id().unwrap().path().ends_with("featured"));
}

/// The Lemmy shapes Préau must apply: the undo of a moderator's removal
/// (restore), and a ban from a community (`Block` with the community as
/// `target`, a reason and an end).
#[test]
fn lemmy_undo_of_a_removal_and_a_ban_parse() {
    let restore = activity("lemmy/lemmy-apub-assets/activities/deletion/undo_remove_note.json");
    assert_eq!(restore.kind, ActivityKind::Undo);
    let removal = restore.inner_activity().unwrap();
    assert_eq!(removal.kind, ActivityKind::Delete);
    assert_eq!(removal.actor, restore.actor);
    assert_eq!(
        removal.object_id(),
        Some(url("http://ds9.lemmy.ml/comment/1"))
    );

    let ban = activity("lemmy/lemmy-apub-assets/activities/block/block_user.json");
    assert_eq!(ban.kind, ActivityKind::Block);
    assert_eq!(
        ban.object_id(),
        Some(url("http://ds9.lemmy.ml/u/lemmy_alpha"))
    );
    assert_eq!(
        ban.target_id(),
        Some(url("http://enterprise.lemmy.ml/c/main"))
    );
    assert_eq!(ban.summary.as_deref(), Some("spam post"));
    let raw: Value = serde_json::from_str(&fixture(
        "lemmy/lemmy-apub-assets/activities/block/block_user.json",
    ))
    .unwrap();
    assert!(raw["endTime"].as_str().is_some());
    assert_eq!(ban.end_time.as_deref(), raw["endTime"].as_str());
    assert_eq!(ban.remove_data, Some(true));
    // The ban Préau sends has the same field names as Lemmy's.
    let mut ours = Activity::in_forum(
        ActivityKind::Block,
        url("https://p.example/a/9"),
        url("https://p.example/u/anne"),
        Value::String("https://m.example/u/bea".into()),
        &url("https://p.example/f/maths"),
    )
    .target(&url("https://p.example/f/maths"))
    .summary("spam");
    ours.remove_data = Some(false);
    ours.end_time = Some("2027-01-12T00:00:00Z".into());
    ours.expires = ours.end_time.clone();
    let json = serde_json::to_value(&ours).unwrap();
    for field in [
        "target",
        "audience",
        "summary",
        "removeData",
        "endTime",
        "expires",
    ] {
        assert!(json.get(field).is_some(), "{field}: {json}");
    }

    let unban = activity("lemmy/lemmy-apub-assets/activities/block/undo_block_user.json");
    assert_eq!(unban.kind, ActivityKind::Undo);
    assert_eq!(unban.inner_activity().unwrap().kind, ActivityKind::Block);
    assert!(unban.inner_activity().unwrap().target_id().is_some());
}

#[test]
fn mastodon_report_lists_the_account_and_its_posts() {
    let report = activity("mastodon/lemmy-apub-assets/activities/flag.json");
    assert_eq!(report.kind, ActivityKind::Flag);
    assert_eq!(report.objects().len(), 3);
    assert_eq!(report.object_id(), Some(url("https://example.com/users/1")));
    assert_eq!(
        report.content.as_deref(),
        Some("Please take a look at this user and their posts")
    );
    // `to` is a single string here, as Fedify writes it.
    assert_eq!(report.to, ["https://example.com/users/1"]);
}

#[test]
fn single_string_recipients_parse_as_lists() {
    let page = post("lotide/lemmy-apub-assets/objects/page.json");
    assert_eq!(page.to, ["https://narwhal.city/communities/4"]);
    assert_eq!(page.cc, [preau_federation::objects::PUBLIC]);
    assert!(page.is_public());
    // What a Fedify server sends: one recipient, written as a string.
    let create: Activity = serde_json::from_value(serde_json::json!({
        "@context": "https://www.w3.org/ns/activitystreams",
        "id": "https://fedify.example/notes/1#create",
        "type": "Create",
        "actor": "https://fedify.example/users/alice",
        "to": "https://preau.example/f/sciences",
        "cc": "as:Public",
        "object": {
            "id": "https://fedify.example/notes/1",
            "type": "Note",
            "attributedTo": "https://fedify.example/users/alice",
            "to": "https://preau.example/f/sciences",
            "cc": "as:Public",
            "content": "<p>Bonjour</p>"
        },
        "proof": { "type": "DataIntegrityProof", "cryptosuite": "eddsa-jcs-2022" },
        "signature": { "type": "RsaSignature2017" }
    }))
    .unwrap();
    assert_eq!(create.to, ["https://preau.example/f/sciences"]);
    assert!(create.is_public());
    let note: Post = create.parse_object().unwrap();
    assert_eq!(note.to, ["https://preau.example/f/sciences"]);
    assert!(note.is_public());
}

#[test]
fn a_page_with_a_script_keeps_its_raw_content() {
    // Sanitising is the server's job at display time; the wire type must
    // keep what was sent so that nothing is silently altered in storage.
    let content =
        "<p>Hi</p><script>alert(1)</script><a href=\"javascript:x()\" onclick=\"y()\">z</a>";
    let page: Post = serde_json::from_value(serde_json::json!({
        "id": "https://evil.example/post/1",
        "type": "Page",
        "attributedTo": "https://evil.example/u/mallory",
        "name": "<img src=x onerror=alert(1)>",
        "content": content,
        "to": ["https://www.w3.org/ns/activitystreams#Public"]
    }))
    .unwrap();
    assert_eq!(page.content.as_deref(), Some(content));
    assert_eq!(page.name.as_deref(), Some("<img src=x onerror=alert(1)>"));
}

#[test]
fn objects_of_other_kinds_are_refused_by_post_with_a_clear_error() {
    let create = activity("mobilizon/mobilizon-test-fixtures/mobilizon-post-activity.json");
    assert_eq!(create.object_kind(), Some("Event"));
    let error = create.parse_object::<Post>().unwrap_err().to_string();
    assert!(error.contains("unknown variant `Event`"), "{error}");
}

#[test]
fn unknown_activity_types_are_kept_by_name() {
    for (file, name) in [
        (
            "lemmy/lemmy-apub-assets/activities/community/resolve_report_page.json",
            "Resolve",
        ),
        (
            "lemmy/lemmy-apub-assets/activities/community/warn.json",
            "Warn",
        ),
        (
            "pleroma/bonfire-activity_pub/emoji-reaction.json",
            "EmojiReact",
        ),
    ] {
        assert_eq!(
            activity(file).kind,
            ActivityKind::Other(name.to_string()),
            "{file}"
        );
    }
    let resolve = activity("lemmy/lemmy-apub-assets/activities/community/resolve_report_page.json");
    assert_eq!(resolve.inner_activity().unwrap().kind, ActivityKind::Flag);
}

#[test]
fn prismo_actor_in_an_array_is_read() {
    let create = activity("prismo/mobilizon-test-fixtures/prismo-url-map.json");
    assert_eq!(create.actor, url("https://prismo.news/@mxb"));
    let article: Post = create.parse_object().unwrap();
    assert_eq!(article.author(), Some(&url("https://prismo.news/@mxb")));
    assert_eq!(
        article.url,
        Some(url("https://prismo.news/posts/83")),
        "Link href"
    );
}

#[test]
fn lemmy_group_is_a_forum_actor() {
    let group: Actor =
        serde_json::from_str(&fixture("lemmy/lemmy-apub-assets/objects/group.json")).unwrap();
    assert_eq!(group.kind, ActorKind::Group);
    assert_eq!(
        group.attributed_to,
        Some(url("https://enterprise.lemmy.ml/c/tenforward/moderators"))
    );
    assert_eq!(
        group.featured,
        Some(url("https://enterprise.lemmy.ml/c/tenforward//featured"))
    );
    assert_eq!(group.posting_restricted_to_mods, Some(false));
    assert_eq!(group.sensitive, Some(false));
    group.check_consistency().unwrap();

    // A Person without the group fields serialises without them.
    let person: Actor =
        serde_json::from_str(&fixture("lemmy/lemmy-apub-assets/objects/person.json")).unwrap();
    let json = serde_json::to_value(&person).unwrap();
    for field in [
        "attributedTo",
        "featured",
        "postingRestrictedToMods",
        "sensitive",
    ] {
        assert!(json.get(field).is_none(), "{field}");
    }
}

#[test]
fn lemmy_community_collections_give_their_items() {
    let read_collection = |file: &str| -> Collection {
        serde_json::from_str(&fixture(file)).unwrap_or_else(|e| panic!("{file}: {e}"))
    };
    let moderators = read_collection("lemmy/lemmy-apub-assets/collections/group_moderators.json");
    assert_eq!(moderators.kind, CollectionKind::OrderedCollection);
    assert_eq!(
        moderators.item_ids(),
        [url("https://enterprise.lemmy.ml/u/picard")]
    );

    let featured = read_collection("lemmy/lemmy-apub-assets/collections/group_featured_posts.json");
    assert_eq!(featured.total_items, Some(2));
    assert_eq!(
        featured.item_ids(),
        [
            url("https://ds9.lemmy.ml/post/2"),
            url("https://ds9.lemmy.ml/post/1")
        ]
    );
    for item in &featured.ordered_items {
        let page: Post = serde_json::from_value(item.clone()).unwrap();
        assert_eq!(page.kind, PostKind::Page);
    }

    let outbox = read_collection("lemmy/lemmy-apub-assets/collections/group_outbox.json");
    for item in &outbox.ordered_items {
        let announce: Activity = serde_json::from_value(item.clone()).unwrap();
        assert_eq!(announce.kind, ActivityKind::Announce);
    }

    let followers = read_collection("lemmy/lemmy-apub-assets/collections/group_followers.json");
    assert_eq!(followers.kind, CollectionKind::Collection);
    assert_eq!(followers.total_items, Some(3));
    assert!(followers.item_ids().is_empty());
}

#[test]
fn mobilizon_members_collection_embeds_its_first_page() {
    let members: Collection = serde_json::from_str(&fixture(
        "mobilizon/mobilizon-test-fixtures/mobilizon-members-collection.json",
    ))
    .unwrap();
    let page = members.first_page().unwrap();
    assert_eq!(page.kind, CollectionKind::OrderedCollectionPage);
    assert_eq!(
        page.part_of,
        Some(serde_json::json!("http://mobilizon.test/@demo/members"))
    );
    // Mobilizon's items are `Member` records; their ids are still listed.
    assert_eq!(members.item_ids().len(), 2);
    assert_eq!(members.total_items, Some(2));
}

#[test]
fn polls_keep_their_options() {
    let text = unscrub_mbin_ids(&fixture(
        "mbin/mbin-json-snapshots-pr2113/CreateTest__testCreateEntryWithPoll__1.json",
    ));
    let create: Activity = serde_json::from_str(&text).unwrap();
    let question: Post = create.parse_object().unwrap();
    assert_eq!(question.kind, PostKind::Question);
    assert_eq!(question.one_of.len(), 3);
    assert!(question.any_of.is_empty());

    let misskey = post("misskey/bonfire-activity_pub/misskey_poll_no_end_date.json");
    assert_eq!(misskey.one_of.len(), 2);
    assert!(
        misskey.end_time.is_none(),
        "Misskey writes null for open polls"
    );
}

#[test]
fn lemmy_tombstone_and_delete_of_a_page() {
    let tombstone: Tombstone =
        serde_json::from_str(&fixture("lemmy/lemmy-apub-assets/objects/tombstone.json")).unwrap();
    assert_eq!(tombstone.id, url("https://lemmy.ml/comment/110273"));
    let delete = activity("lemmy/lemmy-apub-assets/activities/deletion/delete_page.json");
    assert_eq!(delete.kind, ActivityKind::Delete);
    assert!(delete.object_id().is_some());
}

/// The `Mention` tags of real notes from six servers read as typed
/// mentions: the actor's `href` and its `@user@domain` (Smithereen
/// writes no name). Préau notifies a local teacher by `href`, never by
/// `name`.
#[test]
fn mention_tags_of_other_servers_parse() {
    /// A mention's `href` and `name`.
    type Named<'a> = (&'a str, Option<&'a str>);
    let cases: [(&str, &[Named]); 8] = [
        (
            "mastodon/lemmy-apub-assets/objects/note_1.json",
            &[(
                "https://mamot.fr/users/retiolus",
                Some("@retiolus@mamot.fr"),
            )],
        ),
        (
            "mastodon/mobilizon-test-fixtures/mastodon-status-5.json",
            &[
                (
                    "https://framatube.org/accounts/framasoft",
                    Some("@framasoft@framatube.org"),
                ),
                (
                    "https://framapiaf.org/users/Pouhiou",
                    Some("@Pouhiou@framapiaf.org"),
                ),
            ],
        ),
        (
            "misskey/bonfire-activity_pub/misskey_poll_no_end_date.json",
            &[(
                "https://marchgenso.me/users/march",
                Some("@march@marchgenso.me"),
            )],
        ),
        (
            "pleroma/lemmy-apub-assets/objects/note.json",
            &[(
                "https://pleroma.popolon.org/users/popolon",
                Some("@popolon@pleroma.popolon.org"),
            )],
        ),
        (
            "smithereen/lemmy-apub-assets/objects/note.json",
            &[("https://ds9.lemmy.ml/u/nutomic", None)],
        ),
        (
            "peertube/lemmy-apub-assets/objects/note.json",
            &[("https://bae.st/users/af2", Some("@af2@bae.st"))],
        ),
        (
            "lemmy/lemmy-apub-assets/objects/comment.json",
            &[
                (
                    "https://enterprise.lemmy.ml/u/picard",
                    Some("@picard@enterprise.lemmy.ml"),
                ),
                (
                    "https://enterprise.lemmy.ml/c/tenforward",
                    Some("@tenforward@enterprise.lemmy.ml"),
                ),
            ],
        ),
        (
            "mastodon/lemmy-apub-assets/activities/private_message.json",
            &[(
                "https://ds9.lemmy.ml/u/nutomic",
                Some("@nutomic@ds9.lemmy.ml"),
            )],
        ),
    ];
    for (relative, expected) in cases {
        let raw: serde_json::Value = serde_json::from_str(&fixture(relative)).unwrap();
        let object = if raw.get("object").is_some_and(|o| o.is_object()) {
            raw["object"].clone()
        } else {
            raw
        };
        let note: Post =
            serde_json::from_value(object).unwrap_or_else(|e| panic!("{relative}: {e}"));
        let found: Vec<(String, Option<String>)> = note
            .mention_tags()
            .into_iter()
            .map(|m| (m.href.to_string(), m.name))
            .collect();
        let expected: Vec<(String, Option<String>)> = expected
            .iter()
            .map(|(href, name)| (href.to_string(), name.map(str::to_string)))
            .collect();
        assert_eq!(found, expected, "{relative}");
        assert_eq!(note.mentions().len(), expected.len(), "{relative}");
        // Sent again, the tags are unchanged.
        let again: Post = serde_json::from_value(serde_json::to_value(&note).unwrap()).unwrap();
        assert_eq!(again.mention_tags(), note.mention_tags(), "{relative}");
    }
}

/// Mbin's entries carry hashtags, which are not mentions.
#[test]
fn mbin_hashtags_are_not_mention_tags() {
    let text = unscrub_mbin_ids(&fixture(
        "mbin/mbin-json-snapshots/AnnounceTest__testAnnounceCreateEntry__1.json",
    ));
    let announce: Activity = serde_json::from_str(&text).unwrap();
    let page: Post = announce.inner_activity().unwrap().parse_object().unwrap();
    assert!(page.mention_tags().is_empty());
}
