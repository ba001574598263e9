-- Avatars (issue 13): one row per actor that has one, local (uploaded) or
-- remote (fetched from its `icon`). The image is kept already cropped and
-- resized to the sizes served, as PNG, so a page never decodes anything.
-- `version` is a short hash of the images: it is in every avatar URL
-- (`?v=`), so a changed avatar is a new URL and browsers may cache each
-- one for good. `source_url` is the remote `icon` URL the images came
-- from ('' for an upload): a refetched actor whose icon did not change is
-- not downloaded again.
CREATE TABLE avatars (
    actor_id INTEGER PRIMARY KEY REFERENCES actors (id) ON DELETE CASCADE,
    version TEXT NOT NULL,
    small BLOB NOT NULL,
    medium BLOB NOT NULL,
    large BLOB NOT NULL,
    source_url TEXT NOT NULL DEFAULT '',
    updated_at INTEGER NOT NULL
);
