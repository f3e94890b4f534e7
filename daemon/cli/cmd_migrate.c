/*
 * cmd_migrate.c — `demarche migrate --from sqlite:FILE --to
 * postgresql://...`: copies a whole log into a new database (either way
 * between the backends; see migrate.h) and prints, per table, the rows
 * copied and the checksum both sides agreed on.  The destination is
 * created and migrated to the current schema first; the source must
 * already be at it.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <sysexits.h>

#include "cmd.h"
#include "log.h"
#include "migrate.h"
#include "progress.h"
#include "store.h"

/* Help text, one literal per printed line. */
/* clang-format off */
static void migrate_usage(FILE *fp)
{
	fputs(
	    "usage: demarche [-c FILE | -d DB] migrate [--from SOURCE] --to DEST\n"
	    "Copies a whole log from one database to another, keeping ids; either may be\n"
	    "an SQLite file (PATH or sqlite:PATH) or a PostgreSQL URL\n"
	    "(postgresql://USER@HOST/DB).  The destination must be empty.\n"
	    "\n"
	    "  --from SOURCE       the database to copy (read only); default: -d DB,\n"
	    "                      else the -c config's [storage] database\n"
	    "  --to DEST           the empty database to fill\n"
	    "  -h, --help          print this help and exit\n",
	    fp);
}
/* clang-format on */

/* The meter on a terminal (progress.h); with -v also a debug line per
 * table. */
static void on_progress(const char *table, int64_t rows, int64_t done,
                        int64_t total, void *arg)
{
	static char label[64];
	struct progress *p = arg;

	snprintf(label, sizeof(label), "migrate %s", table);
	p->total = total;
	p->label = label;
	progress_update(p, done);
	if (rows > 0 && rows % 100000 == 0)
		log_debug("migrate: %s: %" PRId64 " rows", table, rows);
}

int cmd_migrate_main(const struct cmd_globals *g, int argc, char **argv)
{
	static const struct option opts[] = {
	    {"from", required_argument, NULL, 'f'},
	    {"to", required_argument, NULL, 't'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0}};
	const char *from = g->db, *to = NULL;
	struct store *src = NULL, *dst = NULL;
	struct migrate_counts counts;
	struct progress meter;
	char err[1024];
	size_t i;
	int ch, rc;

	while ((ch = getopt_long(argc, argv, "f:t:h", opts, NULL)) != -1) {
		switch (ch) {
		case 'f':
			from = optarg;
			break;
		case 't':
			to = optarg;
			break;
		case 'h':
			migrate_usage(stdout);
			return 0;
		default:
			migrate_usage(stderr);
			return EX_USAGE;
		}
	}
	if (optind < argc || !from || !to) {
		migrate_usage(stderr);
		return EX_USAGE;
	}
	rc = store_open_readonly(from, &src, err, sizeof(err));
	if (rc < 0) {
		log_warnx("migrate: source: %s", err);
		return rc == -ENOENT ? EX_NOINPUT : EX_IOERR;
	}
	rc = store_open(to, &dst, err, sizeof(err));
	if (rc < 0) {
		log_warnx("migrate: destination: %s", err);
		store_close(src);
		return EX_CANTCREAT;
	}
	progress_start(&meter, stderr, "migrate", "rows", -1);
	rc = migrate_copy(src, dst, on_progress, &meter, &counts, err,
	                  sizeof(err));
	meter.label = "migrate";
	progress_end(&meter);
	store_close(src);
	store_close(dst);
	if (rc < 0) {
		log_warnx("migrate: %s; nothing was copied", err);
		return rc == -EEXIST                     ? EX_CANTCREAT
		       : rc == -EPROTO || rc == -ENOTSUP ? EX_DATAERR
		                                         : EX_IOERR;
	}
	for (i = 0; i < counts.n_tables; i++)
		printf("%-18s %10" PRId64 " rows  checksum %016" PRIx64 "\n",
		       counts.tables[i].table, counts.tables[i].rows,
		       counts.tables[i].checksum);
	printf("verified: counts and checksums equal in both databases\n");
	return 0;
}
