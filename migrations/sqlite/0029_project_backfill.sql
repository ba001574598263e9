-- On a member's instance: when the content a remote project held before
-- this instance's first member joined was last fetched from its host.
-- Empty while no teacher of this instance is a member (then the next
-- first member's arrival fetches it again).
ALTER TABLE projects ADD COLUMN content_backfilled_at INTEGER;
