/*
 * chart: server-rendered SVG step charts (no script), written through
 * the html writer so every name and label is escaped. Used by the
 * per-SKU history page: available stock and each channel's shown
 * quantity over time. Pure: no I/O, no allocation, no global state.
 *
 * A series is a list of (time, value) points in time order; the value
 * holds from its time until the next point (a step line), and the last
 * value holds until the chart's end time. The chart has a <title> and a
 * <desc> (role="img", aria-labelledby), a y axis from min(0, lowest) to
 * the highest value with whole-number ticks, an x axis with the start,
 * middle and end times (UTC), and a legend with each series' name and
 * last value.
 *
 * Ownership: the caller owns the series and their points; chart_svg()
 * only reads them.
 */
#ifndef STOCKHUB_CHART_H
#define STOCKHUB_CHART_H

#include <stddef.h>
#include <stdint.h>

#include "html.h"

#define CHART_SERIES_MAX	8
#define CHART_W			640
#define CHART_H			280

/* Plot area inside the CHART_W x CHART_H picture. */
#define CHART_LEFT		48
#define CHART_RIGHT		16
#define CHART_TOP		16
#define CHART_BOTTOM		56

struct chart_point {
	int64_t	 t;	/* unix seconds */
	int64_t	 v;
};

struct chart_series {
	const char			*name;
	const struct chart_point	*pts;
	size_t				 n;
};

/* x pixel of time t on a chart from t0 to t1 (t clamped into it). */
int	chart_x(int64_t t, int64_t t0, int64_t t1);

/* y pixel of value v on a y axis from vmin to vmax (clamped). */
int	chart_y(int64_t v, int64_t vmin, int64_t vmax);

/*
 * Write the <svg> for ns series (at most CHART_SERIES_MAX; more is an
 * error) between times t0 and t1 (t1 < t0 is an error; t1 == t0 is a
 * chart of one instant). id makes the element ids unique on the page
 * ([a-z0-9-], written as is). Every series without points is listed in
 * the legend as "no data"; when none has any, the chart says so.
 * Returns 0, or -1 for bad arguments (nothing written then); writer
 * failures are sticky in h as usual.
 */
int	chart_svg(struct html *h, const char *id, const char *title,
	    const char *desc, const struct chart_series *s, size_t ns,
	    int64_t t0, int64_t t1);

#endif
