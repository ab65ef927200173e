/*
 * sim: the oversell simulator (issue #9). A seeded shop over virtual
 * time: buyers arrive per SKU and channel, simulated channels sell what
 * they show and hand their orders to the hub through webhooks or polls,
 * and the hub's own code (ledger, orders, push outbox and its
 * decisions, alloc, Etsy poll cadence and watermark, bufrec) runs on a
 * real MariaDB with lib/clock in virtual time. An independent truth model
 * counts what was really there.
 *
 * One file per concern: rng.c (seeded randomness), evq.c (the event
 * queue), market.c (the simulated channels and their channel_ops),
 * truth.c (the truth model and the metrics), hub.c (driving the hub's
 * code: orders in, pushes out, pollers, buffers), report.c (JSON,
 * markdown, SVG), main.c (the four policies side by side).
 *
 * Ownership: struct sim owns every array it points to (sim_free).
 */
#ifndef STOCKHUB_SIM_H
#define STOCKHUB_SIM_H

#include <stddef.h>
#include <stdint.h>

#include "channel.h"
#include "config.h"
#include "db.h"
#include "err.h"

enum { CH_ETSY, CH_SHOPIFY, CH_AMAZON, CH_EBAY, NCH };

enum policy {
	POL_BATCH15,		/* (a) 15-minute batch sync, no buffers */
	POL_POLL2,		/* (b) 2-minute polling everywhere, no buffers */
	POL_STATIC,		/* (c) the hub, the article's static buffers */
	POL_RECOMMENDED,	/* (d) the hub, bufrec's buffers */
	NPOL
};

#define SIM_T0_MS	INT64_C(1893456000000)	/* 2030-01-01T00:00:00Z */
#define SIM_DAY_MS	INT64_C(86400000)
#define SIM_MAX_BURSTS	8
#define REPORT_BINS	12	/* latency histogram, log scale */

struct sim_params {
	uint64_t	 seed;
	int		 days;
	int		 skus;
	double		 orders_per_day;
	int		 viral_day;	/* 0-based; -1 none */
	double		 viral_factor;
	double		 target;	/* bufrec's oversell target */
	int		 only;		/* run only this policy; -1 all */
};

/* ---- rng.c ---- */
struct rng { uint64_t s[4]; };
void	rng_seed(struct rng *r, uint64_t seed, uint64_t stream);
double	rng_u01(struct rng *r);			/* (0, 1) */
double	rng_exp(struct rng *r, double mean);
double	rng_unif(struct rng *r, double lo, double hi);

/* ---- evq.c ---- */
enum ev_kind {
	EV_ARRIVAL,	/* a: stream (sku * NCH + channel) */
	EV_APPLY,	/* a: channel, b: sku, x: delta (a write takes effect) */
	EV_HOOK,	/* a: sale, b: attempt (a Shopify webhook delivery) */
	EV_TICK,	/* the timer: pollers, batch syncs, buffers */
	EV_PUSH,	/* run the push outbox */
	EV_RESTOCK,	/* b: sku, x: units (a batch is ready) */
	EV_SAMPLE	/* hidden-stock sample */
};

struct ev {
	int64_t		 t;	/* virtual ms */
	uint64_t	 seq;
	int		 kind;
	int		 a, b;
	int64_t		 x;
};

struct evq {
	struct ev	*v;
	size_t		 n, cap;
	uint64_t	 seq;
};
int	evq_push(struct evq *q, int64_t t, int kind, int a, int b, int64_t x);
int	evq_pop(struct evq *q, struct ev *out);	/* 1 popped, 0 empty */
void	evq_free(struct evq *q);

/* ---- one sale on a channel ---- */
struct sale {
	int		 sku, ch, qty;
	int64_t		 t;		/* when the buyer bought */
	int64_t		 t_vis;		/* visible in the channel's order API */
	int64_t		 t_commit;	/* the hub applied it; 0 not yet */
	int64_t		 oversold;	/* units beyond the true stock */
	unsigned	 prop_left;	/* channels yet to show it (bits) */
	int64_t		 t_prop;	/* latest of those */
	int		 deliveries;	/* webhook deliveries that arrived */
};

/* ---- market.c: the simulated channels ---- */
struct chan {
	int		 type;		/* CH_* */
	int64_t		 account_id;
	int64_t		*listing;	/* per sku: channel_listings.id */
	int64_t		*shown;		/* per sku: what buyers see */
	int64_t		*api;		/* per sku: what the API reads */
	int		*revisions;	/* per sku: writes today (eBay cap) */
	int		 rev_day;
	/* token bucket for pushes */
	double		 tokens;
	int64_t		 tokens_t;
	/* calls, per kind */
	int64_t		 calls_poll, calls_push, calls_failed;
	int64_t		 calls_day_max;	/* worst day, all kinds */
	int64_t		*calls_by_day;
	int64_t		 calls_24h[24];	/* rolling quota (Etsy) */
	int		 hour_slot;
	/* the channel's orders, in the order they were placed */
	int		*sales;
	size_t		 nsales, capsales, cursor;
	/* poller state (the hub's side) */
	int64_t		 wm;		/* watermark (s for Etsy, ms else) */
	int64_t		 last_attempt_s;
	int64_t		 not_before_s;
	int64_t		 last_sweep_s;
};

struct lat { double *v; size_t n, cap; };
int	lat_add(struct lat *l, double x);
double	lat_pct(struct lat *l, double p);	/* sorts; NAN when empty */
void	lat_free(struct lat *l);

struct metrics {
	int64_t		 orders, units, lost_buyers;
	int64_t		 oversold_units, oversold_orders;
	double		 hidden_units, sellable_units;	/* summed over samples */
	double		 hidden_by_ch[NCH], sellable_by_ch[NCH];
	struct lat	 prop;		/* s: sale -> every other channel */
	struct lat	 etsy_detect;	/* s: Etsy sale -> hub ledger */
	struct lat	 detect[NCH];
	struct lat	 push_lat[NCH];	/* s: push call -> buyers see it */
	int64_t		 duplicates;	/* repeats the ledger refused */
	int64_t		 hooks_sent, hooks_dup, hooks_lost;
	int64_t		 pushes, push_retries;
	double		 calls_per_day[NCH], calls_day_max[NCH];
	int64_t		 holdback_changes;
	double		 wall_s;
	/* the invariants */
	int64_t		 ledger_bad, truth_mismatch, lines_missing,
			 lines_extra;
	/* kept after the sample arrays are freed */
	double		 prop_p[3], etsy_p[3];	/* p50, p95, p99 */
	double		 prop_hist[REPORT_BINS];	/* share per bin */
	int		 ran;
};

/* ---- the whole simulation of one policy ---- */
struct sim {
	struct sim_params	 p;
	enum policy		 pol;
	struct config		 cfg;
	struct db		*db;
	char			 dbname[65];
	struct evq		 q;
	int64_t			 now;		/* virtual ms */
	int64_t			 end;		/* buyers stop */
	/* catalog */
	int64_t			*item_id;	/* per sku */
	double			*rate;		/* per stream: units a day */
	struct rng		*srng;		/* per stream: arrivals */
	int64_t			*burst_t0, *burst_t1;	/* sku * SIM_MAX_BURSTS */
	int64_t			*batch, *reorder;	/* per sku */
	int			*restocking;	/* per sku: a batch is coming */
	struct rng		 r;		/* everything else */
	/* truth */
	int64_t			*on_hand, *committed;	/* per sku */
	/* channels */
	struct chan		 ch[NCH];
	struct sale		*sales;
	size_t			 nsales, capsales;
	/* the outbox */
	int64_t			 push_at;	/* scheduled run; 0 none */
	/* bufrec inputs: sales per sku/channel per day and per hour */
	int32_t			*day_sales;	/* sku*NCH*days */
	int32_t			*hour_sales;	/* sku*NCH*24, ring */
	int64_t			 hour_slot;
	struct metrics		 m;
};

/* ---- market.c ---- */
int	market_init(struct sim *S, struct err *e);
void	market_free(struct sim *S);
/* install the simulated adapters for every channel type */
void	market_install(struct sim *S);
/* a buyer arrives on channel c for sku s wanting qty */
int	market_buy(struct sim *S, int c, int s, int qty, struct err *e);
/* a write takes effect */
void	market_apply(struct sim *S, int c, int s, int64_t delta);
/* count one API call; 1 when the simulated channel fails it */
int	market_call(struct sim *S, int c, int push);
/* calls in the last 24 hours (Etsy's rolling quota) */
int64_t	market_calls_today(const struct chan *ch);
/* seconds a write takes to show on channel c */
double	market_push_latency_s(struct sim *S, int c);

/* ---- truth.c ---- */
int	truth_init(struct sim *S, struct err *e);
void	truth_sale(struct sim *S, struct sale *sl);
void	truth_receive(struct sim *S, int s, int64_t qty);
void	truth_sample(struct sim *S);
/* a channel now shows sku s as of the ledger at this moment, from t_show */
void	truth_propagated(struct sim *S, int c, int s, int64_t t_show);
int	truth_check(struct sim *S, struct err *e);

/* ---- hub.c ---- */
int	hub_setup(struct sim *S, struct err *e);
int	hub_commit(struct sim *S, int sale, struct err *e);
int	hub_receive(struct sim *S, int s, int64_t qty, struct err *e);
int	hub_push(struct sim *S, struct err *e);
void	hub_want_push(struct sim *S, int64_t at);
int	hub_tick(struct sim *S, struct err *e);
int	hub_hook(struct sim *S, int sale, int attempt, struct err *e);
/* a sale happened: send its webhook (Shopify under the hub) or leave it
 * for the pollers; -1 out of memory */
int	hub_sold(struct sim *S, int sale);
int	hub_finish(struct sim *S, struct err *e);
void	hub_teardown(struct sim *S);
int	hub_sync_ms(const struct sim *S);	/* batch period, 0 for the hub */

/* ---- report.c ---- */
const char *policy_name(enum policy p);
const char *policy_key(enum policy p);
/* m: NPOL results side by side */
int	report_write(const struct sim_params *p, const struct metrics *m,
	    double wall_s, const char *dir, struct err *e);
/* bin edges in seconds: REPORT_BINS + 1 values */
extern const double report_edges[REPORT_BINS + 1];
/* fill hist with the share of samples per bin */
int	report_hist(struct lat *l, double *hist);

#endif
