-- Full-text search in project spaces' forums (issue 13, "finding
-- things"): as the forums' index (0020, with its folding functions), one document per visible thread
-- and reply of a project's internal forum, hosted here or mirrored from
-- the project's host, kept current by triggers in the statement that
-- changes a post (written, edited, deleted, refused). Only members read
-- it: the domain checks membership before any search.

-- Derived data: no foreign key (the trigger removes a post's document).
CREATE TABLE project_post_search (
    post_id BIGINT PRIMARY KEY,
    document tsvector NOT NULL
);
CREATE INDEX project_post_search_document ON project_post_search USING GIN (document);

CREATE FUNCTION project_post_search_changed() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        DELETE FROM project_post_search WHERE post_id = OLD.id;
        RETURN OLD;
    END IF;
    IF NEW.deleted_at IS NULL AND NEW.refused_at IS NULL THEN
        INSERT INTO project_post_search (post_id, document)
            VALUES (NEW.id, to_tsvector('simple', directory_fold(concat_ws(' ', NEW.title,
                directory_html_text(NEW.content_html)))))
        ON CONFLICT (post_id) DO UPDATE SET document = excluded.document;
    ELSE
        DELETE FROM project_post_search WHERE post_id = NEW.id;
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER project_post_search_posts
    AFTER INSERT OR DELETE OR UPDATE OF title, content_html, deleted_at, refused_at
    ON project_posts FOR EACH ROW EXECUTE FUNCTION project_post_search_changed();

-- The posts stored before this migration.
INSERT INTO project_post_search (post_id, document)
    SELECT id, to_tsvector('simple', directory_fold(concat_ws(' ', title,
        directory_html_text(content_html))))
    FROM project_posts
    WHERE deleted_at IS NULL AND refused_at IS NULL;
