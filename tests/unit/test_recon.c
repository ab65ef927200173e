/*
 * Unit tests for lib/recon.c's pure part: the discrepancy threshold and
 * the likely-cause classifier, edges included; the report's CSV.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>

#include <jansson.h>

#include "buf.h"
#include "csvw.h"
#include "recon.h"

#define NELEM(a)	(sizeof(a) / sizeof((a)[0]))

struct cls_case {
	int			 found, sold_out;
	int64_t			 shown, desired;
	int			 has_lp;
	int64_t			 lp;
	int			 unseen;
	int64_t			 threshold;
	enum recon_cause	 want;
};

static void
test_threshold(void **state)
{
	(void)state;
	assert_false(recon_over(0, 1));
	assert_true(recon_over(1, 1));
	assert_true(recon_over(-1, 1));
	assert_false(recon_over(1, 2));
	assert_false(recon_over(-1, 2));
	assert_true(recon_over(2, 2));
	assert_true(recon_over(-2, 2));
	/* a threshold below 1 counts as 1: equal is never a discrepancy */
	assert_false(recon_over(0, 0));
	assert_false(recon_over(0, -5));
	assert_true(recon_over(1, 0));
	assert_true(recon_over(INT64_MIN, 1));
	assert_true(recon_over(INT64_MAX, INT64_MAX));
}

static void
test_classify(void **state)
{
	static const struct cls_case cases[] = {
		/* clean */
		{ 1, 0, 5, 5, 1, 5, 0, 1, RECON_NONE },
		{ 1, 0, 5, 5, 1, 7, 1, 1, RECON_NONE },
		{ 1, 0, 0, 0, 0, 0, 0, 1, RECON_NONE },
		/* within a threshold of 2 */
		{ 1, 0, 6, 5, 1, 5, 0, 2, RECON_NONE },
		{ 1, 0, 4, 5, 1, 5, 0, 2, RECON_NONE },
		/* just at it */
		{ 1, 0, 7, 5, 1, 5, 0, 2, RECON_MANUAL_EDIT },
		{ 1, 0, 3, 5, 1, 5, 0, 2, RECON_MANUAL_EDIT },
		/* a manual edit up or down, no sale to explain it */
		{ 1, 0, 15, 5, 1, 5, 0, 1, RECON_MANUAL_EDIT },
		{ 1, 0, 4, 5, 1, 5, 0, 1, RECON_MANUAL_EDIT },
		/* shows less than pushed and sales are waiting */
		{ 1, 0, 3, 5, 1, 5, 1, 1, RECON_SALE_UNSEEN },
		/* shows more than pushed: not a sale, even with sales waiting */
		{ 1, 0, 8, 5, 1, 5, 1, 1, RECON_MANUAL_EDIT },
		/* the hub's figure never went out */
		{ 1, 0, 5, 3, 1, 5, 0, 1, RECON_LOST_PUSH },
		{ 1, 0, 5, 3, 0, 0, 0, 1, RECON_LOST_PUSH },
		{ 1, 0, 9, 3, 1, 5, 0, 1, RECON_LOST_PUSH },
		/* never pushed, sales waiting but nothing to compare with */
		{ 1, 0, 2, 5, 0, 0, 1, 1, RECON_LOST_PUSH },
		/* Etsy sold_out */
		{ 1, 1, 0, 4, 1, 4, 0, 1, RECON_SOLD_OUT },
		/* sold out because of a sale the hub has not seen yet */
		{ 1, 1, 0, 4, 1, 4, 1, 1, RECON_SALE_UNSEEN },
		/* sold out and the hub agrees: nothing */
		{ 1, 1, 0, 0, 1, 0, 0, 1, RECON_NONE },
		/* not on the channel, whatever the numbers */
		{ 0, 0, 0, 0, 1, 0, 0, 1, RECON_MAPPING },
		{ 0, 0, 0, 5, 1, 5, 1, 1, RECON_MAPPING },
	};
	struct recon_obs	 o;
	size_t			 i;

	(void)state;
	for (i = 0; i < NELEM(cases); i++) {
		memset(&o, 0, sizeof(o));
		o.found = cases[i].found;
		o.sold_out = cases[i].sold_out;
		o.shown = cases[i].shown;
		o.desired = cases[i].desired;
		o.has_last_pushed = cases[i].has_lp;
		o.last_pushed = cases[i].lp;
		o.unseen_sales = cases[i].unseen;
		if (recon_classify(&o, cases[i].threshold) != cases[i].want)
			fail_msg("case %zu: %s, want %s", i,
			    recon_cause_name(recon_classify(&o,
			    cases[i].threshold)),
			    recon_cause_name(cases[i].want));
	}
	assert_int_equal(recon_classify(NULL, 1), RECON_NONE);
}

static void
test_names(void **state)
{
	(void)state;
	assert_string_equal(recon_cause_name(RECON_MANUAL_EDIT),
	    "manual_edit");
	assert_string_equal(recon_cause_name(RECON_SALE_UNSEEN),
	    "sale_unseen");
	assert_string_equal(recon_cause_name(RECON_SOLD_OUT), "sold_out");
	assert_string_equal(recon_cause_label(RECON_LOST_PUSH),
	    "failed or lost push");
	assert_string_equal(recon_cause_name((enum recon_cause)99), "none");
	assert_true(recon_repairable(RECON_MANUAL_EDIT));
	assert_true(recon_repairable(RECON_LOST_PUSH));
	assert_true(recon_repairable(RECON_SOLD_OUT));
	assert_false(recon_repairable(RECON_SALE_UNSEEN));
	assert_false(recon_repairable(RECON_MAPPING));
	assert_false(recon_repairable(RECON_NONE));
}

/* CSV fields: quoted when needed, quotes doubled, formulas defused. */
static void
test_csv_field(void **state)
{
	static const struct { const char *in, *out; } c[] = {
		{ "MUG-1", "MUG-1" },
		{ "", "" },
		{ "a,b", "\"a,b\"" },
		{ "say \"hi\"", "\"say \"\"hi\"\"\"" },
		{ "two\nlines", "\"two\nlines\"" },
		{ "=HYPERLINK(\"x\")", "\"'=HYPERLINK(\"\"x\"\")\"" },
		{ "+1", "'+1" },
		{ "@SUM(A1)", "'@SUM(A1)" },
		{ "-5", "-5" },
		{ "-x", "'-x" },
	};
	struct buf	 b;
	size_t		 i;

	(void)state;
	for (i = 0; i < NELEM(c); i++) {
		buf_init(&b, 1024);
		assert_int_equal(csvw_field(&b, c[i].in, CSVW_GUARD), 0);
		assert_string_equal(b.data != NULL ? b.data : "", c[i].out);
		buf_free(&b);
	}
	buf_init(&b, 4);
	assert_int_equal(csvw_field(&b, "far too long", CSVW_GUARD), -1);
	buf_free(&b);
}

/* The report's CSV: a header, then one CRLF line per discrepancy. */
static void
test_report_csv(void **state)
{
	json_t		*rep;
	struct buf	 b;
	struct err	 e;

	(void)state;
	rep = json_pack("{s{sI} s[{sI ss ss ss ss sI sn sI sI ss ss ss ss}]}",
	    "run", "run_id", (json_int_t)7, "discrepancies", "listing_id",
	    (json_int_t)3, "account", "Shop, Inc", "sku", "MUG-1",
	    "ext_listing", "99", "ext_variant", "Color=Red", "hub_desired",
	    (json_int_t)5, "last_pushed", "channel_shows", (json_int_t)12,
	    "difference", (json_int_t)7, "cause", "manual_edit", "action",
	    "reported", "detail", "typed \"12\"", "at", "2026-11-28 10:00:00");
	assert_non_null(rep);
	buf_init(&b, 4096);
	assert_int_equal(recon_report_csv(rep, &b, &e), 0);
	assert_string_equal(b.data, "run_id,listing_id,account,sku,"
	    "ext_listing,ext_variant,hub_desired,last_pushed,channel_shows,"
	    "difference,cause,action,detail,at\r\n"
	    "7,3,\"Shop, Inc\",MUG-1,99,Color=Red,5,,12,7,manual_edit,"
	    "reported,\"typed \"\"12\"\"\",2026-11-28 10:00:00\r\n");
	buf_free(&b);
	json_decref(rep);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_threshold),
		cmocka_unit_test(test_classify),
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_csv_field),
		cmocka_unit_test(test_report_csv),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
