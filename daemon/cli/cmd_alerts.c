/*
 * cmd_alerts.c — `demarche -c FILE narrative --send-alerts`: sends the
 * narrative alerts that are due through the channels of [report] (a line
 * in output_dir/alerts.log, a short mail, a webhook POST of
 * {"type", "narrative", "post": {"account", "url", "text", "time"}}).
 * The daemon starts it when alerts are due.  Each alert is claimed in the
 * log before it is sent and its outcome recorded with the channels that
 * took it, so it goes out once however many senders run, and a retry
 * goes only through the channels that failed.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <unistd.h>

#include <curl/curl.h>
#include <jansson.h>

#include "cmd.h"
#include "config.h"
#include "date.h"
#include "deliver.h"
#include "log.h"
#include "store.h"
#include "store_narratives.h"
#include "util.h"

#define LEASE      300 /* seconds a sender holds an alert */
#define TEXT_SHORT 280 /* bytes of the post in a file line or subject */

/* The alert as its webhook JSON: a *new* reference. */
static json_t *alert_json(const struct store_alert *a)
{
	char t[DATE_RFC3339_LEN];
	json_t *o;

	o = json_pack("{s:s, s:s, s:{s:s?, s:s?, s:s?, s:s}}", "type", a->kind,
	              "narrative", a->narrative, "post", "account", a->account,
	              "url", a->url, "text", a->text, "time",
	              date_format_rfc3339(a->time, t));
	if (o && a->day)
		json_object_set_new(o, "spike",
		                    json_pack("{s:s, s:I, s:f}", "day", a->day,
		                              "posts", (json_int_t)a->day_count,
		                              "mean", a->mean));
	return o;
}

/* One line: TIME TYPE NARRATIVE @ACCOUNT URL TEXT (shortened, one line). */
static int alert_line(const struct store_alert *a, struct buf *b)
{
	char t[DATE_RFC3339_LEN];
	const char *s = a->text ? a->text : "";
	size_t i;

	buf_printf(b, "%s %s %s @%s %s ", date_format_rfc3339(a->time, t),
	           a->kind, a->narrative, a->account ? a->account : "?",
	           a->url ? a->url : "-");
	if (a->day)
		buf_printf(b, "(%s: %lld posts, mean %.1f) ", a->day,
		           (long long)a->day_count, a->mean);
	for (i = 0; i < TEXT_SHORT && s[i]; i++)
		buf_putc(b, (unsigned char)s[i] < 0x20 ? ' ' : s[i]);
	/* Never end inside a UTF-8 sequence. */
	while (i < strlen(s) && b->len > 0 &&
	       ((unsigned char)b->data[b->len - 1] & 0xC0) == 0x80)
		b->len--;
	if (b->len > 0 && (unsigned char)b->data[b->len - 1] >= 0xC0)
		b->len--;
	return buf_puts(b, s[i] ? "...\n" : "\n");
}

static int send_file(const struct config_report *rc, const struct buf *line)
{
	struct buf path = {0};
	int fd, r = 0;

	if (buf_printf(&path, "%s/alerts.log", rc->output_dir) < 0)
		return -ENOMEM;
	fd = open(path.data, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0640);
	if (fd < 0 || write(fd, line->data, line->len) != (ssize_t)line->len ||
	    fsync(fd) < 0)
		r = -errno;
	if (fd >= 0)
		close(fd);
	if (r < 0)
		log_warnx("alert file %s: %s", path.data, strerror(-r));
	buf_free(&path);
	return r;
}

static int send_mail(const struct config_report *rc,
                     const struct store_alert *a, const struct buf *line)
{
	struct deliver_smtp smtp = {rc->smtp_url,      rc->smtp_user,    NULL,
	                            rc->smtp_starttls, rc->smtp_ca_file, 120};
	struct buf subject = {0}, msg = {0};
	char *password = NULL, err[512];
	int r;

	r = deliver_read_password(rc->smtp_password_file, &password, err,
	                          sizeof(err));
	if (r < 0) {
		log_warnx("alert mail: %s", err);
		return r;
	}
	smtp.password = password;
	buf_printf(&subject, "%s alert: %s %s by @%s",
	           rc->subject ? rc->subject : "demarche", a->narrative,
	           strcmp(a->kind, "first") == 0 ? "first use" : "spike",
	           a->account ? a->account : "?");
	if (subject.data) {
		struct deliver_mail m = {
		    rc->mail_from, (const char *const *)rc->mail_to,
		    rc->n_mail_to, subject.data,
		    line->data,    NULL,
		    util_now(),    NULL};

		r = deliver_mail_build(&m, &msg);
	} else {
		r = -ENOMEM;
	}
	if (r == 0)
		r = deliver_mail_send(
		    &smtp, rc->mail_from, (const char *const *)rc->mail_to,
		    rc->n_mail_to, msg.data, msg.len, err, sizeof(err));
	if (r < 0)
		log_warnx("alert mail: %s",
		          r == -ENOMEM ? "out of memory" : err);
	if (password) {
		memset(password, 0, strlen(password));
		free(password);
	}
	buf_free(&subject);
	buf_free(&msg);
	return r;
}

static int send_webhook(const struct config_report *rc,
                        const struct store_alert *a)
{
	json_t *o = alert_json(a);
	char *js = o ? json_dumps(o, JSON_COMPACT) : NULL;
	char err[512];
	int r = -ENOMEM;

	if (js)
		r = deliver_webhook(rc->webhook, js, strlen(js), 60, err,
		                    sizeof(err));
	if (r < 0)
		log_warnx("alert webhook: %s",
		          r == -ENOMEM ? "out of memory" : err);
	free(js);
	json_decref(o);
	return r;
}

/* Sends a through the channels it has not gone through yet; returns the
 * channels that took it now, with *failed set when one did not. */
static int send_alert(const struct config_report *rc,
                      const struct store_alert *a, bool *failed)
{
	struct buf line = {0};
	int done = 0;

	*failed = false;
	if (alert_line(a, &line) < 0) {
		*failed = true;
		return 0;
	}
	if (rc->output_dir && !(a->channels_done & ALERT_CHANNEL_FILE)) {
		if (send_file(rc, &line) == 0)
			done |= ALERT_CHANNEL_FILE;
		else
			*failed = true;
	}
	if (rc->smtp_url && !(a->channels_done & ALERT_CHANNEL_MAIL)) {
		if (send_mail(rc, a, &line) == 0)
			done |= ALERT_CHANNEL_MAIL;
		else
			*failed = true;
	}
	if (rc->webhook && !(a->channels_done & ALERT_CHANNEL_WEBHOOK)) {
		if (send_webhook(rc, a) == 0)
			done |= ALERT_CHANNEL_WEBHOOK;
		else
			*failed = true;
	}
	if (!*failed)
		printf("alert %s %s @%s sent\n", a->kind, a->narrative,
		       a->account ? a->account : "?");
	buf_free(&line);
	return done;
}

/* The next try of a failed one: retry_delay, doubling per attempt; 0
 * when the retries are spent. */
static int64_t next_try(const struct config_report *rc, int attempts,
                        int64_t now)
{
	int64_t delay = rc->retry_delay > 0 ? rc->retry_delay : 60;
	int i;

	if (attempts > rc->retries)
		return 0;
	for (i = 1; i < attempts && delay < 6 * 3600; i++)
		delay *= 2;
	return now + delay;
}

static int send_due(const struct config *cfg, struct store *st,
                    const char *owner, int *failed)
{
	struct store_alert a;
	int r, sent = 0;

	while ((r = store_alert_claim(st, owner, util_now(), LEASE, &a)) > 0) {
		bool bad;
		int done = send_alert(&cfg->report, &a, &bad);
		int64_t now = util_now();

		r = store_alert_done(
		    st, a.id, done, !bad,
		    bad ? next_try(&cfg->report, a.attempts, now) : 0,
		    bad ? "a channel failed" : NULL, now);
		store_alert_clear(&a);
		if (r < 0)
			break;
		*failed += bad;
		sent += !bad;
	}
	if (r < 0)
		log_warnx("narrative --send-alerts: %s", store_errmsg(st));
	return r < 0 ? r : sent;
}

int cmd_narrative_send_alerts(const struct cmd_globals *g)
{
	struct config_errors errs = {0};
	struct config *cfg = NULL;
	struct store *st = NULL;
	char err[512], owner[96], host[64] = "";
	int rc, failed = 0;
	size_t i;

	if (!g->config) {
		log_warnx("narrative --send-alerts: use demarche -c FILE "
		          "narrative --send-alerts");
		return EX_USAGE;
	}
	rc = config_load(g->config, &cfg, &errs);
	for (i = 0; i < errs.n; i++)
		log_warnx("%s", errs.msgs[i]);
	config_errors_clear(&errs);
	if (rc < 0)
		return EX_CONFIG;
	rc = store_open(cfg->database, &st, err, sizeof(err));
	if (rc < 0) {
		log_warnx("narrative --send-alerts: %s", err);
		config_free(cfg);
		return EX_IOERR;
	}
	if (gethostname(host, sizeof(host) - 1) < 0)
		snprintf(host, sizeof(host), "unknown");
	snprintf(owner, sizeof(owner), "%s:%ld", host, (long)getpid());
	curl_global_init(CURL_GLOBAL_DEFAULT);
	rc = send_due(cfg, st, owner, &failed);
	curl_global_cleanup();
	store_close(st);
	config_free(cfg);
	if (rc < 0)
		return EX_IOERR;
	return failed ? EX_TEMPFAIL : 0;
}
