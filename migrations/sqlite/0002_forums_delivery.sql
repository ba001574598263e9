-- Forums: Group actors (kind 'group' in actors), local and remote.
CREATE TABLE forums (
    actor_id INTEGER PRIMARY KEY REFERENCES actors (id),
    title TEXT NOT NULL,
    description_source TEXT NOT NULL DEFAULT '',
    description_html TEXT NOT NULL DEFAULT '',
    -- remote forums: their moderators and featured collections
    moderators_url TEXT,
    featured_url TEXT,
    created_by INTEGER REFERENCES accounts (id),
    created_at INTEGER NOT NULL,
    last_activity_at INTEGER NOT NULL
);

-- Moderators of local forums (local or remote actors).
CREATE TABLE forum_moderators (
    forum_id INTEGER NOT NULL REFERENCES actors (id),
    actor_id INTEGER NOT NULL REFERENCES actors (id),
    added_at INTEGER NOT NULL,
    PRIMARY KEY (forum_id, actor_id)
);

-- Who follows whom: remote actors following local forums, local people
-- following remote forums. `activity_id` is the Follow's id, matched by
-- Accept and Undo.
CREATE TABLE follows (
    id INTEGER PRIMARY KEY,
    follower_id INTEGER NOT NULL REFERENCES actors (id),
    followed_id INTEGER NOT NULL REFERENCES actors (id),
    state TEXT NOT NULL,
    activity_id TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    UNIQUE (follower_id, followed_id)
);
CREATE INDEX follows_followed ON follows (followed_id, state);

-- Threads (Page) and replies (Note), local and remote.
CREATE TABLE posts (
    id INTEGER PRIMARY KEY,
    ap_id TEXT NOT NULL UNIQUE,
    kind TEXT NOT NULL,
    forum_id INTEGER NOT NULL REFERENCES actors (id),
    thread_id INTEGER REFERENCES posts (id),
    in_reply_to_id INTEGER REFERENCES posts (id),
    author_id INTEGER NOT NULL REFERENCES actors (id),
    title TEXT NOT NULL DEFAULT '',
    source TEXT NOT NULL DEFAULT '',
    content_html TEXT NOT NULL DEFAULT '',
    context_url TEXT,
    published_at INTEGER NOT NULL,
    updated_at INTEGER,
    deleted_at INTEGER,
    removed_at INTEGER,
    removed_reason TEXT,
    locked INTEGER NOT NULL DEFAULT 0,
    pinned INTEGER NOT NULL DEFAULT 0,
    last_activity_at INTEGER NOT NULL,
    local INTEGER NOT NULL
);
CREATE INDEX posts_forum_threads ON posts (forum_id, kind, last_activity_at);
CREATE INDEX posts_thread ON posts (thread_id, published_at);

-- "Helpful" marks (Like) on posts.
CREATE TABLE likes (
    post_id INTEGER NOT NULL REFERENCES posts (id),
    actor_id INTEGER NOT NULL REFERENCES actors (id),
    activity_id TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (post_id, actor_id)
);

-- Reports (Flag) waiting for a forum's moderators.
CREATE TABLE reports (
    id INTEGER PRIMARY KEY,
    activity_id TEXT NOT NULL UNIQUE,
    reporter_id INTEGER NOT NULL REFERENCES actors (id),
    forum_id INTEGER REFERENCES actors (id),
    post_id INTEGER REFERENCES posts (id),
    object_ap_id TEXT NOT NULL,
    reason TEXT NOT NULL DEFAULT '',
    created_at INTEGER NOT NULL,
    resolved_at INTEGER
);

-- Activity ids already applied: a duplicate is answered 202, not applied.
CREATE TABLE received_activities (
    ap_id TEXT PRIMARY KEY,
    received_at INTEGER NOT NULL
);

-- Outgoing activities, written in the same transaction as the change that
-- caused them, and one delivery row per destination inbox.
CREATE TABLE outgoing_activities (
    id INTEGER PRIMARY KEY,
    ap_id TEXT NOT NULL UNIQUE,
    actor_id INTEGER NOT NULL REFERENCES actors (id),
    body TEXT NOT NULL,
    created_at INTEGER NOT NULL
);

CREATE TABLE deliveries (
    id INTEGER PRIMARY KEY,
    activity_id INTEGER NOT NULL REFERENCES outgoing_activities (id),
    inbox TEXT NOT NULL,
    host TEXT NOT NULL,
    state TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at INTEGER NOT NULL,
    claimed_until INTEGER,
    last_error TEXT,
    created_at INTEGER NOT NULL,
    finished_at INTEGER,
    UNIQUE (activity_id, inbox)
);
CREATE INDEX deliveries_due ON deliveries (state, next_attempt_at);

-- Health of each peer host, so a dead peer is skipped and probed, never
-- blocking others.
CREATE TABLE peers (
    host TEXT PRIMARY KEY,
    failures INTEGER NOT NULL DEFAULT 0,
    unreachable_since INTEGER,
    next_probe_at INTEGER,
    last_success_at INTEGER
);
