/*
 * sandbox-etsy: a local emulator of the Etsy Open API v3, for developing,
 * testing and demonstrating stockhub without a live shop. Written from
 * ../shared/reference/channel-apis.md (section 1 and 5.2) and Etsy's own
 * OpenAPI document (../shared/specs/etsy/etsy-openapi-v3.json), not from
 * the hub's adapter, so a mistake in one shows up against the other.
 *
 * Emulated (state in memory, deterministic, cleared by /_sandbox/reset):
 *  - x-api-key "keystring:shared_secret" on every /v3/application call
 *    (403 with Etsy's error body otherwise);
 *  - OAuth 2.0 authorization code + PKCE (S256 only): GET /oauth/connect
 *    (a consent page labelled SANDBOX, or an immediate redirect when the
 *    control switch auto_approve is on), POST /v3/public/oauth/token with
 *    authorization_code and refresh_token grants, rotating refresh tokens,
 *    1 h access tokens and 90 day refresh tokens on the sandbox clock,
 *    revocation (then invalid_grant), scopes checked per endpoint;
 *  - GET users/me; getListingsByShop, getListing, getListingsByListingIds,
 *    updateListing (state only; price and quantity are refused there since
 *    2022, channel-apis.md 1.5); getListingInventory, updateListingInventory
 *    (whole-document replace, new product/offering ids on every write,
 *    0..999, the all-zero refusal, *_on_property checks, readiness_state_id),
 *    getListingsInventoryByListingIds; getShopReceipts and getShopReceipt
 *    with the filters, paging and sorting of the spec;
 *  - QPS and rolling 24 h QPD limits per API key with Etsy's headers;
 *  - the ORDER_PAID webhook (Standard Webhooks signing), off by default.
 *
 * Not emulated: images, shipping/return policies, shop sections,
 * translations, personalization, payments and ledger entries, shipments,
 * listing creation through the API (createDraftListing: listings are made
 * through the control API), deleted products (show_deleted is accepted but
 * a PUT forgets the products it drops), currencies other than the shop's.
 *
 * Control API (besides the frame's, see emu.h), JSON bodies:
 *   POST   /_sandbox/demo               the demo catalog (SANDBOX Ceramics)
 *   POST   /_sandbox/credentials        {"keystring","shared_secret"}
 *   POST   /_sandbox/oauth              {"auto_approve":bool,"user_id":N}
 *   POST   /_sandbox/oauth/revoke       {"user_id":N}
 *   POST   /_sandbox/rate-limits        {"per_second":N,"per_day":N}
 *   POST   /_sandbox/webhook            {"url","secret":"whsec_..."}
 *   DELETE /_sandbox/webhook            off again
 *   POST   /_sandbox/shops              {"shop_id"?,"user_id"?,"shop_name",
 *                                        "processing_profiles"?:bool}
 *   POST   /_sandbox/listings           {"shop_id","title","state"?,
 *                                        "products":[{"sku","quantity",
 *                                        "price","variations":{"Color":
 *                                        "Red"},"readiness_state_id"?}]}
 *   POST   /_sandbox/listings/{}/quantity  seller's own edit on Etsy:
 *                                        {"sku"|"variations","quantity"}
 *   POST   /_sandbox/listings/{}/products  add a variation value (drift):
 *                                        {"variations","sku","quantity",
 *                                        "price"}
 *   POST   /_sandbox/listings/{}/rename {"property","from","to"} (drift)
 *   POST   /_sandbox/orders             a buyer's order: {"listing_id",
 *                                        "sku"|"variations","quantity",
 *                                        "paid"?} or {"items":[...]}
 *   POST   /_sandbox/receipts/{}/pay    payment arrives (webhook fires)
 *   POST   /_sandbox/receipts/{}/cancel {"restock"?:bool}
 *   POST   /_sandbox/receipts/{}/refund {"amount":12.5,"reason"?,
 *                                        "restock"?:bool}
 *   GET    /_sandbox/state              everything, with every order ever
 *                                        placed and renewals per listing
 */
#include <ctype.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <jansson.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/sha.h>

#include "buf.h"
#include "emu.h"
#include "form.h"
#include "html.h"
#include "http.h"
#include "str.h"

#define SHOPS_MAX	64
#define PV_MAX		2	/* variation properties per product today */
#define PRODUCTS_MAX	400	/* per listing */
#define SKU_LEN		32	/* Etsy's SKU limit */
#define TITLE_LEN	140
#define BATCH_MAX	100
#define QTY_MAX		999
#define PRICE_MIN	20		/* cents: Etsy's $0.20 floor */
#define PRICE_MAX	5000000		/* cents */
#define ACCESS_TTL	3600
#define REFRESH_TTL	(90 * 86400)
#define CODE_TTL	300
#define RL_KEYS		8
#define RL_BUCKET_S	60
#define RL_BUCKETS	(86400 / RL_BUCKET_S)
#define CURRENCY	"USD"

/* --- state --------------------------------------------------------------- */

struct pval {
	int64_t	 property_id;
	char	 property_name[48];
	int64_t	 scale_id;		/* 0: null */
	int64_t	 value_id;
	char	 value[64];
};

struct product {
	int64_t		 product_id;
	int64_t		 offering_id;
	char		 sku[SKU_LEN + 1];
	struct pval	 pv[PV_MAX];
	size_t		 npv;
	int64_t		 quantity;
	int		 enabled;
	int64_t		 price;		/* cents */
	int64_t		 readiness;	/* 0: null */
};

/* the property ids a field varies on */
struct propset {
	int64_t	 id[PV_MAX];
	size_t	 n;
};

enum onprop { ON_PRICE, ON_QTY, ON_SKU, ON_READY, ON__MAX };

static const char *const onprop_names[ON__MAX] = {
	"price_on_property", "quantity_on_property", "sku_on_property",
	"readiness_state_on_property"
};

struct listing {
	int64_t		 listing_id;
	int64_t		 shop_id;
	int64_t		 user_id;
	char		 title[TITLE_LEN + 1];
	char		 description[256];
	char		 state[12];
	int64_t		 created, updated, state_ts;
	int64_t		 renewals;	/* paid renewals (fee on Etsy) */
	struct product	*products;
	size_t		 nproducts;
	struct propset	 on[ON__MAX];
};

struct shop {
	int64_t	 shop_id;
	int64_t	 user_id;
	char	 name[64];
	int	 processing_profiles;	/* readiness_state_id required */
};

struct txn {
	int64_t		 transaction_id;
	int64_t		 listing_id;
	int64_t		 product_id;
	char		 sku[SKU_LEN + 1];
	char		 title[TITLE_LEN + 1];
	int64_t		 quantity;
	int64_t		 price;		/* per unit, cents */
	struct pval	 pv[PV_MAX];
	size_t		 npv;
};

struct refund {
	int64_t	 amount;
	int64_t	 created;
	char	 reason[128];
};

struct receipt {
	int64_t		 receipt_id;
	int64_t		 shop_id;
	int64_t		 seller_user_id;
	int64_t		 buyer_user_id;
	int		 paid, canceled;
	int64_t		 created, updated, paid_at, visible_at;
	int64_t		 total;		/* cents */
	struct txn	*txns;
	size_t		 ntxns;
	struct refund	*refunds;
	size_t		 nrefunds;
};

struct token {
	char	 access[96];
	char	 refresh[96];
	int64_t	 user_id;
	int64_t	 access_exp, refresh_exp;
	int	 access_live, refresh_live;
	char	 scope[256];
};

struct code {
	char	 code[64];
	char	 redirect_uri[512];
	char	 challenge[128];
	char	 scope[256];
	int64_t	 user_id;
	int64_t	 exp;
	int	 used;
};

struct ratekey {
	char	 key[128];
	int64_t	 sec, sec_count;
	int64_t	 bucket_at[RL_BUCKETS];	/* bucket number held */
	int64_t	 bucket_n[RL_BUCKETS];
	int64_t	 used;			/* for eviction */
};

static struct {
	struct shop	 shops[SHOPS_MAX];
	size_t		 nshops;
	struct listing	**listings;
	size_t		 nlistings, caplistings;
	struct receipt	**receipts;
	size_t		 nreceipts, capreceipts;
	struct token	*tokens;
	size_t		 ntokens, captokens;
	struct code	*codes;
	size_t		 ncodes, capcodes;
	int64_t		 next_listing, next_product, next_offering,
			 next_value, next_receipt, next_txn, next_hook;
	char		 keystring[64];
	char		 secret[64];
	int		 auto_approve;
	int64_t		 approve_user;
	int64_t		 qps, qpd;
	struct ratekey	*rl;		/* RL_KEYS of them */
	int64_t		 rl_tick;
	char		 hook_url[512];
	char		 hook_secret[128];
} S;

/* The rate-limit headers of the API request being answered. */
static struct {
	char			 vals[5][32];
	struct http_header	 h[6];
} RLH;

/* --- small helpers -------------------------------------------------------- */

/* Grow a dynamic array to hold one more element. */
static int
grow(void **arr, size_t *cap, size_t n, size_t elsize)
{
	void	*p;
	size_t	 nc;

	if (n < *cap)
		return 0;
	nc = *cap == 0 ? 16 : *cap * 2;
	if ((p = realloc(*arr, nc * elsize)) == NULL)
		return -1;
	*arr = p;
	*cap = nc;
	return 0;
}

/* An API answer: takes v, adds the rate-limit headers. */
static void
reply(struct emu_req *r, int status, json_t *v)
{
	emu_reply_new(r, status, v, RLH.h);
}

/* Etsy's error shape {"error": msg} on an API route, with the headers. */
static void
fail(struct emu_req *r, int status, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void
fail(struct emu_req *r, int status, const char *fmt, ...)
{
	char	 msg[512];
	va_list	 ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	reply(r, status, json_pack("{s:s}", "error", msg));
}

/* A control route's error (no rate-limit headers). */
static void
ctl_fail(struct emu_req *r, int status, const char *msg)
{
	emu_reply_error(r, status, msg);
}

static json_t *
money(int64_t cents)
{
	return json_pack("{s:I, s:i, s:s}", "amount", (json_int_t)cents,
	    "divisor", 100, "currency_code", CURRENCY);
}

/* Cents from a JSON number (a float as Etsy wants, or an integer). */
static int
cents_of(const json_t *v, int64_t *out)
{
	double	 d;

	if (!json_is_number(v))
		return -1;
	d = json_number_value(v);
	if (!isfinite(d) || d < 0 || d > 1e9)
		return -1;
	*out = (int64_t)llround(d * 100.0);
	return 0;
}

static int
path_id(struct emu_req *r, size_t i, const char *name, int64_t *out)
{
	if (i >= r->nids || str_to_i64(r->ids[i], 1, INT64_MAX, out) == -1) {
		fail(r, 400, "Invalid value for path parameter '%s': expected "
		    "a positive integer", name);
		return -1;
	}
	return 0;
}

/* An optional integer query parameter in [min, max]; replies on error. */
static int
q_int(struct emu_req *r, const char *name, int64_t min, int64_t max,
    int64_t dflt, int64_t *out)
{
	const char	*v = form_get(&r->http->query, name);

	*out = dflt;
	if (v == NULL)
		return 0;
	if (str_to_i64(v, min, max, out) == -1) {
		if (max == INT64_MAX)
			fail(r, 400, "Invalid value for query parameter '%s': "
			    "expected an integer >= %lld", name, (long long)min);
		else
			fail(r, 400, "Invalid value for query parameter '%s': "
			    "expected an integer between %lld and %lld", name,
			    (long long)min, (long long)max);
		return -1;
	}
	return 0;
}

/* An optional boolean: *out -1 when absent, else 0/1. */
static int
q_bool(struct emu_req *r, const char *name, int *out)
{
	const char	*v = form_get(&r->http->query, name);

	*out = -1;
	if (v == NULL)
		return 0;
	if (strcmp(v, "true") == 0 || strcmp(v, "1") == 0)
		*out = 1;
	else if (strcmp(v, "false") == 0 || strcmp(v, "0") == 0)
		*out = 0;
	else {
		fail(r, 400, "Invalid value for query parameter '%s': expected "
		    "a boolean", name);
		return -1;
	}
	return 0;
}

/* An optional enumerated query parameter: the index in names, or dflt. */
static int
q_enum(struct emu_req *r, const char *name, const char *const *names,
    int dflt, int *out)
{
	const char	*v = form_get(&r->http->query, name);
	int		 i;

	*out = dflt;
	if (v == NULL)
		return 0;
	for (i = 0; names[i] != NULL; i++)
		if (strcmp(v, names[i]) == 0) {
			*out = i;
			return 0;
		}
	fail(r, 400, "Invalid value for query parameter '%s': '%s' is not "
	    "one of the allowed values", name, v);
	return -1;
}

/*
 * The listing_ids array parameter: "1,2,3", or the key repeated (also as
 * listing_ids[]). At most BATCH_MAX ids. Replies on error.
 */
static int
q_ids(struct emu_req *r, const char *name, int64_t *ids, size_t *n)
{
	const struct form	*f = &r->http->query;
	char			 brack[64];
	size_t			 i;
	const char		*p, *e;

	*n = 0;
	(void)str_fmt(brack, sizeof(brack), "%s[]", name);
	for (i = 0; i < f->n; i++) {
		if (strcmp(f->pairs[i].key, name) != 0 &&
		    strcmp(f->pairs[i].key, brack) != 0)
			continue;
		for (p = f->pairs[i].val; ; p = e + 1) {
			e = strchr(p, ',');
			if (e == NULL)
				e = p + strlen(p);
			if (*n == BATCH_MAX) {
				fail(r, 400, "Invalid value for query parameter "
				    "'%s': at most %d ids", name, BATCH_MAX);
				return -1;
			}
			if (str_to_i64n(p, (size_t)(e - p), 1, INT64_MAX,
			    &ids[*n]) == -1) {
				fail(r, 400, "Invalid value for query parameter "
				    "'%s': expected a list of positive integers",
				    name);
				return -1;
			}
			(*n)++;
			if (*e == '\0')
				break;
		}
	}
	if (*n == 0) {
		fail(r, 400, "Missing required query parameter '%s'", name);
		return -1;
	}
	return 0;
}

/* "abc,def" or repeated: is item one of the given includes? */
static int
includes_has(struct emu_req *r, const char *item)
{
	const struct form	*f = &r->http->query;
	size_t			 i, n = strlen(item);
	const char		*p;

	for (i = 0; i < f->n; i++) {
		if (strcmp(f->pairs[i].key, "includes") != 0 &&
		    strcmp(f->pairs[i].key, "includes[]") != 0)
			continue;
		for (p = f->pairs[i].val; (p = strstr(p, item)) != NULL;
		    p += n)
			if ((p == f->pairs[i].val || p[-1] == ',') &&
			    (p[n] == '\0' || p[n] == ','))
				return 1;
	}
	return 0;
}

/* Check every includes item against the allowed names; replies on error. */
static int
includes_ok(struct emu_req *r, const char *const *allowed)
{
	const struct form	*f = &r->http->query;
	size_t			 i, k, len;
	const char		*p, *e;
	int			 found;

	for (i = 0; i < f->n; i++) {
		if (strcmp(f->pairs[i].key, "includes") != 0 &&
		    strcmp(f->pairs[i].key, "includes[]") != 0)
			continue;
		for (p = f->pairs[i].val; ; p = e + 1) {
			e = strchr(p, ',');
			len = e != NULL ? (size_t)(e - p) : strlen(p);
			found = 0;
			for (k = 0; allowed[k] != NULL; k++)
				if (strlen(allowed[k]) == len &&
				    strncmp(allowed[k], p, len) == 0)
					found = 1;
			if (!found) {
				fail(r, 400, "Invalid value for query parameter "
				    "'includes'");
				return -1;
			}
			if (e == NULL)
				break;
		}
	}
	return 0;
}

/* Lower-case hex of 16 seeded random bytes: an opaque token. */
static void
opaque(char *out, size_t outsz)
{
	unsigned char	 b[16];
	char		 hex[33];
	size_t		 i;

	for (i = 0; i < sizeof(b); i++)
		b[i] = (unsigned char)emu_rand_below(256);
	str_hex(hex, b, sizeof(b));
	(void)str_copy(out, outsz, hex);
}

/* base64url without padding (PKCE, RFC 7636 appendix A). */
static void
b64url(char *out, size_t outsz, const unsigned char *in, size_t n)
{
	char	 tmp[256];
	size_t	 i;

	if (n > 180 || outsz == 0) {
		if (outsz > 0)
			out[0] = '\0';
		return;
	}
	EVP_EncodeBlock((unsigned char *)tmp, in, (int)n);
	for (i = 0; tmp[i] != '\0' && tmp[i] != '=' && i + 1 < outsz; i++)
		out[i] = tmp[i] == '+' ? '-' : tmp[i] == '/' ? '_' : tmp[i];
	out[i] = '\0';
}

/* Append s percent-encoded (for redirect query strings). */
static int
urlenc(struct buf *b, const char *s)
{
	static const char hexd[] = "0123456789ABCDEF";
	char		 e[3];

	for (; *s != '\0'; s++) {
		unsigned char c = (unsigned char)*s;

		if (isalnum(c) || c == '-' || c == '_' || c == '.' ||
		    c == '~') {
			if (buf_append(b, s, 1) == -1)
				return -1;
			continue;
		}
		e[0] = '%';
		e[1] = hexd[c >> 4];
		e[2] = hexd[c & 15];
		if (buf_append(b, e, 3) == -1)
			return -1;
	}
	return 0;
}

/* --- lookups ------------------------------------------------------------ */

static struct shop *
shop_find(int64_t id)
{
	size_t	 i;

	for (i = 0; i < S.nshops; i++)
		if (S.shops[i].shop_id == id)
			return &S.shops[i];
	return NULL;
}

static struct shop *
shop_of_user(int64_t user_id)
{
	size_t	 i;

	for (i = 0; i < S.nshops; i++)
		if (S.shops[i].user_id == user_id)
			return &S.shops[i];
	return NULL;
}

static struct listing *
listing_find(int64_t id)
{
	size_t	 i;

	for (i = 0; i < S.nlistings; i++)
		if (S.listings[i]->listing_id == id)
			return S.listings[i];
	return NULL;
}

static struct receipt *
receipt_find(int64_t id)
{
	size_t	 i;

	for (i = 0; i < S.nreceipts; i++)
		if (S.receipts[i]->receipt_id == id)
			return S.receipts[i];
	return NULL;
}

static int
propset_has(const struct propset *ps, int64_t id)
{
	size_t	 i;

	for (i = 0; i < ps->n; i++)
		if (ps->id[i] == id)
			return 1;
	return 0;
}

/* --- reset ------------------------------------------------------------- */

static void
listing_free(struct listing *l)
{
	if (l == NULL)
		return;
	free(l->products);
	free(l);
}

static void
receipt_free(struct receipt *rc)
{
	if (rc == NULL)
		return;
	free(rc->txns);
	free(rc->refunds);
	free(rc);
}

static void
etsy_reset(void)
{
	size_t	 i;

	for (i = 0; i < S.nlistings; i++)
		listing_free(S.listings[i]);
	for (i = 0; i < S.nreceipts; i++)
		receipt_free(S.receipts[i]);
	free(S.listings);
	free(S.receipts);
	free(S.tokens);
	free(S.codes);
	free(S.rl);
	memset(&S, 0, sizeof(S));
	S.next_listing = 1000000001;
	S.next_product = 7000000001;
	S.next_offering = 8000000001;
	S.next_value = 90000001;
	S.next_receipt = 3000000001;
	S.next_txn = 3500000001;
	(void)str_copy(S.keystring, sizeof(S.keystring), "sbx-etsy-keystring");
	(void)str_copy(S.secret, sizeof(S.secret), "sbx-etsy-secret");
	S.qps = 10;
	S.qpd = 10000;
	S.rl = calloc(RL_KEYS, sizeof(*S.rl));
}

/* --- rate limits and the API key (the frame's before hook) -------------- */

static struct ratekey *
ratekey_get(const char *key)
{
	struct ratekey	*k, *lru = NULL;
	size_t		 i;

	if (S.rl == NULL)
		return NULL;
	for (i = 0; i < RL_KEYS; i++) {
		k = &S.rl[i];
		if (strcmp(k->key, key) == 0)
			return k;
		if (lru == NULL || k->used < lru->used)
			lru = k;
	}
	memset(lru, 0, sizeof(*lru));
	(void)str_copy(lru->key, sizeof(lru->key), key);
	return lru;
}

/* Calls inside the rolling 24 h window, and when the oldest leaves it. */
static int64_t
day_count(const struct ratekey *k, int64_t bucket, int64_t *oldest)
{
	int64_t	 sum = 0;
	size_t	 i;

	*oldest = -1;
	for (i = 0; i < RL_BUCKETS; i++) {
		if (k->bucket_n[i] == 0 || k->bucket_at[i] <= bucket -
		    RL_BUCKETS)
			continue;
		sum += k->bucket_n[i];
		if (*oldest == -1 || k->bucket_at[i] < *oldest)
			*oldest = k->bucket_at[i];
	}
	return sum;
}

static void
rl_headers(int64_t rem_s, int64_t rem_d, int64_t retry)
{
	size_t	 n = 0;

	(void)str_fmt(RLH.vals[0], sizeof(RLH.vals[0]), "%lld",
	    (long long)S.qps);
	(void)str_fmt(RLH.vals[1], sizeof(RLH.vals[1]), "%lld",
	    (long long)(rem_s < 0 ? 0 : rem_s));
	(void)str_fmt(RLH.vals[2], sizeof(RLH.vals[2]), "%lld",
	    (long long)S.qpd);
	(void)str_fmt(RLH.vals[3], sizeof(RLH.vals[3]), "%lld",
	    (long long)(rem_d < 0 ? 0 : rem_d));
	RLH.h[n++] = (struct http_header){ "x-limit-per-second", RLH.vals[0] };
	RLH.h[n++] = (struct http_header){ "x-remaining-this-second",
	    RLH.vals[1] };
	RLH.h[n++] = (struct http_header){ "x-limit-per-day", RLH.vals[2] };
	RLH.h[n++] = (struct http_header){ "x-remaining-today", RLH.vals[3] };
	if (retry > 0) {
		(void)str_fmt(RLH.vals[4], sizeof(RLH.vals[4]), "%lld",
		    (long long)retry);
		RLH.h[n++] = (struct http_header){ "retry-after", RLH.vals[4] };
	}
	RLH.h[n] = (struct http_header){ NULL, NULL };
}

static int
etsy_before(struct emu_req *r)
{
	const char	*key, *colon;
	struct ratekey	*k;
	int64_t		 ms = emu_now_ms(), sec = ms / 1000, bucket, oldest,
			 day, retry;
	size_t		 klen, slot;

	RLH.h[0] = (struct http_header){ NULL, NULL };
	/* the token endpoint authenticates with client_id in its body */
	if (strncmp(r->http->path, "/v3/public/", 11) == 0)
		return 0;
	key = http_header(r->http, "x-api-key");
	if (key == NULL || key[0] == '\0') {
		fail(r, 403, "Missing x-api-key header.");
		return 1;
	}
	if ((colon = strchr(key, ':')) == NULL) {
		fail(r, 403, "Shared secret is required in x-api-key header.");
		return 1;
	}
	klen = (size_t)(colon - key);
	if (klen != strlen(S.keystring) ||
	    strncmp(key, S.keystring, klen) != 0) {
		fail(r, 403, "Invalid API key: should be in the format "
		    "'keystring:shared_secret'.");
		return 1;
	}
	if (!str_ct_equal(colon + 1, strlen(colon + 1), S.secret,
	    strlen(S.secret))) {
		fail(r, 403, "Invalid shared secret in x-api-key header.");
		return 1;
	}
	/* counted per API key; QPS is checked before QPD (rate-limits doc) */
	if ((k = ratekey_get(S.keystring)) == NULL)
		return 0;
	k->used = ++S.rl_tick;
	if (k->sec != sec) {
		k->sec = sec;
		k->sec_count = 0;
	}
	bucket = sec / RL_BUCKET_S;
	day = day_count(k, bucket, &oldest);
	if (k->sec_count >= S.qps) {
		rl_headers(0, S.qpd - day, 1);
		fail(r, 429, "You have exceeded your QPS limit.");
		return 1;
	}
	if (day >= S.qpd) {
		/* quota frees as the oldest bucket leaves the window */
		retry = (oldest + RL_BUCKETS) * RL_BUCKET_S - sec;
		rl_headers(S.qps - k->sec_count, 0, retry < 1 ? 1 : retry);
		fail(r, 429, "You have exceeded your QPD limit.");
		return 1;
	}
	k->sec_count++;
	slot = (size_t)(bucket % RL_BUCKETS);
	if (k->bucket_at[slot] != bucket) {
		k->bucket_at[slot] = bucket;
		k->bucket_n[slot] = 0;
	}
	k->bucket_n[slot]++;
	rl_headers(S.qps - k->sec_count, S.qpd - day - 1, 0);
	return 0;
}

/* --- OAuth ---------------------------------------------------------------- */

/* Does the space-separated scope list hold want? */
static int
scope_has(const char *scopes, const char *want)
{
	size_t		 n = strlen(want);
	const char	*p;

	for (p = scopes; (p = strstr(p, want)) != NULL; p += n)
		if ((p == scopes || p[-1] == ' ') &&
		    (p[n] == '\0' || p[n] == ' '))
			return 1;
	return 0;
}

/*
 * The user of the request's bearer token, with the scope the endpoint
 * needs; replies 401 (no, bad or expired token) or 403 (scope) itself.
 */
static int64_t
auth_user(struct emu_req *r, const char *scope)
{
	const char	*h = http_header(r->http, "Authorization");
	size_t		 i;
	struct token	*t;

	if (h == NULL || strncasecmp(h, "Bearer ", 7) != 0 || h[7] == '\0') {
		reply(r, 401, json_pack("{s:s, s:s}", "error", "invalid_token",
		    "error_description", "An OAuth access token is required "
		    "(Authorization: Bearer <token>)"));
		return 0;
	}
	for (i = 0; i < S.ntokens; i++) {
		t = &S.tokens[i];
		if (strcmp(t->access, h + 7) != 0)
			continue;
		if (!t->access_live) {
			reply(r, 401, json_pack("{s:s, s:s}", "error",
			    "invalid_token", "error_description",
			    "access token is revoked"));
			return 0;
		}
		if (emu_now() >= t->access_exp) {
			reply(r, 401, json_pack("{s:s, s:s}", "error",
			    "invalid_token", "error_description",
			    "access token is expired"));
			return 0;
		}
		if (scope != NULL && !scope_has(t->scope, scope)) {
			fail(r, 403, "The access token lacks the required "
			    "scope: %s", scope);
			return 0;
		}
		return t->user_id;
	}
	reply(r, 401, json_pack("{s:s, s:s}", "error", "invalid_token",
	    "error_description", "access token is not valid"));
	return 0;
}

/* The shop in the path, owned by the token's user; replies on error. */
static struct shop *
auth_shop(struct emu_req *r, const char *scope)
{
	int64_t		 uid, sid;
	struct shop	*s;

	if (path_id(r, 0, "shop_id", &sid) == -1)
		return NULL;
	if ((uid = auth_user(r, scope)) == 0)
		return NULL;
	if ((s = shop_find(sid)) == NULL) {
		fail(r, 404, "Could not find a Shop with shop_id = %lld",
		    (long long)sid);
		return NULL;
	}
	if (s->user_id != uid) {
		fail(r, 403, "You do not have permission to access shop %lld",
		    (long long)sid);
		return NULL;
	}
	return s;
}

/* The listing in path segment i, owned by the token's user. */
static struct listing *
auth_listing(struct emu_req *r, size_t i, const char *scope)
{
	int64_t		 uid, lid;
	struct listing	*l;

	if (path_id(r, i, "listing_id", &lid) == -1)
		return NULL;
	if ((uid = auth_user(r, scope)) == 0)
		return NULL;
	if ((l = listing_find(lid)) == NULL) {
		fail(r, 404, "Listing with listing_id %lld not found",
		    (long long)lid);
		return NULL;
	}
	if (l->user_id != uid) {
		fail(r, 403, "You do not have permission to access listing "
		    "%lld", (long long)lid);
		return NULL;
	}
	return l;
}

static struct token *
token_new(int64_t user_id, const char *scope)
{
	struct token	*t;
	char		 o[40];

	if (grow((void **)&S.tokens, &S.captokens, S.ntokens,
	    sizeof(*S.tokens)) == -1)
		return NULL;
	t = &S.tokens[S.ntokens++];
	memset(t, 0, sizeof(*t));
	t->user_id = user_id;
	opaque(o, sizeof(o));
	(void)str_fmt(t->access, sizeof(t->access), "%lld.%s",
	    (long long)user_id, o);
	opaque(o, sizeof(o));
	(void)str_fmt(t->refresh, sizeof(t->refresh), "%lld.%s",
	    (long long)user_id, o);
	t->access_exp = emu_now() + ACCESS_TTL;
	t->refresh_exp = emu_now() + REFRESH_TTL;
	t->access_live = t->refresh_live = 1;
	(void)str_copy(t->scope, sizeof(t->scope), scope);
	return t;
}

static void
oauth_error(struct emu_req *r, int status, const char *err, const char *desc)
{
	reply(r, status, json_pack("{s:s, s:s}", "error", err,
	    "error_description", desc));
}

static void
api_token(struct emu_req *r)
{
	struct form	 f = { NULL, 0 };
	struct err	 e;
	const char	*gt, *cid, *code, *ver, *ruri, *rt, *ct;
	unsigned char	 dg[SHA256_DIGEST_LENGTH];
	char		 chal[64];
	struct code	*c = NULL;
	struct token	*t, *old = NULL;
	size_t		 i, vl;

	ct = r->http->content_type;
	if (strncasecmp(ct, "application/x-www-form-urlencoded", 33) != 0) {
		oauth_error(r, 400, "invalid_request", "the body must be "
		    "application/x-www-form-urlencoded");
		return;
	}
	if (form_parse(&f, r->http->body, r->http->body_len, 32, &e) == -1) {
		oauth_error(r, 400, "invalid_request", e.msg);
		return;
	}
	gt = form_get(&f, "grant_type");
	cid = form_get(&f, "client_id");
	if (gt == NULL || cid == NULL) {
		oauth_error(r, 400, "invalid_request", "grant_type and "
		    "client_id are required");
		goto out;
	}
	if (strcmp(cid, S.keystring) != 0) {
		oauth_error(r, 400, "invalid_client", "client_id is not a "
		    "known keystring");
		goto out;
	}
	if (strcmp(gt, "authorization_code") == 0) {
		code = form_get(&f, "code");
		ver = form_get(&f, "code_verifier");
		ruri = form_get(&f, "redirect_uri");
		if (code == NULL || ver == NULL || ruri == NULL) {
			oauth_error(r, 400, "invalid_request", "code, "
			    "code_verifier and redirect_uri are required");
			goto out;
		}
		for (i = 0; i < S.ncodes; i++)
			if (strcmp(S.codes[i].code, code) == 0)
				c = &S.codes[i];
		if (c == NULL || c->used || emu_now() >= c->exp) {
			oauth_error(r, 400, "invalid_grant", "code is invalid, "
			    "expired or already used");
			goto out;
		}
		if (strcmp(c->redirect_uri, ruri) != 0) {
			oauth_error(r, 400, "invalid_grant", "redirect_uri "
			    "does not match the authorization request");
			goto out;
		}
		vl = strlen(ver);
		if (vl < 43 || vl > 128 || strspn(ver, "ABCDEFGHIJKLMNOPQRSTUVW"
		    "XYZabcdefghijklmnopqrstuvwxyz0123456789-._~") != vl) {
			oauth_error(r, 400, "invalid_request", "code_verifier "
			    "must be 43 to 128 unreserved characters");
			goto out;
		}
		SHA256((const unsigned char *)ver, vl, dg);
		b64url(chal, sizeof(chal), dg, sizeof(dg));
		/* a code is spent by any attempt, as RFC 6749 advises */
		c->used = 1;
		if (strcmp(chal, c->challenge) != 0) {
			oauth_error(r, 400, "invalid_grant", "code_verifier "
			    "does not match the code_challenge");
			goto out;
		}
		t = token_new(c->user_id, c->scope);
	} else if (strcmp(gt, "refresh_token") == 0) {
		if ((rt = form_get(&f, "refresh_token")) == NULL) {
			oauth_error(r, 400, "invalid_request", "refresh_token "
			    "is required");
			goto out;
		}
		for (i = 0; i < S.ntokens; i++)
			if (strcmp(S.tokens[i].refresh, rt) == 0)
				old = &S.tokens[i];
		if (old == NULL || !old->refresh_live) {
			oauth_error(r, 400, "invalid_grant", "refresh_token "
			    "is revoked");
			goto out;
		}
		if (emu_now() >= old->refresh_exp) {
			oauth_error(r, 400, "invalid_grant", "refresh_token "
			    "is expired");
			goto out;
		}
		/* rotation: the old refresh token stops working at once */
		old->refresh_live = 0;
		{
			int64_t	 uid = old->user_id;
			char	 sc[256];

			(void)str_copy(sc, sizeof(sc), old->scope);
			t = token_new(uid, sc);	/* may move S.tokens */
		}
	} else {
		oauth_error(r, 400, "unsupported_grant_type", "grant_type must "
		    "be authorization_code or refresh_token");
		goto out;
	}
	if (t == NULL) {
		fail(r, 500, "out of memory");
		goto out;
	}
	reply(r, 200, json_pack("{s:s, s:s, s:i, s:s}", "access_token",
	    t->access, "token_type", "Bearer", "expires_in", ACCESS_TTL,
	    "refresh_token", t->refresh));
out:
	form_free(&f);
}

/* Redirect the browser to redirect_uri with the query given. */
static void
redirect_to(struct emu_req *r, const char *uri, const char *k1,
    const char *v1, const char *k2, const char *v2, const char *state)
{
	struct buf	 b;
	int		 ok;

	buf_init(&b, 8192);
	ok = buf_puts(&b, uri) == 0 &&
	    buf_puts(&b, strchr(uri, '?') != NULL ? "&" : "?") == 0 &&
	    buf_puts(&b, k1) == 0 && buf_puts(&b, "=") == 0 &&
	    urlenc(&b, v1) == 0;
	if (ok && k2 != NULL)
		ok = buf_puts(&b, "&") == 0 && buf_puts(&b, k2) == 0 &&
		    buf_puts(&b, "=") == 0 && urlenc(&b, v2) == 0;
	if (ok)
		ok = buf_puts(&b, "&state=") == 0 && urlenc(&b, state) == 0;
	if (!ok || b.data == NULL || strpbrk(b.data, "\r\n") != NULL)
		ctl_fail(r, 400, "redirect_uri is too long or invalid");
	else
		emu_reply_raw(r, 302, "text/plain", (struct http_header[]){
		    { "Location", b.data }, { NULL, NULL } }, "", 0);
	buf_free(&b);
}

/* A plain sandbox page (errors of the authorize step, the approval). */
static void
page(struct emu_req *r, int status, const char *title, const char *msg,
    const char *link)
{
	struct buf	 b;
	struct html	 h;

	buf_init(&b, 64 * 1024);
	html_init(&h, &b);
	html_printf(&h, "<!doctype html><html><head><meta charset=\"utf-8\">"
	    "<title>SANDBOX Etsy: %s</title></head><body>"
	    "<p><strong>SANDBOX: this is a local Etsy emulator, not "
	    "etsy.com.</strong></p><h1>%s</h1><p>%s</p>", title, title, msg);
	if (link != NULL)
		html_printf(&h, "<p><a href=\"%s\">Continue to the app</a></p>",
		    link);
	html_printf(&h, "</body></html>");
	if (html_failed(&h))
		ctl_fail(r, 500, "page too large");
	else
		emu_reply_raw(r, status, "text/html; charset=utf-8", NULL,
		    b.data, b.len);
	buf_free(&b);
}

struct authz {
	const char	*response_type, *client_id, *redirect_uri, *scope,
			*state, *challenge, *method;
};

static void
authz_get(const struct form *f, struct authz *a)
{
	a->response_type = form_get(f, "response_type");
	a->client_id = form_get(f, "client_id");
	a->redirect_uri = form_get(f, "redirect_uri");
	a->scope = form_get(f, "scope");
	a->state = form_get(f, "state");
	a->challenge = form_get(f, "code_challenge");
	a->method = form_get(f, "code_challenge_method");
}

/* Check an authorization request; NULL when good, else the reason. */
static const char *
authz_check(const struct authz *a)
{
	size_t	 n;

	if (a->client_id == NULL || strcmp(a->client_id, S.keystring) != 0)
		return "client_id is not a known keystring";
	if (a->redirect_uri == NULL || (strncmp(a->redirect_uri, "https://",
	    8) != 0 && strncmp(a->redirect_uri, "http://", 7) != 0) ||
	    strlen(a->redirect_uri) >= sizeof(((struct code *)0)->redirect_uri))
		return "redirect_uri must be an absolute http(s) URL";
	if (a->response_type == NULL || strcmp(a->response_type, "code") != 0)
		return "response_type must be code";
	if (a->state == NULL || a->state[0] == '\0')
		return "state is required";
	if (a->scope == NULL || a->scope[0] == '\0' ||
	    strlen(a->scope) >= sizeof(((struct code *)0)->scope))
		return "scope is required";
	if (a->method == NULL || strcmp(a->method, "S256") != 0)
		return "code_challenge_method must be S256 (plain is not "
		    "supported)";
	n = a->challenge != NULL ? strlen(a->challenge) : 0;
	if (n != 43 || strspn(a->challenge, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdef"
	    "ghijklmnopqrstuvwxyz0123456789-_") != n)
		return "code_challenge must be a base64url SHA-256 (43 "
		    "characters)";
	return NULL;
}

static void
authz_grant(struct emu_req *r, const struct authz *a, int64_t user_id)
{
	struct code	*c;

	if (grow((void **)&S.codes, &S.capcodes, S.ncodes,
	    sizeof(*S.codes)) == -1) {
		ctl_fail(r, 500, "out of memory");
		return;
	}
	c = &S.codes[S.ncodes++];
	memset(c, 0, sizeof(*c));
	opaque(c->code, sizeof(c->code));
	(void)str_copy(c->redirect_uri, sizeof(c->redirect_uri),
	    a->redirect_uri);
	(void)str_copy(c->challenge, sizeof(c->challenge), a->challenge);
	(void)str_copy(c->scope, sizeof(c->scope), a->scope);
	c->user_id = user_id;
	c->exp = emu_now() + CODE_TTL;
	redirect_to(r, a->redirect_uri, "code", c->code, NULL, NULL, a->state);
}

/* GET /oauth/connect: the consent page, labelled SANDBOX. */
static void
www_connect(struct emu_req *r)
{
	struct authz	 a;
	const char	*why;
	struct buf	 b;
	struct html	 h;
	size_t		 i;

	authz_get(&r->http->query, &a);
	if ((why = authz_check(&a)) != NULL) {
		page(r, 400, "Authorization request refused", why, NULL);
		return;
	}
	if (S.nshops == 0) {
		page(r, 409, "No sandbox shop", "Create a shop first "
		    "(POST /_sandbox/demo or /_sandbox/shops).", NULL);
		return;
	}
	if (S.auto_approve) {
		authz_grant(r, &a, S.approve_user != 0 ? S.approve_user :
		    S.shops[0].user_id);
		return;
	}
	buf_init(&b, 256 * 1024);
	html_init(&h, &b);
	html_printf(&h, "<!doctype html><html><head><meta charset=\"utf-8\">"
	    "<title>SANDBOX Etsy: allow access?</title></head><body>"
	    "<p><strong>SANDBOX: this is a local Etsy emulator, not "
	    "etsy.com. No real shop is involved.</strong></p>"
	    "<h1>SANDBOX: allow app %s to access your shop?</h1>"
	    "<p>Requested permissions: %s</p>"
	    "<form method=\"post\" action=\"/oauth/connect\">",
	    a.client_id, a.scope);
	html_printf(&h, "<input type=\"hidden\" name=\"response_type\" "
	    "value=\"%s\"><input type=\"hidden\" name=\"client_id\" "
	    "value=\"%s\"><input type=\"hidden\" name=\"redirect_uri\" "
	    "value=\"%s\"><input type=\"hidden\" name=\"scope\" value=\"%s\">"
	    "<input type=\"hidden\" name=\"state\" value=\"%s\">"
	    "<input type=\"hidden\" name=\"code_challenge\" value=\"%s\">"
	    "<input type=\"hidden\" name=\"code_challenge_method\" "
	    "value=\"%s\">", a.response_type, a.client_id, a.redirect_uri,
	    a.scope, a.state, a.challenge, a.method);
	html_printf(&h, "<p><label>Sign in as sandbox seller "
	    "<select name=\"user_id\">");
	for (i = 0; i < S.nshops; i++)
		html_printf(&h, "<option value=\"%D\">SANDBOX user %D (shop "
		    "%s)</option>", S.shops[i].user_id, S.shops[i].user_id,
		    S.shops[i].name);
	html_printf(&h, "</select></label></p>"
	    "<button name=\"decision\" value=\"approve\">Allow access "
	    "(SANDBOX)</button> <button name=\"decision\" value=\"deny\">"
	    "Deny</button></form></body></html>");
	if (html_failed(&h))
		ctl_fail(r, 500, "page too large");
	else
		emu_reply_raw(r, 200, "text/html; charset=utf-8", NULL, b.data,
		    b.len);
	buf_free(&b);
}

/*
 * POST /oauth/connect: the consent form. The answer is a page with a link
 * rather than a 302, because the frame's Content-Security-Policy
 * (form-action 'self') would block a form redirect to another origin.
 */
static void
www_connect_post(struct emu_req *r)
{
	struct form	 f = { NULL, 0 };
	struct err	 e;
	struct authz	 a;
	const char	*why, *dec, *uid_s;
	int64_t		 uid;
	struct buf	 b;
	struct code	*c;
	int		 ok;

	if (form_parse(&f, r->http->body, r->http->body_len, 32, &e) == -1) {
		page(r, 400, "Bad form", e.msg, NULL);
		return;
	}
	authz_get(&f, &a);
	dec = form_get(&f, "decision");
	uid_s = form_get(&f, "user_id");
	if ((why = authz_check(&a)) != NULL) {
		page(r, 400, "Authorization request refused", why, NULL);
		goto out;
	}
	if (uid_s == NULL || str_to_i64(uid_s, 1, INT64_MAX, &uid) == -1 ||
	    shop_of_user(uid) == NULL) {
		page(r, 400, "Authorization request refused", "unknown "
		    "sandbox user", NULL);
		goto out;
	}
	buf_init(&b, 8192);
	ok = buf_puts(&b, a.redirect_uri) == 0 && buf_puts(&b,
	    strchr(a.redirect_uri, '?') != NULL ? "&" : "?") == 0;
	if (dec == NULL || strcmp(dec, "approve") != 0) {
		ok = ok && buf_puts(&b, "error=access_denied&state=") == 0 &&
		    urlenc(&b, a.state) == 0;
		if (ok)
			page(r, 200, "Access denied", "You denied access.",
			    b.data);
	} else if (grow((void **)&S.codes, &S.capcodes, S.ncodes,
	    sizeof(*S.codes)) == 0) {
		c = &S.codes[S.ncodes++];
		memset(c, 0, sizeof(*c));
		opaque(c->code, sizeof(c->code));
		(void)str_copy(c->redirect_uri, sizeof(c->redirect_uri),
		    a.redirect_uri);
		(void)str_copy(c->challenge, sizeof(c->challenge),
		    a.challenge);
		(void)str_copy(c->scope, sizeof(c->scope), a.scope);
		c->user_id = uid;
		c->exp = emu_now() + CODE_TTL;
		ok = ok && buf_puts(&b, "code=") == 0 &&
		    urlenc(&b, c->code) == 0 &&
		    buf_puts(&b, "&state=") == 0 && urlenc(&b, a.state) == 0;
		if (ok)
			page(r, 200, "Access granted (SANDBOX)", "The app may "
			    "now act for this sandbox shop.", b.data);
	} else
		ok = 0;
	if (!ok)
		page(r, 500, "Error", "could not build the redirect", NULL);
	buf_free(&b);
out:
	form_free(&f);
}

static void
api_me(struct emu_req *r)
{
	int64_t		 uid;
	struct shop	*s;
	json_t		*j;

	if ((uid = auth_user(r, NULL)) == 0)
		return;
	j = json_pack("{s:I}", "user_id", (json_int_t)uid);
	if (j != NULL && (s = shop_of_user(uid)) != NULL)
		json_object_set_new(j, "shop_id", json_integer(s->shop_id));
	reply(r, 200, j);
}

/* --- JSON of listings and inventory --------------------------------------- */

static json_t *
pv_json(const struct pval *p)
{
	return json_pack("{s:I, s:s, s:o, s:o, s:[I], s:[s]}", "property_id",
	    (json_int_t)p->property_id, "property_name", p->property_name,
	    "scale_id", p->scale_id != 0 ? json_integer(p->scale_id) :
	    json_null(), "scale_name", json_null(), "value_ids",
	    (json_int_t)p->value_id, "values", p->value);
}

static json_t *
product_json(const struct product *p)
{
	json_t	*pvs = json_array(), *j;
	size_t	 i;

	for (i = 0; i < p->npv; i++)
		json_array_append_new(pvs, pv_json(&p->pv[i]));
	j = json_pack("{s:I, s:s, s:b, s:[{s:I, s:I, s:b, s:b, s:o, s:o}], "
	    "s:o}", "product_id", (json_int_t)p->product_id, "sku", p->sku,
	    "is_deleted", 0, "offerings", "offering_id",
	    (json_int_t)p->offering_id, "quantity", (json_int_t)p->quantity,
	    "is_enabled", p->enabled, "is_deleted", 0, "price",
	    money(p->price), "readiness_state_id", p->readiness != 0 ?
	    json_integer(p->readiness) : json_null(), "property_values", pvs);
	return j;
}

static json_t *
propset_json(const struct propset *ps)
{
	json_t	*a = json_array();
	size_t	 i;

	for (i = 0; i < ps->n; i++)
		json_array_append_new(a, json_integer(ps->id[i]));
	return a;
}

static json_t *
inventory_json(const struct listing *l)
{
	json_t	*prods = json_array(), *j;
	size_t	 i;
	int	 k;

	for (i = 0; i < l->nproducts; i++)
		json_array_append_new(prods, product_json(&l->products[i]));
	j = json_pack("{s:o}", "products", prods);
	for (k = 0; j != NULL && k < ON__MAX; k++)
		json_object_set_new(j, onprop_names[k], propset_json(&l->on[k]));
	return j;
}

/*
 * A listing's quantity: the sum over its quantity groups (products that
 * share the values of quantity_on_property share one stock on Etsy; with
 * no such property every offering shows the one listing quantity).
 */
static int
same_on(const struct product *a, const struct product *b,
    const struct propset *ps)
{
	size_t	 i, k, m;

	for (i = 0; i < ps->n; i++) {
		int64_t va = -1, vb = -1;

		for (k = 0; k < a->npv; k++)
			if (a->pv[k].property_id == ps->id[i])
				va = a->pv[k].value_id;
		for (m = 0; m < b->npv; m++)
			if (b->pv[m].property_id == ps->id[i])
				vb = b->pv[m].value_id;
		if (va != vb)
			return 0;
	}
	return 1;
}

static int64_t
listing_quantity(const struct listing *l)
{
	int64_t	 sum = 0;
	size_t	 i, k;
	int	 first;

	for (i = 0; i < l->nproducts; i++) {
		if (!l->products[i].enabled)
			continue;
		/* count each quantity group once, at its first member */
		first = 1;
		for (k = 0; k < i && first; k++)
			if (l->products[k].enabled && same_on(&l->products[k],
			    &l->products[i], &l->on[ON_QTY]))
				first = 0;
		if (first)
			sum += l->products[i].quantity;
	}
	return sum;
}

/*
 * A ShopListing; with assoc a ShopListingWithAssociations (skus, views,
 * and the inventory when asked), which the plain schema does not allow.
 */
static json_t *
listing_json(const struct listing *l, int with_inventory, int show_skus,
    int assoc)
{
	json_t	*j, *skus = json_array();
	int64_t	 minp = -1;
	size_t	 i, k;

	for (i = 0; i < l->nproducts; i++) {
		const struct product *p = &l->products[i];

		if (minp == -1 || p->price < minp)
			minp = p->price;
		if (!show_skus || p->sku[0] == '\0')
			continue;
		for (k = 0; k < i; k++)
			if (strcmp(l->products[k].sku, p->sku) == 0)
				break;
		if (k == i)
			json_array_append_new(skus, json_string(p->sku));
	}
	j = json_pack("{s:I, s:I, s:I, s:s, s:s, s:s, s:I, s:I, s:I, s:I, "
	    "s:I, s:I, s:I, s:I, s:n, s:i, s:s, s:i, s:b, s:b, s:b, s:b, "
	    "s:s, s:[], s:[], s:n, s:n, s:n, s:n, s:s, s:s, s:b, s:n, s:n, "
	    "s:n, s:n, s:n, s:n, s:b, s:[], s:n, s:b, s:b, s:s}",
	    "listing_id", (json_int_t)l->listing_id,
	    "user_id", (json_int_t)l->user_id,
	    "shop_id", (json_int_t)l->shop_id,
	    "title", l->title, "description", l->description,
	    "state", l->state,
	    "creation_timestamp", (json_int_t)l->created,
	    "created_timestamp", (json_int_t)l->created,
	    "ending_timestamp", (json_int_t)(l->created + 120 * 86400),
	    "original_creation_timestamp", (json_int_t)l->created,
	    "last_modified_timestamp", (json_int_t)l->updated,
	    "updated_timestamp", (json_int_t)l->updated,
	    "state_timestamp", (json_int_t)l->state_ts,
	    "quantity", (json_int_t)listing_quantity(l),
	    "shop_section_id",
	    "featured_rank", -1,
	    "url", "http://sandbox.invalid/etsy/listing",
	    "num_favorers", 0,
	    "non_taxable", 0, "is_taxable", 1, "is_customizable", 0,
	    "is_personalizable", 0,
	    "listing_type", "physical",
	    "tags", "materials",
	    "shipping_profile_id", "return_policy_id", "processing_min",
	    "processing_max",
	    "who_made", "i_did", "when_made", "made_to_order",
	    "is_supply", 0,
	    "item_weight", "item_weight_unit", "item_length", "item_width",
	    "item_height", "item_dimensions_unit",
	    "is_private", 0, "style", "file_data",
	    "has_variations", l->nproducts > 1 || (l->nproducts == 1 &&
	    l->products[0].npv > 0),
	    "should_auto_renew", 0, "language", "en-US");
	if (j == NULL) {
		json_decref(skus);
		return NULL;
	}
	json_object_set_new(j, "price", money(minp < 0 ? 0 : minp));
	json_object_set_new(j, "taxonomy_id", json_null());
	if (!assoc) {
		json_decref(skus);
		return j;
	}
	json_object_set_new(j, "skus", skus);
	json_object_set_new(j, "views", json_integer(0));
	if (with_inventory)
		json_object_set_new(j, "inventory", inventory_json(l));
	return j;
}

/* --- inventory writes --------------------------------------------------- */

static const char *
default_property_name(int64_t id)
{
	switch (id) {
	case 100:	return "Size";
	case 200:	return "Primary color";
	case 507:	return "Material";
	case 52047899002: return "Secondary color";
	default:	return "Custom Property";
	}
}

/* A value id for (property, value): reused from the listing if known. */
static int64_t
value_id_for(const struct listing *l, const struct product *fresh,
    size_t nfresh, int64_t prop, const char *value)
{
	size_t	 i, k;

	for (i = 0; l != NULL && i < l->nproducts; i++)
		for (k = 0; k < l->products[i].npv; k++)
			if (l->products[i].pv[k].property_id == prop &&
			    strcmp(l->products[i].pv[k].value, value) == 0)
				return l->products[i].pv[k].value_id;
	for (i = 0; i < nfresh; i++)
		for (k = 0; k < fresh[i].npv; k++)
			if (fresh[i].pv[k].property_id == prop &&
			    strcmp(fresh[i].pv[k].value, value) == 0)
				return fresh[i].pv[k].value_id;
	return S.next_value++;
}

static int
parse_pv(const json_t *jv, const struct listing *l, const struct product *ps,
    size_t nps, struct pval *pv, char *msg, size_t msz, size_t pi, size_t vi)
{
	json_t		*ids, *vals;
	const char	*name = NULL, *val;
	json_int_t	 pid = 0, scale = 0;
	json_t		*jscale;
	size_t		 i, k;

	if (!json_is_object(jv) || !json_is_integer(json_object_get(jv,
	    "property_id"))) {
		(void)str_fmt(msg, msz, "products[%zu].property_values[%zu]."
		    "property_id is required (a positive integer)", pi, vi);
		return -1;
	}
	pid = json_integer_value(json_object_get(jv, "property_id"));
	ids = json_object_get(jv, "value_ids");
	vals = json_object_get(jv, "values");
	if (pid < 1 || !json_is_array(ids) || !json_is_array(vals)) {
		(void)str_fmt(msg, msz, "products[%zu].property_values[%zu]: "
		    "property_id, value_ids and values are required", pi, vi);
		return -1;
	}
	if (json_array_size(vals) != 1 || !json_is_string(json_array_get(vals,
	    0)) || json_array_size(ids) > 1) {
		(void)str_fmt(msg, msz, "products[%zu].property_values[%zu]: "
		    "exactly one value per property", pi, vi);
		return -1;
	}
	val = json_string_value(json_array_get(vals, 0));
	if (val[0] == '\0' || strlen(val) >= sizeof(pv->value) ||
	    strpbrk(val, "()") != NULL) {
		(void)str_fmt(msg, msz, "Property values can't be empty, longer "
		    "than %zu characters or contain parentheses",
		    sizeof(pv->value) - 1);
		return -1;
	}
	if ((jscale = json_object_get(jv, "scale_id")) != NULL &&
	    !json_is_null(jscale)) {
		if (!json_is_integer(jscale) || json_integer_value(jscale) < 1) {
			(void)str_fmt(msg, msz, "products[%zu].property_values"
			    "[%zu].scale_id must be a positive integer", pi, vi);
			return -1;
		}
		scale = json_integer_value(jscale);
	}
	if (json_object_get(jv, "property_name") != NULL) {
		if (!json_is_string(json_object_get(jv, "property_name"))) {
			(void)str_fmt(msg, msz, "products[%zu].property_values"
			    "[%zu].property_name must be a string", pi, vi);
			return -1;
		}
		name = json_string_value(json_object_get(jv, "property_name"));
	}
	memset(pv, 0, sizeof(*pv));
	pv->property_id = pid;
	pv->scale_id = scale;
	(void)str_copy(pv->value, sizeof(pv->value), val);
	if (name == NULL || name[0] == '\0') {
		name = default_property_name(pid);
		for (i = 0; l != NULL && i < l->nproducts; i++)
			for (k = 0; k < l->products[i].npv; k++)
				if (l->products[i].pv[k].property_id == pid)
					name = l->products[i].pv[k].
					    property_name;
	}
	(void)str_copy(pv->property_name, sizeof(pv->property_name), name);
	if (json_array_size(ids) == 1) {
		if (!json_is_integer(json_array_get(ids, 0)) ||
		    json_integer_value(json_array_get(ids, 0)) < 1) {
			(void)str_fmt(msg, msz, "products[%zu].property_values"
			    "[%zu].value_ids must hold positive integers", pi,
			    vi);
			return -1;
		}
		pv->value_id = json_integer_value(json_array_get(ids, 0));
	} else
		pv->value_id = value_id_for(l, ps, nps, pid, val);
	return 0;
}

static int
parse_offering(const json_t *o, const struct shop *s, struct product *p,
    char *msg, size_t msz, size_t pi)
{
	json_t	*q, *en, *rs;

	if (!json_is_object(o)) {
		(void)str_fmt(msg, msz, "products[%zu].offerings[0] must be an "
		    "object", pi);
		return -1;
	}
	if (json_object_get(o, "price") == NULL) {
		(void)str_fmt(msg, msz, "products[%zu].offerings[0].price is "
		    "required", pi);
		return -1;
	}
	if (cents_of(json_object_get(o, "price"), &p->price) == -1) {
		(void)str_fmt(msg, msz, "Expected float value for 'price'");
		return -1;
	}
	if (p->price < PRICE_MIN || p->price > PRICE_MAX) {
		(void)str_fmt(msg, msz, "products[%zu].offerings[0].price must "
		    "be between 0.20 and 50000.00", pi);
		return -1;
	}
	q = json_object_get(o, "quantity");
	if (!json_is_integer(q)) {
		(void)str_fmt(msg, msz, "products[%zu].offerings[0].quantity "
		    "is required (an integer)", pi);
		return -1;
	}
	p->quantity = json_integer_value(q);
	if (p->quantity < 0 || p->quantity > QTY_MAX) {
		(void)str_fmt(msg, msz, "products[%zu].offerings[0].quantity "
		    "must be between 0 and %d", pi, QTY_MAX);
		return -1;
	}
	en = json_object_get(o, "is_enabled");
	if (!json_is_boolean(en)) {
		(void)str_fmt(msg, msz, "products[%zu].offerings[0].is_enabled "
		    "is required (a boolean)", pi);
		return -1;
	}
	p->enabled = json_is_true(en);
	rs = json_object_get(o, "readiness_state_id");
	if (rs != NULL && !json_is_null(rs)) {
		if (!json_is_integer(rs) || json_integer_value(rs) < 1) {
			(void)str_fmt(msg, msz, "products[%zu].offerings[0]."
			    "readiness_state_id must be a positive integer or "
			    "null", pi);
			return -1;
		}
		p->readiness = json_integer_value(rs);
	} else if (s->processing_profiles) {
		(void)str_fmt(msg, msz, "products[%zu].offerings[0]."
		    "readiness_state_id is required: this shop uses "
		    "processing profiles", pi);
		return -1;
	}
	return 0;
}

/* Does the field differ between two products? */
static int
field_differs(const struct product *a, const struct product *b, int which)
{
	switch (which) {
	case ON_PRICE:	return a->price != b->price;
	case ON_QTY:	return a->quantity != b->quantity;
	case ON_SKU:	return strcmp(a->sku, b->sku) != 0;
	default:	return a->readiness != b->readiness;
	}
}

/* A product with product_id, offering_id, is_deleted or scale_name. */
static int
echoed(const json_t *jp, size_t i, char *msg, size_t msz)
{
	json_t	*o, *v;
	size_t	 k;

	if (json_object_get(jp, "product_id") != NULL ||
	    json_object_get(jp, "is_deleted") != NULL) {
		(void)str_fmt(msg, msz, "products[%zu]: product_id and "
		    "is_deleted are not accepted", i);
		return -1;
	}
	json_array_foreach(json_object_get(jp, "offerings"), k, o)
		if (json_object_get(o, "offering_id") != NULL ||
		    json_object_get(o, "is_deleted") != NULL) {
			(void)str_fmt(msg, msz, "products[%zu].offerings[%zu]: "
			    "offering_id and is_deleted are not accepted", i, k);
			return -1;
		}
	json_array_foreach(json_object_get(jp, "property_values"), k, v)
		if (json_object_get(v, "scale_name") != NULL) {
			(void)str_fmt(msg, msz, "products[%zu].property_values"
			    "[%zu]: scale_name is not accepted", i, k);
			return -1;
		}
	return 0;
}

/*
 * Parse an updateListingInventory body into a fresh product list and the
 * *_on_property sets. l is the listing being written (for value ids and
 * names; NULL when creating). 0, or -1 with msg.
 */
static int
inventory_parse(const json_t *body, const struct shop *s,
    const struct listing *l, struct product **out, size_t *nout,
    struct propset *on, char *msg, size_t msz)
{
	json_t		*prods, *jp, *pvs, *offs, *jsku, *a;
	struct product	*ps = NULL, *p;
	size_t		 np = 0, i, k, m, v;
	int		 w, any = 0;

	prods = json_is_object(body) ? json_object_get(body, "products") : NULL;
	if (!json_is_array(prods)) {
		(void)str_fmt(msg, msz, "Missing input parameter: [products]");
		return -1;
	}
	if (json_array_size(prods) == 0 || json_array_size(prods) >
	    PRODUCTS_MAX) {
		(void)str_fmt(msg, msz, "products must hold 1 to %d products",
		    PRODUCTS_MAX);
		return -1;
	}
	if ((ps = calloc(json_array_size(prods), sizeof(*ps))) == NULL) {
		(void)str_fmt(msg, msz, "out of memory");
		return -1;
	}
	json_array_foreach(prods, i, jp) {
		p = &ps[np];
		memset(p, 0, sizeof(*p));
		if (!json_is_object(jp)) {
			(void)str_fmt(msg, msz, "products[%zu] must be an "
			    "object", i);
			goto fail;
		}
		/* read-only fields echoed from a GET are refused, as on
		 * Etsy (channel-apis.md 5.2, etsy/open-api#159) */
		if (echoed(jp, i, msg, msz) == -1)
			goto fail;
		jsku = json_object_get(jp, "sku");
		if (jsku != NULL && !json_is_null(jsku)) {
			if (!json_is_string(jsku) || strlen(json_string_value(
			    jsku)) > SKU_LEN) {
				(void)str_fmt(msg, msz, "products[%zu].sku must "
				    "be a string of at most %d characters", i,
				    SKU_LEN);
				goto fail;
			}
			(void)str_copy(p->sku, sizeof(p->sku),
			    json_string_value(jsku));
		}
		pvs = json_object_get(jp, "property_values");
		if (pvs != NULL && (!json_is_array(pvs) ||
		    json_array_size(pvs) > PV_MAX)) {
			(void)str_fmt(msg, msz, "products[%zu].property_values "
			    "must be an array of at most %d", i, PV_MAX);
			goto fail;
		}
		for (v = 0; v < json_array_size(pvs); v++) {
			if (parse_pv(json_array_get(pvs, v), l, ps, np,
			    &p->pv[v], msg, msz, i, v) == -1)
				goto fail;
			for (k = 0; k < v; k++)
				if (p->pv[k].property_id == p->pv[v].
				    property_id) {
					(void)str_fmt(msg, msz, "products[%zu]: "
					    "property %lld given twice", i,
					    (long long)p->pv[v].property_id);
					goto fail;
				}
			p->npv++;
		}
		offs = json_object_get(jp, "offerings");
		if (!json_is_array(offs) || json_array_size(offs) != 1) {
			(void)str_fmt(msg, msz, "products[%zu].offerings is "
			    "required and must hold exactly one offering", i);
			goto fail;
		}
		if (parse_offering(json_array_get(offs, 0), s, p, msg, msz,
		    i) == -1)
			goto fail;
		/* every product varies on the same properties */
		if (np > 0) {
			int same = ps[0].npv == p->npv;

			for (k = 0; same && k < p->npv; k++)
				if (ps[0].pv[k].property_id !=
				    p->pv[k].property_id)
					same = 0;
			if (!same) {
				(void)str_fmt(msg, msz, "products[%zu] has "
				    "other properties than products[0]", i);
				goto fail;
			}
		}
		/* identical property values collapse into one product */
		for (k = 0; k < np; k++) {
			for (m = 0; m < p->npv; m++)
				if (ps[k].pv[m].value_id != p->pv[m].value_id)
					break;
			if (m == p->npv)
				break;
		}
		if (k < np)
			continue;
		if (p->enabled && p->quantity > 0)
			any = 1;
		np++;
	}
	for (w = 0; w < ON__MAX; w++) {
		memset(&on[w], 0, sizeof(on[w]));
		a = json_object_get(body, onprop_names[w]);
		if (a == NULL || json_is_null(a))
			continue;
		if (!json_is_array(a) || json_array_size(a) > PV_MAX) {
			(void)str_fmt(msg, msz, "%s must be an array of "
			    "property ids", onprop_names[w]);
			goto fail;
		}
		for (i = 0; i < json_array_size(a); i++) {
			json_int_t id = json_integer_value(json_array_get(a,
			    i));
			int known = 0;

			for (k = 0; k < ps[0].npv; k++)
				if (ps[0].pv[k].property_id == id)
					known = 1;
			if (!json_is_integer(json_array_get(a, i)) || !known ||
			    propset_has(&on[w], id)) {
				(void)str_fmt(msg, msz, "%s lists property %lld "
				    "that the products do not vary on",
				    onprop_names[w], (long long)id);
				goto fail;
			}
			on[w].id[on[w].n++] = id;
		}
	}
	/* a field may only vary between products on the listed properties */
	for (w = 0; w < ON__MAX; w++)
		for (i = 0; i < np; i++)
			for (k = i + 1; k < np; k++)
				if (same_on(&ps[i], &ps[k], &on[w]) &&
				    field_differs(&ps[i], &ps[k], w)) {
					(void)str_fmt(msg, msz, "products[%zu] "
					    "and products[%zu] differ in %s "
					    "but %s does not list the property "
					    "it varies on", i, k, w == ON_PRICE
					    ? "price" : w == ON_QTY ?
					    "quantity" : w == ON_SKU ? "sku" :
					    "readiness_state_id",
					    onprop_names[w]);
					goto fail;
				}
	if (!any) {
		(void)str_fmt(msg, msz, "One offering must have quantity "
		    "greater than 0");
		goto fail;
	}
	*out = ps;
	*nout = np;
	return 0;
fail:
	free(ps);
	return -1;
}

/* Replace a listing's inventory; new product and offering ids each time. */
static void
inventory_commit(struct listing *l, struct product *ps, size_t np,
    const struct propset *on)
{
	size_t	 i;

	for (i = 0; i < np; i++) {
		ps[i].product_id = S.next_product++;
		ps[i].offering_id = S.next_offering++;
	}
	free(l->products);
	l->products = ps;
	l->nproducts = np;
	memcpy(l->on, on, sizeof(l->on));
	l->updated = emu_now();
}

static void
api_inventory_get(struct emu_req *r)
{
	struct listing	*l;
	json_t		*j;
	int		 sd;
	static const char *const inc[] = { "Listing", NULL };

	if (q_bool(r, "show_deleted", &sd) == -1 || includes_ok(r, inc) == -1)
		return;
	if ((l = auth_listing(r, 0, "listings_r")) == NULL)
		return;
	j = inventory_json(l);
	if (j != NULL && includes_has(r, "Listing"))
		json_object_set_new(j, "listing", listing_json(l, 0, 1, 0));
	reply(r, 200, j);
}

static void
api_inventory_put(struct emu_req *r)
{
	struct listing	*l;
	struct shop	*s;
	json_t		*body = NULL;
	struct product	*ps;
	size_t		 np;
	struct propset	 on[ON__MAX];
	char		 msg[256];
	int		 mv;
	static const char *const mvs[] = { "2", "3", NULL };

	if (q_enum(r, "max_variations_supported", mvs, 0, &mv) == -1)
		return;
	if ((l = auth_listing(r, 0, "listings_w")) == NULL)
		return;
	s = shop_find(l->shop_id);
	/* a wrong content type reads as no products (channel-apis.md 1.5) */
	if (strncasecmp(r->http->content_type, "application/json", 16) == 0)
		body = emu_body_json(r);
	if (s == NULL || inventory_parse(body, s, l, &ps, &np, on, msg,
	    sizeof(msg)) == -1) {
		fail(r, 400, "%s", s == NULL ? "listing has no shop" : msg);
		goto out;
	}
	inventory_commit(l, ps, np, on);
	reply(r, 200, inventory_json(l));
out:
	json_decref(body);
}

static void
api_inventory_batch(struct emu_req *r)
{
	int64_t		 ids[BATCH_MAX], uid;
	size_t		 n, i;
	struct listing	*l;
	json_t		*res;

	if (q_ids(r, "listing_ids", ids, &n) == -1)
		return;
	if ((uid = auth_user(r, "listings_r")) == 0)
		return;
	/* the spec: "All requested listing IDs must exist -- if any single
	 * ID is not found, the entire request returns a 404." */
	for (i = 0; i < n; i++)
		if (listing_find(ids[i]) == NULL) {
			fail(r, 404, "Listing %lld not found",
			    (long long)ids[i]);
			return;
		}
	res = json_array();
	for (i = 0; i < n; i++)
		if ((l = listing_find(ids[i])) != NULL && l->user_id == uid)
			json_array_append_new(res, listing_json(l, 1, 1, 1));
	reply(r, 200, json_pack("{s:I, s:o}", "count",
	    (json_int_t)json_array_size(res), "results", res));
}

/* --- listings ---------------------------------------------------------- */

static const char *const listing_states[] = {
	"active", "inactive", "sold_out", "draft", "expired", NULL
};

static int
listing_cmp(const void *a, const void *b)
{
	const struct listing *x = *(const struct listing *const *)a;
	const struct listing *y = *(const struct listing *const *)b;

	if (x->created != y->created)
		return x->created < y->created ? 1 : -1;
	return x->listing_id < y->listing_id ? 1 :
	    x->listing_id > y->listing_id ? -1 : 0;
}

static void
api_listings_by_shop(struct emu_req *r)
{
	struct shop	 *s;
	int64_t		  limit, offset;
	int		  st, so, sord;
	struct listing	**sel = NULL;
	size_t		  n = 0, i;
	json_t		 *res;
	static const char *const sorts[] = { "created", "price", "updated",
	    "score", NULL };
	static const char *const orders[] = { "asc", "ascending", "desc",
	    "descending", "up", "down", NULL };
	static const char *const inc[] = { "Shipping", "Images", "Shop",
	    "User", "Translations", "Inventory", "Videos", "Personalization",
	    "BuyerPrice", NULL };

	if (q_enum(r, "state", listing_states, 0, &st) == -1 ||
	    q_int(r, "limit", 1, 100, 25, &limit) == -1 ||
	    q_int(r, "offset", 0, INT64_MAX, 0, &offset) == -1 ||
	    q_enum(r, "sort_on", sorts, 0, &so) == -1 ||
	    q_enum(r, "sort_order", orders, 2, &sord) == -1 ||
	    includes_ok(r, inc) == -1)
		return;
	if ((s = auth_shop(r, "listings_r")) == NULL)
		return;
	if (S.nlistings > 0 && (sel = calloc(S.nlistings, sizeof(*sel))) ==
	    NULL) {
		fail(r, 500, "out of memory");
		return;
	}
	for (i = 0; i < S.nlistings; i++)
		if (S.listings[i]->shop_id == s->shop_id &&
		    strcmp(S.listings[i]->state, listing_states[st]) == 0)
			sel[n++] = S.listings[i];
	/* sort_on/sort_order only apply to searches (spec): newest first */
	if (n > 0)
		qsort(sel, n, sizeof(*sel), listing_cmp);
	res = json_array();
	for (i = (size_t)(offset < (int64_t)n ? offset : (int64_t)n);
	    i < n && json_array_size(res) < (size_t)limit; i++)
		json_array_append_new(res, listing_json(sel[i],
		    includes_has(r, "Inventory"), 1, 1));
	free(sel);
	reply(r, 200, json_pack("{s:I, s:o}", "count", (json_int_t)n,
	    "results", res));
}

/* The optional bearer's user (0 when none or invalid): SKUs are shown
 * to the listing's owner only. */
static int64_t
optional_user(struct emu_req *r)
{
	const char	*h = http_header(r->http, "Authorization");
	size_t		 i;

	if (h == NULL || strncasecmp(h, "Bearer ", 7) != 0)
		return 0;
	for (i = 0; i < S.ntokens; i++)
		if (strcmp(S.tokens[i].access, h + 7) == 0 &&
		    S.tokens[i].access_live &&
		    emu_now() < S.tokens[i].access_exp)
			return S.tokens[i].user_id;
	return 0;
}

static void
api_listings_batch(struct emu_req *r)
{
	int64_t		 ids[BATCH_MAX], uid;
	size_t		 n, i;
	struct listing	*l;
	json_t		*res;
	static const char *const inc[] = { "Images", "Shop", "User",
	    "Translations", "Videos", "Personalization", "BuyerPrice", NULL };

	if (q_ids(r, "listing_ids", ids, &n) == -1 || includes_ok(r, inc) == -1)
		return;
	uid = optional_user(r);
	res = json_array();
	for (i = 0; i < n; i++)
		if ((l = listing_find(ids[i])) != NULL)
			json_array_append_new(res, listing_json(l, 0,
			    l->user_id == uid, 1));
	reply(r, 200, json_pack("{s:I, s:o}", "count",
	    (json_int_t)json_array_size(res), "results", res));
}

static void
api_listing_get(struct emu_req *r)
{
	int64_t		 id;
	struct listing	*l;

	if (path_id(r, 0, "listing_id", &id) == -1)
		return;
	if ((l = listing_find(id)) == NULL) {
		fail(r, 404, "Listing with listing_id %lld not found",
		    (long long)id);
		return;
	}
	reply(r, 200, listing_json(l, includes_has(r, "Inventory"),
	    l->user_id == optional_user(r), 1));
}

static void
set_state(struct listing *l, const char *st)
{
	(void)str_copy(l->state, sizeof(l->state), st);
	l->state_ts = emu_now();
	l->updated = emu_now();
}

/*
 * Activate a listing. From sold_out (or expired, or with nothing left) this
 * renews it: the quantity becomes 1 and Etsy charges a listing fee, so the
 * renewal is counted (ShopListing.state in the spec; channel-apis.md 1.5).
 */
static void
activate(struct listing *l)
{
	size_t	 i;

	if (strcmp(l->state, "sold_out") == 0 || strcmp(l->state, "expired") ==
	    0 || listing_quantity(l) == 0) {
		l->renewals++;
		if (listing_quantity(l) == 0 && l->nproducts > 0) {
			for (i = 0; i < l->nproducts; i++)
				if (l->products[i].enabled)
					break;
			if (i == l->nproducts)
				i = 0;
			l->products[i].enabled = 1;
			l->products[i].quantity = 1;
			/* the whole quantity group shares the unit */
			for (size_t k = 0; k < l->nproducts; k++)
				if (k != i && same_on(&l->products[k],
				    &l->products[i], &l->on[ON_QTY]))
					l->products[k].quantity = 1;
		}
	}
	set_state(l, "active");
}

static void
api_listing_update(struct emu_req *r)
{
	struct shop	*s;
	struct listing	*l;
	int64_t		 lid;
	struct form	 f = { NULL, 0 };
	struct err	 e;
	json_t		*j = NULL;
	const char	*state = NULL, *title = NULL, *desc = NULL;
	int		 isjson;

	if (path_id(r, 1, "listing_id", &lid) == -1)
		return;
	if ((s = auth_shop(r, "listings_w")) == NULL)
		return;
	if ((l = listing_find(lid)) == NULL || l->shop_id != s->shop_id) {
		fail(r, 404, "Listing with listing_id %lld not found in shop "
		    "%lld", (long long)lid, (long long)s->shop_id);
		return;
	}
	/* the spec's body is form-encoded; JSON is accepted too */
	isjson = strncasecmp(r->http->content_type, "application/json", 16) ==
	    0;
	if (isjson) {
		if ((j = emu_body_json(r)) == NULL || !json_is_object(j)) {
			fail(r, 400, "The request body is not a JSON object");
			goto out;
		}
		if (json_unpack(j, "{s?:s, s?:s, s?:s}", "state", &state,
		    "title", &title, "description", &desc) == -1) {
			fail(r, 400, "state, title and description must be "
			    "strings");
			goto out;
		}
	} else {
		if (form_parse(&f, r->http->body, r->http->body_len, 128,
		    &e) == -1) {
			fail(r, 400, "%s", e.msg);
			goto out;
		}
		state = form_get(&f, "state");
		title = form_get(&f, "title");
		desc = form_get(&f, "description");
	}
	if ((isjson && (json_object_get(j, "quantity") != NULL ||
	    json_object_get(j, "price") != NULL)) || (!isjson &&
	    (form_get(&f, "quantity") != NULL || form_get(&f, "price") !=
	    NULL))) {
		fail(r, 400, "quantity and price can only be changed through "
		    "updateListingInventory");
		goto out;
	}
	if (state != NULL && strcmp(state, "active") != 0 &&
	    strcmp(state, "inactive") != 0) {
		fail(r, 400, "Invalid value for 'state': must be active or "
		    "inactive");
		goto out;
	}
	if (title != NULL && (title[0] == '\0' || strlen(title) > TITLE_LEN)) {
		fail(r, 400, "Invalid value for 'title': 1 to %d characters",
		    TITLE_LEN);
		goto out;
	}
	if (state != NULL && strcmp(state, "active") == 0 &&
	    strcmp(l->state, "draft") == 0) {
		fail(r, 400, "A draft listing needs an image to be activated");
		goto out;
	}
	if (title != NULL)
		(void)str_copy(l->title, sizeof(l->title), title);
	if (desc != NULL)
		(void)str_copy(l->description, sizeof(l->description), desc);
	if (state != NULL && strcmp(state, l->state) != 0) {
		if (strcmp(state, "active") == 0)
			activate(l);
		else
			set_state(l, state);
	}
	l->updated = emu_now();
	reply(r, 200, listing_json(l, 0, 1, 0));
out:
	json_decref(j);
	form_free(&f);
}

/* --- receipts ------------------------------------------------------------ */

static const char *
receipt_status(const struct receipt *rc)
{
	int64_t	 refunded = 0;
	size_t	 i;

	if (rc->canceled)
		return "canceled";
	for (i = 0; i < rc->nrefunds; i++)
		refunded += rc->refunds[i].amount;
	if (refunded > 0)
		return refunded >= rc->total ? "fully refunded" :
		    "partially refunded";
	return rc->paid ? "paid" : "payment processing";
}

static json_t *
txn_json(const struct receipt *rc, const struct txn *t)
{
	json_t	*vars = json_array(), *pd = json_array(), *j;
	size_t	 i;

	for (i = 0; i < t->npv; i++) {
		json_array_append_new(vars, json_pack("{s:I, s:I, s:s, s:s, "
		    "s:n}", "property_id", (json_int_t)t->pv[i].property_id,
		    "value_id", (json_int_t)t->pv[i].value_id, "formatted_name",
		    t->pv[i].property_name, "formatted_value", t->pv[i].value,
		    "question_id"));
		json_array_append_new(pd, pv_json(&t->pv[i]));
	}
	j = json_pack("{s:I, s:s, s:n, s:I, s:I, s:I, s:I, s:o, s:n, s:I, "
	    "s:n, s:I, s:b, s:s, s:I, s:s, s:I, s:s, s:o, s:o, s:o, s:o, "
	    "s:n, s:n, s:n, s:n, s:n, s:n, s:f, s:f}",
	    "transaction_id", (json_int_t)t->transaction_id,
	    "title", t->title, "description",
	    "seller_user_id", (json_int_t)rc->seller_user_id,
	    "buyer_user_id", (json_int_t)rc->buyer_user_id,
	    "create_timestamp", (json_int_t)rc->created,
	    "created_timestamp", (json_int_t)rc->created,
	    "paid_timestamp", rc->paid ? json_integer(rc->paid_at) :
	    json_null(),
	    "shipped_timestamp",
	    "quantity", (json_int_t)t->quantity,
	    "listing_image_id",
	    "receipt_id", (json_int_t)rc->receipt_id,
	    "is_digital", 0, "file_data", "",
	    "listing_id", (json_int_t)t->listing_id,
	    "transaction_type", "listing",
	    "product_id", (json_int_t)t->product_id,
	    "sku", t->sku,
	    "price", money(t->price), "shipping_cost", money(0),
	    "variations", vars, "product_data", pd,
	    "shipping_profile_id", "min_processing_days",
	    "max_processing_days", "shipping_method", "shipping_upgrade",
	    "expected_ship_date", "buyer_coupon", 0.0, "shop_coupon", 0.0);
	return j;
}

static json_t *
receipt_json(const struct receipt *rc)
{
	json_t	*txns = json_array(), *refs = json_array(), *j;
	size_t	 i;

	for (i = 0; i < rc->ntxns; i++)
		json_array_append_new(txns, txn_json(rc, &rc->txns[i]));
	for (i = 0; i < rc->nrefunds; i++)
		json_array_append_new(refs, json_pack("{s:o, s:I, s:s, s:n, "
		    "s:s}", "amount", money(rc->refunds[i].amount),
		    "created_timestamp", (json_int_t)rc->refunds[i].created,
		    "reason", rc->refunds[i].reason, "note_from_issuer",
		    "status", "COMPLETE"));
	j = json_pack("{s:I, s:i, s:I, s:n, s:I, s:n, s:s, s:n, s:n, s:n, "
	    "s:n, s:n, s:s, s:n, s:s, s:s, s:n, s:n, s:n, s:n, s:b, s:b, "
	    "s:I, s:I, s:I, s:I, s:b, s:s, s:s}",
	    "receipt_id", (json_int_t)rc->receipt_id, "receipt_type", 0,
	    "seller_user_id", (json_int_t)rc->seller_user_id, "seller_email",
	    "buyer_user_id", (json_int_t)rc->buyer_user_id, "buyer_email",
	    "name", "SANDBOX Buyer", "first_line", "second_line", "city",
	    "state", "zip", "status", receipt_status(rc), "formatted_address",
	    "country_iso", "US", "payment_method", "cc", "payment_email",
	    "message_from_seller", "message_from_buyer",
	    "message_from_payment", "is_paid", rc->paid, "is_shipped", 0,
	    "create_timestamp", (json_int_t)rc->created,
	    "created_timestamp", (json_int_t)rc->created,
	    "update_timestamp", (json_int_t)rc->updated,
	    "updated_timestamp", (json_int_t)rc->updated,
	    "is_gift", 0, "gift_message", "", "gift_sender", "");
	if (j == NULL) {
		json_decref(txns);
		json_decref(refs);
		return NULL;
	}
	json_object_set_new(j, "grandtotal", money(rc->total));
	json_object_set_new(j, "subtotal", money(rc->total));
	json_object_set_new(j, "total_price", money(rc->total));
	json_object_set_new(j, "total_shipping_cost", money(0));
	json_object_set_new(j, "total_tax_cost", money(0));
	json_object_set_new(j, "total_vat_cost", money(0));
	json_object_set_new(j, "discount_amt", money(0));
	json_object_set_new(j, "gift_wrap_price", money(0));
	json_object_set_new(j, "shipments", json_array());
	json_object_set_new(j, "transactions", txns);
	json_object_set_new(j, "refunds", refs);
	return j;
}

static int receipt_sort_on, receipt_sort_desc;

static int
receipt_cmp(const void *a, const void *b)
{
	const struct receipt *x = *(const struct receipt *const *)a;
	const struct receipt *y = *(const struct receipt *const *)b;
	int64_t	 kx, ky;
	int	 c;

	kx = receipt_sort_on == 1 ? x->updated : receipt_sort_on == 2 ?
	    x->receipt_id : x->created;
	ky = receipt_sort_on == 1 ? y->updated : receipt_sort_on == 2 ?
	    y->receipt_id : y->created;
	if (kx == ky) {
		kx = x->receipt_id;
		ky = y->receipt_id;
	}
	c = kx < ky ? -1 : kx > ky ? 1 : 0;
	return receipt_sort_desc ? -c : c;
}

static void
api_receipts(struct emu_req *r)
{
	struct shop	 *s;
	int64_t		  minc, maxc, minm, maxm, limit, offset, now;
	int		  so, sord, wp, ws, wd, wc, leg;
	struct receipt	**sel = NULL, *rc;
	size_t		  n = 0, i;
	json_t		 *res;
	static const char *const sorts[] = { "created", "updated",
	    "receipt_id", NULL };
	static const char *const orders[] = { "asc", "ascending", "up",
	    "desc", "descending", "down", NULL };

	if (q_int(r, "min_created", 946684800, INT64_MAX, -1, &minc) == -1 ||
	    q_int(r, "max_created", 946684800, INT64_MAX, -1, &maxc) == -1 ||
	    q_int(r, "min_last_modified", 946684800, INT64_MAX, -1, &minm) ==
	    -1 ||
	    q_int(r, "max_last_modified", 946684800, INT64_MAX, -1, &maxm) ==
	    -1 ||
	    q_int(r, "limit", 1, 100, 25, &limit) == -1 ||
	    q_int(r, "offset", 0, INT64_MAX, 0, &offset) == -1 ||
	    q_enum(r, "sort_on", sorts, 0, &so) == -1 ||
	    q_enum(r, "sort_order", orders, 3, &sord) == -1 ||
	    q_bool(r, "was_paid", &wp) == -1 ||
	    q_bool(r, "was_shipped", &ws) == -1 ||
	    q_bool(r, "was_delivered", &wd) == -1 ||
	    q_bool(r, "was_canceled", &wc) == -1 ||
	    q_bool(r, "legacy", &leg) == -1)
		return;
	if ((s = auth_shop(r, "transactions_r")) == NULL)
		return;
	if (S.nreceipts > 0 && (sel = calloc(S.nreceipts, sizeof(*sel))) ==
	    NULL) {
		fail(r, 500, "out of memory");
		return;
	}
	now = emu_now();
	for (i = 0; i < S.nreceipts; i++) {
		rc = S.receipts[i];
		if (rc->shop_id != s->shop_id || rc->visible_at > now)
			continue;
		if ((minc != -1 && rc->created < minc) ||
		    (maxc != -1 && rc->created > maxc) ||
		    (minm != -1 && rc->updated < minm) ||
		    (maxm != -1 && rc->updated > maxm))
			continue;
		if ((wp != -1 && rc->paid != wp) || ws == 1 || wd == 1 ||
		    (wc != -1 && rc->canceled != wc))
			continue;
		sel[n++] = rc;
	}
	receipt_sort_on = so;
	receipt_sort_desc = sord >= 3;
	if (n > 0)
		qsort(sel, n, sizeof(*sel), receipt_cmp);
	res = json_array();
	for (i = (size_t)(offset < (int64_t)n ? offset : (int64_t)n);
	    i < n && json_array_size(res) < (size_t)limit; i++)
		json_array_append_new(res, receipt_json(sel[i]));
	free(sel);
	reply(r, 200, json_pack("{s:I, s:o}", "count", (json_int_t)n,
	    "results", res));
}

static void
api_receipt(struct emu_req *r)
{
	struct shop	*s;
	struct receipt	*rc;
	int64_t		 id;
	int		 leg;

	if (path_id(r, 1, "receipt_id", &id) == -1 ||
	    q_bool(r, "legacy", &leg) == -1)
		return;
	if ((s = auth_shop(r, "transactions_r")) == NULL)
		return;
	if ((rc = receipt_find(id)) == NULL || rc->shop_id != s->shop_id) {
		fail(r, 404, "Receipt with receipt_id %lld not found",
		    (long long)id);
		return;
	}
	reply(r, 200, receipt_json(rc));
}

/* --- the ORDER_PAID webhook ---------------------------------------------- */

/*
 * Standard Webhooks: HMAC-SHA256 over "id.timestamp.body" keyed with the
 * base64-decoded secret after "whsec_", sent as "v1,<base64>"
 * (channel-apis.md 1.8). Signed here with OpenSSL directly, not lib/sig.
 */
static int
hook_sign(const char *id, const char *ts, const char *body, char *out,
    size_t outsz)
{
	unsigned char	 key[128], mac[EVP_MAX_MD_SIZE];
	unsigned int	 maclen = 0;
	char		 b64[128];
	const char	*s64 = S.hook_secret + 6;
	size_t		 n64 = strlen(s64);
	int		 klen;
	struct buf	 msg;
	int		 rc = -1;

	if (n64 == 0 || n64 % 4 != 0 || n64 / 4 * 3 > sizeof(key))
		return -1;
	if ((klen = EVP_DecodeBlock(key, (const unsigned char *)s64,
	    (int)n64)) < 0)
		return -1;
	/* EVP_DecodeBlock counts the padding as bytes */
	if (n64 >= 1 && s64[n64 - 1] == '=')
		klen--;
	if (n64 >= 2 && s64[n64 - 2] == '=')
		klen--;
	buf_init(&msg, 1024 * 1024);
	if (buf_printf(&msg, "%s.%s.%s", id, ts, body) == -1)
		goto out;
	if (HMAC(EVP_sha256(), key, klen, (const unsigned char *)msg.data,
	    msg.len, mac, &maclen) == NULL)
		goto out;
	EVP_EncodeBlock((unsigned char *)b64, mac, (int)maclen);
	rc = str_fmt(out, outsz, "v1,%s", b64);
out:
	buf_free(&msg);
	return rc;
}

static void
order_paid_hook(struct emu_req *r, const struct receipt *rc)
{
	char		 id[48], ts[24], sig[128], base[256], url[384];
	char		*body = NULL;
	const char	*host;
	json_t		*j;

	if (S.hook_url[0] == '\0')
		return;		/* off by default, as for non-commercial apps */
	host = http_header(r->http, "Host");
	(void)str_fmt(base, sizeof(base), "http://%s",
	    host != NULL && strpbrk(host, "/\"\\ ") == NULL ? host :
	    "127.0.0.1");
	(void)str_fmt(id, sizeof(id), "msg_sbx%016llx",
	    (unsigned long long)++S.next_hook);
	(void)str_fmt(ts, sizeof(ts), "%lld", (long long)emu_now());
	(void)str_fmt(url, sizeof(url), "%s/v3/application/shops/%lld/"
	    "receipts/%lld", base, (long long)rc->shop_id,
	    (long long)rc->receipt_id);
	if ((j = json_pack("{s:s, s:s, s:I}", "event_type", "order.paid",
	    "resource_url", url, "shop_id", (json_int_t)rc->shop_id)) == NULL)
		return;
	body = json_dumps(j, JSON_COMPACT);
	json_decref(j);
	if (body == NULL || hook_sign(id, ts, body, sig, sizeof(sig)) == -1)
		goto out;
	(void)emu_webhook_queue(S.hook_url, (struct http_header[]){
	    { "Content-Type", "application/json" }, { "webhook-id", id },
	    { "webhook-timestamp", ts }, { "webhook-signature", sig },
	    { NULL, NULL } }, body, strlen(body));
out:
	free(body);
}

/* --- control API --------------------------------------------------------- */

static int64_t
ctl_int(const json_t *j, const char *k, int64_t dflt)
{
	json_t	*v = json_object_get(j, k);

	return json_is_integer(v) ? json_integer_value(v) : dflt;
}

static struct shop *
shop_add(int64_t shop_id, int64_t user_id, const char *name, int pp)
{
	struct shop	*s;

	if (S.nshops == SHOPS_MAX || shop_find(shop_id) != NULL ||
	    shop_of_user(user_id) != NULL)
		return NULL;
	s = &S.shops[S.nshops++];
	memset(s, 0, sizeof(*s));
	s->shop_id = shop_id;
	s->user_id = user_id;
	(void)str_copy(s->name, sizeof(s->name), name);
	s->processing_profiles = pp;
	return s;
}

static void
ctl_shops(struct emu_req *r)
{
	json_t		*j = emu_body_json(r);
	const char	*name = NULL;
	struct shop	*s;
	int64_t		 sid, uid;
	int		 pp = 0;

	if (j == NULL || json_unpack(j, "{s:s, s?:b}", "shop_name", &name,
	    "processing_profiles", &pp) == -1) {
		ctl_fail(r, 400, "send {\"shop_name\", \"shop_id\"?, "
		    "\"user_id\"?, \"processing_profiles\"?}");
		goto out;
	}
	sid = ctl_int(j, "shop_id", 5550001 + (int64_t)S.nshops);
	uid = ctl_int(j, "user_id", 7770001 + (int64_t)S.nshops);
	if (sid < 1 || uid < 1 || (s = shop_add(sid, uid, name, pp)) == NULL) {
		ctl_fail(r, 409, "shop_id or user_id taken, or too many shops");
		goto out;
	}
	emu_reply_new(r, 201, json_pack("{s:I, s:I, s:s, s:b}", "shop_id",
	    (json_int_t)s->shop_id, "user_id", (json_int_t)s->user_id,
	    "shop_name", s->name, "processing_profiles",
	    s->processing_profiles), NULL);
out:
	json_decref(j);
}

/* Built-in property ids for common names; others are custom 513/514. */
static int64_t
property_id_for(const char *name, int64_t *next_custom)
{
	if (strcasecmp(name, "Size") == 0)
		return 100;
	if (strcasecmp(name, "Primary color") == 0)
		return 200;
	if (strcasecmp(name, "Material") == 0)
		return 507;
	return (*next_custom)++;
}

/*
 * Turn the control API's friendly product list ({"sku","quantity","price",
 * "variations":{"Color":"Red"}}) into an updateListingInventory body, so
 * the same checks apply as to the API's writes. Returns a new reference.
 */
static json_t *
friendly_products(const json_t *prods, const json_t *extra, char *msg,
    size_t msz)
{
	json_t		*out = json_array(), *body, *jp, *vars, *v, *pvs;
	const char	*names[PV_MAX], *key;
	int64_t		 ids[PV_MAX], next_custom = 513;
	size_t		 nnames = 0, i, k, m;
	int		 varies[PV_MAX][ON__MAX];

	memset(varies, 0, sizeof(varies));
	if (!json_is_array(prods) || json_array_size(prods) == 0) {
		(void)str_fmt(msg, msz, "products: a non-empty array");
		json_decref(out);
		return NULL;
	}
	json_array_foreach(prods, i, jp) {
		vars = json_object_get(jp, "variations");
		if (vars != NULL && !json_is_object(vars)) {
			(void)str_fmt(msg, msz, "products[%zu].variations: an "
			    "object of name: value", i);
			goto fail;
		}
		pvs = json_array();
		json_array_append_new(out, json_pack("{s:O?, s:o, s:[{s:O?, "
		    "s:O?, s:b, s:O?}]}", "sku", json_object_get(jp, "sku"),
		    "property_values", pvs, "offerings", "price",
		    json_object_get(jp, "price"), "quantity",
		    json_object_get(jp, "quantity"), "is_enabled",
		    !json_is_false(json_object_get(jp, "is_enabled")),
		    "readiness_state_id", json_object_get(jp,
		    "readiness_state_id")));
		json_object_foreach(vars, key, v) {
			for (k = 0; k < nnames; k++)
				if (strcmp(names[k], key) == 0)
					break;
			if (k == nnames) {
				if (nnames == PV_MAX) {
					(void)str_fmt(msg, msz, "at most %d "
					    "variation properties", PV_MAX);
					goto fail;
				}
				names[nnames] = key;
				ids[nnames++] = property_id_for(key,
				    &next_custom);
			}
			if (!json_is_string(v)) {
				(void)str_fmt(msg, msz, "products[%zu]."
				    "variations.%s: a string", i, key);
				goto fail;
			}
			json_array_append_new(pvs, json_pack("{s:I, s:s, s:[], "
			    "s:[O]}", "property_id", (json_int_t)ids[k],
			    "property_name", key, "value_ids", "values", v));
		}
	}
	/* the *_on_property arrays: every property a field varies on */
	for (i = 0; i < json_array_size(prods); i++)
		for (m = i + 1; m < json_array_size(prods); m++) {
			json_t *a = json_array_get(prods, i);
			json_t *b = json_array_get(prods, m);
			static const char *const f[ON__MAX] = { "price",
			    "quantity", "sku", "readiness_state_id" };
			int w;

			for (w = 0; w < ON__MAX; w++)
				if (!json_equal(json_object_get(a, f[w]),
				    json_object_get(b, f[w])) &&
				    !(json_object_get(a, f[w]) == NULL &&
				    json_object_get(b, f[w]) == NULL))
					for (k = 0; k < nnames; k++)
						varies[k][w] = 1;
		}
	body = json_pack("{s:o}", "products", out);
	for (i = 0; body != NULL && i < ON__MAX; i++) {
		json_t *a = json_array();

		for (k = 0; k < nnames; k++)
			if (varies[k][i] || (i == ON_QTY && json_array_size(
			    prods) > 1))
				json_array_append_new(a, json_integer(ids[k]));
		json_object_set_new(body, onprop_names[i], a);
	}
	/* explicit arrays from the caller win */
	for (i = 0; body != NULL && extra != NULL && i < ON__MAX; i++)
		if (json_object_get(extra, onprop_names[i]) != NULL)
			json_object_set(body, onprop_names[i],
			    json_object_get(extra, onprop_names[i]));
	return body;
fail:
	json_decref(out);
	return NULL;
}

static struct listing *
listing_add(struct shop *s, const char *title, const char *state,
    const json_t *prods, const json_t *extra, char *msg, size_t msz)
{
	struct listing	*l = NULL;
	json_t		*body;
	struct product	*ps;
	size_t		 np;
	struct propset	 on[ON__MAX];
	int		 k, ok = 0;

	for (k = 0; listing_states[k] != NULL; k++)
		if (strcmp(state, listing_states[k]) == 0)
			ok = 1;
	if (!ok || title[0] == '\0' || strlen(title) > TITLE_LEN) {
		(void)str_fmt(msg, msz, "title (1..%d) and a listing state are "
		    "required", TITLE_LEN);
		return NULL;
	}
	if ((body = friendly_products(prods, extra, msg, msz)) == NULL)
		return NULL;
	if (inventory_parse(body, s, NULL, &ps, &np, on, msg, msz) == -1) {
		json_decref(body);
		return NULL;
	}
	json_decref(body);
	if (grow((void **)&S.listings, &S.caplistings, S.nlistings,
	    sizeof(*S.listings)) == -1 || (l = calloc(1, sizeof(*l))) ==
	    NULL) {
		free(ps);
		(void)str_fmt(msg, msz, "out of memory");
		return NULL;
	}
	l->listing_id = S.next_listing++;
	l->shop_id = s->shop_id;
	l->user_id = s->user_id;
	(void)str_copy(l->title, sizeof(l->title), title);
	(void)str_copy(l->description, sizeof(l->description),
	    "SANDBOX listing (local Etsy emulator).");
	(void)str_copy(l->state, sizeof(l->state), state);
	l->created = l->state_ts = emu_now();
	inventory_commit(l, ps, np, on);
	S.listings[S.nlistings++] = l;
	return l;
}

static void
ctl_listings(struct emu_req *r)
{
	json_t		*j = emu_body_json(r);
	const char	*title = NULL, *state = "active";
	struct shop	*s;
	struct listing	*l;
	char		 msg[256];
	json_int_t	 sid = 0;

	if (j == NULL || json_unpack(j, "{s:I, s:s, s?:s}", "shop_id", &sid,
	    "title", &title, "state", &state) == -1) {
		ctl_fail(r, 400, "send {\"shop_id\", \"title\", \"state\"?, "
		    "\"products\":[{\"sku\",\"quantity\",\"price\","
		    "\"variations\"?}]}");
		goto out;
	}
	if ((s = shop_find(sid)) == NULL) {
		ctl_fail(r, 404, "no such shop");
		goto out;
	}
	if ((l = listing_add(s, title, state, json_object_get(j, "products"),
	    j, msg, sizeof(msg))) == NULL) {
		ctl_fail(r, 400, msg);
		goto out;
	}
	emu_reply_new(r, 201, listing_json(l, 1, 1, 1), NULL);
out:
	json_decref(j);
}

/* The product an order or edit names: by sku, or by variation values. */
static struct product *
product_pick(struct listing *l, const json_t *spec, char *msg, size_t msz)
{
	const char	*sku = json_string_value(json_object_get(spec, "sku"));
	json_t		*vars = json_object_get(spec, "variations"), *v;
	const char	*key;
	size_t		 i, k, hits;

	for (i = 0; i < l->nproducts; i++) {
		struct product *p = &l->products[i];

		if (sku != NULL) {
			if (strcmp(p->sku, sku) == 0)
				return p;
			continue;
		}
		if (vars == NULL) {
			if (l->nproducts == 1)
				return p;
			break;
		}
		hits = 0;
		json_object_foreach(vars, key, v)
			for (k = 0; k < p->npv; k++)
				if (strcasecmp(p->pv[k].property_name, key) ==
				    0 && json_is_string(v) && strcmp(p->pv[k].
				    value, json_string_value(v)) == 0)
					hits++;
		if (hits == p->npv && hits == json_object_size(vars))
			return p;
	}
	(void)str_fmt(msg, msz, "listing %lld has no product with that %s",
	    (long long)l->listing_id, sku != NULL ? "sku" : "variation");
	return NULL;
}

/* Set a product's quantity, with its whole quantity group. */
static void
set_group_qty(struct listing *l, const struct product *p, int64_t q)
{
	struct product	 ref = *p;
	size_t		 i;

	for (i = 0; i < l->nproducts; i++)
		if (same_on(&l->products[i], &ref, &l->on[ON_QTY]))
			l->products[i].quantity = q;
}

static void
regenerate_ids(struct listing *l)
{
	size_t	 i;

	for (i = 0; i < l->nproducts; i++) {
		l->products[i].product_id = S.next_product++;
		l->products[i].offering_id = S.next_offering++;
	}
}

/* POST /_sandbox/listings/{}/quantity: the seller edits on etsy.com. */
static void
ctl_quantity(struct emu_req *r)
{
	json_t		*j = emu_body_json(r);
	struct listing	*l;
	struct product	*p;
	int64_t		 id, q, old;
	char		 msg[256];

	if (str_to_i64(r->ids[0], 1, INT64_MAX, &id) == -1 ||
	    (l = listing_find(id)) == NULL) {
		ctl_fail(r, 404, "no such listing");
		goto out;
	}
	q = ctl_int(j, "quantity", -1);
	if (j == NULL || q < 0 || q > QTY_MAX) {
		ctl_fail(r, 400, "send {\"sku\"|\"variations\", \"quantity\": "
		    "0..999}");
		goto out;
	}
	if ((p = product_pick(l, j, msg, sizeof(msg))) == NULL) {
		ctl_fail(r, 404, msg);
		goto out;
	}
	old = p->quantity;
	set_group_qty(l, p, q);
	if (listing_quantity(l) == 0) {
		/* Etsy's editor refuses this too */
		set_group_qty(l, p, old);
		ctl_fail(r, 400, "One offering must have quantity greater "
		    "than 0");
		goto out;
	}
	/* a save on etsy.com rewrites the inventory: new ids */
	regenerate_ids(l);
	l->updated = emu_now();
	emu_reply_new(r, 200, listing_json(l, 1, 1, 1), NULL);
out:
	json_decref(j);
}

/* POST /_sandbox/listings/{}/products: add a variation value (drift). */
static void
ctl_add_product(struct emu_req *r)
{
	json_t		*j = emu_body_json(r), *cur = NULL, *prods, *v, *body;
	struct listing	*l;
	struct shop	*s;
	struct product	*ps;
	size_t		 np, i, k;
	struct propset	 on[ON__MAX];
	char		 msg[256];
	int		 w;
	int64_t		 id;

	if (str_to_i64(r->ids[0], 1, INT64_MAX, &id) == -1 ||
	    (l = listing_find(id)) == NULL ||
	    (s = shop_find(l->shop_id)) == NULL) {
		ctl_fail(r, 404, "no such listing");
		goto out;
	}
	if (!json_is_object(j) || !json_is_object(json_object_get(j,
	    "variations"))) {
		ctl_fail(r, 400, "send {\"variations\":{name:value}, \"sku\", "
		    "\"quantity\", \"price\"}");
		goto out;
	}
	/* the current inventory in PUT form, plus the new product */
	cur = inventory_json(l);
	prods = json_object_get(cur, "products");
	json_array_foreach(prods, i, v) {
		json_t *o = json_array_get(json_object_get(v, "offerings"), 0);
		json_t *pv;

		/* what a careful client does with a GET before a PUT */
		json_object_del(v, "product_id");
		json_object_del(v, "is_deleted");
		json_object_del(o, "offering_id");
		json_object_del(o, "is_deleted");
		json_object_set_new(o, "price", json_real((double)
		    l->products[i].price / 100.0));
		json_array_foreach(json_object_get(v, "property_values"), k, pv)
			json_object_del(pv, "scale_name");
	}
	{
		json_t *pvs = json_array(), *np_ = json_pack("{s:O, s:o, "
		    "s:[{s:O?, s:O?, s:b, s:O?}]}", "sku", json_object_get(j,
		    "sku") != NULL ? json_object_get(j, "sku") : json_null(),
		    "property_values", pvs, "offerings", "price",
		    json_object_get(j, "price"), "quantity",
		    json_object_get(j, "quantity"), "is_enabled", 1,
		    "readiness_state_id", json_object_get(j,
		    "readiness_state_id"));
		const char *key;

		json_object_foreach(json_object_get(j, "variations"), key, v) {
			int64_t pid = 0;

			for (k = 0; l->nproducts > 0 && k < l->products[0].npv;
			    k++)
				if (strcasecmp(l->products[0].pv[k].
				    property_name, key) == 0)
					pid = l->products[0].pv[k].property_id;
			if (pid == 0 || !json_is_string(v)) {
				json_decref(np_);
				ctl_fail(r, 400, "variations must name the "
				    "listing's properties with string values");
				goto out;
			}
			json_array_append_new(pvs, json_pack("{s:I, s:[], "
			    "s:[O]}", "property_id", (json_int_t)pid,
			    "value_ids", "values", v));
		}
		json_array_append_new(prods, np_);
	}
	body = json_pack("{s:O}", "products", prods);
	for (w = 0; body != NULL && w < ON__MAX; w++)
		json_object_set(body, onprop_names[w], json_object_get(cur,
		    onprop_names[w]));
	if (inventory_parse(body, s, l, &ps, &np, on, msg, sizeof(msg)) ==
	    -1) {
		json_decref(body);
		ctl_fail(r, 400, msg);
		goto out;
	}
	json_decref(body);
	inventory_commit(l, ps, np, on);
	emu_reply_new(r, 200, listing_json(l, 1, 1, 1), NULL);
out:
	json_decref(cur);
	json_decref(j);
}

/* POST /_sandbox/listings/{}/rename: a variation value renamed (drift). */
static void
ctl_rename(struct emu_req *r)
{
	json_t		*j = emu_body_json(r);
	const char	*prop = NULL, *from = NULL, *to = NULL;
	struct listing	*l;
	int64_t		 id, vid = 0;
	size_t		 i, k, n = 0;

	if (str_to_i64(r->ids[0], 1, INT64_MAX, &id) == -1 ||
	    (l = listing_find(id)) == NULL) {
		ctl_fail(r, 404, "no such listing");
		goto out;
	}
	if (j == NULL || json_unpack(j, "{s:s, s:s, s:s}", "property", &prop,
	    "from", &from, "to", &to) == -1 || to[0] == '\0' ||
	    strlen(to) >= sizeof(l->products[0].pv[0].value) ||
	    strpbrk(to, "()") != NULL) {
		ctl_fail(r, 400, "send {\"property\", \"from\", \"to\"}");
		goto out;
	}
	for (i = 0; i < l->nproducts; i++)
		for (k = 0; k < l->products[i].npv; k++) {
			struct pval *pv = &l->products[i].pv[k];

			if (strcasecmp(pv->property_name, prop) != 0 ||
			    strcmp(pv->value, from) != 0)
				continue;
			/* a new string is a new value on Etsy: new id */
			if (vid == 0)
				vid = S.next_value++;
			(void)str_copy(pv->value, sizeof(pv->value), to);
			pv->value_id = vid;
			n++;
		}
	if (n == 0) {
		ctl_fail(r, 404, "no product has that property value");
		goto out;
	}
	regenerate_ids(l);
	l->updated = emu_now();
	emu_reply_new(r, 200, listing_json(l, 1, 1, 1), NULL);
out:
	json_decref(j);
}

struct pick {
	struct listing	*l;
	struct product	*p;
	int64_t		 qty;
};

static struct receipt *
receipt_new(const struct shop *s, int64_t buyer, size_t nitems)
{
	struct receipt	*rc;

	if (grow((void **)&S.receipts, &S.capreceipts, S.nreceipts,
	    sizeof(*S.receipts)) == -1 ||
	    (rc = calloc(1, sizeof(*rc))) == NULL)
		return NULL;
	if ((rc->txns = calloc(nitems, sizeof(*rc->txns))) == NULL) {
		free(rc);
		return NULL;
	}
	rc->receipt_id = S.next_receipt++;
	rc->shop_id = s->shop_id;
	rc->seller_user_id = s->user_id;
	rc->buyer_user_id = buyer;
	rc->created = rc->updated = emu_now();
	/* records that show up in receipt listings only later */
	rc->visible_at = rc->created + emu_visibility_delay();
	S.receipts[S.nreceipts++] = rc;
	return rc;
}

/*
 * POST /_sandbox/orders: a buyer checks out. Refused (409) when a listing
 * is not active or shows fewer units than asked: a channel never sells
 * what it does not show. All items or none.
 */
static void
ctl_orders(struct emu_req *r)
{
	json_t		*j = emu_body_json(r), *items, *it;
	struct pick	 pk[BATCH_MAX];
	struct shop	*s = NULL;
	struct receipt	*rc;
	char		 msg[256];
	size_t		 n, i, k;
	int64_t		 lid, q, have;
	int		 paid = 1;

	if (!json_is_object(j)) {
		ctl_fail(r, 400, "send {\"listing_id\", \"sku\"|\"variations\", "
		    "\"quantity\", \"paid\"?} or {\"items\":[...]}");
		goto out;
	}
	if (json_is_false(json_object_get(j, "paid")))
		paid = 0;
	items = json_object_get(j, "items");
	n = json_is_array(items) ? json_array_size(items) : 1;
	if (n == 0 || n > BATCH_MAX) {
		ctl_fail(r, 400, "1 to 100 items");
		goto out;
	}
	for (i = 0; i < n; i++) {
		it = json_is_array(items) ? json_array_get(items, i) : j;
		lid = ctl_int(it, "listing_id", 0);
		q = ctl_int(it, "quantity", 1);
		if ((pk[i].l = listing_find(lid)) == NULL) {
			ctl_fail(r, 404, "no such listing");
			goto out;
		}
		if (q < 1 || q > QTY_MAX) {
			ctl_fail(r, 400, "quantity: 1..999");
			goto out;
		}
		if (s == NULL)
			s = shop_find(pk[i].l->shop_id);
		if (s == NULL || pk[i].l->shop_id != s->shop_id) {
			ctl_fail(r, 400, "all items must come from one shop");
			goto out;
		}
		if ((pk[i].p = product_pick(pk[i].l, it, msg, sizeof(msg))) ==
		    NULL) {
			ctl_fail(r, 404, msg);
			goto out;
		}
		pk[i].qty = q;
		/* what the buyer sees: an active listing, an enabled
		 * offering, and its quantity less what this cart holds */
		have = pk[i].p->quantity;
		for (k = 0; k < i; k++)
			if (pk[k].l == pk[i].l && same_on(pk[k].p, pk[i].p,
			    &pk[i].l->on[ON_QTY]))
				have -= pk[k].qty;
		if (strcmp(pk[i].l->state, "active") != 0 ||
		    !pk[i].p->enabled || have < q) {
			emu_reply_new(r, 409, json_pack("{s:s, s:I, s:s, s:I}",
			    "error", "the channel does not show that many "
			    "units", "listing_id", (json_int_t)lid, "state",
			    pk[i].l->state, "shown", (json_int_t)(
			    strcmp(pk[i].l->state, "active") == 0 &&
			    pk[i].p->enabled ? have : 0)), NULL);
			goto out;
		}
	}
	if ((rc = receipt_new(s, ctl_int(j, "buyer_user_id", 9990001), n)) ==
	    NULL) {
		ctl_fail(r, 500, "out of memory");
		goto out;
	}
	for (i = 0; i < n; i++) {
		struct txn	*t = &rc->txns[rc->ntxns++];
		struct listing	*l = pk[i].l;

		t->transaction_id = S.next_txn++;
		t->listing_id = l->listing_id;
		t->product_id = pk[i].p->product_id;
		(void)str_copy(t->sku, sizeof(t->sku), pk[i].p->sku);
		(void)str_copy(t->title, sizeof(t->title), l->title);
		t->quantity = pk[i].qty;
		t->price = pk[i].p->price;
		memcpy(t->pv, pk[i].p->pv, sizeof(t->pv));
		t->npv = pk[i].p->npv;
		rc->total += t->price * t->quantity;
		/* a sale decrements the offering and its quantity group;
		 * Etsy keeps the product and offering ids on a sale */
		set_group_qty(l, pk[i].p, pk[i].p->quantity - pk[i].qty);
		l->updated = emu_now();
		if (listing_quantity(l) == 0)
			set_state(l, "sold_out");
	}
	rc->paid = paid;
	if (paid) {
		rc->paid_at = rc->created;
		order_paid_hook(r, rc);
	}
	emu_reply_new(r, 201, receipt_json(rc), NULL);
out:
	json_decref(j);
}

static struct receipt *
ctl_receipt(struct emu_req *r)
{
	int64_t		 id;
	struct receipt	*rc;

	if (str_to_i64(r->ids[0], 1, INT64_MAX, &id) == -1 ||
	    (rc = receipt_find(id)) == NULL) {
		ctl_fail(r, 404, "no such receipt");
		return NULL;
	}
	return rc;
}

/* Put a receipt's units back (only when the caller says so). */
static void
restock(const struct receipt *rc)
{
	size_t	 i, k;

	for (i = 0; i < rc->ntxns; i++) {
		struct listing *l = listing_find(rc->txns[i].listing_id);

		if (l == NULL)
			continue;
		for (k = 0; k < l->nproducts; k++)
			if (strcmp(l->products[k].sku, rc->txns[i].sku) == 0)
				break;
		if (k == l->nproducts)
			continue;
		set_group_qty(l, &l->products[k], l->products[k].quantity +
		    rc->txns[i].quantity > QTY_MAX ? QTY_MAX :
		    l->products[k].quantity + rc->txns[i].quantity);
		l->updated = emu_now();
	}
}

static void
ctl_pay(struct emu_req *r)
{
	struct receipt	*rc;

	if ((rc = ctl_receipt(r)) == NULL)
		return;
	if (rc->paid || rc->canceled) {
		ctl_fail(r, 409, "already paid or canceled");
		return;
	}
	rc->paid = 1;
	rc->paid_at = rc->updated = emu_now();
	order_paid_hook(r, rc);
	emu_reply_new(r, 200, receipt_json(rc), NULL);
}

/*
 * Cancels and refunds do NOT move update_timestamp/updated_timestamp:
 * receipts are point-of-checkout records, so a min_last_modified poll
 * misses them (channel-apis.md 1.4: etsy/open-api#513, #339, #604, #629).
 * Only a was_canceled=true sweep or a re-read finds them. Neither restocks
 * unless asked (Etsy's behaviour is unverified; connectors say it does
 * not).
 */
static void
ctl_cancel(struct emu_req *r)
{
	json_t		*j = emu_body_json(r);
	struct receipt	*rc;

	if ((rc = ctl_receipt(r)) == NULL)
		goto out;
	if (rc->canceled) {
		ctl_fail(r, 409, "already canceled");
		goto out;
	}
	rc->canceled = 1;
	if (json_is_true(json_object_get(j, "restock")))
		restock(rc);
	emu_reply_new(r, 200, receipt_json(rc), NULL);
out:
	json_decref(j);
}

static void
ctl_refund(struct emu_req *r)
{
	json_t		*j = emu_body_json(r);
	struct receipt	*rc;
	int64_t		 amount, done = 0;
	const char	*reason = NULL;
	size_t		 i;
	void		*p;

	if ((rc = ctl_receipt(r)) == NULL)
		goto out;
	if (j == NULL || cents_of(json_object_get(j, "amount"), &amount) ==
	    -1 || amount <= 0 || json_unpack(j, "{s?:s}", "reason",
	    &reason) == -1) {
		ctl_fail(r, 400, "send {\"amount\": 12.50, \"reason\"?, "
		    "\"restock\"?}");
		goto out;
	}
	for (i = 0; i < rc->nrefunds; i++)
		done += rc->refunds[i].amount;
	if (!rc->paid || done + amount > rc->total) {
		ctl_fail(r, 409, "the receipt is unpaid or the amount is more "
		    "than what is left to refund");
		goto out;
	}
	if ((p = realloc(rc->refunds, (rc->nrefunds + 1) *
	    sizeof(*rc->refunds))) == NULL) {
		ctl_fail(r, 500, "out of memory");
		goto out;
	}
	rc->refunds = p;
	rc->refunds[rc->nrefunds].amount = amount;
	rc->refunds[rc->nrefunds].created = emu_now();
	(void)str_copy(rc->refunds[rc->nrefunds].reason,
	    sizeof(rc->refunds[0].reason), reason != NULL ? reason :
	    "SANDBOX refund");
	rc->nrefunds++;
	if (json_is_true(json_object_get(j, "restock")))
		restock(rc);
	emu_reply_new(r, 200, receipt_json(rc), NULL);
out:
	json_decref(j);
}

static void
ctl_credentials(struct emu_req *r)
{
	json_t		*j = emu_body_json(r);
	const char	*k = NULL, *s = NULL;

	if (j == NULL || json_unpack(j, "{s:s, s:s}", "keystring", &k,
	    "shared_secret", &s) == -1 || k[0] == '\0' || s[0] == '\0' ||
	    strchr(k, ':') != NULL || str_copy(S.keystring, sizeof(S.keystring),
	    k) == -1 || str_copy(S.secret, sizeof(S.secret), s) == -1) {
		ctl_fail(r, 400, "send {\"keystring\", \"shared_secret\"} "
		    "(no ':' in the keystring, under 64 characters)");
		goto out;
	}
	emu_reply_new(r, 200, json_pack("{s:s}", "keystring", S.keystring),
	    NULL);
out:
	json_decref(j);
}

static void
ctl_oauth(struct emu_req *r)
{
	json_t		*j = emu_body_json(r);
	int		 aa = 0;
	json_int_t	 uid = 0;

	if (j == NULL || json_unpack(j, "{s:b, s?:I}", "auto_approve", &aa,
	    "user_id", &uid) == -1 || (uid != 0 && shop_of_user(uid) ==
	    NULL)) {
		ctl_fail(r, 400, "send {\"auto_approve\": bool, \"user_id\"?: "
		    "a sandbox seller}");
		goto out;
	}
	S.auto_approve = aa;
	S.approve_user = uid;
	emu_reply_new(r, 200, json_pack("{s:b, s:I}", "auto_approve", aa,
	    "user_id", uid), NULL);
out:
	json_decref(j);
}

/* A password change on Etsy: every token of the user is revoked. */
static void
ctl_revoke(struct emu_req *r)
{
	json_t		*j = emu_body_json(r);
	json_int_t	 uid = 0;
	size_t		 i, n = 0;

	if (j == NULL || json_unpack(j, "{s:I}", "user_id", &uid) == -1) {
		ctl_fail(r, 400, "send {\"user_id\"}");
		goto out;
	}
	for (i = 0; i < S.ntokens; i++)
		if (S.tokens[i].user_id == uid) {
			S.tokens[i].access_live = S.tokens[i].refresh_live = 0;
			n++;
		}
	emu_reply_new(r, 200, json_pack("{s:I}", "revoked", (json_int_t)n),
	    NULL);
out:
	json_decref(j);
}

static void
ctl_rate_limits(struct emu_req *r)
{
	json_t		*j = emu_body_json(r);
	json_int_t	 qps = S.qps, qpd = S.qpd;

	if (j == NULL || json_unpack(j, "{s?:I, s?:I !}", "per_second", &qps,
	    "per_day", &qpd) == -1 || qps < 1 || qpd < 1 || qps > 1000000 ||
	    qpd > 1000000000) {
		ctl_fail(r, 400, "send {\"per_second\"?: N, \"per_day\"?: N}");
		goto out;
	}
	S.qps = qps;
	S.qpd = qpd;
	emu_reply_new(r, 200, json_pack("{s:I, s:I}", "per_second", qps,
	    "per_day", qpd), NULL);
out:
	json_decref(j);
}

static void
ctl_webhook(struct emu_req *r)
{
	json_t		*j = emu_body_json(r);
	const char	*url = NULL, *sec = NULL;
	unsigned char	 raw[32];
	char		 b64[64];
	size_t		 i;

	if (j == NULL || json_unpack(j, "{s:s, s?:s}", "url", &url, "secret",
	    &sec) == -1 || (strncmp(url, "http://", 7) != 0 &&
	    strncmp(url, "https://", 8) != 0) || (sec != NULL &&
	    (strncmp(sec, "whsec_", 6) != 0 || strlen(sec + 6) % 4 != 0 ||
	    strlen(sec) < 10)) || str_copy(S.hook_url, sizeof(S.hook_url),
	    url) == -1) {
		S.hook_url[0] = '\0';
		ctl_fail(r, 400, "send {\"url\": \"http(s)://...\", \"secret\"?:"
		    " \"whsec_<base64>\"}");
		goto out;
	}
	if (sec != NULL)
		(void)str_copy(S.hook_secret, sizeof(S.hook_secret), sec);
	else {
		for (i = 0; i < sizeof(raw); i++)
			raw[i] = (unsigned char)emu_rand_below(256);
		EVP_EncodeBlock((unsigned char *)b64, raw, sizeof(raw));
		(void)str_fmt(S.hook_secret, sizeof(S.hook_secret), "whsec_%s",
		    b64);
	}
	emu_reply_new(r, 200, json_pack("{s:s, s:s}", "url", S.hook_url,
	    "secret", S.hook_secret), NULL);
out:
	json_decref(j);
}

static void
ctl_webhook_off(struct emu_req *r)
{
	S.hook_url[0] = S.hook_secret[0] = '\0';
	emu_reply_new(r, 200, json_pack("{s:b}", "enabled", 0), NULL);
}

static void
ctl_state(struct emu_req *r)
{
	json_t	*shops = json_array(), *ls = json_array(), *rs = json_array(),
		*j;
	size_t	 i;

	for (i = 0; i < S.nshops; i++)
		json_array_append_new(shops, json_pack("{s:I, s:I, s:s, s:b}",
		    "shop_id", (json_int_t)S.shops[i].shop_id, "user_id",
		    (json_int_t)S.shops[i].user_id, "shop_name",
		    S.shops[i].name, "processing_profiles",
		    S.shops[i].processing_profiles));
	for (i = 0; i < S.nlistings; i++) {
		j = listing_json(S.listings[i], 1, 1, 1);
		if (j != NULL)
			json_object_set_new(j, "renewals",
			    json_integer(S.listings[i]->renewals));
		json_array_append_new(ls, j);
	}
	for (i = 0; i < S.nreceipts; i++) {
		j = receipt_json(S.receipts[i]);
		if (j != NULL)
			json_object_set_new(j, "visible_at",
			    json_integer(S.receipts[i]->visible_at));
		json_array_append_new(rs, j);
	}
	emu_reply_new(r, 200, json_pack("{s:I, s:o, s:o, s:o, s:{s:I, s:I}, "
	    "s:{s:b, s:s}, s:{s:b, s:I}}", "now", (json_int_t)emu_now(),
	    "shops", shops, "listings", ls, "orders", rs, "rate_limits",
	    "per_second", (json_int_t)S.qps, "per_day", (json_int_t)S.qpd,
	    "webhook", "enabled", S.hook_url[0] != '\0', "url", S.hook_url,
	    "oauth", "auto_approve", S.auto_approve, "user_id",
	    (json_int_t)S.approve_user), NULL);
}

/* The demo catalog: SANDBOX Ceramics, as in the issue and `make run`. */
static void
ctl_demo(struct emu_req *r)
{
	struct shop	*s;
	json_t		*p1 = NULL, *p2 = NULL, *p3 = NULL;
	char		 msg[256];
	int		 ok = 1;

	if ((s = shop_find(5550001)) != NULL) {
		emu_reply_new(r, 200, json_pack("{s:b, s:I}", "demo", 1,
		    "shop_id", (json_int_t)5550001), NULL);
		return;
	}
	if ((s = shop_add(5550001, 7770001, "SANDBOX Ceramics", 0)) == NULL) {
		ctl_fail(r, 409, "user 7770001 already has a shop");
		return;
	}
	p1 = json_pack("[{s:s, s:i, s:f}]", "sku", "MUG-CERAMIC-01",
	    "quantity", 3, "price", 28.00);
	p2 = json_pack("[{s:s, s:i, s:f, s:{s:s}}, {s:s, s:i, s:f, s:{s:s}}, "
	    "{s:s, s:i, s:f, s:{s:s}}]",
	    "sku", "SCARF-WOOL-RED", "quantity", 5, "price", 45.00,
	    "variations", "Color", "Red",
	    "sku", "SCARF-WOOL-BLUE", "quantity", 2, "price", 45.00,
	    "variations", "Color", "Blue",
	    "sku", "SCARF-WOOL-GREEN", "quantity", 0, "price", 45.00,
	    "variations", "Color", "Green");
	p3 = json_pack("[{s:s, s:i, s:f}]", "sku", "GIFT-SET-01", "quantity",
	    2, "price", 65.00);
	if (listing_add(s, "Handmade ceramic mug", "active", p1, NULL, msg,
	    sizeof(msg)) == NULL || listing_add(s, "Wool scarf", "active", p2,
	    NULL, msg, sizeof(msg)) == NULL || listing_add(s,
	    "Gift set: mug and scarf", "active", p3, NULL, msg,
	    sizeof(msg)) == NULL)
		ok = 0;
	json_decref(p1);
	json_decref(p2);
	json_decref(p3);
	if (!ok)
		ctl_fail(r, 500, msg);
	else
		emu_reply_new(r, 201, json_pack("{s:b, s:I, s:I}", "demo", 1,
		    "shop_id", (json_int_t)s->shop_id, "user_id",
		    (json_int_t)s->user_id), NULL);
}

/* --- routes ------------------------------------------------------------- */

static const struct emu_route routes[] = {
	/* www.etsy.com: the consent page, for people */
	{ "GET",  "/oauth/connect",			www_connect,	0 },
	{ "POST", "/oauth/connect",			www_connect_post, 0 },
	/* the API */
	{ "POST", "/v3/public/oauth/token",		api_token,	1 },
	{ "GET",  "/v3/application/users/me",		api_me,		1 },
	{ "GET",  "/v3/application/shops/{}/listings",	api_listings_by_shop, 1 },
	{ "PATCH", "/v3/application/shops/{}/listings/{}", api_listing_update,
	    1 },
	{ "GET",  "/v3/application/listings/batch/inventory",
	    api_inventory_batch, 1 },
	{ "GET",  "/v3/application/listings/batch",	api_listings_batch, 1 },
	{ "GET",  "/v3/application/listings/{}/inventory", api_inventory_get,
	    1 },
	{ "PUT",  "/v3/application/listings/{}/inventory", api_inventory_put,
	    1 },
	{ "GET",  "/v3/application/listings/{}",	api_listing_get, 1 },
	{ "GET",  "/v3/application/shops/{}/receipts",	api_receipts,	1 },
	{ "GET",  "/v3/application/shops/{}/receipts/{}", api_receipt,	1 },
	/* control */
	{ "POST", "/_sandbox/demo",			ctl_demo,	0 },
	{ "GET",  "/_sandbox/state",			ctl_state,	0 },
	{ "POST", "/_sandbox/credentials",		ctl_credentials, 0 },
	{ "POST", "/_sandbox/oauth",			ctl_oauth,	0 },
	{ "POST", "/_sandbox/oauth/revoke",		ctl_revoke,	0 },
	{ "POST", "/_sandbox/rate-limits",		ctl_rate_limits, 0 },
	{ "POST", "/_sandbox/webhook",			ctl_webhook,	0 },
	{ "DELETE", "/_sandbox/webhook",		ctl_webhook_off, 0 },
	{ "POST", "/_sandbox/shops",			ctl_shops,	0 },
	{ "POST", "/_sandbox/listings",			ctl_listings,	0 },
	{ "POST", "/_sandbox/listings/{}/quantity",	ctl_quantity,	0 },
	{ "POST", "/_sandbox/listings/{}/products",	ctl_add_product, 0 },
	{ "POST", "/_sandbox/listings/{}/rename",	ctl_rename,	0 },
	{ "POST", "/_sandbox/orders",			ctl_orders,	0 },
	{ "POST", "/_sandbox/receipts/{}/pay",		ctl_pay,	0 },
	{ "POST", "/_sandbox/receipts/{}/cancel",	ctl_cancel,	0 },
	{ "POST", "/_sandbox/receipts/{}/refund",	ctl_refund,	0 },
	{ NULL, NULL, NULL, 0 }
};

static const struct emu_channel channel = {
	"etsy", routes, etsy_reset, etsy_before
};

int
main(void)
{
	int	 rc = emu_main(&channel);

	/* emu_main reset once more on the way out; free what that made */
	free(S.rl);
	S.rl = NULL;
	return rc;
}
