-- Replies by e-mail (issue 12): the messages already turned into a reply,
-- by teacher and Message-ID, so that a message delivered twice (an MTA
-- retry, a resent mail) posts once. A row is written before posting and
-- removed again when the post fails for a reason worth retrying.
CREATE TABLE reply_mails (
    account_id INTEGER NOT NULL REFERENCES accounts (id),
    -- the Message-ID header, or a hash of the message when it has none
    message_id TEXT NOT NULL,
    received_at INTEGER NOT NULL,
    PRIMARY KEY (account_id, message_id)
);
