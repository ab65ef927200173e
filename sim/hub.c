/*
 * hub: drives the hub's own code from the simulator. Orders go in through
 * orders_commit() (the ledger, exactly once under each line's key, with
 * the push queue's touch hook); restocks through ledger_post(); the push
 * outbox runs through push_run() with the simulated adapters (market.c);
 * Etsy is polled on etsy_poll's own cadence, window and watermark
 * functions; per-listing buffers come from bufrec. The database is the
 * real MariaDB (one database per policy), with lib/clock in virtual time.
 *
 * Not the hub's code: the Amazon- and eBay-like order pollers (the hub
 * has no adapter for them yet) and the Shopify webhook transport (the
 * sale goes straight to orders_commit, as shopify_hook does after
 * verifying and parsing a delivery).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bufrec.h"
#include "channel.h"
#include "clock.h"
#include "db.h"
#include "etsy_poll.h"
#include "ledger.h"
#include "migrate.h"
#include "orders.h"
#include "push.h"
#include "sim.h"
#include "str.h"

#define TICK_MS		60000		/* the timer (cron, every minute) */
#define ETSY_INTERVAL	60		/* etsy_poll_state's default */
#define ETSY_OVERLAP	300
#define ETSY_RESERVE	20
#define ETSY_LIMIT	10000
#define SLOW_POLL_MS	300000		/* Amazon and eBay order polling */
#define POLL_OVERLAP_MS	120000
#define HOOK_DUP_P	0.05
#define HOOK_LOST_P	0.01
#define HOOK_LATE_P	0.01
#define HOOK_RETRIES	8
#define PAGE		100

static const double static_pct[NCH] = {
	[CH_ETSY] = 10, [CH_SHOPIFY] = 5, [CH_AMAZON] = 10, [CH_EBAY] = 10
};
static const enum channel_type types[NCH] = {
	[CH_ETSY] = CHANNEL_ETSY, [CH_SHOPIFY] = CHANNEL_SHOPIFY,
	[CH_AMAZON] = CHANNEL_AMAZON, [CH_EBAY] = CHANNEL_EBAY
};
/* what bufrec assumes until 20 samples are measured */
static const double detect_guess[NCH] = {
	[CH_ETSY] = 120, [CH_SHOPIFY] = 5, [CH_AMAZON] = 600, [CH_EBAY] = 330
};
static const double push_guess[NCH] = {
	[CH_ETSY] = 3, [CH_SHOPIFY] = 1, [CH_AMAZON] = 900, [CH_EBAY] = 60
};

static int64_t	*holdback;	/* per channel * sku, -1: none set */

static int	buffers(struct sim *S, struct err *e);
static int64_t	 bound_at = -1;

int
hub_sync_ms(const struct sim *S)
{
	return S->pol == POL_BATCH15 ? 15 * 60000 :
	    S->pol == POL_POLL2 ? 2 * 60000 : 0;
}

static int
hub_policy(const struct sim *S)
{
	return S->pol == POL_STATIC || S->pol == POL_RECOMMENDED;
}

/* make the hub's SQL see the virtual now */
static int
bind(struct sim *S, struct err *e)
{
	clock_set_virtual_ms(S->now);
	if (bound_at == S->now)
		return 0;
	bound_at = S->now;
	return clock_bind(S->db, e);
}

int
hub_setup(struct sim *S, struct err *e)
{
	struct alloc_policy	 pol;
	struct ledger_event	 ev;
	struct ledger_line	 ln;
	struct ledger_result	 res;
	struct db		*admin;
	char			 sql[160], sku[32], ext[32], key[48];
	int64_t			 id;
	int			 s, c;

	bound_at = -1;
	(void)str_fmt(S->dbname, sizeof(S->dbname), "t_sim_%s_%ld",
	    policy_key(S->pol), (long)getpid());
	if ((admin = db_open(&S->cfg, e)) == NULL)
		return -1;
	/* the name is a literal and the pid: never data */
	(void)str_fmt(sql, sizeof(sql), "DROP DATABASE IF EXISTS %s",
	    S->dbname);
	if (db_exec(admin, sql, NULL, 0, NULL, NULL, e) == -1)
		goto fail_admin;
	(void)str_fmt(sql, sizeof(sql), "CREATE DATABASE %s CHARACTER SET "
	    "utf8mb4 COLLATE utf8mb4_unicode_ci", S->dbname);
	if (db_exec(admin, sql, NULL, 0, NULL, NULL, e) == -1)
		goto fail_admin;
	db_close(admin);
	(void)str_copy(S->cfg.db_name, sizeof(S->cfg.db_name), S->dbname);
	if ((S->db = db_open(&S->cfg, e)) == NULL ||
	    migrate_apply(S->db, S->cfg.sql_dir, NULL, e) == -1)
		return -1;
	if (bind(S, e) == -1)
		return -1;
	free(holdback);
	if ((holdback = malloc((size_t)NCH * (size_t)S->p.skus *
	    sizeof(*holdback))) == NULL)
		return err_set(e, ERR_SYS, "out of memory");
	for (s = 0; s < NCH * S->p.skus; s++)
		holdback[s] = -1;
	for (c = 0; c < NCH; c++) {
		memset(&pol, 0, sizeof(pol));
		/* (d) has no account buffer: every listing gets its own */
		if (S->pol == POL_STATIC)
			pol.holdback_pct = static_pct[c];
		if (channel_account_create(S->db, &S->cfg, types[c],
		    channel_type_name(types[c]), "http://sim.invalid",
		    channel_type_name(types[c]), NULL, &pol, 0,
		    &S->ch[c].account_id, e) == -1)
			return -1;
	}
	for (s = 0; s < S->p.skus; s++) {
		(void)str_fmt(sku, sizeof(sku), "SIM-%04d", s);
		if (ledger_item_create(S->db, sku, "simulated item",
		    &S->item_id[s], e) == -1)
			return -1;
		(void)str_fmt(ext, sizeof(ext), "S%d", s);
		for (c = 0; c < NCH; c++) {
			if (channel_listing_map(S->db, S->ch[c].account_id,
			    sku, ext, "", "", sku, &id, e) == -1)
				return -1;
			S->ch[c].listing[s] = id;
		}
		/* the first batch */
		ln = (struct ledger_line){ sku, STOCK_RECEIVE, S->batch[s] };
		(void)str_fmt(key, sizeof(key), "sim:init:%d", s);
		ev = (struct ledger_event){ key, "sim", "opening stock", &ln,
		    1 };
		if (ledger_post(S->db, &ev, push_touch, NULL, &res, e) == -1)
			return -1;
		truth_receive(S, s, S->batch[s]);
	}
	for (c = 0; c < NCH; c++)
		S->ch[c].wm = c == CH_ETSY ? S->now / 1000 - 60 : S->now;
	if (S->pol == POL_RECOMMENDED && buffers(S, e) == -1)
		return -1;
	return hub_push(S, e);
fail_admin:
	db_close(admin);
	return -1;
}

void
hub_teardown(struct sim *S)
{
	struct err	 e;
	struct db	*admin;
	char		 sql[160];

	db_close(S->db);
	S->db = NULL;
	free(holdback);
	holdback = NULL;
	if (S->dbname[0] == '\0' || getenv("SIM_KEEP_DB") != NULL)
		return;
	(void)str_copy(S->cfg.db_name, sizeof(S->cfg.db_name), "stockhub");
	if ((admin = db_open(&S->cfg, &e)) == NULL)
		return;
	(void)str_fmt(sql, sizeof(sql), "DROP DATABASE IF EXISTS %s",
	    S->dbname);
	(void)db_exec(admin, sql, NULL, 0, NULL, NULL, &e);
	db_close(admin);
}

void
hub_want_push(struct sim *S, int64_t at)
{
	if (!hub_policy(S))
		return;		/* batch tools push at their sync only */
	if (S->push_at != 0 && S->push_at <= at)
		return;
	S->push_at = at;
	(void)evq_push(&S->q, at, EV_PUSH, 0, 0, 0);
}

int
hub_push(struct sim *S, struct err *e)
{
	struct push_stats	 st;
	int64_t			 wait = 0;
	int			 rc;

	S->push_at = 0;
	if (bind(S, e) == -1 ||
	    push_run(S->db, &S->cfg, "sim", S->now + 1, &st, e) == -1)
		return -1;
	/* when the next row is due (pacing, backoff) */
	rc = db_query_i64(S->db, "SELECT GREATEST(TIMESTAMPDIFF(MICROSECOND, "
	    CLOCK_NOW_SQL ", MIN(next_at)), 1000) DIV 1000 FROM push_queue "
	    "WHERE dead = 0 AND want_version > done_version", NULL, 0, &wait,
	    e);
	if (rc == -1)
		return -1;
	if (rc == 1)
		hub_want_push(S, S->now + wait);
	return 0;
}

struct commit_arg {
	struct orders_ctx	 oc;
	const char		*order, *line, *sku;
	int64_t			 qty, listing;
	struct ledger_result	 res;
};

static int
commit_fn(struct db *db, void *arg, struct err *e)
{
	struct commit_arg	*a = arg;

	a->oc.db = db;
	return orders_commit(&a->oc, a->order, a->line, a->sku, a->qty,
	    a->listing, &a->res, e);
}

int
hub_commit(struct sim *S, int i, struct err *e)
{
	struct sale		*sl = &S->sales[i];
	struct commit_arg	 a;
	char			 order[32], line[32], sku[32], src[32];
	int64_t			 day, hour;

	if (bind(S, e) == -1)
		return -1;
	memset(&a, 0, sizeof(a));
	(void)str_fmt(order, sizeof(order), "O%d", i);
	(void)str_fmt(line, sizeof(line), "L%d", i);
	(void)str_fmt(sku, sizeof(sku), "SIM-%04d", sl->sku);
	(void)str_fmt(src, sizeof(src), "sim:%s",
	    channel_type_name(types[sl->ch]));
	a.oc.account_id = S->ch[sl->ch].account_id;
	a.oc.source = src;
	a.oc.reason = "simulated order";
	a.order = order;
	a.line = line;
	a.sku = sku;
	a.qty = sl->qty;
	a.listing = S->ch[sl->ch].listing[sl->sku];
	if (db_tx(S->db, commit_fn, &a, e) == -1)
		return -1;
	if (a.res.duplicate) {
		S->m.duplicates++;
		return 0;
	}
	if (sl->t_commit != 0) {
		/* the ledger applied one line twice: an invariant broke */
		S->m.lines_extra++;
		return 0;
	}
	sl->t_commit = S->now;
	(void)lat_add(&S->m.detect[sl->ch], (double)(S->now - sl->t) / 1000);
	if (sl->ch == CH_ETSY)
		(void)lat_add(&S->m.etsy_detect,
		    (double)(S->now - sl->t) / 1000);
	/* bufrec's measured velocity */
	day = (sl->t - SIM_T0_MS) / SIM_DAY_MS;
	hour = (sl->t - SIM_T0_MS) / 3600000;
	if (day >= 0 && day < S->p.days)
		S->day_sales[((size_t)sl->sku * NCH + (size_t)sl->ch) *
		    (size_t)S->p.days + (size_t)day] += sl->qty;
	if (hour > S->hour_slot - 24)
		S->hour_sales[((size_t)sl->sku * NCH + (size_t)sl->ch) * 24 +
		    (size_t)(hour % 24)] += sl->qty;
	hub_want_push(S, S->now);
	return 0;
}

int
hub_receive(struct sim *S, int s, int64_t qty, struct err *e)
{
	struct ledger_event	 ev;
	struct ledger_line	 ln;
	struct ledger_result	 res;
	char			 sku[32], key[48];
	static int		 n;

	if (bind(S, e) == -1)
		return -1;
	(void)str_fmt(sku, sizeof(sku), "SIM-%04d", s);
	(void)str_fmt(key, sizeof(key), "sim:batch:%d:%d", s, ++n);
	ln = (struct ledger_line){ sku, STOCK_RECEIVE, qty };
	ev = (struct ledger_event){ key, "sim", "batch made", &ln, 1 };
	if (ledger_post(S->db, &ev, push_touch, NULL, &res, e) == -1)
		return -1;
	truth_receive(S, s, qty);
	hub_want_push(S, S->now);
	return 0;
}

/* ---- order intake ---- */

static double
hook_delay_s(struct sim *S)
{
	double	 d = 0.3 + rng_exp(&S->r, 1.5);

	/* Shopify: deliveries can arrive late */
	if (rng_u01(&S->r) < HOOK_LATE_P)
		d += rng_exp(&S->r, 300);
	return d;
}

/* A sale on Shopify: its webhook (and sometimes a duplicate) is sent. */
static int
hook_send(struct sim *S, int i)
{
	S->m.hooks_sent++;
	if (evq_push(&S->q, S->now + (int64_t)(hook_delay_s(S) * 1000),
	    EV_HOOK, i, 0, 0) == -1)
		return -1;
	if (rng_u01(&S->r) < HOOK_DUP_P) {
		S->m.hooks_dup++;
		if (evq_push(&S->q, S->now + (int64_t)((hook_delay_s(S) +
		    rng_unif(&S->r, 1, 60)) * 1000), EV_HOOK, i, 0, 0) == -1)
			return -1;
	}
	return 0;
}

int
hub_hook(struct sim *S, int i, int attempt, struct err *e)
{
	/* the attempt is lost (timeout, network): Shopify retries it with
	 * exponential backoff, 8 times over 4 hours */
	if (rng_u01(&S->r) < HOOK_LOST_P && attempt < HOOK_RETRIES) {
		S->m.hooks_lost++;
		if (evq_push(&S->q, S->now + ((int64_t)60000 << attempt),
		    EV_HOOK, i, attempt + 1, 0) == -1)
			return err_set(e, ERR_SYS, "out of memory");
		return 0;
	}
	S->sales[i].deliveries++;
	return hub_commit(S, i, e);
}

/* First index in the channel's sales placed at or after t (ms). */
static size_t
first_from(const struct sim *S, const struct chan *ch, int64_t t)
{
	size_t	 lo = 0, hi = ch->nsales, mid;

	while (lo < hi) {
		mid = (lo + hi) / 2;
		if (S->sales[ch->sales[mid]].t < t)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/*
 * Polls return 0 done, 1 failed (the watermark stays), -1 local error.
 *
 * One Etsy poll with etsy_poll's window and watermark: receipts updated
 * since the confirmed watermark less the overlap, every page; the
 * watermark moves only when every page came back.
 */
static int
poll_etsy(struct sim *S, struct err *e)
{
	struct chan	*ch = &S->ch[CH_ETSY];
	int64_t		 now_s = S->now / 1000, start, max_seen = 0;
	size_t		 i, from, n = 0, k;
	int		 ok = 1, rc;

	ch->last_attempt_s = now_s;
	if (market_calls_today(ch) >= ETSY_LIMIT) {
		/* 429: retry-after */
		ch->calls_failed++;
		ch->not_before_s = now_s + 600;
		return 1;
	}
	start = etsy_poll_window_start(ch->wm, ETSY_OVERLAP);
	from = first_from(S, ch, start * 1000);
	for (i = from; i < ch->nsales; i++)
		if (S->sales[ch->sales[i]].t_vis <= S->now)
			n++;
	/* one call per page of 100 (an empty window is one call) */
	for (k = 0; k <= (n == 0 ? 0 : (n - 1) / PAGE); k++)
		if (market_call(S, CH_ETSY, 0)) {
			ok = 0;
			break;
		}
	k = 0;
	for (i = from; i < ch->nsales && ok; i++) {
		struct sale *sl = &S->sales[ch->sales[i]];

		if (sl->t_vis > S->now)
			continue;
		if (hub_commit(S, ch->sales[i], e) == -1)
			return -1;
		if (sl->t / 1000 > max_seen)
			max_seen = sl->t / 1000;
	}
	if (ok)
		ch->wm = etsy_poll_next_watermark(ch->wm, max_seen);
	rc = ok ? 0 : 1;
	/* the cancellation sweep: two calls every 30 minutes */
	if (now_s - ch->last_sweep_s >= 1800) {
		ch->last_sweep_s = now_s;
		(void)market_call(S, CH_ETSY, 0);
		(void)market_call(S, CH_ETSY, 0);
	}
	return rc;
}

/* An order poll of Shopify (batch tools), Amazon or eBay: orders visible
 * since the last good poll less an overlap. */
static int
poll_orders(struct sim *S, int c, struct err *e)
{
	struct chan	*ch = &S->ch[c];
	size_t		 i, n = 0, k;
	int64_t		 since = ch->wm - POLL_OVERLAP_MS;

	ch->last_attempt_s = S->now / 1000;
	while (ch->cursor < ch->nsales &&
	    S->sales[ch->sales[ch->cursor]].t_commit != 0)
		ch->cursor++;
	for (i = ch->cursor; i < ch->nsales; i++) {
		const struct sale *sl = &S->sales[ch->sales[i]];

		if (sl->t_vis <= S->now && sl->t_vis >= since)
			n++;
	}
	for (k = 0; k <= (n == 0 ? 0 : (n - 1) / PAGE); k++)
		if (market_call(S, c, 0))
			return 1;	/* failed: the window stays */
	for (i = ch->cursor; i < ch->nsales; i++) {
		const struct sale *sl = &S->sales[ch->sales[i]];

		if (sl->t_vis <= S->now && sl->t_vis >= since &&
		    hub_commit(S, ch->sales[i], e) == -1)
			return -1;
	}
	ch->wm = S->now;
	return 0;
}

/* ---- bufrec's buffers for (d) ---- */

static double
p95_or(struct lat *l, double guess)
{
	return l->n >= 20 ? lat_pct(l, 95) : guess;
}

static int
buffers(struct sim *S, struct err *e)
{
	struct bufrec_channel	 chm[NCH];
	struct bufrec_out	 o;
	double			 rate[NCH], d14, h24;
	int64_t			 day = (S->now - SIM_T0_MS) / SIM_DAY_MS, d0;
	size_t			 base;
	int			 s, c, k;

	for (c = 0; c < NCH; c++) {
		chm[c].detect_s = p95_or(&S->m.detect[c], detect_guess[c]);
		chm[c].push_s = p95_or(&S->m.push_lat[c], push_guess[c]);
	}
	d0 = day - 14 > 0 ? day - 14 : 0;
	for (s = 0; s < S->p.skus; s++) {
		for (c = 0; c < NCH; c++) {
			base = ((size_t)s * NCH + (size_t)c);
			d14 = 0;
			for (k = (int)d0; k < (int)day; k++)
				d14 += S->day_sales[base * (size_t)S->p.days +
				    (size_t)k];
			d14 /= day > d0 ? (double)(day - d0) : 1.0;
			h24 = 0;
			for (k = 0; k < 24; k++)
				h24 += S->hour_sales[base * 24 + (size_t)k];
			/* the busier of the last two weeks and the last day,
			 * so a surge raises the buffer within hours; before
			 * a day is measured, the shop's mean per listing */
			rate[c] = d14 > h24 ? d14 : h24;
			if (day < 1)
				rate[c] = S->p.orders_per_day * 1.18 /
				    S->p.skus / NCH;
		}
		for (c = 0; c < NCH; c++) {
			if (bufrec_recommend(rate, chm, NCH, (size_t)c,
			    S->p.target, &o, e) == -1)
				return -1;
			if (holdback[c * S->p.skus + s] == o.units)
				continue;
			holdback[c * S->p.skus + s] = o.units;
			S->m.holdback_changes++;
			if (bufrec_set(S->db, S->ch[c].listing[s], o.units,
			    e) == -1)
				return -1;
		}
	}
	hub_want_push(S, S->now);
	return 0;
}

/* ---- the timer ---- */

int
hub_tick(struct sim *S, struct err *e)
{
	int64_t	 now_s = S->now / 1000, hour;
	int	 c;

	if (bind(S, e) == -1)
		return -1;
	hour = (S->now - SIM_T0_MS) / 3600000;
	while (S->hour_slot < hour) {
		S->hour_slot++;
		for (c = 0; c < S->p.skus * NCH; c++)
			S->hour_sales[(size_t)c * 24 +
			    (size_t)(S->hour_slot % 24)] = 0;
	}
	if (!hub_policy(S)) {
		/* a batch tool: read every channel's orders, then push */
		for (c = 0; c < NCH; c++)
			if ((c == CH_ETSY ? poll_etsy(S, e) :
			    poll_orders(S, c, e)) == -1)
				return -1;
		return hub_push(S, e);
	}
	/* Etsy on etsy_poll's cadence and quota reserve */
	if (etsy_poll_due(now_s, S->ch[CH_ETSY].last_attempt_s,
	    S->ch[CH_ETSY].not_before_s, etsy_poll_interval(ETSY_INTERVAL,
	    ETSY_RESERVE, ETSY_LIMIT - market_calls_today(&S->ch[CH_ETSY]),
	    ETSY_LIMIT)) && poll_etsy(S, e) == -1)
		return -1;
	for (c = CH_AMAZON; c <= CH_EBAY; c++)
		if (S->now - S->ch[c].last_attempt_s * 1000 >= SLOW_POLL_MS &&
		    poll_orders(S, c, e) == -1)
			return -1;
	if (S->pol == POL_RECOMMENDED && S->now % 3600000 == 0 &&
	    buffers(S, e) == -1)
		return -1;
	return 0;
}

int
hub_sold(struct sim *S, int i)
{
	if (S->sales[i].ch == CH_SHOPIFY && hub_policy(S))
		return hook_send(S, i);
	return 0;		/* polled */
}

/* After the buyers stop and the feeds had hours to catch up: one last
 * successful poll of every polled channel, and a last push. */
int
hub_finish(struct sim *S, struct err *e)
{
	int	 c, tries, rc;

	if (bind(S, e) == -1)
		return -1;
	for (c = 0; c < NCH; c++) {
		if (c == CH_SHOPIFY && hub_policy(S))
			continue;
		for (tries = 0; tries < 50; tries++) {
			S->ch[c].not_before_s = 0;
			rc = c == CH_ETSY ? poll_etsy(S, e) :
			    poll_orders(S, c, e);
			if (rc == -1)
				return -1;
			if (rc == 0)
				break;
		}
	}
	return hub_push(S, e);
}
