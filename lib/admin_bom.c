/*
 * admin_bom: the returns page and the BOM editor (see admin.h).
 *
 * /admin/returns: "return received" (a SKU handed back, or an order line
 * of a channel, in a condition, with a reason), the refunded Etsy orders
 * whose alert is open with a one-click restock per line, and the units
 * held for inspection with their decisions. /admin/bom: a bundle's or
 * made-to-order item's components, edited with who and why; a refused
 * edit (a cycle, an unknown component) keeps what was typed.
 *
 * Every value reaches the page through html_printf(); every movement
 * goes through lib/returns.h or lib/orders.h under a key made from the
 * form's random token, so a form sent twice counts once; the pushes run
 * after the answer.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "admin.h"
#include "app.h"
#include "auth.h"
#include "bom.h"
#include "buf.h"
#include "db.h"
#include "err.h"
#include "form.h"
#include "html.h"
#include "http.h"
#include "ledger.h"
#include "log.h"
#include "orders.h"
#include "push.h"
#include "returns.h"
#include "stock.h"
#include "str.h"

#define PUSH_AFTER_MS	5000
#define HELD_SHOWN	200
#define BOM_TEXT_MAX	8192	/* bytes of the components box */

/* ---- returns ---- */

/* What was typed into the return form, kept when it is refused. */
struct ret_typed {
	const char	*sku, *account, *line, *qty, *cond, *reason, *token;
	const char	*error;
	int64_t		 hold;		/* a refused decision: its row */
};

static void
fresh_token(char tok[AUTH_TOKEN_HEX + 1], const char *typed)
{
	/* a refused form keeps its token: nothing moved, so sending it
	 * again is still one return */
	if (typed != NULL && auth_token_wellformed(typed))
		(void)str_copy(tok, AUTH_TOKEN_HEX + 1, typed);
	else if (auth_random_token(tok) == -1)
		tok[0] = '\0';
}

static int
ret_accounts(struct db *db, struct html *h, const char *sel, struct err *e)
{
	struct db_res	*q;
	char		 id[24];
	int		 got;

	if ((q = db_query(db, "SELECT id, name, type FROM channel_accounts "
	    "ORDER BY name", NULL, 0, e)) == NULL)
		return -1;
	html_printf(h, "<select id=\"ret-account\" name=\"account\">"
	    "<option value=\"\">none (a SKU handed back)</option>\n");
	while ((got = db_next(q, e)) == 1) {
		(void)str_fmt(id, sizeof(id), "%lld",
		    (long long)db_col_i64(q, 0));
		html_printf(h, "<option value=\"%s\"%s>%s (%s)</option>\n", id,
		    sel != NULL && strcmp(sel, id) == 0 ? " selected" : "",
		    db_col_str(q, 1), db_col_str(q, 2));
	}
	db_res_free(q);
	html_printf(h, "</select>\n");
	return got == -1 ? -1 : 0;
}

static void
cond_radios(struct html *h, const char *sel)
{
	static const char *const hint[RETURNS__MAX] = {
		"Restock: back on the shelf, available at once",
		"Damaged: recorded and written off, never available",
		"Inspect: held, not available, until you decide"
	};
	int	 i;

	html_printf(h, "<fieldset><legend>Condition</legend>\n");
	for (i = 0; i < RETURNS__MAX; i++)
		html_printf(h, "<label><input type=\"radio\" name=\"condition\" "
		    "value=\"%s\"%s> %s</label><br>\n",
		    returns_cond_name((enum returns_cond)i),
		    (sel == NULL && i == 0) || (sel != NULL && strcmp(sel,
		    returns_cond_name((enum returns_cond)i)) == 0) ?
		    " checked" : "", hint[i]);
	html_printf(h, "</fieldset>\n");
}

static int
ret_form(struct db *db, struct html *h, const struct admin_ctx *c,
    const struct ret_typed *t, struct err *e)
{
	char	 tok[AUTH_TOKEN_HEX + 1];
	int	 mine = t != NULL && t->hold == 0;

	fresh_token(tok, mine ? t->token : NULL);
	html_printf(h, "<h2>Return received</h2>\n<form method=\"post\" "
	    "action=\"/admin/returns\">\n<p class=\"hint\" id=\"ret-hint\">"
	    "Give the SKU that came back, or the channel and order line it "
	    "was sold on (a bundle or kit comes back as its components). "
	    "It is kept in the ledger under your name.</p>\n");
	if (mine && t->error != NULL)
		html_printf(h, "<p class=\"error\" role=\"alert\" "
		    "id=\"ret-error\">%s</p>\n", t->error);
	html_printf(h, "<input type=\"hidden\" name=\"csrf\" value=\"%s\">"
	    "<input type=\"hidden\" name=\"action\" value=\"receive\">"
	    "<input type=\"hidden\" name=\"token\" value=\"%s\">\n"
	    "<label for=\"ret-sku\">SKU</label>\n<input id=\"ret-sku\" "
	    "name=\"sku\" maxlength=\"64\" autocapitalize=\"none\" "
	    "spellcheck=\"false\" value=\"%s\" aria-describedby=\"ret-hint\">"
	    "\n<label for=\"ret-account\">or the channel</label>\n",
	    c->s.csrf, tok, mine && t->sku != NULL ? t->sku : "");
	if (ret_accounts(db, h, mine ? t->account : NULL, e) == -1)
		return -1;
	html_printf(h, "<label for=\"ret-line\">and its order line id</label>\n"
	    "<input id=\"ret-line\" name=\"line\" maxlength=\"64\" "
	    "autocapitalize=\"none\" spellcheck=\"false\" value=\"%s\">\n"
	    "<label for=\"ret-qty\">Units</label>\n<input id=\"ret-qty\" "
	    "name=\"qty\" type=\"number\" min=\"1\" step=\"1\" "
	    "inputmode=\"numeric\" required value=\"%s\">\n",
	    mine && t->line != NULL ? t->line : "",
	    mine && t->qty != NULL ? t->qty : "1");
	cond_radios(h, mine ? t->cond : NULL);
	html_printf(h, "<label for=\"ret-reason\">Reason</label>\n"
	    "<input id=\"ret-reason\" name=\"reason\" required "
	    "maxlength=\"255\" value=\"%s\">\n<button type=\"submit\">Record "
	    "the return</button>\n</form>\n",
	    mine && t->reason != NULL ? t->reason : "");
	return 0;
}

/* Refunded Etsy receipts (open alert) with units that can come back. */
static int
ret_refunds(struct db *db, struct html *h, const struct admin_ctx *c,
    struct err *e)
{
	struct db_res	*q;
	char		 tok[AUTH_TOKEN_HEX + 1], acct[24], units[24];
	int		 got, rows = 0;

	if ((q = db_query(db, "SELECT ol.account_id, ca.name, ol.ext_order, "
	    "ol.ext_line, i.sku, ol.qty - ol.released - ol.returned FROM "
	    "alerts al JOIN channel_order_lines ol ON al.dedupe_key = "
	    "CONCAT('etsy_refund:', ol.account_id, ':', ol.ext_order) JOIN "
	    "channel_accounts ca ON ca.id = ol.account_id JOIN stock_items i "
	    "ON i.id = ol.item_id WHERE al.kind = 'etsy_refund' AND "
	    "al.resolved_at IS NULL AND ol.qty - ol.released - ol.returned > "
	    "0 ORDER BY al.id, ol.id LIMIT 200", NULL, 0, e)) == NULL)
		return -1;
	while ((got = db_next(q, e)) == 1) {
		if (rows++ == 0)
			html_printf(h, "<h2 id=\"refunds\">Refunded on Etsy"
			    "</h2>\n<p class=\"hint\">Etsy does not say "
			    "whether refunded units came back. If they did, "
			    "put them back with one click (or choose "
			    "another condition); the alert closes when "
			    "nothing of the order is left.</p>\n<div "
			    "class=\"scroll\"><table aria-labelledby="
			    "\"refunds\"><thead><tr><th scope=\"col\">Shop"
			    "</th><th scope=\"col\">Receipt</th><th "
			    "scope=\"col\">SKU</th><th scope=\"col\" "
			    "class=\"num\">Units</th><th scope=\"col\">"
			    "Return</th></tr></thead><tbody>\n");
		fresh_token(tok, NULL);
		(void)str_fmt(acct, sizeof(acct), "%lld",
		    (long long)db_col_i64(q, 0));
		(void)str_fmt(units, sizeof(units), "%lld",
		    (long long)db_col_i64(q, 5));
		html_printf(h, "<tr><td>%s</td><td>%s</td><td>%s</td>"
		    "<td class=\"num\">%s</td><td><form method=\"post\" "
		    "action=\"/admin/returns\">"
		    "<input type=\"hidden\" name=\"csrf\" value=\"%s\">"
		    "<input type=\"hidden\" name=\"action\" value=\"receive\">"
		    "<input type=\"hidden\" name=\"token\" value=\"%s\">"
		    "<input type=\"hidden\" name=\"account\" value=\"%s\">"
		    "<input type=\"hidden\" name=\"line\" value=\"%s\">"
		    "<input type=\"hidden\" name=\"qty\" value=\"%s\">"
		    "<input type=\"hidden\" name=\"reason\" value=\"Etsy "
		    "refund, receipt %s\">"
		    "<select name=\"condition\" aria-label=\"Condition\">"
		    "<option value=\"restock\">restock</option>"
		    "<option value=\"damaged\">damaged</option>"
		    "<option value=\"inspect\">inspect</option></select> "
		    "<button type=\"submit\">Return</button></form></td>"
		    "</tr>\n", db_col_str(q, 1), db_col_str(q, 2),
		    db_col_str(q, 4), units, c->s.csrf, tok, acct,
		    db_col_str(q, 3), units, db_col_str(q, 2));
	}
	db_res_free(q);
	if (got == -1)
		return -1;
	if (rows > 0)
		html_printf(h, "</tbody></table></div>\n");
	return 0;
}

static int
ret_held(struct db *db, struct html *h, const struct admin_ctx *c,
    const struct ret_typed *t, struct err *e)
{
	struct returns_held	*l = NULL;
	char			 tok[AUTH_TOKEN_HEX + 1], id[24], held[24];
	size_t			 n = 0, i;
	int			 mine;

	if (returns_list_held(db, HELD_SHOWN, &l, &n, e) == -1)
		return -1;
	html_printf(h, "<h2 id=\"held\">Held for inspection</h2>\n");
	if (n == 0)
		html_printf(h, "<p>Nothing is waiting for a decision.</p>\n");
	else
		html_printf(h, "<p class=\"hint\">These units are not "
		    "available anywhere until you decide. Restock puts them "
		    "back on sale at once; damaged writes them off.</p>\n"
		    "<div class=\"scroll\"><table aria-labelledby=\"held\">"
		    "<thead><tr><th scope=\"col\">SKU</th><th scope=\"col\" "
		    "class=\"num\">Held</th><th scope=\"col\">From</th>"
		    "<th scope=\"col\">Why</th><th scope=\"col\">Since</th>"
		    "<th scope=\"col\">Decide</th></tr></thead><tbody>\n");
	for (i = 0; i < n; i++) {
		mine = t != NULL && t->hold == l[i].id;
		fresh_token(tok, mine ? t->token : NULL);
		(void)str_fmt(id, sizeof(id), "%lld", (long long)l[i].id);
		(void)str_fmt(held, sizeof(held), "%lld", (long long)l[i].held);
		html_printf(h, "<tr><td>%s</td><td class=\"num\">%s</td>"
		    "<td>%s%s%s</td><td>%s</td><td>%s</td><td>", l[i].sku,
		    held, l[i].source, l[i].order[0] != '\0' ? ", " : "",
		    l[i].order, l[i].reason, l[i].at);
		html_printf(h, "<form method=\"post\" action=\"/admin/returns\">"
		    "<input type=\"hidden\" name=\"csrf\" value=\"%s\">"
		    "<input type=\"hidden\" name=\"action\" value=\"decide\">"
		    "<input type=\"hidden\" name=\"token\" value=\"%s\">"
		    "<input type=\"hidden\" name=\"hold\" value=\"%s\">"
		    "<label for=\"hold-%s-qty\">Units</label>"
		    "<input id=\"hold-%s-qty\" name=\"qty\" type=\"number\" "
		    "min=\"1\" step=\"1\" inputmode=\"numeric\" required "
		    "value=\"%s\">"
		    "<label for=\"hold-%s-reason\">Reason</label>"
		    "<input id=\"hold-%s-reason\" name=\"reason\" required "
		    "maxlength=\"255\" value=\"%s\">"
		    "<button type=\"submit\" name=\"condition\" "
		    "value=\"restock\">Restock</button> "
		    "<button type=\"submit\" name=\"condition\" "
		    "value=\"damaged\">Damaged</button></form></td></tr>\n",
		    c->s.csrf, tok, id, id, id,
		    mine && t->qty != NULL ? t->qty : held, id, id,
		    mine && t->reason != NULL ? t->reason : "");
	}
	if (n > 0)
		html_printf(h, "</tbody></table></div>\n");
	free(l);
	return 0;
}

static void
ret_render(struct http_req *r, struct admin_ctx *c, int status,
    const struct ret_typed *t, const char *notice)
{
	struct buf	 b;
	struct html	 h;
	struct err	 e;

	buf_init(&b, ADMIN_PAGE_MAX);
	html_init(&h, &b);
	admin_page_open(&h, "Returns", &c->s);
	if (notice != NULL)
		html_printf(&h, "<p class=\"notice\" role=\"status\">%s</p>\n",
		    notice);
	/* a refused decision says so at the top: its row may be gone */
	if (t != NULL && t->hold != 0 && t->error != NULL)
		html_printf(&h, "<p class=\"error\" role=\"alert\" "
		    "id=\"decide-error\">Not decided: %s</p>\n", t->error);
	if (ret_form(c->db, &h, c, t, &e) == -1 ||
	    ret_refunds(c->db, &h, c, &e) == -1 ||
	    ret_held(c->db, &h, c, t, &e) == -1) {
		log_error("admin: returns: %s", e.msg);
		admin_fail(r, c->https, 503, "Not available",
		    "The returns could not be read. Try again in a minute.");
		goto out;
	}
	html_printf(&h, "<p><a href=\"/admin/bom\">Bundles and made-to-order "
	    "items</a></p>\n");
	admin_page_close(&h);
	admin_send(r, status, c->https, &h, NULL);
out:
	buf_free(&b);
}

static const struct {
	const char	*done;
	const char	*notice;
} ret_notices[] = {
	{ "restock", "Restocked: the units are available again and the "
	  "channels are being updated." },
	{ "damaged", "Recorded as damaged and written off." },
	{ "inspect", "Held for inspection: decide below when you have "
	  "looked." },
	{ "none", "Nothing of that order line was left to return." },
	{ "duplicate", "That form had been sent already; it counted once." },
	{ NULL, NULL }
};

void
admin_returns_page(struct app *a, struct http_req *r)
{
	struct admin_ctx	 c;
	struct ret_typed	 pre;
	const char		*done, *notice = NULL;
	size_t			 i;

	if (!admin_begin_get(a, r, &c))
		goto out;
	done = form_get(&r->query, "done");
	for (i = 0; done != NULL && ret_notices[i].done != NULL; i++)
		if (strcmp(done, ret_notices[i].done) == 0)
			notice = ret_notices[i].notice;
	/* from a SKU's stock page: the form starts with that SKU */
	memset(&pre, 0, sizeof(pre));
	pre.sku = form_get(&r->query, "sku");
	ret_render(r, &c, 200, pre.sku != NULL ? &pre : NULL, notice);
out:
	admin_ctx_free(&c);
}

struct line_ret {
	struct orders_ctx	 oc;
	const char		*line;
	int64_t			 qty;
	enum returns_cond	 cond;
	const char		*key;
	int64_t			 done;
	int			 known;
	int			 duplicate;
};

static int
line_ret_fn(struct db *db, void *arg, struct err *e)
{
	struct line_ret	*x = arg;
	int64_t		 used = 0;

	x->oc.db = db;
	/* the same form sent again: its key is in the ledger or holds */
	if (db_query_i64(db, "SELECT (SELECT COUNT(*) FROM ledger_events "
	    "WHERE event_key = ?) + (SELECT COUNT(*) FROM return_holds WHERE "
	    "event_key = ?)", (struct db_val[]){ DBS(x->key), DBS(x->key) }, 2,
	    &used, e) == -1)
		return -1;
	if (used > 0) {
		x->duplicate = x->known = 1;
		return 0;
	}
	if (orders_return_as(&x->oc, x->line, x->qty, x->cond, x->key,
	    &x->done, &x->known, e) == -1)
		return -1;
	/* an Etsy refund alert closes once nothing of its order is left
	 * to come back */
	return db_exec(db, "UPDATE alerts al JOIN channel_order_lines ol ON "
	    "al.dedupe_key = CONCAT('etsy_refund:', ol.account_id, ':', "
	    "ol.ext_order) SET al.resolved_at = CURRENT_TIMESTAMP(6) WHERE "
	    "ol.account_id = ? AND ol.ext_line = ? AND al.resolved_at IS "
	    "NULL AND NOT EXISTS (SELECT 1 FROM channel_order_lines o2 WHERE "
	    "o2.account_id = ol.account_id AND o2.ext_order = ol.ext_order "
	    "AND o2.qty - o2.released - o2.returned > 0)", (struct db_val[]){
	    DBI(x->oc.account_id), DBS(x->line) }, 2, NULL, NULL, e);
}

void
admin_returns_post(struct app *a, struct http_req *r)
{
	struct admin_ctx	 c;
	struct ret_typed	 t;
	struct returns_req	 q;
	struct returns_result	 res;
	struct line_ret		 lr;
	struct push_stats	 st;
	struct err		 e;
	const char		*action, *done;
	char			 key[LEDGER_KEY_MAX + 1];
	char			 source[LEDGER_SOURCE_MAX];
	char			 loc[64], worker[64];
	int64_t			 qty = 0, acct = 0;
	int			 status = 400, decide, by_line = 0;

	if (!admin_begin_post(a, r, &c))
		goto out;
	memset(&t, 0, sizeof(t));
	memset(&q, 0, sizeof(q));
	action = form_get(&c.form, "action");
	t.sku = form_get(&c.form, "sku");
	t.account = form_get(&c.form, "account");
	t.line = form_get(&c.form, "line");
	t.qty = form_get(&c.form, "qty");
	t.cond = form_get(&c.form, "condition");
	t.reason = form_get(&c.form, "reason");
	t.token = form_get(&c.form, "token");
	decide = action != NULL && strcmp(action, "decide") == 0;
	if (action == NULL || (!decide && strcmp(action, "receive") != 0) ||
	    !auth_token_wellformed(t.token) || (decide &&
	    (form_get(&c.form, "hold") == NULL || str_to_i64(form_get(&c.form,
	    "hold"), 1, INT64_MAX, &t.hold) == -1))) {
		admin_fail(r, c.https, 400, "Refused",
		    "This form is not one of ours. Reload the page and try "
		    "again.");
		goto out;
	}
	if (t.qty == NULL || str_to_i64(t.qty, 1, STOCK_QTY_MAX, &qty) == -1) {
		t.error = "Units must be a whole number of at least 1.";
		goto refused;
	}
	if (t.cond == NULL || returns_cond_parse(t.cond, &q.cond) == -1 ||
	    (decide && q.cond == RETURNS_INSPECT)) {
		t.error = decide ? "Choose restock or damaged." :
		    "Choose the condition: restock, damaged or inspect.";
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
	if (!decide) {
		by_line = t.account != NULL && t.account[0] != '\0';
		if (by_line && (str_to_i64(t.account, 1, INT64_MAX,
		    &acct) == -1 || t.line == NULL || t.line[0] == '\0')) {
			t.error = "Give the order line id of that channel's "
			    "order (or no channel and a SKU).";
			goto refused;
		}
		if (!by_line && (t.sku == NULL || t.sku[0] == '\0')) {
			t.error = "Give the SKU that came back, or the "
			    "channel and order line.";
			goto refused;
		}
		if (by_line && t.sku != NULL && t.sku[0] != '\0') {
			t.error = "Give a SKU or an order line, not both.";
			goto refused;
		}
	}
	(void)str_fmt(key, sizeof(key), "admin:%s", t.token);
	(void)str_fmt(source, sizeof(source), "admin:%s", c.s.user);
	q.sku = t.sku;
	q.qty = qty;
	q.key = key;
	q.source = source;
	q.reason = t.reason;
	memset(&res, 0, sizeof(res));
	if (decide)
		status = returns_decide(c.db, t.hold, qty, &q, &res, &e);
	else if (by_line) {
		memset(&lr, 0, sizeof(lr));
		lr.oc.account_id = acct;
		lr.oc.source = source;
		lr.oc.reason = t.reason;
		lr.line = t.line;
		lr.qty = qty;
		lr.cond = q.cond;
		lr.key = key;
		status = db_tx(c.db, line_ret_fn, &lr, &e);
		if (status == 0 && !lr.known) {
			t.error = "That channel has no order line with this "
			    "id.";
			status = 404;
			goto refused;
		}
		res.done = lr.done;
		res.duplicate = lr.duplicate;
	} else
		status = returns_sku(c.db, &q, &res, &e);
	if (status == -1) {
		if (e.kind == ERR_DB || e.kind == ERR_SYS ||
		    e.kind == ERR_RETRY) {
			log_error("admin: return: %s", e.msg);
			admin_fail(r, c.https, 503, "Not saved",
			    "The return could not be saved. Nothing moved; "
			    "try again in a minute.");
			goto out;
		}
		status = err_http_status(e.kind);
		t.error = e.msg;
		goto refused;
	}
	if (!decide)
		t.hold = 0;
	log_info("admin: %s %s %s x%lld as %s by %s (%s)", decide ? "decide" :
	    "return", by_line ? "line" : "sku", by_line ? t.line : decide ?
	    form_get(&c.form, "hold") : t.sku, (long long)qty,
	    returns_cond_name(q.cond), c.s.user, res.duplicate ? "duplicate" :
	    "applied");
	done = res.duplicate ? "duplicate" : res.done == 0 ? "none" :
	    returns_cond_name(q.cond);
	(void)str_fmt(loc, sizeof(loc), "/admin/returns?done=%s", done);
	admin_redirect(r, c.https, loc, NULL);
	http_finish(r);
	(void)str_fmt(worker, sizeof(worker), "admin:%ld", (long)getpid());
	if (push_run(c.db, &a->cfg, worker, push_now_ms() + PUSH_AFTER_MS,
	    &st, &e) == -1)
		log_error("admin: pushes after a return: %s", e.msg);
	goto out;
refused:
	if (!decide)
		t.hold = 0;
	ret_render(r, &c, status, &t, NULL);
out:
	admin_ctx_free(&c);
}

/* ---- BOM editor ---- */

struct bom_typed {
	const char	*kind, *cap, *components, *reason;
	const char	*error;
};

static void
bom_search(struct html *h, const char *value)
{
	html_printf(h, "<form method=\"get\" action=\"/admin/bom\" "
	    "role=\"search\">\n<label for=\"bom-find\">A bundle or "
	    "made-to-order SKU</label>\n<input id=\"bom-find\" name=\"sku\" "
	    "required maxlength=\"64\" autocapitalize=\"none\" "
	    "spellcheck=\"false\" value=\"%s\">\n<button type=\"submit\">"
	    "Show its components</button>\n</form>\n",
	    value != NULL ? value : "");
}

/* The current components as the box shows them, "SKU:QTY" a line. */
static int
bom_current(struct db *db, int64_t id, struct buf *text, struct html *h,
    struct err *e)
{
	struct db_res	*q;
	int		 got, rows = 0;

	if ((q = db_query(db, "SELECT c.sku, b.qty, c.on_hand - c.committed, "
	    "c.kind FROM bom_lines b JOIN stock_items c ON c.id = "
	    "b.component_id WHERE b.parent_id = ? ORDER BY c.sku",
	    (struct db_val[]){ DBI(id) }, 1, e)) == NULL)
		return -1;
	while ((got = db_next(q, e)) == 1) {
		if (rows++ == 0)
			html_printf(h, "<div class=\"scroll\"><table "
			    "aria-labelledby=\"comp\"><thead><tr><th "
			    "scope=\"col\">Component</th><th scope=\"col\" "
			    "class=\"num\">Per unit</th><th scope=\"col\">"
			    "Kind</th><th scope=\"col\" class=\"num\">"
			    "Available</th></tr></thead><tbody>\n");
		html_printf(h, "<tr><td>%s</td><td class=\"num\">%D</td>"
		    "<td>%s</td>", db_col_str(q, 0), db_col_i64(q, 1),
		    db_col_str(q, 3));
		if (strcmp(db_col_str(q, 3), "stocked") == 0)
			html_printf(h, "<td class=\"num\">%D</td></tr>\n",
			    db_col_i64(q, 2));
		else
			html_printf(h, "<td class=\"num\">computed</td>"
			    "</tr>\n");
		if (buf_printf(text, "%s:%lld\n", db_col_str(q, 0),
		    (long long)db_col_i64(q, 1)) == -1)
			got = err_set(e, ERR_TOOBIG, "components too long");
		if (got == -1)
			break;
	}
	db_res_free(q);
	if (got == -1)
		return -1;
	html_printf(h, rows > 0 ? "</tbody></table></div>\n" :
	    "<p>No components: this SKU is stocked (it has its own stock)."
	    "</p>\n");
	return 0;
}

static int
bom_audit_list(struct db *db, int64_t id, struct html *h, struct err *e)
{
	struct db_res	*q;
	int		 got, rows = 0;

	if ((q = db_query(db, "SELECT DATE_FORMAT(at, '%Y-%m-%d %H:%i'), "
	    "actor, reason, kind, components FROM bom_audit WHERE parent_id "
	    "= ? ORDER BY id DESC LIMIT 20", (struct db_val[]){ DBI(id) }, 1,
	    e)) == NULL)
		return -1;
	html_printf(h, "<h2 id=\"bom-history\">Changes</h2>\n");
	while ((got = db_next(q, e)) == 1) {
		if (rows++ == 0)
			html_printf(h, "<div class=\"scroll\"><table "
			    "aria-labelledby=\"bom-history\"><thead><tr><th "
			    "scope=\"col\">When</th><th scope=\"col\">Who</th>"
			    "<th scope=\"col\">Why</th><th scope=\"col\">Set"
			    "</th></tr></thead><tbody>\n");
		html_printf(h, "<tr><td>%s</td><td>%s</td><td>%s</td>"
		    "<td>%s: %s</td></tr>\n", db_col_str(q, 0),
		    db_col_str(q, 1), db_col_str(q, 2), db_col_str(q, 3),
		    db_col_str(q, 4));
	}
	db_res_free(q);
	if (got == -1)
		return -1;
	html_printf(h, rows > 0 ? "</tbody></table></div>\n" :
	    "<p>Never changed here.</p>\n");
	return 0;
}

static void
bom_render(struct http_req *r, struct admin_ctx *c, const char *sku,
    int status, const struct bom_typed *t, const char *notice)
{
	struct ledger_item	 it;
	struct buf		 b, text;
	struct html		 h;
	struct err		 e;
	struct db_res		*q = NULL;
	char			 kind[16] = "stocked", cap[24] = "";
	int64_t			 avail = 0;
	int			 mto;

	buf_init(&b, ADMIN_PAGE_MAX);
	buf_init(&text, BOM_TEXT_MAX);
	html_init(&h, &b);
	admin_page_open(&h, "Bundles and made-to-order items", &c->s);
	if (sku == NULL || sku[0] == '\0') {
		html_printf(&h, "<p class=\"hint\">A bundle or kit is sold from "
		    "its components' stock; a made-to-order item has no "
		    "finished stock and uses its materials when sold.</p>\n");
		bom_search(&h, NULL);
		admin_page_close(&h);
		admin_send(r, 200, c->https, &h, NULL);
		goto out;
	}
	if (ledger_item_get(c->db, sku, &it, &e) == -1) {
		if (e.kind != ERR_NOTFOUND && e.kind != ERR_INVALID)
			goto fail;
		html_printf(&h, "<p class=\"error\" role=\"alert\">There is no "
		    "item with the SKU \"%s\". SKUs must match exactly, "
		    "capitals included.</p>\n", sku);
		bom_search(&h, sku);
		admin_page_close(&h);
		admin_send(r, 404, c->https, &h, NULL);
		goto out;
	}
	if ((q = db_query(c->db, "SELECT kind, mto_cap FROM stock_items WHERE "
	    "id = ?", (struct db_val[]){ DBI(it.id) }, 1, &e)) == NULL ||
	    db_next(q, &e) != 1)
		goto fail;
	(void)str_copy(kind, sizeof(kind), db_col_str(q, 0));
	if (!db_col_null(q, 1))
		(void)str_fmt(cap, sizeof(cap), "%lld",
		    (long long)db_col_i64(q, 1));
	if (bom_item_available(c->db, it.id, &avail, &e) == -1)
		goto fail;
	html_printf(&h, "<p><strong>%s</strong>%s%s: %s, %D available now."
	    "</p>\n", it.sku, it.title[0] != '\0' ? " " : "", it.title,
	    strcmp(kind, "made_to_order") == 0 ? "made to order" : kind,
	    avail);
	if (notice != NULL)
		html_printf(&h, "<p class=\"notice\" role=\"status\">%s</p>\n",
		    notice);
	html_printf(&h, "<h2 id=\"comp\">Components</h2>\n");
	if (bom_current(c->db, it.id, &text, &h, &e) == -1)
		goto fail;
	mto = t != NULL && t->kind != NULL ? strcmp(t->kind,
	    "made_to_order") == 0 : strcmp(kind, "made_to_order") == 0;
	html_printf(&h, "<h2>Change the components</h2>\n<form method=\"post\" "
	    "action=\"/admin/bom\">\n");
	if (t != NULL && t->error != NULL)
		html_printf(&h, "<p class=\"error\" role=\"alert\" "
		    "id=\"bom-error\">%s</p>\n", t->error);
	html_printf(&h, "<input type=\"hidden\" name=\"csrf\" value=\"%s\">"
	    "<input type=\"hidden\" name=\"sku\" value=\"%s\">\n"
	    "<fieldset><legend>Kind</legend>\n"
	    "<label><input type=\"radio\" name=\"kind\" value=\"bundle\"%s> "
	    "Bundle or kit: made of stocked parts</label><br>\n"
	    "<label><input type=\"radio\" name=\"kind\" "
	    "value=\"made_to_order\"%s> Made to order: no finished stock"
	    "</label>\n</fieldset>\n"
	    "<label for=\"bom-cap\">Most a made-to-order item shows "
	    "(empty: no limit)</label>\n<input id=\"bom-cap\" name=\"cap\" "
	    "type=\"number\" min=\"0\" step=\"1\" inputmode=\"numeric\" "
	    "value=\"%s\">\n"
	    "<label for=\"bom-components\">Components, one a line as "
	    "SKU:UNITS</label>\n<textarea id=\"bom-components\" "
	    "name=\"components\" rows=\"6\" required autocapitalize=\"none\" "
	    "spellcheck=\"false\" aria-describedby=\"bom-hint\">%s</textarea>"
	    "\n<p class=\"hint\" id=\"bom-hint\">For example MUG-1:1 and "
	    "SCARF-RED:2 on two lines. A component may be a bundle itself; "
	    "a loop (a kit inside itself) is refused.</p>\n"
	    "<label for=\"bom-reason\">Reason</label>\n<input id=\"bom-reason\" "
	    "name=\"reason\" required maxlength=\"255\" value=\"%s\">\n"
	    "<button type=\"submit\">Save the components</button>\n</form>\n",
	    c->s.csrf, it.sku, mto ? "" : " checked", mto ? " checked" : "",
	    t != NULL && t->cap != NULL ? t->cap : cap,
	    t != NULL && t->components != NULL ? t->components :
	    (text.data != NULL ? text.data : ""),
	    t != NULL && t->reason != NULL ? t->reason : "");
	if (bom_audit_list(c->db, it.id, &h, &e) == -1)
		goto fail;
	html_printf(&h, "<p><a href=\"/admin/bom\">Another SKU</a></p>\n");
	admin_page_close(&h);
	admin_send(r, status, c->https, &h, NULL);
	goto out;
fail:
	log_error("admin: bom: %s", e.msg);
	admin_fail(r, c->https, 503, "Not available",
	    "The components could not be read. Try again in a minute.");
out:
	db_res_free(q);
	buf_free(&text);
	buf_free(&b);
}

void
admin_bom_page(struct app *a, struct http_req *r)
{
	struct admin_ctx	 c;
	const char		*done;

	if (!admin_begin_get(a, r, &c))
		goto out;
	done = form_get(&r->query, "done");
	bom_render(r, &c, form_get(&r->query, "sku"), 200, NULL,
	    done != NULL && strcmp(done, "saved") == 0 ? "Saved: every "
	    "channel is being updated with what it can offer now." : NULL);
out:
	admin_ctx_free(&c);
}

/*
 * Parse the components box: lines of SKU:UNITS (the last colon splits,
 * blanks around are ignored, empty lines skipped). The SKUs point into
 * text, which is changed. 0, or -1 with a message for the user in err.
 */
static int
bom_parse(char *text, struct bom_component *comp, size_t *n, char *err,
    size_t errsz)
{
	char	*line, *next, *colon, *end;
	int64_t	 qty;

	*n = 0;
	for (line = text; line != NULL; line = next) {
		if ((next = strchr(line, '\n')) != NULL)
			*next++ = '\0';
		while (*line == ' ' || *line == '\t')
			line++;
		end = line + strlen(line);
		while (end > line && (end[-1] == ' ' || end[-1] == '\t' ||
		    end[-1] == '\r'))
			*--end = '\0';
		if (*line == '\0')
			continue;
		if ((colon = strrchr(line, ':')) == NULL) {
			(void)str_fmt(err, errsz, "\"%s\" has no units: write "
			    "SKU:UNITS, for example MUG-1:1.", line);
			return -1;
		}
		*colon = '\0';
		end = colon;
		while (end > line && (end[-1] == ' ' || end[-1] == '\t'))
			*--end = '\0';
		colon++;
		while (*colon == ' ' || *colon == '\t')
			colon++;
		if (str_to_i64(colon, 1, STOCK_QTY_MAX, &qty) == -1) {
			(void)str_fmt(err, errsz, "The units of \"%s\" must be "
			    "a whole number of at least 1.", line);
			return -1;
		}
		if (*n >= BOM_COMPONENTS_MAX) {
			(void)str_fmt(err, errsz, "At most %d components.",
			    BOM_COMPONENTS_MAX);
			return -1;
		}
		comp[*n].sku = line;
		comp[(*n)++].qty = qty;
	}
	if (*n == 0) {
		(void)str_copy(err, errsz, "Give at least one component.");
		return -1;
	}
	return 0;
}

void
admin_bom_post(struct app *a, struct http_req *r)
{
	struct admin_ctx	 c;
	struct bom_typed	 t;
	struct bom_component	 comp[BOM_COMPONENTS_MAX];
	struct bom_spec		 s;
	struct push_stats	 st;
	struct err		 e;
	const char		*sku;
	char			*text = NULL;
	char			 msg[sizeof(e.msg)], actor[LEDGER_SOURCE_MAX];
	char			 enc[STOCK_SKU_MAX * 4 * 3 + 1];
	char			 loc[sizeof(enc) + 64], worker[64];
	size_t			 n = 0;
	int			 status = 400;

	if (!admin_begin_post(a, r, &c))
		goto out;
	memset(&t, 0, sizeof(t));
	memset(&s, 0, sizeof(s));
	sku = form_get(&c.form, "sku");
	t.kind = form_get(&c.form, "kind");
	t.cap = form_get(&c.form, "cap");
	t.components = form_get(&c.form, "components");
	t.reason = form_get(&c.form, "reason");
	if (sku == NULL) {
		admin_fail(r, c.https, 400, "Refused",
		    "This form is not one of ours. Reload the page and try "
		    "again.");
		goto out;
	}
	if (t.kind == NULL || (strcmp(t.kind, "bundle") != 0 &&
	    strcmp(t.kind, "made_to_order") != 0)) {
		t.error = "Choose bundle or made to order.";
		goto refused;
	}
	s.kind = strcmp(t.kind, "bundle") == 0 ? BOM_BUNDLE :
	    BOM_MADE_TO_ORDER;
	if (t.cap != NULL && t.cap[0] != '\0') {
		if (s.kind != BOM_MADE_TO_ORDER) {
			t.error = "Only a made-to-order item has a limit; "
			    "leave it empty for a bundle.";
			goto refused;
		}
		if (str_to_i64(t.cap, 0, STOCK_QTY_MAX, &s.cap) == -1) {
			t.error = "The limit must be a whole number of 0 or "
			    "more.";
			goto refused;
		}
		s.has_cap = 1;
	}
	if (t.components == NULL || strlen(t.components) >= BOM_TEXT_MAX) {
		t.error = "The components are missing or too long.";
		goto refused;
	}
	if ((text = strdup(t.components)) == NULL) {
		admin_fail(r, c.https, 503, "Not saved", "Out of memory.");
		goto out;
	}
	if (bom_parse(text, comp, &n, msg, sizeof(msg)) == -1) {
		t.error = msg;
		goto refused;
	}
	if (t.reason == NULL || t.reason[0] == '\0' ||
	    strlen(t.reason) > LEDGER_REASON_MAX) {
		t.error = "Say why, in 255 characters at most (it is kept "
		    "with the change).";
		goto refused;
	}
	(void)str_fmt(actor, sizeof(actor), "admin:%s", c.s.user);
	s.components = comp;
	s.ncomponents = n;
	s.actor = actor;
	s.reason = t.reason;
	if (bom_set(c.db, sku, &s, &e) == -1) {
		if (e.kind == ERR_DB || e.kind == ERR_SYS ||
		    e.kind == ERR_RETRY) {
			log_error("admin: bom %s: %s", sku, e.msg);
			admin_fail(r, c.https, 503, "Not saved",
			    "The components could not be saved. Nothing "
			    "changed; try again in a minute.");
			goto out;
		}
		status = err_http_status(e.kind);
		(void)str_copy(msg, sizeof(msg), e.msg);
		t.error = msg;
		goto refused;
	}
	log_info("admin: bom %s set (%zu components) by %s", sku, n, c.s.user);
	if (admin_urlencode(enc, sizeof(enc), sku) == -1 ||
	    str_fmt(loc, sizeof(loc), "/admin/bom?sku=%s&done=saved",
	    enc) == -1)
		(void)str_copy(loc, sizeof(loc), "/admin/bom");
	admin_redirect(r, c.https, loc, NULL);
	http_finish(r);
	(void)str_fmt(worker, sizeof(worker), "admin:%ld", (long)getpid());
	if (push_run(c.db, &a->cfg, worker, push_now_ms() + PUSH_AFTER_MS,
	    &st, &e) == -1)
		log_error("admin: pushes after a BOM edit: %s", e.msg);
	goto out;
refused:
	bom_render(r, &c, sku, status == 404 ? 422 : status, &t, NULL);
out:
	free(text);
	admin_ctx_free(&c);
}
