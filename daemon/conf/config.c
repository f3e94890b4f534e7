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

#include "config_int.h"
#include "date.h"
#include "util.h"

#ifndef DEMARCHE_VERSION
#define DEMARCHE_VERSION "0"
#endif

#define DEFAULT_USER_AGENT \
	"demarche/" DEMARCHE_VERSION " (+https://github.com/demarche)"
#define DEFAULT_BLUESKY_API "https://public.api.bsky.app"
#define DEFAULT_TELEGRAM    "https://t.me"
#define DEFAULT_YOUTUBE     "https://www.youtube.com"

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
    {"narrative", SEC_NARRATIVE},
};

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
    {SEC_POLL, "telegram_base", K_HTTP_URL, C(telegram_base), 0, 0},
    {SEC_POLL, "telegram_delay", K_DURATION, C(telegram_delay), 0, 3600},
    {SEC_POLL, "youtube_base", K_HTTP_URL, C(youtube_base), 0, 0},
    {SEC_POLL, "backfill", K_INT, C(backfill), 1, 10000},
    {SEC_POLL, "stop_timeout", K_DURATION, C(stop_timeout), 1, 3600},
    {SEC_POLL, "amplification", K_BOOL, C(amplification), 0, 0},
    {SEC_POLL, "amplification_window", K_DURATION, C(amplification_window), 1,
     3650 * DAY},
    {SEC_POLL, "amplification_max", K_INT, C(amplification_max), 1, 100000},
    {SEC_POLL, "burst_threshold", K_INT, C(burst_threshold), 1, 1000000},
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
    {SEC_REPORT, "alert_categories", K_ALERT_CATS, 0, 0, 0},
    {SEC_REPORT, "alert_window", K_DURATION, R(alert_window), 60, 365 * DAY},
    {SEC_REPORT, "spike_factor", K_FACTOR, R(spike_factor), 1, 1000},
    {SEC_REPORT, "spike_min", K_INT, R(spike_min), 1, 1000000},
    {SEC_DEMO, "feeds", K_PATH, C(demo_feeds_dir), 0, 0},
    {SEC_DEMO, "port", K_INT, C(demo_port), 1, 65535},
    {SEC_ACCOUNT, "name", K_TEXT, A(name), 0, 0},
    {SEC_ACCOUNT, "role", K_ROLE, A(role), 0, 0},
    {SEC_ACCOUNT, "country", K_TEXT, A(country), 0, 0},
    {SEC_ACCOUNT, "created", K_DATE, A(created), 0, 0},
    {SEC_ACCOUNT, "feed", K_FEED, 0, 0, 0},
    {SEC_ACCOUNT, "interval", K_DURATION, A(interval), 1, 365 * DAY},
    {SEC_ACCOUNT, "html_links", K_XPATH, H(links), 0, 0},
    {SEC_ACCOUNT, "html_title", K_XPATH, H(title), 0, 0},
    {SEC_ACCOUNT, "html_date", K_XPATH, H(date), 0, 0},
    {SEC_ACCOUNT, "html_text", K_XPATH, H(text), 0, 0},
    {SEC_ACCOUNT, "html_split", K_XPATH, H(split), 0, 0},
    {SEC_ACCOUNT, "html_refetch", K_DURATION, H(refetch), 0, 365 * DAY},
    {SEC_NARRATIVE, "terms", K_TERMS, N(terms), 0, 0},
    {SEC_NARRATIVE, "name", K_TEXT, N(name), 0, 0},
    {SEC_NARRATIVE, "category", K_CATEGORY, N(category), 0, 0},
    {SEC_NARRATIVE, "alert", K_ALERT, N(alert), 0, 0},
};
_Static_assert(ARRAY_SIZE(keys) == CONFIG_N_KEYS,
               "CONFIG_N_KEYS (config_int.h) must count keys[]");

void config_oom(struct parser *p)
{
	p->rc = -ENOMEM;
	p->stop = true;
}

void config_put_quoted(struct buf *b, const char *s)
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

void config_add_msg(struct parser *p, bool warning, int line, struct buf *b)
{
	struct msg *m;

	if (!b->data) {
		config_oom(p);
		return;
	}
	if (p->n_msgs == p->cap_msgs) {
		size_t cap = p->cap_msgs ? p->cap_msgs * 2 : 16;

		m = realloc(p->msgs, cap * sizeof(*m));
		if (!m) {
			buf_free(b);
			config_oom(p);
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
		config_oom(p);
		return;
	}
	p->n_msgs++;
	if (!warning && ++p->n_errors >= MAX_ERRORS)
		p->stop = true;
}

void config_begin_msg(struct parser *p, struct buf *b, int line, bool warning)
{
	if (line > 0)
		buf_printf(b, "%s:%d: ", p->path, line);
	else
		buf_printf(b, "%s: ", p->path);
	if (warning)
		buf_puts(b, "warning: ");
}

void config_msgf(struct parser *p, bool warning, int line, const char *fmt, ...)
{
	struct buf b = {0};
	va_list ap;

	if (p->stop && !warning)
		return;
	config_begin_msg(p, &b, line, warning);
	va_start(ap, fmt);
	buf_vprintf(&b, fmt, ap);
	va_end(ap);
	config_add_msg(p, warning, line, &b);
}

/* An error whose message quotes an untrusted value:
 * PREFIX 'VALUE' then the formatted rest. */
void config_error_value(struct parser *p, int line, const char *prefix,
                        const char *value, const char *fmt, ...)
{
	struct buf b = {0};
	va_list ap;

	if (p->stop)
		return;
	config_begin_msg(p, &b, line, false);
	buf_puts(&b, prefix);
	config_put_quoted(&b, value);
	va_start(ap, fmt);
	buf_vprintf(&b, fmt, ap);
	va_end(ap);
	config_add_msg(p, false, line, &b);
}

/* ---- sections and keys ---------------------------------------------- */

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
	const char *names[CONFIG_N_KEYS], *near;
	size_t i, n = 0;
	struct buf b = {0};

	for (i = 0; i < CONFIG_N_KEYS; i++)
		if (keys[i].sec == p->sec)
			names[n++] = keys[i].name;
	near = util_nearest(name, names, n);
	config_begin_msg(p, &b, p->line, false);
	buf_puts(&b, "unknown key ");
	config_put_quoted(&b, name);
	buf_printf(&b, " in [%s]", section_name(p->sec));
	if (near) {
		buf_printf(&b, "; did you mean '%s'?", near);
	} else {
		for (i = 0; i < CONFIG_N_KEYS; i++) {
			if (strcmp(keys[i].name, name) == 0) {
				buf_printf(&b, "; '%s' belongs in [%s]", name,
				           section_name(keys[i].sec));
				break;
			}
		}
	}
	config_add_msg(p, false, p->line, &b);
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
		was_space = config_is_space(*q);
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
	while (open < end && config_is_space(*open))
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
	for (q = close + 1; q < end && config_is_space(*q); q++)
		;
	if (q < end && ((*q != '#' && *q != ';') || q == close + 1)) {
		error(p, p->line, "%s: unexpected text after the closing quote",
		      name);
		return -EINVAL;
	}
	*out = xstrndup(open + 1, (size_t)(close - open - 1));
	if (!*out) {
		config_oom(p);
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
		config_error_value(p, p->line, "key ", name,
		                   " comes before any [section]");
		return 1;
	}
	if (p->sec == SEC_IGNORED)
		return 1;
	for (i = 0; i < CONFIG_N_KEYS; i++) {
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
		goto out_free_unq;
	}
	if (p->sec == SEC_ACCOUNT && strncmp(name, "html_", 5) == 0) {
		base = &p->cfg->html[p->cfg->n_accounts - 1];
		seen = p->info[p->cfg->n_accounts - 1].seen;
	} else if (p->sec == SEC_ACCOUNT) {
		base = current_account(p);
		seen = p->info[p->cfg->n_accounts - 1].seen;
	} else if (p->sec == SEC_NARRATIVE) {
		base = &p->cfg->narratives[p->cfg->n_narratives - 1];
		seen = p->ninfo[p->cfg->n_narratives - 1].seen;
	} else {
		base = p->cfg;
		seen = p->seen;
	}
	if (seen[i] && k->kind != K_FEED && k->kind != K_EMAIL_LIST &&
	    k->kind != K_ALERT_CATS) {
		error(p, p->line, "'%s' is already set on line %d", name,
		      seen[i]);
		goto out_free_unq;
	}
	seen[i] = p->line;
	config_set_value(p, k, base, value);
	if (k->kind == K_PATH && k->off == C(database))
		p->cfg->database_line = p->line;
	if (k->kind == K_PATH && k->off == C(rules_dir))
		p->cfg->rules_line = p->line;
	if (k->kind == K_PATH && k->off == C(model_path))
		p->cfg->model_line = p->line;
out_free_unq:
	free(unq);
	return 1;
}

/* Parses the inside of an [account "key"] header (after "account"). */
static void begin_account(struct parser *p, const char *s, size_t n)
{
	struct config_account *a;
	const char *q;
	size_t klen, i;

	while (n > 0 && config_is_space(*s)) {
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
		if (!config_is_space(s[i])) {
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
		struct config_html *ghtml;

		grown = realloc(p->cfg->accounts, cap * sizeof(*grown));
		if (!grown) {
			config_oom(p);
			return;
		}
		p->cfg->accounts = grown;
		ginfo = realloc(p->info, cap * sizeof(*ginfo));
		if (!ginfo) {
			config_oom(p);
			return;
		}
		p->info = ginfo;
		ghtml = realloc(p->cfg->html, cap * sizeof(*ghtml));
		if (!ghtml) {
			config_oom(p);
			return;
		}
		p->cfg->html = ghtml;
		p->cap_accounts = cap;
	}
	a = &p->cfg->accounts[p->cfg->n_accounts];
	memset(a, 0, sizeof(*a));
	memset(&p->info[p->cfg->n_accounts], 0, sizeof(p->info[0]));
	memset(&p->cfg->html[p->cfg->n_accounts], 0, sizeof(p->cfg->html[0]));
	p->cfg->html[p->cfg->n_accounts].refetch = 3 * DAY;
	a->key = xstrndup(s + 1, klen);
	if (!a->key) {
		config_oom(p);
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
		was_space = config_is_space(*q);
	}
	if (!close) {
		error(p, p->line, "section header without a closing ']'");
		return;
	}
	for (q = close + 1; config_is_space(*q); q++)
		;
	if (*q && *q != ';' && *q != '#') {
		error(p, p->line, "unexpected text after ']'");
		return;
	}
	name = start + 1;
	end = close;
	while (name < end && config_is_space(*name))
		name++;
	while (end > name && config_is_space(end[-1]))
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
			config_oom(p);
			return;
		}
		for (i = 0; i < ARRAY_SIZE(sections); i++)
			names[i] = sections[i].name;
		near = util_nearest(word, names, ARRAY_SIZE(sections));
		config_begin_msg(p, &b, p->line, false);
		buf_puts(&b, "unknown section ");
		config_put_quoted(&b, word);
		if (near)
			buf_printf(&b, "; did you mean [%s]?", near);
		else
			buf_puts(&b, "; known sections are [storage], [poll], "
			             "[classifier], [report], [demo], "
			             "[account \"handle\"] and "
			             "[narrative \"key\"]");
		config_add_msg(p, false, p->line, &b);
		free(word);
		return;
	}
	if (sections[i].sec == SEC_ACCOUNT) {
		begin_account(p, name + wlen, (size_t)(end - name) - wlen);
		return;
	}
	if (sections[i].sec == SEC_NARRATIVE) {
		config_begin_narrative(p, name + wlen,
		                       (size_t)(end - name) - wlen);
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
	while (config_is_space(*s))
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
	p->indented = len > 0 && config_is_space(s[0]);
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
		config_oom(p);
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
		config_error_value(p, ar[i].line, "duplicate account ",
		                   ar[i].key, ": also defined on line %d",
		                   ar[j].line);
	}
	free(ar);
	if (n == 0)
		return;
	fr = calloc(n, sizeof(*fr));
	if (!fr) {
		config_oom(p);
		return;
	}
	n = 0;
	for (i = 0; i < cfg->n_accounts; i++) {
		for (j = 0; j < cfg->accounts[i].n_feeds; j++) {
			struct config_feed *f = &cfg->accounts[i].feeds[j];

			fr[n].key = config_url_key(f->kind, f->url);
			fr[n].acct = i;
			fr[n].line = f->line;
			if (!fr[n].key) {
				config_oom(p);
				goto out_free_refs;
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
			config_error_value(
			    p, fr[i].line, "feed ", fr[i].key,
			    " is listed twice for this account (also "
			    "line %d)",
			    fr[j].line);
		} else {
			struct buf b = {0};

			if (p->stop)
				break;
			config_begin_msg(p, &b, fr[i].line, false);
			buf_puts(&b, "duplicate feed ");
			config_put_quoted(&b, fr[i].key);
			buf_puts(&b, ": already the feed of account ");
			config_put_quoted(&b, cfg->accounts[fr[j].acct].key);
			buf_printf(&b, " on line %d", fr[j].line);
			config_add_msg(p, false, fr[i].line, &b);
		}
	}
out_free_refs:
	for (i = 0; i < n; i++)
		free(fr[i].key);
	free(fr);
}

static int key_index(enum section sec, const char *name)
{
	size_t i;

	for (i = 0; i < CONFIG_N_KEYS; i++)
		if (keys[i].sec == sec && strcmp(keys[i].name, name) == 0)
			return (int)i;
	return 0;
}

#define SEEN(sec, name) p->seen[key_index(sec, name)]

/* An html: feed needs to know where the article links are; XPaths
 * without an html: feed are a mistake worth a warning. */
static void check_html(struct parser *p, struct config_account *a)
{
	size_t j, acc = (size_t)(a - p->cfg->accounts);
	bool html = false;

	for (j = 0; j < a->n_feeds; j++)
		if (a->feeds[j].kind == FEED_KIND_HTML) {
			html = true;
			if (!p->cfg->html[acc].links)
				error(p, a->feeds[j].line,
				      "an html: feed needs html_links (the "
				      "XPath of the article links)");
		}
	if (!html && p->cfg->html[acc].links)
		warning(p,
		        p->info[acc].seen[key_index(SEC_ACCOUNT, "html_links")],
		        "html_links is only read for html: feeds");
}

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
			ok = config_is_alnum((unsigned char)*z) ||
			     strchr("/_+-", *z);
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
			config_error_value(p, a->line, "account ", a->key,
			                   " has no feed: add feed = URL");
		check_html(p, a);
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
	config_check_narratives(p);
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
	cfg->telegram_base = xstrdup(DEFAULT_TELEGRAM);
	cfg->telegram_delay = 1;
	cfg->youtube_base = xstrdup(DEFAULT_YOUTUBE);
	cfg->backfill = 100;
	cfg->stop_timeout = 10;
	cfg->amplification = false;
	cfg->amplification_window = 7 * 86400;
	cfg->amplification_max = 1000;
	cfg->burst_threshold = 50;
	cfg->report.schedule = xstrdup("off");
	cfg->report.format = xstrdup("text");
	cfg->report.since = xstrdup("24h");
	cfg->report.smtp_starttls = true;
	cfg->report.retries = 5;
	cfg->report.retry_delay = 60;
	cfg->report.alert_window = DAY;
	cfg->report.spike_factor = 3;
	cfg->report.spike_min = 5;
	cfg->demo_port = 8765;
	cfg->model_weight = 0.5;
	if (!cfg->path || !cfg->user_agent || !cfg->bluesky_api ||
	    !cfg->telegram_base || !cfg->youtube_base ||
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
		if (!cfg->html) /* a config built by hand (tests) */
			continue;
		free(cfg->html[i].links);
		free(cfg->html[i].title);
		free(cfg->html[i].date);
		free(cfg->html[i].text);
		free(cfg->html[i].split);
	}
	free(cfg->accounts);
	free(cfg->html);
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
	config_free_narratives(cfg);
	free(cfg->path);
	free(cfg->database);
	free(cfg->user_agent);
	free(cfg->bluesky_api);
	free(cfg->telegram_base);
	free(cfg->youtube_base);
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
		goto out_free_msgs;
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
		goto out_free_msgs;
	}
	rc = hand_over(&p, errs);
	if (rc < 0)
		goto out_free_msgs;
	rc = p.n_errors > 0 ? -EINVAL : 0;
	if (rc == 0 || keep) {
		*out = p.cfg;
		p.cfg = NULL;
	}
out_free_msgs:
	for (i = 0; i < p.n_msgs; i++)
		free(p.msgs[i].text);
	free(p.msgs);
	free(p.info);
	free(p.ninfo);
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
			goto out_free_config;
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
			goto out_free_config;
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
		goto out_free_config;
	*out = cfg;
	return 0;
out_free_config:
	config_free(cfg);
	return rc;
}
