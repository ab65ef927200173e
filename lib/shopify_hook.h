/*
 * shopify_hook: Shopify's webhooks in (POST /hooks/shopify).
 *
 * The receiver finds the account by X-Shopify-Shop-Domain, checks
 * X-Shopify-Hmac-Sha256 over the raw body in constant time before
 * anything is parsed (401 and one log line otherwise; nothing stored),
 * stores the delivery in the inbox deduplicated on X-Shopify-Event-Id,
 * applies it to the ledger in one transaction, answers 200, finishes the
 * FastCGI request and only then pushes the new quantities to the other
 * channels, so Shopify never waits on them.
 *
 * Applying, per topic:
 *   orders/create      commit each mapped line (an unmapped line is an
 *                      unmapped_sale alert with all it takes to fix it)
 *   orders/cancelled   release what each line still has committed
 *   fulfillments/create  ship what was fulfilled
 *   refunds/create     restock_type cancel: release; return: restock
 *                      (shipping first what the hub never saw ship);
 *                      no_restock: nothing
 *   inventory_levels/update  the echo of the hub's own write is ignored;
 *                      otherwise a manual edit: policy "restore" pushes
 *                      the hub's figure back; policy "accept" applies it
 *                      as an adjustment once the orders of that minute
 *                      are in (the tick applies it after a delay)
 *   products/update    variants the map lacks, or whose SKU changed,
 *                      become mapping alerts
 */
#ifndef STOCKHUB_SHOPIFY_HOOK_H
#define STOCKHUB_SHOPIFY_HOOK_H

#include <stdint.h>

#include "app.h"
#include "channel.h"
#include "config.h"
#include "db.h"
#include "err.h"
#include "http.h"

/* How long a manual-edit level update waits for the orders of its
 * moment before it is read as an adjustment (policy accept). */
#define SHOPIFY_HOOK_SETTLE_S	60

/* The route handler. */
void	shopify_hook_receive(struct app *a, struct http_req *r);

/*
 * Apply one stored delivery (inbox row id) in its own transaction. A row
 * that is not 'new' any more is left alone. *deferred is set when the
 * row must wait (policy accept, too recent) and was left 'new'.
 */
int	shopify_hook_apply(struct db *db, const struct config *cfg,
	    int64_t inbox_id, int settle_now, int *deferred, struct err *e);

struct shopify_order;

/*
 * The order lines of o (an orders/create or orders/cancelled webhook, or
 * an order reconciliation's sweep found) into the ledger, inside the
 * caller's transaction: each mapped line committed (unless cancel and
 * the order is not cancelled), each line released when cancel or the
 * order is cancelled, under the same event keys whichever way the order
 * came, so it counts once; an unmapped line is an unmapped_sale alert.
 * topic names the event in the ledger's reason ("orders/create",
 * "recon sweep"). *counted gets the lines that changed anything.
 */
int	shopify_hook_order_lines(struct db *db,
	    const struct channel_account *acct, const struct shopify_order *o,
	    const char *topic, int cancel, int *counted, struct err *e);

/* Apply stored deliveries that were not applied yet (the tick). */
int	shopify_hook_pending(struct db *db, const struct config *cfg,
	    int *applied, struct err *e);

#endif
