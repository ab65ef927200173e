/*
 * Unit tests for the pure part of lib/etsy.c: the getListingInventory
 * model, the updateListingInventory body built from it, the push
 * decision (held sales, zero handling, the 999 cap) and the answer
 * helpers. The fixtures follow Etsy's OpenAPI document
 * (ListingInventoryWithAssociations, ListingInventoryProduct,
 * ListingInventoryProductOffering, ListingPropertyValue, Money).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

#include "buf.h"
#include "err.h"
#include "etsy.h"
#include "httpc.h"

/* One property (Size, a scaled built-in property), three products with
 * their own prices, SKUs, quantities and processing profiles. */
static const char THREE[] =
    "{\"products\":["
    "{\"product_id\":5001,\"sku\":\"TEE-S\",\"is_deleted\":false,"
    "\"offerings\":[{\"offering_id\":6001,\"quantity\":3,"
    "\"is_enabled\":true,\"is_deleted\":false,\"price\":{\"amount\":2800,"
    "\"divisor\":100,\"currency_code\":\"USD\"},\"readiness_state_id\":"
    "901}],\"property_values\":[{\"property_id\":100,\"property_name\":"
    "\"Size\",\"scale_id\":19,\"scale_name\":\"US/Canada\",\"value_ids\":"
    "[7001],\"values\":[\"S\"]}]},"
    "{\"product_id\":5002,\"sku\":\"TEE-M\",\"is_deleted\":false,"
    "\"offerings\":[{\"offering_id\":6002,\"quantity\":5,"
    "\"is_enabled\":true,\"is_deleted\":false,\"price\":{\"amount\":1999,"
    "\"divisor\":100,\"currency_code\":\"USD\"},\"readiness_state_id\":"
    "902}],\"property_values\":[{\"property_id\":100,\"property_name\":"
    "\"Size\",\"scale_id\":19,\"scale_name\":\"US/Canada\",\"value_ids\":"
    "[7002],\"values\":[\"M\"]}]},"
    "{\"product_id\":5003,\"sku\":\"TEE-L \\\"big\\\"\",\"is_deleted\":"
    "false,\"offerings\":[{\"offering_id\":6003,\"quantity\":0,"
    "\"is_enabled\":true,\"is_deleted\":false,\"price\":{\"amount\":10,"
    "\"divisor\":100,\"currency_code\":\"USD\"},\"readiness_state_id\":"
    "901}],\"property_values\":[{\"property_id\":100,\"property_name\":"
    "\"Size\",\"scale_id\":19,\"scale_name\":\"US/Canada\",\"value_ids\":"
    "[7003],\"values\":[\"L\\u00e9\"]}]}"
    "],"
    "\"price_on_property\":[100],\"quantity_on_property\":[100],"
    "\"sku_on_property\":[100],\"readiness_state_on_property\":[100],"
    "\"listing\":{\"listing_id\":1234567,\"state\":\"active\","
    "\"quantity\":8}}";

/* No variations: one product, no property values, no processing
 * profile, no readiness_state_on_property. */
static const char SINGLE[] =
    "{\"products\":[{\"product_id\":8001,\"sku\":\"MUG-1\","
    "\"is_deleted\":false,\"offerings\":[{\"offering_id\":9001,"
    "\"quantity\":4,\"is_enabled\":true,\"is_deleted\":false,\"price\":"
    "{\"amount\":2200,\"divisor\":100,\"currency_code\":\"EUR\"},"
    "\"readiness_state_id\":null}],\"property_values\":[]}],"
    "\"price_on_property\":[],\"quantity_on_property\":[],"
    "\"sku_on_property\":[],\"listing\":null}";

static void
load(const char *s, struct etsy_inventory *inv)
{
	struct err	 e;

	err_clear(&e);
	if (etsy_inventory_parse(s, strlen(s), inv, &e) != 0)
		fail_msg("parse: %s", e.msg);
}

static char *
build(const struct etsy_inventory *inv)
{
	struct buf	 b;
	struct err	 e;

	buf_init(&b, 1 << 20);
	assert_int_equal(etsy_inventory_body(inv, &b, &e), 0);
	return buf_detach(&b, NULL);
}

static void
test_parse_three(void **state)
{
	struct etsy_inventory	 inv;
	const struct etsy_product *p;

	(void)state;
	load(THREE, &inv);
	assert_int_equal(inv.nproducts, 3);
	assert_int_equal(inv.state, ETSY_STATE_ACTIVE);
	assert_int_equal(inv.listing_id, 1234567);
	p = &inv.products[1];
	assert_string_equal(p->sku, "TEE-M");
	assert_int_equal(p->npvs, 1);
	assert_int_equal(p->pvs[0].property_id, 100);
	assert_string_equal(p->pvs[0].property_name, "Size");
	assert_true(p->pvs[0].has_scale);
	assert_int_equal(p->pvs[0].scale_id, 19);
	assert_int_equal(p->pvs[0].nvalue_ids, 1);
	assert_int_equal(p->pvs[0].value_ids[0], 7002);
	assert_string_equal(p->pvs[0].values[0], "M");
	assert_int_equal(p->nofferings, 1);
	assert_int_equal(p->offerings[0].quantity, 5);
	assert_true(p->offerings[0].is_enabled);
	assert_int_equal(p->offerings[0].price.amount, 1999);
	assert_int_equal(p->offerings[0].price.divisor, 100);
	assert_string_equal(p->offerings[0].price.currency_code, "USD");
	assert_true(p->offerings[0].has_readiness);
	assert_int_equal(p->offerings[0].readiness_state_id, 902);
	assert_string_equal(inv.products[2].sku, "TEE-L \"big\"");
	assert_true(inv.price_on_property.present);
	assert_int_equal(inv.price_on_property.n, 1);
	assert_int_equal(inv.price_on_property.ids[0], 100);
	assert_int_equal(inv.readiness_state_on_property.n, 1);
	etsy_inventory_free(&inv);
	etsy_inventory_free(&inv);	/* twice is fine */
	etsy_inventory_free(NULL);
}

static void
test_parse_single(void **state)
{
	struct etsy_inventory	 inv;
	size_t			 idx = 99;
	int			 by_sku;
	struct err		 e;

	(void)state;
	load(SINGLE, &inv);
	assert_int_equal(inv.nproducts, 1);
	assert_int_equal(inv.state, ETSY_STATE_UNKNOWN);
	assert_int_equal(inv.products[0].npvs, 0);
	assert_false(inv.products[0].offerings[0].has_readiness);
	assert_false(inv.readiness_state_on_property.present);
	assert_true(inv.sku_on_property.present);
	assert_int_equal(inv.sku_on_property.n, 0);
	assert_int_equal(etsy_find_product(&inv, "", NULL, &idx, &by_sku, &e),
	    1);
	assert_int_equal(idx, 0);
	assert_false(by_sku);
	etsy_inventory_free(&inv);
}

/* Compare two models field by field, product skip excepted in its
 * first offering's quantity and is_enabled. */
static void
assert_same(const struct etsy_inventory *a, const struct etsy_inventory *b,
    size_t skip)
{
	size_t	 i, j, k;

	assert_int_equal(a->nproducts, b->nproducts);
	for (i = 0; i < a->nproducts; i++) {
		const struct etsy_product *x = &a->products[i];
		const struct etsy_product *y = &b->products[i];

		assert_string_equal(x->sku, y->sku);
		assert_int_equal(x->npvs, y->npvs);
		for (j = 0; j < x->npvs; j++) {
			const struct etsy_propval *p = &x->pvs[j];
			const struct etsy_propval *q = &y->pvs[j];

			assert_int_equal(p->property_id, q->property_id);
			assert_string_equal(p->property_name != NULL ?
			    p->property_name : "(null)", q->property_name !=
			    NULL ? q->property_name : "(null)");
			assert_int_equal(p->has_scale, q->has_scale);
			assert_int_equal(p->scale_id, q->scale_id);
			assert_int_equal(p->nvalue_ids, q->nvalue_ids);
			for (k = 0; k < p->nvalue_ids; k++)
				assert_int_equal(p->value_ids[k],
				    q->value_ids[k]);
			assert_int_equal(p->nvalues, q->nvalues);
			for (k = 0; k < p->nvalues; k++)
				assert_string_equal(p->values[k],
				    q->values[k]);
		}
		assert_int_equal(x->nofferings, y->nofferings);
		for (j = 0; j < x->nofferings; j++) {
			const struct etsy_offering *o = &x->offerings[j];
			const struct etsy_offering *q = &y->offerings[j];

			assert_int_equal(o->price.amount, q->price.amount);
			assert_int_equal(o->price.divisor, q->price.divisor);
			assert_int_equal(o->has_readiness, q->has_readiness);
			assert_int_equal(o->readiness_state_id,
			    q->readiness_state_id);
			if (i == skip && j == 0)
				continue;
			assert_int_equal(o->quantity, q->quantity);
			assert_int_equal(o->is_enabled, q->is_enabled);
		}
	}
#define SAME_IDS(f) do {						\
	assert_int_equal(a->f.present, b->f.present);			\
	assert_int_equal(a->f.is_null, b->f.is_null);			\
	assert_int_equal(a->f.n, b->f.n);				\
	for (k = 0; k < a->f.n; k++)					\
		assert_int_equal(a->f.ids[k], b->f.ids[k]);		\
} while (0)
	SAME_IDS(price_on_property);
	SAME_IDS(quantity_on_property);
	SAME_IDS(sku_on_property);
	SAME_IDS(readiness_state_on_property);
#undef SAME_IDS
}

/* No key anywhere in v that the PUT must not carry; prices are reals. */
static void
assert_clean(const json_t *v, const char *key)
{
	static const char *const forbidden[] = { "product_id", "offering_id",
	    "is_deleted", "scale_name", "amount", "divisor", "currency_code",
	    "listing", NULL };
	const char	*k;
	json_t		*x;
	size_t		 i;

	if (key != NULL && strcmp(key, "price") == 0)
		assert_true(json_is_real(v));
	if (json_is_object(v)) {
		json_object_foreach((json_t *)v, k, x) {
			for (i = 0; forbidden[i] != NULL; i++)
				if (strcmp(k, forbidden[i]) == 0)
					fail_msg("forbidden key %s echoed", k);
			assert_clean(x, k);
		}
	} else if (json_is_array(v))
		for (i = 0; i < json_array_size(v); i++)
			assert_clean(json_array_get(v, i), NULL);
}

/*
 * The PUT body carries prices as decimal floats; turn each
 * "price":28.00 back into "price":{"amount":2800,"divisor":100} by text,
 * so the body parses back into a model exactly (no double in between).
 */
static char *
moneyify(const char *body)
{
	struct buf	 b;
	const char	*p = body, *q, *dot, *end, *d;
	int64_t		 div, amount;

	buf_init(&b, 1 << 20);
	while ((q = strstr(p, "\"price\":")) != NULL) {
		q += 8;
		assert_int_equal(buf_append(&b, p, (size_t)(q - p)), 0);
		for (dot = q; *dot >= '0' && *dot <= '9'; dot++)
			;
		assert_true(*dot == '.' && dot > q);
		for (end = dot + 1, div = 1; *end >= '0' && *end <= '9';
		    end++)
			div *= 10;
		assert_true(end > dot + 1);
		for (amount = 0, d = q; d < end; d++)
			if (d != dot)
				amount = amount * 10 + (*d - '0');
		assert_int_equal(buf_printf(&b, "{\"amount\":%lld,"
		    "\"divisor\":%lld}", (long long)amount, (long long)div), 0);
		p = end;
	}
	assert_int_equal(buf_puts(&b, p), 0);
	return buf_detach(&b, NULL);
}

static void
test_roundtrip(void **state)
{
	struct etsy_inventory	 orig, inv, back;
	struct etsy_decide_in	 in = { .desired = 7 };
	struct etsy_plan	 plan;
	struct err		 e;
	json_t			*root;
	char			*body, *money;
	size_t			 idx;
	int			 by_sku;

	(void)state;
	load(THREE, &orig);
	load(THREE, &inv);
	assert_int_equal(etsy_find_product(&inv, "Size=M", NULL, &idx,
	    &by_sku, &e), 1);
	assert_int_equal(idx, 1);
	assert_int_equal(etsy_decide(&inv, idx, &in, &plan, &e), 0);
	assert_int_equal(plan.outcome, CHANNEL_WRITTEN);
	assert_true(plan.put);
	assert_false(plan.activate || plan.deactivate || plan.renew);
	assert_int_equal(plan.shown_before, 5);
	assert_int_equal(plan.shown, 7);
	body = build(&inv);

	/* parse the body back: everything as it was but M's quantity */
	money = moneyify(body);
	load(money, &back);
	free(money);
	assert_same(&orig, &back, 1);
	assert_int_equal(back.products[1].offerings[0].quantity, 7);
	assert_true(back.products[1].offerings[0].is_enabled);
	assert_int_equal(back.state, ETSY_STATE_UNKNOWN);

	/* and as raw JSON: no forbidden field, prices exact */
	root = json_loads(body, 0, NULL);
	assert_non_null(root);
	assert_clean(root, NULL);
	assert_non_null(strstr(body, "\"price\":28.00,"));
	assert_non_null(strstr(body, "\"price\":19.99,"));
	assert_non_null(strstr(body, "\"price\":0.10,"));
	assert_non_null(strstr(body, "\"scale_id\":19"));
	assert_non_null(strstr(body, "\"readiness_state_id\":902"));
	assert_non_null(strstr(body, "\"readiness_state_on_property\":[100]"));
	assert_non_null(strstr(body, "\"sku\":\"TEE-L \\\"big\\\"\""));
	assert_string_equal(json_string_value(json_array_get(json_object_get(
	    json_array_get(json_object_get(json_array_get(json_object_get(
	    root, "products"), 2), "property_values"), 0), "values"), 0)),
	    "L\xc3\xa9");
	json_decref(root);
	free(body);
	etsy_inventory_free(&back);
	etsy_inventory_free(&inv);
	etsy_inventory_free(&orig);
}

static void
test_single_body(void **state)
{
	struct etsy_inventory	 inv;
	char			*body;
	json_t			*root;

	(void)state;
	load(SINGLE, &inv);
	body = build(&inv);
	assert_string_equal(body, "{\"products\":[{\"sku\":\"MUG-1\","
	    "\"property_values\":[],\"offerings\":[{\"price\":22.00,"
	    "\"quantity\":4,\"is_enabled\":true,\"readiness_state_id\":null}]}"
	    "],\"price_on_property\":[],\"quantity_on_property\":[],"
	    "\"sku_on_property\":[]}");
	root = json_loads(body, 0, NULL);
	assert_clean(root, NULL);
	json_decref(root);
	free(body);
	etsy_inventory_free(&inv);
}

static void
test_price(void **state)
{
	static const struct {
		int64_t		 amount, divisor;
		const char	*want;
	} ok[] = {
		{ 2800, 100, "28.00" }, { 1999, 100, "19.99" },
		{ 10, 100, "0.10" }, { 1, 100, "0.01" }, { 0, 100, "0.00" },
		{ 7, 1, "7.0" }, { 5, 1000, "0.005" }, { 123456789, 100,
		"1234567.89" }, { 30, 10, "3.0" },
	};
	struct etsy_money	 m = { 0, 0, "" };
	char			 out[48];
	size_t			 i;

	(void)state;
	for (i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		m.amount = ok[i].amount;
		m.divisor = ok[i].divisor;
		assert_int_equal(etsy_price_format(&m, out, sizeof(out)), 0);
		assert_string_equal(out, ok[i].want);
	}
	m.amount = -1;
	m.divisor = 100;
	assert_int_equal(etsy_price_format(&m, out, sizeof(out)), -1);
	m.amount = 100;
	m.divisor = 3;
	assert_int_equal(etsy_price_format(&m, out, sizeof(out)), -1);
	m.divisor = 0;
	assert_int_equal(etsy_price_format(&m, out, sizeof(out)), -1);
	m.divisor = 100;
	assert_int_equal(etsy_price_format(&m, out, 3), -1);
}

static void
test_find(void **state)
{
	struct etsy_inventory	 inv;
	struct etsy_propval	 pvs[2];
	struct etsy_product	 pr;
	char			*red[] = { (char *)"Red" };
	char			*m[] = { (char *)"M" };
	char			 key[64];
	size_t			 idx;
	int			 by_sku;
	struct err		 e;

	(void)state;
	load(THREE, &inv);
	assert_int_equal(etsy_find_product(&inv, "Size=S", "TEE-M", &idx,
	    &by_sku, &e), 1);
	assert_int_equal(idx, 0);
	assert_false(by_sku);
	/* a renamed value: the SKU still finds it */
	assert_int_equal(etsy_find_product(&inv, "Size=Medium", "TEE-M", &idx,
	    &by_sku, &e), 1);
	assert_int_equal(idx, 1);
	assert_true(by_sku);
	assert_int_equal(etsy_find_product(&inv, "Size=XL", "NOPE", &idx,
	    &by_sku, &e), 0);
	assert_int_equal(etsy_find_product(&inv, "Size=XL", NULL, &idx,
	    &by_sku, &e), 0);
	assert_int_equal(etsy_find_product(&inv, "", NULL, &idx, &by_sku, &e),
	    0);
	free(inv.products[2].sku);
	inv.products[2].sku = strdup("TEE-M");
	assert_int_equal(etsy_find_product(&inv, NULL, "TEE-M", &idx, &by_sku,
	    &e), -1);
	assert_int_equal(e.kind, ERR_CONFLICT);
	etsy_inventory_free(&inv);

	/* two properties: sorted by name whatever their order */
	memset(pvs, 0, sizeof(pvs));
	pvs[0].property_id = 100;
	pvs[0].property_name = (char *)"Size";
	pvs[0].values = m;
	pvs[0].nvalues = 1;
	pvs[1].property_id = 200;
	pvs[1].property_name = (char *)"Color";
	pvs[1].values = red;
	pvs[1].nvalues = 1;
	memset(&pr, 0, sizeof(pr));
	pr.pvs = pvs;
	pr.npvs = 2;
	assert_int_equal(etsy_variant_key(&pr, key, sizeof(key)), 0);
	assert_string_equal(key, "Color=Red;Size=M");
	assert_int_equal(etsy_variant_key(&pr, key, 8), -1);
	pvs[1].property_name = NULL;	/* no name: the id */
	assert_int_equal(etsy_variant_key(&pr, key, sizeof(key)), 0);
	assert_string_equal(key, "200=Red;Size=M");
}

/* Whatever is PUT has an offering above 0 (the API refuses all zeros). */
static void
assert_puttable(const struct etsy_inventory *inv)
{
	size_t	 i, j;

	for (i = 0; i < inv->nproducts; i++)
		for (j = 0; j < inv->products[i].nofferings; j++)
			if (inv->products[i].offerings[j].quantity > 0)
				return;
	fail_msg("every offering at 0");
}

static void
test_zero_disable(void **state)
{
	struct etsy_inventory	 orig, inv;
	struct etsy_decide_in	 in = { .desired = 0, .has_last_pushed = 1,
				    .last_pushed = 5 };
	struct etsy_plan	 plan;
	struct err		 e;
	char			*body;

	(void)state;
	load(THREE, &orig);
	load(THREE, &inv);
	/* M goes to 0 while S still has 3: disable M, keep a quantity */
	assert_int_equal(etsy_decide(&inv, 1, &in, &plan, &e), 0);
	assert_int_equal(plan.outcome, CHANNEL_WRITTEN);
	assert_true(plan.put);
	assert_false(plan.deactivate || plan.activate || plan.renew);
	assert_true(plan.hidden);
	assert_int_equal(plan.shown, 0);
	assert_int_equal(plan.shown_before, 5);
	assert_false(inv.products[1].offerings[0].is_enabled);
	assert_int_equal(inv.products[1].offerings[0].quantity,
	    ETSY_DISABLED_QTY);
	assert_true(ETSY_DISABLED_QTY >= 1);
	assert_puttable(&inv);
	assert_same(&orig, &inv, 1);
	body = build(&inv);
	assert_non_null(strstr(body, "\"quantity\":1,\"is_enabled\":false"));
	free(body);

	/* a push of 0 again: it shows 0 already */
	in.last_pushed = 0;
	assert_int_equal(etsy_decide(&inv, 1, &in, &plan, &e), 0);
	assert_int_equal(plan.outcome, CHANNEL_UNCHANGED);
	assert_false(plan.put || plan.deactivate);
	assert_true(plan.hidden);

	/* stock returns: enabled with the quantity, nothing else changes */
	in.desired = 4;
	assert_int_equal(etsy_decide(&inv, 1, &in, &plan, &e), 0);
	assert_int_equal(plan.outcome, CHANNEL_WRITTEN);
	assert_true(plan.put);
	assert_false(plan.activate);
	assert_false(plan.hidden);
	assert_true(inv.products[1].offerings[0].is_enabled);
	assert_int_equal(inv.products[1].offerings[0].quantity, 4);
	assert_same(&orig, &inv, 1);
	etsy_inventory_free(&inv);
	etsy_inventory_free(&orig);
}

static void
test_zero_last(void **state)
{
	struct etsy_inventory	 orig, inv;
	struct etsy_decide_in	 in = { .desired = 0, .has_last_pushed = 1,
				    .last_pushed = 5 };
	struct etsy_plan	 plan;
	struct err		 e;

	(void)state;
	load(THREE, &orig);
	load(THREE, &inv);
	/* S disabled by the hub earlier, L sold out on Etsy: M is the
	 * last one with stock */
	inv.products[0].offerings[0].is_enabled = 0;
	inv.products[0].offerings[0].quantity = 1;
	assert_int_equal(etsy_decide(&inv, 1, &in, &plan, &e), 0);
	assert_int_equal(plan.outcome, CHANNEL_WRITTEN);
	assert_true(plan.deactivate);
	assert_false(plan.put);		/* never a PUT of zeros */
	assert_true(plan.hidden);
	assert_int_equal(plan.shown, 0);
	assert_int_equal(inv.products[1].offerings[0].quantity, 5);
	assert_true(inv.products[1].offerings[0].is_enabled);

	/* the hub made it inactive: it shows 0 now */
	inv.state = ETSY_STATE_INACTIVE;
	in.hub_hid = 1;
	in.last_pushed = 0;
	assert_int_equal(etsy_decide(&inv, 1, &in, &plan, &e), 0);
	assert_int_equal(plan.outcome, CHANNEL_UNCHANGED);
	assert_int_equal(plan.shown_before, 0);
	assert_true(plan.hidden);

	/* stock returns on L: written, the listing active again, and the
	 * stale enabled M (0 when hidden) disabled */
	in.desired = 2;
	assert_int_equal(etsy_decide(&inv, 2, &in, &plan, &e), 0);
	assert_int_equal(plan.outcome, CHANNEL_WRITTEN);
	assert_true(plan.put);
	assert_true(plan.activate);
	assert_false(plan.renew || plan.deactivate || plan.hidden);
	assert_int_equal(plan.shown, 2);
	assert_int_equal(inv.products[2].offerings[0].quantity, 2);
	assert_true(inv.products[2].offerings[0].is_enabled);
	assert_false(inv.products[1].offerings[0].is_enabled);
	assert_int_equal(inv.products[1].offerings[0].quantity, 5);
	assert_false(inv.products[0].offerings[0].is_enabled);
	assert_puttable(&inv);
	etsy_inventory_free(&inv);
	etsy_inventory_free(&orig);
}

static void
test_zero_single(void **state)
{
	struct etsy_inventory	 inv;
	struct etsy_decide_in	 in = { .desired = 0 };
	struct etsy_plan	 plan;
	struct err		 e;

	(void)state;
	load(SINGLE, &inv);
	inv.state = ETSY_STATE_ACTIVE;
	assert_int_equal(etsy_decide(&inv, 0, &in, &plan, &e), 0);
	assert_true(plan.deactivate);
	assert_false(plan.put);
	/* restock after the hub hid it */
	inv.state = ETSY_STATE_INACTIVE;
	in.hub_hid = 1;
	in.desired = 3;
	assert_int_equal(etsy_decide(&inv, 0, &in, &plan, &e), 0);
	assert_true(plan.put && plan.activate);
	assert_int_equal(inv.products[0].offerings[0].quantity, 3);
	etsy_inventory_free(&inv);
}

static void
test_states(void **state)
{
	struct etsy_inventory	 inv;
	struct etsy_decide_in	 in = { .desired = 2 };
	struct etsy_plan	 plan;
	struct err		 e;

	(void)state;
	/* inactive by the seller: quantity kept right, state left */
	load(SINGLE, &inv);
	inv.state = ETSY_STATE_INACTIVE;
	assert_int_equal(etsy_decide(&inv, 0, &in, &plan, &e), 0);
	assert_true(plan.put);
	assert_false(plan.activate);
	assert_int_equal(plan.shown_before, 4);
	in.desired = 0;
	assert_int_equal(etsy_decide(&inv, 0, &in, &plan, &e), 0);
	assert_false(plan.put || plan.activate || plan.deactivate);
	assert_int_equal(plan.outcome, CHANNEL_UNCHANGED);
	assert_false(plan.hidden);
	etsy_inventory_free(&inv);

	/* sold out on Etsy: renewed first (fee, said so), then written */
	load(SINGLE, &inv);
	inv.state = ETSY_STATE_SOLD_OUT;
	inv.products[0].offerings[0].quantity = 0;
	in.desired = 0;
	assert_int_equal(etsy_decide(&inv, 0, &in, &plan, &e), 0);
	assert_int_equal(plan.outcome, CHANNEL_UNCHANGED);
	in.desired = 6;
	assert_int_equal(etsy_decide(&inv, 0, &in, &plan, &e), 0);
	assert_true(plan.renew && plan.put);
	assert_false(plan.activate);
	assert_non_null(strstr(plan.detail, "fee"));
	etsy_inventory_free(&inv);

	assert_int_equal(etsy_state_parse("edit"), ETSY_STATE_INACTIVE);
	assert_int_equal(etsy_state_parse("sold_out"), ETSY_STATE_SOLD_OUT);
	assert_int_equal(etsy_state_parse("weird"), ETSY_STATE_OTHER);
	assert_int_equal(etsy_state_parse(NULL), ETSY_STATE_UNKNOWN);
}

static void
test_held(void **state)
{
	struct etsy_inventory	 inv;
	struct etsy_decide_in	 in = { .desired = 5, .has_last_pushed = 1,
				    .last_pushed = 5 };
	struct etsy_plan	 plan;
	struct err		 e;

	(void)state;
	load(THREE, &inv);
	/* hub pushed 5, Etsy shows 3: two Etsy sales the hub has not seen */
	inv.products[1].offerings[0].quantity = 3;
	assert_int_equal(etsy_decide(&inv, 1, &in, &plan, &e), 0);
	assert_int_equal(plan.outcome, CHANNEL_HELD);
	assert_int_equal(plan.unseen_sales, 2);
	assert_int_equal(plan.target, 3);
	assert_false(plan.put);		/* 3 is shown already */
	assert_int_equal(plan.shown, 3);
	/* the hub has 8 now: 8 - 2 written, never 8 */
	in.desired = 8;
	assert_int_equal(etsy_decide(&inv, 1, &in, &plan, &e), 0);
	assert_int_equal(plan.outcome, CHANNEL_HELD);
	assert_int_equal(plan.target, 6);
	assert_true(plan.put);
	assert_int_equal(inv.products[1].offerings[0].quantity, 6);
	/* never below 0: desired 1, unseen 4 (6 pushed, 2 shown) */
	inv.products[1].offerings[0].quantity = 2;
	in.last_pushed = 6;
	in.desired = 1;
	assert_int_equal(etsy_decide(&inv, 1, &in, &plan, &e), 0);
	assert_int_equal(plan.unseen_sales, 4);
	assert_int_equal(plan.target, 0);
	assert_int_equal(plan.outcome, CHANNEL_HELD);
	assert_true(plan.put);		/* S has stock: disable M */
	/* more shown than pushed (a manual edit): not sales */
	inv.products[1].offerings[0].is_enabled = 1;
	inv.products[1].offerings[0].quantity = 9;
	in.last_pushed = 5;
	in.desired = 5;
	assert_int_equal(etsy_decide(&inv, 1, &in, &plan, &e), 0);
	assert_int_equal(plan.outcome, CHANNEL_WRITTEN);
	assert_int_equal(plan.unseen_sales, 0);
	assert_int_equal(plan.target, 5);
	/* unchanged */
	assert_int_equal(etsy_decide(&inv, 1, &in, &plan, &e), 0);
	assert_int_equal(plan.outcome, CHANNEL_UNCHANGED);
	assert_false(plan.put);
	etsy_inventory_free(&inv);
}

static void
test_cap(void **state)
{
	struct etsy_inventory	 inv;
	struct etsy_decide_in	 in = { .desired = 5000 };
	struct etsy_plan	 plan;
	struct err		 e;

	(void)state;
	load(THREE, &inv);
	assert_int_equal(etsy_decide(&inv, 0, &in, &plan, &e), 0);
	assert_int_equal(plan.target, ETSY_QTY_MAX);
	assert_int_equal(inv.products[0].offerings[0].quantity, 999);
	assert_int_equal(etsy_decide(&inv, 0, &in, &plan, &e), 0);
	assert_int_equal(plan.outcome, CHANNEL_UNCHANGED);
	in.desired = -1;
	assert_int_equal(etsy_decide(&inv, 0, &in, &plan, &e), -1);
	in.desired = 1;
	assert_int_equal(etsy_decide(&inv, 3, &in, &plan, &e), -1);
	etsy_inventory_free(&inv);
}

static void
test_hostile(void **state)
{
	static const struct {
		const char	*json;
		const char	*names;		/* in the message */
		enum err_kind	 kind;
	} cases[] = {
		{ "{\"products\":[{\"sku\":\"A\",\"offerings\":[{\"quantity\":-1,"
		  "\"is_enabled\":true,\"price\":{\"amount\":1,\"divisor\":100}"
		  "}],\"property_values\":[]}]}",
		  "products[0].offerings[0].quantity", ERR_INVALID },
		{ "{\"products\":[{\"sku\":\"A\",\"offerings\":[{\"quantity\":1000,"
		  "\"is_enabled\":true,\"price\":{\"amount\":1,\"divisor\":100}"
		  "}]}]}", "products[0].offerings[0].quantity", ERR_INVALID },
		{ "{\"products\":[{\"sku\":\"A\",\"offerings\":[{\"quantity\":1e30,"
		  "\"is_enabled\":true,\"price\":{\"amount\":1,\"divisor\":100}"
		  "}]}]}", "products[0].offerings[0].quantity", ERR_INVALID },
		{ "{\"products\":[{\"sku\":\"A\",\"offerings\":[{\"quantity\":1,"
		  "\"is_enabled\":true,\"price\":\"28.00\"}]}]}",
		  "products[0].offerings[0].price", ERR_INVALID },
		{ "{\"products\":[{\"sku\":\"A\",\"offerings\":[{\"quantity\":1,"
		  "\"is_enabled\":true,\"price\":{\"amount\":1,\"divisor\":3}}]}]}",
		  "products[0].offerings[0].price.divisor", ERR_INVALID },
		{ "{\"products\":[{\"sku\":\"A\",\"offerings\":[{\"quantity\":1,"
		  "\"is_enabled\":\"yes\",\"price\":{\"amount\":1,\"divisor\":1}"
		  "}]}]}", "products[0].offerings[0].is_enabled", ERR_INVALID },
		{ "{\"products\":[{\"sku\":\"A\",\"offerings\":[{\"quantity\":1,"
		  "\"is_enabled\":true,\"price\":{\"amount\":1,\"divisor\":1},"
		  "\"readiness_state_id\":0}]}]}",
		  "products[0].offerings[0].readiness_state_id", ERR_INVALID },
		{ "{\"products\":[{\"sku\":\"A\",\"offerings\":[{\"quantity\":1,"
		  "\"is_enabled\":true,\"price\":{\"amount\":1,\"divisor\":1}}],"
		  "\"property_values\":[{\"property_id\":513,\"value_ids\":[1],"
		  "\"values\":[7]}]}]}",
		  "products[0].property_values[0].values[0]", ERR_INVALID },
		{ "{\"products\":[{\"sku\":\"A\",\"offerings\":[{\"quantity\":1,"
		  "\"is_enabled\":true,\"price\":{\"amount\":1,\"divisor\":1}}],"
		  "\"property_values\":[{\"property_id\":513,\"value_ids\":[-4],"
		  "\"values\":[\"x\"]}]}]}",
		  "products[0].property_values[0].value_ids[0]", ERR_INVALID },
		{ "{\"products\":[{\"sku\":\"A\",\"offerings\":[{\"quantity\":1,"
		  "\"is_enabled\":true,\"price\":{\"amount\":1,\"divisor\":1}}],"
		  "\"property_values\":[{\"value_ids\":[4],\"values\":[\"x\"]}]}"
		  "]}", "products[0].property_values[0].property_id",
		  ERR_INVALID },
		{ "{\"products\":[{\"sku\":7,\"offerings\":[]}]}",
		  "products[0].sku", ERR_INVALID },
		{ "{\"products\":[{\"sku\":\"A\",\"offerings\":[]}]}",
		  "products[0].offerings", ERR_INVALID },
		{ "{\"products\":[{\"sku\":\"A\"}]}", "products[0].offerings",
		  ERR_INVALID },
		{ "{\"products\":[]}", "products", ERR_INVALID },
		{ "{\"products\":{}}", "products", ERR_INVALID },
		{ "{}", "products", ERR_INVALID },
		{ "[1,2]", "(top)", ERR_INVALID },
		{ "{\"products\":[{\"sku\":\"A\",\"offerings\":[{\"quantity\":1,"
		  "\"is_enabled\":true,\"price\":{\"amount\":1,\"divisor\":1}}]}"
		  "],\"price_on_property\":[\"x\"]}", "price_on_property[0]",
		  ERR_INVALID },
		{ "{\"products\":[{\"sku\":\"A\",\"offerings\":[{\"quantity\":1,"
		  "\"is_enabled\":true,\"price\":{\"amount\":1,\"divisor\":1}}]}"
		  "],\"listing\":{\"state\":5}}", "listing.state", ERR_INVALID },
		{ "{\"products\":[],\"products\":[]}", "duplicate key",
		  ERR_INVALID },
		{ "{\"products\":[{\"sku\":\"A\",\"offerings\":[{\"quan",
		  "not JSON", ERR_RETRY },
		{ "", "not JSON", ERR_RETRY },
	};
	struct etsy_inventory	 inv;
	struct err		 e;
	size_t			 i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		err_clear(&e);
		if (etsy_inventory_parse(cases[i].json, strlen(cases[i].json),
		    &inv, &e) != -1)
			fail_msg("case %zu accepted", i);
		if (strstr(e.msg, cases[i].names) == NULL ||
		    e.kind != cases[i].kind)
			fail_msg("case %zu: %s (kind %d)", i, e.msg, e.kind);
		assert_null(inv.products);
	}
	assert_int_equal(etsy_inventory_parse(NULL, 0, &inv, &e), -1);
}

static void
test_deleted_dropped(void **state)
{
	static const char j[] = "{\"products\":["
	    "{\"product_id\":1,\"sku\":\"OLD\",\"is_deleted\":true,"
	    "\"offerings\":[]},"
	    "{\"product_id\":2,\"sku\":\"NEW\",\"is_deleted\":false,"
	    "\"offerings\":[{\"offering_id\":3,\"quantity\":0,\"is_enabled\":"
	    "true,\"is_deleted\":true,\"price\":{\"amount\":1,\"divisor\":1}},"
	    "{\"offering_id\":4,\"quantity\":2,\"is_enabled\":true,"
	    "\"is_deleted\":false,\"price\":{\"amount\":100,\"divisor\":100}}]"
	    ",\"property_values\":[]}]}";
	struct etsy_inventory	 inv;

	(void)state;
	load(j, &inv);
	assert_int_equal(inv.nproducts, 1);
	assert_string_equal(inv.products[0].sku, "NEW");
	assert_int_equal(inv.products[0].nofferings, 1);
	assert_int_equal(inv.products[0].offerings[0].quantity, 2);
	etsy_inventory_free(&inv);
}

static void
test_rate_and_errors(void **state)
{
	struct httpc_resp	 r;
	struct etsy_rate	 rate;
	char			 msg[128];
	static const char	 ebody[] = "{\"error\":\"One offering must "
				    "have quantity greater than 0\"}";
	static const char	 obody[] = "{\"error\":\"invalid_grant\","
				    "\"error_description\":\"refresh_token is "
				    "revoked\\n\"}";

	(void)state;
	memset(&r, 0, sizeof(r));
	r.status = 200;
	(void)snprintf(r.headers[0].name, sizeof(r.headers[0].name),
	    "x-limit-per-second");
	(void)snprintf(r.headers[0].value, sizeof(r.headers[0].value), "10");
	(void)snprintf(r.headers[1].name, sizeof(r.headers[1].name),
	    "x-remaining-this-secon");
	(void)snprintf(r.headers[1].value, sizeof(r.headers[1].value), "0");
	(void)snprintf(r.headers[2].name, sizeof(r.headers[2].name),
	    "x-remaining-today");
	(void)snprintf(r.headers[2].value, sizeof(r.headers[2].value), "9876");
	r.nheaders = 3;
	etsy_rate_read(&r, &rate);
	assert_int_equal(rate.limit_per_second, 10);
	assert_int_equal(rate.remaining_this_second, 0);
	assert_int_equal(rate.remaining_today, 9876);
	assert_int_equal(rate.limit_per_day, -1);
	(void)snprintf(r.headers[1].name, sizeof(r.headers[1].name),
	    "x-remaining-this-second");
	(void)snprintf(r.headers[1].value, sizeof(r.headers[1].value), "7");
	etsy_rate_read(&r, &rate);
	assert_int_equal(rate.remaining_this_second, 7);

	etsy_error_message(400, ebody, strlen(ebody), msg, sizeof(msg));
	assert_string_equal(msg, "One offering must have quantity greater "
	    "than 0");
	etsy_error_message(400, obody, strlen(obody), msg, sizeof(msg));
	assert_string_equal(msg, "invalid_grant: refresh_token is revoked ");
	etsy_error_message(502, "<html>", 6, msg, sizeof(msg));
	assert_string_equal(msg, "HTTP 502");
	etsy_error_message(500, NULL, 0, msg, sizeof(msg));
	assert_string_equal(msg, "HTTP 500");
}

/* A getListingsInventoryByListingIds answer: each listing's inventory
 * found by id, its state taken from the listing. */
static void
test_batch_find(void **state)
{
	static const char body[] = "{\"count\":3,\"results\":["
	    "{\"listing_id\":11,\"state\":\"sold_out\",\"inventory\":"
	    "{\"products\":[{\"product_id\":1,\"sku\":\"A\","
	    "\"property_values\":[],\"offerings\":[{\"offering_id\":2,"
	    "\"quantity\":0,\"is_enabled\":true,\"price\":{\"amount\":"
	    "2800,\"divisor\":100,\"currency_code\":\"USD\"}}]}],"
	    "\"price_on_property\":[],\"quantity_on_property\":[],"
	    "\"sku_on_property\":[]}},"
	    "{\"listing_id\":12,\"state\":\"active\",\"inventory\":null},"
	    "{\"listing_id\":13,\"state\":\"active\",\"inventory\":"
	    "{\"products\":[{\"sku\":7}]}}]}";
	struct etsy_inventory	 inv;
	struct err		 e;
	json_t			*root;

	(void)state;
	root = json_loads(body, 0, NULL);
	assert_non_null(root);
	assert_int_equal(etsy_batch_find(root, 11, &inv, &e), 1);
	assert_int_equal(inv.nproducts, 1);
	assert_string_equal(inv.products[0].sku, "A");
	assert_int_equal(inv.state, ETSY_STATE_SOLD_OUT);
	assert_int_equal(inv.listing_id, 11);
	etsy_inventory_free(&inv);
	/* no inventory record: not on the channel as mapped */
	assert_int_equal(etsy_batch_find(root, 12, &inv, &e), -1);
	assert_int_equal(e.kind, ERR_NOTFOUND);
	/* a malformed inventory is refused, naming the field */
	assert_int_equal(etsy_batch_find(root, 13, &inv, &e), -1);
	assert_int_equal(e.kind, ERR_INVALID);
	/* not in the answer */
	assert_int_equal(etsy_batch_find(root, 14, &inv, &e), 0);
	json_decref(root);
	root = json_loads("{\"count\":0}", 0, NULL);
	assert_int_equal(etsy_batch_find(root, 11, &inv, &e), -1);
	assert_int_equal(e.kind, ERR_INVALID);
	json_decref(root);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_three),
		cmocka_unit_test(test_parse_single),
		cmocka_unit_test(test_roundtrip),
		cmocka_unit_test(test_single_body),
		cmocka_unit_test(test_price),
		cmocka_unit_test(test_find),
		cmocka_unit_test(test_zero_disable),
		cmocka_unit_test(test_zero_last),
		cmocka_unit_test(test_zero_single),
		cmocka_unit_test(test_states),
		cmocka_unit_test(test_held),
		cmocka_unit_test(test_cap),
		cmocka_unit_test(test_hostile),
		cmocka_unit_test(test_deleted_dropped),
		cmocka_unit_test(test_rate_and_errors),
		cmocka_unit_test(test_batch_find),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
