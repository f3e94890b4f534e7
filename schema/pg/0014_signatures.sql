-- 0014_signatures.sql — the index of copies (see schema/0014_signatures.sql).

CREATE TABLE post_signatures (
	post_id BIGINT PRIMARY KEY REFERENCES posts (id) ON DELETE CASCADE,
	minhash TEXT NOT NULL,
	report_time BIGINT NOT NULL
);

CREATE TABLE post_bands (
	band BIGINT NOT NULL,
	report_time BIGINT NOT NULL,
	post_id BIGINT NOT NULL REFERENCES posts (id) ON DELETE CASCADE,
	PRIMARY KEY (band, report_time, post_id)
);

CREATE TABLE post_links (
	link TEXT NOT NULL,
	report_time BIGINT NOT NULL,
	post_id BIGINT NOT NULL REFERENCES posts (id) ON DELETE CASCADE,
	own INTEGER NOT NULL,
	PRIMARY KEY (link, report_time, post_id)
);
CREATE INDEX post_links_post ON post_links (post_id);
