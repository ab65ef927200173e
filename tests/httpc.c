/*
 * Test HTTP client (see httpc.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <curl/curl.h>
#include <jansson.h>

#include "buf.h"
#include "httpc.h"
#include "str.h"

static size_t
sink(char *p, size_t size, size_t n, void *arg)
{
	struct buf	*b = arg;

	if (buf_append(b, p, size * n) == -1)
		return 0;
	return size * n;
}

int
treq(const char *method, const char *url, const char *const *headers,
    const char *body, long timeout_ms, struct tresp *r)
{
	CURL			*c;
	struct curl_slist	*hl = NULL, *tmp;
	struct buf		 bb, hb;
	size_t			 i;

	memset(r, 0, sizeof(*r));
	buf_init(&bb, 64 * 1024 * 1024);
	buf_init(&hb, 1024 * 1024);
	if ((c = curl_easy_init()) == NULL)
		return -1;
	for (i = 0; headers != NULL && headers[i] != NULL; i++)
		if ((tmp = curl_slist_append(hl, headers[i])) != NULL)
			hl = tmp;
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
	if (body != NULL) {
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
		curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, (long)strlen(body));
	}
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, hl);
	curl_easy_setopt(c, CURLOPT_TIMEOUT_MS,
	    timeout_ms > 0 ? timeout_ms : 20000L);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, sink);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, &bb);
	curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, sink);
	curl_easy_setopt(c, CURLOPT_HEADERDATA, &hb);
	r->curl_code = (int)curl_easy_perform(c);
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &r->status);
	r->body = buf_detach(&bb, &r->len);
	r->headers = buf_detach(&hb, NULL);
	if (r->body != NULL)
		r->json = json_loadb(r->body, r->len, 0, NULL);
	curl_slist_free_all(hl);
	curl_easy_cleanup(c);
	buf_free(&bb);
	buf_free(&hb);
	return r->curl_code == CURLE_OK ? 0 : -1;
}

const char *
tenv(const char *env)
{
	const char	*v = getenv(env);

	if (v == NULL || v[0] == '\0') {
		fprintf(stderr, "not ok - %s is not set; run the suite with "
		    "make test\n", env);
		exit(1);
	}
	return v;
}

int
treq_env(const char *env, const char *method, const char *path,
    const char *const *headers, const char *body, struct tresp *r)
{
	char	 url[2048];

	if (str_fmt(url, sizeof(url), "%s%s", tenv(env), path) == -1)
		return -1;
	return treq(method, url, headers, body, 0, r);
}

int
tresp_header(const struct tresp *r, const char *name, char *out,
    size_t outsz)
{
	const char	*p = r->headers, *eol, *v;
	size_t		 n = strlen(name), vl;

	while (p != NULL && *p != '\0') {
		eol = strstr(p, "\r\n");
		if (eol == NULL)
			eol = p + strlen(p);
		if ((size_t)(eol - p) > n && strncasecmp(p, name, n) == 0 &&
		    p[n] == ':') {
			for (v = p + n + 1; *v == ' '; v++)
				;
			vl = (size_t)(eol - v);
			if (vl >= outsz)
				return -1;
			memcpy(out, v, vl);
			out[vl] = '\0';
			return 0;
		}
		p = *eol != '\0' ? eol + 2 : eol;
	}
	return -1;
}

void
tresp_free(struct tresp *r)
{
	if (r == NULL)
		return;
	free(r->headers);
	free(r->body);
	json_decref(r->json);
	memset(r, 0, sizeof(*r));
}
