/*
 * web_source.c — URLs of Telegram previews and YouTube channel feeds, and
 * when a Telegram poll pages back.  Names and ids were checked by the
 * config (letters, digits, '_' and '-'), so they go into URLs as they are.
 */
#include "web_source.h"

#include <ctype.h>
#include <errno.h>
#include <string.h>

#include "util.h"

int web_source_url(const struct config *cfg, enum feed_kind kind,
                   const char *configured, int64_t before, char **out)
{
	struct buf b = {0};
	const char *id;
	int r;

	*out = NULL;
	if (kind == FEED_KIND_TELEGRAM &&
	    strncmp(configured, "telegram:", 9) == 0) {
		id = configured + 9;
		r = buf_printf(&b, "%s/s/%s", cfg->telegram_base, id);
		if (r == 0 && before > 0)
			r = buf_printf(&b, "?before=%lld", (long long)before);
	} else if (kind == FEED_KIND_YOUTUBE &&
	           strncmp(configured, "youtube:", 8) == 0) {
		id = configured + 8;
		r = buf_printf(&b, "%s/feeds/videos.xml?channel_id=%s",
		               cfg->youtube_base, id);
	} else {
		return -EINVAL;
	}
	if (r < 0 || !*id || strcspn(id, "/?#&%") != strlen(id)) {
		buf_free(&b);
		return r < 0 ? r : -EINVAL;
	}
	*out = buf_steal(&b);
	return *out ? 0 : -ENOMEM;
}

bool web_source_page_more(const struct web_source_paging *p)
{
	size_t want = p->backfill > 0 ? (size_t)p->backfill : 100;

	if (p->before <= 0 || p->pages >= p->backfill / 10 + 2)
		return false;
	if (!p->first_poll && p->known > 0)
		return false;
	return p->collected < want;
}

int web_source_post_url(const struct config *cfg, const char *configured,
                        const char *key, char **out)
{
	struct buf b = {0};
	const char *name, *slash = strchr(key, '/'), *p;
	size_t n;

	*out = NULL;
	if (strncmp(configured, "telegram:", 9) != 0 || !slash)
		return -EINVAL;
	name = configured + 9;
	n = strlen(name);
	/* The channel's own post: NAME/ID, ID digits. */
	if ((size_t)(slash - key) != n || strncmp(key, name, n) != 0 ||
	    !slash[1] || strlen(slash + 1) > 18)
		return -EINVAL;
	for (p = slash + 1; *p; p++)
		if (!isdigit((unsigned char)*p))
			return -EINVAL;
	if (buf_printf(&b, "%s/%s?embed=1&mode=tme", cfg->telegram_base, key) <
	    0)
		return -ENOMEM;
	*out = buf_steal(&b);
	return *out ? 0 : -ENOMEM;
}

/* Whether the len bytes at hay hold needle. */
static bool contains(const char *hay, size_t len, const char *needle)
{
	size_t n = strlen(needle), i;

	for (i = 0; n <= len && i <= len - n; i++)
		if (hay[i] == needle[0] && memcmp(hay + i, needle, n) == 0)
			return true;
	return false;
}

int web_source_post_answer(long status, const char *body, size_t len)
{
	if (status == 404 || status == 410)
		return 1;
	if (status != 200 || !body)
		return -1;
	/* Telegram answers 200 either way: its error box, or the post. */
	if (contains(body, len, "tgme_widget_message_error"))
		return 1;
	if (contains(body, len, "data-post=\""))
		return 0;
	return -1;
}
