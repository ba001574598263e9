-- When a shared document's name was last changed (by its author, on any
-- instance): an `Update` carrying an older change than this is ignored.
-- Posts and events order their edits by their own `updated_at`.
ALTER TABLE project_documents ADD COLUMN renamed_at INTEGER;
