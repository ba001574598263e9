//! The `received_activities` table: each activity id is applied once.

use super::{Store, StoreResult, Tx};

/// Records an activity id in the transaction that applies it. Returns
/// `false` when it was already recorded: the caller must then roll back
/// and answer as for a success, applying nothing twice.
pub async fn record_received(tx: &mut Tx, ap_id: &str) -> StoreResult<bool> {
    let inserted = sqlx::query(
        "INSERT INTO received_activities (ap_id, received_at) VALUES ($1, $2) ON CONFLICT (ap_id) DO NOTHING",
    )
    .bind(ap_id)
    .bind(tx.now_ms())
    .execute(&mut **tx)
    .await?
    .rows_affected();
    Ok(inserted == 1)
}

impl Store {
    #[cfg(feature = "test-support")]
    /// Whether this activity id was already applied.
    pub async fn was_received(&self, ap_id: &str) -> StoreResult<bool> {
        let found: Option<i64> = sqlx::query_scalar(
            "SELECT CAST(1 AS BIGINT) FROM received_activities WHERE ap_id = $1",
        )
        .bind(ap_id)
        .fetch_optional(self.pool())
        .await?;
        Ok(found.is_some())
    }
}
