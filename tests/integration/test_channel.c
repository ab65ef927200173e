/*
 * Channel accounts, the SKU map, allocation from the ledger, and the
 * outbox rows movements queue, on the real MariaDB.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

#include "alloc.h"
#include "channel.h"
#include "db.h"
#include "err.h"
#include "ledger.h"
#include "push.h"
#include "str.h"
#include "support.h"

static struct tdb T;

static int
setup(void **state)
{
	(void)state;
	tdb_open(&T, "channel");
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
account(enum channel_type t, const char *name, double pct)
{
	struct alloc_policy	 p;
	struct err		 e;
	int64_t			 id = 0;

	memset(&p, 0, sizeof(p));
	p.holdback_pct = pct;
	assert_int_equal(channel_account_create(T.db, &T.cfg, t, name,
	    "http://127.0.0.1:9", name, NULL, &p, 0, &id, &e), 0);
	return id;
}

static void
post(const char *key, const char *sku, enum stock_kind k, int64_t qty)
{
	struct ledger_line	 l = { sku, k, qty };
	struct ledger_event	 ev = { key, "test", "r", &l, 1 };
	struct ledger_result	 res;
	struct err		 e;

	assert_int_equal(ledger_post(T.db, &ev, push_touch, NULL, &res, &e),
	    0);
}

static void
test_credentials_sealed_at_rest(void **state)
{
	struct channel_account	 a;
	struct config		 other;
	struct err		 e;
	json_t			*creds;
	int64_t			 id = 0, found = 0;

	(void)state;
	creds = json_pack("{s:s}", "access_token", "shpat_topsecret_value");
	assert_int_equal(channel_account_create(T.db, &T.cfg, CHANNEL_SHOPIFY,
	    "shop A", "https://a.myshopify.com/", "a.myshopify.com", creds,
	    NULL, 1, &id, &e), 0);
	/* the database never holds the token in clear */
	assert_int_equal(db_query_i64(T.db, "SELECT COUNT(*) FROM "
	    "channel_accounts WHERE LOCATE('topsecret', credentials) > 0",
	    NULL, 0, &found, &e), 1);
	assert_int_equal(found, 0);
	assert_int_equal(channel_account_load(T.db, &T.cfg, id, &a, &e), 0);
	assert_string_equal(json_string_value(json_object_get(a.creds,
	    "access_token")), "shpat_topsecret_value");
	assert_string_equal(a.base_url, "https://a.myshopify.com");
	assert_int_equal(a.manual_accept, 1);
	channel_account_free(&a);
	/* found by shop domain */
	assert_int_equal(channel_account_find(T.db, &T.cfg, CHANNEL_SHOPIFY,
	    "a.myshopify.com", &a, &e), 0);
	assert_int_equal(a.id, id);
	channel_account_free(&a);
	/* another master key cannot open them */
	other = T.cfg;
	(void)str_copy(other.master_key, sizeof(other.master_key),
	    "ff0102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f");
	assert_int_equal(channel_account_load(T.db, &other, id, &a, &e), -1);
	assert_int_equal(e.kind, ERR_AUTH);
	assert_null(strstr(e.msg, "topsecret"));
	/* rotated credentials are stored sealed too */
	assert_int_equal(channel_account_load(T.db, &T.cfg, id, &a, &e), 0);
	json_object_set_new(creds, "access_token",
	    json_string("shpat_rotated_value"));
	assert_int_equal(channel_account_store_creds(T.db, &T.cfg, &a, creds,
	    &e), 0);
	channel_account_free(&a);
	assert_int_equal(channel_account_load(T.db, &T.cfg, id, &a, &e), 0);
	assert_string_equal(json_string_value(json_object_get(a.creds,
	    "access_token")), "shpat_rotated_value");
	channel_account_free(&a);
	json_decref(creds);
	/* names are unique */
	assert_int_equal(channel_account_create(T.db, &T.cfg, CHANNEL_ETSY,
	    "shop A", "https://x", "", NULL, NULL, 0, NULL, &e), -1);
	assert_int_equal(e.kind, ERR_CONFLICT);
}

static void
test_map_and_article_allocation(void **state)
{
	struct channel_listing	 l;
	struct err		 e;
	int64_t			 shop, etsy, amz, ebay, ls, le, la, lb;
	int64_t			 want = 0, ver = 0;

	(void)state;
	assert_int_equal(ledger_item_create(T.db, "ART-20", "", NULL, &e), 0);
	post("art-in", "ART-20", STOCK_RECEIVE, 20);
	shop = account(CHANNEL_SHOPIFY, "art shopify", 5);
	etsy = account(CHANNEL_ETSY, "art etsy", 10);
	amz = account(CHANNEL_AMAZON, "art amazon", 10);
	ebay = account(CHANNEL_EBAY, "art ebay", 10);
	assert_int_equal(channel_listing_map(T.db, shop, "ART-20", "44001",
	    "55001", "1", NULL, &ls, &e), 0);
	assert_int_equal(channel_listing_map(T.db, etsy, "ART-20", "900001",
	    "", "", NULL, &le, &e), 0);
	assert_int_equal(channel_listing_map(T.db, amz, "ART-20", "B000TEST",
	    "ART-20", "", NULL, &la, &e), 0);
	assert_int_equal(channel_listing_map(T.db, ebay, "ART-20", "110001",
	    "", "", NULL, &lb, &e), 0);
	/* the same place twice is refused; an unknown SKU too */
	assert_int_equal(channel_listing_map(T.db, etsy, "ART-20", "900001",
	    "", "", NULL, NULL, &e), -1);
	assert_int_equal(e.kind, ERR_CONFLICT);
	assert_int_equal(channel_listing_map(T.db, etsy, "NOPE", "900002",
	    "", "", NULL, NULL, &e), -1);
	assert_int_equal(e.kind, ERR_NOTFOUND);

	/* the article: 20 units -> Shopify 19, Etsy/Amazon/eBay 18 */
	assert_int_equal(channel_desired(T.db, ls, &want, &ver, &e), 0);
	assert_int_equal(want, 19);
	assert_int_equal(channel_desired(T.db, le, &want, &ver, &e), 0);
	assert_int_equal(want, 18);
	assert_int_equal(channel_desired(T.db, la, &want, &ver, &e), 0);
	assert_int_equal(want, 18);
	assert_int_equal(channel_desired(T.db, lb, &want, &ver, &e), 0);
	assert_int_equal(want, 18);
	assert_int_equal(ver, 1);

	assert_int_equal(channel_listing_find(T.db, etsy, "900001", "", &l,
	    &e), 1);
	assert_int_equal(l.id, le);
	assert_string_equal(l.sku, "ART-20");
	assert_int_equal(l.has_last_pushed, 0);
	assert_int_equal(channel_listing_find(T.db, etsy, "900009", "", &l,
	    &e), 0);
}

static void
test_movements_queue_one_row_per_listing(void **state)
{
	struct err	 e;
	int64_t		 acct, n = 0, want = 0, i;
	char		 key[32];

	(void)state;
	assert_int_equal(ledger_item_create(T.db, "BURST-1", "", NULL, &e), 0);
	acct = account(CHANNEL_ETSY, "burst etsy", 0);
	assert_int_equal(channel_listing_map(T.db, acct, "BURST-1", "700001",
	    "", "", NULL, NULL, &e), 0);
	post("burst-in", "BURST-1", STOCK_RECEIVE, 100);
	for (i = 0; i < 10; i++) {
		(void)str_fmt(key, sizeof(key), "burst-%lld", (long long)i);
		post(key, "BURST-1", STOCK_COMMIT, 1);
	}
	/* ten sales, one queue row, wanting the newest version */
	assert_int_equal(db_query_i64(T.db, "SELECT COUNT(*) FROM push_queue q "
	    "JOIN channel_listings l ON l.id = q.listing_id JOIN stock_items i "
	    "ON i.id = l.item_id WHERE i.sku = 'BURST-1'", NULL, 0, &n, &e), 1);
	assert_int_equal(n, 1);
	assert_int_equal(db_query_i64(T.db, "SELECT q.want_version FROM "
	    "push_queue q JOIN channel_listings l ON l.id = q.listing_id JOIN "
	    "stock_items i ON i.id = l.item_id WHERE i.sku = 'BURST-1'", NULL,
	    0, &want, &e), 1);
	assert_int_equal(want, 11);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_credentials_sealed_at_rest),
		cmocka_unit_test(test_map_and_article_allocation),
		cmocka_unit_test(test_movements_queue_one_row_per_listing),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
