/*
 * post_labels.c — analysts' labels in the log (post_labels.h).  The SQL
 * is the subset both backends speak (db.h translates the placeholders);
 * "labelling again" is an upsert on the (post, labeller) key.
 */
#include "post_labels.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "classify.h"
#include "db.h"

int post_labels_canonical(const char *in, unsigned *bits, char *out,
                          size_t outlen, char *err, size_t errlen)
{
	struct buf b = {0};
	const char *p = in;
	unsigned set = 0;
	int c, none = 0;

	while (*p) {
		size_t l = strcspn(p, ",");
		char key[64];

		if (l == 0 || l >= sizeof(key)) {
			snprintf(err, errlen, "empty or overlong label in '%s'",
			         in);
			return -EINVAL;
		}
		memcpy(key, p, l);
		key[l] = '\0';
		if (strcmp(key, "none") == 0) {
			none = 1;
		} else {
			c = category_index(key);
			if (c < 0) {
				char known[CATEGORY_MAX *
				           (CATEGORY_KEY_MAX + 4)];

				snprintf(
				    err, errlen,
				    "unknown category '%s' (expected %s, "
				    "or none)",
				    key,
				    category_set_list(category_configured(),
				                      known, sizeof(known)));
				return -EINVAL;
			}
			set |= 1u << c;
		}
		p += l;
		if (*p == ',')
			p++;
	}
	if ((none && set) || (!none && !set)) {
		snprintf(err, errlen,
		         "give categories or 'none', not both and not "
		         "nothing");
		return -EINVAL;
	}
	for (c = 0; c < category_count(); c++)
		if (set & (1u << c))
			if ((b.len && buf_putc(&b, ',') < 0) ||
			    buf_puts(&b, category_key(c)) < 0)
				goto out_oom;
	if (!set && buf_puts(&b, "none") < 0)
		goto out_oom;
	if (b.len >= outlen) {
		buf_free(&b);
		snprintf(err, errlen, "labels too long");
		return -EINVAL;
	}
	memcpy(out, b.data, b.len + 1);
	buf_free(&b);
	*bits = set;
	return 0;
out_oom:
	buf_free(&b);
	snprintf(err, errlen, "out of memory");
	return -ENOMEM;
}

int post_labels_find_post(struct db *db, const char *ref, int64_t *id)
{
	struct db_stmt *s = NULL;
	const char *p = ref;
	int digits = *ref != '\0', r;

	for (; *p; p++)
		if (*p < '0' || *p > '9')
			digits = 0;
	if (digits) {
		r = db_prepare(db, "SELECT id FROM posts WHERE id = ?", &s);
		if (r == 0)
			r = db_bind_int64(s, 1, strtoll(ref, NULL, 10));
	} else {
		r = db_prepare(db,
		               "SELECT id FROM posts WHERE url = ? "
		               "ORDER BY id LIMIT 1",
		               &s);
		if (r == 0)
			r = db_bind_text(s, 1, ref);
	}
	if (r == 0) {
		r = db_step(s);
		if (r == DB_ROW) {
			*id = db_column_int64(s, 0);
			r = 0;
		} else if (r == DB_DONE) {
			r = -ENOENT;
		}
	}
	db_finalize(s);
	return r;
}

int post_labels_put(struct db *db, int64_t id, const char *labels,
                    const char *labeller, int64_t when)
{
	struct db_stmt *s = NULL;
	char ref[32];
	int64_t found;
	int r;

	snprintf(ref, sizeof(ref), "%lld", (long long)id);
	r = post_labels_find_post(db, ref, &found);
	if (r < 0)
		return r;
	r = db_prepare(db,
	               "INSERT INTO post_labels (post_id, labels, labeller, "
	               "labelled_at) VALUES (?, ?, ?, ?) "
	               "ON CONFLICT (post_id, labeller) DO UPDATE SET "
	               "labels = excluded.labels, "
	               "labelled_at = excluded.labelled_at",
	               &s);
	if (r == 0)
		r = db_bind_int64(s, 1, id);
	if (r == 0)
		r = db_bind_text(s, 2, labels);
	if (r == 0)
		r = db_bind_text(s, 3, labeller);
	if (r == 0)
		r = db_bind_int64(s, 4, when);
	if (r == 0) {
		r = db_step(s);
		if (r == DB_DONE)
			r = 0;
		else if (r == DB_ROW)
			r = -EIO;
	}
	db_finalize(s);
	return r;
}

/* Appends text with tabs and line breaks turned into blanks. */
static int put_flat(struct buf *b, const char *t)
{
	for (; t && *t; t++) {
		char c = *t == '\t' || *t == '\n' || *t == '\r' ? ' ' : *t;

		if (buf_putc(b, c) < 0)
			return -ENOMEM;
	}
	return 0;
}

int post_labels_export(struct db *db, struct buf *out)
{
	struct db_stmt *s = NULL;
	int64_t last = -1;
	int r, n = 0;

	/* Latest label first within each post; the first row of a post
	 * is the one kept. */
	r = db_prepare(db,
	               "SELECT l.post_id, l.labels, p.lang, p.text "
	               "FROM post_labels l JOIN posts p ON p.id = l.post_id "
	               "ORDER BY l.post_id, l.labelled_at DESC, l.labeller",
	               &s);
	if (r < 0)
		return r;
	while ((r = db_step(s)) == DB_ROW) {
		int64_t id = db_column_int64(s, 0);
		const char *lang = db_column_text(s, 2);

		if (id == last)
			continue;
		last = id;
		if (buf_printf(out, "db-%lld\t", (long long)id) < 0 ||
		    put_flat(out, db_column_text(s, 1)) < 0 ||
		    buf_putc(out, '\t') < 0 ||
		    put_flat(out, lang && *lang ? lang : "und") < 0 ||
		    buf_putc(out, '\t') < 0 ||
		    put_flat(out, db_column_text(s, 3)) < 0 ||
		    buf_putc(out, '\n') < 0) {
			r = -ENOMEM;
			break;
		}
		n++;
	}
	db_finalize(s);
	return r < 0 ? r : n;
}
