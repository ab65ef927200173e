/*
 * returns: units that come back, and in what condition. Every return —
 * from a channel's refund or cancellation, or handed in at the admin or
 * the command line — is one of:
 *
 *   restock   back on the shelf: a return_restock movement, available at
 *             once, pushes queued in the same transaction;
 *   damaged   recorded and written off: return_restock and write_off in
 *             one event, so the ledger keeps the unit's story but it is
 *             never available, not even for a moment;
 *   inspect   held: a row in return_holds, not available, until a person
 *             decides restock or damaged (each decision one event).
 *
 * A bundle or made-to-order item comes back as its stocked parts (for an
 * order line, the parts it consumed when it sold; for a unit handed in,
 * its BOM now), so a returned kit restocks, writes off or holds its
 * components. Order lines go through orders_return_as() (orders.h); this
 * module has the conditions, the holds, returns of a SKU outside any
 * order, and the decisions.
 *
 * Ownership: the array of returns_list_held() is the caller's to free().
 */
#ifndef STOCKHUB_RETURNS_H
#define STOCKHUB_RETURNS_H

#include <stddef.h>
#include <stdint.h>

#include "bom.h"
#include "db.h"
#include "err.h"
#include "ledger.h"

enum returns_cond {
	RETURNS_RESTOCK = 0,
	RETURNS_DAMAGED,
	RETURNS_INSPECT,
	RETURNS__MAX
};

/* "restock", "damaged", "inspect" and back (-1: unknown). Pure. */
const char *returns_cond_name(enum returns_cond c);
int	returns_cond_parse(const char *name, enum returns_cond *out);

/*
 * Inside the caller's transaction: hold qty units of item_id (line_id 0:
 * not from an order line) made of parts (np 0: the item itself) under
 * key. A key held before is a duplicate (*duplicate = 1, nothing
 * changes). *hold_id gets the hold.
 */
int	returns_hold_tx(struct db *db, const char *key, int64_t item_id,
	    int64_t line_id, int64_t qty, const struct bom_part *parts,
	    size_t np, const char *source, const char *reason,
	    int64_t *hold_id, int *duplicate, struct err *e);

struct returns_req {
	const char		*sku;
	int64_t			 qty;	/* > 0 */
	enum returns_cond	 cond;
	const char		*key;	/* exactly-once key, required */
	const char		*source;	/* "admin:alice" */
	const char		*reason;
};

struct returns_result {
	int	 duplicate;	/* the key was used before; nothing changed */
	int64_t	 done;		/* units returned or decided */
	int64_t	 hold_id;	/* inspect: the hold (0 otherwise) */
};

/*
 * qty units of a SKU came back outside any order the hub knows (own
 * transaction). ERR_NOTFOUND unknown SKU, ERR_INVALID bad request (a
 * bundle without components).
 */
int	returns_sku(struct db *db, const struct returns_req *q,
	    struct returns_result *res, struct err *e);
/* The same inside the caller's transaction. */
int	returns_sku_tx(struct db *db, const struct returns_req *q,
	    struct returns_result *res, struct err *e);

/*
 * Decide qty (-1: all) units of a hold: RETURNS_RESTOCK or
 * RETURNS_DAMAGED (own transaction). ERR_NOTFOUND unknown hold,
 * ERR_CONFLICT more than is still held, ERR_INVALID a bad condition.
 * q->sku and q->qty are ignored.
 */
int	returns_decide(struct db *db, int64_t hold_id, int64_t qty,
	    const struct returns_req *q, struct returns_result *res,
	    struct err *e);
/* The same inside the caller's transaction. */
int	returns_decide_tx(struct db *db, int64_t hold_id, int64_t qty,
	    const struct returns_req *q, struct returns_result *res,
	    struct err *e);

struct returns_held {
	int64_t	 id;
	char	 sku[BOM_SKU_SIZE];
	int64_t	 qty, held;
	char	 order[160];	/* "Etsy shop: receipt 12, line 34" or "" */
	char	 source[LEDGER_SOURCE_MAX + 1];
	char	 reason[LEDGER_REASON_MAX + 1];
	char	 at[32];	/* "2026-11-28 13:40" UTC */
};

/* Units still held, oldest first, at most max rows. */
int	returns_list_held(struct db *db, size_t max, struct returns_held **out,
	    size_t *n, struct err *e);

/* Units of item_id (stocked) held now, its own and as a part. */
int	returns_held_units(struct db *db, int64_t item_id, int64_t *units,
	    struct err *e);

#endif
