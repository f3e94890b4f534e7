/*
 * classify.c — scores a post against the compiled lexicons.  Loading turns
 * the parsed rule set (rules.c) into one Aho-Corasick automaton over the
 * folded form of every phrase (normalize.c, ac.c).  Classifying folds the
 * post the same way, scans it once, and then per category:
 *   - each distinct term counts once, with its weight (negative weights
 *     count against); a term inside a longer term of the same category
 *     yields to it; a term with a negation cue of its category just before
 *     it does not count;
 *   - each co-occurrence rule adds its weight when cues of all its groups
 *     fall within its window and no cue of a '!' group is in the post;
 *   - the category is assigned when the score reaches its threshold.
 * Evidence offsets are mapped back to code points of the caller's text.
 *
 * With a trained model attached (model.c), each category's decision blends
 * both: combined = (1 - w) * score / threshold + w * p / model threshold,
 * assigned when combined >= 1.  Each half is 1 exactly at its own decision
 * point, so the weight w says how far one may make up for the other; w = 0
 * is the rules alone, w = 1 the model alone.
 *
 * Speed: the working buffers of a classification (folded text, matches,
 * group bits, rule items) live in a scratch area kept with the rules and
 * reused from post to post, so a post costs no allocation but its result.
 * The rules stay shareable between threads: a caller that finds the
 * scratch taken (an atomic flag) works with buffers of its own.
 */
#include "classify.h"

#include <errno.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "ac.h"
#include "model.h"
#include "narrative_match.h"
#include "normalize.h"
#include "rules.h"
#include "util.h"

/* At most this many phrase occurrences are considered per post. */
#define CLASSIFY_MAX_MATCHES 20000

/* Scratch buffers a retained scratch may keep between posts; larger
 * ones (a huge post) are given back after use. */
#define CLASSIFY_KEEP_CP 65536

/* One phrase occurrence in the folded post. */
struct match {
	uint32_t entry; /* index into the rule set's entries */
	uint32_t b0;    /* byte range in the folded text */
	uint32_t b1;
	uint32_t c0; /* code point range in the folded text */
	uint32_t c1;
	uint32_t rep; /* starts inside reported speech */
};

/* A cue occurrence tagged with the slot of the rule group it serves. */
struct item {
	const struct match *m; /* the occurrence */
	size_t slot;           /* index into the rule's need[] */
};

/* Evidence under construction: folded code point range. */
struct ev {
	const char *term; /* borrowed phrase or rule name */
	int is_rule;      /* term is a rule name */
	uint32_t c0;      /* folded range */
	uint32_t c1;
};

struct evlist {
	struct ev *v; /* items */
	size_t n;     /* used */
	size_t cap;   /* allocated */
};

/* The working buffers of one classification. */
struct scratch {
	atomic_flag busy;         /* a classification is using it */
	struct normalize_text nt; /* the folded post */
	struct match *m;          /* occurrences found */
	size_t cap_m;             /* allocated entries of m */
	struct item *items;       /* one rule's cue occurrences */
	size_t cap_items;         /* allocated entries of items */
	unsigned char *groups;    /* bit set of groups with a match */
	struct evlist ev;         /* evidence of the current category */
	uint32_t *bounds;         /* code points that end a sentence */
	size_t n_bounds;          /* used entries of bounds */
	size_t cap_bounds;        /* allocated entries of bounds */
	int bounds_ready;         /* bounds hold this post's (found lazily:
	                             most posts need none) */
};

struct classify_rules {
	struct rules_set set;    /* the parsed lexicons */
	struct normalize *norm;  /* folding context (t2s table) */
	struct ac *ac;           /* every phrase; pattern id = entry index */
	char *version;           /* declared versions + content hash */
	struct scratch *scratch; /* reused buffers (mutable cache) */
	size_t group_bytes;      /* bytes of a group bit set */
	struct model *model;     /* attached model, or NULL */
	struct narrative_matcher *narr; /* attached narratives, or NULL */
	uint32_t narr_base;             /* id of their first pattern */
	double model_weight;            /* its weight w in the blend */
	char *rules_version;            /* version of the rules alone */
	int has_reports;                /* the set declares report cues */
	int has_sentences; /* some rule counts its window in sentences */
};

static void scratch_free_buffers(struct scratch *S)
{
	normalize_text_free(&S->nt);
	free(S->m);
	free(S->items);
	free(S->groups);
	free(S->ev.v);
	free(S->bounds);
	S->bounds = NULL;
	S->n_bounds = S->cap_bounds = 0;
	S->m = NULL;
	S->items = NULL;
	S->groups = NULL;
	S->ev.v = NULL;
	S->cap_m = S->cap_items = S->ev.cap = S->ev.n = 0;
}

const char *classify_rules_version(const struct classify_rules *rules)
{
	return rules->version;
}

void classify_rules_free(struct classify_rules *rules)
{
	if (!rules)
		return;
	if (rules->scratch) {
		scratch_free_buffers(rules->scratch);
		free(rules->scratch);
	}
	ac_free(rules->ac);
	normalize_close(rules->norm);
	rules_set_free(&rules->set);
	free(rules->version);
	free(rules->rules_version);
	model_free(rules->model);
	free(rules);
}

const struct category_set *
classify_rules_categories(const struct classify_rules *rules)
{
	return &rules->set.catset;
}

static int build_version(struct classify_rules *R)
{
	struct buf b = {0};
	size_t i, j;
	uint64_t h = R->set.hash;

	for (i = 0; i < R->set.n_files; i++) {
		const char *v = R->set.files[i].version;
		int dup = 0;

		for (j = 0; j < i; j++)
			if (strcmp(R->set.files[j].version, v) == 0)
				dup = 1;
		if (dup)
			continue;
		if ((b.len && buf_putc(&b, ',') < 0) || buf_puts(&b, v) < 0)
			goto out_oom;
	}
	if (buf_printf(&b, "+%08x", (unsigned)((h >> 32) ^ h)) < 0)
		goto out_oom;
	R->version = buf_steal(&b);
	return R->version ? 0 : -ENOMEM;
out_oom:
	buf_free(&b);
	return -ENOMEM;
}

/* Folds every phrase and puts it into the automaton. */
static int compile(struct classify_rules *R, char *err, size_t errlen)
{
	struct ac_builder *b = ac_builder_new();
	struct normalize_text nt = {0};
	size_t i;
	int r = -ENOMEM;

	if (!b) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	for (i = 0; i < R->set.n_entries; i++) {
		const struct rules_entry *en = &R->set.entries[i];
		unsigned flags = 0;

		const char *ph = en->phrase;
		size_t plen = strlen(ph);

		/* Fold the phrase without its '*' markers. */
		if (en->wild & RULES_WILD_LEFT) {
			ph++;
			plen--;
		}
		if (en->wild & RULES_WILD_RIGHT)
			plen--;
		r = normalize_run(R->norm, ph, plen, &nt);
		if (r < 0) {
			snprintf(err, errlen, "out of memory");
			goto out_free_builder;
		}
		if (nt.len == 0 || nt.len > AC_MAX_PATTERN_LEN) {
			snprintf(err, errlen,
			         "%s:%d: phrase '%s' is empty once folded",
			         R->set.files[en->file].name, en->line,
			         en->phrase);
			r = -EINVAL;
			goto out_free_builder;
		}
		if (!(en->wild & RULES_WILD_LEFT) &&
		    normalize_is_word_cp(nt.cps[0]))
			flags |= AC_BOUND_LEFT;
		if (!(en->wild & RULES_WILD_RIGHT) &&
		    normalize_is_word_cp(nt.cps[nt.n_cp - 1]))
			flags |= AC_BOUND_RIGHT;
		r = ac_builder_add(b, nt.text, nt.len, flags);
		if (r < 0) {
			snprintf(err, errlen, "%s:%d: cannot add phrase '%s'",
			         R->set.files[en->file].name, en->line,
			         en->phrase);
			goto out_free_builder;
		}
	}
	/* The narratives' terms share the automaton: one scan a post. */
	if (R->narr && narrative_matcher_count(R->narr) > 0) {
		r = narrative_matcher_add_patterns(R->narr, b, err, errlen);
		if (r < 0)
			goto out_free_builder;
		R->narr_base = (uint32_t)r;
	} else {
		R->narr_base = UINT32_MAX; /* no narrative: no id is theirs */
	}
	r = ac_compile(b, &R->ac);
	if (r < 0)
		snprintf(err, errlen, "out of memory");
out_free_builder:
	normalize_text_free(&nt);
	ac_builder_free(b);
	return r;
}

int classify_rules_attach_model(struct classify_rules *rules,
                                struct model *model, double weight, char *err,
                                size_t errlen)
{
	struct buf b = {0};
	char *base =
	    rules->rules_version ? rules->rules_version : rules->version;

	if (!(weight >= 0 && weight <= 1)) {
		snprintf(err, errlen, "model weight %g is not within [0, 1]",
		         weight);
		return -EINVAL;
	}
	/* The model speaks for the categories it was trained on; the
	 * rules' others stay theirs alone (model.h). */
	if (model_bind(model, &rules->set.catset) == 0) {
		snprintf(err, errlen,
		         "the model knows none of the rules' categories (it "
		         "was trained on %s%s)",
		         model_category_key(model, 0),
		         model_category_count(model) > 1 ? ", ..." : "");
		return -EINVAL;
	}
	if (buf_printf(&b, "%s;model=%s;w=%g", base, model_version(model),
	               weight) < 0) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	if (!rules->rules_version)
		rules->rules_version = rules->version;
	else
		free(rules->version);
	rules->version = buf_steal(&b);
	model_free(rules->model);
	rules->model = model;
	rules->model_weight = weight;
	return 0;
}

const struct model *classify_rules_model(const struct classify_rules *rules)
{
	return rules->model;
}

double classify_rules_model_weight(const struct classify_rules *rules)
{
	return rules->model ? rules->model_weight : 0.0;
}

int classify_rules_load(const char *dir, struct classify_rules **out, char *err,
                        size_t errlen)
{
	struct classify_rules *R;
	int r;

	*out = NULL;
	R = calloc(1, sizeof(*R));
	if (!R) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	rules_set_init(&R->set);
	r = rules_load_dir(&R->set, dir, err, errlen);
	if (r < 0)
		goto out_free_rules;
	r = normalize_open(1, &R->norm, err, errlen);
	if (r < 0)
		goto out_free_rules;
	r = compile(R, err, errlen);
	if (r < 0)
		goto out_free_rules;
	r = build_version(R);
	if (r < 0) {
		snprintf(err, errlen, "out of memory");
		goto out_free_rules;
	}
	R->group_bytes = R->set.n_groups / 8 + 1;
	for (size_t i = 0; i < R->set.n_entries; i++)
		if (R->set.entries[i].kind == RULES_REPORT)
			R->has_reports = 1;
	for (size_t i = 0; i < R->set.n_rules; i++)
		if (R->set.rules[i].unit == RULES_UNIT_SENTENCES)
			R->has_sentences = 1;
	R->scratch = calloc(1, sizeof(*R->scratch));
	if (!R->scratch) {
		snprintf(err, errlen, "out of memory");
		r = -ENOMEM;
		goto out_free_rules;
	}
	atomic_flag_clear(&R->scratch->busy);
	*out = R;
	return 0;
out_free_rules:
	classify_rules_free(R);
	return r;
}

struct scan {
	const struct classify_rules *R; /* the rules */
	unsigned langs;                 /* the post's language bits */
	struct scratch *S;              /* buffers: matches, group bits */
	struct match *m;                /* == S->m, after the scan */
	size_t n;                       /* occurrences found */
	int oom;                        /* allocation failed */
	unsigned char *groups;          /* == S->groups */
};

static int on_match(void *ctx, uint32_t id, size_t start, size_t end)
{
	struct scan *sc = ctx;

	struct scratch *S = sc->S;

	if (sc->R->narr && id >= sc->R->narr_base) {
		narrative_matcher_note(sc->R->narr, id - sc->R->narr_base);
		return 0;
	}
	if (!(sc->R->set.entries[id].langs & sc->langs))
		return 0;
	if (sc->n >= CLASSIFY_MAX_MATCHES)
		return 1;
	if (sc->n == S->cap_m) {
		size_t cap = S->cap_m ? S->cap_m * 2 : 64;
		struct match *p = realloc(S->m, cap * sizeof(*p));

		if (!p) {
			sc->oom = 1;
			return 1;
		}
		S->m = p;
		S->cap_m = cap;
		sc->m = p;
	}
	if (sc->R->set.entries[id].kind == RULES_CUE) {
		int g = sc->R->set.entries[id].group;
		sc->groups[g / 8] |= (unsigned char)(1u << (g % 8));
	}
	sc->m[sc->n].entry = id;
	sc->m[sc->n].b0 = (uint32_t)start;
	sc->m[sc->n].b1 = (uint32_t)end;
	sc->m[sc->n].rep = 0;
	sc->n++;
	return 0;
}

static int ev_add(struct evlist *l, const char *term, int is_rule, uint32_t c0,
                  uint32_t c1)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		if (l->v[i].term == term && l->v[i].c0 == c0)
			return 0;
	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 8;
		struct ev *p = realloc(l->v, cap * sizeof(*p));
		if (!p)
			return -ENOMEM;
		l->v = p;
		l->cap = cap;
	}
	l->v[l->n].term = term;
	l->v[l->n].is_rule = is_rule;
	l->v[l->n].c0 = c0;
	l->v[l->n].c1 = c1;
	l->n++;
	return 0;
}

static int term_negated(const struct classify_rules *R, const struct scan *sc,
                        const struct match *t, int cat)
{
	size_t i;

	for (i = 0; i < sc->n; i++) {
		const struct match *m = &sc->m[i];
		const struct rules_entry *en = &R->set.entries[m->entry];

		if (en->kind != RULES_NEGATION || en->category != cat)
			continue;
		if (m->c1 <= t->c0 && t->c0 - m->c1 <= en->window)
			return 1;
	}
	return 0;
}

static int term_shadowed(const struct classify_rules *R, const struct scan *sc,
                         const struct match *t, int cat)
{
	size_t i;

	for (i = 0; i < sc->n; i++) {
		const struct match *m = &sc->m[i];
		const struct rules_entry *en = &R->set.entries[m->entry];

		if (en->kind != RULES_TERM || en->category != cat || m == t)
			continue;
		if (m->b0 <= t->b0 && m->b1 >= t->b1 &&
		    m->b1 - m->b0 > t->b1 - t->b0)
			return 1;
	}
	return 0;
}

/* Blank-separated words that [c0, c1) of the folded text spans. */
static unsigned words_spanned(const struct normalize_text *nt, uint32_t c0,
                              uint32_t c1)
{
	unsigned w = 1;
	uint32_t i;

	for (i = c0; i < c1 && i < nt->n_cp; i++)
		if (nt->cps[i] == ' ')
			w++;
	return w;
}

/* Whether code point i of the folded text ends a sentence (the unit of
 * `within N sentences`) or, with `clause`, also a clause of Chinese or
 * Japanese text (a comma after a CJK character: where reported speech
 * ends).  A full stop counts when a blank (or the end) follows and a word
 * of two letters or more precedes it, so "u.s." and "3.5" do not cut a
 * sentence; nor does the end of a dotted abbreviation ("ee.uu.").  A
 * quotation or bracket closed right before the stop ('"a miracle".')
 * does not hide the end. */
static int is_cjk(uint32_t c)
{
	return c >= 0x2E80 && c <= 0x9FFF;
}

/* Whether the word that ends at the full stop i is itself preceded by a
 * full stop: the last part of a dotted abbreviation ("ee.uu.", the
 * Spanish "EE.UU."), which does not end a sentence. */
static int dotted_word(const uint32_t *cps, size_t i)
{
	size_t k = i;

	while (k > 0 && normalize_is_word_cp(cps[k - 1]))
		k--;
	return k > 0 && cps[k - 1] == '.';
}

static int ends_sentence(const uint32_t *cps, size_t n, size_t i, int clause)
{
	uint32_t c = cps[i];

	switch (c) {
	case '!':
	case '?':
	case ';':
	case 0x3002: /* 。 */
	case 0xFF61: /* ｡ */
	case 0x2026: /* … */
		return 1;
	case ',':
		return clause && i > 0 && is_cjk(cps[i - 1]);
	case '.':
		if (i + 1 < n && cps[i + 1] != ' ' && cps[i + 1] != '"' &&
		    cps[i + 1] != '\'' && cps[i + 1] != ')')
			return 0;
		if (i >= 3 && (cps[i - 1] == '"' || cps[i - 1] == '\'' ||
		               cps[i - 1] == ')'))
			i--; /* a quotation or bracket closed before it */
		return i >= 2 && normalize_is_word_cp(cps[i - 1]) &&
		       normalize_is_word_cp(cps[i - 2]) && !dotted_word(cps, i);
	default:
		return 0;
	}
}

/* Fills S->bounds with the sentence ends of the folded text. */
static int find_bounds(struct scratch *S, const struct normalize_text *nt)
{
	size_t i;

	S->n_bounds = 0;
	for (i = 0; i < nt->n_cp; i++) {
		if (!ends_sentence(nt->cps, nt->n_cp, i, 0))
			continue;
		if (S->n_bounds == S->cap_bounds) {
			size_t cap = S->cap_bounds ? S->cap_bounds * 2 : 32;
			uint32_t *p = realloc(S->bounds, cap * sizeof(*p));

			if (!p)
				return -ENOMEM;
			S->bounds = p;
			S->cap_bounds = cap;
		}
		S->bounds[S->n_bounds++] = (uint32_t)i;
	}
	return 0;
}

/* Index of the sentence that holds code point c: the count of sentence
 * ends before it. */
static size_t sentence_of(const struct scratch *S, uint32_t c)
{
	size_t lo = 0, hi = S->n_bounds;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (S->bounds[mid] < c)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static uint32_t closing_quote(uint32_t c)
{
	switch (c) {
	case '"':
		return '"';
	case 0x300C: /* 「 */
		return 0x300D;
	case 0x300E: /* 『 */
		return 0x300F;
	case 0x00AB: /* « */
		return 0x00BB;
	default:
		return 0;
	}
}

/* Marks the occurrences that start inside reported speech.  A report cue
 * opens a span after it (or, written `report before`, closes one before
 * it) reaching to the end of the sentence or clause, at most the cue's
 * reach; a quotation right after the cue (所谓“…”, so-called "…") is the
 * whole span. */
static void mark_reported(const struct classify_rules *R, struct scan *sc,
                          const struct normalize_text *nt)
{
	size_t i, j;

	for (i = 0; i < sc->n; i++) {
		const struct match *m = &sc->m[i];
		const struct rules_entry *en = &R->set.entries[m->entry];
		uint32_t a, b, k, q;

		if (en->kind != RULES_REPORT)
			continue;
		if (en->weight < 0) {
			a = m->c0 > en->window ? m->c0 - en->window : 0;
			for (k = m->c0; k > a; k--)
				if (ends_sentence(nt->cps, nt->n_cp, k - 1, 1))
					break;
			a = k;
			b = m->c0;
		} else {
			a = m->c1;
			while (a < nt->n_cp && nt->cps[a] == ' ')
				a++;
			b = a + en->window < nt->n_cp ? a + en->window
			                              : (uint32_t)nt->n_cp;
			q = a < nt->n_cp ? closing_quote(nt->cps[a]) : 0;
			for (k = a + (q ? 1 : 0); k < b; k++) {
				if (q ? nt->cps[k] == q
				      : ends_sentence(nt->cps, nt->n_cp, k, 1))
					break;
			}
			b = q && k < b ? k + 1 : k;
		}
		for (j = 0; j < sc->n; j++)
			if (sc->m[j].c0 >= a && sc->m[j].c0 < b && j != i)
				sc->m[j].rep = 1;
	}
}

static int cmp_item(const void *a, const void *b)
{
	const struct item *x = a, *y = b;

	if (x->m->c0 != y->m->c0)
		return x->m->c0 < y->m->c0 ? -1 : 1;
	return x->m->c1 < y->m->c1 ? -1 : x->m->c1 > y->m->c1;
}

/* Whether a phrase of group g occurs outside reported speech: a veto
 * ("China's disinformation") inside the other side's claim that the
 * speaker rejects does not stop the speaker's own frame. */
static int group_outside_report(const struct classify_rules *R,
                                const struct scan *sc, int g)
{
	size_t i;

	for (i = 0; i < sc->n; i++) {
		const struct rules_entry *en = &R->set.entries[sc->m[i].entry];

		if (en->kind == RULES_CUE && en->group == g && !sc->m[i].rep)
			return 1;
	}
	return 0;
}

/* Whether the rule holds; on success adds its evidence. */
static int eval_rule(const struct classify_rules *R, const struct scan *sc,
                     const struct normalize_text *nt,
                     const struct rules_rule *ru, struct evlist *ev, int *held)
{
	struct item *it = NULL;
	size_t n = 0, i, j, left = 0, right;
	size_t cnt[RULES_MAX_RULE_GROUPS] = {0}, covered = 0;
	int r = 0;

	*held = 0;
	/* Most rules fail here, cheaply: a needed group is absent. */
	for (j = 0; j < ru->n_need; j++)
		if (!(sc->groups[ru->need[j] / 8] & (1u << (ru->need[j] % 8))))
			return 0;
	for (j = 0; j < ru->n_veto; j++)
		if ((sc->groups[ru->veto[j] / 8] & (1u << (ru->veto[j] % 8))) &&
		    group_outside_report(R, sc, ru->veto[j]))
			return 0;
	if (sc->n + 1 > sc->S->cap_items) {
		it = realloc(sc->S->items, (sc->n + 1) * sizeof(*it));
		if (!it)
			return -ENOMEM;
		sc->S->items = it;
		sc->S->cap_items = sc->n + 1;
	}
	it = sc->S->items;
	for (i = 0; i < sc->n; i++) {
		const struct rules_entry *en = &R->set.entries[sc->m[i].entry];

		if (en->kind != RULES_CUE)
			continue;
		for (j = 0; j < ru->n_need; j++) {
			if (en->group == ru->need[j] &&
			    (ru->scope[j] == RULES_SCOPE_ANY ||
			     (ru->scope[j] == RULES_SCOPE_REPORTED) ==
			         (sc->m[i].rep != 0))) {
				it[n].m = &sc->m[i];
				it[n].slot = j;
				n++;
			}
		}
	}
	qsort(it, n, sizeof(*it), cmp_item);
	if (ru->unit == RULES_UNIT_SENTENCES && !sc->S->bounds_ready) {
		r = find_bounds(sc->S, nt);
		if (r < 0)
			return r;
		sc->S->bounds_ready = 1;
	}
	for (right = 0; right < n; right++) {
		uint32_t lo, hi = 0;
		int fits;

		if (cnt[it[right].slot]++ == 0)
			covered++;
		if (covered < ru->n_need)
			continue;
		/* Shrink from the left while every group stays covered. */
		while (cnt[it[left].slot] > 1) {
			cnt[it[left].slot]--;
			left++;
		}
		lo = it[left].m->c0;
		for (j = left; j <= right; j++)
			if (it[j].m->c1 > hi)
				hi = it[j].m->c1;
		if (ru->unit == RULES_UNIT_ANYWHERE)
			fits = 1;
		else if (ru->unit == RULES_UNIT_SENTENCES)
			fits = sentence_of(sc->S, hi > lo ? hi - 1 : lo) -
			           sentence_of(sc->S, lo) <
			       ru->window;
		else if (ru->unit == RULES_UNIT_CHARS)
			fits = hi - lo <= ru->window;
		else
			fits = words_spanned(nt, lo, hi) <= ru->window;
		if (!fits)
			continue;
		*held = 1;
		r = ev_add(ev, ru->name, 1, lo, hi);
		for (j = left; j <= right && r == 0; j++) {
			const struct match *m = it[j].m;
			r = ev_add(ev, R->set.entries[m->entry].phrase, 0,
			           m->c0, m->c1);
		}
		break;
	}
	return r;
}

static int cmp_ev(const void *a, const void *b)
{
	const struct classify_evidence *x = a, *y = b;

	if (x->start != y->start)
		return x->start < y->start ? -1 : 1;
	return x->end < y->end ? -1 : x->end > y->end;
}

/* Turns the evidence into the caller's struct, offsets in input code
 * points. */
/* Adds the model's part of the evidence: its probability, then the
 * n-grams that pushed the category most. */
static int emit_model_evidence(struct classify_category *c,
                               const struct model_scores *ms, int cat,
                               const struct normalize_text *nt)
{
	struct buf b = {0};
	size_t j;

	if (buf_printf(&b, "model:p=%.2f", ms->p[cat]) < 0)
		return -ENOMEM;
	c->evidence[c->n_evidence].term = buf_steal(&b);
	if (!c->evidence[c->n_evidence].term)
		return -ENOMEM;
	c->evidence[c->n_evidence].start = 0;
	c->evidence[c->n_evidence].end = 0;
	c->n_evidence++;
	for (j = 0; j < ms->n_top[cat]; j++) {
		const struct model_contrib *mc = &ms->top[cat][j];
		struct classify_evidence *d = &c->evidence[c->n_evidence];
		size_t b0, b1;

		if (mc->n == 0 || mc->start + mc->n > nt->n_cp)
			continue;
		b0 = nt->cp_byte[mc->start];
		b1 = nt->cp_byte[mc->start + mc->n];
		buf_reset(&b);
		if (buf_puts(&b, "model:") < 0 ||
		    buf_append(&b, nt->text + b0, b1 - b0) < 0)
			goto out_oom;
		d->term = buf_steal(&b);
		if (!d->term)
			return -ENOMEM;
		d->start = nt->src_start[mc->start];
		d->end = nt->src_end[mc->start + mc->n - 1];
		c->n_evidence++;
	}
	return 0;
out_oom:
	buf_free(&b);
	return -ENOMEM;
}

static int emit_category(struct classify_result *out, int cat, double score,
                         const struct evlist *ev,
                         const struct normalize_text *nt,
                         const struct model_scores *ms)
{
	struct classify_category *c = &out->cats[out->n_cats];
	size_t i, cap = ev->n + (ms ? 1 + MODEL_TOP_CONTRIB : 0);

	memset(c, 0, sizeof(*c));
	c->score = score;
	c->model_p = ms ? ms->p[cat] : -1;
	out->n_cats++;
	if (cap == 0)
		return 0;
	c->evidence = calloc(cap, sizeof(*c->evidence));
	if (!c->evidence)
		return -ENOMEM;
	for (i = 0; i < ev->n; i++) {
		const struct ev *e = &ev->v[i];
		struct classify_evidence *d = &c->evidence[c->n_evidence];
		struct buf b = {0};

		if (e->is_rule) {
			if (buf_printf(&b, "rule:%s", e->term) < 0)
				return -ENOMEM;
			d->term = buf_steal(&b);
		} else {
			d->term = xstrdup(e->term);
		}
		if (!d->term)
			return -ENOMEM;
		d->start = e->c0 < nt->n_cp ? nt->src_start[e->c0] : 0;
		d->end = e->c1 > 0 && e->c1 <= nt->n_cp ? nt->src_end[e->c1 - 1]
		                                        : d->start;
		c->n_evidence++;
	}
	if (ms && emit_model_evidence(c, ms, cat, nt) < 0)
		return -ENOMEM;
	qsort(c->evidence, c->n_evidence, sizeof(*c->evidence), cmp_ev);
	return 0;
}

static int score_category(const struct classify_rules *R, const struct scan *sc,
                          const struct normalize_text *nt, int cat,
                          struct evlist *ev, double *score)
{
	size_t i, j;
	int r;

	*score = 0;
	ev->n = 0;
	for (i = 0; i < sc->n; i++) {
		const struct match *t = &sc->m[i];
		const struct rules_entry *en = &R->set.entries[t->entry];
		int seen = 0;

		if (en->kind != RULES_TERM || en->category != cat)
			continue;
		for (j = 0; j < i && !seen; j++)
			if (sc->m[j].entry == t->entry && !sc->m[j].rep)
				seen = 1;
		if (seen || t->rep || term_shadowed(R, sc, t, cat) ||
		    term_negated(R, sc, t, cat))
			continue;
		*score += en->weight;
		if (en->weight > 0) {
			r = ev_add(ev, en->phrase, 0, t->c0, t->c1);
			if (r < 0)
				return r;
		}
	}
	for (i = 0; i < R->set.n_rules; i++) {
		const struct rules_rule *ru = &R->set.rules[i];
		int held;

		if (ru->category != cat)
			continue;
		r = eval_rule(R, sc, nt, ru, ev, &held);
		if (r < 0)
			return r;
		if (held)
			*score += ru->weight;
	}
	return 0;
}

int classify_text(const struct classify_rules *rules, const char *text,
                  const char *lang, struct classify_result *out)
{
	return classify_text_opts(rules, text, lang, 0, out);
}

/* Takes the rules' scratch when it is free, else readies `own`. */
static struct scratch *scratch_take(const struct classify_rules *R,
                                    struct scratch *own)
{
	struct scratch *S = R->scratch;

	if (S &&
	    !atomic_flag_test_and_set_explicit(&S->busy, memory_order_acquire))
		return S;
	memset(own, 0, sizeof(*own));
	return own;
}

static void scratch_give(const struct classify_rules *R, struct scratch *S)
{
	if (S != R->scratch) {
		scratch_free_buffers(S);
		return;
	}
	/* Keep the buffers a usual post needs, not those of a huge one. */
	if (S->nt.cap_cp > CLASSIFY_KEEP_CP || S->cap_m > CLASSIFY_KEEP_CP)
		scratch_free_buffers(S);
	atomic_flag_clear_explicit(&S->busy, memory_order_release);
}

/* Folds the text, finds every phrase, marks reported speech and
 * sentence ends: everything the categories are scored from. */
static int prepare(const struct classify_rules *rules, struct scratch *S,
                   const char *text, size_t len, const char *lang,
                   struct scan *out_sc)
{
	struct normalize_text *nt = &S->nt;
	struct scan sc = {0};
	size_t i, cur = 0, k;
	uint32_t last_b1 = 0;
	int r;

	r = normalize_run(rules->norm, text ? text : "", len, nt);
	if (r < 0)
		return r;
	if (!S->groups) {
		S->groups = malloc(rules->group_bytes);
		if (!S->groups)
			return -ENOMEM;
	}
	memset(S->groups, 0, rules->group_bytes);
	sc.R = rules;
	sc.langs = rules_lang_bits(lang);
	sc.S = S;
	sc.m = S->m;
	sc.groups = S->groups;
	ac_scan(rules->ac, nt->text, nt->len, on_match, &sc);
	if (sc.oom)
		return -ENOMEM;
	for (i = 0; i < sc.n; i++) {
		struct match *m = &sc.m[i];
		unsigned wild = rules->set.entries[m->entry].wild;

		/* The scan reports matches by ascending end, so a cursor
		 * finds the end's code point and a short walk back the
		 * start's; a binary search only if the order ever breaks. */
		if (m->b1 < last_b1) {
			cur = normalize_byte_to_cp(nt, m->b1);
		} else {
			while (cur + 1 <= nt->n_cp &&
			       nt->cp_byte[cur + 1] <= m->b1)
				cur++;
		}
		last_b1 = m->b1;
		m->c1 = (uint32_t)cur;
		k = cur;
		while (k > 0 && nt->cp_byte[k] > m->b0)
			k--;
		m->c0 = (uint32_t)k;
		/* A '*' phrase's evidence covers the whole word it matched. */
		while ((wild & RULES_WILD_RIGHT) && m->c1 < nt->n_cp &&
		       normalize_is_word_cp(nt->cps[m->c1]))
			m->c1++;
		while ((wild & RULES_WILD_LEFT) && m->c0 > 0 &&
		       normalize_is_word_cp(nt->cps[m->c0 - 1]))
			m->c0--;
	}
	if (rules->has_reports && sc.n)
		mark_reported(rules, &sc, nt);
	S->bounds_ready = 0;
	*out_sc = sc;
	return 0;
}

/* FNV-1a of a feature's name: category index, kind, name. */
static uint32_t feature_id(int cat, const char *kind, const char *name)
{
	uint32_t h = 2166136261u;
	const char *p;

	h = (h ^ (uint32_t)(cat + 1)) * 16777619u;
	for (p = kind; *p; p++)
		h = (h ^ (unsigned char)*p) * 16777619u;
	h = (h ^ ':') * 16777619u;
	for (p = name; *p; p++)
		h = (h ^ (unsigned char)*p) * 16777619u;
	return h;
}

/* The rules' reading of a prepared post as extra model features: per
 * category, every rule frame that held and how far the score came
 * (bins of half a threshold, capped at 4); and the post's language. */
static int rule_features(const struct classify_rules *R, const struct scan *sc,
                         const char *lang, uint32_t *ids, size_t cap, size_t *n)
{
	struct scratch *S = sc->S;
	char bin[16];
	size_t i;
	int cat, r;

	*n = 0;
	if (cap > 0)
		ids[(*n)++] = feature_id(-1, "lang", lang ? lang : "?");
	for (cat = 0; cat < R->set.catset.n; cat++) {
		const struct rules_category *rc = &R->set.cats[cat];
		double score = 0;
		int b;

		if (!rc->has_threshold)
			continue;
		if (sc->n) {
			r = score_category(R, sc, &S->nt, cat, &S->ev, &score);
			if (r < 0)
				return r;
		} else {
			S->ev.n = 0;
		}
		b = (int)(2.0 * score / rc->threshold + 1e-9);
		if (b < 0)
			b = 0;
		if (b > 4)
			b = 4;
		snprintf(bin, sizeof(bin), "%d", b);
		if (*n < cap)
			ids[(*n)++] = feature_id(cat, "bin", bin);
		for (i = 0; i < S->ev.n && *n < cap; i++)
			if (S->ev.v[i].is_rule)
				ids[(*n)++] =
				    feature_id(cat, "rule", S->ev.v[i].term);
	}
	return 0;
}

int classify_rule_features(const struct classify_rules *rules, const char *text,
                           const char *lang, uint32_t *ids, size_t cap,
                           size_t *n)
{
	struct scratch own, *S;
	struct scan sc;
	size_t len = text ? strlen(text) : 0;
	int r;

	*n = 0;
	if (len > NORMALIZE_MAX_INPUT)
		len = NORMALIZE_MAX_INPUT;
	S = scratch_take(rules, &own);
	r = prepare(rules, S, text, len, lang, &sc);
	if (r == 0)
		r = rule_features(rules, &sc, lang, ids, cap, n);
	scratch_give(rules, S);
	return r;
}

/* The attached narratives the folded post states, in out. */
static int match_narratives(const struct classify_rules *rules,
                            const struct normalize_text *nt,
                            struct classify_result *out)
{
	unsigned cats = 0;
	size_t i, n;
	int idx;

	if (!rules->narr)
		return 0;
	n = narrative_matcher_count(rules->narr);
	out->narratives = calloc(n ? n : 1, sizeof(*out->narratives));
	if (!out->narratives)
		return -ENOMEM;
	for (i = 0; i < out->n_cats; i++)
		if (out->cats[i].assigned &&
		    (idx = category_index(out->cats[i].key)) >= 0)
			cats |= 1u << (unsigned)idx;
	(void)nt; /* matched during the scan of the folded text */
	out->n_narratives = (size_t)narrative_matcher_collect(rules->narr, cats,
	                                                      out->narratives);
	out->narratives_by = rules->narr;
	return 0;
}

int classify_text_opts(const struct classify_rules *rules, const char *text,
                       const char *lang, unsigned flags,
                       struct classify_result *out)
{
	struct scratch own, *S;
	struct normalize_text *nt;
	struct scan sc = {0};
	struct model_scores ms;
	uint32_t feats[MODEL_MAX_EXTRA];
	size_t n_feats = 0, len = text ? strlen(text) : 0;
	double w0 = rules->model ? rules->model_weight : 0.0, w;
	int cat, r;

	if (!rules->model || (flags & CLASSIFY_RULES_ONLY))
		w0 = 0;
	else if (flags & CLASSIFY_MODEL_ONLY)
		w0 = 1;

	memset(out, 0, sizeof(*out));
	if (len > NORMALIZE_MAX_INPUT)
		len = NORMALIZE_MAX_INPUT; /* classify the head of huge texts */
	S = scratch_take(rules, &own);
	nt = &S->nt;
	if (rules->narr)
		narrative_matcher_begin(rules->narr);
	r = prepare(rules, S, text, len, lang, &sc);
	if (r < 0)
		goto out_give;
	if (w0 > 0 && model_uses_extra(rules->model)) {
		r = rule_features(rules, &sc, lang, feats, MODEL_MAX_EXTRA,
		                  &n_feats);
		if (r < 0)
			goto out_give;
	}
	if (w0 > 0)
		model_score_ex(rules->model, nt->cps, nt->n_cp, feats, n_feats,
		               &ms);
	for (cat = 0; cat < rules->set.catset.n && (sc.n || w0 > 0); cat++) {
		const struct rules_category *rc = &rules->set.cats[cat];
		double score = 0, combined;
		int assigned, listed;

		/* A category the model was not trained on is the rules'. */
		w = w0 > 0 && model_has_category(rules->model, cat) ? w0 : 0;
		if (!rc->has_threshold && w == 0)
			continue;
		if (rc->has_threshold) {
			r = score_category(rules, &sc, nt, cat, &S->ev, &score);
			if (r < 0)
				goto out_give;
		} else {
			S->ev.n = 0;
		}
		if (w == 0) {
			assigned = score + 1e-9 >= rc->threshold;
			combined = rc->threshold > 0 ? score / rc->threshold
			                             : (double)assigned;
			listed = S->ev.n > 0;
		} else {
			double rpart = rc->has_threshold && rc->threshold > 0
			                   ? score / rc->threshold
			                   : 0.0;

			combined =
			    (1 - w) * rpart +
			    w * ms.p[cat] / model_threshold(rules->model, cat);
			assigned = combined + 1e-9 >= 1.0;
			listed = S->ev.n > 0 || ms.p[cat] >= 0.05;
		}
		if (!assigned && !((flags & CLASSIFY_ALL_SCORES) && listed))
			continue;
		/* The result's array is made for the first category only:
		 * most posts get none. */
		if (!out->cats) {
			out->cats =
			    calloc(CLASSIFY_MAX_CATEGORIES, sizeof(*out->cats));
			if (!out->cats) {
				r = -ENOMEM;
				goto out_give;
			}
		}
		r = emit_category(out, cat, score, &S->ev, nt,
		                  w > 0 ? &ms : NULL);
		out->cats[out->n_cats - 1].key = rules->set.catset.key[cat];
		out->cats[out->n_cats - 1].assigned = assigned;
		out->cats[out->n_cats - 1].threshold = rc->threshold;
		out->cats[out->n_cats - 1].combined = combined;
		if (r < 0)
			goto out_give;
	}
	r = match_narratives(rules, nt, out);
out_give:
	if (r < 0)
		classify_result_clear(out);
	scratch_give(rules, S);
	return r;
}

int classify_rules_attach_narratives(struct classify_rules *rules,
                                     struct narrative_matcher *m, char *err,
                                     size_t errlen)
{
	struct ac *old = rules->ac;
	int r;

	rules->narr = m;
	rules->ac = NULL;
	r = compile(rules, err, errlen);
	if (r < 0) { /* the rules keep their automaton, without narratives */
		ac_free(rules->ac);
		rules->ac = old;
		rules->narr = NULL;
		return r;
	}
	ac_free(old);
	return 0;
}

void classify_result_clear(struct classify_result *res)
{
	size_t i, j;

	if (!res)
		return;
	for (i = 0; i < res->n_cats; i++) {
		for (j = 0; j < res->cats[i].n_evidence; j++)
			free(res->cats[i].evidence[j].term);
		free(res->cats[i].evidence);
	}
	free(res->cats);
	res->cats = NULL;
	res->n_cats = 0;
	free(res->narratives);
	res->narratives = NULL;
	res->n_narratives = 0;
	res->narratives_by = NULL;
}

char *classify_evidence_json(const struct classify_category *cat)
{
	json_t *arr = json_array();
	char *s = NULL;
	size_t i;

	if (!arr)
		return NULL;
	for (i = 0; i < cat->n_evidence; i++) {
		const struct classify_evidence *ev = &cat->evidence[i];
		json_t *o = json_pack("{s:s?, s:I, s:I}", "term", ev->term,
		                      "start", (json_int_t)ev->start, "end",
		                      (json_int_t)ev->end);

		if (!o || json_array_append_new(arr, o) < 0)
			goto out_decref_arr;
	}
	s = json_dumps(arr, JSON_COMPACT);
out_decref_arr:
	json_decref(arr);
	return s;
}
