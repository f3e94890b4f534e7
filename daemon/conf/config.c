/*
 * config.c — reads the service configuration (one INI file) into a fresh
 * struct config, collecting every problem as "FILE:LINE: message" so that
 * an analyst fixes a file in one pass.  The daemon swaps a config in only
 * when it parsed cleanly, so a reload never half-applies.
 *
 * libinih does the lexing.  Debian's build lacks INI_HANDLER_LINENO, so the
 * text is fed through ini_parse_stream() with our own reader that hands out
 * one line at a time: whatever the handler sees belongs to the line the
 * reader handed out last.  The reader also recognises section headers
 * itself, because inih neither reports them (no handler call), nor keeps
 * names over 49 bytes, nor complains about text after ']'; and it notices
 * lines that inih rejected (no handler call for a key line), since inih
 * reports only the first.  Multi-line values are switched off: with them,
 * an indented "key = value" silently became part of the previous value.
 */
#include <ctype.h>
#include <errno.h>
#include <ini.h>
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config.h"
#include "date.h"
#include "util.h"

#ifndef DEMARCHE_VERSION
#define DEMARCHE_VERSION "0"
#endif

/* Limits on what a config may make us allocate. */
#define MAX_LINE     4096 /* bytes per line, without the newline */
#define MAX_ERRORS   100  /* then parsing stops */
#define MAX_ACCOUNTS 20000
#define MAX_FEEDS    200 /* per account */
#define MAX_MAIL_TO  100
#define MAX_KEY_LEN  128 /* account keys (handles) */
#define MAX_FILE     (1024 * 1024)

#define DEFAULT_USER_AGENT \
	"demarche/" DEMARCHE_VERSION " (+https://github.com/demarche)"
#define DEFAULT_BLUESKY_API "https://public.api.bsky.app"

enum section {
	SEC_NONE,    /* before the first header */
	SEC_IGNORED, /* a bad or unknown header: its keys are not checked */
	SEC_STORAGE,
	SEC_POLL,
	SEC_CLASSIFIER,
	SEC_REPORT,
	SEC_DEMO,
	SEC_ACCOUNT,
};

static const struct {
	const char *name;
	enum section sec;
} sections[] = {
    {"storage", SEC_STORAGE},
    {"poll", SEC_POLL},
    {"classifier", SEC_CLASSIFIER},
    {"report", SEC_REPORT},
    {"demo", SEC_DEMO},
    {"account", SEC_ACCOUNT},
};

/* How a value is read; see set_value(). */
enum kind {
	K_PATH,       /* char *, resolved against the config's folder */
	K_TEXT,       /* char *, printable, one line */
	K_HTTP_URL,   /* char *, absolute http(s) URL, trailing '/' dropped */
	K_SMTP_URL,   /* char *, smtp:// or smtps:// URL */
	K_EMAIL,      /* char *, a bare address */
	K_EMAIL_LIST, /* char ** + count, repeatable and comma-separated */
	K_DURATION,   /* int64_t seconds within [min, max] */
	K_SINCE,      /* char *, a valid duration kept as written */
	K_SIZE,       /* size_t bytes within [min, max] */
	K_INT,        /* int within [min, max] */
	K_FRACTION,   /* double within [0, 1] */
	K_BOOL,       /* bool */
	K_SCHEDULE,   /* char *, normalised "daily HH:MM" etc. */
	K_FORMAT,     /* char *, text|md|json|html */
	K_ROLE,       /* enum account_role */
	K_DATE,       /* int64_t epoch seconds */
	K_FEED,       /* appended to the account's feeds */
};

struct key_spec {
	enum section sec; /* where the key belongs */
	const char *name; /* as written in the file */
	enum kind kind;   /* how its value is read */
	size_t off;       /* field in struct config or struct config_account */
	int64_t min, max; /* range for numbers, durations and sizes */
};

#define C(f) offsetof(struct config, f)
#define R(f) offsetof(struct config, report.f)
#define A(f) offsetof(struct config_account, f)
#define DAY  (24 * 3600)
#define GIB  (1024LL * 1024 * 1024)

static const struct key_spec keys[] = {
    {SEC_STORAGE, "database", K_PATH, C(database), 0, 0},
    {SEC_POLL, "interval", K_DURATION, C(interval), 1, 365 * DAY},
    {SEC_POLL, "concurrency", K_INT, C(concurrency), 1, 10000},
    {SEC_POLL, "per_host", K_INT, C(per_host), 1, 10000},
    {SEC_POLL, "timeout", K_DURATION, C(timeout), 1, DAY},
    {SEC_POLL, "connect_timeout", K_DURATION, C(connect_timeout), 1, DAY},
    {SEC_POLL, "max_body", K_SIZE, C(max_body), 1024, 4 * GIB},
    {SEC_POLL, "user_agent", K_TEXT, C(user_agent), 0, 0},
    {SEC_POLL, "allow_private_addresses", K_BOOL, C(allow_private), 0, 0},
    {SEC_POLL, "bluesky_api", K_HTTP_URL, C(bluesky_api), 0, 0},
    {SEC_POLL, "stop_timeout", K_DURATION, C(stop_timeout), 1, 3600},
    {SEC_CLASSIFIER, "rules", K_PATH, C(rules_dir), 0, 0},
    {SEC_CLASSIFIER, "model", K_PATH, C(model_path), 0, 0},
    {SEC_CLASSIFIER, "model_weight", K_FRACTION, C(model_weight), 0, 0},
    {SEC_REPORT, "schedule", K_SCHEDULE, R(schedule), 0, 0},
    {SEC_REPORT, "format", K_FORMAT, R(format), 0, 0},
    {SEC_REPORT, "output_dir", K_PATH, R(output_dir), 0, 0},
    {SEC_REPORT, "smtp_url", K_SMTP_URL, R(smtp_url), 0, 0},
    {SEC_REPORT, "smtp_user", K_TEXT, R(smtp_user), 0, 0},
    {SEC_REPORT, "smtp_password_file", K_PATH, R(smtp_password_file), 0, 0},
    {SEC_REPORT, "smtp_ca_file", K_PATH, R(smtp_ca_file), 0, 0},
    {SEC_REPORT, "mail_from", K_EMAIL, R(mail_from), 0, 0},
    {SEC_REPORT, "mail_to", K_EMAIL_LIST, R(mail_to), 0, 0},
    {SEC_REPORT, "webhook", K_HTTP_URL, R(webhook), 0, 0},
    {SEC_REPORT, "since", K_SINCE, R(since), 0, 0},
    {SEC_REPORT, "timezone", K_TEXT, R(timezone), 0, 0},
    {SEC_REPORT, "subject", K_TEXT, R(subject), 0, 0},
    {SEC_REPORT, "smtp_starttls", K_BOOL, R(smtp_starttls), 0, 0},
    {SEC_REPORT, "retries", K_INT, R(retries), 0, 20},
    {SEC_REPORT, "retry_delay", K_DURATION, R(retry_delay), 1, DAY},
    {SEC_DEMO, "feeds", K_PATH, C(demo_feeds_dir), 0, 0},
    {SEC_DEMO, "port", K_INT, C(demo_port), 1, 65535},
    {SEC_ACCOUNT, "name", K_TEXT, A(name), 0, 0},
    {SEC_ACCOUNT, "role", K_ROLE, A(role), 0, 0},
    {SEC_ACCOUNT, "country", K_TEXT, A(country), 0, 0},
    {SEC_ACCOUNT, "created", K_DATE, A(created), 0, 0},
    {SEC_ACCOUNT, "feed", K_FEED, 0, 0, 0},
    {SEC_ACCOUNT, "interval", K_DURATION, A(interval), 1, 365 * DAY},
};
#define N_KEYS ARRAY_SIZE(keys)

/* One collected message before they are sorted into line order. */
struct msg {
	int line;     /* 0 for the whole file */
	size_t seq;   /* order of discovery, for a stable sort */
	bool warning; /* false: an error */
	char *text;   /* "FILE:LINE: ..." */
};

/* What the parser remembers about an account beyond struct config_account. */
struct account_info {
	int seen[N_KEYS]; /* line where each key was set, 0 if not */
};

struct parser {
	const char *path; /* as given, for messages */
	char *dir;        /* path's folder, "" when it has none */
	struct config *cfg;

	/* the reader */
	const char *text; /* the whole input */
	size_t len;       /* its length */
	size_t pos;       /* start of the next line */
	int line;         /* number of the line handed out last */
	const char *raw;  /* that line in text (no line end; NULL if dropped) */
	size_t raw_len;   /* its length */
	bool indented;    /* it starts with whitespace */
	bool pair_line;   /* that line should have reached the handler */
	bool handled;     /* ... and did */
	bool stop;        /* too many errors or out of memory */

	/* the section the current line belongs to */
	enum section sec;
	int sec_line;              /* line of the current section header */
	int storage_line;          /* line of the first [storage] header */
	int seen[N_KEYS];          /* line where each global key was set */
	struct account_info *info; /* parallel to cfg->accounts */
	size_t cap_accounts;

	struct msg *msgs;
	size_t n_msgs, cap_msgs, n_errors;
	int rc; /* -ENOMEM once an allocation failed */
};

static void oom(struct parser *p)
{
	p->rc = -ENOMEM;
	p->stop = true;
}

/* Appends a value to a message, quoted and made safe for a terminal. */
static void put_quoted(struct buf *b, const char *s)
{
	size_t i;

	buf_putc(b, '\'');
	for (i = 0; i < 80 && s[i]; i++) {
		unsigned char c = (unsigned char)s[i];

		buf_putc(b, (c < 0x20 || c == 0x7f) ? '?' : (char)c);
	}
	if (s[i])
		buf_puts(b, "...");
	buf_putc(b, '\'');
}

static void add_msg(struct parser *p, bool warning, int line, struct buf *b)
{
	struct msg *m;

	if (!b->data) {
		oom(p);
		return;
	}
	if (p->n_msgs == p->cap_msgs) {
		size_t cap = p->cap_msgs ? p->cap_msgs * 2 : 16;

		m = realloc(p->msgs, cap * sizeof(*m));
		if (!m) {
			buf_free(b);
			oom(p);
			return;
		}
		p->msgs = m;
		p->cap_msgs = cap;
	}
	m = &p->msgs[p->n_msgs];
	m->line = line;
	m->seq = p->n_msgs;
	m->warning = warning;
	m->text = buf_steal(b);
	if (!m->text) {
		oom(p);
		return;
	}
	p->n_msgs++;
	if (!warning && ++p->n_errors >= MAX_ERRORS)
		p->stop = true;
}

/* Starts "FILE:LINE: " (or "FILE: " for line 0) in b. */
static void begin_msg(struct parser *p, struct buf *b, int line, bool warning)
{
	if (line > 0)
		buf_printf(b, "%s:%d: ", p->path, line);
	else
		buf_printf(b, "%s: ", p->path);
	if (warning)
		buf_puts(b, "warning: ");
}

static void __attribute__((format(printf, 4, 5)))
report(struct parser *p, bool warning, int line, const char *fmt, ...)
{
	struct buf b = {0};
	va_list ap;

	if (p->stop && !warning)
		return;
	begin_msg(p, &b, line, warning);
	va_start(ap, fmt);
	buf_vprintf(&b, fmt, ap);
	va_end(ap);
	add_msg(p, warning, line, &b);
}

#define error(p, line, ...)   report(p, false, line, __VA_ARGS__)
#define warning(p, line, ...) report(p, true, line, __VA_ARGS__)

/* An error whose message quotes an untrusted value:
 * PREFIX 'VALUE' then the formatted rest. */
static void __attribute__((format(printf, 5, 6)))
error_value(struct parser *p, int line, const char *prefix, const char *value,
            const char *fmt, ...)
{
	struct buf b = {0};
	va_list ap;

	if (p->stop)
		return;
	begin_msg(p, &b, line, false);
	buf_puts(&b, prefix);
	put_quoted(&b, value);
	va_start(ap, fmt);
	buf_vprintf(&b, fmt, ap);
	va_end(ap);
	add_msg(p, false, line, &b);
}

/* ---- value syntaxes ------------------------------------------------ */

static bool is_space(int c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' ||
	       c == '\r';
}

static bool is_digit(int c)
{
	return c >= '0' && c <= '9';
}

static bool is_alnum(int c)
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

		if (!is_alnum(c) && c != '-' && c != '.' && c != '_')
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
			if (!is_alnum(*id) && !strchr("._:%-", *id))
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
		} else if (is_alnum(c) || c == '-') {
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

		while (is_space(*s))
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
		oom(p);
		return;
	}
	free(*field);
	*field = s;
}

/* Normalises the web part of a feed or API URL for duplicate checks:
 * scheme and host lowercased. */
static char *url_key(enum feed_kind kind, const char *url)
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

static void add_feed(struct parser *p, struct config_account *a, const char *v)
{
	struct config_feed *f;
	enum feed_kind kind;
	const char *url = v, *rest, *why, *q;

	if (a->n_feeds >= MAX_FEEDS) {
		error(p, p->line, "too many feeds for one account (limit %d)",
		      MAX_FEEDS);
		return;
	}
	if (strncmp(v, "mastodon:", 9) == 0) {
		kind = FEED_KIND_MASTODON;
		url = v + 9;
		why = check_url(url, http_schemes, 2, &rest);
		if (!why && (rest[0] != '/' || rest[1] != '@'))
			why = "the URL must name an account, as in "
			      "https://host/@user";
		if (!why) {
			for (q = rest + 2; is_alnum(*q) || *q == '_' ||
			                   *q == '.' || *q == '-';
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

			begin_msg(p, &b, p->line, false);
			buf_puts(&b, "bad Mastodon feed ");
			put_quoted(&b, v);
			buf_printf(
			    &b, ": %s",
			    *why ? why
			         : "expected mastodon:https://host/@user");
			add_msg(p, false, p->line, &b);
			return;
		}
	} else if (strncmp(v, "bluesky:", 8) == 0) {
		kind = FEED_KIND_BLUESKY;
		url = v + 8;
		if (!valid_bluesky_id(url)) {
			error_value(p, p->line, "bad Bluesky feed ", v,
			            ": expected bluesky:HANDLE (like "
			            "name.bsky.social) or bluesky:did:plc:...");
			return;
		}
	} else {
		kind = FEED_KIND_WEB;
		why = check_url(v, http_schemes, 2, &rest);
		if (why) {
			struct buf b = {0};

			begin_msg(p, &b, p->line, false);
			buf_puts(&b, "bad feed URL ");
			put_quoted(&b, v);
			if (*why)
				buf_printf(&b, ": %s", why);
			else
				buf_puts(&b,
				         ": expected an absolute http:// or "
				         "https:// URL, mastodon:URL or "
				         "bluesky:HANDLE");
			add_msg(p, false, p->line, &b);
			return;
		}
	}
	f = realloc(a->feeds, (a->n_feeds + 1) * sizeof(*f));
	if (!f) {
		oom(p);
		return;
	}
	a->feeds = f;
	f = &a->feeds[a->n_feeds];
	f->url = xstrdup(url);
	f->kind = kind;
	f->line = p->line;
	if (!f->url) {
		oom(p);
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

		while (n > 0 && is_space(*v)) {
			v++;
			n--;
		}
		addr = xstrndup(v, n);
		if (!addr) {
			oom(p);
			return;
		}
		while (*addr && is_space(addr[strlen(addr) - 1]))
			addr[strlen(addr) - 1] = '\0';
		if (!valid_email(addr)) {
			if (*addr)
				error_value(p, p->line, "bad mail address ",
				            addr, " in mail_to");
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
				oom(p);
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

/* Reads one value into the field the spec names; base is the struct
 * config or struct config_account the offset is relative to. */
static void set_value(struct parser *p, const struct key_spec *k, void *base,
                      const char *v)
{
	char *field = (char *)base + k->off;
	int64_t n;
	size_t sz;
	bool b;
	char norm[32];
	const char *rest, *why;

	switch (k->kind) {
	case K_PATH: {
		char *s;

		if (!printable_line(v)) {
			error(p, p->line,
			      "%s: the path contains control "
			      "characters",
			      k->name);
			return;
		}
		s = resolve_path(p, v);
		if (!s) {
			oom(p);
			return;
		}
		free(*(char **)field);
		*(char **)field = s;
		return;
	}
	case K_TEXT:
		if (!printable_line(v)) {
			error(p, p->line,
			      "%s: control characters are not "
			      "allowed",
			      k->name);
			return;
		}
		if (strlen(v) > 512) {
			error(p, p->line,
			      "%s: value too long (limit 512 "
			      "bytes)",
			      k->name);
			return;
		}
		set_string(p, (char **)field, v);
		return;
	case K_HTTP_URL:
	case K_SMTP_URL:
		why = check_url(
		    v, k->kind == K_SMTP_URL ? smtp_schemes : http_schemes, 2,
		    &rest);
		if (why) {
			struct buf bb = {0};

			begin_msg(p, &bb, p->line, false);
			buf_printf(&bb, "%s: bad URL ", k->name);
			put_quoted(&bb, v);
			buf_printf(&bb, ": %s",
			           *why ? why
			           : k->kind == K_SMTP_URL
			               ? "expected smtp://HOST[:PORT] or "
			                 "smtps://HOST[:PORT]"
			               : "expected an http:// or https:// URL");
			add_msg(p, false, p->line, &bb);
			return;
		}
		set_string(p, (char **)field, v);
		if (k->off == C(bluesky_api)) { /* the API path is appended */
			char *s = *(char **)field;
			size_t len = s ? strlen(s) : 0;

			while (len > 0 && s[len - 1] == '/')
				s[--len] = '\0';
		}
		return;
	case K_EMAIL:
		if (!valid_email(v)) {
			error_value(p, p->line, "bad mail address ", v,
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
		if (config_parse_duration(v, &n) < 0) {
			error_value(p, p->line, "bad duration ", v,
			            " for '%s': use a number with s, m, h or "
			            "d, like 90s, 15m, 1h30m or 7d",
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
			error(p, p->line, "%s must be between %llds and %llds",
			      k->name, (long long)k->min, (long long)k->max);
			return;
		}
		*(int64_t *)field = n;
		return;
	case K_SIZE:
		if (config_parse_size(v, &sz) < 0) {
			struct buf bb = {0};
			size_t digits = strspn(v, "0123456789");

			begin_msg(p, &bb, p->line, false);
			buf_puts(&bb, "bad size ");
			put_quoted(&bb, v);
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
			add_msg(p, false, p->line, &bb);
			return;
		}
		if ((int64_t)sz < k->min || (uint64_t)sz > (uint64_t)k->max) {
			error(p, p->line, "%s must be between 1KiB and 4GiB",
			      k->name);
			return;
		}
		*(size_t *)field = sz;
		return;
	case K_INT:
		rest = v;
		if (read_uint(&rest, &n) < 0 || *rest) {
			error_value(p, p->line, "bad number ", v,
			            ": expected digits only");
			return;
		}
		if (n < k->min || n > k->max) {
			error(p, p->line, "%s must be between %lld and %lld",
			      k->name, (long long)k->min, (long long)k->max);
			return;
		}
		*(int *)field = (int)n;
		return;
	case K_FRACTION: {
		char *end;
		double d;

		errno = 0;
		d = strtod(v, &end);
		if (end == v || *end || errno || !(d >= 0 && d <= 1)) {
			error_value(p, p->line, "bad fraction ", v,
			            ": expected a number from 0 to 1");
			return;
		}
		/* field points into struct config: copied, not cast, as
		 * it is a char pointer. */
		memcpy(field, &d, sizeof(d));
		return;
	}
	case K_BOOL:
		if (parse_bool(v, &b) < 0) {
			error_value(p, p->line, "bad boolean ", v,
			            ": use yes/no, true/false, on/off or 1/0");
			return;
		}
		*(bool *)field = b;
		return;
	case K_SCHEDULE:
		if (parse_schedule(v, norm, sizeof(norm)) < 0) {
			error_value(p, p->line, "bad schedule ", v,
			            ": use 'daily HH:MM', 'weekly mon HH:MM' "
			            "or 'off'");
			return;
		}
		set_string(p, (char **)field, norm);
		return;
	case K_FORMAT:
		if (strcmp(v, "markdown") == 0)
			v = "md";
		if (strcmp(v, "text") != 0 && strcmp(v, "md") != 0 &&
		    strcmp(v, "json") != 0 && strcmp(v, "html") != 0) {
			error_value(p, p->line, "bad report format ", v,
			            ": use text, md, json or html");
			return;
		}
		set_string(p, (char **)field, v);
		return;
	case K_ROLE:
		if (config_role_from_name(v, (enum account_role *)field) < 0)
			error_value(p, p->line, "unknown role ", v,
			            ": use diplomat, spokesperson, mission, "
			            "ministry, state_media or other");
		return;
	case K_DATE:
		if (date_parse_strict(v, (int64_t *)field) < 0)
			error_value(p, p->line, "bad date ", v,
			            " for 'created': use YYYY-MM-DD or RFC "
			            "3339 (2019-10-01T08:00:00Z)");
		return;
	case K_FEED:
		add_feed(p, base, v);
		return;
	}
}

/* ---- sections and keys ---------------------------------------------- */

static size_t edit_distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b), i, j;
	size_t row[65];

	if (la > 64 || lb > 64)
		return SIZE_MAX;
	for (j = 0; j <= lb; j++)
		row[j] = j;
	for (i = 1; i <= la; i++) {
		size_t diag = row[0];

		row[0] = i;
		for (j = 1; j <= lb; j++) {
			size_t up = row[j];
			size_t cost = tolower((unsigned char)a[i - 1]) ==
			                      tolower((unsigned char)b[j - 1])
			                  ? 0
			                  : 1;
			size_t best = diag + cost;

			if (up + 1 < best)
				best = up + 1;
			if (row[j - 1] + 1 < best)
				best = row[j - 1] + 1;
			row[j] = best;
			diag = up;
		}
	}
	return row[lb];
}

/* The closest of names[] to s when it is close enough to be a typo. */
static const char *nearest(const char *s, const char *const *names, size_t n)
{
	const char *best = NULL;
	size_t best_d = SIZE_MAX, i;

	for (i = 0; i < n; i++) {
		size_t d = edit_distance(s, names[i]);
		size_t limit = strlen(names[i]) <= 4 ? 1 : 2;

		if (d <= limit && d < best_d) {
			best = names[i];
			best_d = d;
		}
	}
	return best;
}

static const char *section_name(enum section sec)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(sections); i++)
		if (sections[i].sec == sec)
			return sections[i].name;
	return "?";
}

static void unknown_key(struct parser *p, const char *name)
{
	const char *names[N_KEYS], *near;
	size_t i, n = 0;
	struct buf b = {0};

	for (i = 0; i < N_KEYS; i++)
		if (keys[i].sec == p->sec)
			names[n++] = keys[i].name;
	near = nearest(name, names, n);
	begin_msg(p, &b, p->line, false);
	buf_puts(&b, "unknown key ");
	put_quoted(&b, name);
	buf_printf(&b, " in [%s]", section_name(p->sec));
	if (near) {
		buf_printf(&b, "; did you mean '%s'?", near);
	} else {
		for (i = 0; i < N_KEYS; i++) {
			if (strcmp(keys[i].name, name) == 0) {
				buf_printf(&b, "; '%s' belongs in [%s]", name,
				           section_name(keys[i].sec));
				break;
			}
		}
	}
	add_msg(p, false, p->line, &b);
}

static struct config_account *current_account(struct parser *p)
{
	return &p->cfg->accounts[p->cfg->n_accounts - 1];
}

static void expected_pair(struct parser *p)
{
	if (p->indented)
		error(p, p->line,
		      "expected 'key = value' (values cannot "
		      "continue on a following line; repeat the "
		      "key instead)");
	else
		error(p, p->line, "expected 'key = value'");
}

/* Where inih split the current line: the first '=' or ':' before any
 * comment; inih accepts "key: value" too, but this file format does not,
 * or an indented URL would read as the key "https". */
static const char *raw_separator_at(const struct parser *p)
{
	const char *q = p->raw, *end;
	bool was_space = false;

	if (!q)
		return NULL;
	end = q + p->raw_len;
	for (; q < end; q++) {
		if (*q == '=' || *q == ':')
			return q;
		if (was_space && (*q == ';' || *q == '#'))
			return NULL;
		was_space = is_space(*q);
	}
	return NULL;
}

static char raw_separator(const struct parser *p)
{
	const char *q = raw_separator_at(p);

	return q ? *q : '\0';
}

/* Takes a "quoted value" from the raw line into a *new* string. */
static int unquote(struct parser *p, const char *name, char **out)
{
	const char *end = p->raw + p->raw_len, *q, *open, *close;

	open = raw_separator_at(p) + 1;
	while (open < end && is_space(*open))
		open++;
	if (open >= end || *open != '"') { /* cannot happen: inih saw one */
		error(p, p->line, "%s: unterminated quote", name);
		return -EINVAL;
	}
	close = memchr(open + 1, '"', (size_t)(end - open - 1));
	if (!close) {
		error(p, p->line, "%s: unterminated quote", name);
		return -EINVAL;
	}
	for (q = close + 1; q < end && is_space(*q); q++)
		;
	if (q < end && ((*q != '#' && *q != ';') || q == close + 1)) {
		error(p, p->line, "%s: unexpected text after the closing quote",
		      name);
		return -EINVAL;
	}
	*out = xstrndup(open + 1, (size_t)(close - open - 1));
	if (!*out) {
		oom(p);
		return -ENOMEM;
	}
	return 0;
}

static int handler(void *user, const char *section, const char *name,
                   const char *value)
{
	struct parser *p = user;
	const struct key_spec *k = NULL;
	int *seen;
	void *base;
	char *unq = NULL;
	size_t i;
	int rc;

	(void)section; /* the reader tracks sections; inih truncates names */
	p->handled = true;
	if (p->stop)
		return 1;
	if (raw_separator(p) != '=') {
		expected_pair(p);
		return 1;
	}
	if (!*name) {
		error(p, p->line, "missing key name before '='");
		return 1;
	}
	if (p->sec == SEC_NONE) {
		error_value(p, p->line, "key ", name,
		            " comes before any [section]");
		return 1;
	}
	if (p->sec == SEC_IGNORED)
		return 1;
	for (i = 0; i < N_KEYS; i++) {
		if (keys[i].sec == p->sec && strcmp(keys[i].name, name) == 0) {
			k = &keys[i];
			break;
		}
	}
	if (!k) {
		unknown_key(p, name);
		return 1;
	}
	/* inih has already cut the value at a " #" or " ;"; a quoted value
	 * is taken from the raw line instead, so it may hold those. */
	if (value[0] == '"') {
		rc = unquote(p, name, &unq);
		if (rc < 0)
			return 1;
		value = unq;
	}
	if (!*value) {
		error(p, p->line, "%s: missing value", name);
		goto out;
	}
	if (p->sec == SEC_ACCOUNT) {
		base = current_account(p);
		seen = p->info[p->cfg->n_accounts - 1].seen;
	} else {
		base = p->cfg;
		seen = p->seen;
	}
	if (seen[i] && k->kind != K_FEED && k->kind != K_EMAIL_LIST) {
		error(p, p->line, "'%s' is already set on line %d", name,
		      seen[i]);
		goto out;
	}
	seen[i] = p->line;
	set_value(p, k, base, value);
	if (k->kind == K_PATH && k->off == C(rules_dir))
		p->cfg->rules_line = p->line;
	if (k->kind == K_PATH && k->off == C(model_path))
		p->cfg->model_line = p->line;
out:
	free(unq);
	return 1;
}

/* Parses the inside of an [account "key"] header (after "account"). */
static void begin_account(struct parser *p, const char *s, size_t n)
{
	struct config_account *a;
	const char *q;
	size_t klen, i;

	while (n > 0 && is_space(*s)) {
		s++;
		n--;
	}
	if (n == 0) {
		error(p, p->line,
		      "[account] needs a key: [account \"handle\"]");
		return;
	}
	if (*s != '"') {
		error(p, p->line,
		      "the account key must be quoted: "
		      "[account \"handle\"]");
		return;
	}
	q = memchr(s + 1, '"', n - 1);
	if (!q) {
		error(p, p->line, "unterminated quote in [account \"...\"]");
		return;
	}
	klen = (size_t)(q - s - 1);
	for (i = (size_t)(q - s) + 1; i < n; i++) {
		if (!is_space(s[i])) {
			error(p, p->line,
			      "unexpected text after the account "
			      "key's closing quote");
			return;
		}
	}
	if (klen == 0) {
		error(p, p->line, "empty account key");
		return;
	}
	for (i = 0; i < klen; i++) {
		unsigned char c = (unsigned char)s[1 + i];

		if (c <= 0x20 || c == 0x7f || c == '\\' || c == '/')
			break;
	}
	if (i < klen || klen > MAX_KEY_LEN) {
		error(p, p->line,
		      "bad account key: use at most %d characters "
		      "without spaces, '/' or '\\'",
		      MAX_KEY_LEN);
		return;
	}
	if (p->cfg->n_accounts >= MAX_ACCOUNTS) {
		error(p, p->line, "too many accounts (limit %d)", MAX_ACCOUNTS);
		p->stop = true;
		return;
	}
	if (p->cfg->n_accounts == p->cap_accounts) {
		size_t cap = p->cap_accounts ? p->cap_accounts * 2 : 8;
		struct config_account *grown;
		struct account_info *ginfo;

		grown = realloc(p->cfg->accounts, cap * sizeof(*grown));
		if (!grown) {
			oom(p);
			return;
		}
		p->cfg->accounts = grown;
		ginfo = realloc(p->info, cap * sizeof(*ginfo));
		if (!ginfo) {
			oom(p);
			return;
		}
		p->info = ginfo;
		p->cap_accounts = cap;
	}
	a = &p->cfg->accounts[p->cfg->n_accounts];
	memset(a, 0, sizeof(*a));
	memset(&p->info[p->cfg->n_accounts], 0, sizeof(p->info[0]));
	a->key = xstrndup(s + 1, klen);
	if (!a->key) {
		oom(p);
		return;
	}
	a->role = ROLE_OTHER;
	a->created = TIME_UNKNOWN;
	a->interval = -1; /* the [poll] interval, filled in at the end */
	a->line = p->line;
	p->cfg->n_accounts++;
	p->sec = SEC_ACCOUNT;
}

/* Handles a header line "[...]" (start points at '['). */
static void begin_section(struct parser *p, const char *start)
{
	const char *q = start + 1, *close = NULL, *name, *end;
	const char *names[ARRAY_SIZE(sections)], *near;
	bool was_space = false;
	size_t i, wlen;

	p->sec = SEC_IGNORED;
	p->sec_line = p->line;
	/* The same rule inih applies: ']' ends the name, a ';' or '#'
	 * after whitespace starts a comment. */
	for (; *q; q++) {
		if (*q == ']') {
			close = q;
			break;
		}
		if (was_space && (*q == ';' || *q == '#'))
			break;
		was_space = is_space(*q);
	}
	if (!close) {
		error(p, p->line, "section header without a closing ']'");
		return;
	}
	for (q = close + 1; is_space(*q); q++)
		;
	if (*q && *q != ';' && *q != '#') {
		error(p, p->line, "unexpected text after ']'");
		return;
	}
	name = start + 1;
	end = close;
	while (name < end && is_space(*name))
		name++;
	while (end > name && is_space(end[-1]))
		end--;
	wlen = strcspn(name, " \t\"]");
	if (name + wlen > end)
		wlen = (size_t)(end - name);
	for (i = 0; i < ARRAY_SIZE(sections); i++) {
		if (strlen(sections[i].name) == wlen &&
		    strncmp(sections[i].name, name, wlen) == 0)
			break;
	}
	if (i == ARRAY_SIZE(sections)) {
		struct buf b = {0};
		char *word = xstrndup(name, wlen);

		if (!word) {
			oom(p);
			return;
		}
		for (i = 0; i < ARRAY_SIZE(sections); i++)
			names[i] = sections[i].name;
		near = nearest(word, names, ARRAY_SIZE(sections));
		begin_msg(p, &b, p->line, false);
		buf_puts(&b, "unknown section ");
		put_quoted(&b, word);
		if (near)
			buf_printf(&b, "; did you mean [%s]?", near);
		else
			buf_puts(&b, "; known sections are [storage], [poll], "
			             "[classifier], [report], [demo] and "
			             "[account \"handle\"]");
		add_msg(p, false, p->line, &b);
		free(word);
		return;
	}
	if (sections[i].sec == SEC_ACCOUNT) {
		begin_account(p, name + wlen, (size_t)(end - name) - wlen);
		return;
	}
	if (name + wlen != end) {
		error(p, p->line, "[%s] takes no key", sections[i].name);
		return;
	}
	p->sec = sections[i].sec;
	if (p->sec == SEC_STORAGE && !p->storage_line)
		p->storage_line = p->line;
}

/* Called before each new line: a key line that never reached the
 * handler was rejected by inih. */
static void finish_line(struct parser *p)
{
	if (p->pair_line && !p->handled)
		expected_pair(p);
	p->pair_line = false;
	p->handled = false;
}

static void classify_line(struct parser *p, const char *line)
{
	const char *s = line;

	if (p->line == 1 && strncmp(s, "\xef\xbb\xbf", 3) == 0)
		s += 3;
	while (is_space(*s))
		s++;
	if (!*s || *s == ';' || *s == '#')
		return;
	if (*s == '[') {
		begin_section(p, s);
		return;
	}
	p->pair_line = true;
}

/* The ini_reader: hands inih one line of the text at a time. */
static char *reader(char *str, int num, void *stream)
{
	struct parser *p = stream;
	const char *s, *nl;
	size_t rest, len, adv;

	finish_line(p);
	if (p->stop || p->pos >= p->len)
		return NULL;
	s = p->text + p->pos;
	rest = p->len - p->pos;
	nl = memchr(s, '\n', rest);
	len = nl ? (size_t)(nl - s) : rest;
	adv = nl ? len + 1 : len;
	p->pos += adv;
	p->line++;
	if (len > 0 && s[len - 1] == '\r')
		len--;
	p->raw = s;
	if (memchr(s, '\0', len)) {
		error(p, p->line, "NUL byte in the line");
		len = 0;
		p->raw = NULL;
	} else if (len + 2 > (size_t)num) {
		error(p, p->line, "line too long (limit %d bytes)", num - 3);
		len = 0;
		p->raw = NULL;
	}
	p->raw_len = len;
	p->indented = len > 0 && is_space(s[0]);
	memcpy(str, s, len);
	str[len] = '\n';
	str[len + 1] = '\0';
	classify_line(p, str);
	return str;
}

/* ---- after the last line --------------------------------------------- */

struct feed_ref {
	char *key;   /* normalised URL */
	size_t acct; /* account index */
	int line;    /* line of the feed key */
};

static int cmp_feed_ref(const void *a, const void *b)
{
	const struct feed_ref *x = a, *y = b;
	int c = strcmp(x->key, y->key);

	return c ? c : (x->line > y->line) - (x->line < y->line);
}

struct acct_ref {
	const char *key; /* account key */
	int line;        /* its header line */
};

static int cmp_acct_ref(const void *a, const void *b)
{
	const struct acct_ref *x = a, *y = b;
	int c = strcasecmp(x->key, y->key);

	return c ? c : (x->line > y->line) - (x->line < y->line);
}

static void check_duplicates(struct parser *p)
{
	struct config *cfg = p->cfg;
	struct acct_ref *ar;
	struct feed_ref *fr;
	size_t i, j, n = 0;

	if (cfg->n_accounts == 0)
		return;
	ar = calloc(cfg->n_accounts, sizeof(*ar));
	if (!ar) {
		oom(p);
		return;
	}
	for (i = 0; i < cfg->n_accounts; i++) {
		ar[i].key = cfg->accounts[i].key;
		ar[i].line = cfg->accounts[i].line;
		n += cfg->accounts[i].n_feeds;
	}
	qsort(ar, cfg->n_accounts, sizeof(*ar), cmp_acct_ref);
	for (i = 1; i < cfg->n_accounts; i++) {
		if (strcasecmp(ar[i].key, ar[i - 1].key) != 0)
			continue;
		for (j = i; j > 0 && strcasecmp(ar[j - 1].key, ar[i].key) == 0;)
			j--;
		error_value(p, ar[i].line, "duplicate account ", ar[i].key,
		            ": also defined on line %d", ar[j].line);
	}
	free(ar);
	if (n == 0)
		return;
	fr = calloc(n, sizeof(*fr));
	if (!fr) {
		oom(p);
		return;
	}
	n = 0;
	for (i = 0; i < cfg->n_accounts; i++) {
		for (j = 0; j < cfg->accounts[i].n_feeds; j++) {
			struct config_feed *f = &cfg->accounts[i].feeds[j];

			fr[n].key = url_key(f->kind, f->url);
			fr[n].acct = i;
			fr[n].line = f->line;
			if (!fr[n].key) {
				oom(p);
				goto out;
			}
			n++;
		}
	}
	qsort(fr, n, sizeof(*fr), cmp_feed_ref);
	for (i = 1, j = 0; i < n; i++) {
		if (strcmp(fr[i].key, fr[j].key) != 0) {
			j = i;
			continue;
		}
		if (fr[i].acct == fr[j].acct) {
			error_value(p, fr[i].line, "feed ", fr[i].key,
			            " is listed twice for this account (also "
			            "line %d)",
			            fr[j].line);
		} else {
			struct buf b = {0};

			if (p->stop)
				break;
			begin_msg(p, &b, fr[i].line, false);
			buf_puts(&b, "duplicate feed ");
			put_quoted(&b, fr[i].key);
			buf_puts(&b, ": already the feed of account ");
			put_quoted(&b, cfg->accounts[fr[j].acct].key);
			buf_printf(&b, " on line %d", fr[j].line);
			add_msg(p, false, fr[i].line, &b);
		}
	}
out:
	for (i = 0; i < n; i++)
		free(fr[i].key);
	free(fr);
}

static int key_index(enum section sec, const char *name)
{
	size_t i;

	for (i = 0; i < N_KEYS; i++)
		if (keys[i].sec == sec && strcmp(keys[i].name, name) == 0)
			return (int)i;
	return 0;
}

#define SEEN(sec, name) p->seen[key_index(sec, name)]

static void check_whole(struct parser *p)
{
	struct config *cfg = p->cfg;
	struct config_report *r = &cfg->report;
	int line, ai = key_index(SEC_ACCOUNT, "interval");
	size_t i;

	if (!cfg->database && p->storage_line)
		error(p, p->storage_line, "[storage] needs 'database = PATH'");
	else if (!cfg->database)
		error(p, 1,
		      "no [storage] section: 'database = PATH' is "
		      "required");
	if (cfg->per_host > cfg->concurrency) {
		line = SEEN(SEC_POLL, "per_host")
		           ? SEEN(SEC_POLL, "per_host")
		           : SEEN(SEC_POLL, "concurrency");
		error(p, line, "per_host (%d) cannot exceed concurrency (%d)",
		      cfg->per_host, cfg->concurrency);
	}
	/* The default connect timeout follows a shorter overall timeout; only
	 * an explicit one that cannot be honoured is an error. */
	if (cfg->connect_timeout > cfg->timeout &&
	    !SEEN(SEC_POLL, "connect_timeout"))
		cfg->connect_timeout = cfg->timeout;
	if (cfg->connect_timeout > cfg->timeout) {
		line = SEEN(SEC_POLL, "connect_timeout")
		           ? SEEN(SEC_POLL, "connect_timeout")
		           : SEEN(SEC_POLL, "timeout");
		error(p, line,
		      "connect_timeout (%llds) cannot exceed timeout "
		      "(%llds)",
		      (long long)cfg->connect_timeout, (long long)cfg->timeout);
	}
	if (cfg->interval < 60)
		warning(p, SEEN(SEC_POLL, "interval"),
		        "a poll interval under a minute (%llds) is hard on "
		        "the servers polled",
		        (long long)cfg->interval);
	if (r->smtp_url && (!r->mail_from || r->n_mail_to == 0))
		error(p, SEEN(SEC_REPORT, "smtp_url"),
		      "mail needs mail_from and mail_to as well as smtp_url");
	if (!r->smtp_url && (r->n_mail_to > 0 || r->mail_from))
		error(p,
		      r->n_mail_to ? SEEN(SEC_REPORT, "mail_to")
		                   : SEEN(SEC_REPORT, "mail_from"),
		      "mail addresses given but no smtp_url to send through");
	if (r->timezone) {
		const char *z = r->timezone;
		bool ok = *z && *z != '/' && !strstr(z, "..");

		for (; *z && ok; z++)
			ok = is_alnum((unsigned char)*z) || strchr("/_+-", *z);
		r->timezone_line = SEEN(SEC_REPORT, "timezone");
		if (!ok)
			error(p, r->timezone_line,
			      "bad timezone: use a tz database name such as "
			      "Europe/Berlin or UTC");
	}
	if (strcmp(r->schedule, "off") != 0 && !r->output_dir && !r->smtp_url &&
	    !r->webhook)
		warning(p, SEEN(SEC_REPORT, "schedule"),
		        "reports are scheduled but no output_dir, smtp_url "
		        "or webhook is set to deliver them");
	for (i = 0; i < cfg->n_accounts; i++) {
		struct config_account *a = &cfg->accounts[i];

		if (a->n_feeds == 0 &&
		    !p->info[i].seen[key_index(SEC_ACCOUNT, "feed")])
			error_value(p, a->line, "account ", a->key,
			            " has no feed: add feed = URL");
		if (a->interval < 0) {
			a->interval = cfg->interval;
		} else if (a->interval < 60) {
			warning(p, p->info[i].seen[ai],
			        "a poll interval under a minute (%llds) is "
			        "hard on the servers polled",
			        (long long)a->interval);
		}
	}
	check_duplicates(p);
}

/* ---- the entry points ------------------------------------------------- */

static struct config *config_new(const char *path)
{
	struct config *cfg = calloc(1, sizeof(*cfg));

	if (!cfg)
		return NULL;
	cfg->path = xstrdup(path);
	cfg->interval = 15 * 60;
	cfg->timeout = 30;
	cfg->connect_timeout = 10;
	cfg->concurrency = 32;
	cfg->per_host = 4;
	cfg->max_body = 8 * 1024 * 1024;
	cfg->user_agent = xstrdup(DEFAULT_USER_AGENT);
	cfg->allow_private = false;
	cfg->bluesky_api = xstrdup(DEFAULT_BLUESKY_API);
	cfg->stop_timeout = 10;
	cfg->report.schedule = xstrdup("off");
	cfg->report.format = xstrdup("text");
	cfg->report.since = xstrdup("24h");
	cfg->report.smtp_starttls = true;
	cfg->report.retries = 5;
	cfg->report.retry_delay = 60;
	cfg->demo_port = 8765;
	cfg->model_weight = 0.5;
	if (!cfg->path || !cfg->user_agent || !cfg->bluesky_api ||
	    !cfg->report.schedule || !cfg->report.format ||
	    !cfg->report.since) {
		config_free(cfg);
		return NULL;
	}
	return cfg;
}

void config_free(struct config *cfg)
{
	size_t i, j;

	if (!cfg)
		return;
	for (i = 0; i < cfg->n_accounts; i++) {
		struct config_account *a = &cfg->accounts[i];

		for (j = 0; j < a->n_feeds; j++)
			free(a->feeds[j].url);
		free(a->feeds);
		free(a->key);
		free(a->name);
		free(a->country);
	}
	free(cfg->accounts);
	for (i = 0; i < cfg->report.n_mail_to; i++)
		free(cfg->report.mail_to[i]);
	free(cfg->report.mail_to);
	free(cfg->report.schedule);
	free(cfg->report.format);
	free(cfg->report.output_dir);
	free(cfg->report.smtp_url);
	free(cfg->report.smtp_user);
	free(cfg->report.smtp_password_file);
	free(cfg->report.smtp_ca_file);
	free(cfg->report.mail_from);
	free(cfg->report.webhook);
	free(cfg->report.since);
	free(cfg->report.timezone);
	free(cfg->report.subject);
	free(cfg->path);
	free(cfg->database);
	free(cfg->user_agent);
	free(cfg->bluesky_api);
	free(cfg->rules_dir);
	free(cfg->model_path);
	free(cfg->demo_feeds_dir);
	free(cfg);
}

void config_errors_clear(struct config_errors *errs)
{
	size_t i;

	if (!errs)
		return;
	for (i = 0; i < errs->n; i++)
		free(errs->msgs[i]);
	for (i = 0; i < errs->n_warnings; i++)
		free(errs->warnings[i]);
	free(errs->msgs);
	free(errs->warnings);
	memset(errs, 0, sizeof(*errs));
}

static int cmp_msg(const void *a, const void *b)
{
	const struct msg *x = a, *y = b;

	if (x->line != y->line)
		return (x->line > y->line) - (x->line < y->line);
	return (x->seq > y->seq) - (x->seq < y->seq);
}

/* Moves the collected messages, in line order, into errs. */
static int hand_over(struct parser *p, struct config_errors *errs)
{
	size_t i, ne = 0, nw = 0;
	char **e, **w;

	if (p->n_msgs == 0)
		return 0;
	qsort(p->msgs, p->n_msgs, sizeof(*p->msgs), cmp_msg);
	for (i = 0; i < p->n_msgs; i++)
		*(p->msgs[i].warning ? &nw : &ne) += 1;
	e = realloc(errs->msgs, (errs->n + ne + 1) * sizeof(*e));
	if (!e)
		return -ENOMEM;
	errs->msgs = e;
	w = realloc(errs->warnings, (errs->n_warnings + nw + 1) * sizeof(*w));
	if (!w)
		return -ENOMEM;
	errs->warnings = w;
	for (i = 0; i < p->n_msgs; i++) {
		if (p->msgs[i].warning)
			errs->warnings[errs->n_warnings++] = p->msgs[i].text;
		else
			errs->msgs[errs->n++] = p->msgs[i].text;
		p->msgs[i].text = NULL;
	}
	return 0;
}

/* libinih's process-wide options, saved around a parse. */
struct inih_options {
	bool multiline, inline_comments, bom, stop, no_value;
	char *inline_prefixes, *start_prefixes;
	int max_line;
};

static void inih_save_and_set(struct inih_options *o)
{
	static char prefixes[] = ";#";

	o->multiline = ini_allow_multiline;
	o->inline_comments = ini_allow_inline_comments;
	o->bom = ini_allow_bom;
	o->stop = ini_stop_on_first_error;
	o->no_value = ini_allow_no_value;
	o->inline_prefixes = ini_inline_comment_prefixes;
	o->start_prefixes = ini_start_comment_prefixes;
	o->max_line = ini_max_line;
	ini_allow_multiline = false;
	ini_allow_inline_comments = true;
	ini_allow_bom = true;
	ini_stop_on_first_error = false;
	ini_allow_no_value = false;
	ini_inline_comment_prefixes = prefixes;
	ini_start_comment_prefixes = prefixes;
	ini_max_line = MAX_LINE + 3; /* '\r', '\n' and NUL */
}

static void inih_restore(const struct inih_options *o)
{
	ini_allow_multiline = o->multiline;
	ini_allow_inline_comments = o->inline_comments;
	ini_allow_bom = o->bom;
	ini_stop_on_first_error = o->stop;
	ini_allow_no_value = o->no_value;
	ini_inline_comment_prefixes = o->inline_prefixes;
	ini_start_comment_prefixes = o->start_prefixes;
	ini_max_line = o->max_line;
}

/* config_parse(), but with keep the config is returned even when it has
 * errors, so config_load() can add its own checks to the list. */
static int parse_text(const char *text, size_t len, const char *path,
                      struct config **out, struct config_errors *errs,
                      bool keep)
{
	struct parser p = {0};
	struct config_errors scratch = {0};
	struct inih_options saved;
	const char *slash;
	size_t i;
	int rc;

	*out = NULL;
	if (!errs)
		errs = &scratch;
	if (!path)
		path = "<config>";
	p.path = path;
	slash = strrchr(path, '/');
	p.dir = slash
	            ? xstrndup(path, slash == path ? 1 : (size_t)(slash - path))
	            : xstrdup("");
	p.cfg = config_new(path);
	if (!p.dir || !p.cfg) {
		rc = -ENOMEM;
		goto out_free;
	}
	p.text = text ? text : "";
	p.len = text ? len : 0;
	inih_save_and_set(&saved);
	ini_parse_stream(reader, &p, handler, &p);
	inih_restore(&saved);
	finish_line(&p);
	if (p.n_errors >= MAX_ERRORS && p.rc == 0) {
		p.stop = false; /* let this last message through */
		error(&p, p.line, "too many errors; stopped reading here");
		p.stop = true;
	}
	if (!p.stop)
		check_whole(&p);
	if (p.rc < 0) {
		rc = p.rc;
		goto out_free;
	}
	rc = hand_over(&p, errs);
	if (rc < 0)
		goto out_free;
	rc = p.n_errors > 0 ? -EINVAL : 0;
	if (rc == 0 || keep) {
		*out = p.cfg;
		p.cfg = NULL;
	}
out_free:
	for (i = 0; i < p.n_msgs; i++)
		free(p.msgs[i].text);
	free(p.msgs);
	free(p.info);
	free(p.dir);
	config_free(p.cfg);
	config_errors_clear(&scratch);
	return rc;
}

int config_parse(const char *text, size_t len, const char *path,
                 struct config **out, struct config_errors *errs)
{
	return parse_text(text, len, path, out, errs, false);
}

/* Prefixes cwd to a relative path, in place. */
static int absolutize(char **field, const char *cwd)
{
	struct buf b = {0};

	if (!*field || (*field)[0] == '/')
		return 0;
	if (buf_printf(&b, "%s/%s", cwd, *field) < 0) {
		buf_free(&b);
		return -ENOMEM;
	}
	free(*field);
	*field = buf_steal(&b);
	return *field ? 0 : -ENOMEM;
}

/* Adds msg (a *new* string about line) to errs, keeping line order. */
static int insert_error(struct config_errors *errs, const char *path, int line,
                        char *msg)
{
	size_t plen = strlen(path), at;
	char **m;

	m = realloc(errs->msgs, (errs->n + 1) * sizeof(*m));
	if (!m) {
		free(msg);
		return -ENOMEM;
	}
	errs->msgs = m;
	for (at = errs->n; at > 0; at--) {
		const char *prev = errs->msgs[at - 1];

		if (strncmp(prev, path, plen) == 0 && prev[plen] == ':' &&
		    atoi(prev + plen + 1) <= line)
			break;
	}
	memmove(&errs->msgs[at + 1], &errs->msgs[at],
	        (errs->n - at) * sizeof(*m));
	errs->msgs[at] = msg;
	errs->n++;
	return 0;
}

static int load_error(struct config_errors *errs, const char *path, int err,
                      const char *what)
{
	struct buf b = {0};

	if (!errs)
		return err;
	buf_printf(&b, "%s: %s: %s", path, what, strerror(-err));
	if (!b.data || insert_error(errs, path, 0, buf_steal(&b)) < 0)
		return -ENOMEM;
	return err;
}

/* The rules folder must be a directory we can list and read. */
static int check_rules_dir(const struct config *cfg, const char *path,
                           struct config_errors *errs)
{
	const char *why = NULL;
	struct stat st;
	struct buf b = {0};
	int err = 0;

	if (!cfg->rules_dir)
		return 0;
	if (stat(cfg->rules_dir, &st) < 0)
		err = errno;
	else if (!S_ISDIR(st.st_mode))
		why = "not a directory";
	else if (access(cfg->rules_dir, R_OK | X_OK) < 0)
		err = errno;
	if (!err && !why)
		return 0;
	if (!errs)
		return -EINVAL;
	buf_printf(&b, "%s:%d: rules folder %s: %s", path, cfg->rules_line,
	           cfg->rules_dir, why ? why : strerror(err));
	if (!b.data ||
	    insert_error(errs, path, cfg->rules_line, buf_steal(&b)) < 0)
		return -ENOMEM;
	return -EINVAL;
}

/* A configured model must be a regular file we can read; whether it
 * parses is for the classifier to say when it loads it. */
static int check_model_file(const struct config *cfg, const char *path,
                            struct config_errors *errs)
{
	const char *why = NULL;
	struct stat st;
	struct buf b = {0};
	int err = 0;

	if (!cfg->model_path)
		return 0;
	if (stat(cfg->model_path, &st) < 0)
		err = errno;
	else if (!S_ISREG(st.st_mode))
		why = "not a regular file";
	else if (access(cfg->model_path, R_OK) < 0)
		err = errno;
	if (!err && !why)
		return 0;
	if (!errs)
		return -EINVAL;
	buf_printf(&b, "%s:%d: model file %s: %s", path, cfg->model_line,
	           cfg->model_path, why ? why : strerror(err));
	if (!b.data ||
	    insert_error(errs, path, cfg->model_line, buf_steal(&b)) < 0)
		return -ENOMEM;
	return -EINVAL;
}

/* The zone must exist in the tz database the service will read. */
static int check_timezone(const struct config *cfg, const char *path,
                          struct config_errors *errs)
{
	const char *z = cfg->report.timezone;
	struct buf b = {0};
	char zpath[PATH_MAX];

	if (!z || strcmp(z, "UTC") == 0)
		return 0;
	snprintf(zpath, sizeof(zpath), "/usr/share/zoneinfo/%s", z);
	if (access(zpath, R_OK) == 0)
		return 0;
	if (!errs)
		return -EINVAL;
	buf_printf(&b,
	           "%s:%d: unknown timezone %s (not in "
	           "/usr/share/zoneinfo)",
	           path, cfg->report.timezone_line, z);
	if (!b.data || insert_error(errs, path, cfg->report.timezone_line,
	                            buf_steal(&b)) < 0)
		return -ENOMEM;
	return -EINVAL;
}

int config_load(const char *path, struct config **out,
                struct config_errors *errs)
{
	struct config *cfg = NULL;
	char *text = NULL, cwd[PATH_MAX];
	size_t len = 0;
	int rc, rc2;

	*out = NULL;
	rc = util_read_file(path, MAX_FILE, &text, &len);
	if (rc < 0)
		return load_error(errs, path, rc,
		                  rc == -EFBIG ? "cannot read (over 1 MiB)"
		                               : "cannot read");
	rc = parse_text(text, len, path, &cfg, errs, true);
	free(text);
	if (!cfg)
		return rc;
	if (path[0] != '/') {
		if (!getcwd(cwd, sizeof(cwd))) {
			rc = load_error(errs, path, -errno,
			                "cannot resolve relative paths");
			goto out_free;
		}
		if (absolutize(&cfg->path, cwd) < 0 ||
		    (!strstr(cfg->database ? cfg->database : "", "://") &&
		     absolutize(&cfg->database, cwd) < 0) ||
		    absolutize(&cfg->rules_dir, cwd) < 0 ||
		    absolutize(&cfg->model_path, cwd) < 0 ||
		    absolutize(&cfg->report.output_dir, cwd) < 0 ||
		    absolutize(&cfg->report.smtp_password_file, cwd) < 0 ||
		    absolutize(&cfg->report.smtp_ca_file, cwd) < 0 ||
		    absolutize(&cfg->demo_feeds_dir, cwd) < 0) {
			rc = -ENOMEM;
			goto out_free;
		}
	}
	/* Checked even when the text had errors: every problem at once. */
	rc2 = check_rules_dir(cfg, path, errs);
	if (rc == 0)
		rc = rc2;
	rc2 = check_model_file(cfg, path, errs);
	if (rc == 0)
		rc = rc2;
	rc2 = check_timezone(cfg, path, errs);
	if (rc == 0)
		rc = rc2;
	if (rc < 0)
		goto out_free;
	*out = cfg;
	return 0;
out_free:
	config_free(cfg);
	return rc;
}
