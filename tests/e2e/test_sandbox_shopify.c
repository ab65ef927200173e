/*
 * End-to-end tests of the Shopify sandbox (sandbox/shopify.c) through
 * nginx, at $SANDBOX_SHOPIFY_URL. Every test starts with POST
 * /_sandbox/reset.
 *
 * Webhooks need a receiver. The sandbox is one process that delivers
 * after answering, so it cannot deliver to itself; instead each webhook
 * test forks a tiny HTTP receiver on a loopback port (plain sockets) that
 * writes every request it gets, raw, to a file in a temporary directory
 * and answers 500 to the first `fail_first` requests, 200 after. The test
 * reads those files. The HMAC is checked here with OpenSSL directly.
 */
#include <errno.h>
#include <poll.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <cmocka.h>
#include <jansson.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "../httpc.h"	/* the tests' client, not lib/httpc.h */
#include "str.h"

#define ENV	"SANDBOX_SHOPIFY_URL"
#define GQL	"/admin/api/2026-04/graphql.json"
#define TOKEN_H	"X-Shopify-Access-Token: shpat_sandbox_token"
#define SECRET	"sbx-shopify-secret"
#define ITEM1	"gid://shopify/InventoryItem/45001"
#define LOC1	"gid://shopify/Location/1"

/* --- helpers ---------------------------------------------------------- */

static void
ctl(const char *method, const char *path, const char *body, struct tresp *r)
{
	static const char *const h[] = { "Content-Type: application/json",
	    NULL };

	assert_int_equal(treq_env(ENV, method, path, h, body, r), 0);
}

static long
ctl_status(const char *method, const char *path, const char *body)
{
	struct tresp	 r;
	long		 s;

	ctl(method, path, body, &r);
	s = r.status;
	tresp_free(&r);
	return s;
}

/* A GraphQL call; vars is taken (may be NULL). */
static int
gq(const char *query, json_t *vars, struct tresp *r)
{
	static const char *const h[] = { TOKEN_H,
	    "Content-Type: application/json", NULL };
	json_t	*b = json_pack("{s:s}", "query", query);
	char	*s;
	int	 rc;

	if (vars != NULL)
		json_object_set_new(b, "variables", vars);
	s = json_dumps(b, JSON_COMPACT);
	json_decref(b);
	rc = treq_env(ENV, "POST", GQL, h, s, r);
	free(s);
	return rc;
}

/* Walk "a.b.0.c" into v (borrowed; NULL when absent). */
static json_t *
jp(json_t *v, const char *path)
{
	char		 key[128];
	const char	*p = path, *dot;
	size_t		 n;
	int64_t		 i;

	while (v != NULL && *p != '\0') {
		dot = strchr(p, '.');
		n = dot != NULL ? (size_t)(dot - p) : strlen(p);
		if (n >= sizeof(key))
			return NULL;
		memcpy(key, p, n);
		key[n] = '\0';
		if (json_is_array(v) && str_to_i64(key, 0, 100000, &i) == 0)
			v = json_array_get(v, (size_t)i);
		else
			v = json_object_get(v, key);
		p = dot != NULL ? dot + 1 : p + n;
	}
	return v;
}

static const char *
js(json_t *v, const char *path)
{
	const char *s = json_string_value(jp(v, path));

	return s != NULL ? s : "";
}

static json_int_t
ji(json_t *v, const char *path)
{
	json_t *x = jp(v, path);

	assert_non_null(x);
	return json_integer_value(x);
}

static int
setup(void **state)
{
	(void)state;
	assert_int_equal(ctl_status("POST", "/_sandbox/reset", NULL), 200);
	assert_int_equal(ctl_status("POST", "/_sandbox/demo", NULL), 200);
	return 0;
}

/* available of the level of a SKU, from the control API */
static json_int_t
available(const char *sku)
{
	struct tresp	 r;
	json_t		*l;
	size_t		 i;
	json_int_t	 a = -999;

	ctl("GET", "/_sandbox/state", NULL, &r);
	json_array_foreach(json_object_get(r.json, "levels"), i, l)
		if (strcmp(js(l, "sku"), sku) == 0)
			a = ji(l, "available");
	tresp_free(&r);
	return a;
}

static const char SET_Q[] =
    "mutation Set($input: InventorySetQuantitiesInput!, $key: String!) {"
    " inventorySetQuantities(input: $input) @idempotent(key: $key) {"
    "  inventoryAdjustmentGroup { id reason referenceDocumentUri"
    "   changes { name delta quantityAfterChange } }"
    "  userErrors { code field message } } }";

/* set available of ITEM1; cfq < -1 leaves changeFromQuantity out, -1
 * sends null */
static void
set_available(const char *key, int qty, int cfq, struct tresp *r)
{
	json_t	*q = json_pack("{s:s, s:s, s:i}", "inventoryItemId", ITEM1,
	    "locationId", LOC1, "quantity", qty);

	if (cfq == -1)
		json_object_set_new(q, "changeFromQuantity", json_null());
	else if (cfq >= 0)
		json_object_set_new(q, "changeFromQuantity", json_integer(cfq));
	assert_int_equal(gq(SET_Q, json_pack("{s:{s:s, s:s, s:s, s:[o]}, "
	    "s:s}", "input", "name", "available", "reason", "correction",
	    "referenceDocumentUri", "gid://stockhub/Push/1", "quantities", q,
	    "key", key), r), 0);
	assert_int_equal(r->status, 200);
}

/* --- the webhook receiver (test code) ---------------------------------- */

static struct {
	pid_t	 pid;
	int	 port;
	char	 dir[64];
} R;

static void
recv_serve(int ls, int fail_first)
{
	char	 buf[256 * 1024], path[128], tmp[128];
	int	 n = 0;

	for (;;) {
		int		 c = accept(ls, NULL, NULL);
		size_t		 len = 0, want = 0;
		char		*end = NULL, *cl;
		int64_t		 clen = 0;
		FILE		*f;
		ssize_t		 k;
		const char	*ans;

		if (c < 0)
			continue;
		while (len < sizeof(buf) - 1) {
			if ((k = read(c, buf + len, sizeof(buf) - 1 - len)) <= 0)
				break;
			len += (size_t)k;
			buf[len] = '\0';
			if (end == NULL && (end = strstr(buf, "\r\n\r\n")) != NULL) {
				for (cl = buf; cl < end && strncasecmp(cl,
				    "\r\nContent-Length:", 17) != 0; cl++)
					;
				if (cl != NULL && cl < end) {
					char num[24];
					size_t m = strcspn(cl + 17, "\r");

					if (m >= sizeof(num))
						m = sizeof(num) - 1;
					memcpy(num, cl + 17, m);
					num[m] = '\0';
					(void)str_to_i64(num, 0, 1 << 20, &clen);
				}
				want = (size_t)(end - buf) + 4 + (size_t)clen;
			}
			if (end != NULL && len >= want)
				break;
		}
		n++;
		(void)str_fmt(tmp, sizeof(tmp), "%s/.tmp", R.dir);
		(void)str_fmt(path, sizeof(path), "%s/req-%03d", R.dir, n);
		if ((f = fopen(tmp, "w")) != NULL) {
			fwrite(buf, 1, len, f);
			fclose(f);
			rename(tmp, path);
		}
		ans = n <= fail_first ?
		    "HTTP/1.1 500 Internal Server Error\r\nContent-Length: 0\r\n"
		    "Connection: close\r\n\r\n" :
		    "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n"
		    "Connection: close\r\n\r\n";
		(void)write(c, ans, strlen(ans));
		close(c);
	}
}

static void
recv_start(int fail_first)
{
	struct sockaddr_in	 sa;
	socklen_t		 sl = sizeof(sa);
	int			 ls;

	(void)str_copy(R.dir, sizeof(R.dir), "/tmp/shopify-recv.XXXXXX");
	assert_non_null(mkdtemp(R.dir));
	ls = socket(AF_INET, SOCK_STREAM, 0);
	assert_true(ls >= 0);
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(bind(ls, (struct sockaddr *)&sa, sizeof(sa)), 0);
	assert_int_equal(listen(ls, 16), 0);
	assert_int_equal(getsockname(ls, (struct sockaddr *)&sa, &sl), 0);
	R.port = ntohs(sa.sin_port);
	fflush(NULL);
	R.pid = fork();
	assert_true(R.pid >= 0);
	if (R.pid == 0) {
		signal(SIGTERM, SIG_DFL);
		alarm(60);	/* never outlive a test that failed midway */
		recv_serve(ls, fail_first);
		_exit(0);
	}
	close(ls);
}

static void
recv_stop(void)
{
	char	 path[128];
	int	 i, st;

	if (R.pid > 0) {
		kill(R.pid, SIGTERM);
		waitpid(R.pid, &st, 0);
		R.pid = 0;
	}
	for (i = 1; i < 1000; i++) {
		(void)str_fmt(path, sizeof(path), "%s/req-%03d", R.dir, i);
		if (unlink(path) == -1)
			break;
	}
	rmdir(R.dir);
}

static int
recv_count(void)
{
	char		 path[128];
	struct stat	 st;
	int		 i;

	for (i = 1; i < 1000; i++) {
		(void)str_fmt(path, sizeof(path), "%s/req-%03d", R.dir, i);
		if (stat(path, &st) == -1)
			return i - 1;
	}
	return i - 1;
}

/* wait until n requests arrived (or the timeout); returns the count */
static int
recv_wait(int n, int timeout_ms)
{
	int	 waited = 0;

	while (recv_count() < n && waited < timeout_ms) {
		poll(NULL, 0, 20);
		waited += 20;
	}
	return recv_count();
}

struct hreq {
	char	 raw[256 * 1024];
	char	*body;
};

static void
recv_get(int i, struct hreq *h)
{
	char	 path[128];
	FILE	*f;
	size_t	 n;

	(void)str_fmt(path, sizeof(path), "%s/req-%03d", R.dir, i);
	f = fopen(path, "r");
	assert_non_null(f);
	n = fread(h->raw, 1, sizeof(h->raw) - 1, f);
	fclose(f);
	h->raw[n] = '\0';
	h->body = strstr(h->raw, "\r\n\r\n");
	assert_non_null(h->body);
	h->body += 4;
}

/* a request header's value, "" when absent */
static const char *
hget(const struct hreq *h, const char *name, char *out, size_t sz)
{
	const char	*p = h->raw;
	size_t		 n = strlen(name), m;

	out[0] = '\0';
	while ((p = strstr(p, "\r\n")) != NULL && p < h->body - 2) {
		p += 2;
		if (strncasecmp(p, name, n) == 0 && p[n] == ':') {
			p += n + 1;
			while (*p == ' ')
				p++;
			m = strcspn(p, "\r");
			if (m >= sz)
				m = sz - 1;
			memcpy(out, p, m);
			out[m] = '\0';
			break;
		}
	}
	return out;
}

static void
subscribe(const char *topic)
{
	struct tresp	 r;
	char		 q[512];

	(void)str_fmt(q, sizeof(q), "mutation { webhookSubscriptionCreate("
	    "topic: %s, webhookSubscription: {uri: \"http://127.0.0.1:%d/"
	    "hooks/shopify\", format: JSON}) { webhookSubscription { id topic "
	    "uri } userErrors { field message } } }", topic, R.port);
	assert_int_equal(gq(q, NULL, &r), 0);
	assert_string_equal(js(r.json, "data.webhookSubscriptionCreate."
	    "webhookSubscription.topic"), topic);
	assert_int_equal(json_array_size(jp(r.json,
	    "data.webhookSubscriptionCreate.userErrors")), 0);
	tresp_free(&r);
}

static long
order(const char *sku, int qty)
{
	char	 b[256];

	(void)str_fmt(b, sizeof(b), "{\"line_items\":[{\"sku\":\"%s\","
	    "\"quantity\":%d}]}", sku, qty);
	return ctl_status("POST", "/_sandbox/orders", b);
}

/* --- auth, routing, recogniser ---------------------------------------- */

static void
test_auth_401(void **state)
{
	static const char *const none[] = { "Content-Type: application/json",
	    NULL };
	static const char *const wrong[] = { "X-Shopify-Access-Token: nope",
	    NULL };
	struct tresp	 r;

	(void)state;
	assert_int_equal(treq_env(ENV, "POST", GQL, none,
	    "{\"query\":\"{ shop { name } }\"}", &r), 0);
	assert_int_equal(r.status, 401);
	assert_string_equal(js(r.json, "errors"), "[API] Invalid API key or "
	    "access token (unrecognized login or wrong password)");
	tresp_free(&r);
	assert_int_equal(treq_env(ENV, "POST", GQL, wrong,
	    "{\"query\":\"{ shop { name } }\"}", &r), 0);
	assert_int_equal(r.status, 401);
	tresp_free(&r);
	/* the right one, and an unsupported version */
	assert_int_equal(gq("{ shop { name myshopifyDomain } }", NULL, &r), 0);
	assert_int_equal(r.status, 200);
	assert_string_equal(js(r.json, "data.shop.myshopifyDomain"),
	    "sandbox-shop.myshopify.com");
	tresp_free(&r);
	assert_int_equal(treq_env(ENV, "POST", "/admin/api/2019-01/graphql.json",
	    (const char *const[]){ TOKEN_H, NULL }, "{\"query\":\"{ shop "
	    "{ name } }\"}", &r), 0);
	assert_int_equal(r.status, 404);
	tresp_free(&r);
}

static void
test_unknown_field_named(void **state)
{
	struct tresp	 r;

	(void)state;
	assert_int_equal(gq("{ productVariants(first: 1, query: \"sku:X\") "
	    "{ nodes { id skuu } } }", NULL, &r), 0);
	assert_int_equal(r.status, 200);
	assert_null(jp(r.json, "data"));
	assert_string_equal(js(r.json, "errors.0.message"),
	    "Field 'skuu' doesn't exist on type 'ProductVariant'");
	assert_string_equal(js(r.json, "errors.0.extensions.code"),
	    "undefinedField");
	assert_non_null(jp(r.json, "errors.0.locations.0.line"));
	tresp_free(&r);
	/* an unsupported root field, an unknown argument, bad syntax */
	assert_int_equal(gq("{ customers(first: 1) { nodes { id } } }", NULL,
	    &r), 0);
	assert_string_equal(js(r.json, "errors.0.message"),
	    "Field 'customers' doesn't exist on type 'QueryRoot'");
	tresp_free(&r);
	assert_int_equal(gq("{ inventoryItem(id: \"" ITEM1 "\", bogus: 1) "
	    "{ id } }", NULL, &r), 0);
	assert_string_equal(js(r.json, "errors.0.extensions.code"),
	    "argumentNotAccepted");
	assert_non_null(strstr(js(r.json, "errors.0.message"), "bogus"));
	tresp_free(&r);
	assert_int_equal(gq("{ inventoryItem { id } }", NULL, &r), 0);
	assert_string_equal(js(r.json, "errors.0.message"),
	    "Field 'inventoryItem' is missing required arguments: id");
	tresp_free(&r);
	assert_int_equal(gq("{ shop { name }", NULL, &r), 0);
	assert_non_null(jp(r.json, "errors.0.message"));
	assert_string_equal(js(r.json, "errors.0.extensions.code"),
	    "PARSE_ERROR");
	tresp_free(&r);
	/* an input field that 2026-04 does not have */
	assert_int_equal(gq("mutation { webhookSubscriptionCreate(topic: "
	    "ORDERS_CREATE, webhookSubscription: {callbackUrl: \"http://x\"}) "
	    "{ userErrors { message } } }", NULL, &r), 0);
	assert_non_null(strstr(js(r.json, "errors.0.message"), "callbackUrl"));
	tresp_free(&r);
}

static void
test_product_variants_by_sku(void **state)
{
	struct tresp	 r;

	(void)state;
	assert_int_equal(gq("query($q: String) { productVariants(first: 5, "
	    "query: $q) { nodes { id sku inventoryItem { id } product { id "
	    "title } } edges { cursor node { sku } } } }",
	    json_pack("{s:s}", "q", "sku:SCARF-WOOL-BLUE"), &r), 0);
	assert_int_equal(r.status, 200);
	assert_int_equal(json_array_size(jp(r.json,
	    "data.productVariants.nodes")), 1);
	assert_string_equal(js(r.json, "data.productVariants.nodes.0.id"),
	    "gid://shopify/ProductVariant/44003");
	assert_string_equal(js(r.json, "data.productVariants.nodes.0.sku"),
	    "SCARF-WOOL-BLUE");
	assert_string_equal(js(r.json,
	    "data.productVariants.nodes.0.inventoryItem.id"),
	    "gid://shopify/InventoryItem/45003");
	assert_string_equal(js(r.json,
	    "data.productVariants.nodes.0.product.title"), "Wool scarf");
	assert_string_equal(js(r.json,
	    "data.productVariants.edges.0.node.sku"), "SCARF-WOOL-BLUE");
	assert_non_null(jp(r.json,
	    "extensions.cost.throttleStatus.currentlyAvailable"));
	tresp_free(&r);
}

static void
test_inventory_item_level(void **state)
{
	struct tresp	 r;

	(void)state;
	assert_int_equal(gq("query($id: ID!, $loc: ID!) { inventoryItem(id: "
	    "$id) { id sku inventoryLevel(locationId: $loc) { quantities("
	    "names: [\"available\", \"on_hand\"]) { name quantity } } } }",
	    json_pack("{s:s, s:s}", "id", ITEM1, "loc", LOC1), &r), 0);
	assert_string_equal(js(r.json, "data.inventoryItem.sku"),
	    "MUG-CERAMIC-01");
	assert_string_equal(js(r.json, "data.inventoryItem.inventoryLevel."
	    "quantities.0.name"), "available");
	assert_int_equal(ji(r.json, "data.inventoryItem.inventoryLevel."
	    "quantities.0.quantity"), 3);
	assert_int_equal(ji(r.json, "data.inventoryItem.inventoryLevel."
	    "quantities.1.quantity"), 3);
	tresp_free(&r);
}

/* --- inventorySetQuantities / inventoryAdjustQuantities --------------- */

static void
test_set_applies(void **state)
{
	struct tresp	 r;

	(void)state;
	set_available("k-apply", 7, 3, &r);
	assert_int_equal(json_array_size(jp(r.json,
	    "data.inventorySetQuantities.userErrors")), 0);
	assert_int_equal(ji(r.json, "data.inventorySetQuantities."
	    "inventoryAdjustmentGroup.changes.0.delta"), 4);
	tresp_free(&r);
	assert_int_equal(available("MUG-CERAMIC-01"), 7);
	/* explicit null opts out of the check */
	set_available("k-null", 5, -1, &r);
	assert_int_equal(json_array_size(jp(r.json,
	    "data.inventorySetQuantities.userErrors")), 0);
	tresp_free(&r);
	assert_int_equal(available("MUG-CERAMIC-01"), 5);
}

static void
test_set_stale(void **state)
{
	struct tresp	 r;

	(void)state;
	set_available("k-stale", 9, 2, &r);
	assert_string_equal(js(r.json, "data.inventorySetQuantities."
	    "userErrors.0.code"), "CHANGE_FROM_QUANTITY_STALE");
	assert_string_equal(js(r.json, "data.inventorySetQuantities."
	    "userErrors.0.field.3"), "changeFromQuantity");
	assert_true(json_is_null(jp(r.json, "data.inventorySetQuantities."
	    "inventoryAdjustmentGroup")));
	tresp_free(&r);
	assert_int_equal(available("MUG-CERAMIC-01"), 3);
}

static void
test_set_missing_cfq(void **state)
{
	struct tresp	 r;

	(void)state;
	set_available("k-missing", 9, -2, &r);
	assert_string_equal(js(r.json, "errors.0.extensions.code"),
	    "CHANGE_FROM_QUANTITY_REQUIRED");
	assert_non_null(strstr(js(r.json, "errors.0.message"),
	    "changeFromQuantity"));
	tresp_free(&r);
	assert_int_equal(available("MUG-CERAMIC-01"), 3);
	/* and @idempotent is mandatory in 2026-04 */
	assert_int_equal(gq("mutation { inventorySetQuantities(input: {name: "
	    "\"available\", reason: \"correction\", quantities: [{"
	    "inventoryItemId: \"" ITEM1 "\", locationId: \"" LOC1 "\", "
	    "quantity: 1, changeFromQuantity: 3}]}) { userErrors { code } } }",
	    NULL, &r), 0);
	assert_string_equal(js(r.json, "errors.0.extensions.code"),
	    "IDEMPOTENCY_KEY_REQUIRED");
	tresp_free(&r);
	assert_int_equal(available("MUG-CERAMIC-01"), 3);
}

static const char ADJ_Q[] =
    "mutation($input: InventoryAdjustQuantitiesInput!) {"
    " inventoryAdjustQuantities(input: $input) @idempotent(key: \"adj-1\") {"
    "  inventoryAdjustmentGroup { id changes { name delta } }"
    "  userErrors { code field message } } }";

static void
test_idempotent_replay(void **state)
{
	struct tresp	 r;
	char		 gid[128];
	json_t		*in;
	int		 i;

	(void)state;
	for (i = 0; i < 2; i++) {
		in = json_pack("{s:{s:s, s:s, s:[{s:s, s:s, s:i, s:i}]}}",
		    "input", "name", "available", "reason", "correction",
		    "changes", "inventoryItemId", ITEM1, "locationId", LOC1,
		    "delta", -1, "changeFromQuantity", 3);
		assert_int_equal(gq(ADJ_Q, in, &r), 0);
		assert_int_equal(json_array_size(jp(r.json,
		    "data.inventoryAdjustQuantities.userErrors")), 0);
		if (i == 0)
			(void)str_copy(gid, sizeof(gid), js(r.json,
			    "data.inventoryAdjustQuantities."
			    "inventoryAdjustmentGroup.id"));
		else	/* the original result, not a second change */
			assert_string_equal(js(r.json,
			    "data.inventoryAdjustQuantities."
			    "inventoryAdjustmentGroup.id"), gid);
		tresp_free(&r);
	}
	assert_int_equal(available("MUG-CERAMIC-01"), 2);
	ctl("GET", "/_sandbox/state", NULL, &r);
	assert_int_equal(ji(r.json, "idempotency_keys.adj-1.replays"), 1);
	assert_int_equal(ji(r.json, "events_fired"), 1);
	tresp_free(&r);
}

static void
test_idempotent_mismatch(void **state)
{
	struct tresp	 r;

	(void)state;
	set_available("same-key", 4, 3, &r);
	tresp_free(&r);
	set_available("same-key", 6, 4, &r);
	assert_string_equal(js(r.json, "data.inventorySetQuantities."
	    "userErrors.0.code"), "IDEMPOTENCY_KEY_PARAMETER_MISMATCH");
	tresp_free(&r);
	assert_int_equal(available("MUG-CERAMIC-01"), 4);
}

/* --- cost-based throttling -------------------------------------------- */

static void
test_throttled(void **state)
{
	struct tresp	 r;

	(void)state;
	ctl("POST", "/_sandbox/config", "{\"throttle\":{\"currently_available"
	    "\":0}}", &r);
	assert_int_equal(r.status, 200);
	tresp_free(&r);
	assert_int_equal(gq("{ shop { name } }", NULL, &r), 0);
	assert_int_equal(r.status, 200);
	assert_string_equal(js(r.json, "errors.0.extensions.code"),
	    "THROTTLED");
	assert_string_equal(js(r.json, "errors.0.message"), "Throttled");
	assert_null(jp(r.json, "data"));
	assert_int_equal(ji(r.json, "extensions.cost.requestedQueryCost"), 1);
	assert_true(json_number_value(jp(r.json, "extensions.cost."
	    "throttleStatus.maximumAvailable")) == 1000);
	assert_true(ji(r.json, "extensions.cost.throttleStatus."
	    "currentlyAvailable") < 1);
	tresp_free(&r);
	/* 50 points a second on the sandbox clock */
	assert_int_equal(ctl_status("POST", "/_sandbox/clock",
	    "{\"advance_s\":2}"), 200);
	assert_int_equal(gq("{ shop { name } }", NULL, &r), 0);
	assert_string_equal(js(r.json, "data.shop.name"), "SANDBOX shop");
	assert_true(ji(r.json, "extensions.cost.throttleStatus."
	    "currentlyAvailable") >= 98);
	tresp_free(&r);
}

/* --- webhooks ----------------------------------------------------------- */

static void
check_hmac(const struct hreq *h)
{
	unsigned char	 mac[EVP_MAX_MD_SIZE];
	unsigned int	 n = 0;
	char		 b64[128], got[128];

	HMAC(EVP_sha256(), SECRET, (int)strlen(SECRET),
	    (const unsigned char *)h->body, strlen(h->body), mac, &n);
	EVP_EncodeBlock((unsigned char *)b64, mac, (int)n);
	assert_string_equal(hget(h, "X-Shopify-Hmac-Sha256", got, sizeof(got)),
	    b64);
}

static void
test_webhook_orders_create(void **state)
{
	struct hreq	*h = malloc(sizeof(*h));
	char		 v[256];
	json_t		*b;

	(void)state;
	recv_start(0);
	subscribe("ORDERS_CREATE");
	assert_int_equal(order("MUG-CERAMIC-01", 1), 201);
	assert_int_equal(recv_wait(1, 5000), 1);
	recv_get(1, h);
	assert_non_null(strstr(h->raw, "POST /hooks/shopify "));
	check_hmac(h);
	assert_string_equal(hget(h, "X-Shopify-Topic", v, sizeof(v)),
	    "orders/create");
	assert_string_equal(hget(h, "X-Shopify-Shop-Domain", v, sizeof(v)),
	    "sandbox-shop.myshopify.com");
	assert_string_equal(hget(h, "X-Shopify-API-Version", v, sizeof(v)),
	    "2026-04");
	assert_string_equal(hget(h, "Content-Type", v, sizeof(v)),
	    "application/json");
	assert_true(strlen(hget(h, "X-Shopify-Webhook-Id", v, sizeof(v))) > 8);
	assert_true(strlen(hget(h, "X-Shopify-Event-Id", v, sizeof(v))) > 8);
	assert_non_null(strchr(hget(h, "X-Shopify-Triggered-At", v,
	    sizeof(v)), 'T'));
	b = json_loads(h->body, 0, NULL);
	assert_non_null(b);
	assert_int_equal(ji(b, "line_items.0.variant_id"), 44001);
	assert_string_equal(js(b, "line_items.0.sku"), "MUG-CERAMIC-01");
	assert_int_equal(ji(b, "line_items.0.quantity"), 1);
	json_decref(b);
	recv_stop();
	free(h);
	assert_int_equal(available("MUG-CERAMIC-01"), 2);
}

static void
test_webhook_echo_of_own_write(void **state)
{
	struct hreq	*h = malloc(sizeof(*h));
	struct tresp	 r;
	char		 v[64];
	json_t		*b;

	(void)state;
	recv_start(0);
	subscribe("INVENTORY_LEVELS_UPDATE");
	set_available("echo-1", 8, 3, &r);
	tresp_free(&r);
	assert_int_equal(recv_wait(1, 5000), 1);
	recv_get(1, h);
	check_hmac(h);
	assert_string_equal(hget(h, "X-Shopify-Topic", v, sizeof(v)),
	    "inventory_levels/update");
	b = json_loads(h->body, 0, NULL);
	assert_int_equal(json_object_size(b), 5);
	assert_int_equal(ji(b, "inventory_item_id"), 45001);
	assert_int_equal(ji(b, "location_id"), 1);
	assert_int_equal(ji(b, "available"), 8);
	assert_non_null(jp(b, "updated_at"));
	assert_string_equal(js(b, "admin_graphql_api_id"),
	    "gid://shopify/InventoryLevel/1?inventory_item_id=45001");
	json_decref(b);
	recv_stop();
	free(h);
}

static void
test_webhook_retry(void **state)
{
	struct tresp	 r;

	(void)state;
	recv_start(1);	/* 500 first, then 200 */
	subscribe("ORDERS_CREATE");
	assert_int_equal(order("MUG-CERAMIC-01", 1), 201);
	assert_int_equal(recv_wait(1, 5000), 1);
	/* retried by the sandbox's own timer after the 1 s backoff */
	assert_int_equal(recv_wait(2, 6000), 2);
	poll(NULL, 0, 100);
	ctl("GET", "/_sandbox/webhooks", NULL, &r);
	assert_int_equal(json_array_size(jp(r.json, "deliveries")), 1);
	assert_int_equal(ji(r.json, "deliveries.0.attempts"), 2);
	assert_int_equal(ji(r.json, "deliveries.0.last_status"), 200);
	assert_string_equal(js(r.json, "deliveries.0.state"), "delivered");
	tresp_free(&r);
	recv_stop();
}

static void
test_webhook_drop(void **state)
{
	struct tresp	 r;

	(void)state;
	recv_start(0);
	subscribe("ORDERS_CREATE");
	assert_int_equal(ctl_status("POST", "/_sandbox/faults",
	    "{\"webhooks\":{\"drop_rate\":1}}"), 200);
	assert_int_equal(order("MUG-CERAMIC-01", 1), 201);
	assert_int_equal(recv_wait(1, 500), 0);
	ctl("GET", "/_sandbox/webhooks", NULL, &r);
	assert_string_equal(js(r.json, "deliveries.0.state"), "dropped");
	tresp_free(&r);
	recv_stop();
}

static void
test_webhook_duplicate(void **state)
{
	struct hreq	*a = malloc(sizeof(*a)), *b = malloc(sizeof(*b));
	char		 ea[64], eb[64];

	(void)state;
	recv_start(0);
	subscribe("ORDERS_CREATE");
	assert_int_equal(ctl_status("POST", "/_sandbox/faults",
	    "{\"webhooks\":{\"duplicate_rate\":1}}"), 200);
	assert_int_equal(order("MUG-CERAMIC-01", 1), 201);
	assert_int_equal(recv_wait(2, 5000), 2);
	recv_get(1, a);
	recv_get(2, b);
	assert_string_equal(hget(a, "X-Shopify-Event-Id", ea, sizeof(ea)),
	    hget(b, "X-Shopify-Event-Id", eb, sizeof(eb)));
	assert_string_equal(a->body, b->body);
	recv_stop();
	free(a);
	free(b);
}

static void
test_webhook_hold_reorder(void **state)
{
	struct hreq	*h = malloc(sizeof(*h));
	json_t		*b;

	(void)state;
	recv_start(0);
	subscribe("ORDERS_CREATE");
	assert_int_equal(ctl_status("POST", "/_sandbox/faults",
	    "{\"webhooks\":{\"hold\":true,\"reorder\":true}}"), 200);
	assert_int_equal(order("MUG-CERAMIC-01", 1), 201);
	assert_int_equal(order("SCARF-WOOL-RED", 1), 201);
	assert_int_equal(recv_wait(1, 400), 0);
	assert_int_equal(ctl_status("POST", "/_sandbox/webhooks/flush", NULL),
	    202);
	assert_int_equal(recv_wait(2, 5000), 2);
	recv_get(1, h);	/* last placed, first delivered */
	b = json_loads(h->body, 0, NULL);
	assert_string_equal(js(b, "name"), "#1002");
	json_decref(b);
	recv_get(2, h);
	b = json_loads(h->body, 0, NULL);
	assert_string_equal(js(b, "name"), "#1001");
	json_decref(b);
	recv_stop();
	free(h);
}

static void
test_products_update_on_drift(void **state)
{
	struct hreq	*h = malloc(sizeof(*h));
	char		 v[64];
	json_t		*b, *x;
	size_t		 i;
	int		 found = 0;

	(void)state;
	recv_start(0);
	subscribe("PRODUCTS_UPDATE");
	assert_int_equal(ctl_status("POST", "/_sandbox/products/43002/variants",
	    "{\"sku\":\"SCARF-WOOL-GREY\",\"title\":\"Grey\",\"price\":\"45.00\","
	    "\"available\":4}"), 201);
	assert_int_equal(ctl_status("POST", "/_sandbox/variants/44002",
	    "{\"title\":\"Crimson\"}"), 200);
	assert_int_equal(recv_wait(2, 5000), 2);
	recv_get(2, h);
	assert_string_equal(hget(h, "X-Shopify-Topic", v, sizeof(v)),
	    "products/update");
	b = json_loads(h->body, 0, NULL);
	assert_int_equal(ji(b, "id"), 43002);
	json_array_foreach(json_object_get(b, "variants"), i, x) {
		if (strcmp(js(x, "sku"), "SCARF-WOOL-GREY") == 0)
			found |= 1;
		if (strcmp(js(x, "title"), "Crimson") == 0)
			found |= 2;
	}
	assert_int_equal(found, 3);
	json_decref(b);
	recv_stop();
	free(h);
}

/* --- the buyer's and the seller's side --------------------------------- */

static void
test_order_refused_when_zero(void **state)
{
	struct tresp	 r;

	(void)state;
	assert_int_equal(order("SCARF-WOOL-GREEN", 1), 409);
	assert_int_equal(order("SCARF-WOOL-BLUE", 3), 409);
	assert_int_equal(order("SCARF-WOOL-BLUE", 2), 201);
	assert_int_equal(order("SCARF-WOOL-BLUE", 1), 409);
	ctl("GET", "/_sandbox/orders", NULL, &r);
	assert_int_equal(json_array_size(jp(r.json, "orders")), 1);
	tresp_free(&r);
	assert_int_equal(available("SCARF-WOOL-BLUE"), 0);
}

#define Q_ORDERS "query($q: String!, $after: String) { orders(first: 1, " \
	"after: $after, query: $q, sortKey: UPDATED_AT) { nodes { id name " \
	"updatedAt cancelledAt lineItems(first: 5) { nodes { id sku " \
	"quantity variant { id } } pageInfo { hasNextPage } } } pageInfo { " \
	"hasNextPage endCursor } } }"

/* orders(query: "updated_at:>'…'", sortKey: UPDATED_AT), page by page */
static void
test_orders_updated_since(void **state)
{
	struct tresp	 r;
	char		 cur[128];

	(void)state;
	assert_int_equal(order("MUG-CERAMIC-01", 2), 201);
	assert_int_equal(order("SCARF-WOOL-RED", 1), 201);
	assert_int_equal(gq(Q_ORDERS, json_pack("{s:s}", "q",
	    "updated_at:>'2000-01-01T00:00:00Z'"), &r), 0);
	assert_int_equal(r.status, 200);
	assert_int_equal(json_array_size(jp(r.json, "data.orders.nodes")), 1);
	assert_string_equal(js(r.json, "data.orders.nodes.0.id"),
	    "gid://shopify/Order/5001");
	assert_true(json_is_null(jp(r.json, "data.orders.nodes.0.cancelledAt")));
	assert_string_equal(js(r.json,
	    "data.orders.nodes.0.lineItems.nodes.0.sku"), "MUG-CERAMIC-01");
	assert_int_equal(ji(r.json,
	    "data.orders.nodes.0.lineItems.nodes.0.quantity"), 2);
	assert_non_null(strstr(js(r.json,
	    "data.orders.nodes.0.lineItems.nodes.0.id"),
	    "gid://shopify/LineItem/"));
	assert_non_null(strstr(js(r.json,
	    "data.orders.nodes.0.lineItems.nodes.0.variant.id"),
	    "gid://shopify/ProductVariant/"));
	assert_true(json_is_true(jp(r.json, "data.orders.pageInfo.hasNextPage")));
	(void)str_copy(cur, sizeof(cur), js(r.json,
	    "data.orders.pageInfo.endCursor"));
	tresp_free(&r);
	assert_int_equal(gq(Q_ORDERS, json_pack("{s:s, s:s}", "q",
	    "updated_at:>'2000-01-01T00:00:00Z'", "after", cur), &r), 0);
	assert_string_equal(js(r.json, "data.orders.nodes.0.id"),
	    "gid://shopify/Order/5002");
	assert_true(json_is_false(jp(r.json,
	    "data.orders.pageInfo.hasNextPage")));
	tresp_free(&r);
	/* nothing updated after a future instant */
	assert_int_equal(gq(Q_ORDERS, json_pack("{s:s}", "q",
	    "updated_at:>'2999-01-01T00:00:00Z'"), &r), 0);
	assert_int_equal(json_array_size(jp(r.json, "data.orders.nodes")), 0);
	tresp_free(&r);
	/* a date that is not one is refused */
	assert_int_equal(gq(Q_ORDERS, json_pack("{s:s}", "q",
	    "updated_at:>'yesterday'"), &r), 0);
	assert_string_equal(js(r.json, "errors.0.extensions.code"),
	    "BAD_REQUEST");
	tresp_free(&r);
}

static void
test_order_commit_and_cancel(void **state)
{
	struct tresp	 r;
	json_t		*l;
	size_t		 i;

	(void)state;
	assert_int_equal(order("MUG-CERAMIC-01", 2), 201);
	assert_int_equal(available("MUG-CERAMIC-01"), 1);
	ctl("GET", "/_sandbox/state", NULL, &r);
	json_array_foreach(jp(r.json, "levels"), i, l)
		if (strcmp(js(l, "sku"), "MUG-CERAMIC-01") == 0) {
			assert_int_equal(ji(l, "committed"), 2);
			assert_int_equal(ji(l, "on_hand"), 3);
		}
	tresp_free(&r);
	assert_int_equal(ctl_status("POST", "/_sandbox/orders/5001/cancel",
	    "{\"restock\":true}"), 200);
	assert_int_equal(available("MUG-CERAMIC-01"), 3);
	assert_int_equal(ctl_status("POST", "/_sandbox/orders/5001/cancel",
	    "{}"), 409);
	/* without restock the units do not come back */
	assert_int_equal(order("SCARF-WOOL-RED", 2), 201);
	assert_int_equal(ctl_status("POST", "/_sandbox/orders/5002/cancel",
	    "{\"restock\":false}"), 200);
	assert_int_equal(available("SCARF-WOOL-RED"), 3);
	ctl("GET", "/_sandbox/events", NULL, &r);
	assert_string_equal(js(r.json, "events.0.topic"), "orders/create");
	assert_string_equal(js(r.json, "events.1.topic"),
	    "inventory_levels/update");
	assert_string_equal(js(r.json, "events.2.topic"), "orders/cancelled");
	assert_string_equal(js(r.json, "events.3.topic"),
	    "inventory_levels/update");
	assert_int_equal(ji(r.json, "events.3.body.available"), 3);
	tresp_free(&r);
}

static void
test_refund_restock_types(void **state)
{
	struct tresp	 r;

	(void)state;
	assert_int_equal(order("SCARF-WOOL-RED", 3), 201);	/* 5 → 2 */
	/* cancel: an unfulfilled unit goes back */
	assert_int_equal(ctl_status("POST", "/_sandbox/orders/5001/refunds",
	    "{\"refund_line_items\":[{\"sku\":\"SCARF-WOOL-RED\",\"quantity\":1,"
	    "\"restock_type\":\"cancel\"}]}"), 201);
	assert_int_equal(available("SCARF-WOOL-RED"), 3);
	/* return needs shipped units */
	assert_int_equal(ctl_status("POST", "/_sandbox/orders/5001/refunds",
	    "{\"refund_line_items\":[{\"line_item_id\":6001,\"quantity\":1,"
	    "\"restock_type\":\"return\"}]}"), 409);
	assert_int_equal(ctl_status("POST", "/_sandbox/orders/5001/fulfillments",
	    NULL), 201);
	assert_int_equal(ctl_status("POST", "/_sandbox/orders/5001/refunds",
	    "{\"refund_line_items\":[{\"line_item_id\":6001,\"quantity\":1,"
	    "\"restock_type\":\"return\"}]}"), 201);
	assert_int_equal(available("SCARF-WOOL-RED"), 4);
	/* no_restock: nothing comes back */
	assert_int_equal(ctl_status("POST", "/_sandbox/orders/5001/refunds",
	    "{\"refund_line_items\":[{\"line_item_id\":6001,\"quantity\":1,"
	    "\"restock_type\":\"no_restock\"}]}"), 201);
	assert_int_equal(available("SCARF-WOOL-RED"), 4);
	ctl("GET", "/_sandbox/events", NULL, &r);
	/* orders/create, level, refunds/create(cancel), level,
	 * fulfillments/create, refunds/create(return), level, refunds/create */
	assert_string_equal(js(r.json, "events.2.topic"), "refunds/create");
	assert_string_equal(js(r.json, "events.2.body.refund_line_items.0."
	    "restock_type"), "cancel");
	assert_int_equal(ji(r.json, "events.2.body.refund_line_items.0."
	    "location_id"), 1);
	assert_string_equal(js(r.json, "events.2.body.refund_line_items.0."
	    "line_item.sku"), "SCARF-WOOL-RED");
	assert_string_equal(js(r.json, "events.4.topic"), "fulfillments/create");
	assert_string_equal(js(r.json, "events.5.body.refund_line_items.0."
	    "restock_type"), "return");
	assert_string_equal(js(r.json, "events.7.body.refund_line_items.0."
	    "restock_type"), "no_restock");
	assert_null(jp(r.json, "events.8"));
	tresp_free(&r);
}

static void
test_seller_manual_edit(void **state)
{
	struct tresp	 r;

	(void)state;
	assert_int_equal(ctl_status("POST", "/_sandbox/inventory",
	    "{\"sku\":\"GIFT-SET-01\",\"available\":9}"), 200);
	assert_int_equal(available("GIFT-SET-01"), 9);
	ctl("GET", "/_sandbox/events", NULL, &r);
	assert_string_equal(js(r.json, "events.0.topic"),
	    "inventory_levels/update");
	assert_int_equal(ji(r.json, "events.0.body.available"), 9);
	tresp_free(&r);
}

static void
test_visibility_delay(void **state)
{
	struct tresp	 r;
	static const char q[] = "{ productVariants(first: 5, query: "
	    "\"sku:NEW-1\") { nodes { sku } } }";

	(void)state;
	assert_int_equal(ctl_status("POST", "/_sandbox/faults",
	    "{\"visibility_delay_s\":30}"), 200);
	assert_int_equal(ctl_status("POST", "/_sandbox/products",
	    "{\"title\":\"New\",\"variants\":[{\"sku\":\"NEW-1\","
	    "\"available\":1}]}"), 201);
	assert_int_equal(gq(q, NULL, &r), 0);
	assert_int_equal(json_array_size(jp(r.json,
	    "data.productVariants.nodes")), 0);
	tresp_free(&r);
	assert_int_equal(ctl_status("POST", "/_sandbox/clock",
	    "{\"advance_s\":31}"), 200);
	assert_int_equal(gq(q, NULL, &r), 0);
	assert_string_equal(js(r.json, "data.productVariants.nodes.0.sku"),
	    "NEW-1");
	tresp_free(&r);
}

/* --- faults at the HTTP level ------------------------------------------ */

static void
set_fault(const char *rule)
{
	char	 b[512];

	(void)str_fmt(b, sizeof(b), "{\"rules\":[%s]}", rule);
	assert_int_equal(ctl_status("POST", "/_sandbox/faults", b), 200);
}

static void
test_fault_5xx_and_429(void **state)
{
	struct tresp	 r;
	char		 ra[16];

	(void)state;
	set_fault("{\"kind\":\"5xx\",\"status\":503,\"times\":1}");
	assert_int_equal(gq("{ shop { name } }", NULL, &r), 0);
	assert_int_equal(r.status, 503);
	tresp_free(&r);
	assert_int_equal(gq("{ shop { name } }", NULL, &r), 0);
	assert_int_equal(r.status, 200);
	tresp_free(&r);
	set_fault("{\"kind\":\"429\",\"retry_after\":2,\"times\":1}");
	assert_int_equal(gq("{ shop { name } }", NULL, &r), 0);
	assert_int_equal(r.status, 429);
	assert_int_equal(tresp_header(&r, "retry-after", ra, sizeof(ra)), 0);
	assert_string_equal(ra, "2");
	tresp_free(&r);
}

static void
test_fault_reset(void **state)
{
	struct tresp	 r;

	(void)state;
	set_fault("{\"kind\":\"reset\",\"times\":1}");
	assert_int_equal(gq("{ shop { name } }", NULL, &r), -1);
	assert_int_equal(r.status, 0);
	tresp_free(&r);
}

static void
test_fault_truncate_malformed(void **state)
{
	struct tresp	 r;

	(void)state;
	set_fault("{\"kind\":\"truncate\",\"times\":1}");
	(void)gq("{ shop { name } }", NULL, &r);
	assert_null(r.json);	/* cut short: a transfer error or bad JSON */
	tresp_free(&r);
	set_fault("{\"kind\":\"malformed\",\"times\":1}");
	assert_int_equal(gq("{ shop { name } }", NULL, &r), 0);
	assert_int_equal(r.status, 200);
	assert_null(r.json);
	tresp_free(&r);
}

static void
test_fault_hang_and_slow(void **state)
{
	struct tresp	 r;
	struct timespec	 a, b;
	long		 ms;
	char		 url[512];
	static const char *const h[] = { TOKEN_H, NULL };

	(void)state;
	set_fault("{\"kind\":\"hang\",\"delay_ms\":2500,\"times\":1}");
	(void)str_fmt(url, sizeof(url), "%s%s", tenv(ENV), GQL);
	assert_int_equal(treq("POST", url, h, "{\"query\":\"{ shop { "
	    "name } }\"}", 1000, &r), -1);
	assert_int_equal(r.status, 0);	/* the client gave up */
	tresp_free(&r);
	poll(NULL, 0, 2000);	/* let the hang end */
	set_fault("{\"kind\":\"slow\",\"delay_ms\":300,\"times\":1}");
	clock_gettime(CLOCK_MONOTONIC, &a);
	assert_int_equal(gq("{ shop { name } }", NULL, &r), 0);
	clock_gettime(CLOCK_MONOTONIC, &b);
	ms = (b.tv_sec - a.tv_sec) * 1000 + (b.tv_nsec - a.tv_nsec) / 1000000;
	assert_int_equal(r.status, 200);
	assert_true(ms >= 290);
	tresp_free(&r);
}

static void
fault_pattern(char *out, size_t n)
{
	struct tresp	 r;
	size_t		 i;

	assert_int_equal(ctl_status("POST", "/_sandbox/reset", NULL), 200);
	assert_int_equal(ctl_status("POST", "/_sandbox/faults",
	    "{\"seed\":42,\"rules\":[{\"kind\":\"5xx\",\"rate\":0.5}]}"), 200);
	for (i = 0; i + 1 < n; i++) {
		assert_int_equal(gq("{ shop { name } }", NULL, &r), 0);
		out[i] = r.status == 200 ? '.' : 'X';
		tresp_free(&r);
	}
	out[n - 1] = '\0';
}

static void
test_seeded_faults_deterministic(void **state)
{
	char	 a[25], b[25];

	(void)state;
	fault_pattern(a, sizeof(a));
	fault_pattern(b, sizeof(b));
	assert_string_equal(a, b);
	assert_non_null(strchr(a, 'X'));
	assert_non_null(strchr(a, '.'));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_auth_401, setup),
		cmocka_unit_test_setup(test_unknown_field_named, setup),
		cmocka_unit_test_setup(test_product_variants_by_sku, setup),
		cmocka_unit_test_setup(test_inventory_item_level, setup),
		cmocka_unit_test_setup(test_set_applies, setup),
		cmocka_unit_test_setup(test_set_stale, setup),
		cmocka_unit_test_setup(test_set_missing_cfq, setup),
		cmocka_unit_test_setup(test_idempotent_replay, setup),
		cmocka_unit_test_setup(test_idempotent_mismatch, setup),
		cmocka_unit_test_setup(test_throttled, setup),
		cmocka_unit_test_setup(test_webhook_orders_create, setup),
		cmocka_unit_test_setup(test_webhook_echo_of_own_write, setup),
		cmocka_unit_test_setup(test_webhook_retry, setup),
		cmocka_unit_test_setup(test_webhook_drop, setup),
		cmocka_unit_test_setup(test_webhook_duplicate, setup),
		cmocka_unit_test_setup(test_webhook_hold_reorder, setup),
		cmocka_unit_test_setup(test_products_update_on_drift, setup),
		cmocka_unit_test_setup(test_order_refused_when_zero, setup),
		cmocka_unit_test_setup(test_order_commit_and_cancel, setup),
		cmocka_unit_test_setup(test_refund_restock_types, setup),
		cmocka_unit_test_setup(test_seller_manual_edit, setup),
		cmocka_unit_test_setup(test_visibility_delay, setup),
		cmocka_unit_test_setup(test_fault_5xx_and_429, setup),
		cmocka_unit_test_setup(test_fault_reset, setup),
		cmocka_unit_test_setup(test_fault_truncate_malformed, setup),
		cmocka_unit_test_setup(test_fault_hang_and_slow, setup),
		cmocka_unit_test_setup(test_seeded_faults_deterministic, setup),
		cmocka_unit_test_setup(test_orders_updated_since, setup),
	};

	(void)tenv(ENV);
	return cmocka_run_group_tests_name("sandbox_shopify", tests, NULL,
	    NULL);
}
