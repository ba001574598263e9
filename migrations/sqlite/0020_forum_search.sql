-- Full-text search in forums (issue 13, "finding things"): one document
-- per visible thread and reply, local or received from another instance,
-- keyed by the post's id (the FTS5 rowid). The triggers below keep it
-- current in the statement that changes a post, so every write path
-- (local posts and edits, posts and edits received over federation,
-- deletions, moderators' removals, refusals) maintains it without the
-- writers knowing: a post deleted, removed or refused leaves the index.
--
-- As for the directory (0007): FTS5's unicode61 tokenizer folds case and
-- accents; the replace() calls spell out the letters it keeps (ligatures,
-- ł, ø, đ, ı) as store::directory::fold does. Bodies are indexed with
-- their HTML; the store checks every candidate again without the tags.
CREATE VIRTUAL TABLE post_search USING fts5(
    title,
    body,
    tokenize = 'unicode61 remove_diacritics 2'
);

-- What each visible post's document is made of.
CREATE VIEW post_search_documents (post_id, title, body) AS
SELECT id,
    replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(title,
        'œ', 'oe'), 'Œ', 'oe'), 'æ', 'ae'), 'Æ', 'ae'), 'ß', 'ss'), 'ẞ', 'ss'),
        'ł', 'l'), 'Ł', 'l'), 'ø', 'o'), 'Ø', 'o'), 'đ', 'd'), 'Đ', 'd'), 'ı', 'i'),
    replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(content_html,
        'œ', 'oe'), 'Œ', 'oe'), 'æ', 'ae'), 'Æ', 'ae'), 'ß', 'ss'), 'ẞ', 'ss'),
        'ł', 'l'), 'Ł', 'l'), 'ø', 'o'), 'Ø', 'o'), 'đ', 'd'), 'Đ', 'd'), 'ı', 'i')
FROM posts
WHERE deleted_at IS NULL AND removed_at IS NULL AND refused_at IS NULL;

CREATE TRIGGER post_search_insert AFTER INSERT ON posts
BEGIN
    DELETE FROM post_search WHERE rowid = NEW.id;
    INSERT INTO post_search (rowid, title, body)
        SELECT post_id, title, body FROM post_search_documents WHERE post_id = NEW.id;
END;

CREATE TRIGGER post_search_update AFTER UPDATE OF title, content_html, deleted_at, removed_at,
    refused_at ON posts
BEGIN
    DELETE FROM post_search WHERE rowid = NEW.id;
    INSERT INTO post_search (rowid, title, body)
        SELECT post_id, title, body FROM post_search_documents WHERE post_id = NEW.id;
END;

CREATE TRIGGER post_search_delete AFTER DELETE ON posts
BEGIN
    DELETE FROM post_search WHERE rowid = OLD.id;
END;

-- The posts stored before this migration.
INSERT INTO post_search (rowid, title, body)
    SELECT post_id, title, body FROM post_search_documents;
