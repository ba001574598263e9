-- Full-text search in project spaces' forums (issue 13, "finding
-- things"): as the forums' index (0020), one document per visible thread
-- and reply of a project's internal forum, hosted here or mirrored from
-- the project's host, kept current by triggers in the statement that
-- changes a post (written, edited, deleted, refused). Only members read
-- it: the domain checks membership before any search.

CREATE VIRTUAL TABLE project_post_search USING fts5(
    title,
    body,
    tokenize = 'unicode61 remove_diacritics 2'
);

-- What each visible post's document is made of.
CREATE VIEW project_post_search_documents (post_id, title, body) AS
SELECT id,
    replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(title,
        'œ', 'oe'), 'Œ', 'oe'), 'æ', 'ae'), 'Æ', 'ae'), 'ß', 'ss'), 'ẞ', 'ss'),
        'ł', 'l'), 'Ł', 'l'), 'ø', 'o'), 'Ø', 'o'), 'đ', 'd'), 'Đ', 'd'), 'ı', 'i'),
    replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(content_html,
        'œ', 'oe'), 'Œ', 'oe'), 'æ', 'ae'), 'Æ', 'ae'), 'ß', 'ss'), 'ẞ', 'ss'),
        'ł', 'l'), 'Ł', 'l'), 'ø', 'o'), 'Ø', 'o'), 'đ', 'd'), 'Đ', 'd'), 'ı', 'i')
FROM project_posts
WHERE deleted_at IS NULL AND refused_at IS NULL;

CREATE TRIGGER project_post_search_insert AFTER INSERT ON project_posts
BEGIN
    DELETE FROM project_post_search WHERE rowid = NEW.id;
    INSERT INTO project_post_search (rowid, title, body)
        SELECT post_id, title, body FROM project_post_search_documents WHERE post_id = NEW.id;
END;

CREATE TRIGGER project_post_search_update AFTER UPDATE OF title, content_html, deleted_at,
    refused_at ON project_posts
BEGIN
    DELETE FROM project_post_search WHERE rowid = NEW.id;
    INSERT INTO project_post_search (rowid, title, body)
        SELECT post_id, title, body FROM project_post_search_documents WHERE post_id = NEW.id;
END;

CREATE TRIGGER project_post_search_delete AFTER DELETE ON project_posts
BEGIN
    DELETE FROM project_post_search WHERE rowid = OLD.id;
END;

-- The posts stored before this migration.
INSERT INTO project_post_search (rowid, title, body)
    SELECT post_id, title, body FROM project_post_search_documents;
