/*
 * config_narrative.c — the [narrative "KEY"] sections and the alert keys
 * of [report].  A narrative is a claim stated by any of its terms
 * ("terms = US Army | 美军 | Fort Detrick"); the daemon matches every post
 * against the narratives as it stores it.  Here the sections are read and
 * checked: a narrative without terms, an empty term between two '|', an
 * unknown category or alert is an error of the line that holds it.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "config_int.h"
#include "sha256.h"
#include "util.h"

/* The keys of classify/category.h (tests/unit/test_config.c checks that
 * the two lists agree). */
static const char *const known_categories[] = {
    "blame_rebuttal", "western_failure", "economic_coercion",
    "origin_narrative"};

int config_category_known(const char *key)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(known_categories); i++)
		if (strcmp(key, known_categories[i]) == 0)
			return 1;
	return 0;
}

const char *config_alert_name(enum config_alert alert)
{
	switch (alert) {
	case CONFIG_ALERT_FIRST:
		return "first";
	case CONFIG_ALERT_SPIKE:
		return "spike";
	default:
		return "off";
	}
}

static int alert_from_name(const char *s, enum config_alert *out)
{
	if (strcmp(s, "first") == 0)
		*out = CONFIG_ALERT_FIRST;
	else if (strcmp(s, "spike") == 0)
		*out = CONFIG_ALERT_SPIKE;
	else if (strcmp(s, "off") == 0)
		*out = CONFIG_ALERT_OFF;
	else
		return -EINVAL;
	return 0;
}

static struct config_narrative *grow_narratives(struct parser *p)
{
	struct config *cfg = p->cfg;

	if (cfg->n_narratives == p->cap_narratives) {
		size_t cap = p->cap_narratives ? p->cap_narratives * 2 : 8;
		struct config_narrative *g;
		struct account_info *gi;

		g = realloc(cfg->narratives, cap * sizeof(*g));
		if (!g)
			return NULL;
		cfg->narratives = g;
		gi = realloc(p->ninfo, cap * sizeof(*gi));
		if (!gi)
			return NULL;
		p->ninfo = gi;
		p->cap_narratives = cap;
	}
	memset(&p->ninfo[cfg->n_narratives], 0, sizeof(p->ninfo[0]));
	return &cfg->narratives[cfg->n_narratives];
}

void config_begin_narrative(struct parser *p, const char *s, size_t n)
{
	struct config_narrative *nv;
	const char *q;
	size_t klen, i;

	while (n > 0 && config_is_space(*s)) {
		s++;
		n--;
	}
	if (n == 0 || *s != '"' || !(q = memchr(s + 1, '"', n - 1))) {
		error(p, p->line,
		      "a narrative needs a quoted key: [narrative \"key\"]");
		return;
	}
	klen = (size_t)(q - s - 1);
	for (i = (size_t)(q - s) + 1; i < n; i++)
		if (!config_is_space(s[i])) {
			error(p, p->line,
			      "unexpected text after the narrative key's "
			      "closing quote");
			return;
		}
	for (i = 0; i < klen; i++)
		if (!config_is_alnum((unsigned char)s[1 + i]) &&
		    !strchr("_-.", s[1 + i]))
			break;
	if (klen == 0 || i < klen || klen > MAX_KEY_LEN) {
		error(p, p->line,
		      "bad narrative key: use 1 to %d letters, digits, '_', "
		      "'-' or '.'",
		      MAX_KEY_LEN);
		return;
	}
	if (p->cfg->n_narratives >= MAX_NARRATIVES) {
		error(p, p->line, "too many narratives (limit %d)",
		      MAX_NARRATIVES);
		return;
	}
	nv = grow_narratives(p);
	if (!nv) {
		config_oom(p);
		return;
	}
	memset(nv, 0, sizeof(*nv));
	nv->key = xstrndup(s + 1, klen);
	if (!nv->key) {
		config_oom(p);
		return;
	}
	nv->line = p->line;
	p->cfg->n_narratives++;
	p->sec = SEC_NARRATIVE;
}

/* Trims ASCII whitespace off [*s, *e). */
static void trim(const char **s, const char **e)
{
	while (*s < *e && config_is_space(**s))
		(*s)++;
	while (*e > *s && config_is_space((*e)[-1]))
		(*e)--;
}

/* "A | B | C": every term non-empty, printable, at most MAX_TERM_LEN. */
static void set_terms(struct parser *p, struct config_narrative *nv,
                      const char *v)
{
	const char *s = v, *bar, *e;
	size_t n = 0;
	char **terms;

	nv->terms_line = p->line; /* set, even if wrongly: no second error */
	for (e = v; *e; e++)
		if ((unsigned char)*e < 0x20 || *e == 0x7f) {
			error(p, p->line,
			      "terms: control characters are not allowed");
			return;
		}
	for (e = v, n = 1; *e; e++)
		n += *e == '|';
	if (n > MAX_TERMS) {
		error(p, p->line, "terms: too many (limit %d)", MAX_TERMS);
		return;
	}
	terms = calloc(n, sizeof(*terms));
	if (!terms) {
		config_oom(p);
		return;
	}
	for (n = 0;; s = bar + 1) {
		bar = strchr(s, '|');
		e = bar ? bar : s + strlen(s);
		trim(&s, &e);
		if (s == e) {
			error(p, p->line,
			      "terms: empty term (write 'A | B | C', one "
			      "phrase between each '|')");
			goto out_free_terms;
		}
		if ((size_t)(e - s) > MAX_TERM_LEN) {
			error(p, p->line, "terms: a term is over %d bytes",
			      MAX_TERM_LEN);
			goto out_free_terms;
		}
		terms[n] = xstrndup(s, (size_t)(e - s));
		if (!terms[n++]) {
			config_oom(p);
			goto out_free_terms;
		}
		if (!bar)
			break;
	}
	nv->terms = terms;
	nv->n_terms = n;
	return;
out_free_terms:
	while (n > 0)
		free(terms[--n]);
	free(terms);
}

/* "origin_narrative:first, western_failure:spike"; a bare category
 * alerts on first use. */
static void add_alert_categories(struct parser *p, const char *v)
{
	struct config_report *r = &p->cfg->report;
	const char *s = v, *comma, *e, *colon;

	for (;; s = comma + 1) {
		struct config_alert_category *g;
		enum config_alert a = CONFIG_ALERT_FIRST;
		char *cat;

		comma = strchr(s, ',');
		e = comma ? comma : s + strlen(s);
		trim(&s, &e);
		colon = memchr(s, ':', (size_t)(e - s));
		cat = xstrndup(s, (size_t)((colon ? colon : e) - s));
		if (!cat) {
			config_oom(p);
			return;
		}
		if (colon) {
			char *mode =
			    xstrndup(colon + 1, (size_t)(e - colon - 1));
			int bad = !mode || alert_from_name(mode, &a) < 0 ||
			          a == CONFIG_ALERT_OFF;

			if (bad && mode)
				config_error_value(
				    p, p->line, "alert_categories: bad alert ",
				    mode,
				    ": use CATEGORY:first or "
				    "CATEGORY:spike");
			free(mode);
			if (bad) {
				free(cat);
				return;
			}
		}
		if (!config_category_known(cat)) {
			config_error_value(
			    p, p->line, "alert_categories: unknown category ",
			    cat,
			    ": use blame_rebuttal, "
			    "western_failure, economic_coercion "
			    "or origin_narrative");
			free(cat);
			return;
		}
		g = realloc(r->alert_categories,
		            (r->n_alert_categories + 1) * sizeof(*g));
		if (!g) {
			free(cat);
			config_oom(p);
			return;
		}
		r->alert_categories = g;
		g[r->n_alert_categories].category = cat;
		g[r->n_alert_categories++].alert = a;
		if (!comma)
			return;
	}
}

void config_narrative_value(struct parser *p, const struct key_spec *k,
                            void *base, char *field, const char *v)
{
	char *end;
	double d;

	switch (k->kind) {
	case K_TERMS:
		set_terms(p, base, v);
		return;
	case K_CATEGORY:
		if (!config_category_known(v)) {
			config_error_value(p, p->line, "unknown category ", v,
			                   ": use blame_rebuttal, "
			                   "western_failure, economic_coercion "
			                   "or origin_narrative");
			return;
		}
		free(*(char **)field);
		*(char **)field = xstrdup(v);
		if (!*(char **)field)
			config_oom(p);
		return;
	case K_ALERT:
		if (alert_from_name(v, (enum config_alert *)field) < 0)
			config_error_value(p, p->line, "bad alert ", v,
			                   ": use first, spike or off");
		return;
	case K_ALERT_CATS:
		add_alert_categories(p, v);
		return;
	default: /* K_FACTOR */
		errno = 0;
		d = strtod(v, &end);
		if (end == v || *end || errno || !(d >= (double)k->min) ||
		    !(d <= (double)k->max)) {
			config_error_value(p, p->line, "bad number ", v,
			                   " for '%s': expected %lld to %lld",
			                   k->name, (long long)k->min,
			                   (long long)k->max);
			return;
		}
		memcpy(field, &d, sizeof(d));
		return;
	}
}

void config_check_narratives(struct parser *p)
{
	struct config *cfg = p->cfg;
	size_t i, j;

	for (i = 0; i < cfg->n_narratives; i++) {
		struct config_narrative *nv = &cfg->narratives[i];

		if (nv->n_terms == 0 && !nv->terms_line)
			config_error_value(p, nv->line, "narrative ", nv->key,
			                   " has no terms: add terms = A | B");
		for (j = 0; j < i; j++)
			if (strcmp(cfg->narratives[j].key, nv->key) == 0) {
				config_error_value(
				    p, nv->line, "duplicate narrative ",
				    nv->key, ": also defined on line %d",
				    cfg->narratives[j].line);
				break;
			}
	}
}

void config_free_narratives(struct config *cfg)
{
	size_t i, j;

	for (i = 0; i < cfg->n_narratives; i++) {
		struct config_narrative *nv = &cfg->narratives[i];

		for (j = 0; j < nv->n_terms; j++)
			free(nv->terms[j]);
		free(nv->terms);
		free(nv->key);
		free(nv->name);
		free(nv->category);
	}
	free(cfg->narratives);
	for (i = 0; i < cfg->report.n_alert_categories; i++)
		free(cfg->report.alert_categories[i].category);
	free(cfg->report.alert_categories);
}

int config_narrative_definition(const struct config_narrative *n, char **json,
                                char hash[65])
{
	json_t *o = json_object(), *terms = json_array();
	size_t i;
	int rc = -ENOMEM;

	*json = NULL;
	if (!o || !terms)
		goto out_decref;
	for (i = 0; i < n->n_terms; i++)
		if (json_array_append_new(terms, json_string(n->terms[i])) < 0)
			goto out_decref;
	if (json_object_set(o, "terms", terms) < 0 ||
	    json_object_set_new(o, "category",
	                        n->category ? json_string(n->category)
	                                    : json_null()) < 0)
		goto out_decref;
	*json = json_dumps(o, JSON_COMPACT);
	if (*json) {
		sha256_hex(*json, strlen(*json), hash);
		rc = 0;
	}
out_decref:
	json_decref(terms);
	json_decref(o);
	return rc;
}
