//! A local teacher's profile changed (name, biography, teaching, avatar):
//! the `Update` of their `Person` document goes to every instance that
//! knows them (see [`crate::domain::store::person_audience`]), one
//! delivery per instance, through the outbox. The edge builds the
//! document (it is the same one served at the person's id).

use super::{outbox, Domain, DomainResult};
use crate::domain::store::actors::ActorId;
use serde_json::Value;

impl Domain {
    /// Queues `activity`, signed by `person`, for the instances that know
    /// `person`; how many inboxes it goes to.
    pub async fn queue_person_update(
        &self,
        person: ActorId,
        activity_id: &str,
        activity: &Value,
    ) -> DomainResult<usize> {
        let inboxes = self.store.person_audience_inboxes(person).await?;
        if inboxes.is_empty() {
            return Ok(0);
        }
        let mut tx = self.store.begin().await?;
        outbox::queue(&mut tx, activity_id, person, activity, &inboxes).await?;
        crate::domain::store::commit(tx).await?;
        self.after_commit();
        Ok(inboxes.len())
    }
}
