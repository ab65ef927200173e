/*
 * orders: what happens to the units of each order line a channel sold,
 * for every channel alike. Each call runs inside the caller's
 * transaction, locks the line's row, works out how many units the event
 * really concerns (a cancellation releases only what is still committed;
 * a return of units the hub never saw shipped ships them first), and
 * posts the ledger movements under the event key given (with the push
 * queue's touch hook), so a repeated event changes nothing.
 *
 * Line states: qty sold = open + released + shipped; returned <= shipped.
 */
#ifndef STOCKHUB_ORDERS_H
#define STOCKHUB_ORDERS_H

#include <stdint.h>

#include "db.h"
#include "err.h"
#include "ledger.h"
#include "returns.h"

struct orders_ctx {
	struct db	*db;
	int64_t		 account_id;
	const char	*source;	/* "shopify:3" */
	const char	*reason;	/* "orders/create 5501" */
};

/*
 * A sale: record the line and commit qty of sku. A line seen before is a
 * duplicate (*res->duplicate = 1), nothing changes. ERR_NOTFOUND for an
 * unknown SKU. listing_id (0: none) is the listing that sold: the channel
 * took the units off its own count, so what the hub last pushed there is
 * lowered by qty and the next push does not count them again as sales
 * it has not seen.
 */
int	orders_commit(const struct orders_ctx *c, const char *ext_order,
	    const char *ext_line, const char *sku, int64_t qty,
	    int64_t listing_id, struct ledger_result *res, struct err *e);

/*
 * Release up to qty (-1: all) still-committed units of a line (a
 * cancellation). *done gets the units released (0 when none were open,
 * or the line is unknown: *known says which).
 */
int	orders_release(const struct orders_ctx *c, const char *ext_line,
	    int64_t qty, const char *event_key, int64_t *done, int *known,
	    struct err *e);

/* Ship up to qty (-1: all) committed units of a line. */
int	orders_ship(const struct orders_ctx *c, const char *ext_line,
	    int64_t qty, const char *event_key, int64_t *done, int *known,
	    struct err *e);

/*
 * Restock qty units of a line that came back (a return). Units not yet
 * shipped in the hub's books are shipped first, then restocked, in one
 * event. At most what was sold minus released minus already returned.
 */
int	orders_return(const struct orders_ctx *c, const char *ext_line,
	    int64_t qty, const char *event_key, int64_t *done, int *known,
	    struct err *e);

/*
 * The same with the condition the units came back in (returns.h):
 * restock is orders_return(); damaged writes them off in the same event;
 * inspect holds them (a return_holds row under event_key, with the
 * line's parts) and moves nothing but the shipment of units the hub had
 * not seen shipped. A repeated key changes nothing.
 */
int	orders_return_as(const struct orders_ctx *c, const char *ext_line,
	    int64_t qty, enum returns_cond cond, const char *event_key,
	    int64_t *done, int *known, struct err *e);

#endif
