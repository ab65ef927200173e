/*
 * httpc: bounded HTTP client on libcurl (see httpc.h).
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <curl/curl.h>

#include "buf.h"
#include "err.h"
#include "httpc.h"
#include "str.h"

static size_t
on_body(char *p, size_t size, size_t n, void *arg)
{
	/* returning less than given aborts the transfer: the cap holds */
	return buf_append(arg, p, size * n) == -1 ? 0 : size * n;
}

static size_t
on_header(char *p, size_t size, size_t n, void *arg)
{
	struct httpc_resp	*r = arg;
	struct httpc_header	*h;
	size_t			 len = size * n, i, k;
	const char		*colon;

	/* a new status line (after a 100 Continue) starts a new set */
	if (len >= 5 && strncmp(p, "HTTP/", 5) == 0) {
		r->nheaders = 0;
		return len;
	}
	if ((colon = memchr(p, ':', len)) == NULL ||
	    r->nheaders == HTTPC_HEADERS_MAX)
		return len;
	h = &r->headers[r->nheaders];
	k = (size_t)(colon - p);
	if (k == 0 || k >= sizeof(h->name))
		return len;
	for (i = 0; i < k; i++)
		h->name[i] = (char)tolower((unsigned char)p[i]);
	h->name[k] = '\0';
	for (i = k + 1; i < len && (p[i] == ' ' || p[i] == '\t'); i++)
		;
	for (k = 0; i < len && p[i] != '\r' && p[i] != '\n' &&
	    k + 1 < sizeof(h->value); i++)
		h->value[k++] = p[i];
	h->value[k] = '\0';
	r->nheaders++;
	return len;
}

int
httpc_do(const struct httpc_req *q, struct httpc_resp *r, struct err *e)
{
	CURL			*c = NULL;
	struct curl_slist	*hl = NULL, *tmp;
	struct buf		 b;
	CURLcode		 cc;
	size_t			 i;
	int			 rc = -1;

	memset(r, 0, sizeof(*r));
	buf_init(&b, HTTPC_BODY_MAX);
	if ((c = curl_easy_init()) == NULL) {
		err_set(e, ERR_SYS, "http: cannot start a transfer");
		goto out;
	}
	for (i = 0; q->headers != NULL && q->headers[i] != NULL; i++) {
		if ((tmp = curl_slist_append(hl, q->headers[i])) == NULL) {
			err_set(e, ERR_SYS, "out of memory");
			goto out;
		}
		hl = tmp;
	}
	curl_easy_setopt(c, CURLOPT_URL, q->url);
	curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, q->method);
	if (q->body != NULL) {
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, q->body);
		curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE,
		    (curl_off_t)q->body_len);
	} else if (strcmp(q->method, "GET") == 0)
		curl_easy_setopt(c, CURLOPT_HTTPGET, 1L);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, hl);
	curl_easy_setopt(c, CURLOPT_TIMEOUT_MS,
	    q->timeout_ms > 0 ? q->timeout_ms : 15000L);
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, 5000L);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(c, CURLOPT_MAXFILESIZE_LARGE,
	    (curl_off_t)HTTPC_BODY_MAX);
	curl_easy_setopt(c, CURLOPT_ERRORBUFFER, r->error);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, &b);
	curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(c, CURLOPT_HEADERDATA, r);
	curl_easy_setopt(c, CURLOPT_USERAGENT, "stockhub/1");

	cc = curl_easy_perform(c);
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &r->status);
	if (cc != CURLE_OK) {
		if (r->error[0] == '\0')
			(void)str_copy(r->error, sizeof(r->error),
			    curl_easy_strerror(cc));
		r->timed_out = cc == CURLE_OPERATION_TIMEDOUT;
		/* a partial body is not an answer */
		r->status = 0;
		err_set(e, cc == CURLE_WRITE_ERROR ||
		    cc == CURLE_FILESIZE_EXCEEDED ? ERR_TOOBIG : ERR_RETRY,
		    "http: %s %s: %s", q->method, q->url, r->error);
		goto out;
	}
	rc = 0;
out:
	if ((r->body = buf_detach(&b, &r->len)) == NULL) {
		r->len = 0;
		rc = err_set(e, ERR_SYS, "out of memory");
	}
	buf_free(&b);
	curl_slist_free_all(hl);
	if (c != NULL)
		curl_easy_cleanup(c);
	return rc;
}

const char *
httpc_header(const struct httpc_resp *r, const char *name)
{
	size_t	 i;

	for (i = 0; i < r->nheaders; i++)
		if (strcasecmp(r->headers[i].name, name) == 0)
			return r->headers[i].value;
	return NULL;
}

enum httpc_class
httpc_class(const struct httpc_resp *r)
{
	if (r->status >= 200 && r->status < 300)
		return HTTPC_OK;
	if (r->status == 0 || r->status == 408 || r->status == 425 ||
	    r->status == 429 || r->status >= 500)
		return HTTPC_RETRY;
	return HTTPC_FAIL;
}

int64_t
httpc_retry_after(const struct httpc_resp *r, int64_t max)
{
	const char	*v = httpc_header(r, "retry-after");
	int64_t		 s;

	if (v == NULL || str_to_i64(v, 0, INT64_MAX, &s) == -1)
		return -1;
	return s > max ? max : s;
}

void
httpc_resp_free(struct httpc_resp *r)
{
	if (r == NULL)
		return;
	free(r->body);
	r->body = NULL;
	r->len = 0;
}
