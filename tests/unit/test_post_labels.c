/* test_post_labels.c — analysts' labels in the log (post_labels.c):
 * canonical label strings, finding a post by id or URL, storing and
 * replacing a label, and the TSV export that train/eval --from-db read;
 * on SQLite and (test_post_labels_pg) PostgreSQL. */
#include <errno.h>
#include <string.h>

#include "category.h"
#include "db.h"
#include "labels.h"
#include "post_labels.h"
#include "store.h"
#include "test.h"
#include "util.h"

static void test_canonical(void)
{
	char out[128], err[256];
	unsigned bits = 99;

	ASSERT_INT_EQ(post_labels_canonical("origin_narrative,blame_rebuttal",
	                                    &bits, out, sizeof(out), err,
	                                    sizeof(err)),
	              0);
	ASSERT_STR_EQ(out, "blame_rebuttal,origin_narrative");
	ASSERT_INT_EQ(bits, 9);
	ASSERT_INT_EQ(post_labels_canonical("none", &bits, out, sizeof(out),
	                                    err, sizeof(err)),
	              0);
	ASSERT_STR_EQ(out, "none");
	ASSERT_INT_EQ(bits, 0);
	ASSERT_INT_EQ(post_labels_canonical("bogus", &bits, out, sizeof(out),
	                                    err, sizeof(err)),
	              -EINVAL);
	ASSERT(strstr(err, "'bogus'") != NULL);
	ASSERT_INT_EQ(post_labels_canonical("none,western_failure", &bits, out,
	                                    sizeof(out), err, sizeof(err)),
	              -EINVAL);
	ASSERT_INT_EQ(post_labels_canonical("", &bits, out, sizeof(out), err,
	                                    sizeof(err)),
	              -EINVAL);
	ASSERT_INT_EQ(post_labels_canonical("western_failure,,", &bits, out,
	                                    sizeof(out), err, sizeof(err)),
	              -EINVAL);
}

static void test_store_and_export(void)
{
	struct store *st = NULL;
	struct labels_set set = {0};
	struct buf b = {0};
	struct db *db;
	char err[512];
	int64_t id = 0;

	REQUIRE(store_open(test_database("labels"), &st, err, sizeof(err)) ==
	        0);
	db = store_conn(st);
	ASSERT(store_schema_version(st) >= 7);
	REQUIRE(test_q_exec(db,
	                    "INSERT INTO accounts (id, handle, role, "
	                    "first_seen) VALUES (1, 'a', 'diplomat', 0)") == 0);
	REQUIRE(test_q_exec(db,
	                    "INSERT INTO posts (id, account_id, stable_key, "
	                    "url, text, lang, first_seen, report_time, "
	                    "content_hash) VALUES "
	                    "(1, 1, 'k1', 'https://x/1', 'lies\tand\nmore', "
	                    "'en', 0, 0, 'h1'), "
	                    "(2, 1, 'k2', 'https://x/2', 'hello', NULL, 0, 0, "
	                    "'h2')") == 0);
	ASSERT_INT_EQ(post_labels_find_post(db, "2", &id), 0);
	ASSERT_INT_EQ(id, 2);
	ASSERT_INT_EQ(post_labels_find_post(db, "https://x/1", &id), 0);
	ASSERT_INT_EQ(id, 1);
	ASSERT_INT_EQ(post_labels_find_post(db, "3", &id), -ENOENT);
	ASSERT_INT_EQ(post_labels_find_post(db, "https://x/9", &id), -ENOENT);
	ASSERT_INT_EQ(post_labels_put(db, 9, "none", "ann", 10), -ENOENT);
	ASSERT_INT_EQ(post_labels_put(db, 1, "blame_rebuttal", "ann", 10), 0);
	/* The same analyst again replaces; another analyst adds a row. */
	ASSERT_INT_EQ(post_labels_put(db, 1, "western_failure", "ann", 20), 0);
	ASSERT_INT_EQ(post_labels_put(db, 2, "none", "bob", 15), 0);
	ASSERT_INT_EQ(test_q_int(db, "SELECT count(*) FROM post_labels"), 2);
	ASSERT_STR_EQ(test_q_text(db, "SELECT labels FROM post_labels WHERE "
	                              "post_id = 1"),
	              "western_failure");
	/* The export is a labels.h TSV: flattened text, "und" for no
	 * language, the latest label of each post. */
	ASSERT_INT_EQ(post_labels_put(db, 2, "origin_narrative", "cy", 30), 0);
	ASSERT_INT_EQ(post_labels_export(db, &b), 2);
	ASSERT_STR_EQ(b.data, "db-1\twestern_failure\ten\tlies and more\n"
	                      "db-2\torigin_narrative\tund\thello\n");
	ASSERT_INT_EQ(labels_parse(b.data, b.len, "db", &set, err, sizeof(err)),
	              0);
	ASSERT_INT_EQ(set.n, 2);
	ASSERT_INT_EQ(set.items[0].labels, 2);
	ASSERT_INT_EQ(set.items[1].labels, 8);
	labels_set_free(&set);
	buf_free(&b);
	store_close(st);
}

/* Labels take the configured categories, added ones included, in the
 * configured order; all sixteen at their longest fit. */
static void test_added_categories(void)
{
	struct category_set set;
	char out[CATEGORY_MAX * (CATEGORY_KEY_MAX + 1) + 8], err[1024];
	char key[40];
	struct buf all = {0};
	unsigned bits = 0;
	int i;

	category_set_codebook(&set);
	for (i = CATEGORY_N_CODEBOOK; i < CATEGORY_MAX; i++) {
		snprintf(key, sizeof(key), "added_category_with_long_key_%02d",
		         i);
		REQUIRE(category_set_add(&set, key) == i);
	}
	category_configure(&set);
	ASSERT_INT_EQ(post_labels_canonical("added_category_with_long_key_15,"
	                                    "western_failure",
	                                    &bits, out, sizeof(out), err,
	                                    sizeof(err)),
	              0);
	ASSERT_STR_EQ(out, "western_failure,added_category_with_long_key_15");
	ASSERT_INT_EQ(bits, (1u << 15) | 2u);
	for (i = CATEGORY_MAX - 1; i >= 0; i--)
		buf_printf(&all, "%s%s", all.len ? "," : "", set.key[i]);
	ASSERT_INT_EQ(post_labels_canonical(all.data, &bits, out, sizeof(out),
	                                    err, sizeof(err)),
	              0);
	ASSERT_INT_EQ(bits, 0xFFFFu);
	ASSERT(strncmp(out, "blame_rebuttal,western_failure,", 31) == 0);
	ASSERT_INT_EQ(post_labels_canonical("sovereignty_threat", &bits, out,
	                                    sizeof(out), err, sizeof(err)),
	              -EINVAL);
	ASSERT(strstr(err, "origin_narrative, added_category_with_long_key_04"
	                   ", ") != NULL);
	ASSERT(strstr(err, " or added_category_with_long_key_15, or none") !=
	       NULL);
	buf_free(&all);
	category_set_codebook(&set);
	category_configure(&set);
}

TEST_MAIN(TEST(test_canonical), TEST(test_store_and_export),
          TEST(test_added_categories))
