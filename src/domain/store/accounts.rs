//! The `accounts` table: local people, how they log in, their status.

use super::{
    actors::{insert_actor, ActorId, NewActor},
    IntBool, Store, StoreResult,
};

/// The database id of an account.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, sqlx::Type)]
#[sqlx(transparent)]
pub struct AccountId(pub i64);

/// Where an account stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AccountStatus {
    /// Signed up; the e-mail address is not verified yet.
    PendingVerification,
    /// Address verified; an admin must approve (associative instances).
    PendingApproval,
    /// Can log in and take part.
    Active,
    /// Suspended by an admin: cannot log in, profile hidden.
    Suspended,
    /// A sign-up an admin refused (with a reason): cannot log in.
    Refused,
}

impl AccountStatus {
    /// The stable name stored in the database and shown in the API.
    pub fn as_str(self) -> &'static str {
        match self {
            AccountStatus::PendingVerification => "pending_verification",
            AccountStatus::PendingApproval => "pending_approval",
            AccountStatus::Active => "active",
            AccountStatus::Suspended => "suspended",
            AccountStatus::Refused => "refused",
        }
    }

    fn parse(text: &str) -> Self {
        match text {
            "pending_verification" => AccountStatus::PendingVerification,
            "pending_approval" => AccountStatus::PendingApproval,
            "active" => AccountStatus::Active,
            "refused" => AccountStatus::Refused,
            _ => AccountStatus::Suspended,
        }
    }
}

impl From<String> for AccountStatus {
    fn from(text: String) -> Self {
        AccountStatus::parse(&text)
    }
}

/// One account as stored, with its actor's display name.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct AccountRow {
    /// Database id.
    pub id: AccountId,
    /// The account's Person actor.
    pub actor_id: ActorId,
    /// Login name, also the actor name.
    pub username: String,
    /// Lowercased e-mail address.
    pub email: String,
    /// The domain of the address, kept for trust labels.
    pub email_domain: String,
    /// Argon2id PHC string.
    pub password_hash: String,
    /// Whether the account administers the instance.
    #[sqlx(try_from = "IntBool")]
    pub is_admin: bool,
    /// Where the account stands.
    #[sqlx(try_from = "String")]
    pub status: AccountStatus,
    /// When the address was verified, unix ms.
    pub email_verified_at: Option<i64>,
    /// When the charter was accepted, unix ms.
    pub charter_accepted_at: i64,
    /// Preferred interface language.
    pub locale: String,
    /// Creation time, unix ms.
    pub created_at: i64,
    /// Last successful log-in, unix ms.
    pub last_login_at: Option<i64>,
    /// The actor's display name.
    pub display_name: String,
    /// Why an admin refused the sign-up (status `refused`).
    pub refusal_reason: Option<String>,
    /// When, unix ms.
    pub refused_at: Option<i64>,
    /// The IANA time zone dates are shown in; empty for the instance's
    /// default.
    pub time_zone: String,
    /// The applicant's school or organisation (sign-ups for approval).
    pub application_school: String,
    /// Why the applicant joins (sign-ups for approval).
    pub application_motivation: String,
}

/// What is needed to create an account and its Person actor.
#[derive(Debug, Clone)]
pub struct NewAccount {
    /// The Person actor (local, with its key pair).
    pub actor: NewActor,
    /// Lowercased e-mail address.
    pub email: String,
    /// Its domain.
    pub email_domain: String,
    /// Argon2id PHC string.
    pub password_hash: String,
    /// Admin flag.
    pub is_admin: bool,
    /// Initial status.
    pub status: AccountStatus,
    /// Set when the address is verified at creation (admin CLI).
    pub email_verified: bool,
    /// Interface language.
    pub locale: String,
}

const ACCOUNT_SELECT: &str = "SELECT accounts.id, accounts.actor_id, accounts.username, accounts.email, \
     accounts.email_domain, accounts.password_hash, accounts.is_admin, accounts.status, \
     accounts.email_verified_at, accounts.charter_accepted_at, accounts.locale, accounts.created_at, \
     accounts.last_login_at, actors.display_name, accounts.refusal_reason, accounts.refused_at, \
     accounts.time_zone, accounts.application_school, accounts.application_motivation \
     FROM accounts JOIN actors ON actors.id = accounts.actor_id";

impl Store {
    /// Records what an applicant wrote for the admins (school, motivation).
    pub async fn set_account_application(
        &self,
        id: AccountId,
        school: &str,
        motivation: &str,
    ) -> StoreResult<()> {
        sqlx::query(
            "UPDATE accounts SET application_school = $1, application_motivation = $2 WHERE id = $3",
        )
        .bind(school)
        .bind(motivation)
        .bind(id.0)
        .execute(self.pool())
        .await?;
        Ok(())
    }

    /// Creates the Person actor, its empty profile and the account, in one
    /// transaction. A taken name or address fails with a unique violation
    /// (see [`super::is_unique_violation`]) and leaves nothing behind.
    pub async fn create_account(&self, account: &NewAccount) -> StoreResult<AccountId> {
        let mut tx = self.begin().await?;
        let now = self.now_ms();
        let actor_id = insert_actor(&mut *tx, &account.actor, now).await?;
        sqlx::query("INSERT INTO profiles (actor_id, updated_at) VALUES ($1, $2)")
            .bind(actor_id.0)
            .bind(now)
            .execute(&mut *tx)
            .await?;
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO accounts (actor_id, username, email, email_domain, password_hash, is_admin, \
             status, email_verified_at, charter_accepted_at, locale, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $9) RETURNING id",
        )
        .bind(actor_id.0)
        .bind(&account.actor.name)
        .bind(&account.email)
        .bind(&account.email_domain)
        .bind(&account.password_hash)
        .bind(i64::from(account.is_admin))
        .bind(account.status.as_str())
        .bind(account.email_verified.then_some(now))
        .bind(now)
        .bind(&account.locale)
        .fetch_one(&mut *tx)
        .await?;
        sqlx::query("UPDATE actors SET email_domain = $1 WHERE id = $2")
            .bind(&account.email_domain)
            .bind(actor_id.0)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        super::content_changed();
        Ok(AccountId(id))
    }

    /// The account named `username`.
    pub async fn account_by_username(&self, username: &str) -> StoreResult<Option<AccountRow>> {
        let row = sqlx::query_as(&format!("{ACCOUNT_SELECT} WHERE accounts.username = $1"))
            .bind(username)
            .fetch_optional(self.pool())
            .await?;
        Ok(row)
    }

    /// The account with this (lowercased) e-mail address.
    pub async fn account_by_email(&self, email: &str) -> StoreResult<Option<AccountRow>> {
        let row = sqlx::query_as(&format!("{ACCOUNT_SELECT} WHERE accounts.email = $1"))
            .bind(email)
            .fetch_optional(self.pool())
            .await?;
        Ok(row)
    }

    /// The account of a live session (by its token's hash), in one query.
    pub async fn account_by_session(&self, token_hash: &str) -> StoreResult<Option<AccountRow>> {
        let row = sqlx::query_as(&format!(
            "{ACCOUNT_SELECT} JOIN sessions ON sessions.account_id = accounts.id \
             WHERE sessions.token_hash = $1 AND sessions.expires_at > $2"
        ))
        .bind(token_hash)
        .bind(self.now_ms())
        .fetch_optional(self.pool())
        .await?;
        Ok(row)
    }

    /// The account with database id `id`.
    pub async fn account_by_id(&self, id: AccountId) -> StoreResult<Option<AccountRow>> {
        let row = sqlx::query_as(&format!("{ACCOUNT_SELECT} WHERE accounts.id = $1"))
            .bind(id.0)
            .fetch_optional(self.pool())
            .await?;
        Ok(row)
    }

    /// Every account, oldest first; `status` filters when given.
    pub async fn list_accounts(
        &self,
        status: Option<AccountStatus>,
    ) -> StoreResult<Vec<AccountRow>> {
        let rows = match status {
            Some(status) => {
                sqlx::query_as(&format!(
                    "{ACCOUNT_SELECT} WHERE accounts.status = $1 ORDER BY accounts.id"
                ))
                .bind(status.as_str())
                .fetch_all(self.pool())
                .await?
            }
            None => {
                sqlx::query_as(&format!("{ACCOUNT_SELECT} ORDER BY accounts.id"))
                    .fetch_all(self.pool())
                    .await?
            }
        };
        Ok(rows)
    }

    /// Sets an account's status.
    pub async fn set_account_status(
        &self,
        id: AccountId,
        status: AccountStatus,
    ) -> StoreResult<()> {
        sqlx::query("UPDATE accounts SET status = $1 WHERE id = $2")
            .bind(status.as_str())
            .bind(id.0)
            .execute(self.pool())
            .await?;
        super::content_changed();
        Ok(())
    }

    /// Refuses the sign-up of `id` for `reason`, at `now`.
    pub async fn refuse_account(&self, id: AccountId, reason: &str, now: i64) -> StoreResult<()> {
        sqlx::query(
            "UPDATE accounts SET status = 'refused', refusal_reason = $1, refused_at = $2 \
             WHERE id = $3",
        )
        .bind(reason)
        .bind(now)
        .bind(id.0)
        .execute(self.pool())
        .await?;
        super::content_changed();
        Ok(())
    }

    /// Records the address as verified and moves the account on.
    pub async fn mark_email_verified(
        &self,
        id: AccountId,
        next_status: AccountStatus,
    ) -> StoreResult<()> {
        sqlx::query("UPDATE accounts SET email_verified_at = $1, status = $2 WHERE id = $3")
            .bind(self.now_ms())
            .bind(next_status.as_str())
            .bind(id.0)
            .execute(self.pool())
            .await?;
        Ok(())
    }

    /// Replaces the password hash.
    pub async fn set_password_hash(&self, id: AccountId, hash: &str) -> StoreResult<()> {
        sqlx::query("UPDATE accounts SET password_hash = $1 WHERE id = $2")
            .bind(hash)
            .bind(id.0)
            .execute(self.pool())
            .await?;
        Ok(())
    }

    /// Records a successful log-in.
    pub async fn touch_login(&self, id: AccountId) -> StoreResult<()> {
        sqlx::query("UPDATE accounts SET last_login_at = $1 WHERE id = $2")
            .bind(self.now_ms())
            .bind(id.0)
            .execute(self.pool())
            .await?;
        Ok(())
    }

    /// Sets the interface language.
    pub async fn set_account_locale(&self, id: AccountId, locale: &str) -> StoreResult<()> {
        sqlx::query("UPDATE accounts SET locale = $1 WHERE id = $2")
            .bind(locale)
            .bind(id.0)
            .execute(self.pool())
            .await?;
        Ok(())
    }

    /// Sets the time zone dates are shown in (an IANA name, checked by
    /// the caller; empty for the instance's default).
    pub async fn set_account_time_zone(&self, id: AccountId, zone: &str) -> StoreResult<()> {
        sqlx::query("UPDATE accounts SET time_zone = $1 WHERE id = $2")
            .bind(zone)
            .bind(id.0)
            .execute(self.pool())
            .await?;
        Ok(())
    }

    /// Counts active accounts: all of them, and those that logged in since
    /// each of the given times (for NodeInfo's monthly and half-year
    /// figures).
    pub async fn count_active_accounts(&self, since: [i64; 2]) -> StoreResult<[i64; 3]> {
        let total: i64 =
            sqlx::query_scalar("SELECT COUNT(*) FROM accounts WHERE status = 'active'")
                .fetch_one(self.pool())
                .await?;
        let mut counts = [total, 0, 0];
        for (slot, time) in counts.iter_mut().skip(1).zip(since) {
            *slot = sqlx::query_scalar(
                "SELECT COUNT(*) FROM accounts WHERE status = 'active' AND last_login_at >= $1",
            )
            .bind(time)
            .fetch_one(self.pool())
            .await?;
        }
        Ok(counts)
    }
}
