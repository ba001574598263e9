-- What an applicant tells the admins on an instance whose sign-ups wait
-- for approval (`registrations = "approval"`, issue 13): their school or
-- organisation and why they join. Empty for other sign-ups and for the
-- accounts made before.
ALTER TABLE accounts ADD COLUMN application_school TEXT NOT NULL DEFAULT '';
ALTER TABLE accounts ADD COLUMN application_motivation TEXT NOT NULL DEFAULT '';
