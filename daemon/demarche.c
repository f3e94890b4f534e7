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

static void usage(FILE *fp)
{
	fputs(
	    "usage: demarche [-v] [-d DB] [-c FILE] COMMAND [ARGS]\n"
	    "\n"
	    "commands:\n"
	    "  parse [--format auto|rss|atom|jsonfeed|mastodon|bluesky] FILE\n"
	    "  classify [--rules DIR] [--model MODEL [--model-weight W]]  JSON "
	    "Lines on stdin\n"
	    "  eval --labels FILE.tsv|--from-db DB [--rules DIR] [--model "
	    "MODEL [--model-weight W]] [--errors]\n"
	    "  train --labels FILE.tsv [--labels ...] [--from-db DB] [--cv K] "
	    "-o MODEL\n"
	    "  eval --cv K --labels FILE.tsv [--labels ...]   cross-validate "
	    "the model\n"
	    "  label [--by NAME] ID|URL CATEGORY[,CATEGORY]|none   an "
	    "analyst's label (-d DB)\n"
	    "  reclassify [--since 7d] [--rules DIR] [--model MODEL] [--batch "
	    "N]\n"
	    "  report [--since 24h|7d|...] [--format text|md|json|html] [-o "
	    "FILE] [--deliver]\n"
	    "  trends [--format text|json|csv] [--since 52w]\n"
	    "  candidates [--format text|json]     accounts seen but not "
	    "tracked\n"
	    "  migrate --from sqlite:FILE --to postgresql://...  copy a log\n"
	    "  check-config -c FILE\n"
	    "  version\n",
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
    {"migrate", cmd_migrate_main},
    {"check-config", cmd_check_config_main},
};

int main(int argc, char **argv)
{
	struct cmd_globals g = {0};
	size_t i;
	int ch;

	log_init("demarche", true, false);
	/* "+" stops at the first non-option: the subcommand parses the rest. */
	while ((ch = getopt(argc, argv, "+d:c:vh")) != -1) {
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
		default:
			usage(stderr);
			return EX_USAGE;
		}
	}
	if (optind >= argc) {
		usage(stderr);
		return EX_USAGE;
	}
	if (strcmp(argv[optind], "version") == 0 ||
	    strcmp(argv[optind], "--version") == 0) {
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
	fprintf(stderr, "demarche: unknown command '%s'\n", argv[optind]);
	usage(stderr);
	return EX_USAGE;
}
