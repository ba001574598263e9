//! Members-only objects other instances send to a project space: reading
//! them tolerantly into what the domain stores (for a `Create` a member
//! delivers to the host, checked in `activities::create`), and what the
//! project announces to a member's instance (read from its origin unless
//! the project's own server speaks for it). Authorship is checked before
//! anything is stored; refusals are [`InboxError`]s.

use super::{
    activities::InboxError,
    actors::{host_of, DbActor},
};
use crate::domain::provenance::{same_origin, Provenance};
use crate::{
    app::AppState,
    domain::{
        inbox::Applied,
        project_content::{media_type_of, ReceivedObject},
        project_reads::{ActorRow, NewEvent, NewProjectPost, NewVersion, ProjectRow},
        rendering,
    },
    urls,
};
use activitypub_federation::{config::Data, fetch::fetch_object_http};
use axum::http::StatusCode;
use preau_federation::{
    activities::Activity,
    objects::{Post, PostKind},
    projects::{ProjectEvent, SharedDocument},
};
use serde_json::Value;
use url::Url;

/// The time `text` names, or `now` (the instance's clock) when it names
/// none.
fn ms_of(text: Option<&str>, now: i64) -> i64 {
    text.and_then(|t| chrono::DateTime::parse_from_rfc3339(t).ok())
        .map(|t| t.timestamp_millis())
        .unwrap_or(now)
}

/// Reads a members-only object from its JSON; `author` must be its
/// `attributedTo` and its id, content link and author on one host; `now`
/// dates an object that gives no date.
pub async fn parse_object(
    object: &Value,
    author: &Url,
    project: &ProjectRow,
    now: i64,
) -> Result<ReceivedObject, InboxError> {
    let kind = object
        .get("type")
        .and_then(Value::as_str)
        .unwrap_or_default();
    match kind {
        "Page" | "Note" => parse_post(object, author, project, now).await,
        "Document" => parse_document(object, author, project, now),
        "Event" => parse_event(object, author, project, now).await,
        _ => Err(InboxError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "object_type_unsupported",
        )),
    }
}

fn invalid() -> InboxError {
    InboxError::invalid_object()
}

fn author_mismatch() -> InboxError {
    InboxError::new(StatusCode::FORBIDDEN, "author_mismatch")
}

/// Remote HTML that could not be cleaned: not the sender's fault.
fn unavailable(error: impl std::fmt::Display) -> InboxError {
    tracing::error!(cause = %error, "internal error");
    InboxError::Internal
}

fn same_host(id: &Url, author: &Url) -> bool {
    host_of(id) == host_of(author)
}

/// A thread (`Page`) or a reply (`Note`) of a project.
async fn parse_post(
    object: &Value,
    author: &Url,
    project: &ProjectRow,
    now: i64,
) -> Result<ReceivedObject, InboxError> {
    let post: Post = serde_json::from_value(object.clone()).map_err(|_| invalid())?;
    if post.author() != Some(author) || !same_host(&post.id, author) {
        return Err(author_mismatch());
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
                .map_err(unavailable)?,
            published_at: ms_of(post.published.as_deref(), now),
            local: false,
        },
        mentions: post.mentions(),
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
    now: i64,
) -> Result<ReceivedObject, InboxError> {
    let document: SharedDocument = serde_json::from_value(object.clone()).map_err(|_| invalid())?;
    if &document.attributed_to != author
        || !same_host(&document.id, author)
        || !same_host(&document.url, author)
    {
        return Err(author_mismatch());
    }
    let name = crate::domain::project_content::clean_file_name(&document.name);
    // The type is judged from the name, as for local uploads.
    let media_type = media_type_of(&name).ok_or_else(|| {
        InboxError::new(StatusCode::UNSUPPORTED_MEDIA_TYPE, "document_type_refused")
    })?;
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
            created_at: ms_of(document.published.as_deref(), now),
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
    now: i64,
) -> Result<ReceivedObject, InboxError> {
    let event: ProjectEvent = serde_json::from_value(object.clone()).map_err(|_| invalid())?;
    if &event.attributed_to != author || !same_host(&event.id, author) {
        return Err(author_mismatch());
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
                .map_err(unavailable)?,
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
            created_at: ms_of(event.published.as_deref(), now),
            local: false,
            // Mobilizon's `timezone`; a name the tz data does not know is
            // dropped (the times themselves are absolute).
            time_zone: event
                .timezone
                .as_deref()
                .and_then(crate::dates::parse_zone)
                .map(|zone| zone.name().to_string())
                .unwrap_or_default(),
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

/// The id of a `Create`'s embedded object; 400 `invalid_object` without
/// one.
pub fn embedded_object_id(activity: &Activity) -> Result<(&Value, Url), InboxError> {
    let object = activity.embedded_object().ok_or_else(invalid)?;
    let id = object
        .get("id")
        .and_then(Value::as_str)
        .and_then(|s| Url::parse(s).ok())
        .ok_or_else(invalid)?;
    Ok((object, id))
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
) -> Result<Applied, InboxError> {
    let object_id = inner.object_id().ok_or_else(invalid)?;
    if host_of(&object_id) == data.domain.settings.instance.domain {
        // Written here and relayed back by the project: already stored.
        return Ok(Applied::Ignored);
    }
    let (object, author_url, author) = trusted_object(data, inner, project).await?;
    let parsed = parse_object(&object, &author_url, project, data.domain.clock().now_ms()).await?;
    Ok(data
        .domain
        .receive_project_object(announce_id, project, &author, parsed, &Value::Null)
        .await?)
}

/// The object of an activity `inner` a project announced, as its author's
/// server serves it: taken as delivered when it is the project's own
/// server's, fetched from its origin otherwise; its author must be
/// `inner`'s actor. Returns the object, its author's id and row.
pub async fn trusted_object(
    data: &Data<AppState>,
    inner: &Activity,
    project: &ProjectRow,
) -> Result<(Value, Url, ActorRow), InboxError> {
    let project_url = Url::parse(&project.actor.ap_id).map_err(|_| invalid())?;
    trusted_object_from(data, inner, &project_url).await
}

/// The object of an activity `inner` relayed by the server of `relayer`
/// (a project, a conversation): taken as delivered when its id is on that
/// server, fetched from its origin otherwise (`503 object_unavailable`
/// when it cannot be, so it is delivered again); its author must be
/// `inner`'s actor.
pub async fn trusted_object_from(
    data: &Data<AppState>,
    inner: &Activity,
    project_url: &Url,
) -> Result<(Value, Url, ActorRow), InboxError> {
    let object = inner.embedded_object().cloned();
    let object_id = inner.object_id().ok_or_else(invalid)?;
    let delivered = object.is_some() && same_origin(&object_id, project_url);
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
                    InboxError::new(StatusCode::SERVICE_UNAVAILABLE, "object_unavailable")
                })?
                .object;
            if fetched.get("id").and_then(Value::as_str) != Some(object_id.as_str()) {
                return Err(InboxError::new(
                    StatusCode::BAD_REQUEST,
                    "object_unavailable",
                ));
            }
            fetched
        }
    };
    let author_url = object
        .get("attributedTo")
        .and_then(Value::as_str)
        .and_then(|s| Url::parse(s).ok())
        .ok_or_else(invalid)?;
    if author_url != inner.actor {
        return Err(author_mismatch());
    }
    let provenance = if delivered {
        Provenance::DeliveredBy(project_url)
    } else {
        Provenance::FetchedFrom(&object_id)
    };
    data.domain
        .check_authorship(&author_url, &object_id, provenance)?;
    let id: activitypub_federation::fetch::object_id::ObjectId<DbActor> = author_url.clone().into();
    let author: ActorRow = id
        .dereference(data)
        .await
        .map_err(|_| InboxError::new(StatusCode::BAD_REQUEST, "actor_unavailable"))?
        .row;
    Ok((object, author_url, author))
}
