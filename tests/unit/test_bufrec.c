/*
 * Unit tests for lib/bufrec.c's pure part: Poisson tails against values
 * computed by hand, the smallest holdback under a target, the latency
 * window, classes and input checks.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "bufrec.h"
#include "err.h"

#define NEAR(a, b, tol)	assert_true(fabs((a) - (b)) <= (tol))

static void
test_tail_hand_computed(void **state)
{
	(void)state;
	/* 1 - e^-1 */
	NEAR(bufrec_tail(1.0, 0), 0.6321205588, 1e-9);
	/* 1 - 2 e^-1 */
	NEAR(bufrec_tail(1.0, 1), 0.2642411177, 1e-9);
	/* 1 - e^-0.5 (1 + 0.5 + 0.125) */
	NEAR(bufrec_tail(0.5, 2), 0.0143876780, 1e-9);
	/* 1 - e^-2 (1 + 2 + 2 + 4/3) */
	NEAR(bufrec_tail(2.0, 3), 0.1428765395, 1e-9);
	/* no sales expected: never above h */
	NEAR(bufrec_tail(0.0, 0), 0.0, 0);
	/* a negative holdback is always exceeded */
	NEAR(bufrec_tail(1.0, -1), 1.0, 0);
}

static void
test_units_smallest_under_target(void **state)
{
	(void)state;
	/* mu 0.5: P(N>3) = 0.00175 > 0.001, P(N>4) = 0.000172 */
	assert_int_equal(bufrec_units(0.5, 1.0, 0.001), 4);
	assert_int_equal(bufrec_units(0.5, 1.0, 0.002), 3);
	/* P(N>0) = 0.632 <= 0.7 */
	assert_int_equal(bufrec_units(1.0, 1.0, 0.7), 0);
	assert_int_equal(bufrec_units(1.0, 1.0, 0.5), 1);
	/* the chance of a buyer in the window scales it down */
	assert_int_equal(bufrec_units(1.0, 0.001, 0.001), 0);
	assert_int_equal(bufrec_units(0.0, 1.0, 0.001), 0);
}

static void
test_recommend_window(void **state)
{
	struct bufrec_channel	 ch[2] = { { 5, 5 }, { 115, 5 } };
	double			 rate[2] = { 8.64, 8.64 };	/* 0.0001/s */
	struct bufrec_out	 o;
	struct err		 e;

	(void)state;
	/* Shopify's view: Etsy's sales take 115 s to be seen plus 5 s to
	 * be pushed: mu = 0.0001 * 120 = 0.012 */
	assert_int_equal(bufrec_recommend(rate, ch, 2, 0, 0.001, &o, &e), 0);
	NEAR(o.mu, 0.012, 1e-12);
	NEAR(o.window_s, 120, 1e-9);
	/* (1 - e^-0.012)^2 = 0.000142284 <= 0.001: no buffer needed */
	assert_int_equal(o.units, 0);
	NEAR(o.p_oversell, 0.000142284, 1e-9);
	/* a stricter target needs one unit: 0.011928 * 7.143e-5 */
	assert_int_equal(bufrec_recommend(rate, ch, 2, 0, 0.0001, &o, &e), 0);
	assert_int_equal(o.units, 1);
	NEAR(o.p_oversell, 8.52e-7, 1e-8);
	/* Etsy's view: Shopify's sales are seen in 5 s + 5 s */
	assert_int_equal(bufrec_recommend(rate, ch, 2, 1, 0.001, &o, &e), 0);
	NEAR(o.mu, 0.001, 1e-12);
	assert_int_equal(o.units, 0);
	/* a fast SKU (1,000 a day elsewhere) needs several units */
	rate[1] = 1000;
	assert_int_equal(bufrec_recommend(rate, ch, 2, 0, 0.001, &o, &e), 0);
	assert_true(o.units >= 3);
	assert_true(o.p_oversell <= 0.001);
}

static void
test_recommend_rejects(void **state)
{
	struct bufrec_channel	 ch[2] = { { 5, 5 }, { 115, 5 } };
	double			 rate[2] = { 1, 1 };
	struct bufrec_out	 o;
	struct err		 e;

	(void)state;
	assert_int_equal(bufrec_recommend(rate, ch, 2, 2, 0.001, &o, &e), -1);
	assert_int_equal(e.kind, ERR_INVALID);
	assert_int_equal(bufrec_recommend(rate, ch, 0, 0, 0.001, &o, &e), -1);
	assert_int_equal(bufrec_recommend(rate, ch, 2, 0, 0, &o, &e), -1);
	assert_int_equal(bufrec_recommend(rate, ch, 2, 0, 1, &o, &e), -1);
	rate[1] = -1;
	assert_int_equal(bufrec_recommend(rate, ch, 2, 0, 0.001, &o, &e), -1);
	rate[1] = NAN;
	assert_int_equal(bufrec_recommend(rate, ch, 2, 0, 0.001, &o, &e), -1);
}

static void
test_classes_and_explain(void **state)
{
	struct bufrec_out	 o = { 2, 0.35, 300, 0.0004 };
	char			 buf[200];

	(void)state;
	assert_int_equal(bufrec_class(0.05), 0);
	assert_int_equal(bufrec_class(0.1), 1);
	assert_int_equal(bufrec_class(1.99), 2);
	assert_int_equal(bufrec_class(9), 3);
	assert_int_equal(bufrec_class(50), 4);
	assert_string_equal(bufrec_class_name(4), ">=10/day");
	assert_int_equal(bufrec_explain(&o, 0.001, buf, sizeof(buf)), 0);
	assert_non_null(strstr(buf, "holding 2"));
	assert_non_null(strstr(buf, "300 s"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tail_hand_computed),
		cmocka_unit_test(test_units_smallest_under_target),
		cmocka_unit_test(test_recommend_window),
		cmocka_unit_test(test_recommend_rejects),
		cmocka_unit_test(test_classes_and_explain),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
