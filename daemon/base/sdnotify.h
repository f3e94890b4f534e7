/*
 * sdnotify.h — the systemd readiness protocol without libsystemd: one
 * datagram to $NOTIFY_SOCKET per state change (READY=1, RELOADING=1,
 * STOPPING=1, STATUS=...).  A no-op when not run by systemd.
 */
#ifndef DEMARCHE_SDNOTIFY_H
#define DEMARCHE_SDNOTIFY_H

/* Sends state (e.g. "READY=1\nSTATUS=polling 12 feeds").  Returns 1 when
 * sent, 0 when $NOTIFY_SOCKET is unset, or a negative errno. */
int sdnotify(const char *state);
/* printf-style convenience around sdnotify(). */
int sdnotifyf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
