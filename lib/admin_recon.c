/*
 * admin_recon: the reconciliation report in the admin (see admin.h).
 * /admin/recon lists the runs (a clean run says so) with a "reconcile
 * now" button; /admin/recon/<id> shows one run: listings checked,
 * discrepancies by cause, each discrepancy with what the hub wanted,
 * what was last pushed and what the channel showed, repairs and API
 * calls, with the same report as CSV (<id>.csv) and JSON (<id>.json).
 * Everything comes from lib/recon (recon_report_json) and is written
 * through html_printf().
 */
#include <inttypes.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "admin.h"
#include "app.h"
#include "buf.h"
#include "db.h"
#include "err.h"
#include "html.h"
#include "http.h"
#include "log.h"
#include "push.h"
#include "recon.h"
#include "str.h"

#define RUNS_SHOWN	50
#define RECON_NOW_MS	20000	/* a "reconcile now" works this long after
				 * answering; the tick continues the rest */
#define EXPORT_MAX	(64u << 20)

static const char *
jstr(const json_t *o, const char *k)
{
	const char	*s = json_string_value(json_object_get(o, k));

	return s != NULL ? s : "";
}

static int64_t
jint(const json_t *o, const char *k)
{
	return (int64_t)json_integer_value(json_object_get(o, k));
}

static int
runs_table(struct db *db, struct html *h, struct err *e)
{
	struct db_res	*q;
	int		 t, n = 0;

	if ((q = db_query(db, "SELECT id, origin, state = 'done', "
	    "DATE_FORMAT(started_at, '%Y-%m-%d %H:%i'), COALESCE("
	    "DATE_FORMAT(finished_at, '%Y-%m-%d %H:%i'), ''), COALESCE("
	    "(SELECT name FROM channel_accounts a WHERE a.id = "
	    "r.account_id), 'all channels'), checked, unreadable, "
	    "discrepancies, repairs, api_calls FROM recon_runs r ORDER BY id "
	    "DESC LIMIT ?", (struct db_val[]){ DBI(RUNS_SHOWN) }, 1, e)) ==
	    NULL)
		return -1;
	while ((t = db_next(q, e)) == 1) {
		if (n++ == 0)
			html_printf(h, "<div class=\"scroll\"><table>\n"
			    "<caption>Runs, newest first</caption>\n<thead><tr><th scope=\"col\">Run</th>"
			    "<th scope=\"col\">Scope</th><th scope=\"col\">"
			    "Started</th><th scope=\"col\">Finished</th>"
			    "<th scope=\"col\">Listings checked</th>"
			    "<th scope=\"col\">Result</th><th scope=\"col\">"
			    "Repairs queued</th><th scope=\"col\">API calls"
			    "</th></tr></thead>\n<tbody>\n");
		html_printf(h, "<tr><td><a href=\"/admin/recon/%D\">%D</a> "
		    "(%s)</td><td>%s</td><td>%s</td><td>%s</td><td>%D</td>",
		    db_col_i64(q, 0), db_col_i64(q, 0), db_col_str(q, 1),
		    db_col_str(q, 5), db_col_str(q, 3), db_col_i64(q, 2) ?
		    db_col_str(q, 4) : "running", db_col_i64(q, 6));
		if (db_col_i64(q, 8) > 0)
			html_printf(h, "<td>%D discrepancies</td>",
			    db_col_i64(q, 8));
		else if (db_col_i64(q, 7) > 0)
			html_printf(h, "<td>no discrepancy; %D listings could "
			    "not be read</td>", db_col_i64(q, 7));
		else if (db_col_i64(q, 2))
			html_printf(h, "<td>clean</td>");
		else
			html_printf(h, "<td>none so far</td>");
		html_printf(h, "<td>%D</td><td>%D</td></tr>\n",
		    db_col_i64(q, 9), db_col_i64(q, 10));
	}
	db_res_free(q);
	if (t == -1)
		return -1;
	if (n == 0)
		html_printf(h, "<p>No reconciliation has run yet. The first "
		    "runs tonight, or now with the button above.</p>\n");
	else
		html_printf(h, "</tbody></table></div>\n");
	return 0;
}

static int
policies_table(struct db *db, struct html *h, struct err *e)
{
	struct db_res	*q;
	int		 t, n = 0;

	if ((q = db_query(db, "SELECT id, name, type, recon_policy, "
	    "COALESCE(recon_threshold, 0) FROM channel_accounts ORDER BY id",
	    NULL, 0, e)) == NULL)
		return -1;
	while ((t = db_next(q, e)) == 1) {
		if (n++ == 0)
			html_printf(h, "<h2>What a discrepancy leads to</h2>\n"
			    "<div class=\"scroll\"><table>\n<thead><tr><th scope=\"col\">Account"
			    "</th><th scope=\"col\">Policy</th><th scope="
			    "\"col\">Threshold</th></tr></thead>\n<tbody>\n");
		html_printf(h, "<tr><td>%s (%s, %D)</td><td>%s</td>",
		    db_col_str(q, 1), db_col_str(q, 2), db_col_i64(q, 0),
		    strcmp(db_col_str(q, 3), "repair") == 0 ? "repair through "
		    "a push" : "report only");
		if (db_col_i64(q, 4) > 0)
			html_printf(h, "<td>%D units</td></tr>\n",
			    db_col_i64(q, 4));
		else
			html_printf(h, "<td>the run's (1 unit)</td></tr>\n");
	}
	db_res_free(q);
	if (t == -1)
		return -1;
	if (n > 0)
		html_printf(h, "</tbody></table></div>\n<p>Set with <code>stockhub "
		    "account set ACCOUNT_ID recon_policy=repair "
		    "recon_threshold=2</code>.</p>\n");
	return 0;
}

static int
account_options(struct db *db, struct html *h, struct err *e)
{
	struct db_res	*q;
	int		 t;

	if ((q = db_query(db, "SELECT id, name, type FROM channel_accounts "
	    "WHERE paused = 0 ORDER BY id", NULL, 0, e)) == NULL)
		return -1;
	while ((t = db_next(q, e)) == 1)
		html_printf(h, "<option value=\"%D\">%s (%s)</option>",
		    db_col_i64(q, 0), db_col_str(q, 1), db_col_str(q, 2));
	db_res_free(q);
	return t == -1 ? -1 : 0;
}

void
admin_recon_list(struct app *a, struct http_req *r)
{
	struct admin_ctx	 c;
	struct buf		 b;
	struct html		 h;
	struct err		 e;
	const char		*started;

	buf_init(&b, ADMIN_PAGE_MAX);
	if (!admin_begin_get(a, r, &c))
		goto out;
	html_init(&h, &b);
	admin_page_open(&h, "Reconciliation", &c.s);
	started = form_get(&r->query, "started");
	if (started != NULL)
		html_printf(&h, "<p role=\"status\">Run %s started. It reads "
		    "every mapped listing; the timer finishes what one "
		    "request cannot.</p>\n", started);
	html_printf(&h, "<p><a href=\"/admin/mapping\">Mapping audit</a>: "
	    "places on sale that the SKU map lacks or names differently.</p>"
	    "\n");
	html_printf(&h, "<p>Every night the hub reads what each channel "
	    "shows for every mapped listing and compares it with what it "
	    "wants shown and what it last pushed.</p>\n<form method=\"post\" "
	    "action=\"/admin/recon\"><input type=\"hidden\" name=\"csrf\" "
	    "value=\"%s\"><label for=\"recon-account\">Channel</label>\n"
	    "<select id=\"recon-account\" name=\"account\"><option value=\"\">"
	    "All channels</option>", c.s.csrf);
	err_clear(&e);
	if (account_options(c.db, &h, &e) == -1)
		goto unavailable;
	html_printf(&h, "</select>\n<button type=\"submit\">Reconcile now"
	    "</button></form>\n");
	if (runs_table(c.db, &h, &e) == -1 || policies_table(c.db, &h,
	    &e) == -1)
		goto unavailable;
	admin_page_close(&h);
	admin_send(r, 200, c.https, &h, NULL);
	goto out;
unavailable:
	log_error("admin: recon list: %s", e.msg);
	admin_fail(r, c.https, 503, "Not available", "The reports could not "
	    "be read. Try again in a minute.");
out:
	admin_ctx_free(&c);
	buf_free(&b);
}

void
admin_recon_post(struct app *a, struct http_req *r)
{
	struct admin_ctx	 c;
	struct recon_opts	 o;
	struct err		 e;
	int64_t			 run_id = 0;
	const char		*acct;
	char			 loc[64];
	int			 done = 0;

	if (!admin_begin_post(a, r, &c))
		goto out;
	memset(&o, 0, sizeof(o));
	acct = form_get(&c.form, "account");
	if (acct != NULL && acct[0] != '\0' && (str_to_i64(acct, 1,
	    INT64_MAX, &o.account_id) == -1 || db_query_i64(c.db, "SELECT id "
	    "FROM channel_accounts WHERE id = ?", (struct db_val[]){
	    DBI(o.account_id) }, 1, &run_id, &e) != 1)) {
		admin_fail(r, c.https, 400, "Refused", "There is no such "
		    "channel account. Reload the page and try again.");
		goto out;
	}
	if (recon_start(c.db, &o, "manual", &run_id, &e) == -1) {
		log_error("admin: reconcile now: %s", e.msg);
		admin_fail(r, c.https, 503, "Not started", "The run could not "
		    "be started. Try again in a minute.");
		goto out;
	}
	log_info("admin: reconciliation run %" PRId64 " started by %s",
	    run_id, c.s.user);
	(void)str_fmt(loc, sizeof(loc), "/admin/recon?started=%" PRId64,
	    run_id);
	admin_redirect(r, c.https, loc, NULL);
	/* the browser has its answer; the run goes on here, then on the
	 * timer */
	http_finish(r);
	if (recon_step(c.db, &a->cfg, run_id, &o, push_now_ms() +
	    RECON_NOW_MS, &done, &e) == -1)
		log_error("admin: reconciliation run %" PRId64 ": %s", run_id,
		    e.msg);
out:
	admin_ctx_free(&c);
}

/* "/admin/recon/12", ".csv", ".json" -> 12 and the format. */
static int
run_path(const char *path, int64_t *id, const char **fmt)
{
	const char	*p = path + strlen("/admin/recon/");
	char		 num[24];
	size_t		 n = strspn(p, "0123456789");

	if (n == 0 || n >= sizeof(num))
		return -1;
	memcpy(num, p, n);
	num[n] = '\0';
	if (str_to_i64(num, 1, INT64_MAX, id) == -1)
		return -1;
	*fmt = p + n;
	return strcmp(*fmt, "") == 0 || strcmp(*fmt, ".csv") == 0 ||
	    strcmp(*fmt, ".json") == 0 ? 0 : -1;
}

static void
download(struct http_req *r, const json_t *rep, int64_t id, int csv)
{
	struct buf		 b;
	struct err		 e;
	char			 disp[96];
	char			*js = NULL;
	struct http_header	 hdr[3];

	buf_init(&b, EXPORT_MAX);
	(void)str_fmt(disp, sizeof(disp), "attachment; filename=\"recon-%"
	    PRId64 ".%s\"", id, csv ? "csv" : "json");
	hdr[0] = (struct http_header){ "Content-Disposition", disp };
	hdr[1] = (struct http_header){ "Cache-Control", "no-store" };
	hdr[2] = (struct http_header){ NULL, NULL };
	if (csv) {
		if (recon_report_csv(rep, &b, &e) == -1) {
			http_error(r, 500, "internal", "the report is too big");
			goto out;
		}
		(void)http_respond(r, 200, "text/csv; charset=utf-8", hdr,
		    b.data != NULL ? b.data : "", b.len);
	} else {
		if ((js = json_dumps(rep, JSON_INDENT(2))) == NULL) {
			http_error(r, 500, "internal", "out of memory");
			goto out;
		}
		(void)http_respond(r, 200, "application/json", hdr, js,
		    strlen(js));
	}
out:
	free(js);
	buf_free(&b);
}

void
admin_recon_run(struct app *a, struct http_req *r)
{
	struct admin_ctx	 c;
	struct buf		 b;
	struct html		 h;
	struct err		 e;
	json_t			*rep = NULL, *run, *causes, *d;
	const char		*fmt = "";
	int64_t			 id = 0;
	size_t			 i;
	int			 k;

	buf_init(&b, ADMIN_PAGE_MAX);
	if (!admin_begin_get(a, r, &c))
		goto out;
	if (run_path(r->path, &id, &fmt) == -1) {
		admin_fail(r, c.https, 404, "Not found", "There is no such "
		    "reconciliation run.");
		goto out;
	}
	err_clear(&e);
	if (recon_report_json(c.db, id, &rep, &e) == -1) {
		if (e.kind == ERR_NOTFOUND)
			admin_fail(r, c.https, 404, "Not found", "There is no "
			    "such reconciliation run.");
		else {
			log_error("admin: recon report %" PRId64 ": %s", id,
			    e.msg);
			admin_fail(r, c.https, 503, "Not available", "The "
			    "report could not be read. Try again in a "
			    "minute.");
		}
		goto out;
	}
	if (fmt[0] != '\0') {
		download(r, rep, id, strcmp(fmt, ".csv") == 0);
		goto out;
	}
	run = json_object_get(rep, "run");
	causes = json_object_get(run, "by_cause");
	html_init(&h, &b);
	admin_page_open(&h, "Reconciliation run", &c.s);
	html_printf(&h, "<p><a href=\"/admin/recon\">All runs</a> · Download: "
	    "<a href=\"/admin/recon/%D.csv\">CSV</a> · <a href=\"/admin/"
	    "recon/%D.json\">JSON</a></p>\n", id, id);
	if (json_is_true(json_object_get(run, "clean")) &&
	    strcmp(jstr(run, "state"), "done") == 0)
		html_printf(&h, "<p role=\"status\"><strong>Clean:</strong> "
		    "every listing checked shows what the hub wants.</p>\n");
	html_printf(&h, "<dl><dt>Run</dt><dd>%D (%s)</dd><dt>Started</dt>"
	    "<dd>%s</dd><dt>Finished</dt><dd>%s</dd><dt>Listings checked</dt>"
	    "<dd>%D</dd><dt>Could not be read</dt><dd>%D</dd>"
	    "<dt>Discrepancies</dt><dd>%D</dd><dt>Repairs queued</dt><dd>%D"
	    "</dd><dt>API calls</dt><dd>%D</dd></dl>\n", id, jstr(run,
	    "state"), jstr(run, "started"), json_is_string(json_object_get(run,
	    "finished")) ? jstr(run, "finished") : "not yet", jint(run,
	    "checked"), jint(run, "unreadable"), jint(run, "discrepancies"),
	    jint(run, "repairs"), jint(run, "api_calls"));
	if (jint(run, "discrepancies") > 0) {
		html_printf(&h, "<h2>By likely cause</h2>\n<ul>\n");
		for (k = RECON_SALE_UNSEEN; k < RECON__MAX; k++)
			if (jint(causes, recon_cause_name((enum recon_cause)k)) >
			    0)
				html_printf(&h, "<li>%s: %D</li>\n",
				    recon_cause_label((enum recon_cause)k),
				    jint(causes, recon_cause_name(
				    (enum recon_cause)k)));
		html_printf(&h, "</ul>\n<h2>Discrepancies</h2>\n<div class=\"scroll\"><table>\n"
		    "<thead><tr><th scope=\"col\">Account</th><th scope=\"col\">"
		    "SKU</th><th scope=\"col\">Listing</th><th scope=\"col\">"
		    "Hub wants</th><th scope=\"col\">Last pushed</th>"
		    "<th scope=\"col\">Channel shows</th><th scope=\"col\">"
		    "Likely cause</th><th scope=\"col\">Done</th></tr></thead>"
		    "\n<tbody>\n");
		json_array_foreach(json_object_get(rep, "discrepancies"), i,
		    d) {
			enum recon_cause cause = RECON_NONE;

			for (k = RECON_SALE_UNSEEN; k < RECON__MAX; k++)
				if (strcmp(jstr(d, "cause"), recon_cause_name(
				    (enum recon_cause)k)) == 0)
					cause = (enum recon_cause)k;
			html_printf(&h, "<tr><td>%s</td><td>%s</td><td>%s %s"
			    "</td><td>%D</td>", jstr(d, "account"), jstr(d,
			    "sku"), jstr(d, "ext_listing"), jstr(d,
			    "ext_variant"), jint(d, "hub_desired"));
			if (json_is_integer(json_object_get(d, "last_pushed")))
				html_printf(&h, "<td>%D</td>", jint(d,
				    "last_pushed"));
			else
				html_printf(&h, "<td>never</td>");
			if (json_is_integer(json_object_get(d,
			    "channel_shows")))
				html_printf(&h, "<td>%D</td>", jint(d,
				    "channel_shows"));
			else
				html_printf(&h, "<td>not on the channel</td>");
			html_printf(&h, "<td>%s</td><td>%s</td></tr>\n",
			    recon_cause_label(cause), strcmp(jstr(d,
			    "action"), "repair_queued") == 0 ? "repair queued" :
			    "reported");
		}
		html_printf(&h, "</tbody></table></div>\n");
	}
	admin_page_close(&h);
	admin_send(r, 200, c.https, &h, NULL);
out:
	json_decref(rep);
	admin_ctx_free(&c);
	buf_free(&b);
}
