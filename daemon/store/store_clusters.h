/*
 * store_clusters.h — copies of one statement, recognised as posts are
 * stored (post_clusters, schema 0010; its index post_signatures,
 * post_bands and post_links, schema 0014).  A new or edited post gets a
 * MinHash signature of its text and the keys of the pages it links to
 * (classify/dedup.h); earlier and later posts of the STORE_CLUSTERS_WINDOW
 * around it that share a band or a link key are candidates, verified by
 * their estimated similarity; the best match makes the post a copy of its
 * statement's earliest post.  Called by store.c within the transaction of
 * store_record_poll(), and once over the whole log when migration 14 is
 * applied; not for other modules.  Like the store it does not log.
 */
#ifndef DEMARCHE_STORE_CLUSTERS_H
#define DEMARCHE_STORE_CLUSTERS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct db;
struct store;
struct store_clusters; /* opaque: statements and the folding context */

/* Copies are looked for among posts this close in time (report_time). */
#define STORE_CLUSTERS_WINDOW (28 * 86400)

/* Returns a *new* set of statements on db (borrowed, must outlive it), with
 * failures described in err (errlen bytes, borrowed), or NULL on OOM. */
struct store_clusters *store_clusters_new(struct db *db, char *err,
                                          size_t errlen);
void store_clusters_free(struct store_clusters *c);

/* Post post_id was just stored with this text, markup and own URL (NULL
 * when none), or edited to it (edited: what it was a copy of, and its own
 * index rows, are forgotten and found again; copies of it stay its
 * copies).  Returns 1 when it is a copy (or became the earliest post of a
 * statement), 0 when not, or a negative errno. */
int store_clusters_post(struct store_clusters *c, int64_t post_id,
                        const char *text, const char *html, const char *url,
                        bool edited, int64_t now);

/* After migration version is applied: at 14, indexes every post already
 * stored, oldest first, with a progress line on a terminal.  0 or a
 * negative errno. */
int store_clusters_after_migration(struct store *st, int version);

#endif
