-- 0006_replies.sql (PostgreSQL) — as ../0006_replies.sql: posts.is_reply,
-- and posts_with_categories with it as its last column (CREATE OR REPLACE
-- VIEW may add columns at the end).

ALTER TABLE posts ADD COLUMN is_reply INTEGER NOT NULL DEFAULT 0;

CREATE OR REPLACE VIEW posts_with_categories AS
SELECT p.id AS post_id,
	a.handle,
	a.role,
	a.country,
	demarche_iso(p.report_time) AS time,
	demarche_iso(p.published) AS published,
	demarche_iso(p.first_seen) AS first_seen,
	p.url,
	p.title,
	p.text,
	p.lang,
	p.author,
	p.is_repost,
	p.edit_count,
	(SELECT string_agg(pc.category, ',' ORDER BY pc.category)
	 FROM post_categories pc WHERE pc.post_id = p.id) AS categories,
	p.rules_version,
	p.is_reply
FROM posts p
JOIN accounts a ON a.id = p.account_id;
