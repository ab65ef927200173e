/*
 * Unit tests for lib/chart.c: scaling of times and values to pixels,
 * step paths, escaping of names and titles, an empty chart, a chart of
 * one point, and bad arguments.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "buf.h"
#include "chart.h"
#include "html.h"

#define PLOT_W	(CHART_W - CHART_LEFT - CHART_RIGHT)
#define PLOT_H	(CHART_H - CHART_TOP - CHART_BOTTOM)

static void
test_scaling(void **state)
{
	(void)state;
	assert_int_equal(chart_x(100, 100, 200), CHART_LEFT);
	assert_int_equal(chart_x(200, 100, 200), CHART_LEFT + PLOT_W);
	assert_int_equal(chart_x(150, 100, 200), CHART_LEFT + PLOT_W / 2);
	assert_int_equal(chart_x(50, 100, 200), CHART_LEFT);	/* clamped */
	assert_int_equal(chart_x(999, 100, 200), CHART_LEFT + PLOT_W);
	assert_int_equal(chart_x(5, 5, 5), CHART_LEFT);		/* one instant */
	assert_int_equal(chart_y(0, 0, 10), CHART_TOP + PLOT_H);
	assert_int_equal(chart_y(10, 0, 10), CHART_TOP);
	assert_int_equal(chart_y(5, 0, 10), CHART_TOP + PLOT_H / 2);
	assert_int_equal(chart_y(-3, -3, 7), CHART_TOP + PLOT_H);
	assert_int_equal(chart_y(0, -10, 10), CHART_TOP + PLOT_H / 2);
	assert_int_equal(chart_y(99, 0, 10), CHART_TOP);
}

static char *
render(const struct chart_series *s, size_t ns, int64_t t0, int64_t t1,
    const char *title, int *rc, struct buf *b)
{
	struct html	 h;

	buf_init(b, 256 * 1024);
	html_init(&h, b);
	*rc = chart_svg(&h, "c1", title, "a description", s, ns, t0, t1);
	assert_false(html_failed(&h));
	return b->data != NULL ? b->data : (char *)"";
}

static void
test_steps_and_escaping(void **state)
{
	static const struct chart_point av[] = { { 1000, 4 }, { 1500, 2 } };
	static const struct chart_point sh[] = { { 1200, 3 } };
	const struct chart_series s[] = {
		{ "available", av, 2 },
		{ "<Shop & \"Co\">", sh, 1 },
	};
	struct buf	 b;
	char		*out, want[128];
	int		 rc;

	(void)state;
	out = render(s, 2, 1000, 2000, "Stock of <MUG>", &rc, &b);
	assert_int_equal(rc, 0);
	assert_non_null(strstr(out, "<svg "));
	assert_non_null(strstr(out, "role=\"img\""));
	assert_non_null(strstr(out, "<title id=\"c1-title\">Stock of "
	    "&lt;MUG&gt;</title>"));
	assert_non_null(strstr(out, "<desc id=\"c1-desc\">a description"
	    "</desc>"));
	assert_non_null(strstr(out, "&lt;Shop &amp; &quot;Co&quot;&gt;: "
	    "last 3"));
	assert_null(strstr(out, "<Shop"));
	/* available: starts at (t0, 4), steps to 2 at the middle, runs on
	 * to the end; the y axis goes 0..4 */
	snprintf(want, sizeof(want), "d=\"M%d %d H%d V%d H%d\"", CHART_LEFT,
	    CHART_TOP, CHART_LEFT + PLOT_W / 2, CHART_TOP + PLOT_H / 2,
	    CHART_LEFT + PLOT_W);
	assert_non_null(strstr(out, want));
	/* the channel's line starts at its own first point */
	snprintf(want, sizeof(want), "d=\"M%d %d H%d\"", CHART_LEFT +
	    PLOT_W / 5, chart_y(3, 0, 4), CHART_LEFT + PLOT_W);
	assert_non_null(strstr(out, want));
	/* whole-number ticks 0..4 and the time labels (UTC) */
	assert_non_null(strstr(out, ">0</text>"));
	assert_non_null(strstr(out, ">4</text>"));
	assert_non_null(strstr(out, ">1970-01-01 00:16:40</text>"));
	assert_non_null(strstr(out, "time (UTC)"));
	assert_null(strstr(out, "No data yet"));
	buf_free(&b);
}

static void
test_empty(void **state)
{
	const struct chart_series s[] = { { "available", NULL, 0 } };
	struct buf	 b;
	char		*out;
	int		 rc;

	(void)state;
	out = render(s, 1, 0, 7200, "empty", &rc, &b);
	assert_int_equal(rc, 0);
	assert_non_null(strstr(out, "No data yet"));
	assert_non_null(strstr(out, "available: no data"));
	assert_null(strstr(out, "<path"));
	/* over an hour: minutes are enough */
	assert_non_null(strstr(out, ">1970-01-01 02:00</text>"));
	assert_non_null(strstr(out, "</svg>"));
	buf_free(&b);
	out = render(NULL, 0, 0, 0, "nothing at all", &rc, &b);
	assert_int_equal(rc, 0);
	assert_non_null(strstr(out, "No data yet"));
	buf_free(&b);
}

static void
test_one_point(void **state)
{
	static const struct chart_point p[] = { { 500, 7 } };
	const struct chart_series s[] = { { "only", p, 1 } };
	struct buf	 b;
	char		*out, want[64];
	int		 rc;

	(void)state;
	out = render(s, 1, 500, 500, "one", &rc, &b);
	assert_int_equal(rc, 0);
	snprintf(want, sizeof(want), "d=\"M%d %d H%d\"", CHART_LEFT, CHART_TOP,
	    CHART_LEFT);
	assert_non_null(strstr(out, want));
	assert_non_null(strstr(out, "only: last 7"));
	buf_free(&b);
}

static void
test_negative_values(void **state)
{
	static const struct chart_point p[] = { { 0, -2 }, { 10, 3 } };
	const struct chart_series s[] = { { "oversold", p, 2 } };
	struct buf	 b;
	char		*out;
	int		 rc;

	(void)state;
	out = render(s, 1, 0, 20, "neg", &rc, &b);
	assert_int_equal(rc, 0);
	assert_non_null(strstr(out, ">-2</text>"));
	assert_non_null(strstr(out, ">0</text>"));
	buf_free(&b);
}

static void
test_bad_arguments(void **state)
{
	const struct chart_series s[] = { { "x", NULL, 2 } };
	struct chart_series many[CHART_SERIES_MAX + 1];
	struct buf	 b;
	int		 rc;

	(void)state;
	memset(many, 0, sizeof(many));
	(void)render(s, 1, 0, 10, "t", &rc, &b);
	assert_int_equal(rc, -1);
	assert_int_equal(b.len, 0);
	buf_free(&b);
	(void)render(many, CHART_SERIES_MAX + 1, 0, 10, "t", &rc, &b);
	assert_int_equal(rc, -1);
	buf_free(&b);
	(void)render(NULL, 0, 10, 0, "t", &rc, &b);
	assert_int_equal(rc, -1);
	buf_free(&b);
	(void)render(NULL, 0, 0, 10, NULL, &rc, &b);
	assert_int_equal(rc, -1);
	buf_free(&b);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_scaling),
		cmocka_unit_test(test_steps_and_escaping),
		cmocka_unit_test(test_empty),
		cmocka_unit_test(test_one_point),
		cmocka_unit_test(test_negative_values),
		cmocka_unit_test(test_bad_arguments),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
