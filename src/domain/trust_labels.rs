//! Trust labels as pages and the API show them: the stored evidence of
//! every known instance read once and cached ([`TrustBook`]), the
//! [`Labeller`] a request uses, and a label as JSON and template context.
//! The rules that compute a label are in [`super::trust`].

use super::trust::{
    allowed_person_domains, instance_label, own_label, person_label, Evidence, InstanceEvidence,
    Label, TrustRules,
};

/// Stored evidence of every known remote instance, read again only after
/// it changes (`store::trust_version`).
#[derive(Debug)]
pub struct TrustBook {
    /// By host.
    pub instances: std::collections::HashMap<String, InstanceEvidence>,
    version: u64,
    /// When it was read: it is read again after [`TRUST_BOOK_MAX_AGE`],
    /// so checks made by another process sharing the database show.
    read_at: std::time::Instant,
}

/// How long the in-memory evidence is used at most.
const TRUST_BOOK_MAX_AGE: std::time::Duration = std::time::Duration::from_secs(30);

impl super::Domain {
    /// The evidence labels are computed from.
    pub async fn trust_book(&self) -> super::DomainResult<std::sync::Arc<TrustBook>> {
        let version = crate::domain::store::trust_version();
        {
            let cached = self.trust_book.lock().unwrap_or_else(|p| p.into_inner());
            if let Some(book) = cached
                .as_ref()
                .filter(|b| b.version == version && b.read_at.elapsed() < TRUST_BOOK_MAX_AGE)
            {
                return Ok(book.clone());
            }
        }
        let instances = self
            .store
            .instances()
            .await?
            .into_iter()
            .map(|row| (row.evidence.host.clone(), row.evidence))
            .collect();
        let book = std::sync::Arc::new(TrustBook {
            instances,
            version,
            read_at: std::time::Instant::now(),
        });
        *self.trust_book.lock().unwrap_or_else(|p| p.into_inner()) = Some(book.clone());
        Ok(book)
    }

    /// The domain rules and ceilings of the configuration.
    pub fn trust_rules(&self) -> TrustRules {
        TrustRules {
            domain_rules: self.settings.trust.domain_rules.clone(),
            ceilings: self.settings.trust.ceilings.clone(),
        }
    }

    /// The label of an instance: this one when `host` is empty.
    pub fn instance_label(&self, book: &TrustBook, host: &str, now: i64) -> Label {
        if host.is_empty() || host == self.settings.instance.domain {
            return own_label(
                self.settings.instance.trust_level,
                &self.settings.instance.organisation,
            );
        }
        instance_label(host, book.instances.get(host), &self.trust_rules(), now)
    }

    /// The label of a person (or of their content): their instance's,
    /// institutional only with an allowed verified e-mail domain.
    pub fn person_label(
        &self,
        book: &TrustBook,
        host: &str,
        email_domain: Option<&str>,
        now: i64,
    ) -> Label {
        let instance = self.instance_label(book, host, now);
        let stored = book.instances.get(host);
        let allowed = allowed_person_domains(
            &instance,
            stored,
            &self.settings.instance.allowed_email_domains,
        );
        person_label(&instance, email_domain, allowed)
    }
}

/// Labels for one page or one API answer: the evidence and the clock read
/// once.
pub struct Labeller<'a> {
    domain: &'a super::Domain,
    book: std::sync::Arc<TrustBook>,
    now: i64,
}

impl super::Domain {
    /// A labeller for what is about to be shown.
    pub async fn labeller(&self) -> super::DomainResult<Labeller<'_>> {
        Ok(Labeller {
            domain: self,
            book: self.trust_book().await?,
            now: self.clock().now_ms(),
        })
    }
}

impl Labeller<'_> {
    /// The label of a person, and of what they write: `host` empty for
    /// local people.
    pub fn person(&self, host: &str, email_domain: Option<&str>) -> Label {
        self.domain
            .person_label(&self.book, host, email_domain, self.now)
    }

    /// The label of an instance (this one when `host` is empty).
    pub fn instance(&self, host: &str) -> Label {
        self.domain.instance_label(&self.book, host, self.now)
    }

    /// This instance's domain, for handles of local people.
    pub fn local_domain(&self) -> &str {
        &self.domain.settings.instance.domain
    }
}

fn rfc3339(ms: i64) -> Option<String> {
    chrono::DateTime::<chrono::Utc>::from_timestamp_millis(ms)
        .map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true))
}

impl Label {
    /// The `trust` object of the JSON API (docs/api.md).
    pub fn to_json(&self) -> serde_json::Value {
        serde_json::json!({
            "level": self.level,
            "declared": self.declared,
            "verified": !self.unverified_claim() && self.evidence != Evidence::None
                || self.evidence == Evidence::Own,
            "organisation": if self.organisation.is_empty() { None } else { Some(&self.organisation) },
            "verified_by": self.verified_by,
            "evidence": self.evidence,
            "reason": self.reason,
            "checked_at": self.checked_at.and_then(rfc3339),
            "removed_on": self.removed_on.and_then(rfc3339),
        })
    }

    /// What pages need to show the label and its "why?" panel.
    pub fn to_context(&self) -> minijinja::Value {
        let date = |ms: Option<i64>| {
            ms.and_then(chrono::DateTime::<chrono::Utc>::from_timestamp_millis)
                .map(|t| t.format("%d/%m/%Y").to_string())
        };
        let (evidence_kind, authority, pattern, by, note) = match &self.evidence {
            Evidence::Own => ("own", None, None, None, None),
            Evidence::Attestation { authority } => {
                ("attestation", Some(authority.clone()), None, None, None)
            }
            Evidence::DomainRule { pattern } => {
                ("domain_rule", None, Some(pattern.clone()), None, None)
            }
            Evidence::Manual { by, note } => {
                ("manual", None, None, Some(by.clone()), Some(note.clone()))
            }
            Evidence::None => ("none", None, None, None, None),
        };
        minijinja::context! {
            level => self.level.as_str(),
            declared => self.declared.as_str(),
            unverified => self.unverified_claim(),
            organisation => self.organisation,
            verified_by => self.verified_by,
            evidence => evidence_kind,
            authority => authority,
            pattern => pattern,
            by => by,
            note => note,
            reason => serde_json::to_value(self.reason).ok().and_then(|v| v.as_str().map(str::to_string)),
            checked => date(self.checked_at),
            removed_on => date(self.removed_on),
            host => self.host,
        }
    }
}
