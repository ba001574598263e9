-- When a process claimed a queued list mail for sending: as for
-- notification_mails (0015), a row still 'sending' long after it (the
-- process died mid-send) may be claimed again, so that the mail is
-- retried; a live process finishes well within that lease, so two
-- processes never send one mail twice.
ALTER TABLE list_mails ADD COLUMN claimed_at INTEGER;
-- When the message of a reply by e-mail was posted. A row without it is a
-- claim taken before posting (`received_at`): if its process died before
-- posting, the message (delivered again by the sender's server) may be
-- claimed again once the claim lapsed, instead of being taken for a
-- duplicate and lost. Rows written before this column were posted.
ALTER TABLE reply_mails ADD COLUMN posted_at INTEGER;
UPDATE reply_mails SET posted_at = received_at;
