/*
 * rules.h — the lexicon files analysts edit (config/rules/NAME.rules, format
 * in config/rules/README.md), parsed into a plain in-memory rule set.  The
 * parser is pure (bytes in, structs out) so it can be unit-tested and
 * fuzzed; rules_load_dir() is the only part that reads files.  The
 * classifier (classify.c) compiles a finished set into its matcher.
 */
#ifndef DEMARCHE_RULES_H
#define DEMARCHE_RULES_H

#include <stddef.h>
#include <stdint.h>

#include "classify.h"

/* Language bits a term or cue applies to. */
#define RULES_LANG_EN  0x01u
#define RULES_LANG_ES  0x02u
#define RULES_LANG_FR  0x04u
#define RULES_LANG_ZH  0x08u
#define RULES_LANG_JA  0x10u
#define RULES_LANG_ANY 0x1Fu

/* '*' markers on a phrase: no word boundary needed on that side. */
#define RULES_WILD_LEFT  1u
#define RULES_WILD_RIGHT 2u

/* Limits on what a rules folder may declare. */
#define RULES_MAX_LINE        4096
#define RULES_MAX_PHRASE      256
#define RULES_MAX_ENTRIES     100000
#define RULES_MAX_RULES       10000
#define RULES_MAX_GROUPS      10000
#define RULES_MAX_FILES       256
#define RULES_MAX_RULE_GROUPS 8
#define RULES_MAX_WINDOW      100000
#define RULES_MAX_NAME        64

enum rules_kind {
	RULES_TERM,     /* weighted term of a category */
	RULES_CUE,      /* member of a named group, used by rules */
	RULES_NEGATION, /* negation cue of a category */
	RULES_REPORT,   /* opens reported speech: the other side's claim */
};

enum rules_unit {
	RULES_UNIT_CHARS,     /* window counted in code points */
	RULES_UNIT_WORDS,     /* window counted in blank-separated words */
	RULES_UNIT_ANYWHERE,  /* the whole post */
	RULES_UNIT_SENTENCES, /* window counted in sentences (clauses of
	                         CJK text end at its commas too) */
};

/* Where a rule's group may match, relative to reported speech (the span
 * after a `report` cue: "the US claims ...", 所谓, と主張). */
enum rules_scope {
	RULES_SCOPE_OWN,      /* the speaker's own words only (default) */
	RULES_SCOPE_ANY,      /* anywhere ('~group') */
	RULES_SCOPE_REPORTED, /* inside reported speech only ('@group') */
};

struct rules_entry {
	char *phrase;         /* as written, '*' markers included */
	unsigned wild;        /* RULES_WILD_* */
	enum rules_kind kind; /* what the phrase is for */
	double weight;        /* terms: added to the category's score */
	unsigned window;      /* negation cues: reach before a term; report
	                         cues: reach of the span after it; in chars */
	int category;   /* terms, negation cues: category index; else -1 */
	int group;      /* cues: group index; else -1 */
	unsigned langs; /* RULES_LANG_* the phrase applies to */
	int file;       /* index into rules_set.files */
	int line;       /* line number in that file */
};

struct rules_group {
	char *name; /* as declared */
	int file;   /* where first declared */
	int line;   /* ditto */
};

struct rules_rule {
	char *name;           /* the rule's name, shown as evidence */
	int category;         /* category index */
	double weight;        /* added to the score when the rule holds */
	enum rules_unit unit; /* how window is counted */
	unsigned window;      /* all groups within this span */
	char *need_names[RULES_MAX_RULE_GROUPS]; /* groups that must occur */
	int need[RULES_MAX_RULE_GROUPS];         /* resolved indexes */
	enum rules_scope scope[RULES_MAX_RULE_GROUPS]; /* of each need */
	size_t n_need;                                 /* entries of need */
	char *veto_names[RULES_MAX_RULE_GROUPS]; /* groups that must not */
	int veto[RULES_MAX_RULE_GROUPS];         /* resolved indexes */
	size_t n_veto;                           /* entries of veto */
	int file;                                /* where declared */
	int line;                                /* ditto */
};

struct rules_category {
	double threshold;  /* score needed to assign the category */
	int has_threshold; /* a threshold line was seen */
	int file;          /* where the threshold was set */
	int line;          /* ditto */
};

struct rules_file {
	char *name;    /* file name as given to the parser */
	char *version; /* its declared version */
};

struct rules_set {
	struct rules_entry *entries; /* terms, cues and negation cues */
	size_t n_entries;            /* used */
	size_t cap_entries;          /* allocated */
	struct rules_group *groups;  /* named cue groups */
	size_t n_groups;             /* used */
	size_t cap_groups;           /* allocated */
	struct rules_rule *rules;    /* co-occurrence rules */
	size_t n_rules;              /* used */
	size_t cap_rules;            /* allocated */
	struct rules_category cats[CATEGORY_MAX]; /* per category index */
	struct category_set catset; /* the categories: the codebook's four,
	                               then those the files add */
	struct rules_file *files;   /* parsed files, in order */
	size_t n_files;             /* used */
	uint64_t hash;              /* FNV-1a over names and contents */
};

void rules_set_init(struct rules_set *set);
void rules_set_free(struct rules_set *set);

/* Parses one file's contents into set.  Pure.  Returns 0, or -EINVAL with
 * "FILE:LINE: message" in err, or -ENOMEM. */
int rules_parse_buffer(struct rules_set *set, const char *file, const char *buf,
                       size_t len, char *err, size_t errlen);
/* Checks the whole set once every file is parsed: rules name known
 * groups, every category with terms has a threshold.  Returns 0 or
 * -EINVAL with "FILE:LINE: message" in err. */
int rules_finish(struct rules_set *set, char *err, size_t errlen);
/* Parses every *.rules file of dir in name order and finishes the set. */
int rules_load_dir(struct rules_set *set, const char *dir, char *err,
                   size_t errlen);

/* Language bits of a post's language tag ("en", "zh-Hant", ...); all
 * bits for NULL or an unknown tag, so nothing is left unmatched. */
unsigned rules_lang_bits(const char *lang);

#endif
