-- When a process claimed a queued notification mail for sending. A row
-- still 'sending' long after it (the process died mid-send) may be claimed
-- again, so that the mail is retried; a live process finishes well within
-- that lease, so two processes never send one mail twice.
ALTER TABLE notification_mails ADD COLUMN claimed_at INTEGER;
