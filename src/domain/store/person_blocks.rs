//! The `person_blocks` table: the people a teacher blocked. Private to the
//! blocker; nothing here is federated.

use super::{
    actors::{qualified_actor_columns, ActorId},
    contacts::ContactView,
    Store, StoreResult, Tx,
};

impl Store {
    /// Whether `blocker` blocked `other`.
    pub async fn blocks(&self, blocker: ActorId, other: ActorId) -> StoreResult<bool> {
        let found: Option<i64> = sqlx::query_scalar(
            "SELECT created_at FROM person_blocks WHERE blocker_id = $1 AND blocked_id = $2",
        )
        .bind(blocker.0)
        .bind(other.0)
        .fetch_optional(self.pool())
        .await?;
        Ok(found.is_some())
    }

    /// The people ever invited to `conversation` whom `blocker` blocked,
    /// in one query whatever their number.
    pub async fn blocked_in_conversation(
        &self,
        blocker: ActorId,
        conversation: super::conversations::ConversationId,
    ) -> StoreResult<Vec<ActorId>> {
        let ids: Vec<i64> = sqlx::query_scalar(
            "SELECT person_blocks.blocked_id FROM person_blocks \
             JOIN conversation_participants \
             ON conversation_participants.actor_id = person_blocks.blocked_id \
             WHERE person_blocks.blocker_id = $1 \
             AND conversation_participants.conversation_id = $2",
        )
        .bind(blocker.0)
        .bind(conversation.0)
        .fetch_all(self.pool())
        .await?;
        Ok(ids.into_iter().map(ActorId).collect())
    }

    /// The people `blocker` blocked, last blocked first, with since when.
    pub async fn blocked_by(&self, blocker: ActorId) -> StoreResult<Vec<ContactView>> {
        Ok(sqlx::query_as(&format!(
            "SELECT {}, person_blocks.created_at AS since FROM person_blocks \
             JOIN actors ON actors.id = person_blocks.blocked_id \
             WHERE person_blocks.blocker_id = $1 \
             ORDER BY person_blocks.created_at DESC, actors.id LIMIT 1000",
            qualified_actor_columns()
        ))
        .bind(blocker.0)
        .fetch_all(self.pool())
        .await?)
    }
}

/// Records that `blocker` blocked `blocked`; `false` if it already was.
pub async fn insert_block(tx: &mut Tx, blocker: ActorId, blocked: ActorId) -> StoreResult<bool> {
    let added = sqlx::query(
        "INSERT INTO person_blocks (blocker_id, blocked_id, created_at) VALUES ($1, $2, $3) \
         ON CONFLICT (blocker_id, blocked_id) DO NOTHING",
    )
    .bind(blocker.0)
    .bind(blocked.0)
    .bind(tx.now_ms())
    .execute(&mut **tx)
    .await?
    .rows_affected();
    Ok(added > 0)
}

/// Lifts a block; `false` if there was none.
pub async fn delete_block(tx: &mut Tx, blocker: ActorId, blocked: ActorId) -> StoreResult<bool> {
    let removed =
        sqlx::query("DELETE FROM person_blocks WHERE blocker_id = $1 AND blocked_id = $2")
            .bind(blocker.0)
            .bind(blocked.0)
            .execute(&mut **tx)
            .await?
            .rows_affected();
    Ok(removed > 0)
}
