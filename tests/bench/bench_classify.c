/* bench_classify.c — classification throughput on one core: the texts of
 * ../shared/eval/dev.tsv classified over and over with the shipped
 * lexicons.  Prints posts/s and MB/s.
 * Usage: bench_classify [SECONDS]   run for that much wall time (default 3)
 *        bench_classify -r ROUNDS   run exactly ROUNDS passes over the set,
 *                                   for repeatable instruction counts
 *                                   under valgrind --tool=callgrind
 *        bench_classify -m MODEL [SECONDS | -r ROUNDS]
 *                                   the same with a trained model attached
 *                                   (weight 0.5), to price the model */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "classify.h"
#include "model.h"
#include "test.h"
#include "util.h"

/* CPU time of this process in microseconds: on a shared machine the
 * wall clock also counts the time other processes held the core. */
static int64_t cpu_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

int main(int argc, char **argv)
{
	double secs = 3.0;
	long rounds = 0, round = 0;
	char path[1024], dir[1024], err[512], *data, *s, *end;
	char **texts = NULL, **langs = NULL;
	size_t n = 0, cap = 0, len, bytes = 0, i;
	struct classify_rules *R;
	long posts = 0, assigned = 0;
	int64_t t0, t1, c0, c1;

	const char *model = NULL;

	if (argc > 2 && strcmp(argv[1], "-m") == 0) {
		model = argv[2];
		argc -= 2;
		argv += 2;
	}
	if (argc > 2 && strcmp(argv[1], "-r") == 0)
		rounds = atol(argv[2]);
	else if (argc > 1)
		secs = atof(argv[1]);
	snprintf(dir, sizeof(dir), "%s/config/rules", test_source_dir());
	if (classify_rules_load(dir, &R, err, sizeof(err)) < 0) {
		fprintf(stderr, "bench_classify: %s\n", err);
		return 1;
	}
	if (model) {
		struct model *m;

		if (model_load_file(model, &m, err, sizeof(err)) < 0 ||
		    classify_rules_attach_model(R, m, 0.5, err, sizeof(err)) <
		        0) {
			fprintf(stderr, "bench_classify: %s\n", err);
			return 1;
		}
		printf("bench_classify: with model %s\n", model_version(m));
	}
	snprintf(path, sizeof(path), "%s/eval/dev.tsv", test_shared_dir());
	if (util_read_file(path, 0, &data, &len) < 0) {
		fprintf(stderr, "bench_classify: cannot read %s\n", path);
		return 1;
	}
	for (s = data, end = data + len; s < end;) {
		char *nl = memchr(s, '\n', (size_t)(end - s)), *f[4];
		int k;

		if (nl)
			*nl = '\0';
		f[0] = s;
		s = nl ? nl + 1 : end;
		for (k = 1; k < 4; k++) {
			f[k] = strchr(f[k - 1], '\t');
			if (!f[k])
				break;
			*f[k]++ = '\0';
		}
		if (k < 4)
			continue;
		if (n == cap) {
			char **t, **l;

			cap = cap ? cap * 2 : 512;
			t = realloc(texts, cap * sizeof(*texts));
			if (!t)
				return 1;
			texts = t;
			l = realloc(langs, cap * sizeof(*langs));
			if (!l)
				return 1;
			langs = l;
		}
		texts[n] = f[3];
		langs[n] = f[2];
		n++;
	}
	if (n == 0)
		return 1;
	t0 = util_now_us();
	c0 = cpu_us();
	do {
		for (i = 0; i < n; i++) {
			struct classify_result res;

			if (classify_text(R, texts[i], langs[i], &res) < 0)
				return 1;
			assigned += (long)res.n_cats;
			classify_result_clear(&res);
			bytes += strlen(texts[i]);
			posts++;
		}
		t1 = util_now_us();
		round++;
	} while (rounds > 0 ? round < rounds : (double)(t1 - t0) < secs * 1e6);
	c1 = cpu_us();
	printf("bench_classify: %ld posts (avg %.0f bytes) in %.2f s: "
	       "%.0f posts/s, %.1f MB/s (%ld categories assigned)\n",
	       posts, (double)bytes / (double)posts, (double)(t1 - t0) / 1e6,
	       (double)posts * 1e6 / (double)(t1 - t0),
	       (double)bytes / (double)(t1 - t0), assigned);
	printf("bench_classify: by CPU time (%.2f s): %.0f posts/s on one "
	       "core\n",
	       (double)(c1 - c0) / 1e6,
	       (double)posts * 1e6 / (double)(c1 - c0));
	free(texts);
	free(langs);
	free(data);
	classify_rules_free(R);
	return 0;
}
