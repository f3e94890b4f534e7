/*
 * test_config.c — the configuration parser: every kind of error with its
 * exact "FILE:LINE:" prefix, that all errors are collected, the value
 * syntaxes, defaults, libinih's comment and continuation behaviour, path
 * resolution, the shipped configs, and `demarche check-config`.
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sysexits.h>
#include <unistd.h>

#include "cmd.h"
#include "config.h"
#include "test.h"
#include "util.h"

/* The smallest valid file: every test text starts with it, so the lines
 * a test adds are numbered from 3. */
#define BASE "[storage]\ndatabase = /tmp/x.db\n"

static int parse(const char *text, struct config **cfg,
                 struct config_errors *errs)
{
	return config_parse(text, strlen(text), "t.conf", cfg, errs);
}

static void dump(const struct config_errors *e)
{
	size_t i;

	for (i = 0; i < e->n; i++)
		fprintf(stderr, "    error: %s\n", e->msgs[i]);
	for (i = 0; i < e->n_warnings; i++)
		fprintf(stderr, "    warning: %s\n", e->warnings[i]);
}

/* Whether one message starts with "t.conf:LINE: " and contains needle. */
static bool has_msg(char **msgs, size_t n, int line, const char *needle)
{
	char prefix[64];
	size_t i;

	snprintf(prefix, sizeof(prefix), "t.conf:%d: ", line);
	for (i = 0; i < n; i++)
		if (strncmp(msgs[i], prefix, strlen(prefix)) == 0 &&
		    strstr(msgs[i], needle))
			return true;
	return false;
}

/* Parses text, which must fail with an error on line carrying needle. */
static void expect_error_at(const char *text, int line, const char *needle,
                            int src_line)
{
	struct config_errors e = {0};
	struct config *cfg = (struct config *)1;
	int rc = parse(text, &cfg, &e);

	if (rc != -EINVAL || cfg != NULL ||
	    !has_msg(e.msgs, e.n, line, needle)) {
		fprintf(stderr,
		        "%s:%d: expected error at line %d with '%s' (rc %d) "
		        "for:\n%s\n",
		        __FILE__, src_line, line, needle, rc, text);
		dump(&e);
		test_failures++;
	}
	config_errors_clear(&e);
}
#define EXPECT_ERROR(text, line, needle) \
	expect_error_at(text, line, needle, __LINE__)

/* Parses text, which must succeed; returns the config (caller frees). */
static struct config *parse_ok_at(const char *text, int src_line)
{
	struct config_errors e = {0};
	struct config *cfg = NULL;
	int rc = parse(text, &cfg, &e);

	if (rc != 0 || !cfg) {
		fprintf(stderr, "%s:%d: expected success (rc %d) for:\n%s\n",
		        __FILE__, src_line, rc, text);
		dump(&e);
		test_failures++;
	}
	config_errors_clear(&e);
	return cfg;
}
#define PARSE_OK(text) parse_ok_at(text, __LINE__)

/* ---- value syntaxes ---------------------------------------------------- */

static void test_durations(void)
{
	static const struct {
		const char *in;
		int64_t secs;
	} good[] = {
	    {"0", 0},        {"90", 90},
	    {"90s", 90},     {"15m", 900},
	    {"2h", 7200},    {"7d", 604800},
	    {"1h30m", 5400}, {"1d2h3m4s", 93784},
	    {"0s", 0},       {"100000d", 8640000000LL},
	    {"2w", 1209600}, {"1w2d", 777600},
	};
	static const char *const bad[] = {
	    "",
	    "-5",
	    "+5",
	    "5x",
	    "m",
	    "15 m",
	    "15M",
	    "1.5h",
	    "30m1h",
	    "1h1h",
	    "1h30",
	    "h30",
	    " 5",
	    "5s ",
	    "9223372036854775808",
	    "9223372036854775807m",
	    "106751991167301d",
	    "2d1w",
	    "1w1w",
	};
	size_t i;
	int64_t v;

	for (i = 0; i < ARRAY_SIZE(good); i++) {
		v = -1;
		ASSERT_INT_EQ(config_parse_duration(good[i].in, &v), 0);
		ASSERT_INT_EQ(v, good[i].secs);
	}
	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		if (config_parse_duration(bad[i], &v) != -EINVAL) {
			fprintf(stderr, "accepted bad duration '%s'\n", bad[i]);
			test_failures++;
		}
	}
	ASSERT_INT_EQ(config_parse_duration("9223372036854775807", &v), 0);
	ASSERT_INT_EQ(v, INT64_MAX);
	ASSERT_INT_EQ(config_parse_duration(NULL, &v), -EINVAL);
}

static void test_sizes(void)
{
	static const struct {
		const char *in;
		size_t bytes;
	} good[] = {
	    {"512", 512},      {"512B", 512},        {"64KiB", 65536},
	    {"8MiB", 8388608}, {"1GiB", 1073741824}, {"8mib", 8388608},
	    {"0", 0},
	};
	static const char *const bad[] = {
	    "",
	    "8MB",
	    "8KB",
	    "8M",
	    "8 MiB",
	    "-1",
	    "1.5MiB",
	    "MiB",
	    "8MiBx",
	    "0x10",
	    "99999999999999999999",
	    "17179869184GiB",
	    "+8",
	};
	size_t i, v;

	for (i = 0; i < ARRAY_SIZE(good); i++) {
		v = 1;
		ASSERT_INT_EQ(config_parse_size(good[i].in, &v), 0);
		ASSERT_INT_EQ(v, good[i].bytes);
	}
	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		if (config_parse_size(bad[i], &v) != -EINVAL) {
			fprintf(stderr, "accepted bad size '%s'\n", bad[i]);
			test_failures++;
		}
	}
}

static void test_role_and_kind_names(void)
{
	enum account_role r;
	int i;

	for (i = ROLE_DIPLOMAT; i <= ROLE_OTHER; i++) {
		ASSERT_INT_EQ(config_role_from_name(
		                  config_role_name((enum account_role)i), &r),
		              0);
		ASSERT_INT_EQ(r, i);
	}
	ASSERT_STR_EQ(config_role_name(ROLE_STATE_MEDIA), "state_media");
	ASSERT_INT_EQ(config_role_from_name("ambassador", &r), -EINVAL);
	ASSERT_STR_EQ(config_feed_kind_name(FEED_KIND_WEB), "web");
	ASSERT_STR_EQ(config_feed_kind_name(FEED_KIND_MASTODON), "mastodon");
	ASSERT_STR_EQ(config_feed_kind_name(FEED_KIND_BLUESKY), "bluesky");
}

/* ---- a good file --------------------------------------------------------- */

static void test_defaults(void)
{
	struct config *cfg = PARSE_OK(BASE);

	REQUIRE(cfg);
	ASSERT_STR_EQ(cfg->database, "/tmp/x.db");
	ASSERT_STR_EQ(cfg->path, "t.conf");
	ASSERT_INT_EQ(cfg->interval, 900);
	ASSERT_INT_EQ(cfg->timeout, 30);
	ASSERT_INT_EQ(cfg->connect_timeout, 10);
	ASSERT_INT_EQ(cfg->concurrency, 32);
	ASSERT_INT_EQ(cfg->per_host, 4);
	ASSERT_INT_EQ(cfg->max_body, 8 * 1024 * 1024);
	ASSERT(strncmp(cfg->user_agent, "demarche/", 9) == 0);
	ASSERT(strstr(cfg->user_agent, "(+https://github.com/demarche)"));
	ASSERT(!cfg->allow_private);
	ASSERT_STR_EQ(cfg->bluesky_api, "https://public.api.bsky.app");
	ASSERT_INT_EQ(cfg->stop_timeout, 10);
	ASSERT(cfg->rules_dir == NULL);
	ASSERT_STR_EQ(cfg->report.schedule, "off");
	ASSERT_STR_EQ(cfg->report.format, "text");
	ASSERT_STR_EQ(cfg->report.since, "24h");
	ASSERT(cfg->report.output_dir == NULL);
	ASSERT_INT_EQ(cfg->report.n_mail_to, 0);
	ASSERT(cfg->demo_feeds_dir == NULL);
	ASSERT_INT_EQ(cfg->demo_port, 8765);
	ASSERT_INT_EQ(cfg->n_accounts, 0);
	config_free(cfg);
}

static void test_full_file(void)
{
	struct config *cfg = PARSE_OK(
	    BASE "[poll]\n"
	         "interval = 1h30m\n"
	         "concurrency = 100\n"
	         "per_host = 100\n"
	         "timeout = 2m\n"
	         "connect_timeout = 2m\n"
	         "max_body = 64KiB\n"
	         "user_agent = test/1.0 (+mailto:me@example.org)\n"
	         "allow_private_addresses = On\n"
	         "bluesky_api = http://127.0.0.1:9000/\n"
	         "stop_timeout = 1m\n"
	         "[report]\n"
	         "schedule = Weekly Monday 8:05\n"
	         "format = markdown\n"
	         "output_dir = /srv/reports\n"
	         "smtp_url = smtps://mail.example.org:465\n"
	         "smtp_user = bot\n"
	         "smtp_password_file = /etc/pw\n"
	         "mail_from = bot@example.org\n"
	         "mail_to = a@example.org, b@example.org\n"
	         "mail_to = c@localhost\n"
	         "webhook = https://hooks.example.org/x?token=1\n"
	         "since = 7d\n"
	         "[demo]\n"
	         "feeds = /srv/demo\n"
	         "port = 9999\n"
	         "[account \"zlj517\"]\n" /* line 29 */
	         "name = Zhao Lijian\n"
	         "role = Spokesperson\n"
	         "country = CN\n"
	         "created = 2019-10-01\n"
	         "feed = https://rsshub.app/twitter/user/zlj517\n"
	         "feed = mastodon:https://mastodon.example/@someone\n"
	         "feed = bluesky:someone.bsky.social\n"
	         "feed = bluesky:did:plc:z72i7hdynmk6r22z27h6tvur\n"
	         "feed = mastodon:https://m.example:8443/@a_b@other.example/\n"
	         "interval = 10m\n"
	         "[account \"x\"]\n" /* line 40 */
	         "feed = http://[::1]:8765/x.xml\n"
	         "created = 2020-03-12T13:37:00+08:00\n");

	REQUIRE(cfg);
	ASSERT_INT_EQ(cfg->interval, 5400);
	ASSERT_INT_EQ(cfg->concurrency, 100);
	ASSERT_INT_EQ(cfg->per_host, 100);
	ASSERT_INT_EQ(cfg->timeout, 120);
	ASSERT_INT_EQ(cfg->max_body, 65536);
	ASSERT_STR_EQ(cfg->user_agent, "test/1.0 (+mailto:me@example.org)");
	ASSERT(cfg->allow_private);
	ASSERT_STR_EQ(cfg->bluesky_api, "http://127.0.0.1:9000");
	ASSERT_INT_EQ(cfg->stop_timeout, 60);
	ASSERT_STR_EQ(cfg->report.schedule, "weekly mon 08:05");
	ASSERT_STR_EQ(cfg->report.format, "md");
	ASSERT_STR_EQ(cfg->report.output_dir, "/srv/reports");
	ASSERT_STR_EQ(cfg->report.smtp_url, "smtps://mail.example.org:465");
	ASSERT_STR_EQ(cfg->report.smtp_user, "bot");
	ASSERT_STR_EQ(cfg->report.smtp_password_file, "/etc/pw");
	ASSERT_STR_EQ(cfg->report.mail_from, "bot@example.org");
	REQUIRE(cfg->report.n_mail_to == 3);
	ASSERT_STR_EQ(cfg->report.mail_to[0], "a@example.org");
	ASSERT_STR_EQ(cfg->report.mail_to[1], "b@example.org");
	ASSERT_STR_EQ(cfg->report.mail_to[2], "c@localhost");
	ASSERT_STR_EQ(cfg->report.webhook,
	              "https://hooks.example.org/x?token=1");
	ASSERT_STR_EQ(cfg->report.since, "7d");
	ASSERT_STR_EQ(cfg->demo_feeds_dir, "/srv/demo");
	ASSERT_INT_EQ(cfg->demo_port, 9999);
	REQUIRE(cfg->n_accounts == 2);

	struct config_account *a = &cfg->accounts[0];
	ASSERT_STR_EQ(a->key, "zlj517");
	ASSERT_STR_EQ(a->name, "Zhao Lijian");
	ASSERT_INT_EQ(a->role, ROLE_SPOKESPERSON);
	ASSERT_STR_EQ(a->country, "CN");
	ASSERT_INT_EQ(a->created, util_timegm(2019, 10, 1, 0, 0, 0));
	ASSERT_INT_EQ(a->interval, 600);
	ASSERT_INT_EQ(a->line, 29);
	REQUIRE(a->n_feeds == 5);
	ASSERT_STR_EQ(a->feeds[0].url,
	              "https://rsshub.app/twitter/user/zlj517");
	ASSERT_INT_EQ(a->feeds[0].kind, FEED_KIND_WEB);
	ASSERT_INT_EQ(a->feeds[0].line, 34);
	ASSERT_STR_EQ(a->feeds[1].url, "https://mastodon.example/@someone");
	ASSERT_INT_EQ(a->feeds[1].kind, FEED_KIND_MASTODON);
	ASSERT_STR_EQ(a->feeds[2].url, "someone.bsky.social");
	ASSERT_INT_EQ(a->feeds[2].kind, FEED_KIND_BLUESKY);
	ASSERT_STR_EQ(a->feeds[3].url, "did:plc:z72i7hdynmk6r22z27h6tvur");
	ASSERT_INT_EQ(a->feeds[4].kind, FEED_KIND_MASTODON);

	a = &cfg->accounts[1];
	ASSERT_STR_EQ(a->key, "x");
	ASSERT(a->name == NULL);
	ASSERT_INT_EQ(a->role, ROLE_OTHER);
	ASSERT_INT_EQ(a->interval, 5400); /* inherits [poll] interval */
	ASSERT_INT_EQ(a->created, util_timegm(2020, 3, 12, 5, 37, 0));
	config_free(cfg);
}

/* The [poll] interval an account inherits may come after the account. */
static void test_account_interval_inherits_later_poll(void)
{
	struct config *cfg = PARSE_OK(BASE "[account \"a\"]\n"
	                                   "feed = https://example.org/a\n"
	                                   "[poll]\ninterval = 2h\n");

	REQUIRE(cfg && cfg->n_accounts == 1);
	ASSERT_INT_EQ(cfg->accounts[0].interval, 7200);
	ASSERT_INT_EQ(cfg->accounts[0].created, TIME_UNKNOWN);
	config_free(cfg);
}

/* ---- libinih behaviour --------------------------------------------------- */

static void test_comments(void)
{
	struct config *cfg =
	    PARSE_OK("# leading comment\n"
	             "; another\n"
	             "[storage]   # a header comment\n"
	             "database = /tmp/a.db   # inline hash comment\n"
	             "[poll] ; semicolon comment\n"
	             "user_agent = ua ; inline semicolon comment\n"
	             "bluesky_api = https://example.org/x#frag\n"
	             "[account \"a\"]\n"
	             "name = \"Quoted # not a comment\"  # but this is\n"
	             "country = a;b#c\n"
	             "feed = https://example.org/feed.xml#top # but this is\n");

	REQUIRE(cfg);
	ASSERT_STR_EQ(cfg->database, "/tmp/a.db");
	ASSERT_STR_EQ(cfg->user_agent, "ua");
	/* '#' with no space before it is part of the value */
	ASSERT_STR_EQ(cfg->bluesky_api, "https://example.org/x#frag");
	REQUIRE(cfg->n_accounts == 1);
	ASSERT_STR_EQ(cfg->accounts[0].name, "Quoted # not a comment");
	ASSERT_STR_EQ(cfg->accounts[0].country, "a;b#c");
	REQUIRE(cfg->accounts[0].n_feeds == 1);
	ASSERT_STR_EQ(cfg->accounts[0].feeds[0].url,
	              "https://example.org/feed.xml#top");
	config_free(cfg);
}

/* Multi-line values are off: an indented key is an ordinary key (with them
 * on, it silently became part of the previous value), and an indented
 * line without '=' is an error, not a continuation. */
static void test_indentation_and_continuation(void)
{
	struct config *cfg = PARSE_OK(BASE "[poll]\n"
	                                   "\tinterval = 5m\n"
	                                   "    concurrency = 8\n"
	                                   "[account \"a\"]\n"
	                                   "  feed = https://example.org/1\n"
	                                   "  feed = https://example.org/2\n");

	REQUIRE(cfg);
	ASSERT_INT_EQ(cfg->interval, 300);
	ASSERT_INT_EQ(cfg->concurrency, 8);
	REQUIRE(cfg->n_accounts == 1);
	ASSERT_INT_EQ(cfg->accounts[0].n_feeds, 2);
	config_free(cfg);

	EXPECT_ERROR(BASE "[account \"a\"]\n"
	                  "feed = https://example.org/1\n"
	                  "    https://example.org/2\n",
	             5, "expected 'key = value'");
	EXPECT_ERROR(BASE "[poll]\njust words\n", 4, "expected 'key = value'");
	/* inih would take "key: value"; this format does not */
	EXPECT_ERROR(BASE "[poll]\ninterval: 5m\n", 4,
	             "expected 'key = value'");
}

static void test_line_endings_bom_and_limits(void)
{
	struct config *cfg =
	    PARSE_OK("\xef\xbb\xbf[storage]\r\ndatabase = /tmp/crlf.db\r\n"
	             "[poll]\r\ninterval = 2m\r\n");
	struct config_errors e = {0};
	struct buf big = {0};
	size_t n;

	REQUIRE(cfg);
	ASSERT_STR_EQ(cfg->database, "/tmp/crlf.db");
	ASSERT_INT_EQ(cfg->interval, 120);
	config_free(cfg);

	/* a line over the limit is one error on its line, not several
	 * fragments read as lines of their own */
	buf_puts(&big, BASE "[poll]\nuser_agent = ");
	for (n = 0; n < 6000; n++)
		buf_putc(&big, 'a');
	buf_puts(&big, "\ninterval = x\n");
	REQUIRE(big.data);
	EXPECT_ERROR(big.data, 4, "line too long");
	EXPECT_ERROR(big.data, 5, "bad duration");
	buf_free(&big);

	/* a NUL byte inside a line */
	{
		static const char text[] = BASE "[poll]\ninterval\0 = 5m\n";

		ASSERT_INT_EQ(
		    config_parse(text, sizeof(text) - 1, "t.conf", &cfg, &e),
		    -EINVAL);
		ASSERT(has_msg(e.msgs, e.n, 4, "NUL byte"));
		config_errors_clear(&e);
	}
}

/* inih keeps only 49 bytes of a section name; the reader keeps it all. */
static void test_long_account_key(void)
{
	struct config *cfg = PARSE_OK(
	    BASE "[account \"a-very-long-handle-that-is-longer-than-inih-"
	         "keeps-0123456789\"]\nfeed = https://example.org/x\n");

	REQUIRE(cfg && cfg->n_accounts == 1);
	ASSERT_STR_EQ(cfg->accounts[0].key, "a-very-long-handle-that-is-longer-"
	                                    "than-inih-keeps-0123456789");
	config_free(cfg);
}

/* ---- paths -----------------------------------------------------------------
 */

static void test_relative_paths(void)
{
	static const char text[] = "[storage]\ndatabase = ../build/demo.db\n"
	                           "[classifier]\nrules = rules\n"
	                           "[report]\noutput_dir = /abs/reports\n"
	                           "smtp_password_file = secret\n"
	                           "smtp_ca_file = ca.pem\n"
	                           "[demo]\nfeeds = demo/feeds\n";
	struct config_errors e = {0};
	struct config *cfg = NULL;

	ASSERT_INT_EQ(
	    config_parse(text, strlen(text), "etc/demarche/d.conf", &cfg, &e),
	    0);
	REQUIRE(cfg);
	ASSERT_STR_EQ(cfg->database, "etc/demarche/../build/demo.db");
	ASSERT_STR_EQ(cfg->rules_dir, "etc/demarche/rules");
	ASSERT_INT_EQ(cfg->rules_line, 4);
	ASSERT_STR_EQ(cfg->report.output_dir, "/abs/reports");
	ASSERT_STR_EQ(cfg->report.smtp_password_file, "etc/demarche/secret");
	ASSERT_STR_EQ(cfg->report.smtp_ca_file, "etc/demarche/ca.pem");
	ASSERT_STR_EQ(cfg->demo_feeds_dir, "etc/demarche/demo/feeds");
	config_free(cfg);

	ASSERT_INT_EQ(config_parse(text, strlen(text), "/d.conf", &cfg, &e), 0);
	REQUIRE(cfg);
	ASSERT_STR_EQ(cfg->database, "/../build/demo.db");
	config_free(cfg);

	ASSERT_INT_EQ(config_parse(text, strlen(text), "d.conf", &cfg, &e), 0);
	REQUIRE(cfg);
	ASSERT_STR_EQ(cfg->database, "../build/demo.db");
	config_free(cfg);
	config_errors_clear(&e);
}

/* config_load makes every path absolute and checks the rules folder. */
static void test_load_paths_and_rules_dir(void)
{
	char path[PATH_MAX], text[PATH_MAX + 200], cwd[PATH_MAX], rel[PATH_MAX];
	struct config_errors e = {0};
	struct config *cfg = NULL;
	const char *tmp = test_tmpdir();

	snprintf(path, sizeof(path), "%s/rules", tmp);
	REQUIRE(mkdir(path, 0755) == 0);
	snprintf(path, sizeof(path), "%s/c.conf", tmp);
	test_write_file(path, "[storage]\ndatabase = d.db\n"
	                      "[classifier]\nrules = rules\n");
	ASSERT_INT_EQ(config_load(path, &cfg, &e), 0);
	REQUIRE(cfg);
	snprintf(text, sizeof(text), "%s/d.db", tmp);
	ASSERT_STR_EQ(cfg->database, text);
	snprintf(text, sizeof(text), "%s/rules", tmp);
	ASSERT_STR_EQ(cfg->rules_dir, text);
	config_free(cfg);

	/* given relative to the working directory */
	REQUIRE(getcwd(cwd, sizeof(cwd)));
	REQUIRE(chdir(tmp) == 0);
	ASSERT_INT_EQ(config_load("c.conf", &cfg, &e), 0);
	REQUIRE(chdir(cwd) == 0);
	REQUIRE(cfg);
	ASSERT(cfg->database[0] == '/');
	ASSERT(cfg->path[0] == '/');
	snprintf(rel, sizeof(rel), "%s/./rules", tmp);
	ASSERT(strstr(cfg->rules_dir, "/rules") && cfg->rules_dir[0] == '/');
	config_free(cfg);

	/* missing folder: an error on the line of the key, also when the
	 * text has errors of its own */
	snprintf(path, sizeof(path), "%s/bad.conf", tmp);
	test_write_file(path, "[storage]\ndatabase = d.db\n[poll]\n"
	                      "interval = x\n[classifier]\n# the rules\n"
	                      "rules = no-such-folder\n[poll\n");
	ASSERT_INT_EQ(config_load(path, &cfg, &e), -EINVAL);
	ASSERT(cfg == NULL);
	REQUIRE(e.n == 3);
	snprintf(text, sizeof(text), "%s:4: ", path);
	ASSERT(strncmp(e.msgs[0], text, strlen(text)) == 0);
	snprintf(text, sizeof(text), "%s:7: rules folder ", path);
	ASSERT(strncmp(e.msgs[1], text, strlen(text)) == 0);
	ASSERT(strstr(e.msgs[1], "No such file or directory"));
	snprintf(text, sizeof(text), "%s:8: ", path);
	ASSERT(strncmp(e.msgs[2], text, strlen(text)) == 0);
	config_errors_clear(&e);

	/* a file where the folder should be */
	snprintf(path, sizeof(path), "%s/file-rules.conf", tmp);
	test_write_file(path, "[classifier]\nrules = c.conf\n"
	                      "[storage]\ndatabase = d.db\n");
	ASSERT_INT_EQ(config_load(path, &cfg, &e), -EINVAL);
	REQUIRE(e.n == 1);
	ASSERT(strstr(e.msgs[0], ":2: rules folder ") &&
	       strstr(e.msgs[0], "not a directory"));
	config_errors_clear(&e);

	/* no file at all */
	snprintf(path, sizeof(path), "%s/none.conf", tmp);
	ASSERT_INT_EQ(config_load(path, &cfg, &e), -ENOENT);
	REQUIRE(e.n == 1);
	ASSERT(strstr(e.msgs[0], "none.conf: cannot read"));
	config_errors_clear(&e);
}

/* [classifier] model and model_weight: parsed, resolved, range-checked,
 * and config_load checks the model file can be read. */
static void test_classifier_model_keys(void)
{
	struct config *cfg;
	struct config_errors e = {0};
	char path[PATH_MAX], want[PATH_MAX + 64];
	const char *tmp = test_tmpdir();

	cfg = PARSE_OK(BASE);
	REQUIRE(cfg);
	ASSERT(cfg->model_path == NULL);
	ASSERT(cfg->model_weight == 0.5);
	config_free(cfg);

	cfg = PARSE_OK(BASE "[classifier]\nmodel = models/m.model\n"
	                    "model_weight = 0.25\n");
	REQUIRE(cfg);
	ASSERT_STR_EQ(cfg->model_path, "models/m.model");
	ASSERT_INT_EQ(cfg->model_line, 4);
	ASSERT(cfg->model_weight == 0.25);
	config_free(cfg);

	cfg = PARSE_OK(BASE "[classifier]\nmodel_weight = 1\n");
	REQUIRE(cfg);
	ASSERT(cfg->model_weight == 1.0);
	config_free(cfg);
	cfg = PARSE_OK(BASE "[classifier]\nmodel_weight = 0\n");
	REQUIRE(cfg);
	ASSERT(cfg->model_weight == 0.0);
	config_free(cfg);

	EXPECT_ERROR(BASE "[classifier]\nmodel_weight = 1.5\n", 4,
	             "bad fraction");
	EXPECT_ERROR(BASE "[classifier]\nmodel_weight = -0.1\n", 4,
	             "bad fraction");
	EXPECT_ERROR(BASE "[classifier]\nmodel_weight = half\n", 4,
	             "bad fraction");
	EXPECT_ERROR(BASE "[classifier]\nmodel_weight = nan\n", 4,
	             "bad fraction");
	EXPECT_ERROR(BASE "[classifier]\nmodel = a\nmodel = b\n", 5,
	             "already set on line 4");

	/* config_load: resolved against the file, and must be readable */
	snprintf(path, sizeof(path), "%s/m.model", tmp);
	test_write_file(path, "demarche-model 1\n");
	snprintf(path, sizeof(path), "%s/model.conf", tmp);
	test_write_file(path, "[storage]\ndatabase = d.db\n"
	                      "[classifier]\nmodel = m.model\n");
	ASSERT_INT_EQ(config_load(path, &cfg, &e), 0);
	REQUIRE(cfg);
	snprintf(want, sizeof(want), "%s/m.model", tmp);
	ASSERT_STR_EQ(cfg->model_path, want);
	config_free(cfg);
	config_errors_clear(&e);

	snprintf(path, sizeof(path), "%s/nomodel.conf", tmp);
	test_write_file(path, "[storage]\ndatabase = d.db\n"
	                      "[classifier]\n# trained\nmodel = gone.model\n");
	ASSERT_INT_EQ(config_load(path, &cfg, &e), -EINVAL);
	ASSERT(cfg == NULL);
	REQUIRE(e.n == 1);
	snprintf(want, sizeof(want), "%s:5: model file ", path);
	ASSERT(strncmp(e.msgs[0], want, strlen(want)) == 0);
	ASSERT(strstr(e.msgs[0], "No such file or directory"));
	config_errors_clear(&e);

	snprintf(path, sizeof(path), "%s/dirmodel.conf", tmp);
	test_write_file(path, "[storage]\ndatabase = d.db\n"
	                      "[classifier]\nmodel = .\n");
	ASSERT_INT_EQ(config_load(path, &cfg, &e), -EINVAL);
	REQUIRE(e.n == 1);
	ASSERT(strstr(e.msgs[0], ":4: model file ") &&
	       strstr(e.msgs[0], "not a regular file"));
	config_errors_clear(&e);
}

/* ---- the shipped files
 * ------------------------------------------------------- */

static void test_shipped_configs(void)
{
	char path[PATH_MAX], feed[PATH_MAX];
	struct config_errors e = {0};
	struct config *cfg = NULL;
	struct stat st;
	size_t i;

	snprintf(path, sizeof(path), "%s/config/demarche.conf",
	         test_source_dir());
	ASSERT_INT_EQ(config_load(path, &cfg, &e), 0);
	dump(&e);
	ASSERT_INT_EQ(e.n, 0);
	ASSERT_INT_EQ(e.n_warnings, 0);
	REQUIRE(cfg);
	ASSERT(cfg->n_accounts >= 2);
	config_free(cfg);
	config_errors_clear(&e);

	snprintf(path, sizeof(path), "%s/config/demo.conf", test_source_dir());
	ASSERT_INT_EQ(config_load(path, &cfg, &e), 0);
	dump(&e);
	ASSERT_INT_EQ(e.n, 0);
	REQUIRE(cfg);
	ASSERT(cfg->allow_private);
	ASSERT_INT_EQ(cfg->interval, 60);
	ASSERT_INT_EQ(cfg->demo_port, 8765);
	ASSERT(strstr(cfg->database, "/config/../build/demo.db"));
	REQUIRE(cfg->demo_feeds_dir);
	ASSERT(stat(cfg->demo_feeds_dir, &st) == 0 && S_ISDIR(st.st_mode));
	ASSERT(cfg->n_accounts >= 5 && cfg->n_accounts <= 6);
	/* every demo feed is a file the demo server has */
	for (i = 0; i < cfg->n_accounts; i++) {
		const char *url = cfg->accounts[i].feeds[0].url;
		const char *prefix = "http://127.0.0.1:8765/";

		REQUIRE(cfg->accounts[i].n_feeds == 1);
		ASSERT(strncmp(url, prefix, strlen(prefix)) == 0);
		snprintf(feed, sizeof(feed), "%s/%s", cfg->demo_feeds_dir,
		         url + strlen(prefix));
		if (stat(feed, &st) != 0) {
			fprintf(stderr, "demo feed %s missing\n", feed);
			test_failures++;
		}
	}
	config_free(cfg);
	config_errors_clear(&e);
}

/* ---- one test per kind of error
 * ---------------------------------------------- */

static void test_error_unknown_section(void)
{
	EXPECT_ERROR(BASE "[pol]\ninterval = 5m\n", 3,
	             "unknown section 'pol'; did you mean [poll]?");
	EXPECT_ERROR(BASE "[zzz]\n", 3, "known sections are");
	EXPECT_ERROR(BASE "[poll \"x\"]\n", 3, "[poll] takes no key");
	EXPECT_ERROR(BASE "[poll] stray\n", 3, "unexpected text after ']'");
	EXPECT_ERROR(BASE "[poll\n", 3, "without a closing ']'");
}

static void test_error_unknown_key(void)
{
	EXPECT_ERROR(BASE "[poll]\nintervall = 5m\n", 4,
	             "unknown key 'intervall' in [poll]; did you mean "
	             "'interval'?");
	EXPECT_ERROR(BASE "[poll]\nPer_Host = 5\n", 4,
	             "did you mean 'per_host'");
	EXPECT_ERROR(BASE "[poll]\ndatabase = x\n", 4,
	             "'database' belongs in [storage]");
	EXPECT_ERROR(BASE "[poll]\nfrobnicate = 1\n", 4,
	             "unknown key 'frobnicate' in [poll]");
	EXPECT_ERROR(BASE "[poll]\n= 5\n", 4, "missing key name");
	EXPECT_ERROR(BASE "[poll]\ninterval =\n", 4, "interval: missing value");
	EXPECT_ERROR(BASE "[poll]\ninterval = 5m\ninterval = 6m\n", 5,
	             "'interval' is already set on line 4");
}

static void test_error_key_before_section(void)
{
	EXPECT_ERROR("interval = 5m\n" BASE, 1,
	             "key 'interval' comes before any [section]");
}

static void test_error_bad_duration(void)
{
	EXPECT_ERROR(BASE "[poll]\ntimeout = 30 s\n", 4,
	             "bad duration '30 s' for 'timeout'");
	EXPECT_ERROR(BASE "[poll]\ninterval = -5m\n", 4, "bad duration");
	EXPECT_ERROR(BASE "[report]\nsince = 1y\n", 4,
	             "bad duration '1y' for 'since'");
	EXPECT_ERROR(BASE "[account \"a\"]\nfeed = https://e.org/\n"
	                  "interval = soon\n",
	             5, "bad duration 'soon' for 'interval'");
}

static void test_error_bad_size(void)
{
	EXPECT_ERROR(BASE "[poll]\nmax_body = 8MB\n", 4,
	             "KB/MB are ambiguous, write KiB or MiB");
	EXPECT_ERROR(BASE "[poll]\nmax_body = lots\n", 4,
	             "bad size 'lots' for 'max_body'");
	EXPECT_ERROR(BASE "[poll]\nmax_body = 100\n", 4,
	             "max_body must be between 1KiB and 4GiB");
}

static void test_error_bad_number(void)
{
	EXPECT_ERROR(BASE "[poll]\nconcurrency = 32x\n", 4, "bad number '32x'");
	EXPECT_ERROR(BASE "[poll]\nconcurrency = -1\n", 4, "bad number '-1'");
	EXPECT_ERROR(BASE "[poll]\nconcurrency = 0x20\n", 4, "bad number");
	EXPECT_ERROR(BASE "[demo]\nport = 99999999999999999999999\n", 4,
	             "bad number");
}

static void test_error_bad_boolean(void)
{
	EXPECT_ERROR(BASE "[poll]\nallow_private_addresses = maybe\n", 4,
	             "bad boolean 'maybe': use yes/no, true/false, on/off or "
	             "1/0");
}

static void test_error_out_of_range(void)
{
	EXPECT_ERROR(BASE "[poll]\nconcurrency = 0\n", 4,
	             "concurrency must be between 1 and 10000");
	EXPECT_ERROR(BASE "[poll]\nconcurrency = 10001\n", 4,
	             "concurrency must be between 1 and 10000");
	EXPECT_ERROR(BASE "[poll]\nconcurrency = 8\nper_host = 9\n", 5,
	             "per_host (9) cannot exceed concurrency (8)");
	/* per_host left at its default of 4: the error is on concurrency */
	EXPECT_ERROR(BASE "[poll]\nconcurrency = 2\n", 4,
	             "per_host (4) cannot exceed concurrency (2)");
	EXPECT_ERROR(BASE "[poll]\ninterval = 0s\n", 4,
	             "interval must be between 1s and");
	EXPECT_ERROR(BASE "[poll]\ntimeout = 0\n", 4,
	             "timeout must be between 1s");
	EXPECT_ERROR(BASE "[account \"a\"]\nfeed = https://e.org/\n"
	                  "interval = 0m\n",
	             5, "interval must be between 1s");
	EXPECT_ERROR(BASE "[poll]\nconnect_timeout = 1m\n", 4,
	             "connect_timeout (60s) cannot exceed timeout (30s)");
	/* A short timeout pulls the default connect timeout down with it. */
	{
		struct config *cfg = NULL;
		struct config_errors errs = {0};
		const char *text = BASE "[poll]\ntimeout = 3s\n";

		ASSERT_INT_EQ(
		    config_parse(text, strlen(text), "t.conf", &cfg, &errs), 0);
		if (cfg)
			ASSERT_INT_EQ(cfg->connect_timeout, 3);
		config_free(cfg);
		config_errors_clear(&errs);
	}
	EXPECT_ERROR(BASE "[demo]\nport = 0\n", 4,
	             "port must be between 1 and 65535");
}

static void test_error_unknown_role(void)
{
	EXPECT_ERROR(BASE "[account \"a\"]\nrole = ambassador\n"
	                  "feed = https://e.org/\n",
	             4,
	             "unknown role 'ambassador': use diplomat, spokesperson, "
	             "mission, ministry, state_media or other");
}

static void test_error_account_without_feed(void)
{
	EXPECT_ERROR(BASE "[account \"lonely\"]\nname = Lonely\n", 3,
	             "account 'lonely' has no feed");
	/* the header is the place even with nothing after it */
	EXPECT_ERROR(BASE "[account \"a\"]\n[account \"b\"]\n"
	                  "feed = https://e.org/\n",
	             3, "account 'a' has no feed");
}

static void test_error_bad_feed(void)
{
	EXPECT_ERROR(BASE "[account \"a\"]\nfeed = feeds/a.xml\n", 4,
	             "bad feed URL 'feeds/a.xml': expected an absolute http:// "
	             "or https:// URL");
	EXPECT_ERROR(BASE "[account \"a\"]\nfeed = ftp://e.org/a\n", 4,
	             "bad feed URL 'ftp://e.org/a'");
	EXPECT_ERROR(BASE "[account \"a\"]\nfeed = https:///a.xml\n", 4,
	             "missing or malformed host name");
	EXPECT_ERROR(BASE "[account \"a\"]\nfeed = http://e.org:99999/\n", 4,
	             "bad port number");
	EXPECT_ERROR(BASE "[account \"a\"]\nfeed = http://user:pw@e.org/\n", 4,
	             "credentials in URLs are not supported");
	EXPECT_ERROR(BASE "[account \"a\"]\nfeed = \"http://e.org/a b\"\n", 4,
	             "cannot contain spaces");
	EXPECT_ERROR(BASE "[account \"a\"]\n"
	                  "feed = mastodon:https://mastodon.social/users/x\n",
	             4, "bad Mastodon feed");
	EXPECT_ERROR(BASE
	             "[account \"a\"]\nfeed = mastodon:mastodon.social/@x\n",
	             4, "bad Mastodon feed");
	EXPECT_ERROR(BASE "[account \"a\"]\n"
	                  "feed = mastodon:https://mastodon.social/@\n",
	             4, "missing user name after '@'");
	EXPECT_ERROR(BASE "[account \"a\"]\n"
	                  "feed = mastodon:https://m.social/@x/statuses\n",
	             4, "must name an account");
	EXPECT_ERROR(BASE "[account \"a\"]\nfeed = bluesky:not_a_handle\n", 4,
	             "bad Bluesky feed 'bluesky:not_a_handle'");
	EXPECT_ERROR(BASE "[account \"a\"]\nfeed = bluesky:nodot\n", 4,
	             "bad Bluesky feed");
	EXPECT_ERROR(BASE "[account \"a\"]\nfeed = bluesky:x.-bad.social\n", 4,
	             "bad Bluesky feed");
	EXPECT_ERROR(BASE "[account \"a\"]\nfeed = bluesky:did:plc:\n", 4,
	             "bad Bluesky feed");
	EXPECT_ERROR(BASE "[account \"a\"]\nfeed = bluesky:a.b.123\n", 4,
	             "bad Bluesky feed");
}

static void test_error_duplicate_account(void)
{
	EXPECT_ERROR(BASE "[account \"zlj517\"]\nfeed = https://e.org/1\n"
	                  "[account \"ZLJ517\"]\nfeed = https://e.org/2\n",
	             5, "duplicate account 'ZLJ517': also defined on line 3");
}

static void test_error_duplicate_feed(void)
{
	EXPECT_ERROR(BASE "[account \"a\"]\nfeed = https://E.org/feed\n"
	                  "[account \"b\"]\nfeed = https://e.org/feed\n",
	             6,
	             "duplicate feed 'https://e.org/feed': already the feed "
	             "of account 'a' on line 4");
	EXPECT_ERROR(BASE "[account \"a\"]\nfeed = bluesky:x.bsky.social\n"
	                  "feed = bluesky:X.bsky.social\n",
	             5, "listed twice for this account (also line 4)");
}

static void test_error_bad_created(void)
{
	static const char *const bad[] = {
	    "2019-13-01", "2019-02-30",           "2019-10-1",
	    "01/10/2019", "2019-10-01T25:00:00Z", "2019-10-01T08:00:00",
	    "1969-12-31", "2019-10-01 junk",      "2019-10-01T08:00:00+0800",
	};
	char text[256];
	size_t i;

	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		snprintf(text, sizeof(text),
		         BASE "[account \"a\"]\nfeed = https://e.org/\n"
		              "created = %s\n",
		         bad[i]);
		EXPECT_ERROR(text, 5,
		             "for 'created': use YYYY-MM-DD or RFC 3339");
	}
}

static void test_error_bad_schedule_and_format(void)
{
	static const char *const bad[] = {
	    "daily",       "daily 8",           "daily 24:00",
	    "daily 08:60", "weekly 08:00",      "weekly xyz 08:00",
	    "hourly",      "daily 08:00 extra", "on",
	};
	char text[256];
	size_t i;

	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		snprintf(text, sizeof(text), BASE "[report]\nschedule = %s\n",
		         bad[i]);
		EXPECT_ERROR(text, 4, "bad schedule");
	}
	EXPECT_ERROR(BASE "[report]\nformat = pdf\n", 4,
	             "bad report format 'pdf': use text, md, json or html");
}

static void test_error_missing_database(void)
{
	EXPECT_ERROR("[poll]\ninterval = 5m\n", 1,
	             "no [storage] section: 'database = PATH' is required");
	EXPECT_ERROR("# c\n[storage]\n[poll]\n", 2,
	             "[storage] needs 'database = PATH'");
}

static void test_error_account_key_syntax(void)
{
	EXPECT_ERROR(BASE "[account]\nfeed = https://e.org/\n", 3,
	             "[account] needs a key");
	EXPECT_ERROR(BASE "[account zlj517]\n", 3,
	             "the account key must be quoted");
	EXPECT_ERROR(BASE "[account \"zlj517]\n", 3, "unterminated quote");
	EXPECT_ERROR(BASE "[account \"\"]\n", 3, "empty account key");
	EXPECT_ERROR(BASE "[account \"a b\"]\n", 3, "bad account key");
	EXPECT_ERROR(BASE "[account \"a\" x]\n", 3, "unexpected text after");
}

static void test_error_mail(void)
{
	EXPECT_ERROR(BASE "[report]\nsmtp_url = https://mail.e.org\n", 4,
	             "smtp_url: bad URL");
	EXPECT_ERROR(BASE "[report]\nsmtp_url = smtp://mail.e.org\n", 4,
	             "mail needs mail_from and mail_to");
	EXPECT_ERROR(BASE "[report]\nmail_to = a@e.org\n", 4,
	             "no smtp_url to send through");
	EXPECT_ERROR(BASE "[report]\nsmtp_url = smtp://m.e.org\n"
	                  "mail_from = x@e.org\nmail_to = a@e.org,,b@e.org\n",
	             6, "empty address in mail_to");
	EXPECT_ERROR(BASE "[report]\nmail_from = Desk <d@e.org>\n", 4,
	             "bad mail address");
	EXPECT_ERROR(BASE "[report]\nwebhook = hooks.e.org/x\n", 4,
	             "webhook: bad URL");
}

static void test_error_quotes_and_controls(void)
{
	EXPECT_ERROR(BASE "[poll]\nuser_agent = \"a # b\n", 4,
	             "user_agent: unterminated quote");
	EXPECT_ERROR(BASE "[poll]\nuser_agent = \"a\" b\n", 4,
	             "unexpected text after the closing quote");
	EXPECT_ERROR(BASE "[poll]\nuser_agent = \"\"\n", 4,
	             "user_agent: missing value");
	EXPECT_ERROR(BASE "[poll]\nuser_agent = a\x01"
	                  "b\n",
	             4, "control characters");
}

/* Every error in a file is reported, in line order, each on its line. */
static void test_all_errors_reported(void)
{
	static const char text[] = "stray = 1\n"            /* 1 */
	                           "[storage]\n"            /* 2 */
	                           "database = /tmp/x.db\n" /* 3 */
	                           "[poll]\n"               /* 4 */
	                           "interval = 5x\n"        /* 5 */
	                           "concurrency = lots\n"   /* 6 */
	                           "allow_private_addresses = perhaps\n"
	                           "[acount \"a\"]\n"    /* 8 */
	                           "feed = x\n"          /* 9: ignored */
	                           "[account \"b\"]\n"   /* 10 */
	                           "role = king\n"       /* 11 */
	                           "feed = gopher://x\n" /* 12 */
	                           "[report]\n"          /* 13 */
	                           "format = pdf\n";     /* 14 */
	static const int lines[] = {1, 5, 6, 7, 8, 11, 12, 14};
	struct config_errors e = {0};
	struct config *cfg = NULL;
	size_t i;

	ASSERT_INT_EQ(parse(text, &cfg, &e), -EINVAL);
	ASSERT(cfg == NULL);
	dump(&e);
	REQUIRE(e.n == ARRAY_SIZE(lines));
	for (i = 0; i < e.n; i++) {
		char prefix[32];

		snprintf(prefix, sizeof(prefix), "t.conf:%d: ", lines[i]);
		ASSERT(strncmp(e.msgs[i], prefix, strlen(prefix)) == 0);
	}
	config_errors_clear(&e);
	ASSERT(e.msgs == NULL && e.n == 0);
}

static void test_too_many_errors(void)
{
	struct buf b = {0};
	struct config_errors e = {0};
	struct config *cfg = NULL;
	int i;

	buf_puts(&b, BASE "[poll]\n");
	for (i = 0; i < 500; i++)
		buf_puts(&b, "nonsense\n");
	REQUIRE(b.data);
	ASSERT_INT_EQ(config_parse(b.data, b.len, "t.conf", &cfg, &e), -EINVAL);
	ASSERT_INT_EQ(e.n, 101);
	ASSERT(strstr(e.msgs[e.n - 1], "t.conf:103: too many errors"));
	config_errors_clear(&e);
	buf_free(&b);
}

static void test_warnings(void)
{
	struct config_errors e = {0};
	struct config *cfg = NULL;

	ASSERT_INT_EQ(parse(BASE "[poll]\ninterval = 30s\n[account \"a\"]\n"
	                         "feed = https://e.org/\ninterval = 5s\n"
	                         "[report]\nschedule = daily 08:00\n",
	                    &cfg, &e),
	              0);
	REQUIRE(cfg);
	ASSERT_INT_EQ(e.n, 0);
	REQUIRE(e.n_warnings == 3);
	ASSERT(has_msg(e.warnings, e.n_warnings, 4,
	               "warning: a poll interval "
	               "under a minute (30s)"));
	ASSERT(has_msg(e.warnings, e.n_warnings, 7,
	               "warning: a poll interval "
	               "under a minute (5s)"));
	ASSERT(has_msg(e.warnings, e.n_warnings, 9,
	               "warning: reports are scheduled but no output_dir"));
	config_free(cfg);
	config_errors_clear(&e);
}

static void test_null_errs(void)
{
	struct config *cfg = NULL;

	ASSERT_INT_EQ(config_parse("[poll\n", 6, NULL, &cfg, NULL), -EINVAL);
	ASSERT(cfg == NULL);
	ASSERT_INT_EQ(config_parse(NULL, 0, "x", &cfg, NULL), -EINVAL);
	config_free(NULL);
	config_errors_clear(NULL);
}

/* ---- check-config -----------------------------------------------------------
 */

static int run_check(const char *global_c, char *a1, char *a2, char *a3)
{
	struct cmd_globals g = {0};
	char *argv[] = {"check-config", a1, a2, a3, NULL};
	int argc = 1 + (a1 != NULL) + (a2 != NULL) + (a3 != NULL);

	g.config = global_c;
	optind = 1;
	return cmd_check_config_main(&g, argc, argv);
}

static void test_check_config_command(void)
{
	char good[PATH_MAX], bad[PATH_MAX], none[PATH_MAX];

	snprintf(good, sizeof(good), "%s/good.conf", test_tmpdir());
	snprintf(bad, sizeof(bad), "%s/bad.conf", test_tmpdir());
	snprintf(none, sizeof(none), "%s/none.conf", test_tmpdir());
	test_write_file(good, BASE "[account \"a\"]\nfeed = https://e.org/\n");
	test_write_file(bad, BASE "[poll]\ninterval = never\n");
	ASSERT_INT_EQ(run_check(NULL, "-c", good, NULL), 0);
	ASSERT_INT_EQ(run_check(good, NULL, NULL, NULL), 0);
	ASSERT_INT_EQ(run_check(NULL, good, NULL, NULL), 0);
	ASSERT_INT_EQ(run_check(NULL, "-c", bad, NULL), EX_CONFIG);
	ASSERT_INT_EQ(run_check(bad, NULL, NULL, NULL), EX_CONFIG);
	/* -c after the subcommand wins over the global one */
	ASSERT_INT_EQ(run_check(bad, "-c", good, NULL), 0);
	ASSERT_INT_EQ(run_check(NULL, "-c", none, NULL), EX_NOINPUT);
	ASSERT_INT_EQ(run_check(NULL, NULL, NULL, NULL), EX_USAGE);
	ASSERT_INT_EQ(run_check(NULL, "--bogus", NULL, NULL), EX_USAGE);
}

/* [report] timezone, subject, smtp_starttls, retries, retry_delay. */
static void test_report_delivery_keys(void)
{
	struct config_errors e = {0};
	struct config *cfg;
	char path[PATH_MAX];

	cfg = PARSE_OK(BASE);
	REQUIRE(cfg);
	ASSERT(cfg->report.timezone == NULL);
	ASSERT(cfg->report.subject == NULL);
	ASSERT(cfg->report.smtp_starttls);
	ASSERT_INT_EQ(cfg->report.retries, 5);
	ASSERT_INT_EQ(cfg->report.retry_delay, 60);
	config_free(cfg);

	cfg = PARSE_OK(BASE "[report]\ntimezone = Asia/Tokyo\n"
	                    "subject = 外交官週報 デマルシュ\n"
	                    "smtp_starttls = no\nretries = 0\n"
	                    "retry_delay = 2m\n");
	REQUIRE(cfg);
	ASSERT_STR_EQ(cfg->report.timezone, "Asia/Tokyo");
	ASSERT_STR_EQ(cfg->report.subject, "外交官週報 デマルシュ");
	ASSERT(!cfg->report.smtp_starttls);
	ASSERT_INT_EQ(cfg->report.retries, 0);
	ASSERT_INT_EQ(cfg->report.retry_delay, 120);
	ASSERT_INT_EQ(cfg->report.timezone_line, 4);
	config_free(cfg);

	EXPECT_ERROR(BASE "[report]\ntimezone = ../../etc/passwd\n", 4,
	             "bad timezone");
	EXPECT_ERROR(BASE "[report]\ntimezone = /etc/localtime\n", 4,
	             "bad timezone");
	EXPECT_ERROR(BASE "[report]\ntimezone = Europe/Berlin;x\n", 4,
	             "bad timezone");
	EXPECT_ERROR(BASE "[report]\nretries = 21\n", 4, "retries");
	EXPECT_ERROR(BASE "[report]\nretry_delay = 0s\n", 4, "retry_delay");
	EXPECT_ERROR(BASE "[report]\nsmtp_starttls = perhaps\n", 4,
	             "bad boolean");

	/* config_load checks the zone exists in the tz database. */
	snprintf(path, sizeof(path), "%s/tz.conf", test_tmpdir());
	test_write_file(path, "[storage]\ndatabase = d.db\n[report]\n"
	                      "timezone = Nowhere/Atlantis\n");
	cfg = (struct config *)1;
	ASSERT_INT_EQ(config_load(path, &cfg, &e), -EINVAL);
	ASSERT(cfg == NULL);
	ASSERT(e.n == 1 && strstr(e.msgs[0], ":4: unknown timezone "
	                                     "Nowhere/Atlantis"));
	config_errors_clear(&e);
	if (access("/usr/share/zoneinfo/Europe/Berlin", R_OK) == 0) {
		test_write_file(path, "[storage]\ndatabase = d.db\n[report]\n"
		                      "timezone = Europe/Berlin\n");
		ASSERT_INT_EQ(config_load(path, &cfg, &e), 0);
		config_free(cfg);
		config_errors_clear(&e);
	}
}

TEST_MAIN(TEST(test_durations), TEST(test_sizes),
          TEST(test_role_and_kind_names), TEST(test_defaults),
          TEST(test_full_file), TEST(test_account_interval_inherits_later_poll),
          TEST(test_comments), TEST(test_indentation_and_continuation),
          TEST(test_line_endings_bom_and_limits), TEST(test_long_account_key),
          TEST(test_relative_paths), TEST(test_load_paths_and_rules_dir),
          TEST(test_classifier_model_keys), TEST(test_shipped_configs),
          TEST(test_error_unknown_section), TEST(test_error_unknown_key),
          TEST(test_error_key_before_section), TEST(test_error_bad_duration),
          TEST(test_error_bad_size), TEST(test_error_bad_number),
          TEST(test_error_bad_boolean), TEST(test_error_out_of_range),
          TEST(test_error_unknown_role), TEST(test_error_account_without_feed),
          TEST(test_error_bad_feed), TEST(test_error_duplicate_account),
          TEST(test_error_duplicate_feed), TEST(test_error_bad_created),
          TEST(test_error_bad_schedule_and_format),
          TEST(test_error_missing_database),
          TEST(test_error_account_key_syntax), TEST(test_error_mail),
          TEST(test_error_quotes_and_controls), TEST(test_all_errors_reported),
          TEST(test_too_many_errors), TEST(test_warnings), TEST(test_null_errs),
          TEST(test_check_config_command), TEST(test_report_delivery_keys))
