/*
 * multipart: multipart/form-data bodies (see multipart.h).
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "err.h"
#include "form.h"
#include "multipart.h"
#include "str.h"

#define BOUNDARY_MAX	70
#define HEADERS_MAX	8192

/* The first n-byte needle in hay[0..len), or NULL (memmem is a GNU
 * extension). */
static const char *
find(const char *hay, size_t len, const char *needle, size_t n)
{
	const char	*p = hay, *end = hay + len;

	while (n > 0 && (size_t)(end - p) >= n &&
	    (p = memchr(p, needle[0], (size_t)(end - p) - n + 1)) != NULL) {
		if (memcmp(p, needle, n) == 0)
			return p;
		p++;
	}
	return NULL;
}

int
multipart_boundary(const char *ct, char *out, size_t outsz)
{
	const char	*p;
	size_t		 n;

	if (ct == NULL || strncasecmp(ct, "multipart/form-data", 19) != 0 ||
	    (ct[19] != ';' && ct[19] != ' '))
		return -1;
	for (p = ct + 19; (p = strchr(p, ';')) != NULL; ) {
		p++;
		while (*p == ' ' || *p == '\t')
			p++;
		if (strncasecmp(p, "boundary=", 9) != 0)
			continue;
		p += 9;
		if (*p == '"') {
			p++;
			n = strcspn(p, "\"");
			if (p[n] != '"')
				return -1;
		} else
			n = strcspn(p, "; \t");
		if (n == 0 || n > BOUNDARY_MAX || n >= outsz)
			return -1;
		memcpy(out, p, n);
		out[n] = '\0';
		return 0;
	}
	return -1;
}

/* The value of param (name or filename) in a Content-Disposition line. */
static char *
disposition_param(const char *line, size_t len, const char *param)
{
	const char	*p = line, *end = line + len, *v;
	size_t		 plen = strlen(param);
	char		*out;

	while (p < end) {
		v = memchr(p, ';', (size_t)(end - p));
		if (v == NULL)
			return NULL;
		p = v + 1;
		while (p < end && (*p == ' ' || *p == '\t'))
			p++;
		if ((size_t)(end - p) > plen + 1 &&
		    strncasecmp(p, param, plen) == 0 && p[plen] == '=') {
			p += plen + 1;
			if (p < end && *p == '"') {
				v = memchr(p + 1, '"', (size_t)(end - p - 1));
				if (v == NULL)
					return NULL;
				p++;
			} else {
				for (v = p; v < end && *v != ';'; v++)
					;
			}
			if ((out = malloc((size_t)(v - p) + 1)) == NULL)
				return NULL;
			memcpy(out, p, (size_t)(v - p));
			out[v - p] = '\0';
			return out;
		}
	}
	return NULL;
}

/* The part's name from its header block h[0..n), or NULL. */
static char *
part_name(const char *h, size_t n)
{
	const char	*line = h, *eol;
	size_t		 len;

	while (line < h + n) {
		eol = find(line, (size_t)(h + n - line), "\r\n", 2);
		len = eol != NULL ? (size_t)(eol - line) : (size_t)(h + n - line);
		if (len > 20 && strncasecmp(line, "Content-Disposition:", 20) ==
		    0) {
			const char *v = line + 20;

			while (*v == ' ' || *v == '\t')
				v++;
			if (strncasecmp(v, "form-data", 9) != 0)
				return NULL;
			return disposition_param(line, len, "name");
		}
		if (eol == NULL)
			break;
		line = eol + 2;
	}
	return NULL;
}

static int
add_pair(struct form *f, char *key, const char *val, size_t n,
    size_t max_pairs, struct err *e)
{
	struct form_pair	*np;
	char			*v;

	if (f->n == max_pairs) {
		free(key);
		return err_set(e, ERR_TOOBIG, "more than %zu form fields",
		    max_pairs);
	}
	if ((n > 0 && memchr(val, '\0', n) != NULL) ||
	    !str_utf8_valid(n > 0 ? val : "", n) ||
	    !str_utf8_valid(key, strlen(key))) {
		free(key);
		return err_set(e, ERR_INVALID, "a form field is not UTF-8 "
		    "text");
	}
	if ((v = malloc(n + 1)) == NULL ||
	    (np = realloc(f->pairs, (f->n + 1) * sizeof(*np))) == NULL) {
		free(v);
		free(key);
		return err_set(e, ERR_SYS, "out of memory");
	}
	if (n > 0)
		memcpy(v, val, n);
	v[n] = '\0';
	f->pairs = np;
	f->pairs[f->n].key = key;
	f->pairs[f->n].val = v;
	f->n++;
	return 0;
}

int
multipart_parse(struct form *f, const char *boundary, const char *body,
    size_t len, size_t max_pairs, struct err *e)
{
	char		 delim[BOUNDARY_MAX + 5];
	const char	*p, *end = body + len, *hend, *next;
	size_t		 dlen;
	char		*name;

	memset(f, 0, sizeof(f[0]));
	if (boundary == NULL || boundary[0] == '\0' ||
	    str_fmt(delim, sizeof(delim), "\r\n--%s", boundary) == -1)
		return err_set(e, ERR_INVALID, "no multipart boundary");
	dlen = strlen(delim);
	/* the body starts with the delimiter without its CRLF */
	if (len < dlen - 2 || memcmp(body, delim + 2, dlen - 2) != 0)
		goto bad;
	p = body + dlen - 2;
	for (;;) {
		if (end - p >= 2 && p[0] == '-' && p[1] == '-')
			return 0;	/* the close delimiter */
		if (end - p < 2 || p[0] != '\r' || p[1] != '\n')
			goto bad;
		p += 2;
		hend = find(p, (size_t)(end - p), "\r\n\r\n", 4);
		if (hend == NULL || hend - p > HEADERS_MAX)
			goto bad;
		if ((name = part_name(p, (size_t)(hend - p))) == NULL)
			goto bad;
		p = hend + 4;
		next = find(p, (size_t)(end - p), delim, dlen);
		if (next == NULL) {
			free(name);
			goto bad;
		}
		if (add_pair(f, name, p, (size_t)(next - p), max_pairs,
		    e) == -1) {
			form_free(f);
			return -1;
		}
		p = next + dlen;
	}
bad:
	form_free(f);
	return err_set(e, ERR_INVALID, "the multipart body is malformed");
}
