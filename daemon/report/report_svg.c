/*
 * report_svg.c — the inline SVG charts of the HTML report: posts per day
 * on a date axis, accounts opened per year by role, and the follower
 * curves of the largest accounts.  Self-contained markup (no scripts, no
 * external files), so a mailed report renders offline.
 */
#include "report_int.h"

#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "date.h"

/* ----------------------------------------------------------- SVG charts */

static const char *const role_colors[] = {
    "#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b",
};

/* A stacked bar chart: one bar per label, one stack segment per series.
 * value(i, j) gives bar i's amount of series j. */
struct chart {
	const char *title;         /* for aria-label */
	size_t nbars;              /* bars */
	const char *const *labels; /* nbars x-axis labels */
	size_t nseries;            /* segments per bar */
	const char *const *series; /* nseries legend names */
	const char *const *colors; /* colour of each series */
	const int64_t *values;     /* nbars * nseries, row-major */
};

static int render_chart(struct buf *b, const struct chart *c)
{
	const double W = 720, H = 260, left = 44, right = 36, top = 12,
	             plot_h = 170;
	double bw, max = 0, x, y, h;
	size_t i, j, step;
	int rc;

	for (i = 0; i < c->nbars; i++) {
		double sum = 0;

		for (j = 0; j < c->nseries; j++)
			sum += (double)c->values[i * c->nseries + j];
		if (sum > max)
			max = sum;
	}
	if (c->nbars == 0)
		return buf_puts(b, "<p>(no data)</p>\n");
	if (max <= 0)
		max = 1;
	bw = (W - left - right) / (double)c->nbars;
	rc = buf_printf(b,
	                "<svg xmlns=\"http://www.w3.org/2000/svg\" "
	                "viewBox=\"0 0 %.0f %.0f\" width=\"%.0f\" "
	                "height=\"%.0f\" role=\"img\" aria-label=\"",
	                W, H, W, H);
	if (rc == 0)
		rc = report_put_esc(b, c->title, REPORT_ESC_HTML, 0);
	if (rc == 0)
		rc = buf_printf(
		    b,
		    "\">\n<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" "
		    "y2=\"%.1f\" stroke=\"#444\"/>\n<text x=\"%.1f\" "
		    "y=\"%.1f\" class=\"ax\" text-anchor=\"end\">%.0f</text>\n"
		    "<text x=\"%.1f\" y=\"%.1f\" class=\"ax\" "
		    "text-anchor=\"end\">0</text>\n",
		    left, top + plot_h, W - right, top + plot_h, left - 4,
		    top + 10, max, left - 4, top + plot_h);
	for (i = 0; i < c->nbars && rc == 0; i++) {
		y = top + plot_h;
		x = left + (double)i * bw;
		for (j = 0; j < c->nseries && rc == 0; j++) {
			int64_t v = c->values[i * c->nseries + j];

			if (v <= 0)
				continue;
			h = plot_h * (double)v / max;
			y -= h;
			rc = buf_printf(b,
			                "<rect x=\"%.1f\" y=\"%.1f\" "
			                "width=\"%.1f\" height=\"%.1f\" "
			                "fill=\"%s\"><title>",
			                x + bw * 0.1, y, bw * 0.8, h,
			                c->colors[j]);
			if (rc == 0)
				rc = report_put_esc(b, c->labels[i],
				                    REPORT_ESC_HTML, 0);
			if (rc == 0)
				rc = buf_puts(b, " ");
			if (rc == 0)
				rc = report_put_esc(b, c->series[j],
				                    REPORT_ESC_HTML, 0);
			if (rc == 0)
				rc = buf_printf(b, ": %lld</title></rect>\n",
				                (long long)v);
		}
	}
	/* At most about ten x-axis labels, so they never overlap. */
	step = c->nbars / 10 + 1;
	for (i = 0; i < c->nbars && rc == 0; i += step) {
		rc = buf_printf(b,
		                "<text x=\"%.1f\" y=\"%.1f\" class=\"ax\" "
		                "text-anchor=\"middle\">",
		                left + ((double)i + 0.5) * bw,
		                top + plot_h + 14);
		if (rc == 0)
			rc =
			    report_put_esc(b, c->labels[i], REPORT_ESC_HTML, 0);
		if (rc == 0)
			rc = buf_puts(b, "</text>\n");
	}
	for (j = 0; j < c->nseries && rc == 0; j++) {
		double lx = left + (double)(j % 4) * 165,
		       ly = top + plot_h + 34 + (double)(j / 4) * 18;

		rc = buf_printf(b,
		                "<rect x=\"%.1f\" y=\"%.1f\" width=\"10\" "
		                "height=\"10\" fill=\"%s\"/><text x=\"%.1f\" "
		                "y=\"%.1f\" class=\"lg\">",
		                lx, ly - 9, c->colors[j], lx + 14, ly);
		if (rc == 0)
			rc = report_put_esc(b, c->series[j], REPORT_ESC_HTML,
			                    40);
		if (rc == 0)
			rc = buf_puts(b, "</text>\n");
	}
	return rc ? rc : buf_puts(b, "</svg>\n");
}

/* The UTC day number of "YYYY-MM-DD", or INT64_MIN. */
static int64_t day_number(const char *iso)
{
	int y, m, d;

	if (!iso || sscanf(iso, "%4d-%2d-%2d", &y, &m, &d) != 3)
		return INT64_MIN;
	return report_day_of(util_timegm(y, m, d, 0, 0, 0));
}

/* The geometry of the day chart. */
struct day_geom {
	double left;   /* x of the axis */
	double top;    /* y of the plot's top */
	double plot_h; /* height of the plot */
	double bw;     /* width of a day */
	double max;    /* posts at the top of the plot */
	size_t n;      /* days on the axis */
	int64_t first; /* the first day's number */
	int64_t need;  /* days a label needs, so that none overlap */
	int step;      /* weeks (n <= 120) or months between ticks */
};

/* A date label is 10 characters of 12 px text: about 72 px, and a gap. */
#define LABEL_PX 80.0

/* The ticks of the axis: every day for two weeks ("MM-DD"), else Mondays
 * every `step` weeks, else the first of every `step` months ("YYYY-MM"),
 * the step the least that keeps labels LABEL_PX apart. */
static void day_ticks(struct day_geom *g)
{
	static const int months[] = {1, 2, 3, 6, 12, 24, 60, 120};
	size_t i;

	g->need = (int64_t)(LABEL_PX / g->bw) + 1;
	g->step = 1;
	if (g->n <= 14)
		return;
	if (g->n <= 120) {
		while ((int64_t)g->step * 7 < g->need)
			g->step++;
		return;
	}
	for (i = 0; i < ARRAY_SIZE(months) - 1 &&
	            (int64_t)months[i] * 30 < g->need * 7 / 10;
	     i++)
		;
	g->step = months[i];
}

/* Whether day has a tick (and its label). */
static bool is_tick(const struct day_geom *g, int64_t day)
{
	char iso[DATE_RFC3339_LEN];
	int64_t to_monday;
	int month, year;

	if (g->n <= 14)
		return true;
	if (g->n <= 120) {
		/* The first day is labelled too when the first Monday is far
		 * enough from it. */
		to_monday = (7 - ((g->first + 3) % 7 + 7) % 7) % 7;
		if (day == g->first)
			return to_monday == 0 || to_monday >= g->need;
		return (day + 3) % 7 == 0 &&
		       ((day - g->first - to_monday) / 7) % g->step == 0;
	}
	date_format_rfc3339(day * DAY, iso);
	if (iso[8] != '0' || iso[9] != '1')
		return false;
	year = atoi(iso);
	month = atoi(iso + 5);
	return ((year * 12 + month - 1) % g->step) == 0;
}

static const char *const day_names[2] = {"classified", "not classified"};
static const char *const day_colors[2] = {"#08519c", "#bdd7e7"};

/* Day i of n (day number first + i): its stacked bar, and its tick and
 * label when it has one. */
static int day_bar(struct buf *b, const struct day_geom *g, size_t i,
                   int64_t posts, int64_t cls)
{
	const int64_t first = g->first;
	const size_t n = g->n;
	double x = g->left + (double)i * g->bw, y = g->top + g->plot_h, h;
	double gap = g->bw > 3 ? g->bw * 0.15 : 0;
	char iso[DATE_RFC3339_LEN];
	int64_t part[2] = {cls, posts - cls};
	int k, rc = 0;

	date_format_rfc3339((first + (int64_t)i) * DAY, iso);
	iso[10] = '\0';
	for (k = 0; k < 2 && rc == 0; k++) {
		if (part[k] <= 0)
			continue;
		h = g->plot_h * (double)part[k] / g->max;
		y -= h;
		rc =
		    buf_printf(b,
		               "<rect x=\"%.2f\" y=\"%.2f\" width=\"%.2f\" "
		               "height=\"%.2f\" fill=\"%s\"><title>%s: %lld of "
		               "%lld post%s %s</title></rect>\n",
		               x + gap, y, g->bw - 2 * gap, h, day_colors[k],
		               iso, (long long)part[k], (long long)posts,
		               posts == 1 ? "" : "s", day_names[k]);
	}
	if (rc == 0 && is_tick(g, first + (int64_t)i)) {
		/* Long spans are labelled by month, short ones by day. */
		if (n > 120)
			iso[7] = '\0';
		rc = buf_printf(b,
		                "<line x1=\"%.2f\" y1=\"%.1f\" x2=\"%.2f\" "
		                "y2=\"%.1f\" stroke=\"#444\"/>\n"
		                "<text x=\"%.2f\" y=\"%.1f\" class=\"ax\" "
		                "text-anchor=\"middle\">%s</text>\n",
		                x + g->bw / 2, g->top + g->plot_h,
		                x + g->bw / 2, g->top + g->plot_h + 4,
		                x + g->bw / 2, g->top + g->plot_h + 18,
		                n <= 14 ? iso + 5 : iso);
	}
	return rc;
}

/* Posts per day on a real date axis: one bar per calendar day from the
 * first to the last day listed (quiet days are gaps, not squeezed out),
 * split into posts with a category and posts without. */
int report_chart_days(struct buf *b, const json_t *report)
{
	const double W = 720, H = 270, left = 48, right = 16, top = 16,
	             plot_h = 180;
	const json_t *days = json_object_get(report, "days");
	size_t nd = json_array_size(days), n, i;
	int64_t first, last, *posts = NULL, *cls = NULL, max = 0;
	struct day_geom g;
	double bw;
	int rc = -ENOMEM;

	first = nd ? day_number(report_jstr(json_array_get(days, 0), "day"))
	           : INT64_MIN;
	last = nd ? day_number(report_jstr(json_array_get(days, nd - 1), "day"))
	          : INT64_MIN;
	if (nd == 0 || first == INT64_MIN || last < first ||
	    last - first > 40000)
		return buf_puts(b, "<p>(no data)</p>\n");
	n = (size_t)(last - first + 1);
	posts = calloc(n, sizeof(*posts));
	cls = calloc(n, sizeof(*cls));
	if (!posts || !cls)
		goto out_free_days;
	for (i = 0; i < nd; i++) {
		const json_t *d = json_array_get(days, i);
		int64_t k = day_number(report_jstr(d, "day"));

		if (k < first || k > last)
			continue;
		posts[k - first] = report_jint(d, "posts");
		cls[k - first] = report_jint(d, "posts_classified");
		if (posts[k - first] > max)
			max = posts[k - first];
	}
	if (max <= 0)
		max = 1;
	bw = (W - left - right) / (double)n;
	g = (struct day_geom){left, top,   plot_h, bw, (double)max,
	                      n,    first, 0,      1};
	day_ticks(&g);
	rc = buf_printf(
	    b,
	    "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 %.0f "
	    "%.0f\" width=\"%.0f\" height=\"%.0f\" role=\"img\" "
	    "aria-label=\"posts per day\">\n"
	    "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" "
	    "stroke=\"#444\"/>\n"
	    "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" "
	    "stroke=\"#444\"/>\n"
	    "<text x=\"%.1f\" y=\"%.1f\" class=\"ax\" "
	    "text-anchor=\"end\">%lld</text>\n"
	    "<text x=\"%.1f\" y=\"%.1f\" class=\"ax\" "
	    "text-anchor=\"end\">0</text>\n"
	    "<text x=\"%.1f\" y=\"%.1f\" class=\"ax\" "
	    "text-anchor=\"start\">posts</text>\n",
	    W, H, W, H, left, top + plot_h, W - right, top + plot_h, left, top,
	    left, top + plot_h, left - 4, top + 5, (long long)max, left - 4,
	    top + plot_h + 4, left + 4, top + 8);
	for (i = 0; i < n && rc == 0; i++)
		rc = day_bar(b, &g, i, posts[i], cls[i]);
	for (i = 0; i < 2 && rc == 0; i++)
		rc = buf_printf(b,
		                "<rect x=\"%.1f\" y=\"%.1f\" width=\"12\" "
		                "height=\"12\" fill=\"%s\"/><text x=\"%.1f\" "
		                "y=\"%.1f\" class=\"lg\">posts %s</text>\n",
		                left + (double)i * 200, top + plot_h + 40,
		                day_colors[i], left + (double)i * 200 + 18,
		                top + plot_h + 51, day_names[i]);
	if (rc == 0)
		rc = buf_puts(b, "</svg>\n");
out_free_days:
	free(posts);
	free(cls);
	return rc;
}

int report_chart_years(struct buf *b, const json_t *years)
{
	const size_t ns = ARRAY_SIZE(report_role_keys);
	const char *year, *first = NULL, *last = NULL;
	char(*names)[8] = NULL;
	const char **labels = NULL;
	int64_t *values = NULL;
	size_t nb = 0, i, j;
	long y0 = 0, y1 = 0;
	json_t *yo;
	int rc = -ENOMEM;

	json_object_foreach((json_t *)years, year, yo)
	{
		if (!first)
			first = year;
		last = year;
	}
	if (first) {
		y0 = strtol(first, NULL, 10);
		y1 = strtol(last, NULL, 10);
		nb = y1 >= y0 && y1 - y0 < 300 ? (size_t)(y1 - y0 + 1) : 0;
	}
	names = calloc(nb + 1, sizeof(*names));
	labels = calloc(nb + 1, sizeof(*labels));
	values = calloc(nb * ns + 1, sizeof(*values));
	if (!names || !labels || !values)
		goto out_free_arrays;
	for (i = 0; i < nb; i++) {
		snprintf(names[i], sizeof(names[i]), "%ld", y0 + (long)i);
		labels[i] = names[i];
		yo = json_object_get(years, names[i]);
		for (j = 0; j < ns; j++)
			values[i * ns + j] =
			    report_jint(yo, report_role_keys[j]);
	}
	{
		struct chart c = {
		    "accounts opened per year", nb,          labels, ns,
		    report_role_keys,           role_colors, values};

		rc = render_chart(b, &c);
	}
out_free_arrays:
	free(names);
	free(labels);
	free(values);
	return rc;
}

/* ------------------------------------------------------ category chart */

/* One colour per category in report order: the codebook's four keep
 * theirs; categories a rules folder adds take the next (16 distinct, the
 * most a rules folder defines), and keys beyond, found in the log only,
 * cycle through them. */
static const char *const category_colors[] = {
    "#c0392b", "#2471a3", "#d68910", "#7d3c98", "#148f77", "#a04000",
    "#2e4053", "#b03a6e", "#1e8449", "#6c3483", "#b7950b", "#5d6d7e",
    "#117a8b", "#922b21", "#1a5276", "#7e5109",
};

/* One category's row: its key, a bar for the period's count, a thin one
 * under it for the previous period's, and the count. */
static int category_row(struct buf *b, const char *key, const json_t *cat,
                        size_t i, double y, double scale)
{
	const double label_w = 200, bar_x = label_w + 8;
	int64_t n = report_jint(cat, "count"), p = report_jint(cat, "previous");
	const char *color = category_colors[i % ARRAY_SIZE(category_colors)];
	int rc;

	rc = buf_printf(b,
	                "<text x=\"%.1f\" y=\"%.1f\" class=\"ax\" "
	                "text-anchor=\"end\">",
	                label_w, y + 12);
	if (rc == 0)
		rc = report_put_esc(b, key, REPORT_ESC_HTML, 32);
	if (rc == 0)
		rc = buf_printf(b,
		                "</text>\n<rect x=\"%.1f\" y=\"%.1f\" "
		                "width=\"%.1f\" height=\"12\" fill=\"%s\">"
		                "<title>",
		                bar_x, y + 2, (double)n * scale, color);
	if (rc == 0)
		rc = report_put_esc(b, key, REPORT_ESC_HTML, 0);
	if (rc == 0)
		rc =
		    buf_printf(b,
		               ": %lld (previous period %lld)</title></rect>\n"
		               "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" "
		               "height=\"3\" fill=\"#999\"/>\n"
		               "<text x=\"%.1f\" y=\"%.1f\" class=\"ax\">"
		               "%lld</text>\n",
		               (long long)n, (long long)p, bar_x, y + 15,
		               (double)p * scale, bar_x + (double)n * scale + 4,
		               y + 12, (long long)n);
	return rc;
}

int report_chart_categories(struct buf *b, const json_t *report)
{
	const json_t *cats = json_object_get(report, "categories");
	const double W = 720, row = 22, top = 6, bar_w = 440;
	const char *key;
	json_t *cat;
	int64_t max = 1;
	size_t n = 0;
	int rc;

	json_object_foreach((json_t *)cats, key, cat)
	{
		int64_t c = report_jint(cat, "count"),
		        p = report_jint(cat, "previous");

		max = c > max ? c : max;
		max = p > max ? p : max;
		n++;
	}
	if (n == 0)
		return 0;
	rc = buf_printf(b,
	                "<svg xmlns=\"http://www.w3.org/2000/svg\" "
	                "viewBox=\"0 0 %.0f %.0f\" width=\"%.0f\" "
	                "height=\"%.0f\" role=\"img\" aria-label=\""
	                "posts per category (thin bars: previous period)\">\n",
	                W, top * 2 + row * (double)n, W,
	                top * 2 + row * (double)n);
	n = 0;
	json_object_foreach((json_t *)cats, key, cat)
	{
		if (rc == 0)
			rc = category_row(b, key, cat, n, top + row * (double)n,
			                  bar_w / (double)max);
		n++;
	}
	return rc ? rc : buf_puts(b, "</svg>\n");
}

/* Line colours of the follower curves (distinct from the bar charts'). */
static const char *const line_colors[] = {
    "#0b7285", "#c92a2a", "#5f3dc4", "#2b8a3e",
    "#e67700", "#862e9c", "#364fc7", "#a61e4d",
};

/* A follower curve picked for the chart. */
struct curve {
	const char *handle; /* borrowed from the model */
	const json_t *pts;  /* [[day, followers], ...] */
	int64_t last;       /* followers at the end */
};

static int cmp_curve(const void *a, const void *b)
{
	const struct curve *x = a, *y = b;

	if (x->last != y->last)
		return x->last > y->last ? -1 : 1;
	return strcmp(x->handle, y->handle);
}

static int cmp_cstr(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* The geometry of the follower chart. */
#define FOL_W      720.0
#define FOL_H      260.0
#define FOL_LEFT   64.0
#define FOL_RIGHT  20.0
#define FOL_TOP    12.0
#define FOL_PLOT_H 170.0

/* The follower chart being drawn: its curves, the sorted distinct days
 * they cover, and the range of their counts. */
struct fol_plot {
	struct curve *cv;  /* largest accounts first */
	size_t ncur;       /* at most ARRAY_SIZE(line_colors) */
	const char **days; /* borrowed from the model */
	size_t ndays;
	double min, max;
};

/* Appends day d to the plot's days. */
static int fol_add_day(struct fol_plot *pl, size_t *cap, const char *d)
{
	if (pl->ndays == *cap) {
		size_t nc = *cap ? *cap * 2 : 64;
		const char **g = realloc(pl->days, nc * sizeof(*g));

		if (!g)
			return -ENOMEM;
		pl->days = g;
		*cap = nc;
	}
	pl->days[pl->ndays++] = d;
	return 0;
}

/* Picks the curves of the largest accounts and collects their days and
 * range.  Returns 0, 1 when no curve has a point, or -ENOMEM. */
static int fol_collect(struct fol_plot *pl, const json_t *curves)
{
	size_t cap = 0, i, j, k;
	bool any = false;
	const char *h;
	json_t *pts;

	json_object_foreach((json_t *)curves, h, pts)
	{
		size_t np = json_array_size(pts);

		if (!np)
			continue;
		pl->cv[pl->ncur++] =
		    (struct curve){h, pts,
		                   (int64_t)json_integer_value(json_array_get(
		                       json_array_get(pts, np - 1), 1))};
	}
	qsort(pl->cv, pl->ncur, sizeof(*pl->cv), cmp_curve);
	if (pl->ncur > ARRAY_SIZE(line_colors))
		pl->ncur = ARRAY_SIZE(line_colors);
	for (i = 0; i < pl->ncur; i++) {
		for (j = 0; j < json_array_size(pl->cv[i].pts); j++) {
			const json_t *pt = json_array_get(pl->cv[i].pts, j);
			double v =
			    (double)json_integer_value(json_array_get(pt, 1));
			const char *d =
			    json_string_value(json_array_get(pt, 0));

			if (!d)
				continue;
			if (!any || v < pl->min)
				pl->min = v;
			if (!any || v > pl->max)
				pl->max = v;
			any = true;
			if (fol_add_day(pl, &cap, d) < 0)
				return -ENOMEM;
		}
	}
	if (!any)
		return 1;
	qsort(pl->days, pl->ndays, sizeof(*pl->days), cmp_cstr);
	for (i = k = 0; i < pl->ndays; i++)
		if (k == 0 || strcmp(pl->days[k - 1], pl->days[i]) != 0)
			pl->days[k++] = pl->days[i];
	pl->ndays = k;
	if (pl->max <= pl->min) {
		pl->max = pl->min + 1;
		pl->min = pl->min - 1;
	}
	return 0;
}

/* The polyline of curve i, its points placed by day and count. */
static int fol_polyline(struct buf *b, const struct fol_plot *pl, size_t i)
{
	size_t np = json_array_size(pl->cv[i].pts), j;
	int rc;

	rc = buf_printf(b,
	                "<polyline fill=\"none\" stroke=\"%s\" "
	                "stroke-width=\"3\" points=\"",
	                line_colors[i]);
	for (j = 0; j < np && rc == 0; j++) {
		const json_t *pt = json_array_get(pl->cv[i].pts, j);
		const char *d = json_string_value(json_array_get(pt, 0));
		const char **pos = d ? bsearch(&d, pl->days, pl->ndays,
		                               sizeof(*pl->days), cmp_cstr)
		                     : NULL;
		double v = (double)json_integer_value(json_array_get(pt, 1)), x,
		       y;

		if (!pos)
			continue;
		x = pl->ndays > 1
		        ? FOL_LEFT + (double)(pos - pl->days) *
		                         (FOL_W - FOL_LEFT - FOL_RIGHT) /
		                         (double)(pl->ndays - 1)
		        : FOL_LEFT + (FOL_W - FOL_LEFT - FOL_RIGHT) / 2;
		y = FOL_TOP + FOL_PLOT_H -
		    (v - pl->min) / (pl->max - pl->min) * FOL_PLOT_H;
		rc = buf_printf(b, "%s%.1f,%.1f", j ? " " : "", x, y);
		/* A lone point would draw nothing: widen it. */
		if (rc == 0 && np == 1)
			rc = buf_printf(b, " %.1f,%.1f", x + 6, y);
	}
	if (rc == 0)
		rc = buf_puts(b, "\"><title>");
	if (rc == 0)
		rc = report_put_esc(b, pl->cv[i].handle, REPORT_ESC_HTML, 60);
	if (rc == 0)
		rc = buf_puts(b, "</title></polyline>\n");
	return rc;
}

/* The first and last day under the axis, and the legend. */
static int fol_labels(struct buf *b, const struct fol_plot *pl)
{
	size_t i;
	int rc = 0;

	for (i = 0; i < 2 && rc == 0 && pl->ndays; i++) {
		rc = buf_printf(b,
		                "<text x=\"%.1f\" y=\"%.1f\" class=\"ax\" "
		                "text-anchor=\"%s\">",
		                i ? FOL_W - FOL_RIGHT : FOL_LEFT,
		                FOL_TOP + FOL_PLOT_H + 14, i ? "end" : "start");
		if (rc == 0)
			rc = report_put_esc(b, pl->days[i ? pl->ndays - 1 : 0],
			                    REPORT_ESC_HTML, 0);
		if (rc == 0)
			rc = buf_puts(b, "</text>\n");
	}
	for (i = 0; i < pl->ncur && rc == 0; i++) {
		double lx = FOL_LEFT + (double)(i % 4) * 165,
		       ly = FOL_TOP + FOL_PLOT_H + 34 + (double)(i / 4) * 18;

		rc = buf_printf(b,
		                "<rect x=\"%.1f\" y=\"%.1f\" width=\"10\" "
		                "height=\"10\" fill=\"%s\"/><text x=\"%.1f\" "
		                "y=\"%.1f\" class=\"lg\">",
		                lx, ly - 9, line_colors[i], lx + 14, ly);
		if (rc == 0)
			rc = report_put_esc(b, pl->cv[i].handle,
			                    REPORT_ESC_HTML, 22);
		if (rc == 0)
			rc = buf_puts(b, "</text>\n");
	}
	return rc;
}

int report_chart_followers(struct buf *b, const json_t *curves)
{
	struct fol_plot pl = {0};
	size_t i;
	int rc;

	pl.cv = calloc(json_object_size(curves) + 1, sizeof(*pl.cv));
	if (!pl.cv)
		return -ENOMEM;
	rc = fol_collect(&pl, curves);
	if (rc != 0) {
		if (rc > 0)
			rc = buf_puts(b, "<p>(no follower counts in this "
			                 "period)</p>\n");
		goto out_free_plot;
	}
	rc = buf_printf(
	    b,
	    "<svg xmlns=\"http://www.w3.org/2000/svg\" "
	    "viewBox=\"0 0 %.0f %.0f\" width=\"%.0f\" "
	    "height=\"%.0f\" role=\"img\" aria-label=\"follower "
	    "curves\">\n<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" "
	    "y2=\"%.1f\" stroke=\"#444\"/>\n<text x=\"%.1f\" "
	    "y=\"%.1f\" class=\"ax\" text-anchor=\"end\">%.0f</text>"
	    "\n<text x=\"%.1f\" y=\"%.1f\" class=\"ax\" "
	    "text-anchor=\"end\">%.0f</text>\n",
	    FOL_W, FOL_H, FOL_W, FOL_H, FOL_LEFT, FOL_TOP + FOL_PLOT_H,
	    FOL_W - FOL_RIGHT, FOL_TOP + FOL_PLOT_H, FOL_LEFT - 4, FOL_TOP + 10,
	    pl.max, FOL_LEFT - 4, FOL_TOP + FOL_PLOT_H, pl.min);
	for (i = 0; i < pl.ncur && rc == 0; i++)
		rc = fol_polyline(b, &pl, i);
	if (rc == 0)
		rc = fol_labels(b, &pl);
	if (rc == 0)
		rc = buf_puts(b, "</svg>\n");
out_free_plot:
	free(pl.cv);
	free(pl.days);
	return rc;
}
