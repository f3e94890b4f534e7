/*
 * progress.h — feedback for long commands (reclassify, migrate, index
 * builds, exports): a one-line "done/total, rate, time left" meter that is
 * redrawn in place on a terminal at most a few times a second, and a
 * summary line when the work ends.  When the stream is not a terminal
 * (a pipe, a file, a cron job's mail) nothing at all is written, so logs
 * and scripted output stay clean; the command prints its own result.
 *
 * The line is built by progress_format(), a pure function, so its layout
 * is tested without a terminal.
 */
#ifndef DEMARCHE_PROGRESS_H
#define DEMARCHE_PROGRESS_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

/* Minimum time between two redraws of the line. */
#define PROGRESS_REDRAW_MS 250

struct progress {
	FILE *fp;          /* where the line goes (stderr), or NULL: silent */
	const char *label; /* what runs, e.g. "reclassify" (borrowed) */
	const char *unit;  /* what is counted, e.g. "posts" (borrowed) */
	int64_t total;     /* units to do, or < 0 when unknown */
	int64_t done;      /* units done so far */
	int64_t start_ms;  /* monotonic clock at progress_start() */
	int64_t drawn_ms;  /* monotonic clock of the last redraw, or -1 */
	int width;         /* terminal columns the line may use */
	bool drawn;        /* a line is on screen and must be cleared */
};

/* Starts a meter on fp when fp is a terminal; on anything else the meter
 * stays silent (fp NULL).  label and unit are borrowed for its lifetime. */
void progress_start(struct progress *p, FILE *fp, const char *label,
                    const char *unit, int64_t total);

/* The same with the terminal test made by the caller (tests). */
void progress_start_tty(struct progress *p, FILE *fp, bool tty,
                        const char *label, const char *unit, int64_t total);

/* Records that `done` units are finished; redraws when it is time. */
void progress_update(struct progress *p, int64_t done);

/* Clears the line and, on a terminal, writes one summary line:
 * "reclassify: 200,000 posts in 13.2 s (15,151 posts/s)". */
void progress_end(struct progress *p);

/* Formats the meter into buf (at most width columns, never less than what
 * fits in 20): "reclassify  12,000/200,000 posts  6%  9,100/s  0:21 left".
 * elapsed_ms is the time since the start; total < 0 leaves out the share
 * and the time left.  Returns buf. */
char *progress_format(char *buf, size_t len, const char *label,
                      const char *unit, int64_t done, int64_t total,
                      int64_t elapsed_ms, int width);

/* The summary line (no newline): "LABEL: N UNIT in T s (R UNIT/s)". */
char *progress_summary(char *buf, size_t len, const char *label,
                       const char *unit, int64_t done, int64_t elapsed_ms);

#endif
