-- 0004_report_rollup.sql — what keeps reports fast on large logs.
--
-- Nearly every report query counts category assignments in a period,
-- grouped by category, account or day.  Joining post_categories to posts
-- for each assignment costs a random lookup per row (seconds over a year
-- of a million posts), so each assignment carries a copy of its post's
-- report_time and account_id, and one index covers those queries.  The
-- copies are kept equal to the post's by the store and, for any other
-- writer, by the triggers below.

ALTER TABLE post_categories ADD COLUMN report_time INTEGER;
ALTER TABLE post_categories ADD COLUMN account_id INTEGER;

UPDATE post_categories SET
	report_time = (SELECT p.report_time FROM posts p
		WHERE p.id = post_categories.post_id),
	account_id = (SELECT p.account_id FROM posts p
		WHERE p.id = post_categories.post_id);

CREATE INDEX post_categories_time ON post_categories (report_time, category,
	account_id, score);

-- A row inserted without the copies gets them from its post.
CREATE TRIGGER post_categories_copy AFTER INSERT ON post_categories
WHEN NEW.report_time IS NULL OR NEW.account_id IS NULL
BEGIN
	UPDATE post_categories SET
		report_time = (SELECT p.report_time FROM posts p
			WHERE p.id = NEW.post_id),
		account_id = (SELECT p.account_id FROM posts p
			WHERE p.id = NEW.post_id)
	WHERE post_id = NEW.post_id AND category = NEW.category;
END;

-- A post whose time (an edit that adds a published date) or account
-- changes takes its assignments along.
CREATE TRIGGER posts_copy_to_categories AFTER UPDATE OF report_time,
	account_id ON posts
WHEN NEW.report_time IS NOT OLD.report_time
	OR NEW.account_id IS NOT OLD.account_id
BEGIN
	UPDATE post_categories SET report_time = NEW.report_time,
		account_id = NEW.account_id
	WHERE post_id = NEW.id;
END;

-- When each account first used each category (trends): one short index
-- descent per (account, category) instead of a scan of the assignments.
CREATE INDEX post_categories_account ON post_categories (account_id, category,
	report_time);
