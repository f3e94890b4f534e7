/*
 * cmd_deliver.c — `demarche -c FILE report --deliver`: build the report of
 * a period from the configured database and send it once through every
 * channel the [report] section names (a file in output_dir, a mail, a
 * webhook).  The daemon runs this as a child process on its schedule and
 * retries it when the exit status is not 0; so does a cron job or a human.
 * Every channel is tried even when an earlier one failed, and each outcome
 * is logged on its own line.
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

#include "cmd.h"
#include "config.h"
#include "date.h"
#include "deliver.h"
#include "log.h"
#include "report.h"
#include "report_amplification.h"
#include "store.h"
#include "util.h"

static const char *extension(enum report_format f)
{
	switch (f) {
	case REPORT_FORMAT_MD:
		return "md";
	case REPORT_FORMAT_JSON:
		return "json";
	case REPORT_FORMAT_HTML:
		return "html";
	default:
		return "txt";
	}
}

/* 16 hex digits from the kernel's random source (for the Message-ID). */
static void random_hex(char out[17])
{
	unsigned char r[8] = {0};
	int fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);
	size_t i;

	if (fd >= 0) {
		if (read(fd, r, sizeof(r)) != (ssize_t)sizeof(r))
			memset(r, 0, sizeof(r));
		close(fd);
	}
	for (i = 0; i < sizeof(r); i++)
		snprintf(out + 2 * i, 3, "%02x", r[i]);
}

static int send_file(const struct config_report *rc, const json_t *report,
                     int64_t from, int64_t to)
{
	enum report_format f = REPORT_FORMAT_TEXT;
	struct buf b = {0};
	char base[128], err[512], *path = NULL;
	int r;

	report_format_from_name(rc->format, &f);
	if (report_render(report, f, &b) < 0) {
		log_warnx("report file: out of memory");
		return -ENOMEM;
	}
	deliver_file_base(from, to, base, sizeof(base));
	r = deliver_file(rc->output_dir, base, extension(f),
	                 b.data ? b.data : "", b.len, &path, err, sizeof(err));
	if (r < 0)
		log_warnx("report file: %s", err);
	else
		printf("report written to %s\n", path);
	free(path);
	buf_free(&b);
	return r;
}

static int send_mail(const struct config_report *rc, const json_t *report,
                     int64_t from, int64_t to)
{
	struct buf text = {0}, html = {0}, subject = {0}, msg = {0};
	char a[DATE_RFC3339_LEN], z[DATE_RFC3339_LEN], err[512], id[17];
	struct deliver_smtp smtp = {rc->smtp_url,      rc->smtp_user,    NULL,
	                            rc->smtp_starttls, rc->smtp_ca_file, 300};
	const json_t *totals = json_object_get(report, "totals");
	char *password = NULL;
	int r;

	r = deliver_read_password(rc->smtp_password_file, &password, err,
	                          sizeof(err));
	if (r < 0) {
		log_warnx("report mail: %s", err);
		return r;
	}
	smtp.password = password;
	date_format_rfc3339(from, a);
	date_format_rfc3339(to, z);
	a[10] = z[10] = '\0';
	random_hex(id);
	r = buf_printf(
	    &subject, "%s %s – %s: %lld post%s, %lld classified",
	    rc->subject ? rc->subject : "demarche report", a, z,
	    (long long)json_integer_value(json_object_get(totals, "posts")),
	    json_integer_value(json_object_get(totals, "posts")) == 1 ? ""
	                                                              : "s",
	    (long long)json_integer_value(
	        json_object_get(totals, "classified")));
	if (r == 0)
		r = report_render(report, REPORT_FORMAT_TEXT, &text);
	if (r == 0)
		r = report_render(report, REPORT_FORMAT_HTML, &html);
	if (r == 0) {
		struct deliver_mail m = {rc->mail_from,
		                         (const char *const *)rc->mail_to,
		                         rc->n_mail_to,
		                         subject.data,
		                         text.data ? text.data : "",
		                         html.data ? html.data : "",
		                         util_now(),
		                         id};

		r = deliver_mail_build(&m, &msg);
	}
	if (r < 0) {
		log_warnx("report mail: cannot build the message: %s",
		          strerror(-r));
		goto out_wipe_password;
	}
	r = deliver_mail_send(&smtp, rc->mail_from,
	                      (const char *const *)rc->mail_to, rc->n_mail_to,
	                      msg.data, msg.len, err, sizeof(err));
	if (r < 0)
		log_warnx("report %s", err);
	else
		printf("report mailed to %zu recipient(s) via %s\n",
		       rc->n_mail_to, rc->smtp_url);
out_wipe_password:
	if (password) {
		memset(password, 0, strlen(password));
		free(password);
	}
	buf_free(&text);
	buf_free(&html);
	buf_free(&subject);
	buf_free(&msg);
	return r;
}

static int send_webhook(const struct config_report *rc, const json_t *report)
{
	char *js = json_dumps(report, JSON_COMPACT);
	char err[512];
	int r;

	if (!js) {
		log_warnx("report webhook: out of memory");
		return -ENOMEM;
	}
	r = deliver_webhook(rc->webhook, js, strlen(js), 120, err, sizeof(err));
	if (r < 0)
		log_warnx("report %s", err);
	else
		printf("report posted to %s\n", rc->webhook);
	free(js);
	return r;
}

int cmd_report_deliver(const struct cmd_globals *g, int64_t since,
                       int64_t until)
{
	struct config_errors errs = {0};
	struct config *cfg = NULL;
	struct store *st = NULL;
	json_t *report = NULL;
	int64_t from;
	char err[512];
	int rc, failed = 0, channels = 0;
	size_t i;

	if (!g->config) {
		log_warnx("report --deliver: use demarche -c FILE report "
		          "--deliver");
		return EX_USAGE;
	}
	rc = config_load(g->config, &cfg, &errs);
	if (rc < 0) {
		for (i = 0; i < errs.n; i++)
			log_warnx("%s", errs.msgs[i]);
		config_errors_clear(&errs);
		return EX_CONFIG;
	}
	config_errors_clear(&errs);
	if ((rc = cmd_load_categories(g, "report", false)) != 0) {
		config_free(cfg);
		return rc;
	}
	if (!cfg->report.output_dir && !cfg->report.smtp_url &&
	    !cfg->report.webhook) {
		log_warnx("report --deliver: %s names no output_dir, smtp_url "
		          "or webhook in [report]",
		          g->config);
		rc = EX_CONFIG;
		goto out_decref_report;
	}
	if (since <= 0 && config_parse_duration(cfg->report.since, &since) < 0)
		since = 24 * 3600;
	from = until - since;
	rc = store_open_readonly(cfg->database, &st, err, sizeof(err));
	if (rc < 0) {
		log_warnx("report --deliver: %s", err);
		rc = rc == -ENOENT ? EX_NOINPUT : EX_IOERR;
		goto out_decref_report;
	}
	report_amplification_limits(cfg->burst_threshold,
	                            cfg->amplification_max);
	rc = report_build(st, from, until, &report, err, sizeof(err));
	if (rc < 0) {
		log_warnx("report --deliver: %s", err);
		rc = EX_IOERR;
		goto out_decref_report;
	}
	curl_global_init(CURL_GLOBAL_DEFAULT);
	if (cfg->report.output_dir) {
		channels++;
		failed += send_file(&cfg->report, report, from, until) < 0;
	}
	if (cfg->report.smtp_url) {
		channels++;
		failed += send_mail(&cfg->report, report, from, until) < 0;
	}
	if (cfg->report.webhook) {
		channels++;
		failed += send_webhook(&cfg->report, report) < 0;
	}
	curl_global_cleanup();
	if (failed)
		log_warnx("report --deliver: %d of %d channel(s) failed",
		          failed, channels);
	/* 75 (EX_TEMPFAIL): worth trying again later. */
	rc = failed ? EX_TEMPFAIL : 0;
out_decref_report:
	json_decref(report);
	store_close(st);
	config_free(cfg);
	return rc;
}
