-- 0013_sources.sql — what the sources of issue 14 and the statement
-- record of issue 13 still lacked.
--
-- feeds.source: what a feed is read as.  feeds.kind keeps its CHECK
-- (web, mastodon, bluesky) and Telegram, YouTube and html: feeds stay
-- 'web' there; the table is not rebuilt (other tables reference it).
-- 'telegram', 'youtube', 'html', 'mastodon', 'bluesky' from the config;
-- a plain web feed is 'web' until its first document is read, then the
-- format it was read as: 'rss', 'atom' or 'jsonfeed'.
ALTER TABLE feeds ADD COLUMN source TEXT;
UPDATE feeds SET source = CASE
	WHEN kind IN ('mastodon', 'bluesky') THEN kind
	WHEN configured_url LIKE 'telegram:%' THEN 'telegram'
	WHEN configured_url LIKE 'youtube:%' THEN 'youtube'
	WHEN configured_url LIKE 'html:%' THEN 'html'
	ELSE 'web' END;

-- The fraction of a second of posts.published, in microseconds (0 to
-- 999999), when the source wrote one ("2020-03-12T10:00:00.25Z" gives
-- 250000); NULL when it wrote whole seconds or no time.
ALTER TABLE posts ADD COLUMN published_us INTEGER;
-- 1 when the source itself marks the post edited (Telegram's "edited"),
-- whether or not demarche saw the wording before the edit.
ALTER TABLE posts ADD COLUMN upstream_edited INTEGER NOT NULL DEFAULT 0;

-- A deletion suspected from a feed's window, asked of the source post by
-- post (Mastodon GET /api/v1/statuses/ID, Bluesky getPosts): confirmed
-- is 1 when the source answered that the post does not exist (404/410,
-- or no such post), 0 when it served the post (not deleted: it left the
-- window some other way; posts.deleted_seen is cleared), NULL while not
-- asked; checked is when it was asked.
ALTER TABLE post_deletions ADD COLUMN confirmed INTEGER;
ALTER TABLE post_deletions ADD COLUMN checked INTEGER;

-- The article pages of html: feeds: each fetched once when its link first
-- appears on the index, then conditionally (with these validators) until
-- [poll] html_refetch after first_fetched, to catch edits; never after.
CREATE TABLE html_pages (
	feed_id INTEGER NOT NULL REFERENCES feeds (id) ON DELETE CASCADE,
	url TEXT NOT NULL,                -- the article's URL (as linked)
	etag TEXT,                        -- validators of its last 200
	last_modified TEXT,
	first_fetched INTEGER NOT NULL,   -- its first fetch
	last_fetched INTEGER NOT NULL,    -- its latest fetch (any answer)
	status INTEGER,                   -- HTTP status of the latest fetch,
	                                  -- 0 when none came (transfer error)
	PRIMARY KEY (feed_id, url)
);
CREATE INDEX html_pages_fetched ON html_pages (feed_id, first_fetched);

-- deleted_posts gains the confirmation, and leaves out the suspicions the
-- source refuted.
DROP VIEW deleted_posts;
CREATE VIEW deleted_posts AS
SELECT d.post_id,
	a.handle,
	p.url,
	strftime('%Y-%m-%dT%H:%M:%SZ', d.deleted_seen, 'unixepoch')
		AS deleted_seen,
	strftime('%Y-%m-%dT%H:%M:%SZ', d.returned_seen, 'unixepoch')
		AS returned_seen,
	p.title,
	p.text,
	(SELECT group_concat(pc.category, ',') FROM
		(SELECT category FROM post_categories
		 WHERE post_id = p.id ORDER BY category) AS pc) AS categories,
	d.confirmed
FROM post_deletions d
JOIN posts p ON p.id = d.post_id
JOIN accounts a ON a.id = p.account_id
WHERE d.confirmed IS NULL OR d.confirmed <> 0;

-- feed_health gains the source (last, so older queries keep their
-- columns).
DROP VIEW feed_health;
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
	(SELECT count(*) FROM posts p WHERE p.feed_id = f.id) AS posts,
	f.source
FROM feeds f
JOIN accounts a ON a.id = f.account_id;
