//! Parses JSON captured from other fediverse servers (see
//! `fixtures/SOURCES.md`) with Préau's wire types.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a panic is a failure report

use preau_federation::{Actor, ActorKind, NodeInfo, NodeInfoLinks, Webfinger};
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

#[test]
fn actors_from_other_servers_parse_and_are_consistent() {
    let files = fixture_files(|path| {
        let text = std::fs::read_to_string(path).unwrap_or_default();
        !path.to_string_lossy().contains("webfinger")
            && !path.to_string_lossy().contains("nodeinfo")
            && text.contains("publicKey")
    });
    assert!(
        files.len() >= 15,
        "expected actor fixtures, found {files:?}"
    );
    for path in &files {
        let actor: Actor =
            serde_json::from_str(&read(path)).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
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
