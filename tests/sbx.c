/*
 * sbx: sandbox helpers for the end-to-end tests (see sbx.h).
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

#include <cmocka.h>
#include <jansson.h>
#include <openssl/evp.h>
#include <openssl/sha.h>

#include "channel.h"
#include "err.h"
#include "httpc.h"	/* tests/httpc.h: this file's directory first */
#include "push.h"
#include "sbx.h"
#include "shopify.h"
#include "str.h"

#define ETSY_KEY	"hube2ekeystring1"
#define ETSY_SECRET	"hube2esharedsec1"
#define ETSY_REDIRECT	"https%%3A%%2F%%2Fhub.example%%2Fetsy%%2Fcallback" /* in formats */
#define ETSY_VERIFIER	"stockhub-sbx-verifier-0123456789-abcdefghij-ABCDEFGHIJ"

json_t *
sbx_call(const char *env, const char *method, const char *path,
    const char *body, long *status)
{
	static const char *const h[] = { "Content-Type: application/json",
	    NULL };
	struct tresp	 r;
	json_t		*j;

	if (treq_env(env, method, path, body != NULL ? h : NULL, body,
	    &r) == -1) {
		tresp_free(&r);
		fail_msg("%s %s: no answer", method, path);
	}
	*status = r.status;
	j = r.json;
	r.json = NULL;
	tresp_free(&r);
	return j;
}

json_t *
sbx_ok(const char *env, const char *method, const char *path,
    const char *body)
{
	json_t	*j;
	char	*s, msg[300];
	long	 st;

	j = sbx_call(env, method, path, body, &st);
	if (st < 200 || st > 299) {
		s = j != NULL ? json_dumps(j, JSON_COMPACT) : NULL;
		(void)str_copy(msg, sizeof(msg), s != NULL ? s : "");
		free(s);
		json_decref(j);
		fail_msg("%s %s: HTTP %ld %s", method, path, st, msg);
	}
	return j;
}

int64_t
sbx_find_int(const json_t *v, const char *key)
{
	const char	*k;
	json_t		*x;
	size_t		 i;
	int64_t		 r;

	if (json_is_object(v)) {
		x = json_object_get(v, key);
		if (json_is_integer(x))
			return (int64_t)json_integer_value(x);
		if (json_is_string(x) && str_to_i64(json_string_value(x), 1,
		    INT64_MAX, &r) == 0)
			return r;
		json_object_foreach((json_t *)v, k, x)
			if ((r = sbx_find_int(x, key)) != 0)
				return r;
	} else if (json_is_array(v))
		for (i = 0; i < json_array_size(v); i++)
			if ((r = sbx_find_int(json_array_get(v, i), key)) != 0)
				return r;
	return 0;
}

int64_t
sbx_requests(const char *env, const char *method, const char *path)
{
	json_t		*j = sbx_ok(env, "GET", "/_sandbox/requests", NULL), *q;
	const char	*m, *p;
	size_t		 i;
	int64_t		 n = 0;

	json_array_foreach(json_object_get(j, "requests"), i, q) {
		m = json_string_value(json_object_get(q, "method"));
		p = json_string_value(json_object_get(q, "path"));
		if (m != NULL && p != NULL && strcmp(m, method) == 0 &&
		    strcmp(p, path) == 0)
			n++;
	}
	json_decref(j);
	return n;
}

int64_t
sbx_route_count(const char *env, const char *method_route)
{
	json_t	*j = sbx_ok(env, "GET", "/_sandbox/requests", NULL);
	int64_t	 n;

	n = (int64_t)json_integer_value(json_object_get(json_object_get(j,
	    "counts"), method_route));
	json_decref(j);
	return n;
}

/* --- Etsy ----------------------------------------------------------------- */

/* base64url(SHA-256(verifier)) without padding (RFC 7636 S256). */
static void
pkce_challenge(const char *verifier, char *out, size_t outsz)
{
	unsigned char	 md[SHA256_DIGEST_LENGTH], b64[64];
	size_t		 i, n;

	SHA256((const unsigned char *)verifier, strlen(verifier), md);
	n = (size_t)EVP_EncodeBlock(b64, md, sizeof(md));
	while (n > 0 && b64[n - 1] == '=')
		n--;
	assert_true(n < outsz);
	for (i = 0; i < n; i++)
		out[i] = b64[i] == '+' ? '-' : b64[i] == '/' ? '_' :
		    (char)b64[i];
	out[n] = '\0';
}

/* The authorization code + PKCE flow, auto-approved; the token answer. */
static json_t *
etsy_tokens(void)
{
	static const char *const form[] = {
	    "Content-Type: application/x-www-form-urlencoded", NULL };
	char		 challenge[64], path[1024], loc[1024], body[1024];
	char		 code[256];
	const char	*c;
	size_t		 n;
	struct tresp	 r;
	json_t		*j;

	pkce_challenge(ETSY_VERIFIER, challenge, sizeof(challenge));
	(void)str_fmt(path, sizeof(path), "/oauth/connect?response_type=code&"
	    "client_id=" ETSY_KEY "&redirect_uri=" ETSY_REDIRECT "&scope="
	    "listings_r%%20listings_w%%20shops_r%%20transactions_r&state=sbx1&"
	    "code_challenge=%s&code_challenge_method=S256", challenge);
	if (treq_env(SBX_ETSY, "GET", path, NULL, NULL, &r) == -1 ||
	    r.status < 300 || r.status > 399 ||
	    tresp_header(&r, "location", loc, sizeof(loc)) != 0) {
		tresp_free(&r);
		fail_msg("etsy connect: HTTP %ld", r.status);
	}
	tresp_free(&r);
	if ((c = strstr(loc, "code=")) == NULL)
		fail_msg("etsy connect: no code in %s", loc);
	c += 5;
	n = strcspn(c, "&");
	assert_true(n < sizeof(code));
	memcpy(code, c, n);
	code[n] = '\0';
	(void)str_fmt(body, sizeof(body), "grant_type=authorization_code&"
	    "client_id=" ETSY_KEY "&redirect_uri=" ETSY_REDIRECT "&code=%s&"
	    "code_verifier=" ETSY_VERIFIER, code);
	if (treq_env(SBX_ETSY, "POST", "/v3/public/oauth/token", form, body,
	    &r) == -1 || r.status != 200 || r.json == NULL) {
		tresp_free(&r);
		fail_msg("etsy token: HTTP %ld", r.status);
	}
	j = r.json;
	r.json = NULL;
	tresp_free(&r);
	return j;
}

void
sbx_etsy_connect(struct db *db, const struct config *cfg, const char *name,
    int64_t shop_id, int64_t user_id, int64_t *acct_id)
{
	struct err	 e;
	char		 b[256], shop[32];
	json_t		*tok, *creds;

	json_decref(sbx_ok(SBX_ETSY, "POST", "/_sandbox/credentials",
	    "{\"keystring\":\"" ETSY_KEY "\",\"shared_secret\":\""
	    ETSY_SECRET "\"}"));
	json_decref(sbx_ok(SBX_ETSY, "POST", "/_sandbox/rate-limits",
	    "{\"per_second\":1000,\"per_day\":1000000}"));
	(void)str_fmt(b, sizeof(b), "{\"shop_id\":%" PRId64 ",\"user_id\":%"
	    PRId64 ",\"shop_name\":\"%s\"}", shop_id, user_id, name);
	json_decref(sbx_ok(SBX_ETSY, "POST", "/_sandbox/shops", b));
	(void)str_fmt(b, sizeof(b), "{\"auto_approve\":true,\"user_id\":%"
	    PRId64 "}", user_id);
	json_decref(sbx_ok(SBX_ETSY, "POST", "/_sandbox/oauth", b));
	tok = etsy_tokens();
	creds = json_pack("{s:s, s:s, s:O, s:O, s:I, s:I}",
	    "keystring", ETSY_KEY, "shared_secret", ETSY_SECRET,
	    "access_token", json_object_get(tok, "access_token"),
	    "refresh_token", json_object_get(tok, "refresh_token"),
	    "access_expires_at", (json_int_t)time(NULL) + 3600,
	    "shop_id", (json_int_t)shop_id);
	json_decref(tok);
	assert_non_null(creds);
	(void)str_fmt(shop, sizeof(shop), "%" PRId64, shop_id);
	if (channel_account_create(db, cfg, CHANNEL_ETSY, name,
	    tenv(SBX_ETSY), shop, creds, NULL, 0, acct_id, &e) == -1) {
		json_decref(creds);
		fail_msg("etsy account: %s", e.msg);
	}
	json_decref(creds);
}

json_t *
sbx_etsy_tokens(int64_t user_id)
{
	char	 b[128];

	(void)str_fmt(b, sizeof(b), "{\"auto_approve\":true,\"user_id\":%"
	    PRId64 "}", user_id);
	json_decref(sbx_ok(SBX_ETSY, "POST", "/_sandbox/oauth", b));
	return etsy_tokens();
}

int64_t
sbx_etsy_listing(int64_t shop_id, const char *title, const char *sku,
    int64_t qty)
{
	char	 b[512];
	json_t	*j;
	int64_t	 id;

	(void)str_fmt(b, sizeof(b), "{\"shop_id\":%" PRId64 ",\"title\":"
	    "\"%s\",\"products\":[{\"sku\":\"%s\",\"quantity\":%" PRId64
	    ",\"price\":28.00}]}", shop_id, title, sku, qty);
	j = sbx_ok(SBX_ETSY, "POST", "/_sandbox/listings", b);
	id = sbx_find_int(j, "listing_id");
	json_decref(j);
	assert_true(id > 0);
	return id;
}

int64_t
sbx_etsy_shown(int64_t listing_id, const char *sku)
{
	json_t		*st = sbx_ok(SBX_ETSY, "GET", "/_sandbox/state", NULL);
	json_t		*l, *p, *of;
	const char	*state, *s;
	size_t		 i, k;
	int64_t		 shown = -1;

	json_array_foreach(json_object_get(st, "listings"), i, l) {
		if (json_integer_value(json_object_get(l, "listing_id")) !=
		    listing_id)
			continue;
		state = json_string_value(json_object_get(l, "state"));
		json_array_foreach(json_object_get(json_object_get(l,
		    "inventory"), "products"), k, p) {
			s = json_string_value(json_object_get(p, "sku"));
			if (s == NULL || strcmp(s, sku) != 0)
				continue;
			of = json_array_get(json_object_get(p, "offerings"), 0);
			shown = state != NULL && strcmp(state, "active") == 0 &&
			    json_is_true(json_object_get(of, "is_enabled")) ?
			    (int64_t)json_integer_value(json_object_get(of,
			    "quantity")) : 0;
		}
	}
	json_decref(st);
	return shown;
}

long
sbx_etsy_order(int64_t listing_id, const char *sku, int64_t qty)
{
	char	 b[256];
	long	 st;

	(void)str_fmt(b, sizeof(b), "{\"listing_id\":%" PRId64 ",\"sku\":"
	    "\"%s\",\"quantity\":%" PRId64 "}", listing_id, sku, qty);
	json_decref(sbx_call(SBX_ETSY, "POST", "/_sandbox/orders", b, &st));
	return st;
}

/* --- Shopify ---------------------------------------------------------- */

void
sbx_shopify_shop(struct db *db, const struct config *cfg,
    const char *domain, const char *secret, const char *hook_url,
    int64_t *acct_id)
{
	struct channel_account	 a;
	struct err		 e;
	char			 b[512];
	json_t			*creds;
	int			 t;

	json_decref(sbx_ok(SBX_SHOPIFY, "POST", "/_sandbox/reset", ""));
	(void)str_fmt(b, sizeof(b), "{\"shop_domain\":\"%s\","
	    "\"client_secret\":\"%s\",\"throttle\":{\"maximum_available\":"
	    "100000,\"restore_rate\":10000}}", domain, secret);
	json_decref(sbx_ok(SBX_SHOPIFY, "POST", "/_sandbox/config", b));
	creds = json_pack("{s:s, s:s}", "access_token", SBX_SHOPIFY_TOKEN,
	    "webhook_secret", secret);
	assert_non_null(creds);
	if (channel_account_create(db, cfg, CHANNEL_SHOPIFY, domain,
	    tenv(SBX_SHOPIFY), domain, creds, NULL, 0, acct_id, &e) == -1) {
		json_decref(creds);
		fail_msg("shopify account: %s", e.msg);
	}
	json_decref(creds);
	if (channel_account_load(db, cfg, *acct_id, &a, &e) == -1)
		fail_msg("shopify account: %s", e.msg);
	for (t = 0; t < SHOPIFY_TOPIC__MAX; t++)
		if (shopify_webhook_subscribe(&a, (enum shopify_topic)t,
		    hook_url, NULL, 0, &e) == -1) {
			channel_account_free(&a);
			fail_msg("subscribe: %s", e.msg);
		}
	channel_account_free(&a);
}

void
sbx_shopify_variant(const char *sku, int64_t available, int64_t *variant_id,
    int64_t *item_id)
{
	char	 b[512];
	json_t	*j, *v;

	(void)str_fmt(b, sizeof(b), "{\"title\":\"%s\",\"variants\":[{\"sku\":"
	    "\"%s\",\"price\":\"28.00\",\"available\":%" PRId64 "}]}", sku,
	    sku, available);
	j = sbx_ok(SBX_SHOPIFY, "POST", "/_sandbox/products", b);
	v = json_array_get(json_object_get(j, "variants"), 0);
	*variant_id = (int64_t)json_integer_value(json_object_get(v, "id"));
	*item_id = (int64_t)json_integer_value(json_object_get(v,
	    "inventory_item_id"));
	json_decref(j);
	assert_true(*variant_id > 0 && *item_id > 0);
}

int64_t
sbx_shopify_shown(const char *sku)
{
	json_t		*st = sbx_ok(SBX_SHOPIFY, "GET", "/_sandbox/state", NULL);
	json_t		*l;
	const char	*s;
	size_t		 i;
	int64_t		 a = -999;

	json_array_foreach(json_object_get(st, "levels"), i, l) {
		s = json_string_value(json_object_get(l, "sku"));
		if (s != NULL && strcmp(s, sku) == 0)
			a = (int64_t)json_integer_value(json_object_get(l,
			    "available"));
	}
	json_decref(st);
	return a;
}

int64_t
sbx_shopify_order(const char *sku, int64_t qty)
{
	char	 b[256];
	json_t	*o;
	int64_t	 id;

	(void)str_fmt(b, sizeof(b), "{\"line_items\":[{\"sku\":\"%s\","
	    "\"quantity\":%" PRId64 "}]}", sku, qty);
	o = sbx_ok(SBX_SHOPIFY, "POST", "/_sandbox/orders", b);
	id = (int64_t)json_integer_value(json_object_get(o, "id"));
	json_decref(o);
	assert_true(id > 0);
	return id;
}

int64_t
sbx_map_shopify(struct db *db, int64_t acct, const char *sku, int64_t shows,
    int64_t *item_id)
{
	struct err	 e;
	char		 vid[32], iid[32];
	int64_t		 v, it, id;

	sbx_shopify_variant(sku, shows, &v, &it);
	(void)str_fmt(vid, sizeof(vid), "%" PRId64, v);
	(void)str_fmt(iid, sizeof(iid), "%" PRId64, it);
	if (channel_listing_map(db, acct, sku, vid, iid, "1", sku, &id,
	    &e) == -1 || push_queue_listing(db, id, &e) == -1)
		fail_msg("map %s on Shopify: %s", sku, e.msg);
	if (item_id != NULL)
		*item_id = it;
	return id;
}

int64_t
sbx_map_etsy(struct db *db, int64_t acct, int64_t shop_id, const char *sku,
    int64_t shows, int64_t *etsy_listing)
{
	struct err	 e;
	char		 ext[32];
	int64_t		 id;

	*etsy_listing = sbx_etsy_listing(shop_id, "Handmade ceramic mug", sku,
	    shows);
	(void)str_fmt(ext, sizeof(ext), "%" PRId64, *etsy_listing);
	if (channel_listing_map(db, acct, sku, ext, "", "", sku, &id,
	    &e) == -1 || push_queue_listing(db, id, &e) == -1)
		fail_msg("map %s on Etsy: %s", sku, e.msg);
	return id;
}
