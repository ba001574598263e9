//! The outbox: how the domain sends activities.
//!
//! The domain builds each activity with the wire crate's types
//! ([`preau_federation::activities::Activity`]) from its rows
//! ([`forum`] for forums, [`project`] for project spaces), and queues it
//! with [`queue`] in the transaction of the change it announces, so the
//! change and its announcement commit together. After the commit,
//! [`crate::domain::Domain::after_commit`] wakes whatever delivers
//! ([`DeliverySignal`]): the domain knows nothing of the workers, which
//! wait on the signal and read the queue through [`deliveries`].

pub mod deliveries;
pub mod forum;
pub mod project;
#[cfg(test)]
mod round_trip;

use super::{DomainError, DomainResult};
use crate::domain::store::{actors::ActorId, delivery::enqueue, Tx};
pub use preau_federation::activities::Answered;
use preau_federation::{
    activities::{Activity, ActivityKind},
    WithContext,
};
use serde_json::Value;
use std::sync::Arc;
use tokio::sync::Notify;
use url::Url;

/// Tells whoever delivers (the app's delivery workers) that activities
/// were queued, so deliveries start at once instead of at the next poll.
/// The app creates it and hands a clone to the workers.
#[derive(Clone, Default)]
pub struct DeliverySignal(Arc<Notify>);

impl DeliverySignal {
    /// Signals new work.
    pub fn wake(&self) {
        self.0.notify_one();
    }

    /// Waits for the next signal (or a signal given while nobody waited).
    pub async fn notified(&self) {
        self.0.notified().await;
    }
}

/// A fresh activity id on this instance.
pub fn new_activity_id(base: &str) -> String {
    format!("{base}/activities/{}", crate::urls::random_token())
}

/// Parses an id the domain stores; stored ids are absolute URLs, so a
/// failure is an internal error.
pub(crate) fn url(id: &str) -> DomainResult<Url> {
    Url::parse(id).map_err(|error| DomainError::Internal(format!("invalid URL {id:?}: {error}")))
}

/// The JSON of `activity` as sent: with Préau's `@context`.
pub fn to_json(activity: &Activity) -> DomainResult<Value> {
    json_of(&WithContext::preau(activity))
}

/// Any wire value as JSON (an object embedded in an activity).
pub(crate) fn json_of(value: &impl serde::Serialize) -> DomainResult<Value> {
    serde_json::to_value(value).map_err(|error| DomainError::Internal(error.to_string()))
}

/// `Accept` (or `Reject`) by `actor` of an earlier activity, to `to`.
pub fn answer(
    accept: bool,
    id: &str,
    actor: &str,
    answered: &Answered,
    to: &str,
) -> DomainResult<Activity> {
    let kind = if accept {
        ActivityKind::Accept
    } else {
        ActivityKind::Reject
    };
    Ok(Activity::answer(
        kind,
        url(id)?,
        url(actor)?,
        answered,
        &url(to)?,
    ))
}

/// `Update` of `person`'s presence (`status` since `updated`, RFC 3339),
/// addressed to `contacts` only: never public.
pub fn presence_update(
    id: &str,
    person: &str,
    status: preau_federation::presence::PresenceStatus,
    updated: String,
    contacts: &[&str],
) -> DomainResult<Activity> {
    let person = url(person)?;
    let object = json_of(&preau_federation::presence::Presence::new(
        &person, status, updated,
    ))?;
    Ok(Activity::new(ActivityKind::Update, url(id)?, person, object).to(contacts.iter()))
}

/// Queues `activity` (its JSON, `@context` included) for `inboxes`, signed
/// by `signer`, in the change's transaction.
pub(crate) async fn queue(
    tx: &mut Tx,
    id: &str,
    signer: ActorId,
    activity: &Value,
    inboxes: &[String],
) -> DomainResult<()> {
    enqueue(tx, id, signer, &activity.to_string(), inboxes).await?;
    Ok(())
}
