/*
 * html: the one HTML writer. Every dynamic value that reaches a page goes
 * through html_printf() or html_text(), which escape & < > " ' so the same
 * call is safe in text and in quoted attribute values.
 *
 * html_printf() takes a template written in the code (never data) with
 * these conversions only:
 *   %s  a string, escaped (NULL prints nothing)
 *   %d  an int
 *   %D  an int64_t
 *   %%  a percent sign
 * Anything else makes the writer fail. Errors are sticky: after the first
 * failure (buffer limit, bad template) later calls do nothing and
 * html_failed() reports it, so a page is built in straight-line code and
 * checked once at the end.
 *
 * Ownership: the writer borrows the buf; the caller owns and frees it.
 */
#ifndef STOCKHUB_HTML_H
#define STOCKHUB_HTML_H

#include <stdint.h>

#include "buf.h"

struct html {
	struct buf	*b;
	int		 failed;
};

void	html_init(struct html *h, struct buf *b);

/* Append s escaped. */
void	html_text(struct html *h, const char *s);

/* Append a template with escaped arguments (see above). */
void	html_printf(struct html *h, const char *tmpl, ...);

/* 1 when any call so far failed, else 0. */
int	html_failed(const struct html *h);

/*
 * Escape s into b (the primitive under the writer, also used for
 * attribute values in headers-free contexts). Returns 0 or -1.
 */
int	html_escape(struct buf *b, const char *s, size_t n)
	    __attribute__((warn_unused_result));

#endif
