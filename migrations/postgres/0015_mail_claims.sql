-- When a process claimed a queued notification mail for sending. A row
-- still 'sending' long after it (the process died mid-send) may be claimed
-- again, so that the mail is retried; a live process finishes well within
-- that lease, so two processes never send one mail twice.
ALTER TABLE notification_mails ADD COLUMN claimed_at BIGINT;
-- A sign-up an admin refused: the account stays, status 'refused', with
-- the reason sent to the applicant and when (the admins' list shows them;
-- the username and address stay taken).
ALTER TABLE accounts ADD COLUMN refusal_reason TEXT;
ALTER TABLE accounts ADD COLUMN refused_at BIGINT;
