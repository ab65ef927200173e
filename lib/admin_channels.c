/*
 * admin_channels: the channels pages (see admin.h).
 *
 *   GET  /admin/channels          every account: type, state, last push,
 *                                 outbox depth, failures; connect forms
 *   POST /admin/channels          action=shopify (Admin API token) or
 *                                 action=sandbox (the local sandbox shop)
 *   GET  /admin/channel?id=N      one account: buffers and the low-stock
 *                                 rule with a preview, pause/resume,
 *                                 push all now, map every SKU (Shopify)
 *   POST /admin/channel           action=settings|preview|pause|resume|
 *                                 pushall|mapall
 *
 * A form that changes settings or the pause state carries the account's
 * settings_rev; one saved against a revision that moved meanwhile is
 * refused (409) with the current values shown, never applied over them.
 * The preview runs alloc_compute() over the typed buffers without saving.
 * Every change lands in admin_actions for the audit log.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>
#include <openssl/crypto.h>

#include "admin.h"
#include "alloc.h"
#include "app.h"
#include "bom.h"
#include "buf.h"
#include "bufrec.h"
#include "channel.h"
#include "connect.h"
#include "db.h"
#include "err.h"
#include "html.h"
#include "http.h"
#include "log.h"
#include "push.h"
#include "stock.h"
#include "str.h"

#define PUSH_AFTER_MS	5000
#define PREVIEW_MAX	200
#define POLICIES_MAX	64
#define UNITS_MAX	INT64_C(1000000000)
#define PRIORITY_MAX	1000
#define TS_FMT		"'%Y-%m-%d %H:%i'"
#define SANDBOX_SHOP	"sandbox-shop.myshopify.com"

/*
 * Progressive enhancement of the settings form: while typing, send it as
 * a Preview and show the table that comes back. Without JavaScript the
 * Preview button does the same. Served from here (the CSP allows no
 * inline script).
 */
static const char preview_js[] =
"/* stockhub: live preview of an account's buffers (see admin_channels.c) */\n"
"(function () {\n"
"  'use strict';\n"
"  var form = document.getElementById('settings-form');\n"
"  var status = document.getElementById('preview-status');\n"
"  if (!form || !window.fetch || !window.DOMParser || !window.URLSearchParams)\n"
"    return;\n"
"  var timer = null, seq = 0;\n"
"  function refresh() {\n"
"    var data = new URLSearchParams(new FormData(form));\n"
"    var mine = ++seq;\n"
"    data.set('action', 'preview');\n"
"    fetch(form.getAttribute('action'), { method: 'POST', body: data,\n"
"        credentials: 'same-origin' })\n"
"      .then(function (r) { return r.text(); })\n"
"      .then(function (text) {\n"
"        if (mine !== seq) return;\n"
"        var doc = new DOMParser().parseFromString(text, 'text/html');\n"
"        var fresh = doc.getElementById('preview-table');\n"
"        var old = document.getElementById('preview-table');\n"
"        if (fresh && old) {\n"
"          old.parentNode.replaceChild(document.importNode(fresh, true), old);\n"
"          if (status) status.textContent = 'Preview updated (not saved).';\n"
"        } else if (status) {\n"
"          status.textContent = 'No preview: check the values.';\n"
"        }\n"
"      })\n"
"      .catch(function () {\n"
"        if (status) status.textContent = 'No preview: the hub did not answer.';\n"
"      });\n"
"  }\n"
"  form.addEventListener('input', function () {\n"
"    clearTimeout(timer);\n"
"    timer = setTimeout(refresh, 400);\n"
"  });\n"
"})();\n";

void
admin_preview_js(struct app *a, struct http_req *r)
{
	(void)a;
	if (http_respond(r, 200, "text/javascript; charset=utf-8", NULL,
	    preview_js, sizeof(preview_js) - 1) == -1 && !r->responded)
		http_error(r, 500, "internal", "the script could not be sent");
}

/* ---- shared bits ---- */

/* 1 when the hub can list the catalog of an account of type name (so
 * "map every SKU" can work there). */
static int
has_catalog(const char *name)
{
	const struct channel_ops	*ops;
	enum channel_type		 t;

	return channel_type_parse(name, &t) == 0 &&
	    (ops = channel_ops_for(t)) != NULL && ops->catalog != NULL;
}

/* Record what a person did (the audit log reads it). */
static int
action_log(struct db *db, const char *user, int64_t account_id,
    const char *kind, const char *detail, struct err *e)
{
	char	 actor[AUTH_NAME_MAX + 8];

	(void)str_fmt(actor, sizeof(actor), "admin:%s", user);
	return db_exec(db, "INSERT INTO admin_actions (actor, account_id, "
	    "kind, detail) VALUES (?, ?, ?, ?)", (struct db_val[]){
	    DBS(actor), account_id > 0 ? DBI(account_id) : DBN, DBS(kind),
	    DBS(detail) }, 4, NULL, NULL, e);
}

static void
run_pushes(struct app *a, struct db *db, const char *why)
{
	struct push_stats	 st;
	struct err		 e;
	char			 worker[64];

	(void)str_fmt(worker, sizeof(worker), "admin:%ld", (long)getpid());
	if (push_run(db, &a->cfg, worker, push_now_ms() + PUSH_AFTER_MS, &st,
	    &e) == -1)
		log_error("admin: pushes after %s: %s", why, e.msg);
}

/*
 * A percent with at most two decimals, 0 to 100, into basis points.
 * 0, or -1 when it is not one.
 */
static int
parse_pct(const char *s, int64_t *bp)
{
	int64_t	 whole = 0, frac = 0;
	int	 nd = 0, nf = 0;

	if (s == NULL)
		return -1;
	for (; *s >= '0' && *s <= '9'; s++, nd++) {
		if (nd >= 3)
			return -1;
		whole = whole * 10 + (*s - '0');
	}
	if (*s == '.' || *s == ',') {
		for (s++; *s >= '0' && *s <= '9'; s++, nf++) {
			if (nf >= 2)
				return -1;
			frac = frac * 10 + (*s - '0');
		}
		if (nf == 1)
			frac *= 10;
	}
	if (*s != '\0' || (nd == 0 && nf == 0))
		return -1;
	*bp = whole * 100 + frac;
	return *bp <= 10000 ? 0 : -1;
}

static void
pct_text(char *out, size_t outsz, int64_t bp)
{
	if (bp % 100 == 0)
		(void)str_fmt(out, outsz, "%lld", (long long)(bp / 100));
	else
		(void)str_fmt(out, outsz, "%lld.%02lld", (long long)(bp / 100),
		    (long long)(bp % 100));
}

/* ---- the list and the connect forms ---- */

struct shopify_typed {
	const char	*name, *shop, *base_url, *location;
	const char	*field;		/* the field in error, or NULL */
	const char	*error;
};

static int
list_accounts(struct db *db, struct html *h, struct err *e)
{
	struct db_res	*q;
	int		 got, rows = 0;

	if ((q = db_query(db, "SELECT ca.id, ca.name, ca.type, ca.paused, "
	    "(SELECT DATE_FORMAT(MAX(pl.at), " TS_FMT ") FROM push_log pl "
	    "JOIN channel_listings cl ON cl.id = pl.listing_id WHERE "
	    "cl.account_id = ca.id AND pl.outcome IN ('written','unchanged',"
	    "'held')), "
	    "(SELECT COUNT(*) FROM push_queue pq JOIN channel_listings cl ON "
	    "cl.id = pq.listing_id WHERE cl.account_id = ca.id AND pq.dead = 0 "
	    "AND pq.done_version < pq.want_version), "
	    "(SELECT COUNT(*) FROM push_queue pq JOIN channel_listings cl ON "
	    "cl.id = pq.listing_id WHERE cl.account_id = ca.id AND "
	    "(pq.dead = 1 OR pq.attempts > 0)), "
	    "(SELECT COUNT(*) FROM channel_listings cl WHERE cl.account_id = "
	    "ca.id) FROM channel_accounts ca ORDER BY ca.name", NULL, 0,
	    e)) == NULL)
		return -1;
	html_printf(h, "<h2 id=\"accounts\">Connected accounts</h2>\n");
	while ((got = db_next(q, e)) == 1) {
		if (rows++ == 0)
			html_printf(h, "<div class=\"scroll\"><table "
			    "id=\"accounts-table\" aria-labelledby=\"accounts\">"
			    "<thead><tr><th scope=\"col\">Account</th>"
			    "<th scope=\"col\">Type</th>"
			    "<th scope=\"col\">State</th>"
			    "<th scope=\"col\">Last confirmed push</th>"
			    "<th scope=\"col\" class=\"num\">Listings</th>"
			    "<th scope=\"col\" class=\"num\">Waiting to push"
			    "</th><th scope=\"col\" class=\"num\">Failing</th>"
			    "</tr></thead><tbody>\n");
		html_printf(h, "<tr id=\"account-%D\"><th scope=\"row\">"
		    "<a href=\"/admin/channel?id=%D\">%s</a></th><td>%s",
		    db_col_i64(q, 0), db_col_i64(q, 0), db_col_str(q, 1),
		    db_col_str(q, 2));
		if (strcmp(db_col_str(q, 2), "etsy") == 0)
			html_printf(h, " (<a href=\"/admin/etsy/%D\">polling"
			    "</a>, <a href=\"/admin/etsy/connect?account=%D\">"
			    "connect</a>)", db_col_i64(q, 0), db_col_i64(q, 0));
		html_printf(h, "</td><td>%s</td><td>%s</td><td class=\"num\">"
		    "%D</td><td class=\"num\">%D</td><td class=\"num%s\">%D"
		    "</td></tr>\n", db_col_i64(q, 3) ? "paused" : "active",
		    db_col_null(q, 4) ? "never" : db_col_str(q, 4),
		    db_col_i64(q, 7), db_col_i64(q, 5),
		    db_col_i64(q, 6) > 0 ? " bad" : "", db_col_i64(q, 6));
	}
	db_res_free(q);
	if (got == -1)
		return -1;
	html_printf(h, rows > 0 ? "</tbody></table></div>\n" :
	    "<p>No account is connected yet.</p>\n");
	return 0;
}

static void
field_error(struct html *h, const struct shopify_typed *t, const char *f)
{
	if (t != NULL)
		admin_field_error(h, "shopify", t->field, f, t->error);
}

static void
field_described(struct html *h, const struct shopify_typed *t,
    const char *f)
{
	if (t != NULL)
		admin_field_attrs(h, "shopify", t->field, f, NULL);
}

/* The sandbox marketplaces listen next to the hub (tools/stack.sh):
 * Shopify at the hub's port + 2. */
static void
sandbox_guess(const struct http_req *r, char *out, size_t outsz)
{
	const char	*host = http_header(r, "Host"), *colon;
	int64_t		 port = 80;

	out[0] = '\0';
	if (host == NULL || strncmp(host, "127.0.0.1", 9) != 0)
		return;
	colon = strchr(host, ':');
	if (colon != NULL && str_to_i64(colon + 1, 1, 65533, &port) == -1)
		return;
	(void)str_fmt(out, outsz, "http://127.0.0.1:%lld",
	    (long long)(port + 2));
}

static void
channels_render(struct http_req *r, struct admin_ctx *c, int status,
    const struct shopify_typed *t, const char *sandbox_error)
{
	struct buf	 b;
	struct html	 h;
	struct err	 e;
	char		 guess[64];

	buf_init(&b, ADMIN_PAGE_MAX);
	html_init(&h, &b);
	admin_page_open(&h, "Channels", &c->s);
	if (t != NULL && t->error != NULL && t->field == NULL)
		html_printf(&h, "<p class=\"error\" role=\"alert\">%s</p>\n",
		    t->error);
	if (list_accounts(c->db, &h, &e) == -1) {
		log_error("admin: channels: %s", e.msg);
		admin_fail(r, c->https, 503, "Not available",
		    "The accounts could not be read. Try again in a minute.");
		goto out;
	}
	html_printf(&h, "<h2>Connect a shop</h2>\n"
	    "<p>Etsy: add the account with <code>stockhub account add etsy"
	    "</code> on the server, then use its <em>connect</em> link above "
	    "(OAuth with PKCE).</p>\n"
	    "<form method=\"post\" action=\"/admin/channels\" "
	    "id=\"shopify-form\"><fieldset><legend>Shopify (Admin API token)"
	    "</legend>\n<p class=\"hint\">In the store's admin, create a "
	    "custom app with read_inventory, write_inventory, read_products "
	    "and read_orders, install it, and copy its Admin API access token "
	    "and client secret here. Secrets are sealed before they are "
	    "stored and are never shown again.</p>\n"
	    "<input type=\"hidden\" name=\"csrf\" value=\"%s\">"
	    "<input type=\"hidden\" name=\"action\" value=\"shopify\">\n",
	    c->s.csrf);
	field_error(&h, t, "name");
	html_printf(&h, "<label for=\"shopify-name\">Account name</label>\n"
	    "<input id=\"shopify-name\" name=\"name\" required maxlength=\"100\" "
	    "value=\"%s\"", t != NULL && t->name != NULL ? t->name : "");
	field_described(&h, t, "name");
	html_printf(&h, ">\n");
	field_error(&h, t, "shop");
	html_printf(&h, "<label for=\"shopify-shop\">Shop domain "
	    "(<code>name.myshopify.com</code>)</label>\n"
	    "<input id=\"shopify-shop\" name=\"shop\" required maxlength=\"255\" "
	    "autocapitalize=\"none\" spellcheck=\"false\" value=\"%s\"",
	    t != NULL && t->shop != NULL ? t->shop : "");
	field_described(&h, t, "shop");
	html_printf(&h, ">\n");
	field_error(&h, t, "base_url");
	html_printf(&h, "<label for=\"shopify-base-url\">API address "
	    "(leave empty for https://SHOP)</label>\n"
	    "<input id=\"shopify-base-url\" name=\"base_url\" maxlength=\"255\" "
	    "autocapitalize=\"none\" spellcheck=\"false\" value=\"%s\"",
	    t != NULL && t->base_url != NULL ? t->base_url : "");
	field_described(&h, t, "base_url");
	html_printf(&h, ">\n");
	field_error(&h, t, "token");
	html_printf(&h, "<label for=\"shopify-token\">Admin API access token"
	    "</label>\n<input id=\"shopify-token\" name=\"token\" "
	    "type=\"password\" autocomplete=\"off\" required maxlength=\"255\"");
	field_described(&h, t, "token");
	html_printf(&h, ">\n");
	field_error(&h, t, "secret");
	html_printf(&h, "<label for=\"shopify-secret\">Client secret (signs "
	    "the webhooks)</label>\n<input id=\"shopify-secret\" "
	    "name=\"secret\" type=\"password\" autocomplete=\"off\" required "
	    "maxlength=\"255\"");
	field_described(&h, t, "secret");
	html_printf(&h, ">\n");
	field_error(&h, t, "location");
	html_printf(&h, "<label for=\"shopify-location\">Location id (where "
	    "your stock is)</label>\n<input id=\"shopify-location\" "
	    "name=\"location\" required inputmode=\"numeric\" maxlength=\"20\" "
	    "value=\"%s\"", t != NULL && t->location != NULL ? t->location :
	    "");
	field_described(&h, t, "location");
	html_printf(&h, ">\n<button type=\"submit\" id=\"shopify-connect\">"
	    "Connect Shopify</button>\n</fieldset></form>\n");
	sandbox_guess(r, guess, sizeof(guess));
	html_printf(&h, "<form method=\"post\" action=\"/admin/channels\" "
	    "id=\"sandbox-form\"><fieldset><legend>Try it with the sandbox "
	    "shop</legend>\n<p class=\"hint\" id=\"sandbox-hint\">Connects the "
	    "local Shopify sandbox that <code>make run</code> starts "
	    "(shop " SANDBOX_SHOP "), maps every SKU it sells by exact "
	    "match, subscribes its webhooks and pushes. Nothing real is "
	    "touched.</p>\n");
	if (sandbox_error != NULL)
		html_printf(&h, "<p class=\"error\" role=\"alert\" "
		    "id=\"sandbox-error\">%s</p>\n", sandbox_error);
	html_printf(&h, "<input type=\"hidden\" name=\"csrf\" value=\"%s\">"
	    "<input type=\"hidden\" name=\"action\" value=\"sandbox\">\n"
	    "<label for=\"sandbox-url\">Sandbox address</label>\n"
	    "<input id=\"sandbox-url\" name=\"sandbox_url\" required "
	    "maxlength=\"255\" value=\"%s\" aria-describedby=\"sandbox-hint%s\">"
	    "\n<button type=\"submit\" id=\"sandbox-connect\">Connect the "
	    "sandbox shop</button>\n</fieldset></form>\n", c->s.csrf, guess,
	    sandbox_error != NULL ? " sandbox-error" : "");
	admin_page_close(&h);
	admin_send(r, status, c->https, &h, NULL);
out:
	buf_free(&b);
}

void
admin_channels_page(struct app *a, struct http_req *r)
{
	struct admin_ctx	 c;

	if (!admin_begin_get(a, r, &c))
		goto out;
	channels_render(r, &c, 200, NULL, NULL);
out:
	admin_ctx_free(&c);
}

static int
shop_domain_ok(const char *s)
{
	size_t	 n = s != NULL ? strlen(s) : 0, i;
	const size_t sfx = sizeof(".myshopify.com") - 1;

	if (n <= sfx || n > 255 || strcmp(s + n - sfx, ".myshopify.com") != 0)
		return 0;
	for (i = 0; i < n - sfx; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') ||
		    (s[i] >= '0' && s[i] <= '9') || s[i] == '-'))
			return 0;
	return 1;
}

static int
url_ok(const char *s)
{
	return s != NULL && strlen(s) <= 255 && strchr(s, ' ') == NULL &&
	    ((strncmp(s, "https://", 8) == 0 && s[8] != '\0') ||
	    (strncmp(s, "http://", 7) == 0 && s[7] != '\0'));
}

static void
sandbox_connect(struct app *a, struct http_req *r, struct admin_ctx *c)
{
	struct channel_account	 acct;
	struct err		 e;
	json_t			*creds = NULL;
	const char		*url = form_get(&c->form, "sandbox_url");
	int64_t			 id = 0, n = 0;
	int			 mapped = 0, left = 0, subs = 0;
	char			 loc[64], detail[128];

	memset(&acct, 0, sizeof(acct));
	if (!url_ok(url)) {
		channels_render(r, c, 400, NULL, "The sandbox address must "
		    "start with http:// or https://, like "
		    "http://127.0.0.1:8082.");
		goto out;
	}
	if (db_query_i64(c->db, "SELECT COUNT(*) FROM channel_accounts WHERE "
	    "type = 'shopify' AND shop_ref = ?", (struct db_val[]){
	    DBS(SANDBOX_SHOP) }, 1, &n, &e) == -1)
		goto dberr;
	if (n > 0) {
		channels_render(r, c, 409, NULL, "The sandbox shop is "
		    "connected already (see the list above); nothing was "
		    "added.");
		goto out;
	}
	/* the sandbox's documented fixed credentials (sandbox/shopify.c) */
	creds = json_pack("{s:s, s:s, s:s}", "access_token",
	    "shpat_sandbox_token", "webhook_secret", "sbx-shopify-secret",
	    "location_id", "1");
	err_set(&e, ERR_SYS, "out of memory");
	if (creds == NULL || channel_account_create(c->db, &a->cfg,
	    CHANNEL_SHOPIFY, "Sandbox Shopify", url, SANDBOX_SHOP, creds, NULL,
	    0, &id, &e) == -1) {
		if (creds != NULL && e.kind == ERR_CONFLICT) {
			channels_render(r, c, 409, NULL, "An account named "
			    "\"Sandbox Shopify\" exists already; nothing was "
			    "added.");
			goto out;
		}
		goto dberr;
	}
	if (channel_account_load(c->db, &a->cfg, id, &acct, &e) == -1)
		goto dberr;
	if (connect_map_all(c->db, &a->cfg, &acct, &mapped, &left, &e) == -1)
		log_warn("admin: sandbox: mapping: %s", e.msg);
	if (connect_shopify_subscribe(&a->cfg, &acct, &subs, &e) == -1)
		log_warn("admin: sandbox: subscribe: %s", e.msg);
	(void)str_fmt(detail, sizeof(detail), "sandbox shop at %.80s, %d "
	    "SKU(s) mapped", url, mapped);
	if (action_log(c->db, c->s.user, id, "connect", detail, &e) == -1)
		goto dberr;
	log_info("admin: '%s' connected the sandbox shop (%d mapped)",
	    c->s.user, mapped);
	(void)str_fmt(loc, sizeof(loc), "/admin/channel?id=%lld&done="
	    "connected", (long long)id);
	admin_redirect(r, c->https, loc, NULL);
	http_finish(r);
	run_pushes(a, c->db, "connect");
	goto out;
dberr:
	log_error("admin: sandbox connect: %s", e.msg);
	admin_fail(r, c->https, 503, "Not saved", "The sandbox shop could not "
	    "be connected. Try again in a minute.");
out:
	json_decref(creds);
	channel_account_free(&acct);
}

static void
shopify_connect(struct app *a, struct http_req *r, struct admin_ctx *c)
{
	struct shopify_typed	 t;
	struct channel_account	 acct;
	struct err		 e;
	json_t			*creds = NULL;
	const char		*token, *secret;
	char			 base[300], loc[128];
	int64_t			 id = 0, n;
	int			 subs = 0, status = 400;

	memset(&t, 0, sizeof(t));
	memset(&acct, 0, sizeof(acct));
	t.name = form_get(&c->form, "name");
	t.shop = form_get(&c->form, "shop");
	t.base_url = form_get(&c->form, "base_url");
	t.location = form_get(&c->form, "location");
	token = form_get(&c->form, "token");
	secret = form_get(&c->form, "secret");
	if (t.name == NULL || t.name[0] == '\0' || strlen(t.name) > 100) {
		t.field = "name";
		t.error = "Give the account a name (1 to 100 characters).";
	} else if (!shop_domain_ok(t.shop)) {
		t.field = "shop";
		t.error = "The shop domain looks like my-shop.myshopify.com "
		    "(lower-case letters, digits and dashes).";
	} else if (t.base_url != NULL && t.base_url[0] != '\0' &&
	    !url_ok(t.base_url)) {
		t.field = "base_url";
		t.error = "The API address must start with https:// (or "
		    "http:// for a local sandbox), or be left empty.";
	} else if (token == NULL || token[0] == '\0' || strlen(token) > 255) {
		t.field = "token";
		t.error = "Paste the Admin API access token (it starts with "
		    "shpat_). For safety, secrets are never filled in again: "
		    "enter both once more.";
	} else if (secret == NULL || secret[0] == '\0' ||
	    strlen(secret) > 255) {
		t.field = "secret";
		t.error = "Paste the app's client secret. For safety, secrets "
		    "are never filled in again: enter both once more.";
	} else if (t.location == NULL || str_to_i64(t.location, 1, INT64_MAX,
	    &n) == -1) {
		t.field = "location";
		t.error = "The location id is a number (Settings > Locations "
		    "in the store's admin shows it in the address bar).";
	}
	if (t.field != NULL)
		goto refused;
	if (t.base_url != NULL && t.base_url[0] != '\0')
		(void)str_copy(base, sizeof(base), t.base_url);
	else
		(void)str_fmt(base, sizeof(base), "https://%s", t.shop);
	creds = json_pack("{s:s, s:s, s:s}", "access_token", token,
	    "webhook_secret", secret, "location_id", t.location);
	if (creds == NULL) {
		err_set(&e, ERR_SYS, "out of memory");
		goto dberr;
	}
	if (channel_account_create(c->db, &a->cfg, CHANNEL_SHOPIFY, t.name,
	    base, t.shop, creds, NULL, 0, &id, &e) == -1) {
		if (e.kind == ERR_CONFLICT) {
			status = 409;
			t.field = "name";
			t.error = "An account with this name exists already; "
			    "choose another name.";
			goto refused;
		}
		if (e.kind == ERR_INVALID) {
			t.error = e.msg;
			goto refused;
		}
		goto dberr;
	}
	if (action_log(c->db, c->s.user, id, "connect", t.shop, &e) == -1)
		goto dberr;
	log_info("admin: '%s' connected Shopify shop %s as account %lld",
	    c->s.user, t.shop, (long long)id);
	if (channel_account_load(c->db, &a->cfg, id, &acct, &e) == -1 ||
	    connect_shopify_subscribe(&a->cfg, &acct, &subs, &e) == -1) {
		log_warn("admin: subscribing %s: %s", t.shop, e.msg);
		(void)str_fmt(loc, sizeof(loc), "/admin/channel?id=%lld&done="
		    "connected_nohooks", (long long)id);
	} else
		(void)str_fmt(loc, sizeof(loc), "/admin/channel?id=%lld&done="
		    "connected", (long long)id);
	admin_redirect(r, c->https, loc, NULL);
	goto out;
refused:
	channels_render(r, c, status, &t, NULL);
	goto out;
dberr:
	log_error("admin: shopify connect: %s", e.msg);
	admin_fail(r, c->https, 503, "Not saved", "The shop could not be "
	    "connected. Try again in a minute.");
out:
	json_decref(creds);
	channel_account_free(&acct);
	/* the form's copies of the secrets */
	for (size_t i = 0; i < c->form.n; i++)
		if (strcmp(c->form.pairs[i].key, "token") == 0 ||
		    strcmp(c->form.pairs[i].key, "secret") == 0)
			OPENSSL_cleanse(c->form.pairs[i].val,
			    strlen(c->form.pairs[i].val));
}

void
admin_channels_post(struct app *a, struct http_req *r)
{
	struct admin_ctx	 c;
	const char		*action;

	if (!admin_begin_post(a, r, &c))
		goto out;
	action = form_get(&c.form, "action");
	if (action != NULL && strcmp(action, "shopify") == 0)
		shopify_connect(a, r, &c);
	else if (action != NULL && strcmp(action, "sandbox") == 0)
		sandbox_connect(a, r, &c);
	else
		admin_fail(r, c.https, 400, "Refused", "This form is not one "
		    "of ours. Reload the page and try again.");
out:
	admin_ctx_free(&c);
}

/* ---- one account ---- */

struct acct_view {
	int64_t	 id;
	char	 type[16];
	char	 name[101];
	int	 paused;
	int64_t	 rev;
	int64_t	 pct_bp;
	int64_t	 units;
	int	 capped;
	int64_t	 max_shown;
	int64_t	 priority;
	char	 base_url[256];
	char	 shop_ref[256];
};

/* What the settings form holds: typed text, or the stored values. */
struct settings_typed {
	const char	*pct, *units, *max, *priority;
	const char	*field;		/* in error, or NULL */
	const char	*error;
	int		 preview;	/* 1: pol holds the typed policy */
	struct alloc_policy pol;
};

static int
acct_get(struct db *db, const char *idtext, struct acct_view *v,
    struct err *e)
{
	struct db_res	*q;
	int64_t		 id;
	int		 got;

	memset(v, 0, sizeof(*v));
	if (idtext == NULL || str_to_i64(idtext, 1, INT64_MAX, &id) == -1)
		return 0;
	if ((q = db_query(db, "SELECT id, type, name, paused, settings_rev, "
	    "ROUND(holdback_pct * 100), holdback_units, max_shown, priority, "
	    "api_base_url, shop_ref FROM channel_accounts WHERE id = ?",
	    (struct db_val[]){ DBI(id) }, 1, e)) == NULL)
		return -1;
	if ((got = db_next(q, e)) == 1) {
		v->id = db_col_i64(q, 0);
		(void)str_copy(v->type, sizeof(v->type), db_col_str(q, 1));
		(void)str_copy(v->name, sizeof(v->name), db_col_str(q, 2));
		v->paused = db_col_i64(q, 3) != 0;
		v->rev = db_col_i64(q, 4);
		v->pct_bp = db_col_i64(q, 5);
		v->units = db_col_i64(q, 6);
		v->capped = !db_col_null(q, 7);
		v->max_shown = db_col_i64(q, 7);
		v->priority = db_col_i64(q, 8);
		(void)str_copy(v->base_url, sizeof(v->base_url),
		    db_col_str(q, 9));
		(void)str_copy(v->shop_ref, sizeof(v->shop_ref),
		    db_col_str(q, 10));
	}
	db_res_free(q);
	return got;
}

/*
 * The preview: for each listing of the account, what it shows now and,
 * with t->preview, what it would show with t->pol (the other accounts
 * listing the same item keep theirs: the low-stock rule looks at all).
 */
static int
preview_table(struct db *db, const struct acct_view *v,
    const struct settings_typed *t, struct html *h, struct err *e)
{
	struct db_res		*q = NULL, *p = NULL;
	struct alloc_policy	 now[POLICIES_MAX], typed[POLICIES_MAX];
	int64_t			 shown_now[POLICIES_MAX];
	int64_t			 shown_typed[POLICIES_MAX];
	int64_t			 avail, lid;
	char			 enc[STOCK_SKU_MAX * 4 * 3 + 1];
	const char		*pct;
	char			*end;
	size_t			 n, me;
	int			 got, pgot, rows = 0, rc = -1;

	if ((q = db_query(db, "SELECT cl.id, i.sku, cl.ext_listing, "
	    "cl.ext_variant, i.id, i.on_hand - i.committed, "
	    "i.kind <> 'stocked', cl.last_pushed_qty FROM channel_listings cl "
	    "JOIN stock_items i ON i.id = cl.item_id WHERE cl.account_id = ? "
	    "ORDER BY i.sku, cl.id LIMIT ?", (struct db_val[]){ DBI(v->id),
	    DBI(PREVIEW_MAX) }, 2, e)) == NULL)
		return -1;
	html_printf(h, "<h2 id=\"preview\">What each listing shows</h2>\n");
	while ((got = db_next(q, e)) == 1) {
		lid = db_col_i64(q, 0);
		avail = db_col_i64(q, 5);
		if (db_col_i64(q, 6) != 0 && bom_item_available(db,
		    db_col_i64(q, 4), &avail, e) == -1)
			goto out;
		db_res_free(p);
		if ((p = db_query(db, "SELECT l.id, a.id, a.holdback_pct, "
		    "a.holdback_units, a.max_shown, a.priority FROM "
		    "channel_listings l JOIN channel_accounts a ON a.id = "
		    "l.account_id WHERE l.item_id = ? ORDER BY a.id, l.id",
		    (struct db_val[]){ DBI(db_col_i64(q, 4)) }, 1,
		    e)) == NULL)
			goto out;
		n = 0;
		me = 0;
		while ((pgot = db_next(p, e)) == 1 && n < POLICIES_MAX) {
			memset(&now[n], 0, sizeof(now[n]));
			pct = db_col_str(p, 2);
			now[n].holdback_pct = pct != NULL ? strtod(pct, &end) :
			    0;
			now[n].holdback_units = db_col_i64(p, 3);
			now[n].capped = !db_col_null(p, 4);
			now[n].max_shown = db_col_i64(p, 4);
			now[n].priority = (int)db_col_i64(p, 5);
			typed[n] = db_col_i64(p, 1) == v->id && t != NULL &&
			    t->preview ? t->pol : now[n];
			if (db_col_i64(p, 0) == lid)
				me = n;
			n++;
		}
		if (pgot == -1)
			goto out;
		if (alloc_compute(avail, now, n, shown_now, e) == -1 ||
		    alloc_compute(avail, typed, n, shown_typed, e) == -1)
			goto out;
		if (rows++ == 0) {
			html_printf(h, "<div class=\"scroll\"><table "
			    "id=\"preview-table\" aria-labelledby=\"preview\">"
			    "<thead><tr><th scope=\"col\">SKU</th>"
			    "<th scope=\"col\">Listing</th>"
			    "<th scope=\"col\" class=\"num\">Available</th>"
			    "<th scope=\"col\" class=\"num\">Shows now</th>");
			if (t != NULL && t->preview)
				html_printf(h, "<th scope=\"col\" class=\"num\">"
				    "With these settings</th>");
			html_printf(h, "<th scope=\"col\" class=\"num\">Last "
			    "pushed</th></tr></thead><tbody>\n");
		}
		if (admin_urlencode(enc, sizeof(enc), db_col_str(q, 1)) == -1)
			enc[0] = '\0';
		html_printf(h, "<tr><td><a href=\"/admin/sku?sku=%s\">%s</a>"
		    "</td><td>%s%s%s</td><td class=\"num\">%D</td>"
		    "<td class=\"num\">%D</td>", enc, db_col_str(q, 1),
		    db_col_str(q, 2), db_col_str(q, 3)[0] != '\0' ? " " : "",
		    db_col_str(q, 3), avail, shown_now[me]);
		if (t != NULL && t->preview)
			html_printf(h, "<td class=\"num%s\">%D</td>",
			    shown_typed[me] != shown_now[me] ? " bad" : "",
			    shown_typed[me]);
		if (db_col_null(q, 7))
			html_printf(h, "<td class=\"num\">not yet</td></tr>\n");
		else
			html_printf(h, "<td class=\"num\">%D</td></tr>\n",
			    db_col_i64(q, 7));
	}
	if (got == -1)
		goto out;
	html_printf(h, rows > 0 ? "</tbody></table></div>\n" :
	    "<p>No SKU is mapped to this account yet.</p>\n");
	rc = 0;
out:
	db_res_free(p);
	db_res_free(q);
	return rc;
}

static void
sfield_error(struct html *h, const struct settings_typed *t, const char *f)
{
	if (t != NULL)
		admin_field_error(h, "settings", t->field, f, t->error);
}

static void
sfield_attr(struct html *h, const struct settings_typed *t, const char *f,
    const char *hint)
{
	admin_field_attrs(h, "settings", t != NULL ? t->field : NULL, f,
	    hint);
}

static const struct {
	const char	*done;
	const char	*text;
} notices[] = {
	{ "connected", "The shop is connected and its webhooks subscribed." },
	{ "connected_nohooks", "The shop is connected, but its webhooks "
	  "could not be subscribed yet; run stockhub shopify subscribe "
	  "later." },
	{ "settings", "Saved. Every listing of these items is being pushed "
	  "with the new buffers." },
	{ "pause", "Paused: nothing is pushed to or read from this account "
	  "until you resume it. Nothing is lost meanwhile." },
	{ "resume", "Resumed: what waited is being pushed now." },
	{ "pushall", "Every listing of this account was queued and is being "
	  "pushed now." },
	{ "mapall", "Every SKU the shop sells under the same SKU is mapped." },
	{ "mapall_shared", "Every SKU the shop sells under the same SKU is "
	  "mapped, except SKUs that several of the shop's listings or "
	  "variants carry, or that sit on an Etsy listing whose variations "
	  "share one quantity: give each its own SKU (or quantity) on the "
	  "channel, then press the button again, or map them on the SKU "
	  "map." },
	{ NULL, NULL }
};

/*
 * What bufrec recommends for this account, per velocity class, next to
 * the configured buffer: measured, not a static percentage (README
 * "Safety buffers"). Advice only; `stockhub buffers --apply` applies it.
 * A failure to measure is logged and the section left out: the page
 * still works.
 */
static void
recommend_table(struct db *db, int64_t id, struct html *h)
{
	struct bufrec_row	 rows[BUFREC_CLASSES];
	struct err		 e;
	size_t			 n = 0, i;
	char			 pct[32];

	if (bufrec_account(db, id, 14, BUFREC_TARGET, rows, &n, &e) == -1) {
		log_error("admin: account %lld buffer advice: %s",
		    (long long)id, e.msg);
		return;
	}
	html_printf(h, "<h2 id=\"advice\">Recommended buffers</h2>\n"
	    "<p class=\"hint\">From the last 14 days: how fast each SKU "
	    "sells and how long the other channels take to hear of a sale; "
	    "the smallest holdback that keeps an oversell below 1 in 1,000 "
	    "sync windows.</p>\n");
	if (n == 0) {
		html_printf(h, "<p id=\"advice-none\">No listings yet.</p>\n");
		return;
	}
	html_printf(h, "<div class=\"scroll\"><table id=\"advice-table\" "
	    "aria-labelledby=\"advice\">"
	    "<thead><tr><th scope=\"col\">Sales speed</th><th scope=\"col\">"
	    "SKUs</th><th scope=\"col\">Configured</th><th scope=\"col\">"
	    "Recommended</th><th scope=\"col\">Why</th></tr></thead><tbody>\n");
	for (i = 0; i < n; i++) {
		(void)str_fmt(pct, sizeof(pct), "%.2f", rows[i].configured_pct);
		html_printf(h, "<tr><td>%s</td><td>%d</td><td>%s %% / %D "
		    "units</td><td>%D units</td><td>%s</td></tr>\n",
		    bufrec_class_name(rows[i].cls), rows[i].skus, pct,
		    rows[i].configured_units, rows[i].units, rows[i].why);
	}
	html_printf(h, "</tbody></table></div>\n");
}

static void
account_render(struct http_req *r, struct admin_ctx *c,
    const struct acct_view *v, int status, const struct settings_typed *t,
    const char *notice, const char *stale)
{
	struct buf	 b;
	struct html	 h;
	struct err	 e;
	char		 pct[32], units[32], max[32], prio[32];

	buf_init(&b, ADMIN_PAGE_MAX);
	html_init(&h, &b);
	pct_text(pct, sizeof(pct), v->pct_bp);
	(void)str_fmt(units, sizeof(units), "%lld", (long long)v->units);
	if (v->capped)
		(void)str_fmt(max, sizeof(max), "%lld",
		    (long long)v->max_shown);
	else
		max[0] = '\0';
	(void)str_fmt(prio, sizeof(prio), "%lld", (long long)v->priority);
	admin_page_open(&h, v->name, &c->s);
	html_printf(&h, "<p><a href=\"/admin/channels\">All channels</a></p>\n"
	    "<p>%s account, shop <code>%s</code> at <code>%s</code>: "
	    "<strong id=\"account-state\">%s</strong>.",
	    v->type, v->shop_ref, v->base_url, v->paused ? "paused" :
	    "active");
	if (strcmp(v->type, "etsy") == 0)
		html_printf(&h, " <a href=\"/admin/etsy/%D\">Polling settings"
		    "</a>", v->id);
	html_printf(&h, "</p>\n");
	if (notice != NULL)
		html_printf(&h, "<p class=\"notice\" role=\"status\">%s</p>\n",
		    notice);
	if (stale != NULL)
		html_printf(&h, "<div class=\"error\" role=\"alert\" "
		    "id=\"stale-error\"><p>%s</p><p>Saved now: holdback %s %%, "
		    "%s units, maximum %s, priority %s, %s.</p></div>\n",
		    stale, pct, units, max[0] != '\0' ? max : "none", prio,
		    v->paused ? "paused" : "active");
	/* pause / resume and push all */
	html_printf(&h, "<form method=\"post\" action=\"/admin/channel\" "
	    "id=\"state-form\"><input type=\"hidden\" name=\"csrf\" "
	    "value=\"%s\"><input type=\"hidden\" name=\"id\" value=\"%D\">"
	    "<input type=\"hidden\" name=\"rev\" value=\"%D\">"
	    "<input type=\"hidden\" name=\"action\" value=\"%s\">"
	    "<button type=\"submit\" id=\"%s-button\">%s</button></form>\n",
	    c->s.csrf, v->id, v->rev, v->paused ? "resume" : "pause",
	    v->paused ? "resume" : "pause", v->paused ? "Resume this account" :
	    "Pause this account");
	html_printf(&h, "<form method=\"post\" action=\"/admin/channel\" "
	    "id=\"pushall-form\"><input type=\"hidden\" name=\"csrf\" "
	    "value=\"%s\"><input type=\"hidden\" name=\"id\" value=\"%D\">"
	    "<input type=\"hidden\" name=\"action\" value=\"pushall\">"
	    "<button type=\"submit\" id=\"pushall-button\">Push all now"
	    "</button> <span class=\"hint\">Writes the hub's figure to every "
	    "listing of this account.</span></form>\n", c->s.csrf, v->id);
	if (has_catalog(v->type))
		html_printf(&h, "<form method=\"post\" action=\"/admin/channel\" "
		    "id=\"mapall-form\"><input type=\"hidden\" name=\"csrf\" "
		    "value=\"%s\"><input type=\"hidden\" name=\"id\" "
		    "value=\"%D\"><input type=\"hidden\" name=\"action\" "
		    "value=\"mapall\"><button type=\"submit\" "
		    "id=\"mapall-button\">Map every SKU by exact match"
		    "</button></form>\n", c->s.csrf, v->id);
	/* buffers and the low-stock rule */
	html_printf(&h, "<form method=\"post\" action=\"/admin/channel\" "
	    "id=\"settings-form\"><fieldset><legend>Buffers and the low-stock "
	    "rule</legend>\n");
	if (t != NULL && t->error != NULL && t->field == NULL)
		html_printf(&h, "<p class=\"error\" role=\"alert\">%s</p>\n",
		    t->error);
	html_printf(&h, "<input type=\"hidden\" name=\"csrf\" value=\"%s\">"
	    "<input type=\"hidden\" name=\"id\" value=\"%D\">"
	    "<input type=\"hidden\" name=\"rev\" value=\"%D\">\n",
	    c->s.csrf, v->id, v->rev);
	sfield_error(&h, t, "pct");
	html_printf(&h, "<label for=\"settings-pct\">Hold back (percent)"
	    "</label>\n<p class=\"hint\" id=\"settings-pct-hint\">0 to 100, "
	    "two decimals at most; rounded up to whole units.</p>\n"
	    "<input id=\"settings-pct\" name=\"holdback_pct\" "
	    "inputmode=\"decimal\" required value=\"%s\"",
	    t != NULL && t->pct != NULL ? t->pct : pct);
	sfield_attr(&h, t, "pct", "pct");
	html_printf(&h, ">\n");
	sfield_error(&h, t, "units");
	html_printf(&h, "<label for=\"settings-units\">Hold back (units)"
	    "</label>\n<p class=\"hint\" id=\"settings-units-hint\">The larger "
	    "of the two buffers applies.</p>\n<input id=\"settings-units\" "
	    "name=\"holdback_units\" type=\"number\" min=\"0\" step=\"1\" "
	    "required value=\"%s\"", t != NULL && t->units != NULL ? t->units :
	    units);
	sfield_attr(&h, t, "units", "units");
	html_printf(&h, ">\n");
	sfield_error(&h, t, "max");
	html_printf(&h, "<label for=\"settings-max\">Show at most (units)"
	    "</label>\n<p class=\"hint\" id=\"settings-max-hint\">Empty: no "
	    "maximum. 0 switches the channel off.</p>\n<input "
	    "id=\"settings-max\" name=\"max_shown\" type=\"number\" min=\"0\" "
	    "step=\"1\" value=\"%s\"", t != NULL && t->max != NULL ? t->max :
	    max);
	sfield_attr(&h, t, "max", "max");
	html_printf(&h, ">\n");
	sfield_error(&h, t, "priority");
	html_printf(&h, "<label for=\"settings-priority\">Low-stock priority"
	    "</label>\n<p class=\"hint\" id=\"settings-priority-hint\">When "
	    "buffers would hide the last units everywhere, the channel with "
	    "the highest priority keeps showing them. 0: no preference; "
	    "negative: never here.</p>\n<input id=\"settings-priority\" "
	    "name=\"priority\" type=\"number\" step=\"1\" required "
	    "value=\"%s\"", t != NULL && t->priority != NULL ? t->priority :
	    prio);
	sfield_attr(&h, t, "priority", "priority");
	html_printf(&h, ">\n<button type=\"submit\" name=\"action\" "
	    "value=\"preview\" id=\"settings-preview\">Preview</button> "
	    "<button type=\"submit\" name=\"action\" value=\"settings\" "
	    "id=\"settings-save\">Save</button>\n</fieldset></form>\n"
	    "<p id=\"preview-status\" class=\"hint\" role=\"status\" "
	    "aria-live=\"polite\"></p>\n");
	if (preview_table(c->db, v, t, &h, &e) == -1) {
		log_error("admin: account %lld preview: %s", (long long)v->id,
		    e.msg);
		admin_fail(r, c->https, 503, "Not available",
		    "The listings could not be read. Try again in a minute.");
		goto out;
	}
	recommend_table(c->db, v->id, &h);
	html_printf(&h, "<script src=\"/admin/preview.js\" defer></script>\n");
	admin_page_close(&h);
	admin_send(r, status, c->https, &h, NULL);
out:
	buf_free(&b);
}

void
admin_account_page(struct app *a, struct http_req *r)
{
	struct admin_ctx	 c;
	struct acct_view	 v;
	struct err		 e;
	const char		*done, *notice = NULL;
	size_t			 i;
	int			 got;

	if (!admin_begin_get(a, r, &c))
		goto out;
	if ((got = acct_get(c.db, form_get(&r->query, "id"), &v, &e)) == -1) {
		log_error("admin: account: %s", e.msg);
		admin_fail(r, c.https, 503, "Not available",
		    "The account could not be read. Try again in a minute.");
		goto out;
	}
	if (got == 0) {
		admin_fail(r, c.https, 404, "Not found", "There is no such "
		    "account. See the list under Channels.");
		goto out;
	}
	done = form_get(&r->query, "done");
	for (i = 0; done != NULL && notices[i].done != NULL; i++)
		if (strcmp(notices[i].done, done) == 0)
			notice = notices[i].text;
	account_render(r, &c, &v, 200, NULL, notice, NULL);
out:
	admin_ctx_free(&c);
}

/* Validate the settings form into t->pol. 0, or -1 with t->field set. */
static int
settings_check(struct settings_typed *t)
{
	int64_t	 bp, units, max = 0, prio;

	memset(&t->pol, 0, sizeof(t->pol));
	if (parse_pct(t->pct, &bp) == -1) {
		t->field = "pct";
		t->error = "The percent must be a number from 0 to 100 with "
		    "at most two decimals, like 5 or 7.5.";
		return -1;
	}
	if (t->units == NULL || str_to_i64(t->units, 0, UNITS_MAX,
	    &units) == -1) {
		t->field = "units";
		t->error = "The units must be a whole number from 0 to "
		    "1000000000.";
		return -1;
	}
	if (t->max != NULL && t->max[0] != '\0' && str_to_i64(t->max, 0,
	    UNITS_MAX, &max) == -1) {
		t->field = "max";
		t->error = "The maximum must be empty or a whole number from 0 "
		    "to 1000000000.";
		return -1;
	}
	if (t->priority == NULL || str_to_i64(t->priority, -PRIORITY_MAX,
	    PRIORITY_MAX, &prio) == -1) {
		t->field = "priority";
		t->error = "The priority must be a whole number from -1000 to "
		    "1000.";
		return -1;
	}
	t->pol.holdback_pct = (double)bp / 100.0;
	t->pol.holdback_units = units;
	t->pol.capped = t->max != NULL && t->max[0] != '\0';
	t->pol.max_shown = max;
	t->pol.priority = (int)prio;
	return 0;
}

/* Queue a push of every listing of every item this account lists (a
 * buffer change moves what the other channels show too). */
static int
queue_items_of(struct db *db, int64_t account_id, int all_items,
    int *queued, struct err *e)
{
	struct db_res	*q;
	int64_t		*ids = NULL;
	size_t		 n = 0, cap = 0, i;
	int		 got, rc = -1;
	void		*p;

	*queued = 0;
	q = all_items ? db_query(db, "SELECT DISTINCT l.id FROM "
	    "channel_listings l JOIN channel_listings me ON me.item_id = "
	    "l.item_id WHERE me.account_id = ? ORDER BY l.id",
	    (struct db_val[]){ DBI(account_id) }, 1, e) :
	    db_query(db, "SELECT id FROM channel_listings WHERE account_id = ? "
	    "ORDER BY id", (struct db_val[]){ DBI(account_id) }, 1, e);
	if (q == NULL)
		return -1;
	while ((got = db_next(q, e)) == 1) {
		if (n == cap) {
			cap = cap ? cap * 2 : 64;
			if ((p = realloc(ids, cap * sizeof(*ids))) == NULL) {
				err_set(e, ERR_SYS, "out of memory");
				goto out;
			}
			ids = p;
		}
		ids[n++] = db_col_i64(q, 0);
	}
	if (got == -1)
		goto out;
	for (i = 0; i < n; i++) {
		if (push_queue_listing(db, ids[i], e) == -1)
			goto out;
		(*queued)++;
	}
	rc = 0;
out:
	db_res_free(q);
	free(ids);
	return rc;
}

/* Move the revision from rev; 1 moved, 0 stale, -1 error. */
static int
rev_bump(struct db *db, int64_t id, int64_t rev, struct err *e)
{
	uint64_t	 affected = 0;

	if (db_exec(db, "UPDATE channel_accounts SET settings_rev = "
	    "settings_rev + 1 WHERE id = ? AND settings_rev = ?",
	    (struct db_val[]){ DBI(id), DBI(rev) }, 2, &affected, NULL,
	    e) == -1)
		return -1;
	return affected == 1;
}

static const char stale_text[] = "This account's settings were changed "
    "(by someone else, or in another tab) after you opened this page, so "
    "nothing was saved. The current values are below; your entries are "
    "kept in the form. Check them and send again.";

void
admin_account_post(struct app *a, struct http_req *r)
{
	struct admin_ctx	 c;
	struct acct_view	 v;
	struct settings_typed	 t;
	struct channel_account	 acct;
	struct err		 e;
	const char		*action, *revtext, *kind = NULL;
	char			 loc[128], detail[160], pct[32];
	int64_t			 rev = -1;
	int			 got, moved, n = 0, left = 0, push = 0;

	memset(&acct, 0, sizeof(acct));
	memset(&t, 0, sizeof(t));
	if (!admin_begin_post(a, r, &c))
		goto out;
	action = form_get(&c.form, "action");
	if ((got = acct_get(c.db, form_get(&c.form, "id"), &v, &e)) == -1)
		goto dberr;
	if (got == 0 || action == NULL) {
		admin_fail(r, c.https, got == 0 ? 404 : 400, "Refused",
		    "This form is not one of ours, or the account is gone. "
		    "Reload the page and try again.");
		goto out;
	}
	revtext = form_get(&c.form, "rev");
	if (revtext != NULL)
		(void)str_to_i64(revtext, 0, INT64_MAX, &rev);
	t.pct = form_get(&c.form, "holdback_pct");
	t.units = form_get(&c.form, "holdback_units");
	t.max = form_get(&c.form, "max_shown");
	t.priority = form_get(&c.form, "priority");

	if (strcmp(action, "preview") == 0 || strcmp(action, "settings") == 0) {
		if (settings_check(&t) == -1) {
			account_render(r, &c, &v, 400, &t, NULL, NULL);
			goto out;
		}
		t.preview = 1;
		if (strcmp(action, "preview") == 0) {
			account_render(r, &c, &v, 200, &t, "Preview only: "
			    "nothing was saved.", NULL);
			goto out;
		}
		if (db_begin(c.db, &e) == -1)
			goto dberr;
		if ((moved = rev_bump(c.db, v.id, rev, &e)) == -1) {
			db_rollback(c.db);
			goto dberr;
		}
		if (!moved) {
			db_rollback(c.db);
			account_render(r, &c, &v, 409, &t, NULL, stale_text);
			goto out;
		}
		pct_text(pct, sizeof(pct), (int64_t)(t.pol.holdback_pct * 100 +
		    0.5));
		(void)str_fmt(detail, sizeof(detail), "holdback %s%%, %lld "
		    "units, max %s%.20s, priority %d", pct,
		    (long long)t.pol.holdback_units, t.pol.capped ? "" : "none",
		    t.pol.capped ? t.max : "", t.pol.priority);
		if (db_exec(c.db, "UPDATE channel_accounts SET holdback_pct = "
		    "?, holdback_units = ?, max_shown = ?, priority = ? WHERE "
		    "id = ?", (struct db_val[]){ DBS(pct),
		    DBI(t.pol.holdback_units), t.pol.capped ?
		    DBI(t.pol.max_shown) : DBN, DBI(t.pol.priority),
		    DBI(v.id) }, 5, NULL, NULL, &e) == -1 ||
		    action_log(c.db, c.s.user, v.id, "settings", detail,
		    &e) == -1 || queue_items_of(c.db, v.id, 1, &n, &e) == -1 ||
		    db_commit(c.db, &e) == -1) {
			db_rollback(c.db);
			goto dberr;
		}
		kind = "settings";
		push = 1;
	} else if (strcmp(action, "pause") == 0 ||
	    strcmp(action, "resume") == 0) {
		if (db_begin(c.db, &e) == -1)
			goto dberr;
		if ((moved = rev_bump(c.db, v.id, rev, &e)) == -1) {
			db_rollback(c.db);
			goto dberr;
		}
		if (!moved || v.paused == (strcmp(action, "pause") == 0)) {
			db_rollback(c.db);
			account_render(r, &c, &v, 409, NULL, NULL,
			    moved ? "This account is already in that state; "
			    "nothing changed." : stale_text);
			goto out;
		}
		if (channel_account_set_paused(c.db, v.id,
		    strcmp(action, "pause") == 0, &e) == -1 ||
		    action_log(c.db, c.s.user, v.id, action, "", &e) == -1 ||
		    db_commit(c.db, &e) == -1) {
			db_rollback(c.db);
			goto dberr;
		}
		kind = action;
		push = strcmp(action, "resume") == 0;
	} else if (strcmp(action, "pushall") == 0) {
		if (queue_items_of(c.db, v.id, 0, &n, &e) == -1)
			goto dberr;
		(void)str_fmt(detail, sizeof(detail), "%d listing(s) queued",
		    n);
		if (action_log(c.db, c.s.user, v.id, "pushall", detail,
		    &e) == -1)
			goto dberr;
		kind = "pushall";
		push = 1;
	} else if (strcmp(action, "mapall") == 0 && has_catalog(v.type)) {
		if (channel_account_load(c.db, &a->cfg, v.id, &acct, &e) == -1)
			goto dberr;
		if (connect_map_all(c.db, &a->cfg, &acct, &n, &left,
		    &e) == -1) {
			log_error("admin: map all on %lld: %s",
			    (long long)v.id, e.msg);
			admin_fail(r, c.https, e.kind == ERR_RETRY ? 503 : 502,
			    "Not finished", e.kind == ERR_RETRY ? "The shop "
			    "asked the hub to slow down before its whole "
			    "catalog was read; nothing was mapped. Try again "
			    "in a minute." : "The shop's catalog could not be "
			    "read to the end; nothing was mapped. Try again in "
			    "a minute.");
			goto out;
		}
		(void)str_fmt(detail, sizeof(detail), "%d SKU(s) mapped, %d "
		    "left for a person", n, left);
		if (action_log(c.db, c.s.user, v.id, "mapall", detail,
		    &e) == -1)
			goto dberr;
		kind = left > 0 ? "mapall_shared" : "mapall";
		push = 1;
	} else {
		admin_fail(r, c.https, 400, "Refused", "This form is not one "
		    "of ours. Reload the page and try again.");
		goto out;
	}
	log_info("admin: %s on account %lld by %s", kind, (long long)v.id,
	    c.s.user);
	(void)str_fmt(loc, sizeof(loc), "/admin/channel?id=%lld&done=%s",
	    (long long)v.id, kind);
	admin_redirect(r, c.https, loc, NULL);
	if (push) {
		http_finish(r);
		run_pushes(a, c.db, kind);
	}
	goto out;
dberr:
	log_error("admin: account action: %s", e.msg);
	admin_fail(r, c.https, 503, "Not saved", "The change could not be "
	    "saved; nothing changed. Try again in a minute.");
out:
	channel_account_free(&acct);
	admin_ctx_free(&c);
}
