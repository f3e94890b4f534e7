/*
 * loop.c — signals routed into libevent (evsignal), as tmux's proc.c does:
 * the handlers themselves only note the signal, and our callbacks run from
 * the loop, never from signal context.
 */
#include "loop.h"

#include <errno.h>
#include <stdbool.h>
#include <signal.h>
#include <stdlib.h>

#include <event2/event.h>

/* Priority 0 (signals) and 1, the default of every other event. */
#define LOOP_PRIORITIES 2

struct loop {
	struct event_base *base;
	struct event *sig_term, *sig_int, *sig_hup;
	struct loop_handlers h;
	bool done; /* loop_exit() was called: dispatch must not (re)start */
};

static void loop_on_stop(evutil_socket_t sig, short what, void *arg)
{
	struct loop *l = arg;

	(void)what;
	if (l->h.on_stop)
		l->h.on_stop(l->h.arg, (int)sig);
}

static void loop_on_hup(evutil_socket_t sig, short what, void *arg)
{
	struct loop *l = arg;

	(void)sig;
	(void)what;
	if (l->h.on_reload)
		l->h.on_reload(l->h.arg);
}

int loop_new(const struct loop_handlers *handlers, struct loop **out)
{
	struct loop *l = calloc(1, sizeof(*l));

	if (!l)
		return -ENOMEM;
	l->h = *handlers;
	signal(SIGPIPE, SIG_IGN);
	l->base = event_base_new();
	if (!l->base)
		goto out_free_loop;
	/* Two priorities: the signals run before any other ready callback,
	 * so a stop or reload is taken at once even when a thousand polls
	 * are waiting to be stored (every other event gets the default,
	 * the lower one). */
	if (event_base_priority_init(l->base, LOOP_PRIORITIES) < 0)
		goto out_free_loop;
	l->sig_term = evsignal_new(l->base, SIGTERM, loop_on_stop, l);
	l->sig_int = evsignal_new(l->base, SIGINT, loop_on_stop, l);
	l->sig_hup = evsignal_new(l->base, SIGHUP, loop_on_hup, l);
	if (!l->sig_term || !l->sig_int || !l->sig_hup ||
	    event_priority_set(l->sig_term, 0) < 0 ||
	    event_priority_set(l->sig_int, 0) < 0 ||
	    event_priority_set(l->sig_hup, 0) < 0 ||
	    evsignal_add(l->sig_term, NULL) < 0 ||
	    evsignal_add(l->sig_int, NULL) < 0 ||
	    evsignal_add(l->sig_hup, NULL) < 0)
		goto out_free_loop;
	*out = l;
	return 0;
out_free_loop:
	loop_free(l);
	return -ENOMEM;
}

struct event_base *loop_base(struct loop *l)
{
	return l->base;
}

int loop_run(struct loop *l)
{
	/* event_base_dispatch() clears a break requested before it runs, so
	 * a stop asked for during setup (--once with nothing to poll) is
	 * kept here, and checked after every pass for the same reason. */
	while (!l->done) {
		int r = event_base_loop(l->base, EVLOOP_ONCE);

		if (r < 0)
			return -EIO;
		if (r == 1)
			break; /* nothing left to wait for */
	}
	return 0;
}

void loop_exit(struct loop *l)
{
	l->done = true;
	event_base_loopbreak(l->base);
}

void loop_free(struct loop *l)
{
	if (!l)
		return;
	if (l->sig_term)
		event_free(l->sig_term);
	if (l->sig_int)
		event_free(l->sig_int);
	if (l->sig_hup)
		event_free(l->sig_hup);
	if (l->base)
		event_base_free(l->base);
	/* Removing the events restored the default actions; a late signal
	 * during the rest of the shutdown must not kill the process. */
	signal(SIGTERM, SIG_IGN);
	signal(SIGINT, SIG_IGN);
	signal(SIGHUP, SIG_IGN);
	free(l);
}
