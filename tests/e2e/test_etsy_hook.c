/*
 * End-to-end tests of the Etsy ORDER_PAID fast path (lib/etsy_hook.c)
 * through the real nginx and hooks program, with the Etsy sandbox
 * delivering signed webhooks ($SANDBOX_ETSY_URL, /_sandbox/webhook) and
 * deliveries signed by the test itself for the refusals. The hub's own
 * database is used (the hooks program writes to it); SKUs and shops are
 * unique per run.
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
#include "etsy_poll.h"
#include "../httpc.h"	/* the tests' client, not lib/httpc.h */
#include "sbx.h"
#include "sig.h"
#include "str.h"
#include "support.h"

#define HUB	"STOCKHUB_URL"
/* base64 of 32 bytes each */
#define SECRET_OLD "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw1mb0dWGtUxI="
#define SECRET_NEW "whsec_c2FuZGJveC1ldHN5LW9yZGVyLXBhaWQtc2VjcmV0IQ=="

static struct config	 cfg;
static struct db	*db;
static int64_t		 shop, acct_id_, listing;
static char		 sku[64];
static int		 seq;

/* ---- helpers ------------------------------------------------------------ */

static void
set_secrets(const char *a, const char *b)
{
	struct channel_account	 ac;
	struct err		 e;
	json_t			*c;

	if (channel_account_load(db, &cfg, acct_id_, &ac, &e) == -1)
		fail_msg("load: %s", e.msg);
	c = json_deep_copy(ac.creds);
	json_object_del(c, "webhook_secret");
	json_object_set_new(c, "webhook_secrets", b == NULL ?
	    json_pack("[s]", a) : json_pack("[s, s]", a, b));
	if (channel_account_store_creds(db, &cfg, &ac, c, &e) == -1)
		fail_msg("store: %s", e.msg);
	json_decref(c);
	channel_account_free(&ac);
}

/* The sandbox sends ORDER_PAID to the hub for this account, signed. */
static void
sandbox_hook(const char *secret)
{
	char	 b[512];

	if (secret == NULL) {
		json_decref(sbx_ok(SBX_ETSY, "DELETE", "/_sandbox/webhook",
		    NULL));
		return;
	}
	(void)str_fmt(b, sizeof(b), "{\"url\":\"%s/hooks/etsy/%" PRId64 "\","
	    "\"secret\":\"%s\"}", tenv(HUB), acct_id_, secret);
	json_decref(sbx_ok(SBX_ETSY, "POST", "/_sandbox/webhook", b));
}

/* A buyer's order, not paid yet; its receipt id. */
static int64_t
order_unpaid(int64_t qty)
{
	char	 b[256];
	json_t	*j;
	int64_t	 id;

	(void)str_fmt(b, sizeof(b), "{\"listing_id\":%" PRId64 ",\"sku\":"
	    "\"%s\",\"quantity\":%" PRId64 ",\"paid\":false}", listing, sku,
	    qty);
	j = sbx_ok(SBX_ETSY, "POST", "/_sandbox/orders", b);
	id = sbx_find_int(j, "receipt_id");
	json_decref(j);
	assert_true(id > 0);
	return id;
}

static void
pay(int64_t receipt)
{
	char	 p[96];

	(void)str_fmt(p, sizeof(p), "/_sandbox/receipts/%" PRId64 "/pay",
	    receipt);
	json_decref(sbx_ok(SBX_ETSY, "POST", p, "{}"));
}

static int64_t
committed(void)
{
	return t_item(db, sku).committed;
}

/* Wait (up to 15 s) until committed reaches want; the value seen. */
static int64_t
wait_committed(int64_t want)
{
	struct timespec	 ts = { 0, 100 * 1000000L };
	int		 i;

	for (i = 0; i < 150 && committed() < want; i++)
		nanosleep(&ts, NULL);
	return committed();
}

static int64_t
inbox_rows(const char *state)
{
	return t_q64(db, "SELECT COUNT(*) FROM webhook_inbox WHERE "
	    "account_id = ? AND state = ?", (struct db_val[]){ DBI(acct_id_),
	    DBS(state) }, 2);
}

/* POST a delivery to the hub signed by the test; the HTTP status. */
static long
post(const char *id, int64_t ts, const char *secret, const char *sigval,
    const char *body, char *status_text, size_t sz)
{
	struct tresp	 r;
	char		 url[300], hid[300], hts[64], hsig[400], sig[128];
	const char	*h[5];
	struct err	 e;
	long		 st;

	if (sigval == NULL) {
		if (sig_stdwh_sign(secret, id, ts, body, strlen(body), sig,
		    sizeof(sig), &e) == -1)
			fail_msg("sign: %s", e.msg);
		sigval = sig;
	}
	(void)str_fmt(url, sizeof(url), "%s/hooks/etsy/%" PRId64, tenv(HUB),
	    acct_id_);
	(void)str_fmt(hid, sizeof(hid), "webhook-id: %s", id);
	(void)str_fmt(hts, sizeof(hts), "webhook-timestamp: %" PRId64, ts);
	(void)str_fmt(hsig, sizeof(hsig), "webhook-signature: %s", sigval);
	h[0] = "Content-Type: application/json";
	h[1] = hid;
	h[2] = hts;
	h[3] = hsig;
	h[4] = NULL;
	if (treq("POST", url, h, body, 0, &r) == -1)
		fail_msg("no answer from the hub");
	st = r.status;
	if (status_text != NULL)
		(void)str_copy(status_text, sz, json_string_value(
		    json_object_get(r.json, "status")) != NULL ?
		    json_string_value(json_object_get(r.json, "status")) : "");
	tresp_free(&r);
	return st;
}

static void
payload(int64_t receipt, char *out, size_t sz)
{
	(void)str_fmt(out, sz, "{\"event_type\":\"order.paid\","
	    "\"resource_url\":\"%s/v3/application/shops/%" PRId64 "/receipts/%"
	    PRId64 "\",\"shop_id\":%" PRId64 "}", tenv(SBX_ETSY), shop,
	    receipt, shop);
}

static void
msg_id(char *out, size_t sz)
{
	(void)str_fmt(out, sz, "msg_test_%ld_%d", (long)getpid(), ++seq);
}

static void
poll_now(struct etsy_poll_stats *st)
{
	struct etsy_poll_opts	 o;
	struct err		 e;

	memset(&o, 0, sizeof(o));
	memset(st, 0, sizeof(*st));
	o.force = 1;
	if (etsy_poll_account(db, &cfg, acct_id_, &o, st, &e) == -1)
		fail_msg("poll: %s", e.msg);
}

/* ---- setup ---------------------------------------------------------------- */

static int
setup(void **state)
{
	struct err	 e;
	char		 name[64], lid[32];

	(void)state;
	if (config_load(&cfg, NULL, &e) == -1 ||
	    (db = db_open(&cfg, &e)) == NULL)
		fail_msg("setup: %s", e.msg);
	json_decref(sbx_ok(SBX_ETSY, "POST", "/_sandbox/reset", "{}"));
	shop = 5500000 + getpid() % 100000;
	(void)str_fmt(name, sizeof(name), "etsy-hook-%ld", (long)getpid());
	sbx_etsy_connect(db, &cfg, name, shop, shop + 1000000, &acct_id_);
	(void)str_fmt(sku, sizeof(sku), "HOOK-%ld", (long)getpid());
	if (ledger_item_create(db, sku, sku, NULL, &e) == -1)
		fail_msg("item: %s", e.msg);
	(void)str_fmt(name, sizeof(name), "test:hook:receive:%ld",
	    (long)getpid());
	t_post(db, name, sku, STOCK_RECEIVE, 100);
	listing = sbx_etsy_listing(shop, "Hooked mug", sku, 90);
	(void)str_fmt(lid, sizeof(lid), "%" PRId64, listing);
	if (channel_listing_map(db, acct_id_, sku, lid, "", "", sku, NULL,
	    &e) == -1)
		fail_msg("map: %s", e.msg);
	set_secrets(SECRET_NEW, NULL);
	return 0;
}

static int
teardown(void **state)
{
	long	 st;

	(void)state;
	json_decref(sbx_call(SBX_ETSY, "POST", "/_sandbox/reset", "{}", &st));
	/* its shop is gone: the hub's ticks in later tests leave it alone */
	t_exec(db, "UPDATE channel_accounts SET paused = 1 WHERE id = ?",
	    (struct db_val[]){ DBI(acct_id_) }, 1);
	db_close(db);
	return 0;
}

/* ---- tests ---------------------------------------------------------------- */

/* Etsy says an order was paid: the hub fetches the receipt and commits
 * it at once, before any poll; the poll afterwards adds nothing. */
static void
test_paid_applied_at_once(void **unused)
{
	struct etsy_poll_stats	 st;
	int64_t			 c0 = committed(), rid, fetched;

	(void)unused;
	sandbox_hook(SECRET_NEW);
	rid = order_unpaid(2);
	fetched = sbx_route_count(SBX_ETSY,
	    "GET /v3/application/shops/{}/receipts/{}");
	pay(rid);
	assert_int_equal(wait_committed(c0 + 2), c0 + 2);
	assert_true(sbx_route_count(SBX_ETSY,
	    "GET /v3/application/shops/{}/receipts/{}") > fetched);
	assert_true(inbox_rows("applied") >= 1);
	/* polling, the backstop, sees the same receipt: applied once */
	poll_now(&st);
	assert_int_equal(st.failed, 0);
	assert_int_equal(st.committed, 0);
	assert_int_equal(committed(), c0 + 2);
	sandbox_hook(NULL);
}

/* Wrong secret, a timestamp more than five minutes off either way, no
 * signature at all, an unknown account: 401, nothing stored. */
static void
test_refused(void **unused)
{
	char		 body[512], id[64];
	int64_t		 rid, now = (int64_t)time(NULL), rows, c0;

	(void)unused;
	c0 = committed();
	rid = order_unpaid(1);
	payload(rid, body, sizeof(body));
	rows = inbox_rows("applied") + inbox_rows("new");
	msg_id(id, sizeof(id));
	assert_int_equal(post(id, now, SECRET_OLD, NULL, body, NULL, 0), 401);
	assert_int_equal(post(id, now - 301, SECRET_NEW, NULL, body, NULL, 0),
	    401);
	assert_int_equal(post(id, now + 400, SECRET_NEW, NULL, body, NULL, 0),
	    401);
	assert_int_equal(post(id, now, SECRET_NEW, "v1,AAAA", body, NULL, 0),
	    401);
	/* signed over other bytes */
	{
		char other[512];

		payload(rid + 1, other, sizeof(other));
		{
			char sig[128];
			struct err e;

			assert_int_equal(sig_stdwh_sign(SECRET_NEW, id, now,
			    other, strlen(other), sig, sizeof(sig), &e), 0);
			assert_int_equal(post(id, now, NULL, sig, body, NULL,
			    0), 401);
		}
	}
	assert_int_equal(inbox_rows("applied") + inbox_rows("new"), rows);
	assert_int_equal(committed(), c0);
	/* within the window (skew of 4 minutes) it is taken */
	assert_int_equal(post(id, now - 240, SECRET_NEW, NULL, body, NULL, 0),
	    200);
	assert_int_equal(wait_committed(c0 + 1), c0 + 1);
}

/* The same webhook-id again (Etsy's retry, or a replay): answered
 * "duplicate", applied once; altered content under that id is refused. */
static void
test_replay(void **unused)
{
	char		 body[512], other[512], id[64], st[32];
	int64_t		 rid, now = (int64_t)time(NULL), c0;

	(void)unused;
	c0 = committed();
	rid = order_unpaid(3);
	payload(rid, body, sizeof(body));
	msg_id(id, sizeof(id));
	assert_int_equal(post(id, now, SECRET_NEW, NULL, body, st,
	    sizeof(st)), 200);
	assert_string_equal(st, "accepted");
	assert_int_equal(wait_committed(c0 + 3), c0 + 3);
	assert_int_equal(post(id, now + 5, SECRET_NEW, NULL, body, st,
	    sizeof(st)), 200);
	assert_string_equal(st, "duplicate");
	payload(rid + 7, other, sizeof(other));
	assert_int_equal(post(id, now, SECRET_NEW, NULL, other, NULL, 0), 409);
	/* a new id for the same receipt (a resend): still once */
	msg_id(id, sizeof(id));
	assert_int_equal(post(id, now, SECRET_NEW, NULL, body, st,
	    sizeof(st)), 200);
	assert_string_equal(st, "accepted");
	sleep(1);
	assert_int_equal(committed(), c0 + 3);
}

/* During a rotation the hub holds both secrets: deliveries signed with
 * the old one, and headers carrying several signatures, are taken. */
static void
test_rotation(void **unused)
{
	char		 body[512], id[64], sig[128], two[300];
	int64_t		 rid, c0, now = (int64_t)time(NULL);
	struct err	 e;

	(void)unused;
	set_secrets(SECRET_NEW, SECRET_OLD);
	c0 = committed();
	/* the sandbox still signs with the old secret */
	sandbox_hook(SECRET_OLD);
	rid = order_unpaid(1);
	pay(rid);
	assert_int_equal(wait_committed(c0 + 1), c0 + 1);
	sandbox_hook(NULL);
	/* Etsy sends both signatures while it rotates */
	rid = order_unpaid(1);
	payload(rid, body, sizeof(body));
	msg_id(id, sizeof(id));
	assert_int_equal(sig_stdwh_sign(SECRET_NEW, id, now, body,
	    strlen(body), sig, sizeof(sig), &e), 0);
	(void)str_fmt(two, sizeof(two), "v1,bm90IHRoaXMgb25lIGVpdGhlciwgc29ycnkhISE= %s",
	    sig);
	assert_int_equal(post(id, now, NULL, two, body, NULL, 0), 200);
	assert_int_equal(wait_committed(c0 + 2), c0 + 2);
	/* the old secret retired: refused */
	set_secrets(SECRET_NEW, NULL);
	rid = order_unpaid(1);
	payload(rid, body, sizeof(body));
	msg_id(id, sizeof(id));
	assert_int_equal(post(id, now, SECRET_OLD, NULL, body, NULL, 0), 401);
}

/* The receipt comes by the poll first and by the webhook later (Etsy
 * held it): one commit. */
static void
test_poll_then_hook(void **unused)
{
	struct etsy_poll_stats	 st;
	int64_t			 rid, c0;

	(void)unused;
	/* earlier tests' receipts that never came by webhook first */
	poll_now(&st);
	c0 = committed();
	json_decref(sbx_ok(SBX_ETSY, "POST", "/_sandbox/faults",
	    "{\"webhooks\":{\"hold\":true}}"));
	sandbox_hook(SECRET_NEW);
	rid = order_unpaid(4);
	pay(rid);
	poll_now(&st);
	assert_int_equal(st.failed, 0);
	assert_int_equal(st.committed, 1);
	assert_int_equal(committed(), c0 + 4);
	json_decref(sbx_ok(SBX_ETSY, "POST", "/_sandbox/webhooks/flush", "{}"));
	/* the delivery is taken and applied (nothing new) */
	{
		struct timespec ts = { 0, 100 * 1000000L };
		int64_t n0 = t_q64(db, "SELECT COUNT(*) FROM webhook_inbox "
		    "WHERE account_id = ? AND state = 'applied' AND detail = "
		    "'0 line(s) committed'", (struct db_val[]){ DBI(acct_id_) }, 1);
		int i;

		for (i = 0; i < 100 && t_q64(db, "SELECT COUNT(*) FROM "
		    "webhook_inbox WHERE account_id = ? AND state = 'applied' "
		    "AND detail = '0 line(s) committed'", (struct db_val[]){
		    DBI(acct_id_) }, 1) == n0; i++)
			nanosleep(&ts, NULL);
		assert_true(i < 100);
	}
	assert_int_equal(committed(), c0 + 4);
	json_decref(sbx_ok(SBX_ETSY, "DELETE", "/_sandbox/faults", NULL));
	sandbox_hook(NULL);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_paid_applied_at_once),
		cmocka_unit_test(test_refused),
		cmocka_unit_test(test_replay),
		cmocka_unit_test(test_rotation),
		cmocka_unit_test(test_poll_then_hook),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
