-- 0007_labels.sql — analysts' labels (see schema/0007_labels.sql): one
-- row per post and analyst; labelling again replaces that analyst's row.

CREATE TABLE post_labels (
	post_id BIGINT NOT NULL REFERENCES posts (id) ON DELETE CASCADE,
	labels TEXT NOT NULL,          -- comma-separated category keys, or 'none'
	labeller TEXT NOT NULL,        -- who (--by, else the login name)
	labelled_at BIGINT NOT NULL,   -- UTC epoch seconds
	PRIMARY KEY (post_id, labeller)
);
CREATE INDEX post_labels_time ON post_labels (labelled_at);
