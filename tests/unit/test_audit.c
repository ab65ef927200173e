/*
 * Unit tests for lib/audit.c's pure comparison of a channel's catalog
 * with the SKU map: every kind of finding, exact-SKU suggestions only.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "audit.h"
#include "str.h"

#define NELEM(a)	(sizeof(a) / sizeof((a)[0]))

/* the hub's SKUs */
static int
hub_has(void *arg, const char *sku)
{
	static const char *const skus[] = { "SCARF-RED", "SCARF-BLUE",
	    "SCARF-GREEN", "MUG-1", "MUG-2" };
	size_t	 i;

	(void)arg;
	for (i = 0; i < NELEM(skus); i++)
		if (strcmp(skus[i], sku) == 0)
			return 1;
	return 0;
}

static struct channel_place
place(const char *l, const char *v, const char *sku, int level)
{
	struct channel_place	 p;

	memset(&p, 0, sizeof(p));
	(void)str_copy(p.ext_listing, sizeof(p.ext_listing), l);
	(void)str_copy(p.ext_variant, sizeof(p.ext_variant), v);
	(void)str_copy(p.sku, sizeof(p.sku), sku);
	p.listing_level_qty = level;
	return p;
}

static size_t
count(const struct audit_finding *f, size_t n, enum audit_kind k)
{
	size_t	 i, c = 0;

	for (i = 0; i < n; i++)
		c += f[i].kind == k;
	return c;
}

static const struct audit_finding *
find(const struct audit_finding *f, size_t n, enum audit_kind k)
{
	size_t	 i;

	for (i = 0; i < n; i++)
		if (f[i].kind == k)
			return &f[i];
	return NULL;
}

/* A catalog that matches the map: nothing to say. */
static void
test_clean(void **state)
{
	struct channel_place	 pl[2];
	struct audit_mapped	 m[] = {
		{ 1, "100", "Color=Red", "SCARF-RED" },
		{ 2, "100", "Color=Blue", "SCARF-BLUE" },
	};
	struct audit_finding	*f;
	struct err		 e;
	size_t			 n;

	(void)state;
	pl[0] = place("100", "Color=Blue", "SCARF-BLUE", 0);
	pl[1] = place("100", "Color=Red", "SCARF-RED", 0);
	assert_int_equal(audit_compare(pl, 2, m, 2, hub_has, NULL, &f, &n, &e),
	    0);
	assert_int_equal(n, 0);
	free(f);
	assert_int_equal(audit_compare(NULL, 0, NULL, 0, hub_has, NULL, &f, &n,
	    &e), 0);
	assert_int_equal(n, 0);
	free(f);
}

/* A new variation: unmapped, with the exact hub SKU suggested; one whose
 * SKU the hub only has in another case gets no suggestion. */
static void
test_new_variation(void **state)
{
	struct channel_place	 pl[3];
	struct audit_mapped	 m[] = {
		{ 1, "100", "Color=Red", "SCARF-RED" },
	};
	struct audit_finding	*f;
	const struct audit_finding *g;
	struct err		 e;
	size_t			 n;

	(void)state;
	pl[0] = place("100", "Color=Red", "SCARF-RED", 0);
	pl[1] = place("100", "Color=Green", "SCARF-GREEN", 0);
	pl[2] = place("100", "Color=Blue", "scarf-blue", 0);
	assert_int_equal(audit_compare(pl, 3, m, 1, hub_has, NULL, &f, &n, &e),
	    0);
	assert_int_equal(n, 2);
	assert_int_equal(count(f, n, AUDIT_UNMAPPED), 2);
	assert_int_equal(f[0].place, 1);
	assert_true(f[0].suggest);
	assert_string_equal(f[0].suggest_sku, "SCARF-GREEN");
	assert_int_equal(f[1].place, 2);
	assert_false(f[1].suggest);
	g = find(f, n, AUDIT_MISSING);
	assert_null(g);
	free(f);
}

/* A renamed variation (its mapped SKU now on a new name in the same
 * listing): one RENAMED finding suggesting the move, not an unmapped and
 * a missing one. A mapped place gone without trace is MISSING. */
static void
test_renamed_and_missing(void **state)
{
	struct channel_place	 pl[2];
	struct audit_mapped	 m[] = {
		{ 1, "100", "Color=Red", "SCARF-RED" },
		{ 2, "100", "Color=Blue", "SCARF-BLUE" },
		{ 3, "200", "", "MUG-1" },
	};
	struct audit_finding	*f;
	const struct audit_finding *g;
	struct err		 e;
	size_t			 n;

	(void)state;
	pl[0] = place("100", "Color=Crimson", "SCARF-RED", 0);
	pl[1] = place("100", "Color=Blue", "SCARF-BLUE", 0);
	assert_int_equal(audit_compare(pl, 2, m, 3, hub_has, NULL, &f, &n, &e),
	    0);
	assert_int_equal(n, 2);
	g = find(f, n, AUDIT_RENAMED);
	assert_non_null(g);
	assert_int_equal(g->place, 0);
	assert_int_equal(g->mapped, 0);
	assert_true(g->suggest);
	assert_string_equal(g->suggest_sku, "SCARF-RED");
	g = find(f, n, AUDIT_MISSING);
	assert_non_null(g);
	assert_int_equal(g->mapped, 2);
	assert_int_equal(count(f, n, AUDIT_UNMAPPED), 0);
	free(f);
}

/* SKU strings that differ (case and whitespace told apart), shared SKUs
 * and Etsy's listing-level quantity. */
static void
test_sku_and_listing_qty(void **state)
{
	struct channel_place	 pl[5];
	struct audit_mapped	 m[] = {
		{ 1, "100", "Color=Red", "SCARF-RED" },
		{ 2, "100", "Color=Blue", "SCARF-BLUE" },
		{ 3, "300", "", "MUG-1" },
	};
	struct audit_finding	*f;
	const struct audit_finding *g;
	struct err		 e;
	size_t			 n;

	(void)state;
	pl[0] = place("100", "Color=Red", "scarf-red ", 1);
	pl[1] = place("100", "Color=Blue", "SCARF-BLU", 1);
	pl[2] = place("300", "", "MUG-1", 0);
	pl[3] = place("400", "", "MUG-1", 0);
	pl[4] = place("500", "", "MUG-1", 0);
	assert_int_equal(audit_compare(pl, 5, m, 3, hub_has, NULL, &f, &n, &e),
	    0);
	assert_int_equal(count(f, n, AUDIT_SKU_DIFFERS), 2);
	g = find(f, n, AUDIT_SKU_DIFFERS);
	assert_int_equal(g->place, 0);
	assert_true(g->case_ws_only);
	assert_false(g[1].case_ws_only);
	/* MUG-1 on three places: one finding */
	assert_int_equal(count(f, n, AUDIT_SKU_SHARED), 1);
	/* listing 100 sets one quantity: one finding for the listing */
	assert_int_equal(count(f, n, AUDIT_LISTING_QTY), 1);
	g = find(f, n, AUDIT_LISTING_QTY);
	assert_int_equal(g->place, 0);
	/* 400 and 500 are unmapped; MUG-1 exists, so suggested exactly */
	assert_int_equal(count(f, n, AUDIT_UNMAPPED), 2);
	g = find(f, n, AUDIT_UNMAPPED);
	assert_true(g->suggest);
	assert_string_equal(g->suggest_sku, "MUG-1");
	free(f);
}

static void
test_names(void **state)
{
	(void)state;
	assert_string_equal(audit_kind_name(AUDIT_RENAMED), "renamed");
	assert_string_equal(audit_kind_name(AUDIT_LISTING_QTY), "listing_qty");
	assert_string_equal(audit_kind_name((enum audit_kind)77), "unknown");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_clean),
		cmocka_unit_test(test_new_variation),
		cmocka_unit_test(test_renamed_and_missing),
		cmocka_unit_test(test_sku_and_listing_qty),
		cmocka_unit_test(test_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
