/*
 * api_source.c — URL building for the Mastodon and Bluesky public APIs:
 *   Mastodon  GET /api/v1/accounts/lookup?acct=USER
 *             GET /api/v1/accounts/ID/statuses?limit=40
 *   Bluesky   GET {api}/xrpc/app.bsky.actor.getProfile?actor=HANDLE
 *             GET {api}/xrpc/app.bsky.feed.getAuthorFeed?actor=HANDLE&limit=50
 * and, to ask whether a post that left the window still exists:
 *   Mastodon  GET /api/v1/statuses/ID
 *   Bluesky   GET {api}/xrpc/app.bsky.feed.getPosts?uris=AT-URI
 * Every piece taken from the config is percent-encoded into the query.
 */
#include "api_source.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <jansson.h>

#include <stdbool.h>

#include "util.h"

/* Splits "https://host[:port]/@user" into "https://host[:port]" and "user". */
static int api_mastodon_split(const char *url, struct buf *origin,
                              struct buf *user)
{
	const char *p = strstr(url, "://"), *slash, *at, *end;

	if (!p)
		return -EINVAL;
	slash = strchr(p + 3, '/');
	if (!slash || slash == p + 3)
		return -EINVAL;
	at = strstr(slash, "/@");
	if (!at)
		at = strstr(slash, "/users/") ? strstr(slash, "/users/") + 6
		                              : NULL;
	if (!at)
		return -EINVAL;
	at += at[1] == '@' ? 2 : 1;
	end = at + strcspn(at, "/?#");
	if (end == at)
		return -EINVAL;
	if (buf_append(origin, url, (size_t)(slash - url)) < 0 ||
	    buf_append(user, at, (size_t)(end - at)) < 0)
		return -ENOMEM;
	return 0;
}

static int api_put_encoded(struct buf *b, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";

	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		int r;

		if (isalnum(c) || c == '-' || c == '.' || c == '_' ||
		    c == '~' || c == ':' || c == '@')
			r = buf_putc(b, (char)c);
		else
			r = buf_printf(b, "%%%c%c", hex[c >> 4], hex[c & 15]);
		if (r < 0)
			return r;
	}
	return 0;
}

static const char *api_bluesky_base(const char *api, size_t *len)
{
	if (!api || !*api)
		api = "https://public.api.bsky.app";
	*len = strlen(api);
	while (*len && api[*len - 1] == '/')
		(*len)--;
	return api;
}

static int api_build(enum feed_kind kind, const char *configured,
                     const char *bluesky_api, const char *account_id,
                     bool profile, char **out)
{
	struct buf b = {0}, origin = {0}, user = {0};
	const char *api;
	size_t api_len;
	int r = 0;

	*out = NULL;
	switch (kind) {
	case FEED_KIND_MASTODON:
		r = api_mastodon_split(configured, &origin, &user);
		if (r < 0)
			break;
		if (profile) {
			r = buf_printf(
			    &b, "%s/api/v1/accounts/lookup?acct=", origin.data);
			if (r == 0)
				r = api_put_encoded(&b, user.data);
		} else if (!account_id) {
			r = -EINVAL;
		} else {
			r = buf_printf(&b, "%s/api/v1/accounts/", origin.data);
			if (r == 0)
				r = api_put_encoded(&b, account_id);
			if (r == 0)
				r = buf_puts(&b, "/statuses?limit=40");
		}
		break;
	case FEED_KIND_BLUESKY:
		if (!*configured) {
			r = -EINVAL;
			break;
		}
		api = api_bluesky_base(bluesky_api, &api_len);
		r = buf_printf(&b, "%.*s/xrpc/%s?actor=", (int)api_len, api,
		               profile ? "app.bsky.actor.getProfile"
		                       : "app.bsky.feed.getAuthorFeed");
		if (r == 0)
			r = api_put_encoded(&b, configured);
		if (r == 0 && !profile)
			r = buf_puts(&b, "&limit=50");
		break;
	case FEED_KIND_WEB:
	default:
		r = -EINVAL;
		break;
	}
	buf_free(&origin);
	buf_free(&user);
	if (r < 0) {
		buf_free(&b);
		return r;
	}
	*out = buf_steal(&b);
	return *out ? 0 : -ENOMEM;
}

int api_profile_url(enum feed_kind kind, const char *configured,
                    const char *bluesky_api, char **out)
{
	return api_build(kind, configured, bluesky_api, NULL, true, out);
}

int api_posts_url(enum feed_kind kind, const char *configured,
                  const char *bluesky_api, const char *account_id, char **out)
{
	return api_build(kind, configured, bluesky_api, account_id, false, out);
}

int api_mastodon_account_id(const char *body, size_t len, char **out)
{
	json_error_t jerr;
	json_t *root = json_loadb(body, len, JSON_REJECT_DUPLICATES, &jerr);
	json_t *id = root ? json_object_get(root, "id") : NULL;
	const char *s = json_is_string(id) ? json_string_value(id) : NULL;
	size_t i, n;
	int r = -EBADMSG;

	*out = NULL;
	if (s && (n = strlen(s)) > 0 && n <= 64) {
		for (i = 0; i < n && isalnum((unsigned char)s[i]); i++)
			;
		if (i == n) {
			*out = strdup(s);
			r = *out ? 0 : -ENOMEM;
		}
	}
	json_decref(root);
	return r;
}

int api_reposted_by_url(enum feed_kind kind, const char *configured,
                        const char *bluesky_api, const char *key,
                        const char *cursor, int limit, char **out)
{
	struct buf b = {0}, origin = {0}, user = {0};
	const char *api;
	size_t api_len, i;
	int r;

	*out = NULL;
	if (!key || !*key)
		return -EINVAL;
	if (kind == FEED_KIND_BLUESKY) {
		api = api_bluesky_base(bluesky_api, &api_len);
		r = buf_printf(&b, "%.*s/xrpc/app.bsky.feed.getRepostedBy?uri=",
		               (int)api_len, api);
		if (r == 0)
			r = api_put_encoded(&b, key);
		if (r == 0)
			r = buf_printf(&b, "&limit=%d", limit);
		if (r == 0 && cursor && *cursor) {
			r = buf_puts(&b, "&cursor=");
			if (r == 0)
				r = api_put_encoded(&b, cursor);
		}
	} else if (kind == FEED_KIND_MASTODON) {
		/* A status id is a number (or, on some servers, letters and
		 * digits): anything else is not put in a path. */
		for (i = 0; key[i] && isalnum((unsigned char)key[i]); i++)
			;
		r = key[i] || i > 64
		        ? -EINVAL
		        : api_mastodon_split(configured, &origin, &user);
		if (r == 0)
			r = buf_printf(&b,
			               "%s/api/v1/statuses/%s/reblogged_by"
			               "?limit=%d",
			               origin.data, key, limit);
	} else {
		r = -EINVAL;
	}
	buf_free(&origin);
	buf_free(&user);
	if (r < 0) {
		buf_free(&b);
		return r;
	}
	*out = buf_steal(&b);
	return *out ? 0 : -ENOMEM;
}

int api_mastodon_domain(const char *configured, char **out)
{
	const char *p = strstr(configured, "://"), *end;

	*out = NULL;
	if (!p)
		return -EINVAL;
	p += 3;
	end = p + strcspn(p, "/:?#");
	if (end == p)
		return -EINVAL;
	*out = strndup(p, (size_t)(end - p));
	return *out ? 0 : -ENOMEM;
}

bool api_same_origin(const char *a, const char *b)
{
	const char *pa = a ? strstr(a, "://") : NULL,
	           *pb = b ? strstr(b, "://") : NULL;
	size_t na, nb;

	if (!pa || !pb)
		return false;
	pa += 3;
	pb += 3;
	na = (size_t)(pa - a) + strcspn(pa, "/?#");
	nb = (size_t)(pb - b) + strcspn(pb, "/?#");
	return na == nb && strncasecmp(a, b, na) == 0;
}

int api_status_url(enum feed_kind kind, const char *configured,
                   const char *bluesky_api, const char *key, char **out)
{
	struct buf b = {0}, origin = {0}, user = {0};
	const char *api;
	size_t api_len, i, n = strlen(key);
	int r = -EINVAL;

	*out = NULL;
	if (kind == FEED_KIND_MASTODON) {
		/* A status id: digits or letters only. */
		for (i = 0; i < n && isalnum((unsigned char)key[i]); i++)
			;
		if (n > 0 && n <= 64 && i == n &&
		    (r = api_mastodon_split(configured, &origin, &user)) == 0)
			r = buf_printf(&b, "%s/api/v1/statuses/%s", origin.data,
			               key);
	} else if (kind == FEED_KIND_BLUESKY && strncmp(key, "at://", 5) == 0 &&
	           !strchr(key, '#')) {
		/* A post's own record (a repost's key carries "#repost:"). */
		api = api_bluesky_base(bluesky_api, &api_len);
		r = buf_printf(&b, "%.*s/xrpc/app.bsky.feed.getPosts?uris=",
		               (int)api_len, api);
		if (r == 0)
			r = api_put_encoded(&b, key);
	}
	buf_free(&origin);
	buf_free(&user);
	if (r < 0) {
		buf_free(&b);
		return r;
	}
	*out = buf_steal(&b);
	return *out ? 0 : -ENOMEM;
}

int api_status_answer(enum feed_kind kind, long status, const char *body,
                      size_t len)
{
	json_t *root, *posts;
	int r = -1;

	if (kind == FEED_KIND_MASTODON) {
		if (status == 404 || status == 410)
			return 1;
		return status == 200 ? 0 : -1;
	}
	if (kind != FEED_KIND_BLUESKY)
		return -1;
	if (status == 404 || status == 410)
		return 1;
	if (status != 200 || !body)
		return -1;
	root = json_loadb(body, len, 0, NULL);
	posts = root ? json_object_get(root, "posts") : NULL;
	if (json_is_array(posts))
		r = json_array_size(posts) == 0 ? 1 : 0;
	json_decref(root);
	return r;
}
