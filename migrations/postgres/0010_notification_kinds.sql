-- Notifications of every kind (issue 12), not only replies: a notification
-- may point to a post, a project, a forum or an account, or to nothing
-- but its own text. `title`, `excerpt`, `detail` and `link` are what the
-- recipient reads, written with the event (a later rename does not reword
-- it). `event_key` names the event (`post:12`, an activity id...): the
-- same event written twice for the same recipient and kind is a no-op.
-- Existing rows (replies) keep their id: the key is the reply, the title
-- the thread's, the link the reply on its thread page. (SQLite rebuilds
-- the table; the resulting schema is the same.)
ALTER TABLE notifications ALTER COLUMN actor_id DROP NOT NULL;
ALTER TABLE notifications ALTER COLUMN post_id DROP NOT NULL;
ALTER TABLE notifications ALTER COLUMN thread_id DROP NOT NULL;
ALTER TABLE notifications ADD COLUMN project_id BIGINT REFERENCES actors (id);
ALTER TABLE notifications ADD COLUMN forum_id BIGINT REFERENCES actors (id);
ALTER TABLE notifications ADD COLUMN subject_account_id BIGINT REFERENCES accounts (id);
ALTER TABLE notifications ADD COLUMN title TEXT NOT NULL DEFAULT '';
ALTER TABLE notifications ADD COLUMN excerpt TEXT NOT NULL DEFAULT '';
ALTER TABLE notifications ADD COLUMN detail TEXT;
ALTER TABLE notifications ADD COLUMN link TEXT NOT NULL DEFAULT '';
ALTER TABLE notifications ADD COLUMN event_key TEXT;
UPDATE notifications SET
    forum_id = (SELECT reply.forum_id FROM posts reply WHERE reply.id = notifications.post_id),
    title = COALESCE((SELECT thread.title FROM posts thread WHERE thread.id = notifications.thread_id), ''),
    link = '/threads/' || notifications.thread_id || '#post-' || notifications.post_id,
    event_key = 'post:' || notifications.post_id;
ALTER TABLE notifications ALTER COLUMN event_key SET NOT NULL;
ALTER TABLE notifications DROP CONSTRAINT notifications_recipient_id_kind_post_id_key;
ALTER TABLE notifications ADD CONSTRAINT notifications_recipient_id_kind_event_key_key
    UNIQUE (recipient_id, kind, event_key);
