/*
 * shopify: the Shopify adapter. Stock goes out through the GraphQL Admin
 * API (version 2026-04 by default) and sales come in as webhooks whose
 * bodies have the REST resource shapes. Written from ../shared/reference/
 * channel-apis.md sections 2 and 6 and the schema excerpt in ../shared/
 * specs/shopify/, independently of the sandbox emulator.
 *
 * Three layers:
 *  1. Request builders (pure): GraphQL request bodies, always with the
 *     values in "variables", never pasted into the query text.
 *  2. Parsers (pure): the GraphQL answer envelope (errors, THROTTLED,
 *     extensions.cost), the data of each of our queries, and the webhook
 *     payloads. Input is refused with ERR_INVALID and a message naming the
 *     field ("line_items[1].quantity: ...") when it is not what the
 *     documentation says: duplicate keys, wrong types, out-of-range
 *     numbers, missing required fields.
 *  3. I/O through lib/httpc: shopify_ops.push (see channel.h), and the
 *     helpers for onboarding (find a variant by SKU, subscribe webhooks).
 *
 * Credentials (channel_account.creds): {"access_token": "shpat_...",
 * "api_version": "2026-04"} (api_version optional). The token is sent in
 * X-Shopify-Access-Token and never appears in a log line, a struct err or
 * a channel_result detail.
 *
 * Listing mapping (channel_listing): ext_listing = variant id,
 * ext_variant = inventory item id, ext_location = location id, all as
 * decimal strings of the numeric (REST) ids.
 *
 * Ownership: builders hand back a malloc'd NUL-terminated string the
 * caller frees with free(). Parsed structs own what they point to and are
 * released with their *_free() function (NULL-safe, and safe on a struct
 * a parser failed to fill, because parsers zero it first). Arguments are
 * borrowed and never retained.
 */
#ifndef STOCKHUB_SHOPIFY_H
#define STOCKHUB_SHOPIFY_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "channel.h"
#include "err.h"

#define SHOPIFY_API_VERSION	"2026-04"
#define SHOPIFY_SKU_MAX		256	/* sku fields, with the NUL */
#define SHOPIFY_TEXT_MAX	256	/* titles (truncated on UTF-8 bounds) */
#define SHOPIFY_TS_MAX		40	/* ISO 8601 timestamps, with the NUL */
#define SHOPIFY_GID_MAX		128
#define SHOPIFY_LIST_MAX	5000	/* line items, variants per payload */
#define SHOPIFY_PAYLOAD_MAX	(4 * 1024 * 1024)
#define SHOPIFY_QTY_MAX		INT64_C(1000000000)	/* Shopify's cap */
#define SHOPIFY_TIMEOUT_MS	8000L	/* per HTTP call */
#define SHOPIFY_FIND_MAX	10	/* productVariants(first: 10) */

/* The adapter; channel.c's registry points at it. */
extern const struct channel_ops shopify_ops;

/* ---- webhook topics ---------------------------------------------------- */

enum shopify_topic {
	SHOPIFY_TOPIC_ORDERS_CREATE = 0,
	SHOPIFY_TOPIC_ORDERS_CANCELLED,
	SHOPIFY_TOPIC_REFUNDS_CREATE,
	SHOPIFY_TOPIC_INVENTORY_LEVELS_UPDATE,
	SHOPIFY_TOPIC_PRODUCTS_UPDATE,
	SHOPIFY_TOPIC_FULFILLMENTS_CREATE,
	SHOPIFY_TOPIC__MAX
};

/* "ORDERS_CREATE" (the GraphQL WebhookSubscriptionTopic), or NULL. */
const char *shopify_topic_enum(enum shopify_topic t);

/* "orders/create" (the X-Shopify-Topic header), or NULL. */
const char *shopify_topic_header(enum shopify_topic t);

/* X-Shopify-Topic value -> topic; 0, or -1 for a topic we do not take. */
int	shopify_topic_parse(const char *header, enum shopify_topic *out);

/* ---- ids --------------------------------------------------------------- */

/*
 * "gid://shopify/<type>/<id>" into out. id must be a positive decimal
 * (the REST id as a string). ERR_INVALID otherwise or when out is small.
 */
int	shopify_gid(char *out, size_t outsz, const char *type, const char *id,
	    struct err *e);

/*
 * The numeric id of a GID of the given type ("gid://shopify/InventoryItem/
 * 123" -> 123). A query string after the id ("?...") is not accepted.
 * Returns 0, or -1 when gid is not of that form.
 */
int	shopify_gid_parse(const char *gid, const char *type, int64_t *out);

/* ---- request builders (pure) ------------------------------------------ */

/*
 * The search term for an exact SKU: sku:"<sku>" with '"' and '\' escaped
 * by a backslash (Shopify search syntax). ERR_INVALID for an empty SKU, a
 * SKU with control characters, or when out is too small.
 */
int	shopify_sku_query(const char *sku, char *out, size_t outsz,
	    struct err *e);

/*
 * productVariants(first: 10, query: $q) { nodes { id sku inventoryItem
 * { id } } } with $q from shopify_sku_query(). *out is malloc'd.
 */
int	shopify_build_find_variants(const char *sku, char **out,
	    struct err *e);

/*
 * inventoryItem(id: $item) { inventoryLevel(locationId: $location) {
 * quantities(names: ["available"]) { name quantity } } }. The ids are the
 * numeric ids as decimal strings.
 */
int	shopify_build_read_level(const char *item_id, const char *location_id,
	    char **out, struct err *e);

/*
 * inventorySetQuantities(input: $input) @idempotent(key: $key) with
 * input = {name: "available", reason: "correction", referenceDocumentUri:
 * "gid://stockhub/Push/<key>", quantities: [{inventoryItemId, locationId,
 * quantity, changeFromQuantity}]}. The directive goes on the mutation
 * field (it is declared "on FIELD"). quantity and change_from must be in
 * [0, SHOPIFY_QTY_MAX] and [-SHOPIFY_QTY_MAX, SHOPIFY_QTY_MAX]; key must
 * not be empty or blank and is at most 255 bytes.
 */
int	shopify_build_set(const char *item_id, const char *location_id,
	    int64_t quantity, int64_t change_from, const char *key,
	    char **out, struct err *e);

/*
 * webhookSubscriptionCreate(topic: $topic, webhookSubscription: {uri:
 * $uri, format: JSON}). uri must be an https:// or http:// URL.
 */
int	shopify_build_webhook_create(enum shopify_topic t, const char *uri,
	    char **out, struct err *e);

/* ---- GraphQL answers (pure) ------------------------------------------- */

struct shopify_gql {
	json_t	*root;			/* owned */
	json_t	*data;			/* borrowed from root; NULL if absent
					 * or null */
	int	 nerrors;		/* entries of top-level "errors" */
	int	 throttled;		/* an error with code THROTTLED */
	char	 error_code[64];	/* the first error's extensions.code */
	char	 error_msg[256];	/* the first error's message */
	int	 has_cost;		/* extensions.cost.throttleStatus read */
	double	 requested_cost;	/* extensions.cost.requestedQueryCost */
	double	 maximum_available;
	double	 currently_available;
	double	 restore_rate;		/* points per second */
};

/*
 * Parse a GraphQL answer body into g (zeroed first). ERR_INVALID when it
 * is not JSON or not an object, or a known member has the wrong type.
 * A body with "errors" parses fine: look at g->nerrors and g->throttled.
 */
int	shopify_gql_parse(const char *body, size_t len, struct shopify_gql *g,
	    struct err *e);

/*
 * Seconds to wait before a retry, from throttleStatus: enough for the
 * bucket to hold the requested cost again (at least 1 when throttled,
 * at most 60). 0 when not throttled and the bucket is not short; 1 when
 * throttled without cost information.
 */
int64_t	shopify_throttle_wait_s(const struct shopify_gql *g);

/* NULL-safe. */
void	shopify_gql_free(struct shopify_gql *g);

struct shopify_variant {
	int64_t	 variant_id;
	int64_t	 inventory_item_id;
	char	 sku[SHOPIFY_SKU_MAX];
};

/*
 * The variants of a find-variants answer whose sku is exactly sku (case
 * and all); the search itself is fuzzy. Up to max into v, *n set. Other
 * variants are skipped; a malformed node is ERR_INVALID.
 */
int	shopify_parse_variants(const struct shopify_gql *g, const char *sku,
	    struct shopify_variant *v, size_t max, size_t *n, struct err *e);

/*
 * The "available" quantity of a read-level answer. ERR_NOTFOUND when the
 * inventory item does not exist or is not stocked at the location (the
 * message says which), ERR_INVALID when the answer is malformed or has no
 * "available" quantity.
 */
int	shopify_parse_level(const struct shopify_gql *g, int64_t *available,
	    struct err *e);

enum shopify_set_status {
	SHOPIFY_SET_OK = 0,	/* an adjustment group, no userErrors */
	SHOPIFY_SET_STALE,	/* CHANGE_FROM_QUANTITY_STALE (or the
				 * pre-2026 COMPARE_QUANTITY_STALE) */
	SHOPIFY_SET_KEY_REUSED,	/* IDEMPOTENCY_KEY_PARAMETER_MISMATCH or
				 * IDEMPOTENCY_PREVIOUS_ATTEMPT_FAILED:
				 * needs another key */
	SHOPIFY_SET_BUSY,	/* IDEMPOTENCY_CONCURRENT_REQUEST */
	SHOPIFY_SET_FAILED	/* any other userError */
};

struct shopify_set_result {
	enum shopify_set_status	 status;
	char			 code[64];	/* the userError's code */
	char			 message[256];	/* and its message */
	char			 group_id[SHOPIFY_GID_MAX];
};

/*
 * Classify an inventorySetQuantities answer (its "errors" must have been
 * handled first). ERR_INVALID when the payload is malformed.
 */
int	shopify_parse_set(const struct shopify_gql *g,
	    struct shopify_set_result *r, struct err *e);

/*
 * The subscription id (a GID) of a webhookSubscriptionCreate answer into
 * id. ERR_CONFLICT with the first userError's message when there are
 * userErrors, ERR_INVALID when malformed.
 */
int	shopify_parse_webhook_create(const struct shopify_gql *g, char *id,
	    size_t idsz, struct err *e);

/* ---- webhook payloads (pure) ------------------------------------------ */

struct shopify_line_item {
	int64_t	 id;
	int64_t	 variant_id;		/* 0 when null (custom item) */
	int64_t	 product_id;		/* 0 when null */
	int64_t	 quantity;
	char	 sku[SHOPIFY_SKU_MAX];	/* "" when null */
	char	 title[SHOPIFY_TEXT_MAX];
	char	 variant_title[SHOPIFY_TEXT_MAX];
};

/* orders/create and orders/cancelled (and an orders-since page). */
struct shopify_order {
	int64_t			 id;
	int			 lines_cut;	/* orders-since: the order has
						 * more lines than the page */
	char			 updated_at[SHOPIFY_TS_MAX];
	char			 cancelled_at[SHOPIFY_TS_MAX]; /* "" if null */
	struct shopify_line_item *items;			/* owned */
	size_t			 nitems;
};

int	shopify_parse_order(const char *body, size_t len,
	    struct shopify_order *o, struct err *e);
void	shopify_order_free(struct shopify_order *o);

/*
 * fulfillments/create: the units of each line that left the building.
 * status is Shopify's ("success", "cancelled", "error", ...); only a
 * successful fulfillment ships anything. items[].quantity is the
 * quantity fulfilled.
 */
struct shopify_fulfillment {
	int64_t			 id;
	int64_t			 order_id;
	char			 status[32];
	struct shopify_line_item *items;			/* owned */
	size_t			 nitems;
};

int	shopify_parse_fulfillment(const char *body, size_t len,
	    struct shopify_fulfillment *f, struct err *e);
void	shopify_fulfillment_free(struct shopify_fulfillment *f);

enum shopify_restock {
	SHOPIFY_RESTOCK_NO = 0,		/* no_restock: nothing comes back */
	SHOPIFY_RESTOCK_CANCEL,		/* cancel: unfulfilled units back */
	SHOPIFY_RESTOCK_RETURN,		/* return: fulfilled units back */
	SHOPIFY_RESTOCK_LEGACY		/* legacy_restock (deprecated) */
};

struct shopify_refund_line {
	int64_t			 id;
	int64_t			 line_item_id;
	int64_t			 quantity;
	enum shopify_restock	 restock;
	int64_t			 location_id;	/* 0 when null */
	int64_t			 variant_id;	/* line_item.variant_id, 0 if
						 * null or absent */
	char			 sku[SHOPIFY_SKU_MAX];	/* line_item.sku */
};

/* refunds/create. location_id is required for cancel and return. */
struct shopify_refund {
	int64_t			 id;
	int64_t			 order_id;
	char			 created_at[SHOPIFY_TS_MAX];
	struct shopify_refund_line *lines;		/* owned */
	size_t			 nlines;
};

int	shopify_parse_refund(const char *body, size_t len,
	    struct shopify_refund *r, struct err *e);
void	shopify_refund_free(struct shopify_refund *r);

/* "no_restock" ... or NULL. */
const char *shopify_restock_name(enum shopify_restock k);

/* inventory_levels/update. available may be null (untracked). */
struct shopify_level_update {
	int64_t	 inventory_item_id;
	int64_t	 location_id;
	int	 has_available;
	int64_t	 available;		/* may be negative (oversold) */
	char	 updated_at[SHOPIFY_TS_MAX];
};

int	shopify_parse_level_update(const char *body, size_t len,
	    struct shopify_level_update *u, struct err *e);

struct shopify_product_variant {
	int64_t	 id;
	int64_t	 inventory_item_id;	/* 0 when null */
	char	 sku[SHOPIFY_SKU_MAX];	/* "" when null */
	char	 title[SHOPIFY_TEXT_MAX];
};

/* products/update. */
struct shopify_product {
	int64_t				 id;
	char				 title[SHOPIFY_TEXT_MAX];
	char				 updated_at[SHOPIFY_TS_MAX];
	struct shopify_product_variant	*variants;	/* owned */
	size_t				 nvariants;
};

int	shopify_parse_product(const char *body, size_t len,
	    struct shopify_product *p, struct err *e);
void	shopify_product_free(struct shopify_product *p);

/* ---- I/O --------------------------------------------------------------- */

/*
 * Find the variants whose SKU is exactly sku on the account's shop (up to
 * max, *n set; 0 found is not an error). Errors: ERR_RETRY (throttled,
 * 429, 5xx, no answer), ERR_AUTH (401/403), ERR_INVALID (bad credentials
 * JSON, bad answer), ERR_SYS.
 */
int	shopify_find_variants(const struct channel_account *a,
	    const char *sku, struct shopify_variant *v, size_t max,
	    size_t *n, struct err *e);

/*
 * Subscribe uri to one topic; id (a GID, may be NULL) gets the
 * subscription. Errors as shopify_find_variants, plus ERR_CONFLICT with
 * Shopify's message for a userError (e.g. already subscribed).
 */
int	shopify_webhook_subscribe(const struct channel_account *a,
	    enum shopify_topic t, const char *uri, char *id, size_t idsz,
	    struct err *e);

/* variants the mapping audit lists from one shop at most */
#define SHOPIFY_CATALOG_MAX	200000

/* The body of one page of the catalog (every product variant, 100 a
 * page) after cursor (NULL: the first page). *out is malloc'd. */
int	shopify_build_catalog(const char *after, char **out, struct err *e);

/*
 * One catalog page into pl (at most max): variant id as ext_listing,
 * inventory item id as ext_variant, location as ext_location, sku and
 * title as shown; *more and cursor say whether and where to go on.
 * Pure.
 */
int	shopify_parse_catalog(const struct shopify_gql *g, const char *location,
	    struct channel_place *pl, size_t max, size_t *n, char *cursor,
	    size_t cursorsz, int *more, struct err *e);

/* ---- orders updated since (reconciliation's sweep) -------------------- */

#define SHOPIFY_ORDERS_PAGE	5	/* orders(first: 5) */
#define SHOPIFY_ORDER_LINES	25	/* lineItems(first: 25): 5 orders a page
					 * cost 391 points of a 1000 bucket */
#define SHOPIFY_SWEEP_WAIT_MAX	10	/* seconds the sweep (and the
					 * catalog, channel_ops.catalog) wait
					 * for a THROTTLED cost bucket, up to
					 * three times, before giving up */

/*
 * The search term for orders updated after an instant:
 * updated_at:>'<since>', since an ISO 8601 UTC timestamp
 * ("2026-11-28T14:00:00Z": digits, '-', ':', 'T', 'Z', '.', '+').
 * ERR_INVALID otherwise or when out is small. Pure.
 */
int	shopify_orders_query(const char *since, char *out, size_t outsz,
	    struct err *e);

/*
 * orders(first: 5, after: $after, query: $q, sortKey: UPDATED_AT) {
 * nodes { id name createdAt updatedAt cancelledAt lineItems(first: 25) {
 * nodes { id sku quantity variant { id } } pageInfo { hasNextPage } } }
 * pageInfo { hasNextPage endCursor } }, $q from shopify_orders_query()
 * and after a cursor (NULL: the first page). *out is malloc'd. Pure.
 */
int	shopify_build_orders_since(const char *since, const char *after,
	    char **out, struct err *e);

/*
 * One page of that answer into o (at most max, zeroed first; each freed
 * with shopify_order_free() by the caller, also on failure): numeric
 * ids, updated_at, cancelled_at ("" when null), the lines (variant_id 0
 * for a line without a variant, sku "" when null); lines_cut when the
 * order has more lines than the page holds. *more and cursor say whether
 * and where to go on. ERR_INVALID naming the field for a malformed
 * node. Pure.
 */
int	shopify_parse_orders(const struct shopify_gql *g,
	    struct shopify_order *o, size_t max, size_t *n, char *cursor,
	    size_t cursorsz, int *more, struct err *e);

/* Called for each order of the window, oldest update first; -1 stops. */
typedef int (*shopify_order_fn)(void *arg, const struct shopify_order *o,
    struct err *e);

/*
 * Every order of the account's shop updated after since, page by page,
 * each handed to fn. Cost-aware: after a page whose answer shows the
 * bucket short, and on THROTTLED, it waits what the bucket needs (at most
 * SHOPIFY_SWEEP_WAIT_MAX seconds a time, and never past deadline_ms, epoch
 * ms, when it is not 0; then ERR_RETRY). *calls gets the API calls made.
 * Errors as shopify_find_variants, or fn's.
 */
int	shopify_orders_since(const struct channel_account *a,
	    const char *since, int64_t deadline_ms, shopify_order_fn fn,
	    void *arg, int *calls, struct err *e);

#endif
