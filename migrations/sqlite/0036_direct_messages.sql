-- Direct messages from people of other servers (Mastodon, Pleroma,
-- Akkoma, Fedify…): a one-to-one conversation hosted here between a local
-- teacher and the remote person, one per pair.
ALTER TABLE conversations ADD COLUMN kind TEXT NOT NULL DEFAULT 'group';

-- What a 'direct' conversation needs to answer in the sender's form.
-- The local teacher's participant row is 'requested' until they accept
-- the request, 'ignored' once they ignored it (later messages stay hidden).
CREATE TABLE direct_conversations (
    conversation_id INTEGER PRIMARY KEY REFERENCES conversations (id),
    local_actor_id INTEGER NOT NULL REFERENCES actors (id),
    remote_actor_id INTEGER NOT NULL REFERENCES actors (id),
    -- 'note' (Mastodon-like) or 'chat_message' (Pleroma/Akkoma chats):
    -- the form the first message came in, which replies use.
    wire_form TEXT NOT NULL DEFAULT 'note',
    -- The remote person's `context` (or Mastodon's `conversation`), echoed.
    remote_context TEXT,
    remote_conversation TEXT,
    -- The id of the last message received from them (`inReplyTo` of replies).
    last_received_ap_id TEXT,
    UNIQUE (local_actor_id, remote_actor_id)
);
