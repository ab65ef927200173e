/*
 * stock: the arithmetic of stock movements and SKU validation. Pure: the
 * ledger module applies these rules under row locks; this module only
 * decides what a movement does to a balance.
 *
 * A balance is on_hand (units in the building) and committed (units sold
 * and not yet shipped); available = on_hand - committed.
 */
#ifndef STOCKHUB_STOCK_H
#define STOCKHUB_STOCK_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"

#define STOCK_SKU_MAX	64		/* characters */
#define STOCK_QTY_MAX	1000000000LL	/* sanity bound on any quantity */

enum stock_kind {
	STOCK_RECEIVE = 0,	/* units arrived: on_hand += qty */
	STOCK_COUNT,		/* a stock count: on_hand = qty */
	STOCK_ADJUST,		/* correction: on_hand += qty (qty may be < 0) */
	STOCK_COMMIT,		/* a sale: committed += qty */
	STOCK_RELEASE,		/* a cancelled sale: committed -= qty */
	STOCK_SHIP,		/* a sale shipped: on_hand -= qty, committed -= qty */
	STOCK_RETURN_RESTOCK,	/* a return put back on the shelf: on_hand += qty */
	STOCK_WRITE_OFF,	/* damaged or lost: on_hand -= qty */
	STOCK__MAX
};

struct stock_balance {
	int64_t	on_hand;
	int64_t	committed;
};

/* The stable name of a kind ("receive", "return_restock", ...). */
const char *stock_kind_name(enum stock_kind k);

/* Look a kind up by name: 0 and *out set, or -1. */
int	stock_kind_parse(const char *name, enum stock_kind *out);

/*
 * Check a SKU: 1 to 64 characters of valid UTF-8, printable (no control
 * characters), no leading or trailing white space. Returns 0 or -1 with e
 * (ERR_INVALID) saying why.
 */
int	stock_sku_check(const char *sku, struct err *e);

/*
 * Apply one movement of kind k and quantity qty to *b. Refuses (-1,
 * ERR_INVALID or ERR_CONFLICT) a quantity out of range for the kind, or
 * one that would make on_hand or committed negative (releasing or shipping
 * more than is committed, writing off more than is on hand). A sale is
 * never refused for lack of stock: it is applied and *oversold gets the
 * units by which available went (further) below zero, so the caller
 * records it as an oversell. b is left unchanged on -1.
 */
int	stock_apply(struct stock_balance *b, enum stock_kind k, int64_t qty,
	    int64_t *oversold, struct err *e);

#endif
