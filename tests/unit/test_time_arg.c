/*
 * test_time_arg.c — the one time grammar of --since / --until
 * (config_parse_time()) and the half-open period built on it
 * (cmd_period()): durations back from a reference time, absolute dates
 * and times in UTC or with an offset, and what is refused (a bare
 * number, a zero or negative span, malformed dates).
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <sysexits.h>

#include "cmd.h"
#include "config.h"
#include "test.h"

#define NOW 1600000000LL /* 2020-09-13T12:26:40Z */

static void test_durations(void)
{
	int64_t t = 0;

	ASSERT_INT_EQ(config_parse_time("90m", NOW, &t), 0);
	ASSERT(t == NOW - 5400);
	ASSERT_INT_EQ(config_parse_time("36h", NOW, &t), 0);
	ASSERT(t == NOW - 36 * 3600);
	ASSERT_INT_EQ(config_parse_time("7d", NOW, &t), 0);
	ASSERT(t == NOW - 7 * 86400);
	ASSERT_INT_EQ(config_parse_time("2w", NOW, &t), 0);
	ASSERT(t == NOW - 14 * 86400);
	ASSERT_INT_EQ(config_parse_time("1h30m", NOW, &t), 0);
	ASSERT(t == NOW - 5400);
}

static void test_absolute(void)
{
	int64_t t = 0;

	ASSERT_INT_EQ(config_parse_time("2020-03-01", NOW, &t), 0);
	ASSERT(t == 1583020800);
	ASSERT_INT_EQ(config_parse_time("2020-03-01T08:00", NOW, &t), 0);
	ASSERT(t == 1583020800 + 8 * 3600);
	ASSERT_INT_EQ(config_parse_time("2020-03-01T08:00:30", NOW, &t), 0);
	ASSERT(t == 1583020800 + 8 * 3600 + 30);
	ASSERT_INT_EQ(config_parse_time("2020-03-01T08:00:00Z", NOW, &t), 0);
	ASSERT(t == 1583020800 + 8 * 3600);
	ASSERT_INT_EQ(config_parse_time("2020-03-01T08:00:00+09:00", NOW, &t),
	              0);
	ASSERT(t == 1583020800 - 3600);
	ASSERT_INT_EQ(config_parse_time("2020-03-01T08:00:00.5-01:00", NOW, &t),
	              0);
	ASSERT(t == 1583020800 + 9 * 3600);
}

static void test_refused(void)
{
	static const char *const bad[] = {
	    "",
	    "7",
	    "0",
	    "0d",
	    "-7d",
	    "7x",
	    "d",
	    "7d 2h",
	    "2020-3-1",
	    "2020-02-30",
	    "2020-03-01T8:00",
	    "2020-03-01T08",
	    "2020-03-01T08:00+09",
	    "yesterday",
	    "1969-12-31",
	    "2020-03-01x",
	    "1m1h",
	};
	int64_t t;
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (config_parse_time(bad[i], NOW, &t) != -EINVAL) {
			fprintf(stderr, "accepted '%s'\n", bad[i]);
			ASSERT(0);
		}
	}
	ASSERT(config_parse_time(NULL, NOW, &t) == -EINVAL);
}

static void test_period(void)
{
	int64_t from, to;

	/* A duration --since counts back from --until. */
	ASSERT_INT_EQ(cmd_period("t", "7d", "2020-03-08", 0, false, &from, &to),
	              0);
	ASSERT(to == 1583625600 && from == 1583625600 - 7 * 86400);
	/* No --since: the default span, or no lower bound. */
	ASSERT_INT_EQ(
	    cmd_period("t", NULL, "2020-03-08", 86400, false, &from, &to), 0);
	ASSERT(from == to - 86400);
	ASSERT_INT_EQ(cmd_period("t", NULL, NULL, 0, false, &from, &to), 0);
	ASSERT(from == INT64_MIN);
	/* Bare Unix seconds only where asked for (report --until). */
	ASSERT_INT_EQ(cmd_period("t", "1d", "1585000000", 0, true, &from, &to),
	              0);
	ASSERT(to == 1585000000);
	ASSERT_INT_EQ(cmd_period("t", "1d", "1585000000", 0, false, &from, &to),
	              EX_USAGE);
	/* An empty period is refused. */
	ASSERT_INT_EQ(
	    cmd_period("t", "2020-03-08", "2020-03-01", 0, false, &from, &to),
	    EX_USAGE);
}

/* The day rule of report and trends: whole days counted back from a
 * --until in mid-day are calendar days, the last being --until's. */
static void test_period_days(void)
{
	int64_t from, to;
	char w[128];

	/* 2020-09-13T12:26:40Z minus 365d: 366 days touched; aligned, 365. */
	ASSERT_INT_EQ(cmd_period("t", "365d", "2020-09-13T12:26:40Z", 0, false,
	                         &from, &to),
	              0);
	cmd_period_days("365d", &from, to);
	ASSERT(from == 1600000000LL - 44800 - 364 * 86400LL);
	ASSERT((to - 1) / 86400 - from / 86400 + 1 == 365);
	/* The default span (no --since) the same; weeks too. */
	ASSERT_INT_EQ(cmd_period("t", NULL, "2020-09-13T12:26:40Z", 7 * 86400,
	                         false, &from, &to),
	              0);
	cmd_period_days(NULL, &from, to);
	ASSERT(from == 1599955200LL - 6 * 86400);
	ASSERT_INT_EQ(
	    cmd_period("t", "2w", "2020-09-13T12:26:40Z", 0, false, &from, &to),
	    0);
	cmd_period_days("2w", &from, to);
	ASSERT(from == 1599955200LL - 13 * 86400);
	/* Untouched: hours, an absolute --since, a --until at midnight, no
	 * start. */
	ASSERT_INT_EQ(cmd_period("t", "36h", "2020-09-13T12:26:40Z", 0, false,
	                         &from, &to),
	              0);
	cmd_period_days("36h", &from, to);
	ASSERT(from == to - 36 * 3600);
	ASSERT_INT_EQ(cmd_period("t", "2020-09-01T12:26:40Z",
	                         "2020-09-13T12:26:40Z", 0, false, &from, &to),
	              0);
	cmd_period_days("2020-09-01T12:26:40Z", &from, to);
	ASSERT(from == to - 12 * 86400);
	ASSERT_INT_EQ(cmd_period("t", "7d", "2020-09-13", 0, false, &from, &to),
	              0);
	cmd_period_days("7d", &from, to);
	ASSERT(from == to - 7 * 86400);
	ASSERT_INT_EQ(cmd_period("t", NULL, NULL, 0, false, &from, &to), 0);
	cmd_period_days(NULL, &from, to);
	ASSERT(from == INT64_MIN);
	/* The period in words. */
	cmd_period_words(1583020800, 1583625600, w, sizeof(w));
	ASSERT_STR_EQ(w, "[2020-03-01T00:00:00Z, 2020-03-08T00:00:00Z)");
	cmd_period_words(INT64_MIN, 1583625600, w, sizeof(w));
	ASSERT_STR_EQ(w, "[the beginning, 2020-03-08T00:00:00Z)");
}

TEST_MAIN(TEST(test_durations), TEST(test_absolute), TEST(test_refused),
          TEST(test_period), TEST(test_period_days))
