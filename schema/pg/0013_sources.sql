-- 0013_sources.sql (PostgreSQL) — as ../0013_sources.sql: feeds.source,
-- posts.published_us and upstream_edited, post_deletions.confirmed and
-- checked, html_pages, and deleted_posts with the confirmation.
ALTER TABLE feeds ADD COLUMN source TEXT;
UPDATE feeds SET source = CASE
	WHEN kind IN ('mastodon', 'bluesky') THEN kind
	WHEN configured_url LIKE 'telegram:%' THEN 'telegram'
	WHEN configured_url LIKE 'youtube:%' THEN 'youtube'
	WHEN configured_url LIKE 'html:%' THEN 'html'
	ELSE 'web' END;

ALTER TABLE posts ADD COLUMN published_us INTEGER;
ALTER TABLE posts ADD COLUMN upstream_edited INTEGER NOT NULL DEFAULT 0;

ALTER TABLE post_deletions ADD COLUMN confirmed INTEGER;
ALTER TABLE post_deletions ADD COLUMN checked BIGINT;

CREATE TABLE html_pages (
	feed_id BIGINT NOT NULL REFERENCES feeds (id) ON DELETE CASCADE,
	url TEXT NOT NULL,
	etag TEXT,
	last_modified TEXT,
	first_fetched BIGINT NOT NULL,
	last_fetched BIGINT NOT NULL,
	status INTEGER,
	PRIMARY KEY (feed_id, url)
);
CREATE INDEX html_pages_fetched ON html_pages (feed_id, first_fetched);

DROP VIEW deleted_posts;
CREATE VIEW deleted_posts AS
SELECT d.post_id,
	a.handle,
	p.url,
	demarche_iso(d.deleted_seen) AS deleted_seen,
	demarche_iso(d.returned_seen) AS returned_seen,
	p.title,
	p.text,
	(SELECT string_agg(pc.category, ',' ORDER BY pc.category)
	 FROM post_categories pc WHERE pc.post_id = p.id) AS categories,
	d.confirmed
FROM post_deletions d
JOIN posts p ON p.id = d.post_id
JOIN accounts a ON a.id = p.account_id
WHERE d.confirmed IS NULL OR d.confirmed <> 0;

DROP VIEW feed_health;
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
	(SELECT count(*) FROM posts p WHERE p.feed_id = f.id) AS posts,
	f.source
FROM feeds f
JOIN accounts a ON a.id = f.account_id;
