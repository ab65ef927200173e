/*
 * Unit tests for lib/bom.c's pure part: availability of bundles and
 * made-to-order items over nested BOMs, zero and negative components,
 * caps, what a sale consumes, and cycles named.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "bom.h"
#include "err.h"
#include "str.h"

#define NMAX	16
#define EMAX	32

struct fx {
	struct bom_node	 nodes[NMAX];
	struct bom_edge	 edges[EMAX];
	struct bom_graph g;
};

static size_t
node(struct fx *f, const char *sku, enum bom_kind k, int64_t avail)
{
	struct bom_node	*n = &f->nodes[f->g.nnodes];

	memset(n, 0, sizeof(*n));
	n->item_id = (int64_t)f->g.nnodes + 100;
	(void)str_copy(n->sku, sizeof(n->sku), sku);
	n->kind = k;
	n->available = avail;
	return f->g.nnodes++;
}

static void
edge(struct fx *f, size_t parent, size_t child, int64_t qty)
{
	f->edges[f->g.nedges++] = (struct bom_edge){ parent, child, qty };
}

static void
fx_init(struct fx *f)
{
	memset(f, 0, sizeof(*f));
	f->g.nodes = f->nodes;
	f->g.edges = f->edges;
}

static int64_t
avail(const struct fx *f, size_t n)
{
	struct err	 e;
	int64_t		 out = -1;

	assert_int_equal(bom_available(&f->g, n, &out, &e), 0);
	return out;
}

static void
test_stocked(void **state)
{
	struct fx	 f;
	size_t		 a, b;

	(void)state;
	fx_init(&f);
	a = node(&f, "A", BOM_STOCKED, 7);
	b = node(&f, "B", BOM_STOCKED, -3);
	assert_int_equal(avail(&f, a), 7);
	assert_int_equal(avail(&f, b), 0);	/* oversold: shows 0 */
}

static void
test_bundle_min_floor(void **state)
{
	struct fx	 f;
	size_t		 kit, a, b;

	(void)state;
	fx_init(&f);
	kit = node(&f, "KIT", BOM_BUNDLE, 0);
	a = node(&f, "A", BOM_STOCKED, 10);
	b = node(&f, "B", BOM_STOCKED, 7);
	edge(&f, kit, a, 1);
	edge(&f, kit, b, 3);
	assert_int_equal(avail(&f, kit), 2);	/* floor(7/3) = 2 < 10 */
	f.nodes[b].available = 2;		/* fractional: 2/3 -> 0 */
	assert_int_equal(avail(&f, kit), 0);
	f.nodes[b].available = 0;
	assert_int_equal(avail(&f, kit), 0);
	f.nodes[b].available = -5;		/* negative counts as 0 */
	assert_int_equal(avail(&f, kit), 0);
	f.nodes[b].available = 300;
	assert_int_equal(avail(&f, kit), 10);
	/* the bundle's own stock is never counted */
	f.nodes[kit].available = 1000;
	assert_int_equal(avail(&f, kit), 10);
}

static void
test_bundle_without_components(void **state)
{
	struct fx	 f;
	size_t		 kit, mto;

	(void)state;
	fx_init(&f);
	kit = node(&f, "KIT", BOM_BUNDLE, 5);
	mto = node(&f, "MTO", BOM_MADE_TO_ORDER, 0);
	assert_int_equal(avail(&f, kit), 0);
	assert_int_equal(avail(&f, mto), 0);
	f.nodes[mto].has_cap = 1;
	f.nodes[mto].cap = 4;
	assert_int_equal(avail(&f, mto), 4);
}

static void
test_nested(void **state)
{
	struct fx	 f;
	size_t		 gift, kit, a, b, c;

	(void)state;
	fx_init(&f);
	gift = node(&f, "GIFT", BOM_BUNDLE, 0);
	kit = node(&f, "KIT", BOM_BUNDLE, 0);
	a = node(&f, "A", BOM_STOCKED, 12);
	b = node(&f, "B", BOM_STOCKED, 100);
	c = node(&f, "C", BOM_STOCKED, 100);
	edge(&f, kit, a, 2);		/* KIT = 2 A + B */
	edge(&f, kit, b, 1);
	edge(&f, gift, kit, 2);		/* GIFT = 2 KIT + C */
	edge(&f, gift, c, 1);
	assert_int_equal(avail(&f, kit), 6);
	assert_int_equal(avail(&f, gift), 3);
	f.nodes[c].available = 1;
	assert_int_equal(avail(&f, gift), 1);
	f.nodes[a].available = 3;	/* 1 kit: 0 gifts */
	assert_int_equal(avail(&f, gift), 0);
}

static void
test_made_to_order_cap(void **state)
{
	struct fx	 f;
	size_t		 neck, chain, pend, blank, gift;

	(void)state;
	fx_init(&f);
	neck = node(&f, "NECK", BOM_MADE_TO_ORDER, 0);
	chain = node(&f, "CHAIN", BOM_STOCKED, 40);
	pend = node(&f, "PEND", BOM_STOCKED, 9);
	blank = node(&f, "BLANK", BOM_STOCKED, 30);
	edge(&f, neck, chain, 2);
	edge(&f, neck, pend, 1);
	edge(&f, neck, blank, 1);
	assert_int_equal(avail(&f, neck), 9);
	f.nodes[neck].has_cap = 1;
	f.nodes[neck].cap = 5;
	assert_int_equal(avail(&f, neck), 5);
	f.nodes[neck].cap = 0;
	assert_int_equal(avail(&f, neck), 0);
	f.nodes[neck].cap = 50;		/* the cap only lowers */
	assert_int_equal(avail(&f, neck), 9);
	/* a made-to-order item inside a bundle: capped first */
	gift = node(&f, "GIFT", BOM_BUNDLE, 0);
	edge(&f, gift, neck, 1);
	f.nodes[neck].cap = 3;
	assert_int_equal(avail(&f, gift), 3);
}

static void
test_explode(void **state)
{
	struct fx	 f;
	struct err	 e;
	int64_t		 need[NMAX];
	size_t		 gift, kit, a, b;

	(void)state;
	fx_init(&f);
	gift = node(&f, "GIFT", BOM_BUNDLE, 0);
	kit = node(&f, "KIT", BOM_BUNDLE, 0);
	a = node(&f, "A", BOM_STOCKED, 0);
	b = node(&f, "B", BOM_STOCKED, 0);
	edge(&f, kit, a, 2);
	edge(&f, kit, b, 1);
	edge(&f, gift, kit, 3);
	edge(&f, gift, a, 1);		/* A directly and through KIT */
	assert_int_equal(bom_explode(&f.g, gift, 2, need, &e), 0);
	assert_int_equal(need[gift], 0);
	assert_int_equal(need[kit], 0);
	assert_int_equal(need[a], 2 * (3 * 2 + 1));
	assert_int_equal(need[b], 2 * 3);
	/* a stocked item needs itself */
	assert_int_equal(bom_explode(&f.g, a, 5, need, &e), 0);
	assert_int_equal(need[a], 5);
	assert_int_equal(need[b], 0);
	/* beyond the sanity bound */
	f.edges[0].qty = 1000000;
	assert_int_equal(bom_explode(&f.g, gift, 1000, need, &e), -1);
	assert_int_equal(e.kind, ERR_TOOBIG);
}

static void
test_cycles_named(void **state)
{
	struct fx	 f;
	struct err	 e;
	char		 path[BOM_PATH_MAX];
	int64_t		 out, need[NMAX];
	size_t		 a, b, c, d;

	(void)state;
	fx_init(&f);
	a = node(&f, "A", BOM_BUNDLE, 0);
	b = node(&f, "B", BOM_BUNDLE, 0);
	c = node(&f, "C", BOM_STOCKED, 5);
	edge(&f, a, b, 1);
	edge(&f, b, c, 1);
	assert_int_equal(bom_cycle(&f.g, path, sizeof(path)), 0);
	edge(&f, b, a, 1);
	assert_int_equal(bom_cycle(&f.g, path, sizeof(path)), 1);
	assert_string_equal(path, "A \xe2\x86\x92 B \xe2\x86\x92 A");
	assert_int_equal(bom_available(&f.g, a, &out, &e), -1);
	assert_int_equal(e.kind, ERR_CONFLICT);
	assert_non_null(strstr(e.msg, "A \xe2\x86\x92 B \xe2\x86\x92 A"));
	assert_int_equal(bom_explode(&f.g, a, 1, need, &e), -1);
	assert_int_equal(e.kind, ERR_CONFLICT);

	/* a longer one, entered from outside the cycle */
	fx_init(&f);
	d = node(&f, "TOP", BOM_BUNDLE, 0);
	a = node(&f, "X", BOM_BUNDLE, 0);
	b = node(&f, "Y", BOM_BUNDLE, 0);
	c = node(&f, "Z", BOM_BUNDLE, 0);
	edge(&f, d, a, 1);
	edge(&f, a, b, 1);
	edge(&f, b, c, 2);
	edge(&f, c, a, 1);
	assert_int_equal(bom_cycle(&f.g, path, sizeof(path)), 1);
	assert_string_equal(path,
	    "X \xe2\x86\x92 Y \xe2\x86\x92 Z \xe2\x86\x92 X");

	/* a self-loop; and a small buffer truncates, never overflows */
	fx_init(&f);
	a = node(&f, "SELF", BOM_BUNDLE, 0);
	edge(&f, a, a, 1);
	assert_int_equal(bom_cycle(&f.g, path, sizeof(path)), 1);
	assert_string_equal(path, "SELF \xe2\x86\x92 SELF");
	assert_int_equal(bom_cycle(&f.g, path, 6), 1);
	assert_true(strlen(path) < 6);
}

static void
test_diamond_is_not_a_cycle(void **state)
{
	struct fx	 f;
	char		 path[BOM_PATH_MAX];
	size_t		 top, l, r, base;

	(void)state;
	fx_init(&f);
	top = node(&f, "TOP", BOM_BUNDLE, 0);
	l = node(&f, "L", BOM_BUNDLE, 0);
	r = node(&f, "R", BOM_BUNDLE, 0);
	base = node(&f, "BASE", BOM_STOCKED, 12);
	edge(&f, top, l, 1);
	edge(&f, top, r, 1);
	edge(&f, l, base, 2);
	edge(&f, r, base, 3);
	assert_int_equal(bom_cycle(&f.g, path, sizeof(path)), 0);
	/* one TOP takes 2 + 3 = 5 BASE, whichever branch they go through:
	 * 12 / 5 = 2 (taking each branch alone would promise 4) */
	assert_int_equal(avail(&f, l), 6);
	assert_int_equal(avail(&f, r), 4);
	assert_int_equal(avail(&f, top), 2);
	/* a kit that holds one of its own components counts it twice */
	edge(&f, top, base, 2);
	assert_int_equal(avail(&f, top), 1);	/* 12 / 7 */
}

static void
test_bad_graph_and_kinds(void **state)
{
	struct fx	 f;
	struct err	 e;
	enum bom_kind	 k;
	int64_t		 out;
	size_t		 a, b;

	(void)state;
	fx_init(&f);
	a = node(&f, "A", BOM_BUNDLE, 0);
	b = node(&f, "B", BOM_STOCKED, 3);
	edge(&f, a, b, 0);
	assert_int_equal(bom_available(&f.g, a, &out, &e), -1);
	assert_int_equal(e.kind, ERR_INVALID);
	f.edges[0].qty = 1;
	assert_int_equal(bom_available(&f.g, 9, &out, &e), -1);
	assert_int_equal(bom_index(&f.g, f.nodes[b].item_id), (long)b);
	assert_int_equal(bom_index(&f.g, 1), -1);
	assert_int_equal(bom_kind_parse("made_to_order", &k), 0);
	assert_int_equal(k, BOM_MADE_TO_ORDER);
	assert_string_equal(bom_kind_name(BOM_BUNDLE), "bundle");
	assert_int_equal(bom_kind_parse("kit", &k), -1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_stocked),
		cmocka_unit_test(test_bundle_min_floor),
		cmocka_unit_test(test_bundle_without_components),
		cmocka_unit_test(test_nested),
		cmocka_unit_test(test_made_to_order_cap),
		cmocka_unit_test(test_explode),
		cmocka_unit_test(test_cycles_named),
		cmocka_unit_test(test_diamond_is_not_a_cycle),
		cmocka_unit_test(test_bad_graph_and_kinds),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
