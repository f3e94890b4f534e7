/*
 * record_log.c — log lines about the statement record (record_log.h).
 * A damaged document is a warning: the analyst should know that a feed
 * served cut or garbled text and that the log kept the earlier wording.
 */
#include "record_log.h"

#include <stddef.h>

#include "log.h"

void record_log_damaged(const char *account, const char *feed,
                        const struct feed_doc *doc, const char *fault)
{
	size_t i, partial = 0, n = doc ? doc->n_entries : 0;

	for (i = 0; i < n; i++)
		if (doc->entries[i].partial)
			partial++;
	log_warnx("feed %s (%s): damaged document: %s; %zu of %zu entries "
	          "read whole, %zu skipped, no stored text replaced",
	          account, feed, fault, n - partial, n, partial);
}

void record_log_counts(const char *account, const char *feed,
                       const struct store_poll_counts *c)
{
	if (c->deleted_posts)
		log_notice("feed %s (%s): %d posts no longer served from the "
		           "middle of the feed, marked deleted",
		           account, feed, c->deleted_posts);
	if (c->returned_posts)
		log_notice("feed %s (%s): %d posts marked deleted are served "
		           "again",
		           account, feed, c->returned_posts);
	if (c->versions_dropped)
		log_notice("feed %s (%s): version history capped: %d "
		           "intermediate versions dropped (first, last and one "
		           "per hour kept)",
		           account, feed, c->versions_dropped);
}
