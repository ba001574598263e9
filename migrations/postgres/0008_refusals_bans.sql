-- A local teacher's post that the remote forum or project host refused
-- (a final 4xx to its delivery): shown to its author as refused, with the
-- host's reason, instead of looking published.
ALTER TABLE posts ADD COLUMN refused_at BIGINT;
ALTER TABLE posts ADD COLUMN refused_reason TEXT;
ALTER TABLE project_posts ADD COLUMN refused_at BIGINT;
ALTER TABLE project_posts ADD COLUMN refused_reason TEXT;

-- Bans of local teachers by remote forums they follow (Lemmy's `Block`
-- with the forum as `target`), until `expires_at` (NULL: no end).
CREATE TABLE forum_bans (
    forum_id BIGINT NOT NULL REFERENCES actors (id),
    actor_id BIGINT NOT NULL REFERENCES actors (id),
    reason TEXT NOT NULL DEFAULT '',
    expires_at BIGINT,
    activity_id TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (forum_id, actor_id)
);
