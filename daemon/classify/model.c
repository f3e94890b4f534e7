/*
 * model.c — a hashed character n-gram logistic regression, one per
 * category (one-vs-rest), trained from labelled posts and blended with the
 * rules by classify.c.
 *
 * Features.  The text is the folded form normalize.c makes (NFKC, case
 * folded, Traditional -> Simplified), as code points, with every decimal
 * digit read as '0' (so "300,000 deaths" and "500,000 deaths" share
 * n-grams) and one virtual blank before and after it.  Every run of
 * min_n..max_n code points is an n-gram, except a lone blank; its hash
 * (FNV-1a over the code points, then a final avalanche) picks one of
 * `buckets` buckets.  The feature value of a bucket is the number of
 * n-grams that fell into it divided by the square root of the number of
 * n-grams in the text, so long and short posts weigh alike.  Scoring is a
 * single pass that adds the weights of every occurrence: no tokenizer, no
 * allocation.
 *
 * Training.  Stochastic gradient descent on the logistic loss with an L2
 * penalty (the weight vector is kept as scale * v so the penalty costs
 * nothing per step), a learning rate that decays as rate / (1 + rate * l2
 * * t), examples shuffled by a seeded generator each epoch (the same data
 * and seed give the same model, byte for byte), and positive examples
 * weighted min(pos_weight, sqrt(negatives / positives)) because every
 * category is rare.  Tiny weights are pruned so the file stays small.
 *
 * Version 2 adds two kinds of features to the character n-grams.  Word
 * n-grams: a word is a run of letters and digits, and every Chinese or
 * Japanese character is a word of its own, so word bigrams there are
 * character bigrams; they are hashed with their own seed into the same
 * buckets and counted and normalised with the character n-grams.  Extra
 * features: ids the caller computes (classify.c gives the rule frames that
 * fired and how close each category came to its threshold), each a binary
 * feature of value 1, not normalised — a stacked model learns how far to
 * trust each rule.
 *
 * File format (text, UTF-8, '\n' line ends, version 1 or 2):
 *     demarche-model 2
 *     # comment lines start with '#', anywhere before the sha256 line
 *     ngram MIN MAX [words N] [extra 1]   (the options: version 2 only)
 *     buckets N                       (a power of two)
 *     categories KEY KEY KEY KEY      (the keys it was trained on, each
 *                                      once, 1 to CATEGORY_MAX of them)
 *     threshold P P P P               (per category, in the order above)
 *     bias B B B B
 *     examples N                      (how many posts it was trained on)
 *     w BUCKET W W W W                (one weight per category; buckets
 *                                      strictly increasing; absent
 *                                      buckets weigh 0)
 *     sha256 HEX                      (of every byte before this line)
 * The header lines come in this order, each once; nothing follows the
 * sha256 line.  A model is named by its n-gram range and the first twelve
 * hex digits of that checksum.
 */
#include "model.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "category.h"
#include "sha256.h"
#include "util.h"

#define NCAT CLASSIFY_MAX_CATEGORIES
/* A weight's magnitude above this in a file is refused. */
#define MODEL_MAX_WEIGHT 1e6
#define MODEL_MAX_LINE   512
#define MODEL_MAX_NOTES  32

struct model {
	unsigned buckets; /* power of two */
	unsigned min_n;   /* n-gram lengths, code points */
	unsigned max_n;   /* ditto */
	float *w;         /* buckets * ncat, interleaved by bucket */
	int ncat;         /* categories it was trained on */
	char keys[NCAT][CATEGORY_KEY_MAX + 1]; /* their keys, in file order */
	double bias[NCAT];                     /* per category, in that order */
	double threshold[NCAT]; /* probability that assigns alone */
	/* The category set it is bound to (model_bind): scores come out by
	 * that set's index; map[i] is the model's category for index i, or
	 * -1 when the model does not know it. */
	int nout;                     /* categories of the bound set */
	int map[NCAT];                /* set index -> model category or -1 */
	unsigned long examples;       /* training set size, informational */
	unsigned words;               /* word n-gram length, 0 for none */
	unsigned extra;               /* reads extra features */
	unsigned format;              /* file format version read */
	char *notes[MODEL_MAX_NOTES]; /* comment lines to write (provenance) */
	size_t n_notes;               /* used entries of notes */
	char version[48];             /* "ngram1-4+w2+x:" + checksum prefix */
};

void model_params_default(struct model_params *p)
{
	p->buckets = 1u << 18;
	p->min_n = 1;
	p->max_n = 4;
	p->epochs = 30;
	p->rate = 0.5;
	p->l2 = 1e-4;
	p->pos_weight = 4.0;
	p->prune = 1e-4;
	p->seed = 1;
	p->words = 0;
	p->extra = 0;
}

static int set_version(struct model *m);

/* A new model's categories: the configured set's; bound to it. */
static void train_keys(struct model *m)
{
	const struct category_set *set = category_configured();
	int i;

	m->ncat = set->n;
	for (i = 0; i < set->n; i++)
		memcpy(m->keys[i], set->key[i], sizeof(m->keys[i]));
}

/* Binds to the configured set until model_bind() binds it to the
 * rules'. */
static void bind_configured(struct model *m)
{
	(void)model_bind(m, category_configured());
}

int model_add_note(struct model *m, const char *note)
{
	char *d, *q;

	if (m->n_notes >= MODEL_MAX_NOTES)
		return -E2BIG;
	d = xstrdup(note);
	if (!d)
		return -ENOMEM;
	for (q = d; *q; q++)
		if (*q == '\n' || *q == '\r')
			*q = ' ';
	m->notes[m->n_notes++] = d;
	return set_version(m);
}

void model_free(struct model *m)
{
	if (!m)
		return;
	while (m->n_notes)
		free(m->notes[--m->n_notes]);
	free(m->w);
	free(m);
}

const char *model_version(const struct model *m)
{
	return m->version;
}

double model_threshold(const struct model *m, int cat)
{
	return cat >= 0 && cat < m->nout && m->map[cat] >= 0
	           ? m->threshold[m->map[cat]]
	           : 1.0;
}

int model_has_category(const struct model *m, int cat)
{
	return cat >= 0 && cat < m->nout && m->map[cat] >= 0;
}

int model_category_count(const struct model *m)
{
	return m->ncat;
}

const char *model_category_key(const struct model *m, int i)
{
	return i >= 0 && i < m->ncat ? m->keys[i] : NULL;
}

int model_bind(struct model *m, const struct category_set *set)
{
	int i, n = 0;

	for (i = 0; i < set->n; i++) {
		int j;

		m->map[i] = -1;
		for (j = 0; j < m->ncat; j++)
			if (strcmp(m->keys[j], set->key[i]) == 0)
				m->map[i] = j;
		n += m->map[i] >= 0;
	}
	m->nout = set->n;
	return n;
}

/* ---- features ---- */

static uint32_t fmix32(uint32_t h)
{
	h ^= h >> 16;
	h *= 0x85ebca6bu;
	h ^= h >> 13;
	h *= 0xc2b2ae35u;
	h ^= h >> 16;
	return h;
}

/* The code point at padded position i (-1 and n are the blanks). */
static uint32_t cp_at(const uint32_t *cps, size_t n, long i)
{
	uint32_t c;

	if (i < 0 || (size_t)i >= n)
		return ' ';
	c = cps[i];
	if (c >= '0' && c <= '9')
		return '0';
	return c;
}

/* Calls fn for every n-gram occurrence: its bucket, padded start, length.
 * Returns the number of occurrences. */
typedef void (*ngram_fn)(void *ctx, uint32_t bucket, long start, unsigned n);

static size_t for_each_ngram(unsigned buckets, unsigned min_n, unsigned max_n,
                             const uint32_t *cps, size_t n_cp, ngram_fn fn,
                             void *ctx)
{
	long i, end, k;
	size_t count = 0;
	uint32_t mask = buckets - 1;

	if (n_cp > MODEL_MAX_SCORED_CP)
		n_cp = MODEL_MAX_SCORED_CP;
	end = (long)n_cp + 1; /* one past the trailing blank */
	for (i = -1; i < end; i++) {
		uint32_t h = 2166136261u;

		for (k = 0; k < (long)max_n && i + k < end; k++) {
			uint32_t c = cp_at(cps, n_cp, i + k);

			h = (h ^ c) * 16777619u;
			if ((unsigned)k + 1 < min_n)
				continue;
			if (k == 0 && c == ' ')
				continue; /* a lone blank says nothing */
			fn(ctx, fmix32(h ^ (uint32_t)(k + 1)) & mask, i,
			   (unsigned)k + 1);
			count++;
		}
	}
	return count;
}

/* A code point that makes a word of its own: Han, kana, Hangul. */
static int own_word_cp(uint32_t c)
{
	return (c >= 0x2E80 && c <= 0x9FFF) || (c >= 0xAC00 && c <= 0xD7AF) ||
	       (c >= 0xF900 && c <= 0xFAFF) || (c >= 0x20000 && c <= 0x2FFFF);
}

static int in_word_cp(uint32_t c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || c == '\'' ||
	       c == '#' || c == '@' ||
	       (c >= 0xC0 && c < 0x2E80 && c != 0xD7 && c != 0xF7 &&
	        !(c >= 0x2000 && c <= 0x2BFF));
}

/* Calls fn for every word n-gram occurrence (1..max_w words).  Returns
 * the number of occurrences. */
static size_t for_each_word(unsigned buckets, unsigned max_w,
                            const uint32_t *cps, size_t n_cp, ngram_fn fn,
                            void *ctx)
{
	uint32_t mask = buckets - 1, prev_h = 0;
	long prev_start = -1;
	size_t i = 0, count = 0;

	if (n_cp > MODEL_MAX_SCORED_CP)
		n_cp = MODEL_MAX_SCORED_CP;
	while (i < n_cp && max_w > 0) {
		size_t st = i;
		uint32_t h = 0x811C9DC5u ^ 0x5bd1e995u;

		if (own_word_cp(cps[i])) {
			h = (h ^ cps[i]) * 16777619u;
			i++;
		} else if (in_word_cp(cps[i])) {
			while (i < n_cp && in_word_cp(cps[i]) &&
			       !own_word_cp(cps[i])) {
				uint32_t c = cps[i];

				h = (h ^ (c >= '0' && c <= '9' ? '0' : c)) *
				    16777619u;
				i++;
			}
		} else {
			i++;
			continue;
		}
		fn(ctx, fmix32(h ^ 0x9E3779B9u) & mask, (long)st,
		   (unsigned)(i - st));
		count++;
		if (max_w >= 2 && prev_start >= 0) {
			fn(ctx,
			   fmix32((prev_h * 0x01000193u) ^ h ^ 0x7F4A7C15u) &
			       mask,
			   prev_start, (unsigned)(i - (size_t)prev_start));
			count++;
		}
		prev_h = h;
		prev_start = (long)st;
	}
	return count;
}

/* The bucket of extra feature id. */
static uint32_t extra_bucket(unsigned buckets, uint32_t id)
{
	return fmix32(id ^ 0xE7037ED1u) & (buckets - 1);
}

/* ---- scoring ---- */

struct score_ctx {
	const struct model *m;                        /* the model */
	double sum[NCAT];                             /* weight sums */
	uint32_t top_bucket[NCAT][MODEL_TOP_CONTRIB]; /* for dedup */
	struct model_scores *out; /* top lists, by model category until
	                             model_score_ex maps them out */
	size_t n_cp;              /* text length */
};

static void score_one(void *ctx, uint32_t b, long start, unsigned n)
{
	struct score_ctx *sc = ctx;
	const float *w = &sc->m->w[(size_t)b * (size_t)sc->m->ncat];
	int c;

	for (c = 0; c < sc->m->ncat; c++) {
		struct model_contrib *top = sc->out->top[c];
		size_t *nt = &sc->out->n_top[c], j, at;
		long s0 = start < 0 ? 0 : start;
		long s1 = start + (long)n;

		sc->sum[c] += w[c];
		if (w[c] <= 0)
			continue;
		/* Keep the strongest few distinct n-grams as evidence. */
		for (j = 0; j < *nt; j++)
			if (sc->top_bucket[c][j] == b)
				break;
		if (j < *nt)
			continue;
		if (*nt == MODEL_TOP_CONTRIB &&
		    top[MODEL_TOP_CONTRIB - 1].w >= w[c])
			continue;
		at = *nt < MODEL_TOP_CONTRIB ? (*nt)++ : MODEL_TOP_CONTRIB - 1;
		while (at > 0 && top[at - 1].w < w[c]) {
			top[at] = top[at - 1];
			sc->top_bucket[c][at] = sc->top_bucket[c][at - 1];
			at--;
		}
		if (s1 > (long)sc->n_cp)
			s1 = (long)sc->n_cp;
		top[at].start = (size_t)s0;
		top[at].n = s1 > s0 ? (size_t)(s1 - s0) : 0;
		top[at].w = w[c];
		sc->top_bucket[c][at] = b;
	}
}

static double sigmoid(double z)
{
	if (z >= 0)
		return 1.0 / (1.0 + exp(-z));
	return exp(z) / (1.0 + exp(z));
}

void model_score(const struct model *m, const uint32_t *cps, size_t n_cp,
                 struct model_scores *out)
{
	model_score_ex(m, cps, n_cp, NULL, 0, out);
}

int model_uses_extra(const struct model *m)
{
	return m->extra != 0;
}

int model_set_threshold(struct model *m, int cat, double t)
{
	if (!model_has_category(m, cat) || !(t > 0 && t < 1))
		return -EINVAL;
	m->threshold[m->map[cat]] = t;
	return set_version(m);
}

void model_score_ex(const struct model *m, const uint32_t *cps, size_t n_cp,
                    const uint32_t *extra, size_t n_extra,
                    struct model_scores *out)
{
	struct score_ctx sc;
	struct model_scores own;
	double ex_sum[NCAT] = {0};
	size_t total, i;
	int c;

	memset(&sc, 0, sizeof(sc));
	memset(out, 0, sizeof(*out));
	memset(&own, 0, sizeof(own));
	sc.m = m;
	sc.out = &own;
	sc.n_cp = n_cp > MODEL_MAX_SCORED_CP ? MODEL_MAX_SCORED_CP : n_cp;
	total = for_each_ngram(m->buckets, m->min_n, m->max_n, cps, n_cp,
	                       score_one, &sc);
	if (m->words)
		total += for_each_word(m->buckets, m->words, cps, n_cp,
		                       score_one, &sc);
	if (m->extra && n_extra > MODEL_MAX_EXTRA)
		n_extra = MODEL_MAX_EXTRA;
	for (i = 0; m->extra && i < n_extra; i++) {
		const float *w =
		    &m->w[(size_t)extra_bucket(m->buckets, extra[i]) *
		          (size_t)m->ncat];

		for (c = 0; c < m->ncat; c++)
			ex_sum[c] += w[c];
	}
	for (c = 0; c < m->ncat; c++) {
		double z = m->bias[c] + ex_sum[c];

		if (total)
			z += sc.sum[c] / sqrt((double)total);
		own.p[c] = sigmoid(z);
	}
	/* Out by the bound set's index; a category the model does not
	 * know scores 0 (the classifier leaves it to the rules). */
	for (c = 0; c < m->nout; c++) {
		int mc = m->map[c];

		if (mc < 0)
			continue;
		out->p[c] = own.p[mc];
		out->n_top[c] = own.n_top[mc];
		memcpy(out->top[c], own.top[mc], sizeof(out->top[c]));
	}
}

/* ---- training ---- */

/* One example as a sparse vector. */
struct sparse {
	size_t off; /* first entry in the shared arrays */
	size_t n;   /* entries */
	unsigned y; /* label bits */
};

struct collect {
	uint32_t *b; /* buckets of one text's occurrences */
	size_t n;    /* used */
	size_t cap;  /* allocated */
	int oom;     /* allocation failed */
};

static void collect_one(void *ctx, uint32_t b, long start, unsigned n)
{
	struct collect *co = ctx;

	(void)start;
	(void)n;
	if (co->oom)
		return;
	if (co->n == co->cap) {
		size_t cap = co->cap ? co->cap * 2 : 1024;
		uint32_t *p = realloc(co->b, cap * sizeof(*p));

		if (!p) {
			co->oom = 1;
			return;
		}
		co->b = p;
		co->cap = cap;
	}
	co->b[co->n++] = b;
}

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

/* xorshift64*: small, seeded, the same on every platform. */
static uint64_t rng_next(uint64_t *s)
{
	*s ^= *s >> 12;
	*s ^= *s << 25;
	*s ^= *s >> 27;
	return *s * 2685821657736338717ULL;
}

static int set_version(struct model *m)
{
	char *text;
	size_t len;
	const char *hex;
	int r = model_serialize(m, &text, &len);

	if (r < 0)
		return r;
	/* The checksum is the last line: "sha256 HEX\n". */
	hex = text + len - (SHA256_HEX_LEN - 1) - 1;
	snprintf(m->version, sizeof(m->version), "ngram%u-%u%s%s:%.12s",
	         m->min_n, m->max_n,
	         m->words == 2 ? "+w2"
	         : m->words    ? "+w1"
	                       : "",
	         m->extra ? "+x" : "", hex);
	free(text);
	return 0;
}

static int check_params(const struct model_params *p, char *err, size_t errlen)
{
	if (p->buckets < MODEL_MIN_BUCKETS || p->buckets > MODEL_MAX_BUCKETS ||
	    (p->buckets & (p->buckets - 1))) {
		snprintf(err, errlen,
		         "buckets must be a power of two from %u to %u",
		         MODEL_MIN_BUCKETS, MODEL_MAX_BUCKETS);
		return -EINVAL;
	}
	if (p->min_n < 1 || p->max_n < p->min_n || p->max_n > MODEL_MAX_NGRAM) {
		snprintf(err, errlen,
		         "n-gram lengths must satisfy 1 <= min <= "
		         "max <= %d",
		         MODEL_MAX_NGRAM);
		return -EINVAL;
	}
	if (p->words > 2 || p->extra > 1) {
		snprintf(err, errlen,
		         "words must be 0, 1 or 2 and extra 0 or 1");
		return -EINVAL;
	}
	if (p->epochs < 1 || p->epochs > 10000 || !(p->rate > 0) ||
	    p->rate > 100 || !(p->l2 >= 0) || p->l2 >= 1 ||
	    !(p->pos_weight >= 1) || p->pos_weight > 1000 || !(p->prune >= 0) ||
	    p->prune > 1) {
		snprintf(err, errlen, "training parameters out of range");
		return -EINVAL;
	}
	return 0;
}

/* Fits category c's weights (v, dense) and bias by SGD. */
static void fit_category(const struct model_params *p, const struct sparse *xs,
                         const uint32_t *fb, const float *fv, size_t n, int c,
                         size_t *order, double *v, double *bias)
{
	size_t npos = 0, i, j, e;
	double wpos, scale = 1.0, b = 0, t = 0;
	uint64_t rng = p->seed * UINT64_C(0x9E3779B97F4A7C15) + (uint64_t)c + 1;

	for (i = 0; i < n; i++)
		npos += (xs[i].y >> c) & 1;
	wpos = npos ? sqrt((double)(n - npos) / (double)npos) : 1.0;
	if (wpos < 1)
		wpos = 1;
	if (wpos > p->pos_weight)
		wpos = p->pos_weight;
	for (i = 0; i < n; i++)
		order[i] = i;
	for (e = 0; e < p->epochs; e++) {
		for (i = n; i > 1; i--) {
			size_t k = (size_t)(rng_next(&rng) % i);
			size_t tmp = order[i - 1];

			order[i - 1] = order[k];
			order[k] = tmp;
		}
		for (i = 0; i < n; i++) {
			const struct sparse *x = &xs[order[i]];
			int y = (x->y >> c) & 1;
			double z = 0, g,
			       lr = p->rate / (1 + p->rate * p->l2 * t);

			t++;
			for (j = 0; j < x->n; j++)
				z += v[fb[x->off + j]] * fv[x->off + j];
			z = z * scale + b;
			g = (sigmoid(z) - y) * (y ? wpos : 1.0);
			scale *= 1 - lr * p->l2;
			if (scale < 1e-6) {
				size_t k;

				for (k = 0; k < p->buckets; k++)
					v[k] *= scale;
				scale = 1;
			}
			for (j = 0; j < x->n; j++)
				v[fb[x->off + j]] -=
				    lr * g * fv[x->off + j] / scale;
			b -= lr * g;
		}
	}
	for (i = 0; i < p->buckets; i++)
		v[i] *= scale;
	*bias = b;
}

int model_train(const struct model_example *ex, size_t n,
                const struct model_params *p, struct model **out, char *err,
                size_t errlen)
{
	struct model *m = NULL;
	struct sparse *xs = NULL;
	struct collect co = {0};
	uint32_t *fb = NULL;
	float *fv = NULL;
	size_t nf = 0, capf = 0, i, k, *order = NULL;
	double *v = NULL;
	int c, r;

	*out = NULL;
	if ((r = check_params(p, err, errlen)) < 0)
		return r;
	if (n == 0) {
		snprintf(err, errlen, "no labelled examples");
		return -EINVAL;
	}
	m = calloc(1, sizeof(*m));
	xs = calloc(n, sizeof(*xs));
	order = calloc(n, sizeof(*order));
	v = calloc(p->buckets, sizeof(*v));
	if (!m || !xs || !order || !v)
		goto out_oom;
	m->buckets = p->buckets;
	m->min_n = p->min_n;
	m->max_n = p->max_n;
	m->examples = (unsigned long)n;
	m->words = p->words;
	m->extra = p->extra ? 1 : 0;
	train_keys(m);
	bind_configured(m);
	m->w = calloc((size_t)p->buckets * (size_t)m->ncat, sizeof(*m->w));
	if (!m->w)
		goto out_oom;
	/* Each text becomes sorted (bucket, count / sqrt(total)) pairs. */
	for (i = 0; i < n; i++) {
		size_t total, j, u = 0;
		double norm;

		size_t n_ex = p->extra && ex[i].extra ? ex[i].n_extra : 0, nt;

		if (n_ex > MODEL_MAX_EXTRA)
			n_ex = MODEL_MAX_EXTRA;
		co.n = 0;
		total = for_each_ngram(p->buckets, p->min_n, p->max_n,
		                       ex[i].cps, ex[i].n_cp, collect_one, &co);
		if (p->words)
			total += for_each_word(p->buckets, p->words, ex[i].cps,
			                       ex[i].n_cp, collect_one, &co);
		if (co.oom)
			goto out_oom;
		qsort(co.b, co.n, sizeof(*co.b), cmp_u32);
		if (nf + co.n + n_ex > capf) {
			size_t cap = (nf + co.n + n_ex) * 2;
			uint32_t *pb = realloc(fb, cap * sizeof(*pb));
			float *pv;

			if (!pb)
				goto out_oom;
			fb = pb;
			pv = realloc(fv, cap * sizeof(*pv));
			if (!pv)
				goto out_oom;
			fv = pv;
			capf = cap;
		}
		norm = total ? 1.0 / sqrt((double)total) : 0;
		xs[i].off = nf;
		xs[i].y = ex[i].labels;
		for (j = 0; j < co.n; j++) {
			if (u && fb[nf + u - 1] == co.b[j]) {
				fv[nf + u - 1] += (float)norm;
				continue;
			}
			fb[nf + u] = co.b[j];
			fv[nf + u] = (float)norm;
			u++;
		}
		/* Extra features: value 1 each, after the n-grams (a
		 * bucket may then appear twice; the sums stay right). */
		for (nt = 0; nt < n_ex; nt++) {
			fb[nf + u] = extra_bucket(p->buckets, ex[i].extra[nt]);
			fv[nf + u] = 1.0f;
			u++;
		}
		xs[i].n = u;
		nf += u;
	}
	for (c = 0; c < m->ncat; c++) {
		memset(v, 0, p->buckets * sizeof(*v));
		fit_category(p, xs, fb, fv, n, c, order, v, &m->bias[c]);
		for (k = 0; k < p->buckets; k++)
			m->w[k * (size_t)m->ncat + (size_t)c] =
			    fabs(v[k]) < p->prune ? 0.0f : (float)v[k];
		m->threshold[c] = 0.5;
	}
	if (set_version(m) < 0)
		goto out_oom;
	*out = m;
	m = NULL;
	r = 0;
	goto out_free_model;
out_oom:
	snprintf(err, errlen, "out of memory");
	r = -ENOMEM;
out_free_model:
	model_free(m);
	free(co.b);
	free(xs);
	free(order);
	free(v);
	free(fb);
	free(fv);
	return r;
}

/* ---- the file format ---- */

int model_serialize(const struct model *m, char **out, size_t *len)
{
	struct buf b = {0};
	char hex[SHA256_HEX_LEN];
	size_t k;
	int c, r = 0;

	*out = NULL;
	r |= buf_printf(&b,
	                "demarche-model %d\n"
	                "# demarche classifier model: hashed character "
	                "n-gram logistic regression,\n"
	                "# one per category; `demarche train` writes it, "
	                "format in daemon/model.c.\n",
	                m->words || m->extra ? 2 : 1);
	for (k = 0; k < m->n_notes; k++)
		r |= buf_printf(&b, "# %s\n", m->notes[k]);
	r |= buf_printf(&b, "ngram %u %u", m->min_n, m->max_n);
	if (m->words)
		r |= buf_printf(&b, " words %u", m->words);
	if (m->extra)
		r |= buf_puts(&b, " extra 1");
	r |= buf_printf(&b, "\nbuckets %u\ncategories", m->buckets);
	for (c = 0; c < m->ncat; c++)
		r |= buf_printf(&b, " %s", m->keys[c]);
	r |= buf_puts(&b, "\nthreshold");
	for (c = 0; c < m->ncat; c++)
		r |= buf_printf(&b, " %.17g", m->threshold[c]);
	r |= buf_puts(&b, "\nbias");
	for (c = 0; c < m->ncat; c++)
		r |= buf_printf(&b, " %.17g", m->bias[c]);
	r |= buf_printf(&b, "\nexamples %lu\n", m->examples);
	for (k = 0; k < m->buckets && r == 0; k++) {
		const float *w = &m->w[k * (size_t)m->ncat];

		for (c = 0; c < m->ncat && w[c] == 0; c++)
			;
		if (c == m->ncat)
			continue;
		r |= buf_printf(&b, "w %zu", k);
		for (c = 0; c < m->ncat; c++)
			r |= buf_printf(&b, " %.9g", (double)w[c]);
		r |= buf_puts(&b, "\n");
	}
	if (r != 0)
		goto out_oom;
	sha256_hex(b.data, b.len, hex);
	if (buf_printf(&b, "sha256 %s\n", hex) < 0)
		goto out_oom;
	*len = b.len;
	*out = buf_steal(&b);
	return *out ? 0 : -ENOMEM;
out_oom:
	buf_free(&b);
	return -ENOMEM;
}

struct parser {
	const char *name; /* for messages */
	char *err;        /* message buffer */
	size_t errlen;    /* its size */
	long line;        /* current line number */
};

static int perr(struct parser *ps, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static int perr(struct parser *ps, const char *fmt, ...)
{
	char msg[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (ps->line > 0)
		snprintf(ps->err, ps->errlen, "%s:%ld: %s", ps->name, ps->line,
		         msg);
	else
		snprintf(ps->err, ps->errlen, "%s: %s", ps->name, msg);
	return -EINVAL;
}

/* Parses an unsigned decimal word at *s, advancing past one blank. */
static int next_ulong(const char **s, unsigned long max, unsigned long *out)
{
	char *end;
	unsigned long v;

	if (**s < '0' || **s > '9')
		return -1;
	errno = 0;
	v = strtoul(*s, &end, 10);
	if (errno || v > max || (*end != ' ' && *end != '\0'))
		return -1;
	*s = *end == ' ' ? end + 1 : end;
	*out = v;
	return 0;
}

static int next_double(const char **s, double *out)
{
	char *end;
	double v;

	if (**s == ' ' || **s == '\0')
		return -1;
	errno = 0;
	v = strtod(*s, &end);
	if (end == *s || errno == ERANGE || !isfinite(v) ||
	    fabs(v) > MODEL_MAX_WEIGHT || (*end != ' ' && *end != '\0'))
		return -1;
	*s = *end == ' ' ? end + 1 : end;
	*out = v;
	return 0;
}

/* The header keys in the order they must come. */
enum hdr {
	H_MAGIC,
	H_NGRAM,
	H_BUCKETS,
	H_CATS,
	H_THRESH,
	H_BIAS,
	H_EXAMPLES,
	H_BODY
};

/* The categories line: the keys the model was trained on, in the order
 * of its numbers.  Any valid keys will do; model_bind() later matches
 * them to the rules' categories by key. */
static int parse_categories(struct parser *ps, struct model *m, const char *s)
{
	int c;

	m->ncat = 0;
	while (*s) {
		size_t l = strcspn(s, " ");

		if (category_key_check(s, l) < 0)
			return perr(ps, "invalid category key '%.*s'",
			            (int)(l > 40 ? 40 : l), s);
		if (m->ncat == NCAT)
			return perr(ps, "more than %d categories", NCAT);
		memcpy(m->keys[m->ncat], s, l);
		m->keys[m->ncat][l] = '\0';
		for (c = 0; c < m->ncat; c++)
			if (strcmp(m->keys[c], m->keys[m->ncat]) == 0)
				return perr(ps, "category '%s' twice",
				            m->keys[c]);
		m->ncat++;
		s += l;
		if (*s == ' ')
			s++;
	}
	if (m->ncat == 0)
		return perr(ps, "categories needs at least one category key");
	m->w = calloc((size_t)m->buckets * (size_t)m->ncat, sizeof(*m->w));
	if (!m->w) {
		snprintf(ps->err, ps->errlen, "out of memory");
		return -ENOMEM;
	}
	bind_configured(m);
	return 0;
}

static int parse_header(struct parser *ps, struct model *m, enum hdr *state,
                        const char *ln)
{
	static const char *const keys[] = {
	    "demarche-model", "ngram", "buckets", "categories",
	    "threshold",      "bias",  "examples"};
	size_t kl = strlen(keys[*state]);
	const char *s = ln + kl + 1;
	unsigned long a, b;
	int c, r;

	if (strncmp(ln, keys[*state], kl) != 0 || ln[kl] != ' ')
		return perr(ps, "expected '%s'", keys[*state]);
	switch (*state) {
	case H_MAGIC:
		if (next_ulong(&s, 1000000, &a) < 0 || *s)
			return perr(ps, "bad format version");
		if (a < 1 || a > MODEL_FORMAT_VERSION)
			return perr(ps,
			            "format version %s not supported "
			            "(this build reads versions 1 and 2)",
			            ln + kl + 1);
		m->format = (unsigned)a;
		break;
	case H_NGRAM:
		if (next_ulong(&s, MODEL_MAX_NGRAM, &a) < 0 ||
		    next_ulong(&s, MODEL_MAX_NGRAM, &b) < 0 || a < 1 || b < a)
			return perr(ps, "ngram needs MIN MAX with 1 <= MIN <= "
			                "MAX <= 8");
		m->min_n = (unsigned)a;
		m->max_n = (unsigned)b;
		while (*s && m->format >= 2) {
			unsigned long v;

			if (strncmp(s, "words ", 6) == 0) {
				s += 6;
				if (next_ulong(&s, 2, &v) < 0)
					return perr(ps,
					            "words needs 0, 1 or 2");
				m->words = (unsigned)v;
			} else if (strncmp(s, "extra ", 6) == 0) {
				s += 6;
				if (next_ulong(&s, 1, &v) < 0)
					return perr(ps, "extra needs 0 or 1");
				m->extra = (unsigned)v;
			} else {
				return perr(ps, "unknown ngram option");
			}
		}
		if (*s)
			return perr(ps, "ngram needs MIN MAX with 1 <= MIN <= "
			                "MAX <= 8");
		break;
	case H_BUCKETS:
		if (next_ulong(&s, MODEL_MAX_BUCKETS, &a) < 0 || *s ||
		    a < MODEL_MIN_BUCKETS || (a & (a - 1)))
			return perr(ps, "buckets must be a power of two "
			                "from 256 to 16777216");
		m->buckets = (unsigned)a;
		break;
	case H_CATS:
		if ((r = parse_categories(ps, m, s)) < 0)
			return r;
		break;
	case H_THRESH:
	case H_BIAS:
		for (c = 0; c < m->ncat; c++) {
			double d;

			if (next_double(&s, &d) < 0)
				return perr(ps, "%s needs %d finite numbers",
				            keys[*state], m->ncat);
			if (*state == H_THRESH) {
				if (!(d > 0 && d < 1))
					return perr(ps,
					            "thresholds must lie "
					            "strictly between 0 and 1");
				m->threshold[c] = d;
			} else {
				m->bias[c] = d;
			}
		}
		if (*s)
			return perr(ps, "%s needs %d numbers", keys[*state],
			            m->ncat);
		break;
	case H_EXAMPLES:
		if (next_ulong(&s, 4000000000ul, &a) < 0 || *s)
			return perr(ps, "examples needs a count");
		m->examples = a;
		break;
	case H_BODY:
		break;
	}
	*state = (enum hdr)(*state + 1);
	return 0;
}

int model_parse(const char *buf, size_t len, const char *name,
                struct model **out, char *err, size_t errlen)
{
	struct parser ps = {name, err, errlen, 0};
	struct model *m;
	enum hdr state = H_MAGIC;
	const char *p = buf, *end = buf + len;
	long last_bucket = -1;
	int r, done = 0;

	*out = NULL;
	if (len > MODEL_MAX_FILE) {
		snprintf(err, errlen, "%s: larger than %u bytes", name,
		         MODEL_MAX_FILE);
		return -EINVAL;
	}
	m = calloc(1, sizeof(*m));
	if (!m) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t ll = nl ? (size_t)(nl - p) : (size_t)(end - p);
		char ln[MODEL_MAX_LINE];

		ps.line++;
		if (done) {
			r = perr(&ps, "text after the sha256 line");
			goto out_free_model;
		}
		if (!nl) {
			r = perr(&ps, "last line has no line end (file "
			              "truncated?)");
			goto out_free_model;
		}
		if (ll >= sizeof(ln) || memchr(p, '\0', ll)) {
			r = perr(&ps, "line too long or binary");
			goto out_free_model;
		}
		memcpy(ln, p, ll);
		ln[ll] = '\0';
		if (ll && ln[ll - 1] == '\r')
			ln[--ll] = '\0';
		if (ln[0] == '#' && state != H_MAGIC) {
			p = nl + 1;
			continue;
		}
		if (state < H_BODY) {
			r = parse_header(&ps, m, &state, ln);
			if (r < 0)
				goto out_free_model;
		} else if (strncmp(ln, "w ", 2) == 0) {
			const char *s = ln + 2;
			unsigned long bk;
			double w[NCAT];
			int c;

			if (next_ulong(&s, m->buckets - 1, &bk) < 0) {
				r = perr(&ps, "bucket missing or not below "
				              "the bucket count");
				goto out_free_model;
			}
			if ((long)bk <= last_bucket) {
				r = perr(&ps, "buckets must be strictly "
				              "increasing");
				goto out_free_model;
			}
			last_bucket = (long)bk;
			for (c = 0; c < m->ncat; c++) {
				if (next_double(&s, &w[c]) < 0) {
					r = perr(&ps,
					         "weight line needs %d finite "
					         "numbers",
					         m->ncat);
					goto out_free_model;
				}
				m->w[bk * (size_t)m->ncat + (size_t)c] =
				    (float)w[c];
			}
			if (*s) {
				r = perr(&ps,
				         "weight line has more than %d "
				         "weights",
				         m->ncat);
				goto out_free_model;
			}
		} else if (strncmp(ln, "sha256 ", 7) == 0) {
			char hex[SHA256_HEX_LEN];

			sha256_hex(buf, (size_t)(p - buf), hex);
			if (strcmp(ln + 7, hex) != 0) {
				r = perr(&ps, "checksum mismatch: the file "
				              "was altered or damaged");
				goto out_free_model;
			}
			snprintf(m->version, sizeof(m->version),
			         "ngram%u-%u%s%s:%.12s", m->min_n, m->max_n,
			         m->words == 2 ? "+w2"
			         : m->words    ? "+w1"
			                       : "",
			         m->extra ? "+x" : "", hex);
			done = 1;
		} else {
			r = perr(&ps, "expected a 'w' or 'sha256' line");
			goto out_free_model;
		}
		p = nl + 1;
	}
	if (!done) {
		ps.line = 0;
		if (state == H_MAGIC && len == 0)
			r = perr(&ps, "empty file");
		else
			r = perr(&ps, "no sha256 line at the end (file "
			              "truncated?)");
		goto out_free_model;
	}
	*out = m;
	return 0;
out_free_model:
	model_free(m);
	return r;
}

int model_load_file(const char *path, struct model **out, char *err,
                    size_t errlen)
{
	char *data;
	size_t len;
	int r = util_read_file(path, MODEL_MAX_FILE, &data, &len);

	*out = NULL;
	if (r < 0) {
		snprintf(err, errlen, "%s: %s", path,
		         r == -EFBIG ? "file too large" : strerror(-r));
		return r;
	}
	r = model_parse(data, len, path, out, err, errlen);
	free(data);
	return r;
}
