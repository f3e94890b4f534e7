/*
 * demarche.c — the command-line tool: global options, then one subcommand
 * (parse, classify, eval, train, reclassify, report, trends, candidates,
 * migrate, posts, check-config), each implemented in its own cmd_*.c file.
 */
#include <errno.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

#include "cmd.h"
#include "config.h"
#include "log.h"
#include "util.h"

static void usage(FILE *fp)
{
	fputs(
	    "usage: demarche [-v] [-d DB] [-c FILE] COMMAND [ARGS]\n"
	    "       demarche COMMAND --help     what a command does, and its "
	    "options\n"
	    "\n"
	    "The command-line tool of demarche: reads and scores feeds, and "
	    "queries,\n"
	    "reports on and maintains the log that demarched writes.\n"
	    "\n"
	    "global options (before or after the command):\n"
	    "  -d, --database DB   the log: an SQLite file or a PostgreSQL "
	    "URL\n"
	    "  -c, --config FILE   the service config (its [storage] database "
	    "and\n"
	    "                      [classifier] settings)\n"
	    "  -v, --verbose       log more on stderr\n"
	    "  -h, --help          print this help and exit\n"
	    "  -V, --version       print the version and exit\n"
	    "\n"
	    "commands:\n"
	    "  parse FILE          print a feed or API payload as JSON\n"
	    "  classify            classify JSON Lines posts read on stdin\n"
	    "  eval                score the classifier on a labelled TSV\n"
	    "  train               train the model on labelled TSVs (or "
	    "the log's labels)\n"
	    "  label ID CATS|none  store an analyst's label of a stored post\n"
	    "  reclassify          classify the stored posts again\n"
	    "  report              the summary report of a period (or "
	    "--deliver it)\n"
	    "  trends              account-growth tables\n"
	    "  candidates          accounts seen but not tracked\n"
	    "  amplification       who reposted the tracked posts\n"
	    "  show ID|URL         one post: versions, deletion, categories\n"
	    "  posts               list, filter, search and export stored "
	    "posts\n"
	    "  narrative [KEY]     who stated a narrative first, who followed "
	    "and when\n"
	    "  migrate             copy a log between SQLite and PostgreSQL\n"
	    "  check-config        validate a service config\n"
	    "  version             print the version\n"
	    "  help                print this help\n",
	    fp);
}

struct command {
	const char *name;
	int (*run)(const struct cmd_globals *g, int argc, char **argv);
	bool needs_db; /* reads the log: -c FILE's [storage] database serves */
};

static const struct command commands[] = {
    {"parse", cmd_parse_main, false},
    {"classify", cmd_classify_main, false},
    {"eval", cmd_eval_main, false},
    {"train", cmd_train_main, false},
    {"reclassify", cmd_reclassify_main, true},
    {"label", cmd_label_main, true},
    {"report", cmd_report_main, true},
    {"trends", cmd_trends_main, true},
    {"candidates", cmd_candidates_main, true},
    {"amplification", cmd_amplification_main, true},
    {"show", cmd_show_main, true},
    {"posts", cmd_posts_main, true},
    {"narrative", cmd_narrative_main, true},
    {"migrate", cmd_migrate_main, true},
    {"check-config", cmd_check_config_main, false},
};

/* Whether arg is the global option opt ("-d", "--database"): 1 when its
 * value is the next argument, 2 when it is attached ("-dX",
 * "--database=X"), 0 when arg is something else. */
static int global_opt(const char *arg, char s, const char *l)
{
	size_t n = strlen(l);

	if (arg[0] == '-' && arg[1] == s)
		return arg[2] ? 2 : 1;
	if (strncmp(arg, l, n) == 0)
		return arg[n] == '=' ? 2 : arg[n] ? 0 : 1;
	return 0;
}

/* Takes -d/--database and -c/--config written after the command (as in
 * `demarche report -d DB`) out of the command's arguments into g, so that
 * global options may stand on either side of the command.  Stops at
 * "--".  Returns 0, or EX_USAGE when one lacks its value. */
static int hoist_globals(struct cmd_globals *g, int *argc, char **argv)
{
	int i = 1, j = 1, k;

	while (i < *argc) {
		const char **slot = NULL;
		char s = 0;

		if (strcmp(argv[i], "--") == 0)
			break;
		if ((k = global_opt(argv[i], 'd', "--database")) != 0) {
			slot = &g->db;
			s = 'd';
		} else if ((k = global_opt(argv[i], 'c', "--config")) != 0) {
			slot = &g->config;
			s = 'c';
		}
		if (!slot) {
			argv[j++] = argv[i++];
			continue;
		}
		if (k == 1 && i + 1 >= *argc) {
			fprintf(stderr,
			        "demarche: option -%c needs a value (demarche "
			        "-%c VALUE %s ...)\n",
			        s, s, argv[0]);
			return EX_USAGE;
		}
		if (k == 1) {
			*slot = argv[i + 1];
			i += 2;
		} else {
			*slot = argv[i][1] == '-' ? strchr(argv[i], '=') + 1
			                          : argv[i] + 2;
			i++;
		}
	}
	while (i < *argc)
		argv[j++] = argv[i++];
	argv[j] = NULL;
	*argc = j;
	return 0;
}

/* A command that reads the log and was given -c FILE but no -d: the
 * config's [storage] database is the log.  Returns 0 (g->db set, the
 * config kept in *cfg), or EX_CONFIG / EX_NOINPUT. */
static int db_from_config(struct cmd_globals *g, struct config **cfg)
{
	struct config_errors errs = {0};
	size_t i;
	int rc;

	rc = config_load(g->config, cfg, &errs);
	if (rc < 0) {
		for (i = 0; i < errs.n; i++)
			fprintf(stderr, "demarche: %s\n", errs.msgs[i]);
		config_errors_clear(&errs);
		return rc == -ENOENT ? EX_NOINPUT : EX_CONFIG;
	}
	config_errors_clear(&errs);
	g->db = (*cfg)->database;
	return 0;
}

/* True when the command is only asked for its help. */
static bool wants_help(int argc, char **argv)
{
	int i;

	for (i = 1; i < argc && strcmp(argv[i], "--") != 0; i++)
		if (strcmp(argv[i], "-h") == 0 ||
		    strcmp(argv[i], "--help") == 0)
			return true;
	return false;
}

/* An unknown command: say so, and name the command it is closest to. */
static int unknown_command(const char *name)
{
	const char *names[sizeof(commands) / sizeof(commands[0]) + 2];
	const char *near;
	size_t i, n = 0;

	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		names[n++] = commands[i].name;
	names[n++] = "version";
	names[n++] = "help";
	near = util_nearest(name, names, n);
	if (near)
		fprintf(stderr,
		        "demarche: unknown command '%s'; did you mean '%s'?\n",
		        name, near);
	else
		fprintf(stderr,
		        "demarche: unknown command '%s' (demarche --help lists "
		        "the commands)\n",
		        name);
	return EX_USAGE;
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
	    {"database", required_argument, NULL, 'd'},
	    {"config", required_argument, NULL, 'c'},
	    {"verbose", no_argument, NULL, 'v'},
	    {"help", no_argument, NULL, 'h'},
	    {"version", no_argument, NULL, 'V'},
	    {NULL, 0, NULL, 0},
	};
	struct cmd_globals g = {0};
	size_t i;
	int ch;

	log_init("demarche", true, false);
	/* "+" stops at the first non-option: the subcommand parses the rest. */
	while ((ch = getopt_long(argc, argv, "+d:c:vhV", longopts, NULL)) !=
	       -1) {
		switch (ch) {
		case 'd':
			g.db = optarg;
			break;
		case 'c':
			g.config = optarg;
			break;
		case 'v':
			g.verbose = 1;
			log_set_verbose(true);
			break;
		case 'h':
			usage(stdout);
			return 0;
		case 'V':
			printf("demarche %s\n", DEMARCHE_VERSION);
			return 0;
		default:
			usage(stderr);
			return EX_USAGE;
		}
	}
	if (optind >= argc) {
		usage(stderr);
		return EX_USAGE;
	}
	if (strcmp(argv[optind], "version") == 0) {
		printf("demarche %s\n", DEMARCHE_VERSION);
		return 0;
	}
	if (strcmp(argv[optind], "help") == 0) {
		usage(stdout);
		return 0;
	}
	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
		if (strcmp(argv[optind], commands[i].name) == 0) {
			/* Subcommands run getopt afresh on their own argv. */
			int sub_argc = argc - optind, rc;
			char **sub_argv = argv + optind;
			struct config *cfg = NULL;

			optind = 1;
			/* check-config takes -c FILE as its own option. */
			if (strcmp(commands[i].name, "check-config") != 0 &&
			    (rc = hoist_globals(&g, &sub_argc, sub_argv)) != 0)
				return rc;
			if (commands[i].needs_db && !g.db && g.config &&
			    !wants_help(sub_argc, sub_argv) &&
			    (rc = db_from_config(&g, &cfg)) != 0)
				return rc;
			rc = commands[i].run(&g, sub_argc, sub_argv);
			config_free(cfg);
			return rc;
		}
	}
	return unknown_command(argv[optind]);
}
