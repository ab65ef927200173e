/*
 * admin: the seller's web pages behind nginx at /admin/. Server-rendered
 * HTML that works without JavaScript, one small stylesheet served from
 * this program (the CSP allows no inline style or script), every dynamic
 * value written through lib/html.h.
 *
 * admin.c holds the frame every page uses: the session check (anonymous
 * GETs are sent to the sign-in page, anonymous POSTs refused with 403),
 * the POST gate (Origin / Sec-Fetch-Site, form content type, the
 * session's CSRF token), the page layout, responses with the security
 * headers (plus HSTS over https), and the sign-in and sign-out pages.
 * admin_pages.c holds the dashboard and the stock page; admin_map.c the
 * SKU map pages (list, an item's listings, CSV export and import).
 *
 * Ownership: struct admin_ctx borrows the app's database handle; its form
 * (the decoded POST body) is owned and freed by admin_ctx_free().
 */
#ifndef STOCKHUB_ADMIN_H
#define STOCKHUB_ADMIN_H

#include <stddef.h>

#include "app.h"
#include "auth.h"
#include "form.h"
#include "html.h"
#include "http.h"

#define ADMIN_PAGE_MAX	(1024 * 1024)

/* ---- route handlers (cgi-bin/admin.c) ---- */
void	admin_style(struct app *a, struct http_req *r);
void	admin_login_page(struct app *a, struct http_req *r);
void	admin_login_post(struct app *a, struct http_req *r);
/* the second step of a sign-in with TOTP (lib/totp.h) */
void	admin_login_totp_post(struct app *a, struct http_req *r);
void	admin_logout(struct app *a, struct http_req *r);
void	admin_dashboard(struct app *a, struct http_req *r);
void	admin_stock_page(struct app *a, struct http_req *r);
void	admin_stock_post(struct app *a, struct http_req *r);
/* admin_map.c: the SKU map (list, an item's listings, CSV in and out) */
void	admin_map_list(struct app *a, struct http_req *r);
void	admin_map_item(struct app *a, struct http_req *r);
void	admin_map_item_post(struct app *a, struct http_req *r);
void	admin_map_export(struct app *a, struct http_req *r);
void	admin_map_import(struct app *a, struct http_req *r);
void	admin_map_import_post(struct app *a, struct http_req *r);
/* admin_channels.c: the accounts, connecting Shopify (token or the
 * sandbox shop), buffers with a preview, pause/resume, push all */
void	admin_channels_page(struct app *a, struct http_req *r);
void	admin_channels_post(struct app *a, struct http_req *r);
void	admin_account_page(struct app *a, struct http_req *r);
void	admin_account_post(struct app *a, struct http_req *r);
void	admin_preview_js(struct app *a, struct http_req *r);
/* admin_history.c: one SKU's movements and pushes, with an SVG chart */
void	admin_history_page(struct app *a, struct http_req *r);
/* admin_audit.c: every event in and out, filtered, paginated, as CSV */
void	admin_audit_page(struct app *a, struct http_req *r);
void	admin_audit_csv(struct app *a, struct http_req *r);
/* admin_security.c: turn one's own TOTP second factor on or off */
void	admin_security_page(struct app *a, struct http_req *r);
void	admin_security_post(struct app *a, struct http_req *r);
/* admin_etsy.c: connect an Etsy shop (OAuth code + PKCE) */
void	admin_etsy_connect(struct app *a, struct http_req *r);
void	admin_etsy_callback(struct app *a, struct http_req *r);
/* admin_bom.c: returns (conditions, held units) and the BOM editor */
void	admin_returns_page(struct app *a, struct http_req *r);
void	admin_returns_post(struct app *a, struct http_req *r);
void	admin_bom_page(struct app *a, struct http_req *r);
void	admin_bom_post(struct app *a, struct http_req *r);
/* admin_etsy.c: per-account calls, budget, cadence; polling settings */
void	admin_etsy_status(struct app *a, struct http_req *r);
void	admin_etsy_settings(struct app *a, struct http_req *r);
/* admin_recon.c: reconciliation runs, one run's report (.csv, .json),
 * "reconcile now" */
void	admin_recon_list(struct app *a, struct http_req *r);
void	admin_recon_post(struct app *a, struct http_req *r);
void	admin_recon_run(struct app *a, struct http_req *r);
/* admin_mapping.c: the mapping audit's findings, one-click suggestions */
void	admin_mapping_page(struct app *a, struct http_req *r);
void	admin_mapping_run(struct app *a, struct http_req *r);
void	admin_mapping_confirm(struct app *a, struct http_req *r);

/* ---- the frame, shared by admin*.c ---- */

struct admin_ctx {
	struct db		*db;
	struct auth_session	 s;
	struct form		 form;	/* the POST body; empty for GET */
	int			 https;
};

/*
 * For a page: 1 when the request has a live session (c filled), 0 after
 * answering (a redirect to the sign-in page, or 503).
 */
int	admin_begin_get(struct app *a, struct http_req *r, struct admin_ctx *c);

/*
 * For a state-changing request: a live session, not cross-site, a form
 * body, and the session's CSRF token in the field "csrf". 1 when all
 * hold (c->form has the body), 0 after answering (403, 415, 400, 503).
 */
int	admin_begin_post(struct app *a, struct http_req *r,
	    struct admin_ctx *c);

/* The same for a form of up to max_pairs fields (the SKU map import's
 * list of proposals) that may also come as multipart/form-data (a file
 * upload) when multipart is 1. */
int	admin_begin_post_ext(struct app *a, struct http_req *r,
	    struct admin_ctx *c, size_t max_pairs, int multipart);

void	admin_ctx_free(struct admin_ctx *c);

/* 1 when nginx says the request came over https. */
int	admin_https(const struct http_req *r);

/* The page head, the navigation (with the sign-out form) and <h1>. */
void	admin_page_open(struct html *h, const char *title,
	    const struct auth_session *s);
void	admin_page_close(struct html *h);

/* Send a built page (500 when the writer failed). */
void	admin_send(struct http_req *r, int status, int https,
	    const struct html *h, const char *set_cookie);

/* 303 to location (a path on this site). set_cookie may be NULL. */
void	admin_redirect(struct http_req *r, int https, const char *location,
	    const char *set_cookie);

/* A short page that says what went wrong, in plain words. */
void	admin_fail(struct http_req *r, int https, int status,
	    const char *title, const char *message);

/*
 * A refused form names the one field that was wrong (bad; NULL when
 * none) and why (msg); every page shows it the same way. For field of
 * form: the alert paragraph id="<form>-<field>-error" when it is the bad
 * one, nothing otherwise.
 */
void	admin_field_error(struct html *h, const char *form, const char *bad,
	    const char *field, const char *msg);

/* The input's own attributes to go with it: aria-invalid and
 * aria-describedby naming the error when field is the bad one, and the
 * hint "<form>-<hint>-hint" when hint is not NULL. */
void	admin_field_attrs(struct html *h, const char *form, const char *bad,
	    const char *field, const char *hint);

/*
 * Percent-encode s for a URL query value (everything but A-Z a-z 0-9
 * - . _ ~). Pure. 0, or -1 when it does not fit.
 */
int	admin_urlencode(char *out, size_t outsz, const char *s);

#endif
