-- A new post bumps the last activity of its thread and of its forum in the
-- statement that inserts it (one round trip less each, inside the write
-- transaction that SQLite runs one at a time).
CREATE TRIGGER posts_bump_activity AFTER INSERT ON posts
BEGIN
    UPDATE posts SET last_activity_at = NEW.published_at
        WHERE id = NEW.thread_id AND last_activity_at < NEW.published_at;
    UPDATE forums SET last_activity_at = NEW.published_at
        WHERE actor_id = NEW.forum_id AND last_activity_at < NEW.published_at;
END;
