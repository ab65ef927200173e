/*
 * e2e: a Shopify sale until the Etsy sandbox shows the new quantity,
 * through the real stack (make bench; see README "Benchmarks"). A
 * benchmark, not a test: it asserts only that the run itself worked.
 *
 * A SKU is mapped on a Shopify sandbox shop (whose webhooks go to the
 * hub through nginx) and on an Etsy sandbox shop. Each order is placed
 * on the Shopify sandbox (POST /_sandbox/orders, which fires the signed
 * orders/create webhook); the clock runs until the Etsy sandbox's
 * control API shows the lower quantity. No tick is sent: the hooks
 * program pushes after it answers. Orders alternate between two kinds:
 * "busy", placed as soon as the previous one shows on Etsy, so it lands
 * inside the push engine's coalescing window (PUSH_PACE_MS) and waits
 * for it, the worst case for one sale; and "quiet", placed after a pause
 * longer than that window, as most sales of a small shop are.
 *
 * env: STOCKHUB_CONFIG, STOCKHUB_URL, SANDBOX_ETSY_URL,
 * SANDBOX_SHOPIFY_URL, BENCH_E2E_ORDERS (default 50), BENCH_OUT (the
 * JSON result: {"orders","p50_ms","p99_ms","max_ms","quiet_p50_ms",
 * "quiet_p99_ms","busy_p50_ms","busy_p99_ms","lat_ms":[...],
 * "quiet":[true|false...]}).
 */
#include <inttypes.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>
#include <jansson.h>

#include "channel.h"
#include "config.h"
#include "db.h"
#include "err.h"
#include "../tests/httpc.h"	/* the tests' client, not lib/httpc.h */
#include "ledger.h"
#include "push.h"
#include "str.h"
#include "sbx.h"
#include "support.h"

#define HUB		"STOCKHUB_URL"
#define ORDERS_MAX	10000
#define POLL_MS		10
#define WAIT_MS		30000	/* an order not on Etsy by then fails the run */

static struct config	 cfg;
static struct db	*db;

static double
now_ms(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static void
sleep_ms(long ms)
{
	struct timespec	 ts = { ms / 1000, (ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

static void
tick(void)
{
	char		 auth[256];
	const char	*h[] = { auth, NULL };
	struct tresp	 r;

	(void)str_fmt(auth, sizeof(auth), "Authorization: Bearer %s",
	    cfg.timer_token);
	if (treq_env(HUB, "POST", "/jobs/tick", h, "", &r) == -1 ||
	    r.status != 200) {
		tresp_free(&r);
		fail_msg("tick: HTTP %ld", r.status);
	}
	tresp_free(&r);
}

/* Wait until Etsy shows want; the milliseconds it took, -1 if never. */
static double
wait_etsy(int64_t listing, const char *sku, int64_t want, double t0)
{
	double	 t;

	while ((t = now_ms()) - t0 < WAIT_MS) {
		if (sbx_etsy_shown(listing, sku) == want)
			return now_ms() - t0;
		sleep_ms(POLL_MS);
	}
	return -1;
}

static int
cmp_d(const void *a, const void *b)
{
	double	 x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* Percentile p of the n values in v whose quiet flag is want (-1: all);
 * 0 when there are none. Sorts a copy. */
static double
pct(const double *v, const int *quiet, int64_t n, int want, int p)
{
	double	*c, r = 0;
	int64_t	 i, m = 0;

	assert_non_null(c = calloc((size_t)n, sizeof(*c)));
	for (i = 0; i < n; i++)
		if (want == -1 || quiet[i] == want)
			c[m++] = v[i];
	if (m > 0) {
		qsort(c, (size_t)m, sizeof(*c), cmp_d);
		r = c[m * p / 100 < m ? m * p / 100 : m - 1];
	}
	free(c);
	return r;
}

static void
bench_sale_to_etsy(void **state)
{
	struct err	 e;
	char		 sku[48], domain[64], secret[64], name[64], uri[300];
	char		 key[96];
	const char	*out = getenv("BENCH_OUT"), *ns;
	int64_t		 n = 50, shop_acct, etsy_acct, etsy_shop, etsy_id;
	int64_t		 stock, i;
	double		*lat, t0;
	int		*quiet;
	json_t		*arr, *qarr, *res;
	long		 pid = (long)getpid();

	(void)state;
	if ((ns = getenv("BENCH_E2E_ORDERS")) != NULL &&
	    str_to_i64(ns, 1, ORDERS_MAX, &n) == -1)
		fail_msg("BENCH_E2E_ORDERS: 1 to %d", ORDERS_MAX);
	assert_non_null(lat = calloc((size_t)n, sizeof(*lat)));
	assert_non_null(quiet = calloc((size_t)n, sizeof(*quiet)));
	(void)str_fmt(domain, sizeof(domain), "bench%ld.myshopify.com", pid);
	(void)str_fmt(secret, sizeof(secret), "whsec-bench-%ld", pid);
	(void)str_fmt(uri, sizeof(uri), "%s/hooks/shopify", tenv(HUB));
	sbx_shopify_shop(db, &cfg, domain, secret, uri, &shop_acct);
	etsy_shop = 610000000 + (int64_t)pid;
	(void)str_fmt(name, sizeof(name), "bench-etsy-%ld", pid);
	sbx_etsy_connect(db, &cfg, name, etsy_shop, 710000000 + (int64_t)pid,
	    &etsy_acct);

	stock = n + 100;
	(void)str_fmt(sku, sizeof(sku), "BENCH-E2E-%ld", pid);
	if (ledger_item_create(db, sku, "Bench mug", NULL, &e) == -1)
		fail_msg("item: %s", e.msg);
	(void)str_fmt(key, sizeof(key), "bench-e2e-%ld", pid);
	t_post(db, key, sku, STOCK_RECEIVE, stock);
	(void)sbx_map_shopify(db, shop_acct, sku, 1, NULL);
	(void)sbx_map_etsy(db, etsy_acct, etsy_shop, sku, 1, &etsy_id);
	tick();
	if (wait_etsy(etsy_id, sku, stock, now_ms()) < 0)
		fail_msg("Etsy never showed the first %" PRId64, stock);

	for (i = 0; i < n; i++) {
		if ((quiet[i] = (int)(i % 2)) != 0)
			sleep_ms(PUSH_PACE_MS + 200);
		t0 = now_ms();
		(void)sbx_shopify_order(sku, 1);
		if ((lat[i] = wait_etsy(etsy_id, sku, stock - i - 1, t0)) < 0)
			fail_msg("order %" PRId64 ": Etsy never showed %" PRId64,
			    i + 1, stock - i - 1);
	}
	/* every sale counted once, none lost */
	assert_int_equal(t_item(db, sku).committed, n);

	assert_non_null(arr = json_array());
	assert_non_null(qarr = json_array());
	for (i = 0; i < n; i++) {
		json_array_append_new(arr, json_real(lat[i]));
		json_array_append_new(qarr, json_boolean(quiet[i]));
	}
	res = json_pack("{s:I, s:f, s:f, s:f, s:f, s:f, s:f, s:f, s:o, s:o}",
	    "orders", (json_int_t)n, "p50_ms", pct(lat, quiet, n, -1, 50),
	    "p99_ms", pct(lat, quiet, n, -1, 99), "max_ms",
	    pct(lat, quiet, n, -1, 100), "quiet_p50_ms",
	    pct(lat, quiet, n, 1, 50), "quiet_p99_ms",
	    pct(lat, quiet, n, 1, 99), "busy_p50_ms", pct(lat, quiet, n, 0, 50),
	    "busy_p99_ms", pct(lat, quiet, n, 0, 99), "lat_ms", arr, "quiet",
	    qarr);
	assert_non_null(res);
	if (out != NULL && json_dump_file(res, out, JSON_COMPACT) == -1)
		fail_msg("cannot write %s", out);
	printf("# sale to Etsy over %" PRId64 " orders: p50 %.0f ms, p99 "
	    "%.0f ms (quiet p99 %.0f ms, busy p99 %.0f ms)\n", n,
	    pct(lat, quiet, n, -1, 50), pct(lat, quiet, n, -1, 99),
	    pct(lat, quiet, n, 1, 99), pct(lat, quiet, n, 0, 99));
	json_decref(res);
	free(quiet);
	free(lat);
}

static int
setup(void **state)
{
	struct err	 e;

	(void)state;
	if (config_load(&cfg, NULL, &e) == -1 ||
	    (db = db_open(&cfg, &e)) == NULL)
		fail_msg("setup: %s", e.msg);
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	db_close(db);
	return 0;
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(bench_sale_to_etsy),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
