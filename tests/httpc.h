/*
 * A small HTTP client for the end-to-end tests (libcurl + jansson): one
 * call per request, the answer's status, headers and body kept together.
 * Test code only; the hub's own client lives in lib/.
 */
#ifndef STOCKHUB_TEST_HTTPC_H
#define STOCKHUB_TEST_HTTPC_H

#include <stddef.h>

#include <jansson.h>

struct tresp {
	long	 status;	/* 0 when no answer came (curl_error says why) */
	int	 curl_code;	/* CURLcode */
	char	*headers;	/* raw header block */
	char	*body;		/* NUL-terminated */
	size_t	 len;
	json_t	*json;		/* body parsed, or NULL */
};

/*
 * Send one request. url is absolute; headers is a NULL-terminated list of
 * "Name: value" lines (may be NULL); body may be NULL. timeout_ms 0 means
 * 20 s. Fills r (free with tresp_free). Returns 0 when an HTTP answer
 * came, -1 otherwise.
 */
int	treq(const char *method, const char *url, const char *const *headers,
	    const char *body, long timeout_ms, struct tresp *r);

/* The same with the base URL from an environment variable
 * (e.g. "SANDBOX_ETSY_URL") and a path. */
int	treq_env(const char *env, const char *method, const char *path,
	    const char *const *headers, const char *body, struct tresp *r);

/* A response header's value (case-insensitive name) copied into out;
 * 0 when found. */
int	tresp_header(const struct tresp *r, const char *name, char *out,
	    size_t outsz);

/* NULL-safe. */
void	tresp_free(struct tresp *r);

/* The base URL in env, or abort the test program with a clear line. */
const char *tenv(const char *env);

#endif
