/*
 * progress.c — the progress line of progress.h.
 */
#include "progress.h"

#include <stdio.h>
#include <unistd.h>

#include "util.h"

void progress_start(struct progress *p, const char *label, int64_t total)
{
	p->label = label;
	p->total = total;
	p->start_ms = util_monotonic_ms();
	p->shown_ms = 0;
	p->tty = isatty(STDERR_FILENO) == 1;
	p->drawn = false;
}

void progress_update(struct progress *p, int64_t done)
{
	int64_t now, elapsed;
	double rate;

	if (!p->tty)
		return;
	now = util_monotonic_ms();
	if (p->drawn && now - p->shown_ms < 200)
		return;
	p->shown_ms = now;
	elapsed = now - p->start_ms;
	rate = elapsed > 0 ? (double)done * 1000.0 / (double)elapsed : 0;
	if (p->total > 0 && rate > 0)
		fprintf(stderr,
		        "\r%s: %lld/%lld (%d%%), %.0f/s, ~%.0fs left\033[K",
		        p->label, (long long)done, (long long)p->total,
		        (int)(done * 100 / p->total), rate,
		        (double)(p->total - done) / rate);
	else
		fprintf(stderr, "\r%s: %lld, %.0f/s\033[K", p->label,
		        (long long)done, rate);
	fflush(stderr);
	p->drawn = true;
}

void progress_end(struct progress *p)
{
	if (p->tty && p->drawn) {
		fputs("\r\033[K", stderr);
		fflush(stderr);
	}
	p->drawn = false;
}
