/*
 * admin_audit: the audit log at GET /admin/audit and its CSV export at
 * GET /admin/audit.csv (see admin.h).
 *
 * Every event in and out, from every table that records one: ledger
 * movements (with their event's source, reason and key), webhook
 * deliveries (inbox), push attempts (push_log), alerts, BOM changes,
 * reconciliation discrepancies, admin actions and sign-in attempts.
 * Filters: sku (exact), account (a channel account id), kind (one of
 * the categories above), from and to (UTC, "YYYY-MM-DD" or
 * "YYYY-MM-DD HH:MM"; to is exclusive). Newest first, paged with a
 * keyset cursor (?before=TIME.SOURCE.ID). The CSV has the same rows
 * under the same filters (up to AUDIT_CSV_MAX), quoted by csv_field()
 * below (RFC 4180, and a leading = + - @ is defused for spreadsheets).
 *
 * The SQL is one fixed statement: filters are bound values, never text.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "admin.h"
#include "app.h"
#include "buf.h"
#include "csvw.h"
#include "db.h"
#include "err.h"
#include "html.h"
#include "http.h"
#include "log.h"
#include "stock.h"
#include "str.h"

#define AUDIT_PAGE	100
#define AUDIT_CSV_MAX	50000
#define AUDIT_CSV_BYTES	(32 * 1024 * 1024)
#define TS_FMT		"'%Y-%m-%d %H:%i:%s'"
#define US(col)		"CAST(FLOOR(UNIX_TIMESTAMP(" col ") * 1000000) AS SIGNED)"
#define T(x)		"CONVERT(" x " USING utf8mb4) COLLATE utf8mb4_bin"
#define NOSKU		"CAST(NULL AS CHAR CHARACTER SET utf8mb4) COLLATE utf8mb4_bin"

/* The categories, in the order of their src numbers (1-based). */
static const char *const kinds[] = {
	"movement", "inbox", "push", "alert", "bom", "recon", "admin",
	"signin", NULL
};

/*
 * Columns of every branch: ts (microseconds), src, id, at (text), kind
 * (category), what, sku, account_id, qty, actor, detail, ref; the outer
 * query adds the account's name.
 *
 * The filters are set once per request as session variables (@af_*,
 * bound as values by audit_query()) and applied inside every branch,
 * and each branch takes only its newest `limit` rows in id order (time
 * order within one table, as long as the clock never steps back), so a
 * page reads a few hundred rows however long the log is, instead of
 * sorting the whole union.
 */
#define SKUV		"CAST(@af_sku AS CHAR CHARACTER SET utf8mb4) COLLATE utf8mb4_bin"
#define BRANCH_WHERE(sku, acct, src, ts, id) \
	" WHERE (@af_sku = '' OR " sku " = " SKUV ") AND (@af_acct = 0 OR " \
	acct " = @af_acct) AND (@af_src = 0 OR @af_src = " src ") AND " ts \
	" >= @af_from AND " ts " < @af_to AND (@af_cur = 0 OR " ts \
	" < @af_cts OR (" ts " = @af_cts AND (" src " < @af_csrc OR (" src \
	" = @af_csrc AND " id " < @af_cid)))) ORDER BY " id " DESC LIMIT ?"
#define MOVE_ACCT	"(CASE WHEN ev.source LIKE 'shopify:%' OR ev.source " \
	"LIKE 'etsy:%' THEN CAST(SUBSTRING_INDEX(ev.source, ':', -1) AS " \
	"UNSIGNED) END)"
#define NBRANCH		8

static const char audit_set_sql[] =
"SET @af_sku = ?, @af_acct = ?, @af_src = ?, @af_from = ?, @af_to = ?, "
"@af_cur = ?, @af_cts = ?, @af_csrc = ?, @af_cid = ?";

static const char audit_sql[] =
"SELECT t.ts, t.src, t.id, t.at, t.kind, t.what, t.sku, t.account_id, "
"a.name, t.qty, t.actor, t.detail, t.ref FROM ("
/* 1 ledger movements; the account from a channel's source */
"(SELECT STRAIGHT_JOIN " US("m.created_at") " AS ts, 1 AS src, m.id AS id, "
"DATE_FORMAT(m.created_at, " TS_FMT ") AS at, " T("'movement'") " AS kind, "
T("m.kind") " AS what, " T("i.sku") " AS sku, " MOVE_ACCT " AS account_id, "
"m.qty AS qty, " T("ev.source") " AS actor, " T("ev.reason") " AS detail, "
T("ev.event_key") " AS ref FROM stock_movements m JOIN ledger_events ev ON "
"ev.id = m.event_id JOIN stock_items i ON i.id = m.item_id"
BRANCH_WHERE("i.sku", MOVE_ACCT, "1", US("m.created_at"), "m.id") ") "
"UNION ALL "
/* 2 webhook deliveries */
"(SELECT " US("w.received_at") ", 2, w.id, DATE_FORMAT(w.received_at, "
TS_FMT "), " T("'inbox'") ", " T("w.topic") ", " NOSKU ", w.account_id, "
"NULL, " T("w.state") ", " T("w.detail") ", " T("w.event_id")
" FROM webhook_inbox w"
BRANCH_WHERE("NULL", "w.account_id", "2", US("w.received_at"), "w.id") ") "
"UNION ALL "
/* 3 pushes */
"(SELECT STRAIGHT_JOIN " US("pl.at") ", 3, pl.id, DATE_FORMAT(pl.at, " TS_FMT "), "
T("'push'") ", " T("pl.outcome") ", " T("i.sku") ", cl.account_id, "
"pl.desired_qty, " T("'hub'") ", " T("pl.detail") ", "
T("CONCAT(cl.ext_listing, ' ', cl.ext_variant)") " FROM push_log pl JOIN "
"channel_listings cl ON cl.id = pl.listing_id JOIN stock_items i ON i.id = "
"cl.item_id"
BRANCH_WHERE("i.sku", "cl.account_id", "3", US("pl.at"), "pl.id") ") "
"UNION ALL "
/* 4 alerts */
"(SELECT " US("al.created_at") ", 4, al.id, DATE_FORMAT(al.created_at, "
TS_FMT "), " T("'alert'") ", " T("al.kind") ", " T("i.sku") ", "
"al.account_id, al.occurrences, " T("IF(al.resolved_at IS NULL, 'open', "
"'resolved')") ", " T("al.message") ", " T("al.dedupe_key") " FROM alerts "
"al LEFT JOIN stock_items i ON i.id = al.item_id"
BRANCH_WHERE("i.sku", "al.account_id", "4", US("al.created_at"), "al.id")
") "
"UNION ALL "
/* 5 BOM changes */
"(SELECT " US("b.at") ", 5, b.id, DATE_FORMAT(b.at, " TS_FMT "), "
T("'bom'") ", " T("b.kind") ", " T("i.sku") ", NULL, NULL, " T("b.actor")
", " T("b.reason") ", " T("b.components") " FROM bom_audit b JOIN "
"stock_items i ON i.id = b.parent_id"
BRANCH_WHERE("i.sku", "NULL", "5", US("b.at"), "b.id") ") "
"UNION ALL "
/* 6 reconciliation discrepancies */
"(SELECT " US("d.at") ", 6, d.id, DATE_FORMAT(d.at, " TS_FMT "), "
T("'recon'") ", " T("d.cause") ", " T("i.sku") ", d.account_id, "
"d.difference, " T("d.action") ", " T("d.detail") ", "
T("CONCAT('run ', d.run_id)") " FROM recon_discrepancies d JOIN "
"stock_items i ON i.id = d.item_id"
BRANCH_WHERE("i.sku", "d.account_id", "6", US("d.at"), "d.id") ") "
"UNION ALL "
/* 7 admin actions */
"(SELECT " US("x.at") ", 7, x.id, DATE_FORMAT(x.at, " TS_FMT "), "
T("'admin'") ", " T("x.kind") ", " NOSKU ", x.account_id, NULL, "
T("x.actor") ", " T("x.detail") ", " T("''") " FROM admin_actions x"
BRANCH_WHERE("NULL", "x.account_id", "7", US("x.at"), "x.id") ") "
"UNION ALL "
/* 8 sign-in attempts (epoch seconds) */
"(SELECT la.at * 1000000, 8, la.id, DATE_FORMAT(FROM_UNIXTIME(la.at), "
TS_FMT "), " T("'signin'") ", " T("la.outcome") ", " NOSKU ", NULL, NULL, "
T("la.user_name") ", " T("la.addr") ", " T("''") " FROM "
"admin_login_attempts la"
BRANCH_WHERE("NULL", "NULL", "8", "(la.at * 1000000)", "la.id") ")"
") t LEFT JOIN channel_accounts a ON a.id = t.account_id "
"ORDER BY t.ts DESC, t.src DESC, t.id DESC LIMIT ?";

struct audit_filter {
	const char	*sku, *account, *kind, *from, *to, *before;
	int64_t		 account_id;
	int64_t		 src;		/* 0: every kind */
	int64_t		 from_us, to_us;
	int64_t		 cur_ts, cur_src, cur_id;
	int		 cur_set;
	const char	*field;		/* in error, or NULL */
	const char	*error;
};

/* "YYYY-MM-DD" or "YYYY-MM-DD HH:MM" (or with a T) as UTC seconds. */
static int
parse_time(const char *s, int64_t *out)
{
	struct tm	 tm;
	int64_t		 v[5] = { 0, 0, 0, 0, 0 };
	size_t		 n = s != NULL ? strlen(s) : 0;

	if ((n != 10 && n != 16) || s[4] != '-' || s[7] != '-' ||
	    str_to_i64n(s, 4, 1970, 9999, &v[0]) == -1 ||
	    str_to_i64n(s + 5, 2, 1, 12, &v[1]) == -1 ||
	    str_to_i64n(s + 8, 2, 1, 31, &v[2]) == -1)
		return -1;
	if (n == 16 && ((s[10] != ' ' && s[10] != 'T') || s[13] != ':' ||
	    str_to_i64n(s + 11, 2, 0, 23, &v[3]) == -1 ||
	    str_to_i64n(s + 14, 2, 0, 59, &v[4]) == -1))
		return -1;
	memset(&tm, 0, sizeof(tm));
	tm.tm_year = (int)v[0] - 1900;
	tm.tm_mon = (int)v[1] - 1;
	tm.tm_mday = (int)v[2];
	tm.tm_hour = (int)v[3];
	tm.tm_min = (int)v[4];
	*out = (int64_t)timegm(&tm);
	/* 2026-02-31 is normalised by timegm: refuse it */
	return tm.tm_mday == (int)v[2] && tm.tm_mon == (int)v[1] - 1 ? 0 : -1;
}

static int
blank(const char *s)
{
	return s == NULL || *s == '\0';
}

/* Read the filters from the query; 0, or -1 with f->field/error set. */
static int
filter_read(const struct form *q, struct audit_filter *f)
{
	const char	*d1, *d2;
	int64_t		 t;
	size_t		 i;

	memset(f, 0, sizeof(f[0]));
	f->sku = form_get(q, "sku");
	f->account = form_get(q, "account");
	f->kind = form_get(q, "kind");
	f->from = form_get(q, "from");
	f->to = form_get(q, "to");
	f->before = form_get(q, "before");
	f->to_us = INT64_MAX;
	if (!blank(f->sku) && strlen(f->sku) > STOCK_SKU_MAX * 4) {
		f->field = "sku";
		f->error = "A SKU has at most 64 characters.";
		return -1;
	}
	if (!blank(f->account) && str_to_i64(f->account, 1, INT64_MAX,
	    &f->account_id) == -1) {
		f->field = "account";
		f->error = "Choose an account from the list.";
		return -1;
	}
	if (!blank(f->kind)) {
		for (i = 0; kinds[i] != NULL && strcmp(kinds[i], f->kind) != 0;
		    i++)
			;
		if (kinds[i] == NULL) {
			f->field = "kind";
			f->error = "Choose a kind from the list.";
			return -1;
		}
		f->src = (int64_t)i + 1;
	}
	if (!blank(f->from)) {
		if (parse_time(f->from, &t) == -1) {
			f->field = "from";
			f->error = "Write the time as 2026-11-28 or 2026-11-28 "
			    "14:30 (UTC).";
			return -1;
		}
		f->from_us = t * 1000000;
	}
	if (!blank(f->to)) {
		if (parse_time(f->to, &t) == -1) {
			f->field = "to";
			f->error = "Write the time as 2026-11-28 or 2026-11-28 "
			    "14:30 (UTC).";
			return -1;
		}
		/* a day alone means up to the end of that day */
		f->to_us = (t + (strlen(f->to) == 10 ? 86400 : 60)) * 1000000;
		if (f->to_us <= f->from_us) {
			f->field = "to";
			f->error = "The end must be after the start.";
			return -1;
		}
	}
	if (!blank(f->before)) {
		if ((d1 = strchr(f->before, '.')) == NULL ||
		    (d2 = strchr(d1 + 1, '.')) == NULL ||
		    str_to_i64n(f->before, (size_t)(d1 - f->before), INT64_MIN,
		    INT64_MAX, &f->cur_ts) == -1 ||
		    str_to_i64n(d1 + 1, (size_t)(d2 - d1 - 1), 1, 8,
		    &f->cur_src) == -1 ||
		    str_to_i64(d2 + 1, 0, INT64_MAX, &f->cur_id) == -1) {
			f->field = "before";
			f->error = "That page link is broken. Use the filter "
			    "below to start again from the newest events.";
			return -1;
		}
		f->cur_set = 1;
	}
	return 0;
}

static struct db_res *
audit_query(struct db *db, const struct audit_filter *f, int64_t limit,
    struct err *e)
{
	const char	*sku = blank(f->sku) ? "" : f->sku;
	struct db_val	 set[] = {
		DBS(sku), DBI(f->account_id), DBI(f->src), DBI(f->from_us),
		DBI(f->to_us), DBI(f->cur_set), DBI(f->cur_ts),
		DBI(f->cur_src), DBI(f->cur_id),
	};
	struct db_val	 lim[NBRANCH + 1];
	size_t		 i;

	for (i = 0; i < NBRANCH + 1; i++)
		lim[i] = DBI(limit);
	if (db_exec(db, audit_set_sql, set, DB_NARGS(set), NULL, NULL,
	    e) == -1)
		return NULL;
	return db_query(db, audit_sql, lim, DB_NARGS(lim), e);
}

/* The filters as a query string (for the next page and the CSV link). */
static void
filter_query(const struct audit_filter *f, char *out, size_t outsz)
{
	const char	*keys[] = { "sku", "account", "kind", "from", "to" };
	const char	*vals[] = { f->sku, f->account, f->kind, f->from, f->to };
	char		 enc[1024];
	size_t		 i, o = 0, n;

	out[0] = '\0';
	for (i = 0; i < 5; i++) {
		if (blank(vals[i]) || admin_urlencode(enc, sizeof(enc),
		    vals[i]) == -1)
			continue;
		n = strlen(keys[i]) + strlen(enc) + 2;
		if (o + n >= outsz)
			break;
		(void)str_fmt(out + o, outsz - o, "%s%s=%s", o > 0 ? "&" : "",
		    keys[i], enc);
		o = strlen(out);
	}
}

static int
account_options(struct db *db, const struct audit_filter *f, struct html *h,
    struct err *e)
{
	struct db_res	*q;
	int		 got;

	if ((q = db_query(db, "SELECT id, name, type FROM channel_accounts "
	    "ORDER BY name", NULL, 0, e)) == NULL)
		return -1;
	html_printf(h, "<option value=\"\">every channel</option>");
	while ((got = db_next(q, e)) == 1)
		html_printf(h, "<option value=\"%D\"%s>%s (%s)</option>",
		    db_col_i64(q, 0), db_col_i64(q, 0) == f->account_id ?
		    " selected" : "", db_col_str(q, 1), db_col_str(q, 2));
	db_res_free(q);
	return got == -1 ? -1 : 0;
}

static void
ferr(struct html *h, const struct audit_filter *f, const char *name)
{
	admin_field_error(h, "audit", f->field, name, f->error);
}

static void
fattr(struct html *h, const struct audit_filter *f, const char *name)
{
	admin_field_attrs(h, "audit", f->field, name, NULL);
}

static int
filter_form(struct db *db, const struct audit_filter *f, struct html *h,
    struct err *e)
{
	size_t	 i;

	html_printf(h, "<form method=\"get\" action=\"/admin/audit\" "
	    "id=\"audit-filter\"><fieldset><legend>Filter</legend>\n");
	ferr(h, f, "sku");
	html_printf(h, "<label for=\"audit-sku\">SKU (exact)</label>"
	    "<input id=\"audit-sku\" name=\"sku\" maxlength=\"64\" "
	    "autocapitalize=\"none\" spellcheck=\"false\" value=\"%s\"",
	    f->sku != NULL ? f->sku : "");
	fattr(h, f, "sku");
	html_printf(h, ">\n");
	ferr(h, f, "account");
	html_printf(h, "<label for=\"audit-account\">Channel</label>"
	    "<select id=\"audit-account\" name=\"account\"");
	fattr(h, f, "account");
	html_printf(h, ">");
	if (account_options(db, f, h, e) == -1)
		return -1;
	html_printf(h, "</select>\n");
	ferr(h, f, "kind");
	html_printf(h, "<label for=\"audit-kind\">Kind</label>"
	    "<select id=\"audit-kind\" name=\"kind\"");
	fattr(h, f, "kind");
	html_printf(h, "><option value=\"\">every kind</option>");
	for (i = 0; kinds[i] != NULL; i++)
		html_printf(h, "<option%s>%s</option>", f->src == (int64_t)i +
		    1 ? " selected" : "", kinds[i]);
	html_printf(h, "</select>\n");
	ferr(h, f, "from");
	html_printf(h, "<label for=\"audit-from\">From (UTC)</label>"
	    "<input id=\"audit-from\" name=\"from\" maxlength=\"16\" "
	    "placeholder=\"2026-11-28 14:30\" value=\"%s\"",
	    f->from != NULL ? f->from : "");
	fattr(h, f, "from");
	html_printf(h, ">\n");
	ferr(h, f, "to");
	html_printf(h, "<label for=\"audit-to\">To (UTC, not included)"
	    "</label><input id=\"audit-to\" name=\"to\" maxlength=\"16\" "
	    "placeholder=\"2026-11-29\" value=\"%s\"", f->to != NULL ? f->to :
	    "");
	fattr(h, f, "to");
	html_printf(h, ">\n<button type=\"submit\" id=\"audit-apply\">Show"
	    "</button>\n</fieldset></form>\n");
	return 0;
}

void
admin_audit_page(struct app *a, struct http_req *r)
{
	struct admin_ctx	 c;
	struct audit_filter	 f;
	struct db_res		*q = NULL;
	struct buf		 b;
	struct html		 h;
	struct err		 e;
	char			 qs[2048];
	char			 enc[STOCK_SKU_MAX * 4 * 3 + 1];
	int64_t			 lts = 0, lsrc = 0, lid = 0;
	int			 got, rows = 0, status = 200;

	buf_init(&b, ADMIN_PAGE_MAX);
	html_init(&h, &b);
	if (!admin_begin_get(a, r, &c))
		goto out;
	if (filter_read(&r->query, &f) == -1)
		status = 400;
	filter_query(&f, qs, sizeof(qs));
	admin_page_open(&h, "Audit log", &c.s);
	html_printf(&h, "<p class=\"hint\">Every event in and out: ledger "
	    "movements, webhook deliveries, pushes, alerts, BOM changes, "
	    "reconciliation findings, admin actions and sign-ins. Newest "
	    "first; times in UTC.</p>\n");
	if (f.field != NULL && strcmp(f.field, "before") == 0)
		html_printf(&h, "<p class=\"error\" role=\"alert\">%s</p>\n",
		    f.error);
	if (filter_form(c.db, &f, &h, &e) == -1)
		goto dberr;
	if (status != 200) {
		admin_page_close(&h);
		admin_send(r, status, c.https, &h, NULL);
		goto out;
	}
	html_printf(&h, "<p><a id=\"audit-csv\" href=\"/admin/audit.csv%s%s\" "
	    "download>Download these events as CSV</a></p>\n",
	    qs[0] != '\0' ? "?" : "", qs);
	if ((q = audit_query(c.db, &f, AUDIT_PAGE + 1, &e)) == NULL)
		goto dberr;
	while ((got = db_next(q, &e)) == 1) {
		if (rows == AUDIT_PAGE) {
			rows++;
			break;
		}
		if (rows++ == 0)
			html_printf(&h, "<div class=\"scroll\"><table "
			    "id=\"audit-table\"><caption>Events</caption>"
			    "<thead><tr><th scope=\"col\">When (UTC)</th>"
			    "<th scope=\"col\">Kind</th>"
			    "<th scope=\"col\">What</th>"
			    "<th scope=\"col\">SKU</th>"
			    "<th scope=\"col\">Channel</th>"
			    "<th scope=\"col\" class=\"num\">Units</th>"
			    "<th scope=\"col\">By / state</th>"
			    "<th scope=\"col\">Detail</th>"
			    "<th scope=\"col\">Reference</th>"
			    "</tr></thead><tbody>\n");
		lts = db_col_i64(q, 0);
		lsrc = db_col_i64(q, 1);
		lid = db_col_i64(q, 2);
		html_printf(&h, "<tr class=\"audit-%s\"><td>%s</td><td>%s</td>"
		    "<td>%s</td><td>", db_col_str(q, 4), db_col_str(q, 3),
		    db_col_str(q, 4), db_col_str(q, 5));
		if (!db_col_null(q, 6) && admin_urlencode(enc, sizeof(enc),
		    db_col_str(q, 6)) == 0)
			html_printf(&h, "<a href=\"/admin/sku?sku=%s\">%s</a>",
			    enc, db_col_str(q, 6));
		html_printf(&h, "</td><td>%s</td><td class=\"num\">",
		    db_col_str(q, 8));
		if (!db_col_null(q, 9))
			html_printf(&h, "%s", db_col_str(q, 9));
		html_printf(&h, "</td><td>%s</td><td>%s</td><td><code>%s</code>"
		    "</td></tr>\n", db_col_str(q, 10), db_col_str(q, 11),
		    db_col_str(q, 12));
	}
	if (got == -1)
		goto dberr;
	if (rows == 0)
		html_printf(&h, "<p id=\"audit-empty\">No event matches.</p>\n");
	else
		html_printf(&h, "</tbody></table></div>\n");
	if (rows > AUDIT_PAGE)
		html_printf(&h, "<p><a rel=\"next\" id=\"audit-older\" "
		    "href=\"/admin/audit?%s%sbefore=%D.%D.%D\">Older events</a>"
		    "</p>\n", qs, qs[0] != '\0' ? "&" : "", lts, lsrc, lid);
	if (f.cur_set)
		html_printf(&h, "<p><a href=\"/admin/audit%s%s\">Newest events"
		    "</a></p>\n", qs[0] != '\0' ? "?" : "", qs);
	admin_page_close(&h);
	admin_send(r, 200, c.https, &h, NULL);
	goto out;
dberr:
	log_error("admin: audit: %s", e.msg);
	admin_fail(r, c.https, 503, "Not available", "The audit log could not "
	    "be read. Try again in a minute.");
out:
	db_res_free(q);
	admin_ctx_free(&c);
	buf_free(&b);
}

/* One CSV field of the export, defused for spreadsheets. */
static int
csv_field(struct buf *b, const char *s, int last)
{
	return csvw_field(b, s, CSVW_GUARD) == -1 ? -1 : csvw_sep(b, last);
}

void
admin_audit_csv(struct app *a, struct http_req *r)
{
	static const struct http_header hdr[] = {
		{ "Content-Disposition",
		  "attachment; filename=\"stockhub-audit.csv\"" },
		{ "Cache-Control", "no-store" },
		{ NULL, NULL }
	};
	static const struct http_header hdr_tls[] = {
		{ "Content-Disposition",
		  "attachment; filename=\"stockhub-audit.csv\"" },
		{ "Cache-Control", "no-store" },
		{ "Strict-Transport-Security",
		  "max-age=63072000; includeSubDomains" },
		{ NULL, NULL }
	};
	static const unsigned cols[] = { 3, 4, 5, 6, 7, 8, 9, 10, 11, 12 };
	struct admin_ctx	 c;
	struct audit_filter	 f;
	struct db_res		*q = NULL;
	struct buf		 b;
	struct err		 e;
	size_t			 i;
	int			 got, bad = 0;

	buf_init(&b, AUDIT_CSV_BYTES);
	if (!admin_begin_get(a, r, &c))
		goto out;
	if (filter_read(&r->query, &f) == -1) {
		admin_fail(r, c.https, 400, "Refused", f.error);
		goto out;
	}
	bad |= buf_puts(&b, "time_utc,kind,what,sku,account_id,account,units,"
	    "by,detail,reference\r\n");
	if ((q = audit_query(c.db, &f, AUDIT_CSV_MAX, &e)) == NULL)
		goto dberr;
	while (!bad && (got = db_next(q, &e)) == 1)
		for (i = 0; i < sizeof(cols) / sizeof(cols[0]); i++)
			bad |= csv_field(&b, db_col_str(q, cols[i]),
			    i + 1 == sizeof(cols) / sizeof(cols[0]));
	if (!bad && got == -1)
		goto dberr;
	if (bad) {
		admin_fail(r, c.https, 413, "Too much", "The export is too "
		    "big; narrow the time range and try again.");
		goto out;
	}
	log_info("admin: '%s' exported the audit log (%zu bytes)", c.s.user,
	    b.len);
	if (http_respond(r, 200, "text/csv; charset=utf-8", c.https ? hdr_tls :
	    hdr, b.data != NULL ? b.data : "", b.len) == -1 && !r->responded)
		http_error(r, 500, "internal", "the export could not be sent");
	goto out;
dberr:
	log_error("admin: audit export: %s", e.msg);
	admin_fail(r, c.https, 503, "Not available", "The audit log could not "
	    "be read. Try again in a minute.");
out:
	db_res_free(q);
	admin_ctx_free(&c);
	buf_free(&b);
}
