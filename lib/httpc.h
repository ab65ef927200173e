/*
 * httpc: the hub's HTTP client to the marketplaces (libcurl). Every call
 * has limits: a total timeout, a connect timeout, a cap on the answer's
 * size, no redirects, http/https only, no signals. The answer keeps its
 * status, body and headers, and httpc_class() says whether a failure is
 * worth retrying (timeouts, resets, 408, 429, 5xx) or not (other 4xx).
 *
 * Ownership: httpc_do() fills a struct httpc_resp that owns its body;
 * free with httpc_resp_free(). Header values are borrowed from it.
 */
#ifndef STOCKHUB_HTTPC_H
#define STOCKHUB_HTTPC_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"

#define HTTPC_HEADERS_MAX	48
#define HTTPC_BODY_MAX		(8 * 1024 * 1024)

struct httpc_req {
	const char		 *method;	/* "GET", "POST", "PUT", ... */
	const char		 *url;
	const char *const	 *headers;	/* "Name: value", NULL-ended */
	const char		 *body;		/* may be NULL */
	size_t			  body_len;
	long			  timeout_ms;	/* 0: 15 s */
};

struct httpc_header {
	char	 name[64];	/* lower case */
	char	 value[512];
};

struct httpc_resp {
	long			 status;	/* 0: no HTTP answer */
	char			*body;		/* NUL-terminated, "" if none */
	size_t			 len;
	struct httpc_header	 headers[HTTPC_HEADERS_MAX];
	size_t			 nheaders;
	char			 error[256];
	int			 timed_out;
};

enum httpc_class {
	HTTPC_OK = 0,	/* 2xx */
	HTTPC_RETRY,	/* no answer, timeout, 408, 425, 429, 5xx */
	HTTPC_FAIL	/* any other status */
};

/*
 * Send the request. Returns 0 when an HTTP answer came (any status), -1
 * when none did (e says why: ERR_RETRY for timeouts and connection
 * failures). r is filled either way and must be freed.
 */
int	httpc_do(const struct httpc_req *q, struct httpc_resp *r,
	    struct err *e);

/* A response header by name (any case), or NULL. */
const char *httpc_header(const struct httpc_resp *r, const char *name);

/* Classify an answer (or its absence). Pure. */
enum httpc_class httpc_class(const struct httpc_resp *r);

/*
 * Seconds to wait from a Retry-After header (delta seconds only), clamped
 * to [0, max]; -1 when absent or unreadable. Pure.
 */
int64_t	httpc_retry_after(const struct httpc_resp *r, int64_t max);

/* NULL-safe. */
void	httpc_resp_free(struct httpc_resp *r);

#endif
