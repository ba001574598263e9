//! Typed settings of one instance.
//!
//! Settings come from, in order: built-in defaults, an optional TOML file
//! (`--config FILE` or `PREAU_CONFIG`), then environment variables named
//! `PREAU_<SECTION>_<KEY>`. Unknown keys are refused, in the file and in the
//! environment alike, so a typo never silently falls back to a default.
//! Every key is documented in `instance-config/preau.example.toml`.

use preau_federation::TrustLevel;
use serde::Deserialize;
use std::{
    net::SocketAddr,
    path::{Path, PathBuf},
};

mod delivery;
mod lists;
mod messaging;
mod projects;
mod trust;

pub use delivery::DeliverySettings;
pub use lists::{AcademyEntry, ListSettings};
pub use messaging::{MessagingAudience, MessagingSettings};
pub use projects::ProjectSettings;
pub use trust::{AuthoritySettings, TrustSettings};

/// The sections of the configuration, which are also the first word of
/// each environment variable after `PREAU_`.
pub const SECTIONS: [&str; 13] = [
    "server",
    "instance",
    "database",
    "federation",
    "mail",
    "limits",
    "delivery",
    "forums",
    "trust",
    "projects",
    "accounts",
    "lists",
    "messaging",
];

/// All settings of one instance.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Settings {
    /// Where the server listens and keeps its files.
    pub server: ServerSettings,
    /// What the instance is: name, domain, trust level, registration rules.
    pub instance: InstanceSettings,
    /// Which database to use.
    pub database: DatabaseSettings,
    /// Federation with other servers.
    pub federation: FederationSettings,
    /// Outgoing e-mail.
    pub mail: MailSettings,
    /// Rate limits.
    pub limits: LimitSettings,
    /// Delivery of outgoing activities.
    pub delivery: DeliverySettings,
    /// Forums.
    pub forums: ForumSettings,
    /// Trust labels: attestations served, authorities believed, domain
    /// rules and ceilings (docs/trust.md).
    pub trust: TrustSettings,
    /// Project spaces: shared documents.
    pub projects: ProjectSettings,
    /// Accounts: password hashing.
    pub accounts: AccountSettings,
    /// Local additions to the shipped lists of academies and subjects.
    pub lists: ListSettings,
    /// Messages: on or off, and for whom.
    pub messaging: MessagingSettings,
}

/// `[accounts]`
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct AccountSettings {
    /// Password hashes and checks (argon2id, 19 MiB each) run at once;
    /// 0 means the number of CPU cores. Bounds their memory at this many
    /// times 19 MiB.
    pub hashing_concurrency: u32,
    /// Log-ins, sign-ups and resets that may wait for a hashing slot;
    /// beyond, they are answered 503 `busy_try_later` with `Retry-After`.
    pub hashing_queue: u32,
    /// A teacher with no request and no open event stream for this many
    /// minutes is shown "Absent" to their contacts until they come back;
    /// 0 turns it off.
    pub presence_idle_minutes: u32,
}

impl Default for AccountSettings {
    fn default() -> Self {
        AccountSettings {
            hashing_concurrency: 0,
            hashing_queue: 32,
            presence_idle_minutes: 15,
        }
    }
}

impl AccountSettings {
    /// `hashing_concurrency`, with 0 read as the number of CPU cores.
    pub fn effective_hashing_concurrency(&self) -> usize {
        match self.hashing_concurrency {
            0 => std::thread::available_parallelism().map_or(1, std::num::NonZeroUsize::get),
            n => n as usize,
        }
    }
}

/// `[forums]`
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ForumSettings {
    /// Whether members (not only admins) may create forums.
    pub members_can_create: bool,
}

/// `[server]`
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ServerSettings {
    /// Address and port to listen on.
    pub listen: SocketAddr,
    /// Directory for the SQLite database, the mail outbox and uploads.
    pub data_dir: PathBuf,
}

/// How people get an account.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Registrations {
    /// Anyone who verifies their e-mail address.
    Open,
    /// Like open, then an admin approves each account.
    Approval,
    /// Only admins create accounts (`preau admin create-user`).
    Closed,
}

/// `[instance]`
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct InstanceSettings {
    /// Public host name (with `:port` when not 80/443); part of every id.
    pub domain: String,
    /// `https` in production; `http` is allowed for loopback domains.
    /// Empty means: `http` for localhost and 127.0.0.1, `https` otherwise.
    pub scheme: String,
    /// The instance's name as shown to people and peers.
    pub name: String,
    /// A short description shown on the home page.
    pub description: String,
    /// The trust level this instance declares.
    pub trust_level: TrustLevel,
    /// The organisation running the instance (association, academy…).
    pub organisation: String,
    /// Who may sign up.
    pub registrations: Registrations,
    /// When not empty, only addresses in these domains (or their
    /// subdomains) may get an account; required on institutional instances.
    pub allowed_email_domains: Vec<String>,
    /// The charter every new member accepts, in French; empty for the
    /// built-in text.
    pub charter_fr: String,
    /// The charter in English; empty for the built-in text.
    pub charter_en: String,
    /// Language used when the browser expresses no preference: `fr` or `en`.
    pub default_language: String,
    /// The IANA time zone dates are shown in to visitors and to teachers
    /// who have not chosen one (`Europe/Paris`, `America/Martinique`…).
    pub default_time_zone: String,
}

/// The page cache of each pooled SQLite connection, KiB, unless
/// `[database] sqlite_cache_kib` says otherwise: a quarter of SQLite's own
/// default (2,000 KiB), so that 8 connections keep at most 4 MiB of pages
/// (docs/performance.md, "Idle teachers in conversations").
pub const DEFAULT_SQLITE_CACHE_KIB: u32 = 512;

/// `[database]`
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct DatabaseSettings {
    /// `sqlite://PATH` or `postgres://…`; empty means
    /// `sqlite://DATA_DIR/preau.db`.
    pub url: String,
    /// Size of the connection pool; 0 (the default) sizes it from the
    /// engine and the cores ([`Settings::pool_size`]).
    pub max_connections: u32,
    /// SQLite only: the page cache of each pooled connection, KiB (at
    /// least 1). Unused on PostgreSQL.
    pub sqlite_cache_kib: u32,
}

/// `[federation]`
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct FederationSettings {
    /// Allow plain-http peers on loopback addresses (tests, the demo).
    /// Otherwise private and loopback addresses are refused for every
    /// outgoing fetch and delivery.
    pub allow_loopback: bool,
    /// `open` (everyone), `blocklist` (everyone but `blocked`) or
    /// `allowlist` (only `allowed`: limited federation; fetches of this
    /// instance's objects must then be signed by an allowed instance).
    pub mode: FederationMode,
    /// Domain patterns refused in `blocklist` mode (`example.org`,
    /// `*.example.org`, `host:port`).
    pub blocked: Vec<String>,
    /// Domain patterns accepted in `allowlist` mode.
    pub allowed: Vec<String>,
    /// The lowest effective trust level an instance needs to federate
    /// with this one, in every mode.
    pub min_level: TrustLevel,
}

/// Who an instance federates with.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum FederationMode {
    /// Everyone.
    #[default]
    Open,
    /// Everyone except the `blocked` domains.
    Blocklist,
    /// Only the `allowed` domains.
    Allowlist,
}

/// `[mail]`
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct MailSettings {
    /// `smtp://host:port`, `smtps://user:pass@host` or
    /// `smtp://host:587?tls=required`; empty writes mail to
    /// `DATA_DIR/outbox/` instead.
    pub smtp_url: String,
    /// The sender; empty means `Préau <noreply@DOMAIN-HOST>`.
    pub from: String,
    /// Most notification mails sent at once to one teacher in an hour;
    /// beyond, notifications wait for the next digest.
    pub notifications_per_hour: u32,
    /// The domain of reply addresses (`reply+…@DOMAIN`), whose mail must
    /// reach this instance's mail receiver; empty means the instance's
    /// host name.
    pub reply_domain: String,
    /// Where the SMTP listener of replies by e-mail listens
    /// (`127.0.0.1:2525`); empty (the default) starts none.
    pub receive_listen: String,
}

impl Default for MailSettings {
    fn default() -> Self {
        MailSettings {
            smtp_url: String::new(),
            from: String::new(),
            notifications_per_hour: 10,
            reply_domain: String::new(),
            receive_listen: String::new(),
        }
    }
}

/// `[limits]`
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct LimitSettings {
    /// Log-in attempts per client address per minute.
    pub login_per_minute: u32,
    /// Sign-ups per client address per hour.
    pub signup_per_hour: u32,
}

impl Default for ServerSettings {
    fn default() -> Self {
        ServerSettings {
            listen: SocketAddr::from(([127, 0, 0, 1], 8080)),
            data_dir: PathBuf::from("preau-data"),
        }
    }
}

impl Default for InstanceSettings {
    fn default() -> Self {
        InstanceSettings {
            domain: "localhost:8080".to_string(),
            scheme: String::new(),
            name: "Préau".to_string(),
            description: String::new(),
            trust_level: TrustLevel::Informal,
            organisation: String::new(),
            registrations: Registrations::Open,
            allowed_email_domains: Vec::new(),
            charter_fr: String::new(),
            charter_en: String::new(),
            default_language: "fr".to_string(),
            default_time_zone: "Europe/Paris".to_string(),
        }
    }
}

impl InstanceSettings {
    /// [`Self::default_time_zone`] as a zone (checked at load; UTC if a
    /// test built settings by hand with a wrong name).
    pub fn time_zone(&self) -> chrono_tz::Tz {
        crate::dates::zone_or(&self.default_time_zone, chrono_tz::UTC)
    }
}

impl Default for DatabaseSettings {
    fn default() -> Self {
        DatabaseSettings {
            url: String::new(),
            max_connections: 0,
            sqlite_cache_kib: DEFAULT_SQLITE_CACHE_KIB,
        }
    }
}

impl Default for LimitSettings {
    fn default() -> Self {
        LimitSettings {
            login_per_minute: 10,
            signup_per_hour: 20,
        }
    }
}

/// Why settings could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// The file could not be read.
    #[error("cannot read config file {path}: {source}")]
    Read {
        /// The file.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// The TOML is malformed, has an unknown key or a wrong value.
    #[error("invalid configuration{origin}: {message}")]
    Invalid {
        /// Where it came from (file name), or empty.
        origin: String,
        /// What is wrong, as the TOML parser says it.
        message: String,
    },
    /// An environment variable names no known setting.
    #[error("unknown environment variable {0}: expected PREAU_<SECTION>_<KEY> with a section among server, instance, database, federation, mail, limits, delivery, forums, trust, projects, accounts, lists, messaging")]
    UnknownVariable(String),
    /// The settings parse but contradict each other.
    #[error("inconsistent configuration: {0}")]
    Inconsistent(String),
}

impl Settings {
    /// Loads settings from an optional file and the given environment
    /// variables (pass `std::env::vars()` in production).
    pub fn load(
        file: Option<&Path>,
        environment: impl IntoIterator<Item = (String, String)>,
    ) -> Result<Settings, ConfigError> {
        let (mut table, origin) = match file {
            Some(path) => {
                let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
                    path: path.to_path_buf(),
                    source,
                })?;
                let table: toml::Table =
                    toml::from_str(&text).map_err(|error| ConfigError::Invalid {
                        origin: format!(" in {}", path.display()),
                        message: error.to_string(),
                    })?;
                (table, format!(" in {} or the environment", path.display()))
            }
            None => (toml::Table::new(), String::new()),
        };
        apply_environment(&mut table, environment)?;
        let settings: Settings =
            toml::Value::Table(table)
                .try_into()
                .map_err(|error: toml::de::Error| ConfigError::Invalid {
                    origin,
                    message: error.to_string(),
                })?;
        settings.check()?;
        Ok(settings)
    }

    /// Checks rules that span several keys.
    pub fn check(&self) -> Result<(), ConfigError> {
        let domain = &self.instance.domain;
        if domain.is_empty() || domain.contains('/') || domain.contains(char::is_whitespace) {
            return Err(ConfigError::Inconsistent(format!(
                "instance.domain `{domain}` must be a host name with an optional :port"
            )));
        }
        if !matches!(self.instance.scheme.as_str(), "" | "http" | "https") {
            return Err(ConfigError::Inconsistent(
                "instance.scheme must be `http`, `https` or empty".to_string(),
            ));
        }
        if self.instance.trust_level == TrustLevel::Institutional
            && self.instance.allowed_email_domains.is_empty()
        {
            return Err(ConfigError::Inconsistent(
                "an institutional instance needs instance.allowed_email_domains (its academic e-mail domains)".to_string(),
            ));
        }
        for entry in &self.instance.allowed_email_domains {
            if entry.is_empty() || entry.contains('@') || entry.contains(char::is_whitespace) {
                return Err(ConfigError::Inconsistent(format!(
                    "instance.allowed_email_domains: `{entry}` is not a domain name"
                )));
            }
        }
        if crate::dates::parse_zone(&self.instance.default_time_zone).is_none() {
            return Err(ConfigError::Inconsistent(format!(
                "instance.default_time_zone must be a tz database zone such as Europe/Paris, not {:?}",
                self.instance.default_time_zone
            )));
        }
        if !matches!(self.instance.default_language.as_str(), "fr" | "en") {
            return Err(ConfigError::Inconsistent(
                "instance.default_language must be `fr` or `en`".to_string(),
            ));
        }
        self.check_projects()?;
        self.check_messaging()?;
        let url = &self.database.url;
        if !(url.is_empty()
            || url.starts_with("sqlite:")
            || url.starts_with("postgres://")
            || url.starts_with("postgresql://"))
        {
            return Err(ConfigError::Inconsistent(
                "database.url must start with sqlite: or postgres://".to_string(),
            ));
        }
        if self.database.sqlite_cache_kib == 0 {
            return Err(ConfigError::Inconsistent(
                "database.sqlite_cache_kib must be at least 1".to_string(),
            ));
        }
        self.check_delivery()?;
        let receive = self.mail.receive_listen.trim();
        if !receive.is_empty() && receive.parse::<std::net::SocketAddr>().is_err() {
            return Err(ConfigError::Inconsistent(format!(
                "mail.receive_listen must be an address and port such as 127.0.0.1:2525, not {receive:?}"
            )));
        }
        if self.limits.login_per_minute == 0 || self.limits.signup_per_hour == 0 {
            return Err(ConfigError::Inconsistent(
                "limits must be at least 1".to_string(),
            ));
        }
        self.check_trust()
    }

    /// `http` or `https`, as the public URLs of this instance use it.
    pub fn scheme(&self) -> &str {
        if !self.instance.scheme.is_empty() {
            return &self.instance.scheme;
        }
        let host = self
            .instance
            .domain
            .rsplit_once(':')
            .map_or(self.instance.domain.as_str(), |(host, _)| host);
        if host == "localhost" || host.starts_with("127.") || host == "[::1]" {
            "http"
        } else {
            "https"
        }
    }

    /// The instance's base URL, without a trailing slash.
    pub fn base_url(&self) -> String {
        format!("{}://{}", self.scheme(), self.instance.domain)
    }

    /// The connection pool's size: `[database] max_connections`, or when
    /// it is 0, on SQLite two per core, at least 4 and at most 8 (one
    /// writer at a time, readers alongside; each connection keeps its own
    /// page cache, docs/performance.md), on PostgreSQL 8.
    pub fn pool_size(&self) -> u32 {
        match self.database.max_connections {
            0 if self.database_url().starts_with("sqlite:") => {
                let cores =
                    std::thread::available_parallelism().map_or(1, std::num::NonZeroUsize::get);
                u32::try_from(cores.saturating_mul(2))
                    .unwrap_or(u32::MAX)
                    .clamp(4, 8)
            }
            0 => 8,
            n => n,
        }
    }

    /// The database URL, defaulting to a SQLite file in the data directory.
    pub fn database_url(&self) -> String {
        if self.database.url.is_empty() {
            format!(
                "sqlite://{}",
                self.server.data_dir.join("preau.db").display()
            )
        } else {
            self.database.url.clone()
        }
    }
}

/// Writes `PREAU_<SECTION>_<KEY>` variables into the table. Values are read
/// as TOML when they parse as such (`true`, `8`, `["a", "b"]`), else as
/// plain strings.
fn apply_environment(
    table: &mut toml::Table,
    environment: impl IntoIterator<Item = (String, String)>,
) -> Result<(), ConfigError> {
    for (name, value) in environment {
        let Some(rest) = name.strip_prefix("PREAU_") else {
            continue;
        };
        let lowered = rest.to_ascii_lowercase();
        let Some((section, key)) = lowered.split_once('_') else {
            continue;
        };
        if !SECTIONS.contains(&section) {
            // PREAU_CONFIG, PREAU_TEST_*, PREAU_BIN… belong to other tools.
            continue;
        }
        if key.is_empty() {
            return Err(ConfigError::UnknownVariable(name));
        }
        let parsed = toml::from_str::<toml::Table>(&format!("v = {value}"))
            .ok()
            .and_then(|mut t| t.remove("v"))
            .unwrap_or_else(|| toml::Value::String(value.clone()));
        let section_table = table
            .entry(section.to_string())
            .or_insert_with(|| toml::Value::Table(toml::Table::new()));
        let toml::Value::Table(section_table) = section_table else {
            return Err(ConfigError::Invalid {
                origin: String::new(),
                message: format!("`{section}` must be a table"),
            });
        };
        section_table.insert(key.to_string(), parsed);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn defaults_need_no_file() {
        let settings = Settings::load(None, env(&[])).unwrap();
        assert_eq!(settings.instance.domain, "localhost:8080");
        assert_eq!(settings.base_url(), "http://localhost:8080");
        assert_eq!(settings.instance.trust_level, TrustLevel::Informal);
        assert!(settings.database_url().starts_with("sqlite://"));
    }

    #[test]
    fn environment_overrides_every_section() {
        let settings = Settings::load(
            None,
            env(&[
                ("PREAU_SERVER_LISTEN", "127.0.0.1:9999"),
                ("PREAU_INSTANCE_DOMAIN", "preau.example.org"),
                ("PREAU_FEDERATION_ALLOW_LOOPBACK", "true"),
                ("PREAU_DATABASE_URL", "postgres://db/preau"),
                (
                    "PREAU_INSTANCE_ALLOWED_EMAIL_DOMAINS",
                    r#"["ac-rennes.fr"]"#,
                ),
                ("PREAU_TEST_POSTGRES_URL", "ignored"),
                ("HOME", "/root"),
            ]),
        )
        .unwrap();
        assert_eq!(settings.server.listen.port(), 9999);
        assert_eq!(settings.base_url(), "https://preau.example.org");
        assert!(settings.federation.allow_loopback);
        assert_eq!(settings.database_url(), "postgres://db/preau");
        assert_eq!(settings.instance.allowed_email_domains, ["ac-rennes.fr"]);
        let settings = Settings::load(
            None,
            env(&[
                ("PREAU_DELIVERY_LEASE_MS", "1500"),
                ("PREAU_FORUMS_MEMBERS_CAN_CREATE", "true"),
            ]),
        )
        .unwrap();
        assert_eq!(settings.delivery.lease_ms, 1500);
        assert!(settings.forums.members_can_create);
    }

    #[test]
    fn the_sqlite_page_cache_is_bounded_and_can_be_set() {
        let settings = Settings::load(None, env(&[])).unwrap();
        assert_eq!(settings.database.sqlite_cache_kib, DEFAULT_SQLITE_CACHE_KIB);
        let settings =
            Settings::load(None, env(&[("PREAU_DATABASE_SQLITE_CACHE_KIB", "2000")])).unwrap();
        assert_eq!(settings.database.sqlite_cache_kib, 2000);
        let error =
            Settings::load(None, env(&[("PREAU_DATABASE_SQLITE_CACHE_KIB", "0")])).unwrap_err();
        assert!(error.to_string().contains("sqlite_cache_kib"), "{error}");
    }

    #[test]
    fn the_pool_is_sized_from_the_engine_and_the_cores_unless_set() {
        let cores = std::thread::available_parallelism().map_or(1, std::num::NonZeroUsize::get);
        let settings = Settings::load(None, env(&[])).unwrap();
        assert_eq!(settings.database.max_connections, 0);
        let sqlite = settings.pool_size();
        assert!((4..=8).contains(&sqlite), "{sqlite}");
        assert_eq!(sqlite as usize, (cores * 2).clamp(4, 8));
        let settings =
            Settings::load(None, env(&[("PREAU_DATABASE_URL", "postgres://db/preau")])).unwrap();
        assert_eq!(settings.pool_size(), 8);
        let settings =
            Settings::load(None, env(&[("PREAU_DATABASE_MAX_CONNECTIONS", "3")])).unwrap();
        assert_eq!(settings.pool_size(), 3);
        let settings = Settings::load(
            None,
            env(&[
                ("PREAU_DATABASE_URL", "postgres://db/preau"),
                ("PREAU_DATABASE_MAX_CONNECTIONS", "20"),
            ]),
        )
        .unwrap();
        assert_eq!(settings.pool_size(), 20);
    }

    #[test]
    fn a_malformed_mail_listener_address_is_refused() {
        let error =
            Settings::load(None, env(&[("PREAU_MAIL_RECEIVE_LISTEN", "localhost")])).unwrap_err();
        assert!(error.to_string().contains("receive_listen"), "{error}");
        let settings = Settings::load(
            None,
            env(&[("PREAU_MAIL_RECEIVE_LISTEN", "127.0.0.1:2525")]),
        )
        .unwrap();
        assert_eq!(settings.mail.receive_listen, "127.0.0.1:2525");
    }

    #[test]
    fn unknown_keys_are_refused_in_files_and_environment() {
        let error = Settings::load(None, env(&[("PREAU_SERVER_LISTN", "x")])).unwrap_err();
        assert!(error.to_string().contains("listn"), "{error}");
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("bad.toml");
        std::fs::write(&path, "[instance]\ndomian = \"x\"\n").unwrap();
        let error = Settings::load(Some(&path), env(&[])).unwrap_err();
        assert!(error.to_string().contains("domian"), "{error}");
    }

    #[test]
    fn institutional_instances_need_email_domains() {
        let error = Settings::load(
            None,
            env(&[("PREAU_INSTANCE_TRUST_LEVEL", "institutional")]),
        )
        .unwrap_err();
        assert!(matches!(error, ConfigError::Inconsistent(_)));
    }

    #[test]
    fn messaging_lists_are_given_exactly_when_read() {
        for (who, list, fails) in [
            ("listed", None, true),
            ("listed", Some(("ACCOUNTS", r#"["ana"]"#)), false),
            ("domains", None, true),
            (
                "domains",
                Some(("EMAIL_DOMAINS", r#"["ac-rennes.fr"]"#)),
                false,
            ),
            ("everyone", Some(("ACCOUNTS", r#"["ana"]"#)), true),
            (
                "domains",
                Some(("EMAIL_DOMAINS", r#"["@ac-rennes.fr"]"#)),
                true,
            ),
        ] {
            let mut vars = vec![("PREAU_MESSAGING_WHO".to_string(), who.to_string())];
            if let Some((key, value)) = list {
                vars.push((format!("PREAU_MESSAGING_{key}"), value.to_string()));
            }
            let loaded = Settings::load(None, vars);
            assert_eq!(loaded.is_err(), fails, "{who} {list:?}: {loaded:?}");
        }
    }

    #[test]
    fn example_configs_are_valid() {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("instance-config");
        for name in [
            "preau.example.toml",
            "informal.toml",
            "associative.toml",
            "institutional.toml",
        ] {
            Settings::load(Some(&dir.join(name)), env(&[]))
                .unwrap_or_else(|e| panic!("{name}: {e}"));
        }
    }
}
