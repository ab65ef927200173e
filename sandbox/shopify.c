/*
 * sandbox-shopify: a local emulator of the Shopify Admin API, for tests,
 * the demo and benchmarks (see sandbox/emu.h for the frame and the shared
 * /_sandbox/ control routes). Written from ../shared/reference/
 * channel-apis.md section 2 and the schema excerpt in ../shared/specs/
 * shopify/, independently of the hub's adapter.
 *
 * Emulated:
 *   POST /admin/api/2026-04/graphql.json with X-Shopify-Access-Token (401
 *     otherwise; any other version answers 404 as for an unknown one).
 *     Body {"query","variables","operationName"} (or application/graphql).
 *     A small GraphQL front end: a tokenizer and parser for the whole
 *     executable-document syntax (operations, variables, aliases, inline
 *     fragments, named fragments, directives), then static validation
 *     against a built-in slice of the Admin schema (unknown fields and
 *     arguments, missing required arguments, input-object fields, enum
 *     and scalar types, selection shapes, variables declared and used),
 *     with graphql-ruby's error messages and codes, and execution.
 *     QueryRoot: productVariants(first|last, after, query:"sku:…"), product-
 *       Variant(id), inventoryItem(id), location(id), shop,
 *       webhookSubscriptions(first, topics), orders(first|last, after,
 *       query: "updated_at:>'ISO'" / created_at with > >= < <=, sortKey:
 *       ID|CREATED_AT|UPDATED_AT) { id name createdAt updatedAt
 *       cancelledAt lineItems(first) { id sku quantity variant } }.
 *     Mutation: inventorySetQuantities, inventoryAdjustQuantities (2026-04:
 *       changeFromQuantity mandatory, explicit null opts out; mismatch →
 *       CHANGE_FROM_QUANTITY_STALE and nothing changes; @idempotent(key:)
 *       mandatory, replay → the original result, same key with other input →
 *       IDEMPOTENCY_KEY_PARAMETER_MISMATCH), webhookSubscriptionCreate
 *       (WebhookSubscriptionInput.uri as in 2026-01+; callbackUrl is not an
 *       input field any more and is refused).
 *     Cost-based throttling: a leaky bucket (default 1000 points, 50/s on the
 *       sandbox clock); requested cost = 1 per object field (times first/last
 *       inside connections) + 10 per mutation field; extensions.cost on every
 *       executed answer; THROTTLED (HTTP 200) when the bucket lacks points.
 *   Webhooks (REST bodies) to subscribed URIs: orders/create, orders/
 *     cancelled, refunds/create, fulfillments/create, inventory_levels/update
 *     (also for the app's own mutations: the echo), products/update; signed
 *     with X-Shopify-Hmac-Sha256 (OpenSSL here, not lib/sig.h).
 *   Stock states as Shopify keeps them for a tracked item at one location:
 *     an order moves units from available to committed, a fulfillment takes
 *     them out of committed (and on_hand), a cancel/refund with restock puts
 *     them back to available; on_hand = available + committed.
 *
 * Not emulated: REST Admin endpoints, more than one location, GraphQL
 *   introspection, @include/@skip, subscriptions, products/create, orders/
 *   updated/paid, the refunds/create that a real cancel-with-refund also
 *   sends, webhook filters and includeFields (stored, not applied),
 *   actualQueryCost refunds (actual = requested), X-Shopify-Name.
 *
 * Control API (besides the frame's): /_sandbox/config, demo, products,
 *   products/{id}/variants, variants/{id}, inventory, orders, orders/{id}/
 *   cancel|refunds|fulfillments, state, events — see the route table.
 */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <jansson.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "buf.h"
#include "emu.h"
#include "err.h"
#include "http.h"
#include "log.h"
#include "str.h"

#define API_VERSION	"2026-04"
#define LOCATION_ID	1
#define MAX_PRODUCTS	512
#define MAX_VARIANTS	16384	/* room for make bench's 10k-listing reconciliation */
#define MAX_SUBS	64
#define MAX_LINES	32
#define MAX_EVENTS	2000
#define SRC_MAX		(256 * 1024)
#define DEPTH_MAX	24

/* --- state ------------------------------------------------------------- */

struct product {
	int64_t	 id;
	char	 title[256];
	char	 handle[256];
	char	 vendor[128];
	char	 option_name[64];	/* "Title" for a single default variant */
	int64_t	 created_at, updated_at;
};

struct variant {
	int64_t	 id;
	int64_t	 product_id;
	int64_t	 item_id;		/* its InventoryItem, 1:1 */
	char	 sku[128];
	char	 title[128];		/* option1 value, "Default Title" */
	char	 price[24];		/* decimal string, "28.00" */
	int	 position;
	int64_t	 available, committed;	/* on_hand = available + committed */
	int64_t	 created_at, updated_at, level_updated_at;
};

struct line {
	int64_t	 id;
	int64_t	 variant_id;
	int64_t	 quantity;
	int64_t	 fulfilled;	/* shipped */
	int64_t	 removed;	/* unfulfilled units cancelled or refunded */
	int64_t	 returned;	/* shipped units refunded */
};

struct order {
	int64_t		 id;
	int64_t		 number;
	int64_t		 created_at, updated_at, cancelled_at;
	char		 email[128];
	char		 cancel_reason[32];
	struct line	 lines[MAX_LINES];
	size_t		 nlines;
	json_t		*refunds;	/* REST refund bodies, in order */
	json_t		*fulfillments;	/* REST fulfillment bodies */
};

enum topic {
	T_ORDERS_CREATE, T_ORDERS_CANCELLED, T_REFUNDS_CREATE,
	T_INVENTORY_LEVELS_UPDATE, T_PRODUCTS_UPDATE, T_FULFILLMENTS_CREATE,
	T__MAX
};

static const char *const topic_enum[T__MAX] = {
	"ORDERS_CREATE", "ORDERS_CANCELLED", "REFUNDS_CREATE",
	"INVENTORY_LEVELS_UPDATE", "PRODUCTS_UPDATE", "FULFILLMENTS_CREATE"
};
static const char *const topic_name[T__MAX] = {
	"orders/create", "orders/cancelled", "refunds/create",
	"inventory_levels/update", "products/update", "fulfillments/create"
};

struct sub {
	int64_t		 id;
	enum topic	 topic;
	char		 uri[512];
	char		 filter[256];
	int64_t		 created_at;
};

static struct {
	/* configuration (kept by /_sandbox/demo, cleared by reset) */
	char		 shop_domain[128];
	char		 shop_name[128];
	char		 token[256];
	char		 secret[256];
	char		 location_name[128];
	double		 bucket_max, restore_rate;
	/* the shop */
	struct product	 products[MAX_PRODUCTS];
	size_t		 nproducts;
	struct variant	 variants[MAX_VARIANTS];
	size_t		 nvariants;
	struct order	**orders;
	size_t		 norders, orders_cap;
	struct sub	 subs[MAX_SUBS];
	size_t		 nsubs;
	json_t		*idem;		/* key → {field, input, result} */
	json_t		*events;	/* the last MAX_EVENTS events fired */
	int64_t		 seq_product, seq_variant, seq_item, seq_order,
			 seq_line, seq_refund, seq_rli, seq_fulfillment,
			 seq_sub, seq_group, seq_event, seq_delivery,
			 order_number;
	/* the cost bucket */
	double		 bucket;
	int64_t		 bucket_ms;
} S;

/* --- small helpers ------------------------------------------------------ */

static void
iso_time(char *out, size_t sz, int64_t t, int gql)
{
	struct tm	 tm;
	time_t		 tt = (time_t)t;

	gmtime_r(&tt, &tm);
	if (strftime(out, sz, gql ? "%Y-%m-%dT%H:%M:%SZ" :
	    "%Y-%m-%dT%H:%M:%S+00:00", &tm) == 0 && sz > 0)
		out[0] = '\0';
}

static json_t *
jtime(int64_t t, int gql)
{
	char	 b[40];

	iso_time(b, sizeof(b), t, gql);
	return json_string(b);
}

static json_t *
jgid(const char *type, int64_t id)
{
	char	 b[128];

	(void)str_fmt(b, sizeof(b), "gid://shopify/%s/%lld", type,
	    (long long)id);
	return json_string(b);
}

static json_t *
jlegacy(int64_t id)
{
	char	 b[32];

	(void)str_fmt(b, sizeof(b), "%lld", (long long)id);
	return json_string(b);
}

/* "gid://shopify/<type>/<n>" → n; -1 when it is not one. */
static int64_t
gid_parse(const char *s, const char *type)
{
	char		 prefix[96];
	size_t		 n;
	int64_t		 id;

	if (s == NULL || str_fmt(prefix, sizeof(prefix), "gid://shopify/%s/",
	    type) == -1)
		return -1;
	n = strlen(prefix);
	if (strncmp(s, prefix, n) != 0 ||
	    str_to_i64(s + n, 1, INT64_MAX, &id) == -1)
		return -1;
	return id;
}

static json_t *
level_gid(int64_t item_id)
{
	char	 b[128];

	(void)str_fmt(b, sizeof(b), "gid://shopify/InventoryLevel/%d"
	    "?inventory_item_id=%lld", LOCATION_ID, (long long)item_id);
	return json_string(b);
}

/* a deterministic UUID-shaped id: unique per n and salt */
static void
pseudo_uuid(char *out, size_t sz, uint64_t n, uint64_t salt)
{
	uint64_t z = n * 0x9e3779b97f4a7c15ULL + salt;

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	z ^= z >> 31;
	(void)str_fmt(out, sz, "%08llx-%04llx-4%03llx-8%03llx-%012llx",
	    (unsigned long long)(z >> 32), (unsigned long long)(z & 0xffff),
	    (unsigned long long)((z >> 16) & 0xfff),
	    (unsigned long long)((z >> 28) & 0xfff), (unsigned long long)n);
}

static struct product *
product_by_id(int64_t id)
{
	size_t	 i;

	for (i = 0; i < S.nproducts; i++)
		if (S.products[i].id == id)
			return &S.products[i];
	return NULL;
}

static struct variant *
variant_by_id(int64_t id)
{
	size_t	 i;

	for (i = 0; i < S.nvariants; i++)
		if (S.variants[i].id == id)
			return &S.variants[i];
	return NULL;
}

static struct variant *
variant_by_item(int64_t id)
{
	size_t	 i;

	for (i = 0; i < S.nvariants; i++)
		if (S.variants[i].item_id == id)
			return &S.variants[i];
	return NULL;
}

static struct variant *
variant_by_sku(const char *sku)
{
	size_t	 i;

	for (i = 0; sku != NULL && i < S.nvariants; i++)
		if (strcmp(S.variants[i].sku, sku) == 0)
			return &S.variants[i];
	return NULL;
}

static struct order *
order_by_id(int64_t id)
{
	size_t	 i;

	for (i = 0; i < S.norders; i++)
		if (S.orders[i]->id == id)
			return S.orders[i];
	return NULL;
}

/* --- webhooks out ------------------------------------------------------- */

static void
hmac_b64(const char *key, const char *body, size_t len, char *out,
    size_t sz)
{
	unsigned char	 mac[EVP_MAX_MD_SIZE];
	unsigned int	 maclen = 0;

	out[0] = '\0';
	if (sz < 4 * ((EVP_MAX_MD_SIZE + 2) / 3) + 1)
		return;
	if (HMAC(EVP_sha256(), key, (int)strlen(key),
	    (const unsigned char *)body, len, mac, &maclen) == NULL)
		return;
	EVP_EncodeBlock((unsigned char *)out, mac, (int)maclen);
}

/*
 * One event: recorded, then one delivery per subscription to its topic.
 * The Event-Id is shared by every delivery of the event; the Webhook-Id
 * is per subscription (retries of a delivery keep it). Takes body.
 */
static void
fire(enum topic t, json_t *body)
{
	char		 event_id[48], hook_id[48], trig[48], mac[128], ms[8];
	char		*s = NULL;
	size_t		 i, len;
	int64_t		 now_ms = emu_now_ms();
	struct http_header h[10];

	if (body == NULL)
		return;
	if ((s = json_dumps(body, JSON_COMPACT)) == NULL)
		goto out;
	len = strlen(s);
	pseudo_uuid(event_id, sizeof(event_id), (uint64_t)++S.seq_event, 1);
	iso_time(trig, sizeof(trig), now_ms / 1000, 1);
	/* …T12:00:00Z → …T12:00:00.123Z */
	(void)str_fmt(ms, sizeof(ms), ".%03dZ", (int)(now_ms % 1000));
	if (strlen(trig) > 1) {
		trig[strlen(trig) - 1] = '\0';
		(void)str_copy(trig + strlen(trig), sizeof(trig) - strlen(trig),
		    ms);
	}
	if (json_array_size(S.events) >= MAX_EVENTS)
		json_array_remove(S.events, 0);
	json_array_append_new(S.events, json_pack("{s:s, s:s, s:s, s:O}",
	    "topic", topic_name[t], "event_id", event_id, "triggered_at", trig,
	    "body", body));
	hmac_b64(S.secret, s, len, mac, sizeof(mac));
	for (i = 0; i < S.nsubs; i++) {
		if (S.subs[i].topic != t)
			continue;
		pseudo_uuid(hook_id, sizeof(hook_id),
		    (uint64_t)++S.seq_delivery, 2);
		h[0] = (struct http_header){ "Content-Type", "application/json" };
		h[1] = (struct http_header){ "X-Shopify-Topic", topic_name[t] };
		h[2] = (struct http_header){ "X-Shopify-Hmac-Sha256", mac };
		h[3] = (struct http_header){ "X-Shopify-Shop-Domain",
		    S.shop_domain };
		h[4] = (struct http_header){ "X-Shopify-Webhook-Id", hook_id };
		h[5] = (struct http_header){ "X-Shopify-Event-Id", event_id };
		h[6] = (struct http_header){ "X-Shopify-Triggered-At", trig };
		h[7] = (struct http_header){ "X-Shopify-API-Version",
		    API_VERSION };
		h[8] = (struct http_header){ NULL, NULL };
		if (emu_webhook_queue(S.subs[i].uri, h, s, len) == -1)
			log_warn("webhook %s to %s not queued", topic_name[t],
			    S.subs[i].uri);
	}
out:
	free(s);
	json_decref(body);
}

/* The REST bodies the webhooks carry. */

static json_t *
rest_variant(const struct variant *v)
{
	return json_pack("{s:I, s:I, s:s, s:s, s:s, s:i, s:s, s:n, s:s, "
	    "s:n, s:n, s:o, s:o, s:b, s:s, s:I, s:I, s:I, s:s, s:o, s:b}",
	    "id", (json_int_t)v->id, "product_id", (json_int_t)v->product_id,
	    "title", v->title, "price", v->price, "sku", v->sku,
	    "position", v->position, "inventory_policy", "deny",
	    "compare_at_price", "option1", v->title, "option2", "option3",
	    "created_at", jtime(v->created_at, 0),
	    "updated_at", jtime(v->updated_at, 0), "taxable", 1,
	    "barcode", "", "inventory_item_id", (json_int_t)v->item_id,
	    "inventory_quantity", (json_int_t)v->available,
	    "old_inventory_quantity", (json_int_t)v->available,
	    "inventory_management", "shopify",
	    "admin_graphql_api_id", jgid("ProductVariant", v->id),
	    "requires_shipping", 1);
}

static json_t *
rest_product(const struct product *p)
{
	json_t	*vs = json_array(), *vals = json_array();
	size_t	 i;

	for (i = 0; i < S.nvariants; i++) {
		if (S.variants[i].product_id != p->id)
			continue;
		json_array_append_new(vs, rest_variant(&S.variants[i]));
		json_array_append_new(vals, json_string(S.variants[i].title));
	}
	return json_pack("{s:I, s:s, s:s, s:s, s:s, s:s, s:o, s:o, s:o, "
	    "s:s, s:s, s:o, s:[{s:I, s:I, s:s, s:i, s:o}], s:[], s:n, s:o}",
	    "id", (json_int_t)p->id, "title", p->title, "body_html", "",
	    "vendor", p->vendor, "product_type", "", "handle", p->handle,
	    "created_at", jtime(p->created_at, 0),
	    "updated_at", jtime(p->updated_at, 0),
	    "published_at", jtime(p->created_at, 0),
	    "status", "active", "tags", "", "variants", vs,
	    "options", "id", (json_int_t)p->id, "product_id",
	    (json_int_t)p->id, "name", p->option_name, "position", 1,
	    "values", vals, "images", "image",
	    "admin_graphql_api_id", jgid("Product", p->id));
}

static void
fire_level(struct variant *v)
{
	v->level_updated_at = emu_now();
	fire(T_INVENTORY_LEVELS_UPDATE, json_pack("{s:I, s:i, s:I, s:o, s:o}",
	    "inventory_item_id", (json_int_t)v->item_id, "location_id",
	    LOCATION_ID, "available", (json_int_t)v->available, "updated_at",
	    jtime(v->level_updated_at, 0), "admin_graphql_api_id",
	    level_gid(v->item_id)));
}

static json_t *
rest_line(const struct line *l)
{
	const struct variant	*v = variant_by_id(l->variant_id);
	const struct product	*p = v != NULL ? product_by_id(v->product_id) :
				    NULL;
	char			 name[400];
	int64_t			 fulfillable = l->quantity - l->fulfilled -
				    l->removed;

	if (v == NULL || p == NULL)
		return json_null();
	if (strcmp(v->title, "Default Title") == 0)
		(void)str_copy(name, sizeof(name), p->title);
	else
		(void)str_fmt(name, sizeof(name), "%s - %s", p->title,
		    v->title);
	return json_pack("{s:I, s:o, s:I, s:I, s:s, s:s, s:s, s:s, s:I, "
	    "s:I, s:I, s:s?, s:s, s:i, s:b, s:s, s:b, s:b}",
	    "id", (json_int_t)l->id, "admin_graphql_api_id",
	    jgid("LineItem", l->id), "variant_id", (json_int_t)v->id,
	    "product_id", (json_int_t)p->id, "sku", v->sku, "title", p->title,
	    "variant_title", v->title, "name", name,
	    "quantity", (json_int_t)l->quantity,
	    "current_quantity", (json_int_t)(l->quantity - l->removed -
	    l->returned), "fulfillable_quantity", (json_int_t)fulfillable,
	    "fulfillment_status", l->fulfilled == 0 ? NULL :
	    (l->fulfilled + l->removed >= l->quantity ? "fulfilled" :
	    "partial"), "price", v->price, "grams", 0, "requires_shipping", 1,
	    "vendor", p->vendor, "taxable", 1, "gift_card", 0);
}

static int64_t
cents(const char *price)
{
	int64_t	 w = 0, f = 0;
	const char *dot = strchr(price, '.');

	if (dot == NULL)
		(void)str_to_i64(price, 0, INT64_MAX / 1000, &w);
	else {
		(void)str_to_i64n(price, (size_t)(dot - price), 0,
		    INT64_MAX / 1000, &w);
		(void)str_to_i64n(dot + 1, strlen(dot + 1) > 2 ? 2 :
		    strlen(dot + 1), 0, 99, &f);
		if (strlen(dot + 1) == 1)
			f *= 10;
	}
	return w * 100 + f;
}

static json_t *
jmoney(int64_t c)
{
	char	 b[32];

	(void)str_fmt(b, sizeof(b), "%lld.%02lld", (long long)(c / 100),
	    (long long)(c % 100));
	return json_string(b);
}

static json_t *
rest_order(const struct order *o)
{
	json_t	*lines = json_array();
	char	 name[32];
	int64_t	 total = 0, done = 0, qty = 0;
	size_t	 i;
	const char *fs;

	for (i = 0; i < o->nlines; i++) {
		const struct line *l = &o->lines[i];
		const struct variant *v = variant_by_id(l->variant_id);

		json_array_append_new(lines, rest_line(l));
		if (v != NULL)
			total += cents(v->price) * l->quantity;
		done += l->fulfilled + l->removed;
		qty += l->quantity;
	}
	fs = done == 0 ? NULL : (done >= qty ? "fulfilled" : "partial");
	(void)str_fmt(name, sizeof(name), "#%lld", (long long)o->number);
	return json_pack("{s:I, s:o, s:s, s:I, s:s, s:o, s:o, s:o, s:s?, "
	    "s:s, s:s?, s:s, s:o, s:o, s:o, s:b, s:s, s:o, s:O, s:O}",
	    "id", (json_int_t)o->id, "admin_graphql_api_id",
	    jgid("Order", o->id), "name", name, "order_number",
	    (json_int_t)o->number, "email", o->email,
	    "created_at", jtime(o->created_at, 0),
	    "updated_at", jtime(o->updated_at, 0),
	    "cancelled_at", o->cancelled_at != 0 ?
	    jtime(o->cancelled_at, 0) : json_null(),
	    "cancel_reason", o->cancel_reason[0] != '\0' ? o->cancel_reason :
	    NULL, "financial_status", "paid", "fulfillment_status", fs,
	    "currency", "USD", "total_price", jmoney(total),
	    "subtotal_price", jmoney(total), "total_tax", jmoney(0),
	    "test", 1, "source_name", "web", "line_items", lines,
	    "refunds", o->refunds, "fulfillments", o->fulfillments);
}

/* --- GraphQL: tokens ----------------------------------------------------- */

enum tk { TK_EOF, TK_PUNCT, TK_SPREAD, TK_NAME, TK_INT, TK_FLOAT, TK_STRING };

struct lexer {
	const char	*src;
	size_t		 len, pos, line_start;
	int		 line;
	/* the current token */
	enum tk		 k;
	char		 c;		/* punctuator */
	size_t		 start, n;	/* its bytes in src */
	int		 tline, tcol;
	struct buf	 str;		/* a string token, decoded */
	/* the first error */
	char		 err[256];
	int		 eline, ecol;
};

static int
lex_fail(struct lexer *L, const char *fmt, const char *what)
{
	if (L->err[0] == '\0') {
		(void)str_fmt(L->err, sizeof(L->err), fmt, what);
		L->eline = L->tline;
		L->ecol = L->tcol;
	}
	return -1;
}

static void
utf8_put(struct buf *b, unsigned cp, int *bad)
{
	unsigned char	 u[4];
	size_t		 n;

	if (cp < 0x80) {
		u[0] = (unsigned char)cp;
		n = 1;
	} else if (cp < 0x800) {
		u[0] = (unsigned char)(0xc0 | (cp >> 6));
		u[1] = (unsigned char)(0x80 | (cp & 0x3f));
		n = 2;
	} else if (cp < 0x10000) {
		u[0] = (unsigned char)(0xe0 | (cp >> 12));
		u[1] = (unsigned char)(0x80 | ((cp >> 6) & 0x3f));
		u[2] = (unsigned char)(0x80 | (cp & 0x3f));
		n = 3;
	} else {
		u[0] = (unsigned char)(0xf0 | (cp >> 18));
		u[1] = (unsigned char)(0x80 | ((cp >> 12) & 0x3f));
		u[2] = (unsigned char)(0x80 | ((cp >> 6) & 0x3f));
		u[3] = (unsigned char)(0x80 | (cp & 0x3f));
		n = 4;
	}
	if (buf_append(b, u, n) == -1)
		*bad = 1;
}

static int
hex4(const char *s, unsigned *out)
{
	unsigned	 v = 0;
	int		 i;

	for (i = 0; i < 4; i++) {
		char c = s[i];

		v <<= 4;
		if (c >= '0' && c <= '9')
			v |= (unsigned)(c - '0');
		else if (c >= 'a' && c <= 'f')
			v |= (unsigned)(c - 'a' + 10);
		else if (c >= 'A' && c <= 'F')
			v |= (unsigned)(c - 'A' + 10);
		else
			return -1;
	}
	*out = v;
	return 0;
}

/* A "…" string (block strings """…""" too, kept raw). */
static int
lex_string(struct lexer *L)
{
	const char	*s = L->src;
	int		 bad = 0;
	unsigned	 cp, lo;

	buf_reset(&L->str);
	if (L->pos + 2 < L->len && s[L->pos + 1] == '"' && s[L->pos + 2] == '"') {
		L->pos += 3;
		for (;;) {
			if (L->pos + 2 >= L->len)
				return lex_fail(L, "%s", "Unterminated string");
			if (s[L->pos] == '"' && s[L->pos + 1] == '"' &&
			    s[L->pos + 2] == '"') {
				L->pos += 3;
				break;
			}
			if (s[L->pos] == '\n') {
				L->line++;
				L->line_start = L->pos + 1;
			}
			if (buf_append(&L->str, &s[L->pos++], 1) == -1)
				bad = 1;
		}
		L->k = TK_STRING;
		return bad ? lex_fail(L, "%s", "String too long") : 0;
	}
	L->pos++;
	for (;;) {
		char c;

		if (L->pos >= L->len || s[L->pos] == '\n' || s[L->pos] == '\r')
			return lex_fail(L, "%s", "Unterminated string");
		c = s[L->pos++];
		if (c == '"')
			break;
		if (c != '\\') {
			if (buf_append(&L->str, &c, 1) == -1)
				bad = 1;
			continue;
		}
		if (L->pos >= L->len)
			return lex_fail(L, "%s", "Unterminated string");
		c = s[L->pos++];
		switch (c) {
		case '"': case '\\': case '/':
			break;
		case 'b': c = '\b'; break;
		case 'f': c = '\f'; break;
		case 'n': c = '\n'; break;
		case 'r': c = '\r'; break;
		case 't': c = '\t'; break;
		case 'u':
			if (L->pos + 4 > L->len || hex4(s + L->pos, &cp) == -1)
				return lex_fail(L, "%s", "Bad unicode escape");
			L->pos += 4;
			if (cp >= 0xd800 && cp < 0xdc00) {
				if (L->pos + 6 > L->len || s[L->pos] != '\\' ||
				    s[L->pos + 1] != 'u' ||
				    hex4(s + L->pos + 2, &lo) == -1 ||
				    lo < 0xdc00 || lo > 0xdfff)
					return lex_fail(L, "%s",
					    "Bad unicode escape");
				L->pos += 6;
				cp = 0x10000 + ((cp - 0xd800) << 10) +
				    (lo - 0xdc00);
			} else if (cp >= 0xdc00 && cp < 0xe000)
				return lex_fail(L, "%s", "Bad unicode escape");
			utf8_put(&L->str, cp, &bad);
			continue;
		default:
			return lex_fail(L, "%s", "Bad escape in string");
		}
		if (buf_append(&L->str, &c, 1) == -1)
			bad = 1;
	}
	L->k = TK_STRING;
	return bad ? lex_fail(L, "%s", "String too long") : 0;
}

/* Advance to the next token, skipping whitespace, commas and comments. */
static int
lex_next(struct lexer *L)
{
	const char	*s = L->src;
	char		 c;

	for (;;) {
		if (L->pos >= L->len)
			break;
		c = s[L->pos];
		if (c == '\n') {
			L->pos++;
			L->line++;
			L->line_start = L->pos;
		} else if (c == ' ' || c == '\t' || c == '\r' || c == ',')
			L->pos++;
		else if (c == '#') {
			while (L->pos < L->len && s[L->pos] != '\n')
				L->pos++;
		} else if ((unsigned char)c == 0xef && L->pos + 2 < L->len &&
		    (unsigned char)s[L->pos + 1] == 0xbb &&
		    (unsigned char)s[L->pos + 2] == 0xbf)
			L->pos += 3;	/* a byte order mark */
		else
			break;
	}
	L->start = L->pos;
	L->tline = L->line;
	L->tcol = (int)(L->pos - L->line_start) + 1;
	if (L->pos >= L->len) {
		L->k = TK_EOF;
		L->n = 0;
		return 0;
	}
	c = s[L->pos];
	if (c == '.') {
		if (L->pos + 2 < L->len && s[L->pos + 1] == '.' &&
		    s[L->pos + 2] == '.') {
			L->pos += 3;
			L->k = TK_SPREAD;
			L->n = 3;
			return 0;
		}
		return lex_fail(L, "%s", "Unexpected character '.'");
	}
	if (strchr("!$&():=@[]{}|", c) != NULL) {
		L->pos++;
		L->k = TK_PUNCT;
		L->c = c;
		L->n = 1;
		return 0;
	}
	if (c == '_' || isalpha((unsigned char)c)) {
		while (L->pos < L->len && (s[L->pos] == '_' ||
		    isalnum((unsigned char)s[L->pos])))
			L->pos++;
		L->k = TK_NAME;
		L->n = L->pos - L->start;
		return 0;
	}
	if (c == '-' || isdigit((unsigned char)c)) {
		int	 isfloat = 0;

		if (c == '-')
			L->pos++;
		if (L->pos >= L->len || !isdigit((unsigned char)s[L->pos]))
			return lex_fail(L, "%s", "Bad number");
		if (s[L->pos] == '0' && L->pos + 1 < L->len &&
		    isdigit((unsigned char)s[L->pos + 1]))
			return lex_fail(L, "%s", "Bad number (leading zero)");
		while (L->pos < L->len && isdigit((unsigned char)s[L->pos]))
			L->pos++;
		if (L->pos < L->len && s[L->pos] == '.') {
			isfloat = 1;
			L->pos++;
			if (L->pos >= L->len ||
			    !isdigit((unsigned char)s[L->pos]))
				return lex_fail(L, "%s", "Bad number");
			while (L->pos < L->len &&
			    isdigit((unsigned char)s[L->pos]))
				L->pos++;
		}
		if (L->pos < L->len && (s[L->pos] == 'e' || s[L->pos] == 'E')) {
			isfloat = 1;
			L->pos++;
			if (L->pos < L->len && (s[L->pos] == '+' ||
			    s[L->pos] == '-'))
				L->pos++;
			if (L->pos >= L->len ||
			    !isdigit((unsigned char)s[L->pos]))
				return lex_fail(L, "%s", "Bad number");
			while (L->pos < L->len &&
			    isdigit((unsigned char)s[L->pos]))
				L->pos++;
		}
		if (L->pos < L->len && (s[L->pos] == '_' || s[L->pos] == '.' ||
		    isalpha((unsigned char)s[L->pos])))
			return lex_fail(L, "%s", "Bad number");
		L->k = isfloat ? TK_FLOAT : TK_INT;
		L->n = L->pos - L->start;
		return 0;
	}
	if (c == '"')
		return lex_string(L);
	{
		char what[8];

		(void)str_fmt(what, sizeof(what), "%c",
		    isprint((unsigned char)c) ? c : '?');
		return lex_fail(L, "Unexpected character '%s'", what);
	}
}

static int
is_punct(const struct lexer *L, char c)
{
	return L->k == TK_PUNCT && L->c == c;
}

static int
is_name(const struct lexer *L, const char *name)
{
	return L->k == TK_NAME && L->n == strlen(name) &&
	    memcmp(L->src + L->start, name, L->n) == 0;
}

/* A parse error at the current token, in graphql-ruby's words. */
static int
parse_fail(struct lexer *L)
{
	char	 tok[80], what[120];
	size_t	 n = L->n < 40 ? L->n : 40;

	if (L->err[0] != '\0')
		return -1;
	if (L->k == TK_EOF)
		return lex_fail(L, "%s", "Unexpected end of document");
	memcpy(tok, L->src + L->start, n);
	tok[n] = '\0';
	(void)str_fmt(what, sizeof(what), "%s\" (%s) at [%d, %d]", tok,
	    L->k == TK_NAME ? "IDENTIFIER" : L->k == TK_STRING ? "STRING" :
	    L->k == TK_INT ? "INT" : L->k == TK_FLOAT ? "FLOAT" : "PUNCTUATOR",
	    L->tline, L->tcol);
	return lex_fail(L, "Parse error on \"%s", what);
}

static int
expect(struct lexer *L, char c)
{
	if (!is_punct(L, c))
		return parse_fail(L);
	return lex_next(L);
}

static json_t *
take_name(struct lexer *L)
{
	json_t	*j;

	if (L->k != TK_NAME) {
		parse_fail(L);
		return NULL;
	}
	j = json_stringn(L->src + L->start, L->n);
	if (lex_next(L) == -1) {
		json_decref(j);
		return NULL;
	}
	return j;
}

static void
set_pos(json_t *node, int line, int col)
{
	json_object_set_new(node, "line", json_integer(line));
	json_object_set_new(node, "col", json_integer(col));
}

/*
 * A value as JSON: variables become {"$var": name} and enum literals
 * {"$enum": name} ('$' cannot start a GraphQL name, so these never clash
 * with an input object's field).
 */
static json_t *
parse_value(struct lexer *L, int depth)
{
	json_t	*v = NULL, *k, *item;
	int64_t	 i;

	if (depth > DEPTH_MAX) {
		lex_fail(L, "%s", "Value nested too deeply");
		return NULL;
	}
	if (is_punct(L, '$')) {
		if (lex_next(L) == -1 || (k = take_name(L)) == NULL)
			return NULL;
		return json_pack("{s:o}", "$var", k);
	}
	switch (L->k) {
	case TK_INT:
		if (str_to_i64n(L->src + L->start, L->n, INT64_MIN, INT64_MAX,
		    &i) == -1) {
			lex_fail(L, "%s", "Integer out of range");
			return NULL;
		}
		v = json_integer(i);
		break;
	case TK_FLOAT: {
		char	 b[64], *end;
		double	 d;

		if (L->n >= sizeof(b)) {
			lex_fail(L, "%s", "Bad number");
			return NULL;
		}
		memcpy(b, L->src + L->start, L->n);
		b[L->n] = '\0';
		d = strtod(b, &end);
		v = json_real(d);
		break;
	}
	case TK_STRING:
		v = json_stringn(L->str.data != NULL ? L->str.data : "",
		    L->str.len);
		if (v == NULL) {
			lex_fail(L, "%s", "String is not valid UTF-8");
			return NULL;
		}
		break;
	case TK_NAME:
		if (is_name(L, "true"))
			v = json_true();
		else if (is_name(L, "false"))
			v = json_false();
		else if (is_name(L, "null"))
			v = json_null();
		else
			v = json_pack("{s:s%}", "$enum", L->src + L->start, L->n);
		break;
	case TK_PUNCT:
		if (L->c == '[') {
			v = json_array();
			if (lex_next(L) == -1)
				goto fail;
			while (!is_punct(L, ']')) {
				if (L->k == TK_EOF) {
					parse_fail(L);
					goto fail;
				}
				if ((item = parse_value(L, depth + 1)) == NULL)
					goto fail;
				json_array_append_new(v, item);
			}
			break;
		}
		if (L->c == '{') {
			v = json_object();
			if (lex_next(L) == -1)
				goto fail;
			while (!is_punct(L, '}')) {
				if ((k = take_name(L)) == NULL)
					goto fail;
				if (json_object_get(v, json_string_value(k))) {
					json_decref(k);
					lex_fail(L, "%s", "Duplicate input "
					    "object field");
					goto fail;
				}
				if (expect(L, ':') == -1 ||
				    (item = parse_value(L, depth + 1)) == NULL) {
					json_decref(k);
					goto fail;
				}
				json_object_set_new(v, json_string_value(k),
				    item);
				json_decref(k);
			}
			break;
		}
		parse_fail(L);
		return NULL;
	default:
		parse_fail(L);
		return NULL;
	}
	if (lex_next(L) == -1)
		goto fail;
	return v;
fail:
	json_decref(v);
	return NULL;
}

/* (name: value ...) into an object */
static json_t *
parse_args(struct lexer *L)
{
	json_t	*args = json_object(), *k = NULL, *v;

	if (!is_punct(L, '('))
		return args;
	if (lex_next(L) == -1)
		goto fail;
	do {
		if ((k = take_name(L)) == NULL || expect(L, ':') == -1 ||
		    (v = parse_value(L, 0)) == NULL)
			goto fail;
		if (json_object_get(args, json_string_value(k)) != NULL) {
			json_decref(v);
			lex_fail(L, "There can be only one argument named "
			    "\"%s\"", json_string_value(k));
			goto fail;
		}
		json_object_set_new(args, json_string_value(k), v);
		json_decref(k);
		k = NULL;
	} while (!is_punct(L, ')'));
	if (lex_next(L) == -1)
		goto fail;
	return args;
fail:
	json_decref(k);
	json_decref(args);
	return NULL;
}

static json_t *
parse_directives(struct lexer *L)
{
	json_t	*dirs = json_array(), *name, *args;
	int	 line, col;

	while (is_punct(L, '@')) {
		line = L->tline;
		col = L->tcol;
		if (lex_next(L) == -1 || (name = take_name(L)) == NULL)
			goto fail;
		if ((args = parse_args(L)) == NULL) {
			json_decref(name);
			goto fail;
		}
		json_array_append_new(dirs, json_pack("{s:o, s:o, s:i, s:i}",
		    "name", name, "args", args, "line", line, "col", col));
	}
	return dirs;
fail:
	json_decref(dirs);
	return NULL;
}

/* A type reference, as written without spaces: "[ID!]!" */
static int
parse_type(struct lexer *L, struct buf *b, int depth)
{
	if (depth > 8)
		return lex_fail(L, "%s", "Type nested too deeply");
	if (is_punct(L, '[')) {
		if (buf_puts(b, "[") == -1 || lex_next(L) == -1 ||
		    parse_type(L, b, depth + 1) == -1 || expect(L, ']') == -1 ||
		    buf_puts(b, "]") == -1)
			return -1;
	} else if (L->k == TK_NAME) {
		if (buf_append(b, L->src + L->start, L->n) == -1 ||
		    lex_next(L) == -1)
			return -1;
	} else
		return parse_fail(L);
	if (is_punct(L, '!')) {
		if (buf_puts(b, "!") == -1 || lex_next(L) == -1)
			return -1;
	}
	return 0;
}

static json_t *parse_selset(struct lexer *L, int depth);

static json_t *
parse_selection(struct lexer *L, int depth)
{
	json_t	*node = json_object(), *a, *b, *x;
	int	 line = L->tline, col = L->tcol;

	set_pos(node, line, col);
	if (L->k == TK_SPREAD) {
		if (lex_next(L) == -1)
			goto fail;
		if (L->k == TK_NAME && !is_name(L, "on")) {
			json_object_set_new(node, "k", json_string("spread"));
			if ((a = take_name(L)) == NULL)
				goto fail;
			json_object_set_new(node, "name", a);
			if ((x = parse_directives(L)) == NULL)
				goto fail;
			json_object_set_new(node, "dirs", x);
			return node;
		}
		json_object_set_new(node, "k", json_string("inline"));
		if (is_name(L, "on")) {
			if (lex_next(L) == -1 || (a = take_name(L)) == NULL)
				goto fail;
			json_object_set_new(node, "on", a);
		}
		if ((x = parse_directives(L)) == NULL)
			goto fail;
		json_object_set_new(node, "dirs", x);
		if ((x = parse_selset(L, depth + 1)) == NULL)
			goto fail;
		json_object_set_new(node, "sel", x);
		return node;
	}
	json_object_set_new(node, "k", json_string("field"));
	if ((a = take_name(L)) == NULL)
		goto fail;
	if (is_punct(L, ':')) {
		if (lex_next(L) == -1 || (b = take_name(L)) == NULL) {
			json_decref(a);
			goto fail;
		}
		json_object_set_new(node, "alias", a);
		json_object_set_new(node, "name", b);
	} else {
		json_object_set(node, "alias", a);
		json_object_set_new(node, "name", a);
	}
	if ((x = parse_args(L)) == NULL)
		goto fail;
	json_object_set_new(node, "args", x);
	if ((x = parse_directives(L)) == NULL)
		goto fail;
	json_object_set_new(node, "dirs", x);
	if (is_punct(L, '{')) {
		if ((x = parse_selset(L, depth + 1)) == NULL)
			goto fail;
		json_object_set_new(node, "sel", x);
	}
	return node;
fail:
	json_decref(node);
	return NULL;
}

static json_t *
parse_selset(struct lexer *L, int depth)
{
	json_t	*sel, *s;

	if (depth > DEPTH_MAX) {
		lex_fail(L, "%s", "Query nested too deeply");
		return NULL;
	}
	if (expect(L, '{') == -1)
		return NULL;
	sel = json_array();
	do {
		if ((s = parse_selection(L, depth)) == NULL) {
			json_decref(sel);
			return NULL;
		}
		json_array_append_new(sel, s);
	} while (!is_punct(L, '}'));
	if (lex_next(L) == -1) {
		json_decref(sel);
		return NULL;
	}
	return sel;
}

static json_t *
parse_vardefs(struct lexer *L)
{
	json_t		*vars = json_array(), *name = NULL, *def, *d;
	struct buf	 tb;
	int		 line, col;

	buf_init(&tb, 256);
	if (!is_punct(L, '('))
		return vars;
	if (lex_next(L) == -1)
		goto fail;
	do {
		line = L->tline;
		col = L->tcol;
		buf_reset(&tb);
		if (expect(L, '$') == -1 || (name = take_name(L)) == NULL ||
		    expect(L, ':') == -1 || parse_type(L, &tb, 0) == -1)
			goto fail;
		def = json_pack("{s:o, s:s, s:i, s:i}", "name", name, "type",
		    tb.data != NULL ? tb.data : "", "line", line, "col", col);
		name = NULL;
		if (is_punct(L, '=')) {
			if (lex_next(L) == -1 || (d = parse_value(L, 0)) == NULL) {
				json_decref(def);
				goto fail;
			}
			json_object_set_new(def, "default", d);
		}
		if ((d = parse_directives(L)) == NULL) {
			json_decref(def);
			goto fail;
		}
		json_decref(d);
		json_array_append_new(vars, def);
	} while (!is_punct(L, ')'));
	if (lex_next(L) == -1)
		goto fail;
	buf_free(&tb);
	return vars;
fail:
	buf_free(&tb);
	json_decref(name);
	json_decref(vars);
	return NULL;
}

/*
 * The whole document: {"ops":[operation...], "frags":{name: fragment}}.
 * An operation is {"op","name"?,"vars","dirs","sel","line","col"}.
 */
static json_t *
parse_document(struct lexer *L)
{
	json_t	*doc = json_pack("{s:[], s:{}}", "ops", "frags"), *op = NULL, *x;
	int	 line, col;

	if (lex_next(L) == -1)
		goto fail;
	if (L->k == TK_EOF) {
		lex_fail(L, "%s", "Unexpected end of document");
		goto fail;
	}
	while (L->k != TK_EOF) {
		line = L->tline;
		col = L->tcol;
		op = json_object();
		set_pos(op, line, col);
		if (is_name(L, "fragment")) {
			if (lex_next(L) == -1 || (x = take_name(L)) == NULL)
				goto fail;
			json_object_set_new(op, "name", x);
			if (!is_name(L, "on")) {
				parse_fail(L);
				goto fail;
			}
			if (lex_next(L) == -1 || (x = take_name(L)) == NULL)
				goto fail;
			json_object_set_new(op, "on", x);
			if ((x = parse_directives(L)) == NULL)
				goto fail;
			json_decref(x);
			if ((x = parse_selset(L, 0)) == NULL)
				goto fail;
			json_object_set_new(op, "sel", x);
			if (json_object_get(json_object_get(doc, "frags"),
			    json_string_value(json_object_get(op, "name")))) {
				lex_fail(L, "%s", "Fragment names must be "
				    "unique");
				goto fail;
			}
			json_object_set_new(json_object_get(doc, "frags"),
			    json_string_value(json_object_get(op, "name")), op);
			op = NULL;
			continue;
		}
		if (is_punct(L, '{')) {
			json_object_set_new(op, "op", json_string("query"));
			json_object_set_new(op, "vars", json_array());
			json_object_set_new(op, "dirs", json_array());
		} else if (is_name(L, "query") || is_name(L, "mutation") ||
		    is_name(L, "subscription")) {
			json_object_set_new(op, "op", json_stringn(L->src +
			    L->start, L->n));
			if (lex_next(L) == -1)
				goto fail;
			if (L->k == TK_NAME) {
				if ((x = take_name(L)) == NULL)
					goto fail;
				json_object_set_new(op, "name", x);
			}
			if ((x = parse_vardefs(L)) == NULL)
				goto fail;
			json_object_set_new(op, "vars", x);
			if ((x = parse_directives(L)) == NULL)
				goto fail;
			json_object_set_new(op, "dirs", x);
		} else {
			parse_fail(L);
			goto fail;
		}
		if ((x = parse_selset(L, 0)) == NULL)
			goto fail;
		json_object_set_new(op, "sel", x);
		json_array_append_new(json_object_get(doc, "ops"), op);
		op = NULL;
	}
	return doc;
fail:
	json_decref(op);
	json_decref(doc);
	return NULL;
}

/* --- GraphQL: the schema slice ------------------------------------------ */

struct sarg {
	const char	*name;
	const char	*type;
};

struct sfield {
	const char		*name;
	const char		*type;
	const struct sarg	*args;
};

enum skind { SK_SCALAR, SK_ENUM, SK_OBJECT, SK_UNION, SK_INPUT };

struct stype {
	const char		*name;
	enum skind		 kind;
	const struct sfield	*fields;	/* object and input fields */
	const char *const	*values;	/* enum values, union members */
};

static const struct sarg A_NONE[] = { { NULL, NULL } };
static const struct sarg A_VARIANTS[] = {
	{ "first", "Int" }, { "last", "Int" }, { "after", "String" },
	{ "before", "String" }, { "reverse", "Boolean" },
	{ "query", "String" }, { "sortKey", "ProductVariantSortKeys" },
	{ NULL, NULL } };
static const struct sarg A_LEVELS[] = {
	{ "first", "Int" }, { "last", "Int" }, { "after", "String" },
	{ "before", "String" }, { "reverse", "Boolean" },
	{ "query", "String" }, { NULL, NULL } };
static const struct sarg A_SUBS[] = {
	{ "first", "Int" }, { "last", "Int" }, { "after", "String" },
	{ "before", "String" }, { "reverse", "Boolean" },
	{ "topics", "[WebhookSubscriptionTopic!]" }, { "uri", "String" },
	{ "query", "String" }, { NULL, NULL } };
static const struct sarg A_ORDERS[] = {
	{ "first", "Int" }, { "last", "Int" }, { "after", "String" },
	{ "before", "String" }, { "reverse", "Boolean" },
	{ "query", "String" }, { "sortKey", "OrderSortKeys" },
	{ NULL, NULL } };
static const struct sarg A_CONN[] = {
	{ "first", "Int" }, { "last", "Int" }, { "after", "String" },
	{ "before", "String" }, { "reverse", "Boolean" }, { NULL, NULL } };
static const struct sarg A_ID[] = { { "id", "ID!" }, { NULL, NULL } };
static const struct sarg A_LOC_ID[] = { { "id", "ID" }, { NULL, NULL } };
static const struct sarg A_LEVEL[] = { { "locationId", "ID!" },
	{ NULL, NULL } };
static const struct sarg A_QTY[] = { { "names", "[String!]!" },
	{ NULL, NULL } };
static const struct sarg A_CHANGES[] = {
	{ "inventoryItemIds", "[ID!]" }, { "locationIds", "[ID!]" },
	{ "quantityNames", "[String!]" }, { NULL, NULL } };
static const struct sarg A_SET[] = {
	{ "input", "InventorySetQuantitiesInput!" }, { NULL, NULL } };
static const struct sarg A_ADJUST[] = {
	{ "input", "InventoryAdjustQuantitiesInput!" }, { NULL, NULL } };
static const struct sarg A_SUB_CREATE[] = {
	{ "topic", "WebhookSubscriptionTopic!" },
	{ "webhookSubscription", "WebhookSubscriptionInput!" },
	{ NULL, NULL } };

static const struct sfield F_QUERY[] = {
	{ "productVariants", "ProductVariantConnection!", A_VARIANTS },
	{ "productVariant", "ProductVariant", A_ID },
	{ "inventoryItem", "InventoryItem", A_ID },
	{ "location", "Location", A_LOC_ID },
	{ "shop", "Shop!", A_NONE },
	{ "webhookSubscriptions", "WebhookSubscriptionConnection!", A_SUBS },
	{ "orders", "OrderConnection!", A_ORDERS },
	{ NULL, NULL, NULL } };
static const struct sfield F_MUTATION[] = {
	{ "inventorySetQuantities", "InventorySetQuantitiesPayload", A_SET },
	{ "inventoryAdjustQuantities", "InventoryAdjustQuantitiesPayload",
	  A_ADJUST },
	{ "webhookSubscriptionCreate", "WebhookSubscriptionCreatePayload",
	  A_SUB_CREATE },
	{ NULL, NULL, NULL } };
static const struct sfield F_PAGEINFO[] = {
	{ "hasNextPage", "Boolean!", A_NONE },
	{ "hasPreviousPage", "Boolean!", A_NONE },
	{ "startCursor", "String", A_NONE },
	{ "endCursor", "String", A_NONE }, { NULL, NULL, NULL } };
static const struct sfield F_PV_CONN[] = {
	{ "nodes", "[ProductVariant!]!", A_NONE },
	{ "edges", "[ProductVariantEdge!]!", A_NONE },
	{ "pageInfo", "PageInfo!", A_NONE }, { NULL, NULL, NULL } };
static const struct sfield F_PV_EDGE[] = {
	{ "node", "ProductVariant!", A_NONE },
	{ "cursor", "String!", A_NONE }, { NULL, NULL, NULL } };
static const struct sfield F_VARIANT[] = {
	{ "id", "ID!", A_NONE },
	{ "legacyResourceId", "UnsignedInt64!", A_NONE },
	{ "sku", "String", A_NONE },
	{ "title", "String!", A_NONE },
	{ "displayName", "String!", A_NONE },
	{ "price", "Money!", A_NONE },
	{ "position", "Int!", A_NONE },
	{ "inventoryQuantity", "Int", A_NONE },
	{ "inventoryItem", "InventoryItem!", A_NONE },
	{ "product", "Product!", A_NONE },
	{ "selectedOptions", "[SelectedOption!]!", A_NONE },
	{ "createdAt", "DateTime!", A_NONE },
	{ "updatedAt", "DateTime!", A_NONE }, { NULL, NULL, NULL } };
static const struct sfield F_SELOPT[] = {
	{ "name", "String!", A_NONE }, { "value", "String!", A_NONE },
	{ NULL, NULL, NULL } };
static const struct sfield F_PRODUCT[] = {
	{ "id", "ID!", A_NONE },
	{ "legacyResourceId", "UnsignedInt64!", A_NONE },
	{ "title", "String!", A_NONE },
	{ "handle", "String!", A_NONE },
	{ "vendor", "String!", A_NONE },
	{ "status", "ProductStatus!", A_NONE },
	{ "createdAt", "DateTime!", A_NONE },
	{ "updatedAt", "DateTime!", A_NONE }, { NULL, NULL, NULL } };
static const struct sfield F_ITEM[] = {
	{ "id", "ID!", A_NONE },
	{ "legacyResourceId", "UnsignedInt64!", A_NONE },
	{ "sku", "String", A_NONE },
	{ "tracked", "Boolean!", A_NONE },
	{ "requiresShipping", "Boolean!", A_NONE },
	{ "duplicateSkuCount", "Int!", A_NONE },
	{ "createdAt", "DateTime!", A_NONE },
	{ "updatedAt", "DateTime!", A_NONE },
	{ "inventoryLevel", "InventoryLevel", A_LEVEL },
	{ "inventoryLevels", "InventoryLevelConnection!", A_LEVELS },
	{ "variant", "ProductVariant!", A_NONE }, { NULL, NULL, NULL } };
static const struct sfield F_LEVEL_CONN[] = {
	{ "nodes", "[InventoryLevel!]!", A_NONE },
	{ "edges", "[InventoryLevelEdge!]!", A_NONE },
	{ "pageInfo", "PageInfo!", A_NONE }, { NULL, NULL, NULL } };
static const struct sfield F_LEVEL_EDGE[] = {
	{ "node", "InventoryLevel!", A_NONE },
	{ "cursor", "String!", A_NONE }, { NULL, NULL, NULL } };
static const struct sfield F_LEVEL[] = {
	{ "id", "ID!", A_NONE },
	{ "canDeactivate", "Boolean!", A_NONE },
	{ "createdAt", "DateTime!", A_NONE },
	{ "updatedAt", "DateTime!", A_NONE },
	{ "item", "InventoryItem!", A_NONE },
	{ "location", "Location!", A_NONE },
	{ "quantities", "[InventoryQuantity!]!", A_QTY },
	{ NULL, NULL, NULL } };
static const struct sfield F_QUANTITY[] = {
	{ "id", "ID!", A_NONE }, { "name", "String!", A_NONE },
	{ "quantity", "Int!", A_NONE }, { "updatedAt", "DateTime", A_NONE },
	{ NULL, NULL, NULL } };
static const struct sfield F_LOCATION[] = {
	{ "id", "ID!", A_NONE },
	{ "legacyResourceId", "UnsignedInt64!", A_NONE },
	{ "name", "String!", A_NONE }, { "isActive", "Boolean!", A_NONE },
	{ NULL, NULL, NULL } };
static const struct sfield F_SHOP[] = {
	{ "id", "ID!", A_NONE }, { "name", "String!", A_NONE },
	{ "myshopifyDomain", "String!", A_NONE },
	{ "currencyCode", "CurrencyCode!", A_NONE },
	{ NULL, NULL, NULL } };
static const struct sfield F_GROUP[] = {
	{ "id", "ID!", A_NONE },
	{ "createdAt", "DateTime!", A_NONE },
	{ "reason", "String!", A_NONE },
	{ "referenceDocumentUri", "String", A_NONE },
	{ "changes", "[InventoryChange!]!", A_CHANGES },
	{ NULL, NULL, NULL } };
static const struct sfield F_CHANGE[] = {
	{ "delta", "Int!", A_NONE },
	{ "item", "InventoryItem", A_NONE },
	{ "ledgerDocumentUri", "String", A_NONE },
	{ "location", "Location", A_NONE },
	{ "name", "String!", A_NONE },
	{ "quantityAfterChange", "Int", A_NONE }, { NULL, NULL, NULL } };
static const struct sfield F_SET_PAYLOAD[] = {
	{ "inventoryAdjustmentGroup", "InventoryAdjustmentGroup", A_NONE },
	{ "userErrors", "[InventorySetQuantitiesUserError!]!", A_NONE },
	{ NULL, NULL, NULL } };
static const struct sfield F_ADJ_PAYLOAD[] = {
	{ "inventoryAdjustmentGroup", "InventoryAdjustmentGroup", A_NONE },
	{ "userErrors", "[InventoryAdjustQuantitiesUserError!]!", A_NONE },
	{ NULL, NULL, NULL } };
static const struct sfield F_SET_ERR[] = {
	{ "code", "InventorySetQuantitiesUserErrorCode", A_NONE },
	{ "field", "[String!]", A_NONE }, { "message", "String!", A_NONE },
	{ NULL, NULL, NULL } };
static const struct sfield F_ADJ_ERR[] = {
	{ "code", "InventoryAdjustQuantitiesUserErrorCode", A_NONE },
	{ "field", "[String!]", A_NONE }, { "message", "String!", A_NONE },
	{ NULL, NULL, NULL } };
static const struct sfield F_USER_ERR[] = {
	{ "field", "[String!]", A_NONE }, { "message", "String!", A_NONE },
	{ NULL, NULL, NULL } };
static const struct sfield F_SUB_PAYLOAD[] = {
	{ "userErrors", "[UserError!]!", A_NONE },
	{ "webhookSubscription", "WebhookSubscription", A_NONE },
	{ NULL, NULL, NULL } };
static const struct sfield F_SUB[] = {
	{ "id", "ID!", A_NONE },
	{ "legacyResourceId", "UnsignedInt64!", A_NONE },
	{ "topic", "WebhookSubscriptionTopic!", A_NONE },
	{ "uri", "String!", A_NONE },
	{ "callbackUrl", "URL!", A_NONE },
	{ "endpoint", "WebhookSubscriptionEndpoint!", A_NONE },
	{ "format", "WebhookSubscriptionFormat!", A_NONE },
	{ "filter", "String", A_NONE },
	{ "includeFields", "[String!]!", A_NONE },
	{ "metafieldNamespaces", "[String!]!", A_NONE },
	{ "apiVersion", "ApiVersion!", A_NONE },
	{ "createdAt", "DateTime!", A_NONE },
	{ "updatedAt", "DateTime!", A_NONE }, { NULL, NULL, NULL } };
static const struct sfield F_HTTP_ENDPOINT[] = {
	{ "callbackUrl", "URL!", A_NONE }, { NULL, NULL, NULL } };
static const struct sfield F_API_VERSION[] = {
	{ "handle", "String!", A_NONE }, { "displayName", "String!", A_NONE },
	{ "supported", "Boolean!", A_NONE }, { NULL, NULL, NULL } };
static const struct sfield F_ORDER_CONN[] = {
	{ "nodes", "[Order!]!", A_NONE },
	{ "edges", "[OrderEdge!]!", A_NONE },
	{ "pageInfo", "PageInfo!", A_NONE }, { NULL, NULL, NULL } };
static const struct sfield F_ORDER_EDGE[] = {
	{ "node", "Order!", A_NONE },
	{ "cursor", "String!", A_NONE }, { NULL, NULL, NULL } };
static const struct sfield F_ORDER[] = {
	{ "id", "ID!", A_NONE },
	{ "legacyResourceId", "UnsignedInt64!", A_NONE },
	{ "name", "String!", A_NONE },
	{ "createdAt", "DateTime!", A_NONE },
	{ "updatedAt", "DateTime!", A_NONE },
	{ "cancelledAt", "DateTime", A_NONE },
	{ "lineItems", "LineItemConnection!", A_CONN },
	{ NULL, NULL, NULL } };
static const struct sfield F_LI_CONN[] = {
	{ "nodes", "[LineItem!]!", A_NONE },
	{ "edges", "[LineItemEdge!]!", A_NONE },
	{ "pageInfo", "PageInfo!", A_NONE }, { NULL, NULL, NULL } };
static const struct sfield F_LI_EDGE[] = {
	{ "node", "LineItem!", A_NONE },
	{ "cursor", "String!", A_NONE }, { NULL, NULL, NULL } };
static const struct sfield F_LINE_ITEM[] = {
	{ "id", "ID!", A_NONE },
	{ "sku", "String", A_NONE },
	{ "name", "String!", A_NONE },
	{ "quantity", "Int!", A_NONE },
	{ "currentQuantity", "Int!", A_NONE },
	{ "variant", "ProductVariant", A_NONE },
	{ NULL, NULL, NULL } };
static const struct sfield F_SUB_CONN[] = {
	{ "nodes", "[WebhookSubscription!]!", A_NONE },
	{ "edges", "[WebhookSubscriptionEdge!]!", A_NONE },
	{ "pageInfo", "PageInfo!", A_NONE }, { NULL, NULL, NULL } };
static const struct sfield F_SUB_EDGE[] = {
	{ "node", "WebhookSubscription!", A_NONE },
	{ "cursor", "String!", A_NONE }, { NULL, NULL, NULL } };

/* input objects, as in the 2026-01 excerpt */
static const struct sfield I_SET[] = {
	{ "name", "String!", NULL },
	{ "quantities", "[InventoryQuantityInput!]!", NULL },
	{ "reason", "String!", NULL },
	{ "referenceDocumentUri", "String", NULL }, { NULL, NULL, NULL } };
static const struct sfield I_QTY[] = {
	{ "changeFromQuantity", "Int", NULL },
	{ "inventoryItemId", "ID!", NULL },
	{ "locationId", "ID!", NULL },
	{ "quantity", "Int!", NULL }, { NULL, NULL, NULL } };
static const struct sfield I_ADJUST[] = {
	{ "changes", "[InventoryChangeInput!]!", NULL },
	{ "name", "String!", NULL },
	{ "reason", "String!", NULL },
	{ "referenceDocumentUri", "String", NULL }, { NULL, NULL, NULL } };
static const struct sfield I_CHANGE[] = {
	{ "changeFromQuantity", "Int", NULL },
	{ "delta", "Int!", NULL },
	{ "inventoryItemId", "ID!", NULL },
	{ "ledgerDocumentUri", "String", NULL },
	{ "locationId", "ID!", NULL }, { NULL, NULL, NULL } };
static const struct sfield I_SUB[] = {
	{ "filter", "String", NULL },
	{ "format", "WebhookSubscriptionFormat", NULL },
	{ "includeFields", "[String!]", NULL },
	{ "metafieldNamespaces", "[String!]", NULL },
	{ "metafields", "[HasMetafieldsMetafieldIdentifierInput!]", NULL },
	{ "uri", "String", NULL }, { NULL, NULL, NULL } };
static const struct sfield I_MF[] = {
	{ "key", "String!", NULL }, { "namespace", "String", NULL },
	{ NULL, NULL, NULL } };

static const char *const E_TOPIC[] = {
	"ORDERS_CREATE", "ORDERS_CANCELLED", "REFUNDS_CREATE",
	"INVENTORY_LEVELS_UPDATE", "PRODUCTS_UPDATE", "FULFILLMENTS_CREATE",
	NULL };
static const char *const E_FORMAT[] = { "JSON", "XML", NULL };
static const char *const E_PV_SORT[] = { "ID", "POSITION", "SKU", "TITLE",
	"INVENTORY_QUANTITY", "RELEVANCE", NULL };
static const char *const E_ORDER_SORT[] = { "CREATED_AT", "ID",
	"PROCESSED_AT", "UPDATED_AT", "RELEVANCE", NULL };
static const char *const E_PSTATUS[] = { "ACTIVE", "ARCHIVED", "DRAFT",
	NULL };
static const char *const E_CURRENCY[] = { "USD", NULL };
static const char *const E_SET_CODE[] = {
	"INVALID_INVENTORY_ITEM", "INVALID_LOCATION",
	"INVALID_QUANTITY_NEGATIVE", "INVALID_REASON",
	"INVALID_REFERENCE_DOCUMENT", "ITEM_NOT_STOCKED_AT_LOCATION",
	"INVALID_QUANTITY_TOO_HIGH", "INVALID_QUANTITY_TOO_LOW",
	"COMPARE_QUANTITY_REQUIRED", "COMPARE_QUANTITY_STALE",
	"CHANGE_FROM_QUANTITY_STALE", "INVALID_NAME",
	"NO_DUPLICATE_INVENTORY_ITEM_ID_GROUP_ID_PAIR",
	"NON_MUTABLE_INVENTORY_ITEM", "IDEMPOTENCY_CONCURRENT_REQUEST",
	"IDEMPOTENCY_KEY_PARAMETER_MISMATCH", NULL };
static const char *const E_ADJ_CODE[] = {
	"INTERNAL_LEDGER_DOCUMENT", "INVALID_AVAILABLE_DOCUMENT",
	"INVALID_INVENTORY_ITEM", "INVALID_LEDGER_DOCUMENT",
	"INVALID_LOCATION", "INVALID_QUANTITY_DOCUMENT",
	"INVALID_QUANTITY_NAME", "INVALID_QUANTITY_TOO_LOW",
	"INVALID_QUANTITY_TOO_HIGH", "INVALID_REASON",
	"INVALID_REFERENCE_DOCUMENT", "SERVICE_UNAVAILABLE",
	"CHANGE_FROM_QUANTITY_STALE", "ADJUST_QUANTITIES_FAILED",
	"MAX_ONE_LEDGER_DOCUMENT", "ITEM_NOT_STOCKED_AT_LOCATION",
	"NON_MUTABLE_INVENTORY_ITEM", "IDEMPOTENCY_CONCURRENT_REQUEST",
	"IDEMPOTENCY_KEY_PARAMETER_MISMATCH", NULL };
static const char *const U_ENDPOINT[] = { "WebhookHttpEndpoint", NULL };

static const struct stype TYPES[] = {
	{ "String", SK_SCALAR, NULL, NULL },
	{ "Int", SK_SCALAR, NULL, NULL },
	{ "Float", SK_SCALAR, NULL, NULL },
	{ "Boolean", SK_SCALAR, NULL, NULL },
	{ "ID", SK_SCALAR, NULL, NULL },
	{ "DateTime", SK_SCALAR, NULL, NULL },
	{ "URL", SK_SCALAR, NULL, NULL },
	{ "Money", SK_SCALAR, NULL, NULL },
	{ "UnsignedInt64", SK_SCALAR, NULL, NULL },
	{ "QueryRoot", SK_OBJECT, F_QUERY, NULL },
	{ "Mutation", SK_OBJECT, F_MUTATION, NULL },
	{ "PageInfo", SK_OBJECT, F_PAGEINFO, NULL },
	{ "ProductVariantConnection", SK_OBJECT, F_PV_CONN, NULL },
	{ "ProductVariantEdge", SK_OBJECT, F_PV_EDGE, NULL },
	{ "ProductVariant", SK_OBJECT, F_VARIANT, NULL },
	{ "SelectedOption", SK_OBJECT, F_SELOPT, NULL },
	{ "Product", SK_OBJECT, F_PRODUCT, NULL },
	{ "InventoryItem", SK_OBJECT, F_ITEM, NULL },
	{ "InventoryLevelConnection", SK_OBJECT, F_LEVEL_CONN, NULL },
	{ "InventoryLevelEdge", SK_OBJECT, F_LEVEL_EDGE, NULL },
	{ "InventoryLevel", SK_OBJECT, F_LEVEL, NULL },
	{ "InventoryQuantity", SK_OBJECT, F_QUANTITY, NULL },
	{ "Location", SK_OBJECT, F_LOCATION, NULL },
	{ "Shop", SK_OBJECT, F_SHOP, NULL },
	{ "InventoryAdjustmentGroup", SK_OBJECT, F_GROUP, NULL },
	{ "InventoryChange", SK_OBJECT, F_CHANGE, NULL },
	{ "InventorySetQuantitiesPayload", SK_OBJECT, F_SET_PAYLOAD, NULL },
	{ "InventoryAdjustQuantitiesPayload", SK_OBJECT, F_ADJ_PAYLOAD, NULL },
	{ "InventorySetQuantitiesUserError", SK_OBJECT, F_SET_ERR, NULL },
	{ "InventoryAdjustQuantitiesUserError", SK_OBJECT, F_ADJ_ERR, NULL },
	{ "UserError", SK_OBJECT, F_USER_ERR, NULL },
	{ "WebhookSubscriptionCreatePayload", SK_OBJECT, F_SUB_PAYLOAD, NULL },
	{ "WebhookSubscription", SK_OBJECT, F_SUB, NULL },
	{ "WebhookSubscriptionConnection", SK_OBJECT, F_SUB_CONN, NULL },
	{ "OrderConnection", SK_OBJECT, F_ORDER_CONN, NULL },
	{ "OrderEdge", SK_OBJECT, F_ORDER_EDGE, NULL },
	{ "Order", SK_OBJECT, F_ORDER, NULL },
	{ "LineItemConnection", SK_OBJECT, F_LI_CONN, NULL },
	{ "LineItemEdge", SK_OBJECT, F_LI_EDGE, NULL },
	{ "LineItem", SK_OBJECT, F_LINE_ITEM, NULL },
	{ "WebhookSubscriptionEdge", SK_OBJECT, F_SUB_EDGE, NULL },
	{ "WebhookHttpEndpoint", SK_OBJECT, F_HTTP_ENDPOINT, NULL },
	{ "ApiVersion", SK_OBJECT, F_API_VERSION, NULL },
	{ "WebhookSubscriptionEndpoint", SK_UNION, NULL, U_ENDPOINT },
	{ "InventorySetQuantitiesInput", SK_INPUT, I_SET, NULL },
	{ "InventoryQuantityInput", SK_INPUT, I_QTY, NULL },
	{ "InventoryAdjustQuantitiesInput", SK_INPUT, I_ADJUST, NULL },
	{ "InventoryChangeInput", SK_INPUT, I_CHANGE, NULL },
	{ "WebhookSubscriptionInput", SK_INPUT, I_SUB, NULL },
	{ "HasMetafieldsMetafieldIdentifierInput", SK_INPUT, I_MF, NULL },
	{ "WebhookSubscriptionTopic", SK_ENUM, NULL, E_TOPIC },
	{ "WebhookSubscriptionFormat", SK_ENUM, NULL, E_FORMAT },
	{ "ProductVariantSortKeys", SK_ENUM, NULL, E_PV_SORT },
	{ "OrderSortKeys", SK_ENUM, NULL, E_ORDER_SORT },
	{ "ProductStatus", SK_ENUM, NULL, E_PSTATUS },
	{ "CurrencyCode", SK_ENUM, NULL, E_CURRENCY },
	{ "InventorySetQuantitiesUserErrorCode", SK_ENUM, NULL, E_SET_CODE },
	{ "InventoryAdjustQuantitiesUserErrorCode", SK_ENUM, NULL, E_ADJ_CODE },
	{ NULL, 0, NULL, NULL }
};

/* "[Foo!]!" → "Foo" into out */
static void
type_base(const char *t, char *out, size_t sz)
{
	size_t	 n;

	while (*t == '[')
		t++;
	n = strcspn(t, "!]");
	if (n >= sz)
		n = sz - 1;
	memcpy(out, t, n);
	out[n] = '\0';
}

static int
type_nonnull(const char *t)
{
	size_t	 n = strlen(t);

	return n > 0 && t[n - 1] == '!';
}

static int
type_list(const char *t)
{
	return t[0] == '[';
}

/* "[Foo!]!" → "Foo!" (the item type of a list type) */
static void
type_item(const char *t, char *out, size_t sz)
{
	size_t	 n = strlen(t);

	if (n > 0 && t[n - 1] == '!')
		n--;
	if (n >= 2 && t[0] == '[' && t[n - 1] == ']') {
		t++;
		n -= 2;
	}
	if (n >= sz)
		n = sz - 1;
	memcpy(out, t, n);
	out[n] = '\0';
}

static const struct stype *
type_find(const char *name)
{
	size_t	 i;

	for (i = 0; TYPES[i].name != NULL; i++)
		if (strcmp(TYPES[i].name, name) == 0)
			return &TYPES[i];
	return NULL;
}

static const struct sfield *
field_find(const struct sfield *fields, const char *name)
{
	size_t	 i;

	for (i = 0; fields != NULL && fields[i].name != NULL; i++)
		if (strcmp(fields[i].name, name) == 0)
			return &fields[i];
	return NULL;
}

static int
in_list(const char *const *list, const char *s)
{
	size_t	 i;

	for (i = 0; list != NULL && list[i] != NULL; i++)
		if (strcmp(list[i], s) == 0)
			return 1;
	return 0;
}

/* --- GraphQL: requests, errors -------------------------------------------- */

struct gctx {
	json_t		*doc;
	json_t		*op;
	json_t		*vars;		/* coerced variable values */
	json_t		*declared;	/* variable name → declared type */
	json_t		*bad;		/* variables that failed coercion */
	json_t		*used;		/* variable names used */
	json_t		*errors;	/* array */
	json_t		*path;		/* the current path */
	const char	*opdesc;	/* "anonymous query", "query Foo" */
	char		 opdesc_buf[160];
	int		 mutation;
	int		 cost;
};

static void
gerr(struct gctx *g, json_t *node, json_t *ext, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* Add one error {message, locations, path, extensions}. Takes ext. */
static void
gerr(struct gctx *g, json_t *node, json_t *ext, const char *fmt, ...)
{
	char	 msg[600];
	va_list	 ap;
	json_t	*e;

	va_start(ap, fmt);
	(void)vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	e = json_pack("{s:s}", "message", msg);
	if (node != NULL && json_object_get(node, "line") != NULL)
		json_object_set_new(e, "locations", json_pack("[{s:O, s:O}]",
		    "line", json_object_get(node, "line"), "column",
		    json_object_get(node, "col")));
	if (g->path != NULL && json_array_size(g->path) > 0)
		json_object_set_new(e, "path", json_deep_copy(g->path));
	if (ext == NULL)
		ext = json_object();
	json_object_set_new(e, "extensions", ext);
	json_array_append_new(g->errors, e);
}

static const char *
node_str(const json_t *node, const char *key)
{
	const char	*s = json_string_value(json_object_get(node, key));

	return s != NULL ? s : "";
}

/* --- GraphQL: input coercion --------------------------------------------- */

/*
 * Coerce a value (an AST literal when ast, else JSON from "variables")
 * to the input type t. Returns a new reference; NULL with *absent set
 * when the value is an unset variable; NULL otherwise when it failed, with
 * the reason in why.
 */
static json_t *
coerce(struct gctx *g, const char *t, json_t *v, int ast, int *absent,
    char *why, size_t whysz, int depth)
{
	char			 base[96], item[128];
	const struct stype	*ty;
	json_t			*out, *x, *c;
	const char		*k;
	size_t			 i;
	int			 ab;

	*absent = 0;
	if (depth > DEPTH_MAX) {
		(void)str_copy(why, whysz, "nested too deeply");
		return NULL;
	}
	if (ast && json_is_object(v) && json_object_get(v, "$var") != NULL) {
		const char *name = json_string_value(json_object_get(v, "$var"));

		json_object_set_new(g->used, name, json_true());
		x = json_object_get(g->vars, name);
		if (json_object_get(g->declared, name) == NULL) {
			(void)str_fmt(why, whysz, "Variable $%s is used by %s "
			    "but not declared", name, g->opdesc);
			return NULL;
		}
		if (x == NULL && json_object_get(g->bad, name) != NULL) {
			*absent = 1;	/* reported once, as INVALID_VARIABLE */
			return NULL;
		}
		if (x == NULL) {
			if (type_nonnull(t)) {
				(void)str_fmt(why, whysz, "Variable $%s of "
				    "type %s is required", name, t);
				return NULL;
			}
			*absent = 1;
			return NULL;
		}
		return json_incref(x);	/* coerced already */
	}
	type_base(t, base, sizeof(base));
	if (json_is_null(v)) {
		if (type_nonnull(t)) {
			(void)str_fmt(why, whysz, "Expected value to not be "
			    "null");
			return NULL;
		}
		return json_null();
	}
	if (type_list(t)) {
		type_item(t, item, sizeof(item));
		out = json_array();
		if (!json_is_array(v)) {
			/* a single value where a list is wanted: a list of one */
			if ((x = coerce(g, item, v, ast, &ab, why, whysz,
			    depth + 1)) == NULL) {
				json_decref(out);
				return NULL;
			}
			json_array_append_new(out, x);
			return out;
		}
		json_array_foreach(v, i, c) {
			if ((x = coerce(g, item, c, ast, &ab, why, whysz,
			    depth + 1)) == NULL) {
				if (ab)
					x = json_null();
				else {
					char tmp[256];

					(void)str_fmt(tmp, sizeof(tmp), "%zu.%s",
					    i, why);
					(void)str_copy(why, whysz, tmp);
					json_decref(out);
					return NULL;
				}
			}
			json_array_append_new(out, x);
		}
		return out;
	}
	if ((ty = type_find(base)) == NULL) {
		(void)str_fmt(why, whysz, "unknown type %s", base);
		return NULL;
	}
	switch (ty->kind) {
	case SK_INPUT:
		if (!json_is_object(v) || (ast && (json_object_get(v,
		    "$enum") != NULL))) {
			(void)str_fmt(why, whysz, "Expected an object of type "
			    "%s", base);
			return NULL;
		}
		json_object_foreach(v, k, c) {
			if (field_find(ty->fields, k) == NULL) {
				(void)str_fmt(why, whysz, "%s (Field is not "
				    "defined on %s)", k, base);
				return NULL;
			}
		}
		out = json_object();
		for (i = 0; ty->fields[i].name != NULL; i++) {
			const struct sfield *f = &ty->fields[i];

			c = json_object_get(v, f->name);
			if (c == NULL) {
				if (type_nonnull(f->type)) {
					(void)str_fmt(why, whysz, "%s (Expected "
					    "value to not be null)", f->name);
					json_decref(out);
					return NULL;
				}
				continue;
			}
			if ((x = coerce(g, f->type, c, ast, &ab, why, whysz,
			    depth + 1)) == NULL) {
				char tmp[256];

				if (ab)
					continue;	/* absent stays absent */
				(void)str_fmt(tmp, sizeof(tmp), "%s.%s",
				    f->name, why);
				(void)str_copy(why, whysz, tmp);
				json_decref(out);
				return NULL;
			}
			json_object_set_new(out, f->name, x);
		}
		return out;
	case SK_ENUM:
		if (ast) {
			k = json_string_value(json_object_get(v, "$enum"));
			if (!json_is_object(v) || k == NULL) {
				(void)str_fmt(why, whysz, "Expected type "
				    "'%s'", t);
				return NULL;
			}
		} else if ((k = json_string_value(v)) == NULL) {
			(void)str_fmt(why, whysz, "Expected type '%s'", t);
			return NULL;
		}
		if (!in_list(ty->values, k)) {
			(void)str_fmt(why, whysz, "Expected \"%s\" to be one of: "
			    "%s", k, base);
			return NULL;
		}
		return json_string(k);
	case SK_SCALAR:
		if (ast && json_is_object(v)) {
			(void)str_fmt(why, whysz, "Expected type '%s'", t);
			return NULL;
		}
		if (strcmp(base, "Int") == 0) {
			if (!json_is_integer(v) || json_integer_value(v) >
			    2147483647 || json_integer_value(v) < -2147483648LL) {
				(void)str_fmt(why, whysz, "Could not coerce "
				    "value to Int");
				return NULL;
			}
			return json_incref(v);
		}
		if (strcmp(base, "Float") == 0) {
			if (!json_is_number(v)) {
				(void)str_fmt(why, whysz, "Could not coerce "
				    "value to Float");
				return NULL;
			}
			return json_real(json_number_value(v));
		}
		if (strcmp(base, "Boolean") == 0) {
			if (!json_is_boolean(v)) {
				(void)str_fmt(why, whysz, "Could not coerce "
				    "value to Boolean");
				return NULL;
			}
			return json_incref(v);
		}
		if (strcmp(base, "ID") == 0 && json_is_integer(v))
			return json_sprintf("%" JSON_INTEGER_FORMAT,
			    json_integer_value(v));
		if (!json_is_string(v)) {
			(void)str_fmt(why, whysz, "Could not coerce value to "
			    "%s", base);
			return NULL;
		}
		return json_incref(v);
	default:
		(void)str_fmt(why, whysz, "%s is not an input type", base);
		return NULL;
	}
}

/* The variables of the operation, from the request's "variables". */
static int
coerce_variables(struct gctx *g, json_t *given)
{
	json_t	*def, *v, *x;
	size_t	 i;
	char	 why[300], base[96];
	int	 absent, ok = 0;
	const struct stype *ty;

	json_array_foreach(json_object_get(g->op, "vars"), i, def) {
		const char *name = node_str(def, "name");
		const char *t = node_str(def, "type");

		type_base(t, base, sizeof(base));
		if ((ty = type_find(base)) == NULL || ty->kind == SK_OBJECT ||
		    ty->kind == SK_UNION) {
			gerr(g, def, json_pack("{s:s, s:s, s:s}", "code",
			    ty == NULL ? "variableRequiresValidType" :
			    "variableRequiresValidType", "typeName", base,
			    "variableName", name), "%s isn't a valid input type "
			    "(on $%s)", base, name);
			ok = -1;
			continue;
		}
		v = given != NULL ? json_object_get(given, name) : NULL;
		if (v == NULL && json_object_get(def, "default") != NULL) {
			x = coerce(g, t, json_object_get(def, "default"), 1,
			    &absent, why, sizeof(why), 0);
		} else if (v == NULL) {
			if (!type_nonnull(t))
				continue;	/* stays unset */
			x = NULL;
			(void)str_copy(why, sizeof(why), "Expected value to "
			    "not be null");
		} else
			x = coerce(g, t, v, 0, &absent, why, sizeof(why), 0);
		if (x == NULL) {
			gerr(g, def, json_pack("{s:s, s:O?, s:[{s:[], s:s}]}",
			    "code", "INVALID_VARIABLE", "value", v, "problems",
			    "path", "explanation", why),
			    "Variable $%s of type %s was provided invalid value%s%s",
			    name, t, strchr(why, '(') != NULL ? " for " : "",
			    strchr(why, '(') != NULL ? why : "");
			json_object_set_new(g->bad, name, json_true());
			ok = -1;
			continue;
		}
		json_object_set_new(g->vars, name, x);
	}
	return ok;
}

/* --- GraphQL: static validation ----------------------------------------- */

static int
type_applies(const char *cond, const char *tname)
{
	const struct stype *u;

	if (cond == NULL || strcmp(cond, tname) == 0)
		return 1;
	u = type_find(cond);
	return u != NULL && u->kind == SK_UNION && in_list(u->values, tname);
}

static int
is_inventory_mutation(const char *name)
{
	return strcmp(name, "inventorySetQuantities") == 0 ||
	    strcmp(name, "inventoryAdjustQuantities") == 0;
}

/* "[Foo!]" and "Foo" fit each other when the variable is no looser. */
static int
var_type_fits(const char *declared, const char *wanted)
{
	size_t	 n = strlen(declared);

	if (strcmp(declared, wanted) == 0)
		return 1;
	/* a non-null variable where a nullable argument is wanted */
	return n > 0 && declared[n - 1] == '!' && strlen(wanted) == n - 1 &&
	    strncmp(declared, wanted, n - 1) == 0;
}

static void
check_directives(struct gctx *g, json_t *node, int root)
{
	json_t		*d, *x;
	size_t		 i;
	char		 why[300];
	int		 absent;
	const char	*fname = node_str(node, "name");

	json_array_foreach(json_object_get(node, "dirs"), i, d) {
		const char *dn = node_str(d, "name");

		if (strcmp(dn, "idempotent") != 0) {
			gerr(g, d, json_pack("{s:s, s:s}", "code",
			    "undefinedDirective", "directiveName", dn),
			    "Directive @%s is not defined", dn);
			continue;
		}
		if (!root || !g->mutation || !is_inventory_mutation(fname)) {
			gerr(g, d, json_pack("{s:s, s:s}", "code",
			    "IDEMPOTENCY_NOT_SUPPORTED", "directiveName", dn),
			    "The @idempotent directive is not supported on "
			    "field '%s'", fname);
			continue;
		}
		if (json_object_size(json_object_get(d, "args")) != 1 ||
		    json_object_get(json_object_get(d, "args"), "key") == NULL) {
			gerr(g, d, json_pack("{s:s}", "code",
			    "missingRequiredArguments"), "Directive "
			    "'idempotent' is missing required arguments: key");
			continue;
		}
		x = coerce(g, "String!", json_object_get(json_object_get(d,
		    "args"), "key"), 1, &absent, why, sizeof(why), 0);
		if (x == NULL || strspn(json_string_value(x), " \t\r\n") ==
		    strlen(json_string_value(x))) {
			gerr(g, d, json_pack("{s:s}", "code",
			    "INVALID_IDEMPOTENCY_KEY"), "The idempotency key "
			    "cannot be an empty string or whitespace only");
			json_decref(x);
			continue;
		}
		json_object_set_new(node, "idem", x);
	}
	/* 2026-04: the key is mandatory on the inventory mutations */
	if (root && g->mutation && is_inventory_mutation(fname) &&
	    json_object_get(node, "idem") == NULL)
		gerr(g, node, json_pack("{s:s}", "code",
		    "IDEMPOTENCY_KEY_REQUIRED"), "The @idempotent directive "
		    "with a key is required on '%s' as of API version %s",
		    fname, API_VERSION);
}

static int
check_args(struct gctx *g, const char *tname, const struct sfield *f,
    json_t *node)
{
	json_t		*args = json_object_get(node, "args"), *v, *x, *cargs;
	const char	*k;
	char		 why[300], missing[256];
	size_t		 i;
	int		 absent, bad = 0;

	json_object_foreach(args, k, v) {
		const struct sarg *a = NULL;

		for (i = 0; f->args[i].name != NULL; i++)
			if (strcmp(f->args[i].name, k) == 0)
				a = &f->args[i];
		if (a == NULL) {
			gerr(g, node, json_pack("{s:s, s:s, s:s, s:s}", "code",
			    "argumentNotAccepted", "name", f->name, "typeName",
			    "Field", "argumentName", k), "Field '%s' doesn't "
			    "accept argument '%s'", f->name, k);
			bad = 1;
		}
	}
	missing[0] = '\0';
	for (i = 0; f->args[i].name != NULL; i++)
		if (type_nonnull(f->args[i].type) &&
		    json_object_get(args, f->args[i].name) == NULL) {
			size_t n = strlen(missing);

			(void)str_fmt(missing + n, sizeof(missing) - n, "%s%s",
			    n > 0 ? ", " : "", f->args[i].name);
		}
	if (missing[0] != '\0') {
		gerr(g, node, json_pack("{s:s, s:s, s:s, s:s}", "code",
		    "missingRequiredArguments", "className", "Field", "name",
		    f->name, "arguments", missing), "Field '%s' is missing "
		    "required arguments: %s", f->name, missing);
		bad = 1;
	}
	if (bad)
		return -1;
	(void)tname;
	cargs = json_object();
	for (i = 0; f->args[i].name != NULL; i++) {
		const struct sarg *a = &f->args[i];

		if ((v = json_object_get(args, a->name)) == NULL)
			continue;
		if (json_is_object(v) && json_object_get(v, "$var") != NULL) {
			const char *vn = json_string_value(json_object_get(v,
			    "$var"));
			const char *dt = json_string_value(json_object_get(
			    g->declared, vn));

			if (dt != NULL && !var_type_fits(dt, a->type)) {
				gerr(g, node, json_pack("{s:s, s:s}", "code",
				    "variableMismatch", "variableName", vn),
				    "Type mismatch on variable $%s and argument "
				    "%s (%s / %s)", vn, a->name, dt, a->type);
				bad = 1;
				continue;
			}
		}
		x = coerce(g, a->type, v, 1, &absent, why, sizeof(why), 0);
		if (x == NULL && !absent) {
			char *lit = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);

			gerr(g, node, json_pack("{s:s, s:s, s:s, s:s}", "code",
			    "argumentLiteralsIncompatible", "typeName", "Field",
			    "argumentName", a->name, "explanation", why),
			    "Argument '%s' on Field '%s' has an invalid value "
			    "(%s). Expected type '%s'.%s%s", a->name, f->name,
			    lit != NULL ? lit : "?", a->type,
			    strncmp(why, "Expected type", 13) != 0 ? " " : "",
			    strncmp(why, "Expected type", 13) != 0 ? why : "");
			free(lit);
			bad = 1;
			continue;
		}
		if (x != NULL)
			json_object_set_new(cargs, a->name, x);
	}
	json_object_set_new(node, "cargs", cargs);
	return bad ? -1 : 0;
}

static int validate_sel(struct gctx *g, const char *tname, json_t *sel,
    int depth);

static int
validate_field(struct gctx *g, const char *tname, json_t *node, int depth)
{
	const struct stype	*ty = type_find(tname), *ft;
	const struct sfield	*f;
	const char		*name = node_str(node, "name");
	json_t			*sub = json_object_get(node, "sel"), *n;
	char			 base[96];
	int			 cost = 0, child, mult = 1;

	json_array_append_new(g->path, json_string(node_str(node, "alias")));
	if (strcmp(name, "__typename") == 0) {
		if (sub != NULL)
			gerr(g, node, json_pack("{s:s}", "code",
			    "selectionMismatch"), "Selections can't be made on "
			    "scalars (field '__typename' returns String but "
			    "has selections)");
		goto out;
	}
	if (ty == NULL || ty->kind == SK_UNION) {
		gerr(g, node, json_pack("{s:s}", "code", "selectionMismatch"),
		    "Selections can't be made directly on unions (see "
		    "selections on %s)", tname);
		goto out;
	}
	if ((f = field_find(ty->fields, name)) == NULL) {
		gerr(g, node, json_pack("{s:s, s:s, s:s}", "code",
		    "undefinedField", "typeName", tname, "fieldName", name),
		    "Field '%s' doesn't exist on type '%s'", name, tname);
		goto out;
	}
	check_directives(g, node, depth == 0);
	(void)check_args(g, tname, f, node);
	type_base(f->type, base, sizeof(base));
	ft = type_find(base);
	if (ft != NULL && (ft->kind == SK_OBJECT || ft->kind == SK_UNION)) {
		if (sub == NULL) {
			gerr(g, node, json_pack("{s:s}", "code",
			    "selectionMismatch"), "Field must have selections "
			    "(field '%s' returns %s but has no selections. Did "
			    "you mean '%s { ... }'?)", name, f->type, name);
			goto out;
		}
		if (strstr(base, "Connection") != NULL) {
			json_t *cargs = json_object_get(node, "cargs");

			n = json_object_get(cargs, "first");
			if (n == NULL)
				n = json_object_get(cargs, "last");
			if (!json_is_integer(n)) {
				gerr(g, node, json_pack("{s:s}", "code",
				    "BAD_REQUEST"), "you must provide one of "
				    "first or last");
				goto out;
			}
			if (json_integer_value(n) < 0 ||
			    json_integer_value(n) > 250) {
				gerr(g, node, json_pack("{s:s}", "code",
				    "BAD_REQUEST"), "The first/last argument of "
				    "'%s' must be between 0 and 250", name);
				goto out;
			}
			mult = json_integer_value(n) > 0 ?
			    (int)json_integer_value(n) : 1;
		}
		child = validate_sel(g, base, sub, depth + 1);
		cost = 1 + mult * child;
	} else if (sub != NULL) {
		gerr(g, node, json_pack("{s:s}", "code", "selectionMismatch"),
		    "Selections can't be made on scalars (field '%s' returns "
		    "%s but has selections)", name, f->type);
	}
	if (depth == 0 && g->mutation)
		cost += 10;
out:
	json_array_remove(g->path, json_array_size(g->path) - 1);
	return cost;
}

static int
validate_sel(struct gctx *g, const char *tname, json_t *sel, int depth)
{
	json_t		*node, *frag;
	size_t		 i;
	int		 cost = 0;
	const char	*k, *on;

	if (depth > DEPTH_MAX) {
		gerr(g, NULL, json_pack("{s:s}", "code", "MAX_DEPTH"),
		    "Query has too many nested levels");
		return 0;
	}
	json_array_foreach(sel, i, node) {
		k = node_str(node, "k");
		if (strcmp(k, "field") == 0) {
			cost += validate_field(g, tname, node, depth);
			continue;
		}
		if (json_array_size(json_object_get(node, "dirs")) > 0)
			gerr(g, node, json_pack("{s:s}", "code",
			    "undefinedDirective"), "Directives on fragments "
			    "are not supported by the sandbox");
		if (strcmp(k, "spread") == 0) {
			frag = json_object_get(json_object_get(g->doc, "frags"),
			    node_str(node, "name"));
			if (frag == NULL) {
				gerr(g, node, json_pack("{s:s, s:s}", "code",
				    "useAndDefineFragment", "fragmentName",
				    node_str(node, "name")), "Fragment %s was "
				    "used, but not defined", node_str(node,
				    "name"));
				continue;
			}
			json_object_set_new(frag, "used", json_true());
			on = node_str(frag, "on");
			node = frag;
		} else
			on = json_object_get(node, "on") != NULL ?
			    node_str(node, "on") : tname;
		if (type_find(on) == NULL) {
			gerr(g, node, json_pack("{s:s, s:s}", "code",
			    "undefinedType", "typeName", on), "No such type "
			    "%s, so it can't be a fragment condition", on);
			continue;
		}
		if (!type_applies(on, tname) && !type_applies(tname, on)) {
			gerr(g, node, json_pack("{s:s}", "code",
			    "fragmentSpreadTypeMismatch"), "Fragment on %s "
			    "can't be spread inside %s", on, tname);
			continue;
		}
		cost += validate_sel(g, type_find(on)->kind == SK_UNION ?
		    tname : on, json_object_get(node, "sel"), depth + 1);
	}
	return cost;
}

/* --- GraphQL: sources and resolvers ------------------------------------- */

static json_t *
src_location(void)
{
	return json_pack("{s:s, s:o, s:o, s:s, s:b}", "__typename", "Location",
	    "id", jgid("Location", LOCATION_ID), "legacyResourceId",
	    jlegacy(LOCATION_ID), "name", S.location_name, "isActive", 1);
}

static json_t *
src_product(const struct product *p)
{
	if (p == NULL)
		return NULL;
	return json_pack("{s:s, s:o, s:o, s:s, s:s, s:s, s:s, s:o, s:o}",
	    "__typename", "Product", "id", jgid("Product", p->id),
	    "legacyResourceId", jlegacy(p->id), "title", p->title, "handle",
	    p->handle, "vendor", p->vendor, "status", "ACTIVE", "createdAt",
	    jtime(p->created_at, 1), "updatedAt", jtime(p->updated_at, 1));
}

static json_t *
src_variant(const struct variant *v)
{
	const struct product	*p = product_by_id(v->product_id);
	char			 dn[400];

	(void)str_fmt(dn, sizeof(dn), "%s - %s", p != NULL ? p->title : "",
	    v->title);
	return json_pack("{s:s, s:o, s:o, s:s, s:s, s:s, s:s, s:i, s:I, "
	    "s:[{s:s, s:s, s:s}], s:o, s:o, s:I}",
	    "__typename", "ProductVariant", "id", jgid("ProductVariant", v->id),
	    "legacyResourceId", jlegacy(v->id), "sku", v->sku, "title",
	    v->title, "displayName", dn, "price", v->price, "position",
	    v->position, "inventoryQuantity", (json_int_t)v->available,
	    "selectedOptions", "__typename", "SelectedOption", "name",
	    p != NULL ? p->option_name : "Title", "value", v->title,
	    "createdAt", jtime(v->created_at, 1), "updatedAt",
	    jtime(v->updated_at, 1), "_vid", (json_int_t)v->id);
}

static json_t *
src_item(const struct variant *v)
{
	int64_t	 dup = 0;
	size_t	 i;

	for (i = 0; i < S.nvariants; i++)
		if (S.variants[i].id != v->id &&
		    strcmp(S.variants[i].sku, v->sku) == 0)
			dup++;
	return json_pack("{s:s, s:o, s:o, s:s, s:b, s:b, s:I, s:o, s:o, s:I}",
	    "__typename", "InventoryItem", "id", jgid("InventoryItem",
	    v->item_id), "legacyResourceId", jlegacy(v->item_id), "sku",
	    v->sku, "tracked", 1, "requiresShipping", 1, "duplicateSkuCount",
	    (json_int_t)dup, "createdAt", jtime(v->created_at, 1),
	    "updatedAt", jtime(v->updated_at, 1), "_vid", (json_int_t)v->id);
}

static json_t *
src_level(const struct variant *v)
{
	return json_pack("{s:s, s:o, s:b, s:o, s:o, s:I}", "__typename",
	    "InventoryLevel", "id", level_gid(v->item_id), "canDeactivate", 0,
	    "createdAt", jtime(v->created_at, 1), "updatedAt",
	    jtime(v->level_updated_at, 1), "_vid", (json_int_t)v->id);
}

static json_t *
src_sub(const struct sub *s)
{
	return json_pack("{s:s, s:o, s:o, s:s, s:s, s:s, s:{s:s, s:s}, s:s, "
	    "s:s?, s:[], s:[], s:{s:s, s:s, s:s, s:b}, s:o, s:o}",
	    "__typename", "WebhookSubscription", "id",
	    jgid("WebhookSubscription", s->id), "legacyResourceId",
	    jlegacy(s->id), "topic", topic_enum[s->topic], "uri", s->uri,
	    "callbackUrl", s->uri, "endpoint", "__typename",
	    "WebhookHttpEndpoint", "callbackUrl", s->uri, "format", "JSON",
	    "filter", s->filter[0] != '\0' ? s->filter : NULL,
	    "includeFields", "metafieldNamespaces", "apiVersion",
	    "__typename", "ApiVersion", "handle", API_VERSION, "displayName",
	    API_VERSION, "supported", 1, "createdAt", jtime(s->created_at, 1),
	    "updatedAt", jtime(s->created_at, 1));
}

static const struct variant *
src_variant_of(json_t *src)
{
	return variant_by_id(json_integer_value(json_object_get(src, "_vid")));
}

/* cursors are opaque to clients: base64 of {"last_id":N} */
static json_t *
cursor_for(int64_t id)
{
	char		 raw[64];
	unsigned char	 out[128];

	(void)str_fmt(raw, sizeof(raw), "{\"last_id\":%lld}", (long long)id);
	EVP_EncodeBlock(out, (const unsigned char *)raw, (int)strlen(raw));
	return json_string((const char *)out);
}

static int64_t
cursor_id(const char *c)
{
	unsigned char	 out[128];
	json_t		*j;
	json_int_t	 id = -1;
	int		 n;
	size_t		 len = strlen(c);

	if (len == 0 || len > 80 || len % 4 != 0)
		return -1;
	if ((n = EVP_DecodeBlock(out, (const unsigned char *)c, (int)len)) < 0)
		return -1;
	while (n > 0 && out[n - 1] == '\0')
		n--;
	j = json_loadb((const char *)out, (size_t)n, 0, NULL);
	if (json_unpack(j, "{s:I}", "last_id", &id) == -1)
		id = -1;
	json_decref(j);
	return id;
}

/*
 * A connection over items (sources, each with its "_cid" sort id), per
 * first/last/after/before/reverse. Takes items. NULL (and an error) for a
 * bad cursor.
 */
static json_t *
connection(struct gctx *g, json_t *node, json_t *items, json_t *args)
{
	json_t		*nodes = json_array(), *edges = json_array(), *it;
	json_int_t	 first = -1, last = -1;
	int		 reverse = 0;
	const char	*after = NULL, *before = NULL;
	size_t		 i, n = json_array_size(items), lo = 0, hi, a, b;
	int64_t		 id;

	json_unpack(args, "{s?:I, s?:I, s?:s, s?:s, s?:b}", "first", &first,
	    "last", &last, "after", &after, "before", &before, "reverse",
	    &reverse);
	if (reverse) {
		json_t *rev = json_array();

		for (i = n; i > 0; i--)
			json_array_append(rev, json_array_get(items, i - 1));
		json_decref(items);
		items = rev;
	}
	hi = n;
	if (after != NULL || before != NULL) {
		const char *cs[2] = { after, before };

		for (a = 0; a < 2; a++) {
			if (cs[a] == NULL)
				continue;
			if ((id = cursor_id(cs[a])) < 0) {
				gerr(g, node, json_pack("{s:s}", "code",
				    "BAD_REQUEST"), "Invalid cursor for current "
				    "pagination sort.");
				json_decref(items);
				json_decref(nodes);
				json_decref(edges);
				return NULL;
			}
			json_array_foreach(items, i, it)
				if (json_integer_value(json_object_get(it,
				    "_cid")) == id) {
					if (a == 0)
						lo = i + 1;
					else
						hi = i;
				}
		}
	}
	if (hi < lo)
		hi = lo;
	a = lo;
	b = hi;
	if (first >= 0 && (size_t)first < b - a)
		b = a + (size_t)first;
	if (last >= 0 && (size_t)last < b - a)
		a = b - (size_t)last;
	for (i = a; i < b; i++) {
		it = json_array_get(items, i);
		json_array_append(nodes, it);
		json_array_append_new(edges, json_pack("{s:O, s:o}", "node", it,
		    "cursor", cursor_for(json_integer_value(json_object_get(it,
		    "_cid")))));
	}
	it = json_pack("{s:o, s:{s:b, s:b, s:o, s:o}}", "nodes", nodes,
	    "pageInfo", "hasNextPage", b < hi, "hasPreviousPage", a > lo,
	    "startCursor", a < b ? cursor_for(json_integer_value(
	    json_object_get(json_array_get(items, a), "_cid"))) : json_null(),
	    "endCursor", a < b ? cursor_for(json_integer_value(
	    json_object_get(json_array_get(items, b - 1), "_cid"))) :
	    json_null());
	json_object_set_new(it, "edges", edges);
	json_decref(items);
	return it;
}

/* 1 when needle occurs in hay, ignoring ASCII case */
static int
ci_contains(const char *hay, const char *needle)
{
	size_t	 n = strlen(needle);

	for (; *hay != '\0'; hay++)
		if (strncasecmp(hay, needle, n) == 0)
			return 1;
	return n == 0;
}

/* Shopify search syntax, the part the hub needs: "sku:X", "sku:X*",
 * "product_id:N", "id:N", bare words (title or SKU), OR between groups;
 * terms in a group are ANDed. Quotes around a value are allowed. */
static int
search_term_ok(const struct variant *v, const char *term, size_t n)
{
	const struct product	*p = product_by_id(v->product_id);
	char			 val[256], field[32];
	const char		*colon = memchr(term, ':', n);
	size_t			 fl, vl;
	int			 prefix = 0;
	int64_t			 id;

	if (colon == NULL) {
		fl = 0;
		colon = term - 1;
	} else
		fl = (size_t)(colon - term);
	vl = n - fl - (fl > 0 || term[0] == ':' ? 1 : 0);
	if (fl >= sizeof(field) || vl >= sizeof(val))
		return 0;
	memcpy(field, term, fl);
	field[fl] = '\0';
	memcpy(val, colon + 1, vl);
	val[vl] = '\0';
	if (vl >= 2 && (val[0] == '"' || val[0] == '\'') &&
	    val[vl - 1] == val[0]) {
		memmove(val, val + 1, vl - 2);
		val[vl - 2] = '\0';
		vl -= 2;
	}
	if (vl > 0 && val[vl - 1] == '*') {
		prefix = 1;
		val[--vl] = '\0';
	}
	if (fl == 0)
		return ci_contains(v->sku, val) ||
		    (p != NULL && ci_contains(p->title, val));
	if (strcmp(field, "sku") == 0)
		return prefix ? strncmp(v->sku, val, vl) == 0 :
		    strcmp(v->sku, val) == 0;
	if (strcmp(field, "product_id") == 0)
		return str_to_i64(val, 0, INT64_MAX, &id) == 0 &&
		    id == v->product_id;
	if (strcmp(field, "id") == 0)
		return str_to_i64(val, 0, INT64_MAX, &id) == 0 && id == v->id;
	if (strcmp(field, "title") == 0)
		return p != NULL && ci_contains(p->title, val);
	return 1;	/* unknown filters are ignored, as Shopify does */
}

static int
search_ok(const struct variant *v, const char *q)
{
	const char	*p = q, *start;
	int		 group_ok = 1, any = 0;
	size_t		 n;

	for (;;) {
		while (*p == ' ')
			p++;
		if (*p == '\0')
			break;
		start = p;
		while (*p != '\0' && *p != ' ') {
			if (*p == '"') {
				p++;
				while (*p != '\0' && *p != '"')
					p++;
				if (*p == '"')
					p++;
				continue;
			}
			p++;
		}
		n = (size_t)(p - start);
		if (n == 2 && memcmp(start, "OR", 2) == 0) {
			if (group_ok)
				return 1;
			group_ok = 1;
			any = 0;
			continue;
		}
		if (n == 3 && memcmp(start, "AND", 3) == 0)
			continue;
		any = 1;
		if (!search_term_ok(v, start, n))
			group_ok = 0;
	}
	return group_ok || !any;
}

typedef json_t *(*hook_fn)(struct gctx *, json_t *, json_t *, json_t *);

static json_t *
h_product_variants(struct gctx *g, json_t *src, json_t *args, json_t *node)
{
	json_t		*items = json_array(), *s;
	const char	*q = json_string_value(json_object_get(args, "query"));
	const char	*sort = json_string_value(json_object_get(args,
			    "sortKey"));
	int64_t		 visible_before = emu_now() - emu_visibility_delay();
	size_t		 i, j;

	(void)src;
	for (i = 0; i < S.nvariants; i++) {
		const struct variant *v = &S.variants[i];

		/* the search index lags behind writes */
		if (q != NULL && emu_visibility_delay() > 0 &&
		    v->created_at > visible_before)
			continue;
		if (q != NULL && !search_ok(v, q))
			continue;
		s = src_variant(v);
		json_object_set_new(s, "_cid", json_integer(v->id));
		json_array_append_new(items, s);
	}
	if (sort != NULL && strcmp(sort, "SKU") == 0) {
		/* a small insertion sort, stable */
		for (i = 1; i < json_array_size(items); i++)
			for (j = i; j > 0 && strcmp(node_str(json_array_get(
			    items, j - 1), "sku"), node_str(json_array_get(
			    items, j), "sku")) > 0; j--) {
				json_t *a = json_incref(json_array_get(items,
				    j - 1));

				json_array_set(items, j - 1,
				    json_array_get(items, j));
				json_array_set_new(items, j, a);
			}
	}
	return connection(g, node, items, args);
}

static json_t *
h_product_variant(struct gctx *g, json_t *src, json_t *args, json_t *node)
{
	const struct variant *v = variant_by_id(gid_parse(json_string_value(
	    json_object_get(args, "id")), "ProductVariant"));

	(void)g;
	(void)src;
	(void)node;
	return v != NULL ? src_variant(v) : NULL;
}

static json_t *
h_inventory_item(struct gctx *g, json_t *src, json_t *args, json_t *node)
{
	const struct variant *v = variant_by_item(gid_parse(json_string_value(
	    json_object_get(args, "id")), "InventoryItem"));

	(void)g;
	(void)src;
	(void)node;
	return v != NULL ? src_item(v) : NULL;
}

static json_t *
h_location(struct gctx *g, json_t *src, json_t *args, json_t *node)
{
	json_t *id = json_object_get(args, "id");

	(void)g;
	(void)src;
	(void)node;
	if (id != NULL && gid_parse(json_string_value(id), "Location") !=
	    LOCATION_ID)
		return NULL;
	return src_location();
}

static json_t *
h_shop(struct gctx *g, json_t *src, json_t *args, json_t *node)
{
	(void)g;
	(void)src;
	(void)args;
	(void)node;
	return json_pack("{s:s, s:o, s:s, s:s, s:s}", "__typename", "Shop",
	    "id", jgid("Shop", 1), "name", S.shop_name, "myshopifyDomain",
	    S.shop_domain, "currencyCode", "USD");
}

static json_t *
h_subscriptions(struct gctx *g, json_t *src, json_t *args, json_t *node)
{
	json_t		*items = json_array(), *topics, *s;
	const char	*uri = json_string_value(json_object_get(args, "uri"));
	size_t		 i, k;

	(void)src;
	topics = json_object_get(args, "topics");
	for (i = 0; i < S.nsubs; i++) {
		int ok = json_array_size(topics) == 0;

		for (k = 0; k < json_array_size(topics); k++)
			if (strcmp(json_string_value(json_array_get(topics, k)),
			    topic_enum[S.subs[i].topic]) == 0)
				ok = 1;
		if (!ok || (uri != NULL && strcmp(uri, S.subs[i].uri) != 0))
			continue;
		s = src_sub(&S.subs[i]);
		json_object_set_new(s, "_cid", json_integer(S.subs[i].id));
		json_array_append_new(items, s);
	}
	return connection(g, node, items, args);
}

static json_t *
h_variant_item(struct gctx *g, json_t *src, json_t *args, json_t *node)
{
	const struct variant *v = src_variant_of(src);

	(void)g;
	(void)args;
	(void)node;
	return v != NULL ? src_item(v) : NULL;
}

static json_t *
h_variant_product(struct gctx *g, json_t *src, json_t *args, json_t *node)
{
	const struct variant *v = src_variant_of(src);

	(void)g;
	(void)args;
	(void)node;
	return v != NULL ? src_product(product_by_id(v->product_id)) : NULL;
}

static json_t *
h_item_level(struct gctx *g, json_t *src, json_t *args, json_t *node)
{
	const struct variant *v = src_variant_of(src);

	(void)g;
	(void)node;
	if (v == NULL || gid_parse(json_string_value(json_object_get(args,
	    "locationId")), "Location") != LOCATION_ID)
		return NULL;
	return src_level(v);
}

static json_t *
h_item_levels(struct gctx *g, json_t *src, json_t *args, json_t *node)
{
	const struct variant	*v = src_variant_of(src);
	json_t			*items = json_array(), *l;

	if (v != NULL) {
		l = src_level(v);
		json_object_set_new(l, "_cid", json_integer(LOCATION_ID));
		json_array_append_new(items, l);
	}
	return connection(g, node, items, args);
}

static json_t *
h_item_variant(struct gctx *g, json_t *src, json_t *args, json_t *node)
{
	const struct variant *v = src_variant_of(src);

	(void)g;
	(void)args;
	(void)node;
	return v != NULL ? src_variant(v) : NULL;
}

static const char *const QTY_NAMES[] = { "available", "committed",
	"damaged", "incoming", "on_hand", "quality_control", "reserved",
	"safety_stock", NULL };

static int64_t
quantity_of(const struct variant *v, const char *name)
{
	if (strcmp(name, "available") == 0)
		return v->available;
	if (strcmp(name, "committed") == 0)
		return v->committed;
	if (strcmp(name, "on_hand") == 0)
		return v->available + v->committed;
	return 0;
}

static json_t *
h_level_quantities(struct gctx *g, json_t *src, json_t *args, json_t *node)
{
	const struct variant	*v = src_variant_of(src);
	json_t			*out = json_array(), *n;
	size_t			 i;
	char			 id[160];

	if (v == NULL)
		return out;
	json_array_foreach(json_object_get(args, "names"), i, n) {
		const char *name = json_string_value(n);

		if (!in_list(QTY_NAMES, name)) {
			gerr(g, node, json_pack("{s:s}", "code", "BAD_REQUEST"),
			    "'%s' is not a valid inventory quantity name", name);
			continue;
		}
		(void)str_fmt(id, sizeof(id), "gid://shopify/InventoryQuantity/"
		    "%d?inventory_item_id=%lld&name=%s", LOCATION_ID,
		    (long long)v->item_id, name);
		json_array_append_new(out, json_pack("{s:s, s:s, s:s, s:I, s:o}",
		    "__typename", "InventoryQuantity", "id", id, "name", name,
		    "quantity", (json_int_t)quantity_of(v, name), "updatedAt",
		    jtime(v->level_updated_at, 1)));
	}
	return out;
}

static json_t *
h_level_item(struct gctx *g, json_t *src, json_t *args, json_t *node)
{
	return h_variant_item(g, src, args, node);
}

static json_t *
h_location_of(struct gctx *g, json_t *src, json_t *args, json_t *node)
{
	(void)g;
	(void)src;
	(void)args;
	(void)node;
	return src_location();
}

static json_t *
h_group_changes(struct gctx *g, json_t *src, json_t *args, json_t *node)
{
	json_t	*out = json_array(), *c, *f;
	size_t	 i, k;
	char	 gid[96];

	(void)g;
	(void)node;
	json_array_foreach(json_object_get(src, "_changes"), i, c) {
		int ok = 1;

		if ((f = json_object_get(args, "quantityNames")) != NULL) {
			ok = 0;
			for (k = 0; k < json_array_size(f); k++)
				if (strcmp(json_string_value(json_array_get(f,
				    k)), node_str(c, "name")) == 0)
					ok = 1;
		}
		if ((f = json_object_get(args, "inventoryItemIds")) != NULL) {
			const struct variant *v = src_variant_of(c);

			ok = ok && v != NULL;
			if (v != NULL) {
				int any = 0;

				(void)str_fmt(gid, sizeof(gid), "gid://shopify/"
				    "InventoryItem/%lld", (long long)v->item_id);
				for (k = 0; k < json_array_size(f); k++)
					if (strcmp(json_string_value(
					    json_array_get(f, k)), gid) == 0)
						any = 1;
				ok = ok && any;
			}
		}
		if (ok)
			json_array_append(out, c);
	}
	return out;
}

/* --- orders ------------------------------------------------------------- */

/* "2026-11-28T14:00:00Z" (or with +00:00, fractional seconds, or a
 * space for the T) to epoch seconds; -1 when it is not that. */
/* n digits at s into *out; -1 when they are not digits */
static int
digits(const char *s, int n, int *out)
{
	int	 i, v = 0;

	for (i = 0; i < n; i++) {
		if (!isdigit((unsigned char)s[i]))
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	*out = v;
	return 0;
}

static int64_t
iso_parse(const char *s)
{
	struct tm	 tm;
	const char	*p;
	int		 y, mo, d, h = 0, mi = 0, se = 0, oh, om;
	int64_t		 off = 0;

	memset(&tm, 0, sizeof(tm));
	if (strlen(s) < 10 || digits(s, 4, &y) == -1 || s[4] != '-' ||
	    digits(s + 5, 2, &mo) == -1 || s[7] != '-' ||
	    digits(s + 8, 2, &d) == -1)
		return -1;
	p = s + 10;
	if (*p == 'T' || *p == ' ') {
		if (strlen(p) < 9 || digits(p + 1, 2, &h) == -1 ||
		    p[3] != ':' || digits(p + 4, 2, &mi) == -1 ||
		    p[6] != ':' || digits(p + 7, 2, &se) == -1)
			return -1;
		p += 9;
		if (*p == '.')
			for (p++; isdigit((unsigned char)*p); p++)
				;
	}
	if (*p == 'Z' || *p == 'z')
		p++;
	else if (*p == '+' || *p == '-') {
		if (strlen(p) < 6 || digits(p + 1, 2, &oh) == -1 ||
		    p[3] != ':' || digits(p + 4, 2, &om) == -1)
			return -1;
		off = (*p == '-' ? -1 : 1) * ((int64_t)oh * 3600 + om * 60);
		p += 6;
	}
	if (*p != '\0' || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 ||
	    mi > 59 || se > 60)
		return -1;
	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	tm.tm_hour = h;
	tm.tm_min = mi;
	tm.tm_sec = se;
	return (int64_t)timegm(&tm) - off;
}

/* Order search, the part a reconciliation needs: created_at / updated_at
 * with > >= < <= (a bare value is =), quotes optional; terms ANDed;
 * unknown fields ignored as Shopify does. 0 when the order fails a term,
 * -1 for a date that does not parse. */
static int
order_search_ok(const struct order *o, const char *q)
{
	const char	*p = q, *start;
	char		 term[128], field[32], val[96];
	const char	*colon, *v;
	size_t		 n, fl;
	int64_t		 t, have;
	int		 ok = 1;

	for (;;) {
		while (*p == ' ')
			p++;
		if (*p == '\0')
			break;
		start = p;
		while (*p != '\0' && *p != ' ') {
			if (*p == '"' || *p == '\'') {
				char qc = *p++;

				while (*p != '\0' && *p != qc)
					p++;
				if (*p == qc)
					p++;
				continue;
			}
			p++;
		}
		n = (size_t)(p - start);
		if (n >= sizeof(term))
			return -1;
		memcpy(term, start, n);
		term[n] = '\0';
		if (strcmp(term, "AND") == 0)
			continue;
		if ((colon = strchr(term, ':')) == NULL)
			continue;
		fl = (size_t)(colon - term);
		if (fl >= sizeof(field))
			continue;
		memcpy(field, term, fl);
		field[fl] = '\0';
		if (strcmp(field, "updated_at") == 0)
			have = o->updated_at;
		else if (strcmp(field, "created_at") == 0)
			have = o->created_at;
		else
			continue;
		v = colon + 1;
		(void)str_copy(val, sizeof(val), v[0] == '>' || v[0] == '<' ?
		    v + (v[1] == '=' ? 2 : 1) : v);
		n = strlen(val);
		if (n >= 2 && (val[0] == '"' || val[0] == '\'') &&
		    val[n - 1] == val[0]) {
			memmove(val, val + 1, n - 2);
			val[n - 2] = '\0';
		}
		if ((t = iso_parse(val)) < 0)
			return -1;
		if (v[0] == '>')
			ok = ok && (v[1] == '=' ? have >= t : have > t);
		else if (v[0] == '<')
			ok = ok && (v[1] == '=' ? have <= t : have < t);
		else
			ok = ok && have == t;
	}
	return ok;
}

static json_t *
src_order(const struct order *o)
{
	char	 name[32];

	(void)str_fmt(name, sizeof(name), "#%lld", (long long)o->number);
	return json_pack("{s:s, s:o, s:o, s:s, s:o, s:o, s:o, s:I}",
	    "__typename", "Order", "id", jgid("Order", o->id),
	    "legacyResourceId", jlegacy(o->id), "name", name,
	    "createdAt", jtime(o->created_at, 1),
	    "updatedAt", jtime(o->updated_at, 1),
	    "cancelledAt", o->cancelled_at != 0 ? jtime(o->cancelled_at, 1) :
	    json_null(), "_oid", (json_int_t)o->id);
}

/* QueryRoot.orders: search, then sortKey (ID by default; UPDATED_AT and
 * CREATED_AT by time, ties by id), then the page. */
static json_t *
h_orders(struct gctx *g, json_t *src, json_t *args, json_t *node)
{
	json_t		*items = json_array(), *s;
	const char	*q = json_string_value(json_object_get(args, "query"));
	const char	*sort = json_string_value(json_object_get(args,
			    "sortKey"));
	struct order	**v = NULL;
	size_t		 i, j, n = 0;
	int		 ok, by = 0;

	(void)src;
	if (sort != NULL && strcmp(sort, "UPDATED_AT") == 0)
		by = 1;
	else if (sort != NULL && (strcmp(sort, "CREATED_AT") == 0 ||
	    strcmp(sort, "PROCESSED_AT") == 0))
		by = 2;
	if (S.norders > 0 && (v = calloc(S.norders, sizeof(*v))) == NULL) {
		json_decref(items);
		gerr(g, node, json_pack("{s:s}", "code",
		    "INTERNAL_SERVER_ERROR"), "out of memory");
		return NULL;
	}
	for (i = 0; i < S.norders; i++) {
		if (q != NULL && (ok = order_search_ok(S.orders[i], q)) != 1) {
			if (ok == -1) {
				free(v);
				json_decref(items);
				gerr(g, node, json_pack("{s:s}", "code",
				    "BAD_REQUEST"), "Invalid search query: "
				    "a date does not parse");
				return NULL;
			}
			continue;
		}
		v[n++] = S.orders[i];
	}
	/* insertion sort, stable */
	for (i = 1; i < n; i++)
		for (j = i; j > 0; j--) {
			const struct order *a = v[j - 1], *b = v[j];
			int64_t ka = by == 1 ? a->updated_at : by == 2 ?
			    a->created_at : a->id;
			int64_t kb = by == 1 ? b->updated_at : by == 2 ?
			    b->created_at : b->id;
			struct order *t;

			if (ka < kb || (ka == kb && a->id <= b->id))
				break;
			t = v[j - 1];
			v[j - 1] = v[j];
			v[j] = t;
		}
	for (i = 0; i < n; i++) {
		s = src_order(v[i]);
		json_object_set_new(s, "_cid", json_integer(v[i]->id));
		json_array_append_new(items, s);
	}
	free(v);
	return connection(g, node, items, args);
}

static json_t *
h_order_lines(struct gctx *g, json_t *src, json_t *args, json_t *node)
{
	const struct order	*o = order_by_id(json_integer_value(
				    json_object_get(src, "_oid")));
	json_t			*items = json_array(), *s;
	size_t			 i;

	for (i = 0; o != NULL && i < o->nlines; i++) {
		const struct line	*l = &o->lines[i];
		const struct variant	*v = variant_by_id(l->variant_id);
		const struct product	*p = v != NULL ?
					    product_by_id(v->product_id) : NULL;

		s = json_pack("{s:s, s:o, s:s?, s:s, s:I, s:I, s:o, s:I}",
		    "__typename", "LineItem", "id", jgid("LineItem", l->id),
		    "sku", v != NULL ? v->sku : NULL, "name", p != NULL ?
		    p->title : "", "quantity", (json_int_t)l->quantity,
		    "currentQuantity", (json_int_t)(l->quantity - l->removed -
		    l->returned), "variant", v != NULL ? src_variant(v) :
		    json_null(), "_cid", (json_int_t)l->id);
		json_array_append_new(items, s);
	}
	return connection(g, node, items, args);
}

struct hook {
	const char	*type;
	const char	*field;
	hook_fn		 fn;
};

static json_t *h_set(struct gctx *, json_t *, json_t *, json_t *);
static json_t *h_adjust(struct gctx *, json_t *, json_t *, json_t *);
static json_t *h_sub_create(struct gctx *, json_t *, json_t *, json_t *);

static const struct hook HOOKS[] = {
	{ "QueryRoot", "productVariants", h_product_variants },
	{ "QueryRoot", "productVariant", h_product_variant },
	{ "QueryRoot", "inventoryItem", h_inventory_item },
	{ "QueryRoot", "location", h_location },
	{ "QueryRoot", "shop", h_shop },
	{ "QueryRoot", "webhookSubscriptions", h_subscriptions },
	{ "QueryRoot", "orders", h_orders },
	{ "Order", "lineItems", h_order_lines },
	{ "Mutation", "inventorySetQuantities", h_set },
	{ "Mutation", "inventoryAdjustQuantities", h_adjust },
	{ "Mutation", "webhookSubscriptionCreate", h_sub_create },
	{ "ProductVariant", "inventoryItem", h_variant_item },
	{ "ProductVariant", "product", h_variant_product },
	{ "InventoryItem", "inventoryLevel", h_item_level },
	{ "InventoryItem", "inventoryLevels", h_item_levels },
	{ "InventoryItem", "variant", h_item_variant },
	{ "InventoryLevel", "quantities", h_level_quantities },
	{ "InventoryLevel", "item", h_level_item },
	{ "InventoryLevel", "location", h_location_of },
	{ "InventoryChange", "item", h_level_item },
	{ "InventoryChange", "location", h_location_of },
	{ "InventoryAdjustmentGroup", "changes", h_group_changes },
	{ NULL, NULL, NULL }
};

/* --- GraphQL: execution -------------------------------------------------- */

static void exec_sel(struct gctx *g, const char *tname, json_t *src,
    json_t *sel, json_t *out, int depth);

static json_t *
complete(struct gctx *g, const char *t, json_t *v, json_t *node, int depth)
{
	char			 base[96], item[128];
	const struct stype	*ty;
	json_t			*out, *x;
	size_t			 i;

	if (v == NULL || json_is_null(v) || depth > 2 * DEPTH_MAX)
		return json_null();
	if (type_list(t)) {
		type_item(t, item, sizeof(item));
		out = json_array();
		json_array_foreach(v, i, x) {
			json_array_append_new(g->path, json_integer((json_int_t)i));
			json_array_append_new(out, complete(g, item, x, node,
			    depth + 1));
			json_array_remove(g->path, json_array_size(g->path) - 1);
		}
		return out;
	}
	type_base(t, base, sizeof(base));
	ty = type_find(base);
	if (ty != NULL && (ty->kind == SK_OBJECT || ty->kind == SK_UNION)) {
		out = json_object();
		exec_sel(g, ty->kind == SK_UNION ? node_str(v, "__typename") :
		    base, v, json_object_get(node, "sel"), out, depth + 1);
		return out;
	}
	return json_incref(v);
}

static void
exec_sel(struct gctx *g, const char *tname, json_t *src, json_t *sel,
    json_t *out, int depth)
{
	json_t			*node, *frag, *v;
	const struct stype	*ty = type_find(tname);
	const struct sfield	*f;
	size_t			 i, h;
	const char		*k, *name;

	json_array_foreach(sel, i, node) {
		k = node_str(node, "k");
		if (strcmp(k, "spread") == 0) {
			frag = json_object_get(json_object_get(g->doc, "frags"),
			    node_str(node, "name"));
			if (frag != NULL && type_applies(node_str(frag, "on"),
			    tname))
				exec_sel(g, tname, src, json_object_get(frag,
				    "sel"), out, depth + 1);
			continue;
		}
		if (strcmp(k, "inline") == 0) {
			if (json_object_get(node, "on") == NULL ||
			    type_applies(node_str(node, "on"), tname))
				exec_sel(g, tname, src, json_object_get(node,
				    "sel"), out, depth + 1);
			continue;
		}
		name = node_str(node, "name");
		if (strcmp(name, "__typename") == 0) {
			json_object_set_new(out, node_str(node, "alias"),
			    json_string(tname));
			continue;
		}
		if (ty == NULL || (f = field_find(ty->fields, name)) == NULL)
			continue;	/* validation said so already */
		json_array_append_new(g->path, json_string(node_str(node,
		    "alias")));
		v = NULL;
		for (h = 0; HOOKS[h].type != NULL; h++)
			if (strcmp(HOOKS[h].type, tname) == 0 &&
			    strcmp(HOOKS[h].field, name) == 0)
				break;
		if (HOOKS[h].type != NULL) {
			v = HOOKS[h].fn(g, src, json_object_get(node, "cargs"),
			    node);
			json_object_set_new(out, node_str(node, "alias"),
			    complete(g, f->type, v, node, depth));
			json_decref(v);
		} else
			json_object_set_new(out, node_str(node, "alias"),
			    complete(g, f->type, json_object_get(src, name),
			    node, depth));
		json_array_remove(g->path, json_array_size(g->path) - 1);
	}
}

/* --- mutations -------------------------------------------------------------- */

static const char *const REASONS[] = { "correction", "cycle_count_available",
	"damaged", "movement_canceled", "movement_created", "movement_received",
	"movement_updated", "other", "promotion", "quality_control",
	"received", "reservation_created", "reservation_deleted",
	"reservation_updated", "restock", "safety_stock", "shrinkage", NULL };

static json_t *
uerr(const char *type, const char *code, json_t *field, const char *msg)
{
	return json_pack("{s:s, s:s?, s:o, s:s}", "__typename", type, "code",
	    code, "field", field != NULL ? field : json_null(), "message", msg);
}

static json_t *
fpath(const char *list, size_t i, const char *leaf)
{
	char	 idx[24];

	(void)str_fmt(idx, sizeof(idx), "%zu", i);
	return json_pack("[s, s, s, s]", "input", list, idx, leaf);
}

/* scheme:rest, and gid://app/Entity/id complete */
static int
uri_ok(const char *u)
{
	size_t	 n = 0;
	const char *p;
	int	 parts = 0;

	if (u == NULL || !isalpha((unsigned char)u[0]))
		return 0;
	while (isalnum((unsigned char)u[n]) || u[n] == '+' || u[n] == '-' ||
	    u[n] == '.')
		n++;
	if (u[n] != ':' || u[n + 1] == '\0')
		return 0;
	if (strncmp(u, "gid://", 6) != 0)
		return 1;
	for (p = u + 6; *p != '\0'; p++)
		if (*p != '/' && (p == u + 6 || p[-1] == '/'))
			parts++;
	return parts >= 3;
}

static json_t *
payload(int set, json_t *group, json_t *errors)
{
	return json_pack("{s:s, s:o, s:o}", "__typename", set ?
	    "InventorySetQuantitiesPayload" : "InventoryAdjustQuantitiesPayload",
	    "inventoryAdjustmentGroup", group != NULL ? group : json_null(),
	    "userErrors", errors != NULL ? errors : json_array());
}

static json_t *
group_new(const char *reason, json_t *ref, json_t *changes)
{
	return json_pack("{s:s, s:o, s:o, s:s, s:O, s:o}", "__typename",
	    "InventoryAdjustmentGroup", "id", jgid("InventoryAdjustmentGroup",
	    ++S.seq_group), "createdAt", jtime(emu_now(), 1), "reason", reason,
	    "referenceDocumentUri", ref != NULL ? ref : json_null(),
	    "_changes", changes);
}

static json_t *
change_src(const char *name, int64_t delta, int64_t after, int64_t vid,
    const char *ledger)
{
	return json_pack("{s:s, s:s, s:I, s:I, s:s?, s:I}", "__typename",
	    "InventoryChange", "name", name, "delta", (json_int_t)delta,
	    "quantityAfterChange", (json_int_t)after, "ledgerDocumentUri",
	    ledger, "_vid", (json_int_t)vid);
}

/* 2026-04: every entry must carry changeFromQuantity (null opts out) */
static int
require_cfq(struct gctx *g, json_t *node, json_t *list, const char *lname)
{
	json_t	*q;
	size_t	 i;

	if (json_array_size(list) > 250) {
		gerr(g, node, json_pack("{s:s}", "code",
		    "MAX_INPUT_SIZE_EXCEEDED"), "The input array size of %zu "
		    "is greater than the maximum allowed of 250.",
		    json_array_size(list));
		return -1;
	}
	json_array_foreach(list, i, q)
		if (json_object_get(q, "changeFromQuantity") == NULL) {
			gerr(g, node, json_pack("{s:s, s:[s, s, i, s]}", "code",
			    "CHANGE_FROM_QUANTITY_REQUIRED", "field", "input",
			    lname, (int)i, "changeFromQuantity"),
			    "input.%s[%zu].changeFromQuantity is required as of "
			    "API version %s; pass null explicitly to opt out of "
			    "the compare-and-swap check", lname, i, API_VERSION);
			return -1;
		}
	return 0;
}

static json_t *
do_set(struct gctx *g, json_t *in, json_t *node)
{
	const char	*et = "InventorySetQuantitiesUserError";
	const char	*name = node_str(in, "name"), *reason = node_str(in,
			    "reason");
	json_t		*ref = json_object_get(in, "referenceDocumentUri");
	json_t		*qs = json_object_get(in, "quantities"), *q, *errs,
			*changes;
	struct variant	*vs[250], *v;
	size_t		 i, k;
	int		 avail = strcmp(name, "available") == 0;

	if (require_cfq(g, node, qs, "quantities") == -1)
		return NULL;
	errs = json_array();
	if (!avail && strcmp(name, "on_hand") != 0)
		json_array_append_new(errs, uerr(et, "INVALID_NAME",
		    json_pack("[s, s]", "input", "name"), "The quantity name "
		    "must be either 'available' or 'on_hand'."));
	if (!in_list(REASONS, reason))
		json_array_append_new(errs, uerr(et, "INVALID_REASON",
		    json_pack("[s, s]", "input", "reason"), "The specified "
		    "reason is invalid."));
	if (ref != NULL && !json_is_null(ref) && !uri_ok(json_string_value(ref)))
		json_array_append_new(errs, uerr(et, "INVALID_REFERENCE_DOCUMENT",
		    json_pack("[s, s]", "input", "referenceDocumentUri"),
		    "The specified reference document is invalid."));
	json_array_foreach(qs, i, q) {
		json_t *cfq = json_object_get(q, "changeFromQuantity");
		int64_t qty = json_integer_value(json_object_get(q, "quantity"));

		vs[i] = v = variant_by_item(gid_parse(node_str(q,
		    "inventoryItemId"), "InventoryItem"));
		if (v == NULL) {
			json_array_append_new(errs, uerr(et,
			    "INVALID_INVENTORY_ITEM", fpath("quantities", i,
			    "inventoryItemId"), "The specified inventory item "
			    "could not be found."));
			continue;
		}
		if (gid_parse(node_str(q, "locationId"), "Location") !=
		    LOCATION_ID) {
			json_array_append_new(errs, uerr(et, "INVALID_LOCATION",
			    fpath("quantities", i, "locationId"), "The "
			    "specified location could not be found."));
			continue;
		}
		for (k = 0; k < i; k++)
			if (vs[k] == v) {
				json_array_append_new(errs, uerr(et,
				    "NO_DUPLICATE_INVENTORY_ITEM_ID_GROUP_ID_PAIR",
				    fpath("quantities", i, "inventoryItemId"),
				    "The combination of inventoryItemId and "
				    "locationId must be unique."));
				break;
			}
		if (qty < 0)
			json_array_append_new(errs, uerr(et,
			    "INVALID_QUANTITY_NEGATIVE", fpath("quantities", i,
			    "quantity"), "The quantity can't be negative."));
		else if (qty > 1000000000)
			json_array_append_new(errs, uerr(et,
			    "INVALID_QUANTITY_TOO_HIGH", fpath("quantities", i,
			    "quantity"), "The total quantity can't be higher "
			    "than 1,000,000,000."));
		if (!json_is_null(cfq) && json_integer_value(cfq) !=
		    quantity_of(v, name[0] != '\0' && !avail ? "on_hand" :
		    "available"))
			json_array_append_new(errs, uerr(et,
			    "CHANGE_FROM_QUANTITY_STALE", fpath("quantities", i,
			    "changeFromQuantity"), "The changeFromQuantity "
			    "value does not match persisted value."));
	}
	if (json_array_size(errs) > 0)
		return payload(1, NULL, errs);	/* all or nothing */
	changes = json_array();
	json_array_foreach(qs, i, q) {
		int64_t qty = json_integer_value(json_object_get(q, "quantity"));
		int64_t delta;

		v = vs[i];
		delta = qty - quantity_of(v, avail ? "available" : "on_hand");
		v->available += delta;	/* committed stays: both move */
		json_array_append_new(changes, change_src("available", delta,
		    v->available, v->id, NULL));
		json_array_append_new(changes, change_src("on_hand", delta,
		    v->available + v->committed, v->id, NULL));
		if (delta != 0) {
			v->updated_at = emu_now();
			/* the echo: fired for the app's own write too */
			fire_level(v);
		}
	}
	return payload(1, group_new(reason, ref, changes), errs);
}

static json_t *
do_adjust(struct gctx *g, json_t *in, json_t *node)
{
	const char	*et = "InventoryAdjustQuantitiesUserError";
	const char	*name = node_str(in, "name"), *reason = node_str(in,
			    "reason");
	json_t		*ref = json_object_get(in, "referenceDocumentUri");
	json_t		*cs = json_object_get(in, "changes"), *c, *errs,
			*changes;
	struct variant	*vs[250], *v;
	size_t		 i;
	int		 avail = strcmp(name, "available") == 0;

	if (require_cfq(g, node, cs, "changes") == -1)
		return NULL;
	errs = json_array();
	if (!avail && strcmp(name, "on_hand") != 0)
		json_array_append_new(errs, uerr(et, "INVALID_QUANTITY_NAME",
		    json_pack("[s, s]", "input", "name"), "The quantity name "
		    "is invalid (the sandbox keeps available and on_hand)."));
	if (!in_list(REASONS, reason))
		json_array_append_new(errs, uerr(et, "INVALID_REASON",
		    json_pack("[s, s]", "input", "reason"), "The specified "
		    "reason is invalid."));
	if (ref != NULL && !json_is_null(ref) && !uri_ok(json_string_value(ref)))
		json_array_append_new(errs, uerr(et, "INVALID_REFERENCE_DOCUMENT",
		    json_pack("[s, s]", "input", "referenceDocumentUri"),
		    "The specified reference document is invalid."));
	json_array_foreach(cs, i, c) {
		json_t *cfq = json_object_get(c, "changeFromQuantity");
		const char *ledger = json_string_value(json_object_get(c,
		    "ledgerDocumentUri"));
		int64_t delta = json_integer_value(json_object_get(c, "delta"));

		vs[i] = v = variant_by_item(gid_parse(node_str(c,
		    "inventoryItemId"), "InventoryItem"));
		if (v == NULL) {
			json_array_append_new(errs, uerr(et,
			    "INVALID_INVENTORY_ITEM", fpath("changes", i,
			    "inventoryItemId"), "The specified inventory item "
			    "could not be found."));
			continue;
		}
		if (gid_parse(node_str(c, "locationId"), "Location") !=
		    LOCATION_ID) {
			json_array_append_new(errs, uerr(et, "INVALID_LOCATION",
			    fpath("changes", i, "locationId"), "The specified "
			    "location could not be found."));
			continue;
		}
		if (ledger != NULL && strncmp(ledger, "gid://shopify/", 14) == 0)
			json_array_append_new(errs, uerr(et,
			    "INTERNAL_LEDGER_DOCUMENT", fpath("changes", i,
			    "ledgerDocumentUri"), "Internal (gid://shopify/) "
			    "ledger documents are not allowed to be adjusted "
			    "via API."));
		else if (!avail && (ledger == NULL || !uri_ok(ledger)))
			json_array_append_new(errs, uerr(et,
			    "INVALID_LEDGER_DOCUMENT", fpath("changes", i,
			    "ledgerDocumentUri"), "A ledger document URI is "
			    "required for quantity names other than available."));
		if (!json_is_null(cfq) && json_integer_value(cfq) !=
		    quantity_of(v, avail ? "available" : "on_hand"))
			json_array_append_new(errs, uerr(et,
			    "CHANGE_FROM_QUANTITY_STALE", fpath("changes", i,
			    "changeFromQuantity"), "The changeFromQuantity "
			    "argument no longer matches the persisted "
			    "quantity."));
		if (quantity_of(v, avail ? "available" : "on_hand") + delta >
		    1000000000)
			json_array_append_new(errs, uerr(et,
			    "INVALID_QUANTITY_TOO_HIGH", fpath("changes", i,
			    "delta"), "The quantity can't be higher than "
			    "1,000,000,000."));
		else if (quantity_of(v, avail ? "available" : "on_hand") +
		    delta < -1000000000)
			json_array_append_new(errs, uerr(et,
			    "INVALID_QUANTITY_TOO_LOW", fpath("changes", i,
			    "delta"), "The quantity can't be lower than "
			    "-1,000,000,000."));
	}
	if (json_array_size(errs) > 0)
		return payload(0, NULL, errs);
	changes = json_array();
	json_array_foreach(cs, i, c) {
		int64_t delta = json_integer_value(json_object_get(c, "delta"));
		const char *ledger = json_string_value(json_object_get(c,
		    "ledgerDocumentUri"));

		v = vs[i];
		v->available += delta;
		json_array_append_new(changes, change_src(name, delta,
		    quantity_of(v, name), v->id, ledger));
		if (delta != 0) {
			v->updated_at = emu_now();
			fire_level(v);
		}
	}
	return payload(0, group_new(reason, ref, changes), errs);
}

/*
 * The idempotency wrapper: a key seen with the same mutation and the same
 * (coerced) input answers the stored result without running again; with
 * other input it is IDEMPOTENCY_KEY_PARAMETER_MISMATCH.
 */
static json_t *
inventory_mutation(struct gctx *g, json_t *args, json_t *node, int set)
{
	const char	*fname = set ? "inventorySetQuantities" :
			    "inventoryAdjustQuantities";
	const char	*key = json_string_value(json_object_get(node, "idem"));
	json_t		*rec, *res = NULL;
	char		*canon;

	if ((canon = json_dumps(args, JSON_COMPACT | JSON_SORT_KEYS)) == NULL)
		return NULL;
	rec = key != NULL ? json_object_get(S.idem, key) : NULL;
	if (rec != NULL) {
		if (strcmp(node_str(rec, "field"), fname) == 0 &&
		    strcmp(node_str(rec, "input"), canon) == 0) {
			res = json_incref(json_object_get(rec, "result"));
			json_object_set_new(rec, "replays", json_integer(
			    json_integer_value(json_object_get(rec,
			    "replays")) + 1));
		} else
			res = payload(set, NULL, json_pack("[o]", uerr(set ?
			    "InventorySetQuantitiesUserError" :
			    "InventoryAdjustQuantitiesUserError",
			    "IDEMPOTENCY_KEY_PARAMETER_MISMATCH", NULL,
			    "The same idempotency key cannot be used with "
			    "different operation parameters.")));
		goto out;
	}
	res = set ? do_set(g, json_object_get(args, "input"), node) :
	    do_adjust(g, json_object_get(args, "input"), node);
	if (res != NULL && key != NULL)
		json_object_set_new(S.idem, key, json_pack("{s:s, s:s, s:O, "
		    "s:o, s:i}", "field", fname, "input", canon, "result", res,
		    "at", jtime(emu_now(), 1), "replays", 0));
out:
	free(canon);
	return res;
}

static json_t *
h_set(struct gctx *g, json_t *src, json_t *args, json_t *node)
{
	(void)src;
	return inventory_mutation(g, args, node, 1);
}

static json_t *
h_adjust(struct gctx *g, json_t *src, json_t *args, json_t *node)
{
	(void)src;
	return inventory_mutation(g, args, node, 0);
}

static json_t *
h_sub_create(struct gctx *g, json_t *src, json_t *args, json_t *node)
{
	json_t		*in = json_object_get(args, "webhookSubscription");
	const char	*topic = node_str(args, "topic");
	const char	*uri = json_string_value(json_object_get(in, "uri"));
	const char	*fmt = json_string_value(json_object_get(in, "format"));
	const char	*msg = NULL;
	struct sub	*s;
	size_t		 i;
	int		 t = -1;

	(void)g;
	(void)src;
	(void)node;
	for (i = 0; i < T__MAX; i++)
		if (strcmp(topic_enum[i], topic) == 0)
			t = (int)i;
	if (uri == NULL || uri[0] == '\0')
		msg = "Address can't be blank";
	else if ((strncmp(uri, "https://", 8) != 0 &&
	    strncmp(uri, "http://", 7) != 0) || strlen(uri) >= sizeof(s->uri))
		msg = "Address is invalid";	/* sandbox: http allowed too */
	else if (fmt != NULL && strcmp(fmt, "JSON") != 0)
		msg = "Format: the sandbox sends JSON only";
	else if (t < 0 || S.nsubs == MAX_SUBS)
		msg = "Too many webhook subscriptions";
	for (i = 0; msg == NULL && i < S.nsubs; i++)
		if ((int)S.subs[i].topic == t && strcmp(S.subs[i].uri, uri) == 0)
			msg = "Address for this topic has already been taken";
	if (msg != NULL)
		return json_pack("{s:s, s:[{s:s, s:[s, s], s:s}], s:n}",
		    "__typename", "WebhookSubscriptionCreatePayload",
		    "userErrors", "__typename", "UserError", "field",
		    "webhookSubscription", "callbackUrl", "message", msg,
		    "webhookSubscription");
	s = &S.subs[S.nsubs++];
	memset(s, 0, sizeof(*s));
	s->id = ++S.seq_sub;
	s->topic = (enum topic)t;
	(void)str_copy(s->uri, sizeof(s->uri), uri);
	(void)str_copy(s->filter, sizeof(s->filter),
	    json_string_value(json_object_get(in, "filter")) != NULL ?
	    json_string_value(json_object_get(in, "filter")) : "");
	s->created_at = emu_now();
	return json_pack("{s:s, s:[], s:o}", "__typename",
	    "WebhookSubscriptionCreatePayload", "userErrors",
	    "webhookSubscription", src_sub(s));
}

/* --- the endpoint ------------------------------------------------------------ */

static void
bucket_refill(void)
{
	int64_t	 now = emu_now_ms();

	if (now > S.bucket_ms)
		S.bucket += (double)(now - S.bucket_ms) * S.restore_rate / 1000.0;
	if (S.bucket > S.bucket_max)
		S.bucket = S.bucket_max;
	S.bucket_ms = now;
}

static json_t *
cost_ext(int requested, int actual)
{
	return json_pack("{s:{s:i, s:o, s:{s:f, s:I, s:f}}}", "cost",
	    "requestedQueryCost", requested, "actualQueryCost", actual >= 0 ?
	    json_integer(actual) : json_null(), "throttleStatus",
	    "maximumAvailable", S.bucket_max, "currentlyAvailable",
	    (json_int_t)S.bucket, "restoreRate", S.restore_rate);
}

static void
reply_errors(struct emu_req *r, json_t *errors)
{
	emu_reply_new(r, 200, json_pack("{s:o}", "errors", errors), NULL);
}

static json_t *
one_error(const char *code, const char *msg, int line, int col)
{
	json_t	*e = json_pack("{s:s, s:{s:s}}", "message", msg, "extensions",
	    "code", code);

	if (line > 0)
		json_object_set_new(e, "locations", json_pack("[{s:i, s:i}]",
		    "line", line, "column", col));
	return json_pack("[o]", e);
}

static json_t *
pick_operation(json_t *doc, const char *opname, char *why, size_t whysz)
{
	json_t	*ops = json_object_get(doc, "ops"), *op;
	size_t	 i;

	if (opname == NULL) {
		if (json_array_size(ops) == 1)
			return json_array_get(ops, 0);
		(void)str_copy(why, whysz, "An operation name is required");
		return NULL;
	}
	json_array_foreach(ops, i, op)
		if (strcmp(node_str(op, "name"), opname) == 0)
			return op;
	(void)str_fmt(why, whysz, "No operation named \"%s\"", opname);
	return NULL;
}

static void
api_graphql(struct emu_req *r)
{
	struct lexer	 L;
	struct gctx	 g;
	json_t		*body = NULL, *doc = NULL, *vars = NULL, *data, *def, *x;
	const char	*tok, *ct, *query = NULL, *opname = NULL, *k;
	char		 why[256];
	size_t		 i;

	memset(&L, 0, sizeof(L));
	memset(&g, 0, sizeof(g));
	buf_init(&L.str, 1024 * 1024);
	if (strcmp(r->ids[0], API_VERSION) != 0) {
		/* unknown and unsupported versions alike */
		emu_reply_new(r, 404, json_pack("{s:s}", "errors", "Not Found"),
		    NULL);
		goto out;
	}
	tok = http_header(r->http, "X-Shopify-Access-Token");
	if (tok == NULL || !str_ct_equal(tok, strlen(tok), S.token,
	    strlen(S.token))) {
		emu_reply_new(r, 401, json_pack("{s:s}", "errors", "[API] "
		    "Invalid API key or access token (unrecognized login or "
		    "wrong password)"), NULL);
		goto out;
	}
	ct = r->http->content_type != NULL ? r->http->content_type : "";
	if (strncasecmp(ct, "application/graphql", 19) == 0)
		query = r->http->body;
	else if ((body = emu_body_json(r)) != NULL) {
		query = json_string_value(json_object_get(body, "query"));
		vars = json_object_get(body, "variables");
		opname = json_string_value(json_object_get(body,
		    "operationName"));
	}
	if (query == NULL || (vars != NULL && !json_is_object(vars) &&
	    !json_is_null(vars))) {
		emu_reply_new(r, 400, json_pack("{s:{s:s}}", "errors", "query",
		    "Required parameter missing or invalid"), NULL);
		goto out;
	}
	L.src = query;
	L.len = strlen(query);
	L.line = 1;
	if ((doc = parse_document(&L)) == NULL) {
		reply_errors(r, one_error("PARSE_ERROR", L.err, L.eline,
		    L.ecol));
		goto out;
	}
	g.doc = doc;
	if ((g.op = pick_operation(doc, opname, why, sizeof(why))) == NULL) {
		reply_errors(r, one_error("BAD_REQUEST", why, 0, 0));
		goto out;
	}
	if (strcmp(node_str(g.op, "op"), "subscription") == 0) {
		reply_errors(r, one_error("BAD_REQUEST", "Subscriptions are "
		    "not supported by the Admin API", 0, 0));
		goto out;
	}
	g.mutation = strcmp(node_str(g.op, "op"), "mutation") == 0;
	if (json_object_get(g.op, "name") != NULL)
		(void)str_fmt(g.opdesc_buf, sizeof(g.opdesc_buf), "%s %s",
		    node_str(g.op, "op"), node_str(g.op, "name"));
	else
		(void)str_fmt(g.opdesc_buf, sizeof(g.opdesc_buf), "anonymous %s",
		    node_str(g.op, "op"));
	g.opdesc = g.opdesc_buf;
	g.errors = json_array();
	g.vars = json_object();
	g.used = json_object();
	g.declared = json_object();
	g.bad = json_object();
	g.path = json_array();
	json_array_foreach(json_object_get(g.op, "vars"), i, def) {
		if (json_object_get(g.declared, node_str(def, "name")) != NULL)
			gerr(&g, def, json_pack("{s:s}", "code",
			    "variableNotUnique"), "There can only be one "
			    "variable named \"%s\"", node_str(def, "name"));
		json_object_set_new(g.declared, node_str(def, "name"),
		    json_string(node_str(def, "type")));
	}
	if (json_array_size(json_object_get(g.op, "dirs")) > 0)
		gerr(&g, g.op, json_pack("{s:s}", "code", "undefinedDirective"),
		    "Directives on operations are not supported");
	(void)coerce_variables(&g, json_is_object(vars) ? vars : NULL);
	json_array_append_new(g.path, json_string(node_str(g.op, "op")));
	g.cost = validate_sel(&g, g.mutation ? "Mutation" : "QueryRoot",
	    json_object_get(g.op, "sel"), 0);
	json_array_clear(g.path);
	json_array_foreach(json_object_get(g.op, "vars"), i, def)
		if (json_object_get(g.used, node_str(def, "name")) == NULL)
			gerr(&g, def, json_pack("{s:s, s:s}", "code",
			    "variableNotUsed", "variableName", node_str(def,
			    "name")), "Variable $%s is declared by %s but not "
			    "used", node_str(def, "name"), g.opdesc);
	json_object_foreach(json_object_get(doc, "frags"), k, x)
		if (json_object_get(x, "used") == NULL)
			gerr(&g, x, json_pack("{s:s, s:s}", "code",
			    "useAndDefineFragment", "fragmentName", k),
			    "Fragment %s was defined, but not used", k);
	if (json_array_size(g.errors) > 0) {
		reply_errors(r, json_incref(g.errors));
		goto out;
	}
	bucket_refill();
	if (g.cost > S.bucket_max) {
		(void)str_fmt(why, sizeof(why), "Query cost is %d, which "
		    "exceeds the single query max cost limit (%.0f).", g.cost,
		    S.bucket_max);
		emu_reply_new(r, 200, json_pack("{s:o, s:o}", "errors",
		    one_error("MAX_COST_EXCEEDED", why, 0, 0), "extensions",
		    cost_ext(g.cost, -1)), NULL);
		goto out;
	}
	if (S.bucket < g.cost) {
		/* Shopify answers 200 with THROTTLED, not 429 */
		emu_reply_new(r, 200, json_pack("{s:[{s:s, s:{s:s, s:s}}], "
		    "s:o}", "errors", "message", "Throttled", "extensions",
		    "code", "THROTTLED", "documentation",
		    "https://shopify.dev/api/usage/rate-limits", "extensions",
		    cost_ext(g.cost, -1)), NULL);
		goto out;
	}
	S.bucket -= g.cost;
	data = json_object();
	exec_sel(&g, g.mutation ? "Mutation" : "QueryRoot", NULL,
	    json_object_get(g.op, "sel"), data, 0);
	x = json_pack("{s:o}", "data", data);
	if (json_array_size(g.errors) > 0)
		json_object_set(x, "errors", g.errors);
	json_object_set_new(x, "extensions", cost_ext(g.cost, g.cost));
	emu_reply_new(r, 200, x, NULL);
out:
	buf_free(&L.str);
	json_decref(g.errors);
	json_decref(g.vars);
	json_decref(g.used);
	json_decref(g.declared);
	json_decref(g.bad);
	json_decref(g.path);
	json_decref(doc);
	json_decref(body);
}

/* --- the shop's own side (control API) -------------------------------------- */

static void
slug(char *out, size_t sz, const char *title)
{
	size_t	 n = 0;
	int	 dash = 0;

	for (; *title != '\0' && n + 1 < sz; title++) {
		if (isalnum((unsigned char)*title)) {
			if (dash && n > 0)
				out[n++] = '-';
			dash = 0;
			if (n + 1 < sz)
				out[n++] = (char)tolower((unsigned char)*title);
		} else
			dash = 1;
	}
	out[n] = '\0';
}

static struct product *
product_add(const char *title, const char *vendor, const char *option_name)
{
	struct product	*p;

	if (S.nproducts == MAX_PRODUCTS)
		return NULL;
	p = &S.products[S.nproducts++];
	memset(p, 0, sizeof(*p));
	p->id = ++S.seq_product;
	(void)str_copy(p->title, sizeof(p->title), title);
	slug(p->handle, sizeof(p->handle), title);
	(void)str_copy(p->vendor, sizeof(p->vendor), vendor != NULL ? vendor :
	    S.shop_name);
	(void)str_copy(p->option_name, sizeof(p->option_name),
	    option_name != NULL ? option_name : "Title");
	p->created_at = p->updated_at = emu_now();
	return p;
}

static struct variant *
variant_add(struct product *p, const char *sku, const char *title,
    const char *price, int64_t available)
{
	struct variant	*v;
	size_t		 i;
	int		 pos = 0;

	if (S.nvariants == MAX_VARIANTS)
		return NULL;
	for (i = 0; i < S.nvariants; i++)
		if (S.variants[i].product_id == p->id)
			pos++;
	v = &S.variants[S.nvariants++];
	memset(v, 0, sizeof(*v));
	v->id = ++S.seq_variant;
	v->item_id = ++S.seq_item;
	v->product_id = p->id;
	v->position = pos + 1;
	(void)str_copy(v->sku, sizeof(v->sku), sku != NULL ? sku : "");
	(void)str_copy(v->title, sizeof(v->title), title != NULL ? title :
	    "Default Title");
	(void)str_copy(v->price, sizeof(v->price), price != NULL ? price :
	    "0.00");
	v->available = available;
	v->created_at = v->updated_at = v->level_updated_at = emu_now();
	p->updated_at = v->created_at;
	return v;
}

static void
orders_free(void)
{
	size_t	 i;

	for (i = 0; i < S.norders; i++) {
		json_decref(S.orders[i]->refunds);
		json_decref(S.orders[i]->fulfillments);
		free(S.orders[i]);
	}
	free(S.orders);
	S.orders = NULL;
	S.norders = S.orders_cap = 0;
}

/* the shop's catalog, orders and idempotency keys (not the config) */
static void
shop_clear(void)
{
	orders_free();
	S.nproducts = S.nvariants = S.nsubs = 0;
	json_decref(S.idem);
	json_decref(S.events);
	S.idem = json_object();
	S.events = json_array();
	S.seq_product = 43000;
	S.seq_variant = 44000;
	S.seq_item = 45000;
	S.seq_order = 5000;
	S.seq_line = 6000;
	S.seq_refund = 7000;
	S.seq_rli = 8000;
	S.seq_fulfillment = 9000;
	S.seq_sub = 1000;
	S.seq_group = 0;
	S.seq_event = S.seq_delivery = 0;
	S.order_number = 1000;
}

static void
shopify_reset(void)
{
	shop_clear();
	(void)str_copy(S.shop_domain, sizeof(S.shop_domain),
	    "sandbox-shop.myshopify.com");
	(void)str_copy(S.shop_name, sizeof(S.shop_name), "SANDBOX shop");
	(void)str_copy(S.token, sizeof(S.token), "shpat_sandbox_token");
	(void)str_copy(S.secret, sizeof(S.secret), "sbx-shopify-secret");
	(void)str_copy(S.location_name, sizeof(S.location_name),
	    "SANDBOX warehouse");
	S.bucket_max = 1000;
	S.restore_rate = 50;
	S.bucket = S.bucket_max;
	S.bucket_ms = emu_now_ms();
}

static json_t *
config_json(void)
{
	bucket_refill();
	return json_pack("{s:s, s:s, s:s, s:s, s:s, s:o, s:s, s:s, s:{s:f, "
	    "s:f, s:I}}", "shop_domain", S.shop_domain, "shop_name",
	    S.shop_name, "access_token", S.token, "client_secret", S.secret,
	    "location_name", S.location_name, "location_id",
	    jgid("Location", LOCATION_ID), "api_version", API_VERSION,
	    "graphql_path", "/admin/api/" API_VERSION "/graphql.json",
	    "throttle", "maximum_available", S.bucket_max, "restore_rate",
	    S.restore_rate, "currently_available", (json_int_t)S.bucket);
}

static void
ctl_config_get(struct emu_req *r)
{
	emu_reply_new(r, 200, config_json(), NULL);
}

/* {"shop_domain","shop_name","access_token","client_secret",
 *  "location_name","throttle":{"maximum_available","restore_rate",
 *  "currently_available"}} — any subset */
static void
ctl_config_set(struct emu_req *r)
{
	json_t		*j = emu_body_json(r), *t;
	const char	*dom = NULL, *name = NULL, *tok = NULL, *sec = NULL,
			*loc = NULL;
	double		 mx = -1, rate = -1, cur = -1;

	if (j == NULL || json_unpack(j, "{s?:s, s?:s, s?:s, s?:s, s?:s, "
	    "s?:o !}", "shop_domain", &dom, "shop_name", &name,
	    "access_token", &tok, "client_secret", &sec, "location_name",
	    &loc, "throttle", &t) == -1 ||
	    ((t = json_object_get(j, "throttle")) != NULL &&
	    json_unpack(t, "{s?:F, s?:F, s?:F !}", "maximum_available", &mx,
	    "restore_rate", &rate, "currently_available", &cur) == -1)) {
		emu_reply_error(r, 400, "send any of shop_domain, shop_name, "
		    "access_token, client_secret, location_name, throttle "
		    "{maximum_available, restore_rate, currently_available}");
		goto out;
	}
	if ((tok != NULL && tok[0] == '\0') || (sec != NULL && sec[0] == '\0') ||
	    (t != NULL && (mx == 0 || mx < -1 || rate < -1 || cur < -1))) {
		emu_reply_error(r, 400, "empty token/secret or bad throttle");
		goto out;
	}
	if (dom != NULL)
		(void)str_copy(S.shop_domain, sizeof(S.shop_domain), dom);
	if (name != NULL)
		(void)str_copy(S.shop_name, sizeof(S.shop_name), name);
	if (tok != NULL)
		(void)str_copy(S.token, sizeof(S.token), tok);
	if (sec != NULL)
		(void)str_copy(S.secret, sizeof(S.secret), sec);
	if (loc != NULL)
		(void)str_copy(S.location_name, sizeof(S.location_name), loc);
	bucket_refill();
	if (mx > 0)
		S.bucket_max = mx;
	if (rate >= 0)
		S.restore_rate = rate;
	if (cur >= 0)
		S.bucket = cur;
	if (S.bucket > S.bucket_max)
		S.bucket = S.bucket_max;
	emu_reply_new(r, 200, config_json(), NULL);
out:
	json_decref(j);
}

static void
load_demo(void)
{
	struct product	*p;

	p = product_add("Handmade ceramic mug", NULL, NULL);
	variant_add(p, "MUG-CERAMIC-01", NULL, "28.00", 3);
	p = product_add("Wool scarf", NULL, "Color");
	variant_add(p, "SCARF-WOOL-RED", "Red", "45.00", 5);
	variant_add(p, "SCARF-WOOL-BLUE", "Blue", "45.00", 2);
	variant_add(p, "SCARF-WOOL-GREEN", "Green", "45.00", 0);
	p = product_add("Gift set: mug and scarf", NULL, NULL);
	variant_add(p, "GIFT-SET-01", NULL, "65.00", 2);
}

static json_t *
products_json(void)
{
	json_t	*a = json_array();
	size_t	 i;

	for (i = 0; i < S.nproducts; i++)
		json_array_append_new(a, rest_product(&S.products[i]));
	return a;
}

/* POST /_sandbox/demo: the demo catalog, replacing catalog and orders
 * (config and the cost bucket stay) */
static void
ctl_demo(struct emu_req *r)
{
	shop_clear();
	load_demo();
	emu_reply_new(r, 200, json_pack("{s:s, s:o}", "shop", S.shop_name,
	    "products", products_json()), NULL);
}

static int
variant_from_json(json_t *j, struct variant **out, char *why, size_t whysz)
{
	json_int_t	 id = 0, item = 0;
	const char	*sku = NULL;

	json_unpack(j, "{s?:I, s?:I, s?:s}", "variant_id", &id,
	    "inventory_item_id", &item, "sku", &sku);
	*out = id > 0 ? variant_by_id(id) : item > 0 ? variant_by_item(item) :
	    variant_by_sku(sku);
	if (*out == NULL) {
		(void)str_fmt(why, whysz, "no such variant (give variant_id, "
		    "inventory_item_id or sku)");
		return -1;
	}
	return 0;
}

/* POST /_sandbox/products {"title","vendor"?,"option_name"?,
 *  "variants":[{"sku","title"?,"price"?,"available"?}]} */
static void
ctl_product_create(struct emu_req *r)
{
	json_t		*j = emu_body_json(r), *vs = NULL, *v;
	const char	*title = NULL, *vendor = NULL, *opt = NULL, *sku, *vt,
			*price;
	json_int_t	 avail;
	struct product	*p;
	size_t		 i;

	if (j == NULL || json_unpack(j, "{s:s, s?:s, s?:s, s:o}", "title",
	    &title, "vendor", &vendor, "option_name", &opt, "variants",
	    &vs) == -1 || !json_is_array(vs) || json_array_size(vs) == 0 ||
	    json_array_size(vs) > 100) {
		emu_reply_error(r, 400, "send title and variants[] "
		    "({sku, title, price, available})");
		goto out;
	}
	json_array_foreach(vs, i, v) {
		sku = NULL;
		if (json_unpack(v, "{s:s}", "sku", &sku) == -1 ||
		    variant_by_sku(sku) != NULL) {
			emu_reply_error(r, 409, "each variant needs a new sku");
			goto out;
		}
	}
	if ((p = product_add(title, vendor, opt != NULL ? opt :
	    json_array_size(vs) > 1 ? "Option" : NULL)) == NULL) {
		emu_reply_error(r, 409, "too many products");
		goto out;
	}
	json_array_foreach(vs, i, v) {
		sku = vt = NULL;
		price = "0.00";
		avail = 0;
		json_unpack(v, "{s:s, s?:s, s?:s, s?:I}", "sku", &sku, "title",
		    &vt, "price", &price, "available", &avail);
		if (variant_add(p, sku, vt, price, avail) == NULL)
			break;
	}
	emu_reply_new(r, 201, rest_product(p), NULL);
out:
	json_decref(j);
}

/* POST /_sandbox/products/{id}/variants {"sku","title","price",
 *  "available"}: a new variation (products/update) */
static void
ctl_variant_create(struct emu_req *r)
{
	json_t		*j = emu_body_json(r);
	const char	*sku = NULL, *vt = NULL, *price = "0.00";
	json_int_t	 avail = 0;
	int64_t		 pid;
	struct product	*p = NULL;

	if (str_to_i64(r->ids[0], 1, INT64_MAX, &pid) == 0)
		p = product_by_id(pid);
	if (p == NULL) {
		emu_reply_error(r, 404, "no such product");
		goto out;
	}
	if (j == NULL || json_unpack(j, "{s:s, s:s, s?:s, s?:I}", "sku", &sku,
	    "title", &vt, "price", &price, "available", &avail) == -1) {
		emu_reply_error(r, 400, "send sku, title, price, available");
		goto out;
	}
	if (variant_by_sku(sku) != NULL || variant_add(p, sku, vt, price,
	    avail) == NULL) {
		emu_reply_error(r, 409, "sku taken or too many variants");
		goto out;
	}
	if (strcmp(p->option_name, "Title") == 0)
		(void)str_copy(p->option_name, sizeof(p->option_name), "Option");
	fire(T_PRODUCTS_UPDATE, rest_product(p));
	emu_reply_new(r, 201, rest_product(p), NULL);
out:
	json_decref(j);
}

/* POST /_sandbox/variants/{id} {"sku"?,"title"?,"price"?}: a rename or
 * re-SKU in Shopify's admin (products/update) */
static void
ctl_variant_edit(struct emu_req *r)
{
	json_t		*j = emu_body_json(r);
	const char	*sku = NULL, *vt = NULL, *price = NULL;
	int64_t		 vid;
	struct variant	*v = NULL;
	struct product	*p;

	if (str_to_i64(r->ids[0], 1, INT64_MAX, &vid) == 0)
		v = variant_by_id(vid);
	if (v == NULL) {
		emu_reply_error(r, 404, "no such variant");
		goto out;
	}
	if (j == NULL || json_unpack(j, "{s?:s, s?:s, s?:s !}", "sku", &sku,
	    "title", &vt, "price", &price) == -1) {
		emu_reply_error(r, 400, "send sku, title or price");
		goto out;
	}
	if (sku != NULL && variant_by_sku(sku) != NULL &&
	    variant_by_sku(sku) != v) {
		emu_reply_error(r, 409, "sku taken");
		goto out;
	}
	if (sku != NULL)
		(void)str_copy(v->sku, sizeof(v->sku), sku);
	if (vt != NULL)
		(void)str_copy(v->title, sizeof(v->title), vt);
	if (price != NULL)
		(void)str_copy(v->price, sizeof(v->price), price);
	v->updated_at = emu_now();
	p = product_by_id(v->product_id);
	p->updated_at = v->updated_at;
	fire(T_PRODUCTS_UPDATE, rest_product(p));
	emu_reply_new(r, 200, rest_variant(v), NULL);
out:
	json_decref(j);
}

/* POST /_sandbox/inventory {variant_id|inventory_item_id|sku,
 *  "available":N | "delta":N}: the seller edits stock in Shopify's admin */
static void
ctl_inventory(struct emu_req *r)
{
	json_t		*j = emu_body_json(r), *a, *d;
	struct variant	*v;
	char		 why[128];
	int64_t		 before;

	if (j == NULL || variant_from_json(j, &v, why, sizeof(why)) == -1) {
		emu_reply_error(r, j == NULL ? 400 : 404, j == NULL ?
		    "send JSON" : why);
		goto out;
	}
	a = json_object_get(j, "available");
	d = json_object_get(j, "delta");
	if ((a == NULL) == (d == NULL) || (a != NULL && !json_is_integer(a)) ||
	    (d != NULL && !json_is_integer(d))) {
		emu_reply_error(r, 400, "send available or delta (an integer)");
		goto out;
	}
	before = v->available;
	v->available = a != NULL ? json_integer_value(a) :
	    v->available + json_integer_value(d);
	if (v->available != before)
		fire_level(v);
	emu_reply_new(r, 200, json_pack("{s:I, s:I, s:s, s:I, s:I, s:I}",
	    "variant_id", (json_int_t)v->id, "inventory_item_id",
	    (json_int_t)v->item_id, "sku", v->sku, "available",
	    (json_int_t)v->available, "committed", (json_int_t)v->committed,
	    "on_hand", (json_int_t)(v->available + v->committed)), NULL);
out:
	json_decref(j);
}

/* POST /_sandbox/orders {"line_items":[{variant_id|sku, quantity}],
 *  "email"?}: a buyer checks out; refused 409 when short */
static void
ctl_order_create(struct emu_req *r)
{
	json_t		*j = emu_body_json(r), *items = NULL, *it;
	struct variant	*vs[MAX_LINES];
	int64_t		 qty[MAX_LINES], want;
	const char	*email = "buyer@example.com";
	char		 why[200];
	struct order	*o = NULL, **grown;
	size_t		 i, k, n;

	if (j == NULL || json_unpack(j, "{s:o, s?:s}", "line_items", &items,
	    "email", &email) == -1 || !json_is_array(items) ||
	    (n = json_array_size(items)) == 0 || n > MAX_LINES) {
		emu_reply_error(r, 400, "send line_items[] ({variant_id or "
		    "sku, quantity}), at most 32");
		goto out;
	}
	json_array_foreach(items, i, it) {
		json_int_t q = 0;

		if (variant_from_json(it, &vs[i], why, sizeof(why)) == -1) {
			emu_reply_error(r, 404, why);
			goto out;
		}
		if (json_unpack(it, "{s:I}", "quantity", &q) == -1 || q < 1 ||
		    q > 100000) {
			emu_reply_error(r, 400, "quantity: 1..100000");
			goto out;
		}
		qty[i] = q;
	}
	/* a channel never sells what it does not show */
	for (i = 0; i < n; i++) {
		for (want = 0, k = 0; k < n; k++)
			if (vs[k] == vs[i])
				want += qty[k];
		if (want > vs[i]->available) {
			emu_reply_new(r, 409, json_pack("{s:s, s:s, s:I, s:I}",
			    "error", "Not enough stock: the variant does not "
			    "show that many", "sku", vs[i]->sku, "available",
			    (json_int_t)vs[i]->available, "requested",
			    (json_int_t)want), NULL);
			goto out;
		}
	}
	if (S.norders == S.orders_cap) {
		size_t cap = S.orders_cap == 0 ? 64 : S.orders_cap * 2;

		if ((grown = realloc(S.orders, cap * sizeof(*grown))) == NULL) {
			emu_reply_error(r, 500, "out of memory");
			goto out;
		}
		S.orders = grown;
		S.orders_cap = cap;
	}
	if ((o = calloc(1, sizeof(*o))) == NULL) {
		emu_reply_error(r, 500, "out of memory");
		goto out;
	}
	o->id = ++S.seq_order;
	o->number = ++S.order_number;
	o->created_at = o->updated_at = emu_now();
	(void)str_copy(o->email, sizeof(o->email), email);
	o->refunds = json_array();
	o->fulfillments = json_array();
	for (i = 0; i < n; i++) {
		o->lines[i].id = ++S.seq_line;
		o->lines[i].variant_id = vs[i]->id;
		o->lines[i].quantity = qty[i];
		/* a sale commits units: available → committed */
		vs[i]->available -= qty[i];
		vs[i]->committed += qty[i];
	}
	o->nlines = n;
	S.orders[S.norders++] = o;
	fire(T_ORDERS_CREATE, rest_order(o));
	for (i = 0; i < n; i++) {
		for (k = 0; k < i; k++)
			if (vs[k] == vs[i])
				break;
		if (k == i)
			fire_level(vs[i]);
	}
	emu_reply_new(r, 201, rest_order(o), NULL);
out:
	json_decref(j);
}

static struct order *
order_from_req(struct emu_req *r)
{
	int64_t	 id;

	if (str_to_i64(r->ids[0], 1, INT64_MAX, &id) == -1)
		return NULL;
	return order_by_id(id);
}

/* POST /_sandbox/orders/{id}/cancel {"restock":true,"reason":"customer"} */
static void
ctl_order_cancel(struct emu_req *r)
{
	json_t		*j = emu_body_json(r), *rlis;
	struct order	*o = order_from_req(r);
	const char	*reason = "customer";
	int		 restock = 1;
	size_t		 i;
	struct variant	*changed[MAX_LINES];
	size_t		 nchanged = 0;

	if (o == NULL) {
		emu_reply_error(r, 404, "no such order");
		goto out;
	}
	if (j != NULL && json_unpack(j, "{s?:b, s?:s}", "restock", &restock,
	    "reason", &reason) == -1) {
		emu_reply_error(r, 400, "send restock (bool) and reason");
		goto out;
	}
	if (o->cancelled_at != 0) {
		emu_reply_error(r, 409, "already cancelled");
		goto out;
	}
	rlis = json_array();
	for (i = 0; i < o->nlines; i++) {
		struct line *l = &o->lines[i];
		struct variant *v = variant_by_id(l->variant_id);
		int64_t q = l->quantity - l->fulfilled - l->removed;

		if (q <= 0 || v == NULL)
			continue;
		/* released from committed; back to available if restocked */
		v->committed -= q;
		if (restock) {
			v->available += q;
			changed[nchanged++] = v;
		}
		l->removed += q;
		json_array_append_new(rlis, json_pack("{s:I, s:I, s:I, s:s, "
		    "s:i, s:s, s:s, s:o}", "id", (json_int_t)++S.seq_rli,
		    "line_item_id", (json_int_t)l->id, "quantity",
		    (json_int_t)q, "restock_type", restock ? "cancel" :
		    "no_restock", "location_id", LOCATION_ID, "subtotal", "0.00",
		    "total_tax", "0.00", "line_item", rest_line(l)));
	}
	o->cancelled_at = o->updated_at = emu_now();
	(void)str_copy(o->cancel_reason, sizeof(o->cancel_reason), reason);
	++S.seq_refund;
	json_array_append_new(o->refunds, json_pack("{s:I, s:o, s:I, s:o, "
	    "s:o, s:s, s:b, s:o, s:[], s:[]}", "id", (json_int_t)S.seq_refund,
	    "admin_graphql_api_id", jgid("Refund", S.seq_refund), "order_id",
	    (json_int_t)o->id, "created_at", jtime(emu_now(), 0),
	    "processed_at", jtime(emu_now(), 0), "note", "cancelled",
	    "restock", restock, "refund_line_items", rlis, "transactions",
	    "order_adjustments"));
	fire(T_ORDERS_CANCELLED, rest_order(o));
	for (i = 0; i < nchanged; i++)
		fire_level(changed[i]);
	emu_reply_new(r, 200, rest_order(o), NULL);
out:
	json_decref(j);
}

static struct line *
line_from_json(struct order *o, json_t *j)
{
	json_int_t	 id = 0;
	const char	*sku = NULL;
	size_t		 i;

	json_unpack(j, "{s?:I, s?:s}", "line_item_id", &id, "sku", &sku);
	for (i = 0; i < o->nlines; i++) {
		const struct variant *v = variant_by_id(o->lines[i].variant_id);

		if ((id > 0 && o->lines[i].id == id) || (id == 0 &&
		    sku != NULL && v != NULL && strcmp(v->sku, sku) == 0))
			return &o->lines[i];
	}
	return NULL;
}

/* POST /_sandbox/orders/{id}/refunds {"refund_line_items":[{line_item_id
 *  | sku, quantity, restock_type: no_restock|cancel|return}], "note"?} */
static void
ctl_order_refund(struct emu_req *r)
{
	json_t		*j = emu_body_json(r), *items = NULL, *it, *rlis = NULL,
			*refund;
	struct order	*o = order_from_req(r);
	struct line	*ls[MAX_LINES];
	struct variant	*changed[MAX_LINES];
	const char	*types[MAX_LINES], *note = "";
	int64_t		 qty[MAX_LINES];
	size_t		 i, k, n, nchanged = 0;

	if (o == NULL) {
		emu_reply_error(r, 404, "no such order");
		goto out;
	}
	if (j == NULL || json_unpack(j, "{s:o, s?:s}", "refund_line_items",
	    &items, "note", &note) == -1 || !json_is_array(items) ||
	    (n = json_array_size(items)) == 0 || n > MAX_LINES) {
		emu_reply_error(r, 400, "send refund_line_items[] ({line_item_id"
		    " or sku, quantity, restock_type})");
		goto out;
	}
	json_array_foreach(items, i, it) {
		json_int_t q = 0;
		const char *t = NULL;
		int64_t unful, ful, used = 0;

		if ((ls[i] = line_from_json(o, it)) == NULL) {
			emu_reply_error(r, 404, "no such line item");
			goto out;
		}
		if (json_unpack(it, "{s:I, s:s}", "quantity", &q,
		    "restock_type", &t) == -1 || q < 1 ||
		    (strcmp(t, "no_restock") != 0 && strcmp(t, "cancel") != 0 &&
		    strcmp(t, "return") != 0)) {
			emu_reply_error(r, 400, "quantity >= 1 and restock_type "
			    "no_restock, cancel or return");
			goto out;
		}
		for (k = 0; k < i; k++)
			if (ls[k] == ls[i])
				used += qty[k];
		unful = ls[i]->quantity - ls[i]->fulfilled - ls[i]->removed;
		ful = ls[i]->fulfilled - ls[i]->returned;
		/* cancel: unfulfilled units; return: shipped units */
		if ((strcmp(t, "cancel") == 0 && q + used > unful) ||
		    (strcmp(t, "return") == 0 && q + used > ful) ||
		    (strcmp(t, "no_restock") == 0 && q + used > unful + ful)) {
			emu_reply_error(r, 409, "more than the line item has "
			    "left to refund that way");
			goto out;
		}
		qty[i] = q;
		types[i] = t;
	}
	rlis = json_array();
	for (i = 0; i < n; i++) {
		struct line *l = ls[i];
		struct variant *v = variant_by_id(l->variant_id);
		int64_t unful = l->quantity - l->fulfilled - l->removed, take;

		if (strcmp(types[i], "cancel") == 0) {
			v->committed -= qty[i];
			v->available += qty[i];
			l->removed += qty[i];
			changed[nchanged++] = v;
		} else if (strcmp(types[i], "return") == 0) {
			v->available += qty[i];	/* back on the shelf */
			l->returned += qty[i];
			changed[nchanged++] = v;
		} else {
			/* no restock: unfulfilled units leave committed and
			 * on_hand; shipped ones change nothing */
			take = qty[i] < unful ? qty[i] : unful;
			v->committed -= take;
			l->removed += take;
			l->returned += qty[i] - take;
		}
		json_array_append_new(rlis, json_pack("{s:I, s:I, s:I, s:s, "
		    "s:i, s:o, s:s, s:o}", "id", (json_int_t)++S.seq_rli,
		    "line_item_id", (json_int_t)l->id, "quantity",
		    (json_int_t)qty[i], "restock_type", types[i], "location_id",
		    LOCATION_ID, "subtotal", jmoney(cents(v->price) * qty[i]),
		    "total_tax", "0.00", "line_item", rest_line(l)));
	}
	o->updated_at = emu_now();
	++S.seq_refund;
	refund = json_pack("{s:I, s:o, s:I, s:o, s:o, s:s, s:b, s:o, s:[], "
	    "s:[]}", "id", (json_int_t)S.seq_refund, "admin_graphql_api_id",
	    jgid("Refund", S.seq_refund), "order_id", (json_int_t)o->id,
	    "created_at", jtime(emu_now(), 0), "processed_at",
	    jtime(emu_now(), 0), "note", note, "restock", nchanged > 0,
	    "refund_line_items", rlis, "transactions", "order_adjustments");
	rlis = NULL;
	json_array_append(o->refunds, refund);
	fire(T_REFUNDS_CREATE, json_incref(refund));
	for (i = 0; i < nchanged; i++) {
		for (k = 0; k < i; k++)
			if (changed[k] == changed[i])
				break;
		if (k == i)
			fire_level(changed[i]);
	}
	emu_reply_new(r, 201, refund, NULL);
out:
	json_decref(rlis);
	json_decref(j);
}

/* POST /_sandbox/orders/{id}/fulfillments {"line_items":[{line_item_id |
 *  sku, quantity}]?}: ship (everything unfulfilled when none given) */
static void
ctl_order_fulfill(struct emu_req *r)
{
	json_t		*j = emu_body_json(r), *items = NULL, *it, *lines, *f;
	struct order	*o = order_from_req(r);
	struct line	*l;
	int64_t		 q[MAX_LINES];
	size_t		 i;
	char		 name[48];

	if (o == NULL) {
		emu_reply_error(r, 404, "no such order");
		goto out;
	}
	if (o->cancelled_at != 0) {
		emu_reply_error(r, 409, "the order is cancelled");
		goto out;
	}
	for (i = 0; i < o->nlines; i++)
		q[i] = 0;
	items = j != NULL ? json_object_get(j, "line_items") : NULL;
	if (items == NULL)
		for (i = 0; i < o->nlines; i++)
			q[i] = o->lines[i].quantity - o->lines[i].fulfilled -
			    o->lines[i].removed;
	json_array_foreach(items, i, it) {
		json_int_t n = 0;

		if ((l = line_from_json(o, it)) == NULL ||
		    json_unpack(it, "{s:I}", "quantity", &n) == -1 || n < 1) {
			emu_reply_error(r, 400, "line_items[]: {line_item_id or "
			    "sku, quantity}");
			goto out;
		}
		q[l - o->lines] += n;
	}
	lines = json_array();
	for (i = 0; i < o->nlines; i++) {
		l = &o->lines[i];
		if (q[i] > l->quantity - l->fulfilled - l->removed) {
			json_decref(lines);
			emu_reply_error(r, 409, "more than is left to fulfil");
			goto out;
		}
	}
	for (i = 0; i < o->nlines; i++) {
		struct variant *v;

		l = &o->lines[i];
		if (q[i] == 0)
			continue;
		/* shipped: out of committed, so out of on_hand */
		if ((v = variant_by_id(l->variant_id)) != NULL)
			v->committed -= q[i];
		l->fulfilled += q[i];
		it = rest_line(l);
		json_object_set_new(it, "quantity", json_integer(q[i]));
		json_array_append_new(lines, it);
	}
	if (json_array_size(lines) == 0) {
		json_decref(lines);
		emu_reply_error(r, 409, "nothing left to fulfil");
		goto out;
	}
	(void)str_fmt(name, sizeof(name), "#%lld.%zu", (long long)o->number,
	    json_array_size(o->fulfillments) + 1);
	++S.seq_fulfillment;
	f = json_pack("{s:I, s:o, s:I, s:s, s:s, s:o, s:o, s:s, s:n, s:n, "
	    "s:i, s:o}", "id", (json_int_t)S.seq_fulfillment,
	    "admin_graphql_api_id", jgid("Fulfillment", S.seq_fulfillment),
	    "order_id", (json_int_t)o->id, "name", name, "status", "success",
	    "created_at", jtime(emu_now(), 0), "updated_at",
	    jtime(emu_now(), 0), "service", "manual", "tracking_company",
	    "shipment_status", "location_id", LOCATION_ID, "line_items",
	    lines);
	o->updated_at = emu_now();
	json_array_append(o->fulfillments, f);
	fire(T_FULFILLMENTS_CREATE, json_incref(f));
	emu_reply_new(r, 201, f, NULL);
out:
	json_decref(j);
}

static json_t *
orders_json(void)
{
	json_t	*a = json_array();
	size_t	 i;

	for (i = 0; i < S.norders; i++)
		json_array_append_new(a, rest_order(S.orders[i]));
	return a;
}

static void
ctl_orders(struct emu_req *r)
{
	emu_reply_new(r, 200, json_pack("{s:o}", "orders", orders_json()),
	    NULL);
}

static void
ctl_state(struct emu_req *r)
{
	json_t	*levels = json_array(), *subs = json_array();
	size_t	 i;

	for (i = 0; i < S.nvariants; i++) {
		const struct variant *v = &S.variants[i];

		json_array_append_new(levels, json_pack("{s:I, s:I, s:s, s:i, "
		    "s:I, s:I, s:I, s:o}", "variant_id", (json_int_t)v->id,
		    "inventory_item_id", (json_int_t)v->item_id, "sku", v->sku,
		    "location_id", LOCATION_ID, "available",
		    (json_int_t)v->available, "committed",
		    (json_int_t)v->committed, "on_hand",
		    (json_int_t)(v->available + v->committed), "updated_at",
		    jtime(v->level_updated_at, 0)));
	}
	for (i = 0; i < S.nsubs; i++)
		json_array_append_new(subs, json_pack("{s:I, s:o, s:s, s:s, "
		    "s:s}", "id", (json_int_t)S.subs[i].id, "admin_graphql_api_id",
		    jgid("WebhookSubscription", S.subs[i].id), "topic",
		    topic_enum[S.subs[i].topic], "rest_topic",
		    topic_name[S.subs[i].topic], "uri", S.subs[i].uri));
	emu_reply_new(r, 200, json_pack("{s:o, s:o, s:o, s:o, s:o, s:O, s:I}",
	    "config", config_json(), "products", products_json(), "levels",
	    levels, "orders", orders_json(), "subscriptions", subs,
	    "idempotency_keys", S.idem, "events_fired",
	    (json_int_t)S.seq_event), NULL);
}

static void
ctl_events(struct emu_req *r)
{
	emu_reply_new(r, 200, json_pack("{s:O}", "events", S.events), NULL);
}

static const struct emu_route routes[] = {
	{ "POST", "/admin/api/{}/graphql.json",	api_graphql,		1 },
	{ "GET",  "/_sandbox/config",		ctl_config_get,		0 },
	{ "POST", "/_sandbox/config",		ctl_config_set,		0 },
	{ "POST", "/_sandbox/demo",		ctl_demo,		0 },
	{ "POST", "/_sandbox/products",		ctl_product_create,	0 },
	{ "POST", "/_sandbox/products/{}/variants", ctl_variant_create,	0 },
	{ "POST", "/_sandbox/variants/{}",	ctl_variant_edit,	0 },
	{ "POST", "/_sandbox/inventory",	ctl_inventory,		0 },
	{ "GET",  "/_sandbox/orders",		ctl_orders,		0 },
	{ "POST", "/_sandbox/orders",		ctl_order_create,	0 },
	{ "POST", "/_sandbox/orders/{}/cancel",	ctl_order_cancel,	0 },
	{ "POST", "/_sandbox/orders/{}/refunds", ctl_order_refund,	0 },
	{ "POST", "/_sandbox/orders/{}/fulfillments", ctl_order_fulfill, 0 },
	{ "GET",  "/_sandbox/state",		ctl_state,		0 },
	{ "GET",  "/_sandbox/events",		ctl_events,		0 },
	{ NULL, NULL, NULL, 0 }
};

static const struct emu_channel channel = {
	"shopify", routes, shopify_reset, NULL
};

int
main(void)
{
	int	 rc = emu_main(&channel);

	orders_free();
	json_decref(S.idem);
	json_decref(S.events);
	return rc;
}
