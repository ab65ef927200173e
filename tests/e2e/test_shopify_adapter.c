/*
 * End-to-end tests of the Shopify adapter (lib/shopify.c) against the
 * Shopify sandbox through nginx, at $SANDBOX_SHOPIFY_URL, over real HTTP.
 * No database: accounts and listings are built by hand and
 * shopify_ops.push runs with ctx->db = NULL. Every test starts from
 * POST /_sandbox/reset + /_sandbox/demo (MUG-CERAMIC-01 available 3,
 * SCARF-WOOL-RED 5, ...) with no faults.
 *
 * The adapter was written from the documentation only, independently of
 * the sandbox; these tests are where the two meet.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

#include "../httpc.h"	/* the tests' client, not lib/httpc.h */
#include "channel.h"
#include "clock.h"
#include "err.h"
#include "shopify.h"
#include "sbx.h"
#include "str.h"

#define ENV	"SANDBOX_SHOPIFY_URL"
#define TOKEN	"shpat_sandbox_token"
#define LOC	"1"

/* --- helpers ---------------------------------------------------------- */

static long
ctl(const char *method, const char *path, const char *body)
{
	static const char *const h[] = { "Content-Type: application/json",
	    NULL };
	struct tresp	 r;
	long		 s;

	assert_int_equal(treq_env(ENV, method, path, h, body, &r), 0);
	s = r.status;
	tresp_free(&r);
	return s;
}

/* available of a SKU at the sandbox's one location, from its state. */
static int64_t
available(const char *sku)
{
	static const char *const h[] = { NULL };
	struct tresp	 r;
	json_t		*l;
	size_t		 i;
	int64_t		 a = -999;

	assert_int_equal(treq_env(ENV, "GET", "/_sandbox/state", h, NULL, &r),
	    0);
	assert_int_equal(r.status, 200);
	json_array_foreach(json_object_get(r.json, "levels"), i, l) {
		json_t *s = json_object_get(l, "sku");

		if (json_is_string(s) && strcmp(json_string_value(s), sku) == 0)
			a = json_integer_value(json_object_get(l,
			    "available"));
	}
	tresp_free(&r);
	return a;
}

/* Place a sandbox order; 1 when it was created (200 or 201). */
static int
order(const char *sku, int qty)
{
	char	 b[256];
	long	 s;

	assert_int_equal(str_fmt(b, sizeof(b), "{\"line_items\":[{\"sku\":"
	    "\"%s\",\"quantity\":%d}]}", sku, qty), 0);
	s = ctl("POST", "/_sandbox/orders", b);
	return s == 200 || s == 201;
}

static void
account(struct channel_account *a, const char *token)
{
	json_error_t	 je;
	char		 c[256];

	memset(a, 0, sizeof(*a));
	a->id = 1;
	a->type = CHANNEL_SHOPIFY;
	(void)str_copy(a->name, sizeof(a->name), "sandbox shop");
	(void)str_copy(a->base_url, sizeof(a->base_url), tenv(ENV));
	(void)str_copy(a->shop_ref, sizeof(a->shop_ref),
	    "sandbox-shop.myshopify.com");
	assert_int_equal(str_fmt(c, sizeof(c), "{\"access_token\":\"%s\","
	    "\"api_version\":\"2026-04\"}", token), 0);
	a->creds = json_loads(c, 0, &je);
	assert_non_null(a->creds);
}

/* The listing of a SKU, found through the adapter's own search. */
static void
listing(const struct channel_account *a, const char *sku,
    struct channel_listing *l)
{
	struct shopify_variant	 v[SHOPIFY_FIND_MAX];
	struct err		 e;
	size_t			 n = 0;

	memset(l, 0, sizeof(*l));
	if (shopify_find_variants(a, sku, v, SHOPIFY_FIND_MAX, &n, &e) != 0)
		fail_msg("find %s: %s", sku, e.msg);
	assert_int_equal(n, 1);
	l->id = 1;
	l->account_id = a->id;
	(void)str_copy(l->sku, sizeof(l->sku), sku);
	(void)str_fmt(l->ext_listing, sizeof(l->ext_listing), "%lld",
	    (long long)v[0].variant_id);
	(void)str_fmt(l->ext_variant, sizeof(l->ext_variant), "%lld",
	    (long long)v[0].inventory_item_id);
	(void)str_copy(l->ext_location, sizeof(l->ext_location), LOC);
	(void)str_copy(l->channel_sku, sizeof(l->channel_sku), sku);
}

static void
push(struct channel_account *a, const struct channel_listing *l,
    int64_t desired, const char *key, struct channel_result *r)
{
	struct channel_ctx	 ctx = { NULL, NULL, a, 0 };
	struct channel_push	 p;
	struct err		 e;

	p.desired = desired;
	p.idem_key = key;
	err_clear(&e);
	if (shopify_ops.push(&ctx, l, &p, r, &e) != 0)
		fail_msg("push: local failure: %s", e.msg);
	assert_null(strstr(r->detail, TOKEN));
}

static int
setup(void **state)
{
	(void)state;
	if (ctl("POST", "/_sandbox/reset", NULL) != 200 ||
	    ctl("DELETE", "/_sandbox/faults", NULL) != 200 ||
	    ctl("POST", "/_sandbox/demo", NULL) != 200)
		return -1;
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	(void)ctl("DELETE", "/_sandbox/faults", NULL);
	return 0;
}

/* --- tests -------------------------------------------------------------- */

static void
test_find_variant(void **state)
{
	struct channel_account	 a;
	struct shopify_variant	 v[SHOPIFY_FIND_MAX];
	struct err		 e;
	size_t			 n;

	(void)state;
	account(&a, TOKEN);
	assert_int_equal(shopify_find_variants(&a, "MUG-CERAMIC-01", v,
	    SHOPIFY_FIND_MAX, &n, &e), 0);
	assert_int_equal(n, 1);
	assert_string_equal(v[0].sku, "MUG-CERAMIC-01");
	assert_true(v[0].variant_id > 0);
	assert_true(v[0].inventory_item_id > 0);
	/* a prefix, another case, a hostile SKU: no exact match */
	assert_int_equal(shopify_find_variants(&a, "MUG-CERAMIC", v,
	    SHOPIFY_FIND_MAX, &n, &e), 0);
	assert_int_equal(n, 0);
	assert_int_equal(shopify_find_variants(&a, "mug-ceramic-01", v,
	    SHOPIFY_FIND_MAX, &n, &e), 0);
	assert_int_equal(n, 0);
	assert_int_equal(shopify_find_variants(&a, "X\" OR sku:*", v,
	    SHOPIFY_FIND_MAX, &n, &e), 0);
	assert_int_equal(n, 0);
	json_decref(a.creds);
}

static void
test_push_sets_then_unchanged(void **state)
{
	struct channel_account	 a;
	struct channel_listing	 l;
	struct channel_result	 r;

	(void)state;
	account(&a, TOKEN);
	listing(&a, "MUG-CERAMIC-01", &l);
	assert_int_equal(available("MUG-CERAMIC-01"), 3);

	push(&a, &l, 2, "e2e-set-1", &r);
	assert_int_equal(r.outcome, CHANNEL_WRITTEN);
	assert_int_equal(r.shown_before, 3);
	assert_int_equal(r.shown, 2);
	assert_int_equal(r.unseen_sales, 0);
	assert_int_equal(available("MUG-CERAMIC-01"), 2);

	/* the same value again: nothing written */
	l.has_last_pushed = 1;
	l.last_pushed = 2;
	push(&a, &l, 2, "e2e-set-2", &r);
	assert_int_equal(r.outcome, CHANNEL_UNCHANGED);
	assert_int_equal(r.shown, 2);
	assert_int_equal(available("MUG-CERAMIC-01"), 2);

	/* up again, and to zero */
	push(&a, &l, 7, "e2e-set-3", &r);
	assert_int_equal(r.outcome, CHANNEL_WRITTEN);
	assert_int_equal(available("MUG-CERAMIC-01"), 7);
	l.last_pushed = 7;
	push(&a, &l, 0, "e2e-set-4", &r);
	assert_int_equal(r.outcome, CHANNEL_WRITTEN);
	assert_int_equal(r.shown, 0);
	assert_int_equal(available("MUG-CERAMIC-01"), 0);
	json_decref(a.creds);
}

static void
test_unseen_sale_held(void **state)
{
	struct channel_account	 a;
	struct channel_listing	 l;
	struct channel_result	 r;

	(void)state;
	account(&a, TOKEN);
	listing(&a, "SCARF-WOOL-RED", &l);
	assert_int_equal(available("SCARF-WOOL-RED"), 5);
	/* the hub last pushed 5; a Shopify sale of 2 it has not seen yet */
	l.has_last_pushed = 1;
	l.last_pushed = 5;
	assert_true(order("SCARF-WOOL-RED", 2));
	assert_int_equal(available("SCARF-WOOL-RED"), 3);

	/* the hub still wants 5: the 2 sold units are not written back */
	push(&a, &l, 5, "e2e-held-1", &r);
	assert_int_equal(r.outcome, CHANNEL_HELD);
	assert_int_equal(r.unseen_sales, 2);
	assert_int_equal(r.shown_before, 3);
	assert_int_equal(r.shown, 3);
	assert_int_equal(available("SCARF-WOOL-RED"), 3);

	/* a restock of 1 in the hub (6): shown 6 - 2 = 4, written */
	push(&a, &l, 6, "e2e-held-2", &r);
	assert_int_equal(r.outcome, CHANNEL_HELD);
	assert_int_equal(r.unseen_sales, 2);
	assert_int_equal(r.shown, 4);
	assert_int_equal(available("SCARF-WOOL-RED"), 4);

	/* more unseen than the hub has: never below 0 */
	l.last_pushed = 4;
	assert_true(order("SCARF-WOOL-RED", 3));
	push(&a, &l, 2, "e2e-held-3", &r);
	assert_int_equal(r.outcome, CHANNEL_HELD);
	assert_int_equal(r.unseen_sales, 3);
	assert_int_equal(r.shown, 0);
	assert_int_equal(available("SCARF-WOOL-RED"), 0);
	json_decref(a.creds);
}

static void
test_key_reused_after_move(void **state)
{
	struct channel_account	 a;
	struct channel_listing	 l;
	struct channel_result	 r;

	(void)state;
	account(&a, TOKEN);
	listing(&a, "MUG-CERAMIC-01", &l);
	push(&a, &l, 1, "e2e-key-1", &r);
	assert_int_equal(r.outcome, CHANNEL_WRITTEN);
	/* a manual edit in the admin, then an engine retry of the same job
	 * (same key) that now has other parameters */
	assert_int_equal(ctl("POST", "/_sandbox/inventory",
	    "{\"sku\":\"MUG-CERAMIC-01\",\"available\":9}"), 200);
	push(&a, &l, 2, "e2e-key-1", &r);
	assert_int_equal(r.outcome, CHANNEL_WRITTEN);
	assert_int_equal(r.shown_before, 9);
	assert_int_equal(available("MUG-CERAMIC-01"), 2);
	json_decref(a.creds);
}

static void
test_fault_429(void **state)
{
	struct channel_account	 a;
	struct channel_listing	 l;
	struct channel_result	 r;

	(void)state;
	account(&a, TOKEN);
	listing(&a, "MUG-CERAMIC-01", &l);
	assert_int_equal(ctl("POST", "/_sandbox/faults", "{\"rules\":[{"
	    "\"path\":\"/admin/\",\"kind\":\"429\",\"retry_after\":7}]}"),
	    200);
	push(&a, &l, 1, "e2e-429", &r);
	assert_int_equal(r.outcome, CHANNEL_RETRY);
	assert_int_equal(r.retry_after_s, 7);
	assert_non_null(strstr(r.detail, "429"));
	assert_int_equal(ctl("DELETE", "/_sandbox/faults", NULL), 200);
	assert_int_equal(available("MUG-CERAMIC-01"), 3);
	/* the storm is over: the retry converges */
	push(&a, &l, 1, "e2e-429", &r);
	assert_int_equal(r.outcome, CHANNEL_WRITTEN);
	assert_int_equal(available("MUG-CERAMIC-01"), 1);
	json_decref(a.creds);
}

static void
test_fault_5xx(void **state)
{
	struct channel_account	 a;
	struct channel_listing	 l;
	struct channel_result	 r;

	(void)state;
	account(&a, TOKEN);
	listing(&a, "MUG-CERAMIC-01", &l);
	assert_int_equal(ctl("POST", "/_sandbox/faults", "{\"rules\":[{"
	    "\"path\":\"/admin/\",\"kind\":\"5xx\",\"status\":503}]}"), 200);
	push(&a, &l, 1, "e2e-5xx", &r);
	assert_int_equal(r.outcome, CHANNEL_RETRY);
	assert_non_null(strstr(r.detail, "503"));
	/* one 500 only: this push retries, the next one goes through */
	assert_int_equal(ctl("POST", "/_sandbox/faults", "{\"rules\":[{"
	    "\"path\":\"/admin/\",\"kind\":\"5xx\",\"rate\":1,\"times\":1}]}"),
	    200);
	push(&a, &l, 1, "e2e-5xx", &r);
	assert_int_equal(r.outcome, CHANNEL_RETRY);
	push(&a, &l, 1, "e2e-5xx", &r);
	assert_int_equal(r.outcome, CHANNEL_WRITTEN);
	assert_int_equal(available("MUG-CERAMIC-01"), 1);
	json_decref(a.creds);
}

static void
test_throttled(void **state)
{
	struct channel_account	 a;
	struct channel_listing	 l;
	struct channel_result	 r;

	(void)state;
	account(&a, TOKEN);
	listing(&a, "MUG-CERAMIC-01", &l);
	assert_int_equal(ctl("POST", "/_sandbox/config", "{\"throttle\":"
	    "{\"currently_available\":0}}"), 200);
	push(&a, &l, 1, "e2e-throttle", &r);
	assert_int_equal(r.outcome, CHANNEL_RETRY);
	assert_true(r.retry_after_s >= 1 && r.retry_after_s <= 60);
	assert_non_null(strstr(r.detail, "THROTTLED"));
	assert_int_equal(available("MUG-CERAMIC-01"), 3);
	json_decref(a.creds);
}

/*
 * A read (reconciliation's) waits out a throttled shop, unless waiting
 * would pass the caller's deadline: then it answers "retry" at once, so
 * a timer run ends within its budget.
 */
static void
test_read_deadline(void **state)
{
	struct channel_account	 a;
	struct channel_listing	 l;
	struct channel_ctx	 ctx = { NULL, NULL, NULL, 0 };
	struct err		 e;
	int64_t			 shown = -1, calls;
	const char		*route = "POST /admin/api/{}/graphql.json";

	(void)state;
	account(&a, TOKEN);
	listing(&a, "MUG-CERAMIC-01", &l);
	ctx.acct = &a;
	/* an empty bucket: the first call is THROTTLED */
	assert_int_equal(ctl("POST", "/_sandbox/config", "{\"throttle\":"
	    "{\"currently_available\":0}}"), 200);
	calls = sbx_route_count(SBX_SHOPIFY, route);
	ctx.deadline_ms = clock_now_ms() + 100;
	err_clear(&e);
	assert_int_equal(shopify_ops.read(&ctx, &l, &shown, &e), -1);
	assert_int_equal(e.kind, ERR_RETRY);
	assert_int_equal(sbx_route_count(SBX_SHOPIFY, route) - calls, 1);

	/* no deadline: the read waits for the bucket, then reads */
	assert_int_equal(ctl("POST", "/_sandbox/config", "{\"throttle\":"
	    "{\"currently_available\":0}}"), 200);
	calls = sbx_route_count(SBX_SHOPIFY, route);
	ctx.deadline_ms = 0;
	err_clear(&e);
	assert_int_equal(shopify_ops.read(&ctx, &l, &shown, &e), 0);
	assert_int_equal(shown, 3);
	assert_true(sbx_route_count(SBX_SHOPIFY, route) - calls >= 2);
	json_decref(a.creds);
}

static void
test_wrong_token(void **state)
{
	struct channel_account	 a;
	struct channel_listing	 l;
	struct channel_result	 r;
	struct shopify_variant	 v[1];
	struct err		 e;
	size_t			 n;

	(void)state;
	account(&a, TOKEN);
	listing(&a, "MUG-CERAMIC-01", &l);
	json_decref(a.creds);
	account(&a, "shpat_wrong_secret_value");
	push(&a, &l, 1, "e2e-token", &r);
	assert_int_equal(r.outcome, CHANNEL_FAILED);
	assert_non_null(strstr(r.detail, "401"));
	assert_null(strstr(r.detail, "shpat_wrong_secret_value"));
	assert_int_equal(shopify_find_variants(&a, "MUG-CERAMIC-01", v, 1, &n,
	    &e), -1);
	assert_int_equal(e.kind, ERR_AUTH);
	assert_null(strstr(e.msg, "shpat_wrong_secret_value"));
	assert_int_equal(available("MUG-CERAMIC-01"), 3);
	json_decref(a.creds);
}

static void
test_unknown_item(void **state)
{
	struct channel_account	 a;
	struct channel_listing	 l;
	struct channel_result	 r;

	(void)state;
	account(&a, TOKEN);
	listing(&a, "MUG-CERAMIC-01", &l);
	(void)str_copy(l.ext_variant, sizeof(l.ext_variant), "987654321");
	push(&a, &l, 1, "e2e-unknown", &r);
	assert_int_equal(r.outcome, CHANNEL_FAILED);
	assert_non_null(strstr(r.detail, "not found"));
	json_decref(a.creds);
}

static void
test_webhook_subscribe(void **state)
{
	struct channel_account	 a;
	struct err		 e;
	char			 id[SHOPIFY_GID_MAX];
	size_t			 i;

	(void)state;
	account(&a, TOKEN);
	for (i = 0; i < SHOPIFY_TOPIC__MAX; i++) {
		if (shopify_webhook_subscribe(&a, (enum shopify_topic)i,
		    "http://127.0.0.1:9/hooks/shopify", id, sizeof(id),
		    &e) != 0)
			fail_msg("subscribe %s: %s",
			    shopify_topic_enum((enum shopify_topic)i), e.msg);
		assert_non_null(strstr(id, "gid://shopify/WebhookSubscription/"));
	}
	json_decref(a.creds);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_find_variant, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_push_sets_then_unchanged,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_unseen_sale_held, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_key_reused_after_move,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_fault_429, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_fault_5xx, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_read_deadline, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_throttled, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_wrong_token, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_unknown_item, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_webhook_subscribe, setup,
		    teardown),
	};

	(void)tenv(ENV);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
