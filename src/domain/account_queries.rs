//! What pages, the API, the CLI and the demo read or set about accounts
//! and people outside the sign-up and log-in flows: the accounts list for
//! admins (and for the operator's CLI), the count on the home page, the
//! language an account chose, a profile, and a teacher's contact lists.

use super::Refusal;
use super::{
    rows::{AccountRow, AccountStatus, ActorId, ContactView, ProfileRow},
    Domain, DomainError, DomainResult,
};

/// A teacher's contact requests and contacts.
#[derive(Debug, Default)]
pub struct ContactLists {
    /// Requests received, waiting for an answer.
    pub received: Vec<ContactView>,
    /// Requests sent, waiting for the other's answer.
    pub sent: Vec<ContactView>,
    /// Accepted contacts.
    pub contacts: Vec<ContactView>,
}

/// Each person once, in the order given: two accepted requests, one each
/// way, are one contact.
fn once_each(mut views: Vec<ContactView>) -> Vec<ContactView> {
    let mut seen: Vec<ActorId> = Vec::new();
    views.retain(|view| {
        let new = !seen.contains(&view.person.id);
        seen.push(view.person.id);
        new
    });
    views
}

impl Domain {
    /// The accounts of this instance (of one status, or all), for an
    /// admin; others get `forbidden`.
    pub async fn accounts_for_admin(
        &self,
        viewer: &AccountRow,
        status: Option<AccountStatus>,
    ) -> DomainResult<Vec<AccountRow>> {
        if !viewer.is_admin {
            return Err(DomainError::from(Refusal::Forbidden));
        }
        Ok(self.store.list_accounts(status).await?)
    }

    /// Every account, for the operator at the command line (who has the
    /// database already).
    pub async fn accounts_for_operator(&self) -> DomainResult<Vec<AccountRow>> {
        Ok(self.store.list_accounts(None).await?)
    }

    /// An account by its user name, if there is one.
    pub async fn account_by_username(&self, username: &str) -> DomainResult<Option<AccountRow>> {
        Ok(self.store.account_by_username(username).await?)
    }

    /// How many accounts are active.
    pub async fn active_account_count(&self) -> DomainResult<i64> {
        Ok(self.store.count_active_accounts([0, 0]).await?[0])
    }

    /// Remembers the language an account chose (`fr`, `en`).
    pub async fn set_account_language(&self, account: &AccountRow, code: &str) -> DomainResult<()> {
        Ok(self.store.set_account_locale(account.id, code).await?)
    }

    /// The time zone a teacher reads dates in: the one they chose, or the
    /// instance's default.
    pub fn time_zone_of(&self, account: &AccountRow) -> chrono_tz::Tz {
        let default = self.settings.instance.time_zone();
        crate::dates::zone_or(&account.time_zone, default)
    }

    /// Sets the time zone a teacher reads dates in: a tz database name,
    /// or empty for the instance's default; `unknown_time_zone` otherwise.
    pub async fn set_account_time_zone(
        &self,
        account: &AccountRow,
        name: &str,
    ) -> DomainResult<()> {
        let name = name.trim();
        let stored = if name.is_empty() {
            ""
        } else {
            crate::dates::parse_zone(name)
                .ok_or_else(|| Refusal::UnknownTimeZone("time_zone".into()))?
                .name()
        };
        Ok(self.store.set_account_time_zone(account.id, stored).await?)
    }

    /// The profile of a person (empty when none was written).
    pub async fn profile_of(&self, actor: ActorId) -> DomainResult<ProfileRow> {
        Ok(self.store.profile(actor).await?.unwrap_or_default())
    }

    /// The actor of a local account, with its profile.
    pub async fn own_person(
        &self,
        account: &AccountRow,
    ) -> DomainResult<(super::rows::ActorRow, ProfileRow)> {
        let actor = self.actor_of(account).await?;
        let profile = self.profile_of(actor.id).await?;
        Ok((actor, profile))
    }

    /// A teacher's contact requests (both ways) and contacts, each person
    /// once in each list.
    pub async fn contact_lists(&self, person: ActorId) -> DomainResult<ContactLists> {
        Ok(ContactLists {
            received: once_each(self.store.contact_requests_to(person).await?),
            sent: once_each(self.store.contact_requests_from(person).await?),
            contacts: once_each(self.store.contacts_of(person).await?),
        })
    }

    /// Closes the database connections (at shutdown, after a CLI command).
    pub async fn close(&self) {
        self.store.close().await;
    }
}
