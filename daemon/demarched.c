/*
 * demarched.c — the service.  One libevent loop carries everything: the
 * curl transfers (fetch.c), the schedule (poller.c), the demo feed server,
 * and the signals, which libevent turns into ordinary callbacks so reload
 * and shutdown run in plain loop context.  A reload parses the new config
 * into a fresh struct and swaps it in only when it is valid; a stop lets
 * in-flight polls finish (each commits or rolls back as a whole) until the
 * configured deadline, then abandons the rest.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sysexits.h>
#include <unistd.h>

#include <curl/curl.h>
#include <event2/event.h>
#include <jansson.h>
#include <libxml/parser.h>
#include <sqlite3.h>

#include "classify.h"
#include "config.h"
#include "demo_server.h"
#include "fetch.h"
#include "log.h"
#include "loop.h"
#include "model.h"
#include "narrative_match.h"
#include "paths.h"
#include "poller.h"
#include "alert_timer.h"
#include "report_timer.h"
#include "sdnotify.h"
#include "store.h"
#include "store_narratives.h"
#include "util.h"

struct daemon {
	const char *config_path;
	struct config *cfg;           /* the config in force */
	struct classify_rules *rules; /* the rules in force */
	struct store *store;
	struct loop *loop;
	struct event_base *base; /* the loop's base (borrowed) */
	struct fetch_engine *fetch;
	struct poller *poller;
	struct demo_server *demo;
	struct report_timer *reports;   /* scheduled report delivery */
	struct alert_timer *alerts;     /* narrative alert delivery */
	struct narrative_matcher *narr; /* the narratives in force */
	struct event *rescan;           /* applies new narratives to the log */
	int64_t rescan_cursor;          /* last post id the rescan read */
	int64_t rescan_matched;         /* matches it wrote */
	struct event *stop_timer;       /* the graceful-stop deadline */
	bool once;
	bool stopping;
	int exit_code;
};

static void usage(FILE *fp)
{
	fputs("usage: demarched -c FILE [--foreground] [--once] [--demo] [-n] "
	      "[-v]\n"
	      "  -c, --config FILE   configuration file\n"
	      "  -f, --foreground    stay in the foreground, log to stderr\n"
	      "      --once          poll every feed once, then exit\n"
	      "      --demo          also serve the [demo] feeds on 127.0.0.1\n"
	      "  -n, --check         check the configuration and exit\n"
	      "  -v, --verbose       debug logging\n"
	      "  -V, --version       print the version\n",
	      fp);
}

static void print_config_errors(const struct config_errors *errs)
{
	size_t i;

	for (i = 0; i < errs->n; i++)
		log_err("%s", errs->msgs[i]);
}

static void print_config_warnings(const struct config_errors *errs)
{
	size_t i;

	for (i = 0; i < errs->n_warnings; i++)
		log_warnx("%s", errs->warnings[i]);
}

static int load_rules(const struct config *cfg, struct classify_rules **out)
{
	const char *dir =
	    cfg->rules_dir ? cfg->rules_dir : paths_default_rules_dir();
	char err[512];
	struct model *m = NULL;
	int r = classify_rules_load(dir, out, err, sizeof(err));

	if (r < 0) {
		log_err("rules: %s", err);
		return r;
	}
	if (!cfg->model_path)
		return 0;
	/* A configured model that does not load fails the (re)load as bad
	 * rules do: the rules in force stay. */
	r = model_load_file(cfg->model_path, &m, err, sizeof(err));
	if (r == 0)
		r = classify_rules_attach_model(*out, m, cfg->model_weight, err,
		                                sizeof(err));
	if (r < 0) {
		log_err("model: %s", err);
		model_free(m);
		classify_rules_free(*out);
		*out = NULL;
	}
	return r;
}

/* Installs the rules' categories as the process's (reports, labels) and
 * names the ones a rules file adds to the codebook's four. */
static void use_categories(const struct classify_rules *rules)
{
	const struct category_set *set = classify_rules_categories(rules);
	char list[CATEGORY_MAX * (CATEGORY_KEY_MAX + 2)] = "";
	size_t off = 0;
	int i;

	category_configure(set);
	for (i = CATEGORY_N_CODEBOOK; i < set->n && off < sizeof(list); i++) {
		int n = snprintf(list + off, sizeof(list) - off, "%s%s",
		                 off ? " " : "", set->key[i]);
		if (n < 0)
			break;
		off += (size_t)n;
	}
	if (set->n > CATEGORY_N_CODEBOOK)
		log_info("categories: the codebook's %d and %d added: %s",
		         CATEGORY_N_CODEBOOK, set->n - CATEGORY_N_CODEBOOK,
		         list);
}

static void on_broad(const char *key, int64_t matched, int64_t total, void *arg)
{
	(void)arg;
	log_warnx("narrative %s matches %lld of %lld posts (over a third): "
	          "are its terms too common?",
	          key, (long long)matched, (long long)total);
}

/* One batch of the rescan of new or changed narratives, then back to the
 * loop: polls go on between batches. */
static void on_rescan(evutil_socket_t fd, short what, void *arg)
{
	struct daemon *d = arg;
	struct timeval now = {0, 0};
	int r;

	(void)fd;
	(void)what;
	if (d->stopping)
		return;
	r = store_narratives_rescan_batch(d->store, &d->rescan_cursor, 500,
	                                  &d->rescan_matched);
	if (r > 0) {
		evtimer_add(d->rescan, &now);
		return;
	}
	if (r < 0) {
		log_warnx("narratives: rescan stopped at post %lld: %s",
		          (long long)d->rescan_cursor, store_errmsg(d->store));
		return;
	}
	log_info("narratives: applied to the stored posts (%lld matches)",
	         (long long)d->rescan_matched);
	store_narratives_broad(d->store, on_broad, NULL);
}

/* The matcher of cfg's narratives, or NULL (logged). */
static struct narrative_matcher *build_matcher(const struct config *cfg)
{
	struct narrative_matcher *m;
	char err[512];

	m = store_narratives_matcher(cfg, err, sizeof(err));
	if (!m)
		log_err("narratives: %s", err);
	return m;
}

static int attach_narratives(struct classify_rules *rules,
                             struct narrative_matcher *m)
{
	char err[512];

	if (classify_rules_attach_narratives(rules, m, err, sizeof(err)) < 0) {
		log_err("narratives: %s", err);
		return -1;
	}
	return 0;
}

/* Makes cfg's narratives (matched by m, which the daemon now owns) the
 * store's; a new or changed one is applied to the stored posts in the
 * background.  A database failure is logged: posts are still matched,
 * and the next reload or start syncs again. */
static void set_narratives(struct daemon *d, const struct config *cfg,
                           struct narrative_matcher *m)
{
	struct timeval now = {0, 0};
	int r;

	r = store_narratives_set(d->store, cfg, m, util_now());
	narrative_matcher_free(d->narr);
	d->narr = m;
	if (r < 0)
		log_warnx("narratives: %s", store_errmsg(d->store));
	if (r > 0 && d->rescan) {
		log_info("narratives: applying %d new or changed one(s) to the "
		         "stored posts",
		         r);
		d->rescan_cursor = 0;
		d->rescan_matched = 0;
		evtimer_add(d->rescan, &now);
	}
}

static void daemon_finish(struct daemon *d)
{
	if (d->stop_timer)
		evtimer_del(d->stop_timer);
	loop_exit(d->loop);
}

/* --once ends here: the summary line says whether every feed was polled,
 * and the exit code agrees (0 all polled, 75 some failed, 74 some could
 * not be stored). */
static void on_idle(void *arg)
{
	struct daemon *d = arg;
	const struct poller_stats *s = poller_stats(d->poller);

	if (d->once && !d->stopping) {
		const char *verdict = "every feed polled";

		if (s->store_errors) {
			verdict = "some polls could not be stored";
			d->exit_code = EX_IOERR;
		} else if (s->failures) {
			verdict = "some feeds failed";
			d->exit_code = EX_TEMPFAIL;
		}
		/* Pluralised: "1 feed", "1 poll", "1 new post". */
		log_info("polled %zu feed%s once: %llu poll%s, %llu failed, "
		         "%llu new post%s, %llu edited, %llu disabled skipped: "
		         "%s",
		         poller_feed_count(d->poller),
		         poller_feed_count(d->poller) == 1 ? "" : "s",
		         (unsigned long long)s->polls, s->polls == 1 ? "" : "s",
		         (unsigned long long)s->failures,
		         (unsigned long long)s->new_posts,
		         s->new_posts == 1 ? "" : "s",
		         (unsigned long long)s->edited_posts,
		         (unsigned long long)s->disabled, verdict);
	}
	daemon_finish(d);
}

static void on_stop_deadline(evutil_socket_t fd, short what, void *arg)
{
	struct daemon *d = arg;

	(void)fd;
	(void)what;
	log_warnx("stop deadline reached: abandoning %zu transfer(s) in flight",
	          poller_in_flight(d->poller));
	fetch_cancel_all(d->fetch);
	daemon_finish(d);
}

static void daemon_stop(struct daemon *d, const char *why)
{
	struct timeval tv;

	if (d->stopping)
		return;
	d->stopping = true;
	sdnotify("STOPPING=1");
	log_info("%s: stopping, %zu transfer(s) in flight", why,
	         poller_in_flight(d->poller));
	tv.tv_sec = d->cfg->stop_timeout > 0 ? d->cfg->stop_timeout : 10;
	tv.tv_usec = 0;
	evtimer_add(d->stop_timer, &tv);
	poller_stop(d->poller); /* may call on_idle right away */
}

static void on_stop_signal(void *arg, int sig)
{
	daemon_stop(arg, sig == SIGINT ? "SIGINT" : "SIGTERM");
}

static void daemon_reload(struct daemon *d)
{
	struct config_errors errs = {0};
	struct config *cfg = NULL;
	struct classify_rules *rules = NULL;
	struct narrative_matcher *m = NULL;
	int r;

	sdnotifyf("RELOADING=1\nMONOTONIC_USEC=%lld",
	          (long long)util_monotonic_ms() * 1000);
	log_info("SIGHUP: reloading %s", d->config_path);
	r = config_load(d->config_path, &cfg, &errs);
	if (r < 0) {
		print_config_errors(&errs);
		log_err("reload failed: keeping the running configuration");
		goto out_clear_errs;
	}
	print_config_warnings(&errs);
	if (strcmp(cfg->database, d->cfg->database) != 0)
		log_warnx(
		    "reload: [storage] database changed; restart to use %s",
		    cfg->database);
	if (load_rules(cfg, &rules) < 0) {
		log_err("reload failed: keeping the running configuration");
		goto out_clear_errs;
	}
	m = build_matcher(cfg);
	if (!m) {
		log_err("reload failed: keeping the running configuration");
		goto out_clear_errs;
	}
	/* Posts are scanned once, for the categories and the narratives. */
	if (attach_narratives(rules, m) < 0)
		goto out_clear_errs;
	r = store_sync_config(d->store, cfg);
	if (r == 0)
		r = poller_set_config(d->poller, cfg, rules);
	if (r == 0 && d->reports &&
	    report_timer_set_config(d->reports, cfg) < 0)
		log_warnx("reload: report schedule unchanged");
	if (r == 0 && d->alerts)
		alert_timer_set_config(d->alerts, cfg);
	if (r < 0) {
		log_err("reload failed (%s): keeping the running configuration",
		        store_errmsg(d->store));
		goto out_clear_errs;
	}
	if (strcmp(classify_rules_version(rules),
	           classify_rules_version(d->rules)))
		log_notice("rules version now %s (was %s)",
		           classify_rules_version(rules),
		           classify_rules_version(d->rules));
	set_narratives(d, cfg, m);
	m = NULL;
	/* Swapped: the poller no longer refers to the old ones. */
	config_free(d->cfg);
	classify_rules_free(d->rules);
	d->cfg = cfg;
	d->rules = rules;
	use_categories(d->rules);
	cfg = NULL;
	rules = NULL;
	log_info("reloaded: %zu account(s), %zu feed(s)", d->cfg->n_accounts,
	         poller_feed_count(d->poller));
out_clear_errs:
	config_errors_clear(&errs);
	config_free(cfg);
	classify_rules_free(rules);
	narrative_matcher_free(m);
	sdnotifyf("READY=1\nSTATUS=polling %zu feed(s)",
	          poller_feed_count(d->poller));
}

static void on_reload_signal(void *arg)
{
	struct daemon *d = arg;

	if (!d->stopping)
		daemon_reload(d);
}

/* Detaches from the terminal when not run by systemd or in the foreground. */
static int daemonize(void)
{
	pid_t pid = fork();
	int fd;

	if (pid < 0)
		return -errno;
	if (pid > 0)
		_exit(0);
	if (setsid() < 0)
		return -errno;
	pid = fork();
	if (pid < 0)
		return -errno;
	if (pid > 0)
		_exit(0);
	if (chdir("/") != 0)
		return -errno;
	fd = open("/dev/null", O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	dup2(fd, 0);
	dup2(fd, 1);
	dup2(fd, 2);
	if (fd > 2)
		close(fd);
	return 0;
}

static int daemon_setup(struct daemon *d, bool demo)
{
	char err[512];
	int r;

	r = store_open(d->cfg->database, &d->store, err, sizeof(err));
	if (r < 0) {
		/* err names the file. */
		log_err("cannot open the database: %s", err);
		return EX_IOERR;
	}
	if (store_sync_config(d->store, d->cfg) < 0) {
		log_err("database %s: %s", d->cfg->database,
		        store_errmsg(d->store));
		return EX_IOERR;
	}
	{
		struct loop_handlers h = {on_stop_signal, on_reload_signal, d};

		if (loop_new(&h, &d->loop) < 0) {
			log_err("cannot create the event loop");
			return EX_OSERR;
		}
	}
	d->base = loop_base(d->loop);
	d->stop_timer = evtimer_new(d->base, on_stop_deadline, d);
	d->rescan = evtimer_new(d->base, on_rescan, d);
	if (!d->stop_timer || !d->rescan) {
		log_err("cannot create the stop timer");
		return EX_OSERR;
	}
	if (demo) {
		if (!d->cfg->demo_feeds_dir) {
			log_err("--demo needs a [demo] feeds folder in %s",
			        d->config_path);
			return EX_CONFIG;
		}
		r = demo_server_start(d->base, d->cfg->demo_feeds_dir,
		                      d->cfg->demo_port, &d->demo);
		if (r < 0) {
			log_err("demo server on 127.0.0.1:%d: %s",
			        d->cfg->demo_port, strerror(-r));
			return EX_UNAVAILABLE;
		}
		log_info("demo: serving %s on http://127.0.0.1:%d/",
		         d->cfg->demo_feeds_dir, d->cfg->demo_port);
	}
	if ((r = fetch_engine_new(d->base, &d->fetch)) < 0 ||
	    (r = poller_new(d->base, d->store, d->fetch, &d->poller)) < 0) {
		log_err("cannot start the poller: %s", strerror(-r));
		return EX_OSERR;
	}
	{
		struct narrative_matcher *m = build_matcher(d->cfg);

		if (!m || attach_narratives(d->rules, m) < 0) {
			narrative_matcher_free(m);
			return EX_CONFIG;
		}
		set_narratives(d, d->cfg, m);
	}
	if ((r = poller_set_config(d->poller, d->cfg, d->rules)) < 0) {
		log_err("cannot load feed state: %s", store_errmsg(d->store));
		return EX_IOERR;
	}
	return 0;
}

static void daemon_teardown(struct daemon *d)
{
	/* The engine first: it drops transfers whose callbacks would refer
	 * to poller records. */
	fetch_engine_free(d->fetch);
	poller_free(d->poller);
	report_timer_free(d->reports);
	alert_timer_free(d->alerts);
	demo_server_free(d->demo);
	if (d->stop_timer)
		event_free(d->stop_timer);
	if (d->rescan)
		event_free(d->rescan);
	loop_free(d->loop);
	store_close(d->store);
	narrative_matcher_free(d->narr);
	classify_rules_free(d->rules);
	config_free(d->cfg);
}

/* Reads the config, checks its database target and loads the rules: 0,
 * or the exit code (every error printed). */
static int daemon_load_config(struct daemon *d)
{
	struct config_errors errs = {0};
	char dbmsg[1200];
	int r;

	r = config_load(d->config_path, &d->cfg, &errs);
	if (r < 0) {
		size_t i;

		for (i = 0; i < errs.n; i++)
			fprintf(stderr, "%s\n", errs.msgs[i]);
		config_errors_clear(&errs);
		return r == -ENOENT || r == -EACCES ? EX_NOINPUT : EX_CONFIG;
	}
	/* The database's folder (or URL) is checked before anything starts:
	 * the unit's ExecStartPre (-n) fails here, naming the key's line,
	 * instead of the start failing later. */
	if (store_check_config_target(d->cfg, d->config_path, dbmsg,
	                              sizeof(dbmsg)) < 0) {
		fprintf(stderr, "%s\n", dbmsg);
		config_errors_clear(&errs);
		config_free(d->cfg);
		return EX_CONFIG;
	}
	print_config_warnings(&errs);
	config_errors_clear(&errs);
	if (load_rules(d->cfg, &d->rules) < 0) {
		config_free(d->cfg);
		return EX_CONFIG;
	}
	/* Reports and labels list the rules' categories. */
	use_categories(d->rules);
	return 0;
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
	    {"config", required_argument, NULL, 'c'},
	    {"foreground", no_argument, NULL, 'f'},
	    {"once", no_argument, NULL, 'o'},
	    {"demo", no_argument, NULL, 'D'},
	    {"check", no_argument, NULL, 'n'},
	    {"verbose", no_argument, NULL, 'v'},
	    {"version", no_argument, NULL, 'V'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	struct daemon d = {0};
	bool foreground = false, demo = false, check = false, verbose = false;
	int ch, r;

	while ((ch = getopt_long(argc, argv, "c:fnvVh", longopts, NULL)) !=
	       -1) {
		switch (ch) {
		case 'c':
			d.config_path = optarg;
			break;
		case 'f':
			foreground = true;
			break;
		case 'o':
			d.once = true;
			break;
		case 'D':
			demo = true;
			break;
		case 'n':
			check = true;
			break;
		case 'v':
			verbose = true;
			break;
		case 'V':
			printf("demarched %s\n", DEMARCHE_VERSION);
			return 0;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return EX_USAGE;
		}
	}
	if (!d.config_path || optind != argc) {
		usage(stderr);
		return EX_USAGE;
	}
	/* systemd runs us in the foreground with the journal on stderr. */
	if (getenv("NOTIFY_SOCKET") || getenv("JOURNAL_STREAM") || d.once ||
	    check)
		foreground = true;
	log_init("demarched", foreground, verbose);

	r = daemon_load_config(&d);
	if (r != 0)
		return r;
	if (check) {
		printf("configuration OK\n");
		classify_rules_free(d.rules);
		config_free(d.cfg);
		return 0;
	}
	if (!foreground && daemonize() < 0) {
		log_warn("cannot detach");
		classify_rules_free(d.rules);
		config_free(d.cfg);
		return EX_OSERR;
	}
	log_info("demarched %s starting (libcurl %s, libevent %s, sqlite %s, "
	         "jansson %s, libxml2 %s); rules %s",
	         DEMARCHE_VERSION, curl_version_info(CURLVERSION_NOW)->version,
	         event_get_version(), sqlite3_libversion(),
	         jansson_version_str(), xmlParserVersion,
	         classify_rules_version(d.rules));

	r = daemon_setup(&d, demo);
	if (r != 0) {
		daemon_teardown(&d);
		return r;
	}
	log_info("polling %zu feed(s) of %zu account(s)%s",
	         poller_feed_count(d.poller), d.cfg->n_accounts,
	         d.once ? " once" : "");
	/* With nothing due, --once may finish inside poller_start(): the
	 * loop keeps that request (loop_exit) and returns at once. */
	poller_start(d.poller, d.once, on_idle, &d);
	if (!d.once && report_timer_new(d.base, d.store, d.cfg->path, d.cfg,
	                                &d.reports) < 0)
		log_err("report schedule: cannot start; reports are not sent");
	if (!d.once &&
	    alert_timer_new(d.base, d.store, d.cfg->path, d.cfg, &d.alerts) < 0)
		log_err("alerts: cannot start; alerts are not sent");
	sdnotifyf("READY=1\nSTATUS=polling %zu feed(s)",
	          poller_feed_count(d.poller));
	if (loop_run(d.loop) < 0) {
		log_err("event loop failed");
		d.exit_code = EX_SOFTWARE;
	}
	if (d.once && poller_stats(d.poller)->store_errors)
		d.exit_code = EX_IOERR;
	log_info("stopped");
	daemon_teardown(&d);
	return d.exit_code;
}
