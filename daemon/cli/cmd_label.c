/*
 * cmd_label.c — `demarche -d DB label [--by NAME] ID|URL CATEGORIES|none`:
 * stores an analyst's label of a stored post (post_labels.c) so that
 * `train --from-db` can learn from it and `eval --from-db` can score the
 * classifier on it.  Labelling a post again replaces that analyst's label.
 */
#include <errno.h>
#include <getopt.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <time.h>
#include <unistd.h>

#include "category.h"
#include "cmd.h"
#include "post_labels.h"
#include "store.h"

/* Help text, one literal per printed line. */
/* clang-format off */
static void label_usage(FILE *fp)
{
	fputs(
	    "usage: demarche -d DB label [--by NAME] ID|URL CATEGORY[,CATEGORY...]|none\n"
	    "Stores an analyst's label of a stored post (found by its id or URL) in the\n"
	    "table post_labels, with who and when: the categories it belongs to, or none.\n"
	    "The categories are those of the rules folder (-c FILE's [classifier] rules,\n"
	    "else the shipped one): the codebook's four and any a rules file adds.\n"
	    "A new label of the same post by the same person replaces the old one.\n"
	    "The train command can learn from these labels, and eval can score the\n"
	    "classifier on them.\n"
	    "\n"
	    "  --by NAME           who labels (default: the login name)\n"
	    "  -h, --help          print this help and exit\n",
	    fp);
}
/* clang-format on */

/* Who labels: --by, else $USER, else the login name of the uid. */
static const char *labeller_name(const char *by)
{
	const struct passwd *pw;
	const char *u;

	if (by && *by)
		return by;
	u = getenv("USER");
	if (u && *u)
		return u;
	pw = getpwuid(getuid());
	return pw && pw->pw_name ? pw->pw_name : "unknown";
}

int cmd_label_main(const struct cmd_globals *g, int argc, char **argv)
{
	static const struct option opts[] = {
	    {"by", required_argument, NULL, 'b'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0}};
	const char *by = NULL, *who;
	struct store *st = NULL;
	char canon[CATEGORY_MAX * (CATEGORY_KEY_MAX + 1) + 8], err[1024];
	unsigned bits;
	int64_t id;
	int ch, r, rc = 0;

	while ((ch = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (ch) {
		case 'b':
			by = optarg;
			break;
		case 'h':
			label_usage(stdout);
			return 0;
		default:
			label_usage(stderr);
			return EX_USAGE;
		}
	}
	if (argc - optind != 2 || !g->db) {
		if (!g->db)
			fprintf(stderr, "demarche label: needs -d DB\n");
		label_usage(stderr);
		return EX_USAGE;
	}
	if ((r = cmd_load_categories(g, "label", true)) != 0)
		return r;
	if (post_labels_canonical(argv[optind + 1], &bits, canon, sizeof(canon),
	                          err, sizeof(err)) < 0) {
		fprintf(stderr, "demarche label: %s\n", err);
		return EX_DATAERR;
	}
	who = labeller_name(by);
	r = store_open(g->db, &st, err, sizeof(err));
	if (r < 0) {
		fprintf(stderr, "demarche label: %s: %s\n", g->db, err);
		return r == -ENOENT ? EX_NOINPUT : EX_IOERR;
	}
	r = post_labels_find_post(store_conn(st), argv[optind], &id);
	if (r == 0)
		r = post_labels_put(store_conn(st), id, canon, who,
		                    (int64_t)time(NULL));
	if (r == -ENOENT) {
		fprintf(stderr, "demarche label: no post '%s' in %s\n",
		        argv[optind], g->db);
		rc = EX_NOINPUT;
	} else if (r < 0) {
		fprintf(stderr, "demarche label: %s: %s\n", g->db,
		        store_errmsg(st));
		rc = EX_IOERR;
	} else {
		printf("post %lld: %s (by %s)\n", (long long)id, canon, who);
	}
	store_close(st);
	return rc;
}

int cmd_labels_from_db(const char *prog, const char *target, char **data,
                       size_t *len)
{
	struct store *st = NULL;
	struct buf b = {0};
	char err[512];
	int r;

	*data = NULL;
	*len = 0;
	r = store_open_readonly(target, &st, err, sizeof(err));
	if (r < 0) {
		fprintf(stderr, "demarche %s: %s: %s\n", prog, target, err);
		return cmd_open_status(r);
	}
	if (store_schema_version(st) < 7) {
		fprintf(stderr,
		        "demarche %s: %s: no post_labels table (schema %d; "
		        "run the daemon or `label` once to migrate)\n",
		        prog, target, store_schema_version(st));
		store_close(st);
		return EX_DATAERR;
	}
	r = post_labels_export(store_conn(st), &b);
	if (r < 0) {
		fprintf(stderr, "demarche %s: %s: %s\n", prog, target,
		        store_errmsg(st));
		store_close(st);
		buf_free(&b);
		return EX_IOERR;
	}
	store_close(st);
	*len = b.len;
	*data = b.len ? buf_steal(&b) : strdup("");
	buf_free(&b);
	if (!*data) {
		fprintf(stderr, "demarche %s: out of memory\n", prog);
		return EX_OSERR;
	}
	return 0;
}
