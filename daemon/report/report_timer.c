/*
 * report_timer.c — the report schedule and the daemon's delivery runs (see
 * report_timer.h).
 *
 * Schedules are wall-clock times in a zone, so the arithmetic works on
 * "local seconds" (UTC seconds plus the offset in force) and converts a
 * local time back to UTC by trying the offsets in force a day before and
 * a day after: one of them is right unless the time falls in a gap or an
 * overlap of a clock change, which the rules in report_timer.h settle.
 *
 * Delivery runs in a child process (`demarche report --deliver`), so the
 * event loop only ever waits on a timer and SIGCHLD.  The child gets the
 * exact period on its command line, so a retry sends the same period.
 */
#include "report_timer.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <event2/event.h>

#include "config.h"
#include "date.h"
#include "db.h"
#include "log.h"
#include "paths.h"
#include "spawn.h"
#include "store.h"
#include "util.h"

#define DAY 86400

/* ------------------------------------------------------------ schedule */

int report_schedule_parse(const char *s, struct report_schedule *out)
{
	static const char *const days[] = {"mon", "tue", "wed", "thu",
	                                   "fri", "sat", "sun"};
	static const char *const long_days[] = {
	    "monday", "tuesday",  "wednesday", "thursday",
	    "friday", "saturday", "sunday"};
	char w[3][16], extra;
	int n, h, m, used = 0;
	const char *t;
	size_t i;

	memset(out, 0, sizeof(*out));
	if (!s)
		return -EINVAL;
	n = sscanf(s, "%15s %15s %15s %c", w[0], w[1], w[2], &extra);
	if (n == 1 && strcasecmp(w[0], "off") == 0)
		return 0;
	if (n == 2 && strcasecmp(w[0], "daily") == 0) {
		out->kind = REPORT_SCHEDULE_DAILY;
		t = w[1];
	} else if (n == 3 && strcasecmp(w[0], "weekly") == 0) {
		out->kind = REPORT_SCHEDULE_WEEKLY;
		out->weekday = -1;
		for (i = 0; i < ARRAY_SIZE(days); i++)
			if (strcasecmp(w[1], days[i]) == 0 ||
			    strcasecmp(w[1], long_days[i]) == 0)
				out->weekday = (int)i;
		if (out->weekday < 0)
			return -EINVAL;
		t = w[2];
	} else {
		return -EINVAL;
	}
	if (sscanf(t, "%2d:%2d%n", &h, &m, &used) != 2 || t[used] ||
	    t[0] < '0' || t[0] > '9' || h < 0 || h > 23 || m < 0 || m > 59 ||
	    strlen(strchr(t, ':') + 1) != 2)
		return -EINVAL;
	out->hour = h;
	out->minute = m;
	return 0;
}

static int64_t floor_div(int64_t a, int64_t b)
{
	return a / b - (a % b != 0 && (a < 0) != (b < 0));
}

/* The UTC instant of local wall time `wall` (local seconds).  See the file
 * comment; in a gap the pre-change offset is used, which lands as far
 * after the change as the wall time was after its start. */
static int64_t local_to_utc(int64_t wall, report_offset_fn offset, void *arg)
{
	int64_t before = offset(wall - DAY, arg),
	        after = offset(wall + DAY, arg);
	int64_t t1 = wall - before, t2 = wall - after;
	bool ok1 = t1 + offset(t1, arg) == wall,
	     ok2 = t2 + offset(t2, arg) == wall;

	if (ok1 && ok2)
		return t1 < t2 ? t1 : t2;
	if (ok2)
		return t2;
	return t1;
}

/* The run on local day `day` (days since 1970-01-01 local), or false when
 * the schedule does not run that day. */
static bool run_on_day(const struct report_schedule *s, int64_t day,
                       report_offset_fn offset, void *arg, int64_t *out)
{
	/* 1970-01-01 was a Thursday: weekday 3 with Monday = 0. */
	int wd = (int)(((day % 7) + 7 + 3) % 7);

	if (s->kind == REPORT_SCHEDULE_WEEKLY && wd != s->weekday)
		return false;
	*out = local_to_utc(day * DAY + s->hour * 3600 + s->minute * 60, offset,
	                    arg);
	return true;
}

int report_schedule_next(const struct report_schedule *s, int64_t after,
                         report_offset_fn offset, void *arg, int64_t *out)
{
	int64_t day, t;
	int i;

	if (s->kind == REPORT_SCHEDULE_OFF)
		return -EINVAL;
	/* Start a day early: a run on the previous local day may still lie
	 * ahead in UTC terms when the offset just changed. */
	day = floor_div(after + offset(after, arg), DAY) - 1;
	for (i = 0; i < 10; i++, day++)
		if (run_on_day(s, day, offset, arg, &t) && t > after) {
			*out = t;
			return 0;
		}
	return -EINVAL;
}

int report_schedule_prev(const struct report_schedule *s, int64_t at,
                         report_offset_fn offset, void *arg, int64_t *out)
{
	int64_t day, t;
	int i;

	if (s->kind == REPORT_SCHEDULE_OFF)
		return -EINVAL;
	day = floor_div(at + offset(at, arg), DAY) + 1;
	for (i = 0; i < 10; i++, day--)
		if (run_on_day(s, day, offset, arg, &t) && t <= at) {
			*out = t;
			return 0;
		}
	return -EINVAL;
}

int64_t report_timer_zone_offset(int64_t t, void *arg)
{
	const char *zone = arg;
	char *saved = NULL;
	const char *old;
	struct tm tm;
	time_t tt = (time_t)t;
	int64_t off = 0;

	if (!zone || !*zone || strcmp(zone, "UTC") == 0)
		return 0;
	old = getenv("TZ");
	if (old) {
		saved = strdup(old);
		if (!saved)
			return 0;
	}
	if (setenv("TZ", zone, 1) == 0) {
		tzset();
		if (localtime_r(&tt, &tm))
			off = tm.tm_gmtoff;
	}
	if (saved) {
		setenv("TZ", saved, 1);
		free(saved);
	} else {
		unsetenv("TZ");
	}
	tzset();
	return off;
}

bool report_timer_zone_valid(const char *name)
{
	const char *p;
	char path[512];

	if (!name || !*name || strlen(name) > 200)
		return false;
	if (strcmp(name, "UTC") == 0)
		return true;
	/* A zone name is a relative path into the database: no "..", no
	 * leading "/", only the characters zone names use. */
	if (name[0] == '/' || strstr(name, ".."))
		return false;
	for (p = name; *p; p++)
		if (!((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') ||
		      (*p >= '0' && *p <= '9') || strchr("/_+-", *p)))
			return false;
	snprintf(path, sizeof(path), "/usr/share/zoneinfo/%s", name);
	return access(path, R_OK) == 0;
}

/* ------------------------------------------------------------- the glue */

/* How long one delivery child may run before it is killed. */
#define CHILD_TIMEOUT (15 * 60)

struct report_timer {
	struct event_base *base;      /* the daemon's loop (borrowed) */
	struct store *store;          /* where runs are recorded (borrowed) */
	char *config_path;            /* given to the child with -c */
	char *demarche;               /* path of the demarche program */
	struct report_schedule sched; /* the schedule in force */
	char *zone;                   /* [report] timezone, or NULL for UTC */
	int64_t period;               /* seconds a report covers */
	int retries;                  /* further tries after a failure */
	int64_t retry_delay;          /* seconds before the first retry */
	struct event *timer;          /* next run or next retry */
	struct event *sigchld;        /* the child's exit */
	struct event *deadline;       /* CHILD_TIMEOUT */
	pid_t child;                  /* running delivery, or 0 */
	int64_t slot;                 /* scheduled time being delivered, or 0 */
	int64_t from, to;             /* its period */
	int attempts;                 /* tries made for slot */
};

static void arm_at(struct report_timer *rt, int64_t when)
{
	struct timeval tv = {0, 0};
	int64_t now = util_now();

	if (when > now)
		tv.tv_sec = (time_t)(when - now);
	evtimer_add(rt->timer, &tv);
}

static void schedule_next(struct report_timer *rt)
{
	int64_t next;

	if (rt->sched.kind == REPORT_SCHEDULE_OFF ||
	    report_schedule_next(&rt->sched, util_now(),
	                         report_timer_zone_offset, rt->zone,
	                         &next) < 0) {
		evtimer_del(rt->timer);
		return;
	}
	rt->slot = next;
	rt->from = next - rt->period;
	rt->to = next;
	rt->attempts = 0;
	{
		char iso[DATE_RFC3339_LEN];

		log_info("next report at %s", date_format_rfc3339(next, iso));
	}
	arm_at(rt, next);
}

/* Records the outcome of slot; failures to record are only logged, the
 * worst case being one more delivery after a restart. */
static void record(struct report_timer *rt, bool ok, const char *error)
{
	static const char sql[] =
	    "INSERT INTO report_deliveries (slot, period_from, period_to,"
	    " status, attempts, finished, error) VALUES (?1, ?2, ?3, ?4, ?5,"
	    " ?6, ?7) ON CONFLICT (slot) DO UPDATE SET status = "
	    "excluded.status,"
	    " attempts = excluded.attempts, finished = excluded.finished,"
	    " error = excluded.error";
	struct db *db = store_conn(rt->store);
	struct db_stmt *s = NULL;
	int rc;

	rc = db_prepare(db, sql, &s);
	if (rc == 0) {
		db_bind_int64(s, 1, rt->slot);
		db_bind_int64(s, 2, rt->from);
		db_bind_int64(s, 3, rt->to);
		db_bind_text(s, 4, ok ? "delivered" : "failed");
		db_bind_int64(s, 5, rt->attempts);
		db_bind_int64(s, 6, util_now());
		if (error)
			db_bind_text(s, 7, error);
		rc = db_step(s);
	}
	if (rc != DB_DONE)
		log_warnx("report: cannot record the delivery: %s",
		          db_errmsg(db));
	db_finalize(s);
}

/* The slot of the last recorded run, or 0 when none. */
static int64_t last_recorded(struct report_timer *rt)
{
	struct db *db = store_conn(rt->store);
	struct db_stmt *s = NULL;
	int64_t slot = 0;

	if (db_prepare(db, "SELECT max(slot) FROM report_deliveries", &s) ==
	        0 &&
	    db_step(s) == DB_ROW && !db_column_null(s, 0))
		slot = db_column_int64(s, 0);
	db_finalize(s);
	return slot;
}

static void spawn(struct report_timer *rt)
{
	char since[32], until[32];
	struct timeval tv = {CHILD_TIMEOUT, 0};
	char *argv[] = {rt->demarche, "-c",      rt->config_path, "report",
	                "--deliver",  "--since", since,           "--until",
	                until,        NULL};
	pid_t pid;

	snprintf(since, sizeof(since), "%llds", (long long)(rt->to - rt->from));
	snprintf(until, sizeof(until), "%lld", (long long)rt->to);
	rt->attempts++;
	pid = spawn_program(argv);
	if (pid < 0) {
		log_warn("report: cannot start the delivery");
		return;
	}
	rt->child = pid;
	evtimer_add(rt->deadline, &tv);
	log_info("report: delivering (try %d), child %ld", rt->attempts,
	         (long)pid);
}

static void on_timer(evutil_socket_t fd, short what, void *arg)
{
	struct report_timer *rt = arg;

	(void)fd;
	(void)what;
	if (rt->child)
		return; /* the previous delivery is still running */
	/* Several daemons on one database (PostgreSQL): the first to claim
	 * the slot sends the report, the others skip it. */
	if (rt->attempts == 0) {
		char owner[96], host[64] = "";
		int r;

		if (gethostname(host, sizeof(host) - 1) < 0)
			snprintf(host, sizeof(host), "unknown");
		snprintf(owner, sizeof(owner), "%s:%ld", host, (long)getpid());
		r = store_claim_report(rt->store, rt->slot, rt->from, rt->to,
		                       owner);
		if (r == 0) {
			log_info("report: another instance sends this one");
			schedule_next(rt);
			return;
		}
		if (r < 0)
			log_warnx("report: cannot claim the delivery: %s",
			          store_errmsg(rt->store));
	}
	spawn(rt);
	if (!rt->child) {
		/* fork failed: treat like a failed try */
		struct timeval tv = {(time_t)rt->retry_delay, 0};

		if (rt->attempts <= rt->retries)
			evtimer_add(rt->timer, &tv);
		else
			schedule_next(rt);
	}
}

static void finished(struct report_timer *rt, int status)
{
	char why[64];

	evtimer_del(rt->deadline);
	rt->child = 0;
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0) {
		log_info("report: delivered (try %d)", rt->attempts);
		record(rt, true, NULL);
		schedule_next(rt);
		return;
	}
	if (WIFEXITED(status))
		snprintf(why, sizeof(why), "exit status %d",
		         WEXITSTATUS(status));
	else
		snprintf(why, sizeof(why), "killed by signal %d",
		         WIFSIGNALED(status) ? WTERMSIG(status) : 0);
	if (rt->attempts <= rt->retries) {
		/* Exponential backoff: delay, 2*delay, 4*delay, ... */
		int64_t delay = rt->retry_delay;
		struct timeval tv;
		int i;

		for (i = 1; i < rt->attempts && delay < 6 * 3600; i++)
			delay *= 2;
		tv.tv_sec = (time_t)delay;
		tv.tv_usec = 0;
		log_warnx("report: delivery failed (%s); retrying in %llds",
		          why, (long long)delay);
		evtimer_add(rt->timer, &tv);
		return;
	}
	log_err("report: delivery failed (%s) after %d tries; giving up on "
	        "this period",
	        why, rt->attempts);
	record(rt, false, why);
	schedule_next(rt);
}

static void on_sigchld(evutil_socket_t fd, short what, void *arg)
{
	struct report_timer *rt = arg;
	int status;
	pid_t r;

	(void)fd;
	(void)what;
	if (!rt->child)
		return;
	r = waitpid(rt->child, &status, WNOHANG);
	if (r == rt->child)
		finished(rt, status);
}

static void on_deadline(evutil_socket_t fd, short what, void *arg)
{
	struct report_timer *rt = arg;

	(void)fd;
	(void)what;
	if (rt->child) {
		log_warnx("report: delivery child %ld ran for %ds; killing it",
		          (long)rt->child, CHILD_TIMEOUT);
		kill(rt->child, SIGKILL);
	}
}

int report_timer_set_config(struct report_timer *rt, const struct config *cfg)
{
	struct report_schedule sched;
	int64_t period = 24 * 3600;
	char *zone = NULL;

	if (report_schedule_parse(cfg->report.schedule, &sched) < 0)
		return -EINVAL;
	if (cfg->report.since &&
	    config_parse_duration(cfg->report.since, &period) < 0)
		return -EINVAL;
	if (cfg->report.timezone) {
		zone = strdup(cfg->report.timezone);
		if (!zone)
			return -ENOMEM;
	}
	free(rt->zone);
	rt->zone = zone;
	rt->sched = sched;
	rt->period = period > 0 ? period : 24 * 3600;
	rt->retries = cfg->report.retries;
	rt->retry_delay =
	    cfg->report.retry_delay > 0 ? cfg->report.retry_delay : 60;
	if (rt->child)
		return 0; /* the running delivery reschedules when done */
	evtimer_del(rt->timer);
	schedule_next(rt);
	return 0;
}

int report_timer_new(struct event_base *base, struct store *st,
                     const char *config_path, const struct config *cfg,
                     struct report_timer **out)
{
	struct report_timer *rt;
	int64_t prev, last;
	int rc = -ENOMEM;

	*out = NULL;
	rt = calloc(1, sizeof(*rt));
	if (!rt)
		return -ENOMEM;
	rt->base = base;
	rt->store = st;
	rt->config_path = strdup(config_path);
	rt->demarche = paths_demarche_tool();
	rt->timer = evtimer_new(base, on_timer, rt);
	rt->deadline = evtimer_new(base, on_deadline, rt);
	rt->sigchld = evsignal_new(base, SIGCHLD, on_sigchld, rt);
	if (!rt->config_path || !rt->demarche || !rt->timer || !rt->deadline ||
	    !rt->sigchld || evsignal_add(rt->sigchld, NULL) < 0)
		goto out_free_timer;
	rc = report_timer_set_config(rt, cfg);
	if (rc < 0)
		goto out_free_timer;
	/* A run missed while the daemon was down is made up now, once: the
	 * most recent slot, if an earlier one was recorded (a database with
	 * no record has never had a schedule, so it has nothing to catch up).
	 */
	last = last_recorded(rt);
	if (rt->sched.kind != REPORT_SCHEDULE_OFF && last > 0 &&
	    report_schedule_prev(&rt->sched, util_now(),
	                         report_timer_zone_offset, rt->zone,
	                         &prev) == 0 &&
	    prev > last) {
		char iso[DATE_RFC3339_LEN];

		log_notice(
		    "report: the run of %s was missed; delivering it now",
		    date_format_rfc3339(prev, iso));
		evtimer_del(rt->timer);
		rt->slot = prev;
		rt->from = prev - rt->period;
		rt->to = prev;
		rt->attempts = 0;
		arm_at(rt, 0);
	}
	*out = rt;
	return 0;
out_free_timer:
	report_timer_free(rt);
	return rc;
}

void report_timer_free(struct report_timer *rt)
{
	if (!rt)
		return;
	if (rt->timer)
		event_free(rt->timer);
	if (rt->deadline)
		event_free(rt->deadline);
	if (rt->sigchld)
		event_free(rt->sigchld);
	free(rt->config_path);
	free(rt->demarche);
	free(rt->zone);
	free(rt);
}
