-- Who may post in a local forum: any author, associative and above, or
-- institutional only, by the author's label as this instance verifies it.
ALTER TABLE forums ADD COLUMN min_post_level TEXT NOT NULL DEFAULT 'informal';
