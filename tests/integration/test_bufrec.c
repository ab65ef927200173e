/*
 * bufrec on the real database: velocity from channel_order_lines, the
 * recommendation per velocity class next to the configured buffer, and
 * per-listing holdbacks (sql/012) that channel_desired applies instead of
 * the account's buffer.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "alloc.h"
#include "bufrec.h"
#include "channel.h"
#include "db.h"
#include "err.h"
#include "ledger.h"
#include "orders.h"
#include "str.h"
#include "support.h"

static struct tdb T;
static int64_t shop, etsy, l_fast_shop, l_fast_etsy, l_slow_shop, l_slow_etsy;

static void
sell(int64_t acct, const char *sku, int n, int64_t qty, const char *tag)
{
	struct orders_ctx	 c = { T.db, acct, "test", "test" };
	struct ledger_result	 res;
	struct err		 e;
	char			 order[32], line[32];
	int			 i;

	for (i = 0; i < n; i++) {
		(void)str_fmt(order, sizeof(order), "%s-%d", tag, i);
		(void)str_fmt(line, sizeof(line), "%s-%d-1", tag, i);
		assert_int_equal(db_begin(T.db, &e), 0);
		assert_int_equal(orders_commit(&c, order, line, sku, qty, 0,
		    &res, &e), 0);
		assert_int_equal(db_commit(T.db, &e), 0);
	}
}

static int
setup(void **state)
{
	struct alloc_policy	 pol;
	struct err		 e;

	(void)state;
	tdb_open(&T, "bufrec");
	memset(&pol, 0, sizeof(pol));
	if (channel_account_create(T.db, &T.cfg, CHANNEL_SHOPIFY, "shop",
	    "http://127.0.0.1:9", "b.myshopify.com", NULL, &pol, 0, &shop,
	    &e) == -1)
		return -1;
	pol.holdback_pct = 10;
	if (channel_account_create(T.db, &T.cfg, CHANNEL_ETSY, "etsy",
	    "http://127.0.0.1:9", "1234", NULL, &pol, 0, &etsy, &e) == -1 ||
	    ledger_item_create(T.db, "FAST", "", NULL, &e) == -1 ||
	    ledger_item_create(T.db, "SLOW", "", NULL, &e) == -1)
		return -1;
	t_post(T.db, "in-fast", "FAST", STOCK_RECEIVE, 5000);
	t_post(T.db, "in-slow", "SLOW", STOCK_RECEIVE, 20);
	if (channel_listing_map(T.db, shop, "FAST", "11", "", "", "FAST",
	    &l_fast_shop, &e) == -1 ||
	    channel_listing_map(T.db, etsy, "FAST", "21", "", "", "FAST",
	    &l_fast_etsy, &e) == -1 ||
	    channel_listing_map(T.db, shop, "SLOW", "12", "", "", "SLOW",
	    &l_slow_shop, &e) == -1 ||
	    channel_listing_map(T.db, etsy, "SLOW", "22", "", "", "SLOW",
	    &l_slow_etsy, &e) == -1)
		return -1;
	/* FAST: 100 units a day on each channel over 14 days; SLOW: one */
	sell(shop, "FAST", 28, 50, "fs");
	sell(etsy, "FAST", 28, 50, "fe");
	sell(etsy, "SLOW", 1, 1, "se");
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	tdb_close(&T);
	return 0;
}

static int64_t
desired(int64_t listing)
{
	struct err	 e;
	int64_t		 d = -1, v;

	assert_int_equal(channel_desired(T.db, listing, &d, &v, &e), 0);
	return d;
}

static void
test_account_classes(void **state)
{
	struct bufrec_row	 rows[BUFREC_CLASSES];
	struct err		 e;
	size_t			 n = 0;

	(void)state;
	/* Shopify waits for Etsy's sales (120 s to detect): FAST, with 100
	 * a day sold on Etsy, needs 2 units (P(N>1) * P(buyer) = 0.0012,
	 * P(N>2) * P(buyer) = 0.000055) */
	assert_int_equal(bufrec_account(T.db, shop, 14, 0.001, rows, &n, &e),
	    0);
	assert_int_equal(n, 2);
	assert_int_equal(rows[0].cls, 0);
	assert_int_equal(rows[0].skus, 1);
	assert_int_equal(rows[0].units, 0);
	assert_int_equal(rows[1].cls, 4);
	assert_int_equal(rows[1].units, 2);
	assert_true(rows[1].rate_max > 199 && rows[1].rate_max < 201);
	assert_non_null(strstr(rows[1].why, "holding 2"));
	assert_true(rows[1].configured_pct == 0);
	/* Etsy waits only for Shopify's webhooks: nothing to hold back,
	 * although 10 % is configured */
	assert_int_equal(bufrec_account(T.db, etsy, 14, 0.001, rows, &n, &e),
	    0);
	assert_int_equal(n, 2);
	assert_int_equal(rows[1].units, 0);
	assert_true(rows[1].configured_pct > 9.99 &&
	    rows[1].configured_pct < 10.01);
	/* an unknown account */
	assert_int_equal(bufrec_account(T.db, 999, 14, 0.001, rows, &n, &e),
	    -1);
	assert_int_equal(e.kind, ERR_NOTFOUND);
}

static void
test_apply_and_desired(void **state)
{
	struct ledger_item	 it = t_item(T.db, "FAST");
	struct err		 e;
	int			 changed = -1;

	(void)state;
	/* before: the accounts' buffers (Etsy 10 %, rounded up) */
	assert_int_equal(desired(l_fast_shop), it.available);
	assert_int_equal(desired(l_fast_etsy), it.available -
	    (it.available + 9) / 10);
	assert_int_equal(bufrec_apply(T.db, 14, 0.001, &changed, &e), 0);
	assert_int_equal(changed, 4);
	/* after: each listing's own holdback replaces the account's */
	assert_int_equal(desired(l_fast_shop), it.available - 2);
	assert_int_equal(desired(l_fast_etsy), it.available);
	assert_int_equal(t_q64(T.db, "SELECT holdback_units FROM "
	    "channel_listings WHERE id = ?", (struct db_val[]){
	    DBI(l_slow_shop) }, 1), 0);
	/* a push of each changed listing was queued */
	assert_int_equal(t_q64(T.db, "SELECT COUNT(*) FROM push_queue WHERE "
	    "want_version > done_version", NULL, 0), 4);
	/* nothing changed since: nothing written */
	assert_int_equal(bufrec_apply(T.db, 14, 0.001, &changed, &e), 0);
	assert_int_equal(changed, 0);
	/* back to the account's buffer */
	assert_int_equal(bufrec_set(T.db, l_fast_etsy, -1, &e), 0);
	assert_int_equal(desired(l_fast_etsy), it.available -
	    (it.available + 9) / 10);
	assert_int_equal(bufrec_set(T.db, l_fast_etsy, BUFREC_MAX_UNITS + 1,
	    &e), -1);
}

static void
test_many_accounts(void **state)
{
	struct bufrec_row	 rows[BUFREC_CLASSES];
	struct err		 e;
	char			 name[32], ref[32];
	int64_t			 id = 0;
	size_t			 n = 9;
	int			 i;

	(void)state;
	/* more accounts than channels in one recommendation */
	for (i = 0; i < 12; i++) {
		(void)str_fmt(name, sizeof(name), "extra %d", i);
		(void)str_fmt(ref, sizeof(ref), "x%d.myshopify.com", i);
		assert_int_equal(channel_account_create(T.db, &T.cfg,
		    CHANNEL_SHOPIFY, name, "http://127.0.0.1:9", ref, NULL,
		    NULL, 0, &id, &e), 0);
	}
	assert_int_equal(bufrec_account(T.db, id, 14, 0.001, rows, &n, &e), 0);
	assert_int_equal(n, 0);
	assert_int_equal(bufrec_account(T.db, shop, 14, 0.001, rows, &n, &e),
	    0);
	assert_int_equal(n, 2);
	assert_int_equal(rows[1].units, 2);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_account_classes),
		cmocka_unit_test(test_apply_and_desired),
		cmocka_unit_test(test_many_accounts),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
