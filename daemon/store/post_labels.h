/*
 * post_labels.h — analysts' labels in the log (table post_labels,
 * schema/0007_labels.sql): stored by `demarche label`, read back as the
 * labelled-statement TSV (labels.h) that `train --from-db` and
 * `eval --from-db` feed to the classifier.  Works on either backend
 * through db.h; does not log.
 */
#ifndef DEMARCHE_POST_LABELS_H
#define DEMARCHE_POST_LABELS_H

#include <stddef.h>
#include <stdint.h>

#include "util.h"

struct db;

/* Parses "key,key" or "none" into category bits (1 << index; 0 = none)
 * and writes the canonical form (keys in codebook order, or "none") into
 * out.  Returns 0, or -EINVAL with the bad key in err. */
int post_labels_canonical(const char *in, unsigned *bits, char *out,
                          size_t outlen, char *err, size_t errlen);

/* Finds a post by its id (digits) or its URL.  Returns 0 with *id set,
 * -ENOENT when there is none, or another negative errno. */
int post_labels_find_post(struct db *db, const char *ref, int64_t *id);

/* Stores (or replaces) labeller's labels of post id at time when.
 * Returns 0, -ENOENT when the post does not exist, or a negative errno
 * (message in db_errmsg). */
int post_labels_put(struct db *db, int64_t id, const char *labels,
                    const char *labeller, int64_t when);

/* Appends every labelled post to out as a labels.h TSV line ("db-ID",
 * labels, lang or "und", text with tabs and line breaks as blanks),
 * the latest label of each post.  Returns the number of posts or a
 * negative errno. */
int post_labels_export(struct db *db, struct buf *out);

#endif
