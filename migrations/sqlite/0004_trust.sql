-- Trust labels (docs/trust.md): what this instance knows about each remote
-- instance. Labels are computed from these rows when shown; nothing here
-- is a copy of another server's claim unless named `declared_*`.
CREATE TABLE instances (
    -- host with :port, as in actors.domain
    host TEXT PRIMARY KEY,
    -- scheme://host[:port], where its NodeInfo and attestations are read
    origin TEXT NOT NULL,
    declared_level TEXT,
    declared_org TEXT NOT NULL DEFAULT '',
    -- the best attestation that verified at the last check, as served
    attestation TEXT,
    attested_level TEXT,
    attested_org TEXT NOT NULL DEFAULT '',
    -- JSON array of e-mail domains
    attested_domains TEXT NOT NULL DEFAULT '[]',
    attested_by TEXT,
    attested_until INTEGER,
    -- code of the last refusal of an attestation it served
    attestation_error TEXT,
    -- a verified level it lost at a re-check, and when
    lost_level TEXT,
    lost_at INTEGER,
    -- an admin's entry
    manual_level TEXT,
    manual_note TEXT NOT NULL DEFAULT '',
    manual_by TEXT,
    manual_at INTEGER,
    checked_at INTEGER,
    next_check_at INTEGER NOT NULL,
    first_seen_at INTEGER NOT NULL
);
CREATE INDEX instances_next_check ON instances (next_check_at);

-- Every refused or lost piece of evidence, for admins.
CREATE TABLE trust_events (
    id INTEGER PRIMARY KEY,
    host TEXT NOT NULL,
    at INTEGER NOT NULL,
    code TEXT NOT NULL,
    detail TEXT NOT NULL DEFAULT ''
);
CREATE INDEX trust_events_host ON trust_events (host, at);

-- The verified e-mail domain of a remote person, as their instance
-- publishes it (never the address).
ALTER TABLE actors ADD COLUMN email_domain TEXT;
UPDATE actors SET email_domain = (
    SELECT accounts.email_domain FROM accounts WHERE accounts.actor_id = actors.id
) WHERE domain = '';
