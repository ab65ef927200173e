/*
 * bufrec: the smallest safety buffer that keeps the chance of an
 * oversell under a target, from measured sales velocity and measured
 * sync latency, instead of a static percentage.
 *
 * The model (per SKU, per channel c). Channel c shows what the hub knew
 * at its last push. Sales on every other channel j reach the hub after
 * their detection latency D_j (webhook delay, poll interval) and reach c
 * after c's push latency P_c more; during that window c may show units
 * that are already gone. The units sold elsewhere and not yet reflected
 * on c are Poisson with mean
 *     mu_c = sum over j != c of  rate_j * (D_j + P_c).
 * An oversell on c needs more than h of them (h = c's holdback) and a
 * buyer on c inside the window, so
 *     P(oversell) ~= P(N > h) * (1 - exp(-rate_c * W_c)),
 *     W_c = mu_c / sum over j != c of rate_j   (the mean window).
 * The recommendation is the smallest h with P(oversell) <= target.
 *
 * The pure part (tails, holdbacks, classes, the explanation) does no I/O
 * and is unit-tested against hand-computed Poisson tails. bufrec_measure()
 * and bufrec_account() read the database (velocity from
 * channel_order_lines, push latency from channel_writes against the
 * movements they carried); bufrec_apply() writes per-listing holdbacks
 * (channel_listings.holdback_units, sql/012) and queues the pushes.
 *
 * Ownership: callers own every array passed in; nothing is allocated
 * that the caller must free.
 */
#ifndef STOCKHUB_BUFREC_H
#define STOCKHUB_BUFREC_H

#include <stddef.h>
#include <stdint.h>

#include "db.h"
#include "err.h"

#define BUFREC_MAX_CHANNELS	8
#define BUFREC_MAX_UNITS	1000	/* a recommendation never exceeds this */
#define BUFREC_TARGET		0.001	/* default: 1 in 1,000 windows */
#define BUFREC_CLASSES		5

/* P(N > h) for N ~ Poisson(mu); 0 for mu <= 0. Pure. */
double	bufrec_tail(double mu, int64_t h);

/* The smallest h >= 0 with scale * P(N > h) <= target (N ~ Poisson(mu)),
 * at most BUFREC_MAX_UNITS. Pure. */
int64_t	bufrec_units(double mu, double scale, double target);

/* What was measured for one channel (account). */
struct bufrec_channel {
	double	 detect_s;	/* a sale here reaches the hub (p95) */
	double	 push_s;	/* the hub's figure reaches this channel (p95) */
};

struct bufrec_out {
	int64_t	 units;		/* the recommended holdback */
	double	 mu;		/* expected units sold elsewhere, unseen */
	double	 window_s;	/* the mean window, seconds */
	double	 p_oversell;	/* with that holdback */
};

/*
 * The recommendation for channel c of one SKU that sells rate[j] units
 * per day on channel j (n channels). -1 with ERR_INVALID for n or c out
 * of range, a negative or non-finite input, target outside (0, 1). Pure.
 */
int	bufrec_recommend(const double *rate_per_day,
	    const struct bufrec_channel *ch, size_t n, size_t c, double target,
	    struct bufrec_out *out, struct err *e);

/* Velocity classes by total units a day: 0 "<0.1/day", 1 "<0.5/day",
 * 2 "<2/day", 3 "<10/day", 4 ">=10/day". Pure. */
int	bufrec_class(double total_per_day);
const char *bufrec_class_name(int cls);

/* One line for a person: why this holdback. Pure. */
int	bufrec_explain(const struct bufrec_out *o, double target, char *buf,
	    size_t bufsz);

/* One row of an account's recommendation (bufrec_account). */
struct bufrec_row {
	int	 cls;		/* velocity class */
	int	 skus;		/* listings of this account in the class */
	double	 rate_max;	/* the fastest of them, units/day, all channels */
	int64_t	 units;		/* recommended holdback for the class */
	double	 configured_pct;	/* the account's buffer today */
	int64_t	 configured_units;
	char	 why[200];
};

/*
 * Measure the last `days` days: the velocity of every item per account
 * (channel_order_lines) and each account's push latency (p95 of the time
 * from a movement to the channel write that carried it); detection
 * latency is the account's polling interval for Etsy (etsy_poll_state),
 * 5 s for Shopify webhooks and 900 s for channels polled slowly. Then
 * the recommendation of one account per velocity class (the class's
 * fastest SKU decides), with the configured buffer next to it. rows has
 * room for BUFREC_CLASSES; *n gets the classes that have listings.
 */
int	bufrec_account(struct db *db, int64_t account_id, int days,
	    double target, struct bufrec_row *rows, size_t *n, struct err *e);

/*
 * Write the per-listing recommendation (per SKU, from the same
 * measurements) of every listing into channel_listings.holdback_units and
 * queue a push of each listing whose holdback changed. *changed (may be
 * NULL) gets how many.
 */
int	bufrec_apply(struct db *db, int days, double target, int *changed,
	    struct err *e);

/*
 * Set one listing's holdback (units; -1: back to the account's buffer)
 * and queue a push of it so the channel follows.
 */
int	bufrec_set(struct db *db, int64_t listing_id, int64_t units,
	    struct err *e);

#endif
