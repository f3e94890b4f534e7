-- 0009_search.sql (PostgreSQL) — as ../0009_search.sql: the index behind
-- `demarche posts --search`.  demarche matches each search term with
-- ILIKE '%term%' (a substring, in every script, case-insensitive as far
-- as the database's LC_CTYPE folds case); a pg_trgm GIN index on
-- posts.text lets terms of three characters or more use an index.
-- pg_trgm is a trusted extension (PostgreSQL 13+): the database owner may
-- create it.  Where it is not installed, or the role may not create it,
-- the migration goes on without the index (searches then scan posts) and
-- says so in a NOTICE.

DO $$
BEGIN
	CREATE EXTENSION IF NOT EXISTS pg_trgm;
	CREATE INDEX posts_text_trgm ON posts USING gin (text gin_trgm_ops);
EXCEPTION WHEN OTHERS THEN
	RAISE NOTICE 'demarche 0009: no pg_trgm index (%): --search scans posts',
		SQLERRM;
END
$$;
