//! The `likes` table: "helpful" marks on forum posts, with the `Like`
//! activity that made each.

use super::{actors::ActorId, posts::PostId, Store, StoreResult, Tx};

/// Records a "helpful" mark; returns whether it is new.
pub async fn insert_like(
    tx: &mut Tx,
    post: PostId,
    actor: ActorId,
    activity_id: &str,
) -> StoreResult<bool> {
    let inserted = sqlx::query(
        "INSERT INTO likes (post_id, actor_id, activity_id, created_at) VALUES ($1, $2, $3, $4) \
         ON CONFLICT (post_id, actor_id) DO NOTHING",
    )
    .bind(post.0)
    .bind(actor.0)
    .bind(activity_id)
    .bind(tx.now_ms())
    .execute(&mut **tx)
    .await?
    .rows_affected();
    Ok(inserted > 0)
}

/// Removes a "helpful" mark; returns whether there was one.
pub async fn delete_like(tx: &mut Tx, post: PostId, actor: ActorId) -> StoreResult<bool> {
    let removed = sqlx::query("DELETE FROM likes WHERE post_id = $1 AND actor_id = $2")
        .bind(post.0)
        .bind(actor.0)
        .execute(&mut **tx)
        .await?
        .rows_affected();
    Ok(removed > 0)
}

impl Store {
    /// The id of the `Like` by which `actor` marked `post`, if any.
    pub async fn like_activity_id(
        &self,
        post: PostId,
        actor: ActorId,
    ) -> StoreResult<Option<String>> {
        Ok(
            sqlx::query_scalar(
                "SELECT activity_id FROM likes WHERE post_id = $1 AND actor_id = $2",
            )
            .bind(post.0)
            .bind(actor.0)
            .fetch_optional(self.pool())
            .await?,
        )
    }

    /// The posts of a thread that `actor` marked as helpful.
    pub async fn liked_in_thread(&self, thread: PostId, actor: ActorId) -> StoreResult<Vec<i64>> {
        Ok(sqlx::query_scalar(
            "SELECT likes.post_id FROM likes JOIN posts ON posts.id = likes.post_id \
             WHERE likes.actor_id = $1 AND (posts.id = $2 OR posts.thread_id = $2)",
        )
        .bind(actor.0)
        .bind(thread.0)
        .fetch_all(self.pool())
        .await?)
    }

    /// Whether `actor` marked `post` as helpful.
    pub async fn has_liked(&self, post: PostId, actor: ActorId) -> StoreResult<bool> {
        let found: Option<i64> = sqlx::query_scalar(
            "SELECT CAST(1 AS BIGINT) FROM likes WHERE post_id = $1 AND actor_id = $2",
        )
        .bind(post.0)
        .bind(actor.0)
        .fetch_optional(self.pool())
        .await?;
        Ok(found.is_some())
    }
}
