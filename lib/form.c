/*
 * form: see form.h. Pure: no I/O.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "form.h"
#include "str.h"

static int
hexval(unsigned char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

char *
form_decode(const char *s, size_t len, int plus_is_space, size_t *outlen)
{
	char	*out = NULL;
	size_t	 i, o = 0;
	int	 hi, lo;

	if (outlen != NULL)
		*outlen = 0;
	if (s == NULL && len > 0)
		return NULL;
	if (len == SIZE_MAX)
		return NULL;
	out = malloc(len + 1);
	if (out == NULL)
		return NULL;
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '%') {
			if (len - i < 3)
				goto fail;	/* "%" or "%4" at the end */
			hi = hexval((unsigned char)s[i + 1]);
			lo = hexval((unsigned char)s[i + 2]);
			if (hi < 0 || lo < 0)
				goto fail;
			c = (unsigned char)(hi << 4 | lo);
			i += 2;
		} else if (c == '+' && plus_is_space)
			c = ' ';
		if (c == '\0')
			goto fail;		/* raw or %00 */
		out[o++] = (char)c;
	}
	out[o] = '\0';
	if (!str_utf8_valid(out, o))
		goto fail;
	if (outlen != NULL)
		*outlen = o;
	return out;
fail:
	free(out);
	return NULL;
}

void
form_free(struct form *f)
{
	size_t	i;

	if (f == NULL)
		return;
	for (i = 0; i < f->n; i++) {
		free(f->pairs[i].key);
		free(f->pairs[i].val);
	}
	free(f->pairs);
	f->pairs = NULL;
	f->n = 0;
}

int
form_parse(struct form *f, const char *s, size_t len, size_t max_pairs,
    struct err *e)
{
	const char	*seg, *end, *amp, *eq;
	size_t		 count = 0, i, slen;
	char		*key = NULL, *val = NULL;
	int		 rc = -1;

	if (f == NULL) {
		err_set(e, ERR_SYS, "form_parse: no form");
		return -1;
	}
	f->pairs = NULL;
	f->n = 0;
	if (s == NULL && len > 0) {
		err_set(e, ERR_INVALID, "form: no input");
		return -1;
	}
	if (len == 0)
		return 0;

	/* count the non-empty segments first: one allocation, early TOOBIG */
	end = s + len;
	for (seg = s; seg < end; seg = amp + 1) {
		amp = memchr(seg, '&', (size_t)(end - seg));
		if (amp == NULL)
			amp = end;
		if (amp > seg)
			count++;
	}
	if (count > max_pairs) {
		err_set(e, ERR_TOOBIG, "form: more than %zu fields", max_pairs);
		return -1;
	}
	if (count == 0)
		return 0;
	f->pairs = calloc(count, sizeof(*f->pairs));
	if (f->pairs == NULL) {
		err_set(e, ERR_SYS, "form: out of memory");
		return -1;
	}

	i = 0;
	for (seg = s; seg < end; seg = amp + 1) {
		amp = memchr(seg, '&', (size_t)(end - seg));
		if (amp == NULL)
			amp = end;
		slen = (size_t)(amp - seg);
		if (slen == 0)
			continue;
		eq = memchr(seg, '=', slen);
		if (eq == NULL) {
			key = form_decode(seg, slen, 1, NULL);
			val = form_decode("", 0, 1, NULL);
		} else {
			key = form_decode(seg, (size_t)(eq - seg), 1, NULL);
			val = form_decode(eq + 1, (size_t)(amp - eq - 1), 1,
			    NULL);
		}
		if (key == NULL || val == NULL) {
			err_set(e, ERR_INVALID,
			    "form: field %zu: bad encoding (escape, NUL byte or "
			    "UTF-8)", i + 1);
			goto out;
		}
		f->pairs[i].key = key;
		f->pairs[i].val = val;
		key = val = NULL;
		f->n = ++i;
	}
	rc = 0;
out:
	free(key);
	free(val);
	if (rc == -1)
		form_free(f);
	return rc;
}

const char *
form_get(const struct form *f, const char *key)
{
	size_t	i;

	if (f == NULL || key == NULL)
		return NULL;
	for (i = 0; i < f->n; i++)
		if (strcmp(f->pairs[i].key, key) == 0)
			return f->pairs[i].val;
	return NULL;
}

static int
is_ows(char c)
{
	return c == ' ' || c == '\t';
}

int
form_cookie(const char *header, const char *name, char *out, size_t outsz)
{
	const char	*p, *seg, *semi, *eq, *ne, *vb, *ve;
	size_t		 namelen, vlen;

	if (out != NULL && outsz > 0)
		out[0] = '\0';
	if (header == NULL || name == NULL || out == NULL || outsz == 0)
		return -1;
	namelen = strlen(name);
	if (namelen == 0)
		return -1;
	for (p = header; *p != '\0'; p = *semi == ';' ? semi + 1 : semi) {
		semi = strchr(p, ';');
		if (semi == NULL)
			semi = p + strlen(p);
		seg = p;
		while (seg < semi && is_ows(*seg))
			seg++;
		eq = memchr(seg, '=', (size_t)(semi - seg));
		if (eq == NULL)
			continue;
		ne = eq;
		while (ne > seg && is_ows(ne[-1]))
			ne--;
		if ((size_t)(ne - seg) != namelen ||
		    memcmp(seg, name, namelen) != 0)
			continue;
		vb = eq + 1;
		ve = semi;
		while (vb < ve && is_ows(*vb))
			vb++;
		while (ve > vb && is_ows(ve[-1]))
			ve--;
		if (ve - vb >= 2 && vb[0] == '"' && ve[-1] == '"') {
			vb++;
			ve--;
		}
		vlen = (size_t)(ve - vb);
		if (vlen >= outsz)
			return -1;
		memcpy(out, vb, vlen);
		out[vlen] = '\0';
		return 0;
	}
	return -1;
}
