//! The `Update` of a local teacher's new `Person` document (the whole
//! object, signed by the person), built for the domain, which queues it in
//! the transaction of the profile or avatar change.

use super::actors::{local_actor_document, DbActor};
use crate::domain::{
    outbox::{new_activity_id, to_json},
    person_updates::PersonDocuments,
    rows::{ActorRow, ProfileRow},
    Domain, DomainError, DomainResult,
};
use preau_federation::{
    activities::{Activity, ActivityKind},
    objects::PUBLIC,
};
use serde_json::Value;

/// Builds `Update(Person)` with the document served at the person's id.
pub struct PersonUpdates;

impl PersonDocuments for PersonUpdates {
    fn update_of(
        &self,
        domain: &Domain,
        person: &ActorRow,
        profile: &ProfileRow,
        avatar_version: Option<&str>,
    ) -> DomainResult<(String, Value)> {
        let internal = |error: String| DomainError::Internal(error);
        let mut actor = DbActor::new(person.clone(), Some(profile.clone()))
            .map_err(|error| internal(error.to_string()))?;
        actor.avatar_version = avatar_version.map(str::to_string);
        let document =
            local_actor_document(domain, &actor).map_err(|error| internal(error.to_string()))?;
        let id = new_activity_id(&domain.settings.base_url());
        let object =
            serde_json::to_value(&document).map_err(|error| internal(error.to_string()))?;
        let id_url = url::Url::parse(&id).map_err(|error| internal(error.to_string()))?;
        let update =
            Activity::new(ActivityKind::Update, id_url, document.id.clone(), object).to([PUBLIC]);
        Ok((id, to_json(&update)?))
    }
}
