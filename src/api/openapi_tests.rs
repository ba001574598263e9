//! Tests keeping the OpenAPI document, the router and docs/api.md in
//! agreement: every route is described, every heading of docs/api.md is an
//! operation, the JSON examples of docs/api.md fit the schemas, and no two
//! Rust types share a schema name.

use super::openapi::document;
use serde_json::{Map, Value};
use std::collections::{BTreeMap, BTreeSet};

/// Path prefixes whose routes are not described yet. Used only by these
/// tests; empty: every route is described.
const NOT_YET_DESCRIBED: &[&str] = &[];

const API_MD: &str = include_str!("../../docs/api.md");

fn exempt(path: &str) -> bool {
    NOT_YET_DESCRIBED.iter().any(|prefix| {
        path == *prefix
            || path
                .strip_prefix(prefix)
                .is_some_and(|rest| rest.starts_with('/'))
    })
}

fn document_json() -> Value {
    serde_json::to_value(document()).unwrap()
}

/// Every `(METHOD, path)` of the document.
fn operations(document: &Value) -> BTreeSet<(String, String)> {
    let mut operations = BTreeSet::new();
    for (path, item) in document["paths"].as_object().unwrap() {
        for method in ["get", "post", "put", "delete", "patch"] {
            if item.get(method).is_some() {
                operations.insert((method.to_uppercase(), path.clone()));
            }
        }
    }
    operations
}

/// A route heading of docs/api.md (``### `GET /forums/{name}` ``) as
/// `(METHOD, path)`.
fn route_heading(line: &str) -> Option<(String, String)> {
    let inner = line.strip_prefix("### `")?.strip_suffix('`')?;
    let (method, path) = inner.split_once(' ')?;
    if !["GET", "POST", "PUT", "DELETE", "PATCH"].contains(&method) {
        return None;
    }
    Some((method.to_string(), path.to_string()))
}

/// What a section of docs/api.md documents.
enum Section {
    Route(String, String),
    Object(&'static str),
    Other,
}

/// The object sections whose examples show a whole schema.
const OBJECT_SECTIONS: &[(&str, &str)] = &[
    ("### The account object", "Account"),
    ("### The profile object", "Profile"),
    ("### The forum object", "Forum"),
    ("### The post object", "Post"),
];

/// The JSON examples of docs/api.md, each with its section.
fn examples() -> Vec<(String, Section, String)> {
    let mut found = Vec::new();
    let mut heading = String::new();
    let mut block: Option<String> = None;
    for line in API_MD.lines() {
        if let Some(text) = block.as_mut() {
            if line.trim_end() == "```" {
                let section = if let Some((method, path)) = route_heading(&heading) {
                    Section::Route(method, path)
                } else if let Some((_, name)) = OBJECT_SECTIONS.iter().find(|(h, _)| *h == heading)
                {
                    Section::Object(name)
                } else {
                    Section::Other
                };
                found.push((heading.clone(), section, text.clone()));
                block = None;
            } else {
                text.push_str(line);
                text.push('\n');
            }
        } else if line.trim_end() == "```json" {
            block = Some(String::new());
        } else if line.starts_with('#') {
            heading = line.trim_end().to_string();
        }
    }
    found
}

/// Every route the router registers is an operation of the document, and
/// every operation is a route.
#[test]
fn every_route_is_described() {
    let table: BTreeSet<(String, String)> = super::route_table()
        .into_iter()
        .filter(|(_, path)| !exempt(path))
        .map(|(method, path)| (method.to_string(), path.to_string()))
        .collect();
    assert!(table.contains(&("GET".to_string(), "/forums/{name}".to_string())));
    let described: BTreeSet<(String, String)> = operations(&document_json())
        .into_iter()
        .filter(|(_, path)| !exempt(path))
        .collect();
    let undescribed: Vec<_> = table.difference(&described).collect();
    let unrouted: Vec<_> = described.difference(&table).collect();
    assert!(
        undescribed.is_empty(),
        "routes not in the document: {undescribed:?}"
    );
    assert!(
        unrouted.is_empty(),
        "operations with no route: {unrouted:?}"
    );
}

/// The route headings of docs/api.md are the document's operations.
#[test]
fn openapi_and_api_md_agree() {
    let headings: BTreeSet<(String, String)> = API_MD
        .lines()
        .filter_map(route_heading)
        .filter(|(_, path)| !exempt(path))
        .collect();
    assert!(headings.len() > 20, "few route headings: {headings:?}");
    let described: BTreeSet<(String, String)> = operations(&document_json())
        .into_iter()
        .filter(|(_, path)| !exempt(path))
        .collect();
    let undocumented: Vec<_> = described.difference(&headings).collect();
    let unknown: Vec<_> = headings.difference(&described).collect();
    assert!(
        undocumented.is_empty(),
        "operations without a heading in docs/api.md: {undocumented:?}"
    );
    assert!(
        unknown.is_empty(),
        "headings of docs/api.md that are no operation: {unknown:?}"
    );
}

/// Follows a `$ref` to its component.
fn resolve<'a>(schema: &'a Value, document: &'a Value) -> &'a Value {
    match schema.get("$ref").and_then(Value::as_str) {
        Some(reference) => {
            let name = reference.trim_start_matches("#/components/schemas/");
            let target = &document["components"]["schemas"][name];
            assert!(target.is_object(), "unknown schema {reference}");
            resolve(target, document)
        }
        None => schema,
    }
}

/// The kinds a JSON value may be under a schema's `type`.
fn type_names(schema: &Value) -> Option<Vec<String>> {
    match schema.get("type")? {
        Value::String(name) => Some(vec![name.clone()]),
        Value::Array(names) => Some(
            names
                .iter()
                .filter_map(|n| n.as_str().map(str::to_string))
                .collect(),
        ),
        _ => None,
    }
}

/// Checks `value` against `schema`: keys are properties, required
/// properties are present (unless the example elides keys with `"…"`),
/// types agree. Returns what disagrees.
fn check(value: &Value, schema: &Value, document: &Value, at: &str) -> Result<(), String> {
    let schema = resolve(schema, document);
    for combinator in ["oneOf", "anyOf"] {
        if let Some(options) = schema.get(combinator).and_then(Value::as_array) {
            let errors: Vec<String> = options
                .iter()
                .filter_map(|option| check(value, option, document, at).err())
                .collect();
            return if errors.len() < options.len() {
                Ok(())
            } else {
                Err(format!("{at}: no alternative fits: {}", errors.join("; ")))
            };
        }
    }
    if let Some(parts) = schema.get("allOf").and_then(Value::as_array) {
        let mut merged = Map::new();
        let mut properties = Map::new();
        let mut required = Vec::new();
        for part in parts {
            let part = resolve(part, document);
            if let Some(p) = part.get("properties").and_then(Value::as_object) {
                properties.extend(p.clone());
            }
            if let Some(r) = part.get("required").and_then(Value::as_array) {
                required.extend(r.clone());
            }
        }
        merged.insert("type".into(), "object".into());
        merged.insert("properties".into(), Value::Object(properties));
        merged.insert("required".into(), Value::Array(required));
        return check(value, &Value::Object(merged), document, at);
    }
    if let Some(allowed) = schema.get("enum").and_then(Value::as_array) {
        if !allowed.contains(value) {
            return Err(format!("{at}: {value} not among {allowed:?}"));
        }
    }
    let Some(types) = type_names(schema) else {
        return Ok(());
    };
    let fits = |name: &str| types.iter().any(|t| t == name);
    match value {
        Value::Null if fits("null") => Ok(()),
        Value::Bool(_) if fits("boolean") => Ok(()),
        Value::String(_) if fits("string") => Ok(()),
        Value::Number(n) if fits("number") || (fits("integer") && (n.is_i64() || n.is_u64())) => {
            Ok(())
        }
        Value::Array(items) if fits("array") => {
            for (index, item) in items.iter().enumerate() {
                check(item, &schema["items"], document, &format!("{at}[{index}]"))?;
            }
            Ok(())
        }
        Value::Object(object) if fits("object") => {
            let Some(properties) = schema.get("properties").and_then(Value::as_object) else {
                return Ok(());
            };
            let elided = object.contains_key("…");
            for (key, item) in object {
                if key == "…" {
                    continue;
                }
                let Some(property) = properties.get(key) else {
                    return Err(format!("{at}: `{key}` is not a property"));
                };
                check(item, property, document, &format!("{at}.{key}"))?;
            }
            if !elided {
                for name in schema["required"].as_array().into_iter().flatten() {
                    let name = name.as_str().unwrap_or_default();
                    if !object.contains_key(name) {
                        return Err(format!("{at}: required `{name}` missing"));
                    }
                }
            }
            Ok(())
        }
        _ => Err(format!("{at}: {value} is not of type {types:?}")),
    }
}

/// The JSON schema of an operation's request body, if any.
fn request_schema(operation: &Value) -> Option<&Value> {
    operation.pointer("/requestBody/content/application~1json/schema")
}

/// The JSON schema of an operation's first success answer with a body.
fn success_schema(operation: &Value) -> Option<&Value> {
    operation["responses"]
        .as_object()?
        .iter()
        .filter(|(status, _)| status.starts_with('2'))
        .find_map(|(_, answer)| {
            answer
                .pointer("/content/application~1json/schema")
                // A stream's events: each example is one event's data.
                .or_else(|| answer.pointer("/content/text~1event-stream/schema"))
        })
}

/// The item schemas of a list answer's array properties: docs/api.md shows
/// `{"threads": [ … ]}` and then one element.
fn list_items<'a>(schema: &'a Value, document: &'a Value) -> Vec<&'a Value> {
    let schema = resolve(schema, document);
    schema
        .get("properties")
        .and_then(Value::as_object)
        .into_iter()
        .flat_map(|properties| properties.values())
        .map(|property| resolve(property, document))
        .filter(|property| property["type"] == "array")
        .map(|property| &property["items"])
        .collect()
}

/// Every JSON example of docs/api.md under a route heading fits that
/// route's request body, its success answer or an element of a list in
/// that answer; every example of an object section fits its schema.
#[test]
fn schemas_match_the_examples_of_api_md() {
    let document = document_json();
    let mut checked = 0;
    let mut failures = Vec::new();
    for (heading, section, text) in examples() {
        let (value, candidates): (Value, Vec<&Value>) = match &section {
            Section::Other => continue,
            Section::Route(_, path) if exempt(path) => continue,
            Section::Route(method, path) => {
                let operation = &document["paths"][path.as_str()][method.to_lowercase()];
                assert!(operation.is_object(), "{heading}: no such operation");
                let value = serde_json::from_str(&text)
                    .unwrap_or_else(|error| panic!("{heading}: example is not JSON: {error}"));
                let success = success_schema(operation);
                (
                    value,
                    request_schema(operation)
                        .into_iter()
                        .chain(success)
                        .chain(success.into_iter().flat_map(|s| list_items(s, &document)))
                        .collect(),
                )
            }
            Section::Object(name) => (
                serde_json::from_str(&text)
                    .unwrap_or_else(|error| panic!("{heading}: example is not JSON: {error}")),
                vec![&document["components"]["schemas"][*name]],
            ),
        };
        assert!(
            !candidates.is_empty(),
            "{heading}: an example but no schema"
        );
        let errors: Vec<String> = candidates
            .iter()
            .filter_map(|schema| check(&value, schema, &document, "$").err())
            .collect();
        if errors.len() == candidates.len() {
            failures.push(format!("{heading}: {}", errors.join(" | ")));
        }
        checked += 1;
    }
    assert!(checked > 15, "only {checked} examples checked");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// The checker refuses what it must: an unknown key, a missing required
/// property, a wrong type, a null where none is allowed.
#[test]
fn the_example_checker_finds_disagreements() {
    let document = document_json();
    let forum = &document["components"]["schemas"]["Forum"];
    let trust = serde_json::json!({ "level": "informal", "declared": "informal", "verified": true, "organisation": null, "verified_by": null, "evidence": { "kind": "own" }, "reason": "own", "checked_at": null, "removed_on": null });
    let good = serde_json::json!({ "handle": "maths@x", "name": "maths", "local": true, "actor_id": "http://x/forums/maths", "title": "Maths", "description_html": "", "last_activity_at": null, "min_post_level": "informal", "trust": trust });
    check(&good, forum, &document, "$").unwrap();
    let mut unknown = good.clone();
    unknown["colour"] = "blue".into();
    assert!(check(&unknown, forum, &document, "$").is_err());
    let mut missing = good.clone();
    missing.as_object_mut().unwrap().remove("title");
    assert!(check(&missing, forum, &document, "$").is_err());
    let mut wrong = good.clone();
    wrong["local"] = "yes".into();
    assert!(check(&wrong, forum, &document, "$").is_err());
    let mut null = good.clone();
    null["title"] = Value::Null;
    assert!(check(&null, forum, &document, "$").is_err());
    let mut level = good;
    level["min_post_level"] = "expert".into();
    assert!(check(&level, forum, &document, "$").is_err());
}

/// The name and Rust type of a schema and of every schema it refers to.
fn schema_entries<T: utoipa::ToSchema + 'static>(entries: &mut Vec<(String, &'static str)>) {
    entries.push((T::name().to_string(), std::any::type_name::<T>()));
}

/// Every type registered as a schema, with its Rust path.
fn registered_types() -> Vec<(String, &'static str)> {
    use super::{
        accounts, admin, contact_categories, contacts, directory, forum_bans, forums, instance,
        notification_settings, notifications, posts, profiles, project_content, projects, schema,
        search, sessions,
    };
    let mut entries = Vec::new();
    schema_entries::<schema::ErrorBody>(&mut entries);
    schema_entries::<schema::ErrorDetail>(&mut entries);
    schema_entries::<schema::Trust>(&mut entries);
    schema_entries::<schema::Level>(&mut entries);
    schema_entries::<schema::EvidenceView>(&mut entries);
    schema_entries::<schema::ReasonView>(&mut entries);
    schema_entries::<schema::Person>(&mut entries);
    schema_entries::<schema::Account>(&mut entries);
    schema_entries::<schema::AccountResponse>(&mut entries);
    schema_entries::<schema::Profile>(&mut entries);
    schema_entries::<instance::Instance>(&mut entries);
    schema_entries::<instance::Software>(&mut entries);
    schema_entries::<accounts::Signup>(&mut entries);
    schema_entries::<accounts::CreateAccount>(&mut entries);
    schema_entries::<accounts::TokenBody>(&mut entries);
    schema_entries::<accounts::EmailBody>(&mut entries);
    schema_entries::<accounts::ResetBody>(&mut entries);
    schema_entries::<sessions::Session>(&mut entries);
    schema_entries::<sessions::LoginBody>(&mut entries);
    schema_entries::<profiles::OwnProfile>(&mut entries);
    schema_entries::<profiles::Me>(&mut entries);
    schema_entries::<profiles::ProfileBody>(&mut entries);
    schema_entries::<admin::AccountList>(&mut entries);
    schema_entries::<admin::RefuseSignupInput>(&mut entries);
    schema_entries::<directory::DirectoryPage>(&mut entries);
    schema_entries::<directory::DirectoryNear>(&mut entries);
    schema_entries::<directory::DirectoryProjects>(&mut entries);
    schema_entries::<directory::DirectoryProject>(&mut entries);
    schema_entries::<directory::DirectoryPeople>(&mut entries);
    schema_entries::<directory::DirectoryPerson>(&mut entries);
    schema_entries::<search::SearchPage>(&mut entries);
    schema_entries::<search::SearchResult>(&mut entries);
    schema_entries::<search::SearchSnippet>(&mut entries);
    schema_entries::<search::ProjectSearchPage>(&mut entries);
    schema_entries::<search::ProjectSearchResult>(&mut entries);
    schema_entries::<forums::Forum>(&mut entries);
    schema_entries::<forums::ForumList>(&mut entries);
    schema_entries::<forums::ForumPage>(&mut entries);
    schema_entries::<forums::FollowedForum>(&mut entries);
    schema_entries::<forums::ForumFollowState>(&mut entries);
    schema_entries::<forums::Post>(&mut entries);
    schema_entries::<forums::PostAuthor>(&mut entries);
    schema_entries::<forums::PostKindView>(&mut entries);
    schema_entries::<forums::Report>(&mut entries);
    schema_entries::<forums::ReportList>(&mut entries);
    schema_entries::<forum_bans::Ban>(&mut entries);
    schema_entries::<forum_bans::BanList>(&mut entries);
    schema_entries::<forum_bans::BanBody>(&mut entries);
    schema_entries::<forums::CreateForum>(&mut entries);
    schema_entries::<forums::FollowBody>(&mut entries);
    schema_entries::<forums::ThreadBody>(&mut entries);
    schema_entries::<posts::ThreadPage>(&mut entries);
    schema_entries::<posts::ReplyBody>(&mut entries);
    schema_entries::<posts::EditBody>(&mut entries);
    schema_entries::<posts::ReasonBody>(&mut entries);
    schema_entries::<projects::ProjectCreate>(&mut entries);
    schema_entries::<projects::objects::Project>(&mut entries);
    schema_entries::<projects::objects::MemberFlags>(&mut entries);
    schema_entries::<projects::objects::ProjectListed>(&mut entries);
    schema_entries::<projects::objects::ProjectList>(&mut entries);
    schema_entries::<projects::objects::MemberEntry>(&mut entries);
    schema_entries::<projects::objects::ProjectLogEntry>(&mut entries);
    schema_entries::<projects::objects::ProjectPage>(&mut entries);
    schema_entries::<projects::objects::ProjectMembership>(&mut entries);
    schema_entries::<projects::objects::RequestInvitation>(&mut entries);
    schema_entries::<projects::objects::RequestToDecide>(&mut entries);
    schema_entries::<projects::objects::RequestSent>(&mut entries);
    schema_entries::<projects::objects::RequestLists>(&mut entries);
    schema_entries::<projects::membership::ProjectInvite>(&mut entries);
    schema_entries::<projects::membership::ProjectAnswer>(&mut entries);
    schema_entries::<projects::membership::MemberAction>(&mut entries);
    schema_entries::<project_content::ProjectThreadInput>(&mut entries);
    schema_entries::<project_content::ProjectReplyInput>(&mut entries);
    schema_entries::<project_content::EventCreate>(&mut entries);
    schema_entries::<project_content::changes::ProjectPostChange>(&mut entries);
    schema_entries::<project_content::changes::EventChange>(&mut entries);
    schema_entries::<project_content::changes::DocumentChange>(&mut entries);
    schema_entries::<project_content::objects::ProjectPost>(&mut entries);
    schema_entries::<project_content::objects::ProjectThreadList>(&mut entries);
    schema_entries::<project_content::objects::ProjectThread>(&mut entries);
    schema_entries::<project_content::objects::DocumentVersion>(&mut entries);
    schema_entries::<project_content::objects::Document>(&mut entries);
    schema_entries::<project_content::objects::DocumentList>(&mut entries);
    schema_entries::<project_content::objects::Event>(&mut entries);
    schema_entries::<project_content::objects::EventList>(&mut entries);
    schema_entries::<contacts::ContactEntry>(&mut entries);
    schema_entries::<contacts::ContactLists>(&mut entries);
    schema_entries::<contacts::ContactRequested>(&mut entries);
    schema_entries::<contacts::ContactRequest>(&mut entries);
    schema_entries::<contacts::ContactAnswer>(&mut entries);
    schema_entries::<contact_categories::ContactCategory>(&mut entries);
    schema_entries::<contact_categories::BookContact>(&mut entries);
    schema_entries::<contact_categories::ContactBookBody>(&mut entries);
    schema_entries::<contact_categories::CategoryBody>(&mut entries);
    schema_entries::<contact_categories::PlacementBody>(&mut entries);
    schema_entries::<contact_categories::ContactChange>(&mut entries);
    schema_entries::<super::person_blocks::BlockList>(&mut entries);
    schema_entries::<super::person_blocks::BlockedPerson>(&mut entries);
    schema_entries::<super::person_blocks::OwnPresence>(&mut entries);
    schema_entries::<super::person_blocks::PresenceBody>(&mut entries);
    schema_entries::<notifications::NotificationForum>(&mut entries);
    schema_entries::<notifications::NotificationItem>(&mut entries);
    schema_entries::<notifications::NotificationList>(&mut entries);
    schema_entries::<notifications::MarkReadRequest>(&mut entries);
    schema_entries::<notifications::UnreadCount>(&mut entries);
    schema_entries::<notification_settings::NotificationKindSetting>(&mut entries);
    schema_entries::<notification_settings::NotificationSettingsView>(&mut entries);
    schema_entries::<notification_settings::NotificationSettingsChange>(&mut entries);
    schema_entries::<super::mail_lists::MailSubscriptionView>(&mut entries);
    schema_entries::<super::mail_lists::MailSubscriptionList>(&mut entries);
    schema_entries::<super::mail_lists::MailSubscriptionState>(&mut entries);
    schema_entries::<super::stream::StreamEventData>(&mut entries);
    schema_entries::<super::stream::StreamNotification>(&mut entries);
    schema_entries::<super::stream::StreamReply>(&mut entries);
    schema_entries::<super::stream::StreamProjectReply>(&mut entries);
    schema_entries::<super::stream::StreamConversationLine>(&mut entries);
    schema_entries::<super::conversations::ConversationItem>(&mut entries);
    schema_entries::<super::message_requests::MessageRequestItem>(&mut entries);
    schema_entries::<super::message_requests::MessageRequestList>(&mut entries);
    schema_entries::<super::conversations::ConversationList>(&mut entries);
    schema_entries::<super::conversations::Participant>(&mut entries);
    schema_entries::<super::conversations::ConversationDetail>(&mut entries);
    schema_entries::<super::conversations::ConversationLine>(&mut entries);
    schema_entries::<super::conversations::MessageAttachment>(&mut entries);
    schema_entries::<super::conversations::ConversationLines>(&mut entries);
    schema_entries::<super::conversations::CreateConversation>(&mut entries);
    schema_entries::<super::conversations::MessageBody>(&mut entries);
    schema_entries::<super::conversations::PersonHandle>(&mut entries);
    schema_entries::<super::conversations::ReadUpTo>(&mut entries);
    schema_entries::<super::stream::StreamPresence>(&mut entries);
    schema_entries::<super::stream::StreamMessages>(&mut entries);
    entries
}

/// No two Rust types register the same schema name (the document would
/// silently keep one), and every schema of the document is a listed type,
/// so that the check covers them all.
#[test]
fn schema_names_are_not_shared() {
    let mut by_name: BTreeMap<String, BTreeSet<&'static str>> = BTreeMap::new();
    for (name, rust) in registered_types() {
        by_name.entry(name).or_default().insert(rust);
    }
    let shared: Vec<_> = by_name
        .iter()
        .filter(|(_, types)| types.len() > 1)
        .collect();
    assert!(
        shared.is_empty(),
        "schema names shared by several types: {shared:?}"
    );
    let document = document_json();
    let unlisted: Vec<&String> = document["components"]["schemas"]
        .as_object()
        .unwrap()
        .keys()
        .filter(|name| !by_name.contains_key(*name))
        .collect();
    assert!(
        unlisted.is_empty(),
        "schemas missing from registered_types(): {unlisted:?}"
    );
}
