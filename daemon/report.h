/*
 * report.h — the summary report.  report_build() queries the log for a
 * period and returns the report as a JSON object in the shape DESIGN.md
 * documents; the renderers turn that one model into text, Markdown, JSON or
 * a self-contained HTML page, so every format says the same thing.
 */
#ifndef DEMARCHE_REPORT_H
#define DEMARCHE_REPORT_H

#include <stdint.h>

#include <jansson.h>

#include "store.h"
#include "util.h"

enum report_format {
	REPORT_FORMAT_TEXT,
	REPORT_FORMAT_MD,
	REPORT_FORMAT_JSON,
	REPORT_FORMAT_HTML,
};
int report_format_from_name(const char *name, enum report_format *out);
const char *report_format_name(enum report_format f);

/* Builds the report for posts published in [from, to) (UTC epoch seconds;
 * first-seen time for posts without one).  Returns 0 and a *new* reference
 * in *out, or a negative errno with a message in err. */
int report_build(struct store *st, int64_t from, int64_t to, json_t **out,
		 char *err, size_t errlen);
/* Appends the rendering of a report model to b.  Returns 0 or -ENOMEM. */
int report_render(const json_t *report, enum report_format f, struct buf *b);

#endif
