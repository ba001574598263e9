-- Actors: every local and known remote actor (people, the instance actor,
-- later forums and project spaces). Local names share one namespace so an
-- acct: handle is never ambiguous.
CREATE TABLE actors (
    id INTEGER PRIMARY KEY,
    kind TEXT NOT NULL,
    name TEXT NOT NULL,
    -- empty for local actors, the remote host (with :port) otherwise
    domain TEXT NOT NULL DEFAULT '',
    ap_id TEXT NOT NULL UNIQUE,
    inbox TEXT NOT NULL,
    shared_inbox TEXT,
    display_name TEXT NOT NULL DEFAULT '',
    summary_html TEXT NOT NULL DEFAULT '',
    public_key_pem TEXT NOT NULL,
    private_key_pem TEXT,
    declared_trust TEXT,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    fetched_at INTEGER,
    UNIQUE (name, domain)
);

-- Local accounts: how a person logs in. One row per local Person actor.
CREATE TABLE accounts (
    id INTEGER PRIMARY KEY,
    actor_id INTEGER NOT NULL UNIQUE REFERENCES actors (id),
    username TEXT NOT NULL UNIQUE,
    email TEXT NOT NULL UNIQUE,
    email_domain TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    is_admin INTEGER NOT NULL DEFAULT 0,
    status TEXT NOT NULL,
    email_verified_at INTEGER,
    charter_accepted_at INTEGER NOT NULL,
    locale TEXT NOT NULL DEFAULT 'fr',
    created_at INTEGER NOT NULL,
    last_login_at INTEGER
);

-- Teacher profile fields, local and remote. Lists are JSON arrays of text.
CREATE TABLE profiles (
    actor_id INTEGER PRIMARY KEY REFERENCES actors (id),
    bio_source TEXT NOT NULL DEFAULT '',
    subjects TEXT NOT NULL DEFAULT '[]',
    school_levels TEXT NOT NULL DEFAULT '[]',
    languages TEXT NOT NULL DEFAULT '[]',
    academy TEXT NOT NULL DEFAULT '',
    school TEXT NOT NULL DEFAULT '',
    interests TEXT NOT NULL DEFAULT '[]',
    updated_at INTEGER NOT NULL
);

-- Log-in sessions (browser cookie and API bearer tokens). Only a SHA-256
-- of the token is stored, so a database leak does not leak sessions.
CREATE TABLE sessions (
    token_hash TEXT PRIMARY KEY,
    account_id INTEGER NOT NULL REFERENCES accounts (id),
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL
);
CREATE INDEX sessions_account ON sessions (account_id);

-- One-time tokens sent by e-mail: address verification and password reset.
CREATE TABLE email_tokens (
    token_hash TEXT PRIMARY KEY,
    account_id INTEGER NOT NULL REFERENCES accounts (id),
    purpose TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    used_at INTEGER
);
CREATE INDEX email_tokens_account ON email_tokens (account_id, purpose);
