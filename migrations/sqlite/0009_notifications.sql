-- Notifications of local teachers: one row per event and recipient. The
-- unique key makes writing the same event twice (a received post arriving
-- a second time) a no-op. `kind` is 'reply' for now: a reply to the
-- recipient's thread or post.
CREATE TABLE notifications (
    id INTEGER PRIMARY KEY,
    recipient_id INTEGER NOT NULL REFERENCES accounts (id),
    kind TEXT NOT NULL,
    -- who caused it (the reply's author)
    actor_id INTEGER NOT NULL REFERENCES actors (id),
    -- the object (the reply) and its thread
    post_id INTEGER NOT NULL REFERENCES posts (id),
    thread_id INTEGER NOT NULL REFERENCES posts (id),
    created_at INTEGER NOT NULL,
    read_at INTEGER,
    UNIQUE (recipient_id, kind, post_id)
);
-- A recipient's notifications, unread first, newest first.
CREATE INDEX notifications_recipient ON notifications (recipient_id, read_at, created_at);
