//! Accounts: sign-up, e-mail verification, log-in, password reset. The
//! admin actions (create, approve, suspend) are in
//! [`super::account_admin`].
//!
//! The e-mail domain rule of institutional instances is checked in
//! [`Domain::check_email_allowed`], which every way of getting an account
//! goes through (sign-up, the admin CLI, and later invitations).

use super::{keys::generate_key_pair, validate, Domain, DomainError, DomainResult, Refusal};
use crate::{
    config::Registrations,
    domain::store::{
        accounts::{AccountId, AccountRow, AccountStatus, NewAccount},
        actors::{ActorKindRow, NewActor},
        is_unique_violation,
        tokens::TokenPurpose,
    },
    i18n::Lang,
    mail::Message,
    urls,
};
use base64::Engine as _;
use sha2::{Digest, Sha256};

pub use super::account_admin::AdminCreateInput;

/// How long a log-in session lasts.
pub const SESSION_LIFETIME_MS: i64 = 30 * 24 * 3600 * 1000;
/// How long an e-mail verification link works.
pub const VERIFY_LIFETIME_MS: i64 = 48 * 3600 * 1000;
/// How long a password reset link works.
pub const RESET_LIFETIME_MS: i64 = 3600 * 1000;

/// Longest school or organisation an applicant gives, in characters.
pub const MAX_SCHOOL: usize = 120;

/// Longest motivation an applicant gives, in characters.
pub const MAX_MOTIVATION: usize = 1000;

/// A sign-up request.
#[derive(Debug, Clone)]
pub struct SignupInput {
    /// Wanted username.
    pub username: String,
    /// E-mail address.
    pub email: String,
    /// Password in clear (hashed here).
    pub password: String,
    /// Display name; the username when empty.
    pub display_name: String,
    /// Whether the charter box was ticked.
    pub accept_charter: bool,
    /// School or organisation: required where sign-ups wait for approval
    /// (at most [`MAX_SCHOOL`] characters), ignored elsewhere.
    pub school: String,
    /// Why the applicant joins: required where sign-ups wait for approval
    /// (at most [`MAX_MOTIVATION`] characters), ignored elsewhere.
    pub motivation: String,
    /// Interface language of the request, used for the mail.
    pub lang: Lang,
}

/// What a sign-up answers. The same whether the address was new (an
/// account now waits for verification) or already had an account (nothing
/// was created; its owner got a mail saying someone tried): the answer
/// must not tell anyone whether an address has an account.
#[derive(Debug, Clone)]
pub struct SignupOutcome {
    /// The account as asked for, pending verification.
    pub receipt: SignupReceipt,
    /// Whether the mail to the address went out; when not, the person can
    /// ask for a new link.
    pub verification_sent: bool,
}

/// The account a sign-up asked for, as shown back to the person.
#[derive(Debug, Clone)]
pub struct SignupReceipt {
    /// Username (normalised).
    pub username: String,
    /// Display name (the username when none was given).
    pub display_name: String,
    /// E-mail address (lowercased).
    pub email: String,
    /// The address's domain.
    pub email_domain: String,
    /// Language of the mails.
    pub locale: String,
    /// When the sign-up was answered, unix ms.
    pub created_at: i64,
}

/// Everything needed to create a local person, validated.
pub(super) struct NewPerson {
    pub(super) username: String,
    pub(super) email: String,
    pub(super) email_domain: String,
    pub(super) password_hash: String,
    pub(super) display_name: String,
    pub(super) status: AccountStatus,
    pub(super) is_admin: bool,
    pub(super) email_verified: bool,
    pub(super) locale: String,
}

/// A new random token and the hash that is stored.
fn new_token() -> (String, String) {
    use rand::RngCore;
    let mut bytes = [0u8; 32];
    rand::thread_rng().fill_bytes(&mut bytes);
    let token = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes);
    let hash = hash_token(&token);
    (token, hash)
}

/// The stored form of a token: hex SHA-256.
pub fn hash_token(token: &str) -> String {
    let digest = Sha256::digest(token.as_bytes());
    digest.iter().map(|byte| format!("{byte:02x}")).collect()
}

/// A hash of a random password, checked against when the account does not
/// exist so that a failed log-in takes the same time either way.
const DUMMY_HASH: &str =
    "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$0jGBGjV6eK3vuK8mJv0h9JWQw3GQeV2r4cPo6m1iZ3c";

impl Domain {
    /// Refuses an address whose domain is not allowed on this instance.
    pub fn check_email_allowed(&self, domain: &str) -> DomainResult<()> {
        if validate::email_domain_allowed(domain, &self.settings.instance.allowed_email_domains) {
            Ok(())
        } else {
            Err(Refusal::EmailDomainNotAllowed(format!(
                "allowed domains: {}",
                self.settings.instance.allowed_email_domains.join(", ")
            ))
            .into())
        }
    }

    pub(super) async fn insert_person(&self, person: NewPerson) -> DomainResult<AccountId> {
        let NewPerson {
            username,
            email,
            email_domain,
            password_hash,
            display_name,
            status,
            is_admin,
            email_verified,
            locale,
        } = person;
        let (public_key_pem, private_key_pem) = generate_key_pair().await?;
        let base = self.settings.base_url();
        let account = NewAccount {
            actor: NewActor {
                kind: ActorKindRow::Person,
                ap_id: urls::person(&base, &username),
                inbox: urls::person_inbox(&base, &username),
                shared_inbox: Some(urls::shared_inbox(&base)),
                display_name,
                summary_html: String::new(),
                public_key_pem,
                private_key_pem: Some(private_key_pem),
                declared_trust: None,
                domain: String::new(),
                name: username,
            },
            email,
            email_domain,
            password_hash,
            is_admin,
            status,
            email_verified,
            locale,
        };
        match self.store.create_account(&account).await {
            Ok(id) => Ok(id),
            Err(error) if is_unique_violation(&error) => {
                // Which one is taken decides the message.
                if self.store.account_by_email(&account.email).await?.is_some() {
                    Err(Refusal::EmailTaken("email".into()).into())
                } else {
                    Err(Refusal::UsernameTaken("username".into()).into())
                }
            }
            Err(error) => Err(error.into()),
        }
    }

    pub(super) async fn check_name_free(&self, username: &str) -> DomainResult<()> {
        if self.store.local_actor_by_name(username).await?.is_some() {
            return Err(Refusal::UsernameTaken("username".into()).into());
        }
        Ok(())
    }

    /// What an applicant tells the admins where sign-ups wait for approval:
    /// their name, school and motivation, each required and bounded;
    /// `None` on other instances (nothing is asked there).
    fn application_of(
        &self,
        input: &SignupInput,
        display_name: &str,
    ) -> DomainResult<Option<(String, String)>> {
        if self.settings.instance.registrations != Registrations::Approval {
            return Ok(None);
        }
        if display_name.trim().is_empty() {
            return Err(Refusal::FieldRequired("display_name".into()).into());
        }
        let school = validate::text(&input.school, MAX_SCHOOL, "school")?;
        if school.trim().is_empty() {
            return Err(Refusal::FieldRequired("school".into()).into());
        }
        let motivation = validate::text(&input.motivation, MAX_MOTIVATION, "motivation")?;
        if motivation.trim().is_empty() {
            return Err(Refusal::FieldRequired("motivation".into()).into());
        }
        Ok(Some((
            school.trim().to_string(),
            motivation.trim().to_string(),
        )))
    }

    /// Signs a teacher up: checks every rule, creates the account pending
    /// e-mail verification and sends the verification link. If the mail
    /// cannot be sent the account stays and the outcome says so; the
    /// person can ask for a new link. An address that already has an
    /// account gets the same outcome and nothing is created (see
    /// [`SignupOutcome`]): sign-up never answers `email_taken`.
    pub async fn sign_up(&self, input: SignupInput) -> DomainResult<SignupOutcome> {
        if self.settings.instance.registrations == Registrations::Closed {
            return Err(Refusal::RegistrationsClosed.into());
        }
        let username = validate::username(&input.username)?;
        let (email, email_domain) = validate::email(&input.email)?;
        self.check_email_allowed(&email_domain)?;
        validate::password(&input.password)?;
        if !input.accept_charter {
            return Err(Refusal::CharterNotAccepted("accept_charter".into()).into());
        }
        let display_name = validate::name(&input.display_name, 80, "display_name")?;
        let application = self.application_of(&input, &display_name)?;
        let display_name = if display_name.is_empty() {
            username.clone()
        } else {
            display_name
        };
        self.check_name_free(&username).await?;
        let receipt = SignupReceipt {
            username: username.clone(),
            display_name: display_name.clone(),
            email: email.clone(),
            email_domain: email_domain.clone(),
            locale: input.lang.code().to_string(),
            created_at: self.clock().now_ms(),
        };
        // Both paths hash the password, so they take about as long.
        let hash = self.passwords.hash(input.password).await?;
        if let Some(owner) = self.store.account_by_email(&email).await? {
            return self.sign_up_with_taken_address(&owner, receipt).await;
        }
        let created = self
            .insert_person(NewPerson {
                username,
                email,
                email_domain,
                password_hash: hash,
                display_name,
                status: AccountStatus::PendingVerification,
                is_admin: false,
                email_verified: false,
                locale: input.lang.code().to_string(),
            })
            .await;
        let id = match created {
            Ok(id) => id,
            // Another sign-up took the address in between: answered the
            // same way as when it was taken before.
            Err(DomainError::Refused(Refusal::EmailTaken(_))) => {
                match self.store.account_by_email(&receipt.email).await? {
                    Some(owner) => return self.sign_up_with_taken_address(&owner, receipt).await,
                    None => return Err(DomainError::Internal("address owner vanished".into())),
                }
            }
            Err(other) => return Err(other),
        };
        if let Some((school, motivation)) = &application {
            self.store
                .set_account_application(id, school, motivation)
                .await?;
        }
        let account = self
            .store
            .account_by_id(id)
            .await?
            .ok_or_else(|| DomainError::Internal("account vanished".into()))?;
        let verification_sent = match self.send_verification(&account).await {
            Ok(()) => true,
            Err(DomainError::Mail(cause)) => {
                tracing::error!(%cause, username = %account.username, "verification mail not sent");
                false
            }
            Err(other) => return Err(other),
        };
        Ok(SignupOutcome {
            receipt: SignupReceipt {
                created_at: account.created_at,
                ..receipt
            },
            verification_sent,
        })
    }

    /// A sign-up with an address that already has an account: nothing is
    /// created; the owner is told by mail that someone tried (with the
    /// way to reset the password if it was them), and the answer is the
    /// one a new address gets.
    async fn sign_up_with_taken_address(
        &self,
        owner: &AccountRow,
        receipt: SignupReceipt,
    ) -> DomainResult<SignupOutcome> {
        // The new-address path generates the account's keys; doing the
        // same work keeps the two answers about as long.
        generate_key_pair().await?;
        let base = self.settings.base_url();
        let message = Message::signup_attempt(
            Lang::from_code(&owner.locale),
            &self.settings,
            &owner.username,
            &urls::forgot_password(&base),
        );
        let verification_sent = match self.mailer.send(&owner.email, message).await {
            Ok(()) => true,
            Err(cause) => {
                tracing::error!(%cause, "sign-up attempt notice not sent");
                false
            }
        };
        Ok(SignupOutcome {
            receipt,
            verification_sent,
        })
    }

    async fn send_verification(&self, account: &AccountRow) -> DomainResult<()> {
        let (token, hash) = new_token();
        self.store
            .create_email_token(
                &hash,
                account.id,
                TokenPurpose::VerifyEmail,
                self.clock().now_ms() + VERIFY_LIFETIME_MS,
            )
            .await?;
        let link = urls::verify_email(&self.settings.base_url(), &token);
        let lang = Lang::from_code(&account.locale);
        let name = match account.display_name.trim() {
            "" => account.username.as_str(),
            name => name,
        };
        let message = Message::verification(lang, &self.settings, name, &link);
        self.mailer
            .send(&account.email, message)
            .await
            .map_err(DomainError::Mail)
    }

    /// Sends a new verification link to an account still waiting for one.
    /// Answers the same whether or not the address is known, so it cannot
    /// be used to find out who has an account.
    pub async fn resend_verification(&self, email: &str) -> DomainResult<()> {
        let Ok((email, _)) = validate::email(email) else {
            return Err(Refusal::InvalidEmail("email".into()).into());
        };
        if let Some(account) = self.store.account_by_email(&email).await? {
            if account.status == AccountStatus::PendingVerification {
                // A failure is logged, not shown: the answer must not tell
                // whether the address has an account.
                if let Err(error) = self.send_verification(&account).await {
                    tracing::error!(%error, "verification mail not sent");
                }
            }
        }
        Ok(())
    }

    /// Records that the holder of `account_id` proved their address by
    /// following an e-mailed link: an account waiting for verification
    /// becomes active, or waits for an admin on instances that approve
    /// sign-ups. Returns the account as it now stands.
    async fn address_proven(&self, account_id: AccountId) -> DomainResult<AccountRow> {
        let account = self
            .store
            .account_by_id(account_id)
            .await?
            .ok_or(Refusal::InvalidToken)?;
        if account.status != AccountStatus::PendingVerification {
            return Ok(account);
        }
        let next = if self.settings.instance.registrations == Registrations::Approval {
            AccountStatus::PendingApproval
        } else {
            AccountStatus::Active
        };
        self.store.mark_email_verified(account.id, next).await?;
        if next == AccountStatus::PendingApproval {
            self.notify_signup_pending(&account).await?;
        }
        self.store
            .account_by_id(account_id)
            .await?
            .ok_or_else(|| Refusal::InvalidToken.into())
    }

    /// Consumes a verification token. The account becomes active, or waits
    /// for an admin on instances that approve sign-ups.
    pub async fn verify_email(&self, token: &str) -> DomainResult<AccountRow> {
        let account_id = self
            .store
            .consume_email_token(&hash_token(token.trim()), TokenPurpose::VerifyEmail)
            .await?
            .ok_or(Refusal::InvalidToken)?;
        self.address_proven(account_id).await
    }

    /// Checks credentials (username or e-mail address, and password) and
    /// opens a session. Returns the account and the session token.
    pub async fn log_in(&self, login: &str, password: &str) -> DomainResult<(AccountRow, String)> {
        let (account, token, _) = self.log_in_noting_first(login, password).await?;
        Ok((account, token))
    }

    /// [`Domain::log_in`], also saying whether this is the account's first
    /// log-in (the pages then lead to the profile form).
    pub async fn log_in_noting_first(
        &self,
        login: &str,
        password: &str,
    ) -> DomainResult<(AccountRow, String, bool)> {
        let login = login.trim().to_lowercase();
        let account = if login.contains('@') {
            self.store.account_by_email(&login).await?
        } else {
            self.store.account_by_username(&login).await?
        };
        let Some(account) = account else {
            self.passwords
                .verify(password.to_string(), DUMMY_HASH.to_string())
                .await?;
            return Err(Refusal::InvalidCredentials.into());
        };
        if !self
            .passwords
            .verify(password.to_string(), account.password_hash.clone())
            .await?
        {
            return Err(Refusal::InvalidCredentials.into());
        }
        match account.status {
            AccountStatus::Active => {}
            AccountStatus::PendingVerification => return Err(Refusal::EmailNotVerified.into()),
            AccountStatus::PendingApproval => return Err(Refusal::AccountPendingApproval.into()),
            AccountStatus::Suspended => return Err(Refusal::AccountSuspended.into()),
            AccountStatus::Refused => return Err(Refusal::AccountRefused.into()),
        }
        let first = account.last_login_at.is_none();
        let token = self.open_session(account.id).await?;
        self.store.touch_login(account.id).await?;
        let account = self
            .store
            .account_by_id(account.id)
            .await?
            .unwrap_or(account);
        Ok((account, token, first))
    }

    /// Creates a session and returns its token.
    pub async fn open_session(&self, account: AccountId) -> DomainResult<String> {
        let (token, hash) = new_token();
        self.store
            .create_session(&hash, account, self.clock().now_ms() + SESSION_LIFETIME_MS)
            .await?;
        Ok(token)
    }

    /// The active account of a session token, if the session is valid.
    pub async fn session_account(&self, token: &str) -> DomainResult<Option<AccountRow>> {
        let account = self.store.account_by_session(&hash_token(token)).await?;
        Ok(account.filter(|account| account.status == AccountStatus::Active))
    }

    /// Ends a session.
    pub async fn log_out(&self, token: &str) -> DomainResult<()> {
        self.store.delete_session(&hash_token(token)).await?;
        Ok(())
    }

    /// Sends a password reset link when the address belongs to an account.
    /// Answers the same either way.
    pub async fn request_password_reset(&self, email: &str) -> DomainResult<()> {
        let (email, _) = validate::email(email)?;
        let Some(account) = self.store.account_by_email(&email).await? else {
            return Ok(());
        };
        if account.status == AccountStatus::Suspended {
            return Ok(());
        }
        let (token, hash) = new_token();
        self.store
            .create_email_token(
                &hash,
                account.id,
                TokenPurpose::ResetPassword,
                self.clock().now_ms() + RESET_LIFETIME_MS,
            )
            .await?;
        let link = urls::reset_password(&self.settings.base_url(), &token);
        let message = Message::password_reset(
            Lang::from_code(&account.locale),
            &self.settings,
            &account.username,
            &link,
        );
        // A failure is logged, not shown: the answer must not tell whether
        // the address has an account.
        if let Err(cause) = self.mailer.send(&account.email, message).await {
            tracing::error!(%cause, "password reset mail not sent");
        }
        Ok(())
    }

    /// Sets a new password from a reset token and ends every session of
    /// the account. Following the link also proves the address.
    pub async fn reset_password(&self, token: &str, password: &str) -> DomainResult<AccountRow> {
        validate::password(password)?;
        let account_id = self
            .store
            .consume_email_token(&hash_token(token.trim()), TokenPurpose::ResetPassword)
            .await?
            .ok_or(Refusal::InvalidToken)?;
        let hash = self.passwords.hash(password.to_string()).await?;
        self.store.set_password_hash(account_id, &hash).await?;
        self.store.delete_account_sessions(account_id).await?;
        self.address_proven(account_id).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_dummy_hash_parses() {
        assert!(argon2::password_hash::PasswordHash::new(DUMMY_HASH).is_ok());
    }

    #[test]
    fn tokens_are_random_and_stored_hashed() {
        let (a, hash_a) = new_token();
        let (b, _) = new_token();
        assert_ne!(a, b);
        assert_eq!(hash_a, hash_token(&a));
        assert_eq!(hash_a.len(), 64);
        assert!(a.len() >= 43);
    }
}
