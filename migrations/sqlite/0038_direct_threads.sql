-- Direct messages to several people (Mastodon's "mentioned people only"
-- to two teachers here, or to a teacher here and people elsewhere): one
-- conversation per thread (`conversations.kind = 'direct'`), shared by
-- the local teachers addressed, whose participants are the people
-- addressed. One-to-one messages keep `direct_conversations`.
CREATE TABLE direct_threads (
    conversation_id INTEGER PRIMARY KEY REFERENCES conversations (id),
    -- What the sender's server knows the thread by: its `context`, else
    -- Mastodon's `conversation`, else the first message's id.
    thread TEXT NOT NULL,
    -- The sender's `context` and Mastodon `conversation`, echoed in replies.
    remote_context TEXT,
    remote_conversation TEXT,
    -- The id of the last message received in it (`inReplyTo` of replies).
    last_received_ap_id TEXT
);
CREATE INDEX direct_threads_thread ON direct_threads (thread);
