/*
 * str: see str.h.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "str.h"

_Static_assert(sizeof(long long) == sizeof(int64_t),
    "strtoll must cover int64_t");

#define I64_TEXT_MAX	63	/* longest byte range str_to_i64n accepts */

int
str_to_i64(const char *s, int64_t min, int64_t max, int64_t *out)
{
	int		 saved = errno, rc = -1;
	const char	*p;
	char		*end = NULL;
	long long	 v;

	if (s == NULL || out == NULL)
		goto out;
	p = s;
	while (*p == ' ')
		p++;
	/*
	 * strtoll would skip any isspace() and accept a lone sign or an empty
	 * string; allow only [+-]?[0-9] to start the number.
	 */
	if (*p == '+' || *p == '-') {
		if (p[1] < '0' || p[1] > '9')
			goto out;
	} else if (*p < '0' || *p > '9')
		goto out;
	errno = 0;
	v = strtoll(p, &end, 10);
	if (errno != 0 || end == p)
		goto out;
	while (*end == ' ')
		end++;
	if (*end != '\0')
		goto out;
	if ((int64_t)v < min || (int64_t)v > max)
		goto out;
	*out = (int64_t)v;
	rc = 0;
out:
	errno = saved;
	return rc;
}

int
str_to_i64n(const char *s, size_t n, int64_t min, int64_t max, int64_t *out)
{
	char	tmp[I64_TEXT_MAX + 1];

	if (s == NULL || n > I64_TEXT_MAX)
		return -1;
	if (memchr(s, '\0', n) != NULL)
		return -1;	/* "12\0junk" is not the number 12 */
	memcpy(tmp, s, n);
	tmp[n] = '\0';
	return str_to_i64(tmp, min, max, out);
}

int
str_copy(char *dst, size_t dstsz, const char *src)
{
	size_t	n;

	if (dst == NULL || dstsz == 0)
		return -1;
	if (src == NULL) {
		dst[0] = '\0';
		return -1;
	}
	n = strnlen(src, dstsz);
	if (n >= dstsz) {
		memcpy(dst, src, dstsz - 1);
		dst[dstsz - 1] = '\0';
		return -1;
	}
	memcpy(dst, src, n + 1);
	return 0;
}

int
str_fmt(char *dst, size_t dstsz, const char *fmt, ...)
{
	va_list	ap;
	int	r;

	if (dst == NULL || dstsz == 0 || fmt == NULL)
		return -1;
	va_start(ap, fmt);
	r = vsnprintf(dst, dstsz, fmt, ap);
	va_end(ap);
	if (r < 0) {
		dst[0] = '\0';
		return -1;
	}
	return (size_t)r >= dstsz ? -1 : 0;
}

int
str_ct_equal(const void *a, size_t alen, const void *b, size_t blen)
{
	const volatile unsigned char	*pa = a, *pb = b;
	size_t				 i, n;
	unsigned int			 acc = 0;
	unsigned char			 x, y;

	if ((pa == NULL && alen > 0) || (pb == NULL && blen > 0))
		return 0;
	n = alen > blen ? alen : blen;
	for (i = 0; i < n; i++) {
		/* the conditions depend on lengths only, never on content */
		x = i < alen ? pa[i] : 0;
		y = i < blen ? pb[i] : 0;
		acc |= (unsigned int)(x ^ y);
	}
	acc |= (unsigned int)(alen != blen);
	return (int)(1 & ((acc - 1) >> 8));
}

int
str_utf8_valid(const char *s, size_t n)
{
	const unsigned char	*p = (const unsigned char *)s;
	size_t			 i = 0, k, need;
	uint32_t		 cp, lo;

	if (s == NULL)
		return n == 0;
	while (i < n) {
		unsigned char c = p[i];

		if (c < 0x80) {
			i++;
			continue;
		}
		if (c >= 0xC2 && c <= 0xDF) {
			need = 1; cp = c & 0x1F; lo = 0x80;
		} else if (c >= 0xE0 && c <= 0xEF) {
			need = 2; cp = c & 0x0F; lo = 0x800;
		} else if (c >= 0xF0 && c <= 0xF4) {
			need = 3; cp = c & 0x07; lo = 0x10000;
		} else
			return 0;	/* continuation, C0/C1 overlong, F5+ */
		if (n - i - 1 < need)
			return 0;	/* truncated */
		for (k = 1; k <= need; k++) {
			if ((p[i + k] & 0xC0) != 0x80)
				return 0;
			cp = (cp << 6) | (p[i + k] & 0x3F);
		}
		if (cp < lo || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
			return 0;
		i += need + 1;
	}
	return 1;
}

size_t
str_utf8_len(const char *s, size_t n)
{
	const unsigned char	*p = (const unsigned char *)s;
	size_t			 i, count = 0;

	if (s == NULL)
		return 0;
	for (i = 0; i < n; i++)
		if ((p[i] & 0xC0) != 0x80)
			count++;
	return count;
}

void
str_hex(char *out, const unsigned char *in, size_t n)
{
	static const char	digits[] = "0123456789abcdef";
	size_t			i;

	if (out == NULL)
		return;
	for (i = 0; i < n && in != NULL; i++) {
		out[2 * i] = digits[in[i] >> 4];
		out[2 * i + 1] = digits[in[i] & 0x0F];
	}
	out[2 * i] = '\0';
}
