/*
 * cmd_categories.c — where the commands that list categories but classify
 * nothing (posts, label, report, trends, show) get them: the rules folder
 * of the -c config ([classifier] rules), else the shipped one, the same
 * folder the daemon reads.  Only the `category`, `name` and `description`
 * lines matter here, but the folder is parsed whole, so a broken file is
 * the error it is for the daemon where the command takes input in those
 * categories (label); where it only reads the log (report, trends,
 * posts) it is a warning, and the log's own keys still show.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <sysexits.h>

#include "classify.h"
#include "cmd.h"
#include "config.h"
#include "paths.h"
#include "rules.h"

int cmd_load_config(const char *prog, const char *path, struct config **out)
{
	struct config_errors errs = {0};
	size_t i;
	int r = config_load(path, out, &errs);

	if (r < 0)
		for (i = 0; i < errs.n; i++)
			fprintf(stderr, "demarche %s: %s\n", prog,
			        errs.msgs[i]);
	config_errors_clear(&errs);
	if (r < 0)
		return r == -ENOMEM ? EX_OSERR : EX_CONFIG;
	return 0;
}

int cmd_load_categories(const struct cmd_globals *g, const char *prog,
                        bool strict)
{
	struct config *cfg = NULL;
	struct rules_set set;
	const char *dir = NULL;
	char err[512];
	int r, rc = 0;

	if (g && g->config) {
		if ((r = cmd_load_config(prog, g->config, &cfg)) != 0)
			return r;
		dir = cfg->rules_dir;
	}
	if (!dir)
		dir = paths_default_rules_dir();
	rules_set_init(&set);
	r = rules_load_dir(&set, dir, err, sizeof(err));
	if (r == 0) {
		category_configure(&set.catset);
	} else if (r == -ENOMEM) {
		fprintf(stderr, "demarche %s: out of memory\n", prog);
		rc = EX_OSERR;
	} else if (r != -ENOENT && strict) {
		/* A folder that is not there (or holds no rules) leaves the
		 * codebook's four; a broken one is the daemon's error too. */
		fprintf(stderr, "demarche %s: %s\n", prog, err);
		rc = EX_CONFIG;
	} else if (r != -ENOENT) {
		fprintf(
		    stderr,
		    "demarche %s: %s (listing the codebook's categories and "
		    "those the log holds)\n",
		    prog, err);
	}
	rules_set_free(&set);
	config_free(cfg);
	return rc;
}
