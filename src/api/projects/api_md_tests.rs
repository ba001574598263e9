//! The response types of projects, project content and contacts against
//! the JSON examples of docs/api.md: one value of each type is serialised
//! and its keys compared, at every depth, with the documented example
//! (`"…": "…"` in an example means "more keys", `…` alone stands for a
//! value not shown).

use super::objects::{
    MemberEntry, MemberFlags, Project, ProjectList, ProjectListed, ProjectLogEntry,
    ProjectMembership, ProjectPage, RequestInvitation, RequestLists, RequestSent, RequestToDecide,
};
use crate::api::contacts::{ContactEntry, ContactLists, ContactRequested};
use crate::api::project_content::objects::{
    Document, DocumentList, DocumentVersion, Event, EventList, ProjectPost, ProjectThread,
    ProjectThreadList,
};
use crate::api::schema::{Person, Trust};
use crate::domain::trust::own_label;
use preau_federation::trust::TrustLevel;
use serde::Serialize;
use serde_json::Value;

const API_MD: &str = include_str!("../../../docs/api.md");

/// The text under the heading `### {heading}`, up to the next heading.
fn section(heading: &str) -> &'static str {
    let marker = format!("\n### {heading}\n");
    let start = API_MD
        .find(&marker)
        .unwrap_or_else(|| panic!("no section {heading} in docs/api.md"))
        + marker.len();
    let rest = &API_MD[start..];
    &rest[..rest.find("\n#").unwrap_or(rest.len())]
}

/// An example as JSON: `{…}` is an object with more keys, `[...]` and
/// `[ … ]` lists not shown, a bare `…` a value not shown.
fn parse(example: &str) -> Value {
    let text = example
        .replace("{…}", r#"{"…": "…"}"#)
        .replace("[...]", "[]")
        .replace("[ … ]", "[]")
        .replace(": …", ": null");
    serde_json::from_str(&text).unwrap_or_else(|error| panic!("{error} in {text}"))
}

/// The `index`-th JSON block of a section.
fn block(heading: &str, index: usize) -> Value {
    let text = section(heading);
    let body = text
        .split("```json\n")
        .nth(index + 1)
        .unwrap_or_else(|| panic!("no JSON block {index} under {heading}"));
    parse(&body[..body.find("```").unwrap_or(body.len())])
}

/// The first inline code of a section that starts with `start`.
fn inline(heading: &str, start: &str) -> Value {
    let text = section(heading);
    let from = text
        .find(&format!("`{start}"))
        .unwrap_or_else(|| panic!("no `{start}` under {heading}"))
        + 1;
    let end = text[from..].find('`').unwrap_or(text.len() - from);
    parse(&text[from..from + end].replace('\n', " "))
}

/// `actual` has the keys of `documented`, at every depth: exactly, or at
/// least those shown when the example has `"…"`.
fn same_keys(actual: &Value, documented: &Value, at: &str) {
    match (actual, documented) {
        (Value::Object(actual), Value::Object(documented)) => {
            let shown: Vec<&String> = documented.keys().filter(|key| *key != "…").collect();
            for key in &shown {
                assert!(actual.contains_key(*key), "{at}: no key {key}");
            }
            if !documented.contains_key("…") {
                for key in actual.keys() {
                    assert!(documented.contains_key(key), "{at}: undocumented key {key}");
                }
            }
            for key in shown {
                same_keys(&actual[key], &documented[key], &format!("{at}.{key}"));
            }
        }
        (Value::Array(actual), Value::Array(documented)) if !documented.is_empty() => {
            let first = actual
                .first()
                .unwrap_or_else(|| panic!("{at}: the value's list is empty"));
            same_keys(first, &documented[0], &format!("{at}[0]"));
        }
        (Value::Array(_), Value::Array(_)) => {}
        (_, Value::Object(_) | Value::Array(_)) => {
            panic!("{at}: {actual} where the example has {documented}")
        }
        _ => {}
    }
}

fn check(value: impl Serialize, documented: &Value, what: &str) {
    let value = serde_json::to_value(value).unwrap();
    same_keys(&value, documented, what);
}

fn trust() -> Trust {
    Trust::from(&own_label(TrustLevel::Associative, "Les profs de SVT"))
}

fn person(id: i64, name: &str) -> Person {
    Person {
        id,
        handle: format!("{name}@localhost:18099"),
        display_name: name.to_string(),
        actor_id: format!("http://localhost:18099/users/{name}"),
        local: true,
        trust: trust(),
    }
}

const AT: &str = "2026-12-02T06:08:37.740+00:00";

fn project() -> Project {
    Project {
        handle: "eco@localhost:18099".into(),
        name: "eco".into(),
        local: true,
        actor_id: "http://localhost:18099/projects/eco".into(),
        title: "Éco-délégués en réseau".into(),
        description_html: "<p>Un projet.</p>\n".into(),
        subjects: vec!["SVT".into()],
        school_levels: vec!["college".into()],
        languages: vec!["fr".into()],
        academy: "Rennes".into(),
        country: "France".into(),
        place: "Rennes".into(),
        latitude: Some(48.11),
        longitude: Some(-1.68),
        visibility: "public".into(),
        status: "looking".into(),
        join_mode: "request".into(),
        min_member_level: "informal".into(),
        created_at: Some(AT.into()),
        last_activity_at: Some(AT.into()),
        trust: trust(),
    }
}

fn owner_flags() -> MemberFlags {
    MemberFlags {
        role: "owner".into(),
        state: "member".into(),
        member: true,
        moderator: true,
        owner: true,
    }
}

fn membership(state: &str) -> MemberEntry {
    MemberEntry {
        person: person(2, "yann"),
        role: "member".into(),
        state: state.into(),
        since: Some(AT.into()),
        invited_by: Some(person(1, "camille")),
    }
}

fn page(for_members: bool) -> ProjectPage {
    let log = ProjectLogEntry {
        kind: "created".into(),
        actor: Some(person(1, "camille")),
        subject: None,
        detail: String::new(),
        at: Some(AT.into()),
    };
    ProjectPage {
        project: project(),
        me: for_members.then(owner_flags),
        members: vec![membership("member")],
        pending: for_members.then(|| vec![membership("invited")]),
        former: for_members.then(Vec::new),
        log: for_members.then(|| vec![log]),
    }
}

fn post(kind: &str) -> ProjectPost {
    ProjectPost {
        id: 1,
        ap_id: "http://localhost:18099/objects/c091242d".into(),
        kind: kind.into(),
        thread_id: 1,
        in_reply_to_id: None,
        title: "Calendrier".into(),
        content_html: "<p>Mardi.</p>\n".into(),
        source: "Mardi.".into(),
        author: person(1, "camille"),
        published_at: Some(AT.into()),
        last_activity_at: Some(AT.into()),
        deleted: false,
        reply_count: Some(1),
    }
}

fn event() -> Event {
    Event {
        id: 2,
        ap_id: "http://localhost:18099/objects/2227e6a1".into(),
        title: "Point avec Yann".into(),
        description_html: String::new(),
        starts_at: Some(AT.into()),
        ends_at: Some(AT.into()),
        location: String::new(),
        meeting_url: String::new(),
        for_all: false,
        attendees: vec![person(2, "yann")],
        author: person(1, "camille"),
        created_at: Some(AT.into()),
    }
}

fn contact_lists() -> ContactLists {
    let entry = || ContactEntry {
        person: person(3, "dora"),
        since: Some(AT.into()),
    };
    ContactLists {
        received: vec![entry()],
        sent: vec![entry()],
        contacts: vec![entry()],
    }
}

#[test]
fn project_objects_match_the_examples() {
    let documented = block("The project object", 0);
    check(project(), &documented, "project");
    let mut listed = documented.clone();
    listed["me"] = Value::Null;
    check(
        ProjectListed {
            project: project(),
            me: None,
        },
        &listed,
        "listed project",
    );
    let list = ProjectList {
        projects: vec![ProjectListed {
            project: project(),
            me: Some(owner_flags()),
        }],
    };
    check(list, &inline("`GET /projects`", "{\"projects\""), "list");
}

#[test]
fn people_and_memberships_match_the_examples() {
    let heading = "The person and membership objects";
    check(person(2, "yann"), &block(heading, 0), "person");
    check(membership("invited"), &block(heading, 1), "membership");
    let answer = ProjectMembership {
        project: project(),
        membership: Some(membership("invited")),
    };
    let documented = inline("`POST /projects/{name}/invite`", "{\"project\"");
    check(answer, &documented, "membership answer");
}

#[test]
fn the_project_page_matches_the_example_and_hides_member_keys() {
    check(page(true), &block("`POST /projects`", 1), "page");
    let stranger = serde_json::to_value(page(false)).unwrap();
    let keys: Vec<&String> = stranger.as_object().unwrap().keys().collect();
    assert_eq!(keys, ["project", "me", "members"]);
    assert!(stranger["me"].is_null());
}

#[test]
fn the_documented_creation_body_is_accepted() {
    let body: super::ProjectCreate = serde_json::from_value(block("`POST /projects`", 0)).unwrap();
    assert_eq!(body.name, "eco");
    assert_eq!(body.latitude, Some(48.11));
    assert_eq!(body.subjects, ["SVT", "Géographie"]);
    assert_eq!(body.visibility, "public");
}

#[test]
fn requests_and_contacts_match_the_examples() {
    let requests = RequestLists {
        invitations: vec![RequestInvitation {
            project: project(),
            invited_by: Some(person(1, "camille")),
            since: Some(AT.into()),
        }],
        to_decide: vec![RequestToDecide {
            project: project(),
            person: person(3, "dora"),
            since: Some(AT.into()),
        }],
        sent: vec![RequestSent {
            project: project(),
            person: person(2, "yann"),
            state: "member".into(),
            since: Some(AT.into()),
        }],
        contacts: contact_lists(),
    };
    let heading = "`GET /me/requests`";
    check(requests, &block(heading, 0), "requests");
    check(
        contact_lists(),
        &inline(heading, "{\"received\""),
        "contact lists",
    );
    let entry = ContactEntry {
        person: person(3, "dora"),
        since: None,
    };
    check(entry, &inline(heading, "{\"person\""), "contact entry");
    let requested = ContactRequested {
        person: person(3, "dora"),
        state: "requested".into(),
    };
    check(
        requested,
        &inline("`POST /contacts`", "{\"person\""),
        "contact requested",
    );
}

#[test]
fn project_content_matches_the_examples() {
    let threads = "`GET /projects/{name}/threads`";
    check(post("thread"), &block(threads, 0), "post");
    let list = ProjectThreadList {
        threads: vec![post("thread")],
    };
    check(list, &inline(threads, "{\"threads\""), "threads");
    let thread = ProjectThread {
        thread: post("thread"),
        replies: vec![post("reply")],
    };
    let documented = inline("`GET /projects/{name}/threads/{id}`", "{\"thread\"");
    check(thread, &documented, "thread");
    let documents = DocumentList {
        documents: vec![Document {
            id: 1,
            ap_id: "http://localhost:18099/objects/0d6c7dbf".into(),
            name: "programme.pdf".into(),
            created_at: Some(AT.into()),
            updated_at: Some(AT.into()),
            versions: vec![DocumentVersion {
                id: 1,
                ap_id: "http://localhost:18099/objects/0d6c7dbf".into(),
                version: 1,
                file_name: "programme.pdf".into(),
                media_type: "application/pdf".into(),
                size: 380,
                sha256: "5d3a".into(),
                author: person(1, "camille"),
                shared_at: Some(AT.into()),
                local: true,
            }],
        }],
    };
    let documented = block("`GET /projects/{name}/documents`", 0);
    check(documents, &documented, "documents");
    let events = "`GET /projects/{name}/events`";
    check(event(), &block(events, 0), "event");
    let list = EventList {
        events: vec![event()],
    };
    check(list, &inline(events, "{\"events\""), "events");
}

/// The check itself fails on a missing or an undocumented key.
#[test]
fn a_key_missing_or_added_is_caught() {
    let documented = block("The project object", 0);
    let mut value = serde_json::to_value(project()).unwrap();
    value["extra"] = Value::Bool(true);
    let added = std::panic::catch_unwind(|| same_keys(&value, &documented, "added"));
    assert!(added.is_err());
    let mut value = serde_json::to_value(project()).unwrap();
    value.as_object_mut().unwrap().remove("handle");
    let missing = std::panic::catch_unwind(|| same_keys(&value, &documented, "missing"));
    assert!(missing.is_err());
}

/// Every route of projects, project content and contacts is in the
/// OpenAPI document, with its success answer typed by one of these
/// schemas and its errors by `ErrorBody`.
#[test]
fn the_openapi_document_describes_every_route() {
    let document = serde_json::to_value(crate::api::openapi::document()).unwrap();
    let routes = [
        ("get", "/projects", "200", "ProjectList"),
        ("post", "/projects", "201", "ProjectPage"),
        ("get", "/projects/lookup", "200", "ProjectPage"),
        ("get", "/projects/{name}", "200", "ProjectPage"),
        (
            "post",
            "/projects/{name}/invite",
            "201",
            "ProjectMembership",
        ),
        (
            "post",
            "/projects/{name}/answer",
            "200",
            "ProjectMembership",
        ),
        ("post", "/projects/{name}/join", "201", "ProjectMembership"),
        ("post", "/projects/{name}/leave", "200", "ProjectMembership"),
        (
            "post",
            "/projects/{name}/members/{id}",
            "200",
            "ProjectMembership",
        ),
        (
            "get",
            "/projects/{name}/threads",
            "200",
            "ProjectThreadList",
        ),
        ("post", "/projects/{name}/threads", "201", "ProjectPost"),
        (
            "get",
            "/projects/{name}/threads/{id}",
            "200",
            "ProjectThread",
        ),
        (
            "post",
            "/projects/{name}/threads/{id}/replies",
            "201",
            "ProjectPost",
        ),
        ("get", "/projects/{name}/documents", "200", "DocumentList"),
        ("get", "/projects/{name}/events", "200", "EventList"),
        ("post", "/projects/{name}/events", "201", "Event"),
        ("get", "/me/requests", "200", "RequestLists"),
        ("post", "/contacts", "202", "ContactRequested"),
        ("post", "/contacts/{id}/answer", "200", "ContactLists"),
    ];
    let schemas = &document["components"]["schemas"];
    for (method, path, status, schema) in routes {
        let operation = &document["paths"][path][method];
        let responses = &operation["responses"];
        let reference = &responses[status]["content"]["application/json"]["schema"]["$ref"];
        assert_eq!(
            reference,
            &format!("#/components/schemas/{schema}"),
            "{method} {path}"
        );
        assert!(schemas[schema].is_object(), "{schema} not in components");
        assert_eq!(
            responses["401"]["content"]["application/json"]["schema"]["$ref"],
            "#/components/schemas/ErrorBody",
            "{method} {path}"
        );
        assert!(operation["security"].is_array(), "{method} {path}");
    }
    for schema in [
        "Person",
        "MemberEntry",
        "ProjectLogEntry",
        "DocumentVersion",
    ] {
        assert!(schemas[schema].is_object(), "{schema} not in components");
    }
}
