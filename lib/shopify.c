/*
 * shopify: the Shopify adapter (see shopify.h).
 */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "channel.h"
#include "clock.h"
#include "err.h"
#include "httpc.h"
#include "shopify.h"
#include "str.h"

/* ---- the GraphQL documents (constant text; values go in variables) ---- */

static const char Q_FIND[] =
    "query StockhubFindVariants($q: String!) {"
    " productVariants(first: 10, query: $q) {"
    " nodes { id sku inventoryItem { id } } } }";

static const char Q_CATALOG[] =
    "query StockhubCatalog($after: String) {"
    " productVariants(first: 100, after: $after) {"
    " nodes { id sku title inventoryItem { id } }"
    " pageInfo { hasNextPage endCursor } } }";

static const char Q_ORDERS[] =
    "query StockhubOrdersSince($q: String!, $after: String) {"
    " orders(first: 5, after: $after, query: $q, sortKey: UPDATED_AT) {"
    " nodes { id name createdAt updatedAt cancelledAt"
    " lineItems(first: 25) { nodes { id sku quantity variant { id } }"
    " pageInfo { hasNextPage } } }"
    " pageInfo { hasNextPage endCursor } } }";

static const char Q_LEVEL[] =
    "query StockhubReadLevel($item: ID!, $location: ID!) {"
    " inventoryItem(id: $item) { id"
    " inventoryLevel(locationId: $location) {"
    " quantities(names: [\"available\"]) { name quantity } } } }";

/* @idempotent is declared "on FIELD": it goes on the mutation field. */
static const char Q_SET[] =
    "mutation StockhubSetAvailable($input: InventorySetQuantitiesInput!,"
    " $key: String!) {"
    " inventorySetQuantities(input: $input) @idempotent(key: $key) {"
    " inventoryAdjustmentGroup { id }"
    " userErrors { code field message } } }";

static const char Q_HOOK[] =
    "mutation StockhubWebhookCreate($topic: WebhookSubscriptionTopic!,"
    " $sub: WebhookSubscriptionInput!) {"
    " webhookSubscriptionCreate(topic: $topic, webhookSubscription: $sub) {"
    " webhookSubscription { id topic uri }"
    " userErrors { field message } } }";

#define KEY_MAX		200	/* a job's idempotency key, in push */
#define KEY_LIMIT	255	/* any @idempotent key we send */
#define TOKEN_MAX	512

/* ---- topics ------------------------------------------------------------- */

static const char *const topic_enums[SHOPIFY_TOPIC__MAX] = {
	"ORDERS_CREATE", "ORDERS_CANCELLED", "REFUNDS_CREATE",
	"INVENTORY_LEVELS_UPDATE", "PRODUCTS_UPDATE", "FULFILLMENTS_CREATE",
};

static const char *const topic_headers[SHOPIFY_TOPIC__MAX] = {
	"orders/create", "orders/cancelled", "refunds/create",
	"inventory_levels/update", "products/update", "fulfillments/create",
};

const char *
shopify_topic_enum(enum shopify_topic t)
{
	return (unsigned)t < SHOPIFY_TOPIC__MAX ? topic_enums[t] : NULL;
}

const char *
shopify_topic_header(enum shopify_topic t)
{
	return (unsigned)t < SHOPIFY_TOPIC__MAX ? topic_headers[t] : NULL;
}

int
shopify_topic_parse(const char *header, enum shopify_topic *out)
{
	size_t	 i;

	if (header == NULL)
		return -1;
	for (i = 0; i < SHOPIFY_TOPIC__MAX; i++)
		if (strcmp(header, topic_headers[i]) == 0) {
			*out = (enum shopify_topic)i;
			return 0;
		}
	return -1;
}

/* ---- small helpers ------------------------------------------------------ */

/* 1 when s is a positive decimal id that fits int64 (no sign, no 0). */
static int
numeric_id(const char *s, int64_t *out)
{
	int64_t	 v;
	size_t	 i;

	if (s == NULL || s[0] == '\0' || s[0] == '0')
		return 0;
	for (i = 0; s[i] != '\0'; i++)
		if (s[i] < '0' || s[i] > '9')
			return 0;
	if (str_to_i64(s, 1, INT64_MAX, &v) == -1)
		return 0;
	if (out != NULL)
		*out = v;
	return 1;
}

/* Copy at most dstsz-1 bytes of a UTF-8 string, cut on a code point. */
static void
copy_utf8_trunc(char *dst, size_t dstsz, const char *src, size_t n)
{
	if (n >= dstsz) {
		n = dstsz - 1;
		/* back up over continuation bytes to a lead byte */
		while (n > 0 && ((unsigned char)src[n] & 0xc0) == 0x80)
			n--;
	}
	memcpy(dst, src, n);
	dst[n] = '\0';
}

/* Dump a JSON value compactly into *out (malloc'd). Takes no reference. */
static int
dump(const json_t *v, char **out, struct err *e)
{
	if ((*out = json_dumps(v, JSON_COMPACT)) == NULL)
		return err_set(e, ERR_SYS, "out of memory");
	return 0;
}

int
shopify_gid(char *out, size_t outsz, const char *type, const char *id,
    struct err *e)
{
	if (type == NULL || type[0] == '\0')
		return err_set(e, ERR_INVALID, "gid: no type");
	if (!numeric_id(id, NULL))
		return err_set(e, ERR_INVALID, "gid: %s id is not a numeric id",
		    type);
	if (str_fmt(out, outsz, "gid://shopify/%s/%s", type, id) == -1)
		return err_set(e, ERR_INVALID, "gid: %s id too long", type);
	return 0;
}

int
shopify_gid_parse(const char *gid, const char *type, int64_t *out)
{
	static const char	 pre[] = "gid://shopify/";
	size_t			 tl;

	if (gid == NULL || type == NULL ||
	    strncmp(gid, pre, sizeof(pre) - 1) != 0)
		return -1;
	gid += sizeof(pre) - 1;
	tl = strlen(type);
	if (tl == 0 || strncmp(gid, type, tl) != 0 || gid[tl] != '/')
		return -1;
	return numeric_id(gid + tl + 1, out) ? 0 : -1;
}

/* ---- builders ------------------------------------------------------------ */

int
shopify_sku_query(const char *sku, char *out, size_t outsz, struct err *e)
{
	const char	*p;
	size_t		 n = 0;
	int		 esc;

	if (sku == NULL || sku[0] == '\0')
		return err_set(e, ERR_INVALID, "sku: empty");
	if (out == NULL || outsz < 8)
		return err_set(e, ERR_INVALID, "sku: no room");
	memcpy(out, "sku:\"", 5);
	n = 5;
	for (p = sku; *p != '\0'; p++) {
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			return err_set(e, ERR_INVALID,
			    "sku: control character");
		esc = *p == '"' || *p == '\\';
		/* the (escaped) byte, the closing quote and the NUL fit */
		if (n + (esc ? 2 : 1) + 2 > outsz)
			return err_set(e, ERR_INVALID, "sku: too long");
		if (esc)
			out[n++] = '\\';
		out[n++] = *p;
	}
	out[n++] = '"';
	out[n] = '\0';
	return 0;
}

int
shopify_build_find_variants(const char *sku, char **out, struct err *e)
{
	char	 q[2 * SHOPIFY_SKU_MAX + 16];
	json_t	*v = NULL;
	int	 rc = -1;

	*out = NULL;
	if (sku == NULL || strlen(sku) >= SHOPIFY_SKU_MAX) {
		err_set(e, ERR_INVALID, "sku: missing or too long");
		goto out;
	}
	if (shopify_sku_query(sku, q, sizeof(q), e) == -1)
		goto out;
	v = json_pack("{s:s, s:s, s:{s:s}}", "query", Q_FIND,
	    "operationName", "StockhubFindVariants", "variables", "q", q);
	if (v == NULL) {
		err_set(e, ERR_INVALID, "sku: not valid UTF-8");
		goto out;
	}
	rc = dump(v, out, e);
out:
	json_decref(v);
	return rc;
}

int
shopify_build_read_level(const char *item_id, const char *location_id,
    char **out, struct err *e)
{
	char	 item[SHOPIFY_GID_MAX], loc[SHOPIFY_GID_MAX];
	json_t	*v = NULL;
	int	 rc = -1;

	*out = NULL;
	if (shopify_gid(item, sizeof(item), "InventoryItem", item_id, e) ==
	    -1 || shopify_gid(loc, sizeof(loc), "Location", location_id, e) ==
	    -1)
		goto out;
	v = json_pack("{s:s, s:s, s:{s:s, s:s}}", "query", Q_LEVEL,
	    "operationName", "StockhubReadLevel", "variables",
	    "item", item, "location", loc);
	if (v == NULL) {
		err_set(e, ERR_SYS, "out of memory");
		goto out;
	}
	rc = dump(v, out, e);
out:
	json_decref(v);
	return rc;
}

/* A usable @idempotent key: 1..KEY_LIMIT bytes, no control characters,
 * not all blank. */
static int
key_ok(const char *key)
{
	size_t	 i;
	int	 blank = 1;

	if (key == NULL)
		return 0;
	for (i = 0; key[i] != '\0'; i++) {
		if ((unsigned char)key[i] < 0x20 || key[i] == 0x7f)
			return 0;
		if (key[i] != ' ')
			blank = 0;
	}
	return i > 0 && i <= KEY_LIMIT && !blank;
}

int
shopify_build_set(const char *item_id, const char *location_id,
    int64_t quantity, int64_t change_from, const char *key, char **out,
    struct err *e)
{
	static const char	 hex[] = "0123456789ABCDEF";
	char			 item[SHOPIFY_GID_MAX], loc[SHOPIFY_GID_MAX];
	char			 uri[32 + 3 * KEY_LIMIT];
	size_t			 i, n;
	json_t			*v = NULL;
	int			 rc = -1;

	*out = NULL;
	if (!key_ok(key)) {
		err_set(e, ERR_INVALID, "idempotency key: empty, blank, too "
		    "long or with control characters");
		goto out;
	}
	if (quantity < 0 || quantity > SHOPIFY_QTY_MAX) {
		err_set(e, ERR_INVALID, "quantity: out of range");
		goto out;
	}
	if (change_from < -SHOPIFY_QTY_MAX || change_from > SHOPIFY_QTY_MAX) {
		err_set(e, ERR_INVALID, "changeFromQuantity: out of range");
		goto out;
	}
	if (shopify_gid(item, sizeof(item), "InventoryItem", item_id, e) ==
	    -1 || shopify_gid(loc, sizeof(loc), "Location", location_id, e) ==
	    -1)
		goto out;
	/* gid://stockhub/Push/<key>, the key percent-encoded as a URI part */
	n = 0;
	for (i = 0; "gid://stockhub/Push/"[i] != '\0'; i++)
		uri[n++] = "gid://stockhub/Push/"[i];
	for (i = 0; key[i] != '\0'; i++) {
		unsigned char c = (unsigned char)key[i];

		if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
		    (c >= '0' && c <= '9') || c == '-' || c == '.' ||
		    c == '_' || c == '~')
			uri[n++] = (char)c;
		else {
			uri[n++] = '%';
			uri[n++] = hex[c >> 4];
			uri[n++] = hex[c & 15];
		}
	}
	uri[n] = '\0';
	v = json_pack("{s:s, s:s, s:{s:{s:s, s:s, s:s, s:[{s:s, s:s, s:I, "
	    "s:I}]}, s:s}}", "query", Q_SET,
	    "operationName", "StockhubSetAvailable",
	    "variables",
	    "input",
	    "name", "available",
	    "reason", "correction",
	    "referenceDocumentUri", uri,
	    "quantities",
	    "inventoryItemId", item,
	    "locationId", loc,
	    "quantity", (json_int_t)quantity,
	    "changeFromQuantity", (json_int_t)change_from,
	    "key", key);
	if (v == NULL) {
		err_set(e, ERR_INVALID, "idempotency key: not valid UTF-8");
		goto out;
	}
	rc = dump(v, out, e);
out:
	json_decref(v);
	return rc;
}

int
shopify_build_webhook_create(enum shopify_topic t, const char *uri,
    char **out, struct err *e)
{
	json_t	*v = NULL;
	size_t	 i;
	int	 rc = -1;

	*out = NULL;
	if (shopify_topic_enum(t) == NULL) {
		err_set(e, ERR_INVALID, "topic: unknown");
		goto out;
	}
	if (uri == NULL || (strncmp(uri, "https://", 8) != 0 &&
	    strncmp(uri, "http://", 7) != 0) || strlen(uri) > 2048) {
		err_set(e, ERR_INVALID, "uri: not an http(s) URL");
		goto out;
	}
	for (i = 0; uri[i] != '\0'; i++)
		if ((unsigned char)uri[i] <= 0x20 || uri[i] == 0x7f) {
			err_set(e, ERR_INVALID, "uri: space or control "
			    "character");
			goto out;
		}
	v = json_pack("{s:s, s:s, s:{s:s, s:{s:s, s:s}}}", "query", Q_HOOK,
	    "operationName", "StockhubWebhookCreate", "variables",
	    "topic", shopify_topic_enum(t),
	    "sub", "uri", uri, "format", "JSON");
	if (v == NULL) {
		err_set(e, ERR_INVALID, "uri: not valid UTF-8");
		goto out;
	}
	rc = dump(v, out, e);
out:
	json_decref(v);
	return rc;
}

/* ---- GraphQL answers ----------------------------------------------------- */

void
shopify_gql_free(struct shopify_gql *g)
{
	if (g == NULL)
		return;
	json_decref(g->root);
	g->root = NULL;
	g->data = NULL;
}

/* A number member of o into *out; 0 absent, 1 read, -1 wrong type. */
static int
num_member(const json_t *o, const char *key, double *out)
{
	json_t	*v = json_object_get(o, key);

	if (v == NULL || json_is_null(v))
		return 0;
	if (!json_is_number(v))
		return -1;
	*out = json_number_value(v);
	return 1;
}

static int
gql_cost(struct shopify_gql *g, const json_t *ext, struct err *e)
{
	json_t	*cost, *ts;

	if (ext == NULL || json_is_null(ext))
		return 0;
	if (!json_is_object(ext))
		return err_set(e, ERR_INVALID, "extensions: not an object");
	cost = json_object_get(ext, "cost");
	if (cost == NULL || json_is_null(cost))
		return 0;
	if (!json_is_object(cost))
		return err_set(e, ERR_INVALID,
		    "extensions.cost: not an object");
	if (num_member(cost, "requestedQueryCost", &g->requested_cost) == -1)
		return err_set(e, ERR_INVALID,
		    "extensions.cost.requestedQueryCost: not a number");
	ts = json_object_get(cost, "throttleStatus");
	if (ts == NULL || json_is_null(ts))
		return 0;
	if (!json_is_object(ts))
		return err_set(e, ERR_INVALID,
		    "extensions.cost.throttleStatus: not an object");
	if (num_member(ts, "maximumAvailable", &g->maximum_available) != 1)
		return err_set(e, ERR_INVALID, "extensions.cost.throttleStatus."
		    "maximumAvailable: missing or not a number");
	if (num_member(ts, "currentlyAvailable", &g->currently_available) != 1)
		return err_set(e, ERR_INVALID, "extensions.cost.throttleStatus."
		    "currentlyAvailable: missing or not a number");
	if (num_member(ts, "restoreRate", &g->restore_rate) != 1)
		return err_set(e, ERR_INVALID, "extensions.cost.throttleStatus."
		    "restoreRate: missing or not a number");
	g->has_cost = 1;
	return 0;
}

static int
gql_errors(struct shopify_gql *g, const json_t *errs, struct err *e)
{
	json_t		*it, *m, *ext, *code;
	size_t		 i;
	const char	*s;

	if (errs == NULL || json_is_null(errs))
		return 0;
	if (json_is_string(errs)) {	/* {"errors": "[API] ..."} */
		g->nerrors = 1;
		copy_utf8_trunc(g->error_msg, sizeof(g->error_msg),
		    json_string_value(errs), json_string_length(errs));
		return 0;
	}
	if (json_is_object(errs)) {
		g->nerrors = 1;
		(void)str_copy(g->error_msg, sizeof(g->error_msg),
		    "(error object)");
		return 0;
	}
	if (!json_is_array(errs))
		return err_set(e, ERR_INVALID, "errors: not an array");
	g->nerrors = json_array_size(errs) > 1000 ? 1000 :
	    (int)json_array_size(errs);
	json_array_foreach(errs, i, it) {
		if (!json_is_object(it))
			return err_set(e, ERR_INVALID,
			    "errors[%zu]: not an object", i);
		m = json_object_get(it, "message");
		ext = json_object_get(it, "extensions");
		code = json_is_object(ext) ? json_object_get(ext, "code") :
		    NULL;
		s = json_is_string(code) ? json_string_value(code) : "";
		if (strcmp(s, "THROTTLED") == 0)
			g->throttled = 1;
		if (i == 0) {
			(void)str_copy(g->error_code, sizeof(g->error_code),
			    s);
			if (json_is_string(m))
				copy_utf8_trunc(g->error_msg,
				    sizeof(g->error_msg), json_string_value(m),
				    json_string_length(m));
		}
	}
	return 0;
}

int
shopify_gql_parse(const char *body, size_t len, struct shopify_gql *g,
    struct err *e)
{
	json_error_t	 je;
	json_t		*d;

	memset(g, 0, sizeof(*g));
	if (body == NULL || len == 0)
		return err_set(e, ERR_INVALID, "graphql answer: empty");
	g->root = json_loadb(body, len, JSON_REJECT_DUPLICATES, &je);
	if (g->root == NULL)
		return err_set(e, ERR_INVALID, "graphql answer: invalid JSON "
		    "at line %d column %d: %s", je.line, je.column, je.text);
	if (!json_is_object(g->root)) {
		err_set(e, ERR_INVALID, "graphql answer: not an object");
		goto fail;
	}
	d = json_object_get(g->root, "data");
	if (d != NULL && !json_is_null(d)) {
		if (!json_is_object(d)) {
			err_set(e, ERR_INVALID, "data: not an object");
			goto fail;
		}
		g->data = d;
	}
	if (gql_errors(g, json_object_get(g->root, "errors"), e) == -1 ||
	    gql_cost(g, json_object_get(g->root, "extensions"), e) == -1)
		goto fail;
	return 0;
fail:
	shopify_gql_free(g);
	return -1;
}

int64_t
shopify_throttle_wait_s(const struct shopify_gql *g)
{
	double	 need, shortfall, w;
	int64_t	 s;

	if (g == NULL)
		return 0;
	if (!g->has_cost || g->restore_rate <= 0)
		return g->throttled ? 1 : 0;
	need = g->requested_cost > 0 ? g->requested_cost : 1;
	if (g->maximum_available > 0 && need > g->maximum_available)
		need = g->maximum_available;
	shortfall = need - g->currently_available;
	if (shortfall <= 0)
		return g->throttled ? 1 : 0;
	w = shortfall / g->restore_rate;
	if (w >= 60)
		return 60;
	s = (int64_t)w;
	if ((double)s < w)
		s++;
	return s < 1 ? 1 : s;
}

/* data.<name> as an object, or an error naming it. */
static json_t *
data_member(const struct shopify_gql *g, const char *name, int nullable,
    struct err *e)
{
	json_t	*v;

	if (g == NULL || g->data == NULL) {
		err_set(e, ERR_INVALID, "data: missing");
		return NULL;
	}
	v = json_object_get(g->data, name);
	if (v == NULL || (json_is_null(v) && !nullable)) {
		err_set(e, ERR_INVALID, "data.%s: missing", name);
		return NULL;
	}
	if (!json_is_null(v) && !json_is_object(v)) {
		err_set(e, ERR_INVALID, "data.%s: not an object", name);
		return NULL;
	}
	return v;
}

int
shopify_parse_variants(const struct shopify_gql *g, const char *sku,
    struct shopify_variant *v, size_t max, size_t *n, struct err *e)
{
	json_t		*pv, *nodes, *node, *id, *s, *ii, *iid;
	size_t		 i;

	*n = 0;
	if ((pv = data_member(g, "productVariants", 0, e)) == NULL)
		return -1;
	nodes = json_object_get(pv, "nodes");
	if (!json_is_array(nodes))
		return err_set(e, ERR_INVALID,
		    "data.productVariants.nodes: not an array");
	json_array_foreach(nodes, i, node) {
		struct shopify_variant	 tmp;

		memset(&tmp, 0, sizeof(tmp));
		if (!json_is_object(node))
			return err_set(e, ERR_INVALID, "data.productVariants."
			    "nodes[%zu]: not an object", i);
		id = json_object_get(node, "id");
		s = json_object_get(node, "sku");
		ii = json_object_get(node, "inventoryItem");
		iid = json_is_object(ii) ? json_object_get(ii, "id") : NULL;
		if (!json_is_string(id) || shopify_gid_parse(
		    json_string_value(id), "ProductVariant",
		    &tmp.variant_id) == -1)
			return err_set(e, ERR_INVALID, "data.productVariants."
			    "nodes[%zu].id: not a ProductVariant GID", i);
		if (!json_is_string(iid) || shopify_gid_parse(
		    json_string_value(iid), "InventoryItem",
		    &tmp.inventory_item_id) == -1)
			return err_set(e, ERR_INVALID, "data.productVariants."
			    "nodes[%zu].inventoryItem.id: not an InventoryItem "
			    "GID", i);
		if (s != NULL && !json_is_null(s) && !json_is_string(s))
			return err_set(e, ERR_INVALID, "data.productVariants."
			    "nodes[%zu].sku: not a string", i);
		/* exact match only: the search is fuzzy */
		if (!json_is_string(s) || sku == NULL ||
		    json_string_length(s) != strlen(sku) ||
		    strcmp(json_string_value(s), sku) != 0)
			continue;
		if (str_copy(tmp.sku, sizeof(tmp.sku), sku) == -1)
			continue;
		if (*n < max)
			v[*n] = tmp;
		(*n)++;
		if (*n >= max)
			break;
	}
	return 0;
}

int
shopify_parse_level(const struct shopify_gql *g, int64_t *available,
    struct err *e)
{
	json_t		*item, *lvl, *qs, *q, *name, *qty;
	size_t		 i;

	if ((item = data_member(g, "inventoryItem", 1, e)) == NULL)
		return -1;
	if (json_is_null(item))
		return err_set(e, ERR_NOTFOUND, "inventory item not found");
	lvl = json_object_get(item, "inventoryLevel");
	if (lvl == NULL)
		return err_set(e, ERR_INVALID,
		    "data.inventoryItem.inventoryLevel: missing");
	if (json_is_null(lvl))
		return err_set(e, ERR_NOTFOUND, "inventory item not stocked "
		    "at this location");
	if (!json_is_object(lvl))
		return err_set(e, ERR_INVALID,
		    "data.inventoryItem.inventoryLevel: not an object");
	qs = json_object_get(lvl, "quantities");
	if (!json_is_array(qs))
		return err_set(e, ERR_INVALID, "data.inventoryItem."
		    "inventoryLevel.quantities: not an array");
	json_array_foreach(qs, i, q) {
		name = json_object_get(q, "name");
		qty = json_object_get(q, "quantity");
		if (!json_is_object(q) || !json_is_string(name))
			return err_set(e, ERR_INVALID, "data.inventoryItem."
			    "inventoryLevel.quantities[%zu]: no name", i);
		if (strcmp(json_string_value(name), "available") != 0)
			continue;
		if (!json_is_integer(qty) ||
		    json_integer_value(qty) < -SHOPIFY_QTY_MAX ||
		    json_integer_value(qty) > SHOPIFY_QTY_MAX)
			return err_set(e, ERR_INVALID, "data.inventoryItem."
			    "inventoryLevel.quantities[%zu].quantity: not an "
			    "integer in range", i);
		*available = json_integer_value(qty);
		return 0;
	}
	return err_set(e, ERR_INVALID, "data.inventoryItem.inventoryLevel."
	    "quantities: no \"available\" quantity");
}

static enum shopify_set_status
set_code_status(const char *code)
{
	if (strcmp(code, "CHANGE_FROM_QUANTITY_STALE") == 0 ||
	    strcmp(code, "COMPARE_QUANTITY_STALE") == 0)
		return SHOPIFY_SET_STALE;
	if (strcmp(code, "IDEMPOTENCY_KEY_PARAMETER_MISMATCH") == 0 ||
	    strcmp(code, "IDEMPOTENCY_PREVIOUS_ATTEMPT_FAILED") == 0)
		return SHOPIFY_SET_KEY_REUSED;
	if (strcmp(code, "IDEMPOTENCY_CONCURRENT_REQUEST") == 0)
		return SHOPIFY_SET_BUSY;
	return SHOPIFY_SET_FAILED;
}

int
shopify_parse_set(const struct shopify_gql *g, struct shopify_set_result *r,
    struct err *e)
{
	json_t		*p, *ue, *it, *code, *msg, *grp, *gid;
	size_t		 i;
	const char	*c;
	enum shopify_set_status st;

	memset(r, 0, sizeof(*r));
	if ((p = data_member(g, "inventorySetQuantities", 0, e)) == NULL)
		return -1;
	ue = json_object_get(p, "userErrors");
	if (!json_is_array(ue))
		return err_set(e, ERR_INVALID, "data.inventorySetQuantities."
		    "userErrors: not an array");
	json_array_foreach(ue, i, it) {
		if (!json_is_object(it))
			return err_set(e, ERR_INVALID, "data.inventorySet"
			    "Quantities.userErrors[%zu]: not an object", i);
		code = json_object_get(it, "code");
		msg = json_object_get(it, "message");
		if (code != NULL && !json_is_null(code) &&
		    !json_is_string(code))
			return err_set(e, ERR_INVALID, "data.inventorySet"
			    "Quantities.userErrors[%zu].code: not a string",
			    i);
		if (!json_is_string(msg))
			return err_set(e, ERR_INVALID, "data.inventorySet"
			    "Quantities.userErrors[%zu].message: not a string",
			    i);
		c = json_is_string(code) ? json_string_value(code) : "";
		st = set_code_status(c);
		/* the first error decides, but a stale one wins over all */
		if (i == 0 || st == SHOPIFY_SET_STALE) {
			r->status = st;
			(void)str_copy(r->code, sizeof(r->code), c);
			copy_utf8_trunc(r->message, sizeof(r->message),
			    json_string_value(msg), json_string_length(msg));
		}
		if (st == SHOPIFY_SET_STALE)
			break;
	}
	if (json_array_size(ue) > 0)
		return 0;
	r->status = SHOPIFY_SET_OK;
	grp = json_object_get(p, "inventoryAdjustmentGroup");
	if (grp == NULL || json_is_null(grp))
		return 0;	/* nothing changed */
	gid = json_is_object(grp) ? json_object_get(grp, "id") : NULL;
	if (!json_is_string(gid))
		return err_set(e, ERR_INVALID, "data.inventorySetQuantities."
		    "inventoryAdjustmentGroup.id: not a string");
	copy_utf8_trunc(r->group_id, sizeof(r->group_id),
	    json_string_value(gid), json_string_length(gid));
	return 0;
}

int
shopify_parse_webhook_create(const struct shopify_gql *g, char *id,
    size_t idsz, struct err *e)
{
	json_t	*p, *ue, *first, *msg, *ws, *wid;

	if ((p = data_member(g, "webhookSubscriptionCreate", 0, e)) == NULL)
		return -1;
	ue = json_object_get(p, "userErrors");
	if (!json_is_array(ue))
		return err_set(e, ERR_INVALID, "data.webhookSubscriptionCreate."
		    "userErrors: not an array");
	if (json_array_size(ue) > 0) {
		first = json_array_get(ue, 0);
		msg = json_is_object(first) ?
		    json_object_get(first, "message") : NULL;
		return err_set(e, ERR_CONFLICT, "webhook subscription "
		    "refused: %.200s", json_is_string(msg) ?
		    json_string_value(msg) : "(no message)");
	}
	ws = json_object_get(p, "webhookSubscription");
	wid = json_is_object(ws) ? json_object_get(ws, "id") : NULL;
	if (!json_is_string(wid))
		return err_set(e, ERR_INVALID, "data.webhookSubscriptionCreate."
		    "webhookSubscription.id: not a string");
	if (id != NULL && idsz > 0 &&
	    str_copy(id, idsz, json_string_value(wid)) == -1)
		return err_set(e, ERR_INVALID, "data.webhookSubscriptionCreate."
		    "webhookSubscription.id: too long");
	return 0;
}

/* ---- webhook payloads ---------------------------------------------------- */

#define F_REQ	1u	/* the key must be present */
#define F_NULL	2u	/* null is allowed (and read as absent) */

static json_t *
load_object(const char *body, size_t len, const char *what, struct err *e)
{
	json_error_t	 je;
	json_t		*root;

	if (body == NULL || len == 0) {
		err_set(e, ERR_INVALID, "%s: empty body", what);
		return NULL;
	}
	if (len > SHOPIFY_PAYLOAD_MAX) {
		err_set(e, ERR_TOOBIG, "%s: body over %d bytes", what,
		    SHOPIFY_PAYLOAD_MAX);
		return NULL;
	}
	root = json_loadb(body, len, JSON_REJECT_DUPLICATES, &je);
	if (root == NULL) {
		err_set(e, ERR_INVALID, "%s: invalid JSON at line %d column "
		    "%d: %s", what, je.line, je.column, je.text);
		return NULL;
	}
	if (!json_is_object(root)) {
		json_decref(root);
		err_set(e, ERR_INVALID, "%s: not a JSON object", what);
		return NULL;
	}
	return root;
}

/* 1 read, 0 absent or null (allowed), -1 error naming ctx+key. */
static int
get_int(const json_t *o, const char *ctx, const char *key, unsigned flags,
    int64_t min, int64_t max, int64_t *out, struct err *e)
{
	json_t		*v = json_object_get(o, key);
	json_int_t	 i;

	*out = 0;
	if (v == NULL) {
		if (flags & F_REQ)
			return err_set(e, ERR_INVALID, "%s%s: missing", ctx,
			    key);
		return 0;
	}
	if (json_is_null(v)) {
		if (flags & F_NULL)
			return 0;
		return err_set(e, ERR_INVALID, "%s%s: null", ctx, key);
	}
	if (!json_is_integer(v))
		return err_set(e, ERR_INVALID, "%s%s: not an integer", ctx,
		    key);
	i = json_integer_value(v);
	if (i < min || i > max)
		return err_set(e, ERR_INVALID, "%s%s: out of range", ctx, key);
	*out = i;
	return 1;
}

#define ID_MIN	1
#define ID_MAX	INT64_MAX

/*
 * A string member into dst: 1 read, 0 absent or null (dst ""), -1 error.
 * trunc: cut long text on a code point; otherwise too long is an error.
 */
static int
get_str(const json_t *o, const char *ctx, const char *key, unsigned flags,
    char *dst, size_t dstsz, int trunc, struct err *e)
{
	json_t		*v = json_object_get(o, key);
	const char	*s;
	size_t		 n;

	dst[0] = '\0';
	if (v == NULL) {
		if (flags & F_REQ)
			return err_set(e, ERR_INVALID, "%s%s: missing", ctx,
			    key);
		return 0;
	}
	if (json_is_null(v)) {
		if (flags & F_NULL)
			return 0;
		return err_set(e, ERR_INVALID, "%s%s: null", ctx, key);
	}
	if (!json_is_string(v))
		return err_set(e, ERR_INVALID, "%s%s: not a string", ctx, key);
	s = json_string_value(v);
	n = json_string_length(v);
	if (memchr(s, '\0', n) != NULL)
		return err_set(e, ERR_INVALID, "%s%s: contains a NUL", ctx,
		    key);
	if (n >= dstsz && !trunc)
		return err_set(e, ERR_INVALID, "%s%s: longer than %zu bytes",
		    ctx, key, dstsz - 1);
	copy_utf8_trunc(dst, dstsz, s, n);
	return 1;
}

/* An ISO 8601 timestamp: digits and -:T.Z+ only, 10..39 bytes. */
static int
get_ts(const json_t *o, const char *ctx, const char *key, unsigned flags,
    char *dst, struct err *e)
{
	size_t	 i, n;
	int	 rc;

	if ((rc = get_str(o, ctx, key, flags, dst, SHOPIFY_TS_MAX, 0, e)) != 1)
		return rc;
	n = strlen(dst);
	for (i = 0; i < n; i++)
		if (strchr("0123456789-:T.Z+", dst[i]) == NULL)
			break;
	if (n < 10 || i < n || dst[4] != '-') {
		dst[0] = '\0';
		return err_set(e, ERR_INVALID, "%s%s: not an ISO 8601 "
		    "timestamp", ctx, key);
	}
	return 1;
}

/* An array member (required), at most SHOPIFY_LIST_MAX entries. */
static json_t *
get_array(const json_t *o, const char *key, struct err *e)
{
	json_t	*v = json_object_get(o, key);

	if (v == NULL) {
		err_set(e, ERR_INVALID, "%s: missing", key);
		return NULL;
	}
	if (!json_is_array(v)) {
		err_set(e, ERR_INVALID, "%s: not an array", key);
		return NULL;
	}
	if (json_array_size(v) > SHOPIFY_LIST_MAX) {
		err_set(e, ERR_TOOBIG, "%s: more than %d entries", key,
		    SHOPIFY_LIST_MAX);
		return NULL;
	}
	return v;
}

void
shopify_order_free(struct shopify_order *o)
{
	if (o == NULL)
		return;
	free(o->items);
	o->items = NULL;
	o->nitems = 0;
}

static int
parse_line_item(const json_t *li, size_t i, struct shopify_line_item *it,
    struct err *e)
{
	char	 ctx[48];

	(void)str_fmt(ctx, sizeof(ctx), "line_items[%zu].", i);
	if (!json_is_object(li))
		return err_set(e, ERR_INVALID, "line_items[%zu]: not an object",
		    i);
	if (get_int(li, ctx, "id", F_REQ, ID_MIN, ID_MAX, &it->id, e) == -1 ||
	    get_int(li, ctx, "variant_id", F_NULL, ID_MIN, ID_MAX,
	    &it->variant_id, e) == -1 ||
	    get_int(li, ctx, "product_id", F_NULL, ID_MIN, ID_MAX,
	    &it->product_id, e) == -1 ||
	    get_int(li, ctx, "quantity", F_REQ, 0, SHOPIFY_QTY_MAX,
	    &it->quantity, e) == -1 ||
	    get_str(li, ctx, "sku", F_NULL, it->sku, sizeof(it->sku), 0,
	    e) == -1 ||
	    get_str(li, ctx, "title", F_NULL, it->title, sizeof(it->title), 1,
	    e) == -1 ||
	    get_str(li, ctx, "variant_title", F_NULL, it->variant_title,
	    sizeof(it->variant_title), 1, e) == -1)
		return -1;
	return 0;
}

int
shopify_parse_order(const char *body, size_t len, struct shopify_order *o,
    struct err *e)
{
	json_t	*root, *items, *li;
	size_t	 i;
	int	 rc = -1;

	memset(o, 0, sizeof(*o));
	if ((root = load_object(body, len, "order", e)) == NULL)
		return -1;
	if (get_int(root, "", "id", F_REQ, ID_MIN, ID_MAX, &o->id, e) == -1 ||
	    get_ts(root, "", "updated_at", F_REQ, o->updated_at, e) == -1 ||
	    get_ts(root, "", "cancelled_at", F_NULL, o->cancelled_at, e) ==
	    -1 || (items = get_array(root, "line_items", e)) == NULL)
		goto out;
	if (json_array_size(items) > 0 && (o->items = calloc(
	    json_array_size(items), sizeof(*o->items))) == NULL) {
		err_set(e, ERR_SYS, "out of memory");
		goto out;
	}
	json_array_foreach(items, i, li) {
		if (parse_line_item(li, i, &o->items[i], e) == -1)
			goto out;
		o->nitems++;
	}
	rc = 0;
out:
	if (rc == -1)
		shopify_order_free(o);
	json_decref(root);
	return rc;
}

int
shopify_parse_fulfillment(const char *body, size_t len,
    struct shopify_fulfillment *f, struct err *e)
{
	json_t	*root, *items, *li;
	size_t	 i;
	int	 rc = -1;

	memset(f, 0, sizeof(*f));
	if ((root = load_object(body, len, "fulfillment", e)) == NULL)
		return -1;
	if (get_int(root, "", "id", F_REQ, ID_MIN, ID_MAX, &f->id, e) == -1 ||
	    get_int(root, "", "order_id", F_REQ, ID_MIN, ID_MAX, &f->order_id,
	    e) == -1 ||
	    get_str(root, "", "status", F_REQ, f->status, sizeof(f->status), 0,
	    e) == -1 || (items = get_array(root, "line_items", e)) == NULL)
		goto out;
	if (json_array_size(items) > 0 && (f->items = calloc(
	    json_array_size(items), sizeof(*f->items))) == NULL) {
		err_set(e, ERR_SYS, "out of memory");
		goto out;
	}
	json_array_foreach(items, i, li) {
		if (parse_line_item(li, i, &f->items[i], e) == -1)
			goto out;
		f->nitems++;
	}
	rc = 0;
out:
	if (rc == -1)
		shopify_fulfillment_free(f);
	json_decref(root);
	return rc;
}

void
shopify_fulfillment_free(struct shopify_fulfillment *f)
{
	if (f == NULL)
		return;
	free(f->items);
	f->items = NULL;
	f->nitems = 0;
}

static const char *const restock_names[] = {
	"no_restock", "cancel", "return", "legacy_restock",
};

const char *
shopify_restock_name(enum shopify_restock k)
{
	return (unsigned)k < sizeof(restock_names) / sizeof(restock_names[0]) ?
	    restock_names[k] : NULL;
}

void
shopify_refund_free(struct shopify_refund *r)
{
	if (r == NULL)
		return;
	free(r->lines);
	r->lines = NULL;
	r->nlines = 0;
}

static int
parse_refund_line(const json_t *rl, size_t i, struct shopify_refund_line *l,
    struct err *e)
{
	char		 ctx[48], nctx[64], rt[32];
	json_t		*li;
	size_t		 k;
	int		 found = 0;

	(void)str_fmt(ctx, sizeof(ctx), "refund_line_items[%zu].", i);
	(void)str_fmt(nctx, sizeof(nctx), "refund_line_items[%zu].line_item.",
	    i);
	if (!json_is_object(rl))
		return err_set(e, ERR_INVALID,
		    "refund_line_items[%zu]: not an object", i);
	if (get_int(rl, ctx, "id", F_REQ, ID_MIN, ID_MAX, &l->id, e) == -1 ||
	    get_int(rl, ctx, "line_item_id", F_REQ, ID_MIN, ID_MAX,
	    &l->line_item_id, e) == -1 ||
	    get_int(rl, ctx, "quantity", F_REQ, 0, SHOPIFY_QTY_MAX,
	    &l->quantity, e) == -1 ||
	    get_int(rl, ctx, "location_id", F_NULL, ID_MIN, ID_MAX,
	    &l->location_id, e) == -1 ||
	    get_str(rl, ctx, "restock_type", F_REQ, rt, sizeof(rt), 0,
	    e) == -1)
		return -1;
	for (k = 0; k < sizeof(restock_names) / sizeof(restock_names[0]); k++)
		if (strcmp(rt, restock_names[k]) == 0) {
			l->restock = (enum shopify_restock)k;
			found = 1;
		}
	if (!found)
		return err_set(e, ERR_INVALID, "%srestock_type: unknown value",
		    ctx);
	if ((l->restock == SHOPIFY_RESTOCK_CANCEL ||
	    l->restock == SHOPIFY_RESTOCK_RETURN) && l->location_id == 0)
		return err_set(e, ERR_INVALID, "%slocation_id: required when "
		    "restocking", ctx);
	li = json_object_get(rl, "line_item");
	if (li == NULL || json_is_null(li))
		return 0;
	if (!json_is_object(li))
		return err_set(e, ERR_INVALID, "%sline_item: not an object",
		    ctx);
	if (get_int(li, nctx, "variant_id", F_NULL, ID_MIN, ID_MAX,
	    &l->variant_id, e) == -1 ||
	    get_str(li, nctx, "sku", F_NULL, l->sku, sizeof(l->sku), 0,
	    e) == -1)
		return -1;
	return 0;
}

int
shopify_parse_refund(const char *body, size_t len, struct shopify_refund *r,
    struct err *e)
{
	json_t	*root, *lines, *rl;
	size_t	 i;
	int	 rc = -1;

	memset(r, 0, sizeof(*r));
	if ((root = load_object(body, len, "refund", e)) == NULL)
		return -1;
	if (get_int(root, "", "id", F_REQ, ID_MIN, ID_MAX, &r->id, e) == -1 ||
	    get_int(root, "", "order_id", F_REQ, ID_MIN, ID_MAX, &r->order_id,
	    e) == -1 ||
	    get_ts(root, "", "created_at", F_REQ, r->created_at, e) == -1 ||
	    (lines = get_array(root, "refund_line_items", e)) == NULL)
		goto out;
	if (json_array_size(lines) > 0 && (r->lines = calloc(
	    json_array_size(lines), sizeof(*r->lines))) == NULL) {
		err_set(e, ERR_SYS, "out of memory");
		goto out;
	}
	json_array_foreach(lines, i, rl) {
		if (parse_refund_line(rl, i, &r->lines[i], e) == -1)
			goto out;
		r->nlines++;
	}
	rc = 0;
out:
	if (rc == -1)
		shopify_refund_free(r);
	json_decref(root);
	return rc;
}

int
shopify_parse_level_update(const char *body, size_t len,
    struct shopify_level_update *u, struct err *e)
{
	json_t	*root;
	int	 rc = -1, got;

	memset(u, 0, sizeof(*u));
	if ((root = load_object(body, len, "inventory level", e)) == NULL)
		return -1;
	if (get_int(root, "", "inventory_item_id", F_REQ, ID_MIN, ID_MAX,
	    &u->inventory_item_id, e) == -1 ||
	    get_int(root, "", "location_id", F_REQ, ID_MIN, ID_MAX,
	    &u->location_id, e) == -1 ||
	    (got = get_int(root, "", "available", F_REQ | F_NULL,
	    -SHOPIFY_QTY_MAX, SHOPIFY_QTY_MAX, &u->available, e)) == -1 ||
	    get_ts(root, "", "updated_at", F_REQ, u->updated_at, e) == -1)
		goto out;
	u->has_available = got == 1;
	rc = 0;
out:
	json_decref(root);
	return rc;
}

void
shopify_product_free(struct shopify_product *p)
{
	if (p == NULL)
		return;
	free(p->variants);
	p->variants = NULL;
	p->nvariants = 0;
}

int
shopify_parse_product(const char *body, size_t len, struct shopify_product *p,
    struct err *e)
{
	json_t	*root, *vars, *v;
	size_t	 i;
	char	 ctx[48];
	int	 rc = -1;

	memset(p, 0, sizeof(*p));
	if ((root = load_object(body, len, "product", e)) == NULL)
		return -1;
	if (get_int(root, "", "id", F_REQ, ID_MIN, ID_MAX, &p->id, e) == -1 ||
	    get_str(root, "", "title", F_REQ, p->title, sizeof(p->title), 1,
	    e) == -1 ||
	    get_ts(root, "", "updated_at", F_REQ, p->updated_at, e) == -1 ||
	    (vars = get_array(root, "variants", e)) == NULL)
		goto out;
	if (json_array_size(vars) > 0 && (p->variants = calloc(
	    json_array_size(vars), sizeof(*p->variants))) == NULL) {
		err_set(e, ERR_SYS, "out of memory");
		goto out;
	}
	json_array_foreach(vars, i, v) {
		struct shopify_product_variant *pv = &p->variants[i];

		(void)str_fmt(ctx, sizeof(ctx), "variants[%zu].", i);
		if (!json_is_object(v)) {
			err_set(e, ERR_INVALID, "variants[%zu]: not an object",
			    i);
			goto out;
		}
		if (get_int(v, ctx, "id", F_REQ, ID_MIN, ID_MAX, &pv->id,
		    e) == -1 ||
		    get_int(v, ctx, "inventory_item_id", F_NULL, ID_MIN,
		    ID_MAX, &pv->inventory_item_id, e) == -1 ||
		    get_str(v, ctx, "sku", F_NULL, pv->sku, sizeof(pv->sku), 0,
		    e) == -1 ||
		    get_str(v, ctx, "title", F_NULL, pv->title,
		    sizeof(pv->title), 1, e) == -1)
			goto out;
		p->nvariants++;
	}
	rc = 0;
out:
	if (rc == -1)
		shopify_product_free(p);
	json_decref(root);
	return rc;
}

/* ---- I/O ------------------------------------------------------------------ */

struct sconn {
	char	 url[512];
	char	 tokhdr[32 + TOKEN_MAX];	/* secret: wiped by conn_close */
};

static void
conn_close(struct sconn *c)
{
	explicit_bzero(c->tokhdr, sizeof(c->tokhdr));
}

/* The endpoint and the token header from the account. Never echoes the
 * token into e. */
static int
conn_open(const struct channel_account *a, struct sconn *c, struct err *e)
{
	json_t		*tok, *ver;
	const char	*t, *v = SHOPIFY_API_VERSION;
	size_t		 i, n, bl;

	memset(c, 0, sizeof(*c));
	if (a == NULL || !json_is_object(a->creds))
		return err_set(e, ERR_INVALID, "shopify account: no "
		    "credentials");
	tok = json_object_get(a->creds, "access_token");
	if (!json_is_string(tok))
		return err_set(e, ERR_INVALID, "shopify account %lld: "
		    "credentials have no access_token", (long long)a->id);
	t = json_string_value(tok);
	n = json_string_length(tok);
	if (n == 0 || n > TOKEN_MAX)
		return err_set(e, ERR_INVALID, "shopify account %lld: "
		    "access_token empty or too long", (long long)a->id);
	for (i = 0; i < n; i++)
		if ((unsigned char)t[i] <= 0x20 || (unsigned char)t[i] >= 0x7f)
			return err_set(e, ERR_INVALID, "shopify account %lld: "
			    "access_token has a character that cannot go in a "
			    "header", (long long)a->id);
	ver = json_object_get(a->creds, "api_version");
	if (ver != NULL && !json_is_null(ver)) {
		if (!json_is_string(ver))
			return err_set(e, ERR_INVALID, "shopify account %lld: "
			    "api_version: not a string", (long long)a->id);
		v = json_string_value(ver);
		if (strcmp(v, "unstable") != 0 && (strlen(v) != 7 ||
		    strspn(v, "0123456789") != 4 || v[4] != '-' ||
		    strspn(v + 5, "0123456789") != 2))
			return err_set(e, ERR_INVALID, "shopify account %lld: "
			    "api_version: not YYYY-MM", (long long)a->id);
	}
	bl = strlen(a->base_url);
	while (bl > 0 && a->base_url[bl - 1] == '/')
		bl--;
	if (bl == 0 || (strncmp(a->base_url, "https://", 8) != 0 &&
	    strncmp(a->base_url, "http://", 7) != 0))
		return err_set(e, ERR_INVALID, "shopify account %lld: base URL "
		    "is not http(s)", (long long)a->id);
	for (i = 0; i < bl; i++)
		if ((unsigned char)a->base_url[i] <= 0x20)
			return err_set(e, ERR_INVALID, "shopify account %lld: "
			    "base URL has a space", (long long)a->id);
	if (str_fmt(c->url, sizeof(c->url), "%.*s/admin/api/%s/graphql.json",
	    (int)bl, a->base_url, v) == -1)
		return err_set(e, ERR_INVALID, "shopify account %lld: base URL "
		    "too long", (long long)a->id);
	if (str_fmt(c->tokhdr, sizeof(c->tokhdr), "X-Shopify-Access-Token: %s",
	    t) == -1) {
		conn_close(c);
		return err_set(e, ERR_INVALID, "shopify account %lld: "
		    "access_token too long", (long long)a->id);
	}
	return 0;
}

enum call_kind {
	CALL_OK = 0,
	CALL_RETRY,
	CALL_FAIL
};

struct call {
	enum call_kind		 kind;
	long			 status;	/* HTTP, 0 when none */
	int64_t			 retry_after;	/* seconds, 0: unknown */
	char			 detail[200];
	struct shopify_gql	 g;		/* when kind == CALL_OK */
};

static void
call_free(struct call *k)
{
	shopify_gql_free(&k->g);
}

/* GraphQL error codes worth retrying. */
static int
code_transient(const char *code)
{
	return strcmp(code, "THROTTLED") == 0 ||
	    strcmp(code, "INTERNAL_SERVER_ERROR") == 0 ||
	    strcmp(code, "SERVICE_UNAVAILABLE") == 0 ||
	    strcmp(code, "TIMEOUT") == 0;
}

/*
 * POST one GraphQL body. Returns 0 with k filled (OK with the parsed
 * envelope and no errors, RETRY or FAIL with a detail), -1 only for a
 * local failure (e set).
 */
static int
gql_call(const struct sconn *c, const char *body, struct call *k,
    struct err *e)
{
	const char		*hdrs[] = { c->tokhdr,
	    "Content-Type: application/json", "Accept: application/json",
	    NULL };
	struct httpc_req	 q;
	struct httpc_resp	 r;
	struct shopify_gql	 g;
	struct err		 he;
	int64_t			 ra;
	int			 rc = 0, parsed;

	memset(k, 0, sizeof(*k));
	memset(&q, 0, sizeof(q));
	q.method = "POST";
	q.url = c->url;
	q.headers = hdrs;
	q.body = body;
	q.body_len = strlen(body);
	q.timeout_ms = SHOPIFY_TIMEOUT_MS;
	err_clear(&he);
	if (httpc_do(&q, &r, &he) == -1) {
		if (he.kind == ERR_SYS) {
			rc = err_set(e, ERR_SYS, "%s", he.msg);
			goto out;
		}
		k->kind = he.kind == ERR_TOOBIG ? CALL_FAIL : CALL_RETRY;
		(void)str_fmt(k->detail, sizeof(k->detail), "%s: %.150s",
		    r.timed_out ? "timeout" : "no answer", r.error);
		goto out;
	}
	k->status = r.status;
	parsed = shopify_gql_parse(r.body, r.len, &g, NULL) == 0;
	switch (httpc_class(&r)) {
	case HTTPC_RETRY:
		k->kind = CALL_RETRY;
		ra = httpc_retry_after(&r, 3600);
		if (ra < 0)
			ra = parsed ? shopify_throttle_wait_s(&g) : 0;
		k->retry_after = ra;
		(void)str_fmt(k->detail, sizeof(k->detail), "HTTP %ld%s",
		    r.status, r.status == 429 ? " (rate limited)" : "");
		break;
	case HTTPC_FAIL:
		k->kind = CALL_FAIL;
		(void)str_fmt(k->detail, sizeof(k->detail), "HTTP %ld: %s%s%.120s",
		    r.status,
		    r.status == 401 ? "access token refused" :
		    r.status == 403 ? "access denied (missing scope?)" :
		    r.status == 404 ? "shop or API version not found" :
		    r.status == 402 ? "shop frozen (payment required)" :
		    r.status == 423 ? "shop locked" : "refused",
		    parsed && g.error_msg[0] != '\0' ? ": " : "",
		    parsed ? g.error_msg : "");
		break;
	case HTTPC_OK:
		if (!parsed) {
			/* a cut or spoiled answer: worth another try */
			k->kind = CALL_RETRY;
			(void)str_copy(k->detail, sizeof(k->detail),
			    "unreadable GraphQL answer");
			break;
		}
		if (g.nerrors > 0) {
			if (g.throttled || code_transient(g.error_code)) {
				k->kind = CALL_RETRY;
				k->retry_after = shopify_throttle_wait_s(&g);
				if (k->retry_after < 1)
					k->retry_after = 1;
			} else
				k->kind = CALL_FAIL;
			(void)str_fmt(k->detail, sizeof(k->detail),
			    "GraphQL error%s%s%s: %.140s",
			    g.error_code[0] != '\0' ? " [" : "",
			    g.error_code, g.error_code[0] != '\0' ? "]" : "",
			    g.error_msg);
			break;
		}
		k->kind = CALL_OK;
		k->g = g;
		parsed = 0;	/* moved into k */
		break;
	}
	if (parsed)
		shopify_gql_free(&g);
out:
	httpc_resp_free(&r);
	return rc;
}

/* A RETRY/FAIL call as a struct err for the onboarding helpers. */
static int
call_err(const struct call *k, const char *what, struct err *e)
{
	enum err_kind	 kind = ERR_INVALID;

	if (k->kind == CALL_RETRY)
		kind = ERR_RETRY;
	else if (k->status == 401 || k->status == 403)
		kind = ERR_AUTH;
	else if (k->status == 404)
		kind = ERR_NOTFOUND;
	return err_set(e, kind, "shopify: %s: %s", what, k->detail);
}

/*
 * gql_call for the paged listings (catalog, orders since) and
 * reconciliation's reads: a THROTTLED
 * answer (or a 429 with a short Retry-After) is waited out, up to
 * SHOPIFY_SWEEP_WAIT_MAX seconds a time and three times, before it is
 * handed back. *calls counts every call made.
 */
static int
gql_call_waiting(const struct sconn *c, const char *body, struct call *k,
    int *calls, int64_t deadline_ms, struct err *e)
{
	int	 tries = 0;

	for (;;) {
		(*calls)++;
		if (gql_call(c, body, k, e) == -1)
			return -1;
		if (k->kind != CALL_RETRY || k->retry_after < 1 ||
		    k->retry_after > SHOPIFY_SWEEP_WAIT_MAX || ++tries > 3)
			return 0;
		/* no waiting past the caller's deadline: RETRY now */
		if (deadline_ms > 0 && clock_now_ms() + k->retry_after * 1000 >
		    deadline_ms)
			return 0;
		(void)sleep((unsigned)k->retry_after);
		call_free(k);
	}
}

int
shopify_find_variants(const struct channel_account *a, const char *sku,
    struct shopify_variant *v, size_t max, size_t *n, struct err *e)
{
	struct sconn	 c;
	struct call	 k;
	char		*body = NULL;
	int		 rc = -1;

	*n = 0;
	memset(&k, 0, sizeof(k));
	if (conn_open(a, &c, e) == -1)
		return -1;
	if (shopify_build_find_variants(sku, &body, e) == -1 ||
	    gql_call(&c, body, &k, e) == -1)
		goto out;
	if (k.kind != CALL_OK) {
		call_err(&k, "find variants", e);
		goto out;
	}
	rc = shopify_parse_variants(&k.g, sku, v, max, n, e);
out:
	call_free(&k);
	free(body);
	conn_close(&c);
	return rc;
}

int
shopify_webhook_subscribe(const struct channel_account *a,
    enum shopify_topic t, const char *uri, char *id, size_t idsz,
    struct err *e)
{
	struct sconn	 c;
	struct call	 k;
	char		*body = NULL;
	int		 rc = -1;

	memset(&k, 0, sizeof(k));
	if (conn_open(a, &c, e) == -1)
		return -1;
	if (shopify_build_webhook_create(t, uri, &body, e) == -1 ||
	    gql_call(&c, body, &k, e) == -1)
		goto out;
	if (k.kind != CALL_OK) {
		call_err(&k, "webhook subscription", e);
		goto out;
	}
	rc = shopify_parse_webhook_create(&k.g, id, idsz, e);
out:
	call_free(&k);
	free(body);
	conn_close(&c);
	return rc;
}

/* ---- push ------------------------------------------------------------------ */

static void
result_set(struct channel_result *r, enum channel_outcome o, int64_t after,
    const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static void
result_set(struct channel_result *r, enum channel_outcome o, int64_t after,
    const char *fmt, ...)
{
	va_list	 ap;
	char	 d[sizeof(r->detail)];
	int	 n;

	r->outcome = o;
	r->retry_after_s = after;
	va_start(ap, fmt);
	n = vsnprintf(d, sizeof(d), fmt, ap);
	va_end(ap);
	if (n < 0)
		d[0] = '\0';
	(void)str_fmt(r->detail, sizeof(r->detail), "shopify: %s", d);
}

/*
 * Read the available quantity. 0 read into *cur; 1 r says what happened
 * (RETRY or FAILED); -1 local failure.
 */
static int
read_available(const struct sconn *c, const char *body,
    const struct channel_listing *l, int64_t *cur, struct channel_result *r,
    struct err *e)
{
	struct call	 k;
	struct err	 pe;
	int		 rc = 1;

	if (gql_call(c, body, &k, e) == -1)
		return -1;
	if (k.kind != CALL_OK) {
		result_set(r, k.kind == CALL_RETRY ? CHANNEL_RETRY :
		    CHANNEL_FAILED, k.retry_after, "read item %s at location "
		    "%s: %s", l->ext_variant, l->ext_location, k.detail);
		goto out;
	}
	err_clear(&pe);
	if (shopify_parse_level(&k.g, cur, &pe) == -1) {
		result_set(r, CHANNEL_FAILED, 0, "read item %s at location "
		    "%s: %s", l->ext_variant, l->ext_location, pe.msg);
		goto out;
	}
	rc = 0;
out:
	call_free(&k);
	return rc;
}

/*
 * One inventorySetQuantities. 0 written; 1 r says what happened; 2
 * stale; 3 the key was used with other parameters; -1 local failure.
 */
static int
write_available(const struct sconn *c, const struct channel_listing *l,
    int64_t target, int64_t from, const char *key,
    struct channel_result *r, struct err *e)
{
	struct call			 k;
	struct shopify_set_result	 sr;
	struct err			 pe;
	char				*body = NULL;
	int				 rc = -1;

	memset(&k, 0, sizeof(k));
	if (shopify_build_set(l->ext_variant, l->ext_location, target, from,
	    key, &body, e) == -1 || gql_call(c, body, &k, e) == -1)
		goto out;
	rc = 1;
	if (k.kind != CALL_OK) {
		result_set(r, k.kind == CALL_RETRY ? CHANNEL_RETRY :
		    CHANNEL_FAILED, k.retry_after, "set item %s at location "
		    "%s: %s", l->ext_variant, l->ext_location, k.detail);
		goto out;
	}
	err_clear(&pe);
	if (shopify_parse_set(&k.g, &sr, &pe) == -1) {
		result_set(r, CHANNEL_FAILED, 0, "set item %s at location "
		    "%s: %s", l->ext_variant, l->ext_location, pe.msg);
		goto out;
	}
	switch (sr.status) {
	case SHOPIFY_SET_OK:
		rc = 0;
		break;
	case SHOPIFY_SET_STALE:
		rc = 2;
		break;
	case SHOPIFY_SET_KEY_REUSED:
		rc = 3;
		break;
	case SHOPIFY_SET_BUSY:
		result_set(r, CHANNEL_RETRY, 1, "set item %s: %s: %.120s",
		    l->ext_variant, sr.code, sr.message);
		break;
	case SHOPIFY_SET_FAILED:
		result_set(r, CHANNEL_FAILED, 0, "set item %s at location %s: "
		    "%s: %.120s", l->ext_variant, l->ext_location,
		    sr.code[0] != '\0' ? sr.code : "error", sr.message);
		break;
	}
out:
	call_free(&k);
	free(body);
	return rc;
}

/*
 * Make Shopify show p->desired at (inventory item, location), never
 * writing back a unit Shopify sold that the hub has not seen:
 *  - read available; equal to desired: UNCHANGED;
 *  - less than the hub last pushed: the difference is unseen Shopify
 *    sales; write desired - unseen (>= 0) and report HELD;
 *  - write with changeFromQuantity = the value read, so a sale between
 *    the read and the write makes the write fail as stale instead of
 *    overwriting it; then re-read and recompute, at most 2 rounds.
 * The first write uses p->idem_key. A later round (other parameters)
 * uses p->idem_key + ":" + from + ":" + to, so each distinct write has
 * a key of its own that a retry of the same write reuses.
 */
static int
shopify_push(struct channel_ctx *ctx, const struct channel_listing *l,
    const struct channel_push *p, struct channel_result *r, struct err *e)
{
	struct sconn	 c;
	struct err	 ce;
	char		*read_body = NULL;
	char		 key[KEY_LIMIT + 1];	/* job key + ":from:to" fits */
	int64_t		 cur, target, unseen;
	int		 round, w, rc = -1, derived = 0;

	if (r == NULL)
		return err_set(e, ERR_INVALID, "shopify push: no result");
	memset(r, 0, sizeof(*r));
	r->outcome = CHANNEL_FAILED;
	r->shown_before = -1;
	r->shown = -1;
	if (ctx == NULL || ctx->acct == NULL || l == NULL || p == NULL)
		return err_set(e, ERR_INVALID, "shopify push: missing argument");
	if (p->idem_key == NULL || strlen(p->idem_key) > KEY_MAX ||
	    !key_ok(p->idem_key))
		return err_set(e, ERR_INVALID, "shopify push: idempotency key "
		    "empty, blank or too long");
	if (p->desired < 0 || p->desired > SHOPIFY_QTY_MAX) {
		result_set(r, CHANNEL_FAILED, 0, "listing %lld: desired "
		    "quantity %lld out of range", (long long)l->id,
		    (long long)p->desired);
		return 0;
	}
	if (!numeric_id(l->ext_variant, NULL) ||
	    !numeric_id(l->ext_location, NULL)) {
		result_set(r, CHANNEL_FAILED, 0, "listing %lld: inventory item "
		    "id (ext_variant) and location id (ext_location) must be "
		    "numeric ids", (long long)l->id);
		return 0;
	}
	err_clear(&ce);
	if (conn_open(ctx->acct, &c, &ce) == -1) {
		result_set(r, CHANNEL_FAILED, 0, "%s", ce.msg);
		return 0;
	}
	if (shopify_build_read_level(l->ext_variant, l->ext_location,
	    &read_body, e) == -1)
		goto out;
	for (round = 0; round < 2; round++) {
		if ((w = read_available(&c, read_body, l, &cur, r, e)) != 0) {
			rc = w == -1 ? -1 : 0;
			goto out;
		}
		if (round == 0)
			r->shown_before = cur;
		r->shown = cur;
		if (cur == p->desired) {
			r->unseen_sales = 0;
			result_set(r, CHANNEL_UNCHANGED, 0, "item %s at location "
			    "%s shows %lld already", l->ext_variant,
			    l->ext_location, (long long)cur);
			rc = 0;
			goto out;
		}
		target = p->desired;
		unseen = 0;
		if (l->has_last_pushed && cur < l->last_pushed) {
			unseen = l->last_pushed - cur;
			target = p->desired - unseen;
			if (target < 0)
				target = 0;
		}
		r->unseen_sales = unseen;
		if (target == cur) {
			result_set(r, CHANNEL_HELD, 0, "item %s at location %s "
			    "shows %lld; %lld unseen sales held back, nothing "
			    "to write", l->ext_variant, l->ext_location,
			    (long long)cur, (long long)unseen);
			rc = 0;
			goto out;
		}
		if (round == 0 && !derived)
			(void)str_copy(key, sizeof(key), p->idem_key);
		else
			(void)str_fmt(key, sizeof(key), "%s:%lld:%lld",
			    p->idem_key, (long long)cur, (long long)target);
		w = write_available(&c, l, target, cur, key, r, e);
		if (w == 3 && !derived) {
			/* an earlier attempt used the job's key for another
			 * write: this one gets a key of its own */
			derived = 1;
			(void)str_fmt(key, sizeof(key), "%s:%lld:%lld",
			    p->idem_key, (long long)cur, (long long)target);
			w = write_available(&c, l, target, cur, key, r, e);
		}
		if (w == -1 || w == 1) {
			rc = w == -1 ? -1 : 0;
			goto out;
		}
		if (w == 0) {
			r->shown = target;
			result_set(r, unseen > 0 ? CHANNEL_HELD :
			    CHANNEL_WRITTEN, 0, "item %s at location %s: %lld "
			    "-> %lld (%lld unseen sales held back)",
			    l->ext_variant, l->ext_location, (long long)cur,
			    (long long)target, (long long)unseen);
			rc = 0;
			goto out;
		}
		/* stale (2) or our key taken twice (3): read again */
		derived = 1;
	}
	r->shown = -1;
	result_set(r, CHANNEL_RETRY, 0, "item %s at location %s: "
	    "changeFromQuantity stale twice (the quantity keeps moving)",
	    l->ext_variant, l->ext_location);
	rc = 0;
out:
	free(read_body);
	conn_close(&c);
	return rc;
}

/*
 * channel_ops.read: the "available" quantity at (inventory item,
 * location), one GraphQL call, nothing written.
 */
static int
shopify_read(struct channel_ctx *ctx, const struct channel_listing *l,
    int64_t *shown, struct err *e)
{
	struct sconn	 c;
	struct call	 k;
	char		*body = NULL;
	int		 rc = -1, calls = 0;

	memset(&k, 0, sizeof(k));
	if (ctx == NULL || ctx->acct == NULL || l == NULL || shown == NULL)
		return err_set(e, ERR_INVALID, "shopify read: missing argument");
	if (!numeric_id(l->ext_variant, NULL) ||
	    !numeric_id(l->ext_location, NULL))
		return err_set(e, ERR_NOTFOUND, "shopify: listing %lld: "
		    "inventory item id and location id must be numeric ids",
		    (long long)l->id);
	if (conn_open(ctx->acct, &c, e) == -1)
		return -1;
	/* reconciliation paces itself by the shop's cost bucket: a
	 * THROTTLED read is waited out, not counted as unreadable */
	if (shopify_build_read_level(l->ext_variant, l->ext_location, &body,
	    e) == -1 || gql_call_waiting(&c, body, &k, &calls,
	    ctx->deadline_ms, e) == -1)
		goto out;
	if (k.kind != CALL_OK) {
		call_err(&k, "read level", e);
		goto out;
	}
	rc = shopify_parse_level(&k.g, shown, e);
out:
	call_free(&k);
	free(body);
	conn_close(&c);
	return rc;
}

int
shopify_build_catalog(const char *after, char **out, struct err *e)
{
	json_t	*v;
	int	 rc;

	*out = NULL;
	v = json_pack("{s:s, s:s, s:{s:s?}}", "query", Q_CATALOG,
	    "operationName", "StockhubCatalog", "variables", "after", after);
	if (v == NULL)
		return err_set(e, ERR_INVALID, "catalog: bad cursor");
	rc = dump(v, out, e);
	json_decref(v);
	return rc;
}

int
shopify_parse_catalog(const struct shopify_gql *g, const char *location,
    struct channel_place *pl, size_t max, size_t *n, char *cursor,
    size_t cursorsz, int *more, struct err *e)
{
	json_t		*pv, *nodes, *node, *pi, *ii;
	const char	*sku, *title;
	int64_t		 vid, iid;
	size_t		 i;

	*n = 0;
	*more = 0;
	if ((pv = data_member(g, "productVariants", 0, e)) == NULL)
		return -1;
	nodes = json_object_get(pv, "nodes");
	pi = json_object_get(pv, "pageInfo");
	if (!json_is_array(nodes) || !json_is_object(pi))
		return err_set(e, ERR_INVALID, "data.productVariants: nodes or "
		    "pageInfo missing");
	json_array_foreach(nodes, i, node) {
		ii = json_object_get(node, "inventoryItem");
		if (!json_is_string(json_object_get(node, "id")) ||
		    shopify_gid_parse(json_string_value(json_object_get(node,
		    "id")), "ProductVariant", &vid) == -1 ||
		    !json_is_object(ii) || !json_is_string(json_object_get(ii,
		    "id")) || shopify_gid_parse(json_string_value(
		    json_object_get(ii, "id")), "InventoryItem", &iid) == -1)
			return err_set(e, ERR_INVALID, "data.productVariants."
			    "nodes[%zu]: no variant or inventory item id", i);
		if (*n >= max)
			return err_set(e, ERR_TOOBIG, "catalog: more than %zu "
			    "variants in a page", max);
		sku = json_string_value(json_object_get(node, "sku"));
		title = json_string_value(json_object_get(node, "title"));
		memset(&pl[*n], 0, sizeof(pl[*n]));
		(void)str_fmt(pl[*n].ext_listing, sizeof(pl[*n].ext_listing),
		    "%lld", (long long)vid);
		(void)str_fmt(pl[*n].ext_variant, sizeof(pl[*n].ext_variant),
		    "%lld", (long long)iid);
		(void)str_copy(pl[*n].ext_location, sizeof(pl[*n].ext_location),
		    location != NULL ? location : "");
		(void)str_copy(pl[*n].sku, sizeof(pl[*n].sku), sku != NULL ? sku :
		    "");
		(void)str_copy(pl[*n].title, sizeof(pl[*n].title), title !=
		    NULL ? title : "");
		(*n)++;
	}
	*more = json_is_true(json_object_get(pi, "hasNextPage"));
	if (*more && (!json_is_string(json_object_get(pi, "endCursor")) ||
	    str_copy(cursor, cursorsz, json_string_value(json_object_get(pi,
	    "endCursor"))) == -1))
		return err_set(e, ERR_INVALID, "data.productVariants.pageInfo."
		    "endCursor: missing or too long");
	return 0;
}

/*
 * channel_ops.catalog: every product variant, 100 a page, with the
 * account's location (creds location_id) as each place's location.
 */
static int
shopify_catalog(struct channel_ctx *ctx, struct channel_place **out,
    size_t *n, int *calls, struct err *e)
{
	struct sconn		 c;
	struct call		 k;
	struct channel_place	*pl = NULL, *np;
	char			*body = NULL, cursor[512], loc[32];
	const json_t		*lj;
	size_t			 have = 0, cap = 0, got;
	int			 more = 1, first = 1, rc = -1;

	*out = NULL;
	*n = 0;
	*calls = 0;
	memset(&k, 0, sizeof(k));
	cursor[0] = '\0';
	lj = json_object_get(ctx->acct->creds, "location_id");
	if (json_is_integer(lj))
		(void)str_fmt(loc, sizeof(loc), "%lld",
		    (long long)json_integer_value(lj));
	else
		(void)str_copy(loc, sizeof(loc), json_is_string(lj) ?
		    json_string_value(lj) : "");
	if (conn_open(ctx->acct, &c, e) == -1)
		return -1;
	while (more) {
		if (have + 100 > cap) {
			if (cap >= SHOPIFY_CATALOG_MAX) {
				err_set(e, ERR_TOOBIG, "shopify catalog: more "
				    "than %d variants", SHOPIFY_CATALOG_MAX);
				goto out;
			}
			if ((np = reallocarray(pl, cap + 1000, sizeof(*pl))) ==
			    NULL) {
				err_set(e, ERR_SYS, "shopify catalog: out of "
				    "memory");
				goto out;
			}
			pl = np;
			cap += 1000;
		}
		free(body);
		body = NULL;
		call_free(&k);
		memset(&k, 0, sizeof(k));
		if (shopify_build_catalog(first ? NULL : cursor, &body, e) ==
		    -1 || gql_call_waiting(&c, body, &k, calls,
		    ctx->deadline_ms, e) == -1)
			goto out;
		if (k.kind != CALL_OK) {
			call_err(&k, "catalog", e);
			goto out;
		}
		if (shopify_parse_catalog(&k.g, loc, pl + have, cap - have, &got,
		    cursor, sizeof(cursor), &more, e) == -1)
			goto out;
		have += got;
		first = 0;
	}
	*out = pl;
	*n = have;
	pl = NULL;
	rc = 0;
out:
	free(pl);
	call_free(&k);
	free(body);
	conn_close(&c);
	return rc;
}

/* ---- orders updated since ------------------------------------------------ */

int
shopify_orders_query(const char *since, char *out, size_t outsz,
    struct err *e)
{
	const char	*p;

	if (since == NULL || strlen(since) < 10 || strlen(since) > 40)
		return err_set(e, ERR_INVALID, "orders query: bad timestamp");
	for (p = since; *p != '\0'; p++)
		if (!((*p >= '0' && *p <= '9') || *p == '-' || *p == ':' ||
		    *p == 'T' || *p == 'Z' || *p == '.' || *p == '+'))
			return err_set(e, ERR_INVALID, "orders query: bad "
			    "character in timestamp");
	if (str_fmt(out, outsz, "updated_at:>'%s'", since) == -1)
		return err_set(e, ERR_INVALID, "orders query: too long");
	return 0;
}

int
shopify_build_orders_since(const char *since, const char *after,
    char **out, struct err *e)
{
	char	 q[96];
	json_t	*v;
	int	 rc;

	*out = NULL;
	if (shopify_orders_query(since, q, sizeof(q), e) == -1)
		return -1;
	v = json_pack("{s:s, s:s, s:{s:s, s:s?}}", "query", Q_ORDERS,
	    "operationName", "StockhubOrdersSince", "variables", "q", q,
	    "after", after);
	if (v == NULL)
		return err_set(e, ERR_INVALID, "orders: bad cursor");
	rc = dump(v, out, e);
	json_decref(v);
	return rc;
}

/* A GID member of obj of that type as a number; 0 and -1 when not. */
static int
gid_member(const json_t *obj, const char *key, const char *type,
    int64_t *out)
{
	const json_t	*v = json_object_get(obj, key);

	return json_is_string(v) ? shopify_gid_parse(json_string_value(v),
	    type, out) : -1;
}

static int
parse_order_node(const json_t *node, size_t i, struct shopify_order *o,
    struct err *e)
{
	const json_t	*li, *lnodes, *lpi, *ln, *v, *var;
	size_t		 j;
	json_int_t	 q;

	if (!json_is_object(node) || gid_member(node, "id", "Order",
	    &o->id) == -1)
		return err_set(e, ERR_INVALID, "data.orders.nodes[%zu].id: not "
		    "an Order id", i);
	v = json_object_get(node, "updatedAt");
	if (!json_is_string(v) || str_copy(o->updated_at,
	    sizeof(o->updated_at), json_string_value(v)) == -1)
		return err_set(e, ERR_INVALID, "data.orders.nodes[%zu]."
		    "updatedAt: missing or too long", i);
	v = json_object_get(node, "cancelledAt");
	if (v != NULL && !json_is_null(v) && (!json_is_string(v) ||
	    str_copy(o->cancelled_at, sizeof(o->cancelled_at),
	    json_string_value(v)) == -1))
		return err_set(e, ERR_INVALID, "data.orders.nodes[%zu]."
		    "cancelledAt: not a timestamp", i);
	li = json_object_get(node, "lineItems");
	lnodes = json_object_get(li, "nodes");
	lpi = json_object_get(li, "pageInfo");
	if (!json_is_array(lnodes) || !json_is_object(lpi))
		return err_set(e, ERR_INVALID, "data.orders.nodes[%zu]."
		    "lineItems: nodes or pageInfo missing", i);
	if (json_array_size(lnodes) > SHOPIFY_LIST_MAX)
		return err_set(e, ERR_INVALID, "data.orders.nodes[%zu]."
		    "lineItems: too many", i);
	o->lines_cut = json_is_true(json_object_get(lpi, "hasNextPage"));
	if (json_array_size(lnodes) > 0 && (o->items = calloc(
	    json_array_size(lnodes), sizeof(*o->items))) == NULL)
		return err_set(e, ERR_SYS, "out of memory");
	json_array_foreach(lnodes, j, ln) {
		struct shopify_line_item *it = &o->items[j];

		if (!json_is_object(ln) || gid_member(ln, "id", "LineItem",
		    &it->id) == -1)
			return err_set(e, ERR_INVALID, "data.orders.nodes[%zu]."
			    "lineItems.nodes[%zu].id: not a LineItem id", i, j);
		v = json_object_get(ln, "quantity");
		q = json_is_integer(v) ? json_integer_value(v) : -1;
		if (q < 0 || q > SHOPIFY_QTY_MAX)
			return err_set(e, ERR_INVALID, "data.orders.nodes[%zu]."
			    "lineItems.nodes[%zu].quantity: not a quantity", i,
			    j);
		it->quantity = q;
		v = json_object_get(ln, "sku");
		if (v != NULL && !json_is_null(v) && (!json_is_string(v) ||
		    str_copy(it->sku, sizeof(it->sku), json_string_value(v)) ==
		    -1))
			return err_set(e, ERR_INVALID, "data.orders.nodes[%zu]."
			    "lineItems.nodes[%zu].sku: not a SKU", i, j);
		var = json_object_get(ln, "variant");
		if (var != NULL && !json_is_null(var) && gid_member(var, "id",
		    "ProductVariant", &it->variant_id) == -1)
			return err_set(e, ERR_INVALID, "data.orders.nodes[%zu]."
			    "lineItems.nodes[%zu].variant.id: not a "
			    "ProductVariant id", i, j);
		o->nitems++;
	}
	return 0;
}

int
shopify_parse_orders(const struct shopify_gql *g, struct shopify_order *o,
    size_t max, size_t *n, char *cursor, size_t cursorsz, int *more,
    struct err *e)
{
	json_t		*ord, *nodes, *node, *pi;
	size_t		 i;

	*n = 0;
	*more = 0;
	memset(o, 0, max * sizeof(*o));
	if ((ord = data_member(g, "orders", 0, e)) == NULL)
		return -1;
	nodes = json_object_get(ord, "nodes");
	pi = json_object_get(ord, "pageInfo");
	if (!json_is_array(nodes) || !json_is_object(pi))
		return err_set(e, ERR_INVALID, "data.orders: nodes or pageInfo "
		    "missing");
	if (json_array_size(nodes) > max)
		return err_set(e, ERR_TOOBIG, "orders: more than %zu in a page",
		    max);
	json_array_foreach(nodes, i, node) {
		*n = i + 1;
		if (parse_order_node(node, i, &o[i], e) == -1)
			return -1;
	}
	*more = json_is_true(json_object_get(pi, "hasNextPage"));
	if (*more && (!json_is_string(json_object_get(pi, "endCursor")) ||
	    str_copy(cursor, cursorsz, json_string_value(json_object_get(pi,
	    "endCursor"))) == -1))
		return err_set(e, ERR_INVALID, "data.orders.pageInfo.endCursor: "
		    "missing or too long");
	return 0;
}

int
shopify_orders_since(const struct channel_account *a, const char *since,
    int64_t deadline_ms, shopify_order_fn fn, void *arg, int *calls,
    struct err *e)
{
	struct shopify_order	 o[SHOPIFY_ORDERS_PAGE];
	struct sconn		 c;
	struct call		 k;
	char			*body = NULL, cursor[512];
	size_t			 n = 0, i;
	int64_t			 w;
	int			 more = 1, first = 1, rc = -1;

	*calls = 0;
	memset(&k, 0, sizeof(k));
	memset(o, 0, sizeof(o));
	cursor[0] = '\0';
	if (conn_open(a, &c, e) == -1)
		return -1;
	while (more) {
		free(body);
		body = NULL;
		call_free(&k);
		memset(&k, 0, sizeof(k));
		if (shopify_build_orders_since(since, first ? NULL : cursor,
		    &body, e) == -1 || gql_call_waiting(&c, body, &k, calls,
		    deadline_ms, e) == -1)
			goto out;
		if (k.kind != CALL_OK) {
			call_err(&k, "orders since", e);
			goto out;
		}
		if (shopify_parse_orders(&k.g, o, SHOPIFY_ORDERS_PAGE, &n,
		    cursor, sizeof(cursor), &more, e) == -1)
			goto out;
		for (i = 0; i < n; i++)
			if (fn(arg, &o[i], e) == -1)
				goto out;
		for (i = 0; i < n; i++)
			shopify_order_free(&o[i]);
		n = 0;
		first = 0;
		/* the bucket runs short: let it refill before the next page */
		if (more && (w = shopify_throttle_wait_s(&k.g)) > 0) {
			if (w > SHOPIFY_SWEEP_WAIT_MAX) {
				err_set(e, ERR_RETRY, "shopify: orders since: "
				    "cost bucket short for %lld s",
				    (long long)w);
				goto out;
			}
			(void)sleep((unsigned)w);
		}
	}
	rc = 0;
out:
	for (i = 0; i < n; i++)
		shopify_order_free(&o[i]);
	call_free(&k);
	free(body);
	conn_close(&c);
	return rc;
}

const struct channel_ops shopify_ops = {
	.name = "shopify",
	.push = shopify_push,
	.read = shopify_read,
	.catalog = shopify_catalog,
};
