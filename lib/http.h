/*
 * http: FastCGI request and response plumbing on libfcgi's FCGX API.
 *
 * http_req_read() takes a request that FCGX_Accept_r() gave, checks
 * CONTENT_LENGTH with a bounded parser, reads exactly that many bytes
 * (more than body_max: ERR_TOOBIG; fewer: ERR_INVALID) and keeps them raw,
 * because webhook signatures are computed over the exact bytes. It sets the
 * request id (nginx's $request_id, or a fresh random one) for the log.
 *
 * Every response goes through http_respond(), which writes the status, the
 * content type, the request id and the security headers, and refuses
 * header values with CR or LF.
 *
 * Ownership: struct http_req owns its body and decoded query; free with
 * http_req_free(). Strings from http_param()/http_header() are borrowed
 * from libfcgi until the request is finished.
 */
#ifndef STOCKHUB_HTTP_H
#define STOCKHUB_HTTP_H

#include <stddef.h>

#include <fcgiapp.h>
#include <jansson.h>

#include "err.h"
#include "form.h"

#define HTTP_REQID_MAX	40
#define HTTP_FORM_PAIRS_MAX	256

struct http_req {
	FCGX_Request	*fcgi;
	const char	*method;	/* "GET", "POST", ... */
	const char	*path;		/* DOCUMENT_URI: no query string */
	const char	*content_type;	/* "" when absent */
	char		 reqid[HTTP_REQID_MAX + 1];
	char		*body;		/* NUL-terminated; "" when none */
	size_t		 body_len;
	struct form	 query;		/* decoded QUERY_STRING */
	int		 responded;	/* 1 once a response was written */
	int		 finished;	/* 1 once http_finish() ran */
};

/* One extra response header; a list ends at name == NULL. */
struct http_header {
	const char	*name;
	const char	*value;
};

/*
 * Read the request. On -1 the request is still usable for an error
 * response (reqid and method/path are set) and e says what was wrong.
 */
int	http_req_read(struct http_req *r, FCGX_Request *fcgi, size_t body_max,
	    struct err *e);

/* NULL-safe. */
void	http_req_free(struct http_req *r);

/*
 * End the FastCGI request now, so the client has its whole answer while
 * the program goes on working (pushes after a webhook is acknowledged).
 * Safe to call more than once.
 */
void	http_finish(struct http_req *r);

/* A FastCGI parameter ("REMOTE_ADDR"), or NULL. */
const char *http_param(const struct http_req *r, const char *name);

/*
 * A request header by its HTTP name ("X-Shopify-Hmac-Sha256"), or NULL.
 * Looks up HTTP_X_SHOPIFY_HMAC_SHA256 (CONTENT_TYPE/CONTENT_LENGTH for
 * those two).
 */
const char *http_header(const struct http_req *r, const char *name);

/* 1 when the request's method is m. */
int	http_is(const struct http_req *r, const char *m);

/*
 * 1 when the request has "Authorization: Bearer <token>" equal to token
 * (compared in constant time); 0 otherwise, also when token is empty.
 */
int	http_bearer_ok(const struct http_req *r, const char *token);

/*
 * Write a whole response: status, content type, the headers in extra
 * (may be NULL), security headers, X-Request-Id, Content-Length, body.
 * Returns 0, or -1 if already responded or a header value is unsafe.
 */
int	http_respond(struct http_req *r, int status, const char *ctype,
	    const struct http_header *extra, const void *body, size_t len);

/* A JSON response (compact; the value is borrowed). */
int	http_json(struct http_req *r, int status, const json_t *v);

/*
 * A JSON error body {"error":{"code":..,"message":..,"request_id":..}}.
 * code is a short machine word ("too_large"); message is for people.
 */
int	http_error(struct http_req *r, int status, const char *code,
	    const char *message);

/* http_error() with the status, code and message taken from e. */
int	http_error_err(struct http_req *r, const struct err *e);

/*
 * Parse the body as one JSON value, refusing duplicate keys and a content
 * type other than application/json. Returns a new reference, or NULL with
 * e set (ERR_INVALID, message with line and column).
 */
json_t	*http_body_json(const struct http_req *r, struct err *e);

/* The text for a status code ("Not Found"). */
const char *http_status_text(int status);

#endif
