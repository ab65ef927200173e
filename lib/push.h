/*
 * push: the outbox that makes every channel follow the ledger.
 *
 * push_touch() is the ledger's touch hook: in the same transaction as a
 * movement it raises want_version on the queue row of every listing of
 * the item (one row per listing, so a burst of sales coalesces into one
 * write). push_run() claims due rows one at a time with SELECT ... FOR
 * UPDATE SKIP LOCKED plus a lease (so two runners never push one listing
 * at once), computes what the listing should show from the ledger at that
 * moment (channel_desired), asks the channel's adapter to show it, and
 * records the outcome: done, retry with backoff (Retry-After honoured),
 * or dead with an alert. Every attempt lands in push_log; every write in
 * channel_writes (for echo suppression).
 */
#ifndef STOCKHUB_PUSH_H
#define STOCKHUB_PUSH_H

#include <stdint.h>

#include "clock.h"
#include "config.h"
#include "db.h"
#include "err.h"
#include "ledger.h"

#define PUSH_LEASE_S		60
#define PUSH_BACKOFF_MAX_S	60
#define PUSH_ALERT_ATTEMPTS	10
/*
 * Coalescing: after a push a listing is not pushed again for this long;
 * the sales of that window go out in one write. A runner that finds a
 * row due within this long claims it (the lease keeps others off) and
 * waits for it, so the write still goes out within seconds.
 */
#define PUSH_PACE_MS		1000
/*
 * A settled row (done_version caught up with want_version) parks its
 * next_at here, out of the claim query's index range (dead, next_at), so
 * finding due rows costs what is due, not the size of the catalog; the
 * touch that raises want_version brings it back, due at the listing's
 * last push plus PUSH_PACE_MS (or now, if that has passed). SQL text.
 */
#define PUSH_PARKED_SQL		"'2038-01-01 00:00:00'"
/* The unparking assignment for a touch's ON DUPLICATE KEY UPDATE, after
 * want_version's; the touch selects from channel_listings as l and binds
 * one more parameter, PUSH_PACE_MS * 1000. The pace comes from the row's
 * own paced_until (read under the row's lock, so never older than the
 * push that parked it); l.last_pushed_at, which the touch read from its
 * statement's snapshot and may predate that push, only for a row parked
 * before paced_until existed. */
#define PUSH_UNPARK_SQL	"next_at = IF(next_at >= " PUSH_PARKED_SQL \
	" AND want_version > done_version, GREATEST(" CLOCK_NOW_SQL ", " \
	"COALESCE(paced_until, l.last_pushed_at + INTERVAL ? MICROSECOND, " \
	CLOCK_NOW_SQL ")), next_at)"

/*
 * A push that finds the channel showing less than the hub last pushed
 * holds the difference back: sales the hub has not seen yet. Once the
 * account's intake has caught up past the hold's start by this margin
 * (channel_caught_up: a later receipts poll or order sweep committed
 * whole, and Etsy's listings lag its receipts by seconds) and the hold
 * is still there, no sale explains it (the seller lowered the quantity
 * by hand on the channel): it is released, the next push writes what the
 * ledger says, and an alert tells the seller.
 */
#define PUSH_HOLD_MARGIN_S	120

struct push_stats {
	int	 claimed;
	int	 written;
	int	 unchanged;
	int	 held;
	int	 retried;
	int	 failed;
	int	 released;	/* holds released (PUSH_HOLD_MARGIN_S) */
};

/* The ledger touch hook (arg unused). */
int	push_touch(struct db *db, const struct ledger_item *it, void *arg,
	    struct err *e);

/* Queue a push of one listing (after mapping it, or to repair). */
int	push_queue_listing(struct db *db, int64_t listing_id, struct err *e);

/*
 * Make every listing whose hold expired (PUSH_HOLD_MARGIN_S) due, so the
 * release does not wait for the item to move; *n counts them (at most 64
 * a call). Paused accounts wait for their resume. The timer's work
 * (jobs_run), not every push run's: a webhook's push run stays one claim.
 */
int	push_queue_expired_holds(struct db *db, int *n, struct err *e);

/*
 * Run due pushes until none is due or the clock passes deadline_ms
 * (milliseconds since the epoch). worker names the runner in the queue
 * (host:pid). st may be NULL.
 */
int	push_run(struct db *db, const struct config *cfg, const char *worker,
	    int64_t deadline_ms, struct push_stats *st, struct err *e);

/* Milliseconds since the epoch (real time). */
int64_t	push_now_ms(void);

#endif
