/*
 * buf: one bounded, growable byte buffer, used for HTTP bodies, HTML pages
 * and anything else assembled from outside data.
 *
 * Every buffer has a hard maximum set at init; an append that would pass it
 * fails with -1 and leaves the buffer as it was (so callers can report
 * "too big"), as does a failed allocation. The content is always
 * NUL-terminated, so b->data can be read as a C string when it holds text.
 *
 * Ownership: the buffer owns b->data until buf_free() or buf_detach().
 */
#ifndef STOCKHUB_BUF_H
#define STOCKHUB_BUF_H

#include <stdarg.h>
#include <stddef.h>

struct buf {
	char	*data;	/* NULL until the first append; then NUL-terminated */
	size_t	 len;	/* bytes used, excluding the terminating NUL */
	size_t	 cap;	/* bytes allocated */
	size_t	 max;	/* hard limit on len */
};

/* Start an empty buffer that may hold at most max bytes. Cannot fail. */
void	buf_init(struct buf *b, size_t max);

/* Append n bytes. Returns 0, or -1 (over max or out of memory). */
int	buf_append(struct buf *b, const void *p, size_t n)
	    __attribute__((warn_unused_result));

/* Append a NUL-terminated string. */
int	buf_puts(struct buf *b, const char *s)
	    __attribute__((warn_unused_result));

/* Append formatted text (vsnprintf rules). */
int	buf_printf(struct buf *b, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3), warn_unused_result));
int	buf_vprintf(struct buf *b, const char *fmt, va_list ap)
	    __attribute__((warn_unused_result));

/* Forget the content but keep the memory and the limit. */
void	buf_reset(struct buf *b);

/* Free the content; the buffer can be reused after buf_init(). NULL-safe. */
void	buf_free(struct buf *b);

/*
 * Hand the content to the caller, who frees it with free(); the buffer is
 * left empty. Never returns NULL: an empty buffer gives an empty string
 * (or NULL only if that allocation fails).
 */
char	*buf_detach(struct buf *b, size_t *len);

#endif
