/*
 * http: FastCGI request/response plumbing (see http.h).
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <fcgiapp.h>
#include <jansson.h>
#include <openssl/rand.h>

#include "buf.h"
#include "err.h"
#include "form.h"
#include "http.h"
#include "log.h"
#include "str.h"

/* Sent with every response: no sniffing, no framing, no inline script. */
static const struct http_header security_headers[] = {
	{ "X-Content-Type-Options", "nosniff" },
	{ "X-Frame-Options", "DENY" },
	{ "Content-Security-Policy",
	  "default-src 'self'; script-src 'self'; style-src 'self'; "
	  "img-src 'self' data:; frame-ancestors 'none'; form-action 'self'; "
	  "base-uri 'none'" },
	{ "Referrer-Policy", "same-origin" },
	{ "Cache-Control", "no-store" },
	{ NULL, NULL }
};

static const char *
param_or(const struct http_req *r, const char *name, const char *dflt)
{
	const char *v = http_param(r, name);

	return v != NULL ? v : dflt;
}

/* nginx's $request_id is 32 hex digits; accept only [0-9A-Za-z-]. */
static void
set_reqid(struct http_req *r)
{
	const char	*given = http_param(r, "REQUEST_ID");
	unsigned char	 rnd[16];
	size_t		 i, n;
	int		 ok = given != NULL;

	n = ok ? strlen(given) : 0;
	if (n == 0 || n > HTTP_REQID_MAX)
		ok = 0;
	for (i = 0; ok && i < n; i++)
		if (!isalnum((unsigned char)given[i]) && given[i] != '-')
			ok = 0;
	if (ok)
		(void)str_copy(r->reqid, sizeof(r->reqid), given);
	else {
		if (RAND_bytes(rnd, sizeof(rnd)) != 1)
			memset(rnd, 0, sizeof(rnd));
		str_hex(r->reqid, rnd, sizeof(rnd));
	}
	log_set_request(r->reqid);
}

int
http_req_read(struct http_req *r, FCGX_Request *fcgi, size_t body_max,
    struct err *e)
{
	const char	*cl, *qs;
	int64_t		 len = 0;
	int		 got;
	size_t		 off;

	memset(r, 0, sizeof(*r));
	r->fcgi = fcgi;
	r->method = param_or(r, "REQUEST_METHOD", "GET");
	r->path = param_or(r, "DOCUMENT_URI", param_or(r, "SCRIPT_NAME", "/"));
	r->content_type = param_or(r, "CONTENT_TYPE", "");
	set_reqid(r);
	if ((r->body = calloc(1, 1)) == NULL)
		return err_set(e, ERR_SYS, "out of memory");

	qs = param_or(r, "QUERY_STRING", "");
	if (form_parse(&r->query, qs, strlen(qs), HTTP_FORM_PAIRS_MAX,
	    e) == -1)
		return -1;

	cl = http_param(r, "CONTENT_LENGTH");
	if (cl != NULL && cl[0] != '\0' &&
	    str_to_i64(cl, 0, INT64_MAX, &len) == -1)
		return err_set(e, ERR_INVALID, "Content-Length is not a number");
	if ((uint64_t)len > body_max)
		return err_set(e, ERR_TOOBIG, "body of %lld bytes is over the "
		    "limit of %zu", (long long)len, body_max);
	if (len == 0)
		return 0;
	free(r->body);
	if ((r->body = malloc((size_t)len + 1)) == NULL)
		return err_set(e, ERR_SYS, "out of memory");
	for (off = 0; off < (size_t)len; off += (size_t)got) {
		got = FCGX_GetStr(r->body + off, (int)((size_t)len - off),
		    fcgi->in);
		if (got <= 0)
			break;
	}
	r->body[off] = '\0';
	r->body_len = off;
	if (off != (size_t)len)
		return err_set(e, ERR_INVALID, "body ended after %zu of %lld "
		    "bytes", off, (long long)len);
	return 0;
}

void
http_req_free(struct http_req *r)
{
	if (r == NULL)
		return;
	free(r->body);
	r->body = NULL;
	form_free(&r->query);
	log_set_request("-");
}

void
http_finish(struct http_req *r)
{
	if (r == NULL || r->finished || r->fcgi == NULL)
		return;
	r->finished = 1;
	FCGX_Finish_r(r->fcgi);
}

const char *
http_param(const struct http_req *r, const char *name)
{
	if (r->fcgi == NULL)
		return NULL;
	return FCGX_GetParam(name, r->fcgi->envp);
}

const char *
http_header(const struct http_req *r, const char *name)
{
	char	 var[128];
	size_t	 i, n;

	if (strcasecmp(name, "Content-Type") == 0)
		return http_param(r, "CONTENT_TYPE");
	if (strcasecmp(name, "Content-Length") == 0)
		return http_param(r, "CONTENT_LENGTH");
	n = strlen(name);
	if (n + 6 > sizeof(var))
		return NULL;
	memcpy(var, "HTTP_", 5);
	for (i = 0; i < n; i++)
		var[5 + i] = name[i] == '-' ? '_' :
		    (char)toupper((unsigned char)name[i]);
	var[5 + n] = '\0';
	return http_param(r, var);
}

int
http_is(const struct http_req *r, const char *m)
{
	return strcmp(r->method, m) == 0;
}

int
http_bearer_ok(const struct http_req *r, const char *token)
{
	const char	*h = http_header(r, "Authorization");

	if (token == NULL || token[0] == '\0' || h == NULL ||
	    strncmp(h, "Bearer ", 7) != 0)
		return 0;
	return str_ct_equal(h + 7, strlen(h + 7), token, strlen(token));
}

const char *
http_status_text(int status)
{
	switch (status) {
	case 200: return "OK";
	case 201: return "Created";
	case 202: return "Accepted";
	case 204: return "No Content";
	case 303: return "See Other";
	case 400: return "Bad Request";
	case 401: return "Unauthorized";
	case 403: return "Forbidden";
	case 404: return "Not Found";
	case 405: return "Method Not Allowed";
	case 409: return "Conflict";
	case 413: return "Content Too Large";
	case 415: return "Unsupported Media Type";
	case 429: return "Too Many Requests";
	case 500: return "Internal Server Error";
	case 502: return "Bad Gateway";
	case 503: return "Service Unavailable";
	default:  return "Unknown";
	}
}

static int
header_safe(const char *s)
{
	for (; *s != '\0'; s++)
		if (*s == '\r' || *s == '\n')
			return 0;
	return 1;
}

static int
put_header(struct buf *b, const char *name, const char *value)
{
	if (!header_safe(name) || !header_safe(value)) {
		log_error("http: refused a header with CR or LF (%s)", name);
		return -1;
	}
	return buf_printf(b, "%s: %s\r\n", name, value);
}

int
http_respond(struct http_req *r, int status, const char *ctype,
    const struct http_header *extra, const void *body, size_t len)
{
	struct buf	 h;
	char		 st[64];
	size_t		 i;
	int		 rc = -1;

	if (r->responded)
		return -1;
	buf_init(&h, 64 * 1024);
	if (str_fmt(st, sizeof(st), "%d %s", status,
	    http_status_text(status)) == -1 ||
	    put_header(&h, "Status", st) == -1 ||
	    put_header(&h, "Content-Type", ctype) == -1 ||
	    put_header(&h, "X-Request-Id", r->reqid) == -1)
		goto out;
	for (i = 0; security_headers[i].name != NULL; i++)
		if (put_header(&h, security_headers[i].name,
		    security_headers[i].value) == -1)
			goto out;
	for (i = 0; extra != NULL && extra[i].name != NULL; i++)
		if (put_header(&h, extra[i].name, extra[i].value) == -1)
			goto out;
	if (buf_printf(&h, "Content-Length: %zu\r\n\r\n", len) == -1)
		goto out;
	r->responded = 1;
	if (FCGX_PutStr(h.data, (int)h.len, r->fcgi->out) < 0 ||
	    (len > 0 && FCGX_PutStr(body, (int)len, r->fcgi->out) < 0)) {
		log_warn("http: client went away before the response was sent");
		goto out;
	}
	rc = 0;
out:
	if (!r->responded)
		log_error("http: could not build the response headers");
	buf_free(&h);
	return rc;
}

int
http_json(struct http_req *r, int status, const json_t *v)
{
	char	*s;
	int	 rc;

	if ((s = json_dumps(v, JSON_COMPACT)) == NULL) {
		log_error("http: could not encode JSON");
		return http_respond(r, 500, "application/json",
		    NULL, "{}", 2);
	}
	rc = http_respond(r, status, "application/json", NULL, s, strlen(s));
	free(s);
	return rc;
}

int
http_error(struct http_req *r, int status, const char *code,
    const char *message)
{
	json_t	*j;
	int	 rc;

	if (status >= 500)
		log_error("%d %s: %s", status, code, message);
	else
		log_warn("%d %s: %s", status, code, message);
	j = json_pack("{s:{s:s, s:s, s:s}}", "error", "code", code,
	    "message", message, "request_id", r->reqid);
	if (j == NULL)
		return http_respond(r, status, "application/json", NULL,
		    "{}", 2);
	rc = http_json(r, status, j);
	json_decref(j);
	return rc;
}

int
http_error_err(struct http_req *r, const struct err *e)
{
	return http_error(r, err_http_status(e->kind), err_kind_name(e->kind),
	    e->msg);
}

json_t *
http_body_json(const struct http_req *r, struct err *e)
{
	json_error_t	 je;
	json_t		*j;
	size_t		 n;

	n = strcspn(r->content_type, ";");
	while (n > 0 && r->content_type[n - 1] == ' ')
		n--;
	if (n != 16 || strncasecmp(r->content_type, "application/json", 16)) {
		err_set(e, ERR_INVALID, "Content-Type must be application/json");
		return NULL;
	}
	j = json_loadb(r->body, r->body_len, JSON_REJECT_DUPLICATES, &je);
	if (j == NULL)
		err_set(e, ERR_INVALID, "malformed JSON at line %d column %d: "
		    "%s", je.line, je.column, je.text);
	return j;
}
