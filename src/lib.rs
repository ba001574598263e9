//! Préau: a federated exchange network for teachers.
//!
//! Module map (data flows top to bottom):
//! - [`config`]: typed settings, file + environment, unknown keys refused.
//! - [`app`]: state, router, `run`/`spawn` of one instance.
//! - [`web`]: HTML pages, sessions, CSRF, templates.
//! - [`api`]: the JSON API under `/api/v1`.
//! - [`apub`]: ActivityPub actors, WebFinger, NodeInfo.
//! - [`extract`]: path and query extractors; U+0000 refused at the edge.
//! - [`domain`]: rules and permissions; no HTTP, no SQL.
//! - `domain::store`: all SQL, SQLite and PostgreSQL, private to the domain.
//! - [`dates`]: dates and time zones as people write them.
//! - [`time_zone_names`]: time zones as people name them, and the list to choose from.
//! - [`mail`], [`i18n`], [`jobs`], [`urls`]: mail, catalogs, background
//!   work, URL shapes.
//! - [`cli`]: the admin commands behind `preau admin …`, and [`demo`].
//! - [`trust_cli`]: the authority commands behind `preau trust …`.

pub mod api;
pub mod app;
pub mod apub;
pub mod cli;
pub mod config;
pub mod dates;
pub mod demo;
pub mod domain;
pub mod error;
pub mod extract;
pub mod i18n;
pub mod jobs;
pub mod mail;
pub mod mail_receiver;
pub mod time_zone_names;
pub mod trust_cli;
pub mod urls;
pub mod web;

/// Installs the process-wide rustls crypto provider (ring) used by the
/// HTTP client and SMTP. Call once at start-up, before building anything;
/// calling again is harmless.
pub fn install_crypto_provider() {
    let _ = rustls::crypto::ring::default_provider().install_default();
}
