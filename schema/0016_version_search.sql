-- 0016_version_search.sql — full-text search over every wording of a
-- post, not only the newest: `demarche posts --search` finds a post whose
-- earlier wording (post_versions, schema 0008) contained the term, and
-- says which version matched.
--
-- post_versions_fts is an FTS5 index with the trigram tokenizer, like
-- posts_fts (0009), over post_versions.text.  post_versions has no
-- integer rowid (its key is (post_id, version)), so the index numbers a
-- wording post_id * 1048576 + version (2^20: versions from 1 to 1048575;
-- a wording beyond that is not indexed) and reads the text, when it must,
-- through the view post_versions_fts_source; it holds no copy of the
-- text.  The triggers below keep it in step with every wording stored,
-- replaced or dropped (also when a post is deleted: ON DELETE CASCADE).
--
-- Query it yourself with
--   SELECT rowid >> 20 AS post_id, rowid & 1048575 AS version
--   FROM post_versions_fts WHERE post_versions_fts MATCH '"fort detrick"';
--
-- The index of the wordings already stored is filled by demarche right
-- after this script, in batches with a progress line (store_search.c), in
-- the same transaction.

CREATE VIEW post_versions_fts_source AS
	SELECT post_id * 1048576 + version AS vid, text FROM post_versions;

CREATE VIRTUAL TABLE post_versions_fts USING fts5(
	text,
	content = 'post_versions_fts_source',
	content_rowid = 'vid',
	tokenize = 'trigram'
);

CREATE TRIGGER post_versions_fts_insert AFTER INSERT ON post_versions
WHEN new.version BETWEEN 1 AND 1048575 BEGIN
	INSERT INTO post_versions_fts (rowid, text)
		VALUES (new.post_id * 1048576 + new.version, new.text);
END;

CREATE TRIGGER post_versions_fts_delete AFTER DELETE ON post_versions
WHEN old.version BETWEEN 1 AND 1048575 BEGIN
	INSERT INTO post_versions_fts (post_versions_fts, rowid, text)
		VALUES ('delete', old.post_id * 1048576 + old.version, old.text);
END;

CREATE TRIGGER post_versions_fts_update AFTER UPDATE OF text ON post_versions
WHEN old.version BETWEEN 1 AND 1048575 BEGIN
	INSERT INTO post_versions_fts (post_versions_fts, rowid, text)
		VALUES ('delete', old.post_id * 1048576 + old.version, old.text);
	INSERT INTO post_versions_fts (rowid, text)
		VALUES (new.post_id * 1048576 + new.version, new.text);
END;
