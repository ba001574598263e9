-- A new post bumps the last activity of its thread and of its forum in the
-- statement that inserts it (the same as the SQLite trigger).
CREATE FUNCTION posts_bump_activity() RETURNS trigger AS $$
BEGIN
    IF NEW.thread_id IS NOT NULL THEN
        UPDATE posts SET last_activity_at = NEW.published_at
            WHERE id = NEW.thread_id AND last_activity_at < NEW.published_at;
    END IF;
    UPDATE forums SET last_activity_at = NEW.published_at
        WHERE actor_id = NEW.forum_id AND last_activity_at < NEW.published_at;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER posts_bump_activity AFTER INSERT ON posts
    FOR EACH ROW EXECUTE FUNCTION posts_bump_activity();
