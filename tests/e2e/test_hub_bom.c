/*
 * Bundles, kits and made-to-order items end to end: real nginx, the
 * hooks, jobs and admin programs, the real MariaDB and both sandbox
 * marketplaces. A component sold on Shopify lowers a gift set on Etsy at
 * once (no tick); a kit sold and refunded with restock on Shopify puts
 * its components back and every channel goes up again; a made-to-order
 * necklace sold lowers every necklace listing on every channel; a kit
 * sold on Etsy and cancelled gives its components back.
 */
#include <inttypes.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>
#include <jansson.h>

#include "bom.h"
#include "config.h"
#include "db.h"
#include "err.h"
#include "etsy_poll.h"
#include "../httpc.h"	/* the tests' client, not lib/httpc.h */
#include "../sbx.h"
#include "ledger.h"
#include "str.h"
#include "support.h"

#define HUB	"STOCKHUB_URL"

static struct config	 cfg;
static struct db	*db;
static long		 pid;
static int64_t		 shop_acct, etsy_acct, etsy_shop;

#define map_shopify(sku, shows)	sbx_map_shopify(db, shop_acct, sku, shows, NULL)
#define map_etsy(sku, shows, l)	sbx_map_etsy(db, etsy_acct, etsy_shop, sku, shows, l)

static void
sleep_ms(long ms)
{
	struct timespec	 ts = { ms / 1000, (ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

/* An item of this run with units received ("" kind: stocked). */
static void
new_item(char *sku, size_t skusz, const char *tag, int64_t units)
{
	static int	 seq;
	struct err	 e;
	char		 key[64];

	(void)str_fmt(sku, skusz, "HB-%s-%ld", tag, pid);
	if (ledger_item_create(db, sku, tag, NULL, &e) == -1)
		fail_msg("item %s: %s", sku, e.msg);
	if (units > 0) {
		(void)str_fmt(key, sizeof(key), "hb-%ld-%d", pid, ++seq);
		t_post(db, key, sku, STOCK_RECEIVE, units);
	}
}

static void
set_bom(const char *parent, enum bom_kind k, const struct bom_component *c,
    size_t n)
{
	struct bom_spec	 s;
	struct err	 e;

	memset(&s, 0, sizeof(s));
	s.kind = k;
	s.components = c;
	s.ncomponents = n;
	s.actor = "test:e2e";
	s.reason = "new product";
	if (bom_set(db, parent, &s, &e) == -1)
		fail_msg("bom %s: %s", parent, e.msg);
}

static void
tick(void)
{
	char		 auth[256];
	const char	*h[] = { auth, NULL };
	struct tresp	 r;

	(void)str_fmt(auth, sizeof(auth), "Authorization: Bearer %s",
	    cfg.timer_token);
	if (treq_env(HUB, "POST", "/jobs/tick", h, "", &r) == -1 ||
	    r.status != 200)
		fail_msg("tick: HTTP %ld", r.status);
	tresp_free(&r);
}

/* Wait up to 15 s for the Etsy listing to show want; what it shows. */
static int64_t
wait_etsy(int64_t listing, const char *sku, int64_t want)
{
	int64_t	 v = -1;
	int	 i;

	for (i = 0; i < 150 && (v = sbx_etsy_shown(listing, sku)) != want;
	    i++)
		sleep_ms(100);
	return v;
}

/* The same for the Shopify variant of that SKU. */
static int64_t
wait_shopify(const char *sku, int64_t want)
{
	int64_t	 v = -999;
	int	 i;

	for (i = 0; i < 150 && (v = sbx_shopify_shown(sku)) != want; i++)
		sleep_ms(100);
	return v;
}

static void
wait_committed(const char *sku, int64_t want)
{
	int	 i;

	for (i = 0; i < 300 && t_item(db, sku).committed != want; i++)
		sleep_ms(100);
	assert_int_equal(t_item(db, sku).committed, want);
}

static int
setup(void **state)
{
	struct err	 e;
	char		 domain[64], secret[64], name[64], uri[300];

	(void)state;
	pid = (long)getpid();
	if (config_load(&cfg, NULL, &e) == -1 ||
	    (db = db_open(&cfg, &e)) == NULL)
		fail_msg("setup: %s", e.msg);
	(void)str_fmt(domain, sizeof(domain), "hb%ld.myshopify.com", pid);
	(void)str_fmt(secret, sizeof(secret), "whsec-hb-%ld", pid);
	(void)str_fmt(uri, sizeof(uri), "%s/hooks/shopify", tenv(HUB));
	sbx_shopify_shop(db, &cfg, domain, secret, uri, &shop_acct);
	etsy_shop = 610000000 + (int64_t)pid;
	(void)str_fmt(name, sizeof(name), "hb-etsy-%ld", pid);
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

/*
 * The article's gift set (a mug and a scarf) is listed on Etsy; the mug
 * alone sells on Shopify: the gift set's Etsy quantity drops at once,
 * without waiting for the timer.
 */
static void
test_component_sale_lowers_gift_set(void **state)
{
	char		 mug[32], scarf[32], gift[32];
	int64_t		 etsy_gift;

	(void)state;
	new_item(mug, sizeof(mug), "MUG", 3);
	new_item(scarf, sizeof(scarf), "SCARF", 5);
	new_item(gift, sizeof(gift), "GIFT", 0);
	set_bom(gift, BOM_BUNDLE, (struct bom_component[]){ { mug, 1 },
	    { scarf, 1 } }, 2);
	(void)map_etsy(gift, 1, &etsy_gift);
	(void)map_shopify(mug, 0);
	tick();
	assert_int_equal(wait_etsy(etsy_gift, gift, 3), 3);
	assert_int_equal(wait_shopify(mug, 3), 3);

	/* the mug sells on Shopify; no tick from here on */
	assert_true(sbx_shopify_order(mug, 1) > 0);
	wait_committed(mug, 1);
	assert_int_equal(wait_etsy(etsy_gift, gift, 2), 2);
	/* the gift set's own stock was never touched */
	assert_int_equal(t_item(db, gift).on_hand, 0);
	assert_int_equal(t_item(db, gift).committed, 0);
}

/*
 * A kit sold and shipped on Shopify, then refunded with restock_type
 * "return": its
 * components go back on the shelf and every channel — the kit's and the
 * components' listings on Shopify and Etsy — goes up again.
 */
static void
test_kit_return_restocks_every_channel(void **state)
{
	char		 a[32], b[32], kit[32], path[96], body[256];
	int64_t		 etsy_kit, etsy_a, oid;
	int		 i;

	(void)state;
	new_item(a, sizeof(a), "KA", 2);
	new_item(b, sizeof(b), "KB", 4);
	new_item(kit, sizeof(kit), "KIT", 0);
	set_bom(kit, BOM_BUNDLE, (struct bom_component[]){ { a, 1 },
	    { b, 2 } }, 2);
	(void)map_shopify(kit, 0);
	(void)map_shopify(a, 0);
	(void)map_etsy(kit, 1, &etsy_kit);
	(void)map_etsy(a, 1, &etsy_a);
	tick();
	assert_int_equal(wait_shopify(kit, 2), 2);
	assert_int_equal(wait_etsy(etsy_kit, kit, 2), 2);
	assert_int_equal(wait_etsy(etsy_a, a, 2), 2);

	/* a kit sells on Shopify: every listing drops */
	oid = sbx_shopify_order(kit, 1);
	assert_true(oid > 0);
	wait_committed(a, 1);
	wait_committed(b, 2);
	assert_int_equal(wait_etsy(etsy_kit, kit, 1), 1);
	assert_int_equal(wait_etsy(etsy_a, a, 1), 1);
	assert_int_equal(wait_shopify(a, 1), 1);
	assert_int_equal(wait_shopify(kit, 1), 1);

	/* shipped (Shopify takes "return" for fulfilled units only) */
	(void)str_fmt(path, sizeof(path), "/_sandbox/orders/%" PRId64
	    "/fulfillments", oid);
	json_decref(sbx_ok(SBX_SHOPIFY, "POST", path, "{}"));
	wait_committed(a, 0);
	wait_committed(b, 0);
	assert_int_equal(t_item(db, a).on_hand, 1);
	assert_int_equal(t_item(db, b).on_hand, 2);

	/* the customer sends it back; the refund restocks it */
	(void)str_fmt(path, sizeof(path), "/_sandbox/orders/%" PRId64
	    "/refunds", oid);
	(void)str_fmt(body, sizeof(body), "{\"refund_line_items\":[{\"sku\":"
	    "\"%s\",\"quantity\":1,\"restock_type\":\"return\"}]}", kit);
	json_decref(sbx_ok(SBX_SHOPIFY, "POST", path, body));
	for (i = 0; i < 150 && t_item(db, a).available != 2; i++)
		sleep_ms(100);
	assert_int_equal(t_item(db, a).available, 2);
	assert_int_equal(t_item(db, b).available, 4);
	assert_int_equal(t_item(db, a).committed, 0);
	/* every channel up again, without a tick */
	assert_int_equal(wait_etsy(etsy_kit, kit, 2), 2);
	assert_int_equal(wait_etsy(etsy_a, a, 2), 2);
	assert_int_equal(wait_shopify(a, 2), 2);
	assert_int_equal(wait_shopify(kit, 2), 2);
	/* the kit's own balance never moved */
	assert_int_equal(t_item(db, kit).on_hand, 0);
}

/*
 * Two made-to-order necklaces share one chain: selling two heart
 * necklaces on Shopify uses two chains, and every necklace listing on
 * every channel follows.
 */
static void
test_made_to_order_lowers_every_necklace(void **state)
{
	char		 chain[32], round[32], heart[32], nround[32],
			 nheart[32];
	int64_t		 etsy_round, etsy_heart;

	(void)state;
	new_item(chain, sizeof(chain), "CHAIN", 4);
	new_item(round, sizeof(round), "PROUND", 3);
	new_item(heart, sizeof(heart), "PHEART", 4);
	new_item(nround, sizeof(nround), "NROUND", 0);
	new_item(nheart, sizeof(nheart), "NHEART", 0);
	set_bom(nround, BOM_MADE_TO_ORDER, (struct bom_component[]){
	    { chain, 1 }, { round, 1 } }, 2);
	set_bom(nheart, BOM_MADE_TO_ORDER, (struct bom_component[]){
	    { chain, 1 }, { heart, 1 } }, 2);
	(void)map_shopify(nround, 0);
	(void)map_shopify(nheart, 0);
	(void)map_etsy(nround, 1, &etsy_round);
	(void)map_etsy(nheart, 1, &etsy_heart);
	tick();
	assert_int_equal(wait_shopify(nround, 3), 3);
	assert_int_equal(wait_shopify(nheart, 4), 4);
	assert_int_equal(wait_etsy(etsy_round, nround, 3), 3);
	assert_int_equal(wait_etsy(etsy_heart, nheart, 4), 4);

	assert_true(sbx_shopify_order(nheart, 2) > 0);
	wait_committed(chain, 2);
	wait_committed(heart, 2);
	/* two chains left: both necklaces, both channels */
	assert_int_equal(wait_shopify(nheart, 2), 2);
	assert_int_equal(wait_shopify(nround, 2), 2);
	assert_int_equal(wait_etsy(etsy_heart, nheart, 2), 2);
	assert_int_equal(wait_etsy(etsy_round, nround, 2), 2);
	assert_int_equal(t_item(db, round).committed, 0);
}

static void
etsy_poll_now(int sweep)
{
	struct etsy_poll_opts	 o;
	struct etsy_poll_stats	 st;
	struct err		 e;

	memset(&o, 0, sizeof(o));
	memset(&st, 0, sizeof(st));
	o.force = 1;
	o.force_sweep = sweep;
	if (etsy_poll_account(db, &cfg, etsy_acct, &o, &st, &e) == -1 ||
	    st.failed)
		fail_msg("poll: %s", st.failed ? "failed" : e.msg);
}

/*
 * A kit sold on Etsy commits its components; the buyer cancels and the
 * cancellation sweep releases them, and the kit shows again everywhere.
 */
static void
test_etsy_kit_cancelled_releases_components(void **state)
{
	char		 a[32], b[32], kit[32], body[256], path[96];
	int64_t		 etsy_kit, receipt;
	json_t		*j;

	(void)state;
	new_item(a, sizeof(a), "EA", 3);
	new_item(b, sizeof(b), "EB", 3);
	new_item(kit, sizeof(kit), "EKIT", 0);
	set_bom(kit, BOM_BUNDLE, (struct bom_component[]){ { a, 1 },
	    { b, 1 } }, 2);
	(void)map_etsy(kit, 1, &etsy_kit);
	(void)map_shopify(a, 0);
	tick();
	assert_int_equal(wait_etsy(etsy_kit, kit, 3), 3);

	(void)str_fmt(body, sizeof(body), "{\"listing_id\":%" PRId64 ","
	    "\"sku\":\"%s\",\"quantity\":2}", etsy_kit, kit);
	j = sbx_ok(SBX_ETSY, "POST", "/_sandbox/orders", body);
	receipt = sbx_find_int(j, "receipt_id");
	json_decref(j);
	assert_true(receipt > 0);
	etsy_poll_now(0);
	assert_int_equal(t_item(db, a).committed, 2);
	assert_int_equal(t_item(db, b).committed, 2);
	assert_int_equal(t_item(db, kit).committed, 0);
	/* the tick pushes what the poll queued */
	tick();
	assert_int_equal(wait_shopify(a, 1), 1);

	(void)str_fmt(path, sizeof(path), "/_sandbox/receipts/%" PRId64
	    "/cancel", receipt);
	json_decref(sbx_ok(SBX_ETSY, "POST", path, "{}"));
	etsy_poll_now(1);
	assert_int_equal(t_item(db, a).committed, 0);
	assert_int_equal(t_item(db, b).committed, 0);
	tick();
	assert_int_equal(wait_shopify(a, 3), 3);
	assert_int_equal(wait_etsy(etsy_kit, kit, 3), 3);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_component_sale_lowers_gift_set),
		cmocka_unit_test(test_kit_return_restocks_every_channel),
		cmocka_unit_test(test_made_to_order_lowers_every_necklace),
		cmocka_unit_test(test_etsy_kit_cancelled_releases_components),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
