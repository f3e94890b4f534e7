/*
 * report_amplification.h — the amplification model (who reposted the
 * tracked posts of a period, the amplifiers, the bursts) behind `demarche
 * amplification` and the report's "Amplification" section.  See
 * report_amplification.c.
 */
#ifndef DEMARCHE_REPORT_AMPLIFICATION_H
#define DEMARCHE_REPORT_AMPLIFICATION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "db.h"
#include "report.h"
#include "util.h"

/* The defaults of [poll] burst_threshold and amplification_max. */
#define REPORT_AMP_BURST_DEFAULT 50
#define REPORT_AMP_CAP_DEFAULT   1000

struct report_amp_opts {
	int burst_threshold; /* a jump of more reposts than this is a burst */
	int cap;             /* amplification_max: a post with this many
	                      * reposters is marked capped */
	size_t max_rows;     /* posts, amplifiers, bursts listed; 0 = all */
	bool in_read;        /* inside a read transaction already */
};

/*
 * The model for posts whose report time is in [from, to): {"period",
 * "cap", "burst_threshold", "posts": [...], "n_posts", "amplifiers":
 * [...], "n_amplifiers", "bursts": [...]}.  schema is the log's version
 * (the tables came with 12).  Returns 0 and a *new* reference in *out,
 * or a negative errno with a message in err (-ENOENT: an older log).
 */
int report_amplification_build(struct db *db, int schema, int64_t from,
                               int64_t to, const struct report_amp_opts *opts,
                               json_t **out, char *err, size_t errlen);
/* The report's copy: report["amplification"], the first rows of each list,
 * only when the period has amplification data.  0 or a negative errno. */
int report_amplification_section(struct db *db, int schema, int64_t from,
                                 int64_t to, json_t *report, char *err,
                                 size_t errlen);
/* The config's burst_threshold and amplification_max for the report's
 * section (values <= 0 keep the defaults). */
void report_amplification_limits(int burst_threshold, int cap);
/* The "Amplification" section of a report model in format f (nothing when
 * the model has none). */
int report_amplification_render(const json_t *report, enum report_format f,
                                struct buf *b);

#endif
