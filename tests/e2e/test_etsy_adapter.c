/*
 * End-to-end tests of the Etsy adapter (lib/etsy.c) against the Etsy
 * sandbox (sandbox/etsy.c at $SANDBOX_ETSY_URL), over real HTTP, with the
 * account and its sealed credentials in a fresh database (tests/support).
 * The sandbox was written from Etsy's documentation independently of the
 * adapter, so these tests check one reading of the docs against another.
 *
 * Tokens come from the sandbox's own OAuth flow: authorization code with
 * PKCE S256, auto-approved through the control API (tests/sbx).
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
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>
#include <jansson.h>

#include "channel.h"
#include "err.h"
#include "etsy.h"
#include "str.h"
#include "sbx.h"
#include "support.h"
/* the tests' own client (tests/httpc.h), not lib/httpc.h */
#include "../httpc.h"

#define ENV		SBX_ETSY

static struct tdb	 T;
static int64_t		 shop_id, user_id, acct_id;
static char		 base[256];

/* ---- small helpers --------------------------------------------------- */

/* A control call with a JSON body; asserts a 2xx (tests/sbx). */
static json_t *
ctl(const char *method, const char *path, const char *body)
{
	return sbx_ok(SBX_ETSY, method, path, body);
}

/* An API call with the account's current credentials. */
static json_t *
api_get(const char *path, long *status)
{
	struct channel_account	 a;
	struct err		 e;
	char			 key[256], auth[1200], url[512];
	const char		*hdrs[3];
	struct tresp		 r;
	json_t			*j;

	if (channel_account_load(T.db, &T.cfg, acct_id, &a, &e) == -1)
		fail_msg("load: %s", e.msg);
	(void)str_fmt(key, sizeof(key), "x-api-key: %s:%s", json_string_value(
	    json_object_get(a.creds, "keystring")), json_string_value(
	    json_object_get(a.creds, "shared_secret")));
	(void)str_fmt(auth, sizeof(auth), "Authorization: Bearer %s",
	    json_string_value(json_object_get(a.creds, "access_token")));
	channel_account_free(&a);
	hdrs[0] = key;
	hdrs[1] = auth;
	hdrs[2] = NULL;
	(void)str_fmt(url, sizeof(url), "%s%s", base, path);
	if (treq("GET", url, hdrs, NULL, 0, &r) == -1)
		fail_msg("GET %s: no answer", path);
	*status = r.status;
	j = r.json;
	r.json = NULL;
	tresp_free(&r);
	return j;
}

static json_t *
inventory(int64_t listing)
{
	char	 path[128];
	long	 st;
	json_t	*j;

	(void)str_fmt(path, sizeof(path), "/v3/application/listings/%" PRId64
	    "/inventory", listing);
	j = api_get(path, &st);
	if (st != 200 || j == NULL)
		fail_msg("inventory %" PRId64 ": HTTP %ld", listing, st);
	return j;
}

static char *
listing_state(int64_t listing)
{
	char	 path[128];
	long	 st;
	json_t	*j;
	char	*s;

	(void)str_fmt(path, sizeof(path), "/v3/application/listings/%" PRId64,
	    listing);
	j = api_get(path, &st);
	if (st != 200 || j == NULL)
		fail_msg("listing %" PRId64 ": HTTP %ld", listing, st);
	s = strdup(json_string_value(json_object_get(j, "state")) != NULL ?
	    json_string_value(json_object_get(j, "state")) : "?");
	json_decref(j);
	return s;
}

/* The product with that SKU in an inventory answer. */
static json_t *
product(json_t *inv, const char *sku)
{
	json_t	*p;
	size_t	 i;

	json_array_foreach(json_object_get(inv, "products"), i, p)
		if (strcmp(json_string_value(json_object_get(p, "sku")), sku) ==
		    0)
			return p;
	fail_msg("no product %s", sku);
	return NULL;
}

static json_int_t
pint(json_t *p, const char *what)
{
	json_t	*of = json_array_get(json_object_get(p, "offerings"), 0);

	if (strcmp(what, "product_id") == 0)
		return json_integer_value(json_object_get(p, "product_id"));
	return json_integer_value(json_object_get(of, what));
}

static int
penabled(json_t *p)
{
	return json_is_true(json_object_get(json_array_get(json_object_get(p,
	    "offerings"), 0), "is_enabled"));
}

static int64_t
make_listing(const char *title, const char *products)
{
	char	 body[2048];
	json_t	*j;
	int64_t	 id;

	(void)str_fmt(body, sizeof(body), "{\"shop_id\":%" PRId64 ",\"title\":"
	    "\"%s\",\"products\":%s}", shop_id, title, products);
	j = ctl("POST", "/_sandbox/listings", body);
	id = sbx_find_int(j, "listing_id");
	json_decref(j);
	assert_true(id > 0);
	return id;
}

static void
listing_init(struct channel_listing *l, int64_t listing, const char *variant,
    const char *sku)
{
	memset(l, 0, sizeof(*l));
	l->account_id = acct_id;
	(void)str_fmt(l->ext_listing, sizeof(l->ext_listing), "%" PRId64,
	    listing);
	(void)str_copy(l->ext_variant, sizeof(l->ext_variant), variant);
	(void)str_copy(l->channel_sku, sizeof(l->channel_sku), sku);
	(void)str_copy(l->sku, sizeof(l->sku), sku);
}

/* Push like the engine would, and remember what it would store. */
static void
push(struct channel_listing *l, int64_t desired, struct channel_result *r)
{
	struct channel_account	 a;
	struct channel_ctx	 ctx = { 0 };
	struct channel_push	 p = { .desired = desired, .idem_key = "k" };
	struct err		 e;

	if (channel_account_load(T.db, &T.cfg, acct_id, &a, &e) == -1)
		fail_msg("load: %s", e.msg);
	ctx.db = T.db;
	ctx.cfg = &T.cfg;
	ctx.acct = &a;
	err_clear(&e);
	if (etsy_ops.push(&ctx, l, &p, r, &e) != 0)
		fail_msg("push: %s", e.msg);
	channel_account_free(&a);
	if (r->outcome == CHANNEL_WRITTEN || r->outcome == CHANNEL_HELD ||
	    r->outcome == CHANNEL_UNCHANGED) {
		/* what Etsy would show had no sale happened there since:
		 * held units stay counted until the receipt poller applies
		 * them (and lowers it, see applied()) */
		l->has_last_pushed = 1;
		l->last_pushed = r->shown + r->unseen_sales;
		l->hidden = r->hidden;
	}
}

/* The receipt poller applied an Etsy sale of n units of l's product. */
static void
applied(struct channel_listing *l, int64_t n)
{
	l->last_pushed -= n;
}

static void
set_creds_field(const char *key, json_t *v)
{
	struct channel_account	 a;
	struct err		 e;
	json_t			*c;

	if (channel_account_load(T.db, &T.cfg, acct_id, &a, &e) == -1)
		fail_msg("load: %s", e.msg);
	c = json_deep_copy(a.creds);
	json_object_set_new(c, key, v);
	if (channel_account_store_creds(T.db, &T.cfg, &a, c, &e) == -1)
		fail_msg("store: %s", e.msg);
	json_decref(c);
	channel_account_free(&a);
}

static char *
creds_str(const char *key)
{
	struct channel_account	 a;
	struct err		 e;
	char			*s;

	if (channel_account_load(T.db, &T.cfg, acct_id, &a, &e) == -1)
		fail_msg("load: %s", e.msg);
	s = strdup(json_string_value(json_object_get(a.creds, key)));
	channel_account_free(&a);
	return s;
}

/* ---- setup ------------------------------------------------------------ */

static int
setup(void **state)
{
	(void)state;
	(void)str_copy(base, sizeof(base), tenv(ENV));
	tdb_open(&T, "etsy_adapter");
	json_decref(ctl("POST", "/_sandbox/reset", "{}"));
	/* a shop connected through the sandbox's OAuth code + PKCE flow,
	 * with a rate limit the tests' own reads do not exhaust
	 * (test_throttle lowers it again) */
	shop_id = 5560001;
	user_id = 7760001;
	sbx_etsy_connect(T.db, &T.cfg, "etsy-e2e", shop_id, user_id,
	    &acct_id);
	return 0;
}

static int
teardown(void **state)
{
	struct tresp	 r;

	(void)state;
	if (treq_env(ENV, "DELETE", "/_sandbox/faults", NULL, NULL, &r) == 0)
		tresp_free(&r);
	tdb_close(&T);
	return 0;
}

/* ---- tests ------------------------------------------------------------ */

static const char THREE[] = "[{\"sku\":\"TEE-R\",\"quantity\":3,\"price\":"
    "28.00,\"variations\":{\"Color\":\"Red\"}},{\"sku\":\"TEE-B\","
    "\"quantity\":2,\"price\":19.99,\"variations\":{\"Color\":\"Blue\"}},"
    "{\"sku\":\"TEE-G\",\"quantity\":4,\"price\":0.25,\"variations\":"
    "{\"Color\":\"Green\"}}]";

static void
test_push_one_product(void **state)
{
	struct channel_listing	 l;
	struct channel_result	 r;
	int64_t			 id;
	json_t			*before, *after;
	static const char *const skus[] = { "TEE-R", "TEE-B", "TEE-G" };
	size_t			 i;

	(void)state;
	id = make_listing("Tee", THREE);
	before = inventory(id);
	listing_init(&l, id, "Color=Red", "TEE-R");
	push(&l, 5, &r);
	assert_int_equal(r.outcome, CHANNEL_WRITTEN);
	assert_int_equal(r.shown_before, 3);
	assert_int_equal(r.shown, 5);
	assert_false(r.hidden);
	after = inventory(id);
	assert_int_equal(pint(product(after, "TEE-R"), "quantity"), 5);
	for (i = 0; i < 3; i++) {
		json_t *b = product(before, skus[i]);
		json_t *a = product(after, skus[i]);
		json_t *bp = json_object_get(json_array_get(json_object_get(b,
		    "offerings"), 0), "price");
		json_t *ap = json_object_get(json_array_get(json_object_get(a,
		    "offerings"), 0), "price");

		/* ids regenerated, everything else kept */
		assert_int_not_equal(pint(b, "product_id"),
		    pint(a, "product_id"));
		assert_true(json_equal(bp, ap));
		assert_true(json_equal(json_object_get(b, "property_values"),
		    json_object_get(a, "property_values")));
		assert_int_equal(penabled(a), 1);
		if (i > 0)
			assert_int_equal(pint(a, "quantity"),
			    pint(b, "quantity"));
	}
	assert_true(json_equal(json_object_get(before, "price_on_property"),
	    json_object_get(after, "price_on_property")));
	assert_true(json_equal(json_object_get(before, "sku_on_property"),
	    json_object_get(after, "sku_on_property")));
	assert_true(json_equal(json_object_get(before,
	    "quantity_on_property"), json_object_get(after,
	    "quantity_on_property")));
	json_decref(before);
	json_decref(after);

	/* the same again: nothing to write */
	push(&l, 5, &r);
	assert_int_equal(r.outcome, CHANNEL_UNCHANGED);

	/* 1200 is capped */
	push(&l, 1200, &r);
	assert_int_equal(r.outcome, CHANNEL_WRITTEN);
	assert_int_equal(r.shown, 999);
}

static void
test_held_sale(void **state)
{
	struct channel_listing	 l;
	struct channel_result	 r;
	char			 body[256];
	int64_t			 id;
	json_t			*inv;

	(void)state;
	id = make_listing("Held", THREE);
	listing_init(&l, id, "Color=Blue", "TEE-B");
	push(&l, 6, &r);
	assert_int_equal(r.outcome, CHANNEL_WRITTEN);
	/* a buyer takes 2 on Etsy; the hub has not seen the receipt */
	(void)str_fmt(body, sizeof(body), "{\"listing_id\":%" PRId64 ","
	    "\"sku\":\"TEE-B\",\"quantity\":2}", id);
	json_decref(ctl("POST", "/_sandbox/orders", body));
	/* the hub still wants 6 shown: the 2 sold units are not given back */
	push(&l, 6, &r);
	assert_int_equal(r.outcome, CHANNEL_HELD);
	assert_int_equal(r.unseen_sales, 2);
	assert_int_equal(r.shown, 4);
	inv = inventory(id);
	assert_int_equal(pint(product(inv, "TEE-B"), "quantity"), 4);
	json_decref(inv);
	assert_int_equal(l.last_pushed, 6);
	/* the same again: still held, nothing written */
	push(&l, 6, &r);
	assert_int_equal(r.outcome, CHANNEL_HELD);
	assert_int_equal(r.shown, 4);
	/* the poller applies the sale; 3 more arrive: 6 - 2 + 3 = 7 */
	applied(&l, 2);
	push(&l, 7, &r);
	assert_int_equal(r.outcome, CHANNEL_WRITTEN);
	assert_int_equal(r.shown, 7);
}

static void
test_zero_and_back(void **state)
{
	struct channel_listing	 red, blue, green;
	struct channel_result	 r;
	int64_t			 id;
	json_t			*inv;
	char			*st;

	(void)state;
	id = make_listing("Zero", THREE);
	listing_init(&red, id, "Color=Red", "TEE-R");
	listing_init(&blue, id, "Color=Blue", "TEE-B");
	listing_init(&green, id, "Color=Green", "TEE-G");

	/* Blue to 0 while others have stock: disabled, listing active */
	push(&blue, 0, &r);
	assert_int_equal(r.outcome, CHANNEL_WRITTEN);
	assert_true(r.hidden);
	assert_int_equal(r.shown, 0);
	inv = inventory(id);
	assert_false(penabled(product(inv, "TEE-B")));
	assert_true(pint(product(inv, "TEE-B"), "quantity") >= 1);
	assert_int_equal(pint(product(inv, "TEE-R"), "quantity"), 3);
	json_decref(inv);
	st = listing_state(id);
	assert_string_equal(st, "active");
	free(st);

	/* Red to 0, then Green, the last one: the listing goes inactive */
	push(&red, 0, &r);
	assert_int_equal(r.outcome, CHANNEL_WRITTEN);
	push(&green, 0, &r);
	assert_int_equal(r.outcome, CHANNEL_WRITTEN);
	assert_true(r.hidden);
	st = listing_state(id);
	assert_string_equal(st, "inactive");
	free(st);
	push(&green, 0, &r);
	assert_int_equal(r.outcome, CHANNEL_UNCHANGED);

	/* Red comes back: written, enabled, the listing active again, and
	 * Green (stale while hidden) not shown */
	push(&red, 2, &r);
	assert_int_equal(r.outcome, CHANNEL_WRITTEN);
	assert_int_equal(r.shown, 2);
	assert_false(r.hidden);
	st = listing_state(id);
	assert_string_equal(st, "active");
	free(st);
	inv = inventory(id);
	assert_true(penabled(product(inv, "TEE-R")));
	assert_int_equal(pint(product(inv, "TEE-R"), "quantity"), 2);
	assert_false(penabled(product(inv, "TEE-G")));
	assert_false(penabled(product(inv, "TEE-B")));
	json_decref(inv);
	/* and Green later */
	push(&green, 1, &r);
	assert_int_equal(r.outcome, CHANNEL_WRITTEN);
	inv = inventory(id);
	assert_true(penabled(product(inv, "TEE-G")));
	assert_int_equal(pint(product(inv, "TEE-G"), "quantity"), 1);
	json_decref(inv);
}

static void
test_single_zero(void **state)
{
	struct channel_listing	 l;
	struct channel_result	 r;
	int64_t			 id;
	char			*st;
	json_t			*inv;

	(void)state;
	id = make_listing("Mug", "[{\"sku\":\"MUG-1\",\"quantity\":2,"
	    "\"price\":22.00}]");
	listing_init(&l, id, "", "MUG-1");
	push(&l, 0, &r);
	assert_int_equal(r.outcome, CHANNEL_WRITTEN);
	assert_true(r.hidden);
	st = listing_state(id);
	assert_string_equal(st, "inactive");
	free(st);
	push(&l, 3, &r);
	assert_int_equal(r.outcome, CHANNEL_WRITTEN);
	st = listing_state(id);
	assert_string_equal(st, "active");
	free(st);
	inv = inventory(id);
	assert_int_equal(pint(product(inv, "MUG-1"), "quantity"), 3);
	json_decref(inv);
}

/* A real sell-out on Etsy puts the listing in sold_out; stock coming
 * back renews it (Etsy's fee), and the detail says so. */
static void
test_sold_out(void **state)
{
	struct channel_listing	 l;
	struct channel_result	 r;
	char			 body[128], *st;
	int64_t			 id;
	json_t			*inv;

	(void)state;
	id = make_listing("Vase", "[{\"sku\":\"VASE-1\",\"quantity\":1,"
	    "\"price\":40.00}]");
	listing_init(&l, id, "", "VASE-1");
	push(&l, 1, &r);
	assert_int_equal(r.outcome, CHANNEL_UNCHANGED);
	(void)str_fmt(body, sizeof(body), "{\"listing_id\":%" PRId64 ","
	    "\"sku\":\"VASE-1\",\"quantity\":1}", id);
	json_decref(ctl("POST", "/_sandbox/orders", body));
	st = listing_state(id);
	assert_string_equal(st, "sold_out");
	free(st);
	/* before the hub sees the sale: held, nothing to write */
	push(&l, 1, &r);
	assert_int_equal(r.outcome, CHANNEL_HELD);
	assert_int_equal(r.unseen_sales, 1);
	assert_int_equal(r.shown, 0);
	/* the poller applied it: 0 wanted, 0 shown */
	applied(&l, 1);
	push(&l, 0, &r);
	assert_int_equal(r.outcome, CHANNEL_UNCHANGED);
	assert_int_equal(r.unseen_sales, 0);
	push(&l, 2, &r);
	assert_int_equal(r.outcome, CHANNEL_WRITTEN);
	assert_non_null(strstr(r.detail, "fee"));
	st = listing_state(id);
	assert_string_equal(st, "active");
	free(st);
	inv = inventory(id);
	assert_int_equal(pint(product(inv, "VASE-1"), "quantity"), 2);
	json_decref(inv);
}

static void
test_faults(void **state)
{
	struct channel_listing	 l;
	struct channel_result	 r;
	int64_t			 id;

	(void)state;
	id = make_listing("Faults", THREE);
	listing_init(&l, id, "Color=Green", "TEE-G");
	json_decref(ctl("POST", "/_sandbox/faults", "{\"rules\":[{\"path\":"
	    "\"/v3/application/listings/\",\"kind\":\"429\",\"retry_after\":7,"
	    "\"times\":1}]}"));
	push(&l, 9, &r);
	assert_int_equal(r.outcome, CHANNEL_RETRY);
	assert_int_equal(r.retry_after_s, 7);
	json_decref(ctl("POST", "/_sandbox/faults", "{\"rules\":[{\"path\":"
	    "\"/v3/application/listings/\",\"kind\":\"5xx\",\"status\":503,"
	    "\"times\":1}]}"));
	push(&l, 9, &r);
	assert_int_equal(r.outcome, CHANNEL_RETRY);
	json_decref(ctl("DELETE", "/_sandbox/faults", NULL));
	push(&l, 9, &r);
	assert_int_equal(r.outcome, CHANNEL_WRITTEN);

	/* a listing that is not there */
	listing_init(&l, 987654321, "Color=Green", "TEE-G");
	push(&l, 1, &r);
	assert_int_equal(r.outcome, CHANNEL_FAILED);
	assert_string_equal(r.detail, "listing not found");
}

/* Etsy's x-remaining-this-second reaches 0 within one push: the adapter
 * waits for the next second instead of earning a 429. */
static void
test_throttle(void **state)
{
	struct channel_listing	 l;
	struct channel_result	 r;
	const struct timespec	 pause = { 1, 100000000 };
	int64_t			 id;
	char			*st;

	(void)state;
	id = make_listing("Slow", "[{\"sku\":\"CUP-1\",\"quantity\":2,"
	    "\"price\":12.50}]");
	listing_init(&l, id, "", "CUP-1");
	json_decref(ctl("POST", "/_sandbox/rate-limits", "{\"per_second\":2,"
	    "\"per_day\":1000000}"));
	nanosleep(&pause, NULL);
	push(&l, 0, &r);		/* GET + PATCH */
	assert_int_equal(r.outcome, CHANNEL_WRITTEN);
	nanosleep(&pause, NULL);
	push(&l, 3, &r);		/* GET + PUT + PATCH: waits once */
	if (r.outcome != CHANNEL_WRITTEN)
		fail_msg("restock: %d %s", r.outcome, r.detail);
	nanosleep(&pause, NULL);
	json_decref(ctl("POST", "/_sandbox/rate-limits", "{\"per_second\":"
	    "1000,\"per_day\":1000000}"));
	st = listing_state(id);
	assert_string_equal(st, "active");
	free(st);
}

static int64_t
token_calls(void)
{
	json_t	*j = ctl("GET", "/_sandbox/requests", NULL);
	int64_t	 n = (int64_t)json_integer_value(json_object_get(json_object_get(
		    j, "counts"), "POST /v3/public/oauth/token"));

	json_decref(j);
	return n;
}

/* One process of test_single_flight: its own connection, one push. */
static void
sf_child(int64_t listing)
{
	struct channel_listing	 l;
	struct channel_account	 a;
	struct channel_ctx	 ctx = { 0 };
	struct channel_push	 p = { .desired = 5, .idem_key = "k" };
	struct channel_result	 r;
	struct err		 e;
	struct db		*db = tdb_connect(&T);
	int			 ok;

	listing_init(&l, listing, "", "SF-1");
	if (db == NULL || channel_account_load(db, &T.cfg, acct_id, &a,
	    &e) == -1)
		_exit(2);
	ctx.db = db;
	ctx.cfg = &T.cfg;
	ctx.acct = &a;
	ok = etsy_ops.push(&ctx, &l, &p, &r, &e) == 0 &&
	    r.outcome == CHANNEL_WRITTEN;
	if (!ok)
		fprintf(stderr, "# child: %d %s\n", r.outcome, r.detail);
	channel_account_free(&a);
	db_close(db);
	_exit(ok ? 0 : 1);
}

/* Many processes find the token stale at once: one refresh, under the
 * account's row lock; the others wait and use the new token. */
static void
test_single_flight(void **state)
{
	enum { N = 8 };
	int64_t	 ids[N], before;
	pid_t	 pids[N];
	int	 i, status, good = 0;

	(void)state;
	for (i = 0; i < N; i++)
		ids[i] = make_listing("SF", "[{\"sku\":\"SF-1\","
		    "\"quantity\":1,\"price\":5.00}]");
	set_creds_field("access_expires_at", json_integer(0));
	before = token_calls();
	for (i = 0; i < N; i++) {
		if ((pids[i] = fork()) == 0)
			sf_child(ids[i]);
		assert_true(pids[i] > 0);
	}
	for (i = 0; i < N; i++)
		if (waitpid(pids[i], &status, 0) == pids[i] &&
		    WIFEXITED(status) && WEXITSTATUS(status) == 0)
			good++;
	assert_int_equal(good, N);
	assert_int_equal(token_calls() - before, 1);
}

/* One of test_refresh_100's processes: wait for the start, then make
 * sure the token is usable (a refresh when it expired). */
static void
tok_child(int start_fd)
{
	struct channel_account	 a;
	struct channel_ctx	 ctx = { 0 };
	struct channel_result	 r;
	struct etsy_session	 s;
	struct err		 e;
	struct db		*db = tdb_connect(&T);
	char			 c;
	int			 rc;

	if (db == NULL)
		_exit(2);
	if (read(start_fd, &c, 1) < 0)
		_exit(2);
	if (channel_account_load(db, &T.cfg, acct_id, &a, &e) == -1)
		_exit(2);
	ctx.db = db;
	ctx.cfg = &T.cfg;
	ctx.acct = &a;
	etsy_session_init(&s, &ctx, &r);
	s.purpose = BUDGET_PUSH;
	rc = etsy_session_token(&s, &e);
	if (rc != 0)
		fprintf(stderr, "# child: %d %s\n", rc, rc == 1 ? r.detail :
		    e.msg);
	channel_account_free(&a);
	db_close(db);
	_exit(rc == 0 ? 0 : 1);
}

/* 100 processes find the access token expired at the same moment: one
 * call to the token endpoint, every process gets a usable token, and the
 * rotated refresh token is the one kept (the next refresh works). */
static void
test_refresh_100(void **state)
{
	enum { N = 100 };
	struct channel_listing	 l;
	struct channel_result	 r;
	int64_t			 before, id;
	pid_t			 pids[N];
	int			 i, status, good = 0, fds[2];
	char			*rt0, *rt1;

	(void)state;
	id = make_listing("SF100", "[{\"sku\":\"SF-100\",\"quantity\":1,"
	    "\"price\":5.00}]");
	listing_init(&l, id, "", "SF-100");
	set_creds_field("access_expires_at", json_integer(0));
	rt0 = creds_str("refresh_token");
	before = token_calls();
	assert_int_equal(pipe(fds), 0);
	for (i = 0; i < N; i++) {
		if ((pids[i] = fork()) == 0) {
			close(fds[1]);
			tok_child(fds[0]);
		}
		assert_true(pids[i] > 0);
	}
	close(fds[0]);
	close(fds[1]);		/* every child's read returns: go */
	for (i = 0; i < N; i++)
		if (waitpid(pids[i], &status, 0) == pids[i] &&
		    WIFEXITED(status) && WEXITSTATUS(status) == 0)
			good++;
	assert_int_equal(good, N);
	assert_int_equal(token_calls() - before, 1);
	rt1 = creds_str("refresh_token");
	assert_string_not_equal(rt0, rt1);
	/* the kept refresh token is the live one: refreshing again works */
	set_creds_field("access_expires_at", json_integer(0));
	push(&l, 5, &r);
	assert_int_equal(r.outcome, CHANNEL_WRITTEN);
	assert_int_equal(token_calls() - before, 2);
	free(rt0);
	free(rt1);
}

static void
test_token_refresh(void **state)
{
	struct channel_listing	 l;
	struct channel_result	 r;
	char			*rt0, *at0, *rt1, *at1;
	int64_t			 id;

	(void)state;
	id = make_listing("Tokens", THREE);
	listing_init(&l, id, "Color=Red", "TEE-R");
	rt0 = creds_str("refresh_token");
	at0 = creds_str("access_token");
	/* the sandbox's clock passes the hour: Etsy refuses the token (401)
	 * although our expiry says it is fine; one refresh, then on */
	json_decref(ctl("POST", "/_sandbox/clock", "{\"advance_s\":3700}"));
	push(&l, 4, &r);
	assert_int_equal(r.outcome, CHANNEL_WRITTEN);
	rt1 = creds_str("refresh_token");
	at1 = creds_str("access_token");
	assert_string_not_equal(rt0, rt1);	/* rotated and kept */
	assert_string_not_equal(at0, at1);
	assert_null(strstr(r.detail, at1));
	free(rt0);
	free(at0);

	/* expiry known ahead: refreshed before the call */
	set_creds_field("access_expires_at", json_integer((json_int_t)time(
	    NULL) + 10));
	push(&l, 5, &r);
	assert_int_equal(r.outcome, CHANNEL_WRITTEN);
	rt0 = creds_str("refresh_token");
	assert_string_not_equal(rt0, rt1);
	free(rt0);
	free(rt1);
	free(at1);

	/* revoked: the account must be reconnected */
	if (user_id > 0) {
		char body[64];

		(void)str_fmt(body, sizeof(body), "{\"user_id\":%" PRId64 "}",
		    user_id);
		json_decref(ctl("POST", "/_sandbox/oauth/revoke", body));
		set_creds_field("access_expires_at", json_integer(0));
		push(&l, 6, &r);
		assert_int_equal(r.outcome, CHANNEL_FAILED);
		assert_string_equal(r.detail, "revoked");
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_push_one_product),
		cmocka_unit_test(test_held_sale),
		cmocka_unit_test(test_zero_and_back),
		cmocka_unit_test(test_single_zero),
		cmocka_unit_test(test_sold_out),
		cmocka_unit_test(test_faults),
		cmocka_unit_test(test_throttle),
		cmocka_unit_test(test_single_flight),
		cmocka_unit_test(test_refresh_100),
		/* last: it revokes the tokens */
		cmocka_unit_test(test_token_refresh),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
