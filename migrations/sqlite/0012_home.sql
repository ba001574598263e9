-- The logged-in home (issue 12): when each teacher last opened it, so that
-- what is new since their previous visit comes first; and the indexes its
-- queries read (posts by forum and date, project posts by project and
-- date, a teacher's own posts).
CREATE TABLE home_visits (
    account_id INTEGER PRIMARY KEY REFERENCES accounts (id),
    -- the start of the visit before the current one: items published after
    -- it are "new"
    previous_at INTEGER NOT NULL,
    -- the last time the home was opened; a new visit starts when the home
    -- is opened more than half an hour after it
    last_at INTEGER NOT NULL
);
CREATE INDEX posts_forum_published ON posts (forum_id, published_at);
CREATE INDEX posts_author ON posts (author_id, forum_id);
CREATE INDEX project_posts_published ON project_posts (project_id, published_at);
