//! The `[trust]` section: attestations served, authorities believed,
//! domain rules and ceilings, and its checks (which also cover the
//! domain patterns of `[federation]`).

use super::{ConfigError, Settings};
use preau_federation::TrustLevel;
use serde::Deserialize;
use std::path::PathBuf;

/// `[trust]`
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct TrustSettings {
    /// Attestation files this instance serves (written by `preau trust
    /// attest`); relative paths are read from the data directory.
    pub attestations: Vec<PathBuf>,
    /// Authorities whose attestations this instance believes.
    pub authorities: Vec<AuthoritySettings>,
    /// Domains whose instances may be trusted up to a level without an
    /// attestation (`*.ac-rennes.fr` = any sub-domain).
    pub domain_rules: Vec<crate::domain::trust::DomainRule>,
    /// The most a domain's instances can be, whatever their evidence.
    pub ceilings: Vec<crate::domain::trust::DomainRule>,
    /// Hours between two checks of a remote instance's evidence (an
    /// attestation is also re-checked when it expires).
    pub recheck_hours: u64,
}

impl Default for TrustSettings {
    fn default() -> Self {
        TrustSettings {
            attestations: Vec::new(),
            authorities: Vec::new(),
            domain_rules: Vec::new(),
            ceilings: Vec::new(),
            recheck_hours: 24,
        }
    }
}

/// A trusted authority (`[[trust.authorities]]`).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AuthoritySettings {
    /// Its name as labels show it ("Ministère de l'Éducation nationale").
    pub name: String,
    /// Its public key, `z6Mk…` (printed by `preau trust keygen`).
    pub key: String,
}

impl Settings {
    /// Checks `[trust]`: named authorities with valid keys, domain patterns
    /// (with `[federation]`'s lists), a positive recheck interval.
    pub(super) fn check_trust(&self) -> Result<(), ConfigError> {
        for authority in &self.trust.authorities {
            if authority.name.trim().is_empty() {
                return Err(ConfigError::Inconsistent(
                    "trust.authorities: every authority needs a name".to_string(),
                ));
            }
            if authority
                .key
                .parse::<preau_federation::attestation::PublicMultikey>()
                .is_err()
            {
                return Err(ConfigError::Inconsistent(format!(
                    "trust.authorities: `{}` is not an ed25519 public key (z6Mk…, as `preau trust keygen` prints it)",
                    authority.key
                )));
            }
        }
        let federation_patterns = self
            .federation
            .blocked
            .iter()
            .chain(&self.federation.allowed)
            .map(|pattern| crate::domain::trust::DomainRule {
                pattern: pattern.clone(),
                level: TrustLevel::Informal,
            })
            .collect::<Vec<_>>();
        for rule in self
            .trust
            .domain_rules
            .iter()
            .chain(&self.trust.ceilings)
            .chain(&federation_patterns)
        {
            let pattern = rule.pattern.trim();
            let bare = pattern.strip_prefix("*.").unwrap_or(pattern);
            if bare.is_empty()
                || bare.contains(['*', '/', '@'])
                || bare.contains(char::is_whitespace)
            {
                return Err(ConfigError::Inconsistent(format!(
                    "trust: `{}` is not a domain pattern (example.org, *.ac-rennes.fr or host:port)",
                    rule.pattern
                )));
            }
        }
        if self.trust.recheck_hours == 0 {
            return Err(ConfigError::Inconsistent(
                "trust.recheck_hours must be at least 1".to_string(),
            ));
        }
        Ok(())
    }
}
