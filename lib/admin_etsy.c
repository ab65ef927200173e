/*
 * admin_etsy: connecting an Etsy shop from the admin (OAuth 2.0
 * authorization code + PKCE S256, channel-apis.md 1.1).
 *
 * GET /admin/etsy/connect?account=ID makes a random state (kept as its
 * SHA-256, bound to the admin session through the SHA-256 of its CSRF
 * token) and a random PKCE verifier, both server-side for ten minutes,
 * and sends the browser to <base_url>/oauth/connect. Etsy sends it back
 * to GET /admin/etsy/callback?code&state: the state is taken once (the
 * row is deleted whatever follows), compared in constant time with the
 * session's binding, the code exchanged with the verifier at
 * /v3/public/oauth/token, the shop resolved with users/me, the tokens
 * stored sealed (channel_account_store_creds) and the account resumed.
 *
 * The session cookie is SameSite=Strict, which a browser does not send
 * on a navigation that started on Etsy: a callback without it gets a
 * small page that reloads the same URL from this site (a same-site
 * navigation, so the cookie comes along), once.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <openssl/sha.h>

#include "admin.h"
#include "budget.h"
#include "alert.h"
#include "auth.h"
#include "buf.h"
#include "channel.h"
#include "db.h"
#include "err.h"
#include "etsy.h"
#include "form.h"
#include "html.h"
#include "httpc.h"
#include "log.h"
#include "str.h"

#define STATE_TTL_S	600
#define ETSY_SCOPE	"listings_r listings_w transactions_r shops_r"
#define URL_MAX		2048
#define PARAM_MAX	512

/* lower-case hex SHA-256 of s */
static void
sha256_hex(const char *s, char out[65])
{
	unsigned char	 md[SHA256_DIGEST_LENGTH];

	SHA256((const unsigned char *)s, strlen(s), md);
	str_hex(out, md, sizeof(md));
	OPENSSL_cleanse(md, sizeof(md));
}

/* base64url without padding (RFC 7636) */
static int
b64url(const unsigned char *in, size_t n, char *out, size_t outsz)
{
	unsigned char	 b[128];
	size_t		 i, len;

	if (n > 64 || outsz < 4 * ((n + 2) / 3) + 1)
		return -1;
	len = (size_t)EVP_EncodeBlock(b, in, (int)n);
	while (len > 0 && b[len - 1] == '=')
		len--;
	for (i = 0; i < len; i++)
		out[i] = b[i] == '+' ? '-' : b[i] == '/' ? '_' : (char)b[i];
	out[len] = '\0';
	OPENSSL_cleanse(b, sizeof(b));
	return 0;
}

/* 1 when s is 1..max characters of [A-Za-z0-9._~-] */
static int
token_chars(const char *s, size_t max)
{
	size_t	 n;

	if (s == NULL || (n = strlen(s)) == 0 || n > max)
		return 0;
	return strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
	    "0123456789._~-") == n;
}

static const char *
creds_str(const struct channel_account *acct, const char *key)
{
	const char	*s = json_string_value(json_object_get(acct->creds,
			    key));

	return s != NULL && *s != '\0' ? s : NULL;
}

static int
load_etsy(struct db *db, const struct config *cfg, const char *idtext,
    struct channel_account *acct, struct err *e)
{
	int64_t	 id;

	if (idtext == NULL || str_to_i64(idtext, 1, INT64_MAX, &id) == -1)
		return err_set(e, ERR_NOTFOUND, "no account");
	if (channel_account_load(db, cfg, id, acct, e) == -1)
		return -1;
	if (acct->type != CHANNEL_ETSY)
		return err_set(e, ERR_NOTFOUND, "not an Etsy account");
	return 0;
}

/* Etsy's consent page: on www.etsy.com for the real API, else (the
 * sandbox) <base_url>/oauth/connect. */
static const char *
connect_url(const struct channel_account *acct, char *out, size_t outsz)
{
	if (strcmp(acct->base_url, "https://api.etsy.com") == 0 ||
	    strcmp(acct->base_url, "https://openapi.etsy.com") == 0)
		(void)str_copy(out, outsz, "https://www.etsy.com/oauth/connect");
	else if (str_fmt(out, outsz, "%s/oauth/connect", acct->base_url) ==
	    -1)
		out[0] = '\0';
	return out;
}

void
admin_etsy_connect(struct app *a, struct http_req *r)
{
	struct admin_ctx	 c;
	struct channel_account	 acct;
	struct err		 e;
	unsigned char		 rnd[32], md[SHA256_DIGEST_LENGTH];
	char			 state[65], shash[65], bind[65];
	char			 verifier[64], challenge[64];
	char			 redirect[300], eredirect[900], escope[128];
	char			 ekey[PARAM_MAX], url[URL_MAX], cu[300];
	const char		*key;

	memset(&acct, 0, sizeof(acct));
	if (!admin_begin_get(a, r, &c))
		goto out;
	if (load_etsy(c.db, &a->cfg, form_get(&r->query, "account"), &acct,
	    &e) == -1) {
		if (e.kind != ERR_NOTFOUND)
			log_error("admin: etsy connect: %s", e.msg);
		admin_fail(r, c.https, e.kind == ERR_NOTFOUND ? 404 : 503,
		    "Not found", "There is no such Etsy account. Add it with "
		    "stockhub account add etsy first.");
		goto out;
	}
	if ((key = creds_str(&acct, "keystring")) == NULL ||
	    creds_str(&acct, "shared_secret") == NULL) {
		admin_fail(r, c.https, 409, "Not ready", "This account has no "
		    "Etsy keystring and shared secret. Add them with "
		    "stockhub account add.");
		goto out;
	}
	if (RAND_bytes(rnd, sizeof(rnd)) != 1) {
		admin_fail(r, c.https, 503, "Not available", "No randomness.");
		goto out;
	}
	str_hex(state, rnd, sizeof(rnd));
	if (RAND_bytes(rnd, sizeof(rnd)) != 1 ||
	    b64url(rnd, sizeof(rnd), verifier, sizeof(verifier)) == -1) {
		admin_fail(r, c.https, 503, "Not available", "No randomness.");
		goto out;
	}
	SHA256((const unsigned char *)verifier, strlen(verifier), md);
	(void)b64url(md, sizeof(md), challenge, sizeof(challenge));
	sha256_hex(state, shash);
	sha256_hex(c.s.csrf, bind);
	if (str_fmt(redirect, sizeof(redirect), "%s/admin/etsy/callback",
	    a->cfg.public_base_url) == -1 ||
	    admin_urlencode(eredirect, sizeof(eredirect), redirect) == -1 ||
	    admin_urlencode(escope, sizeof(escope), ETSY_SCOPE) == -1 ||
	    admin_urlencode(ekey, sizeof(ekey), key) == -1 ||
	    str_fmt(url, sizeof(url), "%s?response_type=code&"
	    "client_id=%s&redirect_uri=%s&scope=%s&state=%s&code_challenge=%s&"
	    "code_challenge_method=S256", connect_url(&acct, cu, sizeof(cu)),
	    ekey, eredirect,
	    escope, state, challenge) == -1) {
		admin_fail(r, c.https, 500, "Not available", "The Etsy address "
		    "is too long.");
		goto out;
	}
	if (db_exec(c.db, "DELETE FROM etsy_oauth_states WHERE expires_at < ?",
	    (struct db_val[]){ DBI((int64_t)time(NULL)) }, 1, NULL, NULL,
	    &e) == -1 ||
	    db_exec(c.db, "INSERT INTO etsy_oauth_states (state_hash, "
	    "account_id, session_bind, verifier, expires_at) VALUES (?, ?, ?, "
	    "?, ?)", (struct db_val[]){ DBS(shash), DBI(acct.id), DBS(bind),
	    DBS(verifier), DBI((int64_t)time(NULL) + STATE_TTL_S) }, 5, NULL,
	    NULL, &e) == -1) {
		log_error("admin: etsy connect: %s", e.msg);
		admin_fail(r, c.https, 503, "Not available", "The database is "
		    "not reachable. Try again in a minute.");
		goto out;
	}
	log_info("admin: %s connects Etsy account %" PRId64, c.s.user,
	    acct.id);
	admin_redirect(r, c.https, url, NULL);
out:
	OPENSSL_cleanse(rnd, sizeof(rnd));
	OPENSSL_cleanse(state, sizeof(state));
	OPENSSL_cleanse(verifier, sizeof(verifier));
	channel_account_free(&acct);
	admin_ctx_free(&c);
}

/* The state row, taken once. */
struct take {
	const char	*shash;
	int64_t		 account_id;	/* 0: none */
	char		 bind[65];
	char		 verifier[129];
	int64_t		 expires_at;
};

static int
take_fn(struct db *db, void *arg, struct err *e)
{
	struct take	*t = arg;
	struct db_res	*q;
	char		 got[65];
	int		 rc;

	t->account_id = 0;
	if ((q = db_query(db, "SELECT state_hash, account_id, session_bind, "
	    "verifier, expires_at FROM etsy_oauth_states WHERE state_hash = ? "
	    "FOR UPDATE", (struct db_val[]){ DBS(t->shash) }, 1, e)) == NULL)
		return -1;
	if ((rc = db_next(q, e)) == 1) {
		(void)str_copy(got, sizeof(got), db_col_str(q, 0));
		if (str_ct_equal(got, strlen(got), t->shash,
		    strlen(t->shash))) {
			t->account_id = db_col_i64(q, 1);
			(void)str_copy(t->bind, sizeof(t->bind),
			    db_col_str(q, 2));
			(void)str_copy(t->verifier, sizeof(t->verifier),
			    db_col_str(q, 3));
			t->expires_at = db_col_i64(q, 4);
		}
	}
	db_res_free(q);
	if (rc != 1)
		return rc;
	return db_exec(db, "DELETE FROM etsy_oauth_states WHERE state_hash = "
	    "?", (struct db_val[]){ DBS(t->shash) }, 1, NULL, NULL, e);
}

/* POST to the token endpoint; the answer's JSON or NULL (msg says why). */
static json_t *
exchange(const struct channel_account *acct, const char *redirect,
    const char *code, const char *verifier, char *msg, size_t msgsz)
{
	const char		*hdrs[4];
	struct httpc_req	 q;
	struct httpc_resp	 resp;
	struct err		 e;
	struct buf		 form;
	char			 url[URL_MAX], ekey[PARAM_MAX], eredir[900];
	char			 ecode[PARAM_MAX * 3];
	json_t			*j = NULL;

	memset(&resp, 0, sizeof(resp));
	buf_init(&form, 8192);
	if (str_fmt(url, sizeof(url), "%s/v3/public/oauth/token",
	    acct->base_url) == -1 ||
	    admin_urlencode(ekey, sizeof(ekey), creds_str(acct,
	    "keystring")) == -1 ||
	    admin_urlencode(eredir, sizeof(eredir), redirect) == -1 ||
	    admin_urlencode(ecode, sizeof(ecode), code) == -1 ||
	    buf_printf(&form, "grant_type=authorization_code&client_id=%s&"
	    "redirect_uri=%s&code=%s&code_verifier=%s", ekey, eredir, ecode,
	    verifier) == -1) {
		(void)str_copy(msg, msgsz, "the request is too long");
		goto out;
	}
	hdrs[0] = "Content-Type: application/x-www-form-urlencoded";
	hdrs[1] = "Accept: application/json";
	hdrs[2] = NULL;
	memset(&q, 0, sizeof(q));
	q.method = "POST";
	q.url = url;
	q.headers = hdrs;
	q.body = form.data;
	q.body_len = form.len;
	q.timeout_ms = 10000;
	if (httpc_do(&q, &resp, &e) == -1) {
		(void)str_copy(msg, msgsz, "Etsy did not answer");
		goto out;
	}
	if (resp.status != 200) {
		etsy_error_message(resp.status, resp.body, resp.len, msg,
		    msgsz);
		(void)str_fmt(ecode, sizeof(ecode), "token: %s", msg);
		(void)str_copy(msg, msgsz, ecode);
		goto out;
	}
	j = json_loadb(resp.body, resp.len, 0, NULL);
	if (!json_is_string(json_object_get(j, "access_token")) ||
	    !json_is_string(json_object_get(j, "refresh_token"))) {
		json_decref(j);
		j = NULL;
		(void)str_copy(msg, msgsz, "Etsy's answer had no tokens");
	}
out:
	if (form.data != NULL)
		OPENSSL_cleanse(form.data, form.len);
	buf_free(&form);
	etsy_resp_free(&resp);
	return j;
}

/* users/me: user_id and shop_id. 0, or -1 (msg says why). */
static int
whoami(const struct channel_account *acct, const char *access,
    int64_t *user_id, int64_t *shop_id, char *msg, size_t msgsz)
{
	const char		*hdrs[4];
	struct httpc_req	 q;
	struct httpc_resp	 resp;
	struct err		 e;
	char			 url[URL_MAX], apikey[PARAM_MAX * 2 + 32];
	char			 bearer[PARAM_MAX * 2 + 32];
	json_t			*j = NULL;
	int			 rc = -1;

	memset(&resp, 0, sizeof(resp));
	if (str_fmt(url, sizeof(url), "%s/v3/application/users/me",
	    acct->base_url) == -1 ||
	    str_fmt(apikey, sizeof(apikey), "x-api-key: %s:%s",
	    creds_str(acct, "keystring"), creds_str(acct, "shared_secret")) ==
	    -1 ||
	    str_fmt(bearer, sizeof(bearer), "Authorization: Bearer %s",
	    access) == -1) {
		(void)str_copy(msg, msgsz, "the request is too long");
		goto out;
	}
	hdrs[0] = apikey;
	hdrs[1] = bearer;
	hdrs[2] = "Accept: application/json";
	hdrs[3] = NULL;
	memset(&q, 0, sizeof(q));
	q.method = "GET";
	q.url = url;
	q.headers = hdrs;
	q.timeout_ms = 10000;
	if (httpc_do(&q, &resp, &e) == -1) {
		(void)str_copy(msg, msgsz, "Etsy did not answer users/me");
		goto out;
	}
	if (resp.status != 200) {
		etsy_error_message(resp.status, resp.body, resp.len, url,
		    sizeof(url));
		(void)str_fmt(msg, msgsz, "users/me: %s", url);
		goto out;
	}
	j = json_loadb(resp.body, resp.len, 0, NULL);
	if (!json_is_integer(json_object_get(j, "user_id")) ||
	    !json_is_integer(json_object_get(j, "shop_id")) ||
	    json_integer_value(json_object_get(j, "shop_id")) <= 0) {
		(void)str_copy(msg, msgsz, "this Etsy user has no shop");
		goto out;
	}
	*user_id = (int64_t)json_integer_value(json_object_get(j, "user_id"));
	*shop_id = (int64_t)json_integer_value(json_object_get(j, "shop_id"));
	rc = 0;
out:
	json_decref(j);
	OPENSSL_cleanse(apikey, sizeof(apikey));
	OPENSSL_cleanse(bearer, sizeof(bearer));
	etsy_resp_free(&resp);
	return rc;
}

/* A browser coming back from Etsy without the Strict cookie: reload the
 * same URL from this site, once. */
static void
bounce(struct http_req *r, int https, const char *code, const char *state)
{
	struct buf	 b;
	struct html	 h;

	buf_init(&b, 16 * 1024);
	html_init(&h, &b);
	html_printf(&h, "<!doctype html>\n<html lang=\"en\"><head>"
	    "<meta charset=\"utf-8\"><meta http-equiv=\"refresh\" "
	    "content=\"0;url=/admin/etsy/callback?code=%s&amp;state=%s&amp;"
	    "again=1\"><title>Connecting Etsy - stockhub</title></head>"
	    "<body><main><p><a href=\"/admin/etsy/callback?code=%s&amp;"
	    "state=%s&amp;again=1\">Continue connecting Etsy</a></p></main>"
	    "</body></html>\n", code, state, code, state);
	admin_send(r, 200, https, &h, NULL);
	buf_free(&b);
}

void
admin_etsy_callback(struct app *a, struct http_req *r)
{
	struct admin_ctx	 c;
	struct channel_account	 acct;
	struct take		 t;
	struct err		 e;
	const char		*code, *state, *cookie;
	char			 shash[65], bind[65], sid[AUTH_TOKEN_HEX + 1];
	char			 redirect[300], msg[256], loc[128];
	char			 page[400];
	json_t			*tok = NULL, *creds = NULL;
	json_int_t		 expires_in = 3600;
	int64_t			 user_id = 0, shop_id = 0;

	memset(&acct, 0, sizeof(acct));
	memset(&t, 0, sizeof(t));
	memset(&c, 0, sizeof(c));
	code = form_get(&r->query, "code");
	state = form_get(&r->query, "state");
	cookie = http_header(r, "Cookie");
	if (token_chars(code, PARAM_MAX) && token_chars(state, 128) &&
	    form_get(&r->query, "again") == NULL &&
	    (cookie == NULL || form_cookie(cookie, AUTH_COOKIE, sid,
	    sizeof(sid)) == -1)) {
		bounce(r, admin_https(r), code, state);
		return;
	}
	OPENSSL_cleanse(sid, sizeof(sid));
	if (!admin_begin_get(a, r, &c))
		goto out;
	if (form_get(&r->query, "error") != NULL) {
		admin_fail(r, c.https, 400, "Not connected", "Etsy did not "
		    "grant access (the request was declined). Start again "
		    "from the dashboard.");
		goto out;
	}
	if (!token_chars(code, PARAM_MAX) || !token_chars(state, 128)) {
		admin_fail(r, c.https, 400, "Not connected", "This connection "
		    "link is incomplete. Start again from the dashboard.");
		goto out;
	}
	sha256_hex(state, shash);
	t.shash = shash;
	if (db_tx(c.db, take_fn, &t, &e) == -1) {
		log_error("admin: etsy callback: %s", e.msg);
		admin_fail(r, c.https, 503, "Not available", "The database is "
		    "not reachable. Try again in a minute.");
		goto out;
	}
	sha256_hex(c.s.csrf, bind);
	if (t.account_id == 0 || !str_ct_equal(t.bind, strlen(t.bind), bind,
	    strlen(bind)) || t.expires_at < (int64_t)time(NULL)) {
		log_warn("admin: etsy callback refused: unknown, used, expired "
		    "or foreign state");
		admin_fail(r, c.https, 400, "Not connected", "This connection "
		    "link is not valid: it was used already, it expired (after "
		    "10 minutes), or it was started in another session. Start "
		    "again from the dashboard.");
		goto out;
	}
	if (channel_account_load(c.db, &a->cfg, t.account_id, &acct, &e) ==
	    -1 || acct.type != CHANNEL_ETSY || creds_str(&acct,
	    "keystring") == NULL || creds_str(&acct, "shared_secret") ==
	    NULL) {
		admin_fail(r, c.https, 409, "Not connected", "The Etsy account "
		    "is gone or has no keystring. Check it with stockhub "
		    "account list.");
		goto out;
	}
	(void)str_fmt(redirect, sizeof(redirect), "%s/admin/etsy/callback",
	    a->cfg.public_base_url);
	msg[0] = '\0';
	if ((tok = exchange(&acct, redirect, code, t.verifier, msg,
	    sizeof(msg))) == NULL ||
	    whoami(&acct, json_string_value(json_object_get(tok,
	    "access_token")), &user_id, &shop_id, msg, sizeof(msg)) == -1) {
		log_warn("admin: etsy account %" PRId64 ": connect failed: %s",
		    acct.id, msg);
		(void)str_fmt(page, sizeof(page), "Etsy refused to connect "
		    "the shop (%s). Start again from the dashboard.", msg);
		admin_fail(r, c.https, 502, "Not connected", page);
		goto out;
	}
	if (json_is_integer(json_object_get(tok, "expires_in")) &&
	    json_integer_value(json_object_get(tok, "expires_in")) > 0 &&
	    json_integer_value(json_object_get(tok, "expires_in")) < 86400)
		expires_in = json_integer_value(json_object_get(tok,
		    "expires_in"));
	if ((creds = json_deep_copy(acct.creds)) == NULL ||
	    json_object_set(creds, "access_token", json_object_get(tok,
	    "access_token")) == -1 ||
	    json_object_set(creds, "refresh_token", json_object_get(tok,
	    "refresh_token")) == -1 ||
	    json_object_set_new(creds, "access_expires_at", json_integer(
	    (json_int_t)time(NULL) + expires_in)) == -1 ||
	    json_object_set_new(creds, "user_id", json_integer(
	    (json_int_t)user_id)) == -1 ||
	    json_object_set_new(creds, "shop_id", json_integer(
	    (json_int_t)shop_id)) == -1 ||
	    channel_account_store_creds(c.db, &a->cfg, &acct, creds, &e) ==
	    -1 ||
	    channel_account_set_paused(c.db, acct.id, 0, &e) == -1 ||
	    db_exec(c.db, "UPDATE alerts SET resolved_at = "
	    "CURRENT_TIMESTAMP(6) WHERE kind = 'token_revoked' AND "
	    "account_id = ? AND resolved_at IS NULL", (struct db_val[]){
	    DBI(acct.id) }, 1, NULL, NULL, &e) == -1) {
		log_error("admin: etsy account %" PRId64 ": tokens not stored",
		    acct.id);
		admin_fail(r, c.https, 503, "Not connected", "The tokens could "
		    "not be stored. Start again from the dashboard.");
		goto out;
	}
	log_info("admin: %s connected Etsy account %" PRId64 " (shop %"
	    PRId64 ")", c.s.user, acct.id, shop_id);
	(void)str_copy(loc, sizeof(loc), "/admin/?done=etsy_connected");
	admin_redirect(r, c.https, loc, NULL);
out:
	json_decref(tok);
	json_decref(creds);
	OPENSSL_cleanse(t.verifier, sizeof(t.verifier));
	channel_account_free(&acct);
	admin_ctx_free(&c);
}

/* ---- per-account status and cadence settings ------------------------ */

/*
 * GET /admin/etsy/status?account=ID: today's calls by purpose against
 * their shares, what Etsy says is left, the interval the last poll chose,
 * the last confirmed watermark, the ORDER_PAID address, and a form for
 * the high-traffic switch and the polling settings (POST
 * /admin/etsy/settings, CSRF-checked by admin_begin_post).
 */

static void
utc_time(int64_t t, char *out, size_t sz)
{
	time_t		 tt = (time_t)t;
	struct tm	 tm;

	if (t <= 0 || gmtime_r(&tt, &tm) == NULL ||
	    strftime(out, sz, "%Y-%m-%d %H:%M:%S UTC", &tm) == 0)
		(void)str_copy(out, sz, "never");
}

struct etsy_status {
	int64_t	 watermark, last_success, failures, remaining, limit;
	int64_t	 current_s, last_sale, settings[7];
	int	 high_traffic, has_remaining, has_limit;
	int	 cancel_restock;	/* cancel_policy = 'restock' */
	char	 last_error[256];
};

/* settings[] order, as the form names them */
static const char *const setting_names[7] = {
	"min_interval_s", "busy_interval_s", "interval_s", "quiet_interval_s",
	"poll_pct", "push_pct", "recon_pct"
};

static int
status_load(struct db *db, int64_t acct, struct etsy_status *st,
    struct err *e)
{
	struct db_res	*q;
	int		 rc, i;

	memset(st, 0, sizeof(*st));
	if (db_exec(db, "INSERT IGNORE INTO etsy_poll_state (account_id, "
	    "watermark) SELECT id, FLOOR(UNIX_TIMESTAMP(created_at)) FROM "
	    "channel_accounts WHERE id = ?", (struct db_val[]){ DBI(acct) },
	    1, NULL, NULL, e) == -1)
		return -1;
	if ((q = db_query(db, "SELECT watermark, last_success_at, failures, "
	    "last_error, remaining_today, limit_per_day, current_interval_s, "
	    "last_sale_at, high_traffic, min_interval_s, busy_interval_s, "
	    "interval_s, quiet_interval_s, poll_pct, push_pct, recon_pct, "
	    "cancel_policy = 'restock' FROM etsy_poll_state WHERE "
	    "account_id = ?", (struct db_val[]){
	    DBI(acct) }, 1, e)) == NULL)
		return -1;
	if ((rc = db_next(q, e)) == 1) {
		st->watermark = db_col_i64(q, 0);
		st->last_success = db_col_i64(q, 1);
		st->failures = db_col_i64(q, 2);
		(void)str_copy(st->last_error, sizeof(st->last_error),
		    db_col_str(q, 3));
		st->has_remaining = !db_col_null(q, 4);
		st->remaining = db_col_i64(q, 4);
		st->has_limit = !db_col_null(q, 5);
		st->limit = db_col_i64(q, 5);
		st->current_s = db_col_i64(q, 6);
		st->last_sale = db_col_i64(q, 7);
		st->high_traffic = db_col_i64(q, 8) != 0;
		for (i = 0; i < 7; i++)
			st->settings[i] = db_col_i64(q, 9 + (unsigned)i);
		st->cancel_restock = db_col_i64(q, 16) != 0;
	} else if (rc == 0)
		rc = err_set(e, ERR_NOTFOUND, "no poll state");
	db_res_free(q);
	return rc == 1 ? 0 : -1;
}

/*
 * The status page. typed: the refused form (its values are shown as the
 * seller typed them, next to the error), or NULL to show what is stored.
 */
static void
status_render(struct app *a, struct http_req *r, struct admin_ctx *c,
    const struct channel_account *acct, int status, const char *error,
    const struct form *typed)
{
	struct etsy_status	 st;
	struct budget_split	 sp;
	struct buf		 b;
	struct html		 h;
	struct err		 e;
	int64_t			 used[BUDGET__MAX], per_day, share;
	char			 t1[40], t2[40], t3[40];
	const char		*done = form_get(&r->query, "done");
	const char		*cancel;
	int			 i;

	buf_init(&b, ADMIN_PAGE_MAX);
	html_init(&h, &b);
	if (status_load(c->db, acct->id, &st, &e) == -1) {
		log_error("admin: etsy status: %s", e.msg);
		admin_fail(r, c->https, 503, "Not available", "The database is "
		    "not reachable. Try again in a minute.");
		goto out;
	}
	memset(used, 0, sizeof(used));
	for (i = BUDGET_POLL; i < BUDGET__MAX; i++)
		if (db_query_i64(c->db, "SELECT n FROM etsy_api_calls WHERE "
		    "account_id = ? AND day = UTC_DATE() AND purpose = ?",
		    (struct db_val[]){ DBI(acct->id), DBS(budget_purpose_name(
		    (enum budget_purpose)i)) }, 2, &used[i], &e) == -1) {
			admin_fail(r, c->https, 503, "Not available", "The "
			    "database is not reachable.");
			goto out;
		}
	budget_split_default(&sp);
	sp.pct[BUDGET_POLL] = (int)st.settings[4];
	sp.pct[BUDGET_PUSH] = (int)st.settings[5];
	sp.pct[BUDGET_RECON] = (int)st.settings[6];
	per_day = BUDGET_PER_DAY;
	(void)db_query_i64(c->db, "SELECT per_day FROM etsy_poll_state WHERE "
	    "account_id = ?", (struct db_val[]){ DBI(acct->id) }, 1, &per_day,
	    &e);
	if (st.has_limit && st.limit > 0 && st.limit < per_day)
		per_day = st.limit;

	admin_page_open(&h, "Etsy account", &c->s);
	html_printf(&h, "<h2>%s</h2>\n", acct->name);
	if (done != NULL && strcmp(done, "saved") == 0)
		html_printf(&h, "<p class=\"ok\" role=\"status\">Settings "
		    "saved.</p>\n");
	if (error != NULL)
		html_printf(&h, "<p class=\"bad\" role=\"alert\">%s</p>\n",
		    error);
	if (acct->paused)
		html_printf(&h, "<p class=\"bad\">Paused: %s <a href=\""
		    "/admin/etsy/connect?account=%D\">Connect</a></p>\n",
		    creds_str(acct, "access_token") == NULL ? "not connected "
		    "to Etsy yet." : "Etsy access was revoked or the account "
		    "was paused; nothing is lost meanwhile.", acct->id);
	else
		html_printf(&h, "<p>Polling.</p>\n");

	html_printf(&h, "<h2 id=\"calls\">Etsy API calls today (UTC)</h2>\n"
	    "<div class=\"scroll\"><table aria-labelledby=\"calls\"><thead>"
	    "<tr><th scope=\"col\">Purpose</th><th scope=\"col\" class=\"num\">"
	    "Calls</th><th scope=\"col\" class=\"num\">Share</th><th scope="
	    "\"col\" class=\"num\">Left</th></tr></thead><tbody>\n");
	for (i = BUDGET_POLL; i < BUDGET__MAX; i++) {
		share = budget_share(per_day, &sp, (enum budget_purpose)i);
		html_printf(&h, "<tr><th scope=\"row\">%s</th><td class=\"num\">"
		    "%D</td><td class=\"num\">%D</td><td class=\"num\">%D</td>"
		    "</tr>\n", budget_purpose_name((enum budget_purpose)i),
		    used[i], share, share > used[i] ? share - used[i] : 0);
	}
	html_printf(&h, "</tbody></table></div>\n");
	utc_time(st.watermark, t1, sizeof(t1));
	utc_time(st.last_success, t2, sizeof(t2));
	utc_time(st.last_sale, t3, sizeof(t3));
	html_printf(&h, "<dl><dt>Daily limit</dt><dd>%D calls</dd>"
	    "<dt>Etsy says left today</dt><dd>", per_day);
	if (st.has_remaining)
		html_printf(&h, "%D", st.remaining);
	else
		html_printf(&h, "not known yet");
	html_printf(&h, "</dd><dt>Current interval</dt><dd>%D s%s</dd>"
	    "<dt>Last confirmed watermark</dt><dd>%s (%D)</dd>"
	    "<dt>Last good poll</dt><dd>%s</dd><dt>Last sale seen</dt>"
	    "<dd>%s</dd><dt>Failed polls in a row</dt><dd>%D%s%s</dd>"
	    "<dt>ORDER_PAID webhook address</dt><dd><code>%s/hooks/etsy/%D"
	    "</code></dd></dl>\n", st.current_s, st.high_traffic ?
	    " (high-traffic mode)" : "", t1, st.watermark, t2, t3,
	    st.failures, st.last_error[0] != '\0' ? ": " : "", st.last_error,
	    a->cfg.public_base_url, acct->id);

	html_printf(&h, "<h2>Polling settings</h2>\n<form method=\"post\" "
	    "action=\"/admin/etsy/settings\"><input type=\"hidden\" name="
	    "\"csrf\" value=\"%s\"><input type=\"hidden\" name=\"account\" "
	    "value=\"%D\">\n<p><label><input type=\"checkbox\" name="
	    "\"high_traffic\" value=\"1\"%s> High-traffic mode (a holiday "
	    "sale, a viral post): poll at the busy interval all the time"
	    "</label></p>\n", c->s.csrf, acct->id, (typed != NULL ?
	    form_get(typed, "high_traffic") != NULL : st.high_traffic) ?
	    " checked" : "");
	/* what a cancelled Etsy order does to units already shipped */
	cancel = typed != NULL ? form_get(typed, "cancel_policy") : NULL;
	if (cancel == NULL)
		cancel = st.cancel_restock ? "restock" : "release";
	html_printf(&h, "<p><label for=\"cancel_policy\">When an Etsy order "
	    "is cancelled</label> <select id=\"cancel_policy\" "
	    "name=\"cancel_policy\"><option value=\"release\"%s>put back "
	    "the units not shipped yet</option><option value=\"restock\"%s>"
	    "also restock units already shipped</option></select></p>\n",
	    strcmp(cancel, "restock") != 0 ? " selected" : "",
	    strcmp(cancel, "restock") == 0 ? " selected" : "");
	{
		static const char *const labels[7] = {
			"Never poll more often than (s)",
			"Busy: a sale in the last hour (s)",
			"Normal (s)",
			"Quiet: no sale for a day (s)",
			"Share of the day for polling (%)",
			"Share for pushes (%)",
			"Share for reconciliation (%)"
		};

		for (i = 0; i < 7; i++) {
			const char	*v = typed != NULL ?
			    form_get(typed, setting_names[i]) : NULL;
			char		 stored[24];

			(void)str_fmt(stored, sizeof(stored), "%lld",
			    (long long)st.settings[i]);
			html_printf(&h, "<p><label for=\"%s\">%s</label> "
			    "<input id=\"%s\" name=\"%s\" inputmode=\"numeric\" "
			    "value=\"%s\" required></p>\n", setting_names[i],
			    labels[i], setting_names[i], setting_names[i],
			    v != NULL ? v : stored);
		}
	}
	html_printf(&h, "<p><button type=\"submit\">Save</button></p></form>"
	    "\n<p><a href=\"/admin/\">Dashboard</a></p>\n");
	admin_page_close(&h);
	admin_send(r, status, c->https, &h, NULL);
out:
	buf_free(&b);
}

void
admin_etsy_status(struct app *a, struct http_req *r)
{
	struct admin_ctx	 c;
	struct channel_account	 acct;
	struct err		 e;

	memset(&acct, 0, sizeof(acct));
	if (!admin_begin_get(a, r, &c))
		goto out;
	if (load_etsy(c.db, &a->cfg, form_get(&r->query, "account"), &acct,
	    &e) == -1) {
		admin_fail(r, c.https, e.kind == ERR_NOTFOUND ? 404 : 503,
		    "Not found", "There is no such Etsy account.");
		goto out;
	}
	status_render(a, r, &c, &acct, 200, NULL, NULL);
out:
	channel_account_free(&acct);
	admin_ctx_free(&c);
}

void
admin_etsy_settings(struct app *a, struct http_req *r)
{
	struct admin_ctx	 c;
	struct channel_account	 acct;
	struct budget_split	 sp;
	struct err		 e;
	int64_t			 v[7];
	const char		*ht, *cp, *err = NULL;
	char			 loc[96];
	int			 i;

	memset(&acct, 0, sizeof(acct));
	if (!admin_begin_post(a, r, &c))
		goto out;
	if (load_etsy(c.db, &a->cfg, form_get(&c.form, "account"), &acct,
	    &e) == -1) {
		admin_fail(r, c.https, e.kind == ERR_NOTFOUND ? 404 : 503,
		    "Not found", "There is no such Etsy account.");
		goto out;
	}
	for (i = 0; i < 7 && err == NULL; i++)
		if (form_get(&c.form, setting_names[i]) == NULL ||
		    str_to_i64(form_get(&c.form, setting_names[i]), i < 4 ?
		    1 : 0, i < 4 ? 86400 : 100, &v[i]) == -1)
			err = i < 4 ? "Intervals are whole seconds from 1 to "
			    "86400." : "Shares are whole percents from 0 to "
			    "100.";
	if (err == NULL) {
		budget_split_default(&sp);
		sp.pct[BUDGET_POLL] = (int)v[4];
		sp.pct[BUDGET_PUSH] = (int)v[5];
		sp.pct[BUDGET_RECON] = (int)v[6];
		if (budget_split_valid(&sp) == -1)
			err = "The three shares must add up to 100 or less.";
		else if (v[1] < v[0] || v[2] < v[0] || v[3] < v[0])
			err = "No interval can be below the minimum.";
	}
	cp = form_get(&c.form, "cancel_policy");
	if (err == NULL && cp != NULL && strcmp(cp, "release") != 0 &&
	    strcmp(cp, "restock") != 0)
		err = "A cancellation either puts back what was not shipped "
		    "or also restocks what was.";
	if (err != NULL) {
		status_render(a, r, &c, &acct, 400, err, &c.form);
		goto out;
	}
	ht = form_get(&c.form, "high_traffic");
	if (db_exec(c.db, "UPDATE etsy_poll_state SET high_traffic = ?, "
	    "min_interval_s = ?, busy_interval_s = ?, interval_s = ?, "
	    "quiet_interval_s = ?, poll_pct = ?, push_pct = ?, recon_pct = ?, "
	    "cancel_policy = COALESCE(?, cancel_policy) WHERE account_id = ?",
	    (struct db_val[]){ DBI(ht != NULL && strcmp(ht, "1") == 0),
	    DBI(v[0]), DBI(v[1]), DBI(v[2]), DBI(v[3]), DBI(v[4]), DBI(v[5]),
	    DBI(v[6]), DBS(cp), DBI(acct.id) }, 10, NULL,
	    NULL, &e) == -1) {
		log_error("admin: etsy settings: %s", e.msg);
		admin_fail(r, c.https, 503, "Not saved", "The database is not "
		    "reachable. Nothing changed; try again in a minute.");
		goto out;
	}
	log_info("admin: %s set Etsy account %" PRId64 " polling: high "
	    "traffic %s, min %" PRId64 " s, busy %" PRId64 " s, normal %"
	    PRId64 " s, quiet %" PRId64 " s, shares %" PRId64 "/%" PRId64 "/%"
	    PRId64 ", cancellations %s", c.s.user, acct.id, ht != NULL &&
	    strcmp(ht, "1") == 0 ? "on" : "off", v[0], v[1], v[2], v[3], v[4],
	    v[5], v[6], cp != NULL ? cp : "unchanged");
	(void)str_fmt(loc, sizeof(loc), "/admin/etsy/status?account=%" PRId64
	    "&done=saved", acct.id);
	admin_redirect(r, c.https, loc, NULL);
out:
	channel_account_free(&acct);
	admin_ctx_free(&c);
}
