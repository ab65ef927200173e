/*
 * sim: the oversell simulator's main program (see sim.h). Runs the four
 * policies on the same seeded buyers, one after another, each on its own
 * fresh database, checks the invariants (no lost or doubled order line,
 * the ledger equals the truth, every balance equals its movements) and
 * writes the results.
 *
 *   simulator [--short] [--seed N] [--days N] [--skus N] [--orders N]
 *             [--viral-day N] [--target P] [--policy KEY] [--out DIR]
 *             [--log FILE] [--jobs N]
 *
 * The database comes from $STOCKHUB_CONFIG (its user must be allowed to
 * create t_* databases, as the test stack's is). Exit 0 when every
 * invariant holds, 1 when one broke, 2 on a usage or setup error.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <sys/wait.h>

#include "clock.h"
#include "config.h"
#include "err.h"
#include "log.h"
#include "sim.h"
#include "str.h"

#define SAMPLE_MS	600000
#define DRAIN_MS	(6 * 3600000)
#define BURST_MULT	4.0
#define BURSTS_PER_DAY	(1.0 / 15)

static const double share[NCH] = {
	[CH_ETSY] = 0.4, [CH_SHOPIFY] = 0.3, [CH_AMAZON] = 0.2, [CH_EBAY] = 0.1
};

static double
now_s(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void
sim_free(struct sim *S)
{
	int	 c;

	evq_free(&S->q);
	market_free(S);
	free(S->item_id);
	free(S->rate);
	free(S->srng);
	free(S->burst_t0);
	free(S->burst_t1);
	free(S->batch);
	free(S->reorder);
	free(S->restocking);
	free(S->on_hand);
	free(S->committed);
	free(S->sales);
	free(S->day_sales);
	free(S->hour_sales);
	lat_free(&S->m.prop);
	lat_free(&S->m.etsy_detect);
	for (c = 0; c < NCH; c++) {
		lat_free(&S->m.detect[c]);
		lat_free(&S->m.push_lat[c]);
	}
}

/* The shop: the same for every policy (seeded). */
static int
catalog(struct sim *S, struct err *e)
{
	size_t		 n = (size_t)S->p.skus, st = n * NCH;
	double		 wsum = 0, w, units, t;
	struct rng	 br;
	int		 s, c, k;

	S->item_id = calloc(n, sizeof(*S->item_id));
	S->rate = calloc(st, sizeof(*S->rate));
	S->srng = calloc(st, sizeof(*S->srng));
	S->burst_t0 = calloc(n * SIM_MAX_BURSTS, sizeof(*S->burst_t0));
	S->burst_t1 = calloc(n * SIM_MAX_BURSTS, sizeof(*S->burst_t1));
	S->batch = calloc(n, sizeof(*S->batch));
	S->reorder = calloc(n, sizeof(*S->reorder));
	S->restocking = calloc(n, sizeof(*S->restocking));
	S->day_sales = calloc(st * (size_t)S->p.days, sizeof(*S->day_sales));
	S->hour_sales = calloc(st * 24, sizeof(*S->hour_sales));
	if (S->item_id == NULL || S->rate == NULL || S->srng == NULL ||
	    S->burst_t0 == NULL || S->burst_t1 == NULL || S->batch == NULL ||
	    S->reorder == NULL || S->restocking == NULL ||
	    S->day_sales == NULL || S->hour_sales == NULL)
		return err_set(e, ERR_SYS, "out of memory");
	for (s = 0; s < S->p.skus; s++)
		wsum += 1.0 / pow(s + 1, 0.8);
	for (s = 0; s < S->p.skus; s++) {
		/* a long tail: a few fast sellers, many slow ones */
		w = S->p.orders_per_day / pow(s + 1, 0.8) / wsum;
		for (c = 0; c < NCH; c++) {
			S->rate[s * NCH + c] = w * share[c];
			rng_seed(&S->srng[s * NCH + c], S->p.seed,
			    (uint64_t)(s * NCH + c + 1));
		}
		units = w * 1.18;	/* the mean order is 1.18 units */
		/* a maker's shelf: about five days of sales in a batch (at
		 * least 3), the next one started at two days left */
		S->batch[s] = (int64_t)ceil(units * 5);
		if (S->batch[s] < 3)
			S->batch[s] = 3;
		S->reorder[s] = (int64_t)ceil(units * 2);
		/* bursts: about one a fortnight per SKU, 1-4 hours, x4 */
		rng_seed(&br, S->p.seed, (uint64_t)1000000 + (uint64_t)s);
		t = 0;
		for (k = 0; k < SIM_MAX_BURSTS; k++) {
			t += rng_exp(&br, 1.0 / BURSTS_PER_DAY);
			S->burst_t0[s * SIM_MAX_BURSTS + k] = SIM_T0_MS +
			    (int64_t)(t * SIM_DAY_MS);
			S->burst_t1[s * SIM_MAX_BURSTS + k] =
			    S->burst_t0[s * SIM_MAX_BURSTS + k] +
			    (int64_t)(rng_unif(&br, 1, 4) * 3600000);
		}
	}
	return 0;
}

static double
mmax(const struct sim *S)
{
	return (S->p.viral_factor > 1 ? S->p.viral_factor : 1) * BURST_MULT;
}

static double
multiplier(const struct sim *S, int s, int64_t t)
{
	double	 m = 1;
	int	 k;

	if ((t - SIM_T0_MS) / SIM_DAY_MS == S->p.viral_day)
		m *= S->p.viral_factor;
	for (k = 0; k < SIM_MAX_BURSTS; k++)
		if (t >= S->burst_t0[s * SIM_MAX_BURSTS + k] &&
		    t < S->burst_t1[s * SIM_MAX_BURSTS + k])
			m *= BURST_MULT;
	return m;
}

/* the next candidate buyer of a stream (thinning at the peak rate) */
static int
next_arrival(struct sim *S, int st, int64_t from)
{
	double	 mean_ms = (double)SIM_DAY_MS / (S->rate[st] * mmax(S));
	int64_t	 t = from + (int64_t)rng_exp(&S->srng[st], mean_ms) + 1;

	if (t >= S->end)
		return 0;
	return evq_push(&S->q, t, EV_ARRIVAL, st, 0, 0);
}

static int
maybe_restock(struct sim *S, int s)
{
	int64_t	 avail = S->on_hand[s] - S->committed[s];

	if (S->restocking[s] || avail > S->reorder[s])
		return 0;
	S->restocking[s] = 1;
	/* the maker makes a batch (and any backorder) in 2-4 days */
	return evq_push(&S->q, S->now + (int64_t)(rng_unif(&S->r, 2, 4) *
	    SIM_DAY_MS), EV_RESTOCK, 0, s, S->batch[s] +
	    (avail < 0 ? -avail : 0));
}

static int
arrival(struct sim *S, int st, struct err *e)
{
	struct rng	*r = &S->srng[st];
	double		 u = rng_u01(r), uq = rng_u01(r);
	int		 s = st / NCH, c = st % NCH, qty, rc;

	if (next_arrival(S, st, S->now) == -1)
		return err_set(e, ERR_SYS, "out of memory");
	if (u >= multiplier(S, s, S->now) / mmax(S))
		return 0;
	qty = uq < 0.85 ? 1 : uq < 0.97 ? 2 : 3;
	if ((rc = market_buy(S, c, s, qty, e)) != 1)
		return rc;
	if (hub_sold(S, (int)S->nsales - 1) == -1 ||
	    maybe_restock(S, s) == -1)
		return err_set(e, ERR_SYS, "out of memory");
	return 0;
}

static int
run_policy(struct sim *S, struct err *e)
{
	struct ev	 ev;
	int64_t		 tick, stop;
	int		 st;
	double		 t0 = now_s();

	S->now = SIM_T0_MS;
	S->end = SIM_T0_MS + (int64_t)S->p.days * SIM_DAY_MS;
	stop = S->end + DRAIN_MS;
	clock_set_real();
	clock_set_virtual_ms(S->now);
	rng_seed(&S->r, S->p.seed, 0);
	if (catalog(S, e) == -1 || truth_init(S, e) == -1 ||
	    market_init(S, e) == -1)
		return -1;
	market_install(S);
	if (hub_setup(S, e) == -1)
		return -1;
	tick = hub_sync_ms(S) ? hub_sync_ms(S) : 60000;
	if (evq_push(&S->q, S->now + tick, EV_TICK, 0, 0, 0) == -1 ||
	    evq_push(&S->q, S->now + SAMPLE_MS, EV_SAMPLE, 0, 0, 0) == -1)
		return err_set(e, ERR_SYS, "out of memory");
	for (st = 0; st < S->p.skus * NCH; st++)
		if (next_arrival(S, st, S->now) == -1)
			return err_set(e, ERR_SYS, "out of memory");
	while (evq_pop(&S->q, &ev) == 1) {
		if (ev.t > stop)
			break;
		if (ev.t > S->now)
			S->now = ev.t;
		switch (ev.kind) {
		case EV_ARRIVAL:
			if (arrival(S, ev.a, e) == -1)
				return -1;
			break;
		case EV_APPLY:
			market_apply(S, ev.a, ev.b, ev.x);
			break;
		case EV_HOOK:
			if (hub_hook(S, ev.a, ev.b, e) == -1)
				return -1;
			break;
		case EV_TICK:
			if (hub_tick(S, e) == -1)
				return -1;
			if (evq_push(&S->q, S->now + tick, EV_TICK, 0, 0,
			    0) == -1)
				return err_set(e, ERR_SYS, "out of memory");
			break;
		case EV_PUSH:
			if (ev.t == S->push_at && hub_push(S, e) == -1)
				return -1;
			break;
		case EV_RESTOCK:
			S->restocking[ev.b] = 0;
			if (hub_receive(S, ev.b, ev.x, e) == -1 ||
			    maybe_restock(S, ev.b) == -1)
				return -1;
			break;
		case EV_SAMPLE:
			if (S->now >= S->end)
				break;
			truth_sample(S);
			if (evq_push(&S->q, S->now + SAMPLE_MS, EV_SAMPLE, 0,
			    0, 0) == -1)
				return err_set(e, ERR_SYS, "out of memory");
			break;
		}
	}
	if (S->now < stop)
		S->now = stop;
	if (hub_finish(S, e) == -1 || truth_check(S, e) == -1)
		return -1;
	S->m.wall_s = now_s() - t0;
	return 0;
}

static void
summarize(struct sim *S)
{
	int	 c, d;
	int64_t	 mx;

	for (c = 0; c < NCH; c++) {
		S->m.calls_per_day[c] = (double)(S->ch[c].calls_poll +
		    S->ch[c].calls_push) / S->p.days;
		mx = 0;
		for (d = 0; d < S->p.days; d++)
			if (S->ch[c].calls_by_day[d] > mx)
				mx = S->ch[c].calls_by_day[d];
		S->m.calls_day_max[c] = (double)mx;
		S->m.hidden_units += S->m.hidden_by_ch[c];
		S->m.sellable_units += S->m.sellable_by_ch[c];
	}
}

static int	fds[NPOL][2];
static pid_t	pids[NPOL];

/* One policy, in a child process: the metrics go to fd. */
static int
child(const struct sim_params *p, const struct config *cfg, int pol, int fd)
{
	static struct sim	 S;
	struct metrics		 r;
	struct err		 e;
	const char		*buf;
	size_t			 left;
	ssize_t			 w;
	int			 rc = 0;

	err_clear(&e);
	memset(&S, 0, sizeof(S));
	S.p = *p;
	S.pol = pol;
	S.cfg = *cfg;
	if (run_policy(&S, &e) == -1) {
		printf("%s: failed: %s\n", policy_name(pol), e.msg);
		hub_teardown(&S);
		sim_free(&S);
		return 2;
	}
	summarize(&S);
	r = S.m;
	/* the percentiles are taken here; the arrays stay behind */
	memset(&r.prop, 0, sizeof(r.prop));
	memset(&r.etsy_detect, 0, sizeof(r.etsy_detect));
	memset(r.detect, 0, sizeof(r.detect));
	memset(r.push_lat, 0, sizeof(r.push_lat));
	r.prop_p[0] = lat_pct(&S.m.prop, 50);
	r.prop_p[1] = lat_pct(&S.m.prop, 95);
	r.prop_p[2] = lat_pct(&S.m.prop, 99);
	r.etsy_p[0] = lat_pct(&S.m.etsy_detect, 50);
	r.etsy_p[1] = lat_pct(&S.m.etsy_detect, 95);
	r.etsy_p[2] = lat_pct(&S.m.etsy_detect, 99);
	(void)report_hist(&S.m.prop, r.prop_hist);
	r.ran = 1;
	printf("%-12s orders %lld  oversold %lld units / %lld orders  "
	    "hidden %.2f %%  propagation p50 %.1f s p99 %.1f s  "
	    "invariants: ledger %lld, truth %lld, missing %lld, "
	    "doubled %lld  dups %lld  (%.1f s)\n", policy_key(pol),
	    (long long)r.orders, (long long)r.oversold_units,
	    (long long)r.oversold_orders, r.sellable_units > 0 ?
	    100 * r.hidden_units / r.sellable_units : 0,
	    r.prop_p[0], r.prop_p[2], (long long)r.ledger_bad,
	    (long long)r.truth_mismatch, (long long)r.lines_missing,
	    (long long)r.lines_extra, (long long)r.duplicates, r.wall_s);
	fflush(stdout);
	buf = (const char *)&r;
	for (left = sizeof(r); left > 0; left -= (size_t)w, buf += w)
		if ((w = write(fd, buf, left)) <= 0) {
			rc = 2;
			break;
		}
	close(fd);
	hub_teardown(&S);
	sim_free(&S);
	return rc;
}

/* Wait for one child and read its metrics. */
static int
collect(int *running, struct metrics *res, int *bad)
{
	struct metrics	 r;
	char		*buf;
	size_t		 got = 0;
	ssize_t		 n;
	pid_t		 pid;
	int		 st, pol;

	if ((pid = wait(&st)) == -1)
		return -1;
	(*running)--;
	for (pol = 0; pol < NPOL; pol++)
		if (pids[pol] == pid)
			break;
	if (pol == NPOL)
		return 0;
	buf = (char *)&r;
	while (got < sizeof(r) && (n = read(fds[pol][0], buf + got,
	    sizeof(r) - got)) > 0)
		got += (size_t)n;
	close(fds[pol][0]);
	if (!WIFEXITED(st) || WEXITSTATUS(st) != 0 || got != sizeof(r)) {
		printf("simulator: policy %s failed\n", policy_key(pol));
		return -1;
	}
	res[pol] = r;
	if (r.ledger_bad || r.truth_mismatch || r.lines_missing ||
	    r.lines_extra)
		*bad = 1;
	return 0;
}

static int
usage(void)
{
	fprintf(stderr, "usage: simulator [--short] [--seed N] [--days N] "
	    "[--skus N] [--orders N] [--viral-day N] [--target P]\n"
	    "                 [--policy batch15|poll2|static|recommended] "
	    "[--out DIR] [--log FILE] [--jobs N]\n");
	return 2;
}

static int
num(const char *s, int64_t lo, int64_t hi, int64_t *out)
{
	return s == NULL ? -1 : str_to_i64(s, lo, hi, out);
}

int
main(int argc, char **argv)
{
	static struct metrics	 res[NPOL];
	struct sim_params	 p;
	struct config		 cfg;
	struct err		 e;
	const char		*out = "bench", *logf = "/dev/null";
	int64_t			 v;
	double			 t0 = now_s();
	char			*end;
	int			 i, pol, bad = 0, ran = 0, running = 0;
	int			 jobs = 2;

	memset(&p, 0, sizeof(p));
	p.seed = 42;
	p.days = 30;
	p.skus = 200;
	p.orders_per_day = 50;
	p.viral_day = 14;
	p.viral_factor = 10;
	p.target = 0.001;
	p.only = -1;
	for (i = 1; i < argc; i++) {
		const char *a = argv[i], *n = i + 1 < argc ? argv[i + 1] : NULL;

		if (strcmp(a, "--short") == 0) {
			p.days = 3;
			p.skus = 20;
			p.orders_per_day = 60;
			p.viral_day = 1;
			continue;
		}
		if (n == NULL)
			return usage();
		i++;
		if (strcmp(a, "--seed") == 0 && num(n, 0, INT64_MAX, &v) == 0)
			p.seed = (uint64_t)v;
		else if (strcmp(a, "--days") == 0 && num(n, 1, 366, &v) == 0)
			p.days = (int)v;
		else if (strcmp(a, "--skus") == 0 && num(n, 1, 5000, &v) == 0)
			p.skus = (int)v;
		else if (strcmp(a, "--orders") == 0 &&
		    num(n, 1, 100000, &v) == 0)
			p.orders_per_day = (double)v;
		else if (strcmp(a, "--viral-day") == 0 &&
		    num(n, -1, 366, &v) == 0)
			p.viral_day = (int)v;
		else if (strcmp(a, "--target") == 0) {
			p.target = strtod(n, &end);
			if (*end != '\0' || !(p.target > 0 && p.target < 1))
				return usage();
		} else if (strcmp(a, "--policy") == 0) {
			for (pol = 0; pol < NPOL; pol++)
				if (strcmp(n, policy_key(pol)) == 0)
					p.only = pol;
			if (p.only < 0)
				return usage();
		} else if (strcmp(a, "--out") == 0)
			out = n;
		else if (strcmp(a, "--log") == 0)
			logf = n;
		else if (strcmp(a, "--jobs") == 0 && num(n, 1, NPOL, &v) == 0)
			jobs = (int)v;
		else
			return usage();
	}
	log_init("simulator");
	err_clear(&e);
	if (config_load(&cfg, NULL, &e) == -1) {
		fprintf(stderr, "simulator: config: %s\n", e.msg);
		return 2;
	}
	/* the hub logs every push; keep the terminal for the results */
	if (freopen(logf, "w", stderr) == NULL) {
		fprintf(stdout, "simulator: cannot open %s\n", logf);
		return 2;
	}
	printf("simulating %d days, %d SKUs, %d channels, %.0f orders a day, "
	    "viral day %d at %.0fx, seed %llu\n", p.days, p.skus, NCH,
	    p.orders_per_day, p.viral_day, p.viral_factor,
	    (unsigned long long)p.seed);
	/* each policy in its own process (its own database), jobs at a
	 * time; the results come back through a pipe */
	for (pol = 0; pol < NPOL; pol++) {
		if (p.only >= 0 && pol != p.only)
			continue;
		if (running == jobs && collect(&running, res, &bad) == -1)
			return 2;
		fflush(stdout);
		if (pipe(fds[pol]) == -1 || (pids[pol] = fork()) == -1) {
			printf("simulator: cannot start a policy\n");
			return 2;
		}
		if (pids[pol] == 0) {
			close(fds[pol][0]);
			_exit(child(&p, &cfg, pol, fds[pol][1]));
		}
		close(fds[pol][1]);
		running++;
	}
	while (running > 0)
		if (collect(&running, res, &bad) == -1)
			return 2;
	for (pol = 0; pol < NPOL; pol++)
		if (res[pol].ran)
			ran++;
	if (ran == NPOL && report_write(&p, res, now_s() - t0, out, &e) == -1) {
		printf("simulator: report: %s\n", e.msg);
		return 2;
	}
	printf("invariants: %s; wall time %.1f s\n", bad ? "BROKEN" : "ok",
	    now_s() - t0);
	return bad ? 1 : 0;
}
