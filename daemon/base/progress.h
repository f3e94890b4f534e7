/*
 * progress.h — a progress line for long work (index builds, exports) on a
 * terminal: "LABEL: DONE/TOTAL (PCT%), RATE/s, ~Ns left", redrawn in place
 * on stderr at most five times a second, and silent when stderr is not a
 * terminal.  progress_end() clears the line; the caller prints its own
 * summary.  Minimal on purpose: a richer helper may replace it.
 */
#ifndef DEMARCHE_PROGRESS_H
#define DEMARCHE_PROGRESS_H

#include <stdbool.h>
#include <stdint.h>

struct progress {
	const char *label; /* borrowed, e.g. "search index" */
	int64_t total;     /* 0 when unknown */
	int64_t start_ms;  /* CLOCK_MONOTONIC at progress_start() */
	int64_t shown_ms;  /* when the line was last drawn */
	bool tty;          /* stderr is a terminal: draw, else stay silent */
	bool drawn;        /* a line is on the screen */
};

void progress_start(struct progress *p, const char *label, int64_t total);
void progress_update(struct progress *p, int64_t done);
void progress_end(struct progress *p);

#endif
