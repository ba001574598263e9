//! `Update` and `Delete` of a members-only project object (a post, an
//! event, a document): sent by a member's instance to the project's host,
//! which announces them to every member's instance.
//!
//! On the host, the signer must be a member, and an `Update` must carry an
//! object its actor wrote, from the actor's own server; the domain then
//! checks the stored item is theirs (a `Delete` may also come from a
//! moderator of the project). On a member's instance, only the host's
//! `Announce` is taken: an updated object not from the host's own server
//! is read again from its origin, so no instance can change another's
//! teachers' words.

use super::{InboxError, Received};
use crate::{
    app::AppState,
    apub::{
        actors::{host_of, DbActor},
        project_received::{embedded_object_id, parse_object, trusted_object},
    },
    domain::{
        inbox::{Applied, ProjectRow},
        project_edits::ReceivedChange,
        provenance::Provenance,
    },
};
use activitypub_federation::{config::Data, fetch::object_id::ObjectId};
use axum::http::StatusCode;
use preau_federation::{
    activities::{Activity, ActivityKind},
    projects::SharedDocument,
};
use serde_json::Value;

/// The object types a project change is about.
const CONTENT_TYPES: [&str; 4] = ["Page", "Note", "Event", "Document"];

/// Whether `activity` changes a members-only object: an `Update` carrying
/// a post, event or document, or a `Delete`.
pub fn is_content_change(activity: &Activity) -> bool {
    match activity.kind {
        ActivityKind::Delete => true,
        ActivityKind::Update => activity
            .embedded_object()
            .and_then(|o| o.get("type"))
            .and_then(Value::as_str)
            .is_some_and(|kind| CONTENT_TYPES.contains(&kind)),
        _ => false,
    }
}

/// When an object was changed: its `updated`, or `now`.
fn updated_at(object: &Value, now: i64) -> i64 {
    object
        .get("updated")
        .and_then(Value::as_str)
        .and_then(|t| chrono::DateTime::parse_from_rfc3339(t).ok())
        .map(|t| t.timestamp_millis())
        .unwrap_or(now)
}

/// A change checked on the project's host.
pub struct CheckedChange<'a> {
    received: &'a Received<'a>,
    project: ProjectRow,
    change: ReceivedChange,
}

/// The routing found the project, hosted here. Its signer must be a
/// member (403 `not_project_member`); an updated object must be the
/// signer's, from its own server (403 `author_mismatch`).
pub async fn verify_host<'a>(
    data: &Data<AppState>,
    r: &'a Received<'a>,
    project: ProjectRow,
) -> Result<Option<CheckedChange<'a>>, InboxError> {
    data.domain
        .require_project_member_actor(&project, r.signer.row.id)
        .await?;
    let change = read_change(data, r.activity, &project, None).await?;
    Ok(Some(CheckedChange {
        received: r,
        project,
        change,
    }))
}

/// Reads the change: the object, checked against its actor, or the id
/// deleted. `trusted` is an object already read from its origin.
async fn read_change(
    data: &Data<AppState>,
    activity: &Activity,
    project: &ProjectRow,
    trusted: Option<Value>,
) -> Result<ReceivedChange, InboxError> {
    let now = data.domain.clock().now_ms();
    if activity.kind == ActivityKind::Delete {
        let id = activity
            .object_id()
            .ok_or_else(InboxError::invalid_object)?;
        return Ok(ReceivedChange::Delete(id.to_string()));
    }
    let object = match trusted {
        Some(object) => object,
        None => {
            let (object, object_id) = embedded_object_id(activity)?;
            data.domain.check_authorship(
                &activity.actor,
                &object_id,
                Provenance::DeliveredBy(&activity.actor),
            )?;
            object.clone()
        }
    };
    if object.get("type").and_then(Value::as_str) == Some("Document") {
        // A document's name changed: its type was judged from its file
        // when shared, the new name need not end like a file.
        return rename_of(&object, &activity.actor, updated_at(&object, now));
    }
    let parsed = parse_object(&object, &activity.actor, project, now).await?;
    Ok(ReceivedChange::Update(
        Box::new(parsed),
        updated_at(&object, now),
    ))
}

/// A document's new name, from its actor's own server.
fn rename_of(object: &Value, actor: &url::Url, at: i64) -> Result<ReceivedChange, InboxError> {
    let document: SharedDocument =
        serde_json::from_value(object.clone()).map_err(|_| InboxError::invalid_object())?;
    if &document.attributed_to != actor || host_of(&document.id) != host_of(actor) {
        return Err(InboxError::new(StatusCode::FORBIDDEN, "author_mismatch"));
    }
    let name: String = crate::domain::validate::single_line(&document.name)
        .chars()
        .take(200)
        .collect();
    if name.is_empty() {
        return Err(InboxError::invalid_object());
    }
    Ok(ReceivedChange::Rename(document.id.to_string(), name, at))
}

/// Applies the change and has the project announce it.
pub async fn receive_host(
    data: &Data<AppState>,
    c: CheckedChange<'_>,
) -> Result<Applied, InboxError> {
    let r = c.received;
    Ok(data
        .domain
        .receive_project_change(
            r.activity.id.as_str(),
            &c.project,
            &r.signer.row,
            c.change,
            r.raw,
        )
        .await?)
}

/// On a member's instance: a change the project announced. An update of
/// an object written here is already applied; any other is read as
/// [`trusted_object`] does. A deletion is the host's word (it may remove
/// anything from its project), by the actor it names.
pub async fn mirror_receive(
    data: &Data<AppState>,
    announce_id: &str,
    inner: &Activity,
    project: &ProjectRow,
) -> Result<Applied, InboxError> {
    let object_id = inner.object_id().ok_or_else(InboxError::invalid_object)?;
    let (change, actor) = if inner.kind == ActivityKind::Delete {
        let id: ObjectId<DbActor> = inner.actor.clone().into();
        let actor = id
            .dereference(data)
            .await
            .map_err(|_| InboxError::new(StatusCode::BAD_REQUEST, "actor_unavailable"))?
            .row;
        (read_change(data, inner, project, None).await?, actor)
    } else {
        if super::is_local(data, &object_id) {
            return Ok(Applied::Ignored);
        }
        let (object, _, author) = trusted_object(data, inner, project).await?;
        (
            read_change(data, inner, project, Some(object)).await?,
            author,
        )
    };
    Ok(data
        .domain
        .receive_project_change(announce_id, project, &actor, change, &Value::Null)
        .await?)
}
