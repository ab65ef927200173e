/*
 * truth: what was really on the shelf, kept apart from the hub's ledger
 * (it never reads the database), and the metrics measured against it:
 * oversold units, hidden stock, how long a sale takes to show on every
 * other channel. truth_check() compares the ledger with it at the end.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ledger.h"
#include "sim.h"
#include "str.h"

int
lat_add(struct lat *l, double x)
{
	double	*nv;

	if (l->n == l->cap) {
		l->cap = l->cap ? l->cap * 2 : 256;
		if ((nv = realloc(l->v, l->cap * sizeof(*nv))) == NULL)
			return -1;
		l->v = nv;
	}
	l->v[l->n++] = x;
	return 0;
}

static int
cmp_d(const void *a, const void *b)
{
	double	 x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

double
lat_pct(struct lat *l, double p)
{
	size_t	 i;

	if (l->n == 0)
		return NAN;
	qsort(l->v, l->n, sizeof(*l->v), cmp_d);
	i = (size_t)ceil(p / 100.0 * (double)l->n);
	if (i > 0)
		i--;
	return l->v[i < l->n ? i : l->n - 1];
}

void
lat_free(struct lat *l)
{
	free(l->v);
	memset(l, 0, sizeof(*l));
}

int
truth_init(struct sim *S, struct err *e)
{
	size_t	 n = (size_t)S->p.skus;

	S->on_hand = calloc(n, sizeof(*S->on_hand));
	S->committed = calloc(n, sizeof(*S->committed));
	if (S->on_hand == NULL || S->committed == NULL)
		return err_set(e, ERR_SYS, "out of memory");
	return 0;
}

void
truth_sale(struct sim *S, struct sale *sl)
{
	int64_t	 avail = S->on_hand[sl->sku] - S->committed[sl->sku];
	int64_t	 over = sl->qty - (avail > 0 ? avail : 0);

	if (over > 0) {
		/* one line per oversell in the log, to see why */
		fprintf(stderr, "sim: oversold %lld of %d: SIM-%04d on channel "
		    "%d at day %.3f, shelf %lld, shown %lld/%lld/%lld/%lld\n",
		    (long long)over, sl->qty, sl->sku, sl->ch,
		    (double)(S->now - SIM_T0_MS) / SIM_DAY_MS, (long long)avail,
		    (long long)S->ch[0].shown[sl->sku],
		    (long long)S->ch[1].shown[sl->sku],
		    (long long)S->ch[2].shown[sl->sku],
		    (long long)S->ch[3].shown[sl->sku]);
		sl->oversold = over;
		S->m.oversold_units += over;
		S->m.oversold_orders++;
	}
	S->committed[sl->sku] += sl->qty;
	S->m.orders++;
	S->m.units += sl->qty;
	/* every other channel has yet to show it */
	sl->prop_left = ((1u << NCH) - 1) & ~(1u << sl->ch);
}

void
truth_receive(struct sim *S, int s, int64_t qty)
{
	S->on_hand[s] += qty;
}

void
truth_sample(struct sim *S)
{
	int64_t	 a, sh;
	int	 s, c;

	for (s = 0; s < S->p.skus; s++) {
		a = S->on_hand[s] - S->committed[s];
		if (a <= 0)
			continue;
		for (c = 0; c < NCH; c++) {
			sh = S->ch[c].shown[s];
			S->m.sellable_by_ch[c] += (double)a;
			S->m.hidden_by_ch[c] += sh < a ? (double)(a - sh) : 0;
		}
	}
}

/*
 * A push to channel c for sku s read the ledger now: every sale of s the
 * hub has applied is reflected there from t_show on. Pending sales are
 * found by scanning back over the channel lists (recent sales only).
 */
void
truth_propagated(struct sim *S, int c, int s, int64_t t_show)
{
	struct sale	*sl;
	size_t		 i;
	int		 k;

	for (k = 0; k < NCH; k++) {
		struct chan *ch = &S->ch[k];

		if (k == c)
			continue;
		for (i = ch->nsales; i-- > 0;) {
			sl = &S->sales[ch->sales[i]];
			/* two days back is far enough: older ones are done */
			if (sl->t < S->now - 2 * SIM_DAY_MS)
				break;
			if (sl->sku != s || sl->t_commit == 0 ||
			    !(sl->prop_left & (1u << c)))
				continue;
			sl->prop_left &= ~(1u << c);
			if (t_show > sl->t_prop)
				sl->t_prop = t_show;
			if (sl->prop_left == 0)
				(void)lat_add(&S->m.prop,
				    (double)(sl->t_prop - sl->t) / 1000.0);
		}
	}
}

int
truth_check(struct sim *S, struct err *e)
{
	struct ledger_item	 it;
	char			 sku[32];
	int64_t			 lines = 0, committed = 0;
	size_t			 i;
	int			 s;

	for (s = 0; s < S->p.skus; s++) {
		(void)str_fmt(sku, sizeof(sku), "SIM-%04d", s);
		if (ledger_item_get(S->db, sku, &it, e) == -1)
			return -1;
		if (it.on_hand != S->on_hand[s] ||
		    it.committed != S->committed[s])
			S->m.truth_mismatch++;
	}
	for (i = 0; i < S->nsales; i++)
		if (S->sales[i].t_commit == 0)
			S->m.lines_missing++;
		else
			committed++;
	if (db_query_i64(S->db, "SELECT COUNT(*) FROM channel_order_lines",
	    NULL, 0, &lines, e) == -1)
		return -1;
	S->m.lines_extra = lines - committed;
	return ledger_check(S->db, &S->m.ledger_bad, e);
}
