/*
 * test_corpus_mastodon.c — feed_parse() over the real Mastodon API bodies
 * in the shared corpus (recorded by Mastodon.py's test suite).  Each file
 * is {"_source": ..., "body": ...}; every body that is a status or a list
 * of statuses must parse, with one entry per status carrying its id, its
 * created_at, its edited_at, reblogs flagged with the original's author,
 * replies flagged, and text whenever the status has content, followed by
 * the quoted post and the media descriptions, marked (not the link card,
 * which the server adds after posting).
 * Edit histories (/statuses/:id/history) must give one entry per version
 * under the status id of the URL, each with that version's text.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "date.h"
#include "feed.h"
#include "html_text.h"
#include "test.h"
#include "util.h"

static int checked, statuses, quotes, cards, histories;

/* Whether text holds what html (or plain text) reads as. */
static bool has_text(const char *text, const char *s, bool html)
{
	char *t = NULL;
	bool found;

	if (html ? html_to_text(s, strlen(s), 0, &t) < 0
	         : html_plain_text(s, strlen(s), 0, &t) < 0)
		return false;
	found = strstr(text, t) != NULL;
	free(t);
	return found;
}

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
	ASSERT(e->is_reply ==
	       json_is_string(json_object_get(orig, "in_reply_to_id")));
	{
		const json_t *q = json_object_get(
		    json_object_get(orig, "quote"), "quoted_status");
		const json_t *card = json_object_get(orig, "card");
		const char *qc =
		    json_string_value(json_object_get(q, "content"));
		const char *title =
		    json_string_value(json_object_get(card, "title"));

		if (qc && *qc) {
			char mark[128];

			snprintf(mark, sizeof(mark), "[quote @%s] ",
			         json_string_value(json_object_get(
			             json_object_get(q, "account"), "acct")));
			ASSERT(strstr(e->text, mark));
			ASSERT(has_text(strstr(e->text, mark), qc, true));
			quotes++;
		}
		if (title && *title) {
			/* The server's link preview is not the author's. */
			ASSERT(!strstr(e->text, "[link] "));
			cards++;
		}
	}
}

/* An edit history: one entry per version, all under the status id. */
static void check_history(const json_t *all, const json_t *body,
                          const char *name)
{
	const char *uri = json_string_value(
	    json_object_get(json_object_get(all, "_source"), "uri"));
	struct feed_parse_opts opts = {.base_url = uri};
	struct feed_doc *doc = NULL;
	char *text, err[256], id[64] = "";
	const char *p = uri ? strstr(uri, "/statuses/") : NULL;
	size_t i;

	REQUIRE(p);
	snprintf(id, sizeof(id), "%.*s", (int)strcspn(p + 10, "/"), p + 10);
	text = json_dumps(body, 0);
	REQUIRE(text);
	if (feed_parse(text, strlen(text), &opts, &doc, err, sizeof(err)) < 0) {
		fprintf(stderr, "%s: %s\n", name, err);
		test_failures++;
		free(text);
		return;
	}
	histories++;
	ASSERT_INT_EQ(doc->format, FEED_FORMAT_MASTODON);
	ASSERT_INT_EQ(doc->n_entries, json_array_size(body));
	for (i = 0; i < doc->n_entries; i++) {
		const json_t *v = json_array_get(body, i);
		const char *c =
		    json_string_value(json_object_get(v, "content"));

		ASSERT_STR_EQ(doc->entries[i].id, id);
		ASSERT(doc->entries[i].published ==
		       date_parse(json_string_value(json_object_get(
		           json_array_get(body, 0), "created_at"))));
		if (i > 0)
			ASSERT(doc->entries[i].updated ==
			       date_parse(json_string_value(
			           json_object_get(v, "created_at"))));
		if (c && *c)
			ASSERT(has_text(doc->entries[i].text, c, true));
	}
	/* Versions differ, or it would not be a history worth keeping. */
	if (doc->n_entries > 1)
		ASSERT(strcmp(doc->entries[0].text,
		              doc->entries[doc->n_entries - 1].text) != 0);
	feed_doc_free(doc);
	free(text);
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
	if (json_is_array(body) && json_array_size(body) > 0 &&
	    !json_object_get(json_array_get(body, 0), "id") &&
	    json_object_get(json_array_get(body, 0), "content")) {
		check_history(all, body, name);
		json_decref(all);
		return;
	}
	/* Contexts and sources are not status lists. */
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
	printf("mastodon corpus: %d bodies, %d statuses checked (%d quotes, "
	       "%d link cards), %d edit histories\n",
	       checked, statuses, quotes, cards, histories);
	ASSERT(checked >= 10);
	ASSERT(quotes >= 1);
	ASSERT(cards >= 1);
	ASSERT(histories >= 2);
}

TEST_MAIN(TEST(test_mastodon_corpus))
