/*
 * config_values.c — the values of the config: the syntaxes (durations,
 * sizes, booleans, roles, URLs, mail addresses, schedules, feeds) and
 * config_set_value(), which reads one value by its key's kind into the
 * config, or reports why it cannot.  The syntax parsers are pure; the
 * shared duration grammar (config_parse_duration()) is also the one of
 * every command's --since.
 */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <libxml/xmlerror.h>
#include <libxml/xpath.h>

#include "config_int.h"
#include "date.h"
#include "util.h"

/* ---- value syntaxes ------------------------------------------------ */

bool config_is_space(int c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' ||
	       c == '\r';
}

static bool is_digit(int c)
{
	return c >= '0' && c <= '9';
}

bool config_is_alnum(int c)
{
	return is_digit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

/* Reads the decimal digits at *s into *out (no sign), advancing *s.
 * Returns -EINVAL when there are none or the value overflows. */
static int read_uint(const char **s, int64_t *out)
{
	const char *q = *s;
	int64_t v = 0;

	if (!is_digit(*q))
		return -EINVAL;
	for (; is_digit(*q); q++) {
		int d = *q - '0';

		if (v > (INT64_MAX - d) / 10)
			return -EINVAL;
		v = v * 10 + d;
	}
	*s = q;
	*out = v;
	return 0;
}

int config_parse_duration(const char *s, int64_t *out)
{
	static const struct {
		char unit;
		int64_t secs;
	} units[] = {
	    {'w', 7 * DAY}, {'d', DAY}, {'h', 3600}, {'m', 60}, {'s', 1}};
	int64_t total = 0, n;
	size_t next = 0, u;

	if (!s || !*s)
		return -EINVAL;
	if (read_uint(&s, &n) < 0)
		return -EINVAL;
	if (!*s) { /* a bare number is seconds */
		*out = n;
		return 0;
	}
	for (;;) {
		for (u = next; u < ARRAY_SIZE(units); u++)
			if (*s == units[u].unit)
				break;
		if (u ==
		    ARRAY_SIZE(units)) /* unknown, repeated or out of order */
			return -EINVAL;
		if (n > (INT64_MAX - total) / units[u].secs)
			return -EINVAL;
		total += n * units[u].secs;
		next = u + 1;
		s++;
		if (!*s)
			break;
		if (read_uint(&s, &n) < 0 || !*s)
			return -EINVAL;
	}
	*out = total;
	return 0;
}

int config_parse_size(const char *s, size_t *out)
{
	static const struct {
		const char *suffix;
		unsigned shift;
	} units[] = {{"", 0},     {"B", 0},    {"KiB", 10},
	             {"MiB", 20}, {"GiB", 30}, {"TiB", 40}};
	int64_t n;
	size_t u;

	if (!s || read_uint(&s, &n) < 0)
		return -EINVAL;
	for (u = 0; u < ARRAY_SIZE(units); u++) {
		if (strcasecmp(s, units[u].suffix) != 0)
			continue;
		if ((uint64_t)n > (uint64_t)SIZE_MAX >> units[u].shift)
			return -EINVAL;
		*out = (size_t)n << units[u].shift;
		return 0;
	}
	return -EINVAL;
}

static int parse_bool(const char *s, bool *out)
{
	static const char *const yes[] = {"yes", "true", "on", "1"};
	static const char *const no[] = {"no", "false", "off", "0"};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(yes); i++) {
		if (strcasecmp(s, yes[i]) == 0) {
			*out = true;
			return 0;
		}
		if (strcasecmp(s, no[i]) == 0) {
			*out = false;
			return 0;
		}
	}
	return -EINVAL;
}

static const char *const role_names[] = {
    [ROLE_DIPLOMAT] = "diplomat",       [ROLE_SPOKESPERSON] = "spokesperson",
    [ROLE_MISSION] = "mission",         [ROLE_MINISTRY] = "ministry",
    [ROLE_STATE_MEDIA] = "state_media", [ROLE_OTHER] = "other",
};

const char *config_role_name(enum account_role role)
{
	if ((size_t)role >= ARRAY_SIZE(role_names))
		return "other";
	return role_names[role];
}

int config_role_from_name(const char *name, enum account_role *out)
{
	size_t i;

	for (i = 0; name && i < ARRAY_SIZE(role_names); i++) {
		if (strcasecmp(name, role_names[i]) == 0) {
			*out = (enum account_role)i;
			return 0;
		}
	}
	return -EINVAL;
}

const char *config_feed_kind_name(enum feed_kind kind)
{
	switch (kind) {
	case FEED_KIND_WEB:
		return "web";
	case FEED_KIND_MASTODON:
		return "mastodon";
	case FEED_KIND_BLUESKY:
		return "bluesky";
	case FEED_KIND_TELEGRAM:
		return "telegram";
	case FEED_KIND_YOUTUBE:
		return "youtube";
	case FEED_KIND_HTML:
		return "html";
	}
	return "web";
}

/* Reads exactly n digits. */
static int read_fixed(const char **s, int n, int *out)
{
	int v = 0;

	while (n-- > 0) {
		if (!is_digit(**s))
			return -EINVAL;
		v = v * 10 + (*(*s)++ - '0');
	}
	*out = v;
	return 0;
}

/* Host names as URLs carry them: letters, digits, '-', '.', '_'. */
static bool valid_hostname(const char *s, size_t n)
{
	size_t i;

	if (n == 0 || n > 253 || s[0] == '.' || s[0] == '-' || s[n - 1] == '-')
		return false;
	for (i = 0; i < n; i++) {
		char c = s[i];

		if (!config_is_alnum(c) && c != '-' && c != '.' && c != '_')
			return false;
		if (c == '.' && i + 1 < n && s[i + 1] == '.')
			return false;
	}
	return true;
}

/* Checks an absolute URL of one of the given schemes ("http", "https" or
 * "smtp", "smtps") with a host.  On success *path points at what follows
 * the authority.  Returns NULL or a reason. */
static const char *check_url(const char *u, const char *const *schemes,
                             size_t n_schemes, const char **path)
{
	const char *p, *auth, *host_end, *q;
	size_t i, slen = 0;

	for (p = u; *p; p++)
		if ((unsigned char)*p <= 0x20 || *p == 0x7f)
			return "a URL cannot contain spaces or control "
			       "characters";
	for (i = 0; i < n_schemes; i++) {
		slen = strlen(schemes[i]);
		if (strncasecmp(u, schemes[i], slen) == 0 &&
		    strncmp(u + slen, "://", 3) == 0)
			break;
	}
	if (i == n_schemes)
		return ""; /* the caller names the schemes it takes */
	auth = u + slen + 3;
	host_end = auth + strcspn(auth, "/?#");
	if (memchr(auth, '@', (size_t)(host_end - auth)))
		return "credentials in URLs are not supported";
	if (*auth == '[') { /* IPv6 literal */
		for (q = auth + 1; q < host_end && *q != ']'; q++)
			if (!isxdigit((unsigned char)*q) && *q != ':' &&
			    *q != '.')
				return "malformed IPv6 address";
		if (q >= host_end || q == auth + 1)
			return "malformed IPv6 address";
		q++;
	} else {
		q = memchr(auth, ':', (size_t)(host_end - auth));
		if (!q)
			q = host_end;
		if (!valid_hostname(auth, (size_t)(q - auth)))
			return "missing or malformed host name";
	}
	if (q < host_end) {
		int64_t port;

		if (*q != ':')
			return "malformed host";
		q++;
		if (read_uint(&q, &port) < 0 || q != host_end || port < 1 ||
		    port > 65535)
			return "bad port number";
	}
	*path = host_end;
	return NULL;
}

static const char *const http_schemes[] = {"http", "https"};
static const char *const smtp_schemes[] = {"smtp", "smtps"};

/* Bluesky handles are domain names; DIDs follow the W3C syntax. */
static bool valid_bluesky_id(const char *s)
{
	size_t n = strlen(s), i, label = 0, labels = 0;

	if (strncmp(s, "did:", 4) == 0) {
		const char *m = s + 4, *id;

		for (id = m; *id >= 'a' && *id <= 'z'; id++)
			;
		if (id == m || *id != ':' || !id[1] || n > 2048)
			return false;
		for (id++; *id; id++)
			if (!config_is_alnum(*id) && !strchr("._:%-", *id))
				return false;
		return s[n - 1] != ':' && s[n - 1] != '%';
	}
	if (n == 0 || n > 253)
		return false;
	for (i = 0; i <= n; i++) {
		char c = s[i];

		if (c == '.' || c == '\0') {
			if (label == 0 || label > 63 || s[i - 1] == '-' ||
			    s[i - label] == '-')
				return false;
			labels++;
			if (c == '\0' &&
			    !((s[i - label] >= 'a' && s[i - label] <= 'z') ||
			      (s[i - label] >= 'A' && s[i - label] <= 'Z')))
				return false; /* the TLD starts with a letter */
			label = 0;
		} else if (config_is_alnum(c) || c == '-') {
			label++;
		} else {
			return false;
		}
	}
	return labels >= 2;
}

/* A plain address: local@domain, no display name. */
static bool valid_email(const char *s)
{
	const char *at = strchr(s, '@'), *p;

	if (!at || at == s || strchr(at + 1, '@'))
		return false;
	for (p = s; p < at; p++)
		if ((unsigned char)*p <= 0x20 || strchr("<>,;\"()[]\\", *p))
			return false;
	return valid_hostname(at + 1, strlen(at + 1));
}

static bool printable_line(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return false;
	return true;
}

/* Normalises "daily HH:MM", "weekly DAY HH:MM" or "off" into out. */
static int parse_schedule(const char *s, char *out, size_t outlen)
{
	static const char *const days[] = {"mon", "tue", "wed", "thu",
	                                   "fri", "sat", "sun"};
	static const char *const long_days[] = {
	    "monday", "tuesday",  "wednesday", "thursday",
	    "friday", "saturday", "sunday"};
	char w[4][16];
	int n = 0, h, m, day = -1;
	size_t i;
	const char *t;

	while (*s) {
		size_t k;

		while (config_is_space(*s))
			s++;
		if (!*s)
			break;
		k = strcspn(s, " \t");
		if (n == 4 || k >= sizeof(w[0]))
			return -EINVAL;
		memcpy(w[n], s, k);
		w[n++][k] = '\0';
		s += k;
	}
	if (n == 1 && strcasecmp(w[0], "off") == 0) {
		snprintf(out, outlen, "off");
		return 0;
	}
	if (n == 2 && strcasecmp(w[0], "daily") == 0) {
		t = w[1];
	} else if (n == 3 && strcasecmp(w[0], "weekly") == 0) {
		for (i = 0; i < ARRAY_SIZE(days); i++)
			if (strcasecmp(w[1], days[i]) == 0 ||
			    strcasecmp(w[1], long_days[i]) == 0)
				day = (int)i;
		if (day < 0)
			return -EINVAL;
		t = w[2];
	} else {
		return -EINVAL;
	}
	if (!is_digit(t[0]))
		return -EINVAL;
	h = t[0] - '0';
	t++;
	if (is_digit(*t))
		h = h * 10 + (*t++ - '0');
	if (*t++ != ':' || read_fixed(&t, 2, &m) < 0 || *t || h > 23 || m > 59)
		return -EINVAL;
	if (day < 0)
		snprintf(out, outlen, "daily %02d:%02d", h, m);
	else
		snprintf(out, outlen, "weekly %s %02d:%02d", days[day], h, m);
	return 0;
}

/* ---- setting values ------------------------------------------------- */

static char *resolve_path(struct parser *p, const char *v)
{
	struct buf b = {0};

	/* A URL (database = postgresql://...) names no file. */
	if (v[0] == '/' || !p->dir[0] || strstr(v, "://"))
		return xstrdup(v);
	if (buf_printf(&b, "%s%s%s", p->dir,
	               p->dir[strlen(p->dir) - 1] == '/' ? "" : "/", v) < 0) {
		buf_free(&b);
		return NULL;
	}
	return buf_steal(&b);
}

static void set_string(struct parser *p, char **field, const char *v)
{
	char *s = xstrdup(v);

	if (!s) {
		config_oom(p);
		return;
	}
	free(*field);
	*field = s;
}

char *config_url_key(enum feed_kind kind, const char *url)
{
	char *k = xstrdup(url), *q;
	size_t end;

	if (!k)
		return NULL;
	if (kind == FEED_KIND_BLUESKY) {
		for (q = k; *q; q++)
			*q = (char)tolower((unsigned char)*q);
		return k;
	}
	q = strstr(k, "://");
	end = q ? (size_t)(q - k) + 3 : 0;
	end += strcspn(k + end, "/?#");
	for (q = k; q < k + end; q++)
		*q = (char)tolower((unsigned char)*q);
	return k;
}

/* Telegram channel names: 4-32 of [A-Za-z0-9_]; YouTube channel ids:
 * "UC" and 22 of [A-Za-z0-9_-] (some are longer: allow up to 64). */
static bool valid_source_id(const char *s, size_t n, bool telegram)
{
	size_t i;

	if (telegram ? n < 4 || n > 32 : n < 2 || n > 64)
		return false;
	for (i = 0; i < n; i++)
		if (!config_is_alnum(s[i]) && s[i] != '_' &&
		    (telegram || s[i] != '-'))
			return false;
	return true;
}

/* Whether v names a Telegram channel ("telegram:NAME", https://t.me/NAME,
 * https://t.me/s/NAME) or a YouTube channel ("youtube:ID"): then *kind,
 * the canonical "telegram:NAME" / "youtube:ID" as a *new* string in
 * *canon (NULL for want of memory), and *why when malformed. */
static bool source_feed(const char *v, enum feed_kind *kind, char **canon,
                        const char **why)
{
	const char *name = NULL, *prefix = "telegram:";
	size_t n;

	*why = NULL;
	*canon = NULL;
	if (strncmp(v, "telegram:", 9) == 0)
		name = v + 9;
	else if (strncmp(v, "https://t.me/", 13) == 0)
		name = v + 13;
	else if (strncmp(v, "youtube:", 8) == 0)
		name = v + 8, prefix = "youtube:";
	if (!name)
		return false;
	*kind = *prefix == 't' ? FEED_KIND_TELEGRAM : FEED_KIND_YOUTUBE;
	if (*kind == FEED_KIND_TELEGRAM && strncmp(name, "s/", 2) == 0 &&
	    v[0] == 'h')
		name += 2;
	n = strcspn(name, "/?#");
	if (name[n] == '/' && !name[n + 1])
		; /* a trailing slash is harmless */
	else if (name[n])
		n = 0;
	if (!valid_source_id(name, n, *kind == FEED_KIND_TELEGRAM)) {
		*why = *kind == FEED_KIND_TELEGRAM
		           ? "expected telegram:NAME (4-32 letters, digits "
		             "or '_') or https://t.me/NAME"
		           : "expected youtube:CHANNEL_ID (like "
		             "UCxxxxxxxxxxxxxxxxxxxxxx)";
		return true;
	}
	*canon = malloc(strlen(prefix) + n + 1);
	if (*canon)
		sprintf(*canon, "%s%.*s", prefix, (int)n, name);
	return true;
}

/* "mastodon:https://host/@user[@domain]": the URL must name an account. */
static bool mastodon_feed_ok(struct parser *p, const char *v)
{
	const char *url = v + 9, *rest, *why, *q;

	why = check_url(url, http_schemes, 2, &rest);
	if (!why && (rest[0] != '/' || rest[1] != '@'))
		why = "the URL must name an account, as in "
		      "https://host/@user";
	if (!why) {
		for (q = rest + 2;
		     config_is_alnum(*q) || *q == '_' || *q == '.' || *q == '-';
		     q++)
			;
		if (q == rest + 2)
			why = "missing user name after '@'";
		else if (*q == '@' &&
		         valid_hostname(q + 1, strcspn(q + 1, "/")))
			q += 1 + strcspn(q + 1, "/");
		if (!why && !(q[0] == '\0' || (q[0] == '/' && !q[1])))
			why = "the URL must name an account, as in "
			      "https://host/@user";
	}
	if (why) {
		struct buf b = {0};

		config_begin_msg(p, &b, p->line, false);
		buf_puts(&b, "bad Mastodon feed ");
		config_put_quoted(&b, v);
		buf_printf(&b, ": %s",
		           *why ? why : "expected mastodon:https://host/@user");
		config_add_msg(p, false, p->line, &b);
		return false;
	}
	return true;
}

/* "html:URL": the index page must be an http(s) URL. */
static bool html_feed_ok(struct parser *p, const char *v)
{
	const char *rest, *why = check_url(v + 5, http_schemes, 2, &rest);

	if (why)
		config_error_value(p, p->line, "bad html: feed ", v, ": %s",
		                   *why
		                       ? why
		                       : "expected html:https://... (the index "
		                         "page)");
	return !why;
}

static void add_feed(struct parser *p, struct config_account *a, const char *v)
{
	struct config_feed *f;
	enum feed_kind kind;
	const char *url = v, *rest, *why;
	char *canon = NULL;

	if (a->n_feeds >= MAX_FEEDS) {
		error(p, p->line, "too many feeds for one account (limit %d)",
		      MAX_FEEDS);
		return;
	}
	if (strncmp(v, "mastodon:", 9) == 0) {
		kind = FEED_KIND_MASTODON;
		url = v + 9;
		if (!mastodon_feed_ok(p, v))
			return;
	} else if (source_feed(v, &kind, &canon, &why)) {
		if (why) {
			config_error_value(p, p->line, "bad feed ", v, ": %s",
			                   why);
			free(canon);
			return;
		}
		url = canon;
	} else if (strncmp(v, "html:", 5) == 0) {
		kind = FEED_KIND_HTML;
		if (!html_feed_ok(p, v))
			return;
	} else if (strncmp(v, "bluesky:", 8) == 0) {
		kind = FEED_KIND_BLUESKY;
		url = v + 8;
		if (!valid_bluesky_id(url)) {
			config_error_value(
			    p, p->line, "bad Bluesky feed ", v,
			    ": expected bluesky:HANDLE (like "
			    "name.bsky.social) or bluesky:did:plc:...");
			return;
		}
	} else {
		kind = FEED_KIND_WEB;
		why = check_url(v, http_schemes, 2, &rest);
		if (why) {
			struct buf b = {0};

			config_begin_msg(p, &b, p->line, false);
			buf_puts(&b, "bad feed URL ");
			config_put_quoted(&b, v);
			if (*why)
				buf_printf(&b, ": %s", why);
			else
				buf_puts(&b,
				         ": expected an absolute http:// or "
				         "https:// URL, mastodon:URL or "
				         "bluesky:HANDLE");
			config_add_msg(p, false, p->line, &b);
			return;
		}
	}
	if (!url) {
		config_oom(p);
		return;
	}
	f = realloc(a->feeds, (a->n_feeds + 1) * sizeof(*f));
	if (!f) {
		free(canon);
		config_oom(p);
		return;
	}
	a->feeds = f;
	f = &a->feeds[a->n_feeds];
	f->url = xstrdup(url);
	free(canon);
	f->kind = kind;
	f->line = p->line;
	if (!f->url) {
		config_oom(p);
		return;
	}
	a->n_feeds++;
}

static void add_mail_to(struct parser *p, const char *v)
{
	struct config_report *r = &p->cfg->report;

	while (*v) {
		size_t n = strcspn(v, ",");
		char *addr;
		char **grown;

		while (n > 0 && config_is_space(*v)) {
			v++;
			n--;
		}
		addr = xstrndup(v, n);
		if (!addr) {
			config_oom(p);
			return;
		}
		while (*addr && config_is_space(addr[strlen(addr) - 1]))
			addr[strlen(addr) - 1] = '\0';
		if (!valid_email(addr)) {
			if (*addr)
				config_error_value(p, p->line,
				                   "bad mail address ", addr,
				                   " in mail_to");
			else
				error(p, p->line, "empty address in mail_to");
			free(addr);
		} else if (r->n_mail_to >= MAX_MAIL_TO) {
			error(p, p->line,
			      "too many mail_to addresses "
			      "(limit %d)",
			      MAX_MAIL_TO);
			free(addr);
			return;
		} else {
			grown = realloc(r->mail_to,
			                (r->n_mail_to + 1) * sizeof(*grown));
			if (!grown) {
				free(addr);
				config_oom(p);
				return;
			}
			r->mail_to = grown;
			r->mail_to[r->n_mail_to++] = addr;
		}
		v += n;
		if (*v == ',') {
			v++;
			if (!*v)
				error(p, p->line, "empty address in mail_to");
		}
	}
}

/* K_PATH: a printable path, resolved against the config's folder. */
static void set_path(struct parser *p, const struct key_spec *k, char *field,
                     const char *v)
{
	char *s;

	if (!printable_line(v)) {
		error(p, p->line, "%s: the path contains control characters",
		      k->name);
		return;
	}
	s = resolve_path(p, v);
	if (!s) {
		config_oom(p);
		return;
	}
	free(*(char **)field);
	*(char **)field = s;
}

/* libxml2's own complaint about an XPath goes nowhere: the config's
 * message says which key and line. */
static void config_xml_quiet(void *arg, xmlError *err)
{
	(void)arg;
	(void)err;
}

/* K_XPATH: a printable line that libxml2 compiles as XPath 1.0, so a
 * typo is a config error with its line, not a fault at every poll. */
static void set_xpath(struct parser *p, const struct key_spec *k, char *field,
                      const char *v)
{
	xmlXPathCompExprPtr comp;

	if (!printable_line(v) || strlen(v) > 1024 || !*v) {
		error(p, p->line, "%s: expected one XPath expression", k->name);
		return;
	}
	xmlSetStructuredErrorFunc(NULL, config_xml_quiet);
	comp = xmlXPathCompile((const xmlChar *)v);
	xmlSetStructuredErrorFunc(NULL, NULL);
	if (!comp) {
		config_error_value(p, p->line, "bad XPath ", v, " for '%s'",
		                   k->name);
		return;
	}
	xmlXPathFreeCompExpr(comp);
	set_string(p, (char **)field, v);
}

/* K_TEXT: one printable line of at most 512 bytes. */
static void set_text(struct parser *p, const struct key_spec *k, char *field,
                     const char *v)
{
	if (!printable_line(v)) {
		error(p, p->line, "%s: control characters are not allowed",
		      k->name);
		return;
	}
	if (strlen(v) > 512) {
		error(p, p->line, "%s: value too long (limit 512 bytes)",
		      k->name);
		return;
	}
	set_string(p, (char **)field, v);
}

/* K_HTTP_URL, K_SMTP_URL: an absolute URL of the kind's schemes. */
static void set_url(struct parser *p, const struct key_spec *k, char *field,
                    const char *v)
{
	const char *rest, *why;

	why = check_url(v, k->kind == K_SMTP_URL ? smtp_schemes : http_schemes,
	                2, &rest);
	if (why) {
		struct buf bb = {0};

		config_begin_msg(p, &bb, p->line, false);
		buf_printf(&bb, "%s: bad URL ", k->name);
		config_put_quoted(&bb, v);
		buf_printf(&bb, ": %s",
		           *why ? why
		           : k->kind == K_SMTP_URL
		               ? "expected smtp://HOST[:PORT] or "
		                 "smtps://HOST[:PORT]"
		               : "expected an http:// or https:// URL");
		config_add_msg(p, false, p->line, &bb);
		return;
	}
	set_string(p, (char **)field, v);
	if (k->off == C(bluesky_api) || k->off == C(telegram_base) ||
	    k->off == C(youtube_base)) { /* the API path is appended */
		char *s = *(char **)field;
		size_t len = s ? strlen(s) : 0;

		while (len > 0 && s[len - 1] == '/')
			s[--len] = '\0';
	}
}

/* K_DURATION (seconds within the key's range) and K_SINCE (a positive
 * duration kept as written). */
static void set_duration(struct parser *p, const struct key_spec *k,
                         char *field, const char *v)
{
	int64_t n;

	if (config_parse_duration(v, &n) < 0) {
		config_error_value(p, p->line, "bad duration ", v,
		                   " for '%s': use a number with s, m, h, d "
		                   "or w, like 90s, 15m, 1h30m, 7d or 2w",
		                   k->name);
		return;
	}
	if (k->kind == K_SINCE) {
		if (n < 1) {
			error(p, p->line, "since must be at least 1s");
			return;
		}
		set_string(p, (char **)field, v);
		return;
	}
	if (n < k->min || n > k->max) {
		error(p, p->line, "%s must be between %llds and %llds", k->name,
		      (long long)k->min, (long long)k->max);
		return;
	}
	*(int64_t *)field = n;
}

/* K_SIZE: bytes within the key's range, binary units only. */
static void set_size(struct parser *p, const struct key_spec *k, char *field,
                     const char *v)
{
	size_t sz;

	if (config_parse_size(v, &sz) < 0) {
		struct buf bb = {0};
		size_t digits = strspn(v, "0123456789");

		config_begin_msg(p, &bb, p->line, false);
		buf_puts(&bb, "bad size ");
		config_put_quoted(&bb, v);
		buf_printf(&bb, " for '%s': ", k->name);
		if (digits > 0 && (strcasecmp(v + digits, "KB") == 0 ||
		                   strcasecmp(v + digits, "MB") == 0 ||
		                   strcasecmp(v + digits, "GB") == 0 ||
		                   strcasecmp(v + digits, "K") == 0 ||
		                   strcasecmp(v + digits, "M") == 0 ||
		                   strcasecmp(v + digits, "G") == 0))
			buf_puts(&bb, "KB/MB are ambiguous, write KiB "
			              "or MiB (1024-based)");
		else
			buf_puts(&bb, "use a number of bytes, or "
			              "with KiB, MiB or GiB");
		config_add_msg(p, false, p->line, &bb);
		return;
	}
	if ((int64_t)sz < k->min || (uint64_t)sz > (uint64_t)k->max) {
		error(p, p->line, "%s must be between 1KiB and 4GiB", k->name);
		return;
	}
	*(size_t *)field = sz;
}

/* K_INT: digits within the key's range. */
static void set_int(struct parser *p, const struct key_spec *k, char *field,
                    const char *v)
{
	const char *rest = v;
	int64_t n;

	if (read_uint(&rest, &n) < 0 || *rest) {
		config_error_value(p, p->line, "bad number ", v,
		                   ": expected digits only");
		return;
	}
	if (n < k->min || n > k->max) {
		error(p, p->line, "%s must be between %lld and %lld", k->name,
		      (long long)k->min, (long long)k->max);
		return;
	}
	*(int *)field = (int)n;
}

/* K_FRACTION: a number from 0 to 1. */
static void set_fraction(struct parser *p, char *field, const char *v)
{
	char *end;
	double d;

	errno = 0;
	d = strtod(v, &end);
	if (end == v || *end || errno || !(d >= 0 && d <= 1)) {
		config_error_value(p, p->line, "bad fraction ", v,
		                   ": expected a number from 0 to 1");
		return;
	}
	/* field points into struct config: copied, not cast, as it is a
	 * char pointer. */
	memcpy(field, &d, sizeof(d));
}

/* K_BOOL, K_SCHEDULE, K_FORMAT: words of a fixed set. */
static void set_word(struct parser *p, const struct key_spec *k, char *field,
                     const char *v)
{
	char norm[32];
	bool b;

	switch (k->kind) {
	case K_BOOL:
		if (parse_bool(v, &b) < 0) {
			config_error_value(p, p->line, "bad boolean ", v,
			                   ": use yes/no, true/false, on/off "
			                   "or 1/0");
			return;
		}
		*(bool *)field = b;
		return;
	case K_SCHEDULE:
		if (parse_schedule(v, norm, sizeof(norm)) < 0) {
			config_error_value(p, p->line, "bad schedule ", v,
			                   ": use 'daily HH:MM', 'weekly mon "
			                   "HH:MM' or 'off'");
			return;
		}
		set_string(p, (char **)field, norm);
		return;
	default: /* K_FORMAT */
		if (strcmp(v, "markdown") == 0)
			v = "md";
		if (strcmp(v, "text") != 0 && strcmp(v, "md") != 0 &&
		    strcmp(v, "json") != 0 && strcmp(v, "html") != 0) {
			config_error_value(p, p->line, "bad report format ", v,
			                   ": use text, md, json or html");
			return;
		}
		set_string(p, (char **)field, v);
		return;
	}
}

void config_set_value(struct parser *p, const struct key_spec *k, void *base,
                      const char *v)
{
	char *field = (char *)base + k->off;

	switch (k->kind) {
	case K_PATH:
		set_path(p, k, field, v);
		return;
	case K_TEXT:
		set_text(p, k, field, v);
		return;
	case K_XPATH:
		set_xpath(p, k, field, v);
		return;
	case K_HTTP_URL:
	case K_SMTP_URL:
		set_url(p, k, field, v);
		return;
	case K_EMAIL:
		if (!valid_email(v)) {
			config_error_value(p, p->line, "bad mail address ", v,
			                   ": expected user@host");
			return;
		}
		set_string(p, (char **)field, v);
		return;
	case K_EMAIL_LIST:
		add_mail_to(p, v);
		return;
	case K_DURATION:
	case K_SINCE:
		set_duration(p, k, field, v);
		return;
	case K_SIZE:
		set_size(p, k, field, v);
		return;
	case K_INT:
		set_int(p, k, field, v);
		return;
	case K_FRACTION:
		set_fraction(p, field, v);
		return;
	case K_BOOL:
	case K_SCHEDULE:
	case K_FORMAT:
		set_word(p, k, field, v);
		return;
	case K_ROLE:
		if (config_role_from_name(v, (enum account_role *)field) < 0)
			config_error_value(p, p->line, "unknown role ", v,
			                   ": use diplomat, spokesperson, "
			                   "mission, ministry, state_media or "
			                   "other");
		return;
	case K_DATE:
		if (date_parse_strict(v, (int64_t *)field) < 0)
			config_error_value(p, p->line, "bad date ", v,
			                   " for 'created': use YYYY-MM-DD or "
			                   "RFC 3339 (2019-10-01T08:00:00Z)");
		return;
	case K_FEED:
		add_feed(p, base, v);
		return;
	case K_TERMS:
	case K_CATEGORY:
	case K_ALERT:
	case K_ALERT_CATS:
	case K_FACTOR:
		config_narrative_value(p, k, base, field, v);
		return;
	}
}
