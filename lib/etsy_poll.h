/*
 * etsy_poll: Etsy sales in. Etsy pushes nothing to ordinary apps, so the
 * tick polls each Etsy account's receipts (getShopReceipts, channel-
 * apis.md 1.3) and applies every transaction through lib/orders exactly
 * once (keyed by transaction id), the same way Shopify webhooks are.
 *
 * The window: min_last_modified = the last *confirmed* watermark less an
 * overlap (default 300 s) for lag and clock skew, sort_on=updated
 * ascending, every page followed. The watermark is the newest
 * updated_timestamp seen (Etsy's own clock, so the hub's clock does not
 * matter) and moves only after the whole window was committed. A poll
 * that fails or stops half way (timeout, 429, 5xx, malformed answer, the
 * tick's time budget) leaves the account dirty and the watermark where it
 * was, so the next success covers everything since the last confirmed
 * poll however many attempts failed in between (the article's "Stale
 * Quantities After API Timeout" fix).
 *
 * Cancellations and refunds do not move updated_timestamp (1.4), so a
 * slower sweep (default every 30 min) re-reads was_canceled=true receipts
 * created in the last sweep_days (30) and releases what is still
 * committed of their lines, and re-reads the last refund_days (7) of
 * receipts for refunds: Etsy refunds carry no restock data, so each
 * refunded receipt raises one "etsy_refund" alert for a person. The
 * account's cancel_policy 'restock' also returns units the hub already
 * shipped when an order is cancelled (default 'release').
 *
 * Budget: a 429's retry-after is stored (not_before) and no call goes out
 * before it; below reserve_pct of x-limit-per-day left in
 * x-remaining-today the account is polled 4 times less often. Cost: one
 * call per poll (plus one per further 100 receipts in the window), two
 * per sweep (plus pages), one token refresh an hour.
 *
 * The pure part (parse a receipts page, the variation key, the window and
 * watermark arithmetic, the cadence) does no I/O and is unit tested.
 *
 * Ownership: etsy_poll_page_parse() fills a page that owns its arrays;
 * free with etsy_poll_page_free(). Everything else borrows.
 */
#ifndef STOCKHUB_ETSY_POLL_H
#define STOCKHUB_ETSY_POLL_H

#include <stddef.h>
#include <stdint.h>

#include "budget.h"
#include "config.h"
#include "db.h"
#include "err.h"

#define ETSY_POLL_LIMIT		100	/* receipts per page (Etsy's max) */
#define ETSY_POLL_PAGES_MAX	500	/* pages in one window */
#define ETSY_POLL_TXNS_MAX	1000	/* transactions in one receipt */
#define ETSY_POLL_VARS_MAX	16	/* variations in one transaction */
#define ETSY_POLL_KEY_MAX	256	/* = channel_listings.ext_variant + 1 */
#define ETSY_POLL_EPOCH_MIN	946684800	/* Etsy's minimum timestamp */
#define ETSY_POLL_SLOW_FACTOR	4	/* cadence when the quota runs low */

/* One variation a buyer chose: "Color" = "Red". */
struct etsy_poll_var {
	char	 name[128];
	char	 value[128];
};

struct etsy_poll_txn {
	int64_t	 transaction_id;
	int64_t	 listing_id;		/* 0 when null */
	int64_t	 quantity;
	char	 sku[256];		/* "" when null */
	char	 title[128];		/* shortened; for alerts */
	/* the variation key built from variations[] (personalizations
	 * left out) and from product_data[]; "" when there is none */
	char	 variant[ETSY_POLL_KEY_MAX];
	char	 variant_pd[ETSY_POLL_KEY_MAX];
};

struct etsy_poll_receipt {
	int64_t			 receipt_id;
	int64_t			 updated;	/* updated_timestamp */
	int64_t			 created;
	char			 status[32];
	int			 canceled;	/* status "canceled" */
	size_t			 nrefunds;
	int64_t			 refunded;	/* sum of the amounts */
	int64_t			 refund_divisor;
	char			 currency[8];
	struct etsy_poll_txn	*txns;
	size_t			 ntxns;
};

struct etsy_poll_page {
	int64_t				 count;	/* Etsy's total; -1 absent */
	struct etsy_poll_receipt	*receipts;
	size_t				 n;
};

/*
 * Parse a getShopReceipts answer ({count, results:[ShopReceipt]}); with
 * single set, one ShopReceipt (getShopReceipt) as a page of one. Every
 * field used is type- and range-checked; a wrong one is refused with
 * ERR_INVALID and a message naming it ("results[1].transactions[0].
 * quantity: not an integer"); a body that is not JSON gives ERR_RETRY (a
 * truncated answer). pg is zeroed first and owns everything after
 * success; on failure it holds nothing. Pure.
 */
int	etsy_poll_page_parse(const char *body, size_t len, int single,
	    struct etsy_poll_page *pg, struct err *e);

/* NULL-safe; leaves pg zeroed. */
void	etsy_poll_page_free(struct etsy_poll_page *pg);

/*
 * The variation key as channel_listings.ext_variant stores it for Etsy
 * (the same as etsy_variant_key): "Name=Value;Name2=Value2" sorted by
 * name (byte order), "" for none. Returns 0, or -1 when it does not fit
 * (out is then ""). Pure.
 */
int	etsy_poll_variation_key(const struct etsy_poll_var *v, size_t n,
	    char *out, size_t outsz);

/* min_last_modified for a confirmed watermark: watermark - overlap, never
 * below Etsy's minimum. Pure. */
int64_t	etsy_poll_window_start(int64_t watermark, int64_t overlap_s);

/* The watermark after a whole window was committed: the newest
 * updated_timestamp seen (max_seen 0: none seen), never backwards. Pure. */
int64_t	etsy_poll_next_watermark(int64_t confirmed, int64_t max_seen);

/*
 * Seconds between polls: interval_s, times ETSY_POLL_SLOW_FACTOR when
 * fewer than reserve_pct % of limit_per_day calls remain today, at least
 * 600 when none remain (-1: unknown). Pure.
 */
int64_t	etsy_poll_interval(int64_t interval_s, int64_t reserve_pct,
	    int64_t remaining_today, int64_t limit_per_day);

/*
 * The adaptive interval of one account (budget.h): budget_interval() of
 * cad (its high-traffic switch, last sale, minimum, busy/normal/quiet
 * intervals) with what is left today of the poll share of per_day under
 * split (less the sweep's calls until the day ends), then
 * etsy_poll_interval()'s slowdown below reserve_pct. Pure.
 */
struct etsy_poll_cadence_in {
	struct budget_cadence	 cad;		/* now set; poll_left ignored */
	int64_t			 per_day;
	struct budget_split	 split;
	int64_t			 poll_used;	/* poll calls made today */
	int64_t			 sweep_every_s;
	int64_t			 reserve_pct;
	int64_t			 remaining_today, limit_per_day; /* -1 */
};

int64_t	etsy_poll_cadence(const struct etsy_poll_cadence_in *in);

/* 1 when a poll is due at now: not before not_before, and interval after
 * the last attempt (less a few seconds of tick jitter). Pure. */
int	etsy_poll_due(int64_t now, int64_t last_attempt, int64_t not_before,
	    int64_t interval_s);

/* What one run did (counts add up over accounts). */
struct etsy_poll_stats {
	int	 accounts;	/* Etsy accounts looked at */
	int	 polled;	/* polls attempted */
	int	 failed;	/* of which failed or partial */
	int	 swept;		/* sweeps completed */
	int	 calls;		/* API calls made */
	int	 receipts;	/* receipts read by polls (not sweeps) */
	int	 committed;	/* lines newly committed */
	int	 released;	/* lines with units newly released */
	int	 unmapped;	/* unmapped-sale alerts raised */
	int	 refunds;	/* etsy_refund alerts raised */
	char	 error[256];	/* the last failure, no secrets */
};

struct etsy_poll_opts {
	int64_t	 now;		/* hub clock, epoch s; 0: time(NULL) */
	int64_t	 deadline_ms;	/* no call starts after it; 0: none */
	int	 force;		/* poll even if the cadence says not yet
				 * (not_before is obeyed all the same) */
	int	 force_sweep;	/* sweep even if not due */
	int	 page_limit;	/* 1..100; 0: 100 (tests lower it) */
};

/*
 * Poll one Etsy account when due (and sweep when that is due), recording
 * the outcome in etsy_poll_state. A paused or non-Etsy account is
 * skipped. Returns 0 when the account was handled, including a failed
 * poll (st->failed, st->error); -1 on a local failure (database), e set.
 * o may be NULL (defaults); st accumulates.
 */
int	etsy_poll_account(struct db *db, const struct config *cfg,
	    int64_t account_id, const struct etsy_poll_opts *o,
	    struct etsy_poll_stats *st, struct err *e);

/*
 * Apply one receipt (a getShopReceipt answer, body/len) for an account
 * the way a poll does (orders_commit per transaction, keyed by the
 * transaction id, so a receipt seen by a poll and by the ORDER_PAID
 * webhook counts once), in the caller's transaction (db_tx). *committed
 * gets the lines newly committed. ERR_INVALID for a body that is not a
 * receipt of that shop.
 */
int	etsy_poll_apply_receipt(struct db *db, const struct config *cfg,
	    int64_t account_id, const char *body, size_t len, int *committed,
	    struct err *e);

/* The sale clock: a sale was seen at now (the cadence turns busy). */
int	etsy_poll_note_sale(struct db *db, int64_t account_id, int64_t now,
	    struct err *e);

/*
 * For the tick: every Etsy account that is not paused, polled when due,
 * until deadline_ms (milliseconds since the epoch). One account's local
 * failure is logged and the others still run; returns -1 (e: the last
 * such failure) when any failed. st is zeroed first.
 */
int	etsy_poll_run(struct db *db, const struct config *cfg,
	    int64_t deadline_ms, struct etsy_poll_stats *st, struct err *e);

/*
 * When the next sub-minute poll is due (epoch s) among unpaused Etsy
 * accounts whose current interval is under 60 s: 1 with *at set, 0 when
 * none is, -1 error. The tick uses it to poll again within one run.
 */
int	etsy_poll_next_due(struct db *db, int64_t *at, struct err *e);

#endif
