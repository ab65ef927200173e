/*
 * connect: what the operator does once per shop — add a channel account,
 * map SKUs to the places they are sold, and subscribe the hub to a shop's
 * webhooks. Used by the command line (and later the admin pages).
 */
#ifndef STOCKHUB_CONNECT_H
#define STOCKHUB_CONNECT_H

#include <stdint.h>

#include <jansson.h>

#include "alloc.h"
#include "channel.h"
#include "config.h"
#include "db.h"
#include "err.h"

/* Find an account by its name; ERR_NOTFOUND when there is none. */
int	connect_account_by_name(struct db *db, const struct config *cfg,
	    const char *name, struct channel_account *a, struct err *e);

/*
 * Map sku to the Shopify variant whose SKU is exactly sku on the
 * account's shop (found through the Admin API) at location_id, and queue
 * its first push. ERR_NOTFOUND when no variant has that exact SKU,
 * ERR_CONFLICT when several do. *listing_id may be NULL.
 */
int	connect_shopify_map(struct db *db, const struct channel_account *a,
	    const char *sku, const char *location_id, int64_t *listing_id,
	    struct err *e);

/*
 * Map every SKU of the hub not yet mapped on account a to the one place
 * of its shop (a Shopify variant at the account's location, an Etsy
 * listing's variation) whose SKU is exactly that SKU, and queue each new
 * listing's first push. Reads the shop's catalog once (channel_ops.
 * catalog, 100 a call) and matches locally, so a 5,000-SKU hub costs 50
 * calls, not 5,000. *mapped counts the new maps, *left the SKUs found
 * but not mapped: carried by several places, or on an Etsy listing whose
 * variations share one quantity (left for the person). ERR_INVALID for
 * a channel without a catalog; -1 with e set when the catalog could not
 * be read to the end (ERR_RETRY: the shop asked to slow down), nothing
 * mapped then.
 */
int	connect_map_all(struct db *db, const struct config *cfg,
	    struct channel_account *a, int *mapped, int *left,
	    struct err *e);

/*
 * Subscribe <public_base_url>/hooks/shopify to every topic the hub
 * reads. A topic subscribed already is not an error. *n counts the new
 * subscriptions (may be NULL).
 */
int	connect_shopify_subscribe(const struct config *cfg,
	    const struct channel_account *a, int *n, struct err *e);

#endif
