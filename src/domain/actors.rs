//! Actors as the federation side needs them: remote actors recorded from
//! their fetched documents (the row, then what the document says about a
//! person, a forum or a project space), lookups by URL or local name, and
//! the instance actor that signs fetches.
//!
//! The wire `Actor` is turned into these inputs by `apub::actors::DbActor`;
//! nothing here knows the wire format.

use super::{Domain, DomainError, DomainResult};
pub use crate::domain::store::{
    accounts::AccountStatus,
    actors::{ActorId, ActorKindRow, ActorRow, NewActor},
    profiles::{ProfileRow, ProfileUpdate},
    projects::ProjectFields,
};
use crate::urls;
use preau_federation::TrustLevel;

/// The instance actor's name; reserved for no one else.
pub const INSTANCE_ACTOR_NAME: &str = "instance";

/// What a remote forum's `Group` says about it, cleaned.
#[derive(Debug, Clone)]
pub struct RemoteForum {
    /// Its title, at most 120 characters.
    pub title: String,
    /// Its description, sanitised.
    pub summary_html: String,
    /// Its moderators collection (`attributedTo`).
    pub moderators: Option<String>,
    /// Its featured collection.
    pub featured: Option<String>,
    /// Who may post there, as the forum says (a notice only).
    pub min_post_level: TrustLevel,
}

/// What a remote actor's document says beyond its row, by kind.
#[derive(Debug, Clone)]
pub enum RemoteActorDetails {
    /// A person: the e-mail domain its instance vouches for (normalised)
    /// and its profile fields.
    Person {
        /// The declared e-mail domain, when valid.
        email_domain: Option<String>,
        /// Display name, biography and profile fields, clipped.
        profile: ProfileUpdate,
    },
    /// A project space hosted elsewhere.
    Project(ProjectFields),
    /// A forum hosted elsewhere.
    Forum(RemoteForum),
    /// Anything else (an instance actor, a service).
    Other,
}

impl Domain {
    /// An actor known here, by its ActivityPub id.
    pub async fn actor_by_url(&self, ap_id: &str) -> DomainResult<Option<ActorRow>> {
        Ok(self.store.actor_by_ap_id(ap_id).await?)
    }

    /// The row id of an actor known here, by its ActivityPub id.
    pub async fn actor_id_by_url(&self, ap_id: &str) -> DomainResult<Option<ActorId>> {
        Ok(self
            .store
            .actor_by_ap_id(ap_id)
            .await?
            .map(|actor| actor.id))
    }

    /// An actor known here, by its row id.
    pub async fn actor_by_row_id(&self, id: ActorId) -> DomainResult<Option<ActorRow>> {
        Ok(self.store.actor_by_id(id).await?)
    }

    /// Records (or updates) a remote actor's row and notes its instance
    /// at `origin`. Returns the row id and whether the instance is new
    /// here (its declaration and attestations are then to be checked).
    pub async fn record_remote_actor(
        &self,
        actor: &NewActor,
        origin: &str,
    ) -> DomainResult<(ActorId, bool)> {
        let id = self.store.upsert_remote_actor(actor).await?;
        let new_instance = self.store.note_instance(&actor.domain, origin).await?;
        Ok((id, new_instance))
    }

    /// Records what a remote actor's document says beyond its row, then
    /// reads the actor and its profile back (`None` if it vanished).
    pub async fn record_remote_actor_details(
        &self,
        id: ActorId,
        details: &RemoteActorDetails,
    ) -> DomainResult<Option<(ActorRow, Option<ProfileRow>)>> {
        match details {
            RemoteActorDetails::Person {
                email_domain,
                profile,
            } => {
                self.store
                    .set_actor_email_domain(id, email_domain.as_deref())
                    .await?;
                self.store.save_profile(id, profile).await?;
            }
            RemoteActorDetails::Project(fields) => {
                self.store.upsert_remote_project(id, fields).await?;
            }
            RemoteActorDetails::Forum(forum) => self.record_remote_forum(id, forum).await?,
            RemoteActorDetails::Other => {}
        }
        let Some(row) = self.store.actor_by_id(id).await? else {
            return Ok(None);
        };
        let profile = self.store.profile(id).await?;
        Ok(Some((row, profile)))
    }

    /// Keeps a remote forum's title, description, collections and the
    /// level it asks of posters.
    async fn record_remote_forum(&self, id: ActorId, forum: &RemoteForum) -> DomainResult<()> {
        let moderators = forum.moderators.as_deref();
        let featured = forum.featured.as_deref();
        if self.store.forum(id).await?.is_some() {
            self.store
                .update_remote_forum(id, &forum.title, &forum.summary_html, moderators, featured)
                .await?;
        } else {
            self.store
                .record_remote_forum(id, &forum.title, &forum.summary_html, moderators, featured)
                .await?;
        }
        Ok(self
            .store
            .set_forum_min_post_level(id, forum.min_post_level)
            .await?)
    }

    /// The instance actor, once created.
    pub async fn instance_actor(&self) -> DomainResult<Option<ActorRow>> {
        Ok(self.store.instance_actor().await?)
    }

    /// Creates the instance actor with its key pair on first start; safe
    /// when several processes start at once on one database.
    pub async fn ensure_instance_actor(&self) -> DomainResult<ActorRow> {
        if let Some(row) = self.store.instance_actor().await? {
            // The configured name may have changed since the first start.
            if row.display_name != self.settings.instance.name {
                self.store
                    .update_actor_presentation(
                        row.id,
                        &self.settings.instance.name,
                        &row.summary_html,
                    )
                    .await?;
                return self
                    .store
                    .instance_actor()
                    .await?
                    .ok_or_else(|| DomainError::Internal("instance actor missing".into()));
            }
            return Ok(row);
        }
        let (public_key_pem, private_key_pem) = super::keys::generate_key_pair().await?;
        let base = self.settings.base_url();
        // Another process starting on the same database may have created
        // it meanwhile: then its actor is kept and this key pair is dropped.
        Ok(self
            .store
            .insert_instance_actor(&NewActor {
                kind: ActorKindRow::Application,
                name: INSTANCE_ACTOR_NAME.to_string(),
                domain: String::new(),
                ap_id: urls::instance_actor(&base),
                inbox: urls::shared_inbox(&base),
                shared_inbox: Some(urls::shared_inbox(&base)),
                display_name: self.settings.instance.name.clone(),
                summary_html: String::new(),
                public_key_pem,
                private_key_pem: Some(private_key_pem),
                declared_trust: None,
            })
            .await?)
    }

    /// The local actor a WebFinger query names, when it is discoverable:
    /// a person only while their account is active.
    pub async fn discoverable_local_actor(&self, name: &str) -> DomainResult<Option<ActorRow>> {
        let Some(actor) = self.store.local_actor_by_name(name).await? else {
            return Ok(None);
        };
        if actor.kind == ActorKindRow::Person {
            match self.store.account_by_username(name).await? {
                Some(account) if account.status == AccountStatus::Active => {}
                _ => return Ok(None),
            }
        }
        Ok(Some(actor))
    }
}
