/*
 * The Etsy sandbox (sandbox/etsy.c) end to end through nginx: the API key,
 * OAuth with PKCE, listings, inventory writes, buyer orders, receipts and
 * their blind spot, rate limits, the ORDER_PAID webhook (its signature
 * checked here with OpenSSL on its own), and the frame's faults as a
 * client sees them. Every test starts from POST /_sandbox/reset.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cmocka.h>
#include <jansson.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/sha.h>

/* tests/httpc.h by path: lib/ now has an httpc.h of its own (the hub's) */
#include "../httpc.h"
#include "str.h"

#define ENV	"SANDBOX_ETSY_URL"
#define APIKEY	"x-api-key: sbx-etsy-keystring:sbx-etsy-secret"
#define SHOP	5550001
#define USER	7770001
#define MUG	1000000001
#define SCARF	1000000002
#define GIFT	1000000003
#define VERIFIER "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk0123"
#define SCOPES	"listings_r+listings_w+transactions_r+shops_r"

static char	 path[1024];

static const char *
P(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static const char *
P(const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	vsnprintf(path, sizeof(path), fmt, ap);
	va_end(ap);
	return path;
}

/* A control call; returns the parsed answer (caller frees). */
static json_t *
ctl(const char *method, const char *p, const char *body, long want)
{
	struct tresp	 r;
	json_t		*j;
	const char	*h[] = { "Content-Type: application/json", NULL };

	long		 got;

	treq_env(ENV, method, p, h, body, &r);
	got = r.status;
	if (got != want)
		fprintf(stderr, "# %s %s -> %ld %s\n", method, p, got,
		    r.body != NULL ? r.body : "");
	j = r.json != NULL ? json_incref(r.json) : json_object();
	tresp_free(&r);
	if (got != want)
		json_decref(j);	/* free before the failing assert jumps */
	assert_int_equal(got, want);
	return j;
}

static void
ctl0(const char *method, const char *p, const char *body, long want)
{
	json_decref(ctl(method, p, body, want));
}

static void
reset(void)
{
	ctl0("POST", "/_sandbox/reset", NULL, 200);
}

static void
demo(void)
{
	reset();
	ctl0("POST", "/_sandbox/demo", NULL, 201);
}

/* An API call with the app's key and an optional bearer token. */
static long
api(const char *method, const char *p, const char *token, const char *ctype,
    const char *body, struct tresp *r)
{
	char		 auth[256], ct[128];
	const char	*h[4];
	size_t		 n = 0;

	h[n++] = APIKEY;
	if (token != NULL) {
		(void)str_fmt(auth, sizeof(auth), "Authorization: Bearer %s",
		    token);
		h[n++] = auth;
	}
	if (ctype != NULL) {
		(void)str_fmt(ct, sizeof(ct), "Content-Type: %s", ctype);
		h[n++] = ct;
	}
	h[n] = NULL;
	treq_env(ENV, method, p, h, body, r);
	return r->status;
}

static const char *
jstr(const json_t *j, const char *k)
{
	const char *s = json_string_value(json_object_get(j, k));

	return s != NULL ? s : "";
}

static json_int_t
jint(const json_t *j, const char *k)
{
	return json_integer_value(json_object_get(j, k));
}

static void
challenge_of(const char *verifier, char *out, size_t outsz)
{
	unsigned char	 d[SHA256_DIGEST_LENGTH];
	char		 b[64];
	size_t		 i, k = 0;

	SHA256((const unsigned char *)verifier, strlen(verifier), d);
	EVP_EncodeBlock((unsigned char *)b, d, sizeof(d));
	for (i = 0; b[i] != '\0' && b[i] != '=' && k + 1 < outsz; i++)
		out[k++] = b[i] == '+' ? '-' : b[i] == '/' ? '_' : b[i];
	out[k] = '\0';
}

/* The authorize step with auto-approve on; the code from the redirect. */
static void
authorize(const char *method, char *code, size_t codesz)
{
	struct tresp	 r;
	char		 chal[64], loc[1024], *c, *e;

	challenge_of(VERIFIER, chal, sizeof(chal));
	treq_env(ENV, "GET", P("/oauth/connect?response_type=code&client_id="
	    "sbx-etsy-keystring&redirect_uri=https://hub.example/cb&scope="
	    SCOPES "&state=st-42&code_challenge=%s&code_challenge_method=%s",
	    chal, method), NULL, NULL, &r);
	assert_int_equal(r.status, 302);
	assert_int_equal(tresp_header(&r, "Location", loc, sizeof(loc)), 0);
	assert_non_null(strstr(loc, "state=st-42"));
	assert_int_equal(strncmp(loc, "https://hub.example/cb?code=", 28), 0);
	c = loc + 28;
	if ((e = strchr(c, '&')) != NULL)
		*e = '\0';
	(void)str_copy(code, codesz, c);
	tresp_free(&r);
}

static long
token_call(const char *body, struct tresp *r)
{
	const char *h[] = { "Content-Type: application/x-www-form-urlencoded",
	    NULL };

	treq_env(ENV, "POST", "/v3/public/oauth/token", h, body, r);
	return r->status;
}

/* A fresh token pair for the demo seller. */
static void
login(char *access, char *refresh)
{
	char		 code[128];
	struct tresp	 r;

	ctl0("POST", "/_sandbox/oauth", "{\"auto_approve\":true}", 200);
	authorize("S256", code, sizeof(code));
	assert_int_equal(token_call(P("grant_type=authorization_code&"
	    "client_id=sbx-etsy-keystring&redirect_uri=https://hub.example/cb"
	    "&code=%s&code_verifier=" VERIFIER, code), &r), 200);
	(void)str_copy(access, 128, jstr(r.json, "access_token"));
	if (refresh != NULL)
		(void)str_copy(refresh, 128, jstr(r.json, "refresh_token"));
	assert_int_equal(jint(r.json, "expires_in"), 3600);
	assert_string_equal(jstr(r.json, "token_type"), "Bearer");
	tresp_free(&r);
}

static void
advance(int64_t s)
{
	ctl0("POST", "/_sandbox/clock", P("{\"advance_s\":%lld}",
	    (long long)s), 200);
}

static int64_t
sandbox_now(void)
{
	json_t	*j = ctl("POST", "/_sandbox/clock", "{\"advance_s\":0}", 200);
	int64_t	 n = jint(j, "now");

	json_decref(j);
	return n;
}

/* Place an order; returns the receipt id (or 0 when refused). */
static int64_t
order(const char *body, long want)
{
	json_t	*j = ctl("POST", "/_sandbox/orders", body, want);
	int64_t	 id = jint(j, "receipt_id");

	json_decref(j);
	return id;
}

/* --- the API key ---------------------------------------------------------- */

static void
test_api_key(void **state)
{
	struct tresp	 r;
	const char	*alone[] = { "x-api-key: sbx-etsy-keystring", NULL };
	const char	*wrong[] = { "x-api-key: sbx-etsy-keystring:nope", NULL };
	const char	*newk[] = { "x-api-key: k2:s2", NULL };

	(void)state;
	demo();
	treq_env(ENV, "GET", "/v3/application/listings/batch?listing_ids=1",
	    NULL, NULL, &r);
	assert_int_equal(r.status, 403);
	assert_non_null(json_object_get(r.json, "error"));
	tresp_free(&r);
	treq_env(ENV, "GET", "/v3/application/listings/batch?listing_ids=1",
	    alone, NULL, &r);
	assert_int_equal(r.status, 403);
	assert_string_equal(jstr(r.json, "error"),
	    "Shared secret is required in x-api-key header.");
	tresp_free(&r);
	treq_env(ENV, "GET", "/v3/application/listings/batch?listing_ids=1",
	    wrong, NULL, &r);
	assert_int_equal(r.status, 403);
	tresp_free(&r);
	assert_int_equal(api("GET", P("/v3/application/listings/batch?"
	    "listing_ids=%d", MUG), NULL, NULL, NULL, &r), 200);
	tresp_free(&r);
	/* new app credentials: the old key stops working */
	ctl0("POST", "/_sandbox/credentials", "{\"keystring\":\"k2\","
	    "\"shared_secret\":\"s2\"}", 200);
	assert_int_equal(api("GET", "/v3/application/listings/batch?"
	    "listing_ids=1", NULL, NULL, NULL, &r), 403);
	tresp_free(&r);
	treq_env(ENV, "GET", "/v3/application/listings/batch?listing_ids=1",
	    newk, NULL, &r);
	assert_int_equal(r.status, 200);
	tresp_free(&r);
}

/* --- OAuth ------------------------------------------------------------ */

static void
test_pkce_happy_path(void **state)
{
	char		 at[128];
	struct tresp	 r;

	(void)state;
	demo();
	login(at, NULL);
	assert_int_equal(strncmp(at, "7770001.", 8), 0);
	assert_int_equal(api("GET", "/v3/application/users/me", at, NULL,
	    NULL, &r), 200);
	assert_int_equal(jint(r.json, "user_id"), USER);
	assert_int_equal(jint(r.json, "shop_id"), SHOP);
	tresp_free(&r);
}

static void
test_pkce_wrong_verifier(void **state)
{
	char		 code[128];
	struct tresp	 r;

	(void)state;
	demo();
	ctl0("POST", "/_sandbox/oauth", "{\"auto_approve\":true}", 200);
	authorize("S256", code, sizeof(code));
	assert_int_equal(token_call(P("grant_type=authorization_code&"
	    "client_id=sbx-etsy-keystring&redirect_uri=https://hub.example/cb"
	    "&code=%s&code_verifier=%s", code,
	    "wrongwrongwrongwrongwrongwrongwrongwrongwrong"), &r), 400);
	assert_string_equal(jstr(r.json, "error"), "invalid_grant");
	assert_non_null(json_object_get(r.json, "error_description"));
	tresp_free(&r);
	/* the code is spent now, even with the right verifier */
	assert_int_equal(token_call(P("grant_type=authorization_code&"
	    "client_id=sbx-etsy-keystring&redirect_uri=https://hub.example/cb"
	    "&code=%s&code_verifier=" VERIFIER, code), &r), 400);
	assert_string_equal(jstr(r.json, "error"), "invalid_grant");
	tresp_free(&r);
}

static void
test_pkce_plain_refused(void **state)
{
	struct tresp	 r;
	char		 loc[256];

	(void)state;
	demo();
	ctl0("POST", "/_sandbox/oauth", "{\"auto_approve\":true}", 200);
	treq_env(ENV, "GET", "/oauth/connect?response_type=code&client_id="
	    "sbx-etsy-keystring&redirect_uri=https://hub.example/cb&scope="
	    SCOPES "&state=s&code_challenge=" VERIFIER
	    "&code_challenge_method=plain", NULL, NULL, &r);
	assert_int_equal(r.status, 400);
	assert_int_not_equal(tresp_header(&r, "Location", loc, sizeof(loc)),
	    0);
	assert_non_null(strstr(r.body, "S256"));
	tresp_free(&r);
}

static void
test_consent_page(void **state)
{
	struct tresp	 r;
	char		 chal[64];
	const char	*h[] = { "Content-Type: application/x-www-form-urlencoded",
	    NULL };

	(void)state;
	demo();
	challenge_of(VERIFIER, chal, sizeof(chal));
	treq_env(ENV, "GET", P("/oauth/connect?response_type=code&client_id="
	    "sbx-etsy-keystring&redirect_uri=https://hub.example/cb&scope="
	    SCOPES "&state=st&code_challenge=%s&code_challenge_method=S256",
	    chal), NULL, NULL, &r);
	assert_int_equal(r.status, 200);
	assert_non_null(strstr(r.body, "SANDBOX"));
	assert_non_null(strstr(r.body, "<form"));
	assert_non_null(strstr(r.body, "SANDBOX Ceramics"));
	tresp_free(&r);
	treq_env(ENV, "POST", "/oauth/connect", h, P("response_type=code&"
	    "client_id=sbx-etsy-keystring&redirect_uri=https%%3A%%2F%%2Fhub."
	    "example%%2Fcb&scope=listings_r&state=st&code_challenge=%s&"
	    "code_challenge_method=S256&user_id=7770001&decision=approve",
	    chal), &r);
	assert_int_equal(r.status, 200);
	assert_non_null(strstr(r.body, "https://hub.example/cb?code="));
	assert_non_null(strstr(r.body, "state=st"));
	tresp_free(&r);
}

static void
test_refresh_rotation(void **state)
{
	char		 at[128], rt[128], rt2[128];
	struct tresp	 r;

	(void)state;
	demo();
	login(at, rt);
	assert_int_equal(token_call(P("grant_type=refresh_token&client_id="
	    "sbx-etsy-keystring&refresh_token=%s", rt), &r), 200);
	(void)str_copy(rt2, sizeof(rt2), jstr(r.json, "refresh_token"));
	assert_string_not_equal(rt2, rt);
	assert_string_not_equal(jstr(r.json, "access_token"), at);
	tresp_free(&r);
	/* the old refresh token stops working at once */
	assert_int_equal(token_call(P("grant_type=refresh_token&client_id="
	    "sbx-etsy-keystring&refresh_token=%s", rt), &r), 400);
	assert_string_equal(jstr(r.json, "error"), "invalid_grant");
	tresp_free(&r);
	assert_int_equal(token_call(P("grant_type=refresh_token&client_id="
	    "sbx-etsy-keystring&refresh_token=%s", rt2), &r), 200);
	tresp_free(&r);
	assert_int_equal(token_call("grant_type=password&client_id="
	    "sbx-etsy-keystring", &r), 400);
	assert_string_equal(jstr(r.json, "error"), "unsupported_grant_type");
	tresp_free(&r);
}

static void
test_token_expiry(void **state)
{
	char		 at[128], rt[128];
	struct tresp	 r;

	(void)state;
	demo();
	login(at, rt);
	advance(3601);
	assert_int_equal(api("GET", "/v3/application/users/me", at, NULL,
	    NULL, &r), 401);
	assert_string_equal(jstr(r.json, "error"), "invalid_token");
	tresp_free(&r);
	assert_int_equal(token_call(P("grant_type=refresh_token&client_id="
	    "sbx-etsy-keystring&refresh_token=%s", rt), &r), 200);
	(void)str_copy(at, sizeof(at), jstr(r.json, "access_token"));
	tresp_free(&r);
	assert_int_equal(api("GET", "/v3/application/users/me", at, NULL,
	    NULL, &r), 200);
	tresp_free(&r);
}

static void
test_revocation(void **state)
{
	char		 at[128], rt[128];
	struct tresp	 r;

	(void)state;
	demo();
	login(at, rt);
	ctl0("POST", "/_sandbox/oauth/revoke", "{\"user_id\":7770001}", 200);
	assert_int_equal(api("GET", "/v3/application/users/me", at, NULL,
	    NULL, &r), 401);
	tresp_free(&r);
	assert_int_equal(token_call(P("grant_type=refresh_token&client_id="
	    "sbx-etsy-keystring&refresh_token=%s", rt), &r), 400);
	assert_string_equal(jstr(r.json, "error"), "invalid_grant");
	tresp_free(&r);
}

static void
test_bearer_required(void **state)
{
	struct tresp	 r;
	char		 at[128];

	(void)state;
	demo();
	assert_int_equal(api("GET", P("/v3/application/shops/%d/listings",
	    SHOP), NULL, NULL, NULL, &r), 401);
	tresp_free(&r);
	assert_int_equal(api("GET", P("/v3/application/shops/%d/receipts",
	    SHOP), "7770001.bogus", NULL, NULL, &r), 401);
	tresp_free(&r);
	login(at, NULL);
	/* another seller's shop */
	ctl0("POST", "/_sandbox/shops", "{\"shop_name\":\"Other\","
	    "\"shop_id\":5550002,\"user_id\":7770002}", 201);
	assert_int_equal(api("GET", "/v3/application/shops/5550002/receipts",
	    at, NULL, NULL, &r), 403);
	tresp_free(&r);
}

/* --- listings ----------------------------------------------------------- */

static void
test_listings_filter_and_paging(void **state)
{
	struct tresp	 r;
	char		 at[128];

	(void)state;
	demo();
	login(at, NULL);
	assert_int_equal(api("GET", P("/v3/application/shops/%d/listings?"
	    "limit=2", SHOP), at, NULL, NULL, &r), 200);
	assert_int_equal(jint(r.json, "count"), 3);
	assert_int_equal(json_array_size(json_object_get(r.json, "results")),
	    2);
	tresp_free(&r);
	assert_int_equal(api("GET", P("/v3/application/shops/%d/listings?"
	    "limit=2&offset=2", SHOP), at, NULL, NULL, &r), 200);
	assert_int_equal(json_array_size(json_object_get(r.json, "results")),
	    1);
	tresp_free(&r);
	assert_int_equal(api("GET", P("/v3/application/shops/%d/listings?"
	    "state=inactive", SHOP), at, NULL, NULL, &r), 200);
	assert_int_equal(jint(r.json, "count"), 0);
	tresp_free(&r);
	assert_int_equal(api("GET", P("/v3/application/shops/%d/listings?"
	    "limit=101", SHOP), at, NULL, NULL, &r), 400);
	assert_non_null(strstr(jstr(r.json, "error"), "limit"));
	tresp_free(&r);
	assert_int_equal(api("GET", P("/v3/application/shops/%d/listings?"
	    "state=gone", SHOP), at, NULL, NULL, &r), 400);
	tresp_free(&r);
	assert_int_equal(api("GET", P("/v3/application/shops/%d/listings?"
	    "includes=Inventory", SHOP), at, NULL, NULL, &r), 200);
	assert_non_null(json_object_get(json_array_get(json_object_get(r.json,
	    "results"), 0), "inventory"));
	tresp_free(&r);
}

static void
test_listings_batch(void **state)
{
	struct tresp	 r;
	char		 many[2048];
	size_t		 i, n = 0;

	(void)state;
	demo();
	assert_int_equal(api("GET", P("/v3/application/listings/batch?"
	    "listing_ids=%d,%d,42", MUG, GIFT), NULL, NULL, NULL, &r), 200);
	assert_int_equal(jint(r.json, "count"), 2);
	tresp_free(&r);
	for (i = 1; i <= 101; i++)
		n += (size_t)snprintf(many + n, sizeof(many) - n, "%s%zu",
		    i > 1 ? "," : "", i);
	assert_int_equal(api("GET", P("/v3/application/listings/batch?"
	    "listing_ids=%s", many), NULL, NULL, NULL, &r), 400);
	tresp_free(&r);
	assert_int_equal(api("GET", "/v3/application/listings/batch?"
	    "listing_ids=x", NULL, NULL, NULL, &r), 400);
	tresp_free(&r);
	assert_int_equal(api("GET", "/v3/application/listings/batch", NULL,
	    NULL, NULL, &r), 400);
	tresp_free(&r);
}

static void
test_listing_state_change(void **state)
{
	struct tresp	 r;
	char		 at[128];

	(void)state;
	demo();
	login(at, NULL);
	assert_int_equal(api("PATCH", P("/v3/application/shops/%d/listings/%d",
	    SHOP, GIFT), at, "application/x-www-form-urlencoded",
	    "state=inactive", &r), 200);
	assert_string_equal(jstr(r.json, "state"), "inactive");
	tresp_free(&r);
	assert_int_equal(api("GET", P("/v3/application/shops/%d/listings?"
	    "state=inactive", SHOP), at, NULL, NULL, &r), 200);
	assert_int_equal(jint(r.json, "count"), 1);
	tresp_free(&r);
	/* an inactive listing is not shown, so it cannot sell */
	order(P("{\"listing_id\":%d,\"quantity\":1}", GIFT), 409);
	assert_int_equal(api("PATCH", P("/v3/application/shops/%d/listings/%d",
	    SHOP, GIFT), at, "application/x-www-form-urlencoded",
	    "state=sold_out", &r), 400);
	tresp_free(&r);
	assert_int_equal(api("PATCH", P("/v3/application/shops/%d/listings/%d",
	    SHOP, GIFT), at, "application/x-www-form-urlencoded",
	    "quantity=5", &r), 400);
	tresp_free(&r);
	assert_int_equal(api("PATCH", P("/v3/application/shops/%d/listings/%d",
	    SHOP, GIFT), at, "application/x-www-form-urlencoded",
	    "state=active", &r), 200);
	assert_string_equal(jstr(r.json, "state"), "active");
	tresp_free(&r);
}

static json_t *
state_listing(int64_t id)
{
	json_t	*s = ctl("GET", "/_sandbox/state", NULL, 200), *l, *out = NULL;
	size_t	 i;

	json_array_foreach(json_object_get(s, "listings"), i, l)
		if (jint(l, "listing_id") == id)
			out = json_incref(l);
	json_decref(s);
	assert_non_null(out);
	return out;
}

static void
test_sold_out_and_renewal(void **state)
{
	struct tresp	 r;
	char		 at[128];
	json_t		*l;

	(void)state;
	demo();
	login(at, NULL);
	order(P("{\"listing_id\":%d,\"sku\":\"MUG-CERAMIC-01\","
	    "\"quantity\":3}", MUG), 201);
	assert_int_equal(api("GET", P("/v3/application/shops/%d/listings?"
	    "state=sold_out", SHOP), at, NULL, NULL, &r), 200);
	assert_int_equal(jint(r.json, "count"), 1);
	assert_int_equal(jint(json_array_get(json_object_get(r.json, "results"),
	    0), "listing_id"), MUG);
	tresp_free(&r);
	order(P("{\"listing_id\":%d,\"quantity\":1}", MUG), 409);
	l = state_listing(MUG);
	assert_int_equal(jint(l, "renewals"), 0);
	json_decref(l);
	assert_int_equal(api("PATCH", P("/v3/application/shops/%d/listings/%d",
	    SHOP, MUG), at, "application/x-www-form-urlencoded",
	    "state=active", &r), 200);
	assert_string_equal(jstr(r.json, "state"), "active");
	assert_int_equal(jint(r.json, "quantity"), 1);
	tresp_free(&r);
	l = state_listing(MUG);
	assert_int_equal(jint(l, "renewals"), 1);
	json_decref(l);
}

/* --- inventory ------------------------------------------------------------ */

#define PV(id, v) "{\"property_id\":513,\"value_ids\":[],\"values\":[\"" v \
	"\"]}"
#define OFF(p, q) "[{\"price\":" p ",\"quantity\":" q ",\"is_enabled\":true," \
	"\"readiness_state_id\":null}]"

static void
test_inventory_put_replaces(void **state)
{
	struct tresp	 r;
	char		 at[128];
	json_t		*prods, *p0;
	json_int_t	 old_pid, old_oid;

	(void)state;
	demo();
	login(at, NULL);
	assert_int_equal(api("GET", P("/v3/application/listings/%d/inventory",
	    SCARF), at, NULL, NULL, &r), 200);
	prods = json_object_get(r.json, "products");
	assert_int_equal(json_array_size(prods), 3);
	p0 = json_array_get(prods, 0);
	old_pid = jint(p0, "product_id");
	old_oid = jint(json_array_get(json_object_get(p0, "offerings"), 0),
	    "offering_id");
	tresp_free(&r);
	assert_int_equal(api("PUT", P("/v3/application/listings/%d/inventory",
	    SCARF), at, "application/json", "{\"products\":["
	    "{\"sku\":\"SCARF-WOOL-RED\",\"property_values\":[" PV(513, "Red")
	    "],\"offerings\":" OFF("45.5", "4") "},"
	    "{\"sku\":\"SCARF-WOOL-BLUE\",\"property_values\":[" PV(513, "Blue")
	    "],\"offerings\":" OFF("45.5", "2") "}],"
	    "\"quantity_on_property\":[513],\"sku_on_property\":[513]}", &r),
	    200);
	tresp_free(&r);
	assert_int_equal(api("GET", P("/v3/application/listings/%d/inventory",
	    SCARF), at, NULL, NULL, &r), 200);
	prods = json_object_get(r.json, "products");
	assert_int_equal(json_array_size(prods), 2);	/* green is gone */
	p0 = json_array_get(prods, 0);
	assert_string_equal(jstr(p0, "sku"), "SCARF-WOOL-RED");
	assert_true(jint(p0, "product_id") != old_pid);
	p0 = json_array_get(json_object_get(p0, "offerings"), 0);
	assert_true(jint(p0, "offering_id") != old_oid);
	assert_int_equal(jint(p0, "quantity"), 4);
	/* the price went in as a float and comes out as Money */
	assert_int_equal(jint(json_object_get(p0, "price"), "amount"), 4550);
	assert_int_equal(jint(json_object_get(p0, "price"), "divisor"), 100);
	assert_string_equal(jstr(json_object_get(p0, "price"),
	    "currency_code"), "USD");
	tresp_free(&r);
}

static void
test_inventory_refusals(void **state)
{
	struct tresp	 r;
	char		 at[128];

	(void)state;
	demo();
	login(at, NULL);
	/* every offering at 0 */
	assert_int_equal(api("PUT", P("/v3/application/listings/%d/inventory",
	    MUG), at, "application/json", "{\"products\":[{\"sku\":"
	    "\"MUG-CERAMIC-01\",\"property_values\":[],\"offerings\":"
	    OFF("28.0", "0") "}]}", &r), 400);
	assert_string_equal(jstr(r.json, "error"),
	    "One offering must have quantity greater than 0");
	tresp_free(&r);
	/* over 999 */
	assert_int_equal(api("PUT", P("/v3/application/listings/%d/inventory",
	    MUG), at, "application/json", "{\"products\":[{\"sku\":"
	    "\"MUG-CERAMIC-01\",\"property_values\":[],\"offerings\":"
	    OFF("28.0", "1000") "}]}", &r), 400);
	assert_non_null(strstr(jstr(r.json, "error"), "quantity"));
	tresp_free(&r);
	/* quantities differ by color, but quantity_on_property is empty */
	assert_int_equal(api("PUT", P("/v3/application/listings/%d/inventory",
	    SCARF), at, "application/json", "{\"products\":["
	    "{\"sku\":\"SCARF-WOOL-RED\",\"property_values\":[" PV(513, "Red")
	    "],\"offerings\":" OFF("45", "4") "},"
	    "{\"sku\":\"SCARF-WOOL-BLUE\",\"property_values\":[" PV(513, "Blue")
	    "],\"offerings\":" OFF("45", "2") "}],\"sku_on_property\":[513]}",
	    &r), 400);
	assert_non_null(strstr(jstr(r.json, "error"), "quantity_on_property"));
	tresp_free(&r);
	/* a property the products do not vary on */
	assert_int_equal(api("PUT", P("/v3/application/listings/%d/inventory",
	    MUG), at, "application/json", "{\"products\":[{\"sku\":"
	    "\"MUG-CERAMIC-01\",\"property_values\":[],\"offerings\":"
	    OFF("28.0", "2") "}],\"price_on_property\":[200]}", &r), 400);
	assert_non_null(strstr(jstr(r.json, "error"), "price_on_property"));
	tresp_free(&r);
	/* the Money object echoed back instead of a float */
	assert_int_equal(api("PUT", P("/v3/application/listings/%d/inventory",
	    MUG), at, "application/json", "{\"products\":[{\"sku\":"
	    "\"MUG-CERAMIC-01\",\"property_values\":[],\"offerings\":[{"
	    "\"price\":{\"amount\":2800,\"divisor\":100},\"quantity\":2,"
	    "\"is_enabled\":true,\"readiness_state_id\":null}]}]}", &r), 400);
	assert_string_equal(jstr(r.json, "error"),
	    "Expected float value for 'price'");
	tresp_free(&r);
	/* not JSON */
	assert_int_equal(api("PUT", P("/v3/application/listings/%d/inventory",
	    MUG), at, "application/x-www-form-urlencoded", "products=x", &r),
	    400);
	assert_string_equal(jstr(r.json, "error"),
	    "Missing input parameter: [products]");
	tresp_free(&r);
	/* nothing changed */
	assert_int_equal(api("GET", P("/v3/application/listings/%d/inventory",
	    MUG), at, NULL, NULL, &r), 200);
	assert_int_equal(jint(json_array_get(json_object_get(json_array_get(
	    json_object_get(r.json, "products"), 0), "offerings"), 0),
	    "quantity"), 3);
	tresp_free(&r);
}

static void
test_inventory_readiness(void **state)
{
	struct tresp	 r;
	char		 at[128];

	(void)state;
	reset();
	ctl0("POST", "/_sandbox/shops", "{\"shop_name\":\"SANDBOX PP\","
	    "\"processing_profiles\":true}", 201);
	ctl0("POST", "/_sandbox/listings", "{\"shop_id\":5550001,\"title\":"
	    "\"Bowl\",\"products\":[{\"sku\":\"BOWL\",\"quantity\":2,"
	    "\"price\":10.0,\"readiness_state_id\":77}]}", 201);
	login(at, NULL);
	assert_int_equal(api("PUT", P("/v3/application/listings/%d/inventory",
	    MUG), at, "application/json", "{\"products\":[{\"sku\":\"BOWL\","
	    "\"property_values\":[],\"offerings\":" OFF("10.0", "2") "}]}",
	    &r), 400);
	assert_non_null(strstr(jstr(r.json, "error"), "readiness_state_id"));
	tresp_free(&r);
	assert_int_equal(api("PUT", P("/v3/application/listings/%d/inventory",
	    MUG), at, "application/json", "{\"products\":[{\"sku\":\"BOWL\","
	    "\"property_values\":[],\"offerings\":[{\"price\":10.0,"
	    "\"quantity\":2,\"is_enabled\":true,\"readiness_state_id\":78}]}]}",
	    &r), 200);
	assert_int_equal(jint(json_array_get(json_object_get(json_array_get(
	    json_object_get(r.json, "products"), 0), "offerings"), 0),
	    "readiness_state_id"), 78);
	tresp_free(&r);
}

static void
test_inventory_batch(void **state)
{
	struct tresp	 r;
	char		 at[128];
	json_t		*l;

	(void)state;
	demo();
	login(at, NULL);
	assert_int_equal(api("GET", P("/v3/application/listings/batch/"
	    "inventory?listing_ids=%d,%d", MUG, SCARF), at, NULL, NULL, &r),
	    200);
	assert_int_equal(jint(r.json, "count"), 2);
	l = json_array_get(json_object_get(r.json, "results"), 1);
	assert_int_equal(json_array_size(json_object_get(json_object_get(l,
	    "inventory"), "products")), 3);
	tresp_free(&r);
	assert_int_equal(api("GET", P("/v3/application/listings/batch/"
	    "inventory?listing_ids=%d", MUG), NULL, NULL, NULL, &r), 401);
	tresp_free(&r);
}

/* --- buyer side and control ------------------------------------------- */

static void
test_order_refused_when_not_shown(void **state)
{
	json_t	*j;

	(void)state;
	demo();
	/* green shows 0 */
	j = ctl("POST", "/_sandbox/orders", P("{\"listing_id\":%d,"
	    "\"variations\":{\"Color\":\"Green\"},\"quantity\":1}", SCARF), 409);
	assert_int_equal(jint(j, "shown"), 0);
	json_decref(j);
	/* blue shows 2, a cart of 3 is refused, and nothing moved */
	order(P("{\"listing_id\":%d,\"sku\":\"SCARF-WOOL-BLUE\","
	    "\"quantity\":3}", SCARF), 409);
	order(P("{\"items\":[{\"listing_id\":%d,\"sku\":\"SCARF-WOOL-BLUE\","
	    "\"quantity\":2},{\"listing_id\":%d,\"sku\":\"SCARF-WOOL-BLUE\","
	    "\"quantity\":1}]}", SCARF, SCARF), 409);
	j = state_listing(SCARF);
	assert_int_equal(jint(j, "quantity"), 7);
	assert_int_equal(json_array_size(json_object_get(j, "skus")), 3);
	json_decref(j);
	j = ctl("GET", "/_sandbox/state", NULL, 200);
	assert_int_equal(json_array_size(json_object_get(j, "orders")), 0);
	json_decref(j);
}

static void
test_order_transactions(void **state)
{
	struct tresp	 r;
	char		 at[128];
	int64_t		 id;
	json_t		*t, *v, *inv;

	(void)state;
	demo();
	login(at, NULL);
	id = order(P("{\"listing_id\":%d,\"variations\":{\"Color\":\"Red\"},"
	    "\"quantity\":2}", SCARF), 201);
	assert_int_equal(api("GET", P("/v3/application/shops/%d/receipts/%lld",
	    SHOP, (long long)id), at, NULL, NULL, &r), 200);
	assert_string_equal(jstr(r.json, "status"), "paid");
	assert_int_equal(jint(json_object_get(r.json, "grandtotal"), "amount"),
	    9000);
	t = json_array_get(json_object_get(r.json, "transactions"), 0);
	assert_int_equal(jint(t, "listing_id"), SCARF);
	assert_string_equal(jstr(t, "sku"), "SCARF-WOOL-RED");
	assert_int_equal(jint(t, "quantity"), 2);
	v = json_array_get(json_object_get(t, "variations"), 0);
	assert_int_equal(jint(v, "property_id"), 513);
	assert_string_equal(jstr(v, "formatted_name"), "Color");
	assert_string_equal(jstr(v, "formatted_value"), "Red");
	assert_true(jint(v, "value_id") > 0);
	inv = state_listing(SCARF);
	assert_int_equal(jint(t, "product_id"), jint(json_array_get(
	    json_object_get(json_object_get(inv, "inventory"), "products"), 0),
	    "product_id"));
	/* the red offering went 5 -> 3 */
	assert_int_equal(jint(json_array_get(json_object_get(json_array_get(
	    json_object_get(json_object_get(inv, "inventory"), "products"), 0),
	    "offerings"), 0), "quantity"), 3);
	json_decref(inv);
	tresp_free(&r);
}

static void
test_seller_edit_and_drift(void **state)
{
	json_t		*l, *p;
	struct tresp	 r;
	char		 at[128];
	json_int_t	 old_vid;

	(void)state;
	demo();
	login(at, NULL);
	/* the seller sets blue to 9 on etsy.com: new ids, as on Etsy */
	ctl0("POST", P("/_sandbox/listings/%d/quantity", SCARF),
	    "{\"sku\":\"SCARF-WOOL-BLUE\",\"quantity\":9}", 200);
	assert_int_equal(api("GET", P("/v3/application/listings/%d/inventory",
	    SCARF), at, NULL, NULL, &r), 200);
	p = json_array_get(json_object_get(r.json, "products"), 1);
	assert_int_equal(jint(json_array_get(json_object_get(p, "offerings"),
	    0), "quantity"), 9);
	old_vid = json_integer_value(json_array_get(json_object_get(
	    json_array_get(json_object_get(json_array_get(json_object_get(
	    r.json, "products"), 0), "property_values"), 0), "value_ids"), 0));
	tresp_free(&r);
	/* rename Red -> Crimson: a new value id, same SKU */
	ctl0("POST", P("/_sandbox/listings/%d/rename", SCARF),
	    "{\"property\":\"Color\",\"from\":\"Red\",\"to\":\"Crimson\"}", 200);
	/* add Purple */
	ctl0("POST", P("/_sandbox/listings/%d/products", SCARF),
	    "{\"variations\":{\"Color\":\"Purple\"},\"sku\":"
	    "\"SCARF-WOOL-PURPLE\",\"quantity\":4,\"price\":45.0}", 200);
	l = state_listing(SCARF);
	p = json_array_get(json_object_get(json_object_get(l, "inventory"),
	    "products"), 0);
	p = json_array_get(json_object_get(p, "property_values"), 0);
	assert_string_equal(json_string_value(json_array_get(json_object_get(p,
	    "values"), 0)), "Crimson");
	assert_true(json_integer_value(json_array_get(json_object_get(p,
	    "value_ids"), 0)) != old_vid);
	assert_int_equal(json_array_size(json_object_get(json_object_get(l,
	    "inventory"), "products")), 4);
	json_decref(l);
	order(P("{\"listing_id\":%d,\"variations\":{\"Color\":\"Purple\"},"
	    "\"quantity\":4}", SCARF), 201);
	order(P("{\"listing_id\":%d,\"variations\":{\"Color\":\"Red\"},"
	    "\"quantity\":1}", SCARF), 404);
	/* the seller cannot zero the whole listing either */
	ctl0("POST", P("/_sandbox/listings/%d/quantity", MUG),
	    "{\"quantity\":0}", 400);
}

/* --- receipts ------------------------------------------------------------ */

static void
test_receipts_filters_paging_sort(void **state)
{
	struct tresp	 r;
	char		 at[128];
	int64_t		 t0, a, b, c;
	json_t		*res;

	(void)state;
	demo();
	login(at, NULL);
	t0 = sandbox_now();
	a = order(P("{\"listing_id\":%d,\"quantity\":1}", MUG), 201);
	advance(100);
	b = order(P("{\"listing_id\":%d,\"quantity\":1}", MUG), 201);
	advance(100);
	c = order(P("{\"listing_id\":%d,\"quantity\":1,\"paid\":false}",
	    GIFT), 201);
	assert_int_equal(api("GET", P("/v3/application/shops/%d/receipts",
	    SHOP), at, NULL, NULL, &r), 200);
	assert_int_equal(jint(r.json, "count"), 3);
	res = json_object_get(r.json, "results");
	/* default: created, descending */
	assert_int_equal(jint(json_array_get(res, 0), "receipt_id"), c);
	assert_int_equal(jint(json_array_get(res, 2), "receipt_id"), a);
	tresp_free(&r);
	assert_int_equal(api("GET", P("/v3/application/shops/%d/receipts?"
	    "sort_on=receipt_id&sort_order=asc&limit=2&offset=1", SHOP), at,
	    NULL, NULL, &r), 200);
	res = json_object_get(r.json, "results");
	assert_int_equal(json_array_size(res), 2);
	assert_int_equal(jint(json_array_get(res, 0), "receipt_id"), b);
	assert_int_equal(jint(json_array_get(res, 1), "receipt_id"), c);
	tresp_free(&r);
	assert_int_equal(api("GET", P("/v3/application/shops/%d/receipts?"
	    "min_created=%lld&max_created=%lld", SHOP, (long long)t0 + 50,
	    (long long)t0 + 150), at, NULL, NULL, &r), 200);
	assert_int_equal(jint(r.json, "count"), 1);
	assert_int_equal(jint(json_array_get(json_object_get(r.json, "results"),
	    0), "receipt_id"), b);
	tresp_free(&r);
	assert_int_equal(api("GET", P("/v3/application/shops/%d/receipts?"
	    "was_paid=false", SHOP), at, NULL, NULL, &r), 200);
	assert_int_equal(jint(r.json, "count"), 1);
	tresp_free(&r);
	/* payment arriving is a modification: it moves update_timestamp */
	advance(10);
	ctl0("POST", P("/_sandbox/receipts/%lld/pay", (long long)c), NULL, 200);
	assert_int_equal(api("GET", P("/v3/application/shops/%d/receipts?"
	    "min_last_modified=%lld", SHOP, (long long)t0 + 205), at, NULL,
	    NULL, &r), 200);
	assert_int_equal(jint(r.json, "count"), 1);
	tresp_free(&r);
	assert_int_equal(api("GET", P("/v3/application/shops/%d/receipts?"
	    "limit=0", SHOP), at, NULL, NULL, &r), 400);
	tresp_free(&r);
	assert_int_equal(api("GET", P("/v3/application/shops/%d/receipts?"
	    "sort_on=price", SHOP), at, NULL, NULL, &r), 400);
	tresp_free(&r);
	assert_int_equal(api("GET", P("/v3/application/shops/%d/receipts?"
	    "was_canceled=maybe", SHOP), at, NULL, NULL, &r), 400);
	tresp_free(&r);
	assert_int_equal(api("GET", P("/v3/application/shops/%d/receipts?"
	    "min_created=12", SHOP), at, NULL, NULL, &r), 400);
	tresp_free(&r);
}

static void
test_cancel_refund_blind_spot(void **state)
{
	struct tresp	 r;
	char		 at[128];
	int64_t		 a, b, t0;
	json_int_t	 upd;

	(void)state;
	demo();
	login(at, NULL);
	a = order(P("{\"listing_id\":%d,\"quantity\":1}", MUG), 201);
	b = order(P("{\"listing_id\":%d,\"quantity\":1}", GIFT), 201);
	assert_int_equal(api("GET", P("/v3/application/shops/%d/receipts/%lld",
	    SHOP, (long long)a), at, NULL, NULL, &r), 200);
	upd = jint(r.json, "update_timestamp");
	tresp_free(&r);
	advance(60);
	t0 = sandbox_now();
	ctl0("POST", P("/_sandbox/receipts/%lld/cancel", (long long)a), "{}",
	    200);
	ctl0("POST", P("/_sandbox/receipts/%lld/refund", (long long)b),
	    "{\"amount\":10.0,\"reason\":\"chipped\"}", 200);
	ctl0("POST", P("/_sandbox/receipts/%lld/refund", (long long)b),
	    "{\"amount\":100.0}", 409);
	assert_int_equal(api("GET", P("/v3/application/shops/%d/receipts/%lld",
	    SHOP, (long long)a), at, NULL, NULL, &r), 200);
	assert_string_equal(jstr(r.json, "status"), "canceled");
	assert_int_equal(jint(r.json, "update_timestamp"), upd);
	assert_int_equal(jint(r.json, "updated_timestamp"), upd);
	tresp_free(&r);
	assert_int_equal(api("GET", P("/v3/application/shops/%d/receipts/%lld",
	    SHOP, (long long)b), at, NULL, NULL, &r), 200);
	assert_string_equal(jstr(r.json, "status"), "partially refunded");
	assert_int_equal(jint(json_object_get(json_array_get(json_object_get(
	    r.json, "refunds"), 0), "amount"), "amount"), 1000);
	assert_int_equal(jint(r.json, "update_timestamp"), upd);
	tresp_free(&r);
	/* the poll by last modification misses both */
	assert_int_equal(api("GET", P("/v3/application/shops/%d/receipts?"
	    "min_last_modified=%lld", SHOP, (long long)t0), at, NULL, NULL, &r),
	    200);
	assert_int_equal(jint(r.json, "count"), 0);
	tresp_free(&r);
	/* ... a was_canceled sweep finds the cancel */
	assert_int_equal(api("GET", P("/v3/application/shops/%d/receipts?"
	    "was_canceled=true", SHOP), at, NULL, NULL, &r), 200);
	assert_int_equal(jint(r.json, "count"), 1);
	assert_int_equal(jint(json_array_get(json_object_get(r.json, "results"),
	    0), "receipt_id"), a);
	tresp_free(&r);
}

static void
test_visibility_delay(void **state)
{
	struct tresp	 r;
	char		 at[128];
	int64_t		 id;

	(void)state;
	demo();
	login(at, NULL);
	ctl0("POST", "/_sandbox/faults", "{\"visibility_delay_s\":30}", 200);
	id = order(P("{\"listing_id\":%d,\"quantity\":1}", MUG), 201);
	assert_int_equal(api("GET", P("/v3/application/shops/%d/receipts",
	    SHOP), at, NULL, NULL, &r), 200);
	assert_int_equal(jint(r.json, "count"), 0);
	tresp_free(&r);
	advance(31);
	assert_int_equal(api("GET", P("/v3/application/shops/%d/receipts",
	    SHOP), at, NULL, NULL, &r), 200);
	assert_int_equal(jint(r.json, "count"), 1);
	assert_int_equal(jint(json_array_get(json_object_get(r.json, "results"),
	    0), "receipt_id"), id);
	tresp_free(&r);
}

/* --- rate limits -------------------------------------------------------- */

/* Wait for the start of a fresh second, so a burst stays inside one. */
static void
second_start(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	if (ts.tv_nsec > 50000000L) {
		ts.tv_sec = 0;
		ts.tv_nsec = 1000000000L - ts.tv_nsec + 5000000L;
		nanosleep(&ts, NULL);
	}
}

static void
test_rate_limit_per_second(void **state)
{
	struct tresp	 r;
	char		 v[32];
	int		 i, got429 = 0, tries;

	(void)state;
	demo();
	ctl0("POST", "/_sandbox/rate-limits", "{\"per_second\":3}", 200);
	for (tries = 0; tries < 3 && !got429; tries++) {
		second_start();
		for (i = 0; i < 4; i++) {
			api("GET", P("/v3/application/listings/batch?"
			    "listing_ids=%d", MUG), NULL, NULL, NULL, &r);
			assert_int_equal(tresp_header(&r, "x-limit-per-second",
			    v, sizeof(v)), 0);
			assert_string_equal(v, "3");
			assert_int_equal(tresp_header(&r, "x-limit-per-day", v,
			    sizeof(v)), 0);
			assert_string_equal(v, "10000");
			assert_int_equal(tresp_header(&r,
			    "x-remaining-this-second", v, sizeof(v)), 0);
			assert_int_equal(tresp_header(&r, "x-remaining-today",
			    v, sizeof(v)), 0);
			if (i < 3 && r.status == 200) {
				assert_int_equal(tresp_header(&r,
				    "x-remaining-this-second", v, sizeof(v)), 0);
				assert_int_equal(v[0] - '0', 2 - i);
			}
			if (i == 3 && r.status == 429) {
				got429 = 1;
				assert_int_equal(tresp_header(&r, "retry-after",
				    v, sizeof(v)), 0);
				assert_non_null(strstr(jstr(r.json, "error"),
				    "QPS"));
			}
			tresp_free(&r);
		}
	}
	assert_true(got429);
}

static void
test_rate_limit_per_day(void **state)
{
	struct tresp	 r;
	char		 v[32];
	int		 i;

	(void)state;
	demo();
	ctl0("POST", "/_sandbox/rate-limits", "{\"per_second\":100,"
	    "\"per_day\":5}", 200);
	for (i = 0; i < 5; i++) {
		assert_int_equal(api("GET", P("/v3/application/listings/batch?"
		    "listing_ids=%d", MUG), NULL, NULL, NULL, &r), 200);
		tresp_free(&r);
		advance(600);
	}
	assert_int_equal(api("GET", P("/v3/application/listings/batch?"
	    "listing_ids=%d", MUG), NULL, NULL, NULL, &r), 429);
	assert_int_equal(tresp_header(&r, "x-remaining-today", v, sizeof(v)),
	    0);
	assert_string_equal(v, "0");
	assert_int_equal(tresp_header(&r, "retry-after", v, sizeof(v)), 0);
	assert_non_null(strstr(jstr(r.json, "error"), "QPD"));
	tresp_free(&r);
	/* rolling window: no midnight reset; the first call frees up 24 h
	 * after it was made (it was 50 minutes ago) */
	advance(12 * 3600);
	assert_int_equal(api("GET", P("/v3/application/listings/batch?"
	    "listing_ids=%d", MUG), NULL, NULL, NULL, &r), 429);
	tresp_free(&r);
	advance(12 * 3600 - 3000 + 120);
	assert_int_equal(api("GET", P("/v3/application/listings/batch?"
	    "listing_ids=%d", MUG), NULL, NULL, NULL, &r), 200);
	tresp_free(&r);
}

/* --- the webhook -------------------------------------------------------- */

struct receiver {
	int		 fd;
	int		 port;
	char		 req[65536];
	size_t		 len;
};

/* strcasestr without _GNU_SOURCE. */
static const char *
ci_find(const char *hay, const char *needle)
{
	size_t	 n = strlen(needle);

	for (; *hay != '\0'; hay++)
		if (strncasecmp(hay, needle, n) == 0)
			return hay;
	return NULL;
}

static void *
receive_one(void *arg)
{
	struct receiver	*rv = arg;
	struct pollfd	 pfd = { rv->fd, POLLIN, 0 };
	int		 c;
	ssize_t		 n;
	char		*body;
	int64_t		 clen = -1;
	static const char ok[] = "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n"
	    "Connection: close\r\n\r\n";

	if (poll(&pfd, 1, 10000) != 1 || (c = accept(rv->fd, NULL, NULL)) < 0)
		return NULL;
	for (;;) {
		pfd.fd = c;
		if (poll(&pfd, 1, 5000) != 1)
			break;
		n = read(c, rv->req + rv->len, sizeof(rv->req) - 1 - rv->len);
		if (n <= 0)
			break;
		rv->len += (size_t)n;
		rv->req[rv->len] = '\0';
		if ((body = strstr(rv->req, "\r\n\r\n")) == NULL)
			continue;
		if (clen == -1) {
			const char *cl = ci_find(rv->req, "\r\nContent-Length:");

			clen = 0;
			if (cl != NULL)
				clen = strtoll(cl + 17, NULL, 10);
		}
		if ((int64_t)(rv->len - (size_t)(body + 4 - rv->req)) >= clen)
			break;
	}
	n = write(c, ok, sizeof(ok) - 1);
	(void)n;	/* a failed write shows as a failed delivery */
	close(c);
	return NULL;
}

static void
receiver_open(struct receiver *rv)
{
	struct sockaddr_in	 sa;
	socklen_t		 sl = sizeof(sa);

	memset(rv, 0, sizeof(*rv));
	rv->fd = socket(AF_INET, SOCK_STREAM, 0);
	assert_true(rv->fd >= 0);
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(bind(rv->fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	assert_int_equal(listen(rv->fd, 4), 0);
	assert_int_equal(getsockname(rv->fd, (struct sockaddr *)&sa, &sl), 0);
	rv->port = ntohs(sa.sin_port);
}

/* A request header's value from the raw request. */
static int
hdr(const char *req, const char *name, char *out, size_t outsz)
{
	char		 pat[64];
	const char	*p, *e;

	(void)str_fmt(pat, sizeof(pat), "\r\n%s:", name);
	if ((p = ci_find(req, pat)) == NULL)
		return -1;
	p += strlen(pat);
	while (*p == ' ')
		p++;
	if ((e = strstr(p, "\r\n")) == NULL || (size_t)(e - p) >= outsz)
		return -1;
	memcpy(out, p, (size_t)(e - p));
	out[e - p] = '\0';
	return 0;
}

/* Standard Webhooks, computed here independently of the emulator. */
static void
expected_sig(const char *secret, const char *id, const char *ts,
    const char *body, char *out, size_t outsz)
{
	unsigned char	 key[64], mac[EVP_MAX_MD_SIZE];
	unsigned int	 ml = 0;
	int		 kl;
	char		 b64[128], *msg;
	size_t		 sl = strlen(secret + 6), mlen;

	kl = EVP_DecodeBlock(key, (const unsigned char *)secret + 6, (int)sl);
	assert_true(kl > 0);
	while (sl > 0 && secret[6 + sl - 1] == '=') {
		kl--;
		sl--;
	}
	mlen = strlen(id) + strlen(ts) + strlen(body) + 3;
	msg = malloc(mlen);
	assert_non_null(msg);
	snprintf(msg, mlen, "%s.%s.%s", id, ts, body);
	assert_non_null(HMAC(EVP_sha256(), key, kl, (unsigned char *)msg,
	    strlen(msg), mac, &ml));
	free(msg);
	EVP_EncodeBlock((unsigned char *)b64, mac, (int)ml);
	snprintf(out, outsz, "v1,%s", b64);
}

#define SECRET "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"

static void
test_webhook_order_paid(void **state)
{
	struct receiver	 rv;
	pthread_t	 th;
	char		 id[128], ts[64], sig[256], want[256], url[128];
	const char	*body;
	json_t		*j, *d;
	int64_t		 rid;

	(void)state;
	demo();
	receiver_open(&rv);
	assert_int_equal(pthread_create(&th, NULL, receive_one, &rv), 0);
	ctl0("POST", "/_sandbox/webhook", P("{\"url\":\"http://127.0.0.1:%d/"
	    "etsy\",\"secret\":\"" SECRET "\"}", rv.port), 200);
	rid = order(P("{\"listing_id\":%d,\"quantity\":1}", MUG), 201);
	pthread_join(th, NULL);
	close(rv.fd);
	assert_true(rv.len > 0);
	assert_int_equal(strncmp(rv.req, "POST /etsy ", 11), 0);
	assert_int_equal(hdr(rv.req, "webhook-id", id, sizeof(id)), 0);
	assert_int_equal(hdr(rv.req, "webhook-timestamp", ts, sizeof(ts)), 0);
	assert_int_equal(hdr(rv.req, "webhook-signature", sig, sizeof(sig)),
	    0);
	body = strstr(rv.req, "\r\n\r\n") + 4;
	expected_sig(SECRET, id, ts, body, want, sizeof(want));
	assert_string_equal(sig, want);
	j = json_loads(body, 0, NULL);
	assert_non_null(j);
	assert_string_equal(jstr(j, "event_type"), "order.paid");
	assert_int_equal(jint(j, "shop_id"), SHOP);
	(void)str_fmt(url, sizeof(url), "/v3/application/shops/%d/receipts/"
	    "%lld", SHOP, (long long)rid);
	assert_non_null(strstr(jstr(j, "resource_url"), url));
	json_decref(j);
	/* the frame's log agrees */
	j = ctl("GET", "/_sandbox/webhooks", NULL, 200);
	d = json_array_get(json_object_get(j, "deliveries"), 0);
	assert_string_equal(jstr(d, "state"), "delivered");
	json_decref(j);
}

static void
test_webhook_off_by_default_and_faults(void **state)
{
	json_t	*j, *ds;

	(void)state;
	demo();
	order(P("{\"listing_id\":%d,\"quantity\":1}", MUG), 201);
	j = ctl("GET", "/_sandbox/webhooks", NULL, 200);
	assert_int_equal(json_array_size(json_object_get(j, "deliveries")), 0);
	json_decref(j);
	/* duplicates carry the same webhook-id; dropped ones are never sent;
	 * both held so nothing is attempted before we look */
	ctl0("POST", "/_sandbox/webhook", "{\"url\":\"http://127.0.0.1:9/x\","
	    "\"secret\":\"" SECRET "\"}", 200);
	ctl0("POST", "/_sandbox/faults", "{\"webhooks\":{\"duplicate_rate\":1,"
	    "\"hold\":true}}", 200);
	order(P("{\"listing_id\":%d,\"quantity\":1}", MUG), 201);
	ctl0("POST", "/_sandbox/faults", "{\"webhooks\":{\"drop_rate\":1,"
	    "\"hold\":true}}", 200);
	order(P("{\"listing_id\":%d,\"quantity\":1}", GIFT), 201);
	j = ctl("GET", "/_sandbox/webhooks", NULL, 200);
	ds = json_object_get(j, "deliveries");
	assert_int_equal(json_array_size(ds), 3);
	assert_string_equal(jstr(json_object_get(json_array_get(ds, 0),
	    "headers"), "webhook-id"), jstr(json_object_get(json_array_get(ds,
	    1), "headers"), "webhook-id"));
	assert_string_equal(jstr(json_array_get(ds, 2), "state"), "dropped");
	json_decref(j);
}

/* --- faults as the client sees them -------------------------------------- */

static void
fault(const char *rule)
{
	ctl0("POST", "/_sandbox/faults", P("{\"rules\":[%s]}", rule), 200);
}

static void
test_fault_5xx_and_429(void **state)
{
	struct tresp	 r;
	char		 v[16];

	(void)state;
	demo();
	fault("{\"kind\":\"5xx\",\"status\":503,\"times\":1}");
	assert_int_equal(api("GET", P("/v3/application/listings/batch?"
	    "listing_ids=%d", MUG), NULL, NULL, NULL, &r), 503);
	assert_non_null(json_object_get(r.json, "error"));
	tresp_free(&r);
	assert_int_equal(api("GET", P("/v3/application/listings/batch?"
	    "listing_ids=%d", MUG), NULL, NULL, NULL, &r), 200);
	tresp_free(&r);
	fault("{\"kind\":\"429\",\"retry_after\":7,\"times\":1}");
	assert_int_equal(api("GET", P("/v3/application/listings/batch?"
	    "listing_ids=%d", MUG), NULL, NULL, NULL, &r), 429);
	assert_int_equal(tresp_header(&r, "retry-after", v, sizeof(v)), 0);
	assert_string_equal(v, "7");
	tresp_free(&r);
}

static void
test_fault_hang_and_slow(void **state)
{
	struct tresp	 r;
	const char	*h[] = { APIKEY, NULL };
	char		 url[512];
	struct timespec	 a, b;
	long		 ms;

	(void)state;
	demo();
	fault("{\"kind\":\"hang\",\"delay_ms\":1500,\"times\":1}");
	(void)str_fmt(url, sizeof(url), "%s/v3/application/listings/batch?"
	    "listing_ids=%d", tenv(ENV), MUG);
	assert_int_equal(treq("GET", url, h, NULL, 300, &r), -1);
	assert_int_equal(r.status, 0);
	tresp_free(&r);
	fault("{\"kind\":\"slow\",\"delay_ms\":400,\"times\":1}");
	clock_gettime(CLOCK_MONOTONIC, &a);
	assert_int_equal(treq("GET", url, h, NULL, 5000, &r), 0);
	clock_gettime(CLOCK_MONOTONIC, &b);
	assert_int_equal(r.status, 200);
	ms = (long)(b.tv_sec - a.tv_sec) * 1000 + (b.tv_nsec - a.tv_nsec) /
	    1000000;
	assert_true(ms >= 350);
	tresp_free(&r);
}

static void
test_fault_reset_truncate_malformed(void **state)
{
	struct tresp	 r;

	(void)state;
	demo();
	fault("{\"kind\":\"reset\",\"times\":1}");
	assert_int_equal(api("GET", P("/v3/application/listings/batch?"
	    "listing_ids=%d", MUG), NULL, NULL, NULL, &r), 0);
	assert_int_not_equal(r.curl_code, 0);
	tresp_free(&r);
	fault("{\"kind\":\"truncate\",\"times\":1}");
	api("GET", P("/v3/application/listings/batch?listing_ids=%d", MUG),
	    NULL, NULL, NULL, &r);
	assert_true(r.curl_code != 0 || r.json == NULL);
	tresp_free(&r);
	fault("{\"kind\":\"malformed\",\"times\":1}");
	assert_int_equal(api("GET", P("/v3/application/listings/batch?"
	    "listing_ids=%d", MUG), NULL, NULL, NULL, &r), 200);
	assert_int_equal(r.curl_code, 0);
	assert_null(r.json);
	tresp_free(&r);
}

/* The statuses of n calls under a 50 % 5xx fault with the given seed. */
static void
fault_run(int seed, long *out, size_t n)
{
	struct tresp	 r;
	size_t		 i;

	demo();
	ctl0("POST", "/_sandbox/faults", P("{\"seed\":%d,\"rules\":[{\"kind\":"
	    "\"5xx\",\"rate\":0.5}]}", seed), 200);
	for (i = 0; i < n; i++) {
		out[i] = api("GET", P("/v3/application/listings/batch?"
		    "listing_ids=%d", MUG), NULL, NULL, NULL, &r);
		tresp_free(&r);
	}
}

static void
test_fault_determinism(void **state)
{
	long	 a[16], b[16], c[16];
	size_t	 i, fails = 0;

	(void)state;
	fault_run(42, a, 16);
	fault_run(42, b, 16);
	fault_run(43, c, 16);
	for (i = 0; i < 16; i++) {
		assert_int_equal(a[i], b[i]);
		fails += a[i] == 500;
	}
	assert_true(fails > 0 && fails < 16);
	assert_memory_not_equal(a, c, sizeof(a));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_api_key),
		cmocka_unit_test(test_pkce_happy_path),
		cmocka_unit_test(test_pkce_wrong_verifier),
		cmocka_unit_test(test_pkce_plain_refused),
		cmocka_unit_test(test_consent_page),
		cmocka_unit_test(test_refresh_rotation),
		cmocka_unit_test(test_token_expiry),
		cmocka_unit_test(test_revocation),
		cmocka_unit_test(test_bearer_required),
		cmocka_unit_test(test_listings_filter_and_paging),
		cmocka_unit_test(test_listings_batch),
		cmocka_unit_test(test_listing_state_change),
		cmocka_unit_test(test_sold_out_and_renewal),
		cmocka_unit_test(test_inventory_put_replaces),
		cmocka_unit_test(test_inventory_refusals),
		cmocka_unit_test(test_inventory_readiness),
		cmocka_unit_test(test_inventory_batch),
		cmocka_unit_test(test_order_refused_when_not_shown),
		cmocka_unit_test(test_order_transactions),
		cmocka_unit_test(test_seller_edit_and_drift),
		cmocka_unit_test(test_receipts_filters_paging_sort),
		cmocka_unit_test(test_cancel_refund_blind_spot),
		cmocka_unit_test(test_visibility_delay),
		cmocka_unit_test(test_rate_limit_per_second),
		cmocka_unit_test(test_rate_limit_per_day),
		cmocka_unit_test(test_webhook_order_paid),
		cmocka_unit_test(test_webhook_off_by_default_and_faults),
		cmocka_unit_test(test_fault_5xx_and_429),
		cmocka_unit_test(test_fault_hang_and_slow),
		cmocka_unit_test(test_fault_reset_truncate_malformed),
		cmocka_unit_test(test_fault_determinism),
	};

	tenv(ENV);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
