/*
 * store_search.h — the stored posts, filtered, searched and streamed
 * (`demarche posts`).  A filter combines accounts, role, country,
 * categories, a half-open period [since, until), a search query, edited /
 * deleted / repost flags and a language; the matching posts come newest
 * first, one callback per row, without the whole result in memory (a
 * cursor on PostgreSQL).
 *
 * The search language, the same on both backends: words and "quoted
 * phrases" must all occur in the post's text (AND), OR between two
 * groups gives either; every word or phrase matches as a substring,
 * case-insensitively, in any script (德特里克 and 米軍 as well as
 * "fort detrick").  A post matches when its current text or any one of
 * its recorded wordings (post_versions) does, so a statement edited since
 * is still found by what it first said.  SQLite answers through the FTS5
 * trigram indexes of schema/0009_search.sql and 0016_version_search.sql
 * (terms under three characters with LIKE), PostgreSQL with ILIKE (and
 * its pg_trgm indexes).
 */
#ifndef DEMARCHE_STORE_SEARCH_H
#define DEMARCHE_STORE_SEARCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct store;

/* A parsed search query: OR of groups, each the AND of its terms. */
struct store_search;

/* Parses q.  Returns 0 and a *new* query, or -EINVAL with where it breaks
 * in err ("unterminated quote at character 7"), or -ENOMEM. */
int store_search_parse(const char *q, struct store_search **out, char *err,
                       size_t errlen);
void store_search_free(struct store_search *q);

struct store_post_filter {
	const char *const *accounts; /* handles, any of them; NULL: all */
	size_t n_accounts;
	const char *role;    /* or NULL */
	const char *country; /* or NULL (compared case-insensitively) */
	const char *const *categories; /* keys, any of them; "none":
	                                * unclassified */
	size_t n_categories;
	int64_t since; /* report_time >= since; INT64_MIN: no bound */
	int64_t until; /* report_time < until; INT64_MAX: no bound */
	const struct store_search *search; /* or NULL */
	bool edited;                       /* edit_count > 0 */
	bool deleted;                      /* deleted_seen set */
	int reposts;      /* -1 any, 0 no reposts, 1 reposts only */
	const char *lang; /* "en" also takes "en-GB"; or NULL */
	int64_t limit;    /* 0: no limit */
};

/* One post as the callback sees it; strings are borrowed for the call. */
struct store_post_row {
	int64_t id;
	const char *account; /* handle */
	const char *role;
	const char *country;  /* or NULL */
	const char *url;      /* or NULL */
	int64_t published;    /* INT64_MIN when the feed gave none */
	int32_t published_us; /* its fraction of a second in microseconds,
	                       * -1 when written whole (schema 0013) */
	int64_t first_seen;
	int64_t report_time; /* published, else first_seen */
	const char *text;
	const char *lang; /* or NULL */
	/* "key score;key score" by key, or NULL when none. */
	const char *categories;
	int edit_count;
	int64_t deleted_seen; /* INT64_MIN when not seen deleted */
	bool is_repost;
	/* With a search: 1 when the current text matches, 0 when only an
	 * earlier wording does; -1 without a search. */
	int search_current;
	/* With a search: the wordings (post_versions.version) that match,
	 * "1,3", oldest first, or NULL when none is recorded. */
	const char *search_versions;
	/* The statement it belongs to (post_clusters): the id of its
	 * earliest post when it is a copy or has copies, else 0. */
	int64_t cluster_id;
};

/* Calls fn for each matching post, newest first (report_time, then id).
 * fn returns 0 to go on, non-zero to stop (returned).  Returns 0, fn's
 * value, or a negative errno with the reason in err (-ENOTSUP for
 * --deleted on a log without posts.deleted_seen). */
int store_posts_each(struct store *st, const struct store_post_filter *f,
                     int (*fn)(void *ctx, const struct store_post_row *row),
                     void *ctx, char *err, size_t errlen);

/* The values a filter may name, for "unknown ..., known: ..." errors: the
 * accounts' handles, the posts' languages, the accounts' countries or the
 * category keys the log holds.
 * Returns the count and a *new* NULL-terminated array of *new* strings
 * (free with store_strings_free), or a negative errno. */
enum store_known_kind {
	STORE_KNOWN_ACCOUNTS,
	STORE_KNOWN_LANGS,
	STORE_KNOWN_COUNTRIES,
	STORE_KNOWN_CATEGORIES,
};
int store_known_values(struct store *st, enum store_known_kind kind,
                       char ***out);
void store_strings_free(char **v);
/* 1 when the log holds any post, 0 when none, or a negative errno. */
int64_t store_any_posts(struct store *st);
/* The posts of the half-open period [since, until) (the progress of an
 * export), or a negative errno. */
int64_t store_count_posts(struct store *st, int64_t since, int64_t until);

/* The migration hook of schema/0009_search.sql and 0016_version_search.sql:
 * fills the SQLite search index with the posts (0009) or the wordings
 * (0016) already stored, in batches, inside the migration's transaction,
 * showing progress (base/progress.h) on a terminal.  Called
 * by the migration runner after each script; a no-op for other versions
 * and on PostgreSQL.  Returns 0 or a negative errno. */
int store_search_after_migration(struct store *st, int version);

#endif
