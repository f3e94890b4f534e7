/*
 * alert_timer.c — starts the sender of narrative alerts when alerts are
 * due (alert_timer.h).  The child records every outcome itself, in the
 * alert's row; here only its exit is watched, so that one runs at a time.
 */
#include "alert_timer.h"

#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <event2/event.h>

#include "config.h"
#include "log.h"
#include "paths.h"
#include "spawn.h"
#include "store.h"
#include "store_narratives.h"
#include "util.h"

#define CHECK_EVERY   5 /* seconds between looks at the queue */
#define CHILD_TIMEOUT (10 * 60)

struct alert_timer {
	struct store *store;   /* borrowed */
	char *config_path;     /* given to the child with -c */
	char *demarche;        /* the demarche program */
	bool active;           /* some narrative or category alerts */
	struct event *timer;   /* the next look */
	struct event *sigchld; /* the child's exit */
	pid_t child;           /* running sender, or 0 */
	int64_t child_started; /* when it started */
};

static void arm(struct alert_timer *at)
{
	struct timeval tv = {CHECK_EVERY, 0};

	evtimer_add(at->timer, &tv);
}

static void spawn(struct alert_timer *at)
{
	char *argv[] = {at->demarche,    "-c", at->config_path, "narrative",
	                "--send-alerts", NULL};
	pid_t pid = spawn_program(argv);

	if (pid < 0) {
		log_warn("alerts: cannot start the sender");
		return;
	}
	at->child = pid;
	at->child_started = util_now();
	log_debug("alerts: sender started, child %ld", (long)pid);
}

static void on_timer(evutil_socket_t fd, short what, void *arg)
{
	struct alert_timer *at = arg;
	int64_t due = 0;

	(void)fd;
	(void)what;
	arm(at);
	if (at->child) {
		if (util_now() - at->child_started > CHILD_TIMEOUT) {
			log_warnx("alerts: sender %ld ran for %ds; killing it",
			          (long)at->child, CHILD_TIMEOUT);
			kill(at->child, SIGKILL);
		}
		return;
	}
	if (!at->active)
		return;
	if (store_alerts_due(at->store, util_now(), &due) < 0) {
		log_warnx("alerts: %s", store_errmsg(at->store));
		return;
	}
	if (due > 0)
		spawn(at);
}

static void on_sigchld(evutil_socket_t fd, short what, void *arg)
{
	struct alert_timer *at = arg;
	int status;

	(void)fd;
	(void)what;
	if (!at->child || waitpid(at->child, &status, WNOHANG) != at->child)
		return;
	at->child = 0;
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		log_warnx("alerts: some alerts were not delivered (sender "
		          "status %d); they are retried",
		          WIFEXITED(status) ? WEXITSTATUS(status) : -1);
}

void alert_timer_set_config(struct alert_timer *at, const struct config *cfg)
{
	size_t i;

	at->active = cfg->report.n_alert_categories > 0;
	for (i = 0; i < cfg->n_narratives; i++)
		if (cfg->narratives[i].alert != CONFIG_ALERT_OFF)
			at->active = true;
}

int alert_timer_new(struct event_base *base, struct store *st,
                    const char *config_path, const struct config *cfg,
                    struct alert_timer **out)
{
	struct alert_timer *at = calloc(1, sizeof(*at));

	*out = NULL;
	if (!at)
		return -ENOMEM;
	at->store = st;
	at->config_path = xstrdup(config_path);
	at->demarche = paths_demarche_tool();
	at->timer = evtimer_new(base, on_timer, at);
	at->sigchld = evsignal_new(base, SIGCHLD, on_sigchld, at);
	if (!at->config_path || !at->demarche || !at->timer || !at->sigchld ||
	    evsignal_add(at->sigchld, NULL) < 0) {
		alert_timer_free(at);
		return -ENOMEM;
	}
	alert_timer_set_config(at, cfg);
	{
		struct timeval soon = {1, 0};

		evtimer_add(at->timer, &soon);
	}
	*out = at;
	return 0;
}

void alert_timer_free(struct alert_timer *at)
{
	if (!at)
		return;
	if (at->timer)
		event_free(at->timer);
	if (at->sigchld)
		event_free(at->sigchld);
	free(at->config_path);
	free(at->demarche);
	free(at);
}
