/*
 * store_search.c — `demarche posts` in the store: the search language
 * (parsed here, pure), the filtered query built from a struct
 * store_post_filter with every value bound (never spliced), and the rows
 * streamed to a callback: SQLite steps through its result as it goes;
 * PostgreSQL reads through a cursor, a batch at a time, since libpq would
 * otherwise hold the whole result in memory.  Also the fill of the FTS5
 * index when schema/0009_search.sql is applied to an existing log.
 */
#include "store_search.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "progress.h"
#include "store.h"
#include "store_int.h"
#include "util.h"

/* Posts fetched per round trip from a PostgreSQL cursor (the two must
 * agree). */
#define CURSOR_BATCH 2000
#define CURSOR_FETCH "FETCH 2000 FROM demarche_posts"
/* Posts indexed per statement while 0009 fills the index. */
#define INDEX_BATCH 20000
/* The versions of schema/0009_search.sql and 0016_version_search.sql. */
#define SEARCH_SCHEMA         9
#define VERSION_SEARCH_SCHEMA 16

/* ---- the search language ------------------------------------------ */

struct search_term {
	char *text;     /* the word or phrase, as written (no quotes) */
	size_t n_chars; /* UTF-8 characters in it */
	int group;      /* index of its AND group; groups are ORed */
};

struct store_search {
	struct search_term *terms;
	size_t n;
	int n_groups;
};

void store_search_free(struct store_search *q)
{
	size_t i;

	if (!q)
		return;
	for (i = 0; i < q->n; i++)
		free(q->terms[i].text);
	free(q->terms);
	free(q);
}

static size_t utf8_chars(const char *s, size_t n)
{
	size_t i, c = 0;

	for (i = 0; i < n; i++)
		if (((unsigned char)s[i] & 0xC0) != 0x80)
			c++;
	return c;
}

static int add_term(struct store_search *q, const char *s, size_t n, int group)
{
	struct search_term *t;

	t = realloc(q->terms, (q->n + 1) * sizeof(*t));
	if (!t)
		return -ENOMEM;
	q->terms = t;
	t = &q->terms[q->n];
	t->text = strndup(s, n);
	if (!t->text)
		return -ENOMEM;
	t->n_chars = utf8_chars(s, n);
	t->group = group;
	q->n++;
	return 0;
}

static int syntax(char *err, size_t errlen, const char *q, const char *at,
                  const char *what)
{
	snprintf(err, errlen, "bad search query: %s at character %zu", what,
	         utf8_chars(q, (size_t)(at - q)) + 1);
	return -EINVAL;
}

static bool is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

int store_search_parse(const char *q, struct store_search **out, char *err,
                       size_t errlen)
{
	struct store_search *s;
	const char *p = q, *start, *or_at = NULL;
	int group = 0, rc = 0;
	bool group_empty = true;

	s = calloc(1, sizeof(*s));
	if (!s)
		return -ENOMEM;
	for (;;) {
		while (is_space(*p))
			p++;
		if (!*p)
			break;
		start = p;
		if (*p == '"') {
			const char *end = strchr(p + 1, '"');

			if (!end) {
				rc = syntax(err, errlen, q, p,
				            "unterminated quote");
				goto out_free_search;
			}
			if (end == p + 1) {
				rc = syntax(err, errlen, q, p, "empty phrase");
				goto out_free_search;
			}
			rc = add_term(s, p + 1, (size_t)(end - p - 1), group);
			p = end + 1;
		} else {
			while (*p && !is_space(*p) && *p != '"')
				p++;
			if (p - start == 2 && memcmp(start, "OR", 2) == 0) {
				if (group_empty) {
					rc =
					    syntax(err, errlen, q, start,
					           "OR needs a term before it");
					goto out_free_search;
				}
				group++;
				group_empty = true;
				or_at = start;
				continue;
			}
			rc = add_term(s, start, (size_t)(p - start), group);
		}
		if (rc < 0)
			goto out_free_search;
		group_empty = false;
	}
	if (s->n == 0) {
		snprintf(err, errlen, "bad search query: it is empty");
		rc = -EINVAL;
		goto out_free_search;
	}
	if (group_empty) {
		rc = syntax(err, errlen, q, or_at, "OR needs a term after it");
		goto out_free_search;
	}
	s->n_groups = group + 1;
	*out = s;
	return 0;
out_free_search:
	store_search_free(s);
	return rc;
}

/* ---- the query ------------------------------------------------------ */

/* The values bound to the query, in the order of their ?N. */
struct binds {
	const char *text[64];
	int64_t num[64];
	bool is_num[64];
	char *owned[64]; /* strings made here, freed after */
	int n;
};

static int bind_text(struct binds *b, const char *v, char *owned)
{
	if (b->n >= 64) {
		free(owned);
		return -E2BIG;
	}
	b->text[b->n] = v;
	b->owned[b->n] = owned;
	b->is_num[b->n] = false;
	return ++b->n;
}

static int bind_num(struct binds *b, int64_t v)
{
	if (b->n >= 64)
		return -E2BIG;
	b->num[b->n] = v;
	b->owned[b->n] = NULL;
	b->is_num[b->n] = true;
	return ++b->n;
}

static void binds_free(struct binds *b)
{
	int i;

	for (i = 0; i < b->n; i++)
		free(b->owned[i]);
}

/* "%term%" for LIKE, with its wildcards escaped by backslash. */
static char *like_pattern(const char *t)
{
	size_t n = strlen(t), i, j = 0;
	char *p = malloc(2 * n + 3);

	if (!p)
		return NULL;
	p[j++] = '%';
	for (i = 0; i < n; i++) {
		if (t[i] == '%' || t[i] == '_' || t[i] == '\\')
			p[j++] = '\\';
		p[j++] = t[i];
	}
	p[j++] = '%';
	p[j] = '\0';
	return p;
}

/* An FTS5 string: the term in double quotes, its quotes doubled. */
static char *fts_string(const char *t)
{
	size_t n = strlen(t), i, j = 0;
	char *p = malloc(2 * n + 3);

	if (!p)
		return NULL;
	p[j++] = '"';
	for (i = 0; i < n; i++) {
		if (t[i] == '"')
			p[j++] = '"';
		p[j++] = t[i];
	}
	p[j++] = '"';
	p[j] = '\0';
	return p;
}

/* Where a search looks and how, and the ?N of each value once bound
 * (0: not yet), so the three uses of a term share one value. */
struct search_ctx {
	const struct store_search *q;
	enum db_dialect d;
	bool fts;      /* the SQLite log has posts_fts (0009) */
	bool versions; /* the log has post_versions (0008) */
	bool vfts;     /* the SQLite log has post_versions_fts (0016) */
	int *like_k;   /* per term: its LIKE pattern */
	int *fts_k;    /* per term: its FTS5 string */
	int *group_k;  /* per group: its long terms ANDed, for FTS5 */
};

/* Whether term t goes to an FTS5 index (three characters or more). */
static bool term_fts(const struct search_term *t)
{
	return t->n_chars >= 3;
}

static int like_bind(struct search_ctx *c, struct binds *b, size_t i)
{
	char *v;

	if (c->like_k[i])
		return c->like_k[i];
	v = like_pattern(c->q->terms[i].text);
	if (!v)
		return -ENOMEM;
	return c->like_k[i] = bind_text(b, v, v);
}

static int fts_bind(struct search_ctx *c, struct binds *b, size_t i)
{
	char *v;

	if (c->fts_k[i])
		return c->fts_k[i];
	v = fts_string(c->q->terms[i].text);
	if (!v)
		return -ENOMEM;
	return c->fts_k[i] = bind_text(b, v, v);
}

/* The long terms of group g as one FTS5 query, "a" AND "b"; 0 when the
 * group has none. */
static int group_bind(struct search_ctx *c, struct binds *b, int g)
{
	struct buf v = {0};
	char *t;
	size_t i;
	int rc = 0;

	if (c->group_k[g])
		return c->group_k[g];
	for (i = 0; i < c->q->n && rc == 0; i++) {
		if (c->q->terms[i].group != g || !term_fts(&c->q->terms[i]))
			continue;
		t = fts_string(c->q->terms[i].text);
		if (!t)
			rc = -ENOMEM;
		else
			rc = buf_printf(&v, "%s%s", v.len ? " AND " : "", t);
		free(t);
	}
	if (rc < 0 || !v.len) {
		buf_free(&v);
		return rc;
	}
	t = buf_steal(&v);
	return c->group_k[g] = bind_text(b, t, t);
}

/* One term's condition on the post's current text (p.text). */
static int term_sql(struct buf *sql, struct binds *b, struct search_ctx *c,
                    size_t i)
{
	int k;

	if (c->d == DB_SQLITE && c->fts && term_fts(&c->q->terms[i])) {
		if ((k = fts_bind(c, b, i)) < 0)
			return k;
		return buf_printf(sql,
		                  "p.id IN (SELECT rowid FROM posts_fts"
		                  " WHERE posts_fts MATCH ?%d)",
		                  k);
	}
	if ((k = like_bind(c, b, i)) < 0)
		return k;
	return buf_printf(sql, "p.text %s ?%d ESCAPE '\\'",
	                  c->d == DB_POSTGRES ? "ILIKE" : "LIKE", k);
}

/* Group g on one wording v of the post (post_versions v). */
static int version_cond(struct buf *sql, struct binds *b, struct search_ctx *c,
                        int g)
{
	bool first = true;
	size_t i;
	int k, rc = 0;

	if (c->vfts && (k = group_bind(c, b, g)) != 0) {
		if (k < 0)
			return k;
		rc = buf_printf(sql,
		                "(v.post_id * 1048576 + v.version) IN (SELECT"
		                " rowid FROM post_versions_fts WHERE"
		                " post_versions_fts MATCH ?%d)",
		                k);
		first = false;
	}
	for (i = 0; i < c->q->n && rc >= 0; i++) {
		if (c->q->terms[i].group != g ||
		    (c->vfts && term_fts(&c->q->terms[i])))
			continue;
		if ((k = like_bind(c, b, i)) < 0)
			return k;
		rc = buf_printf(sql, "%sv.text %s ?%d ESCAPE '\\'",
		                first ? "" : " AND ",
		                c->d == DB_POSTGRES ? "ILIKE" : "LIKE", k);
		first = false;
	}
	return rc < 0 ? -ENOMEM : 0;
}

/* Group g on any wording of the post: through the index alone when every
 * term is in it. */
static int version_group(struct buf *sql, struct binds *b, struct search_ctx *c,
                         int g)
{
	bool all_fts = c->vfts;
	size_t i;
	int k = 0;

	for (i = 0; i < c->q->n; i++)
		if (c->q->terms[i].group == g && !term_fts(&c->q->terms[i]))
			all_fts = false;
	if (all_fts) {
		if ((k = group_bind(c, b, g)) < 0)
			return k;
		return buf_printf(sql,
		                  "p.id IN (SELECT rowid >> 20 FROM"
		                  " post_versions_fts WHERE post_versions_fts"
		                  " MATCH ?%d)",
		                  k);
	}
	if (buf_puts(sql, "EXISTS (SELECT 1 FROM post_versions v WHERE"
	                  " v.post_id = p.id AND ") < 0 ||
	    (k = version_cond(sql, b, c, g)) < 0 || buf_putc(sql, ')') < 0)
		return k < 0 ? k : -ENOMEM;
	return 0;
}

enum search_on {
	ON_TEXT,     /* p.text */
	ON_VERSIONS, /* any wording of p */
	ON_VERSION,  /* the wording v */
};

/* The whole query (groups ORed, terms ANDed) on one of the three. */
static int search_on(struct buf *sql, struct binds *b, struct search_ctx *c,
                     enum search_on on)
{
	int g, rc = 0;
	size_t i;

	rc = buf_putc(sql, '(');
	for (g = 0; g < c->q->n_groups && rc >= 0; g++) {
		bool first = true;

		rc = buf_puts(sql, g ? " OR (" : "(");
		if (rc >= 0 && on == ON_VERSIONS)
			rc = version_group(sql, b, c, g);
		else if (rc >= 0 && on == ON_VERSION)
			rc = version_cond(sql, b, c, g);
		for (i = 0; on == ON_TEXT && i < c->q->n && rc >= 0; i++) {
			if (c->q->terms[i].group != g)
				continue;
			if (!first)
				rc = buf_puts(sql, " AND ");
			first = false;
			if (rc >= 0)
				rc = term_sql(sql, b, c, i);
		}
		if (rc >= 0)
			rc = buf_putc(sql, ')');
	}
	if (rc >= 0)
		rc = buf_putc(sql, ')');
	return rc < 0 ? (rc == -E2BIG ? rc : -ENOMEM) : 0;
}

/* The search's columns: whether the current text matches, and which
 * wordings ("1,3"), into cols; its condition into where. */
static int search_sql(struct buf *cols, struct buf *where, struct binds *b,
                      struct search_ctx *c)
{
	int rc;

	rc = buf_puts(cols, ", CASE WHEN ");
	if (rc == 0)
		rc = search_on(cols, b, c, ON_TEXT);
	if (rc == 0)
		rc = buf_puts(cols, " THEN 1 ELSE 0 END");
	if (rc == 0 && !c->versions)
		rc = buf_puts(cols, ", NULL");
	else if (rc == 0)
		rc = buf_puts(
		    cols, c->d == DB_POSTGRES
		              ? ", (SELECT string_agg(v.version::text, ','"
		                " ORDER BY v.version) FROM post_versions v"
		                " WHERE v.post_id = p.id AND "
		              : ", (SELECT group_concat(x.version, ',')"
		                " FROM (SELECT v.version FROM post_versions v"
		                " WHERE v.post_id = p.id AND ");
	if (rc == 0 && c->versions)
		rc = search_on(cols, b, c, ON_VERSION);
	if (rc == 0 && c->versions)
		rc = buf_puts(cols, c->d == DB_POSTGRES
		                        ? ")"
		                        : " ORDER BY v.version) x)");
	if (rc == 0)
		rc = buf_puts(where, " AND (");
	if (rc == 0)
		rc = search_on(where, b, c, ON_TEXT);
	if (rc == 0 && c->versions) {
		rc = buf_puts(where, " OR ");
		if (rc == 0)
			rc = search_on(where, b, c, ON_VERSIONS);
	}
	if (rc == 0)
		rc = buf_putc(where, ')');
	return rc;
}

/* " AND col IN (?a, ?b ...)" over values. */
static int in_list(struct buf *sql, struct binds *b, const char *col,
                   const char *const *v, size_t n)
{
	size_t i;
	int k, rc = buf_printf(sql, " AND %s IN (", col);

	for (i = 0; i < n && rc >= 0; i++) {
		if ((k = bind_text(b, v[i], NULL)) < 0)
			return k;
		rc = buf_printf(sql, "%s?%d", i ? ", " : "", k);
	}
	if (rc >= 0)
		rc = buf_puts(sql, ")");
	return rc < 0 ? -ENOMEM : 0;
}

static int category_sql(struct buf *sql, struct binds *b,
                        const struct store_post_filter *f)
{
	const char *keys[64];
	size_t i, n = 0;
	bool none = false;
	int k, rc = 0;

	for (i = 0; i < f->n_categories && n < 64; i++) {
		if (strcmp(f->categories[i], "none") == 0)
			none = true;
		else
			keys[n++] = f->categories[i];
	}
	rc |= buf_puts(sql, " AND (");
	if (n) {
		rc |= buf_puts(sql,
		               "EXISTS (SELECT 1 FROM post_categories c"
		               " WHERE c.post_id = p.id AND c.category IN (");
		for (i = 0; i < n; i++) {
			if ((k = bind_text(b, keys[i], NULL)) < 0)
				return k;
			rc |= buf_printf(sql, "%s?%d", i ? ", " : "", k);
		}
		rc |= buf_puts(sql, "))");
	}
	if (none)
		rc |= buf_printf(sql,
		                 "%sNOT EXISTS (SELECT 1 FROM post_categories c"
		                 " WHERE c.post_id = p.id)",
		                 n ? " OR " : "");
	rc |= buf_puts(sql, ")");
	return rc < 0 ? -ENOMEM : 0;
}

/* Whether the log has posts.deleted_seen (schema 0007) / posts_fts. */
static int has_object(struct store *st, const char *sqlite_q, const char *pg_q)
{
	struct db_stmt *s = NULL;
	int rc;

	rc = db_prepare(st->db,
	                db_dialect(st->db) == DB_SQLITE ? sqlite_q : pg_q, &s);
	if (rc < 0)
		return rc;
	rc = db_step(s);
	db_finalize(s);
	return rc < 0 ? rc : rc == DB_ROW;
}

static int has_deleted_seen(struct store *st)
{
	return has_object(
	    st,
	    "SELECT 1 FROM pragma_table_info('posts')"
	    " WHERE name = 'deleted_seen'",
	    "SELECT 1 FROM information_schema.columns WHERE table_name ="
	    " 'posts' AND column_name = 'deleted_seen'"
	    " AND table_schema = current_schema()");
}

static int has_clusters(struct store *st)
{
	return has_object(
	    st, "SELECT 1 FROM sqlite_master WHERE name = 'post_clusters'",
	    "SELECT 1 FROM information_schema.tables WHERE table_name ="
	    " 'post_clusters' AND table_schema = current_schema()");
}

static int has_fts(struct store *st)
{
	return has_object(
	    st, "SELECT 1 FROM sqlite_master WHERE name = 'posts_fts'",
	    "SELECT 1 WHERE false");
}

static void search_ctx_free(struct search_ctx *c)
{
	free(c->like_k);
	free(c->fts_k);
	free(c->group_k);
}

/* What the log offers a search: posts_fts, post_versions and its index.
 * Returns 0 or a negative errno. */
static int search_ctx_init(struct store *st, const struct store_search *q,
                           struct search_ctx *c)
{
	int fts = 0, ver, vfts = 0;

	memset(c, 0, sizeof(*c));
	c->q = q;
	c->d = db_dialect(st->db);
	ver = has_object(st,
	                 "SELECT 1 FROM sqlite_master WHERE name ="
	                 " 'post_versions'",
	                 "SELECT 1 FROM information_schema.tables WHERE"
	                 " table_name = 'post_versions'"
	                 " AND table_schema = current_schema()");
	if (ver >= 0 && c->d == DB_SQLITE)
		fts = has_fts(st);
	if (ver >= 0 && fts >= 0 && c->d == DB_SQLITE)
		vfts = has_object(st,
		                  "SELECT 1 FROM sqlite_master WHERE name ="
		                  " 'post_versions_fts'",
		                  "SELECT 1 WHERE false");
	if (ver < 0 || fts < 0 || vfts < 0)
		return ver < 0 ? ver : fts < 0 ? fts : vfts;
	c->fts = fts == 1;
	c->versions = ver == 1;
	c->vfts = vfts == 1;
	c->like_k = calloc(q->n, sizeof(int));
	c->fts_k = calloc(q->n, sizeof(int));
	c->group_k = calloc((size_t)q->n_groups, sizeof(int));
	if (!c->like_k || !c->fts_k || !c->group_k) {
		search_ctx_free(c);
		return -ENOMEM;
	}
	return 0;
}

/* The filter's conditions (but the search), " AND ..." each. */
static int filter_sql(struct buf *sql, struct binds *b,
                      const struct store_post_filter *f)
{
	int rc = 0, k;

	if (f->n_accounts &&
	    (rc = in_list(sql, b, "a.handle", f->accounts, f->n_accounts)) < 0)
		return rc;
	if (f->role) {
		if ((k = bind_text(b, f->role, NULL)) < 0)
			return k;
		rc |= buf_printf(sql, " AND a.role = ?%d", k);
	}
	if (f->country) {
		if ((k = bind_text(b, f->country, NULL)) < 0)
			return k;
		rc |= buf_printf(sql, " AND upper(a.country) = upper(?%d)", k);
	}
	if (f->n_categories && (rc = category_sql(sql, b, f)) < 0)
		return rc;
	if (f->since != INT64_MIN) {
		if ((k = bind_num(b, f->since)) < 0)
			return k;
		rc |= buf_printf(sql, " AND p.report_time >= ?%d", k);
	}
	if (f->until != INT64_MAX) {
		if ((k = bind_num(b, f->until)) < 0)
			return k;
		rc |= buf_printf(sql, " AND p.report_time < ?%d", k);
	}
	if (f->edited)
		rc |= buf_puts(sql, " AND p.edit_count > 0");
	if (f->deleted)
		rc |= buf_puts(sql, " AND p.deleted_seen IS NOT NULL");
	if (f->reposts >= 0)
		rc |= buf_printf(sql, " AND p.is_repost = %d",
		                 f->reposts ? 1 : 0);
	if (f->lang) {
		char *pat = NULL;

		if ((k = bind_text(b, f->lang, NULL)) < 0)
			return k;
		pat = malloc(strlen(f->lang) + 3);
		if (!pat)
			return -ENOMEM;
		snprintf(pat, strlen(f->lang) + 3, "%s-%%", f->lang);
		rc |= buf_printf(sql, " AND (lower(p.lang) = lower(?%d)", k);
		if ((k = bind_text(b, pat, pat)) < 0)
			return k;
		rc |= buf_printf(sql, " OR lower(p.lang) LIKE lower(?%d))", k);
	}
	return rc < 0 ? -ENOMEM : 0;
}

/* The statement a post belongs to: the earliest post's id when it is a
 * copy or has copies (post_clusters, schema 0010), else NULL. */
#define STATEMENT_ID                                                \
	"COALESCE((SELECT k.cluster_id FROM post_clusters k"        \
	" WHERE k.post_id = p.id), CASE WHEN EXISTS (SELECT 1 FROM" \
	" post_clusters k WHERE k.cluster_id = p.id) THEN p.id END)"

/* The SELECT of a filter.  Columns: see read_row(); c is the search's,
 * or NULL. */
static int build_query(struct store *st, const struct store_post_filter *f,
                       bool deleted_col, bool frac_col, bool clusters,
                       struct search_ctx *c, struct buf *sql, struct binds *b)
{
	enum db_dialect d = db_dialect(st->db);
	struct buf cols = {0}, where = {0};
	int rc, k;

	if (c && (rc = search_sql(&cols, &where, b, c)) < 0)
		goto out_free_bufs;
	/* post_categories' key is (post_id, category): SQLite reads a
	 * post's rows in category order already. */
	rc = buf_printf(
	    sql,
	    "SELECT p.id, a.handle, a.role, a.country, p.url, p.published,"
	    " p.first_seen, p.report_time, p.text, p.lang, p.edit_count,"
	    " %s, p.is_repost, (SELECT %s FROM post_categories c"
	    " WHERE c.post_id = p.id), %s%s, %s"
	    " FROM posts p JOIN accounts a ON a.id = p.account_id WHERE 1 = 1",
	    deleted_col ? "p.deleted_seen" : "NULL",
	    d == DB_SQLITE ? "group_concat(c.category || ' ' || c.score, ';')"
	                   : "string_agg(c.category || ' ' || c.score::text,"
	                     " ';' ORDER BY c.category)",
	    frac_col ? "p.published_us" : "NULL",
	    c ? cols.data : ", NULL, NULL", clusters ? STATEMENT_ID : "NULL");
	if (rc >= 0)
		rc = filter_sql(sql, b, f);
	if (rc >= 0 && c)
		rc = buf_puts(sql, where.data);
	if (rc >= 0)
		rc = buf_puts(sql, " ORDER BY p.report_time DESC, p.id DESC");
	if (rc >= 0 && f->limit > 0) {
		if ((k = bind_num(b, f->limit)) < 0)
			rc = k;
		else
			rc = buf_printf(sql, " LIMIT ?%d", k);
	}
	if (rc > 0)
		rc = 0;
out_free_bufs:
	buf_free(&cols);
	buf_free(&where);
	return rc;
}

static int64_t col_time(struct db_stmt *s, int i)
{
	return db_column_null(s, i) ? INT64_MIN : db_column_int64(s, i);
}

static void read_row(struct db_stmt *s, struct store_post_row *r)
{
	r->id = db_column_int64(s, 0);
	r->account = db_column_text(s, 1);
	r->role = db_column_text(s, 2);
	r->country = db_column_text(s, 3);
	r->url = db_column_text(s, 4);
	r->published = col_time(s, 5);
	r->first_seen = db_column_int64(s, 6);
	r->report_time = db_column_int64(s, 7);
	r->text = db_column_text(s, 8);
	r->lang = db_column_text(s, 9);
	r->edit_count = db_column_int(s, 10);
	r->deleted_seen = col_time(s, 11);
	r->is_repost = db_column_int(s, 12) != 0;
	r->categories = db_column_text(s, 13);
	r->published_us =
	    db_column_null(s, 14) ? -1 : (int32_t)db_column_int64(s, 14);
	r->search_current = db_column_null(s, 15) ? -1 : db_column_int(s, 15);
	r->search_versions = db_column_text(s, 16);
	r->cluster_id = db_column_null(s, 17) ? 0 : db_column_int64(s, 17);
}

/* Steps s to its end, one callback per row; returns 0, fn's non-zero
 * value, or a negative errno; *rows counts them. */
static int drain(struct db_stmt *s,
                 int (*fn)(void *ctx, const struct store_post_row *row),
                 void *ctx, int64_t *rows)
{
	struct store_post_row r;
	int rc;

	while ((rc = db_step(s)) == DB_ROW) {
		read_row(s, &r);
		(*rows)++;
		rc = fn(ctx, &r);
		if (rc != 0)
			return rc;
	}
	return rc;
}

static int bind_all(struct db_stmt *s, const struct binds *b)
{
	int i, rc = 0;

	for (i = 0; i < b->n && rc == 0; i++)
		rc = b->is_num[i] ? db_bind_int64(s, i + 1, b->num[i])
		                  : db_bind_text(s, i + 1, b->text[i]);
	return rc;
}

/* PostgreSQL: DECLARE a cursor in a transaction and FETCH batches. */
static int each_pg(struct store *st, const char *query, const struct binds *b,
                   int (*fn)(void *ctx, const struct store_post_row *row),
                   void *ctx)
{
	struct db_stmt *s = NULL;
	struct buf decl = {0};
	int64_t rows;
	int rc;

	rc = db_exec(st->db, "BEGIN READ ONLY");
	if (rc < 0)
		return rc;
	if (buf_printf(&decl, "DECLARE demarche_posts NO SCROLL CURSOR FOR %s",
	               query) < 0) {
		rc = -ENOMEM;
		goto out_rollback;
	}
	rc = db_prepare(st->db, decl.data, &s);
	if (rc == 0)
		rc = bind_all(s, b);
	if (rc == 0)
		rc = db_step(s);
	db_finalize(s);
	s = NULL;
	if (rc < 0)
		goto out_rollback;
	rc = db_prepare(st->db, CURSOR_FETCH, &s);
	if (rc < 0)
		goto out_rollback;
	do {
		rows = 0;
		db_reset(s);
		rc = drain(s, fn, ctx, &rows);
	} while (rc == 0 && rows == CURSOR_BATCH);
	db_finalize(s);
out_rollback:
	/* Read only: ending it either way closes the cursor. */
	db_exec(st->db, "ROLLBACK");
	buf_free(&decl);
	return rc;
}

int store_posts_each(struct store *st, const struct store_post_filter *f,
                     int (*fn)(void *ctx, const struct store_post_row *row),
                     void *ctx, char *err, size_t errlen)
{
	struct binds b = {0};
	struct buf sql = {0};
	struct db_stmt *s = NULL;
	struct search_ctx c = {0};
	int64_t rows = 0;
	int del, clu = 0, rc = 0;

	del = has_deleted_seen(st);
	if (del >= 0 && f->search)
		rc = search_ctx_init(st, f->search, &c);
	if (del >= 0 && rc >= 0)
		clu = has_clusters(st);
	if (del < 0 || rc < 0 || clu < 0) {
		rc = del < 0 ? del : rc < 0 ? rc : clu;
		snprintf(err, errlen, "%s",
		         rc == -ENOMEM ? "out of memory" : db_errmsg(st->db));
		search_ctx_free(&c);
		return rc;
	}
	if (f->deleted && !del) {
		snprintf(err, errlen,
		         "--deleted: this log does not record deletions yet"
		         " (no posts.deleted_seen; a newer demarched adds it)");
		search_ctx_free(&c);
		return -ENOTSUP;
	}
	rc = build_query(st, f, del == 1, store_schema_version(st) >= 13,
	                 clu == 1, f->search ? &c : NULL, &sql, &b);
	if (rc < 0) {
		snprintf(err, errlen, "%s",
		         rc == -E2BIG ? "too many filter values"
		                      : strerror(-rc));
		goto out_free_sql;
	}
	if (db_dialect(st->db) == DB_POSTGRES) {
		rc = each_pg(st, sql.data, &b, fn, ctx);
	} else {
		/* An export reads the whole file once: a small page cache and
		 * no memory map keep the process small however big the log. */
		db_exec(st->db,
		        "PRAGMA mmap_size = 0; PRAGMA cache_size = -8192");
		rc = db_prepare(st->db, sql.data, &s);
		if (rc == 0)
			rc = bind_all(s, &b);
		if (rc == 0)
			rc = drain(s, fn, ctx, &rows);
		db_finalize(s);
	}
	if (rc < 0)
		snprintf(err, errlen, "%s", db_errmsg(st->db));
out_free_sql:
	buf_free(&sql);
	binds_free(&b);
	search_ctx_free(&c);
	return rc;
}

/* ---- known values --------------------------------------------------- */

void store_strings_free(char **v)
{
	size_t i;

	if (!v)
		return;
	for (i = 0; v[i]; i++)
		free(v[i]);
	free(v);
}

int store_known_values(struct store *st, enum store_known_kind kind,
                       char ***out)
{
	static const char *const sql[] = {
	    [STORE_KNOWN_ACCOUNTS] = "SELECT handle FROM accounts ORDER BY 1",
	    [STORE_KNOWN_LANGS] = "SELECT DISTINCT lower(lang) FROM posts"
	                          " WHERE lang IS NOT NULL ORDER BY 1",
	    [STORE_KNOWN_COUNTRIES] = "SELECT DISTINCT upper(country) FROM"
	                              " accounts WHERE country IS NOT NULL"
	                              " ORDER BY 1",
	    [STORE_KNOWN_CATEGORIES] = "SELECT DISTINCT category FROM"
	                               " post_categories ORDER BY 1",
	};
	struct db_stmt *s = NULL;
	char **v = NULL, **nv;
	size_t n = 0;
	int rc;

	rc = db_prepare(st->db, sql[kind], &s);
	while (rc == 0 && (rc = db_step(s)) == DB_ROW) {
		nv = realloc(v, (n + 2) * sizeof(*v));
		if (!nv) {
			rc = -ENOMEM;
			break;
		}
		v = nv;
		v[n] = strdup(db_column_text(s, 0) ? db_column_text(s, 0) : "");
		v[n + 1] = NULL;
		if (!v[n]) {
			rc = -ENOMEM;
			break;
		}
		n++;
		rc = 0;
	}
	db_finalize(s);
	if (rc < 0) {
		store_strings_free(v);
		return rc;
	}
	if (!v && !(v = calloc(1, sizeof(*v))))
		return -ENOMEM;
	*out = v;
	return (int)n;
}

int64_t store_any_posts(struct store *st)
{
	struct db_stmt *s = NULL;
	int64_t n;
	int rc;

	/* Whether there is any: counting a big log would read all of it. */
	rc = db_prepare(st->db,
	                "SELECT count(*) FROM (SELECT 1 FROM posts"
	                " LIMIT 1) x",
	                &s);
	if (rc == 0)
		rc = db_step(s);
	n = rc == DB_ROW ? db_column_int64(s, 0) : rc < 0 ? rc : -EIO;
	db_finalize(s);
	return n;
}

int64_t store_count_posts(struct store *st, int64_t since, int64_t until)
{
	struct db_stmt *s = NULL;
	int64_t n;
	int rc;

	rc = db_prepare(st->db,
	                "SELECT count(*) FROM posts WHERE report_time >= ?1"
	                " AND report_time < ?2",
	                &s);
	if (rc == 0) {
		db_bind_int64(s, 1, since);
		db_bind_int64(s, 2, until);
		rc = db_step(s);
	}
	n = rc == DB_ROW ? db_column_int64(s, 0) : rc < 0 ? rc : -EIO;
	db_finalize(s);
	return n;
}

/* ---- the migration -------------------------------------------------- */

static int64_t query_int64(struct store *st, const char *sql)
{
	struct db_stmt *s = NULL;
	int64_t v;
	int rc;

	rc = db_prepare(st->db, sql, &s);
	if (rc == 0)
		rc = db_step(s);
	v = rc == DB_ROW ? db_column_int64(s, 0) : rc < 0 ? rc : 0;
	db_finalize(s);
	return v;
}

/* One index to fill: what to count, the highest key, and the INSERT of
 * the rows with key in (?1, ?2]. */
struct index_fill {
	const char *what; /* progress label and unit */
	const char *unit;
	const char *count_sql;
	const char *max_sql;
	const char *insert_sql;
};

static const struct index_fill fill_posts = {
    "search index", "posts", "SELECT count(*) FROM posts",
    "SELECT COALESCE(max(id), 0) FROM posts",
    "INSERT INTO posts_fts (rowid, text) SELECT id, text"
    " FROM posts WHERE id > ?1 AND id <= ?2"};

static const struct index_fill fill_versions = {
    "wordings index", "wordings",
    "SELECT count(*) FROM post_versions WHERE version BETWEEN 1 AND 1048575",
    "SELECT COALESCE(max(post_id), 0) FROM post_versions",
    "INSERT INTO post_versions_fts (rowid, text)"
    " SELECT post_id * 1048576 + version, text FROM post_versions"
    " WHERE post_id > ?1 AND post_id <= ?2"
    " AND version BETWEEN 1 AND 1048575"};

static int fill_index(struct store *st, const struct index_fill *x)
{
	struct progress pr;
	struct db_stmt *s = NULL;
	int64_t max_id, total, lo, done = 0;
	int rc;

	max_id = query_int64(st, x->max_sql);
	total = query_int64(st, x->count_sql);
	if (max_id < 0 || total < 0)
		return store_fail_db(st, (int)(max_id < 0 ? max_id : total),
		                     "building the search index");
	if (total == 0)
		return 0;
	rc = db_prepare(st->db, x->insert_sql, &s);
	if (rc < 0)
		return store_fail_db(st, rc, "building the search index");
	progress_start(&pr, stderr, x->what, x->unit, total);
	for (lo = 0; lo < max_id && rc >= 0; lo += INDEX_BATCH) {
		db_reset(s);
		db_bind_int64(s, 1, lo);
		db_bind_int64(s, 2, lo + INDEX_BATCH);
		rc = db_step(s);
		done += db_changes(st->db);
		progress_update(&pr, done);
	}
	progress_end(&pr);
	db_finalize(s);
	if (rc < 0)
		return store_fail_db(st, rc, "building the search index");
	return 0;
}

int store_search_after_migration(struct store *st, int version)
{
	if (db_dialect(st->db) != DB_SQLITE)
		return 0;
	if (version == SEARCH_SCHEMA)
		return fill_index(st, &fill_posts);
	if (version == VERSION_SEARCH_SCHEMA)
		return fill_index(st, &fill_versions);
	return 0;
}
