//! Conversations (`conversations`, `conversation_participants`,
//! `conversation_lines`): who takes part in which, and what each shows, in
//! order. The store never decides who may read: the domain does.

use super::{
    actors::{qualified_actor_columns, ActorId, ActorRow},
    Store, StoreResult, Tx,
};

/// A conversation's database id.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, sqlx::Type)]
#[sqlx(transparent)]
pub struct ConversationId(pub i64);

/// A conversation as stored.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ConversationRow {
    /// Database id.
    pub id: ConversationId,
    /// ActivityPub id, on the host.
    pub ap_id: String,
    /// The name given at creation.
    pub name: String,
    /// Who started it.
    pub creator_id: ActorId,
    /// The lowest trust level of participants, if any.
    pub min_level: Option<String>,
    /// Creation time, unix ms.
    pub created_at: i64,
    /// Last change (a line, a participant), unix ms.
    pub updated_at: i64,
    /// `group` (named, between Préau teachers) or `direct` (one-to-one
    /// with a person of another fediverse server).
    pub kind: String,
}

impl ConversationRow {
    /// Whether it is a one-to-one conversation with a person of another
    /// fediverse server (answered as direct messages, never relayed).
    pub fn is_direct(&self) -> bool {
        self.kind == "direct"
    }
}

const CONVERSATION_COLUMNS: &str = "conversations.id, conversations.ap_id, conversations.name, \
     conversations.creator_id, conversations.min_level, conversations.created_at, \
     conversations.updated_at, conversations.kind";

/// Where a participant stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ParticipantState {
    /// Invited, not answered yet.
    Invited,
    /// Taking part.
    Joined,
    /// Declined the invitation.
    Declined,
    /// Left.
    Left,
    /// Removed by the creator.
    Removed,
    /// A direct message from a stranger of another server: in "Demandes
    /// de message" until accepted (see `domain::direct_messages`).
    Requested,
    /// A message request ignored: hidden, and so are later messages.
    Ignored,
}

impl ParticipantState {
    /// As stored.
    pub fn as_str(self) -> &'static str {
        match self {
            ParticipantState::Invited => "invited",
            ParticipantState::Joined => "joined",
            ParticipantState::Declined => "declined",
            ParticipantState::Left => "left",
            ParticipantState::Removed => "removed",
            ParticipantState::Requested => "requested",
            ParticipantState::Ignored => "ignored",
        }
    }
}

impl From<String> for ParticipantState {
    fn from(text: String) -> Self {
        match text.as_str() {
            "invited" => ParticipantState::Invited,
            "joined" => ParticipantState::Joined,
            "declined" => ParticipantState::Declined,
            "removed" => ParticipantState::Removed,
            "requested" => ParticipantState::Requested,
            "ignored" => ParticipantState::Ignored,
            _ => ParticipantState::Left,
        }
    }
}

/// One participant row.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ParticipantRow {
    /// The conversation.
    pub conversation_id: ConversationId,
    /// The person.
    pub actor_id: ActorId,
    /// Where they stand.
    #[sqlx(try_from = "String")]
    pub state: ParticipantState,
    /// Who invited them (none for the creator).
    pub invited_by: Option<ActorId>,
    /// Who removed them.
    pub removed_by: Option<ActorId>,
    /// When invited, unix ms.
    pub invited_at: i64,
    /// When they last joined, unix ms.
    pub joined_at: Option<i64>,
    /// The last line before they joined.
    pub first_line: i64,
    /// The last line they read.
    pub read_line: i64,
    /// The id of the `Invite` that invited them (across instances).
    pub invite_ap_id: Option<String>,
}

const PARTICIPANT_COLUMNS: &str = "conversation_participants.conversation_id, \
     conversation_participants.actor_id, conversation_participants.state, \
     conversation_participants.invited_by, conversation_participants.removed_by, \
     conversation_participants.invited_at, conversation_participants.joined_at, \
     conversation_participants.first_line, conversation_participants.read_line, \
     conversation_participants.invite_ap_id";

/// A participant with the person.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ParticipantView {
    /// The row.
    #[sqlx(flatten)]
    pub row: ParticipantRow,
    /// The person.
    #[sqlx(flatten)]
    pub person: ActorRow,
}

/// One line of a conversation: a message or an event.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct LineRow {
    /// Database id; lines are shown in its order.
    pub id: i64,
    /// The conversation.
    pub conversation_id: ConversationId,
    /// `message`, `locked`, `unlocked`, `joined`, `left` or `removed`.
    pub kind: String,
    /// The author of a message, or whom an event is about.
    pub actor_id: ActorId,
    /// A message's ActivityPub id.
    pub ap_id: Option<String>,
    /// A message's Markdown.
    pub source: String,
    /// A message's sanitised HTML.
    pub html: String,
    /// When, unix ms.
    pub created_at: i64,
    /// When a message was last edited.
    pub edited_at: Option<i64>,
    /// When a message was deleted (its text is gone).
    pub deleted_at: Option<i64>,
    /// Its place in the host's order (see [`LinePlace`]).
    pub position: Option<i64>,
    /// Why the conversation's host (elsewhere) refused this message of a
    /// teacher of here, if it did.
    pub refused_reason: Option<String>,
    /// A received message's attachments, a JSON array of [`Attachment`]s
    /// (`[]` for the rest).
    pub attachments: String,
}

impl LineRow {
    /// Its attachments (none once deleted).
    pub fn attachments(&self) -> Vec<Attachment> {
        if self.deleted_at.is_some() {
            return Vec::new();
        }
        serde_json::from_str(&self.attachments).unwrap_or_default()
    }
}

/// An attachment of a message received from another server, as stored:
/// an http(s) link, checked before it was stored.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Attachment {
    /// Where it is (http or https).
    pub url: String,
    /// Its media type, when given (`image/jpeg`).
    pub media_type: Option<String>,
    /// What to show: its name (description), else its file name.
    pub name: String,
}

/// Stores the attachments of line `id` (a JSON array).
pub async fn set_attachments(tx: &mut Tx, id: i64, attachments: &[Attachment]) -> StoreResult<()> {
    let json = serde_json::to_string(attachments).unwrap_or_else(|_| "[]".into());
    sqlx::query("UPDATE conversation_lines SET attachments = $2 WHERE id = $1")
        .bind(id)
        .bind(json)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

pub(super) const LINE_COLUMNS: &str = "id, conversation_id, kind, actor_id, ap_id, source, html, \
     created_at, edited_at, deleted_at, position, refused_reason, attachments";

/// Where a new line goes in the host's order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LinePlace {
    /// On the host: its own id.
    Host,
    /// On a mirror, as the host placed it.
    Relayed(i64),
    /// On a mirror, written here and not placed by the host yet: after
    /// the last line known.
    AfterLast,
}

/// A conversation in a teacher's list, with where they stand in it.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ConversationListRow {
    /// The conversation.
    #[sqlx(flatten)]
    pub conversation: ConversationRow,
    /// The teacher's participation.
    #[sqlx(try_from = "String")]
    pub my_state: ParticipantState,
    /// Who invited them.
    pub my_invited_by: Option<ActorId>,
    /// Who removed them.
    pub my_removed_by: Option<ActorId>,
    /// Messages of others they have not read.
    pub unread: i64,
}

/// A new line.
pub struct NewLine<'a> {
    /// The conversation.
    pub conversation: ConversationId,
    /// Its kind.
    pub kind: &'a str,
    /// Author or subject.
    pub actor: ActorId,
    /// A message's ActivityPub id.
    pub ap_id: Option<&'a str>,
    /// A message's Markdown.
    pub source: &'a str,
    /// A message's sanitised HTML.
    pub html: &'a str,
    /// Its place in the host's order.
    pub place: LinePlace,
}

/// The unread messages of `$1`'s participation row `p` (an SQL fragment).
pub(crate) const UNREAD: &str = "(SELECT COUNT(*) FROM conversation_lines l \
     WHERE l.conversation_id = p.conversation_id AND l.kind = 'message' \
     AND l.deleted_at IS NULL AND l.actor_id <> p.actor_id \
     AND l.id > p.read_line AND l.id > p.first_line)";

/// Stores a new conversation, returning its id.
pub async fn insert_conversation(
    tx: &mut Tx,
    ap_id: &str,
    name: &str,
    creator: ActorId,
    min_level: Option<&str>,
) -> StoreResult<ConversationId> {
    insert_mirrored_conversation(tx, ap_id, name, creator, min_level)
        .await?
        .ok_or_else(|| super::StoreError::Corrupt(format!("conversation {ap_id} exists")))
}

/// Stores the mirror of a conversation hosted elsewhere, returning its id,
/// or `None` when another transaction stored it first.
pub async fn insert_mirrored_conversation(
    tx: &mut Tx,
    ap_id: &str,
    name: &str,
    creator: ActorId,
    min_level: Option<&str>,
) -> StoreResult<Option<ConversationId>> {
    let now = tx.now_ms();
    let id: Option<i64> = sqlx::query_scalar(
        "INSERT INTO conversations (ap_id, name, creator_id, min_level, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $5) ON CONFLICT (ap_id) DO NOTHING RETURNING id",
    )
    .bind(ap_id)
    .bind(name)
    .bind(creator.0)
    .bind(min_level)
    .bind(now)
    .fetch_optional(&mut **tx)
    .await?;
    Ok(id.map(ConversationId))
}

/// Invites `actor` (again, after they declined, left or were removed).
pub async fn invite_participant(
    tx: &mut Tx,
    conversation: ConversationId,
    actor: ActorId,
    invited_by: Option<ActorId>,
    invite_ap_id: Option<&str>,
) -> StoreResult<()> {
    let now = tx.now_ms();
    sqlx::query(
        "INSERT INTO conversation_participants (conversation_id, actor_id, state, invited_by, \
         invited_at, updated_at, invite_ap_id) VALUES ($1, $2, 'invited', $3, $4, $4, $5) \
         ON CONFLICT (conversation_id, actor_id) DO UPDATE SET state = 'invited', \
         invited_by = excluded.invited_by, removed_by = NULL, invited_at = excluded.invited_at, \
         updated_at = excluded.updated_at, invite_ap_id = excluded.invite_ap_id",
    )
    .bind(conversation.0)
    .bind(actor.0)
    .bind(invited_by.map(|a| a.0))
    .bind(now)
    .bind(invite_ap_id)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// `actor`, invited, joins: from now on they see the lines after
/// `first_line`. `false` when they were not invited (any more): two
/// answers at once join once.
pub async fn join_participant(
    tx: &mut Tx,
    conversation: ConversationId,
    actor: ActorId,
    first_line: i64,
) -> StoreResult<bool> {
    let now = tx.now_ms();
    let done = sqlx::query(
        "UPDATE conversation_participants SET state = 'joined', joined_at = $3, \
         first_line = $4, read_line = $4, updated_at = $3 \
         WHERE conversation_id = $1 AND actor_id = $2 AND state = 'invited'",
    )
    .bind(conversation.0)
    .bind(actor.0)
    .bind(now)
    .bind(first_line)
    .execute(&mut **tx)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// `actor` declines, leaves or is removed (`removed_by`), from the state
/// `from` (`invited` or `joined`). `false` when they were not in it (any
/// more): the same change asked twice at once is made once.
pub async fn end_participation(
    tx: &mut Tx,
    conversation: ConversationId,
    actor: ActorId,
    (from, state): (ParticipantState, ParticipantState),
    removed_by: Option<ActorId>,
) -> StoreResult<bool> {
    let now = tx.now_ms();
    let done = sqlx::query(
        "UPDATE conversation_participants SET state = $3, removed_by = $4, updated_at = $5 \
         WHERE conversation_id = $1 AND actor_id = $2 AND state = $6",
    )
    .bind(conversation.0)
    .bind(actor.0)
    .bind(state.as_str())
    .bind(removed_by.map(|a| a.0))
    .bind(now)
    .bind(from.as_str())
    .execute(&mut **tx)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Marks line `id` as refused by the conversation's host, with its reason.
pub async fn mark_line_refused(tx: &mut Tx, id: i64, reason: &str) -> StoreResult<()> {
    sqlx::query("UPDATE conversation_lines SET refused_reason = $1 WHERE id = $2")
        .bind(reason)
        .bind(id)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// Adds a line, returning its id.
pub async fn insert_line(tx: &mut Tx, line: &NewLine<'_>) -> StoreResult<i64> {
    let now = tx.now_ms();
    // The conversation's row first: on PostgreSQL its lock makes the
    // transactions that add lines to one conversation take their ids one
    // after the other, so a conversation's line ids grow in the order
    // their transactions commit (a stream, a page reading "the lines after
    // N" and the host's positions all rely on it; otherwise a line given
    // a smaller id but committed later is never shown live). SQLite has one
    // writer at a time already.
    sqlx::query("UPDATE conversations SET updated_at = $2 WHERE id = $1")
        .bind(line.conversation.0)
        .bind(now)
        .execute(&mut **tx)
        .await?;
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO conversation_lines (conversation_id, kind, actor_id, ap_id, source, html, \
         created_at) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
    )
    .bind(line.conversation.0)
    .bind(line.kind)
    .bind(line.actor.0)
    .bind(line.ap_id)
    .bind(line.source)
    .bind(line.html)
    .bind(now)
    .fetch_one(&mut **tx)
    .await?;
    let position = match line.place {
        LinePlace::Host => Some(id),
        LinePlace::Relayed(position) => Some(position),
        LinePlace::AfterLast => None,
    };
    match position {
        Some(position) => {
            sqlx::query("UPDATE conversation_lines SET position = $2 WHERE id = $1")
                .bind(id)
                .bind(position)
                .execute(&mut **tx)
                .await?;
        }
        None => {
            sqlx::query(
                "UPDATE conversation_lines SET position = (SELECT COALESCE(MAX(position), 0) \
                 FROM conversation_lines WHERE conversation_id = $2 AND id <> $1) WHERE id = $1",
            )
            .bind(id)
            .bind(line.conversation.0)
            .execute(&mut **tx)
            .await?;
        }
    }
    Ok(id)
}

/// The last line of a conversation (0 when none).
pub async fn last_line(tx: &mut Tx, conversation: ConversationId) -> StoreResult<i64> {
    let last: Option<i64> =
        sqlx::query_scalar("SELECT MAX(id) FROM conversation_lines WHERE conversation_id = $1")
            .bind(conversation.0)
            .fetch_one(&mut **tx)
            .await?;
    Ok(last.unwrap_or(0))
}

fn participant_query() -> String {
    format!(
        "SELECT {PARTICIPANT_COLUMNS} FROM conversation_participants \
         WHERE conversation_id = $1 AND actor_id = $2"
    )
}

/// [`Store::participant`], inside a transaction.
pub async fn participant_in(
    tx: &mut Tx,
    conversation: ConversationId,
    actor: ActorId,
) -> StoreResult<Option<ParticipantRow>> {
    Ok(sqlx::query_as(&participant_query())
        .bind(conversation.0)
        .bind(actor.0)
        .fetch_optional(&mut **tx)
        .await?)
}

/// One line, inside a transaction (as just written).
pub async fn line_in(tx: &mut Tx, id: i64) -> StoreResult<Option<LineRow>> {
    Ok(sqlx::query_as(&format!(
        "SELECT {LINE_COLUMNS} FROM conversation_lines WHERE id = $1"
    ))
    .bind(id)
    .fetch_optional(&mut **tx)
    .await?)
}

/// `actor` has read the lines up to `line`, inside a transaction (their
/// own message, read as it is written).
pub async fn mark_read_in(
    tx: &mut Tx,
    conversation: ConversationId,
    actor: ActorId,
    line: i64,
) -> StoreResult<()> {
    sqlx::query(MARK_READ)
        .bind(conversation.0)
        .bind(actor.0)
        .bind(line)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// Moves `$2`'s read marker in conversation `$1` up to line `$3`, never back.
const MARK_READ: &str = "UPDATE conversation_participants SET read_line = $3 \
     WHERE conversation_id = $1 AND actor_id = $2 AND read_line < $3";

/// Changes a message's text.
pub async fn edit_line(tx: &mut Tx, id: i64, source: &str, html: &str) -> StoreResult<()> {
    let now = tx.now_ms();
    sqlx::query(
        "UPDATE conversation_lines SET source = $2, html = $3, edited_at = $4 WHERE id = $1",
    )
    .bind(id)
    .bind(source)
    .bind(html)
    .bind(now)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Deletes a message: its text goes, its place stays.
pub async fn delete_line(tx: &mut Tx, id: i64) -> StoreResult<()> {
    let now = tx.now_ms();
    sqlx::query(
        "UPDATE conversation_lines SET source = '', html = '', deleted_at = $2 WHERE id = $1",
    )
    .bind(id)
    .bind(now)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// How many people are still in conversation `conversation` (joined or
/// invited): anyone's, or with `local_only` the teachers of here only.
pub async fn present_participants(
    tx: &mut Tx,
    conversation: ConversationId,
    local_only: bool,
) -> StoreResult<i64> {
    let local = if local_only { " AND a.domain = ''" } else { "" };
    Ok(sqlx::query_scalar(&format!(
        "SELECT COUNT(*) FROM conversation_participants p \
         JOIN actors a ON a.id = p.actor_id \
         WHERE p.conversation_id = $1 AND p.state IN ('joined', 'invited'){local}"
    ))
    .bind(conversation.0)
    .fetch_one(&mut **tx)
    .await?)
}

/// Deletes the lines of `conversation` that are not this instance's own
/// words: copies of messages written elsewhere and the events of who
/// joined, left or was removed. Messages written here stay (they are
/// their authors', served from here), and so do the opening lines.
/// Returns how many lines went.
pub async fn forget_copied_lines(tx: &mut Tx, conversation: ConversationId) -> StoreResult<u64> {
    let done = sqlx::query(
        "DELETE FROM conversation_lines WHERE conversation_id = $1 \
         AND (kind IN ('joined', 'left', 'removed') OR (kind = 'message' \
         AND actor_id NOT IN (SELECT id FROM actors WHERE domain = '')))",
    )
    .bind(conversation.0)
    .execute(&mut **tx)
    .await?;
    Ok(done.rows_affected())
}

impl Store {
    /// A conversation by id.
    pub async fn conversation(&self, id: ConversationId) -> StoreResult<Option<ConversationRow>> {
        Ok(sqlx::query_as(&format!(
            "SELECT {CONVERSATION_COLUMNS} FROM conversations WHERE id = $1"
        ))
        .bind(id.0)
        .fetch_optional(self.pool())
        .await?)
    }

    /// `actor`'s participation in a conversation.
    pub async fn participant(
        &self,
        conversation: ConversationId,
        actor: ActorId,
    ) -> StoreResult<Option<ParticipantRow>> {
        Ok(sqlx::query_as(&participant_query())
            .bind(conversation.0)
            .bind(actor.0)
            .fetch_optional(self.pool())
            .await?)
    }

    /// Everyone ever invited to a conversation, in the order invited.
    pub async fn participants(
        &self,
        conversation: ConversationId,
    ) -> StoreResult<Vec<ParticipantView>> {
        Ok(sqlx::query_as(&format!(
            "SELECT {PARTICIPANT_COLUMNS}, {} FROM conversation_participants \
             JOIN actors ON actors.id = conversation_participants.actor_id \
             WHERE conversation_participants.conversation_id = $1 \
             ORDER BY conversation_participants.invited_at, actors.id",
            qualified_actor_columns()
        ))
        .bind(conversation.0)
        .fetch_all(self.pool())
        .await?)
    }

    /// The conversations `actor` takes part in, was invited to or removed
    /// from, latest first, with their unread messages.
    pub async fn conversations_of(&self, actor: ActorId) -> StoreResult<Vec<ConversationListRow>> {
        Ok(sqlx::query_as(&format!(
            "SELECT {CONVERSATION_COLUMNS}, p.state AS my_state, p.invited_by AS my_invited_by, \
             p.removed_by AS my_removed_by, \
             CASE WHEN p.state = 'joined' THEN {UNREAD} ELSE 0 END AS unread \
             FROM conversation_participants p \
             JOIN conversations ON conversations.id = p.conversation_id \
             WHERE p.actor_id = $1 AND p.state IN ('invited', 'joined', 'removed') \
             ORDER BY conversations.updated_at DESC, conversations.id DESC LIMIT 500"
        ))
        .bind(actor.0)
        .fetch_all(self.pool())
        .await?)
    }

    /// The unread messages of `actor` in all their conversations.
    pub async fn unread_messages(&self, actor: ActorId) -> StoreResult<i64> {
        Ok(sqlx::query_scalar(&format!(
            "SELECT CAST(COALESCE(SUM({UNREAD}), 0) AS BIGINT) FROM conversation_participants p \
             WHERE p.actor_id = $1 AND p.state = 'joined'"
        ))
        .bind(actor.0)
        .fetch_one(self.pool())
        .await?)
    }

    /// The lines of a conversation after `after` (its events of opening
    /// always), in order, at most `limit` of the latest.
    pub async fn lines(
        &self,
        conversation: ConversationId,
        after: i64,
        limit: i64,
    ) -> StoreResult<Vec<LineRow>> {
        let mut lines: Vec<LineRow> = sqlx::query_as(&format!(
            "SELECT {LINE_COLUMNS} FROM conversation_lines WHERE conversation_id = $1 \
             AND (id > $2 OR kind IN ('locked', 'unlocked')) \
             ORDER BY COALESCE(position, id) DESC, id DESC LIMIT $3"
        ))
        .bind(conversation.0)
        .bind(after)
        .bind(limit)
        .fetch_all(self.pool())
        .await?;
        lines.reverse();
        Ok(lines)
    }

    /// The last line of a conversation (0 when none), outside a
    /// transaction (where a live stream starts).
    pub async fn last_conversation_line(&self, conversation: ConversationId) -> StoreResult<i64> {
        let last: Option<i64> =
            sqlx::query_scalar("SELECT MAX(id) FROM conversation_lines WHERE conversation_id = $1")
                .bind(conversation.0)
                .fetch_one(self.pool())
                .await?;
        Ok(last.unwrap_or(0))
    }

    /// One line.
    pub async fn line(&self, id: i64) -> StoreResult<Option<LineRow>> {
        Ok(sqlx::query_as(&format!(
            "SELECT {LINE_COLUMNS} FROM conversation_lines WHERE id = $1"
        ))
        .bind(id)
        .fetch_optional(self.pool())
        .await?)
    }

    /// `actor` has read the lines up to `line`.
    pub async fn mark_conversation_read(
        &self,
        conversation: ConversationId,
        actor: ActorId,
        line: i64,
    ) -> StoreResult<()> {
        // A read marker lost with the database server shows a message
        // unread again: not worth a wait for the disk on every read.
        if let Some(mut tx) = self.begin_unflushed().await? {
            mark_read_in(&mut tx, conversation, actor, line).await?;
            return tx.commit().await;
        }
        sqlx::query(MARK_READ)
            .bind(conversation.0)
            .bind(actor.0)
            .bind(line)
            .execute(self.pool())
            .await?;
        Ok(())
    }
}
