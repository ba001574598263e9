//! `Update` of a `Presence` (Préau extension, issue 14): a contact of a
//! local teacher changed status on their instance. Only the person may
//! send their own presence: the activity's actor must be the signer (the
//! inbox checked the key), a person, and the object must be theirs
//! (`attributedTo` them, its id `ACTOR#presence`). The domain keeps it only
//! for a person some local teacher has as a contact, and shows it to those
//! contacts only.

use super::{InboxError, Received};
use crate::{
    app::AppState,
    domain::inbox::{ActorKindRow, ActorRow, Applied},
};
use activitypub_federation::config::Data;
use axum::http::StatusCode;
use preau_federation::{
    activities::{Activity, ActivityKind},
    presence::{Presence, PresenceStatus, PRESENCE_TYPE},
};
use serde_json::Value;

/// Whether `activity` is an `Update` of a presence (its object embedded,
/// of type `Presence`).
pub fn is_presence_update(activity: &Activity) -> bool {
    activity.kind == ActivityKind::Update
        && activity
            .embedded_object()
            .and_then(|object| object.get("type"))
            .and_then(Value::as_str)
            .is_some_and(|kind| kind == PRESENCE_TYPE)
}

/// A presence checked to be the signer's own.
pub struct CheckedPresence<'a> {
    id: &'a str,
    person: ActorRow,
    status: PresenceStatus,
    updated: String,
}

/// The presence, when it is the signer's: 403 `not_own_actor` when it
/// names someone else, 400 `invalid_object` when unreadable; ignored from
/// anything but a person.
pub async fn verify<'a>(r: &Received<'a>) -> Result<Option<CheckedPresence<'a>>, InboxError> {
    let presence: Presence = r
        .activity
        .parse_object()
        .map_err(|_| InboxError::invalid_object())?;
    if r.signer.row.ap_id != r.activity.actor.as_str() || !presence.is_of(&r.activity.actor) {
        return Err(InboxError::new(StatusCode::FORBIDDEN, "not_own_actor"));
    }
    if r.signer.row.kind != ActorKindRow::Person {
        return Ok(None);
    }
    Ok(Some(CheckedPresence {
        id: r.activity.id.as_str(),
        person: r.signer.row.clone(),
        status: presence.presence_status,
        updated: presence.updated,
    }))
}

/// Stores it and shows it to the person's local contacts.
pub async fn receive(data: &Data<AppState>, c: CheckedPresence<'_>) -> Result<Applied, InboxError> {
    Ok(data
        .domain
        .receive_presence(c.id, &c.person, c.status, &c.updated)
        .await?)
}
