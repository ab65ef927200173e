/*
 * Order lines across cancellations, refunds, shipments and returns: every
 * unit counts once, whatever order and however often events arrive.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "channel.h"
#include "db.h"
#include "err.h"
#include "ledger.h"
#include "orders.h"
#include "support.h"

static struct tdb T;
static struct orders_ctx C;

static int
setup(void **state)
{
	struct ledger_line	 l = { "ORD-1", STOCK_RECEIVE, 10 };
	struct ledger_event	 ev = { "ord-in", "test", "stock", &l, 1 };
	struct ledger_result	 res;
	struct err		 e;
	int64_t			 acct = 0;

	(void)state;
	tdb_open(&T, "orders");
	if (ledger_item_create(T.db, "ORD-1", "", NULL, &e) == -1 ||
	    ledger_post(T.db, &ev, NULL, NULL, &res, &e) == -1 ||
	    channel_account_create(T.db, &T.cfg, CHANNEL_SHOPIFY, "o",
	    "http://127.0.0.1:9", "o.myshopify.com", NULL, NULL, 0, &acct,
	    &e) == -1)
		return -1;
	C.db = T.db;
	C.account_id = acct;
	C.source = "test";
	C.reason = "test";
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	tdb_close(&T);
	return 0;
}

static struct ledger_item
item(void)
{
	struct ledger_item	 it;
	struct err		 e;

	assert_int_equal(ledger_item_get(T.db, "ORD-1", &it, &e), 0);
	return it;
}

/* Run one orders call in its own transaction. */
#define TX(call) do {							\
	assert_int_equal(db_begin(T.db, &e), 0);			\
	assert_int_equal((call), 0);					\
	assert_int_equal(db_commit(T.db, &e), 0);			\
} while (0)

static void
test_commit_once(void **state)
{
	struct ledger_result	 res;
	struct err		 e;

	(void)state;
	TX(orders_commit(&C, "o1", "L1", "ORD-1", 2, 0, &res, &e));
	assert_int_equal(res.duplicate, 0);
	TX(orders_commit(&C, "o1", "L1", "ORD-1", 2, 0, &res, &e));
	assert_int_equal(res.duplicate, 1);
	assert_int_equal(item().committed, 2);
	/* an unknown SKU is an error the caller turns into an alert */
	assert_int_equal(db_begin(T.db, &e), 0);
	assert_int_equal(orders_commit(&C, "o1", "L9", "NOPE", 1, 0, &res, &e),
	    -1);
	assert_int_equal(e.kind, ERR_NOTFOUND);
	db_rollback(T.db);
}

static void
test_refund_then_cancel_counts_once(void **state)
{
	struct ledger_result	 res;
	struct err		 e;
	int64_t			 done;
	int			 known;

	(void)state;
	TX(orders_commit(&C, "o2", "L2", "ORD-1", 3, 0, &res, &e));
	assert_int_equal(item().committed, 5);
	/* a refund puts one unfulfilled unit back */
	TX(orders_release(&C, "L2", 1, "refund-1:L2", &done, &known, &e));
	assert_int_equal(done, 1);
	assert_int_equal(known, 1);
	/* the same refund again: nothing */
	TX(orders_release(&C, "L2", 1, "refund-1:L2", &done, &known, &e));
	assert_int_equal(item().committed, 4);
	/* the cancellation releases only the two still committed */
	TX(orders_release(&C, "L2", -1, "cancel:o2:L2", &done, &known, &e));
	assert_int_equal(done, 2);
	assert_int_equal(item().committed, 2);
	TX(orders_release(&C, "L2", -1, "cancel-again:o2:L2", &done, &known,
	    &e));
	assert_int_equal(done, 0);
	assert_int_equal(item().committed, 2);
	assert_int_equal(item().on_hand, 10);
	/* an unknown line is reported, not an error */
	TX(orders_release(&C, "L404", -1, "x", &done, &known, &e));
	assert_int_equal(known, 0);
}

static void
test_return_ships_first_when_needed(void **state)
{
	struct ledger_result	 res;
	struct ledger_item	 before, after;
	struct err		 e;
	int64_t			 done;
	int			 known;

	(void)state;
	before = item();
	TX(orders_commit(&C, "o3", "L3", "ORD-1", 2, 0, &res, &e));
	/* one unit ships; both come back although the hub saw one ship */
	TX(orders_ship(&C, "L3", 1, "ship-1:L3", &done, &known, &e));
	assert_int_equal(done, 1);
	TX(orders_return(&C, "L3", 2, "return-1:L3", &done, &known, &e));
	assert_int_equal(done, 2);
	after = item();
	/* net effect of sell 2, return 2: nothing */
	assert_int_equal(after.on_hand, before.on_hand);
	assert_int_equal(after.committed, before.committed);
	/* more returns than were sold are capped */
	TX(orders_return(&C, "L3", 5, "return-2:L3", &done, &known, &e));
	assert_int_equal(done, 0);
	assert_int_equal(item().on_hand, before.on_hand);
}

static void
test_ledger_stays_consistent(void **state)
{
	struct err	 e;
	int64_t		 bad = -1;

	(void)state;
	assert_int_equal(ledger_check(T.db, &bad, &e), 0);
	assert_int_equal(bad, 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_commit_once),
		cmocka_unit_test(test_refund_then_cancel_counts_once),
		cmocka_unit_test(test_return_ships_first_when_needed),
		cmocka_unit_test(test_ledger_stays_consistent),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
