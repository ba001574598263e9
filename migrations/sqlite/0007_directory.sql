-- The directory of projects and teachers (issue 5, "Finding projects and
-- colleagues"): one full-text document per project and per person, keyed
-- by actor id (the FTS5 rowid). The triggers below rebuild a document in
-- the statement that changes what it is made of (a project, a profile, an
-- actor's name, display name or summary), so local edits and remote
-- projects and profiles refreshed from their servers all keep it current.
--
-- FTS5's unicode61 tokenizer folds case and accents (remove_diacritics 2)
-- and splits on everything but letters and digits; the replace() calls
-- spell out the letters it keeps as they are (ligatures, ł, ø, đ, ı), as
-- store::directory::fold does for the words searched. Descriptions are
-- indexed with their HTML: the store checks every candidate again without
-- the tags, so markup never matches.
CREATE VIRTUAL TABLE directory_index USING fts5(
    body,
    tokenize = 'unicode61 remove_diacritics 2'
);

-- What each document is made of (also used to fill the index below).
CREATE VIEW directory_documents (actor_id, body) AS
SELECT actor_id,
    replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(raw,
        'œ', 'oe'),
        'Œ', 'oe'),
        'æ', 'ae'),
        'Æ', 'ae'),
        'ß', 'ss'),
        'ẞ', 'ss'),
        'ł', 'l'),
        'Ł', 'l'),
        'ø', 'o'),
        'Ø', 'o'),
        'đ', 'd'),
        'Đ', 'd'),
        'ı', 'i')
FROM (
    SELECT projects.actor_id AS actor_id,
        projects.title || ' ' || actors.name || ' ' || projects.subjects || ' ' ||
            projects.academy || ' ' || projects.country || ' ' || projects.place || ' ' ||
            projects.description_html AS raw
    FROM projects JOIN actors ON actors.id = projects.actor_id
    UNION ALL
    SELECT profiles.actor_id AS actor_id,
        actors.display_name || ' ' || actors.name || ' ' || profiles.subjects || ' ' ||
            profiles.academy || ' ' || profiles.school || ' ' || profiles.interests || ' ' ||
            actors.summary_html AS raw
    FROM profiles JOIN actors ON actors.id = profiles.actor_id
);

CREATE TRIGGER directory_projects_insert AFTER INSERT ON projects
BEGIN
    DELETE FROM directory_index WHERE rowid = NEW.actor_id;
    INSERT INTO directory_index (rowid, body)
        SELECT actor_id, body FROM directory_documents WHERE actor_id = NEW.actor_id;
END;

CREATE TRIGGER directory_projects_update AFTER UPDATE OF title, subjects, academy, country, place,
    description_html ON projects
BEGIN
    DELETE FROM directory_index WHERE rowid = NEW.actor_id;
    INSERT INTO directory_index (rowid, body)
        SELECT actor_id, body FROM directory_documents WHERE actor_id = NEW.actor_id;
END;

CREATE TRIGGER directory_projects_delete AFTER DELETE ON projects
BEGIN
    DELETE FROM directory_index WHERE rowid = OLD.actor_id;
END;

CREATE TRIGGER directory_profiles_insert AFTER INSERT ON profiles
BEGIN
    DELETE FROM directory_index WHERE rowid = NEW.actor_id;
    INSERT INTO directory_index (rowid, body)
        SELECT actor_id, body FROM directory_documents WHERE actor_id = NEW.actor_id;
END;

CREATE TRIGGER directory_profiles_update AFTER UPDATE OF subjects, academy, school, interests
    ON profiles
BEGIN
    DELETE FROM directory_index WHERE rowid = NEW.actor_id;
    INSERT INTO directory_index (rowid, body)
        SELECT actor_id, body FROM directory_documents WHERE actor_id = NEW.actor_id;
END;

CREATE TRIGGER directory_profiles_delete AFTER DELETE ON profiles
BEGIN
    DELETE FROM directory_index WHERE rowid = OLD.actor_id;
END;

CREATE TRIGGER directory_actors_update AFTER UPDATE OF name, display_name, summary_html
    ON actors
BEGIN
    DELETE FROM directory_index WHERE rowid = NEW.id;
    INSERT INTO directory_index (rowid, body)
        SELECT actor_id, body FROM directory_documents WHERE actor_id = NEW.id;
END;

-- What existed before this migration.
INSERT INTO directory_index (rowid, body) SELECT actor_id, body FROM directory_documents;
