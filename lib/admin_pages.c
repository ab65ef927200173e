/*
 * admin_pages: the dashboard and the stock page with its actions (see
 * admin.h). Every value from the database or the request is written
 * through html_printf()/html_text(); every stock action goes through
 * ledger_post() with push_touch, under an event key made from the form's
 * own random token, so a form sent twice moves stock once.
 */
#include <stdint.h>
#include <string.h>
#include <unistd.h>

#include "admin.h"
#include "app.h"
#include "auth.h"
#include "buf.h"
#include "channel.h"
#include "db.h"
#include "err.h"
#include "html.h"
#include "http.h"
#include "ledger.h"
#include "log.h"
#include "push.h"
#include "returns.h"
#include "stock.h"
#include "str.h"

#define LOW_STOCK	2	/* available at or below this is "low" */
#define PUSH_AFTER_MS	5000	/* pushes run after an action is answered */
#define TS_FMT		"'%Y-%m-%d %H:%i'"

/* ---- dashboard ---- */

static void
sku_link(struct html *h, const char *sku)
{
	char	 enc[STOCK_SKU_MAX * 4 * 3 + 1];

	if (admin_urlencode(enc, sizeof(enc), sku) == -1)
		html_text(h, sku);
	else
		html_printf(h, "<a href=\"/admin/stock?sku=%s\">%s</a>", enc,
		    sku);
}

static void
sku_search(struct html *h, const char *value)
{
	html_printf(h, "<form method=\"get\" action=\"/admin/stock\" "
	    "role=\"search\">\n<label for=\"find-sku\">Find a SKU</label>\n"
	    "<input id=\"find-sku\" name=\"sku\" required maxlength=\"64\" "
	    "autocapitalize=\"none\" spellcheck=\"false\" value=\"%s\">\n"
	    "<button type=\"submit\">Show stock</button>\n</form>\n",
	    value != NULL ? value : "");
}

static int
dash_channels(struct db *db, struct html *h, struct err *e)
{
	struct db_res	*q = NULL, *lp = NULL;
	struct db_val	 arg;
	int		 got, rows = 0, rc = -1;

	if ((q = db_query(db, "SELECT ca.id, ca.name, ca.type, ca.paused, "
	    "(SELECT COUNT(*) FROM push_queue pq JOIN channel_listings cl "
	    "ON cl.id = pq.listing_id WHERE cl.account_id = ca.id AND "
	    "pq.dead = 0 AND pq.done_version < pq.want_version), "
	    "(SELECT COUNT(*) FROM push_queue pq JOIN channel_listings cl "
	    "ON cl.id = pq.listing_id WHERE cl.account_id = ca.id AND "
	    "pq.dead = 1), "
	    /* 6: the last poll that succeeded (Etsy) or the last webhook
	     * received (Shopify); 7: the last push the channel took */
	    "CASE WHEN ca.type = 'etsy' THEN (SELECT IF(ep.last_success_at "
	    "> 0, DATE_FORMAT(FROM_UNIXTIME(ep.last_success_at), " TS_FMT
	    "), NULL) FROM etsy_poll_state ep WHERE ep.account_id = ca.id) "
	    "ELSE (SELECT DATE_FORMAT(MAX(w.received_at), " TS_FMT ") FROM "
	    "webhook_inbox w WHERE w.account_id = ca.id) END, "
	    "(SELECT DATE_FORMAT(MAX(pl.at), " TS_FMT ") FROM push_log pl "
	    "JOIN channel_listings cl ON cl.id = pl.listing_id WHERE "
	    "cl.account_id = ca.id AND pl.outcome IN ('written','unchanged',"
	    "'held')), "
	    /* 8, 9: Etsy's API calls today (all purposes; the status page
	     * splits them) and its current polling interval */
	    "(SELECT SUM(c.n) FROM etsy_api_calls c WHERE c.account_id = "
	    "ca.id AND c.day = UTC_DATE()), (SELECT ep.current_interval_s "
	    "FROM etsy_poll_state ep WHERE ep.account_id = ca.id) "
	    "FROM channel_accounts ca ORDER BY ca.name",
	    NULL, 0, e)) == NULL)
		goto out;
	html_printf(h, "<h2 id=\"channels\">Channels</h2>\n");
	while ((got = db_next(q, e)) == 1) {
		if (rows++ == 0)
			html_printf(h, "<div class=\"scroll\"><table "
			    "aria-labelledby=\"channels\"><thead><tr>"
			    "<th scope=\"col\">Channel</th>"
			    "<th scope=\"col\">Type</th>"
			    "<th scope=\"col\">Last confirmed poll or "
			    "webhook</th>"
			    "<th scope=\"col\">Last confirmed push</th>"
			    "<th scope=\"col\">Last push</th>"
			    "<th scope=\"col\">Outcome</th>"
			    "<th scope=\"col\" class=\"num\">Waiting to push"
			    "</th><th scope=\"col\" class=\"num\">Failed</th>"
			    "<th scope=\"col\" class=\"num\">API calls today"
			    "</th><th scope=\"col\">Polling</th>"
			    "</tr></thead><tbody>\n");
		html_printf(h, "<tr><th scope=\"row\"><a href=\"/admin/"
		    "channel?id=%D\">%s</a>%s</th><td>%s", db_col_i64(q, 0),
		    db_col_str(q, 1), db_col_i64(q, 3) ? " (paused)" : "",
		    db_col_str(q, 2));
		if (strcmp(db_col_str(q, 2), "etsy") == 0)
			html_printf(h, " <a href=\"/admin/etsy/connect?account="
			    "%D\">Connect</a> <a href=\"/admin/etsy/status?"
			    "account=%D\">Status</a>", db_col_i64(q, 0),
			    db_col_i64(q, 0));
		html_printf(h, "</td><td>%s</td><td>%s</td>",
		    db_col_null(q, 6) ? "never" : db_col_str(q, 6),
		    db_col_null(q, 7) ? "never" : db_col_str(q, 7));
		arg = DBI(db_col_i64(q, 0));
		db_res_free(lp);
		if ((lp = db_query(db, "SELECT DATE_FORMAT(pl.at, " TS_FMT
		    "), pl.outcome, pl.detail FROM push_log pl JOIN "
		    "channel_listings cl ON cl.id = pl.listing_id WHERE "
		    "cl.account_id = ? ORDER BY pl.id DESC LIMIT 1", &arg, 1,
		    e)) == NULL || (got = db_next(lp, e)) == -1)
			goto out;
		if (got)
			html_printf(h, "<td>%s</td><td>%s%s%s</td>",
			    db_col_str(lp, 0), db_col_str(lp, 1),
			    db_col_str(lp, 2)[0] != '\0' ? ": " : "",
			    db_col_str(lp, 2));
		else
			html_printf(h, "<td>never</td><td></td>");
		html_printf(h, "<td class=\"num\">%D</td><td class=\"num%s\">"
		    "%D</td>", db_col_i64(q, 4),
		    db_col_i64(q, 5) > 0 ? " bad" : "", db_col_i64(q, 5));
		if (strcmp(db_col_str(q, 2), "etsy") == 0)
			html_printf(h, "<td class=\"num\">%D</td><td>every %D s"
			    "</td></tr>\n", db_col_null(q, 8) ? 0 :
			    db_col_i64(q, 8), db_col_null(q, 9) ? 60 :
			    db_col_i64(q, 9));
		else
			html_printf(h, "<td class=\"num\">not counted</td>"
			    "<td>webhooks</td></tr>\n");
	}
	if (got == -1)
		goto out;
	if (rows > 0)
		html_printf(h, "</tbody></table></div>\n");
	else
		html_printf(h, "<p>No channel is connected yet. Connect one "
		    "on the server with <code>stockhub account add</code>."
		    "</p>\n");
	rc = 0;
out:
	db_res_free(lp);
	db_res_free(q);
	return rc;
}

/* How many open alerts of each kind: unmapped sales and variations,
 * push failures, discrepancies, tokens. */
static int
dash_alert_kinds(struct db *db, struct html *h, struct err *e)
{
	struct db_res	*q;
	int		 got, rows = 0;

	if ((q = db_query(db, "SELECT kind, COUNT(*) FROM alerts WHERE "
	    "resolved_at IS NULL GROUP BY kind ORDER BY kind", NULL, 0,
	    e)) == NULL)
		return -1;
	while ((got = db_next(q, e)) == 1)
		html_printf(h, "%s<span class=\"alert-kind\">%s: <strong>%D"
		    "</strong></span>", rows++ == 0 ? "<p id=\"alert-kinds\">"
		    "By kind: " : ", ", db_col_str(q, 0), db_col_i64(q, 1));
	db_res_free(q);
	if (got == -1)
		return -1;
	if (rows > 0)
		html_printf(h, "</p>\n");
	return 0;
}

static int
dash_alerts(struct db *db, struct html *h, struct err *e)
{
	struct db_res	*q;
	int		 got, rows = 0;

	if ((q = db_query(db, "SELECT kind, message, occurrences, "
	    "DATE_FORMAT(last_at, " TS_FMT ") FROM alerts WHERE resolved_at "
	    "IS NULL ORDER BY last_at DESC, id DESC LIMIT 100", NULL, 0,
	    e)) == NULL)
		return -1;
	html_printf(h, "<h2>Open alerts</h2>\n");
	if (dash_alert_kinds(db, h, e) == -1) {
		db_res_free(q);
		return -1;
	}
	while ((got = db_next(q, e)) == 1) {
		if (rows++ == 0)
			html_printf(h, "<ul class=\"alerts\">\n");
		html_printf(h, "<li><strong>%s</strong>: %s <span "
		    "class=\"hint\">(%D times, last %s)</span></li>\n",
		    db_col_str(q, 0), db_col_str(q, 1), db_col_i64(q, 2),
		    db_col_str(q, 3));
	}
	db_res_free(q);
	if (got == -1)
		return -1;
	html_printf(h, rows > 0 ? "</ul>\n" : "<p>Nothing needs you now.</p>\n");
	return 0;
}

static int
dash_low_stock(struct db *db, struct html *h, struct err *e)
{
	struct db_res	*q;
	struct db_val	 arg = DBI(LOW_STOCK);
	int		 got, rows = 0;

	if ((q = db_query(db, "SELECT sku, title, on_hand - committed, "
	    "on_hand FROM stock_items WHERE on_hand - committed <= ? "
	    "ORDER BY on_hand - committed, sku LIMIT 200", &arg, 1,
	    e)) == NULL)
		return -1;
	html_printf(h, "<h2 id=\"low\">Low stock (%d or fewer available)"
	    "</h2>\n", LOW_STOCK);
	while ((got = db_next(q, e)) == 1) {
		if (rows++ == 0)
			html_printf(h, "<div class=\"scroll\"><table "
			    "aria-labelledby=\"low\"><thead><tr>"
			    "<th scope=\"col\">SKU</th>"
			    "<th scope=\"col\">Title</th>"
			    "<th scope=\"col\" class=\"num\">Available</th>"
			    "<th scope=\"col\" class=\"num\">On hand</th>"
			    "</tr></thead><tbody>\n");
		html_printf(h, "<tr><td>");
		sku_link(h, db_col_str(q, 0));
		html_printf(h, "</td><td>%s</td><td class=\"num%s\">%D</td>"
		    "<td class=\"num\">%D</td></tr>\n", db_col_str(q, 1),
		    db_col_i64(q, 2) <= 0 ? " bad" : "", db_col_i64(q, 2),
		    db_col_i64(q, 3));
	}
	db_res_free(q);
	if (got == -1)
		return -1;
	html_printf(h, rows > 0 ? "</tbody></table></div>\n" :
	    "<p>Every item has more than that.</p>\n");
	return 0;
}

void
admin_dashboard(struct app *a, struct http_req *r)
{
	struct admin_ctx	 c;
	struct buf		 b;
	struct html		 h;
	struct err		 e;

	buf_init(&b, ADMIN_PAGE_MAX);
	html_init(&h, &b);
	if (!admin_begin_get(a, r, &c))
		goto out;
	if (strcmp(r->path, "/admin/") != 0) {
		admin_fail(r, c.https, 404, "Not found",
		    "There is no such page. Start from the dashboard.");
		goto out;
	}
	admin_page_open(&h, "Dashboard", &c.s);
	if (form_get(&r->query, "done") != NULL &&
	    strcmp(form_get(&r->query, "done"), "etsy_connected") == 0)
		html_printf(&h, "<p class=\"notice\" role=\"status\">The Etsy "
		    "shop is connected; its orders are polled from now on.</p>"
		    "\n");
	sku_search(&h, NULL);
	if (dash_channels(c.db, &h, &e) == -1 ||
	    dash_alerts(c.db, &h, &e) == -1 ||
	    dash_low_stock(c.db, &h, &e) == -1) {
		log_error("admin: dashboard: %s", e.msg);
		admin_fail(r, c.https, 503, "Not available",
		    "The dashboard could not be read. Try again in a minute.");
		goto out;
	}
	admin_page_close(&h);
	admin_send(r, 200, c.https, &h, NULL);
out:
	admin_ctx_free(&c);
	buf_free(&b);
}

/* ---- stock page ---- */

/* What the user typed into one action form, kept when it is refused. */
struct stock_typed {
	const char	*action;
	const char	*qty;
	const char	*reason;
	const char	*token;
	const char	*error;
};

struct stock_action {
	const char	*name;		/* form value, ledger kind */
	enum stock_kind	 kind;
	const char	*legend;
	const char	*hint;
	const char	*done;		/* the notice after it */
};

static const struct stock_action actions[] = {
	{ "receive", STOCK_RECEIVE, "Receive",
	  "Units arrived: they are added to what is on hand.",
	  "Received: the units were added." },
	{ "count", STOCK_COUNT, "Count",
	  "You counted the shelf: on hand becomes this number.",
	  "Counted: on hand was set." },
	{ "adjust", STOCK_ADJUST, "Adjust",
	  "Correct on hand by a number of units (use a minus sign to "
	  "take away).",
	  "Adjusted: the correction was applied." },
	{ NULL, STOCK_RECEIVE, NULL, NULL, NULL }
};

static const struct stock_action *
action_find(const char *name)
{
	size_t	 i;

	for (i = 0; name != NULL && actions[i].name != NULL; i++)
		if (strcmp(actions[i].name, name) == 0)
			return &actions[i];
	return NULL;
}

static int
stock_listings(struct db *db, const struct ledger_item *it, struct html *h,
    struct err *e)
{
	struct db_res	*q;
	struct db_val	 arg = DBI(it->id);
	int64_t		 desired, ver;
	int		 got, rows = 0, rc = -1;

	if ((q = db_query(db, "SELECT cl.id, ca.name, ca.type, "
	    "cl.ext_listing, cl.ext_variant, cl.last_pushed_qty, "
	    "DATE_FORMAT(cl.last_pushed_at, " TS_FMT "), cl.last_seen_qty, "
	    "ca.paused, COALESCE(pq.dead, 0) FROM channel_listings cl "
	    "JOIN channel_accounts ca ON ca.id = cl.account_id "
	    "LEFT JOIN push_queue pq ON pq.listing_id = cl.id "
	    "WHERE cl.item_id = ? ORDER BY ca.name, cl.id", &arg, 1,
	    e)) == NULL)
		return -1;
	html_printf(h, "<h2 id=\"listings\">On the channels</h2>\n");
	while ((got = db_next(q, e)) == 1) {
		if (rows++ == 0)
			html_printf(h, "<div class=\"scroll\"><table "
			    "aria-labelledby=\"listings\"><thead><tr>"
			    "<th scope=\"col\">Channel</th>"
			    "<th scope=\"col\">Listing</th>"
			    "<th scope=\"col\" class=\"num\">Should show</th>"
			    "<th scope=\"col\" class=\"num\">Hub last pushed"
			    "</th><th scope=\"col\">Pushed at</th>"
			    "<th scope=\"col\" class=\"num\">Channel showed"
			    "</th></tr></thead><tbody>\n");
		if (channel_desired(db, db_col_i64(q, 0), &desired, &ver,
		    e) == -1)
			goto out;
		html_printf(h, "<tr><th scope=\"row\">%s (%s)%s%s</th>"
		    "<td>%s%s%s</td><td class=\"num\">%D</td>",
		    db_col_str(q, 1), db_col_str(q, 2),
		    db_col_i64(q, 8) ? ", paused" : "",
		    db_col_i64(q, 9) ? ", push failed" : "",
		    db_col_str(q, 3), db_col_str(q, 4)[0] != '\0' ? " " : "",
		    db_col_str(q, 4), desired);
		if (db_col_null(q, 5))
			html_printf(h, "<td class=\"num\">not yet</td><td></td>");
		else
			html_printf(h, "<td class=\"num%s\">%D</td><td>%s</td>",
			    db_col_i64(q, 5) != desired ? " bad" : "",
			    db_col_i64(q, 5), db_col_str(q, 6));
		if (db_col_null(q, 7))
			html_printf(h, "<td class=\"num\">unknown</td></tr>\n");
		else
			html_printf(h, "<td class=\"num\">%D</td></tr>\n",
			    db_col_i64(q, 7));
	}
	if (got == -1)
		goto out;
	html_printf(h, rows > 0 ? "</tbody></table></div>\n" :
	    "<p>This SKU is not on any channel yet.</p>\n");
	rc = 0;
out:
	db_res_free(q);
	return rc;
}

static void
action_form(struct html *h, const struct admin_ctx *c,
    const struct ledger_item *it, const struct stock_action *act,
    const struct stock_typed *typed)
{
	char		 tok[AUTH_TOKEN_HEX + 1];
	const char	*qty = "", *reason = "", *err = NULL;
	const char	*n = act->name;

	if (typed != NULL && typed->action != NULL &&
	    strcmp(typed->action, act->name) == 0) {
		qty = typed->qty != NULL ? typed->qty : "";
		reason = typed->reason != NULL ? typed->reason : "";
		err = typed->error;
		/* the same token: nothing moved, so sending it again is
		 * still one movement */
		if (auth_token_wellformed(typed->token))
			(void)str_copy(tok, sizeof(tok), typed->token);
		else if (auth_random_token(tok) == -1)
			tok[0] = '\0';
	} else if (auth_random_token(tok) == -1)
		tok[0] = '\0';
	html_printf(h, "<form method=\"post\" action=\"/admin/stock\">"
	    "<fieldset><legend>%s</legend>\n"
	    "<p class=\"hint\" id=\"%s-hint\">%s</p>\n", act->legend, n,
	    act->hint);
	if (err != NULL)
		html_printf(h, "<p class=\"error\" role=\"alert\" "
		    "id=\"%s-error\">%s</p>\n", n, err);
	html_printf(h, "<input type=\"hidden\" name=\"csrf\" value=\"%s\">"
	    "<input type=\"hidden\" name=\"sku\" value=\"%s\">"
	    "<input type=\"hidden\" name=\"action\" value=\"%s\">"
	    "<input type=\"hidden\" name=\"token\" value=\"%s\">\n"
	    "<label for=\"%s-qty\">Units</label>\n"
	    "<input id=\"%s-qty\" name=\"qty\" type=\"number\" step=\"1\" "
	    "inputmode=\"numeric\" required value=\"%s\" "
	    "aria-describedby=\"%s-hint%s\">\n"
	    "<label for=\"%s-reason\">Reason</label>\n"
	    "<input id=\"%s-reason\" name=\"reason\" required "
	    "maxlength=\"255\" value=\"%s\">\n"
	    "<button type=\"submit\">%s</button>\n</fieldset></form>\n",
	    c->s.csrf, it->sku, n, tok, n, n, qty, n,
	    err != NULL ? (act->kind == STOCK_RECEIVE ? " receive-error" :
	    act->kind == STOCK_COUNT ? " count-error" : " adjust-error") : "",
	    n, n, reason, act->legend);
}

/*
 * The stock page for sku (status 200, or the status of a refused action
 * with typed filled). notice is a fixed text or NULL.
 */
static void
stock_render(struct http_req *r, struct admin_ctx *c, const char *sku,
    int status, const struct stock_typed *typed, const char *notice)
{
	struct ledger_item	 it;
	struct buf		 b;
	struct html		 h;
	struct err		 e;
	size_t			 i;
	int64_t			 held = 0;
	char			 enc[STOCK_SKU_MAX * 4 * 3 + 1];

	buf_init(&b, ADMIN_PAGE_MAX);
	html_init(&h, &b);
	if (sku == NULL || sku[0] == '\0') {
		admin_page_open(&h, "Stock", &c->s);
		sku_search(&h, NULL);
		admin_page_close(&h);
		admin_send(r, 200, c->https, &h, NULL);
		goto out;
	}
	if (ledger_item_get(c->db, sku, &it, &e) == -1) {
		if (e.kind != ERR_NOTFOUND && e.kind != ERR_INVALID) {
			log_error("admin: stock: %s", e.msg);
			admin_fail(r, c->https, 503, "Not available",
			    "The stock could not be read. Try again in a "
			    "minute.");
			goto out;
		}
		admin_page_open(&h, "Stock", &c->s);
		html_printf(&h, "<p class=\"error\" role=\"alert\">There is no "
		    "item with the SKU \"%s\". SKUs must match exactly, "
		    "capitals included.</p>\n", sku);
		sku_search(&h, sku);
		admin_page_close(&h);
		admin_send(r, 404, c->https, &h, NULL);
		goto out;
	}
	admin_page_open(&h, "Stock", &c->s);
	html_printf(&h, "<p><strong>%s</strong>%s%s</p>\n", it.sku,
	    it.title[0] != '\0' ? ": " : "", it.title);
	if (notice != NULL)
		html_printf(&h, "<p class=\"notice\" role=\"status\">%s</p>\n",
		    notice);
	html_printf(&h, "<dl class=\"figures\">"
	    "<div><dt>On hand</dt><dd>%D</dd></div>"
	    "<div><dt>Committed (sold, not shipped)</dt><dd>%D</dd></div>"
	    "<div><dt>Available</dt><dd%s>%D</dd></div></dl>\n",
	    it.on_hand, it.committed, it.available < 0 ? " class=\"bad\"" : "",
	    it.available);
	if (stock_listings(c->db, &it, &h, &e) == -1) {
		log_error("admin: stock listings: %s", e.msg);
		admin_fail(r, c->https, 503, "Not available",
		    "The listings could not be read. Try again in a minute.");
		goto out;
	}
	html_printf(&h, "<h2>Change the stock</h2>\n<p class=\"hint\">Each "
	    "change asks for a reason and is kept in the ledger under your "
	    "name.</p>\n");
	for (i = 0; actions[i].name != NULL; i++)
		action_form(&h, c, &it, &actions[i], typed);
	if (returns_held_units(c->db, it.id, &held, &e) == 0 && held > 0)
		html_printf(&h, "<p id=\"held-units\">%D unit(s) came back and "
		    "are held for inspection; they are not available until "
		    "decided on the <a href=\"/admin/returns\">Returns</a> "
		    "page.</p>\n", held);
	if (admin_urlencode(enc, sizeof(enc), it.sku) == 0)
		html_printf(&h, "<p><a href=\"/admin/returns?sku=%s\" "
		    "id=\"return-link\">Return received…</a> "
		    "<a href=\"/admin/sku?sku=%s\" "
		    "id=\"history-link\">History and chart</a></p>\n", enc,
		    enc);
	html_printf(&h, "<p><a href=\"/admin/stock\">Another SKU</a></p>\n");
	admin_page_close(&h);
	admin_send(r, status, c->https, &h, NULL);
out:
	buf_free(&b);
}

void
admin_stock_page(struct app *a, struct http_req *r)
{
	struct admin_ctx		 c;
	const struct stock_action	*act;
	const char			*done, *notice = NULL;

	if (!admin_begin_get(a, r, &c))
		goto out;
	done = form_get(&r->query, "done");
	if (done != NULL && strcmp(done, "duplicate") == 0)
		notice = "That form had been sent already; it counted once.";
	else if ((act = action_find(done)) != NULL)
		notice = act->done;
	stock_render(r, &c, form_get(&r->query, "sku"), 200, NULL, notice);
out:
	admin_ctx_free(&c);
}

void
admin_stock_post(struct app *a, struct http_req *r)
{
	struct admin_ctx		 c;
	struct stock_typed		 t;
	const struct stock_action	*act;
	struct ledger_line		 line;
	struct ledger_event		 ev;
	struct ledger_result		 res;
	struct push_stats		 st;
	struct err			 e;
	const char			*sku;
	char				 key[LEDGER_KEY_MAX + 1];
	char				 source[LEDGER_SOURCE_MAX];
	char				 enc[STOCK_SKU_MAX * 4 * 3 + 1];
	char				 loc[sizeof(enc) + 64];
	char				 worker[64];
	int64_t				 qty;
	int				 status = 400;

	if (!admin_begin_post(a, r, &c))
		goto out;
	memset(&t, 0, sizeof(t));
	sku = form_get(&c.form, "sku");
	t.action = form_get(&c.form, "action");
	t.qty = form_get(&c.form, "qty");
	t.reason = form_get(&c.form, "reason");
	t.token = form_get(&c.form, "token");
	if ((act = action_find(t.action)) == NULL || sku == NULL ||
	    !auth_token_wellformed(t.token)) {
		admin_fail(r, c.https, 400, "Refused",
		    "This form is not one of ours. Reload the page and try "
		    "again.");
		goto out;
	}
	if (t.qty == NULL || str_to_i64(t.qty, -STOCK_QTY_MAX, STOCK_QTY_MAX,
	    &qty) == -1) {
		t.error = "Units must be a whole number.";
		goto refused;
	}
	if (t.reason == NULL || t.reason[0] == '\0') {
		t.error = "Say why (the reason is kept in the ledger).";
		goto refused;
	}
	if (strlen(t.reason) > LEDGER_REASON_MAX) {
		t.error = "The reason is too long (255 characters at most).";
		goto refused;
	}
	(void)str_fmt(key, sizeof(key), "admin:%s", t.token);
	(void)str_fmt(source, sizeof(source), "admin:%s", c.s.user);
	line.sku = sku;
	line.kind = act->kind;
	line.qty = qty;
	memset(&ev, 0, sizeof(ev));
	ev.key = key;
	ev.source = source;
	ev.reason = t.reason;
	ev.lines = &line;
	ev.nlines = 1;
	if (ledger_post(c.db, &ev, push_touch, NULL, &res, &e) == -1) {
		if (e.kind == ERR_DB || e.kind == ERR_SYS ||
		    e.kind == ERR_RETRY) {
			log_error("admin: %s %s: %s", act->name, sku, e.msg);
			admin_fail(r, c.https, 503, "Not saved",
			    "The change could not be saved. Nothing moved; "
			    "try again in a minute.");
			goto out;
		}
		status = err_http_status(e.kind);
		t.error = e.msg;
		goto refused;
	}
	log_info("admin: %s %s %lld by %s (%s)", act->name, sku,
	    (long long)qty, c.s.user, res.duplicate ? "duplicate" :
	    "applied");
	if (admin_urlencode(enc, sizeof(enc), sku) == -1 ||
	    str_fmt(loc, sizeof(loc), "/admin/stock?sku=%s&done=%s", enc,
	    res.duplicate ? "duplicate" : act->name) == -1)
		(void)str_copy(loc, sizeof(loc), "/admin/stock");
	admin_redirect(r, c.https, loc, NULL);
	/* the browser has its answer; now the channels follow */
	http_finish(r);
	(void)str_fmt(worker, sizeof(worker), "admin:%ld", (long)getpid());
	if (push_run(c.db, &a->cfg, worker, push_now_ms() + PUSH_AFTER_MS,
	    &st, &e) == -1)
		log_error("admin: pushes after %s: %s", act->name, e.msg);
	goto out;
refused:
	stock_render(r, &c, sku, status, &t, NULL);
out:
	admin_ctx_free(&c);
}
