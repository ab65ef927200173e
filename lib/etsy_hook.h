/*
 * etsy_hook: the ORDER_PAID fast path (commercial Etsy apps,
 * channel-apis.md 1.8). Etsy POSTs {"event_type":"order.paid",
 * "resource_url":".../shops/<shop>/receipts/<receipt>","shop_id":N} to
 * /hooks/etsy/<account id>, signed the Standard Webhooks way.
 *
 * The receiver checks the signature over the raw bytes before anything
 * else (sig_stdwh_verify: webhook-id, webhook-timestamp within 300 s of
 * the hub's clock, any v1 signature under any of the account's secrets,
 * constant time; 401 otherwise), stores the delivery in the inbox
 * (deduplicated on webhook-id: a replay is answered "duplicate" and
 * applied nothing), answers 200, and then fetches the receipt with
 * getShopReceipt from the account's own base URL (never from the URL in
 * the payload) and applies it through the poller's code
 * (etsy_poll_apply_receipt), in one transaction with the inbox row. A
 * receipt that also arrives by polling counts once: both commit each
 * transaction under its transaction id. A fetch that fails leaves the row
 * 'new'; the tick (etsy_hook_pending) tries again, and polling stays the
 * backstop anyway.
 *
 * Secrets: the account's credentials (sealed) hold "webhook_secrets", an
 * array of "whsec_..." strings (several during a rotation), or one
 * "webhook_secret".
 *
 * Ownership: nothing is retained; arguments are borrowed.
 */
#ifndef STOCKHUB_ETSY_HOOK_H
#define STOCKHUB_ETSY_HOOK_H

#include <stdint.h>

#include "app.h"
#include "config.h"
#include "db.h"
#include "err.h"
#include "http.h"

/* POST /hooks/etsy/<account id> */
void	etsy_hook_receive(struct app *a, struct http_req *r);

/*
 * Fetch and apply one stored ORDER_PAID delivery. 0 applied (or applied
 * before, or marked failed/ignored for good), 1 not yet (Etsy did not
 * answer; the row stays 'new'), -1 local error.
 */
int	etsy_hook_apply(struct db *db, const struct config *cfg, int64_t id,
	    struct err *e);

/* For the tick: every stored Etsy delivery still 'new' (a few seconds
 * old). *applied counts those applied now. */
int	etsy_hook_pending(struct db *db, const struct config *cfg,
	    int *applied, struct err *e);

/*
 * The receipt id in an ORDER_PAID body (resource_url's last
 * "/receipts/<id>"), and the shop_id when given (else 0). Pure. 0, or -1
 * with ERR_INVALID naming what is wrong.
 */
int	etsy_hook_parse(const char *body, size_t len, int64_t *receipt_id,
	    int64_t *shop_id, struct err *e);

#endif
