/*
 * chart: SVG step charts through the html writer (see chart.h).
 */
#include <string.h>
#include <time.h>

#include "chart.h"
#include "html.h"

#define PLOT_W	(CHART_W - CHART_LEFT - CHART_RIGHT)
#define PLOT_H	(CHART_H - CHART_TOP - CHART_BOTTOM)

/* Distinguishable colours, also for the common colour-vision types
 * (Okabe-Ito); the first is the hub's own figure. */
static const char *const colours[CHART_SERIES_MAX] = {
	"#000000", "#e69f00", "#0072b2", "#009e73",
	"#cc79a7", "#d55e00", "#56b4e9", "#f0e442",
};

/* Dash patterns, so series differ without colour too. */
static const char *const dashes[CHART_SERIES_MAX] = {
	"", "6 3", "2 2", "8 2 2 2", "4 4", "1 3", "10 4", "3 6",
};

int
chart_x(int64_t t, int64_t t0, int64_t t1)
{
	if (t1 <= t0 || t <= t0)
		return CHART_LEFT;
	if (t >= t1)
		return CHART_LEFT + PLOT_W;
	return CHART_LEFT + (int)((t - t0) * PLOT_W / (t1 - t0));
}

int
chart_y(int64_t v, int64_t vmin, int64_t vmax)
{
	if (vmax <= vmin || v <= vmin)
		return CHART_TOP + PLOT_H;
	if (v >= vmax)
		return CHART_TOP;
	return CHART_TOP + PLOT_H - (int)((v - vmin) * PLOT_H / (vmax - vmin));
}

static int
id_ok(const char *id)
{
	if (id == NULL || *id == '\0' || strlen(id) > 32)
		return 0;
	for (; *id != '\0'; id++)
		if (!((*id >= 'a' && *id <= 'z') || (*id >= '0' && *id <= '9') ||
		    *id == '-'))
			return 0;
	return 1;
}

/* Seconds too when the chart spans an hour or less. */
static void
time_label(char *out, size_t outsz, int64_t t, int64_t span)
{
	struct tm	 tm;
	time_t		 tt = (time_t)t;

	if (gmtime_r(&tt, &tm) == NULL || strftime(out, outsz, span <= 3600 ?
	    "%Y-%m-%d %H:%M:%S" : "%Y-%m-%d %H:%M", &tm) == 0)
		out[0] = '\0';
}

/* A tick step for a range: 1, 2, 5, 10, 20, 50, ... giving <= 6 ticks. */
static int64_t
tick_step(int64_t range)
{
	int64_t	 step = 1;

	for (;;) {
		if (range / step <= 5)
			return step;
		if (range / (step * 2) <= 5)
			return step * 2;
		if (range / (step * 5) <= 5)
			return step * 5;
		step *= 10;
	}
}

static void
axes(struct html *h, int64_t vmin, int64_t vmax, int64_t t0, int64_t t1)
{
	char	 lab[32];
	int64_t	 step, v;
	int	 y, x;

	html_printf(h, "<g class=\"axes\" font-size=\"11\" fill=\"#333\">"
	    "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#333\"/>"
	    "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#333\"/>",
	    CHART_LEFT, CHART_TOP, CHART_LEFT, CHART_TOP + PLOT_H,
	    CHART_LEFT, CHART_TOP + PLOT_H, CHART_LEFT + PLOT_W,
	    CHART_TOP + PLOT_H);
	step = tick_step(vmax - vmin);
	/* ticks at multiples of step from the first one >= vmin */
	v = vmin >= 0 ? ((vmin + step - 1) / step) * step :
	    -((-vmin) / step) * step;
	for (; v <= vmax; v += step) {
		y = chart_y(v, vmin, vmax);
		html_printf(h, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" "
		    "stroke=\"#ddd\"/><text x=\"%d\" y=\"%d\" "
		    "text-anchor=\"end\">%D</text>", CHART_LEFT, y,
		    CHART_LEFT + PLOT_W, y, CHART_LEFT - 6, y + 4, v);
	}
	for (int i = 0; i < 3; i++) {
		v = t0 + (t1 - t0) * i / 2;
		x = chart_x(v, t0, t1);
		time_label(lab, sizeof(lab), v, t1 - t0);
		html_printf(h, "<text x=\"%d\" y=\"%d\" text-anchor=\"%s\">%s"
		    "</text>", x, CHART_TOP + PLOT_H + 16,
		    i == 0 ? "start" : i == 1 ? "middle" : "end", lab);
		if (i == 1 && t1 == t0)
			break;
	}
	html_printf(h, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">"
	    "time (UTC)</text></g>", CHART_LEFT + PLOT_W / 2,
	    CHART_TOP + PLOT_H + 30);
}

static void
step_path(struct html *h, const struct chart_series *s, size_t k,
    int64_t vmin, int64_t vmax, int64_t t0, int64_t t1)
{
	size_t	 i;

	html_printf(h, "<path fill=\"none\" stroke=\"%s\" stroke-width=\"2\"",
	    colours[k]);
	if (dashes[k][0] != '\0')
		html_printf(h, " stroke-dasharray=\"%s\"", dashes[k]);
	html_printf(h, " d=\"M%d %d", chart_x(s->pts[0].t, t0, t1),
	    chart_y(s->pts[0].v, vmin, vmax));
	for (i = 1; i < s->n; i++)
		html_printf(h, " H%d V%d", chart_x(s->pts[i].t, t0, t1),
		    chart_y(s->pts[i].v, vmin, vmax));
	html_printf(h, " H%d\"/>", chart_x(t1, t0, t1));
}

int
chart_svg(struct html *h, const char *id, const char *title,
    const char *desc, const struct chart_series *s, size_t ns, int64_t t0,
    int64_t t1)
{
	int64_t	 vmin = 0, vmax = 1;
	size_t	 k, i, npts = 0;
	int	 ly;

	if (h == NULL || !id_ok(id) || title == NULL || ns > CHART_SERIES_MAX ||
	    (ns > 0 && s == NULL) || t1 < t0)
		return -1;
	for (k = 0; k < ns; k++) {
		if (s[k].n > 0 && s[k].pts == NULL)
			return -1;
		for (i = 0; i < s[k].n; i++) {
			if (s[k].pts[i].v < vmin)
				vmin = s[k].pts[i].v;
			if (s[k].pts[i].v > vmax)
				vmax = s[k].pts[i].v;
		}
		npts += s[k].n;
	}
	html_printf(h, "<svg xmlns=\"http://www.w3.org/2000/svg\" "
	    "role=\"img\" viewBox=\"0 0 %d %d\" width=\"100%%\" "
	    "aria-labelledby=\"%s-title %s-desc\" class=\"chart\">"
	    "<title id=\"%s-title\">%s</title><desc id=\"%s-desc\">%s</desc>",
	    CHART_W, CHART_H + 24 * (int)((ns + 1) / 2), id, id, id, title, id,
	    desc != NULL ? desc : "");
	html_printf(h, "<rect x=\"0\" y=\"0\" width=\"%d\" height=\"%d\" "
	    "fill=\"#fff\"/>", CHART_W, CHART_H + 24 * (int)((ns + 1) / 2));
	axes(h, vmin, vmax, t0, t1);
	if (npts == 0)
		html_printf(h, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\" "
		    "font-size=\"14\">No data yet</text>",
		    CHART_LEFT + PLOT_W / 2, CHART_TOP + PLOT_H / 2);
	for (k = 0; k < ns; k++)
		if (s[k].n > 0)
			step_path(h, &s[k], k, vmin, vmax, t0, t1);
	/* the legend: two per row under the axes */
	html_printf(h, "<g class=\"legend\" font-size=\"12\" fill=\"#1a1a1a\">");
	for (k = 0; k < ns; k++) {
		ly = CHART_H - 8 + 24 * (int)(k / 2);
		html_printf(h, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" "
		    "stroke=\"%s\" stroke-width=\"3\"", CHART_LEFT +
		    (int)(k % 2) * (PLOT_W / 2), ly, CHART_LEFT +
		    (int)(k % 2) * (PLOT_W / 2) + 24, ly, colours[k]);
		if (dashes[k][0] != '\0')
			html_printf(h, " stroke-dasharray=\"%s\"", dashes[k]);
		html_printf(h, "/><text x=\"%d\" y=\"%d\">%s: ", CHART_LEFT +
		    (int)(k % 2) * (PLOT_W / 2) + 30, ly + 4,
		    s[k].name != NULL ? s[k].name : "");
		if (s[k].n > 0)
			html_printf(h, "last %D</text>", s[k].pts[s[k].n - 1].v);
		else
			html_printf(h, "no data</text>");
	}
	html_printf(h, "</g></svg>\n");
	return 0;
}
