/*
 * report_svg.c — the inline SVG charts of the HTML report: category
 * assignments per day, accounts opened per year by role, and the follower
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

/* ----------------------------------------------------------- SVG charts */

static const char *const category_colors[] = {
    "#d95f02", "#7570b3", "#1b9e77", "#e7298a",
    "#66a61e", "#e6ab02", "#a6761d", "#666666",
};
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

int report_chart_days(struct buf *b, const json_t *report)
{
	const json_t *days = json_object_get(report, "days"),
	             *cats = json_object_get(report, "categories");
	size_t nb = json_array_size(days), ns = json_object_size(cats), i, j;
	const char **labels = calloc(nb + 1, sizeof(*labels)),
	           **series = calloc(ns + 1, sizeof(*series)),
	           **colors = calloc(ns + 1, sizeof(*colors));
	int64_t *values = calloc(nb * ns + 1, sizeof(*values));
	struct chart c = {"category assignments per day",
	                  nb,
	                  labels,
	                  ns,
	                  series,
	                  colors,
	                  values};
	const char *key;
	json_t *v;
	int rc = -ENOMEM;

	if (!labels || !series || !colors || !values)
		goto out_free;
	j = 0;
	json_object_foreach((json_t *)cats, key, v)
	{
		(void)v;
		series[j] = key;
		colors[j] =
		    category_colors[j < ARRAY_SIZE(category_colors)
		                        ? j
		                        : ARRAY_SIZE(category_colors) - 1];
		j++;
	}
	for (i = 0; i < nb; i++) {
		const json_t *d = json_array_get(days, i);

		labels[i] = report_jstr(d, "day") ? report_jstr(d, "day") : "";
		for (j = 0; j < ns; j++)
			values[i * ns + j] = report_jint(
			    json_object_get(d, "categories"), series[j]);
	}
	rc = render_chart(b, &c);
out_free:
	free(labels);
	free(series);
	free(colors);
	free(values);
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
		goto out_free;
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
out_free:
	free(names);
	free(labels);
	free(values);
	return rc;
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

int report_chart_followers(struct buf *b, const json_t *curves)
{
	const double W = 720, H = 260, left = 64, right = 20, top = 12,
	             plot_h = 170;
	size_t ncur = 0, ndays = 0, cap = 0, i, j, k,
	       n = json_object_size(curves);
	struct curve *cv = calloc(n + 1, sizeof(*cv));
	const char **days = NULL;
	double min = 0, max = 0;
	bool any = false;
	const char *h;
	json_t *pts;
	int rc = -ENOMEM;

	if (!cv)
		return -ENOMEM;
	json_object_foreach((json_t *)curves, h, pts)
	{
		size_t np = json_array_size(pts);

		if (!np)
			continue;
		cv[ncur++] =
		    (struct curve){h, pts,
		                   (int64_t)json_integer_value(json_array_get(
		                       json_array_get(pts, np - 1), 1))};
	}
	qsort(cv, ncur, sizeof(*cv), cmp_curve);
	if (ncur > ARRAY_SIZE(line_colors))
		ncur = ARRAY_SIZE(line_colors);
	for (i = 0; i < ncur; i++) {
		for (j = 0; j < json_array_size(cv[i].pts); j++) {
			const json_t *pt = json_array_get(cv[i].pts, j);
			double v =
			    (double)json_integer_value(json_array_get(pt, 1));
			const char *d =
			    json_string_value(json_array_get(pt, 0));

			if (!d)
				continue;
			if (!any || v < min)
				min = v;
			if (!any || v > max)
				max = v;
			any = true;
			if (ndays == cap) {
				size_t nc = cap ? cap * 2 : 64;
				const char **g = realloc(days, nc * sizeof(*g));

				if (!g)
					goto out_free;
				days = g;
				cap = nc;
			}
			days[ndays++] = d;
		}
	}
	if (!any) {
		rc =
		    buf_puts(b, "<p>(no follower counts in this period)</p>\n");
		goto out_free;
	}
	qsort(days, ndays, sizeof(*days), cmp_cstr);
	for (i = k = 0; i < ndays; i++)
		if (k == 0 || strcmp(days[k - 1], days[i]) != 0)
			days[k++] = days[i];
	ndays = k;
	if (max <= min) {
		max = min + 1;
		min = min - 1;
	}
	rc =
	    buf_printf(b,
	               "<svg xmlns=\"http://www.w3.org/2000/svg\" "
	               "viewBox=\"0 0 %.0f %.0f\" width=\"%.0f\" "
	               "height=\"%.0f\" role=\"img\" aria-label=\"follower "
	               "curves\">\n<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" "
	               "y2=\"%.1f\" stroke=\"#444\"/>\n<text x=\"%.1f\" "
	               "y=\"%.1f\" class=\"ax\" text-anchor=\"end\">%.0f</text>"
	               "\n<text x=\"%.1f\" y=\"%.1f\" class=\"ax\" "
	               "text-anchor=\"end\">%.0f</text>\n",
	               W, H, W, H, left, top + plot_h, W - right, top + plot_h,
	               left - 4, top + 10, max, left - 4, top + plot_h, min);
	for (i = 0; i < ncur && rc == 0; i++) {
		size_t np = json_array_size(cv[i].pts);

		rc = buf_printf(b,
		                "<polyline fill=\"none\" stroke=\"%s\" "
		                "stroke-width=\"3\" points=\"",
		                line_colors[i]);
		for (j = 0; j < np && rc == 0; j++) {
			const json_t *pt = json_array_get(cv[i].pts, j);
			const char *d =
			    json_string_value(json_array_get(pt, 0));
			const char **pos = d ? bsearch(&d, days, ndays,
			                               sizeof(*days), cmp_cstr)
			                     : NULL;
			double v = (double)json_integer_value(
			           json_array_get(pt, 1)),
			       x, y;

			if (!pos)
				continue;
			x = ndays > 1 ? left + (double)(pos - days) *
			                           (W - left - right) /
			                           (double)(ndays - 1)
			              : left + (W - left - right) / 2;
			y = top + plot_h - (v - min) / (max - min) * plot_h;
			rc = buf_printf(b, "%s%.1f,%.1f", j ? " " : "", x, y);
			/* A lone point would draw nothing: widen it. */
			if (rc == 0 && np == 1)
				rc = buf_printf(b, " %.1f,%.1f", x + 6, y);
		}
		if (rc == 0)
			rc = buf_puts(b, "\"><title>");
		if (rc == 0)
			rc = report_put_esc(b, cv[i].handle, REPORT_ESC_HTML,
			                    60);
		if (rc == 0)
			rc = buf_puts(b, "</title></polyline>\n");
	}
	for (i = 0; i < 2 && rc == 0 && ndays; i++) {
		rc = buf_printf(b,
		                "<text x=\"%.1f\" y=\"%.1f\" class=\"ax\" "
		                "text-anchor=\"%s\">",
		                i ? W - right : left, top + plot_h + 14,
		                i ? "end" : "start");
		if (rc == 0)
			rc = report_put_esc(b, days[i ? ndays - 1 : 0],
			                    REPORT_ESC_HTML, 0);
		if (rc == 0)
			rc = buf_puts(b, "</text>\n");
	}
	for (i = 0; i < ncur && rc == 0; i++) {
		double lx = left + (double)(i % 4) * 165,
		       ly = top + plot_h + 34 + (double)(i / 4) * 18;

		rc = buf_printf(b,
		                "<rect x=\"%.1f\" y=\"%.1f\" width=\"10\" "
		                "height=\"10\" fill=\"%s\"/><text x=\"%.1f\" "
		                "y=\"%.1f\" class=\"lg\">",
		                lx, ly - 9, line_colors[i], lx + 14, ly);
		if (rc == 0)
			rc = report_put_esc(b, cv[i].handle, REPORT_ESC_HTML,
			                    22);
		if (rc == 0)
			rc = buf_puts(b, "</text>\n");
	}
	if (rc == 0)
		rc = buf_puts(b, "</svg>\n");
out_free:
	free(cv);
	free(days);
	return rc;
}
