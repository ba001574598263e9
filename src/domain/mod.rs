//! Rules and permissions: who may sign up, log in, edit what.
//!
//! Domain code never sees HTTP and never writes SQL: it takes typed inputs,
//! applies the instance's rules (registration mode, e-mail domain allowlist,
//! account status) and calls the store. Errors carry a stable code that the
//! HTTP edge turns into a status and a translated message.

pub mod account_queries;
pub mod accounts;
pub mod cache;
pub mod contacts;
pub mod database;
pub mod directory;
pub mod forum_bans;
pub mod forum_queries;
pub mod forums;
pub mod gazetteer;
pub mod inbox;
pub mod keys;
pub mod lookups;
pub mod passwords;
pub mod places;
pub mod profile;
pub mod project_content;
pub mod project_content_queries;
pub mod project_host;
pub mod project_queries;
pub mod projects;
pub mod provenance;
pub mod refusals;
pub mod rendering;
pub mod rows;
pub mod trust;
pub mod trust_admin;
pub mod validate;

use crate::{config::Settings, mail::Mailer, store::Store};
use std::sync::Arc;

/// A rule was broken, or something below failed.
#[derive(Debug, thiserror::Error)]
pub enum DomainError {
    /// A rule refused the request; `code` is stable and documented.
    #[error("{code}")]
    Rule {
        /// HTTP status to use at the edge.
        status: u16,
        /// Stable snake_case code.
        code: &'static str,
        /// Which field or value, in English, when useful.
        detail: Option<String>,
    },
    /// The database failed.
    #[error(transparent)]
    Store(#[from] crate::store::StoreError),
    /// A message could not be sent.
    #[error("mail: {0}")]
    Mail(String),
    /// Anything else that is not the client's fault.
    #[error("internal: {0}")]
    Internal(String),
}

impl DomainError {
    /// A refusal with a status and code.
    pub fn rule(status: u16, code: &'static str) -> Self {
        DomainError::Rule {
            status,
            code,
            detail: None,
        }
    }

    /// A 422 for a field that failed validation.
    pub fn invalid(code: &'static str, field: &str) -> Self {
        DomainError::Rule {
            status: 422,
            code,
            detail: Some(field.to_string()),
        }
    }

    /// The stable code, or `internal_error`.
    pub fn code(&self) -> &'static str {
        match self {
            DomainError::Rule { code, .. } => code,
            DomainError::Mail(_) => "mail_unavailable",
            _ => "internal_error",
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
    /// Its database.
    pub store: Store,
    /// Its outgoing mail.
    pub mailer: Mailer,
    /// Wakes the delivery workers when activities are queued.
    pub delivery_waker: crate::jobs::delivery::DeliveryWaker,
    /// Thread pages as read from the store, by (requested post, page).
    pub thread_pages: Arc<cache::VersionedCache<(i64, i64), forums::ThreadPage>>,
    /// Trust evidence of remote instances, as last read.
    pub trust_book: Arc<std::sync::Mutex<Option<Arc<trust::TrustBook>>>>,
    /// The attestations this instance serves (`trust.attestations`).
    pub own_attestations: Arc<Vec<serde_json::Value>>,
    /// Where every password hash and check runs, bounded
    /// (`accounts.hashing_concurrency`, `accounts.hashing_queue`).
    pub passwords: Arc<passwords::PasswordPool>,
}
