/*
 * migrate.h — copies a whole demarche log from one database to another
 * (`demarche migrate --from sqlite:FILE --to postgresql://...`, or back).
 * Both must be at the same schema version; the destination must hold no
 * rows.  Every table is copied in one destination transaction, ids
 * included, and then verified: row counts and a checksum of every column
 * of every row must be equal on both sides, or the copy is rolled back
 * and nothing is left behind.  The module does not log.
 */
#ifndef DEMARCHE_MIGRATE_H
#define DEMARCHE_MIGRATE_H

#include <stddef.h>
#include <stdint.h>

struct store;

/* What was copied, per table, in copy order. */
struct migrate_table_count {
	const char *table; /* static name */
	int64_t rows;      /* rows copied (and found on both sides) */
	uint64_t checksum; /* order-independent sum of per-row SHA-256s */
};

#define MIGRATE_MAX_TABLES 24

struct migrate_counts {
	struct migrate_table_count tables[MIGRATE_MAX_TABLES];
	size_t n_tables;
};

/* Progress callback (may be NULL): called before the copy with done 0,
 * then after every 1,000 rows and at the end of every table: `table` is
 * the table in hand, `rows` its rows copied so far, `done` the rows of all
 * tables copied so far and `total` the rows the source held at the start
 * (-1 when they could not be counted). */
typedef void (*migrate_progress_fn)(const char *table, int64_t rows,
                                    int64_t done, int64_t total, void *arg);

/* Copies from -> to and verifies.  Returns 0, or a negative errno with the
 * reason in err (-EEXIST: the destination is not empty; -EPROTO: the
 * verification found a difference; -ENOTSUP: schema versions differ). */
int migrate_copy(struct store *from, struct store *to,
                 migrate_progress_fn progress, void *arg,
                 struct migrate_counts *out, char *err, size_t errlen);

/* The checksum of one table of st as migrate_copy() computes it. */
int migrate_checksum(struct store *st, const char *table, int64_t *rows,
                     uint64_t *sum, char *err, size_t errlen);

#endif
