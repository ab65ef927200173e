/*
 * channel: the one interface every marketplace adapter implements, and
 * the registry that maps a channel type to its adapter. The push engine
 * (push.c), the webhook receiver and the pollers only ever talk to
 * struct channel_ops; adding a marketplace is adding lib/<name>.c with
 * its ops and one line in channel.c's table.
 *
 * Ownership: accounts and listings are plain structs filled from the
 * database (channel_account_load / channel_listing_load); the decrypted
 * credentials in struct channel_account are owned by it and wiped by
 * channel_account_free().
 */
#ifndef STOCKHUB_CHANNEL_H
#define STOCKHUB_CHANNEL_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "alloc.h"
#include "config.h"
#include "db.h"
#include "err.h"

enum channel_type {
	CHANNEL_ETSY = 0,
	CHANNEL_SHOPIFY,
	CHANNEL_AMAZON,
	CHANNEL_EBAY,
	CHANNEL__MAX
};

struct channel_account {
	int64_t			 id;
	enum channel_type	 type;
	char			 name[101];
	char			 base_url[256];	/* no trailing slash */
	char			 shop_ref[256];
	struct alloc_policy	 policy;
	int			 manual_accept;	/* 1: accept manual edits */
	int			 paused;
	json_t			*creds;		/* decrypted; owned */
};

struct channel_listing {
	int64_t	 id;
	int64_t	 account_id;
	int64_t	 item_id;
	char	 sku[257];		/* the hub's SKU */
	char	 ext_listing[65];
	char	 ext_variant[256];
	char	 ext_location[65];
	char	 channel_sku[256];
	int	 has_last_pushed;
	int64_t	 last_pushed;
	int	 hidden;
};

/* What the push engine asks an adapter to do for one listing. */
struct channel_push {
	int64_t		 desired;	/* what the hub wants shown, >= 0 */
	const char	*idem_key;	/* the same across retries of one write */
};

enum channel_outcome {
	CHANNEL_WRITTEN = 0,	/* the channel now shows result.shown */
	CHANNEL_UNCHANGED,	/* it already showed that; nothing written */
	CHANNEL_HELD,		/* written, but units the channel sold that the
				 * hub has not seen yet were held back */
	CHANNEL_RETRY,		/* transient (429, 5xx, timeout, stale CAS) */
	CHANNEL_FAILED		/* permanent: a person must look */
};

struct channel_result {
	enum channel_outcome	 outcome;
	int64_t			 shown_before;	/* -1 when unknown */
	int64_t			 shown;		/* what it shows now */
	int64_t			 unseen_sales;	/* held back, units */
	int64_t			 retry_after_s;	/* 0: the engine decides */
	/* Etsy: 1 when this listing now shows 0 because the hub hid it
	 * (offering disabled or listing made inactive) and may show it
	 * again; the engine stores it in channel_listings.hidden after
	 * WRITTEN, HELD and UNCHANGED (not after RETRY or FAILED) */
	int			 hidden;
	char			 detail[256];	/* for the log and audit */
};

struct channel_ctx {
	struct db			*db;
	const struct config		*cfg;
	struct channel_account		*acct;
	/* epoch ms (clock_now_ms) past which an adapter does not wait out
	 * a throttled channel but answers ERR_RETRY at once, so a timer
	 * run ends within its budget; 0: no deadline */
	int64_t				 deadline_ms;
};

/* One place a buyer can buy on a channel, as the mapping audit lists
 * them (channel_ops.catalog): the same keys channel_listings uses. */
struct channel_place {
	char	 ext_listing[65];
	char	 ext_variant[256];
	char	 ext_location[65];	/* Shopify: the account's location */
	char	 sku[256];		/* as the channel shows it; "" none */
	char	 title[141];
	int	 listing_level_qty;	/* Etsy: the listing has variations
					 * but one quantity for all */
};

/* One listing's answer in a batch read (channel_ops.read_batch). */
struct channel_read {
	int		 rc;		/* as channel_ops.read returns */
	int64_t		 shown;
	struct err	 err;		/* when rc is -1 */
};

struct channel_ops {
	const char	*name;		/* "etsy", as in channel_accounts.type */
	/*
	 * Make the channel show p->desired for listing l. The adapter
	 * reads what the channel shows first, never writes back a unit
	 * the channel sold that the hub has not seen (compare-and-set
	 * where the channel has it, or hold the difference), and fills r.
	 * Returns 0 whenever r says what happened (also for RETRY and
	 * FAILED); -1 only for a local failure (e set).
	 */
	int	(*push)(struct channel_ctx *ctx, const struct channel_listing *l,
		    const struct channel_push *p, struct channel_result *r,
		    struct err *e);
	/*
	 * Optional (NULL when the channel has none): what the channel shows
	 * a buyer for listing l now, into *shown, without writing anything
	 * (reconciliation, lib/recon). One read call (Shopify: the
	 * inventory level; Etsy: getListingInventory, 0 when the offering
	 * is disabled or the listing inactive or sold out). Returns 0 read,
	 * 1 read and the channel itself marks the listing sold out (*shown
	 * is 0; Etsy's sold_out state), -1 with e set: ERR_NOTFOUND when
	 * the listing or variation is not on the channel (a mapping
	 * problem), ERR_RETRY for a transient failure (429, 5xx, timeout),
	 * another kind otherwise. Never puts a credential in e.
	 */
	int	(*read)(struct channel_ctx *ctx, const struct channel_listing *l,
		    int64_t *shown, struct err *e);
	/*
	 * Optional (NULL: the caller reads one listing at a time): the same
	 * as read for n listings of ctx's account in as few calls as the
	 * channel allows (Etsy: getListingsInventoryByListingIds, up to 100
	 * listing ids a call). out[i] gets listing i's answer exactly as
	 * read would give it (rc 0, 1 or -1 with err). *calls gets the API
	 * calls spent. Returns 0 whenever out says what happened; -1 only
	 * for a local failure (e set).
	 */
	int	(*read_batch)(struct channel_ctx *ctx,
		    const struct channel_listing *ls, size_t n,
		    struct channel_read *out, int *calls, struct err *e);
	/*
	 * Optional (NULL: no mapping audit for this channel): every place
	 * on sale in the account's shop now (Etsy: active listings with
	 * their inventory, 100 a page; Shopify: every product variant, 100
	 * a page), into a malloc'd array the caller
	 * frees; *calls gets the API calls spent. -1 with e set when the
	 * whole list could not be read (a partial list is never returned).
	 */
	int	(*catalog)(struct channel_ctx *ctx, struct channel_place **out,
		    size_t *n, int *calls, struct err *e);
};

/* The adapter of a type, or NULL when none is built in yet. */
const struct channel_ops *channel_ops_for(enum channel_type t);

/*
 * Replace the adapter of a type in this process (NULL: back to the built
 * in one). For the simulator (sim/), whose channels plug in exactly where
 * real adapters do; the programs never call it.
 */
void	channel_ops_override(enum channel_type t,
	    const struct channel_ops *ops);

/* "etsy" <-> CHANNEL_ETSY. */
const char *channel_type_name(enum channel_type t);
int	channel_type_parse(const char *name, enum channel_type *out);

/*
 * Create an account; creds (may be NULL) is sealed with the master key
 * before it is stored. *id gets the new id. An Etsy account without an
 * access_token starts paused: connecting it (OAuth) resumes it.
 */
int	channel_account_create(struct db *db, const struct config *cfg,
	    enum channel_type t, const char *name, const char *base_url,
	    const char *shop_ref, const json_t *creds,
	    const struct alloc_policy *policy, int manual_accept, int64_t *id,
	    struct err *e);

/* Load an account with its credentials opened. */
int	channel_account_load(struct db *db, const struct config *cfg,
	    int64_t id, struct channel_account *a, struct err *e);

/* Find an account by type and shop_ref (e.g. a Shopify shop domain). */
int	channel_account_find(struct db *db, const struct config *cfg,
	    enum channel_type t, const char *shop_ref,
	    struct channel_account *a, struct err *e);

/*
 * Inside the caller's transaction: lock the account row (SELECT ... FOR
 * UPDATE) and reload its credentials, so that one process at a time
 * refreshes a token (the others wait, then see the new one).
 */
int	channel_account_lock(struct db *db, const struct config *cfg,
	    struct channel_account *a, struct err *e);

/* Seal and store new credentials (e.g. a rotated refresh token); also
 * replaces a->creds with a copy of creds. */
int	channel_account_store_creds(struct db *db, const struct config *cfg,
	    struct channel_account *a, const json_t *creds, struct err *e);

/* Wipe and free the credentials. NULL-safe. */
void	channel_account_free(struct channel_account *a);

/*
 * The marketplace refused the refresh token (invalid_grant): pause the
 * account (pollers and the pusher skip it, losing nothing) and raise one
 * "token_revoked" alert per account asking for a reconnect. name is for
 * the message (may be NULL).
 */
int	channel_account_revoked(struct db *db, int64_t account_id,
	    const char *name, struct err *e);

/*
 * An account's intake caught up: every sale the channel made before at_s
 * (epoch seconds, the hub's clock) is in the ledger now. The intake of a
 * channel (a receipts poll, an order sweep) says so after committing a
 * whole window; the push engine then releases holds older than that no
 * sale explained (PUSH_HOLD_MARGIN_S). Only moves forward.
 */
int	channel_caught_up(struct db *db, int64_t account_id, int64_t at_s,
	    struct err *e);

/* Pause or resume an account; resuming makes its waiting pushes due. */
int	channel_account_set_paused(struct db *db, int64_t account_id,
	    int paused, struct err *e);

/*
 * Map a SKU to a place on a channel. ERR_NOTFOUND for an unknown SKU,
 * ERR_CONFLICT when that place is mapped already.
 */
int	channel_listing_map(struct db *db, int64_t account_id, const char *sku,
	    const char *ext_listing, const char *ext_variant,
	    const char *ext_location, const char *channel_sku, int64_t *id,
	    struct err *e);

int	channel_listing_load(struct db *db, int64_t id,
	    struct channel_listing *l, struct err *e);

/*
 * Find the listing for a place on a channel: 1 found, 0 not mapped, -1
 * error. ext_variant may be "" for "any".
 */
int	channel_listing_find(struct db *db, int64_t account_id,
	    const char *ext_listing, const char *ext_variant,
	    struct channel_listing *l, struct err *e);

/* The same by the variant part alone (a Shopify inventory item id). */
int	channel_listing_find_variant(struct db *db, int64_t account_id,
	    const char *ext_variant, struct channel_listing *l, struct err *e);

/*
 * What every channel listing of an item should show now: alloc over the
 * accounts that list it, for available = the item's available units (a
 * bundle or made-to-order item: bom_item_available(), computed from its
 * components). For one listing: *desired and the item version it was
 * computed at (version + derived_version, which also grows whenever a
 * component moves).
 */
int	channel_desired(struct db *db, int64_t listing_id, int64_t *desired,
	    int64_t *item_version, struct err *e);

#endif
