/*
 * config_int.h — what the two halves of the config parser share, private
 * to daemon/conf/ (tests/lint/check_layers.sh keeps it there):
 * config.c reads the file (lines, sections, keys), checks the whole and
 * hands out the result; config_values.c reads the value syntaxes and
 * stores each value into the config.  Both report through the parser's
 * message list, in line order at the end.
 */
#ifndef DEMARCHE_CONFIG_INT_H
#define DEMARCHE_CONFIG_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "config.h"
#include "util.h"

/* Limits on what a config may make us allocate. */
#define MAX_LINE       4096 /* bytes per line, without the newline */
#define MAX_ERRORS     100  /* then parsing stops */
#define MAX_ACCOUNTS   20000
#define MAX_FEEDS      200 /* per account */
#define MAX_MAIL_TO    100
#define MAX_KEY_LEN    128 /* account keys (handles) */
#define MAX_NARRATIVES 1000
#define MAX_TERMS      1000 /* per narrative */
#define MAX_TERM_LEN   256  /* bytes */
#define MAX_FILE       (1024 * 1024)

enum section {
	SEC_NONE,    /* before the first header */
	SEC_IGNORED, /* a bad or unknown header: its keys are not checked */
	SEC_STORAGE,
	SEC_POLL,
	SEC_CLASSIFIER,
	SEC_REPORT,
	SEC_DEMO,
	SEC_ACCOUNT,
	SEC_NARRATIVE,
};

/* How a value is read; see config_set_value(). */
enum kind {
	K_PATH,       /* char *, resolved against the config's folder */
	K_TEXT,       /* char *, printable, one line */
	K_HTTP_URL,   /* char *, absolute http(s) URL, trailing '/' dropped */
	K_SMTP_URL,   /* char *, smtp:// or smtps:// URL */
	K_EMAIL,      /* char *, a bare address */
	K_EMAIL_LIST, /* char ** + count, repeatable and comma-separated */
	K_DURATION,   /* int64_t seconds within [min, max] */
	K_SINCE,      /* char *, a valid duration kept as written */
	K_SIZE,       /* size_t bytes within [min, max] */
	K_INT,        /* int within [min, max] */
	K_FRACTION,   /* double within [0, 1] */
	K_BOOL,       /* bool */
	K_SCHEDULE,   /* char *, normalised "daily HH:MM" etc. */
	K_FORMAT,     /* char *, text|md|json|html */
	K_ROLE,       /* enum account_role */
	K_DATE,       /* int64_t epoch seconds */
	K_FEED,       /* appended to the account's feeds */
	K_XPATH,      /* char *, an XPath 1.0 expression that compiles */
	K_TERMS,      /* a narrative's "A | B | C" (config_narrative.c) */
	K_CATEGORY,   /* char *, a category key */
	K_ALERT,      /* enum config_alert: first|spike|off */
	K_ALERT_CATS, /* [report] alert_categories, repeatable */
	K_FACTOR,     /* double within [min, max] */
};

/* The number of keys of the keys[] table in config.c (checked there). */
#define CONFIG_N_KEYS 60

struct key_spec {
	enum section sec; /* where the key belongs */
	const char *name; /* as written in the file */
	enum kind kind;   /* how its value is read */
	size_t off;       /* field in struct config or struct config_account */
	int64_t min, max; /* range for numbers, durations and sizes */
};

#define C(f) offsetof(struct config, f)
#define R(f) offsetof(struct config, report.f)
#define A(f) offsetof(struct config_account, f)
#define H(f) offsetof(struct config_html, f)
#define N(f) offsetof(struct config_narrative, f)
#define DAY  (24 * 3600)
#define GIB  (1024LL * 1024 * 1024)

/* One collected message before they are sorted into line order. */
struct msg {
	int line;     /* 0 for the whole file */
	size_t seq;   /* order of discovery, for a stable sort */
	bool warning; /* false: an error */
	char *text;   /* "FILE:LINE: ..." */
};

/* What the parser remembers about an account beyond struct config_account. */
struct account_info {
	int seen[CONFIG_N_KEYS]; /* line where each key was set, 0 if not */
};

struct parser {
	const char *path; /* as given, for messages */
	char *dir;        /* path's folder, "" when it has none */
	struct config *cfg;

	/* the reader */
	const char *text; /* the whole input */
	size_t len;       /* its length */
	size_t pos;       /* start of the next line */
	int line;         /* number of the line handed out last */
	const char *raw;  /* that line in text (no line end; NULL if dropped) */
	size_t raw_len;   /* its length */
	bool indented;    /* it starts with whitespace */
	bool pair_line;   /* that line should have reached the handler */
	bool handled;     /* ... and did */
	bool stop;        /* too many errors or out of memory */

	/* the section the current line belongs to */
	enum section sec;
	int sec_line;              /* line of the current section header */
	int storage_line;          /* line of the first [storage] header */
	int seen[CONFIG_N_KEYS];   /* line where each global key was set */
	struct account_info *info; /* parallel to cfg->accounts */
	size_t cap_accounts;
	struct account_info *ninfo; /* parallel to cfg->narratives */
	size_t cap_narratives;

	struct msg *msgs;
	size_t n_msgs, cap_msgs, n_errors;
	int rc; /* -ENOMEM once an allocation failed */
};

/* ---- config.c: messages -------------------------------------------- */

/* Marks the parse as failed for want of memory (reported once). */
void config_oom(struct parser *p);
/* Appends a value to a message, quoted and made safe for a terminal. */
void config_put_quoted(struct buf *b, const char *s);
/* Starts "FILE:LINE: " (or "FILE: " for line 0) in b. */
void config_begin_msg(struct parser *p, struct buf *b, int line, bool warning);
/* Files the message built in b (taking its text) as an error or warning
 * of line. */
void config_add_msg(struct parser *p, bool warning, int line, struct buf *b);
/* An error or warning of line, formatted. */
void config_msgf(struct parser *p, bool warning, int line, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* An error whose message quotes an untrusted value:
 * PREFIX 'VALUE' then the formatted rest. */
void config_error_value(struct parser *p, int line, const char *prefix,
                        const char *value, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));
#define error(p, line, ...)   config_msgf(p, false, line, __VA_ARGS__)
#define warning(p, line, ...) config_msgf(p, true, line, __VA_ARGS__)

/* ---- config_values.c: value syntaxes and storing values ------------- */

/* The character classes of the C locale, whatever the process's. */
bool config_is_space(int c);
bool config_is_alnum(int c);
/* Normalises the web part of a feed or API URL for duplicate checks:
 * scheme and host lowercased.  Returns a *new* string or NULL. */
char *config_url_key(enum feed_kind kind, const char *url);
/* Reads one value into the field the spec names; base is the struct
 * config or struct config_account the offset is relative to.  Problems
 * become messages of p->line. */
void config_set_value(struct parser *p, const struct key_spec *k, void *base,
                      const char *v);

/* ---- config_narrative.c: [narrative "KEY"] and alerts --------------- */

/* Parses the inside of a [narrative "key"] header (after "narrative"). */
void config_begin_narrative(struct parser *p, const char *s, size_t n);
/* Reads a value of the kinds K_TERMS, K_CATEGORY, K_ALERT, K_ALERT_CATS
 * and K_FACTOR into the field at field (base: for K_ALERT_CATS, the
 * struct config). */
void config_narrative_value(struct parser *p, const struct key_spec *k,
                            void *base, char *field, const char *v);
/* The checks of the whole file: terms given, keys unique. */
void config_check_narratives(struct parser *p);
void config_free_narratives(struct config *cfg);

#endif
