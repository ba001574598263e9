-- The directory of projects and teachers (issue 5, "Finding projects and
-- colleagues"): one text-search document per project and per person,
-- keyed by actor id, behind a GIN index. The triggers below rebuild a
-- document in the statement that changes what it is made of (a project, a
-- profile, an actor's name, display name or summary), so local edits and
-- remote projects and profiles refreshed from their servers all keep it
-- current.
--
-- The 'simple' configuration: no stemming, no stop words. Folding needs no
-- extension (no unaccent): directory_fold lowercases, spells out
-- ligatures, maps accented letters to plain ones and typographic
-- punctuation to spaces with the same table as store::directory::fold
-- (FOLD_EXPANSIONS, FOLD_FROM, FOLD_TO; a unit test compares them; the
-- last three characters of each string are no-break, narrow no-break and
-- thin spaces), then turns ASCII punctuation into spaces so that hosts,
-- e-mail addresses and hyphenated words are split into words as in Rust.

-- Lower case, no accents, ligatures spelled out, punctuation as spaces.
CREATE FUNCTION directory_fold(input TEXT) RETURNS TEXT AS $$
    SELECT regexp_replace(
        lower(translate(
            replace(replace(replace(replace(replace(replace(input,
                'œ', 'oe'),
                'Œ', 'oe'),
                'æ', 'ae'),
                'Æ', 'ae'),
                'ß', 'ss'),
                'ẞ', 'ss'),
            'àáâãäåāăąÀÁÂÃÄÅĀĂĄçćĉċčÇĆĈĊČďđĎĐèéêëēĕėęěÈÉÊËĒĔĖĘĚĝğġģĜĞĠĢĥĤìíîïĩīĭįıÌÍÎÏĨĪĬĮİĵĴķĶĺļľłĹĻĽŁñńņňÑŃŅŇòóôõöøōŏőÒÓÔÕÖØŌŎŐŕŗřŔŖŘśŝşšŚŜŞŠţťŢŤùúûüũūŭůűųÙÚÛÜŨŪŬŮŰŲŵŴýÿŷÝŸŶźżžŹŻŽ’‘‚“”„«»‹›–—―…·•   ',
            'aaaaaaaaaaaaaaaaaaccccccccccddddeeeeeeeeeeeeeeeeeegggggggghhiiiiiiiiiiiiiiiiiijjkkllllllllnnnnnnnnoooooooooooooooooorrrrrrssssssssttttuuuuuuuuuuuuuuuuuuuuwwyyyyyyzzzzzz                   ')),
        '[[:punct:]]+', ' ', 'g')
$$ LANGUAGE sql IMMUTABLE STRICT;

-- The text of sanitised HTML: tags and character references as spaces.
CREATE FUNCTION directory_html_text(html TEXT) RETURNS TEXT AS $$
    SELECT regexp_replace(regexp_replace(html, '<[^>]*>', ' ', 'g'), '&#?[[:alnum:]]+;', ' ', 'g')
$$ LANGUAGE sql IMMUTABLE STRICT;

-- Derived data: no foreign key, so it never stands in the way of a change
-- to actors (the triggers remove a document with its project or profile).
CREATE TABLE directory_index (
    actor_id BIGINT PRIMARY KEY,
    document tsvector NOT NULL
);
CREATE INDEX directory_index_document ON directory_index USING GIN (document);

-- What each document is made of (also used to fill the index below).
CREATE VIEW directory_documents (actor_id, document) AS
SELECT projects.actor_id,
    to_tsvector('simple', directory_fold(concat_ws(' ', projects.title, actors.name,
        projects.subjects, projects.academy, projects.country, projects.place,
        directory_html_text(projects.description_html))))
FROM projects JOIN actors ON actors.id = projects.actor_id
UNION ALL
SELECT profiles.actor_id,
    to_tsvector('simple', directory_fold(concat_ws(' ', actors.display_name, actors.name,
        profiles.subjects, profiles.academy, profiles.school, profiles.interests,
        directory_html_text(actors.summary_html))))
FROM profiles JOIN actors ON actors.id = profiles.actor_id;

-- Rebuilds one document; an upsert, so two transactions refreshing the
-- same actor never collide on the key.
CREATE FUNCTION directory_refresh(target BIGINT) RETURNS void AS $$
    INSERT INTO directory_index (actor_id, document)
        SELECT actor_id, document FROM directory_documents WHERE actor_id = target
    ON CONFLICT (actor_id) DO UPDATE SET document = excluded.document;
$$ LANGUAGE sql;

CREATE FUNCTION directory_document_changed() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        DELETE FROM directory_index WHERE actor_id = OLD.actor_id;
        RETURN OLD;
    END IF;
    PERFORM directory_refresh(NEW.actor_id);
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;

CREATE FUNCTION directory_actor_changed() RETURNS trigger AS $$
BEGIN
    PERFORM directory_refresh(NEW.id);
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER directory_projects
    AFTER INSERT OR DELETE OR UPDATE OF title, subjects, academy, country, place, description_html
    ON projects FOR EACH ROW EXECUTE FUNCTION directory_document_changed();

CREATE TRIGGER directory_profiles
    AFTER INSERT OR DELETE OR UPDATE OF subjects, academy, school, interests
    ON profiles FOR EACH ROW EXECUTE FUNCTION directory_document_changed();

CREATE TRIGGER directory_actors
    AFTER UPDATE OF name, display_name, summary_html
    ON actors FOR EACH ROW EXECUTE FUNCTION directory_actor_changed();

-- What existed before this migration.
INSERT INTO directory_index (actor_id, document)
    SELECT actor_id, document FROM directory_documents;
