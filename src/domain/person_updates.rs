//! A local teacher's profile changed (name, biography, teaching, avatar):
//! the `Update` of their `Person` document goes to every instance that
//! knows them (see [`crate::domain::store::person_audience`]), one
//! delivery per instance, queued in the transaction of the change. The
//! document is the one served at the person's id, so the ActivityPub
//! layer builds it ([`PersonDocuments`]).

use super::{outbox, Domain, DomainResult};
use crate::domain::store::{actors::ActorRow, profiles::ProfileRow, Tx};
use serde_json::Value;

/// Builds the `Update` of a local teacher's `Person` document (the
/// ActivityPub layer does; the domain only queues it).
pub trait PersonDocuments: Send + Sync {
    /// The id and JSON of the `Update` of `person`'s document as it is once
    /// the change is saved: `person` and `profile` as saved, with the
    /// avatar of version `avatar_version`.
    fn update_of(
        &self,
        domain: &Domain,
        person: &ActorRow,
        profile: &ProfileRow,
        avatar_version: Option<&str>,
    ) -> DomainResult<(String, Value)>;
}

/// Who to tell of a change, read before its transaction.
pub(crate) struct PersonAudience(Vec<String>);

impl Domain {
    /// The inboxes (one per instance) that learn of `person`'s changes.
    pub(crate) async fn person_audience(&self, person: &ActorRow) -> DomainResult<PersonAudience> {
        Ok(PersonAudience(
            self.store.person_audience_inboxes(person.id).await?,
        ))
    }

    /// Queues in `tx` the `Update` of `person` (as saved in `tx`) for
    /// `audience`; nothing when nobody elsewhere knows them.
    pub(crate) async fn queue_person_update(
        &self,
        tx: &mut Tx,
        documents: &dyn PersonDocuments,
        audience: &PersonAudience,
        (person, profile, avatar_version): (&ActorRow, &ProfileRow, Option<&str>),
    ) -> DomainResult<()> {
        if audience.0.is_empty() {
            return Ok(());
        }
        let (id, activity) = documents.update_of(self, person, profile, avatar_version)?;
        outbox::queue(tx, &id, person.id, &activity, &audience.0).await
    }
}
