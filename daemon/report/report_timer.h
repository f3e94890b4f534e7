/*
 * report_timer.h — when the daemon sends its scheduled reports, and how.
 *
 * The first half is pure: the [report] schedule ("daily 08:00",
 * "weekly mon 08:00", "off") and the computation of its next and previous
 * run in the configured time zone, including the days when clocks change.
 * The zone is given as a function from a UTC instant to its UTC offset, so
 * tests can supply any rule; report_timer_zone_offset() is the one the
 * daemon uses (the system's tz database).
 *
 * The second half is the daemon's glue: at each run it starts
 * `demarche -c CONFIG report --deliver --since P --until T` as a child
 * process, so rendering and the network never block the event loop,
 * watches it through SIGCHLD, retries a failure with exponential backoff,
 * and records the run in the database (report_deliveries) so that a
 * restart neither sends a period twice nor skips one.
 */
#ifndef DEMARCHE_REPORT_TIMER_H
#define DEMARCHE_REPORT_TIMER_H

#include <stdbool.h>
#include <stdint.h>

struct config;
struct event_base;
struct store;

enum report_schedule_kind {
	REPORT_SCHEDULE_OFF,
	REPORT_SCHEDULE_DAILY,
	REPORT_SCHEDULE_WEEKLY,
};

struct report_schedule {
	enum report_schedule_kind kind;
	int weekday; /* 0 = Monday .. 6 = Sunday (weekly only) */
	int hour;    /* 0..23, local wall clock */
	int minute;  /* 0..59 */
};

/* Parses "off", "daily HH:MM" or "weekly DAY HH:MM" (DAY: mon..sun or the
 * full English name, any case).  Returns 0 or -EINVAL. */
int report_schedule_parse(const char *s, struct report_schedule *out);

/* The UTC offset in seconds (east positive) in force at UTC instant t. */
typedef int64_t (*report_offset_fn)(int64_t t, void *arg);

/*
 * The first run strictly after `after` (UTC epoch seconds), in the zone
 * that offset describes.  A wall-clock time that a spring-forward skips
 * runs at the same distance after the change (02:30 becomes 03:30); one
 * that a fall-back repeats runs once, at its first occurrence.  Returns 0,
 * or -EINVAL for an "off" schedule.
 */
int report_schedule_next(const struct report_schedule *s, int64_t after,
                         report_offset_fn offset, void *arg, int64_t *out);
/* The last run at or before `at`; same rules.  Returns 0 or -EINVAL. */
int report_schedule_prev(const struct report_schedule *s, int64_t at,
                         report_offset_fn offset, void *arg, int64_t *out);

/* An offset function over the system's tz database; arg is the zone name
 * ("Europe/Berlin", "UTC", NULL for UTC).  It sets TZ for the duration of
 * the call and restores it (the daemon is single-threaded). */
int64_t report_timer_zone_offset(int64_t t, void *arg);
/* True when name is a zone the tz database knows (or "UTC"). */
bool report_timer_zone_valid(const char *name);

/* ---- the daemon's glue ---- */

struct report_timer; /* opaque */

/*
 * Starts scheduling for cfg (borrowed until report_timer_free or the next
 * report_timer_set_config).  config_path is what the child is given with
 * -c; the demarche binary is looked for next to the running program.
 * Returns 0 and a *new* timer (idle when the schedule is "off"), or a
 * negative errno.
 */
int report_timer_new(struct event_base *base, struct store *st,
                     const char *config_path, const struct config *cfg,
                     struct report_timer **out);
/* Applies a reloaded config: the next run is recomputed; a delivery in
 * progress finishes under the old one. */
int report_timer_set_config(struct report_timer *rt, const struct config *cfg);
/* Stops the timers; a child still running is left to finish on its own
 * (its outcome is not recorded). */
void report_timer_free(struct report_timer *rt);

#endif
