-- 0006_replies.sql — whether a post answers another one (Mastodon's
-- in_reply_to_id, a Bluesky record's reply), so that analysts can tell a
-- diplomat's own statements from the arguments in their threads.  Posts
-- stored before this migration read 0 until they are edited.

ALTER TABLE posts ADD COLUMN is_reply INTEGER NOT NULL DEFAULT 0;

-- The view gains the column (at the end, so positional readers of the
-- old columns are not disturbed).
DROP VIEW posts_with_categories;
CREATE VIEW posts_with_categories AS
SELECT p.id AS post_id,
	a.handle,
	a.role,
	a.country,
	strftime('%Y-%m-%dT%H:%M:%SZ', p.report_time, 'unixepoch')
		AS time,
	strftime('%Y-%m-%dT%H:%M:%SZ', p.published, 'unixepoch') AS published,
	strftime('%Y-%m-%dT%H:%M:%SZ', p.first_seen, 'unixepoch') AS first_seen,
	p.url,
	p.title,
	p.text,
	p.lang,
	p.author,
	p.is_repost,
	p.edit_count,
	(SELECT group_concat(pc.category, ',') FROM
		(SELECT category FROM post_categories
		 WHERE post_id = p.id ORDER BY category) AS pc) AS categories,
	p.rules_version,
	p.is_reply
FROM posts p
JOIN accounts a ON a.id = p.account_id;
