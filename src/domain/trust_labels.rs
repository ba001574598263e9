//! Trust labels as pages and the API show them: the stored evidence of
//! every known instance read once and cached ([`TrustBook`]), the
//! [`Labeller`] a request uses. The edges turn a label into what they show
//! (`api::schema::Trust`, `web::views::LabelView`).
//! The rules that compute a label are in [`super::trust`].

use super::trust::{
    allowed_person_domains, instance_label, own_label, person_label, InstanceEvidence, Label,
    TrustRules,
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
        let mut label = if host.is_empty() || host == self.settings.instance.domain {
            own_label(
                self.settings.instance.trust_level,
                &self.settings.instance.organisation,
            )
        } else {
            instance_label(host, book.instances.get(host), &self.trust_rules(), now)
        };
        label.here = self.settings.instance.name.clone();
        label
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
