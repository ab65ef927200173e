/*
 * ledger: the stock ledger in the database. on_hand and committed change
 * only through append-only movements; the cached balance in stock_items is
 * updated in the same transaction, under a row lock, and ledger_check()
 * proves it equals the sum of the movements.
 *
 * Exactly-once: every event carries an external key (the channel's event
 * id, an order line, an admin form token). Posting a key that was already
 * applied does nothing and reports duplicate, also when two processes post
 * it at the same moment.
 */
#ifndef STOCKHUB_LEDGER_H
#define STOCKHUB_LEDGER_H

#include <stddef.h>
#include <stdint.h>

#include "db.h"
#include "err.h"
#include "stock.h"

#define LEDGER_KEY_MAX		191	/* bytes; fits a utf8mb4 index */
#define LEDGER_SOURCE_MAX	128
#define LEDGER_REASON_MAX	255
#define LEDGER_LINES_MAX	256

struct ledger_line {
	const char	*sku;
	enum stock_kind	 kind;
	int64_t		 qty;
};

/* One business event: all its lines apply together or not at all. */
struct ledger_event {
	const char		 *key;		/* external event key, required */
	const char		 *source;	/* "admin:alice", "shopify:3" */
	const char		 *reason;	/* free text, required */
	const struct ledger_line *lines;
	size_t			  nlines;
};

struct ledger_result {
	int	 duplicate;	/* 1: the key was applied before; nothing changed */
	int64_t	 event_id;	/* the event's row (also for a duplicate) */
	int64_t	 oversold;	/* units sold beyond available, all lines */
};

struct ledger_item {
	int64_t	 id;
	char	 sku[STOCK_SKU_MAX * 4 + 1];
	char	 title[256];
	int64_t	 on_hand;
	int64_t	 committed;
	int64_t	 available;
	int64_t	 version;	/* movements applied so far */
};

/*
 * Called inside the posting transaction for every item an event touched
 * (after its balance is updated), so later modules can queue work (pushes)
 * atomically with the movement. Return 0 or -1 (the event is rolled back).
 */
typedef int (*ledger_touch_fn)(struct db *, const struct ledger_item *,
	    void *arg, struct err *);

/* Create an item; ERR_INVALID for a bad SKU, ERR_CONFLICT if it exists. */
int	ledger_item_create(struct db *db, const char *sku, const char *title,
	    int64_t *id, struct err *e);

/* Read an item by SKU; ERR_NOTFOUND when there is none. */
int	ledger_item_get(struct db *db, const char *sku, struct ledger_item *it,
	    struct err *e);

/*
 * Post an event in its own transaction (retried on deadlock). touch may be
 * NULL. Unknown SKUs and refused movements fail the whole event.
 */
int	ledger_post(struct db *db, const struct ledger_event *ev,
	    ledger_touch_fn touch, void *arg, struct ledger_result *res,
	    struct err *e);

/* The same inside a transaction the caller already began. */
int	ledger_post_tx(struct db *db, const struct ledger_event *ev,
	    ledger_touch_fn touch, void *arg, struct ledger_result *res,
	    struct err *e);

/*
 * Recompute every item's balance from its movements and compare with the
 * cached one. *bad gets the number of items that differ (each is logged).
 */
int	ledger_check(struct db *db, int64_t *bad, struct err *e);

#endif
