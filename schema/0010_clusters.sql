-- 0010_clusters.sql — copies of one statement.  The same statement often
-- appears several times: on a ministry's Telegram channel, its Mastodon
-- account and its web page, or quoted verbatim by an embassy.  A post
-- found to be a near-duplicate of an earlier post (by the text's shingles,
-- or by linking the same URL) gets a row here naming the earliest post of
-- its statement; a post without copies has no row.  Reports and narrative
-- timelines count a statement once:
--   COUNT(DISTINCT COALESCE(c.cluster_id, p.id))
--   FROM posts p LEFT JOIN post_clusters c ON c.post_id = p.id

CREATE TABLE post_clusters (
	post_id INTEGER PRIMARY KEY REFERENCES posts (id) ON DELETE CASCADE,
	cluster_id INTEGER NOT NULL REFERENCES posts (id) ON DELETE CASCADE,
	similarity REAL NOT NULL,      -- estimated Jaccard of the shingles (1 for 'url')
	reason TEXT NOT NULL CHECK (reason IN ('text', 'url')),
	clustered_at INTEGER NOT NULL  -- UTC epoch seconds
);
CREATE INDEX post_clusters_cluster ON post_clusters (cluster_id);
