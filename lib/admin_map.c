/*
 * admin_map: the SKU map pages (see admin.h).
 *
 *   GET  /admin/map?q=&page=	list and search, 50 a page
 *   GET  /admin/map/item?sku=	an item's listings per channel
 *   POST /admin/map/item		add (action=add) or remove (action=remove)
 *				a listing, against the item's map_version
 *   GET  /admin/map/export	the map as CSV (a download)
 *   GET  /admin/map/import	the upload form
 *   POST /admin/map/import	step=review: the proposals; step=apply: the
 *				seller's choices, against the reviewed
 *				hub_version
 *
 * A form saved against data that changed meanwhile is refused (409) with
 * an explanation and shown again over the current data, with what was
 * typed kept (mapstore.h). The import's CSV travels from the review to
 * the apply form base64-encoded in a multipart form, so its bytes
 * (line ends inside fields included) are exactly what was uploaded.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "admin.h"
#include "app.h"
#include "auth.h"
#include "buf.h"
#include "db.h"
#include "err.h"
#include "form.h"
#include "html.h"
#include "http.h"
#include "log.h"
#include "mapstore.h"
#include "skumap.h"
#include "stock.h"
#include "str.h"

#define LIST_ROWS	50
#define Q_MAX		100
#define IMPORT_PAGE_MAX	(8 * 1024 * 1024)
#define IMPORT_FIELDS	(2 * SKUMAP_ROWS_MAX + 16)
#define HSTS		"max-age=63072000; includeSubDomains"
#define ENC_MAX		(STOCK_SKU_MAX * 4 * 3 + 1)

static void
unavailable(struct http_req *r, int https, const char *what,
    const struct err *e)
{
	log_error("admin: %s: %s", what, e->msg);
	admin_fail(r, https, 503, "Not available", "The SKU map could not be "
	    "read or saved. Nothing was changed; try again in a minute.");
}

static void
item_href(char *out, size_t outsz, const char *sku, const char *done)
{
	char	 enc[ENC_MAX];

	if (admin_urlencode(enc, sizeof(enc), sku) == -1 ||
	    str_fmt(out, outsz, "/admin/map/item?sku=%s%s%s", enc,
	    done != NULL ? "&done=" : "", done != NULL ? done : "") == -1)
		(void)str_copy(out, outsz, "/admin/map");
}

/* ---- the list ---- */

/* q with LIKE's wildcards escaped, inside %...% */
static void
like_pattern(char *out, size_t outsz, const char *q)
{
	size_t	 o = 0;

	out[o++] = '%';
	for (; *q != '\0' && o + 3 < outsz; q++) {
		if (*q == '%' || *q == '_' || *q == '\\')
			out[o++] = '\\';
		out[o++] = *q;
	}
	out[o++] = '%';
	out[o] = '\0';
}

static int
list_rows(struct db *db, struct html *h, const char *q, int64_t page,
    int64_t *total, int *more, struct err *e)
{
	char		 pat[Q_MAX * 8 + 4];
	struct db_res	*res;
	char		 href[ENC_MAX + 64];
	int		 got, rows = 0;

	like_pattern(pat, sizeof(pat), q);
	if (db_query_i64(db, "SELECT COUNT(*) FROM stock_items i WHERE "
	    "(? = '' OR i.sku COLLATE utf8mb4_unicode_ci LIKE ? OR "
	    "i.title LIKE ?)", (struct db_val[]){ DBS(q), DBS(pat),
	    DBS(pat) }, 3, total, e) == -1)
		return -1;
	if ((res = db_query(db, "SELECT i.sku, i.title, COUNT(l.id), "
	    "COALESCE(GROUP_CONCAT(DISTINCT a.name ORDER BY a.name "
	    "SEPARATOR ', '), '') FROM stock_items i LEFT JOIN "
	    "channel_listings l ON l.item_id = i.id LEFT JOIN "
	    "channel_accounts a ON a.id = l.account_id WHERE (? = '' OR "
	    "i.sku COLLATE utf8mb4_unicode_ci LIKE ? OR i.title LIKE ?) "
	    "GROUP BY i.id, i.sku, i.title ORDER BY i.sku LIMIT ? OFFSET ?",
	    (struct db_val[]){ DBS(q), DBS(pat), DBS(pat),
	    DBI(LIST_ROWS + 1), DBI((page - 1) * LIST_ROWS) }, 5,
	    e)) == NULL)
		return -1;
	*more = 0;
	while ((got = db_next(res, e)) == 1) {
		if (rows == LIST_ROWS) {
			*more = 1;
			continue;
		}
		if (rows++ == 0)
			html_printf(h, "<div class=\"scroll\"><table "
			    "id=\"map-list\" aria-labelledby=\"map-found\">"
			    "<thead><tr><th scope=\"col\">SKU</th>"
			    "<th scope=\"col\">Title</th>"
			    "<th scope=\"col\" class=\"num\">Listings</th>"
			    "<th scope=\"col\">Channels</th></tr></thead>"
			    "<tbody>\n");
		item_href(href, sizeof(href), db_col_str(res, 0), NULL);
		html_printf(h, "<tr><th scope=\"row\"><a href=\"%s\">%s</a>"
		    "</th><td>%s</td><td class=\"num\">%D</td><td>%s</td>"
		    "</tr>\n", href, db_col_str(res, 0), db_col_str(res, 1),
		    db_col_i64(res, 2), db_col_str(res, 3));
	}
	db_res_free(res);
	if (got == -1)
		return -1;
	if (rows > 0)
		html_printf(h, "</tbody></table></div>\n");
	return 0;
}

static void
page_link(struct html *h, const char *q, int64_t page, const char *rel,
    const char *text)
{
	char	 enc[Q_MAX * 12 + 1], href[sizeof(enc) + 64];

	if (admin_urlencode(enc, sizeof(enc), q) == -1 ||
	    str_fmt(href, sizeof(href), "/admin/map?q=%s&page=%lld", enc,
	    (long long)page) == -1)
		return;
	html_printf(h, "<a rel=\"%s\" href=\"%s\">%s</a> ", rel, href, text);
}

void
admin_map_list(struct app *a, struct http_req *r)
{
	struct admin_ctx	 c;
	struct buf		 b;
	struct html		 h;
	struct err		 e;
	const char		*q, *done, *pg;
	int64_t			 page = 1, total = 0, n;
	int			 more = 0, status = 200;

	buf_init(&b, ADMIN_PAGE_MAX);
	html_init(&h, &b);
	if (!admin_begin_get(a, r, &c))
		goto out;
	q = form_get(&r->query, "q");
	if (q == NULL)
		q = "";
	pg = form_get(&r->query, "page");
	if (pg != NULL && str_to_i64(pg, 1, 1000000, &page) == -1)
		page = 1;
	admin_page_open(&h, "SKU map", &c.s);
	done = form_get(&r->query, "done");
	if (done != NULL && strcmp(done, "import") == 0)
		html_printf(&h, "<p class=\"notice\" role=\"status\" "
		    "id=\"map-done\">Import applied: %s item(s) created, %s "
		    "title(s) changed, %s listing(s) added, %s listing(s) "
		    "moved.</p>\n", form_get(&r->query, "items"),
		    form_get(&r->query, "titles"), form_get(&r->query, "added"),
		    form_get(&r->query, "moved"));
	html_printf(&h, "<p>Which listing on which channel sells each SKU. "
	    "SKUs match exactly, capitals and spaces included.</p>\n"
	    "<p><a id=\"map-export\" href=\"/admin/map/export\">Download the "
	    "map as CSV</a> &middot; <a id=\"map-import\" "
	    "href=\"/admin/map/import\">Import a CSV</a></p>\n"
	    "<form method=\"get\" action=\"/admin/map\" role=\"search\">\n"
	    "<label for=\"map-q\">Find SKUs or titles containing</label>\n"
	    "<input id=\"map-q\" name=\"q\" maxlength=\"%d\" "
	    "autocapitalize=\"none\" spellcheck=\"false\" value=\"%s\"",
	    Q_MAX, q);
	if (str_utf8_len(q, strlen(q)) > Q_MAX) {
		html_printf(&h, " aria-invalid=\"true\" aria-describedby=\"map-"
		    "q-error\">\n<p class=\"error\" role=\"alert\" id=\"map-q-"
		    "error\">Search: at most %d characters.</p>\n", Q_MAX);
		status = 400;
		q = "";
	} else
		html_printf(&h, ">\n");
	html_printf(&h, "<button type=\"submit\">Search</button>\n</form>\n");
	if (status == 200) {
		if (list_rows(c.db, &h, q, page, &total, &more, &e) == -1) {
			unavailable(r, c.https, "map list", &e);
			goto out;
		}
		n = (total + LIST_ROWS - 1) / LIST_ROWS;
		html_printf(&h, "<p id=\"map-found\">%D item(s)%s%s%s, page %D "
		    "of %D.</p>\n", total, q[0] != '\0' ? " containing \"" : "",
		    q, q[0] != '\0' ? "\"" : "", page, n > 0 ? n : 1);
		html_printf(&h, "<nav aria-label=\"Pages\">");
		if (page > 1)
			page_link(&h, q, page - 1, "prev", "Previous page");
		if (more)
			page_link(&h, q, page + 1, "next", "Next page");
		html_printf(&h, "</nav>\n");
	}
	admin_page_close(&h);
	admin_send(r, status, c.https, &h, NULL);
out:
	admin_ctx_free(&c);
	buf_free(&b);
}

/* ---- one item ---- */

/* What the user typed in the add form, kept when it is refused. */
struct map_typed {
	const char	*account, *ext_listing, *ext_variant, *ext_location;
	const char	*field;		/* the wrong one, or NULL */
	const char	*error;		/* for the field, or the whole form */
};

static const char *const add_fields[] = { "account", "ext_listing",
    "ext_variant", "ext_location" };

/* aria attributes of an add-form input: invalid and described by the
 * error when it is the wrong field */
static void
field_attrs(struct html *h, const struct map_typed *t, const char *name)
{
	if (t != NULL && t->field != NULL && strcmp(t->field, name) == 0)
		html_printf(h, " aria-invalid=\"true\" "
		    "aria-describedby=\"map-add-error\"");
}

static int
item_listings(struct db *db, struct html *h, const struct admin_ctx *c,
    const char *sku, const char *fp, struct err *e)
{
	struct db_res	*res;
	int		 got, rows = 0;

	if ((res = db_query(db, "SELECT l.id, a.name, a.type, l.ext_listing, "
	    "l.ext_variant, l.ext_location, l.channel_sku FROM "
	    "channel_listings l JOIN channel_accounts a ON a.id = "
	    "l.account_id JOIN stock_items i ON i.id = l.item_id WHERE "
	    "i.sku = ? ORDER BY a.name, l.ext_listing, l.ext_variant, l.id",
	    (struct db_val[]){ DBS(sku) }, 1, e)) == NULL)
		return -1;
	html_printf(h, "<h2 id=\"listings\">Listings</h2>\n");
	while ((got = db_next(res, e)) == 1) {
		if (rows++ == 0)
			html_printf(h, "<div class=\"scroll\"><table "
			    "id=\"map-listings\" aria-labelledby=\"listings\">"
			    "<thead><tr><th scope=\"col\">Channel</th>"
			    "<th scope=\"col\">Listing</th>"
			    "<th scope=\"col\">Variant</th>"
			    "<th scope=\"col\">Location</th>"
			    "<th scope=\"col\">SKU on the channel</th>"
			    "<th scope=\"col\"><span class=\"skip\">Remove"
			    "</span></th></tr></thead><tbody>\n");
		html_printf(h, "<tr><th scope=\"row\">%s (%s)</th><td>%s</td>"
		    "<td>%s</td><td>%s</td><td>%s</td><td>"
		    "<form method=\"post\" action=\"/admin/map/item\">"
		    "<input type=\"hidden\" name=\"csrf\" value=\"%s\">"
		    "<input type=\"hidden\" name=\"action\" value=\"remove\">"
		    "<input type=\"hidden\" name=\"sku\" value=\"%s\">"
		    "<input type=\"hidden\" name=\"map_version\" value=\"%s\">"
		    "<input type=\"hidden\" name=\"listing\" value=\"%D\">"
		    "<button type=\"submit\" id=\"map-remove-%D\" "
		    "aria-label=\"Remove listing %s on %s\">Remove</button>"
		    "</form></td></tr>\n", db_col_str(res, 1),
		    db_col_str(res, 2), db_col_str(res, 3), db_col_str(res, 4),
		    db_col_str(res, 5), db_col_str(res, 6), c->s.csrf, sku, fp,
		    db_col_i64(res, 0), db_col_i64(res, 0), db_col_str(res, 3),
		    db_col_str(res, 1));
	}
	db_res_free(res);
	if (got == -1)
		return -1;
	html_printf(h, rows > 0 ? "</tbody></table></div>\n" :
	    "<p>This SKU is not on any channel yet.</p>\n");
	return 0;
}

static void
add_form(struct html *h, const struct admin_ctx *c, const char *sku,
    const char *fp, char **names, size_t nnames, const struct map_typed *t)
{
	const char	*acct = t != NULL && t->account != NULL ? t->account : "";
	size_t		 i;

	html_printf(h, "<form method=\"post\" action=\"/admin/map/item\" "
	    "id=\"map-add\"><fieldset><legend>Add a listing</legend>\n"
	    "<p class=\"hint\">Etsy: the listing id, and the variation as "
	    "<code>Color=Red;Size=M</code> (empty for none). Shopify: the "
	    "variant id, its inventory item id, and the location id.</p>\n");
	if (t != NULL && t->error != NULL && t->field != NULL)
		html_printf(h, "<p class=\"error\" role=\"alert\" "
		    "id=\"map-add-error\">%s</p>\n", t->error);
	html_printf(h, "<input type=\"hidden\" name=\"csrf\" value=\"%s\">"
	    "<input type=\"hidden\" name=\"action\" value=\"add\">"
	    "<input type=\"hidden\" name=\"sku\" value=\"%s\">"
	    "<input type=\"hidden\" name=\"map_version\" value=\"%s\">\n"
	    "<label for=\"map-account\">Channel account</label>\n"
	    "<select id=\"map-account\" name=\"account\" required",
	    c->s.csrf, sku, fp);
	field_attrs(h, t, "account");
	html_printf(h, "><option value=\"\">Choose…</option>");
	for (i = 0; i < nnames; i++)
		html_printf(h, "<option%s>%s</option>",
		    strcmp(names[i], acct) == 0 ? " selected" : "", names[i]);
	html_printf(h, "</select>\n<label for=\"map-ext-listing\">Listing id "
	    "(Etsy listing, Shopify variant)</label>\n<input "
	    "id=\"map-ext-listing\" name=\"ext_listing\" required "
	    "maxlength=\"64\" autocapitalize=\"none\" spellcheck=\"false\" "
	    "value=\"%s\"", t != NULL ? t->ext_listing : NULL);
	field_attrs(h, t, "ext_listing");
	html_printf(h, ">\n<label for=\"map-ext-variant\">Variation (Etsy) or "
	    "inventory item id (Shopify)</label>\n<input "
	    "id=\"map-ext-variant\" name=\"ext_variant\" maxlength=\"255\" "
	    "autocapitalize=\"none\" spellcheck=\"false\" value=\"%s\"",
	    t != NULL ? t->ext_variant : NULL);
	field_attrs(h, t, "ext_variant");
	html_printf(h, ">\n<label for=\"map-ext-location\">Location id "
	    "(Shopify)</label>\n<input id=\"map-ext-location\" "
	    "name=\"ext_location\" maxlength=\"64\" autocapitalize=\"none\" "
	    "spellcheck=\"false\" value=\"%s\"",
	    t != NULL ? t->ext_location : NULL);
	field_attrs(h, t, "ext_location");
	html_printf(h, ">\n<button type=\"submit\" id=\"map-add-submit\">Add "
	    "the listing</button>\n</fieldset></form>\n");
}

static void
item_render(struct http_req *r, struct admin_ctx *c, const char *sku,
    int status, const struct map_typed *t, const char *notice)
{
	struct skumap	 m;
	struct buf	 b;
	struct html	 h;
	struct err	 e;
	char		 fp[65], stock[ENC_MAX + 32], enc[ENC_MAX];
	char		**names = NULL;
	size_t		  nnames = 0;

	memset(&m, 0, sizeof(m));
	buf_init(&b, ADMIN_PAGE_MAX);
	html_init(&h, &b);
	if (sku == NULL || sku[0] == '\0') {
		admin_redirect(r, c->https, "/admin/map", NULL);
		goto out;
	}
	if (mapstore_load(c->db, sku, &m, &e) == -1) {
		if (e.kind != ERR_NOTFOUND) {
			unavailable(r, c->https, "map item", &e);
			goto out;
		}
		admin_page_open(&h, "SKU map", &c->s);
		html_printf(&h, "<p class=\"error\" role=\"alert\">There is no "
		    "item with the SKU \"%s\". SKUs must match exactly, "
		    "capitals included. <a href=\"/admin/map\">Search the "
		    "map</a>.</p>\n", sku);
		admin_page_close(&h);
		admin_send(r, 404, c->https, &h, NULL);
		goto out;
	}
	if (skumap_fingerprint(&m, fp, &e) == -1 ||
	    mapstore_accounts(c->db, &names, &nnames, &e) == -1) {
		unavailable(r, c->https, "map item", &e);
		goto out;
	}
	admin_page_open(&h, "SKU map", &c->s);
	if (admin_urlencode(enc, sizeof(enc), sku) == -1 ||
	    str_fmt(stock, sizeof(stock), "/admin/stock?sku=%s", enc) == -1)
		(void)str_copy(stock, sizeof(stock), "/admin/stock");
	html_printf(&h, "<p><strong id=\"map-sku\">%s</strong>%s%s "
	    "(<a href=\"%s\">stock</a>)</p>\n", sku,
	    m.rows[0].title[0] != '\0' ? ": " : "", m.rows[0].title, stock);
	if (notice != NULL)
		html_printf(&h, "<p class=\"notice\" role=\"status\">%s</p>\n",
		    notice);
	if (t != NULL && t->error != NULL && t->field == NULL)
		html_printf(&h, "<p class=\"error\" role=\"alert\" "
		    "id=\"map-stale\">%s</p>\n", t->error);
	if (item_listings(c->db, &h, c, sku, fp, &e) == -1) {
		unavailable(r, c->https, "map item", &e);
		goto out;
	}
	add_form(&h, c, sku, fp, names, nnames, t);
	html_printf(&h, "<p><a href=\"/admin/map\">All SKUs</a></p>\n");
	admin_page_close(&h);
	admin_send(r, status, c->https, &h, NULL);
out:
	mapstore_names_free(names, nnames);
	skumap_free(&m);
	buf_free(&b);
}

void
admin_map_item(struct app *a, struct http_req *r)
{
	struct admin_ctx	 c;
	const char		*done, *notice = NULL;

	if (!admin_begin_get(a, r, &c))
		goto out;
	done = form_get(&r->query, "done");
	if (done != NULL && strcmp(done, "added") == 0)
		notice = "The listing was added; its first push is queued.";
	else if (done != NULL && strcmp(done, "removed") == 0)
		notice = "The listing was removed from the map.";
	item_render(r, &c, form_get(&r->query, "sku"), 200, NULL, notice);
out:
	admin_ctx_free(&c);
}

void
admin_map_item_post(struct app *a, struct http_req *r)
{
	struct admin_ctx	 c;
	struct map_typed	 t;
	struct err		 e;
	const char		*sku, *action, *ver, *colon;
	char			 loc[ENC_MAX + 64];
	int64_t			 id = 0;
	size_t			 i, n;
	int			 rc, status;

	if (!admin_begin_post(a, r, &c))
		goto out;
	memset(&t, 0, sizeof(t));
	sku = form_get(&c.form, "sku");
	action = form_get(&c.form, "action");
	ver = form_get(&c.form, "map_version");
	if (sku == NULL || action == NULL || ver == NULL) {
		admin_fail(r, c.https, 400, "Refused", "This form is not one "
		    "of ours. Reload the page and try again.");
		goto out;
	}
	if (strcmp(action, "add") == 0) {
		t.account = form_get(&c.form, "account");
		t.ext_listing = form_get(&c.form, "ext_listing");
		t.ext_variant = form_get(&c.form, "ext_variant");
		t.ext_location = form_get(&c.form, "ext_location");
		rc = mapstore_item_add(c.db, sku, ver, t.account,
		    t.ext_listing != NULL ? t.ext_listing : "",
		    t.ext_variant != NULL ? t.ext_variant : "",
		    t.ext_location != NULL ? t.ext_location : "", &id, &e);
	} else if (strcmp(action, "remove") == 0 &&
	    str_to_i64(form_get(&c.form, "listing"), 1, INT64_MAX, &id) == 0)
		rc = mapstore_item_remove(c.db, sku, ver, id, &e);
	else {
		admin_fail(r, c.https, 400, "Refused", "This form is not one "
		    "of ours. Reload the page and try again.");
		goto out;
	}
	if (rc == 0) {
		log_info("admin: map %s %s listing %lld by %s", action, sku,
		    (long long)id, c.s.user);
		item_href(loc, sizeof(loc), sku, strcmp(action, "add") == 0 ?
		    "added" : "removed");
		admin_redirect(r, c.https, loc, NULL);
		goto out;
	}
	if (e.kind != ERR_INVALID && e.kind != ERR_CONFLICT &&
	    e.kind != ERR_NOTFOUND) {
		unavailable(r, c.https, "map edit", &e);
		goto out;
	}
	log_warn("admin: map %s %s by %s refused: %s", action, sku, c.s.user,
	    e.msg);
	/* "field: why" names the wrong field of the add form */
	status = err_http_status(e.kind);
	t.error = e.msg;
	if ((colon = strstr(e.msg, ": ")) != NULL) {
		n = (size_t)(colon - e.msg);
		for (i = 0; i < sizeof(add_fields) / sizeof(add_fields[0]);
		    i++)
			if (strlen(add_fields[i]) == n &&
			    strncmp(e.msg, add_fields[i], n) == 0)
				t.field = add_fields[i];
	}
	if (t.field != NULL && strcmp(action, "add") != 0)
		t.field = NULL;
	if (status == 404 && t.field == NULL)
		status = 409;	/* the listing went meanwhile */
	item_render(r, &c, sku, status, &t, NULL);
out:
	admin_ctx_free(&c);
}

/* ---- CSV out ---- */

void
admin_map_export(struct app *a, struct http_req *r)
{
	struct admin_ctx	 c;
	struct skumap		 m;
	struct buf		 b;
	struct err		 e;
	struct http_header	 hdr[3];
	size_t			 n = 0;

	memset(&m, 0, sizeof(m));
	buf_init(&b, 256 * 1024 * 1024);
	if (!admin_begin_get(a, r, &c))
		goto out;
	if (mapstore_load(c.db, NULL, &m, &e) == -1 ||
	    skumap_write(&b, &m, &e) == -1) {
		unavailable(r, c.https, "map export", &e);
		goto out;
	}
	if (c.https)
		hdr[n++] = (struct http_header){ "Strict-Transport-Security",
		    HSTS };
	hdr[n++] = (struct http_header){ "Content-Disposition",
	    "attachment; filename=\"stockhub-sku-map.csv\"" };
	hdr[n] = (struct http_header){ NULL, NULL };
	log_info("admin: map exported by %s (%zu rows)", c.s.user, m.n);
	if (http_respond(r, 200, "text/csv; charset=utf-8", hdr,
	    b.data != NULL ? b.data : "", b.len) == -1 && !r->responded)
		http_error(r, 500, "internal", "the CSV could not be sent");
out:
	admin_ctx_free(&c);
	skumap_free(&m);
	buf_free(&b);
}

/* ---- CSV in ---- */

static const char *const source_labels[] = {
	"The hub's own CSV (from Download the map as CSV)",
	"Etsy: listings download (Shop Manager > Settings > Options > "
	    "Download Data)",
	"Shopify: products export (Products > Export)",
};

/* The upload form; typed keeps a pasted CSV, error names the field. */
static void
import_form(struct html *h, const struct admin_ctx *c, int src,
    const char *pasted, const char *field, const char *error)
{
	int	 i;

	if (error != NULL)
		html_printf(h, "<p class=\"error\" role=\"alert\" "
		    "id=\"import-error\">%s</p>\n", error);
	html_printf(h, "<form method=\"post\" action=\"/admin/map/import\" "
	    "enctype=\"multipart/form-data\" id=\"import-form\">\n"
	    "<input type=\"hidden\" name=\"csrf\" value=\"%s\">"
	    "<input type=\"hidden\" name=\"step\" value=\"review\">\n"
	    "<label for=\"import-source\">What the file is</label>\n"
	    "<select id=\"import-source\" name=\"source\"", c->s.csrf);
	if (field != NULL && strcmp(field, "source") == 0)
		html_printf(h, " aria-invalid=\"true\" "
		    "aria-describedby=\"import-error\"");
	html_printf(h, ">");
	for (i = SKUMAP_HUB; i <= SKUMAP_SHOPIFY; i++)
		html_printf(h, "<option value=\"%s\"%s>%s</option>",
		    skumap_source_name((enum skumap_source)i),
		    i == src ? " selected" : "", source_labels[i]);
	html_printf(h, "</select>\n<label for=\"import-file\">CSV file</label>"
	    "\n<input id=\"import-file\" name=\"file\" type=\"file\" "
	    "accept=\".csv,text/csv\"");
	if (field != NULL && strcmp(field, "file") == 0)
		html_printf(h, " aria-invalid=\"true\" "
		    "aria-describedby=\"import-error\"");
	html_printf(h, ">\n<label for=\"import-csv\">Or paste the CSV</label>"
	    "\n<p class=\"hint\" id=\"import-csv-hint\">A file keeps line "
	    "breaks inside fields exactly; pasting turns them into CRLF, as "
	    "browsers do. Up to about half a megabyte.</p>\n"
	    "<textarea id=\"import-csv\" name=\"csv\" rows=\"8\" cols=\"60\" "
	    "spellcheck=\"false\" aria-describedby=\"import-csv-hint%s\"",
	    field != NULL && strcmp(field, "csv") == 0 ? " import-error" : "");
	if (field != NULL && strcmp(field, "csv") == 0)
		html_printf(h, " aria-invalid=\"true\"");
	html_printf(h, ">%s</textarea>\n<p class=\"hint\">Nothing changes "
	    "until you have seen what the import would do and confirmed it."
	    "</p>\n<button type=\"submit\" id=\"import-review\">Review the "
	    "import</button>\n</form>\n", pasted);
}

static void
import_page(struct http_req *r, struct admin_ctx *c, int status, int src,
    const char *pasted, const char *field, const char *error,
    const struct skumap *probs)
{
	struct buf	 b;
	struct html	 h;
	size_t		 i;

	buf_init(&b, IMPORT_PAGE_MAX);
	html_init(&h, &b);
	admin_page_open(&h, "Import the SKU map", &c->s);
	if (probs != NULL && probs->nprobs > 0) {
		html_printf(&h, "<div class=\"error\" role=\"alert\" "
		    "id=\"import-problems\"><p>Nothing was imported: fix these "
		    "rows first.</p><ul>\n");
		for (i = 0; i < probs->nprobs; i++)
			html_printf(&h, "<li>%s</li>\n", probs->probs[i].msg);
		html_printf(&h, "</ul></div>\n");
	}
	import_form(&h, c, src, pasted != NULL ? pasted : "", field, error);
	admin_page_close(&h);
	admin_send(r, status, c->https, &h, NULL);
	buf_free(&b);
}

void
admin_map_import(struct app *a, struct http_req *r)
{
	struct admin_ctx	 c;

	if (!admin_begin_get(a, r, &c))
		goto out;
	import_page(r, &c, 200, SKUMAP_HUB, NULL, NULL, NULL, NULL);
out:
	admin_ctx_free(&c);
}

static char *
b64_encode(const char *s, size_t n)
{
	char	*out;

	if (n > 64 * 1024 * 1024 || (out = malloc(4 * ((n + 2) / 3) + 1)) ==
	    NULL)
		return NULL;
	(void)EVP_EncodeBlock((unsigned char *)out, (const unsigned char *)s,
	    (int)n);
	return out;
}

/* NUL-terminated; *len without the padding's zero bytes. */
static char *
b64_decode(const char *s, size_t *len)
{
	size_t	 n = strlen(s), pad = 0;
	char	*out;
	int	 got;

	if (n == 0 || n % 4 != 0 || n > 128 * 1024 * 1024 ||
	    (out = malloc(n / 4 * 3 + 1)) == NULL)
		return NULL;
	if ((got = EVP_DecodeBlock((unsigned char *)out,
	    (const unsigned char *)s, (int)n)) < 0) {
		free(out);
		return NULL;
	}
	if (s[n - 1] == '=')
		pad++;
	if (s[n - 2] == '=')
		pad++;
	*len = (size_t)got - pad;
	out[*len] = '\0';
	return out;
}

static void
prop_cells(struct html *h, const struct skumap_prop *p)
{
	const struct skumap_row	*r = p->csv;

	if (p->act == SKUMAP_TITLE_CONFLICT)
		html_printf(h, "<td>title</td><td>%s</td><td>%s</td>",
		    r->title, p->hub->title);
	else
		html_printf(h, "<td>listing %s%s%s on %s</td>"
		    "<td>SKU %s, location \"%s\", channel SKU \"%s\"</td>"
		    "<td>SKU %s, location \"%s\", channel SKU \"%s\"</td>",
		    r->ext_listing, r->ext_variant[0] != '\0' ? " " : "",
		    r->ext_variant, r->account, r->sku, r->ext_location,
		    r->channel_sku, p->hub->sku, p->hub->ext_location,
		    p->hub->channel_sku);
}

/* The proposals, with a choice for each, in one multipart form. */
static void
plan_page(struct http_req *r, struct admin_ctx *c, int status,
    enum skumap_source src, const char *b64, const char *fp,
    const struct skumap *csv, const struct skumap_plan *plan,
    const char *error)
{
	struct buf		 b;
	struct html		 h;
	const struct skumap_prop *p;
	size_t			 i, nnew = 0, nconf = 0, nmatch = 0;
	int			 pass;

	buf_init(&b, IMPORT_PAGE_MAX);
	html_init(&h, &b);
	for (i = 0; i < plan->n; i++) {
		if (plan->props[i].act == SKUMAP_MATCH)
			nmatch++;
		else if (plan->props[i].act == SKUMAP_TITLE_CONFLICT ||
		    plan->props[i].act == SKUMAP_PLACE_CONFLICT)
			nconf++;
		else
			nnew++;
	}
	admin_page_open(&h, "Review the import", &c->s);
	if (error != NULL)
		html_printf(&h, "<p class=\"error\" role=\"alert\" "
		    "id=\"import-stale\">%s</p>\n", error);
	html_printf(&h, "<p id=\"import-summary\">%D row(s) read from the "
	    "%s CSV: %D already as in the hub, %D to add, %D matching the "
	    "hub's SKUs exactly, %D conflict(s).%s</p>\n", (int64_t)csv->n,
	    skumap_source_name(src), (int64_t)plan->same, (int64_t)nnew,
	    (int64_t)nmatch, (int64_t)nconf,
	    csv->skipped > 0 ? " Rows without a SKU were skipped." : "");
	if (src != SKUMAP_HUB)
		html_printf(&h, "<p class=\"hint\">This export has no listing "
		    "ids, so it brings SKUs and titles; map each SKU to its "
		    "listing on the item's page (or with <code>stockhub "
		    "shopify map</code>).</p>\n");
	html_printf(&h, "<form method=\"post\" action=\"/admin/map/import\" "
	    "enctype=\"multipart/form-data\" id=\"import-apply-form\">\n"
	    "<input type=\"hidden\" name=\"csrf\" value=\"%s\">"
	    "<input type=\"hidden\" name=\"step\" value=\"apply\">"
	    "<input type=\"hidden\" name=\"source\" value=\"%s\">"
	    "<input type=\"hidden\" name=\"hub_version\" value=\"%s\">"
	    "<input type=\"hidden\" name=\"csv_b64\" value=\"%s\">\n",
	    c->s.csrf, skumap_source_name(src), fp, b64);
	/* pass 0: additions; 1: conflicts; 2: matches */
	for (pass = 0; pass < 3; pass++) {
		size_t	 count = pass == 0 ? nnew : pass == 1 ? nconf : nmatch;

		if (count == 0)
			continue;
		if (pass == 0)
			html_printf(&h, "<h2 id=\"import-new\">To add</h2>\n"
			    "<p class=\"hint\">Checked lines are added when "
			    "you apply.</p><div class=\"scroll\"><table "
			    "aria-labelledby=\"import-new\"><thead><tr>"
			    "<th scope=\"col\">Add</th><th scope=\"col\">Row"
			    "</th><th scope=\"col\">SKU</th>"
			    "<th scope=\"col\">What</th></tr></thead>"
			    "<tbody>\n");
		else if (pass == 1)
			html_printf(&h, "<h2 id=\"import-conflicts\">Conflicts"
			    "</h2>\n<p class=\"hint\">The CSV and the hub "
			    "disagree; choose which to keep for each.</p>"
			    "<div class=\"scroll\"><table "
			    "aria-labelledby=\"import-conflicts\"><thead><tr>"
			    "<th scope=\"col\">Row</th><th scope=\"col\">SKU"
			    "</th><th scope=\"col\">What</th>"
			    "<th scope=\"col\">The CSV says</th>"
			    "<th scope=\"col\">The hub says</th>"
			    "<th scope=\"col\">Keep</th></tr></thead>"
			    "<tbody>\n");
		else
			html_printf(&h, "<h2 id=\"import-matches\">Matches"
			    "</h2>\n<p class=\"hint\">These SKUs are in the "
			    "hub exactly as in the file (no change).</p>"
			    "<ul>\n");
		for (i = 0; i < plan->n; i++) {
			p = &plan->props[i];
			if (pass == 0 && (p->act == SKUMAP_NEW_ITEM ||
			    p->act == SKUMAP_NEW_LISTING)) {
				html_printf(&h, "<tr><td><input type="
				    "\"checkbox\" id=\"p%d\" name=\"p%d\" "
				    "value=\"yes\" checked></td><td>%D</td>"
				    "<td><label for=\"p%d\">%s</label></td>",
				    (int)i, (int)i, (int64_t)p->csv->row,
				    (int)i, p->csv->sku);
				if (p->act == SKUMAP_NEW_ITEM)
					html_printf(&h, "<td>new item \"%s\""
					    "</td></tr>\n", p->csv->title);
				else
					html_printf(&h, "<td>new listing %s%s"
					    "%s on %s</td></tr>\n",
					    p->csv->ext_listing,
					    p->csv->ext_variant[0] != '\0' ?
					    " " : "", p->csv->ext_variant,
					    p->csv->account);
			} else if (pass == 1 &&
			    (p->act == SKUMAP_TITLE_CONFLICT ||
			    p->act == SKUMAP_PLACE_CONFLICT)) {
				html_printf(&h, "<tr><td>%D</td><td>%s</td>",
				    (int64_t)p->csv->row, p->csv->sku);
				prop_cells(&h, p);
				html_printf(&h, "<td><fieldset><legend>Row %D"
				    "</legend><input type=\"radio\" "
				    "id=\"p%d-hub\" name=\"p%d\" value=\"hub\" "
				    "checked> <label for=\"p%d-hub\">the hub's"
				    "</label> <input type=\"radio\" "
				    "id=\"p%d-csv\" name=\"p%d\" value=\"csv\">"
				    " <label for=\"p%d-csv\">the CSV's</label>"
				    "</fieldset></td></tr>\n",
				    (int64_t)p->csv->row, (int)i, (int)i,
				    (int)i, (int)i, (int)i, (int)i);
			} else if (pass == 2 && p->act == SKUMAP_MATCH)
				html_printf(&h, "<li>row %D: %s</li>\n",
				    (int64_t)p->csv->row, p->csv->sku);
		}
		html_printf(&h, pass == 2 ? "</ul>\n" :
		    "</tbody></table></div>\n");
	}
	if (nnew + nconf > 0)
		html_printf(&h, "<button type=\"submit\" id=\"import-apply\">"
		    "Apply the chosen changes</button>\n");
	else
		html_printf(&h, "<p id=\"import-nothing\">Nothing to change: "
		    "the hub already has everything in this file.</p>\n");
	html_printf(&h, "</form>\n<p><a href=\"/admin/map/import\">Import "
	    "another file</a></p>\n");
	admin_page_close(&h);
	admin_send(r, status, c->https, &h, NULL);
	buf_free(&b);
}

/* Parse and propose against the hub now (fp: its fingerprint). 1 done,
 * 0 after answering (problems, or 503). */
static int
propose_now(struct http_req *r, struct admin_ctx *c, enum skumap_source src,
    const char *text, size_t len, const char *pasted, struct skumap *csv,
    struct skumap *hub, struct skumap_plan *plan, char fp[65])
{
	struct err	 e;
	char		**names = NULL;
	size_t		  nnames = 0;
	int		  rc = 0;

	if (skumap_parse(csv, src, text, len, &e) == -1) {
		if (e.kind == ERR_SYS) {
			unavailable(r, c->https, "map import", &e);
			return 0;
		}
		log_warn("admin: map import (%s) by %s refused: %s",
		    skumap_source_name(src), c->s.user, e.msg);
		import_page(r, c, 422, (int)src, pasted, pasted != NULL &&
		    pasted[0] != '\0' ? "csv" : "file", e.msg, NULL);
		return 0;
	}
	if (mapstore_load(c->db, NULL, hub, &e) == -1 ||
	    skumap_fingerprint(hub, fp, &e) == -1 ||
	    mapstore_accounts(c->db, &names, &nnames, &e) == -1) {
		unavailable(r, c->https, "map import", &e);
		goto out;
	}
	if (csv->nprobs == 0 && skumap_propose(csv, src, hub,
	    (const char *const *)names, nnames, plan, &e) == -1) {
		unavailable(r, c->https, "map import", &e);
		goto out;
	}
	if (csv->nprobs > 0) {
		log_warn("admin: map import (%s) by %s refused: %zu row(s), "
		    "first: %s", skumap_source_name(src), c->s.user,
		    csv->nprobs, csv->probs[0].msg);
		import_page(r, c, 422, (int)src, pasted, NULL, NULL, csv);
		goto out;
	}
	rc = 1;
out:
	mapstore_names_free(names, nnames);
	return rc;
}

void
admin_map_import_post(struct app *a, struct http_req *r)
{
	struct admin_ctx	 c;
	struct skumap		 csv, hub;
	struct skumap_plan	 plan;
	struct mapstore_result	 res;
	struct err		 e;
	enum skumap_source	 src = SKUMAP_HUB;
	const char		*step, *file, *pasted = NULL, *text, *ver, *v;
	char			*own = NULL, *b64 = NULL;
	unsigned char		*accept = NULL;
	char			 fp[65], key[24], loc[160];
	size_t			 len = 0, i;

	memset(&csv, 0, sizeof(csv));
	memset(&hub, 0, sizeof(hub));
	memset(&plan, 0, sizeof(plan));
	if (!admin_begin_post_ext(a, r, &c, IMPORT_FIELDS, 1))
		goto out;
	step = form_get(&c.form, "step");
	if (step == NULL || (strcmp(step, "review") != 0 &&
	    strcmp(step, "apply") != 0)) {
		admin_fail(r, c.https, 400, "Refused", "This form is not one "
		    "of ours. Reload the page and try again.");
		goto out;
	}
	if (skumap_source_parse(form_get(&c.form, "source"), &src) == -1) {
		import_page(r, &c, 400, SKUMAP_HUB, form_get(&c.form, "csv"),
		    "source", "What the file is: choose one of the three.",
		    NULL);
		goto out;
	}
	if (strcmp(step, "review") == 0) {
		file = form_get(&c.form, "file");
		pasted = form_get(&c.form, "csv");
		text = file != NULL && file[0] != '\0' ? file : pasted;
		if (text == NULL || text[0] == '\0') {
			import_page(r, &c, 400, (int)src, NULL, "file",
			    "CSV file: choose a file, or paste the CSV below.",
			    NULL);
			goto out;
		}
		len = strlen(text);
	} else {
		if ((v = form_get(&c.form, "csv_b64")) == NULL ||
		    (own = b64_decode(v, &len)) == NULL) {
			admin_fail(r, c.https, 400, "Refused", "This form is "
			    "not one of ours. Reload the page and try again.");
			goto out;
		}
		text = own;
	}
	if (!propose_now(r, &c, src, text, len, pasted, &csv, &hub, &plan,
	    fp))
		goto out;
	if ((b64 = b64_encode(text, len)) == NULL) {
		admin_fail(r, c.https, 413, "Too big", "This file is too big "
		    "to import at once.");
		goto out;
	}
	if (strcmp(step, "review") == 0) {
		plan_page(r, &c, 200, src, b64, fp, &csv, &plan, NULL);
		goto out;
	}
	ver = form_get(&c.form, "hub_version");
	if (ver == NULL || strcmp(ver, fp) != 0) {
		log_warn("admin: map import by %s refused: the map changed "
		    "since the review", c.s.user);
		plan_page(r, &c, 409, src, b64, fp, &csv, &plan, "The SKU map "
		    "changed after you reviewed this import (someone saved "
		    "another change meanwhile), so nothing was applied. Here is "
		    "the import against the map as it is now: check the "
		    "choices again.");
		goto out;
	}
	if ((accept = calloc(plan.n + 1, 1)) == NULL) {
		err_set(&e, ERR_SYS, "out of memory");
		unavailable(r, c.https, "map import", &e);
		goto out;
	}
	for (i = 0; i < plan.n; i++) {
		(void)str_fmt(key, sizeof(key), "p%zu", i);
		v = form_get(&c.form, key);
		accept[i] = v != NULL && (strcmp(v, "yes") == 0 ||
		    strcmp(v, "csv") == 0);
	}
	if (mapstore_apply(c.db, &plan, accept, ver, &res, &e) == -1) {
		if (e.kind == ERR_CONFLICT || e.kind == ERR_NOTFOUND ||
		    e.kind == ERR_INVALID) {
			plan_page(r, &c, 409, src, b64, fp, &csv, &plan,
			    e.msg);
			goto out;
		}
		unavailable(r, c.https, "map import", &e);
		goto out;
	}
	log_info("admin: map import (%s) by %s: %d created, %d titles, %d "
	    "added, %d moved", skumap_source_name(src), c.s.user,
	    res.items_created, res.titles_changed, res.listings_added,
	    res.listings_moved);
	if (str_fmt(loc, sizeof(loc), "/admin/map?done=import&items=%d&"
	    "titles=%d&added=%d&moved=%d", res.items_created,
	    res.titles_changed, res.listings_added, res.listings_moved) == -1)
		(void)str_copy(loc, sizeof(loc), "/admin/map");
	admin_redirect(r, c.https, loc, NULL);
out:
	free(accept);
	free(b64);
	free(own);
	skumap_plan_free(&plan);
	skumap_free(&hub);
	skumap_free(&csv);
	admin_ctx_free(&c);
}
