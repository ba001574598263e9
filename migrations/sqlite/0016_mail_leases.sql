-- When a process claimed a queued list mail for sending: as for
-- notification_mails (0015), a row still 'sending' long after it (the
-- process died mid-send) may be claimed again, so that the mail is
-- retried; a live process finishes well within that lease, so two
-- processes never send one mail twice.
ALTER TABLE list_mails ADD COLUMN claimed_at INTEGER;
