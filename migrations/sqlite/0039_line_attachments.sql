-- The attachments of a message received from another server (Mastodon's
-- `Document`/`Image`): a JSON array of {"url", "media_type", "name"},
-- http(s) links only, checked before they are stored; shown as links.
ALTER TABLE conversation_lines ADD COLUMN attachments TEXT NOT NULL DEFAULT '[]';
