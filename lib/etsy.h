/*
 * etsy: the Etsy Open API v3 adapter's inventory push (struct channel_ops
 * etsy_ops), written from ../shared/reference/channel-apis.md (1.1, 1.2,
 * 1.5, 1.7, 6) and Etsy's OpenAPI document.
 *
 * Etsy's updateListingInventory replaces the whole inventory of a listing
 * and has no compare-and-set, so a push is: read the inventory (with the
 * listing's state), find the product by its property values (never by
 * product_id/offering_id, which Etsy regenerates on every write), work
 * out what to write without giving back units Etsy sold that the hub has
 * not seen, and write the whole document back with every other product,
 * price, SKU, property and *_on_property array exactly as it was.
 *
 * Zero stock (the API refuses a PUT where every offering is 0):
 *  - a product goes to 0 while another product still shows stock: its
 *    offering is disabled (is_enabled=false) and keeps quantity 1, a
 *    figure every offering may hold;
 *  - the last product with stock goes to 0: nothing is PUT; the listing
 *    is made inactive with updateListing (state=inactive), which is not
 *    sold_out and so needs no paid renewal later;
 *  - stock returns: the quantity is written and the offering enabled; a
 *    listing the hub made inactive is made active again (and the other
 *    products' stale offerings disabled, since they were all at 0 when
 *    the hub hid it); a listing Etsy put in sold_out (a real sell-out) is
 *    renewed with state=active first (Etsy charges a listing fee; the
 *    detail says so); a listing the seller made inactive, a draft or an
 *    expired listing gets its quantity but keeps its state.
 *
 * The pure part (parse, find, decide, build) does no I/O and is unit
 * tested; etsy_ops.push does the HTTP (lib/httpc) and the single-flight
 * token refresh (lib/channel's row lock).
 *
 * Ownership: etsy_inventory_parse() fills a struct etsy_inventory that
 * owns every string and array in it; free with etsy_inventory_free().
 * Everything else borrows its arguments.
 */
#ifndef STOCKHUB_ETSY_H
#define STOCKHUB_ETSY_H

#include <stddef.h>
#include <stdint.h>

#include "budget.h"
#include "buf.h"
#include "channel.h"
#include "err.h"
#include "httpc.h"

/* What one offering can hold (Etsy: 0..999); more is capped. */
#define ETSY_QTY_MAX		999
/* A disabled offering keeps this quantity (any value >= 1 is accepted). */
#define ETSY_DISABLED_QTY	1
/* Refresh the access token when it expires within this many seconds. */
#define ETSY_REFRESH_MARGIN_S	60

/* Limits on what parse accepts (a hostile answer cannot exhaust us). */
#define ETSY_PRODUCTS_MAX	10000
#define ETSY_PROPVALS_MAX	8
#define ETSY_VALUES_MAX		64
#define ETSY_OFFERINGS_MAX	8
#define ETSY_IDS_MAX		64
#define ETSY_STRING_MAX		1024

extern const struct channel_ops etsy_ops;

enum etsy_state {
	ETSY_STATE_UNKNOWN = 0,	/* not in the answer */
	ETSY_STATE_ACTIVE,
	ETSY_STATE_INACTIVE,	/* also the legacy "edit" */
	ETSY_STATE_SOLD_OUT,
	ETSY_STATE_DRAFT,
	ETSY_STATE_EXPIRED,
	ETSY_STATE_OTHER	/* a state this adapter does not know */
};

struct etsy_money {
	int64_t	 amount;
	int64_t	 divisor;		/* a power of 10 */
	char	 currency_code[8];	/* kept, never sent back */
};

struct etsy_offering {
	int64_t			 quantity;	/* 0..999 */
	int			 is_enabled;
	struct etsy_money	 price;
	int			 has_readiness;	/* 0: null or absent */
	int64_t			 readiness_state_id;
};

struct etsy_propval {
	int64_t	 property_id;
	char	*property_name;		/* NULL when null or absent */
	int	 has_scale;		/* 0: scale_id null or absent */
	int64_t	 scale_id;
	int64_t	*value_ids;
	size_t	 nvalue_ids;
	char	**values;
	size_t	 nvalues;
};

struct etsy_product {
	char			*sku;		/* "" when null or absent */
	struct etsy_propval	*pvs;
	size_t			 npvs;
	struct etsy_offering	*offerings;	/* >= 1; the first is the one
						 * the hub writes */
	size_t			 nofferings;
};

/* One *_on_property array: absent, null, or a list of property ids. */
struct etsy_ids {
	int	 present;
	int	 is_null;
	int64_t	*ids;
	size_t	 n;
};

struct etsy_inventory {
	struct etsy_product	*products;	/* deleted ones are dropped */
	size_t			 nproducts;
	struct etsy_ids		 price_on_property;
	struct etsy_ids		 quantity_on_property;
	struct etsy_ids		 sku_on_property;
	struct etsy_ids		 readiness_state_on_property;
	/* from the "listing" association (includes=Listing), if any */
	enum etsy_state		 state;
	int64_t			 listing_id;	/* 0 when not given */
};

/*
 * Parse a getListingInventory answer (ListingInventoryWithAssociations,
 * or the ListingInventory that updateListingInventory returns). Every
 * field is type- and range-checked; a wrong one is refused with
 * ERR_INVALID and a message naming it ("products[1].offerings[0].price.
 * divisor: ..."); a body that is not JSON at all gives ERR_RETRY (a
 * truncated answer). Deleted products and offerings are dropped. inv is
 * zeroed first and owns everything after success; on failure it holds
 * nothing.
 */
int	etsy_inventory_parse(const char *body, size_t len,
	    struct etsy_inventory *inv, struct err *e);

/* NULL-safe; leaves inv zeroed. */
void	etsy_inventory_free(struct etsy_inventory *inv);

/* "active" -> ETSY_STATE_ACTIVE, ...; NULL -> UNKNOWN. Pure. */
enum etsy_state etsy_state_parse(const char *s);
const char *etsy_state_name(enum etsy_state s);

/*
 * The product's variation key as channel_listings.ext_variant stores it:
 * "Property=Value;Property2=Value2", sorted by property name (the
 * property_id in decimal when the name is missing; several values joined
 * with ","), "" for a product without property values. Returns 0, or -1
 * when it does not fit in outsz.
 */
int	etsy_variant_key(const struct etsy_product *p, char *out,
	    size_t outsz);

/*
 * Find the product for a variation key (exact match) or, failing that,
 * by SKU (sku may be NULL or ""). Returns 1 with *idx set (*by_sku 1 when
 * the SKU matched and the key did not), 0 when no product matches, -1
 * when two products match (e set, ERR_CONFLICT).
 */
int	etsy_find_product(const struct etsy_inventory *inv,
	    const char *variant, const char *sku, size_t *idx, int *by_sku,
	    struct err *e);

/*
 * Money -> the float updateListingInventory wants, as exact decimal text
 * ("28.00" for 2800/100, "7.0" for 7/1). Returns 0, or -1 for a negative
 * amount, a divisor that is not a power of 10, or too small an out.
 */
int	etsy_price_format(const struct etsy_money *m, char *out,
	    size_t outsz);

/*
 * The updateListingInventory body for the model as it is: products with
 * sku, property_values (property_id, property_name and scale_id where
 * present, value_ids, values) and offerings (price as a float, quantity,
 * is_enabled, readiness_state_id or null), and the *_on_property arrays
 * that were present. Never product_id, offering_id, is_deleted,
 * scale_name or a Money object. Appends to out (the caller inits and
 * frees it). Returns 0, or -1 (ERR_INVALID: an offering's price cannot
 * be written; ERR_TOOBIG: out is full).
 */
int	etsy_inventory_body(const struct etsy_inventory *inv, struct buf *out,
	    struct err *e);

/* What the hub knows about one listing when it pushes. */
struct etsy_decide_in {
	int64_t	 desired;	/* >= 0 */
	int	 has_last_pushed;
	int64_t	 last_pushed;
	int	 hub_hid;	/* channel_listing.hidden */
};

/* What to do, in this order: renew, put, then activate or deactivate. */
struct etsy_plan {
	enum channel_outcome	 outcome;	/* WRITTEN, UNCHANGED or HELD */
	int64_t			 target;	/* what the product gets */
	int64_t			 shown_before;
	int64_t			 shown;		/* after the plan ran */
	int64_t			 unseen_sales;
	int			 renew;		/* sold_out -> active first */
	int			 put;		/* PUT the changed model */
	int			 activate;	/* state=active after the PUT */
	int			 deactivate;	/* state=inactive, no PUT */
	int			 hidden;	/* the product shows 0 and the
						 * hub may show it again */
	char			 detail[200];
};

/*
 * Decide how to make product idx show in->desired (capped at 999), and
 * change the model to the inventory to PUT when plan->put is set (only
 * the target's offering and, when a hidden listing is shown again, the
 * other products' is_enabled change). Pure. The listing state comes
 * from inv->state (UNKNOWN is taken as active). Returns 0, or -1 for bad
 * arguments.
 */
int	etsy_decide(struct etsy_inventory *inv, size_t idx,
	    const struct etsy_decide_in *in, struct etsy_plan *plan,
	    struct err *e);

/* Etsy's rate-limit headers; -1 where a header is absent. */
struct etsy_rate {
	int64_t	 limit_per_second;
	int64_t	 remaining_this_second;
	int64_t	 limit_per_day;
	int64_t	 remaining_today;
};

/* Read them from an answer (x-remaining-this-second, or the docs'
 * spelling x-remaining-this-secon). Pure. */
void	etsy_rate_read(const struct httpc_resp *r, struct etsy_rate *out);

/*
 * The message of an Etsy error body ({"error": "..."}, with the OAuth
 * "error_description" appended when present), with control characters
 * replaced; "HTTP <status>" when there is none. Pure.
 */
void	etsy_error_message(long status, const char *body, size_t len,
	    char *out, size_t outsz);

/*
 * One conversation with Etsy for one account, shared by the push
 * (etsy_ops) and the receipts poller (lib/etsy_poll): the x-api-key and
 * Bearer headers, the access token refreshed single-flight under the
 * account's row lock before it expires and once on a 401, and Etsy's
 * rate-limit headers from the last answer. When a call cannot be made
 * (no answer, refresh refused, credentials incomplete) r gets the outcome
 * (CHANNEL_RETRY or CHANNEL_FAILED) and a detail with no credential in
 * it. Borrows ctx and r; owns nothing.
 *
 * Budget: every call is tagged with the purpose it spends (set
 * s.purpose after etsy_session_init: BUDGET_POLL, BUDGET_PUSH or
 * BUDGET_RECON; the push sets PUSH, channel_ops.read RECON). With a
 * database (ctx->db) each call first takes one unit of today's share of
 * its purpose (etsy_api_calls) and a slot in the account's current
 * second (etsy_api_seconds, shared by every process; it waits for the
 * next second when the second is full). A call whose purpose's share is
 * used up, or when Etsy says nothing is left today, is not made: r says
 * CHANNEL_RETRY with retry_after_s until the new day and a detail "Etsy
 * <purpose> budget ...". An untagged call is a local error (ERR_INVALID).
 */
struct etsy_session {
	struct channel_ctx	*ctx;
	struct channel_result	*r;
	struct etsy_rate	 rate;
	int			 refreshed;	/* a 401 made us refresh once */
	enum budget_purpose	 purpose;
	int			 budget_loaded;
	struct budget_split	 split;
	int64_t			 per_day, per_second, remaining_db;
	int			 deferred;	/* the budget said not now */
	int64_t			 slot_id;	/* the call in flight */
};

/* Zero s and r (r->outcome FAILED until something says otherwise), rate
 * headers unknown (-1). */
void	etsy_session_init(struct etsy_session *s, struct channel_ctx *ctx,
	    struct channel_result *r);

/* Make sure the access token is usable (refreshing it when it expires
 * within ETSY_REFRESH_MARGIN_S; needs ctx->db). Returns 0 ready, 1 when r
 * says why not, -1 local error (e set). */
int	etsy_session_token(struct etsy_session *s, struct err *e);

/*
 * One API call with the account's key and token; a 401 refreshes the
 * token once and tries again. what names the call in details. ctype and
 * body may be NULL. Returns 0 with an answer in resp (any status; free it
 * with etsy_resp_free), 1 when r is filled (no answer, refresh failed;
 * resp holds nothing), -1 local error.
 */
int	etsy_session_call(struct etsy_session *s, const char *what,
	    const char *method, const char *url, const char *ctype,
	    const char *body, size_t len, struct httpc_resp *resp,
	    struct err *e);

/* listing ids per getListingsInventoryByListingIds call (the spec's
 * limit) */
#define ETSY_BATCH_IDS	100
/* products the mapping audit lists from one shop at most */
#define ETSY_CATALOG_MAX	200000

/*
 * In a getListingsInventoryByListingIds answer (ShopListingsWithAssociations
 * parsed by the caller), the inventory of listing_id, with the listing's
 * state from the result when the inventory has none. Returns 1 found (inv
 * owns its content; free with etsy_inventory_free), 0 not in the answer,
 * -1 (e set: ERR_NOTFOUND for a listing without an inventory record,
 * ERR_INVALID for a malformed one). inv is zeroed first. Pure.
 */
int	etsy_batch_find(const json_t *root, int64_t listing_id,
	    struct etsy_inventory *inv, struct err *e);

/* printf into s->r->detail, control characters replaced and the
 * account's access token, refresh token and shared secret redacted. */
void	etsy_session_detail(struct etsy_session *s, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3)));

/* Wipe an answer's body (it may hold tokens) and free it. NULL-safe
 * body; resp itself is caller storage. */
void	etsy_resp_free(struct httpc_resp *resp);

/* The account's numeric shop_id (creds "shop_id", else shop_ref) into
 * out; -1 when there is none or it is not numeric. Pure. */
int	etsy_shop_id(const struct channel_account *a, char *out,
	    size_t outsz);

#endif
