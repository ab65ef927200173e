/*
 * Unit tests for lib/budget.c: the Etsy call budget split, the
 * per-second limiter, the adaptive polling interval and the cost table.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "budget.h"

static void
test_names(void **unused)
{
	enum budget_purpose	 p = BUDGET_NONE;

	(void)unused;
	assert_string_equal(budget_purpose_name(BUDGET_POLL), "poll");
	assert_string_equal(budget_purpose_name(BUDGET_RECON), "recon");
	assert_null(budget_purpose_name(BUDGET__MAX));
	assert_int_equal(budget_purpose_parse("push", &p), 0);
	assert_int_equal(p, BUDGET_PUSH);
	assert_int_equal(budget_purpose_parse("none", &p), -1);
	assert_int_equal(budget_purpose_parse("Poll", &p), -1);
	assert_int_equal(budget_purpose_parse(NULL, &p), -1);
}

static void
test_split(void **unused)
{
	struct budget_split	 s;

	(void)unused;
	budget_split_default(&s);
	assert_int_equal(budget_split_valid(&s), 0);
	/* the default fits 10,000 a day: 6,500 / 2,000 / 1,000 */
	assert_int_equal(budget_share(10000, &s, BUDGET_POLL), 6500);
	assert_int_equal(budget_share(10000, &s, BUDGET_PUSH), 2000);
	assert_int_equal(budget_share(10000, &s, BUDGET_RECON), 1000);
	assert_int_equal(budget_share(10000, &s, BUDGET_NONE), 0);
	/* polling every 15 s all day fits the poll share */
	assert_true(86400 / 15 < budget_share(10000, &s, BUDGET_POLL));
	/* rounded down, never above the day */
	assert_int_equal(budget_share(99, &s, BUDGET_POLL), 64);
	assert_int_equal(budget_share(INT64_MAX, &s, BUDGET_PUSH),
	    INT64_MAX / 100 * 20 + INT64_MAX % 100 * 20 / 100);
	s.pct[BUDGET_RECON] = 16;
	assert_int_equal(budget_split_valid(&s), -1);
	s.pct[BUDGET_RECON] = -1;
	assert_int_equal(budget_split_valid(&s), -1);
}

static void
test_check(void **unused)
{
	struct budget_split	 s;

	(void)unused;
	budget_split_default(&s);
	assert_int_equal(budget_check(10000, &s, BUDGET_PUSH, 1999, -1),
	    BUDGET_OK);
	assert_int_equal(budget_check(10000, &s, BUDGET_PUSH, 2000, -1),
	    BUDGET_SHARE_SPENT);
	/* another purpose's use does not count */
	assert_int_equal(budget_check(10000, &s, BUDGET_RECON, 0, 5),
	    BUDGET_OK);
	assert_int_equal(budget_check(10000, &s, BUDGET_POLL, 0, 0),
	    BUDGET_DAY_SPENT);
	/* an untagged call has no share */
	assert_int_equal(budget_check(10000, &s, BUDGET_NONE, 0, -1),
	    BUDGET_SHARE_SPENT);
}

static void
test_second(void **unused)
{
	(void)unused;
	/* room in the window: go */
	assert_int_equal(budget_second_wait(5000250, 5000100, 9, 10), 0);
	/* full: until the oldest leaves it (a second and the margin) */
	assert_int_equal(budget_second_wait(5000250, 5000100, 10, 10),
	    5000100 + BUDGET_WINDOW_MS - 5000250);
	assert_true(BUDGET_WINDOW_MS > 1000);
	/* overfull by other processes: the same rule, never 0 */
	assert_int_equal(budget_second_wait(5001200, 5000100, 12, 10), 1);
	assert_int_equal(budget_second_wait(5000000, 4999900, 1, 0),
	    4999900 + BUDGET_WINDOW_MS - 5000000);
	assert_int_equal(budget_day_left(86400 * 20000), 86400);
	assert_int_equal(budget_day_left(86400 * 20000 + 86399), 1);
}

static void
test_interval(void **unused)
{
	struct budget_cadence	 c;
	int64_t			 now = 86400 * 20000 + 3600;

	(void)unused;
	budget_cadence_default(&c);
	c.now = now;
	/* never sold: quiet */
	assert_int_equal(budget_interval(&c), 300);
	c.last_sale = now - 600;
	assert_int_equal(budget_interval(&c), 15);	/* busy */
	c.last_sale = now - 7200;
	assert_int_equal(budget_interval(&c), 60);	/* normal */
	c.last_sale = now - 2 * 86400;
	assert_int_equal(budget_interval(&c), 300);	/* quiet */
	c.high_traffic = 1;
	assert_int_equal(budget_interval(&c), 15);
	/* never below the minimum */
	c.busy_s = 5;
	assert_int_equal(budget_interval(&c), 15);
	c.min_s = 30;
	assert_int_equal(budget_interval(&c), 30);
	c.min_s = 15;
	c.busy_s = 15;
	/* 82,800 s left in the day and 1,000 calls: one per 83 s at most */
	c.poll_left = 1000;
	assert_int_equal(budget_interval(&c), 83);
	/* the sweep's reserve is not spent on polls */
	c.reserve = 500;
	assert_int_equal(budget_interval(&c), 166);
	/* plenty left: the cadence decides */
	c.poll_left = 100000;
	c.reserve = 0;
	assert_int_equal(budget_interval(&c), 15);
	/* nothing left: wait for the new day */
	c.poll_left = 0;
	assert_int_equal(budget_interval(&c), 82800);
}

static void
test_cost(void **unused)
{
	struct budget_cost_in	 in;
	struct budget_cost	 o;
	struct budget_split	 s;

	(void)unused;
	budget_split_default(&s);
	budget_cost_default(&in);
	/* the article's table: polls a day at 30 s, 2, 5 and 15 min */
	in.interval_s = 30;
	assert_int_equal(budget_cost_compute(&in, &s, &o), 0);
	assert_int_equal(o.polls, 2880);
	in.interval_s = 120;
	assert_int_equal(budget_cost_compute(&in, &s, &o), 0);
	assert_int_equal(o.polls, 720);
	in.interval_s = 900;
	assert_int_equal(budget_cost_compute(&in, &s, &o), 0);
	assert_int_equal(o.polls, 96);
	/* 500 listings, 50 orders, 60 s: 1,440 polls + 48 sweeps of 1 + 4
	 * pages; 100 push calls; 500 recon reads; 24 refreshes */
	in.interval_s = 60;
	assert_int_equal(budget_cost_compute(&in, &s, &o), 0);
	assert_int_equal(o.calls[BUDGET_POLL], 1440 + 48 * 5);
	assert_int_equal(o.calls[BUDGET_PUSH], 100);
	assert_int_equal(o.calls[BUDGET_RECON], 500);
	assert_int_equal(o.total, 1680 + 100 + 500 + 24);
	assert_true(o.fits);
	/* 15 s busy all day still fits 10,000 */
	in.interval_s = 15;
	assert_int_equal(budget_cost_compute(&in, &s, &o), 0);
	assert_true(o.fits);
	assert_true(o.total <= 10000);
	/* 5 s does not */
	in.interval_s = 5;
	assert_int_equal(budget_cost_compute(&in, &s, &o), 0);
	assert_false(o.fits);
	/* a busy shop's window needs more pages */
	in.interval_s = 60;
	in.orders_per_day = 20000;
	assert_int_equal(budget_cost_compute(&in, &s, &o), 0);
	assert_true(o.calls[BUDGET_POLL] > 1440 * 2);
	assert_false(o.fits);
	in.interval_s = 0;
	assert_int_equal(budget_cost_compute(&in, &s, &o), -1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_split),
		cmocka_unit_test(test_check),
		cmocka_unit_test(test_second),
		cmocka_unit_test(test_interval),
		cmocka_unit_test(test_cost),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
