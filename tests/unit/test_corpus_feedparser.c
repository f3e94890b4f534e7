/*
 * test_corpus_feedparser.c — runs feed_parse() over the rows of the
 * shared feedparser manifest marked core_only=yes and evaluates each
 * row's Python expectation as far as our model can express it.
 *
 * An expectation is split into its "and" clauses.  "bozo" / "not bozo"
 * are compared with whether we raised warnings (reported separately: our
 * warnings and feedparser's bozo bit do not mean the same thing).  Value
 * clauses `X == literal` are mapped onto our fields: titles, summaries and
 * contents are compared as plain text (the expected HTML is turned into
 * text with the same converter, whitespace folded on both sides), ids,
 * links and authors as strings, *_parsed tuples and raw date strings as
 * epoch seconds.  A row with any clause we cannot express (detail
 * attributes such as 'type' or 'base', guidislink, ...) is skipped, not
 * counted.  Every failing row must be listed, with its reason, in
 * tests/fixtures/feedparser-known-differences.tsv (reported as a "known
 * difference"); an unlisted failure fails the suite, and so does a listed
 * row that passes.  The pass rate must also stay at or above 95%, the
 * issue's target.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "date.h"
#include "feed.h"
#include "html_text.h"
#include "test.h"
#include "util.h"

/* Issue 4's target; measured 98.3% (1170/1190) with the list above. */
#define FEEDPARSER_VALUE_FLOOR 0.95

enum verdict { V_PASS, V_FAIL, V_SKIP };

/* Undoes the TSV's CSV-style quoting of a field, in place. */
static void unquote_field(char *s)
{
	size_t n = strlen(s), i, o = 0;

	if (n < 2 || s[0] != '"' || s[n - 1] != '"')
		return;
	for (i = 1; i < n - 1; i++) {
		if (s[i] == '"' && s[i + 1] == '"')
			i++;
		s[o++] = s[i];
	}
	s[o] = '\0';
}

static void put_utf8(struct buf *b, unsigned long cp)
{
	char u[4];

	if (cp < 0x80) {
		buf_putc(b, (char)cp);
	} else if (cp < 0x800) {
		u[0] = (char)(0xc0 | cp >> 6),
		u[1] = (char)(0x80 | (cp & 0x3f));
		buf_append(b, u, 2);
	} else if (cp < 0x10000) {
		u[0] = (char)(0xe0 | cp >> 12);
		u[1] = (char)(0x80 | (cp >> 6 & 0x3f));
		u[2] = (char)(0x80 | (cp & 0x3f));
		buf_append(b, u, 3);
	} else {
		u[0] = (char)(0xf0 | cp >> 18);
		u[1] = (char)(0x80 | (cp >> 12 & 0x3f));
		u[2] = (char)(0x80 | (cp >> 6 & 0x3f));
		u[3] = (char)(0x80 | (cp & 0x3f));
		buf_append(b, u, 4);
	}
}

/* A Python string literal at *pp ('...' or "...", optional u prefix)
 * into out; advances *pp.  False when it is not one. */
static bool py_string(const char **pp, struct buf *out)
{
	const char *p = *pp;
	char q;
	bool triple;

	if (*p == 'u')
		p++;
	if (*p != '\'' && *p != '"')
		return false;
	q = *p;
	/* Triple-quoted literals: single quotes inside are text. */
	triple = p[1] == q && p[2] == q;
	p += triple ? 3 : 1;
	while (*p &&
	       (triple ? !(p[0] == q && p[1] == q && p[2] == q) : *p != q)) {
		if (*p != '\\') {
			buf_putc(out, *p++);
			continue;
		}
		p++;
		switch (*p) {
		case 'x':
		case 'u':
		case 'U': {
			int len = *p == 'x' ? 2 : *p == 'u' ? 4 : 8;
			char hex[9];

			memcpy(hex, p + 1, (size_t)len);
			hex[len] = '\0';
			put_utf8(out, strtoul(hex, NULL, 16));
			p += 1 + len;
			continue;
		}
		case 'n':
			buf_putc(out, '\n');
			break;
		case 't':
			buf_putc(out, '\t');
			break;
		case 'r':
			buf_putc(out, '\r');
			break;
		case '\0':
			return false;
		default:
			buf_putc(out, *p);
		}
		p++;
	}
	if (*p != q)
		return false;
	p += triple ? 3 : 1;
	/* 'a' + 'b': Python concatenation. */
	while (*p == ' ')
		p++;
	if (*p == '+') {
		p++;
		while (*p == ' ')
			p++;
		*pp = p;
		return py_string(pp, out);
	}
	*pp = p;
	if (!out->data)
		buf_puts(out, "");
	return true;
}

/* Splits an expectation into clauses at " and " outside literals. */
static int split_clauses(char *s, char **out, int max)
{
	int n = 0;
	char q = 0, *p = s;

	out[n++] = s;
	for (; *p; p++) {
		if (q) {
			if (*p == '\\' && p[1])
				p++;
			else if (*p == q)
				q = 0;
			continue;
		}
		if (*p == '\'' || *p == '"') {
			q = *p;
			continue;
		}
		if (strncmp(p, " and ", 5) == 0) {
			if (n == max)
				return -1;
			*p = '\0';
			out[n++] = p + 5;
			p += 4;
		}
	}
	return n;
}

/* Whitespace-folded, trimmed copy for comparisons. */
static char *fold(const char *s)
{
	struct buf b = {0};
	bool space = false;

	for (; s && *s; s++) {
		if (isspace((unsigned char)*s)) {
			space = b.len > 0;
			continue;
		}
		if (space)
			buf_putc(&b, ' ');
		space = false;
		buf_putc(&b, *s);
	}
	return buf_steal(&b);
}

static bool text_equal(const char *ours, const char *expected_html,
                       bool oneline)
{
	char *want = NULL, *a, *b;
	bool eq;

	if (html_to_text(expected_html, strlen(expected_html),
	                 oneline ? HTML_TEXT_ONELINE : 0, &want) < 0)
		return false;
	a = fold(ours ? ours : "");
	b = fold(want);
	eq = strcmp(a, b) == 0;
	if (!eq) {
		/* The expectation may be plain text with brackets
		 * ("History of the <blink> tag" from type="text"). */
		free(b);
		b = fold(expected_html);
		eq = strcmp(a, b) == 0;
	}
	free(a);
	free(b);
	free(want);
	return eq;
}

/* Strips spaces around s in place; returns s. */
static char *trim(char *s)
{
	char *e;

	while (isspace((unsigned char)*s))
		s++;
	e = s + strlen(s);
	while (e > s && isspace((unsigned char)e[-1]))
		*--e = '\0';
	return s;
}

/* Field accessor names in either spelling: entries[0]['x'] or
 * entries[0].x; returns the key in key (or false if not that shape). */
static bool accessor(const char *lhs, const char *prefix, char *key,
                     size_t keylen)
{
	size_t n = strlen(prefix);
	const char *p = lhs + n, *e;

	if (strncmp(lhs, prefix, n) != 0)
		return false;
	if (strncmp(p, "['", 2) == 0) {
		p += 2;
		e = strstr(p, "']");
		if (!e)
			return false;
	} else if (*p == '.') {
		p++;
		e = p + strspn(p, "abcdefghijklmnopqrstuvwxyz_");
	} else {
		return false;
	}
	if ((size_t)(e - p) >= keylen)
		return false;
	memcpy(key, p, (size_t)(e - p));
	key[e - p] = '\0';
	/* Anything after the key must be a known sub-path. */
	p = *e == ']' || *e == '\'' ? e + 2 : e;
	snprintf(key + strlen(key), keylen - strlen(key), "%s", p);
	return true;
}

static int64_t tuple_time(const char *s)
{
	int y, mo, d, h, mi, se;

	if (sscanf(s, " (%d , %d , %d , %d , %d , %d", &y, &mo, &d, &h, &mi,
	           &se) != 6 &&
	    sscanf(s, " (%d,%d,%d,%d,%d,%d", &y, &mo, &d, &h, &mi, &se) != 6)
		return TIME_UNKNOWN;
	return util_timegm(y, mo, d, h, mi, se);
}

/* Evaluates one "LHS == RHS" clause. */
static enum verdict value_clause(const struct feed_doc *doc, char *lhs,
                                 const char *rhs)
{
	const struct feed_entry *e = doc->n_entries ? &doc->entries[0] : NULL;
	struct buf lit = {0};
	const char *p = rhs;
	char key[96];
	enum verdict v = V_SKIP;

	if (strncmp(lhs, "len(entries)", 12) == 0)
		return (size_t)atoi(rhs) == doc->n_entries ? V_PASS : V_FAIL;
	if (accessor(lhs, "feed", key, sizeof(key))) {
		if (strcmp(key, "title") != 0 &&
		    strcmp(key, "title_detail['value']") != 0)
			return V_SKIP;
		if (!py_string(&p, &lit))
			return V_SKIP;
		v = text_equal(doc->title, lit.data, true) ? V_PASS : V_FAIL;
		goto out;
	}
	if (!accessor(lhs, "entries[0]", key, sizeof(key)))
		return V_SKIP;
	if (strstr(key, "_parsed")) {
		int64_t want = tuple_time(rhs), got;

		if (want == TIME_UNKNOWN || !e)
			return e ? V_SKIP : V_FAIL;
		if (strncmp(key, "published", 9) == 0)
			got = e->published;
		else
			got = e->updated != TIME_UNKNOWN ? e->updated
			                                 : e->published;
		return got == want ? V_PASS : V_FAIL;
	}
	if (!py_string(&p, &lit))
		return V_SKIP;
	if (!e) {
		v = V_FAIL;
		goto out;
	}
	if (strcmp(key, "title") == 0 ||
	    strcmp(key, "title_detail['value']") == 0) {
		v = text_equal(e->title, lit.data, true) ? V_PASS : V_FAIL;
	} else if (strcmp(key, "description") == 0 ||
	           strcmp(key, "summary") == 0 ||
	           strcmp(key, "summary_detail['value']") == 0 ||
	           strcmp(key, "content[0]['value']") == 0 ||
	           strcmp(key, "content[0].value") == 0) {
		v = text_equal(e->text, lit.data, false) ? V_PASS : V_FAIL;
	} else if (strcmp(key, "id") == 0 || strcmp(key, "guid") == 0) {
		v = e->id && strcmp(e->id, lit.data) == 0 ? V_PASS : V_FAIL;
	} else if (strcmp(key, "link") == 0) {
		v = e->link && strcmp(e->link, lit.data) == 0 ? V_PASS : V_FAIL;
	} else if (strcmp(key, "author") == 0) {
		v = e->author && strcmp(e->author, lit.data) == 0 ? V_PASS
		                                                  : V_FAIL;
	} else if (strcmp(key, "updated") == 0 ||
	           strcmp(key, "published") == 0) {
		int64_t want = date_parse(lit.data);
		int64_t got = key[0] == 'p'                ? e->published
		              : e->updated != TIME_UNKNOWN ? e->updated
		                                           : e->published;

		v = want != TIME_UNKNOWN && got == want ? V_PASS : V_FAIL;
	}
out:
	buf_free(&lit);
	return v;
}

struct tally {
	int rows, pass, fail, skip, parse_fail; /* value checks */
	int known, unlisted, stale;             /* against the known list */
	int bozo_rows, bozo_agree;              /* bozo agreement */
};

/* The known differences: "path<TAB>reason" lines, '#' comments. */
struct known {
	char **paths;   /* manifest paths */
	char **reasons; /* why each one differs */
	bool *seen;     /* the row was met and failed */
	size_t n;       /* entries */
};

static void known_load(struct known *k)
{
	char path[1024], *line = NULL;
	size_t cap = 0;
	FILE *fp;

	memset(k, 0, sizeof(*k));
	snprintf(path, sizeof(path),
	         "%s/fixtures/feedparser-known-differences.tsv",
	         test_tests_dir());
	fp = fopen(path, "r");
	if (!fp) {
		fprintf(stderr, "missing %s\n", path);
		test_failures++;
		return;
	}
	while (getline(&line, &cap, fp) > 0) {
		char *tab = strchr(line, '\t');

		line[strcspn(line, "\n")] = '\0';
		if (line[0] == '#' || !tab)
			continue;
		*tab = '\0';
		k->paths = realloc(k->paths, (k->n + 1) * sizeof(*k->paths));
		k->reasons =
		    realloc(k->reasons, (k->n + 1) * sizeof(*k->reasons));
		k->seen = realloc(k->seen, (k->n + 1) * sizeof(*k->seen));
		if (!k->paths || !k->reasons || !k->seen)
			abort();
		k->paths[k->n] = strdup(line);
		k->reasons[k->n] = strdup(tab + 1);
		k->seen[k->n] = false;
		if (!k->paths[k->n] || !k->reasons[k->n])
			abort();
		k->n++;
	}
	free(line);
	fclose(fp);
}

static long known_find(const struct known *k, const char *path)
{
	size_t i;

	for (i = 0; i < k->n; i++)
		if (strcmp(k->paths[i], path) == 0)
			return (long)i;
	return -1;
}

static void known_free(struct known *k)
{
	size_t i;

	for (i = 0; i < k->n; i++) {
		free(k->paths[i]);
		free(k->reasons[i]);
	}
	free(k->paths);
	free(k->reasons);
	free(k->seen);
}

static enum verdict evaluate(const struct feed_doc *doc, char *expect,
                             struct tally *t, bool *bozo_agrees, bool *has_bozo)
{
	char *clauses[16];
	int n, i, values = 0;
	enum verdict all = V_PASS;

	*has_bozo = false;
	n = split_clauses(expect, clauses, (int)ARRAY_SIZE(clauses));
	if (n < 0)
		return V_SKIP;
	for (i = 0; i < n; i++) {
		char *c = trim(clauses[i]), *eq;
		enum verdict v;

		if (strcmp(c, "bozo") == 0 || strcmp(c, "not bozo") == 0) {
			*has_bozo = true;
			*bozo_agrees =
			    (c[0] == 'b') == (doc && doc->n_warnings > 0);
			continue;
		}
		eq = strstr(c, " == ");
		if (!eq)
			return V_SKIP;
		*eq = '\0';
		if (!doc) {
			all = V_FAIL;
			values++;
			continue;
		}
		v = value_clause(doc, trim(c), trim(eq + 4));
		if (v == V_SKIP)
			return V_SKIP;
		values++;
		if (v == V_FAIL)
			all = V_FAIL;
	}
	(void)t;
	return values ? all : V_SKIP;
}

static void test_feedparser_corpus(void)
{
	char path[1024], *line = NULL;
	size_t cap = 0;
	FILE *fp;
	struct tally t = {0};
	struct known known;
	size_t k;

	known_load(&known);

	snprintf(path, sizeof(path), "%s/corpus/feedparser/manifest.tsv",
	         test_shared_dir());
	fp = fopen(path, "r");
	REQUIRE(fp);
	REQUIRE(getline(&line, &cap, fp) > 0);
	while (getline(&line, &cap, fp) > 0) {
		char *col[9] = {0}, *p = line, *data = NULL, fpath[1024],
		     base[1100];
		char err[256], ct[256] = "";
		struct feed_parse_opts opts = {0};
		struct feed_doc *doc = NULL;
		size_t len;
		int i;
		bool bozo_agrees = false, has_bozo;
		enum verdict v;

		line[strcspn(line, "\n")] = '\0';
		for (i = 0; i < 9 && p; i++) {
			col[i] = p;
			p = strchr(p, '\t');
			if (p)
				*p++ = '\0';
		}
		if (!col[4] || strcmp(col[4], "yes") != 0)
			continue;
		unquote_field(col[3]);
		if (col[8] && strncasecmp(col[8], "Content-type:", 13) == 0) {
			snprintf(ct, sizeof(ct), "%s", trim(col[8] + 13));
			opts.content_type = ct;
		}
		/* feedparser's harness serves the files from here, unless
		 * the simulated response names another place. */
		if (col[8] && strncasecmp(col[8], "Content-Location:", 17) == 0)
			snprintf(base, sizeof(base), "%s", trim(col[8] + 17));
		else
			snprintf(base, sizeof(base), "http://127.0.0.1:8097/%s",
			         col[0]);
		opts.base_url = base;
		snprintf(fpath, sizeof(fpath), "%s/corpus/feedparser/%s",
		         test_shared_dir(), col[0]);
		if (util_read_file(fpath, 0, &data, &len) < 0) {
			fprintf(stderr, "missing %s\n", fpath);
			test_failures++;
			continue;
		}
		if (feed_parse(data, len, &opts, &doc, err, sizeof(err)) < 0)
			doc = NULL;
		free(data);
		v = evaluate(doc, col[3], &t, &bozo_agrees, &has_bozo);
		if (has_bozo) {
			t.bozo_rows++;
			t.bozo_agree += bozo_agrees;
		}
		t.rows++;
		if (v == V_PASS) {
			long ki = known_find(&known, col[0]);

			t.pass++;
			if (ki >= 0) {
				printf("FAIL (listed but passes): %s\n",
				       col[0]);
				t.stale++;
			}
		} else if (v == V_FAIL) {
			long ki = known_find(&known, col[0]);

			t.fail++;
			if (!doc)
				t.parse_fail++;
			if (ki >= 0) {
				t.known++;
				known.seen[ki] = true;
				printf("known difference: %s: %s\n", col[0],
				       known.reasons[ki]);
			} else {
				t.unlisted++;
				printf("FAIL (not a known difference): %s "
				       "(%s)\n",
				       col[0], doc ? "value" : err);
			}
		} else {
			t.skip++;
		}
		feed_doc_free(doc);
	}
	free(line);
	fclose(fp);
	printf("feedparser core rows: %d; value checks: %d pass, %d fail "
	       "(%d unparsed), %d not expressible\n",
	       t.rows, t.pass, t.fail, t.parse_fail, t.skip);
	printf("feedparser value pass rate: %.1f%%\n",
	       100.0 * t.pass / (t.pass + t.fail ? t.pass + t.fail : 1));
	printf("failures: %d known differences, %d unlisted; %d listed rows "
	       "pass\n",
	       t.known, t.unlisted, t.stale);
	printf("bozo agreement (warnings vs bozo): %d/%d\n", t.bozo_agree,
	       t.bozo_rows);
	for (k = 0; k < known.n; k++)
		if (!known.seen[k])
			printf("note: listed row not met: %s\n",
			       known.paths[k]);
	ASSERT_INT_EQ(t.unlisted, 0);
	ASSERT_INT_EQ(t.stale, 0);
	known_free(&known);
	ASSERT(t.rows > 1000);
	ASSERT(t.pass + t.fail > 800);
	ASSERT((double)t.pass / (t.pass + t.fail) >= FEEDPARSER_VALUE_FLOOR);
}

TEST_MAIN(TEST(test_feedparser_corpus))
