-- The time zone an agenda event was entered in (issue 13): its times stay
-- stored in UTC; the zone names the wall-clock time its author meant, for
-- the iCalendar export (`DTSTART;TZID=…`) and for readers elsewhere.
-- Empty for the events written before and for remote events that carry
-- no zone (read as UTC).
ALTER TABLE project_events ADD COLUMN time_zone TEXT NOT NULL DEFAULT '';
