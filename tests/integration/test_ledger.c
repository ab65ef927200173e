/*
 * The stock ledger against the real MariaDB: movements, exactly-once,
 * oversells, all-or-nothing events, and the balance check.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "db.h"
#include "err.h"
#include "ledger.h"
#include "support.h"

static struct tdb T;

static int
setup(void **state)
{
	(void)state;
	tdb_open(&T, "ledger");
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	tdb_close(&T);
	return 0;
}

/* Post one line; returns ledger_post's result. */
static int
post1(const char *key, const char *sku, enum stock_kind k, int64_t qty,
    struct ledger_result *res, struct err *e)
{
	struct ledger_line	 l = { sku, k, qty };
	struct ledger_event	 ev = { key, "test", "because", &l, 1 };

	return ledger_post(T.db, &ev, NULL, NULL, res, e);
}

static void
item(const char *sku)
{
	struct err e;

	assert_int_equal(ledger_item_create(T.db, sku, "t", NULL, &e), 0);
}

static struct ledger_item
get(const char *sku)
{
	struct ledger_item	 it;
	struct err		 e;

	assert_int_equal(ledger_item_get(T.db, sku, &it, &e), 0);
	return it;
}

static void
test_item_create_rules(void **state)
{
	struct err	 e;

	(void)state;
	item("A-1");
	assert_int_equal(ledger_item_create(T.db, "A-1", "", NULL, &e), -1);
	assert_int_equal(e.kind, ERR_CONFLICT);
	/* exact match: case makes another SKU */
	assert_int_equal(ledger_item_create(T.db, "a-1", "", NULL, &e), 0);
	assert_int_equal(ledger_item_create(T.db, " A-2", "", NULL, &e), -1);
	assert_int_equal(e.kind, ERR_INVALID);
	assert_non_null(strstr(e.msg, "space"));
	assert_int_equal(ledger_item_create(T.db,
	    "12345678901234567890123456789012345678901234567890123456789012345",
	    "", NULL, &e), -1);
	assert_non_null(strstr(e.msg, "64"));
	assert_int_equal(ledger_item_get(T.db, "NOPE", &(struct ledger_item){0},
	    &e), -1);
	assert_int_equal(e.kind, ERR_NOTFOUND);
}

static void
test_movements_and_count(void **state)
{
	struct ledger_result	 res;
	struct ledger_item	 it;
	struct err		 e;

	(void)state;
	item("B-1");
	assert_int_equal(post1("b1", "B-1", STOCK_RECEIVE, 10, &res, &e), 0);
	assert_int_equal(post1("b2", "B-1", STOCK_COMMIT, 4, &res, &e), 0);
	assert_int_equal(post1("b3", "B-1", STOCK_SHIP, 1, &res, &e), 0);
	assert_int_equal(post1("b4", "B-1", STOCK_RELEASE, 1, &res, &e), 0);
	it = get("B-1");
	assert_int_equal(it.on_hand, 9);
	assert_int_equal(it.committed, 2);
	assert_int_equal(it.available, 7);
	/* a count sets on_hand and keeps what is committed */
	assert_int_equal(post1("b5", "B-1", STOCK_COUNT, 5, &res, &e), 0);
	it = get("B-1");
	assert_int_equal(it.on_hand, 5);
	assert_int_equal(it.committed, 2);
	assert_int_equal(it.version, 5);
	/* the count's movement carries the delta */
	int64_t delta = 0;
	assert_int_equal(db_query_i64(T.db, "SELECT m.on_hand_delta FROM "
	    "stock_movements m JOIN ledger_events ev ON ev.id = m.event_id "
	    "WHERE ev.event_key = 'b5'", NULL, 0, &delta, &e), 1);
	assert_int_equal(delta, -4);
	assert_int_equal(post1("b6", "B-1", STOCK_RETURN_RESTOCK, 2, &res,
	    &e), 0);
	assert_int_equal(post1("b7", "B-1", STOCK_WRITE_OFF, 1, &res, &e), 0);
	assert_int_equal(post1("b8", "B-1", STOCK_ADJUST, -1, &res, &e), 0);
	it = get("B-1");
	assert_int_equal(it.on_hand, 5);
}

static void
test_refusals_change_nothing(void **state)
{
	struct ledger_result	 res;
	struct ledger_item	 before, after;
	struct err		 e;

	(void)state;
	item("C-1");
	assert_int_equal(post1("c1", "C-1", STOCK_RECEIVE, 2, &res, &e), 0);
	before = get("C-1");
	assert_int_equal(post1("c2", "C-1", STOCK_RELEASE, 1, &res, &e), -1);
	assert_int_equal(e.kind, ERR_CONFLICT);
	assert_non_null(strstr(e.msg, "C-1"));
	assert_int_equal(post1("c3", "C-1", STOCK_WRITE_OFF, 3, &res, &e), -1);
	assert_int_equal(post1("c4", "C-1", STOCK_RECEIVE, 0, &res, &e), -1);
	assert_int_equal(e.kind, ERR_INVALID);
	assert_int_equal(post1("c5", "NO-SUCH", STOCK_RECEIVE, 1, &res, &e),
	    -1);
	assert_int_equal(e.kind, ERR_NOTFOUND);
	after = get("C-1");
	assert_int_equal(after.on_hand, before.on_hand);
	assert_int_equal(after.version, before.version);
	/* a refused event leaves its key free for a corrected retry */
	assert_int_equal(post1("c2", "C-1", STOCK_RECEIVE, 1, &res, &e), 0);
	assert_int_equal(res.duplicate, 0);
}

static void
test_exactly_once(void **state)
{
	struct ledger_result	 res;
	struct err		 e;
	int64_t			 n = 0;

	(void)state;
	item("D-1");
	assert_int_equal(post1("d1", "D-1", STOCK_RECEIVE, 5, &res, &e), 0);
	assert_int_equal(res.duplicate, 0);
	int64_t first = res.event_id;
	assert_int_equal(post1("d1", "D-1", STOCK_RECEIVE, 5, &res, &e), 0);
	assert_int_equal(res.duplicate, 1);
	assert_int_equal(res.event_id, first);
	assert_int_equal(get("D-1").on_hand, 5);
	assert_int_equal(db_query_i64(T.db, "SELECT COUNT(*) FROM "
	    "stock_movements WHERE event_id = ?", (struct db_val[]){
	    DBI(first) }, 1, &n, &e), 1);
	assert_int_equal(n, 1);
	/* the same key with other lines is refused, not applied */
	assert_int_equal(post1("d1", "D-1", STOCK_RECEIVE, 6, &res, &e), -1);
	assert_int_equal(e.kind, ERR_CONFLICT);
	assert_int_equal(get("D-1").on_hand, 5);
}

static void
test_oversell_recorded(void **state)
{
	struct ledger_result	 res;
	struct ledger_item	 it;
	struct err		 e;
	int64_t			 n = 0;

	(void)state;
	item("E-1");
	assert_int_equal(post1("e1", "E-1", STOCK_RECEIVE, 1, &res, &e), 0);
	assert_int_equal(post1("e2", "E-1", STOCK_COMMIT, 1, &res, &e), 0);
	assert_int_equal(res.oversold, 0);
	/* the sale happened: it is recorded, and flagged */
	assert_int_equal(post1("e3", "E-1", STOCK_COMMIT, 2, &res, &e), 0);
	assert_int_equal(res.oversold, 2);
	it = get("E-1");
	assert_int_equal(it.committed, 3);
	assert_int_equal(it.available, -2);
	assert_int_equal(db_query_i64(T.db, "SELECT SUM(oversold) FROM "
	    "stock_movements m JOIN stock_items i ON i.id = m.item_id "
	    "WHERE i.sku = 'E-1'", NULL, 0, &n, &e), 1);
	assert_int_equal(n, 2);
}

static void
test_event_all_or_nothing(void **state)
{
	struct ledger_line	 lines[] = {
		{ "F-1", STOCK_COMMIT, 1 },
		{ "F-2", STOCK_COMMIT, 1 },
		{ "F-MISSING", STOCK_COMMIT, 1 },
	};
	struct ledger_event	 ev = { "f1", "test", "order", lines, 3 };
	struct ledger_result	 res;
	struct err		 e;

	(void)state;
	item("F-1");
	item("F-2");
	assert_int_equal(ledger_post(T.db, &ev, NULL, NULL, &res, &e), -1);
	assert_int_equal(e.kind, ERR_NOTFOUND);
	assert_int_equal(get("F-1").committed, 0);
	assert_int_equal(get("F-2").committed, 0);
	/* two lines on one SKU apply to the same locked row */
	lines[2].sku = "F-1";
	assert_int_equal(ledger_post(T.db, &ev, NULL, NULL, &res, &e), 0);
	assert_int_equal(get("F-1").committed, 2);
	assert_int_equal(get("F-1").version, 2);
	assert_int_equal(get("F-2").committed, 1);
}

struct touched {
	int	 calls;
	int	 fail;
	int64_t	 last_available;
};

static int
touch(struct db *db, const struct ledger_item *it, void *arg, struct err *e)
{
	struct touched *t = arg;

	(void)db;
	t->calls++;
	t->last_available = it->available;
	if (t->fail)
		return err_set(e, ERR_SYS, "hook failed");
	return 0;
}

static void
test_touch_hook_is_atomic(void **state)
{
	struct ledger_line	 l = { "G-1", STOCK_RECEIVE, 4 };
	struct ledger_event	 ev = { "g1", "test", "r", &l, 1 };
	struct ledger_result	 res;
	struct touched		 t = { 0, 1, 0 };
	struct err		 e;

	(void)state;
	item("G-1");
	/* a failing hook rolls the movement back */
	assert_int_equal(ledger_post(T.db, &ev, touch, &t, &res, &e), -1);
	assert_int_equal(t.calls, 1);
	assert_int_equal(get("G-1").on_hand, 0);
	t.fail = 0;
	assert_int_equal(ledger_post(T.db, &ev, touch, &t, &res, &e), 0);
	assert_int_equal(t.calls, 2);
	assert_int_equal(t.last_available, 4);
	assert_int_equal(get("G-1").on_hand, 4);
}

static void
test_check_finds_drift(void **state)
{
	struct err	 e;
	int64_t		 bad = -1;

	(void)state;
	assert_int_equal(ledger_check(T.db, &bad, &e), 0);
	assert_int_equal(bad, 0);
	/* a balance edited behind the ledger's back is caught */
	tdb_exec(&T, "UPDATE stock_items SET on_hand = on_hand + 1 "
	    "WHERE sku = 'B-1'");
	assert_int_equal(ledger_check(T.db, &bad, &e), 0);
	assert_int_equal(bad, 1);
	tdb_exec(&T, "UPDATE stock_items SET on_hand = on_hand - 1 "
	    "WHERE sku = 'B-1'");
	assert_int_equal(ledger_check(T.db, &bad, &e), 0);
	assert_int_equal(bad, 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_item_create_rules),
		cmocka_unit_test(test_movements_and_count),
		cmocka_unit_test(test_refusals_change_nothing),
		cmocka_unit_test(test_exactly_once),
		cmocka_unit_test(test_oversell_recorded),
		cmocka_unit_test(test_event_all_or_nothing),
		cmocka_unit_test(test_touch_hook_is_atomic),
		cmocka_unit_test(test_check_finds_drift),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
