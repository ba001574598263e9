-- Notifications of every kind (issue 12), not only replies: a notification
-- may point to a post, a project, a forum or an account, or to nothing
-- but its own text. `title`, `excerpt`, `detail` and `link` are what the
-- recipient reads, written with the event (a later rename does not reword
-- it). `event_key` names the event (`post:12`, an activity id...): the
-- same event written twice for the same recipient and kind is a no-op.
-- SQLite cannot drop NOT NULL nor a UNIQUE constraint in place: the table
-- is rebuilt, keeping its rows (replies: the key is the reply, the title
-- the thread's, the link the reply on its thread page).
CREATE TABLE notifications_rebuilt (
    id INTEGER PRIMARY KEY,
    recipient_id INTEGER NOT NULL REFERENCES accounts (id),
    -- 'reply', 'mention', 'invitation', 'contact_request', ... (see
    -- NotificationKind in src/domain/notifications.rs)
    kind TEXT NOT NULL,
    -- who caused it, when someone did (none for a refusal by a host)
    actor_id INTEGER REFERENCES actors (id),
    -- the post concerned and its thread, if any
    post_id INTEGER REFERENCES posts (id),
    thread_id INTEGER REFERENCES posts (id),
    -- the project or forum concerned, if any
    project_id INTEGER REFERENCES actors (id),
    forum_id INTEGER REFERENCES actors (id),
    -- the local account concerned (a sign-up waiting for approval)
    subject_account_id INTEGER REFERENCES accounts (id),
    title TEXT NOT NULL DEFAULT '',
    excerpt TEXT NOT NULL DEFAULT '',
    -- a reason or an answer
    detail TEXT,
    -- the path on this instance that opens the object
    link TEXT NOT NULL DEFAULT '',
    event_key TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    read_at INTEGER,
    UNIQUE (recipient_id, kind, event_key)
);
INSERT INTO notifications_rebuilt (id, recipient_id, kind, actor_id, post_id, thread_id,
    forum_id, title, link, event_key, created_at, read_at)
SELECT notifications.id, notifications.recipient_id, notifications.kind, notifications.actor_id,
    notifications.post_id, notifications.thread_id, reply.forum_id, COALESCE(thread.title, ''),
    '/threads/' || notifications.thread_id || '#post-' || notifications.post_id,
    'post:' || notifications.post_id, notifications.created_at, notifications.read_at
FROM notifications
JOIN posts reply ON reply.id = notifications.post_id
JOIN posts thread ON thread.id = notifications.thread_id;
DROP TABLE notifications;
ALTER TABLE notifications_rebuilt RENAME TO notifications;
-- A recipient's notifications, unread first, newest first.
CREATE INDEX notifications_recipient ON notifications (recipient_id, read_at, created_at);
