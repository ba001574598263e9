-- Bans decided by the moderators of a local forum (issue 13): who banned
-- (NULL for bans received from a remote forum), and bans of whole remote
-- instances by domain, until `expires_at` (NULL: for good).
ALTER TABLE forum_bans ADD COLUMN banned_by INTEGER REFERENCES actors (id);

CREATE TABLE forum_instance_bans (
    forum_id INTEGER NOT NULL REFERENCES actors (id),
    domain TEXT NOT NULL,
    reason TEXT NOT NULL DEFAULT '',
    expires_at INTEGER,
    banned_by INTEGER REFERENCES actors (id),
    created_at INTEGER NOT NULL,
    PRIMARY KEY (forum_id, domain)
);
