//! Direct conversations with people of other servers
//! (`direct_conversations`, and `conversations.kind = 'direct'`): which
//! pair each one joins, and what replies need to be answered in the
//! sender's own form. The lines and participants are the conversations'
//! own (`super::conversations`).

use super::{
    actors::{qualified_actor_columns, ActorId, ActorRow},
    conversations::ConversationId,
    Store, StoreResult, Tx,
};

/// The form a direct conversation answers in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WireForm {
    /// A `Note` addressed to the person only (Mastodon-like servers).
    Note,
    /// A Pleroma/Akkoma `ChatMessage`.
    ChatMessage,
}

impl WireForm {
    /// As stored.
    pub fn as_str(self) -> &'static str {
        match self {
            WireForm::Note => "note",
            WireForm::ChatMessage => "chat_message",
        }
    }
}

impl From<String> for WireForm {
    fn from(text: String) -> Self {
        match text.as_str() {
            "chat_message" => WireForm::ChatMessage,
            _ => WireForm::Note,
        }
    }
}

/// A direct conversation as stored.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct DirectRow {
    /// The conversation.
    pub conversation_id: ConversationId,
    /// The local teacher.
    pub local_actor_id: ActorId,
    /// The person of the other server.
    pub remote_actor_id: ActorId,
    /// How replies are sent.
    #[sqlx(try_from = "String")]
    pub wire_form: WireForm,
    /// Their `context`, echoed in replies.
    pub remote_context: Option<String>,
    /// Their (Mastodon) `conversation`, echoed in replies.
    pub remote_conversation: Option<String>,
    /// The id of their last message (`inReplyTo` of replies).
    pub last_received_ap_id: Option<String>,
}

const DIRECT_COLUMNS: &str = "direct_conversations.conversation_id, \
     direct_conversations.local_actor_id, direct_conversations.remote_actor_id, \
     direct_conversations.wire_form, direct_conversations.remote_context, \
     direct_conversations.remote_conversation, direct_conversations.last_received_ap_id";

/// A message request in a teacher's "Demandes de message".
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct RequestRow {
    /// The conversation.
    pub conversation_id: ConversationId,
    /// The person asking.
    #[sqlx(flatten)]
    pub person: ActorRow,
    /// Their messages so far.
    pub messages: i64,
    /// The latest one's sanitised HTML.
    pub last_html: String,
    /// When it came, unix ms.
    pub last_at: i64,
}

/// What a new direct conversation records.
pub struct NewDirect {
    /// The conversation (already inserted).
    pub conversation: ConversationId,
    /// The local teacher.
    pub local: ActorId,
    /// The remote person.
    pub remote: ActorId,
    /// The form of the first message.
    pub wire_form: WireForm,
}

/// Marks a conversation as direct and records its pair; `false` when the
/// pair already has one (two first messages at once keep the first).
pub async fn insert_direct(tx: &mut Tx, new: &NewDirect) -> StoreResult<bool> {
    sqlx::query("UPDATE conversations SET kind = 'direct' WHERE id = $1")
        .bind(new.conversation.0)
        .execute(&mut **tx)
        .await?;
    let done = sqlx::query(
        "INSERT INTO direct_conversations (conversation_id, local_actor_id, remote_actor_id, \
         wire_form) VALUES ($1, $2, $3, $4) \
         ON CONFLICT (local_actor_id, remote_actor_id) DO NOTHING",
    )
    .bind(new.conversation.0)
    .bind(new.local.0)
    .bind(new.remote.0)
    .bind(new.wire_form.as_str())
    .execute(&mut **tx)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// The direct conversation of a pair, inside a transaction.
pub async fn direct_between(
    tx: &mut Tx,
    local: ActorId,
    remote: ActorId,
) -> StoreResult<Option<DirectRow>> {
    Ok(sqlx::query_as(&format!(
        "SELECT {DIRECT_COLUMNS} FROM direct_conversations \
         WHERE local_actor_id = $1 AND remote_actor_id = $2"
    ))
    .bind(local.0)
    .bind(remote.0)
    .fetch_optional(&mut **tx)
    .await?)
}

/// The direct conversation `id`, inside a transaction (`None` for a group
/// conversation).
pub async fn direct_in(tx: &mut Tx, id: ConversationId) -> StoreResult<Option<DirectRow>> {
    Ok(sqlx::query_as(&format!(
        "SELECT {DIRECT_COLUMNS} FROM direct_conversations WHERE conversation_id = $1"
    ))
    .bind(id.0)
    .fetch_optional(&mut **tx)
    .await?)
}

/// Records the last message received in direct conversation `id` (a
/// pair's, or a thread's when `thread`), and the sender's
/// `context`/`conversation` when they sent one.
pub async fn record_received(
    tx: &mut Tx,
    id: ConversationId,
    thread: bool,
    ap_id: &str,
    echoed: (Option<&str>, Option<&str>),
) -> StoreResult<()> {
    let table = if thread {
        "direct_threads"
    } else {
        "direct_conversations"
    };
    sqlx::query(&format!(
        "UPDATE {table} SET last_received_ap_id = $2, \
         remote_context = COALESCE($3, remote_context), \
         remote_conversation = COALESCE($4, remote_conversation) WHERE conversation_id = $1"
    ))
    .bind(id.0)
    .bind(ap_id)
    .bind(echoed.0)
    .bind(echoed.1)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Adds `actor` to a conversation in `state` (`joined`, `requested`),
/// seeing every line.
pub async fn add_participant(
    tx: &mut Tx,
    conversation: ConversationId,
    actor: ActorId,
    state: &str,
    invited_by: Option<ActorId>,
) -> StoreResult<()> {
    let now = tx.now_ms();
    sqlx::query(
        "INSERT INTO conversation_participants (conversation_id, actor_id, state, invited_by, \
         invited_at, joined_at, updated_at) VALUES ($1, $2, $3, $4, $5, $5, $5) \
         ON CONFLICT (conversation_id, actor_id) DO NOTHING",
    )
    .bind(conversation.0)
    .bind(actor.0)
    .bind(state)
    .bind(invited_by.map(|a| a.0))
    .bind(now)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Changes `actor`'s state from one of `from` to `to`; `false` when they
/// were in none of them (the same answer twice at once is made once).
pub async fn change_state(
    tx: &mut Tx,
    conversation: ConversationId,
    actor: ActorId,
    from: &[&str],
    to: &str,
) -> StoreResult<bool> {
    let now = tx.now_ms();
    let mut changed = false;
    for state in from {
        let done = sqlx::query(
            "UPDATE conversation_participants SET state = $3, joined_at = $4, updated_at = $4 \
             WHERE conversation_id = $1 AND actor_id = $2 AND state = $5",
        )
        .bind(conversation.0)
        .bind(actor.0)
        .bind(to)
        .bind(now)
        .bind(*state)
        .execute(&mut **tx)
        .await?;
        changed |= done.rows_affected() == 1;
    }
    Ok(changed)
}

/// A conversation of several people (a direct message to more than one),
/// as stored.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ThreadRow {
    /// The conversation.
    pub conversation_id: ConversationId,
    /// What the sender's server knows the thread by.
    pub thread: String,
    /// Their `context`, echoed in replies.
    pub remote_context: Option<String>,
    /// Their (Mastodon) `conversation`, echoed in replies.
    pub remote_conversation: Option<String>,
    /// The id of the last message received (`inReplyTo` of replies).
    pub last_received_ap_id: Option<String>,
}

const THREAD_COLUMNS: &str = "direct_threads.conversation_id, direct_threads.thread, \
     direct_threads.remote_context, direct_threads.remote_conversation, \
     direct_threads.last_received_ap_id";

/// Marks a conversation as direct, kept by `thread`.
pub async fn insert_thread(tx: &mut Tx, id: ConversationId, thread: &str) -> StoreResult<()> {
    sqlx::query("UPDATE conversations SET kind = 'direct' WHERE id = $1")
        .bind(id.0)
        .execute(&mut **tx)
        .await?;
    sqlx::query("INSERT INTO direct_threads (conversation_id, thread) VALUES ($1, $2)")
        .bind(id.0)
        .bind(thread)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// The thread conversation `id` (`None` for any other conversation).
pub async fn thread_in<'c, E>(executor: E, id: ConversationId) -> StoreResult<Option<ThreadRow>>
where
    E: sqlx::Executor<'c, Database = sqlx::Any>,
{
    Ok(sqlx::query_as(&format!(
        "SELECT {THREAD_COLUMNS} FROM direct_threads WHERE conversation_id = $1"
    ))
    .bind(id.0)
    .fetch_optional(executor)
    .await?)
}

/// The thread conversations a message may belong to: those kept by
/// `thread`, and the one holding the message it answers (`in_reply_to`),
/// oldest first.
pub async fn thread_candidates(
    tx: &mut Tx,
    thread: &str,
    in_reply_to: Option<&str>,
) -> StoreResult<Vec<ConversationId>> {
    let ids: Vec<i64> = sqlx::query_scalar(
        "SELECT conversation_id FROM direct_threads WHERE thread = $1 \
         UNION SELECT t.conversation_id FROM direct_threads t \
         JOIN conversation_lines l ON l.conversation_id = t.conversation_id \
         WHERE l.ap_id = $2 ORDER BY 1",
    )
    .bind(thread)
    .bind(in_reply_to)
    .fetch_all(&mut **tx)
    .await?;
    Ok(ids.into_iter().map(ConversationId).collect())
}

/// The local people taking part in conversation `id` (any state but
/// `left` or `removed`), by id.
pub async fn local_people_in(tx: &mut Tx, id: ConversationId) -> StoreResult<Vec<ActorId>> {
    let ids: Vec<i64> = sqlx::query_scalar(
        "SELECT p.actor_id FROM conversation_participants p \
         JOIN actors a ON a.id = p.actor_id \
         WHERE p.conversation_id = $1 AND a.domain = '' \
         AND p.state NOT IN ('left', 'removed') ORDER BY p.actor_id",
    )
    .bind(id.0)
    .fetch_all(&mut **tx)
    .await?;
    Ok(ids.into_iter().map(ActorId).collect())
}

/// Everyone in conversation `id` but `author`, in the order they came
/// (any state but `left` or `removed`): whom a message of `author` there
/// is addressed to.
pub async fn people_but<'c, E>(
    executor: E,
    id: ConversationId,
    author: ActorId,
) -> StoreResult<Vec<ActorRow>>
where
    E: sqlx::Executor<'c, Database = sqlx::Any>,
{
    Ok(sqlx::query_as(&format!(
        "SELECT {} FROM conversation_participants p \
         JOIN actors ON actors.id = p.actor_id \
         WHERE p.conversation_id = $1 AND p.actor_id <> $2 \
         AND p.state NOT IN ('left', 'removed') ORDER BY p.invited_at, p.actor_id",
        qualified_actor_columns()
    ))
    .bind(id.0)
    .bind(author.0)
    .fetch_all(executor)
    .await?)
}

/// Whether a message with this ActivityPub id is stored already.
pub async fn line_exists(tx: &mut Tx, ap_id: &str) -> StoreResult<bool> {
    let found: Option<i64> =
        sqlx::query_scalar("SELECT id FROM conversation_lines WHERE ap_id = $1")
            .bind(ap_id)
            .fetch_optional(&mut **tx)
            .await?;
    Ok(found.is_some())
}

/// The line of a direct conversation holding the message `ap_id`, with
/// its conversation.
pub async fn direct_line_at(
    tx: &mut Tx,
    ap_id: &str,
) -> StoreResult<Option<(ConversationId, i64, ActorId)>> {
    let row: Option<(i64, i64, i64)> = sqlx::query_as(
        "SELECT l.conversation_id, l.id, l.actor_id FROM conversation_lines l \
         JOIN conversations c ON c.id = l.conversation_id AND c.kind = 'direct' \
         WHERE l.ap_id = $1 AND l.kind = 'message' AND l.deleted_at IS NULL",
    )
    .bind(ap_id)
    .fetch_optional(&mut **tx)
    .await?;
    Ok(row.map(|(c, l, a)| (ConversationId(c), l, ActorId(a))))
}

impl Store {
    /// The author of the message `ap_id` of a direct conversation, if it
    /// is one (and not deleted).
    pub async fn direct_message_author(&self, ap_id: &str) -> StoreResult<Option<ActorId>> {
        let author: Option<i64> = sqlx::query_scalar(
            "SELECT l.actor_id FROM conversation_lines l \
             JOIN conversations c ON c.id = l.conversation_id AND c.kind = 'direct' \
             WHERE l.ap_id = $1 AND l.kind = 'message' AND l.deleted_at IS NULL",
        )
        .bind(ap_id)
        .fetch_optional(self.pool())
        .await?;
        Ok(author.map(ActorId))
    }

    /// The thread conversation `id` (`None` for any other conversation).
    pub async fn direct_thread(&self, id: ConversationId) -> StoreResult<Option<ThreadRow>> {
        thread_in(self.pool(), id).await
    }

    /// Everyone in conversation `id` but `author` (see [`people_but`]).
    pub async fn direct_people_but(
        &self,
        id: ConversationId,
        author: ActorId,
    ) -> StoreResult<Vec<ActorRow>> {
        people_but(self.pool(), id, author).await
    }

    /// The direct conversation `id` (`None` for a group conversation).
    pub async fn direct_conversation(&self, id: ConversationId) -> StoreResult<Option<DirectRow>> {
        Ok(sqlx::query_as(&format!(
            "SELECT {DIRECT_COLUMNS} FROM direct_conversations WHERE conversation_id = $1"
        ))
        .bind(id.0)
        .fetch_optional(self.pool())
        .await?)
    }

    /// Whether a conversation's `context` id is a group conversation
    /// known here (hosted, or joined elsewhere): its messages are not
    /// direct messages.
    pub async fn is_group_conversation(&self, ap_id: &str) -> StoreResult<bool> {
        let found: Option<i64> = sqlx::query_scalar(
            "SELECT id FROM conversations WHERE ap_id = $1 AND kind <> 'direct'",
        )
        .bind(ap_id)
        .fetch_optional(self.pool())
        .await?;
        Ok(found.is_some())
    }

    /// `actor`'s message requests (one per conversation: per person, or
    /// per thread of a message to several), latest first; the person
    /// asking is the one whose message opened it.
    pub async fn message_requests(&self, actor: ActorId) -> StoreResult<Vec<RequestRow>> {
        Ok(sqlx::query_as(&format!(
            "SELECT c.id AS conversation_id, {}, \
             (SELECT COUNT(*) FROM conversation_lines l WHERE l.conversation_id = c.id \
              AND l.kind = 'message' AND l.deleted_at IS NULL) AS messages, \
             COALESCE((SELECT l.html FROM conversation_lines l \
              WHERE l.conversation_id = c.id AND l.kind = 'message' \
              AND l.deleted_at IS NULL ORDER BY l.id DESC LIMIT 1), '') AS last_html, \
             c.updated_at AS last_at \
             FROM conversation_participants p \
             JOIN conversations c ON c.id = p.conversation_id AND c.kind = 'direct' \
             JOIN actors ON actors.id = p.invited_by \
             WHERE p.actor_id = $1 AND p.state = 'requested' \
             ORDER BY c.updated_at DESC, c.id DESC LIMIT 500",
            qualified_actor_columns()
        ))
        .bind(actor.0)
        .fetch_all(self.pool())
        .await?)
    }

    /// How many people ask `actor` to talk (requests waiting).
    pub async fn message_request_count(&self, actor: ActorId) -> StoreResult<i64> {
        Ok(sqlx::query_scalar(
            "SELECT COUNT(*) FROM conversation_participants p \
             JOIN conversations c ON c.id = p.conversation_id AND c.kind = 'direct' \
             WHERE p.actor_id = $1 AND p.state = 'requested'",
        )
        .bind(actor.0)
        .fetch_one(self.pool())
        .await?)
    }
}
