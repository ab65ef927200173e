/*
 * The push engine end to end (issue 4, "Push engine", "Timer", "Tests"):
 * real nginx, the hooks and jobs programs, the hub's MariaDB, and both
 * sandbox marketplaces. A Shopify sale reaches Etsy without a tick and
 * nothing is oversold; a sale Etsy made that the hub has not seen is
 * never written back; pushes ride out a 429 storm and a 5xx outage and
 * converge; two tick runners never push one listing twice; a burst of
 * Shopify orders costs Etsy few writes.
 *
 * The database is shared with the other end-to-end programs and with the
 * other pass of `make test`: every SKU, shop and account carries the pid.
 */
#include <inttypes.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>
#include <jansson.h>

#include "channel.h"
#include "config.h"
#include "db.h"
#include "err.h"
#include "../httpc.h"	/* the tests' client, not lib/httpc.h */
#include "ledger.h"
#include "orders.h"
#include "push.h"
#include "sbx.h"
#include "str.h"
#include "support.h"

#define HUB		"STOCKHUB_URL"
#define GRAPHQL		"POST /admin/api/{}/graphql.json"
#define CONC_N		20	/* listings for the concurrent ticks */
#define STORM_N		4	/* listings through the 429 storm */
#define BURST_N		100	/* Shopify orders in the burst */
#define BURST_WRITES	10	/* at most this many Etsy writes for them,
				 * when they arrive within 9 paces */

static struct config	 cfg;
static struct db	*db;
static long		 pid;
static int64_t		 shop_acct, etsy_acct, etsy_shop;

#define q64(...)	t_q64(db, __VA_ARGS__)
#define exec1(...)	t_exec(db, __VA_ARGS__)
#define item(sku)		t_item(db, sku)
#define map_shopify(sku, shows, it)	sbx_map_shopify(db, shop_acct, sku, shows, it)
#define map_etsy(sku, shows, l)	sbx_map_etsy(db, etsy_acct, etsy_shop, sku, shows, l)

/* --- helpers -------------------------------------------------------- */

static void
sleep_ms(long ms)
{
	struct timespec	 ts = { ms / 1000, (ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

/* A movement straight into the ledger, with the push engine's hook. */
static void
post(const char *sku, enum stock_kind k, int64_t qty)
{
	static int	 seq;
	char		 key[96];

	(void)str_fmt(key, sizeof(key), "hp-%ld-%d", pid, ++seq);
	t_post(db, key, sku, k, qty);
}

static void
new_item(char *sku, size_t skusz, const char *tag, int64_t units)
{
	struct err	 e;

	(void)str_fmt(sku, skusz, "HP-%s-%ld", tag, pid);
	if (ledger_item_create(db, sku, "Handmade ceramic mug", NULL, &e) ==
	    -1)
		fail_msg("item %s: %s", sku, e.msg);
	post(sku, STOCK_RECEIVE, units);
}

/* POST /jobs/tick as cron would; its answer. */
static json_t *
tick_json(void)
{
	char		 auth[256];
	const char	*h[] = { auth, NULL };
	struct tresp	 r;
	json_t		*j;

	(void)str_fmt(auth, sizeof(auth), "Authorization: Bearer %s",
	    cfg.timer_token);
	if (treq_env(HUB, "POST", "/jobs/tick", h, "", &r) == -1 ||
	    r.status != 200 || r.json == NULL) {
		tresp_free(&r);
		fail_msg("tick: HTTP %ld", r.status);
	}
	j = r.json;
	r.json = NULL;
	tresp_free(&r);
	return j;
}

static int64_t
push_stat(const json_t *t, const char *what)
{
	return (int64_t)json_integer_value(json_object_get(json_object_get(t,
	    "push"), what));
}

static void
tick(void)
{
	json_decref(tick_json());
}

/* The receipts poller keeps its own cadence per account (lib/etsy_poll):
 * the test stands in for the clock and makes this run's shop due. */
static void
etsy_poll_due(void)
{
	exec1("UPDATE etsy_poll_state SET last_attempt_at = 0, not_before = 0 "
	    "WHERE account_id = ?", (struct db_val[]){ DBI(etsy_acct) }, 1);
}

/* Wait up to 30 s for the hub to have committed want units of sku. */
static void
wait_committed(const char *sku, int64_t want)
{
	int	 i;

	for (i = 0; i < 300 && item(sku).committed != want; i++)
		sleep_ms(100);
	assert_int_equal(item(sku).committed, want);
}

/* Wait up to 15 s until the listing's pushes are done to the item's
 * current version and nothing holds it. */
static void
wait_settled(int64_t listing)
{
	const char	*sql = "SELECT COUNT(*) FROM push_queue WHERE "
	    "listing_id = ? AND done_version >= want_version AND "
	    "lease_until IS NULL";
	int		 i;

	for (i = 0; i < 150 && q64(sql, (struct db_val[]){ DBI(listing) },
	    1) != 1; i++)
		sleep_ms(100);
	if (q64(sql, (struct db_val[]){ DBI(listing) }, 1) != 1)
		fail_msg("listing %" PRId64 " never settled", listing);
}

/* Wait up to 15 s for Etsy to show want; what it shows then. */
static int64_t
wait_etsy(int64_t etsy_listing, const char *sku, int64_t want)
{
	int64_t	 v = -1;
	int	 i;

	for (i = 0; i < 150 && (v = sbx_etsy_shown(etsy_listing, sku)) !=
	    want; i++)
		sleep_ms(100);
	return v;
}

static int64_t
log_count(int64_t listing, const char *outcome)
{
	return q64("SELECT COUNT(*) FROM push_log WHERE listing_id = ? AND "
	    "outcome = ?", (struct db_val[]){ DBI(listing), DBS(outcome) }, 2);
}

/* Rows a runner would claim now (due, or due within the coalescing
 * window) in the whole queue, other programs' rows included. */
static int64_t
due_now(void)
{
	return q64("SELECT COUNT(*) FROM push_queue WHERE dead = 0 AND "
	    "want_version > done_version AND next_at <= CURRENT_TIMESTAMP(6) "
	    "+ INTERVAL ? MICROSECOND AND (lease_until IS NULL OR "
	    "lease_until < CURRENT_TIMESTAMP(6))", (struct db_val[]){
	    DBI(PUSH_PACE_MS * 1000) }, 1);
}

/* The Shopify sandbox's idempotency keys used on an inventory item (each
 * key is one inventorySetQuantities that ran). */
static int64_t
shopify_writes(int64_t item_id, const char *key)
{
	json_t		*st = sbx_ok(SBX_SHOPIFY, "GET", "/_sandbox/state",
			    NULL), *rec;
	const char	*k, *in;
	char		 needle[96];
	int64_t		 n = 0;

	(void)str_fmt(needle, sizeof(needle), "InventoryItem/%" PRId64 "\"",
	    item_id);
	json_object_foreach(json_object_get(st, "idempotency_keys"), k, rec) {
		in = json_string_value(json_object_get(rec, "input"));
		if (in == NULL || strstr(in, needle) == NULL)
			continue;
		if (key == NULL || strcmp(k, key) == 0)
			n++;
	}
	json_decref(st);
	return n;
}

/* --- setup: a Shopify shop and an Etsy shop of this run --------------- */

static int
setup(void **state)
{
	struct err	 e;
	char		 domain[64], secret[64], name[64], uri[300];

	(void)state;
	pid = (long)getpid();
	if (config_load(&cfg, NULL, &e) == -1 ||
	    (db = db_open(&cfg, &e)) == NULL)
		fail_msg("setup: %s", e.msg);
	(void)str_fmt(domain, sizeof(domain), "hp%ld.myshopify.com", pid);
	(void)str_fmt(secret, sizeof(secret), "whsec-hp-%ld", pid);
	(void)str_fmt(uri, sizeof(uri), "%s/hooks/shopify", tenv(HUB));
	sbx_shopify_shop(db, &cfg, domain, secret, uri, &shop_acct);
	/* shop and user ids of this run: unique across sandbox resets */
	etsy_shop = 600000000 + (int64_t)pid;
	(void)str_fmt(name, sizeof(name), "hp-etsy-%ld", pid);
	sbx_etsy_connect(db, &cfg, name, etsy_shop, 700000000 + (int64_t)pid,
	    &etsy_acct);
	json_decref(sbx_ok(SBX_SHOPIFY, "DELETE", "/_sandbox/faults", NULL));
	json_decref(sbx_ok(SBX_ETSY, "DELETE", "/_sandbox/faults", NULL));
	return 0;
}

static int
teardown(void **state)
{
	long	 st;

	(void)state;
	json_decref(sbx_call(SBX_SHOPIFY, "DELETE", "/_sandbox/faults", NULL,
	    &st));
	db_close(db);
	return 0;
}

/* --- tests ------------------------------------------------------------ */

/*
 * The article's opening: a mug with 3 units on Etsy and Shopify. 2:14 a
 * Shopify sale (signed webhook, hooks program, ledger, push): Etsy shows
 * 2 without a tick. 2:15 and 2:16 two Etsy buyers take the last two; Etsy
 * never sells more than it shows, so a third buyer is refused, and the
 * three sales together are exactly the 3 units the hub had.
 */
static void
test_opening_scenario(void **state)
{
	char	 sku[32];
	int64_t	 sl, el, etsy_id, sold_etsy = 0;
	int	 i;

	(void)state;
	new_item(sku, sizeof(sku), "MUG", 3);
	sl = map_shopify(sku, 0, NULL);
	el = map_etsy(sku, 1, &etsy_id);
	/* a runner a webhook started may have either listing when the tick
	 * looks for it (the tick then leaves it to that runner): wait */
	tick();
	wait_settled(sl);
	wait_settled(el);
	assert_int_equal(sbx_shopify_shown(sku), 3);
	assert_int_equal(sbx_etsy_shown(etsy_id, sku), 3);

	/* 2:14, Shopify; no tick from here on */
	assert_true(sbx_shopify_order(sku, 1) > 0);
	wait_committed(sku, 1);
	assert_int_equal(wait_etsy(etsy_id, sku, 2), 2);
	assert_int_equal(sbx_shopify_shown(sku), 2);

	/* 2:15 and 2:16, Etsy */
	for (i = 0; i < 2; i++) {
		assert_int_equal(sbx_etsy_order(etsy_id, sku, 1), 201);
		sold_etsy++;
	}
	assert_int_equal(sbx_etsy_shown(etsy_id, sku), 0);
	/* a third buyer: Etsy shows nothing and sells nothing */
	assert_int_equal(sbx_etsy_order(etsy_id, sku, 1), 409);

	/* no oversell: 1 on Shopify + 2 on Etsy = the 3 the hub had */
	assert_int_equal(item(sku).on_hand, 3);
	assert_int_equal(1 + sold_etsy, item(sku).on_hand);

	/* a push before the hub has seen those sales (a repair) must not
	 * give Etsy back the units it sold */
	wait_settled(el);
	wait_settled(sl);
	assert_int_equal(item(sku).committed, 1);
	{
		struct err e;

		if (push_queue_listing(db, el, &e) == -1)
			fail_msg("queue: %s", e.msg);
	}
	/* the tick polls Etsy's receipts (lib/etsy_poll) and pushes: the
	 * hub has all 3 sales and Shopify shows 0 */
	etsy_poll_due();
	tick();
	wait_committed(sku, 3);
	wait_settled(el);
	wait_settled(sl);
	assert_int_equal(item(sku).available, 0);
	assert_int_equal(sbx_shopify_shown(sku), 0);
	assert_int_equal(sbx_etsy_shown(etsy_id, sku), 0);
	assert_int_equal(sbx_etsy_order(etsy_id, sku, 1), 409);
	/* and once more: the same receipts count once */
	etsy_poll_due();
	tick();
	assert_int_equal(item(sku).committed, 3);
}

/*
 * An Etsy sale that lands after the hub's last push and before its next
 * one (which Shopify sales trigger) is held back on every later push
 * until the hub has seen it: Etsy never shows more than the hub's
 * available less that unseen sale.
 */
static void
test_unseen_etsy_sale_held(void **state)
{
	char	 sku[32];
	int64_t	 sl, el, etsy_id;

	(void)state;
	new_item(sku, sizeof(sku), "HOLD", 10);
	sl = map_shopify(sku, 0, NULL);
	el = map_etsy(sku, 1, &etsy_id);
	tick();
	wait_settled(el);
	wait_settled(sl);
	assert_int_equal(sbx_etsy_shown(etsy_id, sku), 10);
	assert_int_equal(sbx_shopify_shown(sku), 10);

	/* between the hub's pushes, a buyer takes one on Etsy */
	assert_int_equal(sbx_etsy_order(etsy_id, sku, 1), 201);
	assert_int_equal(sbx_etsy_shown(etsy_id, sku), 9);

	/* a Shopify sale: the hub has 9 available and pushes; Etsy must
	 * show 9 - 1 = 8, not 9 (the Etsy unit written back) */
	assert_true(sbx_shopify_order(sku, 1) > 0);
	wait_committed(sku, 1);
	wait_settled(el);
	assert_int_equal(item(sku).available, 9);
	assert_int_equal(sbx_etsy_shown(etsy_id, sku), 8);
	assert_true(log_count(el, "held") >= 1);

	/* another Shopify sale: 8 available, Etsy's sale still unseen:
	 * 7, and not 8 (the held unit forgotten after one push) */
	assert_true(sbx_shopify_order(sku, 1) > 0);
	wait_committed(sku, 2);
	wait_settled(el);
	assert_int_equal(item(sku).available, 8);
	assert_int_equal(sbx_etsy_shown(etsy_id, sku), 7);

	/* the tick sees the Etsy sale (receipts poll): 7 available, the
	 * held unit is no longer held, Etsy stays at 7 and Shopify follows */
	{
		struct err e;

		if (push_queue_listing(db, el, &e) == -1)
			fail_msg("queue: %s", e.msg);
	}
	etsy_poll_due();
	tick();
	wait_committed(sku, 3);
	wait_settled(el);
	wait_settled(sl);
	assert_int_equal(item(sku).available, 7);
	assert_int_equal(sbx_etsy_shown(etsy_id, sku), 7);
	assert_int_equal(sbx_shopify_shown(sku), 7);
}

/* This connection's id, for information_schema.PROCESSLIST. */
static int64_t
conn_id(struct db *d)
{
	struct err	 e;
	int64_t		 id = 0;

	if (db_query_i64(d, "SELECT CONNECTION_ID()", NULL, 0, &id, &e) != 1)
		return -1;
	return id;
}

/* 1 when connection id is running a statement like pattern, in state
 * (NULL: any). */
static int
conn_in(int64_t id, const char *state, const char *pattern)
{
	return q64("SELECT COUNT(*) FROM information_schema.PROCESSLIST "
	    "WHERE ID = ? AND (? = '' OR STATE = ?) AND INFO LIKE ?",
	    (struct db_val[]){ DBI(id), DBS(state != NULL ? state : ""),
	    DBS(state != NULL ? state : ""), DBS(pattern) }, 4) == 1;
}

/* The race child's work: a push runner, or the hub applying a sale. */
struct race {
	const char	*sku;
	int64_t		 listing;
};

static int
race_sale_fn(struct db *d, void *arg, struct err *e)
{
	struct race		*rc = arg;
	struct orders_ctx	 c;
	struct ledger_result	 res;
	char			 order[64], line[64];

	c.db = d;
	c.account_id = etsy_acct;
	c.source = "test";
	c.reason = "a receipt seen while a push starts";
	(void)str_fmt(order, sizeof(order), "race-%ld", pid);
	(void)str_fmt(line, sizeof(line), "race-%ld-1", pid);
	return orders_commit(&c, order, line, rc->sku, 1, rc->listing, &res,
	    e);
}

/* In the child: report the connection's id on fd, then work. */
static void
race_child(struct race *rc, int push, int fd)
{
	struct push_stats	 st;
	struct err		 e;
	struct db		*d;
	int64_t			 id;
	int			 r;

	if ((d = db_open(&cfg, &e)) == NULL)
		_exit(2);
	id = conn_id(d);
	if (write(fd, &id, sizeof(id)) != (ssize_t)sizeof(id))
		_exit(3);
	if (push)
		r = push_run(d, &cfg, "hp-race", push_now_ms() + 30000, &st,
		    &e) == 0 && st.claimed >= 1 ? 0 : 1;
	else
		r = db_tx(d, race_sale_fn, rc, &e) == 0 ? 0 : 1;
	db_close(d);
	_exit(r);
}

static pid_t
race_start(struct race *rc, int push, int64_t *id)
{
	int	 p[2];
	pid_t	 kid;

	assert_int_equal(pipe(p), 0);
	kid = fork();
	assert_true(kid >= 0);
	if (kid == 0) {
		close(p[0]);
		race_child(rc, push, p[1]);
	}
	close(p[1]);
	assert_int_equal(read(p[0], id, sizeof(*id)), (ssize_t)sizeof(*id));
	close(p[0]);
	assert_true(*id > 0);
	return kid;
}

/*
 * The hub applies an Etsy sale while a push of that very listing is
 * starting: the push must see the sale either in both what the listing
 * should show and last_pushed_qty (lowered by orders_commit) or in
 * neither. Seen in the first and not the second, it was counted twice,
 * once applied and once more as an unseen Etsy sale: the push held back
 * a unit nobody had sold and settled, and Etsy stayed one short until the
 * item moved again.
 *
 * The interleaving is forced: a second connection holds channel_accounts
 * write-locked, which stops the push runner (a child) when it first reads
 * that table, after it has read the listing; the sale (another child)
 * commits then, or waits behind the push; then the lock goes.
 */
static void
test_sale_applied_as_push_starts(void **state)
{
	char		 sku[32];
	struct race	 rc;
	struct err	 e;
	struct db	*lk;
	int64_t		 el, etsy_id, push_conn, sale_conn;
	pid_t		 pusher, seller;
	int		 i, status, sold = 0, waits = 0;

	(void)state;
	new_item(sku, sizeof(sku), "RACE", 10);
	el = map_etsy(sku, 1, &etsy_id);
	tick();
	wait_settled(el);
	assert_int_equal(sbx_etsy_shown(etsy_id, sku), 10);
	/* a buyer on Etsy; the hub applies it below, mid-push */
	assert_int_equal(sbx_etsy_order(etsy_id, sku, 1), 201);
	assert_int_equal(sbx_etsy_shown(etsy_id, sku), 9);

	if ((lk = db_open(&cfg, &e)) == NULL)
		fail_msg("db: %s", e.msg);
	if (db_exec(lk, "LOCK TABLES channel_accounts WRITE", NULL, 0, NULL,
	    NULL, &e) == -1)
		fail_msg("lock: %s", e.msg);
	if (push_queue_listing(db, el, &e) == -1)
		fail_msg("queue: %s", e.msg);
	rc.sku = sku;
	rc.listing = el;
	pusher = race_start(&rc, 1, &push_conn);
	/* the runner has claimed the listing and read it, and waits */
	for (i = 0; i < 300 && !conn_in(push_conn,
	    "Waiting for table metadata lock", "%channel_accounts%"); i++)
		sleep_ms(50);
	if (!conn_in(push_conn, "Waiting for table metadata lock",
	    "%channel_accounts%"))
		fail_msg("the push runner never reached channel_accounts");
	seller = race_start(&rc, 0, &sale_conn);
	/* the sale commits, or waits for a lock the push holds (the row
	 * of the listing: it is running a statement for a while) */
	for (i = 0; i < 300 && !sold && waits < 3; i++) {
		if (waitpid(seller, &status, WNOHANG) == seller) {
			sold = 1;
			assert_true(WIFEXITED(status) &&
			    WEXITSTATUS(status) == 0);
			break;
		}
		waits = conn_in(sale_conn, NULL, "%") ? waits + 1 : 0;
		sleep_ms(50);
	}
	print_message("# the sale %s while the push waited\n", sold ?
	    "committed" : "waited for a lock");
	assert_true(sold || waits >= 3);
	if (db_exec(lk, "UNLOCK TABLES", NULL, 0, NULL, NULL, &e) == -1)
		fail_msg("unlock: %s", e.msg);
	db_close(lk);
	if (!sold) {
		assert_int_equal(waitpid(seller, &status, 0), seller);
		assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	}
	assert_int_equal(waitpid(pusher, &status, 0), pusher);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);

	wait_committed(sku, 1);
	wait_settled(el);
	assert_int_equal(item(sku).available, 9);
	/* Etsy shows all 9, nothing held for the sale the hub applied */
	assert_int_equal(sbx_etsy_shown(etsy_id, sku), 9);
	assert_int_equal(q64("SELECT last_pushed_qty FROM channel_listings "
	    "WHERE id = ?", (struct db_val[]){ DBI(el) }, 1), 9);
}

/* One tick runner in a child process: writes what it claimed (-1 when
 * the tick failed) to fd. */
static void
tick_child(int go, int fd)
{
	char		 auth[256], c;
	const char	*h[] = { auth, NULL };
	struct tresp	 r;
	int64_t		 claimed = -1;

	(void)str_fmt(auth, sizeof(auth), "Authorization: Bearer %s",
	    cfg.timer_token);
	if (read(go, &c, 1) != 1)
		_exit(2);
	if (treq_env(HUB, "POST", "/jobs/tick", h, "", &r) == 0 &&
	    r.status == 200 && r.json != NULL)
		claimed = push_stat(r.json, "claimed");
	tresp_free(&r);
	if (write(fd, &claimed, sizeof(claimed)) != (ssize_t)sizeof(claimed))
		_exit(3);
	_exit(0);
}

/*
 * Two tick runners at once share the due work through SKIP LOCKED and
 * the lease: every listing is written exactly once, and what they
 * claimed adds up to what was due.
 */
static void
test_concurrent_ticks(void **state)
{
	char	 sku[CONC_N][32], tag[16];
	int64_t	 lid[CONC_N], iid[CONC_N], claimed[2] = { -1, -1 };
	int64_t	 gql0, gql, due;
	int	 i, go[2], res[2], status;
	pid_t	 kids[2];

	(void)state;
	/* the other runners (webhooks) must not take part: hold the
	 * Shopify webhooks, and drain what other programs left due */
	json_decref(sbx_ok(SBX_SHOPIFY, "POST", "/_sandbox/faults",
	    "{\"webhooks\":{\"hold\":true}}"));
	tick();
	sleep_ms(300);
	for (i = 0; i < CONC_N; i++) {
		(void)str_fmt(tag, sizeof(tag), "C%02d", i);
		new_item(sku[i], sizeof(sku[i]), tag, i + 1);
		lid[i] = map_shopify(sku[i], 0, &iid[i]);
	}
	due = due_now();
	assert_int_equal(due, CONC_N);
	/* each call a little slow, so the two runners overlap for sure */
	json_decref(sbx_ok(SBX_SHOPIFY, "POST", "/_sandbox/faults",
	    "{\"rules\":[{\"path\":\"/admin/api/\",\"kind\":\"slow\","
	    "\"delay_ms\":25}],\"webhooks\":{\"hold\":true}}"));
	gql0 = sbx_route_count(SBX_SHOPIFY, GRAPHQL);

	assert_int_equal(pipe(go), 0);
	assert_int_equal(pipe(res), 0);
	for (i = 0; i < 2; i++) {
		kids[i] = fork();
		assert_true(kids[i] >= 0);
		if (kids[i] == 0) {
			close(go[1]);
			close(res[0]);
			tick_child(go[0], res[1]);
		}
	}
	close(go[0]);
	close(res[1]);
	assert_int_equal(write(go[1], "gg", 2), 2);
	close(go[1]);
	for (i = 0; i < 2; i++)
		assert_int_equal(read(res[0], &claimed[i], sizeof(claimed[i])),
		    (ssize_t)sizeof(claimed[i]));
	close(res[0]);
	for (i = 0; i < 2; i++) {
		assert_int_equal(waitpid(kids[i], &status, 0), kids[i]);
		assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	}
	json_decref(sbx_ok(SBX_SHOPIFY, "DELETE", "/_sandbox/faults", NULL));
	gql = sbx_route_count(SBX_SHOPIFY, GRAPHQL) - gql0;
	print_message("# concurrent ticks claimed %" PRId64 " + %" PRId64
	    " of %" PRId64 " due; %" PRId64 " GraphQL calls\n", claimed[0],
	    claimed[1], due, gql);

	/* both ran, together they claimed each due listing once */
	assert_true(claimed[0] > 0 && claimed[1] > 0);
	assert_int_equal(claimed[0] + claimed[1], due);
	for (i = 0; i < CONC_N; i++) {
		assert_int_equal(q64("SELECT COUNT(*) FROM push_log WHERE "
		    "listing_id = ?", (struct db_val[]){ DBI(lid[i]) }, 1), 1);
		assert_int_equal(log_count(lid[i], "written"), 1);
		/* one inventorySetQuantities ran for it in the shop */
		assert_int_equal(shopify_writes(iid[i], NULL), 1);
		assert_int_equal(sbx_shopify_shown(sku[i]), i + 1);
	}
	/* a read and a write per listing, nothing twice */
	assert_int_equal(gql, 2 * CONC_N);

	/* the held echoes of those writes change nothing */
	json_decref(sbx_ok(SBX_SHOPIFY, "POST", "/_sandbox/webhooks/flush",
	    ""));
	sleep_ms(500);
	for (i = 0; i < CONC_N; i++)
		assert_int_equal(item(sku[i]).version, 1);
}

/*
 * A 429 storm (Retry-After 30) then a 503 outage on Shopify's GraphQL
 * endpoint, with the hub's figures moving meanwhile. The test stands in
 * for the clock between ticks. Every attempt is in push_log as a retry,
 * nothing is written until the faults end, a retry of the same figure
 * keeps its idempotency key, and then every listing converges with one
 * write; transient errors raise no push_failed alert.
 */
static void
test_storm_then_outage(void **state)
{
	char		 sku[STORM_N][32], tag[16], key[65] = "";
	int64_t		 lid[STORM_N], iid[STORM_N], retried = 0, r0[STORM_N];
	int64_t		 writes0;
	json_t		*t;
	struct db_res	*res;
	struct err	 e;
	int		 i, round, converged = 0;

	(void)state;
	for (i = 0; i < STORM_N; i++) {
		(void)str_fmt(tag, sizeof(tag), "S%d", i);
		new_item(sku[i], sizeof(sku[i]), tag, 20);
		lid[i] = map_shopify(sku[i], 0, &iid[i]);
	}
	tick();
	for (i = 0; i < STORM_N; i++) {
		wait_settled(lid[i]);
		assert_int_equal(sbx_shopify_shown(sku[i]), 20);
		r0[i] = log_count(lid[i], "retry");
	}
	writes0 = q64("SELECT COUNT(*) FROM channel_writes w JOIN "
	    "channel_listings l ON l.id = w.listing_id WHERE l.account_id = ?",
	    (struct db_val[]){ DBI(shop_acct) }, 1);

	json_decref(sbx_ok(SBX_SHOPIFY, "POST", "/_sandbox/faults",
	    "{\"rules\":[{\"path\":\"/admin/api/\",\"kind\":\"429\","
	    "\"retry_after\":30,\"times\":6},{\"path\":\"/admin/api/\","
	    "\"kind\":\"5xx\",\"status\":503,\"times\":10}]}"));
	/* sales while Shopify fails */
	for (i = 0; i < STORM_N; i++)
		post(sku[i], STOCK_COMMIT, i + 1);

	for (round = 0; round < 10 && !converged; round++) {
		t = tick_json();
		retried += push_stat(t, "retried");
		converged = push_stat(t, "retried") == 0 &&
		    push_stat(t, "written") > 0;
		json_decref(t);
		if (converged)
			break;
		if (round == 0) {
			/* Retry-After honoured: not before 30 s from now */
			for (i = 0; i < STORM_N; i++)
				assert_true(q64("SELECT TIMESTAMPDIFF(SECOND, "
				    "CURRENT_TIMESTAMP(6), next_at) FROM "
				    "push_queue WHERE listing_id = ?",
				    (struct db_val[]){ DBI(lid[i]) }, 1) >= 25);
			/* the key listing 1 keeps across its retries */
			res = db_query(db, "SELECT idem_key FROM push_queue "
			    "WHERE listing_id = ? AND idem_qty = ?",
			    (struct db_val[]){ DBI(lid[1]), DBI(18) }, 2, &e);
			assert_non_null(res);
			if (db_next(res, &e) == 1 && !db_col_null(res, 0))
				(void)str_copy(key, sizeof(key),
				    db_col_str(res, 0));
			db_res_free(res);
			assert_true(key[0] != '\0');
		} else {
			/* the same figure retried: the same key */
			assert_int_equal(q64("SELECT COUNT(*) FROM push_queue "
			    "WHERE listing_id = ? AND idem_key = ?",
			    (struct db_val[]){ DBI(lid[1]), DBS(key) }, 2), 1);
		}
		if (round == 1)
			post(sku[0], STOCK_COMMIT, 5);	/* 19 -> 14 */
		/* nothing written while failing */
		for (i = 0; i < STORM_N; i++)
			assert_int_equal(sbx_shopify_shown(sku[i]), 20);
		assert_int_equal(q64("SELECT COUNT(*) FROM channel_writes w "
		    "JOIN channel_listings l ON l.id = w.listing_id WHERE "
		    "l.account_id = ?", (struct db_val[]){ DBI(shop_acct) }, 1),
		    writes0);
		/* the test is the clock: the backoff has passed */
		for (i = 0; i < STORM_N; i++)
			exec1("UPDATE push_queue SET next_at = "
			    "CURRENT_TIMESTAMP(6) WHERE listing_id = ?",
			    (struct db_val[]){ DBI(lid[i]) }, 1);
	}
	json_decref(sbx_ok(SBX_SHOPIFY, "DELETE", "/_sandbox/faults", NULL));
	print_message("# storm: %" PRId64 " retries over %d ticks\n", retried,
	    round + 1);
	assert_true(converged);
	/* every faulted call was one recorded retry */
	assert_int_equal(retried, 16);
	for (i = 0; i < STORM_N; i++) {
		wait_settled(lid[i]);
		retried -= log_count(lid[i], "retry") - r0[i];
		assert_int_equal(sbx_shopify_shown(sku[i]),
		    item(sku[i]).available);
		/* one write each after the storm (one before it) */
		assert_int_equal(shopify_writes(iid[i], NULL), 2);
		assert_int_equal(q64("SELECT COUNT(*) FROM push_queue WHERE "
		    "listing_id = ? AND attempts = 0 AND dead = 0",
		    (struct db_val[]){ DBI(lid[i]) }, 1), 1);
	}
	assert_int_equal(retried, 0);
	assert_int_equal(sbx_shopify_shown(sku[0]), 14);
	/* the write that finally went through used the retried key */
	assert_int_equal(shopify_writes(iid[1], key), 1);
	assert_int_equal(q64("SELECT COUNT(*) FROM alerts WHERE kind = "
	    "'push_failed' AND account_id = ?", (struct db_val[]){
	    DBI(shop_acct) }, 1), 0);
}

/*
 * 100 single-unit Shopify orders for one SKU, as fast as the sandbox
 * takes them: the hub commits all 100, and Etsy, which follows, gets a
 * few coalesced writes, not 100; it ends showing the right figure.
 *
 * What coalescing promises is a pace: no two pushes of a listing less
 * than PUSH_PACE_MS apart. Asserted as such, and the count of writes
 * against how long the orders took to arrive (BURST_WRITES when they came
 * within 9 paces, as on an idle machine; one more per pace when a loaded
 * machine spread them out, which once failed a fixed bound).
 */
static void
test_burst_coalesces(void **state)
{
	char	 sku[32], path[128];
	int64_t	 sl, el, etsy_id, puts0, puts, log0, span_ms, close_pairs;
	int	 i;

	(void)state;
	new_item(sku, sizeof(sku), "BURST", 150);
	sl = map_shopify(sku, 0, NULL);
	el = map_etsy(sku, 1, &etsy_id);
	tick();
	wait_settled(el);
	wait_settled(sl);
	assert_int_equal(sbx_etsy_shown(etsy_id, sku), 150);
	assert_int_equal(sbx_shopify_shown(sku), 150);
	(void)str_fmt(path, sizeof(path), "/v3/application/listings/%" PRId64
	    "/inventory", etsy_id);
	puts0 = sbx_requests(SBX_ETSY, "PUT", path);
	log0 = q64("SELECT COALESCE(MAX(id), 0) FROM push_log WHERE "
	    "listing_id = ?", (struct db_val[]){ DBI(el) }, 1);

	for (i = 0; i < BURST_N; i++)
		assert_true(sbx_shopify_order(sku, 1) > 0);
	wait_committed(sku, BURST_N);
	wait_settled(el);
	tick();
	wait_settled(el);
	puts = sbx_requests(SBX_ETSY, "PUT", path) - puts0;
	print_message("# burst: %d Shopify orders, %" PRId64 " Etsy inventory "
	    "writes, %" PRId64 " Etsy pushes logged\n", BURST_N, puts,
	    q64("SELECT COUNT(*) FROM push_log WHERE listing_id = ?",
	    (struct db_val[]){ DBI(el) }, 1));
	assert_int_equal(item(sku).available, 150 - BURST_N);
	assert_int_equal(sbx_etsy_shown(etsy_id, sku), 150 - BURST_N);
	assert_int_equal(sbx_shopify_shown(sku), 150 - BURST_N);
	assert_true(puts >= 1);
	/* the pace: each push of the burst at least PUSH_PACE_MS after the
	 * one before (the figure is truncated to the millisecond) */
	close_pairs = q64("SELECT COUNT(*) FROM push_log a JOIN push_log b ON "
	    "b.listing_id = a.listing_id AND b.id = (SELECT MIN(c.id) FROM "
	    "push_log c WHERE c.listing_id = a.listing_id AND c.id > a.id) "
	    "WHERE a.listing_id = ? AND a.id > ? AND TIMESTAMPDIFF("
	    "MICROSECOND, a.at, b.at) < ?", (struct db_val[]){ DBI(el),
	    DBI(log0), DBI(PUSH_PACE_MS * 1000 - 1000) }, 3);
	assert_int_equal(close_pairs, 0);
	/* and so few writes: one per pace over the time the orders took
	 * to arrive (the first push of the burst to the last) */
	span_ms = q64("SELECT COALESCE(TIMESTAMPDIFF(MICROSECOND, MIN(at), "
	    "MAX(at)), 0) DIV 1000 FROM push_log WHERE listing_id = ? AND "
	    "id > ?", (struct db_val[]){ DBI(el), DBI(log0) }, 2);
	print_message("# burst: Etsy pushes over %" PRId64 " ms\n", span_ms);
	assert_true(puts <= BURST_WRITES ||
	    puts <= 1 + span_ms / PUSH_PACE_MS);
	assert_true(puts < BURST_N);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_opening_scenario),
		cmocka_unit_test(test_unseen_etsy_sale_held),
		cmocka_unit_test(test_sale_applied_as_push_starts),
		cmocka_unit_test(test_concurrent_ticks),
		cmocka_unit_test(test_storm_then_outage),
		cmocka_unit_test(test_burst_coalesces),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
