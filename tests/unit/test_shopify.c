/*
 * Unit tests for lib/shopify.c: GraphQL request builders (parsed back),
 * GraphQL answer parsing (userErrors, THROTTLED, cost), and the webhook
 * payload parsers on fixtures written from the documentation
 * (../shared/reference/channel-apis.md section 2), plus malformed and
 * hostile inputs. The push itself is exercised end to end against the
 * sandbox in tests/e2e/test_shopify_adapter.c; here only the paths that
 * need no server (bad configuration, no answer), and the compare-and-set
 * rounds against a scripted fake server (a forked loopback listener that
 * answers canned GraphQL replies in order and logs every request), since
 * a sale landing exactly between the read and the write cannot be timed
 * against the real sandbox.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/wait.h>

#include <cmocka.h>
#include <jansson.h>

#include "channel.h"
#include "err.h"
#include "shopify.h"
#include "str.h"

#define LEN(s)	strlen(s)
/* a parser on a string literal (adjacent literals joined) */
#define PARSE(fn, lit, out, e)	fn(lit, sizeof(lit) - 1, out, e)

/* Parse a built body back; fails the test when it is not JSON. */
static json_t *
parse_body(char *body)
{
	json_error_t	 je;
	json_t		*v;

	assert_non_null(body);
	v = json_loads(body, JSON_REJECT_DUPLICATES, &je);
	assert_non_null(v);
	assert_true(json_is_object(v));
	free(body);
	return v;
}

static const char *
jstr(const json_t *o, const char *path)
{
	json_t		*v = (json_t *)o;
	char		 key[64];
	const char	*p = path, *dot;

	while (v != NULL && *p != '\0') {
		dot = strchr(p, '.');
		(void)str_fmt(key, sizeof(key), "%.*s",
		    (int)(dot != NULL ? (size_t)(dot - p) : strlen(p)), p);
		v = json_object_get(v, key);
		p = dot != NULL ? dot + 1 : p + strlen(p);
	}
	assert_non_null(v);
	assert_true(json_is_string(v));
	return json_string_value(v);
}

/* ---- topics and ids ---- */

static void
test_topics(void **state)
{
	enum shopify_topic	 t;
	size_t			 i;

	(void)state;
	for (i = 0; i < SHOPIFY_TOPIC__MAX; i++) {
		assert_int_equal(shopify_topic_parse(
		    shopify_topic_header((enum shopify_topic)i), &t), 0);
		assert_int_equal(t, i);
	}
	assert_string_equal(shopify_topic_enum(SHOPIFY_TOPIC_REFUNDS_CREATE),
	    "REFUNDS_CREATE");
	assert_string_equal(shopify_topic_header(
	    SHOPIFY_TOPIC_INVENTORY_LEVELS_UPDATE), "inventory_levels/update");
	assert_int_equal(shopify_topic_parse("orders/paid", &t), -1);
	assert_int_equal(shopify_topic_parse(NULL, &t), -1);
	assert_null(shopify_topic_enum(SHOPIFY_TOPIC__MAX));
}

static void
test_gid(void **state)
{
	char		 g[SHOPIFY_GID_MAX];
	struct err	 e;
	int64_t		 id;

	(void)state;
	assert_int_equal(shopify_gid(g, sizeof(g), "InventoryItem", "123",
	    &e), 0);
	assert_string_equal(g, "gid://shopify/InventoryItem/123");
	assert_int_equal(shopify_gid_parse(g, "InventoryItem", &id), 0);
	assert_int_equal(id, 123);
	assert_int_equal(shopify_gid_parse(g, "Location", &id), -1);
	assert_int_equal(shopify_gid_parse("gid://shopify/InventoryItem/12?x",
	    "InventoryItem", &id), -1);
	assert_int_equal(shopify_gid_parse("gid://shopify/InventoryItemX/12",
	    "InventoryItem", &id), -1);
	assert_int_equal(shopify_gid_parse("gid://shopify/InventoryItem/",
	    "InventoryItem", &id), -1);
	assert_int_equal(shopify_gid(g, sizeof(g), "Location", "0", &e), -1);
	assert_int_equal(e.kind, ERR_INVALID);
	assert_int_equal(shopify_gid(g, sizeof(g), "Location", "-1", &e), -1);
	assert_int_equal(shopify_gid(g, sizeof(g), "Location", "12a", &e), -1);
	assert_int_equal(shopify_gid(g, sizeof(g), "Location", "", &e), -1);
	assert_int_equal(shopify_gid(g, sizeof(g), "Location",
	    "99999999999999999999", &e), -1);
	assert_int_equal(shopify_gid(g, sizeof(g), "Location", NULL, &e), -1);
	assert_int_equal(shopify_gid(g, 10, "Location", "1", &e), -1);
}

/* ---- builders ---- */

static void
test_sku_query(void **state)
{
	char		 q[64];
	struct err	 e;

	(void)state;
	assert_int_equal(shopify_sku_query("MUG-CERAMIC-01", q, sizeof(q),
	    &e), 0);
	assert_string_equal(q, "sku:\"MUG-CERAMIC-01\"");
	assert_int_equal(shopify_sku_query("A\"B\\C", q, sizeof(q), &e), 0);
	assert_string_equal(q, "sku:\"A\\\"B\\\\C\"");
	assert_int_equal(shopify_sku_query("with space:colon", q, sizeof(q),
	    &e), 0);
	assert_string_equal(q, "sku:\"with space:colon\"");
	assert_int_equal(shopify_sku_query("", q, sizeof(q), &e), -1);
	assert_int_equal(shopify_sku_query("a\nb", q, sizeof(q), &e), -1);
	assert_int_equal(shopify_sku_query("0123456789", q, 12, &e), -1);
	/* exactly fits: sku:"" + 3 + NUL = 10 */
	assert_int_equal(shopify_sku_query("abc", q, 10, &e), 0);
	assert_int_equal(shopify_sku_query("abcd", q, 10, &e), -1);
}

static void
test_build_find(void **state)
{
	const char	*hostile = "MUG \"X\" \\ ) OR sku:*";
	char		*b = NULL;
	json_t		*v;
	struct err	 e;
	const char	*q;

	(void)state;
	assert_int_equal(shopify_build_find_variants(hostile, &b, &e), 0);
	v = parse_body(b);
	q = jstr(v, "query");
	assert_non_null(strstr(q, "productVariants(first: 10, query: $q)"));
	assert_non_null(strstr(q, "nodes { id sku inventoryItem { id } }"));
	assert_non_null(strstr(q, "$q: String!"));
	assert_null(strstr(q, "MUG"));
	assert_string_equal(jstr(v, "variables.q"),
	    "sku:\"MUG \\\"X\\\" \\\\ ) OR sku:*\"");
	json_decref(v);

	assert_int_equal(shopify_build_find_variants("", &b, &e), -1);
	assert_null(b);
	assert_int_equal(shopify_build_find_variants("\xff\xfe", &b, &e), -1);
	assert_null(b);
}

static void
test_build_read_level(void **state)
{
	char		*b = NULL;
	json_t		*v;
	struct err	 e;
	const char	*q;

	(void)state;
	assert_int_equal(shopify_build_read_level("30322695", "1", &b, &e), 0);
	v = parse_body(b);
	q = jstr(v, "query");
	assert_non_null(strstr(q, "inventoryItem(id: $item)"));
	assert_non_null(strstr(q, "inventoryLevel(locationId: $location)"));
	assert_non_null(strstr(q,
	    "quantities(names: [\"available\"]) { name quantity }"));
	assert_null(strstr(q, "30322695"));
	assert_string_equal(jstr(v, "variables.item"),
	    "gid://shopify/InventoryItem/30322695");
	assert_string_equal(jstr(v, "variables.location"),
	    "gid://shopify/Location/1");
	json_decref(v);
	assert_int_equal(shopify_build_read_level("1 OR 1", "1", &b, &e), -1);
	assert_int_equal(e.kind, ERR_INVALID);
	assert_int_equal(shopify_build_read_level("1", "gid://x", &b, &e), -1);
}

static void
test_build_set(void **state)
{
	char		*b = NULL;
	json_t		*v, *in, *qs, *q0;
	struct err	 e;
	const char	*q, *m, *d;

	(void)state;
	assert_int_equal(shopify_build_set("44", "1", 5, 3,
	    "push-17-a b/c", &b, &e), 0);
	v = parse_body(b);
	q = jstr(v, "query");
	/* the directive sits on the mutation field, before its selection */
	m = strstr(q, "inventorySetQuantities(input: $input)");
	d = strstr(q, "@idempotent(key: $key)");
	assert_non_null(m);
	assert_non_null(d);
	assert_true(d > m);
	assert_true(strstr(q, "inventoryAdjustmentGroup { id }") > d);
	assert_non_null(strstr(q, "userErrors { code field message }"));
	assert_non_null(strstr(q, "$input: InventorySetQuantitiesInput!"));
	assert_non_null(strstr(q, "$key: String!"));
	assert_string_equal(jstr(v, "variables.key"), "push-17-a b/c");
	in = json_object_get(json_object_get(v, "variables"), "input");
	assert_non_null(in);
	assert_string_equal(jstr(in, "name"), "available");
	assert_string_equal(jstr(in, "reason"), "correction");
	assert_string_equal(jstr(in, "referenceDocumentUri"),
	    "gid://stockhub/Push/push-17-a%20b%2Fc");
	assert_null(json_object_get(in, "ignoreCompareQuantity"));
	qs = json_object_get(in, "quantities");
	assert_true(json_is_array(qs));
	assert_int_equal(json_array_size(qs), 1);
	q0 = json_array_get(qs, 0);
	assert_string_equal(jstr(q0, "inventoryItemId"),
	    "gid://shopify/InventoryItem/44");
	assert_string_equal(jstr(q0, "locationId"), "gid://shopify/Location/1");
	assert_true(json_is_integer(json_object_get(q0, "quantity")));
	assert_int_equal(json_integer_value(json_object_get(q0, "quantity")),
	    5);
	assert_true(json_is_integer(json_object_get(q0,
	    "changeFromQuantity")));
	assert_int_equal(json_integer_value(json_object_get(q0,
	    "changeFromQuantity")), 3);
	assert_null(json_object_get(q0, "compareQuantity"));
	json_decref(v);

	/* changeFromQuantity may be negative (oversold), quantity not */
	assert_int_equal(shopify_build_set("44", "1", 0, -2, "k", &b, &e), 0);
	free(b);
	assert_int_equal(shopify_build_set("44", "1", -1, 0, "k", &b, &e), -1);
	assert_int_equal(shopify_build_set("44", "1", SHOPIFY_QTY_MAX + 1, 0,
	    "k", &b, &e), -1);
	assert_int_equal(shopify_build_set("44", "1", 1, 0, "", &b, &e), -1);
	assert_int_equal(shopify_build_set("44", "1", 1, 0, "   ", &b, &e),
	    -1);
	assert_int_equal(shopify_build_set("44", "1", 1, 0, NULL, &b, &e), -1);
	assert_int_equal(shopify_build_set("44", "1", 1, 0, "a\tb", &b, &e),
	    -1);
	assert_int_equal(shopify_build_set("x", "1", 1, 0, "k", &b, &e), -1);
	assert_null(b);
}

static void
test_build_webhook(void **state)
{
	char		*b = NULL;
	json_t		*v;
	struct err	 e;
	const char	*q;

	(void)state;
	assert_int_equal(shopify_build_webhook_create(
	    SHOPIFY_TOPIC_ORDERS_CANCELLED,
	    "https://hub.example.com/hooks/shopify", &b, &e), 0);
	v = parse_body(b);
	q = jstr(v, "query");
	assert_non_null(strstr(q, "webhookSubscriptionCreate(topic: $topic, "
	    "webhookSubscription: $sub)"));
	assert_non_null(strstr(q, "$topic: WebhookSubscriptionTopic!"));
	assert_non_null(strstr(q, "$sub: WebhookSubscriptionInput!"));
	assert_null(strstr(q, "hub.example.com"));
	assert_string_equal(jstr(v, "variables.topic"), "ORDERS_CANCELLED");
	assert_string_equal(jstr(v, "variables.sub.uri"),
	    "https://hub.example.com/hooks/shopify");
	assert_string_equal(jstr(v, "variables.sub.format"), "JSON");
	json_decref(v);
	assert_int_equal(shopify_build_webhook_create(SHOPIFY_TOPIC__MAX,
	    "https://x", &b, &e), -1);
	assert_int_equal(shopify_build_webhook_create(
	    SHOPIFY_TOPIC_ORDERS_CREATE, "ftp://x", &b, &e), -1);
	assert_int_equal(shopify_build_webhook_create(
	    SHOPIFY_TOPIC_ORDERS_CREATE, "https://x/a b", &b, &e), -1);
	assert_null(b);
}

/* ---- GraphQL answers ---- */

#define COST_OK "\"extensions\":{\"cost\":{\"requestedQueryCost\":10," \
	"\"actualQueryCost\":10,\"throttleStatus\":{\"maximumAvailable\":" \
	"2000.0,\"currentlyAvailable\":1990,\"restoreRate\":100.0}}}"

static void
gql(const char *body, struct shopify_gql *g)
{
	struct err	 e;

	if (shopify_gql_parse(body, LEN(body), g, &e) != 0)
		fail_msg("gql parse: %s", e.msg);
}

static void
test_set_success(void **state)
{
	const char *body = "{\"data\":{\"inventorySetQuantities\":{"
	    "\"inventoryAdjustmentGroup\":{\"id\":"
	    "\"gid://shopify/InventoryAdjustmentGroup/77\"},"
	    "\"userErrors\":[]}}," COST_OK "}";
	struct shopify_gql		 g;
	struct shopify_set_result	 r;
	struct err			 e;

	(void)state;
	gql(body, &g);
	assert_int_equal(g.nerrors, 0);
	assert_false(g.throttled);
	assert_true(g.has_cost);
	assert_true(g.currently_available > 1989 &&
	    g.currently_available < 1991);
	assert_int_equal(shopify_throttle_wait_s(&g), 0);
	assert_int_equal(shopify_parse_set(&g, &r, &e), 0);
	assert_int_equal(r.status, SHOPIFY_SET_OK);
	assert_string_equal(r.group_id,
	    "gid://shopify/InventoryAdjustmentGroup/77");
	shopify_gql_free(&g);
	shopify_gql_free(&g);	/* twice is harmless */
	shopify_gql_free(NULL);
}

static void
test_set_user_errors(void **state)
{
	static const struct {
		const char		*code;
		enum shopify_set_status	 st;
	} cases[] = {
		{ "CHANGE_FROM_QUANTITY_STALE", SHOPIFY_SET_STALE },
		{ "COMPARE_QUANTITY_STALE", SHOPIFY_SET_STALE },
		{ "IDEMPOTENCY_KEY_PARAMETER_MISMATCH", SHOPIFY_SET_KEY_REUSED },
		{ "IDEMPOTENCY_PREVIOUS_ATTEMPT_FAILED", SHOPIFY_SET_KEY_REUSED },
		{ "IDEMPOTENCY_CONCURRENT_REQUEST", SHOPIFY_SET_BUSY },
		{ "ITEM_NOT_STOCKED_AT_LOCATION", SHOPIFY_SET_FAILED },
		{ "NON_MUTABLE_INVENTORY_ITEM", SHOPIFY_SET_FAILED },
	};
	struct shopify_gql		 g;
	struct shopify_set_result	 r;
	struct err			 e;
	char				 body[512];
	size_t				 i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		assert_int_equal(str_fmt(body, sizeof(body), "{\"data\":{"
		    "\"inventorySetQuantities\":{\"inventoryAdjustmentGroup\":"
		    "null,\"userErrors\":[{\"code\":\"%s\",\"field\":[\"input\","
		    "\"quantities\",\"0\",\"changeFromQuantity\"],\"message\":"
		    "\"msg %zu\"}]}}}", cases[i].code, i), 0);
		gql(body, &g);
		assert_int_equal(shopify_parse_set(&g, &r, &e), 0);
		assert_int_equal(r.status, cases[i].st);
		assert_string_equal(r.code, cases[i].code);
		assert_non_null(strstr(r.message, "msg"));
		shopify_gql_free(&g);
	}
	/* a stale error wins over an earlier other one */
	gql("{\"data\":{\"inventorySetQuantities\":{\"inventoryAdjustmentGroup\""
	    ":null,\"userErrors\":[{\"code\":\"INVALID_REASON\",\"field\":null,"
	    "\"message\":\"a\"},{\"code\":\"CHANGE_FROM_QUANTITY_STALE\","
	    "\"field\":null,\"message\":\"b\"}]}}}", &g);
	assert_int_equal(shopify_parse_set(&g, &r, &e), 0);
	assert_int_equal(r.status, SHOPIFY_SET_STALE);
	shopify_gql_free(&g);
	/* a null code is "other" */
	gql("{\"data\":{\"inventorySetQuantities\":{\"inventoryAdjustmentGroup\""
	    ":null,\"userErrors\":[{\"code\":null,\"field\":null,"
	    "\"message\":\"odd\"}]}}}", &g);
	assert_int_equal(shopify_parse_set(&g, &r, &e), 0);
	assert_int_equal(r.status, SHOPIFY_SET_FAILED);
	assert_string_equal(r.message, "odd");
	shopify_gql_free(&g);
	/* malformed payloads */
	gql("{\"data\":{\"inventorySetQuantities\":{\"userErrors\":{}}}}", &g);
	assert_int_equal(shopify_parse_set(&g, &r, &e), -1);
	assert_non_null(strstr(e.msg, "userErrors"));
	shopify_gql_free(&g);
	gql("{\"data\":{\"inventorySetQuantities\":null}}", &g);
	assert_int_equal(shopify_parse_set(&g, &r, &e), -1);
	assert_non_null(strstr(e.msg, "inventorySetQuantities"));
	shopify_gql_free(&g);
	gql("{\"data\":null,\"errors\":[{\"message\":\"x\"}]}", &g);
	assert_int_equal(shopify_parse_set(&g, &r, &e), -1);
	shopify_gql_free(&g);
}

static void
test_throttled(void **state)
{
	const char *body = "{\"errors\":[{\"message\":\"Throttled\","
	    "\"extensions\":{\"code\":\"THROTTLED\",\"documentation\":"
	    "\"https://shopify.dev/api/usage/rate-limits\"}}],"
	    "\"extensions\":{\"cost\":{\"requestedQueryCost\":100,"
	    "\"actualQueryCost\":null,\"throttleStatus\":{\"maximumAvailable\""
	    ":1000.0,\"currentlyAvailable\":20,\"restoreRate\":50.0}}}}";
	struct shopify_gql	 g;

	(void)state;
	gql(body, &g);
	assert_int_equal(g.nerrors, 1);
	assert_true(g.throttled);
	assert_string_equal(g.error_code, "THROTTLED");
	assert_string_equal(g.error_msg, "Throttled");
	assert_null(g.data);
	/* 80 points short at 50/s: 2 s */
	assert_int_equal(shopify_throttle_wait_s(&g), 2);
	g.restore_rate = 0.5;
	assert_int_equal(shopify_throttle_wait_s(&g), 60);
	g.has_cost = 0;
	assert_int_equal(shopify_throttle_wait_s(&g), 1);
	g.throttled = 0;
	assert_int_equal(shopify_throttle_wait_s(&g), 0);
	shopify_gql_free(&g);
	assert_int_equal(shopify_throttle_wait_s(NULL), 0);

	/* throttled without extensions at all */
	gql("{\"errors\":[{\"message\":\"Throttled\",\"extensions\":"
	    "{\"code\":\"THROTTLED\"}}]}", &g);
	assert_true(g.throttled);
	assert_int_equal(shopify_throttle_wait_s(&g), 1);
	shopify_gql_free(&g);

	/* REST-style error string (401 answers) */
	gql("{\"errors\":\"[API] Invalid API key or access token\"}", &g);
	assert_int_equal(g.nerrors, 1);
	assert_false(g.throttled);
	assert_non_null(strstr(g.error_msg, "Invalid API key"));
	shopify_gql_free(&g);
}

static void
test_gql_malformed(void **state)
{
	static const struct {
		const char	*body;
		const char	*needle;
	} cases[] = {
		{ "", "empty" },
		{ "{\"data\":", "invalid JSON" },
		{ "[1,2]", "not an object" },
		{ "{\"data\":[]}", "data" },
		{ "{\"data\":{},\"data\":{}}", "duplicate" },
		{ "{\"errors\":12}", "errors" },
		{ "{\"errors\":[12]}", "errors[0]" },
		{ "{\"data\":{},\"extensions\":{\"cost\":{\"throttleStatus\":"
		    "{\"maximumAvailable\":\"x\",\"currentlyAvailable\":1,"
		    "\"restoreRate\":1}}}}", "maximumAvailable" },
		{ "{\"data\":{},\"extensions\":{\"cost\":{\"throttleStatus\":"
		    "{\"maximumAvailable\":1,\"currentlyAvailable\":1}}}}",
		    "restoreRate" },
	};
	struct shopify_gql	 g;
	struct err		 e;
	size_t			 i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		err_clear(&e);
		assert_int_equal(shopify_gql_parse(cases[i].body,
		    LEN(cases[i].body), &g, &e), -1);
		assert_int_equal(e.kind, ERR_INVALID);
		if (strstr(e.msg, cases[i].needle) == NULL)
			fail_msg("case %zu: \"%s\" lacks \"%s\"", i, e.msg,
			    cases[i].needle);
		assert_null(g.root);
		shopify_gql_free(&g);
	}
}

static void
test_parse_level(void **state)
{
	struct shopify_gql	 g;
	struct err		 e;
	int64_t			 a = -99;

	(void)state;
	gql("{\"data\":{\"inventoryItem\":{\"id\":\"gid://shopify/"
	    "InventoryItem/44\",\"inventoryLevel\":{\"quantities\":["
	    "{\"name\":\"on_hand\",\"quantity\":9},{\"name\":\"available\","
	    "\"quantity\":7}]}}}," COST_OK "}", &g);
	assert_int_equal(shopify_parse_level(&g, &a, &e), 0);
	assert_int_equal(a, 7);
	shopify_gql_free(&g);

	gql("{\"data\":{\"inventoryItem\":{\"inventoryLevel\":{\"quantities\""
	    ":[{\"name\":\"available\",\"quantity\":-3}]}}}}", &g);
	assert_int_equal(shopify_parse_level(&g, &a, &e), 0);
	assert_int_equal(a, -3);
	shopify_gql_free(&g);

	gql("{\"data\":{\"inventoryItem\":null}}", &g);
	assert_int_equal(shopify_parse_level(&g, &a, &e), -1);
	assert_int_equal(e.kind, ERR_NOTFOUND);
	shopify_gql_free(&g);

	gql("{\"data\":{\"inventoryItem\":{\"inventoryLevel\":null}}}", &g);
	assert_int_equal(shopify_parse_level(&g, &a, &e), -1);
	assert_int_equal(e.kind, ERR_NOTFOUND);
	assert_non_null(strstr(e.msg, "location"));
	shopify_gql_free(&g);

	gql("{\"data\":{\"inventoryItem\":{\"inventoryLevel\":{\"quantities\""
	    ":[{\"name\":\"on_hand\",\"quantity\":9}]}}}}", &g);
	assert_int_equal(shopify_parse_level(&g, &a, &e), -1);
	assert_int_equal(e.kind, ERR_INVALID);
	assert_non_null(strstr(e.msg, "available"));
	shopify_gql_free(&g);

	gql("{\"data\":{\"inventoryItem\":{\"inventoryLevel\":{\"quantities\""
	    ":[{\"name\":\"available\",\"quantity\":\"7\"}]}}}}", &g);
	assert_int_equal(shopify_parse_level(&g, &a, &e), -1);
	assert_non_null(strstr(e.msg, "quantities[0].quantity"));
	shopify_gql_free(&g);

	gql("{\"data\":{}}", &g);
	assert_int_equal(shopify_parse_level(&g, &a, &e), -1);
	assert_non_null(strstr(e.msg, "inventoryItem"));
	shopify_gql_free(&g);
}

static void
test_parse_variants(void **state)
{
	const char *body = "{\"data\":{\"productVariants\":{\"nodes\":["
	    "{\"id\":\"gid://shopify/ProductVariant/11\",\"sku\":"
	    "\"MUG-CERAMIC-01-XL\",\"inventoryItem\":{\"id\":"
	    "\"gid://shopify/InventoryItem/21\"}},"
	    "{\"id\":\"gid://shopify/ProductVariant/12\",\"sku\":"
	    "\"MUG-CERAMIC-01\",\"inventoryItem\":{\"id\":"
	    "\"gid://shopify/InventoryItem/22\"}},"
	    "{\"id\":\"gid://shopify/ProductVariant/13\",\"sku\":"
	    "\"mug-ceramic-01\",\"inventoryItem\":{\"id\":"
	    "\"gid://shopify/InventoryItem/23\"}},"
	    "{\"id\":\"gid://shopify/ProductVariant/14\",\"sku\":null,"
	    "\"inventoryItem\":{\"id\":\"gid://shopify/InventoryItem/24\"}}"
	    "]}}}";
	struct shopify_gql	 g;
	struct shopify_variant	 v[4];
	struct err		 e;
	size_t			 n;

	(void)state;
	gql(body, &g);
	assert_int_equal(shopify_parse_variants(&g, "MUG-CERAMIC-01", v, 4,
	    &n, &e), 0);
	assert_int_equal(n, 1);
	assert_int_equal(v[0].variant_id, 12);
	assert_int_equal(v[0].inventory_item_id, 22);
	assert_string_equal(v[0].sku, "MUG-CERAMIC-01");
	assert_int_equal(shopify_parse_variants(&g, "NOPE", v, 4, &n, &e), 0);
	assert_int_equal(n, 0);
	shopify_gql_free(&g);

	gql("{\"data\":{\"productVariants\":{\"nodes\":[{\"id\":"
	    "\"gid://shopify/Product/12\",\"sku\":\"A\",\"inventoryItem\":"
	    "{\"id\":\"gid://shopify/InventoryItem/22\"}}]}}}", &g);
	assert_int_equal(shopify_parse_variants(&g, "A", v, 4, &n, &e), -1);
	assert_non_null(strstr(e.msg, "nodes[0].id"));
	shopify_gql_free(&g);

	gql("{\"data\":{\"productVariants\":{\"nodes\":[{\"id\":"
	    "\"gid://shopify/ProductVariant/12\",\"sku\":5,\"inventoryItem\":"
	    "{\"id\":\"gid://shopify/InventoryItem/22\"}}]}}}", &g);
	assert_int_equal(shopify_parse_variants(&g, "A", v, 4, &n, &e), -1);
	assert_non_null(strstr(e.msg, "nodes[0].sku"));
	shopify_gql_free(&g);

	gql("{\"data\":{\"productVariants\":{\"edges\":[]}}}", &g);
	assert_int_equal(shopify_parse_variants(&g, "A", v, 4, &n, &e), -1);
	assert_non_null(strstr(e.msg, "nodes"));
	shopify_gql_free(&g);
}

static void
test_parse_webhook_create(void **state)
{
	struct shopify_gql	 g;
	struct err		 e;
	char			 id[SHOPIFY_GID_MAX];

	(void)state;
	gql("{\"data\":{\"webhookSubscriptionCreate\":{\"webhookSubscription\":"
	    "{\"id\":\"gid://shopify/WebhookSubscription/9\",\"topic\":"
	    "\"ORDERS_CREATE\",\"uri\":\"https://h/hooks/shopify\"},"
	    "\"userErrors\":[]}}}", &g);
	assert_int_equal(shopify_parse_webhook_create(&g, id, sizeof(id), &e),
	    0);
	assert_string_equal(id, "gid://shopify/WebhookSubscription/9");
	shopify_gql_free(&g);
	gql("{\"data\":{\"webhookSubscriptionCreate\":{\"webhookSubscription\":"
	    "null,\"userErrors\":[{\"field\":[\"webhookSubscription\",\"uri\"],"
	    "\"message\":\"Address for this topic has already been taken\"}]}}}",
	    &g);
	assert_int_equal(shopify_parse_webhook_create(&g, id, sizeof(id), &e),
	    -1);
	assert_int_equal(e.kind, ERR_CONFLICT);
	assert_non_null(strstr(e.msg, "already been taken"));
	shopify_gql_free(&g);
}

/* ---- webhook payloads ---- */

/* orders/create, REST shape; the second line item is a custom item. */
static const char ORDER[] =
    "{\"id\":820982911946154508,\"admin_graphql_api_id\":"
    "\"gid://shopify/Order/820982911946154508\",\"name\":\"#9999\","
    "\"email\":\"jon@example.com\",\"created_at\":\"2026-11-28T02:14:00-05:00\","
    "\"updated_at\":\"2026-11-28T02:14:01-05:00\",\"cancelled_at\":null,"
    "\"cancel_reason\":null,\"financial_status\":\"paid\","
    "\"currency\":\"USD\",\"total_price\":\"41.00\","
    "\"line_items\":["
    "{\"id\":866550311766439020,\"admin_graphql_api_id\":"
    "\"gid://shopify/LineItem/866550311766439020\",\"variant_id\":"
    "808950810,\"product_id\":632910392,\"sku\":\"MUG-CERAMIC-01\","
    "\"title\":\"Handmade ceramic mug\",\"variant_title\":null,"
    "\"quantity\":1,\"current_quantity\":1,\"fulfillable_quantity\":1,"
    "\"price\":\"24.00\",\"requires_shipping\":true,\"properties\":[]},"
    "{\"id\":141249953214522974,\"variant_id\":null,\"product_id\":null,"
    "\"sku\":null,\"title\":\"Gift wrapping\",\"variant_title\":null,"
    "\"quantity\":2,\"price\":\"8.50\"}"
    "],\"shipping_lines\":[],\"refunds\":[]}";

static void
test_order(void **state)
{
	struct shopify_order	 o;
	struct err		 e;

	(void)state;
	assert_int_equal(shopify_parse_order(ORDER, LEN(ORDER), &o, &e), 0);
	assert_int_equal(o.id, INT64_C(820982911946154508));
	assert_string_equal(o.updated_at, "2026-11-28T02:14:01-05:00");
	assert_string_equal(o.cancelled_at, "");
	assert_int_equal(o.nitems, 2);
	assert_int_equal(o.items[0].id, INT64_C(866550311766439020));
	assert_int_equal(o.items[0].variant_id, 808950810);
	assert_int_equal(o.items[0].product_id, 632910392);
	assert_int_equal(o.items[0].quantity, 1);
	assert_string_equal(o.items[0].sku, "MUG-CERAMIC-01");
	assert_string_equal(o.items[0].title, "Handmade ceramic mug");
	assert_string_equal(o.items[0].variant_title, "");
	assert_int_equal(o.items[1].variant_id, 0);
	assert_int_equal(o.items[1].product_id, 0);
	assert_string_equal(o.items[1].sku, "");
	assert_int_equal(o.items[1].quantity, 2);
	shopify_order_free(&o);
	shopify_order_free(&o);
	shopify_order_free(NULL);
}

static void
test_order_cancelled(void **state)
{
	static const char body[] =
	    "{\"id\":450789469,\"updated_at\":\"2026-11-28T09:00:00Z\","
	    "\"cancelled_at\":\"2026-11-28T08:59:58Z\",\"cancel_reason\":"
	    "\"customer\",\"line_items\":[{\"id\":466157049,\"variant_id\":"
	    "39072856,\"sku\":\"SCARF-WOOL-RED\",\"quantity\":1,\"product_id\":"
	    "632910392,\"title\":\"Wool scarf\",\"variant_title\":\"red\"}]}";
	struct shopify_order	 o;
	struct err		 e;

	(void)state;
	assert_int_equal(shopify_parse_order(body, LEN(body), &o, &e), 0);
	assert_string_equal(o.cancelled_at, "2026-11-28T08:59:58Z");
	assert_int_equal(o.nitems, 1);
	assert_string_equal(o.items[0].variant_title, "red");
	shopify_order_free(&o);

	/* no line items at all is an order we can read */
	assert_int_equal(PARSE(shopify_parse_order, "{\"id\":1,\"updated_at\":"
	    "\"2026-01-01T00:00:00Z\",\"line_items\":[]}", &o, &e), 0);
	assert_int_equal(o.nitems, 0);
	assert_null(o.items);
	shopify_order_free(&o);
}

static void
test_order_malformed(void **state)
{
	static const struct {
		const char	*body;
		const char	*needle;
	} cases[] = {
		{ "", "empty" },
		{ "[]", "not a JSON object" },
		{ "{\"id\":1,\"updated_at\":\"2026-01-01T00:00:00Z\","
		    "\"line_items\":[", "invalid JSON" },
		{ "{\"updated_at\":\"2026-01-01T00:00:00Z\",\"line_items\":[]}",
		    "id: missing" },
		{ "{\"id\":\"1\",\"updated_at\":\"2026-01-01T00:00:00Z\","
		    "\"line_items\":[]}", "id: not an integer" },
		{ "{\"id\":1.5,\"updated_at\":\"2026-01-01T00:00:00Z\","
		    "\"line_items\":[]}", "id: not an integer" },
		{ "{\"id\":0,\"updated_at\":\"2026-01-01T00:00:00Z\","
		    "\"line_items\":[]}", "id: out of range" },
		{ "{\"id\":-7,\"updated_at\":\"2026-01-01T00:00:00Z\","
		    "\"line_items\":[]}", "id: out of range" },
		{ "{\"id\":null,\"updated_at\":\"2026-01-01T00:00:00Z\","
		    "\"line_items\":[]}", "id: null" },
		{ "{\"id\":1,\"id\":2,\"updated_at\":\"2026-01-01T00:00:00Z\","
		    "\"line_items\":[]}", "duplicate object key" },
		/* beyond int64: jansson refuses it while reading */
		{ "{\"id\":123456789012345678901234567890,\"updated_at\":"
		    "\"2026-01-01T00:00:00Z\",\"line_items\":[]}",
		    "too big integer" },
		{ "{\"id\":1,\"updated_at\":\"yesterday\",\"line_items\":[]}",
		    "updated_at: not an ISO 8601" },
		{ "{\"id\":1,\"updated_at\":5,\"line_items\":[]}",
		    "updated_at: not a string" },
		{ "{\"id\":1,\"updated_at\":\"2026-01-01T00:00:00Z\","
		    "\"cancelled_at\":true,\"line_items\":[]}",
		    "cancelled_at: not a string" },
		{ "{\"id\":1,\"updated_at\":\"2026-01-01T00:00:00Z\"}",
		    "line_items: missing" },
		{ "{\"id\":1,\"updated_at\":\"2026-01-01T00:00:00Z\","
		    "\"line_items\":{}}", "line_items: not an array" },
		{ "{\"id\":1,\"updated_at\":\"2026-01-01T00:00:00Z\","
		    "\"line_items\":[{\"id\":2,\"quantity\":1},3]}",
		    "line_items[1]: not an object" },
		{ "{\"id\":1,\"updated_at\":\"2026-01-01T00:00:00Z\","
		    "\"line_items\":[{\"id\":2,\"quantity\":1},{\"id\":3}]}",
		    "line_items[1].quantity: missing" },
		{ "{\"id\":1,\"updated_at\":\"2026-01-01T00:00:00Z\","
		    "\"line_items\":[{\"id\":2,\"quantity\":9000000000000}]}",
		    "line_items[0].quantity: out of range" },
		{ "{\"id\":1,\"updated_at\":\"2026-01-01T00:00:00Z\","
		    "\"line_items\":[{\"id\":2,\"quantity\":-1}]}",
		    "line_items[0].quantity: out of range" },
		{ "{\"id\":1,\"updated_at\":\"2026-01-01T00:00:00Z\","
		    "\"line_items\":[{\"id\":2,\"quantity\":1,\"sku\":12}]}",
		    "line_items[0].sku: not a string" },
		{ "{\"id\":1,\"updated_at\":\"2026-01-01T00:00:00Z\","
		    "\"line_items\":[{\"id\":2,\"quantity\":1,\"sku\":"
		    "\"A\\u0000B\"}]}", "\\u0000 is not allowed" },
		{ "{\"id\":1,\"updated_at\":\"2026-01-01T00:00:00Z\","
		    "\"line_items\":[{\"id\":2,\"quantity\":1,\"variant_id\":"
		    "\"808950810\"}]}", "line_items[0].variant_id: not an "
		    "integer" },
		{ "{\"id\":1,\"updated_at\":\"2026-01-01T00:00:00Z\","
		    "\"line_items\":[{\"id\":2,\"quantity\":1,\"variant_id\":1,"
		    "\"variant_id\":2}]}", "duplicate object key" },
	};
	struct shopify_order	 o;
	struct err		 e;
	size_t			 i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		err_clear(&e);
		assert_int_equal(shopify_parse_order(cases[i].body,
		    LEN(cases[i].body), &o, &e), -1);
		assert_int_equal(e.kind, ERR_INVALID);
		if (strstr(e.msg, cases[i].needle) == NULL)
			fail_msg("case %zu: \"%s\" lacks \"%s\"", i, e.msg,
			    cases[i].needle);
		assert_null(o.items);
		shopify_order_free(&o);
	}
	assert_int_equal(shopify_parse_order(NULL, 0, &o, &e), -1);
}

static void
test_order_long_fields(void **state)
{
	char			 body[4096], sku[400], title[700];
	struct shopify_order	 o;
	struct err		 e;
	size_t			 i;

	(void)state;
	/* a 300-byte SKU is refused, never cut (it would match another) */
	memset(sku, 'A', 300);
	sku[300] = '\0';
	assert_int_equal(str_fmt(body, sizeof(body), "{\"id\":1,\"updated_at\""
	    ":\"2026-01-01T00:00:00Z\",\"line_items\":[{\"id\":2,\"quantity\":"
	    "1,\"sku\":\"%s\"}]}", sku), 0);
	assert_int_equal(shopify_parse_order(body, strlen(body), &o, &e), -1);
	assert_non_null(strstr(e.msg, "line_items[0].sku: longer than"));
	/* a long title is cut on a code point boundary */
	for (i = 0; i + 2 < 600; i += 2) {
		title[i] = '\xc3';
		title[i + 1] = '\xa9';	/* é */
	}
	title[i] = '\0';
	assert_int_equal(str_fmt(body, sizeof(body), "{\"id\":1,\"updated_at\""
	    ":\"2026-01-01T00:00:00Z\",\"line_items\":[{\"id\":2,\"quantity\":"
	    "1,\"title\":\"x%s\"}]}", title), 0);
	assert_int_equal(shopify_parse_order(body, strlen(body), &o, &e), 0);
	assert_true(strlen(o.items[0].title) <= SHOPIFY_TEXT_MAX - 1);
	assert_true(strlen(o.items[0].title) >= SHOPIFY_TEXT_MAX - 2);
	assert_true(str_utf8_valid(o.items[0].title,
	    strlen(o.items[0].title)));
	shopify_order_free(&o);
}

/* refunds/create with one line per restock_type. */
static const char REFUND[] =
    "{\"id\":929361464,\"order_id\":450789469,\"created_at\":"
    "\"2026-11-28T10:00:00-05:00\",\"note\":\"it broke\",\"restock\":true,"
    "\"admin_graphql_api_id\":\"gid://shopify/Refund/929361464\","
    "\"refund_line_items\":["
    "{\"id\":1,\"line_item_id\":466157049,\"quantity\":1,\"restock_type\":"
    "\"no_restock\",\"location_id\":null,\"subtotal\":\"0.00\","
    "\"total_tax\":\"0.00\",\"line_item\":{\"id\":466157049,"
    "\"variant_id\":39072856,\"sku\":\"SCARF-WOOL-RED\",\"quantity\":1}},"
    "{\"id\":2,\"line_item_id\":466157050,\"quantity\":2,\"restock_type\":"
    "\"cancel\",\"location_id\":24826418,\"line_item\":{\"variant_id\":"
    "808950810,\"sku\":\"MUG-CERAMIC-01\"}},"
    "{\"id\":3,\"line_item_id\":466157051,\"quantity\":1,\"restock_type\":"
    "\"return\",\"location_id\":24826418,\"line_item\":{\"variant_id\":"
    "null,\"sku\":null}},"
    "{\"id\":4,\"line_item_id\":466157052,\"quantity\":1,\"restock_type\":"
    "\"legacy_restock\",\"location_id\":24826418}"
    "],\"transactions\":[]}";

/* A REST fulfillment as fulfillments/create delivers it. */
static const char FULFILLMENT[] =
    "{\"id\":255858046,\"order_id\":450789469,\"status\":\"success\","
    "\"created_at\":\"2026-11-28T10:00:00-05:00\",\"tracking_number\":null,"
    "\"line_items\":[{\"id\":466157049,\"variant_id\":39072856,"
    "\"product_id\":632910392,\"quantity\":1,\"sku\":\"MUG-CERAMIC-01\","
    "\"title\":\"Mug\",\"variant_title\":null}]}";

static void
test_fulfillment(void **state)
{
	struct shopify_fulfillment	 f;
	struct err			 e;
	static const char *const bad[] = {
		"{\"order_id\":1,\"status\":\"success\",\"line_items\":[]}",
		"{\"id\":1,\"order_id\":1,\"line_items\":[]}",
		"{\"id\":1,\"order_id\":1,\"status\":\"success\"}",
		"{\"id\":1,\"order_id\":1,\"status\":\"success\","
		    "\"line_items\":[{\"id\":2,\"quantity\":-1}]}",
		"{\"id\":1,\"id\":2,\"order_id\":1,\"status\":\"success\","
		    "\"line_items\":[]}",
		"{\"id\":1,\"order_id\":1,\"status\":7,\"line_items\":[]}",
	};
	size_t				 i;

	(void)state;
	assert_int_equal(shopify_parse_fulfillment(FULFILLMENT,
	    LEN(FULFILLMENT), &f, &e), 0);
	assert_int_equal(f.id, 255858046);
	assert_int_equal(f.order_id, 450789469);
	assert_string_equal(f.status, "success");
	assert_int_equal(f.nitems, 1);
	assert_int_equal(f.items[0].id, 466157049);
	assert_int_equal(f.items[0].quantity, 1);
	assert_string_equal(f.items[0].sku, "MUG-CERAMIC-01");
	shopify_fulfillment_free(&f);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(shopify_parse_fulfillment(bad[i],
		    strlen(bad[i]), &f, &e), -1);
		assert_int_equal(e.kind, ERR_INVALID);
		assert_null(f.items);
	}
	/* the topic is one we subscribe to and take */
	{
		enum shopify_topic t;

		assert_int_equal(shopify_topic_parse("fulfillments/create",
		    &t), 0);
		assert_int_equal(t, SHOPIFY_TOPIC_FULFILLMENTS_CREATE);
	}
}

static void
test_refund(void **state)
{
	struct shopify_refund	 r;
	struct err		 e;

	(void)state;
	assert_int_equal(shopify_parse_refund(REFUND, LEN(REFUND), &r, &e), 0);
	assert_int_equal(r.id, 929361464);
	assert_int_equal(r.order_id, 450789469);
	assert_string_equal(r.created_at, "2026-11-28T10:00:00-05:00");
	assert_int_equal(r.nlines, 4);
	assert_int_equal(r.lines[0].restock, SHOPIFY_RESTOCK_NO);
	assert_int_equal(r.lines[0].location_id, 0);
	assert_int_equal(r.lines[0].variant_id, 39072856);
	assert_string_equal(r.lines[0].sku, "SCARF-WOOL-RED");
	assert_int_equal(r.lines[1].restock, SHOPIFY_RESTOCK_CANCEL);
	assert_int_equal(r.lines[1].quantity, 2);
	assert_int_equal(r.lines[1].location_id, 24826418);
	assert_int_equal(r.lines[1].line_item_id, 466157050);
	assert_int_equal(r.lines[2].restock, SHOPIFY_RESTOCK_RETURN);
	assert_int_equal(r.lines[2].variant_id, 0);
	assert_string_equal(r.lines[2].sku, "");
	assert_int_equal(r.lines[3].restock, SHOPIFY_RESTOCK_LEGACY);
	assert_string_equal(shopify_restock_name(r.lines[3].restock),
	    "legacy_restock");
	shopify_refund_free(&r);
	shopify_refund_free(NULL);
}

static void
test_refund_malformed(void **state)
{
	static const struct {
		const char	*body;
		const char	*needle;
	} cases[] = {
		{ "{\"id\":1,\"created_at\":\"2026-01-01T00:00:00Z\","
		    "\"refund_line_items\":[]}", "order_id: missing" },
		{ "{\"id\":1,\"order_id\":2,\"refund_line_items\":[]}",
		    "created_at: missing" },
		{ "{\"id\":1,\"order_id\":2,\"created_at\":"
		    "\"2026-01-01T00:00:00Z\"}", "refund_line_items: missing" },
		{ "{\"id\":1,\"order_id\":2,\"created_at\":"
		    "\"2026-01-01T00:00:00Z\",\"refund_line_items\":[{\"id\":3,"
		    "\"line_item_id\":4,\"quantity\":1,\"restock_type\":"
		    "\"RETURN\",\"location_id\":5}]}",
		    "refund_line_items[0].restock_type: unknown" },
		{ "{\"id\":1,\"order_id\":2,\"created_at\":"
		    "\"2026-01-01T00:00:00Z\",\"refund_line_items\":[{\"id\":3,"
		    "\"line_item_id\":4,\"quantity\":1,\"restock_type\":"
		    "\"return\",\"location_id\":null}]}",
		    "refund_line_items[0].location_id: required" },
		{ "{\"id\":1,\"order_id\":2,\"created_at\":"
		    "\"2026-01-01T00:00:00Z\",\"refund_line_items\":[{\"id\":3,"
		    "\"line_item_id\":4,\"quantity\":1,\"location_id\":5}]}",
		    "refund_line_items[0].restock_type: missing" },
		{ "{\"id\":1,\"order_id\":2,\"created_at\":"
		    "\"2026-01-01T00:00:00Z\",\"refund_line_items\":[{\"id\":3,"
		    "\"line_item_id\":\"4\",\"quantity\":1,\"restock_type\":"
		    "\"no_restock\"}]}",
		    "refund_line_items[0].line_item_id: not an integer" },
		{ "{\"id\":1,\"order_id\":2,\"created_at\":"
		    "\"2026-01-01T00:00:00Z\",\"refund_line_items\":[{\"id\":3,"
		    "\"line_item_id\":4,\"quantity\":1,\"restock_type\":"
		    "\"no_restock\",\"line_item\":[]}]}",
		    "refund_line_items[0].line_item: not an object" },
		{ "{\"id\":1,\"order_id\":2,\"created_at\":"
		    "\"2026-01-01T00:00:00Z\",\"refund_line_items\":[{\"id\":3,"
		    "\"line_item_id\":4,\"quantity\":1,\"restock_type\":"
		    "\"no_restock\",\"line_item\":{\"variant_id\":true}}]}",
		    "refund_line_items[0].line_item.variant_id: not an integer" },
	};
	struct shopify_refund	 r;
	struct err		 e;
	size_t			 i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		err_clear(&e);
		assert_int_equal(shopify_parse_refund(cases[i].body,
		    LEN(cases[i].body), &r, &e), -1);
		if (strstr(e.msg, cases[i].needle) == NULL)
			fail_msg("case %zu: \"%s\" lacks \"%s\"", i, e.msg,
			    cases[i].needle);
		assert_null(r.lines);
		shopify_refund_free(&r);
	}
}

static void
test_level_update(void **state)
{
	static const char ok[] = "{\"inventory_item_id\":271878346596884015,"
	    "\"location_id\":24826418,\"available\":null,\"updated_at\":"
	    "\"2026-11-28T02:14:01-05:00\",\"admin_graphql_api_id\":"
	    "\"gid://shopify/InventoryLevel/24826418?inventory_item_id="
	    "271878346596884015\"}";
	static const char neg[] = "{\"inventory_item_id\":5,\"location_id\":1,"
	    "\"available\":-2,\"updated_at\":\"2026-11-28T07:14:01Z\"}";
	struct shopify_level_update	 u;
	struct err			 e;

	(void)state;
	assert_int_equal(shopify_parse_level_update(ok, LEN(ok), &u, &e), 0);
	assert_int_equal(u.inventory_item_id, INT64_C(271878346596884015));
	assert_int_equal(u.location_id, 24826418);
	assert_false(u.has_available);
	assert_string_equal(u.updated_at, "2026-11-28T02:14:01-05:00");
	assert_int_equal(shopify_parse_level_update(neg, LEN(neg), &u, &e), 0);
	assert_true(u.has_available);
	assert_int_equal(u.available, -2);

	assert_int_equal(PARSE(shopify_parse_level_update, "{\"inventory_item_id\":5,"
	    "\"location_id\":1,\"updated_at\":\"2026-11-28T07:14:01Z\"}",
	    &u, &e), -1);
	assert_non_null(strstr(e.msg, "available: missing"));
	assert_int_equal(PARSE(shopify_parse_level_update, "{\"inventory_item_id\":5,"
	    "\"location_id\":1,\"available\":\"3\",\"updated_at\":"
	    "\"2026-11-28T07:14:01Z\"}", &u, &e), -1);
	assert_non_null(strstr(e.msg, "available: not an integer"));
	assert_int_equal(PARSE(shopify_parse_level_update, "{\"inventory_item_id\":5,"
	    "\"location_id\":1,\"available\":3e2,\"updated_at\":"
	    "\"2026-11-28T07:14:01Z\"}", &u, &e), -1);
	assert_non_null(strstr(e.msg, "available: not an integer"));
	assert_int_equal(PARSE(shopify_parse_level_update, "{\"inventory_item_id\":5,"
	    "\"location_id\":1,\"available\":5000000000,\"updated_at\":"
	    "\"2026-11-28T07:14:01Z\"}", &u, &e), -1);
	assert_non_null(strstr(e.msg, "available: out of range"));
	assert_int_equal(PARSE(shopify_parse_level_update, "{\"location_id\":1,"
	    "\"available\":3,\"updated_at\":\"2026-11-28T07:14:01Z\"}",
	    &u, &e), -1);
	assert_non_null(strstr(e.msg, "inventory_item_id: missing"));
	assert_int_equal(PARSE(shopify_parse_level_update, "{\"inventory_item_id\":5,"
	    "\"location_id\":1,\"available\":3,", &u, &e), -1);
	assert_non_null(strstr(e.msg, "invalid JSON"));
}

static void
test_product(void **state)
{
	static const char body[] = "{\"id\":632910392,\"title\":\"Wool scarf\","
	    "\"body_html\":\"<p>warm</p>\",\"vendor\":\"Studio\","
	    "\"updated_at\":\"2026-11-28T02:14:01-05:00\",\"variants\":["
	    "{\"id\":39072856,\"product_id\":632910392,\"title\":\"red\","
	    "\"price\":\"19.00\",\"sku\":\"SCARF-WOOL-RED\",\"inventory_item_id\""
	    ":39072856,\"inventory_quantity\":5},"
	    "{\"id\":39072857,\"product_id\":632910392,\"title\":\"blue\","
	    "\"sku\":\"\",\"inventory_item_id\":39072857},"
	    "{\"id\":39072858,\"title\":\"green\",\"sku\":null,"
	    "\"inventory_item_id\":39072858}],\"options\":[],\"images\":[]}";
	struct shopify_product	 p;
	struct err		 e;

	(void)state;
	assert_int_equal(shopify_parse_product(body, LEN(body), &p, &e), 0);
	assert_int_equal(p.id, 632910392);
	assert_string_equal(p.title, "Wool scarf");
	assert_int_equal(p.nvariants, 3);
	assert_int_equal(p.variants[0].id, 39072856);
	assert_string_equal(p.variants[0].sku, "SCARF-WOOL-RED");
	assert_int_equal(p.variants[0].inventory_item_id, 39072856);
	assert_string_equal(p.variants[0].title, "red");
	assert_string_equal(p.variants[1].sku, "");
	assert_string_equal(p.variants[2].sku, "");
	shopify_product_free(&p);
	shopify_product_free(NULL);

	assert_int_equal(PARSE(shopify_parse_product, "{\"id\":1,\"title\":\"t\","
	    "\"updated_at\":\"2026-11-28T02:14:01Z\",\"variants\":[{\"id\":2,"
	    "\"sku\":\"A\",\"inventory_item_id\":-4}]}", &p, &e), -1);
	assert_non_null(strstr(e.msg, "variants[0].inventory_item_id: out of "
	    "range"));
	assert_null(p.variants);
	assert_int_equal(PARSE(shopify_parse_product, "{\"id\":1,\"updated_at\":"
	    "\"2026-11-28T02:14:01Z\",\"variants\":[]}", &p, &e), -1);
	assert_non_null(strstr(e.msg, "title: missing"));
	assert_int_equal(PARSE(shopify_parse_product, "{\"id\":1,\"title\":\"t\","
	    "\"updated_at\":\"2026-11-28T02:14:01Z\",\"variants\":[{\"sku\":"
	    "\"A\"}]}", &p, &e), -1);
	assert_non_null(strstr(e.msg, "variants[0].id: missing"));
}

/* ---- push paths that need no server ---- */

#define TOKEN	"shpat_unit_secret_0123456789"

static void
push_setup(struct channel_account *a, struct channel_listing *l,
    const char *base, const char *creds)
{
	json_error_t	 je;

	memset(a, 0, sizeof(*a));
	memset(l, 0, sizeof(*l));
	a->id = 7;
	a->type = CHANNEL_SHOPIFY;
	(void)str_copy(a->base_url, sizeof(a->base_url), base);
	a->creds = creds != NULL ? json_loads(creds, 0, &je) : NULL;
	l->id = 3;
	(void)str_copy(l->ext_listing, sizeof(l->ext_listing), "808950810");
	(void)str_copy(l->ext_variant, sizeof(l->ext_variant), "808950811");
	(void)str_copy(l->ext_location, sizeof(l->ext_location), "1");
}

static void
test_push_local(void **state)
{
	struct channel_account	 a;
	struct channel_listing	 l;
	struct channel_ctx	 ctx = { 0 };
	struct channel_push	 p = { 5, "job-1" };
	struct channel_result	 r;
	struct err		 e;

	(void)state;
	assert_string_equal(shopify_ops.name, "shopify");
	memset(&ctx, 0, sizeof(ctx));
	ctx.acct = &a;

	/* no token: FAILED, said clearly */
	push_setup(&a, &l, "http://127.0.0.1:1", "{}");
	assert_int_equal(shopify_ops.push(&ctx, &l, &p, &r, &e), 0);
	assert_int_equal(r.outcome, CHANNEL_FAILED);
	assert_non_null(strstr(r.detail, "access_token"));
	json_decref(a.creds);

	/* a token with a newline could inject a header */
	push_setup(&a, &l, "http://127.0.0.1:1",
	    "{\"access_token\":\"abc\\r\\nX-Evil: 1\"}");
	assert_int_equal(shopify_ops.push(&ctx, &l, &p, &r, &e), 0);
	assert_int_equal(r.outcome, CHANNEL_FAILED);
	assert_null(strstr(r.detail, "Evil"));
	json_decref(a.creds);

	/* bad version, bad base URL: FAILED, and never the token */
	push_setup(&a, &l, "http://127.0.0.1:1", "{\"access_token\":\"" TOKEN
	    "\",\"api_version\":\"../../x\"}");
	assert_int_equal(shopify_ops.push(&ctx, &l, &p, &r, &e), 0);
	assert_int_equal(r.outcome, CHANNEL_FAILED);
	assert_non_null(strstr(r.detail, "api_version"));
	assert_null(strstr(r.detail, TOKEN));
	json_decref(a.creds);
	push_setup(&a, &l, "ftp://127.0.0.1", "{\"access_token\":\"" TOKEN
	    "\"}");
	assert_int_equal(shopify_ops.push(&ctx, &l, &p, &r, &e), 0);
	assert_int_equal(r.outcome, CHANNEL_FAILED);
	assert_null(strstr(r.detail, TOKEN));

	/* a listing mapped with non-numeric ids */
	(void)str_copy(a.base_url, sizeof(a.base_url), "http://127.0.0.1:1");
	(void)str_copy(l.ext_variant, sizeof(l.ext_variant),
	    "gid://shopify/InventoryItem/1");
	assert_int_equal(shopify_ops.push(&ctx, &l, &p, &r, &e), 0);
	assert_int_equal(r.outcome, CHANNEL_FAILED);
	assert_non_null(strstr(r.detail, "ext_variant"));
	(void)str_copy(l.ext_variant, sizeof(l.ext_variant), "808950811");

	/* nothing listens on port 1: no answer is worth a retry */
	assert_int_equal(shopify_ops.push(&ctx, &l, &p, &r, &e), 0);
	assert_int_equal(r.outcome, CHANNEL_RETRY);
	assert_int_equal(r.shown_before, -1);
	assert_null(strstr(r.detail, TOKEN));

	/* desired out of range; idempotency key missing (local error) */
	p.desired = -1;
	assert_int_equal(shopify_ops.push(&ctx, &l, &p, &r, &e), 0);
	assert_int_equal(r.outcome, CHANNEL_FAILED);
	p.desired = 5;
	p.idem_key = "";
	assert_int_equal(shopify_ops.push(&ctx, &l, &p, &r, &e), -1);
	assert_int_equal(e.kind, ERR_INVALID);
	json_decref(a.creds);
}

/* ---- push against a scripted fake server ---- */

struct fake {
	pid_t	 pid;
	int	 port;
	char	 log[64];
};

/* Read one request (headers + Content-Length body) into the log file. */
static void
fake_serve_one(int c, FILE *log)
{
	char	 buf[65536], *hdr_end, *cl;
	size_t	 n = 0, need = 0;
	ssize_t	 k;

	while (n < sizeof(buf) - 1) {
		if ((k = read(c, buf + n, sizeof(buf) - 1 - n)) <= 0)
			break;
		n += (size_t)k;
		buf[n] = '\0';
		if ((hdr_end = strstr(buf, "\r\n\r\n")) == NULL)
			continue;
		if (need == 0) {
			int64_t	 v = 0;

			/* libcurl spells it this way */
			cl = strstr(buf, "\r\nContent-Length:");
			if (cl != NULL) {
				cl += 17;
				while (*cl == ' ')
					cl++;
				(void)str_to_i64n(cl, strcspn(cl, "\r"), 0,
				    60000, &v);
			}
			need = (size_t)(hdr_end - buf) + 4 + (size_t)v;
		}
		if (n >= need)
			break;
	}
	buf[n] = '\0';
	fprintf(log, "%s\n=====\n", buf);
	fflush(log);
}

/* Start a server that answers the given HTTP replies, one per
 * connection, then exits. */
static void
fake_start(struct fake *f, const char *const *replies, size_t n)
{
	struct sockaddr_in	 sa;
	socklen_t		 sl = sizeof(sa);
	int			 s, c, one = 1, fd;
	size_t			 i;
	FILE			*log;

	(void)str_copy(f->log, sizeof(f->log), "/tmp/shopify-fake-XXXXXX");
	assert_true((fd = mkstemp(f->log)) >= 0);
	close(fd);
	assert_true((s = socket(AF_INET, SOCK_STREAM, 0)) >= 0);
	(void)setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(bind(s, (struct sockaddr *)&sa, sizeof(sa)), 0);
	assert_int_equal(listen(s, 8), 0);
	assert_int_equal(getsockname(s, (struct sockaddr *)&sa, &sl), 0);
	f->port = ntohs(sa.sin_port);
	assert_true((f->pid = fork()) >= 0);
	if (f->pid == 0) {
		if ((log = fopen(f->log, "w")) == NULL)
			_exit(1);
		for (i = 0; i < n; i++) {
			if ((c = accept(s, NULL, NULL)) < 0)
				_exit(1);
			fake_serve_one(c, log);
			if (write(c, replies[i], strlen(replies[i])) < 0)
				_exit(1);
			close(c);
		}
		fclose(log);
		_exit(0);
	}
	close(s);
}

/* Wait for the server; the request log (malloc'd) and how many. */
static char *
fake_finish(struct fake *f, size_t *nreq)
{
	FILE	*fp;
	char	*s;
	long	 len;
	int	 st;
	const char *p;

	kill(f->pid, SIGTERM);
	(void)waitpid(f->pid, &st, 0);
	assert_non_null(fp = fopen(f->log, "r"));
	fseek(fp, 0, SEEK_END);
	len = ftell(fp);
	rewind(fp);
	assert_non_null(s = calloc(1, (size_t)len + 1));
	assert_int_equal(fread(s, 1, (size_t)len, fp), (size_t)len);
	fclose(fp);
	unlink(f->log);
	*nreq = 0;
	for (p = s; (p = strstr(p, "\n=====\n")) != NULL; p += 7)
		(*nreq)++;
	return s;
}

/* The i-th logged request's JSON body, parsed (new reference). */
static json_t *
fake_body(const char *log, size_t i)
{
	const char	*p = log, *b, *end;

	while (i-- > 0)
		assert_non_null(p = strstr(p, "\n=====\n")), p += 7;
	assert_non_null(b = strstr(p, "\r\n\r\n"));
	b += 4;
	assert_non_null(end = strstr(b, "\n=====\n"));
	return json_loadb(b, (size_t)(end - b), 0, NULL);
}

static char *
reply(long status, const char *extra, const char *body)
{
	char	*r;
	size_t	 n = strlen(body) + 512;

	assert_non_null(r = malloc(n));
	assert_int_equal(str_fmt(r, n, "HTTP/1.1 %ld X\r\nContent-Type: "
	    "application/json\r\nContent-Length: %zu\r\n%sConnection: close"
	    "\r\n\r\n%s", status, strlen(body), extra, body), 0);
	return r;
}

#define LEVEL(n) "{\"data\":{\"inventoryItem\":{\"id\":\"gid://shopify/" \
	"InventoryItem/808950811\",\"inventoryLevel\":{\"quantities\":[{" \
	"\"name\":\"available\",\"quantity\":" #n "}]}}}," COST_OK "}"
#define SET_OK "{\"data\":{\"inventorySetQuantities\":{" \
	"\"inventoryAdjustmentGroup\":{\"id\":\"gid://shopify/" \
	"InventoryAdjustmentGroup/1\"},\"userErrors\":[]}}," COST_OK "}"
#define SET_ERR(code) "{\"data\":{\"inventorySetQuantities\":{" \
	"\"inventoryAdjustmentGroup\":null,\"userErrors\":[{\"code\":\"" \
	code "\",\"field\":[\"input\"],\"message\":\"" code " says no\"}]}}}"

/* Run one push against scripted replies (status 200 unless given). */
static char *
scripted(const char *const *bodies, const long *statuses,
    const char *const *extras, size_t n, int64_t desired, int64_t last,
    struct channel_result *r, size_t *nreq)
{
	struct fake		 f;
	struct channel_account	 a;
	struct channel_listing	 l;
	struct channel_ctx	 ctx = { 0 };
	struct channel_push	 p = { desired, "job-9" };
	struct err		 e;
	char			*rep[8], base[64];
	size_t			 i;

	assert_true(n <= 8);
	for (i = 0; i < n; i++)
		rep[i] = reply(statuses != NULL ? statuses[i] : 200,
		    extras != NULL ? extras[i] : "", bodies[i]);
	fake_start(&f, (const char *const *)rep, n);
	(void)str_fmt(base, sizeof(base), "http://127.0.0.1:%d", f.port);
	push_setup(&a, &l, base, "{\"access_token\":\"" TOKEN "\"}");
	if (last >= 0) {
		l.has_last_pushed = 1;
		l.last_pushed = last;
	}
	memset(&ctx, 0, sizeof(ctx));
	ctx.acct = &a;
	assert_int_equal(shopify_ops.push(&ctx, &l, &p, r, &e), 0);
	assert_null(strstr(r->detail, TOKEN));
	json_decref(a.creds);
	for (i = 0; i < n; i++)
		free(rep[i]);
	return fake_finish(&f, nreq);
}

static json_int_t
qty_field(const json_t *body, const char *k)
{
	json_t	*q = json_array_get(json_object_get(json_object_get(
	    json_object_get(body, "variables"), "input"), "quantities"), 0);

	assert_non_null(json_object_get(q, k));
	return json_integer_value(json_object_get(q, k));
}

static void
test_push_stale_then_held(void **state)
{
	const char *const	 b[] = { LEVEL(3), SET_ERR(
	    "CHANGE_FROM_QUANTITY_STALE"), LEVEL(2), SET_OK };
	struct channel_result	 r;
	size_t			 n;
	char			*log;
	json_t			*w1, *w2;

	(void)state;
	/* hub pushed 3 and wants 5 now; a sale lands between read and
	 * write: the write is refused as stale, re-read shows 2, so 1
	 * unseen sale is held back and 4 is written */
	log = scripted(b, NULL, NULL, 4, 5, 3, &r, &n);
	assert_int_equal(n, 4);
	assert_int_equal(r.outcome, CHANNEL_HELD);
	assert_int_equal(r.shown_before, 3);
	assert_int_equal(r.shown, 4);
	assert_int_equal(r.unseen_sales, 1);
	assert_non_null(strstr(log, "POST /admin/api/2026-04/graphql.json "));
	assert_non_null(strstr(log, "X-Shopify-Access-Token: " TOKEN "\r\n"));
	assert_non_null(strstr(log, "Content-Type: application/json\r\n"));
	w1 = fake_body(log, 1);
	w2 = fake_body(log, 3);
	assert_non_null(w1);
	assert_non_null(w2);
	assert_string_equal(jstr(w1, "variables.key"), "job-9");
	assert_int_equal(qty_field(w1, "changeFromQuantity"), 3);
	assert_int_equal(qty_field(w1, "quantity"), 5);
	/* the second write has other parameters, so a key of its own */
	assert_string_equal(jstr(w2, "variables.key"), "job-9:2:4");
	assert_int_equal(qty_field(w2, "changeFromQuantity"), 2);
	assert_int_equal(qty_field(w2, "quantity"), 4);
	json_decref(w1);
	json_decref(w2);
	free(log);
}

static void
test_push_stale_twice(void **state)
{
	const char *const	 b[] = { LEVEL(3), SET_ERR(
	    "CHANGE_FROM_QUANTITY_STALE"), LEVEL(1), SET_ERR(
	    "CHANGE_FROM_QUANTITY_STALE") };
	struct channel_result	 r;
	size_t			 n;
	char			*log;

	(void)state;
	log = scripted(b, NULL, NULL, 4, 5, -1, &r, &n);
	assert_int_equal(n, 4);
	assert_int_equal(r.outcome, CHANNEL_RETRY);
	assert_non_null(strstr(r.detail, "stale"));
	free(log);
}

static void
test_push_scripted_errors(void **state)
{
	const char *const	 thr[] = { "{\"errors\":[{\"message\":"
	    "\"Throttled\",\"extensions\":{\"code\":\"THROTTLED\"}}],"
	    "\"extensions\":{\"cost\":{\"requestedQueryCost\":102,"
	    "\"actualQueryCost\":null,\"throttleStatus\":{\"maximumAvailable\":"
	    "1000.0,\"currentlyAvailable\":2,\"restoreRate\":50.0}}}}" };
	const char *const	 busy[] = { "{\"errors\":[]}" };
	const long		 s429[] = { 429 };
	const char *const	 ra[] = { "Retry-After: 5\r\n" };
	const char *const	 ns[] = { LEVEL(3), SET_ERR(
	    "ITEM_NOT_STOCKED_AT_LOCATION") };
	const char *const	 same[] = { LEVEL(4) };
	const char *const	 cut[] = { "{\"data\":{\"inventoryItem\"" };
	const char *const	 gqe[] = { "{\"errors\":[{\"message\":"
	    "\"Field 'x' doesn't exist\",\"extensions\":{\"code\":"
	    "\"undefinedField\"}}]}" };
	const char *const	 reuse[] = { LEVEL(3), SET_ERR(
	    "IDEMPOTENCY_KEY_PARAMETER_MISMATCH"), SET_OK };
	const char *const	 gone[] = { "{\"data\":{\"inventoryItem\":{"
	    "\"id\":\"gid://shopify/InventoryItem/808950811\","
	    "\"inventoryLevel\":null}}}" };
	struct channel_result	 r;
	size_t			 n;
	char			*log;
	json_t			*w;

	(void)state;
	/* THROTTLED: 100 points short at 50/s: retry in 2 s */
	free(scripted(thr, NULL, NULL, 1, 5, -1, &r, &n));
	assert_int_equal(r.outcome, CHANNEL_RETRY);
	assert_int_equal(r.retry_after_s, 2);
	/* 429 with Retry-After */
	free(scripted(busy, s429, ra, 1, 5, -1, &r, &n));
	assert_int_equal(r.outcome, CHANNEL_RETRY);
	assert_int_equal(r.retry_after_s, 5);
	/* another userError: FAILED, Shopify's words kept */
	free(scripted(ns, NULL, NULL, 2, 5, -1, &r, &n));
	assert_int_equal(r.outcome, CHANNEL_FAILED);
	assert_non_null(strstr(r.detail, "ITEM_NOT_STOCKED_AT_LOCATION"));
	/* already right: one read, no write */
	free(scripted(same, NULL, NULL, 1, 4, -1, &r, &n));
	assert_int_equal(n, 1);
	assert_int_equal(r.outcome, CHANNEL_UNCHANGED);
	assert_int_equal(r.shown, 4);
	/* a cut answer: retry */
	free(scripted(cut, NULL, NULL, 1, 4, -1, &r, &n));
	assert_int_equal(r.outcome, CHANNEL_RETRY);
	/* a GraphQL validation error: a person must look */
	free(scripted(gqe, NULL, NULL, 1, 4, -1, &r, &n));
	assert_int_equal(r.outcome, CHANNEL_FAILED);
	assert_non_null(strstr(r.detail, "undefinedField"));
	/* not stocked at the location */
	free(scripted(gone, NULL, NULL, 1, 4, -1, &r, &n));
	assert_int_equal(r.outcome, CHANNEL_FAILED);
	assert_non_null(strstr(r.detail, "location"));
	/* the job's key was used for another write: a key of its own */
	log = scripted(reuse, NULL, NULL, 3, 5, -1, &r, &n);
	assert_int_equal(n, 3);
	assert_int_equal(r.outcome, CHANNEL_WRITTEN);
	assert_int_equal(r.shown, 5);
	w = fake_body(log, 2);
	assert_string_equal(jstr(w, "variables.key"), "job-9:3:5");
	json_decref(w);
	free(log);
}

/* A catalog page: variant and inventory item ids from their GIDs, the
 * SKU as shown (null is ""), the cursor to go on with. */
static void
test_catalog_page(void **state)
{
	const char *body = "{\"data\":{\"productVariants\":{\"nodes\":["
	    "{\"id\":\"gid://shopify/ProductVariant/11\",\"sku\":\"MUG-1\","
	    "\"title\":\"Default Title\",\"inventoryItem\":{\"id\":"
	    "\"gid://shopify/InventoryItem/21\"}},"
	    "{\"id\":\"gid://shopify/ProductVariant/12\",\"sku\":null,"
	    "\"title\":\"Blue\",\"inventoryItem\":{\"id\":"
	    "\"gid://shopify/InventoryItem/22\"}}],\"pageInfo\":{"
	    "\"hasNextPage\":true,\"endCursor\":\"abc\"}}}," COST_OK "}";
	const char *bad = "{\"data\":{\"productVariants\":{\"nodes\":["
	    "{\"id\":\"gid://shopify/Product/11\",\"inventoryItem\":{"
	    "\"id\":\"gid://shopify/InventoryItem/21\"}}],\"pageInfo\":{"
	    "\"hasNextPage\":false}}}," COST_OK "}";
	struct shopify_gql	 g;
	struct channel_place	 pl[4];
	struct err		 e;
	char			 cur[16], *q = NULL;
	size_t			 n;
	int			 more;

	(void)state;
	gql(body, &g);
	assert_int_equal(shopify_parse_catalog(&g, "1", pl, 4, &n, cur,
	    sizeof(cur), &more, &e), 0);
	assert_int_equal(n, 2);
	assert_string_equal(pl[0].ext_listing, "11");
	assert_string_equal(pl[0].ext_variant, "21");
	assert_string_equal(pl[0].ext_location, "1");
	assert_string_equal(pl[0].sku, "MUG-1");
	assert_string_equal(pl[1].sku, "");
	assert_string_equal(pl[1].title, "Blue");
	assert_true(more);
	assert_string_equal(cur, "abc");
	/* no room: refused, never cut short silently */
	assert_int_equal(shopify_parse_catalog(&g, "1", pl, 1, &n, cur,
	    sizeof(cur), &more, &e), -1);
	shopify_gql_free(&g);
	gql(bad, &g);
	assert_int_equal(shopify_parse_catalog(&g, "1", pl, 4, &n, cur,
	    sizeof(cur), &more, &e), -1);
	assert_int_equal(e.kind, ERR_INVALID);
	shopify_gql_free(&g);
	/* the cursor goes in as a variable, never into the query text */
	assert_int_equal(shopify_build_catalog("x\"}", &q, &e), 0);
	assert_non_null(strstr(q, "\"after\":\"x\\\"}\""));
	free(q);
	assert_int_equal(shopify_build_catalog(NULL, &q, &e), 0);
	assert_non_null(strstr(q, "\"after\":null"));
	free(q);
}

/* ---- orders updated since (reconciliation's sweep) ---- */

static void
test_orders_query(void **state)
{
	struct err	 e;
	char		 q[64], *b = NULL;
	json_t		*j, *v;

	(void)state;
	assert_int_equal(shopify_orders_query("2026-11-28T14:00:00Z", q,
	    sizeof(q), &e), 0);
	assert_string_equal(q, "updated_at:>'2026-11-28T14:00:00Z'");
	/* nothing that could leave the quotes or add a term */
	assert_int_equal(shopify_orders_query("2026-11-28' OR x", q,
	    sizeof(q), &e), -1);
	assert_int_equal(e.kind, ERR_INVALID);
	assert_int_equal(shopify_orders_query("", q, sizeof(q), &e), -1);
	assert_int_equal(shopify_orders_query("2026-11-28T14:00:00Z", q, 10,
	    &e), -1);
	/* the values travel in variables, the cursor only when given */
	assert_int_equal(shopify_build_orders_since("2026-11-28T14:00:00Z",
	    NULL, &b, &e), 0);
	j = json_loads(b, 0, NULL);
	assert_non_null(j);
	assert_non_null(strstr(json_string_value(json_object_get(j, "query")),
	    "sortKey: UPDATED_AT"));
	assert_null(strstr(json_string_value(json_object_get(j, "query")),
	    "2026"));
	v = json_object_get(j, "variables");
	assert_string_equal(json_string_value(json_object_get(v, "q")),
	    "updated_at:>'2026-11-28T14:00:00Z'");
	assert_true(json_object_get(v, "after") == NULL ||
	    json_is_null(json_object_get(v, "after")));
	json_decref(j);
	free(b);
	assert_int_equal(shopify_build_orders_since("2026-11-28T14:00:00Z",
	    "eyJsYXN0X2lkIjo1fQ==", &b, &e), 0);
	j = json_loads(b, 0, NULL);
	assert_string_equal(json_string_value(json_object_get(json_object_get(
	    j, "variables"), "after")), "eyJsYXN0X2lkIjo1fQ==");
	json_decref(j);
	free(b);
}

static void
test_orders_page(void **state)
{
	const char *body = "{\"data\":{\"orders\":{\"nodes\":["
	    "{\"id\":\"gid://shopify/Order/5001\",\"name\":\"#1001\","
	    "\"createdAt\":\"2026-11-28T14:00:00Z\",\"updatedAt\":"
	    "\"2026-11-28T14:00:01Z\",\"cancelledAt\":null,\"lineItems\":{"
	    "\"nodes\":[{\"id\":\"gid://shopify/LineItem/7001\",\"sku\":"
	    "\"MUG-1\",\"quantity\":3,\"variant\":{\"id\":"
	    "\"gid://shopify/ProductVariant/11\"}},{\"id\":"
	    "\"gid://shopify/LineItem/7002\",\"sku\":null,\"quantity\":1,"
	    "\"variant\":null}],\"pageInfo\":{\"hasNextPage\":false}}},"
	    "{\"id\":\"gid://shopify/Order/5002\",\"name\":\"#1002\","
	    "\"createdAt\":\"2026-11-28T14:00:00Z\",\"updatedAt\":"
	    "\"2026-11-28T14:05:00Z\",\"cancelledAt\":"
	    "\"2026-11-28T14:05:00Z\",\"lineItems\":{\"nodes\":[],"
	    "\"pageInfo\":{\"hasNextPage\":true}}}],"
	    "\"pageInfo\":{\"hasNextPage\":true,\"endCursor\":\"c2\"}}},"
	    COST_OK "}";
	const char *bad_qty = "{\"data\":{\"orders\":{\"nodes\":["
	    "{\"id\":\"gid://shopify/Order/5001\",\"updatedAt\":"
	    "\"2026-11-28T14:00:01Z\",\"lineItems\":{\"nodes\":[{\"id\":"
	    "\"gid://shopify/LineItem/7001\",\"quantity\":-2}],"
	    "\"pageInfo\":{\"hasNextPage\":false}}}],\"pageInfo\":{"
	    "\"hasNextPage\":false}}}}";
	const char *bad_id = "{\"data\":{\"orders\":{\"nodes\":["
	    "{\"id\":\"gid://shopify/Product/5001\",\"updatedAt\":"
	    "\"2026-11-28T14:00:01Z\",\"lineItems\":{\"nodes\":[],"
	    "\"pageInfo\":{\"hasNextPage\":false}}}],\"pageInfo\":{"
	    "\"hasNextPage\":false}}}}";
	struct shopify_gql	 g;
	struct shopify_order	 o[3];
	struct err		 e;
	char			 cur[16];
	size_t			 n, i;
	int			 more;

	(void)state;
	gql(body, &g);
	assert_int_equal(shopify_parse_orders(&g, o, 3, &n, cur, sizeof(cur),
	    &more, &e), 0);
	assert_int_equal(n, 2);
	assert_int_equal(o[0].id, 5001);
	assert_string_equal(o[0].updated_at, "2026-11-28T14:00:01Z");
	assert_string_equal(o[0].cancelled_at, "");
	assert_int_equal(o[0].nitems, 2);
	assert_int_equal(o[0].items[0].id, 7001);
	assert_int_equal(o[0].items[0].variant_id, 11);
	assert_int_equal(o[0].items[0].quantity, 3);
	assert_string_equal(o[0].items[0].sku, "MUG-1");
	assert_int_equal(o[0].items[1].variant_id, 0);
	assert_string_equal(o[0].items[1].sku, "");
	assert_false(o[0].lines_cut);
	assert_int_equal(o[1].id, 5002);
	assert_string_equal(o[1].cancelled_at, "2026-11-28T14:05:00Z");
	assert_int_equal(o[1].nitems, 0);
	assert_true(o[1].lines_cut);
	assert_true(more);
	assert_string_equal(cur, "c2");
	for (i = 0; i < n; i++)
		shopify_order_free(&o[i]);
	/* no room: refused, never cut short silently */
	assert_int_equal(shopify_parse_orders(&g, o, 1, &n, cur, sizeof(cur),
	    &more, &e), -1);
	for (i = 0; i < n; i++)
		shopify_order_free(&o[i]);
	shopify_gql_free(&g);
	gql(bad_qty, &g);
	assert_int_equal(shopify_parse_orders(&g, o, 3, &n, cur, sizeof(cur),
	    &more, &e), -1);
	assert_int_equal(e.kind, ERR_INVALID);
	assert_non_null(strstr(e.msg, "quantity"));
	for (i = 0; i < n; i++)
		shopify_order_free(&o[i]);
	shopify_gql_free(&g);
	gql(bad_id, &g);
	assert_int_equal(shopify_parse_orders(&g, o, 3, &n, cur, sizeof(cur),
	    &more, &e), -1);
	assert_non_null(strstr(e.msg, "Order id"));
	for (i = 0; i < n; i++)
		shopify_order_free(&o[i]);
	shopify_gql_free(&g);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_topics),
		cmocka_unit_test(test_gid),
		cmocka_unit_test(test_sku_query),
		cmocka_unit_test(test_build_find),
		cmocka_unit_test(test_build_read_level),
		cmocka_unit_test(test_build_set),
		cmocka_unit_test(test_build_webhook),
		cmocka_unit_test(test_set_success),
		cmocka_unit_test(test_set_user_errors),
		cmocka_unit_test(test_throttled),
		cmocka_unit_test(test_gql_malformed),
		cmocka_unit_test(test_parse_level),
		cmocka_unit_test(test_parse_variants),
		cmocka_unit_test(test_parse_webhook_create),
		cmocka_unit_test(test_order),
		cmocka_unit_test(test_order_cancelled),
		cmocka_unit_test(test_order_malformed),
		cmocka_unit_test(test_order_long_fields),
		cmocka_unit_test(test_fulfillment),
		cmocka_unit_test(test_refund),
		cmocka_unit_test(test_refund_malformed),
		cmocka_unit_test(test_level_update),
		cmocka_unit_test(test_product),
		cmocka_unit_test(test_push_local),
		cmocka_unit_test(test_push_stale_then_held),
		cmocka_unit_test(test_push_stale_twice),
		cmocka_unit_test(test_push_scripted_errors),
		cmocka_unit_test(test_catalog_page),
		cmocka_unit_test(test_orders_query),
		cmocka_unit_test(test_orders_page),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
