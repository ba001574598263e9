-- Blocking a person (issue 14): the blocker no longer gets the blocked
-- person's contact requests, messages or invitations. Private to the
-- blocker: never federated (see docs/FEDERATION.md, "Blocking a person").
CREATE TABLE person_blocks (
    blocker_id BIGINT NOT NULL REFERENCES actors (id) ON DELETE CASCADE,
    blocked_id BIGINT NOT NULL REFERENCES actors (id) ON DELETE CASCADE,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (blocker_id, blocked_id)
);
CREATE INDEX person_blocks_blocked ON person_blocks (blocked_id);

-- Presence (seed 004: Disponible, Absent, Ne pas déranger), shown only to
-- accepted contacts. One row per person: for a local teacher, what they
-- chose and whether they are shown Absent for being idle; for a person of
-- another instance, the last status their instance sent.
CREATE TABLE presence (
    actor_id BIGINT PRIMARY KEY REFERENCES actors (id) ON DELETE CASCADE,
    -- `available`, `away` or `busy`.
    chosen TEXT NOT NULL,
    -- 1 while a local teacher is shown Absent for having been idle longer
    -- than `accounts.presence_idle_minutes` (their choice is kept).
    idle BIGINT NOT NULL,
    -- A local teacher's last request or open event stream, unix ms.
    active_at BIGINT NOT NULL,
    -- When the status shown last changed (for a remote person: the
    -- `updated` of the last status received, so that an older one that
    -- arrives late is ignored), unix ms.
    changed_at BIGINT NOT NULL
);
CREATE INDEX presence_idle ON presence (idle, active_at);
