/*
 * test_corpus_mastodon.c — feed_parse() over the real Mastodon API bodies
 * in the shared corpus (recorded by Mastodon.py's test suite).  Each file
 * is {"_source": ..., "body": ...}; every body that is a status or a list
 * of statuses must parse, with one entry per status carrying its id, its
 * created_at, its edited_at, reblogs flagged with the original's author,
 * and text whenever the status has content.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "date.h"
#include "feed.h"
#include "test.h"
#include "util.h"

static int checked, statuses;

static void check_status(const json_t *st, const struct feed_entry *e,
                         const char *name)
{
	const json_t *orig = json_object_get(st, "reblog");
	const char *content;

	statuses++;
	ASSERT_STR_EQ(e->id, json_string_value(json_object_get(st, "id")));
	ASSERT(e->published == date_parse(json_string_value(
	                           json_object_get(st, "created_at"))));
	if (!json_is_object(orig))
		orig = st;
	else
		ASSERT(e->is_repost);
	if (json_is_string(json_object_get(orig, "edited_at")))
		ASSERT(e->updated != TIME_UNKNOWN);
	content = json_string_value(json_object_get(orig, "content"));
	if (content && strstr(content, "<p>") && !strstr(content, "<p></p>"))
		if (!e->text[0]) {
			fprintf(stderr, "%s: status %s: no text\n", name,
			        e->id);
			test_failures++;
		}
	ASSERT_STR_EQ(e->author,
	              json_string_value(json_object_get(
	                  json_object_get(orig, "account"), "acct")));
}

static void check_file(const char *path, const char *name)
{
	json_error_t jerr;
	json_t *all = json_load_file(path, 0, &jerr), *body;
	struct feed_doc *doc = NULL;
	char *text, err[256];
	size_t i;

	REQUIRE(all);
	body = json_object_get(all, "body");
	/* Edit histories (versions without ids), contexts and sources are
	 * not status lists. */
	if (!(json_is_array(body) &&
	      json_object_get(json_array_get(body, 0), "id")) &&
	    !(json_is_object(body) && json_object_get(body, "content"))) {
		json_decref(all);
		return;
	}
	text = json_dumps(body, 0);
	REQUIRE(text);
	if (feed_parse(text, strlen(text), NULL, &doc, err, sizeof(err)) < 0) {
		fprintf(stderr, "%s: %s\n", name, err);
		test_failures++;
		goto out;
	}
	checked++;
	ASSERT_INT_EQ(doc->format, FEED_FORMAT_MASTODON);
	if (json_is_object(body)) {
		REQUIRE(doc->n_entries == 1);
		check_status(body, &doc->entries[0], name);
	} else {
		ASSERT_INT_EQ(doc->n_entries, json_array_size(body));
		for (i = 0; i < doc->n_entries && i < json_array_size(body);
		     i++)
			check_status(json_array_get(body, i), &doc->entries[i],
			             name);
	}
	ASSERT(doc->has_account);
	feed_doc_free(doc);
out:
	free(text);
	json_decref(all);
}

static void test_mastodon_corpus(void)
{
	char dir[1024], path[2048];
	DIR *d;
	struct dirent *de;

	snprintf(dir, sizeof(dir), "%s/corpus/mastodon/json",
	         test_shared_dir());
	d = opendir(dir);
	REQUIRE(d);
	while ((de = readdir(d))) {
		if (!strstr(de->d_name, ".json"))
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		check_file(path, de->d_name);
	}
	closedir(d);
	printf("mastodon corpus: %d bodies, %d statuses checked\n", checked,
	       statuses);
	ASSERT(checked >= 10);
}

TEST_MAIN(TEST(test_mastodon_corpus))
