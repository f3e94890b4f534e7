/*
 * alert_timer.h — the daemon's side of narrative alerts: every few
 * seconds it asks the log whether an alert is due (store_alerts_due) and,
 * if so and none is running, starts `demarche -c CONFIG narrative
 * --send-alerts` as a child process, so the network never blocks the
 * event loop.  The child claims each alert before sending it, so several
 * daemons on one database send each alert once.
 */
#ifndef DEMARCHE_ALERT_TIMER_H
#define DEMARCHE_ALERT_TIMER_H

struct config;
struct event_base;
struct store;
struct alert_timer; /* opaque */

/* Starts watching (idle when no narrative or category alerts).  Returns 0
 * and a *new* timer, or a negative errno. */
int alert_timer_new(struct event_base *base, struct store *st,
                    const char *config_path, const struct config *cfg,
                    struct alert_timer **out);
/* Applies a reloaded config. */
void alert_timer_set_config(struct alert_timer *at, const struct config *cfg);
/* Stops the timers; a child still running finishes on its own. */
void alert_timer_free(struct alert_timer *at);

#endif
