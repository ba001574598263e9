-- The post of a project's forum a notification is about (a mention in a
-- project post, a project post refused by its host), as `post_id` is for
-- a forum post: the mail about it carries the recipient's reply address
-- for its thread (issue 12). Empty for the rows written before.
ALTER TABLE notifications ADD COLUMN project_post_id BIGINT REFERENCES project_posts (id);
