-- 0002_views.sql — indexes for the report queries and views for the
-- questions analysts ask most.  Views show times as ISO 8601 UTC strings
-- ('2020-03-12T13:37:00Z'); the underlying tables keep epoch seconds.

-- posts.report_time is when a post was published, else when first seen;
-- with account_id alongside, period counts never touch the table.
CREATE INDEX posts_time ON posts (report_time, account_id);
CREATE INDEX posts_account_time ON posts (account_id, report_time);
CREATE INDEX posts_feed ON posts (feed_id);
CREATE INDEX post_categories_category ON post_categories (category, post_id);
CREATE INDEX account_snapshots_account ON account_snapshots (account_id,
	observed);
CREATE INDEX fetches_feed ON fetches (feed_id, started);
CREATE INDEX feeds_account ON feeds (account_id);

-- Every post with its account and its categories (comma-separated keys,
-- NULL when none).
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
	p.rules_version
FROM posts p
JOIN accounts a ON a.id = p.account_id;

-- One row per (post, category) with the score and the evidence JSON.
CREATE VIEW post_category_rows AS
SELECT p.id AS post_id,
	a.handle,
	a.role,
	strftime('%Y-%m-%dT%H:%M:%SZ', p.report_time, 'unixepoch')
		AS time,
	pc.category,
	pc.score,
	pc.evidence,
	pc.rules_version,
	strftime('%Y-%m-%dT%H:%M:%SZ', pc.classified_at, 'unixepoch')
		AS classified_at,
	p.url,
	p.text
FROM post_categories pc
JOIN posts p ON p.id = pc.post_id
JOIN accounts a ON a.id = p.account_id;

-- Posts per day and account; 'category' is '*' for all posts, else one
-- category key (a post in two categories counts in both).
CREATE VIEW daily_counts AS
SELECT date(p.report_time, 'unixepoch') AS day,
	a.handle,
	'*' AS category,
	count(*) AS posts
FROM posts p
JOIN accounts a ON a.id = p.account_id
GROUP BY day, a.handle
UNION ALL
SELECT date(p.report_time, 'unixepoch') AS day,
	a.handle,
	pc.category,
	count(*) AS posts
FROM posts p
JOIN accounts a ON a.id = p.account_id
JOIN post_categories pc ON pc.post_id = p.id
GROUP BY day, a.handle, pc.category;

-- Account counters over time, with the change since the previous
-- observation of the same account.
CREATE VIEW account_growth AS
SELECT a.handle,
	a.role,
	strftime('%Y-%m-%dT%H:%M:%SZ', s.observed, 'unixepoch') AS observed,
	s.followers,
	s.followers - lag(s.followers) OVER w AS followers_delta,
	s.following,
	s.following - lag(s.following) OVER w AS following_delta,
	s.posts_count,
	s.posts_count - lag(s.posts_count) OVER w AS posts_count_delta
FROM account_snapshots s
JOIN accounts a ON a.id = s.account_id
WINDOW w AS (PARTITION BY s.account_id ORDER BY s.observed, s.id);

-- Accounts opened per year and role (from accounts.created).
CREATE VIEW accounts_opened_per_year AS
SELECT strftime('%Y', created, 'unixepoch') AS year,
	role,
	count(*) AS accounts
FROM accounts
WHERE created IS NOT NULL
GROUP BY year, role;

-- The health of every feed; 'status' is ok, failing, disabled or inactive.
CREATE VIEW feed_health AS
SELECT f.id AS feed_id,
	a.handle,
	f.kind,
	f.url,
	f.configured_url,
	CASE WHEN f.active = 0 THEN 'inactive'
	     WHEN f.disabled THEN 'disabled'
	     WHEN f.consecutive_failures > 0 THEN 'failing'
	     ELSE 'ok' END AS status,
	f.consecutive_failures,
	strftime('%Y-%m-%dT%H:%M:%SZ', f.failing_since, 'unixepoch')
		AS failing_since,
	strftime('%Y-%m-%dT%H:%M:%SZ', f.last_success, 'unixepoch')
		AS last_success,
	f.last_error,
	strftime('%Y-%m-%dT%H:%M:%SZ', f.last_error_at, 'unixepoch')
		AS last_error_at,
	strftime('%Y-%m-%dT%H:%M:%SZ', f.next_poll, 'unixepoch') AS next_poll,
	(SELECT count(*) FROM fetches x WHERE x.feed_id = f.id) AS fetches,
	(SELECT count(*) FROM posts p WHERE p.feed_id = f.id) AS posts
FROM feeds f
JOIN accounts a ON a.id = f.account_id;
