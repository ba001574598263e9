-- How each teacher wants each kind of notification: 'site' (on the site
-- only), 'mail' (by e-mail at once), 'digest' (in the digest) or 'off' (no
-- notification written). A missing row means the kind's default
-- (domain::notification_settings::KINDS).
CREATE TABLE notification_settings (
    account_id INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    kind TEXT NOT NULL,
    delivery TEXT NOT NULL,
    PRIMARY KEY (account_id, kind)
);
-- How often a teacher gets the digest ('daily', 'weekly', 'none'; no row:
-- daily) and when the last one was sent.
CREATE TABLE notification_digests (
    account_id INTEGER PRIMARY KEY REFERENCES accounts (id) ON DELETE CASCADE,
    frequency TEXT NOT NULL,
    last_sent_at INTEGER
);
-- Mails about notifications, queued in the transaction that wrote the
-- notification. `mode` is 'now' (a mail of its own) or 'digest' (the next
-- digest); `state` is 'pending', 'sent' or 'dropped' (no mail: the account
-- cannot receive any, or the notification was read before the digest).
CREATE TABLE notification_mails (
    id INTEGER PRIMARY KEY,
    notification_id INTEGER NOT NULL REFERENCES notifications (id) ON DELETE CASCADE,
    account_id INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    mode TEXT NOT NULL,
    state TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    done_at INTEGER
);
-- The queue, by what the jobs look for: pending mails by mode; the mails
-- a teacher got in the last hour (the rate cap).
CREATE INDEX notification_mails_pending ON notification_mails (state, mode, account_id);
CREATE INDEX notification_mails_account ON notification_mails (account_id, state, done_at);
