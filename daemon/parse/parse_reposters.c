/*
 * parse_reposters.c — the pages of "who reposted this post" (see
 * reposters.h).  Bluesky answers {"repostedBy": [profileView...],
 * "cursor": "..."}, each profile with its handle, displayName and, in
 * newer AppViews, createdAt (followersCount only in detailed views, read
 * when present); Mastodon answers an array of accounts with acct,
 * display_name, created_at and followers_count, and pages by the Link
 * header.  Anything unexpected in one entry skips that entry, never the
 * page; a body that is not such a page at all is -EBADMSG.
 */
#include "reposters.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <jansson.h>

#include "date.h"
#include "util.h"

/* Longest handle kept (a DNS name), and longest display name in bytes. */
#define REPOSTERS_MAX_ACTOR 253
#define REPOSTERS_MAX_NAME  200
/* Longest cursor or next-page URL followed. */
#define REPOSTERS_MAX_CURSOR 2048

static const char *rp_str(const json_t *o, const char *key)
{
	const json_t *v = json_object_get(o, key);

	return json_is_string(v) ? json_string_value(v) : NULL;
}

/* A handle is printable ASCII without blanks, quotes or slashes. */
static bool rp_handle_ok(const char *s)
{
	size_t n = 0;

	if (!s || !*s)
		return false;
	for (; s[n]; n++) {
		unsigned char c = (unsigned char)s[n];

		if (c <= 0x20 || c >= 0x7f || c == '"' || c == '/' ||
		    c == '\\' || c == '<' || c == '>')
			return false;
	}
	return n <= REPOSTERS_MAX_ACTOR;
}

/* A display name cut to REPOSTERS_MAX_NAME bytes on a character boundary,
 * control characters dropped, as a *new* string; NULL when empty. */
static char *rp_name(const char *s, bool *oom)
{
	size_t n, i, j = 0;
	char *d;

	if (!s || !*s)
		return NULL;
	n = strlen(s);
	if (n > REPOSTERS_MAX_NAME) {
		n = REPOSTERS_MAX_NAME;
		while (n > 0 && ((unsigned char)s[n] & 0xc0) == 0x80)
			n--;
	}
	d = malloc(n + 1);
	if (!d) {
		*oom = true;
		return NULL;
	}
	for (i = 0; i < n; i++)
		if ((unsigned char)s[i] >= 0x20 && s[i] != 0x7f)
			d[j++] = s[i];
	d[j] = '\0';
	return d;
}

static int64_t rp_count(const json_t *o, const char *key)
{
	const json_t *v = json_object_get(o, key);

	if (json_is_integer(v) && json_integer_value(v) >= 0)
		return (int64_t)json_integer_value(v);
	return -1;
}

/* Adds one actor object to the page; false for want of memory. */
static bool rp_add(struct reposter_page *pg, const json_t *o,
                   enum feed_format format, const char *domain)
{
	const char *handle, *name, *created;
	struct reposter *r;
	bool oom = false;
	char *actor;

	if (format == FEED_FORMAT_BLUESKY) {
		handle = rp_str(o, "handle");
		name = rp_str(o, "displayName");
		created = rp_str(o, "createdAt");
	} else {
		handle = rp_str(o, "acct");
		name = rp_str(o, "display_name");
		created = rp_str(o, "created_at");
	}
	if (!json_is_object(o) || !rp_handle_ok(handle)) {
		pg->skipped++;
		return true;
	}
	if (format == FEED_FORMAT_MASTODON && !strchr(handle, '@') && domain &&
	    rp_handle_ok(domain)) {
		size_t n = strlen(handle) + strlen(domain) + 2;

		actor = malloc(n);
		if (actor)
			snprintf(actor, n, "%s@%s", handle, domain);
	} else {
		actor = strdup(handle);
	}
	if (!actor)
		return false;
	r = realloc(pg->actors, (pg->n + 1) * sizeof(*r));
	if (!r) {
		free(actor);
		return false;
	}
	pg->actors = r;
	r = &pg->actors[pg->n++];
	r->actor = actor;
	r->name = rp_name(name, &oom);
	r->created = created ? date_parse(created) : TIME_UNKNOWN;
	r->followers =
	    rp_count(o, format == FEED_FORMAT_BLUESKY ? "followersCount"
	                                              : "followers_count");
	return !oom;
}

/* The array of actors of a page and, for Bluesky, its cursor. */
static const json_t *rp_list(enum feed_format format, const json_t *root,
                             const char **cursor, char *err, size_t errlen)
{
	const json_t *list;

	*cursor = NULL;
	if (format == FEED_FORMAT_MASTODON) {
		if (!json_is_array(root)) {
			snprintf(
			    err, errlen,
			    "not a Mastodon reblogged_by answer: top level "
			    "is not an array");
			return NULL;
		}
		return root;
	}
	list = json_object_get(root, "repostedBy");
	if (!json_is_array(list)) {
		snprintf(err, errlen,
		         "not a Bluesky getRepostedBy answer: no repostedBy "
		         "array");
		return NULL;
	}
	*cursor = rp_str(root, "cursor");
	return list;
}

int reposters_parse(enum feed_format format, const char *data, size_t len,
                    const char *domain, struct reposter_page **out, char *err,
                    size_t errlen)
{
	struct reposter_page *pg;
	const json_t *list, *o;
	const char *cursor;
	json_error_t jerr;
	json_t *root;
	size_t i;
	int r = 0;

	*out = NULL;
	if (format != FEED_FORMAT_BLUESKY && format != FEED_FORMAT_MASTODON) {
		snprintf(err, errlen,
		         "reposters: not a Bluesky or Mastodon "
		         "format");
		return -EINVAL;
	}
	root = json_loadb(data, len, JSON_REJECT_DUPLICATES, &jerr);
	if (!root) {
		snprintf(err, errlen, "not JSON: %s (line %d)", jerr.text,
		         jerr.line);
		return -EBADMSG;
	}
	list = rp_list(format, root, &cursor, err, errlen);
	if (!list) {
		json_decref(root);
		return -EBADMSG;
	}
	pg = calloc(1, sizeof(*pg));
	if (!pg) {
		json_decref(root);
		return -ENOMEM;
	}
	for (i = 0; i < json_array_size(list) && r == 0; i++) {
		o = json_array_get(list, i);
		if (!rp_add(pg, o, format, domain))
			r = -ENOMEM;
	}
	if (r == 0 && cursor && *cursor &&
	    strlen(cursor) <= REPOSTERS_MAX_CURSOR &&
	    !(pg->cursor = strdup(cursor)))
		r = -ENOMEM;
	json_decref(root);
	if (r < 0) {
		reposter_page_free(pg);
		return r;
	}
	*out = pg;
	return 0;
}

void reposter_page_free(struct reposter_page *page)
{
	size_t i;

	if (!page)
		return;
	for (i = 0; i < page->n; i++) {
		free(page->actors[i].actor);
		free(page->actors[i].name);
	}
	free(page->actors);
	free(page->cursor);
	free(page);
}

/* Whether the parameters of one link (after its '>', up to its end) hold
 * rel="next" (or rel=next, or next among several relations). */
static bool rp_rel_next(const char *p, size_t n)
{
	const char *end = p + n, *rel;

	for (rel = p; rel < end; rel++) {
		const char *v;
		size_t len;

		if ((size_t)(end - rel) < 4 || strncasecmp(rel, "rel=", 4) != 0)
			continue;
		v = rel + 4;
		if (v < end && *v == '"')
			v++;
		for (;;) {
			len = 0;
			while (v + len < end && isalpha((unsigned char)v[len]))
				len++;
			if (len == 4 && strncasecmp(v, "next", 4) == 0)
				return true;
			if (!len || v + len >= end || v[len] != ' ')
				break;
			v += len + 1;
		}
	}
	return false;
}

char *reposters_link_next(const char *link)
{
	const char *p = link;

	while (p && (p = strchr(p, '<'))) {
		const char *close = strchr(p, '>'), *next;
		size_t plen;

		if (!close)
			return NULL;
		/* This link's parameters run to the next comma outside the
		 * URL (commas inside <...> belong to the URL). */
		next = strchr(close, ',');
		plen = next ? (size_t)(next - close) : strlen(close);
		if (rp_rel_next(close + 1, plen) &&
		    (size_t)(close - p - 1) <= REPOSTERS_MAX_CURSOR &&
		    close > p + 1)
			return strndup(p + 1, (size_t)(close - p - 1));
		p = next;
	}
	return NULL;
}
