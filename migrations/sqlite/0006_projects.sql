-- Project spaces: Group actors of the project kind, local and remote.
-- A remote project is a mirror of what its host instance serves to members.
CREATE TABLE projects (
    actor_id INTEGER PRIMARY KEY REFERENCES actors (id),
    title TEXT NOT NULL,
    description_source TEXT NOT NULL DEFAULT '',
    description_html TEXT NOT NULL DEFAULT '',
    subjects TEXT NOT NULL DEFAULT '[]',
    school_levels TEXT NOT NULL DEFAULT '[]',
    languages TEXT NOT NULL DEFAULT '[]',
    academy TEXT NOT NULL DEFAULT '',
    country TEXT NOT NULL DEFAULT '',
    place TEXT NOT NULL DEFAULT '',
    latitude REAL,
    longitude REAL,
    -- 'public' (about page and members list open to all) or 'members'
    visibility TEXT NOT NULL DEFAULT 'public',
    -- 'looking' (for partners), 'running', 'finished'
    status TEXT NOT NULL DEFAULT 'looking',
    -- 'invite' (invitations only), 'request' (moderators decide), 'open'
    join_mode TEXT NOT NULL DEFAULT 'request',
    -- the lowest member label accepted
    min_member_level TEXT NOT NULL DEFAULT 'informal',
    -- remote projects: their members and activity collections
    members_url TEXT,
    activity_url TEXT,
    created_by INTEGER REFERENCES accounts (id),
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    last_activity_at INTEGER NOT NULL
);

-- Who belongs to a project, or was invited, or asked to join. Rows of
-- people who left or were removed stay (state 'left' / 'removed') so the
-- history and a later invitation work.
CREATE TABLE project_members (
    project_id INTEGER NOT NULL REFERENCES actors (id),
    actor_id INTEGER NOT NULL REFERENCES actors (id),
    -- 'owner', 'moderator' or 'member'
    role TEXT NOT NULL DEFAULT 'member',
    -- 'invited', 'requested', 'member', 'refused' (invitation declined),
    -- 'rejected' (request declined), 'left', 'removed'
    state TEXT NOT NULL,
    -- the Invite or Join this row answers to
    activity_id TEXT,
    invited_by INTEGER REFERENCES actors (id),
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    PRIMARY KEY (project_id, actor_id)
);
CREATE INDEX project_members_actor ON project_members (actor_id, state);
CREATE INDEX project_members_activity ON project_members (activity_id);

-- What happened in a project, with name and time: shown as its activity.
CREATE TABLE project_log (
    id INTEGER PRIMARY KEY,
    project_id INTEGER NOT NULL REFERENCES actors (id),
    -- 'created', 'invited', 'joined', 'refused', 'requested', 'rejected',
    -- 'left', 'removed', 'role'
    kind TEXT NOT NULL,
    actor_id INTEGER REFERENCES actors (id),
    subject_id INTEGER REFERENCES actors (id),
    detail TEXT NOT NULL DEFAULT '',
    at INTEGER NOT NULL
);
CREATE INDEX project_log_project ON project_log (project_id, at);

-- The internal forum: threads and replies addressed to members only.
CREATE TABLE project_posts (
    id INTEGER PRIMARY KEY,
    ap_id TEXT NOT NULL UNIQUE,
    project_id INTEGER NOT NULL REFERENCES actors (id),
    thread_id INTEGER REFERENCES project_posts (id),
    in_reply_to_id INTEGER REFERENCES project_posts (id),
    author_id INTEGER NOT NULL REFERENCES actors (id),
    title TEXT NOT NULL DEFAULT '',
    source TEXT NOT NULL DEFAULT '',
    content_html TEXT NOT NULL DEFAULT '',
    published_at INTEGER NOT NULL,
    updated_at INTEGER,
    deleted_at INTEGER,
    last_activity_at INTEGER NOT NULL,
    local INTEGER NOT NULL
);
CREATE INDEX project_posts_project ON project_posts (project_id, thread_id, last_activity_at);

-- Shared documents; each version is its own `Document` object, grouped by
-- the document it is a version of.
CREATE TABLE project_documents (
    id INTEGER PRIMARY KEY,
    project_id INTEGER NOT NULL REFERENCES actors (id),
    -- the ActivityPub id of the first version, which names the document
    ap_id TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    deleted_at INTEGER
);
CREATE INDEX project_documents_project ON project_documents (project_id, updated_at);

CREATE TABLE project_document_versions (
    id INTEGER PRIMARY KEY,
    ap_id TEXT NOT NULL UNIQUE,
    document_id INTEGER NOT NULL REFERENCES project_documents (id),
    version INTEGER NOT NULL,
    author_id INTEGER NOT NULL REFERENCES actors (id),
    file_name TEXT NOT NULL,
    media_type TEXT NOT NULL,
    size INTEGER NOT NULL,
    sha256 TEXT NOT NULL,
    -- where the bytes are served (members only)
    content_url TEXT NOT NULL,
    -- local uploads: the file's name under the data directory
    storage_key TEXT,
    created_at INTEGER NOT NULL,
    local INTEGER NOT NULL
);
CREATE INDEX project_document_versions_document ON project_document_versions (document_id, version);

-- The agenda: events for every member, or for some of them.
CREATE TABLE project_events (
    id INTEGER PRIMARY KEY,
    ap_id TEXT NOT NULL UNIQUE,
    project_id INTEGER NOT NULL REFERENCES actors (id),
    author_id INTEGER NOT NULL REFERENCES actors (id),
    title TEXT NOT NULL,
    description_source TEXT NOT NULL DEFAULT '',
    description_html TEXT NOT NULL DEFAULT '',
    starts_at INTEGER NOT NULL,
    ends_at INTEGER NOT NULL,
    location TEXT NOT NULL DEFAULT '',
    meeting_url TEXT NOT NULL DEFAULT '',
    -- 1: every member; 0: only the people in project_event_attendees
    for_all INTEGER NOT NULL DEFAULT 1,
    created_at INTEGER NOT NULL,
    updated_at INTEGER,
    deleted_at INTEGER,
    local INTEGER NOT NULL
);
CREATE INDEX project_events_project ON project_events (project_id, starts_at);

CREATE TABLE project_event_attendees (
    event_id INTEGER NOT NULL REFERENCES project_events (id),
    actor_id INTEGER NOT NULL REFERENCES actors (id),
    PRIMARY KEY (event_id, actor_id)
);
