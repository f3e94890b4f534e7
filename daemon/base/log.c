/*
 * log.c — one line per event to the journal, syslog or stderr.  Messages
 * are formatted once into a bounded buffer and control characters are
 * replaced, so a hostile feed cannot forge log lines.
 */
#include "log.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>

static enum log_target log_target_current = LOG_TARGET_STDERR;
static bool log_verbose_on;
static const char *log_ident = "demarche";

void log_init(const char *ident, bool foreground, bool verbose)
{
	log_ident = ident;
	log_verbose_on = verbose;
	/* systemd connects stderr to the journal and says so. */
	if (getenv("JOURNAL_STREAM"))
		log_target_current = LOG_TARGET_JOURNAL;
	else if (!foreground) {
		log_target_current = LOG_TARGET_SYSLOG;
		openlog(ident, LOG_PID | LOG_NDELAY, LOG_DAEMON);
	} else
		log_target_current = LOG_TARGET_STDERR;
}

void log_set_target(enum log_target target)
{
	log_target_current = target;
	if (target == LOG_TARGET_SYSLOG)
		openlog(log_ident, LOG_PID | LOG_NDELAY, LOG_DAEMON);
}

void log_set_verbose(bool verbose)
{
	log_verbose_on = verbose;
}

char *log_sanitize(const char *in, char *out, unsigned long outlen)
{
	unsigned long o = 0;
	const unsigned char *p = (const unsigned char *)in;

	if (!outlen)
		return out;
	for (; p && *p && o + 1 < outlen; p++) {
		unsigned char c = *p;

		/* C0 controls and DEL become '?'; this also defuses ESC, so
		 * ANSI sequences arrive as harmless text. */
		if (c < 0x20 || c == 0x7f) {
			out[o++] = c == '\t' ? ' ' : '?';
			continue;
		}
		/* C1 controls in UTF-8 (U+0080..U+009F are C2 80..C2 9F). */
		if (c == 0xc2 && p[1] >= 0x80 && p[1] <= 0x9f) {
			out[o++] = '?';
			p++;
			continue;
		}
		out[o++] = (char)c;
	}
	out[o] = '\0';
	return out;
}

static void log_vemit(int prio, const char *fmt, va_list ap, int errnum)
{
	char raw[2048], clean[2048];
	size_t n;

	if (prio == LOG_DEBUG && !log_verbose_on)
		return;
	vsnprintf(raw, sizeof(raw), fmt, ap);
	if (errnum) {
		n = strlen(raw);
		snprintf(raw + n, sizeof(raw) - n, ": %s", strerror(errnum));
	}
	log_sanitize(raw, clean, sizeof(clean));
	switch (log_target_current) {
	case LOG_TARGET_JOURNAL:
		fprintf(stderr, "<%d>%s\n", prio, clean);
		break;
	case LOG_TARGET_SYSLOG:
		syslog(prio, "%s", clean);
		break;
	case LOG_TARGET_STDERR:
	default:
		fprintf(stderr, "%s: %s\n", log_ident, clean);
		break;
	}
}

#define LOG_FN(name, prio, with_errno)                            \
	void name(const char *fmt, ...)                           \
	{                                                         \
		int saved = errno;                                \
		va_list ap;                                       \
		va_start(ap, fmt);                                \
		log_vemit(prio, fmt, ap, with_errno ? saved : 0); \
		va_end(ap);                                       \
		errno = saved;                                    \
	}

LOG_FN(log_debug, LOG_DEBUG, 0)
LOG_FN(log_info, LOG_INFO, 0)
LOG_FN(log_notice, LOG_NOTICE, 0)
LOG_FN(log_warn, LOG_WARNING, 1)
LOG_FN(log_warnx, LOG_WARNING, 0)
LOG_FN(log_err, LOG_ERR, 0)

void fatal(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vemit(LOG_CRIT, fmt, ap, 0);
	va_end(ap);
	exit(1);
}
