-- 0002_views.sql (PostgreSQL) — the indexes and views of ../0002_views.sql.
-- SQLite's strftime(..., 'unixepoch') becomes the two functions below,
-- which format epoch seconds in UTC whatever the session's time zone.

CREATE FUNCTION demarche_iso(t BIGINT) RETURNS TEXT
LANGUAGE sql IMMUTABLE AS
$$ SELECT to_char(to_timestamp(t) AT TIME ZONE 'UTC',
	'YYYY-MM-DD"T"HH24:MI:SS"Z"') $$;

CREATE FUNCTION demarche_day(t BIGINT) RETURNS TEXT
LANGUAGE sql IMMUTABLE AS
$$ SELECT to_char(to_timestamp(t) AT TIME ZONE 'UTC', 'YYYY-MM-DD') $$;

CREATE INDEX posts_time ON posts (report_time, account_id);
CREATE INDEX posts_account_time ON posts (account_id, report_time);
CREATE INDEX posts_feed ON posts (feed_id);
CREATE INDEX post_categories_category ON post_categories (category, post_id);
CREATE INDEX account_snapshots_account ON account_snapshots (account_id,
	observed);
CREATE INDEX fetches_feed ON fetches (feed_id, started);
CREATE INDEX feeds_account ON feeds (account_id);

CREATE VIEW posts_with_categories AS
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
	p.rules_version
FROM posts p
JOIN accounts a ON a.id = p.account_id;

CREATE VIEW post_category_rows AS
SELECT p.id AS post_id,
	a.handle,
	a.role,
	demarche_iso(p.report_time) AS time,
	pc.category,
	pc.score,
	pc.evidence,
	pc.rules_version,
	demarche_iso(pc.classified_at) AS classified_at,
	p.url,
	p.text
FROM post_categories pc
JOIN posts p ON p.id = pc.post_id
JOIN accounts a ON a.id = p.account_id;

CREATE VIEW daily_counts AS
SELECT demarche_day(p.report_time) AS day,
	a.handle,
	'*' AS category,
	count(*) AS posts
FROM posts p
JOIN accounts a ON a.id = p.account_id
GROUP BY 1, a.handle
UNION ALL
SELECT demarche_day(p.report_time) AS day,
	a.handle,
	pc.category,
	count(*) AS posts
FROM posts p
JOIN accounts a ON a.id = p.account_id
JOIN post_categories pc ON pc.post_id = p.id
GROUP BY 1, a.handle, pc.category;

CREATE VIEW account_growth AS
SELECT a.handle,
	a.role,
	demarche_iso(s.observed) AS observed,
	s.followers,
	s.followers - lag(s.followers) OVER w AS followers_delta,
	s.following,
	s.following - lag(s.following) OVER w AS following_delta,
	s.posts_count,
	s.posts_count - lag(s.posts_count) OVER w AS posts_count_delta
FROM account_snapshots s
JOIN accounts a ON a.id = s.account_id
WINDOW w AS (PARTITION BY s.account_id ORDER BY s.observed, s.id);

CREATE VIEW accounts_opened_per_year AS
SELECT to_char(to_timestamp(created) AT TIME ZONE 'UTC', 'YYYY') AS year,
	role,
	count(*) AS accounts
FROM accounts
WHERE created IS NOT NULL
GROUP BY 1, role;

CREATE VIEW feed_health AS
SELECT f.id AS feed_id,
	a.handle,
	f.kind,
	f.url,
	f.configured_url,
	CASE WHEN f.active = 0 THEN 'inactive'
	     WHEN f.disabled <> 0 THEN 'disabled'
	     WHEN f.consecutive_failures > 0 THEN 'failing'
	     ELSE 'ok' END AS status,
	f.consecutive_failures,
	demarche_iso(f.failing_since) AS failing_since,
	demarche_iso(f.last_success) AS last_success,
	f.last_error,
	demarche_iso(f.last_error_at) AS last_error_at,
	demarche_iso(f.next_poll) AS next_poll,
	(SELECT count(*) FROM fetches x WHERE x.feed_id = f.id) AS fetches,
	(SELECT count(*) FROM posts p WHERE p.feed_id = f.id) AS posts
FROM feeds f
JOIN accounts a ON a.id = f.account_id;
