/*
 * config.h — the service configuration (one INI file, see DESIGN.md).
 * config_parse() turns the text into a fresh struct config and collects
 * every problem as "FILE:LINE: message"; the daemon swaps a new config in
 * only when it parsed without errors, so a reload never half-applies.
 * config_parse() is pure; config_load() reads the file and also checks what
 * needs the file system (the rules folder).
 */
#ifndef DEMARCHE_CONFIG_H
#define DEMARCHE_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum account_role {
	ROLE_DIPLOMAT,
	ROLE_SPOKESPERSON,
	ROLE_MISSION,
	ROLE_MINISTRY,
	ROLE_STATE_MEDIA,
	ROLE_OTHER,
};
const char *config_role_name(enum account_role role);
int config_role_from_name(const char *name, enum account_role *out);

enum feed_kind {
	FEED_KIND_WEB,      /* RSS / Atom / JSON Feed over http(s), detected */
	FEED_KIND_MASTODON, /* "mastodon:https://host/@user" */
	FEED_KIND_BLUESKY,  /* "bluesky:handle" through [poll] bluesky_api */
	FEED_KIND_TELEGRAM, /* "telegram:NAME" through [poll] telegram_base */
	FEED_KIND_YOUTUBE,  /* "youtube:ID" through [poll] youtube_base */
	FEED_KIND_HTML,     /* "html:INDEX_URL" read by the account's XPaths */
};
#define FEED_KIND_COUNT 6
const char *config_feed_kind_name(enum feed_kind kind);

struct config_feed {
	char *url; /* as written, without the "mastodon:" etc. prefix; but
	            * "telegram:NAME" (also from t.me/NAME and t.me/s/NAME),
	            * "youtube:ID" and "html:URL" keep theirs, naming the feed
	            * in the database among the web feeds */
	enum feed_kind kind;
	int line; /* where it was declared */
};

struct config_account {
	char *key;              /* the name in [account "key"]: the handle */
	char *name;             /* display name or NULL */
	enum account_role role; /* ROLE_OTHER when not given */
	char *country;          /* or NULL */
	int64_t created;        /* UTC epoch seconds or TIME_UNKNOWN */
	int64_t interval; /* seconds; the [poll] interval when not given */
	struct config_feed *feeds;
	size_t n_feeds;
	int line; /* line of the section header */
};

/* What an html: feed of an account reads (a site without a feed): XPath
 * 1.0 expressions, each checked to compile; NULL when not given. */
struct config_html {
	char *links;     /* the article links on the index page */
	char *title;     /* an article's title */
	char *date;      /* its date, read by the date parser */
	char *text;      /* its text (default: the readable main text) */
	char *split;     /* nodes that each become one post, URL#N */
	int64_t refetch; /* seconds an article is re-read for edits */
};

/* What an alert of a narrative or category watches for ([narrative]
 * alert, [report] alert_categories). */
enum config_alert {
	CONFIG_ALERT_OFF,
	CONFIG_ALERT_FIRST, /* an account's first use, in a fresh post */
	CONFIG_ALERT_SPIKE, /* a day's count over spike_factor x its mean */
};
const char *config_alert_name(enum config_alert alert);

/* A [narrative "KEY"] section: a claim, by the terms that state it. */
struct config_narrative {
	char *key;               /* the KEY of the header */
	char *name;              /* display name, or NULL */
	char **terms;            /* one or more, as written, non-empty */
	size_t n_terms;          /* number of terms */
	char *category;          /* only posts of this category, or NULL */
	enum config_alert alert; /* CONFIG_ALERT_OFF unless given */
	int line;                /* line of the section header */
	int terms_line;          /* line of the terms key, or 0 */
};

/* One entry of [report] alert_categories: "CATEGORY[:first|:spike]". */
struct config_alert_category {
	char *category;          /* a category key */
	enum config_alert alert; /* CONFIG_ALERT_FIRST or _SPIKE */
};

struct config_report {
	char *schedule;   /* "daily 08:00", "weekly mon 08:00" or "off" */
	char *format;     /* text|md|json|html */
	char *output_dir; /* absolute, or NULL */
	char *smtp_url;
	char *smtp_user;
	char *smtp_password_file; /* absolute, or NULL */
	char *smtp_ca_file;       /* CA bundle for the mail server's TLS
	                           * certificate (a private CA), or NULL for
	                           * the system's */
	char *mail_from;
	char **mail_to; /* one or more addresses */
	size_t n_mail_to;
	char *webhook;
	char *since;         /* period of a scheduled report, e.g. "24h" */
	char *timezone;      /* zone of the schedule ("Europe/Berlin"),
	                      * or NULL for UTC */
	int timezone_line;   /* line of the timezone key (config_load) */
	char *subject;       /* mail subject prefix, or NULL for the
	                      * default "demarche report" */
	bool smtp_starttls;  /* smtp:// must upgrade with STARTTLS */
	int retries;         /* further tries of a failed delivery */
	int64_t retry_delay; /* seconds before the first retry; doubles */
	/* alerts of narratives and categories */
	struct config_alert_category *alert_categories;
	size_t n_alert_categories;
	int64_t alert_window; /* seconds: only posts published this recently
	                       * alert (default 24h) */
	double spike_factor;  /* a spike is a day over factor x the trailing
	                       * 28-day mean (default 3) */
	int spike_min;        /* ... with at least this many statements */
};

struct config {
	char *path;        /* the file this came from */
	char *database;    /* absolute path (relative ones resolved) */
	int database_line; /* line of the database key (check-config) */
	/* [poll] */
	int64_t interval;        /* seconds */
	int64_t timeout;         /* seconds, whole transfer */
	int64_t connect_timeout; /* seconds */
	int concurrency;         /* transfers in flight, all hosts */
	int per_host;            /* transfers in flight per host */
	size_t max_body;         /* bytes */
	char *user_agent;
	bool allow_private; /* allow loopback/private/link-local targets */
	char *bluesky_api;
	char *telegram_base;    /* origin of Telegram previews, no final '/' */
	int64_t telegram_delay; /* seconds between requests to that host */
	char *youtube_base;     /* origin of YouTube channel feeds */
	int backfill;           /* posts a paged source reads on its first
	                         * poll (Telegram) */
	int64_t stop_timeout;   /* seconds a graceful stop may take */
	/* Amplification watch: who reposted the recent posts of Bluesky and
	 * Mastodon sources (fetch/amplification.c) */
	bool amplification;           /* [poll] amplification = yes */
	int64_t amplification_window; /* seconds: posts younger than this */
	int amplification_max;        /* reposters read per post, at most */
	int burst_threshold; /* reposts gained between two checks that make
	                      * a burst */
	/* [classifier] */
	char *rules_dir;     /* absolute, or NULL for the shipped default */
	int rules_line;      /* line of the rules key (config_load's check) */
	char *model_path;    /* absolute trained model file, or NULL: none */
	int model_line;      /* line of the model key (config_load's check) */
	double model_weight; /* weight of the model against the rules, 0..1 */
	/* [report] */
	struct config_report report;
	/* [demo]: a loopback server that `demarched --demo` starts */
	char *demo_feeds_dir; /* absolute, or NULL */
	int demo_port;
	/* [account "..."] */
	struct config_account *accounts;
	size_t n_accounts;
	struct config_html *html; /* per account, parallel to accounts */
	/* [narrative "..."] */
	struct config_narrative *narratives;
	size_t n_narratives;
};

/* Whether key is one of the four statement categories (the keys of
 * classify/category.h, which conf/ cannot include; a unit test keeps the
 * two lists equal). */
int config_category_known(const char *key);
/* A narrative's definition as canonical JSON (terms in order, category),
 * a *new* string; and its SHA-256 in hex (65 bytes).  A change of either
 * makes the daemon apply the narrative to the stored log again.  Returns
 * 0 or -ENOMEM. */
int config_narrative_definition(const struct config_narrative *n, char **json,
                                char hash[65]);

/* Every problem found, each "FILE:LINE: message", in line order.  Errors
 * make the config unusable; warnings ("FILE:LINE: warning: message") do
 * not, and may be present on success too. */
struct config_errors {
	char **msgs;     /* errors */
	size_t n;        /* number of errors */
	char **warnings; /* warnings, already prefixed "FILE:LINE: warning: " */
	size_t n_warnings; /* number of warnings */
};
void config_errors_clear(struct config_errors *errs);

/*
 * Parses text (len bytes) read from path; relative paths resolve against
 * path's directory (so they stay relative when path is).  Returns 0 and a
 * *new* config, or -EINVAL with every error in errs (which may hold
 * warnings on success too), or -ENOMEM.  errs may be NULL.  Not
 * thread-safe: it sets libinih's global options for the call.
 */
int config_parse(const char *text, size_t len, const char *path,
                 struct config **out, struct config_errors *errs);
/* Reads path (at most 1 MiB), parses it, makes every path absolute and
 * checks the rules folder is a readable directory.  A file that cannot be
 * read gives a negative errno and one "FILE: reason" message. */
int config_load(const char *path, struct config **out,
                struct config_errors *errs);
void config_free(struct config *cfg);

/* Parsers for the value syntaxes, shared with the CLI's --since.
 * Durations: "90", "90s", "15m", "2h", "7d", "2w", "1h30m" -> seconds
 * (units s m h d w, each at most once, largest first): the one duration
 * grammar of the config and of every command.  Sizes: "512", "512B",
 * "64KiB", "8MiB", "1GiB" -> bytes (binary units only: "KB"/"MB" are
 * rejected as ambiguous).  Return 0 or -EINVAL (also on overflow). */
int config_parse_duration(const char *s, int64_t *out);
int config_parse_size(const char *s, size_t *out);

/* The time of every command's --since and --until (config_time.c): a
 * duration back from now ("90m", "7d", "1h30m"; a bare number is an
 * error) or an absolute date or time ("2020-03-01", "2020-03-01T08:00",
 * RFC 3339; UTC unless a zone is written).  Returns 0 with epoch seconds
 * in *out, or -EINVAL. */
int config_parse_time(const char *s, int64_t now, int64_t *out);
/* The grammar in words, for error messages and help (static string). */
const char *config_time_grammar(void);

#endif
