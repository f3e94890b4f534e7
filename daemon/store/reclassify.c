/*
 * reclassify.c — relabels stored posts in batches (see reclassify.h).
 * The text classified is the one the poller classifies: the title, when it
 * adds something the text does not already contain, a line break, then the
 * text.  A post "changed" when the set of its categories differs from what
 * was stored; scores and evidence are rewritten either way.
 */
#include "reclassify.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include "db.h"

#include "store.h"
#include "util.h"

enum stmt {
	S_BEGIN,
	S_COMMIT,
	S_ROLLBACK,
	S_SELECT,
	S_OLD_CATS,
	S_DELETE,
	S_INSERT,
	S_UPDATE_POST,
	S_COUNT,
	N_STMTS
};

static const char *const sql[N_STMTS] = {
    [S_BEGIN] = "BEGIN IMMEDIATE",
    [S_COMMIT] = "COMMIT",
    [S_ROLLBACK] = "ROLLBACK",
    [S_SELECT] = "SELECT id, title, text, lang FROM posts"
                 " WHERE id > ?1 AND report_time >= ?2"
                 " AND report_time < ?4 ORDER BY id LIMIT ?3",
    [S_OLD_CATS] = "SELECT category FROM post_categories WHERE post_id = ?1",
    [S_DELETE] = "DELETE FROM post_categories WHERE post_id = ?1",
    [S_INSERT] = "INSERT INTO post_categories (post_id, category, score,"
                 " evidence, rules_version, classified_at)"
                 " VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    [S_UPDATE_POST] = "UPDATE posts SET rules_version = ?2 WHERE id = ?1",
    [S_COUNT] = "SELECT count(*) FROM posts WHERE report_time >= ?1"
                " AND report_time < ?2",
};

/* One post of a batch, copied out of the SELECT. */
struct post {
	int64_t id; /* posts.id */
	char *text; /* what is classified */
	char *lang; /* or NULL */
};

struct ctx {
	struct db *db;              /* the store's connection */
	struct db_stmt *s[N_STMTS]; /* prepared statements */
	char *err;                  /* message buffer */
	size_t errlen;              /* its size */
};

static int fail(struct ctx *c, int rc, const char *what)
{
	snprintf(c->err, c->errlen, "%s: %s", what, db_errmsg(c->db));
	return rc < 0 ? rc : -EIO;
}

/* Steps a statement that returns no rows and resets it. */
static int exec(struct ctx *c, enum stmt k, const char *what)
{
	int rc = db_step(c->s[k]);

	db_reset(c->s[k]);
	db_clear_bindings(c->s[k]);
	if (rc != DB_DONE)
		return fail(c, rc, what);
	return 0;
}

/* The stored categories of a post as bits. */
static int old_bits(struct ctx *c, int64_t id, unsigned *bits)
{
	struct db_stmt *s = c->s[S_OLD_CATS];
	int rc;

	*bits = 0;
	db_bind_int64(s, 1, id);
	while ((rc = db_step(s)) == DB_ROW) {
		int i = category_index(db_column_text(s, 0));
		if (i >= 0)
			*bits |= 1u << i;
		else
			*bits |= 1u
			         << CLASSIFY_MAX_CATEGORIES; /* unknown key */
	}
	db_reset(s);
	if (rc != DB_DONE)
		return fail(c, rc, "reading stored categories");
	return 0;
}

static int relabel(struct ctx *c, const struct classify_rules *rules,
                   const struct post *p, int64_t now, int *changed)
{
	struct classify_result res;
	const char *ver = classify_rules_version(rules);
	unsigned before, after = 0;
	size_t i;
	int r;

	r = old_bits(c, p->id, &before);
	if (r < 0)
		return r;
	r = classify_text(rules, p->text, p->lang, &res);
	if (r < 0) {
		snprintf(c->err, c->errlen, "post %lld: classifying: %s",
		         (long long)p->id, strerror(-r));
		return r;
	}
	db_bind_int64(c->s[S_DELETE], 1, p->id);
	if ((r = exec(c, S_DELETE, "deleting categories")) < 0)
		goto out_clear;
	for (i = 0; i < res.n_cats; i++) {
		const struct classify_category *cat = &res.cats[i];
		struct db_stmt *s = c->s[S_INSERT];
		char *ev;

		if (!cat->assigned)
			continue;
		after |= 1u << category_index(cat->key);
		ev = classify_evidence_json(cat);
		if (!ev) {
			snprintf(c->err, c->errlen, "evidence: out of memory");
			r = -ENOMEM;
			goto out_clear;
		}
		db_bind_int64(s, 1, p->id);
		db_bind_text(s, 2, cat->key);
		db_bind_double(s, 3, cat->score);
		db_bind_text(s, 4, ev);
		db_bind_text(s, 5, ver);
		db_bind_int64(s, 6, now);
		free(ev);
		if ((r = exec(c, S_INSERT, "writing a category")) < 0)
			goto out_clear;
	}
	db_bind_int64(c->s[S_UPDATE_POST], 1, p->id);
	db_bind_text(c->s[S_UPDATE_POST], 2, ver);
	r = exec(c, S_UPDATE_POST, "updating the post");
	*changed = before != after;
out_clear:
	classify_result_clear(&res);
	return r;
}

static void posts_free(struct post *v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		free(v[i].text);
		free(v[i].lang);
	}
}

/* How many posts the run selects, for the progress callback; -1 when the
 * count fails (the run itself does not depend on it). */
static int64_t count_selected(struct ctx *c, int64_t since, int64_t until)
{
	struct db_stmt *s = c->s[S_COUNT];
	int64_t n = -1;

	db_bind_int64(s, 1, since);
	db_bind_int64(s, 2, until);
	if (db_step(s) == DB_ROW)
		n = db_column_int64(s, 0);
	db_reset(s);
	return n;
}

/* Reads the next batch after `after` into v; returns the count or a
 * negative errno. */
static int read_batch(struct ctx *c, int64_t after,
                      const struct reclassify_opts *o, struct post *v)
{
	struct db_stmt *s = c->s[S_SELECT];
	size_t n = 0;
	int rc;

	db_bind_int64(s, 1, after);
	db_bind_int64(s, 2, o->since);
	db_bind_int64(s, 3, (int64_t)o->batch);
	db_bind_int64(s, 4, o->until ? o->until : INT64_MAX);
	while ((rc = db_step(s)) == DB_ROW) {
		const char *title = db_column_text(s, 1);
		const char *text = db_column_text(s, 2);
		const char *lang = db_column_text(s, 3);
		struct buf b = {0};
		int r = 0;

		if (!text)
			text = "";
		/* As the poller does: the title only when it adds to the
		 * text. */
		if (title && *title && !strstr(text, title))
			r = buf_printf(&b, "%s\n", title);
		if (r == 0)
			r = buf_puts(&b, text);
		v[n].id = db_column_int64(s, 0);
		v[n].text = r == 0 ? buf_steal(&b) : NULL;
		v[n].lang = lang ? xstrdup(lang) : NULL;
		if (!v[n].text || (lang && !v[n].lang)) {
			buf_free(&b);
			free(v[n].text);
			free(v[n].lang);
			db_reset(s);
			posts_free(v, n);
			snprintf(c->err, c->errlen, "out of memory");
			return -ENOMEM;
		}
		n++;
	}
	db_reset(s);
	if (rc != DB_DONE) {
		posts_free(v, n);
		return fail(c, rc, "reading posts");
	}
	return (int)n;
}

int reclassify_run(struct db *db, const struct classify_rules *rules,
                   const struct reclassify_opts *opts,
                   struct reclassify_counts *out, char *err, size_t errlen)
{
	struct ctx c = {db, {0}, err, errlen};
	struct post *v = NULL;
	int64_t after = INT64_MIN, total = -1;
	size_t i;
	int k, r = 0, rc;

	memset(out, 0, sizeof(*out));
	if (opts->batch < 1 || opts->batch > RECLASSIFY_MAX_BATCH) {
		snprintf(err, errlen, "batch size must be from 1 to %d",
		         RECLASSIFY_MAX_BATCH);
		return -EINVAL;
	}
	for (k = 0; k < N_STMTS; k++) {
		/* PostgreSQL has no BEGIN IMMEDIATE: its row locks are taken
		 * as the batch writes. */
		const char *text = k == S_BEGIN && db_dialect(db) == DB_POSTGRES
		                       ? "BEGIN"
		                       : sql[k];

		rc = db_prepare(db, text, &c.s[k]);
		if (rc < 0) {
			r = fail(&c, rc, "preparing statements");
			goto out_finalize;
		}
	}
	v = calloc(opts->batch, sizeof(*v));
	if (!v) {
		snprintf(err, errlen, "out of memory");
		r = -ENOMEM;
		goto out_finalize;
	}
	if (opts->progress) {
		total = count_selected(&c, opts->since,
		                       opts->until ? opts->until : INT64_MAX);
		opts->progress(0, total, opts->progress_arg);
	}
	for (;;) {
		long changed = 0;
		int n;

		if (opts->stop && *opts->stop) {
			out->stopped = 1;
			break;
		}
		if ((r = exec(&c, S_BEGIN, "beginning a batch")) < 0)
			break;
		n = read_batch(&c, after, opts, v);
		if (n < 0) {
			r = n;
			goto out_rollback;
		}
		for (i = 0; i < (size_t)n; i++) {
			int ch = 0;

			r = relabel(&c, rules, &v[i], opts->now, &ch);
			if (r < 0)
				break;
			changed += ch;
		}
		if (n > 0)
			after = v[n - 1].id;
		posts_free(v, (size_t)n);
		if (r < 0)
			goto out_rollback;
		if ((r = exec(&c, S_COMMIT, "committing a batch")) < 0)
			goto out_rollback;
		if (n == 0)
			break;
		out->posts += n;
		out->changed += changed;
		out->batches++;
		if (opts->progress)
			opts->progress(out->posts, total, opts->progress_arg);
		if ((size_t)n < opts->batch)
			break;
	}
	goto out_free_values;
out_rollback:
	/* The batch's error is what the caller needs to see. */
	db_step(c.s[S_ROLLBACK]);
	db_reset(c.s[S_ROLLBACK]);
out_free_values:
	free(v);
out_finalize:
	for (k = 0; k < N_STMTS; k++)
		db_finalize(c.s[k]);
	return r;
}
