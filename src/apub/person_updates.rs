//! Sending a local teacher's new `Person` document (`Update`, the whole
//! object, signed by the person) after they change their profile or
//! avatar; the domain picks the instances that know them and queues it.

use super::actors::{local_actor_document, ApubError, DbActor};
use crate::{
    app::AppState,
    domain::{
        outbox::{new_activity_id, to_json},
        rows::ActorId,
    },
};
use preau_federation::{
    activities::{Activity, ActivityKind},
    objects::PUBLIC,
};

/// Queues the `Update` of `person`'s document. The change itself is
/// already saved, so a failure here is logged, never shown to them.
pub async fn federate_person_update(state: &AppState, person: ActorId) {
    match queue(state, person).await {
        Ok(inboxes) => tracing::debug!(inboxes, "person update queued"),
        Err(error) => tracing::warn!(%error, "person update not queued"),
    }
}

async fn queue(state: &AppState, person: ActorId) -> Result<usize, ApubError> {
    let domain = &state.domain;
    let row = domain.actor_by_id(person).await?;
    // Only an active teacher's document is served, and so sent.
    let Some(local) = domain.public_person(&row.name).await? else {
        return Ok(0);
    };
    let mut actor = DbActor::new(local.actor, Some(local.profile))?;
    actor.avatar_version = domain.avatar_version(person).await?;
    let document = local_actor_document(domain, &actor)?;
    let id = new_activity_id(&domain.settings.base_url());
    let object =
        serde_json::to_value(&document).map_err(|error| ApubError::Internal(error.to_string()))?;
    let update = Activity::new(
        ActivityKind::Update,
        url::Url::parse(&id)?,
        document.id.clone(),
        object,
    )
    .to([PUBLIC]);
    let activity = to_json(&update)?;
    Ok(domain.queue_person_update(person, &id, &activity).await?)
}
