/*
 * loop.h — the daemon's event loop: one libevent base, with SIGTERM/SIGINT
 * and SIGHUP turned into ordinary callbacks that run in loop context (so
 * they may touch any state), and SIGPIPE ignored so a peer closing a
 * socket is an error return, not a death.
 */
#ifndef DEMARCHE_LOOP_H
#define DEMARCHE_LOOP_H

struct event_base;
struct loop; /* opaque */

struct loop_handlers {
	void (*on_stop)(void *arg, int sig); /* SIGTERM or SIGINT */
	void (*on_reload)(void *arg);        /* SIGHUP */
	void *arg;
};

/* Returns 0 and a *new* loop, or a negative errno. */
int loop_new(const struct loop_handlers *handlers, struct loop **out);
/* The base every module registers its events on (borrowed). */
struct event_base *loop_base(struct loop *l);
/* Runs until loop_exit() or until nothing is left to wait for.
 * Returns 0 or -EIO. */
int loop_run(struct loop *l);
/* Makes loop_run() return after the current callback, or at once when it
 * has not started yet (the request is never lost). */
void loop_exit(struct loop *l);
void loop_free(struct loop *l);

#endif
