-- 0004_report_rollup.sql (PostgreSQL) — as ../0004_report_rollup.sql: each
-- category assignment carries its post's report_time and account_id, kept
-- equal by the store and, for other writers, by the triggers below.

ALTER TABLE post_categories ADD COLUMN report_time BIGINT;
ALTER TABLE post_categories ADD COLUMN account_id BIGINT;

UPDATE post_categories pc SET report_time = p.report_time,
	account_id = p.account_id
FROM posts p WHERE p.id = pc.post_id;

CREATE INDEX post_categories_time ON post_categories (report_time, category,
	account_id, score);
CREATE INDEX post_categories_account ON post_categories (account_id, category,
	report_time);

-- A row inserted without the copies gets them from its post.
CREATE FUNCTION demarche_categories_copy() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
	IF NEW.report_time IS NULL OR NEW.account_id IS NULL THEN
		SELECT p.report_time, p.account_id
		INTO NEW.report_time, NEW.account_id
		FROM posts p WHERE p.id = NEW.post_id;
	END IF;
	RETURN NEW;
END $$;
CREATE TRIGGER post_categories_copy BEFORE INSERT ON post_categories
FOR EACH ROW EXECUTE FUNCTION demarche_categories_copy();

-- A post whose time or account changes takes its assignments along.
CREATE FUNCTION demarche_posts_copy() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
	UPDATE post_categories SET report_time = NEW.report_time,
		account_id = NEW.account_id
	WHERE post_id = NEW.id;
	RETURN NULL;
END $$;
CREATE TRIGGER posts_copy_to_categories AFTER UPDATE OF report_time,
	account_id ON posts FOR EACH ROW
WHEN (NEW.report_time IS DISTINCT FROM OLD.report_time
	OR NEW.account_id IS DISTINCT FROM OLD.account_id)
EXECUTE FUNCTION demarche_posts_copy();
