/*
 * market: the simulated channels. Each sells only what it shows, keeps
 * its own orders (handed to the hub by webhook or poll, see hub.c), and
 * plugs into the hub through struct channel_ops exactly where a real
 * adapter does: the push engine calls market's push for every write.
 *
 * The mechanics per channel (assumptions, with channel-apis.md where it
 * gives a figure):
 *   Etsy     orders visible 0-20 s after the sale; polled (etsy_poll's
 *            cadence); writes show after 0.5-3 s; 10 QPS, 10,000 calls
 *            in a rolling day (1.7).
 *   Shopify  webhooks (hub.c: delay, duplicates, lost attempts retried);
 *            writes show after 0.2-1 s; cost bucket ~10 writes/s (2.4).
 *   Amazon   orders visible 1-5 min later (pending), getOrders polled
 *            every 5 min (1/min limit, 4.4); a patch is ACCEPTED at once
 *            and applied 2-15 min later; 5 patches/s.
 *   eBay     orders visible within a minute, polled every 5 min; writes
 *            show after 5-60 s; 250 revisions per listing per day.
 * Every call fails with probability 1 % (a 5xx). A write is applied as
 * the difference the hub asked for, so sales in between are kept.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "channel.h"
#include "err.h"
#include "sim.h"
#include "str.h"

struct spec {
	double	 vis_lo, vis_hi;	/* s */
	double	 push_lo, push_hi;	/* s */
	double	 rate, burst;		/* writes per second */
	int	 rev_cap;		/* per listing per day; 0 none */
};

static const struct spec specs[NCH] = {
	[CH_ETSY]	= { 0, 20, 0.5, 3, 10, 10, 0 },
	[CH_SHOPIFY]	= { 0, 0, 0.2, 1, 10, 20, 0 },
	[CH_AMAZON]	= { 60, 300, 120, 900, 5, 5, 0 },
	[CH_EBAY]	= { 0, 60, 5, 60, 10, 10, 250 },
};

#define FAIL_P		0.01

static struct sim *cur;		/* the simulation the adapters serve */

double
market_push_latency_s(struct sim *S, int c)
{
	return rng_unif(&S->r, specs[c].push_lo, specs[c].push_hi);
}

int
market_call(struct sim *S, int c, int push)
{
	struct chan	*ch = &S->ch[c];
	int64_t		 day = (S->now - SIM_T0_MS) / SIM_DAY_MS, hour;

	if (push)
		ch->calls_push++;
	else
		ch->calls_poll++;
	if (day >= 0 && day < S->p.days + 2)
		ch->calls_by_day[day]++;
	/* the rolling day, in hour buckets */
	hour = (S->now - SIM_T0_MS) / 3600000;
	while (ch->hour_slot < hour) {
		ch->hour_slot++;
		ch->calls_24h[ch->hour_slot % 24] = 0;
	}
	ch->calls_24h[hour % 24]++;
	if (rng_u01(&S->r) < FAIL_P) {
		ch->calls_failed++;
		return 1;
	}
	return 0;
}

int64_t
market_calls_today(const struct chan *ch)
{
	int64_t	 n = 0;
	int	 i;

	for (i = 0; i < 24; i++)
		n += ch->calls_24h[i];
	return n;
}

static int
chan_of(enum channel_type t)
{
	switch (t) {
	case CHANNEL_ETSY:	return CH_ETSY;
	case CHANNEL_SHOPIFY:	return CH_SHOPIFY;
	case CHANNEL_AMAZON:	return CH_AMAZON;
	default:		return CH_EBAY;
	}
}

static int
sim_push(struct channel_ctx *ctx, const struct channel_listing *l,
    const struct channel_push *p, struct channel_result *r, struct err *e)
{
	struct sim	*S = cur;
	struct chan	*ch;
	int64_t		 s, cur_qty, expected, unseen, target, day;
	double		 lat;
	int		 c;

	if (S == NULL || str_to_i64(l->ext_listing + 1, 0, INT32_MAX,
	    &s) == -1 || s >= S->p.skus)
		return err_set(e, ERR_INVALID, "simulated listing %s unknown",
		    l->ext_listing);
	c = chan_of(ctx->acct->type);
	ch = &S->ch[c];
	r->retry_after_s = 0;
	/* the write budget: a 429 with retry-after */
	ch->tokens += (double)(S->now - ch->tokens_t) / 1000.0 *
	    specs[c].rate;
	if (ch->tokens > specs[c].burst)
		ch->tokens = specs[c].burst;
	ch->tokens_t = S->now;
	if (ch->tokens < 1) {
		r->outcome = CHANNEL_RETRY;
		r->retry_after_s = 1;
		(void)str_copy(r->detail, sizeof(r->detail), "simulated 429");
		S->m.push_retries++;
		return 0;
	}
	/* read what the channel shows now */
	if (market_call(S, c, 1)) {
		r->outcome = CHANNEL_RETRY;
		(void)str_copy(r->detail, sizeof(r->detail),
		    "simulated 503 on read");
		S->m.push_retries++;
		return 0;
	}
	cur_qty = ch->api[s];
	r->shown_before = cur_qty;
	/* never write back units the channel sold that the hub has not
	 * seen yet: what was last pushed less what shows now */
	expected = l->has_last_pushed ? l->last_pushed : cur_qty;
	unseen = expected > cur_qty ? expected - cur_qty : 0;
	target = p->desired - unseen;
	if (target < 0)
		target = 0;
	if (target == cur_qty) {
		r->outcome = unseen > 0 ? CHANNEL_HELD : CHANNEL_UNCHANGED;
		r->shown = cur_qty;
		r->unseen_sales = unseen;
		truth_propagated(S, c, (int)s, S->now);
		return 0;
	}
	day = (S->now - SIM_T0_MS) / SIM_DAY_MS;
	if (ch->rev_day != day) {
		memset(ch->revisions, 0, (size_t)S->p.skus *
		    sizeof(*ch->revisions));
		ch->rev_day = (int)day;
	}
	if (specs[c].rev_cap > 0 && ch->revisions[s] >= specs[c].rev_cap) {
		r->outcome = CHANNEL_RETRY;
		r->retry_after_s = 3600;
		(void)str_copy(r->detail, sizeof(r->detail),
		    "simulated revision cap");
		S->m.push_retries++;
		return 0;
	}
	ch->tokens -= 1;
	if (market_call(S, c, 1)) {
		r->outcome = CHANNEL_RETRY;
		(void)str_copy(r->detail, sizeof(r->detail),
		    "simulated 503 on write");
		S->m.push_retries++;
		return 0;
	}
	ch->revisions[s]++;
	ch->api[s] = target;
	lat = market_push_latency_s(S, c);
	if (evq_push(&S->q, S->now + (int64_t)(lat * 1000), EV_APPLY, c,
	    (int)s, target - cur_qty) == -1)
		return err_set(e, ERR_SYS, "out of memory");
	(void)lat_add(&S->m.push_lat[c], lat);
	truth_propagated(S, c, (int)s, S->now + (int64_t)(lat * 1000));
	S->m.pushes++;
	r->outcome = unseen > 0 ? CHANNEL_HELD : CHANNEL_WRITTEN;
	r->shown = target;
	r->unseen_sales = unseen;
	(void)str_fmt(r->detail, sizeof(r->detail), "%lld -> %lld",
	    (long long)cur_qty, (long long)target);
	return 0;
}

static const struct channel_ops sim_ops[NCH] = {
	[CH_ETSY]	= { "etsy", sim_push, NULL },
	[CH_SHOPIFY]	= { "shopify", sim_push, NULL },
	[CH_AMAZON]	= { "amazon", sim_push, NULL },
	[CH_EBAY]	= { "ebay", sim_push, NULL },
};

void
market_install(struct sim *S)
{
	cur = S;
	channel_ops_override(CHANNEL_ETSY, &sim_ops[CH_ETSY]);
	channel_ops_override(CHANNEL_SHOPIFY, &sim_ops[CH_SHOPIFY]);
	channel_ops_override(CHANNEL_AMAZON, &sim_ops[CH_AMAZON]);
	channel_ops_override(CHANNEL_EBAY, &sim_ops[CH_EBAY]);
}

int
market_init(struct sim *S, struct err *e)
{
	size_t	 n = (size_t)S->p.skus;
	int	 c;

	for (c = 0; c < NCH; c++) {
		struct chan *ch = &S->ch[c];

		memset(ch, 0, sizeof(*ch));
		ch->type = c;
		ch->listing = calloc(n, sizeof(*ch->listing));
		ch->shown = calloc(n, sizeof(*ch->shown));
		ch->api = calloc(n, sizeof(*ch->api));
		ch->revisions = calloc(n, sizeof(*ch->revisions));
		ch->calls_by_day = calloc((size_t)S->p.days + 2,
		    sizeof(*ch->calls_by_day));
		ch->tokens = specs[c].burst;
		ch->tokens_t = S->now;
		if (ch->listing == NULL || ch->shown == NULL ||
		    ch->api == NULL || ch->revisions == NULL ||
		    ch->calls_by_day == NULL)
			return err_set(e, ERR_SYS, "out of memory");
	}
	return 0;
}

void
market_free(struct sim *S)
{
	int	 c;

	for (c = 0; c < NCH; c++) {
		free(S->ch[c].listing);
		free(S->ch[c].shown);
		free(S->ch[c].api);
		free(S->ch[c].revisions);
		free(S->ch[c].calls_by_day);
		free(S->ch[c].sales);
		memset(&S->ch[c], 0, sizeof(S->ch[c]));
	}
	if (cur == S) {
		cur = NULL;
		channel_ops_override(CHANNEL_ETSY, NULL);
		channel_ops_override(CHANNEL_SHOPIFY, NULL);
		channel_ops_override(CHANNEL_AMAZON, NULL);
		channel_ops_override(CHANNEL_EBAY, NULL);
	}
}

int
market_buy(struct sim *S, int c, int s, int qty, struct err *e)
{
	struct chan	*ch = &S->ch[c];
	struct sale	*sl, *ns;
	int		*ni;

	if (ch->shown[s] < qty) {
		S->m.lost_buyers++;
		return 0;
	}
	ch->shown[s] -= qty;
	ch->api[s] = ch->api[s] > qty ? ch->api[s] - qty : 0;
	if (S->nsales == S->capsales) {
		S->capsales = S->capsales ? S->capsales * 2 : 1024;
		if ((ns = realloc(S->sales, S->capsales * sizeof(*ns))) == NULL)
			return err_set(e, ERR_SYS, "out of memory");
		S->sales = ns;
	}
	if (ch->nsales == ch->capsales) {
		ch->capsales = ch->capsales ? ch->capsales * 2 : 256;
		if ((ni = realloc(ch->sales, ch->capsales * sizeof(*ni))) == NULL)
			return err_set(e, ERR_SYS, "out of memory");
		ch->sales = ni;
	}
	sl = &S->sales[S->nsales];
	memset(sl, 0, sizeof(*sl));
	sl->sku = s;
	sl->ch = c;
	sl->qty = qty;
	sl->t = S->now;
	sl->t_vis = S->now + (int64_t)(rng_unif(&S->r, specs[c].vis_lo,
	    specs[c].vis_hi) * 1000);
	ch->sales[ch->nsales++] = (int)S->nsales;
	S->nsales++;
	truth_sale(S, sl);
	return 1;
}

void
market_apply(struct sim *S, int c, int s, int64_t delta)
{
	struct chan	*ch = &S->ch[c];

	ch->shown[s] += delta;
	if (ch->shown[s] < 0)
		ch->shown[s] = 0;
}
