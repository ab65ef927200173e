/*
 * Returns with a condition on the real MariaDB: restocked units are
 * available again and their listings (and every bundle above them) are
 * queued for a push; damaged units are recorded and written off in one
 * event, never available; units held for inspection are not available
 * until decided, in parts if need be; a returned kit moves its
 * components; every key counts once; stock received or counted on a
 * bundle or made-to-order SKU is refused, naming it.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "bom.h"
#include "channel.h"
#include "db.h"
#include "err.h"
#include "ledger.h"
#include "orders.h"
#include "returns.h"
#include "support.h"

static struct tdb T;
static struct orders_ctx C;
static int64_t SHOP;

static int
setup(void **state)
{
	struct err	 e;

	(void)state;
	tdb_open(&T, "returns");
	if (channel_account_create(T.db, &T.cfg, CHANNEL_SHOPIFY, "s",
	    "http://127.0.0.1:9", "r.myshopify.com", NULL, NULL, 0, &SHOP,
	    &e) == -1)
		return -1;
	C.db = T.db;
	C.account_id = SHOP;
	C.source = "test";
	C.reason = "refunds/create 1";
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

static void
kit(const char *parent, const struct bom_component *c, size_t n)
{
	struct bom_spec	 s;
	struct err	 e;

	memset(&s, 0, sizeof(s));
	s.kind = BOM_BUNDLE;
	s.components = c;
	s.ncomponents = n;
	s.actor = "test:alice";
	s.reason = "a kit";
	assert_int_equal(bom_set(T.db, parent, &s, &e), 0);
}

static int64_t
avail(const char *sku)
{
	return t_item(T.db, sku).available;
}

static int64_t
bundle_avail(const char *sku)
{
	struct err	 e;
	int64_t		 a = -1;

	assert_int_equal(bom_item_available(T.db, t_item(T.db, sku).id, &a,
	    &e), 0);
	return a;
}

static int64_t
held(const char *sku)
{
	struct err	 e;
	int64_t		 n = -1;

	assert_int_equal(returns_held_units(T.db, t_item(T.db, sku).id, &n,
	    &e), 0);
	return n;
}

static int64_t
moves(const char *sku, const char *kind)
{
	return t_q64(T.db, "SELECT COALESCE(SUM(m.qty), 0) FROM "
	    "stock_movements m JOIN stock_items i ON i.id = m.item_id WHERE "
	    "i.sku = ? AND m.kind = ?", (struct db_val[]){ DBS(sku),
	    DBS(kind) }, 2);
}

static struct returns_req
req(const char *sku, int64_t qty, enum returns_cond c, const char *key)
{
	struct returns_req	 q;

	memset(&q, 0, sizeof(q));
	q.sku = sku;
	q.qty = qty;
	q.cond = c;
	q.key = key;
	q.source = "admin:alice";
	q.reason = "customer sent it back";
	return q;
}

static void
test_cond_names(void **state)
{
	enum returns_cond	 c;
	int			 i;

	(void)state;
	for (i = 0; i < RETURNS__MAX; i++) {
		assert_int_equal(returns_cond_parse(returns_cond_name(
		    (enum returns_cond)i), &c), 0);
		assert_int_equal(c, i);
	}
	assert_int_equal(returns_cond_parse("Restock", &c), -1);
	assert_int_equal(returns_cond_parse("", &c), -1);
	assert_int_equal(returns_cond_parse(NULL, &c), -1);
}

/* A shipped kit comes back in each condition. */
static void
test_line_conditions_move_components(void **state)
{
	const struct bom_component c[] = { { "L-A", 1 }, { "L-B", 2 } };
	struct ledger_result	 res;
	struct err		 e;
	int64_t			 done = 0;
	int			 known = 0;

	(void)state;
	mk("L-A", 10);
	mk("L-B", 20);
	mk("L-KIT", 0);
	kit("L-KIT", c, 2);
	t_exec(T.db, "INSERT INTO channel_listings (account_id, item_id, "
	    "ext_listing) SELECT ?, id, 'l-kit' FROM stock_items WHERE sku = "
	    "'L-KIT'", (struct db_val[]){ DBI(SHOP) }, 1);
	TX(orders_commit(&C, "o1", "L1", "L-KIT", 3, 0, &res, &e));
	TX(orders_ship(&C, "L1", -1, "ship-L1", &done, &known, &e));
	assert_int_equal(t_item(T.db, "L-A").on_hand, 7);
	assert_int_equal(t_item(T.db, "L-B").on_hand, 14);
	assert_int_equal(bundle_avail("L-KIT"), 7);
	t_exec(T.db, "UPDATE push_queue SET done_version = want_version",
	    NULL, 0);

	/* restock: one kit back, its components available, the kit's
	 * listing queued in the same transaction */
	TX(orders_return_as(&C, "L1", 1, RETURNS_RESTOCK, "ret-1", &done,
	    &known, &e));
	assert_int_equal(done, 1);
	assert_int_equal(avail("L-A"), 8);
	assert_int_equal(avail("L-B"), 16);
	assert_int_equal(bundle_avail("L-KIT"), 8);
	assert_true(t_q64(T.db, "SELECT COUNT(*) FROM push_queue q JOIN "
	    "channel_listings l ON l.id = q.listing_id WHERE l.ext_listing = "
	    "'l-kit' AND q.done_version < q.want_version", NULL, 0) == 1);

	/* damaged: recorded and written off, never available */
	TX(orders_return_as(&C, "L1", 1, RETURNS_DAMAGED, "ret-2", &done,
	    &known, &e));
	assert_int_equal(done, 1);
	assert_int_equal(avail("L-A"), 8);
	assert_int_equal(avail("L-B"), 16);
	assert_int_equal(moves("L-B", "write_off"), 2);
	assert_int_equal(moves("L-B", "return_restock"), 4);
	/* the write-off never let the units show: in the same event */
	assert_int_equal(t_q64(T.db, "SELECT COUNT(DISTINCT event_id) FROM "
	    "stock_movements m JOIN ledger_events ev ON ev.id = m.event_id "
	    "WHERE ev.event_key = 'ret-2'", NULL, 0), 1);

	/* inspect: held, not available, the line has nothing left */
	TX(orders_return_as(&C, "L1", 1, RETURNS_INSPECT, "ret-3", &done,
	    &known, &e));
	assert_int_equal(done, 1);
	assert_int_equal(avail("L-A"), 8);
	assert_int_equal(held("L-A"), 1);
	assert_int_equal(held("L-B"), 2);
	TX(orders_return_as(&C, "L1", 1, RETURNS_RESTOCK, "ret-4", &done,
	    &known, &e));
	assert_int_equal(done, 0);
	/* the same key again: nothing more held */
	TX(orders_return_as(&C, "L1", 1, RETURNS_INSPECT, "ret-3", &done,
	    &known, &e));
	assert_int_equal(done, 0);
	assert_int_equal(held("L-B"), 2);
}

/* Held units decided in parts; each decision once; never more. */
static void
test_hold_and_decide(void **state)
{
	const struct bom_component c[] = { { "H-A", 1 }, { "H-B", 1 } };
	struct returns_req	 q;
	struct returns_result	 r;
	struct returns_held	*list = NULL;
	struct err		 e;
	int64_t			 hold, decided_a;
	size_t			 n = 0, i;

	(void)state;
	mk("H-A", 5);
	mk("H-B", 5);
	mk("H-KIT", 0);
	kit("H-KIT", c, 2);

	/* a kit handed in at the counter, held */
	q = req("H-KIT", 3, RETURNS_INSPECT, "admin:hold-1");
	assert_int_equal(returns_sku(T.db, &q, &r, &e), 0);
	assert_int_equal(r.done, 3);
	assert_true(r.hold_id > 0);
	hold = r.hold_id;
	assert_int_equal(avail("H-A"), 5);
	assert_int_equal(held("H-A"), 3);
	assert_int_equal(returns_sku(T.db, &q, &r, &e), 0);
	assert_int_equal(r.duplicate, 1);
	assert_int_equal(held("H-A"), 3);

	assert_int_equal(returns_list_held(T.db, 100, &list, &n, &e), 0);
	for (i = 0; i < n; i++)
		if (list[i].id == hold)
			break;
	assert_true(i < n);
	assert_string_equal(list[i].sku, "H-KIT");
	assert_int_equal(list[i].held, 3);
	assert_string_equal(list[i].source, "admin:alice");
	free(list);

	/* two are fine: restocked, components available at once */
	q = req(NULL, 0, RETURNS_RESTOCK, "admin:decide-1");
	assert_int_equal(returns_decide(T.db, hold, 2, &q, &r, &e), 0);
	assert_int_equal(r.done, 2);
	assert_int_equal(avail("H-A"), 7);
	assert_int_equal(avail("H-B"), 7);
	assert_int_equal(bundle_avail("H-KIT"), 7);
	assert_int_equal(held("H-B"), 1);
	/* sent twice: a duplicate, not a second restock */
	assert_int_equal(returns_decide(T.db, hold, 2, &q, &r, &e), 0);
	assert_int_equal(r.duplicate, 1);
	assert_int_equal(avail("H-A"), 7);

	/* more than is held: refused, naming what is left */
	q = req(NULL, 0, RETURNS_DAMAGED, "admin:decide-2");
	assert_int_equal(returns_decide(T.db, hold, 2, &q, &r, &e), -1);
	assert_int_equal(e.kind, ERR_CONFLICT);
	assert_non_null(strstr(e.msg, "only 1"));
	/* the last one is damaged: written off, never available */
	decided_a = moves("H-A", "write_off");
	assert_int_equal(returns_decide(T.db, hold, -1, &q, &r, &e), 0);
	assert_int_equal(r.done, 1);
	assert_int_equal(avail("H-A"), 7);
	assert_int_equal(moves("H-A", "write_off"), decided_a + 1);
	assert_int_equal(held("H-A"), 0);
	assert_int_equal(t_q64(T.db, "SELECT decided_at IS NOT NULL FROM "
	    "return_holds WHERE id = ?", (struct db_val[]){ DBI(hold) }, 1),
	    1);
	q = req(NULL, 0, RETURNS_RESTOCK, "admin:decide-3");
	assert_int_equal(returns_decide(T.db, hold, -1, &q, &r, &e), -1);
	assert_int_equal(e.kind, ERR_CONFLICT);
	assert_int_equal(returns_decide(T.db, hold + 1000, -1, &q, &r, &e),
	    -1);
	assert_int_equal(e.kind, ERR_NOTFOUND);
	q = req(NULL, 0, RETURNS_INSPECT, "admin:decide-4");
	assert_int_equal(returns_decide(T.db, hold, -1, &q, &r, &e), -1);
	assert_int_equal(e.kind, ERR_INVALID);
}

/* A stocked SKU handed back outside any order, each condition. */
static void
test_sku_return(void **state)
{
	struct returns_req	 q;
	struct returns_result	 r;
	struct err		 e;

	(void)state;
	mk("S-MUG", 2);
	q = req("S-MUG", 2, RETURNS_RESTOCK, "admin:s-1");
	assert_int_equal(returns_sku(T.db, &q, &r, &e), 0);
	assert_int_equal(avail("S-MUG"), 4);
	q = req("S-MUG", 1, RETURNS_DAMAGED, "admin:s-2");
	assert_int_equal(returns_sku(T.db, &q, &r, &e), 0);
	assert_int_equal(avail("S-MUG"), 4);
	assert_int_equal(moves("S-MUG", "write_off"), 1);
	q = req("S-NOPE", 1, RETURNS_RESTOCK, "admin:s-3");
	assert_int_equal(returns_sku(T.db, &q, &r, &e), -1);
	assert_int_equal(e.kind, ERR_NOTFOUND);
	q = req("S-MUG", 0, RETURNS_RESTOCK, "admin:s-4");
	assert_int_equal(returns_sku(T.db, &q, &r, &e), -1);
	assert_int_equal(e.kind, ERR_INVALID);
	/* a bundle with nothing in it has nothing to put back */
	mk("S-EMPTY", 0);
	t_exec(T.db, "UPDATE stock_items SET kind = 'bundle' WHERE sku = "
	    "'S-EMPTY'", NULL, 0);
	q = req("S-EMPTY", 1, RETURNS_RESTOCK, "admin:s-5");
	assert_int_equal(returns_sku(T.db, &q, &r, &e), -1);
	assert_int_equal(e.kind, ERR_INVALID);
	assert_non_null(strstr(e.msg, "S-EMPTY"));
}

/* Stock put directly on a bundle would vanish: refused, naming it. */
static void
test_receive_on_bundle_refused(void **state)
{
	const struct bom_component c[] = { { "B-A", 1 } };
	struct ledger_line	 l = { "B-KIT", STOCK_RECEIVE, 5 };
	struct ledger_event	 ev = { "b-recv", "test", "stock in", &l, 1 };
	struct ledger_result	 res;
	struct err		 e;
	int			 k;

	(void)state;
	mk("B-A", 1);
	mk("B-KIT", 0);
	kit("B-KIT", c, 1);
	for (k = 0; k < 3; k++) {
		l.kind = k == 0 ? STOCK_RECEIVE : k == 1 ? STOCK_COUNT :
		    STOCK_ADJUST;
		assert_int_equal(ledger_post(T.db, &ev, NULL, NULL, &res, &e),
		    -1);
		assert_int_equal(e.kind, ERR_INVALID);
		assert_non_null(strstr(e.msg, "'B-KIT' is a bundle"));
		assert_non_null(strstr(e.msg, "components"));
	}
	assert_int_equal(t_item(T.db, "B-KIT").on_hand, 0);
	assert_int_equal(t_q64(T.db, "SELECT COUNT(*) FROM ledger_events "
	    "WHERE event_key = 'b-recv'", NULL, 0), 0);
	/* the component takes it */
	l.sku = "B-A";
	l.kind = STOCK_RECEIVE;
	assert_int_equal(ledger_post(T.db, &ev, NULL, NULL, &res, &e), 0);
	assert_int_equal(bundle_avail("B-KIT"), 6);
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
		cmocka_unit_test(test_cond_names),
		cmocka_unit_test(test_line_conditions_move_components),
		cmocka_unit_test(test_hold_and_decide),
		cmocka_unit_test(test_sku_return),
		cmocka_unit_test(test_receive_on_bundle_refused),
		cmocka_unit_test(test_ledger_consistent),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
