-- How a report was closed (issue 13): 'open' while waiting, 'resolved'
-- when a moderator acted on it (the post removed or otherwise handled),
-- 'dismissed' when classed without action. `resolved_at` (0002) is the
-- time; `resolved_by` the moderator (a remote one when the forum's own
-- instance removed the post); `resolution_note` the note, for the team.
ALTER TABLE reports ADD COLUMN state TEXT NOT NULL DEFAULT 'open';
ALTER TABLE reports ADD COLUMN resolved_by BIGINT REFERENCES actors (id);
ALTER TABLE reports ADD COLUMN resolution_note TEXT NOT NULL DEFAULT '';
CREATE INDEX reports_open_forum ON reports (forum_id, state);
