/*
 * demarche.c — the command-line tool: global options, then one subcommand
 * (parse, classify, eval, train, reclassify, report, trends, candidates,
 * check-config), each implemented in its own cmd_*.c file.
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <sysexits.h>

#include "cmd.h"
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
	    "global options (before the command):\n"
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
	    "  show ID|URL         one post: versions, deletion, categories\n"
	    "  migrate             copy a log between SQLite and PostgreSQL\n"
	    "  check-config        validate a service config\n"
	    "  version             print the version\n"
	    "  help                print this help\n",
	    fp);
}

struct command {
	const char *name;
	int (*run)(const struct cmd_globals *g, int argc, char **argv);
};

static const struct command commands[] = {
    {"parse", cmd_parse_main},
    {"classify", cmd_classify_main},
    {"eval", cmd_eval_main},
    {"train", cmd_train_main},
    {"reclassify", cmd_reclassify_main},
    {"label", cmd_label_main},
    {"report", cmd_report_main},
    {"trends", cmd_trends_main},
    {"candidates", cmd_candidates_main},
    {"show", cmd_show_main},
    {"migrate", cmd_migrate_main},
    {"check-config", cmd_check_config_main},
};

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
			int sub_argc = argc - optind;
			char **sub_argv = argv + optind;

			optind = 1;
			return commands[i].run(&g, sub_argc, sub_argv);
		}
	}
	return unknown_command(argv[optind]);
}
