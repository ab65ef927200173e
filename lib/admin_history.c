/*
 * admin_history: one SKU's history at GET /admin/sku?sku=… (see admin.h).
 *
 * The item's movements (kind, units, what was available after, reason,
 * who, event key) and every push of its listings (push_log: outcome, the
 * quantity, the channel) in one list, newest first, 50 a page, paged
 * with a keyset cursor (?before=TIME.SOURCE.ID, so a page never shifts
 * while new rows arrive). Above it a server-rendered SVG step chart
 * (lib/chart.h) of available stock and each channel's pushed quantity
 * over the most recent HIST_CHART_MAX points of each.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "admin.h"
#include "app.h"
#include "buf.h"
#include "chart.h"
#include "db.h"
#include "err.h"
#include "html.h"
#include "http.h"
#include "ledger.h"
#include "log.h"
#include "stock.h"
#include "str.h"

#define HIST_PAGE	50
#define HIST_CHART_MAX	1000	/* points per series */
#define TS_FMT		"'%Y-%m-%d %H:%i:%s'"
/* microseconds since the epoch of a TIMESTAMP(6) column */
#define US(col)		"CAST(FLOOR(UNIX_TIMESTAMP(" col ") * 1000000) AS SIGNED)"

struct hist_cursor {
	int64_t	 ts, src, id;
	int	 set;
};

/* "TS.SRC.ID" into c; 0 when absent, -1 when malformed. */
static int
cursor_parse(const char *s, struct hist_cursor *c)
{
	const char	*d1, *d2;

	memset(c, 0, sizeof(*c));
	if (s == NULL || *s == '\0')
		return 0;
	if ((d1 = strchr(s, '.')) == NULL || (d2 = strchr(d1 + 1, '.')) ==
	    NULL || str_to_i64n(s, (size_t)(d1 - s), 0, INT64_MAX,
	    &c->ts) == -1 || str_to_i64n(d1 + 1, (size_t)(d2 - d1 - 1), 0, 9,
	    &c->src) == -1 || str_to_i64(d2 + 1, 0, INT64_MAX, &c->id) == -1)
		return -1;
	c->set = 1;
	return 0;
}

/* The chart: available after each movement, and each account's pushes
 * that reached the channel. */
static int
hist_chart(struct db *db, const struct ledger_item *it, struct html *h,
    struct err *e)
{
	struct chart_series	 s[CHART_SERIES_MAX];
	struct chart_point	*pts[CHART_SERIES_MAX];
	char			 names[CHART_SERIES_MAX][128];
	int64_t			 accts[CHART_SERIES_MAX];
	struct db_res		*q = NULL;
	size_t			 ns = 1, k, i, n;
	int64_t			 t0 = 0, t1 = (int64_t)time(NULL), acct;
	int			 got, rc = -1;
	char			 title[STOCK_SKU_MAX * 4 + 64];

	memset(s, 0, sizeof(s));
	memset(pts, 0, sizeof(pts));
	for (k = 0; k < CHART_SERIES_MAX; k++)
		if ((pts[k] = calloc(HIST_CHART_MAX, sizeof(**pts))) == NULL) {
			err_set(e, ERR_SYS, "out of memory");
			goto out;
		}
	(void)str_copy(names[0], sizeof(names[0]), "available (hub)");
	/* newest first, then turned around */
	if ((q = db_query(db, "SELECT CAST(FLOOR(UNIX_TIMESTAMP(created_at)) "
	    "AS SIGNED), on_hand_after - committed_after FROM stock_movements "
	    "WHERE item_id = ? ORDER BY id DESC LIMIT ?", (struct db_val[]){
	    DBI(it->id), DBI(HIST_CHART_MAX) }, 2, e)) == NULL)
		goto out;
	n = 0;
	while ((got = db_next(q, e)) == 1)
		pts[0][n++] = (struct chart_point){ db_col_i64(q, 0),
		    db_col_i64(q, 1) };
	db_res_free(q);
	q = NULL;
	if (got == -1)
		goto out;
	for (i = 0; i < n / 2; i++) {
		struct chart_point tmp = pts[0][i];
		pts[0][i] = pts[0][n - 1 - i];
		pts[0][n - 1 - i] = tmp;
	}
	s[0].n = n;
	if ((q = db_query(db, "SELECT ca.id, ca.name, "
	    "CAST(FLOOR(UNIX_TIMESTAMP(pl.at)) AS SIGNED), pl.desired_qty "
	    "FROM push_log pl JOIN channel_listings cl ON cl.id = "
	    "pl.listing_id JOIN channel_accounts ca ON ca.id = cl.account_id "
	    "WHERE cl.item_id = ? AND pl.outcome IN ('written','unchanged',"
	    "'held') AND pl.id >= COALESCE((SELECT MIN(x.id) FROM (SELECT "
	    "p2.id FROM push_log p2 JOIN channel_listings c2 ON c2.id = "
	    "p2.listing_id WHERE c2.item_id = ? ORDER BY p2.id DESC LIMIT ?) "
	    "x), 0) ORDER BY pl.id", (struct db_val[]){ DBI(it->id),
	    DBI(it->id), DBI(HIST_CHART_MAX) }, 3, e)) == NULL)
		goto out;
	while ((got = db_next(q, e)) == 1) {
		acct = db_col_i64(q, 0);
		for (k = 1; k < ns && accts[k] != acct; k++)
			;
		if (k == ns) {
			if (ns == CHART_SERIES_MAX)
				continue;	/* the legend has no room */
			accts[k] = acct;
			(void)str_fmt(names[k], sizeof(names[k]), "%.100s "
			    "(pushed)", db_col_str(q, 1));
			ns++;
		}
		if (s[k].n < HIST_CHART_MAX)
			pts[k][s[k].n++] = (struct chart_point){
			    db_col_i64(q, 2), db_col_i64(q, 3) };
	}
	if (got == -1)
		goto out;
	for (k = 0; k < ns; k++) {
		s[k].name = names[k];
		s[k].pts = pts[k];
		if (s[k].n > 0 && (t0 == 0 || pts[k][0].t < t0))
			t0 = pts[k][0].t;
	}
	if (t0 == 0 || t0 > t1)
		t0 = t1;
	(void)str_fmt(title, sizeof(title), "Available stock of %s and what "
	    "each channel was sent, over time", it->sku);
	html_printf(h, "<h2 id=\"chart\">Over time</h2>\n<figure>");
	if (chart_svg(h, "stock-chart", title, "A step chart: the black line "
	    "is what the hub had available after each movement; each other "
	    "line is the quantity last written to one channel. The table "
	    "below lists the same events.", s, ns, t0, t1) == -1) {
		err_set(e, ERR_SYS, "the chart could not be drawn");
		goto out;
	}
	html_printf(h, "</figure>\n");
	rc = 0;
out:
	db_res_free(q);
	for (k = 0; k < CHART_SERIES_MAX; k++)
		free(pts[k]);
	return rc;
}

static int
hist_table(struct db *db, const struct ledger_item *it,
    const struct hist_cursor *cur, struct html *h, struct err *e)
{
	struct db_res	*q;
	struct db_val	 args[17];
	char		 enc[STOCK_SKU_MAX * 4 * 3 + 1];
	int64_t		 lts = 0, lsrc = 0, lid = 0;
	size_t		 i;
	int		 got, rows = 0;

	/* src 1: a movement, 2: a push (a push follows its movement).
	 * Each branch takes its newest rows in id order (time order within
	 * one table) past the cursor, so a page reads two pages of rows,
	 * not the item's whole history. */
#define CURSOR(ts, src, id) " AND (? = 0 OR " ts " < ? OR (" ts " = ? AND " \
	"(" src " < ? OR (" src " = ? AND " id " < ?)))) ORDER BY " id \
	" DESC LIMIT ?"
	for (i = 0; i < 2; i++) {
		args[i * 8 + 0] = DBI(it->id);
		args[i * 8 + 1] = DBI(cur->set ? 1 : 0);
		args[i * 8 + 2] = DBI(cur->ts);
		args[i * 8 + 3] = DBI(cur->ts);
		args[i * 8 + 4] = DBI(cur->src);
		args[i * 8 + 5] = DBI(cur->src);
		args[i * 8 + 6] = DBI(cur->id);
		args[i * 8 + 7] = DBI(HIST_PAGE + 1);
	}
	args[16] = DBI(HIST_PAGE + 1);
	if ((q = db_query(db, "SELECT * FROM ("
	    "(SELECT " US("m.created_at") " AS ts, 1 AS src, m.id AS id, "
	    "DATE_FORMAT(m.created_at, " TS_FMT ") AS at, "
	    "CONVERT(m.kind USING utf8mb4) COLLATE utf8mb4_bin AS what, "
	    "m.qty AS qty, m.on_hand_after - m.committed_after AS avail, "
	    "CONVERT(ev.reason USING utf8mb4) COLLATE utf8mb4_bin AS why, "
	    "CONVERT(ev.source USING utf8mb4) COLLATE utf8mb4_bin AS who, "
	    "CONVERT(ev.event_key USING utf8mb4) COLLATE utf8mb4_bin AS ref, "
	    "m.oversold AS oversold FROM stock_movements m JOIN ledger_events "
	    "ev ON ev.id = m.event_id WHERE m.item_id = ?"
	    CURSOR(US("m.created_at"), "1", "m.id") ") "
	    "UNION ALL "
	    "(SELECT " US("pl.at") ", 2, pl.id, DATE_FORMAT(pl.at, " TS_FMT
	    "), CONVERT(CONCAT('push ', pl.outcome) USING utf8mb4) COLLATE "
	    "utf8mb4_bin, pl.desired_qty, NULL, "
	    "CONVERT(pl.detail USING utf8mb4) COLLATE utf8mb4_bin, "
	    "CONVERT(ca.name USING utf8mb4) COLLATE utf8mb4_bin, "
	    "CONVERT(CONCAT(cl.ext_listing, ' ', cl.ext_variant) USING "
	    "utf8mb4) COLLATE utf8mb4_bin, 0 FROM push_log pl JOIN "
	    "channel_listings cl ON cl.id = pl.listing_id JOIN "
	    "channel_accounts ca ON ca.id = cl.account_id WHERE cl.item_id = ?"
	    CURSOR(US("pl.at"), "2", "pl.id") ")"
	    ") t ORDER BY t.ts DESC, t.src DESC, t.id DESC LIMIT ?", args,
	    DB_NARGS(args), e)) == NULL)
		return -1;
#undef CURSOR
	html_printf(h, "<h2 id=\"events\">Movements and pushes</h2>\n");
	while ((got = db_next(q, e)) == 1) {
		if (rows == HIST_PAGE) {
			rows++;
			break;
		}
		if (rows++ == 0)
			html_printf(h, "<div class=\"scroll\"><table "
			    "id=\"history-table\" aria-labelledby=\"events\">"
			    "<thead><tr><th scope=\"col\">When (UTC)</th>"
			    "<th scope=\"col\">What</th>"
			    "<th scope=\"col\" class=\"num\">Units</th>"
			    "<th scope=\"col\" class=\"num\">Available after"
			    "</th><th scope=\"col\">Reason or outcome</th>"
			    "<th scope=\"col\">By / channel</th>"
			    "<th scope=\"col\">Event / listing</th>"
			    "</tr></thead><tbody>\n");
		lts = db_col_i64(q, 0);
		lsrc = db_col_i64(q, 1);
		lid = db_col_i64(q, 2);
		html_printf(h, "<tr class=\"%s\"><td>%s</td><td>%s%s</td>"
		    "<td class=\"num\">%D</td>", lsrc == 1 ? "movement" : "push",
		    db_col_str(q, 3), db_col_str(q, 4),
		    db_col_i64(q, 10) > 0 ? " (oversold)" : "", db_col_i64(q, 5));
		if (db_col_null(q, 6))
			html_printf(h, "<td class=\"num\"></td>");
		else
			html_printf(h, "<td class=\"num%s\">%D</td>",
			    db_col_i64(q, 6) < 0 ? " bad" : "", db_col_i64(q, 6));
		html_printf(h, "<td>%s</td><td>%s</td><td><code>%s</code></td>"
		    "</tr>\n", db_col_str(q, 7), db_col_str(q, 8),
		    db_col_str(q, 9));
	}
	db_res_free(q);
	if (got == -1)
		return -1;
	if (rows == 0) {
		html_printf(h, cur->set ? "<p>No older events.</p>\n" :
		    "<p>Nothing happened to this SKU yet.</p>\n");
		return 0;
	}
	html_printf(h, "</tbody></table></div>\n");
	if (rows > HIST_PAGE && admin_urlencode(enc, sizeof(enc),
	    it->sku) == 0)
		html_printf(h, "<p><a rel=\"next\" id=\"older\" "
		    "href=\"/admin/sku?sku=%s&amp;before=%D.%D.%D\">Older "
		    "events</a></p>\n", enc, lts, lsrc, lid);
	return 0;
}

void
admin_history_page(struct app *a, struct http_req *r)
{
	struct admin_ctx	 c;
	struct ledger_item	 it;
	struct hist_cursor	 cur;
	struct buf		 b;
	struct html		 h;
	struct err		 e;
	const char		*sku;
	char			 enc[STOCK_SKU_MAX * 4 * 3 + 1];

	buf_init(&b, ADMIN_PAGE_MAX);
	html_init(&h, &b);
	if (!admin_begin_get(a, r, &c))
		goto out;
	sku = form_get(&r->query, "sku");
	if (cursor_parse(form_get(&r->query, "before"), &cur) == -1) {
		admin_fail(r, c.https, 400, "Refused", "That page link is "
		    "broken. Start from the newest events.");
		goto out;
	}
	if (sku == NULL || sku[0] == '\0' ||
	    ledger_item_get(c.db, sku, &it, &e) == -1) {
		if (sku != NULL && sku[0] != '\0' && e.kind != ERR_NOTFOUND &&
		    e.kind != ERR_INVALID) {
			log_error("admin: history: %s", e.msg);
			admin_fail(r, c.https, 503, "Not available", "The "
			    "history could not be read. Try again in a "
			    "minute.");
			goto out;
		}
		admin_page_open(&h, "History", &c.s);
		if (sku != NULL && sku[0] != '\0')
			html_printf(&h, "<p class=\"error\" role=\"alert\">"
			    "There is no item with the SKU \"%s\".</p>\n", sku);
		html_printf(&h, "<form method=\"get\" action=\"/admin/sku\" "
		    "role=\"search\"><label for=\"history-sku\">SKU</label>"
		    "<input id=\"history-sku\" name=\"sku\" required "
		    "maxlength=\"64\" value=\"%s\"><button type=\"submit\">"
		    "Show history</button></form>\n", sku != NULL ? sku : "");
		admin_page_close(&h);
		admin_send(r, sku != NULL && sku[0] != '\0' ? 404 : 200,
		    c.https, &h, NULL);
		goto out;
	}
	admin_page_open(&h, "History", &c.s);
	if (admin_urlencode(enc, sizeof(enc), it.sku) == -1)
		enc[0] = '\0';
	html_printf(&h, "<p><strong>%s</strong>%s%s: on hand %D, committed "
	    "%D, available %D. <a href=\"/admin/stock?sku=%s\">Change the "
	    "stock</a></p>\n", it.sku, it.title[0] != '\0' ? " " : "",
	    it.title, it.on_hand, it.committed, it.available, enc);
	if ((!cur.set && hist_chart(c.db, &it, &h, &e) == -1) ||
	    hist_table(c.db, &it, &cur, &h, &e) == -1) {
		log_error("admin: history of %s: %s", it.sku, e.msg);
		admin_fail(r, c.https, 503, "Not available", "The history "
		    "could not be read. Try again in a minute.");
		goto out;
	}
	admin_page_close(&h);
	admin_send(r, 200, c.https, &h, NULL);
out:
	admin_ctx_free(&c);
	buf_free(&b);
}
