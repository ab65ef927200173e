/*
 * sbx: shared helpers for the end-to-end tests that drive the sandbox
 * marketplaces (sandbox/etsy.c, sandbox/shopify.c) through their control
 * APIs, and connect hub accounts to them in the database the hub's
 * programs use. Test code only: a failed call fails the running cmocka
 * test (fail_msg), so callers need not check.
 *
 * Ownership: functions returning json_t * hand over a new reference (the
 * caller json_decref()s it); everything else borrows its arguments.
 */
#ifndef STOCKHUB_TEST_SBX_H
#define STOCKHUB_TEST_SBX_H

#include <stdint.h>

#include <jansson.h>

#include "config.h"
#include "db.h"

#define SBX_ETSY	"SANDBOX_ETSY_URL"
#define SBX_SHOPIFY	"SANDBOX_SHOPIFY_URL"
/* the Shopify sandbox's default Admin API token */
#define SBX_SHOPIFY_TOKEN "shpat_sandbox_token"

/*
 * One call to a sandbox (env names its base URL) with a JSON body (may be
 * NULL). *status gets the HTTP status; the answer's JSON (or NULL) is
 * returned. Fails the test when no answer came.
 */
json_t	*sbx_call(const char *env, const char *method, const char *path,
	    const char *body, long *status);

/* The same, failing the test unless the status is 2xx. */
json_t	*sbx_ok(const char *env, const char *method, const char *path,
	    const char *body);

/* The first integer (or decimal string) under key in v, depth first;
 * 0 when there is none. */
int64_t	sbx_find_int(const json_t *v, const char *key);

/* How many logged API calls with this method and exact path the sandbox
 * has served (GET /_sandbox/requests). */
int64_t	sbx_requests(const char *env, const char *method, const char *path);

/* The same per route pattern ("POST /admin/api/{}/graphql.json"). */
int64_t	sbx_route_count(const char *env, const char *method_route);

/* --- Etsy --------------------------------------------------------------- */

/*
 * A seller shop in the Etsy sandbox (shop_id and user_id chosen by the
 * caller, so they are unique across sandbox resets), connected as a hub
 * account named name through the sandbox's OAuth code + PKCE flow. Sets
 * the sandbox's API key (and a generous rate limit). *acct_id gets the
 * hub account.
 */
void	sbx_etsy_connect(struct db *db, const struct config *cfg,
	    const char *name, int64_t shop_id, int64_t user_id,
	    int64_t *acct_id);

/* A reconnect: the code + PKCE flow again for user_id (auto-approved);
 * the token answer (access_token, refresh_token, expires_in). */
json_t	*sbx_etsy_tokens(int64_t user_id);

/* A single-product listing (no variations) in that shop; its id. */
int64_t	sbx_etsy_listing(int64_t shop_id, const char *title, const char *sku,
	    int64_t qty);

/* What a buyer sees of the product with that SKU: its quantity when the
 * listing is active and the offering enabled, else 0; -1 when absent. */
int64_t	sbx_etsy_shown(int64_t listing_id, const char *sku);

/* A buyer's order of qty units; the HTTP status (201, or 409 when Etsy
 * does not show that many). */
long	sbx_etsy_order(int64_t listing_id, const char *sku, int64_t qty);

/* --- Shopify ------------------------------------------------------------ */

/*
 * Reset the Shopify sandbox to a shop of domain with that webhook secret
 * (and a cost bucket big enough for bursts), create the hub account for it
 * and subscribe hook_url to every topic the hub takes. *acct_id gets the
 * hub account.
 */
void	sbx_shopify_shop(struct db *db, const struct config *cfg,
	    const char *domain, const char *secret, const char *hook_url,
	    int64_t *acct_id);

/* A product with one variant of that SKU; its variant and inventory item
 * ids. */
void	sbx_shopify_variant(const char *sku, int64_t available,
	    int64_t *variant_id, int64_t *item_id);

/* The available quantity of the variant with that SKU; -999 if none. */
int64_t	sbx_shopify_shown(const char *sku);

/* A customer's order of qty units; the order id. */
int64_t	sbx_shopify_order(const char *sku, int64_t qty);

/*
 * Map sku to a new variant in the Shopify sandbox showing shows, as
 * listing of account acct, and queue its first push. Returns the hub's
 * listing id; *item_id (may be NULL) gets the Shopify inventory item.
 */
int64_t	sbx_map_shopify(struct db *db, int64_t acct, const char *sku,
	    int64_t shows, int64_t *item_id);

/*
 * Map sku to a new listing of Etsy sandbox shop shop_id showing shows, as
 * listing of account acct, and queue its first push. Returns the hub's
 * listing id; *etsy_listing gets Etsy's listing id.
 */
int64_t	sbx_map_etsy(struct db *db, int64_t acct, int64_t shop_id,
	    const char *sku, int64_t shows, int64_t *etsy_listing);

#endif
