-- Mailing-list mode: teachers who follow a forum, or the forum of a project
-- they belong to, by e-mail. `group_id` is the forum's or the project's
-- Group actor; `kind` is 'forum' or 'project'. A project subscription
-- only counts while its teacher is a member (rows of former members are
-- deleted when the next post is queued, and never mailed before).
CREATE TABLE mail_subscriptions (
    account_id INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    group_id INTEGER NOT NULL REFERENCES actors (id),
    kind TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (account_id, group_id)
);
CREATE INDEX mail_subscriptions_group ON mail_subscriptions (group_id, kind);
-- One list mail per subscriber and post, queued in the transaction that
-- stored the post: `post_id` (a forum post) or `project_post_id` (a
-- project post). `state` is 'pending', 'sending' (claimed by one process),
-- 'sent' or 'dropped' (the account, the post or the membership is gone).
CREATE TABLE list_mails (
    id INTEGER PRIMARY KEY,
    account_id INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    group_id INTEGER NOT NULL REFERENCES actors (id),
    post_id INTEGER REFERENCES posts (id) ON DELETE CASCADE,
    project_post_id INTEGER REFERENCES project_posts (id) ON DELETE CASCADE,
    state TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    done_at INTEGER
);
CREATE INDEX list_mails_pending ON list_mails (state, id);
