-- Full-text search in forums (issue 13, "finding things"): one document
-- per visible thread and reply, local or received from another instance,
-- keyed by the post's id, behind a GIN index. The trigger below keeps it
-- current in the statement that changes a post, so every write path
-- (local posts and edits, posts and edits received over federation,
-- deletions, moderators' removals, refusals) maintains it without the
-- writers knowing: a post deleted, removed or refused leaves the index.
--
-- Folded as the directory's documents (0007: directory_fold,
-- directory_html_text, the 'simple' configuration), so both engines find
-- the same words.

-- Derived data: no foreign key (the trigger removes a post's document).
CREATE TABLE post_search (
    post_id BIGINT PRIMARY KEY,
    document tsvector NOT NULL
);
CREATE INDEX post_search_document ON post_search USING GIN (document);

CREATE FUNCTION post_search_changed() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        DELETE FROM post_search WHERE post_id = OLD.id;
        RETURN OLD;
    END IF;
    IF NEW.deleted_at IS NULL AND NEW.removed_at IS NULL AND NEW.refused_at IS NULL THEN
        INSERT INTO post_search (post_id, document)
            VALUES (NEW.id, to_tsvector('simple', directory_fold(concat_ws(' ', NEW.title,
                directory_html_text(NEW.content_html)))))
        ON CONFLICT (post_id) DO UPDATE SET document = excluded.document;
    ELSE
        DELETE FROM post_search WHERE post_id = NEW.id;
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER post_search_posts
    AFTER INSERT OR DELETE OR UPDATE OF title, content_html, deleted_at, removed_at, refused_at
    ON posts FOR EACH ROW EXECUTE FUNCTION post_search_changed();

-- The posts stored before this migration.
INSERT INTO post_search (post_id, document)
    SELECT id, to_tsvector('simple', directory_fold(concat_ws(' ', title,
        directory_html_text(content_html))))
    FROM posts
    WHERE deleted_at IS NULL AND removed_at IS NULL AND refused_at IS NULL;
