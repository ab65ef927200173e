/*
 * csvw: CSV fields through libcsv's quoting (see csvw.h).
 */
#include <stdlib.h>
#include <string.h>

#include <csv.h>

#include "buf.h"
#include "csvw.h"

/* 1 when a spreadsheet would take s for a formula. */
static int
is_formula(const char *s)
{
	if (s[0] == '-' && s[1] != '\0' &&
	    strspn(s + 1, "0123456789") == strlen(s + 1))
		return 0;	/* a negative number */
	return s[0] == '=' || s[0] == '+' || s[0] == '-' || s[0] == '@' ||
	    s[0] == '\t' || s[0] == '\r';
}

static int
needs_quotes(const char *s, size_t n)
{
	if (n == 0)
		return 0;
	if (strpbrk(s, ",\"\r\n") != NULL)
		return 1;
	return s[0] == ' ' || s[0] == '\t' || s[n - 1] == ' ' ||
	    s[n - 1] == '\t';
}

int
csvw_field(struct buf *b, const char *s, int flags)
{
	char	*src = NULL, *q = NULL;
	size_t	 n, w;
	int	 rc = -1;

	if (s == NULL)
		s = "";
	n = strlen(s);
	if ((flags & CSVW_GUARD) && is_formula(s)) {
		if ((src = malloc(n + 2)) == NULL)
			return -1;
		src[0] = '\'';
		memcpy(src + 1, s, n + 1);
		s = src;
		n++;
	}
	if (!needs_quotes(s, n))
		rc = buf_append(b, s, n);
	else if ((q = malloc(2 * n + 2)) != NULL) {
		/* every quote doubled, plus the two around: 2n + 2 at most */
		w = csv_write(q, 2 * n + 2, s, n);
		rc = w > 2 * n + 2 ? -1 : buf_append(b, q, w);
	}
	free(q);
	free(src);
	return rc;
}

int
csvw_sep(struct buf *b, int last)
{
	return buf_append(b, last ? "\r\n" : ",", last ? 2 : 1);
}
