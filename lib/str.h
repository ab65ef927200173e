/*
 * str: small, bounded string helpers that replace the unsafe libc ones
 * (atoi, strcpy, strcat, sprintf are banned in this tree).
 * All functions are pure: no I/O, no global state.
 */
#ifndef STOCKHUB_STR_H
#define STOCKHUB_STR_H

#include <stddef.h>
#include <stdint.h>

/*
 * Parse a whole decimal integer in [min, max] from s (leading and trailing
 * ASCII spaces allowed, nothing else). Returns 0 and sets *out, or -1 when s
 * is NULL, empty, not a number, has trailing garbage or is out of range.
 * errno is preserved.
 */
int	str_to_i64(const char *s, int64_t min, int64_t max, int64_t *out);

/* The same for a byte range that need not be NUL-terminated. */
int	str_to_i64n(const char *s, size_t n, int64_t min, int64_t max,
	    int64_t *out);

/*
 * Copy src into dst of size dstsz, always NUL-terminating when dstsz > 0.
 * Returns 0, or -1 when src did not fit (dst then holds a truncated copy).
 */
int	str_copy(char *dst, size_t dstsz, const char *src);

/*
 * Format into a fixed buffer (snprintf rules). Returns 0, or -1 when the
 * result was truncated or the format failed.
 */
int	str_fmt(char *dst, size_t dstsz, const char *fmt, ...)
	    __attribute__((format(printf, 3, 4)));

/*
 * Compare two byte strings in time that depends only on the lengths, never
 * on where they first differ (for signatures and tokens). Returns 1 when
 * equal, 0 otherwise.
 */
int	str_ct_equal(const void *a, size_t alen, const void *b, size_t blen);

/* 1 when s[0..n) is valid UTF-8 (no overlongs, no surrogates), else 0. */
int	str_utf8_valid(const char *s, size_t n);

/* Number of UTF-8 code points in a valid UTF-8 string s[0..n). */
size_t	str_utf8_len(const char *s, size_t n);

/* Lower-case hex of n bytes into out (needs 2n+1 bytes). */
void	str_hex(char *out, const unsigned char *in, size_t n);

#endif
