-- 0007_labels.sql — analysts' labels: what a person says a post is, per
-- the codebook (`demarche -d DB label ID CATEGORIES|none`).  They are the
-- training and test data the tool learns from as rhetoric drifts
-- (`demarche train --from-db DB`, `demarche eval --from-db DB`).  One row
-- per post and analyst; labelling again replaces that analyst's row.

CREATE TABLE post_labels (
	post_id INTEGER NOT NULL REFERENCES posts (id) ON DELETE CASCADE,
	labels TEXT NOT NULL,          -- comma-separated category keys, or 'none'
	labeller TEXT NOT NULL,        -- who (--by, else the login name)
	labelled_at INTEGER NOT NULL,  -- UTC epoch seconds
	PRIMARY KEY (post_id, labeller)
);
CREATE INDEX post_labels_time ON post_labels (labelled_at);
