//! Members-only objects other instances send to a project space: a
//! `Create` a member delivers to the host, and what the project announces
//! to a member's instance (read from its origin unless the project's own
//! server speaks for it). Objects are parsed tolerantly into what the
//! domain stores; authorship is checked before anything is stored.

use super::actors::{host_of, DbActor};
use crate::domain::provenance::{same_origin, Provenance};
use crate::{
    app::AppState,
    domain::{
        inbox::Applied,
        project_content::{media_type_of, ReceivedObject},
        project_reads::{now_ms, ActorRow, NewEvent, NewProjectPost, NewVersion, ProjectRow},
        rendering, DomainError,
    },
    error::AppError,
    urls,
};
use activitypub_federation::{config::Data, fetch::fetch_object_http};
use axum::{http::StatusCode, response::Response};
use preau_federation::{
    activities::Activity,
    objects::{Post, PostKind},
    projects::{ProjectEvent, SharedDocument},
};
use serde_json::Value;
use url::Url;

fn refuse(status: StatusCode, code: &'static str) -> Response {
    AppError::new(status, code).into_response_json()
}

fn ms_of(text: Option<&str>) -> i64 {
    text.and_then(|t| chrono::DateTime::parse_from_rfc3339(t).ok())
        .map(|t| t.timestamp_millis())
        .unwrap_or_else(now_ms)
}

fn domain_refusal(error: DomainError) -> Response {
    match error {
        DomainError::Refused(refusal) => refuse(crate::error::status_of(&refusal), refusal.code()),
        other => AppError::from(other).into_response_json(),
    }
}

/// Why a received object is refused: status and stable code.
type Refusal = (StatusCode, &'static str);

/// Reads a members-only object from its JSON; `author` must be its
/// `attributedTo` and its id, content link and author on one host.
async fn parse_object(
    object: &Value,
    author: &Url,
    project: &ProjectRow,
) -> Result<ReceivedObject, Refusal> {
    let kind = object
        .get("type")
        .and_then(Value::as_str)
        .unwrap_or_default();
    match kind {
        "Page" | "Note" => parse_post(object, author, project).await,
        "Document" => parse_document(object, author, project),
        "Event" => parse_event(object, author, project).await,
        _ => Err((StatusCode::UNPROCESSABLE_ENTITY, "object_type_unsupported")),
    }
}

fn invalid() -> Refusal {
    (StatusCode::BAD_REQUEST, "invalid_object")
}

fn unavailable() -> Refusal {
    (StatusCode::INTERNAL_SERVER_ERROR, "internal_error")
}

fn same_host(id: &Url, author: &Url) -> bool {
    host_of(id) == host_of(author)
}

/// A thread (`Page`) or a reply (`Note`) of a project.
async fn parse_post(
    object: &Value,
    author: &Url,
    project: &ProjectRow,
) -> Result<ReceivedObject, Refusal> {
    let post: Post = serde_json::from_value(object.clone()).map_err(|_| invalid())?;
    if post.author() != Some(author) || !same_host(&post.id, author) {
        return Err((StatusCode::FORBIDDEN, "author_mismatch"));
    }
    let title = post
        .name
        .as_deref()
        .map(|n| sanitize_plain(n, 200))
        .unwrap_or_default();
    if post.kind == PostKind::Page && title.is_empty() {
        return Err(invalid());
    }
    Ok(ReceivedObject::Post {
        post: NewProjectPost {
            ap_id: post.id.to_string(),
            project_id: project.actor.id,
            thread_id: None,
            in_reply_to_id: None,
            author_id: project.actor.id,
            title: if post.kind == PostKind::Page {
                title
            } else {
                String::new()
            },
            source: String::new(),
            content_html: rendering::remote_html(post.content.clone().unwrap_or_default())
                .await
                .map_err(|_| unavailable())?,
            published_at: ms_of(post.published.as_deref()),
            local: false,
        },
        in_reply_to: if post.kind == PostKind::Page {
            None
        } else {
            Some(post.in_reply_to.ok_or_else(invalid)?.to_string())
        },
    })
}

/// A version of a shared document; its bytes stay at its origin.
fn parse_document(
    object: &Value,
    author: &Url,
    project: &ProjectRow,
) -> Result<ReceivedObject, Refusal> {
    let document: SharedDocument = serde_json::from_value(object.clone()).map_err(|_| invalid())?;
    if &document.attributed_to != author
        || !same_host(&document.id, author)
        || !same_host(&document.url, author)
    {
        return Err((StatusCode::FORBIDDEN, "author_mismatch"));
    }
    let name = crate::domain::project_content::clean_file_name(&document.name);
    // The type is judged from the name, as for local uploads.
    let media_type = media_type_of(&name)
        .ok_or((StatusCode::UNSUPPORTED_MEDIA_TYPE, "document_type_refused"))?;
    if document.digest.len() != 64
        || !document.digest.chars().all(|c| c.is_ascii_hexdigit())
        || document.size < 0
    {
        return Err(invalid());
    }
    Ok(ReceivedObject::Document {
        version: NewVersion {
            ap_id: document.id.to_string(),
            version: document.version.max(1),
            author_id: project.actor.id,
            file_name: name.clone(),
            media_type: media_type.to_string(),
            size: document.size,
            sha256: document.digest.to_ascii_lowercase(),
            content_url: document.url.to_string(),
            storage_key: None,
            created_at: ms_of(document.published.as_deref()),
            local: false,
        },
        name,
        version_of: document.version_of.map(|u| u.to_string()),
    })
}

/// An event, for all members or for the people it is addressed to.
async fn parse_event(
    object: &Value,
    author: &Url,
    project: &ProjectRow,
) -> Result<ReceivedObject, Refusal> {
    let event: ProjectEvent = serde_json::from_value(object.clone()).map_err(|_| invalid())?;
    if &event.attributed_to != author || !same_host(&event.id, author) {
        return Err((StatusCode::FORBIDDEN, "author_mismatch"));
    }
    let starts_at = chrono::DateTime::parse_from_rfc3339(&event.start_time)
        .map_err(|_| invalid())?
        .timestamp_millis();
    let ends_at = chrono::DateTime::parse_from_rfc3339(&event.end_time)
        .map_err(|_| invalid())?
        .timestamp_millis();
    let members = urls::project_members_of(&project.actor.ap_id);
    let attendees: Vec<String> = event
        .to
        .iter()
        .filter(|to| **to != members && !preau_federation::objects::is_public_address(to))
        .cloned()
        .collect();
    Ok(ReceivedObject::Event {
        event: NewEvent {
            ap_id: event.id.to_string(),
            project_id: project.actor.id,
            author_id: project.actor.id,
            title: sanitize_plain(&event.name, 200),
            description_source: String::new(),
            description_html: rendering::remote_html(event.content.clone().unwrap_or_default())
                .await
                .map_err(|_| unavailable())?,
            starts_at,
            ends_at: ends_at.max(starts_at),
            location: event
                .location
                .map(|l| sanitize_plain(&l.name, 200))
                .unwrap_or_default(),
            meeting_url: event
                .url
                .filter(|u| matches!(u.scheme(), "http" | "https"))
                .map(|u| u.to_string())
                .unwrap_or_default(),
            for_all: attendees.is_empty(),
            attendees: Vec::new(),
            created_at: ms_of(event.published.as_deref()),
            local: false,
        },
        attendees,
    })
}

/// A remote name shown on one line (a document's or an event's title, a
/// place), normalised like local names.
fn sanitize_plain(text: &str, max: usize) -> String {
    crate::domain::validate::single_line(text)
        .chars()
        .take(max)
        .collect()
}

/// The project a `Create` is for: its `audience`, or its object's.
pub fn audience_of(activity: &Activity) -> Option<Url> {
    activity.audience.clone().or_else(|| {
        activity
            .embedded_object()
            .and_then(|o| o.get("audience"))
            .and_then(Value::as_str)
            .and_then(|s| Url::parse(s).ok())
    })
}

/// On the host: a member of another instance created an object in a
/// local project.
pub async fn host_receive_create(
    data: &Data<AppState>,
    activity: &Activity,
    raw: &Value,
    signer: &DbActor,
    project: &ProjectRow,
) -> Result<Applied, Response> {
    data.domain
        .require_project_member_actor(project, signer.row.id)
        .await
        .map_err(domain_refusal)?;
    let Some(object) = activity.embedded_object() else {
        return Err(refuse(StatusCode::BAD_REQUEST, "invalid_object"));
    };
    let object_id = object
        .get("id")
        .and_then(Value::as_str)
        .and_then(|s| Url::parse(s).ok())
        .ok_or_else(|| refuse(StatusCode::BAD_REQUEST, "invalid_object"))?;
    data.domain
        .check_authorship(
            &activity.actor,
            &object_id,
            Provenance::DeliveredBy(&activity.actor),
        )
        .map_err(domain_refusal)?;
    let parsed = parse_object(object, &activity.actor, project)
        .await
        .map_err(|(status, code)| refuse(status, code))?;
    data.domain
        .receive_project_object(activity.id.as_str(), project, &signer.row, parsed, raw)
        .await
        .map_err(domain_refusal)
}

/// On a member's instance: an object the project announced. An object
/// from the project's own server is taken as relayed; any other is read
/// from its origin with a signed fetch, so a project cannot put words in
/// another instance's teachers' mouths.
pub async fn mirror_receive_create(
    data: &Data<AppState>,
    announce_id: &str,
    inner: &Activity,
    project: &ProjectRow,
) -> Result<Applied, Response> {
    let object = inner.embedded_object().cloned();
    let object_id = inner
        .object_id()
        .ok_or_else(|| refuse(StatusCode::BAD_REQUEST, "invalid_object"))?;
    if host_of(&object_id) == data.domain.settings.instance.domain {
        // Written here and relayed back by the project: already stored.
        return Ok(Applied::Ignored);
    }
    let project_url = Url::parse(&project.actor.ap_id)
        .map_err(|_| refuse(StatusCode::BAD_REQUEST, "invalid_object"))?;
    let delivered = object.is_some() && same_origin(&object_id, &project_url);
    let object = match object {
        Some(object) if delivered => object,
        _ => {
            let fetched = fetch_object_http::<AppState, Value>(&object_id, data)
                .await
                .map_err(|error| {
                    // Perhaps only not yet: the origin may not have heard
                    // that this instance has a member. 503 makes the
                    // project's server deliver it again later.
                    tracing::info!(%error, id = %object_id, "project object unavailable");
                    refuse(StatusCode::SERVICE_UNAVAILABLE, "object_unavailable")
                })?
                .object;
            if fetched.get("id").and_then(Value::as_str) != Some(object_id.as_str()) {
                return Err(refuse(StatusCode::BAD_REQUEST, "object_unavailable"));
            }
            fetched
        }
    };
    let author_url = object
        .get("attributedTo")
        .and_then(Value::as_str)
        .and_then(|s| Url::parse(s).ok())
        .ok_or_else(|| refuse(StatusCode::BAD_REQUEST, "invalid_object"))?;
    if author_url != inner.actor {
        return Err(refuse(StatusCode::FORBIDDEN, "author_mismatch"));
    }
    let provenance = if delivered {
        Provenance::DeliveredBy(&project_url)
    } else {
        Provenance::FetchedFrom(&object_id)
    };
    data.domain
        .check_authorship(&author_url, &object_id, provenance)
        .map_err(domain_refusal)?;
    let id: activitypub_federation::fetch::object_id::ObjectId<DbActor> = author_url.clone().into();
    let author: ActorRow = id
        .dereference(data)
        .await
        .map_err(|_| refuse(StatusCode::BAD_REQUEST, "actor_unavailable"))?
        .row;
    let parsed = parse_object(&object, &author_url, project)
        .await
        .map_err(|(status, code)| refuse(status, code))?;
    data.domain
        .receive_project_object(announce_id, project, &author, parsed, &Value::Null)
        .await
        .map_err(domain_refusal)
}
