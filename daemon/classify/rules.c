/*
 * rules.c — parser of the lexicon files (format: config/rules/README.md).
 * Line-based on purpose: every statement is one line starting with a
 * keyword, so an analyst's typo is reported as FILE:LINE with what was
 * expected, and one bad line never changes the meaning of the next.
 * Group names are resolved only when every file is read (rules_finish),
 * so a shared file of cue groups may sort after the files that use it.
 */
#include "rules.h"

#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "normalize.h"
#include "util.h"

#define RULES_MAX_FILE_BYTES (16 * 1024 * 1024)

static unsigned lang_code_bits(const char *s, size_t n)
{
	if (n >= 2 && (s[0] == 'e' || s[0] == 'E') &&
	    (s[1] == 'n' || s[1] == 'N') && (n == 2 || s[2] == '-'))
		return RULES_LANG_EN;
	if (n >= 2 && (s[0] == 'e' || s[0] == 'E') &&
	    (s[1] == 's' || s[1] == 'S') && (n == 2 || s[2] == '-'))
		return RULES_LANG_ES;
	if (n >= 2 && (s[0] == 'f' || s[0] == 'F') &&
	    (s[1] == 'r' || s[1] == 'R') && (n == 2 || s[2] == '-'))
		return RULES_LANG_FR;
	if (n >= 2 && (s[0] == 'z' || s[0] == 'Z') &&
	    (s[1] == 'h' || s[1] == 'H') && (n == 2 || s[2] == '-'))
		return RULES_LANG_ZH;
	if (n >= 2 && (s[0] == 'j' || s[0] == 'J') &&
	    (s[1] == 'a' || s[1] == 'A') && (n == 2 || s[2] == '-'))
		return RULES_LANG_JA;
	if (n == 3 && memcmp(s, "any", 3) == 0)
		return RULES_LANG_ANY;
	return 0;
}

unsigned rules_lang_bits(const char *lang)
{
	unsigned b;

	if (!lang || !*lang)
		return RULES_LANG_ANY;
	b = lang_code_bits(lang, strlen(lang));
	return b ? b : RULES_LANG_ANY;
}

void rules_set_init(struct rules_set *set)
{
	int i;

	memset(set, 0, sizeof(*set));
	set->hash = 1469598103934665603ULL;
	for (i = 0; i < CATEGORY_MAX; i++) {
		set->cats[i].file = -1;
	}
	category_set_codebook(&set->catset);
}

void rules_set_free(struct rules_set *set)
{
	size_t i, j;

	if (!set)
		return;
	for (i = 0; i < set->n_entries; i++)
		free(set->entries[i].phrase);
	free(set->entries);
	for (i = 0; i < set->n_groups; i++)
		free(set->groups[i].name);
	free(set->groups);
	for (i = 0; i < set->n_rules; i++) {
		struct rules_rule *r = &set->rules[i];
		free(r->name);
		for (j = 0; j < r->n_need; j++)
			free(r->need_names[j]);
		for (j = 0; j < r->n_veto; j++)
			free(r->veto_names[j]);
	}
	free(set->rules);
	for (i = 0; i < set->n_files; i++) {
		free(set->files[i].name);
		free(set->files[i].version);
	}
	free(set->files);
	rules_set_init(set);
}

static void hash_bytes(uint64_t *h, const void *data, size_t len)
{
	const unsigned char *p = data;
	size_t i;

	for (i = 0; i < len; i++) {
		*h ^= p[i];
		*h *= 1099511628211ULL;
	}
}

/* The parse position: which file and line, for messages. */
struct pctx {
	struct rules_set *set; /* where statements go */
	const char *file;      /* file name for messages */
	int file_idx;          /* index in set->files */
	int line;              /* current line number */
	int cat;               /* current category or -1 */
	unsigned langs;        /* current language bits */
	char *err;             /* message buffer */
	size_t errlen;         /* its size */
};

static int perr(struct pctx *p, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static int perr(struct pctx *p, const char *fmt, ...)
{
	va_list ap;
	int n;

	n = snprintf(p->err, p->errlen, "%s:%d: ", p->file, p->line);
	if (n >= 0 && (size_t)n < p->errlen) {
		va_start(ap, fmt);
		vsnprintf(p->err + n, p->errlen - (size_t)n, fmt, ap);
		va_end(ap);
	}
	return -EINVAL;
}

static int grow(void **arr, size_t *cap, size_t n, size_t size)
{
	size_t nc;
	void *p;

	if (n < *cap)
		return 0;
	nc = *cap ? *cap * 2 : 32;
	p = realloc(*arr, nc * size);
	if (!p)
		return -ENOMEM;
	*arr = p;
	*cap = nc;
	return 0;
}

static const char *skip_blank(const char *s, const char *e)
{
	while (s < e && (*s == ' ' || *s == '\t'))
		s++;
	return s;
}

static const char *trim_end(const char *s, const char *e)
{
	while (e > s && (e[-1] == ' ' || e[-1] == '\t'))
		e--;
	return e;
}

static int is_name_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9') || c == '_' || c == '-';
}

/* Reads a name at *s; returns its length (0 when none). */
static size_t take_name(const char **s, const char *e)
{
	const char *st = *s;

	while (*s < e && is_name_char(**s))
		(*s)++;
	return (size_t)(*s - st);
}

/* Reads a blank-delimited number at *s. */
static int take_number(struct pctx *p, const char **s, const char *e,
                       const char *what, double *out)
{
	char tmp[64];
	const char *st = *s;
	size_t n;
	char *end;
	double v = 0;

	while (*s < e && **s != ' ' && **s != '\t' && **s != ':')
		(*s)++;
	n = (size_t)(*s - st);
	if (n == 0)
		return perr(p, "expected %s", what);
	if (n >= sizeof(tmp))
		return perr(p, "%s is too long", what);
	memcpy(tmp, st, n);
	tmp[n] = '\0';
	errno = 0;
	v = strtod(tmp, &end);
	if (*end || errno || !isfinite(v) || fabs(v) > 1000.0)
		return perr(p, "%s '%s' is not a number between -1000 and 1000",
		            what, tmp);
	*out = v;
	return 0;
}

static int take_uint(struct pctx *p, const char **s, const char *e,
                     const char *what, unsigned max, unsigned *out)
{
	const char *st = *s;
	unsigned long v = 0;

	while (*s < e && **s >= '0' && **s <= '9') {
		v = v * 10 + (unsigned long)(**s - '0');
		if (v > max)
			return perr(p, "%s is larger than %u", what, max);
		(*s)++;
	}
	if (*s == st)
		return perr(p, "expected %s (a whole number)", what);
	*out = (unsigned)v;
	return 0;
}

static int expect_colon(struct pctx *p, const char **s, const char *e,
                        const char *after)
{
	*s = skip_blank(*s, e);
	if (*s >= e || **s != ':')
		return perr(p, "expected ':' after %s", after);
	(*s)++;
	return 0;
}

static int add_entry(struct pctx *p, const char *ph, size_t n,
                     enum rules_kind kind, double weight, unsigned window,
                     int group)
{
	struct rules_set *set = p->set;
	struct rules_entry *en;
	unsigned wild = 0;
	size_t i;

	const char *core = ph;
	size_t cn = n;

	if (cn > 0 && core[0] == '*') {
		wild |= RULES_WILD_LEFT;
		core++;
		cn--;
	}
	if (cn > 0 && core[cn - 1] == '*') {
		wild |= RULES_WILD_RIGHT;
		cn--;
	}
	if (cn == 0 || core[0] == ' ' || core[0] == '\t' ||
	    core[cn - 1] == ' ' || core[cn - 1] == '\t')
		return perr(p, "empty phrase, or a blank between '*' and its "
		               "phrase");
	if (n > RULES_MAX_PHRASE)
		return perr(p, "phrase longer than %d bytes", RULES_MAX_PHRASE);
	for (i = 0; i < cn; i++)
		if (core[i] == '*')
			return perr(p, "'*' is allowed only at the start or "
			               "end of a phrase");
	if (set->n_entries >= RULES_MAX_ENTRIES)
		return perr(p, "too many phrases (limit %d)",
		            RULES_MAX_ENTRIES);
	if (grow((void **)&set->entries, &set->cap_entries, set->n_entries,
	         sizeof(*set->entries)) < 0)
		return -ENOMEM;
	en = &set->entries[set->n_entries];
	memset(en, 0, sizeof(*en));
	en->phrase = xstrndup(ph, n);
	if (!en->phrase)
		return -ENOMEM;
	en->wild = wild;
	en->kind = kind;
	en->weight = weight;
	en->window = window;
	en->category = kind == RULES_CUE || kind == RULES_REPORT ? -1 : p->cat;
	en->group = group;
	en->langs = p->langs;
	en->file = p->file_idx;
	en->line = p->line;
	set->n_entries++;
	return 0;
}

/* Adds every '|'-separated phrase of [s, e). */
static int add_phrases(struct pctx *p, const char *s, const char *e,
                       enum rules_kind kind, double weight, unsigned window,
                       int group)
{
	int r;

	s = skip_blank(s, e);
	if (s >= e)
		return perr(p, "expected at least one phrase");
	while (s <= e) {
		const char *bar = memchr(s, '|', (size_t)(e - s));
		const char *pe = bar ? bar : e;
		const char *ps = skip_blank(s, pe);

		pe = trim_end(ps, pe);
		r = add_entry(p, ps, (size_t)(pe - ps), kind, weight, window,
		              group);
		if (r < 0)
			return r;
		if (!bar)
			break;
		s = bar + 1;
	}
	return 0;
}

static int need_category(struct pctx *p, const char *kw)
{
	if (p->cat < 0)
		return perr(p, "'%s' before any 'category' line", kw);
	return 0;
}

static int st_version(struct pctx *p, const char *s, const char *e)
{
	struct rules_file *f = &p->set->files[p->file_idx];
	size_t i;

	if (f->version)
		return perr(p, "second 'version' line in this file");
	if (s >= e)
		return perr(p, "expected a version after 'version'");
	if (e - s > 32)
		return perr(p, "version longer than 32 characters");
	for (i = 0; i < (size_t)(e - s); i++)
		if (!is_name_char(s[i]) && s[i] != '.')
			return perr(p, "version may hold only letters, digits, "
			               "'.', '-' and '_'");
	f->version = xstrndup(s, (size_t)(e - s));
	return f->version ? 0 : -ENOMEM;
}

static int st_category(struct pctx *p, const char *s, const char *e)
{
	char key[CATEGORY_KEY_MAX + 1];
	size_t n = (size_t)(e - s);
	int c;

	if (n == 0)
		return perr(p, "expected a category key after 'category'");
	if (category_key_check(s, n) < 0)
		return perr(p,
		            "invalid category key '%.*s' (lowercase letters, "
		            "digits and '_', at most %d characters)",
		            (int)(n > 40 ? 40 : n), s, CATEGORY_KEY_MAX);
	memcpy(key, s, n);
	key[n] = '\0';
	c = category_set_add(&p->set->catset, key);
	if (c == -E2BIG)
		return perr(p,
		            "category '%s' is one too many: a rules folder "
		            "defines at most %d categories",
		            key, CATEGORY_MAX);
	if (c < 0)
		return perr(p, "invalid category key '%s'", key);
	p->cat = c;
	p->langs = RULES_LANG_ANY;
	return 0;
}

/* `name TEXT` and `description TEXT`: what reports call the current
 * category.  A name is set once; description lines add up. */
static int st_label_text(struct pctx *p, const char *kw, char *dst, size_t cap,
                         int append, const char *s, const char *e)
{
	size_t n = (size_t)(e - s), have = strlen(dst);
	int r;

	if ((r = need_category(p, kw)) < 0)
		return r;
	if (n == 0)
		return perr(p, "expected text after '%s'", kw);
	if (!append && have)
		return perr(p, "second '%s' line for category %s", kw,
		            p->set->catset.key[p->cat]);
	if (have + (have ? 1 : 0) + n >= cap)
		return perr(p, "%s of %s longer than %zu bytes", kw,
		            p->set->catset.key[p->cat], cap - 1);
	if (have)
		dst[have++] = ' ';
	memcpy(dst + have, s, n);
	dst[have + n] = '\0';
	return 0;
}

static int st_name(struct pctx *p, const char *s, const char *e)
{
	int c = p->cat < 0 ? 0 : p->cat;

	return st_label_text(p, "name", p->set->catset.name[c],
	                     sizeof(p->set->catset.name[c]), 0, s, e);
}

static int st_description(struct pctx *p, const char *s, const char *e)
{
	int c = p->cat < 0 ? 0 : p->cat;

	return st_label_text(p, "description", p->set->catset.description[c],
	                     sizeof(p->set->catset.description[c]), 1, s, e);
}

static int st_threshold(struct pctx *p, const char *s, const char *e)
{
	struct rules_category *c;
	double v = 0;
	int r;

	if ((r = need_category(p, "threshold")) < 0)
		return r;
	c = &p->set->cats[p->cat];
	if ((r = take_number(p, &s, e, "threshold", &v)) < 0)
		return r;
	if (skip_blank(s, e) != e)
		return perr(p, "unexpected text after the threshold");
	if (v <= 0)
		return perr(p, "threshold must be above 0");
	if (c->has_threshold)
		return perr(p, "threshold of %s already set at %s:%d",
		            p->set->catset.key[p->cat],
		            p->set->files[c->file].name, c->line);
	c->threshold = v;
	c->has_threshold = 1;
	c->file = p->file_idx;
	c->line = p->line;
	return 0;
}

static int st_lang(struct pctx *p, const char *s, const char *e)
{
	unsigned bits = 0;

	while ((s = skip_blank(s, e)) < e) {
		const char *st = s;
		unsigned b;

		while (s < e && *s != ' ' && *s != '\t' && *s != ',')
			s++;
		b = lang_code_bits(st, (size_t)(s - st));
		if (!b)
			return perr(p,
			            "unknown language '%.*s' (expected en, "
			            "es, fr, zh, ja or any)",
			            (int)(s - st), st);
		bits |= b;
		if (s < e && *s == ',')
			s++;
	}
	if (!bits)
		return perr(p, "expected language codes after 'lang'");
	p->langs = bits;
	return 0;
}

static int st_term(struct pctx *p, const char *s, const char *e)
{
	double w = 0;
	int r;

	if ((r = need_category(p, "term")) < 0)
		return r;
	if ((r = take_number(p, &s, e, "weight", &w)) < 0)
		return r;
	if (w == 0)
		return perr(p, "a term's weight must not be 0");
	return add_phrases(p, s, e, RULES_TERM, w, 0, -1);
}

static int find_group(const struct rules_set *set, const char *name, size_t n)
{
	size_t i;

	for (i = 0; i < set->n_groups; i++)
		if (strlen(set->groups[i].name) == n &&
		    memcmp(set->groups[i].name, name, n) == 0)
			return (int)i;
	return -1;
}

static int st_group(struct pctx *p, const char *s, const char *e)
{
	struct rules_set *set = p->set;
	const char *name = s;
	size_t n = take_name(&s, e);
	int g, r;

	if (n == 0)
		return perr(p, "expected a group name (letters, digits, '_')");
	if (n > RULES_MAX_NAME)
		return perr(p, "group name longer than %d", RULES_MAX_NAME);
	if ((r = expect_colon(p, &s, e, "the group name")) < 0)
		return r;
	g = find_group(set, name, n);
	if (g < 0) {
		if (set->n_groups >= RULES_MAX_GROUPS)
			return perr(p, "too many groups");
		if (grow((void **)&set->groups, &set->cap_groups, set->n_groups,
		         sizeof(*set->groups)) < 0)
			return -ENOMEM;
		g = (int)set->n_groups;
		set->groups[g].name = xstrndup(name, n);
		if (!set->groups[g].name)
			return -ENOMEM;
		set->groups[g].file = p->file_idx;
		set->groups[g].line = p->line;
		set->n_groups++;
	}
	return add_phrases(p, s, e, RULES_CUE, 0, 0, g);
}

static int st_negation(struct pctx *p, const char *s, const char *e)
{
	unsigned w = 0;
	int r;

	if ((r = need_category(p, "negation")) < 0)
		return r;
	if ((r = take_uint(p, &s, e, "negation reach", 1000, &w)) < 0)
		return r;
	if ((r = expect_colon(p, &s, e, "the reach")) < 0)
		return r;
	return add_phrases(p, s, e, RULES_NEGATION, 0, w, -1);
}

/* "report [before] N: phrases" — cues that open (or, with "before",
 * close) reported speech.  Like groups,
 * they belong to no category. */
static int st_report(struct pctx *p, const char *s, const char *e)
{
	unsigned w = 0;
	double dir = 1; /* the span follows the cue; -1: precedes it */
	int r;

	if ((size_t)(e - s) > 7 && memcmp(s, "before", 6) == 0 &&
	    (s[6] == ' ' || s[6] == '\t')) {
		dir = -1;
		s = skip_blank(s + 6, e);
	}
	if ((r = take_uint(p, &s, e, "report reach", 1000, &w)) < 0)
		return r;
	if (w == 0)
		return perr(p, "a report's reach must be above 0");
	if ((r = expect_colon(p, &s, e, "the reach")) < 0)
		return r;
	return add_phrases(p, s, e, RULES_REPORT, dir, w, -1);
}

static int st_rule(struct pctx *p, const char *s, const char *e)
{
	struct rules_set *set = p->set;
	struct rules_rule *ru;
	const char *name;
	size_t n, i;
	double w = 0;
	int r;

	if ((r = need_category(p, "rule")) < 0)
		return r;
	name = s;
	n = take_name(&s, e);
	if (n == 0 || n > RULES_MAX_NAME)
		return perr(p,
		            "expected a rule name (letters, digits, '_', "
		            "at most %d)",
		            RULES_MAX_NAME);
	for (i = 0; i < set->n_rules; i++)
		if (strlen(set->rules[i].name) == n &&
		    memcmp(set->rules[i].name, name, n) == 0)
			return perr(p, "rule '%.*s' already declared at %s:%d",
			            (int)n, name,
			            set->files[set->rules[i].file].name,
			            set->rules[i].line);
	s = skip_blank(s, e);
	if ((r = take_number(p, &s, e, "rule weight", &w)) < 0)
		return r;
	if (set->n_rules >= RULES_MAX_RULES)
		return perr(p, "too many rules");
	if (grow((void **)&set->rules, &set->cap_rules, set->n_rules,
	         sizeof(*set->rules)) < 0)
		return -ENOMEM;
	ru = &set->rules[set->n_rules];
	memset(ru, 0, sizeof(*ru));
	ru->name = xstrndup(name, n);
	if (!ru->name)
		return -ENOMEM;
	set->n_rules++; /* owned by the set from here, freed with it */
	ru->category = p->cat;
	ru->weight = w;
	ru->file = p->file_idx;
	ru->line = p->line;
	s = skip_blank(s, e);
	if ((size_t)(e - s) >= 8 && memcmp(s, "anywhere", 8) == 0) {
		ru->unit = RULES_UNIT_ANYWHERE;
		s += 8;
	} else if ((size_t)(e - s) >= 6 && memcmp(s, "within", 6) == 0) {
		s = skip_blank(s + 6, e);
		r = take_uint(p, &s, e, "window", RULES_MAX_WINDOW,
		              &ru->window);
		if (r < 0)
			return r;
		s = skip_blank(s, e);
		if ((size_t)(e - s) >= 5 && memcmp(s, "chars", 5) == 0) {
			ru->unit = RULES_UNIT_CHARS;
			s += 5;
		} else if ((size_t)(e - s) >= 5 && memcmp(s, "words", 5) == 0) {
			ru->unit = RULES_UNIT_WORDS;
			s += 5;
		} else if ((size_t)(e - s) >= 9 &&
		           memcmp(s, "sentences", 9) == 0) {
			ru->unit = RULES_UNIT_SENTENCES;
			s += 9;
		} else if ((size_t)(e - s) >= 8 &&
		           memcmp(s, "sentence", 8) == 0) {
			ru->unit = RULES_UNIT_SENTENCES;
			s += 8;
		} else {
			return perr(p, "expected 'chars', 'words' or "
			               "'sentences' after the window size");
		}
		if (ru->unit == RULES_UNIT_SENTENCES && ru->window == 0)
			return perr(p, "a window of 0 sentences holds nothing");
	} else {
		return perr(p, "expected 'within N chars', 'within N words', "
		               "'within N sentences' or 'anywhere' after the "
		               "rule weight");
	}
	if ((r = expect_colon(p, &s, e, "the window")) < 0)
		return r;
	for (;;) {
		int veto = 0;
		enum rules_scope scope = RULES_SCOPE_OWN;
		const char *gn;

		s = skip_blank(s, e);
		if (s < e && *s == '!') {
			veto = 1;
			s = skip_blank(s + 1, e);
		} else if (s < e && (*s == '~' || *s == '@')) {
			scope =
			    *s == '~' ? RULES_SCOPE_ANY : RULES_SCOPE_REPORTED;
			s = skip_blank(s + 1, e);
		}
		gn = s;
		n = take_name(&s, e);
		if (n == 0 || n > RULES_MAX_NAME)
			return perr(p, "expected a group name in the rule");
		if ((veto ? ru->n_veto : ru->n_need) >= RULES_MAX_RULE_GROUPS)
			return perr(p,
			            "a rule may name at most %d groups of "
			            "each kind",
			            RULES_MAX_RULE_GROUPS);
		if (veto) {
			ru->veto_names[ru->n_veto] = xstrndup(gn, n);
			if (!ru->veto_names[ru->n_veto++])
				return -ENOMEM;
		} else {
			ru->scope[ru->n_need] = scope;
			ru->need_names[ru->n_need] = xstrndup(gn, n);
			if (!ru->need_names[ru->n_need++])
				return -ENOMEM;
		}
		s = skip_blank(s, e);
		if (s >= e)
			break;
		if (*s != '+')
			return perr(p,
			            "expected '+' between the groups of a "
			            "rule, found '%c'",
			            *s);
		s++;
	}
	if (ru->n_need == 0)
		return perr(p, "a rule needs at least one group without '!'");
	return 0;
}

static int valid_utf8_line(const char *s, size_t n)
{
	size_t i = 0, adv;

	while (i < n) {
		unsigned char c = (unsigned char)s[i];
		uint32_t cp;

		if (c == 0 || (c < 0x20 && c != '\t') || c == 0x7F)
			return 0;
		cp = normalize_utf8_decode((const unsigned char *)s + i, n - i,
		                           &adv);
		if (cp == 0xFFFD && adv == 1 && c >= 0x80)
			return 0;
		i += adv;
	}
	return 1;
}

static int parse_line(struct pctx *p, const char *s, const char *e)
{
	static const struct {
		const char *kw;
		int (*fn)(struct pctx *, const char *, const char *);
	} kws[] = {{"version", st_version},
	           {"category", st_category},
	           {"threshold", st_threshold},
	           {"lang", st_lang},
	           {"term", st_term},
	           {"group", st_group},
	           {"rule", st_rule},
	           {"negation", st_negation},
	           {"report", st_report},
	           {"name", st_name},
	           {"description", st_description}};
	const char *kw = s;
	size_t n, i;

	while (s < e && *s != ' ' && *s != '\t')
		s++;
	n = (size_t)(s - kw);
	s = skip_blank(s, e);
	for (i = 0; i < ARRAY_SIZE(kws); i++)
		if (strlen(kws[i].kw) == n && memcmp(kws[i].kw, kw, n) == 0)
			return kws[i].fn(p, s, e);
	return perr(p,
	            "unknown keyword '%.*s' (expected version, category, "
	            "name, description, threshold, lang, term, group, rule, "
	            "negation or report)",
	            (int)(n > 40 ? 40 : n), kw);
}

int rules_parse_buffer(struct rules_set *set, const char *file, const char *buf,
                       size_t len, char *err, size_t errlen)
{
	struct pctx p = {set, file, -1, 0, -1, RULES_LANG_ANY, err, errlen};
	struct rules_file *f;
	const char *s = buf, *end = buf + len;
	int r;

	if (set->n_files >= RULES_MAX_FILES) {
		snprintf(err, errlen, "%s: too many rules files", file);
		return -EINVAL;
	}
	f = realloc(set->files, (set->n_files + 1) * sizeof(*f));
	if (!f)
		return -ENOMEM;
	set->files = f;
	f = &set->files[set->n_files];
	f->name = xstrdup(file);
	f->version = NULL;
	if (!f->name)
		return -ENOMEM;
	p.file_idx = (int)set->n_files++;
	hash_bytes(&set->hash, file, strlen(file) + 1);
	hash_bytes(&set->hash, buf, len);
	while (s < end) {
		const char *nl = memchr(s, '\n', (size_t)(end - s));
		const char *le = nl ? nl : end;
		const char *ls, *lt;

		p.line++;
		if (le > s && le[-1] == '\r')
			le--;
		if ((size_t)(le - s) > RULES_MAX_LINE)
			return perr(&p, "line longer than %d bytes",
			            RULES_MAX_LINE);
		if (!valid_utf8_line(s, (size_t)(le - s)))
			return perr(&p, "invalid UTF-8 or control character");
		ls = skip_blank(s, le);
		lt = trim_end(ls, le);
		if (p.line == 1 && lt - ls >= 3 &&
		    memcmp(ls, "\xEF\xBB\xBF", 3) == 0)
			ls += 3; /* a byte-order mark some editors add */
		if (ls < lt && *ls != '#') {
			r = parse_line(&p, ls, lt);
			if (r < 0)
				return r;
		}
		s = nl ? nl + 1 : end;
	}
	if (!set->files[p.file_idx].version) {
		p.line = 1;
		return perr(&p, "missing 'version' line (every rules file "
		                "declares its version)");
	}
	return 0;
}

int rules_finish(struct rules_set *set, char *err, size_t errlen)
{
	size_t i, j;
	int has_terms[CATEGORY_MAX] = {0};

	for (i = 0; i < set->n_rules; i++) {
		struct rules_rule *ru = &set->rules[i];

		has_terms[ru->category] = 1;
		for (j = 0; j < ru->n_need + ru->n_veto; j++) {
			int veto = j >= ru->n_need;
			const char *nm = veto ? ru->veto_names[j - ru->n_need]
			                      : ru->need_names[j];
			int g = find_group(set, nm, strlen(nm));

			if (g < 0) {
				snprintf(err, errlen,
				         "%s:%d: rule '%s' names group '%s', "
				         "which no file declares",
				         set->files[ru->file].name, ru->line,
				         ru->name, nm);
				return -EINVAL;
			}
			if (veto)
				ru->veto[j - ru->n_need] = g;
			else
				ru->need[j] = g;
		}
	}
	for (i = 0; i < set->n_entries; i++)
		if (set->entries[i].kind == RULES_TERM)
			has_terms[set->entries[i].category] = 1;
	for (i = 0; i < (size_t)set->catset.n; i++) {
		if (!has_terms[i] || set->cats[i].has_threshold)
			continue;
		/* Name the first line that gave the category content. */
		for (j = 0; j < set->n_entries; j++) {
			const struct rules_entry *en = &set->entries[j];
			if (en->kind == RULES_TERM && en->category == (int)i) {
				snprintf(err, errlen,
				         "%s:%d: category %s has terms but no "
				         "'threshold' line",
				         set->files[en->file].name, en->line,
				         set->catset.key[i]);
				return -EINVAL;
			}
		}
		for (j = 0; j < set->n_rules; j++) {
			const struct rules_rule *ru = &set->rules[j];
			if (ru->category == (int)i) {
				snprintf(err, errlen,
				         "%s:%d: category %s has rules but no "
				         "'threshold' line",
				         set->files[ru->file].name, ru->line,
				         set->catset.key[i]);
				return -EINVAL;
			}
		}
	}
	return 0;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int rules_load_dir(struct rules_set *set, const char *dir, char *err,
                   size_t errlen)
{
	DIR *d;
	struct dirent *de;
	char **names = NULL;
	size_t n = 0, cap = 0, i;
	int r = 0;

	d = opendir(dir);
	if (!d) {
		r = -errno;
		snprintf(err, errlen, "%s: cannot open rules folder: %s", dir,
		         strerror(errno));
		return r;
	}
	while ((de = readdir(d))) {
		size_t l = strlen(de->d_name);

		if (de->d_name[0] == '.' || l < 7 ||
		    strcmp(de->d_name + l - 6, ".rules") != 0)
			continue;
		if (n >= RULES_MAX_FILES) {
			snprintf(err, errlen, "%s: more than %d rules files",
			         dir, RULES_MAX_FILES);
			r = -EINVAL;
			goto out_names;
		}
		if (grow((void **)&names, &cap, n, sizeof(*names)) < 0) {
			r = -ENOMEM;
			goto out_names;
		}
		names[n] = xstrdup(de->d_name);
		if (!names[n]) {
			r = -ENOMEM;
			goto out_names;
		}
		n++;
	}
	if (n == 0) {
		snprintf(err, errlen, "%s: no *.rules files", dir);
		r = -ENOENT;
		goto out_names;
	}
	qsort(names, n, sizeof(*names), cmp_str);
	for (i = 0; i < n; i++) {
		struct buf path = {0};
		char *data;
		size_t len;

		if (buf_printf(&path, "%s/%s", dir, names[i]) < 0) {
			r = -ENOMEM;
			goto out_names;
		}
		r = util_read_file(path.data, RULES_MAX_FILE_BYTES, &data,
		                   &len);
		if (r < 0) {
			snprintf(err, errlen, "%s: cannot read: %s", path.data,
			         strerror(-r));
			buf_free(&path);
			goto out_names;
		}
		r = rules_parse_buffer(set, path.data, data, len, err, errlen);
		free(data);
		buf_free(&path);
		if (r < 0)
			goto out_names;
	}
	r = rules_finish(set, err, errlen);
out_names:
	for (i = 0; i < n; i++)
		free(names[i]);
	free(names);
	closedir(d);
	return r;
}
