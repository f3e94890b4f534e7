/*
 * store_narratives.h — narratives in the log (schema 0015).  The store
 * matches every post it writes against the configured narratives
 * (classify/narrative_match.h) in the poll's transaction and keeps the
 * matches in post_narratives; a new post that is an account's first use
 * of a narrative (or category) with `alert = first`, or that lifts a
 * day's count over spike_factor x its trailing 28-day mean with `alert =
 * spike`, files an alert in narrative_alerts under a UNIQUE key, so it
 * exists once however often and by however many daemons the post is seen.
 *
 * A narrative that is new or whose terms changed is applied to the posts
 * already stored, in batches (store_narratives_rescan_batch), by the
 * daemon after a start or reload and by `demarche narrative --rescan`.
 *
 * The alerts are sent by `demarche -c FILE narrative --send-alerts`
 * (started by the daemon): store_alert_claim takes one due alert under a
 * lease, store_alert_done records the channels that took it.
 */
#ifndef DEMARCHE_STORE_NARRATIVES_H
#define DEMARCHE_STORE_NARRATIVES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "config.h"

struct store;
struct narrative_matcher;
struct narrative_hit;

/* The matcher of cfg's narratives, in cfg's order: a *new* matcher, or
 * NULL with the reason in err. */
struct narrative_matcher *store_narratives_matcher(const struct config *cfg,
                                                   char *err, size_t errlen);
/*
 * Makes the store match posts against cfg's narratives with m (both
 * borrowed until the next call or store_close; cfg NULL: no narratives)
 * and brings the narratives table in line: a narrative that is new or
 * whose definition changed loses its matches and waits for a rescan.
 * Returns the number of narratives waiting for a rescan, or a negative
 * errno.
 */
int store_narratives_set(struct store *st, const struct config *cfg,
                         struct narrative_matcher *m, int64_t now);
/* Applies the narratives waiting for a rescan to up to batch posts after
 * *cursor (a post id; start at 0), in one transaction, advancing *cursor.
 * Returns the posts read (0 when the log is done: the narratives are then
 * marked applied), or a negative errno.  *matched counts the matches
 * written. */
int store_narratives_rescan_batch(struct store *st, int64_t *cursor, int batch,
                                  int64_t *matched);
/* Forces a rescan of every configured narrative (`narrative --rescan`). */
int store_narratives_reset(struct store *st);

/* Called for each narrative whose matches cover over a third of the
 * posts (with at least 30 posts stored). */
typedef void (*store_broad_fn)(const char *key, int64_t matched, int64_t total,
                               void *arg);
int store_narratives_broad(struct store *st, store_broad_fn fn, void *arg);

/* ---- the store's side (store.c) ---- */

/* What record_entry knows of a post it wrote. */
struct store_narr_post {
	int64_t post_id;
	int64_t account_id;
	const char *title; /* the post's title (may be NULL) */
	const char *text;  /* the post's text (may be NULL) */
	/* The narratives the classifier found (classify_result), used when
	 * found by the store's matcher; else the store matches itself. */
	const struct narrative_hit *hits;
	size_t n_hits;
	const struct narrative_matcher *hits_by;
	int64_t published;   /* or TIME_UNKNOWN */
	int64_t report_time; /* published, else first seen */
	unsigned categories; /* category bits (1 << index) */
	bool is_new;         /* a new post, not an edit */
};
/* Matches a post written in the current transaction and files its
 * alerts.  Returns 0 or a negative errno (recorded). */
int store_narratives_post(struct store *st, const struct store_narr_post *p,
                          int64_t now);
void store_narratives_free(struct store *st);

/* ---- alerts ---- */

#define ALERT_CHANNEL_FILE    1
#define ALERT_CHANNEL_MAIL    2
#define ALERT_CHANNEL_WEBHOOK 4

/* One alert as the sender reads it (strings *new*). */
struct store_alert {
	int64_t id;
	char *kind;      /* "first" or "spike" */
	char *narrative; /* key, or "category:KEY" */
	char *day;       /* spike: YYYY-MM-DD, else NULL */
	int64_t day_count;
	double mean;
	int channels_done; /* ALERT_CHANNEL_* bits already sent */
	int attempts;      /* tries so far, this one included */
	/* the post */
	char *account;
	char *url;
	char *text;
	int64_t time; /* report time of the post */
};
void store_alert_clear(struct store_alert *a);
/* Claims the next due alert for owner for lease seconds.  Returns 1 with
 * *out filled, 0 when none is due, or a negative errno. */
int store_alert_claim(struct store *st, const char *owner, int64_t now,
                      int lease, struct store_alert *out);
/* Records the outcome of a try: channels that took it (added to those
 * before), and when none failed, delivered; else retried at next_try, or
 * failed for good when next_try is 0.  Returns 0 or a negative errno. */
int store_alert_done(struct store *st, int64_t id, int channels_done,
                     bool delivered, int64_t next_try, const char *error,
                     int64_t now);
/* The number of alerts due at now (pending, or a lease run out). */
int store_alerts_due(struct store *st, int64_t now, int64_t *n);

#endif
