/*
 * test_date.c — the date parser: feedparser's 72 date vectors (shared
 * corpus) and cases of our own for the shapes feeds of diplomatic accounts
 * use, the rejections, and the RFC 3339 formatter.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "date.h"
#include "test.h"
#include "util.h"

/*
 * Vectors whose expectation our single parser cannot meet, each with the
 * reason.  feedparser tries its parsers one by one and each vector is
 * tested against one parser; we have one parser for everything.
 */
static const struct {
	const char *input;
	const char *why;
} exceptions[] = {
    {"03335", "two-digit year + day of year (YYDDD) is not accepted: the "
              "same shape is \"22013\", which the W3CDTF vectors require "
              "to be rejected, and a five-digit number is more often junk "
              "than a date"},
};

static const char *exception_for(const char *input)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(exceptions); i++)
		if (strcmp(exceptions[i].input, input) == 0)
			return exceptions[i].why;
	return NULL;
}

static void test_feedparser_vectors(void)
{
	char path[1024], line[1024];
	FILE *fp;
	int n = 0, pass = 0, excused = 0;

	snprintf(path, sizeof(path), "%s/corpus/feedparser/date_vectors.tsv",
	         test_shared_dir());
	fp = fopen(path, "r");
	REQUIRE(fp != NULL);
	REQUIRE(fgets(line, sizeof(line), fp) != NULL); /* header */
	while (fgets(line, sizeof(line), fp)) {
		char *input, *expect, *nl;
		int64_t got, want = TIME_UNKNOWN;
		int y, mo, d, h, mi, s;
		const char *why;

		nl = strchr(line, '\n');
		if (nl)
			*nl = '\0';
		input = strchr(line, '\t');
		if (!input)
			continue;
		*input++ = '\0';
		expect = strchr(input, '\t');
		if (!expect)
			continue;
		*expect++ = '\0';
		n++;
		if (*expect) {
			REQUIRE(sscanf(expect, "%d,%d,%d,%d,%d,%d", &y, &mo, &d,
			               &h, &mi, &s) == 6);
			want = util_timegm(y, mo, d, h, mi, s);
		}
		got = date_parse(input);
		if (got == want) {
			pass++;
			continue;
		}
		why = exception_for(input);
		if (why) {
			excused++;
			printf("excused: \"%s\": %s\n", input, why);
			continue;
		}
		fprintf(stderr,
		        "date vector failed: %s \"%s\": got %lld want %lld\n",
		        line, input, (long long)got, (long long)want);
		test_failures++;
	}
	fclose(fp);
	printf("date vectors: %d/%d pass, %d excused\n", pass, n, excused);
	ASSERT_INT_EQ(n, 72);
	ASSERT_INT_EQ(pass + excused, n);
}

static void expect(const char *s, const char *rfc3339)
{
	char out[DATE_RFC3339_LEN];
	int64_t t = date_parse(s);

	if (!rfc3339) {
		if (t != TIME_UNKNOWN) {
			fprintf(stderr, "expected \"%s\" rejected, got %s\n", s,
			        date_format_rfc3339(t, out));
			test_failures++;
		}
		return;
	}
	if (t == TIME_UNKNOWN) {
		fprintf(stderr, "expected \"%s\" -> %s, got unknown\n", s,
		        rfc3339);
		test_failures++;
		return;
	}
	if (strcmp(date_format_rfc3339(t, out), rfc3339) != 0) {
		fprintf(stderr, "expected \"%s\" -> %s, got %s\n", s, rfc3339,
		        out);
		test_failures++;
	}
}

static void test_common_shapes(void)
{
	/* RFC 822 as RSS writes it, zones named and numeric. */
	expect("Thu, 12 Mar 2020 13:37:00 GMT", "2020-03-12T13:37:00Z");
	expect("Thu, 12 Mar 2020 21:37:00 +0800", "2020-03-12T13:37:00Z");
	expect("12 Mar 2020 09:37:00 EDT", "2020-03-12T13:37:00Z");
	expect("Thu, 12 Mar 20 22:37:00 JST", "2020-03-12T13:37:00Z");
	expect("Thu, 12 Mar 2020 14:37:00 CET", "2020-03-12T13:37:00Z");
	expect("Sat, 01 Jan 00 00:00:00 GMT", "2000-01-01T00:00:00Z");
	expect("Fri, 01 Jan 99 00:00:00 GMT", "1999-01-01T00:00:00Z");
	/* RFC 3339 and W3CDTF. */
	expect("2020-03-12T13:37:00Z", "2020-03-12T13:37:00Z");
	expect("2020-03-12T21:37:00+08:00", "2020-03-12T13:37:00Z");
	expect("2020-03-12t13:37:00.123456z", "2020-03-12T13:37:00Z");
	expect("2020-03-12T13:37Z", "2020-03-12T13:37:00Z");
	expect("2020-03-12T13:37:00.000+00:00", "2020-03-12T13:37:00Z");
	expect("20200312T133700Z", "2020-03-12T13:37:00Z");
	expect("2020-072", "2020-03-12T00:00:00Z");
	/* Bluesky's createdAt with microseconds and +00:00. */
	expect("2023-11-07T19:39:30.123456+00:00", "2023-11-07T19:39:30Z");
	/* asctime and Twitter. */
	expect("Thu Mar 12 13:37:00 2020", "2020-03-12T13:37:00Z");
	expect("Thu Mar 12 13:37:00 +0000 2020", "2020-03-12T13:37:00Z");
	/* Leap days and the end of a day. */
	expect("2020-02-29T00:00:00Z", "2020-02-29T00:00:00Z");
	expect("2019-02-29T00:00:00Z", NULL);
	expect("2020-03-11T24:00:00Z", "2020-03-12T00:00:00Z");
	expect("2020-03-11T24:00:01Z", NULL);
	/* 12-hour clocks. */
	expect("March 12, 2020 1:37 PM GMT", "2020-03-12T13:37:00Z");
	expect("March 12, 2020 12:05 am", "2020-03-12T00:05:00Z");
	/* A weekday in another language is skipped. */
	expect("mer, 16 nov 2022 00:38:15 +0100", "2022-11-15T23:38:15Z");
	/* Whitespace around is fine, inside folded. */
	expect("  \n Thu, 12 Mar 2020 13:37:00 GMT\t", "2020-03-12T13:37:00Z");
}

static void test_rejections(void)
{
	expect("", NULL);
	expect("   ", NULL);
	expect("yesterday", NULL);
	expect("2020-13-01", NULL);
	expect("2020-00-10", NULL);
	expect("2020-04-31", NULL);
	expect("Thu, 12 Mar 2020 13:37:00 XYZ", NULL); /* unknown zone */
	expect("Thu, 12 Mar 2020 13:37:00 IST", NULL); /* ambiguous zone */
	expect("Thu, 12 Mar Mar 2020 13:37:00 GMT", NULL);
	expect("12 2020 13:37:00 GMT", NULL); /* no month */
	expect("Thu, 12 Mar 2020 13:37:00 GMT GMT", NULL);
	expect("2020-03-12T13:37:00+24:00", NULL);
	expect("13:37", NULL);
	expect("10000-01-01", NULL);
	expect("0000-01-01", NULL);
	expect("Thu, 12 Mar 2020 13:37:00 GMT and then some", NULL);
	/* Embedded NUL: only the given length counts, and NUL is refused. */
	ASSERT(date_parse_n("2020-03-12\0junk", 15) == TIME_UNKNOWN);
	ASSERT(date_parse_n("2020-03-12junk", 10) ==
	       util_timegm(2020, 3, 12, 0, 0, 0));
	/* Overlong input. */
	{
		char big[300];

		memset(big, '1', sizeof(big) - 1);
		big[sizeof(big) - 1] = '\0';
		ASSERT(date_parse(big) == TIME_UNKNOWN);
	}
	ASSERT(date_parse(NULL) == TIME_UNKNOWN);
}

static void test_format(void)
{
	char out[DATE_RFC3339_LEN];

	ASSERT_STR_EQ(date_format_rfc3339(0, out), "1970-01-01T00:00:00Z");
	ASSERT_STR_EQ(date_format_rfc3339(1584020220, out),
	              "2020-03-12T13:37:00Z");
	ASSERT_STR_EQ(date_format_rfc3339(-1, out), "1969-12-31T23:59:59Z");
	ASSERT_STR_EQ(
	    date_format_rfc3339(util_timegm(99, 12, 31, 23, 0, 1), out),
	    "0099-12-31T23:00:01Z");
	ASSERT_STR_EQ(date_format_rfc3339(TIME_UNKNOWN, out), "");
	ASSERT_STR_EQ(
	    date_format_rfc3339(util_timegm(9999, 12, 31, 23, 59, 59), out),
	    "9999-12-31T23:59:59Z");
}

/* The config's strict dates: two shapes only, years from 1970. */
static void test_strict(void)
{
	static const char *const bad[] = {
	    "",
	    "2019-1-01",
	    "2019-02-29",
	    "1969-12-31",
	    "2019-10-01x",
	    "2019-10-01T10:00:00",
	    "2019-10-01T24:00:00Z",
	    "2019-10-01T10:00:00.Z",
	    "2019-10-01T10:00:00+5:00",
	    "Tue, 01 Oct 2019 00:00:00 GMT",
	    " 2019-10-01",
	};
	int64_t t = 0;
	size_t i;

	ASSERT_INT_EQ(date_parse_strict("2019-10-01", &t), 0);
	ASSERT_INT_EQ(t, util_timegm(2019, 10, 1, 0, 0, 0));
	ASSERT_INT_EQ(date_parse_strict("2020-02-29T13:37:00Z", &t), 0);
	ASSERT_INT_EQ(t, util_timegm(2020, 2, 29, 13, 37, 0));
	ASSERT_INT_EQ(date_parse_strict("2020-03-12 22:37:00.5+09:00", &t), 0);
	ASSERT_INT_EQ(t, 1584020220);
	ASSERT_INT_EQ(date_parse_strict("2020-03-12t08:37:00-05:00", &t), 0);
	ASSERT_INT_EQ(t, 1584020220);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (date_parse_strict(bad[i], &t) != -EINVAL) {
			fprintf(stderr, "accepted bad date '%s'\n", bad[i]);
			test_failures++;
		}
	}
	ASSERT_INT_EQ(date_parse_strict(NULL, &t), -EINVAL);
}

/* Fractions of a second: read beside date_parse(), written back. */
static void test_fraction(void)
{
	char out[DATE_RFC3339_US_LEN];

	ASSERT_INT_EQ(date_fraction_us("2020-03-12T10:00:00.25Z"), 250000);
	ASSERT_INT_EQ(date_fraction_us("2020-03-12T10:00:00,123456789+01:00"),
	              123456);
	ASSERT_INT_EQ(date_fraction_us("2020-03-12T10:00:00.000Z"), 0);
	ASSERT_INT_EQ(date_fraction_us("2020-03-12T10:00:00Z"), -1);
	ASSERT_INT_EQ(date_fraction_us("Thu, 12 Mar 2020 10:00:00 GMT"), -1);
	ASSERT_INT_EQ(date_fraction_us("12.03.2020"), -1);
	ASSERT_INT_EQ(date_fraction_us("10:00:00."), -1);
	ASSERT_INT_EQ(date_fraction_us(""), -1);
	ASSERT_INT_EQ(date_fraction_us(NULL), -1);
	ASSERT_STR_EQ(date_format_rfc3339_us(1584007200, 250000, out),
	              "2020-03-12T10:00:00.25Z");
	ASSERT_STR_EQ(date_format_rfc3339_us(1584007200, 1, out),
	              "2020-03-12T10:00:00.000001Z");
	ASSERT_STR_EQ(date_format_rfc3339_us(1584007200, 0, out),
	              "2020-03-12T10:00:00.0Z");
	ASSERT_STR_EQ(date_format_rfc3339_us(1584007200, -1, out),
	              "2020-03-12T10:00:00Z");
	ASSERT_STR_EQ(date_format_rfc3339_us(1584007200, 1000000, out),
	              "2020-03-12T10:00:00Z");
	ASSERT_STR_EQ(date_format_rfc3339_us(TIME_UNKNOWN, 5, out), "");
}

TEST_MAIN(TEST(test_feedparser_vectors), TEST(test_common_shapes),
          TEST(test_rejections), TEST(test_format), TEST(test_strict),
          TEST(test_fraction))
