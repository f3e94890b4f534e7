/*
 * config_time.c — the one time grammar of every command's --since and
 * --until: a duration counted back from now, in the config's grammar
 * (config_parse_duration(): "90m", "36h", "7d", "2w", "1h30m"; a bare
 * number is refused here, since "--since 7" means nothing certain), or an
 * absolute date or time: "2020-03-01" (midnight UTC), "2020-03-01T08:00"
 * and "2020-03-01T08:00:00" (UTC when no zone is written), or RFC 3339
 * with "Z" or an offset (date_parse_strict()).  Pure: "now" is passed in.
 */
#include <ctype.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "config.h"
#include "date.h"

/* True when s is "YYYY-MM-DD..." : a date, not a duration. */
static bool looks_like_date(const char *s)
{
	int i;

	for (i = 0; i < 4; i++)
		if (!isdigit((unsigned char)s[i]))
			return false;
	return s[4] == '-';
}

/* The absolute forms: date_parse_strict(), plus "THH:MM" and
 * "THH:MM:SS" without a zone, read as UTC. */
static int parse_absolute(const char *s, int64_t *out)
{
	char tmp[64];
	size_t n = strlen(s);

	if (date_parse_strict(s, out) == 0)
		return 0;
	if (n >= sizeof(tmp) - 8)
		return -EINVAL;
	/* "YYYY-MM-DDTHH:MM" (16) or "YYYY-MM-DDTHH:MM:SS" (19), no zone. */
	if (n == 16)
		snprintf(tmp, sizeof(tmp), "%s:00Z", s);
	else if (n == 19)
		snprintf(tmp, sizeof(tmp), "%sZ", s);
	else
		return -EINVAL;
	return date_parse_strict(tmp, out);
}

int config_parse_time(const char *s, int64_t now, int64_t *out)
{
	int64_t d;
	const char *p;

	if (!s || !*s)
		return -EINVAL;
	if (looks_like_date(s))
		return parse_absolute(s, out);
	for (p = s; isdigit((unsigned char)*p); p++)
		;
	if (!*p) /* a bare number: seconds? days? refuse to guess */
		return -EINVAL;
	if (config_parse_duration(s, &d) < 0 || d <= 0 || d > now)
		return -EINVAL;
	*out = now - d;
	return 0;
}

const char *config_time_grammar(void)
{
	return "a duration back from now (90m, 36h, 7d, 2w, 1h30m) or a date "
	       "or time in UTC (2020-03-01, 2020-03-01T08:00, "
	       "2020-03-01T08:00:00+09:00)";
}
