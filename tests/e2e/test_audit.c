/*
 * The mapping audit end to end (issue 8), against the real MariaDB and
 * the Etsy sandbox's drift controls: a scarf listing in two colours is
 * mapped and audits clean; a colour added on Etsy (a new variation) is
 * found unmapped with the exact hub SKU suggested, and confirming the
 * suggestion maps it and pushes the hub's figure; a colour renamed on
 * Etsy is found by reconciliation as a mapping problem and by the audit
 * as renamed, and confirming moves the map entry so the next
 * reconciliation is clean; the weekly schedule audits an account a week
 * after it was connected.
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

#include "audit.h"
#include "channel.h"
#include "config.h"
#include "connect.h"
#include "db.h"
#include "err.h"
#include "ledger.h"
#include "push.h"
#include "recon.h"
#include "sbx.h"
#include "str.h"
#include "support.h"

static struct config	 cfg;
static struct db	*db;
static long		 pid;
static int64_t		 acct_id, shop_id, listing;
static char		 red[64], blue[64], green[64];

#define q64(...)	t_q64(db, __VA_ARGS__)
#define CATALOG_ROUTE	"GET /v3/application/shops/{}/listings"
#define exec1(...)	t_exec(db, __VA_ARGS__)

static void
item(char *sku, size_t sz, const char *colour, int64_t units)
{
	struct err	 e;
	char		 key[96];

	(void)str_fmt(sku, sz, "SCARF-%s-%ld", colour, pid);
	if (ledger_item_create(db, sku, "Wool scarf", NULL, &e) == -1)
		fail_msg("item %s: %s", sku, e.msg);
	(void)str_fmt(key, sizeof(key), "au-%s-%ld", colour, pid);
	t_post(db, key, sku, STOCK_RECEIVE, units);
}

static void
settle(void)
{
	struct err	 e;
	int		 i;

	for (i = 0; i < 3; i++)
		if (push_run(db, &cfg, "test-audit", push_now_ms() + 5000, NULL,
		    &e) == -1)
			fail_msg("push: %s", e.msg);
}

static struct audit_stats
audit(void)
{
	struct audit_stats	 st;
	struct err		 e;

	if (audit_run(db, &cfg, acct_id, "manual", &st, &e) == -1)
		fail_msg("audit: %s", e.msg);
	return st;
}

static struct recon_report
reconcile(void)
{
	struct recon_opts	 o;
	struct recon_report	 r;
	struct err		 e;
	int64_t			 run;
	int			 done = 0, i;

	memset(&o, 0, sizeof(o));
	o.account_id = acct_id;
	if (recon_start(db, &o, "manual", &run, &e) == -1)
		fail_msg("start: %s", e.msg);
	for (i = 0; i < 20 && !done; i++)
		if (recon_step(db, &cfg, run, &o, push_now_ms() + 20000, &done,
		    &e) == -1)
			fail_msg("step: %s", e.msg);
	assert_true(done);
	if (recon_report_load(db, run, &r, &e) == -1)
		fail_msg("report: %s", e.msg);
	return r;
}

/* The one open suggestion of this account (0: none). */
static int64_t
suggestion(const char *action)
{
	return q64("SELECT COALESCE(MAX(id), 0) FROM audit_suggestions WHERE "
	    "account_id = ? AND state = 'open' AND action = ?",
	    (struct db_val[]){ DBI(acct_id), DBS(action) }, 2);
}

static int
setup(void **state)
{
	struct err	 e;
	char		 name[64], b[512], ext[32];
	json_t		*j;
	int64_t		 id;

	(void)state;
	pid = (long)getpid();
	if (config_load(&cfg, NULL, &e) == -1 ||
	    (db = db_open(&cfg, &e)) == NULL)
		fail_msg("setup: %s", e.msg);
	shop_id = 630000000 + (int64_t)pid;
	(void)str_fmt(name, sizeof(name), "audit-etsy-%ld", pid);
	sbx_etsy_connect(db, &cfg, name, shop_id, 730000000 + (int64_t)pid,
	    &acct_id);
	json_decref(sbx_ok(SBX_ETSY, "DELETE", "/_sandbox/faults", NULL));
	item(red, sizeof(red), "RED", 4);
	item(blue, sizeof(blue), "BLUE", 3);
	item(green, sizeof(green), "GREEN", 2);
	(void)str_fmt(b, sizeof(b), "{\"shop_id\":%" PRId64 ",\"title\":"
	    "\"Wool scarf\",\"products\":[{\"sku\":\"%s\",\"quantity\":1,"
	    "\"price\":30.00,\"variations\":{\"Color\":\"Red\"}},{\"sku\":"
	    "\"%s\",\"quantity\":1,\"price\":30.00,\"variations\":{\"Color\":"
	    "\"Blue\"}}]}", shop_id, red, blue);
	j = sbx_ok(SBX_ETSY, "POST", "/_sandbox/listings", b);
	listing = sbx_find_int(j, "listing_id");
	json_decref(j);
	assert_true(listing > 0);
	(void)str_fmt(ext, sizeof(ext), "%" PRId64, listing);
	if (channel_listing_map(db, acct_id, red, ext, "Color=Red", "", red,
	    &id, &e) == -1 || push_queue_listing(db, id, &e) == -1 ||
	    channel_listing_map(db, acct_id, blue, ext, "Color=Blue", "", blue,
	    &id, &e) == -1 || push_queue_listing(db, id, &e) == -1)
		fail_msg("map: %s", e.msg);
	settle();
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	db_close(db);
	return 0;
}

static void
test_clean(void **state)
{
	struct audit_stats	 st;

	(void)state;
	assert_int_equal(sbx_etsy_shown(listing, red), 4);
	assert_int_equal(sbx_etsy_shown(listing, blue), 3);
	st = audit();
	assert_int_equal(st.places, 2);
	assert_int_equal(st.mapped, 2);
	assert_int_equal(st.findings, 0);
	assert_int_equal(st.api_calls, 1);
}

/* A colour added on Etsy: found before it sells, mapped with one click. */
static void
test_new_variation(void **state)
{
	struct audit_stats	 st;
	struct err		 e;
	char			 path[96], b[256];
	int64_t			 s;

	(void)state;
	(void)str_fmt(path, sizeof(path), "/_sandbox/listings/%" PRId64
	    "/products", listing);
	(void)str_fmt(b, sizeof(b), "{\"variations\":{\"Color\":\"Green\"},"
	    "\"sku\":\"%s\",\"quantity\":9,\"price\":30.00}", green);
	json_decref(sbx_ok(SBX_ETSY, "POST", path, b));
	st = audit();
	assert_int_equal(st.places, 3);
	assert_int_equal(st.by_kind[AUDIT_UNMAPPED], 1);
	assert_int_equal(st.suggestions, 1);
	assert_int_equal(q64("SELECT COUNT(*) FROM alerts WHERE kind = "
	    "'mapping_audit' AND account_id = ? AND resolved_at IS NULL AND "
	    "message LIKE '%not in the SKU map'", (struct db_val[]){
	    DBI(acct_id) }, 1), 1);
	/* a second audit: the same alert and suggestion, not new ones */
	st = audit();
	assert_int_equal(st.by_kind[AUDIT_UNMAPPED], 1);
	assert_int_equal(q64("SELECT COUNT(*) FROM audit_suggestions WHERE "
	    "account_id = ? AND state = 'open'", (struct db_val[]){
	    DBI(acct_id) }, 1), 1);
	s = suggestion("map");
	assert_true(s > 0);
	if (audit_confirm(db, s, &e) == -1)
		fail_msg("confirm: %s", e.msg);
	/* a second click does nothing */
	assert_int_equal(audit_confirm(db, s, &e), -1);
	assert_int_equal(e.kind, ERR_NOTFOUND);
	assert_int_equal(q64("SELECT COUNT(*) FROM channel_listings l JOIN "
	    "stock_items i ON i.id = l.item_id WHERE l.account_id = ? AND "
	    "l.ext_variant = 'Color=Green' AND i.sku = ?", (struct db_val[]){
	    DBI(acct_id), DBS(green) }, 2), 1);
	assert_int_equal(q64("SELECT COUNT(*) FROM alerts WHERE kind = "
	    "'mapping_audit' AND account_id = ? AND resolved_at IS NULL",
	    (struct db_val[]){ DBI(acct_id) }, 1), 0);
	settle();
	assert_int_equal(sbx_etsy_shown(listing, green), 2);
	st = audit();
	assert_int_equal(st.findings, 0);
}

/* A colour renamed on Etsy: reconciliation sees a mapping problem, the
 * audit sees the rename, one click moves the map entry. */
static void
test_renamed_variation(void **state)
{
	struct audit_stats	 st;
	struct recon_report	 r;
	struct err		 e;
	char			 path[96];

	(void)state;
	(void)str_fmt(path, sizeof(path), "/_sandbox/listings/%" PRId64
	    "/rename", listing);
	json_decref(sbx_ok(SBX_ETSY, "POST", path, "{\"property\":\"Color\","
	    "\"from\":\"Blue\",\"to\":\"Navy\"}"));
	r = reconcile();
	assert_int_equal(r.checked, 3);
	/* the push engine finds the product by its SKU, so the listing is
	 * still read; the audit is what names the rename */
	st = audit();
	assert_int_equal(st.by_kind[AUDIT_RENAMED], 1);
	assert_int_equal(st.by_kind[AUDIT_UNMAPPED], 0);
	assert_int_equal(st.by_kind[AUDIT_MISSING], 0);
	if (audit_confirm(db, suggestion("remap"), &e) == -1)
		fail_msg("confirm: %s", e.msg);
	assert_int_equal(q64("SELECT COUNT(*) FROM channel_listings l JOIN "
	    "stock_items i ON i.id = l.item_id WHERE l.account_id = ? AND "
	    "l.ext_variant = 'Color=Navy' AND i.sku = ?", (struct db_val[]){
	    DBI(acct_id), DBS(blue) }, 2), 1);
	st = audit();
	assert_int_equal(st.findings, 0);
	r = reconcile();
	assert_int_equal(r.checked, 3);
	assert_int_equal(r.discrepancies, 0);
	(void)r;
}

/* The weekly schedule: an account is audited a week after it was
 * connected, then a week after its last audit. */
static void
test_weekly(void **state)
{
	struct err	 e;
	int64_t		 a = 0, before;

	(void)state;
	before = q64("SELECT COUNT(*) FROM audit_runs WHERE account_id = ?",
	    (struct db_val[]){ DBI(acct_id) }, 1);
	exec1("UPDATE audit_runs SET started_at = started_at - INTERVAL 8 DAY "
	    "WHERE account_id = ?", (struct db_val[]){ DBI(acct_id) }, 1);
	if (audit_tick(db, &cfg, &a, &e) == -1)
		fail_msg("tick: %s", e.msg);
	assert_int_equal(a, acct_id);
	assert_int_equal(q64("SELECT COUNT(*) FROM audit_runs WHERE account_id "
	    "= ? AND origin = 'schedule' AND finished_at IS NOT NULL",
	    (struct db_val[]){ DBI(acct_id) }, 1), 1);
	/* not due again for a week */
	if (audit_tick(db, &cfg, &a, &e) == -1)
		fail_msg("tick: %s", e.msg);
	assert_true(a != acct_id);
	assert_int_equal(q64("SELECT COUNT(*) FROM audit_runs WHERE account_id "
	    "= ?", (struct db_val[]){ DBI(acct_id) }, 1), before + 1);
}

/*
 * Map every SKU from one catalog read: the SKUs Etsy sells under the
 * same SKU are mapped and pushed; one that two listings carry is left
 * for the seller, never guessed; a second press maps nothing new.
 */
static void
test_map_all(void **state)
{
	struct channel_account	 a;
	struct err		 e;
	char			 hat[64], mitt[64], shared[64], b[640];
	int64_t			 hats, mitts, calls;
	int			 mapped = -1, left = -1;
	json_t			 *j;

	(void)state;
	item(hat, sizeof(hat), "HAT", 5);
	item(mitt, sizeof(mitt), "MITT", 6);
	item(shared, sizeof(shared), "TWICE", 1);
	(void)str_fmt(b, sizeof(b), "{\"shop_id\":%" PRId64 ",\"title\":"
	    "\"Wool hat\",\"products\":[{\"sku\":\"%s\",\"quantity\":1,"
	    "\"price\":20.00}]}", shop_id, hat);
	j = sbx_ok(SBX_ETSY, "POST", "/_sandbox/listings", b);
	hats = sbx_find_int(j, "listing_id");
	json_decref(j);
	(void)str_fmt(b, sizeof(b), "{\"shop_id\":%" PRId64 ",\"title\":"
	    "\"Mittens\",\"products\":[{\"sku\":\"%s\",\"quantity\":1,"
	    "\"price\":15.00,\"variations\":{\"Size\":\"S\"}},{\"sku\":"
	    "\"%s\",\"quantity\":1,\"price\":15.00,\"variations\":{"
	    "\"Size\":\"L\"}}]}", shop_id, mitt, shared);
	j = sbx_ok(SBX_ETSY, "POST", "/_sandbox/listings", b);
	mitts = sbx_find_int(j, "listing_id");
	json_decref(j);
	(void)str_fmt(b, sizeof(b), "{\"shop_id\":%" PRId64 ",\"title\":"
	    "\"Odd one\",\"products\":[{\"sku\":\"%s\",\"quantity\":1,"
	    "\"price\":9.00}]}", shop_id, shared);
	json_decref(sbx_ok(SBX_ETSY, "POST", "/_sandbox/listings", b));
	assert_true(hats > 0 && mitts > 0);

	memset(&a, 0, sizeof(a));
	if (channel_account_load(db, &cfg, acct_id, &a, &e) == -1)
		fail_msg("account: %s", e.msg);
	calls = sbx_route_count(SBX_ETSY, CATALOG_ROUTE);
	if (connect_map_all(db, &cfg, &a, &mapped, &left, &e) == -1)
		fail_msg("map all: %s", e.msg);
	assert_int_equal(mapped, 2);
	assert_int_equal(left, 1);
	/* one catalog page: every active listing with its inventory */
	assert_int_equal(sbx_route_count(SBX_ETSY, CATALOG_ROUTE) - calls, 1);
	assert_int_equal(q64("SELECT COUNT(*) FROM channel_listings l JOIN "
	    "stock_items i ON i.id = l.item_id WHERE l.account_id = ? AND "
	    "i.sku = ? AND l.ext_listing = ? AND l.ext_variant = 'Size=S'",
	    (struct db_val[]){ DBI(acct_id), DBS(mitt), DBI(mitts) }, 3), 1);
	assert_int_equal(q64("SELECT COUNT(*) FROM channel_listings l JOIN "
	    "stock_items i ON i.id = l.item_id WHERE i.sku = ?",
	    (struct db_val[]){ DBS(shared) }, 1), 0);
	settle();
	assert_int_equal(sbx_etsy_shown(hats, hat), 5);
	assert_int_equal(sbx_etsy_shown(mitts, mitt), 6);

	if (connect_map_all(db, &cfg, &a, &mapped, &left, &e) == -1)
		fail_msg("map all again: %s", e.msg);
	assert_int_equal(mapped, 0);
	assert_int_equal(left, 1);
	channel_account_free(&a);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_clean),
		cmocka_unit_test(test_new_variation),
		cmocka_unit_test(test_renamed_variation),
		cmocka_unit_test(test_weekly),
		cmocka_unit_test(test_map_all),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
