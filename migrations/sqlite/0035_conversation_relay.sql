-- Conversations across instances (issue 14). The host relays each change
-- to its participants' instances; their copies (mirrors) show the lines
-- in the host's order, whatever the order deliveries arrive in.

-- The id of the `Invite` that invited a participant: the invitee's
-- `Accept` or `Reject` names it.
ALTER TABLE conversation_participants ADD COLUMN invite_ap_id TEXT;

-- A line's place in the host's order: on the host, the line's own id; on
-- a mirror, what the host's relay said (a line written here and not yet
-- placed by the host is put after the last one known). Lines are shown
-- by (position, id).
ALTER TABLE conversation_lines ADD COLUMN position BIGINT;
UPDATE conversation_lines SET position = id;
CREATE INDEX conversation_lines_position ON conversation_lines (conversation_id, position);
