-- Conversations (chat rooms) between teachers: named at creation, hosted
-- on the instance of their creator. Private: only participants read them.
CREATE TABLE conversations (
    id INTEGER PRIMARY KEY,
    -- Its ActivityPub id, on the host instance.
    ap_id TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    creator_id INTEGER NOT NULL REFERENCES actors (id),
    -- The lowest trust level of participants' instances, or NULL for any.
    min_level TEXT,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);

-- Who takes part in a conversation, or was invited. Rows stay once left,
-- declined or removed, so a later invitation and the removal notice work.
CREATE TABLE conversation_participants (
    conversation_id INTEGER NOT NULL REFERENCES conversations (id),
    actor_id INTEGER NOT NULL REFERENCES actors (id),
    -- 'invited', 'joined', 'declined', 'left' or 'removed'
    state TEXT NOT NULL,
    invited_by INTEGER REFERENCES actors (id),
    -- Who removed them (state 'removed').
    removed_by INTEGER REFERENCES actors (id),
    invited_at INTEGER NOT NULL,
    joined_at INTEGER,
    -- The last line before they joined: they see only later lines.
    first_line BIGINT NOT NULL DEFAULT 0,
    -- The last line they have read: later messages are unread.
    read_line BIGINT NOT NULL DEFAULT 0,
    updated_at INTEGER NOT NULL,
    PRIMARY KEY (conversation_id, actor_id)
);
CREATE INDEX conversation_participants_actor ON conversation_participants (actor_id, state);

-- What a conversation shows, in order: messages and events (opened,
-- joined, left, removed).
CREATE TABLE conversation_lines (
    id INTEGER PRIMARY KEY,
    conversation_id INTEGER NOT NULL REFERENCES conversations (id),
    -- 'message', 'locked', 'unlocked', 'joined', 'left', 'removed'
    kind TEXT NOT NULL,
    -- The author of a message, or the person an event is about.
    actor_id INTEGER NOT NULL REFERENCES actors (id),
    -- Messages: their ActivityPub id (on the author's instance).
    ap_id TEXT UNIQUE,
    source TEXT NOT NULL DEFAULT '',
    html TEXT NOT NULL DEFAULT '',
    created_at INTEGER NOT NULL,
    edited_at INTEGER,
    deleted_at INTEGER
);
CREATE INDEX conversation_lines_conversation ON conversation_lines (conversation_id, id);
