/*
 * store_known.c — the posts of one poll's feed already in the log, by
 * stable key: asked for all entries at once (one query, not one per
 * entry), and kept up to date as the poll writes, since a feed may repeat
 * a key.  A map that fills past the poll's entries falls back to lookups.
 */
#include "store_int.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "strmap.h"
#include "util.h"

void store_known_posts_free(struct known_posts *kp)
{
	strmap_free(kp->by_key);
	free(kp->posts);
	kp->by_key = NULL;
	kp->posts = NULL;
}

int store_known_posts_note(struct known_posts *kp, const char *key, int64_t id,
                           const char *hash)
{
	struct known_post *k;

	if (!kp->by_key)
		return 0;
	k = strmap_get(kp->by_key, key);
	if (!k && kp->n == kp->cap) {
		/* More keys than entries: the database and the map disagree
		 * on equality.  Trust the database, entry by entry. */
		store_known_posts_free(kp);
		return 0;
	}
	if (!k) {
		k = &kp->posts[kp->n++];
		if (strmap_put(kp->by_key, key, k) < 0)
			return -ENOMEM;
	}
	k->id = id;
	snprintf(k->hash, sizeof(k->hash), "%s", hash ? hash : "");
	return 0;
}

int store_known_posts_load(struct store *st, const struct feed_doc *doc,
                           int64_t account_id, struct known_posts *kp)
{
	json_t *keys = json_array();
	struct db_stmt *s = NULL;
	char *json = NULL;
	size_t i;
	int rc = 0;

	memset(kp, 0, sizeof(*kp));
	if (!keys)
		return -ENOMEM;
	for (i = 0; i < doc->n_entries; i++) {
		json_t *k = json_string(doc->entries[i].id);

		/* A key JSON cannot carry (not UTF-8): one query per entry. */
		if (!k || json_array_append_new(keys, k) < 0)
			goto out_free_known;
	}
	json = json_dumps(keys, JSON_COMPACT);
	kp->by_key = strmap_new();
	kp->cap = doc->n_entries;
	kp->posts = calloc(kp->cap ? kp->cap : 1, sizeof(*kp->posts));
	if (!json || !kp->by_key || !kp->posts) {
		rc = -ENOMEM;
		store_set_err(st, "out of memory");
		goto out_free_known;
	}
	s = store_stmt_get(st, STMT_POSTS_KNOWN, &rc);
	if (!s)
		goto out_free_known;
	db_bind_int64(s, 1, account_id);
	store_bind_text(s, 2, json);
	while ((rc = db_step(s)) == DB_ROW) {
		const char *key = db_column_text(s, 0);

		if (key &&
		    store_known_posts_note(kp, key, db_column_int64(s, 1),
		                           db_column_text(s, 2)) < 0) {
			rc = -ENOMEM;
			store_set_err(st, "out of memory");
			break;
		}
	}
	if (rc == DB_DONE)
		rc = 0;
	else if (rc != -ENOMEM)
		rc = store_fail_db(st, rc, "post lookup");
	db_reset(s);
out_free_known:
	if (rc < 0 || !json)
		store_known_posts_free(kp);
	free(json);
	json_decref(keys);
	return rc;
}
