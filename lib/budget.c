/*
 * budget: the Etsy call budget and the polling cadence (see budget.h).
 */
#include <stdint.h>
#include <string.h>

#include "budget.h"

/* the sweep re-reads this many days of receipts for refunds */
#define SWEEP_REFUND_DAYS	7
/* a page holds 100 receipts; pages overlap by 5 */
#define PAGE_STEP		95
/* the overlap a poll window reaches back */
#define POLL_OVERLAP_S		300

static const char *const names[BUDGET__MAX] = {
	"none", "poll", "push", "recon"
};

const char *
budget_purpose_name(enum budget_purpose p)
{
	if ((int)p < 0 || p >= BUDGET__MAX)
		return NULL;
	return names[p];
}

int
budget_purpose_parse(const char *s, enum budget_purpose *p)
{
	int	 i;

	if (s == NULL)
		return -1;
	for (i = BUDGET_POLL; i < BUDGET__MAX; i++)
		if (strcmp(s, names[i]) == 0) {
			*p = (enum budget_purpose)i;
			return 0;
		}
	return -1;
}

void
budget_split_default(struct budget_split *s)
{
	memset(s, 0, sizeof(*s));
	s->pct[BUDGET_POLL] = BUDGET_POLL_PCT;
	s->pct[BUDGET_PUSH] = BUDGET_PUSH_PCT;
	s->pct[BUDGET_RECON] = BUDGET_RECON_PCT;
}

int
budget_split_valid(const struct budget_split *s)
{
	int	 i, sum = 0;

	for (i = BUDGET_POLL; i < BUDGET__MAX; i++) {
		if (s->pct[i] < 0 || s->pct[i] > 100)
			return -1;
		sum += s->pct[i];
	}
	return sum <= 100 ? 0 : -1;
}

int64_t
budget_share(int64_t per_day, const struct budget_split *s,
    enum budget_purpose p)
{
	if (p <= BUDGET_NONE || p >= BUDGET__MAX || per_day <= 0 ||
	    s->pct[p] <= 0)
		return 0;
	/* per_day * pct / 100 without overflow for any int64 per_day */
	return per_day / 100 * s->pct[p] + per_day % 100 * s->pct[p] / 100;
}

enum budget_verdict
budget_check(int64_t per_day, const struct budget_split *s,
    enum budget_purpose p, int64_t used, int64_t remaining_today)
{
	if (remaining_today == 0)
		return BUDGET_DAY_SPENT;
	if (used >= budget_share(per_day, s, p))
		return BUDGET_SHARE_SPENT;
	return BUDGET_OK;
}

int64_t
budget_second_wait(int64_t now_ms, int64_t oldest_ms, int64_t used,
    int64_t limit)
{
	int64_t	 w;

	if (limit <= 0)
		limit = 1;
	if (used < limit)
		return 0;
	/* the oldest call leaves the window, then there is room */
	w = oldest_ms + BUDGET_WINDOW_MS - now_ms;
	return w > 0 ? w : 1;
}

int64_t
budget_day_left(int64_t now)
{
	int64_t	 r = now % 86400;

	if (r < 0)
		r += 86400;
	return 86400 - r;
}

void
budget_cadence_default(struct budget_cadence *c)
{
	memset(c, 0, sizeof(*c));
	c->min_s = BUDGET_MIN_S;
	c->busy_s = BUDGET_BUSY_S;
	c->normal_s = BUDGET_NORMAL_S;
	c->quiet_s = BUDGET_QUIET_S;
	c->busy_window_s = BUDGET_BUSY_WINDOW_S;
	c->quiet_after_s = BUDGET_QUIET_AFTER_S;
	c->poll_left = -1;
}

int64_t
budget_interval(const struct budget_cadence *c)
{
	int64_t	 iv, left, day, need, since;

	since = c->last_sale > 0 ? c->now - c->last_sale : INT64_MAX;
	if (c->high_traffic || (since >= 0 && since < c->busy_window_s))
		iv = c->busy_s;
	else if (since >= c->quiet_after_s)
		iv = c->quiet_s;
	else
		iv = c->normal_s;
	if (iv < c->min_s)
		iv = c->min_s;
	if (iv < 1)
		iv = 1;
	if (c->poll_left < 0)
		return iv;
	/* what is left of the poll share pays for one call a poll until the
	 * day ends; the sweep's reserve comes first */
	day = budget_day_left(c->now);
	left = c->poll_left - (c->reserve > 0 ? c->reserve : 0);
	if (left <= 0)
		return day > iv ? day : iv;
	need = (day + left - 1) / left;
	return need > iv ? need : iv;
}

void
budget_cost_default(struct budget_cost_in *in)
{
	memset(in, 0, sizeof(*in));
	in->listings = 500;
	in->orders_per_day = 50;
	in->interval_s = BUDGET_NORMAL_S;
	in->sweep_every_s = 1800;
	in->push_calls = 2;
	in->recon_per_call = 1;
	in->per_day = BUDGET_PER_DAY;
}

int
budget_cost_compute(const struct budget_cost_in *in,
    const struct budget_split *s, struct budget_cost *out)
{
	int64_t	 window, pages, sweeps, refund_pages;
	int	 i;

	memset(out, 0, sizeof(*out));
	if (in->interval_s <= 0 || in->sweep_every_s <= 0 ||
	    in->push_calls <= 0 || in->recon_per_call <= 0 ||
	    in->per_day <= 0 || in->listings < 0 || in->orders_per_day < 0 ||
	    in->listings > INT64_MAX / 4 || in->orders_per_day > INT64_MAX /
	    (4 * 86400))
		return -1;
	out->polls = (86400 + in->interval_s - 1) / in->interval_s;
	/* each receipt changes about twice (paid, then shipped); a window
	 * of more than a page costs a further call per 95 receipts */
	window = in->orders_per_day * 2 * (in->interval_s + POLL_OVERLAP_S) /
	    86400;
	pages = 1 + window / PAGE_STEP;
	sweeps = (86400 + in->sweep_every_s - 1) / in->sweep_every_s;
	/* cancelled receipts (one page) and the last week for refunds */
	refund_pages = 1 + in->orders_per_day * SWEEP_REFUND_DAYS / PAGE_STEP;
	out->calls[BUDGET_POLL] = out->polls * pages + sweeps *
	    (1 + refund_pages);
	out->calls[BUDGET_PUSH] = in->orders_per_day * in->push_calls;
	out->calls[BUDGET_RECON] = (in->listings + in->recon_per_call - 1) /
	    in->recon_per_call;
	out->token = 24;
	out->total = out->token;
	out->fits = 1;
	for (i = BUDGET_POLL; i < BUDGET__MAX; i++) {
		out->total += out->calls[i];
		if (out->calls[i] > budget_share(in->per_day, s,
		    (enum budget_purpose)i))
			out->fits = 0;
	}
	if (out->total > in->per_day)
		out->fits = 0;
	out->latency_s = in->interval_s;
	return 0;
}
