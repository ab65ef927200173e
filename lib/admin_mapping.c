/*
 * admin_mapping: the mapping audit in the admin (see admin.h and audit.h).
 * /admin/mapping shows the open findings and, for each exact-SKU
 * suggestion, a one-click "Map it" button (POST /admin/mapping/confirm),
 * and runs the audit of a channel now (POST /admin/mapping). Every value
 * is written through html_printf().
 */
#include <inttypes.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>

#include "admin.h"
#include "app.h"
#include "audit.h"
#include "buf.h"
#include "db.h"
#include "err.h"
#include "html.h"
#include "http.h"
#include "log.h"
#include "push.h"
#include "str.h"

#define FINDINGS_SHOWN	200
#define PUSH_AFTER_MS	5000

static int
suggestions(struct db *db, struct html *h, const char *csrf, struct err *e)
{
	struct db_res	*q;
	int		 t, n = 0;

	if ((q = db_query(db, "SELECT s.id, s.action, s.sku, s.ext_listing, "
	    "s.ext_variant, a.name FROM audit_suggestions s JOIN "
	    "channel_accounts a ON a.id = s.account_id WHERE s.state = 'open' "
	    "ORDER BY s.id LIMIT ?", (struct db_val[]){ DBI(FINDINGS_SHOWN) },
	    1, e)) == NULL)
		return -1;
	while ((t = db_next(q, e)) == 1) {
		if (n++ == 0)
			html_printf(h, "<h2>Suggestions (exact SKU matches)</h2>"
			    "\n<ul>\n");
		html_printf(h, "<li>%s: listing %s %s → SKU <strong>%s</strong>"
		    " (%s) <form method=\"post\" action=\"/admin/mapping/confirm\">"
		    "<input type=\"hidden\" name=\"csrf\" value=\"%s\">"
		    "<input type=\"hidden\" name=\"id\" value=\"%D\">"
		    "<button type=\"submit\">%s</button></form></li>\n",
		    db_col_str(q, 5), db_col_str(q, 3), db_col_str(q, 4),
		    db_col_str(q, 2), strcmp(db_col_str(q, 1), "remap") == 0 ?
		    "renamed on the channel" : "not mapped yet", csrf,
		    db_col_i64(q, 0), strcmp(db_col_str(q, 1), "remap") == 0 ?
		    "Move the map entry" : "Map it");
	}
	db_res_free(q);
	if (t == -1)
		return -1;
	if (n > 0)
		html_printf(h, "</ul>\n");
	return 0;
}

static int
findings(struct db *db, struct html *h, struct err *e)
{
	struct db_res	*q;
	int		 t, n = 0;

	if ((q = db_query(db, "SELECT message, details, occurrences, "
	    "DATE_FORMAT(last_at, '%Y-%m-%d %H:%i') FROM alerts WHERE kind = "
	    "'mapping_audit' AND resolved_at IS NULL ORDER BY id LIMIT ?",
	    (struct db_val[]){ DBI(FINDINGS_SHOWN) }, 1, e)) == NULL)
		return -1;
	while ((t = db_next(q, e)) == 1) {
		if (n++ == 0)
			html_printf(h, "<h2>Open findings</h2>\n<ul>\n");
		html_printf(h, "<li>%s <small>(%s; seen %D times, last %s)"
		    "</small></li>\n", db_col_str(q, 0), db_col_str(q, 1),
		    db_col_i64(q, 2), db_col_str(q, 3));
	}
	db_res_free(q);
	if (t == -1)
		return -1;
	if (n == 0)
		html_printf(h, "<p>No open findings: every place on sale matches "
		    "the SKU map.</p>\n");
	else
		html_printf(h, "</ul>\n");
	return 0;
}

static int
run_form(struct db *db, struct html *h, const char *csrf, struct err *e)
{
	struct db_res	*q;
	int		 t;

	html_printf(h, "<form method=\"post\" action=\"/admin/mapping\">"
	    "<input type=\"hidden\" name=\"csrf\" value=\"%s\">"
	    "<label for=\"audit-account\">Channel</label>\n<select "
	    "id=\"audit-account\" name=\"account\">", csrf);
	if ((q = db_query(db, "SELECT id, name, type FROM channel_accounts "
	    "WHERE paused = 0 AND type IN ('etsy','shopify') ORDER BY id", NULL, 0,
	    e)) == NULL)
		return -1;
	while ((t = db_next(q, e)) == 1)
		html_printf(h, "<option value=\"%D\">%s (%s)</option>",
		    db_col_i64(q, 0), db_col_str(q, 1), db_col_str(q, 2));
	db_res_free(q);
	html_printf(h, "</select>\n<button type=\"submit\">Audit now</button>"
	    "</form>\n");
	return t == -1 ? -1 : 0;
}

void
admin_mapping_page(struct app *a, struct http_req *r)
{
	struct admin_ctx	 c;
	struct buf		 b;
	struct html		 h;
	struct err		 e;
	const char		*done;

	buf_init(&b, ADMIN_PAGE_MAX);
	if (!admin_begin_get(a, r, &c))
		goto out;
	html_init(&h, &b);
	admin_page_open(&h, "Mapping audit", &c.s);
	done = form_get(&r->query, "done");
	if (done != NULL && strcmp(done, "mapped") == 0)
		html_printf(&h, "<p role=\"status\">Mapped. The channel gets "
		    "the hub's figure with the next push.</p>\n");
	else if (done != NULL && strcmp(done, "audited") == 0)
		html_printf(&h, "<p role=\"status\">Audit finished; the "
		    "findings are below.</p>\n");
	html_printf(&h, "<p>Every week the hub lists what is on sale on each "
	    "channel and compares it with the SKU map. Suggestions are exact "
	    "SKU matches only.</p>\n");
	err_clear(&e);
	if (run_form(c.db, &h, c.s.csrf, &e) == -1 || suggestions(c.db, &h,
	    c.s.csrf, &e) == -1 || findings(c.db, &h, &e) == -1) {
		log_error("admin: audit page: %s", e.msg);
		admin_fail(r, c.https, 503, "Not available", "The findings could "
		    "not be read. Try again in a minute.");
		goto out;
	}
	admin_page_close(&h);
	admin_send(r, 200, c.https, &h, NULL);
out:
	admin_ctx_free(&c);
	buf_free(&b);
}

void
admin_mapping_run(struct app *a, struct http_req *r)
{
	struct admin_ctx	 c;
	struct audit_stats	 st;
	struct err		 e;
	const char		*acct;
	int64_t			 id;

	if (!admin_begin_post(a, r, &c))
		goto out;
	acct = form_get(&c.form, "account");
	if (acct == NULL || str_to_i64(acct, 1, INT64_MAX, &id) == -1) {
		admin_fail(r, c.https, 400, "Refused", "Choose a channel.");
		goto out;
	}
	err_clear(&e);
	if (audit_run(c.db, &a->cfg, id, "manual", &st, &e) == -1) {
		log_error("admin: audit of account %lld: %s", (long long)id,
		    e.msg);
		admin_fail(r, c.https, e.kind == ERR_NOTFOUND ||
		    e.kind == ERR_INVALID ? 400 : 503, "Not audited",
		    e.kind == ERR_NOTFOUND || e.kind == ERR_INVALID ? "That "
		    "channel cannot be audited." : "The channel could not be "
		    "read. Try again in a minute.");
		goto out;
	}
	admin_redirect(r, c.https, "/admin/mapping?done=audited", NULL);
out:
	admin_ctx_free(&c);
}

void
admin_mapping_confirm(struct app *a, struct http_req *r)
{
	struct admin_ctx	 c;
	struct err		 e;
	const char		*sid;
	int64_t			 id;

	if (!admin_begin_post(a, r, &c))
		goto out;
	sid = form_get(&c.form, "id");
	if (sid == NULL || str_to_i64(sid, 1, INT64_MAX, &id) == -1) {
		admin_fail(r, c.https, 400, "Refused", "This form is not one of "
		    "ours. Reload the page and try again.");
		goto out;
	}
	err_clear(&e);
	if (audit_confirm(c.db, id, &e) == -1) {
		if (e.kind == ERR_NOTFOUND || e.kind == ERR_CONFLICT)
			admin_fail(r, c.https, 409, "Not mapped", "That "
			    "suggestion was confirmed already or no longer "
			    "fits the map. Reload the page.");
		else {
			log_error("admin: confirm suggestion %lld: %s",
			    (long long)id, e.msg);
			admin_fail(r, c.https, 503, "Not mapped", "The map "
			    "could not be saved. Try again in a minute.");
		}
		goto out;
	}
	log_info("admin: suggestion %lld confirmed by %s", (long long)id,
	    c.s.user);
	admin_redirect(r, c.https, "/admin/mapping?done=mapped", NULL);
	http_finish(r);
	/* the browser has its answer; the new listing gets its figure */
	{
		struct push_stats	 ps;
		char			 worker[48];

		(void)str_fmt(worker, sizeof(worker), "admin:%ld",
		    (long)getpid());
		if (push_run(c.db, &a->cfg, worker, push_now_ms() +
		    PUSH_AFTER_MS, &ps, &e) == -1)
			log_error("admin: push after confirm: %s", e.msg);
	}
out:
	admin_ctx_free(&c);
}
