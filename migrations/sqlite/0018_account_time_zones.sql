-- The time zone a teacher reads dates in (issue 13): an IANA name such as
-- `Europe/Paris` or `America/Martinique`; empty means the instance's
-- `default_time_zone`, so a change of that setting reaches everyone who
-- never chose.
ALTER TABLE accounts ADD COLUMN time_zone TEXT NOT NULL DEFAULT '';
