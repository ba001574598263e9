//! The admin actions on accounts: creating an active, verified account
//! (CLI and demo; the e-mail domain rule still applies), approving,
//! refusing (a sign-up waiting for approval) and suspending one.

use super::{accounts::NewPerson, validate, Domain, DomainError, DomainResult, Refusal};
use crate::domain::store::accounts::{AccountRow, AccountStatus};

/// Longest reason for refusing a sign-up, in characters.
pub const MAX_REFUSAL_REASON: usize = 2000;

/// An admin-created account (CLI).
#[derive(Debug, Clone)]
pub struct AdminCreateInput {
    /// Username.
    pub username: String,
    /// E-mail address, verified by the admin's word.
    pub email: String,
    /// Password in clear.
    pub password: String,
    /// Whether the account administers the instance.
    pub is_admin: bool,
}

impl Domain {
    /// Creates an active, verified account (admin CLI and demo). The
    /// e-mail domain rule still applies.
    pub async fn admin_create_account(&self, input: AdminCreateInput) -> DomainResult<AccountRow> {
        let username = validate::username(&input.username)?;
        let (email, email_domain) = validate::email(&input.email)?;
        self.check_email_allowed(&email_domain)?;
        validate::password(&input.password)?;
        self.check_name_free(&username).await?;
        let hash = self.passwords.hash(input.password).await?;
        let id = self
            .insert_person(NewPerson {
                display_name: username.clone(),
                username,
                email,
                email_domain,
                password_hash: hash,
                status: AccountStatus::Active,
                is_admin: input.is_admin,
                email_verified: true,
                locale: self.settings.instance.default_language.clone(),
            })
            .await?;
        self.store
            .account_by_id(id)
            .await?
            .ok_or_else(|| DomainError::Internal("account vanished".into()))
    }

    async fn account_named(&self, username: &str) -> DomainResult<AccountRow> {
        self.store
            .account_by_username(&username.trim().to_lowercase())
            .await?
            .ok_or_else(|| Refusal::AccountNotFound.into())
    }

    /// Approves an account waiting for approval, or re-activates a
    /// suspended one. A suspended account whose address was never verified
    /// goes back to waiting for verification: an admin's click never
    /// replaces proof of the address.
    pub async fn approve_account(&self, username: &str) -> DomainResult<AccountRow> {
        let account = self.account_named(username).await?;
        match account.status {
            AccountStatus::PendingApproval => {
                self.store
                    .set_account_status(account.id, AccountStatus::Active)
                    .await?;
                self.notify_signup_approved(account.id).await?;
            }
            // An admin may change their mind: the address was verified.
            AccountStatus::Refused => {
                self.store
                    .set_account_status(account.id, AccountStatus::Active)
                    .await?;
                self.notify_signup_approved(account.id).await?;
            }
            AccountStatus::Suspended => {
                let next = if account.email_verified_at.is_some() {
                    AccountStatus::Active
                } else {
                    AccountStatus::PendingVerification
                };
                self.store.set_account_status(account.id, next).await?
            }
            AccountStatus::Active => return Err(Refusal::AccountAlreadyActive.into()),
            AccountStatus::PendingVerification => return Err(Refusal::AwaitingVerification.into()),
        }
        self.account_named(username).await
    }

    /// Refuses a sign-up waiting for approval, for `reason` (required,
    /// sent to the applicant). The applicant has no usable account, so no
    /// notification is written for them: the reason goes by mail, in their
    /// language, directly. The account stays, status `refused`, with its
    /// reason, in the admins' list; its username and address stay taken
    /// (the same address cannot apply again unseen); an admin may still
    /// approve it later. A mail that cannot be sent is logged: the refusal
    /// stands.
    pub async fn refuse_account(&self, username: &str, reason: &str) -> DomainResult<AccountRow> {
        let reason = validate::text(reason, MAX_REFUSAL_REASON, "reason")?;
        if reason.trim().is_empty() {
            return Err(Refusal::FieldRequired("reason".into()).into());
        }
        let account = self.account_named(username).await?;
        match account.status {
            AccountStatus::PendingApproval => {}
            AccountStatus::Refused => return Err(Refusal::AccountAlreadyRefused.into()),
            AccountStatus::Active => return Err(Refusal::AccountAlreadyActive.into()),
            AccountStatus::Suspended => return Err(Refusal::AccountAlreadySuspended.into()),
            AccountStatus::PendingVerification => return Err(Refusal::AwaitingVerification.into()),
        }
        self.store
            .refuse_account(account.id, &reason, self.clock().now_ms())
            .await?;
        // Greeted by the name they gave, as the verification mail does.
        let name = if account.display_name.trim().is_empty() {
            &account.username
        } else {
            &account.display_name
        };
        let message = crate::mail::Message::signup_refused(
            crate::i18n::Lang::from_code(&account.locale),
            &self.settings,
            name,
            &reason,
        );
        if let Err(cause) = self.mailer.send(&account.email, message).await {
            tracing::error!(%cause, "sign-up refusal mail not sent");
        }
        self.account_named(username).await
    }

    /// Suspends an account and ends its sessions. The last active admin
    /// cannot be suspended, so an instance always keeps one.
    pub async fn suspend_account(&self, username: &str) -> DomainResult<AccountRow> {
        let account = self.account_named(username).await?;
        if account.status == AccountStatus::Suspended {
            return Err(Refusal::AccountAlreadySuspended.into());
        }
        if account.is_admin {
            let active_admins = self
                .store
                .list_accounts(Some(AccountStatus::Active))
                .await?
                .into_iter()
                .filter(|other| other.is_admin)
                .count();
            if active_admins <= 1 {
                return Err(Refusal::LastAdmin.into());
            }
        }
        self.store
            .set_account_status(account.id, AccountStatus::Suspended)
            .await?;
        self.store.delete_account_sessions(account.id).await?;
        self.account_named(username).await
    }
}
