/*
 * The SKU map in the database: an import applied in one transaction (all
 * or nothing), a conflict resolved by the seller's choice, the export
 * giving back the imported bytes, and edits made against data that changed
 * meanwhile refused, on the real MariaDB.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "alloc.h"
#include "buf.h"
#include "channel.h"
#include "db.h"
#include "err.h"
#include "ledger.h"
#include "mapstore.h"
#include "skumap.h"
#include "support.h"

static struct tdb T;

static int
setup(void **state)
{
	struct alloc_policy	 p;
	struct err		 e;
	int64_t			 id;

	(void)state;
	tdb_open(&T, "mapstore");
	memset(&p, 0, sizeof(p));
	assert_int_equal(channel_account_create(T.db, &T.cfg, CHANNEL_ETSY,
	    "Etsy, \"main\"", "http://127.0.0.1:9", "1", NULL, &p, 0, &id,
	    &e), 0);
	assert_int_equal(channel_account_create(T.db, &T.cfg,
	    CHANNEL_SHOPIFY, "Shopify", "http://127.0.0.1:9", "s", NULL, &p,
	    0, &id, &e), 0);
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	tdb_close(&T);
	return 0;
}

static void
export_map(struct buf *b)
{
	struct skumap	 m;
	struct err	 e;

	buf_init(b, 1 << 20);
	assert_int_equal(mapstore_load(T.db, NULL, &m, &e), 0);
	assert_int_equal(skumap_write(b, &m, &e), 0);
	skumap_free(&m);
}

static void
fingerprint(const char *sku, char fp[65])
{
	struct skumap	 m;
	struct err	 e;

	assert_int_equal(mapstore_load(T.db, sku, &m, &e), 0);
	assert_int_equal(skumap_fingerprint(&m, fp, &e), 0);
	skumap_free(&m);
}

/* Parse csv, propose against the hub now; accept everything. */
static void
plan_for(const char *csv, struct skumap *m, struct skumap_plan *plan,
    unsigned char **accept)
{
	struct skumap	 hub;
	struct err	 e;
	char		**names;
	size_t		  n, i;

	assert_int_equal(skumap_parse(m, SKUMAP_HUB, csv, strlen(csv), &e), 0);
	assert_int_equal(m->nprobs, 0);
	assert_int_equal(mapstore_load(T.db, NULL, &hub, &e), 0);
	assert_int_equal(mapstore_accounts(T.db, &names, &n, &e), 0);
	assert_int_equal(skumap_propose(m, SKUMAP_HUB, &hub,
	    (const char *const *)names, n, plan, &e), 0);
	assert_int_equal(m->nprobs, 0);
	mapstore_names_free(names, n);
	skumap_free(&hub);
	*accept = calloc(plan->n + 1, 1);
	for (i = 0; i < plan->n; i++)
		(*accept)[i] = 1;
}

static const char first_csv[] =
    "sku,title,account,ext_listing,ext_variant,ext_location,channel_sku\r\n"
    "BOWL,\"Bowl, \"\"big\"\"\",,,,,\r\n"
    "MUG-1,Caf\xc3\xa9 mug \xe2\x98\x95,\"Etsy, \"\"main\"\"\",111,"
    "Color=Red,,MUG-1\r\n"
    "MUG-1,Caf\xc3\xa9 mug \xe2\x98\x95,Shopify,555,666,77,mug-1\r\n"
    "SCARF,\"two\nlines\",\"Etsy, \"\"main\"\"\",222,,,SCARF\r\n";

static void
test_import_then_export_same_bytes(void **state)
{
	struct skumap		 m;
	struct skumap_plan	 plan;
	struct mapstore_result	 res;
	struct buf		 b;
	struct err		 e;
	unsigned char		*acc;

	(void)state;
	plan_for(first_csv, &m, &plan, &acc);
	assert_int_equal(plan.n, 6);	/* 3 items, 3 listings */
	assert_int_equal(mapstore_apply(T.db, &plan, acc, NULL, &res, &e), 0);
	assert_int_equal(res.items_created, 3);
	assert_int_equal(res.listings_added, 3);
	assert_int_equal(t_q64(T.db, "SELECT COUNT(*) FROM push_queue", NULL,
	    0), 3);
	export_map(&b);
	assert_int_equal(b.len, strlen(first_csv));
	assert_memory_equal(b.data, first_csv, b.len);
	buf_free(&b);
	free(acc);
	skumap_plan_free(&plan);
	skumap_free(&m);
	/* the same file again changes nothing */
	plan_for(first_csv, &m, &plan, &acc);
	assert_int_equal(plan.n, 0);
	assert_int_equal(plan.same, 4);
	free(acc);
	skumap_plan_free(&plan);
	skumap_free(&m);
}

static void
test_conflict_resolved_by_choice(void **state)
{
	static const char csv[] =
	    "sku,title,account,ext_listing,ext_variant,ext_location,"
	    "channel_sku\n"
	    "BOWL,Large bowl,,,,,\n"
	    "SCARF,Wool scarf,\"Etsy, \"\"main\"\"\",111,Color=Red,,SCARF\n";
	struct skumap		 m;
	struct skumap_plan	 plan;
	struct mapstore_result	 res;
	struct err		 e;
	unsigned char		*acc;
	size_t			 i;
	char			 fp[65];

	(void)state;
	plan_for(csv, &m, &plan, &acc);
	assert_int_equal(plan.n, 3);	/* 2 titles, 1 place (MUG-1's) */
	/* keep the hub's title of SCARF, take the rest from the CSV */
	for (i = 0; i < plan.n; i++)
		if (plan.props[i].act == SKUMAP_TITLE_CONFLICT &&
		    strcmp(plan.props[i].csv->sku, "SCARF") == 0)
			acc[i] = 0;
	fingerprint(NULL, fp);
	assert_int_equal(mapstore_apply(T.db, &plan, acc, fp, &res, &e), 0);
	assert_int_equal(res.titles_changed, 1);
	assert_int_equal(res.listings_moved, 1);
	assert_int_equal(t_q64(T.db, "SELECT COUNT(*) FROM stock_items WHERE "
	    "sku = 'BOWL' AND title = 'Large bowl'", NULL, 0), 1);
	assert_int_equal(t_q64(T.db, "SELECT COUNT(*) FROM stock_items WHERE "
	    "sku = 'SCARF' AND title = 'two\nlines'", NULL, 0), 1);
	assert_int_equal(t_q64(T.db, "SELECT COUNT(*) FROM channel_listings l "
	    "JOIN stock_items i ON i.id = l.item_id WHERE l.ext_listing = "
	    "'111' AND i.sku = 'SCARF'", NULL, 0), 1);
	free(acc);
	skumap_plan_free(&plan);
	skumap_free(&m);
}

static void
test_import_is_all_or_nothing(void **state)
{
	static const char csv[] =
	    "sku,title,account,ext_listing,ext_variant,ext_location,"
	    "channel_sku\n"
	    "AAA-NEW,First,,,,,\n"
	    "ZZZ-LATE,Made meanwhile,,,,,\n";
	struct skumap		 m;
	struct skumap_plan	 plan;
	struct mapstore_result	 res;
	struct err		 e;
	unsigned char		*acc;
	char			 fp[65];

	(void)state;
	fingerprint(NULL, fp);
	plan_for(csv, &m, &plan, &acc);
	assert_int_equal(plan.n, 2);
	/* someone creates one of the items after the review */
	assert_int_equal(ledger_item_create(T.db, "ZZZ-LATE", "x", NULL, &e),
	    0);
	/* with the reviewed fingerprint: refused, nothing applied */
	assert_int_equal(mapstore_apply(T.db, &plan, acc, fp, &res, &e), -1);
	assert_int_equal(e.kind, ERR_CONFLICT);
	assert_non_null(strstr(e.msg, "changed after you opened"));
	/* without it, the second item fails and the first is rolled back */
	assert_int_equal(mapstore_apply(T.db, &plan, acc, NULL, &res, &e), -1);
	assert_int_equal(e.kind, ERR_CONFLICT);
	assert_int_equal(t_q64(T.db, "SELECT COUNT(*) FROM stock_items WHERE "
	    "sku = 'AAA-NEW'", NULL, 0), 0);
	free(acc);
	skumap_plan_free(&plan);
	skumap_free(&m);
}

static void
test_item_edits_refuse_stale_forms(void **state)
{
	struct err	 e;
	char		 fp[65], fp2[65];
	int64_t		 id = 0, id2 = 0;

	(void)state;
	fingerprint("BOWL", fp);
	assert_int_equal(mapstore_item_add(T.db, "BOWL", fp, "", "1", "", "",
	    &id, &e), -1);
	assert_int_equal(e.kind, ERR_INVALID);
	assert_int_equal(strncmp(e.msg, "account:", 8), 0);
	assert_int_equal(mapstore_item_add(T.db, "BOWL", fp, "Shopify",
	    "12 3", "", "", &id, &e), -1);
	assert_int_equal(strncmp(e.msg, "ext_listing:", 12), 0);
	assert_int_equal(mapstore_item_add(T.db, "BOWL", fp, "Nowhere", "9",
	    "", "", &id, &e), -1);
	assert_int_equal(strncmp(e.msg, "account:", 8), 0);
	/* two tabs open on the same item: the first save wins */
	assert_int_equal(mapstore_item_add(T.db, "BOWL", fp, "Shopify", "900",
	    "901", "77", &id, &e), 0);
	assert_int_equal(mapstore_item_add(T.db, "BOWL", fp, "Shopify", "902",
	    "903", "77", &id2, &e), -1);
	assert_int_equal(e.kind, ERR_CONFLICT);
	assert_int_equal(t_q64(T.db, "SELECT COUNT(*) FROM channel_listings "
	    "WHERE ext_listing = '902'", NULL, 0), 0);
	assert_int_equal(mapstore_item_remove(T.db, "BOWL", fp, id, &e), -1);
	assert_int_equal(e.kind, ERR_CONFLICT);
	/* with the fresh fingerprint it goes through */
	fingerprint("BOWL", fp2);
	assert_int_equal(mapstore_item_add(T.db, "BOWL", fp2, "Shopify",
	    "900", "901", "", &id2, &e), -1);
	assert_int_equal(strncmp(e.msg, "ext_listing:", 12), 0);
	assert_int_equal(mapstore_item_remove(T.db, "BOWL", fp2, id, &e), 0);
	assert_int_equal(t_q64(T.db, "SELECT COUNT(*) FROM channel_listings "
	    "WHERE ext_listing = '900'", NULL, 0), 0);
	assert_int_equal(t_q64(T.db, "SELECT COUNT(*) FROM push_queue WHERE "
	    "listing_id = ?", (struct db_val[]){ DBI(id) }, 1), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_import_then_export_same_bytes),
		cmocka_unit_test(test_conflict_resolved_by_choice),
		cmocka_unit_test(test_import_is_all_or_nothing),
		cmocka_unit_test(test_item_edits_refuse_stale_forms),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
