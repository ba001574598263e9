//! A project's past on the wire. On the host, `GET
//! /projects/{name}/content` lists what the project holds (documents,
//! events, threads and their replies; objects written on the host
//! embedded, others by id) to signed reads from instances with a current
//! member only (401 unsigned, 403 `not_a_member` otherwise). On a member's
//! instance, [`backfill_project`] reads that collection once its first
//! teacher is counted as a member, bounded in pages, items and fetches,
//! and stores each item under the rules live content follows: an object
//! the project's own server holds is taken as delivered by it; any other
//! is read again from its origin; its author must be on its id's origin.

use super::{
    actors::{host_of, DbActor},
    project_content::object_json,
    project_received::parse_object,
    projects::{collection, signed_project_read, SignedRead},
};
use crate::extract::ApiPath;
use crate::{
    app::AppState,
    domain::{
        project_reads::{ProjectObject, ProjectRow},
        provenance::{same_origin, Provenance},
    },
    error::AppError,
    urls,
};
use activitypub_federation::{
    config::Data,
    fetch::{fetch_object_http, object_id::ObjectId},
};
use axum::response::Response;
use preau_federation::collections::Collection;
use serde_json::Value;
use url::Url;

/// Most items of a project's content collection read.
pub const MAX_ITEMS: usize = 1000;
/// Most pages of the collection followed.
pub const MAX_PAGES: usize = 10;
/// Most objects fetched from another server than the project's.
pub const MAX_FETCHES: usize = 200;

/// `GET /projects/{name}/content`: what the project holds, oldest first
/// within each kind, to member instances only.
pub async fn get_project_content(
    data: Data<AppState>,
    ApiPath(name): ApiPath<String>,
    method: axum::http::Method,
    uri: axum::http::Uri,
    headers: axum::http::HeaderMap,
) -> Response {
    let request = SignedRead::of(method, &uri, headers);
    let (project, host) = match signed_project_read(&data, &name, &request).await {
        Ok(read) => read,
        Err(response) => return response,
    };
    let objects = match data.domain.project_content_for_host(&project, &host).await {
        Ok(objects) => objects,
        Err(error) => return AppError::from(error).into_response_json(),
    };
    let mut items = Vec::with_capacity(objects.len());
    for object in &objects {
        let ap_id = object_ap_id(object);
        let written_here = Url::parse(ap_id).is_ok_and(|url| data.domain.is_local_url(&url));
        if written_here {
            match object_json(&data, object, &project).await {
                Ok(mut value) => {
                    if let Some(map) = value.as_object_mut() {
                        map.remove("@context");
                    }
                    items.push(value);
                }
                Err(error) => return error.into_response_json(),
            }
        } else {
            // Its author's server speaks for it: a reader fetches it there.
            items.push(Value::String(ap_id.to_string()));
        }
    }
    collection(&urls::project_content_of(&project.actor.ap_id), items)
}

fn object_ap_id(object: &ProjectObject) -> &str {
    match object {
        ProjectObject::Post(post) => &post.ap_id,
        ProjectObject::Version(version) => &version.ap_id,
        ProjectObject::Event(event) => &event.ap_id,
    }
}

/// The items of the content collection at `url` and its pages, bounded by
/// [`MAX_PAGES`] and [`MAX_ITEMS`]; pages must be on the project's origin.
async fn listed_items(
    data: &Data<AppState>,
    url: &Url,
    project_url: &Url,
) -> Result<Vec<Value>, String> {
    let mut items = Vec::new();
    let mut next = Some(url.clone());
    let mut pages = 0;
    while let Some(page_url) = next.take() {
        if !same_origin(&page_url, project_url) {
            return Err("a page of the collection is on another server".into());
        }
        pages += 1;
        let page = fetch_object_http::<AppState, Collection>(&page_url, data)
            .await
            .map_err(|e| e.to_string())?
            .object;
        items.extend(page.all_items().cloned());
        if pages == 1 && items.is_empty() {
            if let Some(first) = page.first_page() {
                items.extend(first.all_items().cloned());
                next = first.next_url();
            } else {
                next = page.first_url();
            }
        } else {
            next = page.next_url();
        }
        if items.len() >= MAX_ITEMS || pages >= MAX_PAGES {
            break;
        }
    }
    items.truncate(MAX_ITEMS);
    Ok(items)
}

/// What one listed item is: its id, and the object when it can be taken
/// as delivered by the project's server.
fn item_of(item: &Value, project_url: &Url) -> Option<(Url, Option<Value>)> {
    let (id, object) = match item {
        Value::String(id) => (Url::parse(id).ok()?, None),
        Value::Object(map) => {
            let id = Url::parse(map.get("id")?.as_str()?).ok()?;
            (id, Some(item.clone()))
        }
        _ => return None,
    };
    let object = object.filter(|_| same_origin(&id, project_url));
    Some((id, object))
}

/// Reads a remote project's content collection from its host and stores
/// what is missing here; returns how many items were stored. Each item
/// passes the checks live content passes (author on its id's origin,
/// objects of other servers fetched from their origin, this instance's
/// document limits, the project's member level); refused or unavailable
/// items are left out and logged.
pub async fn backfill_project(
    data: &Data<AppState>,
    project: &ProjectRow,
) -> Result<usize, String> {
    if project.actor.is_local() {
        return Ok(0);
    }
    let data = data.reset_request_count();
    let project_url = Url::parse(&project.actor.ap_id).map_err(|e| e.to_string())?;
    let group = fetch_object_http::<AppState, preau_federation::Actor>(&project_url, &data)
        .await
        .map_err(|e| e.to_string())?
        .object;
    // A server that lists no content (another software, an older Préau)
    // has nothing to backfill.
    let Some(content) = group.project_content else {
        return Ok(0);
    };
    let items = listed_items(&data, &content, &project_url).await?;
    let mut stored = 0;
    let mut fetches = 0;
    for item in &items {
        let Some((id, delivered)) = item_of(item, &project_url) else {
            continue;
        };
        if data.domain.is_local_url(&id) {
            // Written here: already stored.
            continue;
        }
        if data
            .domain
            .is_known_project_object(id.as_str())
            .await
            .map_err(|e| e.to_string())?
        {
            continue;
        }
        if delivered.is_none() {
            if fetches >= MAX_FETCHES {
                continue;
            }
            fetches += 1;
        }
        // Each item has its own budget of requests (object, author).
        let item_data = data.reset_request_count();
        match store_item(&item_data, project, &project_url, &id, delivered).await {
            Ok(true) => stored += 1,
            Ok(false) => {}
            Err(error) => tracing::info!(%id, %error, "project backfill: item left out"),
        }
    }
    Ok(stored)
}

/// Checks and stores one item; `Ok(false)` when it was already there.
async fn store_item(
    data: &Data<AppState>,
    project: &ProjectRow,
    project_url: &Url,
    id: &Url,
    delivered: Option<Value>,
) -> Result<bool, String> {
    let (object, fetched) = match delivered {
        Some(object) => (object, false),
        None => {
            let object = fetch_object_http::<AppState, Value>(id, data)
                .await
                .map_err(|e| e.to_string())?
                .object;
            if object.get("id").and_then(Value::as_str) != Some(id.as_str()) {
                return Err("fetched object has another id".into());
            }
            (object, true)
        }
    };
    let author_url = object
        .get("attributedTo")
        .and_then(Value::as_str)
        .and_then(|s| Url::parse(s).ok())
        .ok_or("object without author")?;
    let provenance = if fetched {
        Provenance::FetchedFrom(id)
    } else {
        Provenance::DeliveredBy(project_url)
    };
    data.domain
        .check_authorship(&author_url, id, provenance)
        .map_err(|e| e.to_string())?;
    let author = ObjectId::<DbActor>::from(author_url.clone())
        .dereference(data)
        .await
        .map_err(|e| format!("author {} unavailable: {e}", host_of(&author_url)))?
        .row;
    let parsed = parse_object(&object, &author_url, project, data.domain.clock().now_ms())
        .await
        .map_err(|e| match e {
            super::activities::InboxError::Refused { code, .. } => code.to_string(),
            super::activities::InboxError::Internal => "internal error".to_string(),
        })?;
    let applied = data
        .domain
        .backfill_project_object(project, &author, parsed)
        .await
        .map_err(|e| e.to_string())?;
    Ok(applied == crate::domain::inbox::Applied::Applied)
}

#[cfg(test)]
mod tests {
    use super::item_of;
    use serde_json::json;
    use url::Url;

    #[test]
    fn only_the_projects_own_objects_are_taken_as_delivered() {
        let project = Url::parse("https://a.example/projects/p").unwrap();
        let own = json!({"id": "https://a.example/objects/1", "type": "Page"});
        let (id, delivered) = item_of(&own, &project).unwrap();
        assert_eq!(id.as_str(), "https://a.example/objects/1");
        assert_eq!(delivered, Some(own));
        // Another server's object, even embedded, is read at its origin.
        let foreign = json!({"id": "https://b.example/objects/1", "type": "Page"});
        assert_eq!(item_of(&foreign, &project).unwrap().1, None);
        let (id, delivered) = item_of(&json!("https://b.example/objects/2"), &project).unwrap();
        assert_eq!(id.as_str(), "https://b.example/objects/2");
        assert_eq!(delivered, None);
        assert!(item_of(&json!(42), &project).is_none());
        assert!(item_of(&json!({"type": "Page"}), &project).is_none());
        assert!(item_of(&json!("not a url"), &project).is_none());
    }
}
