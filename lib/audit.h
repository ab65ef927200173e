/*
 * audit: the mapping audit. It lists every place on sale on a channel
 * (channel_ops.catalog: Etsy's active listings with their variations,
 * Shopify's product variants)
 * and compares them with the SKU map (audit_compare, pure):
 *  - a variation on the channel that the map lacks (UNMAPPED);
 *  - a mapped variation that is gone while a new one in the same listing
 *    carries the mapped SKU exactly (RENAMED), or gone with nothing to
 *    explain it (MISSING);
 *  - a mapped place whose SKU on the channel differs from the hub's SKU,
 *    also when only case or whitespace differ (SKU_DIFFERS);
 *  - several places on the channel with one SKU (SKU_SHARED);
 *  - an Etsy listing with variations whose quantity is set at listing
 *    level, so a sale of one variation takes stock from all of them
 *    (LISTING_QTY).
 * Each finding is an alert (kind "mapping_audit", deduplicated per
 * account, kind and place). An exact-SKU suggestion — map an unmapped
 * variation to the hub SKU that equals its channel SKU exactly, or move a
 * renamed variation's map entry to its new name — is stored and confirmed
 * with one click (audit_confirm), which writes the map entry. Never a
 * near match: no case folding, no trimming, no titles.
 *
 * The audit runs weekly from the tick (audit_tick; daily for Etsy,
 * which has no product webhooks), on demand (CLI,
 * admin), and Shopify's products/update webhook raises the same kind of
 * alert for one product as it arrives (lib/shopify_hook).
 *
 * Ownership: audit_compare() returns a malloc'd array the caller frees;
 * everything else borrows its arguments.
 */
#ifndef STOCKHUB_AUDIT_H
#define STOCKHUB_AUDIT_H

#include <stddef.h>
#include <stdint.h>

#include "channel.h"
#include "config.h"
#include "db.h"
#include "err.h"

#define AUDIT_EVERY_S	(7 * 86400)	/* the weekly schedule */
#define AUDIT_ETSY_EVERY_S	86400	/* Etsy: no product webhooks */

enum audit_kind {
	AUDIT_UNMAPPED = 0,
	AUDIT_RENAMED,
	AUDIT_MISSING,
	AUDIT_SKU_DIFFERS,
	AUDIT_SKU_SHARED,
	AUDIT_LISTING_QTY,
	AUDIT__MAX
};

/* One entry of the SKU map, as the audit compares it. */
struct audit_mapped {
	int64_t		 listing_id;
	const char	*ext_listing;
	const char	*ext_variant;
	const char	*hub_sku;
};

struct audit_finding {
	enum audit_kind	 kind;
	long		 place;		/* index into the places; -1: none */
	long		 mapped;	/* index into the map; -1: none */
	int		 suggest;	/* 1: a one-click suggestion: map the
					 * place to suggest_sku (UNMAPPED) or
					 * move the map entry to the place
					 * (RENAMED) */
	char		 suggest_sku[65];
	int		 case_ws_only;	/* SKU_DIFFERS: only case or
					 * whitespace differ */
};

/*
 * Compare the places on a channel with the map entries of that account.
 * hub_has(arg, sku) tells whether the hub has exactly that SKU (1 yes, 0
 * no). *out (malloc'd, caller frees) gets *nout findings, in the order
 * grouped by kind. Pure apart from hub_has. Returns 0 or -1 (ERR_SYS).
 */
int	audit_compare(const struct channel_place *pl, size_t np,
	    const struct audit_mapped *m, size_t nm,
	    int (*hub_has)(void *arg, const char *sku), void *arg,
	    struct audit_finding **out, size_t *nout, struct err *e);

/* "unmapped" (as stored) and a sentence for people. Pure. */
const char *audit_kind_name(enum audit_kind k);
const char *audit_kind_label(enum audit_kind k);

struct audit_stats {
	int64_t	 run_id;
	int64_t	 places;
	int64_t	 mapped;
	int64_t	 findings;
	int64_t	 by_kind[AUDIT__MAX];
	int64_t	 suggestions;
	int64_t	 api_calls;
};

/*
 * Audit one account now (origin "manual", "schedule" or "webhook"):
 * list its catalog, compare, raise the alerts and store the suggestions,
 * record the run. ERR_INVALID when its channel has no catalog listing.
 */
int	audit_run(struct db *db, const struct config *cfg, int64_t account_id,
	    const char *origin, struct audit_stats *st, struct err *e);

/*
 * The weekly schedule, for the timer tick: audit the next unpaused
 * account with a catalog whose last audit (before the first: its
 * creation) is older than AUDIT_EVERY_S, one per call. *account_id is the one
 * audited (0: none due).
 */
int	audit_tick(struct db *db, const struct config *cfg,
	    int64_t *account_id, struct err *e);

/*
 * Confirm suggestion id: write the map entry it proposes (and queue a
 * push of it), resolve its alert. ERR_NOTFOUND for no open suggestion of
 * that id, ERR_CONFLICT when the place or SKU is mapped meanwhile.
 */
int	audit_confirm(struct db *db, int64_t suggestion_id, struct err *e);

#endif
