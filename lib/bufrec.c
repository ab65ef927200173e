/*
 * bufrec: buffer recommendation from measured velocity and latency (see
 * bufrec.h).
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "bufrec.h"
#include "channel.h"
#include "clock.h"
#include "db.h"
#include "err.h"
#include "push.h"
#include "str.h"

#define DAY_S		86400.0
#define LAT_SAMPLES	2000

double
bufrec_tail(double mu, int64_t h)
{
	double	 term, cdf;
	int64_t	 k;

	if (!(mu > 0) || h < 0)
		return h < 0 ? 1.0 : 0.0;
	/* 1 - P(N <= h), summed from the start: exact enough for the
	 * small means and targets used here (mu < 700 keeps exp finite) */
	term = exp(-mu);
	cdf = term;
	for (k = 1; k <= h; k++) {
		term *= mu / (double)k;
		cdf += term;
	}
	return cdf >= 1.0 ? 0.0 : 1.0 - cdf;
}

int64_t
bufrec_units(double mu, double scale, double target)
{
	int64_t	 h;

	for (h = 0; h < BUFREC_MAX_UNITS; h++)
		if (scale * bufrec_tail(mu, h) <= target)
			return h;
	return BUFREC_MAX_UNITS;
}

static int
bad(double x)
{
	return !isfinite(x) || x < 0;
}

int
bufrec_recommend(const double *rate, const struct bufrec_channel *ch,
    size_t n, size_t c, double target, struct bufrec_out *out, struct err *e)
{
	double	 mu = 0, others = 0, scale;
	size_t	 j;

	if (n == 0 || n > BUFREC_MAX_CHANNELS || c >= n || rate == NULL ||
	    ch == NULL || out == NULL)
		return err_set(e, ERR_INVALID, "bufrec: bad channel count");
	if (!(target > 0 && target < 1))
		return err_set(e, ERR_INVALID, "bufrec: target must be in (0, 1)");
	for (j = 0; j < n; j++)
		if (bad(rate[j]) || bad(ch[j].detect_s) || bad(ch[j].push_s))
			return err_set(e, ERR_INVALID, "bufrec: channel %zu: "
			    "negative or not a number", j);
	for (j = 0; j < n; j++) {
		if (j == c)
			continue;
		mu += rate[j] / DAY_S * (ch[j].detect_s + ch[c].push_s);
		others += rate[j] / DAY_S;
	}
	memset(out, 0, sizeof(*out));
	out->mu = mu;
	out->window_s = others > 0 ? mu / others : 0;
	/* a buyer on c must come inside the window for an oversell */
	scale = 1.0 - exp(-rate[c] / DAY_S * out->window_s);
	out->units = bufrec_units(mu, scale, target);
	out->p_oversell = scale * bufrec_tail(mu, out->units);
	return 0;
}

int
bufrec_class(double per_day)
{
	if (per_day < 0.1)
		return 0;
	if (per_day < 0.5)
		return 1;
	if (per_day < 2)
		return 2;
	if (per_day < 10)
		return 3;
	return 4;
}

const char *
bufrec_class_name(int cls)
{
	static const char *const names[BUFREC_CLASSES] = {
		"<0.1/day", "<0.5/day", "<2/day", "<10/day", ">=10/day"
	};

	return cls >= 0 && cls < BUFREC_CLASSES ? names[cls] : "?";
}

int
bufrec_explain(const struct bufrec_out *o, double target, char *buf,
    size_t bufsz)
{
	return str_fmt(buf, bufsz, "%.3g units sell elsewhere in the %.0f s "
	    "sync window; holding %lld keeps the oversell chance at %.2g "
	    "(target %.2g)", o->mu, o->window_s, (long long)o->units,
	    o->p_oversell, target);
}

/* ---- measurement (database) ---- */

struct meas {
	size_t			 nacct;
	int64_t			*acct;
	struct bufrec_channel	*ch;
	/* items x accounts, units a day */
	size_t			 nitems;
	int64_t			*item;
	double			*rate;
};

static void
meas_free(struct meas *m)
{
	free(m->acct);
	free(m->ch);
	free(m->item);
	free(m->rate);
	memset(m, 0, sizeof(*m));
}

/*
 * The recommendation for item i on account a: accounts that sold none
 * of it add nothing to the window, so only a and those that sold it are
 * passed (in account order, at most BUFREC_MAX_CHANNELS in all).
 */
static int
rec_for(const struct meas *m, size_t i, size_t a, double target,
    struct bufrec_out *o, struct err *e)
{
	double			 rate[BUFREC_MAX_CHANNELS];
	struct bufrec_channel	 ch[BUFREC_MAX_CHANNELS];
	size_t			 j, n = 1;

	rate[0] = m->rate[i * m->nacct + a];
	ch[0] = m->ch[a];
	for (j = 0; j < m->nacct && n < BUFREC_MAX_CHANNELS; j++) {
		if (j == a || m->rate[i * m->nacct + j] <= 0)
			continue;
		rate[n] = m->rate[i * m->nacct + j];
		ch[n++] = m->ch[j];
	}
	return bufrec_recommend(rate, ch, n, 0, target, o, e);
}

static int
cmp_double(const void *a, const void *b)
{
	double	 x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static size_t
acct_index(const struct meas *m, int64_t id)
{
	size_t	 i;

	for (i = 0; i < m->nacct; i++)
		if (m->acct[i] == id)
			return i;
	return (size_t)-1;
}

static size_t
item_index(const struct meas *m, int64_t id)
{
	size_t	 lo = 0, hi = m->nitems, mid;

	while (lo < hi) {
		mid = (lo + hi) / 2;
		if (m->item[mid] < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < m->nitems && m->item[lo] == id ? lo : (size_t)-1;
}

/* p95 of one account's push latency, seconds; -1 when nothing measured */
static int
push_p95(struct db *db, int64_t account_id, int days, double *out,
    struct err *e)
{
	struct db_res	*r;
	double		*v;
	size_t		 n = 0;
	int		 rc;

	*out = -1;
	if ((v = calloc(LAT_SAMPLES, sizeof(*v))) == NULL)
		return err_set(e, ERR_SYS, "out of memory");
	r = db_query(db, "SELECT TIMESTAMPDIFF(MICROSECOND, (SELECT "
	    "MAX(m.created_at) FROM stock_movements m WHERE m.item_id = "
	    "l.item_id AND m.created_at <= w.written_at), w.written_at) FROM "
	    "channel_writes w JOIN channel_listings l ON l.id = w.listing_id "
	    "WHERE l.account_id = ? AND w.written_at >= " CLOCK_NOW_SQL
	    " - INTERVAL ? DAY ORDER BY w.id DESC LIMIT 2000",
	    (struct db_val[]){ DBI(account_id), DBI(days) }, 2, e);
	if (r == NULL) {
		free(v);
		return -1;
	}
	while ((rc = db_next(r, e)) == 1)
		if (!db_col_null(r, 0) && n < LAT_SAMPLES)
			v[n++] = (double)db_col_i64(r, 0) / 1e6;
	db_res_free(r);
	if (rc == 0 && n > 0) {
		qsort(v, n, sizeof(*v), cmp_double);
		*out = v[(size_t)((double)(n - 1) * 0.95)];
	}
	free(v);
	return rc == -1 ? -1 : 0;
}

static int
measure(struct db *db, int days, struct meas *m, struct err *e)
{
	struct db_res		*r;
	enum channel_type	 t;
	int64_t			 v;
	size_t			 i, a, cap = 0;
	double			 p;
	int			 rc;

	memset(m, 0, sizeof(*m));
	if (days < 1 || days > 366)
		return err_set(e, ERR_INVALID, "days must be 1..366");
	if ((r = db_query(db, "SELECT id, type FROM channel_accounts ORDER BY "
	    "id", NULL, 0, e)) == NULL)
		return -1;
	while ((rc = db_next(r, e)) == 1) {
		if (m->nacct == cap) {
			int64_t			*na;
			struct bufrec_channel	*nc;

			cap = cap ? cap * 2 : 8;
			na = realloc(m->acct, cap * sizeof(*na));
			if (na != NULL)
				m->acct = na;
			nc = realloc(m->ch, cap * sizeof(*nc));
			if (nc != NULL)
				m->ch = nc;
			if (na == NULL || nc == NULL) {
				rc = err_set(e, ERR_SYS, "out of memory");
				break;
			}
		}
		m->acct[m->nacct] = db_col_i64(r, 0);
		if (channel_type_parse(db_col_str(r, 1), &t) == -1)
			t = CHANNEL_AMAZON;
		/* detection: webhooks arrive in seconds; Etsy is found at
		 * its polling interval plus the minute's tick; the others
		 * by slow order polling */
		m->ch[m->nacct].detect_s = t == CHANNEL_SHOPIFY ? 5 :
		    t == CHANNEL_ETSY ? 120 : 900;
		m->nacct++;
	}
	db_res_free(r);
	if (rc == -1)
		goto fail;
	cap = 0;
	for (a = 0; a < m->nacct; a++) {
		rc = db_query_i64(db, "SELECT interval_s + 60 FROM "
		    "etsy_poll_state WHERE account_id = ?", (struct db_val[]){
		    DBI(m->acct[a]) }, 1, &v, e);
		if (rc == -1)
			goto fail;
		if (rc == 1)
			m->ch[a].detect_s = (double)v;
		if (push_p95(db, m->acct[a], days, &p, e) == -1)
			goto fail;
		m->ch[a].push_s = p >= 0 ? p : 2;
	}
	/* every listed item, with its sales per account */
	if ((r = db_query(db, "SELECT DISTINCT item_id FROM channel_listings "
	    "ORDER BY item_id", NULL, 0, e)) == NULL)
		goto fail;
	while ((rc = db_next(r, e)) == 1) {
		if (m->nitems == cap) {
			int64_t	*ni;
			cap = cap ? cap * 2 : 64;
			if ((ni = realloc(m->item, cap * sizeof(*ni))) == NULL) {
				rc = err_set(e, ERR_SYS, "out of memory");
				break;
			}
			m->item = ni;
		}
		m->item[m->nitems++] = db_col_i64(r, 0);
	}
	db_res_free(r);
	if (rc == -1)
		goto fail;
	if ((m->rate = calloc(m->nitems * m->nacct + 1,
	    sizeof(*m->rate))) == NULL) {
		err_set(e, ERR_SYS, "out of memory");
		goto fail;
	}
	if ((r = db_query(db, "SELECT item_id, account_id, SUM(qty) FROM "
	    "channel_order_lines WHERE created_at >= " CLOCK_NOW_SQL " - "
	    "INTERVAL ? DAY GROUP BY item_id, account_id", (struct db_val[]){
	    DBI(days) }, 1, e)) == NULL)
		goto fail;
	while ((rc = db_next(r, e)) == 1) {
		i = item_index(m, db_col_i64(r, 0));
		a = acct_index(m, db_col_i64(r, 1));
		if (i != (size_t)-1 && a != (size_t)-1)
			m->rate[i * m->nacct + a] =
			    (double)db_col_i64(r, 2) / days;
	}
	db_res_free(r);
	if (rc == -1)
		goto fail;
	return 0;
fail:
	meas_free(m);
	return -1;
}

int
bufrec_account(struct db *db, int64_t account_id, int days, double target,
    struct bufrec_row *rows, size_t *n, struct err *e)
{
	struct meas		 m;
	struct bufrec_out	 o, worst[BUFREC_CLASSES];
	struct bufrec_row	 all[BUFREC_CLASSES];
	struct db_res		*r;
	const char		*pct;
	double			 total, cpct = 0;
	int64_t			 cunits = 0;
	size_t			 c, i, j;
	int			 cls, rc, k;

	*n = 0;
	if (measure(db, days, &m, e) == -1)
		return -1;
	rc = -1;
	if ((c = acct_index(&m, account_id)) == (size_t)-1) {
		err_set(e, ERR_NOTFOUND, "no account %lld",
		    (long long)account_id);
		goto out;
	}
	if ((r = db_query(db, "SELECT holdback_pct, holdback_units FROM "
	    "channel_accounts WHERE id = ?", (struct db_val[]){
	    DBI(account_id) }, 1, e)) == NULL)
		goto out;
	if ((k = db_next(r, e)) == 1) {
		pct = db_col_str(r, 0);
		cpct = pct != NULL ? strtod(pct, NULL) : 0;
		cunits = db_col_i64(r, 1);
	}
	db_res_free(r);
	if (k == -1)
		goto out;
	memset(all, 0, sizeof(all));
	memset(worst, 0, sizeof(worst));
	if ((r = db_query(db, "SELECT item_id FROM channel_listings WHERE "
	    "account_id = ?", (struct db_val[]){ DBI(account_id) }, 1,
	    e)) == NULL)
		goto out;
	while ((k = db_next(r, e)) == 1) {
		if ((i = item_index(&m, db_col_i64(r, 0))) == (size_t)-1)
			continue;
		total = 0;
		for (j = 0; j < m.nacct; j++)
			total += m.rate[i * m.nacct + j];
		if (rec_for(&m, i, c, target, &o, e) == -1) {
			k = -1;
			break;
		}
		cls = bufrec_class(total);
		all[cls].skus++;
		if (all[cls].skus == 1 || total > all[cls].rate_max) {
			all[cls].rate_max = total;
			worst[cls] = o;
		}
		if (o.units > all[cls].units)
			all[cls].units = o.units;
	}
	db_res_free(r);
	if (k == -1)
		goto out;
	for (k = 0; k < BUFREC_CLASSES; k++) {
		if (all[k].skus == 0)
			continue;
		all[k].cls = k;
		all[k].configured_pct = cpct;
		all[k].configured_units = cunits;
		worst[k].units = all[k].units;
		worst[k].p_oversell = bufrec_tail(worst[k].mu, all[k].units);
		(void)bufrec_explain(&worst[k], target, all[k].why,
		    sizeof(all[k].why));
		rows[(*n)++] = all[k];
	}
	rc = 0;
out:
	meas_free(&m);
	return rc;
}

int
bufrec_apply(struct db *db, int days, double target, int *changed,
    struct err *e)
{
	struct meas		 m;
	struct bufrec_out	 o;
	struct db_res		*r;
	int64_t			*lid = NULL, *want = NULL;
	size_t			 nl = 0, cap = 0, i, a, k;
	int			 rc = -1, got, cnt = 0;

	if (changed != NULL)
		*changed = 0;
	if (measure(db, days, &m, e) == -1)
		return -1;
	if ((r = db_query(db, "SELECT id, item_id, account_id, "
	    "COALESCE(holdback_units, -1) FROM channel_listings ORDER BY id",
	    NULL, 0, e)) == NULL)
		goto out;
	while ((got = db_next(r, e)) == 1) {
		i = item_index(&m, db_col_i64(r, 1));
		a = acct_index(&m, db_col_i64(r, 2));
		if (i == (size_t)-1 || a == (size_t)-1)
			continue;
		if (rec_for(&m, i, a, target, &o, e) == -1) {
			got = -1;
			break;
		}
		if (o.units == db_col_i64(r, 3))
			continue;
		if (nl == cap) {
			int64_t	*nlid, *nw;
			cap = cap ? cap * 2 : 64;
			nlid = realloc(lid, cap * sizeof(*lid));
			if (nlid != NULL)
				lid = nlid;
			nw = realloc(want, cap * sizeof(*want));
			if (nw != NULL)
				want = nw;
			if (nlid == NULL || nw == NULL) {
				got = err_set(e, ERR_SYS, "out of memory");
				break;
			}
		}
		lid[nl] = db_col_i64(r, 0);
		want[nl++] = o.units;
	}
	db_res_free(r);
	if (got == -1)
		goto out;
	for (k = 0; k < nl; k++) {
		if (bufrec_set(db, lid[k], want[k], e) == -1)
			goto out;
		cnt++;
	}
	if (changed != NULL)
		*changed = cnt;
	rc = 0;
out:
	free(lid);
	free(want);
	meas_free(&m);
	return rc;
}

int
bufrec_set(struct db *db, int64_t listing_id, int64_t units, struct err *e)
{
	if (units > BUFREC_MAX_UNITS)
		return err_set(e, ERR_INVALID, "holdback above %d units",
		    BUFREC_MAX_UNITS);
	if (db_exec(db, "UPDATE channel_listings SET holdback_units = ? "
	    "WHERE id = ?", (struct db_val[]){ units < 0 ? DBN : DBI(units),
	    DBI(listing_id) }, 2, NULL, NULL, e) == -1)
		return -1;
	return push_queue_listing(db, listing_id, e);
}
