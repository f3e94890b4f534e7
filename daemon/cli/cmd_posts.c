/*
 * cmd_posts.c — `demarche [-c FILE | -d DB] posts`: the stored posts,
 * newest first, filtered (accounts, role, country, categories, period,
 * search, edited, deleted, reposts, language) and written as text that
 * fits the terminal, CSV (RFC 4180, a header row, one row per post) or
 * JSON Lines.  Rows stream from store_posts_each() to stdout one at a
 * time, so an export of millions of posts runs in flat memory.  Values a
 * filter names are checked against the log first: an unknown account,
 * language, country, role or category is a usage error that lists the
 * known ones.
 */
#include <errno.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/ioctl.h>
#include <sysexits.h>
#include <unistd.h>

#include "category.h"
#include "cmd.h"
#include "config.h"
#include "date.h"
#include "progress.h"
#include "store.h"
#include "store_search.h"
#include "util.h"

#define MAX_VALUES 32 /* --account / --category given at most this often */

enum posts_format { FMT_TEXT, FMT_CSV, FMT_JSONL };

struct posts_opts {
	struct store_post_filter f;
	const char *accounts[MAX_VALUES];
	const char *categories[MAX_VALUES];
	const char *since, *until, *search;
	enum posts_format format;
};

/* Help text, one literal per printed line. */
/* clang-format off */
static void posts_usage(FILE *fp)
{
	fputs(
	    "usage: demarche [-c FILE | -d DB] posts [OPTIONS]\n"
	    "Lists the stored posts, newest first, filtered by the options (which\n"
	    "combine: a post must pass every one), as text, CSV or JSON Lines.\n"
	    "\n"
	    "  --account H         posts of account H (its handle); repeat for several\n"
	    "  --role R            posts of accounts with role R (diplomat, spokesperson,\n"
	    "                      mission, ministry, state_media, other)\n"
	    "  --country CC        posts of accounts of country CC (as configured)\n"
	    "  --category C        posts in category C (blame_rebuttal, western_failure,\n"
	    "                      economic_coercion, origin_narrative, a category\n"
	    "                      the rules folder adds or the log holds, or none\n"
	    "                      for unclassified posts); repeat for any of several\n"
	    "  --since T           posts from T on: a duration back from now (90m, 36h,\n"
	    "                      7d, 2w, 1h30m) or a UTC date or time (2020-03-01,\n"
	    "                      2020-03-01T08:00, RFC 3339); default: the beginning\n"
	    "  --until T           posts before T (same forms; default: now); the\n"
	    "                      period is half-open, [since, until), by published\n"
	    "                      time (first-seen time when a post has none)\n"
	    "  --search QUERY      posts whose text contains every word or \"quoted\n"
	    "                      phrase\" of QUERY, as a substring, ignoring case, in\n"
	    "                      any script (德特里克, 米軍, wuhan); OR between words\n"
	    "                      or groups takes either: 'wuhan OR \"fort detrick\"'\n"
	    "                      A post matches when its text or any earlier\n"
	    "                      wording of it does (all terms of a group in one\n"
	    "                      wording); the output says which wordings matched\n"
	    "                      (csv: matched_current, matched_versions; jsonl:\n"
	    "                      matched; text: \"(wording 1 matched)\")\n"
	    "  --edited            only posts edited after they were first stored\n"
	    "  --deleted           only posts seen deleted upstream (logs that record\n"
	    "                      deletions)\n"
	    "  --reposts           only reposts (boosts, retweets)\n"
	    "  --no-reposts        no reposts\n"
	    "  --lang L            posts in language L (en also takes en-GB)\n"
	    "  --limit N           at most N posts\n"
	    "  --format F          text (default: one line per post, cut to the\n"
	    "                      terminal's width), csv (a header row, RFC 4180\n"
	    "                      quoting, UTF-8, categories joined by ';') or jsonl\n"
	    "                      (one JSON object per post: id, account, url,\n"
	    "                      published, first_seen, text, lang, categories with\n"
	    "                      key and score, edit_count, deleted_seen, ...)\n"
	    "  -h, --help          print this help and exit\n"
	    "\n"
	    "Exporting to a file or a pipe, it shows its progress (and a summary)\n"
	    "on standard error when that is a terminal.\n"
	    "Exit status: 0, 64 for a bad option or an unknown account, category,\n"
	    "language, country or role (the known ones are listed), 66 when the\n"
	    "database does not exist, 65 when it is not a demarche log.\n",
	    fp);
}
/* clang-format on */

/* "posts: unknown WHAT 'V'; known: a, b, c" (and the nearest one). */
static int unknown(const char *what, const char *v, const char *const *known,
                   size_t n)
{
	const char *near = util_nearest(v, known, n);
	size_t i;

	fprintf(stderr, "demarche posts: unknown %s '%s'", what, v);
	if (near)
		fprintf(stderr, " (did you mean '%s'?)", near);
	fputs(n ? "; known: " : "; the log has none", stderr);
	for (i = 0; i < n; i++)
		fprintf(stderr, "%s%s", i ? ", " : "", known[i]);
	fputc('\n', stderr);
	return EX_USAGE;
}

static int check_role(const char *role)
{
	static const char *const roles[] = {"diplomat",    "spokesperson",
	                                    "mission",     "ministry",
	                                    "state_media", "other"};
	size_t i;

	for (i = 0; i < sizeof(roles) / sizeof(roles[0]); i++)
		if (strcmp(role, roles[i]) == 0)
			return 0;
	return unknown("role", role, roles, sizeof(roles) / sizeof(roles[0]));
}

/* True when v names one of known (exactly, ignoring case; a language
 * also as the prefix of "en-gb"). */
static bool is_known(const char *v, char **known, bool lang)
{
	size_t i, n = strlen(v);

	for (i = 0; known[i]; i++) {
		if (strcasecmp(v, known[i]) == 0)
			return true;
		if (lang && strncasecmp(v, known[i], n) == 0 &&
		    known[i][n] == '-')
			return true;
	}
	return false;
}

/* Checks values against what the log holds; returns 0 or a sysexits code. */
static int check_in_log(struct store *st, enum store_known_kind kind,
                        const char *what, const char *const *v, size_t n)
{
	char **known = NULL;
	size_t i;
	int k, rc = 0;

	if (n == 0)
		return 0;
	k = store_known_values(st, kind, &known);
	if (k < 0) {
		fprintf(stderr, "demarche posts: reading the %ss: %s\n", what,
		        store_errmsg(st));
		return EX_IOERR;
	}
	for (i = 0; i < n && rc == 0; i++)
		if (!is_known(v[i], known, kind == STORE_KNOWN_LANGS))
			rc = unknown(what, v[i], (const char *const *)known,
			             (size_t)k);
	store_strings_free(known);
	return rc;
}

/* --category takes the configured categories (the rules folder's), the
 * keys the log holds (labels of an older or other rule set) and none. */
static int check_categories(struct store *st, const struct posts_opts *o)
{
	const char *known[256];
	char **inlog = NULL;
	size_t i, j, n = 0;
	int k, rc = 0, ncfg = category_count();

	for (i = 0; i < o->f.n_categories; i++)
		if (category_index(o->categories[i]) < 0 &&
		    strcmp(o->categories[i], "none") != 0)
			break;
	if (i == o->f.n_categories)
		return 0;
	k = store_known_values(st, STORE_KNOWN_CATEGORIES, &inlog);
	if (k < 0) {
		fprintf(stderr, "demarche posts: reading the categories: %s\n",
		        store_errmsg(st));
		return EX_IOERR;
	}
	for (i = 0; i < (size_t)ncfg; i++)
		known[n++] = category_key((int)i);
	for (j = 0; j < (size_t)k && n < ARRAY_SIZE(known) - 1; j++)
		if (category_index(inlog[j]) < 0)
			known[n++] = inlog[j];
	known[n++] = "none";
	for (i = 0; i < o->f.n_categories && rc == 0; i++) {
		for (j = 0; j < n; j++)
			if (strcmp(o->categories[i], known[j]) == 0)
				break;
		if (j == n)
			rc = unknown("category", o->categories[i], known, n);
	}
	store_strings_free(inlog);
	return rc;
}

static int add_value(const char **list, size_t *n, const char *v,
                     const char *opt)
{
	if (*n >= MAX_VALUES) {
		fprintf(stderr, "demarche posts: %s given more than %d times\n",
		        opt, MAX_VALUES);
		return EX_USAGE;
	}
	list[(*n)++] = v;
	return 0;
}

static int bad(const char *opt, const char *v, const char *why)
{
	fprintf(stderr, "demarche posts: bad %s '%s': %s\n", opt, v, why);
	return EX_USAGE;
}

static int parse_format(const char *v, enum posts_format *out)
{
	static const char *const names[] = {"text", "csv", "jsonl"};
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		if (strcmp(v, names[i]) == 0) {
			*out = (enum posts_format)i;
			return 0;
		}
	}
	return bad("--format", v, "text, csv or jsonl");
}

/* The options of posts; the long ones have codes past any character. */
enum {
	O_ACCOUNT = 256,
	O_ROLE,
	O_COUNTRY,
	O_CATEGORY,
	O_SINCE,
	O_UNTIL,
	O_SEARCH,
	O_EDITED,
	O_DELETED,
	O_REPOSTS,
	O_NO_REPOSTS,
	O_LANG,
	O_LIMIT,
	O_FORMAT
};
static const struct option posts_longopts[] = {
    {"account", required_argument, NULL, O_ACCOUNT},
    {"role", required_argument, NULL, O_ROLE},
    {"country", required_argument, NULL, O_COUNTRY},
    {"category", required_argument, NULL, O_CATEGORY},
    {"since", required_argument, NULL, O_SINCE},
    {"until", required_argument, NULL, O_UNTIL},
    {"search", required_argument, NULL, O_SEARCH},
    {"edited", no_argument, NULL, O_EDITED},
    {"deleted", no_argument, NULL, O_DELETED},
    {"reposts", no_argument, NULL, O_REPOSTS},
    {"no-reposts", no_argument, NULL, O_NO_REPOSTS},
    {"lang", required_argument, NULL, O_LANG},
    {"limit", required_argument, NULL, O_LIMIT},
    {"format", required_argument, NULL, O_FORMAT},
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0},
};

/* Reads the options into o; returns -1 to go on, else an exit code. */
static int posts_options(int argc, char **argv, struct posts_opts *o)
{
	char *end;
	int ch, rc;

	while ((ch = getopt_long(argc, argv, "h", posts_longopts, NULL)) !=
	       -1) {
		rc = 0;
		switch (ch) {
		case O_ACCOUNT:
			rc = add_value(o->accounts, &o->f.n_accounts, optarg,
			               "--account");
			break;
		case O_CATEGORY:
			rc = add_value(o->categories, &o->f.n_categories,
			               optarg, "--category");
			break;
		case O_ROLE:
			o->f.role = optarg;
			break;
		case O_COUNTRY:
			o->f.country = optarg;
			break;
		case O_SINCE:
			o->since = optarg;
			break;
		case O_UNTIL:
			o->until = optarg;
			break;
		case O_SEARCH:
			o->search = optarg;
			break;
		case O_EDITED:
			o->f.edited = true;
			break;
		case O_DELETED:
			o->f.deleted = true;
			break;
		case O_REPOSTS:
			o->f.reposts = 1;
			break;
		case O_NO_REPOSTS:
			o->f.reposts = 0;
			break;
		case O_LANG:
			o->f.lang = optarg;
			break;
		case O_LIMIT:
			errno = 0;
			o->f.limit = strtoll(optarg, &end, 10);
			if (errno || *end || end == optarg || o->f.limit <= 0)
				rc = bad("--limit", optarg,
				         "a positive whole number");
			break;
		case O_FORMAT:
			rc = parse_format(optarg, &o->format);
			break;
		case 'h':
			posts_usage(stdout);
			return 0;
		default:
			posts_usage(stderr);
			return EX_USAGE;
		}
		if (rc)
			return rc;
	}
	if (optind < argc) {
		fprintf(stderr, "demarche posts: unexpected argument '%s'\n",
		        argv[optind]);
		return EX_USAGE;
	}
	return -1;
}

/* --since / --until into the filter's half-open period. */
static int posts_period(struct posts_opts *o)
{
	return cmd_period("posts", o->since, o->until, 0, false, &o->f.since,
	                  &o->f.until);
}

/* ---- output ---------------------------------------------------------- */

struct out {
	enum posts_format format;
	int columns;  /* text: the width to fit */
	int64_t rows; /* written */
	struct buf line;
	bool search;            /* --search: say how each post matched */
	struct progress *meter; /* an export's progress, or NULL */
};

static const char *iso(int64_t t, char b[DATE_RFC3339_LEN])
{
	return t == INT64_MIN ? "" : date_format_rfc3339(t, b);
}

/* The categories' keys, "a;b", from "a 2.5;b 1" (into b). */
static void category_keys_of(const char *cats, struct buf *b)
{
	const char *p = cats;

	buf_reset(b);
	while (p && *p) {
		const char *sp = strchr(p, ' '), *semi = strchr(p, ';');

		if (b->len)
			buf_putc(b, ';');
		if (sp && (!semi || sp < semi))
			buf_append(b, p, (size_t)(sp - p));
		else
			buf_append(b, p, semi ? (size_t)(semi - p) : strlen(p));
		p = semi ? semi + 1 : NULL;
	}
	buf_putc(b, '\0');
}

static void csv_field(const char *s, bool last)
{
	const char *p, *q;

	if (!s)
		s = "";
	if (strpbrk(s, ",\"\r\n")) {
		/* Quoted, its quotes doubled: RFC 4180. */
		putchar('"');
		for (p = s; (q = strchr(p, '"')) != NULL; p = q + 1) {
			fwrite(p, 1, (size_t)(q - p + 1), stdout);
			putchar('"');
		}
		fputs(p, stdout);
		putchar('"');
	} else {
		fputs(s, stdout);
	}
	fputs(last ? "\r\n" : ",", stdout);
}

static void write_csv(struct out *o, const struct store_post_row *r)
{
	char t1[DATE_RFC3339_US_LEN], t2[DATE_RFC3339_LEN],
	    t3[DATE_RFC3339_LEN];

	category_keys_of(r->categories, &o->line);
	printf("%lld,", (long long)r->id);
	csv_field(r->account, false);
	csv_field(r->role, false);
	csv_field(r->country, false);
	csv_field(
	    r->published == INT64_MIN
	        ? ""
	        : date_format_rfc3339_us(r->published, r->published_us, t1),
	    false);
	csv_field(iso(r->first_seen, t2), false);
	csv_field(r->lang, false);
	csv_field(o->line.data, false);
	printf("%d,", r->edit_count);
	csv_field(iso(r->deleted_seen, t3), false);
	printf("%d,", r->is_repost ? 1 : 0);
	csv_field(r->url, false);
	csv_field(r->text, !o->search);
	if (o->search) {
		printf("%d,", r->search_current > 0 ? 1 : 0);
		csv_field(r->search_versions, true);
	}
}

/* A JSON string (or null) on stdout.  The text is UTF-8 from the log
 * and passes through; quotes, backslashes and control characters are
 * escaped.  Written by hand rather than through jansson: an export of a
 * million posts spends most of its time here. */
static void json_str(const char *s)
{
	const unsigned char *p = (const unsigned char *)s, *run;

	if (!s) {
		fputs("null", stdout);
		return;
	}
	putchar('"');
	for (;;) {
		/* Copy the run of bytes that need no escape in one write. */
		for (run = p; *p >= 0x20 && *p != '"' && *p != '\\'; p++)
			;
		fwrite(run, 1, (size_t)(p - run), stdout);
		if (!*p)
			break;
		if (*p == '"' || *p == '\\')
			printf("\\%c", *p);
		else if (*p == '\n')
			fputs("\\n", stdout);
		else if (*p == '\r')
			fputs("\\r", stdout);
		else if (*p == '\t')
			fputs("\\t", stdout);
		else
			printf("\\u%04x", *p);
		p++;
	}
	putchar('"');
}

/* published, with the fraction of a second the source wrote. */
static void json_time_us(int64_t t, int32_t us)
{
	char b[DATE_RFC3339_US_LEN];

	if (t == INT64_MIN)
		fputs("null", stdout);
	else
		printf("\"%s\"", date_format_rfc3339_us(t, us, b));
}

static void json_time(int64_t t)
{
	char b[DATE_RFC3339_LEN];

	if (t == INT64_MIN)
		fputs("null", stdout);
	else
		printf("\"%s\"", date_format_rfc3339(t, b));
}

/* [{"key": K, "score": S}, ...] from "key score;key score". */
static void json_categories(const char *cats)
{
	const char *p = cats;
	bool first = true;

	putchar('[');
	while (p && *p) {
		const char *sp = strchr(p, ' '), *semi = strchr(p, ';');
		size_t n = semi ? (size_t)(semi - p) : strlen(p);

		if (sp && (size_t)(sp - p) < n) {
			printf("%s{\"key\":\"%.*s\",\"score\":%.15g}",
			       first ? "" : ",", (int)(sp - p), p,
			       strtod(sp + 1, NULL));
			first = false;
		}
		p = semi ? semi + 1 : NULL;
	}
	putchar(']');
}

static int write_jsonl(const struct store_post_row *r)
{
	printf("{\"id\":%lld,\"account\":", (long long)r->id);
	json_str(r->account);
	fputs(",\"role\":", stdout);
	json_str(r->role);
	fputs(",\"country\":", stdout);
	json_str(r->country);
	fputs(",\"url\":", stdout);
	json_str(r->url);
	fputs(",\"published\":", stdout);
	json_time_us(r->published, r->published_us);
	fputs(",\"first_seen\":", stdout);
	json_time(r->first_seen);
	fputs(",\"text\":", stdout);
	json_str(r->text);
	fputs(",\"lang\":", stdout);
	json_str(r->lang);
	fputs(",\"categories\":", stdout);
	json_categories(r->categories);
	printf(",\"edit_count\":%d,\"deleted_seen\":", r->edit_count);
	json_time(r->deleted_seen);
	printf(",\"is_repost\":%s", r->is_repost ? "true" : "false");
	if (r->search_current >= 0)
		printf(",\"matched\":{\"current\":%s,\"versions\":[%s]}",
		       r->search_current ? "true" : "false",
		       r->search_versions ? r->search_versions : "");
	/* Only for a post of a statement said more than once. */
	if (r->cluster_id > 0)
		printf(",\"cluster_id\":%lld", (long long)r->cluster_id);
	fputs("}\n", stdout);
	return 0;
}

/* Columns a code point takes on a terminal: 2 for East Asian wide. */
static int cp_width(unsigned cp)
{
	if ((cp >= 0x1100 && cp <= 0x115F) || (cp >= 0x2E80 && cp <= 0xA4CF) ||
	    (cp >= 0xAC00 && cp <= 0xD7A3) || (cp >= 0xF900 && cp <= 0xFAFF) ||
	    (cp >= 0xFE30 && cp <= 0xFE4F) || (cp >= 0xFF00 && cp <= 0xFF60) ||
	    (cp >= 0xFFE0 && cp <= 0xFFE6) || (cp >= 0x20000 && cp <= 0x3FFFD))
		return 2;
	return 1;
}

/* Appends s to b, whitespace runs as one space, cut to width columns
 * (with "…" when cut). */
static void fit(struct buf *b, const char *s, int width)
{
	const unsigned char *p = (const unsigned char *)(s ? s : "");
	int used = 0;
	bool space = false;

	while (*p) {
		unsigned cp = *p;
		size_t n = 1;
		int w;

		if (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r') {
			space = true;
			p++;
			continue;
		}
		if (cp >= 0xF0 && p[1] && p[2] && p[3]) {
			cp = (cp & 7u) << 18 | (p[1] & 63u) << 12 |
			     (p[2] & 63u) << 6 | (p[3] & 63u);
			n = 4;
		} else if (cp >= 0xE0 && p[1] && p[2]) {
			cp =
			    (cp & 15u) << 12 | (p[1] & 63u) << 6 | (p[2] & 63u);
			n = 3;
		} else if (cp >= 0xC0 && p[1]) {
			n = 2;
		}
		w = cp_width(cp) + (space && used ? 1 : 0);
		if (used + w > width - 1) {
			buf_puts(b, "…");
			return;
		}
		if (space && used)
			buf_putc(b, ' ');
		space = false;
		buf_append(b, p, n);
		used += w;
		p += n;
	}
}

static void write_text(struct out *o, const struct store_post_row *r)
{
	char t[DATE_RFC3339_LEN];
	int head;

	category_keys_of(r->categories, &o->line);
	printf("%.16s  %lld  %s  [%s]  ", iso(r->report_time, t),
	       (long long)r->id, r->account,
	       o->line.data && o->line.data[0] ? o->line.data : "-");
	/* "TIME  ID  ACCOUNT  [CATS]  ": the text gets what is left. */
	head =
	    16 + 2 + snprintf(NULL, 0, "%lld", (long long)r->id) + 2 +
	    (int)strlen(r->account) + 3 +
	    (o->line.data && o->line.data[0] ? (int)strlen(o->line.data) : 1) +
	    3;
	buf_reset(&o->line);
	/* Found through an earlier wording only: say which. */
	if (r->search_current == 0)
		buf_printf(&o->line, "(wording %s matched) ",
		           r->search_versions ? r->search_versions : "?");
	head += (int)o->line.len;
	fit(&o->line, r->text, o->columns - head < 8 ? 8 : o->columns - head);
	buf_putc(&o->line, '\0');
	puts(o->line.data);
}

static int on_row(void *ctx, const struct store_post_row *r)
{
	struct out *o = ctx;

	o->rows++;
	if (o->meter && (o->rows & 1023) == 0)
		progress_update(o->meter, o->rows);
	if (o->format == FMT_CSV)
		write_csv(o, r);
	else if (o->format == FMT_JSONL)
		return write_jsonl(r);
	else
		write_text(o, r);
	return ferror(stdout) ? -EIO : 0;
}

static int terminal_columns(void)
{
	const char *c = getenv("COLUMNS");
	struct winsize ws;

	if (c && atoi(c) > 0)
		return atoi(c);
	if (isatty(STDOUT_FILENO) &&
	    ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0)
		return ws.ws_col;
	return 80;
}

/* The period in words: "[2020-03-01T00:00:00Z, 2020-03-08T00:00:00Z)". */
static void period_words(const struct store_post_filter *f, char *b, size_t n)
{
	char t1[DATE_RFC3339_LEN], t2[DATE_RFC3339_LEN];

	snprintf(b, n, "[%s, %s)",
	         f->since == INT64_MIN ? "the beginning"
	                               : date_format_rfc3339(f->since, t1),
	         date_format_rfc3339(f->until, t2));
}

int cmd_open_status(int rc)
{
	if (rc == -ENOENT)
		return EX_NOINPUT;
	if (rc == -EBADMSG)
		return EX_DATAERR;
	return EX_IOERR;
}

static int open_log(const struct cmd_globals *g, struct store **st)
{
	char err[512];
	int rc;

	if (!g->db) {
		fputs("demarche posts: no database: give -d DB, or -c FILE "
		      "whose [storage] database names it (demarche -d DB "
		      "posts ...)\n",
		      stderr);
		return EX_USAGE;
	}
	rc = store_open_readonly(g->db, st, err, sizeof(err));
	if (rc == 0)
		return 0;
	if (rc == -ENOENT) {
		fprintf(stderr, "demarche posts: no such database: %s\n", err);
		return EX_NOINPUT;
	}
	fprintf(stderr, "demarche posts: cannot read the database: %s\n", err);
	return cmd_open_status(rc);
}

/* An export to a file or a pipe shows its progress on a terminal's
 * standard error: of the period's posts when nothing else filters (a
 * count of the posts' time index), else done and rate alone. */
static void start_meter(struct store *st, const struct posts_opts *o,
                        struct progress *meter)
{
	const struct store_post_filter *f = &o->f;
	int64_t total = -1;

	if (isatty(STDOUT_FILENO) || !isatty(STDERR_FILENO)) {
		progress_start_tty(meter, NULL, false, "posts", "posts", -1);
		return;
	}
	if (!f->n_accounts && !f->role && !f->country && !f->n_categories &&
	    !f->search && !f->edited && !f->deleted && f->reposts < 0 &&
	    !f->lang)
		total = store_count_posts(st, f->since, f->until);
	if (total >= 0 && f->limit > 0 && f->limit < total)
		total = f->limit;
	progress_start(meter, stderr, "posts", "posts", total < 0 ? -1 : total);
}

static int run(struct store *st, struct posts_opts *o)
{
	struct progress meter;
	struct out out = {o->format, terminal_columns(),  0,
	                  {0},       o->f.search != NULL, &meter};
	char err[512], period[128];
	static char obuf[1 << 16];
	int64_t n;
	int rc;

	n = store_any_posts(st);
	if (n == 0)
		fputs("demarche posts: the log holds no posts yet\n", stderr);
	period_words(&o->f, period, sizeof(period));
	setvbuf(stdout, obuf, _IOFBF, sizeof(obuf));
	if (o->format == FMT_CSV)
		printf("id,account,role,country,published,first_seen,lang,"
		       "categories,edit_count,deleted_seen,is_repost,url,text%s"
		       "\r\n",
		       out.search ? ",matched_current,matched_versions" : "");
	else if (o->format == FMT_TEXT)
		printf("# posts %s\n", period);
	start_meter(st, o, &meter);
	rc = store_posts_each(st, &o->f, on_row, &out, err, sizeof(err));
	progress_update(&meter, out.rows);
	progress_end(&meter);
	buf_free(&out.line);
	if (fflush(stdout) != 0 || rc == -EIO) {
		fprintf(stderr, "demarche posts: writing: %s\n",
		        strerror(errno));
		return EX_IOERR;
	}
	if (rc < 0) {
		fprintf(stderr, "demarche posts: %s\n", err);
		return rc == -ENOTSUP ? EX_USAGE : EX_IOERR;
	}
	if (o->format == FMT_TEXT)
		printf("# %lld post%s\n", (long long)out.rows,
		       out.rows == 1 ? "" : "s");
	else if (isatty(STDERR_FILENO))
		fprintf(stderr, "demarche posts: %lld post%s in %s\n",
		        (long long)out.rows, out.rows == 1 ? "" : "s", period);
	return 0;
}

int cmd_posts_main(const struct cmd_globals *g, int argc, char **argv)
{
	struct posts_opts o = {0};
	struct store_search *q = NULL;
	struct store *st = NULL;
	char err[256];
	int rc;

	o.f.reposts = -1;
	o.f.accounts = o.accounts;
	o.f.categories = o.categories;
	rc = posts_options(argc, argv, &o);
	if (rc >= 0)
		return rc;
	if ((rc = posts_period(&o)) != 0 ||
	    (o.f.n_categories &&
	     (rc = cmd_load_categories(g, "posts", false)) != 0) ||
	    (o.f.role && (rc = check_role(o.f.role)) != 0))
		return rc;
	if (o.search) {
		rc = store_search_parse(o.search, &q, err, sizeof(err));
		if (rc < 0) {
			fprintf(stderr, "demarche posts: --search '%s': %s\n",
			        o.search, err);
			return rc == -ENOMEM ? EX_OSERR : EX_USAGE;
		}
		o.f.search = q;
	}
	rc = open_log(g, &st);
	if (rc)
		goto out_free_search;
	rc = check_categories(st, &o);
	if (rc == 0)
		rc = check_in_log(st, STORE_KNOWN_ACCOUNTS, "account",
		                  o.accounts, o.f.n_accounts);
	if (rc == 0 && o.f.lang)
		rc = check_in_log(st, STORE_KNOWN_LANGS, "language", &o.f.lang,
		                  1);
	if (rc == 0 && o.f.country)
		rc = check_in_log(st, STORE_KNOWN_COUNTRIES, "country",
		                  &o.f.country, 1);
	if (rc == 0)
		rc = run(st, &o);
	store_close(st);
out_free_search:
	store_search_free(q);
	return rc;
}
