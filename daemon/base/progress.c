/*
 * progress.c — the progress meter of long commands (see progress.h).  The
 * line is redrawn with a carriage return and cleared with spaces, so it
 * needs no terminal capabilities beyond what every terminal has.
 */
#include "progress.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "util.h"

/* n with thousands separators ("1,234,567") into buf. */
static const char *grouped(char *buf, size_t len, int64_t n)
{
	char digits[32];
	size_t nd, i, o = 0;

	snprintf(digits, sizeof(digits), "%" PRId64, n < 0 ? -n : n);
	nd = strlen(digits);
	if (n < 0 && o + 1 < len)
		buf[o++] = '-';
	for (i = 0; i < nd && o + 1 < len; i++) {
		if (i > 0 && (nd - i) % 3 == 0 && o + 2 < len)
			buf[o++] = ',';
		buf[o++] = digits[i];
	}
	buf[o] = '\0';
	return buf;
}

/* Seconds as "0:21", "12:05" or "1:02:03". */
static const char *clock_text(char *buf, size_t len, int64_t secs)
{
	if (secs >= 3600)
		snprintf(buf, len, "%" PRId64 ":%02d:%02d", secs / 3600,
		         (int)(secs / 60 % 60), (int)(secs % 60));
	else
		snprintf(buf, len, "%d:%02d", (int)(secs / 60),
		         (int)(secs % 60));
	return buf;
}

char *progress_format(char *buf, size_t len, const char *label,
                      const char *unit, int64_t done, int64_t total,
                      int64_t elapsed_ms, int width)
{
	char d[32], t[32], r[32], left[32];
	double rate =
	    elapsed_ms > 0 ? (double)done * 1000.0 / (double)elapsed_ms : 0;
	size_t n;

	if (len == 0)
		return buf;
	if (total >= 0) {
		int pct = total > 0 ? (int)(done * 100 / total) : 100;

		if (pct > 100)
			pct = 100;
		snprintf(buf, len, "%s  %s/%s %s  %d%%", label,
		         grouped(d, sizeof(d), done),
		         grouped(t, sizeof(t), total), unit, pct);
	} else {
		snprintf(buf, len, "%s  %s %s", label,
		         grouped(d, sizeof(d), done), unit);
	}
	n = strlen(buf);
	/* The rate and the time left only once they mean something. */
	if (elapsed_ms >= 1000 && rate > 0) {
		snprintf(buf + n, len - n, "  %s/s",
		         grouped(r, sizeof(r), (int64_t)(rate + 0.5)));
		n = strlen(buf);
		if (total >= done && total >= 0)
			snprintf(
			    buf + n, len - n, "  %s left",
			    clock_text(left, sizeof(left),
			               (int64_t)((double)(total - done) / rate +
			                         0.5)));
	}
	if (width < 20)
		width = 20;
	if (strlen(buf) > (size_t)width - 1)
		buf[width - 1] = '\0';
	return buf;
}

char *progress_summary(char *buf, size_t len, const char *label,
                       const char *unit, int64_t done, int64_t elapsed_ms)
{
	char d[32], r[32];
	double secs = (double)elapsed_ms / 1000.0;

	if (elapsed_ms > 0)
		snprintf(
		    buf, len, "%s: %s %s in %.1f s (%s %s/s)", label,
		    grouped(d, sizeof(d), done), unit, secs,
		    grouped(r, sizeof(r), (int64_t)((double)done / secs + 0.5)),
		    unit);
	else
		snprintf(buf, len, "%s: %s %s in %.1f s", label,
		         grouped(d, sizeof(d), done), unit, secs);
	return buf;
}

/* Columns of the terminal on fd: the window size, else $COLUMNS, else 80. */
static int columns(int fd)
{
	struct winsize ws;
	const char *env = getenv("COLUMNS");

	if (ioctl(fd, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0)
		return ws.ws_col;
	if (env && atoi(env) > 0)
		return atoi(env);
	return 80;
}

void progress_start_tty(struct progress *p, FILE *fp, bool tty,
                        const char *label, const char *unit, int64_t total)
{
	memset(p, 0, sizeof(*p));
	p->fp = tty ? fp : NULL;
	p->label = label;
	p->unit = unit;
	p->total = total;
	p->start_ms = util_monotonic_ms();
	p->drawn_ms = -1;
	p->width = tty && fp ? columns(fileno(fp)) : 80;
}

void progress_start(struct progress *p, FILE *fp, const char *label,
                    const char *unit, int64_t total)
{
	progress_start_tty(p, fp, fp && isatty(fileno(fp)), label, unit, total);
}

static void clear_line(struct progress *p)
{
	if (p->drawn) {
		fprintf(p->fp, "\r%*s\r", p->width - 1, "");
		p->drawn = false;
	}
}

void progress_update(struct progress *p, int64_t done)
{
	int64_t now;
	char line[256];

	p->done = done;
	if (!p->fp)
		return;
	now = util_monotonic_ms();
	if (p->drawn_ms >= 0 && now - p->drawn_ms < PROGRESS_REDRAW_MS)
		return;
	p->drawn_ms = now;
	progress_format(line, sizeof(line), p->label, p->unit, done, p->total,
	                now - p->start_ms, p->width);
	clear_line(p);
	fputs(line, p->fp);
	fflush(p->fp);
	p->drawn = true;
}

void progress_end(struct progress *p)
{
	char line[256];

	if (!p->fp)
		return;
	clear_line(p);
	progress_summary(line, sizeof(line), p->label, p->unit, p->done,
	                 util_monotonic_ms() - p->start_ms);
	fprintf(p->fp, "%s\n", line);
	fflush(p->fp);
	p->fp = NULL;
}
