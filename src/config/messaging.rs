//! The `[messaging]` section: whether the instance offers messages
//! (conversations and direct messages) and to whom.

use super::{ConfigError, Settings};
use serde::Deserialize;

/// Who may use messages when they are on.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum MessagingAudience {
    /// Every active account.
    #[default]
    Everyone,
    /// Accounts with a verified address at one of `messaging.email_domains`
    /// (or their sub-domains): e.g. only academic addresses.
    Domains,
    /// Only the accounts named in `messaging.accounts`.
    Listed,
}

/// `[messaging]`
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct MessagingSettings {
    /// Whether the instance offers messages at all.
    pub enabled: bool,
    /// Who may use them.
    pub who: MessagingAudience,
    /// With `who = "domains"`: the e-mail domains allowed.
    pub email_domains: Vec<String>,
    /// With `who = "listed"`: the user names allowed.
    pub accounts: Vec<String>,
}

impl Default for MessagingSettings {
    fn default() -> Self {
        MessagingSettings {
            enabled: true,
            who: MessagingAudience::Everyone,
            email_domains: Vec::new(),
            accounts: Vec::new(),
        }
    }
}

impl Settings {
    /// Checks `[messaging]`: a list is given exactly when it is used.
    pub(super) fn check_messaging(&self) -> Result<(), ConfigError> {
        let messaging = &self.messaging;
        let wanted = |list: &[String], audience: MessagingAudience, key: &str, what: &str| match (
            messaging.who == audience,
            list.is_empty(),
        ) {
            (true, true) => Err(ConfigError::Inconsistent(format!(
                "messaging.who = \"{what}\" needs messaging.{key}; to turn messages \
                     off for everyone, set messaging.enabled = false"
            ))),
            (false, false) => Err(ConfigError::Inconsistent(format!(
                "messaging.{key} is only read with messaging.who = \"{what}\""
            ))),
            _ => Ok(()),
        };
        wanted(
            &messaging.accounts,
            MessagingAudience::Listed,
            "accounts",
            "listed",
        )?;
        wanted(
            &messaging.email_domains,
            MessagingAudience::Domains,
            "email_domains",
            "domains",
        )?;
        for entry in &messaging.email_domains {
            if entry.is_empty() || entry.contains('@') || entry.contains(char::is_whitespace) {
                return Err(ConfigError::Inconsistent(format!(
                    "messaging.email_domains: `{entry}` is not a domain name"
                )));
            }
        }
        Ok(())
    }
}
