/*
 * End-to-end tests of the Etsy receipts poller (lib/etsy_poll.c) against
 * the Etsy sandbox ($SANDBOX_ETSY_URL) over real HTTP, with a fresh
 * database (tests/support) holding the accounts, the SKU map and the
 * ledger. Each test connects its own shop (tests/sbx), so the watermark
 * and poll state of one test never leak into another.
 */
#include <inttypes.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/wait.h>

#include <cmocka.h>
#include <jansson.h>

#include "alert.h"
#include "channel.h"
#include "db.h"
#include "err.h"
#include "etsy_poll.h"
#include "ledger.h"
#include "push.h"
#include "str.h"
#include "support.h"
#include "sbx.h"

static struct tdb	 T;
static int64_t		 next_shop = 6610001, next_user = 8810001;

/* ---- helpers ------------------------------------------------------------ */

static int64_t
connect_shop(const char *name, int64_t *shop)
{
	int64_t	 acct;

	*shop = next_shop++;
	sbx_etsy_connect(T.db, &T.cfg, name, *shop, next_user++, &acct);
	return acct;
}

/* A hub SKU with stock. */
static void
item(const char *sku, int64_t qty)
{
	struct ledger_line	 l = { sku, STOCK_RECEIVE, qty };
	struct ledger_event	 ev;
	struct ledger_result	 res;
	struct err		 e;
	char			 key[96];

	if (ledger_item_create(T.db, sku, sku, NULL, &e) == -1)
		fail_msg("item %s: %s", sku, e.msg);
	(void)str_fmt(key, sizeof(key), "test:receive:%s", sku);
	memset(&ev, 0, sizeof(ev));
	ev.key = key;
	ev.source = "test";
	ev.reason = "test stock";
	ev.lines = &l;
	ev.nlines = 1;
	if (ledger_post(T.db, &ev, NULL, NULL, &res, &e) == -1)
		fail_msg("receive %s: %s", sku, e.msg);
}

static int64_t
committed(const char *sku)
{
	struct ledger_item	 it;
	struct err		 e;

	if (ledger_item_get(T.db, sku, &it, &e) == -1)
		fail_msg("item %s: %s", sku, e.msg);
	return it.committed;
}

static void
map(int64_t acct, int64_t listing, const char *variant, const char *sku)
{
	struct err	 e;
	char		 lid[32];

	(void)str_fmt(lid, sizeof(lid), "%" PRId64, listing);
	if (channel_listing_map(T.db, acct, sku, lid, variant, "", sku, NULL,
	    &e) == -1)
		fail_msg("map %s: %s", sku, e.msg);
}

/* A listing with Color=Red and Color=Blue products. */
static int64_t
two_colors(int64_t shop, const char *red, const char *blue)
{
	char	 b[1024];
	json_t	*j;
	int64_t	 id;

	(void)str_fmt(b, sizeof(b), "{\"shop_id\":%" PRId64 ",\"title\":"
	    "\"Tee\",\"products\":[{\"sku\":\"%s\",\"quantity\":50,\"price\":"
	    "20,\"variations\":{\"Color\":\"Red\"}},{\"sku\":\"%s\","
	    "\"quantity\":50,\"price\":20,\"variations\":{\"Color\":"
	    "\"Blue\"}}]}", shop, red, blue);
	j = sbx_ok(SBX_ETSY, "POST", "/_sandbox/listings", b);
	id = sbx_find_int(j, "listing_id");
	json_decref(j);
	assert_true(id > 0);
	return id;
}

/* A buyer's order of one variation; the receipt id. */
static int64_t
order_var(int64_t listing, const char *color, int64_t qty)
{
	char	 b[256];
	json_t	*j;
	int64_t	 id;

	(void)str_fmt(b, sizeof(b), "{\"listing_id\":%" PRId64 ",\"variations"
	    "\":{\"Color\":\"%s\"},\"quantity\":%" PRId64 "}", listing, color,
	    qty);
	j = sbx_ok(SBX_ETSY, "POST", "/_sandbox/orders", b);
	id = sbx_find_int(j, "receipt_id");
	json_decref(j);
	assert_true(id > 0);
	return id;
}

static void
poll(int64_t acct, int64_t now, int force_sweep, int limit,
    struct etsy_poll_stats *st)
{
	struct etsy_poll_opts	 o;
	struct err		 e;

	memset(&o, 0, sizeof(o));
	memset(st, 0, sizeof(*st));
	o.now = now;
	o.force = 1;
	o.force_sweep = force_sweep;
	o.page_limit = limit;
	err_clear(&e);
	if (etsy_poll_account(T.db, &T.cfg, acct, &o, st, &e) == -1)
		fail_msg("poll: %s", e.msg);
}

static void
state(int64_t acct, int64_t *watermark, int64_t *dirty, int64_t *failures)
{
	struct db_res	*r;
	struct err	 e;

	r = db_query(T.db, "SELECT watermark, dirty, failures FROM "
	    "etsy_poll_state WHERE account_id = ?", (struct db_val[]){
	    DBI(acct) }, 1, &e);
	if (r == NULL || db_next(r, &e) != 1)
		fail_msg("state: %s", e.msg);
	*watermark = db_col_i64(r, 0);
	*dirty = db_col_i64(r, 1);
	*failures = db_col_i64(r, 2);
	db_res_free(r);
}

static int64_t
alerts(const char *kind)
{
	int64_t		 n = 0;
	struct err	 e;

	if (alert_count_open(T.db, kind, &n, &e) == -1)
		fail_msg("alerts: %s", e.msg);
	return n;
}

static void
faults(const char *rules)
{
	char	 b[1024];

	(void)str_fmt(b, sizeof(b), "{\"rules\":%s}", rules);
	json_decref(sbx_ok(SBX_ETSY, "POST", "/_sandbox/faults", b));
}

static void
ledger_clean(void)
{
	int64_t		 bad = -1;
	struct err	 e;

	if (ledger_check(T.db, &bad, &e) == -1)
		fail_msg("check: %s", e.msg);
	assert_int_equal(bad, 0);
}

/* ---- setup ---------------------------------------------------------------- */

static int
setup(void **st)
{
	(void)st;
	tdb_open(&T, "etsy_poll");
	json_decref(sbx_ok(SBX_ETSY, "POST", "/_sandbox/reset", "{}"));
	return 0;
}

static int
teardown(void **st)
{
	long	 status;

	(void)st;
	/* leave the sandbox as found: no faults, its clock back */
	json_decref(sbx_call(SBX_ETSY, "POST", "/_sandbox/reset", "{}",
	    &status));
	tdb_close(&T);
	return 0;
}

/* ---- tests ---------------------------------------------------------------- */

/* Orders placed on Etsy: one poll commits each line once, a second poll
 * finds nothing new, one API call each. */
static void
test_once(void **unused)
{
	struct etsy_poll_stats	 st;
	int64_t			 shop, acct, l, wm, dirty, fails;
	char			 b[512];

	(void)unused;
	acct = connect_shop("poll-once", &shop);
	item("ONCE-R", 20);
	item("ONCE-B", 20);
	l = two_colors(shop, "ONCE-R", "ONCE-B");
	map(acct, l, "Color=Red", "ONCE-R");
	map(acct, l, "Color=Blue", "ONCE-B");
	(void)order_var(l, "Red", 2);
	(void)order_var(l, "Blue", 1);
	(void)str_fmt(b, sizeof(b), "{\"items\":[{\"listing_id\":%" PRId64
	    ",\"sku\":\"ONCE-R\",\"quantity\":1},{\"listing_id\":%" PRId64
	    ",\"sku\":\"ONCE-B\",\"quantity\":4}]}", l, l);
	json_decref(sbx_ok(SBX_ETSY, "POST", "/_sandbox/orders", b));

	poll(acct, 0, 0, 0, &st);
	assert_int_equal(st.polled, 1);
	assert_int_equal(st.failed, 0);
	assert_int_equal(st.committed, 4);
	assert_int_equal(st.receipts, 3);
	/* one receipts page (plus the first sweep: two) */
	assert_int_equal(st.calls, 1 + 2);
	assert_int_equal(committed("ONCE-R"), 3);
	assert_int_equal(committed("ONCE-B"), 5);
	state(acct, &wm, &dirty, &fails);
	assert_int_equal(dirty, 0);
	assert_true(wm > 0);

	poll(acct, 0, 0, 0, &st);
	assert_int_equal(st.committed, 0);
	assert_int_equal(st.calls, 1);
	assert_int_equal(committed("ONCE-R"), 3);
	assert_int_equal(committed("ONCE-B"), 5);
	ledger_clean();
}

/* More receipts than a page: every page is followed. */
static void
test_pages(void **unused)
{
	struct etsy_poll_stats	 st;
	int64_t			 shop, acct, l;
	int			 i;

	(void)unused;
	acct = connect_shop("poll-pages", &shop);
	item("PAGE-1", 100);
	l = sbx_etsy_listing(shop, "Mug", "PAGE-1", 90);
	map(acct, l, "", "PAGE-1");
	for (i = 0; i < 25; i++)
		assert_int_equal(sbx_etsy_order(l, "PAGE-1", 1), 201);
	poll(acct, 0, 0, 10, &st);
	assert_int_equal(st.failed, 0);
	assert_int_equal(st.committed, 25);
	/* 10 + 10 + 5; then the first sweep: no cancelled receipt (one
	 * page), the recent receipts for refunds (three pages) */
	assert_int_equal(st.calls, 3 + 1 + 3);
	assert_int_equal(committed("PAGE-1"), 25);
	poll(acct, 0, 0, 10, &st);
	assert_int_equal(st.committed, 0);
	/* the newest receipts are read again (the overlap): three pages */
	assert_int_equal(st.calls, 3);
	ledger_clean();
}

/* A run of failures (5xx, a malformed answer, a reset connection):
 * watermark kept, account dirty; the next good poll picks up every order
 * placed meanwhile, once. */
static void
test_failures(void **unused)
{
	struct etsy_poll_stats	 st;
	int64_t			 shop, acct, l, wm0, wm, dirty, fails;

	(void)unused;
	acct = connect_shop("poll-faults", &shop);
	item("FAIL-1", 100);
	l = sbx_etsy_listing(shop, "Vase", "FAIL-1", 90);
	map(acct, l, "", "FAIL-1");
	poll(acct, 0, 1, 0, &st);
	assert_int_equal(st.failed, 0);
	state(acct, &wm0, &dirty, &fails);

	assert_int_equal(sbx_etsy_order(l, "FAIL-1", 1), 201);
	faults("[{\"path\":\"/v3/application/shops/\",\"kind\":\"5xx\","
	    "\"status\":503,\"times\":1}]");
	poll(acct, 0, 0, 0, &st);
	assert_int_equal(st.failed, 1);
	assert_non_null(strstr(st.error, "503"));
	state(acct, &wm, &dirty, &fails);
	assert_int_equal(wm, wm0);
	assert_int_equal(dirty, 1);
	assert_int_equal(fails, 1);

	assert_int_equal(sbx_etsy_order(l, "FAIL-1", 2), 201);
	faults("[{\"path\":\"/v3/application/shops/\",\"kind\":\"malformed\","
	    "\"times\":1}]");
	poll(acct, 0, 0, 0, &st);
	assert_int_equal(st.failed, 1);
	state(acct, &wm, &dirty, &fails);
	assert_int_equal(wm, wm0);
	assert_int_equal(fails, 2);

	assert_int_equal(sbx_etsy_order(l, "FAIL-1", 3), 201);
	faults("[{\"path\":\"/v3/application/shops/\",\"kind\":\"reset\","
	    "\"times\":1}]");
	poll(acct, 0, 0, 0, &st);
	assert_int_equal(st.failed, 1);
	state(acct, &wm, &dirty, &fails);
	assert_int_equal(wm, wm0);
	assert_int_equal(dirty, 1);
	assert_int_equal(fails, 3);
	assert_int_equal(committed("FAIL-1"), 0);

	json_decref(sbx_ok(SBX_ETSY, "DELETE", "/_sandbox/faults", NULL));
	poll(acct, 0, 0, 0, &st);
	assert_int_equal(st.failed, 0);
	assert_int_equal(st.committed, 3);
	assert_int_equal(committed("FAIL-1"), 6);
	state(acct, &wm, &dirty, &fails);
	assert_int_equal(dirty, 0);
	assert_int_equal(fails, 0);
	assert_true(wm >= wm0);
	poll(acct, 0, 0, 0, &st);
	assert_int_equal(st.committed, 0);
	assert_int_equal(committed("FAIL-1"), 6);
	ledger_clean();
}

/* A 429's retry-after: no call to Etsy before that time. */
static void
test_retry_after(void **unused)
{
	struct etsy_poll_stats	 st;
	int64_t			 shop, acct, l, now = (int64_t)time(NULL);
	int64_t			 before;
	char			 path[96];

	(void)unused;
	acct = connect_shop("poll-429", &shop);
	item("RA-1", 10);
	l = sbx_etsy_listing(shop, "Bowl", "RA-1", 9);
	map(acct, l, "", "RA-1");
	assert_int_equal(sbx_etsy_order(l, "RA-1", 1), 201);
	faults("[{\"path\":\"/v3/application/shops/\",\"kind\":\"429\","
	    "\"retry_after\":120,\"times\":1}]");
	poll(acct, now, 0, 0, &st);
	assert_int_equal(st.failed, 1);
	assert_non_null(strstr(st.error, "429"));
	json_decref(sbx_ok(SBX_ETSY, "DELETE", "/_sandbox/faults", NULL));

	(void)str_fmt(path, sizeof(path), "/v3/application/shops/%" PRId64
	    "/receipts", shop);
	before = sbx_requests(SBX_ETSY, "GET", path);
	poll(acct, now + 60, 0, 0, &st);
	assert_int_equal(st.polled, 0);
	assert_int_equal(st.calls, 0);
	poll(acct, now + 119, 0, 0, &st);
	assert_int_equal(st.calls, 0);
	assert_int_equal(sbx_requests(SBX_ETSY, "GET", path), before);
	assert_int_equal(committed("RA-1"), 0);

	poll(acct, now + 120, 0, 0, &st);
	assert_int_equal(st.polled, 1);
	assert_int_equal(st.failed, 0);
	assert_int_equal(st.committed, 1);
	assert_true(sbx_requests(SBX_ETSY, "GET", path) > before);
	ledger_clean();
}

/* A sale of a variation the SKU map does not know: one alert, with what
 * fixes it, however often the receipt is read again. */
static void
test_unmapped(void **unused)
{
	struct etsy_poll_stats	 st;
	int64_t			 shop, acct, l, n0;
	char			 path[96];

	(void)unused;
	acct = connect_shop("poll-unmapped", &shop);
	item("UNM-R", 10);
	item("UNM-B", 10);
	l = two_colors(shop, "UNM-R", "UNM-B");
	map(acct, l, "Color=Red", "UNM-R");
	map(acct, l, "Color=Blue", "UNM-B");
	(void)str_fmt(path, sizeof(path), "/_sandbox/listings/%" PRId64
	    "/products", l);
	json_decref(sbx_ok(SBX_ETSY, "POST", path, "{\"variations\":"
	    "{\"Color\":\"Green\"},\"sku\":\"UNM-G\",\"quantity\":5,"
	    "\"price\":20}"));
	n0 = alerts("unmapped_sale");
	(void)order_var(l, "Green", 2);
	(void)order_var(l, "Red", 1);
	poll(acct, 0, 0, 0, &st);
	assert_int_equal(st.failed, 0);
	assert_int_equal(st.unmapped, 1);
	assert_int_equal(st.committed, 1);
	assert_int_equal(alerts("unmapped_sale"), n0 + 1);
	poll(acct, 0, 0, 0, &st);
	assert_int_equal(st.unmapped, 0);
	assert_int_equal(alerts("unmapped_sale"), n0 + 1);
	ledger_clean();
}

/* A buyer's order of a product by SKU; the receipt id. */
static int64_t
order_sku(int64_t listing, const char *sku, int64_t qty)
{
	char	 b[256];
	json_t	*j;
	int64_t	 id;

	(void)str_fmt(b, sizeof(b), "{\"listing_id\":%" PRId64 ",\"sku\":"
	    "\"%s\",\"quantity\":%" PRId64 "}", listing, sku, qty);
	j = sbx_ok(SBX_ETSY, "POST", "/_sandbox/orders", b);
	id = sbx_find_int(j, "receipt_id");
	json_decref(j);
	assert_true(id > 0);
	return id;
}

/* A cancellation does not move updated_timestamp: the receipts poll does
 * not see it once the receipt is out of the overlap, the sweep releases
 * it. A refund becomes one etsy_refund alert. */
static void
test_cancel_refund(void **unused)
{
	struct etsy_poll_stats	 st;
	int64_t			 shop, acct, l, ra, rb, n0;
	char			 path[96];

	(void)unused;
	acct = connect_shop("poll-cancel", &shop);
	item("CAN-1", 20);
	l = sbx_etsy_listing(shop, "Lamp", "CAN-1", 19);
	map(acct, l, "", "CAN-1");
	ra = order_sku(l, "CAN-1", 2);
	poll(acct, 0, 1, 0, &st);
	assert_int_equal(st.committed, 1);
	assert_int_equal(st.swept, 1);
	assert_int_equal(committed("CAN-1"), 2);

	/* later: a newer order moves the window past the first one */
	json_decref(sbx_ok(SBX_ETSY, "POST", "/_sandbox/clock",
	    "{\"advance_s\":1000}"));
	rb = order_sku(l, "CAN-1", 1);
	poll(acct, 0, 0, 0, &st);
	assert_int_equal(st.committed, 1);
	assert_int_equal(committed("CAN-1"), 3);

	(void)str_fmt(path, sizeof(path), "/_sandbox/receipts/%" PRId64
	    "/cancel", ra);
	json_decref(sbx_ok(SBX_ETSY, "POST", path, "{}"));
	poll(acct, 0, 0, 0, &st);
	assert_int_equal(st.failed, 0);
	assert_int_equal(st.swept, 0);
	assert_int_equal(st.released, 0);
	/* the blind spot: still committed */
	assert_int_equal(committed("CAN-1"), 3);

	poll(acct, 0, 1, 0, &st);
	assert_int_equal(st.swept, 1);
	assert_int_equal(st.released, 1);
	assert_int_equal(committed("CAN-1"), 1);
	poll(acct, 0, 1, 0, &st);
	assert_int_equal(st.released, 0);
	assert_int_equal(committed("CAN-1"), 1);

	/* a refund: an alert for a person, nothing moved */
	n0 = alerts("etsy_refund");
	(void)str_fmt(path, sizeof(path), "/_sandbox/receipts/%" PRId64
	    "/refund", rb);
	json_decref(sbx_ok(SBX_ETSY, "POST", path, "{\"amount\":5.5,"
	    "\"reason\":\"damaged\"}"));
	poll(acct, 0, 1, 0, &st);
	assert_int_equal(st.refunds, 1);
	assert_int_equal(alerts("etsy_refund"), n0 + 1);
	assert_int_equal(committed("CAN-1"), 1);
	poll(acct, 0, 1, 0, &st);
	assert_int_equal(st.refunds, 0);
	assert_int_equal(alerts("etsy_refund"), n0 + 1);
	ledger_clean();
}


/* Every API call the Etsy sandbox has served (its request log). */
static int64_t
etsy_calls(void)
{
	json_t		*j = sbx_ok(SBX_ETSY, "GET", "/_sandbox/requests",
			    NULL);
	const char	*k;
	json_t		*v;
	int64_t		 n = 0;

	json_object_foreach(json_object_get(j, "counts"), k, v)
		if (strncmp(k, "GET /_sandbox", 13) != 0)
			n += (int64_t)json_integer_value(v);
	json_decref(j);
	return n;
}

static int64_t
acct_paused(int64_t acct)
{
	struct db_res	*r;
	struct err	 e;
	int64_t		 v;

	r = db_query(T.db, "SELECT paused FROM channel_accounts WHERE id = ?",
	    (struct db_val[]){ DBI(acct) }, 1, &e);
	if (r == NULL || db_next(r, &e) != 1)
		fail_msg("paused: %s", e.msg);
	v = db_col_i64(r, 0);
	db_res_free(r);
	return v;
}

static void
queue_row(int64_t listing_id, int64_t *dead, int64_t *attempts,
    int64_t *due)
{
	struct db_res	*r;
	struct err	 e;

	r = db_query(T.db, "SELECT q.dead, q.attempts, q.want_version > "
	    "q.done_version FROM push_queue q JOIN channel_listings l ON "
	    "l.id = q.listing_id WHERE l.ext_listing = ?", (struct db_val[]){
	    DBI(listing_id) }, 1, &e);
	if (r == NULL || db_next(r, &e) != 1)
		fail_msg("queue: %s", e.msg);
	*dead = db_col_i64(r, 0);
	*attempts = db_col_i64(r, 1);
	*due = db_col_i64(r, 2);
	db_res_free(r);
}

static void
push_all(struct push_stats *ps)
{
	struct err	 e;

	if (push_run(T.db, &T.cfg, "test-revoked", push_now_ms() + 3000, ps,
	    &e) == -1)
		fail_msg("push: %s", e.msg);
}

/* A revoked token (invalid_grant), met by the pusher and by the poller:
 * one alert, the account paused, nothing lost and no more calls; a
 * reconnect resumes from the last confirmed watermark. */
static void
test_revoked(void **unused)
{
	struct etsy_poll_stats	 st;
	struct push_stats	 ps;
	struct channel_account	 a;
	struct err		 e;
	int64_t			 shop, acct, l, user, wm0, wm, dirty, fails;
	int64_t			 dead, attempts, due, calls, lid;
	json_t			*tok, *creds;
	char			 b[64];

	(void)unused;
	user = next_user;
	acct = connect_shop("poll-revoked", &shop);
	item("REV-1", 50);
	l = sbx_etsy_listing(shop, "Bowl", "REV-1", 40);
	map(acct, l, "", "REV-1");
	poll(acct, 0, 1, 0, &st);
	assert_int_equal(st.failed, 0);
	state(acct, &wm0, &dirty, &fails);
	assert_int_equal(sbx_etsy_order(l, "REV-1", 2), 201);

	/* the seller changes their Etsy password: every token revoked */
	(void)str_fmt(b, sizeof(b), "{\"user_id\":%" PRId64 "}", user);
	json_decref(sbx_ok(SBX_ETSY, "POST", "/_sandbox/oauth/revoke", b));

	/* the pusher meets it first: paused, alerted, the row kept */
	{
		char		 ls[32];
		struct channel_listing cl;

		(void)str_fmt(ls, sizeof(ls), "%" PRId64, l);
		assert_int_equal(channel_listing_find(T.db, acct, ls, "", &cl,
		    &e), 1);
		lid = cl.id;
	}
	assert_int_equal(push_queue_listing(T.db, lid, &e), 0);
	push_all(&ps);
	assert_int_equal(ps.failed, 1);
	assert_int_equal(acct_paused(acct), 1);
	assert_int_equal(alerts("token_revoked"), 1);
	queue_row(l, &dead, &attempts, &due);
	assert_int_equal(dead, 0);
	assert_int_equal(due, 1);

	/* resumed without a reconnect: the poller meets it too */
	assert_int_equal(channel_account_set_paused(T.db, acct, 0, &e), 0);
	poll(acct, 0, 0, 0, &st);
	assert_int_equal(st.failed, 1);
	assert_non_null(strstr(st.error, "revoked"));
	assert_int_equal(acct_paused(acct), 1);
	assert_int_equal(alerts("token_revoked"), 1);	/* one per account */
	state(acct, &wm, &dirty, &fails);
	assert_int_equal(wm, wm0);
	assert_int_equal(dirty, 1);
	assert_int_equal(committed("REV-1"), 0);

	/* paused: no call at all, by the poller or the pusher */
	calls = etsy_calls();
	poll(acct, 0, 1, 0, &st);
	assert_int_equal(st.polled, 0);
	assert_int_equal(st.calls, 0);
	assert_int_equal(push_queue_listing(T.db, lid, &e), 0);
	push_all(&ps);
	assert_int_equal(ps.written + ps.failed + ps.retried, 0);
	assert_int_equal(etsy_calls(), calls);
	queue_row(l, &dead, &attempts, &due);
	assert_int_equal(dead, 0);
	assert_int_equal(due, 1);

	/* an order placed while paused */
	assert_int_equal(sbx_etsy_order(l, "REV-1", 3), 201);

	/* reconnect: new tokens stored sealed, the account resumed */
	tok = sbx_etsy_tokens(user);
	memset(&a, 0, sizeof(a));
	assert_int_equal(channel_account_load(T.db, &T.cfg, acct, &a, &e), 0);
	creds = json_deep_copy(a.creds);
	assert_non_null(creds);
	assert_int_equal(json_object_set(creds, "access_token",
	    json_object_get(tok, "access_token")), 0);
	assert_int_equal(json_object_set(creds, "refresh_token",
	    json_object_get(tok, "refresh_token")), 0);
	assert_int_equal(json_object_set_new(creds, "access_expires_at",
	    json_integer((json_int_t)time(NULL) + 3600)), 0);
	assert_int_equal(channel_account_store_creds(T.db, &T.cfg, &a, creds,
	    &e), 0);
	json_decref(creds);
	json_decref(tok);
	channel_account_free(&a);
	assert_int_equal(channel_account_set_paused(T.db, acct, 0, &e), 0);

	/* from the last confirmed watermark: both orders, once */
	poll(acct, 0, 0, 0, &st);
	assert_int_equal(st.failed, 0);
	assert_int_equal(st.committed, 2);
	assert_int_equal(committed("REV-1"), 5);
	state(acct, &wm, &dirty, &fails);
	assert_int_equal(dirty, 0);
	assert_true(wm > wm0);
	push_all(&ps);
	assert_true(ps.written + ps.unchanged + ps.held >= 1);
	queue_row(l, &dead, &attempts, &due);
	assert_int_equal(due, 0);
	poll(acct, 0, 0, 0, &st);
	assert_int_equal(st.committed, 0);
	ledger_clean();
}

/* ---- paging, clock skew, a heavy day -------------------------------------- */

/* A buyer's order of the SKU (no variations); paid or not. Its receipt. */
static int64_t
order_p(int64_t listing, const char *sku, int64_t qty, int paid)
{
	char	 b[256];
	json_t	*j;
	int64_t	 id;

	(void)str_fmt(b, sizeof(b), "{\"listing_id\":%" PRId64 ",\"sku\":"
	    "\"%s\",\"quantity\":%" PRId64 ",\"paid\":%s}", listing, sku, qty,
	    paid ? "true" : "false");
	j = sbx_ok(SBX_ETSY, "POST", "/_sandbox/orders", b);
	id = sbx_find_int(j, "receipt_id");
	json_decref(j);
	assert_true(id > 0);
	return id;
}

/* One poll in a process of its own (its own connection). */
static pid_t
poll_child(int64_t acct, int limit)
{
	struct etsy_poll_opts	 o;
	struct etsy_poll_stats	 st;
	struct err		 e;
	struct db		*db;
	pid_t			 pid;

	if ((pid = fork()) != 0)
		return pid;
	if ((db = tdb_connect(&T)) == NULL)
		_exit(2);
	memset(&o, 0, sizeof(o));
	memset(&st, 0, sizeof(st));
	o.force = 1;
	o.page_limit = limit;
	if (etsy_poll_account(db, &T.cfg, acct, &o, &st, &e) == -1)
		_exit(3);
	db_close(db);
	_exit(st.failed == 0 ? 0 : 1);
}

static int
child_ok(pid_t pid)
{
	int	 status;

	return waitpid(pid, &status, 0) == pid && WIFEXITED(status) &&
	    WEXITSTATUS(status) == 0;
}

/* While a poll is paging (each page slowed down), an early receipt is
 * updated (it moves to the end, shifting the rest left across a page
 * boundary) and a new one lands at the end: that same poll commits
 * every receipt that existed when it started, and nothing twice. */
static void
test_page_shift(void **unused)
{
	struct timespec		 pause = { 1, 500 * 1000000L };
	struct etsy_poll_stats	 st;
	int64_t			 shop, acct, l, first;
	pid_t			 pid;
	int			 i;

	(void)unused;
	acct = connect_shop("poll-shift", &shop);
	item("SHIFT-1", 200);
	l = sbx_etsy_listing(shop, "Plate", "SHIFT-1", 150);
	map(acct, l, "", "SHIFT-1");
	poll(acct, 0, 1, 0, &st);		/* watermark and first sweep */
	first = order_p(l, "SHIFT-1", 1, 0);	/* paid later */
	for (i = 0; i < 44; i++)
		(void)order_p(l, "SHIFT-1", 1, 1);
	faults("[{\"path\":\"/v3/application/shops/\",\"method\":\"GET\","
	    "\"kind\":\"slow\",\"delay_ms\":1000}]");
	pid = poll_child(acct, 20);
	nanosleep(&pause, NULL);		/* page 2 is on its way */
	{
		char p[96];

		(void)str_fmt(p, sizeof(p), "/_sandbox/receipts/%" PRId64
		    "/pay", first);
		json_decref(sbx_ok(SBX_ETSY, "POST", p, "{}"));
	}
	(void)order_p(l, "SHIFT-1", 1, 1);
	assert_true(child_ok(pid));
	json_decref(sbx_ok(SBX_ETSY, "DELETE", "/_sandbox/faults", NULL));
	/* every receipt that was there when the poll started */
	assert_true(committed("SHIFT-1") >= 45);
	poll(acct, 0, 0, 20, &st);
	assert_int_equal(st.failed, 0);
	assert_int_equal(committed("SHIFT-1"), 46);
	poll(acct, 0, 0, 20, &st);
	assert_int_equal(st.committed, 0);
	ledger_clean();
}

static void
sandbox_clock(int64_t offset_s)
{
	char	 b[64];

	(void)str_fmt(b, sizeof(b), "{\"now\":%" PRId64 "}",
	    (int64_t)time(NULL) + offset_s);
	json_decref(sbx_ok(SBX_ETSY, "POST", "/_sandbox/clock", b));
}

/* Etsy's clock five minutes behind the hub's (less the second the
 * sandbox clock's setting may add), then as much ahead,
 * and a receipt that becomes visible late with a timestamp older than
 * the watermark: nothing is lost, nothing counted twice (the watermark
 * is on Etsy's clock, and the overlap covers the lag). */
static void
test_clock_skew(void **unused)
{
	struct etsy_poll_stats	 st;
	int64_t			 shop, acct, l;

	(void)unused;
	acct = connect_shop("poll-skew", &shop);
	item("SKEW-1", 100);
	l = sbx_etsy_listing(shop, "Jug", "SKEW-1", 90);
	map(acct, l, "", "SKEW-1");
	sandbox_clock(-298);
	poll(acct, 0, 1, 0, &st);
	(void)order_p(l, "SKEW-1", 1, 1);
	poll(acct, 0, 0, 0, &st);
	assert_int_equal(st.failed, 0);
	assert_int_equal(committed("SKEW-1"), 1);
	sandbox_clock(298);
	(void)order_p(l, "SKEW-1", 2, 1);
	poll(acct, 0, 0, 0, &st);
	assert_int_equal(committed("SKEW-1"), 3);
	/* late visibility: Y is stamped first but shows 60 s later; Z is
	 * stamped and seen after it, moving the watermark past Y */
	json_decref(sbx_ok(SBX_ETSY, "POST", "/_sandbox/faults",
	    "{\"visibility_delay_s\":60}"));
	(void)order_p(l, "SKEW-1", 4, 1);		/* Y */
	json_decref(sbx_ok(SBX_ETSY, "DELETE", "/_sandbox/faults", NULL));
	json_decref(sbx_ok(SBX_ETSY, "POST", "/_sandbox/clock",
	    "{\"advance_s\":30}"));
	(void)order_p(l, "SKEW-1", 8, 1);		/* Z */
	poll(acct, 0, 0, 0, &st);
	assert_int_equal(committed("SKEW-1"), 11);
	json_decref(sbx_ok(SBX_ETSY, "POST", "/_sandbox/clock",
	    "{\"advance_s\":31}"));
	poll(acct, 0, 0, 0, &st);
	assert_int_equal(st.failed, 0);
	assert_int_equal(committed("SKEW-1"), 15);
	poll(acct, 0, 0, 0, &st);
	assert_int_equal(st.committed, 0);
	sandbox_clock(0);
	ledger_clean();
}

/* One process of the heavy day: polls and pushes as fast as it can. */
static void
heavy_child(int64_t acct, int64_t listing_row, int rounds)
{
	struct etsy_poll_opts	 o;
	struct etsy_poll_stats	 st;
	struct push_stats	 ps;
	struct err		 e;
	struct db		*db;
	int			 i;

	if ((db = tdb_connect(&T)) == NULL)
		_exit(2);
	memset(&o, 0, sizeof(o));
	o.force = 1;
	for (i = 0; i < rounds; i++) {
		memset(&st, 0, sizeof(st));
		if (etsy_poll_account(db, &T.cfg, acct, &o, &st, &e) == -1)
			_exit(3);
		if (push_queue_listing(db, listing_row, &e) == -1 ||
		    push_run(db, &T.cfg, "heavy", push_now_ms() + 2000, &ps,
		    &e) == -1)
			_exit(4);
	}
	db_close(db);
	_exit(0);
}

/* A simulated heavy day squeezed into seconds: four processes polling
 * and pushing flat out against an app allowed 3 calls a second and 30 a
 * day. Etsy never answers 429, never sees more than 3 calls in a second
 * or 30 in the day; the poll share (65 %: 19) is used up and then
 * deferred, not exceeded; every sale is counted once. */
static void
test_heavy_day(void **unused)
{
	enum { NPROC = 4, ROUNDS = 40 };
	struct etsy_poll_stats	 st;
	struct channel_listing	 cl;
	struct err		 e;
	int64_t			 shop, acct, l, at[512], api = 0, n429 = 0;
	int64_t			 poll_n, push_n, hub_n, worst = 0;
	pid_t			 pids[NPROC];
	json_t			*j, *x;
	size_t			 i, k, n = 0;
	char			 ls[32];

	(void)unused;
	json_decref(sbx_ok(SBX_ETSY, "POST", "/_sandbox/reset", "{}"));
	acct = connect_shop("poll-heavy", &shop);
	item("HEAVY-1", 500);
	l = sbx_etsy_listing(shop, "Cup", "HEAVY-1", 400);
	map(acct, l, "", "HEAVY-1");
	(void)str_fmt(ls, sizeof(ls), "%" PRId64, l);
	assert_int_equal(channel_listing_find(T.db, acct, ls, "", &cl, &e), 1);
	for (k = 0; k < 5; k++)
		(void)order_p(l, "HEAVY-1", 1, 1);
	json_decref(sbx_ok(SBX_ETSY, "POST", "/_sandbox/rate-limits",
	    "{\"per_second\":3,\"per_day\":30}"));
	/* the hub is told the same limits (Etsy's headers would say so) */
	poll(acct, 0, 0, 0, &st);	/* makes the state row; 2 calls */
	assert_int_equal(committed("HEAVY-1"), 5);
	t_exec(T.db, "UPDATE etsy_poll_state SET per_second = 3, per_day = 30 "
	    "WHERE account_id = ?", (struct db_val[]){ DBI(acct) }, 1);
	for (k = 0; k < NPROC; k++) {
		if ((pids[k] = fork()) == 0)
			heavy_child(acct, cl.id, ROUNDS);
		assert_true(pids[k] > 0);
	}
	for (k = 0; k < NPROC; k++)
		assert_true(child_ok(pids[k]));
	(void)order_p(l, "HEAVY-1", 1, 1);	/* after the day's budget */

	/* what Etsy saw */
	j = sbx_ok(SBX_ETSY, "GET", "/_sandbox/requests", NULL);
	json_array_foreach(json_object_get(j, "requests"), i, x) {
		const char *path = json_string_value(json_object_get(x,
		    "path"));

		if (path == NULL || strncmp(path, "/v3/application/", 16) != 0)
			continue;
		api++;
		if (json_integer_value(json_object_get(x, "status")) == 429)
			n429++;
		if (n < 512)
			at[n++] = (int64_t)json_integer_value(json_object_get(x,
			    "at_ms"));
	}
	json_decref(j);
	/* the most calls in any one second (the log is in arrival order) */
	for (i = 0; i < n; i++) {
		int64_t c = 0;

		for (k = 0; k < n; k++)
			c += at[k] >= at[i] && at[k] < at[i] + 1000;
		if (c > worst)
			worst = c;
	}
	poll_n = t_q64(T.db, "SELECT COALESCE(SUM(n), 0) FROM etsy_api_calls "
	    "WHERE account_id = ? AND purpose = 'poll'", (struct db_val[]){
	    DBI(acct) }, 1);
	push_n = t_q64(T.db, "SELECT COALESCE(SUM(n), 0) FROM etsy_api_calls "
	    "WHERE account_id = ? AND purpose = 'push'", (struct db_val[]){
	    DBI(acct) }, 1);
	hub_n = t_q64(T.db, "SELECT COALESCE(SUM(n), 0) FROM etsy_api_calls "
	    "WHERE account_id = ?", (struct db_val[]){ DBI(acct) }, 1);
	print_message("# heavy day: %" PRId64 " calls reached Etsy, at most %"
	    PRId64 " in a second; hub counted poll %" PRId64 " push %" PRId64
	    "\n", api, worst, poll_n, push_n);
	assert_int_equal(n429, 0);
	assert_true(worst <= 3);
	assert_true(api <= 30);
	assert_true(api <= hub_n);
	assert_int_equal(poll_n, 19);		/* used up, then deferred */
	assert_true(push_n <= 6);
	/* the budget is spent: a poll now is deferred, not sent */
	poll(acct, 0, 0, 0, &st);
	assert_int_equal(st.failed, 1);
	assert_non_null(strstr(st.error, "budget"));
	assert_int_equal(committed("HEAVY-1"), 5);
	/* the next day (the share is reset): the late sale, once */
	t_exec(T.db, "UPDATE etsy_api_calls SET day = day - INTERVAL 1 DAY "
	    "WHERE account_id = ?", (struct db_val[]){ DBI(acct) }, 1);
	json_decref(sbx_ok(SBX_ETSY, "POST", "/_sandbox/rate-limits",
	    "{\"per_second\":1000,\"per_day\":1000000}"));
	poll(acct, 0, 0, 0, &st);
	assert_int_equal(st.failed, 0);
	assert_int_equal(committed("HEAVY-1"), 6);
	ledger_clean();
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_once),
		cmocka_unit_test(test_pages),
		cmocka_unit_test(test_failures),
		cmocka_unit_test(test_retry_after),
		cmocka_unit_test(test_unmapped),
		cmocka_unit_test(test_page_shift),
		cmocka_unit_test(test_clock_skew),
		/* last: it moves the sandbox clock */
		cmocka_unit_test(test_cancel_refund),
		cmocka_unit_test(test_revoked),
		/* it resets the sandbox */
		cmocka_unit_test(test_heavy_day),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
