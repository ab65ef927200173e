/*
 * report: the simulator's results as bench/sim-results.json (the
 * {"name","value","unit","baseline"?} objects bench/results.json is made
 * of), a markdown report and its SVG charts, written by hand here (no
 * plotting dependency).
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include <jansson.h>

#include "sim.h"
#include "str.h"

static const char *const keys[NPOL] = {
	"batch15", "poll2", "static", "recommended"
};
static const char *const names[NPOL] = {
	"(a) 15-min batch, no buffers", "(b) 2-min polling, no buffers",
	"(c) hub, static buffers", "(d) hub, recommended buffers"
};
static const char *const chnames[NCH] = { "etsy", "shopify", "amazon", "ebay" };
static const char *const colors[NPOL] = {
	"#b2182b", "#ef8a62", "#67a9cf", "#2166ac"
};
/* the limit each channel's calls are held against (channel-apis.md) */
static const double limits[NCH] = { 10000, 864000, 1440, 100000 };
static const char *const limit_what[NCH] = {
	"10,000 QPD (1.7), every call", "~864,000 writes (100 pts/s, 2.4)",
	"getOrders 1/min = 1,440 a day (4.4), polls", "Fulfillment API "
	"100,000 a day (3.4)"
};

const double report_edges[REPORT_BINS + 1] = {
	0, 1, 2, 5, 10, 30, 60, 120, 300, 600, 1200, 3600, 1e12
};

const char *
policy_key(enum policy p)
{
	return (unsigned)p < NPOL ? keys[p] : "?";
}

const char *
policy_name(enum policy p)
{
	return (unsigned)p < NPOL ? names[p] : "?";
}

int
report_hist(struct lat *l, double *hist)
{
	size_t	 i;
	int	 b;

	memset(hist, 0, REPORT_BINS * sizeof(*hist));
	for (i = 0; i < l->n; i++)
		for (b = 0; b < REPORT_BINS; b++)
			if (l->v[i] < report_edges[b + 1]) {
				hist[b]++;
				break;
			}
	for (b = 0; b < REPORT_BINS && l->n > 0; b++)
		hist[b] /= (double)l->n;
	return 0;
}

static double
hidden_pct(const struct metrics *m)
{
	return m->sellable_units > 0 ? 100 * m->hidden_units /
	    m->sellable_units : 0;
}

static double
per1000(const struct metrics *m, int64_t x)
{
	return m->orders > 0 ? 1000.0 * (double)x / (double)m->orders : 0;
}

static int
add(json_t *a, const char *name, double v, const char *unit,
    const double *baseline)
{
	json_t	*o;

	if (!isfinite(v))
		v = -1;
	o = json_pack("{s:s, s:f, s:s}", "name", name, "value", v, "unit",
	    unit);
	if (o == NULL)
		return -1;
	if (baseline != NULL && json_object_set_new(o, "baseline",
	    json_real(*baseline)) == -1)
		return -1;
	return json_array_append_new(a, o);
}

static int
write_json(const struct sim_params *p, const struct metrics *m,
    double wall_s, const char *path)
{
	json_t	*a = json_array();
	char	 n[96];
	double	 b;
	int	 i, c, rc = 0;

	if (a == NULL)
		return -1;
	for (i = 0; i < NPOL; i++) {
		const double *base = NULL;

		if (i == POL_RECOMMENDED) {
			b = (double)m[POL_STATIC].oversold_units;
			base = &b;
		}
		(void)str_fmt(n, sizeof(n), "sim.oversold_units.%s", keys[i]);
		rc |= add(a, n, (double)m[i].oversold_units, "units", base);
		(void)str_fmt(n, sizeof(n), "sim.oversold_orders.%s", keys[i]);
		rc |= add(a, n, (double)m[i].oversold_orders, "orders", NULL);
		(void)str_fmt(n, sizeof(n), "sim.oversold_units_per_1000.%s",
		    keys[i]);
		rc |= add(a, n, per1000(&m[i], m[i].oversold_units),
		    "units per 1,000 orders", NULL);
		(void)str_fmt(n, sizeof(n), "sim.oversold_orders_per_1000.%s",
		    keys[i]);
		rc |= add(a, n, per1000(&m[i], m[i].oversold_orders),
		    "orders per 1,000 orders", NULL);
		base = NULL;
		if (i == POL_RECOMMENDED) {
			b = hidden_pct(&m[POL_STATIC]);
			base = &b;
		}
		(void)str_fmt(n, sizeof(n), "sim.hidden_stock_pct.%s", keys[i]);
		rc |= add(a, n, hidden_pct(&m[i]), "%", base);
		(void)str_fmt(n, sizeof(n), "sim.propagation_p50_s.%s", keys[i]);
		rc |= add(a, n, m[i].prop_p[0], "s", NULL);
		(void)str_fmt(n, sizeof(n), "sim.propagation_p95_s.%s", keys[i]);
		rc |= add(a, n, m[i].prop_p[1], "s", NULL);
		(void)str_fmt(n, sizeof(n), "sim.propagation_p99_s.%s", keys[i]);
		rc |= add(a, n, m[i].prop_p[2], "s", NULL);
		(void)str_fmt(n, sizeof(n), "sim.etsy_detect_p50_s.%s", keys[i]);
		rc |= add(a, n, m[i].etsy_p[0], "s", NULL);
		(void)str_fmt(n, sizeof(n), "sim.etsy_detect_p99_s.%s", keys[i]);
		rc |= add(a, n, m[i].etsy_p[2], "s", NULL);
		(void)str_fmt(n, sizeof(n), "sim.orders.%s", keys[i]);
		rc |= add(a, n, (double)m[i].orders, "orders", NULL);
		for (c = 0; c < NCH; c++) {
			(void)str_fmt(n, sizeof(n), "sim.api_calls_per_day.%s.%s",
			    chnames[c], keys[i]);
			rc |= add(a, n, m[i].calls_per_day[c], "calls/day",
			    NULL);
		}
	}
	for (c = 0; c < NCH; c++) {
		(void)str_fmt(n, sizeof(n), "sim.api_limit_per_day.%s",
		    chnames[c]);
		rc |= add(a, n, limits[c], "calls/day", NULL);
	}
	rc |= add(a, "sim.orders", (double)m[POL_RECOMMENDED].orders,
	    "orders", NULL);
	rc |= add(a, "sim.days", p->days, "days", NULL);
	rc |= add(a, "sim.skus", p->skus, "SKUs", NULL);
	rc |= add(a, "sim.wall_s", wall_s, "s", NULL);
	if (rc == 0 && json_dump_file(a, path, JSON_INDENT(1)) == -1)
		rc = -1;
	json_decref(a);
	return rc;
}

/* A bar per policy. */
static int
svg_bars(const char *path, const char *title, const char *unit,
    const double *v)
{
	FILE	*f;
	double	 mx = 0, h;
	int	 i;

	if ((f = fopen(path, "w")) == NULL)
		return -1;
	for (i = 0; i < NPOL; i++)
		if (v[i] > mx)
			mx = v[i];
	if (mx <= 0)
		mx = 1;
	fprintf(f, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"560\" "
	    "height=\"300\" font-family=\"sans-serif\" font-size=\"12\">\n"
	    "<rect width=\"560\" height=\"300\" fill=\"white\"/>\n"
	    "<text x=\"280\" y=\"20\" text-anchor=\"middle\" "
	    "font-size=\"14\">%s</text>\n"
	    "<line x1=\"40\" y1=\"250\" x2=\"540\" y2=\"250\" "
	    "stroke=\"black\"/>\n", title);
	for (i = 0; i < NPOL; i++) {
		h = 200 * v[i] / mx;
		fprintf(f, "<rect x=\"%d\" y=\"%.1f\" width=\"80\" "
		    "height=\"%.1f\" fill=\"%s\"/>\n"
		    "<text x=\"%d\" y=\"%.1f\" text-anchor=\"middle\">%.4g %s"
		    "</text>\n<text x=\"%d\" y=\"270\" text-anchor=\"middle\">"
		    "%s</text>\n", 70 + i * 120, 250 - h, h, colors[i],
		    110 + i * 120, 245 - h, v[i], unit, 110 + i * 120,
		    keys[i]);
	}
	fprintf(f, "</svg>\n");
	return fclose(f) == 0 ? 0 : -1;
}

/* The share of sales per latency bin, one line per policy. */
static int
svg_hist(const char *path, const struct metrics *m)
{
	static const char *const lbl[REPORT_BINS] = {
		"<1s", "1-2s", "2-5s", "5-10s", "10-30s", "30-60s", "1-2m",
		"2-5m", "5-10m", "10-20m", "20-60m", ">1h"
	};
	FILE	*f;
	double	 x, y;
	int	 i, b;

	if ((f = fopen(path, "w")) == NULL)
		return -1;
	fprintf(f, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"680\" "
	    "height=\"340\" font-family=\"sans-serif\" font-size=\"11\">\n"
	    "<rect width=\"680\" height=\"340\" fill=\"white\"/>\n"
	    "<text x=\"340\" y=\"18\" text-anchor=\"middle\" font-size=\"14\">"
	    "Sale to every other channel: share of sales per latency</text>\n"
	    "<line x1=\"50\" y1=\"280\" x2=\"650\" y2=\"280\" "
	    "stroke=\"black\"/>\n<line x1=\"50\" y1=\"40\" x2=\"50\" "
	    "y2=\"280\" stroke=\"black\"/>\n"
	    "<text x=\"45\" y=\"44\" text-anchor=\"end\">100%%</text>\n"
	    "<text x=\"45\" y=\"284\" text-anchor=\"end\">0</text>\n");
	for (b = 0; b < REPORT_BINS; b++)
		fprintf(f, "<text x=\"%d\" y=\"298\" text-anchor=\"middle\">"
		    "%s</text>\n", 75 + b * 50, lbl[b]);
	for (i = 0; i < NPOL; i++) {
		fprintf(f, "<polyline fill=\"none\" stroke=\"%s\" "
		    "stroke-width=\"2\" points=\"", colors[i]);
		for (b = 0; b < REPORT_BINS; b++) {
			x = 75 + b * 50;
			y = 280 - 240 * m[i].prop_hist[b];
			fprintf(f, "%.1f,%.1f ", x, y);
		}
		fprintf(f, "\"/>\n<rect x=\"%d\" y=\"316\" width=\"12\" "
		    "height=\"12\" fill=\"%s\"/><text x=\"%d\" y=\"326\">%s"
		    "</text>\n", 60 + i * 160, colors[i], 76 + i * 160,
		    keys[i]);
	}
	fprintf(f, "</svg>\n");
	return fclose(f) == 0 ? 0 : -1;
}

static const char *
verdict(int ok)
{
	return ok ? "met" : "**missed**";
}

static int
write_md(const struct sim_params *p, const struct metrics *m,
    double wall_s, const char *path)
{
	const struct metrics	*c = &m[POL_STATIC], *d = &m[POL_RECOMMENDED];
	FILE			*f;
	int			 i, k;

	if ((f = fopen(path, "w")) == NULL)
		return -1;
	fprintf(f, "# Oversell simulator: results\n\n"
	    "Made by `make sim` (`build/simulator --seed %llu --days %d "
	    "--skus %d --orders %.0f --viral-day %d`): %d days, %d SKUs, 4 "
	    "channels, %.0f orders a day, day %d at %.0fx, seed %llu. The "
	    "hub's own code (ledger, orders, push outbox, alloc, Etsy poll "
	    "cadence and watermark, bufrec) ran on a real MariaDB in virtual "
	    "time; wall time %.1f s on this machine.\n\n",
	    (unsigned long long)p->seed, p->days, p->skus, p->orders_per_day,
	    p->viral_day, p->days, p->skus, p->orders_per_day,
	    p->viral_day + 1, p->viral_factor, (unsigned long long)p->seed,
	    wall_s);
	fprintf(f, "| policy | orders | oversold units | oversold orders | "
	    "per 1,000 orders (units / orders) | hidden stock | propagation "
	    "p50 / p95 / p99 | Etsy detection p50 / p95 / p99 |\n"
	    "|---|---|---|---|---|---|---|---|\n");
	for (i = 0; i < NPOL; i++)
		fprintf(f, "| %s | %lld | %lld | %lld | %.2f / %.2f | %.2f %% | "
		    "%.0f / %.0f / %.0f s | %.0f / %.0f / %.0f s |\n", names[i],
		    (long long)m[i].orders, (long long)m[i].oversold_units,
		    (long long)m[i].oversold_orders,
		    per1000(&m[i], m[i].oversold_units),
		    per1000(&m[i], m[i].oversold_orders), hidden_pct(&m[i]),
		    m[i].prop_p[0], m[i].prop_p[1], m[i].prop_p[2],
		    m[i].etsy_p[0], m[i].etsy_p[1], m[i].etsy_p[2]);
	fprintf(f, "\n![oversold units](sim-oversold.svg)\n"
	    "![hidden stock](sim-hidden.svg)\n"
	    "![propagation latency](sim-latency.svg)\n\n");
	fprintf(f, "## Hidden stock per channel\n\n| policy |");
	for (k = 0; k < NCH; k++)
		fprintf(f, " %s |", chnames[k]);
	fprintf(f, "\n|---|---|---|---|---|\n");
	for (i = 0; i < NPOL; i++) {
		fprintf(f, "| %s |", keys[i]);
		for (k = 0; k < NCH; k++)
			fprintf(f, " %.2f %% |", m[i].sellable_by_ch[k] > 0 ?
			    100 * m[i].hidden_by_ch[k] /
			    m[i].sellable_by_ch[k] : 0);
		fprintf(f, "\n");
	}
	fprintf(f, "\n## API calls per channel per day (mean / worst day)\n\n"
	    "| policy |");
	for (k = 0; k < NCH; k++)
		fprintf(f, " %s |", chnames[k]);
	fprintf(f, "\n|---|---|---|---|---|\n");
	for (i = 0; i < NPOL; i++) {
		fprintf(f, "| %s |", keys[i]);
		for (k = 0; k < NCH; k++)
			fprintf(f, " %.0f / %.0f |", m[i].calls_per_day[k],
			    m[i].calls_day_max[k]);
		fprintf(f, "\n");
	}
	fprintf(f, "| limit |");
	for (k = 0; k < NCH; k++)
		fprintf(f, " %s |", limit_what[k]);
	fprintf(f, "\n\n## Targets\n\n"
	    "- a simulated month in under 5 minutes: %.1f s, %s\n"
	    "- (d) 0 oversold units: %lld, %s\n"
	    "- (d) hidden stock at most 5 %%: %.2f %%, %s\n"
	    "- (d) no more oversells than (c): %lld vs %lld, %s\n"
	    "- (d) less hidden stock than (c): %.2f %% vs %.2f %%, %s\n\n",
	    wall_s, verdict(wall_s < 300 || p->days < 30),
	    (long long)d->oversold_units, verdict(d->oversold_units == 0),
	    hidden_pct(d), verdict(hidden_pct(d) <= 5),
	    (long long)d->oversold_units, (long long)c->oversold_units,
	    verdict(d->oversold_units <= c->oversold_units),
	    hidden_pct(d), hidden_pct(c),
	    verdict(hidden_pct(d) < hidden_pct(c)));
	fprintf(f, "## Invariants (every policy)\n\n| policy | ledger vs "
	    "movements | ledger vs truth | lines missing | lines doubled | "
	    "duplicates refused | webhooks sent / duplicated / attempts lost "
	    "|\n|---|---|---|---|---|---|---|\n");
	for (i = 0; i < NPOL; i++)
		fprintf(f, "| %s | %lld | %lld | %lld | %lld | %lld | %lld / "
		    "%lld / %lld |\n", keys[i], (long long)m[i].ledger_bad,
		    (long long)m[i].truth_mismatch,
		    (long long)m[i].lines_missing,
		    (long long)m[i].lines_extra, (long long)m[i].duplicates,
		    (long long)m[i].hooks_sent, (long long)m[i].hooks_dup,
		    (long long)m[i].hooks_lost);
	fprintf(f, "\n## The model\n\n"
	    "- Buyers: Poisson per SKU and channel (long-tailed popularity, "
	    "Etsy 40 %%, Shopify 30 %%, Amazon 20 %%, eBay 10 %% of demand), "
	    "1-3 units, bursts of 1-4 h at 4x about once a fortnight per SKU, "
	    "one viral day at 10x. A channel sells only what it shows; a "
	    "buyer who finds too few leaves. The maker restocks a batch 2-4 "
	    "days after a SKU runs low; oversold units are made as "
	    "backorders.\n"
	    "- Channels (sim/market.c): Etsy polled on etsy_poll's cadence "
	    "(60 s, 5 min overlap, rolling 10,000-call day), Shopify webhooks "
	    "(0.3 s + ~1.5 s, 5 %% duplicated, 1 %% of attempts lost and "
	    "retried 8 times with backoff, 1 %% minutes late), Amazon orders "
	    "visible 1-5 min late and polled every 5 min, writes applied "
	    "2-15 min after ACCEPTED, eBay polled every 5 min with 250 "
	    "revisions per listing a day; every call fails 1 %% of the "
	    "time.\n"
	    "- (a) and (b) are the same hub without buffers, reading every "
	    "channel's orders and pushing only every 15 or 2 minutes.\n"
	    "- (d) recomputes every listing's holdback hourly with bufrec "
	    "from the velocity measured so far (the busier of the last 14 "
	    "days and the last 24 hours) and the detection and push "
	    "latencies measured so far (p95), oversell target %.2g per "
	    "window; before a day is measured it assumes the shop's mean "
	    "velocity for every listing.\n"
	    "- Hidden stock: every 10 minutes, for every SKU with units on "
	    "the shelf and every channel, the units the channel does not show "
	    "over the units there are.\n", p->target);
	return fclose(f) == 0 ? 0 : -1;
}

int
report_write(const struct sim_params *p, const struct metrics *m,
    double wall_s, const char *dir, struct err *e)
{
	char	 path[512];
	double	 v[NPOL];
	int	 i;

	(void)str_fmt(path, sizeof(path), "%s/sim-results.json", dir);
	if (write_json(p, m, wall_s, path) == -1)
		return err_set(e, ERR_SYS, "cannot write %s", path);
	for (i = 0; i < NPOL; i++)
		v[i] = (double)m[i].oversold_units;
	(void)str_fmt(path, sizeof(path), "%s/sim-oversold.svg", dir);
	if (svg_bars(path, "Oversold units in the simulated month", "", v) == -1)
		return err_set(e, ERR_SYS, "cannot write %s", path);
	for (i = 0; i < NPOL; i++)
		v[i] = hidden_pct(&m[i]);
	(void)str_fmt(path, sizeof(path), "%s/sim-hidden.svg", dir);
	if (svg_bars(path, "Hidden stock (share of sellable units not shown)",
	    "%", v) == -1)
		return err_set(e, ERR_SYS, "cannot write %s", path);
	(void)str_fmt(path, sizeof(path), "%s/sim-latency.svg", dir);
	if (svg_hist(path, m) == -1)
		return err_set(e, ERR_SYS, "cannot write %s", path);
	(void)str_fmt(path, sizeof(path), "%s/sim-report.md", dir);
	if (write_md(p, m, wall_s, path) == -1)
		return err_set(e, ERR_SYS, "cannot write %s", path);
	return 0;
}
