/*
 * Unit tests for lib/skumap.c: the hub's CSV round trip with hostile
 * fields, Etsy's and Shopify's layouts, duplicates refused with their
 * rows named, and proposals that match SKUs exactly (case and white space
 * differences are not matches).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "buf.h"
#include "err.h"
#include "skumap.h"

#define NELEM(a)	(sizeof(a) / sizeof((a)[0]))

static const char *const hostile[] = {
	"plain",
	"with, comma",
	"with \"quotes\" inside",
	"\"",
	"line one\nline two",
	"crlf\r\ninside",
	" leading space",
	"trailing space ",
	"\ttab",
	"caf\xc3\xa9 \xe2\x98\x95 \xf0\x9f\x8d\xb5 \xd0\x9a\xd1\x80\xd1\x83\xd0\xb6\xd0\xba\xd0\xb0",
	"",
	",",
	"=1+2",
	"<script>alert(1)</script>",
};

static void
write_map(const struct skumap *m, struct buf *b)
{
	struct err	 e;

	buf_init(b, 1 << 20);
	assert_int_equal(skumap_write(b, m, &e), 0);
}

static int
has_problem(const struct skumap *m, const char *needle)
{
	size_t	 i;

	for (i = 0; i < m->nprobs; i++)
		if (strstr(m->probs[i].msg, needle) != NULL)
			return 1;
	return 0;
}

static void
test_round_trip_hostile(void **state)
{
	struct skumap	 m, back;
	struct buf	 one, two;
	struct err	 e;
	char		 sku[32], acct[32];
	size_t		 i;

	(void)state;
	memset(&m, 0, sizeof(m));
	for (i = 0; i < NELEM(hostile); i++) {
		snprintf(sku, sizeof(sku), "SKU-%zu", i);
		snprintf(acct, sizeof(acct), "Shop, \"%zu\"", i);
		assert_int_equal(skumap_add(&m, sku, hostile[i], acct,
		    "1000", hostile[i], "", hostile[i], &e), 0);
	}
	assert_int_equal(skumap_add(&m, "ALONE", "no listing", "", "", "", "",
	    "", &e), 0);
	write_map(&m, &one);
	assert_int_equal(skumap_parse(&back, SKUMAP_HUB, one.data, one.len,
	    &e), 0);
	assert_int_equal(back.nprobs, 0);
	assert_int_equal(back.n, m.n);
	for (i = 0; i < m.n; i++) {
		assert_string_equal(back.rows[i].sku, m.rows[i].sku);
		assert_string_equal(back.rows[i].title, m.rows[i].title);
		assert_string_equal(back.rows[i].account, m.rows[i].account);
		assert_string_equal(back.rows[i].ext_variant,
		    m.rows[i].ext_variant);
		assert_string_equal(back.rows[i].channel_sku,
		    m.rows[i].channel_sku);
		assert_int_equal(back.rows[i].row, i + 2);
	}
	write_map(&back, &two);
	assert_int_equal(two.len, one.len);
	assert_memory_equal(two.data, one.data, one.len);
	/* the header and CRLF line ends */
	assert_int_equal(strncmp(one.data, "sku,title,account,ext_listing,"
	    "ext_variant,ext_location,channel_sku\r\n", 63), 0);
	buf_free(&one);
	buf_free(&two);
	skumap_free(&back);
	skumap_free(&m);
}

static void
test_hub_refuses_duplicates(void **state)
{
	static const char csv[] =
	    "sku,title,account,ext_listing,ext_variant,ext_location,"
	    "channel_sku\n"
	    "MUG-1,Mug,Etsy,111,,,MUG-1\n"			/* row 2 */
	    "MUG-2,Mug two,Etsy,111,,,MUG-2\n"			/* row 3 */
	    "CUP,Cup,,,,,\n"					/* row 4 */
	    "CUP,Cup,,,,,\n"					/* row 5 */
	    "BOWL,Bowl,,,,,\n"					/* row 6 */
	    "BOWL,Big bowl,Shopify,9,,1,BOWL\n"			/* row 7 */
	    " LEAD,Leading space,,,,,\n"			/* row 8 */
	    "OK-1,Fine,,,,,\n";					/* row 9 */
	struct skumap	 m;
	struct err	 e;

	(void)state;
	assert_int_equal(skumap_parse(&m, SKUMAP_HUB, csv, sizeof(csv) - 1,
	    &e), 0);
	assert_true(has_problem(&m, "rows 2 and 3 both map listing 111 on "
	    "Etsy"));
	assert_true(has_problem(&m, "\"CUP\" is in row 4 and again in row 5"));
	assert_true(has_problem(&m, "\"BOWL\" has one title in row 6 and "
	    "another in row 7"));
	assert_true(has_problem(&m, "row 8: the SKU \" LEAD\" cannot be "
	    "used"));
	assert_false(has_problem(&m, "row 9"));
	assert_int_equal(m.nprobs, 4);
	skumap_free(&m);
}

static void
test_hub_bad_files(void **state)
{
	static const char *const bad[] = {
		"sku,title\nA,B\n",				/* columns */
		"sku,title,account,ext_listing,ext_variant,ext_location,"
		    "channel_sku\nA,\"open quote,,,,,\n",	/* not CSV */
		"sku,title,account,ext_listing,ext_variant,ext_location,"
		    "channel_sku\nA,x\"y,,,,,\n",		/* stray quote */
		"",
		"sku,title,account,ext_listing,ext_variant,ext_location,"
		    "channel_sku\nA,\xff,,,,,\n",		/* not UTF-8 */
	};
	struct skumap	 m;
	struct err	 e;
	size_t		 i;

	(void)state;
	for (i = 0; i < NELEM(bad); i++) {
		assert_int_equal(skumap_parse(&m, SKUMAP_HUB, bad[i],
		    strlen(bad[i]), &e), -1);
		assert_int_equal(e.kind, ERR_INVALID);
		assert_null(m.rows);
	}
}

static void
test_hub_row_rules(void **state)
{
	static const char csv[] =
	    "sku,title,account,ext_listing,ext_variant,ext_location,"
	    "channel_sku\r\n"
	    "A,t,,123,,,\r\n"			/* listing without account */
	    "B,t,Etsy,,,,\r\n"			/* account without listing */
	    "C,t,Etsy,12 3,,,\r\n"		/* space in the listing id */
	    "D,t,Etsy,5\r\n";			/* short row */
	struct skumap	 m;
	struct err	 e;

	(void)state;
	assert_int_equal(skumap_parse(&m, SKUMAP_HUB, csv, sizeof(csv) - 1,
	    &e), 0);
	assert_true(has_problem(&m, "row 2: a listing needs its account"));
	assert_true(has_problem(&m, "row 3: ext_listing is empty"));
	assert_true(has_problem(&m, "row 4: ext_listing must be"));
	assert_true(has_problem(&m, "row 5 has 4 columns"));
	skumap_free(&m);
}

static void
test_etsy_layout(void **state)
{
	static const char csv[] =
	    "\xef\xbb\xbfTITLE,DESCRIPTION,PRICE,CURRENCY_CODE,QUANTITY,"
	    "VARIATION 1 TYPE,VARIATION 1 NAME,VARIATION 1 VALUES,SKU\n"
	    "\"Mug, speckled\",\"two\nlines\",28.00,USD,3,,,,MUG-1\n"
	    "Scarf,x,45.00,USD,9,Color,Color,\"Red,Blue\","
	    "\"SCARF-RED, SCARF-BLUE\"\n"
	    "Sticker,x,4.50,USD,40,,,,\n"
	    "Dup,x,1.00,USD,1,,,,MUG-1\n";
	struct skumap	 m;
	struct err	 e;

	(void)state;
	assert_int_equal(skumap_parse(&m, SKUMAP_ETSY, csv, sizeof(csv) - 1,
	    &e), 0);
	assert_int_equal(m.n, 4);
	assert_string_equal(m.rows[0].sku, "MUG-1");
	assert_string_equal(m.rows[0].title, "Mug, speckled");
	assert_int_equal(m.rows[0].row, 2);
	assert_string_equal(m.rows[1].sku, "SCARF-RED");
	assert_string_equal(m.rows[2].sku, "SCARF-BLUE");
	assert_int_equal(m.rows[2].row, 3);
	assert_string_equal(m.rows[2].title, "Scarf");
	assert_int_equal(m.skipped, 1);
	assert_int_equal(m.nprobs, 1);
	assert_true(has_problem(&m, "\"MUG-1\" is in row 2 and again in "
	    "row 5"));
	skumap_free(&m);
	assert_int_equal(skumap_parse(&m, SKUMAP_ETSY, "TITLE,PRICE\nA,1\n",
	    15, &e), -1);
	assert_non_null(strstr(e.msg, "no SKU column"));
}

static void
test_shopify_layout(void **state)
{
	static const char csv[] =
	    "Handle,Title,Body (HTML),Option1 Name,Option1 Value,"
	    "Variant SKU,Image Src\n"
	    "wool-scarf,Wool scarf,<p>x</p>,Color,Red,SCARF-RED,a.jpg\n"
	    "wool-scarf,,,,Blue,SCARF-BLUE,b.jpg\n"
	    "wool-scarf,,,,,,c.jpg\n"
	    "mug,\"Mug, big\",,Title,Default Title,MUG-1,\n";
	static const char newer[] =
	    "URL handle,Title,SKU\nmug,Mug,MUG-1\nmug,,MUG-2\n";
	struct skumap	 m;
	struct err	 e;

	(void)state;
	assert_int_equal(skumap_parse(&m, SKUMAP_SHOPIFY, csv,
	    sizeof(csv) - 1, &e), 0);
	assert_int_equal(m.nprobs, 0);
	assert_int_equal(m.n, 3);
	assert_int_equal(m.skipped, 1);
	assert_string_equal(m.rows[1].sku, "SCARF-BLUE");
	assert_string_equal(m.rows[1].title, "Wool scarf");
	assert_int_equal(m.rows[1].row, 3);
	assert_string_equal(m.rows[2].title, "Mug, big");
	skumap_free(&m);
	assert_int_equal(skumap_parse(&m, SKUMAP_SHOPIFY, newer,
	    sizeof(newer) - 1, &e), 0);
	assert_int_equal(m.n, 2);
	assert_string_equal(m.rows[1].title, "Mug");
	skumap_free(&m);
}

static const struct skumap_prop *
prop_for(const struct skumap_plan *p, const char *sku, enum skumap_action a)
{
	size_t	 i;

	for (i = 0; i < p->n; i++)
		if (p->props[i].act == a &&
		    strcmp(p->props[i].csv->sku, sku) == 0)
			return &p->props[i];
	return NULL;
}

static void
test_exact_matching_only(void **state)
{
	static const char *const accounts[] = { "Etsy" };
	struct skumap		 hub, csv;
	struct skumap_plan	 plan;
	struct err		 e;

	(void)state;
	memset(&hub, 0, sizeof(hub));
	memset(&csv, 0, sizeof(csv));
	assert_int_equal(skumap_add(&hub, "MUG-1", "Mug", "Etsy", "111", "",
	    "", "MUG-1", &e), 0);
	assert_int_equal(skumap_add(&hub, "CUP", "Cup", "", "", "", "", "",
	    &e), 0);
	/* near misses of the hub's SKUs, then exact ones */
	assert_int_equal(skumap_add(&csv, "mug-1", "Mug", "", "", "", "", "",
	    &e), 0);
	assert_int_equal(skumap_add(&csv, " MUG-1", "Mug", "", "", "", "", "",
	    &e), 0);
	assert_int_equal(skumap_add(&csv, "MUG-1 ", "Mug", "", "", "", "", "",
	    &e), 0);
	assert_int_equal(skumap_add(&csv, "MUG-1", "Mug", "", "", "", "", "",
	    &e), 0);
	assert_int_equal(skumap_add(&csv, "CUP", "Teacup", "", "", "", "", "",
	    &e), 0);
	assert_int_equal(skumap_propose(&csv, SKUMAP_SHOPIFY, &hub, accounts,
	    1, &plan, &e), 0);
	assert_int_equal(plan.n, 5);
	assert_non_null(prop_for(&plan, "mug-1", SKUMAP_NEW_ITEM));
	assert_non_null(prop_for(&plan, " MUG-1", SKUMAP_NEW_ITEM));
	assert_non_null(prop_for(&plan, "MUG-1 ", SKUMAP_NEW_ITEM));
	assert_non_null(prop_for(&plan, "MUG-1", SKUMAP_MATCH));
	assert_null(prop_for(&plan, "mug-1", SKUMAP_MATCH));
	assert_non_null(prop_for(&plan, "CUP", SKUMAP_TITLE_CONFLICT));
	assert_string_equal(prop_for(&plan, "CUP",
	    SKUMAP_TITLE_CONFLICT)->hub->title, "Cup");
	skumap_plan_free(&plan);
	skumap_free(&csv);
	skumap_free(&hub);
}

static void
test_hub_proposals(void **state)
{
	static const char *const accounts[] = { "Etsy", "Shopify" };
	static const char csv_text[] =
	    "sku,title,account,ext_listing,ext_variant,ext_location,"
	    "channel_sku\n"
	    "MUG-1,Mug,Etsy,111,,,MUG-1\n"		/* same */
	    "MUG-1,Mug,Shopify,55,66,1,MUG-1\n"		/* new listing */
	    "CUP,Big cup,Etsy,222,,,CUP\n"		/* title + place */
	    "NEW,Brand new,,,,,\n"			/* new item */
	    "X,x,Amazon,1,,,X\n";			/* unknown account */
	struct skumap		 hub, csv;
	struct skumap_plan	 plan;
	const struct skumap_prop *p;
	struct err		 e;

	(void)state;
	memset(&hub, 0, sizeof(hub));
	assert_int_equal(skumap_add(&hub, "CUP", "Cup", "Etsy", "333", "", "",
	    "CUP", &e), 0);
	assert_int_equal(skumap_add(&hub, "MUG-1", "Mug", "Etsy", "111", "",
	    "", "MUG-1", &e), 0);
	assert_int_equal(skumap_add(&hub, "OTHER", "Other", "Etsy", "222", "",
	    "", "OTHER", &e), 0);
	assert_int_equal(skumap_parse(&csv, SKUMAP_HUB, csv_text,
	    sizeof(csv_text) - 1, &e), 0);
	assert_int_equal(csv.nprobs, 0);
	assert_int_equal(skumap_propose(&csv, SKUMAP_HUB, &hub, accounts, 2,
	    &plan, &e), 0);
	assert_int_equal(csv.nprobs, 1);
	assert_true(has_problem(&csv, "row 6: there is no channel account "
	    "named \"Amazon\""));
	assert_int_equal(plan.same, 1);
	assert_non_null(prop_for(&plan, "NEW", SKUMAP_NEW_ITEM));
	assert_non_null(prop_for(&plan, "X", SKUMAP_NEW_ITEM));
	assert_non_null(p = prop_for(&plan, "MUG-1", SKUMAP_NEW_LISTING));
	assert_int_equal(p->csv->row, 3);
	assert_non_null(prop_for(&plan, "CUP", SKUMAP_TITLE_CONFLICT));
	assert_non_null(p = prop_for(&plan, "CUP", SKUMAP_PLACE_CONFLICT));
	assert_string_equal(p->hub->sku, "OTHER");
	assert_int_equal(plan.n, 5);
	skumap_plan_free(&plan);
	skumap_free(&csv);
	skumap_free(&hub);
}

static void
test_fingerprint(void **state)
{
	struct skumap	 m;
	struct err	 e;
	char		 a[65], b[65];

	(void)state;
	memset(&m, 0, sizeof(m));
	assert_int_equal(skumap_add(&m, "A", "t", "", "", "", "", "", &e), 0);
	assert_int_equal(skumap_fingerprint(&m, a, &e), 0);
	assert_int_equal(strlen(a), 64);
	free(m.rows[0].title);
	m.rows[0].title = strdup("T");
	assert_int_equal(skumap_fingerprint(&m, b, &e), 0);
	assert_string_not_equal(a, b);
	skumap_free(&m);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round_trip_hostile),
		cmocka_unit_test(test_hub_refuses_duplicates),
		cmocka_unit_test(test_hub_bad_files),
		cmocka_unit_test(test_hub_row_rules),
		cmocka_unit_test(test_etsy_layout),
		cmocka_unit_test(test_shopify_layout),
		cmocka_unit_test(test_exact_matching_only),
		cmocka_unit_test(test_hub_proposals),
		cmocka_unit_test(test_fingerprint),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
