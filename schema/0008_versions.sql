-- 0008_versions.sql — the statement record: every wording of a post, the
-- categories each wording got, and deletions noticed upstream.
--
-- posts keeps the newest wording; post_versions keeps them all (version 1
-- is the first stored).  Posts stored before this migration get their
-- current wording as version 1 (what they said before an earlier edit was
-- not kept then), seen at their last edit or else when first stored.

CREATE TABLE post_versions (
	post_id INTEGER NOT NULL REFERENCES posts (id) ON DELETE CASCADE,
	version INTEGER NOT NULL,         -- 1, 2, ...: the order of wordings
	title TEXT,
	text TEXT NOT NULL,
	content_hash TEXT NOT NULL,       -- as posts.content_hash
	seen INTEGER NOT NULL,            -- when demarche first saw it
	PRIMARY KEY (post_id, version)
) WITHOUT ROWID;
CREATE INDEX post_versions_seen ON post_versions (seen);

-- What each wording was classified as when it was stored (post_categories
-- holds the newest wording's, as reclassified since).
CREATE TABLE post_version_categories (
	post_id INTEGER NOT NULL,
	version INTEGER NOT NULL,
	category TEXT NOT NULL,
	score REAL NOT NULL,
	evidence TEXT NOT NULL,
	rules_version TEXT NOT NULL,
	classified_at INTEGER NOT NULL,
	PRIMARY KEY (post_id, version, category),
	FOREIGN KEY (post_id, version) REFERENCES post_versions (post_id, version)
		ON DELETE CASCADE
) WITHOUT ROWID;

-- Each time a post vanished upstream while older and newer posts of its
-- feed were still served, and when it came back, if it did.
CREATE TABLE post_deletions (
	id INTEGER PRIMARY KEY,
	post_id INTEGER NOT NULL REFERENCES posts (id) ON DELETE CASCADE,
	feed_id INTEGER REFERENCES feeds (id),
	deleted_seen INTEGER NOT NULL,    -- the poll that noticed it
	returned_seen INTEGER             -- the poll that saw it again, or NULL
);
CREATE INDEX post_deletions_post ON post_deletions (post_id);
CREATE INDEX post_deletions_seen ON post_deletions (deleted_seen);

ALTER TABLE posts ADD COLUMN deleted_seen INTEGER; -- NULL while live
-- A poll that stored what it could of a damaged document (cut short, not
-- well-formed, undecodable bytes): why; NULL for a whole document.
ALTER TABLE fetches ADD COLUMN warning TEXT;

INSERT INTO post_versions (post_id, version, title, text, content_hash, seen)
SELECT id, 1, title, text, content_hash, COALESCE(edited_seen, first_seen)
FROM posts;
INSERT INTO post_version_categories (post_id, version, category, score,
	evidence, rules_version, classified_at)
SELECT post_id, 1, category, score, evidence, rules_version, classified_at
FROM post_categories;

-- One row per edit: the wording before and after.
CREATE VIEW post_edits AS
SELECT v.post_id,
	a.handle,
	p.url,
	b.version AS version_before,
	v.version AS version_after,
	strftime('%Y-%m-%dT%H:%M:%SZ', b.seen, 'unixepoch') AS seen_before,
	strftime('%Y-%m-%dT%H:%M:%SZ', v.seen, 'unixepoch') AS seen,
	b.title AS title_before,
	v.title AS title_after,
	b.text AS text_before,
	v.text AS text_after
FROM post_versions v
JOIN post_versions b ON b.post_id = v.post_id AND b.version =
	(SELECT max(x.version) FROM post_versions x
	 WHERE x.post_id = v.post_id AND x.version < v.version)
JOIN posts p ON p.id = v.post_id
JOIN accounts a ON a.id = p.account_id;

-- One row per deletion noticed, with the categories of the post.
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
		 WHERE post_id = p.id ORDER BY category) AS pc) AS categories
FROM post_deletions d
JOIN posts p ON p.id = d.post_id
JOIN accounts a ON a.id = p.account_id;
