/* test_loop.c — signals reach the loop's callbacks in loop context, in
 * order, and SIGPIPE does not kill the process. */
#include <signal.h>
#include <unistd.h>

#include <event2/event.h>

#include "loop.h"
#include "test.h"

struct seen {
	int stops, reloads, last_sig;
	struct loop *loop;
};

static void on_stop(void *arg, int sig)
{
	struct seen *s = arg;

	s->stops++;
	s->last_sig = sig;
	loop_exit(s->loop);
}

static void on_reload(void *arg)
{
	struct seen *s = arg;

	s->reloads++;
	/* Still running: a reload must not end the loop. */
	raise(SIGTERM);
}

static void fire_hup(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	(void)arg;
	raise(SIGHUP);
}

static void test_hup_then_term(void)
{
	struct seen s = {0};
	struct loop_handlers h = {on_stop, on_reload, &s};
	struct event *ev;
	struct timeval tv = {0, 1000};

	REQUIRE(loop_new(&h, &s.loop) == 0);
	ev = evtimer_new(loop_base(s.loop), fire_hup, NULL);
	evtimer_add(ev, &tv);
	ASSERT_INT_EQ(loop_run(s.loop), 0);
	ASSERT_INT_EQ(s.reloads, 1);
	ASSERT_INT_EQ(s.stops, 1);
	ASSERT_INT_EQ(s.last_sig, SIGTERM);
	event_free(ev);
	loop_free(s.loop);
}

static void fire_int(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	(void)arg;
	raise(SIGPIPE); /* ignored: must not kill us */
	raise(SIGINT);
}

static void test_sigint_and_sigpipe(void)
{
	struct seen s = {0};
	struct loop_handlers h = {on_stop, on_reload, &s};
	struct event *ev;
	struct timeval tv = {0, 1000};

	REQUIRE(loop_new(&h, &s.loop) == 0);
	ev = evtimer_new(loop_base(s.loop), fire_int, NULL);
	evtimer_add(ev, &tv);
	ASSERT_INT_EQ(loop_run(s.loop), 0);
	ASSERT_INT_EQ(s.stops, 1);
	ASSERT_INT_EQ(s.last_sig, SIGINT);
	ASSERT_INT_EQ(s.reloads, 0);
	event_free(ev);
	loop_free(s.loop);
}

/* A stop asked for before the loop runs (demarched --once with nothing to
 * poll) must end loop_run() at once: event_base_dispatch() alone forgets
 * it and waits on the signal events for ever.  A timer far in the future
 * stands for those waits; the test would hang (CTest timeout) on a miss. */
static void test_exit_before_run(void)
{
	struct seen s = {0};
	struct loop_handlers h = {on_stop, on_reload, &s};
	struct event *ev;
	struct timeval tv = {3600, 0};

	REQUIRE(loop_new(&h, &s.loop) == 0);
	ev = evtimer_new(loop_base(s.loop), fire_int, NULL);
	evtimer_add(ev, &tv);
	loop_exit(s.loop);
	ASSERT_INT_EQ(loop_run(s.loop), 0);
	ASSERT_INT_EQ(s.stops, 0);
	/* And again: the stop stays requested. */
	ASSERT_INT_EQ(loop_run(s.loop), 0);
	event_free(ev);
	loop_free(s.loop);
}

/* A busy loop: BUSY timers that re-arm themselves at once stand for a
 * batch of finished polls waiting to be stored.  One raises SIGTERM; the
 * stop must run before the next batch (the signals' priority), not after
 * it: at most BUSY callbacks, where one priority for all gives 2 * BUSY. */
#define BUSY 100
struct busy {
	struct seen *s;
	struct event *ev[BUSY];
	int calls, calls_at_stop;
};
static struct busy busy;

static void busy_stop(void *arg, int sig)
{
	(void)arg;
	(void)sig;
	busy.calls_at_stop = busy.calls;
	loop_exit(busy.s->loop);
}

static void busy_cb(evutil_socket_t fd, short what, void *arg)
{
	struct timeval now = {0, 0};

	(void)fd;
	(void)what;
	if (busy.calls++ == 0)
		raise(SIGTERM);
	evtimer_add(arg, &now);
}

static void test_signal_before_busy_events(void)
{
	struct seen s = {0};
	struct loop_handlers h = {busy_stop, on_reload, &s};
	struct timeval now = {0, 0};
	int i;

	busy.s = &s;
	REQUIRE(loop_new(&h, &s.loop) == 0);
	for (i = 0; i < BUSY; i++) {
		busy.ev[i] = event_new(loop_base(s.loop), -1, 0, busy_cb, NULL);
		REQUIRE(busy.ev[i] != NULL);
		event_assign(busy.ev[i], loop_base(s.loop), -1, 0, busy_cb,
		             busy.ev[i]);
		evtimer_add(busy.ev[i], &now);
	}
	ASSERT_INT_EQ(loop_run(s.loop), 0);
	ASSERT(busy.calls_at_stop >= 1);
	ASSERT(busy.calls_at_stop <= BUSY);
	for (i = 0; i < BUSY; i++)
		event_free(busy.ev[i]);
	loop_free(s.loop);
}

TEST_MAIN(TEST(test_hup_then_term), TEST(test_sigint_and_sigpipe),
          TEST(test_exit_before_run), TEST(test_signal_before_busy_events))
