-- 0014_signatures.sql — what demarche finds the copies of a statement by
-- (post_clusters, schema 0010).  When a post is stored, demarche computes
-- a MinHash signature of its folded text (daemon/classify/dedup.h: 120
-- minima of word or CJK-character 3-grams) and the keys of the pages it
-- links to, and looks up earlier posts of the weeks around it that share
-- a band of the signature or a link key; these tables are that index.
-- They are derived data: demarche fills them for the posts already stored
-- right after this script (store_clusters.c), in the same transaction.

-- One row per post whose text is long enough to have a signature.
CREATE TABLE post_signatures (
	post_id INTEGER PRIMARY KEY REFERENCES posts (id) ON DELETE CASCADE,
	minhash TEXT NOT NULL,         -- 120 minima as 8 hex digits each
	report_time INTEGER NOT NULL   -- the report_time its bands were filed
	                               -- under, to find them again on an edit
);

-- The 20 bands of each signature (6 minima each): band number * 2^32 + a
-- 32-bit hash of its minima.  Texts of Jaccard similarity 0.8 share a band
-- with probability 0.998, texts of 0.3 with 0.015.  No index by post:
-- an edited post's bands are found again from its stored signature.
CREATE TABLE post_bands (
	band INTEGER NOT NULL,
	report_time INTEGER NOT NULL,  -- posts.report_time, to look in a window
	post_id INTEGER NOT NULL REFERENCES posts (id) ON DELETE CASCADE,
	PRIMARY KEY (band, report_time, post_id)
) WITHOUT ROWID;

-- The keys of the pages a post links to (own = 0: host, path and query
-- without tracking parameters; see dedup_url_key) and of its own URL
-- (own = 1): a post linking the page another post is, or the page another
-- post links, is a copy of it.
CREATE TABLE post_links (
	link TEXT NOT NULL,
	report_time INTEGER NOT NULL,
	post_id INTEGER NOT NULL REFERENCES posts (id) ON DELETE CASCADE,
	own INTEGER NOT NULL,
	PRIMARY KEY (link, report_time, post_id)
) WITHOUT ROWID;
CREATE INDEX post_links_post ON post_links (post_id);
