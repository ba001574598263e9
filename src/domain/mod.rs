//! Rules and permissions: who may sign up, log in, edit what.
//!
//! Domain code never sees HTTP and never writes SQL: it takes typed inputs,
//! applies the instance's rules (registration mode, e-mail domain allowlist,
//! account status) and calls the store. Errors carry a stable code that the
//! HTTP edge turns into a status and a translated message.

pub mod account_admin;
pub mod account_queries;
pub mod accounts;
pub mod actors;
pub mod avatars;
pub mod cache;
pub mod clock;
pub mod contact_categories;
pub mod contacts;
pub mod conversation_received;
pub mod conversation_relay;
pub mod conversations;
pub mod database;
pub mod direct_messages;
pub mod directory;
pub mod errors;
pub mod federation_reads;
pub mod forum_banning;
pub mod forum_bans;
pub mod forum_changes;
pub mod forum_queries;
pub mod forum_search;
pub mod forums;
pub mod gazetteer;
pub mod home;
pub mod inbox;
pub mod instance_checks;
pub mod keys;
pub mod live;
pub mod lookups;
pub mod mail_lists;
mod mail_queue;
pub mod mail_replies;
pub mod mentions;
pub mod messaging_access;
pub mod notification_links;
pub mod notification_mail;
pub mod notification_settings;
pub mod notifications;
pub mod notify_events;
pub mod outbox;
pub mod passwords;
pub mod person_blocks;
pub mod person_updates;
pub mod places;
pub mod presence;
pub mod profile;
pub mod project_backfill;
pub mod project_content;
pub mod project_content_queries;
pub mod project_documents;
pub mod project_edits;
pub mod project_events;
pub mod project_host;
pub mod project_membership;
pub mod project_mirror;
pub mod project_queries;
pub mod project_reads;
pub mod project_search;
pub mod projects;
pub mod provenance;
pub mod reference_lists;
pub mod refusals;
pub mod remote_people;
pub mod rendering;
pub mod reply_address;
pub mod report_handling;
pub mod rows;
pub mod search_words;
// All SQL. Private to the domain: pages, the API, the ActivityPub handlers
// and the jobs reach data only through `Domain` methods. Tests and
// benchmarks that set up or inspect a database build with `test-support`.
#[cfg(feature = "test-support")]
pub mod store;
#[cfg(not(feature = "test-support"))]
mod store;
pub mod thread_pages;
pub mod trust;
pub mod trust_admin;
pub mod trust_labels;
pub mod upkeep;
pub mod validate;

use crate::{config::Settings, domain::store::Store, mail::Mailer};
pub use errors::Refusal;
use std::sync::Arc;

/// A rule was broken, or something below failed.
#[derive(Debug, thiserror::Error)]
pub enum DomainError {
    /// A rule refused the request; the edge gives it a status and a
    /// stable, documented code.
    #[error("{0}")]
    Refused(Refusal),
    /// The database failed.
    #[error(transparent)]
    Store(#[from] crate::domain::store::StoreError),
    /// A message could not be sent.
    #[error("mail: {0}")]
    Mail(String),
    /// Anything else that is not the client's fault.
    #[error("internal: {0}")]
    Internal(String),
}

impl Domain {
    /// The lists of academies and subjects: shipped, then the
    /// configuration's additions.
    pub fn reference_lists(&self) -> reference_lists::ReferenceLists {
        reference_lists::ReferenceLists::new(&self.settings.lists)
    }

    /// The database, for tests and benchmarks that set up or inspect it
    /// directly (feature `test-support`; the server is built without it).
    #[cfg(feature = "test-support")]
    pub fn store(&self) -> &Store {
        &self.store
    }
}

impl DomainError {
    /// The stable code, or `internal_error`.
    pub fn code(&self) -> &'static str {
        match self {
            DomainError::Refused(refusal) => refusal.code(),
            DomainError::Mail(_) => "mail_unavailable",
            _ => "internal_error",
        }
    }

    /// The HTTP status the edge answers with (its table is
    /// `crate::error::status_of`): 503 when mail failed, 500 for other
    /// failures below the rules.
    pub fn status(&self) -> u16 {
        match self {
            DomainError::Refused(refusal) => crate::error::status_of(refusal).as_u16(),
            DomainError::Mail(_) => 503,
            _ => 500,
        }
    }
}

/// Result of domain operations.
pub type DomainResult<T> = Result<T, DomainError>;

/// Everything the rules need: settings, the store and the mailer of one
/// instance. Cheap to clone.
#[derive(Clone)]
pub struct Domain {
    /// The instance's settings.
    pub settings: Arc<Settings>,
    /// Its database, reached only by the domain.
    store: Store,
    /// Its outgoing mail.
    pub mailer: Mailer,
    /// Signalled after a commit that queued activities; whoever delivers
    /// (the app's delivery workers) waits on it.
    pub delivery_waker: outbox::DeliverySignal,
    /// Thread pages as read from the store, by (requested post, page).
    pub thread_pages: Arc<thread_pages::ThreadPages>,
    /// Trust evidence of remote instances, as last read.
    pub trust_book: Arc<std::sync::Mutex<Option<Arc<trust::TrustBook>>>>,
    /// The attestations this instance serves (`trust.attestations`).
    pub own_attestations: Arc<Vec<serde_json::Value>>,
    /// Where every password hash and check runs, bounded
    /// (`accounts.hashing_concurrency`, `accounts.hashing_queue`).
    pub passwords: Arc<passwords::PasswordPool>,
    /// When this process last recorded each teacher's activity (presence:
    /// at most one write a minute per teacher).
    pub presence_seen:
        Arc<std::sync::Mutex<std::collections::HashMap<store::actors::ActorId, i64>>>,
}
