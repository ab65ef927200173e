/*
 * mapstore: the SKU map in the database, for the CSV export and import
 * (skumap.h has the pure side) and the admin's per-item edits.
 *
 * Every change is one transaction that first locks what it reads and
 * checks the fingerprint (skumap_fingerprint()) of what the seller was
 * shown: when the map changed meanwhile the change is refused with
 * ERR_CONFLICT and nothing is applied over the other change.
 *
 * Ownership: maps and name lists returned here belong to the caller
 * (skumap_free(), mapstore_names_free()).
 */
#ifndef STOCKHUB_MAPSTORE_H
#define STOCKHUB_MAPSTORE_H

#include <stddef.h>
#include <stdint.h>

#include "db.h"
#include "err.h"
#include "skumap.h"

/*
 * The hub's map in export order (SKU, account, listing, variant) into m
 * (zeroed before): every item, one row per listing, or one row without a
 * channel for an item sold nowhere. sku NULL: all items; else that one
 * item (ERR_NOTFOUND when it does not exist).
 */
int	mapstore_load(struct db *db, const char *sku, struct skumap *m,
	    struct err *e);

/* The names of all channel accounts, ordered by name. */
int	mapstore_accounts(struct db *db, char ***names, size_t *n,
	    struct err *e);
void	mapstore_names_free(char **names, size_t n);

struct mapstore_result {
	int	 items_created;
	int	 titles_changed;
	int	 listings_added;
	int	 listings_moved;
	int	 skipped;	/* a listing whose new item was not accepted */
};

/*
 * Apply the proposals of plan whose accept[i] is 1, in one transaction
 * (a new item: created; a new listing: mapped and queued for its first
 * push; a conflict: the CSV's value replaces the hub's; a match: no
 * change). want_fp: the whole map's fingerprint when the plan was shown
 * (NULL: no check). ERR_CONFLICT when the map changed since.
 */
int	mapstore_apply(struct db *db, const struct skumap_plan *plan,
	    const unsigned char *accept, const char *want_fp,
	    struct mapstore_result *res, struct err *e);

/*
 * One item's listings, edited against the item's fingerprint want_fp
 * (of mapstore_load(db, sku)). Adding: ERR_INVALID naming the field
 * (account, ext_listing, ...) in e->msg's first word, ERR_CONFLICT when
 * the place is mapped already or the item changed meanwhile. Removing
 * deletes the listing with its queue row and write records.
 */
int	mapstore_item_add(struct db *db, const char *sku, const char *want_fp,
	    const char *account, const char *ext_listing,
	    const char *ext_variant, const char *ext_location,
	    int64_t *listing_id, struct err *e);
int	mapstore_item_remove(struct db *db, const char *sku,
	    const char *want_fp, int64_t listing_id, struct err *e);

#endif
