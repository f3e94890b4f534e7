/*
 * test_corpus_bluesky.c — Bluesky against the shared corpus.
 *
 * Posts: the real records and post views of MarshalX's atproto test data
 * are put into getAuthorFeed responses (as a post, as a repost of it, as
 * a reply) and must come out with the post URI as id, the record's text,
 * the quoted post's text after it (marked "[quote @handle]"), createdAt
 * as published (indexedAt of the repost for a repost), langs[0], and the
 * repost and reply flags.
 *
 * Dates: the atproto interop datetime vectors.  Every valid one must be
 * read as exactly the instant it names; every one that is well-formed but
 * impossible (month 0, 25 o'clock, year 0 shifted before year 1) must be
 * rejected.  The syntactically invalid ones must be rejected unless they
 * are one of the loose shapes feeds really write (lower-case 't'/'z',
 * surrounding or inner spaces, no zero padding, no zone, no seconds, a
 * short offset): date_parse() accepts those on purpose, and then must
 * read them as their digits say, never as a guess.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "date.h"
#include "feed.h"
#include "test.h"
#include "util.h"

static json_t *load(const char *name)
{
	char path[1024];
	json_error_t jerr;
	json_t *j;

	snprintf(path, sizeof(path), "%s/corpus/bluesky/marshalx-test_data/%s",
	         test_shared_dir(), name);
	j = json_load_file(path, 0, &jerr);
	if (!j)
		fprintf(stderr, "%s: %s\n", path, jerr.text);
	return j;
}

/* Parses {"feed": [item]} (item is stolen). */
static struct feed_doc *parse_item(json_t *item)
{
	json_t *root = json_pack("{s:[o]}", "feed", item);
	struct feed_doc *doc = NULL;
	char *s, err[256];

	if (!root)
		return NULL;
	s = json_dumps(root, 0);
	json_decref(root);
	if (!s)
		return NULL;
	if (feed_parse(s, strlen(s), NULL, &doc, err, sizeof(err)) < 0) {
		fprintf(stderr, "parse: %s\n", err);
		doc = NULL;
	}
	free(s);
	return doc;
}

/*
 * The instant a datetime string names, read independently of date.c:
 * the digit groups are year, month, day, hour, minute, second (a fraction
 * after the seconds is ignored), then an optional zone: Z, or a sign and
 * hours with optional minutes.  TIME_UNKNOWN when the groups do not fit.
 */
static int64_t digits_say(const char *s)
{
	int v[6] = {0, 1, 1, 0, 0, 0}, n = 0, off = 0;
	const char *p = s;

	while (*p && n < 6) {
		if (isdigit((unsigned char)*p)) {
			v[n++] = (int)strtol(p, (char **)&p, 10);
			if (n == 6 && *p == '.') {
				p++;
				while (isdigit((unsigned char)*p))
					p++;
			}
			continue;
		}
		/* A sign after the time starts the zone. */
		if (n >= 5 && (*p == '+' || *p == '-'))
			break;
		p++;
	}
	if (n < 3)
		return TIME_UNKNOWN;
	while (*p == ' ')
		p++;
	if (*p == '+' || *p == '-') {
		int sign = *p == '-' ? -1 : 1, h = 0, m = 0;

		if (sscanf(p + 1, "%2d:%2d", &h, &m) < 1 &&
		    sscanf(p + 1, "%2d%2d", &h, &m) < 1)
			return TIME_UNKNOWN;
		off = sign * (h * 3600 + m * 60);
	}
	return util_timegm(v[0], v[1], v[2], v[3], v[4], v[5]) - off;
}

/* Test data's post record {uri, cid, value} as a feed item's post view. */
static json_t *view_of_record(const json_t *r)
{
	const char *uri = json_string_value(json_object_get(r, "uri"));
	char did[128];

	snprintf(did, sizeof(did), "%.*s", (int)strcspn(uri + 5, "/"), uri + 5);
	return json_pack(
	    "{s:O,s:O,s:{s:s,s:s},s:O,s:s}", "uri", json_object_get(r, "uri"),
	    "cid", json_object_get(r, "cid"), "author", "did", did, "handle",
	    "test.marshal.dev", "record", json_object_get(r, "value"),
	    "indexedAt", "2024-03-01T00:00:00.000Z");
}

static void check_record(const char *name)
{
	json_t *r = load(name), *value, *langs;
	struct feed_doc *doc;
	const struct feed_entry *e;

	REQUIRE(r);
	value = json_object_get(r, "value");
	doc = parse_item(json_pack("{s:o}", "post", view_of_record(r)));
	REQUIRE(doc);
	REQUIRE(doc->n_entries == 1);
	e = &doc->entries[0];
	ASSERT_INT_EQ(doc->format, FEED_FORMAT_BLUESKY);
	ASSERT_STR_EQ(e->id, json_string_value(json_object_get(r, "uri")));
	ASSERT_STR_EQ(e->text,
	              json_string_value(json_object_get(value, "text")));
	ASSERT_INT_EQ(e->published, digits_say(json_string_value(
	                                json_object_get(value, "createdAt"))));
	ASSERT(!e->is_repost);
	ASSERT(!e->is_reply);
	ASSERT_STR_EQ(e->author, "test.marshal.dev");
	ASSERT(e->link && strstr(e->link, "https://bsky.app/profile/") &&
	       strstr(e->link, "/post/"));
	langs = json_object_get(value, "langs");
	if (json_is_array(langs))
		ASSERT_STR_EQ(e->lang,
		              json_string_value(json_array_get(langs, 0)));
	else
		ASSERT(e->lang == NULL);
	feed_doc_free(doc);
	json_decref(r);
}

static void test_post_records(void)
{
	check_record("post_record.json");
	check_record("extended_post_record.json");
}

/* A post that quotes another and carries an image, from a thread view. */
static void test_quote_with_media(void)
{
	json_t *t = load("thread_view_post_with_embed_media.json"), *post,
	       *quoted;
	struct feed_doc *doc;
	const struct feed_entry *e;
	const char *qtext;
	char want[512];

	REQUIRE(t);
	post = json_object_get(json_object_get(t, "thread"), "post");
	REQUIRE(json_is_object(post));
	quoted = json_object_get(
	    json_object_get(json_object_get(post, "embed"), "record"),
	    "record");
	qtext = json_string_value(
	    json_object_get(json_object_get(quoted, "value"), "text"));
	REQUIRE(qtext);

	/* As the author's own post. */
	doc = parse_item(json_pack("{s:O}", "post", post));
	REQUIRE(doc && doc->n_entries == 1);
	e = &doc->entries[0];
	ASSERT_STR_EQ(e->id, json_string_value(json_object_get(post, "uri")));
	/* The post's own text is empty: the quote is all it says. */
	snprintf(want, sizeof(want), "[quote @%s] %s",
	         json_string_value(json_object_get(
	             json_object_get(quoted, "author"), "handle")),
	         qtext);
	ASSERT_STR_EQ(e->text, want);
	ASSERT_INT_EQ((long long)e->quote_at, 0);
	ASSERT_INT_EQ((long long)e->quote_len, (long long)strlen(want));
	ASSERT_INT_EQ(e->published,
	              digits_say(json_string_value(json_object_get(
	                  json_object_get(post, "record"), "createdAt"))));
	ASSERT_STR_EQ(e->lang, "en");
	feed_doc_free(doc);

	/* As a repost by someone else: its own event. */
	doc = parse_item(json_pack(
	    "{s:O,s:{s:s,s:{s:s,s:s},s:s}}", "post", post, "reason", "$type",
	    "app.bsky.feed.defs#reasonRepost", "by", "did", "did:plc:other",
	    "handle", "other.example", "indexedAt", "2024-05-06T07:08:09Z"));
	REQUIRE(doc && doc->n_entries == 1);
	e = &doc->entries[0];
	ASSERT(e->is_repost);
	ASSERT(strstr(e->id, "#repost:did:plc:other"));
	ASSERT_INT_EQ(e->published, digits_say("2024-05-06T07:08:09Z"));
	ASSERT_STR_EQ(e->author, "test.marshal.dev");
	ASSERT_STR_EQ(e->text, want);
	feed_doc_free(doc);

	/* As a reply: the record names its parent. */
	{
		json_t *p2 = json_deep_copy(post);
		json_t *rec = json_object_get(p2, "record");

		REQUIRE(p2);
		json_object_set_new(
		    rec, "reply",
		    json_pack("{s:{s:O},s:{s:O}}", "root", "uri",
		              json_object_get(quoted, "uri"), "parent", "uri",
		              json_object_get(quoted, "uri")));
		doc = parse_item(json_pack("{s:o}", "post", p2));
		REQUIRE(doc && doc->n_entries == 1);
		ASSERT(doc->entries[0].is_reply);
		ASSERT(!doc->entries[0].is_repost);
		feed_doc_free(doc);
	}
	json_decref(t);
}

/* Runs f over the non-comment lines of an interop vector file. */
static int each_vector(const char *file, void (*f)(const char *, int *),
                       int *tally)
{
	char path[1024], *line = NULL;
	size_t cap = 0;
	FILE *fp;
	int n = 0;

	snprintf(path, sizeof(path),
	         "%s/corpus/bluesky/interop-tests/syntax/%s", test_shared_dir(),
	         file);
	fp = fopen(path, "r");
	if (!fp) {
		fprintf(stderr, "missing %s\n", path);
		test_failures++;
		return 0;
	}
	while (getline(&line, &cap, fp) > 0) {
		line[strcspn(line, "\n")] = '\0';
		if (!line[0] || line[0] == '#')
			continue;
		f(line, tally);
		n++;
	}
	free(line);
	fclose(fp);
	return n;
}

static void valid_vector(const char *s, int *ok)
{
	int64_t got = date_parse(s);

	/* Year 0 (1 BC) is outside the model: years 1..9999. */
	if (strncmp(s, "0000-", 5) == 0) {
		ASSERT(got == TIME_UNKNOWN);
		return;
	}
	if (got != digits_say(s)) {
		fprintf(stderr, "valid datetime misread: \"%s\"\n", s);
		test_failures++;
		return;
	}
	(*ok)++;
}

static void impossible_vector(const char *s, int *ok)
{
	if (date_parse(s) != TIME_UNKNOWN) {
		fprintf(stderr, "impossible datetime accepted: \"%s\"\n", s);
		test_failures++;
		return;
	}
	(*ok)++;
}

/* Rejected, or accepted (loose shape) and read as its digits say. */
static void invalid_vector(const char *s, int *lenient)
{
	int64_t got = date_parse(s);

	if (got == TIME_UNKNOWN)
		return;
	(*lenient)++;
	if (got != digits_say(s)) {
		fprintf(stderr, "loose datetime misread: \"%s\"\n", s);
		test_failures++;
	}
}

static void test_interop_datetimes(void)
{
	int ok = 0, bad = 0, lenient = 0, n;

	n = each_vector("datetime_syntax_valid.txt", valid_vector, &ok);
	printf("valid datetimes: %d/%d read exactly (year 0 excused)\n", ok, n);
	ASSERT(n >= 20);
	ASSERT(ok >= n - 1);
	n = each_vector("datetime_parse_invalid.txt", impossible_vector, &bad);
	printf("impossible datetimes: %d/%d rejected\n", bad, n);
	ASSERT(n >= 5);
	ASSERT_INT_EQ(bad, n);
	n = each_vector("datetime_syntax_invalid.txt", invalid_vector,
	                &lenient);
	printf("ill-formed datetimes: %d/%d rejected, %d loose shapes read "
	       "as written\n",
	       n - lenient, n, lenient);
	ASSERT(n >= 30);
	/* Leniency is for loose shapes only: most must still be refused. */
	ASSERT(n - lenient >= 15);
}

TEST_MAIN(TEST(test_post_records), TEST(test_quote_with_media),
          TEST(test_interop_datetimes))
