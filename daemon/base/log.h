/*
 * log.h — the process log, in the OpenBSD style: log_warn() appends
 * strerror(errno), log_warnx() does not, fatal() logs and exits.  Output goes
 * to the journal (stderr with <N> priority prefixes when $JOURNAL_STREAM is
 * set), to syslog, or to plain stderr in the foreground.  Only the programs
 * and the daemon's glue log; library modules return errors instead.
 */
#ifndef DEMARCHE_LOG_H
#define DEMARCHE_LOG_H

#include <stdbool.h>

enum log_target {
	LOG_TARGET_STDERR,  /* foreground: "demarched: message" */
	LOG_TARGET_JOURNAL, /* "<N>message" on stderr */
	LOG_TARGET_SYSLOG,
};

/* Picks the journal when $JOURNAL_STREAM is set, else syslog when not in
 * the foreground, else stderr. */
void log_init(const char *ident, bool foreground, bool verbose);
void log_set_target(enum log_target target);
void log_set_verbose(bool verbose);

void log_debug(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_notice(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_warnx(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void fatal(const char *fmt, ...)
    __attribute__((format(printf, 1, 2), noreturn));

/* Copies untrusted text (a post, a handle, a server's error string) into out
 * with control characters and ANSI escapes replaced, so nothing read from the
 * network reaches a terminal or the journal raw.  Returns out. */
char *log_sanitize(const char *in, char *out, unsigned long outlen);

#endif
