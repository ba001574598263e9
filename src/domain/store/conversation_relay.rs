//! What conversations across instances need from the store: finding a
//! conversation, a participant or a line by its ActivityPub id, the
//! instances that take part (where the host relays), and what a mirror
//! writes when the host tells it who is in.

use super::{
    actors::ActorId,
    conversations::{ConversationId, ConversationRow, LineRow, ParticipantRow, ParticipantState},
    Store, StoreResult, Tx,
};

const CONVERSATION_BY_AP_ID: &str =
    "SELECT id, ap_id, name, creator_id, min_level, created_at, updated_at, kind \
     FROM conversations WHERE ap_id = $1";

/// [`Store::conversation_by_ap_id`], inside a transaction.
pub async fn conversation_by_ap_id_in(
    tx: &mut Tx,
    ap_id: &str,
) -> StoreResult<Option<ConversationRow>> {
    Ok(sqlx::query_as(CONVERSATION_BY_AP_ID)
        .bind(ap_id)
        .fetch_optional(&mut **tx)
        .await?)
}

fn line_by_ap_id_query() -> String {
    format!(
        "SELECT {} FROM conversation_lines WHERE ap_id = $1",
        super::conversations::LINE_COLUMNS
    )
}

/// [`Store::line_by_ap_id`], inside a transaction.
pub async fn line_by_ap_id_in(tx: &mut Tx, ap_id: &str) -> StoreResult<Option<LineRow>> {
    Ok(sqlx::query_as(&line_by_ap_id_query())
        .bind(ap_id)
        .fetch_optional(&mut **tx)
        .await?)
}

impl Store {
    /// A conversation by its ActivityPub id (hosted here or mirrored).
    pub async fn conversation_by_ap_id(&self, ap_id: &str) -> StoreResult<Option<ConversationRow>> {
        Ok(sqlx::query_as(CONVERSATION_BY_AP_ID)
            .bind(ap_id)
            .fetch_optional(self.pool())
            .await?)
    }

    /// The participant an `Invite` (by its id) invited.
    pub async fn participant_by_invite(
        &self,
        invite_ap_id: &str,
    ) -> StoreResult<Option<ParticipantRow>> {
        Ok(sqlx::query_as(
            "SELECT conversation_id, actor_id, state, invited_by, removed_by, invited_at, \
             joined_at, first_line, read_line, invite_ap_id FROM conversation_participants \
             WHERE invite_ap_id = $1",
        )
        .bind(invite_ap_id)
        .fetch_optional(self.pool())
        .await?)
    }

    /// A message line by its ActivityPub id.
    pub async fn line_by_ap_id(&self, ap_id: &str) -> StoreResult<Option<LineRow>> {
        Ok(sqlx::query_as(&line_by_ap_id_query())
            .bind(ap_id)
            .fetch_optional(self.pool())
            .await?)
    }

    /// Whether an actor of instance `domain` (a remote host, never this
    /// one) is in the conversation in one of `states`, as this instance
    /// knows it.
    pub async fn conversation_has_participant_at(
        &self,
        conversation: ConversationId,
        domain: &str,
        states: &[ParticipantState],
    ) -> StoreResult<bool> {
        for state in states {
            let found: Option<i64> = sqlx::query_scalar(
                "SELECT p.actor_id FROM conversation_participants p \
                 JOIN actors ON actors.id = p.actor_id \
                 WHERE p.conversation_id = $1 AND actors.domain = $2 AND p.state = $3 LIMIT 1",
            )
            .bind(conversation.0)
            .bind(domain)
            .bind(state.as_str())
            .fetch_optional(self.pool())
            .await?;
            if found.is_some() {
                return Ok(true);
            }
        }
        Ok(false)
    }
}

/// The inboxes (shared when offered) of the other instances with a
/// participant in `state`, once per server.
pub async fn participant_inboxes(
    tx: &mut Tx,
    conversation: ConversationId,
    state: ParticipantState,
) -> StoreResult<Vec<String>> {
    Ok(sqlx::query_scalar(
        "SELECT DISTINCT COALESCE(actors.shared_inbox, actors.inbox) \
         FROM conversation_participants p JOIN actors ON actors.id = p.actor_id \
         WHERE p.conversation_id = $1 AND p.state = $2 AND actors.domain <> ''",
    )
    .bind(conversation.0)
    .bind(state.as_str())
    .fetch_all(&mut **tx)
    .await?)
}

/// Places a line where the host put it.
pub async fn set_line_position(tx: &mut Tx, line: i64, position: i64) -> StoreResult<()> {
    sqlx::query("UPDATE conversation_lines SET position = $2 WHERE id = $1")
        .bind(line)
        .bind(position)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// A mirror records what the host says of a participant: their state and
/// who invited or removed them, adding the row when new. A local teacher
/// who joins here starts reading after `first_line`.
pub async fn mirror_participant(
    tx: &mut Tx,
    conversation: ConversationId,
    actor: ActorId,
    state: ParticipantState,
    invited_by: Option<ActorId>,
    first_line: i64,
) -> StoreResult<()> {
    let now = tx.now_ms();
    sqlx::query(
        "INSERT INTO conversation_participants (conversation_id, actor_id, state, invited_by, \
         invited_at, joined_at, first_line, read_line, updated_at) \
         VALUES ($1, $2, $3, $4, $5, CASE WHEN $3 = 'joined' THEN CAST($5 AS BIGINT) END, $6, $6, $5) \
         ON CONFLICT (conversation_id, actor_id) DO UPDATE SET state = excluded.state, \
         invited_by = COALESCE(excluded.invited_by, conversation_participants.invited_by), \
         joined_at = CASE WHEN excluded.state = 'joined' \
           AND conversation_participants.state <> 'joined' THEN excluded.invited_at \
           ELSE conversation_participants.joined_at END, \
         first_line = CASE WHEN excluded.state = 'joined' \
           AND conversation_participants.state <> 'joined' THEN excluded.first_line \
           ELSE conversation_participants.first_line END, \
         read_line = CASE WHEN excluded.state = 'joined' \
           AND conversation_participants.state <> 'joined' THEN excluded.first_line \
           ELSE conversation_participants.read_line END, \
         updated_at = excluded.updated_at \
         WHERE conversation_participants.state <> excluded.state",
    )
    .bind(conversation.0)
    .bind(actor.0)
    .bind(state.as_str())
    .bind(invited_by.map(|a| a.0))
    .bind(now)
    .bind(first_line)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// A mirror records that the creator removed `actor`.
pub async fn mark_removed(
    tx: &mut Tx,
    conversation: ConversationId,
    actor: ActorId,
    by: ActorId,
) -> StoreResult<()> {
    let now = tx.now_ms();
    sqlx::query(
        "UPDATE conversation_participants SET state = 'removed', removed_by = $3, \
         updated_at = $4 WHERE conversation_id = $1 AND actor_id = $2",
    )
    .bind(conversation.0)
    .bind(actor.0)
    .bind(by.0)
    .bind(now)
    .execute(&mut **tx)
    .await?;
    Ok(())
}
