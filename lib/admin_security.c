/*
 * admin_security: the signed-in person's own two-step sign-in (TOTP) at
 * /admin/security (see admin.h).
 *
 * Turning it on takes two posts: "start" makes a new secret and shows it
 * (the otpauth:// URI and the base32 text) without storing it; the form
 * carries it sealed with master_key together with the user's name, so
 * it is only good for this user and cannot be read or altered on the
 * way. "confirm" needs the current password and a code from the app:
 * only then is the secret stored (auth_totp_set, with the code's step
 * as used). Turning it off needs the current password.
 */
#include <ctype.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/crypto.h>

#include "admin.h"
#include "app.h"
#include "auth.h"
#include "buf.h"
#include "crypt.h"
#include "err.h"
#include "html.h"
#include "http.h"
#include "log.h"
#include "str.h"
#include "totp.h"

#define SEALED_MAX	512	/* hex of the sealed "name\nB32" */

struct sec_typed {
	const char	*sealed;	/* the pending secret, sealed, hex */
	const char	*b32;		/* the same, opened, to show again */
	const char	*field;		/* "password" or "code" in error */
	const char	*error;
};

static int
master(const struct app *a, unsigned char key[CRYPT_KEY_LEN], struct err *e)
{
	return crypt_key_parse(a->cfg.master_key, key, e);
}

/* Seal "name\nb32" into hex. */
static int
seal_pending(const unsigned char key[CRYPT_KEY_LEN], const char *name,
    const char *b32, char *out, size_t outsz, struct err *e)
{
	char		 plain[AUTH_NAME_MAX + TOTP_B32_MAX + 2];
	unsigned char	*blob = NULL;
	size_t		 blen = 0;
	int		 rc = -1;

	if (str_fmt(plain, sizeof(plain), "%s\n%s", name, b32) == -1 ||
	    crypt_seal(key, plain, strlen(plain), &blob, &blen, e) == -1)
		goto out;
	if (blen * 2 + 1 > outsz) {
		err_set(e, ERR_SYS, "the sealed secret does not fit");
		goto out;
	}
	str_hex(out, blob, blen);
	rc = 0;
out:
	OPENSSL_cleanse(plain, sizeof(plain));
	free(blob);
	return rc;
}

/* Open a pending secret for name into b32 (TOTP_B32_MAX). 0 or -1. */
static int
open_pending(const unsigned char key[CRYPT_KEY_LEN], const char *name,
    const char *hex, char *b32)
{
	unsigned char	 blob[SEALED_MAX / 2];
	char		*plain = NULL, *nl;
	size_t		 n, i, plen = 0;
	struct err	 e;
	int		 rc = -1, hi, lo;

	n = hex != NULL ? strlen(hex) : 0;
	if (n == 0 || n % 2 != 0 || n / 2 > sizeof(blob))
		return -1;
	for (i = 0; i < n / 2; i++) {
		if (!isxdigit((unsigned char)hex[2 * i]) ||
		    !isxdigit((unsigned char)hex[2 * i + 1]))
			return -1;
		hi = isdigit((unsigned char)hex[2 * i]) ? hex[2 * i] - '0' :
		    tolower((unsigned char)hex[2 * i]) - 'a' + 10;
		lo = isdigit((unsigned char)hex[2 * i + 1]) ?
		    hex[2 * i + 1] - '0' :
		    tolower((unsigned char)hex[2 * i + 1]) - 'a' + 10;
		blob[i] = (unsigned char)(hi * 16 + lo);
	}
	if (crypt_open(key, blob, n / 2, &plain, &plen, &e) == -1)
		return -1;
	if ((nl = strchr(plain, '\n')) != NULL &&
	    (size_t)(nl - plain) == strlen(name) &&
	    strncmp(plain, name, strlen(name)) == 0 &&
	    str_copy(b32, TOTP_B32_MAX, nl + 1) == 0)
		rc = 0;
	crypt_free_secret(plain, plen);
	return rc;
}

static void
err_p(struct html *h, const struct sec_typed *t, const char *f)
{
	if (t != NULL)
		admin_field_error(h, "totp", t->field, f, t->error);
}

static void
err_a(struct html *h, const struct sec_typed *t, const char *f)
{
	if (t != NULL)
		admin_field_attrs(h, "totp", t->field, f, NULL);
}

static void
security_render(struct http_req *r, struct admin_ctx *c, int status,
    int enabled, const struct sec_typed *t, const char *notice)
{
	struct buf	 b;
	struct html	 h;
	char		 uri[512];

	buf_init(&b, ADMIN_PAGE_MAX);
	html_init(&h, &b);
	admin_page_open(&h, "Two-step sign-in", &c->s);
	if (notice != NULL)
		html_printf(&h, "<p class=\"notice\" role=\"status\">%s</p>\n",
		    notice);
	html_printf(&h, "<p>Two-step sign-in is <strong id=\"totp-state\">%s"
	    "</strong> for %s.</p>\n", enabled ? "on" : "off", c->s.user);
	if (t != NULL && t->sealed != NULL && t->b32 != NULL) {
		if (totp_uri(uri, sizeof(uri), AUTH_TOTP_ISSUER, c->s.user,
		    t->b32) == -1)
			uri[0] = '\0';
		html_printf(&h, "<form method=\"post\" action=\"/admin/security\""
		    " id=\"totp-confirm-form\"><fieldset><legend>Add stockhub "
		    "to your authenticator app</legend>\n<p>Add this address "
		    "to the app (or type the key by hand), then enter the code "
		    "it shows and your password. Nothing changes until you "
		    "do.</p>\n<p><code id=\"totp-uri\">%s</code></p>\n"
		    "<p>Key: <code id=\"totp-secret\">%s</code></p>\n"
		    "<input type=\"hidden\" name=\"csrf\" value=\"%s\">"
		    "<input type=\"hidden\" name=\"action\" value=\"confirm\">"
		    "<input type=\"hidden\" name=\"pending\" value=\"%s\">\n",
		    uri, t->b32, c->s.csrf, t->sealed);
		OPENSSL_cleanse(uri, sizeof(uri));
		err_p(&h, t, "code");
		html_printf(&h, "<label for=\"totp-code\">Code from the app"
		    "</label><input id=\"totp-code\" name=\"code\" "
		    "inputmode=\"numeric\" autocomplete=\"one-time-code\" "
		    "pattern=\"[0-9]{6}\" maxlength=\"6\" required");
		err_a(&h, t, "code");
		html_printf(&h, ">\n");
		err_p(&h, t, "password");
		html_printf(&h, "<label for=\"totp-password\">Your password"
		    "</label><input id=\"totp-password\" name=\"password\" "
		    "type=\"password\" autocomplete=\"current-password\" "
		    "required maxlength=\"128\"");
		err_a(&h, t, "password");
		html_printf(&h, ">\n<button type=\"submit\" "
		    "id=\"totp-confirm\">Turn on</button>\n</fieldset></form>"
		    "\n");
	} else if (!enabled) {
		html_printf(&h, "<form method=\"post\" action=\"/admin/security\""
		    " id=\"totp-start-form\"><input type=\"hidden\" name=\"csrf\""
		    " value=\"%s\"><input type=\"hidden\" name=\"action\" "
		    "value=\"start\"><p>With it on, signing in also asks for a "
		    "6-digit code from an authenticator app.</p>"
		    "<button type=\"submit\" id=\"totp-start\">Set up two-step "
		    "sign-in</button></form>\n", c->s.csrf);
	} else {
		html_printf(&h, "<form method=\"post\" action=\"/admin/security\""
		    " id=\"totp-off-form\"><fieldset><legend>Turn it off"
		    "</legend><input type=\"hidden\" name=\"csrf\" value=\"%s\">"
		    "<input type=\"hidden\" name=\"action\" value=\"off\">\n",
		    c->s.csrf);
		err_p(&h, t, "password");
		html_printf(&h, "<label for=\"totp-off-password\">Your password"
		    "</label><input id=\"totp-off-password\" name=\"password\" "
		    "type=\"password\" autocomplete=\"current-password\" "
		    "required maxlength=\"128\"");
		err_a(&h, t, "password");
		html_printf(&h, ">\n<button type=\"submit\" id=\"totp-off\">"
		    "Turn off</button>\n</fieldset></form>\n");
	}
	admin_page_close(&h);
	admin_send(r, status, c->https, &h, NULL);
	buf_free(&b);
}

void
admin_security_page(struct app *a, struct http_req *r)
{
	struct admin_ctx	 c;
	struct err		 e;
	const char		*done;
	int			 on;

	if (!admin_begin_get(a, r, &c))
		goto out;
	if ((on = auth_totp_enabled(c.db, c.s.user, &e)) == -1) {
		log_error("admin: security: %s", e.msg);
		admin_fail(r, c.https, 503, "Not available",
		    "Try again in a minute.");
		goto out;
	}
	done = form_get(&r->query, "done");
	security_render(r, &c, 200, on, NULL, done == NULL ? NULL :
	    strcmp(done, "on") == 0 ? "Two-step sign-in is on. You will be "
	    "asked for a code at your next sign-in." : strcmp(done, "off") ==
	    0 ? "Two-step sign-in is off." : NULL);
out:
	admin_ctx_free(&c);
}

void
admin_security_post(struct app *a, struct http_req *r)
{
	struct admin_ctx	 c;
	struct sec_typed	 t;
	struct err		 e;
	unsigned char		 key[CRYPT_KEY_LEN], raw[TOTP_SECRET_LEN];
	char			 b32[TOTP_B32_MAX], sealed[SEALED_MAX + 1];
	const char		*action, *pw;
	int64_t			 step = 0;
	int			 on, good;

	memset(&t, 0, sizeof(t));
	b32[0] = '\0';
	if (!admin_begin_post(a, r, &c))
		goto out;
	action = form_get(&c.form, "action");
	pw = form_get(&c.form, "password");
	if (master(a, key, &e) == -1 ||
	    (on = auth_totp_enabled(c.db, c.s.user, &e)) == -1)
		goto fail;
	if (action != NULL && strcmp(action, "start") == 0 && !on) {
		if (totp_secret_new(raw) == -1 ||
		    totp_b32_encode(b32, sizeof(b32), raw, sizeof(raw)) == -1 ||
		    seal_pending(key, c.s.user, b32, sealed, sizeof(sealed),
		    &e) == -1)
			goto fail;
		t.sealed = sealed;
		t.b32 = b32;
		security_render(r, &c, 200, on, &t, NULL);
		goto out;
	}
	if (action != NULL && strcmp(action, "confirm") == 0 && !on) {
		t.sealed = form_get(&c.form, "pending");
		if (open_pending(key, c.s.user, t.sealed, b32) == -1) {
			admin_fail(r, c.https, 400, "Refused", "This set-up "
			    "form is not valid for you. Start again.");
			goto out;
		}
		t.b32 = b32;
		if ((good = auth_password_ok(c.db, c.s.user_id, pw, &e)) == -1)
			goto fail;
		if (!good) {
			t.field = "password";
			t.error = "The password is wrong.";
			security_render(r, &c, 401, on, &t, NULL);
			goto out;
		}
		{
			size_t	 n;

			if (totp_b32_decode(b32, raw, sizeof(raw), &n) == -1 ||
			    !totp_verify(raw, n, form_get(&c.form, "code"),
			    (int64_t)time(NULL), 0, &step)) {
				t.field = "code";
				t.error = "That code does not match. Check the "
				    "app's clock and enter the code it shows "
				    "now (6 digits).";
				security_render(r, &c, 400, on, &t, NULL);
				goto out;
			}
		}
		if (auth_totp_set(c.db, key, c.s.user, b32, step, &e) == -1)
			goto fail;
		admin_redirect(r, c.https, "/admin/security?done=on", NULL);
		goto out;
	}
	if (action != NULL && strcmp(action, "off") == 0 && on) {
		if ((good = auth_password_ok(c.db, c.s.user_id, pw, &e)) == -1)
			goto fail;
		if (!good) {
			t.field = "password";
			t.error = "The password is wrong.";
			security_render(r, &c, 401, on, &t, NULL);
			goto out;
		}
		if (auth_totp_disable(c.db, c.s.user, &e) == -1)
			goto fail;
		admin_redirect(r, c.https, "/admin/security?done=off", NULL);
		goto out;
	}
	admin_fail(r, c.https, 409, "Not changed", "Two-step sign-in changed "
	    "meanwhile (in another tab?). Open the page again to see its "
	    "state.");
	goto out;
fail:
	log_error("admin: security: %s", e.msg);
	admin_fail(r, c.https, 503, "Not saved", "Nothing changed. Try again "
	    "in a minute.");
out:
	OPENSSL_cleanse(key, sizeof(key));
	OPENSSL_cleanse(raw, sizeof(raw));
	OPENSSL_cleanse(b32, sizeof(b32));
	for (size_t i = 0; i < c.form.n; i++)
		if (strcmp(c.form.pairs[i].key, "password") == 0)
			OPENSSL_cleanse(c.form.pairs[i].val,
			    strlen(c.form.pairs[i].val));
	admin_ctx_free(&c);
}
