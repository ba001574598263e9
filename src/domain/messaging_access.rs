//! Who may use messages on this instance (`[messaging]` in the settings):
//! the one rule every entry point of messaging asks, pages, API and the
//! inbox alike, so that turning messages off or restricting them cannot
//! be missed by one route.

use super::{errors::Refusal, Domain, DomainResult};
use crate::config::{MessagingAudience, MessagingSettings};
use crate::domain::store::accounts::AccountRow;
use crate::domain::validate::email_domain_allowed;

/// Whether `account` may use messages under `settings`: `None` if so,
/// else the refusal to give.
pub fn messaging_refusal(settings: &MessagingSettings, account: &AccountRow) -> Option<Refusal> {
    if !settings.enabled {
        return Some(Refusal::MessagingOff);
    }
    let allowed = match settings.who {
        MessagingAudience::Everyone => true,
        MessagingAudience::Domains => {
            account.email_verified_at.is_some()
                && !settings.email_domains.is_empty()
                && email_domain_allowed(&account.email_domain, &settings.email_domains)
        }
        MessagingAudience::Listed => settings
            .accounts
            .iter()
            .any(|name| name.eq_ignore_ascii_case(&account.username)),
    };
    (!allowed).then_some(Refusal::MessagingNotAllowed)
}

impl Domain {
    /// Refuses when `account` may not use messages on this instance.
    pub fn check_messaging(&self, account: &AccountRow) -> DomainResult<()> {
        match messaging_refusal(&self.settings.messaging, account) {
            Some(refusal) => Err(refusal.into()),
            None => Ok(()),
        }
    }

    /// Whether `account` may use messages (pages show or hide the links).
    pub fn may_message(&self, account: &AccountRow) -> bool {
        messaging_refusal(&self.settings.messaging, account).is_none()
    }

    /// Whether the local teacher named `username` may receive messages (an
    /// invitation or a direct message from another instance): `false` for
    /// an unknown name.
    pub async fn receives_messages(&self, username: &str) -> DomainResult<bool> {
        Ok(match self.store.account_by_username(username).await? {
            Some(account) => self.may_message(&account),
            None => false,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::store::accounts::AccountStatus;

    fn account(name: &str, domain: &str, verified: bool) -> AccountRow {
        AccountRow {
            id: crate::domain::store::accounts::AccountId(1),
            actor_id: crate::domain::store::actors::ActorId(1),
            username: name.to_string(),
            email: format!("{name}@{domain}"),
            email_domain: domain.to_string(),
            password_hash: String::new(),
            is_admin: false,
            status: AccountStatus::Active,
            email_verified_at: verified.then_some(1),
            charter_accepted_at: 0,
            locale: "fr".to_string(),
            created_at: 0,
            last_login_at: None,
            display_name: name.to_string(),
            refusal_reason: None,
            refused_at: None,
            time_zone: String::new(),
            application_school: String::new(),
            application_motivation: String::new(),
        }
    }

    #[test]
    fn each_audience_lets_in_exactly_its_accounts() {
        let ana = account("ana", "lycee.ac-rennes.fr", true);
        let bob = account("bob", "example.org", true);
        let unverified = account("cleo", "ac-rennes.fr", false);
        let mut settings = MessagingSettings::default();
        assert_eq!(messaging_refusal(&settings, &bob), None);

        settings.who = MessagingAudience::Domains;
        settings.email_domains = vec!["ac-rennes.fr".to_string()];
        assert_eq!(messaging_refusal(&settings, &ana), None);
        for refused in [&bob, &unverified] {
            assert_eq!(
                messaging_refusal(&settings, refused),
                Some(Refusal::MessagingNotAllowed)
            );
        }

        settings.who = MessagingAudience::Listed;
        settings.email_domains.clear();
        settings.accounts = vec!["Bob".to_string()];
        assert_eq!(messaging_refusal(&settings, &bob), None);
        assert_eq!(
            messaging_refusal(&settings, &ana),
            Some(Refusal::MessagingNotAllowed)
        );

        settings.enabled = false;
        assert_eq!(
            messaging_refusal(&settings, &bob),
            Some(Refusal::MessagingOff)
        );
    }
}
