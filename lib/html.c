/*
 * html: see html.h. Pure: writes into a buf only.
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stdint.h>
#include <string.h>

#include "html.h"

/* Put the buffer back to length len after a failed multi-part append. */
static void
html_rollback(struct buf *b, size_t len)
{
	if (b->data != NULL && len <= b->len) {
		b->len = len;
		b->data[len] = '\0';
	}
}

int
html_escape(struct buf *b, const char *s, size_t n)
{
	size_t		 i, run = 0, start;
	const char	*ent;

	if (b == NULL || (s == NULL && n > 0))
		return -1;
	start = b->len;
	for (i = 0; i < n; i++) {
		switch (s[i]) {
		case '&':	ent = "&amp;";	break;
		case '<':	ent = "&lt;";	break;
		case '>':	ent = "&gt;";	break;
		case '"':	ent = "&quot;";	break;
		case '\'':	ent = "&#39;";	break;
		default:	ent = NULL;	break;
		}
		if (ent == NULL) {
			run++;
			continue;
		}
		if (buf_append(b, s + i - run, run) == -1 ||
		    buf_puts(b, ent) == -1)
			goto fail;
		run = 0;
	}
	if (buf_append(b, s + n - run, run) == -1)
		goto fail;
	return 0;
fail:
	html_rollback(b, start);
	return -1;
}

void
html_init(struct html *h, struct buf *b)
{
	if (h == NULL)
		return;
	h->b = b;
	h->failed = b == NULL;
}

int
html_failed(const struct html *h)
{
	return h == NULL || h->failed != 0;
}

void
html_text(struct html *h, const char *s)
{
	if (html_failed(h) || s == NULL)
		return;
	if (html_escape(h->b, s, strlen(s)) == -1)
		h->failed = 1;
}

void
html_printf(struct html *h, const char *tmpl, ...)
{
	va_list		 ap;
	const char	*p, *lit, *s;
	size_t		 start;
	int		 ok = 1;

	if (html_failed(h))
		return;
	if (tmpl == NULL) {
		h->failed = 1;
		return;
	}
	start = h->b->len;
	va_start(ap, tmpl);
	for (p = tmpl; ok && *p != '\0'; ) {
		if (*p != '%') {
			lit = p;
			while (*p != '\0' && *p != '%')
				p++;
			ok = buf_append(h->b, lit, (size_t)(p - lit)) == 0;
			continue;
		}
		switch (p[1]) {
		case 's':
			s = va_arg(ap, const char *);
			if (s != NULL)
				ok = html_escape(h->b, s, strlen(s)) == 0;
			break;
		case 'd':
			ok = buf_printf(h->b, "%d", va_arg(ap, int)) == 0;
			break;
		case 'D':
			ok = buf_printf(h->b, "%" PRId64,
			    va_arg(ap, int64_t)) == 0;
			break;
		case '%':
			ok = buf_append(h->b, "%", 1) == 0;
			break;
		default:	/* unknown conversion or a lone '%' at the end */
			ok = 0;
			break;
		}
		if (ok)
			p += 2;
	}
	va_end(ap);
	if (!ok) {
		html_rollback(h->b, start);
		h->failed = 1;
	}
}
