//! The `actors` table: local and remote actors of every kind.

use super::{Store, StoreError, StoreResult, Tx};
use preau_federation::TrustLevel;

/// The database id of an actor.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, sqlx::Type)]
#[sqlx(transparent)]
pub struct ActorId(pub i64);

/// The kind of an actor row.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ActorKindRow {
    /// A teacher (local or remote person).
    Person,
    /// The instance actor.
    Application,
    /// A group (forums and projects, later).
    Group,
}

impl ActorKindRow {
    fn as_str(self) -> &'static str {
        match self {
            ActorKindRow::Person => "person",
            ActorKindRow::Application => "application",
            ActorKindRow::Group => "group",
        }
    }

    fn parse(text: &str) -> Self {
        match text {
            "application" => ActorKindRow::Application,
            "group" => ActorKindRow::Group,
            _ => ActorKindRow::Person,
        }
    }
}

impl From<String> for ActorKindRow {
    fn from(text: String) -> Self {
        ActorKindRow::parse(&text)
    }
}

/// A declared trust level as stored: unknown levels read as none.
#[derive(Debug, Clone, sqlx::Type)]
#[sqlx(transparent)]
pub struct StoredTrust(Option<String>);

impl From<StoredTrust> for Option<TrustLevel> {
    fn from(stored: StoredTrust) -> Self {
        stored.0.and_then(|text| text.parse().ok())
    }
}

/// One actor as stored (decoded from [`qualified_actor_columns`]).
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ActorRow {
    /// Database id.
    pub id: ActorId,
    /// Kind of actor.
    #[sqlx(try_from = "String")]
    pub kind: ActorKindRow,
    /// Its name (`preferredUsername`).
    pub name: String,
    /// Empty for local actors, the remote host otherwise.
    pub domain: String,
    /// The ActivityPub id.
    pub ap_id: String,
    /// Its inbox.
    pub inbox: String,
    /// Its server's shared inbox, if any.
    pub shared_inbox: Option<String>,
    /// Display name.
    pub display_name: String,
    /// Sanitised HTML biography.
    pub summary_html: String,
    /// PEM public key.
    pub public_key_pem: String,
    /// PEM private key; only local actors have one.
    pub private_key_pem: Option<String>,
    /// The level a remote actor's instance declares (informational).
    #[sqlx(try_from = "StoredTrust")]
    pub declared_trust: Option<TrustLevel>,
    /// Creation time, unix ms.
    pub created_at: i64,
    /// Last change, unix ms.
    pub updated_at: i64,
    /// When a remote actor was last fetched, unix ms.
    pub fetched_at: Option<i64>,
    /// Verified e-mail domain: of the account for local people, as their
    /// institutional instance publishes it for remote ones.
    pub email_domain: Option<String>,
}

impl ActorRow {
    /// Whether this actor lives on this instance.
    pub fn is_local(&self) -> bool {
        self.domain.is_empty()
    }
}

/// What is needed to insert an actor.
#[derive(Debug, Clone)]
pub struct NewActor {
    /// Kind.
    pub kind: ActorKindRow,
    /// Name.
    pub name: String,
    /// Empty for local.
    pub domain: String,
    /// ActivityPub id.
    pub ap_id: String,
    /// Inbox URL.
    pub inbox: String,
    /// Shared inbox URL.
    pub shared_inbox: Option<String>,
    /// Display name.
    pub display_name: String,
    /// Sanitised HTML biography.
    pub summary_html: String,
    /// PEM public key.
    pub public_key_pem: String,
    /// PEM private key for local actors.
    pub private_key_pem: Option<String>,
    /// Declared trust of a remote actor's instance.
    pub declared_trust: Option<TrustLevel>,
}

/// The actor columns, prefixed with the table name for joins.
pub(crate) fn qualified_actor_columns() -> String {
    ACTOR_COLUMNS
        .split(", ")
        .map(|name| format!("actors.{name}"))
        .collect::<Vec<_>>()
        .join(", ")
}

const ACTOR_COLUMNS: &str = "id, kind, name, domain, ap_id, inbox, shared_inbox, display_name, \
     summary_html, public_key_pem, private_key_pem, declared_trust, created_at, updated_at, fetched_at, \
     email_domain";

const INSERT_ACTOR: &str = "INSERT INTO actors (kind, name, domain, ap_id, inbox, shared_inbox, \
     display_name, summary_html, public_key_pem, private_key_pem, declared_trust, created_at, updated_at, \
     fetched_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $12, $13)";

/// Inserts `actor`, created (and for a remote one fetched) at `now`.
pub(crate) async fn insert_actor<'c, E>(
    executor: E,
    actor: &NewActor,
    now: i64,
) -> StoreResult<ActorId>
where
    E: sqlx::Executor<'c, Database = sqlx::Any>,
{
    let sql = format!("{INSERT_ACTOR} RETURNING id");
    let id: i64 = bind_new_actor(sqlx::query_scalar(&sql), actor, now)
        .fetch_one(executor)
        .await?;
    Ok(ActorId(id))
}

fn bind_new_actor<'q, O>(
    query: sqlx::query::QueryScalar<'q, sqlx::Any, O, sqlx::any::AnyArguments<'q>>,
    actor: &'q NewActor,
    now: i64,
) -> sqlx::query::QueryScalar<'q, sqlx::Any, O, sqlx::any::AnyArguments<'q>> {
    query
        .bind(actor.kind.as_str())
        .bind(&actor.name)
        .bind(&actor.domain)
        .bind(&actor.ap_id)
        .bind(&actor.inbox)
        .bind(actor.shared_inbox.as_deref())
        .bind(&actor.display_name)
        .bind(&actor.summary_html)
        .bind(&actor.public_key_pem)
        .bind(actor.private_key_pem.as_deref())
        .bind(actor.declared_trust.map(|t| t.as_str()))
        .bind(now)
        .bind(if actor.domain.is_empty() {
            None
        } else {
            Some(now)
        })
}

/// `SELECT` of the actors matching `condition`.
fn actor_where(condition: &str) -> String {
    format!("SELECT {ACTOR_COLUMNS} FROM actors WHERE {condition}")
}

/// The condition of the instance actor (the first, should two processes
/// have raced to create it).
const INSTANCE_ACTOR: &str = "kind = 'application' AND domain = '' ORDER BY id LIMIT 1";

/// [`Store::actor_by_id`], inside a transaction.
pub async fn actor_by_id_in(tx: &mut Tx, id: ActorId) -> StoreResult<Option<ActorRow>> {
    Ok(sqlx::query_as(&actor_where("id = $1"))
        .bind(id.0)
        .fetch_optional(&mut **tx)
        .await?)
}

/// [`Store::instance_actor`], inside a transaction.
pub async fn instance_actor_in(tx: &mut Tx) -> StoreResult<Option<ActorRow>> {
    Ok(sqlx::query_as(&actor_where(INSTANCE_ACTOR))
        .fetch_optional(&mut **tx)
        .await?)
}

impl Store {
    /// Creates the instance actor unless it exists, and returns the one
    /// stored. Several processes starting at once on one database each
    /// try; the first insert wins and every process reads the same row.
    pub async fn insert_instance_actor(&self, actor: &NewActor) -> StoreResult<ActorRow> {
        let sql = format!("{INSERT_ACTOR} ON CONFLICT DO NOTHING RETURNING id");
        bind_new_actor(sqlx::query_scalar::<_, i64>(&sql), actor, self.now_ms())
            .fetch_optional(self.pool())
            .await?;
        super::content_changed();
        self.instance_actor()
            .await?
            .ok_or_else(|| StoreError::Corrupt("the instance actor was not stored".into()))
    }

    /// The local actor called `name`, of any kind.
    pub async fn local_actor_by_name(&self, name: &str) -> StoreResult<Option<ActorRow>> {
        let row = sqlx::query_as(&format!(
            "SELECT {ACTOR_COLUMNS} FROM actors WHERE name = $1 AND domain = ''"
        ))
        .bind(name)
        .fetch_optional(self.pool())
        .await?;
        Ok(row)
    }

    /// The actor whose ActivityPub id is `ap_id`.
    pub async fn actor_by_ap_id(&self, ap_id: &str) -> StoreResult<Option<ActorRow>> {
        let row = sqlx::query_as(&actor_where("ap_id = $1"))
            .bind(ap_id)
            .fetch_optional(self.pool())
            .await?;
        Ok(row)
    }

    /// The actor with database id `id`.
    pub async fn actor_by_id(&self, id: ActorId) -> StoreResult<Option<ActorRow>> {
        let row = sqlx::query_as(&actor_where("id = $1"))
            .bind(id.0)
            .fetch_optional(self.pool())
            .await?;
        Ok(row)
    }

    /// The remote actor `name@domain` already known here.
    pub async fn remote_actor_by_handle(
        &self,
        name: &str,
        domain: &str,
    ) -> StoreResult<Option<ActorRow>> {
        let row = sqlx::query_as(&format!(
            "SELECT {ACTOR_COLUMNS} FROM actors WHERE name = $1 AND domain = $2"
        ))
        .bind(name)
        .bind(domain)
        .fetch_optional(self.pool())
        .await?;
        Ok(row)
    }

    /// The instance actor, if created.
    pub async fn instance_actor(&self) -> StoreResult<Option<ActorRow>> {
        let row = sqlx::query_as(&actor_where(INSTANCE_ACTOR))
            .fetch_optional(self.pool())
            .await?;
        Ok(row)
    }

    /// Stores the verified e-mail domain a remote person's instance
    /// publishes.
    pub async fn set_actor_email_domain(
        &self,
        id: ActorId,
        domain: Option<&str>,
    ) -> StoreResult<()> {
        sqlx::query("UPDATE actors SET email_domain = $1 WHERE id = $2")
            .bind(domain)
            .bind(id.0)
            .execute(self.pool())
            .await?;
        super::content_changed();
        Ok(())
    }

    /// Inserts or refreshes a remote actor fetched from its server, keyed
    /// by its ActivityPub id, in one statement. Returns its database id.
    /// A local actor is never overwritten: a remote document claiming a
    /// local id is refused with [`StoreError::Corrupt`].
    pub async fn upsert_remote_actor(&self, actor: &NewActor) -> StoreResult<ActorId> {
        let now = self.now_ms();
        let id: Option<i64> = sqlx::query_scalar(
            "INSERT INTO actors (kind, name, domain, ap_id, inbox, shared_inbox, display_name, \
             summary_html, public_key_pem, private_key_pem, declared_trust, created_at, updated_at, \
             fetched_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, NULL, $10, $11, $11, $11) \
             ON CONFLICT (ap_id) DO UPDATE SET name = excluded.name, inbox = excluded.inbox, \
             shared_inbox = excluded.shared_inbox, display_name = excluded.display_name, \
             summary_html = excluded.summary_html, public_key_pem = excluded.public_key_pem, \
             declared_trust = excluded.declared_trust, updated_at = excluded.updated_at, \
             fetched_at = excluded.fetched_at WHERE actors.domain <> '' RETURNING id",
        )
        .bind(actor.kind.as_str())
        .bind(&actor.name)
        .bind(&actor.domain)
        .bind(&actor.ap_id)
        .bind(&actor.inbox)
        .bind(actor.shared_inbox.as_deref())
        .bind(&actor.display_name)
        .bind(&actor.summary_html)
        .bind(&actor.public_key_pem)
        .bind(actor.declared_trust.map(|t| t.as_str()))
        .bind(now)
        .fetch_optional(self.pool())
        .await?;
        super::content_changed();
        id.map(ActorId)
            .ok_or_else(|| StoreError::Corrupt(format!("{} is a local actor", actor.ap_id)))
    }

    /// Updates the display name and biography shown for a local actor.
    pub async fn update_actor_presentation(
        &self,
        id: ActorId,
        display_name: &str,
        summary_html: &str,
    ) -> StoreResult<()> {
        sqlx::query(
            "UPDATE actors SET display_name = $1, summary_html = $2, updated_at = $3 WHERE id = $4",
        )
        .bind(display_name)
        .bind(summary_html)
        .bind(self.now_ms())
        .bind(id.0)
        .execute(self.pool())
        .await?;
        super::content_changed();
        Ok(())
    }
}
