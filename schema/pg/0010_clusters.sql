-- 0010_clusters.sql — copies of one statement (see schema/0010_clusters.sql).

CREATE TABLE post_clusters (
	post_id BIGINT PRIMARY KEY REFERENCES posts (id) ON DELETE CASCADE,
	cluster_id BIGINT NOT NULL REFERENCES posts (id) ON DELETE CASCADE,
	similarity DOUBLE PRECISION NOT NULL,
	reason TEXT NOT NULL CHECK (reason IN ('text', 'url')),
	clustered_at BIGINT NOT NULL
);
CREATE INDEX post_clusters_cluster ON post_clusters (cluster_id);
