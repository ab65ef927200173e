/*
 * Unit tests for lib/alloc.c: per-channel safety buffers (article Step 4).
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "alloc.h"
#include "err.h"

enum { SHOPIFY, ETSY, AMAZON, EBAY, NCH };

/* The article's buffers: Shopify 5 %, Etsy/Amazon/eBay 10 %. */
static void
article_policies(struct alloc_policy p[NCH])
{
	memset(p, 0, sizeof(struct alloc_policy) * NCH);
	p[SHOPIFY].holdback_pct = 5.0;
	p[ETSY].holdback_pct = 10.0;
	p[AMAZON].holdback_pct = 10.0;
	p[EBAY].holdback_pct = 10.0;
}

static void
run(int64_t avail, const struct alloc_policy *p, size_t n, int64_t *out)
{
	struct err e;

	err_clear(&e);
	assert_int_equal(alloc_compute(avail, p, n, out, &e), 0);
	assert_int_equal(e.kind, ERR_OK);
}

static void
expect4(int64_t avail, const struct alloc_policy p[NCH], int64_t a,
    int64_t b, int64_t c, int64_t d)
{
	int64_t out[NCH] = { -7, -7, -7, -7 };

	run(avail, p, NCH, out);
	assert_int_equal(out[0], a);
	assert_int_equal(out[1], b);
	assert_int_equal(out[2], c);
	assert_int_equal(out[3], d);
}

static void
test_article_example(void **state)
{
	struct alloc_policy p[NCH];

	(void)state;
	article_policies(p);
	expect4(20, p, 19, 18, 18, 18);
	/* A priority set somewhere changes nothing while stock is ample. */
	p[SHOPIFY].priority = 5;
	expect4(20, p, 19, 18, 18, 18);
}

static void
test_zero_policy_shows_everything(void **state)
{
	struct alloc_policy p[NCH];

	(void)state;
	memset(p, 0, sizeof(p));
	expect4(7, p, 7, 7, 7, 7);
}

/* 1 unit: every buffer rounds up to 1, so the low-stock rule decides. */
static void
test_low_stock_one_unit_priority(void **state)
{
	struct alloc_policy p[NCH];

	(void)state;
	article_policies(p);
	p[SHOPIFY].priority = 1;
	expect4(1, p, 1, 0, 0, 0);
	/* Priority moved to eBay: eBay keeps the last unit. */
	p[SHOPIFY].priority = 0;
	p[EBAY].priority = 3;
	expect4(1, p, 0, 0, 0, 1);
}

static void
test_low_stock_one_unit_no_priority(void **state)
{
	struct alloc_policy p[NCH];

	(void)state;
	/* All holdbacks equal (1): the lowest index keeps the unit. */
	article_policies(p);
	expect4(1, p, 1, 0, 0, 0);

	/* Smallest holdback wins, ties go to the lowest index. */
	memset(p, 0, sizeof(p));
	p[SHOPIFY].holdback_units = 2;
	p[ETSY].holdback_units = 1;
	p[AMAZON].holdback_pct = 10.0;	/* ceil(0.1) = 1, ties with Etsy */
	p[EBAY].holdback_units = 3;
	expect4(1, p, 0, 1, 0, 0);
}

/* 2 and 3 units with the article's buffers: everyone still shows some. */
static void
test_low_stock_two_and_three_units(void **state)
{
	struct alloc_policy p[NCH];

	(void)state;
	article_policies(p);
	p[SHOPIFY].priority = 1;
	expect4(2, p, 1, 1, 1, 1);
	expect4(3, p, 2, 2, 2, 2);
	expect4(4, p, 3, 3, 3, 3);
	expect4(10, p, 9, 9, 9, 9);
	expect4(11, p, 10, 9, 9, 9);
}

static void
test_low_stock_unit_buffers(void **state)
{
	struct alloc_policy p[NCH];
	int i;

	(void)state;
	memset(p, 0, sizeof(p));
	for (i = 0; i < NCH; i++)
		p[i].holdback_units = 3;
	p[AMAZON].priority = 2;
	/* All buffers swallow the stock: only Amazon shows it, all of it. */
	expect4(1, p, 0, 0, 1, 0);
	expect4(2, p, 0, 0, 2, 0);
	expect4(3, p, 0, 0, 3, 0);
	/* 4 units: everyone shows 1, no rule needed, priority irrelevant. */
	expect4(4, p, 1, 1, 1, 1);

	/* One channel already shows something: the rule does not apply. */
	p[SHOPIFY].holdback_units = 1;
	expect4(2, p, 1, 0, 0, 0);
	expect4(3, p, 2, 0, 0, 0);
}

static void
test_low_stock_tied_priorities_all_keep(void **state)
{
	struct alloc_policy p[NCH];

	(void)state;
	article_policies(p);
	p[SHOPIFY].priority = 4;
	p[EBAY].priority = 4;
	p[ETSY].priority = 2;
	expect4(1, p, 1, 0, 0, 1);
}

static void
test_low_stock_keeper_respects_cap(void **state)
{
	struct alloc_policy p[NCH];

	(void)state;
	memset(p, 0, sizeof(p));
	p[0].holdback_units = p[1].holdback_units = 5;
	p[2].holdback_units = p[3].holdback_units = 5;
	p[ETSY].priority = 1;
	p[ETSY].capped = 1;
	p[ETSY].max_shown = 2;
	expect4(3, p, 0, 2, 0, 0);
	expect4(1, p, 0, 1, 0, 0);
}

static void
test_low_stock_switched_off_and_never(void **state)
{
	struct alloc_policy p[NCH];
	int i;

	(void)state;
	memset(p, 0, sizeof(p));
	for (i = 0; i < NCH; i++)
		p[i].holdback_units = 5;
	/* Highest priority is switched off (cap 0): the next rank keeps. */
	p[SHOPIFY].priority = 9;
	p[SHOPIFY].capped = 1;
	p[SHOPIFY].max_shown = 0;
	p[AMAZON].priority = 3;
	expect4(2, p, 0, 0, 2, 0);

	/* Negative priority: never keeps, even with the smallest buffer. */
	memset(p, 0, sizeof(p));
	for (i = 0; i < NCH; i++)
		p[i].holdback_units = 5;
	p[SHOPIFY].holdback_units = 2;
	p[SHOPIFY].priority = -1;
	p[ETSY].holdback_units = 4;
	expect4(2, p, 0, 2, 0, 0);

	/* Nobody eligible: the stock stays hidden everywhere. */
	for (i = 0; i < NCH; i++)
		p[i].priority = -1;
	expect4(2, p, 0, 0, 0, 0);
}

static void
test_zero_and_negative_available(void **state)
{
	struct alloc_policy p[NCH];

	(void)state;
	memset(p, 0, sizeof(p));
	p[SHOPIFY].priority = 1;
	expect4(0, p, 0, 0, 0, 0);
	expect4(-1, p, 0, 0, 0, 0);
	expect4(-500, p, 0, 0, 0, 0);
	expect4(INT64_MIN, p, 0, 0, 0, 0);
	assert_int_equal(alloc_holdback(&p[0], -3), 0);
}

static void
test_max_shown(void **state)
{
	struct alloc_policy p[NCH];

	(void)state;
	article_policies(p);
	p[ETSY].capped = 1;
	p[ETSY].max_shown = ALLOC_ETSY_MAX;
	expect4(2000, p, 1900, 999, 1800, 1800);
	/* Under the cap, the cap changes nothing. */
	expect4(20, p, 19, 18, 18, 18);
	/* Exactly at the cap. */
	expect4(1110, p, 1054, 999, 999, 999);
	/* A cap of 0 switches the channel off. */
	p[AMAZON].capped = 1;
	p[AMAZON].max_shown = 0;
	expect4(20, p, 19, 18, 0, 18);
	/* capped == 0: max_shown is ignored, even a negative one. */
	p[EBAY].capped = 0;
	p[EBAY].max_shown = -42;
	expect4(20, p, 19, 18, 0, 18);
}

static void
test_percent_rounding_edges(void **state)
{
	struct alloc_policy p[1];
	int64_t out[1];

	(void)state;
	memset(p, 0, sizeof(p));

	/* Exact products are not bumped up by ceil. */
	p[0].holdback_pct = 10.0;
	run(10, p, 1, out);
	assert_int_equal(out[0], 9);
	run(100, p, 1, out);
	assert_int_equal(out[0], 90);

	/* Fractions round up (ceil), never down or to nearest. */
	run(9, p, 1, out);		/* 0.9 -> 1 */
	assert_int_equal(out[0], 8);
	run(11, p, 1, out);		/* 1.1 -> 2 */
	assert_int_equal(out[0], 9);
	p[0].holdback_pct = 7.5;
	run(100, p, 1, out);		/* 7.5 -> 8 */
	assert_int_equal(out[0], 92);
	p[0].holdback_pct = 7.0;
	run(29, p, 1, out);		/* 2.03 -> 3 */
	assert_int_equal(out[0], 26);
	run(300, p, 1, out);		/* 21 exactly, float would wobble */
	assert_int_equal(out[0], 279);
	p[0].holdback_pct = 0.01;
	run(1000, p, 1, out);		/* 0.1 -> 1 */
	assert_int_equal(out[0], 999);
	run(10000, p, 1, out);		/* 1 exactly */
	assert_int_equal(out[0], 9999);

	/* Hundredths of a percent are the resolution. */
	p[0].holdback_pct = 33.33;
	run(3, p, 1, out);		/* 0.9999 -> 1 */
	assert_int_equal(out[0], 2);
	p[0].holdback_pct = 33.34;
	run(3, p, 1, out);		/* 1.0002 -> 2 */
	assert_int_equal(out[0], 1);
	/* 0.29 * 100 is 28.999... in binary: still 29 bp, i.e. 29 units. */
	p[0].holdback_pct = 0.29;
	run(10000, p, 1, out);
	assert_int_equal(out[0], 9971);
	p[0].holdback_pct = 0.57;	/* 56.999... -> 57 bp */
	run(10000, p, 1, out);
	assert_int_equal(out[0], 9943);
	p[0].holdback_pct = 0.004;	/* rounds to 0 bp: no buffer */
	run(1000000, p, 1, out);
	assert_int_equal(out[0], 1000000);

	/* 0 % and 100 %. */
	p[0].holdback_pct = 0.0;
	run(5, p, 1, out);
	assert_int_equal(out[0], 5);
	p[0].holdback_pct = 100.0;
	p[0].priority = -1;
	run(5, p, 1, out);
	assert_int_equal(out[0], 0);

	/* Huge stock stays exact. */
	p[0].holdback_pct = 50.0;
	p[0].priority = 0;
	run(ALLOC_MAX_UNITS - 1, p, 1, out);	/* 499999999999.5 -> ..500 */
	assert_int_equal(out[0], INT64_C(499999999999));
}

static void
test_units_and_percent_combined(void **state)
{
	struct alloc_policy p[1];
	int64_t out[1];

	(void)state;
	memset(p, 0, sizeof(p));
	p[0].holdback_pct = 10.0;
	p[0].holdback_units = 3;
	run(20, p, 1, out);		/* max(3, 2) = 3 */
	assert_int_equal(out[0], 17);
	assert_int_equal(alloc_holdback(&p[0], 20), 3);
	run(30, p, 1, out);		/* max(3, 3) = 3 */
	assert_int_equal(out[0], 27);
	run(50, p, 1, out);		/* max(3, 5) = 5, not 3 + 5 */
	assert_int_equal(out[0], 45);
	assert_int_equal(alloc_holdback(&p[0], 50), 5);
	/* Units larger than the stock clamp to 0 (single channel: rule). */
	p[0].holdback_units = 100;
	p[0].priority = -1;
	run(50, p, 1, out);
	assert_int_equal(out[0], 0);
	/* Single channel, no priority: it keeps the stock itself. */
	p[0].priority = 0;
	run(50, p, 1, out);
	assert_int_equal(out[0], 50);
}

static void
expect_invalid(int64_t avail, const struct alloc_policy *p, size_t n,
    const char *needle)
{
	struct err e;
	int64_t out[NCH] = { 11, 22, 33, 44 };

	err_clear(&e);
	assert_int_equal(alloc_compute(avail, p, n, out, &e), -1);
	assert_int_equal(e.kind, ERR_INVALID);
	assert_non_null(strstr(e.msg, needle));
	/* Output untouched on failure. */
	assert_int_equal(out[0], 11);
	assert_int_equal(out[3], 44);
}

static void
test_validation(void **state)
{
	struct alloc_policy p[NCH];
	int64_t out[NCH];
	struct err e;

	(void)state;
	article_policies(p);
	p[AMAZON].holdback_pct = 100.01;
	expect_invalid(20, p, NCH, "channel 2");
	p[AMAZON].holdback_pct = -0.5;
	expect_invalid(20, p, NCH, "channel 2");
	p[AMAZON].holdback_pct = NAN;
	expect_invalid(20, p, NCH, "percent");
	p[AMAZON].holdback_pct = INFINITY;
	expect_invalid(20, p, NCH, "percent");
	/* Validation happens even when available <= 0. */
	expect_invalid(0, p, NCH, "percent");
	expect_invalid(-3, p, NCH, "percent");

	article_policies(p);
	p[EBAY].holdback_units = -1;
	expect_invalid(20, p, NCH, "channel 3");
	p[EBAY].holdback_units = ALLOC_MAX_UNITS + 1;
	expect_invalid(20, p, NCH, "units");

	article_policies(p);
	p[SHOPIFY].capped = 1;
	p[SHOPIFY].max_shown = -1;
	expect_invalid(20, p, NCH, "channel 0");

	article_policies(p);
	expect_invalid(ALLOC_MAX_UNITS + 1, p, NCH, "available");
	expect_invalid(20, NULL, NCH, "no channels");

	/* The limits themselves are fine. */
	p[SHOPIFY].holdback_pct = 100.0;
	p[ETSY].holdback_pct = 0.0;
	p[AMAZON].holdback_units = ALLOC_MAX_UNITS;
	run(ALLOC_MAX_UNITS, p, NCH, out);
	assert_int_equal(out[SHOPIFY], 0);
	assert_int_equal(out[ETSY], ALLOC_MAX_UNITS);

	/* NULL output with channels: invalid. n == 0: nothing to do. */
	err_clear(&e);
	assert_int_equal(alloc_compute(5, p, NCH, NULL, &e), -1);
	assert_int_equal(e.kind, ERR_INVALID);
	assert_int_equal(alloc_compute(5, NULL, 0, NULL, &e), 0);
	/* e may be NULL. */
	p[0].holdback_pct = 101.0;
	assert_int_equal(alloc_compute(5, p, NCH, out, NULL), -1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_article_example),
		cmocka_unit_test(test_zero_policy_shows_everything),
		cmocka_unit_test(test_low_stock_one_unit_priority),
		cmocka_unit_test(test_low_stock_one_unit_no_priority),
		cmocka_unit_test(test_low_stock_two_and_three_units),
		cmocka_unit_test(test_low_stock_unit_buffers),
		cmocka_unit_test(test_low_stock_tied_priorities_all_keep),
		cmocka_unit_test(test_low_stock_keeper_respects_cap),
		cmocka_unit_test(test_low_stock_switched_off_and_never),
		cmocka_unit_test(test_zero_and_negative_available),
		cmocka_unit_test(test_max_shown),
		cmocka_unit_test(test_percent_rounding_edges),
		cmocka_unit_test(test_units_and_percent_combined),
		cmocka_unit_test(test_validation),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
