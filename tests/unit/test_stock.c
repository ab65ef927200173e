/*
 * Unit tests for lib/stock.c: the arithmetic of every movement kind, its
 * refusals and bounds, oversell accounting, SKU validation and kind names.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>

#include "err.h"
#include "stock.h"

#define NELEM(a)	(sizeof(a) / sizeof((a)[0]))
#define QMAX		STOCK_QTY_MAX

struct apply_case {
	int64_t		 on_hand, committed;	/* start balance */
	enum stock_kind	 kind;
	int64_t		 qty;
	int		 rc;			/* 0 or -1 */
	enum err_kind	 ek;			/* on -1 */
	int64_t		 want_on_hand, want_committed, want_oversold;
};

/* a refusal: the balance must stay as it was */
#define NO(oh, cm, k, q, ek)	{ oh, cm, k, q, -1, ek, oh, cm, 0 }
#define OK(oh, cm, k, q, woh, wcm, wov) \
	{ oh, cm, k, q, 0, ERR_OK, woh, wcm, wov }

static void
test_apply_table(void **state)
{
	static const struct apply_case cases[] = {
		/* receive */
		OK(0, 0, STOCK_RECEIVE, 5, 5, 0, 0),
		OK(3, 2, STOCK_RECEIVE, 1, 4, 2, 0),
		OK(0, 4, STOCK_RECEIVE, 10, 10, 4, 0),	/* covers a short */
		OK(0, 0, STOCK_RECEIVE, QMAX, QMAX, 0, 0),
		NO(0, 0, STOCK_RECEIVE, 0, ERR_INVALID),
		NO(5, 0, STOCK_RECEIVE, -1, ERR_INVALID),
		NO(0, 0, STOCK_RECEIVE, QMAX + 1, ERR_INVALID),
		NO(1, 0, STOCK_RECEIVE, QMAX, ERR_INVALID),	/* total > max */
		NO(0, 0, STOCK_RECEIVE, INT64_MAX, ERR_INVALID),
		NO(0, 0, STOCK_RECEIVE, INT64_MIN, ERR_INVALID),

		/* count: sets on_hand, keeps committed */
		OK(10, 4, STOCK_COUNT, 7, 7, 4, 0),
		OK(10, 4, STOCK_COUNT, 0, 0, 4, 0),	/* 0 is a valid count */
		OK(2, 4, STOCK_COUNT, 50, 50, 4, 0),
		OK(0, 0, STOCK_COUNT, QMAX, QMAX, 0, 0),
		OK(7, 0, STOCK_COUNT, 7, 7, 0, 0),
		NO(10, 4, STOCK_COUNT, -1, ERR_INVALID),
		NO(10, 4, STOCK_COUNT, QMAX + 1, ERR_INVALID),

		/* adjust: either sign, never 0, never below zero */
		OK(10, 0, STOCK_ADJUST, 3, 13, 0, 0),
		OK(10, 2, STOCK_ADJUST, -3, 7, 2, 0),
		OK(10, 2, STOCK_ADJUST, -10, 0, 2, 0),	/* exactly to 0 */
		OK(QMAX, 0, STOCK_ADJUST, -QMAX, 0, 0, 0),
		NO(10, 2, STOCK_ADJUST, -11, ERR_CONFLICT),
		NO(10, 0, STOCK_ADJUST, 0, ERR_INVALID),
		NO(QMAX, 0, STOCK_ADJUST, -QMAX - 1, ERR_INVALID),
		NO(0, 0, STOCK_ADJUST, QMAX + 1, ERR_INVALID),
		NO(QMAX, 0, STOCK_ADJUST, 1, ERR_INVALID),	/* total > max */

		/* commit: never refused for lack of stock */
		OK(10, 0, STOCK_COMMIT, 4, 10, 4, 0),
		OK(10, 4, STOCK_COMMIT, 6, 10, 10, 0),	/* exactly available */
		OK(10, 4, STOCK_COMMIT, 7, 10, 11, 1),	/* one beyond */
		OK(3, 0, STOCK_COMMIT, 10, 3, 10, 7),
		OK(0, 0, STOCK_COMMIT, 2, 0, 2, 2),
		OK(2, 5, STOCK_COMMIT, 4, 2, 9, 4),	/* already short by 3 */
		OK(0, 1, STOCK_COMMIT, 1, 0, 2, 1),
		OK(0, 0, STOCK_COMMIT, QMAX, 0, QMAX, QMAX),
		NO(10, 0, STOCK_COMMIT, 0, ERR_INVALID),
		NO(10, 0, STOCK_COMMIT, -1, ERR_INVALID),
		NO(10, 0, STOCK_COMMIT, QMAX + 1, ERR_INVALID),
		NO(10, 1, STOCK_COMMIT, QMAX, ERR_INVALID),	/* total > max */

		/* release */
		OK(10, 4, STOCK_RELEASE, 4, 10, 0, 0),
		OK(10, 4, STOCK_RELEASE, 1, 10, 3, 0),
		OK(0, 4, STOCK_RELEASE, 2, 0, 2, 0),	/* shrinks a short */
		NO(10, 4, STOCK_RELEASE, 5, ERR_CONFLICT),
		NO(10, 0, STOCK_RELEASE, 1, ERR_CONFLICT),
		NO(10, 4, STOCK_RELEASE, 0, ERR_INVALID),
		NO(10, 4, STOCK_RELEASE, -1, ERR_INVALID),

		/* ship: both on_hand and committed go down */
		OK(10, 4, STOCK_SHIP, 4, 6, 0, 0),
		OK(10, 4, STOCK_SHIP, 1, 9, 3, 0),
		OK(4, 4, STOCK_SHIP, 4, 0, 0, 0),
		NO(10, 4, STOCK_SHIP, 5, ERR_CONFLICT),	/* more than committed */
		NO(2, 4, STOCK_SHIP, 3, ERR_CONFLICT),	/* more than on hand */
		NO(10, 0, STOCK_SHIP, 1, ERR_CONFLICT),
		NO(10, 4, STOCK_SHIP, 0, ERR_INVALID),
		NO(10, 4, STOCK_SHIP, -2, ERR_INVALID),

		/* return to stock */
		OK(0, 0, STOCK_RETURN_RESTOCK, 1, 1, 0, 0),
		OK(5, 3, STOCK_RETURN_RESTOCK, 2, 7, 3, 0),
		NO(5, 3, STOCK_RETURN_RESTOCK, 0, ERR_INVALID),
		NO(5, 3, STOCK_RETURN_RESTOCK, -2, ERR_INVALID),
		NO(5, 0, STOCK_RETURN_RESTOCK, QMAX, ERR_INVALID),

		/* write-off: may leave on hand below committed, never < 0 */
		OK(10, 0, STOCK_WRITE_OFF, 10, 0, 0, 0),
		OK(10, 8, STOCK_WRITE_OFF, 5, 5, 8, 0),
		NO(10, 0, STOCK_WRITE_OFF, 11, ERR_CONFLICT),
		NO(0, 0, STOCK_WRITE_OFF, 1, ERR_CONFLICT),
		NO(10, 0, STOCK_WRITE_OFF, 0, ERR_INVALID),
		NO(10, 0, STOCK_WRITE_OFF, -1, ERR_INVALID),
		NO(10, 0, STOCK_WRITE_OFF, QMAX + 1, ERR_INVALID),
	};
	struct stock_balance	 b;
	struct err		 e;
	int64_t			 ov;
	size_t			 i;
	int			 rc;

	(void)state;
	for (i = 0; i < NELEM(cases); i++) {
		const struct apply_case *c = &cases[i];

		b.on_hand = c->on_hand;
		b.committed = c->committed;
		ov = -12345;
		err_clear(&e);
		rc = stock_apply(&b, c->kind, c->qty, &ov, &e);
		if (rc != c->rc)
			fail_msg("case %zu (%s %lld on %lld/%lld): rc %d, want "
			    "%d (%s)", i, stock_kind_name(c->kind),
			    (long long)c->qty, (long long)c->on_hand,
			    (long long)c->committed, rc, c->rc, e.msg);
		if (b.on_hand != c->want_on_hand ||
		    b.committed != c->want_committed)
			fail_msg("case %zu (%s %lld): balance %lld/%lld, want "
			    "%lld/%lld", i, stock_kind_name(c->kind),
			    (long long)c->qty, (long long)b.on_hand,
			    (long long)b.committed,
			    (long long)c->want_on_hand,
			    (long long)c->want_committed);
		if (rc == 0) {
			if (ov != c->want_oversold)
				fail_msg("case %zu (%s %lld): oversold %lld, "
				    "want %lld", i, stock_kind_name(c->kind),
				    (long long)c->qty, (long long)ov,
				    (long long)c->want_oversold);
		} else {
			if (e.kind != c->ek)
				fail_msg("case %zu (%s %lld): err kind %s, "
				    "want %s", i, stock_kind_name(c->kind),
				    (long long)c->qty, err_kind_name(e.kind),
				    err_kind_name(c->ek));
			if (e.msg[0] == '\0')
				fail_msg("case %zu: refusal without a message",
				    i);
		}
	}
}

/* Every kind covered by the table above, so a new kind needs a row. */
static void
test_apply_every_kind_succeeds_once(void **state)
{
	struct stock_balance	 b;
	struct err		 e;
	int			 k;

	(void)state;
	for (k = 0; k < STOCK__MAX; k++) {
		b.on_hand = 10;
		b.committed = 5;
		assert_int_equal(stock_apply(&b, (enum stock_kind)k, 1, NULL,
		    &e), 0);
		assert_true(b.on_hand != 10 || b.committed != 5 ||
		    k == STOCK_COUNT);
	}
}

static void
test_apply_unknown_kind(void **state)
{
	struct stock_balance	 b = { 3, 1 };
	struct err		 e;

	(void)state;
	err_clear(&e);
	assert_int_equal(stock_apply(&b, STOCK__MAX, 1, NULL, &e), -1);
	assert_int_equal(e.kind, ERR_INVALID);
	assert_int_equal(stock_apply(&b, (enum stock_kind)-1, 1, NULL, &e),
	    -1);
	assert_int_equal(b.on_hand, 3);
	assert_int_equal(b.committed, 1);
}

static void
test_apply_oversell_sequence(void **state)
{
	struct stock_balance	 b = { 5, 0 };
	struct err		 e;
	int64_t			 ov;

	(void)state;
	/* 3 of 5: fine */
	assert_int_equal(stock_apply(&b, STOCK_COMMIT, 3, &ov, &e), 0);
	assert_int_equal(ov, 0);
	/* 4 more with 2 available: 2 oversold */
	assert_int_equal(stock_apply(&b, STOCK_COMMIT, 4, &ov, &e), 0);
	assert_int_equal(ov, 2);
	/* already short by 2: only the new 3 count */
	assert_int_equal(stock_apply(&b, STOCK_COMMIT, 3, &ov, &e), 0);
	assert_int_equal(ov, 3);
	assert_int_equal(b.on_hand, 5);
	assert_int_equal(b.committed, 10);
	/* other kinds never report an oversell, even when they go short */
	assert_int_equal(stock_apply(&b, STOCK_WRITE_OFF, 5, &ov, &e), 0);
	assert_int_equal(ov, 0);
	assert_int_equal(stock_apply(&b, STOCK_COUNT, 0, &ov, &e), 0);
	assert_int_equal(ov, 0);
	assert_int_equal(b.committed, 10);
	/* receive covers part; the next commit is short by its own qty */
	assert_int_equal(stock_apply(&b, STOCK_RECEIVE, 12, &ov, &e), 0);
	assert_int_equal(ov, 0);
	assert_int_equal(stock_apply(&b, STOCK_COMMIT, 5, &ov, &e), 0);
	assert_int_equal(ov, 3);			/* 2 available */
}

static void
test_apply_null_oversold_and_err(void **state)
{
	struct stock_balance	 b = { 1, 0 };

	(void)state;
	assert_int_equal(stock_apply(&b, STOCK_COMMIT, 3, NULL, NULL), 0);
	assert_int_equal(b.committed, 3);
	assert_int_equal(stock_apply(&b, STOCK_RELEASE, 4, NULL, NULL), -1);
	assert_int_equal(b.committed, 3);
}

static void
test_apply_refusal_messages(void **state)
{
	struct stock_balance	 b = { 2, 1 };
	struct err		 e;

	(void)state;
	assert_int_equal(stock_apply(&b, STOCK_RELEASE, 2, NULL, &e), -1);
	assert_non_null(strstr(e.msg, "release"));
	assert_non_null(strstr(e.msg, "committed"));
	assert_int_equal(stock_apply(&b, STOCK_WRITE_OFF, 3, NULL, &e), -1);
	assert_non_null(strstr(e.msg, "write_off"));
	assert_int_equal(stock_apply(&b, STOCK_COUNT, -1, NULL, &e), -1);
	assert_non_null(strstr(e.msg, "count"));
	assert_int_equal(stock_apply(&b, STOCK_RECEIVE, QMAX + 1, NULL, &e),
	    -1);
	assert_non_null(strstr(e.msg, "1000000001"));
}

struct sku_case {
	const char	*sku;
	int		 rc;
	const char	*why;		/* a word the reason must hold */
};

static void
test_sku_check_table(void **state)
{
	static const struct sku_case cases[] = {
		{ "A-1", 0, NULL },
		{ "x", 0, NULL },
		{ "TASSE-\xc3\x89-1", 0, NULL },		/* TASSE-É-1 */
		{ "mug 350ml blue", 0, NULL },		/* inner spaces */
		{ "\xe2\x82\xac-5", 0, NULL },		/* €-5 */
		{ "\xf0\x9f\x98\x80", 0, NULL },		/* emoji */
		{ "caf\xc3\xa9\xc2\xa0x", 0, NULL },	/* U+00A0 inside */
		{ "", -1, "empty" },
		{ " A-1", -1, "space" },
		{ "A-1 ", -1, "space" },
		{ " ", -1, "space" },
		{ "A\t1", -1, "control" },
		{ "\tA1", -1, "control" },
		{ "A1\n", -1, "control" },
		{ "A\r1", -1, "control" },
		{ "A\x01", -1, "control" },
		{ "A\x7f" "1", -1, "control" },		/* DEL */
		{ "A\xc2\x85" "1", -1, "control" },	/* U+0085 NEL */
		{ "\xc2\x80", -1, "control" },		/* U+0080 */
		{ "A\xc2\x9f", -1, "control" },		/* U+009F */
		{ "A\xff", -1, "UTF-8" },
		{ "A\xc3", -1, "UTF-8" },		/* truncated */
		{ "\xc0\xaf", -1, "UTF-8" },		/* overlong */
		{ "\xed\xa0\x80", -1, "UTF-8" },		/* surrogate */
		{ "\x85", -1, "UTF-8" },			/* bare C1 byte */
		/* pasted SKUs carry Unicode spaces at their ends */
		{ "A-1\xc2\xa0", -1, "space" },		/* U+00A0 */
		{ "\xe2\x80\x8b" "A-1", -1, "space" },	/* U+200B */
		{ "\xef\xbb\xbf" "A-1", -1, "space" },	/* BOM */
		{ "A-1\xe3\x80\x80", -1, "space" },	/* U+3000 */
	};
	struct err	 e;
	size_t		 i;
	int		 rc;

	(void)state;
	for (i = 0; i < NELEM(cases); i++) {
		err_clear(&e);
		rc = stock_sku_check(cases[i].sku, &e);
		if (rc != cases[i].rc)
			fail_msg("sku case %zu: rc %d, want %d (%s)", i, rc,
			    cases[i].rc, e.msg);
		if (rc == -1 && e.kind != ERR_INVALID)
			fail_msg("sku case %zu: kind %s", i,
			    err_kind_name(e.kind));
		if (rc == -1 && strstr(e.msg, cases[i].why) == NULL)
			fail_msg("sku case %zu: reason \"%s\" lacks \"%s\"", i,
			    e.msg, cases[i].why);
	}
}

static void
test_sku_check_length(void **state)
{
	char		 s[4 * STOCK_SKU_MAX + 8];
	struct err	 e;
	size_t		 i;

	(void)state;
	/* 64 ASCII characters: fine; 65: too long */
	memset(s, 'a', STOCK_SKU_MAX);
	s[STOCK_SKU_MAX] = '\0';
	assert_int_equal(stock_sku_check(s, &e), 0);
	s[STOCK_SKU_MAX] = 'a';
	s[STOCK_SKU_MAX + 1] = '\0';
	err_clear(&e);
	assert_int_equal(stock_sku_check(s, &e), -1);
	assert_int_equal(e.kind, ERR_INVALID);
	assert_non_null(strstr(e.msg, "65"));

	/* 64 characters of two bytes each (128 bytes) count as 64 */
	for (i = 0; i < STOCK_SKU_MAX; i++) {
		s[2 * i] = '\xc3';
		s[2 * i + 1] = '\x89';
	}
	s[2 * STOCK_SKU_MAX] = '\0';
	assert_int_equal(stock_sku_check(s, &e), 0);
	/* 63 ASCII + one 4-byte emoji: 64 characters, 67 bytes */
	memset(s, 'b', STOCK_SKU_MAX - 1);
	memcpy(s + STOCK_SKU_MAX - 1, "\xf0\x9f\x98\x80", 5);
	assert_int_equal(stock_sku_check(s, &e), 0);
	/* 65 three-byte characters */
	for (i = 0; i < STOCK_SKU_MAX + 1; i++)
		memcpy(s + 3 * i, "\xe2\x82\xac", 3);
	s[3 * (STOCK_SKU_MAX + 1)] = '\0';
	assert_true(3 * (STOCK_SKU_MAX + 1) < sizeof(s));
	err_clear(&e);
	assert_int_equal(stock_sku_check(s, &e), -1);
	assert_non_null(strstr(e.msg, "65"));
}

static void
test_sku_check_null(void **state)
{
	struct err	 e;

	(void)state;
	err_clear(&e);
	assert_int_equal(stock_sku_check(NULL, &e), -1);
	assert_int_equal(e.kind, ERR_INVALID);
	assert_non_null(strstr(e.msg, "empty"));
	/* e may be NULL */
	assert_int_equal(stock_sku_check(" x", NULL), -1);
	assert_int_equal(stock_sku_check("x", NULL), 0);
}

static void
test_kind_names(void **state)
{
	static const char *const names[STOCK__MAX] = {
		"receive", "count", "adjust", "commit", "release", "ship",
		"return_restock", "write_off",
	};
	enum stock_kind	 k;
	int		 i;

	(void)state;
	for (i = 0; i < STOCK__MAX; i++) {
		assert_string_equal(stock_kind_name((enum stock_kind)i),
		    names[i]);
		k = STOCK__MAX;
		assert_int_equal(stock_kind_parse(names[i], &k), 0);
		assert_int_equal(k, i);
		/* round trip */
		assert_int_equal(stock_kind_parse(stock_kind_name(k), &k), 0);
		assert_int_equal(k, i);
	}
	assert_string_equal(stock_kind_name(STOCK__MAX), "unknown");
	assert_string_equal(stock_kind_name((enum stock_kind)-1), "unknown");
}

static void
test_kind_parse_unknown(void **state)
{
	static const char *const bad[] = {
		"", "Receive", "RECEIVE", "receive ", " receive", "receiv",
		"receives", "return", "restock", "write-off", "writeoff",
		"unknown", "commit\n",
	};
	enum stock_kind	 k;
	size_t		 i;

	(void)state;
	for (i = 0; i < NELEM(bad); i++) {
		k = STOCK_SHIP;
		if (stock_kind_parse(bad[i], &k) != -1)
			fail_msg("\"%s\" parsed", bad[i]);
		if (k != STOCK_SHIP)
			fail_msg("\"%s\": out written on failure", bad[i]);
	}
	k = STOCK_SHIP;
	assert_int_equal(stock_kind_parse(NULL, &k), -1);
	assert_int_equal(k, STOCK_SHIP);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_apply_table),
		cmocka_unit_test(test_apply_every_kind_succeeds_once),
		cmocka_unit_test(test_apply_unknown_kind),
		cmocka_unit_test(test_apply_oversell_sequence),
		cmocka_unit_test(test_apply_null_oversold_and_err),
		cmocka_unit_test(test_apply_refusal_messages),
		cmocka_unit_test(test_sku_check_table),
		cmocka_unit_test(test_sku_check_length),
		cmocka_unit_test(test_sku_check_null),
		cmocka_unit_test(test_kind_names),
		cmocka_unit_test(test_kind_parse_unknown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
