-- 0016_version_search.sql (PostgreSQL) — as ../0016_version_search.sql:
-- `demarche posts --search` also looks in every earlier wording of a post
-- (post_versions.text), with ILIKE '%term%' as for posts.text (0009); a
-- pg_trgm GIN index on post_versions.text lets terms of three characters
-- or more use an index.  Where pg_trgm is not installed, or the role may
-- not create it, the migration goes on without the index (searches then
-- scan post_versions) and says so in a NOTICE.

DO $$
BEGIN
	CREATE EXTENSION IF NOT EXISTS pg_trgm;
	CREATE INDEX post_versions_text_trgm ON post_versions
		USING gin (text gin_trgm_ops);
EXCEPTION WHEN OTHERS THEN
	RAISE NOTICE 'demarche 0016: no pg_trgm index on post_versions (%): --search scans the wordings',
		SQLERRM;
END
$$;
