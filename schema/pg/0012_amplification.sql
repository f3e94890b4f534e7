-- 0012_amplification.sql — reposters and engagement counters (see
-- schema/0012_amplification.sql).
CREATE TABLE reposts (
	post_id BIGINT NOT NULL REFERENCES posts (id) ON DELETE CASCADE,
	actor TEXT NOT NULL,
	actor_name TEXT,
	actor_created BIGINT,
	actor_followers BIGINT,
	first_seen BIGINT NOT NULL,
	PRIMARY KEY (post_id, actor)
);
CREATE INDEX reposts_actor ON reposts (actor);

CREATE TABLE post_metrics (
	post_id BIGINT NOT NULL REFERENCES posts (id) ON DELETE CASCADE,
	seen BIGINT NOT NULL,
	views BIGINT,
	reposts BIGINT,
	likes BIGINT,
	replies BIGINT,
	PRIMARY KEY (post_id, seen)
);
