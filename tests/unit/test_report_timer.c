/*
 * test_report_timer.c — the report schedule: parsing, and the next and
 * previous run in UTC, in a synthetic zone with a known clock change, and
 * in real tz database zones across their 2024 spring-forward and
 * fall-back days.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <unistd.h>

#include "report_timer.h"
#include "test.h"
#include "util.h"

static int64_t utc(int y, int mo, int d, int h, int mi)
{
	return util_timegm(y, mo, d, h, mi, 0);
}

static void test_parse(void)
{
	struct report_schedule s;

	ASSERT_INT_EQ(report_schedule_parse("off", &s), 0);
	ASSERT_INT_EQ(s.kind, REPORT_SCHEDULE_OFF);
	ASSERT_INT_EQ(report_schedule_parse("daily 08:00", &s), 0);
	ASSERT_INT_EQ(s.kind, REPORT_SCHEDULE_DAILY);
	ASSERT_INT_EQ(s.hour, 8);
	ASSERT_INT_EQ(s.minute, 0);
	ASSERT_INT_EQ(report_schedule_parse("weekly mon 08:30", &s), 0);
	ASSERT_INT_EQ(s.kind, REPORT_SCHEDULE_WEEKLY);
	ASSERT_INT_EQ(s.weekday, 0);
	ASSERT_INT_EQ(s.minute, 30);
	ASSERT_INT_EQ(report_schedule_parse("Weekly Sunday 23:59", &s), 0);
	ASSERT_INT_EQ(s.weekday, 6);
	ASSERT_INT_EQ(s.hour, 23);
	ASSERT_INT_EQ(report_schedule_parse("daily 7:05", &s), 0);
	ASSERT_INT_EQ(s.hour, 7);

	ASSERT_INT_EQ(report_schedule_parse("daily 24:00", &s), -EINVAL);
	ASSERT_INT_EQ(report_schedule_parse("daily 08:60", &s), -EINVAL);
	ASSERT_INT_EQ(report_schedule_parse("daily 08:0", &s), -EINVAL);
	ASSERT_INT_EQ(report_schedule_parse("daily 08:00 x", &s), -EINVAL);
	ASSERT_INT_EQ(report_schedule_parse("weekly 08:00", &s), -EINVAL);
	ASSERT_INT_EQ(report_schedule_parse("weekly xyz 08:00", &s), -EINVAL);
	ASSERT_INT_EQ(report_schedule_parse("hourly", &s), -EINVAL);
	ASSERT_INT_EQ(report_schedule_parse("", &s), -EINVAL);
	ASSERT_INT_EQ(report_schedule_parse(NULL, &s), -EINVAL);
}

static int64_t zero(int64_t t, void *arg)
{
	(void)t;
	(void)arg;
	return 0;
}

static void test_utc(void)
{
	struct report_schedule s;
	int64_t t;

	REQUIRE(report_schedule_parse("daily 08:00", &s) == 0);
	ASSERT_INT_EQ(
	    report_schedule_next(&s, utc(2020, 3, 1, 7, 0), zero, NULL, &t), 0);
	ASSERT_INT_EQ(t, utc(2020, 3, 1, 8, 0));
	/* Exactly at the run: the next one is tomorrow. */
	report_schedule_next(&s, utc(2020, 3, 1, 8, 0), zero, NULL, &t);
	ASSERT_INT_EQ(t, utc(2020, 3, 2, 8, 0));
	report_schedule_prev(&s, utc(2020, 3, 1, 8, 0), zero, NULL, &t);
	ASSERT_INT_EQ(t, utc(2020, 3, 1, 8, 0));
	report_schedule_prev(&s, utc(2020, 3, 1, 7, 59), zero, NULL, &t);
	ASSERT_INT_EQ(t, utc(2020, 2, 29, 8, 0));
	/* Year end. */
	report_schedule_next(&s, utc(2019, 12, 31, 9, 0), zero, NULL, &t);
	ASSERT_INT_EQ(t, utc(2020, 1, 1, 8, 0));

	/* 2020-03-01 was a Sunday. */
	REQUIRE(report_schedule_parse("weekly mon 08:00", &s) == 0);
	report_schedule_next(&s, utc(2020, 3, 1, 12, 0), zero, NULL, &t);
	ASSERT_INT_EQ(t, utc(2020, 3, 2, 8, 0));
	report_schedule_next(&s, utc(2020, 3, 2, 8, 0), zero, NULL, &t);
	ASSERT_INT_EQ(t, utc(2020, 3, 9, 8, 0));
	report_schedule_prev(&s, utc(2020, 3, 1, 12, 0), zero, NULL, &t);
	ASSERT_INT_EQ(t, utc(2020, 2, 24, 8, 0));
	/* Before 1970: days are floored, not truncated. */
	report_schedule_next(&s, utc(1969, 12, 31, 12, 0), zero, NULL, &t);
	ASSERT_INT_EQ(t, utc(1970, 1, 5, 8, 0));

	REQUIRE(report_schedule_parse("off", &s) == 0);
	ASSERT_INT_EQ(report_schedule_next(&s, 0, zero, NULL, &t), -EINVAL);
}

/* A synthetic zone: UTC+1, and UTC+2 from 2024-03-31T01:00Z until
 * 2024-10-27T01:00Z (the EU rule for Central Europe). */
static int64_t cet(int64_t t, void *arg)
{
	(void)arg;
	return t >= utc(2024, 3, 31, 1, 0) && t < utc(2024, 10, 27, 1, 0)
	           ? 7200
	           : 3600;
}

static void test_synthetic_dst(void)
{
	struct report_schedule s;
	int64_t t;

	REQUIRE(report_schedule_parse("daily 08:00", &s) == 0);
	/* 08:00 CET = 07:00Z in winter, 06:00Z in summer. */
	report_schedule_next(&s, utc(2024, 3, 30, 12, 0), cet, NULL, &t);
	ASSERT_INT_EQ(t, utc(2024, 3, 31, 6, 0));
	report_schedule_next(&s, utc(2024, 3, 29, 12, 0), cet, NULL, &t);
	ASSERT_INT_EQ(t, utc(2024, 3, 30, 7, 0));
	report_schedule_next(&s, utc(2024, 10, 26, 12, 0), cet, NULL, &t);
	ASSERT_INT_EQ(t, utc(2024, 10, 27, 7, 0));

	/* 02:30 does not exist on 2024-03-31: it runs at 03:30 CEST. */
	REQUIRE(report_schedule_parse("daily 02:30", &s) == 0);
	report_schedule_next(&s, utc(2024, 3, 30, 12, 0), cet, NULL, &t);
	ASSERT_INT_EQ(t, utc(2024, 3, 31, 1, 30));
	ASSERT_INT_EQ(t + cet(t, NULL) - utc(2024, 3, 31, 0, 0),
	              3 * 3600 + 1800);
	/* 02:30 happens twice on 2024-10-27: the first one only. */
	report_schedule_next(&s, utc(2024, 10, 26, 12, 0), cet, NULL, &t);
	ASSERT_INT_EQ(t, utc(2024, 10, 27, 0, 30));
	report_schedule_next(&s, t, cet, NULL, &t);
	ASSERT_INT_EQ(t, utc(2024, 10, 28, 1, 30));
	/* prev agrees with next around the change. */
	report_schedule_prev(&s, utc(2024, 10, 27, 1, 45), cet, NULL, &t);
	ASSERT_INT_EQ(t, utc(2024, 10, 27, 0, 30));
}

static bool have_zone(const char *z)
{
	if (!report_timer_zone_valid(z)) {
		fprintf(stderr, "skipping %s: not in the tz database\n", z);
		return false;
	}
	return true;
}

static void test_real_zones(void)
{
	struct report_schedule s;
	int64_t t;
	char *berlin = "Europe/Berlin", *ny = "America/New_York",
	     *tokyo = "Asia/Tokyo";
	const char *tz_before = getenv("TZ");

	ASSERT(report_timer_zone_valid("UTC"));
	ASSERT(!report_timer_zone_valid("../etc/passwd"));
	ASSERT(!report_timer_zone_valid("/etc/localtime"));
	ASSERT(!report_timer_zone_valid("Nowhere/Atlantis"));
	ASSERT(!report_timer_zone_valid(""));
	if (!have_zone(berlin) || !have_zone(ny) || !have_zone(tokyo))
		return;
	ASSERT_INT_EQ(report_timer_zone_offset(utc(2024, 1, 15, 0, 0), berlin),
	              3600);
	ASSERT_INT_EQ(report_timer_zone_offset(utc(2024, 7, 15, 0, 0), berlin),
	              7200);
	ASSERT_INT_EQ(report_timer_zone_offset(utc(2024, 7, 15, 0, 0), tokyo),
	              9 * 3600);
	/* The process's own TZ is left as it was. */
	ASSERT((getenv("TZ") == NULL) == (tz_before == NULL));

	REQUIRE(report_schedule_parse("daily 08:00", &s) == 0);
	report_schedule_next(&s, utc(2024, 3, 30, 12, 0),
	                     report_timer_zone_offset, berlin, &t);
	ASSERT_INT_EQ(t, utc(2024, 3, 31, 6, 0));
	report_schedule_next(&s, utc(2024, 10, 26, 12, 0),
	                     report_timer_zone_offset, berlin, &t);
	ASSERT_INT_EQ(t, utc(2024, 10, 27, 7, 0));
	/* New York changed on 2024-03-10 (EST -5 to EDT -4). */
	report_schedule_next(&s, utc(2024, 3, 9, 14, 0),
	                     report_timer_zone_offset, ny, &t);
	ASSERT_INT_EQ(t, utc(2024, 3, 10, 12, 0));
	report_schedule_prev(&s, utc(2024, 3, 10, 12, 59),
	                     report_timer_zone_offset, ny, &t);
	ASSERT_INT_EQ(t, utc(2024, 3, 10, 12, 0));
	REQUIRE(report_schedule_parse("daily 02:15", &s) == 0);
	report_schedule_next(&s, utc(2024, 3, 9, 14, 0),
	                     report_timer_zone_offset, ny, &t);
	ASSERT_INT_EQ(t, utc(2024, 3, 10, 7, 15)); /* 03:15 EDT */
	/* Tokyo has no DST: weekly Monday 09:00 JST = Monday 00:00Z. */
	REQUIRE(report_schedule_parse("weekly mon 09:00", &s) == 0);
	report_schedule_next(&s, utc(2020, 3, 1, 12, 0),
	                     report_timer_zone_offset, tokyo, &t);
	ASSERT_INT_EQ(t, utc(2020, 3, 2, 0, 0));
	/* Sunday 23:30Z is already Monday 08:30 in Tokyo. */
	report_schedule_next(&s, utc(2020, 3, 1, 23, 30),
	                     report_timer_zone_offset, tokyo, &t);
	ASSERT_INT_EQ(t, utc(2020, 3, 2, 0, 0));
}

TEST_MAIN(TEST(test_parse), TEST(test_utc), TEST(test_synthetic_dst),
          TEST(test_real_zones))
