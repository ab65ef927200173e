/*
 * Reconciliation end to end (issue 8): the hub's MariaDB and both sandbox
 * marketplaces, driving lib/recon in process as the tick and the CLI do.
 * A clean shop reconciles clean; a seller's manual edit on Shopify is
 * found as "manual edit", left alone under report-only and repaired
 * through a push under the repair policy; an Etsy listing changed behind
 * the hub's back is found; a run over more listings than one chunk
 * finishes across several calls and resumes after an interruption; runs
 * count listings and API calls.
 *
 * The Shopify shop's webhooks go to a closed port, so the hub hears of
 * nothing the seller does there (as with a dropped webhook) and only
 * reconciliation can find it. Every SKU, shop and account carries the
 * pid (the database is shared with the other tests).
 */
#include <inttypes.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <jansson.h>

#include "channel.h"
#include "config.h"
#include "db.h"
#include "err.h"
#include "ledger.h"
#include "push.h"
#include "recon.h"
#include "sbx.h"
#include "str.h"
#include "support.h"

#define DEAD_HOOKS	"http://127.0.0.1:9/hooks/shopify"
#define CHUNK_N		5	/* extra listings for the chunked run */

static struct config	 cfg;
static struct db	*db;
static long		 pid;
static int64_t		 shop_acct, etsy_acct, etsy_shop;

#define q64(...)	t_q64(db, __VA_ARGS__)
#define exec1(...)	t_exec(db, __VA_ARGS__)
#define map_shopify(sku, shows)	sbx_map_shopify(db, shop_acct, sku, shows, NULL)
#define map_etsy(sku, shows, l)	sbx_map_etsy(db, etsy_acct, etsy_shop, sku, shows, l)

/* --- helpers -------------------------------------------------------- */

static void
new_item(char *sku, size_t skusz, const char *tag, int64_t units)
{
	static int	 seq;
	struct err	 e;
	char		 key[96];

	(void)str_fmt(sku, skusz, "RC-%s-%ld", tag, pid);
	if (ledger_item_create(db, sku, "Handmade ceramic mug", NULL, &e) ==
	    -1)
		fail_msg("item %s: %s", sku, e.msg);
	(void)str_fmt(key, sizeof(key), "rc-%ld-%d", pid, ++seq);
	t_post(db, key, sku, STOCK_RECEIVE, units);
}

/* Push whatever is due until the queue of these listings is settled. */
static void
settle(void)
{
	struct err	 e;
	int		 i;

	for (i = 0; i < 3; i++)
		if (push_run(db, &cfg, "test-recon", push_now_ms() + 5000, NULL,
		    &e) == -1)
			fail_msg("push: %s", e.msg);
}

/* A whole run over one account (chunk 0: no chunking); its report. */
static struct recon_report
reconcile(int64_t acct)
{
	struct recon_opts	 o;
	struct recon_report	 r;
	struct err		 e;
	int64_t			 run;
	int			 done = 0, i;

	memset(&o, 0, sizeof(o));
	o.account_id = acct;
	if (recon_start(db, &o, "manual", &run, &e) == -1)
		fail_msg("start: %s", e.msg);
	for (i = 0; i < 50 && !done; i++)
		if (recon_step(db, &cfg, run, &o, push_now_ms() + 20000, &done,
		    &e) == -1)
			fail_msg("step: %s", e.msg);
	assert_true(done);
	if (recon_report_load(db, run, &r, &e) == -1)
		fail_msg("report: %s", e.msg);
	return r;
}

static int64_t
listings_of(int64_t acct)
{
	return q64("SELECT COUNT(*) FROM channel_listings WHERE account_id = "
	    "?", (struct db_val[]){ DBI(acct) }, 1);
}

static void
print_report(const struct recon_report *r)
{
	recon_report_print(r, stderr);
}

/* --- setup ---------------------------------------------------------- */

static int
setup(void **state)
{
	struct err	 e;
	char		 domain[64], secret[64], name[64];

	(void)state;
	pid = (long)getpid();
	if (config_load(&cfg, NULL, &e) == -1 ||
	    (db = db_open(&cfg, &e)) == NULL)
		fail_msg("setup: %s", e.msg);
	(void)str_fmt(domain, sizeof(domain), "rc%ld.myshopify.com", pid);
	(void)str_fmt(secret, sizeof(secret), "whsec-rc-%ld", pid);
	sbx_shopify_shop(db, &cfg, domain, secret, DEAD_HOOKS, &shop_acct);
	etsy_shop = 610000000 + (int64_t)pid;
	(void)str_fmt(name, sizeof(name), "rc-etsy-%ld", pid);
	sbx_etsy_connect(db, &cfg, name, etsy_shop, 710000000 + (int64_t)pid,
	    &etsy_acct);
	json_decref(sbx_ok(SBX_SHOPIFY, "DELETE", "/_sandbox/faults", NULL));
	json_decref(sbx_ok(SBX_ETSY, "DELETE", "/_sandbox/faults", NULL));
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	db_close(db);
	return 0;
}

/* --- tests ---------------------------------------------------------- */

static char	 sku_a[64], sku_b[64], sku_e[64];
static int64_t	 lst_a, lst_b, lst_e, etsy_listing_e;

/* Everything as the hub pushed it: a clean run that says so. */
static void
test_clean(void **state)
{
	struct recon_report	 r;
	int64_t			 n;

	(void)state;
	new_item(sku_a, sizeof(sku_a), "A", 7);
	new_item(sku_b, sizeof(sku_b), "B", 4);
	new_item(sku_e, sizeof(sku_e), "E", 6);
	lst_a = map_shopify(sku_a, 2);
	lst_b = map_shopify(sku_b, 9);
	lst_e = map_etsy(sku_e, 1, &etsy_listing_e);
	settle();
	assert_int_equal(sbx_shopify_shown(sku_a), 7);
	assert_int_equal(sbx_shopify_shown(sku_b), 4);
	assert_int_equal(sbx_etsy_shown(etsy_listing_e, sku_e), 6);

	n = sbx_route_count(SBX_SHOPIFY, "POST /admin/api/{}/graphql.json");
	r = reconcile(shop_acct);
	print_report(&r);
	assert_true(r.done);
	assert_int_equal(r.checked, 2);
	assert_int_equal(r.discrepancies, 0);
	assert_int_equal(r.unreadable, 0);
	assert_int_equal(r.repairs, 0);
	/* one read per listing and one page of the order sweep, counted,
	 * and nothing written */
	assert_int_equal(r.api_calls, 2 + 1);
	assert_int_equal(sbx_route_count(SBX_SHOPIFY,
	    "POST /admin/api/{}/graphql.json") - n, 2 + 1);

	r = reconcile(etsy_acct);
	assert_int_equal(r.checked, 1);
	assert_int_equal(r.discrepancies, 0);
	assert_int_equal(r.api_calls, 1);
	assert_int_equal(q64("SELECT last_seen_qty FROM channel_listings WHERE "
	    "id = ?", (struct db_val[]){ DBI(lst_e) }, 1), 6);
}

/* The seller types 17 into Shopify's admin; the webhook never comes. */
static void
test_shopify_manual_edit(void **state)
{
	struct recon_report	 r;
	char			 b[160];
	const char		*disc = "SELECT COUNT(*) FROM recon_discrepancies "
	    "WHERE run_id = ? AND listing_id = ? AND cause = 'manual_edit' AND "
	    "hub_desired = 7 AND last_pushed = 7 AND channel_shows = 17 AND "
	    "difference = 10 AND action = ?";

	(void)state;
	(void)str_fmt(b, sizeof(b), "{\"sku\":\"%s\",\"available\":17}",
	    sku_a);
	json_decref(sbx_ok(SBX_SHOPIFY, "POST", "/_sandbox/inventory", b));
	assert_int_equal(sbx_shopify_shown(sku_a), 17);

	/* report only (the default): found, explained, left alone */
	r = reconcile(shop_acct);
	print_report(&r);
	assert_int_equal(r.checked, 2);
	assert_int_equal(r.discrepancies, 1);
	assert_int_equal(r.by_cause[RECON_MANUAL_EDIT], 1);
	assert_int_equal(r.repairs, 0);
	assert_int_equal(q64(disc, (struct db_val[]){ DBI(r.run_id),
	    DBI(lst_a), DBS("reported") }, 3), 1);
	assert_int_equal(q64("SELECT COUNT(*) FROM alerts WHERE kind = "
	    "'discrepancy' AND dedupe_key = CONCAT('discrepancy:', ?) AND "
	    "resolved_at IS NULL", (struct db_val[]){ DBI(lst_a) }, 1), 1);
	settle();
	assert_int_equal(sbx_shopify_shown(sku_a), 17);

	/* a second report-only run: the same alert, counted again */
	r = reconcile(shop_acct);
	assert_int_equal(r.discrepancies, 1);
	assert_int_equal(q64("SELECT occurrences FROM alerts WHERE "
	    "dedupe_key = CONCAT('discrepancy:', ?)", (struct db_val[]){
	    DBI(lst_a) }, 1), 2);

	/* repair: a push through the guarded path puts 7 back */
	exec1("UPDATE channel_accounts SET recon_policy = 'repair' WHERE id = ?",
	    (struct db_val[]){ DBI(shop_acct) }, 1);
	r = reconcile(shop_acct);
	assert_int_equal(r.discrepancies, 1);
	assert_int_equal(r.repairs, 1);
	assert_int_equal(q64(disc, (struct db_val[]){ DBI(r.run_id),
	    DBI(lst_a), DBS("repair_queued") }, 3), 1);
	settle();
	assert_int_equal(sbx_shopify_shown(sku_a), 7);
	assert_true(q64("SELECT COUNT(*) FROM push_log WHERE listing_id = ? "
	    "AND outcome = 'written'", (struct db_val[]){ DBI(lst_a) }, 1) >=
	    2);
	r = reconcile(shop_acct);
	assert_int_equal(r.discrepancies, 0);
	exec1("UPDATE channel_accounts SET recon_policy = 'report' WHERE id = ?",
	    (struct db_val[]){ DBI(shop_acct) }, 1);
}

/* The seller sets 11 on etsy.com behind the hub's back. */
static void
test_etsy_changed(void **state)
{
	struct recon_report	 r;
	char			 path[96], b[160];

	(void)state;
	(void)str_fmt(path, sizeof(path), "/_sandbox/listings/%" PRId64
	    "/quantity", etsy_listing_e);
	(void)str_fmt(b, sizeof(b), "{\"sku\":\"%s\",\"quantity\":11}", sku_e);
	json_decref(sbx_ok(SBX_ETSY, "POST", path, b));
	assert_int_equal(sbx_etsy_shown(etsy_listing_e, sku_e), 11);
	r = reconcile(etsy_acct);
	print_report(&r);
	assert_int_equal(r.checked, 1);
	assert_int_equal(r.discrepancies, 1);
	assert_int_equal(r.by_cause[RECON_MANUAL_EDIT], 1);
	assert_int_equal(q64("SELECT channel_shows - hub_desired FROM "
	    "recon_discrepancies WHERE run_id = ? AND listing_id = ?",
	    (struct db_val[]){ DBI(r.run_id), DBI(lst_e) }, 2), 5);
	assert_int_equal(sbx_etsy_shown(etsy_listing_e, sku_e), 11);
}

/* More listings than a chunk: several calls, an interruption, resumed. */
static void
test_chunked_resume(void **state)
{
	struct recon_opts	 o;
	struct recon_report	 r;
	struct err		 e;
	char			 sku[64], tag[16];
	int64_t			 run, total;
	int			 i, done = 0, calls = 0;

	(void)state;
	for (i = 0; i < CHUNK_N; i++) {
		(void)str_fmt(tag, sizeof(tag), "C%d", i);
		new_item(sku, sizeof(sku), tag, 3 + i);
		(void)map_shopify(sku, 3 + i);
	}
	settle();
	total = listings_of(shop_acct);
	assert_int_equal(total, 2 + CHUNK_N);

	memset(&o, 0, sizeof(o));
	o.account_id = shop_acct;
	o.chunk = 2;
	if (recon_start(db, &o, "manual", &run, &e) == -1)
		fail_msg("start: %s", e.msg);
	/* the first chunk, then the process "dies" holding the run */
	if (recon_step(db, &cfg, run, &o, push_now_ms() + 20000, &done, &e) ==
	    -1)
		fail_msg("step: %s", e.msg);
	assert_false(done);
	assert_int_equal(q64("SELECT checked FROM recon_runs WHERE id = ?",
	    (struct db_val[]){ DBI(run) }, 1), 2);
	exec1("UPDATE recon_runs SET lease_until = CURRENT_TIMESTAMP(6) + "
	    "INTERVAL 1 HOUR WHERE id = ?", (struct db_val[]){ DBI(run) }, 1);
	/* another caller meanwhile: the run is held, nothing checked twice */
	if (recon_step(db, &cfg, run, &o, push_now_ms() + 20000, &done, &e) ==
	    -1)
		fail_msg("step: %s", e.msg);
	assert_false(done);
	assert_int_equal(q64("SELECT checked FROM recon_runs WHERE id = ?",
	    (struct db_val[]){ DBI(run) }, 1), 2);
	/* starting "again" finds the unfinished run, not a new one */
	{
		int64_t	 again = 0;

		if (recon_start(db, &o, "manual", &again, &e) == -1)
			fail_msg("start: %s", e.msg);
		assert_int_equal(again, run);
	}
	/* the lease runs out: the next calls continue where it stopped */
	exec1("UPDATE recon_runs SET lease_until = CURRENT_TIMESTAMP(6) - "
	    "INTERVAL 1 SECOND WHERE id = ?", (struct db_val[]){ DBI(run) }, 1);
	while (!done && calls < 20) {
		if (recon_step(db, &cfg, run, &o, push_now_ms() + 20000, &done,
		    &e) == -1)
			fail_msg("step: %s", e.msg);
		calls++;
	}
	assert_true(done);
	assert_true(calls >= 3);	/* 5 listings left, 2 a call */
	if (recon_report_load(db, run, &r, &e) == -1)
		fail_msg("report: %s", e.msg);
	print_report(&r);
	assert_int_equal(r.checked, total);
	assert_int_equal(r.api_calls, total + 1);	/* + the sweep */
	assert_int_equal(r.discrepancies, 0);
	assert_true(r.steps >= 4);
	assert_true(r.finished[0] != '\0');
	/* a finished run is not stepped again */
	if (recon_step(db, &cfg, run, &o, push_now_ms() + 20000, &done, &e) ==
	    -1)
		fail_msg("step: %s", e.msg);
	assert_true(done);
	assert_int_equal(q64("SELECT checked FROM recon_runs WHERE id = ?",
	    (struct db_val[]){ DBI(run) }, 1), total);
}

/*
 * A push that failed (the sandbox answers 503) and was never retried in
 * time: the channel still shows the old figure; the run names a failed or
 * lost push and, under the repair policy, pushes it again.
 */
static void
test_dropped_push(void **state)
{
	struct recon_report	 r;
	struct err		 e;
	char			 sku[64], key[64];
	int64_t			 lst;

	(void)state;
	new_item(sku, sizeof(sku), "DP", 6);
	lst = map_shopify(sku, 0);
	settle();
	assert_int_equal(sbx_shopify_shown(sku), 6);
	json_decref(sbx_ok(SBX_SHOPIFY, "POST", "/_sandbox/faults",
	    "{\"rules\":[{\"path\":\"/admin/api/\",\"kind\":\"5xx\","
	    "\"status\":503,\"times\":20}]}"));
	(void)str_fmt(key, sizeof(key), "rc-dp-%ld", pid);
	t_post(db, key, sku, STOCK_WRITE_OFF, 2);
	if (push_run(db, &cfg, "test-recon", push_now_ms() + 5000, NULL, &e) ==
	    -1)
		fail_msg("push: %s", e.msg);
	json_decref(sbx_ok(SBX_SHOPIFY, "DELETE", "/_sandbox/faults", NULL));
	assert_int_equal(sbx_shopify_shown(sku), 6);
	assert_int_equal(q64("SELECT last_pushed_qty FROM channel_listings "
	    "WHERE id = ?", (struct db_val[]){ DBI(lst) }, 1), 6);

	exec1("UPDATE channel_accounts SET recon_policy = 'repair' WHERE id = ?",
	    (struct db_val[]){ DBI(shop_acct) }, 1);
	r = reconcile(shop_acct);
	print_report(&r);
	assert_int_equal(r.by_cause[RECON_LOST_PUSH], 1);
	assert_int_equal(q64("SELECT COUNT(*) FROM recon_discrepancies WHERE "
	    "run_id = ? AND listing_id = ? AND cause = 'lost_push' AND "
	    "hub_desired = 4 AND last_pushed = 6 AND channel_shows = 6 AND "
	    "action = 'repair_queued'", (struct db_val[]){ DBI(r.run_id),
	    DBI(lst) }, 2), 1);
	settle();
	assert_int_equal(sbx_shopify_shown(sku), 4);
	exec1("UPDATE channel_accounts SET recon_policy = 'report' WHERE id = ?",
	    (struct db_val[]){ DBI(shop_acct) }, 1);
	r = reconcile(shop_acct);
	assert_int_equal(r.by_cause[RECON_LOST_PUSH], 0);
}

/*
 * Etsy listings are read 100 to a call; a call naming a listing Etsy no
 * longer has is refused whole (404), so that batch is read one by one and
 * only the missing listing is a mapping problem.
 */
static void
test_etsy_batch(void **state)
{
	struct recon_report	 r;
	char			 sku1[64], sku2[64];
	int64_t			 l1, l2, e1, e2, b0, o0;

	(void)state;
	new_item(sku1, sizeof(sku1), "EB1", 2);
	new_item(sku2, sizeof(sku2), "EB2", 3);
	l1 = map_etsy(sku1, 1, &e1);
	l2 = map_etsy(sku2, 1, &e2);
	settle();
	assert_int_equal(sbx_etsy_shown(e2, sku2), 3);
	b0 = sbx_route_count(SBX_ETSY,
	    "GET /v3/application/listings/batch/inventory");
	o0 = sbx_route_count(SBX_ETSY, "GET /v3/application/listings/{}/"
	    "inventory");
	r = reconcile(etsy_acct);
	assert_int_equal(r.checked, 3);
	assert_int_equal(r.api_calls, 1);
	assert_int_equal(sbx_route_count(SBX_ETSY,
	    "GET /v3/application/listings/batch/inventory") - b0, 1);
	assert_int_equal(sbx_route_count(SBX_ETSY, "GET /v3/application/"
	    "listings/{}/inventory") - o0, 0);
	/* listing l1 now points at a listing Etsy does not have */
	exec1("UPDATE channel_listings SET ext_listing = '999999991' WHERE "
	    "id = ?", (struct db_val[]){ DBI(l1) }, 1);
	r = reconcile(etsy_acct);
	print_report(&r);
	assert_int_equal(r.checked, 3);
	/* the mapping problem, and the manual edit test_etsy_changed left */
	assert_int_equal(r.discrepancies, 2);
	assert_int_equal(r.by_cause[RECON_MAPPING], 1);
	assert_int_equal(r.by_cause[RECON_MANUAL_EDIT], 1);
	assert_int_equal(r.api_calls, 1 + 3);
	assert_int_equal(sbx_route_count(SBX_ETSY, "GET /v3/application/"
	    "listings/{}/inventory") - o0, 3);
	assert_int_equal(q64("SELECT COUNT(*) FROM recon_discrepancies WHERE "
	    "run_id = ? AND listing_id = ? AND cause = 'mapping'",
	    (struct db_val[]){ DBI(r.run_id), DBI(l1) }, 2), 1);
	assert_int_equal(q64("SELECT last_seen_qty FROM channel_listings WHERE "
	    "id = ?", (struct db_val[]){ DBI(l2) }, 1), 3);
	/* put it back for the tests after this one */
	{
		char	 ext[32];

		(void)str_fmt(ext, sizeof(ext), "%" PRId64, e1);
		exec1("UPDATE channel_listings SET ext_listing = ? WHERE id = ?",
		    (struct db_val[]){ DBS(ext), DBI(l1) }, 2);
	}
}

/* A mapped variant deleted from the channel: a mapping problem. */
static void
test_mapping_problem(void **state)
{
	struct recon_report	 r;

	(void)state;
	/* point the listing at an inventory item Shopify does not have */
	exec1("UPDATE channel_listings SET ext_variant = '999999999' WHERE "
	    "id = ?", (struct db_val[]){ DBI(lst_b) }, 1);
	r = reconcile(shop_acct);
	print_report(&r);
	assert_int_equal(r.by_cause[RECON_MAPPING], 1);
	assert_int_equal(q64("SELECT COUNT(*) FROM recon_discrepancies WHERE "
	    "run_id = ? AND listing_id = ? AND cause = 'mapping' AND "
	    "channel_shows IS NULL", (struct db_val[]){ DBI(r.run_id),
	    DBI(lst_b) }, 2), 1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_clean),
		cmocka_unit_test(test_shopify_manual_edit),
		cmocka_unit_test(test_etsy_changed),
		cmocka_unit_test(test_chunked_resume),
		cmocka_unit_test(test_dropped_push),
		cmocka_unit_test(test_etsy_batch),
		cmocka_unit_test(test_mapping_problem),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
