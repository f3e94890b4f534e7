/*
 * cmd_time.c — the --since / --until of every command, in the one time
 * grammar of config_parse_time(): --until (default: the end of the
 * current second) first, then
 * --since, a duration being counted back from the end of the period, so
 * that `--since 7d --until 2020-03-08` is the week before 8 March.  The
 * period is half-open, [from, to).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

#include "cmd.h"
#include "config.h"
#include "date.h"
#include "util.h"

/* The longest period a duration may ask for: 100 years. */
#define SPAN_MAX (100LL * 366 * 24 * 3600)

int cmd_period(const char *cmd, const char *since, const char *until,
               int64_t dflt_span, bool epoch_until, int64_t *from, int64_t *to)
{
	int64_t now = util_now();

	/* By default the period ends after the current second, so what was
	 * stored in it (a deletion noticed a moment ago) is inside. */
	*to = now + 1;
	if (until && epoch_until && util_all_digits(until)) {
		/* Unix seconds: what demarched passes to report --deliver. */
		*to = strtoll(until, NULL, 10);
	} else if (until && config_parse_time(until, now, to) < 0) {
		fprintf(stderr, "demarche %s: bad --until '%s': use %s\n", cmd,
		        until, config_time_grammar());
		return EX_USAGE;
	}
	*from = dflt_span > 0 ? *to - dflt_span : INT64_MIN;
	if (since && (config_parse_time(since, *to, from) < 0 ||
	              *to - *from > SPAN_MAX)) {
		fprintf(stderr, "demarche %s: bad --since '%s': use %s\n", cmd,
		        since, config_time_grammar());
		return EX_USAGE;
	}
	if (*from >= *to) {
		fprintf(
		    stderr,
		    "demarche %s: --since is not before --until: the period "
		    "is empty\n",
		    cmd);
		return EX_USAGE;
	}
	return 0;
}

void cmd_period_days(const char *since, int64_t *from, int64_t to)
{
	const int64_t day = 86400;
	int64_t span, first;

	if ((since && (!*since || strchr(since, '-'))) || *from <= 0 ||
	    to % day == 0)
		return;
	span = to - *from;
	if (span % day != 0)
		return;
	/* The N days ending with the day of to, the first from midnight. */
	first = to - to % day - (span / day - 1) * day;
	*from = first;
}

void cmd_period_words(int64_t from, int64_t to, char *b, size_t n)
{
	char t1[DATE_RFC3339_LEN], t2[DATE_RFC3339_LEN];

	snprintf(b, n, "[%s, %s)",
	         from == INT64_MIN || from <= 0 ? "the beginning"
	                                        : date_format_rfc3339(from, t1),
	         date_format_rfc3339(to, t2));
}
