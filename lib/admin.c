/*
 * admin: the frame of the admin pages, the stylesheet, sign-in and
 * sign-out (see admin.h).
 */
#include <string.h>
#include <strings.h>
#include <time.h>

#include <openssl/crypto.h>

#include "admin.h"
#include "app.h"
#include "auth.h"
#include "buf.h"
#include "crypt.h"
#include "err.h"
#include "form.h"
#include "html.h"
#include "http.h"
#include "log.h"
#include "multipart.h"
#include "str.h"

/* The sign-in form's own token, before there is a session: a cookie and
 * a hidden field that must match (double submit), so a sign-in cannot
 * be forged from another site either. */
#define PRE_COOKIE	"__Host-pre"
#define PRE_MAX_AGE	(60 * 60)

#define HSTS		"max-age=63072000; includeSubDomains"

/* Small, readable on a phone, high contrast; focus always visible. */
static const char stylesheet[] =
"*{box-sizing:border-box}\n"
"body{margin:0;font:16px/1.5 system-ui,-apple-system,'Segoe UI',Roboto,"
"sans-serif;color:#1a1a1a;background:#fafafa}\n"
"header{background:#1f3a5f;color:#fff;padding:.5rem 1rem}\n"
"header a,header button{color:#fff}\n"
"nav{display:flex;flex-wrap:wrap;gap:1rem;align-items:center}\n"
"nav form{margin:0 0 0 auto}\n"
"main{max-width:60rem;margin:0 auto;padding:1rem}\n"
"h1{font-size:1.5rem;margin:.5rem 0 1rem}\n"
"h2{font-size:1.2rem;margin:1.5rem 0 .5rem}\n"
"a{color:#0b4f9c}\n"
".skip{position:absolute;left:-999px}\n"
".skip:focus{left:1rem;top:.5rem;background:#fff;color:#000;padding:.25rem}\n"
":focus-visible{outline:3px solid #f5a623;outline-offset:2px}\n"
".scroll{overflow-x:auto}\n"
"table{border-collapse:collapse;width:100%;background:#fff}\n"
"th,td{text-align:left;padding:.4rem .6rem;border-bottom:1px solid #ddd;"
"vertical-align:top}\n"
"td.num,th.num{text-align:right}\n"
"label{display:block;font-weight:600;margin:.5rem 0 .2rem}\n"
"input,select,textarea{font:inherit;padding:.5rem;width:100%;"
"max-width:24rem;box-sizing:border-box;border:1px solid #888;"
"border-radius:4px}\n"
"textarea{max-width:100%}\n"
"input[type=checkbox],input[type=radio]{width:auto}\n"
"code{overflow-wrap:anywhere}\n"
"button{font:inherit;padding:.5rem 1rem;margin-top:.75rem;"
"border-radius:4px;border:1px solid #1f3a5f;background:#1f3a5f;"
"color:#fff;cursor:pointer}\n"
"header button{background:transparent;border-color:#fff;margin:0}\n"
"fieldset{border:1px solid #ccc;border-radius:6px;margin:1rem 0;"
"padding:.5rem 1rem 1rem;background:#fff}\n"
"legend{font-weight:700;padding:0 .3rem}\n"
".hint{color:#555;font-size:.9rem;margin:.2rem 0}\n"
".error{border-left:4px solid #b00020;background:#fdecee;padding:.5rem 1rem}\n"
".notice{border-left:4px solid #1b7f3b;background:#e9f6ee;padding:.5rem 1rem}\n"
".bad{color:#b00020;font-weight:600}\n"
"dl.figures{display:grid;grid-template-columns:repeat(auto-fit,"
"minmax(9rem,1fr));gap:.5rem}\n"
"dl.figures div{background:#fff;border:1px solid #ddd;border-radius:6px;"
"padding:.5rem}\n"
"dl.figures dt{font-size:.9rem;color:#555}\n"
"dl.figures dd{margin:0;font-size:1.6rem;font-weight:700}\n"
"ul.alerts{padding-left:1.2rem}\n";

int
admin_https(const struct http_req *r)
{
	const char	*v = http_param(r, "HTTPS");

	return v != NULL && strcasecmp(v, "on") == 0;
}

static int
field_is_bad(const char *bad, const char *field)
{
	return bad != NULL && field != NULL && strcmp(bad, field) == 0;
}

void
admin_field_error(struct html *h, const char *form, const char *bad,
    const char *field, const char *msg)
{
	if (field_is_bad(bad, field))
		html_printf(h, "<p class=\"error\" role=\"alert\" "
		    "id=\"%s-%s-error\">%s</p>\n", form, field,
		    msg != NULL ? msg : "");
}

void
admin_field_attrs(struct html *h, const char *form, const char *bad,
    const char *field, const char *hint)
{
	if (field_is_bad(bad, field) && hint != NULL)
		html_printf(h, " aria-invalid=\"true\" aria-describedby="
		    "\"%s-%s-hint %s-%s-error\"", form, hint, form, field);
	else if (field_is_bad(bad, field))
		html_printf(h, " aria-invalid=\"true\" aria-describedby="
		    "\"%s-%s-error\"", form, field);
	else if (hint != NULL)
		html_printf(h, " aria-describedby=\"%s-%s-hint\"", form,
		    hint);
}

int
admin_urlencode(char *out, size_t outsz, const char *s)
{
	static const char	 hex[] = "0123456789ABCDEF";
	size_t			 o = 0;
	unsigned char		 c;

	if (out == NULL || outsz == 0)
		return -1;
	for (; s != NULL && *s != '\0'; s++) {
		c = (unsigned char)*s;
		if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
		    (c >= '0' && c <= '9') || c == '-' || c == '.' ||
		    c == '_' || c == '~') {
			if (o + 1 >= outsz)
				goto full;
			out[o++] = (char)c;
		} else {
			if (o + 3 >= outsz)
				goto full;
			out[o++] = '%';
			out[o++] = hex[c >> 4];
			out[o++] = hex[c & 15];
		}
	}
	out[o] = '\0';
	return 0;
full:
	out[0] = '\0';
	return -1;
}

static int
cookie_secure(const struct http_req *r, int https)
{
	return auth_cookie_secure(https, http_header(r, "Host"));
}

/* Respond with headers: HSTS over https, and up to two cookies. */
static void
respond(struct http_req *r, int status, int https, const char *ctype,
    const char *location, const char *cookie1, const char *cookie2,
    const void *body, size_t len)
{
	struct http_header	 hdr[6];
	size_t			 n = 0;

	if (https)
		hdr[n++] = (struct http_header){ "Strict-Transport-Security",
		    HSTS };
	if (location != NULL)
		hdr[n++] = (struct http_header){ "Location", location };
	if (cookie1 != NULL)
		hdr[n++] = (struct http_header){ "Set-Cookie", cookie1 };
	if (cookie2 != NULL)
		hdr[n++] = (struct http_header){ "Set-Cookie", cookie2 };
	if (status == 429)
		hdr[n++] = (struct http_header){ "Retry-After", "900" };
	hdr[n] = (struct http_header){ NULL, NULL };
	if (http_respond(r, status, ctype, hdr, body, len) == -1 &&
	    !r->responded)
		http_error(r, 500, "internal", "the page could not be sent");
}

void
admin_send(struct http_req *r, int status, int https, const struct html *h,
    const char *set_cookie)
{
	static const char	 oops[] = "<!doctype html><title>Error</title>"
	    "<p>The page could not be built. Please try again.</p>";

	if (html_failed(h)) {
		log_error("admin: a page could not be built (too big?)");
		respond(r, 500, https, "text/html; charset=utf-8", NULL, NULL,
		    NULL, oops, sizeof(oops) - 1);
		return;
	}
	respond(r, status, https, "text/html; charset=utf-8", NULL,
	    set_cookie, NULL, h->b->data != NULL ? h->b->data : "",
	    h->b->len);
}

static void
redirect2(struct http_req *r, int https, const char *location,
    const char *c1, const char *c2)
{
	static const char	 body[] = "<!doctype html><title>See other"
	    "</title><p>Continue on the next page.</p>";

	respond(r, 303, https, "text/html; charset=utf-8", location, c1, c2,
	    body, sizeof(body) - 1);
}

void
admin_redirect(struct http_req *r, int https, const char *location,
    const char *set_cookie)
{
	redirect2(r, https, location, set_cookie, NULL);
}

static void
page_head(struct html *h, const char *title)
{
	html_printf(h, "<!doctype html>\n<html lang=\"en\"><head>"
	    "<meta charset=\"utf-8\">"
	    "<meta name=\"viewport\" content=\"width=device-width, "
	    "initial-scale=1\">"
	    "<title>%s - stockhub</title>"
	    "<link rel=\"stylesheet\" href=\"/admin/style.css\">"
	    "</head>\n<body>"
	    "<a class=\"skip\" href=\"#main\">Skip to the content</a>\n",
	    title);
}

void
admin_fail(struct http_req *r, int https, int status, const char *title,
    const char *message)
{
	struct buf	 b;
	struct html	 h;

	buf_init(&b, 64 * 1024);
	html_init(&h, &b);
	page_head(&h, title);
	html_printf(&h, "<header><nav aria-label=\"Main\">"
	    "<a href=\"/admin/\">Dashboard</a></nav></header>\n"
	    "<main id=\"main\"><h1>%s</h1>\n"
	    "<p class=\"error\" role=\"alert\">%s</p>\n"
	    "</main></body></html>\n", title, message);
	admin_send(r, status, https, &h, NULL);
	buf_free(&b);
}

/* The pages in the navigation, in order; a new page adds one line. */
static const struct {
	const char	*href;
	const char	*label;
} admin_nav[] = {
	{ "/admin/stock",	"Stock" },
	{ "/admin/map",		"SKU map" },
	{ "/admin/returns",	"Returns" },
	{ "/admin/bom",		"Bundles" },
	{ "/admin/channels",	"Channels" },
	{ "/admin/recon",	"Reconciliation" },
	{ "/admin/mapping",	"Mapping audit" },
	{ "/admin/audit",	"Audit log" },
	{ "/admin/security",	"Two-step sign-in" },
};

void
admin_page_open(struct html *h, const char *title,
    const struct auth_session *s)
{
	size_t	 i;

	page_head(h, title);
	html_printf(h, "<header><nav aria-label=\"Main\">"
	    "<a href=\"/admin/\">Dashboard</a>");
	if (s != NULL && s->user[0] != '\0') {
		for (i = 0; i < sizeof(admin_nav) / sizeof(admin_nav[0]); i++)
			html_printf(h, "<a href=\"%s\">%s</a>",
			    admin_nav[i].href, admin_nav[i].label);
		html_printf(h, "<form method=\"post\" action=\"/admin/logout\">"
		    "<input type=\"hidden\" name=\"csrf\" value=\"%s\">"
		    "<button type=\"submit\">Sign out %s</button></form>",
		    s->csrf, s->user);
	}
	html_printf(h, "</nav></header>\n<main id=\"main\"><h1>%s</h1>\n",
	    title);
}

void
admin_page_close(struct html *h)
{
	html_printf(h, "</main></body></html>\n");
}

void
admin_ctx_free(struct admin_ctx *c)
{
	if (c == NULL)
		return;
	form_free(&c->form);
	OPENSSL_cleanse(c->s.csrf, sizeof(c->s.csrf));
}

/* The session cookie's value from the request, or "" (sid: 65 bytes). */
static void
request_sid(const struct http_req *r, char *sid, size_t sidsz)
{
	if (form_cookie(http_header(r, "Cookie"), AUTH_COOKIE, sid,
	    sidsz) == -1 || !auth_token_wellformed(sid))
		sid[0] = '\0';
}

/* 1 signed in; 0 not (nothing answered); -1 answered (503). */
static int
session_of(struct app *a, struct http_req *r, struct admin_ctx *c)
{
	struct err	 e;
	char		 sid[AUTH_TOKEN_HEX + 1];
	int		 rc;

	memset(c, 0, sizeof(*c));
	c->https = admin_https(r);
	if ((c->db = app_db(a, r, 0, &e)) == NULL) {
		admin_fail(r, c->https, 503, "Not available",
		    "The database is not reachable. Try again in a minute.");
		return -1;
	}
	request_sid(r, sid, sizeof(sid));
	if (sid[0] == '\0')
		return 0;
	rc = auth_session_get(c->db, sid, (int64_t)time(NULL), &c->s, &e);
	OPENSSL_cleanse(sid, sizeof(sid));
	if (rc == -1) {
		log_error("admin: session lookup: %s", e.msg);
		admin_fail(r, c->https, 503, "Not available",
		    "The database is not reachable. Try again in a minute.");
		return -1;
	}
	return rc;
}

int
admin_begin_get(struct app *a, struct http_req *r, struct admin_ctx *c)
{
	int	 rc = session_of(a, r, c);

	if (rc == 0)
		admin_redirect(r, c->https, "/admin/login", NULL);
	return rc == 1;
}

/* Not cross-site, and a form body: 1, else 0 after answering. */
static int
post_gate(struct http_req *r, int https, struct form *f, size_t max_pairs,
    int multipart)
{
	struct err	 e;
	size_t		 n;
	char		 boundary[80];

	if (!auth_origin_ok(http_header(r, "Origin"),
	    http_header(r, "Sec-Fetch-Site"), https ? "https" : "http",
	    http_header(r, "Host"))) {
		log_warn("admin: refused a cross-site POST to %s", r->path);
		admin_fail(r, https, 403, "Refused",
		    "This form was sent from another site, so it was not "
		    "accepted.");
		return 0;
	}
	if (multipart && multipart_boundary(r->content_type, boundary,
	    sizeof(boundary)) == 0) {
		if (multipart_parse(f, boundary, r->body, r->body_len,
		    max_pairs, &e) == -1) {
			admin_fail(r, https, 400, "Refused",
			    "The form could not be read. Reload the page and "
			    "try again.");
			return 0;
		}
		return 1;
	}
	n = strcspn(r->content_type, ";");
	while (n > 0 && r->content_type[n - 1] == ' ')
		n--;
	if (n != 33 || strncasecmp(r->content_type,
	    "application/x-www-form-urlencoded", 33) != 0) {
		admin_fail(r, https, 415, "Refused",
		    "This page takes a form only.");
		return 0;
	}
	if (form_parse(f, r->body, r->body_len, max_pairs, &e) == -1) {
		admin_fail(r, https, 400, "Refused",
		    "The form could not be read. Reload the page and try "
		    "again.");
		return 0;
	}
	return 1;
}

int
admin_begin_post(struct app *a, struct http_req *r, struct admin_ctx *c)
{
	return admin_begin_post_ext(a, r, c, 64, 0);
}

int
admin_begin_post_ext(struct app *a, struct http_req *r, struct admin_ctx *c,
    size_t max_pairs, int multipart)
{
	int	 rc = session_of(a, r, c);

	if (rc == -1)
		return 0;
	if (rc == 0) {
		admin_fail(r, c->https, 403, "Signed out",
		    "You are not signed in (or your session ended). Sign in "
		    "again, then repeat what you did.");
		return 0;
	}
	if (!post_gate(r, c->https, &c->form, max_pairs, multipart))
		return 0;
	if (!auth_token_equal(form_get(&c->form, "csrf"), c->s.csrf)) {
		log_warn("admin: refused a POST to %s without a valid CSRF "
		    "token (user %s)", r->path, c->s.user);
		admin_fail(r, c->https, 403, "Refused",
		    "This form has expired or did not come from this site. "
		    "Reload the page and try again.");
		return 0;
	}
	return 1;
}

void
admin_style(struct app *a, struct http_req *r)
{
	(void)a;
	respond(r, 200, admin_https(r), "text/css; charset=utf-8", NULL, NULL,
	    NULL, stylesheet, sizeof(stylesheet) - 1);
}

/* ---- sign-in and sign-out ---- */

static void
login_form(struct http_req *r, int https, int status, const char *name,
    const char *error)
{
	struct buf	 b;
	struct html	 h;
	char		 pre[AUTH_TOKEN_HEX + 1];
	char		 cookie[AUTH_COOKIE_HDR_MAX];

	buf_init(&b, 64 * 1024);
	html_init(&h, &b);
	if (auth_random_token(pre) == -1 ||
	    auth_cookie(cookie, sizeof(cookie), PRE_COOKIE, pre,
	    cookie_secure(r, https), PRE_MAX_AGE) == -1) {
		admin_fail(r, https, 500, "Error", "No randomness; try again.");
		goto out;
	}
	admin_page_open(&h, "Sign in", NULL);
	if (!cookie_secure(r, https))
		html_printf(&h, "<p class=\"error\" role=\"alert\">This "
		    "connection is not encrypted, so your browser will not "
		    "keep you signed in. Open this page over https.</p>\n");
	if (error != NULL)
		html_printf(&h, "<p class=\"error\" role=\"alert\" "
		    "id=\"login-error\">%s</p>\n", error);
	html_printf(&h, "<form method=\"post\" action=\"/admin/login\">\n"
	    "<input type=\"hidden\" name=\"pre\" value=\"%s\">\n"
	    "<label for=\"name\">User name</label>\n"
	    "<input id=\"name\" name=\"name\" autocomplete=\"username\" "
	    "autocapitalize=\"none\" spellcheck=\"false\" required "
	    "maxlength=\"64\" value=\"%s\"", pre, name != NULL ? name : "");
	if (error != NULL)
		html_printf(&h, " aria-describedby=\"login-error\"");
	html_printf(&h, ">\n<label for=\"password\">Password</label>\n"
	    "<input id=\"password\" name=\"password\" type=\"password\" "
	    "autocomplete=\"current-password\" required maxlength=\"128\">\n"
	    "<button type=\"submit\">Sign in</button>\n</form>\n"
	    "<p class=\"hint\">Accounts are made on the server with "
	    "<code>stockhub user add NAME</code>.</p>\n");
	admin_page_close(&h);
	admin_send(r, status, https, &h, cookie);
out:
	OPENSSL_cleanse(pre, sizeof(pre));
	buf_free(&b);
}

/* The second step of a sign-in with TOTP: the code form. pending is
 * repeated in a hidden field (double submit with the cookie). */
static void
totp_form(struct http_req *r, int https, int status, const char *pending,
    const char *cookie, const char *error)
{
	struct buf	 b;
	struct html	 h;

	buf_init(&b, 64 * 1024);
	html_init(&h, &b);
	admin_page_open(&h, "Enter your code", NULL);
	if (error != NULL)
		html_printf(&h, "<p class=\"error\" role=\"alert\" "
		    "id=\"code-error\">%s</p>\n", error);
	html_printf(&h, "<form method=\"post\" action=\"/admin/login/totp\">"
	    "\n<input type=\"hidden\" name=\"mfa\" value=\"%s\">\n"
	    "<label for=\"code\">6-digit code from your authenticator app"
	    "</label>\n<input id=\"code\" name=\"code\" "
	    "autocomplete=\"one-time-code\" inputmode=\"numeric\" "
	    "pattern=\"[0-9]{6}\" maxlength=\"6\" required autofocus", pending);
	if (error != NULL)
		html_printf(&h, " aria-describedby=\"code-error\"");
	html_printf(&h, ">\n<button type=\"submit\">Sign in</button>\n"
	    "</form>\n<p class=\"hint\">The code changes every 30 seconds; "
	    "each code works once. <a href=\"/admin/login\">Start again</a>"
	    "</p>\n");
	admin_page_close(&h);
	admin_send(r, status, https, &h, cookie);
	buf_free(&b);
}

void
admin_login_totp_post(struct app *a, struct http_req *r)
{
	struct form		 f;
	struct err		 e;
	struct db		*db;
	enum auth_login_result	 res;
	const char		*pending, *code, *addr;
	unsigned char		 key[CRYPT_KEY_LEN];
	char			 mfa[AUTH_TOKEN_HEX + 1];
	char			 old[AUTH_TOKEN_HEX + 1];
	char			 sid[AUTH_TOKEN_HEX + 1];
	char			 c1[AUTH_COOKIE_HDR_MAX], c2[AUTH_COOKIE_HDR_MAX];
	int			 https = admin_https(r), rc;

	memset(&f, 0, sizeof(f));
	sid[0] = old[0] = '\0';
	if (!post_gate(r, https, &f, 64, 0))
		goto out;
	pending = form_get(&f, "mfa");
	code = form_get(&f, "code");
	if (form_cookie(http_header(r, "Cookie"), AUTH_MFA_COOKIE, mfa,
	    sizeof(mfa)) == -1 || !auth_token_wellformed(mfa) ||
	    !auth_token_equal(pending, mfa)) {
		log_warn("admin: refused a TOTP code without its sign-in");
		admin_fail(r, https, 403, "Refused",
		    "This sign-in has expired or did not come from this "
		    "site. Sign in again.");
		goto out;
	}
	if (code == NULL || strlen(code) != 6 ||
	    strspn(code, "0123456789") != 6) {
		totp_form(r, https, 400, mfa, NULL,
		    "The code is the 6 digits your authenticator app shows "
		    "for stockhub.");
		goto out;
	}
	if ((db = app_db(a, r, 0, &e)) == NULL) {
		admin_fail(r, https, 503, "Not available",
		    "The database is not reachable. Try again in a minute.");
		goto out;
	}
	if (crypt_key_parse(a->cfg.master_key, key, &e) == -1) {
		log_error("admin: TOTP sign-in: %s", e.msg);
		admin_fail(r, https, 500, "Error",
		    "Signing in is not set up on the server (master_key).");
		goto out;
	}
	addr = http_param(r, "REMOTE_ADDR");
	request_sid(r, old, sizeof(old));
	rc = auth_login_totp(db, key, mfa, code, addr != NULL ? addr : "",
	    time(NULL), NULL, old, sid, &res, &e);
	OPENSSL_cleanse(key, sizeof(key));
	if (rc == -1) {
		log_error("admin: TOTP sign-in: %s", e.msg);
		admin_fail(r, https, 503, "Not available",
		    "Signing in failed on our side. Try again in a minute.");
		goto out;
	}
	if (res == AUTH_LOGIN_THROTTLED) {
		login_form(r, https, 429, NULL,
		    "Too many failed sign-ins for this account or from this "
		    "address. Wait 15 minutes, then try again.");
		goto out;
	}
	if (res != AUTH_LOGIN_OK) {
		totp_form(r, https, 401, mfa, NULL,
		    "That code is wrong, too old, or was used already. Wait "
		    "for the next one and enter it.");
		goto out;
	}
	if (auth_cookie(c1, sizeof(c1), AUTH_COOKIE, sid,
	    cookie_secure(r, https), AUTH_ABSOLUTE_S) == -1 ||
	    auth_cookie(c2, sizeof(c2), AUTH_MFA_COOKIE, "gone",
	    cookie_secure(r, https), 0) == -1) {
		admin_fail(r, https, 500, "Error", "Please sign in again.");
		goto out;
	}
	redirect2(r, https, "/admin/", c1, c2);
	OPENSSL_cleanse(c1, sizeof(c1));
out:
	OPENSSL_cleanse(sid, sizeof(sid));
	OPENSSL_cleanse(old, sizeof(old));
	OPENSSL_cleanse(mfa, sizeof(mfa));
	form_free(&f);
}

void
admin_login_page(struct app *a, struct http_req *r)
{
	(void)a;
	login_form(r, admin_https(r), 200, NULL, NULL);
}

void
admin_login_post(struct app *a, struct http_req *r)
{
	struct form		 f;
	struct err		 e;
	struct db		*db;
	enum auth_login_result	 res;
	const char		*name, *pw, *pre, *addr;
	char			 precookie[AUTH_TOKEN_HEX + 1];
	char			 old[AUTH_TOKEN_HEX + 1];
	char			 sid[AUTH_TOKEN_HEX + 1];
	char			 c1[AUTH_COOKIE_HDR_MAX], c2[AUTH_COOKIE_HDR_MAX];
	int			 https = admin_https(r);

	memset(&f, 0, sizeof(f));
	sid[0] = '\0';
	if (!post_gate(r, https, &f, 64, 0))
		goto out;
	name = form_get(&f, "name");
	pw = form_get(&f, "password");
	pre = form_get(&f, "pre");
	if (form_cookie(http_header(r, "Cookie"), PRE_COOKIE, precookie,
	    sizeof(precookie)) == -1 || !auth_token_wellformed(precookie) ||
	    !auth_token_equal(pre, precookie)) {
		log_warn("admin: refused a sign-in without the form's token");
		admin_fail(r, https, 403, "Refused",
		    "This sign-in form has expired or did not come from this "
		    "site. Open the sign-in page again.");
		goto out;
	}
	if (name == NULL || pw == NULL || name[0] == '\0' || pw[0] == '\0') {
		login_form(r, https, 400, name,
		    "Enter your user name and your password.");
		goto out;
	}
	if ((db = app_db(a, r, 0, &e)) == NULL) {
		admin_fail(r, https, 503, "Not available",
		    "The database is not reachable. Try again in a minute.");
		goto out;
	}
	addr = http_param(r, "REMOTE_ADDR");
	request_sid(r, old, sizeof(old));
	if (auth_login(db, name, pw, addr != NULL ? addr : "", time(NULL),
	    NULL, old, sid, &res, &e) == -1) {
		log_error("admin: sign-in: %s", e.msg);
		admin_fail(r, https, 503, "Not available",
		    "Signing in failed on our side. Try again in a minute.");
		goto out;
	}
	if (res == AUTH_LOGIN_THROTTLED) {
		login_form(r, https, 429, name,
		    "Too many failed sign-ins for this account or from this "
		    "address. Wait 15 minutes, then try again.");
		goto out;
	}
	if (res == AUTH_LOGIN_BAD) {
		login_form(r, https, 401, name,
		    "The user name or the password is wrong.");
		goto out;
	}
	if (res == AUTH_LOGIN_TOTP) {
		/* sid holds the pending sign-in's token, not a session */
		if (auth_cookie(c1, sizeof(c1), AUTH_MFA_COOKIE, sid,
		    cookie_secure(r, https), AUTH_MFA_TTL_S) == -1) {
			admin_fail(r, https, 500, "Error",
			    "Please sign in again.");
			goto out;
		}
		totp_form(r, https, 200, sid, c1, NULL);
		OPENSSL_cleanse(c1, sizeof(c1));
		goto out;
	}
	if (auth_cookie(c1, sizeof(c1), AUTH_COOKIE, sid,
	    cookie_secure(r, https), AUTH_ABSOLUTE_S) == -1 ||
	    auth_cookie(c2, sizeof(c2), PRE_COOKIE, "gone",
	    cookie_secure(r, https), 0) == -1) {
		admin_fail(r, https, 500, "Error", "Please sign in again.");
		goto out;
	}
	redirect2(r, https, "/admin/", c1, c2);
	OPENSSL_cleanse(c1, sizeof(c1));
out:
	OPENSSL_cleanse(sid, sizeof(sid));
	OPENSSL_cleanse(old, sizeof(old));
	if (f.pairs != NULL)
		for (size_t i = 0; i < f.n; i++)
			if (strcmp(f.pairs[i].key, "password") == 0)
				OPENSSL_cleanse(f.pairs[i].val,
				    strlen(f.pairs[i].val));
	form_free(&f);
}

void
admin_logout(struct app *a, struct http_req *r)
{
	struct admin_ctx	 c;
	struct err		 e;
	char			 sid[AUTH_TOKEN_HEX + 1];
	char			 cookie[AUTH_COOKIE_HDR_MAX];

	if (!admin_begin_post(a, r, &c))
		goto out;
	request_sid(r, sid, sizeof(sid));
	if (auth_logout(c.db, sid, &e) == -1) {
		log_error("admin: sign-out: %s", e.msg);
		admin_fail(r, c.https, 503, "Not available",
		    "Signing out failed on our side. Try again.");
		goto out;
	}
	OPENSSL_cleanse(sid, sizeof(sid));
	log_info("auth: '%s' signed out", c.s.user);
	if (auth_cookie(cookie, sizeof(cookie), AUTH_COOKIE, "gone",
	    cookie_secure(r, c.https), 0) == -1)
		cookie[0] = '\0';
	admin_redirect(r, c.https, "/admin/login",
	    cookie[0] != '\0' ? cookie : NULL);
out:
	admin_ctx_free(&c);
}
