/*
 * recon: reconciliation, the safety net behind the push engine. A run
 * compares, for every mapped listing of every unpaused account (or of one
 * account), what the channel shows (channel_ops.read) with what the hub
 * says it should show (channel_desired) and with what it last pushed. A
 * difference of at least the run's threshold (default 1 unit: every unit
 * counts, since one unit shown too many is one oversell) is a
 * discrepancy: it is recorded with its likely cause (recon_classify),
 * raised as an alert (kind "discrepancy", one per listing), and, when the
 * account's recon_policy is 'repair' and a push can fix it, repaired by
 * queueing a push of the listing (push_queue_listing: the same guarded
 * path every write takes, which never writes back an unseen sale).
 *
 * Runs are chunked and resumable: recon_step() checks listings in id order
 * from the run's cursor until a deadline, a chunk size or a call
 * allowance, and the next call continues; the cursor moves past a group
 * of listings read together in the same transaction as their
 * discrepancies, counters and repairs, so a crash repeats no recorded
 * check and no repair (at worst the group's read), and a lease keeps two
 * processes off one run. recon_tick() is the
 * nightly schedule: it continues an unfinished all-accounts run, or starts
 * one when the last finished more than recon_schedule.every_s (default
 * 24 h) ago.
 *
 * API calls: listings of one account are read together where the
 * adapter has a batch read (channel_ops.read_batch; Etsy: 100 listings a
 * call), else one call per listing; the calls of a batch are counted
 * with its first listing (an Etsy token refresh or state lookup inside a
 * read is not counted separately). A step stops at opts.max_calls; the
 * tick spends at most RECON_TICK_MAX_CALLS.
 *
 * Missed webhooks: before its listings, a run sweeps each Shopify
 * account in scope: the orders updated since the account's watermark
 * minus RECON_SWEEP_OVERLAP_S (the first time, the last
 * RECON_SWEEP_FIRST_S) are listed (shopify_orders_since) and each is
 * applied through the webhook path's shopify_hook_order_lines() in its
 * own transaction, so an order the hub had changes nothing and one it
 * never received (a dropped webhook) is committed, or released when
 * cancelled, under the same event keys a late webhook would use. The
 * watermark moves to the newest updatedAt only once the whole window
 * went through, with the run's "missed webhooks repaired" count and the
 * calls spent (recon_sweeps keeps one row per run and account, so a
 * repeated step sweeps nothing twice). A sweep that fails is recorded as
 * failed and the account's listings are then read as having unseen
 * sales: a channel below what was pushed is never "repaired" upward.
 *
 * Threshold: an account's recon_threshold (set with the CLI, sql/010)
 * replaces the run's for that account's listings.
 *
 * Ownership: everything borrows its arguments; nothing is retained.
 */
#ifndef STOCKHUB_RECON_H
#define STOCKHUB_RECON_H

#include <stdint.h>
#include <stdio.h>

#include <jansson.h>

#include "buf.h"
#include "config.h"
#include "db.h"
#include "err.h"

#define RECON_THRESHOLD_DEFAULT	1
#define RECON_LISTING_BATCH	100	/* listing ids fetched per query, and
					 * at most one batch read's worth */
/* API calls one tick's step may spend (Etsy: 100 listings a call) */
#define RECON_TICK_MAX_CALLS	100
/* the sweep's window reaches this far before the watermark (Shopify's
 * search index lags a little) */
#define RECON_SWEEP_OVERLAP_S	600
/* and the first sweep of an account this far back (a delivery can come
 * up to a day late) */
#define RECON_SWEEP_FIRST_S	86400

enum recon_cause {
	RECON_NONE = 0,		/* no discrepancy */
	RECON_SALE_UNSEEN,	/* the channel sold units the hub has not
				 * applied yet */
	RECON_MANUAL_EDIT,	/* changed on the channel, not by a sale */
	RECON_LOST_PUSH,	/* the hub's figure never went out */
	RECON_MAPPING,		/* the listing is not on the channel */
	RECON_SOLD_OUT,		/* Etsy put the listing in sold_out */
	RECON__MAX
};

/* What a run knows about one listing. */
struct recon_obs {
	int	 found;		/* 0: the channel does not have it */
	int	 sold_out;	/* the channel marks it sold out */
	int64_t	 shown;		/* what the channel shows */
	int64_t	 desired;	/* what the hub says it should show */
	int	 has_last_pushed;
	int64_t	 last_pushed;
	int	 unseen_sales;	/* the channel has sales the hub has not
				 * applied (webhooks waiting, poll behind) */
};

/* 1 when a difference of diff units is a discrepancy for threshold
 * (|diff| >= threshold; a threshold below 1 counts as 1). Pure. */
int	recon_over(int64_t diff, int64_t threshold);

/*
 * The likely cause, in this order: not found -> MAPPING; within the
 * threshold -> NONE; shows less than last pushed while sales are unseen
 * -> SALE_UNSEEN; sold out -> SOLD_OUT; desired differs from last pushed
 * (or nothing was ever pushed) -> LOST_PUSH; else (the channel moved away
 * from what was pushed, no sale to explain it) -> MANUAL_EDIT. Pure.
 */
enum recon_cause recon_classify(const struct recon_obs *o, int64_t threshold);

/* "manual_edit" (as stored) and "manual edit on the channel" (for
 * people). Pure. */
const char *recon_cause_name(enum recon_cause c);
const char *recon_cause_label(enum recon_cause c);

/* 1 when a push can repair a discrepancy of this cause. Pure. */
int	recon_repairable(enum recon_cause c);

struct recon_opts {
	int64_t	 account_id;	/* 0: every unpaused account */
	int64_t	 threshold;	/* 0: RECON_THRESHOLD_DEFAULT */
	int64_t	 max_calls;	/* stop a step once it spent this many API
				 * calls; 0: no limit */
	int	 chunk;		/* at most this many listings per step; 0:
				 * until the deadline */
};

struct recon_report {
	int64_t	 run_id;
	int64_t	 account_id;	/* 0: every account */
	int	 done;
	int64_t	 steps;
	int64_t	 checked;
	int64_t	 unreadable;
	int64_t	 discrepancies;
	int64_t	 by_cause[RECON__MAX];
	int64_t	 repairs;
	int64_t	 api_calls;	/* listing reads and order sweeps */
	int64_t	 missed_repaired; /* Shopify orders the sweep applied */
	char	 started[40];
	char	 finished[40];	/* "" while running */
};

/*
 * Start a run (origin "manual" or "schedule") with o's scope and
 * threshold, or continue the unfinished one of that scope: *run_id.
 */
int	recon_start(struct db *db, const struct recon_opts *o,
	    const char *origin, int64_t *run_id, struct err *e);

/*
 * Check listings of the run from its cursor until deadline_ms (epoch
 * ms), o->chunk listings, or the end (then the run is done). *done is 1
 * when the run is finished. Another process holding the run is not an
 * error: nothing is done and *done stays 0.
 */
int	recon_step(struct db *db, const struct config *cfg, int64_t run_id,
	    const struct recon_opts *o, int64_t deadline_ms, int *done,
	    struct err *e);

/*
 * The nightly schedule, for the timer tick: continue the unfinished
 * all-accounts run or start one when due, then step it until deadline_ms.
 * *run_id is the run stepped (0: none due).
 */
int	recon_tick(struct db *db, const struct config *cfg,
	    int64_t deadline_ms, int64_t *run_id, int *done, struct err *e);

int	recon_report_load(struct db *db, int64_t run_id,
	    struct recon_report *r, struct err *e);

/* The report as text: listings checked, discrepancies by cause, repairs,
 * API calls; "clean" when there was no discrepancy. */
void	recon_report_print(const struct recon_report *r, FILE *f);

/*
 * The report of a run as JSON: {"run": {run_id, account_id, state,
 * started, finished, steps, checked, unreadable, discrepancies, by_cause
 * {cause: n}, repairs, api_calls, clean}, "discrepancies": [{listing_id,
 * account_id, account, sku, ext_listing, ext_variant, hub_desired,
 * last_pushed, channel_shows, difference, cause, action, detail, at}]}.
 * *out is the caller's (json_decref).
 */
int	recon_report_json(struct db *db, int64_t run_id, json_t **out,
	    struct err *e);

/* That report's discrepancies as CSV (RFC 4180, CRLF, a header line),
 * appended to out. Pure. */
int	recon_report_csv(const json_t *report, struct buf *out,
	    struct err *e);

/* "recon_policy=report|repair" or "recon_threshold=N|default" for an
 * account. ERR_INVALID for anything else, ERR_NOTFOUND for no account. */
int	recon_account_set(struct db *db, int64_t account_id,
	    const char *setting, struct err *e);

#endif
