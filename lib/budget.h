/*
 * budget: how many Etsy API calls the hub may make, and how often it
 * polls (issue #5 "Budget and cadence"). Pure: no I/O, no global state,
 * no allocation; the database side (counting today's calls per account
 * and purpose, the per-second window shared by every process) is in
 * lib/etsy.c's single call path and sql/008.
 *
 * Etsy limits an app to x-limit-per-second calls a second and
 * x-limit-per-day a (rolling) day; historically 10/s and 10,000/day
 * (channel-apis.md 1.7). The day is split between three purposes so one
 * cannot starve another:
 *
 *   poll   receipts polling, the cancellation sweep and ORDER_PAID fetches
 *   push   inventory pushes (read the listing, write it back)
 *   recon  the nightly reconciliation's reads
 *
 * Default shares: poll 65 %, push 20 %, recon 10 %, and 5 % never
 * planned (headroom for token calls and the admin's connect). Of 10,000 a
 * day that is 6,500 poll calls (polling every 15 s all day is 5,760),
 * 2,000 push calls (a sale moves one listing: two calls) and 1,000 recon
 * calls (a 500-listing shop read one listing a call, twice over).
 *
 * The adaptive interval: busy (a sale within busy_window_s, or the
 * seller's high-traffic switch on) polls every busy_s (15 s); quiet (no
 * sale for quiet_after_s) every quiet_s; otherwise normal_s. Never below
 * min_s, and never faster than what is left of the poll share can pay for
 * until the end of the (UTC) day.
 *
 * Ownership: everything is caller storage; nothing is retained.
 */
#ifndef STOCKHUB_BUDGET_H
#define STOCKHUB_BUDGET_H

#include <stddef.h>
#include <stdint.h>

enum budget_purpose {
	BUDGET_NONE = 0,	/* not tagged: the adapter picks (push/read) */
	BUDGET_POLL,
	BUDGET_PUSH,
	BUDGET_RECON,
	BUDGET__MAX
};

#define BUDGET_PER_SECOND	10	/* when Etsy has not said */
#define BUDGET_PER_DAY		10000
#define BUDGET_POLL_PCT		65
#define BUDGET_PUSH_PCT		20
#define BUDGET_RECON_PCT	10

#define BUDGET_MIN_S		15	/* the fastest polling allowed */
#define BUDGET_BUSY_S		15
#define BUDGET_NORMAL_S		60
#define BUDGET_QUIET_S		300
#define BUDGET_BUSY_WINDOW_S	3600	/* a sale this recent: busy */
#define BUDGET_QUIET_AFTER_S	86400	/* no sale for this long: quiet */

/* "poll", "push", "recon"; "none" for BUDGET_NONE; NULL out of range. */
const char *budget_purpose_name(enum budget_purpose p);

/* The reverse; -1 for anything else (also "none"). */
int	budget_purpose_parse(const char *s, enum budget_purpose *p);

/* Percent of the day's calls per purpose; the sum is at most 100. */
struct budget_split {
	int	 pct[BUDGET__MAX];	/* index BUDGET_NONE unused */
};

/* The default split (65/20/10). */
void	budget_split_default(struct budget_split *s);

/* 0 when every share is 0..100 and they add up to at most 100, else -1. */
int	budget_split_valid(const struct budget_split *s);

/* Calls a purpose may make in a day of per_day calls (rounded down);
 * 0 for BUDGET_NONE or a bad purpose. */
int64_t	budget_share(int64_t per_day, const struct budget_split *s,
	    enum budget_purpose p);

enum budget_verdict {
	BUDGET_OK = 0,
	BUDGET_SHARE_SPENT,	/* this purpose's share of today is used */
	BUDGET_DAY_SPENT	/* Etsy says nothing is left today */
};

/*
 * May one more call of purpose p go out? used is today's calls of that
 * purpose; remaining_today Etsy's x-remaining-today (-1 unknown).
 */
enum budget_verdict budget_check(int64_t per_day,
	    const struct budget_split *s, enum budget_purpose p, int64_t used,
	    int64_t remaining_today);

/*
 * The per-second limiter, a sliding window: at most limit calls start in
 * any BUDGET_WINDOW_MS (a second plus a margin for the network's jitter,
 * so Etsy counts no more than limit in any one of its seconds, fixed or
 * rolling). used calls started in the window before now_ms, the oldest
 * of them at oldest_ms. Milliseconds to wait; 0: go now.
 */
#define BUDGET_WINDOW_MS	1100
int64_t	budget_second_wait(int64_t now_ms, int64_t oldest_ms, int64_t used,
	    int64_t limit);

/* Seconds until the end of the UTC day that now (epoch s) is in; 1..86400. */
int64_t	budget_day_left(int64_t now);

struct budget_cadence {
	int64_t	 now;		/* epoch s */
	int64_t	 last_sale;	/* epoch s of the last sale seen; 0 never */
	int	 high_traffic;	/* the seller's switch */
	int64_t	 min_s;		/* never poll more often (>= 1) */
	int64_t	 busy_s, normal_s, quiet_s;
	int64_t	 busy_window_s, quiet_after_s;
	int64_t	 poll_left;	/* poll calls left today; -1 unknown */
	int64_t	 reserve;	/* of those, kept for the sweep */
};

/* The defaults above, now and last_sale 0, poll_left unknown. */
void	budget_cadence_default(struct budget_cadence *c);

/* Seconds until the next poll (see the top comment). */
int64_t	budget_interval(const struct budget_cadence *c);

/* What a shop's settings cost a day (the article's polling table). */
struct budget_cost_in {
	int64_t	 listings;		/* mapped Etsy listings */
	int64_t	 orders_per_day;	/* sales on every channel */
	int64_t	 interval_s;		/* polling all day at this */
	int64_t	 sweep_every_s;		/* cancellation sweep (2 calls) */
	int64_t	 push_calls;		/* per sale: read + write = 2 */
	int64_t	 recon_per_call;	/* listings one recon call reads */
	int64_t	 per_day;		/* the daily limit */
};

struct budget_cost {
	int64_t	 polls;			/* poll cycles a day */
	int64_t	 calls[BUDGET__MAX];	/* per purpose */
	int64_t	 token;			/* refreshes (hourly) */
	int64_t	 total;
	int64_t	 latency_s;		/* worst sale-to-hub delay */
	int	 fits;			/* each purpose within its share */
};

/* Defaults: 500 listings, 50 orders, 60 s, 1800 s sweep, 2, 1, 10,000. */
void	budget_cost_default(struct budget_cost_in *in);

/* Fill out for in under split s. Returns 0, or -1 for a non-positive
 * interval, sweep, push_calls, recon_per_call or per_day. */
int	budget_cost_compute(const struct budget_cost_in *in,
	    const struct budget_split *s, struct budget_cost *out);

#endif
