//! The `contact_categories`, `contact_placements` and `contact_refusals`
//! tables: how a teacher sorts their contacts, and the requests of theirs
//! that were refused. Private to the teacher; nothing here is federated.

use super::{
    actors::{qualified_actor_columns, ActorId},
    contacts::ContactView,
    Store, StoreResult, Tx,
};

/// The database id of a contact category.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, sqlx::Type)]
#[sqlx(transparent)]
pub struct ContactCategoryId(pub i64);

/// A named category of one teacher's contacts.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ContactCategoryRow {
    /// Its id.
    pub id: ContactCategoryId,
    /// The teacher whose category it is.
    pub owner_id: ActorId,
    /// Its name, as the teacher wrote it.
    pub name: String,
    /// When created, unix ms.
    pub created_at: i64,
}

impl Store {
    /// The named categories of `owner`, by name.
    pub async fn contact_categories(&self, owner: ActorId) -> StoreResult<Vec<ContactCategoryRow>> {
        Ok(sqlx::query_as(
            "SELECT id, owner_id, name, created_at FROM contact_categories \
             WHERE owner_id = $1 ORDER BY name, id",
        )
        .bind(owner.0)
        .fetch_all(self.pool())
        .await?)
    }

    /// One category of `owner`.
    pub async fn contact_category(
        &self,
        owner: ActorId,
        id: ContactCategoryId,
    ) -> StoreResult<Option<ContactCategoryRow>> {
        Ok(sqlx::query_as(
            "SELECT id, owner_id, name, created_at FROM contact_categories \
             WHERE owner_id = $1 AND id = $2",
        )
        .bind(owner.0)
        .bind(id.0)
        .fetch_optional(self.pool())
        .await?)
    }

    /// Where `owner` put each person they placed: (person, category).
    pub async fn contact_placements(
        &self,
        owner: ActorId,
    ) -> StoreResult<Vec<(ActorId, ContactCategoryId)>> {
        let rows: Vec<(i64, i64)> = sqlx::query_as(
            "SELECT contact_id, category_id FROM contact_placements WHERE owner_id = $1",
        )
        .bind(owner.0)
        .fetch_all(self.pool())
        .await?;
        Ok(rows
            .into_iter()
            .map(|(person, category)| (ActorId(person), ContactCategoryId(category)))
            .collect())
    }

    /// The requests `asker` sent that were refused, with who refused.
    pub async fn contact_refusals_of(&self, asker: ActorId) -> StoreResult<Vec<ContactView>> {
        Ok(sqlx::query_as(&format!(
            "SELECT {}, contact_refusals.refused_at AS since FROM contact_refusals \
             JOIN actors ON actors.id = contact_refusals.refuser_id \
             WHERE contact_refusals.asker_id = $1 ORDER BY contact_refusals.refused_at DESC \
             LIMIT 500",
            qualified_actor_columns()
        ))
        .bind(asker.0)
        .fetch_all(self.pool())
        .await?)
    }

    /// Whether `refuser` refused a request of `asker`.
    pub async fn contact_refused(&self, asker: ActorId, refuser: ActorId) -> StoreResult<bool> {
        let found: Option<i64> = sqlx::query_scalar(
            "SELECT refused_at FROM contact_refusals WHERE asker_id = $1 AND refuser_id = $2",
        )
        .bind(asker.0)
        .bind(refuser.0)
        .fetch_optional(self.pool())
        .await?;
        Ok(found.is_some())
    }

    /// Whether `owner` already has a category called `name`.
    pub async fn contact_category_named(
        &self,
        owner: ActorId,
        name: &str,
    ) -> StoreResult<Option<ContactCategoryId>> {
        let id: Option<i64> = sqlx::query_scalar(
            "SELECT id FROM contact_categories WHERE owner_id = $1 AND name = $2",
        )
        .bind(owner.0)
        .bind(name)
        .fetch_optional(self.pool())
        .await?;
        Ok(id.map(ContactCategoryId))
    }
}

/// Creates a category; returns its id.
pub async fn insert_contact_category(
    tx: &mut Tx,
    owner: ActorId,
    name: &str,
) -> StoreResult<ContactCategoryId> {
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO contact_categories (owner_id, name, created_at) VALUES ($1, $2, $3) \
         RETURNING id",
    )
    .bind(owner.0)
    .bind(name)
    .bind(tx.now_ms())
    .fetch_one(&mut **tx)
    .await?;
    Ok(ContactCategoryId(id))
}

/// Renames a category.
pub async fn rename_contact_category(
    tx: &mut Tx,
    id: ContactCategoryId,
    name: &str,
) -> StoreResult<()> {
    sqlx::query("UPDATE contact_categories SET name = $1 WHERE id = $2")
        .bind(name)
        .bind(id.0)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// Deletes a category; the people placed in it are placed nowhere, that
/// is in "Autres contacts".
pub async fn delete_contact_category(tx: &mut Tx, id: ContactCategoryId) -> StoreResult<()> {
    sqlx::query("DELETE FROM contact_placements WHERE category_id = $1")
        .bind(id.0)
        .execute(&mut **tx)
        .await?;
    sqlx::query("DELETE FROM contact_categories WHERE id = $1")
        .bind(id.0)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// Where `owner` placed `person`, read inside the transaction.
pub async fn placement(
    tx: &mut Tx,
    owner: ActorId,
    person: ActorId,
) -> StoreResult<Option<ContactCategoryId>> {
    let id: Option<i64> = sqlx::query_scalar(
        "SELECT category_id FROM contact_placements WHERE owner_id = $1 AND contact_id = $2",
    )
    .bind(owner.0)
    .bind(person.0)
    .fetch_optional(&mut **tx)
    .await?;
    Ok(id.map(ContactCategoryId))
}

/// Places `person` in `category` of `owner` (`None`: "Autres contacts").
pub async fn place_contact(
    tx: &mut Tx,
    owner: ActorId,
    person: ActorId,
    category: Option<ContactCategoryId>,
) -> StoreResult<()> {
    sqlx::query("DELETE FROM contact_placements WHERE owner_id = $1 AND contact_id = $2")
        .bind(owner.0)
        .bind(person.0)
        .execute(&mut **tx)
        .await?;
    if let Some(category) = category {
        sqlx::query(
            "INSERT INTO contact_placements (owner_id, contact_id, category_id) \
             VALUES ($1, $2, $3)",
        )
        .bind(owner.0)
        .bind(person.0)
        .bind(category.0)
        .execute(&mut **tx)
        .await?;
    }
    Ok(())
}

/// Deletes `category` if nobody is placed in it any more; returns its
/// name when it did.
pub async fn drop_if_empty(
    tx: &mut Tx,
    category: ContactCategoryId,
) -> StoreResult<Option<String>> {
    let left: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM contact_placements WHERE category_id = $1")
            .bind(category.0)
            .fetch_one(&mut **tx)
            .await?;
    if left > 0 {
        return Ok(None);
    }
    let name: Option<String> =
        sqlx::query_scalar("DELETE FROM contact_categories WHERE id = $1 RETURNING name")
            .bind(category.0)
            .fetch_optional(&mut **tx)
            .await?;
    Ok(name)
}

/// Records that `refuser` refused the request of `asker`.
pub async fn insert_refusal(tx: &mut Tx, asker: ActorId, refuser: ActorId) -> StoreResult<()> {
    sqlx::query(
        "INSERT INTO contact_refusals (asker_id, refuser_id, refused_at) VALUES ($1, $2, $3) \
         ON CONFLICT (asker_id, refuser_id) DO UPDATE SET refused_at = excluded.refused_at",
    )
    .bind(asker.0)
    .bind(refuser.0)
    .bind(tx.now_ms())
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Forgets a refusal; returns whether there was one.
pub async fn delete_refusal(tx: &mut Tx, asker: ActorId, refuser: ActorId) -> StoreResult<bool> {
    let removed =
        sqlx::query("DELETE FROM contact_refusals WHERE asker_id = $1 AND refuser_id = $2")
            .bind(asker.0)
            .bind(refuser.0)
            .execute(&mut **tx)
            .await?
            .rows_affected();
    Ok(removed > 0)
}
