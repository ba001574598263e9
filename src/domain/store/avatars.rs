//! The `avatars` table: each actor's avatar, already cropped and resized
//! to the sizes served, as PNG (see `domain::avatars`).

use super::{actors::ActorId, Store, StoreResult, Tx};

/// An avatar ready to store: its version key and one PNG per size.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AvatarImages {
    /// A short hash of the images, put in their URLs (`?v=`).
    pub version: String,
    /// 48 × 48 PNG.
    pub small: Vec<u8>,
    /// 96 × 96 PNG.
    pub medium: Vec<u8>,
    /// 256 × 256 PNG.
    pub large: Vec<u8>,
}

/// Which stored size to read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AvatarSize {
    /// 48 px.
    Small,
    /// 96 px.
    Medium,
    /// 256 px.
    Large,
}

impl AvatarSize {
    fn column(self) -> &'static str {
        match self {
            AvatarSize::Small => "small",
            AvatarSize::Medium => "medium",
            AvatarSize::Large => "large",
        }
    }
}

impl Store {
    /// Stores (or replaces) the avatar of `actor`; `source_url` is the
    /// remote `icon` it came from, "" for an upload.
    pub async fn save_avatar(
        &self,
        actor: ActorId,
        images: &AvatarImages,
        source_url: &str,
    ) -> StoreResult<()> {
        let mut tx = self.begin().await?;
        let now = tx.now_ms();
        save_avatar_in(&mut tx, actor, images, source_url, now).await?;
        super::commit(tx).await
    }

    /// Removes the avatar of `actor`; whether there was one.
    pub async fn delete_avatar(&self, actor: ActorId) -> StoreResult<bool> {
        let mut tx = self.begin().await?;
        let removed = delete_avatar_in(&mut tx, actor).await?;
        super::commit(tx).await?;
        Ok(removed)
    }

    /// The version key and source URL of `actor`'s avatar, if any.
    pub async fn avatar_version(&self, actor: ActorId) -> StoreResult<Option<(String, String)>> {
        let row = sqlx::query_as("SELECT version, source_url FROM avatars WHERE actor_id = $1")
            .bind(actor.0)
            .fetch_optional(self.pool())
            .await?;
        Ok(row)
    }

    /// The version key and PNG of one size of `actor`'s avatar.
    pub async fn avatar_image(
        &self,
        actor: ActorId,
        size: AvatarSize,
    ) -> StoreResult<Option<(String, Vec<u8>)>> {
        let row = sqlx::query_as(&format!(
            "SELECT version, {} FROM avatars WHERE actor_id = $1",
            size.column()
        ))
        .bind(actor.0)
        .fetch_optional(self.pool())
        .await?;
        Ok(row)
    }
}

/// [`Store::save_avatar`] in the caller's transaction, dated `now`.
pub async fn save_avatar_in(
    tx: &mut Tx,
    actor: ActorId,
    images: &AvatarImages,
    source_url: &str,
    now: i64,
) -> StoreResult<()> {
    sqlx::query(
        "INSERT INTO avatars (actor_id, version, small, medium, large, source_url, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (actor_id) DO UPDATE SET \
         version = excluded.version, small = excluded.small, medium = excluded.medium, \
         large = excluded.large, source_url = excluded.source_url, \
         updated_at = excluded.updated_at",
    )
    .bind(actor.0)
    .bind(&images.version)
    .bind(images.small.as_slice())
    .bind(images.medium.as_slice())
    .bind(images.large.as_slice())
    .bind(source_url)
    .bind(now)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// [`Store::delete_avatar`] in the caller's transaction; whether there
/// was one.
pub async fn delete_avatar_in(tx: &mut Tx, actor: ActorId) -> StoreResult<bool> {
    let done = sqlx::query("DELETE FROM avatars WHERE actor_id = $1")
        .bind(actor.0)
        .execute(&mut **tx)
        .await?;
    Ok(done.rows_affected() > 0)
}

/// Marks `actor`'s document as changed at `now` (its avatar changed), in
/// the caller's transaction.
pub async fn touch_actor_in(tx: &mut Tx, actor: ActorId, now: i64) -> StoreResult<()> {
    sqlx::query("UPDATE actors SET updated_at = $1 WHERE id = $2")
        .bind(now)
        .bind(actor.0)
        .execute(&mut **tx)
        .await?;
    Ok(())
}
