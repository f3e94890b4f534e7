-- 0009_search.sql — full-text search over posts.text, for
-- `demarche posts --search`.  posts_fts is an FTS5 index with the trigram
-- tokenizer: every three-character window of the text is a token, so a
-- query finds any substring of three characters or more in every script
-- (德特里克, wuhan, "fort detrick"), case-insensitively (Unicode case
-- folding).  Shorter terms (two-character Chinese or Japanese words such
-- as 米軍) are matched by demarche with LIKE instead.  The index holds no
-- copy of the text (content='posts'); the triggers below keep it in step
-- with every insert, edit and delete of a post.
--
-- Query it yourself with
--   SELECT p.* FROM posts p JOIN posts_fts f ON f.rowid = p.id
--   WHERE posts_fts MATCH '"fort detrick" OR "德特里克"';
--
-- The index of the posts already stored is filled by demarche right after
-- this script, in batches with a progress line (store_search.c), in the
-- same transaction.

CREATE VIRTUAL TABLE posts_fts USING fts5(
	text,
	content = 'posts',
	content_rowid = 'id',
	tokenize = 'trigram'
);

CREATE TRIGGER posts_fts_insert AFTER INSERT ON posts BEGIN
	INSERT INTO posts_fts (rowid, text) VALUES (new.id, new.text);
END;

CREATE TRIGGER posts_fts_delete AFTER DELETE ON posts BEGIN
	INSERT INTO posts_fts (posts_fts, rowid, text)
		VALUES ('delete', old.id, old.text);
END;

CREATE TRIGGER posts_fts_update AFTER UPDATE OF text ON posts BEGIN
	INSERT INTO posts_fts (posts_fts, rowid, text)
		VALUES ('delete', old.id, old.text);
	INSERT INTO posts_fts (rowid, text) VALUES (new.id, new.text);
END;
