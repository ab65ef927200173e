/*
 * Reconciliation at catalog scale (issue 8), against the real MariaDB and
 * the Etsy sandbox: a 10,000-listing Etsy catalog reconciles across
 * several steps (as the timer's ticks run them), each within its API
 * call allowance, reading 100 listings per getListingsInventoryByListing-
 * Ids call and never one at a time; a run that "crashes" after a step
 * (its lease left behind) is resumed by the next step once the lease runs
 * out, and nothing is checked, reported or repaired twice.
 *
 * The catalog is made fast: the sandbox listings through its control API
 * (inactive ones, so they show 0), the hub's items and SKU map inserted
 * straight into the database in one transaction (items at 0 units: no
 * movements needed, so the ledger check of other tests still holds). A
 * few listings are left active with units the hub does not have: the
 * discrepancies the run must find, once each, and repair once each.
 */
#include <inttypes.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <jansson.h>

#include "channel.h"
#include "config.h"
#include "db.h"
#include "err.h"
#include "push.h"
#include "recon.h"
#include "sbx.h"
#include "str.h"
#include "support.h"

#define BIG_N		10000
#define ODD_EVERY	2500	/* every 2500th listing is active with 2 */
#define STEP_CALLS	20	/* a step's API call allowance */
#define BATCH_ROUTE	"GET /v3/application/listings/batch/inventory"
#define ONE_ROUTE	"GET /v3/application/listings/{}/inventory"

static struct config	 cfg;
static struct db	*db;
static long		 pid;
static int64_t		 scale_acct, shop;

#define q64(...)	t_q64(db, __VA_ARGS__)
#define exec1(...)	t_exec(db, __VA_ARGS__)

struct mk {
	int64_t	*ids;	/* sandbox listing ids, BIG_N */
};

static int
insert_fn(struct db *d, void *arg, struct err *e)
{
	struct mk	*m = arg;
	char		 sku[64], ext[32];
	uint64_t	 item;
	int		 i;

	for (i = 0; i < BIG_N; i++) {
		(void)str_fmt(sku, sizeof(sku), "BIG-%ld-%d", pid, i);
		(void)str_fmt(ext, sizeof(ext), "%" PRId64, m->ids[i]);
		if (db_exec(d, "INSERT INTO stock_items (sku, title) VALUES "
		    "(?, 'scale')", (struct db_val[]){ DBS(sku) }, 1, NULL,
		    &item, e) == -1 || db_exec(d, "INSERT INTO channel_listings "
		    "(account_id, item_id, ext_listing, channel_sku) VALUES (?, "
		    "?, ?, ?)", (struct db_val[]){ DBI(scale_acct), DBI(item),
		    DBS(ext), DBS(sku) }, 4, NULL, NULL, e) == -1)
			return -1;
	}
	return 0;
}

static int
setup(void **state)
{
	struct err	 e;
	struct mk	 m;
	char		 name[64], b[256];
	json_t		*j;
	int		 i;

	(void)state;
	pid = (long)getpid();
	if (config_load(&cfg, NULL, &e) == -1 ||
	    (db = db_open(&cfg, &e)) == NULL)
		fail_msg("setup: %s", e.msg);
	shop = 620000000 + (int64_t)pid;
	(void)str_fmt(name, sizeof(name), "scale-etsy-%ld", pid);
	sbx_etsy_connect(db, &cfg, name, shop, 720000000 + (int64_t)pid,
	    &scale_acct);
	json_decref(sbx_ok(SBX_ETSY, "DELETE", "/_sandbox/faults", NULL));
	if ((m.ids = calloc(BIG_N, sizeof(*m.ids))) == NULL)
		fail_msg("out of memory");
	for (i = 0; i < BIG_N; i++) {
		(void)str_fmt(b, sizeof(b), "{\"shop_id\":%" PRId64 ",\"title\":"
		    "\"Scale %d\",\"state\":\"%s\",\"products\":[{\"sku\":"
		    "\"BIG-%ld-%d\",\"quantity\":2,\"price\":28.00}]}", shop, i,
		    i % ODD_EVERY == 7 ? "active" : "inactive", pid, i);
		j = sbx_ok(SBX_ETSY, "POST", "/_sandbox/listings", b);
		m.ids[i] = sbx_find_int(j, "listing_id");
		json_decref(j);
		assert_true(m.ids[i] > 0);
	}
	if (db_tx(db, insert_fn, &m, &e) == -1)
		fail_msg("catalog: %s", e.msg);
	free(m.ids);
	exec1("UPDATE channel_accounts SET recon_policy = 'repair' WHERE id = ?",
	    (struct db_val[]){ DBI(scale_acct) }, 1);
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	db_close(db);
	return 0;
}

static int64_t
run_col(int64_t run, const char *sql)
{
	return q64(sql, (struct db_val[]){ DBI(run) }, 1);
}

static void
test_catalog_in_steps(void **state)
{
	struct recon_opts	 o;
	struct recon_report	 r;
	struct err		 e;
	int64_t			 run, batch0, one0, calls, prev = 0, checked;
	int			 done = 0, steps = 0;
	const int		 odd = BIG_N / ODD_EVERY;

	(void)state;
	assert_int_equal(q64("SELECT COUNT(*) FROM channel_listings WHERE "
	    "account_id = ?", (struct db_val[]){ DBI(scale_acct) }, 1), BIG_N);
	batch0 = sbx_route_count(SBX_ETSY, BATCH_ROUTE);
	one0 = sbx_route_count(SBX_ETSY, ONE_ROUTE);
	memset(&o, 0, sizeof(o));
	o.account_id = scale_acct;
	o.max_calls = STEP_CALLS;
	if (recon_start(db, &o, "manual", &run, &e) == -1)
		fail_msg("start: %s", e.msg);

	/* two steps, then the process dies holding the run */
	while (steps < 2) {
		if (recon_step(db, &cfg, run, &o, push_now_ms() + 60000, &done,
		    &e) == -1)
			fail_msg("step: %s", e.msg);
		steps++;
		calls = run_col(run, "SELECT api_calls FROM recon_runs WHERE "
		    "id = ?");
		assert_true(calls - prev <= STEP_CALLS);
		prev = calls;
	}
	assert_false(done);
	checked = run_col(run, "SELECT checked FROM recon_runs WHERE id = ?");
	assert_int_equal(checked, 2 * STEP_CALLS * 100);
	exec1("UPDATE recon_runs SET lease_until = CURRENT_TIMESTAMP(6) + "
	    "INTERVAL 1 HOUR WHERE id = ?", (struct db_val[]){ DBI(run) }, 1);
	/* while the dead process's lease lasts, nobody checks anything */
	if (recon_step(db, &cfg, run, &o, push_now_ms() + 60000, &done, &e) ==
	    -1)
		fail_msg("step: %s", e.msg);
	assert_false(done);
	assert_int_equal(run_col(run, "SELECT checked FROM recon_runs WHERE "
	    "id = ?"), checked);
	/* the lease runs out: the next steps continue where it stopped */
	exec1("UPDATE recon_runs SET lease_until = CURRENT_TIMESTAMP(6) - "
	    "INTERVAL 1 SECOND WHERE id = ?", (struct db_val[]){ DBI(run) }, 1);
	while (!done && steps < 50) {
		if (recon_step(db, &cfg, run, &o, push_now_ms() + 60000, &done,
		    &e) == -1)
			fail_msg("step: %s", e.msg);
		steps++;
		calls = run_col(run, "SELECT api_calls FROM recon_runs WHERE "
		    "id = ?");
		assert_true(calls - prev <= STEP_CALLS);
		prev = calls;
	}
	assert_true(done);
	if (recon_report_load(db, run, &r, &e) == -1)
		fail_msg("report: %s", e.msg);
	recon_report_print(&r, stderr);
	fprintf(stderr, "# %d listings in %d steps, %" PRId64 " API calls\n",
	    BIG_N, steps, r.api_calls);
	/* every listing once, 100 a call, none read alone */
	assert_int_equal(r.checked, BIG_N);
	assert_int_equal(r.unreadable, 0);
	assert_int_equal(r.api_calls, BIG_N / 100);
	assert_int_equal(sbx_route_count(SBX_ETSY, BATCH_ROUTE) - batch0,
	    BIG_N / 100);
	assert_int_equal(sbx_route_count(SBX_ETSY, ONE_ROUTE) - one0, 0);
	assert_true(steps >= BIG_N / 100 / STEP_CALLS);
	/* the active listings show 2 where the hub has 0: found once each
	 * (never pushed: a lost push) and repaired once each */
	assert_int_equal(r.discrepancies, odd);
	assert_int_equal(r.by_cause[RECON_LOST_PUSH], odd);
	assert_int_equal(r.repairs, odd);
	assert_int_equal(run_col(run, "SELECT COUNT(*) FROM "
	    "recon_discrepancies WHERE run_id = ? AND action = "
	    "'repair_queued' AND channel_shows = 2 AND hub_desired = 0"), odd);
	assert_int_equal(q64("SELECT COUNT(*) FROM alerts WHERE kind = "
	    "'discrepancy' AND account_id = ? AND occurrences = 1",
	    (struct db_val[]){ DBI(scale_acct) }, 1), odd);
}

/* The queued repairs go out through the push path, once each. */
static void
test_repairs_pushed_once(void **state)
{
	struct err	 e;
	int		 i;
	const int	 odd = BIG_N / ODD_EVERY;

	(void)state;
	for (i = 0; i < 3; i++)
		if (push_run(db, &cfg, "test-scale", push_now_ms() + 30000, NULL,
		    &e) == -1)
			fail_msg("push: %s", e.msg);
	assert_int_equal(q64("SELECT COUNT(*) FROM push_log p JOIN "
	    "channel_listings l ON l.id = p.listing_id WHERE l.account_id = ? "
	    "AND p.outcome = 'written'", (struct db_val[]){ DBI(scale_acct) }, 1),
	    odd);
	assert_int_equal(q64("SELECT COUNT(*) FROM channel_listings WHERE "
	    "account_id = ? AND last_pushed_qty = 0", (struct db_val[]){
	    DBI(scale_acct) }, 1), odd);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_catalog_in_steps),
		cmocka_unit_test(test_repairs_pushed_once),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
