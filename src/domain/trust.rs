//! Trust labels: how far a reader can trust where content comes from.
//!
//! A label is computed when it is shown, from what this instance stored
//! about the origin (its declared level, the attestation it served and
//! whether it verified, a manual entry by an admin), the local
//! configuration (domain rules, ceilings) and the clock. Nothing is copied
//! from the claim of another server, and a downgrade (an attestation that
//! expired or stopped verifying, a changed rule) applies at once to
//! everything shown, without deleting anything.
//!
//! The effective level of a remote instance is the lowest of:
//! - what it declares (informal when it declares nothing);
//! - the ceiling configured for its domain, if any;
//! - the best evidence that holds now: a verified, unexpired attestation
//!   from a trusted authority for exactly its origin, a configured domain
//!   rule, or a manual admin entry; informal without any.
//!
//! A person is institutional only when their instance is and their
//! verified e-mail domain is one the evidence allows.

use preau_federation::TrustLevel;
use serde::Serialize;

// The evidence as stored lives with its rows; labels are computed here.
pub use crate::domain::store::trust::{AttestationEvidence, InstanceEvidence, ManualEntry};
// Labels as pages and the API show them are in `trust_labels`.
pub use super::trust_labels::{Labeller, TrustBook};

/// A configured rule about a domain: `example.org`, `*.ac-rennes.fr`
/// (any sub-domain) or `localhost:8081` (one port).
#[derive(Debug, Clone, PartialEq, Eq, serde::Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct DomainRule {
    /// The domain pattern.
    pub pattern: String,
    /// The level.
    pub level: TrustLevel,
}

impl DomainRule {
    /// Whether `host` (with an optional port) matches the pattern.
    pub fn matches(&self, host: &str) -> bool {
        pattern_matches(&self.pattern, host)
    }
}

/// Whether `host` (with an optional port) matches a domain pattern:
/// `example.org`, `*.example.org` (any sub-domain) or `host:port`. A
/// pattern without a port matches every port.
pub fn pattern_matches(pattern: &str, host: &str) -> bool {
    let host = host.to_ascii_lowercase();
    let pattern = pattern.trim().to_ascii_lowercase();
    let subject = if pattern.contains(':') {
        host.as_str()
    } else {
        host.split(':').next().unwrap_or_default()
    };
    match pattern.strip_prefix("*.") {
        Some(parent) => subject
            .strip_suffix(parent)
            .is_some_and(|prefix| prefix.ends_with('.') && prefix.len() > 1),
        None => subject == pattern,
    }
}

/// Why this instance does not federate with another.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// Listed in `federation.blocked` (blocklist mode).
    Blocked,
    /// Not listed in `federation.allowed` (allowlist mode).
    NotAllowed,
    /// Its effective level is below `federation.min_level`.
    LevelTooLow,
}

impl Refusal {
    /// The stable error code.
    pub fn code(self) -> &'static str {
        match self {
            Refusal::Blocked => "instance_blocked",
            Refusal::NotAllowed => "instance_not_allowed",
            Refusal::LevelTooLow => "instance_level_too_low",
        }
    }
}

impl super::Domain {
    /// Whether the federation policy refuses `host` now (`None`: it is
    /// accepted). This instance itself is always accepted.
    pub async fn federation_refusal(&self, host: &str) -> super::DomainResult<Option<Refusal>> {
        let host = host.to_ascii_lowercase();
        if host.is_empty() || host == self.settings.instance.domain.to_ascii_lowercase() {
            return Ok(None);
        }
        let federation = &self.settings.federation;
        match federation.mode {
            crate::config::FederationMode::Blocklist
                if federation.blocked.iter().any(|p| pattern_matches(p, &host)) =>
            {
                return Ok(Some(Refusal::Blocked));
            }
            crate::config::FederationMode::Allowlist
                if !federation.allowed.iter().any(|p| pattern_matches(p, &host)) =>
            {
                return Ok(Some(Refusal::NotAllowed));
            }
            _ => {}
        }
        if federation.min_level > TrustLevel::Informal {
            let book = self.trust_book().await?;
            let label = self.instance_label(&book, &host, self.clock().now_ms());
            if label.level < federation.min_level {
                return Ok(Some(Refusal::LevelTooLow));
            }
        }
        Ok(None)
    }
}

/// The part of the configuration labels depend on.
#[derive(Debug, Clone, Default)]
pub struct TrustRules {
    /// Domains whose instances may be trusted up to a level without an
    /// attestation.
    pub domain_rules: Vec<DomainRule>,
    /// The most a domain's instances can be, whatever their evidence.
    pub ceilings: Vec<DomainRule>,
}

/// Where a label's level comes from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Evidence {
    /// This instance: its own configuration.
    Own,
    /// An attestation signed by a trusted authority.
    Attestation {
        /// The authority's configured name.
        authority: String,
        /// End of its validity, unix ms.
        valid_until: i64,
    },
    /// A domain rule of this instance's configuration.
    DomainRule {
        /// The matching pattern.
        pattern: String,
    },
    /// An admin's entry.
    Manual {
        /// Who decided (an account name: for admin pages only, labels
        /// shown to teachers name this instance's administrators).
        by: String,
        /// Why.
        note: String,
        /// When, unix ms.
        at: i64,
    },
    /// Nothing that holds.
    None,
}

/// Why a label is what it is, for the "why?" panel: the rule that decided.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Reason {
    /// Content of this instance, at its configured level.
    Own,
    /// The evidence named in the label.
    Evidence,
    /// The instance declares less than its evidence would allow.
    Declared,
    /// The configured ceiling for its domain.
    Ceiling,
    /// No evidence holds: a claim is never copied.
    NoEvidence,
    /// The person's verified e-mail domain is not one the evidence allows.
    PersonDomain,
}

/// A label as shown and as the API returns it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Label {
    /// The effective level.
    pub level: TrustLevel,
    /// What the origin declares.
    pub declared: TrustLevel,
    /// The organisation, when the evidence names one.
    pub organisation: String,
    /// The organisation the origin names itself (a claim, shown as one).
    pub declared_org: String,
    /// The evidence the level rests on.
    pub evidence: Evidence,
    /// The level that evidence alone would give (before the declared
    /// level and ceilings).
    pub evidence_level: TrustLevel,
    /// The rule that decided.
    pub reason: Reason,
    /// Who verified it (the authority, the admin, this instance's rules).
    pub verified_by: Option<String>,
    /// When the evidence was last checked, unix ms.
    pub checked_at: Option<i64>,
    /// A higher level was lost on this date (unix ms): content keeps its
    /// place but shows that its label was removed.
    pub removed_on: Option<i64>,
    /// The host the label is about (empty for this instance).
    pub host: String,
    /// The name of the instance that computed the label (its
    /// administrators decide its rules and manual entries); empty until
    /// [`super::Domain::instance_label`] fills it.
    pub here: String,
}

impl Label {
    /// Whether the origin claims more than this instance can verify (a
    /// ceiling or a person's e-mail domain lowering the level is not a
    /// false claim: the "why?" panel names it).
    pub fn unverified_claim(&self) -> bool {
        self.declared > self.level && matches!(self.reason, Reason::NoEvidence | Reason::Evidence)
    }
}

/// This instance's own label.
pub fn own_label(level: TrustLevel, organisation: &str) -> Label {
    Label {
        level,
        declared: level,
        organisation: organisation.to_string(),
        declared_org: organisation.to_string(),
        evidence: Evidence::Own,
        evidence_level: level,
        reason: Reason::Own,
        verified_by: None,
        checked_at: None,
        removed_on: None,
        host: String::new(),
        here: String::new(),
    }
}

/// The effective label of the remote instance `host` at `now` (unix ms).
pub fn instance_label(
    host: &str,
    stored: Option<&InstanceEvidence>,
    rules: &TrustRules,
    now: i64,
) -> Label {
    let declared = stored
        .and_then(|s| s.declared)
        .unwrap_or(TrustLevel::Informal);
    let mut candidates: Vec<(TrustLevel, Evidence, String, Option<String>)> = Vec::new();
    if let Some(attestation) = stored
        .and_then(|s| s.attestation.as_ref())
        .filter(|a| a.valid_until > now)
    {
        candidates.push((
            attestation.level,
            Evidence::Attestation {
                authority: attestation.authority.clone(),
                valid_until: attestation.valid_until,
            },
            attestation.organisation.clone(),
            Some(attestation.authority.clone()),
        ));
    }
    if let Some(rule) = rules.domain_rules.iter().find(|r| r.matches(host)) {
        candidates.push((
            rule.level,
            Evidence::DomainRule {
                pattern: rule.pattern.clone(),
            },
            // A rule vouches for the domain, not for the name it gives.
            String::new(),
            None,
        ));
    }
    if let Some(manual) = stored.and_then(|s| s.manual.as_ref()) {
        candidates.push((
            manual.level,
            Evidence::Manual {
                by: manual.by.clone(),
                note: manual.note.clone(),
                at: manual.at,
            },
            String::new(),
            Some(manual.by.clone()),
        ));
    }
    // The strongest evidence; on a tie the first listed (attestation,
    // then rule, then manual entry).
    let best =
        candidates
            .into_iter()
            .fold(
                None,
                |best: Option<(TrustLevel, _, _, _)>, candidate| match &best {
                    Some(current) if current.0 >= candidate.0 => best,
                    _ => Some(candidate),
                },
            );
    let (evidence_level, evidence, organisation, verified_by) =
        best.unwrap_or((TrustLevel::Informal, Evidence::None, String::new(), None));
    let ceiling = rules.ceilings.iter().find(|r| r.matches(host));
    let mut level = evidence_level.min(declared);
    let mut reason = if evidence == Evidence::None {
        Reason::NoEvidence
    } else if declared < evidence_level {
        Reason::Declared
    } else {
        Reason::Evidence
    };
    if let Some(ceiling) = ceiling {
        if ceiling.level < level {
            level = ceiling.level;
            reason = Reason::Ceiling;
        }
    }
    // A higher level this instance once verified and no longer does.
    let expired = stored
        .and_then(|s| s.attestation.as_ref())
        .filter(|a| a.valid_until <= now && a.level > level)
        .map(|a| a.valid_until);
    let lost = stored
        .and_then(|s| s.lost)
        .filter(|(was, _)| *was > level)
        .map(|(_, at)| at);
    Label {
        level,
        declared,
        organisation: if level == TrustLevel::Informal {
            String::new()
        } else {
            organisation
        },
        evidence: if level == TrustLevel::Informal && reason != Reason::Declared {
            Evidence::None
        } else {
            evidence
        },
        evidence_level,
        reason,
        verified_by: if level == TrustLevel::Informal {
            None
        } else {
            verified_by
        },
        declared_org: stored.map(|s| s.declared_org.clone()).unwrap_or_default(),
        checked_at: stored.and_then(|s| s.checked_at),
        removed_on: expired.or(lost),
        host: host.to_string(),
        here: String::new(),
    }
}

/// The e-mail domains an institutional label allows for its people: the
/// attestation's, or this instance's configured ones for its own.
pub fn allowed_person_domains<'a>(
    instance: &Label,
    stored: Option<&'a InstanceEvidence>,
    own_domains: &'a [String],
) -> Option<&'a [String]> {
    match &instance.evidence {
        Evidence::Own => Some(own_domains),
        Evidence::Attestation { .. } => stored
            .and_then(|s| s.attestation.as_ref())
            .map(|a| a.email_domains.as_slice()),
        _ => None,
    }
    .filter(|domains| !domains.is_empty())
}

/// Whether a verified e-mail domain is one of `allowed` or a sub-domain
/// of one (as sign-up accepts them).
fn domain_allowed(domain: &str, allowed: &[String]) -> bool {
    let domain = domain.to_ascii_lowercase();
    allowed.iter().any(|a| {
        let a = a.to_ascii_lowercase();
        domain == a || domain.ends_with(&format!(".{a}"))
    })
}

/// A person's label: their instance's, except that institutional needs
/// their verified e-mail domain among those the evidence allows (`None`:
/// the evidence names no domains, any verified domain will do).
pub fn person_label(
    instance: &Label,
    email_domain: Option<&str>,
    allowed: Option<&[String]>,
) -> Label {
    if instance.level != TrustLevel::Institutional {
        return instance.clone();
    }
    let verified = match (email_domain, allowed) {
        (Some(domain), Some(allowed)) => domain_allowed(domain, allowed),
        (Some(_), None) => true,
        (None, _) => false,
    };
    if verified {
        return instance.clone();
    }
    Label {
        level: TrustLevel::Informal,
        reason: Reason::PersonDomain,
        organisation: String::new(),
        verified_by: None,
        ..instance.clone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use TrustLevel::*;

    const NOW: i64 = 1_800_000_000_000;

    fn rule(pattern: &str, level: TrustLevel) -> DomainRule {
        DomainRule {
            pattern: pattern.to_string(),
            level,
        }
    }

    fn attested(level: TrustLevel, valid_until: i64) -> InstanceEvidence {
        InstanceEvidence {
            host: "ent.ac-rennes.fr".into(),
            declared: Some(level),
            declared_org: "Académie de Rennes".into(),
            attestation: Some(AttestationEvidence {
                level,
                organisation: "Académie de Rennes".into(),
                email_domains: vec!["ac-rennes.fr".into()],
                authority: "Ministère".into(),
                valid_until,
            }),
            checked_at: Some(NOW - 1000),
            ..Default::default()
        }
    }

    #[test]
    fn patterns_match_domains_sub_domains_and_ports() {
        assert!(rule("*.ac-rennes.fr", Institutional).matches("ent.ac-rennes.fr"));
        assert!(rule("*.ac-rennes.fr", Institutional).matches("a.b.ac-rennes.fr:8443"));
        assert!(!rule("*.ac-rennes.fr", Institutional).matches("ac-rennes.fr"));
        assert!(!rule("*.ac-rennes.fr", Institutional).matches("evil-ac-rennes.fr"));
        assert!(rule("example.org", Associative).matches("EXAMPLE.org:443"));
        assert!(rule("localhost:8081", Associative).matches("localhost:8081"));
        assert!(!rule("localhost:8081", Associative).matches("localhost:8082"));
    }

    #[test]
    fn a_claim_without_evidence_is_informal_and_shown_as_unverified() {
        let stored = InstanceEvidence {
            host: "liar.example".into(),
            declared: Some(Institutional),
            declared_org: "Ministère (prétendu)".into(),
            ..Default::default()
        };
        let label = instance_label("liar.example", Some(&stored), &TrustRules::default(), NOW);
        assert_eq!(label.level, Informal);
        assert_eq!(label.declared, Institutional);
        assert!(label.unverified_claim());
        assert_eq!(label.reason, Reason::NoEvidence);
        assert_eq!(label.organisation, "", "a claimed name is not shown");
        let unknown = instance_label("nobody.example", None, &TrustRules::default(), NOW);
        assert_eq!(unknown.level, Informal);
        assert!(!unknown.unverified_claim());
    }

    #[test]
    fn a_valid_attestation_counts_until_it_expires_then_the_label_is_removed() {
        let stored = attested(Institutional, NOW + 60_000);
        let rules = TrustRules::default();
        let label = instance_label("ent.ac-rennes.fr", Some(&stored), &rules, NOW);
        assert_eq!(label.level, Institutional);
        assert_eq!(label.verified_by.as_deref(), Some("Ministère"));
        assert_eq!(label.organisation, "Académie de Rennes");
        assert_eq!(label.removed_on, None);
        let later = instance_label("ent.ac-rennes.fr", Some(&stored), &rules, NOW + 60_000);
        assert_eq!(later.level, Informal);
        assert_eq!(later.removed_on, Some(NOW + 60_000));
        assert!(later.unverified_claim());
    }

    #[test]
    fn the_lowest_of_declared_ceiling_and_evidence_wins() {
        let mut stored = attested(Institutional, NOW + 60_000);
        stored.declared = Some(Associative);
        let label = instance_label(
            "ent.ac-rennes.fr",
            Some(&stored),
            &TrustRules::default(),
            NOW,
        );
        assert_eq!((label.level, label.reason), (Associative, Reason::Declared));
        assert_eq!(
            label.evidence_level, Institutional,
            "what the evidence alone gives"
        );

        let stored = attested(Institutional, NOW + 60_000);
        let rules = TrustRules {
            ceilings: vec![rule("*.ac-rennes.fr", Associative)],
            ..Default::default()
        };
        let label = instance_label("ent.ac-rennes.fr", Some(&stored), &rules, NOW);
        assert_eq!((label.level, label.reason), (Associative, Reason::Ceiling));
    }

    #[test]
    fn domain_rules_and_manual_entries_are_evidence_too() {
        let stored = InstanceEvidence {
            host: "ent.ac-nantes.fr".into(),
            declared: Some(Institutional),
            ..Default::default()
        };
        let rules = TrustRules {
            domain_rules: vec![rule("*.ac-nantes.fr", Institutional)],
            ..Default::default()
        };
        let label = instance_label("ent.ac-nantes.fr", Some(&stored), &rules, NOW);
        assert_eq!(label.level, Institutional);
        assert!(matches!(label.evidence, Evidence::DomainRule { .. }));

        let stored = InstanceEvidence {
            host: "asso.example".into(),
            declared: Some(Associative),
            manual: Some(ManualEntry {
                level: Associative,
                note: "convention signée".into(),
                by: "admin".into(),
                at: NOW - 5,
            }),
            ..Default::default()
        };
        let label = instance_label("asso.example", Some(&stored), &TrustRules::default(), NOW);
        assert_eq!(label.level, Associative);
        assert_eq!(label.verified_by.as_deref(), Some("admin"));
    }

    #[test]
    fn a_lost_level_is_shown_as_removed() {
        let stored = InstanceEvidence {
            host: "ent.ac-rennes.fr".into(),
            declared: Some(Institutional),
            attestation_error: Some("signature_invalid".into()),
            lost: Some((Institutional, NOW - 10)),
            ..Default::default()
        };
        let label = instance_label(
            "ent.ac-rennes.fr",
            Some(&stored),
            &TrustRules::default(),
            NOW,
        );
        assert_eq!(label.level, Informal);
        assert_eq!(label.removed_on, Some(NOW - 10));
    }

    #[test]
    fn a_person_is_institutional_only_with_an_allowed_verified_domain() {
        let stored = attested(Institutional, NOW + 60_000);
        let instance = instance_label(
            "ent.ac-rennes.fr",
            Some(&stored),
            &TrustRules::default(),
            NOW,
        );
        let allowed = allowed_person_domains(&instance, Some(&stored), &[]);
        assert_eq!(
            person_label(&instance, Some("ac-rennes.fr"), allowed).level,
            Institutional
        );
        assert_eq!(
            person_label(&instance, Some("lycee.ac-rennes.fr"), allowed).level,
            Institutional,
            "sub-domains, as sign-up accepts them"
        );
        assert_eq!(
            person_label(&instance, Some("evil-ac-rennes.fr"), allowed).level,
            Informal
        );
        let other = person_label(&instance, Some("gmail.com"), allowed);
        assert_eq!(
            (other.level, other.reason),
            (Informal, Reason::PersonDomain)
        );
        assert_eq!(person_label(&instance, None, allowed).level, Informal);
        let own = own_label(Associative, "Les Profs Associés");
        assert_eq!(person_label(&own, None, None).level, Associative);
    }
}
