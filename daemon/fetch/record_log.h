/*
 * record_log.h — the daemon's log lines about the statement record: a
 * damaged document (what was kept, that nothing was replaced), posts
 * marked deleted or back, long version histories thinned.  One line per
 * event, naming the account and the feed, as the poller's own lines do.
 */
#ifndef DEMARCHE_RECORD_LOG_H
#define DEMARCHE_RECORD_LOG_H

#include "feed.h"
#include "store.h"

/* A poll of a document that is not whole (why: fault). */
void record_log_damaged(const char *account, const char *feed,
                        const struct feed_doc *doc, const char *fault);
/* Deletions, returns and thinning a recorded poll counted, if any. */
void record_log_counts(const char *account, const char *feed,
                       const struct store_poll_counts *c);

#endif
