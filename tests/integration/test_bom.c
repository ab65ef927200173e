/*
 * Bundles, kits and made-to-order items on the real MariaDB: BOMs set
 * and cycles refused; a bundle sale commits its components in one event,
 * all or nothing; components moving lower what bundles show and queue
 * their pushes; a kit held with its own component deducts both;
 * cancellations and returns move the components; the article's shared
 * raw materials.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "bom.h"
#include "channel.h"
#include "db.h"
#include "err.h"
#include "ledger.h"
#include "orders.h"
#include "support.h"

static struct tdb T;
static struct orders_ctx C;
static int64_t SHOP, ETSY;

static int
setup(void **state)
{
	struct err	 e;

	(void)state;
	tdb_open(&T, "bom");
	if (channel_account_create(T.db, &T.cfg, CHANNEL_SHOPIFY, "s",
	    "http://127.0.0.1:9", "b.myshopify.com", NULL, NULL, 0, &SHOP,
	    &e) == -1 ||
	    channel_account_create(T.db, &T.cfg, CHANNEL_ETSY, "e",
	    "http://127.0.0.1:9", "4242", NULL, NULL, 0, &ETSY, &e) == -1)
		return -1;
	C.db = T.db;
	C.account_id = SHOP;
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

#define TX(call) do {							\
	assert_int_equal(db_begin(T.db, &e), 0);			\
	assert_int_equal((call), 0);					\
	assert_int_equal(db_commit(T.db, &e), 0);			\
} while (0)

/* A call that must fail; its transaction is rolled back. */
#define TX_FAILS(call) do {						\
	assert_int_equal(db_begin(T.db, &e), 0);			\
	assert_int_equal((call), -1);					\
	db_rollback(T.db);						\
} while (0)

static void
mk(const char *sku, int64_t on_hand)
{
	struct ledger_line	 l = { sku, STOCK_RECEIVE, on_hand };
	struct ledger_event	 ev = { sku, "test", "stock in", &l, 1 };
	struct ledger_result	 res;
	struct err		 e;

	assert_int_equal(ledger_item_create(T.db, sku, "", NULL, &e), 0);
	if (on_hand > 0)
		assert_int_equal(ledger_post(T.db, &ev, NULL, NULL, &res, &e),
		    0);
}

static struct ledger_item
item(const char *sku)
{
	struct ledger_item	 it;
	struct err		 e;

	assert_int_equal(ledger_item_get(T.db, sku, &it, &e), 0);
	return it;
}

static int
set(const char *parent, enum bom_kind k, int64_t cap,
    const struct bom_component *c, size_t n, struct err *e)
{
	struct bom_spec	 s;

	memset(&s, 0, sizeof(s));
	s.kind = k;
	s.has_cap = cap >= 0;
	s.cap = cap;
	s.components = c;
	s.ncomponents = n;
	s.actor = "test:alice";
	s.reason = "new product";
	return bom_set(T.db, parent, &s, e);
}

static int64_t
available(const char *sku)
{
	struct err	 e;
	int64_t		 a = -1;

	assert_int_equal(bom_item_available(T.db, item(sku).id, &a, &e), 0);
	return a;
}

static int64_t
map(int64_t acct, const char *sku, const char *ext)
{
	struct err	 e;
	int64_t		 id = 0;

	assert_int_equal(channel_listing_map(T.db, acct, sku, ext, "", "",
	    sku, &id, &e), 0);
	return id;
}

static int64_t
desired(int64_t listing)
{
	struct err	 e;
	int64_t		 d = -1, v = 0;

	assert_int_equal(channel_desired(T.db, listing, &d, &v, &e), 0);
	return d;
}

/* Every queued push done, as if the runner had written them all. */
static void
all_pushed(void)
{
	tdb_exec(&T, "UPDATE push_queue SET done_version = want_version");
}

static int
push_due(int64_t listing)
{
	struct err	 e;
	int64_t		 n = 0;

	assert_int_equal(db_query_i64(T.db, "SELECT COUNT(*) FROM push_queue "
	    "WHERE listing_id = ? AND want_version > done_version AND "
	    "dead = 0", (struct db_val[]){ DBI(listing) }, 1, &n, &e), 1);
	return n == 1;
}

static int64_t
count(const char *sql, int64_t arg)
{
	struct err	 e;
	int64_t		 n = -1;

	assert_int_equal(db_query_i64(T.db, sql, (struct db_val[]){ DBI(arg) },
	    1, &n, &e), 1);
	return n;
}

static void
test_set_show_and_cycle_refused(void **state)
{
	const struct bom_component kit[] = { { "S-A", 1 }, { "S-B", 3 } };
	const struct bom_component loop[] = { { "S-KIT", 1 } };
	const struct bom_component unknown[] = { { "S-A", 1 },
	    { "S-NOPE", 1 } };
	struct err	 e;

	(void)state;
	mk("S-A", 10);
	mk("S-B", 7);
	mk("S-KIT", 0);
	assert_int_equal(set("S-KIT", BOM_BUNDLE, -1, kit, 2, &e), 0);
	assert_int_equal(available("S-KIT"), 2);
	assert_int_equal(count("SELECT COUNT(*) FROM bom_audit WHERE "
	    "parent_id = ? AND actor = 'test:alice' AND reason = 'new product' "
	    "AND components = 'S-A:1 S-B:3'", item("S-KIT").id), 1);

	/* S-B made of S-KIT would close S-B -> S-KIT -> S-B */
	assert_int_equal(set("S-B", BOM_BUNDLE, -1, loop, 1, &e), -1);
	assert_int_equal(e.kind, ERR_CONFLICT);
	assert_non_null(strstr(e.msg, "cycle"));
	assert_non_null(strstr(e.msg, "S-B \xe2\x86\x92 S-KIT"));
	/* nothing changed */
	assert_int_equal(count("SELECT COUNT(*) FROM bom_lines WHERE "
	    "parent_id = ?", item("S-B").id), 0);
	assert_int_equal(count("SELECT kind = 'stocked' FROM stock_items "
	    "WHERE id = ?", item("S-B").id), 1);
	assert_int_equal(count("SELECT COUNT(*) FROM bom_audit WHERE "
	    "parent_id = ?", item("S-B").id), 0);
	/* a self-reference and an unknown component are refused too */
	assert_int_equal(set("S-KIT", BOM_BUNDLE, -1, loop, 1, &e), -1);
	assert_int_equal(e.kind, ERR_CONFLICT);
	assert_int_equal(set("S-KIT", BOM_BUNDLE, -1, unknown, 2, &e), -1);
	assert_int_equal(e.kind, ERR_NOTFOUND);
	assert_int_equal(available("S-KIT"), 2);
	assert_int_equal(count("SELECT COUNT(*) FROM bom_lines WHERE "
	    "parent_id = ?", item("S-KIT").id), 2);
}

static void
test_bundle_sale_one_event(void **state)
{
	const struct bom_component kit[] = { { "E-A", 1 }, { "E-B", 3 } };
	struct ledger_result	 res;
	struct err		 e;

	(void)state;
	mk("E-A", 10);
	mk("E-B", 30);
	mk("E-KIT", 0);
	assert_int_equal(set("E-KIT", BOM_BUNDLE, -1, kit, 2, &e), 0);
	TX(orders_commit(&C, "o1", "E-L1", "E-KIT", 2, 0, &res, &e));
	assert_int_equal(res.duplicate, 0);
	assert_int_equal(item("E-A").committed, 2);
	assert_int_equal(item("E-B").committed, 6);
	assert_int_equal(item("E-KIT").committed, 0);
	/* one event, both components */
	assert_int_equal(count("SELECT COUNT(*) FROM stock_movements WHERE "
	    "event_id = ?", res.event_id), 2);
	/* the order line keeps the bundle and its quantity */
	assert_int_equal(count("SELECT COUNT(*) FROM channel_order_lines WHERE "
	    "item_id = ? AND qty = 2 AND ext_line = 'E-L1'",
	    item("E-KIT").id), 1);
	assert_int_equal(available("E-KIT"), 8);	/* A 8, B 24/3 = 8 */
	/* a repeat changes nothing */
	TX(orders_commit(&C, "o1", "E-L1", "E-KIT", 2, 0, &res, &e));
	assert_int_equal(res.duplicate, 1);
	assert_int_equal(item("E-A").committed, 2);
	assert_int_equal(item("E-B").committed, 6);
}

static void
test_bundle_sale_all_or_nothing(void **state)
{
	const struct bom_component kit[] = { { "N-A", 1 }, { "N-B", 2 } };
	struct ledger_line	 rel = { "N-B", STOCK_RELEASE, 2 };
	struct ledger_event	 ev = { "n-admin-release", "test", "fix", &rel,
	    1 };
	struct ledger_result	 res;
	struct err		 e;
	int64_t			 done = 0;
	int			 known = 0;

	(void)state;
	mk("N-A", 5);
	mk("N-B", 5);
	mk("N-KIT", 0);
	assert_int_equal(set("N-KIT", BOM_BUNDLE, -1, kit, 2, &e), 0);

	/* a quantity one component cannot take: nothing at all happens */
	TX_FAILS(orders_commit(&C, "o2", "N-L0", "N-KIT", 600000000, 0, &res,
	    &e));
	assert_int_equal(item("N-A").committed, 0);
	assert_int_equal(item("N-B").committed, 0);
	assert_int_equal(count("SELECT COUNT(*) FROM channel_order_lines WHERE "
	    "item_id = ?", item("N-KIT").id), 0);

	/* a movement the ledger refuses for one component: the other one
	 * does not move either */
	TX(orders_commit(&C, "o2", "N-L1", "N-KIT", 1, 0, &res, &e));
	assert_int_equal(item("N-A").committed, 1);
	assert_int_equal(item("N-B").committed, 2);
	assert_int_equal(ledger_post(T.db, &ev, NULL, NULL, &res, &e), 0);
	TX_FAILS(orders_ship(&C, "N-L1", -1, "n-ship", &done, &known, &e));
	assert_int_equal(e.kind, ERR_CONFLICT);
	assert_int_equal(item("N-A").on_hand, 5);
	assert_int_equal(item("N-A").committed, 1);
	assert_int_equal(item("N-B").on_hand, 5);
	assert_int_equal(count("SELECT shipped FROM channel_order_lines WHERE "
	    "item_id = ?", item("N-KIT").id), 0);
}

static void
test_component_sale_lowers_bundle(void **state)
{
	const struct bom_component kit[] = { { "C-A", 2 }, { "C-B", 1 } };
	struct ledger_result	 res;
	struct err		 e;
	int64_t			 lkit, lcomp;

	(void)state;
	mk("C-A", 10);
	mk("C-B", 10);
	mk("C-KIT", 0);
	assert_int_equal(set("C-KIT", BOM_BUNDLE, -1, kit, 2, &e), 0);
	lkit = map(SHOP, "C-KIT", "c-kit");
	lcomp = map(SHOP, "C-A", "c-a");
	assert_int_equal(desired(lkit), 5);
	assert_int_equal(desired(lcomp), 10);
	all_pushed();
	TX(orders_commit(&C, "o3", "C-L1", "C-A", 4, lcomp, &res, &e));
	assert_int_equal(desired(lcomp), 6);
	assert_int_equal(desired(lkit), 3);
	assert_true(push_due(lcomp));
	assert_true(push_due(lkit));
	/* pushed; another component moves: due again (the bundle's version
	 * grows with every component move, whichever component it is) */
	all_pushed();
	TX(orders_commit(&C, "o3", "C-L2", "C-B", 8, 0, &res, &e));
	assert_int_equal(desired(lkit), 2);
	assert_true(push_due(lkit));
	assert_false(push_due(lcomp));
}

static void
test_kit_and_own_component(void **state)
{
	const struct bom_component kit[] = { { "K-A", 1 }, { "K-B", 1 } };
	struct ledger_result	 res;
	struct err		 e;

	(void)state;
	mk("K-A", 5);
	mk("K-B", 5);
	mk("K-KIT", 0);
	assert_int_equal(set("K-KIT", BOM_BUNDLE, -1, kit, 2, &e), 0);
	/* one order: the kit and a spare K-A */
	TX(orders_commit(&C, "o4", "K-L1", "K-KIT", 1, 0, &res, &e));
	TX(orders_commit(&C, "o4", "K-L2", "K-A", 1, 0, &res, &e));
	assert_int_equal(item("K-A").committed, 2);
	assert_int_equal(item("K-B").committed, 1);
	assert_int_equal(available("K-KIT"), 3);
}

static void
test_cancel_and_return_move_components(void **state)
{
	const struct bom_component kit[] = { { "R-A", 1 }, { "R-B", 2 } };
	const struct bom_component other[] = { { "R-C", 1 } };
	struct ledger_result	 res;
	struct err		 e;
	int64_t			 done = 0;
	int			 known = 0;

	(void)state;
	mk("R-A", 10);
	mk("R-B", 10);
	mk("R-C", 10);
	mk("R-KIT", 0);
	assert_int_equal(set("R-KIT", BOM_BUNDLE, -1, kit, 2, &e), 0);

	/* a cancellation releases the components */
	TX(orders_commit(&C, "o5", "R-L1", "R-KIT", 2, 0, &res, &e));
	assert_int_equal(item("R-B").committed, 4);
	TX(orders_release(&C, "R-L1", -1, "r-cancel-1", &done, &known, &e));
	assert_int_equal(done, 2);
	assert_int_equal(item("R-A").committed, 0);
	assert_int_equal(item("R-B").committed, 0);
	TX(orders_release(&C, "R-L1", -1, "r-cancel-1", &done, &known, &e));
	assert_int_equal(done, 0);

	/* shipped, then returned: the components go back on the shelf */
	TX(orders_commit(&C, "o5", "R-L2", "R-KIT", 1, 0, &res, &e));
	TX(orders_ship(&C, "R-L2", -1, "r-ship-2", &done, &known, &e));
	assert_int_equal(item("R-A").on_hand, 9);
	assert_int_equal(item("R-B").on_hand, 8);
	TX(orders_return(&C, "R-L2", 1, "r-return-2", &done, &known, &e));
	assert_int_equal(done, 1);
	assert_int_equal(item("R-A").on_hand, 10);
	assert_int_equal(item("R-B").on_hand, 10);
	assert_int_equal(item("R-A").committed, 0);
	assert_int_equal(available("R-KIT"), 5);

	/* returned without a shipment seen: shipped and restocked at once;
	 * and the BOM changed in between: the parts sold are what move */
	TX(orders_commit(&C, "o5", "R-L3", "R-KIT", 1, 0, &res, &e));
	assert_int_equal(set("R-KIT", BOM_BUNDLE, -1, other, 1, &e), 0);
	TX(orders_return(&C, "R-L3", -1, "r-return-3", &done, &known, &e));
	assert_int_equal(done, 1);
	assert_int_equal(item("R-A").on_hand, 10);
	assert_int_equal(item("R-A").committed, 0);
	assert_int_equal(item("R-B").on_hand, 10);
	assert_int_equal(item("R-B").committed, 0);
	assert_int_equal(item("R-C").on_hand, 10);
	assert_int_equal(item("R-C").committed, 0);
}

static void
test_shared_raw_materials(void **state)
{
	const struct bom_component n1[] = { { "M-CHAIN", 1 },
	    { "M-PEND1", 1 } };
	const struct bom_component n2[] = { { "M-CHAIN", 1 },
	    { "M-PEND2", 1 } };
	struct ledger_result	 res;
	struct err		 e;
	int64_t			 s1, e1, s2, e2;

	(void)state;
	mk("M-CHAIN", 4);
	mk("M-PEND1", 9);
	mk("M-PEND2", 9);
	mk("M-NECK1", 0);
	mk("M-NECK2", 0);
	assert_int_equal(set("M-NECK1", BOM_MADE_TO_ORDER, 3, n1, 2, &e), 0);
	assert_int_equal(set("M-NECK2", BOM_MADE_TO_ORDER, -1, n2, 2, &e), 0);
	s1 = map(SHOP, "M-NECK1", "neck-1");
	e1 = map(ETSY, "M-NECK1", "9001");
	s2 = map(SHOP, "M-NECK2", "neck-2");
	e2 = map(ETSY, "M-NECK2", "9002");
	assert_int_equal(desired(s1), 3);	/* capped */
	assert_int_equal(desired(e1), 3);
	assert_int_equal(desired(s2), 4);	/* the chains */
	assert_int_equal(desired(e2), 4);
	all_pushed();

	/* one necklace sold on Etsy: both necklaces on both channels */
	C.account_id = ETSY;
	TX(orders_commit(&C, "r1", "M-T1", "M-NECK2", 2, e2, &res, &e));
	C.account_id = SHOP;
	assert_int_equal(item("M-CHAIN").committed, 2);
	assert_int_equal(item("M-PEND2").committed, 2);
	assert_int_equal(item("M-PEND1").committed, 0);
	assert_int_equal(desired(s1), 2);
	assert_int_equal(desired(e1), 2);
	assert_int_equal(desired(s2), 2);
	assert_int_equal(desired(e2), 2);
	assert_true(push_due(s1));
	assert_true(push_due(e1));
	assert_true(push_due(s2));
	assert_true(push_due(e2));

	/* a BOM edit pushes too (and lands in the audit) */
	all_pushed();
	assert_int_equal(set("M-NECK1", BOM_MADE_TO_ORDER, 1, n1, 2, &e), 0);
	assert_int_equal(desired(s1), 1);
	assert_true(push_due(s1));
	assert_true(push_due(e1));
	assert_false(push_due(s2));
	assert_int_equal(count("SELECT COUNT(*) FROM bom_audit WHERE "
	    "parent_id = ?", item("M-NECK1").id), 2);
}

static void
test_nested_bundle_pushes(void **state)
{
	const struct bom_component kit[] = { { "G-A", 2 } };
	const struct bom_component gift[] = { { "G-KIT", 1 }, { "G-A", 1 } };
	struct ledger_result	 res;
	struct err		 e;
	int64_t			 lg;

	(void)state;
	mk("G-A", 9);
	mk("G-KIT", 0);
	mk("G-GIFT", 0);
	assert_int_equal(set("G-KIT", BOM_BUNDLE, -1, kit, 1, &e), 0);
	assert_int_equal(set("G-GIFT", BOM_BUNDLE, -1, gift, 2, &e), 0);
	lg = map(SHOP, "G-GIFT", "g-gift");
	assert_int_equal(desired(lg), 3);	/* 9 / (2 + 1) */
	all_pushed();
	TX(orders_commit(&C, "o6", "G-L1", "G-GIFT", 1, 0, &res, &e));
	assert_int_equal(item("G-A").committed, 3);
	assert_int_equal(desired(lg), 2);
	assert_true(push_due(lg));
	/* a kit above the gift: the gift may not use itself */
	assert_int_equal(set("G-KIT", BOM_BUNDLE, -1,
	    (const struct bom_component[]){ { "G-GIFT", 1 } }, 1, &e), -1);
	assert_int_equal(e.kind, ERR_CONFLICT);
}

static void
test_ledger_consistent(void **state)
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
		cmocka_unit_test(test_set_show_and_cycle_refused),
		cmocka_unit_test(test_bundle_sale_one_event),
		cmocka_unit_test(test_bundle_sale_all_or_nothing),
		cmocka_unit_test(test_component_sale_lowers_bundle),
		cmocka_unit_test(test_kit_and_own_component),
		cmocka_unit_test(test_cancel_and_return_move_components),
		cmocka_unit_test(test_shared_raw_materials),
		cmocka_unit_test(test_nested_bundle_pushes),
		cmocka_unit_test(test_ledger_consistent),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
